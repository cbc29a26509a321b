/* eval_target.c -- a target on any metric of an evaluation and the
 * verdicts against it (see eval.h, "Targets").
 *
 * The metric is looked up by its key in the very JSON object --json writes
 * for each entry (ck_eval_entry_metrics_json), so that every metric a report
 * shows can be a target, under the name a reader of the JSON knows, with no
 * second table of names to keep in step. */
#include "churnkit/eval.h"
#include "churnkit/str.h"
#include "churnkit/num.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

const char *ck_target_op_text(ck_target_op op)
{
    return op == CK_TARGET_LE ? "<=" : ">=";
}

/* Is the metric a share, in [0, 1]?  Then a target above 1 is a
 * percentage typed as one (85 for 0.85) and can never be met. */
static int share_metric(const char *metric)
{
    static const char *const exact[] = {
        "accuracy", "balanced_accuracy", "precision", "recall", "f1", "specificity",
        "roc_auc", "average_precision", "precision_at_top", "recall_at_top", "concordance",
        "direction_accuracy", "direction_accuracy_changed", "ece", "brier"};
    static const char *const prefix[] = {"auc_", "brier_", "observed_churn_",
                                         "predicted_churn_", "accuracy_", "precision_",
                                         "recall_", "concordance_"};
    for (size_t k = 0; k < sizeof exact / sizeof exact[0]; k++)
        if (strcmp(metric, exact[k]) == 0)
            return 1;
    for (size_t k = 0; k < sizeof prefix / sizeof prefix[0]; k++)
        if (strncmp(metric, prefix[k], strlen(prefix[k])) == 0 &&
            strncmp(metric, "brier_skill", 11) != 0)
            return 1;
    return 0;
}

ck_status ck_eval_target_parse(ck_eval_target *t, const char *typed, ck_error *err)
{
    char text[CK_TARGET_METRIC_MAX + 64] = "";
    if (ck_str_squeeze_rule(typed, text, sizeof text) != 0)
        return ck_error_set(err, CK_EUSAGE, "--target '%.80s...': too long", typed);
    const char *ge = strstr(text, ">="), *le = strstr(text, "<=");
    const char *op = ge ? ge : le;
    if (!op || (ge && le))
        return ck_error_set(err, CK_EUSAGE, "--target '%s': write METRIC>=VALUE or "
                                            "METRIC<=VALUE (such as roc_auc>=0.8)", text);
    size_t len = (size_t)(op - text);
    if (len == 0 || len >= sizeof t->metric)
        return ck_error_set(err, CK_EUSAGE, "--target '%s': no metric name before '%.2s' (or "
                                            "one longer than %d characters)",
                            text, op, CK_TARGET_METRIC_MAX - 1);
    for (size_t i = 0; i < len; i++)
        if (!(isalnum((unsigned char)text[i]) || text[i] == '_' || text[i] == '.'))
            return ck_error_set(err, CK_EUSAGE, "--target '%s': '%.*s' is not a metric name "
                                                "(letters, digits, '_' and '.')",
                                text, (int)len, text);
    double v;
    const char *num = op + 2;
    if (ck_num_parse(num, strlen(num), &v) != CK_NUM_OK)
        return ck_error_set(err, CK_EUSAGE, "--target '%s': '%s' is not a number", text, num);
    memcpy(t->metric, text, len);
    t->metric[len] = '\0';
    t->op = op == ge ? CK_TARGET_GE : CK_TARGET_LE;
    t->value = v;
    if (share_metric(t->metric) && (v > 1 || v < 0))
        return ck_error_set(err, CK_EUSAGE, "--target '%s': %s is a share in [0, 1]%s", text,
                            t->metric, v > 1 && v <= 100 ? " (85% is 0.85)" : "");
    return CK_OK;
}

static int meets(double v, const ck_eval_target *t)
{
    return t->op == CK_TARGET_GE ? v >= t->value : v <= t->value; /* NaN: never */
}

/* A number of m, NaN for null; 0 when the key is absent or holds
 * something else (an array, an object). */
