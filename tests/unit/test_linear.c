/* Linear models against statsmodels OLS and RLM(HuberT) and scikit-learn
 * Ridge, on tests/fixtures/estimators/regression.csv through churnkit's
 * pipeline; plus properties (normal equations, thread invariance, rank
 * deficiency).  Reference: make_estimator_fixtures.py in that folder, and
 * make_ridge_influence_fixture.py for ridge's effective degrees of freedom. */
#include "testutil.h"

#include <math.h>

#include "churnkit/coefs.h"
#include "churnkit/inference.h"
#include "churnkit/label.h"
#include "churnkit/linear.h"
#include "churnkit/pipeline.h"

#define FIX CK_TEST_DATA "/../fixtures/estimators/"

static ck_table *fixture(const char *name, const char *key)
{
    return ck_test_fixture(FIX, name, key);
}

static double lookup(const ck_table *t, const char *k, const char *col)
{
    size_t jc;
    ck_error err;
    ck_assert_int_eq(ck_table_require(t, col, &jc, &err), CK_OK);
    for (size_t i = 0; i < t->nrows; i++)
        if (strcmp(ck_table_text(t, 0, i), k) == 0)
            return t->col[jc].num[i];
    ck_abort_msg("no reference row '%s'", k);
    return NAN;
}

typedef struct fitted {
    ck_table *t;
    ck_label y;
    ck_pipeline *pl;
    ck_design d;
    size_t *rows;
    ck_linear m;
    ck_warnings w;
} fitted;

static ck_status fit_table(fitted *f, ck_table *t, const char *target, double l2, int robust,
                           size_t threads, ck_error *err)
{
    f->t = t;
    ck_warnings_init(&f->w);
    ck_assert_msg(ck_label_numeric(&f->y, f->t, target, err) == CK_OK, "%s", err->message);
    ck_pipeline_options po;
    ck_pipeline_options_init(&po);
    po.label = target;
    po.drop_first = 1; /* a reference level, penalized or not (the fixtures too) */
    ck_assert_msg(ck_pipeline_fit(&f->pl, f->t, NULL, 0, &po, &f->w, err) == CK_OK, "%s",
                  err->message);
    ck_assert_int_eq(ck_design_bind(&f->d, f->pl, f->t, err), CK_OK);
    f->rows = malloc(f->t->nrows * sizeof *f->rows);
    for (size_t i = 0; i < f->t->nrows; i++)
        f->rows[i] = i;
    ck_dataset ds = {&f->d, f->rows, f->t->nrows, f->y.y, NULL, NULL};
    ck_linear_options lo;
    ck_linear_options_init(&lo);
    lo.l2 = l2;
    lo.robust = robust;
    lo.threads = threads;
    return ck_linear_fit(&ds, &lo, &f->m, &f->w, err);
}

static void fit(fitted *f, double l2, int robust, size_t threads)
{
    ck_table *t;
    ck_error err;
    ck_assert_msg(ck_table_read_csv(&t, FIX "regression.csv", NULL, &err) == CK_OK, "%s",
                  err.message);
    ck_assert_msg(fit_table(f, t, "value_change", l2, robust, threads, &err) == CK_OK, "%s",
                  err.message);
}

static void unfit(fitted *f)
{
    ck_linear_fini(&f->m);
    ck_design_fini(&f->d);
    ck_pipeline_free(f->pl);
    ck_label_fini(&f->y);
    ck_table_free(f->t);
    ck_warnings_fini(&f->w);
    free(f->rows);
}

static const char *term(const fitted *f, size_t j)
{
    return j == 0 ? "(intercept)" : f->pl->encoded[j - 1];
}

/* Worst relative differences of coef, se and p against a reference. */
static void compare(const fitted *f, const char *name, double tol_coef, double tol_se)
{
    ck_table *ref = fixture(name, "term");
    ck_assert_uint_eq(ref->nrows, f->m.p);
    ck_coef_row *rows = malloc(f->m.p * sizeof *rows);
    ck_coef_table(f->m.beta, f->m.cov, f->m.p, f->m.t_stats ? f->m.df_resid : 0, rows);
    double wc = 0, ws = 0, wp = 0;
    for (size_t j = 0; j < f->m.p; j++) {
        wc = fmax(wc, ck_test_reldiff(rows[j].coef, lookup(ref, term(f, j), "coef"), 1e-3));
        ws = fmax(ws, ck_test_reldiff(rows[j].se, lookup(ref, term(f, j), "se"), 1e-3));
        wp = fmax(wp, ck_test_reldiff(rows[j].p_value, lookup(ref, term(f, j), "p"), 1e-6));
    }
    ck_assert_msg(wc < tol_coef, "%s: coefficients differ by %g (relative)", name, wc);
    ck_assert_msg(ws < tol_se, "%s: standard errors differ by %g", name, ws);
    ck_assert_msg(wp < 100 * tol_se, "%s: p-values differ by %g", name, wp);
    free(rows);
    ck_table_free(ref);
}

