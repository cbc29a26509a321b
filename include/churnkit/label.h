/*
 * label.h -- the target column: a binary class or a number.
 *
 * Binary labels may be 0/1, yes/no, true/false or any two strings.  The
 * positive class is the one named by the caller; by default, of the two
 * values, the one spelled 1, yes, true, y or churned (any case); with
 * neither, the caller must name it.  One class, or more than two, is an
 * error, as is a missing label.
 */
#ifndef CHURNKIT_LABEL_H
#define CHURNKIT_LABEL_H

#include <stddef.h>

#include "churnkit/error.h"
#include "churnkit/reduce.h"
#include "churnkit/table.h"

typedef struct ck_label {
    char *name;       /* the column */
    int binary;       /* 1: classes, 0: a number */
    char *positive;   /* binary: text of the positive class */
    char *negative;   /* binary: text of the negative class */
    double *y;        /* by table row: 0/1 (binary) or the value (for
                         survival, the time) */
    size_t n, n_pos;  /* rows; positives (binary) or events (survival) */
    double *event;    /* survival: by table row, 1 event seen, 0 censored */
    char *event_name; /* survival: the event column */
    double *weight;   /* row weights by table row (--weight), or NULL */
    size_t n_missing; /* rows whose label is missing: y (and event) NaN;
                         only a read with drop_missing lets them through */
} ck_label;

/* What a training run reads as its label. */
typedef struct ck_label_spec {
    const char *col;          /* the label (survival: the time) */
    const char *event;        /* survival: the event column; NULL otherwise */
    int binary;               /* 1: a class (not with event) */
    const char *positive;     /* binary: the positive class, or NULL */
    const ck_reducer *red;    /* binary: every process's classes, or NULL */
    int drop_missing;         /* 1: a row with a missing label (time or
                                 event) is no error: y is NaN there and
                                 n_missing counts it; 0: an error that names
                                 the cell and the option */
} ck_label_spec;

/* Reads a training label as ck_label_binary_reduced, ck_label_numeric or
 * ck_label_survival do (by spec), with spec->drop_missing.  A label missing
 * in every row is an error either way. */
ck_status ck_label_read(ck_label *out, const ck_table *t, const ck_label_spec *spec,
                        ck_error *err);

/* Reads column `col` of t as a binary label; positive may be NULL.  A
 * value names --positive's class when it is the same text, or the same
 * number when both read as numbers ("1.0" names 1). */
ck_status ck_label_binary(ck_label *out, const ck_table *t, const char *col,
                          const char *positive, ck_error *err);

/* The same for an evaluation of given scores: with positive named, a label
 * with one value is no error (its other class is absent: the metrics that
 * need both, as the AUC, are undefined, as when a model is evaluated). */
ck_status ck_label_binary_eval(ck_label *out, const ck_table *t, const char *col,
                               const char *positive, ck_error *err);

/* The same for a distributed fit: the classes are those of every
 * process's rows (a shard may hold one class only). */
ck_status ck_label_binary_reduced(ck_label *out, const ck_table *t, const char *col,
                                  const char *positive, const ck_reducer *red, ck_error *err);

/* Reads column `col` of t as a numeric target. */
ck_status ck_label_numeric(ck_label *out, const ck_table *t, const char *col, ck_error *err);

/* Reads a survival target: `time` (numbers, finite, 0 or more) and
 * `event` (1 when the event was seen, 0 when censored), every row. */
ck_status ck_label_survival(ck_label *out, const ck_table *t, const char *time,
                            const char *event, ck_error *err);

/* Reads column `col` of t using the classes of a fitted label `like` (for
 * evaluation data): a value that is neither class is an error. */
ck_status ck_label_like(ck_label *out, const ck_table *t, const ck_label *like,
                        ck_error *err);

/* Reads row weights from numeric column `col` into l->weight: every row's
 * finite and 0 or more (errors name the file, line and column), not all 0.
 * On failure l->weight may hold part of them; ck_label_fini frees it. */
ck_status ck_label_weights(ck_label *l, const ck_table *t, const char *col, ck_error *err);

void ck_label_fini(ck_label *l);

/* The text of a cell of column c (a level, or a number written shortest)
 * into buf; NULL when missing. */
const char *ck_cell_text(const ck_column *c, size_t row, char *buf, size_t bufsz);

#endif
