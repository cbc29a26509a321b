/*
 * survmetrics.h -- evaluating a time-to-churn model at a horizon t: the
 * Kaplan-Meier estimator, the time-dependent AUC and Brier score with
 * inverse-probability-of-censoring weights (IPCW), and calibration by
 * decile groups of predicted risk.
 *
 * Inputs, row by row: time[i] >= 0 and finite (months as a customer,
 * whole or not), event[i] 1 when the churn was observed at time[i] and 0
 * when the row is censored (still a customer then: known to have survived
 * time[i], its churn if any later -- see ck_ipcw), optional case weights
 * weight[i] >= 0 and finite (NULL: all 1; a weight of 0 leaves the row out,
 * weights act as frequencies: a row of weight 3 counts as three equal rows),
 * and for a horizon t the model's predicted probability of churn by t,
 * risk[i] = 1 - S_i(t) in [0, 1].  Times are compared exactly (R's timefix
 * merging of nearly equal times is not done).
 *
 * The censoring distribution G(u) = P(C > u) is estimated by Kaplan-Meier
 * on the evaluation rows themselves (scikit-survival estimates it on the
 * training rows it is given; churnkit-eval has only the rows it
 * evaluates, and Uno et al. 2007 use the same sample).  It is the
 * missing-at-random assumption of every IPCW estimate: censoring
 * independent of churn and of the model's inputs.
 *
 * Numbers: the Kaplan-Meier curves equal R survival 3.5's survfit
 * (conf.type = "log-log", robust = FALSE) and the AUC and Brier scores a
 * plain O(n^2) implementation of the definitions below (CK_IPCW_AT's
 * being scikit-survival's), both to 1e-10 (tests/unit/test_survmetrics.c,
 * tests/fixtures/survmetrics/).
 *
 * Every function is pure and reentrant; working memory is freed before
 * it returns.  Besides the errors named below, a function can fail with
 * CK_ENOMEM.  Rows are sorted by qsort on (value, row index), a total order,
 * so results do not depend on the sort's stability; cost O(n log n).
 */
#ifndef CHURNKIT_SURVMETRICS_H
#define CHURNKIT_SURVMETRICS_H

#include <stddef.h>

#include "churnkit/error.h"

/* ------------------------------------------------------------------ */
/* Kaplan-Meier */

/*
 * A Kaplan-Meier curve, stored at its steps: the distinct times time[0] <
 * ... < time[ntimes - 1] with a (weighted) event, nevent[k] > 0.  With
 * n_k = nrisk[k] and d_k = nevent[k],
 *
 *   S(u) = prod_{time[k] <= u} (1 - d_k / n_k)          (Kaplan & Meier 1958)
 *   Var(log S(u)) = sum_{time[k] <= u} d_k / (n_k (n_k - d_k))   (Greenwood)
 *
 * greenwood[k] is that sum at time[k] (R's survfit std.err squared; the
 * variance of S itself is surv[k]^2 greenwood[k]); +inf from the step
 * where S reaches 0.  Weighted counts are used throughout, as survfit's
 * weights = ... with robust = FALSE.
 *
 * The survival curve (censoring = 0): the events are the churns, n_k the
 * weight of rows with time >= time[k].
 *
 * The censoring curve G (censoring = 1): the events are the censored rows.
 * At a time shared by churns and censorings the churns happen first --
 * the standard convention for IPCW (scikit-survival's reverse = True,
 * prodlim's reverse Kaplan-Meier): a churn observed at u means the row was
 * still uncensored at u, so it leaves G's risk set before the censorings
 * at u, and n_k is the weight with time >= time[k] less the churns at
 * time[k].  (R's survfit(Surv(time, 1 - event) ~ 1) does the opposite at
 * ties, keeping the churns at risk.)  When every row left at a time is
 * censored there, G drops to 0.
 *
 * The arrays are one allocation owned by the struct: free with
 * ck_km_fini.  ntimes may be 0 (no events: the curve is 1 everywhere).
 */
