/* Seed 004's value groups: the rule on hand-made rows at every cut-off and
 * with missing values, its monotonicity, the cut-offs' checks, the plays
 * file, and the scorer's value_group and value_play columns. */
#include "testutil.h"

#include <math.h>

#include "churnkit/score.h"
#include "churnkit/value_group.h"

static int group(const ck_value_rules *r, double nps, double act, double depth, double breadth)
{
    const ck_value_row x = {nps, act, depth, breadth};
    return ck_value_group_of(r, &x);
}

/* The defaults: at risk at NPS <= 6 or an active-day share below 0.15;
 * high value at NPS >= 9 with core clicks per user >= 100 and breadth
 * >= 10.  Each row sits on or just off one cut-off, the others well clear,
 * and its expected group is read off the rule in value_group.h. */
START_TEST(test_defaults_at_each_cut_off)
{
    ck_value_rules r;
    ck_value_rules_init(&r);
    ck_assert(r.nps_low == 6 && r.nps_high == 9 && r.activity_low == 0.15 && r.depth == 100 &&
              r.breadth == 10);
    /* NPS low: 6 is a detractor's answer, 6.01 is not */
    ck_assert_int_eq(group(&r, 6, 0.5, 200, 12), CK_VALUE_AT_RISK);
    ck_assert_int_eq(group(&r, 6.01, 0.5, 200, 12), CK_VALUE_ENGAGED);
    ck_assert_int_eq(group(&r, 0, 0.9, 500, 20), CK_VALUE_AT_RISK);
    /* activity: below 0.15 is low, 0.15 itself is not */
    ck_assert_int_eq(group(&r, 10, 0.1499, 200, 12), CK_VALUE_AT_RISK);
    ck_assert_int_eq(group(&r, 10, 0.15, 200, 12), CK_VALUE_HIGH);
    ck_assert_int_eq(group(&r, 10, 0, 200, 12), CK_VALUE_AT_RISK); /* risk comes first */
    /* NPS high: 9 is a promoter's answer, 8.99 is not */
    ck_assert_int_eq(group(&r, 9, 0.5, 200, 12), CK_VALUE_HIGH);
    ck_assert_int_eq(group(&r, 8.99, 0.5, 200, 12), CK_VALUE_ENGAGED);
    /* depth and breadth: at the cut-off is deep (broad), just below is not */
    ck_assert_int_eq(group(&r, 10, 0.5, 100, 12), CK_VALUE_HIGH);
    ck_assert_int_eq(group(&r, 10, 0.5, 99.99, 12), CK_VALUE_POTENTIAL);
    ck_assert_int_eq(group(&r, 10, 0.5, 200, 10), CK_VALUE_HIGH);
    ck_assert_int_eq(group(&r, 10, 0.5, 200, 9.99), CK_VALUE_POTENTIAL);
    /* every cut-off at once, each on its good side */
    ck_assert_int_eq(group(&r, 9, 0.15, 100, 10), CK_VALUE_HIGH);
    /* shallow use with a passive NPS */
    ck_assert_int_eq(group(&r, 7, 0.5, 20, 3), CK_VALUE_POTENTIAL);
}
END_TEST

START_TEST(test_missing_values)
{
    ck_value_rules r;
    ck_value_rules_init(&r);
    /* no NPS answer: neither low nor high */
    ck_assert_int_eq(group(&r, NAN, 0.5, 200, 12), CK_VALUE_ENGAGED);
    ck_assert_int_eq(group(&r, NAN, 0.5, 20, 12), CK_VALUE_POTENTIAL);
    ck_assert_int_eq(group(&r, NAN, 0.1, 200, 12), CK_VALUE_AT_RISK);
    /* a missing usage value: low NPS or low activity still places a row at
     * risk; otherwise there is no group */
    ck_assert_int_eq(group(&r, 3, NAN, 200, 12), CK_VALUE_AT_RISK);
    ck_assert_int_eq(group(&r, 9, NAN, 200, 12), CK_VALUE_NONE);
    ck_assert_int_eq(group(&r, 9, 0.5, NAN, 12), CK_VALUE_NONE);
    ck_assert_int_eq(group(&r, 9, 0.5, 200, NAN), CK_VALUE_NONE);
    ck_assert_int_eq(group(&r, 9, 0.05, NAN, NAN), CK_VALUE_AT_RISK);
    ck_assert_int_eq(group(&r, NAN, NAN, NAN, NAN), CK_VALUE_NONE);
}
END_TEST

