/* model.c -- model objects and their JSON files (see model.h and
 * models/FORMAT.md).  The estimator's own part is its type's; this file
 * writes and reads everything around it. */
#include "churnkit/model.h"
#include "churnkit/metrics_json.h"
#include "churnkit/ofile.h"
#include "churnkit/threshold.h"
#include "churnkit/version.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

ck_model *ck_model_new(void)
{
    ck_model *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->threshold = 0.5;
    m->training.positives = m->training.target_mean = NAN;
    return m;
}

static void cv_fini(ck_cv_record *cv)
{
    for (int s = 0; s < CK_CV_STATS; s++)
        free(cv->fold[s]);
    memset(cv, 0, sizeof *cv);
}

void ck_model_free(ck_model *m)
{
    if (!m)
        return;
    if (m->type && m->state)
        m->type->free(m->state);
    free(m->name);
    free(m->label);
    free(m->event);
    free(m->positive);
    free(m->negative);
    free(m->id);
    ck_calibration_fini(&m->calib);
    ck_pipeline_free(m->pl);
    free(m->threshold_rule);
    free(m->training.data);
    free(m->training.data_hash);
    json_decref(m->training.options);
    free(m->training.churnkit);
    cv_fini(&m->cv);
    ck_tuning_fini(&m->tuning);
    free(m);
}

/* ------------------------------------------------------------------ */
/* scoring and explaining: through the type */

ck_status ck_model_scratch(const ck_model *m, void **out, ck_error *err)
{
    *out = NULL;
    if (!m->type->scratch)
        return CK_OK;
    *out = m->type->scratch(m->state);
    return *out ? CK_OK : ck_error_set(err, CK_ENOMEM, "out of memory");
}

void ck_model_scratch_free(const ck_model *m, void *scratch)
{
    if (scratch && m->type->scratch_free)
        m->type->scratch_free(scratch);
    else
        free(scratch);
}

double ck_model_score(const ck_model *m, const double *x, void *scratch)
{
    double s = m->type->score(m->state, x, scratch);
    return m->calib.method ? ck_calibration_apply(&m->calib, s) : s;
}

int ck_model_scores_rows(const ck_model *m)
{
    return m->type->score_rows != NULL;
}

void ck_model_score_rows(const ck_model *m, const double *x, size_t n, size_t stride,
                         double *out, void *scratch)
{
    if (!m->type->score_rows) {
        for (size_t i = 0; i < n; i++)
            out[i] = ck_model_score(m, x + i * stride, scratch);
        return;
    }
    m->type->score_rows(m->state, x, n, stride, out, scratch);
    for (size_t i = 0; m->calib.method && i < n; i++)
        out[i] = ck_calibration_apply(&m->calib, out[i]);
}

int ck_model_fitted(const ck_model *m, size_t n, double *out)
{
    const double *f = m->type->fitted ? m->type->fitted(m->state, n) : NULL;
    if (!f)
        return 0;
    for (size_t i = 0; i < n; i++)
        out[i] = m->calib.method ? ck_calibration_apply(&m->calib, f[i]) : f[i];
    return 1;
}

int ck_model_scores_sparse(const ck_model *m)
{
    return m->type->score_sparse != NULL;
}

double ck_model_score_sparse(const ck_model *m, const size_t *idx, const double *val, size_t n,
                             void *scratch)
{
    double s = m->type->score_sparse(m->state, idx, val, n, scratch);
    return m->calib.method ? ck_calibration_apply(&m->calib, s) : s;
}

const ck_ph_curve *ck_model_curve(const ck_model *m)
{
    return m->task == CK_TASK_SURVIVAL ? m->type->curve(m->state) : NULL;
}

int ck_model_explains(const ck_model *m)
{
    return m->type->contributions != NULL;
}

int ck_model_contributions(const ck_model *m, const double *x, double *out, void *scratch)
{
    if (!m->type->contributions)
        return 0;
    m->type->contributions(m->state, m->pl, x, out, scratch);
    return 1;
}

ck_status ck_model_terms(const ck_model *m, ck_terms *out, ck_error *err)
{
    memset(out, 0, sizeof *out);
    return m->type->terms ? m->type->terms(m->state, m, out, err) : CK_OK;
}

