/* est_logistic.c -- logistic regression behind the estimator interface:
 * what it fits (logistic.c), stores, prints and explains. */
#include "churnkit/coefs.h"
#include "churnkit/logistic.h"
#include "churnkit/model.h"
#include "churnkit/report.h"
#include "churnkit/sandwich.h"
#include "churnkit/spline.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum { P_L2, P_DROP1, P_ROBUST_SE }; /* L2 first: ck_coefs_est_pipeline reads it there */

static const ck_param params[] = {
    CK_COEFS_PARAM_L2,
    {"drop1", CK_PARAM_FLAG, 0, 0, 1, NULL, NULL, "drop1",
     "test each column by refitting without it (likelihood ratio, R's drop1): one more fit "
     "a column; without it, Wald tests"},
    CK_COEFS_PARAM_ROBUST_SE,
};

/* How the fit went (the model file's "fit"). */
typedef struct facts {
    int solver;             /* SOLVER_NEWTON or SOLVER_BFGS */
    double iterations;
    int converged;
    double relative_gradient, loglik, loglik_null, pseudo_r2, lr_stat, lr_df, lr_p;
    int separation;
    double condition_number, weight_sum;
    double rank;            /* coefficients estimated (aliased ones not) */
    double aic, bic;        /* -2 loglik + 2 rank, + rank log(n): unpenalized */
} facts;

enum { SOLVER_NEWTON, SOLVER_BFGS };
static const char *const solvers[] = {"newton", "bfgs", NULL};

#define FACT(k, f, kind) {k, kind, offsetof(facts, f), NULL}
static const ck_fact fit_facts[] = {
    {"solver", CK_FACT_CHOICE, offsetof(facts, solver), solvers},
    FACT("iterations", iterations, CK_FACT_COUNT),
    FACT("converged", converged, CK_FACT_BOOL),
    FACT("relative_gradient", relative_gradient, CK_FACT_REAL),
    FACT("loglik", loglik, CK_FACT_REAL),
    FACT("loglik_null", loglik_null, CK_FACT_REAL),
    FACT("pseudo_r2", pseudo_r2, CK_FACT_REAL),
    FACT("lr_stat", lr_stat, CK_FACT_REAL),
    FACT("lr_df", lr_df, CK_FACT_COUNT),
    FACT("lr_p", lr_p, CK_FACT_REAL),
    FACT("separation", separation, CK_FACT_BOOL),
    FACT("condition_number", condition_number, CK_FACT_REAL),
    FACT("weight_sum", weight_sum, CK_FACT_REAL),
    FACT("rank", rank, CK_FACT_COUNT),
    FACT("aic", aic, CK_FACT_REAL),
    FACT("bic", bic, CK_FACT_REAL),
};
#undef FACT

typedef struct state {
    ck_coefs c; /* first: the shared ck_coefs_est_* functions read it */
    facts f;
} state;

static void set_facts(facts *f, const ck_logistic *lm, int penalized)
{
    f->solver = lm->newton ? SOLVER_NEWTON : SOLVER_BFGS;
    f->iterations = (double)lm->iterations;
    f->converged = lm->converged;
    f->separation = lm->separation;
    f->relative_gradient = lm->grad_rel;
    f->loglik = lm->loglik;
    f->loglik_null = lm->loglik_null;
    f->pseudo_r2 = lm->loglik_null != 0 ? 1 - lm->loglik / lm->loglik_null : NAN;
    f->lr_stat = 2 * (lm->loglik - lm->loglik_null);
    f->rank = (double)lm->rank;
    f->lr_df = (double)(lm->rank - 1); /* R's df.null - df.residual */
    f->lr_p = f->lr_df > 0 ? gsl_cdf_chisq_Q(f->lr_stat, f->lr_df) : NAN;
    f->condition_number = lm->cond;
    f->weight_sum = lm->weight_sum;
    /* R's AIC and BIC (n the rows, or with weights the weight sum: a row of
     * weight 2 counts twice); a penalized fit's likelihood is not the one
     * they are about */
    f->aic = penalized ? NAN : -2 * lm->loglik + 2 * f->rank;
    f->bic = penalized ? NAN : -2 * lm->loglik + f->rank * log(lm->weight_sum);
}

