/* The estimator interface: a toy estimator defined in this file alone is
 * registered, then trained, saved, loaded, scored with reasons, evaluated
 * and reported through the code the programs run; the table's checks and
 * the parameter errors. */
#include "testutil.h"

#include <math.h>

#include "churnkit/eval.h"
#include "churnkit/report.h"
#include "churnkit/score.h"
#include "churnkit/train.h"

/* ------------------------------------------------------------------ */
/* the toy: a constant probability, the (weighted) share of positives
 * shrunk toward one half by --toy-shrink */

enum { P_SHRINK };

static const ck_param toy_params[] = {
    {"toy-shrink", CK_PARAM_NUMBER, 0, 0, 1, NULL, "S", "toy_shrink",
     "shrink the share of positives toward one half"},
};

typedef struct toy {
    double p;       /* the probability */
    size_t rows;    /* a fit fact */
} toy;

static ck_status toy_fit(const ck_fit_input *in, void **state, ck_warnings *w, ck_error *err)
{
    const ck_dataset *ds = in->ds;
    double pos = 0, all = 0;
    (void)w;
    for (size_t i = 0; i < ds->n; i++) {
        size_t r = ds->rows[i];
        double wt = ds->weight ? ds->weight[r] : 1;
        pos += wt * (ds->y[r] == 1);
        all += wt;
    }
    toy *t = malloc(sizeof *t);
    if (!t)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    double s = in->param[P_SHRINK];
    t->p = (1 - s) * pos / all + s * 0.5;
    t->rows = ds->n;
    *state = t;
    return CK_OK;
}

static double toy_score(const void *state, const double *x, void *scratch)
{
    (void)x;
    (void)scratch;
    return ((const toy *)state)->p;
}

/* A constant's SHAP values are all zero. */
static void toy_contributions(const void *state, const ck_pipeline *pl, const double *x,
                              double *out, void *scratch)
{
    (void)state;
    (void)x;
    (void)scratch;
    for (size_t j = 0; j < pl->width; j++)
        out[j] = 0;
}

static ck_status toy_save(const void *state, const ck_model *m, json_t *root, json_t *fit,
                          ck_error *err)
{
    const toy *t = state;
    json_t *o = json_object();
    (void)m;
    (void)err;
    json_object_set_new(o, "probability", json_real(t->p));
    json_object_set_new(root, "toy", o);
    json_object_set_new(fit, "rows", json_integer((json_int_t)t->rows));
    return CK_OK;
}

static ck_status toy_load(void **state, const ck_model *m, json_t *root, json_t *fit,
                          ck_json_reader *rd)
{
    json_t *o;
    double p;
    (void)m;
    if (ck_json_get_object(rd, root, "toy", "toy", &o) != CK_OK ||
        ck_json_get_number(rd, o, "probability", "toy.probability", 0, &p) != CK_OK)
        return CK_EMODEL;
    if (!(p > 0 && p < 1))
        return ck_json_bad(rd, "toy.probability", "must lie strictly between 0 and 1");
    toy *t = malloc(sizeof *t);
    if (!t)
        return ck_error_set(rd->err, CK_ENOMEM, "out of memory");
    t->p = p;
    t->rows = (size_t)ck_json_optional_number(fit, "rows");
    *state = t;
    return CK_OK;
}

static void toy_report(FILE *out, const void *state, const ck_model *m)
{
    (void)m;
    fprintf(out, "Toy: constant probability %.4f\n", ((const toy *)state)->p);
}

static ck_status toy_terms(const void *state, const ck_model *m, ck_terms *out, ck_error *err)
{
    double p = ((const toy *)state)->p;
    (void)m;
    out->kind = "coefficients";
    out->title = "Coefficients";
    out->n = 1;
    if (!(out->term = malloc(sizeof *out->term)))
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    out->term[0] = (ck_term){.name = "(intercept)", .value = log(p / (1 - p)), .lo = NAN,
                             .hi = NAN, .p = NAN, .aux = NAN, .intercept = 1};
    return CK_OK;
}

