/* Gradient-boosted trees: churnkit's gbdt against Python's xgboost (the
 * same libxgboost, the same inputs, parameters and seed: predictions and
 * SHAP values from tests/fixtures/gbdt/, made by make_gbdt_fixtures.py),
 * determinism across thread counts, the model file round trip, tuning,
 * monotone constraints, and the errors. */
#include "testutil.h"

#include <math.h>

#include "churnkit/train.h"

#define FIX CK_TEST_DATA "/../fixtures/gbdt/"

static ck_table *read_table(const char *path)
{
    ck_table *t;
    ck_error err;
    ck_assert_msg(ck_table_read_csv(&t, path, NULL, &err) == CK_OK, "%s", err.message);
    return t;
}

/* The fixture's first two parameter sets, as make_gbdt_fixtures.py has them. */
static void churn_options(ck_train_options *o, size_t threads)
{
    ck_error err;
    ck_train_options_init(o);
    ck_test_use(o, "gbdt");
    o->label = "churn";
    o->seed = 7;
    o->threads = threads;
    ck_test_param(o, "trees", 40);
    ck_test_param(o, "max-cat-onehot", 4); /* xgboost's default, the fixture's */
    ck_test_param(o, "max-depth", 4);
    ck_test_param(o, "subsample", 0.8);
    ck_test_param(o, "colsample", 0.8);
    ck_assert(ck_train_options_set(o, "monotone", "number_customer_service_calls=1", &err) ==
              CK_OK);
}

static void charge_options(ck_train_options *o)
{
    static const char *const ex[] = {"churn", "total_eve_minutes"};
    ck_train_options_init(o);
    ck_test_use(o, "gbdt");
    o->label = "total_eve_charge";
    o->task = CK_TASK_REGRESSION;
    o->seed = 7;
    o->threads = 1;
    o->pipeline.exclude = ex;
    o->pipeline.nexclude = 2;
    ck_test_param(o, "trees", 60);
    ck_test_param(o, "max-cat-onehot", 4);
    ck_test_param(o, "max-depth", 3);
    ck_test_param(o, "learning-rate", 0.1);
}

static ck_model *train(const ck_table *t, const ck_train_options *o)
{
    ck_model *m;
    ck_warnings w;
    ck_error err;
    ck_warnings_init(&w);
    ck_assert_msg(ck_train(t, o, &m, &w, &err) == CK_OK, "%s", err.message);
    ck_warnings_fini(&w);
    return m;
}

/* Scores every test row and compares with the fixture: predictions to
 * 1e-6, SHAP values to 1e-5, which add up to the margin. */
static void compare(const ck_model *m, const ck_table *test, const char *expected)
{
    ck_table *e = read_table(expected);
    ck_design d;
    ck_error err;
    size_t w = m->pl->width;
    ck_assert_int_eq(ck_design_bind(&d, m->pl, test, &err), CK_OK);
    ck_assert_uint_eq(e->ncols, w + 3);
    ck_assert_uint_eq(e->nrows, test->nrows);
    double *x = malloc(w * sizeof *x), *c = malloc(w * sizeof *c), worst = 0, worst_shap = 0;
    void *scratch;
    ck_assert_int_eq(ck_model_scratch(m, &scratch, &err), CK_OK);
    for (size_t i = 0; i < test->nrows; i++) {
        ck_design_row(&d, i, x);
        double p = ck_model_score(m, x, scratch);
        worst = fmax(worst, fabs(p - e->col[0].num[i]));
        ck_assert(ck_model_contributions(m, x, c, scratch));
        double sum = e->col[w + 2].num[i];
        for (size_t j = 0; j < w; j++) {
            worst_shap = fmax(worst_shap, fabs(c[j] - e->col[j + 2].num[i]));
            sum += c[j];
        }
        /* the contributions and the bias add up to xgboost's margin */
        ck_assert_msg(fabs(sum - e->col[1].num[i]) < 1e-5, "row %zu: %.9g vs margin %.9g", i,
                      sum, e->col[1].num[i]);
    }
    ck_assert_msg(worst < 1e-6, "predictions differ from xgboost's by %g", worst);
    ck_assert_msg(worst_shap < 1e-5, "SHAP values differ from xgboost's by %g", worst_shap);
    ck_model_scratch_free(m, scratch);
    free(x);
    free(c);
    ck_design_fini(&d);
    ck_table_free(e);
}

