/* plays.c -- a file of plays replacing built-in ones (see plays.h). */
#include "churnkit/plays.h"
#include "churnkit/csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ck_plays_free(const char **plays, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        free((char *)plays[k]);
        plays[k] = NULL;
    }
}

/* "a, b, c or d" into buf (cut short if it does not fit). */
static void name_list(const char *const *names, size_t n, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < n && used < size; k++) {
        const char *sep = k == 0 ? "" : k + 1 == n ? " or " : ", ";
        int w = snprintf(buf + used, size - used, "%s%s", sep, names[k]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

static long find_name(const char *const *names, size_t n, const char *s)
{
    for (size_t k = 0; k < n; k++)
        if (strcmp(names[k], s) == 0)
            return (long)k;
    return -1;
}

ck_status ck_plays_load(const char **plays, const char *const *names, size_t n,
                        const char *key, const char *play, const char *path, ck_error *err)
{
    ck_csv_reader *r;
    ck_csv_row row;
    ck_status st = ck_csv_open(&r, path, NULL, err);
    if (st != CK_OK)
        return st;
    long jk = ck_csv_find(r, key), jp = ck_csv_find(r, play);
    int rc = 0;
    if (jk < 0 || jp < 0)
        st = ck_error_set(err, CK_EDATA, "%s: the plays file needs columns '%s' and '%s'", path,
                          key, play);
    while (st == CK_OK && (rc = ck_csv_next(r, &row, err)) == 1) {
        long k = find_name(names, n, row.field[jk]);
        if (k < 0) {
            char list[256];
            name_list(names, n, list, sizeof list);
            st = ck_error_at(err, CK_EDATA, path, row.line, (unsigned long)jk + 1,
                             "unknown %s '%s' (%s)", key, row.field[jk], list);
            break;
        }
        free((char *)plays[k]);
        if (!(plays[k] = strdup(row.field[jp])))
            st = ck_error_set(err, CK_ENOMEM, "out of memory");
    }
    if (st == CK_OK && rc < 0)
        st = err->status;
    ck_csv_close(r);
    return st;
}
