/* synth_model.c -- the generative model of churnkit-synth (see synth_model.h
 * and docs/synthetic-world.md, which states every equation below). */
#include "churnkit/synth_model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "churnkit/date.h"

/*
 * THE parameters.  Chosen once for plausibility (B2B SaaS norms and the seed
 * documents), not tuned to make any accuracy target pass; the rationale for
 * each is in docs/synthetic-world.md.  Keep the two in step.
 */
const ck_synth_params ck_synth_default_params = {
    /* population */
    .share_existing = 0.5,
    .existing_days = 1461,
    .size_prob = {0.60, 0.30, 0.10},
    .tier_prob = {{0.60, 0.30, 0.10, 0.00},
                  {0.20, 0.40, 0.30, 0.10},
                  {0.00, 0.20, 0.40, 0.40}},
    .industry_prob = {0.22, 0.14, 0.10, 0.12, 0.12, 0.08, 0.08, 0.14},
    .region_prob = {0.45, 0.30, 0.17, 0.08},
    .seats_median = {2.0, 5.0, 16.0},
    .seats_sigma = {0.7, 0.7, 0.8},
    .potential_median = 2.5,
    .potential_sigma = 0.5,
    .pseudo_share = 0.12,
    .onboard_seat_days = 14,

    /* latent variables */
    .corr_ds = 0.50,
    .corr_df = 0.40,
    .corr_sf = 0.45,
    .transient_var = 0.40,
    .ar_phi = 0.80,
    .shock_prob = 0.02,
    .shock_depth = -1.0,
    .shock_sat = -1.2,
    .pseudo_depth = -0.8,
    .onboard_depth = -0.8,
    .onboard_months = 2.0,

    /* daily activity and sessions */
    .user_sd = 0.6,
    .act_b0 = -1.1,
    .act_depth = 0.7,
    .act_sat = 0.25,
    .act_pseudo = 1.1,
    .weekend_factor = 0.2,
    .month_factor = {1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.95, 0.80, 1.0, 1.0, 1.0, 0.75},
    .winddown_factor = 0.5,
    .extra_sessions = 0.25,
    .extra_sessions_depth = 0.3,
    .minutes_median = 14.0,
    .minutes_depth = 0.2,
    .minutes_user = 0.25,
    .minutes_pseudo = 2.6,
    .minutes_sigma = 0.75,
    .minutes_max = 720.0,

    /* features, in catalogue order (see ck_synth_feature_name) */
    .feature_b0 = {-2.5, -0.2, -2.5, -1.0, -0.3, 0.8, -1.5, -1.2, -0.8, -0.6,
                   -0.2, -1.6, -0.5, 0.5, 0.4, 0.6, 0.3, -1.0, -2.0, 0.0},
    .core_depth = 1.1,
    .core_fit = 0.5,
    .core_pseudo = -2.2,
    .edge_depth = 0.5,
    .edge_fit = 0.6,
    .edge_pseudo = -0.7,
    .adopt_user = 0.8,
    .core_daily = 0.30,
    .edge_daily = 0.15,
    .core_clicks = 3.0,
    .core_clicks_depth = 0.3,
    .core_clicks_pseudo = 0.5,
    .edge_clicks = 1.5,

    /* NPS */
    .nps_survey = 0.05,
    .nps_resp_b0 = -1.2,
    .nps_resp_depth = 0.6,
    .nps_resp_user = 0.3,
    .nps_mean = 7.5,
    .nps_sat = 1.6,
    .nps_depth = 0.3,
    .nps_sd = 1.3,

    /* churn hazard */
    .haz_b0 = -4.9,
    .haz_depth = -0.55,
    .haz_sat = -0.65,
    .haz_fit = -0.50,
    .haz_tier = {0.25, 0.0, -0.20, -0.45},
    .haz_size = {0.20, 0.0, -0.30},
    .haz_hotspot = 0.25,
    .haz_onboard = 0.7,
    .haz_onboard_months = 4.0,

    /* seats, plan and revenue */
    .add_rate = 0.030,
    .add_depth = 0.4,
    .add_sat = 0.2,
    .add_fit = 0.3,
    .rm_rate = 0.012,
    .rm_depth = -0.4,
    .rm_sat = -0.3,
    .rollout_prob = 0.004,
    .rollout_depth = 0.4,
    .rollout_fit = 0.4,
    .rollout_median = 0.5,
    .rollout_sigma = 0.5,
    .upgrade_prob = 0.010,
    .upgrade_depth = 0.5,
    .upgrade_fit = 0.5,
    .downgrade_prob = 0.006,
    .downgrade_depth = -0.5,
    .downgrade_sat = -0.5,
    .base_fee = {0.0, 29.0, 149.0, 990.0},
    .seat_price = {12.0, 25.0, 45.0, 75.0},
    .price_sigma = 0.10,
};

