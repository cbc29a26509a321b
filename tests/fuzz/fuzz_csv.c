/* fuzz_csv.c -- libFuzzer harness for the CSV reader and the number parser:
 * any bytes, read as CSV (the first byte picks the delimiter and whether
 * there is a header), every row and every cell parsed as a number.  Must
 * never crash, leak or hang; errors are fine.  It is also a differential
 * test of the reader's fast path for lines without quotes: the same bytes
 * read with every byte through libcsv (libcsv_only) must give the same
 * rows, lines and error, or it traps. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "churnkit/csv.h"
#include "churnkit/num.h"

/* A running FNV-1a hash of everything a reader says. */
static uint64_t mix(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211ULL;
    return h;
}

/* Reads data as CSV with o; returns the hash of the header, every row's
 * line, field lengths and bytes, and the final status and message. */
static uint64_t read_all(const uint8_t *data, size_t size, const ck_csv_options *o)
{
    ck_csv_reader *r;
    ck_error err;
    ck_csv_row row;
    uint64_t h = 1469598103934665603ULL;
    ck_status st = ck_csv_open_mem(&r, (const char *)data, size, "fuzz", o, &err);
    if (st == CK_OK) {
        int rc;
        for (size_t j = 0; j < ck_csv_ncols(r); j++)
            h = mix(h, ck_csv_name(r, j), strlen(ck_csv_name(r, j)) + 1);
        while ((rc = ck_csv_next(r, &row, &err)) == 1) {
            h = mix(h, &row.line, sizeof row.line);
            for (size_t j = 0; j < row.n; j++) {
                double v;
                (void)ck_num_parse(row.field[j], row.len[j], &v);
                if (strlen(row.field[j]) > row.len[j])
                    __builtin_trap(); /* a field longer than its length says */
                h = mix(h, &row.len[j], sizeof row.len[j]);
                h = mix(h, row.field[j], row.len[j]);
            }
        }
        st = rc < 0 ? err.status : CK_OK;
        ck_csv_close(r);
    }
    h = mix(h, &st, sizeof st);
    if (st != CK_OK)
        h = mix(h, err.message, strlen(err.message));
    return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char delims[] = {',', '\t', ';'};
    static const char *names[] = {"a", "b", "c"};
    if (size == 0)
        return 0;
    ck_csv_options o;
    ck_csv_options_init(&o);
    o.delim = delims[data[0] % 3];
    o.no_header = (data[0] >> 2) & 1;
    o.block_size = 1 + (data[0] >> 3) * 64; /* rows across block edges */
    o.max_field = 4096;
    if (o.no_header && (data[0] >> 7)) {
        o.names = names;
        o.nnames = 3;
    }
    uint64_t fast = read_all(data + 1, size - 1, &o);
    o.libcsv_only = 1;
    if (read_all(data + 1, size - 1, &o) != fast)
        __builtin_trap(); /* the fast path and libcsv disagree */
    return 0;
}
