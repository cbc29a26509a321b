/*
 * eval.h -- evaluating models on labelled data: every metric beside the
 * baselines that keep it honest, the verdict against a target, paired
 * tests against a baseline model, and the JSON form of it all.
 *
 * A run evaluates one or more "entries" -- a model file scored on the data,
 * or a column of scores made by anything -- against one label.  Beside them
 * always stands the trivial baseline: the majority class for a classifier,
 * the training mean for a regression, the null model for a survival model.
 * With a baseline entry (a second model, such as the legacy
 * duration-and-frequency score), each entry's AUC difference to it gets
 * DeLong's paired test and the accuracy difference McNemar's.
 *
 * Three kinds of run (ck_eval.task, ck_eval.horizon):
 *
 *  - classification or regression: the models' label as it is;
 *
 *  - survival (every model a survival model, no --label): the time and event
 *    columns (the models' m->label and m->event) read with
 *    ck_label_survival; per model Harrell's concordance of eta with its 95%
 *    interval, and at each horizon h the predicted churn 1 - S_i(h) =
 *    1 - ck_ph_survival(curve, eta_i, h) measured by ck_surv_horizon_metrics
 *    with its defaults (time-dependent AUC and Brier score with IPCW, a
 *    case weighted by 1 / G(T_i-); calibration by risk decile against the
 *    Kaplan-Meier churn); the mean predicted survival curve and the data's
 *    Kaplan-Meier curve for the chart.  The trivial
 *    baseline is the null model: everybody at the data's own Kaplan-Meier
 *    churn (concordance 0.5, AUC 0.5, Brier = brier_null), computed through
 *    the same functions.  A horizon where the censoring survival G(h-) is
 *    0 (past the data's follow-up: nobody followed up to it) is an error
 *    naming it (CK_EDATA): the IPCW metrics are undefined there, and a
 *    report with holes would be read as complete;
 *
 *  - mixed (ck_eval.horizon > 0): survival models beside classifiers whose
 *    label names a horizon ("churned_3m", ck_label_horizon), or survival
 *    models alone with opt->label naming such a column.  Each survival model
 *    becomes a classifier of that label: its score is the churn probability
 *    within the horizon h, 1 - S(h), and its decision threshold the
 *    training population's churn within h, 1 - ck_ph_km(curve, h) -- a row is
 *    flagged when its risk is above its model's average, the rule the scorer
 *    uses for segments (segments.h).  Its entry is named "NAME@Hm", as
 *    --risk-model spells it.  Everything else is as for classifiers.
 *
 * Targets (eval_target.c): "METRIC>=X" or "METRIC<=X", METRIC a key of the
 * entries' metrics JSON object (the keys --json writes under
 * models[].metrics).  An entry's value meets the target ("met").  The same
 * key is looked up in the trivial baseline's metrics: when the baseline
 * alone meets the target, the metric is no evidence of skill on this data,
 * and no entry gets a PASS (pass = met and the baseline does not meet it;
 * not a miss either: --fail-under fails on misses).  When the metrics also
 * hold METRIC_ci_low and METRIC_ci_high, a PASS is "confirmed" when the
 * interval's lower end (for >=; the upper for <=) meets the target too.  A
 * metric that is undefined (NaN, such as an AUC with no case) meets no
 * target.  Defaults: accuracy >= 0.85 for classifiers, no target for
 * regressions and survival models.
 *
 * The JSON (ck_eval_to_json; the keys marked + are new with survival
 * evaluation and generic targets, the rest as before):
 *
 *   format "churnkit-eval", version 1, data, rows, task
 *   label       {name, positive, negative, positives}   classification
 *               {name}                                  regression
 *             + {name (the time column), event, events} survival
 *   + horizon   h (mixed runs only: the classifiers' label's horizon)
 *   + horizons  [h...] (survival)
 *   target      (when there is one) {all_pass, + metric, + op (">=" or
 *               "<="), + value, + baseline_meets_target}; classification
 *               adds majority_meets_target (= baseline_meets_target), and a
 *               target on accuracy adds accuracy (= value)
 *   baselines   {positive_share, majority} | {training_mean, mean} |
 *             + {null: METRICS} (survival)
 *   + kaplan_meier (survival) {time, survival, ci_low, ci_high, at_risk,
 *               events}: the data's curve at its steps (95% log-log
 *               interval), and {horizon: [{months, survival, churn,
 *               churn_ci_low, churn_ci_high, censoring_survival}]}
 *   models      [ENTRY], baseline_model ENTRY (with --baseline)
 *
 *   ENTRY: name, source ("model" | "scores"), estimator, metrics
 *     (classification: + precision_ci_low/high, recall_ci_low/high, and
 *     naming the top rows by score: top_named, precision_at_top and
 *     recall_at_top with their _ci_low/_ci_high, see ck_metrics_top; the
 *     majority baseline's are the positive share),
 *     classification: roc, pr, vs_baseline {auc_diff ... mcnemar_p};
 *       + horizon (a survival model in a mixed run)
 *     verdict (when there is a target) {pass, confirmed, + met}
 *     + survival: metrics {rows, events, concordance, concordance_se,
 *       concordance_ci_low, concordance_ci_high, and for each horizon with
 *       suffix _Hm (H as %g: auc_3m, auc_1.5m): auc, cases, controls,
 *       brier, brier_null, brier_skill (1 - brier / brier_null),
 *       predicted_churn (mean 1 - S(h)), observed_churn with
 *       observed_churn_ci_low/high (Kaplan-Meier, calibration-in-the-large)},
 *       calibration [{months, rows, predicted, observed, observed_ci_low,
 *       observed_ci_high}] (one array element per non-empty decile group),
 *       mean_survival {time, survival}, vs_baseline {concordance_diff,
 *       auc_diff_Hm, brier_diff_Hm}
 *     coefficients or importances (a model's terms); coefficients [{term,
 *       coef, ci_low, ci_high, p, per_unit {coef, ci_low, ci_high, and the
 *       ratio's three keys for logistic and cox}, per_sd {...} (not for the
 *       intercept), aliased (true: coef null)}], coefficients_approximate
 *   verdict.confirmed is null when the metric has no interval.
 */
