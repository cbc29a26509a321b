/*
 * threshold.h -- choosing a classifier's decision threshold from scores and
 * labels (the out-of-fold predictions of cross-validation, never the test
 * split).
 *
 * Every candidate cut lies between two distinct scores, so rows tied at a
 * score are named together.  Two kinds of rule:
 *   - maximize a figure: F1, Youden's J (sensitivity + specificity - 1), or
 *     accuracy; the highest cut wins a tie;
 *   - the least cost: fp false positives cost cost_fp each, fn false
 *     negatives cost_fn each, and the cut minimizes fp cost_fp + fn cost_fn
 *     (for a retention offer costing C a contact that keeps a customer
 *     worth V: cost_fp = C, cost_fn = V - C);
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
    CK_THRESHOLD_RECALL,    /* recall >= target, the most precision */
    CK_THRESHOLD_COST       /* the least fp cost_fp + fn cost_fn */
} ck_threshold_rule;

/* A rule and what it needs: the floor (precision, recall) or the two
 * costs (cost, both > 0). */
typedef struct ck_threshold_spec {
    ck_threshold_rule rule;
    double target;
    double cost_fp, cost_fn;
} ck_threshold_spec;

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
 * anything else negative) by spec.  Fills *pick; with no rows, or the
 * fixed rule, the cut is 0.5.  Returns 0, or -1 out of memory. */
int ck_threshold_choose(const double *y, const double *p, size_t n, const ck_threshold_spec *spec,
                        ck_threshold_pick *pick);

/* "fixed", "f1", "youden", "accuracy", "precision", "recall" or "cost". */
const char *ck_threshold_rule_name(ck_threshold_rule r);

/* The rule as a model file records it: the name, with the floor of the
 * floor rules ("precision>=0.85") and the costs of the cost rule
 * ("cost(fp=1,fn=5)").  Writes at most size bytes of buf. */
void ck_threshold_rule_format(const ck_threshold_spec *spec, char *buf, size_t size);

/* Reads "fixed", "f1", "youden", "accuracy", "precision>=X" or
 * "recall>=X" (X in (0, 1]), or "cost(fp=A,fn=B)" (A, B > 0) into *spec.
 * Returns 0, or -1 when s is none of them. */
int ck_threshold_rule_parse(const char *s, ck_threshold_spec *spec);

#endif
