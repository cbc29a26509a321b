/*
 * train.h -- fitting a model file's worth of model from a table: the label,
 * an optional hold-out test split, K-fold cross-validation, the decision
 * threshold, the final fit with inference, and the record of how it was
 * made.
 *
 * Cross-validation refits the whole pipeline inside each fold (medians,
 * scales and levels come from the fold's training rows only), so the
 * cross-validated figures are honest.  An automatic threshold is chosen on
 * the out-of-fold predictions, never on the test split.
 */
#ifndef CHURNKIT_TRAIN_H
#define CHURNKIT_TRAIN_H

#include <stddef.h>

#include "churnkit/calibrate.h"
#include "churnkit/error.h"
#include "churnkit/estimator.h"
#include "churnkit/model.h"
#include "churnkit/pipeline.h"
#include "churnkit/table.h"
#include "churnkit/threshold.h"


typedef struct ck_train_options {
    const char *name;           /* model name (default: the estimator's) */
    const char *label;          /* target column (required; for survival, the
                                   time to the event) */
    const char *event;          /* survival: the event column (1 seen, 0
                                   censored) */
    const char *positive;       /* positive class, or NULL for the default
                                   (classification only) */
    const char *id;             /* id column, or NULL */
    const char *weight;         /* a column of row weights (estimators with
                                   CK_EST_ROW_WEIGHTS), or NULL */
    ck_pipeline_options pipeline; /* features, exclude, indicators, max levels */
    const ck_estimator_type *estimator; /* default logistic */
    ck_task task;               /* 0: the estimator's default task */
    double param[CK_PARAMS_MAX];/* the estimator's parameters, in its table's
                                   order (ck_train_options_use sets the
                                   defaults) */
    const char *text[CK_PARAMS_MAX]; /* its text parameters (borrowed) */
    int given[CK_PARAMS_MAX];   /* 1 for each parameter set (not defaulted) */
    int tune;                   /* --tune: search the estimator's grid by CV */
    int balanced;               /* class weights n / (2 n_class) */
    double weight_pos, weight_neg; /* explicit class weights (default 1) */
    size_t cv;                  /* folds; 0 or 1: none */
    double test_fraction;       /* hold-out share in [0, 0.9] */
    int refit;                  /* with test_fraction: after the test metrics,
                                   fit again on every row with the settings
                                   chosen (parameters, threshold) */
    int no_train_metrics;       /* skip scoring the training rows: the model
                                   has no training metrics (in-sample
                                   figures; CV and test metrics stay) */
    int drop_missing_label;     /* leave out (and count) the rows whose label
                                   is missing instead of refusing them */
    unsigned long seed;
    double threshold;           /* with CK_THRESHOLD_FIXED (default 0.5) */
    ck_threshold_rule threshold_rule;
    double threshold_target;    /* the floor of CK_THRESHOLD_PRECISION or
                                   CK_THRESHOLD_RECALL, in (0, 1] */
    ck_calib_method calibrate;  /* map the probabilities, fitted on the
                                   out-of-fold predictions (needs cv) */
    double cost_fp, cost_fn;    /* CK_THRESHOLD_COST: a false positive's and
                                   a false negative's cost, both > 0 */
    size_t threads;
    ck_progress_fn progress;
    void *progress_ctx;
    const ck_reducer *reducer;  /* a distributed fit over every process's
                                   table (churnkit-train-mpi): estimators
                                   with CK_EST_DISTRIBUTED; folds and
                                   hold-out dealt as one process deals them
                                   over the rows in process order.  NULL:
                                   this table is all. */
} ck_train_options;

/* Logistic regression with its defaults, seed 42, threshold 0.5. */
void ck_train_options_init(ck_train_options *opt);

/* Chooses the estimator and resets the parameters to its defaults. */
void ck_train_options_use(ck_train_options *opt, const ck_estimator_type *type);

/* Sets a parameter of the chosen estimator from its text (see
 * ck_estimator_set_param). */
ck_status ck_train_options_set(ck_train_options *opt, const char *name, const char *text,
                               ck_error *err);

/* Trains a model on t.  On success the caller owns *out (ck_model_free). */
ck_status ck_train(const ck_table *t, const ck_train_options *opt, ck_model **out,
                   ck_warnings *w, ck_error *err);

/* Scores rows[0..n) of t with m into out[0..n) (probabilities or values);
 * rows NULL: the table's rows 0..n-1.
 * The table needs every feature column of the model. */
ck_status ck_model_score_table(const ck_model *m, const ck_table *t, const size_t *rows,
                               size_t n, size_t threads, double *out, ck_error *err);

#endif
