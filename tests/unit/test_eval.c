/* Evaluation: verdicts, the majority warning, baselines, paired tests, the
 * same results from a model and from its scores, and the reports; survival
 * models (concordance, metrics at horizons, the mean predicted curve, the
 * null model) checked against the functions they are made of, called
 * directly; mixed runs (a survival model judged as a classifier of a
 * horizon label); generic targets. */
#include "testutil.h"

#include <math.h>

#include "churnkit/cox.h"
#include "churnkit/eval.h"
#include "churnkit/eval_surv.h"
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
    ck_assert_msg(ck_eval_models(&ev, ms, 1, legacy, te, NULL, &err) == CK_OK, "%s",
                  err.message);
    /* 85.9% of the test rows are 'no': the majority meets 0.85 by itself */
    ck_assert(fabs(ev.majority.accuracy - 0.859) < 1e-12);
    ck_assert(ev.baseline_meets_target);
    ck_assert(fabs(ev.majority.roc_auc - 0.5) < 1e-12);
    const ck_eval_entry *e = &ev.entries[0];
    /* met, but not a PASS (nor confirmed) when the majority meets it too */
    ck_assert(e->cls.accuracy >= 0.85);
    ck_assert(e->met && !e->pass && !e->confirmed);
    ck_assert(fabs(e->value - e->cls.accuracy) < 1e-15);
    ck_assert(!ck_eval_all_pass(&ev) && !ck_eval_any_missed(&ev));
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
    ck_assert(strstr(buf, "MET, but so does the majority class alone") != NULL);
    ck_assert(strstr(buf, "PASS") == NULL);
    ck_assert(strstr(buf, "DeLong") != NULL);
    free(buf);
    /* and the JSON */
    json_t *j = ck_eval_to_json(&ev);
    json_t *tg = json_object_get(j, "target");
    ck_assert(json_is_true(json_object_get(tg, "majority_meets_target")));
    ck_assert(json_is_true(json_object_get(tg, "baseline_meets_target")));
    ck_assert(json_is_false(json_object_get(tg, "all_pass")));
    ck_assert_str_eq(json_string_value(json_object_get(tg, "metric")), "accuracy");
    ck_assert_str_eq(json_string_value(json_object_get(tg, "op")), ">=");
    ck_assert(json_real_value(json_object_get(tg, "value")) == 0.85);
    ck_assert(json_real_value(json_object_get(tg, "accuracy")) == 0.85);
    json_t *m0 = json_array_get(json_object_get(j, "models"), 0);
    json_t *v = json_object_get(m0, "verdict");
    ck_assert(json_is_false(json_object_get(v, "pass")) && json_is_true(json_object_get(v, "met")));
    ck_assert(json_is_false(json_object_get(v, "confirmed")));
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
    o.target.value = 0.5; /* the majority meets it: met, no evidence, no miss */
    ck_assert_int_eq(ck_eval_models(&ev, ms, 1, NULL, te, &o, &err), CK_OK);
    ck_assert(ev.entries[0].met && !ev.entries[0].pass && !ck_eval_all_pass(&ev));
    ck_assert(ev.baseline_meets_target && !ck_eval_any_missed(&ev));
    ck_eval_fini(&ev);
    o.target.value = 0.99;
    ck_assert_int_eq(ck_eval_models(&ev, ms, 1, NULL, te, &o, &err), CK_OK);
    ck_assert(!ev.entries[0].pass && !ck_eval_all_pass(&ev) && !ev.baseline_meets_target);
    ck_assert(ck_eval_any_missed(&ev));
    ck_eval_fini(&ev);
    /* a target the majority class does not meet (its AUC is 0.5): a PASS,
     * never confirmed, as the metrics hold no interval of roc_auc */
    ck_assert_int_eq(ck_eval_target_parse(&o.target, "roc_auc>=0.6", &err), CK_OK);
    ck_assert_int_eq(ck_eval_models(&ev, ms, 1, NULL, te, &o, &err), CK_OK);
    ck_assert(ev.entries[0].cls.roc_auc >= 0.6 && !ev.baseline_meets_target);
    ck_assert(ev.entries[0].pass && !ev.entries[0].confirmed && ck_eval_all_pass(&ev));
    ck_assert(!ev.target_interval && isnan(ev.entries[0].lo));
    json_t *j = ck_eval_to_json(&ev);
    json_t *v = json_object_get(json_array_get(json_object_get(j, "models"), 0), "verdict");
    ck_assert(json_is_null(json_object_get(v, "confirmed")));
    ck_assert_ptr_null(json_object_get(json_object_get(j, "target"), "accuracy"));
    json_decref(j);
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
    ck_assert(isnan(ev.target.value)); /* no default target for a regression */
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
    /* another table: every missing column listed, the label too */
    ck_assert_msg_contains(err, "the table does not look like the data model 'b' was trained "
                                "on (attrition.train.csv): it lacks 31 of the 31 columns");
    ck_assert_msg_contains(err, "'YearsWithCurrManager' and 'Attrition'");
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

