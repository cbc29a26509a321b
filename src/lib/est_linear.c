/* est_linear.c -- linear regression (OLS, ridge, Huber) behind the
 * estimator interface: what it fits (linear.c), stores, prints and
 * explains. */
#include "churnkit/coefs.h"
#include "churnkit/linear.h"
#include "churnkit/model.h"
#include "churnkit/report.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum { P_L2, P_ROBUST, P_ROBUST_SE }; /* L2 first: ck_coefs_est_pipeline reads it there */

static const ck_param params[] = {
    CK_COEFS_PARAM_L2,
    {"robust", CK_PARAM_FLAG, 0, 0, 1, NULL, NULL, "robust",
     "Huber regression (statsmodels RLM, HuberT), for heavy-tailed targets"},
    CK_COEFS_PARAM_ROBUST_SE,
};

/* How the fit went (the model file's "fit"). */
typedef struct facts {
    int method;             /* METHOD_* */
    double rank, df_model, df_resid, r2, r2_adj, f_stat, f_p, loglik, sigma2;
    double condition_number;
    double scale, iterations; /* Huber only */
    int converged;
    double aic, bic;        /* OLS: R's, sigma counted (rank + 1 parameters) */
} facts;

enum { METHOD_OLS, METHOD_RIDGE, METHOD_HUBER };
static const char *const methods[] = {"ols", "ridge", "huber", NULL};

#define FACT(k, f, kind) {k, kind, offsetof(facts, f), NULL}
static const ck_fact fit_facts[] = {
    {"method", CK_FACT_CHOICE, offsetof(facts, method), methods},
    FACT("rank", rank, CK_FACT_COUNT),
    FACT("df_model", df_model, CK_FACT_REAL),
    FACT("df_resid", df_resid, CK_FACT_REAL),
    FACT("r2", r2, CK_FACT_REAL),
    FACT("r2_adj", r2_adj, CK_FACT_REAL),
    FACT("f_stat", f_stat, CK_FACT_REAL),
    FACT("f_p", f_p, CK_FACT_REAL),
    FACT("loglik", loglik, CK_FACT_REAL),
    FACT("sigma2", sigma2, CK_FACT_REAL),
    FACT("condition_number", condition_number, CK_FACT_REAL),
    FACT("aic", aic, CK_FACT_REAL),
    FACT("bic", bic, CK_FACT_REAL),
};
static const ck_fact huber_facts[] = { /* after the others, Huber fits only */
    FACT("scale", scale, CK_FACT_REAL),
    FACT("iterations", iterations, CK_FACT_COUNT),
    FACT("converged", converged, CK_FACT_BOOL),
};
#undef FACT

typedef struct state {
    ck_coefs c; /* first: the shared ck_coefs_est_* functions read it */
    facts f;
} state;

static void set_facts(facts *f, const ck_linear *lm, const double *param)
{
    f->method = param[P_ROBUST] != 0 ? METHOD_HUBER : param[P_L2] > 0 ? METHOD_RIDGE : METHOD_OLS;
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
    /* R's AIC(lm) and BIC(lm): the Gaussian log-likelihood with the rank's
     * coefficients and sigma (statsmodels leaves sigma out: 2 less, log n
     * less); only for least squares */
    double k = (double)lm->rank + 1;
    int ols = f->method == METHOD_OLS;
    f->aic = ols ? -2 * lm->loglik + 2 * k : NAN;
    f->bic = ols ? -2 * lm->loglik + k * log((double)lm->n) : NAN;
}

/* With splines in a penalized fit, each feature's effective degrees of
 * freedom: the sum over its columns of the influence's diagonal (linear.h;
 * as est_logistic.c's ck_spline_edf, the trace over them).  Other models'
 * tables stay as they were. */
