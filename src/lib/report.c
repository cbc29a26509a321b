/* report.c -- text reports: the summary of a trained model (see report.h). */
#include "churnkit/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* p-values below what doubles resolve print as a bound, as statsmodels does */
void ck_report_format_p(char *buf, size_t n, double p)
{
    if (isnan(p))
        snprintf(buf, n, "%s", "nan");
    else if (p < 1e-16)
        snprintf(buf, n, "%s", "<1e-16");
    else if (p < 0.001)
        snprintf(buf, n, "%.2e", p);
    else
        snprintf(buf, n, "%.3f", p);
}

static void metrics_line(FILE *out, const char *what, const ck_metrics_record *r,
                         int classification, int change)
{
    if (!r->present)
        return;
    if (r->surv.n)
        fprintf(out, "%-6s rows %zu, %zu events: concordance %.4f [%.4f, %.4f]\n", what,
                r->surv.n, r->surv.events, r->surv.concordance, r->surv.concordance_lo,
                r->surv.concordance_hi);
    else if (classification)
        fprintf(out, "%-6s rows %zu: accuracy %.4f [%.4f, %.4f] (majority %.4f), balanced "
                     "%.4f, precision %.4f, recall %.4f, ROC AUC %.4f, log-loss %.4f\n",
                what, r->cls.n, r->cls.accuracy, r->cls.accuracy_lo, r->cls.accuracy_hi,
                r->cls.majority_accuracy, r->cls.balanced_accuracy, r->cls.precision,
                r->cls.recall, r->cls.roc_auc, r->cls.log_loss);
    else if (change) /* direction accuracy: for a change in value only */
        fprintf(out, "%-6s rows %zu: RMSE %.4g, MAE %.4g, R-squared %.4f, direction "
                     "accuracy %.4f\n",
                what, r->reg.n, r->reg.rmse, r->reg.mae, r->reg.r2, r->reg.direction_accuracy);
    else
        fprintf(out, "%-6s rows %zu: RMSE %.4g, MAE %.4g, R-squared %.4f\n", what, r->reg.n,
                r->reg.rmse, r->reg.mae, r->reg.r2);
}

/* A threshold by cost: what the out-of-fold predictions cost at it, beside
 * the two plans that need no model, contacting every account (a false
 * alarm each negative) and contacting none (a miss each positive).  The
 * positives are the training rows' when the predictions cover them, else
 * what precision and recall imply. */
static void cost_line(FILE *out, const ck_model *m)
{
    const ck_threshold_pick *k = &m->threshold_cv;
    ck_threshold_spec spec;
    if (ck_threshold_rule_parse(m->threshold_rule, &spec) != 0 ||
        spec.rule != CK_THRESHOLD_COST)
        return;
    double tp = k->precision * (double)k->named, fp = (double)k->named - tp;
    double pos = k->rows == m->training.rows ? m->training.positives
                 : k->recall > 0              ? tp / k->recall
                                              : NAN;
    if (isnan(pos))
        return;
    double neg = (double)k->rows - pos, fn = pos - tp;
    fprintf(out, "  its cost there %.6g (%.0f false alarms at %g, %.0f missed at %g), against "
                 "%.6g contacting every account and %.6g contacting none\n",
            fp * spec.cost_fp + fn * spec.cost_fn, fp, spec.cost_fp, fn, spec.cost_fn,
            neg * spec.cost_fp, pos * spec.cost_fn);
}

/* The threshold, and for one a rule picked what it did on the out-of-fold
 * predictions: how many it names and how many of those are positive. */
static void threshold_lines(FILE *out, const ck_model *m)
{
    const ck_threshold_pick *k = &m->threshold_cv;
    /* six digits: a floor can put it at 0.9999998, which four would print as 1 */
    fprintf(out, "Decision threshold %.6g (%s)\n", m->threshold, m->threshold_rule);
    if (!k->rows)
        return;
    double lo, hi;
    ck_metrics_wilson(k->precision * (double)k->named, (double)k->named, &lo, &hi);
    fprintf(out, "  on the out-of-fold predictions it names %zu of %zu rows (%.2f%%): "
                 "precision %.4f",
            k->named, k->rows, 100.0 * (double)k->named / (double)k->rows, k->precision);
    if (k->named)
        fprintf(out, " [%.4f, %.4f]", lo, hi);
    fprintf(out, ", recall %.4f\n", k->recall);
    cost_line(out, m);
}

