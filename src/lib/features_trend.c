/* features_trend.c -- the trend features and labels of the feature builder
 * (see features_trend.h and docs/features.md, "Trend"). */
#include "churnkit/features_trend.h"
#include "churnkit/date.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NO_DAY INT32_MIN

/* The windows, in days before T.  Activity: the last RECENT days against
 * the BEFORE days before them, as rates per day, so that spans of unequal
 * length compare.  Breadth: three blocks of BLOCK days (a count of
 * distinct features grows with the span, so it compares equal spans).
 * Users: added in the last USERS days; removed when last seen in the
 * SILENT days before that window. */
enum { RECENT = 30, BEFORE = 60, BLOCK = 30, NBLOCK = 3, USERS = 90, SILENT = 60 };
_Static_assert(RECENT + BEFORE == NBLOCK * BLOCK && RECENT == BLOCK,
               "the breadth blocks tile the activity spans, the last one the recent span");
/* Revenue months kept: M0 - PAST .. M0 + AHEAD. */
enum { PAST = 3, AHEAD = 6, MONTHS = PAST + AHEAD + 1 };

const char *const ck_trend_feature_names[CK_TREND_NFEATURES] = {
    "active_day_share_change", "minutes_per_day_change", "core_clicks_per_day_change",
    "feature_breadth_change", "mrr_change_1m", "mrr_change_3m", "users_added_90d",
    "users_removed_90d", "nps_last_change", "core_recency_days"};
const char *const ck_trend_label_names[CK_TREND_NLABELS] = {
    "expanded_3m", "expanded_6m", "contracted_3m", "contracted_6m", "nps_change_6m",
    "activity_change_3m", "last_paid_m0"};

typedef struct tacc {
    int32_t last_day;              /* the last day with a session (rows come by date) */
    double days[2], minutes[2], core[2]; /* [0]: the last RECENT days, [1]: the BEFORE */
    double past_days, next_days;   /* active days in [T - 3 months, T), [T, T + 3 months) */
    int32_t last_core;             /* the last day with a core-feature event */
    double added, removed;
    double bsum[NBLOCK], busers[NBLOCK]; /* per block: distinct features summed over
                                            the users active in it, and those users */
    int32_t nps_day[2];            /* the last day with answers before T, the one before */
    double nps_sum[2], nps_n[2];
    int32_t next_day;              /* the first day with answers in [T, T + 6 months) */
    double next_sum, next_n;
    double mrr[MONTHS];            /* M0 - PAST .. M0 + AHEAD */
    unsigned char paid[MONTHS];
} tacc;

typedef struct tuser {
    size_t account;
    int32_t last_session;          /* before T */
    unsigned active;               /* bit k: a session in breadth block k */
} tuser;

struct ck_trend {
    ck_trend_setup s;
    int32_t m0, past3, next3, next6;
    int32_t first_session, first_event; /* the first rows before T: the data's start */
    int32_t first_month;                /* the first revenue month up to M0 */
    size_t words;                       /* 64-bit words of a feature set */
    tacc *acc;
    tuser *users;
    uint64_t *bits;                     /* users x NBLOCK x words: features used */
};

ck_trend *ck_trend_new(const ck_trend_setup *s)
{
    ck_trend *tr = calloc(1, sizeof *tr);
    if (!tr)
        return NULL;
    tr->s = *s;
    tr->m0 = ck_date_month_of(s->t - 1);
    tr->past3 = ck_date_add_months(s->t, -3);
    tr->next3 = ck_date_add_months(s->t, 3);
    tr->next6 = ck_date_add_months(s->t, 6);
    tr->first_session = tr->first_event = NO_DAY;
    tr->first_month = INT32_MAX;
    tr->words = (s->nfeatures + 63) / 64;
    tr->acc = calloc(s->naccounts ? s->naccounts : 1, sizeof *tr->acc);
    tr->users = calloc(s->nusers ? s->nusers : 1, sizeof *tr->users);
    if (s->features)
        tr->bits = calloc((s->nusers ? s->nusers : 1) * NBLOCK * (tr->words ? tr->words : 1),
                          sizeof *tr->bits);
    if (!tr->acc || !tr->users || (s->features && !tr->bits)) {
        ck_trend_free(tr);
        return NULL;
    }
    for (size_t i = 0; i < s->naccounts; i++) {
        tacc *a = &tr->acc[i];
        a->last_day = a->last_core = a->next_day = NO_DAY;
        a->nps_day[0] = a->nps_day[1] = NO_DAY;
    }
    for (size_t u = 0; u < s->nusers; u++)
        tr->users[u].last_session = NO_DAY;
    return tr;
}

void ck_trend_free(ck_trend *tr)
{
    if (!tr)
        return;
    free(tr->acc);
    free(tr->users);
    free(tr->bits);
    free(tr);
}