const char *const *ck_cv_stat_names(ck_task task)
{
    static const char *const cls[CK_CV_STATS] = {"accuracy", "balanced_accuracy", "roc_auc",
                                                 "log_loss"};
    static const char *const reg[CK_CV_STATS] = {"rmse", "mae", "r2", "direction_accuracy"};
    static const char *const surv[CK_CV_STATS] = {"concordance", NULL, NULL, NULL};
    return task == CK_TASK_CLASSIFICATION ? cls : task == CK_TASK_SURVIVAL ? surv : reg;
}

size_t ck_cv_stat_count(ck_task task)
{
    return task == CK_TASK_SURVIVAL ? 1 : CK_CV_STATS;
}

void ck_cv_stats_of(ck_task task, const ck_metrics_record *r, double out[CK_CV_STATS])
{
    if (task == CK_TASK_CLASSIFICATION) {
        out[0] = r->cls.accuracy;
        out[1] = r->cls.balanced_accuracy;
        out[2] = r->cls.roc_auc;
        out[3] = r->cls.log_loss;
    } else if (task == CK_TASK_SURVIVAL) {
        out[0] = r->surv.concordance;
        out[1] = out[2] = out[3] = NAN;
    } else {
        out[0] = r->reg.rmse;
        out[1] = r->reg.mae;
        out[2] = r->reg.r2;
        out[3] = r->reg.direction_accuracy;
    }
}

/* ------------------------------------------------------------------ */
/* writing */

/* What tuning tried: the candidates' parameters and mean out-of-fold
 * losses, the one kept, and an early-stopping curve. */
static json_t *tuning_json(const ck_tuning *t)
{
    json_t *o = json_object(), *names = json_array(), *tried = json_array();
    int bad = !o || !names || !tried;
    bad |= ck_json_put(o, "method", json_string(t->method));
    for (size_t j = 0; j < t->nnames; j++)
        bad |= ck_json_push(names, json_string(t->names[j]));
    bad |= ck_json_put(o, "parameters", names);
    for (size_t i = 0; i < t->ntried; i++)
        bad |= ck_json_push(tried, ck_json_numbers(t->tried + i * t->nnames, t->nnames));
    bad |= ck_json_put(o, "tried", tried);
    bad |= ck_json_put(o, "loss", ck_json_numbers(t->loss, t->ntried));
    bad |= ck_json_put(o, "best", json_integer((json_int_t)t->best));
    if (t->ncurve)
        bad |= ck_json_put(o, "curve", ck_json_numbers(t->curve, t->ncurve));
    return ck_json_done(o, bad);
}

static json_t *training_json(const ck_model *m)
{
    const ck_training_record *t = &m->training;
    json_t *o = json_object();
    int bad = !o;
    bad |= ck_json_put(o, "data", ck_json_string_or_null(t->data));
    bad |= ck_json_put(o, "data_hash", ck_json_string_or_null(t->data_hash));
    bad |= ck_json_put(o, "rows", json_integer((json_int_t)t->rows));
    if (m->task == CK_TASK_CLASSIFICATION) /* the baseline churnkit-eval compares with */
        bad |= ck_json_put(o, "positives", json_integer((json_int_t)t->positives));
    else if (m->task == CK_TASK_SURVIVAL)
        bad |= ck_json_put(o, "events", json_integer((json_int_t)t->positives));
    else if (m->task == CK_TASK_REGRESSION)
        bad |= ck_json_set_number(o, "target_mean", t->target_mean);
    bad |= ck_json_put(o, "test_rows", json_integer((json_int_t)t->test_rows));
    if (t->processes)
        bad |= ck_json_put(o, "processes", json_integer((json_int_t)t->processes));
    if (t->drop_missing_label) /* only then: older files have no such keys */
        bad |= ck_json_put(o, "rows_missing_label", json_integer((json_int_t)t->missing_label));
    if (t->refit)
        bad |= ck_json_put(o, "refit", json_true());
    bad |= ck_json_put(o, "seed", json_integer((json_int_t)t->seed));
    bad |= ck_json_put(o, "options", t->options ? json_incref(t->options) : json_object());
    if (m->tuning.method)
        bad |= ck_json_put(o, "tuning", tuning_json(&m->tuning));
    bad |= ck_json_put(o, "churnkit", ck_json_string_or_null(t->churnkit));
    return ck_json_done(o, bad);
}

static json_t *record_json(const ck_model *m, const ck_metrics_record *r)
{
    return m->task == CK_TASK_CLASSIFICATION ? ck_class_metrics_json(&r->cls, 0)
           : m->task == CK_TASK_SURVIVAL     ? ck_surv_metrics_json(&r->surv)
                                             : ck_reg_metrics_json(&r->reg, 0);
}