static void calibration_line(FILE *out, const ck_model *m)
{
    const ck_calibration *c = &m->calib;
    if (!c->method)
        return;
    fprintf(out, "Calibrated (%s, fitted on the out-of-fold predictions): expected calibration "
                 "error there %.4f before, %.4f after (in-sample for the map, as are the CV "
                 "figures below, which are on the calibrated scale)\n",
            ck_calib_method_name(c->method), c->ece_before, c->ece_after);
}

static void cv_line(FILE *out, const ck_model *m)
{
    const char *const *names = ck_cv_stat_names(m->task);
    if (!m->has_cv)
        return;
    int change = ck_eval_change_label(m->label);
    fprintf(out, "CV (%zu folds):", m->cv.folds);
    for (size_t s = 0; s < ck_cv_stat_count(m->task); s++)
        if (change || m->task != CK_TASK_REGRESSION || strcmp(names[s], "direction_accuracy"))
            fprintf(out, "%s %s %.4f +- %.4f", s ? "," : "", names[s], m->cv.mean[s],
                    m->cv.sd[s]);
    fputc('\n', out);
}

/* What tuning tried, best marked; an early-stopping curve by its ends. */
static void tuning_lines(FILE *out, const ck_tuning *t)
{
    if (!t->method)
        return;
    fprintf(out, "Tuning (%s):\n ", t->method);
    for (size_t j = 0; j < t->nnames; j++)
        fprintf(out, " %16s", t->names[j]);
    fprintf(out, " %12s\n", "loss");
    for (size_t i = 0; i < t->ntried; i++) {
        fputc(' ', out);
        for (size_t j = 0; j < t->nnames; j++)
            fprintf(out, " %16.6g", t->tried[i * t->nnames + j]);
        fprintf(out, " %12.6f%s\n", t->loss[i], i == t->best ? "  <- kept" : "");
    }
    if (t->ncurve)
        fprintf(out, "  out-of-fold loss by trees: %.6f after 1, %.6f after %zu (in the "
                     "model file)\n",
                t->curve[0], t->curve[t->ncurve - 1], t->ncurve);
}

/* Which rows the model saw: a hold-out's (the model fitted on the
 * training part only, or refitted on every row after the test metrics),
 * and the rows --drop-missing-label left out. */
static void rows_lines(FILE *out, const ck_model *m)
{
    const ck_training_record *tr = &m->training;
    if (tr->refit)
        fprintf(out, "The test metrics are of the model fitted on the training part (%zu rows); "
                     "the model saved was then refitted on all %zu rows (--refit).\n",
                tr->rows - tr->test_rows, tr->rows);
    else if (tr->test_rows)
        fprintf(out, "The model is fitted on the training part only (%zu rows; the %zu test "
                     "rows held out); --refit refits it on all rows after the test metrics.\n",
                tr->rows, tr->test_rows);
    if (tr->drop_missing_label)
        fprintf(out, "%zu row%s with a missing label left out (--drop-missing-label).\n",
                tr->missing_label, tr->missing_label == 1 ? "" : "s");
}

void ck_report_model(FILE *out, const ck_model *m)
{
    int cls = m->task == CK_TASK_CLASSIFICATION;
    fprintf(out, "Model '%s': %s %s of '%s'", m->name, m->type->name,
            cls ? "classifier" : m->task == CK_TASK_REGRESSION ? "regression" : "survival model",
            m->label);
    if (cls)
        fprintf(out, " (positive: '%s')", m->positive);
    fprintf(out, ", %zu training rows, %zu features encoded as %zu columns\n", m->training.rows,
            m->pl->nfeat, m->pl->width);
    m->type->report(out, m->state, m);
    fputc('\n', out);
    if (cls) {
        calibration_line(out, m);
        threshold_lines(out, m);
    }
    cv_line(out, m);
    tuning_lines(out, &m->tuning);
    metrics_line(out, "Train", &m->train, cls, ck_eval_change_label(m->label));
    metrics_line(out, "Test", &m->test, cls, ck_eval_change_label(m->label));
    rows_lines(out, m);
}

