/*
 * metrics.h -- how good predictions are: classification and regression
 * metrics, curves for plotting, and paired tests between two models.
 *
 * Conventions: y is 0/1 (1 = positive); p is the predicted probability of
 * the positive class, in [0, 1]; the decision is p >= threshold.  All
 * functions are pure: they read their inputs and fill the caller's structs;
 * working memory is freed before they return, and only a ck_curve needs a
 * _free.  Definitions follow scikit-learn 1.2 (the tests compare against
 * values it computed: tests/fixtures/metrics/make_metrics_fixtures.py).
 * Besides the usage errors named below, a function that sorts can fail with
 * CK_ENOMEM.  Sorting is a stable O(n log n) merge sort of (score, row).
 */
#ifndef CHURNKIT_METRICS_H
#define CHURNKIT_METRICS_H

#include <stddef.h>

#include "churnkit/error.h"

#define CK_RELIABILITY_BINS 10
#define CK_GAINS_BINS 10

typedef struct ck_confusion {
    size_t tp, fp, tn, fn;
} ck_confusion;

typedef struct ck_class_metrics {
    size_t n, n_pos;                 /* rows, positives */
    double threshold;
    ck_confusion cm;                 /* at the threshold */
    double accuracy;
    double accuracy_lo, accuracy_hi; /* 95% Wilson score interval */
    double majority_accuracy;        /* always predicting the majority class */
    double balanced_accuracy;        /* (recall + specificity) / 2; when y has one
                                        class, that class's recall (sklearn: the
                                        mean recall over the classes in y) */
    double precision, recall, f1, specificity; /* 0 where undefined (sklearn's zero_division=0) */
    double precision_lo, precision_hi;         /* 95% Wilson intervals of precision (of the */
    double recall_lo, recall_hi;               /* rows named) and recall (of the positives);
                                                  NaN where there is no such row */
    /* Naming the top k rows by score instead of those at the threshold
     * (ck_metrics_top; top_named 0: not asked): precision and recall of
     * those k, with 95% Wilson intervals.  Rows tied at the k-th score are
     * named in part, each counting its group's positive share: the
     * expected figures when ties are broken at random, so a constant score
     * gets the positive share whatever k is. */
    size_t top_named;
    double precision_at_top, precision_at_top_lo, precision_at_top_hi;
    double recall_at_top, recall_at_top_lo, recall_at_top_hi;
    double roc_auc;                  /* ties count one half (Mann-Whitney); NaN with one class */
    double average_precision;        /* sklearn's average_precision_score (step-wise, no
                                        interpolation); 0 with no positive, as sklearn */
    double log_loss;                 /* mean; p clipped to [1e-15, 1 - 1e-15] (the upper
                                        bound is the double 1 - 1e-15, as in sklearn) */
    double brier;                    /* mean squared error of p */
    double ece;                      /* expected calibration error over the reliability
                                        bins: sum of count/n * |mean p - observed rate| */
    /* Reliability curve: CK_RELIABILITY_BINS equal-width bins of p on [0, 1]
     * (bin k holds k/10 <= p < (k+1)/10, p = 1 in the last; the edges are
     * the doubles k/10.0, so p = 0.3 is in bin 3); for each, the row count,
     * mean p and observed positive rate (NaN when empty). */
    size_t rel_count[CK_RELIABILITY_BINS];
    double rel_mean_pred[CK_RELIABILITY_BINS];
    double rel_obs_rate[CK_RELIABILITY_BINS];
    /* Cumulative gains and lift by decile of risk: rows sorted by p
     * descending (ties in their input order), the top 10%, 20%, ... 100%
     * (the top ceil(n*k/10) rows); gains[k] is the share of all positives
     * in the top (k+1) deciles, lift[k] = gains[k] / ((k+1)/10).  Both NaN
     * when y has no positive. */
    double gains[CK_GAINS_BINS];
    double lift[CK_GAINS_BINS];
} ck_class_metrics;

/* Computes every classification metric above.  Errors (CK_EUSAGE): n == 0,
 * a NULL array, a y not 0 or 1, a p outside [0, 1] or NaN, a NaN threshold;
 * the message names the first bad element ("y[17] is 2; ..."). */
ck_status ck_metrics_classification(const int *y, const double *p, size_t n, double threshold,
                                    ck_class_metrics *out, ck_error *err);

/* Fills c's top_* fields for naming the top k rows of p (any real scores)
 * by score, 0 < k <= n.  CK_EUSAGE for bad rows or k; CK_ENOMEM. */
ck_status ck_metrics_top(const int *y, const double *p, size_t n, size_t k, ck_class_metrics *c,
                         ck_error *err);

/* ROC AUC alone (ties count one half); NaN when y has one class.  `score`
 * may be any finite real-valued score, not only a probability.  Also NaN
 * for input the other functions reject (n == 0, a y not 0 or 1, a
 * non-finite score) and when out of memory. */
double ck_metrics_auc(const int *y, const double *score, size_t n);

/* Mean log-loss, p clipped to [1e-15, 1 - 1e-15].  NaN for n == 0, a y not
 * 0 or 1, or a p outside [0, 1] or NaN. */
double ck_metrics_log_loss(const int *y, const double *p, size_t n);