#ifndef CHURNKIT_EVAL_H
#define CHURNKIT_EVAL_H

#include <jansson.h>
#include <stddef.h>

#include "churnkit/error.h"
#include "churnkit/lifetime.h"
#include "churnkit/metrics.h"
#include "churnkit/model.h"
#include "churnkit/survmetrics.h"
#include "churnkit/table.h"

/* ------------------------------------------------------------------ */
/* targets */

typedef enum ck_target_op {
    CK_TARGET_GE = 0, /* METRIC >= value */
    CK_TARGET_LE = 1  /* METRIC <= value */
} ck_target_op;

#define CK_TARGET_METRIC_MAX 64

typedef struct ck_eval_target {
    char metric[CK_TARGET_METRIC_MAX]; /* a metrics key; "" the task's default
                                          (classification: accuracy) */
    ck_target_op op;
    double value;                      /* NaN: no target */
} ck_eval_target;

/* Parses "METRIC>=X" or "METRIC<=X" (X a finite number; METRIC letters,
 * digits, '_' and '.'); whether METRIC exists is checked when the metrics
 * are known.  CK_EUSAGE otherwise. */
ck_status ck_eval_target_parse(ck_eval_target *t, const char *text, ck_error *err);

/* ">=" or "<=". */
const char *ck_target_op_text(ck_target_op op);

/* ------------------------------------------------------------------ */
/* survival results */

/* One entry's survival metrics (eval_surv.c). */
typedef struct ck_eval_surv {
    ck_surv_metrics conc;                   /* concordance of eta, 95% interval */
    ck_surv_horizon h[CK_HORIZONS_MAX];     /* at each of ev->horizon_list */
    double *mean_surv;                      /* ev->ngrid: the mean predicted S
                                               at ev->grid (owned; NULL for the
                                               null model) */
} ck_eval_surv;

/* ------------------------------------------------------------------ */
/* the evaluation */

typedef struct ck_eval_entry {
    char *name;
    const ck_model *model;     /* NULL for a scores column */
    ck_task task;              /* the entry's own (a survival model in a
                                  mixed run: CK_TASK_SURVIVAL) */
    double horizon;            /* mixed run, survival model: h; else 0 */
    double threshold;
    double *score;             /* n probabilities, predictions, or (survival)
                                  linear predictors eta */
    ck_class_metrics cls;
    int has_raw;               /* a calibrated classifier (calibrate.h): */
    ck_class_metrics raw;      /* its scores before the map, measured the same
                                  way (the reliability "before") */
    ck_curve roc, pr;
    ck_reg_metrics reg;
    ck_eval_surv surv;         /* survival run */
    /* the target verdict */
    double value, lo, hi;      /* the metric and its 95% interval (NaN: none) */
    int met;                   /* value meets the target */
    int pass;                  /* met, and the trivial baseline does not */
    int confirmed;             /* pass, and the interval's end meets it too */
    int compared;              /* has paired tests against the baseline */
    ck_delong delong;
    ck_mcnemar mcnemar;
} ck_eval_entry;

