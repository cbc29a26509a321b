/*
 * mpi.h -- what churnkit-train-mpi adds to churnkit-train (built from the
 * same churnkit-train.c with CK_MPI): the processes' ck_reducer over MPI,
 * each process's shard of the data, and ending the whole job from the
 * process that failed.  The library itself never calls MPI.
 */
#ifndef CK_MPI_H
#define CK_MPI_H

#include "churnkit/reduce.h"
#include "churnkit/table.h"

typedef struct ck_mpi {
    int rank, size;
    ck_reducer red;
} ck_mpi;

/* MPI_Init; fills m.  Errors in MPI calls abort the job (MPI's default). */
void ck_mpi_start(ck_mpi *m, int *argc, char ***argv);

/* Reads this process's shard into *out.  `data` is one file, cut at row
 * boundaries into as many parts as processes (by process 0, following
 * quotes), or a comma-separated list of exactly as many files as processes,
 * one each.  The column types are then agreed: a column that is text in any
 * shard is read as text in all, so every process encodes the same way. */
ck_status ck_mpi_read(ck_mpi *m, const char *data, const ck_table_options *opt,
                      ck_table **out, ck_error *err);

/* Ends the whole job from this process: prints "PROG: process R of N:
 * MESSAGE" on stderr and calls MPI_Abort with the exit code for the
 * status, so no other process waits for ever.  Does not return. */
void ck_mpi_fail(const ck_mpi *m, const char *prog, const ck_error *err);

/* MPI_Finalize. */
void ck_mpi_finish(void);

#endif