static int number(const json_t *m, const char *key, double *out)
{
    json_t *v = json_object_get(m, key);
    if (!v || !(json_is_number(v) || json_is_null(v)))
        return 0;
    *out = json_is_number(v) ? json_number_value(v) : NAN;
    return 1;
}

/* A metric of m and its interval (KEY_ci_low, KEY_ci_high; NaN when
 * absent, and *interval 0); 0 when the metric is unknown. */
static int lookup(const json_t *m, const char *metric, double *value, double *lo, double *hi,
                  int *interval)
{
    char key[CK_TARGET_METRIC_MAX + 16];
    if (!number(m, metric, value))
        return 0;
    snprintf(key, sizeof key, "%s_ci_low", metric);
    *interval = number(m, key, lo);
    snprintf(key, sizeof key, "%s_ci_high", metric);
    *interval &= number(m, key, hi);
    if (!*interval)
        *lo = *hi = NAN;
    return 1;
}

/* "unknown metric" with the keys that can be targets. */
static ck_status unknown(const ck_eval_target *t, const json_t *m, ck_error *err)
{
    char keys[CK_ERROR_MAX - 160];
    size_t used = 0;
    const char *k;
    json_t *v;
    keys[0] = '\0';
    json_object_foreach((json_t *)m, k, v) {
        if (!(json_is_number(v) || json_is_null(v)))
            continue;
        int w = snprintf(keys + used, sizeof keys - used, "%s%s", used ? ", " : "", k);
        if (w < 0 || (size_t)w >= sizeof keys - used) {
            /* cut at the last whole key */
            keys[used] = '\0';
            snprintf(keys + used, sizeof keys - used, ", ...");
            break;
        }
        used += (size_t)w;
    }
    return ck_error_set(err, CK_EUSAGE, "unknown target metric '%s'; the metrics of this "
                                        "evaluation are: %s", t->metric, keys);
}

/* The verdict of one entry; 0 when the metric is unknown. */
static int judge(const ck_eval *ev, ck_eval_entry *e, int *interval, ck_error *err,
                 ck_status *st)
{
    json_t *m = ck_eval_entry_metrics_json(ev, e);
    if (!m) {
        *st = ck_error_set(err, CK_ENOMEM, "out of memory");
        return 0;
    }
    if (!lookup(m, ev->target.metric, &e->value, &e->lo, &e->hi, interval)) {
        *st = unknown(&ev->target, m, err);
        json_decref(m);
        return 0;
    }
    json_decref(m);
    e->met = meets(e->value, &ev->target);
    e->pass = e->met && !ev->baseline_meets_target;
    /* the interval's end on the target's side: the lower for >=, the upper for <= */
    double bound = ev->target.op == CK_TARGET_GE ? e->lo : e->hi;
    e->confirmed = e->pass && *interval && meets(bound, &ev->target);
    return 1;
}

ck_status ck_eval_apply_target(ck_eval *ev, ck_error *err)
{
    if (isnan(ev->target.value))
        return CK_OK;
    json_t *b = ck_eval_baseline_metrics_json(ev);
    double lo, hi;
    int interval;
    if (!b)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    /* the baseline's metrics have the entries' keys; an absent one is no
     * evidence either way and checked on the entries below */
    ev->baseline_value = NAN;
    if (lookup(b, ev->target.metric, &ev->baseline_value, &lo, &hi, &interval))
        ev->baseline_meets_target = meets(ev->baseline_value, &ev->target);
    json_decref(b);
    ck_status st = CK_OK;
    for (size_t i = 0; i < ev->nentries; i++)
        if (!judge(ev, &ev->entries[i], &ev->target_interval, err, &st))
            return st;
    if (ev->baseline && !judge(ev, ev->baseline, &interval, err, &st))
        return st;
    return CK_OK;
}

int ck_eval_all_pass(const ck_eval *ev)
{
    if (isnan(ev->target.value))
        return 1;
    for (size_t i = 0; i < ev->nentries; i++)
        if (!ev->entries[i].pass)
            return 0;
    return 1;
}

int ck_eval_any_missed(const ck_eval *ev)
{
    if (isnan(ev->target.value))
        return 0;
    for (size_t i = 0; i < ev->nentries; i++)
        if (!ev->entries[i].met)
            return 1;
    return 0;
}
