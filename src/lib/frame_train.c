/* frame_train.c -- churnkit-train's options as words, and a fit on a
 * table, for the Python package (see frame.h).  The options that depend on
 * each other are resolved by ck_train_resolve (train_args.h), as
 * churnkit-train resolves them; the estimator parameters go through the
 * estimator table (ck_train_options_set) there too. */
#include "churnkit/frame.h"
#include "churnkit/spline.h"
#include "churnkit/str.h"
#include "churnkit/train.h"
#include "churnkit/train_args.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_GIVEN = 64 };

struct ck_frame_train {
    ck_train_options opt;
    char *model, *task, *time, *threshold, *metric, *class_weight;
    char **features, **exclude, **log, **reference, **splines;
    size_t nfeatures, nexclude, nlog, nreference, nsplines;
    double cost[4];             /* cost-fp, cost-fn, cost-contact, value-saved */
    char *pname[MAX_GIVEN], *ptext[MAX_GIVEN]; /* estimator parameters */
    size_t nparams;
    char *owned[MAX_GIVEN];     /* copies the options point at */
    size_t nowned;
};

ck_frame_train *ck_frame_train_new(void)
{
    ck_frame_train *ft = calloc(1, sizeof *ft);
    if (!ft)
        return NULL;
    ck_train_options_init(&ft->opt);
    for (int k = 0; k < 4; k++)
        ft->cost[k] = NAN;
    return ft;
}

void ck_frame_train_free(ck_frame_train *ft)
{
    if (!ft)
        return;
    for (size_t i = 0; i < ft->nowned; i++)
        free(ft->owned[i]);
    for (size_t i = 0; i < ft->nparams; i++) {
        free(ft->pname[i]);
        free(ft->ptext[i]);
    }
    free(ft->model);
    free(ft->task);
    free(ft->time);
    free(ft->threshold);
    free(ft->metric);
    free(ft->class_weight);
    ck_strv_free(ft->features);
    ck_strv_free(ft->exclude);
    ck_strv_free(ft->log);
    ck_strv_free(ft->reference);
    ck_strv_free(ft->splines);
    free(ft);
}

/* A copy kept until the handle is freed (an option given twice keeps both:
 * the last one counts). */
static const char *keep(ck_frame_train *ft, const char *s, ck_error *err)
{
    if (ft->nowned == MAX_GIVEN) {
        ck_error_set(err, CK_EUSAGE, "too many options");
        return NULL;
    }
    char *c = strdup(s);
    if (!c)
        ck_error_set(err, CK_ENOMEM, "out of memory");
    else
        ft->owned[ft->nowned++] = c;
    return c;
}

static ck_status set_text(ck_frame_train *ft, const char **field, const char *value,
                          ck_error *err)
{
    const char *c = keep(ft, value, err);
    if (!c)
        return err->status;
    *field = c;
    return CK_OK;
}

static ck_status set_list(char ***v, size_t *n, const char *value, ck_error *err)
{
    ck_strv_free(*v);
    *v = ck_split_list(value, n);
    return *v ? CK_OK : ck_error_set(err, CK_ENOMEM, "out of memory");
}


static ck_status whole(const char *opt, const char *text, double lo, double hi, size_t *out,
                       ck_error *err)
{
    double v;
    ck_status st = ck_frame_option_number(opt, text, lo, hi, &v, err);
    if (st == CK_OK && v != floor(v))
        st = ck_error_set(err, CK_EUSAGE, "--%s: '%s' is not a whole number", opt, text);
    if (st == CK_OK)
        *out = (size_t)v;
    return st;
}

static ck_status flag(const char *opt, const char *text, int *out, ck_error *err)
{
    if (strcmp(text, "1") != 0 && strcmp(text, "0") != 0)
        return ck_error_set(err, CK_EUSAGE, "--%s is a flag: 1 or 0, not '%s'", opt, text);
    *out = text[0] == '1';
    return CK_OK;
}