START_TEST(test_equals_python_xgboost)
{
    ck_table *t = read_table(FIX "train.csv"), *test = read_table(FIX "test.csv");
    ck_train_options o;
    churn_options(&o, 1);
    ck_model *m = train(t, &o);
    compare(m, test, FIX "churn.expected.csv");
    /* and after the model file's round trip */
    char *text = ck_model_to_json(m);
    ck_model *back;
    ck_error err;
    ck_assert_msg(ck_model_parse(&back, text, "m.json", &err) == CK_OK, "%s", err.message);
    compare(back, test, FIX "churn.expected.csv");
    char *again = ck_model_to_json(back);
    ck_assert_str_eq(again, text);
    free(text);
    free(again);
    ck_model_free(back);
    ck_model_free(m);
    charge_options(&o);
    m = train(t, &o);
    compare(m, test, FIX "charge.expected.csv");
    ck_model_free(m);
    ck_table_free(t);
    ck_table_free(test);
}
END_TEST

/* The training rows' scores kept from libxgboost's cache (the training
 * metrics read them) are the scores churnkit's walk gives, bit for bit:
 * sampled rows, categories, monotone constraints, a regression. */
static void check_fitted(const ck_model *m, const ck_table *t)
{
    size_t n = t->nrows, w = m->pl->width;
    double *f = malloc(n * sizeof *f), *x = malloc(w * sizeof *x);
    ck_design d;
    ck_error err;
    void *scratch;
    ck_assert(ck_model_fitted(m, n, f)); /* kept: the check in est_gbdt.c passed */
    ck_assert(!ck_model_fitted(m, n - 1, f));
    ck_assert_int_eq(ck_design_bind(&d, m->pl, t, &err), CK_OK);
    ck_assert_int_eq(ck_model_scratch(m, &scratch, &err), CK_OK);
    for (size_t i = 0; i < n; i++) {
        ck_design_row(&d, i, x);
        double v = ck_model_score(m, x, scratch);
        ck_assert_msg(memcmp(&v, &f[i], sizeof v) == 0, "row %zu: %.17g kept, %.17g walked", i,
                      f[i], v);
    }
    ck_model_scratch_free(m, scratch);
    ck_design_fini(&d);
    free(f);
    free(x);
}

START_TEST(test_fitted_scores_are_the_walks)
{
    ck_table *t = read_table(FIX "train.csv");
    ck_train_options o;
    churn_options(&o, 2);
    ck_model *m = train(t, &o);
    check_fitted(m, t);
    /* a model read from its file has none: they are the fit's */
    char *text = ck_model_to_json(m);
    ck_model *back;
    ck_error err;
    ck_assert_msg(ck_model_parse(&back, text, "m.json", &err) == CK_OK, "%s", err.message);
    double one;
    ck_assert(!ck_model_fitted(back, t->nrows, &one));
    ck_model_free(back);
    free(text);
    ck_model_free(m);
    charge_options(&o);
    m = train(t, &o);
    check_fitted(m, t);
    ck_model_free(m);
    ck_table_free(t);
}
END_TEST

START_TEST(test_threads_and_runs_identical)
{
    ck_table *t = read_table(FIX "train.csv");
    ck_train_options o;
    char *text[3];
    for (size_t k = 0; k < 3; k++) {
        churn_options(&o, k == 2 ? 2 : 1);
        ck_model *m = train(t, &o);
        text[k] = ck_model_to_json(m);
        ck_model_free(m);
    }
    ck_assert_str_eq(text[0], text[1]); /* run to run */
    ck_assert_str_eq(text[0], text[2]); /* one thread or two */
    for (size_t k = 0; k < 3; k++)
        free(text[k]);
    ck_table_free(t);
}
END_TEST