int32_t ck_trend_sessions_end(const ck_trend *tr)
{
    return tr->s.labels ? tr->next3 : tr->s.t;
}

int32_t ck_trend_nps_end(const ck_trend *tr)
{
    return tr->s.labels ? tr->next6 : tr->s.t;
}

/* ------------------------------------------------------------------ */
/* rows */

void ck_trend_user(ck_trend *tr, size_t user, size_t account, int32_t created)
{
    tr->users[user].account = account;
    if (created >= tr->s.t - USERS && created < tr->s.t)
        tr->acc[account].added++;
}

void ck_trend_session(ck_trend *tr, size_t user, int32_t day, double minutes)
{
    tuser *u = &tr->users[user];
    tacc *a = &tr->acc[u->account];
    int new_day = a->last_day != day; /* rows come by date: a new day for this account */
    const int32_t t = tr->s.t;
    a->last_day = day;
    if (day >= t) { /* for the label only */
        a->next_days += new_day && day < tr->next3;
        return;
    }
    if (tr->first_session == NO_DAY)
        tr->first_session = day;
    u->last_session = day;
    a->past_days += new_day && day >= tr->past3;
    if (day < t - RECENT - BEFORE)
        return;
    int k = day >= t - RECENT ? 0 : 1;
    a->days[k] += new_day;
    a->minutes[k] += minutes;
    u->active |= 1u << ((day - (t - NBLOCK * BLOCK)) / BLOCK);
}

void ck_trend_event(ck_trend *tr, size_t user, int32_t day, int32_t feature, int core,
                    double clicks)
{
    const tuser *u = &tr->users[user];
    tacc *a = &tr->acc[u->account];
    const int32_t t = tr->s.t;
    if (day >= t)
        return;
    if (tr->first_event == NO_DAY)
        tr->first_event = day;
    if (core)
        a->last_core = day;
    if (day < t - RECENT - BEFORE)
        return;
    if (core)
        a->core[day >= t - RECENT ? 0 : 1] += clicks;
    if (tr->bits) {
        size_t block = (size_t)((day - (t - NBLOCK * BLOCK)) / BLOCK);
        tr->bits[(user * NBLOCK + block) * tr->words + (size_t)feature / 64] |=
            UINT64_C(1) << (feature % 64);
    }
}

void ck_trend_nps(ck_trend *tr, size_t account, int32_t day, double score)
{
    tacc *a = &tr->acc[account];
    if (day >= tr->s.t) { /* for the label only: the first day with answers */
        if (day >= tr->next6 || (a->next_day != NO_DAY && day != a->next_day))
            return;
        a->next_day = day;
        a->next_sum += score;
        a->next_n++;
        return;
    }
    if (day != a->nps_day[0]) { /* a new day: the last one becomes the previous */
        a->nps_day[1] = a->nps_day[0];
        a->nps_sum[1] = a->nps_sum[0];
        a->nps_n[1] = a->nps_n[0];
        a->nps_day[0] = day;
        a->nps_sum[0] = a->nps_n[0] = 0;
    }
    a->nps_sum[0] += score;
    a->nps_n[0]++;
}

void ck_trend_revenue(ck_trend *tr, size_t account, int32_t month, double mrr)
{
    if (month <= tr->m0 && month < tr->first_month)
        tr->first_month = month;
    int32_t r = month - tr->m0 + PAST;
    if (r >= 0 && r < MONTHS) {
        tr->acc[account].mrr[r] = mrr;
        tr->acc[account].paid[r] = 1;
    }
}

void ck_trend_finish(ck_trend *tr)
{
    const int32_t t = tr->s.t;
    for (size_t i = 0; i < tr->s.nusers; i++) {
        const tuser *u = &tr->users[i];
        tacc *a = &tr->acc[u->account];
        /* seen in the SILENT days before the users' window, not since */
        a->removed += u->last_session != NO_DAY && u->last_session >= t - USERS - SILENT &&
                      u->last_session < t - USERS;
        for (int k = 0; tr->bits && k < NBLOCK; k++) {
            if (!(u->active >> k & 1))
                continue;
            const uint64_t *f = &tr->bits[(i * NBLOCK + (size_t)k) * tr->words];
            int n = 0;
            for (size_t j = 0; j < tr->words; j++)
                n += __builtin_popcountll(f[j]);
            a->bsum[k] += n;
            a->busers[k]++;
        }
    }
}

/* ------------------------------------------------------------------ */
/* output */

/* The first day the account's usage can show: its signup, or the first
 * row of the data when that is later (first is NO_DAY without rows). */
static int32_t since_day(int32_t signup, int32_t first)
{
    return first != NO_DAY && first > signup ? first : signup;
}

/* Days of [from, to) on or after `since` (0 when none). */
static double days_in(int32_t from, int32_t to, int32_t since)
{
    int32_t a = from > since ? from : since;
    return to > a ? (double)(to - a) : 0;
}

