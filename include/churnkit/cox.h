/*
 * cox.h -- Cox proportional hazards regression for time to churn.
 *
 * The model: the hazard of row i at time t is h0(t) exp(eta_i), with
 * eta_i = x_i' beta over the encoded row x_i (no intercept: a constant
 * would be absorbed by the unspecified baseline hazard h0).  beta maximizes
 * Cox's partial log-likelihood (Cox 1972), minus (L/2) ||beta||^2 when an
 * L2 penalty L > 0 is given.  Over the distinct event times t_k, with
 * R_k the rows still at risk (time >= t_k), D_k the rows with an event at
 * t_k, d_k = |D_k|, case weights w_i and r_i = w_i exp(eta_i):
 *
 *   Breslow (1974):  l(beta) = sum_k [ sum_{i in D_k} w_i eta_i
 *                                      - W_k log S_k ]
 *   Efron (1977):    l(beta) = sum_k [ sum_{i in D_k} w_i eta_i
 *                                      - (W_k / d_k) sum_{l=0}^{d_k-1}
 *                                        log(S_k - (l / d_k) E_k) ]
 *
 * with S_k = sum_{R_k} r_i, E_k = sum_{D_k} r_i and W_k = sum_{D_k} w_i.
 * Efron's approximation (the default) treats tied events as happening in
 * an unknown order and approximately averages over it; it is much closer
 * to the exact partial likelihood than Breslow's when many events share a
 * time, as churn counted in whole months does.  The weighted forms are
 * exactly those of R's survival::coxph(weights =) (its coxfit6.c: Efron's
 * terms get the mean weight of the tied events), and the fit matches coxph
 * to about 1e-12 (tests/unit/test_cox.c, tests/fixtures/cox/).  Times are
 * compared exactly: R's timefix (merging times that differ by rounding)
 * is not done.  A weight of 0 leaves the row out; weights are frequencies or
 * importances, and the covariance is the model-based one (coxph with
 * robust = FALSE; R switches to a robust sandwich by default for
 * non-integer weights, which churnkit does not compute).
 *
 * Solver: Newton-Raphson with step halving and a Cholesky solve (the
 * minimum-norm SVD solution when the information is singular), from
 * beta = 0, until the largest component of the (penalized) score has fallen
 * below tol times its value at beta = 0 (at least 1).  Columns are centered
 * on their weighted means inside the fit, and exp(eta) is taken relative to
 * the largest eta of the iteration; neither changes the likelihood (it is
 * invariant to a shift of every eta), both keep exp from overflowing.
 *
 * Cost: the rows are sorted by time once (a radix sort); each iteration is
 * then two passes over the rows and O(n p^2) work, with no O(n^2) step.
 * Risk-set sums are running sums in decreasing time, and the information
 * matrix is rearranged so that its p x p part is one weighted X'WX over the
 * rows: with A_i the (Breslow or Efron) hazard increments summed over the
 * event times t_k <= t_i,
 *
 *   I = sum_i r_i (A_i - B_i) x_i x_i' - sum_k [ a_k u_k u_k'
 *         - b_k (u_k v_k' + v_k u_k') + c_k v_k v_k' ]
 *
 * where u_k = sum_{R_k} r_i x_i, v_k = sum_{D_k} r_i x_i, B_i is the Efron
 * correction of an event row (0 for Breslow) and a_k, b_k, c_k are
 * (W_k / d_k) sum_l f^q / (S_k - f E_k)^2 with f = l / d_k, q = 0, 1, 2
 * -- O(p^2) per event time instead of per row -- and the score is
 * sum_i x_i (w_i delta_i - r_i (A_i - B_i)), delta_i the event indicator.
 * Both passes are cut into chunks fixed by the row count alone and combined
 * in chunk order (see parallel.h), so the fit is bit-identical for any
 * number of threads.  The design matrix is never materialized (rows come
 * from ck_design_row; the pass in time order visits the table's rows out of
 * order and prefetches them).  Memory: about 60 bytes a row while
 * iterating and up to 100 at the end (the concordance), plus p^2 doubles a
 * chunk.  At 1,000,000 rows x 20 columns a fit took about 2.5 s (times in
 * whole months) to 6 s (continuous times) of one core and 85 to 110 MB
 * beside the table, where R's coxph took 15 to 20 s and 1.6 GB in all.
 *
 * Not distributed: there is no reducer version (the risk sets of a Cox
 * model run across every process's rows in time order, which the sums of
 * reduce.h do not give); a distributed caller must gather the rows.
 */
#ifndef CHURNKIT_COX_H
#define CHURNKIT_COX_H

#include <stddef.h>

#include "churnkit/error.h"
#include "churnkit/pipeline.h"

typedef enum ck_cox_ties {
    CK_COX_EFRON = 0, /* the default, as in R's coxph */
    CK_COX_BRESLOW = 1
} ck_cox_ties;

