/* parallel.c -- a deterministic parallel loop over chunks (see parallel.h). */
#include "churnkit/parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

size_t ck_chunks_for(size_t n)
{
    size_t k = n / 16384 + 1;
    return k > CK_CHUNKS_MAX ? CK_CHUNKS_MAX : k;
}

void ck_chunk_range(size_t n, size_t k, size_t c, size_t *begin, size_t *end)
{
    /* c * n / k without overflow for any realistic n (n < 2^58) */
    *begin = c * n / k;
    *end = (c + 1) * n / k;
}

size_t ck_threads_default(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (size_t)n;
}

typedef struct worker {
    size_t first, step, nchunks, id;
    atomic_size_t *next;       /* ck_parallel_take's shared counter, or NULL */
    ck_chunk_fn fn;
    void *ctx;
} worker;

static void *worker_main(void *arg)
{
    const worker *w = arg;
    /* every worker passed here was set (ck_parallel_workers is at least 1) */
    // cppcheck-suppress uninitvar
    if (w->next) {
        size_t c;
        while ((c = atomic_fetch_add(w->next, 1)) < w->nchunks)
            w->fn(w->ctx, c, w->id);
        return NULL;
    }
    for (size_t c = w->first; c < w->nchunks; c += w->step)
        w->fn(w->ctx, c, w->id);
    return NULL;
}

size_t ck_parallel_workers(size_t nchunks, size_t threads)
{
    if (threads == 0)
        threads = ck_threads_default();
    if (threads > nchunks)
        threads = nchunks;
    if (threads > CK_THREADS_MAX)
        threads = CK_THREADS_MAX;
    return threads ? threads : 1;
}

static void run_workers(size_t nchunks, size_t threads, ck_chunk_fn fn, void *ctx,
                        atomic_size_t *next)
{
    pthread_t tid[CK_THREADS_MAX];
    worker w[CK_THREADS_MAX];
    int started[CK_THREADS_MAX] = {0};
    threads = ck_parallel_workers(nchunks, threads);
    for (size_t t = 0; t < threads; t++)
        w[t] = (worker){.first = t, .step = threads, .nchunks = nchunks, .id = t, .next = next,
                        .fn = fn, .ctx = ctx};
    if (threads == 1) {
        worker_main(&w[0]);
        return;
    }
    for (size_t t = 1; t < threads; t++)
        started[t] = pthread_create(&tid[t], NULL, worker_main, &w[t]) == 0;
    worker_main(&w[0]);
    for (size_t t = 1; t < threads; t++) {
        if (started[t])
            pthread_join(tid[t], NULL);
        else
            worker_main(&w[t]);
    }
}

void ck_parallel_for(size_t nchunks, size_t threads, ck_chunk_fn fn, void *ctx)
{
    /* chunk c runs on worker c % threads: a static schedule, so the work
     * each thread does is the same from run to run */
    run_workers(nchunks, threads, fn, ctx, NULL);
}

void ck_parallel_take(size_t nchunks, size_t threads, ck_chunk_fn fn, void *ctx)
{
    atomic_size_t next;
    atomic_init(&next, 0);
    run_workers(nchunks, threads, fn, ctx, &next);
}
