/* The survival path around cox.c: the cox estimator through ck_train, its
 * model file (read back exactly, a damaged baseline refused by field), the
 * lifetime formulas (churn by horizon, RMST, CLV) checked by hand, and the
 * scorer's survival columns, revenue at risk and segments. */
#include "testutil.h"

#include <math.h>

#include "churnkit/lifetime.h"
#include "churnkit/model.h"
#include "churnkit/score.h"
#include "churnkit/train.h"

/* 80 accounts: the churn hazard falls with minutes and is higher on the
 * basic plan; times are whole months 1..12, censored at 12 or earlier
 * (every fifth account leaves the data early). */
static char *survival_csv(void)
{
    size_t cap = 8192, used = 0;
    char *s = malloc(cap);
    ck_assert(s != NULL);
    used += (size_t)snprintf(s, cap, "id,minutes,plan,mrr,cost,months,churned\n");
    unsigned state = 12345;
    for (int i = 0; i < 80; i++) {
        state = state * 1103515245u + 12345u;
        double u = (double)((state >> 8) % 10000) / 10000.0;
        double minutes = 10 + (i * 37) % 300;
        const char *plan = i % 3 == 0 ? "basic" : i % 3 == 1 ? "pro" : "team";
        double rate = 0.08 * exp(-minutes / 150.0) * (i % 3 == 0 ? 2.0 : 1.0);
        int t = 1 + (int)(-log(1 - u * 0.999) / rate);
        int cens = i % 5 == 4 ? 3 + i % 7 : 12;
        int event = t <= cens;
        used += (size_t)snprintf(s + used, cap - used, "a%02d,%g,%s,%g,%g,%d,%d\n", i, minutes,
                                 plan, 20.0 + i, 100.0 + 3 * i, event ? t : cens, event);
        ck_assert(used < cap);
    }
    return s;
}

static ck_table *read_text(const char *csv, char **path)
{
    ck_table *t;
    ck_error err;
    *path = ck_test_write(csv);
    ck_assert_msg(ck_table_read_csv(&t, *path, NULL, &err) == CK_OK, "%s", err.message);
    return t;
}

static void cox_options(ck_train_options *o)
{
    static const char *const exclude[] = {"mrr", "cost"};
    ck_train_options_init(o);
    ck_test_use(o, "cox");
    o->task = CK_TASK_SURVIVAL;
    o->label = "months";
    o->event = "churned";
    o->id = "id";
    o->name = "cox";
    o->pipeline.exclude = exclude;
    o->pipeline.nexclude = 2;
}

static ck_model *train_cox(const ck_table *t, double l2)
{
    ck_train_options o;
    ck_model *m;
    ck_error err;
    cox_options(&o);
    ck_test_param(&o, "l2", l2);
    ck_assert_msg(ck_train(t, &o, &m, NULL, &err) == CK_OK, "%s", err.message);
    return m;
}

START_TEST(test_model_file_round_trip)
{
    char *csv = survival_csv(), *path;
    ck_table *t = read_text(csv, &path);
    ck_model *m = train_cox(t, 0), *back;
    ck_error err;
    ck_assert_int_eq(m->task, CK_TASK_SURVIVAL);
    /* unpenalized: one plan level is the reference (2 plan columns) */
    ck_assert_uint_eq(m->pl->width, 3);
    char *text = ck_model_to_json(m);
    ck_assert_msg(ck_model_parse(&back, text, "m.json", &err) == CK_OK, "%s", err.message);
    char *again = ck_model_to_json(back);
    ck_assert_str_eq(text, again); /* nothing lost or changed */
    ck_assert_str_eq(back->event, "churned");
    const ck_ph_curve *a = ck_model_curve(m), *b = ck_model_curve(back);
    ck_assert_uint_eq(a->ntimes, b->ntimes);
    for (size_t k = 0; k < a->ntimes; k++)
        ck_assert(a->time[k] == b->time[k] && a->cumhaz[k] == b->cumhaz[k]);
    /* the Kaplan-Meier of the stored risk sets is the training data's own */
    const ck_column *mo = &t->col[5], *ev = &t->col[6];
    double S = 1;
    for (size_t k = 0; k < a->ntimes; k++) {
        double atrisk = 0, events = 0;
        for (size_t i = 0; i < t->nrows; i++) {
            atrisk += mo->num[i] >= a->time[k];
            events += mo->num[i] == a->time[k] && ev->num[i] == 1;
        }
        S *= 1 - events / atrisk;
        ck_assert(fabs(ck_ph_km(b, a->time[k]) - S) < 1e-12);
    }
    ck_assert(m->train.present && m->train.surv.concordance > 0.6);
    free(text);
    free(again);
    ck_model_free(back);
    ck_model_free(m);
    ck_table_free(t);
    unlink(path);
    free(path);
    free(csv);
}
END_TEST

