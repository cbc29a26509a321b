/*
 * coefs.h -- what the linear-predictor estimators share (logistic and
 * linear regression): the coefficients and their inference table, the
 * linear predictor, its contributions, the model file's "coefficients"
 * object, and the coefficient table of the report.
 */
#ifndef CHURNKIT_COEFS_H
#define CHURNKIT_COEFS_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "churnkit/error.h"
#include "churnkit/estimator.h"
#include "churnkit/inference.h"
#include "churnkit/jsonio.h"
#include "churnkit/pipeline.h"

/* What exp(coef) is, for the report and the model file. */
typedef enum ck_ratio {
    CK_RATIO_NONE = 0,
    CK_RATIO_ODDS,          /* logistic: odds_ratio, or_ci_low, or_ci_high */
    CK_RATIO_HAZARD         /* Cox: hazard_ratio, hr_ci_low, hr_ci_high */
} ck_ratio;

/*
 * Scales.  The model sees numeric columns standardized, z = (t - mean) /
 * scale (t the value, or its symlog), and levels as 0/1 indicators; its
 * coefficient of a number is per standard deviation, of a level against the
 * reference level.  The raw scale, as a user reads it: per unit of t, beta
 * / scale (its interval's ends divided alike, z and p unchanged); a level's
 * is its own.  Per standard deviation: a number's is its own, an
 * indicator's beta sqrt(c (1 - c)), c its training share (the population
 * standard deviation of a 0/1 column).  The intercept per unit is the
 * linear predictor at every number 0 (t = 0) and every reference level,
 * beta_0 - sum_j beta_j mean_j / scale_j, its variance a' Cov a with
 * a = (1, -mean_j / scale_j, 0...); per standard deviation it has none.
 */
typedef struct ck_coefs {
    size_t p;               /* coefficients: 1 + encoded width, beta[0] the
                               intercept; the encoded width without one */
    int no_intercept;       /* no intercept (Cox: the baseline hazard is it) */
    double *beta;           /* owned; 0 for an aliased column */
    ck_coef_row *row;       /* inference, p rows (owned), or NULL; NaN rows
                               for aliased columns */
    ck_coef_row *unit, *sd; /* the raw scale per unit and per standard
                               deviation (above), p rows each (owned), or
                               NULL; without inference only coef is known */
    unsigned char *aliased; /* p flags (owned), or NULL: none aliased */
    int t_stats;            /* inference by t (1) or z (0) */
    double df;              /* t's degrees of freedom (0 for z) */
    int approximate;        /* penalized or weighted: errors approximate */
    int robust;             /* the covariance is HC1 (--robust-se, sandwich.h),
                               not the model's */
    ck_ratio ratio;         /* what exp(coef) means */
    ck_test_kind test_kind; /* the tests of each input column (inference.h),
                               or CK_TEST_NONE */
    ck_term_test *tests;    /* one a feature of the pipeline, in its order
                               (owned), or NULL */
    double **spline_cov;    /* by feature (owned, nfeat pointers, or NULL):
                               the covariance of a spline's columns, w x w,
                               or NULL (no spline, or no inference): its
                               curve's band */
    size_t nfeat;           /* spline_cov's length */
} ck_coefs;

/* The linear predictor beta[0] + sum_j beta[j+1] x[j]. */
double ck_linear_predictor(const double *beta, const double *x, size_t width);

/* The same over a sparse row: beta[0] + sum_k beta[idx[k]+1] val[k]. */
double ck_linear_predictor_sparse(const double *beta, const size_t *idx, const double *val,
                                  size_t n);

/* beta_j (x_j - center_j) for each encoded column: a linear predictor's
 * SHAP values relative to the average training row (on the scale of the
 * linear predictor: log-odds, or log relative hazard). */
void ck_coefs_contributions(const ck_coefs *c, const ck_pipeline *pl, const double *x,
                            double *out);

/* The model file's "coefficients" object (NULL when out of memory). */
json_t *ck_coefs_json(const ck_coefs *c, const ck_pipeline *pl);

/* Reads root's "coefficients" for pipeline pl: one term an encoded column
 * plus the intercept (unless c->no_intercept is set first), named as the
 * pipeline names them, finite. */