START_TEST(test_ols_matches_statsmodels)
{
    fitted f;
    fit(&f, 0, 0, 0);
    compare(&f, "ols_coef.csv", 1e-9, 1e-9);
    ck_table *s = fixture("ols_stats.csv", "name");
    ck_assert(ck_test_reldiff(f.m.r2, lookup(s, "r2", "value"), 1) < 1e-12);
    ck_assert(ck_test_reldiff(f.m.r2_adj, lookup(s, "r2_adj", "value"), 1) < 1e-12);
    ck_assert(ck_test_reldiff(f.m.f_stat, lookup(s, "f", "value"), 1) < 1e-9);
    ck_assert(ck_test_reldiff(f.m.loglik, lookup(s, "loglik", "value"), 1) < 1e-12);
    ck_assert(ck_test_reldiff(f.m.sigma2, lookup(s, "sigma2", "value"), 1) < 1e-12);
    ck_assert(f.m.df_resid == lookup(s, "df_resid", "value"));
    ck_table_free(s);
    unfit(&f);
}
END_TEST

START_TEST(test_huber_matches_statsmodels_rlm)
{
    fitted f;
    fit(&f, 0, 1, 0);
    ck_assert(f.m.converged);
    compare(&f, "huber_coef.csv", 1e-7, 1e-6);
    ck_table *s = fixture("huber_stats.csv", "name");
    ck_assert(ck_test_reldiff(f.m.scale, lookup(s, "scale", "value"), 1) < 1e-7);
    ck_table_free(s);
    unfit(&f);
}
END_TEST

static void check_ridge(double l2, const char *name)
{
    fitted f;
    fit(&f, l2, 0, 0);
    ck_table *ref = fixture(name, "term");
    ck_assert_uint_eq(ref->nrows, f.m.p);
    double worst = 0;
    for (size_t j = 0; j < f.m.p; j++)
        worst = fmax(worst, ck_test_reldiff(f.m.beta[j], lookup(ref, term(&f, j), "coef"), 1e-3));
    ck_assert_msg(worst < 1e-9, "%s: %g", name, worst);
    ck_table_free(ref);
    unfit(&f);
}

START_TEST(test_ridge_matches_sklearn)
{
    check_ridge(0.5, "ridge_l2_0.5_coef.csv");
    check_ridge(10.0, "ridge_l2_10_coef.csv");
}
END_TEST

/* The influence's diagonal, diag((X'X + L D)^-1 X'X): each coefficient's
 * effective degrees of freedom (the EDF of a spline term sums them), against
 * numpy (make_ridge_influence_fixture.py); OLS has none. */
START_TEST(test_ridge_influence_matches_numpy)
{
    fitted f;
    fit(&f, 10.0, 0, 0);
    ck_table *ref = fixture("ridge_l2_10_influence.csv", "term");
    ck_assert_uint_eq(ref->nrows, f.m.p);
    ck_assert_ptr_nonnull(f.m.influence);
    double worst = 0;
    for (size_t j = 0; j < f.m.p; j++)
        worst = fmax(worst, fabs(f.m.influence[j] - lookup(ref, term(&f, j), "influence")));
    ck_assert_msg(worst < 1e-10, "influence differs from numpy's by %g", worst);
    ck_table_free(ref);
    unfit(&f);
    fit(&f, 0, 0, 0);
    ck_assert_ptr_null(f.m.influence);
    unfit(&f);
}
END_TEST

START_TEST(test_normal_equations_hold)
{
    /* X'(y - X beta) = 0 at the least-squares solution, independently */
    fitted f;
    fit(&f, 0, 0, 0);
    size_t p = f.m.p;
    double *g = calloc(p, sizeof *g), *x = malloc(p * sizeof *x), ymax = 0;
    x[0] = 1;
    for (size_t i = 0; i < f.t->nrows; i++) {
        ck_design_row(&f.d, i, x + 1);
        double r = f.y.y[i] - ck_linear_predictor(f.m.beta, x + 1, p - 1);
        for (size_t j = 0; j < p; j++)
            g[j] += r * x[j];
        ymax = fmax(ymax, fabs(f.y.y[i]));
    }
    for (size_t j = 0; j < p; j++)
        ck_assert_msg(fabs(g[j]) < 1e-9 * ymax * (double)f.t->nrows, "X'r[%zu] = %g", j, g[j]);
    free(g);
    free(x);
    unfit(&f);
}
END_TEST