/* ------------------------------------------------------------------ */
/* survival */

/* A small world, made by hand: n accounts with a risk feature x and a
 * noise feature z; the hazard is 0.08 exp(x) a month, so the month of churn
 * is ceil(-log(u) / hazard) (whole months, with ties), and everybody not
 * churned before month `follow` is censored there.  The 3-month label
 * churned_3m is the churn by month 3 -- defined for every row, as nobody is
 * censored before month `follow` >= 3.  Flags: EARLY, a third of the rows
 * also leave the data at a random month (censored then, when they have not
 * churned before; churned_3m is then not the truth); PERFECT, x = -time, so
 * the risk order matches the times exactly; CONTINUOUS, times not rounded
 * up to whole months.  Deterministic (its own LCG). */
enum { EARLY = 1, PERFECT = 2, CONTINUOUS = 4 };

static ck_table *world(size_t n, unsigned seed, double follow, int flags)
{
    double *x = malloc(n * sizeof *x), *z = malloc(n * sizeof *z);
    double *time = malloc(n * sizeof *time), *event = malloc(n * sizeof *event);
    double *c3 = malloc(n * sizeof *c3);
    unsigned long long r = seed * 2654435761ull + 1;
    for (size_t i = 0; i < n; i++) {
        double u[5];
        for (int k = 0; k < 5; k++) {
            r = r * 6364136223846793005ull + 1442695040888963407ull;
            u[k] = ((double)(r >> 11) + 0.5) / 9007199254740992.0;
        }
        x[i] = 2 * u[0] - 1;
        z[i] = u[1];
        double t = -log(u[2]) / (0.08 * exp(2 * x[i]));
        t = flags & CONTINUOUS ? t : ceil(t);
        double c = flags & EARLY && u[3] < 1.0 / 3 ? ceil(u[4] * follow) : follow;
        event[i] = t < follow && t <= c; /* a churn in the month the data ends is seen */
        time[i] = event[i] ? t : c;
        if (flags & PERFECT) /* a churn at month t never shares it with a censored row */
            x[i] = -time[i] - 0.01 * z[i];
        c3[i] = event[i] && time[i] <= 3;
    }
    ck_table *t = ck_table_new(n, "world.csv");
    ck_error err;
    ck_assert(ck_table_add_numeric(t, "x", x, &err) == CK_OK);
    ck_assert(ck_table_add_numeric(t, "z", z, &err) == CK_OK);
    ck_assert(ck_table_add_numeric(t, "time", time, &err) == CK_OK);
    ck_assert(ck_table_add_numeric(t, "event", event, &err) == CK_OK);
    ck_assert(ck_table_add_numeric(t, "churned_3m", c3, &err) == CK_OK);
    free(x);
    free(z);
    free(time);
    free(event);
    free(c3);
    return t;
}

static ck_model *train_cox(const ck_table *t, const char *features, const char *name)
{
    ck_train_options o;
    ck_train_options_init(&o);
    ck_test_use(&o, "cox");
    ck_test_param(&o, "l2", 0.5); /* finite even when x orders the times perfectly */
    o.label = "time";
    o.event = "event";
    o.name = name;
    char **fv = ck_split_list(features, &o.pipeline.nfeatures);
    o.pipeline.features = (const char *const *)fv;
    ck_model *m;
    ck_warnings w;
    ck_error err;
    ck_warnings_init(&w);
    ck_assert_msg(ck_train(t, &o, &m, &w, &err) == CK_OK, "%s", err.message);
    ck_warnings_fini(&w);
    ck_strv_free(fv);
    ck_assert_int_eq(m->task, CK_TASK_SURVIVAL);
    return m;
}

static const double *numbers(const ck_table *t, const char *name)
{
    size_t j;
    ck_error err;
    ck_assert_msg(ck_table_require(t, name, &j, &err) == CK_OK, "%s", err.message);
    return t->col[j].num;
}

