/* eval.c -- metrics, baselines, verdicts and paired tests for a set of
 * models or score columns on one labelled table (see eval.h). */
#include "churnkit/eval.h"
#include "churnkit/label.h"
#include "churnkit/metrics_json.h"
#include "churnkit/train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void ck_eval_options_init(ck_eval_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->target = 0.85;
}

static void entry_fini(ck_eval_entry *e)
{
    free(e->name);
    free(e->score);
    ck_curve_free(&e->roc);
    ck_curve_free(&e->pr);
    memset(e, 0, sizeof *e);
}

void ck_eval_fini(ck_eval *ev)
{
    /* entries is NULL when setting up failed before it was allocated */
    for (size_t i = 0; ev->entries && i < ev->nentries; i++)
        entry_fini(&ev->entries[i]);
    if (ev->baseline) {
        entry_fini(ev->baseline);
        free(ev->baseline);
    }
    free(ev->entries);
    free(ev->data);
    free(ev->label);
    free(ev->positive);
    free(ev->negative);
    free(ev->y);
    free(ev->yv);
    memset(ev, 0, sizeof *ev);
}

/* Takes the label from l (which is finished with afterwards). */
static ck_status set_label(ck_eval *ev, const ck_table *t, ck_label *l, ck_error *err)
{
    ev->n = t->nrows;
    ev->task = l->binary ? CK_TASK_CLASSIFICATION : CK_TASK_REGRESSION;
    ev->data = strdup(t->source);
    ev->label = strdup(l->name);
    ev->positive = l->binary ? strdup(l->positive) : NULL;
    ev->negative = l->binary ? strdup(l->negative) : NULL;
    ev->y = malloc((ev->n ? ev->n : 1) * sizeof *ev->y);
    ev->yv = l->y;
    l->y = NULL;
    ev->n_pos = l->n_pos;
    ck_label_fini(l);
    if (!ev->data || !ev->label || !ev->y || (ev->task == CK_TASK_CLASSIFICATION &&
                                              (!ev->positive || !ev->negative)))
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    for (size_t i = 0; i < ev->n; i++)
        ev->y[i] = ev->yv[i] == 1;
    return CK_OK;
}

/* Metrics and curves of an entry whose scores are filled in. */
static ck_status measure(const ck_eval *ev, ck_eval_entry *e, ck_error *err)
{
    ck_status st;
    if (ev->task == CK_TASK_REGRESSION)
        return ck_metrics_regression(ev->yv, e->score, ev->n, &e->reg, err);
    if ((st = ck_metrics_classification(ev->y, e->score, ev->n, e->threshold, &e->cls, err)) !=
            CK_OK ||
        (st = ck_metrics_roc_curve(ev->y, e->score, ev->n, &e->roc, err)) != CK_OK ||
        (st = ck_metrics_pr_curve(ev->y, e->score, ev->n, &e->pr, err)) != CK_OK)
        return st;
    if (!isnan(ev->target)) {
        e->pass = e->cls.accuracy >= ev->target;
        e->confirmed = e->cls.accuracy_lo >= ev->target;
    }
    return CK_OK;
}

