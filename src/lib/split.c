/* split.c -- seeded stratified hold-out and K-fold splits (see split.h). */
#include "churnkit/split.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Positions (into rows) of class c, shuffled; returns the count. */
static size_t shuffled_class(const size_t *rows, size_t n, const double *cls, int c,
                             gsl_rng *rng, size_t *pos)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!cls || (cls[rows[i]] == 1) == (c == 1))
            pos[m++] = i;
    if (m > 1)
        gsl_ran_shuffle(rng, pos, m, sizeof *pos);
    return m;
}

static gsl_rng *seeded(unsigned long seed)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (rng)
        gsl_rng_set(rng, seed);
    return rng;
}

ck_status ck_split_holdout(const size_t *rows, size_t n, const double *cls, double f,
                           unsigned long seed, size_t *train, size_t *ntrain, size_t *test,
                           size_t *ntest, ck_error *err)
{
    gsl_rng *rng = seeded(seed);
    size_t *pos = malloc((n ? n : 1) * sizeof *pos);
    char *in_test = calloc(n ? n : 1, 1);
    if (!rng || !pos || !in_test) {
        gsl_rng_free(rng);
        free(pos);
        free(in_test);
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    }
    /* round(f n) test rows in all, shared between the classes by largest
     * remainder, so that the total is what was asked for */
    size_t total = (size_t)llround(f * (double)n), count[2] = {0, 0}, take[2];
    for (size_t i = 0; i < n; i++)
        count[cls && cls[rows[i]] == 1]++;
    double want[2] = {f * (double)count[0], f * (double)count[1]};
    take[0] = (size_t)floor(want[0]);
    take[1] = (size_t)floor(want[1]);
    while (take[0] + take[1] < total) {
        int c = want[1] - (double)take[1] > want[0] - (double)take[0] ? 1 : 0;
        if (take[c] >= count[c])
            c = 1 - c;
        take[c]++;
    }
    for (int c = cls ? 0 : 1; c <= 1; c++) {
        size_t m = shuffled_class(rows, n, cls, c, rng, pos);
        size_t k = cls ? take[c] : total;
        for (size_t i = 0; i < k && i < m; i++)
            in_test[pos[i]] = 1;
    }
    *ntrain = *ntest = 0;
    for (size_t i = 0; i < n; i++) {
        if (in_test[i])
            test[(*ntest)++] = rows[i];
        else
            train[(*ntrain)++] = rows[i];
    }
    gsl_rng_free(rng);
    free(pos);
    free(in_test);
    return CK_OK;
}

ck_status ck_split_folds(const size_t *rows, size_t n, const double *cls, size_t k,
                         unsigned long seed, size_t *fold, ck_error *err)
{
    /* a fold without a row has nothing to measure: the caller's option */
    if (k == 0)
        return ck_error_set(err, CK_EUSAGE, "no folds to deal the rows into");
    if (k > n)
        return ck_error_set(err, CK_EUSAGE, "--cv %zu is more than the %zu training rows: "
                                            "each fold needs at least one", k, n);
    gsl_rng *rng = seeded(seed);
    size_t *pos = malloc((n ? n : 1) * sizeof *pos);
    if (!rng || !pos) {
        gsl_rng_free(rng);
        free(pos);
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    }
    size_t offset = 0;
    for (int c = cls ? 0 : 1; c <= 1; c++) {
        size_t m = shuffled_class(rows, n, cls, c, rng, pos);
        /* continue the deal where the last class stopped, so fold sizes
         * differ by at most one overall */
        for (size_t i = 0; i < m; i++)
            fold[pos[i]] = (offset + i) % k;
        offset += m;
    }
    gsl_rng_free(rng);
    free(pos);
    return CK_OK;
}
