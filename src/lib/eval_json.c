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
    int bad = 0;
    for (size_t i = 0; i < c->n; i++) {
        int ends = i == 0 || i + 1 == c->n;
        if (!ends && fabs(c->x[i] - lx) + fabs(c->y[i] - ly) < 1.0 / 500)
            continue;
        lx = c->x[i];
        ly = c->y[i];
        bad |= ck_json_push(x, isfinite(lx) ? json_real(lx) : json_null());
        bad |= ck_json_push(y, isfinite(ly) ? json_real(ly) : json_null());
        bad |= ck_json_push(t, isfinite(c->threshold[i]) ? json_real(c->threshold[i])
                                                           : json_null());
    }
    bad |= ck_json_put(o, xn, x);
    bad |= ck_json_put(o, yn, y);
    bad |= ck_json_put(o, "threshold", t);
    return ck_json_done(o, bad);
}

/* A coefficient on a raw scale (v: value, low, high), with exp of them for
 * odds and hazard ratios. */
static json_t *scaled_json(const ck_terms *t, const double *v)
{
    json_t *o = json_object();
    int bad = 0;
    bad |= ck_json_set_number(o, "coef", v[0]);
    bad |= ck_json_set_number(o, "ci_low", v[1]);
    bad |= ck_json_set_number(o, "ci_high", v[2]);
    if (t->ratio) { /* the model file's keys: odds_ratio, or_ci_low, or_ci_high */
        int odds = strcmp(t->ratio, "odds_ratio") == 0;
        bad |= ck_json_set_number(o, t->ratio, exp(v[0]));
        bad |= ck_json_set_number(o, odds ? "or_ci_low" : "hr_ci_low", exp(v[1]));
        bad |= ck_json_set_number(o, odds ? "or_ci_high" : "hr_ci_high", exp(v[2]));
    }
    return ck_json_done(o, bad);
}

/* The model's coefficients or importances, as the report lists them:
 * coefficients on the model's scale (coef, a number per standard deviation,
 * a level against its reference), per_unit and per_sd (the raw scales),
 * aliased ones with a null coef; "coefficients_approximate" says whether
 * their intervals and p-values are approximate (penalized or weighted). */
static int terms_json(json_t *o, const ck_model *m)
{
    int bad = 0;
    ck_terms t;
    if (ck_model_terms(m, &t, NULL) != CK_OK || t.n == 0) {
        free(t.term);
        return bad;
    }
    json_t *a = json_array();
    for (size_t j = 0; j < t.n; j++) {
        const ck_term *tj = &t.term[j];
        json_t *r = json_object();
        bad |= ck_json_put(r, "term", json_string(tj->name));
        /* a coefficient's value is "coef"; an importance's, "value" */
        bad |= ck_json_set_number(r, strcmp(t.kind, "coefficients") == 0 ? "coef" : "value",
                           tj->value);
        if (t.aux_name)
            bad |= ck_json_set_number(r, t.aux_name, tj->aux);
        bad |= ck_json_set_number(r, "ci_low", tj->lo);
        bad |= ck_json_set_number(r, "ci_high", tj->hi);
        bad |= ck_json_set_number(r, "p", tj->p);
        if (tj->aliased)
            bad |= ck_json_put(r, "aliased", json_true());
        if (t.scales && !tj->aliased) {
            bad |= ck_json_put(r, "per_unit", scaled_json(&t, tj->unit));
            if (!tj->intercept)
                bad |= ck_json_put(r, "per_sd", scaled_json(&t, tj->sd));
        }
        bad |= ck_json_push(a, r);
    }
    bad |= ck_json_put(o, t.kind, a);
    if (t.scales)
        bad |= ck_json_put(o, "coefficients_approximate", json_boolean(t.approximate));
    free(t.term);
    return bad;
}

/* ------------------------------------------------------------------ */
/* survival */

static int set_at(json_t *o, const char *base, double h, double v)
{
    char key[64];
    ck_eval_horizon_key(key, sizeof key, base, h);
    return ck_json_set_number(o, key, v);
}

static int set_count_at(json_t *o, const char *base, double h, size_t v)
{
    char key[64];
    ck_eval_horizon_key(key, sizeof key, base, h);
    return ck_json_put(o, key, json_integer((json_int_t)v));
}

/* The concordance (metrics_json.c's keys) and each horizon's metrics under
 * keys with its suffix, flat, so that any of them can be a target. */