static json_t *cv_json(const ck_model *m)
{
    const ck_cv_record *cv = &m->cv;
    const char *const *names = ck_cv_stat_names(m->task);
    json_t *o = json_object();
    int bad = !o;
    bad |= ck_json_put(o, "folds", json_integer((json_int_t)cv->folds));
    bad |= ck_json_put(o, "seed", json_integer((json_int_t)cv->seed));
    for (size_t s = 0; s < ck_cv_stat_count(m->task); s++) {
        json_t *st = json_object();
        bad |= !st || ck_json_set_number(st, "mean", cv->mean[s]);
        bad |= ck_json_set_number(st, "sd", cv->sd[s]);
        bad |= ck_json_put(st, "folds", ck_json_numbers(cv->fold[s], cv->folds));
        bad |= ck_json_put(o, names[s], st);
    }
    return ck_json_done(o, bad);
}

static json_t *metrics_json(const ck_model *m)
{
    json_t *o = json_object();
    int bad = !o;
    if (m->train.present)
        bad |= ck_json_put(o, "train", record_json(m, &m->train));
    if (m->has_cv)
        bad |= ck_json_put(o, "cv", cv_json(m));
    if (m->test.present)
        bad |= ck_json_put(o, "test", record_json(m, &m->test));
    return ck_json_done(o, bad);
}

static json_t *label_json(const ck_model *m)
{
    json_t *label = json_object();
    int bad = !label;
    bad |= ck_json_put(label, "name", json_string(m->label));
    if (m->task == CK_TASK_CLASSIFICATION) {
        bad |= ck_json_put(label, "positive", json_string(m->positive));
        bad |= ck_json_put(label, "negative", json_string(m->negative));
    } else if (m->task == CK_TASK_SURVIVAL) {
        bad |= ck_json_put(label, "event", json_string(m->event));
    }
    return ck_json_done(label, bad);
}

/* What the threshold rule's pick did on the out-of-fold predictions. */
static json_t *threshold_cv_json(const ck_threshold_pick *k)
{
    json_t *o = json_object();
    int bad = !o;
    bad |= ck_json_put(o, "rows", json_integer((json_int_t)k->rows));
    bad |= ck_json_put(o, "named", json_integer((json_int_t)k->named));
    bad |= ck_json_set_number(o, "precision", k->precision);
    bad |= ck_json_set_number(o, "recall", k->recall);
    return ck_json_done(o, bad);
}

/* The file's object; keys in the documented order. */
static json_t *model_json(const ck_model *m)
{
    json_t *root = json_object(), *fit = json_object();
    ck_error err;
    int bad = !root || !fit;
    if (bad)
        goto fail;
    bad |= ck_json_put(root, "format", json_string("churnkit-model"));
    bad |= ck_json_put(root, "version", json_integer(CK_MODEL_VERSION));
    bad |= ck_json_put(root, "name", json_string(m->name));
    bad |= ck_json_put(root, "task", json_string(ck_task_name(m->task)));
    bad |= ck_json_put(root, "estimator", json_string(m->type->name));
    bad |= ck_json_put(root, "label", label_json(m));
    bad |= ck_json_put(root, "id", ck_json_string_or_null(m->id));
    if (ck_pipeline_to_json(m->pl, root, &err) != CK_OK ||
        m->type->save(m->state, m, root, fit, &err) != CK_OK)
        goto fail;
    if (m->task == CK_TASK_CLASSIFICATION) {
        bad |= ck_json_set_number(root, "threshold", m->threshold);
        bad |= ck_json_put(root, "threshold_rule",
                            json_string(m->threshold_rule ? m->threshold_rule : "fixed"));
        if (m->threshold_cv.rows)
            bad |= ck_json_put(root, "threshold_cv", threshold_cv_json(&m->threshold_cv));
        if (m->calib.method)
            bad |= ck_json_put(root, "calibration", ck_calibration_to_json(&m->calib));
    }
    bad |= ck_json_put(root, "fit", fit);
    bad |= ck_json_put(root, "training", training_json(m));
    bad |= ck_json_put(root, "metrics", metrics_json(m));
    return ck_json_done(root, bad);
fail:
    json_decref(root);
    json_decref(fit);
    return NULL;
}

char *ck_model_to_json(const ck_model *m)
{
    json_t *root = model_json(m);
    char *text = root ? ck_json_text(root) : NULL;
    json_decref(root);
    return text;
}