/* ------------------------------------------------------------------ */
/* evaluation */

typedef struct column {
    const char *name;
    const ck_class_metrics *cls;
    const ck_reg_metrics *reg;
    const ck_eval_surv *surv;
} column;

static void row_label(FILE *out, const char *what)
{
    fprintf(out, "%-26s", what);
}

static void value_cell(FILE *out, double v)
{
    if (isnan(v))
        fprintf(out, " %18s", "-");
    else
        fprintf(out, " %18.4f", v);
}

static void interval_cell(FILE *out, double lo, double hi)
{
    char buf[40] = "-"; /* undefined: no row to estimate from */
    if (!isnan(lo) && !isnan(hi))
        snprintf(buf, sizeof buf, "[%.4f, %.4f]", lo, hi);
    fprintf(out, " %18s", buf);
}

/* One metric across the columns; `field` picks it. */
static void metric_row(FILE *out, const char *what, const column *cols, size_t n,
                       double (*field)(const column *))
{
    row_label(out, what);
    for (size_t i = 0; i < n; i++)
        value_cell(out, field(&cols[i]));
    fputc('\n', out);
}

#define FIELD(name, expr) \
    static double name(const column *c) { return expr; }
FIELD(f_acc, c->cls->accuracy)
FIELD(f_bal, c->cls->balanced_accuracy)
FIELD(f_prec, c->cls->precision)
FIELD(f_rec, c->cls->recall)
FIELD(f_f1, c->cls->f1)
FIELD(f_spec, c->cls->specificity)
FIELD(f_auc, c->cls->roc_auc)
FIELD(f_ap, c->cls->average_precision)
FIELD(f_ll, c->cls->log_loss)
FIELD(f_brier, c->cls->brier)
FIELD(f_ece, c->cls->ece)
FIELD(f_thr, c->cls->threshold)
FIELD(f_ptop, c->cls->precision_at_top)
FIELD(f_accuracy_lo, c->cls->accuracy_lo)
FIELD(f_accuracy_hi, c->cls->accuracy_hi)
FIELD(f_precision_lo, c->cls->precision_lo)
FIELD(f_precision_hi, c->cls->precision_hi)
FIELD(f_recall_lo, c->cls->recall_lo)
FIELD(f_recall_hi, c->cls->recall_hi)
FIELD(f_precision_at_top_lo, c->cls->precision_at_top_lo)
FIELD(f_precision_at_top_hi, c->cls->precision_at_top_hi)
FIELD(f_rtop, c->cls->recall_at_top)
FIELD(f_rmse, c->reg->rmse)
FIELD(f_mae, c->reg->mae)
FIELD(f_medae, c->reg->median_ae)
FIELD(f_r2, c->reg->r2)
FIELD(f_dir, c->reg->direction_accuracy)
FIELD(f_dirc, c->reg->direction_changed)
FIELD(f_conc, c->surv->conc.concordance)
#undef FIELD

/* What the trivial baseline is called in reports. */
static const char *trivial_name(const ck_eval *ev)
{
    return ev->task == CK_TASK_CLASSIFICATION ? "majority class"
           : ev->task == CK_TASK_SURVIVAL     ? "null model"
                                              : "training mean";
}

/* The report's columns: every entry, the baseline model, the trivial
 * baseline; cols has room for nentries + 2. */
static size_t eval_columns(const ck_eval *ev, column *cols, char *basename, size_t bsz)
{
    size_t n = 0;
    for (size_t i = 0; i < ev->nentries; i++) {
        const ck_eval_entry *e = &ev->entries[i];
        cols[n++] = (column){e->name, &e->cls, &e->reg, &e->surv};
    }
    if (ev->baseline) {
        snprintf(basename, bsz, "%s (baseline)", ev->baseline->name);
        cols[n++] = (column){basename, &ev->baseline->cls, &ev->baseline->reg,
                             &ev->baseline->surv};
    }
    cols[n++] = (column){trivial_name(ev), &ev->majority, &ev->mean_base, &ev->null};
    return n;
}

