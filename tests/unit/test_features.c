/* The feature builder: hand-checked values on a tiny world, labels, point
 * in time (nothing after the snapshot changes a feature), the health and
 * RFM scores, and located errors. */
#include "testutil.h"

#include <math.h>
#include <sys/stat.h>

#include "churnkit/date.h"
#include "churnkit/features.h"
#include "churnkit/health.h"
#include "churnkit/synth.h"
#include "churnkit/table.h"

/* A tiny world in a fresh directory; the snapshot is 2024-04-01. */
static const char *ACCOUNTS =
    "account_id,signup_date,plan_tier,industry,company_size,region\n"
    "A1,2023-06-01,pro,retail,smb,europe\n"
    "A2,2024-02-15,basic,media,mid_market,apac\n"
    "A3,2023-01-01,basic,media,smb,apac\n"     /* churned in February */
    "A4,2024-05-01,basic,media,smb,apac\n";    /* signs up after the snapshot */
static const char *USERS =
    "user_id,account_id,created\nu1,A1,2023-06-01\nu2,A1,2023-07-01\nu3,A2,2024-02-15\n"
    "u4,A3,2023-01-01\nu5,A1,2024-04-10\nu6,A4,2024-05-01\n";
static const char *SESSIONS =
    "user_id,date,minutes\n"
    "u1,2023-12-01,100\n"                       /* before the 90-day window */
    "u1,2024-03-01,10\nu2,2024-03-01,20\nu1,2024-03-01,5\n"
    "u3,2024-03-20,30\nu1,2024-03-30,60\n"
    "u1,2024-04-02,999\nu5,2024-04-15,999\n";   /* after the snapshot */
static const char *EVENTS =
    "user_id,date,feature,clicks\n"
    "u1,2024-03-01,reports,3\nu1,2024-03-01,chat,2\nu2,2024-03-01,reports,4\n"
    "u3,2024-03-20,chat,1\nu1,2024-04-03,reports,50\n";
static const char *CATALOGUE = "feature,is_core\nreports,1\nchat,0\n";
static const char *NPS = "user_id,date,score\nu1,2023-09-01,9\nu2,2024-02-01,6\nu3,2024-05-01,0\n";
static const char *REVENUE =
    "account_id,month,mrr\n"
    "A3,2024-01,10\n"
    "A1,2024-03,100\nA2,2024-03,20\n"
    "A1,2024-04,110\nA2,2024-04,20\nA1,2024-05,120\nA2,2024-05,20\nA1,2024-06,130\n"
    "A1,2024-07,130\nA1,2024-08,130\nA1,2024-09,130\n";

typedef struct world {
    char dir[64];
    ck_features_inputs in;
    char paths[7][128];
} world;

static void put(world *w, int k, const char *name, const char *text)
{
    char dir[sizeof w->dir];
    memcpy(dir, w->dir, sizeof dir);
    snprintf(w->paths[k], sizeof w->paths[k], "%s/%s", dir, name);
    FILE *fp = fopen(w->paths[k], "w");
    fputs(text, fp);
    fclose(fp);
}

static void make_world(world *w, const char *sessions)
{
    memset(w, 0, sizeof *w);
    snprintf(w->dir, sizeof w->dir, "/tmp/churnkit-feat-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(w->dir));
    put(w, 0, "accounts.csv", ACCOUNTS);
    put(w, 1, "users.csv", USERS);
    put(w, 2, "sessions.csv", sessions ? sessions : SESSIONS);
    put(w, 3, "events.csv", EVENTS);
    put(w, 4, "catalogue.csv", CATALOGUE);
    put(w, 5, "nps.csv", NPS);
    put(w, 6, "revenue.csv", REVENUE);
    w->in = (ck_features_inputs){w->paths[0], w->paths[1], w->paths[2], w->paths[3],
                                 w->paths[4], w->paths[5], w->paths[6]};
}

static void drop_world(world *w)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", w->dir);
    ck_assert_int_eq(system(cmd), 0);
}

static ck_status build(world *w, const char *out, ck_error *err)
{
    ck_features_options o;
    ck_features_options_init(&o);
    ck_date_parse("2024-04-01", &o.snapshot);
    o.high_value_share = 0.5;
    return ck_features_build(&w->in, &o, out, NULL, NULL, err);
}

static double cell(const ck_table *t, size_t row, const char *col)
{
    size_t j;
    ck_error err;
    ck_assert_msg(ck_table_require(t, col, &j, &err) == CK_OK, "%s", err.message);
    ck_assert_int_eq(t->col[j].type, CK_COL_NUMERIC);
    return t->col[j].num[row];
}

