/* est_linear.c -- linear regression (OLS, ridge, Huber) behind the
 * estimator interface: what it fits (linear.c), stores, prints and
 * explains. */
#include "churnkit/coefs.h"
#include "churnkit/linear.h"
#include "churnkit/model.h"
#include "churnkit/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { P_L2, P_ROBUST };

static const ck_param params[] = {
    {"l2", CK_PARAM_NUMBER, 0, 0, 1e12, NULL, "L", "l2",
     "L2 penalty: log-loss (or squared error) + L/2 ||beta||^2, intercept not penalized; "
     "scikit-learn's C = 1/L"},
    {"robust", CK_PARAM_FLAG, 0, 0, 1, NULL, NULL, "robust",
     "Huber regression (statsmodels RLM, HuberT), for heavy-tailed targets"},
};

/* How the fit went (the model file's "fit"). */
typedef struct facts {
    const char *method;     /* "ols", "ridge" or "huber" (static text) */
    double rank, df_model, df_resid, r2, r2_adj, f_stat, f_p, loglik, sigma2;
    double condition_number;
    int robust;             /* Huber: the three below are known */
    double scale, iterations;
    int converged;
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

static void set_facts(facts *f, const ck_linear *lm, const double *param)
{
    f->robust = param[P_ROBUST] != 0;
    f->method = f->robust ? "huber" : param[P_L2] > 0 ? "ridge" : "ols";
    f->rank = (double)lm->rank;
    f->df_model = lm->df_model;
    f->df_resid = lm->df_resid;
    f->r2 = lm->r2;
    f->r2_adj = lm->r2_adj;
    f->f_stat = lm->f_stat;
    f->f_p = lm->f_p;
    f->loglik = lm->loglik;
    f->sigma2 = lm->sigma2;
    f->condition_number = lm->cond;
    f->scale = lm->scale;
    f->iterations = (double)lm->iterations;
    f->converged = lm->converged;
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
    ck_linear lm;
    ck_linear_options lo;
    ck_linear_options_init(&lo);
    lo.l2 = in->param[P_L2];
    lo.robust = in->param[P_ROBUST] != 0;
    lo.threads = in->threads;
    lo.reducer = in->reducer;
    state *s = calloc(1, sizeof *s);
    if (!s)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    ck_status st = ck_linear_fit(in->ds, &lo, &lm, w, err);
    if (st != CK_OK) {
        free(s);
        return st;
    }
    s->c.p = lm.p;
    s->c.beta = lm.beta;
    s->c.t_stats = lm.t_stats;
    s->c.approximate = lo.l2 > 0;
    lm.beta = NULL;
    if (in->final && (s->c.row = malloc(lm.p * sizeof *s->c.row)))
        ck_coef_table(s->c.beta, lm.cov, lm.p, lm.t_stats ? lm.df_resid : 0, s->c.row);
    set_facts(&s->f, &lm, in->param);
    ck_linear_fini(&lm);
    *out = s;
    return CK_OK;
}

static double score(const void *p, const double *x, void *scratch)
{
    const state *s = p;
    (void)scratch;
    return ck_linear_predictor(s->c.beta, x, s->c.p - 1);
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
    json_object_set_new(fit, "method", json_string(f->method));
    json_object_set_new(fit, "rank", json_integer((json_int_t)f->rank));
    ck_json_set_number(fit, "df_model", f->df_model);
    ck_json_set_number(fit, "df_resid", f->df_resid);
    ck_json_set_number(fit, "r2", f->r2);
    ck_json_set_number(fit, "r2_adj", f->r2_adj);
    ck_json_set_number(fit, "f_stat", f->f_stat);
    ck_json_set_number(fit, "f_p", f->f_p);
    ck_json_set_number(fit, "loglik", f->loglik);
    ck_json_set_number(fit, "sigma2", f->sigma2);
    ck_json_set_number(fit, "condition_number", f->condition_number);
    if (f->robust) {
        ck_json_set_number(fit, "scale", f->scale);
        json_object_set_new(fit, "iterations", json_integer((json_int_t)f->iterations));
        json_object_set_new(fit, "converged", json_boolean(f->converged));
    }
    return CK_OK;
}

/* The fit facts are a record for the report: read leniently. */
static void load_facts(facts *f, const json_t *fit)
{
    const json_t *method = json_object_get(fit, "method");
    const char *m = json_is_string(method) ? json_string_value(method) : "";
    f->method = strcmp(m, "huber") == 0 ? "huber" : strcmp(m, "ridge") == 0 ? "ridge" : "ols";
    f->robust = json_object_get(fit, "scale") != NULL;
    f->rank = ck_json_optional_number(fit, "rank");
    f->df_model = ck_json_optional_number(fit, "df_model");
    f->df_resid = ck_json_optional_number(fit, "df_resid");
    f->r2 = ck_json_optional_number(fit, "r2");
    f->r2_adj = ck_json_optional_number(fit, "r2_adj");
    f->f_stat = ck_json_optional_number(fit, "f_stat");
    f->f_p = ck_json_optional_number(fit, "f_p");
    f->loglik = ck_json_optional_number(fit, "loglik");
    f->sigma2 = ck_json_optional_number(fit, "sigma2");
    f->condition_number = ck_json_optional_number(fit, "condition_number");
    f->scale = ck_json_optional_number(fit, "scale");
    f->iterations = ck_json_optional_number(fit, "iterations");
    f->converged = json_is_true(json_object_get(fit, "converged"));
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
    load_facts(&s->f, fit);
    *out = s;
    return CK_OK;
}

static void report(FILE *out, const void *p, const ck_model *m)
{
    const state *s = p;
    const facts *f = &s->f;
    char pv[16];
    ck_report_format_p(pv, sizeof pv, f->f_p);
    fprintf(out, "Method: %s, rank %.0f, residual df %.0f\n", f->method, f->rank, f->df_resid);
    fprintf(out, "R-squared %.4f, adjusted %.4f, F(%.0f, %.0f) = %.3f, p %s, "
                 "log-likelihood %.4f\n",
            f->r2, f->r2_adj, f->df_model, f->df_resid, f->f_stat, pv, f->loglik);
    if (f->robust)
        fprintf(out, "Huber scale %.4g after %.0f iterations\n", f->scale, f->iterations);
    fputc('\n', out);
    ck_coefs_report(out, &s->c, m->pl);
}

static ck_status terms(const void *p, const ck_model *m, ck_terms *out, ck_error *err)
{
    return ck_coefs_terms(&((const state *)p)->c, m->pl, out, err);
}

const ck_estimator_type ck_est_linear = {
    .name = "linear",
    .help = "linear regression: OLS by TSQR, ridge with --l2, Huber with --robust",
    .tasks = CK_TASK_BIT(CK_TASK_REGRESSION),
    .default_task = CK_TASK_REGRESSION,
    .flags = CK_EST_DISTRIBUTED | CK_EST_CONTRIBUTIONS,
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
