/*
 * report.h -- human-readable reports written to a stream the caller gives.
 */
#ifndef CHURNKIT_REPORT_H
#define CHURNKIT_REPORT_H

#include <stdio.h>

#include "churnkit/model.h"

/* What churnkit-train prints: the model, its fit, the coefficient table
 * as statsmodels prints it (coefficient, standard error, z or t, p-value,
 * 95% interval, and the odds ratio for logistic models), and the
 * cross-validated, training and test metrics stored in it. */
void ck_report_model(FILE *out, const ck_model *m);

/* Just the coefficient table. */
void ck_report_coefficients(FILE *out, const ck_model *m);

#endif
