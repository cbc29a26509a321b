/* Streaming scoring: outputs match in-memory scoring, reasons, unseen
 * levels, missing values, headerless input, and errors before output. */
#include "testutil.h"

#include <math.h>

#include "churnkit/score.h"
#include "churnkit/train.h"

static ck_model *train_text(const char *csv, const char *label, const char *e, double l2,
                            const char *name)
{
    char *path = ck_test_write(csv);
    ck_table *t;
    ck_error err;
    ck_assert_msg(ck_table_read_csv(&t, path, NULL, &err) == CK_OK, "%s", err.message);
    ck_train_options o;
    ck_train_options_init(&o);
    o.label = label;
    ck_test_use(&o, e);
    ck_test_param(&o, "l2", l2);
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
    ck_model *m = train_text(TRAIN, "churn", "logistic", 1.0, "risk");
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
    const char *head = "id,risk_prob,risk_label,risk_reason1,risk_reason1_effect,risk_reason2,"
                       "risk_reason2_effect\nx1,";
    ck_assert_msg(strncmp(text, head, strlen(head)) == 0, "%s", text);
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

/* Reasons name a text column with its level (the reference level too),
 * carry their signed effect, add up to the linear predictor's distance from
 * the average row, and keep to the direction asked for. */
START_TEST(test_signed_reasons)
{
    ck_model *m = train_text(TRAIN, "churn", "logistic", 0, "risk"); /* 'basic' is the reference */
    char *in = ck_test_write("id,tenure,plan,minutes\nr1,2,basic,15\nr2,30,pro,250\nr3,4,,\n");
    ck_score_options so;
    ck_score_options_init(&so);
    so.reasons = 3; /* every feature */
    so.decimals = 9;
    for (int dir = -1; dir <= 1; dir++) {
        char *out = ck_test_write("");
        ck_error err;
        so.reasons_direction = dir;
        ck_model *ms[] = {m};
        ck_assert_msg(ck_score(ms, 1, in, out, &so, NULL, NULL, &err) == CK_OK, "%s",
                      err.message);
        ck_table *t;
        ck_table_options to;
        ck_table_options_init(&to);
        static const char *const text[] = {"risk_reason1", "risk_reason2", "risk_reason3"};
        to.categorical = text;
        to.ncategorical = 3;
        ck_assert_msg(ck_table_read_csv(&t, out, &to, &err) == CK_OK, "%s", err.message);
        for (size_t i = 0; i < 3; i++) {
            double sum = 0, last = INFINITY;
            int named_basic = 0;
            for (size_t k = 0; k < 3; k++) {
                size_t jn, je;
                char col[40];
                snprintf(col, sizeof col, "risk_reason%zu", k + 1);
                ck_assert_int_eq(ck_table_require(t, col, &jn, &err), CK_OK);
                snprintf(col, sizeof col, "risk_reason%zu_effect", k + 1);
                ck_assert_int_eq(ck_table_require(t, col, &je, &err), CK_OK);
                double e = t->col[je].num[i];
                if (isnan(e))
                    continue; /* fewer features go this way */
                ck_assert(dir == 0 || (dir > 0 ? e > 0 : e < 0));
                ck_assert(fabs(e) <= last); /* largest first */
                last = fabs(e);
                sum += e;
                named_basic |= strcmp(ck_table_text(t, jn, i), "plan=basic") == 0;
            }
            if (i == 0 && dir == 0)
                ck_assert_msg(named_basic, "the reference level is not named with its level");
            if (dir == 0) { /* every feature listed: they add up */
                double x[8], c[8];
                double num[3] = {i == 0 ? 2 : i == 1 ? 30 : 4, NAN, i == 0 ? 15 : i == 1 ? 250 : NAN};
                int32_t lev[3] = {-1, i == 0 ? 0 : i == 1 ? 1 : -1, -1};
                ck_assert(m->pl->width <= 8);
                ck_pipeline_encode(m->pl, num, lev, x);
                ck_assert(ck_model_contributions(m, x, c, NULL));
                double want = 0;
                for (size_t j = 0; j < m->pl->width; j++)
                    want += c[j];
                ck_assert_msg(fabs(sum - want) < 1e-8, "row %zu: %.9g vs %.9g", i, sum, want);
            }
        }
        ck_table_free(t);
        unlink(out);
        free(out);
    }
    unlink(in);
    free(in);
    ck_model_free(m);
}
END_TEST

START_TEST(test_contributions_are_linear_shap)
{
    /* sum_j beta_j (x_j - mean_j) = eta(x) - eta(average row) */
    ck_model *m = train_text(TRAIN, "churn", "logistic", 0.5, "risk");
    size_t w = m->pl->width;
    double *x = malloc(w * sizeof *x), *c = malloc(w * sizeof *c);
    double num[4] = {7, NAN, 90, 0};
    int32_t lev[4] = {-1, 1, -1, -1};
    ck_pipeline_encode(m->pl, num, lev, x);
    ck_assert(ck_model_contributions(m, x, c, NULL));
    ck_terms t = ck_test_terms(m);
    ck_assert_uint_eq(t.n, w + 1);
    const ck_term *beta = t.term;
    double sum = 0, eta = beta[0].value, eta_avg = beta[0].value;
    for (size_t j = 0; j < w; j++) {
        sum += c[j];
        eta += beta[j + 1].value * x[j];
        eta_avg += beta[j + 1].value * m->pl->center[j];
    }
    free(t.term);
    ck_assert(fabs(sum - (eta - eta_avg)) < 1e-12);
    free(x);
    free(c);
    ck_model_free(m);
}
END_TEST

START_TEST(test_file_equals_in_memory)
{
    ck_model *m = train_text(TRAIN, "churn", "logistic", 1.0, "risk");
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
    ck_model *m = train_text(TRAIN, "churn", "logistic", 1.0, "risk");
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
    ck_model *m = train_text(TRAIN, "churn", "logistic", 1.0, "risk");
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


/* A table of n rows: churn (0/1, with a 3- and 6-month version), value
 * change, two numeric features and a health score; x shifted by `shift`. */
static char *world_csv(size_t n, double shift, unsigned seed)
{
    char *buf = malloc(n * 96 + 128);
    size_t used = (size_t)sprintf(buf, "id,x,z,health_score,churned_3m,churned_6m,value_change_3m\n");
    unsigned s = seed;
    for (size_t i = 0; i < n; i++) {
        s = s * 1103515245u + 12345u;
        double u = (double)(s >> 8) / (double)(1u << 24);
        s = s * 1103515245u + 12345u;
        double v = (double)(s >> 8) / (double)(1u << 24);
        double x = 4 * u - 2 + shift, z = 4 * v - 2;
        int c3 = x + 0.5 * z > 1.2, c6 = c3 || x > 0.8;
        used += (size_t)sprintf(buf + used, "r%zu,%.4f,%.4f,%.1f,%d,%d,%.2f\n", i, x, z,
                                100 * v, c3, c6, 10 * z - 5 * x);
    }
    return buf;
}

static ck_model *train_on(const char *csv, const char *label, const char *e, const char *name)
{
    char *path = ck_test_write(csv);
    ck_table *t;
    ck_error err;
    ck_assert_msg(ck_table_read_csv(&t, path, NULL, &err) == CK_OK, "%s", err.message);
    ck_train_options o;
    ck_train_options_init(&o);
    o.label = label;
    ck_test_use(&o, e);
    if (strcmp(e, "logistic") == 0)
        ck_test_param(&o, "l2", 1);
    o.name = name;
    o.id = "id";
    static const char *feats[] = {"x", "z"};
    o.pipeline.features = feats;
    o.pipeline.nfeatures = 2;
    ck_model *m;
    ck_assert_msg(ck_train(t, &o, &m, NULL, &err) == CK_OK, "%s", err.message);
    ck_table_free(t);
    unlink(path);
    free(path);
    return m;
}

START_TEST(test_segments_horizons_and_bands)
{
    char *csv = world_csv(2000, 0, 7);
    ck_model *c3 = train_on(csv, "churned_3m", "logistic", "churn_3m");
    ck_model *c6 = train_on(csv, "churned_6m", "logistic", "churn_6m");
    ck_model *g = train_on(csv, "value_change_3m", "linear", "value_3m");
    char *in = ck_test_write(csv), *out = ck_test_write("");
    ck_model *ms[] = {c6, g, c3}; /* any order: horizons are found by label */
    ck_score_options so;
    ck_score_options_init(&so);
    so.decimals = 9;
    ck_score_summary sum;
    ck_warnings w;
    ck_error err;
    ck_warnings_init(&w);
    ck_assert_msg(ck_score(ms, 3, in, out, &so, &sum, &w, &err) == CK_OK, "%s", err.message);
    ck_assert(sum.segmented);
    ck_assert_str_eq(sum.risk_model, "churn_6m"); /* the first churn classifier */
    ck_assert_str_eq(sum.growth_model, "value_3m");
    ck_table *t;
    ck_assert_int_eq(ck_table_read_csv(&t, out, NULL, &err), CK_OK);
    size_t j6, j3, jg, js, ja, jb;
    ck_assert_int_eq(ck_table_require(t, "churn_6m_prob", &j6, &err), CK_OK);
    ck_assert_int_eq(ck_table_require(t, "churn_3m_prob", &j3, &err), CK_OK);
    ck_assert_int_eq(ck_table_require(t, "value_3m_pred", &jg, &err), CK_OK);
    ck_assert_int_eq(ck_table_require(t, "segment", &js, &err), CK_OK);
    ck_assert_int_eq(ck_table_require(t, "action", &ja, &err), CK_OK);
    ck_assert_int_eq(ck_table_require(t, "health_band", &jb, &err), CK_OK);
    unsigned long counted[CK_SEGMENTS] = {0}, raised = 0;
    const char *why = NULL;
    for (size_t i = 0; i < t->nrows && !why; i++) {
        double p6 = t->col[j6].num[i], p3 = t->col[j3].num[i], gr = t->col[jg].num[i];
        if (p6 < p3)
            why = "a 6-month probability below the 3-month one";
        raised += p6 == p3;
        int high = p6 >= c6->threshold, up = gr > 0;
        int seg = high ? (up ? CK_SEG_OPPORTUNITY : CK_SEG_CRITICAL) : (up ? CK_SEG_STAR : CK_SEG_STABLE);
        if (strcmp(ck_table_text(t, js, i), ck_segment_name(seg)) != 0)
            why = "a segment that does not follow risk and growth";
        if (strcmp(ck_table_text(t, ja, i), ck_segment_action(seg)) != 0)
            why = "an action that is not the segment's";
        counted[seg]++;
    }
    ck_assert_msg(!why, "%s", why);
    for (int k = 0; k < CK_SEGMENTS; k++)
        ck_assert_uint_eq(counted[k], sum.seg_count[k]);
    ck_assert_uint_gt(sum.horizon_adjusted, 0);
    ck_assert_uint_le(sum.horizon_adjusted, raised);
    /* health bands from the input's health_score */
    char *text = ck_test_slurp(out);
    ck_assert(strstr(text, ",high\n") && strstr(text, ",medium\n") && strstr(text, ",low\n"));
    free(text);
    ck_table_free(t);
    ck_score_summary_fini(&sum);
    ck_warnings_fini(&w);
    ck_model_free(c3);
    ck_model_free(c6);
    ck_model_free(g);
    unlink(in);
    unlink(out);
    free(in);
    free(out);
    free(csv);
}
END_TEST

START_TEST(test_actions_file)
{
    char *csv = world_csv(300, 0, 3);
    ck_model *c = train_on(csv, "churned_3m", "logistic", "churn");
    ck_model *g = train_on(csv, "value_change_3m", "linear", "value");
    char *acts = ck_test_write("segment,action\ncritical,\"Call them, today\"\nstar,Thank them\n");
    ck_score_options so;
    ck_score_options_init(&so);
    ck_error err;
    ck_assert_int_eq(ck_segment_actions_load(so.actions, acts, &err), CK_OK);
    char *in = ck_test_write(csv), *out = ck_test_write("");
    ck_model *ms[] = {c, g};
    ck_assert_int_eq(ck_score(ms, 2, in, out, &so, NULL, NULL, &err), CK_OK);
    char *text = ck_test_slurp(out);
    ck_assert(strstr(text, ",critical,\"Call them, today\"") != NULL);
    ck_assert(strstr(text, ",star,Thank them") != NULL);
    ck_assert(strstr(text, ck_segment_action(CK_SEG_STABLE)) != NULL); /* kept */
    free(text);
    ck_segment_actions_free(so.actions);
    char *bad = ck_test_write("segment,action\nlukewarm,x\n");
    ck_assert_int_eq(ck_segment_actions_load(so.actions, bad, &err), CK_EDATA);
    ck_assert_msg_contains(err, ":2:1: unknown segment 'lukewarm'");
    ck_segment_actions_free(so.actions);
    /* --no-segments */
    so.segments = 0;
    ck_assert_int_eq(ck_score(ms, 2, in, out, &so, NULL, NULL, &err), CK_OK);
    text = ck_test_slurp(out);
    ck_assert(strstr(text, "segment") == NULL);
    free(text);
    ck_model_free(c);
    ck_model_free(g);
    for (char **p = (char *[]){acts, bad, in, out, NULL}; *p; p++) {
        unlink(*p);
        free(*p);
    }
    free(csv);
}
END_TEST

START_TEST(test_drift_names_the_shifted_feature)
{
    char *train = world_csv(3000, 0, 11), *same = world_csv(3000, 0, 12),
         *moved = world_csv(3000, 1.5, 13);
    ck_model *c = train_on(train, "churned_3m", "logistic", "churn");
    ck_model *ms[] = {c};
    ck_score_summary sum;
    ck_warnings w;
    ck_error err;
    char *out = ck_test_write(""), *report = ck_test_write("");
    char *in = ck_test_write(same);
    ck_score_options so;
    ck_score_options_init(&so);
    so.drift_report = report;
    ck_warnings_init(&w);
    ck_assert_int_eq(ck_score(ms, 1, in, out, &so, &sum, &w, &err), CK_OK);
    ck_assert_uint_eq(sum.ndrift, 2);
    ck_assert(sum.drift[0].psi < 0.05 && sum.drift[1].psi < 0.05); /* same distribution */
    ck_assert_uint_eq(w.n, 0);
    ck_score_summary_fini(&sum);
    ck_warnings_fini(&w);
    unlink(in);
    free(in);
    in = ck_test_write(moved);
    ck_warnings_init(&w);
    ck_assert_int_eq(ck_score(ms, 1, in, out, &so, &sum, &w, &err), CK_OK);
    ck_assert_str_eq(sum.drift[0].feature, "x");
    ck_assert(sum.drift[0].psi > 0.2);  /* x moved by 1.5 */
    ck_assert(sum.drift[1].psi < 0.05); /* z did not */
    ck_assert_uint_eq(w.n, 1);
    ck_assert(strstr(w.msg[0], "feature 'x' has drifted") != NULL);
    char *text = ck_test_slurp(report);
    ck_assert(strncmp(text, "model,feature,psi\nchurn,x,", 26) == 0);
    free(text);
    ck_score_summary_fini(&sum);
    ck_warnings_fini(&w);
    /* too few rows to judge (11 bins: 4 x 10 / 0.2 = 200 needed): one
     * warning saying so, none naming a feature; 200 rows are judged */
    static const size_t rows[] = {20, 199, 200};
    for (size_t k = 0; k < 3; k++) {
        char *few = world_csv(rows[k], 1.5, 14), *path = ck_test_write(few);
        ck_warnings_init(&w);
        ck_assert_int_eq(ck_score(ms, 1, path, out, &so, &sum, &w, &err), CK_OK);
        ck_assert_uint_eq(sum.drift[0].bins, 11);
        ck_assert(sum.drift[0].psi > 0.2);
        ck_assert_int_eq(sum.drift[0].judged, rows[k] >= 200);
        ck_assert_uint_eq(sum.drift_rows, rows[k] < 200 ? 200 : 0);
        ck_assert_uint_eq(w.n, 1);
        if (rows[k] < 200)
            ck_assert_msg(strstr(w.msg[0], "drift not judged for 2 of 2 model inputs: ") &&
                              strstr(w.msg[0], " rows are too few for PSI") &&
                              strstr(w.msg[0], "200 rows are needed for a threshold of 0.2"),
                          "%s", w.msg[0]);
        else
            ck_assert_msg(strstr(w.msg[0], "feature 'x' has drifted"), "%s", w.msg[0]);
        ck_score_summary_fini(&sum);
        ck_warnings_fini(&w);
        unlink(path);
        free(path);
        free(few);
    }
    ck_model_free(c);
    for (char **p = (char *[]){in, out, report, NULL}; *p; p++) {
        unlink(*p);
        free(*p);
    }
    free(train);
    free(same);
    free(moved);
}
END_TEST

START_TEST(test_threads_same_output)
{
    /* enough rows for many blocks: the bytes do not depend on threads */
    char *csv = world_csv(60000, 0, 21);
    ck_model *c = train_on(csv, "churned_3m", "logistic", "churn");
    ck_model *g = train_on(csv, "value_change_3m", "linear", "value");
    ck_model *ms[] = {c, g};
    char *in = ck_test_write(csv), *o1 = ck_test_write(""), *o3 = ck_test_write("");
    ck_score_options so;
    ck_score_options_init(&so);
    so.reasons = 2;
    ck_error err;
    so.threads = 1;
    ck_assert_int_eq(ck_score(ms, 2, in, o1, &so, NULL, NULL, &err), CK_OK);
    so.threads = 3;
    ck_assert_int_eq(ck_score(ms, 2, in, o3, &so, NULL, NULL, &err), CK_OK);
    char *a = ck_test_slurp(o1), *b = ck_test_slurp(o3);
    ck_assert(strcmp(a, b) == 0);
    ck_assert(strlen(a) > 2u << 20); /* more than one block */
    free(a);
    free(b);
    ck_model_free(c);
    ck_model_free(g);
    for (char **p = (char *[]){in, o1, o3, NULL}; *p; p++) {
        unlink(*p);
        free(*p);
    }
    free(csv);
}
END_TEST

/* The column named `name` of a CSV text, cell by cell (a copy). */
static char **csv_column(const char *text, const char *name, size_t *n)
{
    char *path = ck_test_write(text);
    ck_table *t;
    ck_error err;
    ck_assert_msg(ck_table_read_csv(&t, path, NULL, &err) == CK_OK, "%s", err.message);
    size_t j;
    ck_assert_int_eq(ck_table_require(t, name, &j, &err), CK_OK);
    char **v = calloc(t->nrows, sizeof *v);
    for (size_t i = 0; i < t->nrows; i++) {
        char buf[64];
        if (t->col[j].num)
            snprintf(buf, sizeof buf, "%.9f", t->col[j].num[i]);
        else
            snprintf(buf, sizeof buf, "%s", ck_table_text(t, j, i));
        v[i] = strdup(buf);
    }
    *n = t->nrows;
    ck_table_free(t);
    unlink(path);
    free(path);
    return v;
}

/* A model that scores rows in batches (gbdt: two rows at a time, in
 * batches of 16) beside one that does not (logistic, with reasons): the
 * file gives each row the scores of in-memory scoring one row at a time,
 * the logistic model's columns are those of a run without the trees, and
 * an error inside a batch names its own line and leaves no output.  Rows
 * with a missing value (which walk the trees one at a time) come in runs
 * of 0 to 2. */
START_TEST(test_batched_rows_equal_one_at_a_time)
{
    enum { N = 203 };
    char *csv = world_csv(N, 0, 5);
    size_t line = 0;
    /* missing x in rows 3 and 4 of every 5: rewrite those rows' x as empty */
    char *in_text = malloc(strlen(csv) + 1), *o = in_text;
    line = 0;
    for (const char *c = csv; *c;) {
        const char *end = strchr(c, '\n') + 1, *x = strchr(c, ',') + 1, *xe = strchr(x, ',');
        if (line > 0 && (line % 5 == 3 || line % 5 == 4)) {
            memcpy(o, c, (size_t)(x - c));
            o += x - c;
            memcpy(o, xe, (size_t)(end - xe));
            o += end - xe;
        } else {
            memcpy(o, c, (size_t)(end - c));
            o += end - c;
        }
        *o = '\0';
        c = end;
        line++;
    }
    ck_model *g = train_on(csv, "churned_3m", "gbdt", "trees");
    ck_model *c = train_on(csv, "churned_3m", "logistic", "lin");
    ck_assert(ck_model_scores_rows(g) && !ck_model_scores_rows(c));
    char *in = ck_test_write(in_text), *both = ck_test_write(""), *alone = ck_test_write("");
    ck_score_options so;
    ck_score_options_init(&so);
    so.decimals = 9;
    so.reasons = 2;
    so.segments = 0;
    ck_error err;
    ck_model *ms[] = {g, c};
    ck_assert_msg(ck_score(ms, 2, in, both, &so, NULL, NULL, &err) == CK_OK, "%s", err.message);
    ck_assert_msg(ck_score(ms + 1, 1, in, alone, &so, NULL, NULL, &err) == CK_OK, "%s",
                  err.message);
    /* the trees' scores: those of one row at a time */
    ck_table *t;
    ck_assert_int_eq(ck_table_read_csv(&t, in, NULL, &err), CK_OK);
    size_t rows[N], n;
    double p[N];
    for (size_t i = 0; i < N; i++)
        rows[i] = i;
    ck_assert_int_eq(ck_model_score_table(g, t, rows, N, 1, p, &err), CK_OK);
    char *text = ck_test_slurp(both), *text1 = ck_test_slurp(alone);
    char **prob = csv_column(text, "trees_prob", &n);
    ck_assert_uint_eq(n, N);
    for (size_t i = 0; i < N; i++) {
        char want[64];
        snprintf(want, sizeof want, "%.9f", p[i]);
        ck_assert_msg(strcmp(prob[i], want) == 0, "row %zu: %s, one at a time %s", i, prob[i],
                      want);
        free(prob[i]);
    }
    free(prob);
    /* the logistic model's columns, with and without the trees beside it */
    static const char *cols[] = {"lin_prob", "lin_label", "lin_reason1", "lin_reason1_effect",
                                 "lin_reason2_effect"};
    for (size_t k = 0; k < sizeof cols / sizeof *cols; k++) {
        size_t n1;
        char **a = csv_column(text, cols[k], &n), **b = csv_column(text1, cols[k], &n1);
        ck_assert_uint_eq(n, n1);
        for (size_t i = 0; i < n; i++) {
            ck_assert_msg(strcmp(a[i], b[i]) == 0, "%s row %zu: %s, alone %s", cols[k], i, a[i],
                          b[i]);
            free(a[i]);
            free(b[i]);
        }
        free(a);
        free(b);
    }
    free(text);
    free(text1);
    ck_table_free(t);
    /* text in row 37 (line 38, the 6th row of the third batch) */
    char *bad = strdup(in_text), *r37 = bad;
    for (int k = 0; k < 37; k++)
        r37 = strchr(r37, '\n') + 1;
    memcpy(strchr(r37, ',') + 1, "x", 1);
    char *bad_in = ck_test_write(bad), out[300];
    char dir[] = "/tmp/churnkit-score-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(out, sizeof out, "%s/scores.csv", dir);
    ck_assert_int_eq(ck_score(ms, 2, bad_in, out, &so, NULL, NULL, &err), CK_EDATA);
    ck_assert_msg_contains(err, ":38:2: text");
    ck_assert_int_eq(access(out, F_OK), -1);
    rmdir(dir);
    for (char **f = (char *[]){in, both, alone, bad_in, NULL}; *f; f++) {
        unlink(*f);
        free(*f);
    }
    free(bad);
    free(in_text);
    free(csv);
    ck_model_free(g);
    ck_model_free(c);
}
END_TEST

static Suite *score_suite(void)
{
    Suite *s = suite_create("score");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_scores_and_reasons);
    tcase_add_test(tc, test_contributions_are_linear_shap);
    tcase_add_test(tc, test_signed_reasons);
    tcase_add_test(tc, test_file_equals_in_memory);
    tcase_add_test(tc, test_headerless_input);
    tcase_add_test(tc, test_errors_leave_no_output);
    tcase_add_test(tc, test_segments_horizons_and_bands);
    tcase_add_test(tc, test_actions_file);
    tcase_add_test(tc, test_drift_names_the_shifted_feature);
    tcase_add_test(tc, test_threads_same_output);
    tcase_add_test(tc, test_batched_rows_equal_one_at_a_time);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}

CK_TEST_MAIN(score_suite)
