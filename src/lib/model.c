/* model.c -- model objects and their JSON files (see model.h and
 * models/FORMAT.md). */
#include "churnkit/model.h"
#include "churnkit/ofile.h"
#include "churnkit/logistic.h"
#include "churnkit/linear.h"
#include "churnkit/version.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *ck_task_name(ck_task t)
{
    return t == CK_TASK_REGRESSION ? "regression" : "classification";
}

const char *ck_estimator_name(ck_estimator e)
{
    return e == CK_EST_LINEAR ? "linear" : e == CK_EST_SVM ? "svm" : "logistic";
}

ck_model *ck_model_new(void)
{
    ck_model *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->fit = json_object();
    m->training = json_object();
    m->metrics = json_object();
    m->threshold = 0.5;
    if (!m->fit || !m->training || !m->metrics) {
        ck_model_free(m);
        return NULL;
    }
    return m;
}

void ck_model_free(ck_model *m)
{
    if (!m)
        return;
    free(m->name);
    free(m->label);
    free(m->positive);
    free(m->negative);
    free(m->id);
    ck_pipeline_free(m->pl);
    free(m->beta);
    free(m->coef);
    ck_svm_fini(&m->svm);
    free(m->threshold_rule);
    json_decref(m->fit);
    json_decref(m->training);
    json_decref(m->metrics);
    free(m);
}

/* ------------------------------------------------------------------ */
/* scoring */

void *ck_model_scratch(const ck_model *m)
{
    return m->estimator == CK_EST_SVM ? (void *)ck_svm_nodes(m->pl->width) : NULL;
}

double ck_model_score(const ck_model *m, const double *x, void *scratch)
{
    switch (m->estimator) {
    case CK_EST_LOGISTIC:
        return ck_sigmoid(ck_logistic_eta(m->beta, x, m->pl->width));
    case CK_EST_LINEAR:
        return ck_linear_predict(m->beta, x, m->pl->width);
    case CK_EST_SVM:
        return ck_svm_score(&m->svm, x, scratch, NULL);
    }
    return NAN;
}

int ck_model_contributions(const ck_model *m, const double *x, double *out)
{
    if (!m->beta)
        return 0;
    for (size_t j = 0; j < m->pl->width; j++)
        out[j] = m->beta[j + 1] * (x[j] - m->pl->center[j]);
    return 1;
}

/* ------------------------------------------------------------------ */
/* writing */

/* A JSON number, or null for NaN and infinities (JSON has neither). */
static json_t *jnum(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *jnums(const double *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n && a; i++)
        json_array_append_new(a, jnum(v[i]));
    return a;
}

static json_t *feature_json(const ck_feature *f)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(f->name));
    if (f->kind == CK_FEAT_NUMERIC) {
        json_object_set_new(o, "type", json_string("numeric"));
        json_object_set_new(o, "transform", json_string(f->symlog ? "symlog" : "none"));
        json_object_set_new(o, "impute", jnum(f->median));
        json_object_set_new(o, "mean", jnum(f->mean));
        json_object_set_new(o, "scale", jnum(f->scale));
        json_object_set_new(o, "missing_indicator", json_boolean(f->missing_indicator));
        json_object_set_new(o, "train_missing_share", jnum(f->missing_share));
        json_object_set_new(o, "train_deciles", jnums(f->deciles, CK_DECILES));
        json_object_set_new(o, "train_bin_shares", jnums(f->bin_share, f->nbin_share));
    } else {
        json_t *lv = json_array();
        for (size_t k = 0; k < f->nlevels; k++)
            json_array_append_new(lv, json_string(f->levels[k]));
        json_object_set_new(o, "type", json_string("categorical"));
        json_object_set_new(o, "levels", lv);
        json_object_set_new(o, "drop_first", json_boolean(f->drop_first));
        json_object_set_new(o, "train_missing_share", jnum(f->missing_share));
        json_object_set_new(o, "train_level_shares", jnums(f->level_share, f->nlevels));
    }
    return o;
}

