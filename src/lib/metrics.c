/*
 * metrics.c -- classification and regression metrics, curves, and paired
 * tests between two models (see metrics.h).
 *
 * Every ranking quantity (ROC AUC, average precision, the ROC and PR
 * curves, cumulative gains, DeLong's components) starts from the object
 * scikit-learn calls _binary_clf_curve: the rows sorted by score
 * descending, cut into groups of tied scores, with the cumulative counts of
 * positives (tps) and negatives (fps) scored at or above each group.  The
 * sort is a stable bottom-up merge sort of (score, row) pairs: O(n log n) in
 * the worst case, and stable so that tied rows keep their input order (the
 * gains rule asks for that; nothing else depends on the order within a tie).
 *
 * Counts are size_t; pair counts that can exceed a size_t on 32-bit machines
 * are uint64_t.  Long sums use Neumaier's compensated summation so that a
 * mean over ten million rows keeps its last digits.
 */
#include "churnkit/metrics.h"
#include "churnkit/cox.h"
#include "churnkit/stats.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The 97.5% point of the standard normal: 95% two-sided intervals. */
#define WILSON_Z 1.959963984540054

/* log(2 pi), for the binomial probabilities of McNemar's test. */
#define LOG_2PI 1.8378770664093454835606594728112353

/* log_loss clips p to [LOG_LOSS_EPS, 1 - LOG_LOSS_EPS] (sklearn's eps). */
#define LOG_LOSS_EPS 1e-15

/* ------------------------------------------------------------------ sums */

/* Neumaier's variant of Kahan summation: the running error c is added back
 * at the end, so the result is as if summed in about twice the precision. */
typedef struct ksum {
    double s, c;
} ksum;

static void ksum_add(ksum *k, double x)
{
    double t = k->s + x;
    if (fabs(k->s) >= fabs(x))
        k->c += (k->s - t) + x;
    else
        k->c += (x - t) + k->s;
    k->s = t;
}

static double ksum_get(const ksum *k)
{
    return k->s + k->c;
}

/* ------------------------------------------------------------ validation */

/* Each check sets err (which may be NULL) and returns CK_EUSAGE at the
 * first bad element, naming it, so the caller can find the row. */

static ck_status check_rows(const void *a, const void *b, size_t n, ck_error *err)
{
    if (n == 0)
        return ck_error_set(err, CK_EUSAGE, "metrics: no rows (n == 0)");
    if (!a || !b)
        return ck_error_set(err, CK_EUSAGE, "metrics: an input array is NULL");
    return CK_OK;
}

static ck_status check_binary(const int *v, size_t n, const char *name, ck_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] != 0 && v[i] != 1)
            return ck_error_set(err, CK_EUSAGE, "metrics: %s[%zu] is %d; it must be 0 or 1",
                                name, i, v[i]);
    return CK_OK;
}

static ck_status check_probs(const double *p, size_t n, ck_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (!(p[i] >= 0.0 && p[i] <= 1.0)) /* also catches NaN */
            return ck_error_set(err, CK_EUSAGE,
                                "metrics: p[%zu] is %g; a probability must be a number in [0, 1]",
                                i, p[i]);
    return CK_OK;
}

static ck_status check_finite(const double *v, size_t n, const char *name, ck_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return ck_error_set(err, CK_EUSAGE, "metrics: %s[%zu] is %g; it must be finite",
                                name, i, v[i]);
    return CK_OK;
}

static size_t count_ones(const int *y, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += (size_t)y[i];
    return k;
}

/* ---------------------------------------------------------------- sorting */

typedef struct rank_item {
    double key;
    size_t idx;
} rank_item;

/* The key that sorts scores descending: the ordered bits, flipped.  -0 is
 * read as +0, so that the two, equal as numbers, tie. */
static uint64_t desc_key(double x)
{
    return ~ck_order_key(x == 0 ? 0.0 : x);
}

typedef struct sort_item {
    uint64_t key; /* desc_key of the score */
    size_t idx;
} sort_item;

/* the sort's spare buffer is reused for its result */
_Static_assert(sizeof(sort_item) == sizeof(rank_item), "sort_item and rank_item differ in size");

/* The rows ordered by score descending, ties in input order (malloc'd;
 * NULL when out of memory).  An LSD radix sort on desc_key: eight stable
 * passes of one byte each, from the lowest, so equal keys keep their input
 * order; a pass whose byte is the same in every key (the top bytes of
 * probabilities) is skipped.  O(n): several times faster than a merge sort
 * on a million scores. */
