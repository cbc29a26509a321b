/*
 * drift.h -- population stability of a model's inputs: how far the rows
 * being scored have moved from the training rows, feature by feature.
 *
 * Bins come from the training distribution stored in the model: a numeric
 * feature's distinct training deciles cut the line into at most ten bins
 * (coinciding deciles, as with many zeros or a few integer values, make one
 * bin), with the training share of each bin as its expected share, plus a
 * bin for missing values; a categorical feature has a bin per training
 * level, one for missing values and one for unseen levels.
 * The population stability index is
 *     PSI = sum over bins (a - e) ln(a / e)
 * with e the training share and a the scored share, both floored at 1e-4
 * so that an empty bin counts as rare rather than impossible.  By the
 * usual reading, PSI < 0.1 is stable, 0.1 to 0.2 a shift worth watching,
 * above 0.2 a shift that needs attention.
 */
#ifndef CHURNKIT_DRIFT_H
#define CHURNKIT_DRIFT_H

#include <stddef.h>

#include "churnkit/pipeline.h"

#define CK_DRIFT_MAX_BINS 12 /* numeric: 10 deciles + missing; categorical: levels + 2 */

/* The bins of one feature: edges (numeric) and expected shares. */
typedef struct ck_drift_bins {
    const ck_feature *f;
    size_t nbins;        /* including the missing (and unseen) bins */
    double edge[CK_DECILES]; /* numeric: upper edges of the value bins */
    size_t nedges;
    double *expected;    /* nbins shares */
} ck_drift_bins;

/* Sets up the bins of feature f; -1 when out of memory.  Free with
 * ck_drift_bins_fini. */
int ck_drift_bins_init(ck_drift_bins *b, const ck_feature *f);
void ck_drift_bins_fini(ck_drift_bins *b);

/* The bin of a numeric value (NaN: the missing bin). */
size_t ck_drift_bin_numeric(const ck_drift_bins *b, double v);

/* The bin of a categorical level position (-1 missing, -2 unseen). */
size_t ck_drift_bin_level(const ck_drift_bins *b, int32_t level);

/* PSI of observed bin counts (nbins of them) against the expected shares;
 * NaN when no row was counted. */
double ck_drift_psi(const ck_drift_bins *b, const unsigned long *counts);

#endif
