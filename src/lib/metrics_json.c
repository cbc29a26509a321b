/* metrics_json.c -- metrics to and from JSON, one layout for model files and
 * eval reports (see metrics_json.h). */
#include "churnkit/metrics_json.h"

#include <math.h>
#include <stddef.h>

#define CLS(k, f, kind) {k, kind, offsetof(ck_class_metrics, f), NULL}
static const ck_fact class_summary[] = {
    CLS("rows", n, CK_FACT_SIZE),
    CLS("positives", n_pos, CK_FACT_SIZE),
    CLS("threshold", threshold, CK_FACT_REAL),
    CLS("accuracy", accuracy, CK_FACT_REAL),
    CLS("accuracy_ci_low", accuracy_lo, CK_FACT_REAL),
    CLS("accuracy_ci_high", accuracy_hi, CK_FACT_REAL),
    CLS("majority_accuracy", majority_accuracy, CK_FACT_REAL),
    CLS("balanced_accuracy", balanced_accuracy, CK_FACT_REAL),
    CLS("precision", precision, CK_FACT_REAL),
    CLS("recall", recall, CK_FACT_REAL),
    CLS("f1", f1, CK_FACT_REAL),
    CLS("specificity", specificity, CK_FACT_REAL),
    CLS("roc_auc", roc_auc, CK_FACT_REAL),
    CLS("average_precision", average_precision, CK_FACT_REAL),
    CLS("log_loss", log_loss, CK_FACT_REAL),
    CLS("brier", brier, CK_FACT_REAL),
};
static const ck_fact class_detail[] = {
    CLS("precision_ci_low", precision_lo, CK_FACT_REAL),
    CLS("precision_ci_high", precision_hi, CK_FACT_REAL),
    CLS("recall_ci_low", recall_lo, CK_FACT_REAL),
    CLS("recall_ci_high", recall_hi, CK_FACT_REAL),
    CLS("ece", ece, CK_FACT_REAL),
};
/* when the top k rows were named (top_named > 0) */
static const ck_fact class_top[] = {
    CLS("top_named", top_named, CK_FACT_SIZE),
    CLS("precision_at_top", precision_at_top, CK_FACT_REAL),
    CLS("precision_at_top_ci_low", precision_at_top_lo, CK_FACT_REAL),
    CLS("precision_at_top_ci_high", precision_at_top_hi, CK_FACT_REAL),
    CLS("recall_at_top", recall_at_top, CK_FACT_REAL),
    CLS("recall_at_top_ci_low", recall_at_top_lo, CK_FACT_REAL),
    CLS("recall_at_top_ci_high", recall_at_top_hi, CK_FACT_REAL),
};
static const ck_fact confusion[] = {
    {"tp", CK_FACT_SIZE, offsetof(ck_confusion, tp), NULL},
    {"fp", CK_FACT_SIZE, offsetof(ck_confusion, fp), NULL},
    {"tn", CK_FACT_SIZE, offsetof(ck_confusion, tn), NULL},
    {"fn", CK_FACT_SIZE, offsetof(ck_confusion, fn), NULL},
};
#undef CLS

#define REG(k, f, kind) {k, kind, offsetof(ck_reg_metrics, f), NULL}
static const ck_fact reg_summary[] = {
    REG("rows", n, CK_FACT_SIZE),
    REG("rmse", rmse, CK_FACT_REAL),
    REG("mae", mae, CK_FACT_REAL),
    REG("median_ae", median_ae, CK_FACT_REAL),
    REG("r2", r2, CK_FACT_REAL),
    REG("direction_accuracy", direction_accuracy, CK_FACT_REAL),
};
static const ck_fact reg_detail[] = {
    REG("direction_accuracy_changed", direction_changed, CK_FACT_REAL),
    REG("rows_changed", n_changed, CK_FACT_SIZE),
};
#undef REG

