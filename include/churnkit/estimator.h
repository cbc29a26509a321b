/*
 * estimator.h -- the estimator interface: what a model family must provide
 * so that churnkit can train it, store it in a model file, score it in the
 * streaming pass, explain its scores, and report it.
 *
 * In the spirit of LIBLINEAR's solver table and SQLite's sqlite3_module: an
 * estimator type is one constant struct of facts and function pointers,
 * defined in the estimator's own file (est_logistic.c, est_linear.c,
 * est_svm.c) and listed once in the table in estimator.c.  Everything else
 * -- training, cross-validation, thresholds, the model file's common parts,
 * scoring, reasons, evaluation, reports -- is written once, against this
 * interface.  How to add an estimator: docs/ARCHITECTURE.md.
 *
 * A fitted estimator is an opaque `state` owned by its ck_model; only the
 * estimator's own file looks inside it.
 */
#ifndef CHURNKIT_ESTIMATOR_H
#define CHURNKIT_ESTIMATOR_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "churnkit/cox.h"
#include "churnkit/error.h"
#include "churnkit/jsonio.h"
#include "churnkit/pipeline.h"
#include "churnkit/reduce.h"

typedef enum ck_task {
    CK_TASK_CLASSIFICATION = 1, /* a binary label: the probability of the positive class */
    CK_TASK_REGRESSION = 2,     /* a number */
    CK_TASK_SURVIVAL = 3        /* time to an event: a risk score (the log relative
                                   hazard) read through a survival curve */
} ck_task;

#define CK_TASK_BIT(t) (1u << (unsigned)(t))

const char *ck_task_name(ck_task t);
/* The task named s, or 0. */
ck_task ck_task_from_name(const char *s);

/* Facts about an estimator type. */
enum {
    CK_EST_DISTRIBUTED = 1u << 0,   /* fits across processes through a reducer
                                       (churnkit-train-mpi) */
    CK_EST_RAW_INPUTS = 1u << 1,    /* wants raw inputs rather than standardized,
                                       one-hot columns (trees) */
    CK_EST_CONTRIBUTIONS = 1u << 2, /* gives per-row contributions (reasons);
                                       set exactly when `contributions` is */
    CK_EST_CLASS_WEIGHTS = 1u << 3, /* honours class weights (--class-weight): one
                                       weight a class in ds->weight */
    CK_EST_ROW_WEIGHTS = 1u << 4    /* honours any row weights (--weight COLUMN) */
};

/* One parameter of an estimator: a `--NAME VALUE` option of churnkit-train.
 * A value is held as a double -- a number, a whole number, 0/1 for a flag,
 * the index of a choice -- or, for text, as a string beside it (NULL when
 * not given; the estimator parses it, e.g. "nps_avg=-1,mrr=1"). */
typedef enum ck_param_kind {
    CK_PARAM_NUMBER = 1,
    CK_PARAM_INTEGER,
    CK_PARAM_FLAG,   /* takes no value on the command line */
    CK_PARAM_CHOICE,
    CK_PARAM_TEXT,
    CK_PARAM_NUMBER_AUTO /* a number, or "auto": NaN until the type's tune
                            function chooses it on the --cv folds (which
                            training then requires) */
} ck_param_kind;

/* The most parameters a type may have (ck_train_options holds this many). */
#define CK_PARAMS_MAX 32

typedef struct ck_param {
    const char *name;           /* the option without "--", e.g. "svm-c" */
    ck_param_kind kind;
    double def;                 /* the default; may lie outside [lo, hi] when it
                                   stands for "automatic" (SVM gamma 0) */
    double lo, hi;              /* the accepted range (number, integer) */
    const char *const *choices; /* CK_PARAM_CHOICE: names, NULL-terminated */
    const char *metavar;        /* the value's name in --help ("C") */
    const char *record;         /* its key in the model file's
                                   training.options, or NULL: not recorded */
    const char *help;           /* one line for --help */
} ck_param;

/* What a fit gets: the encoded rows and their target, the parameters in the
 * type's table order, and the run's settings.  Nothing here is owned. */
