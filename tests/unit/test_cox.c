/* Cox proportional hazards against R's survival::coxph, with churnkit's own
 * pipeline, on a table with heavy ties (churn month 1..12) and one with a
 * categorical column; and the properties of the fit, the concordance and
 * the survival curve.  Reference numbers: tests/fixtures/cox/, made by
 * make_cox_fixtures.R.  Compile with -DCK_COX_REPORT to print the largest
 * differences from R. */
#include "testutil.h"

#include <math.h>

#include "churnkit/cox.h"
#include "churnkit/pipeline.h"
#include "churnkit/table.h"

#define FIX CK_TEST_DATA "/../fixtures/cox/"

/* ------------------------------------------------------------------ */
/* reading references */

/* A reference table: column `key` (text) and numeric columns. */
static ck_table *reference(const char *name, const char *key)
{
    return ck_test_fixture(FIX, name, key);
}

/* Value of column `col` in the row whose key is `k`. */
static double lookup(const ck_table *t, const char *k, const char *col)
{
    const double *v = ck_test_column(t, col);
    for (size_t i = 0; i < t->nrows; i++)
        if (strcmp(ck_table_text(t, 0, i), k) == 0)
            return v[i];
    ck_abort_msg("no reference row '%s'", k);
    return NAN;
}

/* The worst relative difference seen in a group of comparisons. */
typedef struct worst {
    const char *what;
    double diff;
} worst;

static void see(worst *wo, double got, double want, double floor_)
{
    double d = ck_test_reldiff(got, want, floor_);
    if (!(d <= wo->diff))
        wo->diff = d;
}

static void judge(const char *tag, const worst *wo, double limit)
{
#ifdef CK_COX_REPORT
    fprintf(stderr, "%-28s %-16s %.3g\n", tag, wo->what, wo->diff);
#endif
    ck_assert_msg(wo->diff < limit, "%s: %s differ from R by %g (relative)", tag, wo->what,
                  wo->diff);
}

/* ------------------------------------------------------------------ */
/* fitting */

/* The rows of t, row i count[i] times (a table of their sum). */
static ck_table *replicate(const ck_table *t, const size_t *count)
{
    size_t n = 0;
    for (size_t i = 0; i < t->nrows; i++)
        n += count[i];
    ck_table *r = ck_table_new(n, "replicated");
    ck_assert_ptr_nonnull(r);
    double *num = malloc(n * sizeof *num);
    const char **text = malloc(n * sizeof *text);
    ck_error err;
    for (size_t c = 0; c < t->ncols; c++) {
        size_t k = 0;
        for (size_t i = 0; i < t->nrows; i++)
            for (size_t m = 0; m < count[i]; m++, k++) {
                if (t->col[c].type == CK_COL_NUMERIC)
                    num[k] = t->col[c].num[i];
                else
                    text[k] = ck_table_text(t, c, i);
            }
        ck_status st = t->col[c].type == CK_COL_NUMERIC
                           ? ck_table_add_numeric(r, t->col[c].name, num, &err)
                           : ck_table_add_text(r, t->col[c].name, text, &err);
        ck_assert_msg(st == CK_OK, "%s", err.message);
    }
    free(num);
    free(text);
    return r;
}

typedef struct fitted {
    ck_table *t;
    ck_pipeline *pl;
    ck_design d;
    size_t *rows;
    const double *time, *event, *weight;
    ck_cox m;
    ck_warnings w;
} fitted;

typedef struct spec {
    const char *file;          /* in FIX */
    const char *time, *event;  /* columns */
    const char *weight;        /* column, or NULL */
    size_t reps;               /* every row this many times (0: once) */
    int drop_first;
} spec;

static const spec TIES = {"ties.csv", "churn_months", "churned", NULL, 0, 1};
static const spec TIES_W = {"ties.csv", "churn_months", "churned", "weight", 0, 1};
static const spec TIES_40 = {"ties.csv", "churn_months", "churned", NULL, 40, 1};
static const spec MIXED = {"mixed.csv", "time", "event", NULL, 0, 1};
static const spec MIXED_ALL = {"mixed.csv", "time", "event", NULL, 0, 0};

/* Reads the table, fits churnkit's pipeline on it (every column but time,
 * event and weight) and binds the design. */
