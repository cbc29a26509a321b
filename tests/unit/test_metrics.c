/* The metrics module: every metric against reference values computed by
 * scikit-learn / scipy / statsmodels (tests/fixtures/metrics, made by
 * make_metrics_fixtures.py), and properties that must hold whatever the
 * data: rank invariance of AUC, Wilson interval behaviour, DeLong and
 * McNemar symmetries, input errors, one-class data, and speed.
 *
 * Tolerances (close_to): counts exactly; values computed the same way as
 * the reference (fractions of counts, curve points, medians) to 1e-15
 * relative; values whose summation order or special-function code differs
 * (means, log-loss, AUC, Wilson, DeLong, p-values down to 1e-89) to 1e-12
 * relative.  Relative means |got - want| <= tol * |want|, absolute only
 * where want is 0.  NaN matches only NaN. */
#include "testutil.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <time.h>

#include "churnkit/csv.h"
#include "churnkit/metrics.h"
#include "churnkit/num.h"

#define FIXTURES CK_TEST_DATA "/../fixtures/metrics/"
#define TOL 1e-12
#define TIGHT 1e-15

/* ------------------------------------------------------------ fixtures */

/* A CSV of numbers loaded column-wise; missing cells (e.g. "nan") are NaN. */
typedef struct numcsv {
    size_t nrows, ncols;
    double **col;
    char **names; /* for reference.csv: the first column's text */
} numcsv;

static void numcsv_free(numcsv *t)
{
    for (size_t j = 0; j < t->ncols; j++)
        free(t->col[j]);
    for (size_t i = 0; t->names && i < t->nrows; i++)
        free(t->names[i]);
    free(t->col);
    free(t->names);
}

/* Reads FIXTURES/name; with names_first, column 0 is text kept in names. */
static numcsv load_csv(const char *name, int names_first)
{
    char path[1024];
    snprintf(path, sizeof path, "%s%s", FIXTURES, name);
    ck_csv_reader *r = NULL;
    ck_error err;
    ck_assert_msg(ck_csv_open(&r, path, NULL, &err) == CK_OK, "%s", err.message);
    numcsv t = {0, ck_csv_ncols(r), NULL, NULL};
    size_t cap = 1024;
    t.col = calloc(t.ncols, sizeof *t.col);
    for (size_t j = 0; j < t.ncols; j++)
        t.col[j] = malloc(cap * sizeof **t.col);
    if (names_first)
        t.names = malloc(cap * sizeof *t.names);
    ck_csv_row row;
    int rc;
    while ((rc = ck_csv_next(r, &row, &err)) == 1) {
        if (t.nrows == cap) {
            cap *= 2;
            for (size_t j = 0; j < t.ncols; j++)
                t.col[j] = realloc(t.col[j], cap * sizeof **t.col);
            if (names_first)
                t.names = realloc(t.names, cap * sizeof *t.names);
        }
        for (size_t j = 0; j < t.ncols; j++) {
            double v = NAN;
            if (j == 0 && names_first) {
                t.names[t.nrows] = strdup(row.field[0]);
                continue;
            }
            ck_num_kind kind = ck_num_parse(row.field[j], row.len[j], &v);
            ck_assert_msg(kind == CK_NUM_OK || kind == CK_NUM_MISSING, "%s:%lu: bad number '%s'",
                          name, row.line, row.field[j]);
            t.col[j][t.nrows] = kind == CK_NUM_OK ? v : NAN;
        }
        t.nrows++;
    }
    ck_assert_msg(rc == 0, "%s", err.message);
    ck_csv_close(r);
    return t;
}

