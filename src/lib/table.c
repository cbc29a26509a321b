/* table.c -- the typed column store and its CSV loader (see table.h). */
#include "churnkit/table.h"
#include "churnkit/mem.h"
#include "churnkit/parallel.h"
#include "churnkit/num.h"
#include "churnkit/str.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

void ck_table_options_init(ck_table_options *opt)
{
    memset(opt, 0, sizeof *opt);
    ck_csv_options_init(&opt->csv);
    opt->csv.background = 1; /* parsing overlaps number conversion */
}

ck_table *ck_table_new(size_t nrows, const char *source)
{
    ck_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->nrows = nrows;
    t->cap = nrows;
    t->first_line = 2;
    t->source = strdup(source ? source : "(table)");
    if (!t->source) {
        free(t);
        return NULL;
    }
    return t;
}

static void column_fini(ck_column *c)
{
    free(c->name);
    if (!c->view)
        free(c->num);
    free(c->code);
    ck_dict_free(c->levels);
}

void ck_table_free(ck_table *t)
{
    if (!t)
        return;
    for (size_t j = 0; j < t->ncols; j++)
        column_fini(&t->col[j]);
    free(t->col);
    free(t->source);
    free(t->line);
    ck_dict_free(t->index);
    free(t);
}

static ck_column *append_column(ck_table *t, const char *name, ck_coltype type)
{
    /* room doubles at 8, 16, 32, ... columns: a file of 1e5 columns is not
     * copied 1e5 times */
    size_t n = t->ncols;
    if (n == 0 || (n >= 8 && (n & (n - 1)) == 0)) {
        ck_column *col = realloc(t->col, (n ? 2 * n : 8) * sizeof *col);
        if (!col)
            return NULL;
        t->col = col;
    }
    ck_column *c = &t->col[n];
    memset(c, 0, sizeof *c);
    c->type = type;
    c->name = strdup(name);
    size_t rows = t->cap ? t->cap : 1;
    if (type == CK_COL_NUMERIC)
        c->num = malloc(rows * sizeof *c->num);
    else {
        c->code = malloc(rows * sizeof *c->code);
        c->levels = ck_dict_new();
    }
    if (!t->index)
        t->index = ck_dict_new();
    /* callers check the name is new, so its code is the column's position */
    if (!c->name || (type == CK_COL_NUMERIC ? !c->num : (!c->code || !c->levels)) ||
        !t->index || ck_dict_intern(t->index, name, strlen(name)) != (int32_t)t->ncols) {
        column_fini(c);
        return NULL;
    }
    t->ncols++;
    return c;
}

static ck_status check_new_name(const ck_table *t, const char *name, ck_error *err)
{
    if (ck_table_find(t, name) >= 0)
        return ck_error_set(err, CK_EUSAGE, "%s: duplicate column name '%s'", t->source, name);
    return CK_OK;
}

/* A new numeric column named name, its values copied from values or, with
 * view, values themselves (read only: c->view says so). */
static ck_status add_numeric(ck_table *t, const char *name, const double *values, int view,
                             ck_error *err)
{
    ck_status st = check_new_name(t, name, err);
    if (st != CK_OK)
        return st;
    ck_column *c = append_column(t, name, CK_COL_NUMERIC);
    if (!c)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    if (view) {
        free(c->num);
        c->num = (double *)values;
        c->view = 1;
    } else if (t->nrows) {
        memcpy(c->num, values, t->nrows * sizeof *values);
    }
    return CK_OK;
}

ck_status ck_table_add_numeric(ck_table *t, const char *name, const double *values,
                               ck_error *err)
{
    return add_numeric(t, name, values, 0, err);
}

ck_status ck_table_add_numeric_view(ck_table *t, const char *name, const double *values,
                                    ck_error *err)
{
    return add_numeric(t, name, values, 1, err);
}

ck_status ck_table_add_text(ck_table *t, const char *name, const char *const *values,
                            ck_error *err)
{
    ck_status st = check_new_name(t, name, err);
    if (st != CK_OK)
        return st;
    ck_column *c = append_column(t, name, CK_COL_CATEGORICAL);
    if (!c)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    for (size_t i = 0; i < t->nrows; i++) {
        c->code[i] = values[i] ? ck_dict_intern(c->levels, values[i], strlen(values[i])) : -1;
        if (values[i] && c->code[i] < 0)
            return ck_error_set(err, CK_ENOMEM, "out of memory");
    }
    return CK_OK;
}

long ck_table_find(const ck_table *t, const char *name)
{
    if (t->index)
        return ck_dict_find(t->index, name, strlen(name));
    for (size_t j = 0; j < t->ncols; j++)
        if (strcmp(t->col[j].name, name) == 0)
            return (long)j;
    return -1;
}

const char **ck_table_names(const ck_table *t)
{
    const char **v = malloc((t->ncols + 1) * sizeof *v);
    if (!v)
        return NULL;
    for (size_t j = 0; j < t->ncols; j++)
        v[j] = t->col[j].name;
    v[t->ncols] = NULL;
    return v;
}