START_TEST(test_threads_identical)
{
    fitted a, b;
    fit(&a, 0, 1, 1);
    fit(&b, 0, 1, 4);
    ck_assert(memcmp(a.m.beta, b.m.beta, a.m.p * sizeof *a.m.beta) == 0);
    ck_assert(memcmp(a.m.cov, b.m.cov, a.m.p * a.m.p * sizeof *a.m.cov) == 0);
    unfit(&a);
    unfit(&b);
}
END_TEST

START_TEST(test_duplicate_column_is_rank_deficient)
{
    /* x2 is an exact copy of x1: rank drops, and x2, a combination of the
     * column before it, is aliased as R's lm would have it (NA there): held
     * at 0, the fit that of x1 alone (the same as leaving x2 out), and one
     * warning names it */
    size_t n = 50;
    double x1[50], x2[50], y[50];
    for (size_t i = 0; i < n; i++) {
        x1[i] = (double)(i % 7) - 3;
        x2[i] = x1[i];
        y[i] = 1 + 2 * x1[i] + 0.1 * (double)(i % 3);
    }
    ck_table *t = ck_table_new(n, "dup");
    ck_error err;
    ck_assert_int_eq(ck_table_add_numeric(t, "x1", x1, &err), CK_OK);
    ck_assert_int_eq(ck_table_add_numeric(t, "x2", x2, &err), CK_OK);
    ck_assert_int_eq(ck_table_add_numeric(t, "y", y, &err), CK_OK);
    fitted f;
    ck_assert_int_eq(fit_table(&f, t, "y", 0, 0, 0, &err), CK_OK);
    ck_assert_uint_eq(f.m.rank, 2);
    ck_assert(f.m.aliased && !f.m.aliased[0] && !f.m.aliased[1] && f.m.aliased[2]);
    ck_assert(f.m.beta[2] == 0);
    ck_assert(f.m.cov[2 * 3 + 2] == 0); /* no variance: NA in the table */
    size_t named = 0;
    for (size_t i = 0; i < f.w.n; i++)
        named += strstr(f.w.msg[i], "aliased") && strstr(f.w.msg[i], "'x2'") &&
                 !strstr(f.w.msg[i], "'x1'");
    ck_assert_uint_eq(named, 1);
    ck_table *t1 = ck_table_new(n, "single");
    ck_assert_int_eq(ck_table_add_numeric(t1, "x1", x1, &err), CK_OK);
    ck_assert_int_eq(ck_table_add_numeric(t1, "y", y, &err), CK_OK);
    fitted g;
    ck_assert_int_eq(fit_table(&g, t1, "y", 0, 0, 0, &err), CK_OK);
    ck_assert(fabs(f.m.beta[0] - g.m.beta[0]) < 1e-12 && fabs(f.m.beta[1] - g.m.beta[1]) < 1e-12);
    ck_assert(fabs(f.m.rss - g.m.rss) < 1e-9 && f.m.df_resid == g.m.df_resid);
    unfit(&g);
    unfit(&f);
}
END_TEST

START_TEST(test_too_few_rows)
{
    double x[2] = {1, 2}, y[2] = {3, 4};
    ck_table *t = ck_table_new(2, "tiny");
    ck_error err;
    ck_table_add_numeric(t, "x", x, &err);
    ck_table_add_numeric(t, "y", y, &err);
    fitted f;
    ck_assert_int_eq(fit_table(&f, t, "y", 0, 0, 0, &err), CK_EDATA);
    ck_assert_msg_contains(err, "more rows than coefficients");
    ck_design_fini(&f.d);
    ck_pipeline_free(f.pl);
    ck_label_fini(&f.y);
    ck_table_free(f.t);
    ck_warnings_fini(&f.w);
    free(f.rows);
}
END_TEST

static Suite *linear_suite(void)
{
    Suite *s = suite_create("linear");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_ols_matches_statsmodels);
    tcase_add_test(tc, test_huber_matches_statsmodels_rlm);
    tcase_add_test(tc, test_ridge_matches_sklearn);
    tcase_add_test(tc, test_ridge_influence_matches_numpy);
    tcase_add_test(tc, test_normal_equations_hold);
    tcase_add_test(tc, test_threads_identical);
    tcase_add_test(tc, test_duplicate_column_is_rank_deficient);
    tcase_add_test(tc, test_too_few_rows);
    suite_add_tcase(s, tc);
    return s;
}

CK_TEST_MAIN(linear_suite)