static void header_row(FILE *out, const column *cols, size_t n)
{
    row_label(out, "metric");
    for (size_t i = 0; i < n; i++)
        fprintf(out, " %18.18s", cols[i].name);
    fputc('\n', out);
}

/* A metric's 95% interval across the columns; lo and hi pick its ends. */
static void interval_row(FILE *out, const column *cols, size_t n,
                         double (*lo)(const column *), double (*hi)(const column *))
{
    row_label(out, "  95% interval");
    for (size_t i = 0; i < n; i++)
        interval_cell(out, lo(&cols[i]), hi(&cols[i]));
    fputc('\n', out);
}

static void classification_table(FILE *out, const column *cols, size_t n)
{
    header_row(out, cols, n);
    metric_row(out, "accuracy", cols, n, f_acc);
    interval_row(out, cols, n, f_accuracy_lo, f_accuracy_hi);
    metric_row(out, "balanced accuracy", cols, n, f_bal);
    metric_row(out, "precision", cols, n, f_prec);
    interval_row(out, cols, n, f_precision_lo, f_precision_hi);
    metric_row(out, "recall (sensitivity)", cols, n, f_rec);
    interval_row(out, cols, n, f_recall_lo, f_recall_hi);
    metric_row(out, "F1", cols, n, f_f1);
    metric_row(out, "specificity", cols, n, f_spec);
    metric_row(out, "ROC AUC", cols, n, f_auc);
    metric_row(out, "average precision", cols, n, f_ap);
    metric_row(out, "log-loss", cols, n, f_ll);
    metric_row(out, "Brier score", cols, n, f_brier);
    metric_row(out, "calibration error (ECE)", cols, n, f_ece);
    metric_row(out, "decision threshold", cols, n, f_thr);
    if (!cols[0].cls->top_named)
        return;
    char what[64];
    snprintf(what, sizeof what, "naming the top %zu:", cols[0].cls->top_named);
    fprintf(out, "%s\n", what);
    metric_row(out, "  precision", cols, n, f_ptop);
    interval_row(out, cols, n, f_precision_at_top_lo, f_precision_at_top_hi);
    metric_row(out, "  recall", cols, n, f_rtop);
}

/* What each calibrated model's map does on these rows. */
static void calibrated_lines(FILE *out, const ck_eval *ev)
{
    for (size_t i = 0; i < ev->nentries; i++) {
        const ck_eval_entry *e = &ev->entries[i];
        if (e->has_raw)
            fprintf(out, "%s is calibrated (%s): calibration error here %.4f, %.4f before its "
                         "map; Brier score %.4f, %.4f before\n",
                    e->name, ck_calib_method_name(e->model->calib.method), e->cls.ece,
                    e->raw.ece, e->cls.brier, e->raw.brier);
    }
}

static void regression_table(FILE *out, const column *cols, size_t n, int value_change)
{
    header_row(out, cols, n);
    metric_row(out, "RMSE", cols, n, f_rmse);
    metric_row(out, "MAE", cols, n, f_mae);
    metric_row(out, "median absolute error", cols, n, f_medae);
    metric_row(out, "R-squared", cols, n, f_r2);
    if (!value_change) /* a sign means something only for a change */
        return;
    metric_row(out, "direction accuracy", cols, n, f_dir);
    metric_row(out, "  among changed rows", cols, n, f_dirc);
}

/* ---- survival ---- */

/* A metric at horizon k across the columns. */
static void horizon_row(FILE *out, const char *what, const column *cols, size_t n, size_t k,
                        double (*field)(const ck_surv_horizon *))
{
    row_label(out, what);
    for (size_t i = 0; i < n; i++)
        value_cell(out, field(&cols[i].surv->h[k]));
    fputc('\n', out);
}

static double h_auc(const ck_surv_horizon *h) { return h->auc; }
static double h_brier(const ck_surv_horizon *h) { return h->brier; }
static double h_pred(const ck_surv_horizon *h) { return h->mean_pred; }
/* Brier skill 1 - BS / BS_null: the share of the null model's error removed */
static double h_skill(const ck_surv_horizon *h)
{
    return h->brier_null > 0 ? 1 - h->brier / h->brier_null : NAN;
}

