/* est_logistic.c -- logistic regression behind the estimator interface:
 * what it fits (logistic.c), stores, prints and explains. */
#include "churnkit/coefs.h"
#include "churnkit/logistic.h"
#include "churnkit/model.h"
#include "churnkit/report.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { P_L2 };

static const ck_param params[] = {
    {"l2", CK_PARAM_NUMBER, 0, 0, 1e12, NULL, "L", "l2",
     "L2 penalty: log-loss (or squared error) + L/2 ||beta||^2, intercept not penalized; "
     "scikit-learn's C = 1/L"},
};

/* How the fit went (the model file's "fit"). */
typedef struct facts {
    int newton;             /* solver: Newton (1) or BFGS (0) */
    double iterations;
    int converged, separation;
    double relative_gradient, loglik, loglik_null, pseudo_r2, lr_stat, lr_df, lr_p;
    double condition_number, weight_sum;
} facts;

typedef struct state {
    ck_coefs c;
    facts f;
} state;

static void pipeline(const double *param, ck_pipeline_options *po)
{
    /* an unpenalized fit cannot tell a full set of indicators from the
     * intercept: keep one level out as the reference */
    po->drop_first = param[P_L2] == 0;
}

static void set_facts(facts *f, const ck_logistic *lm)
{
    f->newton = lm->newton;
    f->iterations = (double)lm->iterations;
    f->converged = lm->converged;
    f->separation = lm->separation;
    f->relative_gradient = lm->grad_rel;
    f->loglik = lm->loglik;
    f->loglik_null = lm->loglik_null;
    f->pseudo_r2 = lm->loglik_null != 0 ? 1 - lm->loglik / lm->loglik_null : NAN;
    f->lr_stat = 2 * (lm->loglik - lm->loglik_null);
    f->lr_df = (double)(lm->p - 1);
    f->lr_p = f->lr_df > 0 ? gsl_cdf_chisq_Q(f->lr_stat, f->lr_df) : NAN;
    f->condition_number = lm->cond;
    f->weight_sum = lm->weight_sum;
}

static void free_state(void *p)
{
    state *s = p;
    if (!s)
        return;
    ck_coefs_fini(&s->c);
    free(s);
}

static ck_status fit(const ck_fit_input *in, void **out, ck_warnings *w, ck_error *err)
{
    ck_logistic lm;
    ck_logistic_options lo;
    ck_logistic_options_init(&lo);
    lo.l2 = in->param[P_L2];
    lo.threads = in->threads;
    lo.reducer = in->reducer;
    lo.progress = in->progress;
    lo.progress_ctx = in->progress_ctx;
    state *s = calloc(1, sizeof *s);
    if (!s)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    ck_status st = ck_logistic_fit(in->ds, &lo, &lm, w, err);
    if (st != CK_OK) {
        free(s);
        return st;
    }
    s->c.p = lm.p;
    s->c.beta = lm.beta;
    s->c.odds = 1;
    s->c.approximate = lo.l2 > 0 || in->ds->weight != NULL;
    lm.beta = NULL;
    if (in->final && lm.cov && (s->c.row = malloc(lm.p * sizeof *s->c.row)))
        ck_coef_table(s->c.beta, lm.cov, lm.p, 0, s->c.row);
    set_facts(&s->f, &lm);
    ck_logistic_fini(&lm);
    *out = s;
    return CK_OK;
}

static double score(const void *p, const double *x, void *scratch)
{
    const state *s = p;
    (void)scratch;
    return ck_sigmoid(ck_linear_predictor(s->c.beta, x, s->c.p - 1));
}

static void contributions(const void *p, const ck_pipeline *pl, const double *x, double *out,
                          void *scratch)
{
    (void)scratch;
    ck_coefs_contributions(&((const state *)p)->c, pl, x, out);
}

