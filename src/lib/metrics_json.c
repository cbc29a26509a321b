/* metrics_json.c -- metrics to and from JSON, one layout for model files and
 * eval reports (see metrics_json.h). */
#include "churnkit/metrics_json.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>

/* The summary's real-valued fields, in their written order; the counts
 * (rows, positives) come first and are written as integers. */
typedef struct field {
    const char *key;
    size_t offset;
} field;

#define CLS(k, f) {k, offsetof(ck_class_metrics, f)}
static const field class_fields[] = {
    CLS("threshold", threshold),
    CLS("accuracy", accuracy),
    CLS("accuracy_ci_low", accuracy_lo),
    CLS("accuracy_ci_high", accuracy_hi),
    CLS("majority_accuracy", majority_accuracy),
    CLS("balanced_accuracy", balanced_accuracy),
    CLS("precision", precision),
    CLS("recall", recall),
    CLS("f1", f1),
    CLS("specificity", specificity),
    CLS("roc_auc", roc_auc),
    CLS("average_precision", average_precision),
    CLS("log_loss", log_loss),
    CLS("brier", brier),
};
#undef CLS

#define REG(k, f) {k, offsetof(ck_reg_metrics, f)}
static const field reg_fields[] = {
    REG("rmse", rmse),
    REG("mae", mae),
    REG("median_ae", median_ae),
    REG("r2", r2),
    REG("direction_accuracy", direction_accuracy),
};
#undef REG

#define NFIELDS(a) (sizeof a / sizeof a[0])

static double *at(const void *base, const field *f)
{
    return (double *)((char *)(void *)base + f->offset);
}

static void put_fields(json_t *o, const void *base, const field *f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ck_json_set_number(o, f[i].key, *at(base, &f[i]));
}

static ck_status read_fields(ck_json_reader *rd, const json_t *o, const char *where, void *base,
                             const field *f, size_t n)
{
    char path[160];
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s.%s", where, f[i].key);
        ck_status st = ck_json_get_number(rd, o, f[i].key, path, 1, at(base, &f[i]));
        if (st != CK_OK)
            return st;
    }
    return CK_OK;
}

static json_t *count_json(size_t v)
{
    return json_integer((json_int_t)v);
}

static void class_details(json_t *o, const ck_class_metrics *c)
{
    json_t *cm = json_object(), *rel = json_object(), *cnt = json_array();
    ck_json_set_number(o, "ece", c->ece);
    json_object_set_new(cm, "tp", count_json(c->cm.tp));
    json_object_set_new(cm, "fp", count_json(c->cm.fp));
    json_object_set_new(cm, "tn", count_json(c->cm.tn));
    json_object_set_new(cm, "fn", count_json(c->cm.fn));
    json_object_set_new(o, "confusion", cm);
    for (int k = 0; k < CK_RELIABILITY_BINS; k++)
        json_array_append_new(cnt, count_json(c->rel_count[k]));
    json_object_set_new(rel, "count", cnt);
    json_object_set_new(rel, "mean_predicted", ck_json_numbers(c->rel_mean_pred,
                                                              CK_RELIABILITY_BINS));
    json_object_set_new(rel, "observed_rate", ck_json_numbers(c->rel_obs_rate,
                                                             CK_RELIABILITY_BINS));
    json_object_set_new(o, "reliability", rel);
    json_object_set_new(o, "gains", ck_json_numbers(c->gains, CK_GAINS_BINS));
    json_object_set_new(o, "lift", ck_json_numbers(c->lift, CK_GAINS_BINS));
}

json_t *ck_class_metrics_json(const ck_class_metrics *c, int detail)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "rows", count_json(c->n));
    json_object_set_new(o, "positives", count_json(c->n_pos));
    put_fields(o, c, class_fields, NFIELDS(class_fields));
    if (detail)
        class_details(o, c);
    return o;
}

json_t *ck_reg_metrics_json(const ck_reg_metrics *r, int detail)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "rows", count_json(r->n));
    put_fields(o, r, reg_fields, NFIELDS(reg_fields));
    if (detail) {
        ck_json_set_number(o, "direction_accuracy_changed", r->direction_changed);
        json_object_set_new(o, "rows_changed", count_json(r->n_changed));
    }
    return o;
}

/* Fields the summary leaves out read as unknown. */
static void class_unknown(ck_class_metrics *c)
{
    c->ece = NAN;
    for (int k = 0; k < CK_RELIABILITY_BINS; k++)
        c->rel_mean_pred[k] = c->rel_obs_rate[k] = NAN;
    for (int k = 0; k < CK_GAINS_BINS; k++)
        c->gains[k] = c->lift[k] = NAN;
}

ck_status ck_class_metrics_read(ck_json_reader *rd, const json_t *o, const char *field,
                                ck_class_metrics *c)
{
    char path[160];
    ck_status st;
    *c = (ck_class_metrics){0};
    class_unknown(c);
    snprintf(path, sizeof path, "%s.rows", field);
    if ((st = ck_json_get_count(rd, o, "rows", path, &c->n)) != CK_OK)
        return st;
    snprintf(path, sizeof path, "%s.positives", field);
    if ((st = ck_json_get_count(rd, o, "positives", path, &c->n_pos)) != CK_OK)
        return st;
    return read_fields(rd, o, field, c, class_fields, NFIELDS(class_fields));
}

ck_status ck_reg_metrics_read(ck_json_reader *rd, const json_t *o, const char *field,
                              ck_reg_metrics *r)
{
    char path[160];
    ck_status st;
    *r = (ck_reg_metrics){0};
    r->direction_changed = r->mean_y = NAN;
    snprintf(path, sizeof path, "%s.rows", field);
    if ((st = ck_json_get_count(rd, o, "rows", path, &r->n)) != CK_OK)
        return st;
    return read_fields(rd, o, field, r, reg_fields, NFIELDS(reg_fields));
}