static rank_item *sort_by_score_desc(const double *score, size_t n)
{
    if (n > SIZE_MAX / sizeof(sort_item))
        return NULL;
    sort_item *a = malloc((n ? n : 1) * sizeof *a), *tmp = malloc((n ? n : 1) * sizeof *tmp);
    size_t(*count)[256] = calloc(8, sizeof *count);
    if (!a || !tmp || !count) {
        free(a);
        free(tmp);
        free(count);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        a[i].key = desc_key(score[i]);
        a[i].idx = i;
        for (int b = 0; b < 8; b++)
            count[b][(a[i].key >> (8 * b)) & 0xff]++;
    }
    for (int b = 0; b < 8; b++) {
        size_t at = 0, *c = count[b];
        if (n == 0 || c[(a[0].key >> (8 * b)) & 0xff] == n)
            continue; /* one value of this byte: the order stays */
        for (int v = 0; v < 256; v++) { /* counts to starting positions */
            size_t k = c[v];
            c[v] = at;
            at += k;
        }
        for (size_t i = 0; i < n; i++)
            tmp[c[(a[i].key >> (8 * b)) & 0xff]++] = a[i];
        sort_item *t = a;
        a = tmp;
        tmp = t;
    }
    free(count);
    /* back to scores, in the spare buffer (the same size) */
    rank_item *out = (rank_item *)(void *)tmp;
    for (size_t i = 0; i < n; i++) {
        size_t idx = a[i].idx;
        out[i].key = ck_order_value(~a[i].key);
        out[i].idx = idx;
    }
    free(a);
    return out;
}

/* --------------------------------------------------------- tied groups */

/* One run of equal scores in the sorted order: [begin, end), its score,
 * and the positives and negatives in it.  -0.0 and 0.0 are one group, as
 * in sklearn (np.diff is 0 between them). */
typedef struct tie_group {
    size_t begin, end, pos, neg;
    double score;
} tie_group;

/* Fills g with the group starting at `begin`; returns its end. */
static size_t next_group(const rank_item *r, const int *y, size_t n, size_t begin, tie_group *g)
{
    size_t end = begin, pos = 0;
    while (end < n && r[end].key == r[begin].key)
        pos += (size_t)y[r[end++].idx];
    g->begin = begin;
    g->end = end;
    g->pos = pos;
    g->neg = end - begin - pos;
    g->score = r[begin].key;
    return end;
}

static size_t count_groups(const rank_item *r, const int *y, size_t n)
{
    size_t groups = 0;
    tie_group g;
    for (size_t i = 0; i < n; groups++)
        i = next_group(r, y, n, i, &g);
    return groups;
}

/* ----------------------------------------------------- ranking metrics */

/*
 * ROC AUC as the Mann-Whitney statistic: AUC = U / (m n) with m positives
 * and n negatives, U = R_pos - m (m + 1) / 2, R_pos the sum of the
 * positives' midranks (tied scores share the mean of their ranks).  With
 * midranks, U counts for every (positive, negative) pair 1 when the
 * positive scores higher and 1/2 on a tie, so walking the groups from the
 * top, each negative of a group adds (positives above) + (positives tied)/2.
 * 2U is an integer and is summed exactly in uint64_t; the one division
 * rounds once.  This equals sklearn's trapezoidal area under the ROC curve.
 */
static double auc_sorted(const rank_item *r, const int *y, size_t n, size_t m_pos)
{
    size_t n_neg = n - m_pos;
    if (m_pos == 0 || n_neg == 0)
        return NAN;
    uint64_t twice_u = 0, pos_above = 0;
    tie_group g;
    for (size_t i = 0; i < n;) {
        i = next_group(r, y, n, i, &g);
        twice_u += (uint64_t)g.neg * (2 * pos_above + g.pos);
        pos_above += g.pos;
    }
    return (double)twice_u / (2.0 * (double)m_pos * (double)n_neg);
}

/*
 * sklearn's average_precision_score: AP = sum_k (R_k - R_{k-1}) P_k over
 * the distinct thresholds from the highest down, R_0 = 0, with P_k and R_k
 * the precision and recall of "score >= threshold k".  A step function, no
 * interpolation.  Only groups holding positives move R.  With no positive
 * sklearn sets recall to 1 at every threshold and the sum is 0.
 */
static double average_precision_sorted(const rank_item *r, const int *y, size_t n, size_t m_pos)
{
    if (m_pos == 0)
        return 0.0;
    size_t tps = 0, fps = 0;
    ksum ap = {0, 0};
    tie_group g;
    for (size_t i = 0; i < n;) {
        i = next_group(r, y, n, i, &g);
        tps += g.pos;
        fps += g.neg;
        if (g.pos)
            ksum_add(&ap, ((double)g.pos / (double)m_pos) * ((double)tps / (double)(tps + fps)));
    }
    return ksum_get(&ap);
}

/* ceil(n * k / d) without overflowing n * k. */
static size_t ceil_frac(size_t n, size_t k, size_t d)
{
    return n / d * k + ((n % d) * k + d - 1) / d;
}

/* Cumulative gains and lift by decile, the header's rule: in the sorted
 * order (ties in input order) the top ceil(n (k+1) / 10) rows hold
 * gains[k] of all positives; lift[k] = gains[k] / ((k+1)/10).  NaN with no
 * positive (0/0). */