ck_status ck_model_save(const ck_model *m, const char *path, ck_error *err)
{
    char *text = ck_model_to_json(m);
    ck_model *back = NULL;
    if (!text)
        return ck_error_set(err, CK_ENOMEM, "%s: out of memory writing the model", path);
    /* what train writes, predict must read: the text is read back by the
     * parser ck_model_load uses (parse_buffer) before the file is written,
     * so a model that would not load never lands */
    ck_status st = ck_model_parse(&back, text, path, err);
    ck_model_free(back);
    if (st == CK_EMODEL)
        ck_error_prefix(err, "internal error (a churnkit bug: please report it): the model "
                             "does not read back");
    if (st == CK_OK)
        st = ck_ofile_write_string(path, text, err);
    free(text);
    return st;
}

/* ------------------------------------------------------------------ */
/* reading: every field is checked, and a failure names the field */

static ck_status read_kind(ck_json_reader *rd, json_t *root, ck_model *m)
{
    char *s = NULL;
    ck_status st = ck_json_get_string(rd, root, "task", "task", &s);
    if (st != CK_OK)
        return st;
    m->task = ck_task_from_name(s);
    free(s);
    if (!m->task)
        return ck_json_bad(rd, "task", "must be \"classification\", \"regression\" or "
                                       "\"survival\"");
    if ((st = ck_json_get_string(rd, root, "estimator", "estimator", &s)) != CK_OK)
        return st;
    m->type = ck_estimator_find(s);
    if (!m->type) {
        char choices[200];
        ck_estimator_choices(choices, sizeof choices);
        st = ck_error_set(rd->err, CK_EMODEL, "%s: field 'estimator' is '%s', which this "
                                              "churnkit does not know (it knows %s)",
                          rd->source, s, choices);
    }
    free(s);
    if (st != CK_OK)
        return st;
    if (!ck_estimator_supports(m->type, m->task))
        return ck_error_set(rd->err, CK_EMODEL, "%s: field 'estimator' does not fit the task: "
                                                "'%s' does not do %s", rd->source,
                            m->type->name, ck_task_name(m->task));
    return CK_OK;
}

static ck_status read_label(ck_json_reader *rd, json_t *root, ck_model *m)
{
    json_t *label, *id;
    ck_status st;
    if (ck_json_get(rd, root, "label", "label", &label) != CK_OK)
        return CK_EMODEL;
    if ((st = ck_json_get_string(rd, label, "name", "label.name", &m->label)) != CK_OK)
        return st;
    if (m->task == CK_TASK_CLASSIFICATION &&
        ((st = ck_json_get_string(rd, label, "positive", "label.positive", &m->positive)) !=
             CK_OK ||
         (st = ck_json_get_string(rd, label, "negative", "label.negative", &m->negative)) !=
             CK_OK))
        return st;
    /* a classifier's two classes: two texts, neither empty (a hand edit
     * could make every row one class, or a label cell blank) */
    if (m->task == CK_TASK_CLASSIFICATION && (!m->positive[0] || !m->negative[0]))
        return ck_json_bad(rd, m->positive[0] ? "label.negative" : "label.positive",
                           "must not be empty");
    if (m->task == CK_TASK_CLASSIFICATION && strcmp(m->positive, m->negative) == 0)
        return ck_json_bad(rd, "label.negative", "must differ from label.positive");
    if (m->task == CK_TASK_SURVIVAL &&
        (st = ck_json_get_string(rd, label, "event", "label.event", &m->event)) != CK_OK)
        return st;
    if (ck_json_get(rd, root, "id", "id", &id) != CK_OK)
        return CK_EMODEL;
    if (json_is_string(id) && !(m->id = strdup(json_string_value(id))))
        return ck_error_set(rd->err, CK_ENOMEM, "out of memory");
    if (!json_is_string(id) && !json_is_null(id))
        return ck_json_bad(rd, "id", "must be a string or null");
    return CK_OK;
}