START_TEST(test_hand_checked_features)
{
    world w;
    make_world(&w, NULL);
    char out[200];
    snprintf(out, sizeof out, "%s/features.csv", w.dir);
    ck_error err;
    ck_assert_msg(build(&w, out, &err) == CK_OK, "%s", err.message);
    ck_table *t;
    ck_table_options to;
    ck_table_options_init(&to);
    const char *cat[] = {"account_id"};
    to.categorical = cat;
    to.ncategorical = 1;
    ck_assert_msg(ck_table_read_csv(&t, out, &to, &err) == CK_OK, "%s", err.message);
    /* A3 churned (no revenue in March), A4 signs up later: two rows */
    ck_assert_uint_eq(t->nrows, 2);
    ck_assert_str_eq(ck_table_text(t, 0, 0), "A1");
    /* A1: sessions on 03-01 (three) and 03-30 in the window, 12-01 before it */
    ck_assert(cell(t, 0, "recency_days") == 2);           /* 04-01 minus 03-30 */
    ck_assert(cell(t, 0, "sessions") == 4);
    ck_assert(cell(t, 0, "total_minutes") == 95);
    ck_assert(fabs(cell(t, 0, "active_day_share") - 2.0 / 90) < 1e-6);
    ck_assert(cell(t, 0, "daily_minutes") == 47.5);
    ck_assert(cell(t, 0, "users_active") == 2);
    ck_assert(cell(t, 0, "users_total") == 2);            /* u5 is created after */
    ck_assert(cell(t, 0, "core_clicks") == 7);            /* reports: 3 + 4 */
    ck_assert(cell(t, 0, "core_clicks_per_user") == 3.5);
    ck_assert(cell(t, 0, "feature_breadth") == 1.5);      /* u1: 2 features, u2: 1 */
    ck_assert(cell(t, 0, "nps_avg") == 7.5 && cell(t, 0, "nps_responses") == 2);
    ck_assert(cell(t, 0, "mrr") == 100);
    ck_assert(cell(t, 0, "tenure_days") == 305);
    /* A2: signed up 02-15: its window is 46 days long */
    ck_assert(fabs(cell(t, 1, "active_day_share") - 1.0 / 46) < 1e-6);
    ck_assert(isnan(cell(t, 1, "nps_avg")));               /* its answer is after */
    /* labels: M0 = March; revenue runs to September (6 months ahead) */
    ck_assert(cell(t, 0, "churned_3m") == 0 && cell(t, 0, "churned_6m") == 0);
    ck_assert(cell(t, 1, "churned_3m") == 1 && cell(t, 1, "churned_6m") == 1);
    ck_assert(cell(t, 0, "value_change_3m") == 30);        /* June 130 - March 100 */
    ck_assert(cell(t, 1, "value_change_6m") == -20);
    ck_assert(cell(t, 0, "revenue_next_6m") == 750);
    ck_assert(cell(t, 1, "revenue_next_6m") == 40);
    ck_assert(cell(t, 0, "high_value") == 1 && cell(t, 1, "high_value") == 0);
    /* time to churn: A1 pays through September, the data's end (6 months
     * on, censored); A2 pays April and May, not June (churned in 3) */
    ck_assert(cell(t, 0, "churn_months") == 6 && cell(t, 0, "churn_event") == 0);
    ck_assert(cell(t, 1, "churn_months") == 3 && cell(t, 1, "churn_event") == 1);
    ck_table_free(t);
    drop_world(&w);
}
END_TEST

START_TEST(test_labels_empty_beyond_the_data)
{
    world w;
    make_world(&w, NULL);
    put(&w, 6, "revenue.csv",
        "account_id,month,mrr\nA1,2024-03,100\nA2,2024-03,20\nA1,2024-04,110\nA1,2024-06,110\n");
    char out[200];
    snprintf(out, sizeof out, "%s/f.csv", w.dir);
    ck_error err;
    ck_assert_msg(build(&w, out, &err) == CK_OK, "%s", err.message);
    char *text = ck_test_slurp(out);
    /* churned_3m known (June is in the data), the 6-month labels empty;
     * the time to churn is known for every account: A1 missed May (2
     * months: a gap counts, even when it pays again in June), A2 April */
    ck_assert_msg(strstr(text, ",0,,10,,,,2,1\n") != NULL, "%s", text);
    ck_assert_msg(strstr(text, ",1,,-20,,,,1,1\n") != NULL, "%s", text);
    free(text);
    drop_world(&w);
}
END_TEST

/* --data-end: the table a business had when its revenue data ended in June
 * is the one built from a revenue file cut there, byte for byte; before
 * the snapshot's month it is a usage error. */
START_TEST(test_data_end_is_a_shorter_file)
{
    world w, cut;
    make_world(&w, NULL);
    make_world(&cut, NULL);
    put(&cut, 6, "revenue.csv",
        "account_id,month,mrr\n"
        "A3,2024-01,10\nA1,2024-03,100\nA2,2024-03,20\n"
        "A1,2024-04,110\nA2,2024-04,20\nA1,2024-05,120\nA2,2024-05,20\nA1,2024-06,130\n");
    char a[200], b[200];
    snprintf(a, sizeof a, "%s/f.csv", w.dir);
    snprintf(b, sizeof b, "%s/f.csv", cut.dir);
    ck_features_options o;
    ck_features_options_init(&o);
    ck_date_parse("2024-04-01", &o.snapshot);
    o.high_value_share = 0.5;
    ck_error err;
    ck_assert_msg(ck_features_build(&cut.in, &o, b, NULL, NULL, &err) == CK_OK, "%s",
                  err.message);
    ck_date_parse_month("2024-06", &o.data_end);
    ck_assert_msg(ck_features_build(&w.in, &o, a, NULL, NULL, &err) == CK_OK, "%s",
                  err.message);
    char *ta = ck_test_slurp(a), *tb = ck_test_slurp(b);
    ck_assert_str_eq(ta, tb);
    /* A1 censored after 3 months, the 6-month labels empty */
    ck_assert_msg(strstr(ta, ",,,3,0\n") != NULL, "%s", ta);
    free(ta);
    free(tb);
    ck_date_parse_month("2024-02", &o.data_end);
    ck_assert_int_eq(ck_features_build(&w.in, &o, a, NULL, NULL, &err), CK_EUSAGE);
    ck_assert_msg(strstr(err.message, "--data-end") != NULL, "%s", err.message);
    drop_world(&w);
    drop_world(&cut);
}
END_TEST