/* "FILE: no column 'x' (closest: 'a', 'b' or 'c', when near); when the header is
 * one column holding another delimiter, the --delim that reads it instead
 * (delim: the one used, 0 when not known here: a single column cannot hold
 * the delimiter it was split at, short of quotes). */
static ck_status missing_column(const char *source, const char *name,
                                const char *const *names, size_t n, char delim, ck_error *err)
{
    char near[400];
    if (ck_csv_delim_hint(names, n, delim, near, sizeof near))
        return ck_error_set(err, CK_EDATA, "%s: no column '%s': %s", source, name, near);
    ck_near_names(name, names, n, near, sizeof near); /* none rather than meaningless ones */
    return ck_error_set(err, CK_EDATA, "%s: no column '%s'%s%s%s", source, name,
                        near[0] ? " (closest: " : "", near, near[0] ? ")" : "");
}

ck_status ck_table_require(const ck_table *t, const char *name, size_t *index, ck_error *err)
{
    long j = ck_table_find(t, name);
    if (j >= 0) {
        *index = (size_t)j;
        return CK_OK;
    }
    const char **names = ck_table_names(t);
    if (!names)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    ck_status st = missing_column(t->source, name, names, t->ncols, 0, err);
    free(names);
    return st;
}

unsigned long ck_table_line(const ck_table *t, size_t row)
{
    return t->line ? t->line[row] : t->first_line + (unsigned long)row;
}

/* Keeps the rows whose flag is set, in order, in place: every column and
 * the line numbers (made explicit, as the rows kept are no longer one a
 * line).  Returns -1 when out of memory (the table unchanged). */
static int keep_rows(ck_table *t, const unsigned char *keep)
{
    unsigned long *line = t->line ? t->line : malloc((t->nrows ? t->nrows : 1) * sizeof *line);
    if (!line)
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < t->nrows; i++) {
        unsigned long l = ck_table_line(t, i);
        if (!keep[i])
            continue;
        for (size_t j = 0; j < t->ncols; j++) {
            ck_column *c = &t->col[j];
            if (c->type == CK_COL_NUMERIC)
                c->num[k] = c->num[i];
            else
                c->code[k] = c->code[i];
        }
        line[k++] = l;
    }
    t->line = line;
    t->nrows = k;
    return 0;
}

ck_status ck_table_drop_missing(ck_table *t, const char *const *cols, size_t ncols,
                                size_t *dropped, ck_error *err)
{
    *dropped = 0;
    for (size_t j = 0; j < t->ncols; j++)
        if (t->col[j].view)
            return ck_error_set(err, CK_EUSAGE, "%s: column '%s' is the caller's array, not "
                                                "the table's to change", t->source, t->col[j].name);
    unsigned char *keep = malloc(t->nrows ? t->nrows : 1);
    if (!keep)
        return ck_error_set(err, CK_ENOMEM, "%s: out of memory dropping rows", t->source);
    for (size_t i = 0; i < t->nrows; i++)
        keep[i] = 1;
    for (size_t k = 0; k < ncols; k++) {
        long j = ck_table_find(t, cols[k]);
        const ck_column *c = j < 0 ? NULL : &t->col[j];
        for (size_t i = 0; c && i < t->nrows; i++)
            if (c->type == CK_COL_NUMERIC ? isnan(c->num[i]) : c->code[i] < 0)
                keep[i] = 0;
    }
    for (size_t i = 0; i < t->nrows; i++)
        *dropped += !keep[i];
    int rc = *dropped ? keep_rows(t, keep) : 0;
    free(keep);
    return rc == 0 ? CK_OK
                   : ck_error_set(err, CK_ENOMEM, "%s: out of memory dropping rows", t->source);
}

/* Word-at-a-time hashing: each 64-bit word is mixed in with a multiply and
 * a rotation (the FNV offset and prime as constants), eight times faster
 * than byte-wise FNV on a table of numbers.  Text goes in byte-wise. */
static unsigned long long mix(unsigned long long h, unsigned long long word)
{
    h ^= word;
    h *= 1099511628211ULL;
    return (h << 29) | (h >> 35);
}

static unsigned long long mix_bytes(unsigned long long h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = mix(h, (unsigned char)s[i]);
    return mix(h, n);
}

/* One column's hash; the columns are hashed in parallel and then mixed in
 * column order, so the result does not depend on the threads. */
static unsigned long long column_hash(const ck_column *c, size_t nrows)
{
    unsigned long long h = 14695981039346656037ULL;
    h = mix_bytes(h, c->name, strlen(c->name));
    h = mix(h, (unsigned long long)c->type);
    for (size_t i = 0; i < nrows; i++) {
        if (c->type == CK_COL_NUMERIC) {
            double v = isnan(c->num[i]) ? NAN : c->num[i]; /* one NaN pattern */
            unsigned long long bits;
            memcpy(&bits, &v, sizeof bits);
            h = mix(h, bits);
        } else if (c->code[i] < 0) {
            h = mix(h, ~0ULL);
        } else {
            const char *s = ck_dict_str(c->levels, c->code[i]);
            h = mix_bytes(h, s, strlen(s));
        }
    }
    return h;
}