START_TEST(test_other_cut_offs)
{
    /* the seed's chart reads "8 and above" as high satisfaction: with
     * --value-nps-high 8 a mean of 8 is high, and with a 30-day window's
     * depth of 40 clicks 40 is deep */
    ck_value_rules r;
    ck_value_rules_init(&r);
    r.nps_high = 8;
    r.nps_low = 5;
    r.activity_low = 0.3;
    r.depth = 40;
    r.breadth = 4;
    ck_assert_int_eq(group(&r, 8, 0.3, 40, 4), CK_VALUE_HIGH);
    ck_assert_int_eq(group(&r, 7.9, 0.3, 40, 4), CK_VALUE_ENGAGED);
    ck_assert_int_eq(group(&r, 6, 0.3, 40, 3.9), CK_VALUE_POTENTIAL); /* 6 is not low now */
    ck_assert_int_eq(group(&r, 5, 0.9, 400, 40), CK_VALUE_AT_RISK);
    ck_assert_int_eq(group(&r, 10, 0.29, 400, 40), CK_VALUE_AT_RISK);
}
END_TEST

/* Properties over a grid of rows: better numbers never make a group worse.
 * Raising NPS, activity, depth or breadth never moves a row into at_risk,
 * never moves a high_value row out of high_value, and never makes a row
 * that was deep and broad (high_value or engaged) shallow (potential). */
START_TEST(test_monotone_in_every_column)
{
    static const double nps[] = {NAN, 0, 5.9, 6, 6.5, 7, 8, 8.99, 9, 9.5, 10};
    static const double act[] = {0, 0.1, 0.149, 0.15, 0.2, 0.6, 1};
    static const double dep[] = {0, 50, 99.9, 100, 150, 1000};
    static const double brd[] = {0, 5, 9.9, 10, 12, 20};
    ck_value_rules r;
    ck_value_rules_init(&r);
    const size_t n[4] = {11, 7, 6, 6};
    size_t checked = 0, seen[CK_VALUE_GROUPS] = {0};
    const double *v[4] = {nps, act, dep, brd};
    for (size_t a = 0; a < n[0]; a++)
        for (size_t b = 0; b < n[1]; b++)
            for (size_t c = 0; c < n[2]; c++)
                for (size_t d = 0; d < n[3]; d++) {
                    const size_t at[4] = {a, b, c, d};
                    int g = group(&r, nps[a], act[b], dep[c], brd[d]);
                    ck_assert(g >= 0 && g < CK_VALUE_GROUPS); /* nothing is missing here */
                    seen[g]++;
                    for (int k = 0; k < 4; k++) {
                        if (at[k] + 1 >= n[k] || (k == 0 && a == 0))
                            continue; /* no better value (or from "no answer") */
                        double x[4] = {nps[a], act[b], dep[c], brd[d]};
                        x[k] = v[k][at[k] + 1];
                        int h = group(&r, x[0], x[1], x[2], x[3]);
                        ck_assert(!(g != CK_VALUE_AT_RISK && h == CK_VALUE_AT_RISK));
                        ck_assert(!(g == CK_VALUE_HIGH && h != CK_VALUE_HIGH));
                        ck_assert(!((g == CK_VALUE_HIGH || g == CK_VALUE_ENGAGED) &&
                                    h == CK_VALUE_POTENTIAL));
                        checked++;
                    }
                }
    ck_assert_uint_gt(checked, 1000);
    for (int g = 0; g < CK_VALUE_GROUPS; g++)
        ck_assert_uint_gt(seen[g], 0);
}
END_TEST

