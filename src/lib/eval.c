/* eval.c -- metrics, baselines, verdicts and paired tests for a set of
 * models or score columns on one labelled table (see eval.h): which kind
 * of run the models make, the label, scoring, the classification and
 * regression metrics.  The survival half is eval_surv.c, the target
 * eval_target.c, the JSON eval_json.c. */
#include "churnkit/eval.h"
#include "churnkit/eval_surv.h"
#include "churnkit/label.h"
#include "churnkit/model_inputs.h"
#include "churnkit/segments.h"
#include "churnkit/train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void ck_eval_options_init(ck_eval_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->target.op = CK_TARGET_GE;
    opt->target.value = 0.85;
    opt->top_rule = CK_TOP_SHARE;
    opt->top_value = 0.1;
}

/* The rows the top names (see ck_top_rule), at least 1, at most n. */
static ck_status top_count(ck_eval *ev, const ck_eval_options *opt, ck_error *err)
{
    double k = opt->top_value;
    if (opt->top_rule == CK_TOP_BASELINE) {
        if (!ev->baseline)
            return ck_error_set(err, CK_EUSAGE, "the top by the baseline's count needs a "
                                                "baseline model (--baseline)");
        const ck_confusion *cm = &ev->baseline->cls.cm;
        k = (double)(cm->tp + cm->fp);
        if (k < 1)
            return ck_error_set(err, CK_EDATA, "%s: the baseline '%s' names no row at its "
                                               "threshold %g, so there is no count to compare at",
                                ev->data, ev->baseline->name, ev->baseline->threshold);
    } else if (opt->top_rule == CK_TOP_SHARE) {
        k = ceil(k * (double)ev->n - 1e-9); /* 10% of 1000 is 100, not 101 */
    }
    ev->top = k < 1 ? 1 : k > (double)ev->n ? ev->n : (size_t)k;
    return CK_OK;
}

/* Precision and recall of the top rows for every classification entry,
 * the baseline model and the majority baseline (a constant score). */
static ck_status measure_top(ck_eval *ev, const ck_eval_options *opt, ck_error *err)
{
    ck_status st;
    if (ev->task != CK_TASK_CLASSIFICATION || ev->n == 0)
        return CK_OK;
    if ((st = top_count(ev, opt, err)) != CK_OK)
        return st;
    for (size_t i = 0; i < ev->nentries; i++)
        if ((st = ck_metrics_top(ev->y, ev->entries[i].score, ev->n, ev->top,
                                 &ev->entries[i].cls, err)) != CK_OK)
            return st;
    if (ev->baseline && (st = ck_metrics_top(ev->y, ev->baseline->score, ev->n, ev->top,
                                             &ev->baseline->cls, err)) != CK_OK)
        return st;
    double *c = calloc(ev->n, sizeof *c); /* all tied: the positive share */
    if (!c)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    st = ck_metrics_top(ev->y, c, ev->n, ev->top, &ev->majority, err);
    free(c);
    return st;
}

static void entry_fini(ck_eval_entry *e)
{
    free(e->name);
    free(e->score);
    ck_curve_free(&e->roc);
    ck_curve_free(&e->pr);
    ck_eval_surv_fini(&e->surv);
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
    free(ev->event_name);
    free(ev->event);
    ck_km_fini(&ev->km);
    free(ev->grid);
    ck_eval_surv_fini(&ev->null);
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

/* The target of the run: the options', with the task's default filled in
 * (classifiers: accuracy; no default for the other tasks). */
int ck_eval_change_label(const char *label)
{
    for (const char *p = label; p && *p; p++)
        if (strncasecmp(p, "change", 6) == 0)
            return 1;
    return 0;
}

/* The target (none with opt->no_target), and whether a regression's
 * direction accuracy is reported. */
static void set_target(ck_eval *ev, const ck_eval_options *opt)
{
    ev->value_change = ev->task == CK_TASK_REGRESSION &&
                       (opt->value_change || ck_eval_change_label(ev->label));
    ev->target = opt->target;
    ev->baseline_value = NAN;
    if (opt->no_target) {
        ev->target.metric[0] = '\0';
        ev->target.value = NAN;
        return;
    }
    if (ev->target.metric[0])
        return;
    ev->target_default = 1;
    if (ev->task == CK_TASK_CLASSIFICATION)
        snprintf(ev->target.metric, sizeof ev->target.metric, "%s", "accuracy");
    else
        ev->target.value = NAN;
}

/* Metrics and curves of a classification or regression entry whose scores
 * are filled in. */
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
    return CK_OK;
}