static json_t *coefficients_json(const ck_model *m)
{
    json_t *terms = json_array();
    for (size_t j = 0; j < m->p; j++) {
        json_t *t = json_object();
        json_object_set_new(t, "term", json_string(j ? m->pl->encoded[j - 1] : "(intercept)"));
        json_object_set_new(t, "coef", jnum(m->beta[j]));
        if (m->coef) {
            const ck_coef_row *r = &m->coef[j];
            json_object_set_new(t, "se", jnum(r->se));
            json_object_set_new(t, m->coef_t ? "t" : "z", jnum(r->stat));
            json_object_set_new(t, "p", jnum(r->p_value));
            json_object_set_new(t, "ci_low", jnum(r->lo));
            json_object_set_new(t, "ci_high", jnum(r->hi));
            if (m->estimator == CK_EST_LOGISTIC) {
                json_object_set_new(t, "odds_ratio", jnum(exp(r->coef)));
                json_object_set_new(t, "or_ci_low", jnum(exp(r->lo)));
                json_object_set_new(t, "or_ci_high", jnum(exp(r->hi)));
            }
        }
        json_array_append_new(terms, t);
    }
    json_t *o = json_object();
    json_object_set_new(o, "statistic", json_string(m->coef_t ? "t" : "z"));
    json_object_set_new(o, "approximate", json_boolean(m->coef_approximate));
    json_object_set_new(o, "terms", terms);
    return o;
}

static json_t *svm_json(const ck_model *m)
{
    json_t *o = json_object();
    json_object_set_new(o, "kind", json_string(m->svm.regression ? "epsilon-svr" : "c-svc"));
    json_object_set_new(o, "libsvm_model", json_string(m->svm.text));
    return o;
}

static json_t *model_json(const ck_model *m)
{
    json_t *root = json_object(), *label = json_object(), *feats = json_array();
    json_t *enc = json_array();
    json_object_set_new(root, "format", json_string("churnkit-model"));
    json_object_set_new(root, "version", json_integer(CK_MODEL_VERSION));
    json_object_set_new(root, "name", json_string(m->name));
    json_object_set_new(root, "task", json_string(ck_task_name(m->task)));
    json_object_set_new(root, "estimator", json_string(ck_estimator_name(m->estimator)));
    json_object_set_new(label, "name", json_string(m->label));
    if (m->task == CK_TASK_CLASSIFICATION) {
        json_object_set_new(label, "positive", json_string(m->positive));
        json_object_set_new(label, "negative", json_string(m->negative));
    }
    json_object_set_new(root, "label", label);
    json_object_set_new(root, "id", jstr(m->id));
    for (size_t k = 0; k < m->pl->nfeat; k++)
        json_array_append_new(feats, feature_json(&m->pl->feat[k]));
    json_object_set_new(root, "features", feats);
    for (size_t j = 0; j < m->pl->width; j++)
        json_array_append_new(enc, json_string(m->pl->encoded[j]));
    json_object_set_new(root, "encoded", enc);
    if (m->estimator == CK_EST_SVM)
        json_object_set_new(root, "svm", svm_json(m));
    else
        json_object_set_new(root, "coefficients", coefficients_json(m));
    if (m->task == CK_TASK_CLASSIFICATION) {
        json_object_set_new(root, "threshold", jnum(m->threshold));
        json_object_set_new(root, "threshold_rule",
                            json_string(m->threshold_rule ? m->threshold_rule : "fixed"));
    }
    json_object_set(root, "fit", m->fit);
    json_object_set(root, "training", m->training);
    json_object_set(root, "metrics", m->metrics);
    return root;
}

char *ck_model_to_json(const ck_model *m)
{
    json_t *root = model_json(m);
    if (!root)
        return NULL;
    char *s = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    json_decref(root);
    if (!s)
        return NULL;
    size_t n = strlen(s);
    char *t = realloc(s, n + 2); /* a final newline, as text files have */
    if (!t) {
        free(s);
        return NULL;
    }
    t[n] = '\n';
    t[n + 1] = '\0';
    return t;
}

