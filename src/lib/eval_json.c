/* eval_json.c -- an evaluation as JSON (the schema is in eval.h and
 * man/churnkit-eval.1).  Metrics go through metrics_json.c, the writer the
 * model file's metrics use; the metrics object of an entry is also what a
 * target looks its metric up in (eval_target.c). */
#include "churnkit/eval.h"
#include "churnkit/jsonio.h"
#include "churnkit/metrics_json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ck_eval_horizon_key(char *buf, size_t n, const char *base, double h)
{
    snprintf(buf, n, "%s_%gm", base, h);
}

/* A curve thinned for plotting: a point is kept when it lies at least
 * 1/500 (in x + y) from the last one kept; the ends are always kept. */
static json_t *curve_json(const ck_curve *c, const char *xn, const char *yn)
{
    json_t *o = json_object(), *x = json_array(), *y = json_array(), *t = json_array();
    double lx = NAN, ly = NAN;
    for (size_t i = 0; i < c->n; i++) {
        int ends = i == 0 || i + 1 == c->n;
        if (!ends && fabs(c->x[i] - lx) + fabs(c->y[i] - ly) < 1.0 / 500)
            continue;
        lx = c->x[i];
        ly = c->y[i];
        json_array_append_new(x, isfinite(lx) ? json_real(lx) : json_null());
        json_array_append_new(y, isfinite(ly) ? json_real(ly) : json_null());
        json_array_append_new(t, isfinite(c->threshold[i]) ? json_real(c->threshold[i])
                                                           : json_null());
    }
    json_object_set_new(o, xn, x);
    json_object_set_new(o, yn, y);
    json_object_set_new(o, "threshold", t);
    return o;
}

/* A coefficient on a raw scale (v: value, low, high), with exp of them for
 * odds and hazard ratios. */
static json_t *scaled_json(const ck_terms *t, const double *v)
{
    json_t *o = json_object();
    ck_json_set_number(o, "coef", v[0]);
    ck_json_set_number(o, "ci_low", v[1]);
    ck_json_set_number(o, "ci_high", v[2]);
    if (t->ratio) { /* the model file's keys: odds_ratio, or_ci_low, or_ci_high */
        int odds = strcmp(t->ratio, "odds_ratio") == 0;
        ck_json_set_number(o, t->ratio, exp(v[0]));
        ck_json_set_number(o, odds ? "or_ci_low" : "hr_ci_low", exp(v[1]));
        ck_json_set_number(o, odds ? "or_ci_high" : "hr_ci_high", exp(v[2]));
    }
    return o;
}

/* The model's coefficients or importances, as the report lists them:
 * coefficients on the model's scale (coef, a number per standard deviation,
 * a level against its reference), per_unit and per_sd (the raw scales),
 * aliased ones with a null coef; "coefficients_approximate" says whether
 * their intervals and p-values are approximate (penalized or weighted). */
static void terms_json(json_t *o, const ck_model *m)
{
    ck_terms t;
    if (ck_model_terms(m, &t, NULL) != CK_OK || t.n == 0) {
        free(t.term);
        return;
    }
    json_t *a = json_array();
    for (size_t j = 0; j < t.n; j++) {
        const ck_term *tj = &t.term[j];
        json_t *r = json_object();
        json_object_set_new(r, "term", json_string(tj->name));
        /* a coefficient's value is "coef"; an importance's, "value" */
        ck_json_set_number(r, strcmp(t.kind, "coefficients") == 0 ? "coef" : "value",
                           tj->value);
        if (t.aux_name)
            ck_json_set_number(r, t.aux_name, tj->aux);
        ck_json_set_number(r, "ci_low", tj->lo);
        ck_json_set_number(r, "ci_high", tj->hi);
        ck_json_set_number(r, "p", tj->p);
        if (tj->aliased)
            json_object_set_new(r, "aliased", json_true());
        if (t.scales && !tj->aliased) {
            json_object_set_new(r, "per_unit", scaled_json(&t, tj->unit));
            if (!tj->intercept)
                json_object_set_new(r, "per_sd", scaled_json(&t, tj->sd));
        }
        json_array_append_new(a, r);
    }
    json_object_set_new(o, t.kind, a);
    if (t.scales)
        json_object_set_new(o, "coefficients_approximate", json_boolean(t.approximate));
    free(t.term);
}

/* ------------------------------------------------------------------ */
/* survival */

static void set_at(json_t *o, const char *base, double h, double v)
{
    char key[64];
    ck_eval_horizon_key(key, sizeof key, base, h);
    ck_json_set_number(o, key, v);
}