static void gains_sorted(const rank_item *r, const int *y, size_t n, size_t m_pos,
                         double *gains, double *lift)
{
    size_t i = 0, cum = 0;
    for (size_t k = 0; k < CK_GAINS_BINS; k++) {
        size_t top = ceil_frac(n, k + 1, CK_GAINS_BINS);
        while (i < top)
            cum += (size_t)y[r[i++].idx];
        gains[k] = m_pos ? (double)cum / (double)m_pos : NAN;
        lift[k] = gains[k] / ((double)(k + 1) / CK_GAINS_BINS);
    }
}

double ck_metrics_auc(const int *y, const double *score, size_t n)
{
    if (check_rows(y, score, n, NULL) || check_binary(y, n, "y", NULL) ||
        check_finite(score, n, "score", NULL))
        return NAN;
    size_t m_pos = count_ones(y, n);
    if (m_pos == 0 || m_pos == n)
        return NAN;
    rank_item *r = sort_by_score_desc(score, n);
    if (!r)
        return NAN;
    double auc = auc_sorted(r, y, n, m_pos);
    free(r);
    return auc;
}

/* ----------------------------------------------------- pointwise metrics */

/* Log-loss of one row, p clipped to [eps, 1 - eps] like sklearn.  log1p
 * keeps the digits of log(1 - p) for small p (sklearn's log(1 - p) loses
 * them; the difference is below 1e-16 in absolute terms). */
static double row_log_loss(int y, double p)
{
    double pc = fmin(fmax(p, LOG_LOSS_EPS), 1.0 - LOG_LOSS_EPS);
    return y ? -log(pc) : -log1p(-pc);
}

double ck_metrics_log_loss(const int *y, const double *p, size_t n)
{
    if (check_rows(y, p, n, NULL) || check_binary(y, n, "y", NULL) || check_probs(p, n, NULL))
        return NAN;
    ksum s = {0, 0};
    for (size_t i = 0; i < n; i++)
        ksum_add(&s, row_log_loss(y[i], p[i]));
    return ksum_get(&s) / (double)n;
}

/*
 * Wilson (1927) score interval: the p with |k/n - p| <= z sqrt(p(1-p)/n),
 *   center = (k + z^2/2) / (n + z^2),
 *   half   = z / (n + z^2) * sqrt(k (n - k) / n + z^2 / 4),
 *   [lo, hi] = center -+ half.
 * lo = center - half cancels badly when k is small, so lo is taken from the
 * product of the two roots instead: lo * hi = k^2 / (n (n + z^2)).  This
 * makes lo exactly 0 at k = 0; hi is set to exactly 1 at k = n (where the
 * formula gives 1 up to rounding) and clamped to 1 elsewhere.  NaN unless
 * 0 <= k <= n and n > 0.
 */
void ck_metrics_wilson(double k, double n, double *lo, double *hi)
{
    double l = NAN, h = NAN;
    if (n > 0 && k >= 0 && k <= n) {
        double z2 = WILSON_Z * WILSON_Z;
        double center = (k + z2 / 2) / (n + z2);
        double half = WILSON_Z / (n + z2) * sqrt(k * (n - k) / n + z2 / 4);
        h = k == n ? 1.0 : fmin(center + half, 1.0);
        l = k * k / (n * (n + z2) * h);
    }
    if (lo)
        *lo = l;
    if (hi)
        *hi = h;
}

/* Bin of the reliability curve: edge[k] <= p < edge[k+1] with edge[k] the
 * double nearest k/10 (so the double 0.3 falls in bin 3 although it is a
 * little below 3/10); p = 1 goes to the last bin.  floor(10 p) can be one
 * off next to an edge (10 * 0.8999999999999999 rounds to 9.0); comparing
 * p with the edges themselves corrects it. */
static size_t reliability_bin(double p)
{
    const size_t bins = CK_RELIABILITY_BINS;
    size_t k = (size_t)(p * (double)bins);
    if (k >= bins)
        k = bins - 1;
    if (k > 0 && p < (double)k / (double)bins)
        k--;
    else if (k + 1 < bins && p >= (double)(k + 1) / (double)bins)
        k++;
    return k;
}

/* One pass: confusion matrix at the threshold, log-loss, Brier score and
 * the reliability bins. */
static void pointwise_metrics(const int *y, const double *p, size_t n, ck_class_metrics *out)
{
    ksum ll = {0, 0}, brier = {0, 0}, bin_p[CK_RELIABILITY_BINS];
    size_t bin_pos[CK_RELIABILITY_BINS] = {0};
    memset(bin_p, 0, sizeof bin_p);
    for (size_t i = 0; i < n; i++) {
        int pred = p[i] >= out->threshold;
        out->cm.tp += (size_t)(pred && y[i]);
        out->cm.fp += (size_t)(pred && !y[i]);
        out->cm.tn += (size_t)(!pred && !y[i]);
        out->cm.fn += (size_t)(!pred && y[i]);
        ksum_add(&ll, row_log_loss(y[i], p[i]));
        double e = p[i] - y[i];
        ksum_add(&brier, e * e);
        size_t k = reliability_bin(p[i]);
        out->rel_count[k]++;
        bin_pos[k] += (size_t)y[i];
        ksum_add(&bin_p[k], p[i]);
    }
    out->log_loss = ksum_get(&ll) / (double)n;
    out->brier = ksum_get(&brier) / (double)n;
    /* ECE = sum over bins of (rows in bin / n) |mean p - observed rate| */
    out->ece = 0.0;
    for (size_t k = 0; k < CK_RELIABILITY_BINS; k++) {
        size_t c = out->rel_count[k];
        out->rel_mean_pred[k] = c ? ksum_get(&bin_p[k]) / (double)c : NAN;
        out->rel_obs_rate[k] = c ? (double)bin_pos[k] / (double)c : NAN;
        if (c)
            out->ece += (double)c / (double)n * fabs(out->rel_mean_pred[k] - out->rel_obs_rate[k]);
    }
}