typedef struct ck_km {
    size_t ntimes;
    double *time;      /* the step times, increasing */
    double *surv;      /* the estimate on [time[k], time[k + 1]) */
    double *nrisk;     /* weight at risk at time[k] (see above) */
    double *nevent;    /* weight of events at time[k] */
    double *greenwood; /* Var(log S) at time[k] */
} ck_km;

/* Fits the curve of the rows 0..n-1 (censoring = 0: survival; 1: the
 * censoring distribution).  Errors (CK_EDATA): n == 0, a time, event or
 * weight out of its range (the message names the row), every weight 0.
 * CK_EUSAGE: a NULL array (other than weight).  On success free km with
 * ck_km_fini; on failure there is nothing to free. */
ck_status ck_km_fit(const double *time, const double *event, const double *weight, size_t n,
                    int censoring, ck_km *km, ck_error *err);

/* The same on a subset: rows[0..nrows-1] index time, event and weight
 * (NULL: the rows 0..nrows-1). */
ck_status ck_km_fit_rows(const double *time, const double *event, const double *weight,
                         const size_t *rows, size_t nrows, int censoring, ck_km *km,
                         ck_error *err);

void ck_km_fini(ck_km *km);

/* S(t), the right-continuous step function: 1 before time[0], surv[k] on
 * [time[k], time[k + 1]), the last value after the last step (an
 * extrapolation past the data; a caller that cares compares t with the
 * largest time itself).  NaN for a NaN t. */
double ck_km_at(const ck_km *km, double t);

/* S(t-), the value just before t: the steps at times < t only.  G(T_i-)
 * is the probability that row i was still uncensored when it churned. */
double ck_km_at_left(const ck_km *km, double t);

/* The 95% pointwise interval of S(t) on the log-log scale (Kalbfleisch &
 * Prentice 1980; R's conf.type = "log-log", scikit-survival's only
 * interval):
 *
 *   [ S^exp(-z s / log S),  S^exp(z s / log S) ],  s = sqrt(greenwood),
 *   z = qnorm(0.975)
 *
 * R's default is "log" (S exp(+-z s), cut at 1); log-log is chosen because
 * it stays inside (0, 1) without cutting, which matters for the small
 * calibration groups and the low churn of short horizons (S near 1), where
 * the log interval's upper end is cut to 1 and says nothing.  Degenerate
 * ends: S = 1 (no event by t) gives [1, 1] and S = 0 gives [0, 0] -- the
 * Greenwood variance is 0 or undefined there; R gives NA for S = 0.  With
 * a single event the interval is still wide but finite. */
void ck_km_interval(const ck_km *km, double t, double *lo, double *hi);

/* Kaplan-Meier churn by t of a subset of rows (rows NULL: 0..nrows-1): */
typedef struct ck_km_churn {
    double churn;  /* 1 - S(t) */
    double lo, hi; /* 1 - the interval of S(t) above: lo <= churn <= hi */
    double surv;   /* S(t) */
    double se;     /* sqrt(Var S(t)) = S(t) sqrt(greenwood), Greenwood's;
                      NaN where S(t) = 0 */
} ck_km_churn;

/* Errors as ck_km_fit; also CK_EUSAGE for a t that is NaN. */
ck_status ck_km_churn_at(const double *time, const double *event, const double *weight,
                         const size_t *rows, size_t nrows, double t, ck_km_churn *out,
                         ck_error *err);

/* ------------------------------------------------------------------ */
/* metrics at a horizon */