/* R's drop1(test = "Chisq"): each feature's columns left out in turn (the
 * others' aliasing found anew), the likelihood-ratio test on the drop in
 * rank.  One more fit a feature. */
static ck_status lr_tests(const ck_fit_input *in, const ck_logistic_options *base,
                          const ck_logistic *full, ck_term_test **out, ck_error *err)
{
    const ck_pipeline *pl = in->ds->design->pl;
    unsigned char *omit = calloc(full->p, 1);
    ck_term_test *t = calloc(pl->nfeat ? pl->nfeat : 1, sizeof *t);
    ck_status st = omit && t ? CK_OK : ck_error_set(err, CK_ENOMEM, "out of memory");
    for (size_t k = 0; st == CK_OK && k < pl->nfeat; k++) {
        const ck_feature *f = &pl->feat[k];
        ck_logistic_options lo = *base;
        ck_logistic r;
        memset(omit, 0, full->p);
        memset(omit + 1 + f->offset, 1, f->width);
        lo.omit = omit;
        if (in->progress)
            in->progress(in->progress_ctx, "tests", (double)k / (double)pl->nfeat);
        if ((st = ck_logistic_fit(in->ds, &lo, &r, NULL, err)) != CK_OK)
            break;
        double df = (double)full->rank - (double)r.rank, lr = 2 * (full->loglik - r.loglik);
        t[k] = (ck_term_test){df, lr, df > 0 ? gsl_cdf_chisq_Q(lr > 0 ? lr : 0, df) : NAN,
                              -2 * r.loglik, -2 * r.loglik + 2 * (double)r.rank, NAN, NAN, NAN,
                              NAN};
        ck_logistic_fini(&r);
    }
    free(omit);
    if (st != CK_OK) {
        free(t);
        return st;
    }
    *out = t;
    return CK_OK;
}

/* HC1 in place of lm's covariance: n / (n - k) H^-1 M H^-1 with M = sum_i
 * (w_i (y_i - mu_i))^2 x_i x_i' (statsmodels' Logit, cov_type = "HC1"; with
 * a penalty, H its penalized Hessian); H^-1 is zero for the aliased, so
 * they stay without a variance. */
static ck_status robust_cov(const ck_fit_input *in, ck_logistic *lm, ck_error *err)
{
    size_t p = lm->p;
    double *meat = malloc(p * p * sizeof *meat), *hc = malloc(p * p * sizeof *hc);
    double n = (double)lm->n, k = (double)lm->rank;
    ck_status st = meat && hc ? ck_sandwich_meat(in->ds, lm->beta, CK_RESIDUAL_LOGISTIC,
                                                 in->threads, in->reducer, meat, err)
                              : ck_error_set(err, CK_ENOMEM, "out of memory");
    if (st == CK_OK && ck_sandwich(lm->cov, meat, p, n / (n - k), hc) != 0)
        st = ck_error_set(err, CK_ENOMEM, "out of memory");
    if (st == CK_OK)
        memcpy(lm->cov, hc, p * p * sizeof *hc);
    free(meat);
    free(hc);
    return st;
}

/* Each feature's effective degrees of freedom in a penalized fit with
 * splines (NaN without: the tables of other models stay as they were),
 * from the model's own covariance (H^-1, before any robust one) and the
 * penalty matrix pen (NULL: the ridge); into edf (one a feature). */
static void feature_edf(const ck_pipeline *pl, const ck_logistic *lm, const double *pen,
                        double l2, double *edf)
{
    int splines = 0;
    for (size_t k = 0; k < pl->nfeat; k++)
        splines |= pl->feat[k].spline != NULL;
    for (size_t k = 0; k < pl->nfeat; k++)
        edf[k] = splines ? ck_spline_edf(lm->cov, pen, l2, lm->p, 1 + pl->feat[k].offset,
                                         pl->feat[k].width)
                         : NAN;
}