/* Concordance, then per horizon what the data shows (the same for every
 * column: cases, controls, the Kaplan-Meier churn) and each model's AUC,
 * Brier score and skill, and mean predicted churn. */
static void survival_table(FILE *out, const ck_eval *ev, const column *cols, size_t n)
{
    header_row(out, cols, n);
    metric_row(out, "concordance (Harrell)", cols, n, f_conc);
    row_label(out, "  95% interval");
    for (size_t i = 0; i < n; i++)
        interval_cell(out, cols[i].surv->conc.concordance_lo, cols[i].surv->conc.concordance_hi);
    fputc('\n', out);
    for (size_t k = 0; k < ev->nhorizons; k++) {
        const ck_surv_horizon *d = &ev->null.h[k];
        fprintf(out, "At %g month%s: %zu churned by then, %zu known to pay through it; Kaplan-Meier "
                     "churn %.4f [%.4f, %.4f]\n",
                ev->horizon_list[k], ev->horizon_list[k] == 1 ? "" : "s", d->cases, d->controls, d->km_obs, d->km_obs_lo,
                d->km_obs_hi);
        horizon_row(out, "  time-dependent AUC", cols, n, k, h_auc);
        horizon_row(out, "  Brier score (IPCW)", cols, n, k, h_brier);
        horizon_row(out, "  Brier skill", cols, n, k, h_skill);
        horizon_row(out, "  predicted churn (mean)", cols, n, k, h_pred);
    }
    fprintf(out, "(AUC and Brier score weight the rows by the inverse probability of "
                 "censoring; Brier skill is\n 1 - Brier / the null model's Brier; predicted "
                 "churn is the mean 1 - S(h), to set beside the\n Kaplan-Meier churn.)\n");
}

/* Each model's calibration at each horizon: the risk deciles' mean
 * predicted churn against their Kaplan-Meier churn. */
static void calibration_tables(FILE *out, const ck_eval *ev)
{
    for (size_t k = 0; k < ev->nhorizons; k++) {
        fprintf(out, "\nCalibration at %g months: rows grouped by decile of predicted churn; "
                     "observed is the\nKaplan-Meier churn of the group with its 95%% interval\n",
                ev->horizon_list[k]);
        for (size_t i = 0; i < ev->nentries + (ev->baseline != NULL); i++) {
            const ck_eval_entry *e = i < ev->nentries ? &ev->entries[i] : ev->baseline;
            const ck_surv_horizon *h = &e->surv.h[k];
            fprintf(out, "  %s%s\n    %6s %8s %10s %10s  %s\n", e->name,
                    i < ev->nentries ? "" : " (baseline)", "group", "rows", "predicted",
                    "observed", "95% interval");
            for (size_t g = 0; g < h->ngroups; g++)
                fprintf(out, "    %6zu %8zu %10.4f %10.4f  [%.4f, %.4f]\n", g + 1, h->count[g],
                        h->pred[g], h->obs[g], h->obs_lo[g], h->obs_hi[g]);
            fprintf(out, "    %6s %8zu %10.4f %10.4f  [%.4f, %.4f]\n", "all", ev->n,
                    h->mean_pred, h->km_obs, h->km_obs_lo, h->km_obs_hi);
        }
    }
}

/* The differences to a survival baseline model; no paired test (see
 * man/churnkit-eval.1: the concordances share every pair, so their
 * intervals do not make one for the difference). */
static void survival_paired(FILE *out, const ck_eval *ev)
{
    if (!ev->baseline)
        return;
    const ck_eval_surv *b = &ev->baseline->surv;
    fprintf(out, "\nAgainst the baseline model '%s' (same rows; differences, no paired test)\n",
            ev->baseline->name);
    for (size_t i = 0; i < ev->nentries; i++) {
        const ck_eval_surv *s = &ev->entries[i].surv;
        fprintf(out, "  %-16s concordance %+.4f", ev->entries[i].name,
                s->conc.concordance - b->conc.concordance);
        for (size_t k = 0; k < ev->nhorizons; k++)
            fprintf(out, "; at %g months AUC %+.4f, Brier %+.4f", ev->horizon_list[k],
                    s->h[k].auc - b->h[k].auc, s->h[k].brier - b->h[k].brier);
        fputc('\n', out);
    }
}

