/*
 * model.h -- a fitted model: the pipeline, an estimator's state, and what is
 * known about how it was made, and its JSON model file (the contract is in
 * models/FORMAT.md).
 *
 * The model is generic: its estimator type (estimator.h) does the fitting,
 * scoring, explaining, storing and reporting of its own state, which nothing
 * else looks inside.  The record of the training run and its metrics stay C
 * structs until model.c writes them.
 *
 * Files are written atomically and deterministically: the same model gives
 * the same bytes (no timestamps; object keys in a fixed order; doubles with
 * 17 significant digits, which read back exactly).  Loading checks every
 * field and refuses a damaged file, a file of another kind, a newer format
 * version, an unknown estimator, or a state that does not match the
 * features (CK_EMODEL).
 */
#ifndef CHURNKIT_MODEL_H
#define CHURNKIT_MODEL_H

#include <jansson.h>
#include <stddef.h>

#include "churnkit/calibrate.h"

#include "churnkit/error.h"
#include "churnkit/estimator.h"
#include "churnkit/metrics.h"
#include "churnkit/pipeline.h"
#include "churnkit/threshold.h"

/* The model-file format version written, and the newest read. */
#define CK_MODEL_VERSION 1

/* At most four metrics cross-validation summarizes, by task (see
 * ck_cv_stat_names). */
#define CK_CV_STATS 4

typedef struct ck_cv_record {
    size_t folds;
    unsigned long seed;
    double mean[CK_CV_STATS], sd[CK_CV_STATS]; /* over the folds (sd: n - 1) */
    double *fold[CK_CV_STATS];                 /* folds values each (owned) */
} ck_cv_record;

/* The metrics of one set of rows, as the task has them. */
typedef struct ck_metrics_record {
    int present;
    ck_class_metrics cls;       /* classification */
    ck_reg_metrics reg;         /* regression */
    ck_surv_metrics surv;       /* survival */
} ck_metrics_record;

/* How the model was trained (the model file's "training"). */
typedef struct ck_training_record {
    char *data;                 /* the data file's base name */
    char *data_hash;            /* "mix64:..." of the table's cells */
    size_t rows, test_rows;     /* training rows, hold-out rows */
    double positives;           /* classification: positive training rows;
                                   survival: rows with the event */
    double target_mean;         /* regression: the target's training mean */
    size_t processes;           /* 0: one process (not written) */
    int drop_missing_label;     /* 1: rows with a missing label were left out */
    size_t missing_label;       /* how many (of every process) */
    int refit;                  /* 1: fitted on every row after the test
                                   metrics (rows counts them all; the test
                                   metrics are of the fit on rows - test_rows) */
    unsigned long seed;
    json_t *options;            /* the options as given: a record, never read
                                   back for numbers (owned) */
    char *churnkit;             /* the version that trained it */
} ck_training_record;

typedef struct ck_model {
    char *name;
    ck_task task;
    const ck_estimator_type *type;
    void *state;              /* the type's own (owned; freed by type->free) */
    char *label;              /* target column (survival: the time) */
    char *event;              /* survival: the event column (1 seen, 0
                                 censored) */
    char *positive, *negative;/* classification: the two classes' text */
    char *id;                 /* id column, or NULL */
    ck_pipeline *pl;
    double threshold;         /* classification: p >= threshold is positive */
    char *threshold_rule;     /* how the threshold was chosen: "fixed", "f1",
                                 "youden", "accuracy", "precision>=X" or
                                 "recall>=X" (threshold.h) */
    ck_training_record training;
    ck_metrics_record train, test; /* metrics on the training and hold-out rows */
    int has_cv;
    ck_cv_record cv;
    ck_threshold_pick threshold_cv; /* classification: what a threshold rule's
                                       pick did on the out-of-fold predictions
                                       (rows 0: the threshold was given) */
    ck_calibration calib;     /* classification: the map applied to every
                                 probability (method NONE: none) */
    ck_tuning tuning;         /* what tuning tried (tuning.ntried 0: none) */
} ck_model;