/*
 * The IPCW rule: which rows are the controls at a horizon t, and which
 * value of G weights the cases (rows with T_i <= t and event = 1) and the
 * controls.
 *
 *  CK_IPCW_BEFORE (the default): Graf et al. (1999) and Gerds &
 *    Schumacher (2006) for the cases, as R's pec and riskRegression
 *    compute them: a case weighs 1 / G(T_i-).  The controls are the rows
 *    KNOWN to have survived t: T_j > t, or T_j = t and event 0 (censored at
 *    t), each weighing 1 / G(t-).
 *
 *    Why: churn times here are whole months, and a row censored at month t
 *    paid month t (churnkit's labels, docs/features.md: churn_months is the
 *    months to the first month without revenue, churn_event 0 = still
 *    paying in the last month the data covers), so its churn, if any, is
 *    after t -- it survived t.  That is the "churns before censorings at a
 *    tied time" by which G is fitted (ck_km): a churn at u is observed when
 *    the row is still followed at u, C_i >= u, probability G(u-); a
 *    survivor at t is observed as one when C_j >= t, probability G(t-).
 *    With these weights the IPCW sums reproduce the Kaplan-Meier exactly
 *    (with Y(u) the weight with time >= u, d(u) its churns, S(t) G(t-) =
 *    (Y(t) - d(t)) / W, and the controls' weight is Y(t) - d(t)):
 *
 *      sum_cases w_i / G(T_i-) = W (1 - S_KM(t)),
 *      sum_controls w_j / G(t-) = W S_KM(t),
 *
 *    so the weights of cases and controls sum to W, and the null model's
 *    Brier score is S_KM(t) (1 - S_KM(t)) exactly -- also at the data's
 *    last time, where every remaining row is censored: there G(t) = 0 but
 *    G(t-) > 0, and that horizon's label is fully known (as a classifier's
 *    churned_6m is at 6 months of follow-up).  A horizon is refused only
 *    when G(t-) = 0: nobody is still followed at t.
 *
 *  CK_IPCW_AT: scikit-survival's convention, kept so that churnkit's numbers
 *    are sksurv's cumulative_dynamic_auc and brier_score: a case weighs
 *    1 / G(T_i) (CensoringDistributionEstimator.predict_ipcw looks G up at
 *    T_i with its right-continuous step lookup), the controls are T_j > t
 *    only, weighing 1 / G(t).  Refused when G(t) = 0, so at the data's last
 *    time when anybody is censored there.
 *
 * The two differ for a case whose time is also a censoring time and for
 * the rows censored exactly at t: rarely with continuous times, constantly
 * with whole months.  There CK_IPCW_AT puts too much weight on those cases
 * (by 1 / (1 - c/(n - d)) at that month; in simulations like the test data
 * its Brier score comes out about 0.01 too high) and leaves the rows
 * censored at t out of the controls.  (Under independent censoring the
 * rows followed beyond t are a fair sample of the survivors of t too, so
 * that alone biases nothing away from the last time; CK_IPCW_BEFORE uses
 * every row whose state at t is known, and stays defined at the last
 * time.)  On the test's whole-month data (tests/fixtures/survmetrics/
 * horizon_months.csv) at 3 months: AUC 0.6693 with CK_IPCW_AT and 0.6615
 * with CK_IPCW_BEFORE, Brier 0.1609 and 0.1553, the null model's 0.1676
 * and 0.1588 = S(1 - S); at 12 months, the data's last, CK_IPCW_AT is
 * undefined and CK_IPCW_BEFORE gives AUC 0.7189, Brier 0.2199, null
 * 0.2500.
 */
typedef enum ck_ipcw {
    CK_IPCW_AT = 0,
    CK_IPCW_BEFORE = 1
} ck_ipcw;

typedef struct ck_surv_options {
    ck_ipcw ipcw; /* default CK_IPCW_BEFORE */
} ck_surv_options;

void ck_surv_options_init(ck_surv_options *opt);

#define CK_SURV_GROUPS 10

