/*
 * reduce.h -- combining partial results across the processes of a
 * distributed fit.
 *
 * The library knows no MPI.  A distributed caller (churnkit-train-mpi) hands
 * the fitting code a ck_reducer whose one primitive, allgather, gives every
 * process the bytes of all processes in process order.  Everything else is
 * built here on top of it: sums, maxima, the exact k-th smallest value.
 * Because each process receives the same partials and combines them in the
 * same (process) order, every process ends with the same bits, and the same
 * shards give the same model on every run.
 *
 * Every function here is collective: all processes call it at the same
 * point of the computation with the same counts (except where the count is
 * per process).  A NULL reducer means one process: the functions return at
 * once, leaving the local values as the global ones.
 */
#ifndef CHURNKIT_REDUCE_H
#define CHURNKIT_REDUCE_H

#include <stddef.h>

typedef struct ck_reducer {
    /* Every process passes its own n bytes; on success *all (malloc'd, the
     * caller frees) holds all processes' bytes in process order and each[k]
     * the count of process k (`size` entries, the caller's array).  Returns
     * 0, or -1 (out of memory or a communication failure). */
    int (*allgather)(void *ctx, const void *mine, size_t n, void **all, size_t *each);
    void *ctx;
    size_t rank, size;
} ck_reducer;

/* buf[0..n) := the sum over processes, added in process order.  0 or -1. */
int ck_reduce_sum(const ck_reducer *r, double *buf, size_t n);

/* buf[0..n) := the elementwise maximum over processes.  0 or -1. */
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
 * ordered bits of the doubles.  `total` is the union's size, k < total.
 * 0 or -1. */
int ck_reduce_kth(const ck_reducer *r, const double *v, size_t m, double total, double k,
                  double *out);

/* The median of the union, as ck_median computes it for one process (the
 * mean (a + b) / 2 of the middle two of an even count), so a distributed fit
 * imputes with the same bits.  v may be reordered when r is NULL. */
int ck_reduce_median(const ck_reducer *r, double *v, size_t m, double *out);

#endif
