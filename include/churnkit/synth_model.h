/*
 * synth_model.h -- the generative model behind churnkit-synth: its
 * parameters, the per-account state, and one account-month of simulation.
 *
 * This module does no I/O.  The writer (synth.c) owns the world and the
 * accounts, calls ck_synth_account_init once per account and
 * ck_synth_account_month once per account and month, in month order, and
 * receives the generated rows through a ck_synth_sink.  Every equation and
 * parameter is documented in docs/synthetic-world.md; the parameter values
 * live only in ck_synth_default_params (synth_model.c).
 *
 * Latent index: 0 = engagement depth, 1 = satisfaction, 2 = product fit.
 */
#ifndef CHURNKIT_SYNTH_MODEL_H
#define CHURNKIT_SYNTH_MODEL_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "churnkit/error.h"

#define CK_SYNTH_NFEATURES 20
#define CK_SYNTH_NTIERS 4
#define CK_SYNTH_NSIZES 3
#define CK_SYNTH_NINDUSTRIES 8
#define CK_SYNTH_NREGIONS 4
/* Seat numbers run 0..CK_SYNTH_MAX_SEATS-1 (they are 4 digits in user ids);
 * an account that has created that many users adds no more. */
#define CK_SYNTH_MAX_SEATS 9999

enum { CK_SYNTH_DEPTH = 0, CK_SYNTH_SAT = 1, CK_SYNTH_FIT = 2 };

/* Every number of the model (see docs/synthetic-world.md for each). */
typedef struct ck_synth_params {
    /* population */
    double share_existing;          /* share of accounts signed up before the start */
    int existing_days;              /* their signup is uniform over this many days before */
    double size_prob[CK_SYNTH_NSIZES];
    double tier_prob[CK_SYNTH_NSIZES][CK_SYNTH_NTIERS]; /* P(tier | size) */
    double industry_prob[CK_SYNTH_NINDUSTRIES];
    double region_prob[CK_SYNTH_NREGIONS];
    double seats_median[CK_SYNTH_NSIZES]; /* initial seats: lognormal */
    double seats_sigma[CK_SYNTH_NSIZES];
    double potential_median, potential_sigma; /* seat potential = initial seats x lognormal */
    double pseudo_share;            /* accounts in the pseudo-active segment */
    double onboard_seat_days;       /* initial users join within this many days */

    /* latent variables */
    double corr_ds, corr_df, corr_sf; /* correlations depth-sat, depth-fit, sat-fit */
    double transient_var;           /* share of each latent's variance that drifts */
    double ar_phi;                  /* monthly AR(1) coefficient of the drift */
    double shock_prob;              /* monthly chance of a setback */
    double shock_depth, shock_sat;  /* its effect on the drifting part */
    double pseudo_depth;            /* depth shift of pseudo-active accounts */
    double onboard_depth;           /* depth shift at signup ... */
    double onboard_months;          /* ... decaying with this time constant */

    /* daily activity and sessions */
    double user_sd;                 /* sd of a user's own activity effect */
    double act_b0, act_depth, act_sat, act_pseudo; /* logit of P(active on a weekday) */
    double weekend_factor;          /* multiplies P(active) on Saturday and Sunday */
    double month_factor[12];        /* multiplies P(active) by calendar month */
    double winddown_factor;         /* multiplies P(active) in the last paid month */
    double extra_sessions, extra_sessions_depth; /* sessions per active day = 1 + Poisson */
    double minutes_median, minutes_depth, minutes_user, minutes_pseudo, minutes_sigma;
    double minutes_max;

    /* features */
    double feature_b0[CK_SYNTH_NFEATURES]; /* logit of monthly adoption, by catalogue order */
    double core_depth, core_fit, core_pseudo; /* adoption of core features */
    double edge_depth, edge_fit, edge_pseudo; /* adoption of the other features */
    double adopt_user;              /* weight of the user effect in adoption */
    double core_daily, edge_daily;  /* P(adopted feature used on an active day) */
    double core_clicks, core_clicks_depth, core_clicks_pseudo, edge_clicks;

    /* NPS */
    double nps_survey;              /* P(a user is surveyed in a month) */
    double nps_resp_b0, nps_resp_depth, nps_resp_user; /* logit of P(answer) */
    double nps_mean, nps_sat, nps_depth, nps_sd;

    /* churn hazard (logit of the monthly probability) */
    double haz_b0, haz_depth, haz_sat, haz_fit;
    double haz_tier[CK_SYNTH_NTIERS];
    double haz_size[CK_SYNTH_NSIZES];
    double haz_hotspot;             /* technology or financial services, SMB or mid-market */
    double haz_onboard, haz_onboard_months;

    /* seats, plan and revenue */
    double add_rate, add_depth, add_sat, add_fit;    /* new seats: Poisson(seats * rate * room) */
    double rm_rate, rm_depth, rm_sat;                /* each seat but one leaves */
    double rollout_prob, rollout_depth, rollout_fit, rollout_median, rollout_sigma;
    double upgrade_prob, upgrade_depth, upgrade_fit;
    double downgrade_prob, downgrade_depth, downgrade_sat;
    double base_fee[CK_SYNTH_NTIERS];                /* per account and month */
    double seat_price[CK_SYNTH_NTIERS];              /* per seat and month */
    double price_sigma;                              /* negotiated price: lognormal */
} ck_synth_params;