ck_status ck_coefs_read(ck_coefs *c, const json_t *root, const ck_pipeline *pl,
                        ck_json_reader *rd);

/* The coefficient table as statsmodels prints it (at most 100 terms). */
void ck_coefs_report(FILE *out, const ck_coefs *c, const ck_pipeline *pl);

/* The terms (intercept first) for eval's JSON and charts. */
ck_status ck_coefs_terms(const ck_coefs *c, const ck_pipeline *pl, ck_terms *out,
                         ck_error *err);

void ck_coefs_fini(ck_coefs *c);

/* Takes a fit's p coefficients (*beta, set to NULL: c owns them now) and
 * its aliased flags (*aliased, NULL or p flags, set to NULL likewise) and,
 * with `inference` and a covariance, builds the inference table (t with df
 * > 0 degrees of freedom, else z) and the raw-scale rows for pipeline pl
 * (NULL: none).  Out of memory leaves the tables out (scoring needs only
 * the coefficients). */
void ck_coefs_adopt(ck_coefs *c, size_t p, double **beta, unsigned char **aliased,
                    const double *cov, double df, int inference, const ck_pipeline *pl);

/* The raw-scale rows (unit, sd) from the model-scale rows, the intercept's
 * per unit with cov (p x p, or NULL: its interval unknown).  -1 when out
 * of memory. */
int ck_coefs_scales(ck_coefs *c, const ck_pipeline *pl, const double *cov);

/* Wald tests of each feature (all its estimated coefficients 0) from the
 * covariance cov (p x p) into c->tests; -1 when out of memory.  term_df
 * (one a feature, from ck_coefs_term_df, or NULL: no aliasing) is the rank
 * each feature takes: where it is less than the feature's estimated
 * coefficients, an aliased column would take over part of the feature when
 * it is left out, and the Wald test (all its coefficients 0, the aliased
 * held at 0 too) tests more than drop1 does; rank_df records it. */
int ck_coefs_wald_tests(ck_coefs *c, const ck_pipeline *pl, const double *cov,
                        const double *term_df);

/* The rank each feature takes, rank(X) - rank(X without its columns), into
 * *out (one a feature, owned by the caller), from the R factor r (p x p of
 * leading dimension ld) of the design with the intercept first; rank is
 * rank(X).  -1 when out of memory. */
int ck_coefs_term_df(const double *r, size_t ld, size_t p, size_t rank,
                     const ck_pipeline *pl, double **out);

/* The partial effect of spline feature k (spline.h) at n points evenly
 * over its knots' range: the raw values x, eta = sum_j beta_j (b_j(t) -
 * center_j) (log-odds, or log relative hazard, against the average
 * training row: what its reason sums), and the pointwise 95% interval
 * (eta -+ 1.96 se, se^2 = (b - c)' V (b - c), V its columns' covariance;
 * NaN without one).  -1 when feature k has no spline. */
int ck_coefs_curve(const ck_coefs *c, const ck_pipeline *pl, size_t k, size_t n, double *x,
                   double *eta, double *lo, double *hi);

/* The effect of spline feature k at one raw value v, and its standard
 * error (NaN without a covariance). */
void ck_coefs_spline_effect(const ck_coefs *c, const ck_pipeline *pl, size_t k, double v,
                            double *eta, double *se);

/* The Wald test that spline feature k is a straight line (its curvature
 * directions' coefficients 0, ck_spline_curvature): chi2 into *stat on
 * *df = K - 2 degrees of freedom, its p-value into *p; beside least
 * squares' F tests (c->test_kind CK_TEST_F, c->df > 0) the Wald F,
 * chi2 / *df on (*df, c->df), and its p-value.  -1 (and NaN) when
 * the feature has no spline or the model no covariance of it. */
int ck_coefs_nonlinear_test(const ck_coefs *c, const ck_pipeline *pl, size_t k, double *stat,
                            double *df, double *p);

/* The spline curves of the report: each spline feature's effect at its
 * training deciles, with its interval, EDF and test (nothing without
 * splines). */
void ck_coefs_splines_report(FILE *out, const ck_coefs *c, const ck_pipeline *pl);