typedef struct hash_job {
    const ck_table *t;
    unsigned long long *h;
} hash_job;

static void hash_one(void *arg, size_t j, size_t worker)
{
    hash_job *job = arg;
    (void)worker;
    job->h[j] = column_hash(&job->t->col[j], job->t->nrows);
}

unsigned long long ck_table_hash(const ck_table *t, size_t threads)
{
    unsigned long long h = mix(14695981039346656037ULL, t->nrows);
    unsigned long long *hc = malloc((t->ncols ? t->ncols : 1) * sizeof *hc);
    hash_job job = {t, hc};
    if (hc)
        ck_parallel_for(t->ncols, threads, hash_one, &job);
    for (size_t j = 0; j < t->ncols; j++)
        h = mix(h, hc ? hc[j] : column_hash(&t->col[j], t->nrows));
    free(hc);
    return h;
}

const char *ck_table_text(const ck_table *t, size_t col, size_t row)
{
    const ck_column *c = &t->col[col];
    if (c->type != CK_COL_CATEGORICAL || c->code[row] < 0)
        return NULL;
    return ck_dict_str(c->levels, c->code[row]);
}

/* ------------------------------------------------------------------ */
/* loading */

typedef struct loader {
    ck_table *t;
    ck_csv_reader *r;
    long *target;        /* csv column -> table column, or -1 (skipped) */
    size_t ncsv;         /* entries in target: the file's columns */
    ck_coltype *forced;  /* by table column: 0 = inferred */
    int fixed;           /* the column arrays are windows into a shared
                            table: never grow or free them */
} loader;

static int grow_rows(ck_table *t)
{
    size_t cap = t->cap ? 2 * t->cap : 1024;
    for (size_t j = 0; j < t->ncols; j++) {
        ck_column *c = &t->col[j];
        if (c->type == CK_COL_NUMERIC) {
            double *p = realloc(c->num, cap * sizeof *p);
            if (!p)
                return -1;
            ck_mem_huge(p, cap * sizeof *p);
            c->num = p;
        } else {
            int32_t *p = realloc(c->code, cap * sizeof *p);
            if (!p)
                return -1;
            ck_mem_huge(p, cap * sizeof *p);
            c->code = p;
        }
    }
    if (t->line) {
        unsigned long *p = realloc(t->line, cap * sizeof *p);
        if (!p)
            return -1;
        t->line = p;
    }
    t->cap = cap;
    return 0;
}

/* Turns a numeric column categorical after `nrows` rows: the numbers read so
 * far become levels written as the shortest decimal that reads back. */
static int to_categorical(ck_column *c, size_t nrows, size_t cap, int fixed)
{
    int32_t *code = malloc((cap ? cap : 1) * sizeof *code);
    ck_dict *levels = ck_dict_new();
    if (!code || !levels) {
        free(code);
        ck_dict_free(levels);
        return -1;
    }
    for (size_t i = 0; i < nrows; i++) {
        if (isnan(c->num[i])) {
            code[i] = -1;
            continue;
        }
        char buf[CK_NUM_BUFSIZE];
        size_t n = ck_num_format(c->num[i], buf);
        code[i] = ck_dict_intern(levels, buf, n);
        if (code[i] < 0) {
            free(code);
            ck_dict_free(levels);
            return -1;
        }
    }
    if (!fixed)
        free(c->num);
    c->num = NULL;
    c->code = code;
    c->levels = levels;
    c->type = CK_COL_CATEGORICAL;
    return 0;
}

/* Shows at most 40 bytes of a cell in a message. */
static void excerpt(const char *s, size_t len, char *out, size_t outsz)
{
    if (len > 40)
        snprintf(out, outsz, "%.37s...", s);
    else
        snprintf(out, outsz, "%.*s", (int)len, s);
}

static ck_status load_cell(loader *ld, size_t tc, size_t csv_col, const char *s, size_t len,
                           unsigned long line, ck_error *err)
{
    ck_table *t = ld->t;
    ck_column *c = &t->col[tc];
    size_t i = t->nrows;

    if (c->type == CK_COL_NUMERIC) {
        double v;
        char show[48];
        switch (ck_num_parse_field(s, len, &v)) { /* a ck_csv_row field */
        case CK_NUM_OK:
            c->num[i] = v;
            return CK_OK;
        case CK_NUM_MISSING:
            c->num[i] = NAN;
            return CK_OK;
        case CK_NUM_INF:
            excerpt(s, len, show, sizeof show);
            return ck_error_at(err, CK_EDATA, t->source, line, csv_col + 1,
                               "value '%s' in column '%s' is infinite or too large for a double",
                               show, c->name);
        case CK_NUM_BAD:
            if (ld->forced[tc] == CK_COL_NUMERIC) {
                int comma = ck_num_decimal_comma(s, len);
                excerpt(s, len, show, sizeof show);
                return ck_error_at(err, CK_EDATA, t->source, line, csv_col + 1,
                                   "text '%s' in numeric column '%s'%s%s", show, c->name,
                                   comma ? ": " : "", comma ? CK_NUM_DECIMAL_COMMA_HINT : "");
            }
            if (to_categorical(c, i, t->cap, ld->fixed) != 0)
                return ck_error_set(err, CK_ENOMEM, "%s: out of memory", t->source);
            break;
        }
    }
    if (ck_num_is_missing_token(s, len)) {
        c->code[i] = -1;
        return CK_OK;
    }
    c->code[i] = ck_dict_intern(c->levels, s, len);
    if (c->code[i] < 0)
        return ck_error_set(err, CK_ENOMEM, "%s: out of memory", t->source);
    return CK_OK;
}