static double ratio_or_zero(size_t a, size_t b)
{
    return b ? (double)a / (double)b : 0.0;
}

/* Rates from the confusion matrix, 0 where the denominator is 0 (sklearn's
 * zero_division=0).  F1 = 2 tp / (2 tp + fp + fn), the harmonic mean of
 * precision and recall, written so it needs one division.  Balanced
 * accuracy is sklearn's: the mean recall over the classes present in y,
 * which is (recall + specificity) / 2 when both are present. */
static void confusion_rates(ck_class_metrics *out)
{
    const ck_confusion *cm = &out->cm;
    size_t pos = cm->tp + cm->fn, neg = cm->tn + cm->fp;
    out->accuracy = (double)(cm->tp + cm->tn) / (double)out->n;
    ck_metrics_wilson((double)(cm->tp + cm->tn), (double)out->n, &out->accuracy_lo,
                      &out->accuracy_hi);
    out->majority_accuracy = (double)(pos > neg ? pos : neg) / (double)out->n;
    out->precision = ratio_or_zero(cm->tp, cm->tp + cm->fp);
    out->recall = ratio_or_zero(cm->tp, pos);
    out->specificity = ratio_or_zero(cm->tn, neg);
    out->f1 = ratio_or_zero(2 * cm->tp, 2 * cm->tp + cm->fp + cm->fn);
    ck_metrics_wilson((double)cm->tp, (double)(cm->tp + cm->fp), &out->precision_lo,
                      &out->precision_hi);
    ck_metrics_wilson((double)cm->tp, (double)pos, &out->recall_lo, &out->recall_hi);
    if (pos && neg)
        out->balanced_accuracy = (out->recall + out->specificity) / 2;
    else
        out->balanced_accuracy = pos ? out->recall : out->specificity;
}

ck_status ck_metrics_classification(const int *y, const double *p, size_t n, double threshold,
                                    ck_class_metrics *out, ck_error *err)
{
    ck_status st;
    if (!out)
        return ck_error_set(err, CK_EUSAGE, "metrics: no output struct");
    if ((st = check_rows(y, p, n, err)) || (st = check_binary(y, n, "y", err)) ||
        (st = check_probs(p, n, err)))
        return st;
    if (isnan(threshold))
        return ck_error_set(err, CK_EUSAGE, "metrics: the threshold is NaN");
    rank_item *r = sort_by_score_desc(p, n);
    if (!r)
        return ck_error_set(err, CK_ENOMEM, "metrics: out of memory sorting %zu rows", n);
    memset(out, 0, sizeof *out);
    out->n = n;
    out->n_pos = count_ones(y, n);
    out->threshold = threshold;
    pointwise_metrics(y, p, n, out);
    confusion_rates(out);
    out->roc_auc = auc_sorted(r, y, n, out->n_pos);
    out->average_precision = average_precision_sorted(r, y, n, out->n_pos);
    gains_sorted(r, y, n, out->n_pos, out->gains, out->lift);
    free(r);
    return CK_OK;
}

ck_status ck_metrics_top(const int *y, const double *p, size_t n, size_t k, ck_class_metrics *c,
                         ck_error *err)
{
    ck_status st;
    if ((st = check_rows(y, p, n, err)) || (st = check_binary(y, n, "y", err)))
        return st;
    if (k == 0 || k > n)
        return ck_error_set(err, CK_EUSAGE, "metrics: cannot name the top %zu of %zu rows", k,
                            n);
    rank_item *r = sort_by_score_desc(p, n);
    if (!r)
        return ck_error_set(err, CK_ENOMEM, "metrics: out of memory sorting %zu rows", n);
    double tp = 0, pos = (double)count_ones(y, n);
    for (size_t i = 0; i < k;) {
        size_t j = i, hits = 0;
        for (; j < n && r[j].key == r[i].key; j++) /* the group tied at this score */
            hits += (size_t)y[r[j].idx];
        size_t take = j <= k ? j - i : k - i; /* of the group, the rows within k */
        tp += (double)hits * (double)take / (double)(j - i);
        i = j;
    }
    free(r);
    c->top_named = k;
    c->precision_at_top = tp / (double)k;
    c->recall_at_top = pos > 0 ? tp / pos : 0;
    ck_metrics_wilson(tp, (double)k, &c->precision_at_top_lo, &c->precision_at_top_hi);
    ck_metrics_wilson(tp, pos, &c->recall_at_top_lo, &c->recall_at_top_hi);
    return CK_OK;
}

