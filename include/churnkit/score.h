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
 * only).  A categorical feature is named with its level, "plan=pro".
 * Probabilities and predictions are written rounded to 6 decimal places.
 *
 * When a churn model (a classifier) and a value-change model (a regression)
 * are scored together, `segment` and `action` follow: the risk-by-growth
 * matrix of docs/value-model.md -- star (low risk, growing), opportunity (high risk,
 * growing), stable (low risk, flat or declining), critical (high risk,
 * declining) -- with the risk threshold of the churn model and a growth
 * threshold (default 0), and the recommended play for the segment
 * (segments.h).
 * With a `health_score` input column, `health_band` follows (high 80+,
 * medium 50-79, low below 50).  Last, when the input has the columns
 * nps_avg, active_day_share, core_clicks_per_user and feature_breadth,
 * `value_group` and `value_play`: seed 004's value groups (high_value,
 * potential, engaged, at_risk) by the rules of value_group.h, and the
 * group's play; both empty for a row the rules cannot place.  Text in one
 * of those columns stops the run as in a feature.
 *
 * A survival model NAME (a Cox model) writes NAME_churn_Hm, the
 * probability of churn within H months, for each of the horizons (default
 * 3 and 6), and NAME_expected_months, the expected months as a customer
 * within the last horizon (months paid, sum S(m)); with an MRR
 * column, NAME_revenue_at_risk and NAME_clv, and with an acquisition-cost
 * column NAME_roi as well (lifetime.h has the formulas).  Its probabilities
 * are monotone in the horizon by construction.  It can give the segments
 * their risk at a horizon ("--risk-model NAME@6m"): high when the
 * probability is at least the risk threshold, by default the training
 * population's churn within that horizon (Kaplan-Meier), i.e. above the
 * average account's risk.
 *
 * Horizons agree: classifiers whose labels differ only in a horizon suffix
 * ("churned_3m", "churned_6m") are kept in order -- a longer horizon's
 * probability is raised to the shorter one's when it falls below it (an
 * account cannot be less likely to have churned within 6 months than within
 * 3) -- and the rows adjusted are counted.
 *
 * Drift: every model input's population stability index (see drift.h) on
 * the scored rows, from the one pass; a warning names each feature above
 * the drift threshold (0.2).
 *
 * Every column a model needs must be in the input (checked before any
 * output); other columns are ignored.  A text cell in a numeric feature, or
 * an infinite number, stops the run with the file, line and column; a
 * missing value is imputed as in training; a category not seen in training
 * scores as all zeros and is counted in a warning.
 *
 * The input is cut into blocks of whole rows that worker threads parse and
 * score at once, and the blocks' output is written in order: the output is
 * the same bytes whatever the thread count, and memory stays a few blocks.
 */
#ifndef CHURNKIT_SCORE_H
#define CHURNKIT_SCORE_H

#include <stddef.h>

#include "churnkit/csv.h"
#include "churnkit/error.h"
#include "churnkit/lifetime.h"
#include "churnkit/model.h"
#include "churnkit/segments.h"
#include "churnkit/value_group.h"

