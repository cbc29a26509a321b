/* train.c -- from a table to a model: splits, cross-validation, threshold,
 * final fit and its record (see train.h). */
#include "churnkit/train.h"
#include "churnkit/features.h"
#include "churnkit/label.h"
#include "churnkit/metrics.h"
#include "churnkit/num.h"
#include "churnkit/str.h"
#include "churnkit/parallel.h"
#include "churnkit/split.h"
#include "churnkit/version.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ck_train_options_init(ck_train_options *opt)
{
    memset(opt, 0, sizeof *opt);
    ck_pipeline_options_init(&opt->pipeline);
    ck_train_options_use(opt, ck_estimator_find("logistic"));
    opt->weight_pos = opt->weight_neg = 1.0;
    opt->threshold = 0.5;
    opt->seed = 42;
}

void ck_train_options_use(ck_train_options *opt, const ck_estimator_type *type)
{
    opt->estimator = type;
    memset(opt->param, 0, sizeof opt->param);
    memset(opt->text, 0, sizeof opt->text);
    memset(opt->given, 0, sizeof opt->given);
    ck_estimator_defaults(type, opt->param);
}

ck_status ck_train_options_set(ck_train_options *opt, const char *name, const char *text,
                               ck_error *err)
{
    ck_status st = ck_estimator_set_param(opt->estimator, opt->param, opt->text, name, text,
                                          err);
    if (st == CK_OK)
        opt->given[ck_estimator_param(opt->estimator, name)] = 1;
    return st;
}

static ck_task task_of(const ck_train_options *opt)
{
    return opt->task ? opt->task : opt->estimator->default_task;
}

/* ------------------------------------------------------------------ */
/* scoring a table */

typedef struct score_job {
    const ck_model *m;
    const ck_design *d;
    const size_t *rows;
    size_t n, nchunks;
    double *out;
    int failed;
} score_job;

/* Rows encoded SCORE_BLOCK at a time, column by column (ck_design_block:
 * the same values as ck_design_row, a tight loop a column), then each row
 * gathered and scored: the per-feature work runs over many rows at once. */
enum { SCORE_BLOCK = 256 };

static void score_chunk(void *arg, size_t c, size_t worker)
{
    (void)worker;
    score_job *job = arg;
    size_t begin, end, w = job->m->pl->width;
    double *x = malloc((w + 1) * sizeof *x);
    double *block = malloc((w ? w : 1) * SCORE_BLOCK * sizeof *block);
    void *scratch = NULL;
    if (!x || !block || ck_model_scratch(job->m, &scratch, NULL) != CK_OK) {
        job->failed = 1;
        free(x);
        free(block);
        return;
    }
    ck_chunk_range(job->n, job->nchunks, c, &begin, &end);
    for (size_t b = begin; b < end; b += SCORE_BLOCK) {
        size_t nb = end - b < SCORE_BLOCK ? end - b : SCORE_BLOCK, ids[SCORE_BLOCK];
        /* b < end, so nb >= 1: cppcheck takes end - b for possibly 0 */
        // cppcheck-suppress knownConditionTrueFalse
        for (size_t i = 0; !job->rows && i < nb; i++) /* every row: their own numbers */
            ids[i] = b + i;
        ck_design_block(job->d, job->rows ? job->rows + b : ids, nb, block, SCORE_BLOCK);
        // cppcheck-suppress knownConditionTrueFalse
        for (size_t i = 0; i < nb; i++) {
            for (size_t j = 0; j < w; j++)
                x[j] = block[j * SCORE_BLOCK + i];
            job->out[b + i] = ck_model_score(job->m, x, scratch);
        }
    }
    free(x);
    free(block);
    ck_model_scratch_free(job->m, scratch);
}

/* The rows' values are finite: a score that is not comes from the model's
 * numbers (a damaged or hand-edited file), as in ck_score. */
static ck_status scores_finite(const ck_model *m, const ck_table *t, const size_t *rows,
                               size_t n, const double *out, ck_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(out[i]))
            return ck_error_at(err, CK_EMODEL, t->source ? t->source : "data",
                               ck_table_line(t, rows[i]), 0,
                               "model '%s' scores this row as %s: its numbers are too large for "
                               "the row's values (a damaged or hand-edited model file?)",
                               m->name ? m->name : "?", isnan(out[i]) ? "not a number"
                                                        : out[i] > 0 ? "+infinity"
                                                                     : "-infinity");
    return CK_OK;
}

ck_status ck_model_score_table(const ck_model *m, const ck_table *t, const size_t *rows,
                               size_t n, size_t threads, double *out, ck_error *err)
{
    ck_design d;
    ck_status st = ck_design_bind(&d, m->pl, t, err);
    if (st == CK_OK && (st = ck_pipeline_check_floats(m->pl, t, rows, n, err)) != CK_OK)
        ck_design_fini(&d);
    if (st != CK_OK)
        return st;
    score_job job = {m, &d, rows, n, ck_chunks_for(n), out, 0};
    /* scoring reads the model only (per-thread scratch aside): every
     * estimator scores in parallel */
    ck_parallel_for(job.nchunks, threads, score_chunk, &job);
    ck_design_fini(&d);
    if (job.failed)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    return scores_finite(m, t, rows, n, out, err);
}

/* ------------------------------------------------------------------ */
/* one fit: pipeline and estimator on some rows */

/* What hold-out and folds are stratified on: the class, or whether the
 * event was seen; nothing for a number. */
static const double *strata(const ck_label *y)
{
    return y->binary ? y->y : y->event;
}

/* Row weights on rows[0..n): a classifier's explicit class weights, times
 * n / (2 n_class) when balanced, times the --weight column's. */
static int class_weights(const ck_label *y, const size_t *rows, size_t n,
                         const ck_train_options *opt, double **out)
{
    *out = NULL;
    if (!y->binary || (!opt->balanced && opt->weight_pos == 1 && opt->weight_neg == 1)) {
        if (y->weight && !(*out = malloc((y->n ? y->n : 1) * sizeof **out)))
            return -1;
        if (y->weight)
            memcpy(*out, y->weight, y->n * sizeof **out);
        return 0;
    }
    double count[2] = {0, (double)n}; /* positives, rows: of every process */
    for (size_t i = 0; i < n; i++)
        count[0] += y->y[rows[i]] == 1;
    if (ck_reduce_sum(opt->reducer, count, 2) != 0)
        return -1;
    double npos = count[0], all = count[1], *w = malloc((y->n ? y->n : 1) * sizeof *w);
    if (!w)
        return -1;
    double bp = opt->balanced && npos > 0 ? all / (2 * npos) : 1;
    double bn = opt->balanced && npos < all ? all / (2 * (all - npos)) : 1;
    for (size_t r = 0; r < y->n; r++)
        w[r] = (y->y[r] == 1 ? opt->weight_pos * bp : opt->weight_neg * bn) *
               (y->weight ? y->weight[r] : 1);
    *out = w;
    return 0;
}

/* Fits the pipeline and estimator on rows[0..n) into a new model. */
/* The pipeline fitted on rows[0..n), bound to t as *d, and the rows'
 * class weights (NULL: none): what an estimator fits on. */
static ck_status fit_data(const ck_table *t, const ck_label *y, const size_t *rows, size_t n,
                          const ck_train_options *opt, ck_pipeline **pl, ck_design *d,
                          double **weights, ck_warnings *w, ck_error *err)
{
    const ck_estimator_type *type = opt->estimator;
    ck_pipeline_options po = opt->pipeline;
    po.label = opt->label;
    po.event = opt->event;
    po.weight = opt->weight;
    po.id = opt->id;
    po.drop_first = 0;
    po.raw = (type->flags & CK_EST_RAW_INPUTS) != 0;
    if (type->pipeline)
        type->pipeline(opt->param, &po);
    po.reducer = opt->reducer;
    po.threads = opt->threads;
    ck_status st = ck_pipeline_fit(pl, t, rows, n, &po, w, err);
    if (st == CK_OK)
        st = ck_pipeline_check_floats(*pl, t, rows, n, err);
    if (st == CK_OK)
        st = ck_design_bind(d, *pl, t, err);
    if (st == CK_OK && class_weights(y, rows, n, opt, weights) != 0)
        st = ck_error_set(err, CK_ENOMEM, "out of memory");
    return st;
}