/*
 * The metrics at one horizon t.  With w_i the case weights, W = sum w_i,
 * cases i: T_i <= t and event_i = 1, with weight a_i = w_i / G_i, and
 * controls j with weight b_j = w_j / G_c, by the rule (ck_ipcw):
 *
 *   CK_IPCW_BEFORE: G_i = G(T_i-); controls T_j > t, or T_j = t and
 *     event_j = 0 (censored at t: survived t); G_c = G(t-)
 *   CK_IPCW_AT:     G_i = G(T_i);  controls T_j > t;            G_c = G(t)
 *
 * The other rows -- censored before t (and, under CK_IPCW_AT, at t) -- are
 * neither; the weights of cases and controls carry theirs.
 *
 *  auc: the cumulative/dynamic AUC (Heagerty et al. 2000; the IPCW
 *    estimate of Uno et al. 2007 and Hung & Chiang 2010, scikit-survival's
 *    cumulative_dynamic_auc), the weighted probability that a case has a
 *    higher risk than a control, ties in risk counting 1/2:
 *
 *      AUC(t) = sum_i sum_j a_i b_j (1[r_j < r_i] + 1[r_j = r_i] / 2)
 *               / (sum_i a_i  sum_j b_j)
 *
 *    (G_c is the same for every control and cancels), computed in
 *    O(n log n) by sorting on risk.  Risks are compared exactly (sksurv
 *    merges scores within tied_tol = 1e-8 of each other; the two agree
 *    unless two different risks are that close).  NaN when there is no
 *    case (no churn observed by t) or no control (nobody known to survive
 *    t).  cases and controls count rows of weight > 0.
 *
 *  brier: the IPCW Brier score (Graf et al. 1999; sksurv's brier_score,
 *    weighted, under CK_IPCW_AT), with S_i(t) = 1 - r_i:
 *
 *      BS(t) = ( sum_cases a_i S_i(t)^2 + sum_controls b_j (1 - S_j(t))^2 ) / W
 *
 *    brier_null: the same for the null model that predicts the marginal
 *    Kaplan-Meier S_KM(t) of all rows for everybody; under CK_IPCW_BEFORE
 *    exactly S_KM(t) (1 - S_KM(t)) (see ck_ipcw).  A Brier skill score is
 *    1 - brier / brier_null (undefined when brier_null is 0).
 *
 *  Calibration: the rows of weight > 0 are grouped by deciles of risk --
 *    row i goes to group floor(10 W(r < r_i) / W), W(r < r_i) the weight
 *    of the rows with a strictly smaller risk -- so equal risks always
 *    share a group (nothing depends on row order), groups hold about W/10
 *    each, and a tie spanning a decile boundary empties the next group(s).
 *    The ngroups non-empty groups are listed in increasing risk: count[g]
 *    rows, pred[g] their weighted mean risk, obs[g] the Kaplan-Meier churn
 *    1 - S(t) of the group's own rows and [obs_lo[g], obs_hi[g]] its 95%
 *    log-log interval (ck_km_interval).  mean_pred and km_obs (with
 *    km_obs_lo, km_obs_hi) are the same over all rows,
 *    "calibration-in-the-large".
 */
typedef struct ck_surv_horizon {
    double t;
    double auc;
    size_t cases, controls;
    double brier, brier_null;
    double surv_km; /* S_KM(t), the null model's prediction */
    double cens_t;    /* G(t), the censoring survival at t (0 at the data's last
                         time when a row is censored there) */
    double cens_left; /* G(t-), just before t: the controls' G under
                         CK_IPCW_BEFORE */
    size_t ngroups;
    double pred[CK_SURV_GROUPS], obs[CK_SURV_GROUPS];
    double obs_lo[CK_SURV_GROUPS], obs_hi[CK_SURV_GROUPS];
    size_t count[CK_SURV_GROUPS];
    double mean_pred, km_obs, km_obs_lo, km_obs_hi;
} ck_surv_horizon;

/*
 * Fills out for horizon t (opt NULL: the defaults).  Errors: CK_EUSAGE for
 * t not finite or <= 0 and for NULL arrays (other than weight); CK_EDATA
 * for n == 0, a time, event, weight or risk out of its range (naming the
 * row), every weight 0, and a controls' G_c of 0, where the IPCW weights
 * are undefined (the message names t and the data's last time u, where G
 * reached 0 because every row still followed then was censored then):
 * under CK_IPCW_BEFORE G(t-) = 0, a horizon t > u, nobody followed up to
 * t ("G(t-) is 0 ... choose a horizon of at most u"); under CK_IPCW_AT
 * G(t) = 0, t >= u ("G(t) is 0 ... choose a horizon before u").  Otherwise
 * G_i >= G_c > 0 for every case.  A horizon past the last time is allowed
 * when G stays positive (the last rows all churned): then there is no
 * control and auc is NaN.  out has no pointers; nothing to free.
 */
ck_status ck_surv_horizon_metrics(const double *time, const double *event,
                                  const double *weight, const double *risk, size_t n, double t,
                                  const ck_surv_options *opt, ck_surv_horizon *out,
                                  ck_error *err);

#endif
