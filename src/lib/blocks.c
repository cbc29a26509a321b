/* blocks.c -- a CSV stream cut into blocks of whole rows (see blocks.h). */
#include "churnkit/blocks.h"
#include "churnkit/num.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void ck_blocks_init(ck_blocks *b, FILE *fp, const char *source)
{
    memset(b, 0, sizeof *b);
    b->fp = fp;
    b->source = source;
    b->max_field = CK_CSV_MAX_FIELD;
}

void ck_blocks_fini(ck_blocks *b)
{
    free(b->buf);
    b->buf = NULL;
    b->len = b->cap = 0;
}

/* Reads until `want` bytes are buffered or the stream ends: 0, -1 out of
 * memory, -2 a read error (errnum set). */
static int fill(ck_blocks *b, size_t want)
{
    while (!b->eof && b->len < want) {
        if (b->cap - b->len < CK_BLOCK_BYTES) {
            size_t cap = b->cap ? 2 * b->cap : 2 * CK_BLOCK_BYTES;
            char *buf = realloc(b->buf, cap);
            if (!buf)
                return -1;
            b->buf = buf;
            b->cap = cap;
        }
        size_t room = b->cap - b->len, ask = want - b->len < room ? want - b->len : room;
        size_t n = fread(b->buf + b->len, 1, ask, b->fp);
        b->len += n;
        if (n == 0) {
            if (ferror(b->fp)) {
                b->errnum = errno;
                return -2;
            }
            b->eof = 1;
        }
    }
    return 0;
}

static ck_status fill_error(const ck_blocks *b, int rc, ck_error *err)
{
    if (rc == -1)
        return ck_error_set(err, CK_ENOMEM, "%s: out of memory", b->source);
    return ck_error_set(err, CK_EIO, "%s: read error: %s", b->source, strerror(b->errnum));
}

/* The end of the first row whose line end lies at or after buf[from],
 * reading on while the buffer has none; the whole buffer at the end of the
 * stream (a last row without a line end).  *lines gets the line ends
 * before the cut.  The scan goes on from where it stopped as the buffer
 * grows (a rescan from the start would be quadratic in a long row), and a
 * quoted field left open longer than the field limit stops it, named at
 * its quote's line: otherwise a missing closing quote would read the whole
 * stream into memory.  0 with err set on a failure. */
static size_t cut_at(ck_blocks *b, size_t from, unsigned long *lines, ck_error *err)
{
    ck_csv_scan s = {0};
    size_t pos = 0;
    for (;;) {
        size_t cut = ck_csv_scan_row_end(&s, b->buf + pos, b->len - pos,
                                         from > pos ? from - pos : 0);
        *lines = s.lines;
        if (cut > 0 || b->eof)
            return cut > 0 ? pos + cut : b->len;
        pos = b->len;
        if (s.quoted && b->len - s.quote_at > b->max_field) {
            ck_error_at(err, CK_EDATA, b->source, b->lines + s.quote_line + 1, 0,
                        "field longer than the limit of %zu bytes (the quote that opens it "
                        "on this line is not closed)", b->max_field);
            return 0;
        }
        int rc = fill(b, b->len + CK_BLOCK_BYTES);
        if (rc != 0) {
            fill_error(b, rc, err);
            return 0;
        }
    }
}

/* Hands buf[0..cut) out: the rest moves to the front. */
static void consume(ck_blocks *b, size_t cut, unsigned long lines)
{
    b->lines += lines;
    memmove(b->buf, b->buf + cut, b->len - cut);
    b->len -= cut;
}

static ck_status copy_names(const ck_csv_options *csv, char ***names, size_t *n, ck_error *err)
{
    char **v = calloc(csv->nnames + 1, sizeof *v);
    if (!v)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    *names = v;
    *n = csv->nnames;
    for (size_t j = 0; j < csv->nnames; j++)
        if (!(v[j] = strdup(csv->names[j])))
            return ck_error_set(err, CK_ENOMEM, "out of memory");
    return CK_OK;
}

ck_status ck_blocks_header(ck_blocks *b, const ck_csv_options *csv, char ***names, size_t *n,
                           ck_error *err)
{
    *names = NULL;
    *n = 0;
    if (csv->no_header)
        return copy_names(csv, names, n, err);
    int rc = fill(b, CK_BLOCK_BYTES);
    if (rc != 0)
        return fill_error(b, rc, err);
    size_t start = 0;
    unsigned long lines = 0;
    if (b->len >= 3 && memcmp(b->buf, "\xEF\xBB\xBF", 3) == 0)
        start = 3;
    while (start < b->len && (b->buf[start] == '\n' || b->buf[start] == '\r'))
        start++;
    size_t cut = cut_at(b, start, &lines, err);
    if (cut == 0 && b->len > 0)
        return err ? err->status : CK_EIO;
    ck_csv_reader *r;
    ck_status st = ck_csv_open_mem(&r, b->buf, cut, b->source, csv, err);
    if (st == CK_OK) {
        size_t nc = ck_csv_ncols(r);
        char **v = calloc(nc + 1, sizeof *v);
        *names = v;
        *n = v ? nc : 0;
        for (size_t j = 0; v && j < nc && st == CK_OK; j++)
            if (!(v[j] = strdup(ck_csv_name(r, j))))
                st = ck_error_set(err, CK_ENOMEM, "out of memory");
        if (!v)
            st = ck_error_set(err, CK_ENOMEM, "out of memory");
        ck_csv_close(r);
    }
    consume(b, cut, lines);
    return st;
}

int ck_blocks_next(ck_blocks *b, ck_block_text *out, ck_error *err)
{
    int rc = fill(b, CK_BLOCK_BYTES);
    if (rc != 0) {
        fill_error(b, rc, err);
        return -1;
    }
    if (b->len == 0)
        return 0;
    /* a block ends with the row that crosses three quarters of the mark, so
     * that a normal row needs no second read */
    unsigned long lines = 0;
    size_t cut = cut_at(b, CK_BLOCK_BYTES / 4 * 3, &lines, err);
    if (cut == 0)
        return -1;
    if (cut + CK_NUM_PAD > out->cap) { /* the padding csv.h's rows have */
        char *t = realloc(out->text, cut + CK_NUM_PAD);
        if (!t) {
            ck_error_set(err, CK_ENOMEM, "%s: out of memory", b->source);
            return -1;
        }
        out->text = t;
        out->cap = cut + CK_NUM_PAD;
    }
    memcpy(out->text, b->buf, cut);
    memset(out->text + cut, 0, CK_NUM_PAD);
    out->len = cut;
    out->line_offset = b->lines;
    consume(b, cut, lines);
    return 1;
}