/* The recent rate minus the earlier one, per day; NaN when either span is
 * empty (the account or the data is younger than it). */
static double rate_change(const double v[2], double d0, double d1)
{
    return d0 > 0 && d1 > 0 ? v[0] / d0 - v[1] / d1 : NAN;
}

/* The last block's breadth minus the mean breadth of the earlier blocks
 * that lie wholly on or after `since` (NaN when none does); a block's
 * breadth is 0 when no user was active in it, as feature_breadth is. */
static double breadth_change(const ck_trend *tr, const tacc *a, int32_t since)
{
    double b[NBLOCK], sum = 0, n = 0;
    for (int k = 0; k < NBLOCK; k++)
        b[k] = a->busers[k] > 0 ? a->bsum[k] / a->busers[k] : 0;
    for (int k = 0; k < NBLOCK - 1; k++) {
        if (tr->s.t - (NBLOCK - k) * BLOCK >= since) {
            sum += b[k];
            n++;
        }
    }
    return n > 0 ? b[NBLOCK - 1] - sum / n : NAN;
}

/* MRR in M0 minus MRR in M0 - k (0 when the account did not pay that
 * month); NaN when M0 - k is before the revenue data starts. */
static double mrr_change(const ck_trend *tr, const tacc *a, int k)
{
    if (tr->m0 - k < tr->first_month)
        return NAN;
    return a->mrr[PAST] - (a->paid[PAST - k] ? a->mrr[PAST - k] : 0);
}

void ck_trend_write_features(const ck_trend *tr, size_t account, int32_t signup,
                             ck_csv_writer *w)
{
    const tacc *a = &tr->acc[account];
    const int32_t t = tr->s.t;
    int32_t since = since_day(signup, tr->first_session);
    double d0 = days_in(t - RECENT, t, since), d1 = days_in(t - RECENT - BEFORE, t - RECENT, since);
    ck_csv_write_fixed(w, rate_change(a->days, d0, d1), 6);
    ck_csv_write_fixed(w, rate_change(a->minutes, d0, d1), 4);
    ck_csv_write_fixed(w, rate_change(a->core, d0, d1), 4);
    ck_csv_write_fixed(w, breadth_change(tr, a, since), 4);
    ck_csv_write_fixed(w, mrr_change(tr, a, 1), 2);
    ck_csv_write_fixed(w, mrr_change(tr, a, 3), 2);
    ck_csv_write_fixed(w, a->added, 0);
    /* a silence can be seen only where the session data reaches back */
    int seen = tr->first_session != NO_DAY && tr->first_session <= t - USERS - SILENT;
    ck_csv_write_fixed(w, seen ? a->removed : NAN, 0);
    ck_csv_write_fixed(w, a->nps_n[1] > 0 ? a->nps_sum[0] / a->nps_n[0] - a->nps_sum[1] / a->nps_n[1]
                                          : NAN, 4);
    /* never seen: idle for as long as the data can tell (as recency_days) */
    int32_t last = a->last_core != NO_DAY ? a->last_core : since_day(signup, tr->first_event);
    ck_csv_write_fixed(w, (double)(t - last), 0);
}

/* MRR compared in whole cents: the revenue file's precision. */
static long long cents(double mrr)
{
    return llround(mrr * 100);
}

/* v when the revenue data reaches M0 + h, else an empty field. */
static void label(ck_csv_writer *w, int label_months, int h, double v, int decimals)
{
    if (label_months >= h && !isnan(v))
        ck_csv_write_fixed(w, v, decimals);
    else
        ck_csv_write_empty(w);
}

void ck_trend_write_labels(const ck_trend *tr, size_t account, int32_t signup, int label_months,
                           ck_csv_writer *w)
{
    const tacc *a = &tr->acc[account];
    const int32_t t = tr->s.t;
    long long now = cents(a->mrr[PAST]);
    for (int h = 3; h <= 6; h += 3)
        label(w, label_months, h, a->paid[PAST + h] && cents(a->mrr[PAST + h]) > now, 0);
    for (int h = 3; h <= 6; h += 3)
        label(w, label_months, h, a->paid[PAST + h] && cents(a->mrr[PAST + h]) < now, 0);
    label(w, label_months, 6,
          a->next_n > 0 && a->nps_n[0] > 0 ? a->next_sum / a->next_n - a->nps_sum[0] / a->nps_n[0]
                                           : NAN, 4);
    /* the past span starts at signup or the data's start when later */
    int32_t since = since_day(signup, tr->first_session);
    double past = days_in(tr->past3, t, since);
    label(w, label_months, 3,
          a->next_days / (double)(tr->next3 - t) - (past > 0 ? a->past_days / past : 0), 6);
    label(w, label_months, 1, !a->paid[PAST + 1], 0);
}
