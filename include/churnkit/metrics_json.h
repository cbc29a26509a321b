/*
 * metrics_json.h -- the one JSON form of classification and regression
 * metrics, written into model files (the summary) and churnkit-eval's
 * report (the summary plus details), and read back from model files.
 *
 * Classification keys, in order: rows, positives, threshold, accuracy,
 * accuracy_ci_low, accuracy_ci_high, majority_accuracy, balanced_accuracy,
 * precision, recall, f1, specificity, roc_auc, average_precision, log_loss,
 * brier; details add ece, confusion {tp, fp, tn, fn}, reliability {count,
 * mean_predicted, observed_rate}, gains and lift.  Regression: rows, rmse,
 * mae, median_ae, r2, direction_accuracy; details add
 * direction_accuracy_changed and rows_changed.
 */
#ifndef CHURNKIT_METRICS_JSON_H
#define CHURNKIT_METRICS_JSON_H

#include <jansson.h>

#include "churnkit/jsonio.h"
#include "churnkit/metrics.h"

/* `detail`: 0 for the summary a model file keeps, 1 for eval's report.
 * NULL when out of memory. */
json_t *ck_class_metrics_json(const ck_class_metrics *c, int detail);
json_t *ck_reg_metrics_json(const ck_reg_metrics *r, int detail);

/* Reads the summary keys back (the details are left zero/NaN); `field`
 * names the object in messages. */
ck_status ck_class_metrics_read(ck_json_reader *rd, const json_t *o, const char *field,
                                ck_class_metrics *c);
ck_status ck_reg_metrics_read(ck_json_reader *rd, const json_t *o, const char *field,
                              ck_reg_metrics *r);
/* Survival: rows, events, concordance, concordance_se, concordance_ci_low,
 * concordance_ci_high (no details). */
json_t *ck_surv_metrics_json(const ck_surv_metrics *s);
ck_status ck_surv_metrics_read(ck_json_reader *rd, const json_t *o, const char *field,
                               ck_surv_metrics *s);

#endif