/* Keeps the line of each row once rows stop being one a line. */
static int note_line(ck_table *t, unsigned long line)
{
    size_t i = t->nrows;
    if (i == 0)
        t->first_line = line;
    if (!t->line && line == t->first_line + i)
        return 0;
    if (!t->line) {
        t->line = malloc(t->cap * sizeof *t->line);
        if (!t->line)
            return -1;
        for (size_t k = 0; k < i; k++)
            t->line[k] = t->first_line + k;
    }
    t->line[i] = line;
    return 0;
}

/* One row's cells into the table (a row of the reader's, or of the plain
 * path's). */
static ck_status load_row(loader *ld, const ck_csv_row *row, ck_error *err)
{
    ck_table *t = ld->t;
    if (t->nrows == t->cap && (ld->fixed || grow_rows(t) != 0))
        return ck_error_set(err, CK_ENOMEM, "%s: out of memory after %zu rows", t->source,
                            t->nrows);
    if (note_line(t, row->line) != 0)
        return ck_error_set(err, CK_ENOMEM, "%s: out of memory", t->source);
    /* ncsv as counted by setup_columns: every reader of the file agrees */
    for (size_t j = 0; j < ld->ncsv; j++) {
        if (ld->target[j] < 0)
            continue;
        ck_status st = load_cell(ld, (size_t)ld->target[j], j, row->field[j], row->len[j],
                                 row->line, err);
        if (st != CK_OK)
            return st;
    }
    t->nrows++;
    return CK_OK;
}

static ck_status load_rows(loader *ld, ck_error *err)
{
    ck_csv_row row;
    int rc;
    while ((rc = ck_csv_next(ld->r, &row, err)) == 1) {
        ck_status st = load_row(ld, &row, err);
        if (st != CK_OK)
            return st;
    }
    return rc < 0 ? (err ? err->status : CK_EDATA) : CK_OK;
}

/* Bytes the plain path reads at a time. */
enum { PLAIN_BLOCK = 1 << 20 };

/* Whether the plain path stops before buf[pos..have): the range is read to
 * its end, or the rest holds a row the reader must take -- a line end that
 * ck_csv_plain_row refused there, a row as long as a block, the range's
 * last line without its line end. */
static int plain_stops(const char *buf, size_t pos, size_t have, size_t got,
                       unsigned long long left)
{
    if (pos == have && left == 0)
        return 1;
    return got == 0 || memchr(buf + pos, '\n', have - pos) != NULL ||
           (pos == 0 && have == PLAIN_BLOCK);
}

/* The rows at the start of fp's next len bytes that need none of the
 * reader's rules (ck_csv_plain_row, the scorer's fast path), split in place
 * a block at a time and loaded without the reader, which copies every field
 * into its batches on the way (a third of the time of loading a file of
 * numbers); *used gets the bytes taken and *lines their line ends.  It
 * stops at the first row that needs the reader (a quote, a lone CR, a
 * ragged row...), and load_range hands the rest to it, whose messages are
 * then the reader's own. */
static ck_status load_plain(loader *ld, FILE *fp, unsigned long long len, const ck_csv_options *co,
                            unsigned long line_offset, unsigned long long *used,
                            unsigned long *lines, ck_error *err)
{
    size_t max = co->max_field ? co->max_field : CK_CSV_MAX_FIELD, have = 0;
    char delim = co->delim ? co->delim : ',';
    char *buf = malloc(PLAIN_BLOCK + CK_NUM_PAD);
    const char **field = malloc((ld->ncsv ? ld->ncsv : 1) * sizeof *field);
    size_t *flen = malloc((ld->ncsv ? ld->ncsv : 1) * sizeof *flen);
    ck_status st = CK_OK;
    *used = 0;
    *lines = 0;
    if (!buf || !field || !flen)
        st = ck_error_set(err, CK_ENOMEM, "%s: out of memory", ld->t->source);
    for (unsigned long long left = len; st == CK_OK;) {
        size_t want = PLAIN_BLOCK - have < left ? PLAIN_BLOCK - have : (size_t)left;
        size_t got = want ? fread(buf + have, 1, want, fp) : 0, pos = 0, n, nf;
        left -= got;
        have += got;
        memset(buf + have, 0, CK_NUM_PAD); /* ck_csv_row's padding */
        while (st == CK_OK && pos < have &&
               (n = ck_csv_plain_row(buf + pos, have - pos, delim, ld->ncsv, max, field, flen,
                                     &nf)) > 0) {
            pos += n;
            ++*lines;
            ck_csv_row row = {.n = ld->ncsv, .field = field, .len = flen,
                              .line = line_offset + *lines};
            if (nf > 0) /* not a blank line, which the reader skips too */
                st = load_row(ld, &row, err);
        }
        *used += pos;
        if (st != CK_OK || plain_stops(buf, pos, have, got, left))
            break;
        memmove(buf, buf + pos, have - pos);
        have -= pos;
    }
    free(buf);
    free(field);
    free(flen);
    return st;
}