/* ------------------------------------------------------------------ curves */

void ck_curve_free(ck_curve *c)
{
    if (!c)
        return;
    free(c->x);
    free(c->y);
    free(c->threshold);
    memset(c, 0, sizeof *c);
}

static ck_status curve_alloc(ck_curve *c, size_t npts, ck_error *err)
{
    c->n = npts;
    c->x = malloc(npts * sizeof *c->x);
    c->y = malloc(npts * sizeof *c->y);
    c->threshold = malloc(npts * sizeof *c->threshold);
    if (!c->x || !c->y || !c->threshold) {
        ck_curve_free(c);
        return ck_error_set(err, CK_ENOMEM, "metrics: out of memory for a curve of %zu points",
                            npts);
    }
    return CK_OK;
}

/* Validates the inputs of a curve, sorts, and allocates one point per
 * distinct score plus one.  On success the caller frees *sorted. */
static ck_status curve_begin(const int *y, const double *score, size_t n, ck_curve *out,
                             rank_item **sorted, size_t *groups, ck_error *err)
{
    ck_status st;
    if (!out)
        return ck_error_set(err, CK_EUSAGE, "metrics: no output curve");
    memset(out, 0, sizeof *out);
    if ((st = check_rows(y, score, n, err)) || (st = check_binary(y, n, "y", err)) ||
        (st = check_finite(score, n, "score", err)))
        return st;
    rank_item *r = sort_by_score_desc(score, n);
    if (!r)
        return ck_error_set(err, CK_ENOMEM, "metrics: out of memory sorting %zu rows", n);
    *groups = count_groups(r, y, n);
    if ((st = curve_alloc(out, *groups + 1, err))) {
        free(r);
        return st;
    }
    *sorted = r;
    return CK_OK;
}

/*
 * sklearn 1.2's roc_curve(drop_intermediate=False): point 0 is (0, 0) at
 * threshold max(score) + 1; point k >= 1 is (fps_k / N, tps_k / P) at the
 * k-th distinct score from the top.  With no negative (positive) every fpr
 * (tpr), the start included, is NaN, as in sklearn.
 */
ck_status ck_metrics_roc_curve(const int *y, const double *score, size_t n, ck_curve *out,
                               ck_error *err)
{
    rank_item *r = NULL;
    size_t groups = 0;
    ck_status st = curve_begin(y, score, n, out, &r, &groups, err);
    if (st)
        return st;
    size_t m_pos = count_ones(y, n), n_neg = n - m_pos, tps = 0, fps = 0;
    out->x[0] = n_neg ? 0.0 : NAN;
    out->y[0] = m_pos ? 0.0 : NAN;
    out->threshold[0] = r[0].key + 1;
    tie_group g;
    size_t k = 1;
    for (size_t i = 0; i < n; k++) {
        i = next_group(r, y, n, i, &g);
        tps += g.pos;
        fps += g.neg;
        out->x[k] = n_neg ? (double)fps / (double)n_neg : NAN;
        out->y[k] = m_pos ? (double)tps / (double)m_pos : NAN;
        out->threshold[k] = g.score;
    }
    free(r);
    return CK_OK;
}

/*
 * sklearn 1.2's precision_recall_curve: one point per distinct score in
 * ascending score order (so recall descends), precision tps / (tps + fps),
 * recall tps / P (1 everywhere when there is no positive, as sklearn), then
 * a last point (recall 0, precision 1).  sklearn gives that point no
 * threshold; here it gets max(score) + 1, like the ROC curve's start.
 */
ck_status ck_metrics_pr_curve(const int *y, const double *score, size_t n, ck_curve *out,
                              ck_error *err)
{
    rank_item *r = NULL;
    size_t groups = 0;
    ck_status st = curve_begin(y, score, n, out, &r, &groups, err);
    if (st)
        return st;
    size_t m_pos = count_ones(y, n), tps = 0, fps = 0;
    tie_group g;
    size_t k = groups; /* the highest score fills slot groups - 1 */
    for (size_t i = 0; i < n;) {
        i = next_group(r, y, n, i, &g);
        tps += g.pos;
        fps += g.neg;
        k--;
        out->x[k] = m_pos ? (double)tps / (double)m_pos : 1.0;
        out->y[k] = (double)tps / (double)(tps + fps);
        out->threshold[k] = g.score;
    }
    out->x[groups] = 0.0;
    out->y[groups] = 1.0;
    out->threshold[groups] = r[0].key + 1;
    free(r);
    return CK_OK;
}

/* -------------------------------------------------------------- regression */

static int sign_of(double v)
{
    return (v > 0) - (v < 0);
}