struct ck_model;

/* The linear predictor's state of model m (its ck_coefs), or NULL when m
 * is not one (ck_coefs_est_* functions serve it). */
const ck_coefs *ck_coefs_of(const struct ck_model *m);

/* The tests' table of the report (nothing when there are none). */
void ck_coefs_tests_report(FILE *out, const ck_coefs *c, const ck_pipeline *pl);

/* The second table of the report: each coefficient per unit and per
 * standard deviation with its interval (exp of them for odds and hazard
 * ratios), the reference levels, and what each scale means. */
void ck_coefs_scales_report(FILE *out, const ck_coefs *c, const ck_pipeline *pl);

/*
 * The estimator functions the linear predictors share, for a state struct
 * whose first member is a ck_coefs (a pointer to a struct is a pointer to
 * its first member, so `state` is read as the ck_coefs).
 */
struct ck_model;

/* ck_estimator_type.contributions, .terms and .free. */
void ck_coefs_est_contributions(const void *state, const ck_pipeline *pl, const double *x,
                                double *out, void *scratch);
ck_status ck_coefs_est_terms(const void *state, const struct ck_model *m, ck_terms *out,
                             ck_error *err);
void ck_coefs_est_free(void *state);

/* A zeroed state of `size` bytes with its coefficients read from root's
 * "coefficients" (without an intercept when no_intercept) and, at
 * `facts_offset` in it, the facts of table f read leniently from `fit` (a
 * record for the report: scoring never needs it). */
ck_status ck_coefs_est_load(void **state, size_t size, const ck_pipeline *pl, int no_intercept,
                            const json_t *root, const json_t *fit, size_t facts_offset,
                            const ck_fact *f, size_t nf, ck_json_reader *rd);

/* Sets root's "coefficients" from the state's, and fit's facts from the
 * table f over `facts`. */
ck_status ck_coefs_est_save(const void *state, const ck_pipeline *pl, json_t *root,
                            json_t *fit, const void *facts, const ck_fact *f, size_t nf,
                            ck_error *err);

/* --robust-se, a parameter of logistic and linear regression (a macro, as
 * the L2 one below). */
#define CK_COEFS_PARAM_ROBUST_SE                                                              \
    {"robust-se", CK_PARAM_FLAG, 0, 0, 1, NULL, NULL, "robust_se",                            \
     "heteroskedasticity-robust (HC1, White's sandwich) standard errors, tests and intervals"}

/* The L2 parameter of every linear predictor, first in its table (a macro:
 * a table entry must be a constant expression). */
#define CK_COEFS_PARAM_L2                                                                     \
    {"l2", CK_PARAM_NUMBER_AUTO, 0, 0, 1e12, NULL, "L", "l2",                                 \
     "L2 penalty: the loss (log-loss, squared error, minus Cox's partial log-likelihood) + "  \
     "L/2 ||beta||^2, intercept not penalized; scikit-learn's C = 1/L; auto: the L of "       \
     "0.001, 0.01, 0.1, 1, 10, 100 with the least out-of-fold loss over the --cv folds "      \
     "(printed as a table)"}

/* ck_estimator_type.pipeline for the linear predictors: one level of each
 * text column stays out as the reference (the first, or the one
 * --reference names), penalized or not.  An unpenalized fit cannot tell a
 * full set of indicators from the intercept (or, for Cox, from the baseline
 * hazard); a penalized one could, but its levels would then be shrunk
 * towards the average row rather than contrasts with a reference, which is
 * not how a coefficient table is read (a level's standard error would be
 * that of its difference from the mean, inflated by the penalty's split of
 * the effect). */
void ck_coefs_est_pipeline(const double *param, ck_pipeline_options *po);

/* ck_estimator_type.tune for the same: with --tune or --l2 auto (NaN at
 * position 0), the L2 penalty over a grid of decades around scikit-learn's
 * C = 1: 0.001, 0.01, 0.1, 1, 10, 100, the one with the least mean
 * out-of-fold loss kept (the first of equals). */
ck_status ck_coefs_est_tune(const ck_tune_input *in, double *param, ck_tuning *out,
                            ck_warnings *w, ck_error *err);

#endif