/* Marks the file columns named in list[0..n) with `mark` in by_csv; a name
 * the file lacks is an error unless `optional`. */
static ck_status mark_names(const ck_csv_reader *r, const char *const *list, size_t n,
                            int optional, ck_coltype mark, ck_coltype *by_csv, ck_error *err)
{
    for (size_t k = 0; k < n; k++) {
        long j = ck_csv_find(r, list[k]);
        if (j < 0 && !optional)
            return missing_column(ck_csv_source(r), list[k], ck_csv_names(r),
                                  ck_csv_ncols(r), 0, err);
        if (j >= 0 && !by_csv[j])
            by_csv[j] = mark;
    }
    return CK_OK;
}

/* Decides from the header which columns to keep and their forced types, and
 * adds those columns to ld->t.  Lookups go through the reader's name index:
 * a file may have 1e5 columns. */
static ck_status setup_columns(loader *ld, const ck_table_options *opt, ck_error *err)
{
    ck_csv_reader *r = ld->r;
    size_t ncsv = ld->ncsv = ck_csv_ncols(r);
    /* keep[j]: named in usecols (any nonzero mark will do) */
    ck_coltype *keep = calloc(ncsv ? ncsv : 1, sizeof *keep);
    ck_coltype *type = calloc(ncsv ? ncsv : 1, sizeof *type);
    ld->target = malloc((ncsv ? ncsv : 1) * sizeof *ld->target);
    ld->forced = calloc(ncsv ? ncsv : 1, sizeof *ld->forced);
    ck_status st = CK_OK;
    if (!keep || !type || !ld->target || !ld->forced)
        st = ck_error_set(err, CK_ENOMEM, "out of memory");
    /* categorical first: it wins over numeric, as it always has */
    if (st == CK_OK)
        st = mark_names(r, opt->usecols, opt->nusecols, 0, CK_COL_NUMERIC, keep, err);
    if (st == CK_OK)
        st = mark_names(r, opt->categorical, opt->ncategorical, 0, CK_COL_CATEGORICAL, type, err);
    if (st == CK_OK)
        st = mark_names(r, opt->numeric, opt->nnumeric, opt->numeric_optional, CK_COL_NUMERIC,
                        type, err);
    for (size_t j = 0; st == CK_OK && j < ncsv; j++) {
        ld->target[j] = -1;
        if (opt->usecols && !keep[j])
            continue;
        ld->forced[ld->t->ncols] = type[j];
        ld->target[j] = (long)ld->t->ncols;
        if (!append_column(ld->t, ck_csv_name(r, j), type[j] ? type[j] : CK_COL_NUMERIC))
            st = ck_error_set(err, CK_ENOMEM, "out of memory");
    }
    free(keep);
    free(type);
    return st;
}

/* ------------------------------------------------------------------ */
/* Parallel loading.  The file is cut into parts of whole rows
 * (ck_csv_split), and each part is loaded by its own thread straight into
 * its window of the final column arrays: a part of L line ends holds at most
 * L + 1 rows, so the windows are known before parsing.  Afterwards the
 * windows are closed up where a part had fewer rows (blank lines, multi-line
 * rows), and categorical codes are mapped into one dictionary.  The result
 * equals a sequential load; where it might not -- an error in a part, or a
 * column whose type differs between parts -- the caller loads sequentially,
 * which also reports the first error exactly. */

enum { PARALLEL_MIN_BYTES = 4 << 20, MAX_PARTS = 8 };

typedef struct part {
    loader ld;                /* its table's arrays are windows into `whole` */
    const char *path;
    const ck_table_options *opt;
    const char *const *names;
    size_t ncsv;
    size_t row0;              /* the window's first row in `whole` */
    unsigned long long start, len;
    unsigned long line_offset;
    ck_status status;
    ck_error err;
} part;

/* Loads into ld the rows of the byte range [start, start + len) of path,
 * a part without a header whose columns are names[0..ncsv) and whose first
 * line follows line_offset others.  Serves the parallel parts and the one
 * part a process of a distributed fit reads. */
