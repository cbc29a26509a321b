/* Streaming scoring: outputs match in-memory scoring, reasons, unseen
 * levels, missing values, headerless input, and errors before output. */
#include "testutil.h"

#include <math.h>

#include "churnkit/score.h"
#include "churnkit/train.h"

static ck_model *train_text(const char *csv, const char *label, ck_estimator e, double l2,
                            const char *name)
{
    char *path = ck_test_write(csv);
    ck_table *t;
    ck_error err;
    ck_assert_msg(ck_table_read_csv(&t, path, NULL, &err) == CK_OK, "%s", err.message);
    ck_train_options o;
    ck_train_options_init(&o);
    o.label = label;
    o.estimator = e;
    o.l2 = l2;
    o.name = name;
    o.id = "id";
    ck_model *m;
    ck_warnings w;
    ck_warnings_init(&w);
    ck_assert_msg(ck_train(t, &o, &m, &w, &err) == CK_OK, "%s", err.message);
    ck_warnings_fini(&w);
    ck_table_free(t);
    unlink(path);
    free(path);
    return m;
}

static const char *TRAIN =
    "id,tenure,plan,minutes,churn\n"
    "a,1,basic,10,yes\nb,24,pro,200,no\nc,3,basic,15,yes\nd,36,team,300,no\n"
    "e,5,basic,,yes\nf,30,pro,250,no\ng,2,team,20,no\nh,40,basic,310,yes\n"
    "i,12,pro,120,no\nj,8,basic,60,yes\nk,20,team,180,no\nl,4,pro,25,yes\n";

START_TEST(test_scores_and_reasons)
{
    ck_model *m = train_text(TRAIN, "churn", CK_EST_LOGISTIC, 1.0, "risk");
    char *in = ck_test_write("minutes,plan,id,tenure,extra\n50,pro,x1,6,z\n,gold,x2,,z\n");
    char *out = ck_test_write("");
    ck_score_options so;
    ck_score_options_init(&so);
    so.reasons = 2;
    ck_score_summary sum;
    ck_warnings w;
    ck_error err;
    ck_warnings_init(&w);
    ck_model *ms[] = {m};
    ck_assert_msg(ck_score(ms, 1, in, out, &so, &sum, &w, &err) == CK_OK, "%s", err.message);
    char *text = ck_test_slurp(out);
    /* the id column (from the model) first; columns found by name, in any order */
    ck_assert_msg(strncmp(text, "id,risk_prob,risk_label,risk_reason1,risk_reason2\nx1,", 52) == 0,
                  "%s", text);
    ck_assert_uint_eq(sum.rows, 2);
    /* 'gold' was never seen: counted in a warning */
    int warned = 0;
    for (size_t i = 0; i < w.n; i++)
        warned |= strstr(w.msg[i], "1 rows have a value of 'plan' not seen") != NULL;
    ck_assert_msg(warned, "no unseen-level warning");
    /* the reasons of row 2 (all missing but an unseen plan) */
    ck_assert(strstr(text, "\nx2,") != NULL);
    free(text);
    ck_score_summary_fini(&sum);
    ck_warnings_fini(&w);
    ck_model_free(m);
    unlink(in);
    unlink(out);
    free(in);
    free(out);
}
END_TEST

START_TEST(test_contributions_are_linear_shap)
{
    /* sum_j beta_j (x_j - mean_j) = eta(x) - eta(average row) */
    ck_model *m = train_text(TRAIN, "churn", CK_EST_LOGISTIC, 0.5, "risk");
    size_t w = m->pl->width;
    double *x = malloc(w * sizeof *x), *c = malloc(w * sizeof *c);
    double num[4] = {7, NAN, 90, 0};
    int32_t lev[4] = {-1, 1, -1, -1};
    ck_pipeline_encode(m->pl, num, lev, x);
    ck_assert(ck_model_contributions(m, x, c));
    double sum = 0, eta = m->beta[0], eta_avg = m->beta[0];
    for (size_t j = 0; j < w; j++) {
        sum += c[j];
        eta += m->beta[j + 1] * x[j];
        eta_avg += m->beta[j + 1] * m->pl->center[j];
    }
    ck_assert(fabs(sum - (eta - eta_avg)) < 1e-12);
    free(x);
    free(c);
    ck_model_free(m);
}
END_TEST