START_TEST(test_cut_off_checks)
{
    ck_value_rules r;
    ck_error err;
    ck_value_rules_init(&r);
    ck_assert_int_eq(ck_value_rules_check(&r, &err), CK_OK);
    r.nps_low = 9;
    ck_assert_int_eq(ck_value_rules_check(&r, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "--value-nps-low (9) must be below --value-nps-high (9)");
    ck_value_rules_init(&r);
    r.activity_low = 1.5;
    ck_assert_int_eq(ck_value_rules_check(&r, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "--value-activity-low");
    ck_value_rules_init(&r);
    r.depth = NAN;
    ck_assert_int_eq(ck_value_rules_check(&r, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "--value-depth");
    ck_value_rules_init(&r);
    r.nps_high = 11;
    ck_assert_int_eq(ck_value_rules_check(&r, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "--value-nps-high");
}
END_TEST

START_TEST(test_plays_file)
{
    const char *plays[CK_VALUE_GROUPS] = {0};
    ck_error err;
    char *f = ck_test_write("value_play,value_group,note\n\"Call them, today\",at_risk,x\n"
                            "Thank them,high_value,y\nLater one,high_value,z\n");
    ck_assert_int_eq(ck_value_plays_load(plays, f, &err), CK_OK);
    ck_assert_str_eq(plays[CK_VALUE_AT_RISK], "Call them, today");
    ck_assert_str_eq(plays[CK_VALUE_HIGH], "Later one"); /* the last row wins */
    ck_assert_ptr_null(plays[CK_VALUE_POTENTIAL]);       /* kept: the built-in play */
    ck_value_plays_free(plays);
    ck_assert_ptr_null(plays[CK_VALUE_AT_RISK]);
    char *bad = ck_test_write("value_group,value_play\npotential,ok\nloyal,x\n");
    ck_assert_int_eq(ck_value_plays_load(plays, bad, &err), CK_EDATA);
    ck_assert_msg_contains(err, ":3:1: unknown value_group 'loyal' (high_value, potential, "
                                "engaged or at_risk)");
    ck_value_plays_free(plays);
    char *cols = ck_test_write("segment,action\nstar,x\n");
    ck_assert_int_eq(ck_value_plays_load(plays, cols, &err), CK_EDATA);
    ck_assert_msg_contains(err, "needs columns 'value_group' and 'value_play'");
    /* the segments' actions file goes through the same reader */
    const char *acts[CK_SEGMENTS] = {0};
    ck_assert_int_eq(ck_segment_actions_load(acts, bad, &err), CK_EDATA);
    ck_assert_msg_contains(err, "needs columns 'segment' and 'action'");
    ck_assert_int_eq(ck_segment_actions_load(acts, cols, &err), CK_OK);
    ck_assert_str_eq(acts[CK_SEG_STAR], "x");
    ck_segment_actions_free(acts);
    for (char **p = (char *[]){f, bad, cols, NULL}; *p; p++) {
        unlink(*p);
        free(*p);
    }
}
END_TEST

/* A one-feature logistic model, for the scorer to have something to
 * score. */
static ck_model *small_model(void)
{
    char *path = ck_test_write("id,x,churn\na,1,1\nb,2,0\nc,3,1\nd,4,0\ne,5,0\nf,0,1\n");
    ck_table *t;
    ck_error err;
    ck_assert_msg(ck_table_read_csv(&t, path, NULL, &err) == CK_OK, "%s", err.message);
    ck_train_options o;
    ck_train_options_init(&o);
    o.label = "churn";
    ck_test_use(&o, "logistic");
    ck_test_param(&o, "l2", 1);
    o.name = "m";
    o.id = "id";
    ck_model *m;
    ck_assert_msg(ck_train(t, &o, &m, NULL, &err) == CK_OK, "%s", err.message);
    ck_table_free(t);
    unlink(path);
    free(path);
    return m;
}

/* Rows whose groups are read off the rule by hand (default cut-offs), the
 * four columns in a different order from ck_value_row's. */
static const char *ROWS =
    "id,feature_breadth,x,nps_avg,core_clicks_per_user,active_day_share\n"
    "hv,10,1,9,100,0.15\n"      /* every cut-off on its good side: high_value */
    "pot,9.5,2,10,300,0.9\n"    /* not broad: potential */
    "eng,14,3,,250,0.7\n"       /* no NPS answer, deep and broad: engaged */
    "risk1,14,4,6,250,0.7\n"    /* a detractor's NPS: at_risk */
    "risk2,14,5,10,250,0.1\n"   /* low activity: at_risk */
    "none,,6,8,250,0.7\n";      /* no breadth, NPS not low: no group */

START_TEST(test_scorer_columns)
{
    ck_model *m = small_model();
    ck_model *ms[] = {m};
    char *in = ck_test_write(ROWS), *out = ck_test_write("");
    ck_score_options so;
    ck_score_options_init(&so);
    so.drift_threshold = 100; /* six rows drift from any training set */
    ck_score_summary sum;
    ck_warnings w;
    ck_error err;
    ck_warnings_init(&w);
    so.value_plays[CK_VALUE_ENGAGED] = "Ask them";
    ck_assert_msg(ck_score(ms, 1, in, out, &so, &sum, &w, &err) == CK_OK, "%s", err.message);
    char *text = ck_test_slurp(out);
    ck_assert_msg(strncmp(text, "id,m_prob,m_label,value_group,value_play\n", 41) == 0, "%s",
                  text);
    char want[600];
    snprintf(want, sizeof want, ",high_value,%s\n", ck_value_group_play(CK_VALUE_HIGH));
    ck_assert(strstr(text, want) != NULL);
    ck_assert(strstr(text, ",engaged,Ask them\n") != NULL); /* the play replaced */
    ck_assert(strstr(text, ",,\n") != NULL);                /* the row without a group */
    const char *ids[] = {"\nhv,", "\npot,", "\neng,", "\nrisk1,", "\nrisk2,", "\nnone,"};
    const char *groups[] = {",high_value,", ",potential,", ",engaged,", ",at_risk,",
                            ",at_risk,", ",,"};
    for (int k = 0; k < 6; k++) {
        const char *row = strstr(text, ids[k]);
        ck_assert_ptr_nonnull(row);
        const char *end = strchr(row + 1, '\n');
        const char *g = strstr(row, groups[k]);
        ck_assert_msg(g && g < end, "row %s lacks %s", ids[k] + 1, groups[k]);
    }
    ck_assert(sum.valued);
    ck_assert_uint_eq(sum.value_count[CK_VALUE_HIGH], 1);
    ck_assert_uint_eq(sum.value_count[CK_VALUE_POTENTIAL], 1);
    ck_assert_uint_eq(sum.value_count[CK_VALUE_ENGAGED], 1);
    ck_assert_uint_eq(sum.value_count[CK_VALUE_AT_RISK], 2);
    ck_assert_uint_eq(sum.value_none, 1);
    ck_assert_uint_eq(w.n, 0);
    free(text);
    ck_score_summary_fini(&sum);
    ck_warnings_fini(&w);
    /* --no-value-groups */
    so.value_groups = 0;
    ck_assert_int_eq(ck_score(ms, 1, in, out, &so, NULL, NULL, &err), CK_OK);
    text = ck_test_slurp(out);
    ck_assert(strstr(text, "value_group") == NULL);
    free(text);
    ck_model_free(m);
    unlink(in);
    unlink(out);
    free(in);
    free(out);
}
END_TEST

START_TEST(test_scorer_missing_columns_and_text)
{
    ck_model *m = small_model();
    ck_model *ms[] = {m};
    ck_error err;
    ck_warnings w;
    char dir[] = "/tmp/churnkit-value-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char out[300];
    snprintf(out, sizeof out, "%s/scores.csv", dir);
    ck_score_options so;
    ck_score_options_init(&so);
    so.drift_threshold = 100;
    /* by default, a table with some of the columns: no groups, a warning */
    char *in = ck_test_write("id,x,nps_avg,active_day_share,core_clicks_per_user\na,1,9,0.5,10\n");
    ck_warnings_init(&w);
    ck_assert_int_eq(ck_score(ms, 1, in, out, &so, NULL, &w, &err), CK_OK);
    char *text = ck_test_slurp(out);
    ck_assert(strstr(text, "value_group") == NULL);
    free(text);
    ck_assert_uint_eq(w.n, 1);
    ck_assert(strstr(w.msg[0], "no column 'feature_breadth': no value groups") != NULL);
    ck_warnings_fini(&w);
    unlink(out);
    /* required: an error naming the column, and no output */
    so.value_groups = 1;
    ck_assert_int_eq(ck_score(ms, 1, in, out, &so, NULL, NULL, &err), CK_EDATA);
    ck_assert_msg_contains(err, "no column 'feature_breadth', which the value groups need");
    ck_assert_int_eq(access(out, F_OK), -1);
    unlink(in);
    free(in);
    /* a table with none of them: silence, even without a warning */
    so.value_groups = -1;
    in = ck_test_write("id,x\na,1\n");
    ck_warnings_init(&w);
    ck_assert_int_eq(ck_score(ms, 1, in, out, &so, NULL, &w, &err), CK_OK);
    ck_assert_uint_eq(w.n, 0);
    ck_warnings_fini(&w);
    unlink(out);
    unlink(in);
    free(in);
    /* text in a column only the rule reads */
    in = ck_test_write("id,x,nps_avg,active_day_share,core_clicks_per_user,feature_breadth\n"
                       "a,1,9,0.5,10,3\nb,1,9,lots,10,3\n");
    ck_assert_int_eq(ck_score(ms, 1, in, out, &so, NULL, NULL, &err), CK_EDATA);
    ck_assert_msg_contains(err, ":3:4: text 'lots' in column 'active_day_share', which the "
                                "value-group rule reads as a number");
    ck_assert_int_eq(access(out, F_OK), -1);
    /* cut-offs that cannot hold */
    so.value_rules.nps_low = 9.5;
    ck_assert_int_eq(ck_score(ms, 1, in, out, &so, NULL, NULL, &err), CK_EUSAGE);
    unlink(in);
    free(in);
    rmdir(dir);
    ck_model_free(m);
}
END_TEST

static Suite *value_group_suite(void)
{
    Suite *s = suite_create("value_group");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_defaults_at_each_cut_off);
    tcase_add_test(tc, test_missing_values);
    tcase_add_test(tc, test_other_cut_offs);
    tcase_add_test(tc, test_monotone_in_every_column);
    tcase_add_test(tc, test_cut_off_checks);
    tcase_add_test(tc, test_plays_file);
    tcase_add_test(tc, test_scorer_columns);
    tcase_add_test(tc, test_scorer_missing_columns_and_text);
    suite_add_tcase(s, tc);
    return s;
}

CK_TEST_MAIN(value_group_suite)