const char *const ck_synth_feature_name[CK_SYNTH_NFEATURES] = {
    "api_access", "approvals", "audit_log", "calendar_view", "comments",
    "dashboards", "data_import", "export_csv", "file_sharing", "forecasting",
    "help_center", "integrations", "mobile_app", "notifications", "pipeline_management",
    "reporting", "search", "templates", "themes", "workflow_automation"};

const unsigned char ck_synth_feature_core[CK_SYNTH_NFEATURES] = {
    0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1};

const char *const ck_synth_tier_name[CK_SYNTH_NTIERS] = {"basic", "pro", "business",
                                                         "enterprise"};
const char *const ck_synth_size_name[CK_SYNTH_NSIZES] = {"smb", "mid_market", "enterprise"};
const char *const ck_synth_industry_name[CK_SYNTH_NINDUSTRIES] = {
    "technology", "financial_services", "healthcare", "retail",
    "manufacturing", "education", "media", "professional_services"};
const char *const ck_synth_region_name[CK_SYNTH_NREGIONS] = {"north_america", "europe", "apac",
                                                             "latam"};

enum { IND_TECHNOLOGY = 0, IND_FINANCIAL = 1 };
enum { SIZE_SMB = 0, SIZE_MID = 1 };

/* Stream tags: month streams use b = m (0..months-1). */
#define TAG_STATIC 0xFFFFFFF0u
#define TAG_SIGNUP 0xFFFFFFF1u
#define TAG_USER 0x5EA7C0DEULL
#define TAG_ADOPT 0xADD0B7EDULL

static uint64_t splitmix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

static uint64_t hash3(uint64_t seed, uint64_t a, uint64_t b)
{
    return splitmix(splitmix(splitmix(seed) ^ a) ^ b);
}

unsigned long ck_synth_stream_seed(uint64_t seed, uint64_t a, uint64_t b)
{
    uint64_t h = hash3(seed, a, b);
    return (unsigned long)((h >> 32) ^ (h & 0xFFFFFFFFu));
}

