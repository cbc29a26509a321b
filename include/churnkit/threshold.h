/*
 * threshold.h -- choosing a classifier's decision threshold from scores and
 * labels (the out-of-fold predictions of cross-validation, never the test
 * split).
 *
 * Every candidate cut lies between two distinct scores, so rows tied at a
 * score are named together.  Two kinds of rule:
 *   - maximize a figure: F1, Youden's J (sensitivity + specificity - 1), or
 *     accuracy; the highest cut wins a tie;
 *   - meet a floor and make the most of the other side: precision >= X with
 *     the most recall (the business's "of the accounts named, X really
 *     are"), or recall >= X with the most precision.  When no cut meets the
 *     floor, the pick says so and reports the best that can be had.
 */
#ifndef CHURNKIT_THRESHOLD_H
#define CHURNKIT_THRESHOLD_H

#include <stddef.h>

typedef enum ck_threshold_rule {
    CK_THRESHOLD_FIXED = 0, /* a threshold given by the user */
    CK_THRESHOLD_F1,        /* maximize F1 */
    CK_THRESHOLD_YOUDEN,    /* maximize sensitivity + specificity - 1 */
    CK_THRESHOLD_ACCURACY,  /* maximize accuracy */
    CK_THRESHOLD_PRECISION, /* precision >= target, the most recall */
    CK_THRESHOLD_RECALL     /* recall >= target, the most precision */
} ck_threshold_rule;

typedef struct ck_threshold_pick {
    double cut;         /* the threshold: a row is named when its score > cut
                           (>= for the scorer; no score equals a cut) */
    int reached;        /* the floor rules: 1 when some cut meets the target
                           (0: cut, precision and recall describe the best
                           that can be had: the highest precision, or the
                           highest recall, short of it); the others: 1 */
    size_t rows;        /* rows scored (0: no pick was made) */
    size_t named;       /* rows scoring above cut */
    double precision;   /* among them (0 when none is named) */
    double recall;      /* of the positives */
} ck_threshold_pick;

/* Picks a threshold from scores p[0..n) and labels y[0..n) (1 positive,
 * anything else negative) by `rule`; `target` is the floor of the
 * precision and recall rules (ignored by the others).  Fills *pick; with
 * no rows, or the fixed rule, the cut is 0.5.  Returns 0, or -1 out of
 * memory. */
int ck_threshold_choose(const double *y, const double *p, size_t n, ck_threshold_rule rule,
                        double target, ck_threshold_pick *pick);

/* "fixed", "f1", "youden", "accuracy", "precision" or "recall". */
const char *ck_threshold_rule_name(ck_threshold_rule r);

/* The rule as a model file records it: the name, and for the floor rules
 * the floor, as in "precision>=0.85".  Writes at most size bytes of buf. */
void ck_threshold_rule_format(ck_threshold_rule r, double target, char *buf, size_t size);

/* Reads "f1", "youden", "accuracy", "precision>=X" or "recall>=X" (X in
 * (0, 1]) into *rule and *target.  Returns 0, or -1 when s is none of them. */
int ck_threshold_rule_parse(const char *s, ck_threshold_rule *rule, double *target);

#endif