/* Optional (models before it have none): rows 0 when absent. */
static ck_status read_threshold_cv(ck_json_reader *rd, json_t *root, ck_model *m)
{
    json_t *o = json_object_get(root, "threshold_cv");
    ck_threshold_pick *k = &m->threshold_cv;
    *k = (ck_threshold_pick){m->threshold, 1, 0, 0, 0, 0};
    if (!o)
        return CK_OK;
    json_t *rows = json_object_get(o, "rows"), *named = json_object_get(o, "named");
    k->precision = ck_json_optional_number(o, "precision");
    k->recall = ck_json_optional_number(o, "recall");
    if (!json_is_integer(rows) || !json_is_integer(named) || json_integer_value(rows) < 1 ||
        json_integer_value(named) < 0 || json_integer_value(named) > json_integer_value(rows) ||
        !(k->precision >= 0 && k->precision <= 1) || !(k->recall >= 0 && k->recall <= 1))
        return ck_json_bad(rd, "threshold_cv", "must hold rows >= 1, named in [0, rows], "
                                               "precision and recall in [0, 1]");
    k->rows = (size_t)json_integer_value(rows);
    k->named = (size_t)json_integer_value(named);
    return CK_OK;
}

static ck_status read_threshold(ck_json_reader *rd, json_t *root, ck_model *m)
{
    ck_status st;
    if (m->task != CK_TASK_CLASSIFICATION)
        return CK_OK;
    if ((st = ck_json_get_number(rd, root, "threshold", "threshold", 0, &m->threshold)) !=
            CK_OK ||
        (st = ck_json_get_string(rd, root, "threshold_rule", "threshold_rule",
                                 &m->threshold_rule)) != CK_OK)
        return st;
    if (!(m->threshold > 0 && m->threshold < 1))
        return ck_json_bad(rd, "threshold", "must lie strictly between 0 and 1");
    ck_threshold_spec spec;
    json_t *calib = json_object_get(root, "calibration");
    if (ck_threshold_rule_parse(m->threshold_rule, &spec) == 0) {
        ck_status st2 = read_threshold_cv(rd, root, m);
        return st2 == CK_OK && calib ? ck_calibration_read(rd, calib, &m->calib) : st2;
    }
    return ck_json_bad(rd, "threshold_rule", "must be \"fixed\", \"f1\", \"youden\", "
                                             "\"accuracy\", \"precision>=X\", \"recall>=X\" "
                                             "or \"cost(fp=A,fn=B)\"");
}

/* An array of n numbers (n read from it when *n is 0 and `any`). */
static ck_status read_list(ck_json_reader *rd, const json_t *o, const char *key,
                           const char *field, size_t *n, double **out)
{
    const json_t *a = json_object_get(o, key);
    if (!json_is_array(a))
        return ck_json_bad(rd, field, "must be a list of numbers");
    if (*n == 0)
        *n = json_array_size(a);
    if (!(*out = calloc(*n ? *n : 1, sizeof **out)))
        return ck_error_set(rd->err, CK_ENOMEM, "out of memory");
    return ck_json_get_numbers(rd, o, key, field, *n, *out);
}

static ck_status read_tuning(ck_json_reader *rd, const json_t *o, ck_tuning *t)
{
    json_t *names, *tried;
    const char *nv[CK_TUNE_NAMES];
    ck_status st;
    char *method = NULL;
    if (!json_is_object(o))
        return ck_json_bad(rd, "training.tuning", "must be an object");
    if ((st = ck_json_get_string(rd, o, "method", "training.tuning.method", &method)) != CK_OK)
        return st;
    names = json_object_get(o, "parameters");
    size_t nn = json_is_array(names) ? json_array_size(names) : CK_TUNE_NAMES + 1;
    for (size_t j = 0; j < nn && j < CK_TUNE_NAMES; j++)
        nv[j] = json_string_value(json_array_get(names, j));
    for (size_t j = 0; j < nn && j < CK_TUNE_NAMES && nn <= CK_TUNE_NAMES; j++)
        if (!nv[j])
            nn = CK_TUNE_NAMES + 1;
    if (nn > CK_TUNE_NAMES) {
        free(method);
        return ck_json_bad(rd, "training.tuning.parameters", "must list at most 4 names");
    }
    int rc = ck_tuning_begin(t, method, nv, nn);
    free(method);
    if (rc != 0)
        return ck_error_set(rd->err, CK_ENOMEM, "out of memory");
    tried = json_object_get(o, "tried");
    if (!json_is_array(tried))
        return ck_json_bad(rd, "training.tuning.tried", "must be a list");
    for (size_t i = 0; i < json_array_size(tried); i++) {
        double v[CK_TUNE_NAMES];
        json_t *row = json_array_get(tried, i);
        if (!json_is_array(row) || json_array_size(row) != nn)
            return ck_json_bad(rd, "training.tuning.tried", "has a row of the wrong length");
        for (size_t j = 0; j < nn; j++) {
            json_t *x = json_array_get(row, j);
            v[j] = json_is_number(x) ? json_number_value(x) : NAN;
        }
        if (ck_tuning_add(t, v, NAN) != 0)
            return ck_error_set(rd->err, CK_ENOMEM, "out of memory");
    }
    size_t nl = t->ntried;
    if ((st = ck_json_get_numbers(rd, o, "loss", "training.tuning.loss", nl, t->loss)) != CK_OK ||
        (st = ck_json_get_count(rd, o, "best", "training.tuning.best", &t->best)) != CK_OK)
        return st;
    if (t->ntried && t->best >= t->ntried)
        return ck_json_bad(rd, "training.tuning.best", "is not one of the candidates");
    if (json_object_get(o, "curve"))
        return read_list(rd, o, "curve", "training.tuning.curve", &t->ncurve, &t->curve);
    return CK_OK;
}