/* Replaces the first `from` in text by `to` (same or shorter length). */
static char *damaged(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    ck_assert_msg(at != NULL, "no '%s' in the model", from);
    size_t head = (size_t)(at - text), n = strlen(text) + strlen(to) + 1;
    char *s = malloc(n);
    memcpy(s, text, head);
    strcpy(s + head, to);
    strcat(s, at + strlen(from));
    return s;
}

START_TEST(test_damaged_baseline_refused)
{
    char *csv = survival_csv(), *path;
    ck_table *t = read_text(csv, &path);
    ck_model *m = train_cox(t, 0.5), *back = NULL;
    char *text = ck_model_to_json(m);
    ck_error err;
    static const char *const cases[][3] = {
        {"\"cumulative_hazard\": [\n      ", "\"cumulative_hazard\": [\n      -1, ",
         "baseline.cumulative_hazard"},
        {"\"baseline\": {", "\"baseline_x\": {", "'baseline' is missing"},
        {"\"last_time\": ", "\"last_time\": -5", "baseline.last_time"},
        {"\"event\": \"churned\"", "\"evnt\": \"churned\"", "label.event"},
        {"\"hazard\": \"efron\"", "\"hazard\": \"foo\"", "baseline.hazard"},
        {"\"at_risk\": [\n      ", "\"at_risk\": [\n      1, ", "baseline.at_risk"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char *bad = damaged(text, cases[c][0], cases[c][1]);
        ck_status st = ck_model_parse(&back, bad, "m.json", &err);
        ck_assert_msg(st == CK_EMODEL, "case %zu read", c);
        ck_assert_msg(strstr(err.message, cases[c][2]) != NULL, "case %zu: %s", c, err.message);
        free(bad);
    }
    /* a risk set that grows again */
    json_t *root = json_loads(text, 0, NULL);
    json_t *atrisk = json_object_get(json_object_get(root, "baseline"), "at_risk");
    json_array_set_new(atrisk, 2, json_real(json_number_value(json_array_get(atrisk, 0)) + 100));
    char *grown = json_dumps(root, JSON_REAL_PRECISION(17));
    ck_assert_int_eq(ck_model_parse(&back, grown, "m.json", &err), CK_EMODEL);
    ck_assert_msg(strstr(err.message, "baseline.at_risk") != NULL, "%s", err.message);
    free(grown);
    json_decref(root);
    free(text);
    ck_model_free(m);
    ck_table_free(t);
    unlink(path);
    free(path);
    free(csv);
}
END_TEST

START_TEST(test_training_errors)
{
    ck_train_options o;
    ck_model *m;
    ck_error err;
    char *path;
    ck_table *t = read_text("id,x,months,churned\na,1,3,1\nb,2,5,0\nc,3,2,2\nd,4,7,1\n",
                            &path);
    /* an event that is not 0 or 1: the file, line and column */
    cox_options(&o);
    o.pipeline.exclude = NULL;
    o.pipeline.nexclude = 0;
    ck_assert_int_eq(ck_train(t, &o, &m, NULL, &err), CK_EDATA);
    ck_assert_msg(strstr(err.message, ":4:") && strstr(err.message, "churned"), "%s",
                  err.message);
    /* no event column */
    o.event = NULL;
    ck_assert_int_eq(ck_train(t, &o, &m, NULL, &err), CK_EUSAGE);
    ck_assert_msg(strstr(err.message, "--event"), "%s", err.message);
    /* --event on a classifier */
    ck_train_options_init(&o);
    ck_test_use(&o, "logistic");
    o.label = "churned";
    o.event = "churned";
    ck_assert_int_eq(ck_train(t, &o, &m, NULL, &err), CK_EUSAGE);
    ck_table_free(t);
    unlink(path);
    free(path);
    /* no churn seen at all */
    t = read_text("id,x,months,churned\na,1,3,0\nb,2,5,0\nc,3,2,0\n", &path);
    cox_options(&o);
    o.pipeline.exclude = NULL;
    o.pipeline.nexclude = 0;
    ck_assert_int_eq(ck_train(t, &o, &m, NULL, &err), CK_EDATA);
    ck_table_free(t);
    unlink(path);
    free(path);
}
END_TEST

/* A three-step curve to check the formulas by hand. */
static const double TIMES[] = {1, 2, 4}, CUMHAZ[] = {0.1, 0.25, 0.5};
static const double NRISK[] = {10, 8, 5}, NEVENT[] = {1, 2, 1};

START_TEST(test_lifetime_by_hand)
{
    ck_ph_curve c = {3, TIMES, CUMHAZ, NRISK, NEVENT, 6};
    ck_lifetime_options o;
    ck_lifetime lt;
    ck_error err;
    ck_lifetime_options_init(&o);
    ck_assert_int_eq(ck_lifetime_parse_horizons(&o, "1.5,3,5", &err), CK_OK);
    o.clv_months = 5;
    o.discount_rate = 0.12;
    ck_assert_int_eq(ck_lifetime_init(&lt, &c, &o, &err), CK_OK);
    double eta = 0.4, r = exp(eta);
    /* churn by 1.5, 3, 5 months: 1 - exp(-H0 e^eta) with H0 0.1, 0.25, 0.5 */
    ck_assert(fabs(ck_lifetime_churn(&lt, eta, 0) - (1 - exp(-0.1 * r))) < 1e-15);
    ck_assert(fabs(ck_lifetime_churn(&lt, eta, 1) - (1 - exp(-0.25 * r))) < 1e-15);
    ck_assert(fabs(ck_lifetime_churn(&lt, eta, 2) - (1 - exp(-0.5 * r))) < 1e-15);
    /* months paid within 5: S(1) + ... + S(5) = s1 + s2 + s2 + s4 + s4 */
    double s1 = exp(-0.1 * r), s2 = exp(-0.25 * r), s4 = exp(-0.5 * r);
    ck_assert(fabs(ck_lifetime_expected(&lt, eta) - (s1 + 2 * s2 + 2 * s4)) < 1e-14);
    /* CLV over 5 months at 12% a year: S(1..5) = s1, s2, s2, s4, s4 */
    double d = 1 / 1.12, clv = 0;
    double S[] = {s1, s2, s2, s4, s4};
    for (int m = 1; m <= 5; m++)
        clv += S[m - 1] * 50 * pow(d, m / 12.0);
    ck_assert(fabs(ck_lifetime_clv(&lt, eta, 50) - clv) < 1e-12);
    ck_lifetime_fini(&lt);
    /* undiscounted over the horizon, CLV and revenue at risk share T x MRR */
    o.discount_rate = 0;
    ck_assert_int_eq(ck_lifetime_init(&lt, &c, &o, &err), CK_OK);
    double at_risk = 50 * (5 - ck_lifetime_expected(&lt, eta));
    ck_assert(fabs(ck_lifetime_clv(&lt, eta, 50) + at_risk - 5 * 50) < 1e-12);
    ck_assert(isnan(ck_lifetime_clv(&lt, eta, NAN)));
    /* the training population's survival: (1 - 1/10)(1 - 2/8) by 3 months */
    ck_assert(fabs(ck_ph_km(&c, 3) - 0.9 * 0.75) < 1e-15);
    ck_lifetime_fini(&lt);
    /* horizons must be positive, increasing, at most CK_HORIZONS_MAX */
    ck_assert_int_eq(ck_lifetime_parse_horizons(&o, "6,3", &err), CK_EUSAGE);
    ck_assert_int_eq(ck_lifetime_parse_horizons(&o, "0", &err), CK_EUSAGE);
    ck_assert_int_eq(ck_lifetime_parse_horizons(&o, "3,x", &err), CK_EUSAGE);
    ck_assert_int_eq(ck_lifetime_parse_horizons(&o, "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17",
                                                &err),
                     CK_EUSAGE);
}
END_TEST

/* The scorer's survival columns agree with the formulas on the model's own
 * linear predictor, and the segments take their risk at a horizon. */
START_TEST(test_scored_columns)
{
    char *csv = survival_csv(), *path, *vpath;
    ck_table *t = read_text(csv, &path);
    ck_model *m = train_cox(t, 0);
    /* a value-change regression for the segments */
    ck_train_options o;
    ck_error err;
    ck_model *v;
    static const char *const vexcl[] = {"months", "churned", "cost"};
    ck_train_options_init(&o);
    ck_test_use(&o, "linear");
    o.label = "mrr";
    o.id = "id";
    o.name = "value";
    o.pipeline.exclude = vexcl;
    o.pipeline.nexclude = 3;
    ck_assert_msg(ck_train(t, &o, &v, NULL, &err) == CK_OK, "%s", err.message);
    ck_score_options so;
    ck_score_options_init(&so);
    so.mrr = "mrr";
    so.cost = "cost";
    so.risk_model = "cox@3m";
    ck_score_summary sum;
    ck_model *ms[] = {m, v};
    char *out = ck_test_write("");
    ck_assert_msg(ck_score(ms, 2, path, out, &so, &sum, NULL, &err) == CK_OK, "%s",
                  err.message);
    ck_table *s;
    ck_assert_msg(ck_table_read_csv(&s, out, NULL, &err) == CK_OK, "%s", err.message);
    size_t j3, j6, je, jr, jc, jroi, jseg;
    ck_assert(ck_table_require(s, "cox_churn_3m", &j3, &err) == CK_OK &&
              ck_table_require(s, "cox_churn_6m", &j6, &err) == CK_OK &&
              ck_table_require(s, "cox_expected_months", &je, &err) == CK_OK &&
              ck_table_require(s, "cox_revenue_at_risk", &jr, &err) == CK_OK &&
              ck_table_require(s, "cox_clv", &jc, &err) == CK_OK &&
              ck_table_require(s, "cox_roi", &jroi, &err) == CK_OK &&
              ck_table_require(s, "segment", &jseg, &err) == CK_OK);
    size_t *rows = malloc(t->nrows * sizeof *rows);
    double *eta = malloc(t->nrows * sizeof *eta);
    for (size_t i = 0; i < t->nrows; i++)
        rows[i] = i;
    ck_assert(ck_model_score_table(m, t, rows, t->nrows, 1, eta, &err) == CK_OK);
    ck_lifetime lt;
    ck_assert(ck_lifetime_init(&lt, ck_model_curve(m), &so.life, &err) == CK_OK);
    double km3 = ck_ph_km(ck_model_curve(m), 3);
    unsigned long high = 0;
    for (size_t i = 0; i < t->nrows; i++) {
        double p3 = s->col[j3].num[i], p6 = s->col[j6].num[i], mrr = t->col[3].num[i];
        ck_assert(fabs(p3 - ck_lifetime_churn(&lt, eta[i], 0)) <= 5e-7);
        ck_assert(p6 >= p3); /* monotone by construction */
        double rmst = ck_lifetime_expected(&lt, eta[i]);
        ck_assert(fabs(s->col[je].num[i] - rmst) <= 5e-7);
        ck_assert(fabs(s->col[jr].num[i] - mrr * (6 - rmst)) <= 0.005);
        double clv = ck_lifetime_clv(&lt, eta[i], mrr);
        ck_assert(fabs(s->col[jc].num[i] - clv) <= 0.005);
        ck_assert(fabs(s->col[jroi].num[i] - clv / t->col[4].num[i]) <= 5e-5);
        high += ck_lifetime_churn(&lt, eta[i], 0) >= 1 - km3;
    }
    /* high risk: churn within 3 months at least the training population's */
    ck_assert(sum.segmented && sum.risk_horizon == 3);
    ck_assert(fabs(sum.risk_threshold - (1 - km3)) < 1e-15);
    ck_assert_uint_eq(sum.seg_count[CK_SEG_OPPORTUNITY] + sum.seg_count[CK_SEG_CRITICAL], high);
    ck_assert(sum.seg_value);
    ck_lifetime_fini(&lt);
    free(rows);
    free(eta);
    ck_table_free(s);
    ck_score_summary_fini(&sum);
    /* a classifier cannot take a horizon; a malformed one is refused */
    so.risk_model = "value@3m";
    ck_assert_int_eq(ck_score(ms, 2, path, out, &so, NULL, NULL, &err), CK_EUSAGE);
    so.risk_model = "cox@3";
    ck_assert_int_eq(ck_score(ms, 2, path, out, &so, NULL, NULL, &err), CK_EUSAGE);
    so.risk_model = NULL;
    so.mrr = "revenue";
    ck_assert_int_eq(ck_score(ms, 2, path, out, &so, NULL, NULL, &err), CK_EDATA);
    ck_assert_msg(strstr(err.message, "no MRR column 'revenue'"), "%s", err.message);
    unlink(out);
    free(out);
    ck_model_free(m);
    ck_model_free(v);
    ck_table_free(t);
    unlink(path);
    free(path);
    (void)vpath;
    free(csv);
}
END_TEST

/* --weight: integer row weights are frequencies -- the fit equals the one
 * on the rows repeated (Breslow ties for Cox, whose Efron term would see
 * the repeats as ties; logistic regression exactly); a negative weight is
 * refused naming the cell. */
static char *weighted_csv(int repeat)
{
    size_t cap = 16384, used = 0;
    char *s = malloc(cap);
    used += (size_t)snprintf(s, cap, "id,x,plan,w,months,churned\n");
    for (int i = 0; i < 60; i++) {
        int w = 1 + i % 3, t = 1 + (i * 7) % 11, e = i % 4 != 0;
        for (int k = 0; k < (repeat ? w : 1); k++)
            used += (size_t)snprintf(s + used, cap - used, "r%d,%g,%s,%d,%d,%d\n", i,
                                     (double)((i * 13) % 17) / 4.0, i % 2 ? "a" : "b",
                                     repeat ? 1 : w, t, e);
    }
    return s;
}

static ck_model *fit_weighted(const char *csv, const char *estimator, int weighted)
{
    char *path;
    ck_table *t = read_text(csv, &path);
    ck_train_options o;
    ck_model *m;
    ck_error err;
    static const char *const excl[] = {"w"};
    ck_train_options_init(&o);
    ck_test_use(&o, estimator);
    o.id = "id";
    if (strcmp(estimator, "cox") == 0) {
        o.task = CK_TASK_SURVIVAL;
        o.label = "months";
        o.event = "churned";
        ck_assert(ck_train_options_set(&o, "ties", "breslow", &err) == CK_OK);
    } else {
        o.label = "churned";
        static const char *const more[] = {"w", "months"};
        o.pipeline.exclude = more;
        o.pipeline.nexclude = 2;
    }
    if (weighted)
        o.weight = "w";
    else if (strcmp(estimator, "cox") == 0) {
        o.pipeline.exclude = excl;
        o.pipeline.nexclude = 1;
    }
    ck_assert_msg(ck_train(t, &o, &m, NULL, &err) == CK_OK, "%s", err.message);
    ck_table_free(t);
    unlink(path);
    free(path);
    return m;
}

START_TEST(test_row_weights_are_frequencies)
{
    static const char *const estimators[] = {"cox", "logistic"};
    char *once = weighted_csv(0), *repeated = weighted_csv(1);
    for (size_t e = 0; e < 2; e++) {
        ck_model *a = fit_weighted(once, estimators[e], 1);
        ck_model *b = fit_weighted(repeated, estimators[e], 0);
        ck_terms ta = ck_test_terms(a), tb = ck_test_terms(b);
        ck_assert_uint_eq(ta.n, tb.n);
        /* on the raw scale: the pipeline standardizes by the rows' own
         * (unweighted) spread, which the repeats change */
        for (size_t j = 0; j < ta.n; j++) {
            double va = ta.term[j].value, vb = tb.term[j].value;
            if (strcmp(ta.term[j].name, "x") == 0) {
                va /= a->pl->feat[0].scale;
                vb /= b->pl->feat[0].scale;
            }
            if (strcmp(ta.term[j].name, "(intercept)") != 0)
                ck_assert_msg(fabs(va - vb) <= 1e-7 * (1 + fabs(vb)), "%s %s: %g against %g",
                              estimators[e], ta.term[j].name, va, vb);
        }
        free(ta.term);
        free(tb.term);
        ck_model_free(a);
        ck_model_free(b);
    }
    /* a negative weight names its cell; gbdt takes no row weights */
    char *path;
    ck_table *t = read_text("id,x,w,months,churned\na,1,1,3,1\nb,2,-1,5,0\nc,3,1,2,1\n", &path);
    ck_train_options o;
    ck_model *m;
    ck_error err;
    cox_options(&o);
    o.pipeline.exclude = NULL;
    o.pipeline.nexclude = 0;
    o.weight = "w";
    ck_assert_int_eq(ck_train(t, &o, &m, NULL, &err), CK_EDATA);
    ck_assert_msg(strstr(err.message, ":3:3: the weight 'w'"), "%s", err.message);
    ck_train_options_init(&o);
    ck_test_use(&o, "gbdt");
    o.label = "churned";
    o.weight = "w";
    ck_assert_int_eq(ck_train(t, &o, &m, NULL, &err), CK_EUSAGE);
    ck_assert_msg(strstr(err.message, "row weights are for --model logistic, cox"), "%s",
                  err.message);
    ck_table_free(t);
    unlink(path);
    free(path);
    free(once);
    free(repeated);
}
END_TEST

static Suite *survival_suite(void)
{
    Suite *s = suite_create("survival");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_model_file_round_trip);
    tcase_add_test(tc, test_damaged_baseline_refused);
    tcase_add_test(tc, test_training_errors);
    tcase_add_test(tc, test_lifetime_by_hand);
    tcase_add_test(tc, test_scored_columns);
    tcase_add_test(tc, test_row_weights_are_frequencies);
    suite_add_tcase(s, tc);
    return s;
}

CK_TEST_MAIN(survival_suite)
