/* reasons.c -- a row's reasons from its contributions (see reasons.h). */
#include "churnkit/reasons.h"

#include <math.h>

/* Whether a contribution v counts for the direction: raising the score
 * (up), lowering it (down), or either. */
static int wanted(int direction, double v)
{
    return direction > 0 ? v > 0 : direction < 0 ? v < 0 : v != 0;
}

size_t ck_reasons_pick(const ck_pipeline *pl, const double *contrib, int direction, size_t k,
                       double *by_feat, size_t *rank)
{
    size_t nq = 0;
    for (size_t f = 0; f < pl->nfeat; f++) {
        const ck_feature *ft = &pl->feat[f];
        by_feat[f] = 0;
        for (size_t j = 0; j < ft->width; j++)
            by_feat[f] += contrib[ft->offset + j];
        if (wanted(direction, by_feat[f]))
            rank[nq++] = f;
    }
    size_t r = 0;
    for (; r < k && r < nq; r++) {
        size_t best = r;
        for (size_t q = r + 1; q < nq; q++)
            if (fabs(by_feat[rank[q]]) > fabs(by_feat[rank[best]]))
                best = q;
        size_t f = rank[best];
        rank[best] = rank[r];
        rank[r] = f;
    }
    return r;
}