#define SRV(k, f, kind) {k, kind, offsetof(ck_surv_metrics, f), NULL}
static const ck_fact surv_summary[] = {
    SRV("rows", n, CK_FACT_SIZE),
    SRV("events", events, CK_FACT_SIZE),
    SRV("concordance", concordance, CK_FACT_REAL),
    SRV("concordance_se", concordance_se, CK_FACT_REAL),
    SRV("concordance_ci_low", concordance_lo, CK_FACT_REAL),
    SRV("concordance_ci_high", concordance_hi, CK_FACT_REAL),
};
#undef SRV


json_t *ck_surv_metrics_json(const ck_surv_metrics *s)
{
    json_t *o = json_object();
    int bad = !o || ck_json_put_facts(o, s, surv_summary, CK_NFACTS(surv_summary));
    return ck_json_done(o, bad);
}

ck_status ck_surv_metrics_read(ck_json_reader *rd, const json_t *o, const char *field,
                               ck_surv_metrics *s)
{
    *s = (ck_surv_metrics){0};
    return ck_json_get_facts(rd, o, field, s, surv_summary, CK_NFACTS(surv_summary), 1);
}

/* 0, or -1 when a field could not be set */
static int class_details(json_t *o, const ck_class_metrics *c)
{
    json_t *cm = json_object(), *rel = json_object(), *cnt = json_array();
    int bad = !cm || !rel || !cnt;
    bad |= ck_json_put_facts(o, c, class_detail, CK_NFACTS(class_detail));
    if (c->top_named)
        bad |= ck_json_put_facts(o, c, class_top, CK_NFACTS(class_top));
    bad |= ck_json_put_facts(cm, &c->cm, confusion, CK_NFACTS(confusion));
    bad |= ck_json_put(o, "confusion", cm);
    for (int k = 0; k < CK_RELIABILITY_BINS; k++)
        bad |= ck_json_push(cnt, json_integer((json_int_t)c->rel_count[k]));
    bad |= ck_json_put(rel, "count", cnt);
    bad |= ck_json_put(rel, "mean_predicted", ck_json_numbers(c->rel_mean_pred,
                                                              CK_RELIABILITY_BINS));
    bad |= ck_json_put(rel, "observed_rate", ck_json_numbers(c->rel_obs_rate,
                                                             CK_RELIABILITY_BINS));
    bad |= ck_json_put(o, "reliability", rel);
    bad |= ck_json_put(o, "gains", ck_json_numbers(c->gains, CK_GAINS_BINS));
    bad |= ck_json_put(o, "lift", ck_json_numbers(c->lift, CK_GAINS_BINS));
    return bad;
}

json_t *ck_class_metrics_json(const ck_class_metrics *c, int detail)
{
    json_t *o = json_object();
    int bad = !o;
    bad |= ck_json_put_facts(o, c, class_summary, CK_NFACTS(class_summary));
    if (detail)
        bad |= class_details(o, c);
    return ck_json_done(o, bad);
}

json_t *ck_reg_metrics_json(const ck_reg_metrics *r, int detail)
{
    json_t *o = json_object();
    int bad = !o;
    bad |= ck_json_put_facts(o, r, reg_summary, CK_NFACTS(reg_summary));
    if (detail)
        bad |= ck_json_put_facts(o, r, reg_detail, CK_NFACTS(reg_detail));
    return ck_json_done(o, bad);
}

ck_status ck_class_metrics_read(ck_json_reader *rd, const json_t *o, const char *field,
                                ck_class_metrics *c)
{
    *c = (ck_class_metrics){0};
    c->ece = NAN; /* what the summary leaves out is unknown */
    for (int k = 0; k < CK_RELIABILITY_BINS; k++)
        c->rel_mean_pred[k] = c->rel_obs_rate[k] = NAN;
    for (int k = 0; k < CK_GAINS_BINS; k++)
        c->gains[k] = c->lift[k] = NAN;
    return ck_json_get_facts(rd, o, field, c, class_summary, CK_NFACTS(class_summary), 1);
}

ck_status ck_reg_metrics_read(ck_json_reader *rd, const json_t *o, const char *field,
                              ck_reg_metrics *r)
{
    *r = (ck_reg_metrics){0};
    r->direction_changed = r->mean_y = NAN;
    return ck_json_get_facts(rd, o, field, r, reg_summary, CK_NFACTS(reg_summary), 1);
}
