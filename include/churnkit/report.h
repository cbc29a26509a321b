/*
 * report.h -- human-readable reports written to a stream the caller gives.
 */
#ifndef CHURNKIT_REPORT_H
#define CHURNKIT_REPORT_H

#include <stdio.h>

#include "churnkit/eval.h"
#include "churnkit/model.h"

/* What churnkit-train prints: the model, its estimator's own section (the
 * fit and, for linear predictors, the coefficient table as statsmodels
 * prints it), and the cross-validated, training and test metrics stored in
 * it. */
void ck_report_model(FILE *out, const ck_model *m);

/* A p-value as statsmodels prints it: "<1e-16", "1.23e-05", "0.042". */
void ck_report_format_p(char *buf, size_t n, double p);

/* What churnkit-eval prints: the metrics of every model side by side with
 * the baselines, the verdict against the target on any metric (and a plain
 * warning when the trivial baseline alone meets it), the confusion
 * matrices, cumulative gains, and the paired tests against a baseline
 * model; for survival models the concordance and, at each horizon, the
 * time-dependent AUC, Brier score and calibration. */
void ck_report_eval(FILE *out, const ck_eval *ev);

#endif
