/*
 * stats.h -- order statistics used across the library.
 */
#ifndef CHURNKIT_STATS_H
#define CHURNKIT_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Sample quantiles of a[0..n) (reordered in place; NaN must be removed
 * first) at probabilities q[0..nq) in increasing order, by linear
 * interpolation between order statistics at position (n - 1) q -- numpy's
 * default, so the median of an even count is the mean of the middle two.
 * Expected O(n log nq) time (selection, no full sort); at most 64
 * quantiles.  n must be > 0. */
void ck_quantiles(double *a, size_t n, const double *q, size_t nq, double *out);

/* The median of a[0..n) (reordered in place): the middle value, or the
 * mean (a + b) / 2 of the middle two, as numpy computes it. */
double ck_median(double *a, size_t n);

/* A key whose unsigned order is the numeric order of doubles (-0 just
 * before +0; a NaN with the sign bit clear after +inf): the bits of a
 * positive with the sign bit set, those of a negative all flipped.  For
 * radix sorts and selections over the bits.  ck_order_value undoes it. */
uint64_t ck_order_key(double x);
double ck_order_value(uint64_t key);

#endif