/* The options that are strings the fit borrows. */
static int text_option(ck_frame_train *ft, const char *name, const char **field[1])
{
    ck_train_options *t = &ft->opt;
    static const char *names[] = {"label", "event", "positive", "id", "weight", "name"};
    const char **fields[] = {&t->label, &t->event, &t->positive, &t->id, &t->weight, &t->name};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(name, names[i]) == 0) {
            *field = fields[i];
            return 1;
        }
    return 0;
}

/* model, task, time, threshold, threshold-metric, class-weight: resolved
 * at the fit, as the program resolves them after reading every option. */
static int deferred(ck_frame_train *ft, const char *name, char ***field)
{
    static const char *names[] = {"model", "task", "time", "threshold", "threshold-metric",
                                  "class-weight"};
    char **fields[] = {&ft->model, &ft->task, &ft->time, &ft->threshold, &ft->metric,
                       &ft->class_weight};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(name, names[i]) == 0) {
            *field = fields[i];
            return 1;
        }
    return 0;
}

/* The comma lists and the flags, by name; NULL when name is neither. */
static char ***list_option(ck_frame_train *ft, const char *name, size_t **n)
{
    static const char *names[] = {"features", "exclude", "log", "reference", "splines"};
    char ***lists[] = {&ft->features, &ft->exclude, &ft->log, &ft->reference, &ft->splines};
    size_t *counts[] = {&ft->nfeatures, &ft->nexclude, &ft->nlog, &ft->nreference,
                        &ft->nsplines};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(name, names[i]) == 0) {
            *n = counts[i];
            return lists[i];
        }
    return NULL;
}

static int *flag_option(ck_frame_train *ft, const char *name)
{
    ck_train_options *t = &ft->opt;
    static const char *names[] = {"missing-indicators", "drop-missing-label", "refit", "tune",
                                  "spline-penalty", "no-train-metrics"};
    int *flags[] = {&t->pipeline.missing_indicators, &t->drop_missing_label, &t->refit,
                    &t->tune, &t->pipeline.spline_penalty, &t->no_train_metrics};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(name, names[i]) == 0)
            return flags[i];
    return NULL;
}

/* The whole numbers, with churnkit-train's ranges. */
static size_t *count_option(ck_frame_train *ft, const char *name, double *lo, double *hi)
{
    ck_train_options *t = &ft->opt;
    static const struct { const char *name; double lo, hi; } r[] = {
        {"max-levels", 2, 1000000}, {"cv", 2, 100}, {"threads", 0, 1024},
        {"spline-knots", 3, CK_SPLINE_MAX_KNOTS}};
    size_t *fields[] = {&t->pipeline.max_levels, &t->cv, &t->threads, &t->pipeline.spline_knots};
    for (size_t i = 0; i < sizeof r / sizeof *r; i++)
        if (strcmp(name, r[i].name) == 0) {
            *lo = r[i].lo;
            *hi = r[i].hi;
            return fields[i];
        }
    return NULL;
}

/* Sets one of the options that need no resolving; 0 when name is none of
 * them (*st untouched). */
static int common(ck_frame_train *ft, const char *name, const char *v, ck_status *st,
                  ck_error *err)
{
    static const char *costs[] = {"cost-fp", "cost-fn", "cost-contact", "value-saved"};
    ck_train_options *t = &ft->opt;
    size_t *n, *count, seed;
    double lo, hi;
    char ***list;
    int *fl;
    int cost = 0;
    while (cost < 4 && strcmp(name, costs[cost]) != 0)
        cost++;
    if (cost < 4)
        *st = ck_frame_option_number(name, v, 1e-12, 1e15, &ft->cost[cost], err);
    else if ((list = list_option(ft, name, &n)))
        *st = set_list(list, n, v, err);
    else if ((fl = flag_option(ft, name)))
        *st = flag(name, v, fl, err);
    else if ((count = count_option(ft, name, &lo, &hi)))
        *st = whole(name, v, lo, hi, count, err);
    else if (strcmp(name, "seed") == 0) {
        if ((*st = whole(name, v, 0, 2147483647.0, &seed, err)) == CK_OK)
            t->seed = (unsigned long)seed;
    } else if (strcmp(name, "test-fraction") == 0)
        *st = ck_frame_option_number(name, v, 0, 0.9, &t->test_fraction, err);
    else if (strcmp(name, "calibrate") == 0)
        *st = ck_calib_method_parse(v, &t->calibrate) == 0 && t->calibrate != CK_CALIB_NONE
                  ? CK_OK
                  : ck_error_set(err, CK_EUSAGE, "--calibrate '%s': platt or isotonic", v);
    else
        return 0;
    return 1;
}