/* The label columns of the table (every group's); any other column is a
 * feature and must not see past the snapshot. */
static const char *const LABEL_COLUMNS[] = {
    "churned_3m", "churned_6m", "value_change_3m", "value_change_6m", "revenue_next_6m",
    "high_value", "churn_months", "churn_event", "expanded_3m", "expanded_6m", "contracted_3m",
    "contracted_6m", "nps_change_6m", "activity_change_3m", "last_paid_m0"};
enum { NLABEL_COLUMNS = sizeof LABEL_COLUMNS / sizeof *LABEL_COLUMNS };

static int is_label(const char *name, size_t len)
{
    for (size_t k = 0; k < NLABEL_COLUMNS; k++)
        if (strlen(LABEL_COLUMNS[k]) == len && memcmp(LABEL_COLUMNS[k], name, len) == 0)
            return 1;
    return 0;
}

/* Copies the CSV `in` (no quoting: the builder's tables of synthetic ids)
 * to `out`, keeping the label columns (labels 1) or the others (0); returns
 * how many columns it kept. */
static int keep_columns(const char *in, const char *out, int labels)
{
    char *text = ck_test_slurp(in);
    int keep[128], ncols = 0, kept = 0;
    FILE *fp = fopen(out, "w");
    ck_assert_ptr_nonnull(fp);
    const char *p = text;
    for (int line = 0; *p; line++) {
        for (int col = 0;; col++) {
            const char *e = p + strcspn(p, ",\n");
            if (line == 0) {
                ck_assert_int_lt(ncols, 128);
                keep[ncols++] = is_label(p, (size_t)(e - p)) == labels;
                kept += keep[col];
            }
            ck_assert_int_lt(col, ncols);
            if (keep[col])
                fprintf(fp, "%.*s,", (int)(e - p), p);
            p = *e ? e + 1 : e;
            if (*e != ',')
                break;
        }
        fputc('\n', fp);
    }
    fclose(fp);
    free(text);
    return kept;
}

START_TEST(test_nothing_after_the_snapshot_matters)
{
    /* a synthetic world; then every row dated on or after the snapshot is
     * changed and more are added: with every group, trend included, no
     * feature moves; the labels (old and trend ones) do */
    char dir[] = "/tmp/churnkit-pit-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_synth_options so;
    ck_synth_options_init(&so);
    so.accounts = 150;
    so.months = 12;
    so.seed = 5;
    ck_error err;
    ck_assert_msg(ck_synth_write(&so, dir, NULL, NULL, &err) == CK_OK, "%s", err.message);
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "cd %s && mkdir -p b && cp *.csv b/ && cd b && "
             "awk -F, 'BEGIN{OFS=\",\"} NR>1 && $2>=\"2024-07-01\" {$3=$3*7+1} {print} "
             "END{print \"U000001-0000,2024-12-30,555\"}' sessions.csv > x && mv x sessions.csv && "
             "awk -F, 'BEGIN{OFS=\",\"} NR>1 && $2>=\"2024-07-01\" {$4=$4+9} {print} "
             "END{print \"U000001-0000,2024-12-31,dashboards,5\"}' "
             "feature_events.csv > x && mv x feature_events.csv && "
             "awk -F, 'BEGIN{OFS=\",\"} NR>1 && $2>=\"2024-07-01\" {$3=0} {print} "
             "END{print \"U000001-0000,2024-12-31,10\"}' nps.csv > x && "
             "mv x nps.csv && "
             "awk -F, 'BEGIN{OFS=\",\"} NR>1 && $2>\"2024-06\" {$3=$3*3} {print}' revenue.csv > x "
             "&& mv x revenue.csv && "
             "awk -F, 'BEGIN{OFS=\",\"} NR>1 && $3>=\"2024-07-01\" {$3=\"2024-12-31\"} {print}' "
             "users.csv > x && mv x users.csv",
             dir);
    ck_assert_int_eq(system(cmd), 0);
    char a[256], b[256], fa[256], fb[256];
    snprintf(a, sizeof a, "%s", dir);
    snprintf(b, sizeof b, "%s/b", dir);
    snprintf(fa, sizeof fa, "%s/fa.csv", dir);
    snprintf(fb, sizeof fb, "%s/fb.csv", dir);
    const char *dirs[2] = {a, b}, *outs[2] = {fa, fb};
    for (int k = 0; k < 2; k++) {
        char p[7][300];
        static const char *names[] = {"accounts.csv", "users.csv", "sessions.csv",
                                      "feature_events.csv", "features.csv", "nps.csv",
                                      "revenue.csv"};
        for (int i = 0; i < 7; i++)
            snprintf(p[i], sizeof p[i], "%s/%s", dirs[k], names[i]);
        ck_features_inputs in = {p[0], p[1], p[2], p[3], p[4], p[5], p[6]};
        ck_features_options o;
        ck_features_options_init(&o);
        ck_date_parse("2024-07-01", &o.snapshot);
        o.groups = CK_FEATURES_ALL;
        ck_assert_msg(ck_features_build(&in, &o, outs[k], NULL, NULL, &err) == CK_OK, "%s",
                      err.message);
    }
    /* every column but the 15 labels is a feature: 23 + 10 trend ones */
    char fa_f[300], fb_f[300], fa_l[300], fb_l[300];
    snprintf(fa_f, sizeof fa_f, "%s.f", fa);
    snprintf(fb_f, sizeof fb_f, "%s.f", fb);
    snprintf(fa_l, sizeof fa_l, "%s.l", fa);
    snprintf(fb_l, sizeof fb_l, "%s.l", fb);
    ck_assert_int_eq(keep_columns(fa, fa_f, 0), 33);
    ck_assert_int_eq(keep_columns(fb, fb_f, 0), 33);
    ck_assert_int_eq(keep_columns(fa, fa_l, 1), NLABEL_COLUMNS);
    ck_assert_int_eq(keep_columns(fb, fb_l, 1), NLABEL_COLUMNS);
    snprintf(cmd, sizeof cmd, "cmp -s %s %s", fa_f, fb_f);
    ck_assert_msg(system(cmd) == 0, "a change after the snapshot changed a feature");
    snprintf(cmd, sizeof cmd, "cmp -s %s %s", fa_l, fb_l);
    ck_assert_msg(system(cmd) != 0, "the labels should see the changed future");
    /* the trend labels themselves see it: future revenue tripled, answers 0 */
    snprintf(cmd, sizeof cmd, "cut -d, -f9- %s > %s.t && cut -d, -f9- %s > %s.t && "
                              "! cmp -s %s.t %s.t", fa_l, fa_l, fb_l, fb_l, fa_l, fb_l);
    ck_assert_msg(system(cmd) == 0, "the trend labels should see the changed future");
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* In the synthetic world churn is for good: the time to churn agrees with
 * the horizon labels wherever both are known, and every account has one. */