static const ck_estimator_type toy_type = {
    .name = "toy",
    .help = "a constant probability (a test's estimator)",
    .tasks = CK_TASK_BIT(CK_TASK_CLASSIFICATION),
    .default_task = CK_TASK_CLASSIFICATION,
    .flags = CK_EST_CONTRIBUTIONS | CK_EST_CLASS_WEIGHTS,
    .params = toy_params,
    .nparams = 1,
    .fit = toy_fit,
    .score = toy_score,
    .contributions = toy_contributions,
    .save = toy_save,
    .load = toy_load,
    .report = toy_report,
    .terms = toy_terms,
    .free = free,
};

/* Registered once for the whole process (Check forks each test). */
static void register_toy(void)
{
    ck_error err;
    if (!ck_estimator_find("toy"))
        ck_assert_msg(ck_estimator_register(&toy_type, &err) == CK_OK, "%s", err.message);
}

static const char *DATA =
    "id,tenure,plan,minutes,churn\n"
    "a,1,basic,10,yes\nb,24,pro,200,no\nc,3,basic,15,yes\nd,36,team,300,no\n"
    "e,5,basic,,yes\nf,30,pro,250,no\ng,2,team,20,no\nh,40,basic,310,yes\n"
    "i,12,pro,120,no\nj,8,basic,60,yes\nk,20,team,180,no\nl,4,pro,25,yes\n"
    "m,9,pro,80,no\nn,15,team,140,no\no,6,basic,35,yes\np,28,pro,260,no\n";

static ck_table *read_text(const char *csv)
{
    char *path = ck_test_write(csv);
    ck_table *t;
    ck_error err;
    ck_assert_msg(ck_table_read_csv(&t, path, NULL, &err) == CK_OK, "%s", err.message);
    unlink(path);
    free(path);
    return t;
}

static ck_model *train_toy(const ck_table *t, const char *shrink)
{
    ck_train_options o;
    ck_model *m;
    ck_warnings w;
    ck_error err;
    ck_train_options_init(&o);
    ck_test_use(&o, "toy");
    ck_assert_msg(ck_train_options_set(&o, "toy-shrink", shrink, &err) == CK_OK, "%s",
                  err.message);
    o.label = "churn";
    o.id = "id";
    o.name = "const";
    o.cv = 4;
    o.test_fraction = 0.25;
    o.threshold_rule = CK_THRESHOLD_F1;
    ck_warnings_init(&w);
    ck_assert_msg(ck_train(t, &o, &m, &w, &err) == CK_OK, "%s", err.message);
    ck_warnings_fini(&w);
    return m;
}