/* DeLong and McNemar of e against the baseline entry. */
static ck_status compare(const ck_eval *ev, ck_eval_entry *e, ck_error *err)
{
    const ck_eval_entry *b = ev->baseline;
    if (!b || ev->task != CK_TASK_CLASSIFICATION)
        return CK_OK;
    int *p1 = malloc(ev->n * sizeof *p1), *p2 = malloc(ev->n * sizeof *p2);
    ck_status st = CK_OK;
    if (!p1 || !p2) {
        st = ck_error_set(err, CK_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < ev->n; i++) {
        p1[i] = e->score[i] >= e->threshold;
        p2[i] = b->score[i] >= b->threshold;
    }
    if ((st = ck_metrics_delong(ev->y, e->score, b->score, ev->n, &e->delong, err)) == CK_OK &&
        (st = ck_metrics_mcnemar(ev->y, p1, p2, ev->n, &e->mcnemar, err)) == CK_OK)
        e->compared = 1;
done:
    free(p1);
    free(p2);
    return st;
}

/* The label's mean, as a running mean (no overflow of a sum). */
static double label_mean(const ck_eval *ev)
{
    double value = 0;
    for (size_t i = 0; i < ev->n; i++)
        value += (ev->yv[i] - value) / (double)(i + 1);
    return value;
}

/* The trivial baseline: a constant prediction, `share` of positives (the
 * training share when known) or the training mean. */
static ck_status trivial_baseline(ck_eval *ev, double value, ck_error *err)
{
    double *c = malloc((ev->n ? ev->n : 1) * sizeof *c);
    ck_status st;
    if (!c)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    for (size_t i = 0; i < ev->n; i++)
        c[i] = value;
    if (ev->task == CK_TASK_CLASSIFICATION) {
        st = ck_metrics_classification(ev->y, c, ev->n, 0.5, &ev->majority, err);
        ev->majority_meets_target = !isnan(ev->target) && ev->majority.accuracy >= ev->target;
    } else {
        ev->base_mean = value;
        st = ck_metrics_regression(ev->yv, c, ev->n, &ev->mean_base, err);
    }
    free(c);
    return st;
}

static ck_status check_same_label(const ck_model *a, const ck_model *b, ck_error *err)
{
    if (strcmp(a->label, b->label) != 0 || a->task != b->task ||
        (a->task == CK_TASK_CLASSIFICATION &&
         (strcmp(a->positive, b->positive) != 0 || strcmp(a->negative, b->negative) != 0)))
        return ck_error_set(err, CK_EUSAGE, "models '%s' and '%s' predict different labels; "
                                            "evaluate them separately", a->name, b->name);
    return CK_OK;
}

static ck_status score_entry(const ck_eval *ev, ck_eval_entry *e, const ck_model *m,
                             const ck_table *t, size_t threads, ck_error *err)
{
    size_t *rows = malloc((ev->n ? ev->n : 1) * sizeof *rows);
    e->name = strdup(m->name);
    e->model = m;
    e->task = m->task;
    e->threshold = m->threshold;
    e->score = malloc((ev->n ? ev->n : 1) * sizeof *e->score);
    ck_status st = CK_OK;
    if (!rows || !e->name || !e->score) {
        free(rows);
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < ev->n; i++)
        rows[i] = i;
    st = ck_model_score_table(m, t, rows, ev->n, threads, e->score, err);
    free(rows);
    return st == CK_OK ? measure(ev, e, err) : st;
}

ck_status ck_eval_models(ck_eval *ev, const ck_model *const *models, size_t n,
                         const ck_model *baseline, const ck_table *t,
                         const ck_eval_options *opt, ck_error *err)
{
    ck_eval_options defaults;
    ck_label like = {0}, l;
    ck_status st;
    if (!opt) {
        ck_eval_options_init(&defaults);
        opt = &defaults;
    }
    memset(ev, 0, sizeof *ev);
    if (n == 0)
        return ck_error_set(err, CK_EUSAGE, "no model to evaluate");
    for (size_t i = 1; i < n; i++)
        if ((st = check_same_label(models[0], models[i], err)) != CK_OK)
            return st;
    if (baseline && (st = check_same_label(models[0], baseline, err)) != CK_OK)
        return st;
    const ck_model *m0 = models[0];
    like.name = m0->label;
    like.binary = m0->task == CK_TASK_CLASSIFICATION;
    like.positive = m0->positive;
    like.negative = m0->negative;
    if ((st = ck_label_like(&l, t, &like, err)) != CK_OK || (st = set_label(ev, t, &l, err)) != CK_OK)
        goto fail;
    ev->target = ev->task == CK_TASK_CLASSIFICATION ? opt->target : NAN;
    ev->entries = calloc(n, sizeof *ev->entries);
    if (!ev->entries || (baseline && !(ev->baseline = calloc(1, sizeof *ev->baseline)))) {
        st = ck_error_set(err, CK_ENOMEM, "out of memory");
        goto fail;
    }
    if (baseline && (st = score_entry(ev, ev->baseline, baseline, t, opt->threads, err)) != CK_OK)
        goto fail;
    for (ev->nentries = 0; ev->nentries < n; ev->nentries++) {
        ck_eval_entry *e = &ev->entries[ev->nentries];
        if ((st = score_entry(ev, e, models[ev->nentries], t, opt->threads, err)) != CK_OK ||
            (st = compare(ev, e, err)) != CK_OK) {
            ev->nentries++;
            goto fail;
        }
    }
    /* the trivial baseline from the first model's training data */
    const ck_training_record *tr = &m0->training;
    double rows = (double)tr->rows, pos = tr->positives;
    double value = ev->task == CK_TASK_CLASSIFICATION
                       ? (rows > 0 && !isnan(pos) ? pos / rows
                                                  : (double)ev->n_pos / (double)ev->n)
                       : tr->target_mean;
    if (isnan(value) && ev->task == CK_TASK_REGRESSION)
        value = label_mean(ev);
    if ((st = trivial_baseline(ev, value, err)) != CK_OK)
        goto fail;
    return CK_OK;
fail:
    ck_eval_fini(ev);
    return st;
}

/* A score column of t as doubles; a missing or text value is an error. */
static ck_status score_column(const ck_table *t, const char *col, int probability, double *out,
                              ck_error *err)
{
    size_t j;
    ck_status st = ck_table_require(t, col, &j, err);
    if (st != CK_OK)
        return st;
    const ck_column *c = &t->col[j];
    if (c->type != CK_COL_NUMERIC)
        return ck_error_set(err, CK_EDATA, "%s: the score column '%s' holds text", t->source, col);
    for (size_t i = 0; i < t->nrows; i++) {
        if (isnan(c->num[i]))
            return ck_error_at(err, CK_EDATA, t->source, ck_table_line(t, i), j + 1,
                               "the score '%s' is missing", col);
        if (probability && !(c->num[i] >= 0 && c->num[i] <= 1))
            return ck_error_at(err, CK_EDATA, t->source, ck_table_line(t, i), j + 1,
                               "the probability '%s' is %g, outside [0, 1]", col, c->num[i]);
        out[i] = c->num[i];
    }
    return CK_OK;
}

ck_status ck_eval_scores(ck_eval *ev, const ck_table *t, const char *label, const char *positive,
                         const char *const *cols, size_t ncols, int regression, double threshold,
                         const ck_eval_options *opt, ck_error *err)
{
    ck_eval_options defaults;
    ck_label l;
    ck_status st;
    if (!opt) {
        ck_eval_options_init(&defaults);
        opt = &defaults;
    }
    memset(ev, 0, sizeof *ev);
    if (ncols == 0)
        return ck_error_set(err, CK_EUSAGE, "no score column to evaluate");
    st = regression ? ck_label_numeric(&l, t, label, err)
                    : ck_label_binary(&l, t, label, positive, err);
    if (st != CK_OK || (st = set_label(ev, t, &l, err)) != CK_OK)
        goto fail;
    ev->target = regression ? NAN : opt->target;
    if (!(ev->entries = calloc(ncols, sizeof *ev->entries))) {
        st = ck_error_set(err, CK_ENOMEM, "out of memory");
        goto fail;
    }
    for (ev->nentries = 0; ev->nentries < ncols; ev->nentries++) {
        ck_eval_entry *e = &ev->entries[ev->nentries];
        e->name = strdup(cols[ev->nentries]);
        e->task = ev->task;
        e->threshold = threshold;
        e->score = malloc((ev->n ? ev->n : 1) * sizeof *e->score);
        if (!e->name || !e->score) {
            ev->nentries++;
            st = ck_error_set(err, CK_ENOMEM, "out of memory");
            goto fail;
        }
        if ((st = score_column(t, cols[ev->nentries], !regression, e->score, err)) != CK_OK ||
            (st = measure(ev, e, err)) != CK_OK) {
            ev->nentries++;
            goto fail;
        }
    }
    /* no training data here: the baseline is this data's own majority or mean */
    if ((st = trivial_baseline(ev, label_mean(ev), err)) != CK_OK)
        goto fail;
    return CK_OK;
fail:
    ck_eval_fini(ev);
    return st;
}

int ck_eval_all_pass(const ck_eval *ev)
{
    if (ev->task != CK_TASK_CLASSIFICATION || isnan(ev->target))
        return 1;
    for (size_t i = 0; i < ev->nentries; i++)
        if (!ev->entries[i].pass)
            return 0;
    return 1;
}

/* ------------------------------------------------------------------ */
/* JSON */

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

/* The model's coefficients or importances, as the report lists them. */
static void terms_json(json_t *o, const ck_model *m)
{
    ck_terms t;
    if (ck_model_terms(m, &t, NULL) != CK_OK || t.n == 0) {
        free(t.term);
        return;
    }
    json_t *a = json_array();
    for (size_t j = 0; j < t.n; j++) {
        json_t *r = json_object();
        json_object_set_new(r, "term", json_string(t.term[j].name));
        /* a coefficient's value is "coef"; an importance's, "value" */
        ck_json_set_number(r, strcmp(t.kind, "coefficients") == 0 ? "coef" : "value",
                           t.term[j].value);
        if (t.aux_name)
            ck_json_set_number(r, t.aux_name, t.term[j].aux);
        ck_json_set_number(r, "ci_low", t.term[j].lo);
        ck_json_set_number(r, "ci_high", t.term[j].hi);
        ck_json_set_number(r, "p", t.term[j].p);
        json_array_append_new(a, r);
    }
    json_object_set_new(o, t.kind, a);
    free(t.term);
}

static json_t *entry_json(const ck_eval *ev, const ck_eval_entry *e)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(e->name));
    json_object_set_new(o, "source", json_string(e->model ? "model" : "scores"));
    if (e->model)
        json_object_set_new(o, "estimator", json_string(e->model->type->name));
    if (ev->task == CK_TASK_CLASSIFICATION) {
        json_object_set_new(o, "metrics", ck_class_metrics_json(&e->cls, 1));
        json_object_set_new(o, "roc", curve_json(&e->roc, "fpr", "tpr"));
        json_object_set_new(o, "pr", curve_json(&e->pr, "recall", "precision"));
        if (!isnan(ev->target)) {
            json_t *v = json_object();
            json_object_set_new(v, "pass", json_boolean(e->pass));
            json_object_set_new(v, "confirmed", json_boolean(e->confirmed));
            json_object_set_new(o, "verdict", v);
        }
    } else {
        json_object_set_new(o, "metrics", ck_reg_metrics_json(&e->reg, 1));
    }
    if (e->compared) {
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
    if (e->model)
        terms_json(o, e->model);
    return o;
}

