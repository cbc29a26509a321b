/* threshold.c -- the decision threshold from scores and labels: one pass
 * down the scores, sorted once, naming a tie group at a time. */
#include "churnkit/threshold.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct scored {
    double p, y;
} scored;

static int by_score_desc(const void *a, const void *b)
{
    double x = ((const scored *)a)->p, y = ((const scored *)b)->p;
    return (x < y) - (x > y);
}

/* The figure a maximizing rule maximizes, with tp true and fp false
 * positives named among pos positives and neg negatives. */
static double figure(ck_threshold_rule rule, double tp, double fp, double pos, double neg)
{
    double fn = pos - tp, tn = neg - fp;
    switch (rule) {
    case CK_THRESHOLD_F1: return tp > 0 ? 2 * tp / (2 * tp + fp + fn) : 0;
    case CK_THRESHOLD_YOUDEN: return (pos > 0 ? tp / pos : 0) - (neg > 0 ? fp / neg : 0);
    case CK_THRESHOLD_ACCURACY: return (tp + tn) / (pos + neg);
    default: break;
    }
    return 0;
}

/* One candidate cut, naming the rows above it. */
typedef struct cand {
    double cut, tp, fp;
    size_t named;
} cand;

static double prec(const cand *c)
{
    return c->named ? c->tp / (double)c->named : 0;
}

/* Is a better than b under the rule?  For the floor rules a candidate
 * that meets the floor beats one that does not; two that meet it compare
 * on the other side (more recall, i.e. more true positives; or more
 * precision, and at equal precision more recall), two that miss it on
 * how near they come.  Other ties keep b, the higher cut, which names
 * fewer rows. */
static int better(ck_threshold_rule rule, double target, const cand *a, const cand *b,
                  double pos, double neg)
{
    double ra = pos > 0 ? a->tp / pos : 0, rb = pos > 0 ? b->tp / pos : 0;
    int ma, mb;
    switch (rule) {
    case CK_THRESHOLD_PRECISION:
        ma = a->named > 0 && prec(a) >= target;
        mb = b->named > 0 && prec(b) >= target;
        if (ma != mb)
            return ma;
        return ma ? ra > rb : prec(a) > prec(b);
    case CK_THRESHOLD_RECALL:
        ma = ra >= target;
        mb = rb >= target;
        if (ma != mb)
            return ma;
        return ma ? prec(a) > prec(b) || (prec(a) == prec(b) && ra > rb) : ra > rb;
    default: break;
    }
    return figure(rule, a->tp, a->fp, pos, neg) > figure(rule, b->tp, b->fp, pos, neg);
}

static void fill(ck_threshold_pick *pick, const cand *c, double pos, int reached)
{
    /* rows set by the caller */
    pick->cut = c->cut;
    pick->named = c->named;
    pick->precision = prec(c);
    pick->recall = pos > 0 ? c->tp / pos : 0;
    pick->reached = reached;
}

int ck_threshold_choose(const double *y, const double *p, size_t n, ck_threshold_rule rule,
                        double target, ck_threshold_pick *pick)
{
    *pick = (ck_threshold_pick){0.5, 1, 0, 0, 0, 0};
    if (n == 0 || rule == CK_THRESHOLD_FIXED)
        return 0;
    pick->rows = n;
    scored *s = malloc(n * sizeof *s);
    if (!s)
        return -1;
    double pos = 0;
    for (size_t i = 0; i < n; i++) {
        s[i] = (scored){p[i], y[i]};
        pos += y[i] == 1;
    }
    qsort(s, n, sizeof *s, by_score_desc);
    double neg = (double)n - pos;
    /* start with nothing named: a cut above every score */
    cand best = {(s[0].p + 1) / 2, 0, 0, 0}, c = best;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        for (; j < n && s[j].p == s[i].p; j++) { /* the rows tied at this score */
            c.tp += s[j].y == 1;
            c.fp += s[j].y != 1;
        }
        c.named = j;
        c.cut = j < n ? (s[i].p + s[j].p) / 2 : s[i].p / 2;
        if (better(rule, target, &c, &best, pos, neg))
            best = c;
        i = j;
    }
    free(s);
    int floor_rule = rule == CK_THRESHOLD_PRECISION || rule == CK_THRESHOLD_RECALL;
    fill(pick, &best, pos, 1);
    if (floor_rule)
        pick->reached = rule == CK_THRESHOLD_PRECISION
                            ? best.named > 0 && pick->precision >= target
                            : pick->recall >= target;
    return 0;
}

const char *ck_threshold_rule_name(ck_threshold_rule r)
{
    switch (r) {
    case CK_THRESHOLD_F1: return "f1";
    case CK_THRESHOLD_YOUDEN: return "youden";
    case CK_THRESHOLD_ACCURACY: return "accuracy";
    case CK_THRESHOLD_PRECISION: return "precision";
    case CK_THRESHOLD_RECALL: return "recall";
    case CK_THRESHOLD_FIXED: break;
    }
    return "fixed";
}

void ck_threshold_rule_format(ck_threshold_rule r, double target, char *buf, size_t size)
{
    if (r == CK_THRESHOLD_PRECISION || r == CK_THRESHOLD_RECALL) {
        /* the shortest of 15 and 17 digits that reads back as the floor:
         * "precision>=0.85", not its binary neighbourhood */
        int n = snprintf(buf, size, "%s>=%.15g", ck_threshold_rule_name(r), target);
        if (n >= 0 && (size_t)n < size && strtod(buf + strlen(ck_threshold_rule_name(r)) + 2,
                                                 NULL) != target)
            snprintf(buf, size, "%s>=%.17g", ck_threshold_rule_name(r), target);
    } else
        snprintf(buf, size, "%s", ck_threshold_rule_name(r));
}

int ck_threshold_rule_parse(const char *s, ck_threshold_rule *rule, double *target)
{
    static const ck_threshold_rule all[] = {CK_THRESHOLD_FIXED, CK_THRESHOLD_F1,
                                            CK_THRESHOLD_YOUDEN, CK_THRESHOLD_ACCURACY,
                                            CK_THRESHOLD_PRECISION, CK_THRESHOLD_RECALL};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
        const char *name = ck_threshold_rule_name(all[k]);
        size_t len = strlen(name);
        if (strncmp(s, name, len) != 0)
            continue;
        int floor_rule = all[k] == CK_THRESHOLD_PRECISION || all[k] == CK_THRESHOLD_RECALL;
        if (!floor_rule && s[len] == '\0') {
            *rule = all[k];
            *target = 0;
            return 0;
        }
        if (!floor_rule || strncmp(s + len, ">=", 2) != 0)
            continue;
        char *end;
        double x = strtod(s + len + 2, &end);
        if (end == s + len + 2 || *end != '\0' || !(x > 0 && x <= 1))
            return -1;
        *rule = all[k];
        *target = x;
        return 0;
    }
    return -1;
}