static void set_count_at(json_t *o, const char *base, double h, size_t v)
{
    char key[64];
    ck_eval_horizon_key(key, sizeof key, base, h);
    json_object_set_new(o, key, json_integer((json_int_t)v));
}

/* The concordance (metrics_json.c's keys) and each horizon's metrics under
 * keys with its suffix, flat, so that any of them can be a target. */
static json_t *surv_metrics_json(const ck_eval *ev, const ck_eval_surv *s)
{
    json_t *o = ck_surv_metrics_json(&s->conc);
    for (size_t k = 0; o && k < ev->nhorizons; k++) {
        const ck_surv_horizon *h = &s->h[k];
        double t = ev->horizon_list[k];
        set_at(o, "auc", t, h->auc);
        set_count_at(o, "cases", t, h->cases);
        set_count_at(o, "controls", t, h->controls);
        set_at(o, "brier", t, h->brier);
        set_at(o, "brier_null", t, h->brier_null);
        /* Brier skill: the share of the null model's squared error removed */
        set_at(o, "brier_skill", t, h->brier_null > 0 ? 1 - h->brier / h->brier_null : NAN);
        set_at(o, "predicted_churn", t, h->mean_pred);
        set_at(o, "observed_churn", t, h->km_obs);
        char key[64];
        ck_eval_horizon_key(key, sizeof key - 16, "observed_churn", t);
        size_t len = strlen(key);
        snprintf(key + len, sizeof key - len, "_ci_low");
        ck_json_set_number(o, key, h->km_obs_lo);
        snprintf(key + len, sizeof key - len, "_ci_high");
        ck_json_set_number(o, key, h->km_obs_hi);
    }
    return o;
}

static json_t *calibration_json(const ck_surv_horizon *h)
{
    json_t *o = json_object(), *rows = json_array();
    for (size_t g = 0; g < h->ngroups; g++)
        json_array_append_new(rows, json_integer((json_int_t)h->count[g]));
    ck_json_set_number(o, "months", h->t);
    json_object_set_new(o, "rows", rows);
    json_object_set_new(o, "predicted", ck_json_numbers(h->pred, h->ngroups));
    json_object_set_new(o, "observed", ck_json_numbers(h->obs, h->ngroups));
    json_object_set_new(o, "observed_ci_low", ck_json_numbers(h->obs_lo, h->ngroups));
    json_object_set_new(o, "observed_ci_high", ck_json_numbers(h->obs_hi, h->ngroups));
    return o;
}

static void surv_entry_json(json_t *o, const ck_eval *ev, const ck_eval_entry *e)
{
    json_t *cal = json_array(), *curve = json_object();
    for (size_t k = 0; k < ev->nhorizons; k++)
        json_array_append_new(cal, calibration_json(&e->surv.h[k]));
    json_object_set_new(o, "calibration", cal);
    json_object_set_new(curve, "time", ck_json_numbers(ev->grid, ev->ngrid));
    json_object_set_new(curve, "survival", ck_json_numbers(e->surv.mean_surv, ev->ngrid));
    json_object_set_new(o, "mean_survival", curve);
    if (!e->compared)
        return;
    /* the differences only, no paired test (the man page says why) */
    const ck_eval_surv *b = &ev->baseline->surv;
    json_t *c = json_object();
    ck_json_set_number(c, "concordance_diff", e->surv.conc.concordance - b->conc.concordance);
    for (size_t k = 0; k < ev->nhorizons; k++) {
        set_at(c, "auc_diff", ev->horizon_list[k], e->surv.h[k].auc - b->h[k].auc);
        set_at(c, "brier_diff", ev->horizon_list[k], e->surv.h[k].brier - b->h[k].brier);
    }
    json_object_set_new(o, "vs_baseline", c);
}

/* The data's Kaplan-Meier curve at its steps, and at each horizon. */
static json_t *km_json(const ck_eval *ev)
{
    const ck_km *km = &ev->km;
    json_t *o = json_object(), *at = json_array();
    double *lo = malloc((km->ntimes ? km->ntimes : 1) * sizeof *lo);
    double *hi = malloc((km->ntimes ? km->ntimes : 1) * sizeof *hi);
    json_object_set_new(o, "time", ck_json_numbers(km->time, km->ntimes));
    json_object_set_new(o, "survival", ck_json_numbers(km->surv, km->ntimes));
    if (lo && hi) {
        for (size_t k = 0; k < km->ntimes; k++)
            ck_km_interval(km, km->time[k], &lo[k], &hi[k]);
        json_object_set_new(o, "ci_low", ck_json_numbers(lo, km->ntimes));
        json_object_set_new(o, "ci_high", ck_json_numbers(hi, km->ntimes));
    }
    free(lo);
    free(hi);
    json_object_set_new(o, "at_risk", ck_json_numbers(km->nrisk, km->ntimes));
    json_object_set_new(o, "events", ck_json_numbers(km->nevent, km->ntimes));
    for (size_t k = 0; k < ev->nhorizons; k++) {
        const ck_surv_horizon *h = &ev->null.h[k];
        json_t *a = json_object();
        ck_json_set_number(a, "months", ev->horizon_list[k]);
        ck_json_set_number(a, "survival", h->surv_km);
        ck_json_set_number(a, "churn", h->km_obs);
        ck_json_set_number(a, "churn_ci_low", h->km_obs_lo);
        ck_json_set_number(a, "churn_ci_high", h->km_obs_hi);
        ck_json_set_number(a, "censoring_survival", h->cens_left);
        json_array_append_new(at, a);
    }
    json_object_set_new(o, "horizon", at);
    return o;
}

