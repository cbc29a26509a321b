/*
 * csv.c -- strict streaming CSV reader over libcsv (see csv.h).
 *
 * libcsv is push-style: csv_parse() calls field_cb for each field and row_cb
 * at each row end.  We turn that into a pull-style reader.  The parser side
 * (the "producer") reads a block, parses it, and appends the fields it gets
 * to a batch: one growing byte buffer (libcsv's own buffer moves after each
 * callback, so fields are copied) plus (offset, length) pairs and a list of
 * complete rows.  When a block has completed at least one row, the batch is
 * handed to the consumer, and the fields of the row still in progress move
 * to a fresh batch.  The consumer (ck_csv_next) hands out the rows of one
 * batch after another.  With opt.background the producer runs in its own
 * thread, two batches ahead at most; without it, ck_csv_next runs the
 * producer itself when it runs out of rows.  Either way the rows, lines and
 * errors are the same.
 *
 * Lines without a quote, which are most data, skip libcsv: parse_plain
 * splits them at delimiters and line ends and calls the same callbacks
 * libcsv would, in the same order (the rows, lines and errors are the same;
 * a unit test compares the two on the fuzz corpus and on random text).
 * A block with a quote in it goes through libcsv whole.
 *
 * libcsv's traps, and what we do about them:
 *  - unquoted spaces are trimmed by default: a space function that accepts
 *    nothing keeps them;
 *  - a row with the wrong field count passes silently: finish_row checks it;
 *  - it knows nothing of lines: CSV_REPALL_NL reports every CR and LF, so
 *    row_cb counts line ends by ck_csv_line_ends's rule (a CR, or an LF not
 *    just after a CR), and field_cb counts those inside quoted fields;
 *  - after a strict-mode error csv_fini still flushes the partial row:
 *    callbacks are ignored once an error is recorded;
 *  - csv_fini and csv_free must always be called: ck_csv_close does.
 */
#include "churnkit/csv.h"
#include "churnkit/num.h"
#include "churnkit/dict.h"
#include "churnkit/str.h"

#include <csv.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>

/* The bits of the 16 bytes at s equal to c (SSE2, in every x86-64): the
 * plain-text paths below find delimiters and line ends a chunk at a time,
 * with a branch per chunk and per hit instead of one per byte. */
static inline unsigned mask16(const char *s, char c)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
    return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c)));
}
#endif

typedef struct queued_row {
    size_t first;       /* index of the row's first field in the batch */
    unsigned long line;
} queued_row;

/* Rows parsed from the input, and the end of the input or an error after
 * them when `last` is set. */
typedef struct batch {
    char *data;
    size_t dlen, dcap;
    size_t *foff, *flen;
    size_t nf, fcap;
    queued_row *q;
    size_t qn, qcap;
    int last;
    ck_error err;       /* with last: CK_OK at the end of input, or the error */
} batch;

#define NBATCH 3        /* one being read, one being filled, one waiting */

struct ck_csv_reader {
    FILE *fp;
    int own_fp;
    char *source;
    ck_csv_options opt;
    struct csv_parser parser;
    int parser_ready;
    char *block;
    int started;
    unsigned long long bytes_read;
    const char *mem;          /* reading from memory instead of fp */
    size_t mem_len, mem_pos;

    size_t ncols;
    char **names;
    ck_dict *index;           /* header name -> position (NULL: look through
                                 names, as for names given without a header) */
    int header_done;

    /* producer state */
    batch *cur;               /* the batch being filled */
    size_t row_first;         /* its first field of the row in progress */
    unsigned long row_line;   /* that row's line */
    unsigned long line;       /* line of the next byte to be parsed */
    int count_newlines;       /* a quote was seen: fields may hold LFs */
    int cr;                   /* the last line end reported was a CR, with
                                 nothing after it yet (an LF next is its) */
    int failed;               /* an error was recorded: ignore callbacks */
    ck_error error;
    int done;                 /* the last batch has been handed over */

    /* hand-over between producer and consumer */
    batch pool[NBATCH];
    batch *ready[NBATCH];     /* FIFO of filled batches */
    size_t nready;
    batch *spare[NBATCH];     /* free batches */
    size_t nspare;
    int threaded, stop;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;

    /* consumer state */
    batch *reading;           /* the batch rows are handed out from */
    size_t qhead;
    int finished;             /* the end or an error was returned */
    ck_error final;
    const char **fptr;
    unsigned long rows_read;
};

void ck_csv_options_init(ck_csv_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->delim = ',';
    opt->block_size = 256 * 1024;
    opt->max_field = CK_CSV_MAX_FIELD;
}

