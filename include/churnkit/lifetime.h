/*
 * lifetime.h -- what a survival model's score means to the business, row by
 * row: the probability of churn by each horizon, the expected months as a
 * customer, the revenue at risk, the customer lifetime value and its return
 * on the acquisition cost (seed documents 000 and 003; docs/value-model.md).
 *
 * For a row with log relative hazard eta and monthly revenue MRR, over a
 * proportional-hazards curve S(t) = exp(-H0(t) exp(eta)) in months:
 *
 *   churn by h       = 1 - S(h)                        for each horizon h
 *   expected months  = sum_{m=1}^{T} S(m)   the months the account is
 *                      expected to pay within the last horizon T: month m
 *                      is paid when the account is still a customer m
 *                      months on (churnkit-features' churn_months counts
 *                      the first month without revenue, so time k means
 *                      k - 1 more months paid); for any T, the integral of
 *                      S(u + 1) over [0, T], the restricted mean survival
 *                      time of the paid months
 *   revenue at risk  = MRR (T - expected months) = MRR sum_{m=1}^{T} (1 - S(m))
 *                      the revenue the expected unpaid months within T
 *                      would have brought
 *   CLV              = sum_{m=1}^{M} S(m) MRR (1 + r)^(-m/12)
 *                      M = clv_months, r the yearly discount rate: month
 *                      m's revenue, discounted to today; undiscounted over
 *                      M = T months, CLV + revenue at risk = T MRR
 *   ROI              = CLV / acquisition cost
 *
 * H0 at the horizons and at months 1..M is looked up once (ck_lifetime_init),
 * so a row costs one exp per horizon and per month, plus one per event time
 * below T for the RMST.
 */
#ifndef CHURNKIT_LIFETIME_H
#define CHURNKIT_LIFETIME_H

#include <stddef.h>

#include "churnkit/cox.h"
#include "churnkit/error.h"

/* The most horizons a scoring run takes. */
#define CK_HORIZONS_MAX 16

typedef struct ck_lifetime_options {
    double horizon[CK_HORIZONS_MAX]; /* months, increasing (default 3, 6) */
    size_t nhorizons;
    size_t clv_months;               /* M (default 24) */
    double discount_rate;            /* r, yearly (default 0.10) */
} ck_lifetime_options;

void ck_lifetime_options_init(ck_lifetime_options *o);

/* Parses "3,6,12" into o's horizons: positive numbers of months, at most
 * CK_HORIZONS_MAX, strictly increasing (CK_EUSAGE otherwise). */
ck_status ck_lifetime_parse_horizons(ck_lifetime_options *o, const char *text, ck_error *err);

typedef struct ck_lifetime {
    const ck_ph_curve *c;       /* borrowed */
    size_t nh;
    double horizon[CK_HORIZONS_MAX], H_h[CK_HORIZONS_MAX]; /* H0 at each horizon */
    double tmax;                /* the last horizon */
    size_t nm;
    double *H_m, *disc;         /* H0(m) and (1 + r)^(-m/12), m = 1..M (owned) */
} ck_lifetime;

ck_status ck_lifetime_init(ck_lifetime *lt, const ck_ph_curve *c,
                           const ck_lifetime_options *o, ck_error *err);
void ck_lifetime_fini(ck_lifetime *lt);

/* 1 - S(h) for horizon k. */
double ck_lifetime_churn(const ck_lifetime *lt, double eta, size_t k);

/* The expected months paid within the last horizon (see above). */
double ck_lifetime_expected(const ck_lifetime *lt, double eta);

/* The CLV of a row paying mrr a month (NaN when mrr is). */
double ck_lifetime_clv(const ck_lifetime *lt, double eta, double mrr);

#endif