ck_status ck_model_save(const ck_model *m, const char *path, ck_error *err)
{
    char *text = ck_model_to_json(m);
    if (!text)
        return ck_error_set(err, CK_ENOMEM, "%s: out of memory writing the model", path);
    ck_status st = ck_ofile_write_string(path, text, err);
    free(text);
    return st;
}

/* ------------------------------------------------------------------ */
/* reading: every field is checked, and a failure names the field */

typedef struct reader {
    const char *source;
    ck_error *err;
} reader;

static ck_status bad(reader *rd, const char *field, const char *what)
{
    return ck_error_set(rd->err, CK_EMODEL, "%s: field '%s' %s", rd->source, field, what);
}

/* A failure from a part that knows nothing of the file: names the file, and
 * calls it a model error (out of memory stays what it is). */
static ck_status model_error(reader *rd, ck_status st)
{
    if (st == CK_ENOMEM)
        return st;
    ck_error_prefix(rd->err, rd->source);
    if (rd->err)
        rd->err->status = CK_EMODEL;
    return CK_EMODEL;
}

static ck_status get(reader *rd, json_t *o, const char *key, const char *field, json_t **out)
{
    *out = json_object_get(o, key);
    return *out ? CK_OK : bad(rd, field, "is missing");
}

static ck_status get_str(reader *rd, json_t *o, const char *key, const char *field,
                         char **out)
{
    json_t *v;
    if (get(rd, o, key, field, &v) != CK_OK)
        return CK_EMODEL;
    if (!json_is_string(v))
        return bad(rd, field, "must be a string");
    *out = strdup(json_string_value(v));
    return *out ? CK_OK : ck_error_set(rd->err, CK_ENOMEM, "out of memory");
}

/* A number; `nullable` accepts null as NaN. */
static ck_status get_num(reader *rd, json_t *o, const char *key, const char *field,
                         int nullable, double *out)
{
    json_t *v;
    if (get(rd, o, key, field, &v) != CK_OK)
        return CK_EMODEL;
    if (json_is_null(v) && nullable) {
        *out = NAN;
        return CK_OK;
    }
    if (!json_is_number(v))
        return bad(rd, field, "must be a number");
    *out = json_number_value(v);
    return CK_OK;
}

static ck_status get_bool(reader *rd, json_t *o, const char *key, const char *field, int *out)
{
    json_t *v;
    if (get(rd, o, key, field, &v) != CK_OK)
        return CK_EMODEL;
    if (!json_is_boolean(v))
        return bad(rd, field, "must be true or false");
    *out = json_is_true(v);
    return CK_OK;
}

static ck_status get_nums(reader *rd, json_t *o, const char *key, const char *field, size_t n,
                          double *out)
{
    json_t *a;
    if (get(rd, o, key, field, &a) != CK_OK)
        return CK_EMODEL;
    if (!json_is_array(a) || json_array_size(a) != n)
        return bad(rd, field, "has the wrong length");
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(a, i);
        if (!json_is_number(v) && !json_is_null(v))
            return bad(rd, field, "must hold numbers");
        out[i] = json_is_null(v) ? NAN : json_number_value(v);
    }
    return CK_OK;
}