typedef struct ck_fit_input {
    const ck_dataset *ds;
    ck_task task;
    const double *param;
    const char *const *text;    /* text parameters (NULL entries: not given) */
    unsigned long seed;
    size_t threads;             /* 0: one a processor */
    int final;                  /* the model kept (1) or a cross-validation
                                   fold (0): folds skip inference and facts */
    const ck_reducer *reducer;  /* a distributed fit (CK_EST_DISTRIBUTED
                                   types only), or NULL */
    ck_progress_fn progress;
    void *progress_ctx;
} ck_fit_input;

/* One row of an estimator's global explanation: a coefficient with its
 * interval and p-value, or a feature's importance.  Names are borrowed. */
typedef struct ck_term {
    const char *name;
    double value, lo, hi, p;    /* lo, hi, p: NaN when unknown */
    double aux;                 /* a second measure (aux_name), or NaN */
    int intercept;              /* the intercept (left out of charts) */
    int aliased;                /* not estimated (R's NA): value, lo, hi, p NaN */
    double unit[3];             /* with `scales`: the coefficient per unit of
                                   the raw column and its 95% interval (a level:
                                   against the reference level; the intercept:
                                   at every number 0), NaN when unknown */
    double sd[3];               /* and per standard deviation of the column (a
                                   level's 0/1 indicator too; NaN for the
                                   intercept) */
} ck_term;

typedef struct ck_terms {
    const char *kind;           /* the key in churnkit-eval's JSON:
                                   "coefficients" */
    const char *title;          /* for charts: "Coefficients" */
    const char *aux_name;       /* the second measure's key ("total_gain"), or
                                   NULL */
    const char *aux_title;      /* and its chart's title */
    ck_term *term;              /* owned: free() */
    size_t n;
    int scales;                 /* the terms carry unit and sd */
    const char *ratio;          /* what exp(coefficient) is: "odds_ratio",
                                   "hazard_ratio", or NULL */
    int approximate;            /* penalized or weighted: intervals and
                                   p-values approximate */
} ck_terms;

struct ck_model;
struct ck_tune_input;
struct ck_tuning;

/* The facts and functions of one estimator type.  Functions marked
 * optional may be NULL. */
