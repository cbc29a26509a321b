/* The entry points for other languages (frame.h): a table from column
 * arrays equals the table read from the same CSV, training from option
 * words equals ck_train, in-memory scores and reasons equal what
 * churnkit-predict's streaming pass writes, and errors name the row. */
#include "testutil.h"

#include <math.h>
#include <stdint.h>

#include "churnkit/frame.h"
#include "churnkit/num.h"
#include "churnkit/score.h"

enum { N = 40 };

/* A seeded data set: a number with gaps, a text column, a 0/1 label. */
static void make_data(double *minutes, int32_t *plan, int *churn)
{
    unsigned long s = 7;
    for (int i = 0; i < N; i++) {
        s = s * 6364136223846793005UL + 1442695040888963407UL;
        minutes[i] = i % 9 == 4 ? NAN : (double)((s >> 33) % 3000) / 10.0;
        plan[i] = i % 11 == 5 ? -1 : (int32_t)((s >> 20) % 3);
        churn[i] = ((s >> 40) % 100) < (plan[i] == 0 ? 60u : 25u) + (minutes[i] < 50 ? 20u : 0u);
    }
}

static const char *LEVELS[] = {"basic", "pro", "team"};

static char *csv_of(const double *minutes, const int32_t *plan, const int *churn)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fprintf(f, "minutes,plan,churn\n");
    for (int i = 0; i < N; i++) {
        if (isnan(minutes[i]))
            fprintf(f, ",");
        else
            fprintf(f, "%.17g,", minutes[i]);
        fprintf(f, "%s,%s\n", plan[i] < 0 ? "" : LEVELS[plan[i]], churn[i] ? "yes" : "no");
    }
    fclose(f);
    char *path = ck_test_write(buf);
    free(buf);
    return path;
}

static ck_table *frame_of(const double *minutes, const int32_t *plan, const int *churn)
{
    ck_error err;
    int32_t label[N];
    const char *classes[] = {"no", "yes"};
    for (int i = 0; i < N; i++)
        label[i] = churn[i];
    ck_table *t = ck_frame_table(N, NULL);
    ck_assert_ptr_nonnull(t);
    ck_assert_msg(ck_frame_add_numeric(t, "minutes", minutes, &err) == CK_OK, "%s", err.message);
    ck_assert_msg(ck_frame_add_codes(t, "plan", plan, LEVELS, 3, &err) == CK_OK, "%s",
                  err.message);
    ck_assert_msg(ck_frame_add_codes(t, "churn", label, classes, 2, &err) == CK_OK, "%s",
                  err.message);
    return t;
}

static ck_model *fit_words(const ck_table *t)
{
    ck_error err;
    ck_model *m;
    char *warn;
    ck_frame_train *ft = ck_frame_train_new();
    const char *words[][2] = {{"label", "churn"}, {"l2", "0.5"}, {"cv", "3"},
                              {"threshold", "auto"}, {"name", "risk"}};
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
        ck_assert_msg(ck_frame_train_set(ft, words[k][0], words[k][1], &err) == CK_OK, "%s",
                      err.message);
    ck_assert_msg(ck_frame_train_fit(ft, t, &m, &warn, &err) == CK_OK, "%s", err.message);
    ck_frame_text_free(warn);
    ck_frame_train_free(ft);
    return m;
}

START_TEST(test_frame_trains_as_the_file)
{
    double minutes[N];
    int32_t plan[N];
    int churn[N];
    make_data(minutes, plan, churn);
    char *path = csv_of(minutes, plan, churn);
    ck_table *t = frame_of(minutes, plan, churn), *f;
    ck_error err;
    ck_assert_msg(ck_table_read_csv(&f, path, NULL, &err) == CK_OK, "%s", err.message);
    /* the same cells: the same hash (names, types, numbers' bits, text) */
    ck_assert_uint_eq(ck_table_hash(t, 1), ck_table_hash(f, 1));
    ck_model *a = fit_words(t), *b = fit_words(f);
    char *ja = ck_frame_model_json(a), *jb = ck_frame_model_json(b);
    /* everything but the data's name ("frame" against the file's) */
    char *da = strstr(ja, "\"data_hash\""), *db = strstr(jb, "\"data_hash\"");
    ck_assert_ptr_nonnull(da);
    ck_assert_ptr_nonnull(db);
    ck_assert_str_eq(da, db);
    ck_assert_double_eq(a->threshold, b->threshold);
    free(ja);
    free(jb);
    ck_model_free(a);
    ck_model_free(b);
    ck_table_free(t);
    ck_table_free(f);
    unlink(path);
    free(path);
}
END_TEST

/* The k-th comma-separated field of line (a copy). */
static char *field(const char *line, int k)
{
    while (k-- > 0)
        line = strchr(line, ',') + 1;
    size_t n = strcspn(line, ",\n");
    char *s = malloc(n + 1);
    memcpy(s, line, n);
    s[n] = 0;
    return s;
}

