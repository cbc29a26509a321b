/* Evaluation: verdicts, the majority warning, baselines, paired tests, the
 * same results from a model and from its scores, and the reports. */
#include "testutil.h"

#include <math.h>

#include "churnkit/eval.h"
#include "churnkit/html.h"
#include "churnkit/report.h"
#include "churnkit/score.h"
#include "churnkit/str.h"
#include "churnkit/train.h"

#define PUB CK_TEST_DATA "/public/"

static ck_table *read_table(const char *path)
{
    ck_table *t;
    ck_error err;
    ck_assert_msg(ck_table_read_csv(&t, path, NULL, &err) == CK_OK, "%s", err.message);
    return t;
}

static ck_model *train(const ck_table *t, const char *label, const char *features,
                       const char *name, const char *e)
{
    ck_train_options o;
    ck_train_options_init(&o);
    o.label = label;
    o.name = name;
    ck_test_use(&o, e);
    if (strcmp(e, "logistic") == 0)
        ck_test_param(&o, "l2", 1);
    char **fv = NULL;
    size_t nf = 0;
    if (features) {
        fv = ck_split_list(features, &nf);
        o.pipeline.features = (const char *const *)fv;
        o.pipeline.nfeatures = nf;
    }
    ck_model *m;
    ck_warnings w;
    ck_error err;
    ck_warnings_init(&w);
    ck_assert_msg(ck_train(t, &o, &m, &w, &err) == CK_OK, "%s", err.message);
    ck_warnings_fini(&w);
    ck_strv_free(fv);
    return m;
}

START_TEST(test_verdict_and_majority_warning)
{
    ck_table *tr = read_table(PUB "mlc_churn.train.csv"), *te = read_table(PUB "mlc_churn.test.csv");
    ck_model *m = train(tr, "churn", NULL, "lr", "logistic");
    ck_model *legacy = train(tr, "churn", "total_day_minutes,number_customer_service_calls",
                             "legacy", "logistic");
    ck_eval ev;
    ck_error err;
    const ck_model *ms[] = {m};
    ck_assert_msg(ck_eval_models(&ev, ms, 1, legacy, te, NULL, &err) == CK_OK, "%s", err.message);
    /* 85.9% of the test rows are 'no': the majority meets 0.85 by itself */
    ck_assert(fabs(ev.majority.accuracy - 0.859) < 1e-12);
    ck_assert(ev.majority_meets_target);
    ck_assert(fabs(ev.majority.roc_auc - 0.5) < 1e-12);
    const ck_eval_entry *e = &ev.entries[0];
    ck_assert_int_eq(e->pass, e->cls.accuracy >= 0.85);
    ck_assert_int_eq(e->confirmed, e->cls.accuracy_lo >= 0.85);
    ck_assert(e->compared);
    ck_assert(e->delong.diff > 0.05 && e->delong.p_value < 0.01); /* more than the legacy */
    ck_assert(fabs(e->delong.diff - (e->cls.roc_auc - ev.baseline->cls.roc_auc)) < 1e-12);
    /* the text report says it plainly */
    char *buf;
    size_t len;
    FILE *fp = open_memstream(&buf, &len);
    ck_report_eval(fp, &ev);
    fclose(fp);
    ck_assert(strstr(buf, "accuracy is no evidence of skill") != NULL);
    ck_assert(strstr(buf, "Target: accuracy >= 0.850") != NULL);
    ck_assert(strstr(buf, "DeLong") != NULL);
    free(buf);
    /* and the JSON */
    json_t *j = ck_eval_to_json(&ev);
    ck_assert(json_is_true(json_object_get(json_object_get(j, "target"), "majority_meets_target")));
    json_t *m0 = json_array_get(json_object_get(j, "models"), 0);
    ck_assert_ptr_nonnull(json_object_get(m0, "vs_baseline"));
    ck_assert_ptr_nonnull(json_object_get(m0, "coefficients"));
    ck_assert_int_eq(json_array_size(json_object_get(json_object_get(m0, "metrics"), "gains")), 10);
    json_decref(j);
    ck_eval_fini(&ev);
    ck_model_free(m);
    ck_model_free(legacy);
    ck_table_free(tr);
    ck_table_free(te);
}
END_TEST

START_TEST(test_target_miss_and_pass)
{
    /* a target of 0.5 is met, 0.99 missed; all_pass follows */
    ck_table *tr = read_table(PUB "attrition.train.csv"), *te = read_table(PUB "attrition.test.csv");
    ck_model *m = train(tr, "Attrition", NULL, "lr", "logistic");
    const ck_model *ms[] = {m};
    ck_eval ev;
    ck_error err;
    ck_eval_options o;
    ck_eval_options_init(&o);
    o.target = 0.5;
    ck_assert_int_eq(ck_eval_models(&ev, ms, 1, NULL, te, &o, &err), CK_OK);
    ck_assert(ev.entries[0].pass && ev.entries[0].confirmed && ck_eval_all_pass(&ev));
    ck_assert(ev.majority_meets_target);
    ck_eval_fini(&ev);
    o.target = 0.99;
    ck_assert_int_eq(ck_eval_models(&ev, ms, 1, NULL, te, &o, &err), CK_OK);
    ck_assert(!ev.entries[0].pass && !ck_eval_all_pass(&ev) && !ev.majority_meets_target);
    ck_eval_fini(&ev);
    ck_model_free(m);
    ck_table_free(tr);
    ck_table_free(te);
}
END_TEST