static ck_status read_numeric(reader *rd, json_t *o, const char *field, ck_feature *f)
{
    char path[300];
    ck_status st;
    f->kind = CK_FEAT_NUMERIC;
#define FIELD(k) (snprintf(path, sizeof path, "%s.%s", field, k), path)
    json_t *tr = json_object_get(o, "transform"); /* optional: "none" */
    if (tr && !(json_is_string(tr) && (strcmp(json_string_value(tr), "none") == 0 ||
                                       strcmp(json_string_value(tr), "symlog") == 0)))
        return bad(rd, FIELD("transform"), "must be \"none\" or \"symlog\"");
    f->symlog = tr && strcmp(json_string_value(tr), "symlog") == 0;
    if ((st = get_num(rd, o, "impute", FIELD("impute"), 0, &f->median)) != CK_OK ||
        (st = get_num(rd, o, "mean", FIELD("mean"), 0, &f->mean)) != CK_OK ||
        (st = get_num(rd, o, "scale", FIELD("scale"), 0, &f->scale)) != CK_OK ||
        (st = get_bool(rd, o, "missing_indicator", FIELD("missing_indicator"),
                       &f->missing_indicator)) != CK_OK ||
        (st = get_num(rd, o, "train_missing_share", FIELD("train_missing_share"), 1,
                      &f->missing_share)) != CK_OK ||
        (st = get_nums(rd, o, "train_deciles", FIELD("train_deciles"), CK_DECILES,
                       f->deciles)) != CK_OK)
        return st;
    if (!(f->scale > 0) || !isfinite(f->scale))
        return bad(rd, FIELD("scale"), "must be a positive number");
    double edges[CK_DECILES];
    json_t *bs = json_object_get(o, "train_bin_shares"); /* optional */
    if (bs) {
        f->nbin_share = ck_feature_edges(f, edges) + 1;
        if ((st = get_nums(rd, o, "train_bin_shares", FIELD("train_bin_shares"), f->nbin_share,
                           f->bin_share)) != CK_OK)
            return st;
    }
#undef FIELD
    return CK_OK;
}

static ck_status read_categorical(reader *rd, json_t *o, const char *field, ck_feature *f)
{
    char path[300];
    json_t *lv;
    f->kind = CK_FEAT_CATEGORICAL;
    snprintf(path, sizeof path, "%s.levels", field);
    if (get(rd, o, "levels", path, &lv) != CK_OK)
        return CK_EMODEL;
    if (!json_is_array(lv) || json_array_size(lv) == 0)
        return bad(rd, path, "must be a non-empty list of strings");
    f->nlevels = json_array_size(lv);
    f->levels = calloc(f->nlevels, sizeof *f->levels);
    f->level_share = calloc(f->nlevels, sizeof *f->level_share);
    if (!f->levels || !f->level_share)
        return ck_error_set(rd->err, CK_ENOMEM, "out of memory");
    for (size_t k = 0; k < f->nlevels; k++) {
        json_t *v = json_array_get(lv, k);
        if (!json_is_string(v))
            return bad(rd, path, "must be a list of strings");
        if (!(f->levels[k] = strdup(json_string_value(v))))
            return ck_error_set(rd->err, CK_ENOMEM, "out of memory");
    }
    ck_status st;
    snprintf(path, sizeof path, "%s.drop_first", field);
    if ((st = get_bool(rd, o, "drop_first", path, &f->drop_first)) != CK_OK)
        return st;
    snprintf(path, sizeof path, "%s.train_missing_share", field);
    if ((st = get_num(rd, o, "train_missing_share", path, 1, &f->missing_share)) != CK_OK)
        return st;
    snprintf(path, sizeof path, "%s.train_level_shares", field);
    return get_nums(rd, o, "train_level_shares", path, f->nlevels, f->level_share);
}

static ck_status read_features(reader *rd, json_t *root, ck_model *m)
{
    json_t *feats;
    if (get(rd, root, "features", "features", &feats) != CK_OK)
        return CK_EMODEL;
    if (!json_is_array(feats) || json_array_size(feats) == 0)
        return bad(rd, "features", "must be a non-empty list");
    m->pl = ck_pipeline_new();
    if (!m->pl || !(m->pl->feat = calloc(json_array_size(feats), sizeof *m->pl->feat)))
        return ck_error_set(rd->err, CK_ENOMEM, "out of memory");
    for (size_t k = 0; k < json_array_size(feats); k++) {
        json_t *o = json_array_get(feats, k);
        ck_feature *f = &m->pl->feat[k];
        char field[64], *type = NULL;
        ck_status st;
        m->pl->nfeat++;
        snprintf(field, sizeof field, "features[%zu]", k);
        if (!json_is_object(o))
            return bad(rd, field, "must be an object");
        char sub[80];
        snprintf(sub, sizeof sub, "%s.name", field);
        if ((st = get_str(rd, o, "name", sub, &f->name)) != CK_OK)
            return st;
        snprintf(sub, sizeof sub, "%s.type", field);
        if ((st = get_str(rd, o, "type", sub, &type)) != CK_OK)
            return st;
        if (strcmp(type, "numeric") == 0)
            st = read_numeric(rd, o, field, f);
        else if (strcmp(type, "categorical") == 0)
            st = read_categorical(rd, o, field, f);
        else
            st = bad(rd, sub, "must be \"numeric\" or \"categorical\"");
        free(type);
        if (st != CK_OK)
            return st;
    }
    ck_status st = ck_pipeline_finish(m->pl, rd->err);
    if (st != CK_OK)
        return model_error(rd, st);
    return CK_OK;
}

