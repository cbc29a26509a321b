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

#include "churnkit/error.h"
#include "churnkit/jsonio.h"
#include "churnkit/pipeline.h"
#include "churnkit/reduce.h"

typedef enum ck_task {
    CK_TASK_CLASSIFICATION = 1, /* a binary label: the probability of the positive class */
    CK_TASK_REGRESSION = 2,     /* a number */
    CK_TASK_SURVIVAL = 3        /* time to an event (room for a survival family) */
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
    CK_EST_CLASS_WEIGHTS = 1u << 3  /* honours row weights (--class-weight) */
};

/* One parameter of an estimator: a `--NAME VALUE` option of churnkit-train.
 * Every value is held as a double: a number, a whole number, 0/1 for a
 * flag, or the index of a choice. */
typedef enum ck_param_kind {
    CK_PARAM_NUMBER = 1,
    CK_PARAM_INTEGER,
    CK_PARAM_FLAG,   /* takes no value on the command line */
    CK_PARAM_CHOICE
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
    int intercept;              /* the intercept (left out of charts) */
} ck_term;

typedef struct ck_terms {
    const char *kind;           /* the key in churnkit-eval's JSON:
                                   "coefficients" */
    const char *title;          /* for charts: "Coefficients" */
    ck_term *term;              /* owned: free() */
    size_t n;
} ck_terms;

struct ck_model;

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

    /* Optional: adjusts the pipeline to the parameters (an unpenalized
     * linear predictor keeps a reference level out of each one-hot set). */
    void (*pipeline)(const double *param, ck_pipeline_options *po);

    /* Fits *state (owned by the caller afterwards, freed with `free`). */
    ck_status (*fit)(const ck_fit_input *in, void **state, ck_warnings *w, ck_error *err);

    /* Optional: per-thread scratch for score and contributions (freed with
     * free()); NULL from a type that has the function means out of memory. */
    void *(*scratch)(const void *state);

    /* The probability of the positive class, or the predicted value, of an
     * encoded row. */
    double (*score)(const void *state, const double *x, void *scratch);

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

    /* Optional: the global explanation (coefficients, importances). */
    ck_status (*terms)(const void *state, const struct ck_model *m, ck_terms *out,
                       ck_error *err);

    void (*free)(void *state);
} ck_estimator_type;

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

/* Parses `text` as parameter `name` of the type into param[]: a number in
 * range, a whole number, one of the choices (a flag takes NULL or "1").
 * When the type has no such parameter, CK_EUSAGE names the types that do
 * ("--robust applies to --model linear"). */
ck_status ck_estimator_set_param(const ck_estimator_type *type, double *param,
                                 const char *name, const char *text, ck_error *err);

/* Writes the --model choices ("logistic|linear|svm") into buf. */
void ck_estimator_choices(char *buf, size_t size);

/* Prints the "Model" section of churnkit-train --help: every type with its
 * tasks and one line, then every parameter once with the types that take
 * it.  With `man`, as man-page (roff) text instead. */
void ck_estimator_help(FILE *out, int man);

#endif
