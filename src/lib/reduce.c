/* reduce.c -- collective sums, maxima and order statistics over a
 * ck_reducer's allreduce and allgather (see reduce.h). */
#include "churnkit/reduce.h"
#include "churnkit/stats.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Gathers `bytes` bytes from every process: *all holds size x bytes. */
static int gather_fixed(const ck_reducer *r, const void *buf, size_t bytes, void **all)
{
    size_t *each = malloc(r->size * sizeof *each);
    void *got = NULL;
    int rc = each ? r->allgather(r->ctx, buf, bytes, &got, each) : -1;
    for (size_t k = 0; rc == 0 && k < r->size; k++)
        if (each[k] != bytes)
            rc = -1; /* a process out of step: not the same collective */
    free(each);
    if (rc != 0) {
        free(got);
        return -1;
    }
    *all = got;
    return 0;
}

/* The reducer's allreduce, or the same result through allgather. */
static int allreduce(const ck_reducer *r, int64_t *buf, size_t n, ck_reduce_op op)
{
    void *got;
    if (r->allreduce)
        return r->allreduce(r->ctx, buf, n, op);
    if (gather_fixed(r, buf, n * sizeof *buf, &got) != 0)
        return -1;
    const int64_t *all = got;
    for (size_t j = 0; j < n; j++) {
        buf[j] = all[j];
        for (size_t k = 1; k < r->size; k++) {
            int64_t v = all[k * n + j];
            buf[j] = op == CK_REDUCE_SUM ? buf[j] + v : v > buf[j] ? v : buf[j];
        }
    }
    free(got);
    return 0;
}

/* ------------------------------------------------------------------ */
/* exact sums of doubles */

/* Exponents for an element that is zero everywhere so far (below any real
 * one) and for a NaN or infinity (above any). */
enum { ZERO_EXP = -4000, BAD_EXP = 4000, MAX_PROC_BITS = 20 };

/* B, the bits a limb: N limbs below 2^B add up below 2^62. */
static int limb_bits(size_t size)
{
    int lg = 0;
    while (lg <= MAX_PROC_BITS && ((size_t)1 << lg) < size)
        lg++;
    return lg > MAX_PROC_BITS ? -1 : 62 - lg;
}

static int64_t exponent_of(double x)
{
    int e;
    if (!isfinite(x))
        return BAD_EXP;
    if (x == 0)
        return ZERO_EXP;
    (void)frexp(x, &e); /* x = f 2^e, 1/2 <= |f| < 1 */
    return e;
}

/* x ~ (l[0] 2^-b + l[1] 2^-2b) 2^e with |l| < 2^b, e >= x's exponent: the
 * bits of x below 2^(e - 2b) are dropped (truncated toward zero).  y - t is
 * exact (the fraction bits of y), as are the scalings by powers of two. */
static void split(double x, int64_t e, int b, int64_t l[2])
{
    l[0] = l[1] = 0;
    if (e == BAD_EXP || e == ZERO_EXP || x == 0)
        return;
    double y = ldexp(x, b - (int)e), t = trunc(y);
    l[0] = (int64_t)t;
    l[1] = (int64_t)trunc(ldexp(y - t, b));
}

/* The double nearest (within an ulp or so) to (l[0] 2^-b + l[1] 2^-2b) 2^e:
 * carry first, so the low limb is in [0, 2^b) and the high one holds the
 * leading bits; then the two terms in a fixed order. */
static double join(const int64_t l[2], int64_t e, int b)
{
    if (e == BAD_EXP)
        return NAN;
    if (e == ZERO_EXP)
        return 0;
    int64_t m = (int64_t)1 << b, hi = l[0] + l[1] / m, lo = l[1] % m;
    if (lo < 0) {
        lo += m;
        hi -= 1;
    }
    return ldexp((double)hi, (int)e - b) + ldexp((double)lo, (int)e - 2 * b);
}

int ck_reduce_sum(const ck_reducer *r, double *buf, size_t n)
{
    if (!ck_reduce_active(r) || n == 0)
        return 0;
    int b = limb_bits(r->size);
    int64_t *e = malloc(3 * n * sizeof *e);
    if (b < 0 || !e) {
        free(e);
        return -1;
    }
    int64_t *limb = e + n;
    for (size_t j = 0; j < n; j++)
        e[j] = exponent_of(buf[j]);
    int rc = allreduce(r, e, n, CK_REDUCE_MAX);
    for (size_t j = 0; rc == 0 && j < n; j++)
        split(buf[j], e[j], b, limb + 2 * j);
    if (rc == 0)
        rc = allreduce(r, limb, 2 * n, CK_REDUCE_SUM);
    for (size_t j = 0; rc == 0 && j < n; j++)
        buf[j] = join(limb + 2 * j, e[j], b);
    free(e);
    return rc;
}