/* The stored encoded names must be what the features give. */
static ck_status check_encoded(reader *rd, json_t *root, const ck_model *m)
{
    json_t *enc;
    if (get(rd, root, "encoded", "encoded", &enc) != CK_OK)
        return CK_EMODEL;
    if (!json_is_array(enc) || json_array_size(enc) != m->pl->width)
        return ck_error_set(rd->err, CK_EMODEL, "%s: the features encode %zu columns but "
                                                "'encoded' lists %zu", rd->source, m->pl->width,
                            json_is_array(enc) ? json_array_size(enc) : 0);
    for (size_t j = 0; j < m->pl->width; j++) {
        json_t *v = json_array_get(enc, j);
        if (!json_is_string(v) || strcmp(json_string_value(v), m->pl->encoded[j]) != 0)
            return ck_error_set(rd->err, CK_EMODEL, "%s: encoded column %zu should be '%s'",
                                rd->source, j, m->pl->encoded[j]);
    }
    return CK_OK;
}

static ck_status read_coefficients(reader *rd, json_t *root, ck_model *m)
{
    json_t *c, *terms, *stat;
    ck_status st;
    if (get(rd, root, "coefficients", "coefficients", &c) != CK_OK ||
        get(rd, c, "terms", "coefficients.terms", &terms) != CK_OK ||
        get(rd, c, "statistic", "coefficients.statistic", &stat) != CK_OK)
        return CK_EMODEL;
    m->p = m->pl->width + 1;
    if (!json_is_array(terms) || json_array_size(terms) != m->p)
        return ck_error_set(rd->err, CK_EMODEL, "%s: %zu coefficients for %zu encoded columns "
                                                "(expected %zu with the intercept)", rd->source,
                            json_is_array(terms) ? json_array_size(terms) : 0, m->pl->width,
                            m->p);
    m->coef_t = json_is_string(stat) && strcmp(json_string_value(stat), "t") == 0;
    if ((st = get_bool(rd, c, "approximate", "coefficients.approximate",
                       &m->coef_approximate)) != CK_OK)
        return st;
    m->beta = calloc(m->p, sizeof *m->beta);
    m->coef = calloc(m->p, sizeof *m->coef);
    if (!m->beta || !m->coef)
        return ck_error_set(rd->err, CK_ENOMEM, "out of memory");
    for (size_t j = 0; j < m->p; j++) {
        json_t *t = json_array_get(terms, j), *name = json_object_get(t, "term");
        const char *want = j ? m->pl->encoded[j - 1] : "(intercept)";
        char field[64];
        snprintf(field, sizeof field, "coefficients.terms[%zu]", j);
        if (!json_is_string(name) || strcmp(json_string_value(name), want) != 0)
            return ck_error_set(rd->err, CK_EMODEL, "%s: coefficient %zu is for '%s' but the "
                                                    "features put '%s' there", rd->source, j,
                                json_is_string(name) ? json_string_value(name) : "?", want);
        if ((st = get_num(rd, t, "coef", field, 0, &m->beta[j])) != CK_OK)
            return st;
        ck_coef_row *r = &m->coef[j];
        r->coef = m->beta[j];
        /* inference fields are optional: NaN when absent */
        json_t *v;
        r->se = json_is_number(v = json_object_get(t, "se")) ? json_number_value(v) : NAN;
        r->stat = json_is_number(v = json_object_get(t, m->coef_t ? "t" : "z"))
                      ? json_number_value(v) : NAN;
        r->p_value = json_is_number(v = json_object_get(t, "p")) ? json_number_value(v) : NAN;
        r->lo = json_is_number(v = json_object_get(t, "ci_low")) ? json_number_value(v) : NAN;
        r->hi = json_is_number(v = json_object_get(t, "ci_high")) ? json_number_value(v) : NAN;
        if (!isfinite(m->beta[j]))
            return bad(rd, field, "must be a finite number");
    }
    return CK_OK;
}