static void prepare(fitted *f, const spec *sp)
{
    ck_error err;
    memset(f, 0, sizeof *f);
    ck_warnings_init(&f->w);
    char path[512];
    snprintf(path, sizeof path, FIX "%s", sp->file);
    ck_assert_msg(ck_table_read_csv(&f->t, path, NULL, &err) == CK_OK, "%s", err.message);
    if (sp->reps > 1) {
        size_t *count = malloc(f->t->nrows * sizeof *count);
        for (size_t i = 0; i < f->t->nrows; i++)
            count[i] = sp->reps;
        ck_table *r = replicate(f->t, count);
        ck_table_free(f->t);
        f->t = r;
        free(count);
    }
    ck_pipeline_options po;
    ck_pipeline_options_init(&po);
    po.drop_first = sp->drop_first;
    const char *ex[3] = {sp->time, sp->event, "weight"};
    po.exclude = ex;
    po.nexclude = ck_table_find(f->t, "weight") >= 0 ? 3 : 2;
    ck_assert_msg(ck_pipeline_fit(&f->pl, f->t, NULL, 0, &po, &f->w, &err) == CK_OK, "%s",
                  err.message);
    ck_assert_int_eq(ck_design_bind(&f->d, f->pl, f->t, &err), CK_OK);
    f->rows = malloc(f->t->nrows * sizeof *f->rows);
    for (size_t i = 0; i < f->t->nrows; i++)
        f->rows[i] = i;
    f->time = ck_test_column(f->t, sp->time);
    f->event = ck_test_column(f->t, sp->event);
    f->weight = sp->weight ? ck_test_column(f->t, sp->weight) : NULL;
}

static void run(fitted *f, const ck_cox_options *o)
{
    ck_error err;
    ck_dataset ds = {&f->d, f->rows, f->t->nrows, NULL, f->weight, NULL};
    ck_assert_msg(ck_cox_fit(&ds, f->time, f->event, o, &f->m, &f->w, &err) == CK_OK, "%s",
                  err.message);
}

static void fit(fitted *f, const spec *sp, ck_cox_ties ties, double l2, size_t threads)
{
    prepare(f, sp);
    ck_cox_options o;
    ck_cox_options_init(&o);
    o.ties = ties;
    o.l2 = l2;
    o.threads = threads;
    run(f, &o);
}

static void unfit(fitted *f)
{
    ck_cox_fini(&f->m);
    ck_design_fini(&f->d);
    ck_pipeline_free(f->pl);
    ck_table_free(f->t);
    ck_warnings_fini(&f->w);
    free(f->rows);
}

/* R's fit$means: the weighted column means, except 0 for a column whose
 * values are all -1, 0 or 1 (coxph's nocenter). */
static double r_means_dot_beta(const fitted *f)
{
    size_t p = f->m.p, n = f->t->nrows;
    ck_assert_uint_gt(p, 0);
    double *x = malloc(p * sizeof *x), *sum = calloc(p, sizeof *sum), sw = 0, out = 0;
    int *ternary = malloc(p * sizeof *ternary);
    for (size_t j = 0; j < p; j++)
        ternary[j] = 1;
    for (size_t i = 0; i < n; i++) {
        double w = f->weight ? f->weight[i] : 1;
        ck_design_row(&f->d, i, x);
        for (size_t j = 0; j < p; j++) {
            sum[j] += w * x[j];
            ternary[j] &= x[j] == -1 || x[j] == 0 || x[j] == 1;
        }
        sw += w;
    }
    for (size_t j = 0; j < p; j++)
        out += ternary[j] ? 0 : sum[j] / sw * f->m.beta[j];
    free(x);
    free(sum);
    free(ternary);
    return out;
}