static int load_range(loader *ld, const char *path, const ck_table_options *opt,
                      const char *const *names, size_t ncsv, unsigned long long start,
                      unsigned long long len, unsigned long line_offset, int background,
                      ck_error *err)
{
    ck_csv_options co = opt->csv;
    co.no_header = 1;
    co.names = names;
    co.nnames = ncsv;
    co.background = background;
    co.line_offset = line_offset;
    co.max_bytes = len;
    if (len == 0)
        return CK_OK;
    FILE *fp = fopen(path, "rb");
    int st = CK_OK;
    unsigned long long used = 0;
    unsigned long lines = 0;
    if (!fp || fseeko(fp, (off_t)start, SEEK_SET) != 0)
        st = ck_error_set(err, CK_EIO, "%s: cannot read from byte %llu: %s", path, start,
                          strerror(errno));
    /* the plain rows first, the reader from the first row that needs it */
    if (st == CK_OK && !co.libcsv_only)
        st = load_plain(ld, fp, len, &co, line_offset, &used, &lines, err);
    co.line_offset = line_offset + lines;
    co.max_bytes = len - used;
    if (st == CK_OK && used < len && fseeko(fp, (off_t)(start + used), SEEK_SET) != 0)
        st = ck_error_set(err, CK_EIO, "%s: cannot read from byte %llu: %s", path,
                          start + used, strerror(errno));
    if (st == CK_OK && used < len &&
        (st = ck_csv_open_stream(&ld->r, fp, path, &co, err)) == CK_OK)
        st = load_rows(ld, err);
    ck_csv_close(ld->r);
    ld->r = NULL;
    if (fp)
        fclose(fp);
    return st;
}

static void *part_main(void *arg)
{
    part *p = arg;
    p->status = load_range(&p->ld, p->path, p->opt, p->names, p->ncsv, p->start, p->len,
                           p->line_offset, 0, &p->err);
    return NULL;
}

/* Sizes the columns of `whole` for `rows` rows. */
static int reserve_rows(ck_table *whole, size_t rows)
{
    whole->cap = rows ? rows : 1;
    for (size_t j = 0; j < whole->ncols; j++) {
        ck_column *c = &whole->col[j];
        void **arr = c->type == CK_COL_NUMERIC ? (void **)&c->num : (void **)&c->code;
        size_t elem = c->type == CK_COL_NUMERIC ? sizeof *c->num : sizeof *c->code;
        void *a = realloc(*arr, whole->cap * elem);
        if (!a)
            return -1;
        ck_mem_huge(a, whole->cap * elem);
        *arr = a;
    }
    return 0;
}

/* A table whose columns are windows of `cap` rows into `whole` from row0;
 * categorical columns get their own dictionary. */
static ck_table *window_of(const ck_table *whole, size_t row0, size_t cap)
{
    ck_table *p = ck_table_new(0, whole->source);
    if (!p)
        return NULL;
    p->col = calloc(whole->ncols ? whole->ncols : 1, sizeof *p->col);
    if (!p->col) {
        ck_table_free(p);
        return NULL;
    }
    p->ncols = whole->ncols;
    p->cap = cap;
    for (size_t j = 0; j < whole->ncols; j++) {
        const ck_column *w = &whole->col[j];
        ck_column *c = &p->col[j];
        c->type = w->type;
        if (w->type == CK_COL_NUMERIC)
            c->num = w->num + row0;
        else
            c->code = w->code + row0;
        if (w->type == CK_COL_CATEGORICAL && !(c->levels = ck_dict_new())) {
            ck_table_free(p);
            return NULL;
        }
    }
    return p;
}

/* Frees a window table: the arrays that are still windows belong to
 * `whole`; what the part allocated itself (codes of a column it turned
 * categorical, dictionaries, lines) is its own. */
static void window_free(ck_table *p, const ck_table *whole, size_t row0)
{
    if (!p)
        return;
    for (size_t j = 0; j < whole->ncols; j++) { /* a window has whole's columns */
        ck_column *c = &p->col[j];
        const ck_column *w = &whole->col[j];
        if (w->type == CK_COL_NUMERIC && c->num == w->num + row0)
            c->num = NULL;
        if (w->type == CK_COL_CATEGORICAL && c->code == w->code + row0)
            c->code = NULL;
        /* names are not set on windows */
    }
    ck_table_free(p);
}

/* Moves the rows of window k (n of them) to row `to` of `whole`, mapping
 * categorical codes into whole's dictionaries.  Returns 0, or -1 when out of
 * memory. */
static int gather_part(ck_table *whole, part *pk, size_t to)
{
    ck_table *p = pk->ld.t;
    size_t n = p->nrows;
    for (size_t j = 0; j < whole->ncols; j++) {
        ck_column *w = &whole->col[j], *c = &p->col[j];
        if (w->type == CK_COL_NUMERIC) {
            if (to != pk->row0)
                memmove(w->num + to, c->num, n * sizeof *w->num);
            continue;
        }
        size_t nl = ck_dict_size(c->levels);
        int32_t *map = malloc((nl ? nl : 1) * sizeof *map);
        if (!map)
            return -1;
        for (size_t k = 0; k < nl; k++) {
            const char *lv = ck_dict_str(c->levels, (int32_t)k);
            if ((map[k] = ck_dict_intern(w->levels, lv, strlen(lv))) < 0) {
                free(map);
                return -1;
            }
        }
        /* in place is safe: `to` never passes the window's own start */
        for (size_t i = 0; i < n; i++)
            w->code[to + i] = c->code[i] < 0 ? -1 : map[c->code[i]];
        free(map);
    }
    return 0;
}