/* eta of every row of t, as ck_eval scores it. */
static double *linear_predictors(const ck_model *m, const ck_table *t)
{
    size_t *rows = malloc(t->nrows * sizeof *rows);
    double *eta = malloc(t->nrows * sizeof *eta);
    ck_error err;
    for (size_t i = 0; i < t->nrows; i++)
        rows[i] = i;
    ck_assert(ck_model_score_table(m, t, rows, t->nrows, 1, eta, &err) == CK_OK);
    free(rows);
    return eta;
}

START_TEST(test_survival_equals_its_parts)
{
    ck_table *tr = world(400, 1, 10, 0), *te = world(300, 2, 10, EARLY);
    ck_model *m = train_cox(tr, "x,z", "cox");
    const ck_model *ms[] = {m};
    ck_eval ev;
    ck_error err;
    ck_warnings w;
    ck_warnings_init(&w);
    ck_eval_options o;
    ck_eval_options_init(&o);
    o.warnings = &w;
    ck_assert_msg(ck_eval_models(&ev, ms, 1, NULL, te, &o, &err) == CK_OK, "%s", err.message);
    ck_assert_int_eq(w.n, 0); /* both horizons inside the data's and the model's follow-up */
    ck_assert_int_eq(ev.task, CK_TASK_SURVIVAL);
    ck_assert(isnan(ev.target.value)); /* no default target for survival */
    ck_assert_int_eq(ev.nhorizons, 2);
    ck_assert(ev.horizon_list[0] == 3 && ev.horizon_list[1] == 6);
    const double *time = numbers(te, "time"), *event = numbers(te, "event");
    double *eta = linear_predictors(m, te), *risk = malloc(te->nrows * sizeof *risk);
    size_t events = 0;
    for (size_t i = 0; i < te->nrows; i++)
        events += event[i] == 1;
    ck_assert_int_eq(ev.n_pos, events);
    const ck_eval_entry *e = &ev.entries[0];
    /* the concordance is ck_cox_concordance's on the same eta */
    ck_concordance c;
    ck_assert(ck_cox_concordance(time, event, NULL, eta, te->nrows, &c, &err) == CK_OK);
    ck_assert(e->surv.conc.concordance == c.concordance && e->surv.conc.concordance_se == c.se);
    ck_assert(c.concordance > 0.6); /* x drives the hazard */
    ck_assert(fabs(e->surv.conc.concordance_lo - (c.concordance - 1.959963984540054 * c.se)) <
              1e-15);
    /* each horizon's numbers are ck_surv_horizon_metrics' on 1 - S(h) */
    const ck_ph_curve *curve = ck_model_curve(m);
    for (size_t k = 0; k < ev.nhorizons; k++) {
        double h = ev.horizon_list[k];
        for (size_t i = 0; i < te->nrows; i++)
            risk[i] = 1 - ck_ph_survival(curve, eta[i], h);
        ck_surv_horizon want;
        ck_assert(ck_surv_horizon_metrics(time, event, NULL, risk, te->nrows, h, NULL, &want,
                                          &err) == CK_OK);
        const ck_surv_horizon *got = &e->surv.h[k];
        ck_assert(got->auc == want.auc && got->brier == want.brier);
        ck_assert(got->brier_null == want.brier_null && got->mean_pred == want.mean_pred);
        ck_assert(got->cases == want.cases && got->controls == want.controls);
        ck_assert_int_eq(got->ngroups, want.ngroups);
        for (size_t g = 0; g < want.ngroups; g++)
            ck_assert(got->pred[g] == want.pred[g] && got->obs[g] == want.obs[g] &&
                      got->obs_lo[g] == want.obs_lo[g] && got->count[g] == want.count[g]);
        ck_assert(want.auc > 0.6);
        /* the data's censorings weigh: in months with churns too, so that
         * sksurv's weighting 1 / G(T) would give another Brier score */
        ck_surv_options so;
        ck_surv_options_init(&so);
        so.ipcw = CK_IPCW_AT;
        ck_surv_horizon at;
        ck_assert(ck_surv_horizon_metrics(time, event, NULL, risk, te->nrows, h, &so, &at,
                                          &err) == CK_OK);
        ck_assert(fabs(at.brier - want.brier) > 1e-6);
        /* the null model: everybody the same risk */
        const ck_surv_horizon *null = &ev.null.h[k];
        ck_assert(null->auc == 0.5);
        ck_assert(fabs(null->brier - want.brier_null) < 1e-12);
        ck_assert_int_eq(null->ngroups, 1);
    }
    ck_assert(ev.null.conc.concordance == 0.5);
    /* the mean predicted curve is the mean of ck_ph_survival at each grid time,
     * the grid 0 and the Kaplan-Meier step times */
    ck_assert(ev.grid[0] == 0 && ev.ngrid == ev.km.ntimes + 1);
    for (size_t g = 0; g < ev.ngrid; g++) {
        double sum = 0;
        for (size_t i = 0; i < te->nrows; i++)
            sum += ck_ph_survival(curve, eta[i], ev.grid[g]);
        ck_assert(fabs(e->surv.mean_surv[g] - sum / (double)te->nrows) < 1e-12);
        if (g)
            ck_assert(ev.grid[g] == ev.km.time[g - 1]);
    }
    ck_assert(e->surv.mean_surv[0] == 1);
    /* the JSON carries the same numbers under the documented keys */
    json_t *j = ck_eval_to_json(&ev);
    json_t *mj = json_object_get(json_array_get(json_object_get(j, "models"), 0), "metrics");
    ck_assert(json_real_value(json_object_get(mj, "concordance")) == c.concordance);
    ck_assert(json_real_value(json_object_get(mj, "auc_6m")) == e->surv.h[1].auc);
    ck_assert(json_real_value(json_object_get(mj, "brier_3m")) == e->surv.h[0].brier);
    ck_assert(json_real_value(json_object_get(mj, "brier_skill_3m")) ==
              1 - e->surv.h[0].brier / e->surv.h[0].brier_null);
    ck_assert(json_integer_value(json_object_get(mj, "cases_3m")) ==
              (json_int_t)e->surv.h[0].cases);
    json_t *nj = json_object_get(json_object_get(j, "baselines"), "null");
    ck_assert(json_real_value(json_object_get(nj, "auc_3m")) == 0.5);
    json_t *km = json_object_get(j, "kaplan_meier");
    ck_assert_int_eq(json_array_size(json_object_get(km, "time")), ev.km.ntimes);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "label"), "event")),
                     "event");
    json_decref(j);
    /* the reports */
    char *buf;
    size_t len;
    FILE *fp = open_memstream(&buf, &len);
    ck_report_eval(fp, &ev);
    fclose(fp);
    ck_assert(strstr(buf, "concordance (Harrell)") && strstr(buf, "Calibration at 6 months"));
    ck_assert(strstr(buf, "null model") && !strstr(buf, "Target:"));
    free(buf);
    fp = open_memstream(&buf, &len);
    ck_report_html(fp, &ev);
    fclose(fp);
    ck_assert(strstr(buf, "id=\"survival\"") && strstr(buf, "id=\"calibration-3m\"") &&
              strstr(buf, "id=\"calibration-6m\"") && strstr(buf, "id=\"summary\""));
    free(buf);
    free(eta);
    free(risk);
    ck_eval_fini(&ev);
    ck_warnings_fini(&w);
    ck_model_free(m);
    ck_table_free(tr);
    ck_table_free(te);
}
END_TEST