START_TEST(test_predict_equals_the_streaming_pass)
{
    double minutes[N];
    int32_t plan[N];
    int churn[N];
    make_data(minutes, plan, churn);
    char *path = csv_of(minutes, plan, churn), *out = ck_test_write("");
    ck_table *t = frame_of(minutes, plan, churn);
    ck_model *m = fit_words(t);
    ck_error err;
    double score[N], effect[2 * N];
    int8_t label[N];
    int32_t feat[2 * N], level[2 * N];
    ck_assert_msg(ck_frame_predict(m, t, 2, 0, 6, 2, score, label, feat, level, effect, NULL,
                                   &err) == CK_OK, "%s", err.message);
    ck_score_options so;
    ck_score_options_init(&so);
    so.reasons = 2;
    ck_score_summary sum;
    ck_warnings w;
    ck_warnings_init(&w);
    ck_assert_msg(ck_score(&m, 1, path, out, &so, &sum, &w, &err) == CK_OK, "%s", err.message);
    char *text = ck_test_slurp(out), *line = strchr(text, '\n') + 1;
    for (int i = 0; i < N; i++, line = strchr(line, '\n') + 1) {
        char *p = field(line, 0), *lab = field(line, 1);
        ck_assert_msg(strtod(p, NULL) == score[i], "row %d: %s against %.17g", i, p, score[i]);
        ck_assert_str_eq(lab, label[i] ? "yes" : "no");
        for (int r = 0; r < 2; r++) {
            char *name = field(line, 2 + 2 * r), *eff = field(line, 3 + 2 * r);
            char *mine = feat[2 * i + r] < 0 ? strdup("")
                                             : ck_frame_reason_label(m, (size_t)feat[2 * i + r],
                                                                     level[2 * i + r]);
            ck_assert_str_eq(mine, name);
            if (*eff)
                ck_assert_msg(strtod(eff, NULL) == effect[2 * i + r], "row %d reason %d", i, r);
            free(name);
            free(eff);
            free(mine);
        }
        free(p);
        free(lab);
    }
    /* unrounded: the rounding is the only difference */
    double raw[N];
    ck_assert(ck_frame_predict(m, t, 0, 0, -1, 1, raw, NULL, NULL, NULL, NULL, NULL, &err) ==
              CK_OK);
    for (int i = 0; i < N; i++) {
        char buf[CK_NUM_BUFSIZE];
        ck_num_format_fixed(raw[i], 6, buf);
        ck_assert(strtod(buf, NULL) == score[i]);
    }
    free(text);
    ck_score_summary_fini(&sum);
    ck_warnings_fini(&w);
    ck_model_free(m);
    ck_table_free(t);
    unlink(path);
    unlink(out);
    free(path);
    free(out);
}
END_TEST

START_TEST(test_errors)
{
    ck_error err;
    ck_table *t = ck_frame_table(3, NULL);
    double x[3] = {1, 2, INFINITY};
    int32_t codes[3] = {0, 3, -1};
    const char *lv[] = {"a", "b"};
    ck_assert_int_eq(ck_frame_add_numeric(t, "x", x, &err), CK_EDATA);
    ck_assert_str_eq(err.message, "frame:3:1: value inf in column 'x' is infinite (a missing "
                                  "value is NaN)");
    ck_assert_int_eq(ck_frame_add_codes(t, "c", codes, lv, 2, &err), CK_EUSAGE);
    ck_assert_str_eq(err.message, "frame:2:1: column 'c': code 3 outside its 2 levels");
    ck_table_free(t);
    /* a view reads the caller's array in place, which nothing may change */
    double y[3] = {1, NAN, 3};
    const char *cols[] = {"y"};
    size_t dropped;
    t = ck_frame_table(3, "scores");
    ck_assert_int_eq(ck_frame_view_numeric(t, "y", y, &err), CK_OK);
    ck_assert_ptr_eq(t->col[0].num, y);
    ck_assert_int_eq(ck_table_drop_missing(t, cols, 1, &dropped, &err), CK_EUSAGE);
    ck_assert(isnan(y[1]) && t->nrows == 3);
    ck_table_free(t); /* and y is not freed */
    ck_frame_train *ft = ck_frame_train_new();
    ck_assert_int_eq(ck_frame_train_set(ft, "no-such", "1", &err), CK_EUSAGE);
    ck_assert_int_eq(ck_frame_train_set(ft, "cv", "1", &err), CK_EUSAGE);
    ck_assert_int_eq(ck_frame_train_set(ft, "svm-c", "2", &err), CK_OK); /* checked at the fit */
    ck_assert_int_eq(ck_frame_train_set(ft, "label", "y", &err), CK_OK);
    ck_table *e = ck_frame_table(0, NULL);
    ck_model *m = NULL;
    ck_assert_int_eq(ck_frame_train_fit(ft, e, &m, NULL, &err), CK_EUSAGE);
    ck_assert_str_eq(err.message, "--svm-c does not apply to --model logistic; it is for --model "
                                  "svm");
    ck_assert_ptr_null(m);
    ck_table_free(e);
    ck_frame_train_free(ft);
}
END_TEST

static Suite *frame_suite(void)
{
    Suite *s = suite_create("frame");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_frame_trains_as_the_file);
    tcase_add_test(tc, test_predict_equals_the_streaming_pass);
    tcase_add_test(tc, test_errors);
    suite_add_tcase(s, tc);
    return s;
}

CK_TEST_MAIN(frame_suite)
