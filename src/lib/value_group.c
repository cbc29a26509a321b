/* value_group.c -- seed 004's value groups and their plays (see
 * value_group.h and docs/value-model.md). */
#include "churnkit/value_group.h"
#include "churnkit/plays.h"

#include <math.h>
#include <stddef.h>

static const char *const columns[CK_VALUE_COLUMNS] = {"nps_avg", "active_day_share",
                                                      "core_clicks_per_user", "feature_breadth"};

static const char *const names[CK_VALUE_GROUPS] = {"high_value", "potential", "engaged",
                                                   "at_risk"};

/* Seed 004's plays in short English (section 4, point 2), and one for the
 * group the seed does not name; no commas in them, like the segments'. */
static const char *const plays[CK_VALUE_GROUPS] = {
    "VIP care: one-to-one service; invite them as honorary product testers of new-feature "
    "betas so that recognition and involvement deepen their loyalty",
    "Guide them to more core features: in-app guidance; online training courses; best-practice "
    "case studies -- to speed them towards high value",
    "Ask for their voice: an NPS survey or a CSM check-in on what would make them recommend us; "
    "act on it to make promoters",
    "CSM calls them now: diagnose their usage obstacles and business pains; offer a solution "
    "and work to keep them"};

const char *ck_value_column(int k)
{
    return k >= 0 && k < CK_VALUE_COLUMNS ? columns[k] : NULL;
}

const char *ck_value_group_name(int g)
{
    return g >= 0 && g < CK_VALUE_GROUPS ? names[g] : NULL;
}

const char *ck_value_group_play(int g)
{
    return g >= 0 && g < CK_VALUE_GROUPS ? plays[g] : NULL;
}

void ck_value_rules_init(ck_value_rules *r)
{
    /* NPS: the standard bands (detractors 0-6, passives 7-8, promoters
     * 9-10).  Usage: fixed numbers, not quantiles of the scored table, so
     * that a group means the same in every batch; chosen on the synthetic
     * demo world (docs/value-model.md has the measurements). */
    r->nps_low = 6;
    r->nps_high = 9;
    r->activity_low = 0.15;
    r->depth = 100;
    r->breadth = 10;
}

static int within(double v, double lo, double hi)
{
    return isfinite(v) && v >= lo && v <= hi;
}

ck_status ck_value_rules_check(const ck_value_rules *r, ck_error *err)
{
    if (!within(r->nps_low, 0, 10))
        return ck_error_set(err, CK_EUSAGE, "--value-nps-low: an NPS from 0 to 10");
    if (!within(r->nps_high, 0, 10))
        return ck_error_set(err, CK_EUSAGE, "--value-nps-high: an NPS from 0 to 10");
    if (!(r->nps_low < r->nps_high))
        return ck_error_set(err, CK_EUSAGE, "--value-nps-low (%g) must be below --value-nps-high "
                                            "(%g)", r->nps_low, r->nps_high);
    if (!within(r->activity_low, 0, 1))
        return ck_error_set(err, CK_EUSAGE, "--value-activity-low: a share from 0 to 1");
    if (!within(r->depth, 0, HUGE_VAL))
        return ck_error_set(err, CK_EUSAGE, "--value-depth: core clicks per user, 0 or more");
    if (!within(r->breadth, 0, HUGE_VAL))
        return ck_error_set(err, CK_EUSAGE, "--value-breadth: features per user, 0 or more");
    return CK_OK;
}

int ck_value_group_of(const ck_value_rules *r, const ck_value_row *x)
{
    /* a missing value is no evidence: NaN fails every comparison, so an
     * unanswered NPS is neither low nor high */
    if (x->nps <= r->nps_low || x->activity < r->activity_low)
        return CK_VALUE_AT_RISK;
    if (isnan(x->activity) || isnan(x->depth) || isnan(x->breadth))
        return CK_VALUE_NONE;
    int deep_and_broad = x->depth >= r->depth && x->breadth >= r->breadth;
    if (!deep_and_broad)
        return CK_VALUE_POTENTIAL;
    return x->nps >= r->nps_high ? CK_VALUE_HIGH : CK_VALUE_ENGAGED;
}

ck_status ck_value_plays_load(const char *p[CK_VALUE_GROUPS], const char *path, ck_error *err)
{
    return ck_plays_load(p, names, CK_VALUE_GROUPS, "value_group", "value_play", path, err);
}

void ck_value_plays_free(const char *p[CK_VALUE_GROUPS])
{
    ck_plays_free(p, CK_VALUE_GROUPS);
}
