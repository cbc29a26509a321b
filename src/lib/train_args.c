/* train_args.c -- churnkit-train's interdependent options resolved (see
 * train_args.h). */
#include "churnkit/train_args.h"
#include "churnkit/str.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void ck_train_words_init(ck_train_words *w)
{
    memset(w, 0, sizeof *w);
    for (int k = 0; k < 4; k++)
        w->cost[k] = NAN;
}

/* --threshold cost: --cost-fp and --cost-fn, or --cost-contact C and
 * --value-saved V, which are fp cost C and fn cost V - C (a contact costs
 * C; a churner contacted is kept, worth V; one missed loses V - C net). */
static ck_status resolve_cost(ck_train_options *t, const ck_train_words *w, int costs, int value,
                              ck_error *err)
{
    if (w->metric)
        return ck_error_set(err, CK_EUSAGE, "--threshold-metric goes with --threshold auto, not "
                                            "cost");
    if (costs && value)
        return ck_error_set(err, CK_EUSAGE, "--threshold cost takes one pair: --cost-fp and "
                                            "--cost-fn, or --cost-contact and --value-saved, not "
                                            "both");
    if (!((costs == 2 && value == 0) || (costs == 0 && value == 2)))
        return ck_error_set(err, CK_EUSAGE, "--threshold cost needs --cost-fp and --cost-fn, or "
                                            "--cost-contact and --value-saved");
    t->threshold_rule = CK_THRESHOLD_COST;
    t->cost_fp = costs ? w->cost[0] : w->cost[2];
    t->cost_fn = costs ? w->cost[1] : w->cost[3] - w->cost[2];
    if (!(t->cost_fn > 0))
        return ck_error_set(err, CK_EUSAGE, "--value-saved (%g) must exceed --cost-contact (%g): "
                                            "otherwise no contact pays", w->cost[3], w->cost[2]);
    return CK_OK;
}

/* A floor: --threshold precision>=X (recall>=X) picks the most recall
 * (precision) that keeps it. */
static ck_status resolve_floor(ck_train_options *t, const ck_train_words *w, ck_error *err)
{
    ck_threshold_spec spec;
    char rule[64];
    if (ck_str_squeeze_rule(w->threshold, rule, sizeof rule) != 0 ||
        ck_threshold_rule_parse(rule, &spec) != 0 ||
        (spec.rule != CK_THRESHOLD_PRECISION && spec.rule != CK_THRESHOLD_RECALL))
        return ck_error_set(err, CK_EUSAGE, "--threshold '%s': a floor reads precision>=X or "
                                            "recall>=X, X in (0, 1]", w->threshold);
    if (w->metric)
        return ck_error_set(err, CK_EUSAGE, "--threshold-metric goes with --threshold auto, not "
                                            "with a floor");
    t->threshold_rule = spec.rule;
    t->threshold_target = spec.target;
    return CK_OK;
}

/* --threshold T is fixed; --threshold auto picks it on the CV predictions
 * by --threshold-metric (default f1), which goes with auto only. */
static ck_status resolve_threshold(ck_train_options *t, const ck_train_words *w, ck_error *err)
{
    static const char *tmetrics[] = {"f1", "youden", "accuracy"};
    const char *th = w->threshold;
    int auto_ = th && strcmp(th, "auto") == 0, cost = th && strcmp(th, "cost") == 0, i = 0;
    int costs = !isnan(w->cost[0]) + !isnan(w->cost[1]);
    int value = !isnan(w->cost[2]) + !isnan(w->cost[3]);
    if (!cost && costs + value)
        return ck_error_set(err, CK_EUSAGE, "--cost-fp, --cost-fn, --cost-contact and "
                                            "--value-saved go with --threshold cost");
    if (cost)
        return resolve_cost(t, w, costs, value, err);
    if (th && strpbrk(th, "<>"))
        return resolve_floor(t, w, err);
    if (th && !auto_) {
        char *end;
        double v = strtod(th, &end);
        if (end == th || *end || !(v >= 1e-9 && v <= 1 - 1e-9))
            return ck_error_set(err, CK_EUSAGE, "--threshold: '%s' is not a number in "
                                                "[1e-09, 1]", th);
        t->threshold = v;
    }
    if (w->metric && !auto_)
        return ck_error_set(err, CK_EUSAGE, "--threshold-metric goes with --threshold auto");
    for (i = 0; w->metric && i < 3 && strcmp(w->metric, tmetrics[i]) != 0; i++)
        ;
    if (i == 3)
        return ck_error_set(err, CK_EUSAGE, "--threshold-metric: unknown value '%s'", w->metric);
    t->threshold_rule = auto_ ? (ck_threshold_rule)(i + 1) : CK_THRESHOLD_FIXED;
    return CK_OK;
}