/* Compares a fit with R's numbers for fixture `tag`. */
static void check_r(const fitted *f, const char *tag)
{
    char name[128];
    snprintf(name, sizeof name, "%s_coef.csv", tag);
    ck_table *coef = reference(name, "term");
    snprintf(name, sizeof name, "%s_stats.csv", tag);
    ck_table *stats = reference(name, "name");
    snprintf(name, sizeof name, "%s_basehaz.csv", tag);
    ck_table *bh = reference(name, NULL);
    const ck_cox *m = &f->m;
    ck_assert(m->converged);
    ck_assert_uint_eq(coef->nrows, m->p);
    worst wc = {"coefficients", 0}, ws = {"std errors", 0}, wl = {"logliks, tests", 0},
          wk = {"concordance", 0}, wh = {"basehaz", 0};
    for (size_t j = 0; j < m->p; j++) {
        const char *term = f->pl->encoded[j];
        see(&wc, m->beta[j], lookup(coef, term, "coef"), 1e-3);
        see(&ws, sqrt(m->cov[j * m->p + j]), lookup(coef, term, "se"), 1e-3);
    }
    ck_assert_uint_eq(m->n, (size_t)lookup(stats, "n", "value"));
    ck_assert_uint_eq(m->events, (size_t)lookup(stats, "nevent", "value"));
    see(&wl, m->loglik0, lookup(stats, "loglik0", "value"), 1);
    see(&wl, m->loglik, lookup(stats, "loglik", "value"), 1);
    see(&wl, m->lr_stat, lookup(stats, "lr_stat", "value"), 1);
    see(&wl, m->wald_stat, lookup(stats, "wald_stat", "value"), 1);
    if (m->l2 == 0)
        see(&wl, m->score_stat, lookup(stats, "score_stat", "value"), 1);
    else {
        see(&wl, m->penalty, lookup(stats, "penalty", "value"), 1e-3);
        see(&wl, m->lr_df, lookup(stats, "df", "value"), 1);
    }
    see(&wk, m->concordance.concordance, lookup(stats, "concordance", "value"), 1e-3);
    see(&wk, m->concordance.se, lookup(stats, "concordance_se", "value"), 1e-3);
    /* the pair counts are sums of integers (weights 1..3): exact */
    ck_assert(m->concordance.concordant == lookup(stats, "concordant", "value"));
    ck_assert(m->concordance.discordant == lookup(stats, "discordant", "value"));
    ck_assert(m->concordance.tied_x == lookup(stats, "tied_x", "value"));
    ck_assert(m->concordance.tied_y == lookup(stats, "tied_y", "value"));
    ck_assert(m->concordance.tied_xy == lookup(stats, "tied_xy", "value"));
    /* the baseline hazard: basehaz(centered = FALSE) at each event time,
     * and basehaz(centered = TRUE) through R's means */
    const double *t = ck_test_column(bh, "time"), *h = ck_test_column(bh, "hazard");
    const double *hc = ck_test_column(bh, "hazard_centered");
    ck_assert_uint_eq(bh->nrows, m->ntimes);
    ck_ph_curve cv = ck_cox_curve(m);
    double shift = exp(r_means_dot_beta(f));
    for (size_t k = 0; k < m->ntimes; k++) {
        ck_assert(m->time[k] == t[k]);
        see(&wh, m->cumhaz[k], h[k], 1e-6);
        see(&wh, m->cumhaz[k] * shift, hc[k], 1e-6);
        ck_assert(ck_ph_cumhaz(&cv, t[k]) == m->cumhaz[k]);
    }
    judge(tag, &wc, 1e-6);
    judge(tag, &ws, 1e-6);
    judge(tag, &wl, 1e-6);
    judge(tag, &wk, 1e-6);
    judge(tag, &wh, 1e-6);
    ck_table_free(coef);
    ck_table_free(stats);
    ck_table_free(bh);
}

/* The Breslow estimate of the baseline hazard (R's survfit(fit, ctype =
 * 1)) on the same fit, from a refit with hazard = BRESLOW. */
static void check_r_breslow_hazard(fitted *f, const char *tag, ck_cox_ties ties, double l2)
{
    ck_cox_options o;
    ck_cox_options_init(&o);
    o.ties = ties;
    o.l2 = l2;
    o.hazard = CK_COX_HAZARD_BRESLOW;
    ck_cox m = f->m;
    run(f, &o);
    ck_assert(memcmp(m.beta, f->m.beta, m.p * sizeof *m.beta) == 0);
    char name[128];
    snprintf(name, sizeof name, "%s_basehaz.csv", tag);
    ck_table *bh = reference(name, NULL);
    const double *hb = ck_test_column(bh, "hazard_breslow");
    worst wb = {"basehaz breslow", 0};
    for (size_t k = 0; k < f->m.ntimes; k++)
        see(&wb, f->m.cumhaz[k], hb[k], 1e-6);
    judge(tag, &wb, 1e-6);
    ck_table_free(bh);
    ck_cox_fini(&f->m);
    f->m = m;
}