START_TEST(test_file_equals_in_memory)
{
    ck_model *m = train_text(TRAIN, "churn", CK_EST_LOGISTIC, 1.0, "risk");
    char *in = ck_test_write(TRAIN);
    char *out = ck_test_write("");
    ck_score_options so;
    ck_score_options_init(&so);
    so.decimals = 9;
    ck_error err;
    ck_model *ms[] = {m};
    ck_assert_int_eq(ck_score(ms, 1, in, out, &so, NULL, NULL, &err), CK_OK);
    ck_table *t, *s;
    ck_assert_int_eq(ck_table_read_csv(&t, in, NULL, &err), CK_OK);
    ck_assert_int_eq(ck_table_read_csv(&s, out, NULL, &err), CK_OK);
    size_t rows[12];
    double p[12];
    for (size_t i = 0; i < 12; i++)
        rows[i] = i;
    ck_assert_int_eq(ck_model_score_table(m, t, rows, 12, 1, p, &err), CK_OK);
    size_t j;
    ck_assert_int_eq(ck_table_require(s, "risk_prob", &j, &err), CK_OK);
    for (size_t i = 0; i < 12; i++)
        ck_assert(fabs(s->col[j].num[i] - p[i]) <= 5e-10);
    ck_table_free(t);
    ck_table_free(s);
    ck_model_free(m);
    unlink(in);
    unlink(out);
    free(in);
    free(out);
}
END_TEST

START_TEST(test_headerless_input)
{
    ck_model *m = train_text(TRAIN, "churn", CK_EST_LOGISTIC, 1.0, "risk");
    /* the model's own order: id, then its features */
    char *in = ck_test_write("q1,6,pro,50\nq2,30,team,280\n");
    char *out = ck_test_write("");
    ck_score_options so;
    ck_score_options_init(&so);
    so.csv.no_header = 1;
    so.no_header_out = 1;
    const char *names[] = {"id", "tenure", "plan", "minutes"};
    so.csv.names = names;
    so.csv.nnames = 4;
    ck_error err;
    ck_model *ms[] = {m};
    ck_assert_msg(ck_score(ms, 1, in, out, &so, NULL, NULL, &err) == CK_OK, "%s", err.message);
    char *text = ck_test_slurp(out);
    ck_assert_msg(strncmp(text, "q1,", 3) == 0, "%s", text);
    ck_assert(strstr(text, "\nq2,") != NULL);
    free(text);
    ck_model_free(m);
    unlink(in);
    unlink(out);
    free(in);
    free(out);
}
END_TEST

START_TEST(test_errors_leave_no_output)
{
    ck_model *m = train_text(TRAIN, "churn", CK_EST_LOGISTIC, 1.0, "risk");
    ck_model *ms[] = {m, m};
    ck_error err;
    char dir[] = "/tmp/churnkit-score-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char out[300];
    snprintf(out, sizeof out, "%s/scores.csv", dir);
    ck_assert_int_eq(ck_score(ms, 2, "-", out, NULL, NULL, NULL, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "two models are named 'risk'");
    char *in = ck_test_write("id,tenure,plan\nx,1,pro\n");
    ck_assert_int_eq(ck_score(ms, 1, in, out, NULL, NULL, NULL, &err), CK_EDATA);
    ck_assert_msg_contains(err, "no column 'minutes', which model 'risk' needs");
    ck_assert_int_eq(access(out, F_OK), -1);
    unlink(in);
    free(in);
    in = ck_test_write("id,tenure,plan,minutes\nx,1,pro,5\ny,abc,pro,5\n");
    ck_assert_int_eq(ck_score(ms, 1, in, out, NULL, NULL, NULL, &err), CK_EDATA);
    ck_assert_msg_contains(err, ":3:2: text 'abc' in column 'tenure'");
    ck_assert_int_eq(access(out, F_OK), -1);
    unlink(in);
    free(in);
    rmdir(dir);
    ck_model_free(m);
}
END_TEST

static Suite *score_suite(void)
{
    Suite *s = suite_create("score");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_scores_and_reasons);
    tcase_add_test(tc, test_contributions_are_linear_shap);
    tcase_add_test(tc, test_file_equals_in_memory);
    tcase_add_test(tc, test_headerless_input);
    tcase_add_test(tc, test_errors_leave_no_output);
    suite_add_tcase(s, tc);
    return s;
}

CK_TEST_MAIN(score_suite)