/* Median of |y - pred| (the mean of the two middle values when n is even,
 * as numpy): ck_median's selection, no sort. */
static ck_status median_abs_error(const double *y, const double *pred, size_t n, double *med,
                                  ck_error *err)
{
    double *a = n <= SIZE_MAX / sizeof(double) ? malloc(n * sizeof *a) : NULL;
    if (!a)
        return ck_error_set(err, CK_ENOMEM, "metrics: out of memory for %zu errors", n);
    for (size_t i = 0; i < n; i++)
        a[i] = fabs(y[i] - pred[i]);
    *med = ck_median(a, n);
    free(a);
    return CK_OK;
}

/*
 * RMSE, MAE, median absolute error, and R^2 = 1 - SS_res / SS_tot with
 * SS_tot about the mean of y (sklearn's r2_score, including its
 * force_finite rule: with constant y, R^2 is 1 for a perfect prediction
 * and 0 otherwise).  The mean is taken first so SS_tot is a sum of squared
 * deviations, not a difference of large sums.
 */
ck_status ck_metrics_regression(const double *y, const double *pred, size_t n,
                                ck_reg_metrics *out, ck_error *err)
{
    ck_status st;
    if (!out)
        return ck_error_set(err, CK_EUSAGE, "metrics: no output struct");
    if ((st = check_rows(y, pred, n, err)) || (st = check_finite(y, n, "y", err)) ||
        (st = check_finite(pred, n, "pred", err)))
        return st;
    double median_ae = NAN;
    if ((st = median_abs_error(y, pred, n, &median_ae, err)))
        return st;
    memset(out, 0, sizeof *out);
    out->n = n;
    out->median_ae = median_ae;
    ksum sy = {0, 0}, sse = {0, 0}, sae = {0, 0}, sst = {0, 0};
    size_t same_sign = 0, changed = 0, changed_same = 0;
    for (size_t i = 0; i < n; i++)
        ksum_add(&sy, y[i]);
    out->mean_y = ksum_get(&sy) / (double)n;
    for (size_t i = 0; i < n; i++) {
        double e = y[i] - pred[i], d = y[i] - out->mean_y;
        ksum_add(&sse, e * e);
        ksum_add(&sae, fabs(e));
        ksum_add(&sst, d * d);
        same_sign += (size_t)(sign_of(y[i]) == sign_of(pred[i]));
        if (y[i] != 0) {
            changed++;
            changed_same += (size_t)(sign_of(y[i]) == sign_of(pred[i]));
        }
    }
    double ss_res = ksum_get(&sse), ss_tot = ksum_get(&sst);
    out->rmse = sqrt(ss_res / (double)n);
    out->mae = ksum_get(&sae) / (double)n;
    if (ss_tot > 0)
        out->r2 = 1.0 - ss_res / ss_tot;
    else
        out->r2 = ss_res == 0 ? 1.0 : 0.0;
    out->direction_accuracy = (double)same_sign / (double)n;
    out->n_changed = changed;
    out->direction_changed = changed ? (double)changed_same / (double)changed : NAN;
    return CK_OK;
}

/* ------------------------------------------------------------------ DeLong */

/*
 * DeLong's structural components of one model, in "twice" units so they are
 * exact integers: for positive row i (X_i), V10(X_i) = (1/n) sum_j psi(X_i,
 * Y_j) over the n negatives, psi = 1 above, 1/2 tied, 0 below, i.e.
 * (negatives below + negatives tied / 2) / n; for negative row j (Y_j),
 * V01(Y_j) = (1/m) sum_i psi(X_i, Y_j) = (positives above + positives tied
 * / 2) / m.  These are the midrank components of Sun & Xu (2014).  Adds
 * sign * 2 * numerator to acc[row] and returns the model's AUC.
 */
static double delong_components(const rank_item *r, const int *y, size_t n, size_t m_pos,
                                double sign, double *acc)
{
    size_t n_neg = n - m_pos, pos_above = 0, neg_above = 0;
    uint64_t twice_u = 0;
    tie_group g;
    for (size_t i = 0; i < n;) {
        i = next_group(r, y, n, i, &g);
        size_t neg_below = n_neg - neg_above - g.neg;
        double twice_v10 = 2.0 * (double)neg_below + (double)g.neg;
        double twice_v01 = 2.0 * (double)pos_above + (double)g.pos;
        for (size_t k = g.begin; k < g.end; k++) {
            size_t row = r[k].idx;
            acc[row] += sign * (y[row] ? twice_v10 : twice_v01);
        }
        twice_u += (uint64_t)g.neg * (2 * pos_above + g.pos);
        pos_above += g.pos;
        neg_above += g.neg;
    }
    return (double)twice_u / (2.0 * (double)m_pos * (double)n_neg);
}

/* Sample variance (divisor count - 1) of d[row] / scale over the rows of
 * class `cls`: two passes, mean first. */
