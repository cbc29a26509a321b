/* Model files: round trips, determinism, and every way a file can be bad;
 * in-memory and loaded models score identically. */
#include "testutil.h"

#include <math.h>

#include "churnkit/model.h"
#include "churnkit/train.h"

#define PUB CK_TEST_DATA "/public/"
#define FIX CK_TEST_DATA "/../fixtures/estimators/"

static ck_table *read_table(const char *path)
{
    ck_table *t;
    ck_error err;
    ck_assert_msg(ck_table_read_csv(&t, path, NULL, &err) == CK_OK, "%s", err.message);
    return t;
}

static ck_model *train(const ck_table *t, const char *e, const char *label, int cv)
{
    ck_train_options o;
    ck_train_options_init(&o);
    o.label = label;
    ck_test_use(&o, e);
    if (strcmp(e, "logistic") == 0)
        ck_test_param(&o, "l2", 1);
    o.cv = (size_t)cv;
    o.name = "m";
    ck_model *m;
    ck_error err;
    ck_warnings w;
    ck_warnings_init(&w);
    ck_assert_msg(ck_train(t, &o, &m, &w, &err) == CK_OK, "%s", err.message);
    ck_warnings_fini(&w);
    return m;
}

static char *save_text(const ck_model *m)
{
    char *s = ck_model_to_json(m);
    ck_assert_ptr_nonnull(s);
    return s;
}

/* Scores every row of t with m; the caller frees. */
static double *scores(const ck_model *m, const ck_table *t)
{
    size_t *rows = malloc(t->nrows * sizeof *rows);
    double *p = malloc(t->nrows * sizeof *p);
    for (size_t i = 0; i < t->nrows; i++)
        rows[i] = i;
    ck_error err;
    ck_assert_int_eq(ck_model_score_table(m, t, rows, t->nrows, 0, p, &err), CK_OK);
    free(rows);
    return p;
}

static void round_trip(const char *e, const char *data, const char *label)
{
    ck_table *t = read_table(data);
    ck_model *m = train(t, e, label, 0);
    char *text = save_text(m);
    ck_model *back;
    ck_error err;
    ck_assert_msg(ck_model_parse(&back, text, "memory", &err) == CK_OK, "%s", err.message);
    char *text2 = save_text(back);
    ck_assert_str_eq(text, text2); /* load + save is the identity on the bytes */
    double *a = scores(m, t), *b = scores(back, t);
    ck_assert(memcmp(a, b, t->nrows * sizeof *a) == 0); /* and scores the same bits */
    free(a);
    free(b);
    free(text);
    free(text2);
    ck_model_free(m);
    ck_model_free(back);
    ck_table_free(t);
}

START_TEST(test_round_trip_logistic)
{
    round_trip("logistic", PUB "mlc_churn.train.csv", "churn");
}
END_TEST

START_TEST(test_round_trip_linear)
{
    round_trip("linear", FIX "regression.csv", "value_change");
}
END_TEST

START_TEST(test_round_trip_svm)
{
    round_trip("svm", PUB "attrition.train.csv", "Attrition");
}
END_TEST

START_TEST(test_same_seed_same_bytes)
{
    ck_table *t = read_table(PUB "attrition.train.csv");
    static const char *const est[] = {"logistic", "svm"};
    for (int k = 0; k < 2; k++) {
        ck_model *a = train(t, est[k], "Attrition", 3);
        ck_model *b = train(t, est[k], "Attrition", 3);
        char *ta = save_text(a), *tb = save_text(b);
        ck_assert_str_eq(ta, tb);
        free(ta);
        free(tb);
        ck_model_free(a);
        ck_model_free(b);
    }
    ck_table_free(t);
}
END_TEST