START_TEST(test_time_to_churn_agrees_with_labels)
{
    char dir[] = "/tmp/churnkit-ttc-XXXXXX", out[300];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_synth_options so;
    ck_synth_options_init(&so);
    so.accounts = 400;
    so.months = 14;
    so.seed = 9;
    ck_error err;
    ck_assert_msg(ck_synth_write(&so, dir, NULL, NULL, &err) == CK_OK, "%s", err.message);
    char p[7][300];
    static const char *names[] = {"accounts.csv", "users.csv", "sessions.csv",
                                  "feature_events.csv", "features.csv", "nps.csv", "revenue.csv"};
    for (int i = 0; i < 7; i++)
        snprintf(p[i], sizeof p[i], "%s/%s", dir, names[i]);
    ck_features_inputs in = {p[0], p[1], p[2], p[3], p[4], p[5], p[6]};
    ck_features_options o;
    ck_features_options_init(&o);
    ck_date_parse("2024-10-01", &o.snapshot); /* 5 months of future: churned_6m unknown */
    snprintf(out, sizeof out, "%s/f.csv", dir);
    ck_assert_msg(ck_features_build(&in, &o, out, NULL, NULL, &err) == CK_OK, "%s", err.message);
    ck_table *t;
    ck_assert_msg(ck_table_read_csv(&t, out, NULL, &err) == CK_OK, "%s", err.message);
    size_t events = 0, censored = 0;
    for (size_t i = 0; i < t->nrows; i++) {
        double m = cell(t, i, "churn_months"), e = cell(t, i, "churn_event");
        ck_assert(m >= 1 && m <= 5 && (e == 0 || e == 1));
        ck_assert(e == 1 || m == 5); /* censored only at the data's end */
        ck_assert(cell(t, i, "churned_3m") == (e == 1 && m <= 3));
        ck_assert(isnan(cell(t, i, "churned_6m")));
        events += e == 1;
        censored += e == 0;
    }
    ck_assert(events > 10 && censored > 100);
    ck_table_free(t);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static void expect_error(const char *sessions, const char *fragment)
{
    world w;
    make_world(&w, sessions);
    char out[200];
    snprintf(out, sizeof out, "%s/f.csv", w.dir);
    ck_error err;
    ck_assert_int_eq(build(&w, out, &err), CK_EDATA);
    ck_assert_msg_contains(err, fragment);
    ck_assert_int_eq(access(out, F_OK), -1);
    drop_world(&w);
}

START_TEST(test_located_errors)
{
    expect_error("user_id,date,minutes\nu1,2024-03-01,5\nu9,2024-03-02,5\n",
                 "sessions.csv:3:1: unknown user_id 'u9'");
    expect_error("user_id,date,minutes\nu1,2024-03-01,5\nu1,2024-02-30,5\n",
                 "sessions.csv:3:2: bad date (expected YYYY-MM-DD): '2024-02-30'");
    expect_error("user_id,date,minutes\nu1,2024-03-02,5\nu1,2024-03-01,5\n",
                 "sessions.csv:3:2: date 2024-03-01 comes after 2024-03-02");
    expect_error("user_id,date,minutes\nu1,2024-03-01,five\n",
                 "sessions.csv:2:3: not a number: 'five'");
    expect_error("user,date,minutes\nu1,2024-03-01,5\n", "no column 'user_id'");
}
END_TEST

START_TEST(test_same_inputs_same_bytes)
{
    world w;
    make_world(&w, NULL);
    char o1[200], o2[200];
    snprintf(o1, sizeof o1, "%s/1.csv", w.dir);
    snprintf(o2, sizeof o2, "%s/2.csv", w.dir);
    ck_error err;
    ck_assert_int_eq(build(&w, o1, &err), CK_OK);
    ck_assert_int_eq(build(&w, o2, &err), CK_OK);
    char *a = ck_test_slurp(o1), *b = ck_test_slurp(o2);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
    drop_world(&w);
}
END_TEST

START_TEST(test_health_and_quintiles)
{
    ck_health_input best = {0, 1, 10, 10, 10, 5000, "enterprise"};
    ck_assert(fabs(ck_health_score(&best) - 100 * (0.4 * 1 + 0.3 * 1 + 0.2 * 1 +
                                                   0.1 * (0.5 + 0.5 * log1p(10) / log1p(100)))) < 1e-9);
    ck_health_input none = {NAN, 0, 0, 3, NAN, 0, "smb"};
    ck_assert(fabs(ck_health_score(&none) - 100 * 0.1 * (0.5 / 3 + 0.5 * log1p(3) / log1p(100))) < 1e-9);
    ck_assert_str_eq(ck_health_band(80), "high");
    ck_assert_str_eq(ck_health_band(79.99), "medium");
    ck_assert_str_eq(ck_health_band(50), "medium");
    ck_assert_str_eq(ck_health_band(49.9), "low");
    ck_assert_ptr_null(ck_health_band(NAN));
    double v[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, s[10];
    ck_assert_int_eq(ck_quintile_scores(v, 10, 0, s), 0);
    for (int i = 0; i < 10; i++)
        ck_assert(s[i] == 1 + i / 2);
    ck_assert_int_eq(ck_quintile_scores(v, 10, 1, s), 0); /* lower is better */
    ck_assert(s[0] == 5 && s[9] == 1);
    double tie[4] = {3, 3, 3, 3};
    ck_assert_int_eq(ck_quintile_scores(tie, 4, 0, s), 0);
    ck_assert(s[0] == 3 && s[3] == 3); /* a full tie sits in the middle */
}
END_TEST

/* ------------------------------------------------------------------ */
/* the trend group and the trend labels on a world made by hand */

/* Snapshot T = 2024-07-01: M0 = 2024-06; T - 30 = 06-01, T - 60 = 05-02,
 * T - 90 = 04-02, T - 150 = 02-02; T - 3 months = 04-01 (91 days before),
 * T + 3 months = 10-01 (92 days on), T + 6 months = 2025-01-01.  The
 * data's first session is 2024-01-05 (before T - 150: removals are seen),
 * its first event 2024-04-10, its first revenue month 2024-01. */
static const char *T_ACCOUNTS =
    "account_id,signup_date,plan_tier,industry,company_size,region\n"
    "B1,2023-01-01,pro,retail,smb,europe\n"
    "B2,2024-05-20,basic,media,smb,apac\n"     /* signs up inside the window */
    "B3,2023-06-01,basic,media,smb,apac\n";    /* pays June, not July */
static const char *T_USERS =
    "user_id,account_id,created\n"
    "v1,B1,2023-01-01\nv2,B1,2023-01-01\nx1,B3,2023-06-01\nv3,B1,2024-05-10\n"
    "w1,B2,2024-05-20\nv4,B1,2024-08-01\n";
static const char *T_SESSIONS =
    "user_id,date,minutes\n"
    "v2,2024-01-05,7\nv2,2024-03-01,7\n"              /* v2 goes silent */
    "v1,2024-04-10,30\n"
    "v1,2024-05-10,20\nv3,2024-05-10,10\nw1,2024-05-25,10\n"
    "v1,2024-06-05,40\nw1,2024-06-10,20\nw1,2024-06-11,30\nx1,2024-06-15,5\n"
    "v1,2024-06-20,50\nv3,2024-06-20,5\n"
    "v1,2024-07-02,999\nv1,2024-08-15,1\nv4,2024-08-15,1\n" /* after T */
    "v1,2024-10-01,1\n";                                    /* after T + 3 months */
static const char *T_EVENTS =
    "user_id,date,feature,clicks\n"
    "v1,2024-04-10,reports,6\n"
    "v1,2024-05-10,chat,2\nv3,2024-05-10,reports,3\n"
    "v1,2024-06-05,chat,1\nv1,2024-06-05,reports,9\n"
    "v1,2024-06-20,reports,3\nv3,2024-06-20,chat,1\n"
    "v1,2024-07-05,reports,100\n";                          /* after T */
static const char *T_NPS =
    "user_id,date,score\n"
    "v1,2024-02-10,9\nv2,2024-03-01,5\nv1,2024-05-20,6\nv3,2024-05-20,9\n"
    "v1,2024-08-01,4\nv4,2024-08-01,9\nv1,2024-09-01,10\n"; /* after T */
static const char *T_REVENUE =
    "account_id,month,mrr\n"
    "B1,2024-01,80\nB3,2024-01,40\nB1,2024-02,80\nB3,2024-02,40\nB1,2024-03,80\nB3,2024-03,40\n"
    "B1,2024-04,85\nB3,2024-04,40\nB1,2024-05,90\nB2,2024-05,50\nB3,2024-05,40\n"
    "B1,2024-06,100\nB2,2024-06,50\nB3,2024-06,40\n"
    "B1,2024-07,100\nB2,2024-07,50\nB1,2024-08,100\nB1,2024-09,120\nB1,2024-10,120\n"
    "B1,2024-11,120\nB1,2024-12,90\n";

static void make_trend_world(world *w)
{
    memset(w, 0, sizeof *w);
    snprintf(w->dir, sizeof w->dir, "/tmp/churnkit-trend-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(w->dir));
    put(w, 0, "accounts.csv", T_ACCOUNTS);
    put(w, 1, "users.csv", T_USERS);
    put(w, 2, "sessions.csv", T_SESSIONS);
    put(w, 3, "events.csv", T_EVENTS);
    put(w, 4, "catalogue.csv", CATALOGUE);
    put(w, 5, "nps.csv", T_NPS);
    put(w, 6, "revenue.csv", T_REVENUE);
    w->in = (ck_features_inputs){w->paths[0], w->paths[1], w->paths[2], w->paths[3],
                                 w->paths[4], w->paths[5], w->paths[6]};
}

/* Builds the trend world's table with `groups` (and the data ending in
 * `data_end`, "" for all of it) and reads it back. */
static ck_table *trend_table(world *w, unsigned groups, const char *data_end)
{
    ck_features_options o;
    ck_features_options_init(&o);
    ck_date_parse("2024-07-01", &o.snapshot);
    o.groups = groups;
    if (*data_end)
        ck_date_parse_month(data_end, &o.data_end);
    char out[200];
    snprintf(out, sizeof out, "%s/trend.csv", w->dir);
    ck_error err;
    ck_assert_msg(ck_features_build(&w->in, &o, out, NULL, NULL, &err) == CK_OK, "%s",
                  err.message);
    ck_table *t;
    ck_table_options to;
    ck_table_options_init(&to);
    const char *cat[] = {"account_id"};
    to.categorical = cat;
    to.ncategorical = 1;
    ck_assert_msg(ck_table_read_csv(&t, out, &to, &err) == CK_OK, "%s", err.message);
    ck_assert_uint_eq(t->nrows, 3);
    ck_assert_str_eq(ck_table_text(t, 0, 0), "B1");
    ck_assert_str_eq(ck_table_text(t, 0, 1), "B2");
    ck_assert_str_eq(ck_table_text(t, 0, 2), "B3");
    return t;
}

#define NEAR(x, v, tol) ck_assert_msg(fabs((x) - (v)) <= (tol), "%s = %.9g, expected %.9g", #x, (x), (double)(v))

START_TEST(test_trend_features_by_hand)
{
    world w;
    make_trend_world(&w);
    ck_table *t = trend_table(&w, CK_FEATURES_TREND, "");
    ck_assert_uint_eq(t->ncols, 11); /* account_id and the trend group only */
    /* B1: active days 06-05, 06-20 in the last 30; 04-10, 05-10 (v1 and v3:
     * one account day) in the 60 before: 2/30 - 2/60 = 1/30 */
    NEAR(cell(t, 0, "active_day_share_change"), 1.0 / 30, 1e-6);
    /* minutes 40 + 50 + 5 = 95 over 30 days, 30 + 20 + 10 = 60 over 60 */
    NEAR(cell(t, 0, "minutes_per_day_change"), 95.0 / 30 - 1, 1e-4);
    /* core (reports) clicks 9 + 3 = 12 over 30, 6 + 3 = 9 over 60: 0.25 */
    NEAR(cell(t, 0, "core_clicks_per_day_change"), 0.25, 1e-9);
    /* breadth by 30-day block: [04-02, 05-02) v1 {reports}: 1; [05-02,
     * 06-01) v1 {chat}, v3 {reports}: 1; last 30 days v1 {reports, chat},
     * v3 {chat}: 1.5; so 1.5 - (1 + 1) / 2 */
    NEAR(cell(t, 0, "feature_breadth_change"), 0.5, 1e-9);
    /* MRR 100 in June, 90 in May, 80 in March */
    ck_assert(cell(t, 0, "mrr_change_1m") == 10 && cell(t, 0, "mrr_change_3m") == 20);
    /* v3 created 05-10 (v4 after T); v2 last seen 03-01, in [02-02, 04-02) */
    ck_assert(cell(t, 0, "users_added_90d") == 1 && cell(t, 0, "users_removed_90d") == 1);
    /* answers: 02-10 9, 03-01 5, 05-20 6 and 9 (a day's mean: 7.5): 7.5 - 5 */
    NEAR(cell(t, 0, "nps_last_change"), 2.5, 1e-9);
    ck_assert(cell(t, 0, "core_recency_days") == 11); /* reports on 06-20 */

    /* B2 signed up 05-20: the earlier span is [05-20, 06-01), 12 days with
     * one active day (05-25); the last 30 days have 2 (06-10, 06-11) */
    NEAR(cell(t, 1, "active_day_share_change"), 2.0 / 30 - 1.0 / 12, 1e-6);
    NEAR(cell(t, 1, "minutes_per_day_change"), 50.0 / 30 - 10.0 / 12, 1e-4);
    ck_assert(cell(t, 1, "core_clicks_per_day_change") == 0);
    ck_assert(isnan(cell(t, 1, "feature_breadth_change"))); /* no earlier block is whole */
    /* 50 in May; nothing in March (before its signup): 0 */
    ck_assert(cell(t, 1, "mrr_change_1m") == 0 && cell(t, 1, "mrr_change_3m") == 50);
    ck_assert(cell(t, 1, "users_added_90d") == 1 && cell(t, 1, "users_removed_90d") == 0);
    ck_assert(isnan(cell(t, 1, "nps_last_change")));
    /* no core use: idle since its signup, 05-20 to 07-01 */
    ck_assert(cell(t, 1, "core_recency_days") == 42);

    /* B3: one active day (06-15) in the last 30, none before: 1/30 */
    NEAR(cell(t, 2, "active_day_share_change"), 1.0 / 30, 1e-6);
    ck_assert(cell(t, 2, "mrr_change_1m") == 0 && cell(t, 2, "mrr_change_3m") == 0);
    /* no core use; the events start 04-10, after its signup: 82 days */
    ck_assert(cell(t, 2, "core_recency_days") == 82);
    ck_table_free(t);

    /* a snapshot the data hardly reaches back from: 2024-04-01 (M0 - 3 =
     * 2023-12, before the revenue; T - 150 before the first session) */
    ck_features_options o;
    ck_features_options_init(&o);
    ck_date_parse("2024-04-01", &o.snapshot);
    o.groups = CK_FEATURES_TREND;
    char out[200];
    snprintf(out, sizeof out, "%s/early.csv", w.dir);
    ck_error err;
    ck_assert_msg(ck_features_build(&w.in, &o, out, NULL, NULL, &err) == CK_OK, "%s",
                  err.message);
    ck_assert_msg(ck_table_read_csv(&t, out, NULL, &err) == CK_OK, "%s", err.message);
    ck_assert_uint_eq(t->nrows, 2); /* B1 and B3 */
    for (size_t i = 0; i < 2; i++) {
        ck_assert(cell(t, i, "mrr_change_1m") == 0);          /* 80 - 80, 40 - 40 */
        ck_assert(isnan(cell(t, i, "mrr_change_3m")));
        ck_assert(isnan(cell(t, i, "users_removed_90d")));
    }
    /* the sessions start 01-05: the 60 days before [03-02, 04-01) are cut
     * to [01-05, 03-02), 57 days, with B1 active on 01-05 and 03-01; none
     * in the last 30 days */
    NEAR(cell(t, 0, "active_day_share_change"), -2.0 / 57, 1e-6);
    ck_table_free(t);
    drop_world(&w);
}
END_TEST

START_TEST(test_trend_labels_by_hand)
{
    world w;
    make_trend_world(&w);
    ck_table *t = trend_table(&w, CK_FEATURES_TREND_LABELS, "");
    ck_assert_uint_eq(t->ncols, 8);
    /* B1: 100 in June, 120 in September (M0 + 3), 90 in December (M0 + 6) */
    ck_assert(cell(t, 0, "expanded_3m") == 1 && cell(t, 0, "contracted_3m") == 0);
    ck_assert(cell(t, 0, "expanded_6m") == 0 && cell(t, 0, "contracted_6m") == 1);
    /* the first answers after T, 08-01: 4 and 9, mean 6.5; the last before,
     * 05-20: 7.5 */
    NEAR(cell(t, 0, "nps_change_6m"), -1, 1e-9);
    /* active days 07-02, 08-15 (v1 and v4) of the 92 in [07-01, 10-01);
     * 04-10, 05-10, 06-05, 06-20 of the 91 in [04-01, 07-01) */
    NEAR(cell(t, 0, "activity_change_3m"), 2.0 / 92 - 4.0 / 91, 1e-6);
    ck_assert(cell(t, 0, "last_paid_m0") == 0);
    /* B2 pays July only: churned, neither expanded nor contracted */
    for (int k = 0; k < 4; k++)
        ck_assert(cell(t, 1, LABEL_COLUMNS[8 + k]) == 0);
    ck_assert(isnan(cell(t, 1, "nps_change_6m")));
    /* no session after T; 3 active days in [05-20, 07-01), 42 days */
    NEAR(cell(t, 1, "activity_change_3m"), -3.0 / 42, 1e-6);
    ck_assert(cell(t, 1, "last_paid_m0") == 0);
    /* B3 last paid in June, M0: decided before the snapshot */
    ck_assert(cell(t, 2, "last_paid_m0") == 1);
    ck_assert(cell(t, 2, "expanded_3m") == 0 && cell(t, 2, "contracted_6m") == 0);
    NEAR(cell(t, 2, "activity_change_3m"), -1.0 / 91, 1e-6);
    ck_table_free(t);

    /* the data ending with September (M0 + 3): the 3-month labels stay,
     * the 6-month ones are empty */
    t = trend_table(&w, CK_FEATURES_TREND_LABELS, "2024-09");
    ck_assert(cell(t, 0, "expanded_3m") == 1 && isnan(cell(t, 0, "expanded_6m")));
    ck_assert(isnan(cell(t, 0, "contracted_6m")) && isnan(cell(t, 0, "nps_change_6m")));
    NEAR(cell(t, 0, "activity_change_3m"), 2.0 / 92 - 4.0 / 91, 1e-6);
    ck_assert(cell(t, 2, "last_paid_m0") == 1);
    ck_table_free(t);
    /* ending with M0: nothing past the snapshot is known */
    t = trend_table(&w, CK_FEATURES_TREND_LABELS, "2024-06");
    for (size_t i = 0; i < 3; i++)
        for (int k = 8; k < NLABEL_COLUMNS; k++)
            ck_assert_msg(isnan(cell(t, i, LABEL_COLUMNS[k])), "%s", LABEL_COLUMNS[k]);
    ck_table_free(t);
    drop_world(&w);
}
END_TEST

/* The groups: the default is the table as it was; the trend groups only
 * add columns, and leave the others as they were. */
START_TEST(test_groups)
{
    unsigned g;
    ck_error err;
    ck_assert_int_eq(ck_features_parse_groups("attributes,engagement,scale,depth,legacy,scores,"
                                              "labels", &g, &err), CK_OK);
    ck_assert_uint_eq(g, CK_FEATURES_DEFAULT);
    ck_assert_int_eq(ck_features_parse_groups("+trend", &g, &err), CK_OK);
    ck_assert_uint_eq(g, CK_FEATURES_DEFAULT | CK_FEATURES_TREND);
    ck_assert_int_eq(ck_features_parse_groups("trend,+trend_labels", &g, &err), CK_OK);
    ck_assert_uint_eq(g, CK_FEATURES_ALL);
    ck_assert_int_eq(ck_features_parse_groups("depth,legacy", &g, &err), CK_OK);
    ck_assert_uint_eq(g, CK_FEATURES_DEPTH | CK_FEATURES_LEGACY);
    ck_assert_int_eq(ck_features_parse_groups("all", &g, &err), CK_OK);
    ck_assert_uint_eq(g, CK_FEATURES_ALL);
    ck_assert_int_eq(ck_features_parse_groups("trnd", &g, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "no group 'trnd' (closest: 'trend'");
    const char *empty[] = {"", "+", "a,,b", "trend,", ",trend", "+,trend"};
    for (size_t k = 0; k < sizeof empty / sizeof *empty; k++)
        ck_assert_int_eq(ck_features_parse_groups(empty[k], &g, &err), CK_EUSAGE);
    ck_assert_str_eq(ck_features_group_name(CK_FEATURES_TREND_LABELS), "trend_labels");

    world w;
    make_world(&w, NULL);
    char def[200], all[200], some[200], cmd[800];
    snprintf(def, sizeof def, "%s/def.csv", w.dir);
    snprintf(all, sizeof all, "%s/all.csv", w.dir);
    snprintf(some, sizeof some, "%s/some.csv", w.dir);
    ck_features_options o;
    ck_features_options_init(&o);
    ck_assert_uint_eq(o.groups, CK_FEATURES_DEFAULT);
    ck_date_parse("2024-04-01", &o.snapshot);
    ck_assert_int_eq(ck_features_build(&w.in, &o, def, NULL, NULL, &err), CK_OK);
    o.groups = CK_FEATURES_ALL;
    ck_assert_int_eq(ck_features_build(&w.in, &o, all, NULL, NULL, &err), CK_OK);
    /* all: 23 columns, the 10 trend ones, the 8 labels, the 7 trend labels */
    snprintf(cmd, sizeof cmd, "cut -d, -f1-23,34-41 %s | cmp -s - %s && "
                              "head -1 %s | cut -d, -f24,33,42,48 | "
                              "grep -qx 'active_day_share_change,core_recency_days,"
                              "expanded_3m,last_paid_m0'", all, def, all);
    ck_assert_msg(system(cmd) == 0, "the trend groups changed the other columns");
    o.groups = CK_FEATURES_ENGAGEMENT | CK_FEATURES_LEGACY;
    ck_assert_int_eq(ck_features_build(&w.in, &o, some, NULL, NULL, &err), CK_OK);
    char *text = ck_test_slurp(some);
    ck_assert_msg(strncmp(text, "account_id,recency_days,active_day_share,daily_minutes,"
                                "total_minutes,sessions\nA1,2,0.022222,47.5,95,4\n", 73 + 23) == 0,
                  "%s", text);
    free(text);
    o.groups = 0;
    ck_assert_int_eq(ck_features_build(&w.in, &o, some, NULL, NULL, &err), CK_EUSAGE);
    drop_world(&w);
}
END_TEST

START_TEST(test_add_months)
{
    int32_t d;
    char buf[11];
    static const struct { const char *from; int k; const char *to; } cases[] = {
        {"2024-03-31", 3, "2024-06-30"},  {"2024-01-31", 1, "2024-02-29"},
        {"2023-01-31", 1, "2023-02-28"},  {"2024-07-01", -3, "2024-04-01"},
        {"2024-12-15", 1, "2025-01-15"},  {"2024-01-15", -1, "2023-12-15"},
        {"2024-02-29", -13, "2023-01-29"}, {"2024-07-01", 6, "2025-01-01"},
        {"0001-01-10", -1, "0000-12-10"}};
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        ck_assert_int_eq(ck_date_parse(cases[k].from, &d), 0);
        ck_date_format(ck_date_add_months(d, cases[k].k), buf);
        ck_assert_str_eq(buf, cases[k].to);
    }
}
END_TEST

static Suite *features_suite(void)
{
    Suite *s = suite_create("features");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_hand_checked_features);
    tcase_add_test(tc, test_labels_empty_beyond_the_data);
    tcase_add_test(tc, test_data_end_is_a_shorter_file);
    tcase_add_test(tc, test_time_to_churn_agrees_with_labels);
    tcase_add_test(tc, test_nothing_after_the_snapshot_matters);
    tcase_add_test(tc, test_located_errors);
    tcase_add_test(tc, test_same_inputs_same_bytes);
    tcase_add_test(tc, test_health_and_quintiles);
    tcase_add_test(tc, test_trend_features_by_hand);
    tcase_add_test(tc, test_trend_labels_by_hand);
    tcase_add_test(tc, test_groups);
    tcase_add_test(tc, test_add_months);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}

CK_TEST_MAIN(features_suite)
