/*
 * value_group.h -- seed 004's value groups and their plays: a documented
 * rule over four observed columns of the scored table (docs/value-model.md
 * gives the reasoning and the defaults' origin).
 *
 * With the columns of docs/features.md -- nps_avg (mean NPS answer, 0..10,
 * empty when the account never answered), active_day_share,
 * core_clicks_per_user and feature_breadth -- and the cut-offs of
 * ck_value_rules, in this order (the first that holds):
 *
 *   at_risk     low NPS (nps_avg <= nps_low) or low activity
 *               (active_day_share < activity_low);
 *   high_value  high NPS (nps_avg >= nps_high) and deep (core_clicks_per_user
 *               >= depth) and broad (feature_breadth >= breadth) use;
 *   potential   shallow use: not deep, or not broad (NPS not low);
 *   engaged     deep and broad use without high NPS: passives between the
 *               cut-offs, or no answer -- the seed names no group for them.
 *
 * A missing nps_avg is neither low nor high: such an account is at risk
 * only by its activity, and never high value (that needs an answer).  A
 * missing active_day_share, core_clicks_per_user or feature_breadth leaves
 * a row that low NPS does not already place at risk without a group
 * (CK_VALUE_NONE).  The groups read observed behaviour only, not model
 * scores: an account's group does not depend on the models scored with it.
 */
#ifndef CHURNKIT_VALUE_GROUP_H
#define CHURNKIT_VALUE_GROUP_H

#include "churnkit/error.h"

enum { CK_VALUE_HIGH, CK_VALUE_POTENTIAL, CK_VALUE_ENGAGED, CK_VALUE_AT_RISK, CK_VALUE_GROUPS };
enum { CK_VALUE_NONE = -1 };

/* The columns the rules read, in the order of ck_value_row. */
enum { CK_VALUE_COLUMNS = 4 };
const char *ck_value_column(int k);

typedef struct ck_value_rules {
    double nps_low;      /* at risk at nps_avg <= this (6: NPS detractors, 0..6) */
    double nps_high;     /* high value needs nps_avg >= this (9: promoters, 9..10) */
    double activity_low; /* at risk at active_day_share < this (0.15: about one
                            day a week) */
    double depth;        /* deep at core_clicks_per_user >= this (100 in the
                            90-day window) */
    double breadth;      /* broad at feature_breadth >= this (10 features) */
} ck_value_rules;

void ck_value_rules_init(ck_value_rules *r);

/* CK_EUSAGE naming the option (--value-nps-low, ...) when a cut-off is out
 * of range (NPS in 0..10, the share in 0..1, depth and breadth not
 * negative, all finite) or nps_low is not below nps_high. */
ck_status ck_value_rules_check(const ck_value_rules *r, ck_error *err);

typedef struct ck_value_row {
    double nps, activity, depth, breadth; /* NaN: missing */
} ck_value_row;

/* The group of a row, or CK_VALUE_NONE. */
int ck_value_group_of(const ck_value_rules *r, const ck_value_row *x);

/* The name and built-in play of a group (NULL out of range). */
const char *ck_value_group_name(int g);
const char *ck_value_group_play(int g);

/* Reads a value-plays file (columns value_group and value_play; plays.h)
 * into plays[]: strings the caller frees with ck_value_plays_free; a group
 * the file does not name keeps its entry. */
ck_status ck_value_plays_load(const char *plays[CK_VALUE_GROUPS], const char *path,
                              ck_error *err);
void ck_value_plays_free(const char *plays[CK_VALUE_GROUPS]);

#endif