START_TEST(test_toy_through_every_path)
{
    register_toy();
    ck_table *t = read_text(DATA);
    ck_model *m = train_toy(t, "0.5");
    ck_error err;
    /* trained on the 12 rows the stratified hold-out leaves (5 positive):
     * p = (1 - 0.5) 5/12 + 0.5 0.5 */
    double p = 0.5 * 5.0 / 12 + 0.25;
    ck_assert_ptr_eq(m->type, &toy_type);
    ck_assert_uint_eq(m->training.rows, 12);
    ck_assert(m->training.positives == 5);
    ck_assert(fabs(ck_model_score(m, NULL, NULL) - p) < 1e-15);
    ck_assert(m->has_cv && m->cv.folds == 4 && m->test.present && m->train.present);
    ck_assert(fabs(m->train.cls.roc_auc - 0.5) < 1e-12); /* a constant ranks nothing */

    /* saved and loaded: the same text both ways, the estimator's own part
     * and its recorded parameter in it */
    char *path = ck_test_write("");
    ck_assert_msg(ck_model_save(m, path, &err) == CK_OK, "%s", err.message);
    char *file = ck_test_slurp(path);
    ck_assert(strstr(file, "\"estimator\": \"toy\"") && strstr(file, "\"toy\": {") &&
              strstr(file, "\"toy_shrink\": 0.5") && strstr(file, "\"l2\": 0.0"));
    ck_model *back;
    ck_assert_msg(ck_model_load(&back, path, &err) == CK_OK, "%s", err.message);
    char *again = ck_model_to_json(back);
    ck_assert_str_eq(again, file);

    /* scored in the streaming pass with reasons */
    char *in = ck_test_write("id,tenure,plan,minutes\nx,3,pro,40\ny,,gold,\n");
    char *out = ck_test_write("");
    ck_score_options so;
    ck_score_options_init(&so);
    so.reasons = 2;
    ck_warnings w;
    ck_warnings_init(&w);
    ck_model *ms[] = {back};
    ck_assert_msg(ck_score(ms, 1, in, out, &so, NULL, &w, &err) == CK_OK, "%s", err.message);
    char *scores = ck_test_slurp(out);
    /* a constant's contributions are all zero: no feature moves it, so
     * the reason cells are empty */
    char head[160];
    snprintf(head, sizeof head, "id,const_prob,const_label,const_reason1,const_reason1_effect,"
                                "const_reason2,const_reason2_effect\nx,%.6f,yes,,,,\n", p);
    ck_assert_msg(strncmp(scores, head, strlen(head)) == 0, "%s", scores);
    ck_warnings_fini(&w);

    /* evaluated, with its terms in the JSON */
    ck_eval ev;
    const ck_model *em[] = {back};
    ck_assert_msg(ck_eval_models(&ev, em, 1, NULL, t, NULL, &err) == CK_OK, "%s", err.message);
    ck_assert(fabs(ev.entries[0].cls.roc_auc - 0.5) < 1e-12);
    json_t *j = ck_eval_to_json(&ev);
    json_t *e0 = json_array_get(json_object_get(j, "models"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(e0, "estimator")), "toy");
    ck_assert_uint_eq(json_array_size(json_object_get(e0, "coefficients")), 1);
    json_decref(j);

    /* reported: the estimator's own section under the common header */
    char *buf;
    size_t len;
    FILE *fp = open_memstream(&buf, &len);
    ck_report_model(fp, m);
    ck_report_eval(fp, &ev);
    fclose(fp);
    ck_assert_msg(strstr(buf, "Model 'const': toy classifier of 'churn'") &&
                      strstr(buf, "Toy: constant probability 0.4583") &&
                      strstr(buf, "CV (4 folds)"),
                  "%s", buf);
    free(buf);
    ck_eval_fini(&ev);
    unlink(path);
    unlink(in);
    unlink(out);
    free(path);
    free(in);
    free(out);
    free(file);
    free(again);
    free(scores);
    ck_model_free(back);
    ck_model_free(m);
    ck_table_free(t);
}
END_TEST