static json_t *surv_metrics_json(const ck_eval *ev, const ck_eval_surv *s)
{
    json_t *o = ck_surv_metrics_json(&s->conc);
    int bad = 0;
    for (size_t k = 0; o && k < ev->nhorizons; k++) {
        const ck_surv_horizon *h = &s->h[k];
        double t = ev->horizon_list[k];
        bad |= set_at(o, "auc", t, h->auc);
        bad |= set_count_at(o, "cases", t, h->cases);
        bad |= set_count_at(o, "controls", t, h->controls);
        bad |= set_at(o, "brier", t, h->brier);
        bad |= set_at(o, "brier_null", t, h->brier_null);
        /* Brier skill: the share of the null model's squared error removed */
        bad |= set_at(o, "brier_skill", t, h->brier_null > 0 ? 1 - h->brier / h->brier_null : NAN);
        bad |= set_at(o, "predicted_churn", t, h->mean_pred);
        bad |= set_at(o, "observed_churn", t, h->km_obs);
        char key[64];
        ck_eval_horizon_key(key, sizeof key - 16, "observed_churn", t);
        size_t len = strlen(key);
        snprintf(key + len, sizeof key - len, "_ci_low");
        bad |= ck_json_set_number(o, key, h->km_obs_lo);
        snprintf(key + len, sizeof key - len, "_ci_high");
        bad |= ck_json_set_number(o, key, h->km_obs_hi);
    }
    return ck_json_done(o, bad);
}

static json_t *calibration_json(const ck_surv_horizon *h)
{
    json_t *o = json_object(), *rows = json_array();
    int bad = 0;
    for (size_t g = 0; g < h->ngroups; g++)
        bad |= ck_json_push(rows, json_integer((json_int_t)h->count[g]));
    bad |= ck_json_set_number(o, "months", h->t);
    bad |= ck_json_put(o, "rows", rows);
    bad |= ck_json_put(o, "predicted", ck_json_numbers(h->pred, h->ngroups));
    bad |= ck_json_put(o, "observed", ck_json_numbers(h->obs, h->ngroups));
    bad |= ck_json_put(o, "observed_ci_low", ck_json_numbers(h->obs_lo, h->ngroups));
    bad |= ck_json_put(o, "observed_ci_high", ck_json_numbers(h->obs_hi, h->ngroups));
    return ck_json_done(o, bad);
}

static int surv_entry_json(json_t *o, const ck_eval *ev, const ck_eval_entry *e)
{
    int bad = 0;
    json_t *cal = json_array(), *curve = json_object();
    for (size_t k = 0; k < ev->nhorizons; k++)
        bad |= ck_json_push(cal, calibration_json(&e->surv.h[k]));
    bad |= ck_json_put(o, "calibration", cal);
    bad |= ck_json_put(curve, "time", ck_json_numbers(ev->grid, ev->ngrid));
    bad |= ck_json_put(curve, "survival", ck_json_numbers(e->surv.mean_surv, ev->ngrid));
    bad |= ck_json_put(o, "mean_survival", curve);
    if (!e->compared)
        return bad;
    /* the differences only, no paired test (the man page says why) */
    const ck_eval_surv *b = &ev->baseline->surv;
    json_t *c = json_object();
    bad |= ck_json_set_number(c, "concordance_diff",
                              e->surv.conc.concordance - b->conc.concordance);
    for (size_t k = 0; k < ev->nhorizons; k++) {
        bad |= set_at(c, "auc_diff", ev->horizon_list[k], e->surv.h[k].auc - b->h[k].auc);
        bad |= set_at(c, "brier_diff", ev->horizon_list[k], e->surv.h[k].brier - b->h[k].brier);
    }
    bad |= ck_json_put(o, "vs_baseline", c);
    return bad;
}

/* The data's Kaplan-Meier curve at its steps, and at each horizon. */
static json_t *km_json(const ck_eval *ev)
{
    const ck_km *km = &ev->km;
    json_t *o = json_object(), *at = json_array();
    double *lo = malloc((km->ntimes ? km->ntimes : 1) * sizeof *lo);
    double *hi = malloc((km->ntimes ? km->ntimes : 1) * sizeof *hi);
    int bad = 0;
    bad |= ck_json_put(o, "time", ck_json_numbers(km->time, km->ntimes));
    bad |= ck_json_put(o, "survival", ck_json_numbers(km->surv, km->ntimes));
    if (lo && hi) {
        for (size_t k = 0; k < km->ntimes; k++)
            ck_km_interval(km, km->time[k], &lo[k], &hi[k]);
        bad |= ck_json_put(o, "ci_low", ck_json_numbers(lo, km->ntimes));
        bad |= ck_json_put(o, "ci_high", ck_json_numbers(hi, km->ntimes));
    }
    free(lo);
    free(hi);
    bad |= ck_json_put(o, "at_risk", ck_json_numbers(km->nrisk, km->ntimes));
    bad |= ck_json_put(o, "events", ck_json_numbers(km->nevent, km->ntimes));
    for (size_t k = 0; k < ev->nhorizons; k++) {
        const ck_surv_horizon *h = &ev->null.h[k];
        json_t *a = json_object();
        bad |= ck_json_set_number(a, "months", ev->horizon_list[k]);
        bad |= ck_json_set_number(a, "survival", h->surv_km);
        bad |= ck_json_set_number(a, "churn", h->km_obs);
        bad |= ck_json_set_number(a, "churn_ci_low", h->km_obs_lo);
        bad |= ck_json_set_number(a, "churn_ci_high", h->km_obs_hi);
        bad |= ck_json_set_number(a, "censoring_survival", h->cens_left);
        bad |= ck_json_push(at, a);
    }
    bad |= ck_json_put(o, "horizon", at);
    return ck_json_done(o, bad);
}