START_TEST(test_efron_ties_matches_r)
{
    fitted f;
    fit(&f, &TIES, CK_COX_EFRON, 0, 0);
    check_r(&f, "ties_efron");
    check_r_breslow_hazard(&f, "ties_efron", CK_COX_EFRON, 0);
    ck_assert(!f.m.monotone);
    ck_assert_uint_eq(f.w.n, 0); /* nothing to warn about */
    unfit(&f);
}
END_TEST

START_TEST(test_breslow_ties_matches_r)
{
    fitted f;
    fit(&f, &TIES, CK_COX_BRESLOW, 0, 0);
    ck_assert(f.m.hazard == CK_COX_HAZARD_BRESLOW);
    check_r(&f, "ties_breslow");
    unfit(&f);
}
END_TEST

START_TEST(test_weighted_efron_matches_r)
{
    fitted f;
    fit(&f, &TIES_W, CK_COX_EFRON, 0, 0);
    check_r(&f, "ties_efron_weighted");
    check_r_breslow_hazard(&f, "ties_efron_weighted", CK_COX_EFRON, 0);
    /* the concordance on its own, from the rows in table order */
    size_t n = f.t->nrows;
    double *eta = malloc(n * sizeof *eta), *x = malloc(f.m.p * sizeof *x);
    for (size_t i = 0; i < n; i++) {
        ck_design_row(&f.d, i, x);
        eta[i] = ck_cox_eta(&f.m, x);
    }
    ck_concordance c;
    ck_error err;
    ck_assert_int_eq(ck_cox_concordance(f.time, f.event, f.weight, eta, n, &c, &err), CK_OK);
    ck_table *stats = reference("ties_efron_weighted_stats.csv", "name");
    ck_assert(c.concordant == lookup(stats, "concordant", "value"));
    ck_assert(c.discordant == lookup(stats, "discordant", "value"));
    ck_assert(c.tied_x == lookup(stats, "tied_x", "value"));
    ck_assert(c.tied_y == lookup(stats, "tied_y", "value"));
    ck_assert(ck_test_reldiff(c.concordance, lookup(stats, "concordance", "value"), 1) < 1e-9);
    ck_assert(ck_test_reldiff(c.se, lookup(stats, "concordance_se", "value"), 1e-3) < 1e-9);
    ck_table_free(stats);
    free(eta);
    free(x);
    unfit(&f);
}
END_TEST

START_TEST(test_many_chunks_match_r)
{
    /* 60,000 rows: four chunks, the tied months' risk sets spanning them */
    fitted f;
    fit(&f, &TIES_40, CK_COX_EFRON, 0, 0);
    check_r(&f, "ties_efron_rep40");
    unfit(&f);
}
END_TEST

START_TEST(test_categorical_matches_r)
{
    fitted f;
    fit(&f, &MIXED, CK_COX_EFRON, 0, 0);
    check_r(&f, "mixed_efron");
    check_r_breslow_hazard(&f, "mixed_efron", CK_COX_EFRON, 0);
    unfit(&f);
    fit(&f, &MIXED, CK_COX_BRESLOW, 0, 0);
    check_r(&f, "mixed_breslow");
    unfit(&f);
}
END_TEST

START_TEST(test_ridge_matches_r)
{
    fitted f;
    fit(&f, &MIXED_ALL, CK_COX_EFRON, 4.0, 0);
    check_r(&f, "mixed_ridge_4");
    unfit(&f);
}
END_TEST

