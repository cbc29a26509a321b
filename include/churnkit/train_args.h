/*
 * train_args.h -- churnkit-train's choices that depend on each other,
 * resolved once for every caller: the estimator and task, the estimator's
 * parameters as typed, the survival target, the options only a classifier
 * takes, class weights, and the threshold rule (a number, auto with its
 * metric, a precision or recall floor, or the least cost).  churnkit-train
 * (src/cli) and the Python package's ck_frame_train (frame_train.c) call
 * it, so both accept and refuse the same things with the same words.
 */
#ifndef CHURNKIT_TRAIN_ARGS_H
#define CHURNKIT_TRAIN_ARGS_H

#include <stddef.h>

#include "churnkit/error.h"
#include "churnkit/train.h"

/* The options as typed (borrowed; NULL or NaN: not given). */
typedef struct ck_train_words {
    const char *model;          /* --model (NULL: logistic, cox with --time) */
    const char *task;           /* --task */
    const char *time;           /* --time: a survival target */
    const char *threshold;      /* --threshold: a number, auto, cost, or
                                   precision>=X / recall>=X */
    const char *metric;         /* --threshold-metric f1|youden|accuracy */
    const char *class_weight;   /* --class-weight balanced|W */
    double cost[4];             /* --cost-fp, --cost-fn, --cost-contact,
                                   --value-saved */
    const char *const *pname;   /* the estimator parameters given, by name */
    const char *const *ptext;   /* and their text (NULL for a flag) */
    size_t nparams;
} ck_train_words;

/* Nothing given: every pointer NULL, the costs NaN. */
void ck_train_words_init(ck_train_words *w);

/* Sets t's estimator, task, parameters, class weights and threshold rule
 * from w (t's label, positive class and the rest already set by the
 * caller).  A choice that does not go with another is CK_EUSAGE with
 * churnkit-train's message, which names who takes the option. */
ck_status ck_train_resolve(ck_train_options *t, const ck_train_words *w, ck_error *err);

#endif