static ck_status fit_on(const ck_table *t, const ck_label *y, const size_t *rows, size_t n,
                        const ck_train_options *opt, int final, ck_model **out,
                        ck_warnings *w, ck_error *err)
{
    ck_model *m = ck_model_new();
    ck_design d = {0};
    double *weights = NULL;
    ck_status st;
    *out = NULL;
    if (!m)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    m->task = task_of(opt);
    m->type = opt->estimator;
    if ((st = fit_data(t, y, rows, n, opt, &m->pl, &d, &weights, w, err)) != CK_OK)
        goto done;
    ck_dataset ds = {&d, rows, n, y->y, weights, y->event};
    ck_fit_input in = {&ds,          m->task,      opt->param,   opt->text,
                       opt->seed,    opt->threads, final,        opt->reducer,
                       opt->progress, opt->progress_ctx};
    st = m->type->fit(&in, &m->state, w, err);
done:
    ck_design_fini(&d);
    free(weights);
    if (st != CK_OK)
        ck_model_free(m);
    else
        *out = m;
    return st;
}

/* ------------------------------------------------------------------ */
/* metrics */

/* The concordance of risk scores p with the times and events of
 * rows[0..n). */
static ck_status measure_survival(const ck_label *y, const size_t *rows, size_t n,
                                  const double *p, ck_metrics_record *out, ck_error *err)
{
    double *time = malloc((n ? n : 1) * sizeof *time), *ev = malloc((n ? n : 1) * sizeof *ev);
    ck_status st = time && ev ? CK_OK : ck_error_set(err, CK_ENOMEM, "out of memory");
    for (size_t i = 0; st == CK_OK && i < n; i++) {
        time[i] = y->y[rows[i]];
        ev[i] = y->event[rows[i]];
    }
    if (st == CK_OK)
        st = ck_metrics_survival(time, ev, p, n, &out->surv, err);
    out->present = st == CK_OK;
    free(time);
    free(ev);
    return st;
}

/* Metrics of scores p against the labels of rows[0..n); with a reducer,
 * of every process's rows (the labels and scores are gathered: 16 bytes a
 * row on each process).  One process uses p as it is and builds only the
 * label array the metrics read (4 bytes a row for a class), which keeps
 * the peak memory of training down. */
static ck_status measure(ck_task task, double threshold, const ck_label *y, const size_t *rows,
                         size_t n, const double *p, const ck_reducer *red,
                         ck_metrics_record *out, ck_error *err)
{
    double *yy = NULL, *pp = NULL;
    int *yi = NULL;
    ck_status st = CK_OK;
    memset(out, 0, sizeof *out);
    if (task == CK_TASK_SURVIVAL) /* never distributed (no survival type is) */
        return measure_survival(y, rows, n, p, out, err);
    if (ck_reduce_active(red)) {
        double *mine = malloc((n ? n : 1) * sizeof *mine);
        size_t ny = 0, np = 0;
        for (size_t i = 0; mine && i < n; i++)
            mine[i] = y->y[rows[i]];
        if (!mine || ck_reduce_gather(red, mine, n, &yy, &ny) != 0 ||
            ck_reduce_gather(red, p, n, &pp, &np) != 0 || ny != np)
            st = ck_error_set(err, CK_ENOMEM, "out of memory");
        free(mine);
        n = ny;
        p = pp;
    } else if (task != CK_TASK_CLASSIFICATION) {
        if (!(yy = malloc((n ? n : 1) * sizeof *yy)))
            st = ck_error_set(err, CK_ENOMEM, "out of memory");
        for (size_t i = 0; yy && i < n; i++)
            yy[i] = y->y[rows[i]];
    }
    if (st == CK_OK && task == CK_TASK_CLASSIFICATION) {
        if (!(yi = malloc((n ? n : 1) * sizeof *yi)))
            st = ck_error_set(err, CK_ENOMEM, "out of memory");
        for (size_t i = 0; yi && i < n; i++)
            yi[i] = (yy ? yy[i] : y->y[rows[i]]) == 1;
        if (st == CK_OK)
            st = ck_metrics_classification(yi, p, n, threshold, &out->cls, err);
    } else if (st == CK_OK) {
        st = ck_metrics_regression(yy, p, n, &out->reg, err);
    }
    out->present = st == CK_OK;
    free(yy);
    free(pp);
    free(yi);
    return st;
}

/* The mean and standard deviation (n - 1) of the k fold values. */
/* The mean and sd of the folds' values where they are numbers (a fold
 * without a positive row has no ROC AUC); NaN without any.  Returns how
 * many were not. */
static size_t summarize(const double *v, size_t k, double *mean, double *sd)
{
    double mu = 0, ss = 0;
    size_t m = 0;
    for (size_t i = 0; i < k; i++)
        m += !isnan(v[i]);
    for (size_t i = 0; i < k; i++)
        mu += isnan(v[i]) ? 0 : v[i] / (double)m;
    for (size_t i = 0; i < k; i++)
        ss += isnan(v[i]) ? 0 : (v[i] - mu) * (v[i] - mu);
    *mean = m ? mu : NAN;
    *sd = m > 1 ? sqrt(ss / (double)(m - 1)) : NAN;
    return k - m;
}

/* ------------------------------------------------------------------ */
/* cross-validation */

/* A distributed fit deals its folds and hold-out over all processes' rows
 * exactly as one process would over the whole file: every process gathers
 * the labels of rows[0..n) of all processes (8 bytes a row, in process
 * order, which is the file's order) and learns where its own rows start in
 * that order.  The caller frees *all. */
static ck_status global_labels(const ck_reducer *red, const ck_label *y, const size_t *rows,
                               size_t n, double **all, size_t *total, size_t *offset,
                               ck_error *err)
{
    double *mine = malloc((n ? n : 1) * sizeof *mine), before = 0;
    for (size_t i = 0; mine && i < n; i++)
        mine[i] = y->y[rows[i]];
    int rc = mine ? ck_reduce_offset(red, (double)n, &before) : -1;
    if (rc == 0)
        rc = ck_reduce_gather(red, mine, n, all, total);
    free(mine);
    *offset = (size_t)before;
    return rc == 0 ? CK_OK : ck_error_set(err, CK_ENOMEM, "out of memory");
}

/* 0, 1, ..., n - 1 (caller frees), or NULL. */
static size_t *identity(size_t n)
{
    size_t *v = malloc((n ? n : 1) * sizeof *v);
    for (size_t i = 0; v && i < n; i++)
        v[i] = i;
    return v;
}

static int distributed(const ck_train_options *opt)
{
    return ck_reduce_active(opt->reducer);
}

typedef struct cv_state {
    size_t k;
    size_t *fold;        /* by position in the training rows */
    double *oof;         /* out-of-fold score by position */
    double *stat[CK_CV_STATS]; /* per fold: the four summary metrics */
} cv_state;

static ck_status cv_fold(const ck_table *t, const ck_label *y, const size_t *rows, size_t n,
                         const ck_train_options *opt, cv_state *cv, size_t k, size_t *tr,
                         size_t *te, double *p, ck_error *err)
{
    size_t ntr = 0, nte = 0;
    ck_model *m;
    for (size_t i = 0; i < n; i++) {
        if (cv->fold[i] == k)
            te[nte++] = rows[i];
        else
            tr[ntr++] = rows[i];
    }
    ck_status st = fit_on(t, y, tr, ntr, opt, 0, &m, NULL, err);
    if (st != CK_OK) {
        ck_error_prefix(err, "cross-validation");
        return st;
    }
    st = ck_model_score_table(m, t, te, nte, opt->threads, p, err);
    ck_model_free(m);
    for (size_t i = 0, j = 0; i < n && st == CK_OK; i++)
        if (cv->fold[i] == k)
            cv->oof[i] = p[j++];
    return st;
}

/* Fold metrics at a threshold, once every fold has been scored. */
static ck_status cv_metrics(const ck_label *y, const size_t *rows, size_t n, cv_state *cv,
                            ck_task task, double threshold, const ck_reducer *red, size_t *te,
                            double *p, ck_error *err)
{
    for (size_t k = 0; k < cv->k; k++) {
        size_t nte = 0;
        for (size_t i = 0; i < n; i++)
            if (cv->fold[i] == k) {
                te[nte] = rows[i];
                p[nte++] = cv->oof[i];
            }
        ck_metrics_record r;
        double v[CK_CV_STATS];
        ck_status st = measure(task, threshold, y, te, nte, p, red, &r, err);
        if (st != CK_OK)
            return st;
        ck_cv_stats_of(task, &r, v);
        for (int s = 0; s < CK_CV_STATS; s++)
            cv->stat[s][k] = v[s];
    }
    return CK_OK;
}