START_TEST(test_collinear_columns_are_named)
{
    /* every plan level without a penalty: the indicators sum to 1, which
     * the baseline hazard absorbs (a Cox model has no intercept).  The
     * likelihood is that of the fit without the first level, and so are
     * the other columns' coefficients; the plan columns are named */
    fitted f;
    fit(&f, &MIXED_ALL, CK_COX_EFRON, 0, 0);
    ck_table *coef = reference("mixed_efron_coef.csv", "term");
    ck_table *stats = reference("mixed_efron_stats.csv", "name");
    ck_assert_str_eq(f.pl->encoded[3], "tenure");
    ck_assert_str_eq(f.pl->encoded[4], "mrr");
    ck_assert(f.m.converged && !f.m.monotone && f.m.cond > 1e12);
    ck_assert(ck_test_reldiff(f.m.loglik, lookup(stats, "loglik", "value"), 1) < 1e-9);
    ck_assert(ck_test_reldiff(f.m.beta[3], lookup(coef, "tenure", "coef"), 1e-3) < 1e-6);
    ck_assert(ck_test_reldiff(f.m.beta[4], lookup(coef, "mrr", "coef"), 1e-3) < 1e-6);
    int named = 0;
    for (size_t i = 0; i < f.w.n; i++)
        named |= strstr(f.w.msg[i], "'plan=basic'") && strstr(f.w.msg[i], "'plan=team'") &&
                 strstr(f.w.msg[i], "nearly collinear");
    ck_assert_msg(named, "no collinearity warning naming the plan columns");
    ck_table_free(coef);
    ck_table_free(stats);
    unfit(&f);
}
END_TEST

/* ------------------------------------------------------------------ */
/* properties */

/* The Efron (or Breslow) score of the penalized partial likelihood,
 * computed the slow way: every risk set summed from scratch. */
static void naive_score(const fitted *f, int efron, double l2, double *g)
{
    size_t n = f->t->nrows, p = f->m.p;
    double *x = malloc(n * p * sizeof *x), *eta = malloc(n * sizeof *eta);
    double *s1 = malloc(p * sizeof *s1), *e1 = malloc(p * sizeof *e1);
    for (size_t i = 0; i < n; i++) {
        ck_design_row(&f->d, i, x + i * p);
        eta[i] = ck_cox_eta(&f->m, x + i * p);
    }
    for (size_t j = 0; j < p; j++)
        g[j] = -l2 * f->m.beta[j];
    for (size_t k = 0; k < f->m.ntimes; k++) {
        double tk = f->m.time[k], s0 = 0, e0 = 0, wd = 0;
        size_t d = 0;
        memset(s1, 0, p * sizeof *s1);
        memset(e1, 0, p * sizeof *e1);
        for (size_t i = 0; i < n; i++) {
            if (f->time[i] < tk)
                continue;
            double w = f->weight ? f->weight[i] : 1, r = w * exp(eta[i]);
            int dead = f->time[i] == tk && f->event[i] == 1;
            s0 += r;
            for (size_t j = 0; j < p; j++)
                s1[j] += r * x[i * p + j];
            if (dead) {
                e0 += r;
                wd += w;
                d++;
                for (size_t j = 0; j < p; j++) {
                    e1[j] += r * x[i * p + j];
                    g[j] += w * x[i * p + j];
                }
            }
        }
        size_t terms = efron ? d : 1;
        for (size_t l = 0; l < terms; l++) {
            double fr = (double)l / (double)d;
            for (size_t j = 0; j < p; j++)
                g[j] -= wd / (double)terms * (s1[j] - fr * e1[j]) / (s0 - fr * e0);
        }
    }
    free(x);
    free(eta);
    free(s1);
    free(e1);
}

START_TEST(test_score_zero_at_optimum)
{
    const struct {
        const spec *sp;
        ck_cox_ties ties;
        double l2;
    } cases[] = {{&MIXED_ALL, CK_COX_EFRON, 4.0}, {&MIXED, CK_COX_BRESLOW, 0},
                 {&TIES_W, CK_COX_EFRON, 0.5}};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        fitted f;
        fit(&f, cases[c].sp, cases[c].ties, cases[c].l2, 0);
        double g[16];
        ck_assert_uint_le(f.m.p, 16);
        naive_score(&f, cases[c].ties == CK_COX_EFRON, cases[c].l2, g);
        for (size_t j = 0; j < f.m.p; j++)
            ck_assert_msg(fabs(g[j]) < 1e-8 * f.m.event_weight, "case %zu: score[%zu] = %g", c,
                          j, g[j]);
        unfit(&f);
    }
}
END_TEST