static ck_status fit(const ck_fit_input *in, void **out, ck_warnings *w, ck_error *err)
{
    ck_logistic lm;
    ck_logistic_options lo;
    const ck_pipeline *pl = in->ds->design->pl;
    size_t p = pl->width + 1;
    ck_logistic_options_init(&lo);
    lo.l2 = in->param[P_L2];
    lo.threads = in->threads;
    lo.reducer = in->reducer;
    lo.progress = in->progress;
    lo.progress_ctx = in->progress_ctx;
    /* penalized splines: the penalty matrix (spline.h) in place of the ridge */
    double *pen = lo.l2 > 0 && ck_pipeline_penalty(pl, NULL) ? malloc(p * p * sizeof *pen)
                                                              : NULL;
    double *edf = calloc(pl->nfeat ? pl->nfeat : 1, sizeof *edf);
    if ((lo.l2 > 0 && ck_pipeline_penalty(pl, NULL) && !pen) || !edf) {
        free(pen);
        free(edf);
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    }
    if (pen)
        ck_pipeline_penalty(pl, pen);
    lo.penalty = pen;
    ck_status st = ck_logistic_fit(in->ds, &lo, &lm, w, err);
    if (st == CK_OK && in->final && lm.cov && lo.l2 > 0)
        feature_edf(pl, &lm, pen, lo.l2, edf);
    free(pen);
    if (st != CK_OK) {
        free(edf);
        return st;
    }
    state *s = calloc(1, sizeof *s);
    if (!s) {
        free(edf);
        ck_logistic_fini(&lm);
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    }
    set_facts(&s->f, &lm, lo.l2 > 0);
    int robust = in->final && lm.cov && in->param[P_ROBUST_SE] != 0;
    if (robust)
        st = robust_cov(in, &lm, err);
    /* the tests of each column, for the model kept (folds skip them) */
    if (st == CK_OK && in->final && lm.cov && in->param[P_DROP1] != 0 && lo.l2 == 0) {
        st = lr_tests(in, &lo, &lm, &s->c.tests, err);
        s->c.test_kind = CK_TEST_LR;
    } else if (in->final && in->param[P_DROP1] != 0 && lo.l2 > 0) {
        /* --drop1 with --l2 given is refused (check); a penalty chosen by
         * --tune or --l2 auto is known only now */
        ck_warn(w, "--drop1: the fit is penalized (--l2 %g, chosen by the tuning), and a "
                   "likelihood-ratio test needs an unpenalized fit: the columns are tested by "
                   "Wald tests instead",
                lo.l2);
    }
    ck_coefs_adopt(&s->c, lm.p, &lm.beta, &lm.aliased, lm.cov, 0, in->final, pl);
    if (st == CK_OK && in->final && lm.cov && !s->c.tests &&
        ck_coefs_wald_tests(&s->c, pl, lm.cov, lm.term_df) != 0)
        st = ck_error_set(err, CK_ENOMEM, "out of memory");
    for (size_t k = 0; st == CK_OK && s->c.tests && lo.l2 > 0 && k < pl->nfeat; k++)
        s->c.tests[k].edf = edf[k];
    free(edf);
    s->c.ratio = CK_RATIO_ODDS;
    s->c.approximate = lo.l2 > 0 || in->ds->weight != NULL;
    s->c.robust = robust;
    ck_logistic_fini(&lm);
    if (st != CK_OK) {
        ck_coefs_est_free(s);
        return st;
    }
    *out = s;
    return CK_OK;
}

static double score(const void *p, const double *x, void *scratch)
{
    const state *s = p;
    (void)scratch;
    return ck_sigmoid(ck_linear_predictor(s->c.beta, x, s->c.p - 1));
}

static double score_sparse(const void *p, const size_t *idx, const double *val, size_t n,
                           void *scratch)
{
    const state *s = p;
    (void)scratch;
    return ck_sigmoid(ck_linear_predictor_sparse(s->c.beta, idx, val, n));
}