static ck_status read_training(ck_json_reader *rd, json_t *root, ck_model *m)
{
    ck_training_record *t = &m->training;
    json_t *o, *options;
    size_t seed = 0;
    ck_status st;
    if ((st = ck_json_get_object(rd, root, "training", "training", &o)) != CK_OK ||
        (st = ck_json_get_string(rd, o, "data", "training.data", &t->data)) != CK_OK ||
        (st = ck_json_get_string(rd, o, "data_hash", "training.data_hash", &t->data_hash)) !=
            CK_OK ||
        (st = ck_json_get_count(rd, o, "rows", "training.rows", &t->rows)) != CK_OK ||
        (st = ck_json_get_count(rd, o, "test_rows", "training.test_rows", &t->test_rows)) !=
            CK_OK ||
        (st = ck_json_get_count(rd, o, "seed", "training.seed", &seed)) != CK_OK ||
        (st = ck_json_get_object(rd, o, "options", "training.options", &options)) != CK_OK ||
        (st = ck_json_get_string(rd, o, "churnkit", "training.churnkit", &t->churnkit)) != CK_OK)
        return st;
    t->seed = (unsigned long)seed;
    t->options = json_incref(options);
    json_t *tuning = json_object_get(o, "tuning");
    if (tuning && (st = read_tuning(rd, tuning, &m->tuning)) != CK_OK)
        return st;
    if (json_object_get(o, "processes") &&
        (st = ck_json_get_count(rd, o, "processes", "training.processes", &t->processes)) !=
            CK_OK)
        return st;
    if (json_object_get(o, "rows_missing_label")) {
        if ((st = ck_json_get_count(rd, o, "rows_missing_label", "training.rows_missing_label",
                                    &t->missing_label)) != CK_OK)
            return st;
        t->drop_missing_label = 1;
    }
    json_t *refit = json_object_get(o, "refit");
    if (refit && !json_is_boolean(refit))
        return ck_json_bad(rd, "training.refit", "must be true or false");
    t->refit = json_is_true(refit);
    if (m->task == CK_TASK_CLASSIFICATION || m->task == CK_TASK_SURVIVAL) {
        size_t pos;
        const char *key = m->task == CK_TASK_SURVIVAL ? "events" : "positives";
        char field[40];
        snprintf(field, sizeof field, "training.%s", key);
        if ((st = ck_json_get_count(rd, o, key, field, &pos)) != CK_OK)
            return st;
        t->positives = (double)pos;
    } else if (m->task == CK_TASK_REGRESSION) {
        return ck_json_get_number(rd, o, "target_mean", "training.target_mean", 1,
                                  &t->target_mean);
    }
    return CK_OK;
}

static ck_status read_record(ck_json_reader *rd, const ck_model *m, const json_t *o,
                             const char *field, ck_metrics_record *r)
{
    r->present = 1;
    if (!json_is_object(o))
        return ck_json_bad(rd, field, "must be an object");
    return m->task == CK_TASK_CLASSIFICATION ? ck_class_metrics_read(rd, o, field, &r->cls)
           : m->task == CK_TASK_SURVIVAL     ? ck_surv_metrics_read(rd, o, field, &r->surv)
                                             : ck_reg_metrics_read(rd, o, field, &r->reg);
}