static double logistic(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

static int pick(const gsl_rng *r, const double *prob, int n)
{
    double u = gsl_rng_uniform(r), c = 0;
    for (int i = 0; i < n - 1; i++) {
        c += prob[i];
        if (u < c)
            return i;
    }
    return n - 1;
}

/* x = L z for three independent standard normals z, times scale. */
static void draw_latent(const ck_synth_world *w, const gsl_rng *r, double scale, double x[3])
{
    double z[3];
    for (int i = 0; i < 3; i++)
        z[i] = gsl_ran_gaussian_ziggurat(r, 1.0);
    for (int i = 0; i < 3; i++) {
        double s = 0;
        for (int j = 0; j <= i; j++)
            s += w->chol[i][j] * z[j];
        x[i] = scale * s;
    }
}

ck_status ck_synth_world_init(ck_synth_world *w, const ck_synth_params *p, uint64_t seed,
                              long naccounts, int months, int32_t start, ck_error *err)
{
    memset(w, 0, sizeof *w);
    w->p = p;
    w->seed = seed;
    w->naccounts = naccounts;
    w->months = months;
    w->start = start;

    /* Cholesky factor of the correlation matrix, refusing a non-PD one. */
    double R[3][3] = {{1.0, p->corr_ds, p->corr_df},
                      {p->corr_ds, 1.0, p->corr_sf},
                      {p->corr_df, p->corr_sf, 1.0}};
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j <= i; j++) {
            double s = R[i][j];
            for (int k = 0; k < j; k++)
                s -= w->chol[i][k] * w->chol[j][k];
            if (i == j) {
                if (!(s > 1e-12))
                    return ck_error_set(err, CK_EDATA,
                                        "synthetic world: the latent correlations are not a "
                                        "positive definite matrix");
                w->chol[i][i] = sqrt(s);
            } else {
                w->chol[i][j] = s / w->chol[j][j];
            }
        }
    }

    w->month_start = malloc(((size_t)months + 1) * sizeof *w->month_start);
    if (!w->month_start)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    int y, mo, d;
    ck_date_to_civil(start, &y, &mo, &d);
    for (int m = 0; m <= months; m++) {
        w->month_start[m] = ck_date_from_civil(y, mo, 1);
        if (++mo > 12) {
            mo = 1;
            y++;
        }
    }
    size_t ndays = (size_t)(w->month_start[months] - start);
    w->day_factor = malloc(ndays * sizeof *w->day_factor);
    if (!w->day_factor) {
        ck_synth_world_fini(w);
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    }
    for (int m = 0; m < months; m++) {
        ck_date_to_civil(w->month_start[m], &y, &mo, &d);
        for (int32_t z = w->month_start[m]; z < w->month_start[m + 1]; z++) {
            int wd = ck_date_weekday(z);
            double f = p->month_factor[mo - 1];
            if (wd == 0 || wd == 6)
                f *= p->weekend_factor;
            w->day_factor[z - start] = (float)f;
        }
    }
    return CK_OK;
}

void ck_synth_world_fini(ck_synth_world *w)
{
    free(w->month_start);
    free(w->day_factor);
    w->month_start = NULL;
    w->day_factor = NULL;
}

int ck_synth_draw_signups(const ck_synth_world *w, gsl_rng *r, int32_t *signup)
{
    const ck_synth_params *p = w->p;
    int32_t first = w->start - p->existing_days;
    int32_t end = w->month_start[w->months];
    size_t span = (size_t)(end - first);
    unsigned long period = (unsigned long)(end - w->start);
    /* Count per day, then lay the days out in order: a counting sort. */
    long *count = calloc(span, sizeof *count);
    if (!count)
        return -1;
    gsl_rng_set(r, ck_synth_stream_seed(w->seed, TAG_SIGNUP, 0));
    for (long k = 0; k < w->naccounts; k++) {
        int32_t day = gsl_rng_uniform(r) < p->share_existing
                          ? first + (int32_t)gsl_rng_uniform_int(r, (unsigned long)p->existing_days)
                          : w->start + (int32_t)gsl_rng_uniform_int(r, period);
        count[day - first]++;
    }
    long k = 0;
    for (size_t i = 0; i < span; i++)
        for (long c = 0; c < count[i]; c++)
            signup[k++] = first + (int32_t)i;
    free(count);
    return 0;
}

static int lognormal_count(const gsl_rng *r, double median, double sigma, int lo, int hi)
{
    double x = floor(gsl_ran_lognormal(r, log(median), sigma) + 0.5);
    if (x < lo)
        return lo;
    if (x > hi)
        return hi;
    return (int)x;
}

