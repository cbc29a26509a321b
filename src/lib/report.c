/* report.c -- text reports: the summary of a trained model (see report.h). */
#include "churnkit/report.h"

#include <math.h>
#include <string.h>

static double num(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* p-values below what doubles resolve print as a bound, as statsmodels does */
static void fmt_p(char *buf, size_t n, double p)
{
    if (isnan(p))
        snprintf(buf, n, "%s", "nan");
    else if (p < 1e-16)
        snprintf(buf, n, "%s", "<1e-16");
    else if (p < 0.001)
        snprintf(buf, n, "%.2e", p);
    else
        snprintf(buf, n, "%.3f", p);
}

void ck_report_coefficients(FILE *out, const ck_model *m)
{
    if (!m->beta)
        return;
    int logit = m->estimator == CK_EST_LOGISTIC;
    size_t w = 12;
    for (size_t j = 0; j < m->pl->width; j++)
        w = strlen(m->pl->encoded[j]) > w ? strlen(m->pl->encoded[j]) : w;
    if (w > 40)
        w = 40;
    fprintf(out, "%-*s %11s %10s %8s %9s %10s %10s%s\n", (int)w, "term", "coef", "std err",
            m->coef_t ? "t" : "z", m->coef_t ? "P>|t|" : "P>|z|", "[0.025", "0.975]",
            logit ? "  odds ratio" : "");
    for (size_t j = 0; j < m->p; j++) {
        const char *name = j ? m->pl->encoded[j - 1] : "(intercept)";
        char p[16];
        if (!m->coef) {
            fprintf(out, "%-*.*s %11.4g\n", (int)w, (int)w, name, m->beta[j]);
            continue;
        }
        const ck_coef_row *r = &m->coef[j];
        fmt_p(p, sizeof p, r->p_value);
        fprintf(out, "%-*.*s %11.4g %10.4g %8.3f %9s %10.4g %10.4g", (int)w, (int)w, name,
                r->coef, r->se, r->stat, p, r->lo, r->hi);
        if (logit)
            fprintf(out, "  %10.4g", exp(r->coef));
        fputc('\n', out);
    }
    if (m->coef_approximate)
        fprintf(out, "The model is penalized or weighted: standard errors, p-values and "
                     "intervals are approximate.\n");
}

static void logistic_fit(FILE *out, const json_t *f)
{
    const json_t *conv = json_object_get(f, "converged");
    fprintf(out, "Solver: %s, %lld iterations, %s (relative gradient %.2g)\n",
            json_string_value(json_object_get(f, "solver")),
            (long long)json_integer_value(json_object_get(f, "iterations")),
            json_is_true(conv) ? "converged" : "NOT converged", num(f, "relative_gradient"));
    char p[16];
    fmt_p(p, sizeof p, num(f, "lr_p"));
    fprintf(out, "Log-likelihood %.4f, null %.4f, pseudo R-squared %.4f, "
                 "LR chi2(%lld) = %.2f, p %s\n",
            num(f, "loglik"), num(f, "loglik_null"), num(f, "pseudo_r2"),
            (long long)json_integer_value(json_object_get(f, "lr_df")), num(f, "lr_stat"), p);
}

static void linear_fit(FILE *out, const json_t *f)
{
    char p[16];
    fmt_p(p, sizeof p, num(f, "f_p"));
    fprintf(out, "Method: %s, rank %lld, residual df %.0f\n",
            json_string_value(json_object_get(f, "method")),
            (long long)json_integer_value(json_object_get(f, "rank")), num(f, "df_resid"));
    fprintf(out, "R-squared %.4f, adjusted %.4f, F(%.0f, %.0f) = %.3f, p %s, "
                 "log-likelihood %.4f\n",
            num(f, "r2"), num(f, "r2_adj"), num(f, "df_model"), num(f, "df_resid"),
            num(f, "f_stat"), p, num(f, "loglik"));
    if (json_object_get(f, "scale"))
        fprintf(out, "Huber scale %.4g after %lld iterations\n", num(f, "scale"),
                (long long)json_integer_value(json_object_get(f, "iterations")));
}

static void metrics_line(FILE *out, const char *what, const json_t *o, int classification)
{
    if (!o)
        return;
    if (classification)
        fprintf(out, "%-6s rows %lld: accuracy %.4f [%.4f, %.4f] (majority %.4f), balanced "
                     "%.4f, ROC AUC %.4f, log-loss %.4f\n",
                what, (long long)json_integer_value(json_object_get(o, "rows")),
                num(o, "accuracy"), num(o, "accuracy_ci_low"), num(o, "accuracy_ci_high"),
                num(o, "majority_accuracy"), num(o, "balanced_accuracy"), num(o, "roc_auc"),
                num(o, "log_loss"));
    else
        fprintf(out, "%-6s rows %lld: RMSE %.4g, MAE %.4g, R-squared %.4f, direction "
                     "accuracy %.4f\n",
                what, (long long)json_integer_value(json_object_get(o, "rows")), num(o, "rmse"),
                num(o, "mae"), num(o, "r2"), num(o, "direction_accuracy"));
}

static void cv_line(FILE *out, const json_t *cv, int classification)
{
    static const char *cls[] = {"accuracy", "balanced_accuracy", "roc_auc", "log_loss"};
    static const char *reg[] = {"rmse", "mae", "r2", "direction_accuracy"};
    if (!cv)
        return;
    fprintf(out, "CV (%lld folds):", (long long)json_integer_value(json_object_get(cv, "folds")));
    for (int s = 0; s < 4; s++) {
        const char *k = classification ? cls[s] : reg[s];
        const json_t *o = json_object_get(cv, k);
        fprintf(out, "%s %s %.4f +- %.4f", s ? "," : "", k, num(o, "mean"), num(o, "sd"));
    }
    fputc('\n', out);
}

void ck_report_model(FILE *out, const ck_model *m)
{
    int cls = m->task == CK_TASK_CLASSIFICATION;
    const json_t *tr = m->training;
    fprintf(out, "Model '%s': %s %s of '%s'", m->name, ck_estimator_name(m->estimator),
            cls ? "classifier" : "regression", m->label);
    if (cls)
        fprintf(out, " (positive: '%s')", m->positive);
    fprintf(out, ", %lld training rows, %zu features encoded as %zu columns\n",
            (long long)json_integer_value(json_object_get(tr, "rows")), m->pl->nfeat,
            m->pl->width);
    if (m->estimator == CK_EST_LOGISTIC)
        logistic_fit(out, m->fit);
    else if (m->estimator == CK_EST_LINEAR)
        linear_fit(out, m->fit);
    else
        fprintf(out, "SVM: %s kernel, C %g, gamma %g, %lld support vectors\n",
                json_string_value(json_object_get(m->fit, "kernel")), num(m->fit, "c"),
                num(m->fit, "gamma"),
                (long long)json_integer_value(json_object_get(m->fit, "support_vectors")));
    if (m->beta) {
        fputc('\n', out);
        ck_report_coefficients(out, m);
    }
    fputc('\n', out);
    if (cls)
        fprintf(out, "Decision threshold %.4g (%s)\n", m->threshold, m->threshold_rule);
    cv_line(out, json_object_get(m->metrics, "cv"), cls);
    metrics_line(out, "Train", json_object_get(m->metrics, "train"), cls);
    metrics_line(out, "Test", json_object_get(m->metrics, "test"), cls);
}
