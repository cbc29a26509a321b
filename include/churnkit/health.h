/*
 * health.h -- the account scores of docs/value-model.md: the weighted health
 * score with its bands, and RFM quintile scores.
 *
 * Health score, 0..100 = 100 (0.4 activity + 0.3 contact quality
 * + 0.2 commercial value + 0.1 size), each part in [0, 1]:
 *   activity        = 0.5 exp(-recency_days / 14) + 0.5 min(1, active_day_share / 0.5)
 *                     (days since the last activity and recent activity count)
 *   contact quality = share of the account's users active in the window, averaged
 *                     half and half with nps_avg / 10 when the account has NPS answers
 *                     (the share of contacts that are reachable and engaged)
 *   commercial      = min(1, log(1 + mrr) / log(1 + 5000))
 *                     (revenue; MRR on a log scale, 5,000 a month counts as full)
 *   size            = 0.5 size_class + 0.5 min(1, log(1 + users) / log(1 + 100)),
 *                     size_class smb 1/3, mid_market 2/3, enterprise 1, other 1/2
 * Bands: "high" 80 and above, "medium" 50 to 79.9, "low" below 50.
 */
#ifndef CHURNKIT_HEALTH_H
#define CHURNKIT_HEALTH_H

#include <stddef.h>

typedef struct ck_health_input {
    double recency_days;      /* NaN: no activity ever seen */
    double active_day_share;  /* 0..1 */
    double users_active, users_total;
    double nps_avg;           /* NaN: no answers */
    double mrr;
    const char *company_size; /* "smb", "mid_market", "enterprise", other */
} ck_health_input;

double ck_health_score(const ck_health_input *in);

/* "high", "medium" or "low"; NULL for NaN. */
const char *ck_health_band(double score);

/*
 * RFM-style quintile scores 1..5 of v[0..n) within the population: with q
 * the mid-rank share of v[i] -- (values below + half the values equal) / n,
 * "below" meaning worse: higher when lower_is_better, as for recency --
 * score = 1 + floor(5 q), at most 5.  Ties share a score.  NaN values get
 * score 1.  Returns 0, or -1 when out of memory.
 */
int ck_quintile_scores(const double *v, size_t n, int lower_is_better, double *score);

#endif
