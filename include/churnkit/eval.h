/*
 * eval.h -- evaluating models on labelled data: every metric beside the
 * baselines that keep it honest, the verdict against an accuracy target,
 * paired tests against a baseline model, and the JSON form of it all.
 *
 * A run evaluates one or more "entries" -- a model file scored on the data,
 * or a column of scores made by anything -- against one label.  Beside them
 * always stands the trivial baseline: the majority class for a classifier,
 * the training mean for a regression.  With a baseline entry (a second
 * model, such as the legacy duration-and-frequency score), each entry's AUC
 * difference to it gets DeLong's paired test and the accuracy difference
 * McNemar's.
 *
 * Target verdict (classification): PASS when accuracy >= target; "confirmed"
 * when the lower end of its 95% Wilson interval is >= target too.  When the
 * majority class alone meets the target, accuracy is flagged as no evidence
 * of skill.
 */
#ifndef CHURNKIT_EVAL_H
#define CHURNKIT_EVAL_H

#include <jansson.h>
#include <stddef.h>

#include "churnkit/error.h"
#include "churnkit/metrics.h"
#include "churnkit/model.h"
#include "churnkit/table.h"

typedef struct ck_eval_entry {
    char *name;
    const ck_model *model;     /* NULL for a scores column */
    ck_task task;
    double threshold;
    double *score;             /* n probabilities or predictions */
    ck_class_metrics cls;
    ck_curve roc, pr;
    ck_reg_metrics reg;
    int pass, confirmed;       /* the target verdict */
    int compared;              /* has paired tests against the baseline */
    ck_delong delong;
    ck_mcnemar mcnemar;
} ck_eval_entry;

typedef struct ck_eval {
    char *data;                /* the evaluated file */
    ck_task task;
    char *label, *positive, *negative;
    size_t n, n_pos;
    int *y;                    /* classification: 0/1 */
    double *yv;                /* the label as numbers */
    double target;             /* accuracy target (classification); NaN: none */
    ck_eval_entry *entries;
    size_t nentries;
    ck_eval_entry *baseline;   /* a baseline entry, or NULL */
    ck_class_metrics majority; /* classification: the majority-class baseline */
    ck_reg_metrics mean_base;  /* regression: predicting the training mean */
    double base_mean;
    int majority_meets_target;
} ck_eval;

typedef struct ck_eval_options {
    double target;             /* default 0.85; NaN for none */
    size_t threads;
} ck_eval_options;

void ck_eval_options_init(ck_eval_options *opt);

/* Scores t with each model (and the baseline model, may be NULL) and
 * evaluates them.  All models must share the label (name and classes). */
ck_status ck_eval_models(ck_eval *ev, const ck_model *const *models, size_t n,
                         const ck_model *baseline, const ck_table *t,
                         const ck_eval_options *opt, ck_error *err);

/* Evaluates score columns of t made by anything: `label` (with `positive`
 * for a classifier; NULL positive: the default rule), `cols` the probability
 * (classifier) or prediction (regression = 1) columns, `threshold` for the
 * decision. */
ck_status ck_eval_scores(ck_eval *ev, const ck_table *t, const char *label, const char *positive,
                         const char *const *cols, size_t ncols, int regression, double threshold,
                         const ck_eval_options *opt, ck_error *err);

void ck_eval_fini(ck_eval *ev);

/* The evaluation as JSON (the schema is in README.md); caller decrefs. */
json_t *ck_eval_to_json(const ck_eval *ev);

/* Whether every entry (not the baseline) meets the target. */
int ck_eval_all_pass(const ck_eval *ev);

#endif
