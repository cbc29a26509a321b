/*
 * calibrate.h -- mapping a classifier's probabilities to calibrated ones,
 * fitted on out-of-fold predictions (churnkit-train --calibrate) and kept
 * in the model file, so that every scorer applies the same map.
 *
 *   platt     p' = 1 / (1 + exp(a z + b)), z = logit(p) (p clipped to
 *             [1e-15, 1 - 1e-15]); a and b minimize the log-loss against
 *             Platt's smoothed targets, (N+ + 1) / (N+ + 2) for a positive
 *             and 1 / (N- + 2) for a negative (Platt 1999; scikit-learn's
 *             sigmoid calibration, on logit(p) instead of a decision value);
 *   isotonic  the non-decreasing step function of p closest in squared
 *             error to the labels (pool-adjacent-violators, tied p pooled
 *             first), read between its knots by linear interpolation and
 *             clipped at the ends (scikit-learn's IsotonicRegression with
 *             out_of_bounds="clip").
 *
 * Class weights (--class-weight balanced) shift a model's probabilities by
 * design; calibrating on the out-of-fold predictions maps them back to the
 * data's rates.  Reasons stay on the uncalibrated model's scale.
 */
#ifndef CHURNKIT_CALIBRATE_H
#define CHURNKIT_CALIBRATE_H

#include <jansson.h>
#include <stddef.h>

#include "churnkit/error.h"
#include "churnkit/jsonio.h"

typedef enum ck_calib_method {
    CK_CALIB_NONE = 0,
    CK_CALIB_PLATT,
    CK_CALIB_ISOTONIC
} ck_calib_method;

typedef struct ck_calibration {
    ck_calib_method method;
    double a, b;           /* platt */
    size_t n;              /* isotonic: knots x[0..n), increasing, and */
    double *x, *y;         /* their values y (non-decreasing, in [0, 1]); owned */
    double ece_before;     /* the expected calibration error of the */
    double ece_after;      /* out-of-fold predictions before and after
                              (after: in-sample for the map) */
} ck_calibration;

/* "none", "platt" or "isotonic"; parse returns -1 for anything else. */
const char *ck_calib_method_name(ck_calib_method m);
int ck_calib_method_parse(const char *s, ck_calib_method *m);

/* Fits c by `method` on probabilities p[0..n) and labels y[0..n) (1
 * positive, else negative); n >= 1.  Returns 0, or -1 out of memory (c
 * then holds nothing to free).  Does not set the ECE fields. */
int ck_calibration_fit(ck_calibration *c, ck_calib_method method, const double *y,
                       const double *p, size_t n);

/* The calibrated probability (p itself without a method). */
double ck_calibration_apply(const ck_calibration *c, double p);

void ck_calibration_fini(ck_calibration *c);

/* The model file's "calibration" object (NULL without a method; caller
 * decrefs), and reading it back (checked: a, b finite; knots increasing,
 * values non-decreasing in [0, 1]). */
json_t *ck_calibration_to_json(const ck_calibration *c);
ck_status ck_calibration_read(ck_json_reader *rd, const json_t *o, ck_calibration *c);

#endif