START_TEST(test_mean_curve_on_a_spread_grid)
{
    /* continuous times: over CK_EVAL_GRID_MAX distinct churn times, so the
     * grid takes that many of them, evenly spread, the first and last kept */
    ck_table *tr = world(400, 1, 10, CONTINUOUS), *te = world(900, 5, 10, CONTINUOUS | EARLY);
    ck_model *m = train_cox(tr, "x,z", "cox");
    const ck_model *ms[] = {m};
    ck_eval ev;
    ck_error err;
    ck_assert_msg(ck_eval_models(&ev, ms, 1, NULL, te, NULL, &err) == CK_OK, "%s", err.message);
    ck_assert_uint_gt(ev.km.ntimes, CK_EVAL_GRID_MAX);
    ck_assert_uint_eq(ev.ngrid, CK_EVAL_GRID_MAX + 1);
    ck_assert(ev.grid[0] == 0 && ev.grid[1] == ev.km.time[0] &&
              ev.grid[ev.ngrid - 1] == ev.km.time[ev.km.ntimes - 1]);
    double *eta = linear_predictors(m, te);
    const ck_ph_curve *curve = ck_model_curve(m);
    for (size_t g = 1; g < ev.ngrid; g++) {
        ck_assert(ev.grid[g] > ev.grid[g - 1]);
        double sum = 0;
        for (size_t i = 0; i < te->nrows; i++)
            sum += ck_ph_survival(curve, eta[i], ev.grid[g]);
        ck_assert(fabs(ev.entries[0].surv.mean_surv[g] - sum / (double)te->nrows) < 1e-12);
        ck_assert(ev.entries[0].surv.mean_surv[g] <= ev.entries[0].surv.mean_surv[g - 1]);
    }
    free(eta);
    ck_eval_fini(&ev);
    ck_model_free(m);
    ck_table_free(tr);
    ck_table_free(te);
}
END_TEST