/* A column that every part turned categorical gets codes in `whole` in
 * place of its doubles.  Returns 0, 1 when the parts disagree on its type
 * (load sequentially), or -1 when out of memory. */
static int settle_types(ck_table *whole, part *parts, size_t nparts)
{
    for (size_t j = 0; j < whole->ncols; j++) {
        ck_column *w = &whole->col[j];
        size_t ncat = 0, nused = 0;
        for (size_t k = 0; k < nparts; k++) {
            if (parts[k].ld.t->nrows == 0)
                continue;
            nused++;
            ncat += parts[k].ld.t->col[j].type == CK_COL_CATEGORICAL;
        }
        if (w->type == CK_COL_CATEGORICAL || ncat == 0)
            continue;
        if (ncat != nused)
            return 1;
        /* every part converted: whole's doubles become codes */
        int32_t *code = malloc(whole->cap * sizeof *code);
        ck_dict *levels = ck_dict_new();
        if (!code || !levels) {
            free(code);
            ck_dict_free(levels);
            return -1;
        }
        free(w->num);
        w->num = NULL;
        w->code = code;
        w->levels = levels;
        w->type = CK_COL_CATEGORICAL;
        for (size_t k = 0; k < nparts; k++) { /* the windows now point at codes */
            ck_column *c = &parts[k].ld.t->col[j];
            if (parts[k].ld.t->nrows == 0) {
                c->type = CK_COL_CATEGORICAL;
                c->num = NULL;
            }
        }
    }
    return 0;
}

/* The line of every row, when some part's rows are not one a line. */
static int gather_lines(ck_table *whole, part *parts, size_t nparts, size_t nrows)
{
    int regular = 1;
    unsigned long next = 0;
    int have_first = 0;
    for (size_t k = 0; k < nparts; k++) {
        ck_table *p = parts[k].ld.t;
        if (p->nrows == 0)
            continue;
        if (!have_first) {
            whole->first_line = p->first_line;
            next = p->first_line;
            have_first = 1;
        }
        regular = regular && !p->line && p->first_line == next;
        next = p->first_line + p->nrows;
    }
    if (regular)
        return 0;
    whole->line = malloc((nrows ? nrows : 1) * sizeof *whole->line);
    if (!whole->line)
        return -1;
    size_t i = 0;
    for (size_t k = 0; k < nparts; k++)
        for (size_t r = 0; r < parts[k].ld.t->nrows; r++)
            whole->line[i++] = ck_table_line(parts[k].ld.t, r);
    return 0;
}

/* Joins the loaded parts into ld->t.  Returns 0, 1 (load sequentially) or
 * -1 (out of memory). */
static int join_parts(loader *ld, part *parts, size_t nparts)
{
    ck_table *whole = ld->t;
    int rc = settle_types(whole, parts, nparts);
    if (rc != 0)
        return rc;
    size_t to = 0;
    for (size_t k = 0; k < nparts; k++) {
        if (parts[k].ld.t->nrows && gather_part(whole, &parts[k], to) != 0)
            return -1;
        to += parts[k].ld.t->nrows;
    }
    if (gather_lines(whole, parts, nparts, to) != 0)
        return -1;
    whole->nrows = to;
    return 0;
}

static size_t processors(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (size_t)n;
}

/* Returns CK_OK with ld->t loaded, CK_ENOMEM, or -1 when the caller must
 * load sequentially. */