/* ---- the verdict ---- */

static const char *verdict_text(const ck_eval *ev, const ck_eval_entry *e, char *buf,
                                size_t n)
{
    int ge = ev->target.op == CK_TARGET_GE;
    if (!e->met)
        return isnan(e->value) ? "MISSED (the metric is undefined on this data)" : "MISSED";
    if (ev->baseline_meets_target) {
        snprintf(buf, n, "MET, but so does the %s alone: no evidence of skill",
                 trivial_name(ev));
        return buf;
    }
    if (!ev->target_interval)
        return "PASS (the metric has no interval to confirm it with)";
    if (e->confirmed)
        return ge ? "PASS, confirmed: the whole 95% interval is above the target"
                  : "PASS, confirmed: the whole 95% interval is below the target";
    return ge ? "PASS, not confirmed: the 95% interval reaches below the target"
              : "PASS, not confirmed: the 95% interval reaches above the target";
}

static void verdicts(FILE *out, const ck_eval *ev)
{
    const ck_eval_target *t = &ev->target;
    if (isnan(t->value))
        return;
    fprintf(out, "\nTarget: %s %s %.3f\n", t->metric, ck_target_op_text(t->op), t->value);
    for (size_t i = 0; i < ev->nentries; i++) {
        const ck_eval_entry *e = &ev->entries[i];
        fprintf(out, "  %-16s %.4f", e->name, e->value);
        if (ev->target_interval && !isnan(e->lo) && !isnan(e->hi))
            fprintf(out, " [%.4f, %.4f]", e->lo, e->hi);
        else if (ev->target_interval)
            fprintf(out, " (no interval: nothing to estimate it from)");
        char buf[96];
        fprintf(out, "  %s\n", verdict_text(ev, e, buf, sizeof buf));
    }
    if (ev->target_default && ev->task == CK_TASK_CLASSIFICATION)
        fprintf(out, "  (the default target; to judge how well a score names accounts, give\n"
                     "  --target precision>=X -- the seed's 85%% identification accuracy is a "
                     "precision)\n");
    if (!ev->baseline_meets_target)
        return;
    if (ev->task == CK_TASK_CLASSIFICATION && strcmp(t->metric, "accuracy") == 0)
        fprintf(out, "  Note: always answering '%s' is right %.4f of the time, which meets the "
                     "target by itself:\n  on this data accuracy is no evidence of skill. Judge the "
                     "models by balanced accuracy and\n  ROC AUC, where the majority class scores "
                     "0.5000.\n",
                ev->majority.cm.tp + ev->majority.cm.fp > 0 ? ev->positive : ev->negative,
                ev->majority.accuracy);
    else
        fprintf(out, "  Note: the %s alone scores %.4f on %s, which meets the target by "
                     "itself:\n  on this data %s is no evidence of skill.\n",
                trivial_name(ev), ev->baseline_value, t->metric, t->metric);
}

/* ---- classification details ---- */

static void confusions(FILE *out, const ck_eval *ev)
{
    fprintf(out, "\nConfusion matrices (rows: actual, columns: predicted)\n");
    for (size_t i = 0; i < ev->nentries; i++) {
        const ck_eval_entry *e = &ev->entries[i];
        const ck_confusion *c = &e->cls.cm;
        fprintf(out, "  %s (threshold %.4g)\n", e->name, e->threshold);
        fprintf(out, "    %-12.12s %12.12s %12.12s\n", "", ev->positive, ev->negative);
        fprintf(out, "    %-12.12s %12zu %12zu\n", ev->positive, c->tp, c->fn);
        fprintf(out, "    %-12.12s %12zu %12zu\n", ev->negative, c->fp, c->tn);
    }
}