START_TEST(test_perfect_order_gives_auc_1)
{
    ck_table *t = world(200, 3, 10, PERFECT);
    ck_model *m = train_cox(t, "x", "perfect");
    const ck_model *ms[] = {m};
    ck_eval ev;
    ck_error err;
    ck_eval_options o;
    ck_eval_options_init(&o);
    o.nhorizons = 3;
    o.horizon[0] = 2;
    o.horizon[1] = 3;
    o.horizon[2] = 6;
    ck_assert_msg(ck_eval_models(&ev, ms, 1, NULL, t, &o, &err) == CK_OK, "%s",
                  err.message);
    ck_assert(ev.entries[0].surv.conc.concordance == 1);
    for (size_t k = 0; k < 3; k++) {
        ck_assert(ev.entries[0].surv.h[k].cases > 0 && ev.entries[0].surv.h[k].controls > 0);
        ck_assert_msg(ev.entries[0].surv.h[k].auc == 1, "AUC at %g is %g", o.horizon[k],
                      ev.entries[0].surv.h[k].auc);
    }
    ck_eval_fini(&ev);
    ck_model_free(m);
    ck_table_free(t);
}
END_TEST

/* The horizon equal to the data's follow-up (10 months): every row not
 * churned by then is censored at 10, G(10) = 0, yet the label "churned by
 * 10" is known for every row -- the rows censored at 10 paid month 10 --
 * and the metrics are measured: with nobody censored earlier (G(10-) = 1)
 * they are the plain AUC and Brier score of that label, as a classifier's
 * would be, and the null model's Brier score is S (1 - S).  With early
 * censorings too the horizon is measured, the null model still S (1 - S). */
START_TEST(test_survival_at_follow_up)
{
    ck_table *tr = world(400, 1, 10, 0), *te = world(300, 2, 10, 0);
    ck_table *early = world(300, 6, 10, EARLY);
    ck_model *m = train_cox(tr, "x,z", "cox");
    const ck_model *ms[] = {m};
    ck_eval ev;
    ck_error err;
    ck_warnings w;
    ck_warnings_init(&w);
    ck_eval_options o;
    ck_eval_options_init(&o);
    o.warnings = &w;
    o.nhorizons = 2;
    o.horizon[0] = 3;
    o.horizon[1] = 10;
    ck_assert_msg(ck_eval_models(&ev, ms, 1, NULL, te, &o, &err) == CK_OK, "%s", err.message);
    ck_assert_int_eq(w.n, 0); /* 10 is also the model's follow-up: no extrapolation */
    const double *time = numbers(te, "time"), *event = numbers(te, "event");
    double *risk = linear_predictors(m, te);
    int *y = malloc(te->nrows * sizeof *y);
    const ck_ph_curve *curve = ck_model_curve(m);
    double brier = 0, at10 = 0;
    size_t n = te->nrows, cases = 0;
    for (size_t i = 0; i < n; i++) {
        ck_assert(time[i] <= 10 && (time[i] == 10) == (event[i] == 0)); /* the premise */
        risk[i] = 1 - ck_ph_survival(curve, risk[i], 10);
        y[i] = event[i] == 1;
        cases += (size_t)y[i];
        at10 += time[i] == 10;
        brier += (y[i] - risk[i]) * (y[i] - risk[i]);
    }
    brier /= (double)n;
    double s = at10 / (double)n;
    ck_assert(at10 > 50 && cases > 50);
    const ck_surv_horizon *h = &ev.entries[0].surv.h[1], *null = &ev.null.h[1];
    ck_assert(h->t == 10 && h->cens_t == 0 && h->cens_left == 1);
    ck_assert_uint_eq(h->cases, cases);
    ck_assert_uint_eq(h->controls, n - cases);
    ck_assert_double_eq_tol(h->auc, ck_metrics_auc(y, risk, n), 1e-12);
    ck_assert(h->auc > 0.6);
    ck_assert_double_eq_tol(h->brier, brier, 1e-12);
    ck_assert_double_eq_tol(h->surv_km, s, 1e-15);
    ck_assert_double_eq_tol(h->brier_null, s * (1 - s), 1e-12);
    ck_assert_double_eq_tol(null->brier, s * (1 - s), 1e-12);
    ck_assert(null->auc == 0.5);
    /* the JSON reports it under the horizon's keys */
    json_t *j = ck_eval_to_json(&ev);
    json_t *mj = json_object_get(json_array_get(json_object_get(j, "models"), 0), "metrics");
    ck_assert(json_real_value(json_object_get(mj, "auc_10m")) == h->auc);
    ck_assert(json_real_value(json_object_get(mj, "brier_10m")) == h->brier);
    json_decref(j);
    ck_eval_fini(&ev);
    /* early censorings: measured, the null model exactly S (1 - S) */
    ck_assert_msg(ck_eval_models(&ev, ms, 1, NULL, early, &o, &err) == CK_OK, "%s",
                  err.message);
    null = &ev.null.h[1];
    ck_assert(null->cens_t == 0 && null->cens_left > 0 && null->cens_left < 1);
    ck_assert(null->cases > 0 && null->controls > 0);
    ck_assert_double_eq_tol(null->brier, null->surv_km * (1 - null->surv_km), 1e-12);
    ck_assert(ev.entries[0].surv.h[1].auc > 0.6);
    ck_eval_fini(&ev);
    ck_warnings_fini(&w);
    free(risk);
    free(y);
    ck_model_free(m);
    ck_table_free(tr);
    ck_table_free(te);
    ck_table_free(early);
}
END_TEST

