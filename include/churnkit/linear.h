/*
 * linear.h -- linear regression for value change: OLS, ridge and Huber.
 *
 * OLS: the least-squares problem is reduced, in one pass and in bounded
 * memory, to the triangular factor R of the QR decomposition of [1 X y]
 * (TSQR: row blocks are QR-factored with GSL's Householder QR and their R
 * factors stacked and factored again, in a fixed order).  The solution then
 * comes from the SVD of the p x p triangle (GSL's SV decomposition): small
 * singular values (below 1e-12 of the largest) are treated as zero, which
 * gives the minimum-norm solution when columns are collinear, and the
 * columns involved are named in a warning.  This is the SVD path of a
 * least-squares solve, applied to R instead of X: the singular values and
 * right singular vectors of R and of X are the same.
 *
 * Aliased columns (an unpenalized fit): a column that is an exact linear
 * combination of the columns before it -- a level duplicating another
 * column's, say -- is found from R as R's lm finds it (ck_aliased_columns,
 * tolerance 1e-7), left out of the fit, and flagged in `aliased` (its
 * coefficient 0 for scoring, its inference undefined: NA); the rank and the
 * degrees of freedom count the columns kept.  One warning names them.
 *
 * Ridge (l2 > 0): minimizes ||y - X b||^2 + L ||b[1:]||^2 (the intercept is
 * not penalized; scikit-learn's Ridge(alpha = L)), by QR of R stacked on
 * sqrt(L) times the identity.  With a penalty matrix S (penalized splines,
 * ck_pipeline_penalty) the penalty is L b' S b, and the identity above is
 * E with E'E = S (the Cholesky factor of S without the intercept, positive
 * definite: spline.h gives a spline's straight line the ridge).
 *
 * Huber (robust): iteratively reweighted least squares with Huber's weights
 * min(1, t / |r / s|), t = 1.345, and the scale s = median|r| / 0.6745
 * re-estimated each iteration, starting from OLS -- statsmodels'
 * RLM(M=HuberT()) with its default "H1" covariance, so that a heavy-tailed
 * value change does not let a few accounts steer the fit.
 */
#ifndef CHURNKIT_LINEAR_H
#define CHURNKIT_LINEAR_H

#include <stddef.h>

#include "churnkit/error.h"
#include "churnkit/inference.h"
#include "churnkit/pipeline.h"
#include "churnkit/reduce.h"

typedef struct ck_linear_options {
    double l2;        /* ridge penalty L >= 0 */
    int robust;       /* Huber regression */
    double huber_t;   /* default 1.345 */
    int max_iter;     /* Huber iterations, default 200 */
    double tol;       /* Huber: stop when coefficients move less (relative), 1e-10 */
    size_t threads;
    const ck_reducer *reducer; /* a distributed fit: every process's rows
                                  (NULL: these rows only) */
    int tests;        /* OLS: the F test of each feature (tests below) */
    int robust_se;    /* OLS and ridge: the HC1 covariance (sandwich.h) in
                         cov, the bread (X'X)^-1, or for ridge (X'X + L D)^-1
                         (approximate); no F tests then */
    const double *penalty; /* p x p S (borrowed), or NULL: the ridge's D */
} ck_linear_options;

void ck_linear_options_init(ck_linear_options *opt);

typedef struct ck_linear {
    size_t p;               /* 1 + encoded width */
    double *beta;           /* beta[0] is the intercept */
    double *cov;            /* p x p covariance of beta */
    size_t n, rank;
    double df_model, df_resid;
    double rss, tss, sigma2, r2, r2_adj, f_stat, f_p, loglik;
    double scale;           /* Huber: the final robust scale */
    size_t iterations;
    int converged;
    int t_stats;            /* 1: inference with t (OLS, ridge), 0: z (Huber) */
    double cond;            /* condition number of X'X scaled to unit diagonal
                               (of the columns not aliased) */
    unsigned char *aliased; /* p flags (owned), or NULL: none aliased; held
                               at 0 (ridge too) */
    double *term_df;        /* the rank each input column takes (one a
                               feature, owned; ck_coefs_term_df), or NULL:
                               no aliasing */
    double *influence;      /* ridge: the p diagonal entries of the influence
                               (X'X + L S)^-1 X'X, each coefficient's
                               effective degrees of freedom (owned), or NULL */
    ck_term_test *tests;    /* OLS: the F test of each feature of the pipeline,
                               R's drop1(lm, test = "F"), from R alone (owned);
                               NULL for ridge and Huber */
} ck_linear;

/* Fits the model; on success free out with ck_linear_fini. */
ck_status ck_linear_fit(const ck_dataset *ds, const ck_linear_options *opt, ck_linear *out,
                        ck_warnings *w, ck_error *err);
void ck_linear_fini(ck_linear *m);

/* The upper-triangular factor R (q x q, q = width + 2, row-major, zero
 * below the diagonal) of the QR decomposition of [1 X y] over the
 * dataset's rows, each scaled by the square root of its weight (rows of
 * weight 0 left out): TSQR in a fixed order, the same for any number of
 * threads; with a reducer, of every process's rows. */
ck_status ck_linear_tsqr(const ck_dataset *ds, size_t threads, const ck_reducer *red, double *r,
                         ck_error *err);

#endif
