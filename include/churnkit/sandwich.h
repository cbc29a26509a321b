/*
 * sandwich.h -- heteroskedasticity-robust covariances (White's sandwich,
 * HC1) for the linear predictors fitted by least squares and by maximum
 * likelihood.
 *
 * For an estimate solving sum_i s_i(beta) = 0 with s_i = w_i r_i x_i (x_i
 * the row with its intercept 1, w_i its weight, r_i its residual: y - eta
 * for least squares, y - mu for logistic regression), the covariance that
 * does not assume the model's variance is B M B, with the bread B the
 * inverse of the information (least squares: (X'X)^-1; logistic: H^-1,
 * the inverse Hessian of the log-likelihood) and the meat M = sum_i s_i
 * s_i'.  HC1 multiplies it by n / (n - k), k the coefficients estimated:
 * statsmodels' cov_type = "HC1" and R's sandwich::vcovHC(type = "HC1").
 */
#ifndef CHURNKIT_SANDWICH_H
#define CHURNKIT_SANDWICH_H

#include <stddef.h>

#include "churnkit/error.h"
#include "churnkit/pipeline.h"
#include "churnkit/reduce.h"

typedef enum ck_residual {
    CK_RESIDUAL_LINEAR = 1,  /* r = y - eta */
    CK_RESIDUAL_LOGISTIC     /* r = y - 1 / (1 + exp(-eta)) */
} ck_residual;

/* The meat M = sum_i (w_i r_i)^2 x_i x_i' over the dataset's rows (p x p,
 * p = width + 1, row-major) at coefficients beta: chunks summed in a fixed
 * order (the same bits for any number of threads); with a reducer, over
 * every process's rows. */
ck_status ck_sandwich_meat(const ck_dataset *ds, const double *beta, ck_residual kind,
                           size_t threads, const ck_reducer *red, double *meat, ck_error *err);

/* out = factor * B M B (p x p; out may not alias B or M); -1 when out of
 * memory. */
int ck_sandwich(const double *bread, const double *meat, size_t p, double factor, double *out);

#endif
