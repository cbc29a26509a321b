/*
 * model.h -- a fitted model: pipeline + estimator + metadata, and its JSON
 * model file (the contract is in models/FORMAT.md).
 *
 * Files are written atomically and deterministically: the same model gives
 * the same bytes (no timestamps; object keys in a fixed order; doubles with
 * 17 significant digits, which read back exactly).  Loading checks every
 * field and refuses a damaged file, a file of another kind, a newer format
 * version, or coefficients that do not match the features (CK_EMODEL).
 */
#ifndef CHURNKIT_MODEL_H
#define CHURNKIT_MODEL_H

#include <jansson.h>
#include <stddef.h>

#include "churnkit/error.h"
#include "churnkit/inference.h"
#include "churnkit/pipeline.h"
#include "churnkit/svm.h"

/* The model-file format version written, and the newest read. */
#define CK_MODEL_VERSION 1

typedef enum ck_task { CK_TASK_CLASSIFICATION = 1, CK_TASK_REGRESSION = 2 } ck_task;
typedef enum ck_estimator { CK_EST_LOGISTIC = 1, CK_EST_LINEAR = 2, CK_EST_SVM = 3 } ck_estimator;

typedef struct ck_model {
    char *name;
    ck_task task;
    ck_estimator estimator;
    char *label;              /* target column */
    char *positive, *negative;/* classification: the two classes' text */
    char *id;                 /* id column, or NULL */
    ck_pipeline *pl;
    size_t p;                 /* logistic, linear: 1 + encoded width */
    double *beta;             /* beta[0] intercept */
    ck_coef_row *coef;        /* inference table (p rows), or NULL */
    int coef_t;               /* statistics are t (1) or z (0) */
    int coef_approximate;     /* penalized or weighted: errors approximate */
    ck_svm svm;               /* estimator == CK_EST_SVM */
    double threshold;         /* classification: p >= threshold is positive */
    char *threshold_rule;     /* "fixed", "f1", "youden" or "accuracy" */
    json_t *fit;              /* solver facts, goodness of fit (owned) */
    json_t *training;         /* rows, seed, options, data hash (owned) */
    json_t *metrics;          /* "train", "cv", "test" (owned) */
} ck_model;

/* A zeroed model with empty JSON objects; NULL when out of memory. */
ck_model *ck_model_new(void);
void ck_model_free(ck_model *m);

/* The model file's text (caller frees), or NULL when out of memory. */
char *ck_model_to_json(const ck_model *m);

ck_status ck_model_save(const ck_model *m, const char *path, ck_error *err);
ck_status ck_model_load(ck_model **out, const char *path, ck_error *err);
/* Same from text; `source` names it in messages. */
ck_status ck_model_parse(ck_model **out, const char *text, const char *source, ck_error *err);

/* Scratch a model needs to score a row (SVM nodes), or NULL; free(). */
void *ck_model_scratch(const ck_model *m);

/* Scores an encoded row: the probability of the positive class, or the
 * predicted value. */
double ck_model_score(const ck_model *m, const double *x, void *scratch);

/* Each encoded column's contribution to the linear predictor relative to
 * the average training row, beta_j (x_j - mean_j): for a linear model these
 * are exactly its SHAP values (independent features), and they sum to the
 * row's linear predictor minus the average row's.  Logistic and linear
 * models; returns 0 (nothing written) for an SVM. */
int ck_model_contributions(const ck_model *m, const double *x, double *out);

const char *ck_task_name(ck_task t);
const char *ck_estimator_name(ck_estimator e);

#endif