START_TEST(test_save_is_atomic_and_loadable)
{
    ck_table *t = read_table(PUB "mlc_churn.train.csv");
    ck_model *m = train(t, "logistic", "churn", 0);
    char *path = ck_test_write("old content\n");
    ck_error err;
    ck_assert_int_eq(ck_model_save(m, path, &err), CK_OK);
    ck_model *back;
    ck_assert_msg(ck_model_load(&back, path, &err) == CK_OK, "%s", err.message);
    ck_assert_str_eq(back->name, "m");
    ck_assert_str_eq(back->positive, "yes");
    ck_assert_int_eq(ck_model_save(m, "/nonexistent-dir/m.json", &err), CK_EIO);
    ck_model_free(back);
    ck_model_free(m);
    ck_table_free(t);
    unlink(path);
    free(path);
}
END_TEST

/* The text of a small valid model, to damage in the tests below. */

static char *valid_text(void)
{
    ck_table *t = read_table(FIX "regression.csv");
    ck_model *m = train(t, "linear", "value_change", 0);
    char *s = save_text(m);
    ck_model_free(m);
    ck_table_free(t);
    return s;
}

/* Whether path exists. */
static int exists(const char *path)
{
    return access(path, F_OK) == 0;
}

/* What train writes is read back by predict's loader before it lands: a
 * model that would not load (here a threshold the loader refuses, the
 * in-memory model damaged after the fit) is an internal error and no file. */