static ck_status read_svm(reader *rd, json_t *root, ck_model *m)
{
    json_t *s;
    char *text = NULL;
    if (get(rd, root, "svm", "svm", &s) != CK_OK)
        return CK_EMODEL;
    ck_status st = get_str(rd, s, "libsvm_model", "svm.libsvm_model", &text);
    if (st != CK_OK)
        return st;
    st = ck_svm_from_text(&m->svm, text, m->pl->width, m->task == CK_TASK_REGRESSION, rd->err);
    free(text);
    if (st != CK_OK)
        return model_error(rd, st);
    return CK_OK;
}

static ck_status read_kind(reader *rd, json_t *root, ck_model *m)
{
    char *s = NULL;
    ck_status st = get_str(rd, root, "task", "task", &s);
    if (st != CK_OK)
        return st;
    m->task = strcmp(s, "classification") == 0 ? CK_TASK_CLASSIFICATION
              : strcmp(s, "regression") == 0   ? CK_TASK_REGRESSION : 0;
    free(s);
    if (!m->task)
        return bad(rd, "task", "must be \"classification\" or \"regression\"");
    if ((st = get_str(rd, root, "estimator", "estimator", &s)) != CK_OK)
        return st;
    m->estimator = strcmp(s, "logistic") == 0 ? CK_EST_LOGISTIC
                   : strcmp(s, "linear") == 0 ? CK_EST_LINEAR
                   : strcmp(s, "svm") == 0    ? CK_EST_SVM : 0;
    free(s);
    if (!m->estimator)
        return bad(rd, "estimator", "must be \"logistic\", \"linear\" or \"svm\"");
    if ((m->estimator == CK_EST_LOGISTIC && m->task != CK_TASK_CLASSIFICATION) ||
        (m->estimator == CK_EST_LINEAR && m->task != CK_TASK_REGRESSION))
        return bad(rd, "estimator", "does not fit the task");
    return CK_OK;
}

static ck_status read_label(reader *rd, json_t *root, ck_model *m)
{
    json_t *label, *id;
    ck_status st;
    if (get(rd, root, "label", "label", &label) != CK_OK)
        return CK_EMODEL;
    if ((st = get_str(rd, label, "name", "label.name", &m->label)) != CK_OK)
        return st;
    if (m->task == CK_TASK_CLASSIFICATION &&
        ((st = get_str(rd, label, "positive", "label.positive", &m->positive)) != CK_OK ||
         (st = get_str(rd, label, "negative", "label.negative", &m->negative)) != CK_OK))
        return st;
    if (get(rd, root, "id", "id", &id) != CK_OK)
        return CK_EMODEL;
    if (json_is_string(id) && !(m->id = strdup(json_string_value(id))))
        return ck_error_set(rd->err, CK_ENOMEM, "out of memory");
    if (!json_is_string(id) && !json_is_null(id))
        return bad(rd, "id", "must be a string or null");
    return CK_OK;
}