/* The folds of all processes' training rows, dealt as one process deals
 * them; this process keeps the part for its own rows. */
static ck_status global_folds(const ck_label *y, const size_t *rows, size_t n,
                              const ck_train_options *opt, cv_state *cv, ck_error *err)
{
    double *cls = NULL;
    size_t total = 0, offset = 0, *ids = NULL, *fold = NULL;
    ck_status st = global_labels(opt->reducer, y, rows, n, &cls, &total, &offset, err);
    if (st == CK_OK && (!(ids = identity(total)) || !(fold = malloc((total ? total : 1) *
                                                                    sizeof *fold))))
        st = ck_error_set(err, CK_ENOMEM, "out of memory");
    if (st == CK_OK)
        st = ck_split_folds(ids, total, y->binary ? cls : NULL, cv->k, opt->seed, fold, err);
    for (size_t i = 0; st == CK_OK && i < n; i++)
        cv->fold[i] = fold[offset + i];
    free(cls);
    free(ids);
    free(fold);
    return st;
}

/* Every fold fitted with opt and scored: the out-of-fold scores in
 * cv->oof (the folds are dealt already). */
static ck_status run_folds(const ck_table *t, const ck_label *y, const size_t *rows, size_t n,
                           const ck_train_options *opt, cv_state *cv, ck_error *err)
{
    size_t *tr = malloc(n * sizeof *tr), *te = malloc(n * sizeof *te);
    double *p = malloc(n * sizeof *p);
    ck_status st = CK_OK;
    if (!tr || !te || !p) {
        st = ck_error_set(err, CK_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < cv->k && st == CK_OK; k++) {
        if (opt->progress)
            opt->progress(opt->progress_ctx, "cross-validation", (double)k / (double)cv->k);
        st = cv_fold(t, y, rows, n, opt, cv, k, tr, te, p, err);
    }
done:
    free(tr);
    free(te);
    free(p);
    return st;
}

/* Moves the fold metrics into the model's record of them; a metric some
 * folds could not give is summarized over the others, in a warning. */
static void cv_record(cv_state *cv, unsigned long seed, ck_task task, ck_cv_record *out,
                      ck_warnings *w)
{
    const char *const *names = ck_cv_stat_names(task);
    out->folds = cv->k;
    out->seed = seed;
    for (int s = 0; s < CK_CV_STATS; s++) {
        size_t nan = summarize(cv->stat[s], cv->k, &out->mean[s], &out->sd[s]);
        if (nan && nan < cv->k && names[s]) /* all: the metric does not apply */
            ck_warn(w, "cross-validation: %zu of %zu folds give no %s (a fold without both "
                       "classes has no ROC AUC, say): its mean is over the other %zu",
                    nan, cv->k, names[s], cv->k - nan);
        out->fold[s] = cv->stat[s];
        cv->stat[s] = NULL;
    }
}

/* ------------------------------------------------------------------ */

/* A parameter's value as the options record keeps it. */
static json_t *param_json(const ck_param *p, double v)
{
    switch (p->kind) {
    case CK_PARAM_FLAG: return json_boolean(v != 0);
    case CK_PARAM_CHOICE: return json_string(p->choices[(size_t)v]);
    case CK_PARAM_INTEGER: return json_integer((json_int_t)v);
    case CK_PARAM_TEXT: break; /* by the caller */
    case CK_PARAM_NUMBER: break;
    case CK_PARAM_NUMBER_AUTO: break; /* the value chosen */
    }
    return ck_json_number(v);
}

static json_t *strings_json(const char *const *v, size_t n)
{
    json_t *a = json_array();
    int bad = !a;
    for (size_t i = 0; a && i < n; i++)
        bad |= ck_json_push(a, json_string(v[i]));
    return ck_json_done(a, bad);
}

static ck_threshold_spec threshold_spec(const ck_train_options *opt)
{
    return (ck_threshold_spec){opt->threshold_rule, opt->threshold_target, opt->cost_fp,
                               opt->cost_fn};
}

/* The threshold rule as the model file records it ("precision>=0.85"). */
static void rule_text(const ck_train_options *opt, char *buf, size_t size)
{
    ck_threshold_spec spec = threshold_spec(opt);
    ck_threshold_rule_format(&spec, buf, size);
}

/* The options as given, for the model file's training.options.  The L2
 * penalty comes third for every estimator (0 when it has none), as version
 * 1 files always had it; the estimator's other recorded parameters follow
 * the class weights, in its table's order. */
/* The parameters given as "auto" (NaN), by name, into o's "auto" when
 * there are any; 0, or -1 when they could not be set. */
static int put_autos(json_t *o, const ck_train_options *given)
{
    const ck_estimator_type *type = given->estimator;
    json_t *a = NULL;
    int bad = 0;
    for (size_t k = 0; k < type->nparams && !bad; k++)
        if (type->params[k].kind == CK_PARAM_NUMBER_AUTO && isnan(given->param[k])) {
            if (!a && !(a = json_array()))
                return -1;
            bad |= ck_json_push(a, json_string(type->params[k].name));
        }
    /* given as auto: the values recorded are the ones tuning chose */
    return a ? bad | ck_json_put(o, "auto", a) : 0;
}

static json_t *options_json(const ck_train_options *opt, const ck_train_options *given,
                            ck_task task)
{
    const ck_estimator_type *type = opt->estimator;
    int l2 = ck_estimator_param(type, "l2");
    json_t *o = json_object();
    int bad = !o;
    bad |= ck_json_put(o, "estimator", json_string(type->name));
    bad |= ck_json_put(o, "task", json_string(ck_task_name(task)));
    bad |= ck_json_set_number(o, "l2", l2 >= 0 ? opt->param[l2] : 0);
    if (task == CK_TASK_CLASSIFICATION) {
        bad |= ck_json_put(o, "class_weight", json_string(opt->balanced ? "balanced" : "none"));
        bad |= ck_json_set_number(o, "weight_positive", opt->weight_pos);
        bad |= ck_json_set_number(o, "weight_negative", opt->weight_neg);
    }
    for (size_t k = 0; k < type->nparams; k++)
        if (type->params[k].record && (int)k != l2)
            bad |= ck_json_put(o, type->params[k].record,
                                type->params[k].kind == CK_PARAM_TEXT
                                    ? ck_json_string_or_null(opt->text[k])
                                    : param_json(&type->params[k], opt->param[k]));
    bad |= ck_json_put(o, "cv", json_integer((json_int_t)opt->cv));
    bad |= ck_json_set_number(o, "test_fraction", opt->test_fraction);
    bad |= ck_json_put(o, "missing_indicators", json_boolean(opt->pipeline.missing_indicators));
    bad |= ck_json_put(o, "max_levels", json_integer((json_int_t)opt->pipeline.max_levels));
    bad |= ck_json_put(o, "features", opt->pipeline.features
                                           ? strings_json(opt->pipeline.features,
                                                          opt->pipeline.nfeatures)
                                           : json_null());
    bad |= ck_json_put(o, "log", strings_json(opt->pipeline.log, opt->pipeline.nlog));
    if (opt->pipeline.nsplines) { /* only when given: older files have no such keys */
        bad |= ck_json_put(o, "splines", strings_json(opt->pipeline.splines,
                                                       opt->pipeline.nsplines));
        bad |= ck_json_put(o, "spline_knots", json_integer((json_int_t)(
                                                  opt->pipeline.spline_knots
                                                      ? opt->pipeline.spline_knots : 5)));
        bad |= ck_json_put(o, "spline_penalty", json_boolean(opt->pipeline.spline_penalty));
    }
    bad |= ck_json_put(o, "exclude", strings_json(opt->pipeline.exclude,
                                                   opt->pipeline.nexclude));
    if (opt->pipeline.nreference) /* only when given: older files have no such key */
        bad |= ck_json_put(o, "reference", strings_json(opt->pipeline.reference,
                                                         opt->pipeline.nreference));
    if (opt->weight) /* only when given: older files have no such key */
        bad |= ck_json_put(o, "weight", json_string(opt->weight));
    if (task == CK_TASK_CLASSIFICATION) {
        char rule[128];
        rule_text(opt, rule, sizeof rule);
        bad |= ck_json_put(o, "threshold_rule", json_string(rule));
    }
    if (opt->tune) /* the parameters above are then the ones tuning chose */
        bad |= ck_json_put(o, "tune", json_true());
    if (opt->refit) /* only when given, as "weight": older files have no such key */
        bad |= ck_json_put(o, "refit", json_true());
    if (opt->drop_missing_label)
        bad |= ck_json_put(o, "drop_missing_label", json_true());
    bad |= put_autos(o, given);
    return ck_json_done(o, bad);
}

/* The table's hash; with a reducer, every process's hashes mixed in
 * process order (a hash of the shards, not of one file).  0 or -1. */
static int data_hash(const ck_table *t, const ck_reducer *red, size_t threads,
                     unsigned long long *out)
{
    unsigned long long mine = ck_table_hash(t, threads);
    void *got;
    size_t bytes;
    *out = mine;
    if (!ck_reduce_active(red))
        return 0;
    if (ck_reduce_bytes(red, &mine, sizeof mine, &got, &bytes) != 0)
        return -1;
    const unsigned long long *all = got;
    *out = 0x9e3779b97f4a7c15ULL;
    for (size_t k = 0; k < bytes / sizeof mine; k++)
        *out = (*out ^ all[k]) * 0xff51afd7ed558ccdULL;
    free(got);
    return 0;
}

static ck_status record(ck_model *m, const ck_table *t, const ck_label *y, size_t ntrain,
                        size_t ntest, const size_t *train, const ck_train_options *opt,
                        const ck_train_options *given, ck_error *err)
{
    char hash[40];
    unsigned long long h;
    /* rows, positives (or the target's sum), test rows, rows without a
     * label: of every process */
    double count[4] = {(double)ntrain, 0, (double)ntest, (double)y->n_missing};
    for (size_t i = 0; i < ntrain; i++)
        count[1] += y->binary ? y->y[train[i]] == 1
                    : y->event ? y->event[train[i]] == 1 : y->y[train[i]];
    if (ck_reduce_sum(opt->reducer, count, 4) != 0 || data_hash(t, opt->reducer, opt->threads, &h) != 0)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    snprintf(hash, sizeof hash, "mix64:%016llx", h);
    const char *slash = strrchr(t->source, '/');
    ck_training_record *tr = &m->training;
    tr->data = strdup(slash ? slash + 1 : t->source);
    /* a record only, and JSON text: a file name that is not UTF-8 (any
     * bytes are a valid name) is kept with '?' for its non-ASCII bytes */
    for (char *c = tr->data; c && !ck_utf8_valid(tr->data) && *c; c++)
        if ((unsigned char)*c >= 0x80)
            *c = '?';
    tr->data_hash = strdup(hash);
    tr->rows = (size_t)count[0];
    if (m->task != CK_TASK_REGRESSION)
        tr->positives = count[1];
    else
        tr->target_mean = count[0] > 0 ? count[1] / count[0] : NAN;
    tr->test_rows = (size_t)count[2];
    tr->processes = opt->reducer ? opt->reducer->size : 0;
    tr->drop_missing_label = opt->drop_missing_label;
    tr->missing_label = (size_t)count[3];
    tr->refit = opt->refit;
    tr->seed = opt->seed;
    tr->options = options_json(opt, given, m->task);
    tr->churnkit = strdup(CK_VERSION);
    if (!tr->data || !tr->data_hash || !tr->options || !tr->churnkit)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    return CK_OK;
}

static int class_weighted(const ck_train_options *opt)
{
    return opt->balanced || opt->weight_pos != 1 || opt->weight_neg != 1;
}

/* Options that the chosen estimator or task cannot use are errors, never
 * silently dropped. */
static ck_status check_options(const ck_train_options *opt, ck_task task, ck_error *err)
{
    const ck_estimator_type *type = opt->estimator;
    if (!opt->label)
        return ck_error_set(err, CK_EUSAGE, "no label column given");
    if (!type)
        return ck_error_set(err, CK_EUSAGE, "no estimator chosen");
    if (opt->event && strcmp(opt->event, opt->label) == 0)
        return ck_error_set(err, CK_EUSAGE, "--time and --event name the same column '%s'",
                            opt->event);
    if ((task == CK_TASK_SURVIVAL) != (opt->event != NULL))
        return ck_error_set(err, CK_EUSAGE, task == CK_TASK_SURVIVAL
                                                ? "a survival model needs --event COLUMN (1 when "
                                                  "the churn was seen, 0 when censored) beside "
                                                  "--time"
                                                : "--event is for survival models (--model cox)");
    int l2 = ck_estimator_param(type, "l2");
    /* the spline options that would otherwise be accepted and do nothing:
     * an empty --splines list (its array given, with no name) included */
    if (opt->pipeline.splines && !opt->pipeline.nsplines)
        return ck_error_set(err, CK_EUSAGE, "--splines names no column: give numeric columns "
                                            "a,b,... or all");
    if (opt->pipeline.spline_knots && !opt->pipeline.nsplines)
        return ck_error_set(err, CK_EUSAGE, "--spline-knots needs --splines");
    if (opt->pipeline.spline_penalty && !opt->pipeline.nsplines)
        return ck_error_set(err, CK_EUSAGE, "--spline-penalty needs --splines");
    if (opt->pipeline.spline_penalty && strcmp(type->name, "logistic") != 0 &&
        strcmp(type->name, "linear") != 0)
        return ck_error_set(err, CK_EUSAGE, "--spline-penalty is logistic and linear "
                                            "regression's (with --model %s the splines take "
                                            "--l2 as every column does)", type->name);
    /* --tune chooses --l2 on the folds as --l2 auto does (its grid has no 0) */
    if (opt->pipeline.spline_penalty && l2 >= 0 && opt->param[l2] == 0 && !opt->tune)
        return ck_error_set(err, CK_EUSAGE, "--spline-penalty needs its weight: --l2 L, or "
                                            "--l2 auto or --tune to choose it by the --cv folds");
    if (!ck_estimator_supports(type, task))
        return ck_error_set(err, CK_EUSAGE, "--model %s does not do %s%s", type->name,
                            ck_task_name(task),
                            task == CK_TASK_REGRESSION ? " (a numeric target): use --model "
                                                         "linear"
                            : task == CK_TASK_CLASSIFICATION ? " (a binary label): use --model "
                                                               "logistic"
                                                             : "");
    if (task != CK_TASK_CLASSIFICATION &&
        (opt->positive || opt->threshold_rule != CK_THRESHOLD_FIXED || opt->threshold != 0.5 ||
         class_weighted(opt)))
        return ck_error_set(err, CK_EUSAGE, "--positive, --threshold and --class-weight are "
                                            "for classifiers, and this is a %s",
                            ck_task_name(task));
    if (opt->weight && !(type->flags & CK_EST_ROW_WEIGHTS)) {
        char takers[200] = "";
        for (size_t i = 0, used = 0; i < ck_estimator_count() && used + 1 < sizeof takers; i++)
            if (ck_estimator_at(i)->flags & CK_EST_ROW_WEIGHTS)
                used += (size_t)snprintf(takers + used, sizeof takers - used, "%s%s",
                                         used ? ", " : "", ck_estimator_at(i)->name);
        return ck_error_set(err, CK_EUSAGE, "--weight does not apply to --model %s; row "
                                            "weights are for --model %s", type->name, takers);
    }
    if (class_weighted(opt) && !(type->flags & CK_EST_CLASS_WEIGHTS))
        return ck_error_set(err, CK_EUSAGE, "--model %s takes no class weights", type->name);
    if (opt->tune && opt->cv < 2)
        return ck_error_set(err, CK_EUSAGE, "--tune chooses parameters by cross-validation: add "
                                            "--cv K");
    for (size_t k = 0; k < type->nparams; k++) {
        if (type->params[k].kind != CK_PARAM_NUMBER_AUTO || !isnan(opt->param[k]))
            continue;
        if (opt->cv < 2 || !type->tune)
            return ck_error_set(err, CK_EUSAGE, "--%s auto is chosen by cross-validation: add "
                                                "--cv K", type->params[k].name);
        if (opt->reducer)
            return ck_error_set(err, CK_EUSAGE, "--%s auto is not chosen across processes: "
                                                "choose it on one process's share",
                                type->params[k].name);
    }
    if (opt->tune && !type->tune)
        return ck_error_set(err, CK_EUSAGE, "--model %s has nothing to tune", type->name);
    if (opt->tune && opt->reducer)
        return ck_error_set(err, CK_EUSAGE, "--tune is not done across processes: use "
                                            "churnkit-train");
    if (opt->threshold_rule == CK_THRESHOLD_COST && !(opt->cost_fp > 0 && opt->cost_fn > 0))
        return ck_error_set(err, CK_EUSAGE, "a threshold by cost needs both costs above 0");
    if (opt->calibrate && task != CK_TASK_CLASSIFICATION)
        return ck_error_set(err, CK_EUSAGE, "--calibrate is for classifiers, and this is a %s",
                            ck_task_name(task));
    if (opt->calibrate && opt->cv < 2)
        return ck_error_set(err, CK_EUSAGE, "--calibrate fits its map on the cross-validated "
                                            "predictions: add --cv K");
    if (opt->threshold_rule != CK_THRESHOLD_FIXED && opt->cv < 2)
        return ck_error_set(err, CK_EUSAGE, "an automatic threshold is chosen on "
                                            "cross-validated predictions: add --cv K");
    if (opt->cv == 1 || opt->cv > 100)
        return ck_error_set(err, CK_EUSAGE, "--cv needs between 2 and 100 folds");
    if (!(opt->test_fraction >= 0 && opt->test_fraction <= 0.9))
        return ck_error_set(err, CK_EUSAGE, "--test-fraction must lie in [0, 0.9]");
    if (opt->refit && !(opt->test_fraction > 0))
        return ck_error_set(err, CK_EUSAGE, "--refit fits again on every row after the test "
                                            "metrics: it goes with --test-fraction (without "
                                            "one, the model is fitted on every row already)");
    for (size_t k = 0; k < type->nparams; k++) {
        const ck_param *p = &type->params[k];
        int numeric = p->kind == CK_PARAM_NUMBER || p->kind == CK_PARAM_INTEGER;
        if (numeric && opt->param[k] != p->def && !(opt->param[k] >= p->lo &&
                                                    opt->param[k] <= p->hi))
            return ck_error_set(err, CK_EUSAGE, "--%s %g is outside [%g, %g]", p->name,
                                opt->param[k], p->lo, p->hi);
    }
    if (type->check) {
        ck_status st = type->check(opt->param, opt->text, opt->given, task, opt->cv, err);
        if (st != CK_OK)
            return st;
    }
    if (opt->reducer && !(type->flags & CK_EST_DISTRIBUTED))
        return ck_error_set(err, CK_EUSAGE, "--model %s cannot be fitted across processes: use "
                                            "churnkit-train%s%s", type->name,
                            type->scale_hint ? "; " : "",
                            type->scale_hint ? type->scale_hint : "");
    return CK_OK;
}

typedef struct train_run {
    ck_label y;
    size_t *all, *train, *test; /* all: the rows with a label */
    size_t nall, ntrain, ntest;
    double *scores;
    cv_state cv;
    ck_calibration calib;       /* --calibrate: fitted on the out-of-fold
                                   predictions, then the model's */
} train_run;

static void run_free(train_run *r)
{
    ck_label_fini(&r->y);
    free(r->all);
    free(r->train);
    free(r->test);
    free(r->scores);
    free(r->cv.fold);
    free(r->cv.oof);
    for (int s = 0; s < CK_CV_STATS; s++)
        free(r->cv.stat[s]);
    ck_calibration_fini(&r->calib);
}

/* The hold-out of all processes' rows, drawn as one process draws it; this
 * process keeps its own rows of each side, in order. */
static ck_status global_holdout(train_run *r, size_t n, const ck_train_options *opt,
                                ck_error *err)
{
    double *cls = NULL;
    size_t total = 0, offset = 0, *ids = NULL, *tr = NULL, *te = NULL, ntr = 0, nte = 0;
    ck_status st = global_labels(opt->reducer, &r->y, r->all, n, &cls, &total, &offset, err);
    if (st == CK_OK && (!(ids = identity(total)) || !(tr = malloc((total ? total : 1) *
                                                                  sizeof *tr)) ||
                        !(te = malloc((total ? total : 1) * sizeof *te))))
        st = ck_error_set(err, CK_ENOMEM, "out of memory");
    if (st == CK_OK)
        st = ck_split_holdout(ids, total, r->y.binary ? cls : NULL, opt->test_fraction,
                              opt->seed, tr, &ntr, te, &nte, err);
    r->ntrain = r->ntest = 0;
    /* positions in r->all, which are the table rows unless rows without a
     * label were left out */
    for (size_t i = 0; st == CK_OK && i < ntr; i++)
        if (tr[i] >= offset && tr[i] < offset + n)
            r->train[r->ntrain++] = r->all[tr[i] - offset];
    for (size_t i = 0; st == CK_OK && i < nte; i++)
        if (te[i] >= offset && te[i] < offset + n)
            r->test[r->ntest++] = r->all[te[i] - offset];
    free(cls);
    free(ids);
    free(tr);
    free(te);
    return st;
}

static ck_status prepare(const ck_table *t, const ck_train_options *opt, ck_task task,
                         train_run *r, ck_error *err)
{
    ck_label_spec spec = {opt->label, task == CK_TASK_SURVIVAL ? opt->event : NULL,
                          task == CK_TASK_CLASSIFICATION, opt->positive, opt->reducer,
                          opt->drop_missing_label};
    ck_status st = ck_label_read(&r->y, t, &spec, err);
    if (st == CK_OK && opt->weight)
        st = ck_label_weights(&r->y, t, opt->weight, err);
    if (st != CK_OK)
        return st;
    size_t n = 0, cap = t->nrows ? t->nrows : 1;
    r->all = malloc(cap * sizeof *r->all);
    r->train = malloc(cap * sizeof *r->train);
    r->test = malloc(cap * sizeof *r->test);
    r->scores = malloc(cap * sizeof *r->scores);
    if (!r->all || !r->train || !r->test || !r->scores)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    /* the rows with a label: every row unless --drop-missing-label left
     * some out (their y is NaN) */
    for (size_t i = 0; i < t->nrows; i++)
        if (!isnan(r->y.y[i]))
            r->all[n++] = i;
    r->nall = n;
    if (opt->test_fraction > 0 && distributed(opt))
        return global_holdout(r, n, opt, err);
    if (opt->test_fraction > 0) {
        /* the counts come back through locals: given &r->ntrain, the static
         * analyzer would forget r->all and report it leaked */
        size_t ntrain = 0, ntest = 0;
        st = ck_split_holdout(r->all, n, strata(&r->y), opt->test_fraction,
                              opt->seed, r->train, &ntrain, r->test, &ntest, err);
        r->ntrain = ntrain;
        r->ntest = ntest;
        return st;
    }
    memcpy(r->train, r->all, n * sizeof *r->train);
    r->ntrain = n;
    return CK_OK;
}

/* Cross-validates, picks the threshold, and records the fold metrics. */
/* ------------------------------------------------------------------ */
/* tuning on the folds */

/* One fold's data for an estimator that tunes on the folds itself. */
typedef struct fold_data {
    ck_pipeline *pl;            /* fitted on the fold's training rows */
    ck_design d;
    double *weights;
    size_t *train, *test;       /* table rows */
    size_t ntrain, ntest;
} fold_data;

typedef struct tune_ctx {
    const ck_table *t;
    const ck_label *y;
    const size_t *rows;
    size_t n;
    ck_train_options opt;       /* a copy whose parameters are tried */
    cv_state *cv;
    fold_data *folds;           /* by fold, made on first request */
} tune_ctx;

static ck_status get_fold(void *ctx, size_t k, ck_dataset *train, ck_dataset *test,
                          ck_error *err)
{
    tune_ctx *c = ctx;
    fold_data *f = &c->folds[k];
    if (!f->pl) {
        f->train = calloc(c->n ? c->n : 1, sizeof *f->train);
        f->test = calloc(c->n ? c->n : 1, sizeof *f->test);
        if (!f->train || !f->test)
            return ck_error_set(err, CK_ENOMEM, "out of memory");
        for (size_t i = 0; i < c->n; i++) {
            if (c->cv->fold[i] == k)
                f->test[f->ntest++] = c->rows[i];
            else
                f->train[f->ntrain++] = c->rows[i];
        }
        ck_status st = fit_data(c->t, c->y, f->train, f->ntrain, &c->opt, &f->pl, &f->d,
                                &f->weights, NULL, err);
        if (st != CK_OK)
            return st;
    }
    *train = (ck_dataset){&f->d, f->train, f->ntrain, c->y->y, f->weights, c->y->event};
    *test = (ck_dataset){&f->d, f->test, f->ntest, c->y->y, f->weights, c->y->event};
    return CK_OK;
}

static void free_folds(fold_data *folds, size_t k)
{
    for (size_t j = 0; folds && j < k; j++) {
        if (folds[j].pl)
            ck_design_fini(&folds[j].d);
        ck_pipeline_free(folds[j].pl);
        free(folds[j].weights);
        free(folds[j].train);
        free(folds[j].test);
    }
    free(folds);
}

/* Survival: 1 - the mean of the folds' concordances (each fold's risk
 * scores come from its own model, so they are ranked within the fold
 * only). */
static double oof_discordance(const tune_ctx *c)
{
    size_t *te = malloc((c->n ? c->n : 1) * sizeof *te);
    double *p = malloc((c->n ? c->n : 1) * sizeof *p), sum = 0;
    ck_metrics_record r;
    ck_status st = te && p ? CK_OK : CK_ENOMEM;
    for (size_t k = 0; st == CK_OK && k < c->cv->k; k++) {
        size_t nte = 0;
        for (size_t i = 0; i < c->n; i++)
            if (c->cv->fold[i] == k) {
                te[nte] = c->rows[i];
                p[nte++] = c->cv->oof[i];
            }
        st = measure_survival(c->y, te, nte, p, &r, NULL);
        sum += r.surv.concordance;
    }
    free(te);
    free(p);
    return st == CK_OK ? 1 - sum / (double)c->cv->k : NAN;
}

/* The mean out-of-fold loss: log-loss (probabilities clipped to
 * [1e-15, 1 - 1e-15] as scikit-learn does), squared error, or for survival
 * 1 - concordance. */
static double oof_loss(const tune_ctx *c)
{
    double sum = 0;
    if (c->y->event)
        return oof_discordance(c);
    for (size_t i = 0; i < c->n; i++) {
        double yv = c->y->y[c->rows[i]], p = c->cv->oof[i];
        if (c->y->binary) {
            p = p < 1e-15 ? 1e-15 : p > 1 - 1e-15 ? 1 - 1e-15 : p;
            sum -= yv == 1 ? log(p) : log(1 - p);
        } else {
            sum += (yv - p) * (yv - p);
        }
    }
    return c->n ? sum / (double)c->n : NAN;
}

static ck_status cv_loss(void *ctx, const double *param, double *loss, ck_error *err)
{
    tune_ctx *c = ctx;
    memcpy(c->opt.param, param, sizeof c->opt.param);
    ck_status st = run_folds(c->t, c->y, c->rows, c->n, &c->opt, c->cv, err);
    *loss = st == CK_OK ? oof_loss(c) : NAN;
    return st;
}

/* A parameter given on the command line and then chosen by --tune: the
 * user should know the value given was not used. */
static void warn_replaced(const ck_train_options *opt, const double *before,
                          const ck_tuning *tuning, ck_warnings *w)
{
    const ck_estimator_type *type = opt->estimator;
    for (size_t j = 0; j < tuning->nnames; j++) {
        int k = ck_estimator_param(type, tuning->names[j]);
        if (k >= 0 && opt->given[k] && !isnan(before[k]) && opt->param[k] != before[k])
            ck_warn(w, "--%s %g was replaced by the value --tune chose, %g", tuning->names[j],
                    before[k], opt->param[k]);
    }
}

/* Lets the estimator choose its parameters on the folds (opt->param is
 * changed); the record goes to *tuning. */
static ck_status tune(const ck_table *t, ck_train_options *opt, ck_task task, train_run *r,
                      cv_state *cv, ck_tuning *tuning, ck_warnings *w, ck_error *err)
{
    tune_ctx ctx = {t, &r->y, r->train, r->ntrain, *opt, cv, calloc(cv->k, sizeof(fold_data))};
    ck_dataset ds = {NULL, r->train, r->ntrain, r->y.y, NULL, r->y.event};
    ck_tune_input in = {opt->estimator,
                        {&ds, task, opt->param, opt->text, opt->seed, opt->threads, 0, NULL,
                         opt->progress, opt->progress_ctx},
                        cv->fold, cv->k, opt->tune, cv_loss, get_fold, &ctx};
    if (!ctx.folds)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    if (opt->progress)
        opt->progress(opt->progress_ctx, "tuning", -1);
    double before[CK_PARAMS_MAX];
    memcpy(before, opt->param, sizeof before);
    ck_status st = opt->estimator->tune(&in, opt->param, tuning, w, err);
    free_folds(ctx.folds, cv->k);
    if (st == CK_OK && opt->tune)
        warn_replaced(opt, before, tuning, w);
    return st;
}

/* The threshold by the rule, on the out-of-fold scores.  A floor that no
 * cut meets is the caller's target missed (no model); one met by so few
 * rows that its 95% Wilson interval reaches well below it gets a warning. */
static ck_status pick_threshold(const ck_train_options *opt, const double *y, const double *p,
                                size_t n, ck_threshold_pick *out, ck_warnings *w, ck_error *err)
{
    ck_threshold_pick pick;
    ck_threshold_spec spec = threshold_spec(opt);
    if (ck_threshold_choose(y, p, n, &spec, &pick) != 0)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    *out = pick;
    const char *rule = ck_threshold_rule_name(opt->threshold_rule);
    int on_precision = opt->threshold_rule == CK_THRESHOLD_PRECISION;
    if (!pick.reached)
        return ck_error_set(err, CK_ETARGET,
                            "--threshold %s>=%g cannot be met on the cross-validated "
                            "predictions: the most %s any threshold gives is %.4f "
                            "(naming %zu of %zu rows, %s %.4f)",
                            rule, opt->threshold_target, rule,
                            on_precision ? pick.precision : pick.recall, pick.named, n,
                            on_precision ? "recall" : "precision",
                            on_precision ? pick.recall : pick.precision);
    if (on_precision) {
        double lo, hi;
        ck_metrics_wilson(pick.precision * (double)pick.named, (double)pick.named, &lo, &hi);
        /* the pick sits just above the floor by construction, so its
         * interval always reaches below it; say so only when the rows are
         * so few that the interval is wide */
        if (lo < opt->threshold_target - 0.05)
            ck_warn(w, "--threshold precision>=%g is met by naming only %zu rows of the "
                       "cross-validated predictions, at precision %.4f, 95%% interval "
                       "[%.4f, %.4f]: expect less on new data",
                    opt->threshold_target, pick.named, pick.precision, lo, hi);
    }
    return CK_OK;
}

/* The expected calibration error of p against y (0/1 as doubles). */
static double ece_of(const double *y, const double *p, size_t n)
{
    int *yi = malloc((n ? n : 1) * sizeof *yi);
    ck_class_metrics c;
    ck_error e;
    double ece = NAN;
    for (size_t i = 0; yi && i < n; i++)
        yi[i] = y[i] == 1;
    if (yi && ck_metrics_classification(yi, p, n, 0.5, &c, &e) == CK_OK)
        ece = c.ece;
    free(yi);
    return ece;
}

/* What is decided on every process's out-of-fold predictions, pooled in
 * process order: the calibration map (--calibrate), which then maps this
 * process's out-of-fold scores too, so that the fold metrics and the
 * threshold are on the calibrated scale; and the threshold by its rule. */
static ck_status oof_decisions(const ck_train_options *opt, train_run *r,
                               ck_threshold_pick *pick, ck_warnings *w, ck_error *err)
{
    size_t n = r->ntrain, ny = 0, np = 0;
    double *yy = malloc((n ? n : 1) * sizeof *yy), *ally = NULL, *allp = NULL;
    ck_status st = CK_OK;
    for (size_t i = 0; yy && i < n; i++)
        yy[i] = r->y.y[r->train[i]];
    if (!yy || ck_reduce_gather(opt->reducer, yy, n, &ally, &ny) != 0 ||
        ck_reduce_gather(opt->reducer, r->cv.oof, n, &allp, &np) != 0 || ny != np ||
        (opt->calibrate &&
         ck_calibration_fit(&r->calib, opt->calibrate, ally, allp, ny) != 0))
        st = ck_error_set(err, CK_ENOMEM, "out of memory");
    if (st == CK_OK && opt->calibrate) {
        r->calib.ece_before = ece_of(ally, allp, ny);
        for (size_t i = 0; i < ny; i++)
            allp[i] = ck_calibration_apply(&r->calib, allp[i]);
        for (size_t i = 0; i < n; i++)
            r->cv.oof[i] = ck_calibration_apply(&r->calib, r->cv.oof[i]);
        r->calib.ece_after = ece_of(ally, allp, ny);
    }
    if (st == CK_OK && opt->threshold_rule != CK_THRESHOLD_FIXED)
        st = pick_threshold(opt, ally, allp, ny, pick, w, err);
    free(yy);
    free(ally);
    free(allp);
    return st;
}

static ck_status validate(const ck_table *t, ck_train_options *opt, ck_task task,
                          train_run *r, ck_threshold_pick *pick, ck_cv_record *out,
                          ck_tuning *tuning, ck_warnings *w, ck_error *err)
{
    size_t n = r->ntrain;
    cv_state *cv = &r->cv;
    cv->k = opt->cv;
    /* a process of a distributed fit may hold no row */
    cv->fold = malloc((n ? n : 1) * sizeof *cv->fold);
    cv->oof = malloc((n ? n : 1) * sizeof *cv->oof);
    for (int s = 0; s < CK_CV_STATS; s++)
        cv->stat[s] = malloc(cv->k * sizeof *cv->stat[s]);
    if (!cv->fold || !cv->oof || !cv->stat[0] || !cv->stat[1] || !cv->stat[2] || !cv->stat[3])
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    ck_status st = distributed(opt)
                       ? global_folds(&r->y, r->train, n, opt, cv, err)
                       : ck_split_folds(r->train, n, strata(&r->y), cv->k,
                                        opt->seed, cv->fold, err);
    if (st == CK_OK && opt->estimator->tune)
        st = tune(t, opt, task, r, cv, tuning, w, err);
    if (st == CK_OK)
        st = run_folds(t, &r->y, r->train, n, opt, cv, err);
    if (st != CK_OK)
        return st;
    if (task == CK_TASK_CLASSIFICATION &&
        (opt->threshold_rule != CK_THRESHOLD_FIXED || opt->calibrate != CK_CALIB_NONE) &&
        (st = oof_decisions(opt, r, pick, w, err)) != CK_OK)
        return st;
    /* scratch of its own: r->test still holds the hold-out rows, which the
     * test metrics are computed on after this */
    size_t *te = malloc((n ? n : 1) * sizeof *te);
    double *p = malloc((n ? n : 1) * sizeof *p);
    st = te && p ? cv_metrics(&r->y, r->train, n, cv, task, pick->cut, opt->reducer, te, p, err)
                 : ck_error_set(err, CK_ENOMEM, "out of memory");
    free(te);
    free(p);
    if (st == CK_OK)
        cv_record(cv, opt->seed, task, out, w);
    return st;
}

/* A feature named as one of churnkit-features' labels looks past the
 * snapshot: a model that learns from it leaks the future (a table built
 * with --groups +trend_labels holds more labels than the usual --exclude
 * list names). */
static void warn_label_features(const ck_model *m, ck_warnings *w)
{
    char names[400] = "";
    size_t used = 0, count = 0;
    for (size_t k = 0; k < m->pl->nfeat; k++) {
        if (!ck_features_is_label(m->pl->feat[k].name))
            continue;
        count++;
        if (used + 1 < sizeof names)
            used += (size_t)snprintf(names + used, sizeof names - used, "%s'%s'",
                                     used ? ", " : "", m->pl->feat[k].name);
    }
    if (count)
        ck_warn(w, "feature%s %s: churnkit-features writes %s as label%s, known only after the "
                   "snapshot, so the model learns from the future; --exclude %s",
                count == 1 ? "" : "s", names, count == 1 ? "it" : "them", count == 1 ? "" : "s",
                count == 1 ? "it" : "them");
}

/* Metrics of m on rows[0..n); fitted: the rows m was fitted on, in that
 * order, whose scores the estimator may have kept (ck_model_fitted). */
static ck_status evaluate_on(ck_model *m, const ck_table *t, const ck_label *y,
                             const size_t *rows, size_t n, int fitted,
                             const ck_train_options *opt, double *scores,
                             ck_metrics_record *out, ck_error *err)
{
    ck_status st = fitted && ck_model_fitted(m, n, scores)
                       ? scores_finite(m, t, rows, n, scores, err)
                       : ck_model_score_table(m, t, rows, n, opt->threads, scores, err);
    return st == CK_OK ? measure(m->task, m->threshold, y, rows, n, scores, opt->reducer, out,
                                 err)
                       : st;
}

static ck_status set_names(ck_model *m, const ck_train_options *opt, const ck_label *y)
{
    m->name = strdup(opt->name ? opt->name : opt->estimator->name);
    m->label = strdup(opt->label);
    m->id = opt->id ? strdup(opt->id) : NULL;
    m->event = opt->event ? strdup(opt->event) : NULL;
    char rule[128];
    rule_text(opt, rule, sizeof rule);
    m->threshold_rule = strdup(rule);
    if (y->binary) {
        m->positive = strdup(y->positive);
        m->negative = strdup(y->negative);
    }
    return m->name && m->label && m->threshold_rule && (!opt->id || m->id) &&
                   (!opt->event || m->event) &&
                   (!y->binary || (m->positive && m->negative))
               ? CK_OK
               : CK_ENOMEM;
}

/* Whether table column `name` can be a feature: not the label, event, id
 * or weight, and chosen by --features / not left out by --exclude. */
static int is_input(const char *name, const ck_train_options *opt)
{
    const ck_pipeline_options *po = &opt->pipeline;
    const char *roles[4] = {opt->label, opt->event, opt->id, opt->weight};
    for (int k = 0; k < 4; k++)
        if (roles[k] && strcmp(roles[k], name) == 0)
            return 0;
    if (po->features)
        return ck_strv_index(po->features, po->nfeatures, name) >= 0;
    return ck_strv_index(po->exclude, po->nexclude, name) < 0;
}

/* A text column whose every value is a number, some with a decimal comma
 * ("3,5": a ';'-separated file from a decimal-comma locale) would be fitted
 * as categories, or refused as an id past --max-levels: it is refused here
 * instead, naming a cell and the fix. */
static ck_status check_decimal_commas(const ck_table *t, const ck_train_options *opt,
                                      ck_error *err)
{
    for (size_t j = 0; j < t->ncols; j++) {
        const ck_column *c = &t->col[j];
        if (c->type != CK_COL_CATEGORICAL || !is_input(c->name, opt))
            continue;
        size_t nlev = ck_dict_size(c->levels), l = 0;
        int32_t comma = -1;
        for (; l < nlev; l++) {
            const char *s = ck_dict_str(c->levels, (int32_t)l);
            double v;
            if (ck_num_decimal_comma(s, strlen(s)))
                comma = comma < 0 ? (int32_t)l : comma;
            else if (ck_num_parse(s, strlen(s), &v) != CK_NUM_OK)
                break; /* real text */
        }
        if (l < nlev || comma < 0)
            continue;
        size_t i = 0;
        while (i + 1 < t->nrows && c->code[i] != comma)
            i++;
        return ck_error_at(err, CK_EDATA, t->source, ck_table_line(t, i), j + 1,
                           "column '%s' holds '%s', read as text: %s", c->name,
                           ck_dict_str(c->levels, comma), CK_NUM_DECIMAL_COMMA_HINT);
    }
    return CK_OK;
}

/* Every text the model file records is JSON, so UTF-8 (json_string refuses
 * anything else): --name and the names of the label, event, id and weight
 * columns.  The features' names and levels are the pipeline's to check,
 * the label's values the label's. */
static ck_status check_utf8(const ck_table *t, const ck_train_options *opt, ck_error *err)
{
    const char *const cols[] = {opt->label, opt->event, opt->id, opt->weight};
    if (opt->name && !ck_utf8_valid(opt->name))
        return ck_error_set(err, CK_EUSAGE, "--name is not valid UTF-8 text (a model file is "
                                            "JSON, which is UTF-8)");
    for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++)
        if (cols[k] && !ck_utf8_valid(cols[k])) {
            long j = ck_table_find(t, cols[k]);
            return ck_error_at(err, CK_EDATA, t->source, 1, j >= 0 ? (unsigned long)j + 1 : 0,
                               "the column name is not valid UTF-8: churnkit reads UTF-8; "
                               "convert the file (iconv -f latin1 -t utf-8)");
        }
    return CK_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The rows of column c whose value an earlier row has, and the missing;
 * -1 when out of memory. */
static int repeats_of(const ck_column *c, size_t n, size_t *repeats, size_t *missing)
{
    size_t seen = 0;
    *missing = 0;
    if (c->type == CK_COL_CATEGORICAL) {
        unsigned char *used = calloc(ck_dict_size(c->levels) + 1, 1);
        if (!used)
            return -1;
        for (size_t i = 0; i < n; i++)
            if (c->code[i] < 0)
                ++*missing;
            else if (!used[c->code[i]]) {
                used[c->code[i]] = 1;
                seen++;
            }
        free(used);
    } else {
        double *v = malloc((n ? n : 1) * sizeof *v);
        size_t k = 0;
        if (!v)
            return -1;
        for (size_t i = 0; i < n; i++)
            if (isnan(c->num[i]))
                ++*missing;
            else
                v[k++] = c->num[i];
        qsort(v, k, sizeof *v, cmp_double);
        for (size_t i = 0; i < k; i++)
            seen += i == 0 || v[i] != v[i - 1];
        free(v);
    }
    *repeats = n - *missing - seen;
    return 0;
}

/* --id names a column of t (it is never a feature, so nothing else would
 * notice a typo), and one that tells the rows apart: a repeated id is
 * allowed (stacked snapshots of the same accounts), but a column of few
 * values named by mistake would key every score, so it is said. */
static ck_status check_id(const ck_table *t, const ck_train_options *opt, ck_warnings *w,
                          ck_error *err)
{
    size_t j, repeats, missing;
    if (!opt->id)
        return CK_OK;
    ck_status st = ck_table_require(t, opt->id, &j, err);
    if (st != CK_OK) {
        ck_error_prefix(err, "--id");
        return st;
    }
    if (repeats_of(&t->col[j], t->nrows, &repeats, &missing) != 0)
        return ck_error_set(err, CK_ENOMEM, "--id: out of memory");
    if (repeats || missing)
        ck_warn(w, "--id '%s' does not tell the rows apart: of %zu rows, %zu repeat an "
                   "earlier row's value, %zu have none (is it the id column?  stacked "
                   "snapshots of the same accounts repeat ids by design)",
                opt->id, t->nrows, repeats, missing);
    return CK_OK;
}

/* --refit: the model fitted on every row with a label, with the settings
 * the run chose (tuned parameters, threshold), in place of *m, keeping its
 * validation record: the cross-validation, tuning and test metrics, which
 * are of the fit on the training part. */
static ck_status refit(const ck_table *t, const ck_train_options *opt, train_run *r,
                       ck_model **m, ck_warnings *w, ck_error *err)
{
    ck_model *all = NULL, *part = *m;
    if (opt->progress)
        opt->progress(opt->progress_ctx, "refit on all rows", -1);
    ck_status st = fit_on(t, &r->y, r->all, r->nall, opt, 1, &all, w, err);
    if (st != CK_OK)
        return st;
    all->threshold = part->threshold;
    all->threshold_cv = part->threshold_cv;
    all->test = part->test;
    all->cv = part->cv;
    all->has_cv = part->has_cv;
    all->tuning = part->tuning;
    memset(&part->cv, 0, sizeof part->cv);
    memset(&part->tuning, 0, sizeof part->tuning);
    part->has_cv = 0;
    if (set_names(all, opt, &r->y) != CK_OK)
        st = ck_error_set(err, CK_ENOMEM, "out of memory");
    if (st == CK_OK && !opt->no_train_metrics)
        st = evaluate_on(all, t, &r->y, r->all, r->nall, 1, opt, r->scores, &all->train, err);
    if (st != CK_OK) {
        ck_model_free(all);
        return st;
    }
    ck_model_free(part);
    *m = all;
    return CK_OK;
}

ck_status ck_train(const ck_table *t, const ck_train_options *given, ck_model **out,
                   ck_warnings *w, ck_error *err)
{
    ck_train_options tuned = *given, *opt = &tuned; /* tuning may change the parameters */
    ck_task task = task_of(opt);
    train_run r;
    ck_model *m = NULL;
    /* the threshold, and what it does on the out-of-fold predictions when
     * a rule picks it (rows 0 otherwise) */
    ck_threshold_pick pick = {opt->threshold, 1, 0, 0, 0, 0};
    ck_cv_record cv = {0};
    ck_tuning tuning = {0};
    memset(&r, 0, sizeof r);
    *out = NULL;
    ck_status st = check_options(opt, task, err);
    if (st == CK_OK)
        st = check_utf8(t, opt, err);
    if (st == CK_OK)
        st = check_id(t, opt, w, err);
    if (st == CK_OK)
        st = check_decimal_commas(t, opt, err);
    if (st == CK_OK && (opt->estimator->flags & CK_EST_RAW_INPUTS) &&
        (opt->pipeline.nlog || opt->pipeline.missing_indicators))
        ck_warn(w, "--model %s takes raw inputs: --log and --missing-indicators are ignored "
                   "(trees need no log scale and send missing values their own way)",
                opt->estimator->name);
    if (st == CK_OK)
        st = prepare(t, opt, task, &r, err);
    double rows = (double)r.ntrain; /* of every process, in a distributed fit */
    if (st == CK_OK && ck_reduce_sum(opt->reducer, &rows, 1) != 0)
        st = ck_error_set(err, CK_ENOMEM, "out of memory");
    if (st == CK_OK && rows < 2)
        st = ck_error_set(err, CK_EDATA, "%s: too few training rows (%.0f)", t->source, rows);
    if (st == CK_OK && opt->cv >= 2)
        st = validate(t, opt, task, &r, &pick, &cv, &tuning, w, err);
    /* with --refit, the fit on the training part serves the test metrics
     * only: its warnings would repeat those of the refit (the model kept) */
    ck_warnings part_w;
    ck_warnings_init(&part_w);
    if (st == CK_OK) {
        if (opt->progress)
            opt->progress(opt->progress_ctx, "final fit", -1);
        st = fit_on(t, &r.y, r.train, r.ntrain, opt, 1, &m, opt->refit ? &part_w : w, err);
    }
    ck_warnings_fini(&part_w);
    if (st == CK_OK) {
        m->threshold = pick.cut;
        m->threshold_cv = pick;
        m->calib = r.calib; /* the model takes the map, before it scores */
        memset(&r.calib, 0, sizeof r.calib);
        if (set_names(m, opt, &r.y) != CK_OK)
            st = ck_error_set(err, CK_ENOMEM, "out of memory");
    }
    if (st == CK_OK) {
        warn_label_features(m, w);
        if (!opt->no_train_metrics)
            st = evaluate_on(m, t, &r.y, r.train, r.ntrain, 1, opt, r.scores, &m->train, err);
    }
    if (st == CK_OK && opt->cv >= 2) { /* the model takes the fold record */
        m->cv = cv;
        m->has_cv = 1;
        memset(&cv, 0, sizeof cv);
        m->tuning = tuning;
        memset(&tuning, 0, sizeof tuning);
    }
    if (st == CK_OK && r.ntest > 0)
        st = evaluate_on(m, t, &r.y, r.test, r.ntest, 0, opt, r.scores, &m->test, err);
    if (st == CK_OK && opt->refit)
        st = refit(t, opt, &r, &m, w, err);
    if (st == CK_OK)
        st = opt->refit ? record(m, t, &r.y, r.nall, r.ntest, r.all, opt, given, err)
                        : record(m, t, &r.y, r.ntrain, r.ntest, r.train, opt, given, err);
    for (int s = 0; s < CK_CV_STATS; s++)
        free(cv.fold[s]);
    ck_tuning_fini(&tuning);
    run_free(&r);
    if (st != CK_OK) {
        ck_model_free(m);
        return st;
    }
    *out = m;
    return CK_OK;
}