int ck_csv_delim_hint(const char *const *names, size_t n, char delim, char *out,
                      size_t outsz)
{
    /* the likelier first: ';' files come from spreadsheets in decimal-comma
     * locales, where a comma may also sit inside the numbers */
    static const char others[] = {';', '\t', ','};
    out[0] = '\0';
    if (n != 1 || !names[0])
        return 0;
    for (size_t k = 0; k < sizeof others; k++) {
        char d = others[k];
        if (d == delim || !strchr(names[0], d))
            continue;
        snprintf(out, outsz, "the header is one column, '%.60s%s': the file looks separated by "
                             "%s -- use --delim %s",
                 names[0], strlen(names[0]) > 60 ? "..." : "",
                 d == '\t' ? "tabs" : d == ';' ? "';'" : "','",
                 d == '\t' ? "tab" : d == ';' ? "';'" : "',' (the default)");
        return 1;
    }
    return 0;
}

static int no_space(unsigned char c)
{
    (void)c;
    return 0;
}

/* Records the first error; later ones are consequences of it. */
static void fail_at(ck_csv_reader *r, ck_status st, unsigned long line,
                    unsigned long col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void fail_at(ck_csv_reader *r, ck_status st, unsigned long line,
                    unsigned long col, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    if (r->failed)
        return;
    r->failed = 1;
    va_start(ap, fmt);
    /* clang-tidy 14 given several files misses the va_start (its va_list
     * checker keeps names from the first file); alone this file is clean */
    // NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized)
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (st == CK_ENOMEM)
        ck_error_set(&r->error, st, "%s: %s", r->source, msg);
    else
        ck_error_at(&r->error, st, r->source, line, col, "%s", msg);
}

static void out_of_memory(ck_csv_reader *r)
{
    fail_at(r, CK_ENOMEM, 0, 0, "out of memory");
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    void *np = realloc(*p, c * elem);
    if (!np)
        return -1;
    *p = np;
    *cap = c;
    return 0;
}

/* Room for one more field in foff and flen, which share a capacity. */
static int grow_fields(batch *b)
{
    if (b->nf < b->fcap)
        return 0;
    size_t cap = b->fcap ? 2 * b->fcap : 256;
    size_t *foff = realloc(b->foff, cap * sizeof *foff);
    if (!foff)
        return -1;
    b->foff = foff;
    size_t *flen = realloc(b->flen, cap * sizeof *flen);
    if (!flen)
        return -1;
    b->flen = flen;
    b->fcap = cap;
    return 0;
}

static int append_field(batch *b, const char *s, size_t len)
{
    if (grow((void **)&b->data, &b->dcap, b->dlen + len + 1 + CK_NUM_PAD, 1) != 0 ||
        grow_fields(b) != 0)
        return -1;
    char *d = b->data + b->dlen;
    if (len <= 16) { /* most cells: a call to memcpy costs more than the copy */
        for (size_t i = 0; i < len; i++)
            d[i] = s[i];
    } else {
        memcpy(d, s, len);
    }
    d[len] = '\0';
    b->foff[b->nf] = b->dlen;
    b->flen[b->nf] = len;
    b->nf++;
    b->dlen += len + 1;
    return 0;
}

unsigned long ck_csv_line_ends(const char *s, size_t len, int *cr)
{
    unsigned long n = 0;
    int prev = *cr;
    for (size_t i = 0; i < len; i++) { /* len 0: libcsv passes NULL */
        char c = s[i];
        n += c == '\r' || (c == '\n' && !prev);
        prev = c == '\r';
    }
    *cr = prev;
    return n;
}

/* Line ends inside one piece of text that follows something else than a CR
 * (a field's content, the part of a field held by libcsv). */
static unsigned long count_lines(const char *s, size_t len)
{
    int cr = 0;
    return ck_csv_line_ends(s, len, &cr);
}

/* ------------------------------------------------------------------ */
/* producer: libcsv callbacks */

static void add_field(ck_csv_reader *r, const char *s, size_t len)
{
    batch *b = r->cur;
    if (r->failed)
        return;
    r->cr = 0; /* a field, even empty, stands between two line ends */
    if (b->nf == r->row_first)
        r->row_line = r->line;
    if (len > r->opt.max_field) { /* r->line is still the field's first line */
        fail_at(r, CK_EDATA, r->line, b->nf - r->row_first + 1,
                "field longer than the limit of %zu bytes", r->opt.max_field);
        return;
    }
    if (r->count_newlines)
        r->line += count_lines(s, len);
    if (append_field(b, s, len) != 0)
        out_of_memory(r);
}

static void field_cb(void *s, size_t len, void *data)
{
    add_field(data, s, len);
}

static void take_header(ck_csv_reader *r)
{
    batch *b = r->cur;
    size_t n = b->nf - r->row_first;
    ck_dict *seen = ck_dict_new();
    r->names = calloc(n + 1, sizeof *r->names);
    r->ncols = n;
    if (!seen || !r->names) {
        ck_dict_free(seen);
        out_of_memory(r);
        return;
    }
    for (size_t j = 0; j < n; j++) {
        const char *name = b->data + b->foff[r->row_first + j];
        size_t len = b->flen[r->row_first + j];
        if (len == 0) {
            fail_at(r, CK_EDATA, r->row_line, j + 1, "empty column name in the header");
            break;
        }
        int32_t before = ck_dict_find(seen, name, len);
        if (before >= 0) {
            fail_at(r, CK_EDATA, r->row_line, j + 1,
                    "duplicate column name '%s' (also column %d)", name, before + 1);
            break;
        }
        if (ck_dict_intern(seen, name, len) < 0 || !(r->names[j] = ck_strndup(name, len))) {
            out_of_memory(r);
            break;
        }
    }
    if (r->failed)
        ck_dict_free(seen);
    else
        r->index = seen;
    r->header_done = !r->failed;
    /* the header's fields are not a data row */
    b->dlen = r->row_first < b->nf ? b->foff[r->row_first] : b->dlen;
    b->nf = r->row_first;
}

/* With no header row: names given by the caller, or V1..Vn. */
static void make_names(ck_csv_reader *r, size_t n)
{
    r->names = calloc(n + 1, sizeof *r->names);
    r->ncols = n;
    if (!r->names) {
        out_of_memory(r);
        return;
    }
    for (size_t j = 0; j < n; j++) {
        char buf[32];
        const char *name = buf;
        if (r->opt.names)
            name = r->opt.names[j];
        else
            snprintf(buf, sizeof buf, "V%zu", j + 1);
        if (!(r->names[j] = strdup(name))) {
            out_of_memory(r);
            return;
        }
    }
    r->header_done = 1;
}

static void finish_row(ck_csv_reader *r)
{
    batch *b = r->cur;
    size_t n = b->nf - r->row_first;
    if (!r->header_done) {
        if (!r->opt.no_header) {
            take_header(r);
            return;
        }
        make_names(r, n);
        if (r->failed)
            return;
    }
    if (n != r->ncols) {
        char hint[200];
        int h = ck_csv_delim_hint((const char *const *)r->names, r->ncols, r->opt.delim, hint,
                                  sizeof hint);
        if (!h && r->opt.no_header && r->opt.names)
            h = snprintf(hint, sizeof hint, "the %zu names given for the headerless input "
                                            "(--columns, else the model's inputs) must name "
                                            "every column", r->ncols) > 0;
        fail_at(r, CK_EDATA, r->row_line, (n < r->ncols ? n : r->ncols) + 1,
                "row has %zu fields but the header has %zu%s%s", n, r->ncols, h ? ": " : "",
                hint);
        return;
    }
    if (grow((void **)&b->q, &b->qcap, b->qn + 1, sizeof *b->q) != 0) {
        out_of_memory(r);
        return;
    }
    b->q[b->qn].first = r->row_first;
    b->q[b->qn].line = r->row_line;
    b->qn++;
    r->row_first = b->nf;
}

static void row_cb(int c, void *data)
{
    ck_csv_reader *r = data;
    if (r->failed)
        return;
    if (r->cur->nf > r->row_first) /* else a blank line (or the LF of a CRLF) */
        finish_row(r);
    /* c is -1 for the row csv_fini flushes at the end of the input */
    if (c == '\r' || (c == '\n' && !r->cr))
        r->line++;
    r->cr = c == '\r';
}

/* ------------------------------------------------------------------ */
/* producer: blocks */

/* Position of a failure inside the row in progress. */
static unsigned long current_line(const ck_csv_reader *r)
{
    return r->line + count_lines((const char *)r->parser.entry_buf, r->parser.entry_pos);
}

static unsigned long current_col(const ck_csv_reader *r)
{
    return (unsigned long)(r->cur->nf - r->row_first) + 1;
}

/* Hands buf[0..n) to libcsv; 0, or -1 when it stopped at an error (then
 * recorded).  A quote is the only thing libcsv can stop at. */
static int feed_libcsv(ck_csv_reader *r, const char *buf, size_t n)
{
    /* libcsv adds blk_size to a growing field buffer at a time; a step as
     * large as the buffer already is makes the growth geometric, so that a
     * field of many megabytes (an unclosed quote, before the field limit
     * stops it) is copied a few times, not once a step */
    if (r->parser.entry_size > 64 * 1024)
        csv_set_blk_size(&r->parser, r->parser.entry_size);
    size_t done = csv_parse(&r->parser, buf, n, field_cb, row_cb, r);
    if (r->failed)
        return -1;
    if (done < n) {
        if (csv_error(&r->parser) == CSV_ENOMEM || csv_error(&r->parser) == CSV_ETOOBIG)
            out_of_memory(r);
        else
            fail_at(r, CK_EDATA, current_line(r), current_col(r), "malformed quoting: %s",
                    r->parser.quoted ? "text after a closing quote"
                                     : "a quote inside an unquoted field");
        return -1;
    }
    return 0;
}

/* libcsv has nothing pending: no quoted field open, no bytes of a field
 * held, no field of a row in progress (its ROW_NOT_BEGUN state). */
static int at_row_start(const ck_csv_reader *r)
{
    return !r->parser.quoted && r->parser.entry_pos == 0 && r->cur->nf == r->row_first;
}

/* The fast path for text without quotes, which is most data: s[0..n) holds
 * whole lines (it ends just after a line end) and no quote, and libcsv is
 * at a row start.  Reports what libcsv would -- each field, each CR and LF,
 * the same callbacks in the same order, so lines, rows and errors are the
 * same -- without its byte-by-byte state machine and the copy of every
 * byte into its field buffer.  A row's end is CR or LF (as for libcsv); a
 * line end with nothing before it is a blank row, reported to row_cb alone.
 * tests/unit/test_csv.c checks it against libcsv on every input of the fuzz
 * corpus and on random text cut into random blocks.  The delimiters and
 * line ends are found 16 bytes at a time where SSE2 is there (mask16). */
/* The byte at p, a delimiter, CR or LF, ends what it ends. */
static void plain_stop(ck_csv_reader *r, const char *p, const char **field, const char **row)
{
    if (*p == r->opt.delim) {
        add_field(r, *field, (size_t)(p - *field));
        *field = p + 1;
        return;
    }
    if (p > *row) /* a CR or LF */
        add_field(r, *field, (size_t)(p - *field));
    row_cb(*p, r);
    *field = *row = p + 1;
}

/* The fast path itself (see above). */
static void parse_plain(ck_csv_reader *r, const char *s, size_t n)
{
    const char *field = s, *row = s;
    char delim = r->opt.delim;
    size_t i = 0;
#ifdef __SSE2__
    for (; i + 16 <= n && !r->failed; i += 16)
        for (unsigned bits = mask16(s + i, delim) | mask16(s + i, '\n') | mask16(s + i, '\r');
             bits && !r->failed; bits &= bits - 1)
            plain_stop(r, s + i + __builtin_ctz(bits), &field, &row);
#endif
    for (; i < n && !r->failed; i++)
        if (s[i] == delim || s[i] == '\n' || s[i] == '\r')
            plain_stop(r, s + i, &field, &row);
}

static size_t after_last_line_end(const char *s, size_t n)
{
    while (n > 0 && s[n - 1] != '\n' && s[n - 1] != '\r')
        n--;
    return n;
}

static void parse_block(ck_csv_reader *r, const char *buf, size_t n)
{
    const char *nul = memchr(buf, '\0', n);
    size_t len = nul ? (size_t)(nul - buf) : n;
    int quotes = r->parser.quoted || memchr(buf, '"', len) != NULL;
    r->count_newlines = r->count_newlines || quotes;
    if (quotes || r->opt.libcsv_only) {
        if (feed_libcsv(r, buf, len) != 0)
            return;
    } else {
        /* libcsv ends the row in progress; whole lines go the fast way;
         * libcsv keeps the partial last line for the next block */
        size_t a = 0, b = after_last_line_end(buf, len);
        if (!at_row_start(r)) {
            while (a < b && buf[a] != '\n' && buf[a] != '\r')
                a++;
            a += a < b;
            if (feed_libcsv(r, buf, a) != 0)
                return;
        }
        if (b > a && at_row_start(r))
            parse_plain(r, buf + a, b - a);
        else
            b = a;
        if (r->failed || feed_libcsv(r, buf + b, len - b) != 0)
            return;
    }
    if (r->parser.entry_pos > r->opt.max_field) {
        /* named where the field starts (where a quote left open is), not
         * where the limit was met: r->line counts no byte of it yet */
        fail_at(r, CK_EDATA, r->line, current_col(r),
                "field longer than the limit of %zu bytes", r->opt.max_field);
        return;
    }
    if (nul)
        fail_at(r, CK_EDATA, current_line(r), current_col(r),
                "NUL byte in the input (binary data is not CSV)");
}

/* Reads and parses one block; returns 1 at the end of the input. */
static int read_block(ck_csv_reader *r)
{
    size_t want = r->opt.block_size;
    if (r->opt.max_bytes) {
        unsigned long long left = r->opt.max_bytes - r->bytes_read;
        if (left < want)
            want = (size_t)left;
    }
    size_t n;
    const char *buf = r->block;
    if (r->mem) { /* parse in place: no copy */
        n = r->mem_len - r->mem_pos < want ? r->mem_len - r->mem_pos : want;
        buf = r->mem + r->mem_pos;
        r->mem_pos += n;
    } else {
        n = want ? fread(r->block, 1, want, r->fp) : 0;
    }
    r->bytes_read += n;
    if (n == 0) {
        if (!r->mem && ferror(r->fp)) {
            fail_at(r, CK_EIO, 0, 0, "read error: %s", strerror(errno));
            return 1;
        }
        unsigned long line = r->line; /* the open field's (its quote's) line */
        unsigned long col = current_col(r);
        if (csv_fini(&r->parser, field_cb, row_cb, r) != 0)
            fail_at(r, CK_EDATA, line, col,
                    "unterminated quoted field (the closing quote is missing)");
        return 1;
    }
    if (!r->started) {
        r->started = 1;
        if (r->opt.line_offset == 0 && n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
            buf += 3, n -= 3;
    }
    parse_block(r, buf, n);
    return 0;
}

/* Fills the current batch until it holds a row, the input ends or an error
 * is recorded. */
static void fill(ck_csv_reader *r)
{
    batch *b = r->cur;
    int end = 0;
    if (b->last)
        return;
    while (!end && !r->failed && b->qn == 0)
        end = read_block(r);
    if (end || r->failed) {
        b->last = 1;
        if (r->failed)
            b->err = r->error;
        else
            ck_error_clear(&b->err);
    }
}

/* Starts `next` with the fields of the row in progress in `b`. */
static int carry_partial(ck_csv_reader *r, batch *b, batch *next)
{
    next->dlen = next->nf = next->qn = 0;
    next->last = 0;
    for (size_t i = r->row_first; i < b->nf; i++)
        if (append_field(next, b->data + b->foff[i], b->flen[i]) != 0)
            return -1;
    b->nf = r->row_first;
    r->row_first = 0;
    return 0;
}

/* ------------------------------------------------------------------ */
/* hand-over */

static batch *take_spare(ck_csv_reader *r)
{
    return r->nspare ? r->spare[--r->nspare] : NULL;
}

/* Produces the next batch into r->ready; needs a spare batch (the caller
 * holds the lock when threaded and has waited for one). */
static void produce(ck_csv_reader *r, batch *next)
{
    fill(r);
    batch *b = r->cur;
    if (!b->last && carry_partial(r, b, next) != 0) {
        out_of_memory(r);
        b->last = 1;
        b->err = r->error;
    }
    r->cur = b->last ? NULL : next;
    if (b->last) {
        r->done = 1;
        r->spare[r->nspare++] = next;
    }
    r->ready[r->nready++] = b;
}

static void *producer_main(void *arg)
{
    ck_csv_reader *r = arg;
    pthread_mutex_lock(&r->mu);
    while (!r->done && !r->stop) {
        while (!r->nspare && !r->stop)
            pthread_cond_wait(&r->cv, &r->mu);
        if (r->stop)
            break;
        batch *next = take_spare(r);
        pthread_mutex_unlock(&r->mu);
        fill(r);              /* the slow part runs unlocked */
        pthread_mutex_lock(&r->mu);
        produce(r, next);     /* fill() again finds the batch complete */
        pthread_cond_broadcast(&r->cv);
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

/* The next filled batch, or NULL only after `done` with nothing left. */
static batch *next_batch(ck_csv_reader *r)
{
    batch *b = NULL;
    if (!r->threaded) {
        if (!r->nready && !r->done)
            produce(r, take_spare(r));
        if (r->nready) {
            b = r->ready[0];
            memmove(r->ready, r->ready + 1, --r->nready * sizeof *r->ready);
        }
        return b;
    }
    pthread_mutex_lock(&r->mu);
    while (!r->nready && !r->done)
        pthread_cond_wait(&r->cv, &r->mu);
    if (r->nready) {
        b = r->ready[0];
        memmove(r->ready, r->ready + 1, --r->nready * sizeof *r->ready);
    }
    pthread_mutex_unlock(&r->mu);
    return b;
}

static void release_batch(ck_csv_reader *r, batch *b)
{
    if (r->threaded)
        pthread_mutex_lock(&r->mu);
    r->spare[r->nspare++] = b;
    if (r->threaded) {
        pthread_cond_broadcast(&r->cv);
        pthread_mutex_unlock(&r->mu);
    }
}

/* ------------------------------------------------------------------ */
/* opening and closing */

static ck_status reader_init(ck_csv_reader *r, const ck_csv_options *opt, ck_error *err)
{
    if (opt)
        r->opt = *opt;
    else
        ck_csv_options_init(&r->opt);
    if (!r->opt.block_size)
        r->opt.block_size = 256 * 1024;
    if (!r->opt.max_field)
        r->opt.max_field = CK_CSV_MAX_FIELD;
    if (!r->opt.delim)
        r->opt.delim = ',';
    r->line = 1 + r->opt.line_offset;
    for (size_t i = 0; i < NBATCH; i++)
        r->spare[r->nspare++] = &r->pool[i];
    r->cur = take_spare(r);
    r->block = malloc(r->opt.block_size);
    if (!r->block || csv_init(&r->parser, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL) != 0)
        return ck_error_set(err, CK_ENOMEM, "%s: out of memory", r->source);
    r->parser_ready = 1;
    csv_set_delim(&r->parser, (unsigned char)r->opt.delim);
    csv_set_space_func(&r->parser, no_space);
    /* libcsv grows its field buffer by blk_size at a time: make the steps
     * big enough that a multi-megabyte field is not copied quadratically */
    csv_set_blk_size(&r->parser, 64 * 1024);

    if (r->opt.no_header && r->opt.names)
        make_names(r, r->opt.nnames);
    /* Parse until the header is known; any rows after it in the same block
     * wait in the batch being filled. */
    int end = 0;
    while (!r->header_done && !r->failed && !end)
        end = read_block(r);
    if (!r->header_done && !r->failed && r->opt.no_header)
        make_names(r, 0); /* an empty headerless part: no columns, no rows */
    if (!r->header_done && !r->failed)
        fail_at(r, CK_EDATA, 0, 0, "empty file (no header row)");
    if (!r->header_done) {
        if (err)
            *err = r->error;
        return r->error.status;
    }
    if (end) { /* the whole input fitted in the first block */
        r->cur->last = 1;
        r->cur->err = r->error;
        if (!r->failed)
            ck_error_clear(&r->cur->err);
    }
    r->fptr = calloc(r->ncols ? r->ncols : 1, sizeof *r->fptr);
    if (!r->fptr)
        return ck_error_set(err, CK_ENOMEM, "%s: out of memory", r->source);
    if (r->opt.background && !end) {
        if (pthread_mutex_init(&r->mu, NULL) != 0)
            return ck_error_set(err, CK_ENOMEM, "%s: cannot create a mutex", r->source);
        if (pthread_cond_init(&r->cv, NULL) != 0) {
            pthread_mutex_destroy(&r->mu);
            return ck_error_set(err, CK_ENOMEM, "%s: cannot create a condition", r->source);
        }
        r->threaded = 1;
        if (pthread_create(&r->thread, NULL, producer_main, r) != 0)
            r->threaded = 0; /* no thread: parse in the caller's thread */
    }
    return CK_OK;
}

static ck_status reader_new(ck_csv_reader **out, FILE *fp, int own, const char *name,
                            const ck_csv_options *opt, ck_error *err)
{
    ck_csv_reader *r = calloc(1, sizeof *r);
    *out = NULL;
    if (!r) {
        if (own)
            fclose(fp);
        return ck_error_set(err, CK_ENOMEM, "%s: out of memory", name);
    }
    r->fp = fp;
    r->own_fp = own;
    r->source = strdup(name);
    if (!r->source) {
        ck_csv_close(r);
        return ck_error_set(err, CK_ENOMEM, "%s: out of memory", name);
    }
    ck_status st = reader_init(r, opt, err);
    if (st != CK_OK) {
        ck_csv_close(r);
        return st;
    }
    *out = r;
    return CK_OK;
}

ck_status ck_csv_open(ck_csv_reader **out, const char *path, const ck_csv_options *opt,
                      ck_error *err)
{
    if (strcmp(path, "-") == 0)
        return reader_new(out, stdin, 0, "(stdin)", opt, err);
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        *out = NULL;
        return ck_error_set(err, CK_EIO, "%s: cannot open: %s", path, strerror(errno));
    }
    return reader_new(out, fp, 1, path, opt, err);
}

ck_status ck_csv_open_stream(ck_csv_reader **out, FILE *fp, const char *name,
                             const ck_csv_options *opt, ck_error *err)
{
    return reader_new(out, fp, 0, name, opt, err);
}

ck_status ck_csv_open_mem(ck_csv_reader **out, const char *buf, size_t len, const char *name,
                          const ck_csv_options *opt, ck_error *err)
{
    ck_csv_options o;
    if (opt)
        o = *opt;
    else
        ck_csv_options_init(&o);
    o.background = 0; /* the text is already in memory: nothing to overlap */
    ck_csv_reader *r = calloc(1, sizeof *r);
    *out = NULL;
    if (!r || !(r->source = strdup(name))) {
        free(r);
        return ck_error_set(err, CK_ENOMEM, "%s: out of memory", name);
    }
    r->mem = buf;
    r->mem_len = len;
    ck_status st = reader_init(r, &o, err);
    if (st != CK_OK) {
        ck_csv_close(r);
        return st;
    }
    *out = r;
    return CK_OK;
}

ck_status ck_csv_restart_mem(ck_csv_reader *r, const char *buf, size_t len,
                             unsigned long line_offset, ck_error *err)
{
    if (!r->mem || !r->opt.no_header || r->threaded)
        return ck_error_set(err, CK_EUSAGE, "%s: only a headerless reader over memory can "
                                            "restart", r->source);
    r->failed = 1; /* flush libcsv's state without keeping any of it */
    csv_fini(&r->parser, field_cb, row_cb, r);
    csv_free(&r->parser);
    r->parser_ready = 0;
    if (csv_init(&r->parser, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL) != 0)
        return ck_error_set(err, CK_ENOMEM, "%s: out of memory", r->source);
    r->parser_ready = 1;
    csv_set_delim(&r->parser, (unsigned char)r->opt.delim);
    csv_set_space_func(&r->parser, no_space);
    csv_set_blk_size(&r->parser, 64 * 1024);
    /* every batch back to the pool, capacities kept */
    r->nready = r->nspare = 0;
    for (size_t i = 0; i < NBATCH; i++) {
        batch *b = &r->pool[i];
        b->dlen = b->nf = b->qn = 0;
        b->last = 0;
        r->spare[r->nspare++] = b;
    }
    r->cur = take_spare(r);
    r->reading = NULL;
    r->qhead = 0;
    r->row_first = 0;
    r->failed = r->finished = r->done = 0;
    r->count_newlines = 0;
    r->cr = 0;
    ck_error_clear(&r->error);
    ck_error_clear(&r->final);
    r->mem = buf;
    r->mem_len = len;
    r->mem_pos = 0;
    r->bytes_read = 0;
    r->started = 1; /* a byte-order mark only ever starts a file */
    r->opt.line_offset = line_offset;
    r->line = 1 + line_offset;
    return CK_OK;
}

void ck_csv_close(ck_csv_reader *r)
{
    if (!r)
        return;
    if (r->threaded) {
        pthread_mutex_lock(&r->mu);
        r->stop = 1;
        pthread_cond_broadcast(&r->cv);
        pthread_mutex_unlock(&r->mu);
        pthread_join(r->thread, NULL);
        pthread_cond_destroy(&r->cv);
        pthread_mutex_destroy(&r->mu);
    }
    if (r->parser_ready) {
        /* csv_fini releases libcsv's state; what it reports no longer matters */
        r->failed = 1;
        if (!r->cur)
            r->cur = &r->pool[0];
        csv_fini(&r->parser, field_cb, row_cb, r);
        csv_free(&r->parser);
    }
    if (r->own_fp && r->fp)
        fclose(r->fp);
    if (r->names)
        for (size_t j = 0; j < r->ncols; j++)
            free(r->names[j]);
    free(r->names);
    ck_dict_free(r->index);
    for (size_t i = 0; i < NBATCH; i++) {
        free(r->pool[i].data);
        free(r->pool[i].foff);
        free(r->pool[i].flen);
        free(r->pool[i].q);
    }
    free(r->source);
    free(r->block);
    free(r->fptr);
    free(r);
}

size_t ck_csv_ncols(const ck_csv_reader *r)
{
    return r->ncols;
}

const char *ck_csv_name(const ck_csv_reader *r, size_t j)
{
    return j < r->ncols ? r->names[j] : NULL;
}

const char *const *ck_csv_names(const ck_csv_reader *r)
{
    return (const char *const *)r->names;
}

long ck_csv_find(const ck_csv_reader *r, const char *name)
{
    if (r->index)
        return ck_dict_find(r->index, name, strlen(name));
    return ck_strv_index((const char *const *)r->names, r->ncols, name);
}

const char *ck_csv_source(const ck_csv_reader *r)
{
    return r->source;
}

unsigned long ck_csv_rows_read(const ck_csv_reader *r)
{
    return r->rows_read;
}

/* ------------------------------------------------------------------ */
/* consumer */

int ck_csv_next(ck_csv_reader *r, ck_csv_row *row, ck_error *err)
{
    for (;;) {
        batch *b = r->reading;
        if (b && r->qhead < b->qn) {
            const queued_row *q = &b->q[r->qhead++];
            for (size_t j = 0; j < r->ncols; j++)
                r->fptr[j] = b->data + b->foff[q->first + j];
            row->n = r->ncols;
            row->field = r->fptr;
            row->len = b->flen + q->first;
            row->line = q->line;
            r->rows_read++;
            return 1;
        }
        if (r->finished) {
            if (r->final.status == CK_OK)
                return 0;
            if (err)
                *err = r->final;
            return -1;
        }
        if (b) {
            r->reading = NULL;
            if (b->last) {
                r->finished = 1;
                r->final = b->err;
            }
            release_batch(r, b);
            continue;
        }
        r->reading = next_batch(r);
        r->qhead = 0;
        if (!r->reading) { /* cannot happen: the last batch ends the input */
            r->finished = 1;
            ck_error_clear(&r->final);
        }
    }
}

/* ------------------------------------------------------------------ */
/* row ends: the one quote-aware rule for cutting text into whole rows */

/* Line feeds in p[0..n). */
static unsigned long count_lf(const char *p, size_t n)
{
    unsigned long c = 0;
    const char *e = p + n;
    while (p < e && (p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
        c++;
        p++;
    }
    return c;
}

/* A plain row in the making: its fields so far, where the next starts. */
typedef struct plain_row {
    const char **field;
    size_t *flen;
    size_t nf, start, ncols, max_field;
} plain_row;

/* The field that ends at s[i] recorded; 0 when it is one too many (the last
 * field ends at the line end, not at a delimiter) or too long. */
static inline int take_field(plain_row *pr, const char *s, size_t i, int last)
{
    if (pr->nf + 1 + !last > pr->ncols || i - pr->start > pr->max_field)
        return 0;
    pr->field[pr->nf] = s + pr->start;
    pr->flen[pr->nf++] = i - pr->start;
    pr->start = i + 1;
    return 1;
}

#ifdef __SSE2__
/* The delimiters of the row's first 16-byte chunks that hold nothing else
 * of note (no LF, CR, quote or NUL).  Returns where the byte loop takes
 * over (the first chunk with anything else, or the last bytes), or 0 with
 * *bad set when the row cannot be plain. */
static size_t plain_chunks(plain_row *pr, const char *s, size_t len, char delim, int *bad)
{
    size_t i = 0;
    for (; i + 16 <= len; i += 16) {
        const char *b = s + i;
        if (mask16(b, '\n') | mask16(b, '\r') | mask16(b, '"') | mask16(b, '\0'))
            break;
        for (unsigned bits = mask16(b, delim); bits; bits &= bits - 1)
            if (!take_field(pr, s, i + (size_t)__builtin_ctz(bits), 0)) {
                *bad = 1;
                return 0;
            }
    }
    return i;
}
#else
static size_t plain_chunks(plain_row *pr, const char *s, size_t len, char delim, int *bad)
{
    (void)pr, (void)s, (void)len, (void)delim, (void)bad;
    return 0;
}
#endif

/* After the chunks, one pass over the rest of the row's bytes: a delimiter
 * ends a field; everything above '"' in ASCII (digits, letters, '-', '.',
 * UTF-8) is field text and costs one comparison more; the rare bytes at or
 * below it are sorted out last. */
size_t ck_csv_plain_row(char *s, size_t len, char delim, size_t ncols, size_t max_field,
                        const char **field, size_t *flen, size_t *nfields)
{
    plain_row pr = {.field = field, .flen = flen, .ncols = ncols, .max_field = max_field};
    int bad = 0;
    for (size_t i = plain_chunks(&pr, s, len, delim, &bad); !bad && i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == (unsigned char)delim) {
            if (!take_field(&pr, s, i, 0))
                return 0;
            continue;
        }
        if (c > '"')
            continue;
        int crlf = c == '\r' && i + 1 < len && s[i + 1] == '\n';
        if (c != '\n' && !crlf) {
            if (c == '"' || c == '\r' || c == '\0') /* the reader's rules */
                return 0;
            continue; /* a space, a tab, another control byte: text */
        }
        *nfields = 0;
        if (i == 0) /* a blank line */
            return i + 1 + (size_t)crlf;
        if (pr.nf + 1 != ncols || !take_field(&pr, s, i, 1))
            return 0;
        for (size_t j = 0; j < pr.nf; j++)
            s[(size_t)(field[j] - s) + flen[j]] = '\0';
        *nfields = pr.nf;
        return i + 1 + (size_t)crlf;
    }
    return 0;
}

size_t ck_csv_scan_row_end(ck_csv_scan *s, const char *buf, size_t len, size_t from)
{
    /* The common case, found by memchr (vectorized in the C library): no
     * quote and no CR in the buffer and none pending, so that the rule
     * below comes to the first LF at or after `from`, and the lines are
     * the LFs before it.  A number-only file never leaves this path. */
    if (!s->quoted && !s->cr && !memchr(buf, '"', len) && !memchr(buf, '\r', len)) {
        const char *nl = from < len ? memchr(buf + from, '\n', len - from) : NULL;
        size_t end = nl ? (size_t)(nl - buf) + 1 : len;
        s->lines += count_lf(buf, end);
        s->bytes += end;
        return nl ? end : 0;
    }
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        int after_cr = s->cr;
        s->cr = c == '\r';
        if (c == '"') {
            s->quoted = !s->quoted; /* a doubled quote toggles twice */
            if (s->quoted) {
                s->quote_line = s->lines;
                s->quote_at = s->bytes + i;
            }
        } else if (c == '\r') {
            s->lines++;
            /* a lone CR ends its row; a CR at the buffer's end waits for
             * the next byte, which may be its LF */
            if (!s->quoted && i >= from && i + 1 < len && buf[i + 1] != '\n') {
                s->bytes += i + 1;
                return i + 1;
            }
        } else if (c == '\n') {
            s->lines += !after_cr;
            if (!s->quoted && i >= from) {
                s->bytes += i + 1;
                return i + 1;
            }
        }
    }
    s->bytes += len;
    return 0;
}