typedef struct ck_estimator_type {
    const char *name;           /* the --model word and the model file's
                                   "estimator" */
    const char *help;           /* one line for --help */
    unsigned tasks;             /* CK_TASK_BIT of each task it supports */
    ck_task default_task;
    unsigned flags;             /* CK_EST_* */
    const ck_param *params;
    size_t nparams;
    const char *const *like;    /* optional: pairs of another estimator's option
                                   and this one's for the same idea ("l2",
                                   "lambda"), NULL-ended: a user giving the
                                   first is told of the second */
    const char *scale_hint;     /* optional: what to use instead when the type
                                   cannot be fitted across processes */

    /* Optional: refuses parameters that do not go together, or with the
     * task or the cross-validation folds (cv; 0 or 1: none) (CK_EUSAGE
     * naming them), before any work; `given` marks the parameters set on
     * the command line. */
    ck_status (*check)(const double *param, const char *const *text, const int *given,
                       ck_task task, size_t cv, ck_error *err);

    /* Optional: adjusts the pipeline to the parameters (a linear predictor
     * keeps a reference level out of each one-hot set). */
    void (*pipeline)(const double *param, ck_pipeline_options *po);

    /* Fits *state (owned by the caller afterwards, freed with `free`). */
    ck_status (*fit)(const ck_fit_input *in, void **state, ck_warnings *w, ck_error *err);

    /* Optional: per-thread scratch for score and contributions; NULL from a
     * type that has the function means out of memory.  Freed by
     * scratch_free (optional: free()). */
    void *(*scratch)(const void *state);
    void (*scratch_free)(void *scratch);

    /* The probability of the positive class, the predicted value, or (for
     * survival) the log relative hazard eta, of an encoded row. */
    double (*score)(const void *state, const double *x, void *scratch);

    /* Optional: the scores of the n encoded rows at x, x + stride, ... into
     * out, score's bit for bit, faster than a row at a time (the trees
     * walk two rows at once). */
    void (*score_rows)(const void *state, const double *x, size_t n, size_t stride,
                       double *out, void *scratch);

    /* Optional: the same score of a row given sparsely -- the n encoded
     * columns idx[] with values val[], every other column 0 -- as
     * ck_pipeline_encode_sparse writes it.  For a linear predictor a
     * one-hot set of a million levels then costs one term a row, not a
     * million. */
    double (*score_sparse)(const void *state, const size_t *idx, const double *val, size_t n,
                           void *scratch);

    /* Survival types (and only they): the proportional-hazards curve the
     * score is read with, S(t | eta) = exp(-H0(t) exp(eta)) (cox.h);
     * borrowed from the state. */
    const ck_ph_curve *(*curve)(const void *state);

    /* Optional (CK_EST_CONTRIBUTIONS): each encoded column's contribution to
     * the score on the model's scale (log-odds for classifiers), relative to
     * the average training row; out has the pipeline's width. */
    void (*contributions)(const void *state, const ck_pipeline *pl, const double *x,
                          double *out, void *scratch);

    /* Writes the estimator's part of the model file: its own keys on root
     * (placed after "encoded") and the "fit" object (placed later). */
    ck_status (*save)(const void *state, const struct ck_model *m, json_t *root, json_t *fit,
                      ck_error *err);

    /* Reads that part back for m (whose name, task, label and pipeline are
     * loaded), checking every field; failures through rd (CK_EMODEL). */
    ck_status (*load)(void **state, const struct ck_model *m, json_t *root, json_t *fit,
                      ck_json_reader *rd);

    /* Prints the fit and the estimator's table under the model's header
     * line in churnkit-train's report. */
    void (*report)(FILE *out, const void *state, const struct ck_model *m);

    /* Optional: the scores of the rows the final fit (ck_fit_input.final)
     * was given, in its dataset's order -- each what score() gives that
     * row, bit for bit -- when the fit kept them, else NULL; n is the
     * dataset's row count.  Borrowed from the state.  The training metrics
     * read them instead of scoring the rows again (libxgboost keeps its
     * training rows' margins; est_gbdt.c). */
    const double *(*fitted)(const void *state, size_t n);

    /* Optional: the global explanation (coefficients, importances). */
    ck_status (*terms)(const void *state, const struct ck_model *m, ck_terms *out,
                       ck_error *err);

    /* Optional: chooses parameters on the training rows' folds before the
     * final fit (churnkit-train --cv, --tune); see ck_tune_input. */
    ck_status (*tune)(const struct ck_tune_input *in, double *param, struct ck_tuning *out,
                      ck_warnings *w, ck_error *err);

    void (*free)(void *state);
} ck_estimator_type;

/*
 * Tuning.  With --cv K, train.c deals the training rows into K folds and
 * hands a type with a `tune` function the folds and a way to measure any
 * parameters: cv_loss fits every fold with the type's fit and gives the
 * out-of-fold loss (the mean log-loss, the mean squared error, or for
 * survival 1 - the folds' mean concordance); fold_data
 * gives a fold's data to a type that fits the folds itself.  The
 * type changes `param` to what it chose and says what it tried in a
 * ck_tuning record, which the model file keeps and the report prints.
 * gbdt chooses its number of trees by early stopping on the folds' loss
 * curve; with --tune (grid = 1) a type also searches its documented grid,
 * and a CK_PARAM_NUMBER_AUTO parameter given as "auto" (NaN in param) asks
 * for its own part of that grid.
 * The folds are the ones the cross-validated metrics use afterwards, so
 * those metrics are slightly optimistic after tuning; a --test-fraction
 * hold-out is never seen.
 */
