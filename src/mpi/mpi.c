/* mpi.c -- the MPI side of churnkit-train-mpi (see mpi.h). */
#include "mpi.h"

#include <limits.h>
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "churnkit/csv.h"
#include "churnkit/str.h"

/* The reducer's gather: MPI_Allgatherv of bytes, after an
 * MPI_Allgather of the counts.  MPI counts are ints: a process's part must
 * stay under 2 GiB (the training metrics gather 16 bytes a row). */
static int mpi_allgather(void *ctx, const void *mine, size_t n, void **all, size_t *each)
{
    const ck_mpi *m = ctx;
    long long mine_n = (long long)n, *counts = malloc((size_t)m->size * sizeof *counts);
    int *icounts = malloc((size_t)m->size * sizeof *icounts);
    int *displs = malloc((size_t)m->size * sizeof *displs);
    int rc = counts && icounts && displs ? 0 : -1;
    long long total = 0;
    if (rc == 0)
        MPI_Allgather(&mine_n, 1, MPI_LONG_LONG, counts, 1, MPI_LONG_LONG, MPI_COMM_WORLD);
    for (int k = 0; rc == 0 && k < m->size; k++) {
        if (counts[k] > INT_MAX || total > INT_MAX - counts[k])
            rc = -1;
        else {
            displs[k] = (int)total;
            icounts[k] = (int)counts[k];
            each[k] = (size_t)counts[k];
            total += counts[k];
        }
    }
    *all = rc == 0 ? malloc(total ? (size_t)total : 1) : NULL;
    if (rc == 0 && *all)
        MPI_Allgatherv(mine, (int)n, MPI_BYTE, *all, icounts, displs, MPI_BYTE, MPI_COMM_WORLD);
    else
        rc = -1;
    free(counts);
    free(icounts);
    free(displs);
    return rc;
}

/* The reducer's other collective: MPI_Allreduce of 64-bit integers, in
 * place, in pieces of at most INT_MAX elements (MPI counts are ints).  The
 * sums it is used for are exact, so the order Open MPI picks for the
 * additions cannot change a bit of the result. */
static int mpi_allreduce(void *ctx, int64_t *buf, size_t n, ck_reduce_op op)
{
    (void)ctx;
    MPI_Op mop = op == CK_REDUCE_SUM ? MPI_SUM : MPI_MAX;
    for (size_t at = 0; at < n;) {
        int count = n - at > (size_t)INT_MAX ? INT_MAX : (int)(n - at);
        if (MPI_Allreduce(MPI_IN_PLACE, buf + at, count, MPI_INT64_T, mop, MPI_COMM_WORLD) !=
            MPI_SUCCESS)
            return -1;
        at += (size_t)count;
    }
    return 0;
}

void ck_mpi_start(ck_mpi *m, int *argc, char ***argv)
{
    MPI_Init(argc, argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &m->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &m->size);
    m->red = (ck_reducer){.allgather = mpi_allgather,
                          .allreduce = mpi_allreduce,
                          .ctx = m,
                          .rank = (size_t)m->rank,
                          .size = (size_t)m->size};
}

void ck_mpi_finish(void)
{
    MPI_Finalize();
}

void ck_mpi_fail(const ck_mpi *m, const char *prog, const ck_error *err)
{
    fprintf(stderr, "%s: process %d of %d: %s\n", prog, m->rank, m->size, err->message);
    fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, ck_exit_code(err->status));
    exit(ck_exit_code(err->status)); /* not reached */
}

/* Process 0 cuts the file; every process learns its byte range. */
static ck_status my_part(const ck_mpi *m, const char *path, ck_table_options *opt,
                         ck_error *err)
{
    size_t n = (size_t)m->size + 1;
    unsigned long long *start = calloc(n, sizeof *start);
    unsigned long *lines = calloc(n, sizeof *lines);
    uint64_t *msg = calloc(2 * n, sizeof *msg);
    ck_status st = start && lines && msg ? CK_OK : ck_error_set(err, CK_ENOMEM, "out of memory");
    if (st == CK_OK && m->rank == 0 && (st = ck_csv_split(path, (size_t)m->size, start, lines,
                                                          err)) == CK_OK)
        for (size_t k = 0; k < n; k++) {
            msg[k] = start[k];
            msg[n + k] = lines[k];
        }
    if (st != CK_OK)
        ck_mpi_fail(m, "churnkit-train-mpi", err); /* the others wait in the broadcast */
    MPI_Bcast(msg, (int)(2 * n), MPI_UINT64_T, 0, MPI_COMM_WORLD);
    opt->part = 1;
    opt->part_start = msg[m->rank];
    opt->part_length = msg[m->rank + 1] - msg[m->rank];
    opt->part_lines = (unsigned long)msg[n + (size_t)m->rank];
    free(start);
    free(lines);
    free(msg);
    return st;
}