static void surv_label_json(json_t *o, const ck_eval *ev)
{
    json_t *lab = json_object();
    json_object_set_new(lab, "name", json_string(ev->label));
    json_object_set_new(lab, "event", json_string(ev->event_name));
    json_object_set_new(lab, "events", json_integer((json_int_t)ev->n_pos));
    json_object_set_new(o, "label", lab);
    json_object_set_new(o, "horizons", ck_json_numbers(ev->horizon_list, ev->nhorizons));
}

/* ------------------------------------------------------------------ */
/* entries, target, the whole */

/* A regression's metrics; the direction keys only for a change in value
 * (ev->value_change), where a sign means something. */
static json_t *reg_json(const ck_eval *ev, const ck_reg_metrics *r)
{
    json_t *o = ck_reg_metrics_json(r, 1);
    if (o && !ev->value_change) {
        json_object_del(o, "direction_accuracy");
        json_object_del(o, "direction_accuracy_changed");
        json_object_del(o, "rows_changed");
    }
    return o;
}

json_t *ck_eval_entry_metrics_json(const ck_eval *ev, const ck_eval_entry *e)
{
    switch (ev->task) {
    case CK_TASK_CLASSIFICATION: return ck_class_metrics_json(&e->cls, 1);
    case CK_TASK_SURVIVAL: return surv_metrics_json(ev, &e->surv);
    default: return reg_json(ev, &e->reg);
    }
}

json_t *ck_eval_baseline_metrics_json(const ck_eval *ev)
{
    switch (ev->task) {
    case CK_TASK_CLASSIFICATION: return ck_class_metrics_json(&ev->majority, 1);
    case CK_TASK_SURVIVAL: return surv_metrics_json(ev, &ev->null);
    default: return reg_json(ev, &ev->mean_base);
    }
}

static json_t *verdict_json(const ck_eval *ev, const ck_eval_entry *e)
{
    json_t *v = json_object();
    json_object_set_new(v, "pass", json_boolean(e->pass));
    /* null: the metric has no interval to confirm the verdict with */
    json_object_set_new(v, "confirmed",
                        ev->target_interval ? json_boolean(e->confirmed) : json_null());
    /* met without pass: the trivial baseline meets the target too; the
     * value and its interval are the metrics' own keys */
    json_object_set_new(v, "met", json_boolean(e->met));
    return v;
}

static void paired_json(json_t *o, const ck_eval *ev, const ck_eval_entry *e)
{
    json_t *c = json_object();
    ck_json_set_number(c, "auc_diff", e->delong.diff);
    ck_json_set_number(c, "auc_diff_se", e->delong.se);
    ck_json_set_number(c, "delong_z", e->delong.z);
    ck_json_set_number(c, "delong_p", e->delong.p_value);
    ck_json_set_number(c, "accuracy_diff", e->cls.accuracy - ev->baseline->cls.accuracy);
    json_object_set_new(c, "mcnemar_b", json_integer((json_int_t)e->mcnemar.b));
    json_object_set_new(c, "mcnemar_c", json_integer((json_int_t)e->mcnemar.c));
    ck_json_set_number(c, "mcnemar_stat", e->mcnemar.stat);
    ck_json_set_number(c, "mcnemar_p", e->mcnemar.p_value);
    json_object_set_new(o, "vs_baseline", c);
}