static void gains(FILE *out, const ck_eval *ev)
{
    fprintf(out, "\nCumulative gains: share of all '%s' among the riskiest k%% of rows (lift)\n  %-16s",
            ev->positive, "");
    for (int k = 1; k <= CK_GAINS_BINS; k++)
        fprintf(out, " %9d%%", 10 * k);
    fputc('\n', out);
    for (size_t i = 0; i < ev->nentries; i++) {
        const ck_eval_entry *e = &ev->entries[i];
        fprintf(out, "  %-16.16s", e->name);
        for (int k = 0; k < CK_GAINS_BINS; k++)
            fprintf(out, " %5.1f%%/%-3.1f", 100 * e->cls.gains[k], e->cls.lift[k]);
        fputc('\n', out);
    }
    const ck_eval_entry *e0 = &ev->entries[0];
    fprintf(out, "  The riskiest 10%% by '%s' hold %.1f%% of the '%s' rows.\n", e0->name,
            100 * e0->cls.gains[0], ev->positive);
}

static void paired(FILE *out, const ck_eval *ev)
{
    if (!ev->baseline)
        return;
    fprintf(out, "\nAgainst the baseline model '%s' (paired, same rows)\n", ev->baseline->name);
    for (size_t i = 0; i < ev->nentries; i++) {
        const ck_eval_entry *e = &ev->entries[i];
        char p1[16], p2[16];
        ck_report_format_p(p1, sizeof p1, e->delong.p_value);
        ck_report_format_p(p2, sizeof p2, e->mcnemar.p_value);
        fprintf(out, "  %-16s ROC AUC %+.4f (95%% CI %+.4f to %+.4f, SE %.4f, DeLong z %.2f, "
                     "p %s); accuracy %+.4f (McNemar: %zu vs %zu discordant rows, p %s)\n",
                e->name, e->delong.diff, e->delong.ci_low, e->delong.ci_high, e->delong.se,
                e->delong.z, p1,
                e->cls.accuracy - ev->baseline->cls.accuracy, e->mcnemar.b, e->mcnemar.c, p2);
    }
}

static void eval_heading(FILE *out, const ck_eval *ev)
{
    if (ev->dropped_rows)
        fprintf(out, "%zu row%s with a missing label left out (--drop-missing-label).\n",
                ev->dropped_rows, ev->dropped_rows == 1 ? "" : "s");
    fprintf(out, "Evaluation on %s: %zu rows", ev->data, ev->n);
    if (ev->task == CK_TASK_SURVIVAL) {
        fprintf(out, ", %zu churned ('%s' = 1) over the time '%s'; horizons", ev->n_pos,
                ev->event_name, ev->label);
        for (size_t k = 0; k < ev->nhorizons; k++)
            fprintf(out, "%s %g", k ? "," : "", ev->horizon_list[k]);
        fprintf(out, " months\n\n");
    } else if (ev->task == CK_TASK_CLASSIFICATION) {
        fprintf(out, ", %zu '%s' (%.1f%%) in '%s'\n", ev->n_pos, ev->positive,
                ev->n ? 100.0 * (double)ev->n_pos / (double)ev->n : 0, ev->label);
        if (ev->horizon > 0)
            fprintf(out, "Survival models (NAME@%gm) are scored by their churn within %g months, "
                         "1 - S(%g),\nwith their training population's churn by then as the "
                         "threshold.\n",
                    ev->horizon, ev->horizon, ev->horizon);
        fputc('\n', out);
    } else {
        fprintf(out, ", target '%s'\n\n", ev->label);
    }
}

void ck_report_eval(FILE *out, const ck_eval *ev)
{
    column *cols = malloc((ev->nentries + 2) * sizeof *cols);
    char basename[128]; /* printed cut to the column's 18 characters anyway */
    if (!cols) {
        fprintf(out, "(out of memory: no report)\n");
        return;
    }
    size_t n = eval_columns(ev, cols, basename, sizeof basename);
    eval_heading(out, ev);
    if (ev->task == CK_TASK_REGRESSION)
        regression_table(out, cols, n, ev->value_change);
    else if (ev->task == CK_TASK_SURVIVAL)
        survival_table(out, ev, cols, n);
    else
        classification_table(out, cols, n);
    if (ev->task == CK_TASK_CLASSIFICATION)
        calibrated_lines(out, ev);
    free(cols);
    verdicts(out, ev);
    if (ev->task == CK_TASK_SURVIVAL) {
        calibration_tables(out, ev);
        survival_paired(out, ev);
    } else if (ev->task == CK_TASK_CLASSIFICATION) {
        confusions(out, ev);
        gains(out, ev);
        paired(out, ev);
    }
}