/* The columns that are text in some shard but numbers in this one, added
 * to the forced-categorical list *cat (a new array, borrowed names);
 * returns how many were added, or -1 when the shards' headers differ. */
static long agree_types(const ck_table *t, const char ***cat, size_t *ncat)
{
    /* the headers must match: compare a hash of the names and the count */
    unsigned long long h = 1469598103934665603ULL;
    for (size_t j = 0; j < t->ncols; j++)
        for (const char *s = t->col[j].name; *s; s++)
            h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    unsigned long long mine[2] = {h, t->ncols}, lo[2], hi[2];
    MPI_Allreduce(mine, lo, 2, MPI_UNSIGNED_LONG_LONG, MPI_MIN, MPI_COMM_WORLD);
    MPI_Allreduce(mine, hi, 2, MPI_UNSIGNED_LONG_LONG, MPI_MAX, MPI_COMM_WORLD);
    if (lo[0] != hi[0] || lo[1] != hi[1])
        return -1;
    int *type = malloc((t->ncols ? t->ncols : 1) * sizeof *type);
    int *all = malloc((t->ncols ? t->ncols : 1) * sizeof *all);
    const char **v = malloc((*ncat + t->ncols + 1) * sizeof *v);
    long added = 0;
    if (!type || !all || !v) {
        free(type);
        free(all);
        free(v);
        return -2;
    }
    for (size_t j = 0; j < t->ncols; j++)
        type[j] = (int)t->col[j].type;
    MPI_Allreduce(type, all, (int)t->ncols, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    memcpy(v, *cat, *ncat * sizeof *v);
    for (size_t j = 0; j < t->ncols; j++)
        if (all[j] == CK_COL_CATEGORICAL && type[j] != CK_COL_CATEGORICAL) {
            v[*ncat + (size_t)added] = t->col[j].name;
            added++;
        }
    *cat = v;
    *ncat += (size_t)added;
    free(type);
    free(all);
    return added;
}

ck_status ck_mpi_read(ck_mpi *m, const char *data, const ck_table_options *opt,
                      ck_table **out, ck_error *err)
{
    ck_table_options o = *opt;
    char **files = NULL;
    size_t nfiles = 0;
    const char *path = data;
    ck_status st = CK_OK;
    *out = NULL;
    if (strcmp(data, "-") == 0)
        return ck_error_set(err, CK_EUSAGE, "--data -: each process reads its own shard of a "
                                            "file; standard input cannot be shared");
    if (strchr(data, ',')) {
        if (!(files = ck_split_list(data, &nfiles)))
            return ck_error_set(err, CK_ENOMEM, "out of memory");
        if (nfiles != (size_t)m->size) {
            ck_strv_free(files);
            return ck_error_set(err, CK_EUSAGE, "--data lists %zu files for %d processes: give "
                                                "one file a process, or one file to cut",
                                nfiles, m->size);
        }
        path = files[m->rank];
        o.allow_empty = 1;
    } else if ((st = my_part(m, data, &o, err)) != CK_OK) {
        return st;
    }
    ck_table *t = NULL;
    const char **cat = (const char **)opt->categorical, **owned = NULL;
    size_t ncat = opt->ncategorical;
    if ((st = ck_table_read_csv(&t, path, &o, err)) != CK_OK)
        goto done;
    long added = agree_types(t, &cat, &ncat);
    if (added == -1 || added == -2) {
        st = added == -1 ? ck_error_set(err, CK_EDATA, "%s: the shards' headers differ", path)
                         : ck_error_set(err, CK_ENOMEM, "out of memory");
        goto done;
    }
    owned = cat;
    if (added > 0) { /* read again with those columns as text */
        ck_table_free(t);
        t = NULL;
        o.categorical = cat;
        o.ncategorical = ncat;
        st = ck_table_read_csv(&t, path, &o, err);
    }
done:
    free(owned);
    ck_strv_free(files);
    if (st == CK_OK)
        *out = t;
    else
        ck_table_free(t);
    return st;
}
