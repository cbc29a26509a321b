/* reduce.c -- collective sums, maxima and order statistics over a
 * ck_reducer's allgather (see reduce.h). */
#include "churnkit/reduce.h"
#include "churnkit/stats.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Gathers n doubles from every process: *all holds size x n of them. */
static int gather_fixed(const ck_reducer *r, const double *buf, size_t n, double **all)
{
    size_t *each = malloc(r->size * sizeof *each);
    void *got = NULL;
    int rc = each ? r->allgather(r->ctx, buf, n * sizeof *buf, &got, each) : -1;
    for (size_t k = 0; rc == 0 && k < r->size; k++)
        if (each[k] != n * sizeof *buf)
            rc = -1; /* a process out of step: not the same collective */
    free(each);
    if (rc != 0) {
        free(got);
        return -1;
    }
    *all = got;
    return 0;
}

int ck_reduce_sum(const ck_reducer *r, double *buf, size_t n)
{
    double *all;
    if (!r || r->size <= 1)
        return 0;
    if (gather_fixed(r, buf, n, &all) != 0)
        return -1;
    for (size_t j = 0; j < n; j++) {
        double s = 0;
        for (size_t k = 0; k < r->size; k++) /* process order: the same bits everywhere */
            s += all[k * n + j];
        buf[j] = s;
    }
    free(all);
    return 0;
}

int ck_reduce_max(const ck_reducer *r, double *buf, size_t n)
{
    double *all;
    if (!r || r->size <= 1)
        return 0;
    if (gather_fixed(r, buf, n, &all) != 0)
        return -1;
    for (size_t j = 0; j < n; j++)
        for (size_t k = 0; k < r->size; k++)
            buf[j] = all[k * n + j] > buf[j] ? all[k * n + j] : buf[j];
    free(all);
    return 0;
}

int ck_reduce_offset(const ck_reducer *r, double mine, double *before)
{
    double *all;
    *before = 0;
    if (!r || r->size <= 1)
        return 0;
    if (gather_fixed(r, &mine, 1, &all) != 0)
        return -1;
    for (size_t k = 0; k < r->rank; k++)
        *before += all[k];
    free(all);
    return 0;
}

int ck_reduce_gather(const ck_reducer *r, const double *v, size_t n, double **out,
                     size_t *total)
{
    if (!r || r->size <= 1) {
        *out = malloc((n ? n : 1) * sizeof **out);
        if (!*out)
            return -1;
        if (n)
            memcpy(*out, v, n * sizeof *v);
        *total = n;
        return 0;
    }
    size_t *each = malloc(r->size * sizeof *each);
    void *all = NULL;
    if (!each || r->allgather(r->ctx, v, n * sizeof *v, &all, each) != 0) {
        free(each);
        free(all);
        return -1;
    }
    *total = 0;
    for (size_t k = 0; k < r->size; k++)
        *total += each[k] / sizeof *v;
    free(each);
    *out = all;
    return 0;
}

/* Doubles as unsigned keys in the same order: flip every bit of a
 * negative, only the sign bit of a positive. */
static uint64_t key_of(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return (u >> 63) ? ~u : u | (UINT64_C(1) << 63);
}

static double double_of(uint64_t key)
{
    uint64_t u = (key >> 63) ? key & ~(UINT64_C(1) << 63) : ~key;
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* Radix selection: round by round, the next 8 bits of the k-th key are the
 * bucket where the global count of keys sharing the prefix found so far
 * passes k.  Eight passes over the local values and eight sums of 256
 * counts find it exactly, whatever the number of processes. */
int ck_reduce_kth(const ck_reducer *r, const double *v, size_t m, double total, double k,
                  double *out)
{
    double hist[256];
    uint64_t prefix = 0;
    if (!(k >= 0 && k < total))
        return -1;
    for (int round = 0; round < 8; round++) {
        int shift = 56 - 8 * round;
        memset(hist, 0, sizeof hist);
        for (size_t i = 0; i < m; i++) {
            uint64_t key = key_of(v[i]);
            /* the bits above this round's byte must match the prefix (two
             * shifts: one by 64 would be undefined in round 0) */
            if (((key >> shift) >> 8) == prefix)
                hist[(key >> shift) & 0xff] += 1;
        }
        if (ck_reduce_sum(r, hist, 256) != 0)
            return -1;
        int b = 0;
        while (b < 255 && k >= hist[b]) {
            k -= hist[b];
            b++;
        }
        prefix = (prefix << 8) | (uint64_t)b;
    }
    *out = double_of(prefix);
    return 0;
}

int ck_reduce_median(const ck_reducer *r, double *v, size_t m, double *out)
{
    if (!r || r->size <= 1) {
        *out = ck_median(v, m);
        return 0;
    }
    double total = (double)m, a, b;
    if (ck_reduce_sum(r, &total, 1) != 0 || total < 1)
        return -1;
    double lo = (double)(((size_t)total - 1) / 2), hi = (double)((size_t)total / 2);
    if (ck_reduce_kth(r, v, m, total, lo, &a) != 0)
        return -1;
    if (hi == lo)
        b = a;
    else if (ck_reduce_kth(r, v, m, total, hi, &b) != 0)
        return -1;
    *out = hi == lo ? a : (a + b) / 2;
    return 0;
}