/* The keys shifted into int64_t in the same order (and back), written
 * without converting an out-of-range unsigned value to a signed one. */
static int64_t signed_key(uint64_t key)
{
    return key >> 63 ? (int64_t)(key & ~(UINT64_C(1) << 63))
                     : -(int64_t)((UINT64_C(1) << 63) - 1 - key) - 1;
}

static uint64_t unsigned_key(int64_t k)
{
    return k >= 0 ? (uint64_t)k | (UINT64_C(1) << 63) : (uint64_t)(k + INT64_MAX + 1);
}

int ck_reduce_max(const ck_reducer *r, double *buf, size_t n)
{
    if (!ck_reduce_active(r) || n == 0)
        return 0;
    int64_t *k = malloc(n * sizeof *k);
    if (!k)
        return -1;
    for (size_t j = 0; j < n; j++)
        k[j] = signed_key(ck_order_key(buf[j]));
    int rc = allreduce(r, k, n, CK_REDUCE_MAX);
    for (size_t j = 0; rc == 0 && j < n; j++)
        buf[j] = ck_order_value(unsigned_key(k[j]));
    free(k);
    return rc;
}

int ck_reduce_offset(const ck_reducer *r, double mine, double *before)
{
    void *got;
    *before = 0;
    if (!ck_reduce_active(r))
        return 0;
    if (gather_fixed(r, &mine, sizeof mine, &got) != 0)
        return -1;
    const double *all = got;
    for (size_t k = 0; k < r->rank; k++)
        *before += all[k];
    free(got);
    return 0;
}

int ck_reduce_bytes(const ck_reducer *r, const void *mine, size_t n, void **all, size_t *total)
{
    size_t *each = malloc(r->size * sizeof *each);
    *all = NULL;
    *total = 0;
    if (!each || r->allgather(r->ctx, mine, n, all, each) != 0) {
        free(each);
        free(*all);
        *all = NULL;
        return -1;
    }
    for (size_t k = 0; k < r->size; k++)
        *total += each[k];
    free(each);
    return 0;
}

int ck_reduce_gather(const ck_reducer *r, const double *v, size_t n, double **out,
                     size_t *total)
{
    if (!ck_reduce_active(r)) {
        *out = malloc((n ? n : 1) * sizeof **out);
        if (!*out)
            return -1;
        if (n)
            memcpy(*out, v, n * sizeof *v);
        *total = n;
        return 0;
    }
    void *all;
    size_t bytes;
    if (ck_reduce_bytes(r, v, n * sizeof *v, &all, &bytes) != 0)
        return -1;
    *out = all;
    *total = bytes / sizeof *v;
    return 0;
}

/* Radix selection: round by round, the next 8 bits of the k-th key are the
 * bucket where the global count of keys sharing the prefix found so far
 * passes k.  Eight passes over the local values and eight sums of 256
 * counts find it exactly, whatever the number of processes. */
int ck_reduce_kth(const ck_reducer *r, const double *v, size_t m, double total, double k,
                  double *out)
{
    int64_t hist[256];
    uint64_t prefix = 0;
    if (!(k >= 0 && k < total))
        return -1;
    for (int round = 0; round < 8; round++) {
        int shift = 56 - 8 * round;
        memset(hist, 0, sizeof hist);
        for (size_t i = 0; i < m; i++) {
            uint64_t key = ck_order_key(v[i]);
            /* the bits above this round's byte must match the prefix (two
             * shifts: one by 64 would be undefined in round 0) */
            if (((key >> shift) >> 8) == prefix)
                hist[(key >> shift) & 0xff] += 1;
        }
        /* counts are integers: summed as such, one word each */
        if (ck_reduce_active(r) && allreduce(r, hist, 256, CK_REDUCE_SUM) != 0)
            return -1;
        int b = 0;
        while (b < 255 && k >= (double)hist[b]) {
            k -= (double)hist[b];
            b++;
        }
        prefix = (prefix << 8) | (uint64_t)b;
    }
    *out = ck_order_value(prefix);
    return 0;
}

int ck_reduce_median(const ck_reducer *r, double *v, size_t m, double *out)
{
    if (!ck_reduce_active(r)) {
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