/* DeLong and McNemar of e against the baseline entry; for survival the
 * differences are taken when written (no paired test). */
static ck_status compare(const ck_eval *ev, ck_eval_entry *e, ck_error *err)
{
    const ck_eval_entry *b = ev->baseline;
    if (b && ev->task == CK_TASK_SURVIVAL)
        e->compared = 1;
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
    } else {
        ev->base_mean = value;
        st = ck_metrics_regression(ev->yv, c, ev->n, &ev->mean_base, err);
    }
    free(c);
    return st;
}

/* ------------------------------------------------------------------ */
/* which run: plain, survival or mixed */

typedef enum run_kind { RUN_PLAIN, RUN_SURVIVAL, RUN_MIXED } run_kind;

/* The models of a run: models[0..n), then the baseline model. */
typedef struct run_models {
    const ck_model *const *m;
    size_t n;
    const ck_model *baseline;
    const ck_model *cls, *surv, *reg; /* the first of each task, or NULL */
} run_models;

static const ck_model *model_at(const run_models *r, size_t i)
{
    return i < r->n ? r->m[i] : r->baseline;
}

static size_t model_count(const run_models *r)
{
    return r->n + (r->baseline != NULL);
}

static ck_status check_same_label(const ck_model *a, const ck_model *b, ck_error *err)
{
    if (strcmp(a->label, b->label) != 0 || a->task != b->task ||
        (a->task == CK_TASK_CLASSIFICATION &&
         (strcmp(a->positive, b->positive) != 0 || strcmp(a->negative, b->negative) != 0)) ||
        (a->task == CK_TASK_SURVIVAL && strcmp(a->event, b->event) != 0))
        return ck_error_set(err, CK_EUSAGE, "models '%s' and '%s' predict different labels; "
                                            "evaluate them separately", a->name, b->name);
    return CK_OK;
}

/* Every model of first's task has first's label. */
static ck_status check_task_labels(const run_models *r, const ck_model *first, ck_error *err)
{
    for (size_t i = 0; i < model_count(r); i++) {
        const ck_model *m = model_at(r, i);
        ck_status st;
        if (m != first && m->task == first->task && (st = check_same_label(first, m, err)) != CK_OK)
            return st;
    }
    return CK_OK;
}

/* r->cls, r->surv, r->reg: the first model of each task. */
static void first_of_tasks(run_models *r)
{
    for (size_t i = model_count(r); i-- > 0;) {
        const ck_model *m = model_at(r, i);
        const ck_model **first = m->task == CK_TASK_SURVIVAL         ? &r->surv
                                 : m->task == CK_TASK_CLASSIFICATION ? &r->cls
                                                                     : &r->reg;
        *first = m;
    }
}

/* A plain or survival run: every model has the first one's label (the old
 * rule, kept exactly). */
static ck_status check_plain(const run_models *r, const ck_eval_options *opt, ck_error *err)
{
    const ck_model *m0 = r->m[0];
    if (!r->surv && opt->nhorizons)
        return ck_error_set(err, CK_EUSAGE, "--horizons goes with survival models; '%s' is a %s",
                            m0->name, ck_task_name(m0->task));
    if (opt->label && strcmp(opt->label, m0->label) != 0)
        return ck_error_set(err, CK_EUSAGE, "--label '%s' with --model scores survival models "
                                            "on a horizon label; the models predict '%s'",
                            opt->label, m0->label);
    for (size_t i = 1; i < model_count(r); i++) {
        ck_status st = check_same_label(m0, model_at(r, i), err);
        if (st != CK_OK)
            return st;
    }
    return CK_OK;
}

/* A mixed run: the classifiers' label (or opt->label), which must name a
 * horizon, *h. */