static int load_parallel(loader *ld, const char *path, const ck_table_options *opt,
                         const char *const *names, size_t ncsv, ck_error *err)
{
    size_t nparts = opt->threads ? (size_t)opt->threads : processors();
    if (nparts > MAX_PARTS)
        nparts = MAX_PARTS;
    unsigned long long start[MAX_PARTS + 1];
    unsigned long lines[MAX_PARTS + 1];
    if (ck_csv_split(path, nparts, start, lines, err) != CK_OK)
        return -1;
    part parts[MAX_PARTS];
    pthread_t tid[MAX_PARTS];
    int started[MAX_PARTS] = {0};
    memset(parts, 0, sizeof parts);
    size_t rows = 0;
    for (size_t k = 0; k < nparts; k++)
        rows += lines[k + 1] - lines[k] + 1;
    if (reserve_rows(ld->t, rows) != 0) {
        ck_error_set(err, CK_ENOMEM, "%s: out of memory", path);
        return CK_ENOMEM;
    }
    int result = CK_OK;
    for (size_t k = 0, row0 = 0; k < nparts; k++) {
        part *p = &parts[k];
        size_t cap = lines[k + 1] - lines[k] + 1;
        *p = (part){.path = path, .opt = opt, .names = names, .ncsv = ncsv, .row0 = row0,
                    .start = start[k], .len = start[k + 1] - start[k],
                    .line_offset = lines[k]};
        p->ld = (loader){.target = ld->target, .ncsv = ld->ncsv, .forced = ld->forced,
                         .fixed = 1, .t = window_of(ld->t, row0, cap)};
        row0 += cap;
        if (!p->ld.t) {
            result = CK_ENOMEM;
            break;
        }
        if (k > 0)
            started[k] = pthread_create(&tid[k], NULL, part_main, p) == 0;
    }
    if (result == CK_OK)
        part_main(&parts[0]);
    for (size_t k = 1; k < nparts; k++) {
        if (started[k])
            pthread_join(tid[k], NULL);
        else if (result == CK_OK)
            part_main(&parts[k]); /* no thread: load it here */
    }
    for (size_t k = 0; k < nparts && result == CK_OK; k++)
        if (parts[k].status != CK_OK)
            result = -1; /* the sequential load reports the first error */
    if (result == CK_OK) {
        int rc = join_parts(ld, parts, nparts);
        result = rc == 0 ? CK_OK : rc > 0 ? -1 : CK_ENOMEM;
    }
    for (size_t k = 0; k < nparts; k++)
        window_free(parts[k].ld.t, ld->t, parts[k].row0);
    if (result == CK_ENOMEM)
        ck_error_set(err, CK_ENOMEM, "%s: out of memory", path);
    return result;
}

/* A copy of the header's names (NULL when out of memory). */
static char **copy_names(const ck_csv_reader *r)
{
    size_t ncsv = ck_csv_ncols(r);
    char **names = calloc(ncsv + 1, sizeof *names);
    for (size_t j = 0; names && j < ncsv; j++)
        if (!(names[j] = strdup(ck_csv_name(r, j)))) {
            ck_strv_free(names);
            return NULL;
        }
    return names;
}

/* One attempt at loading: in parallel parts when allowed and worthwhile
 * (returns -1 when the parts cannot give the sequential result), else in
 * one piece. */
static int read_once(ck_table **out, const char *path, const ck_table_options *opt,
                     int parallel, ck_error *err)
{
    loader ld = {0};
    char **names = NULL;
    ck_csv_options co = opt->csv;
    if (opt->threads == 1)
        co.background = 0; /* one thread means no parser thread either */
    int st = ck_csv_open(&ld.r, path, &co, err);
    if (st != CK_OK)
        return st;
    ld.t = ck_table_new(0, ck_csv_source(ld.r));
    if (!ld.t) {
        st = ck_error_set(err, CK_ENOMEM, "out of memory");
        goto done;
    }
    ld.t->cap = 1024;
    if ((st = setup_columns(&ld, opt, err)) != CK_OK)
        goto done;
    if (opt->part || parallel) {
        size_t ncsv = ck_csv_ncols(ld.r);
        if (!(names = copy_names(ld.r))) {
            st = ck_error_set(err, CK_ENOMEM, "out of memory");
            goto done;
        }
        if (opt->part) { /* the header was read by ld.r; the range replaces it */
            ck_csv_close(ld.r);
            ld.r = NULL;
            st = load_range(&ld, path, opt, (const char *const *)names, ncsv, opt->part_start,
                            opt->part_length, opt->part_lines, co.background, err);
        } else {
            st = load_parallel(&ld, path, opt, (const char *const *)names, ncsv, err);
        }
    } else {
        st = load_rows(&ld, err);
    }
    if (st != CK_OK)
        goto done;
    if (ld.t->nrows == 0 && !opt->allow_empty && !opt->part) {
        st = ck_error_at(err, CK_EDATA, ld.t->source, 0, 0, "no data rows (only a header)");
        goto done;
    }
    *out = ld.t;
    ld.t = NULL;
done:
    ck_strv_free(names);
    ck_table_free(ld.t);
    ck_csv_close(ld.r);
    free(ld.target);
    free(ld.forced);
    return st;
}

/* Whether a parallel load is worth trying: a regular file of some size,
 * with a header, and more than one thread allowed. */
static int parallel_worthwhile(const char *path, const ck_table_options *opt)
{
    struct stat sb;
    size_t threads = opt->threads ? (size_t)opt->threads : processors();
    return threads > 1 && !opt->csv.no_header && stat(path, &sb) == 0 &&
           S_ISREG(sb.st_mode) && sb.st_size >= PARALLEL_MIN_BYTES;
}

ck_status ck_table_read_csv(ck_table **out, const char *path, const ck_table_options *opt,
                            ck_error *err)
{
    ck_table_options defaults;
    *out = NULL;
    if (!opt) {
        ck_table_options_init(&defaults);
        opt = &defaults;
    }
    if (strcmp(path, "-") != 0 && !opt->part && parallel_worthwhile(path, opt)) {
        int st = read_once(out, path, opt, 1, err);
        if (st >= 0)
            return (ck_status)st;
    }
    return (ck_status)read_once(out, path, opt, 0, err);
}