static ck_status read_cv(ck_json_reader *rd, const json_t *o, ck_model *m)
{
    const char *const *names = ck_cv_stat_names(m->task);
    char path[120];
    size_t seed = 0;
    ck_status st;
    m->has_cv = 1;
    if ((st = ck_json_get_count(rd, o, "folds", "metrics.cv.folds", &m->cv.folds)) != CK_OK ||
        (st = ck_json_get_count(rd, o, "seed", "metrics.cv.seed", &seed)) != CK_OK)
        return st;
    m->cv.seed = (unsigned long)seed;
    for (size_t s = 0; s < ck_cv_stat_count(m->task); s++) {
        json_t *so;
        snprintf(path, sizeof path, "metrics.cv.%s", names[s]);
        if ((st = ck_json_get_object(rd, o, names[s], path, &so)) != CK_OK)
            return st;
        if (!(m->cv.fold[s] = calloc(m->cv.folds ? m->cv.folds : 1, sizeof *m->cv.fold[s])))
            return ck_error_set(rd->err, CK_ENOMEM, "out of memory");
        snprintf(path, sizeof path, "metrics.cv.%s.mean", names[s]);
        if ((st = ck_json_get_number(rd, so, "mean", path, 1, &m->cv.mean[s])) != CK_OK)
            return st;
        snprintf(path, sizeof path, "metrics.cv.%s.sd", names[s]);
        if ((st = ck_json_get_number(rd, so, "sd", path, 1, &m->cv.sd[s])) != CK_OK)
            return st;
        snprintf(path, sizeof path, "metrics.cv.%s.folds", names[s]);
        if ((st = ck_json_get_numbers(rd, so, "folds", path, m->cv.folds, m->cv.fold[s])) !=
            CK_OK)
            return st;
    }
    return CK_OK;
}

static ck_status read_metrics(ck_json_reader *rd, json_t *root, ck_model *m)
{
    json_t *o, *v;
    ck_status st = ck_json_get_object(rd, root, "metrics", "metrics", &o);
    if (st == CK_OK && (v = json_object_get(o, "train")))
        st = read_record(rd, m, v, "metrics.train", &m->train);
    if (st == CK_OK && (v = json_object_get(o, "cv")))
        st = json_is_object(v) ? read_cv(rd, v, m) : ck_json_bad(rd, "metrics.cv", "must be an "
                                                                                   "object");
    if (st == CK_OK && (v = json_object_get(o, "test")))
        st = read_record(rd, m, v, "metrics.test", &m->test);
    return st;
}

static ck_status read_header(ck_json_reader *rd, json_t *root)
{
    json_t *format = json_object_get(root, "format"), *version = json_object_get(root, "version");
    if (!json_is_string(format) || strcmp(json_string_value(format), "churnkit-model") != 0)
        return ck_error_set(rd->err, CK_EMODEL, "%s: not a churnkit model file (no \"format\": "
                                                "\"churnkit-model\")", rd->source);
    if (!json_is_integer(version) || json_integer_value(version) < 1)
        return ck_json_bad(rd, "version", "must be a positive whole number");
    if (json_integer_value(version) > CK_MODEL_VERSION)
        return ck_error_set(rd->err, CK_EMODEL, "%s: model file version %lld is newer than this "
                                                "churnkit %s reads (up to %d); upgrade churnkit",
                            rd->source, (long long)json_integer_value(version), CK_VERSION,
                            CK_MODEL_VERSION);
    return CK_OK;
}

static ck_status read_model(ck_json_reader *rd, json_t *root, ck_model *m)
{
    json_t *fit;
    ck_status st;
    if (!json_is_object(root))
        return ck_error_set(rd->err, CK_EMODEL, "%s: not a churnkit model file (not a JSON "
                                                "object)", rd->source);
    if ((st = read_header(rd, root)) != CK_OK ||
        (st = ck_json_get_string(rd, root, "name", "name", &m->name)) != CK_OK ||
        (st = m->name[0] ? CK_OK : ck_json_bad(rd, "name", "must not be empty")) != CK_OK ||
        (st = read_kind(rd, root, m)) != CK_OK || (st = read_label(rd, root, m)) != CK_OK ||
        (st = ck_pipeline_from_json(&m->pl, root, rd)) != CK_OK ||
        (st = ck_json_get_object(rd, root, "fit", "fit", &fit)) != CK_OK ||
        (st = m->type->load(&m->state, m, root, fit, rd)) != CK_OK)
        return st;
    if ((st = read_threshold(rd, root, m)) != CK_OK || (st = read_training(rd, root, m)) != CK_OK)
        return st;
    return read_metrics(rd, root, m);
}