static ck_status resolve_class_weight(ck_train_options *t, const ck_train_words *w,
                                      const ck_estimator_type *type, ck_error *err)
{
    if (!w->class_weight)
        return CK_OK;
    if (!(type->flags & CK_EST_CLASS_WEIGHTS))
        return ck_error_set(err, CK_EUSAGE, "--class-weight does not apply to --model %s",
                            type->name);
    if (strcmp(w->class_weight, "balanced") == 0) {
        t->balanced = 1;
        return CK_OK;
    }
    char *end;
    double v = strtod(w->class_weight, &end);
    if (end == w->class_weight || *end || !(v >= 1e-6 && v <= 1e6))
        return ck_error_set(err, CK_EUSAGE, "--class-weight (balanced, or the positive class's "
                                            "weight): '%s' is not a number in [1e-06, 1e+06]",
                            w->class_weight);
    t->weight_pos = v;
    return CK_OK;
}

/* The estimator and task, and what goes with the task. */
static ck_status resolve_task(ck_train_options *t, const ck_train_words *w,
                              const ck_estimator_type *type, ck_error *err)
{
    if (w->task && !(t->task = ck_task_from_name(w->task)))
        return ck_error_set(err, CK_EUSAGE, "--task: unknown task '%s' (classification, "
                                            "regression, survival)", w->task);
    if (w->time && !w->task)
        t->task = CK_TASK_SURVIVAL;
    if (w->time && t->task != CK_TASK_SURVIVAL)
        return ck_error_set(err, CK_EUSAGE, "--time is a survival model's target; --task %s "
                                            "takes --label", w->task);
    if (t->task && !ck_estimator_supports(type, t->task))
        return ck_error_set(err, CK_EUSAGE, "--model %s does not do %s", type->name,
                            ck_task_name(t->task));
    return CK_OK;
}

ck_status ck_train_resolve(ck_train_options *t, const ck_train_words *w, ck_error *err)
{
    char choices[200];
    const ck_estimator_type *type =
        ck_estimator_find(w->model ? w->model : w->time ? "cox" : "logistic");
    ck_estimator_choices(choices, sizeof choices);
    if (!type)
        return ck_error_set(err, CK_EUSAGE, "--model: unknown estimator '%s' (%s)", w->model,
                            choices);
    ck_train_options_use(t, type);
    ck_status st = resolve_task(t, w, type, err);
    for (size_t i = 0; st == CK_OK && i < w->nparams; i++)
        st = ck_train_options_set(t, w->pname[i], w->ptext[i], err);
    if (st != CK_OK)
        return st;
    ck_task task = t->task ? t->task : type->default_task;
    if (task == CK_TASK_SURVIVAL && !w->time)
        return ck_error_set(err, CK_EUSAGE, "--model %s is a survival model: give --time COLUMN "
                                            "and --event COLUMN instead of --label", type->name);
    const char *cls_only = t->positive      ? "--positive"
                           : w->threshold    ? "--threshold"
                           : w->metric       ? "--threshold-metric"
                           : w->class_weight ? "--class-weight" : NULL;
    if (task != CK_TASK_CLASSIFICATION && cls_only)
        return ck_error_set(err, CK_EUSAGE, "%s is for classifiers; --model %s here does %s",
                            cls_only, type->name, ck_task_name(task));
    st = resolve_class_weight(t, w, type, err);
    return st != CK_OK ? st : resolve_threshold(t, w, err);
}