/* reference.csv: name,value */
static double ref(const numcsv *refs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static double ref(const numcsv *refs, const char *fmt, ...)
{
    char name[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    for (size_t i = 0; i < refs->nrows; i++)
        if (strcmp(refs->names[i], name) == 0)
            return refs->col[1][i];
    ck_abort_msg("no reference value '%s'", name);
    return NAN;
}

/* A classification set: y, p1, p2 as the API wants them. */
typedef struct clf_set {
    size_t n;
    int *y;
    double *p1, *p2;
} clf_set;

static clf_set load_set(const char *name)
{
    char file[128];
    snprintf(file, sizeof file, "%s.csv", name);
    numcsv t = load_csv(file, 0);
    ck_assert_uint_eq(t.ncols, 3);
    clf_set s = {t.nrows, malloc(t.nrows * sizeof(int)), t.col[1], t.col[2]};
    for (size_t i = 0; i < t.nrows; i++)
        s.y[i] = (int)t.col[0][i];
    free(t.col[0]);
    free(t.col);
    return s;
}

static void clf_set_free(clf_set *s)
{
    free(s->y);
    free(s->p1);
    free(s->p2);
}

static const char *const SETS[] = {"tiny", "random", "imbalanced"};
#define NSETS 3

/* ----------------------------------------------------------- comparing */

static int close_to(double got, double want, double rel)
{
    if (isnan(want) || isnan(got))
        return isnan(want) && isnan(got);
    double scale = want != 0 ? fabs(want) : 1; /* relative; absolute at 0 */
    return fabs(got - want) <= rel * scale;
}

#define ck_assert_close(got, want, rel, what)                                                  \
    do {                                                                                       \
        double got_ = (got), want_ = (want);                                                   \
        ck_assert_msg(close_to(got_, want_, rel), "%s: got %.17g, want %.17g (diff %.3g)",     \
                      what, got_, want_, got_ - want_);                                        \
    } while (0)

/* Compares a field of ck_class_metrics to reference "<set>.<field>". */
#define CHECK_FIELD(m, refs, set, field, rel) \
    ck_assert_close((double)(m).field, ref(refs, "%s.%s", set, #field), rel, #field)

static ck_class_metrics classify(const clf_set *s, const numcsv *refs, const char *set)
{
    ck_class_metrics m;
    ck_error err;
    double thr = ref(refs, "%s.threshold", set);
    ck_assert_msg(ck_metrics_classification(s->y, s->p1, s->n, thr, &m, &err) == CK_OK, "%s",
                  err.message);
    return m;
}

/* ---------------------------------------------------- reference tests */

START_TEST(test_confusion_vs_sklearn)
{
    numcsv refs = load_csv("reference.csv", 1);
    const char *set = SETS[_i];
    clf_set s = load_set(set);
    ck_class_metrics m = classify(&s, &refs, set);
    CHECK_FIELD(m, &refs, set, n, 0);
    CHECK_FIELD(m, &refs, set, n_pos, 0);
    ck_assert_close((double)m.cm.tp, ref(&refs, "%s.tp", set), 0, "tp");
    ck_assert_close((double)m.cm.fp, ref(&refs, "%s.fp", set), 0, "fp");
    ck_assert_close((double)m.cm.tn, ref(&refs, "%s.tn", set), 0, "tn");
    ck_assert_close((double)m.cm.fn, ref(&refs, "%s.fn", set), 0, "fn");
    clf_set_free(&s);
    numcsv_free(&refs);
}
END_TEST

START_TEST(test_rates_vs_sklearn)
{
    numcsv refs = load_csv("reference.csv", 1);
    const char *set = SETS[_i];
    clf_set s = load_set(set);
    ck_class_metrics m = classify(&s, &refs, set);
    CHECK_FIELD(m, &refs, set, accuracy, TIGHT);
    CHECK_FIELD(m, &refs, set, majority_accuracy, TIGHT);
    CHECK_FIELD(m, &refs, set, balanced_accuracy, TIGHT);
    CHECK_FIELD(m, &refs, set, precision, TIGHT);
    CHECK_FIELD(m, &refs, set, recall, TIGHT);
    CHECK_FIELD(m, &refs, set, f1, TIGHT);
    CHECK_FIELD(m, &refs, set, specificity, TIGHT);
    CHECK_FIELD(m, &refs, set, accuracy_lo, TOL);
    CHECK_FIELD(m, &refs, set, accuracy_hi, TOL);
    clf_set_free(&s);
    numcsv_free(&refs);
}
END_TEST

START_TEST(test_ranking_vs_sklearn)
{
    numcsv refs = load_csv("reference.csv", 1);
    const char *set = SETS[_i];
    clf_set s = load_set(set);
    ck_class_metrics m = classify(&s, &refs, set);
    CHECK_FIELD(m, &refs, set, roc_auc, TOL);
    CHECK_FIELD(m, &refs, set, average_precision, TOL);
    ck_assert_close(ck_metrics_auc(s.y, s.p1, s.n), ref(&refs, "%s.roc_auc", set), TOL, "auc");
    clf_set_free(&s);
    numcsv_free(&refs);
}
END_TEST

START_TEST(test_probability_scores_vs_sklearn)
{
    numcsv refs = load_csv("reference.csv", 1);
    const char *set = SETS[_i];
    clf_set s = load_set(set);
    ck_class_metrics m = classify(&s, &refs, set);
    CHECK_FIELD(m, &refs, set, log_loss, TOL);
    CHECK_FIELD(m, &refs, set, brier, TOL);
    CHECK_FIELD(m, &refs, set, ece, TOL);
    ck_assert_close(ck_metrics_log_loss(s.y, s.p1, s.n), ref(&refs, "%s.log_loss", set), TOL,
                    "ck_metrics_log_loss");
    clf_set_free(&s);
    numcsv_free(&refs);
}
END_TEST

START_TEST(test_reliability_and_gains_vs_numpy)
{
    numcsv refs = load_csv("reference.csv", 1);
    const char *set = SETS[_i];
    clf_set s = load_set(set);
    ck_class_metrics m = classify(&s, &refs, set);
    for (int k = 0; k < CK_RELIABILITY_BINS; k++) {
        ck_assert_close((double)m.rel_count[k], ref(&refs, "%s.rel_count.%d", set, k), 0,
                        "rel_count");
        ck_assert_close(m.rel_mean_pred[k], ref(&refs, "%s.rel_mean_pred.%d", set, k), TOL,
                        "rel_mean_pred");
        ck_assert_close(m.rel_obs_rate[k], ref(&refs, "%s.rel_obs_rate.%d", set, k), TIGHT,
                        "rel_obs_rate");
    }
    for (int k = 0; k < CK_GAINS_BINS; k++) {
        ck_assert_close(m.gains[k], ref(&refs, "%s.gains.%d", set, k), TIGHT, "gains");
        ck_assert_close(m.lift[k], ref(&refs, "%s.lift.%d", set, k), TIGHT, "lift");
    }
    clf_set_free(&s);
    numcsv_free(&refs);
}
END_TEST

/* Compares a curve to roc_<set>.csv / pr_<set>.csv point by point (one
 * assertion at the end: a Check assertion per point would be slow). */
static void check_curve(const ck_curve *c, const char *file)
{
    numcsv want = load_csv(file, 0);
    ck_assert_msg(c->n == want.nrows, "%s: %zu points, want %zu", file, c->n, want.nrows);
    size_t bad = SIZE_MAX;
    for (size_t i = 0; i < c->n && bad == SIZE_MAX; i++)
        if (!close_to(c->x[i], want.col[0][i], TIGHT) || !close_to(c->y[i], want.col[1][i], TIGHT) ||
            !close_to(c->threshold[i], want.col[2][i], TIGHT))
            bad = i;
    ck_assert_msg(bad == SIZE_MAX, "%s: point %zu is (%.17g, %.17g, %.17g), want (%.17g, %.17g, %.17g)",
                  file, bad, c->x[bad], c->y[bad], c->threshold[bad], want.col[0][bad],
                  want.col[1][bad], want.col[2][bad]);
    numcsv_free(&want);
}

START_TEST(test_roc_curve_vs_sklearn)
{
    const char *set = SETS[_i];
    char file[64];
    clf_set s = load_set(set);
    ck_curve c;
    ck_error err;
    ck_assert_msg(ck_metrics_roc_curve(s.y, s.p1, s.n, &c, &err) == CK_OK, "%s", err.message);
    snprintf(file, sizeof file, "roc_%s.csv", set);
    check_curve(&c, file);
    ck_curve_free(&c);
    ck_assert_ptr_null(c.x);
    clf_set_free(&s);
}
END_TEST

START_TEST(test_pr_curve_vs_sklearn)
{
    const char *set = SETS[_i];
    char file[64];
    clf_set s = load_set(set);
    ck_curve c;
    ck_error err;
    ck_assert_msg(ck_metrics_pr_curve(s.y, s.p1, s.n, &c, &err) == CK_OK, "%s", err.message);
    snprintf(file, sizeof file, "pr_%s.csv", set);
    check_curve(&c, file);
    ck_curve_free(&c);
    clf_set_free(&s);
}
END_TEST

START_TEST(test_delong_vs_reference)
{
    numcsv refs = load_csv("reference.csv", 1);
    const char *set = SETS[_i];
    clf_set s = load_set(set);
    ck_delong d;
    ck_error err;
    ck_assert_msg(ck_metrics_delong(s.y, s.p1, s.p2, s.n, &d, &err) == CK_OK, "%s", err.message);
    ck_assert_close(d.auc1, ref(&refs, "%s.delong.auc1", set), TOL, "auc1");
    ck_assert_close(d.auc2, ref(&refs, "%s.delong.auc2", set), TOL, "auc2");
    ck_assert_close(d.diff, ref(&refs, "%s.delong.diff", set), TOL, "diff");
    ck_assert_close(d.se, ref(&refs, "%s.delong.se", set), TOL, "se");
    ck_assert_close(d.z, ref(&refs, "%s.delong.z", set), TOL, "z");
    ck_assert_close(d.p_value, ref(&refs, "%s.delong.p_value", set), TOL, "p_value");
    /* the Wald interval of the difference, as pROC::roc.test gives it */
    double rd = ref(&refs, "%s.delong.diff", set), rs = ref(&refs, "%s.delong.se", set);
    ck_assert_close(d.ci_low, rd - 1.959963984540054 * rs, TOL, "ci_low");
    ck_assert_close(d.ci_high, rd + 1.959963984540054 * rs, TOL, "ci_high");
    clf_set_free(&s);
    numcsv_free(&refs);
}
END_TEST

static int *decisions(const double *p, size_t n, double thr)
{
    int *d = malloc(n * sizeof *d);
    for (size_t i = 0; i < n; i++)
        d[i] = p[i] >= thr;
    return d;
}

START_TEST(test_mcnemar_vs_statsmodels)
{
    numcsv refs = load_csv("reference.csv", 1);
    const char *set = SETS[_i];
    clf_set s = load_set(set);
    double thr = ref(&refs, "%s.threshold", set);
    int *d1 = decisions(s.p1, s.n, thr), *d2 = decisions(s.p2, s.n, thr);
    ck_mcnemar m;
    ck_error err;
    ck_assert_msg(ck_metrics_mcnemar(s.y, d1, d2, s.n, &m, &err) == CK_OK, "%s", err.message);
    ck_assert_close((double)m.b, ref(&refs, "%s.mcnemar.b", set), 0, "b");
    ck_assert_close((double)m.c, ref(&refs, "%s.mcnemar.c", set), 0, "c");
    ck_assert_close(m.stat, ref(&refs, "%s.mcnemar.stat", set), TOL, "stat");
    ck_assert_close(m.p_value, ref(&refs, "%s.mcnemar.p_value", set), TOL, "p_value");
    free(d1);
    free(d2);
    clf_set_free(&s);
    numcsv_free(&refs);
}
END_TEST

/* McNemar from given discordant counts, up to a million pairs: y = 0 on
 * every row, model 1 right on the first b rows, model 2 on the next c. */
START_TEST(test_mcnemar_large_counts_vs_statsmodels)
{
    static const size_t bc[][2] = {{0, 10},       {3, 12},           {40, 60}, {480, 520},
                                   {49000, 51000}, {490000, 510000}, {7, 7}};
    numcsv refs = load_csv("reference.csv", 1);
    for (size_t t = 0; t < sizeof bc / sizeof *bc; t++) {
        size_t b = bc[t][0], c = bc[t][1], n = b + c;
        int *y = calloc(n, sizeof *y), *p1 = malloc(n * sizeof *p1), *p2 = malloc(n * sizeof *p2);
        for (size_t i = 0; i < n; i++) {
            p1[i] = i >= b;  /* right (0) on the first b rows */
            p2[i] = i < b;   /* right on the others */
        }
        ck_mcnemar m;
        ck_error err;
        ck_assert_int_eq(ck_metrics_mcnemar(y, p1, p2, n, &m, &err), CK_OK);
        ck_assert_uint_eq(m.b, b);
        ck_assert_uint_eq(m.c, c);
        ck_assert_close(m.stat, ref(&refs, "mcnemar_bc.%zu_%zu.stat", b, c), TOL, "stat");
        ck_assert_close(m.p_value, ref(&refs, "mcnemar_bc.%zu_%zu.p_value", b, c), TOL, "p");
        free(y);
        free(p1);
        free(p2);
    }
    numcsv_free(&refs);
}
END_TEST

START_TEST(test_regression_vs_sklearn)
{
    numcsv refs = load_csv("reference.csv", 1);
    numcsv t = load_csv("regression.csv", 0);
    ck_reg_metrics m;
    ck_error err;
    ck_assert_msg(ck_metrics_regression(t.col[0], t.col[1], t.nrows, &m, &err) == CK_OK, "%s",
                  err.message);
    ck_assert_uint_eq(m.n, (size_t)ref(&refs, "regression.n"));
    ck_assert_close(m.rmse, ref(&refs, "regression.rmse"), TOL, "rmse");
    ck_assert_close(m.mae, ref(&refs, "regression.mae"), TOL, "mae");
    ck_assert_close(m.median_ae, ref(&refs, "regression.median_ae"), TIGHT, "median_ae");
    ck_assert_close(m.r2, ref(&refs, "regression.r2"), TOL, "r2");
    ck_assert_close(m.direction_accuracy, ref(&refs, "regression.direction_accuracy"), TIGHT,
                    "direction_accuracy");
    ck_assert_close(m.mean_y, ref(&refs, "regression.mean_y"), TOL, "mean_y");
    numcsv_free(&t);
    numcsv_free(&refs);
}
END_TEST

START_TEST(test_wilson_vs_statsmodels)
{
    static const int kn[][2] = {{0, 10}, {10, 10}, {5, 10}, {1, 1000}, {999, 1000}, {37, 50}, {1, 1}};
    numcsv refs = load_csv("reference.csv", 1);
    for (size_t t = 0; t < sizeof kn / sizeof *kn; t++) {
        double lo, hi;
        ck_metrics_wilson(kn[t][0], kn[t][1], &lo, &hi);
        ck_assert_close(lo, ref(&refs, "wilson.%d_%d.lo", kn[t][0], kn[t][1]), TOL, "lo");
        ck_assert_close(hi, ref(&refs, "wilson.%d_%d.hi", kn[t][0], kn[t][1]), TOL, "hi");
    }
    numcsv_free(&refs);
}
END_TEST

/* --------------------------------------------------- hand-checked case */

/* tiny.csv: y  0    0    1     1    1    0    1    0    1    0
 *           p1 0.1  0.4  0.35  0.8  0.8  0.8  0.3  0.0  1.0  0.5
 * At 0.5: predicted positive 0.8 x3, 1.0, 0.5 -> tp 3, fp 2, tn 3, fn 2.
 * AUC: of the 25 (pos, neg) pairs, 1.0 beats 5; each 0.8 beats 4 and ties
 * one (4.5, twice); 0.35 and 0.3 beat 0.1 and 0.0 (2 each): 18/25. */
START_TEST(test_tiny_by_hand)
{
    clf_set s = load_set("tiny");
    ck_class_metrics m;
    ck_error err;
    ck_assert_int_eq(ck_metrics_classification(s.y, s.p1, s.n, 0.5, &m, &err), CK_OK);
    ck_assert_uint_eq(m.cm.tp, 3);
    ck_assert_uint_eq(m.cm.fp, 2);
    ck_assert_uint_eq(m.cm.tn, 3);
    ck_assert_uint_eq(m.cm.fn, 2);
    ck_assert(m.roc_auc == 18.0 / 25.0);
    ck_assert(m.accuracy == 0.6 && m.precision == 0.6 && m.recall == 0.6);
    /* bins: 0.0 | 0.1 | - | 0.3 0.35 | 0.4 | 0.5 | - | - | 0.8 x3 | 1.0 */
    static const size_t counts[CK_RELIABILITY_BINS] = {1, 1, 0, 2, 1, 1, 0, 0, 3, 1};
    for (int k = 0; k < CK_RELIABILITY_BINS; k++)
        ck_assert_uint_eq(m.rel_count[k], counts[k]);
    ck_assert(isnan(m.rel_mean_pred[2]) && isnan(m.rel_obs_rate[2]));
    /* top row (1.0, positive): 1 of 5 positives; top 3 rows: 1.0, 0.8 (pos), 0.8 (pos) */
    ck_assert(m.gains[0] == 0.2 && m.gains[2] == 0.6 && m.gains[9] == 1.0);
    ck_assert(m.lift[0] == 2.0);
    clf_set_free(&s);
}
END_TEST

/* -------------------------------------------------------- properties */

/* splitmix64: a small deterministic generator for the property tests. */
static uint64_t next_u64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double uniform(uint64_t *state)
{
    return (double)(next_u64(state) >> 11) * 0x1.0p-53;
}

/* n rows: scores on `levels` distinct values (ties), labels correlated. */
static void random_data(size_t n, unsigned levels, uint64_t seed, int *y, double *p)
{
    uint64_t st = seed;
    for (size_t i = 0; i < n; i++) {
        p[i] = (double)(next_u64(&st) % levels) / (levels - 1);
        y[i] = uniform(&st) < 0.2 + 0.6 * p[i];
    }
}

/* AUC by its definition, over every (positive, negative) pair. */
static double auc_brute(const int *y, const double *s, size_t n)
{
    double num = 0, pairs = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (y[i] == 1 && y[j] == 0) {
                num += s[i] > s[j] ? 1.0 : s[i] == s[j] ? 0.5 : 0.0;
                pairs += 1;
            }
    return num / pairs;
}

START_TEST(test_auc_matches_pair_definition)
{
    enum { N = 700 };
    int y[N];
    double p[N];
    for (unsigned levels = 2; levels <= 1000; levels *= 5) {
        random_data(N, levels, 99 + levels, y, p);
        ck_assert_close(ck_metrics_auc(y, p, N), auc_brute(y, p, N), TIGHT, "auc");
    }
}
END_TEST

START_TEST(test_auc_perfect_reversed_and_tied)
{
    enum { N = 1000 };
    int y[N];
    double s[N], rev[N], tied[N];
    for (size_t i = 0; i < N; i++) {
        y[i] = (i * 7919) % 3 == 0;
        s[i] = y[i] ? 2.0 + (double)(i % 5) : -(double)(i % 11); /* positives all above */
        rev[i] = -s[i];
        tied[i] = 0.25;
    }
    ck_assert(ck_metrics_auc(y, s, N) == 1.0);
    ck_assert(ck_metrics_auc(y, rev, N) == 0.0);
    ck_assert(ck_metrics_auc(y, tied, N) == 0.5);
}
END_TEST

START_TEST(test_auc_invariant_under_monotone_transform)
{
    enum { N = 5000 };
    static int y[N];
    static double p[N], t1[N], t2[N], t3[N];
    random_data(N, 97, 7, y, p);
    for (size_t i = 0; i < N; i++) {
        t1[i] = exp(3 * p[i]);           /* increasing */
        t2[i] = 1000.0 * p[i] - 17.0;     /* affine */
        t3[i] = log(p[i] + 1e-3) * 1e6; /* increasing, different scale */
    }
    double a = ck_metrics_auc(y, p, N);
    ck_assert(a > 0.6 && a < 0.9);
    ck_assert(ck_metrics_auc(y, t1, N) == a);
    ck_assert(ck_metrics_auc(y, t2, N) == a);
    ck_assert(ck_metrics_auc(y, t3, N) == a);
    for (size_t i = 0; i < N; i++)
        t1[i] = -p[i]; /* decreasing: 1 - AUC */
    ck_assert_close(ck_metrics_auc(y, t1, N), 1.0 - a, TIGHT, "reversed");
}
END_TEST

START_TEST(test_curves_shape_and_area)
{
    enum { N = 3000 };
    static int y[N];
    static double p[N];
    random_data(N, 50, 11, y, p);
    ck_curve roc, pr;
    ck_error err;
    ck_assert_int_eq(ck_metrics_roc_curve(y, p, N, &roc, &err), CK_OK);
    ck_assert_int_eq(ck_metrics_pr_curve(y, p, N, &pr, &err), CK_OK);
    ck_assert_uint_eq(roc.n, 51); /* 50 distinct scores + the start */
    ck_assert_uint_eq(pr.n, 51);
    ck_assert(roc.x[0] == 0 && roc.y[0] == 0 && roc.x[roc.n - 1] == 1 && roc.y[roc.n - 1] == 1);
    ck_assert(pr.x[pr.n - 1] == 0 && pr.y[pr.n - 1] == 1 && pr.x[0] == 1);
    /* trapezoids under the ROC curve = the AUC; both monotone */
    double area = 0;
    int monotone = 1;
    for (size_t k = 1; k < roc.n; k++) {
        area += (roc.x[k] - roc.x[k - 1]) * (roc.y[k] + roc.y[k - 1]) / 2;
        monotone &= roc.x[k] >= roc.x[k - 1] && roc.y[k] >= roc.y[k - 1] &&
                    roc.threshold[k] < roc.threshold[k - 1];
        monotone &= pr.x[k] <= pr.x[k - 1] && pr.threshold[k] > pr.threshold[k - 1];
    }
    ck_assert(monotone);
    ck_assert_close(area, ck_metrics_auc(y, p, N), TOL, "area");
    ck_assert(roc.threshold[0] == 2.0 && pr.threshold[pr.n - 1] == 2.0); /* max p is 1 */
    ck_curve_free(&roc);
    ck_curve_free(&pr);
    ck_curve_free(&pr); /* freeing twice is harmless */
}
END_TEST

START_TEST(test_wilson_properties)
{
    double prev_width = 2;
    for (double n = 10; n <= 1e7; n *= 10) {
        double lo, hi, k = 0.3 * n;
        ck_metrics_wilson(k, n, &lo, &hi);
        ck_assert(0 <= lo && lo < k / n && k / n < hi && hi <= 1);
        ck_assert(hi - lo < prev_width);
        prev_width = hi - lo;
    }
    double lo, hi;
    ck_metrics_wilson(0, 20, &lo, &hi);
    ck_assert(lo == 0 && hi > 0 && hi < 0.2);
    ck_metrics_wilson(20, 20, &lo, &hi);
    ck_assert(hi == 1 && lo > 0.8);
    /* symmetric: [lo, hi] for k is [1 - hi, 1 - lo] for n - k */
    double lo2, hi2;
    ck_metrics_wilson(3, 17, &lo, &hi);
    ck_metrics_wilson(14, 17, &lo2, &hi2);
    ck_assert_close(lo, 1 - hi2, TIGHT, "symmetry lo");
    ck_assert_close(hi, 1 - lo2, TIGHT, "symmetry hi");
    ck_metrics_wilson(1, 0, &lo, &hi);
    ck_assert(isnan(lo) && isnan(hi));
    ck_metrics_wilson(5, 4, &lo, &hi);
    ck_assert(isnan(lo) && isnan(hi));
}
END_TEST

START_TEST(test_delong_model_against_itself)
{
    clf_set s = load_set("random");
    ck_delong d;
    ck_error err;
    ck_assert_int_eq(ck_metrics_delong(s.y, s.p1, s.p1, s.n, &d, &err), CK_OK);
    ck_assert(d.auc1 == d.auc2 && d.diff == 0 && d.se == 0 && d.z == 0 && d.p_value == 1);
    /* swapping the models flips diff and z, keeps se and p */
    ck_delong a, b;
    ck_assert_int_eq(ck_metrics_delong(s.y, s.p1, s.p2, s.n, &a, &err), CK_OK);
    ck_assert_int_eq(ck_metrics_delong(s.y, s.p2, s.p1, s.n, &b, &err), CK_OK);
    ck_assert(a.diff == -b.diff && a.se == b.se && a.z == -b.z && a.p_value == b.p_value);
    ck_assert(a.p_value > 0 && a.p_value < 1);
    clf_set_free(&s);
}
END_TEST

START_TEST(test_delong_too_few_of_a_class)
{
    int y[] = {1, 0, 0, 0};
    double s1[] = {0.9, 0.1, 0.2, 0.3}, s2[] = {0.1, 0.2, 0.3, 0.4};
    ck_delong d;
    ck_error err;
    ck_assert_int_eq(ck_metrics_delong(y, s1, s2, 4, &d, &err), CK_OK);
    ck_assert(d.auc1 == 1.0 && d.auc2 == 0.0 && d.diff == 1.0);
    ck_assert(isnan(d.se) && isnan(d.z) && isnan(d.p_value));
    int y0[] = {0, 0, 0, 0};
    ck_assert_int_eq(ck_metrics_delong(y0, s1, s2, 4, &d, &err), CK_OK);
    ck_assert(isnan(d.auc1) && isnan(d.se));
}
END_TEST

START_TEST(test_mcnemar_symmetry_and_edges)
{
    clf_set s = load_set("random");
    int *d1 = decisions(s.p1, s.n, 0.5), *d2 = decisions(s.p2, s.n, 0.5);
    ck_mcnemar a, b, same;
    ck_error err;
    ck_assert_int_eq(ck_metrics_mcnemar(s.y, d1, d2, s.n, &a, &err), CK_OK);
    ck_assert_int_eq(ck_metrics_mcnemar(s.y, d2, d1, s.n, &b, &err), CK_OK);
    ck_assert(a.b == b.c && a.c == b.b && a.stat == b.stat && a.p_value == b.p_value);
    ck_assert(a.b + a.c > 0);
    ck_assert_int_eq(ck_metrics_mcnemar(s.y, d1, d1, s.n, &same, &err), CK_OK);
    ck_assert(same.b == 0 && same.c == 0 && same.stat == 0 && same.p_value == 1);
    free(d1);
    free(d2);
    clf_set_free(&s);
}
END_TEST

START_TEST(test_bad_input_is_usage_error)
{
    int y[] = {0, 1, 1, 0}, y2[] = {0, 2, 1, 0};
    double p[] = {0.1, 0.9, 0.6, 0.3}, pbig[] = {0.1, 1.5, 0.6, 0.3}, pnan[] = {0.1, NAN, 0.6, 0.3};
    double pinf[] = {0.1, INFINITY, 0.6, 0.3};
    ck_class_metrics m;
    ck_reg_metrics r;
    ck_curve c;
    ck_delong d;
    ck_mcnemar mc;
    ck_error err;

    ck_assert_int_eq(ck_metrics_classification(y, p, 0, 0.5, &m, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "no rows");
    ck_assert_int_eq(ck_metrics_classification(y2, p, 4, 0.5, &m, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "y[1] is 2");
    ck_assert_int_eq(ck_metrics_classification(y, pbig, 4, 0.5, &m, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "p[1] is 1.5");
    ck_assert_int_eq(ck_metrics_classification(y, pnan, 4, 0.5, &m, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "p[1] is nan");
    ck_assert_int_eq(ck_metrics_classification(y, p, 4, NAN, &m, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "threshold");
    ck_assert_int_eq(ck_metrics_classification(NULL, p, 4, 0.5, &m, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "NULL");

    ck_assert_int_eq(ck_metrics_regression(p, pnan, 4, &r, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "pred[1] is nan");
    ck_assert_int_eq(ck_metrics_regression(pinf, p, 4, &r, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "y[1] is inf");
    ck_assert_int_eq(ck_metrics_regression(p, p, 0, &r, &err), CK_EUSAGE);

    ck_assert_int_eq(ck_metrics_roc_curve(y, pnan, 4, &c, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "score[1]");
    ck_assert_ptr_null(c.x);
    ck_assert_int_eq(ck_metrics_pr_curve(y2, p, 4, &c, &err), CK_EUSAGE);
    ck_assert_int_eq(ck_metrics_pr_curve(y, p, 0, &c, &err), CK_EUSAGE);

    ck_assert_int_eq(ck_metrics_delong(y2, p, p, 4, &d, &err), CK_EUSAGE);
    ck_assert_int_eq(ck_metrics_delong(y, p, pinf, 4, &d, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "s2[1]");

    int bad_pred[] = {0, 1, -1, 0};
    ck_assert_int_eq(ck_metrics_mcnemar(y, y, bad_pred, 4, &mc, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "pred2[2] is -1");

    /* the functions without an error record answer NaN */
    ck_assert(isnan(ck_metrics_auc(y2, p, 4)));
    ck_assert(isnan(ck_metrics_auc(y, pnan, 4)));
    ck_assert(isnan(ck_metrics_auc(y, p, 0)));
    ck_assert(isnan(ck_metrics_log_loss(y, pbig, 4)));
    ck_assert(isnan(ck_metrics_log_loss(y, p, 0)));
}
END_TEST

START_TEST(test_one_class_labels)
{
    int zeros[] = {0, 0, 0, 0, 0}, ones[] = {1, 1, 1, 1, 1};
    double p[] = {0.1, 0.7, 0.2, 0.9, 0.4};
    ck_class_metrics m;
    ck_error err;
    ck_assert_int_eq(ck_metrics_classification(zeros, p, 5, 0.5, &m, &err), CK_OK);
    ck_assert(isnan(m.roc_auc));
    ck_assert(m.average_precision == 0.0); /* sklearn's value (with a warning) */
    ck_assert(m.recall == 0 && m.precision == 0 && m.f1 == 0);
    ck_assert(m.specificity == 0.6 && m.balanced_accuracy == 0.6); /* sklearn: classes in y */
    ck_assert(m.majority_accuracy == 1.0 && isnan(m.gains[0]) && isnan(m.lift[9]));
    ck_assert(isfinite(m.log_loss) && isfinite(m.brier));
    ck_assert_int_eq(ck_metrics_classification(ones, p, 5, 0.5, &m, &err), CK_OK);
    ck_assert(isnan(m.roc_auc) && m.average_precision == 1.0 && m.balanced_accuracy == 0.4);
    ck_assert(m.gains[9] == 1.0);
    ck_assert(isnan(ck_metrics_auc(zeros, p, 5)));

    ck_curve c;
    ck_assert_int_eq(ck_metrics_roc_curve(zeros, p, 5, &c, &err), CK_OK);
    ck_assert(c.n == 6 && isnan(c.y[0]) && isnan(c.y[5]) && c.x[5] == 1.0);
    ck_curve_free(&c);
    ck_assert_int_eq(ck_metrics_pr_curve(zeros, p, 5, &c, &err), CK_OK);
    ck_assert(c.n == 6 && c.x[0] == 1.0 && c.y[0] == 0.0 && c.x[5] == 0 && c.y[5] == 1);
    ck_curve_free(&c);
}
END_TEST

START_TEST(test_log_loss_clipping_and_edges)
{
    int y[] = {1, 0, 1, 0};
    double p[] = {0.0, 1.0, 1.0, 0.0};
    /* two confident mistakes, two certain hits.  The upper clip 1 - 1e-15 is
     * a double (1 - 9.992e-16), so a wrong p = 1 costs -log(9.992e-16), a
     * little more than a wrong p = 0 (-log(1e-15)): the same as sklearn. */
    double upper = 1.0 - 1e-15;
    double want = (-log(1e-15) - log(1.0 - upper) - log(upper) - log1p(-1e-15)) / 4;
    ck_assert_close(ck_metrics_log_loss(y, p, 4), want, TOL, "clipped");
    ck_assert(want > -log(1e-15) / 2); /* the asymmetry is real */
    /* reliability edges: p exactly k/10 falls in bin k, p = 1 in the last */
    enum { N = 11 };
    int yy[N] = {0};
    double pp[N];
    for (int k = 0; k < N; k++)
        pp[k] = k / 10.0;
    ck_class_metrics m;
    ck_error err;
    ck_assert_int_eq(ck_metrics_classification(yy, pp, N, 0.5, &m, &err), CK_OK);
    for (int k = 0; k < 9; k++)
        ck_assert_uint_eq(m.rel_count[k], 1);
    ck_assert_uint_eq(m.rel_count[9], 2);
    /* around the edges: 0.1 * 3 is above the double 0.3 (bin 3), the double
     * below 0.3 is in bin 2, and the double below 0.9 in bin 8 although
     * 10 times it rounds to 9.0 (floor(10 p) alone would say bin 9) */
    pp[0] = 0.1 * 3;
    pp[1] = nextafter(0.3, 0);
    pp[2] = nextafter(0.9, 0);
    ck_assert(pp[2] * 10 == 9.0);
    ck_assert_int_eq(ck_metrics_classification(yy, pp, N, 0.5, &m, &err), CK_OK);
    static const size_t want_counts[CK_RELIABILITY_BINS] = {0, 0, 1, 2, 1, 1, 1, 1, 2, 2};
    for (int k = 0; k < CK_RELIABILITY_BINS; k++)
        ck_assert_msg(m.rel_count[k] == want_counts[k], "bin %d holds %zu, want %zu", k,
                      m.rel_count[k], want_counts[k]);
}
END_TEST

START_TEST(test_gains_ties_keep_input_order)
{
    /* all scores tied: the "top" rows are the first rows of the input */
    enum { N = 20 };
    int y[N] = {0};
    double p[N];
    for (int i = 0; i < N; i++)
        p[i] = 0.5;
    y[0] = y[1] = 1; /* both positives in the first 10% (2 rows) */
    ck_class_metrics m;
    ck_error err;
    ck_assert_int_eq(ck_metrics_classification(y, p, N, 0.5, &m, &err), CK_OK);
    ck_assert(m.gains[0] == 1.0 && m.lift[0] == 10.0);
    y[0] = y[1] = 0;
    y[18] = y[19] = 1; /* now in the last 10% */
    ck_assert_int_eq(ck_metrics_classification(y, p, N, 0.5, &m, &err), CK_OK);
    ck_assert(m.gains[8] == 0.0 && m.gains[9] == 1.0);
    /* n = 7: the top ceil(7k/10) rows: 1, 2, 3, 3, 4, 5, 5, 6, 7, 7 */
    int y7[] = {1, 1, 1, 1, 1, 1, 1};
    double p7[] = {0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3};
    ck_assert_int_eq(ck_metrics_classification(y7, p7, 7, 0.5, &m, &err), CK_OK);
    static const int top[] = {1, 2, 3, 3, 4, 5, 5, 6, 7, 7};
    for (int k = 0; k < CK_GAINS_BINS; k++)
        ck_assert_close(m.gains[k], top[k] / 7.0, TIGHT, "gains n=7");
}
END_TEST

START_TEST(test_gains_match_a_stable_sort)
{
    /* many ties, -0 beside +0, both ends of [0, 1]: the gains must be what
     * a stable sort by score descending (ties in input order) gives */
    enum { N = 3000 };
    static int y[N];
    static double p[N];
    static size_t order[N];
    static const double pick[] = {-0.0, 0.0, 0.1, 0.5, 1.0, 0.3};
    unsigned long s = 7;
    for (size_t i = 0; i < N; i++) {
        s = s * 6364136223846793005UL + 1442695040888963407UL;
        y[i] = (s >> 40) % 3 == 0;
        p[i] = (s >> 20) % 2 ? pick[(s >> 33) % 6] : (double)(s >> 44) / 1048576.0;
        order[i] = i;
    }
    for (size_t i = 1; i < N; i++) /* stable insertion sort, descending */
        for (size_t j = i; j > 0 && p[order[j - 1]] < p[order[j]]; j--) {
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    size_t pos = 0;
    for (size_t i = 0; i < N; i++)
        pos += (size_t)y[i];
    ck_class_metrics m;
    ck_error err;
    ck_assert_int_eq(ck_metrics_classification(y, p, N, 0.5, &m, &err), CK_OK);
    for (int k = 0; k < CK_GAINS_BINS; k++) {
        size_t top = (N * (size_t)(k + 1) + CK_GAINS_BINS - 1) / CK_GAINS_BINS, cum = 0;
        for (size_t i = 0; i < top; i++)
            cum += (size_t)y[order[i]];
        ck_assert_close(m.gains[k], (double)cum / (double)pos, TIGHT, "gains");
    }
    ck_assert_close(m.roc_auc, auc_brute(y, p, N), TIGHT, "auc");
}
END_TEST

START_TEST(test_regression_properties)
{
    double y[] = {3, -1, 0, 2.5, -4}, same[] = {3, -1, 0, 2.5, -4}, flat[] = {2, 2, 2, 2, 2};
    ck_reg_metrics m;
    ck_error err;
    ck_assert_int_eq(ck_metrics_regression(y, same, 5, &m, &err), CK_OK);
    ck_assert(m.rmse == 0 && m.mae == 0 && m.median_ae == 0 && m.r2 == 1 &&
              m.direction_accuracy == 1 && m.mean_y == 0.1);
    /* constant y: R^2 is 1 if predicted exactly, else 0 (sklearn's force_finite) */
    ck_assert_int_eq(ck_metrics_regression(flat, flat, 5, &m, &err), CK_OK);
    ck_assert(m.r2 == 1);
    ck_assert_int_eq(ck_metrics_regression(flat, y, 5, &m, &err), CK_OK);
    ck_assert(m.r2 == 0);
    /* predicting the mean gives R^2 = 0; the sign of 0.1 agrees with y = 3
     * and y = 2.5 only (y = 0 has its own sign) */
    double mean[] = {0.1, 0.1, 0.1, 0.1, 0.1};
    ck_assert_int_eq(ck_metrics_regression(y, mean, 5, &m, &err), CK_OK);
    ck_assert_close(m.r2, 0.0, TIGHT, "r2 of the mean");
    ck_assert(m.direction_accuracy == 0.4);
    /* median of |errors| 2.9, 1.1, 0.1, 2.4, 4.1 (odd n) is 2.4 */
    ck_assert_close(m.median_ae, 2.4, TIGHT, "median");
}
END_TEST

/* One million rows: classification must take well under a second, and the
 * AUC must equal one computed independently by counting (the scores take
 * 1000 values, so pairs can be counted per value in O(n)). */
START_TEST(test_million_rows)
{
    enum { N = 1000000, LEVELS = 1000 };
    int *y = malloc(N * sizeof *y);
    double *p = malloc(N * sizeof *p);
    random_data(N, LEVELS, 2024, y, p);
    struct timespec t0, t1;
    ck_class_metrics m;
    ck_error err;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ck_assert_int_eq(ck_metrics_classification(y, p, N, 0.5, &m, &err), CK_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);

    static size_t pos[LEVELS], neg[LEVELS];
    memset(pos, 0, sizeof pos);
    memset(neg, 0, sizeof neg);
    for (size_t i = 0; i < N; i++) {
        size_t v = (size_t)lround(p[i] * (LEVELS - 1));
        (y[i] ? pos : neg)[v]++;
    }
    double num = 0, neg_below = 0, npos = 0, nneg = 0;
    for (size_t v = 0; v < LEVELS; v++) {
        num += (double)pos[v] * (neg_below + 0.5 * (double)neg[v]);
        neg_below += (double)neg[v];
        npos += (double)pos[v];
        nneg += (double)neg[v];
    }
    ck_assert_close(m.roc_auc, num / (npos * nneg), TOL, "million-row AUC");
    ck_assert_uint_eq(m.n_pos, (size_t)npos);
#if !defined(__SANITIZE_ADDRESS__) /* timing only where the build is not slowed down */
    const char *preload = getenv("LD_PRELOAD"); /* valgrind preloads vgpreload_*.so */
    if (!(preload && strstr(preload, "vgpreload")))
        ck_assert_msg(secs < 1.0, "classification of 1e6 rows took %.3f s", secs);
#endif
    (void)secs;
    free(y);
    free(p);
}
END_TEST

/* Precision and recall of the top k by hand: scores 0.9 | 0.8 0.8 0.8 |
 * 0.3 0.1 with labels 1 | 0 1 1 | 0 0 (3 positives).  Top 1: 1 of 1.  Top
 * 3: the 0.8 group (2 positives in 3 rows) is named 2/3, so tp = 1 + 2 *
 * 2/3 = 7/3: precision 7/9, recall 7/9.  Top 4: tp 3, precision 3/4,
 * recall 1. */
START_TEST(test_top_k_by_hand)
{
    int y[] = {1, 0, 1, 1, 0, 0};
    double p[] = {0.9, 0.8, 0.8, 0.8, 0.3, 0.1}, lo, hi;
    ck_class_metrics c;
    ck_error err;
    memset(&c, 0, sizeof c);
    ck_assert_int_eq(ck_metrics_top(y, p, 6, 1, &c, &err), CK_OK);
    ck_assert(c.top_named == 1 && c.precision_at_top == 1 && fabs(c.recall_at_top - 1.0 / 3) < 1e-15);
    ck_assert_int_eq(ck_metrics_top(y, p, 6, 3, &c, &err), CK_OK);
    ck_assert(fabs(c.precision_at_top - 7.0 / 9) < 1e-15 && fabs(c.recall_at_top - 7.0 / 9) < 1e-15);
    ck_metrics_wilson(7.0 / 3, 3, &lo, &hi);
    ck_assert(fabs(c.precision_at_top_lo - lo) < 1e-12 && fabs(c.precision_at_top_hi - hi) < 1e-12);
    ck_assert_int_eq(ck_metrics_top(y, p, 6, 4, &c, &err), CK_OK);
    ck_assert(c.precision_at_top == 0.75 && c.recall_at_top == 1);
    /* a constant score names the positive share, whatever k */
    double flat[] = {0.2, 0.2, 0.2, 0.2, 0.2, 0.2};
    for (size_t k = 1; k <= 6; k++) {
        ck_assert_int_eq(ck_metrics_top(y, flat, 6, k, &c, &err), CK_OK);
        ck_assert(fabs(c.precision_at_top - 0.5) < 1e-15);
    }
    ck_assert_int_eq(ck_metrics_top(y, p, 6, 0, &c, &err), CK_EUSAGE);
    ck_assert_int_eq(ck_metrics_top(y, p, 6, 7, &c, &err), CK_EUSAGE);
}
END_TEST

/* The precision and recall intervals are Wilson's over the named rows and
 * over the positives; undefined (NaN) with nothing named. */
START_TEST(test_precision_recall_intervals)
{
    int y[] = {1, 0, 1, 1, 0, 0};
    double p[] = {0.9, 0.8, 0.8, 0.8, 0.3, 0.1}, lo, hi;
    ck_class_metrics c;
    ck_error err;
    ck_assert_int_eq(ck_metrics_classification(y, p, 6, 0.5, &c, &err), CK_OK);
    ck_metrics_wilson(3, 4, &lo, &hi); /* 3 of the 4 named are positive */
    ck_assert(c.precision_lo == lo && c.precision_hi == hi);
    ck_metrics_wilson(3, 3, &lo, &hi); /* all 3 positives found */
    ck_assert(c.recall_lo == lo && c.recall_hi == hi && hi == 1);
    ck_assert_int_eq(ck_metrics_classification(y, p, 6, 0.95, &c, &err), CK_OK);
    ck_assert(isnan(c.precision_lo) && isnan(c.precision_hi) && c.precision == 0);
}
END_TEST

static Suite *metrics_suite(void)
{
    gsl_set_error_handler_off();
    Suite *s = suite_create("metrics");
    TCase *ref = tcase_create("reference");
    tcase_set_timeout(ref, 60);
    tcase_add_loop_test(ref, test_confusion_vs_sklearn, 0, NSETS);
    tcase_add_loop_test(ref, test_rates_vs_sklearn, 0, NSETS);
    tcase_add_loop_test(ref, test_ranking_vs_sklearn, 0, NSETS);
    tcase_add_loop_test(ref, test_probability_scores_vs_sklearn, 0, NSETS);
    tcase_add_loop_test(ref, test_reliability_and_gains_vs_numpy, 0, NSETS);
    tcase_add_loop_test(ref, test_roc_curve_vs_sklearn, 0, NSETS);
    tcase_add_loop_test(ref, test_pr_curve_vs_sklearn, 0, NSETS);
    tcase_add_loop_test(ref, test_delong_vs_reference, 0, NSETS);
    tcase_add_loop_test(ref, test_mcnemar_vs_statsmodels, 0, NSETS);
    tcase_add_test(ref, test_mcnemar_large_counts_vs_statsmodels);
    tcase_add_test(ref, test_regression_vs_sklearn);
    tcase_add_test(ref, test_wilson_vs_statsmodels);
    tcase_add_test(ref, test_tiny_by_hand);
    suite_add_tcase(s, ref);

    TCase *prop = tcase_create("properties");
    tcase_set_timeout(prop, 120);
    tcase_add_test(prop, test_auc_matches_pair_definition);
    tcase_add_test(prop, test_auc_perfect_reversed_and_tied);
    tcase_add_test(prop, test_auc_invariant_under_monotone_transform);
    tcase_add_test(prop, test_curves_shape_and_area);
    tcase_add_test(prop, test_wilson_properties);
    tcase_add_test(prop, test_delong_model_against_itself);
    tcase_add_test(prop, test_delong_too_few_of_a_class);
    tcase_add_test(prop, test_mcnemar_symmetry_and_edges);
    tcase_add_test(prop, test_bad_input_is_usage_error);
    tcase_add_test(prop, test_one_class_labels);
    tcase_add_test(prop, test_log_loss_clipping_and_edges);
    tcase_add_test(prop, test_gains_ties_keep_input_order);
    tcase_add_test(prop, test_gains_match_a_stable_sort);
    tcase_add_test(prop, test_regression_properties);
    tcase_add_test(prop, test_million_rows);
    tcase_add_test(prop, test_top_k_by_hand);
    tcase_add_test(prop, test_precision_recall_intervals);
    suite_add_tcase(s, prop);
    return s;
}

CK_TEST_MAIN(metrics_suite)
