/* fuzz_csv.c -- libFuzzer harness for the CSV reader and the number parser:
 * any bytes, read as CSV (the first byte picks the delimiter and whether
 * there is a header), every row and every cell parsed as a number.  Must
 * never crash, leak or hang; errors are fine. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "churnkit/csv.h"
#include "churnkit/num.h"

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
    ck_csv_reader *r;
    ck_error err;
    ck_csv_row row;
    if (ck_csv_open_mem(&r, (const char *)data + 1, size - 1, "fuzz", &o, &err) != CK_OK)
        return 0;
    while (ck_csv_next(r, &row, &err) == 1)
        for (size_t j = 0; j < row.n; j++) {
            double v;
            (void)ck_num_parse(row.field[j], row.len[j], &v);
            if (strlen(row.field[j]) > row.len[j])
                __builtin_trap(); /* a field longer than its length says */
        }
    ck_csv_close(r);
    return 0;
}
