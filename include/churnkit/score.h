/*
 * score.h -- batch scoring: a CSV in, one or more models, a scores CSV out,
 * in one streaming pass and constant memory whatever the row count.
 *
 * Output columns: the id column first (when there is one), then for each
 * model NAME: NAME_prob and NAME_label (the predicted class's text) for a
 * classifier, NAME_pred for a regression; with reasons K > 0, NAME_reason1
 * .. NAME_reasonK name the features that move this row's score most away
 * from the average row's: the largest |beta_j (x_j - mean_j)| summed over a
 * feature's encoded columns (linear SHAP values; logistic and linear models
 * only).  A categorical feature is named with its level, "plan=pro".  Probabilities and predictions are written rounded
 * to 6 decimal places.
 *
 * Every column a model needs must be in the input (checked before any
 * output); other columns are ignored.  A text cell in a numeric feature, or
 * an infinite number, stops the run with the file, line and column; a
 * missing value is imputed as in training; a category not seen in training
 * scores as all zeros and is counted in a warning.
 */
#ifndef CHURNKIT_SCORE_H
#define CHURNKIT_SCORE_H

#include <stddef.h>

#include "churnkit/csv.h"
#include "churnkit/error.h"
#include "churnkit/model.h"

typedef struct ck_score_options {
    const char *id;          /* id column to pass through; NULL: the first
                                model's id column, when the input has it */
    size_t reasons;          /* K reason columns per model */
    ck_csv_options csv;      /* delimiter, headerless input and its names */
    int no_header_out;       /* write no header row (a streaming stage) */
    int decimals;            /* default 6 */
} ck_score_options;

void ck_score_options_init(ck_score_options *opt);

typedef struct ck_score_summary {
    unsigned long rows;
    unsigned long *positives;   /* by model: rows labelled positive */
    double *mean;               /* by model: mean probability or prediction */
    size_t nmodels;
} ck_score_summary;

void ck_score_summary_fini(ck_score_summary *s);

/* Scores `in` ("-": standard input) with models[0..n) into `out` ("-":
 * standard output; a file appears only when complete). */
ck_status ck_score(ck_model *const *models, size_t n, const char *in, const char *out,
                   const ck_score_options *opt, ck_score_summary *summary, ck_warnings *w,
                   ck_error *err);

#endif
