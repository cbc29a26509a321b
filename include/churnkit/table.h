/*
 * table.h -- a typed column store read from CSV.
 *
 * Numeric columns are arrays of doubles with NaN for a missing value (8 bytes
 * a cell, no strings kept).  Categorical columns are arrays of int32 codes
 * (-1 missing) into a dictionary of their levels, numbered in order of first
 * appearance.
 *
 * Type inference: a column is numeric while every non-missing cell parses as
 * a number.  The first cell that does not turns the column categorical; the
 * numbers read before it become levels written as the shortest decimal that
 * reads back to the same double ("007" becomes "7").  Force a column's type
 * to avoid that, or to make text in a numeric column an error.
 */
#ifndef CHURNKIT_TABLE_H
#define CHURNKIT_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "churnkit/csv.h"
#include "churnkit/dict.h"
#include "churnkit/error.h"

typedef enum ck_coltype {
    CK_COL_NUMERIC = 1,
    CK_COL_CATEGORICAL = 2
} ck_coltype;

typedef struct ck_column {
    char *name;
    ck_coltype type;
    double *num;      /* CK_COL_NUMERIC: nrows values, NaN = missing */
    int32_t *code;    /* CK_COL_CATEGORICAL: nrows codes, -1 = missing */
    ck_dict *levels;  /* CK_COL_CATEGORICAL: level text by code */
    int view;         /* num is the caller's array (ck_table_add_numeric_view):
                         not freed, never written */
} ck_column;

typedef struct ck_table {
    size_t nrows, ncols;
    ck_column *col;
    char *source;          /* file name, for messages */
    unsigned long *line;   /* line of each row; NULL when row i is on line
                              first_line + i (no blank or multi-line rows) */
    unsigned long first_line;
    size_t cap;            /* allocated rows */
    ck_dict *index;        /* column name -> position (owned; NULL until
                              the first column): wide files have 1e5 */
} ck_table;

typedef struct ck_table_options {
    ck_csv_options csv;
    const char *const *usecols;     /* read only these columns (NULL: all) */
    size_t nusecols;
    const char *const *categorical; /* columns forced categorical */
    size_t ncategorical;
    const char *const *numeric;     /* columns forced numeric: text is an error */
    size_t nnumeric;
    int numeric_optional;           /* names in `numeric` the file lacks are not
                                       an error (a model's columns, checked later) */
    int allow_empty;                /* a header with no rows is not an error */
    int threads;                    /* parsing threads for a regular file:
                                       0 = one a processor, 1 = no threads.
                                       The table is the same either way. */
    int part;                       /* 1: read only the rows in bytes
                                       [part_start, part_start + part_length)
                                       of a regular file, a part cut by
                                       ck_csv_split (part_lines: its line
                                       offset); the header still comes from
                                       the file's start, and an empty part is
                                       an empty table, not an error */
    unsigned long long part_start, part_length;
    unsigned long part_lines;
} ck_table_options;

void ck_table_options_init(ck_table_options *opt);

/* Reads a whole CSV file ("-" for standard input) into a new table.  opt may
 * be NULL.  On success the caller owns *out (ck_table_free). */
ck_status ck_table_read_csv(ck_table **out, const char *path,
                            const ck_table_options *opt, ck_error *err);

/* An empty table of nrows rows, to fill with ck_table_add_*; NULL when out of
 * memory.  source may be NULL. */
ck_table *ck_table_new(size_t nrows, const char *source);

/* Adds a numeric column copying values[0..nrows). */
ck_status ck_table_add_numeric(ck_table *t, const char *name, const double *values,
                               ck_error *err);

/* Adds a numeric column that reads values[0..nrows) in place: no copy, and
 * ck_table_free leaves it alone.  The caller keeps the array alive and
 * unchanged while t lives, and passes t to nothing that changes rows
 * (ck_table_drop_missing).  For scoring a caller's buffer (frame.h). */
ck_status ck_table_add_numeric_view(ck_table *t, const char *name, const double *values,
                                    ck_error *err);

/* Adds a categorical column from text (NULL = missing). */
ck_status ck_table_add_text(ck_table *t, const char *name, const char *const *values,
                            ck_error *err);

void ck_table_free(ck_table *t);

/* Index of the column called name, or -1. */
long ck_table_find(const ck_table *t, const char *name);

/* Like ck_table_find, but a missing name is an error that lists the closest
 * existing names. */
ck_status ck_table_require(const ck_table *t, const char *name, size_t *index,
                           ck_error *err);

/* The input line of row i (for messages). */
unsigned long ck_table_line(const ck_table *t, size_t row);

/* Leaves out, in place, the rows missing a value in any of cols (a name t
 * lacks is passed over: who needs it says so), keeping each row's input
 * line for messages; *dropped counts them. */
ck_status ck_table_drop_missing(ck_table *t, const char *const *cols, size_t ncols,
                                size_t *dropped, ck_error *err);

/* Column names in order (an array the caller frees, strings owned by t). */
const char **ck_table_names(const ck_table *t);

/* A 64-bit hash (FNV-style multiply-xor, a word at a time) of the table's contents (column names and types,
 * the bits of every number, the text of every category), for recording
 * which data a model was trained on. */
unsigned long long ck_table_hash(const ck_table *t, size_t threads);

/* Text of a categorical cell, or NULL when missing. */
const char *ck_table_text(const ck_table *t, size_t col, size_t row);

#endif