START_TEST(test_parameters_and_options)
{
    register_toy();
    ck_table *t = read_text(DATA);
    ck_model *m = train_toy(t, "0");
    /* no shrinking: the training share of positives, 5/12 */
    ck_assert(fabs(ck_model_score(m, NULL, NULL) - 5.0 / 12) < 1e-15);
    ck_model_free(m);
    ck_train_options o;
    ck_error err;
    ck_train_options_init(&o);
    ck_test_use(&o, "toy");
    /* a parameter of another estimator names the estimators that take it */
    ck_assert_int_eq(ck_train_options_set(&o, "l2", "1", &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "--l2 does not apply to --model toy; it is for --model "
                                "logistic, linear");
    ck_assert_int_eq(ck_train_options_set(&o, "toy-shrink", "2", &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "outside [0, 1]");
    ck_assert_int_eq(ck_train_options_set(&o, "nonsense", "2", &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "no estimator takes --nonsense");
    /* not distributable: refused with a reducer */
    ck_reducer red = {.size = 2};
    ck_model *out;
    o.label = "churn";
    o.reducer = &red;
    ck_assert_int_eq(ck_train(t, &o, &out, NULL, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "--model toy cannot be fitted across processes");
    /* a task it does not do */
    o.reducer = NULL;
    o.task = CK_TASK_REGRESSION;
    ck_assert_int_eq(ck_train(t, &o, &out, NULL, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "--model toy does not do regression");
    /* classifier options on a regression are errors, not dropped */
    ck_train_options_init(&o);
    ck_test_use(&o, "linear");
    o.label = "minutes";
    o.positive = "yes";
    ck_assert_int_eq(ck_train(t, &o, &out, NULL, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "are for classifiers");
    ck_table_free(t);
}
END_TEST

START_TEST(test_table_checks)
{
    register_toy();
    ck_error err;
    /* the name is taken */
    ck_assert_int_eq(ck_estimator_register(&toy_type, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "exists already");
    /* no fit */
    ck_estimator_type bad = toy_type;
    bad.name = "bad";
    bad.fit = NULL;
    ck_assert_int_eq(ck_estimator_register(&bad, &err), CK_EUSAGE);
    /* the contributions flag without the function */
    bad = toy_type;
    bad.name = "bad";
    bad.contributions = NULL;
    ck_assert_int_eq(ck_estimator_register(&bad, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "CK_EST_CONTRIBUTIONS");
    /* a default task it does not do */
    bad = toy_type;
    bad.name = "bad";
    bad.default_task = CK_TASK_REGRESSION;
    ck_assert_int_eq(ck_estimator_register(&bad, &err), CK_EUSAGE);
    /* survival without a curve, a curve without survival */
    bad = toy_type;
    bad.name = "bad";
    bad.tasks |= CK_TASK_BIT(CK_TASK_SURVIVAL);
    ck_assert_int_eq(ck_estimator_register(&bad, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "curve");
    bad = toy_type;
    bad.name = "bad";
    bad.curve = ck_estimator_find("cox")->curve;
    ck_assert_int_eq(ck_estimator_register(&bad, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "curve");
    /* the built-ins come first, the toy after; --help lists them all */
    char choices[200];
    ck_estimator_choices(choices, sizeof choices);
    ck_assert_str_eq(choices, "logistic|linear|svm|gbdt|cox|toy");
    char *buf;
    size_t len;
    FILE *fp = open_memstream(&buf, &len);
    ck_estimator_help(fp, 0);
    fclose(fp);
    ck_assert_msg(strstr(buf, "--toy-shrink S") && strstr(buf, "--svm-kernel rbf|linear") &&
                      strstr(buf, "(default 0; logistic, linear, cox)"),
                  "%s", buf);
    free(buf);
    /* an unknown estimator in a model file */
    ck_model *m;
    ck_assert_int_eq(ck_model_parse(&m, "{\"format\": \"churnkit-model\", \"version\": 1, "
                                        "\"name\": \"x\", \"task\": \"classification\", "
                                        "\"estimator\": \"forest\"}",
                                    "m.json", &err),
                     CK_EMODEL);
    ck_assert_msg_contains(err, "'forest', which this churnkit does not know");
}
END_TEST

START_TEST(test_builtin_tables_consistent)
{
    /* every built-in type passes the checks registration makes (a copy
     * under a new name, so that the name is free; registered types must
     * outlive their use, hence static) */
    enum { BUILTIN = 5 };
    static ck_estimator_type copy[BUILTIN];
    static char name[BUILTIN][32];
    for (size_t i = 0; i < BUILTIN; i++) {
        ck_error err;
        copy[i] = *ck_estimator_at(i);
        snprintf(name[i], sizeof name[i], "copy-%zu", i);
        copy[i].name = name[i];
        if (ck_estimator_find(name[i]))
            continue; /* a second run in one process */
        ck_assert_msg(ck_estimator_register(&copy[i], &err) == CK_OK, "%s: %s",
                      ck_estimator_at(i)->name, err.message);
        for (size_t k = 0; k < copy[i].nparams; k++) /* defaults of choices exist */
            if (copy[i].params[k].kind == CK_PARAM_CHOICE)
                ck_assert_ptr_nonnull(
                    copy[i].params[k].choices[(size_t)copy[i].params[k].def]);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("estimator");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_toy_through_every_path);
    tcase_add_test(tc, test_parameters_and_options);
    tcase_add_test(tc, test_table_checks);
    tcase_add_test(tc, test_builtin_tables_consistent);
    suite_add_tcase(s, tc);
    return s;
}

CK_TEST_MAIN(suite)
