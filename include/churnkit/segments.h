/*
 * segments.h -- the business rules the scorer applies to scores: the risk
 * by growth segments and their plays, and the agreement of churn horizons
 * (docs/value-model.md has them in the business's terms).
 *
 * Segments: a churn classifier gives risk (high at or above its
 * threshold), or a survival model its churn probability within a horizon
 * (high at or above a threshold the scorer sets), a value-change regression gives growth (growing above a
 * threshold, default 0): star (low risk, growing), opportunity (high risk,
 * growing), stable (low risk, not growing), critical (high risk, not
 * growing); each has a recommended play, which an actions file (a CSV of
 * segment,action rows) may replace.
 *
 * Horizons: classifiers whose labels differ only in a horizon suffix
 * ("churned_3m", "churned_6m", same positive class) are chained shorter to
 * longer, so that the scorer can keep a longer horizon's probability at
 * least the shorter one's.
 */
#ifndef CHURNKIT_SEGMENTS_H
#define CHURNKIT_SEGMENTS_H

#include <stddef.h>

#include "churnkit/error.h"
#include "churnkit/model.h"

enum { CK_SEG_STAR, CK_SEG_OPPORTUNITY, CK_SEG_STABLE, CK_SEG_CRITICAL, CK_SEGMENTS };

/* The built-in name and play of a segment (NULL out of range). */
const char *ck_segment_name(int seg);
const char *ck_segment_action(int seg);

/* The segment of a row. */
int ck_segment_of(int high_risk, int growing);

/* Reads an actions file (columns segment and action; plays.h reads it)
 * into actions[], each a string the caller frees with
 * ck_segment_actions_free; a segment the file does not name keeps its
 * entry. */
ck_status ck_segment_actions_load(const char *actions[CK_SEGMENTS], const char *path,
                                  ck_error *err);
void ck_segment_actions_free(const char *actions[CK_SEGMENTS]);

/* The models that give risk and growth.  risk_name is a model's name, or
 * for a survival model "NAME@Hm" (its churn probability within H months;
 * without "@Hm", default_h); growth_name a regression or a classifier of
 * growth (not of a churn label).  Without names: the first classifier whose
 * label mentions churn (never a classifier of another label, which would
 * put its likely accounts in the high-risk cells), else the first survival
 * model (at default_h); and the first regression.  *risk and *growth are
 * indexes into m, both -1 when either is missing; *risk_h is the survival
 * model's horizon (0 for a classifier).  CK_EUSAGE when a name is not a
 * model of the right task being scored, or "@Hm" is malformed or given to a
 * classifier. */
ck_status ck_segments_choose(ck_model *const *m, size_t n, const char *risk_name,
                             const char *growth_name, double default_h, int *risk,
                             double *risk_h, int *growth, ck_error *err);

/* The horizon in months of a label "BASE_<N>m" ("churned_6m" -> 6, base
 * length 7), or -1. */
int ck_label_horizon(const char *label, size_t *baselen);

/* prev[i]: the classifier of the next shorter horizon of m[i]'s label, or
 * -1; order: the models with shorter horizons first (models without a
 * horizon count as 0), stable otherwise. */
void ck_horizons_link(ck_model *const *m, size_t n, int *prev, int *order);

#endif