static ck_status check_mixed(const run_models *r, const ck_eval_options *opt,
                             const char **label, double *h, ck_error *err)
{
    ck_status st;
    if (r->reg)
        return ck_error_set(err, CK_EUSAGE, "models '%s' and '%s' predict different labels (a "
                                            "regression and a survival model); evaluate them "
                                            "separately", r->reg->name, r->surv->name);
    if (r->cls && (st = check_task_labels(r, r->cls, err)) != CK_OK)
        return st;
    *label = r->cls ? r->cls->label : opt->label;
    if (r->cls && opt->label && strcmp(opt->label, *label) != 0)
        return ck_error_set(err, CK_EUSAGE, "--label '%s' differs from the label '%s' of the "
                                            "classifier '%s'", opt->label, *label, r->cls->name);
    size_t base;
    int months = ck_label_horizon(*label, &base);
    if (months <= 0)
        return ck_error_set(err, CK_EUSAGE, "models '%s' and '%s' predict different labels; a "
                            "survival model is evaluated as a classifier only of a label that "
                            "names a horizon (like churned_3m), and '%s' does not: evaluate them "
                            "separately", r->surv->name, r->cls ? r->cls->name : *label, *label);
    if (opt->nhorizons && !(opt->nhorizons == 1 && opt->horizon[0] == months))
        return ck_error_set(err, CK_EUSAGE, "--horizons does not go with the label '%s': the "
                                            "survival models are scored at its horizon, %d "
                                            "months", *label, months);
    *h = months;
    return CK_OK;
}

/* --positive beside models chooses the class only where no classifier
 * does: survival models judged as classifiers of a horizon label.  A
 * classifier keeps its own positive class: the same one is accepted, a
 * different one refused (never ignored); a regression has none. */
static ck_status check_positive(const run_models *r, const ck_eval_options *opt, ck_error *err)
{
    if (!opt->positive)
        return CK_OK;
    for (size_t i = 0; i < model_count(r); i++) {
        const ck_model *m = model_at(r, i);
        if (m->task == CK_TASK_REGRESSION)
            return ck_error_set(err, CK_EUSAGE, "--positive is for classifiers; model '%s' is a "
                                                "regression", m->name);
        if (m->task == CK_TASK_CLASSIFICATION && strcmp(opt->positive, m->positive) != 0)
            return ck_error_set(err, CK_EUSAGE, "--positive '%s' differs from the positive "
                                                "class '%s' of model '%s', which keeps its own "
                                                "(train it with --positive %s)",
                                opt->positive, m->positive, m->name, opt->positive);
    }
    if (!r->cls && !opt->label)
        return ck_error_set(err, CK_EUSAGE, "--positive with survival models goes with --label "
                                            "(the horizon label they are judged on)");
    return CK_OK;
}

/* Every model's and the baseline's columns are in t (a mixed run's
 * survival models are judged on its label, not on their own time and
 * event), and the models' names differ: each problem listed at once. */
static ck_status check_inputs(const run_models *r, run_kind kind, const ck_table *t,
                              ck_error *err)
{
    const char **names = ck_table_names(t);
    ck_status st = names ? ck_models_check_names(r->m, r->n, "report columns", err)
                         : ck_error_set(err, CK_ENOMEM, "out of memory");
    for (size_t i = 0; st == CK_OK && i < model_count(r); i++) {
        const ck_model *m = model_at(r, i);
        int with_label = !(kind == RUN_MIXED && m->task == CK_TASK_SURVIVAL);
        st = ck_model_check_inputs(m, names, t->ncols, t->source, with_label, err);
    }
    free(names);
    return st;
}

/* The kind of run, from the models' tasks: survival models beside
 * classifiers (or with opt->label) make a mixed run; survival models alone
 * a survival run; anything else a plain one.  *label and *h: a mixed run's
 * label and horizon. */
static ck_status run_kind_of(run_models *r, const ck_eval_options *opt, run_kind *kind,
                             const char **label, double *h, ck_error *err)
{
    first_of_tasks(r);
    if (!r->surv || (!r->cls && !r->reg && !opt->label)) {
        *kind = r->surv ? RUN_SURVIVAL : RUN_PLAIN;
        return check_plain(r, opt, err);
    }
    *kind = RUN_MIXED;
    return check_mixed(r, opt, label, h, err);
}

