/* health.c -- health score, bands and quintile scores (see health.h). */
#include "churnkit/health.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double clamp01(double x)
{
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

static double size_class(const char *s)
{
    if (!s)
        return 0.5;
    if (strcmp(s, "smb") == 0)
        return 1.0 / 3;
    if (strcmp(s, "mid_market") == 0)
        return 2.0 / 3;
    if (strcmp(s, "enterprise") == 0)
        return 1.0;
    return 0.5;
}

double ck_health_score(const ck_health_input *in)
{
    double recency = isnan(in->recency_days) ? 0 : exp(-in->recency_days / 14);
    double freq = isnan(in->active_day_share) ? 0 : clamp01(in->active_day_share / 0.5);
    double activity = 0.5 * recency + 0.5 * freq;
    double reach = in->users_total > 0 ? clamp01(in->users_active / in->users_total) : 0;
    double quality = isnan(in->nps_avg) ? reach : 0.5 * reach + 0.5 * clamp01(in->nps_avg / 10);
    double commercial = in->mrr > 0 ? clamp01(log1p(in->mrr) / log1p(5000)) : 0;
    double users = in->users_total > 0 ? clamp01(log1p(in->users_total) / log1p(100)) : 0;
    double size = 0.5 * size_class(in->company_size) + 0.5 * users;
    return 100 * (0.4 * activity + 0.3 * quality + 0.2 * commercial + 0.1 * size);
}

const char *ck_health_band(double score)
{
    if (isnan(score))
        return NULL;
    return score >= 80 ? "high" : score >= 50 ? "medium" : "low";
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* How many of the sorted s[0..m) are strictly below v (binary search). */
static size_t count_below(const double *s, size_t m, double v)
{
    size_t lo = 0, hi = m;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* How many of the sorted s[0..m) are at most v. */
static size_t count_upto(const double *s, size_t m, double v)
{
    size_t lo = 0, hi = m;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s[mid] <= v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int ck_quintile_scores(const double *v, size_t n, int lower_is_better, double *score)
{
    double *s = malloc((n ? n : 1) * sizeof *s);
    size_t m = 0;
    if (!s)
        return -1;
    /* order the values so that "better" is "higher" */
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i]))
            s[m++] = lower_is_better ? -v[i] : v[i];
    qsort(s, m, sizeof *s, cmp_double);
    for (size_t i = 0; i < n; i++) {
        if (isnan(v[i]) || m == 0) {
            score[i] = 1;
            continue;
        }
        double x = lower_is_better ? -v[i] : v[i];
        size_t below = count_below(s, m, x), upto = count_upto(s, m, x);
        /* the mid-rank of the tied group, so a big tie sits in the middle
         * of the quintiles it spans rather than at either end */
        double q = ((double)below + 0.5 * (double)(upto - below)) / (double)m;
        double sc = 1 + floor(5 * q);
        score[i] = sc > 5 ? 5 : sc;
    }
    free(s);
    return 0;
}
