/*
 * eval_surv.h -- the survival half of an evaluation (eval.h): the time and
 * event of the data, its Kaplan-Meier curve, the null model, and each
 * survival model's concordance, metrics at the horizons and mean predicted
 * survival curve; and a survival model's churn within a horizon for a
 * mixed run.  ck_eval_models calls these; they are public for the tests.
 * Their JSON is written by eval_json.c with the rest.
 */
#ifndef CHURNKIT_EVAL_SURV_H
#define CHURNKIT_EVAL_SURV_H

#include "churnkit/eval.h"

/*
 * Starts a survival run on t (ev zeroed): reads the time m->label and the
 * event m->event (ck_label_survival: every row checked, errors naming the
 * file, line and column), takes the horizons (opt's, or 3 and 6 months),
 * fits the data's Kaplan-Meier curve, lays out the grid of the mean
 * curves and evaluates the null model at every horizon -- so that a
 * horizon past the data's follow-up fails here, before any model is
 * scored, with an error naming it and the data (CK_EDATA).  The metrics
 * use survmetrics.h's CK_IPCW_BEFORE: the rows censored at h count as
 * having survived h (they paid month h), so the check is G(h-) > 0 and the
 * horizon equal to the follow-up is measured, although every row left
 * there is censored (G(h) = 0).  Warnings: a horizon where the AUC is
 * undefined (no churn by it, or nobody known to have survived it).  What
 * it sets up is freed by ck_eval_fini, also on failure.
 */
ck_status ck_eval_surv_setup(ck_eval *ev, const ck_table *t, const ck_model *m,
                             const ck_eval_options *opt, ck_warnings *w, ck_error *err);

/* Measures entry e of a survival run, whose score holds the linear
 * predictors eta of its model (a survival model).  Warnings: a horizon
 * past the model's training follow-up (its curve is held flat there: an
 * extrapolation). */
ck_status ck_eval_surv_measure(const ck_eval *ev, ck_eval_entry *e, ck_warnings *w,
                               ck_error *err);

void ck_eval_surv_fini(ck_eval_surv *s);

/* Warns when h is past the survival model m's training follow-up (its
 * last time): its curve is held flat there, an extrapolation. */
void ck_eval_surv_check_horizon(const ck_model *m, double h, ck_warnings *w);

/* The probability of churn within h of each row, 1 - S(h | eta), in place
 * of eta[0..n). */
void ck_eval_churn_within(const ck_ph_curve *c, double h, double *eta, size_t n);

#endif
