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
static double figure(const ck_threshold_spec *spec, double tp, double fp, double pos, double neg)
{
    double fn = pos - tp, tn = neg - fp;
    switch (spec->rule) {
    case CK_THRESHOLD_COST: return -(fp * spec->cost_fp + fn * spec->cost_fn);
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
static int better(const ck_threshold_spec *spec, const cand *a, const cand *b, double pos,
                  double neg)
{
    double ra = pos > 0 ? a->tp / pos : 0, rb = pos > 0 ? b->tp / pos : 0;
    double target = spec->target;
    int ma, mb;
    switch (spec->rule) {
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
    return figure(spec, a->tp, a->fp, pos, neg) > figure(spec, b->tp, b->fp, pos, neg);
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

int ck_threshold_choose(const double *y, const double *p, size_t n, const ck_threshold_spec *spec,
                        ck_threshold_pick *pick)
{
    ck_threshold_rule rule = spec->rule;
    double target = spec->target;
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
        if (better(spec, &c, &best, pos, neg))
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
    case CK_THRESHOLD_COST: return "cost";
    case CK_THRESHOLD_FIXED: break;
    }
    return "fixed";
}

void ck_threshold_rule_format(const ck_threshold_spec *spec, char *buf, size_t size)
{
    ck_threshold_rule r = spec->rule;
    const char *name = ck_threshold_rule_name(r);
    if (r == CK_THRESHOLD_PRECISION || r == CK_THRESHOLD_RECALL) {
        /* the shortest of 15 and 17 digits that reads back as the floor:
         * "precision>=0.85", not its binary neighbourhood */
        int n = snprintf(buf, size, "%s>=%.15g", name, spec->target);
        if (n >= 0 && (size_t)n < size && strtod(buf + strlen(name) + 2, NULL) != spec->target)
            snprintf(buf, size, "%s>=%.17g", name, spec->target);
    } else if (r == CK_THRESHOLD_COST) {
        snprintf(buf, size, "cost(fp=%.17g,fn=%.17g)", spec->cost_fp, spec->cost_fn);
        double a, b;
        char shorter[96];
        snprintf(shorter, sizeof shorter, "cost(fp=%.15g,fn=%.15g)", spec->cost_fp,
                 spec->cost_fn);
        if (sscanf(shorter, "cost(fp=%lf,fn=%lf)", &a, &b) == 2 && a == spec->cost_fp &&
            b == spec->cost_fn)
            snprintf(buf, size, "%s", shorter);
    } else {
        snprintf(buf, size, "%s", name);
    }
}

/* "cost(fp=A,fn=B)", both positive and finite. */
static int parse_cost(const char *s, ck_threshold_spec *spec)
{
    double a, b;
    int used = 0;
    if (sscanf(s, "cost(fp=%lf,fn=%lf)%n", &a, &b, &used) != 2 || s[used] != '\0' ||
        !(a > 0 && b > 0 && isfinite(a) && isfinite(b)))
        return -1;
    *spec = (ck_threshold_spec){CK_THRESHOLD_COST, 0, a, b};
    return 0;
}

int ck_threshold_rule_parse(const char *s, ck_threshold_spec *spec)
{
    static const ck_threshold_rule all[] = {CK_THRESHOLD_FIXED, CK_THRESHOLD_F1,
                                            CK_THRESHOLD_YOUDEN, CK_THRESHOLD_ACCURACY,
                                            CK_THRESHOLD_PRECISION, CK_THRESHOLD_RECALL};
    if (strncmp(s, "cost(", 5) == 0)
        return parse_cost(s, spec);
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
        const char *name = ck_threshold_rule_name(all[k]);
        size_t len = strlen(name);
        if (strncmp(s, name, len) != 0)
            continue;
        int floor_rule = all[k] == CK_THRESHOLD_PRECISION || all[k] == CK_THRESHOLD_RECALL;
        if (!floor_rule && s[len] == '\0') {
            *spec = (ck_threshold_spec){all[k], 0, 0, 0};
            return 0;
        }
        if (!floor_rule || strncmp(s + len, ">=", 2) != 0)
            continue;
        char *end;
        double x = strtod(s + len + 2, &end);
        if (end == s + len + 2 || *end != '\0' || !(x > 0 && x <= 1))
            return -1;
        *spec = (ck_threshold_spec){all[k], x, 0, 0};
        return 0;
    }
    return -1;
}