ck_status ck_frame_train_set(ck_frame_train *ft, const char *name, const char *value,
                             ck_error *err)
{
    const char **field;
    char **deferred_field;
    if (text_option(ft, name, &field))
        return set_text(ft, field, value, err);
    if (deferred(ft, name, &deferred_field)) {
        free(*deferred_field);
        return (*deferred_field = strdup(value)) ? CK_OK
                                                  : ck_error_set(err, CK_ENOMEM, "out of memory");
    }
    ck_status st;
    if (common(ft, name, value, &st, err))
        return st;
    for (size_t i = 0; i < ck_estimator_count(); i++)
        if (ck_estimator_param(ck_estimator_at(i), name) >= 0) {
            if (ft->nparams == MAX_GIVEN)
                return ck_error_set(err, CK_EUSAGE, "too many options");
            ft->pname[ft->nparams] = strdup(name);
            ft->ptext[ft->nparams] = strdup(value);
            if (!ft->pname[ft->nparams] || !ft->ptext[ft->nparams++])
                return ck_error_set(err, CK_ENOMEM, "out of memory");
            return CK_OK;
        }
    return ck_error_set(err, CK_EUSAGE, "unknown option '%s' (churnkit-train --help lists them)",
                        name);
}

static ck_status resolve(ck_frame_train *ft, ck_error *err)
{
    ck_train_options *t = &ft->opt;
    if (ft->time && t->label && strcmp(t->label, ft->time) != 0)
        return ck_error_set(err, CK_EUSAGE, "--time (a survival target) and --label do not "
                                            "go together");
    if (t->event && !ft->time)
        return ck_error_set(err, CK_EUSAGE, "--event goes with --time (a survival model)");
    if (ft->time && !t->event)
        return ck_error_set(err, CK_EUSAGE, "--time needs --event COLUMN (1 when the churn "
                                            "was seen, 0 when censored)");
    if (ft->time)
        t->label = ft->time;
    if (!t->label)
        return ck_error_set(err, CK_EUSAGE, "--label (or --time and --event) is required");
    if (ft->features && ft->exclude)
        return ck_error_set(err, CK_EUSAGE, "--features and --exclude do not go together");
    t->pipeline.features = (const char *const *)ft->features;
    t->pipeline.nfeatures = ft->nfeatures;
    t->pipeline.exclude = (const char *const *)ft->exclude;
    t->pipeline.nexclude = ft->nexclude;
    t->pipeline.log = (const char *const *)ft->log;
    t->pipeline.nlog = ft->nlog;
    t->pipeline.reference = (const char *const *)ft->reference;
    t->pipeline.nreference = ft->nreference;
    t->pipeline.splines = (const char *const *)ft->splines;
    t->pipeline.nsplines = ft->nsplines;
    ck_train_words w;
    ck_train_words_init(&w);
    w.model = ft->model;
    w.task = ft->task;
    w.time = ft->time;
    w.threshold = ft->threshold;
    w.metric = ft->metric;
    w.class_weight = ft->class_weight;
    memcpy(w.cost, ft->cost, sizeof w.cost);
    w.pname = (const char *const *)ft->pname;
    w.ptext = (const char *const *)ft->ptext;
    w.nparams = ft->nparams;
    return ck_train_resolve(t, &w, err);
}

ck_status ck_frame_train_fit(ck_frame_train *ft, const ck_table *t, ck_model **out,
                             char **warnings, ck_error *err)
{
    ck_warnings w;
    if (warnings)
        *warnings = NULL;
    *out = NULL;
    ck_status st = resolve(ft, err);
    if (st != CK_OK)
        return st;
    ck_warnings_init(&w);
    st = ck_train(t, &ft->opt, out, &w, err);
    if (warnings)
        *warnings = ck_frame_warnings_text(&w);
    ck_warnings_fini(&w);
    return st;
}