void ck_synth_account_init(const ck_synth_world *w, gsl_rng *r, long k, int32_t signup,
                           ck_synth_account *a, ck_synth_prestart_fn prestart, void *ctx)
{
    const ck_synth_params *p = w->p;
    double x[3];
    memset(a, 0, sizeof *a);
    gsl_rng_set(r, ck_synth_stream_seed(w->seed, (uint64_t)k, TAG_STATIC));
    a->signup = signup;
    a->churn_month = -1;
    a->size = (uint8_t)pick(r, p->size_prob, CK_SYNTH_NSIZES);
    a->tier0 = a->tier = (uint8_t)pick(r, p->tier_prob[a->size], CK_SYNTH_NTIERS);
    a->industry = (uint8_t)pick(r, p->industry_prob, CK_SYNTH_NINDUSTRIES);
    a->region = (uint8_t)pick(r, p->region_prob, CK_SYNTH_NREGIONS);
    a->pseudo = gsl_rng_uniform(r) < p->pseudo_share;
    draw_latent(w, r, sqrt(1.0 - p->transient_var), x);
    if (a->pseudo)
        x[CK_SYNTH_DEPTH] += p->pseudo_depth;
    for (int i = 0; i < 3; i++)
        a->mu[i] = (float)x[i];
    draw_latent(w, r, sqrt(p->transient_var), x); /* the stationary distribution */
    for (int i = 0; i < 3; i++)
        a->dev[i] = (float)x[i];
    a->price_mult = (float)gsl_ran_lognormal(r, 0.0, p->price_sigma);
    int n0 = lognormal_count(r, p->seats_median[a->size], p->seats_sigma[a->size], 1,
                             CK_SYNTH_MAX_SEATS);
    a->seat_lo = 0;
    a->seat_hi = (uint16_t)n0;
    double pot = ceil(n0 * gsl_ran_lognormal(r, log(p->potential_median), p->potential_sigma));
    a->potential = (uint16_t)(pot < n0 ? n0 : pot > CK_SYNTH_MAX_SEATS ? CK_SYNTH_MAX_SEATS : pot);
    if (signup < w->start && prestart) {
        prestart(ctx, k, 0, signup);
        unsigned long span = (unsigned long)(w->start - signup);
        for (int s = 1; s < n0; s++)
            prestart(ctx, k, s, signup + (int32_t)gsl_rng_uniform_int(r, span));
    }
}