static int surv_label_json(json_t *o, const ck_eval *ev)
{
    int bad = 0;
    json_t *lab = json_object();
    bad |= ck_json_put(lab, "name", json_string(ev->label));
    bad |= ck_json_put(lab, "event", json_string(ev->event_name));
    bad |= ck_json_put(lab, "events", json_integer((json_int_t)ev->n_pos));
    bad |= ck_json_put(o, "label", lab);
    bad |= ck_json_put(o, "horizons", ck_json_numbers(ev->horizon_list, ev->nhorizons));
    return bad;
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
    int bad = 0;
    bad |= ck_json_put(v, "pass", json_boolean(e->pass));
    /* null: the metric has no interval to confirm the verdict with */
    bad |= ck_json_put(v, "confirmed",
                        ev->target_interval ? json_boolean(e->confirmed) : json_null());
    /* met without pass: the trivial baseline meets the target too; the
     * value and its interval are the metrics' own keys */
    bad |= ck_json_put(v, "met", json_boolean(e->met));
    return ck_json_done(v, bad);
}

static int paired_json(json_t *o, const ck_eval *ev, const ck_eval_entry *e)
{
    int bad = 0;
    json_t *c = json_object();
    bad |= ck_json_set_number(c, "auc_diff", e->delong.diff);
    bad |= ck_json_set_number(c, "auc_diff_se", e->delong.se);
    bad |= ck_json_set_number(c, "auc_diff_ci_low", e->delong.ci_low);
    bad |= ck_json_set_number(c, "auc_diff_ci_high", e->delong.ci_high);
    bad |= ck_json_set_number(c, "delong_z", e->delong.z);
    bad |= ck_json_set_number(c, "delong_p", e->delong.p_value);
    bad |= ck_json_set_number(c, "accuracy_diff", e->cls.accuracy - ev->baseline->cls.accuracy);
    bad |= ck_json_put(c, "mcnemar_b", json_integer((json_int_t)e->mcnemar.b));
    bad |= ck_json_put(c, "mcnemar_c", json_integer((json_int_t)e->mcnemar.c));
    bad |= ck_json_set_number(c, "mcnemar_stat", e->mcnemar.stat);
    bad |= ck_json_set_number(c, "mcnemar_p", e->mcnemar.p_value);
    bad |= ck_json_put(o, "vs_baseline", c);
    return bad;
}

static json_t *entry_json(const ck_eval *ev, const ck_eval_entry *e)
{
    json_t *o = json_object();
    int bad = 0;
    bad |= ck_json_put(o, "name", json_string(e->name));
    bad |= ck_json_put(o, "source", json_string(e->model ? "model" : "scores"));
    if (e->model)
        bad |= ck_json_put(o, "estimator", json_string(e->model->type->name));
    if (e->horizon > 0)
        bad |= ck_json_set_number(o, "horizon", e->horizon);
    bad |= ck_json_put(o, "metrics", ck_eval_entry_metrics_json(ev, e));
    if (ev->task == CK_TASK_CLASSIFICATION) {
        bad |= ck_json_put(o, "roc", curve_json(&e->roc, "fpr", "tpr"));
        bad |= ck_json_put(o, "pr", curve_json(&e->pr, "recall", "precision"));
    } else if (ev->task == CK_TASK_SURVIVAL) {
        bad |= surv_entry_json(o, ev, e);
    }
    if (!isnan(ev->target.value))
        bad |= ck_json_put(o, "verdict", verdict_json(ev, e));
    if (e->compared && ev->task == CK_TASK_CLASSIFICATION)
        bad |= paired_json(o, ev, e);
    if (e->model)
        bad |= terms_json(o, e->model);
    if (e->has_raw && e->model) { /* the calibration map's effect on these rows */
        json_t *u = json_object();
        bad |= ck_json_put(u, "method", json_string(ck_calib_method_name(e->model->calib.method)));
        bad |= ck_json_set_number(u, "ece", e->raw.ece);
        bad |= ck_json_set_number(u, "brier", e->raw.brier);
        bad |= ck_json_set_number(u, "log_loss", e->raw.log_loss);
        bad |= ck_json_put(o, "uncalibrated", u);
    }
    return ck_json_done(o, bad);
}