json_t *ck_eval_to_json(const ck_eval *ev)
{
    json_t *o = json_object(), *models = json_array(), *lab = json_object();
    int cls = ev->task == CK_TASK_CLASSIFICATION;
    json_object_set_new(o, "format", json_string("churnkit-eval"));
    json_object_set_new(o, "version", json_integer(1));
    json_object_set_new(o, "data", json_string(ev->data));
    json_object_set_new(o, "rows", json_integer((json_int_t)ev->n));
    json_object_set_new(o, "task", json_string(ck_task_name(ev->task)));
    json_object_set_new(lab, "name", json_string(ev->label));
    if (cls) {
        json_object_set_new(lab, "positive", json_string(ev->positive));
        json_object_set_new(lab, "negative", json_string(ev->negative));
        json_object_set_new(lab, "positives", json_integer((json_int_t)ev->n_pos));
    }
    json_object_set_new(o, "label", lab);
    if (cls && !isnan(ev->target)) {
        json_t *t = json_object();
        ck_json_set_number(t, "accuracy", ev->target);
        json_object_set_new(t, "majority_meets_target", json_boolean(ev->majority_meets_target));
        json_object_set_new(t, "all_pass", json_boolean(ck_eval_all_pass(ev)));
        json_object_set_new(o, "target", t);
    }
    json_t *base = json_object();
    if (cls) {
        ck_json_set_number(base, "positive_share", (double)ev->n_pos / (double)ev->n);
        json_object_set_new(base, "majority", ck_class_metrics_json(&ev->majority, 1));
    } else {
        ck_json_set_number(base, "training_mean", ev->base_mean);
        json_object_set_new(base, "mean", ck_reg_metrics_json(&ev->mean_base, 1));
    }
    json_object_set_new(o, "baselines", base);
    for (size_t i = 0; i < ev->nentries; i++)
        json_array_append_new(models, entry_json(ev, &ev->entries[i]));
    json_object_set_new(o, "models", models);
    if (ev->baseline)
        json_object_set_new(o, "baseline_model", entry_json(ev, ev->baseline));
    return o;
}
