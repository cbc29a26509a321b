/* ck_read.c -- the reader benchmark's churnkit side: read a CSV into the
 * typed table and print its shape and a checksum (so nothing is skipped). */
#include <math.h>
#include <stdio.h>

#include "churnkit/table.h"

int main(int argc, char **argv)
{
    ck_table *t;
    ck_error err;
    if (argc != 2) {
        fprintf(stderr, "usage: ck_read FILE.csv\n");
        return 2;
    }
    if (ck_table_read_csv(&t, argv[1], NULL, &err) != CK_OK) {
        fprintf(stderr, "ck_read: %s\n", err.message);
        return ck_exit_code(err.status);
    }
    double sum = 0;
    for (size_t j = 0; j < t->ncols; j++)
        if (t->col[j].type == CK_COL_NUMERIC)
            for (size_t i = 0; i < t->nrows; i++)
                sum += isnan(t->col[j].num[i]) ? 0 : t->col[j].num[i];
    printf("%zu rows, %zu columns, checksum %.6f\n", t->nrows, t->ncols, sum);
    ck_table_free(t);
    return 0;
}
