/*
 * inference.h -- coefficient tables as statsmodels prints them, and the
 * collinearity check shared by the linear models.
 */
#ifndef CHURNKIT_INFERENCE_H
#define CHURNKIT_INFERENCE_H

#include <stddef.h>

#include "churnkit/error.h"

typedef struct ck_coef_row {
    double coef, se, stat, p_value, lo, hi; /* stat is z or t */
} ck_coef_row;

/* From coefficients and their covariance (p x p, row-major): standard
 * errors, z (df <= 0, normal) or t (df > 0) statistics, two-sided p-values
 * and 95% intervals.  A non-positive variance gives NaN for that row. */
void ck_coef_table(const double *beta, const double *cov, size_t p, double df,
                   ck_coef_row *rows);

/*
 * Condition number of a symmetric positive semi-definite p x p matrix A
 * (an information matrix X'WX) after scaling it to unit diagonal, and, when
 * it exceeds `limit`, a warning naming the columns involved in each
 * near-dependency (those with the largest weights in the eigenvectors of the
 * small eigenvalues).  names has p entries.  Returns the condition number
 * (infinity when singular), or NaN when it could not be computed.
 */
double ck_collinearity(const double *a, size_t p, const char *const *names, double limit,
                       ck_warnings *w);

/*
 * Aliased columns, found as R's lm and glm find them (LINPACK's dqrdc2, a
 * QR with pivoting limited to moving deficient columns to the end): in
 * column order, a column is aliased when its part orthogonal to the columns
 * kept before it has norm at most tol times its own norm (R's lm uses 1e-7);
 * its coefficient is then not defined (R prints NA) and the fit leaves it
 * out.  r is the upper-triangular factor R (p x p of a matrix with leading
 * dimension ld, row-major) of a QR decomposition of the design: R'R = X'X,
 * so its columns have the norms and inner products of X's, computed stably
 * (from TSQR, say, without holding X).  skip (p flags, or NULL) leaves
 * columns out altogether (neither kept nor aliased).  Sets aliased[j] (p
 * flags) and returns the rank (the columns kept); (size_t)-1 when out of
 * memory.
 */
#define CK_ALIAS_TOL 1e-7
size_t ck_aliased_columns(const double *r, size_t ld, size_t p, const unsigned char *skip,
                          double tol, unsigned char *aliased);

/* One warning naming every aliased column once (names: p entries, the
 * intercept first), with the rank and how to drop one. */
void ck_warn_aliased(ck_warnings *w, const char *const *names, const unsigned char *aliased,
                     size_t p, size_t rank);

/* The design's dependence warnings, one pass for logistic and linear
 * fits: the condition number of the p x p Gram or information matrix a
 * over the columns not flagged in skip (its collinearity warning above
 * limit, 0: none), then one warning naming the aliased columns (aliased
 * NULL: none) with the rank.  Names: "(intercept)" then encoded[0..p-1).
 * Returns the condition number; NaN when out of memory (no warning). */
double ck_warn_dependence(const double *a, size_t p, const unsigned char *skip,
                          const unsigned char *aliased, size_t rank,
                          const char *const *encoded, double limit, ck_warnings *w);

/* The p x p matrix a without the rows and columns flagged in skip, into
 * out (k x k, k the columns kept), with their names; returns k. */
size_t ck_submatrix(const double *a, size_t p, const unsigned char *skip,
                    const char *const *names, double *out, const char **out_names);

/*
 * Tests of each input column (all of its encoded columns at once: a text
 * column's levels together), as R's drop1 and anova give them:
 *  - CK_TEST_LR: the likelihood-ratio test of the model refitted without
 *    the column (R's drop1(glm, test = "Chisq")): stat = 2 (loglik -
 *    loglik without it) on df = the drop in rank (a column aliased before
 *    may take over part of it), deviance and aic of the model without it;
 *  - CK_TEST_F: the F test of the same for least squares (R's drop1(lm,
 *    test = "F")): sumsq = RSS without it - RSS, rss = RSS without it,
 *    stat = (sumsq / df) / (RSS / df_resid);
 *  - CK_TEST_WALD: stat = b' V^-1 b over the column's coefficients that
 *    were estimated (b, V their part of the covariance: the model's, or a
 *    robust one), chi-square on df = their number: no refit.
 */
typedef enum ck_test_kind {
    CK_TEST_NONE = 0,
    CK_TEST_LR,
    CK_TEST_F,
    CK_TEST_WALD
} ck_test_kind;

typedef struct ck_term_test {
    double df, stat, p;     /* NaN p when df is 0 (R's NA) */
    double deviance, aic;   /* LR */
    double sumsq, rss;      /* F */
    double rank_df;         /* Wald: the rank the column takes (drop1's Df)
                               when an aliased column would take over part
                               of it, less than df; NaN otherwise */
    double edf;             /* a penalized fit's effective degrees of
                               freedom of the column (ck_spline_edf); NaN
                               unpenalized */
} ck_term_test;

/* The Wald statistic b_S' (V_SS)^-1 b_S over the k coefficients idx[0..k)
 * of beta (p of them; V p x p), by Cholesky of V_SS; NaN when V_SS is not
 * positive definite or out of memory. */
double ck_wald_stat(const double *beta, const double *cov, size_t p, const size_t *idx,
                    size_t k);

#endif
