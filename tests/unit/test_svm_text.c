/* libsvm's model text read and written in memory (svm_text.c): what it
 * reads scores as libsvm's own loader does, what it writes is
 * svm_save_model's bytes, and every header defect that crashed or misled
 * libsvm's loader is refused by line. */
#include "testutil.h"

#include <libsvm/svm.h>
#include <math.h>

#include "churnkit/svm_text.h"

static const char *const good =
    "svm_type c_svc\n"
    "kernel_type rbf\n"
    "gamma 0.5\n"
    "nr_class 2\n"
    "total_sv 3\n"
    "rho 0.10000000000000001\n"
    "label 1 0\n"
    "probA -1.5\n"
    "probB 0.20000000000000001\n"
    "nr_sv 2 1\n"
    "SV\n"
    "1 1:0.5 3:1 \n"
    "0.25 2:-0.75 \n"
    "-1.25 1:2 2:1e-05 3:-3 \n";

/* good with its first `from` replaced by `to` (a new string) */
static char *edit(const char *from, const char *to)
{
    const char *at = strstr(good, from);
    ck_assert_msg(at != NULL, "'%s' not in the text", from);
    size_t n = strlen(good) + strlen(to) + 1;
    char *out = malloc(n);
    snprintf(out, n, "%.*s%s%s", (int)(at - good), good, to, at + strlen(from));
    return out;
}

static void expect_bad(const char *from, const char *to, const char *fragment)
{
    char *text = edit(from, to);
    struct svm_model *m = (struct svm_model *)1;
    ck_error err = {0};
    ck_assert_int_eq(ck_svm_text_read(text, 3, 0, &m, &err), CK_EMODEL);
    ck_assert_ptr_null(m);
    ck_assert_msg_contains(err, fragment);
    free(text);
}

START_TEST(test_reads_and_writes_libsvm_text)
{
    struct svm_model *m;
    ck_error err = {0};
    ck_assert_msg(ck_svm_text_read(good, 3, 0, &m, &err) == CK_OK, "%s", err.message);
    char *mine = ck_svm_text_write(m);
    ck_assert_str_eq(mine, good);
    /* libsvm's writer and loader on the same model: the same bytes, and the
     * same decision values and probabilities to the bit */
    char tmpl[] = "/tmp/churnkit-test-XXXXXX";
    int fd = mkstemp(tmpl);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(svm_save_model(tmpl, m), 0);
    char *theirs = ck_test_slurp(tmpl);
    ck_assert_str_eq(mine, theirs);
    struct svm_model *lib = svm_load_model(tmpl);
    ck_assert_ptr_nonnull(lib);
    struct svm_node x[] = {{1, 0.3}, {2, -0.2}, {3, 0.9}, {-1, 0}};
    double d1, d2, p1[2], p2[2];
    svm_predict_values(m, x, &d1);
    svm_predict_values(lib, x, &d2);
    ck_assert(d1 == d2);
    svm_predict_probability(m, x, p1);
    svm_predict_probability(lib, x, p2);
    ck_assert(p1[0] == p2[0] && p1[1] == p2[1]);
    svm_free_and_destroy_model(&lib);
    svm_free_and_destroy_model(&m);
    unlink(tmpl);
    free(theirs);
    free(mine);
}
END_TEST

START_TEST(test_regression_text)
{
    const char *svr = "svm_type epsilon_svr\nkernel_type linear\nnr_class 2\ntotal_sv 1\n"
                      "rho -0.5\nSV\n0.75 2:1 \n";
    struct svm_model *m;
    ck_error err = {0};
    ck_assert_msg(ck_svm_text_read(svr, 2, 1, &m, &err) == CK_OK, "%s", err.message);
    char *back = ck_svm_text_write(m);
    ck_assert_str_eq(back, svr);
    struct svm_node x[] = {{2, 2.0}, {-1, 0}};
    ck_assert(svm_predict(m, x) == 0.75 * 2.0 + 0.5);
    free(back);
    svm_free_and_destroy_model(&m);
    /* a regression model read as a classifier, and the other way */
    ck_assert_int_eq(ck_svm_text_read(svr, 2, 0, &m, &err), CK_EMODEL);
    ck_assert_msg_contains(err, "svm_type is 'epsilon_svr', but a classification model is");
    ck_assert_int_eq(ck_svm_text_read(good, 3, 1, &m, &err), CK_EMODEL);
}
END_TEST

