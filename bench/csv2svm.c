/* csv2svm.c -- converts a numeric CSV with a label column to libsvm's
 * sparse text format (label index:value ...), for the LIBLINEAR and libsvm
 * peers of the benchmarks.  Its time is reported apart from theirs.
 *
 *   csv2svm FILE.csv LABEL > FILE.svm
 */
#include <stdio.h>
#include <string.h>

#include "churnkit/csv.h"
#include "churnkit/num.h"

int main(int argc, char **argv)
{
    ck_csv_reader *r;
    ck_csv_row row;
    ck_error err;
    if (argc != 3) {
        fprintf(stderr, "usage: csv2svm FILE.csv LABEL\n");
        return 2;
    }
    if (ck_csv_open(&r, argv[1], NULL, &err) != CK_OK) {
        fprintf(stderr, "csv2svm: %s\n", err.message);
        return 3;
    }
    long label = ck_csv_find(r, argv[2]);
    if (label < 0) {
        fprintf(stderr, "csv2svm: no column %s\n", argv[2]);
        ck_csv_close(r);
        return 3;
    }
    static char buf[1 << 16];
    setvbuf(stdout, buf, _IOFBF, sizeof buf);
    int rc;
    while ((rc = ck_csv_next(r, &row, &err)) == 1) {
        fputs(row.field[label], stdout);
        for (size_t j = 0, k = 1; j < row.n; j++) {
            if ((long)j == label)
                continue;
            fprintf(stdout, " %zu:%s", k++, row.field[j]);
        }
        fputc('\n', stdout);
    }
    ck_csv_close(r);
    if (rc < 0) {
        fprintf(stderr, "csv2svm: %s\n", err.message);
        return 3;
    }
    return 0;
}