/* Which estimate of the baseline cumulative hazard to keep (see
 * ck_cox.cumhaz).  AUTO follows the ties method, as R's survfit.coxph and
 * basehaz do (their ctype 1 for Breslow fits, 2 for Efron fits). */
typedef enum ck_cox_hazard {
    CK_COX_HAZARD_AUTO = 0,
    CK_COX_HAZARD_BRESLOW = 1, /* dH0(t_k) = W_k / S_k (Nelson-Aalen type) */
    CK_COX_HAZARD_EFRON = 2    /* dH0(t_k) = (W_k / d_k) sum_l 1 / (S_k - (l/d_k) E_k) */
} ck_cox_hazard;

typedef struct ck_cox_options {
    ck_cox_ties ties;     /* default CK_COX_EFRON */
    ck_cox_hazard hazard; /* default CK_COX_HAZARD_AUTO */
    double l2;            /* L >= 0: maximizes l(beta) - (L/2) ||beta||^2,
                             which is R's coxph(... ridge(..., theta = L,
                             scale = FALSE)) */
    int max_iter;         /* Newton iterations, default 50 */
    double tol;           /* relative score tolerance, default 1e-9 */
    size_t threads;       /* 0: one a processor */
    ck_progress_fn progress;
    void *progress_ctx;
} ck_cox_options;

void ck_cox_options_init(ck_cox_options *opt);

/*
 * Harrell's concordance for survival data, as R survival's concordance()
 * computes it (concordancefit, timewt = "n"): over the comparable pairs --
 * an event at time t and a row with a longer time, or censored at t or
 * later -- weighted by the product of the two case weights, a pair is
 * concordant when the event had the higher risk score eta, discordant when
 * it had the lower, tied_x when equal; C = (concordant + tied_x / 2) /
 * (concordant + discordant + tied_x).  Pairs of events at the same time are
 * not comparable: they are counted in tied_y (tied_xy when the scores are
 * equal too, and then not in tied_y).
 *
 * se is R's standard error (the `std` of coxph's fit$concordance and the
 * se(C) that summary(coxph) prints): the infinitesimal jackknife,
 * se^2 = sum_i dfbeta_i^2 with dfbeta_i = w_i [(C_i - D_i) - (C_i + D_i +
 * T_i) s] / (2 N), where C_i, D_i, T_i are the weights of the concordant,
 * discordant and tied-on-eta pairs row i is part of, N the total pair
 * weight (concordant + discordant + tied_x) and s = (concordant -
 * discordant) / N, Somers' d.  (R's older "cvar", the variance of the
 * Cox score statistic, is not this one.)
 */
typedef struct ck_concordance {
    double concordance, se;
    double concordant, discordant, tied_x, tied_y, tied_xy; /* weighted pairs */
} ck_concordance;

/* The concordance of risk scores eta[0..n) with (time, event) (event 1 or
 * 0), optional weights (NULL for all 1; rows of weight 0 take no part).
 * O(n log n): a radix sort and two Fenwick trees over the ranks of eta.
 * With no comparable pair, concordance and se are NaN.  Errors: out of
 * memory; a non-finite time or eta, an event not 0 or 1, a negative
 * weight (CK_EDATA). */
ck_status ck_cox_concordance(const double *time, const double *event, const double *weight,
                             const double *eta, size_t n, ck_concordance *out, ck_error *err);