static void feature_edf(const ck_pipeline *pl, const ck_linear *lm, ck_coefs *c)
{
    int splines = 0;
    for (size_t k = 0; k < pl->nfeat; k++)
        splines |= pl->feat[k].spline != NULL;
    for (size_t k = 0; splines && lm->influence && c->tests && k < pl->nfeat; k++) {
        double e = 0;
        for (size_t j = 0; j < pl->feat[k].width; j++)
            e += lm->influence[1 + pl->feat[k].offset + j];
        c->tests[k].edf = e;
    }
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
    lo.tests = in->final;
    lo.robust_se = in->final && in->param[P_ROBUST_SE] != 0;
    /* penalized splines: the penalty matrix (spline.h) in place of the ridge */
    const ck_pipeline *pl = in->ds->design->pl;
    size_t p = pl->width + 1;
    double *pen = lo.l2 > 0 && ck_pipeline_penalty(pl, NULL) ? malloc(p * p * sizeof *pen)
                                                              : NULL;
    if (lo.l2 > 0 && ck_pipeline_penalty(pl, NULL) && !pen)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    if (pen)
        ck_pipeline_penalty(pl, pen);
    lo.penalty = pen;
    ck_status st = ck_linear_fit(in->ds, &lo, &lm, w, err);
    free(pen);
    if (st != CK_OK)
        return st;
    state *s = calloc(1, sizeof *s);
    if (!s) {
        ck_linear_fini(&lm);
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    }
    ck_coefs_adopt(&s->c, lm.p, &lm.beta, &lm.aliased, lm.cov, lm.t_stats ? lm.df_resid : 0,
                   in->final, pl);
    s->c.t_stats = lm.t_stats; /* "t" even with no residual df left */
    s->c.approximate = lo.l2 > 0;
    s->c.robust = lo.robust_se;
    set_facts(&s->f, &lm, in->param);
    /* the tests of each column, for the model kept: least squares' F tests,
     * or Wald tests for ridge and Huber */
    if (in->final && lm.tests) {
        s->c.tests = lm.tests;
        s->c.test_kind = CK_TEST_F;
        lm.tests = NULL;
    } else if (in->final && ck_coefs_wald_tests(&s->c, pl, lm.cov, lm.term_df) != 0) {
        ck_linear_fini(&lm);
        ck_coefs_est_free(s);
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    }
    feature_edf(pl, &lm, &s->c);
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

static double score_sparse(const void *p, const size_t *idx, const double *val, size_t n,
                           void *scratch)
{
    const state *s = p;
    (void)scratch;
    return ck_linear_predictor_sparse(s->c.beta, idx, val, n);
}

static ck_status save(const void *p, const ck_model *m, json_t *root, json_t *fit,
                      ck_error *err)
{
    const state *s = p;
    ck_status st = ck_coefs_est_save(s, m->pl, root, fit, &s->f, fit_facts,
                                     CK_NFACTS(fit_facts), err);
    if (st == CK_OK && s->f.method == METHOD_HUBER &&
        ck_json_put_facts(fit, &s->f, huber_facts, CK_NFACTS(huber_facts)) != 0)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    return st;
}

static ck_status load(void **out, const ck_model *m, json_t *root, json_t *fit,
                      ck_json_reader *rd)
{
    ck_status st = ck_coefs_est_load(out, sizeof(state), m->pl, 0, root, fit,
                                     offsetof(state, f), fit_facts, CK_NFACTS(fit_facts), rd);
    state *s = *out;
    if (st == CK_OK && s->f.method == METHOD_HUBER)
        st = ck_json_get_facts(rd, fit, "fit", &s->f, huber_facts, CK_NFACTS(huber_facts), 0);
    return st;
}

static void report(FILE *out, const void *p, const ck_model *m)
{
    const state *s = p;
    const facts *f = &s->f;
    char pv[16];
    ck_report_format_p(pv, sizeof pv, f->f_p);
    fprintf(out, "Method: %s, rank %.0f, residual df %.0f\n", methods[f->method], f->rank,
            f->df_resid);
    /* the model file's R-squared, F and log-likelihood of a Huber fit are
     * its OLS start's: not printed as if they were the robust fit's */
    if (f->method != METHOD_HUBER)
        fprintf(out, "R-squared %.4f, adjusted %.4f, F(%.0f, %.0f) = %.3f, p %s, "
                     "log-likelihood %.4f\n",
                f->r2, f->r2_adj, f->df_model, f->df_resid, f->f_stat, pv, f->loglik);
    if (f->method == METHOD_HUBER)
        fprintf(out, "Huber scale %.4g after %.0f iterations\n", f->scale, f->iterations);
    if (!isnan(f->aic))
        fprintf(out, "AIC %.4f, BIC %.4f (R's: sigma counted)\n", f->aic, f->bic);
    fputc('\n', out);
    ck_coefs_report(out, &s->c, m->pl);
    ck_coefs_scales_report(out, &s->c, m->pl);
    ck_coefs_tests_report(out, &s->c, m->pl);
    ck_coefs_splines_report(out, &s->c, m->pl);
}

/* Huber's IRLS has no penalty: --l2 with --robust would be ignored. */
static ck_status check(const double *param, const char *const *text, const int *given,
                       ck_task task, size_t cv, ck_error *err)
{
    (void)cv; /* nothing of this type depends on the folds */
    (void)text;
    (void)task;
    if (given[P_L2] && (param[P_L2] > 0 || isnan(param[P_L2])) && param[P_ROBUST] != 0)
        return ck_error_set(err, CK_EUSAGE, "--l2 does not go with --robust: Huber regression "
                                            "is not penalized");
    if (param[P_ROBUST_SE] != 0 && param[P_ROBUST] != 0)
        return ck_error_set(err, CK_EUSAGE, "--robust-se does not go with --robust: Huber "
                                            "regression has its own robust covariance");
    return CK_OK;
}

const ck_estimator_type ck_est_linear = {
    .name = "linear",
    .help = "linear regression: OLS by TSQR, ridge with --l2, Huber with --robust",
    .tasks = CK_TASK_BIT(CK_TASK_REGRESSION),
    .default_task = CK_TASK_REGRESSION,
    .flags = CK_EST_DISTRIBUTED | CK_EST_CONTRIBUTIONS,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .check = check,
    .pipeline = ck_coefs_est_pipeline,
    .fit = fit,
    .score = score,
    .score_sparse = score_sparse,
    .contributions = ck_coefs_est_contributions,
    .save = save,
    .load = load,
    .report = report,
    .terms = ck_coefs_est_terms,
    .tune = ck_coefs_est_tune,
    .free = ck_coefs_est_free,
};
