/*
 * spline.h -- natural cubic spline terms of a numeric feature (--splines),
 * their smoothness penalty and their partial-effect curve.
 *
 * Basis: exactly R's splines::ns(t, knots = k[2..K-1], Boundary.knots =
 * c(k[1], k[K]), intercept = FALSE), t the feature's value on its scale
 * (after the log scale, a missing value imputed by the median): the K + 2
 * cubic B-splines on the knots (the boundary knots repeated four times;
 * de Boor's recurrence), the first left out, mapped by the Q of the
 * Householder QR of the constraints f''(k[1]) = f''(k[K]) = 0 as R computes
 * it (LINPACK dqrdc2 and dqrsl) onto the K - 1 columns that keep them.
 * Outside [k[1], k[K]] every column continues along its tangent at the
 * nearer boundary knot (ns() does the same): a natural spline is linear
 * there, so a value beyond the training range gets the slope of the curve's
 * end, never a cubic's swing.  The knots are the training quantiles of t at
 * 0, 1/(K-1), ..., 1 (numpy's and R's type 7); when ties repeat a quantile,
 * the quantiles of t's distinct values (mgcv's place.knots), so that a
 * column of counts gets knots across its range rather than [0, 1, 2, 9];
 * at most as many knots as distinct values, and under 3 no spline.
 *
 * The basis spans the linear function, so a spline column set replaces the
 * feature's standardized column (the linear term is the spline with no
 * curvature, and what the penalty shrinks to, below).
 *
 * Penalty (--spline-penalty): P-splines' difference penalty (Eilers and
 * Marx, Statistical Science 11(2), 1996) on the B-spline coefficients a =
 * (0, Z g) of the curve, g the K - 1 column coefficients: the second
 * differences divided by the spacing of the Greville abscissae (the knot
 * averages, (t[i+1] + t[i+2] + t[i+3]) / 3, measured in standard deviations
 * of t), d_i = (a[i+2] - a[i+1]) / (u[i+2] - u[i+1]) - (a[i+1] - a[i]) /
 * (u[i+1] - u[i]).  A cubic's B-spline coefficients of a linear function
 * are that function at the Greville abscissae, so with quantile (unequal)
 * knots these divided differences vanish on straight lines, and only on
 * them: a heavy penalty leaves the linear term, as mgcv's does.  That
 * straight line, left unpenalized, would make minutes and their charges
 * (collinear columns) as unidentified as in an unpenalized fit, so it gets
 * the ridge of a standardized column: with v the coefficients of the line
 * (t - k[1]) / sd (v = Z' a, a its B-spline coefficients, the Greville
 * abscissae less k[1], over sd), the penalty of a spline is
 * L/2 (||D g||^2 + (v'g)^2 / (v'v)^2): a slope b per standard deviation
 * costs L/2 b^2, as in a plain column, and curvature the differences.  The
 * other columns keep the ridge L/2 beta^2.
 */
#ifndef CHURNKIT_SPLINE_H
#define CHURNKIT_SPLINE_H

#include <stddef.h>

#include "churnkit/error.h"

/* The most knots --spline-knots takes. */
#define CK_SPLINE_MAX_KNOTS 20

typedef struct ck_spline {
    size_t nknots;  /* K, 3 <= K <= CK_SPLINE_MAX_KNOTS */
    double knots[CK_SPLINE_MAX_KNOTS]; /* increasing, on the feature's scale */
    double center[CK_SPLINE_MAX_KNOTS]; /* K - 1 training means of the columns */
    int penalized;  /* the difference penalty (above) */
    /* derived by ck_spline_prepare */
    double aknots[CK_SPLINE_MAX_KNOTS + 6];
    double z[(CK_SPLINE_MAX_KNOTS + 1) * (CK_SPLINE_MAX_KNOTS - 1)]; /* (K+1) x (K-1) */
    double edge[4 * (CK_SPLINE_MAX_KNOTS - 1)]; /* value, slope at k[1]; at k[K] */
} ck_spline;

/* The basis columns: K - 1. */
size_t ck_spline_width(const ck_spline *s);

/* The knots from the n training values v (reordered; NaN removed first)
 * into knots; returns their number, under 3 meaning no spline.  R's ns():
 * the quantiles at j / (k - 1) when they are k distinct numbers.  When ties
 * repeat a quantile (a discrete column) or v holds fewer than k distinct
 * values: mgcv's place.knots, the quantiles at j / (m - 1) of the d
 * distinct values, m = min(k, d) knots (never more knots than values: K
 * knots and the intercept are K parameters), and *distinct = d (else 0). */
size_t ck_spline_knots(double *v, size_t n, size_t k, double *knots, size_t *distinct);

/* Derives the basis from s->nknots and s->knots (strictly increasing,
 * finite, at least 3, and a basis finite at every knot: else CK_EMODEL). */
ck_status ck_spline_prepare(ck_spline *s, ck_error *err);

/* The K - 1 basis values at t (finite) into out. */
void ck_spline_basis(const ck_spline *s, double t, double *out);

/* The penalty's difference matrix on the K - 1 column coefficients into d
 * (K rows of K - 1, row-major), the abscissae in units of `scale` (the
 * feature's standard deviation). */
void ck_spline_difference(const ck_spline *s, double scale, double *d);

/* The spline's block of the penalty matrix, D'D + v v' / (v'v)^2 (above),
 * into s ((K - 1) x (K - 1), row-major). */
void ck_spline_penalty(const ck_spline *s, double scale, double *block);

/* The K - 2 directions of the column coefficients that bend the curve: an
 * orthonormal basis of the complement of the straight line's coefficients,
 * into c (rows of K - 1); returns their number.  "Is the variable
 * non-linear?" is the Wald test of C g = 0. */
size_t ck_spline_curvature(const ck_spline *s, double *c);

/* Effective degrees of freedom of q coefficients at `first` of a penalized
 * fit: the trace of (X'WX + L S)^-1 X'WX restricted to them (Hastie and
 * Tibshirani's, as mgcv reports per smooth), = q - L tr((H^-1 S) over
 * them), cov = H^-1 and s = S both p x p (s NULL: S the identity). */
double ck_spline_edf(const double *cov, const double *s, double l2, size_t p, size_t first,
                     size_t q);

#endif
