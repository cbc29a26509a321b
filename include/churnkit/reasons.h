/*
 * reasons.h -- choosing a row's reasons from its per-column contributions:
 * the one rule churnkit-predict's streaming pass (score.c) and the in-memory
 * scorer of the Python package (frame.c) share, so both name the same
 * features in the same order.
 */
#ifndef CHURNKIT_REASONS_H
#define CHURNKIT_REASONS_H

#include <stddef.h>

#include "churnkit/pipeline.h"

/* Sums contrib (the pipeline's width, ck_model_contributions) over each
 * feature's encoded columns into by_feat[0..nfeat), then puts in
 * rank[0..r) the features whose sum is wanted -- direction > 0: raising
 * the score, < 0: lowering it, 0: not zero -- with the largest |sum|
 * first (a partial selection: K is small; the first of equals wins), and
 * returns r <= k.  rank needs room for nfeat entries. */
size_t ck_reasons_pick(const ck_pipeline *pl, const double *contrib, int direction, size_t k,
                       double *by_feat, size_t *rank);

#endif
