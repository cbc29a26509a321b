/* Logistic regression against statsmodels (L = 0) and scikit-learn (L > 0)
 * on the public data, with churnkit's own pipeline; and the properties of
 * the optimum.  Reference numbers: tests/fixtures/estimators/, made by
 * make_estimator_fixtures.py. */
#include "testutil.h"

#include <math.h>

#include "churnkit/coefs.h"
#include "churnkit/inference.h"
#include "churnkit/label.h"
#include "churnkit/logistic.h"
#include "churnkit/pipeline.h"

#define FIX CK_TEST_DATA "/../fixtures/estimators/"
#define PUB CK_TEST_DATA "/public/"

/* A reference table: column `key` (text) and numeric columns. */
static ck_table *fixture(const char *name, const char *key)
{
    return ck_test_fixture(FIX, name, key);
}

/* Value of column `col` in the row whose key is `k`. */
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
    ck_logistic m;
    ck_warnings w;
} fitted;

static void fit(fitted *f, const char *file, const char *label, const char *exclude, double l2,
                int balanced, size_t threads)
{
    ck_error err;
    char path[512];
    snprintf(path, sizeof path, PUB "%s", file);
    ck_warnings_init(&f->w);
    ck_assert_msg(ck_table_read_csv(&f->t, path, NULL, &err) == CK_OK, "%s", err.message);
    ck_assert_msg(ck_label_binary(&f->y, f->t, label, NULL, &err) == CK_OK, "%s", err.message);
    ck_pipeline_options po;
    ck_pipeline_options_init(&po);
    po.label = label;
    po.drop_first = 1; /* a reference level, penalized or not (the fixtures too) */
    const char *ex[] = {exclude};
    if (exclude) {
        po.exclude = ex;
        po.nexclude = 1;
    }
    ck_assert_msg(ck_pipeline_fit(&f->pl, f->t, NULL, 0, &po, &f->w, &err) == CK_OK, "%s",
                  err.message);
    ck_assert_int_eq(ck_design_bind(&f->d, f->pl, f->t, &err), CK_OK);
    f->rows = malloc(f->t->nrows * sizeof *f->rows);
    for (size_t i = 0; i < f->t->nrows; i++)
        f->rows[i] = i;
    double *wt = NULL;
    if (balanced) { /* scikit-learn's "balanced": n / (2 n_class) */
        wt = malloc(f->t->nrows * sizeof *wt);
        double n = (double)f->t->nrows, np = (double)f->y.n_pos;
        for (size_t i = 0; i < f->t->nrows; i++)
            wt[i] = f->y.y[i] == 1 ? n / (2 * np) : n / (2 * (n - np));
    }
    ck_dataset ds = {&f->d, f->rows, f->t->nrows, f->y.y, wt, NULL};
    ck_logistic_options lo;
    ck_logistic_options_init(&lo);
    lo.l2 = l2;
    lo.threads = threads;
    ck_assert_msg(ck_logistic_fit(&ds, &lo, &f->m, &f->w, &err) == CK_OK, "%s", err.message);
    free(wt);
}

