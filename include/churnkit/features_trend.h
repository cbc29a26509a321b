/*
 * features_trend.h -- the trend group and the trend labels of the feature
 * builder: internal to features.c, which reads the files and hands each
 * row to these accumulators (see docs/features.md, "Trend").
 *
 * Point in time: the features use only rows dated before the snapshot T
 * (revenue up to the month M0 of T - 1).  The labels also take the
 * sessions dated in [T, T + 3 months) and the NPS answers in
 * [T, T + 6 months) (ck_trend_sessions_end, ck_trend_nps_end), and the
 * revenue of M0 + 1 .. M0 + 6; the caller passes those rows only when
 * labels were asked for.
 *
 * Rows must come as in the files: sessions, events and NPS answers in date
 * order.  Accounts and users are the caller's indexes, 0-based.
 */
#ifndef CHURNKIT_FEATURES_TREND_H
#define CHURNKIT_FEATURES_TREND_H

#include <stddef.h>
#include <stdint.h>

#include "churnkit/csvwriter.h"

enum { CK_TREND_NFEATURES = 10, CK_TREND_NLABELS = 7 };

/* Column names, in the order ck_trend_write_* writes them. */
extern const char *const ck_trend_feature_names[CK_TREND_NFEATURES];
extern const char *const ck_trend_label_names[CK_TREND_NLABELS];

typedef struct ck_trend ck_trend;

typedef struct ck_trend_setup {
    int32_t t;               /* the snapshot day */
    size_t naccounts, nusers, nfeatures;
    int features, labels;    /* which of the two groups to compute */
} ck_trend_setup;

/* NULL when out of memory.  Free with ck_trend_free. */
ck_trend *ck_trend_new(const ck_trend_setup *s);
void ck_trend_free(ck_trend *tr);

/* The first day the caller need not read: T when no labels are wanted. */
int32_t ck_trend_sessions_end(const ck_trend *tr);
int32_t ck_trend_nps_end(const ck_trend *tr);

/* Every user, in any order, before any session or event. */
void ck_trend_user(ck_trend *tr, size_t user, size_t account, int32_t created);
/* Every session row before ck_trend_sessions_end. */
void ck_trend_session(ck_trend *tr, size_t user, int32_t day, double minutes);
/* Every event row before T. */
void ck_trend_event(ck_trend *tr, size_t user, int32_t day, int32_t feature, int core,
                    double clicks);
/* Every NPS answer before ck_trend_nps_end. */
void ck_trend_nps(ck_trend *tr, size_t account, int32_t day, double score);
/* Every revenue row the labels may use (up to --data-end). */
void ck_trend_revenue(ck_trend *tr, size_t account, int32_t month, double mrr);

/* After the last row: per-account counts over the users. */
void ck_trend_finish(ck_trend *tr);

/* The CK_TREND_NFEATURES trend features of an account that signed up on
 * `signup`. */
void ck_trend_write_features(const ck_trend *tr, size_t account, int32_t signup,
                             ck_csv_writer *w);
/* The CK_TREND_NLABELS trend labels; those needing month M0 + h are empty
 * when label_months (the months of revenue data past M0) is below h. */
void ck_trend_write_labels(const ck_trend *tr, size_t account, int32_t signup, int label_months,
                           ck_csv_writer *w);

#endif