/* A mixed run's label: the classifiers' classes, or the default rule. */
static ck_status mixed_label(ck_eval *ev, const ck_table *t, const run_models *r,
                             const char *label, const ck_eval_options *opt, ck_error *err)
{
    ck_label like = {0}, l;
    ck_status st;
    if (r->cls) {
        like.name = r->cls->label;
        like.binary = 1;
        like.positive = r->cls->positive;
        like.negative = r->cls->negative;
        st = ck_label_like(&l, t, &like, err);
    } else {
        st = ck_label_binary(&l, t, label, opt->positive, err);
    }
    return st == CK_OK ? set_label(ev, t, &l, err) : st;
}

/* The label of a plain run: the first model's. */
static ck_status plain_label(ck_eval *ev, const ck_table *t, const ck_model *m0, ck_error *err)
{
    ck_label like = {0}, l;
    like.name = m0->label;
    like.binary = m0->task == CK_TASK_CLASSIFICATION;
    like.positive = m0->positive;
    like.negative = m0->negative;
    ck_status st = ck_label_like(&l, t, &like, err);
    return st == CK_OK ? set_label(ev, t, &l, err) : st;
}

/* The trivial baseline's constant: the training share of positives (a
 * classifier's record, or a survival model's Kaplan-Meier churn within a
 * mixed run's horizon), else this data's; the training mean for a
 * regression, else this data's. */
static double trivial_value(const ck_eval *ev, const run_models *r)
{
    if (ev->task == CK_TASK_REGRESSION) {
        double mean = r->m[0]->training.target_mean;
        return isnan(mean) ? label_mean(ev) : mean;
    }
    if (r->cls) {
        const ck_training_record *tr = &r->cls->training;
        if (tr->rows > 0 && !isnan(tr->positives))
            return tr->positives / (double)tr->rows;
    } else if (r->surv) {
        return 1 - ck_ph_km(ck_model_curve(r->surv), ev->horizon);
    }
    return (double)ev->n_pos / (double)ev->n;
}

/* ------------------------------------------------------------------ */
/* scoring */

/* A survival model in a mixed run: its churn within the horizon, judged
 * as a classifier with the training population's churn within it as the
 * threshold. */
static void as_classifier(const ck_eval *ev, ck_eval_entry *e, ck_warnings *w)
{
    const ck_ph_curve *c = ck_model_curve(e->model);
    e->horizon = ev->horizon;
    ck_eval_churn_within(c, ev->horizon, e->score, ev->n);
    e->threshold = 1 - ck_ph_km(c, ev->horizon);
    ck_eval_surv_check_horizon(e->model, ev->horizon, w);
}

/* A calibrated classifier's scores before its map: the same model read
 * through a copy without the map (scoring only reads the model). */
static ck_status measure_raw(const ck_eval *ev, ck_eval_entry *e, const ck_model *m,
                             const ck_table *t, const size_t *rows, size_t threads,
                             ck_error *err)
{
    ck_model bare = *m;
    double *raw = malloc((ev->n ? ev->n : 1) * sizeof *raw);
    bare.calib.method = CK_CALIB_NONE;
    ck_status st = raw ? ck_model_score_table(&bare, t, rows, ev->n, threads, raw, err)
                       : ck_error_set(err, CK_ENOMEM, "out of memory");
    if (st == CK_OK)
        st = ck_metrics_classification(ev->y, raw, ev->n, m->threshold, &e->raw, err);
    e->has_raw = st == CK_OK;
    free(raw);
    return st;
}

static ck_status score_entry(const ck_eval *ev, ck_eval_entry *e, const ck_model *m,
                             const ck_table *t, size_t threads, ck_warnings *w, ck_error *err)
{
    size_t *rows = malloc((ev->n ? ev->n : 1) * sizeof *rows);
    int mixed = ev->task == CK_TASK_CLASSIFICATION && m->task == CK_TASK_SURVIVAL;
    size_t len = strlen(m->name) + 40;
    e->name = malloc(len);
    e->model = m;
    e->task = m->task;
    e->threshold = m->threshold;
    e->score = malloc((ev->n ? ev->n : 1) * sizeof *e->score);
    if (!rows || !e->name || !e->score) {
        free(rows);
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    }
    /* a survival model scored at a horizon is named as --risk-model names it */
    if (mixed)
        snprintf(e->name, len, "%s@%gm", m->name, ev->horizon);
    else
        snprintf(e->name, len, "%s", m->name);
    for (size_t i = 0; i < ev->n; i++)
        rows[i] = i;
    ck_status st = ck_model_score_table(m, t, rows, ev->n, threads, e->score, err);
    if (st == CK_OK && !mixed && ev->task == CK_TASK_CLASSIFICATION && m->calib.method)
        st = measure_raw(ev, e, m, t, rows, threads, err);
    free(rows);
    if (st != CK_OK)
        return st;
    if (ev->task == CK_TASK_SURVIVAL)
        return ck_eval_surv_measure(ev, e, w, err);
    if (mixed)
        as_classifier(ev, e, w);
    return measure(ev, e, err);
}

