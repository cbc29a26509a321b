/*
 * logistic.h -- binary logistic regression with an L2 penalty.
 *
 * Maximizes the weighted log-likelihood minus (L/2) ||beta||^2 over the
 * coefficients (the intercept is not penalized), which is scikit-learn's
 * LogisticRegression(C = 1/L) and, with L = 0, statsmodels' Logit.  With a
 * penalty matrix S (penalized splines, ck_pipeline_penalty) the penalty is
 * (L/2) beta' S beta, and D below is S.
 *
 * Solver: Newton-Raphson (IRLS) with a Cholesky solve and step halving; the
 * update is beta += H^-1 g with g = X'(w .* (y - mu)) - L D beta and
 * H = X' diag(w mu (1 - mu)) X + L D, D = diag(0, 1, ..., 1).  When the
 * encoded width is large (over 400 columns) the p x p Hessian is too costly
 * and GSL's BFGS minimizer (vector_bfgs2) is used instead.  Iteration stops
 * when the largest gradient component has fallen below tol times its value
 * at the start (a relative gradient norm), or after max_iter iterations.
 *
 * Aliased columns (an unpenalized Newton fit): a column that is an exact
 * linear combination of the columns before it -- telco's "No internet
 * service" levels, each equal to internet_service=No -- is found as R's glm
 * finds it, from the R factor of a QR decomposition of the weighted design
 * (TSQR, ck_aliased_columns, tolerance 1e-7), held at 0 and left out of the
 * fit; its inference is undefined (NA), and the rank (the degrees of
 * freedom of the likelihood-ratio test) counts the columns kept.  One
 * warning names them.  A penalized fit leaves them out too (a penalty
 * would identify them only by sharing one effect among copies of a column,
 * none of which would then read as the effect).  A BFGS fit (wide designs)
 * has no inference and does not look for them.
 *
 * The data pass is split into chunks combined in a fixed order, so the
 * result is bit-identical for any number of threads.
 */
#ifndef CHURNKIT_LOGISTIC_H
#define CHURNKIT_LOGISTIC_H

#include <stddef.h>

#include "churnkit/error.h"
#include "churnkit/pipeline.h"
#include "churnkit/reduce.h"

enum { CK_SOLVER_AUTO = 0, CK_SOLVER_NEWTON, CK_SOLVER_LBFGS };

/* The widest encoded row the automatic solver fits by Newton.  A Newton
 * step costs a p x p Cholesky solve (p^3/3 flops: 2e7 at 400 columns, less
 * than one pass over 100,000 rows) and p^2 doubles per chunk of rows for
 * X'WX; past a few hundred columns that memory and the cubic solve grow
 * faster than the passes BFGS needs, and BFGS (no Hessian) takes over. */
#define CK_LOGISTIC_NEWTON_WIDTH 400

typedef struct ck_logistic_options {
    double l2;          /* L >= 0 */
    int max_iter;       /* default 100 (Newton) / 1000 (BFGS) */
    double tol;         /* default 1e-8 */
    int solver;         /* CK_SOLVER_* */
    size_t threads;     /* 0: one a processor */
    ck_progress_fn progress;
    void *progress_ctx;
    const ck_reducer *reducer; /* a distributed fit: the sums of every
                                  process's rows (NULL: these rows only) */
    const unsigned char *omit; /* width + 1 flags, the intercept first, or
                                  NULL: coefficients held at 0 (the model
                                  without some columns, for a test) */
    const double *penalty;     /* (width + 1)^2 matrix S (borrowed), or NULL:
                                  the ridge */
} ck_logistic_options;

void ck_logistic_options_init(ck_logistic_options *opt);

typedef struct ck_logistic {
    size_t p;              /* coefficients: 1 + encoded width */
    double *beta;          /* beta[0] is the intercept */
    double *cov;           /* p x p inverse of H at beta (NULL with BFGS) */
    double loglik;         /* weighted log-likelihood at beta */
    double loglik_null;    /* of the intercept-only model */
    double weight_sum;     /* sum of the row weights (n when unweighted) */
    size_t n;              /* rows */
    size_t iterations;
    int converged;
    int separation;        /* rows fitted with certainty: the likelihood has
                              no maximum (L = 0), coefficients diverge */
    int newton;            /* 1 Newton, 0 BFGS */
    double grad_rel;       /* final max |gradient| / its value at the start */
    double cond;           /* condition number of H scaled to unit diagonal
                              (of the columns fitted) */
    size_t rank;           /* the design's rank: p less the omitted and
                              aliased */
    unsigned char *aliased;/* p flags (owned), or NULL: none aliased; held
                              at 0 */
    double *term_df;       /* the rank each input column takes (one a
                              feature, owned; ck_coefs_term_df), or NULL:
                              no aliasing */
} ck_logistic;

/* Fits the model.  Warnings: no convergence, separation, collinear
 * columns (named).  Errors: non-finite values, a singular problem that no
 * fallback could solve.  On success out must be freed with
 * ck_logistic_fini. */
ck_status ck_logistic_fit(const ck_dataset *ds, const ck_logistic_options *opt,
                          ck_logistic *out, ck_warnings *w, ck_error *err);
void ck_logistic_fini(ck_logistic *m);

/* 1 / (1 + exp(-eta)), without overflow. */
double ck_sigmoid(double eta);

#endif