/* A zeroed model; NULL when out of memory. */
ck_model *ck_model_new(void);
void ck_model_free(ck_model *m);

/* The model file's text (caller frees), or NULL when out of memory. */
char *ck_model_to_json(const ck_model *m);

/* Writes the model file (atomically), after reading its text back: a model
 * that would not load is an internal error (CK_EMODEL) and writes nothing. */
ck_status ck_model_save(const ck_model *m, const char *path, ck_error *err);
/* Reads a model file; CK_EIO when it cannot be read, CK_ENOMEM when memory
 * runs out (the JSON tree of a file takes several times its size), CK_EMODEL
 * when it is damaged or larger than CK_MODEL_MAX_BYTES (ck_model_load) or
 * max_bytes: the limit is checked before any of it is parsed. */
#define CK_MODEL_MAX_BYTES ((size_t)64 << 20)
ck_status ck_model_load(ck_model **out, const char *path, ck_error *err);
ck_status ck_model_load_max(ck_model **out, const char *path, size_t max_bytes, ck_error *err);
/* Same from text; `source` names it in messages. */
ck_status ck_model_parse(ck_model **out, const char *text, const char *source, ck_error *err);

/* Scratch a model needs to score a row, in *out (NULL when it needs none;
 * free with ck_model_scratch_free).  CK_ENOMEM when it cannot be had. */
ck_status ck_model_scratch(const ck_model *m, void **out, ck_error *err);
void ck_model_scratch_free(const ck_model *m, void *scratch);

/* Scores an encoded row: the probability of the positive class, or the
 * predicted value. */
double ck_model_score(const ck_model *m, const double *x, void *scratch);

/* Whether the model scores rows in batches faster (ck_model_score_rows). */
int ck_model_scores_rows(const ck_model *m);

/* The scores of the n encoded rows at x, x + stride, ... into out, as
 * ck_model_score gives them (by the estimator's score_rows where it has
 * one, else a row at a time). */
void ck_model_score_rows(const ck_model *m, const double *x, size_t n, size_t stride,
                         double *out, void *scratch);

/* The scores (as ck_model_score gives them) of the n rows the model was
 * fitted on, in the fit's order, into out: 1 when the estimator kept them
 * (ck_estimator_type.fitted), else 0 and out untouched. */
int ck_model_fitted(const ck_model *m, size_t n, double *out);

/* Whether the model scores sparse rows (ck_model_score_sparse). */
int ck_model_scores_sparse(const ck_model *m);

/* The same score of a row given sparsely (ck_pipeline_encode_sparse); only
 * when ck_model_scores_sparse. */
double ck_model_score_sparse(const ck_model *m, const size_t *idx, const double *val, size_t n,
                             void *scratch);

/* Whether the model gives per-row contributions. */
int ck_model_explains(const ck_model *m);

/* Each encoded column's contribution to the score on the model's scale,
 * relative to the average training row (for a linear predictor,
 * beta_j (x_j - mean_j): exactly its SHAP values with independent
 * features).  Returns 0 (nothing written) when the model gives none. */
int ck_model_contributions(const ck_model *m, const double *x, double *out, void *scratch);

/* The model's global explanation (coefficients or importances); out->n is
 * 0 when it has none.  Free out->term with free(). */
ck_status ck_model_terms(const ck_model *m, ck_terms *out, ck_error *err);

/* A survival model's curve (see estimator.h), or NULL for other tasks. */
const ck_ph_curve *ck_model_curve(const ck_model *m);

/* The names of the cross-validated metrics of a task, and how many. */
const char *const *ck_cv_stat_names(ck_task task);
size_t ck_cv_stat_count(ck_task task);

/* The cross-validated metrics of a task from a metrics record. */
void ck_cv_stats_of(ck_task task, const ck_metrics_record *r, double out[CK_CV_STATS]);

#endif