static void unfit(fitted *f)
{
    ck_logistic_fini(&f->m);
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

START_TEST(test_matches_statsmodels_logit)
{
    fitted f;
    fit(&f, "attrition.train.csv", "Attrition", "Department", 0, 0, 0);
    ck_table *ref = fixture("logit_attrition_coef.csv", "term");
    ck_table *stats = fixture("logit_attrition_stats.csv", "name");
    ck_assert_uint_eq(ref->nrows, f.m.p);
    ck_assert(f.m.converged);
    ck_coef_row *rows = malloc(f.m.p * sizeof *rows);
    ck_coef_table(f.m.beta, f.m.cov, f.m.p, 0, rows);
    double worst_coef = 0, worst_se = 0, worst_p = 0;
    for (size_t j = 0; j < f.m.p; j++) {
        worst_coef = fmax(worst_coef, ck_test_reldiff(rows[j].coef, lookup(ref, term(&f, j), "coef"), 1e-3));
        worst_se = fmax(worst_se, ck_test_reldiff(rows[j].se, lookup(ref, term(&f, j), "se"), 1e-3));
        worst_p = fmax(worst_p, ck_test_reldiff(rows[j].p_value, lookup(ref, term(&f, j), "p"), 1e-6));
        ck_assert(fabs(rows[j].lo - lookup(ref, term(&f, j), "lo")) < 1e-6);
    }
    ck_assert_msg(worst_coef < 1e-6, "coefficients differ by %g (relative)", worst_coef);
    ck_assert_msg(worst_se < 1e-6, "standard errors differ by %g", worst_se);
    ck_assert_msg(worst_p < 1e-5, "p-values differ by %g", worst_p);
    ck_assert(ck_test_reldiff(f.m.loglik, lookup(stats, "loglik", "value"), 1) < 1e-9);
    ck_assert(ck_test_reldiff(f.m.loglik_null, lookup(stats, "loglik_null", "value"), 1) < 1e-9);
    free(rows);
    ck_table_free(ref);
    ck_table_free(stats);
    unfit(&f);
}
END_TEST

static void check_sklearn(const char *file, const char *label, double l2, int balanced,
                          const char *fixture_name)
{
    fitted f;
    fit(&f, file, label, NULL, l2, balanced, 0);
    ck_table *ref = fixture(fixture_name, "term");
    ck_assert_uint_eq(ref->nrows, f.m.p);
    double worst = 0;
    for (size_t j = 0; j < f.m.p; j++)
        worst = fmax(worst, ck_test_reldiff(f.m.beta[j], lookup(ref, term(&f, j), "coef"), 1e-2));
    ck_assert_msg(worst < 1e-5, "%s: coefficients differ by %g (relative)", fixture_name, worst);
    ck_assert(f.m.converged);
    ck_table_free(ref);
    unfit(&f);
}

START_TEST(test_matches_sklearn_l2)
{
    check_sklearn("mlc_churn.train.csv", "churn", 1.0, 0, "logit_mlc_churn_l2_1_coef.csv");
    check_sklearn("attrition.train.csv", "Attrition", 0.1, 0, "logit_attrition_l2_0.1_coef.csv");
}
END_TEST

START_TEST(test_matches_sklearn_balanced)
{
    check_sklearn("mlc_churn.train.csv", "churn", 1.0, 1,
                  "logit_mlc_churn_l2_1_balanced_coef.csv");
}
END_TEST

START_TEST(test_gradient_zero_at_optimum)
{
    /* a property, independent of any reference: the penalized score
     * X'(y - mu) - L beta vanishes at the fitted coefficients */
    fitted f;
    fit(&f, "mlc_churn.train.csv", "churn", NULL, 2.0, 0, 0);
    size_t p = f.m.p;
    double *g = calloc(p, sizeof *g), *x = malloc(p * sizeof *x), scale = 0;
    x[0] = 1;
    for (size_t i = 0; i < f.t->nrows; i++) {
        ck_design_row(&f.d, i, x + 1);
        double r = f.y.y[i] - ck_sigmoid(ck_linear_predictor(f.m.beta, x + 1, p - 1));
        for (size_t j = 0; j < p; j++)
            g[j] += r * x[j];
        scale += fabs(f.y.y[i]);
    }
    for (size_t j = 1; j < p; j++)
        g[j] -= 2.0 * f.m.beta[j];
    for (size_t j = 0; j < p; j++)
        ck_assert_msg(fabs(g[j]) < 1e-8 * scale, "gradient[%zu] = %g", j, g[j]);
    free(g);
    free(x);
    unfit(&f);
}
END_TEST

START_TEST(test_threads_give_identical_bits)
{
    fitted a, b;
    fit(&a, "mlc_churn.train.csv", "churn", NULL, 1.0, 0, 1);
    fit(&b, "mlc_churn.train.csv", "churn", NULL, 1.0, 0, 3);
    ck_assert_uint_eq(a.m.p, b.m.p);
    ck_assert(memcmp(a.m.beta, b.m.beta, a.m.p * sizeof *a.m.beta) == 0);
    ck_assert(memcmp(a.m.cov, b.m.cov, a.m.p * a.m.p * sizeof *a.m.cov) == 0);
    unfit(&a);
    unfit(&b);
}
END_TEST

START_TEST(test_collinear_columns_are_named)
{
    /* minutes and charges are proportional up to rounding in mlc_churn */
    fitted f;
    fit(&f, "mlc_churn.train.csv", "churn", "state", 0, 0, 0);
    int named = 0;
    for (size_t i = 0; i < f.w.n; i++)
        named |= strstr(f.w.msg[i], "'total_day_minutes'") && strstr(f.w.msg[i], "'total_day_charge'") &&
                 strstr(f.w.msg[i], "nearly collinear");
    ck_assert_msg(named, "no collinearity warning naming total_day_minutes and total_day_charge");
    ck_assert(f.m.cond > 1e4);
    unfit(&f);
}
END_TEST

START_TEST(test_separation_is_detected)
{
    /* x > 0 exactly when y = 1: no maximum likelihood estimate exists */
    ck_table *t = ck_table_new(40, "sep");
    double x[40], y[40];
    for (int i = 0; i < 40; i++) {
        x[i] = i < 20 ? -1.0 - i : 1.0 + i;
        y[i] = i >= 20;
    }
    ck_error err;
    ck_assert_int_eq(ck_table_add_numeric(t, "x", x, &err), CK_OK);
    ck_pipeline *pl;
    ck_warnings w;
    ck_warnings_init(&w);
    ck_assert_int_eq(ck_pipeline_fit(&pl, t, NULL, 0, NULL, &w, &err), CK_OK);
    ck_design d;
    ck_assert_int_eq(ck_design_bind(&d, pl, t, &err), CK_OK);
    size_t rows[40];
    for (size_t i = 0; i < 40; i++)
        rows[i] = i;
    ck_dataset ds = {&d, rows, 40, y, NULL, NULL};
    ck_logistic m;
    ck_assert_int_eq(ck_logistic_fit(&ds, NULL, &m, &w, &err), CK_OK);
    ck_assert(m.separation);
    int warned = 0;
    for (size_t i = 0; i < w.n; i++)
        warned |= strstr(w.msg[i], "separation") != NULL;
    ck_assert(warned);
    ck_logistic_fini(&m);
    ck_design_fini(&d);
    ck_pipeline_free(pl);
    ck_table_free(t);
    ck_warnings_fini(&w);
}
END_TEST

START_TEST(test_bfgs_agrees_with_newton)
{
    fitted a;
    fit(&a, "mlc_churn.train.csv", "churn", NULL, 1.0, 0, 0);
    /* refit the same design with the quasi-Newton solver */
    ck_dataset ds = {&a.d, a.rows, a.t->nrows, a.y.y, NULL, NULL};
    ck_logistic_options lo;
    ck_logistic_options_init(&lo);
    lo.l2 = 1.0;
    lo.solver = CK_SOLVER_LBFGS;
    ck_logistic m;
    ck_error err;
    ck_assert_int_eq(ck_logistic_fit(&ds, &lo, &m, &a.w, &err), CK_OK);
    for (size_t j = 0; j < m.p; j++)
        ck_assert_msg(fabs(m.beta[j] - a.m.beta[j]) < 1e-4, "coef %zu: %g vs %g", j, m.beta[j],
                      a.m.beta[j]);
    ck_logistic_fini(&m);
    unfit(&a);
}
END_TEST

static Suite *logistic_suite(void)
{
    Suite *s = suite_create("logistic");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_matches_statsmodels_logit);
    tcase_add_test(tc, test_matches_sklearn_l2);
    tcase_add_test(tc, test_matches_sklearn_balanced);
    tcase_add_test(tc, test_gradient_zero_at_optimum);
    tcase_add_test(tc, test_threads_give_identical_bits);
    tcase_add_test(tc, test_collinear_columns_are_named);
    tcase_add_test(tc, test_separation_is_detected);
    tcase_add_test(tc, test_bfgs_agrees_with_newton);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}

CK_TEST_MAIN(logistic_suite)