static json_t *entry_json(const ck_eval *ev, const ck_eval_entry *e)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(e->name));
    json_object_set_new(o, "source", json_string(e->model ? "model" : "scores"));
    if (e->model)
        json_object_set_new(o, "estimator", json_string(e->model->type->name));
    if (e->horizon > 0)
        ck_json_set_number(o, "horizon", e->horizon);
    json_object_set_new(o, "metrics", ck_eval_entry_metrics_json(ev, e));
    if (ev->task == CK_TASK_CLASSIFICATION) {
        json_object_set_new(o, "roc", curve_json(&e->roc, "fpr", "tpr"));
        json_object_set_new(o, "pr", curve_json(&e->pr, "recall", "precision"));
    } else if (ev->task == CK_TASK_SURVIVAL) {
        surv_entry_json(o, ev, e);
    }
    if (!isnan(ev->target.value))
        json_object_set_new(o, "verdict", verdict_json(ev, e));
    if (e->compared && ev->task == CK_TASK_CLASSIFICATION)
        paired_json(o, ev, e);
    if (e->model)
        terms_json(o, e->model);
    if (e->has_raw && e->model) { /* the calibration map's effect on these rows */
        json_t *u = json_object();
        json_object_set_new(u, "method", json_string(ck_calib_method_name(e->model->calib.method)));
        ck_json_set_number(u, "ece", e->raw.ece);
        ck_json_set_number(u, "brier", e->raw.brier);
        ck_json_set_number(u, "log_loss", e->raw.log_loss);
        json_object_set_new(o, "uncalibrated", u);
    }
    return o;
}

static json_t *target_json(const ck_eval *ev)
{
    json_t *t = json_object();
    const ck_eval_target *g = &ev->target;
    json_object_set_new(t, "metric", json_string(g->metric));
    json_object_set_new(t, "op", json_string(ck_target_op_text(g->op)));
    ck_json_set_number(t, "value", g->value);
    /* the keys of the accuracy target before targets were generic */
    if (strcmp(g->metric, "accuracy") == 0)
        ck_json_set_number(t, "accuracy", g->value);
    if (ev->task == CK_TASK_CLASSIFICATION)
        json_object_set_new(t, "majority_meets_target", json_boolean(ev->baseline_meets_target));
    json_object_set_new(t, "baseline_meets_target", json_boolean(ev->baseline_meets_target));
    json_object_set_new(t, "all_pass", json_boolean(ck_eval_all_pass(ev)));
    return t;
}

static void label_json(json_t *o, const ck_eval *ev)
{
    json_t *lab = json_object();
    json_object_set_new(lab, "name", json_string(ev->label));
    if (ev->task == CK_TASK_CLASSIFICATION) {
        json_object_set_new(lab, "positive", json_string(ev->positive));
        json_object_set_new(lab, "negative", json_string(ev->negative));
        json_object_set_new(lab, "positives", json_integer((json_int_t)ev->n_pos));
    }
    json_object_set_new(o, "label", lab);
    if (ev->horizon > 0)
        ck_json_set_number(o, "horizon", ev->horizon);
}

static void baselines_json(json_t *o, const ck_eval *ev)
{
    json_t *base = json_object();
    if (ev->task == CK_TASK_CLASSIFICATION) {
        ck_json_set_number(base, "positive_share", (double)ev->n_pos / (double)ev->n);
        json_object_set_new(base, "majority", ck_class_metrics_json(&ev->majority, 1));
    } else if (ev->task == CK_TASK_SURVIVAL) {
        json_object_set_new(base, "null", surv_metrics_json(ev, &ev->null));
    } else {
        ck_json_set_number(base, "training_mean", ev->base_mean);
        json_object_set_new(base, "mean", reg_json(ev, &ev->mean_base));
    }
    json_object_set_new(o, "baselines", base);
    if (ev->task == CK_TASK_SURVIVAL)
        json_object_set_new(o, "kaplan_meier", km_json(ev));
}

json_t *ck_eval_to_json(const ck_eval *ev)
{
    json_t *o = json_object(), *models = json_array();
    json_object_set_new(o, "format", json_string("churnkit-eval"));
    json_object_set_new(o, "version", json_integer(1));
    json_object_set_new(o, "data", json_string(ev->data));
    json_object_set_new(o, "rows", json_integer((json_int_t)ev->n));
    if (ev->dropped_rows) /* only then: older reports have no such key */
        json_object_set_new(o, "rows_missing_label_dropped",
                            json_integer((json_int_t)ev->dropped_rows));
    json_object_set_new(o, "task", json_string(ck_task_name(ev->task)));
    if (ev->task == CK_TASK_SURVIVAL)
        surv_label_json(o, ev);
    else
        label_json(o, ev);
    if (!isnan(ev->target.value))
        json_object_set_new(o, "target", target_json(ev));
    baselines_json(o, ev);
    for (size_t i = 0; i < ev->nentries; i++)
        json_array_append_new(models, entry_json(ev, &ev->entries[i]));
    json_object_set_new(o, "models", models);
    if (ev->baseline)
        json_object_set_new(o, "baseline_model", entry_json(ev, ev->baseline));
    return o;
}
