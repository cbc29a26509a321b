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

#endif
