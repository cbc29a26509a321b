/*
 * synth_spill.h -- rows of text kept in per-day buckets in bounded memory,
 * for writing a month of generated rows in date order (churnkit-synth).
 *
 * A spill holds one growable buffer per bucket (a day of the month).  A
 * buffer that would grow past cap_max bytes is appended to an anonymous
 * temporary file (created in `dir` with mkstemp and unlinked at once, so it
 * vanishes when closed or when the process dies) and its offset recorded.
 * Draining a bucket copies its spilled pieces, in the order written, then
 * what is still in memory.  Memory is at most CK_SYNTH_SPILL_BUCKETS x
 * cap_max bytes plus a small list of the spilled pieces, however many rows.
 *
 * One spill is used by one thread at a time.  Failures are remembered in
 * the spill (err: an errno; oom: out of memory) and stop further writing;
 * the owner checks them after the rows are written.
 */
#ifndef CHURNKIT_SYNTH_SPILL_H
#define CHURNKIT_SYNTH_SPILL_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define CK_SYNTH_SPILL_BUCKETS 31
/* The longest row a caller may write after one ck_synth_spill_room. */
#define CK_SYNTH_SPILL_ROW_MAX 160

typedef struct ck_synth_spill_bucket {
    char *buf;
    size_t len, cap;
} ck_synth_spill_bucket;

typedef struct ck_synth_spill_piece {
    off_t off;
    size_t len;
    int bucket;
} ck_synth_spill_piece;

typedef struct ck_synth_spill {
    ck_synth_spill_bucket b[CK_SYNTH_SPILL_BUCKETS];
    int fd;                     /* the temporary file, -1 until needed */
    off_t end;                  /* bytes in it */
    ck_synth_spill_piece *piece;
    size_t npiece, cappiece;
    const char *dir;            /* where the temporary file goes (not owned) */
    size_t cap_max;             /* buffer size at which a bucket spills (>= 4096) */
    int err;                    /* errno of the first I/O failure, 0 if none */
    int oom;                    /* an allocation failed */
} ck_synth_spill;

/* An empty spill; dir must outlive it.  Allocates nothing. */
void ck_synth_spill_init(ck_synth_spill *s, const char *dir, size_t cap_max);

/* Frees the buffers and closes the temporary file. */
void ck_synth_spill_fini(ck_synth_spill *s);

/* Room for one row of up to CK_SYNTH_SPILL_ROW_MAX bytes at the end of
 * bucket b, or NULL after a failure (recorded in s).  The caller writes
 * the row there and adds its length to s->b[b].len. */
char *ck_synth_spill_room(ck_synth_spill *s, int b);

/* Copies bucket b (spilled pieces, then the buffer) to out, using tmp
 * (tmpsize bytes) for reading.  Returns 0, or -1 with s->err set (reading
 * the temporary file failed) or *out_errno set (writing to out failed). */
int ck_synth_spill_drain(ck_synth_spill *s, int b, FILE *out, char *tmp, size_t tmpsize,
                         int *out_errno);

/* Empties every bucket (keeping the buffers and the file for reuse). */
void ck_synth_spill_reset(ck_synth_spill *s);

#endif
