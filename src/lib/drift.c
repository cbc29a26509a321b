/* drift.c -- population stability index against training distributions
 * (see drift.h). */
#include "churnkit/drift.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int ck_drift_bins_init(ck_drift_bins *b, const ck_feature *f)
{
    memset(b, 0, sizeof *b);
    b->f = f;
    double miss = isnan(f->missing_share) ? 0 : f->missing_share;
    if (f->kind == CK_FEAT_NUMERIC) {
        /* value bins between the distinct deciles, then the missing bin;
         * the expected shares are the training counts stored in the model
         * (without them, a tenth for each decile interval merged in) */
        b->nedges = ck_feature_edges(f, b->edge);
        size_t nv = b->nedges + 1;
        b->nbins = nv + 1;
        b->expected = malloc(b->nbins * sizeof *b->expected);
        if (!b->expected)
            return -1;
        for (size_t k = 0; k < nv; k++)
            b->expected[k] = f->nbin_share == nv ? f->bin_share[k] : 0;
        if (f->nbin_share != nv) {
            for (int k = 0; k < CK_DECILES; k++)
                if (!isnan(f->deciles[k]))
                    b->expected[ck_edges_bin(b->edge, f->deciles[k])] += 0.1;
            b->expected[nv - 1] += 0.1;
        }
        for (size_t k = 0; k < nv; k++)
            b->expected[k] *= 1 - miss;
        b->expected[nv] = miss;
        return 0;
    }
    b->nbins = f->nlevels + 2; /* levels, missing, unseen */
    b->expected = malloc(b->nbins * sizeof *b->expected);
    if (!b->expected)
        return -1;
    for (size_t k = 0; k < f->nlevels; k++)
        b->expected[k] = f->level_share ? f->level_share[k] : 0;
    b->expected[f->nlevels] = miss;
    b->expected[f->nlevels + 1] = 0; /* unseen in training, by definition */
    return 0;
}

void ck_drift_bins_fini(ck_drift_bins *b)
{
    free(b->expected);
    memset(b, 0, sizeof *b);
}

size_t ck_drift_bin_numeric(const ck_drift_bins *b, double v)
{
    return isnan(v) ? b->nbins - 1 : ck_edges_bin(b->edge, v);
}

size_t ck_drift_bin_level(const ck_drift_bins *b, int32_t level)
{
    if (level >= 0)
        return (size_t)level;
    return level == -1 ? b->nbins - 2 : b->nbins - 1;
}

double ck_drift_psi(const ck_drift_bins *b, const unsigned long *counts)
{
    static const double floor_share = 1e-4;
    double n = 0, psi = 0;
    for (size_t k = 0; k < b->nbins; k++)
        n += (double)counts[k];
    if (n == 0)
        return NAN;
    for (size_t k = 0; k < b->nbins; k++) {
        double a = fmax((double)counts[k] / n, floor_share);
        double e = fmax(b->expected[k], floor_share);
        psi += (a - e) * log(a / e);
    }
    return psi;
}