static ck_status save(const void *p, const ck_model *m, json_t *root, json_t *fit,
                      ck_error *err)
{
    const state *s = p;
    const facts *f = &s->f;
    json_t *c = ck_coefs_json(&s->c, m->pl);
    if (!c)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    json_object_set_new(root, "coefficients", c);
    json_object_set_new(fit, "solver", json_string(f->newton ? "newton" : "bfgs"));
    json_object_set_new(fit, "iterations", json_integer((json_int_t)f->iterations));
    json_object_set_new(fit, "converged", json_boolean(f->converged));
    ck_json_set_number(fit, "relative_gradient", f->relative_gradient);
    ck_json_set_number(fit, "loglik", f->loglik);
    ck_json_set_number(fit, "loglik_null", f->loglik_null);
    ck_json_set_number(fit, "pseudo_r2", f->pseudo_r2);
    ck_json_set_number(fit, "lr_stat", f->lr_stat);
    json_object_set_new(fit, "lr_df", json_integer((json_int_t)f->lr_df));
    ck_json_set_number(fit, "lr_p", f->lr_p);
    json_object_set_new(fit, "separation", json_boolean(f->separation));
    ck_json_set_number(fit, "condition_number", f->condition_number);
    ck_json_set_number(fit, "weight_sum", f->weight_sum);
    return CK_OK;
}

/* The fit facts are a record for the report: read leniently (unknown when
 * absent), since scoring never needs them. */
static void load_facts(facts *f, const json_t *fit)
{
    const json_t *solver = json_object_get(fit, "solver");
    f->newton = !(json_is_string(solver) && strcmp(json_string_value(solver), "bfgs") == 0);
    f->iterations = ck_json_optional_number(fit, "iterations");
    f->converged = json_is_true(json_object_get(fit, "converged"));
    f->separation = json_is_true(json_object_get(fit, "separation"));
    f->relative_gradient = ck_json_optional_number(fit, "relative_gradient");
    f->loglik = ck_json_optional_number(fit, "loglik");
    f->loglik_null = ck_json_optional_number(fit, "loglik_null");
    f->pseudo_r2 = ck_json_optional_number(fit, "pseudo_r2");
    f->lr_stat = ck_json_optional_number(fit, "lr_stat");
    f->lr_df = ck_json_optional_number(fit, "lr_df");
    f->lr_p = ck_json_optional_number(fit, "lr_p");
    f->condition_number = ck_json_optional_number(fit, "condition_number");
    f->weight_sum = ck_json_optional_number(fit, "weight_sum");
}

static ck_status load(void **out, const ck_model *m, json_t *root, json_t *fit,
                      ck_json_reader *rd)
{
    state *s = calloc(1, sizeof *s);
    if (!s)
        return ck_error_set(rd->err, CK_ENOMEM, "out of memory");
    ck_status st = ck_coefs_read(&s->c, root, m->pl, rd);
    if (st != CK_OK) {
        free_state(s);
        return st;
    }
    s->c.odds = 1;
    load_facts(&s->f, fit);
    *out = s;
    return CK_OK;
}

static void report(FILE *out, const void *p, const ck_model *m)
{
    const state *s = p;
    const facts *f = &s->f;
    char pv[16];
    fprintf(out, "Solver: %s, %.0f iterations, %s (relative gradient %.2g)\n",
            f->newton ? "newton" : "bfgs", f->iterations,
            f->converged ? "converged" : "NOT converged", f->relative_gradient);
    ck_report_format_p(pv, sizeof pv, f->lr_p);
    fprintf(out, "Log-likelihood %.4f, null %.4f, pseudo R-squared %.4f, "
                 "LR chi2(%.0f) = %.2f, p %s\n",
            f->loglik, f->loglik_null, f->pseudo_r2, f->lr_df, f->lr_stat, pv);
    fputc('\n', out);
    ck_coefs_report(out, &s->c, m->pl);
}

static ck_status terms(const void *p, const ck_model *m, ck_terms *out, ck_error *err)
{
    return ck_coefs_terms(&((const state *)p)->c, m->pl, out, err);
}

const ck_estimator_type ck_est_logistic = {
    .name = "logistic",
    .help = "logistic regression (Newton/IRLS), with inference as statsmodels prints it",
    .tasks = CK_TASK_BIT(CK_TASK_CLASSIFICATION),
    .default_task = CK_TASK_CLASSIFICATION,
    .flags = CK_EST_DISTRIBUTED | CK_EST_CONTRIBUTIONS | CK_EST_CLASS_WEIGHTS,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .pipeline = pipeline,
    .fit = fit,
    .score = score,
    .contributions = contributions,
    .save = save,
    .load = load,
    .report = report,
    .terms = terms,
    .free = free_state,
};
