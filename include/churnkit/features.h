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
 */
#ifndef CHURNKIT_FEATURES_H
#define CHURNKIT_FEATURES_H

#include <stddef.h>
#include <stdint.h>

#include "churnkit/error.h"

typedef struct ck_features_inputs {
    const char *accounts, *users, *sessions, *events, *catalogue, *nps, *revenue;
} ck_features_inputs;

typedef struct ck_features_options {
    int32_t snapshot;          /* day number (see date.h) */
    int lookback_days;         /* the usage window before the snapshot (90) */
    int nps_days;              /* the NPS window: answers are rare (365) */
    double high_value_share;   /* top share of future revenue labelled high value (0.2) */
    int32_t data_end;          /* the last revenue month the labels may use (a
                                  month number, date.h), as if the data ended
                                  there; INT32_MAX (default): all of it */
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

/* Builds the feature table and writes it to `out` (atomically).  Errors
 * name the file, line and column: unknown ids, bad dates, rows out of date
 * order, missing columns. */
ck_status ck_features_build(const ck_features_inputs *in, const ck_features_options *opt,
                            const char *out, ck_features_summary *summary, ck_warnings *w,
                            ck_error *err);

#endif
