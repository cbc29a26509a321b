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

/* The p x p matrix a without the rows and columns flagged in skip, into
 * out (k x k, k the columns kept), with their names; returns k. */
size_t ck_submatrix(const double *a, size_t p, const unsigned char *skip,
                    const char *const *names, double *out, const char **out_names);

#endif