static json_t *target_json(const ck_eval *ev)
{
    json_t *t = json_object();
    const ck_eval_target *g = &ev->target;
    int bad = 0;
    bad |= ck_json_put(t, "metric", json_string(g->metric));
    bad |= ck_json_put(t, "op", json_string(ck_target_op_text(g->op)));
    bad |= ck_json_set_number(t, "value", g->value);
    /* the keys of the accuracy target before targets were generic */
    if (strcmp(g->metric, "accuracy") == 0)
        bad |= ck_json_set_number(t, "accuracy", g->value);
    if (ev->task == CK_TASK_CLASSIFICATION)
        bad |= ck_json_put(t, "majority_meets_target", json_boolean(ev->baseline_meets_target));
    bad |= ck_json_put(t, "baseline_meets_target", json_boolean(ev->baseline_meets_target));
    bad |= ck_json_put(t, "all_pass", json_boolean(ck_eval_all_pass(ev)));
    return ck_json_done(t, bad);
}

static int label_json(json_t *o, const ck_eval *ev)
{
    int bad = 0;
    json_t *lab = json_object();
    bad |= ck_json_put(lab, "name", json_string(ev->label));
    if (ev->task == CK_TASK_CLASSIFICATION) {
        bad |= ck_json_put(lab, "positive", json_string(ev->positive));
        bad |= ck_json_put(lab, "negative", json_string(ev->negative));
        bad |= ck_json_put(lab, "positives", json_integer((json_int_t)ev->n_pos));
    }
    bad |= ck_json_put(o, "label", lab);
    if (ev->horizon > 0)
        bad |= ck_json_set_number(o, "horizon", ev->horizon);
    return bad;
}

static int baselines_json(json_t *o, const ck_eval *ev)
{
    int bad = 0;
    json_t *base = json_object();
    if (ev->task == CK_TASK_CLASSIFICATION) {
        bad |= ck_json_set_number(base, "positive_share", (double)ev->n_pos / (double)ev->n);
        bad |= ck_json_put(base, "majority", ck_class_metrics_json(&ev->majority, 1));
    } else if (ev->task == CK_TASK_SURVIVAL) {
        bad |= ck_json_put(base, "null", surv_metrics_json(ev, &ev->null));
    } else {
        bad |= ck_json_set_number(base, "training_mean", ev->base_mean);
        bad |= ck_json_put(base, "mean", reg_json(ev, &ev->mean_base));
    }
    bad |= ck_json_put(o, "baselines", base);
    if (ev->task == CK_TASK_SURVIVAL)
        bad |= ck_json_put(o, "kaplan_meier", km_json(ev));
    return bad;
}

json_t *ck_eval_to_json(const ck_eval *ev)
{
    json_t *o = json_object(), *models = json_array();
    int bad = 0;
    bad |= ck_json_put(o, "format", json_string("churnkit-eval"));
    bad |= ck_json_put(o, "version", json_integer(1));
    bad |= ck_json_put(o, "data", json_string(ev->data));
    bad |= ck_json_put(o, "rows", json_integer((json_int_t)ev->n));
    if (ev->dropped_rows) /* only then: older reports have no such key */
        bad |= ck_json_put(o, "rows_missing_label_dropped",
                           json_integer((json_int_t)ev->dropped_rows));
    bad |= ck_json_put(o, "task", json_string(ck_task_name(ev->task)));
    if (ev->task == CK_TASK_SURVIVAL)
        bad |= surv_label_json(o, ev);
    else
        bad |= label_json(o, ev);
    if (!isnan(ev->target.value))
        bad |= ck_json_put(o, "target", target_json(ev));
    bad |= baselines_json(o, ev);
    for (size_t i = 0; i < ev->nentries; i++)
        bad |= ck_json_push(models, entry_json(ev, &ev->entries[i]));
    bad |= ck_json_put(o, "models", models);
    if (ev->baseline)
        bad |= ck_json_put(o, "baseline_model", entry_json(ev, ev->baseline));
    return ck_json_done(o, bad);
}
