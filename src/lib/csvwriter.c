/* csvwriter.c -- buffered CSV output with minimal quoting (see csvwriter.h). */
#include "churnkit/csvwriter.h"
#include "churnkit/num.h"

#include <stdlib.h>
#include <string.h>

struct ck_csv_writer {
    FILE *fp;          /* NULL: into mem */
    char *mem;
    size_t mlen, mcap;
    char delim;
    int at_row_start;
    int failed;
    size_t used;
    char buf[1 << 16];
};

ck_csv_writer *ck_csv_writer_new(FILE *fp, char delim)
{
    ck_csv_writer *w = malloc(sizeof *w);
    if (w) {
        w->fp = fp;
        w->mem = NULL;
        w->mlen = w->mcap = 0;
        w->delim = delim ? delim : ',';
        w->at_row_start = 1;
        w->failed = 0;
        w->used = 0;
    }
    return w;
}

ck_csv_writer *ck_csv_writer_new_mem(char delim)
{
    return ck_csv_writer_new(NULL, delim);
}

const char *ck_csv_writer_text(const ck_csv_writer *w, size_t *len)
{
    *len = w->mlen;
    return w->mem;
}

void ck_csv_writer_reset(ck_csv_writer *w)
{
    w->mlen = 0;
    w->used = 0;
    w->failed = 0;
    w->at_row_start = 1;
}

void ck_csv_writer_free(ck_csv_writer *w)
{
    if (w)
        free(w->mem);
    free(w);
}

/* Appends s[0..n) to the memory text. */
static void to_mem(ck_csv_writer *w, const char *s, size_t n)
{
    if (n == 0)
        return; /* nothing yet may mean no buffer yet: memcpy(NULL, ..., 0) is undefined */
    if (w->mlen + n > w->mcap) {
        size_t cap = w->mcap ? 2 * w->mcap : 1 << 20;
        while (cap < w->mlen + n)
            cap *= 2;
        char *m = realloc(w->mem, cap);
        if (!m) {
            w->failed = 1;
            return;
        }
        w->mem = m;
        w->mcap = cap;
    }
    memcpy(w->mem + w->mlen, s, n);
    w->mlen += n;
}

static void drain(ck_csv_writer *w)
{
    if (!w->fp)
        to_mem(w, w->buf, w->used);
    else if (w->used && fwrite(w->buf, 1, w->used, w->fp) != w->used)
        w->failed = 1;
    w->used = 0;
}

static void put(ck_csv_writer *w, const char *s, size_t len)
{
    if (w->used + len > sizeof w->buf) {
        drain(w);
        if (len > sizeof w->buf) {
            if (!w->fp)
                to_mem(w, s, len);
            else if (fwrite(s, 1, len, w->fp) != len)
                w->failed = 1;
            return;
        }
    }
    memcpy(w->buf + w->used, s, len);
    w->used += len;
}

static void begin_field(ck_csv_writer *w)
{
    if (!w->at_row_start)
        put(w, &w->delim, 1);
    w->at_row_start = 0;
}

static int needs_quotes(const ck_csv_writer *w, const char *s, size_t len)
{
    if (len && (s[0] == ' ' || s[len - 1] == ' '))
        return 1;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == w->delim || c == '"' || c == '\n' || c == '\r')
            return 1;
    }
    return 0;
}

void ck_csv_write_str(ck_csv_writer *w, const char *s, size_t len)
{
    begin_field(w);
    if (!needs_quotes(w, s, len)) {
        put(w, s, len);
        return;
    }
    put(w, "\"", 1);
    const char *start = s, *end = s + len, *q;
    while ((q = memchr(start, '"', (size_t)(end - start))) != NULL) {
        put(w, start, (size_t)(q - start) + 1);
        put(w, "\"", 1); /* a quote is written twice */
        start = q + 1;
    }
    put(w, start, (size_t)(end - start));
    put(w, "\"", 1);
}

void ck_csv_write_cstr(ck_csv_writer *w, const char *s)
{
    ck_csv_write_str(w, s, strlen(s));
}

void ck_csv_write_num(ck_csv_writer *w, double x)
{
    char buf[CK_NUM_BUFSIZE];
    size_t n = ck_num_format(x, buf);
    begin_field(w);
    put(w, buf, n);
}

void ck_csv_write_fixed(ck_csv_writer *w, double x, int decimals)
{
    char buf[CK_NUM_BUFSIZE];
    size_t n = ck_num_format_fixed(x, decimals, buf);
    begin_field(w);
    put(w, buf, n);
}

void ck_csv_write_long(ck_csv_writer *w, long v)
{
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%ld", v);
    begin_field(w);
    put(w, buf, (size_t)n);
}

void ck_csv_write_empty(ck_csv_writer *w)
{
    begin_field(w);
}

void ck_csv_end_row(ck_csv_writer *w)
{
    put(w, "\n", 1);
    w->at_row_start = 1;
}

int ck_csv_writer_flush(ck_csv_writer *w)
{
    drain(w);
    return w->failed ? -1 : 0;
}