START_TEST(test_header_defects_refused)
{
    expect_bad("nr_sv 2 1\n", "", "line 10: 'nr_sv' is missing (found 'SV')");
    expect_bad("total_sv 3", "total_sv -2", "line 5: total_sv is -2, outside 0..");
    expect_bad("total_sv 3", "total_sv 99999999999", "total_sv is 99999999999, outside");
    expect_bad("total_sv 3", "total_sv 4", "line 10: nr_sv 2 + 1 disagrees with total_sv 4");
    expect_bad("total_sv 3\nrho 0.10000000000000001\nlabel 1 0\nprobA -1.5\n"
               "probB 0.20000000000000001\nnr_sv 2 1",
               "total_sv 4\nrho 0.10000000000000001\nlabel 1 0\nprobA -1.5\n"
               "probB 0.20000000000000001\nnr_sv 2 2",
               "line 12: total_sv is 4, but 3 support vectors follow");
    expect_bad("kernel_type rbf\ngamma 0.5", "kernel_type precomputed",
               "line 2: kernel_type is 'precomputed'; churnkit's SVMs are 'linear' or 'rbf'");
    expect_bad("kernel_type rbf", "kernel_type fancy", "kernel_type 'fancy' is not one libsvm");
    expect_bad("gamma 0.5", "gamma -1", "line 3: gamma must be positive");
    expect_bad("gamma 0.5", "gamma inf", "gamma is not finite");
    expect_bad("nr_class 2", "nr_class 3", "nr_class is 3, outside 2..2");
    expect_bad("label 1 0", "label 1 1", "label must list the classes 0 and 1 once each");
    expect_bad("label 1 0", "label 1", "label is missing");
    expect_bad("probA -1.5\n", "", "'probA' is missing (found 'probB')");
    expect_bad("rho 0.10000000000000001", "rho nan", "rho is not finite: 'nan'");
    expect_bad("svm_type c_svc", "svm_type one_class", "svm_type is 'one_class'");
    expect_bad("nr_sv 2 1", "nr_sv 2 1 7", "unexpected '7' at the end of the line");
}
END_TEST

START_TEST(test_vector_defects_refused)
{
    expect_bad("0.25 2:-0.75 \n", "", "line 12: total_sv is 3, but 2 support vectors follow");
    expect_bad("0.25 2:-0.75 \n", "0.25 2:-0.75 \n0.5 1:1 \n", "but 4 support vectors follow");
    expect_bad("0.25 2:-0.75 \n", "0.25 2:-0.75 \n\n", "but 4 support vectors follow");
    expect_bad("3:1 ", "4:1 ", "line 12: feature 4 is out of order or outside 1..3");
    expect_bad("1 1:0.5 3:1", "1 3:0.5 1:1", "feature 1 is out of order");
    expect_bad("2:-0.75", "0:-0.75", "feature 0 is out of order or outside");
    expect_bad("2:-0.75", "2:nan", "line 13: a feature value is not finite: 'nan'");
    expect_bad("2:-0.75", "2:", "a feature value is missing");
    expect_bad("2:-0.75", "2 -0.75", "expected INDEX:VALUE, found '2'");
    expect_bad("-1.25 1:2", "x 1:2", "line 14: the coefficient is not a number: 'x'");
    expect_bad("1:2 2:1e-05", "1:2:3 2:1e-05", "a feature value is not a number: '2:3'");
}
END_TEST

/* The text is never trusted for sizes: a huge total_sv with nothing after
 * it is refused before anything is allocated for it. */
START_TEST(test_counts_bound_before_allocating)
{
    struct svm_model *m;
    ck_error err = {0};
    const char *big = "svm_type epsilon_svr\nkernel_type linear\nnr_class 2\n"
                      "total_sv 2000000000\nrho 0\nSV\n";
    ck_assert_int_eq(ck_svm_text_read(big, 3, 1, &m, &err), CK_EMODEL);
    ck_assert_msg_contains(err, "line 4: total_sv is 2000000000, more than the lines that "
                                "follow");
    ck_assert_int_eq(ck_svm_text_read("", 3, 1, &m, &err), CK_EMODEL);
    ck_assert_msg_contains(err, "line 1: the text ends where 'svm_type' should be");
}
END_TEST

static Suite *svm_text_suite(void)
{
    Suite *s = suite_create("svm_text");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_reads_and_writes_libsvm_text);
    tcase_add_test(tc, test_regression_text);
    tcase_add_test(tc, test_header_defects_refused);
    tcase_add_test(tc, test_vector_defects_refused);
    tcase_add_test(tc, test_counts_bound_before_allocating);
    suite_add_tcase(s, tc);
    return s;
}

CK_TEST_MAIN(svm_text_suite)
