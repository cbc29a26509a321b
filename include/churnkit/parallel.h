/*
 * parallel.h -- a deterministic parallel loop.
 *
 * Work over n rows is cut into a fixed number of chunks that depends only on
 * n (never on the thread count), each chunk's partial result goes to its own
 * slot, and the caller combines the slots in chunk order.  Floating-point
 * sums then come out bit-identical whether 1 or 16 threads ran, which keeps
 * model files reproducible.
 */
#ifndef CHURNKIT_PARALLEL_H
#define CHURNKIT_PARALLEL_H

#include <stddef.h>

/* The most chunks a loop is cut into.  It fixes the order of the partial
 * sums, so changing it changes the last bits of fitted models. */
#define CK_CHUNKS_MAX 64

/* The most worker threads any churnkit program starts (--threads above it
 * is refused); more would have no chunks to work on. */
#define CK_THREADS_MAX 64

/* Chunks for n items: about one per 16,384 items, at least 1, at most 64. */
size_t ck_chunks_for(size_t n);

/* The rows [*begin, *end) of chunk c out of k over n rows. */
void ck_chunk_range(size_t n, size_t k, size_t c, size_t *begin, size_t *end);

/* Threads to use when the caller says 0: the processors online. */
size_t ck_threads_default(void);

/* fn(ctx, chunk, worker): `worker` in [0, ck_parallel_workers(...)) names
 * the thread running the chunk, for per-thread scratch; a worker runs its
 * chunks one after another. */
typedef void (*ck_chunk_fn)(void *ctx, size_t chunk, size_t worker);

/* How many workers ck_parallel_for will use (scratch slots to allocate). */
size_t ck_parallel_workers(size_t nchunks, size_t threads);

/* Calls fn once for every chunk in [0, nchunks), on up to `threads` threads
 * (0: ck_threads_default()); returns when all are done.  If a thread cannot
 * be created its chunks run in the calling thread. */
void ck_parallel_for(size_t nchunks, size_t threads, ck_chunk_fn fn, void *ctx);

/* As ck_parallel_for, but each free worker takes the next chunk in order
 * (a shared counter): for chunks of unequal cost whose results do not
 * depend on the thread that ran them -- the scorer's rounds, where one
 * chunk writes and reads while the others score blocks.  Chunk 0 starts
 * first. */
void ck_parallel_take(size_t nchunks, size_t threads, ck_chunk_fn fn, void *ctx);

#endif