/* 95% Wilson score interval for k successes out of n (z = 1.959963984540054),
 * within [0, 1]: lo is exactly 0 at k = 0, hi exactly 1 at k = n.  NaN
 * unless n > 0 and 0 <= k <= n.  lo or hi may be NULL. */
void ck_metrics_wilson(double k, double n, double *lo, double *hi);

/*
 * Curves for plotting.  ROC: (fpr, tpr) at each distinct threshold, from
 * (0, 0) to (1, 1) (sklearn 1.2's roc_curve with drop_intermediate=False,
 * which starts at (0, 0)); thresholds descend, the start's is max(score) + 1
 * as in sklearn 1.2.  Both curves have n = (distinct scores) + 1.  With no
 * negative (positive) in y every fpr (tpr) is NaN, as in sklearn.
 * Precision-recall: (recall, precision) at each distinct threshold,
 * sklearn's precision_recall_curve order (thresholds ascending, so recall
 * descends, ending at recall 0 with precision 1); that last point, which
 * sklearn gives no threshold, has max(score) + 1 here.  With no positive,
 * recall is 1 at every threshold (sklearn).  Errors (CK_EUSAGE): n == 0, a
 * y not 0 or 1, a non-finite score; then *out is empty (n 0, NULL arrays).
 * The caller frees with ck_curve_free (safe on an empty or freed curve).
 */
typedef struct ck_curve {
    size_t n;
    double *x, *y, *threshold;
} ck_curve;

ck_status ck_metrics_roc_curve(const int *y, const double *score, size_t n, ck_curve *out,
                               ck_error *err);
ck_status ck_metrics_pr_curve(const int *y, const double *score, size_t n, ck_curve *out,
                              ck_error *err);
void ck_curve_free(ck_curve *c);

typedef struct ck_reg_metrics {
    size_t n;
    double rmse, mae, median_ae, r2;
    double direction_accuracy; /* share of rows where sign(pred) == sign(y);
                                  a zero counts as its own sign (0 == 0) */
    double direction_changed;  /* the same among rows where y != 0 (when most
                                  values do not change, the question the
                                  business asks: up or down?); NaN if none */
    size_t n_changed;
    double mean_y;
} ck_reg_metrics;
/* median_ae is the median of |y - pred| (mean of the two middle values for
 * even n); r2 = 1 - SS_res / SS_tot, and with constant y (SS_tot = 0) 1 for
 * a perfect prediction, else 0 (sklearn's r2_score, force_finite). */

/* How well risk scores order the times to an event (a survival model):
 * Harrell's concordance C of score against (time, event) with its
 * infinitesimal-jackknife standard error and a 95% interval C +- 1.96 se
 * (R survival's concordance(); see cox.h), the rows and the events. */
typedef struct ck_surv_metrics {
    size_t n, events;
    double concordance, concordance_se, concordance_lo, concordance_hi;
} ck_surv_metrics;

/* score: higher means the event sooner (a log relative hazard).  Errors
 * (CK_EUSAGE / CK_EDATA): n == 0, non-finite values, an event not 0 or 1. */
ck_status ck_metrics_survival(const double *time, const double *event, const double *score,
                              size_t n, ck_surv_metrics *out, ck_error *err);

/* Errors (CK_EUSAGE): n == 0, a NULL array, a NaN or infinite value. */
ck_status ck_metrics_regression(const double *y, const double *pred, size_t n,
                                ck_reg_metrics *out, ck_error *err);

/*
 * Paired comparisons of two models on the same rows.
 * DeLong, DeLong & Clarke-Pearson (1988): the difference of two correlated
 * ROC AUCs, auc1 - auc2, its standard error, z and two-sided p-value.
 * McNemar: the two models' correct/incorrect decisions; b = rows model 1
 * gets right and model 2 wrong, c = the reverse; exact two-sided binomial
 * p-value min(1, 2 P(X <= min(b, c))), X ~ Binomial(b + c, 1/2) (mid-p not
 * used; 1 when b + c == 0); stat = (|b - c| - 1)^2 / (b + c), the
 * continuity-corrected chi-square, reported alongside (0 when b + c == 0;
 * 1 / (b + c) when b == c > 0, as statsmodels).
 * DeLong's variance needs at least 2 positives and 2 negatives: with fewer,
 * auc1/auc2/diff are filled (NaN when a class is absent) and se, z and
 * p_value are NaN, status CK_OK.  When se is 0 (every structural component
 * equal, e.g. a model against itself) z is 0 and p 1 if diff is 0, else z
 * is +-inf and p 0.  Errors (CK_EUSAGE) for both tests: n == 0, a NULL
 * array, a y (or pred) not 0 or 1, a non-finite score.
 */
typedef struct ck_delong {
    double auc1, auc2, diff, se, z, p_value;
    double ci_low, ci_high;  /* 95% interval of diff: diff -+ 1.96 se, as R's
                                pROC::roc.test gives it (NaN without an SE) */
} ck_delong;

ck_status ck_metrics_delong(const int *y, const double *s1, const double *s2, size_t n,
                            ck_delong *out, ck_error *err);

typedef struct ck_mcnemar {
    size_t b, c;
    double stat, p_value;
} ck_mcnemar;

/* pred1/pred2 are 0/1 decisions. */
ck_status ck_metrics_mcnemar(const int *y, const int *pred1, const int *pred2, size_t n,
                             ck_mcnemar *out, ck_error *err);

#endif