/* Scores and measures the baseline model and every model. */
static ck_status score_all(ck_eval *ev, const run_models *r, const ck_table *t,
                           size_t threads, ck_warnings *w, ck_error *err)
{
    ck_status st;
    ev->entries = calloc(r->n, sizeof *ev->entries);
    if (!ev->entries || (r->baseline && !(ev->baseline = calloc(1, sizeof *ev->baseline))))
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    if (r->baseline &&
        (st = score_entry(ev, ev->baseline, r->baseline, t, threads, w, err)) != CK_OK)
        return st;
    for (ev->nentries = 0; ev->nentries < r->n; ev->nentries++) {
        ck_eval_entry *e = &ev->entries[ev->nentries];
        if ((st = score_entry(ev, e, r->m[ev->nentries], t, threads, w, err)) != CK_OK ||
            (st = compare(ev, e, err)) != CK_OK) {
            ev->nentries++;
            return st;
        }
    }
    return CK_OK;
}

ck_status ck_eval_models(ck_eval *ev, const ck_model *const *models, size_t n,
                         const ck_model *baseline, const ck_table *t,
                         const ck_eval_options *opt, ck_error *err)
{
    ck_eval_options defaults;
    run_models r = {models, n, baseline, NULL, NULL, NULL};
    run_kind kind = RUN_PLAIN;
    const char *label = NULL;
    double h = 0;
    ck_status st;
    if (!opt) {
        ck_eval_options_init(&defaults);
        opt = &defaults;
    }
    ck_warnings *w = opt->warnings;
    memset(ev, 0, sizeof *ev);
    if (n == 0)
        return ck_error_set(err, CK_EUSAGE, "no model to evaluate");
    if ((st = run_kind_of(&r, opt, &kind, &label, &h, err)) != CK_OK ||
        (st = check_positive(&r, opt, err)) != CK_OK ||
        (st = check_inputs(&r, kind, t, err)) != CK_OK)
        return st;
    if (kind == RUN_SURVIVAL) {
        st = ck_eval_surv_setup(ev, t, models[0], opt, w, err);
    } else {
        ev->horizon = h;
        st = kind == RUN_MIXED ? mixed_label(ev, t, &r, label, opt, err)
                               : plain_label(ev, t, models[0], err);
    }
    if (st != CK_OK)
        goto fail;
    set_target(ev, opt);
    ev->dropped_rows = opt->dropped_rows;
    /* a survival run's null model was made with its label */
    if ((st = score_all(ev, &r, t, opt->threads, w, err)) != CK_OK ||
        (kind != RUN_SURVIVAL &&
         (st = trivial_baseline(ev, trivial_value(ev, &r), err)) != CK_OK) ||
        (st = measure_top(ev, opt, err)) != CK_OK || (st = ck_eval_apply_target(ev, err)) != CK_OK)
        goto fail;
    return CK_OK;
fail:
    ck_eval_fini(ev);
    return st;
}

/* ------------------------------------------------------------------ */
/* score columns */

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
                    : ck_label_binary_eval(&l, t, label, positive, err);
    if (st != CK_OK || (st = set_label(ev, t, &l, err)) != CK_OK)
        goto fail;
    set_target(ev, opt);
    ev->dropped_rows = opt->dropped_rows;
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
    if ((st = trivial_baseline(ev, label_mean(ev), err)) != CK_OK ||
        (st = measure_top(ev, opt, err)) != CK_OK || (st = ck_eval_apply_target(ev, err)) != CK_OK)
        goto fail;
    return CK_OK;
fail:
    ck_eval_fini(ev);
    return st;
}