typedef struct ck_score_options {
    const char *id;          /* id column to pass through; NULL: the first
                                model's id column, when the input has it */
    size_t reasons;          /* K reasons per model (at most its features;
                                none for a model without contributions) */
    int reasons_direction;   /* 0 both, 1 only features raising the score,
                                -1 only those lowering it */
    ck_csv_options csv;      /* delimiter, headerless input and its names */
    int no_header_out;       /* write no header row (a streaming stage) */
    int decimals;            /* default 6 */
    int segments;            /* 1 (default): segment when a risk and a growth
                                model are scored; 0: never */
    const char *risk_model;  /* the churn model, "NAME@6m" for a survival
                                model at a horizon (default: the first
                                classifier with "churn" in its label, else
                                the first classifier, else the first
                                survival model at the last horizon) */
    double risk_threshold;   /* high risk at or above it; NaN (default):
                                a classifier's own threshold, a survival
                                model's training churn within the horizon */
    const char *growth_model;/* the value-change model (default: the first
                                regression), or by name a classifier of
                                growth (such as expanded_6m) */
    double growth_threshold; /* growing when the prediction exceeds it; NaN
                                (default): 0 for a regression, a
                                classifier's own threshold (growing at or
                                above it) */
    const char *actions[CK_SEGMENTS]; /* replace the built-in plays (NULL: keep) */
    double drift_threshold;  /* warn above this PSI (0.2) */
    const char *drift_report;/* write every feature's PSI to this CSV */
    size_t threads;          /* 0: one a processor */
    ck_lifetime_options life;/* survival models: horizons, CLV months and
                                discount rate */
    const char *mrr;         /* monthly revenue column: revenue at risk and
                                CLV of survival models (NULL: none) */
    const char *cost;        /* acquisition-cost column: ROI = CLV / cost
                                (needs mrr) */
    int value_groups;        /* -1 (default): value groups when the input
                                has their four columns; 1: required (an
                                error names a missing column); 0: never */
    ck_value_rules value_rules; /* their cut-offs (ck_value_rules_init) */
    const char *value_plays[CK_VALUE_GROUPS]; /* replace the built-in plays
                                (NULL: keep) */
} ck_score_options;

void ck_score_options_init(ck_score_options *opt);

typedef struct ck_score_drift {
    const char *model, *feature;   /* owned by the models */
    double psi;
    size_t bins;                   /* the PSI's bins (values, missing, unseen) */
    int judged;                    /* enough rows scored to judge it against
                                      the threshold (ck_score_drift_rows) */
} ck_score_drift;

typedef struct ck_score_summary {
    unsigned long rows;
    size_t nmodels;
    unsigned long *positives;      /* by model: rows labelled positive */
    double *mean;                  /* by model: mean probability or prediction
                                      (survival: churn within the last
                                      horizon) */
    double *at_risk;               /* by model: survival, total revenue at
                                      risk (NaN without an MRR column) */
    double *clv;                   /* by model: survival, mean CLV */
    int segmented;
    const char *risk_model, *growth_model;
    unsigned long seg_count[CK_SEGMENTS];
    double seg_mean_growth[CK_SEGMENTS]; /* mean predicted value change (a
                                            growth classifier: probability) */
    int growth_classifier;               /* growth from a classifier */
    double growth_threshold;             /* growing above it */
    double risk_horizon, risk_threshold; /* a survival risk model's horizon
                                            and threshold (0, NaN: none) */
    int seg_value;                 /* the risk model is a survival model
                                      with an MRR column: */
    double seg_at_risk[CK_SEGMENTS];     /* total revenue at risk */
    double seg_mean_clv[CK_SEGMENTS];    /* mean CLV */
    double seg_mean_roi[CK_SEGMENTS];    /* mean ROI (NaN without costs) */
    unsigned long horizon_adjusted;      /* rows whose longer horizon was raised */
    int valued;                    /* value groups were written: */
    unsigned long value_count[CK_VALUE_GROUPS]; /* rows by group */
    unsigned long value_none;      /* rows without a group (a usage value
                                      missing) */
    ck_score_drift *drift;         /* every feature of every model */
    size_t ndrift;
    unsigned long drift_rows;      /* the most rows an input not judged needed
                                      (0: every input judged) */
} ck_score_summary;

void ck_score_summary_fini(ck_score_summary *s);

/* The rows a drift figure of d's bins needs before it is judged against
 * threshold t (ck_score sets `judged` and warns only then): 4 (bins - 1) /
 * t, rounded up.  Without drift, PSI on n rows is about chi^2 / n on
 * bins - 1 degrees of freedom and averages (bins - 1) / n, so on fewer rows
 * it is noise. */
unsigned long ck_score_drift_rows(const ck_score_drift *d, double t);

/* Scores `in` ("-": standard input) with models[0..n) into `out` ("-":
 * standard output; a file appears only when complete).  The scores and
 * opt->drift_report replace their files together, only when both were
 * written (ck_ofile_commit_all); a failure leaves both as they were. */
ck_status ck_score(ck_model *const *models, size_t n, const char *in, const char *out,
                   const ck_score_options *opt, ck_score_summary *summary, ck_warnings *w,
                   ck_error *err);

#endif