/* The one set of parameter values (chosen for plausibility, never tuned to
 * an accuracy target; see docs/synthetic-world.md). */
extern const ck_synth_params ck_synth_default_params;

/* The feature catalogue, in alphabetical order; core features marked. */
extern const char *const ck_synth_feature_name[CK_SYNTH_NFEATURES];
extern const unsigned char ck_synth_feature_core[CK_SYNTH_NFEATURES];

extern const char *const ck_synth_tier_name[CK_SYNTH_NTIERS];
extern const char *const ck_synth_size_name[CK_SYNTH_NSIZES];
extern const char *const ck_synth_industry_name[CK_SYNTH_NINDUSTRIES];
extern const char *const ck_synth_region_name[CK_SYNTH_NREGIONS];

/* What every account shares: built by ck_synth_world_init, freed by
 * ck_synth_world_fini. */
typedef struct ck_synth_world {
    const ck_synth_params *p;
    uint64_t seed;
    long naccounts;
    int months;
    int32_t start;          /* day number of the first day */
    int32_t *month_start;   /* months + 1 day numbers: month m is [month_start[m], month_start[m+1]) */
    float *day_factor;      /* per day of the world: weekend and calendar-month factor */
    double chol[3][3];      /* lower Cholesky factor of the latent correlation matrix */
} ck_synth_world;

/* start must be the first day of a month.  CK_ENOMEM, or CK_EDATA when the
 * correlations are not a positive definite matrix. */
ck_status ck_synth_world_init(ck_synth_world *w, const ck_synth_params *p, uint64_t seed,
                              long naccounts, int months, int32_t start, ck_error *err);
void ck_synth_world_fini(ck_synth_world *w);

/* Per-account state (52 bytes). */
typedef struct ck_synth_account {
    int32_t signup;          /* day number of signup */
    int32_t churn_month;     /* first month index without revenue; -1 while subscribed */
    float mu[3];             /* permanent latent means */
    float dev[3];            /* drifting part (AR(1)) */
    float price_mult;        /* negotiated price multiplier */
    uint16_t seat_lo, seat_hi; /* seats [lo, hi) are the current users */
    uint16_t potential;      /* seats the customer could use (growth saturates there) */
    uint8_t tier0, tier;     /* plan at signup, current plan */
    uint8_t size, industry, region, pseudo;
    uint8_t started;         /* simulated at least one month */
    uint8_t pad[3];
} ck_synth_account;

/* A 32-bit seed for gsl_rng_set from (seed, a, b) (a splitmix64 hash). */
unsigned long ck_synth_stream_seed(uint64_t seed, uint64_t a, uint64_t b);

/* Draws the signup days of all accounts, sorted ascending, into
 * signup[0..naccounts).  r is reseeded here.  Returns 0, or -1 when out of
 * memory. */
int ck_synth_draw_signups(const ck_synth_world *w, gsl_rng *r, int32_t *signup);

/*
 * Draws account k's attributes and initial latent state (r is reseeded
 * from (seed, k)).  For an account that signed up before the start, calls
 * prestart(ctx, seat, day) for each of its initial users (seat order).
 */
typedef void (*ck_synth_prestart_fn)(void *ctx, long k, int seat, int32_t day);
void ck_synth_account_init(const ck_synth_world *w, gsl_rng *r, long k, int32_t signup,
                           ck_synth_account *a, ck_synth_prestart_fn prestart, void *ctx);

/* Where one account-month's rows go.  Calls come in seat order within each
 * kind for a given day, which is user_id order. */
typedef struct ck_synth_sink {
    void *ctx;
    void (*user)(void *ctx, int seat, int32_t day);
    void (*session)(void *ctx, int seat, int32_t day, int minutes);
    void (*event)(void *ctx, int seat, int32_t day, int feature, int clicks);
    void (*nps)(void *ctx, int seat, int32_t day, int score);
} ck_synth_sink;

typedef struct ck_synth_month {
    int active;   /* the account paid for this month */
    int churns;   /* ... and it was its last paid month */
    double mrr;   /* monthly recurring revenue of this month */
} ck_synth_month;

/* Scratch space for ck_synth_account_month: one per thread. */
typedef struct ck_synth_scratch {
    int32_t created[CK_SYNTH_MAX_SEATS];
} ck_synth_scratch;

/* Simulates month m of account k (months must come in order; r is reseeded
 * from (seed, k, m)); updates *a and reports rows to sink. */
void ck_synth_account_month(const ck_synth_world *w, gsl_rng *r, long k, ck_synth_account *a,
                            int m, const ck_synth_sink *sink, ck_synth_scratch *scratch,
                            ck_synth_month *out);

/* Account k's user effect for seat s (a pure function of seed, k and s). */
double ck_synth_user_effect(const ck_synth_world *w, long k, int seat);

#endif