typedef struct ck_tune_input {
    const ck_estimator_type *type;
    ck_fit_input fit;           /* the training rows, the parameters as given */
    const size_t *fold;         /* by position in fit.ds->rows */
    size_t k;
    int grid;                   /* --tune: search the grid as well */
    ck_status (*cv_loss)(void *ctx, const double *param, double *loss, ck_error *err);
    /* fold j's training and held-out rows, over a pipeline fitted on its
     * training rows (for a type that fits the folds itself, as gbdt's
     * early stopping does); valid until tuning ends */
    ck_status (*fold_data)(void *ctx, size_t j, ck_dataset *train, ck_dataset *test,
                           ck_error *err);
    void *ctx;
} ck_tune_input;

/* Up to 4 parameters are reported per candidate. */
#define CK_TUNE_NAMES 4

typedef struct ck_tuning {
    char *method;               /* what was done ("grid, 5-fold log-loss") */
    size_t nnames;
    char *names[CK_TUNE_NAMES]; /* the parameters tried (owned) */
    size_t ntried;
    double *tried;              /* ntried x nnames values */
    double *loss;               /* ntried mean out-of-fold losses */
    size_t best;                /* the candidate kept */
    size_t ncurve;              /* early stopping: the mean out-of-fold loss */
    double *curve;              /*   after each round (ncurve rounds) */
} ck_tuning;

/* Starts a record: what is done and the parameters reported (at most
 * CK_TUNE_NAMES); -1 when out of memory. */
int ck_tuning_begin(ck_tuning *t, const char *method, const char *const *names, size_t n);

/* Appends a candidate (values in names order) and its loss; -1 when out of
 * memory. */
int ck_tuning_add(ck_tuning *t, const double *values, double loss);
void ck_tuning_fini(ck_tuning *t);

/* A grid search through in->cv_loss, for a type's tune function: each of
 * the ncand candidates sets the parameters at positions pos[0..npos) of a
 * copy of param to grid[c * npos ..]; the one with the least out-of-fold
 * loss is written to param (the first of equals).  The record lists them
 * all under the parameters' names. */
ck_status ck_tune_grid(const ck_tune_input *in, double *param, const int *pos, size_t npos,
                       const double *grid, size_t ncand, ck_tuning *out, ck_error *err);

/* The built-in estimators and any registered ones, in order: types[i] for
 * i < ck_estimator_count(). */
size_t ck_estimator_count(void);
const ck_estimator_type *ck_estimator_at(size_t i);

/* The type named s, or NULL. */
const ck_estimator_type *ck_estimator_find(const char *name);

/* Adds a type defined outside the library (a plugin, a test's toy model),
 * so that training, model files and every program's code path know it.
 * Checks the type's table (a name not taken, the functions that are not
 * optional, flags that agree with the functions, parameter defaults and
 * ranges); CK_EUSAGE when it is wrong, CK_ENOMEM when the registry is full.
 * The type must outlive every use.  Call before starting threads that use
 * estimators. */
ck_status ck_estimator_register(const ck_estimator_type *type, ck_error *err);

/* Whether the type supports the task. */
int ck_estimator_supports(const ck_estimator_type *type, ck_task task);

/* The position of a parameter in the type's table, or -1. */
int ck_estimator_param(const ck_estimator_type *type, const char *name);

/* Fills param[0..nparams) with the type's defaults. */
void ck_estimator_defaults(const ck_estimator_type *type, double *param);

/* Parses `text` as parameter `name` of the type into param[] (or, for a
 * text parameter, points texts[] at it): a number in range, a whole number,
 * one of the choices (a flag takes NULL or "1").  When the type has no such
 * parameter, CK_EUSAGE names the types that do ("--robust does not apply
 * to --model logistic; it is for --model linear"). */
ck_status ck_estimator_set_param(const ck_estimator_type *type, double *param,
                                 const char **texts, const char *name, const char *text,
                                 ck_error *err);

/* Writes the --model choices ("logistic|linear|svm") into buf. */
void ck_estimator_choices(char *buf, size_t size);

/* Prints the "Model" section of churnkit-train --help: every type with its
 * tasks and one line, then every parameter once with the types that take
 * it.  With `man`, as man-page (roff) text instead. */
void ck_estimator_help(FILE *out, int man);

#endif