typedef struct ck_eval {
    char *data;                /* the evaluated file */
    ck_task task;
    char *label, *positive, *negative;
    size_t n, n_pos;           /* rows; positives (survival: events) */
    int *y;                    /* classification: 0/1 */
    double *yv;                /* the label as numbers (survival: the time) */
    double horizon;            /* mixed run: the label's horizon; else 0 */
    ck_eval_target target;     /* value NaN: none */
    int target_default;        /* the target is the default (none was given) */
    int baseline_meets_target; /* the trivial baseline alone meets it */
    double baseline_value;     /* the trivial baseline's value of the metric */
    int target_interval;       /* the metric has a 95% interval (KEY_ci_low,
                                  KEY_ci_high) */
    ck_eval_entry *entries;
    size_t nentries;
    ck_eval_entry *baseline;   /* a baseline entry, or NULL */
    ck_class_metrics majority; /* classification: the majority-class baseline */
    size_t top;                /* classification: the rows "the top" names */
    ck_reg_metrics mean_base;  /* regression: predicting the training mean */
    double base_mean;
    int value_change;          /* regression of a change in value: direction
                                  accuracy is reported (ck_eval_change_label,
                                  or opt->value_change) */
    /* survival */
    char *event_name;
    double *event;             /* n: 1 churn seen, 0 censored */
    size_t nhorizons;
    double horizon_list[CK_HORIZONS_MAX];
    ck_km km;                  /* the data's Kaplan-Meier curve */
    size_t ngrid;
    double *grid;              /* times of the mean predicted curves: 0 and
                                  the KM's step times (at most
                                  CK_EVAL_GRID_MAX of them, evenly spread) */
    ck_eval_surv null;         /* the null model */
    size_t dropped_rows;       /* rows left out for a missing label (the
                                  options'), not among the n */
} ck_eval;

#define CK_EVAL_GRID_MAX 200

/* How many rows "the top" names, for precision and recall at the top
 * (classification): a share of the rows (rounded up), a count, or as many
 * as the baseline model names at its own threshold -- the legacy score's
 * count, so that two scores are compared naming the same number of
 * accounts. */
typedef enum ck_top_rule { CK_TOP_SHARE = 0, CK_TOP_COUNT, CK_TOP_BASELINE } ck_top_rule;

typedef struct ck_eval_options {
    ck_eval_target target;     /* default: metric "" (the task's), >=, 0.85 */
    ck_top_rule top_rule;      /* default: CK_TOP_SHARE */
    double top_value;          /* the share in (0, 1] (default 0.1) or the
                                  count (>= 1) */
    size_t threads;
    size_t nhorizons;          /* survival: 0 for the default 3 and 6 months */
    double horizon[CK_HORIZONS_MAX];
    const char *label;         /* survival models scored on a horizon label
                                  (a mixed run); NULL: none */
    const char *positive;      /* its positive class (NULL: the default rule) */
    ck_warnings *warnings;     /* where warnings go (the caller's; NULL: none) */
    int no_target;             /* no target and no verdict, not even the
                                  classifiers' default */
    int value_change;          /* a regression's target is a change in value
                                  whatever its name (see ck_eval_change_label) */
    size_t dropped_rows;       /* rows the caller left out of the table for a
                                  missing label (--drop-missing-label), for
                                  the report */
} ck_eval_options;

void ck_eval_options_init(ck_eval_options *opt);

/* Whether a regression's label names a change in value: it contains
 * "change" (any case), as value_change_3m and mrr_change_1m do.  Direction
 * accuracy -- the share of rows whose predicted change has the sign of the
 * actual one -- means something only for such a target, so the reports
 * give it only then (or with ck_eval_options.value_change). */
int ck_eval_change_label(const char *label);

/*
 * Scores t with each model (and the baseline model, may be NULL) and
 * evaluates them.  The models share the label (name and classes; survival
 * models the time and event columns), except in a mixed run (above).
 * Errors: models of different labels (CK_EUSAGE, naming them), a bad label
 * or time or event (CK_EDATA, naming the file, line and column), a horizon
 * past the data's follow-up (CK_EDATA), an unknown target metric
 * (CK_EUSAGE, listing the keys).  Warnings (to opt->warnings): a horizon
 * past a model's training follow-up (an extrapolation), an AUC undefined at
 * a horizon.  CK_EUSAGE for a top by the baseline without a baseline model,
 * CK_EDATA when that baseline names no row.  On failure ev holds nothing to
 * free.
 */
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

/* The evaluation as JSON (the schema above); caller decrefs. */
json_t *ck_eval_to_json(const ck_eval *ev);

/* An entry's metrics object, the one --json writes and targets look up;
 * caller decrefs. */
json_t *ck_eval_entry_metrics_json(const ck_eval *ev, const ck_eval_entry *e);

/* The trivial baseline's metrics object (majority, training mean or null
 * model); caller decrefs. */
json_t *ck_eval_baseline_metrics_json(const ck_eval *ev);

/* Whether every entry (not the baseline) gets a PASS: true without a
 * target. */
int ck_eval_all_pass(const ck_eval *ev);

/* Whether some entry misses the target (its value does not meet it): what
 * --fail-under fails on.  A target that the trivial baseline meets too is
 * no evidence of skill and not a PASS, but not a miss either. */
int ck_eval_any_missed(const ck_eval *ev);

/* Sets every entry's verdict (and the baseline entry's) against
 * ev->target, looking its metric up in ck_eval_entry_metrics_json and in
 * the trivial baseline's.  CK_EUSAGE for an unknown metric, listing the
 * keys.  Nothing to do without a target. */
ck_status ck_eval_apply_target(ck_eval *ev, ck_error *err);

/* A survival metric's key at a horizon: "auc" and 3 -> "auc_3m", 1.5 ->
 * "auc_1.5m". */
void ck_eval_horizon_key(char *buf, size_t n, const char *base, double h);

#endif