static double class_variance(const double *d, const int *y, size_t n, int cls, size_t count,
                             double scale)
{
    ksum s = {0, 0}, ss = {0, 0};
    for (size_t i = 0; i < n; i++)
        if (y[i] == cls)
            ksum_add(&s, d[i] / scale);
    double mean = ksum_get(&s) / (double)count;
    for (size_t i = 0; i < n; i++)
        if (y[i] == cls) {
            double e = d[i] / scale - mean;
            ksum_add(&ss, e * e);
        }
    return ksum_get(&ss) / (double)(count - 1);
}

/* Sorts one model's scores and adds its components, with `sign`, to acc. */
static ck_status delong_model(const int *y, const double *s, size_t n, size_t m_pos, double sign,
                              double *acc, double *auc, ck_error *err)
{
    rank_item *r = sort_by_score_desc(s, n);
    if (!r)
        return ck_error_set(err, CK_ENOMEM, "metrics: out of memory sorting %zu rows", n);
    *auc = delong_components(r, y, n, m_pos, sign, acc);
    free(r);
    return CK_OK;
}

/*
 * DeLong, DeLong & Clarke-Pearson (1988).  With m positives and n
 * negatives, S10 and S01 are the 2x2 sample covariance matrices of the
 * (model 1, model 2) components V10 over the positives and V01 over the
 * negatives, and the covariance of the two AUCs is S = S10 / m + S01 / n.
 * Var(auc1 - auc2) = S11 + S22 - 2 S12, which is the same as the sample
 * variance of the component differences V^1 - V^2: computed that way, with
 * the differences taken exactly in integers, there is no cancellation and a
 * model against itself gives exactly 0.  z = diff / se, p = 2 Q(|z|).
 * Needs 2 rows of each class for the sample covariances; with fewer, the
 * AUCs are returned (NaN with a class absent) and se, z, p are NaN.
 */
ck_status ck_metrics_delong(const int *y, const double *s1, const double *s2, size_t n,
                            ck_delong *out, ck_error *err)
{
    ck_status st;
    if (!out)
        return ck_error_set(err, CK_EUSAGE, "metrics: no output struct");
    if ((st = check_rows(y, s1, n, err)) || (st = check_rows(y, s2, n, err)) ||
        (st = check_binary(y, n, "y", err)) || (st = check_finite(s1, n, "s1", err)) ||
        (st = check_finite(s2, n, "s2", err)))
        return st;
    size_t m_pos = count_ones(y, n), n_neg = n - m_pos;
    out->se = out->z = out->p_value = out->ci_low = out->ci_high = NAN;
    if (m_pos < 2 || n_neg < 2) {
        out->auc1 = ck_metrics_auc(y, s1, n);
        out->auc2 = ck_metrics_auc(y, s2, n);
        out->diff = out->auc1 - out->auc2;
        return CK_OK;
    }
    double *d = calloc(n, sizeof *d);
    if (!d)
        return ck_error_set(err, CK_ENOMEM, "metrics: out of memory for %zu components", n);
    if ((st = delong_model(y, s1, n, m_pos, 1.0, d, &out->auc1, err)) ||
        (st = delong_model(y, s2, n, m_pos, -1.0, d, &out->auc2, err))) {
        free(d);
        return st;
    }
    /* d holds 2n V10 differences on positives, 2m V01 differences on negatives */
    double var = class_variance(d, y, n, 1, m_pos, 2.0 * (double)n_neg) / (double)m_pos +
                 class_variance(d, y, n, 0, n_neg, 2.0 * (double)m_pos) / (double)n_neg;
    free(d);
    out->diff = out->auc1 - out->auc2;
    out->se = sqrt(var);
    out->ci_low = out->diff - 1.959963984540054 * out->se;
    out->ci_high = out->diff + 1.959963984540054 * out->se;
    if (out->se > 0) {
        out->z = out->diff / out->se;
        out->p_value = 2.0 * gsl_cdf_ugaussian_Q(fabs(out->z));
    } else { /* degenerate: every component equal; no spread, no doubt */
        out->z = out->diff == 0 ? 0.0 : copysign(INFINITY, out->diff);
        out->p_value = out->diff == 0 ? 1.0 : 0.0;
    }
    return CK_OK;
}

/* ----------------------------------------------------------------- McNemar */

/* stirlerr(n) = log(n!) - log(sqrt(2 pi n) (n/e)^n), the error of
 * Stirling's formula; exact values for n <= 15, the asymptotic series above
 * (Loader 2000, as in R's dbinom). */
static double stirlerr(double n)
{
    static const double exact[16] = {
        0.0, /* unused: n = 0 never reaches here */
        0.08106146679532725821967026, 0.04134069595540929409382208,
        0.02767792568499833914878929, 0.02079067210376509311152277,
        0.01664469118982119216319487, 0.01387612882307074799874573,
        0.01189670994589177009505572, 0.01041126526197209649747857,
        0.009255462182712732917728637, 0.008330563433362871256469319,
        0.007573675487951840794972024, 0.006942840107209529865664153,
        0.006408994188004207068439631, 0.005951370112758847735624416,
        0.00555473355196280137103869};
    const double s0 = 1.0 / 12, s1 = 1.0 / 360, s2 = 1.0 / 1260, s3 = 1.0 / 1680,
                 s4 = 1.0 / 1188;
    if (n <= 15)
        return exact[(int)n];
    double nn = n * n;
    if (n > 500)
        return (s0 - s1 / nn) / n;
    if (n > 80)
        return (s0 - (s1 - s2 / nn) / nn) / n;
    if (n > 35)
        return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n;
    return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n;
}