static ck_status save(const void *p, const ck_model *m, json_t *root, json_t *fit,
                      ck_error *err)
{
    const state *s = p;
    return ck_coefs_est_save(s, m->pl, root, fit, &s->f, fit_facts, CK_NFACTS(fit_facts), err);
}

static ck_status load(void **out, const ck_model *m, json_t *root, json_t *fit,
                      ck_json_reader *rd)
{
    ck_status st = ck_coefs_est_load(out, sizeof(state), m->pl, 0, root, fit,
                                     offsetof(state, f), fit_facts, CK_NFACTS(fit_facts), rd);
    if (st == CK_OK)
        ((state *)*out)->c.ratio = CK_RATIO_ODDS;
    return st;
}

static void report(FILE *out, const void *p, const ck_model *m)
{
    const state *s = p;
    const facts *f = &s->f;
    char pv[16];
    fprintf(out, "Solver: %s, %.0f iterations, %s (relative gradient %.2g)\n",
            solvers[f->solver], f->iterations,
            f->converged ? "converged" : "NOT converged", f->relative_gradient);
    ck_report_format_p(pv, sizeof pv, f->lr_p);
    fprintf(out, "Log-likelihood %.4f, null %.4f, pseudo R-squared %.4f, "
                 "LR chi2(%.0f) = %.2f, p %s\n",
            f->loglik, f->loglik_null, f->pseudo_r2, f->lr_df, f->lr_stat, pv);
    if (f->rank > 0 && f->rank < (double)s->c.p)
        fprintf(out, "Rank %.0f of %zu coefficients: %zu aliased (NA below)\n", f->rank,
                s->c.p, s->c.p - (size_t)f->rank);
    if (!isnan(f->aic))
        fprintf(out, "AIC %.4f, BIC %.4f\n", f->aic, f->bic);
    /* unpenalized and approximate: weighted.  Class weights make the
     * likelihood a pseudo-likelihood, which AIC, BIC and the LR test take
     * as it is (R's glm with weights does the same) */
    if (!isnan(f->aic) && s->c.approximate)
        fprintf(out, "The fit is weighted: the log-likelihood, the LR test, AIC and BIC are "
                     "of the weighted likelihood, comparable only between fits with the same "
                     "weights.\n");
    fputc('\n', out);
    ck_coefs_report(out, &s->c, m->pl);
    ck_coefs_scales_report(out, &s->c, m->pl);
    ck_coefs_tests_report(out, &s->c, m->pl);
    ck_coefs_splines_report(out, &s->c, m->pl);
}

/* A likelihood-ratio test is the model's, whatever the covariance: with
 * robust errors the columns are tested by Wald with the robust one. */
static ck_status check(const double *param, const char *const *text, const int *given,
                       ck_task task, size_t cv, ck_error *err)
{
    (void)cv;
    (void)text;
    (void)given;
    (void)task;
    /* a penalized likelihood's ratio is not chi-square on the drop in rank
     * (and auto, NaN here, is a penalty too) */
    if (param[P_DROP1] != 0 && !(param[P_L2] == 0))
        return ck_error_set(err, CK_EUSAGE, "--drop1 does not go with --l2: a likelihood-ratio "
                                            "test is of an unpenalized fit (with --l2 the columns "
                                            "are tested by Wald, approximately)");
    if (param[P_DROP1] != 0 && param[P_ROBUST_SE] != 0)
        return ck_error_set(err, CK_EUSAGE, "--drop1 does not go with --robust-se: a "
                                            "likelihood-ratio test does not use the robust "
                                            "errors (without --drop1 the columns are tested by "
                                            "Wald with them)");
    return CK_OK;
}

const ck_estimator_type ck_est_logistic = {
    .name = "logistic",
    .help = "logistic regression (Newton/IRLS), with inference as statsmodels prints it",
    .tasks = CK_TASK_BIT(CK_TASK_CLASSIFICATION),
    .default_task = CK_TASK_CLASSIFICATION,
    .flags = CK_EST_DISTRIBUTED | CK_EST_CONTRIBUTIONS | CK_EST_CLASS_WEIGHTS |
             CK_EST_ROW_WEIGHTS,
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