START_TEST(test_early_stopping)
{
    ck_table *t = read_table(FIX "train.csv");
    ck_train_options o;
    churn_options(&o, 0);
    ck_test_param(&o, "trees", 300);
    ck_test_param(&o, "early-stopping", 10);
    o.cv = 3;
    ck_model *m = train(t, &o);
    const ck_tuning *tu = &m->tuning;
    /* one candidate; the curve's least loss at the kept number of trees,
     * no improvement in the 10 rounds after it (or the cap reached) */
    ck_assert_uint_eq(tu->ntried, 1);
    size_t trees = (size_t)tu->tried[2];
    ck_assert(trees >= 1 && trees <= tu->ncurve);
    for (size_t r = 0; r < tu->ncurve; r++)
        ck_assert(tu->curve[r] >= tu->curve[trees - 1]);
    ck_assert(tu->ncurve == 300 || tu->ncurve == trees + 10);
    ck_assert(tu->loss[0] == tu->curve[trees - 1]);
    /* the final model has that many trees; the record survives the file */
    char *text = ck_model_to_json(m);
    ck_assert_msg(strstr(text, "\"trees\": ") != NULL, "%s", text);
    ck_model *back;
    ck_error err;
    ck_assert_msg(ck_model_parse(&back, text, "m.json", &err) == CK_OK, "%s", err.message);
    ck_assert_uint_eq(back->tuning.ncurve, tu->ncurve);
    ck_assert(back->tuning.curve[trees - 1] == tu->curve[trees - 1]);
    char *again = ck_model_to_json(back);
    ck_assert_str_eq(again, text);
    free(text);
    free(again);
    ck_model_free(back);
    ck_model_free(m);
    ck_table_free(t);
}
END_TEST

/* A monotone constraint holds: raising the column never lowers the score. */
START_TEST(test_monotone)
{
    ck_table *t = read_table(FIX "train.csv");
    ck_train_options o;
    churn_options(&o, 0);
    ck_model *m = train(t, &o);
    ck_design d;
    ck_error err;
    ck_assert_int_eq(ck_design_bind(&d, m->pl, t, &err), CK_OK);
    size_t w = m->pl->width, j = 0;
    while (strcmp(m->pl->encoded[j], "number_customer_service_calls") != 0)
        j++;
    double *x = malloc(w * sizeof *x);
    for (size_t i = 0; i < t->nrows; i += 7) {
        ck_design_row(&d, i, x);
        double last = -1;
        for (int calls = 0; calls <= 9; calls++) {
            x[j] = calls;
            double p = ck_model_score(m, x, NULL);
            ck_assert_msg(p >= last, "row %zu: %d calls gives %g after %g", i, calls, p, last);
            last = p;
        }
    }
    free(x);
    ck_design_fini(&d);
    ck_model_free(m);
    /* a constraint on a text column or an unknown column is refused */
    churn_options(&o, 0);
    ck_assert(ck_train_options_set(&o, "monotone", "state=1", &err) == CK_OK);
    ck_assert_int_eq(ck_train(t, &o, &m, NULL, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "'state' is a text column");
    ck_assert(ck_train_options_set(&o, "monotone", "nps=1", &err) == CK_OK);
    ck_assert_int_eq(ck_train(t, &o, &m, NULL, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "'nps' is not a feature");
    ck_table_free(t);
}
END_TEST

START_TEST(test_damaged_booster)
{
    ck_table *t = read_table(FIX "train.csv");
    ck_train_options o;
    churn_options(&o, 0);
    ck_test_param(&o, "trees", 3);
    ck_model *m = train(t, &o);
    char *text = ck_model_to_json(m);
    ck_model_free(m);
    /* a child index out of range inside the embedded booster */
    char *at = strstr(text, "left_children");
    ck_assert_ptr_nonnull(at);
    at = strstr(at, "[");
    ck_assert_ptr_nonnull(at);
    memcpy(at + 1, "99", 2);
    ck_error err;
    ck_assert_int_eq(ck_model_parse(&m, text, "bad.json", &err), CK_EMODEL);
    ck_assert_msg_contains(err, "bad.json");
    free(text);
    /* a booster whose own objective is not the model's: its output would
     * be read as a probability */
    m = train(t, &o);
    text = ck_model_to_json(m);
    ck_model_free(m);
    at = strstr(text, "binary:logistic\\\"");
    ck_assert_ptr_nonnull(at); /* the booster's, escaped inside its string */
    memcpy(at, "binary:logitraw", 15);
    ck_assert_int_eq(ck_model_parse(&m, text, "obj.json", &err), CK_EMODEL);
    ck_assert_msg_contains(err, "has the booster objective 'binary:logitraw', not the model's "
                                "'binary:logistic'");
    free(text);
    ck_table_free(t);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("gbdt");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_equals_python_xgboost);
    tcase_add_test(tc, test_threads_and_runs_identical);
    tcase_add_test(tc, test_fitted_scores_are_the_walks);
    tcase_add_test(tc, test_early_stopping);
    tcase_add_test(tc, test_monotone);
    tcase_add_test(tc, test_damaged_booster);
    suite_add_tcase(s, tc);
    return s;
}

CK_TEST_MAIN(suite)