/* bd0(x, np) = x log(x / np) + np - x, the deviance term, summed as a
 * series when x is near np to avoid cancellation (Loader 2000). */
static double bd0(double x, double np)
{
    if (fabs(x - np) < 0.1 * (x + np)) {
        double v = (x - np) / (x + np), s = (x - np) * v, ej = 2 * x * v;
        v = v * v;
        for (int j = 1; j < 1000; j++) {
            ej *= v;
            double s1 = s + ej / (2 * j + 1);
            if (s1 == s)
                return s1;
            s = s1;
        }
    }
    return x * log(x / np) + np - x;
}

/* P(X = k) for X ~ Binomial(N, 1/2), with Loader's saddle-point form
 * (relative error near 1e-15 for any N; lgamma-based forms lose digits as
 * N grows, and GSL's incomplete beta does not converge for N near 1e7). */
static double binom_half_pmf(double k, double N)
{
    if (k == 0 || k == N)
        return ldexp(1.0, -(int)fmin(N, 2000.0));
    double lc = stirlerr(N) - stirlerr(k) - stirlerr(N - k) - bd0(k, N / 2) - bd0(N - k, N / 2);
    double lf = LOG_2PI + log(k) + log1p(-k / N);
    return exp(lc - 0.5 * lf);
}

/* P(X <= k), X ~ Binomial(N, 1/2), k <= N/2: from P(X = k) down with the
 * ratio P(X = i-1) / P(X = i) = i / (N - i + 1) < 1, until the terms stop
 * changing the sum (at most a few times sqrt(N) terms matter). */
static double binom_half_cdf(size_t k, size_t N)
{
    double t = binom_half_pmf((double)k, (double)N), sum = t;
    for (size_t i = k; i > 0 && t > sum * 1e-17; i--) {
        t = t * (double)i / (double)(N - i + 1);
        sum += t;
    }
    return sum;
}

/*
 * McNemar's test on the discordant pairs: b rows model 1 gets right and
 * model 2 wrong, c the reverse.  Under H0 b ~ Binomial(b + c, 1/2); the
 * exact two-sided p-value is min(1, 2 P(X <= min(b, c))) (statsmodels'
 * mcnemar(exact=True)).  The chi-square statistic with Edwards' continuity
 * correction, (|b - c| - 1)^2 / (b + c), is reported alongside (0 when
 * b + c = 0).
 */
ck_status ck_metrics_mcnemar(const int *y, const int *pred1, const int *pred2, size_t n,
                             ck_mcnemar *out, ck_error *err)
{
    ck_status st;
    if (!out)
        return ck_error_set(err, CK_EUSAGE, "metrics: no output struct");
    if ((st = check_rows(y, pred1, n, err)) || (st = check_rows(y, pred2, n, err)) ||
        (st = check_binary(y, n, "y", err)) || (st = check_binary(pred1, n, "pred1", err)) ||
        (st = check_binary(pred2, n, "pred2", err)))
        return st;
    size_t b = 0, c = 0;
    for (size_t i = 0; i < n; i++) {
        int right1 = pred1[i] == y[i], right2 = pred2[i] == y[i];
        b += (size_t)(right1 && !right2);
        c += (size_t)(!right1 && right2);
    }
    out->b = b;
    out->c = c;
    if (b + c == 0) {
        out->stat = 0.0;
        out->p_value = 1.0;
        return CK_OK;
    }
    double d = (double)(b > c ? b - c : c - b) - 1.0;
    out->stat = d * d / (double)(b + c);
    out->p_value = fmin(1.0, 2.0 * binom_half_cdf(b < c ? b : c, b + c));
    return CK_OK;
}

ck_status ck_metrics_survival(const double *time, const double *event, const double *score,
                              size_t n, ck_surv_metrics *out, ck_error *err)
{
    ck_concordance c;
    memset(out, 0, sizeof *out);
    if (n == 0)
        return ck_error_set(err, CK_EUSAGE, "metrics: no rows (n == 0)");
    ck_status st = ck_cox_concordance(time, event, NULL, score, n, &c, err);
    if (st != CK_OK)
        return st;
    out->n = n;
    for (size_t i = 0; i < n; i++)
        out->events += event[i] == 1;
    out->concordance = c.concordance;
    out->concordance_se = c.se;
    /* 1.959963984540054: the normal 97.5% quantile, as the Wilson interval */
    out->concordance_lo = c.concordance - 1.959963984540054 * c.se;
    out->concordance_hi = c.concordance + 1.959963984540054 * c.se;
    return CK_OK;
}