START_TEST(test_save_verifies_what_it_writes)
{
    ck_table *t = read_table(PUB "mlc_churn.train.csv");
    ck_model *m = train(t, "logistic", "churn", 0);
    char dir[] = "/tmp/churnkit-test-XXXXXX", path[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/m.json", dir);
    ck_error err;
    m->threshold = 1.5;
    ck_assert_int_eq(ck_model_save(m, path, &err), CK_EMODEL);
    ck_assert_msg_contains(err, "internal error (a churnkit bug: please report it): the model "
                                "does not read back");
    ck_assert_msg_contains(err, "field 'threshold' must lie strictly between 0 and 1");
    ck_assert(!exists(path));
    m->threshold = 0.5;
    ck_assert_int_eq(ck_model_save(m, path, &err), CK_OK);
    ck_assert(exists(path));
    unlink(path);
    rmdir(dir);
    ck_model_free(m);
    ck_table_free(t);
}
END_TEST

/* Text JSON cannot hold (not UTF-8) makes the whole file fail: jansson's
 * NULL from json_string was once dropped with its key, and the file lacked
 * the field. */
START_TEST(test_text_not_utf8_never_dropped)
{
    json_t *o = json_object();
    ck_assert_int_eq(ck_json_put(o, "k", json_string("Z\xfcrich")), -1);
    ck_assert_int_eq(ck_json_put(o, "k", json_string("Zurich")), 0);
    ck_assert_int_eq(ck_json_push(json_object_get(o, "k"), json_integer(1)), -1);
    ck_assert_ptr_null(ck_json_done(o, 1));
    ck_table *t = read_table(PUB "mlc_churn.train.csv");
    ck_model *m = train(t, "logistic", "churn", 0);
    free(m->positive);
    m->positive = strdup("Z\xfcrich");
    ck_assert_ptr_null(ck_model_to_json(m));
    char dir[] = "/tmp/churnkit-test-XXXXXX", path[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/m.json", dir);
    ck_error err;
    ck_assert_int_ne(ck_model_save(m, path, &err), CK_OK);
    ck_assert(!exists(path));
    rmdir(dir);
    ck_model_free(m);
    ck_table_free(t);
}
END_TEST

/* The size limit is checked before the file is read; over it, CK_EMODEL. */
START_TEST(test_size_limit)
{
    char *text = valid_text(), *path = ck_test_write(text);
    ck_model *m;
    ck_error err;
    ck_assert_int_eq(ck_model_load_max(&m, path, strlen(text) - 1, &err), CK_EMODEL);
    ck_assert_ptr_null(m);
    ck_assert_msg_contains(err, "the model file is larger than");
    ck_assert_msg(ck_model_load_max(&m, path, strlen(text), &err) == CK_OK, "%s", err.message);
    ck_model_free(m);
    unlink(path);
    free(path);
    free(text);
}
END_TEST

/* Replaces the first `from` in text by `to` (a new string). */
static char *edit(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    ck_assert_msg(at != NULL, "'%s' not in the model text", from);
    size_t n = strlen(text) + strlen(to) + 1;
    char *out = malloc(n);
    snprintf(out, n, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    return out;
}

static void expect_bad(const char *text, const char *fragment)
{
    ck_model *m;
    ck_error err;
    ck_assert_int_eq(ck_model_parse(&m, text, "model.json", &err), CK_EMODEL);
    ck_assert_ptr_null(m);
    ck_assert_msg_contains(err, fragment);
}

START_TEST(test_newer_version_refused)
{
    char *t = valid_text(), *bad = edit(t, "\"version\": 1", "\"version\": 2");
    expect_bad(bad, "model file version 2 is newer");
    free(bad);
    free(t);
}
END_TEST

START_TEST(test_truncated_file_refused)
{
    char *t = valid_text();
    t[strlen(t) / 2] = '\0';
    expect_bad(t, "model.json:");
    expect_bad(t, "damaged model file");
    free(t);
}
END_TEST

START_TEST(test_not_a_model_refused)
{
    expect_bad("{\"hello\": 1}", "not a churnkit model file");
    expect_bad("[1, 2, 3]", "not a churnkit model file");
    expect_bad("", "damaged model file");
    expect_bad("\x01\x02garbage", "damaged model file");
}
END_TEST

START_TEST(test_coefficients_must_match_features)
{
    char *t = valid_text();
    /* a coefficient renamed */
    char *bad = edit(t, "\"term\": \"x1\"", "\"term\": \"x9\"");
    expect_bad(bad, "coefficient 1 is for 'x9'");
    free(bad);
    /* a feature dropped: the encoded list and the coefficients no longer fit */
    bad = edit(t, "\"encoded\": [\n    \"x1\",", "\"encoded\": [");
    expect_bad(bad, "encode");
    free(bad);
    /* a level added to a categorical feature */
    bad = edit(t, "\"basic\",", "\"basic\", \"extra\",");
    expect_bad(bad, "model.json");
    free(bad);
    free(t);
}
END_TEST

START_TEST(test_field_errors_are_named)
{
    char *t = valid_text();
    char *bad = edit(t, "\"scale\": ", "\"scale\": -");
    expect_bad(bad, "features[0].scale' must be a positive number");
    free(bad);
    bad = edit(t, "\"task\": \"regression\"", "\"task\": \"guessing\"");
    expect_bad(bad, "field 'task'");
    free(bad);
    bad = edit(t, "\"mean\"", "\"average\"");
    expect_bad(bad, "features[0].mean' is missing");
    free(bad);
    bad = edit(t, "\"name\": \"x1\"", "\"name\": \"x1\", \"name\": \"x2\"");
    expect_bad(bad, "duplicate");
    free(bad);
    free(t);
}
END_TEST

START_TEST(test_missing_file_is_io_error)
{
    ck_model *m;
    ck_error err;
    ck_assert_int_eq(ck_model_load(&m, "/nonexistent/model.json", &err), CK_EIO);
    ck_assert_msg_contains(err, "cannot open");
}
END_TEST

static Suite *model_suite(void)
{
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_round_trip_logistic);
    tcase_add_test(tc, test_round_trip_linear);
    tcase_add_test(tc, test_round_trip_svm);
    tcase_add_test(tc, test_same_seed_same_bytes);
    tcase_add_test(tc, test_save_is_atomic_and_loadable);
    tcase_add_test(tc, test_newer_version_refused);
    tcase_add_test(tc, test_truncated_file_refused);
    tcase_add_test(tc, test_not_a_model_refused);
    tcase_add_test(tc, test_coefficients_must_match_features);
    tcase_add_test(tc, test_field_errors_are_named);
    tcase_add_test(tc, test_missing_file_is_io_error);
    tcase_add_test(tc, test_save_verifies_what_it_writes);
    tcase_add_test(tc, test_text_not_utf8_never_dropped);
    tcase_add_test(tc, test_size_limit);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}

CK_TEST_MAIN(model_suite)
