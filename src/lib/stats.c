/* stats.c -- quantiles by selection (see stats.h). */
#include "churnkit/stats.h"

#include <math.h>
#include <stdlib.h>

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

/* The smallest value of a[lo..hi]. */
static double min_of(const double *a, size_t lo, size_t hi)
{
    double m = a[lo];
    for (size_t i = lo + 1; i <= hi; i++)
        if (a[i] < m)
            m = a[i];
    return m;
}

void ck_quantiles(double *a, size_t n, const double *q, size_t nq, double *out)
{
    size_t lo = 0; /* everything before lo is <= what is selected so far */
    for (size_t t = 0; t < nq; t++) {
        double pos = (double)(n - 1) * q[t];
        size_t k = (size_t)floor(pos);
        if (k >= n)
            k = n - 1;
        double frac = pos - (double)k;
        select_kth(a, lo, n - 1, k);
        double v = a[k];
        if (frac > 0 && k + 1 < n) /* the next order statistic: the minimum above k */
            v += frac * (min_of(a, k + 1, n - 1) - v);
        out[t] = v;
        lo = k;
    }
}

double ck_median(double *a, size_t n)
{
    static const double half = 0.5;
    double m;
    ck_quantiles(a, n, &half, 1, &m);
    return m;
}