START_TEST(test_scores_file_gives_same_metrics)
{
    ck_table *tr = read_table(PUB "mlc_churn.train.csv");
    ck_model *m = train(tr, "churn", NULL, "lr", "logistic");
    /* score with full precision, then evaluate the score column */
    ck_score_options so;
    ck_score_options_init(&so);
    so.decimals = 9;
    char *out = ck_test_write("");
    ck_error err;
    ck_model *ms[] = {m};
    ck_assert_int_eq(ck_score(ms, 1, PUB "mlc_churn.test.csv", out, &so, NULL, NULL, &err), CK_OK);
    /* paste the label on: build a table with both */
    ck_table *te = read_table(PUB "mlc_churn.test.csv"), *sc = read_table(out);
    ck_table *both = ck_table_new(te->nrows, "both");
    size_t jl, jp;
    ck_assert_int_eq(ck_table_require(te, "churn", &jl, &err), CK_OK);
    ck_assert_int_eq(ck_table_require(sc, "lr_prob", &jp, &err), CK_OK);
    const char **lab = malloc(te->nrows * sizeof *lab);
    for (size_t i = 0; i < te->nrows; i++)
        lab[i] = ck_table_text(te, jl, i);
    ck_assert_int_eq(ck_table_add_text(both, "churn", lab, &err), CK_OK);
    ck_assert_int_eq(ck_table_add_numeric(both, "lr_prob", sc->col[jp].num, &err), CK_OK);
    const char *cols[] = {"lr_prob"};
    ck_eval a, b;
    ck_assert_int_eq(ck_eval_scores(&a, both, "churn", NULL, cols, 1, 0, 0.5, NULL, &err), CK_OK);
    const ck_model *cm[] = {m};
    ck_assert_int_eq(ck_eval_models(&b, cm, 1, NULL, te, NULL, &err), CK_OK);
    ck_assert(fabs(a.entries[0].cls.roc_auc - b.entries[0].cls.roc_auc) < 1e-6);
    ck_assert(fabs(a.entries[0].cls.accuracy - b.entries[0].cls.accuracy) < 1e-12);
    ck_eval_fini(&a);
    ck_eval_fini(&b);
    free(lab);
    ck_table_free(both);
    ck_table_free(sc);
    ck_table_free(te);
    ck_model_free(m);
    ck_table_free(tr);
    unlink(out);
    free(out);
}
END_TEST

START_TEST(test_regression_eval)
{
    ck_table *t = read_table(CK_TEST_DATA "/../fixtures/estimators/regression.csv");
    ck_model *m = train(t, "value_change", NULL, "lin", "linear");
    const ck_model *ms[] = {m};
    ck_eval ev;
    ck_error err;
    ck_assert_int_eq(ck_eval_models(&ev, ms, 1, NULL, t, NULL, &err), CK_OK);
    ck_assert_int_eq(ev.task, CK_TASK_REGRESSION);
    ck_assert(isnan(ev.target));
    /* in-sample R^2 of OLS equals the fit's; the mean baseline has R^2 0 */
    ck_assert(fabs(ev.entries[0].reg.r2 - m->train.reg.r2) < 1e-9);
    ck_assert(fabs(ev.mean_base.r2) < 1e-9);
    ck_assert(ev.entries[0].reg.rmse < ev.mean_base.rmse);
    char *buf;
    size_t len;
    FILE *fp = open_memstream(&buf, &len);
    ck_report_html(fp, &ev);
    fclose(fp);
    ck_assert(strstr(buf, "id=\"scatter-0\"") != NULL);
    ck_assert(strstr(buf, "id=\"coefficients-0\"") != NULL);
    free(buf);
    ck_eval_fini(&ev);
    ck_model_free(m);
    ck_table_free(t);
}
END_TEST

START_TEST(test_eval_errors)
{
    ck_table *tr = read_table(PUB "mlc_churn.train.csv"), *at = read_table(PUB "attrition.train.csv");
    ck_model *a = train(tr, "churn", NULL, "a", "logistic");
    ck_model *b = train(at, "Attrition", NULL, "b", "logistic");
    const ck_model *ms[] = {a, b};
    ck_eval ev;
    ck_error err;
    ck_assert_int_eq(ck_eval_models(&ev, ms, 2, NULL, tr, NULL, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "predict different labels");
    ck_assert_int_eq(ck_eval_models(&ev, ms + 1, 1, NULL, tr, NULL, &err), CK_EDATA);
    ck_assert_msg_contains(err, "no column 'Attrition'");
    char *path = ck_test_write("y,p\nyes,0.2\nno,1.5\n");
    ck_table *t = read_table(path);
    const char *cols[] = {"p"};
    ck_assert_int_eq(ck_eval_scores(&ev, t, "y", NULL, cols, 1, 0, 0.5, NULL, &err), CK_EDATA);
    ck_assert_msg_contains(err, ":3:2: the probability 'p' is 1.5, outside [0, 1]");
    ck_table_free(t);
    unlink(path);
    free(path);
    ck_model_free(a);
    ck_model_free(b);
    ck_table_free(tr);
    ck_table_free(at);
}
END_TEST

static Suite *eval_suite(void)
{
    Suite *s = suite_create("eval");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_verdict_and_majority_warning);
    tcase_add_test(tc, test_target_miss_and_pass);
    tcase_add_test(tc, test_scores_file_gives_same_metrics);
    tcase_add_test(tc, test_regression_eval);
    tcase_add_test(tc, test_eval_errors);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}

CK_TEST_MAIN(eval_suite)
