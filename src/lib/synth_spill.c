/* synth_spill.c -- per-day row buckets in bounded memory (see synth_spill.h). */
#include "churnkit/synth_spill.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void ck_synth_spill_init(ck_synth_spill *s, const char *dir, size_t cap_max)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
    s->dir = dir;
    s->cap_max = cap_max < 4096 ? 4096 : cap_max;
}

void ck_synth_spill_fini(ck_synth_spill *s)
{
    for (int i = 0; i < CK_SYNTH_SPILL_BUCKETS; i++) {
        free(s->b[i].buf);
        s->b[i].buf = NULL;
    }
    free(s->piece);
    s->piece = NULL;
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}

static int write_all(int fd, const char *p, size_t n, off_t off)
{
    while (n) {
        ssize_t k = pwrite(fd, p, n, off);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += k;
        n -= (size_t)k;
        off += k;
    }
    return 0;
}

static int open_temp(ck_synth_spill *s)
{
    size_t n = strlen(s->dir) + 40;
    char *path = malloc(n);
    if (!path) {
        s->oom = 1;
        return -1;
    }
    snprintf(path, n, "%s/.churnkit-synth-spill-XXXXXX", s->dir);
    s->fd = mkstemp(path);
    if (s->fd < 0) {
        s->err = errno;
        free(path);
        return -1;
    }
    (void)unlink(path); /* anonymous: gone when closed, even after a crash */
    free(path);
    return 0;
}

static int flush_bucket(ck_synth_spill *s, int bi)
{
    ck_synth_spill_bucket *b = &s->b[bi];
    if (s->fd < 0 && open_temp(s) != 0)
        return -1;
    if (s->npiece == s->cappiece) {
        size_t cap = s->cappiece ? 2 * s->cappiece : 64;
        ck_synth_spill_piece *p = realloc(s->piece, cap * sizeof *p);
        if (!p) {
            s->oom = 1;
            return -1;
        }
        s->piece = p;
        s->cappiece = cap;
    }
    if (write_all(s->fd, b->buf, b->len, s->end) != 0) {
        s->err = errno;
        return -1;
    }
    s->piece[s->npiece++] = (ck_synth_spill_piece){s->end, b->len, bi};
    s->end += (off_t)b->len;
    b->len = 0;
    return 0;
}

char *ck_synth_spill_room(ck_synth_spill *s, int bi)
{
    ck_synth_spill_bucket *b = &s->b[bi];
    if (s->err || s->oom)
        return NULL;
    while (b->cap - b->len < CK_SYNTH_SPILL_ROW_MAX) {
        if (b->cap < s->cap_max) {
            size_t cap = b->cap ? 2 * b->cap : 4096;
            if (cap > s->cap_max)
                cap = s->cap_max;
            char *p = realloc(b->buf, cap);
            if (!p) {
                s->oom = 1;
                return NULL;
            }
            b->buf = p;
            b->cap = cap;
        } else if (flush_bucket(s, bi) != 0) {
            return NULL;
        }
    }
    return b->buf + b->len;
}

int ck_synth_spill_drain(ck_synth_spill *s, int bi, FILE *out, char *tmp, size_t tmpsize,
                         int *out_errno)
{
    for (size_t i = 0; i < s->npiece; i++) {
        if (s->piece[i].bucket != bi)
            continue;
        off_t off = s->piece[i].off;
        size_t left = s->piece[i].len;
        while (left) {
            size_t want = left < tmpsize ? left : tmpsize;
            ssize_t k = pread(s->fd, tmp, want, off);
            if (k <= 0) {
                if (k < 0 && errno == EINTR)
                    continue;
                s->err = k < 0 ? errno : EIO;
                return -1;
            }
            if (fwrite(tmp, 1, (size_t)k, out) != (size_t)k) {
                *out_errno = errno ? errno : EIO;
                return -1;
            }
            off += k;
            left -= (size_t)k;
        }
    }
    const ck_synth_spill_bucket *b = &s->b[bi];
    if (b->len && fwrite(b->buf, 1, b->len, out) != b->len) {
        *out_errno = errno ? errno : EIO;
        return -1;
    }
    return 0;
}

void ck_synth_spill_reset(ck_synth_spill *s)
{
    for (int i = 0; i < CK_SYNTH_SPILL_BUCKETS; i++)
        s->b[i].len = 0;
    s->npiece = 0;
    s->end = 0;
}