START_TEST(test_survival_targets)
{
    ck_table *tr = world(400, 1, 10, 0), *te = world(300, 2, 10, 0);
    ck_model *m = train_cox(tr, "x,z", "cox");
    const ck_model *ms[] = {m};
    ck_eval ev;
    ck_error err;
    ck_eval_options o;
    ck_eval_options_init(&o);
    /* concordance >= 0.5 is met, but the null model's 0.5 meets it too: no
     * evidence, no PASS; >= 0.55 the null model misses: a PASS */
    ck_assert_int_eq(ck_eval_target_parse(&o.target, "concordance>=0.5", &err), CK_OK);
    ck_assert_int_eq(ck_eval_models(&ev, ms, 1, NULL, te, &o, &err), CK_OK);
    ck_assert(ev.baseline_meets_target && ev.entries[0].met && !ev.entries[0].pass);
    ck_eval_fini(&ev);
    ck_assert_int_eq(ck_eval_target_parse(&o.target, "concordance>=0.55", &err), CK_OK);
    ck_assert_int_eq(ck_eval_models(&ev, ms, 1, NULL, te, &o, &err), CK_OK);
    const ck_eval_entry *e = &ev.entries[0];
    ck_assert(!ev.baseline_meets_target && ev.target_interval && e->pass);
    ck_assert(e->value == e->surv.conc.concordance && e->lo == e->surv.conc.concordance_lo);
    ck_assert_int_eq(e->confirmed, e->surv.conc.concordance_lo >= 0.55);
    ck_eval_fini(&ev);
    /* <=: the upper end confirms */
    ck_assert_int_eq(ck_eval_target_parse(&o.target, "concordance<=0.99", &err), CK_OK);
    ck_assert_int_eq(ck_eval_models(&ev, ms, 1, NULL, te, &o, &err), CK_OK);
    e = &ev.entries[0];
    ck_assert(ev.baseline_meets_target && !e->pass && !e->confirmed); /* 0.5 <= 0.99 */
    ck_eval_fini(&ev);
    /* brier_3m <= 1 is met by the null model too; auc_3m >= 0.999 missed */
    ck_assert_int_eq(ck_eval_target_parse(&o.target, "brier_3m<=1", &err), CK_OK);
    ck_assert_int_eq(ck_eval_models(&ev, ms, 1, NULL, te, &o, &err), CK_OK);
    ck_assert(ev.baseline_meets_target && ev.entries[0].met && !ev.entries[0].pass);
    ck_assert(ev.baseline_value == ev.null.h[0].brier && !ev.target_interval);
    ck_assert(!ck_eval_any_missed(&ev) && !ck_eval_all_pass(&ev));
    char *buf;
    size_t len;
    FILE *fp = open_memstream(&buf, &len);
    ck_report_eval(fp, &ev);
    fclose(fp);
    ck_assert(strstr(buf, "Target: brier_3m <= 1.000") != NULL);
    ck_assert(strstr(buf, "brier_3m is no evidence of skill") != NULL);
    free(buf);
    ck_eval_fini(&ev);
    ck_assert_int_eq(ck_eval_target_parse(&o.target, "auc_3m>=0.999", &err), CK_OK);
    ck_assert_int_eq(ck_eval_models(&ev, ms, 1, NULL, te, &o, &err), CK_OK);
    ck_assert(!ev.entries[0].met && ck_eval_any_missed(&ev) && !ev.baseline_meets_target);
    ck_assert(ev.entries[0].value == ev.entries[0].surv.h[0].auc);
    ck_eval_fini(&ev);
    /* an unknown metric: a usage error listing the keys */
    ck_assert_int_eq(ck_eval_target_parse(&o.target, "accuracy>=0.85", &err), CK_OK);
    ck_assert_int_eq(ck_eval_models(&ev, ms, 1, NULL, te, &o, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "unknown target metric 'accuracy'");
    ck_assert_msg_contains(err, "concordance, ");
    ck_assert_msg_contains(err, "auc_6m");
    /* the syntax */
    static const char *bad[] = {"roc_auc=0.8", "roc_auc>=", "x>=abc", ">=0.5", "a b>=1",
                                "auc>=0.5<=0.6", "x>=inf"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(ck_eval_target_parse(&o.target, bad[i], &err) == CK_EUSAGE, "%s", bad[i]);
    /* blanks at the ends and around the operator are read away; a share
     * above 1 is a percentage typed as one */
    ck_assert_int_eq(ck_eval_target_parse(&o.target, " precision >= 0.85 ", &err), CK_OK);
    ck_assert(strcmp(o.target.metric, "precision") == 0 && o.target.value == 0.85);
    ck_assert_int_eq(ck_eval_target_parse(&o.target, "precision>=85", &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "(85% is 0.85)");
    ck_assert_int_eq(ck_eval_target_parse(&o.target, "rmse<=85", &err), CK_OK);
    ck_assert_int_eq(ck_eval_target_parse(&o.target, "auc_1.5m<=0.25", &err), CK_OK);
    ck_assert(strcmp(o.target.metric, "auc_1.5m") == 0 && o.target.op == CK_TARGET_LE &&
              o.target.value == 0.25);
    ck_model_free(m);
    ck_table_free(tr);
    ck_table_free(te);
}
END_TEST

START_TEST(test_mixed_equals_classifier_by_hand)
{
    ck_table *tr = world(400, 1, 10, 0), *te = world(300, 2, 10, 0);
    ck_model *cox = train_cox(tr, "x,z", "cox");
    ck_model *cls = train(tr, "churned_3m", "x,z", "churn_3m", "logistic");
    ck_eval ev;
    ck_error err;
    /* 1 - S(3) by hand, and ck_metrics_auc on the label */
    const double *c3 = numbers(te, "churned_3m");
    double *p = linear_predictors(cox, te);
    int *y = malloc(te->nrows * sizeof *y);
    const ck_ph_curve *curve = ck_model_curve(cox);
    for (size_t i = 0; i < te->nrows; i++) {
        p[i] = 1 - ck_ph_survival(curve, p[i], 3);
        y[i] = c3[i] == 1;
    }
    double auc = ck_metrics_auc(y, p, te->nrows);
    ck_assert(auc > 0.6);
    /* beside the classifier */
    const ck_model *both[] = {cls, cox};
    ck_assert_msg(ck_eval_models(&ev, both, 2, NULL, te, NULL, &err) == CK_OK, "%s",
                  err.message);
    ck_assert_int_eq(ev.task, CK_TASK_CLASSIFICATION);
    ck_assert(ev.horizon == 3);
    const ck_eval_entry *e = &ev.entries[1];
    ck_assert_str_eq(e->name, "cox@3m");
    ck_assert(e->horizon == 3 && e->task == CK_TASK_SURVIVAL);
    ck_assert(e->cls.roc_auc == auc);
    ck_assert(e->threshold == 1 - ck_ph_km(curve, 3));
    for (size_t i = 0; i < te->nrows; i++)
        ck_assert(e->score[i] == p[i]);
    ck_assert(!isnan(ev.target.value)); /* the classifiers' default target */
    ck_eval_fini(&ev);
    /* with the classifier as the baseline: DeLong's test of the two */
    const ck_model *one[] = {cox};
    ck_assert_int_eq(ck_eval_models(&ev, one, 1, cls, te, NULL, &err), CK_OK);
    ck_assert(ev.entries[0].compared && ev.entries[0].cls.roc_auc == auc);
    ck_assert(fabs(ev.entries[0].delong.diff - (auc - ev.baseline->cls.roc_auc)) < 1e-12);
    ck_eval_fini(&ev);
    /* alone, with --label: the same; the trivial share is the training
     * Kaplan-Meier churn by 3 months */
    ck_eval_options o;
    ck_eval_options_init(&o);
    o.label = "churned_3m";
    ck_assert_int_eq(ck_eval_models(&ev, one, 1, NULL, te, &o, &err), CK_OK);
    ck_assert(ev.entries[0].cls.roc_auc == auc && ev.task == CK_TASK_CLASSIFICATION);
    json_t *j = ck_eval_to_json(&ev);
    ck_assert(json_real_value(json_object_get(j, "horizon")) == 3);
    json_t *mj = json_array_get(json_object_get(j, "models"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(mj, "name")), "cox@3m");
    ck_assert(json_real_value(json_object_get(json_object_get(mj, "metrics"), "roc_auc")) == auc);
    json_decref(j);
    ck_eval_fini(&ev);
    /* a label without a horizon is refused, naming it */
    o.label = "event";
    ck_assert_int_eq(ck_eval_models(&ev, one, 1, NULL, te, &o, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "names a horizon");
    free(p);
    free(y);
    ck_model_free(cox);
    ck_model_free(cls);
    ck_table_free(tr);
    ck_table_free(te);
}
END_TEST

START_TEST(test_survival_errors)
{
    ck_table *tr = world(400, 1, 10, 0);
    ck_model *m = train_cox(tr, "x,z", "cox");
    const ck_model *ms[] = {m};
    ck_eval ev;
    ck_error err;
    ck_eval_options o;
    ck_eval_options_init(&o);
    /* a horizon past the follow-up (10 months): nobody followed up to it,
     * G(h-) = 0 */
    o.nhorizons = 2;
    o.horizon[0] = 3;
    o.horizon[1] = 12;
    ck_assert_int_eq(ck_eval_models(&ev, ms, 1, NULL, tr, &o, &err), CK_EDATA);
    ck_assert_msg_contains(err, "world.csv: the horizon 12 months: survival metrics at t = 12: "
                                "the censoring survival G(t-) is 0");
    ck_assert_msg_contains(err, "time 10, the data's last");
    ck_assert_msg_contains(err, "choose a horizon of at most 10");
    o.horizon[1] = 10.5;
    ck_assert_int_eq(ck_eval_models(&ev, ms, 1, NULL, tr, &o, &err), CK_EDATA);
    ck_assert_msg_contains(err, "the horizon 10.5 months");
    /* no event column */
    ck_table *t = ck_table_new(tr->nrows, "noevent.csv");
    ck_assert(ck_table_add_numeric(t, "x", numbers(tr, "x"), &err) == CK_OK);
    ck_assert(ck_table_add_numeric(t, "z", numbers(tr, "z"), &err) == CK_OK);
    ck_assert(ck_table_add_numeric(t, "time", numbers(tr, "time"), &err) == CK_OK);
    ck_assert_int_eq(ck_eval_models(&ev, ms, 1, NULL, t, NULL, &err), CK_EDATA);
    ck_assert_msg_contains(err, "no column 'event'");
    ck_table_free(t);
    /* a model fitted on 4 months of follow-up, judged at 6: a warning */
    ck_table *short_ = world(400, 4, 4, 0);
    ck_model *ms4 = train_cox(short_, "x,z", "short");
    const ck_model *one4[] = {ms4};
    ck_warnings w;
    ck_warnings_init(&w);
    ck_eval_options_init(&o);
    o.warnings = &w;
    ck_assert_int_eq(ck_eval_models(&ev, one4, 1, NULL, tr, &o, &err), CK_OK);
    ck_assert_int_eq(w.n, 1);
    ck_assert_msg(strstr(w.msg[0], "model 'short' was fitted on times up to 4; its churn by 6 "
                                   "months") != NULL, "%s", w.msg[0]);
    ck_eval_fini(&ev);
    ck_warnings_fini(&w);
    ck_model_free(ms4);
    ck_table_free(short_);
    /* beside a classifier of a label without a horizon */
    ck_model *c = train(tr, "event", "x", "evented", "logistic");
    const ck_model *two[] = {c, m};
    ck_assert_int_eq(ck_eval_models(&ev, two, 2, NULL, tr, NULL, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "predict different labels");
    ck_assert_msg_contains(err, "names a horizon");
    ck_model_free(c);
    ck_model_free(m);
    ck_table_free(tr);
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
    tcase_add_test(tc, test_survival_equals_its_parts);
    tcase_add_test(tc, test_mean_curve_on_a_spread_grid);
    tcase_add_test(tc, test_perfect_order_gives_auc_1);
    tcase_add_test(tc, test_survival_at_follow_up);
    tcase_add_test(tc, test_survival_targets);
    tcase_add_test(tc, test_mixed_equals_classifier_by_hand);
    tcase_add_test(tc, test_survival_errors);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}

CK_TEST_MAIN(eval_suite)
