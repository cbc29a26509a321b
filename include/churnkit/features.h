/*
 * features.h -- from raw event files to one row of features (and labels)
 * per account at a snapshot date, point in time.
 *
 * Inputs (the files churnkit-synth writes; any source with these columns
 * works; see docs/features.md):
 *   accounts  account_id, signup_date, plan_tier, industry, company_size, region
 *   users     user_id, account_id, created
 *   sessions  user_id, date, minutes            (rows in date order)
 *   events    user_id, date, feature, clicks    (rows in date order)
 *   catalogue feature, is_core
 *   nps       user_id, date, score              (rows in date order)
 *   revenue   account_id, month, mrr            (one row per month paid)
 *
 * Point in time: features use only rows dated before the snapshot (the date
 * files are read up to the first row on or after it, and no further), users
 * created and accounts signed up before it, and revenue up to the month of
 * the day before the snapshot.  Labels look past the snapshot and are empty
 * where the revenue data does not reach far enough.  Accounts not paying in
 * that month (churned already) are left out.
 *
 * Columns come in groups (CK_FEATURES_*), written in a fixed order whatever
 * order they are asked in; account_id always comes first.  The default is
 * the groups the table had before groups existed, so that its bytes do not
 * change; the trend group and the trend labels are opt-in.  The trend
 * labels alone read the sessions up to 3 months and the NPS answers up to
 * 6 months past the snapshot; no feature uses those rows.
 */
#ifndef CHURNKIT_FEATURES_H
#define CHURNKIT_FEATURES_H

#include <stddef.h>
#include <stdint.h>

#include "churnkit/error.h"

typedef struct ck_features_inputs {
    const char *accounts, *users, *sessions, *events, *catalogue, *nps, *revenue;
} ck_features_inputs;

/* Column groups (docs/features.md lists their columns). */
enum {
    CK_FEATURES_ATTRIBUTES = 1u << 0,   /* plan_tier .. region, tenure_days, mrr */
    CK_FEATURES_ENGAGEMENT = 1u << 1,   /* recency_days, active_day_share, daily_minutes */
    CK_FEATURES_SCALE = 1u << 2,        /* users_active, users_total, nps_avg, nps_responses */
    CK_FEATURES_DEPTH = 1u << 3,        /* core_clicks, core_clicks_per_user, feature_breadth */
    CK_FEATURES_LEGACY = 1u << 4,       /* total_minutes, sessions */
    CK_FEATURES_SCORES = 1u << 5,       /* health_score, r/f/m_score */
    CK_FEATURES_TREND = 1u << 6,        /* changes: last 30 days against the 60 before, ... */
    CK_FEATURES_LABELS = 1u << 7,       /* churned_3m .. churn_event */
    CK_FEATURES_TREND_LABELS = 1u << 8, /* expanded_3m .. activity_change_3m, last_paid_m0 */
    CK_FEATURES_DEFAULT = 0xBFu,        /* every group but the two trend ones */
    CK_FEATURES_ALL = 0x1FFu
};

/* Parses a comma list of group names ("engagement,trend") into *groups.  A
 * list that starts with '+' adds its groups to the default ("+trend"); "all"
 * names every group, "default" the default ones.  An unknown or empty name
 * is a CK_EUSAGE error naming the closest group names. */
ck_status ck_features_parse_groups(const char *list, unsigned *groups, ck_error *err);

/* The name of group `flag` (one CK_FEATURES_* bit), or NULL. */
const char *ck_features_group_name(unsigned flag);

typedef struct ck_features_options {
    int32_t snapshot;          /* day number (see date.h) */
    int lookback_days;         /* the usage window before the snapshot (90) */
    int nps_days;              /* the NPS window: answers are rare (365) */
    double high_value_share;   /* top share of future revenue labelled high value (0.2) */
    int32_t data_end;          /* the last revenue month the labels may use (a
                                  month number, date.h), as if the data ended
                                  there; INT32_MAX (default): all of it */
    unsigned groups;           /* CK_FEATURES_* bits (CK_FEATURES_DEFAULT) */
    ck_progress_fn progress;
    void *progress_ctx;
} ck_features_options;

void ck_features_options_init(ck_features_options *opt);

typedef struct ck_features_summary {
    size_t accounts_seen;      /* accounts in the accounts file */
    size_t accounts_written;   /* active at the snapshot */
    size_t churned_before;     /* left out: not paying at the snapshot */
    int label_months;          /* months of revenue past the snapshot (labels for
                                  horizons up to this are filled) */
    unsigned long rows_read;   /* rows of all input files read */
} ck_features_summary;

/* Whether `name` is a label column churnkit-features writes (it looks past
 * the snapshot, so a model that takes it as a feature leaks the future):
 * the labels group and the trend labels. */
int ck_features_is_label(const char *name);

/* Builds the feature table and writes it to `out` (atomically).  Errors
 * name the file, line and column: unknown ids, bad dates, rows out of date
 * order, missing columns. */
ck_status ck_features_build(const ck_features_inputs *in, const ck_features_options *opt,
                            const char *out, ck_features_summary *summary, ck_warnings *w,
                            ck_error *err);

#endif
