/*
 * reduce.h -- combining partial results across the processes of a
 * distributed fit.
 *
 * The library knows no MPI.  A distributed caller (churnkit-train-mpi) hands
 * the fitting code a ck_reducer with two primitives: allreduce, the
 * elementwise sum or maximum of 64-bit integers over all processes (one
 * MPI_Allreduce), and allgather, every process's bytes in process order.
 * Everything else is built here on top of them: sums of doubles, maxima,
 * the exact k-th smallest value.
 *
 * Sums of doubles are exact, so every process ends with the same bits and
 * the same shards give the same model on every run, whatever order MPI adds
 * in: each double is cut into integer limbs on a grid fixed by the largest
 * exponent of that element on any process, the integers are summed (integer
 * addition does not depend on the order), and the sum is turned back into a
 * double.  See ck_reduce_sum.
 *
 * Every function here is collective: all processes call it at the same
 * point of the computation with the same counts (except where the count is
 * per process).  A NULL reducer means one process: the functions return at
 * once, leaving the local values as the global ones.
 */
#ifndef CHURNKIT_REDUCE_H
#define CHURNKIT_REDUCE_H

#include <stddef.h>
#include <stdint.h>

typedef enum ck_reduce_op { CK_REDUCE_SUM, CK_REDUCE_MAX } ck_reduce_op;

typedef struct ck_reducer {
    /* Every process passes its own n bytes; on success *all (malloc'd, the
     * caller frees) holds all processes' bytes in process order and each[k]
     * the count of process k (`size` entries, the caller's array).  Returns
     * 0, or -1 (out of memory or a communication failure). */
    int (*allgather)(void *ctx, const void *mine, size_t n, void **all, size_t *each);
    /* buf[0..n) := the elementwise sum (CK_REDUCE_SUM; the caller keeps the
     * totals inside int64_t) or maximum over processes.  0 or -1.  May be
     * NULL: it is then done with allgather (the same result, N times the
     * bytes received). */
    int (*allreduce)(void *ctx, int64_t *buf, size_t n, ck_reduce_op op);
    void *ctx;
    size_t rank, size;
} ck_reducer;

/* Whether r spans more than one process: when it does not, every function
 * here leaves the local values as the global ones. */
static inline int ck_reduce_active(const ck_reducer *r)
{
    return r && r->size > 1;
}

/* Every process's n bytes, concatenated in process order into a new buffer
 * (*all, *total bytes; the caller frees).  Only when ck_reduce_active.
 * 0 or -1. */
int ck_reduce_bytes(const ck_reducer *r, const void *mine, size_t n, void **all, size_t *total);

/* buf[0..n) := the sum over processes.  Element j of every process is
 * written as an integer multiple of 2^(E - 2B), E the largest binary
 * exponent of element j on any process (one allreduce of n maxima) and
 * B = 62 - ceil(log2 N) bits a limb, in two limbs of B bits; the limbs are
 * summed exactly (one allreduce of 2n integers) and turned back into a
 * double.  Each term keeps the bits within 2B (at least 84, for up to 2^20
 * processes) of the largest term's leading bit, so the result is within a
 * few units in the last place of the exact sum, and bit for bit the same
 * on every process and every run.  A NaN or infinity on any process makes
 * the element NaN.  0 or -1 (out of memory, a failed collective, or more
 * than 2^20 processes). */
int ck_reduce_sum(const ck_reducer *r, double *buf, size_t n);

/* buf[0..n) := the elementwise maximum over processes (exact: one
 * allreduce of the doubles' ordered bits).  0 or -1. */
int ck_reduce_max(const ck_reducer *r, double *buf, size_t n);

/* The sum over the processes before this one of `mine` (an exclusive
 * prefix sum: where this process's rows start in the global order). */
int ck_reduce_offset(const ck_reducer *r, double mine, double *before);

/* All processes' v[0..n) concatenated in process order into a new array
 * (*out, *total; the caller frees).  With r NULL: a copy.  0 or -1. */
int ck_reduce_gather(const ck_reducer *r, const double *v, size_t n, double **out,
                     size_t *total);

/* The exact k-th smallest (from 0) of the union of every process's
 * v[0..m) (no NaN), by eight rounds of 256-bucket histograms over the
 * ordered bits of the doubles (the counts summed by one integer allreduce
 * a round).  `total` is the union's size, k < total.
 * 0 or -1. */
int ck_reduce_kth(const ck_reducer *r, const double *v, size_t m, double total, double k,
                  double *out);

/* The median of the union, as ck_median computes it for one process (the
 * mean (a + b) / 2 of the middle two of an even count), so a distributed fit
 * imputes with the same bits.  v may be reordered when r is NULL. */
int ck_reduce_median(const ck_reducer *r, double *v, size_t m, double *out);

#endif
