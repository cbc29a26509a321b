/* stats.c -- quantiles by selection, and doubles as ordered keys (see
 * stats.h). */
#include "churnkit/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

uint64_t ck_order_key(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return (u >> 63) ? ~u : u | (UINT64_C(1) << 63);
}

double ck_order_value(uint64_t key)
{
    uint64_t u = (key >> 63) ? key & ~(UINT64_C(1) << 63) : ~key;
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

static void swap(double *a, size_t i, size_t j)
{
    double t = a[i];
    a[i] = a[j];
    a[j] = t;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* Puts the k-th smallest of a[lo..hi] at a[k], smaller ones before it and
 * larger after (Hoare's selection, median-of-three pivot).  Should the
 * partitions keep coming out lopsided (adversarial input), the rest is
 * sorted instead, which bounds the time by O(n log n). */
static void select_kth(double *a, size_t lo, size_t hi, size_t k)
{
    int budget = 100;
    while (hi > lo) {
        if (budget-- == 0) {
            qsort(a + lo, hi - lo + 1, sizeof *a, cmp_double);
            return;
        }
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] < a[lo])
            swap(a, mid, lo);
        if (a[hi] < a[lo])
            swap(a, hi, lo);
        if (a[hi] < a[mid])
            swap(a, hi, mid);
        double pivot = a[mid];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                swap(a, i, j);
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return; /* a[k] equals the pivot */
    }
}

/* Puts the order statistics at the sorted positions ks[0..nk) in place,
 * within a[lo..hi]: select the middle one, then recurse into the parts
 * before and after it for the positions on each side.  O(n log nk). */
static void select_many(double *a, size_t lo, size_t hi, const size_t *ks, size_t nk)
{
    while (nk > 0) {
        size_t mid = nk / 2, k = ks[mid];
        select_kth(a, lo, hi, k);
        if (mid > 0 && k > lo)
            select_many(a, lo, k - 1, ks, mid);
        /* the positions after mid, in a[k+1..hi] (loop instead of recursing) */
        ks += mid + 1;
        nk -= mid + 1;
        if (k >= hi)
            return;
        lo = k + 1;
    }
}

void ck_quantiles(double *a, size_t n, const double *q, size_t nq, double *out)
{
    enum { MAXQ = 64 };
    size_t ks[2 * MAXQ] = {0}, nk = 0;
    if (nq > MAXQ)
        nq = MAXQ;
    /* every order statistic an interpolation needs: floor(pos), floor(pos)+1 */
    for (size_t t = 0; t < nq; t++) {
        size_t k = (size_t)floor((double)(n - 1) * q[t]);
        k = k >= n ? n - 1 : k;
        for (size_t kk = k; kk <= k + 1 && kk < n; kk++)
            if (nk == 0 || ks[nk - 1] < kk)
                ks[nk++] = kk;
    }
    select_many(a, 0, n - 1, ks, nk);
    for (size_t t = 0; t < nq; t++) {
        double pos = (double)(n - 1) * q[t];
        size_t k = (size_t)floor(pos);
        k = k >= n ? n - 1 : k;
        double frac = pos - (double)k, v = a[k];
        if (frac > 0 && k + 1 < n)
            v += frac * (a[k + 1] - v);
        out[t] = v;
    }
}

/* Below this many values selection alone is as fast as narrowing first. */
#define NARROW_MIN 4096
/* Buckets of the narrowing histogram. */
#define NARROW_BUCKETS 65536

/* The narrowing histogram's bucket of x in [lo, hi]; the top one also
 * takes hi itself (a comparison, not fmin: the values are numbers, and fmin
 * is a call per value). */
static inline size_t bucket_of(double x, double lo, double scale)
{
    double b = (x - lo) * scale;
    return b < NARROW_BUCKETS - 1 ? (size_t)b : NARROW_BUCKETS - 1;
}

/* Moves to the front of a[0..n) the values that can hold the order
 * statistics ks[0] <= ks[1] and returns how many there are (*below gets the
 * count of the values before them in order); n when it cannot narrow.  One
 * pass counts the values in NARROW_BUCKETS equal buckets of [min, max] (a
 * monotone map, so a lower bucket holds only values no larger than a
 * higher one's), a second moves the buckets holding the two ranks to the
 * front: selection then works on a small part instead of reordering all
 * n values several times (the pipeline's exact median of a million rows). */
static size_t narrow(double *a, size_t n, const size_t *ks, size_t *below)
{
    double lo = a[0], hi = a[0];
    for (size_t i = 1; i < n; i++) {
        lo = a[i] < lo ? a[i] : lo;
        hi = a[i] > hi ? a[i] : hi;
    }
    double scale = (double)NARROW_BUCKETS / (hi - lo);
    uint32_t *count = n < UINT32_MAX && isfinite(scale) ? calloc(NARROW_BUCKETS, sizeof *count)
                                                       : NULL;
    if (!count)
        return n;
    for (size_t i = 0; i < n; i++)
        count[bucket_of(a[i], lo, scale)]++;
    size_t b0 = 0, before = 0;
    while (before + count[b0] <= ks[0])
        before += count[b0++];
    size_t b1 = b0, upto = before + count[b0];
    while (upto <= ks[1])
        upto += count[++b1];
    free(count);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        size_t b = bucket_of(a[i], lo, scale);
        if (b >= b0 && b <= b1)
            swap(a, i, m++);
    }
    *below = before;
    return m;
}

double ck_median(double *a, size_t n)
{
    /* the mean of the two middle order statistics, computed as numpy does,
     * (a + b) / 2, so that imputation values match scikit-learn's bits */
    size_t ks[2] = {(n - 1) / 2, n / 2}, below = 0, m = n;
    if (n >= NARROW_MIN)
        m = narrow(a, n, ks, &below);
    if (m < n) { /* the ranks within the front part */
        size_t kk[2] = {ks[0] - below, ks[1] - below};
        select_many(a, 0, m - 1, kk, kk[0] == kk[1] ? 1 : 2);
        return kk[0] == kk[1] ? a[kk[0]] : (a[kk[0]] + a[kk[1]]) / 2;
    }
    select_many(a, 0, n - 1, ks, ks[0] == ks[1] ? 1 : 2);
    return ks[0] == ks[1] ? a[ks[0]] : (a[ks[0]] + a[ks[1]]) / 2;
}