/* A uniform in (0, 1) that is a pure function of its arguments. */
static double hash_uniform(uint64_t seed, uint64_t a, uint64_t b)
{
    uint64_t h = hash3(seed, a, b);
    return ((double)(h >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

double ck_synth_user_effect(const ck_synth_world *w, long k, int seat)
{
    double u = hash_uniform(w->seed ^ TAG_USER, (uint64_t)k, (uint64_t)seat);
    return w->p->user_sd * gsl_cdf_ugaussian_Pinv(u);
}

/* One user's month: adoption, NPS, then day by day activity. */
static void user_month(const ck_synth_world *w, const gsl_rng *r, long k, const ck_synth_account *a,
                       int seat, int32_t from, int32_t end, double D, double S, double F,
                       int last_month, const ck_synth_sink *sink)
{
    const ck_synth_params *p = w->p;
    double e = ck_synth_user_effect(w, k, seat);
    int pseudo = a->pseudo;

    double p_act = logistic(p->act_b0 + p->act_depth * D + p->act_sat * S + e +
                            p->act_pseudo * pseudo);
    if (last_month)
        p_act *= p->winddown_factor;
    double lam_sess = p->extra_sessions * exp(p->extra_sessions_depth * D);
    double min_mu = log(p->minutes_median) + p->minutes_depth * D + p->minutes_user * e +
                    (pseudo ? log(p->minutes_pseudo) : 0.0);
    double lam_core = p->core_clicks * exp(p->core_clicks_depth * D) *
                      (pseudo ? p->core_clicks_pseudo : 1.0);

    /* this month's repertoire of features: the user's fixed propensity for
     * feature j (a uniform) against this month's adoption probability, so a
     * repertoire persists and changes only as the account's state drifts */
    int rep[CK_SYNTH_NFEATURES], nrep = 0;
    for (int j = 0; j < CK_SYNTH_NFEATURES; j++) {
        double lin = p->feature_b0[j] + p->adopt_user * e;
        if (ck_synth_feature_core[j])
            lin += p->core_depth * D + p->core_fit * F + p->core_pseudo * pseudo;
        else
            lin += p->edge_depth * D + p->edge_fit * F + p->edge_pseudo * pseudo;
        double u = hash_uniform(w->seed ^ TAG_ADOPT, (uint64_t)k, ((uint64_t)seat << 5) | (uint64_t)j);
        if (u < logistic(lin))
            rep[nrep++] = j;
    }

    /* an NPS survey, answered or not */
    if (gsl_rng_uniform(r) < p->nps_survey) {
        int32_t day = from + (int32_t)gsl_rng_uniform_int(r, (unsigned long)(end - from));
        double p_resp = logistic(p->nps_resp_b0 + p->nps_resp_depth * D + p->nps_resp_user * e);
        if (gsl_rng_uniform(r) < p_resp) {
            double s = floor(p->nps_mean + p->nps_sat * S + p->nps_depth * D +
                             gsl_ran_gaussian_ziggurat(r, p->nps_sd) + 0.5);
            int score = s < 0 ? 0 : s > 10 ? 10 : (int)s;
            sink->nps(sink->ctx, seat, day, score);
        }
    }

    const float *df = w->day_factor - w->start;
    for (int32_t day = from; day < end; day++) {
        if (gsl_rng_uniform(r) >= p_act * df[day])
            continue;
        unsigned nsess = 1 + gsl_ran_poisson(r, lam_sess);
        for (unsigned i = 0; i < nsess; i++) {
            double mins = floor(gsl_ran_lognormal(r, min_mu, p->minutes_sigma) + 0.5);
            if (mins < 1)
                mins = 1;
            if (mins > p->minutes_max)
                mins = p->minutes_max;
            sink->session(sink->ctx, seat, day, (int)mins);
        }
        for (int i = 0; i < nrep; i++) {
            int j = rep[i];
            int core = ck_synth_feature_core[j];
            if (gsl_rng_uniform(r) >= (core ? p->core_daily : p->edge_daily))
                continue;
            unsigned clicks = 1 + gsl_ran_poisson(r, core ? lam_core : p->edge_clicks);
            sink->event(sink->ctx, seat, day, j, (int)clicks);
        }
    }
}

void ck_synth_account_month(const ck_synth_world *w, gsl_rng *r, long k, ck_synth_account *a,
                            int m, const ck_synth_sink *sink, ck_synth_scratch *scratch,
                            ck_synth_month *out)
{
    const ck_synth_params *p = w->p;
    int32_t ms = w->month_start[m], me = w->month_start[m + 1];
    out->active = out->churns = 0;
    out->mrr = 0;
    if (a->signup >= me || (a->churn_month >= 0 && a->churn_month <= m))
        return;
    gsl_rng_set(r, ck_synth_stream_seed(w->seed, (uint64_t)k, (uint64_t)m));

    double tenure = (double)(ms - a->signup) / 30.4375;
    if (tenure < 0)
        tenure = 0;
    double onboard = exp(-tenure / p->onboard_months);
    int32_t from = a->signup > ms ? a->signup : ms;
    int new_lo = a->seat_hi, new_hi = a->seat_hi; /* seats created this month */
    int first = !a->started;

    if (first) {
        a->started = 1;
        if (a->signup >= ms) { /* signs up this month: its first users join */
            new_lo = a->seat_lo;
            scratch->created[0] = a->signup;
            for (int s = new_lo + 1; s < new_hi; s++) {
                int32_t day = a->signup + (int32_t)gsl_rng_uniform_int(
                                              r, (unsigned long)p->onboard_seat_days);
                scratch->created[s - new_lo] = day < me ? day : me - 1;
            }
        }
    } else {
        /* drift, then the month's seat and plan changes */
        double x[3];
        draw_latent(w, r, sqrt((1.0 - p->ar_phi * p->ar_phi) * p->transient_var), x);
        for (int i = 0; i < 3; i++)
            a->dev[i] = (float)(p->ar_phi * a->dev[i] + x[i]);
        if (gsl_rng_uniform(r) < p->shock_prob) {
            a->dev[CK_SYNTH_DEPTH] += (float)p->shock_depth;
            a->dev[CK_SYNTH_SAT] += (float)p->shock_sat;
        }
    }
    double D = a->mu[0] + a->dev[0] + p->onboard_depth * onboard;
    double S = a->mu[1] + a->dev[1];
    double F = a->mu[2] + a->dev[2];

    if (!first) {
        int seats = a->seat_hi - a->seat_lo;
        double room = 1.0 - (double)seats / a->potential;
        double rate = p->add_rate * exp(p->add_depth * D + p->add_sat * S + p->add_fit * F);
        long add = room > 0 ? (long)gsl_ran_poisson(r, seats * rate * room) : 0;
        double p_rm = p->rm_rate * exp(p->rm_depth * D + p->rm_sat * S);
        if (p_rm > 0.5)
            p_rm = 0.5;
        int rm = seats > 1 ? (int)gsl_ran_binomial(r, p_rm, (unsigned)(seats - 1)) : 0;
        double p_roll = p->rollout_prob * exp(p->rollout_depth * D + p->rollout_fit * F);
        if (gsl_rng_uniform(r) < p_roll) { /* a new team or department adopts */
            long extra = (long)ceil(seats * gsl_ran_lognormal(r, log(p->rollout_median),
                                                              p->rollout_sigma));
            long pot = a->potential + extra;
            a->potential = (uint16_t)(pot > CK_SYNTH_MAX_SEATS ? CK_SYNTH_MAX_SEATS : pot);
            add += extra;
        }
        if (add > CK_SYNTH_MAX_SEATS - a->seat_hi)
            add = CK_SYNTH_MAX_SEATS - a->seat_hi;
        a->seat_lo = (uint16_t)(a->seat_lo + rm);
        new_lo = a->seat_hi;
        new_hi = a->seat_hi + (int)add;
        for (int s = new_lo; s < new_hi; s++)
            scratch->created[s - new_lo] =
                ms + (int32_t)gsl_rng_uniform_int(r, (unsigned long)(me - ms));
        a->seat_hi = (uint16_t)new_hi;

        double u_up = gsl_rng_uniform(r), u_down = gsl_rng_uniform(r);
        if (a->tier < CK_SYNTH_NTIERS - 1 &&
            u_up < p->upgrade_prob * exp(p->upgrade_depth * D + p->upgrade_fit * F))
            a->tier++;
        else if (a->tier > 0 &&
                 u_down < p->downgrade_prob * exp(p->downgrade_depth * D + p->downgrade_sat * S))
            a->tier--;
    }

    /* the churn decision for the end of this month */
    double lin = p->haz_b0 + p->haz_depth * D + p->haz_sat * S + p->haz_fit * F +
                 p->haz_tier[a->tier] + p->haz_size[a->size] +
                 p->haz_onboard * exp(-tenure / p->haz_onboard_months);
    if ((a->industry == IND_TECHNOLOGY || a->industry == IND_FINANCIAL) &&
        (a->size == SIZE_SMB || a->size == SIZE_MID))
        lin += p->haz_hotspot;
    int last = gsl_rng_uniform(r) < logistic(lin);

    int seats = a->seat_hi - a->seat_lo;
    out->active = 1;
    out->churns = last;
    out->mrr = (p->base_fee[a->tier] + p->seat_price[a->tier] * seats) * a->price_mult;

    for (int s = new_lo; s < new_hi; s++)
        sink->user(sink->ctx, s, scratch->created[s - new_lo]);
    for (int s = a->seat_lo; s < a->seat_hi; s++) {
        int32_t ufrom = s >= new_lo && s < new_hi ? scratch->created[s - new_lo] : from;
        user_month(w, r, k, a, s, ufrom, me, D, S, F, last, sink);
    }
    if (last)
        a->churn_month = m + 1;
}