START_TEST(test_threads_give_identical_bits)
{
    fitted a, b;
    fit(&a, &TIES_40, CK_COX_EFRON, 0, 1);
    fit(&b, &TIES_40, CK_COX_EFRON, 0, 2);
    size_t p = a.m.p;
    ck_assert(memcmp(a.m.beta, b.m.beta, p * sizeof *a.m.beta) == 0);
    ck_assert(memcmp(a.m.cov, b.m.cov, p * p * sizeof *a.m.cov) == 0);
    ck_assert(a.m.loglik == b.m.loglik && a.m.score_stat == b.m.score_stat);
    ck_assert(a.m.iterations == b.m.iterations);
    ck_assert(memcmp(a.m.cumhaz, b.m.cumhaz, a.m.ntimes * sizeof *a.m.cumhaz) == 0);
    ck_assert(memcmp(&a.m.concordance, &b.m.concordance, sizeof a.m.concordance) == 0);
    unfit(&a);
    unfit(&b);
}
END_TEST

START_TEST(test_weights_are_frequencies_under_breslow)
{
    /* With Breslow's likelihood an integer weight k is k copies of the
     * row (Efron's, weighted as R does, is not).  The replicated table is
     * encoded by the original's pipeline, so the columns are the same. */
    fitted wf, rf;
    fit(&wf, &TIES_W, CK_COX_BRESLOW, 0, 0);
    memset(&rf, 0, sizeof rf);
    ck_warnings_init(&rf.w);
    size_t *count = malloc(wf.t->nrows * sizeof *count);
    for (size_t i = 0; i < wf.t->nrows; i++)
        count[i] = (size_t)wf.weight[i];
    rf.t = replicate(wf.t, count);
    free(count);
    ck_error err;
    ck_assert_int_eq(ck_design_bind(&rf.d, wf.pl, rf.t, &err), CK_OK);
    rf.rows = malloc(rf.t->nrows * sizeof *rf.rows);
    for (size_t i = 0; i < rf.t->nrows; i++)
        rf.rows[i] = i;
    rf.time = ck_test_column(rf.t, "churn_months");
    rf.event = ck_test_column(rf.t, "churned");
    ck_cox_options o;
    ck_cox_options_init(&o);
    o.ties = CK_COX_BRESLOW;
    run(&rf, &o);
    size_t p = wf.m.p;
    for (size_t j = 0; j < p; j++) {
        ck_assert(ck_test_reldiff(rf.m.beta[j], wf.m.beta[j], 1e-3) < 1e-9);
        ck_assert(ck_test_reldiff(rf.m.cov[j * p + j], wf.m.cov[j * p + j], 1e-6) < 1e-9);
    }
    ck_assert(ck_test_reldiff(rf.m.loglik, wf.m.loglik, 1) < 1e-12);
    /* (the concordance's standard error is not: R's jackknife weighs a
     * row's influence by its weight, not by copies) */
    ck_assert(ck_test_reldiff(rf.m.concordance.concordance, wf.m.concordance.concordance, 1) <
              1e-14);
    for (size_t k = 0; k < wf.m.ntimes; k++)
        ck_assert(ck_test_reldiff(rf.m.cumhaz[k], wf.m.cumhaz[k], 1e-9) < 1e-9);
    ck_assert(rf.m.event_weight == wf.m.event_weight && rf.m.n == (size_t)wf.m.weight_sum);
    ck_cox_fini(&rf.m);
    ck_design_fini(&rf.d);
    ck_table_free(rf.t);
    ck_warnings_fini(&rf.w);
    free(rf.rows);
    unfit(&wf);
}
END_TEST

START_TEST(test_concordance_of_perfect_ranking)
{
    double time[] = {1, 2, 3, 4, 5, 6, 7, 8}, event[] = {1, 1, 0, 1, 1, 0, 1, 1};
    double eta[8], rev[8];
    for (int i = 0; i < 8; i++) {
        eta[i] = -time[i]; /* the earlier, the riskier */
        rev[i] = time[i];
    }
    ck_concordance c;
    ck_error err;
    ck_assert_int_eq(ck_cox_concordance(time, event, NULL, eta, 8, &c, &err), CK_OK);
    ck_assert(c.concordance == 1.0 && c.discordant == 0 && c.tied_x == 0);
    ck_assert(isfinite(c.se) && c.se >= 0);
    ck_assert_int_eq(ck_cox_concordance(time, event, NULL, rev, 8, &c, &err), CK_OK);
    ck_assert(c.concordance == 0.0 && c.concordant == 0);
    /* comparable pairs: each event with every later time -- 6 events, the
     * ones at 1, 2, 4, 5, 7, 8 have 7, 6, 4, 3, 1, 0 partners */
    ck_assert(c.discordant == 21);
    /* constant scores: every pair tied, C = 1/2 */
    double flat[8] = {0};
    ck_assert_int_eq(ck_cox_concordance(time, event, NULL, flat, 8, &c, &err), CK_OK);
    ck_assert(c.concordance == 0.5 && c.tied_x == 21);
    /* bad input */
    event[2] = 2;
    ck_assert_int_eq(ck_cox_concordance(time, event, NULL, eta, 8, &c, &err), CK_EDATA);
}
END_TEST

