/*
 * spd.h -- solving with the symmetric positive (semi-)definite p x p
 * matrices Newton's method meets: the information matrix of logistic
 * regression and of the Cox partial likelihood.
 */
#ifndef CHURNKIT_SPD_H
#define CHURNKIT_SPD_H

#include <math.h>
#include <stddef.h>

/* Solves H d = g (H row-major, p x p): by Cholesky when H is positive
 * definite; otherwise the minimum-norm solution through the SVD, singular
 * values below 1e-12 of the largest treated as zero.  Returns 0, 1 (H was
 * singular) or -1 (out of memory, or the SVD failed). */
int ck_spd_solve(const double *h, const double *g, size_t p, double *d);

/* cov = H^-1 by Cholesky, or the pseudo-inverse (column by column through
 * ck_spd_solve) when H is singular.  0 or -1. */
int ck_spd_invert(const double *h, size_t p, double *cov);

/* sum a[i] b[i] with four running sums in a fixed order: the compiler can
 * overlap them, and the result is the same on every run (Newton's passes
 * over the rows use it, and their sums must not depend on anything but
 * the data). */
static inline double ck_dot(const double *restrict a, const double *restrict b, size_t n)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += a[i] * b[i];
        s1 += a[i + 1] * b[i + 1];
        s2 += a[i + 2] * b[i + 2];
        s3 += a[i + 3] * b[i + 3];
    }
    for (; i < n; i++)
        s0 += a[i] * b[i];
    return (s0 + s1) + (s2 + s3);
}

/* The largest |v[i]| (NaN ignored): the size of a gradient in a stopping
 * rule. */
static inline double ck_max_abs(const double *v, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m = fabs(v[i]) > m ? fabs(v[i]) : m;
    return m;
}

#endif