typedef struct ck_cox {
    size_t p;              /* coefficients: the encoded width (no intercept) */
    double *beta;          /* p */
    double *cov;           /* p x p, row-major: the inverse of the information
                              at beta (of the penalized information when
                              L > 0, R's fit$var: approximate then); a
                              pseudo-inverse when singular */
    double *center;        /* p weighted means of the encoded columns over
                              the fitted rows */
    ck_cox_ties ties;
    ck_cox_hazard hazard;  /* the estimate in cumhaz (never AUTO) */
    double l2;
    size_t n;              /* rows fitted (weight > 0) */
    size_t events;         /* of them, rows with an event (R's nevent) */
    double weight_sum, event_weight;
    double loglik0;        /* partial log-likelihood at beta = 0 */
    double loglik;         /* at beta, without the penalty (R's loglik[2]) */
    double penalty;        /* (L/2) ||beta||^2 */
    /* Tests of beta = 0.  lr: 2 (loglik - loglik0) on lr_df degrees of
     * freedom, which is p, or with a penalty the effective degrees of
     * freedom p - L trace(cov) (R's df for ridge terms).  wald: beta'
     * cov^-1 beta; score: U' I^-1 U with the score U and unpenalized
     * information I at beta = 0 -- the log-rank test when the only column
     * is a group indicator; it does not depend on the penalty.  Both on p
     * degrees of freedom.  p-values from the chi-squared distribution. */
    double lr_stat, lr_df, lr_p;
    double wald_stat, wald_p;
    double score_stat, score_p;
    size_t iterations;
    int converged;
    double grad_rel;       /* final max |penalized score| / its start value */
    int monotone;          /* monotone likelihood (L = 0): some coefficients
                              diverge, the estimates are not meaningful */
    double cond;           /* condition number of the information scaled to
                              unit diagonal */
    ck_concordance concordance; /* of eta on the fitted rows (R's
                                   fit$concordance) */
    /*
     * Baseline cumulative hazard H0(t) -- the cumulative hazard of a row
     * whose encoded values are all 0 -- at each distinct event time
     * time[0] < ... < time[ntimes - 1]: R's basehaz(fit, centered = FALSE)
     * at those times (AUTO), or survfit(fit, ctype = 1) made uncentered
     * (Breslow).  H0 is a step function: 0 before time[0], cumhaz[k] on
     * [time[k], time[k + 1]).
     *
     * basehaz(fit, centered = TRUE), R's default, is the hazard at R's
     * fit$means instead: H0(t) exp(sum_j mean_j beta_j).  R's means are the
     * weighted column means (this->center) except 0 for a column whose
     * values are all -1, 0 or 1 (coxph does not center those, so indicator
     * columns count as 0).  churnkit's pipeline standardizes numeric
     * columns to mean 0 on the training rows, so for an unweighted fit the
     * two of R's hazards nearly coincide; center here is the exact mean of
     * every column, so H0(t) exp(center' beta) is the hazard of the
     * average row.
     */
    size_t ntimes;
    double *time;
    double *cumhaz;
    double *nrisk;         /* weighted rows at risk at time[k] */
    double *nevent;        /* weighted events at time[k] */
    double last_time;      /* the largest time fitted (event or censored):
                              beyond it the curve is an extrapolation */
} ck_cox;

/*
 * Fits the model on the rows of ds (ds->y is not used).  time and event
 * are indexed by table row, like ds->y: time >= 0 and finite, event 1 when
 * the churn was observed and 0 when the row is censored (still a customer
 * at `time`).  Weights ds->weight (NULL: all 1) must be finite and >= 0.
 *
 * Warnings: no convergence, monotone likelihood (coefficients diverge:
 * some column or combination orders the events perfectly; use L > 0),
 * collinear columns (named).  Errors (CK_EDATA): a negative or non-finite
 * time, an event other than 0 or 1, a bad weight (the message gives the
 * table row; naming the input line is the caller's), no events, no
 * columns, non-finite encoded values.  On success out must be freed with
 * ck_cox_fini; on failure there is nothing to free.
 */
ck_status ck_cox_fit(const ck_dataset *ds, const double *time, const double *event,
                     const ck_cox_options *opt, ck_cox *out, ck_warnings *w, ck_error *err);
void ck_cox_fini(ck_cox *m);

/* The linear predictor sum_j beta[j] x[j] of an encoded row. */
double ck_cox_eta(const ck_cox *m, const double *x);

/*
 * What scoring needs of a proportional-hazards model besides its linear
 * predictor: the baseline cumulative hazard H0 at the event times (a step
 * function, see ck_cox) and the last time fitted.  The arrays are borrowed
 * (from a ck_cox, or from a model file's "baseline").  Any model whose
 * survival is S(t | eta) = exp(-H0(t) exp(eta)) can use these functions.
 */
typedef struct ck_ph_curve {
    size_t ntimes;
    const double *time;    /* increasing */
    const double *cumhaz;  /* non-decreasing, >= 0 */
    const double *nrisk;   /* the (weighted) rows at risk and events at each */
    const double *nevent;  /*   time in the training data */
    double last_time;
} ck_ph_curve;

/* The curve of a fitted model (borrowing its arrays). */
ck_ph_curve ck_cox_curve(const ck_cox *m);

/* H0(t): the baseline cumulative hazard by step-function lookup (0 before
 * the first event time; the last value after the last one). */
double ck_ph_cumhaz(const ck_ph_curve *c, double t);

/* S(t) = exp(-H0(t) exp(eta)): the probability that a row with linear
 * predictor eta is still a customer at time t. */
double ck_ph_survival(const ck_ph_curve *c, double eta, double t);

/* The Kaplan-Meier estimate of the training rows' survival at t,
 * prod over time[k] <= t of (1 - nevent[k] / nrisk[k]): the share of the
 * training population still customers at t (the model's average risk).  */
double ck_ph_km(const ck_ph_curve *c, double t);

/* The restricted mean survival time: the integral of the step function
 * S(u) over 0 <= u <= tmax (the expected time as a customer within the
 * horizon tmax).  0 when tmax <= 0; at most tmax.  Past last_time, S is
 * held at its last value, an extrapolation. */
double ck_ph_rmst(const ck_ph_curve *c, double eta, double tmax);

#endif