START_TEST(test_survival_curve)
{
    fitted f;
    fit(&f, &MIXED, CK_COX_EFRON, 0, 0);
    const ck_cox *m = &f.m;
    ck_ph_curve cv = ck_cox_curve(m);
    double etas[] = {-2, 0, 0.7, 3};
    for (size_t e = 0; e < 4; e++) {
        double prev = 1.0, tmax = m->last_time;
        ck_assert(ck_ph_survival(&cv, etas[e], -1) == 1.0);
        for (int i = 0; 0.37 * i <= tmax + 1; i++) {
            double s = ck_ph_survival(&cv, etas[e], 0.37 * i);
            ck_assert(s <= prev && s >= 0);
            prev = s;
        }
        for (int i = 0; i < 13; i++) {
            double t = 0.5 + 3.1 * i, a = ck_ph_rmst(&cv, etas[e], t);
            ck_assert(a <= t && a > 0);
            /* S is at least S(t) on [0, t] */
            ck_assert(a >= t * ck_ph_survival(&cv, etas[e], t) - 1e-12);
        }
        /* a higher risk never survives longer */
        if (e > 0)
            ck_assert(ck_ph_rmst(&cv, etas[e], 20) <= ck_ph_rmst(&cv, etas[e - 1], 20));
    }
    /* the integral of the step function by hand, over the first two steps */
    double t0 = m->time[0], t1 = m->time[1], s0 = ck_ph_survival(&cv, 0.3, t0);
    double want = t0 + s0 * (t1 - t0) + ck_ph_survival(&cv, 0.3, t1) * 0.25 * (m->time[2] - t1);
    double tq = t1 + 0.25 * (m->time[2] - t1);
    ck_assert(fabs(ck_ph_rmst(&cv, 0.3, tq) - want) < 1e-12);
    ck_assert(ck_ph_rmst(&cv, 0.3, 0) == 0 && ck_ph_rmst(&cv, 0.3, -1) == 0);
    ck_assert(ck_ph_cumhaz(&cv, t0 - 1e-9) == 0);
    ck_assert(ck_ph_cumhaz(&cv, 1e9) == m->cumhaz[m->ntimes - 1]);
    unfit(&f);
}
END_TEST

/* A small table of columns x (and g when not NULL), and its fit. */
static void small_fit(const double *x, const double *g, const double *time,
                      const double *event, size_t n, ck_status want, ck_cox *m, ck_warnings *w,
                      ck_error *err)
{
    ck_table *t = ck_table_new(n, "small");
    ck_assert_int_eq(ck_table_add_numeric(t, "x", x, err), CK_OK);
    if (g)
        ck_assert_int_eq(ck_table_add_numeric(t, "g", g, err), CK_OK);
    ck_pipeline *pl;
    ck_assert_int_eq(ck_pipeline_fit(&pl, t, NULL, 0, NULL, w, err), CK_OK);
    ck_design d;
    ck_assert_int_eq(ck_design_bind(&d, pl, t, err), CK_OK);
    size_t *rows = malloc(n * sizeof *rows);
    for (size_t i = 0; i < n; i++)
        rows[i] = i;
    ck_dataset ds = {&d, rows, n, NULL, NULL, NULL};
    ck_assert_int_eq(ck_cox_fit(&ds, time, event, NULL, m, w, err), want);
    free(rows);
    ck_design_fini(&d);
    ck_pipeline_free(pl);
    ck_table_free(t);
}

static int warned_monotone(const ck_warnings *w, const char *name)
{
    for (size_t i = 0; i < w->n; i++)
        if (strstr(w->msg[i], "monotone likelihood") && strstr(w->msg[i], name))
            return 1;
    return 0;
}

