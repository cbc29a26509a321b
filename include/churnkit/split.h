/*
 * split.h -- seeded, stratified splits of rows: a hold-out test set and
 * K cross-validation folds.
 *
 * Rows of each class (or, for a numeric target, all rows as one class) are
 * shuffled with GSL's MT19937 generator seeded from `seed`, then dealt out:
 * round(f * n) rows to the test set, shared between the classes in
 * proportion (largest remainder), taken from the front of each class's
 * shuffled rows; fold k gets
 * the shuffled rows at positions k, k + K, k + 2K, ... of each class.  The
 * same rows, classes and seed always give the same split, on any machine.
 */
#ifndef CHURNKIT_SPLIT_H
#define CHURNKIT_SPLIT_H

#include <stddef.h>

#include "churnkit/error.h"

/* Splits rows[0..n) into test (fraction f) and train, stratified by
 * cls[row] (0/1) or unstratified when cls is NULL.  train and test must
 * hold n entries each; *ntrain and *ntest get the counts.  Rows keep their
 * original order within each part. */
ck_status ck_split_holdout(const size_t *rows, size_t n, const double *cls, double f,
                           unsigned long seed, size_t *train, size_t *ntrain, size_t *test,
                           size_t *ntest, ck_error *err);

/* Assigns each of rows[0..n) a fold in [0, k): fold[i] for rows[i].  k
 * above n is a usage error (--cv larger than the rows). */
ck_status ck_split_folds(const size_t *rows, size_t n, const double *cls, size_t k,
                         unsigned long seed, size_t *fold, ck_error *err);

#endif