static ck_status read_meta(reader *rd, json_t *root, ck_model *m)
{
    ck_status st;
    if (m->task == CK_TASK_CLASSIFICATION) {
        if ((st = get_num(rd, root, "threshold", "threshold", 0, &m->threshold)) != CK_OK ||
            (st = get_str(rd, root, "threshold_rule", "threshold_rule", &m->threshold_rule)) !=
                CK_OK)
            return st;
        if (!(m->threshold > 0 && m->threshold < 1))
            return bad(rd, "threshold", "must lie strictly between 0 and 1");
    }
    static const char *parts[] = {"fit", "training", "metrics"};
    json_t **slots[] = {&m->fit, &m->training, &m->metrics};
    for (size_t i = 0; i < 3; i++) {
        json_t *v;
        if (get(rd, root, parts[i], parts[i], &v) != CK_OK)
            return CK_EMODEL;
        if (!json_is_object(v))
            return bad(rd, parts[i], "must be an object");
        json_decref(*slots[i]);
        *slots[i] = json_incref(v);
    }
    return CK_OK;
}

static ck_status read_header(reader *rd, json_t *root)
{
    json_t *format = json_object_get(root, "format"), *version = json_object_get(root, "version");
    if (!json_is_string(format) || strcmp(json_string_value(format), "churnkit-model") != 0)
        return ck_error_set(rd->err, CK_EMODEL, "%s: not a churnkit model file (no \"format\": "
                                                "\"churnkit-model\")", rd->source);
    if (!json_is_integer(version) || json_integer_value(version) < 1)
        return bad(rd, "version", "must be a positive whole number");
    if (json_integer_value(version) > CK_MODEL_VERSION)
        return ck_error_set(rd->err, CK_EMODEL, "%s: model file version %lld is newer than this "
                                                "churnkit %s reads (up to %d); upgrade churnkit",
                            rd->source, (long long)json_integer_value(version), CK_VERSION,
                            CK_MODEL_VERSION);
    return CK_OK;
}

static ck_status read_model(reader *rd, json_t *root, ck_model *m)
{
    ck_status st;
    if (!json_is_object(root))
        return ck_error_set(rd->err, CK_EMODEL, "%s: not a churnkit model file (not a JSON "
                                                "object)", rd->source);
    if ((st = read_header(rd, root)) != CK_OK ||
        (st = get_str(rd, root, "name", "name", &m->name)) != CK_OK ||
        (st = read_kind(rd, root, m)) != CK_OK || (st = read_label(rd, root, m)) != CK_OK ||
        (st = read_features(rd, root, m)) != CK_OK || (st = check_encoded(rd, root, m)) != CK_OK)
        return st;
    st = m->estimator == CK_EST_SVM ? read_svm(rd, root, m) : read_coefficients(rd, root, m);
    if (st != CK_OK)
        return st;
    return read_meta(rd, root, m);
}

static ck_status finish_load(ck_model **out, json_t *root, const char *source, ck_error *err)
{
    reader rd = {source, err};
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

ck_status ck_model_parse(ck_model **out, const char *text, const char *source, ck_error *err)
{
    json_error_t je;
    *out = NULL;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return ck_error_at(err, CK_EMODEL, source, (unsigned long)(je.line > 0 ? je.line : 0),
                           (unsigned long)(je.column > 0 ? je.column : 0),
                           "damaged model file: %s", je.text);
    return finish_load(out, root, source, err);
}

ck_status ck_model_load(ck_model **out, const char *path, ck_error *err)
{
    json_error_t je;
    *out = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return ck_error_set(err, CK_EIO, "%s: cannot open: %s", path, strerror(errno));
    json_t *root = json_loadf(fp, JSON_REJECT_DUPLICATES, &je);
    int io = ferror(fp) ? errno : 0;
    fclose(fp);
    if (io) {
        json_decref(root);
        return ck_error_set(err, CK_EIO, "%s: read error: %s", path, strerror(io));
    }
    if (!root)
        return ck_error_at(err, CK_EMODEL, path, (unsigned long)(je.line > 0 ? je.line : 0),
                           (unsigned long)(je.column > 0 ? je.column : 0),
                           "damaged model file: %s", je.text);
    return finish_load(out, root, path, err);
}