START_TEST(test_errors)
{
    double x[6] = {1, 2, 3, 4, 5, 6}, time[6] = {1, 2, 3, 4, 5, 6}, none[6] = {0};
    double some[6] = {1, 0, 1, 1, 0, 1};
    ck_cox m;
    ck_warnings w;
    ck_error err;
    ck_warnings_init(&w);
    small_fit(x, NULL, time, none, 6, CK_EDATA, &m, &w, &err);
    ck_assert_msg_contains(err, "no events");
    time[3] = -1;
    small_fit(x, NULL, time, some, 6, CK_EDATA, &m, &w, &err);
    ck_assert_msg_contains(err, "negative");
    time[3] = NAN;
    small_fit(x, NULL, time, some, 6, CK_EDATA, &m, &w, &err);
    ck_assert_msg_contains(err, "not a finite number");
    time[3] = 4;
    some[2] = 0.5;
    small_fit(x, NULL, time, some, 6, CK_EDATA, &m, &w, &err);
    ck_assert_msg_contains(err, "event indicator");
    ck_warnings_fini(&w);
}
END_TEST

START_TEST(test_monotone_likelihood_is_detected)
{
    double x[30], g[30], time[30], event[30];
    ck_cox m;
    ck_warnings w;
    ck_error err;
    ck_warnings_init(&w);
    for (int i = 0; i < 30; i++) {
        x[i] = i % 7 + 0.1 * i;
        time[i] = 1 + i;
        event[i] = i % 3 != 2;
    }
    small_fit(x, NULL, time, event, 30, CK_OK, &m, &w, &err);
    ck_assert(!m.monotone && m.converged);
    ck_cox_fini(&m);
    /* total: x rises with the time to churn, so at every event the churner
     * has the lowest x of its risk set and the likelihood keeps rising to
     * 1 as beta -> -infinity */
    for (int i = 0; i < 30; i++)
        x[i] = 0.1 * i;
    small_fit(x, NULL, time, event, 30, CK_OK, &m, &w, &err);
    ck_assert(m.monotone && m.beta[0] < -10);
    ck_assert_msg(warned_monotone(&w, "'x'"), "no monotone likelihood warning naming 'x'");
    ck_cox_fini(&m);
    ck_warnings_fini(&w);
    /* partial, the common case: every g = 1 row churns in the first 8
     * months, before any g = 0 row does; x is noise.  beta_g -> infinity
     * while the likelihood converges to a value below 1, and beta_x stays
     * finite */
    ck_warnings_init(&w);
    for (int i = 0; i < 30; i++) {
        g[i] = i < 10;
        time[i] = i < 10 ? 1 + i % 8 : 3 + i % 17;
        event[i] = i < 10 || time[i] > 8 ? (i % 4 != 3 || i < 10) : 0;
        x[i] = (i * 7919) % 13 - 6.0;
    }
    small_fit(x, g, time, event, 30, CK_OK, &m, &w, &err);
    ck_assert(m.monotone && m.beta[1] > 5 && fabs(m.beta[0]) < 5);
    ck_assert_msg(warned_monotone(&w, "'g'") && !warned_monotone(&w, "'x'"),
                  "no monotone likelihood warning naming 'g' alone");
    ck_cox_fini(&m);
    ck_warnings_fini(&w);
}
END_TEST

static Suite *cox_suite(void)
{
    Suite *s = suite_create("cox");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_efron_ties_matches_r);
    tcase_add_test(tc, test_breslow_ties_matches_r);
    tcase_add_test(tc, test_weighted_efron_matches_r);
    tcase_add_test(tc, test_many_chunks_match_r);
    tcase_add_test(tc, test_categorical_matches_r);
    tcase_add_test(tc, test_ridge_matches_r);
    tcase_add_test(tc, test_collinear_columns_are_named);
    tcase_add_test(tc, test_score_zero_at_optimum);
    tcase_add_test(tc, test_threads_give_identical_bits);
    tcase_add_test(tc, test_weights_are_frequencies_under_breslow);
    tcase_add_test(tc, test_concordance_of_perfect_ranking);
    tcase_add_test(tc, test_survival_curve);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_monotone_likelihood_is_detected);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}

CK_TEST_MAIN(cox_suite)