static ck_status finish_load(ck_model **out, json_t *root, const char *source, ck_error *err)
{
    ck_json_reader rd = {source, err};
    ck_model *m = ck_model_new();
    if (!m) {
        json_decref(root);
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    }
    ck_status st = read_model(&rd, root, m);
    json_decref(root);
    if (st != CK_OK) {
        ck_model_free(m);
        return st;
    }
    *out = m;
    return CK_OK;
}

static ck_status damaged(ck_error *err, const char *source, const json_error_t *je)
{
    /* the parser's own allocation failing is no fault of the file: jansson
     * says so, or (in some of its paths) fails without a word */
    if (!je->text[0] || json_error_code(je) == json_error_out_of_memory)
        return ck_error_set(err, CK_ENOMEM, "%s: out of memory parsing the model file", source);
    return ck_error_at(err, CK_EMODEL, source, (unsigned long)(je->line > 0 ? je->line : 0),
                       (unsigned long)(je->column > 0 ? je->column : 0), "damaged model file: %s",
                       je->text);
}

/* jansson 2.14 ignores a failed allocation while it gathers a string's
 * bytes (load.c, lex_save) and then reads past them: under a memory limit
 * one long string crashes it.  Its peak for a string is about three times
 * the string's length, beside the text: that much is asked for first and
 * given back, so that memory too short for the parse is reported as such
 * (the pointer is volatile so the compiler keeps the pair). */
static int room_to_parse(size_t n)
{
    void *volatile probe = n < SIZE_MAX / 4 ? malloc(3 * n + 4096) : NULL;
    int ok = probe != NULL;
    free(probe);
    return ok;
}

/* One parser for text from memory and from a file, so that train's check
 * of what it writes is predict's loader exactly. */
static ck_status parse_buffer(ck_model **out, const char *text, size_t n, const char *source,
                              ck_error *err)
{
    json_error_t je;
    *out = NULL;
    if (!room_to_parse(n))
        return ck_error_set(err, CK_ENOMEM, "%s: out of memory reading the model file (%zu "
                                            "bytes)", source, n);
    json_t *root = json_loadb(text, n, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return damaged(err, source, &je);
    return finish_load(out, root, source, err);
}

ck_status ck_model_parse(ck_model **out, const char *text, const char *source, ck_error *err)
{
    return parse_buffer(out, text, strlen(text), source, err);
}

static ck_status too_big(ck_error *err, const char *path, size_t max)
{
    return ck_error_set(err, CK_EMODEL, "%s: the model file is larger than %zu MB, the limit "
                                        "(--max-model-size raises it)", path, max >> 20);
}

/* The whole file into memory, refusing more than max bytes before
 * allocating for it (a regular file's size is known; a pipe's is read up
 * to the limit). */
static ck_status read_capped(FILE *fp, const char *path, size_t max, char **text, size_t *n,
                             ck_error *err)
{
    struct stat sb;
    size_t cap = 1 << 16, got;
    if (fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode)) {
        if ((uintmax_t)sb.st_size > max)
            return too_big(err, path, max);
        cap = (size_t)sb.st_size + 1;
    }
    char *buf = malloc(cap);
    *n = 0;
    while (buf && (got = fread(buf + *n, 1, cap - *n, fp)) > 0) {
        *n += got;
        if (*n > max) {
            free(buf);
            return too_big(err, path, max);
        }
        char *grown = *n < cap ? buf : realloc(buf, cap = cap * 2 > max + 1 ? max + 1 : cap * 2);
        if (!grown)
            free(buf);
        buf = grown;
    }
    if (!buf)
        return ck_error_set(err, CK_ENOMEM, "%s: out of memory reading the model file", path);
    if (ferror(fp)) {
        free(buf);
        return ck_error_set(err, CK_EIO, "%s: read error: %s", path, strerror(errno));
    }
    *text = buf;
    return CK_OK;
}

ck_status ck_model_load_max(ck_model **out, const char *path, size_t max_bytes, ck_error *err)
{
    char *text = NULL;
    size_t n = 0;
    *out = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return ck_error_set(err, CK_EIO, "%s: cannot open: %s", path, strerror(errno));
    ck_status st = read_capped(fp, path, max_bytes, &text, &n, err);
    fclose(fp);
    if (st == CK_OK)
        st = parse_buffer(out, text, n, path, err);
    free(text);
    return st;
}

ck_status ck_model_load(ck_model **out, const char *path, ck_error *err)
{
    return ck_model_load_max(out, path, CK_MODEL_MAX_BYTES, err);
}
