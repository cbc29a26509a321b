/* Training: labels, splits, cross-validation, thresholds, pipeline rules,
 * and the SVM against libsvm's own svm-predict. */
#include "testutil.h"

#include <math.h>

#include "churnkit/label.h"
#include "churnkit/metrics.h"
#include "churnkit/model.h"
#include "churnkit/split.h"
#include "churnkit/train.h"

#define PUB CK_TEST_DATA "/public/"

static ck_table *csv_table(const char *text)
{
    char *path = ck_test_write(text);
    ck_table *t;
    ck_error err;
    ck_assert_msg(ck_table_read_csv(&t, path, NULL, &err) == CK_OK, "%s", err.message);
    unlink(path);
    free(path);
    return t;
}

static ck_table *read_table(const char *path)
{
    ck_table *t;
    ck_error err;
    ck_assert_msg(ck_table_read_csv(&t, path, NULL, &err) == CK_OK, "%s", err.message);
    return t;
}

START_TEST(test_label_default_positive)
{
    static const char *texts[] = {"y\nno\nyes\n", "y\n0\n1\n", "y\nFALSE\nTRUE\n",
                                  "y\nstayed\nchurned\n", "y\nN\nY\n"};
    static const char *pos[] = {"yes", "1", "TRUE", "churned", "Y"};
    for (int i = 0; i < 5; i++) {
        ck_table *t = csv_table(texts[i]);
        ck_label l;
        ck_error err;
        ck_assert_msg(ck_label_binary(&l, t, "y", NULL, &err) == CK_OK, "%s", err.message);
        ck_assert_str_eq(l.positive, pos[i]);
        ck_assert(l.y[0] == 0 && l.y[1] == 1);
        ck_label_fini(&l);
        ck_table_free(t);
    }
}
END_TEST

START_TEST(test_label_errors)
{
    ck_label l;
    ck_error err;
    ck_table *t = csv_table("y\nred\nblue\nred\n");
    ck_assert_int_eq(ck_label_binary(&l, t, "y", NULL, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "name it with --positive");
    ck_assert_int_eq(ck_label_binary(&l, t, "y", "blue", &err), CK_OK);
    ck_assert(l.y[1] == 1 && l.y[0] == 0);
    ck_label_fini(&l);
    ck_assert_int_eq(ck_label_binary(&l, t, "y", "green", &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "'green' is not a value");
    ck_table_free(t);

    t = csv_table("y\nno\nno\n");
    ck_assert_int_eq(ck_label_binary(&l, t, "y", NULL, &err), CK_EDATA);
    ck_assert_msg_contains(err, "only one value ('no')");
    ck_table_free(t);

    t = csv_table("y\na\nb\nc\n");
    ck_assert_int_eq(ck_label_binary(&l, t, "y", NULL, &err), CK_EDATA);
    ck_assert_msg_contains(err, ":4:1: the label 'y' has more than two values");
    ck_table_free(t);

    t = csv_table("x,y\n1,yes\n2,\n");
    ck_assert_int_eq(ck_label_binary(&l, t, "y", NULL, &err), CK_EDATA);
    ck_assert_msg_contains(err, ":3:2: the label 'y' is missing");
    ck_assert_int_eq(ck_label_binary(&l, t, "z", NULL, &err), CK_EDATA);
    ck_assert_msg_contains(err, "no column 'z'");
    ck_table_free(t);
}
END_TEST

/* --drop-missing-label: the rows without a label are NaN and counted, for
 * a class, a number and a survival target (a missing time or event); the
 * default stays an error that names the cell and the option. */
START_TEST(test_label_drop_missing)
{
    ck_label l;
    ck_error err;
    ck_table *t = csv_table("x,y\n1,yes\n2,\n3,no\n4,NA\n");
    ck_label_spec spec = {"y", NULL, 1, NULL, NULL, 0};
    ck_assert_int_eq(ck_label_read(&l, t, &spec, &err), CK_EDATA);
    ck_assert_msg_contains(err, ":3:2: the label 'y' is missing (--drop-missing-label leaves "
                                "such rows out)");
    spec.drop_missing = 1;
    ck_assert_msg(ck_label_read(&l, t, &spec, &err) == CK_OK, "%s", err.message);
    ck_assert_uint_eq(l.n_missing, 2);
    ck_assert_uint_eq(l.n_pos, 1);
    ck_assert(l.y[0] == 1 && isnan(l.y[1]) && l.y[2] == 0 && isnan(l.y[3]));
    ck_label_fini(&l);
    ck_table_free(t);

    t = csv_table("x,y\n1,1.5\n2,\n3,-2\n");
    ck_label_spec num = {"y", NULL, 0, NULL, NULL, 1};
    ck_assert_msg(ck_label_read(&l, t, &num, &err) == CK_OK, "%s", err.message);
    ck_assert_uint_eq(l.n_missing, 1);
    ck_assert(l.y[0] == 1.5 && isnan(l.y[1]) && l.y[2] == -2);
    ck_label_fini(&l);
    ck_table_free(t);

    /* rows 2 (no time) and 3 (no event) go; of the rest one has the event */
    t = csv_table("t,e\n3,1\n,1\n5,\n4,0\n");
    ck_label_spec surv = {"t", "e", 0, NULL, NULL, 1};
    ck_assert_msg(ck_label_read(&l, t, &surv, &err) == CK_OK, "%s", err.message);
    ck_assert_uint_eq(l.n_missing, 2);
    ck_assert_uint_eq(l.n_pos, 1);
    ck_assert(l.y[0] == 3 && isnan(l.y[1]) && isnan(l.y[2]) && l.y[3] == 4);
    ck_assert(l.event[0] == 1 && l.event[3] == 0);
    ck_label_fini(&l);
    ck_table_free(t);

    t = csv_table("x,y\n1,\n2,\n");
    ck_assert_int_eq(ck_label_read(&l, t, &spec, &err), CK_EDATA);
    ck_assert_msg_contains(err, "the label 'y' is missing in every row");
    ck_table_free(t);
}
END_TEST

/* mlc_churn.train.csv with the label of every 7th row blanked (into
 * *blank), and with those rows left out (into *gone). */
static void blanked_tables(ck_table **blank, ck_table **gone, size_t *nblank)
{
    char *text = ck_test_slurp(PUB "mlc_churn.train.csv");
    size_t len = strlen(text), a = 0, b = 0, row = 0;
    char *with = malloc(len + 1), *without = malloc(len + 1);
    *nblank = 0;
    for (char *line = text; *line; row++) {
        char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) + 1 : strlen(line);
        if (row > 0 && row % 7 == 0) {
            size_t keep = n; /* up to the last comma: the label is the last column */
            while (keep > 0 && line[keep - 1] != ',')
                keep--;
            memcpy(with + a, line, keep);
            a += keep;
            with[a++] = '\n';
            (*nblank)++;
        } else {
            memcpy(with + a, line, n);
            memcpy(without + b, line, n);
            a += n;
            b += n;
        }
        line += n;
    }
    with[a] = without[b] = '\0';
    *blank = csv_table(with);
    *gone = csv_table(without);
    free(text);
    free(with);
    free(without);
}

static ck_model *fit(const ck_table *t, int drop, double test_fraction, int refit)
{
    ck_train_options opt;
    ck_train_options_init(&opt);
    opt.label = "churn";
    opt.pipeline.exclude = (const char *const[]){"state"};
    opt.pipeline.nexclude = 1;
    ck_test_param(&opt, "l2", 1);
    opt.seed = 5;
    opt.drop_missing_label = drop;
    opt.test_fraction = test_fraction;
    opt.refit = refit;
    ck_model *m;
    ck_warnings w;
    ck_error err;
    ck_warnings_init(&w);
    ck_assert_msg(ck_train(t, &opt, &m, &w, &err) == CK_OK, "%s", err.message);
    ck_warnings_fini(&w);
    return m;
}

static void same_coefficients(const ck_model *a, const ck_model *b)
{
    ck_terms x = ck_test_terms(a), y = ck_test_terms(b);
    ck_assert_uint_eq(x.n, y.n);
    for (size_t j = 0; j < x.n; j++)
        ck_assert_double_eq_tol(x.term[j].value, y.term[j].value, 1e-12);
    free(x.term);
    free(y.term);
}

/* Dropping the rows without a label is training on the table without
 * them, hold-out included (it is drawn over the rows kept); the count is
 * recorded.  --refit is the fit on every row, the test metrics kept from
 * the fit on the training part. */
START_TEST(test_train_drop_missing_and_refit)
{
    ck_table *blank, *gone;
    size_t nblank;
    blanked_tables(&blank, &gone, &nblank);
    ck_assert_uint_eq(nblank, 4000 / 7);
    ck_model *a = fit(blank, 1, 0.25, 0), *b = fit(gone, 0, 0.25, 0);
    same_coefficients(a, b);
    ck_assert_uint_eq(a->training.rows, b->training.rows);
    ck_assert_uint_eq(a->training.test_rows, b->training.test_rows);
    ck_assert_uint_eq(a->training.rows + a->training.test_rows, 4000 - nblank);
    ck_assert(a->training.drop_missing_label && !b->training.drop_missing_label);
    ck_assert_uint_eq(a->training.missing_label, nblank);
    ck_assert(a->test.cls.roc_auc == b->test.cls.roc_auc);

    ck_model *r = fit(blank, 1, 0.25, 1), *all = fit(gone, 0, 0, 0);
    same_coefficients(r, all);
    ck_assert(r->training.refit);
    ck_assert_uint_eq(r->training.rows, 4000 - nblank);
    ck_assert_uint_eq(r->training.test_rows, a->training.test_rows);
    /* the test metrics are those of the fit on the training part */
    ck_assert(r->test.present && r->test.cls.roc_auc == a->test.cls.roc_auc);
    ck_assert_uint_eq(r->train.cls.n, 4000 - nblank);
    ck_model_free(a);
    ck_model_free(b);
    ck_model_free(r);
    ck_model_free(all);
    ck_table_free(blank);
    ck_table_free(gone);
}
END_TEST

START_TEST(test_folds_stratified_and_seeded)
{
    size_t n = 1000, rows[1000], f1[1000], f2[1000], f3[1000];
    double y[1000];
    for (size_t i = 0; i < n; i++) {
        rows[i] = i;
        y[i] = i % 10 == 0; /* 10% positives */
    }
    ck_error err;
    ck_assert_int_eq(ck_split_folds(rows, n, y, 5, 7, f1, &err), CK_OK);
    ck_assert_int_eq(ck_split_folds(rows, n, y, 5, 7, f2, &err), CK_OK);
    ck_assert_int_eq(ck_split_folds(rows, n, y, 5, 8, f3, &err), CK_OK);
    ck_assert(memcmp(f1, f2, sizeof f1) == 0);
    ck_assert(memcmp(f1, f3, sizeof f1) != 0);
    size_t count[5] = {0}, pos[5] = {0};
    for (size_t i = 0; i < n; i++) {
        count[f1[i]]++;
        pos[f1[i]] += y[i] == 1;
    }
    for (int k = 0; k < 5; k++) {
        ck_assert_uint_eq(count[k], 200);
        ck_assert_uint_eq(pos[k], 20);
    }
}
END_TEST

START_TEST(test_holdout_stratified)
{
    size_t n = 1000, rows[1000], tr[1000], te[1000], ntr, nte;
    double y[1000];
    for (size_t i = 0; i < n; i++) {
        rows[i] = i;
        y[i] = i % 4 == 0;
    }
    ck_error err;
    ck_assert_int_eq(ck_split_holdout(rows, n, y, 0.2, 1, tr, &ntr, te, &nte, &err), CK_OK);
    ck_assert_uint_eq(ntr + nte, n);
    ck_assert_uint_eq(nte, 200);
    size_t pos = 0;
    for (size_t i = 0; i < nte; i++)
        pos += y[te[i]] == 1;
    ck_assert_uint_eq(pos, 50);
    for (size_t i = 1; i < nte; i++)
        ck_assert(te[i] > te[i - 1]); /* original order kept */
}
END_TEST

static double cut_by(const double *y, const double *p, size_t n, ck_threshold_rule rule,
                     double target, ck_threshold_pick *pick)
{
    ck_threshold_spec spec = {rule, target, 0, 0};
    ck_assert_int_eq(ck_threshold_choose(y, p, n, &spec, pick), 0);
    return pick->cut;
}

START_TEST(test_pick_threshold)
{
    /* scores and labels where F1 peaks when the top three are positive */
    double p[] = {0.9, 0.8, 0.7, 0.4, 0.3, 0.2, 0.1};
    double y[] = {1, 1, 1, 0, 1, 0, 0};
    ck_threshold_pick k;
    /* F1 at top 3: 6/7 = 0.857; at top 5: 8/9 = 0.889 -> cut between 0.3 and 0.2 */
    ck_assert(fabs(cut_by(y, p, 7, CK_THRESHOLD_F1, 0, &k) - 0.25) < 1e-12);
    /* accuracy top 3: 6/7; top 5: 6/7: the first (higher) cut wins */
    ck_assert(fabs(cut_by(y, p, 7, CK_THRESHOLD_ACCURACY, 0, &k) - 0.55) < 1e-12);
    /* Youden top 3: 3/4 - 0 = 0.75; top 5: 1 - 1/3 = 0.667 */
    ck_assert(fabs(cut_by(y, p, 7, CK_THRESHOLD_YOUDEN, 0, &k) - 0.55) < 1e-12);
}
END_TEST

/* Precision and recall of naming the top k of the scores above, by hand
 * (4 positives): k=1..3: 1, recall k/4; k=4: 3/4, 3/4; k=5: 4/5, 1;
 * k=6: 4/6, 1; k=7: 4/7, 1. */
START_TEST(test_threshold_floors)
{
    double p[] = {0.9, 0.8, 0.7, 0.4, 0.3, 0.2, 0.1};
    double y[] = {1, 1, 1, 0, 1, 0, 0};
    ck_threshold_pick k;
    /* precision >= 0.85: k = 1..3 keep it; the most recall is k = 3 */
    ck_assert(fabs(cut_by(y, p, 7, CK_THRESHOLD_PRECISION, 0.85, &k) - 0.55) < 1e-12);
    ck_assert(k.reached && k.named == 3 && k.precision == 1 && k.recall == 0.75);
    /* precision >= 0.8: k = 5 (4/5 exactly 0.8) keeps it with recall 1 */
    ck_assert(fabs(cut_by(y, p, 7, CK_THRESHOLD_PRECISION, 0.8, &k) - 0.25) < 1e-12);
    ck_assert(k.reached && k.named == 5 && k.recall == 1);
    /* recall >= 0.9: k = 5..7; the most precision is k = 5 */
    ck_assert(fabs(cut_by(y, p, 7, CK_THRESHOLD_RECALL, 0.9, &k) - 0.25) < 1e-12);
    ck_assert(k.reached && fabs(k.precision - 0.8) < 1e-15);
    /* recall >= 0.5: k = 2 and 3 both at precision 1: the more recall, k = 3 */
    ck_assert(fabs(cut_by(y, p, 7, CK_THRESHOLD_RECALL, 0.5, &k) - 0.55) < 1e-12);
    ck_assert_uint_eq(k.named, 3);

    /* a floor no cut meets: the best precision is 1/2 naming the top two */
    double p2[] = {0.9, 0.8, 0.7}, y2[] = {0, 1, 0};
    ck_assert(fabs(cut_by(y2, p2, 3, CK_THRESHOLD_PRECISION, 0.9, &k) - 0.75) < 1e-12);
    ck_assert(!k.reached && k.named == 2 && k.precision == 0.5 && k.recall == 1);

    /* rows tied at a score are named together: the top two (1/2) fall short
     * of 0.6, all three (2/3) keep it; the cut is below the lowest score */
    double p3[] = {0.9, 0.9, 0.5}, y3[] = {1, 0, 1};
    ck_assert(fabs(cut_by(y3, p3, 3, CK_THRESHOLD_PRECISION, 0.6, &k) - 0.25) < 1e-12);
    ck_assert(k.reached && k.named == 3);
}
END_TEST

/* The least cost by hand, on the scores above (4 positives, 3 negatives):
 * naming the top k costs fp(k) A + fn(k) B with (fp, fn) = (0,3) (0,2)
 * (0,1) (1,1) (1,0) (2,0) (3,0) for k = 1..7, and (0,4) for none.  With
 * A = 1, B = 5: 15 10 5 6 1 2 3, none 20: k = 5 (cut 0.25).  With A = 10,
 * B = 1: 3 2 1 11 10 20 30, none 4: k = 3 (cut 0.55). */
START_TEST(test_threshold_cost)
{
    double p[] = {0.9, 0.8, 0.7, 0.4, 0.3, 0.2, 0.1};
    double y[] = {1, 1, 1, 0, 1, 0, 0};
    ck_threshold_pick k;
    ck_threshold_spec spec = {CK_THRESHOLD_COST, 0, 1, 5};
    ck_assert_int_eq(ck_threshold_choose(y, p, 7, &spec, &k), 0);
    ck_assert(fabs(k.cut - 0.25) < 1e-12 && k.named == 5);
    spec = (ck_threshold_spec){CK_THRESHOLD_COST, 0, 10, 1};
    ck_assert_int_eq(ck_threshold_choose(y, p, 7, &spec, &k), 0);
    ck_assert(fabs(k.cut - 0.55) < 1e-12 && k.named == 3);
    /* scores 0.9 0.8 0.7 of labels 0 1 0, a false alarm at 100, a miss at 1:
     * none costs 1, the top k 101, 100, 200: name nobody (cut above 0.9) */
    double p2[] = {0.9, 0.8, 0.7}, y2[] = {0, 1, 0};
    spec = (ck_threshold_spec){CK_THRESHOLD_COST, 0, 100, 1};
    ck_assert_int_eq(ck_threshold_choose(y2, p2, 3, &spec, &k), 0);
    ck_assert(k.named == 0 && k.cut > 0.9);
}
END_TEST

START_TEST(test_threshold_rule_text)
{
    ck_threshold_spec k;
    char buf[128];
    ck_assert_int_eq(ck_threshold_rule_parse("precision>=0.85", &k), 0);
    ck_assert(k.rule == CK_THRESHOLD_PRECISION && k.target == 0.85);
    ck_threshold_rule_format(&k, buf, sizeof buf);
    ck_assert_str_eq(buf, "precision>=0.85");
    k.target = 0.1 + 0.2; /* not 0.3 in binary */
    ck_threshold_rule_format(&k, buf, sizeof buf);
    ck_assert_str_eq(buf, "precision>=0.30000000000000004");
    ck_assert_int_eq(ck_threshold_rule_parse(buf, &k), 0);
    ck_assert(k.target == 0.1 + 0.2); /* read back exactly */
    ck_assert_int_eq(ck_threshold_rule_parse("recall>=1", &k), 0);
    ck_assert(k.rule == CK_THRESHOLD_RECALL && k.target == 1);
    ck_assert_int_eq(ck_threshold_rule_parse("f1", &k), 0);
    ck_assert(k.rule == CK_THRESHOLD_F1);
    ck_assert_int_eq(ck_threshold_rule_parse("fixed", &k), 0);
    ck_assert_int_eq(ck_threshold_rule_parse("cost(fp=1,fn=5)", &k), 0);
    ck_assert(k.rule == CK_THRESHOLD_COST && k.cost_fp == 1 && k.cost_fn == 5);
    ck_threshold_rule_format(&k, buf, sizeof buf);
    ck_assert_str_eq(buf, "cost(fp=1,fn=5)");
    k.cost_fp = 0.1 + 0.2;
    ck_threshold_rule_format(&k, buf, sizeof buf);
    ck_assert_int_eq(ck_threshold_rule_parse(buf, &k), 0);
    ck_assert(k.cost_fp == 0.1 + 0.2);
    const char *bad[] = {"precision>=0", "precision>=1.5", "precision>=", "precision",
                         "precision>=0.8x", "f1>=0.5", "recall>0.5", "", "accuracyx",
                         "cost", "cost(fp=0,fn=1)", "cost(fp=1,fn=-2)", "cost(fp=1,fn=2)x",
                         "cost(fn=1,fp=2)", "cost(fp=inf,fn=1)"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(ck_threshold_rule_parse(bad[i], &k) != 0, "%s", bad[i]);
}
END_TEST

static ck_status try_train(ck_table *t, ck_train_options *o, ck_model **m, ck_warnings *w,
                           ck_error *err)
{
    ck_warnings_init(w);
    return ck_train(t, o, m, w, err);
}

START_TEST(test_cv_and_test_metrics_recorded)
{
    ck_table *t = read_table(PUB "mlc_churn.train.csv");
    ck_train_options o;
    ck_train_options_init(&o);
    o.label = "churn";
    ck_test_param(&o, "l2", 1);
    o.cv = 4;
    o.test_fraction = 0.25;
    o.threshold_rule = CK_THRESHOLD_F1;
    ck_model *m;
    ck_warnings w;
    ck_error err;
    ck_assert_msg(try_train(t, &o, &m, &w, &err) == CK_OK, "%s", err.message);
    ck_assert(m->has_cv && m->test.present);
    ck_assert_uint_eq(m->cv.folds, 4);
    ck_assert_str_eq(ck_cv_stat_names(m->task)[2], "roc_auc");
    double auc = m->cv.mean[2];
    ck_assert(auc > 0.75 && auc < 0.9);
    ck_assert_uint_eq(m->test.cls.n, 1000);
    ck_assert_uint_eq(m->training.rows, 3000);
    /* the F1 threshold on imbalanced churn sits well below 0.5 */
    ck_assert(m->threshold > 0.05 && m->threshold < 0.5);
    ck_assert_str_eq(m->threshold_rule, "f1");
    ck_model_free(m);
    ck_warnings_fini(&w);
    ck_table_free(t);
}
END_TEST

START_TEST(test_option_errors)
{
    ck_table *t = read_table(PUB "mlc_churn.train.csv");
    ck_train_options o;
    ck_model *m;
    ck_warnings w;
    ck_error err;
    ck_train_options_init(&o);
    o.label = "churn";
    o.threshold_rule = CK_THRESHOLD_F1;
    ck_assert_int_eq(try_train(t, &o, &m, &w, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "add --cv K");
    ck_warnings_fini(&w);
    ck_train_options_init(&o);
    o.label = "churn";
    ck_test_use(&o, "linear");
    ck_assert_int_eq(try_train(t, &o, &m, &w, &err), CK_EDATA);
    ck_assert_msg_contains(err, "in the target 'churn', which must be a number");
    ck_warnings_fini(&w);
    ck_train_options_init(&o);
    o.label = "account_length";
    ck_assert_int_eq(try_train(t, &o, &m, &w, &err), CK_EDATA);
    ck_assert_msg_contains(err, "more than two values");
    ck_warnings_fini(&w);
    ck_table_free(t);
}
END_TEST

START_TEST(test_constant_and_wide_columns)
{
    ck_table *t = csv_table("id,k,plan,x,y\n1,5,a,0.1,no\n2,5,b,0.7,yes\n3,5,c,0.2,no\n"
                            "4,5,d,0.9,yes\n5,5,e,0.3,no\n6,5,f,0.8,yes\n");
    ck_train_options o;
    ck_train_options_init(&o);
    o.label = "y";
    o.id = "id";
    ck_test_param(&o, "l2", 1);
    o.pipeline.max_levels = 4;
    ck_model *m;
    ck_warnings w;
    ck_error err;
    ck_assert_int_eq(try_train(t, &o, &m, &w, &err), CK_EDATA);
    ck_assert_msg_contains(err, "column 'plan' has 6 distinct values, more than --max-levels 4");
    ck_warnings_fini(&w);
    o.pipeline.max_levels = 100;
    static const char *ex[] = {"plan"};
    o.pipeline.exclude = ex;
    o.pipeline.nexclude = 1;
    ck_assert_msg(try_train(t, &o, &m, &w, &err) == CK_OK, "%s", err.message);
    ck_assert_uint_eq(m->pl->nfeat, 1); /* k is constant, id and label are never features */
    ck_assert_str_eq(m->pl->feat[0].name, "x");
    int warned = 0;
    for (size_t i = 0; i < w.n; i++)
        warned |= strstr(w.msg[i], "column 'k' is constant") != NULL;
    ck_assert(warned);
    ck_model_free(m);
    ck_warnings_fini(&w);
    ck_table_free(t);
}
END_TEST

/* ck_design_block (a column at a time, for the fits' passes) writes the
 * same bits as ck_design_row (a row at a time) for every kind of feature:
 * plain, missing with an indicator, symlog, spline, one-hot with a
 * reference level, and raw inputs (trees). */
START_TEST(test_design_block_equals_rows)
{
    char csv[8192] = "a,b,c,plan,y\n";
    for (int i = 0; i < 150; i++) {
        char row[96];
        const char *plan = i % 3 == 0 ? "basic" : i % 3 == 1 ? "pro" : "team";
        if (i % 7 == 3)
            snprintf(row, sizeof row, ",%d,%.3f,%s,%d\n", i * i, (i % 13) * 1.5, plan, i % 2);
        else
            snprintf(row, sizeof row, "%.2f,%d,%.3f,%s,%d\n", i * 0.37 - 20, i * i,
                     (i % 13) * 1.5, i % 11 == 0 ? "" : plan, i % 2);
        strcat(csv, row);
    }
    char *path = ck_test_write(csv);
    ck_table *t = read_table(path);
    static const char *const logs[] = {"b"}, *const spl[] = {"c"};
    for (int raw = 0; raw <= 1; raw++) {
        ck_pipeline_options po;
        ck_pipeline_options_init(&po);
        po.label = "y";
        po.raw = raw;
        if (!raw) {
            po.missing_indicators = 1;
            po.log = logs;
            po.nlog = 1;
            po.splines = spl;
            po.nsplines = 1;
            po.drop_first = 1;
        }
        ck_pipeline *pl;
        ck_warnings w;
        ck_error err;
        ck_warnings_init(&w);
        ck_assert_msg(ck_pipeline_fit(&pl, t, NULL, 0, &po, &w, &err) == CK_OK, "%s",
                      err.message);
        ck_design d;
        ck_assert_int_eq(ck_design_bind(&d, pl, t, &err), CK_OK);
        size_t rows[37], p = pl->width, n = sizeof rows / sizeof *rows;
        for (size_t i = 0; i < n; i++)
            rows[i] = (i * 53 + 7) % t->nrows;
        double *blk = malloc(p * 40 * sizeof *blk), *row = malloc(p * sizeof *row);
        ck_design_block(&d, rows, n, blk, 40);
        for (size_t i = 0; i < n; i++) {
            ck_design_row(&d, rows[i], row);
            for (size_t j = 0; j < p; j++)
                ck_assert_msg(memcmp(&row[j], &blk[j * 40 + i], sizeof(double)) == 0,
                              "raw %d, row %zu, column %s: %.17g against %.17g", raw, rows[i],
                              pl->encoded[j], row[j], blk[j * 40 + i]);
        }
        ck_assert(raw || p > 8); /* the spline's columns, the indicator, the one-hot ones */
        free(blk);
        free(row);
        ck_design_fini(&d);
        ck_pipeline_free(pl);
        ck_warnings_fini(&w);
    }
    ck_table_free(t);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(test_svm_matches_svm_predict)
{
    if (system("command -v svm-predict >/dev/null 2>&1") != 0)
        ck_abort_msg("svm-predict (Debian's libsvm-tools) is needed: .ci/deps.sh check");
    ck_table *t = read_table(PUB "attrition.train.csv");
    ck_table *test = read_table(PUB "attrition.test.csv");
    ck_train_options o;
    ck_train_options_init(&o);
    o.label = "Attrition";
    ck_test_use(&o, "svm");
    ck_model *m;
    ck_warnings w;
    ck_error err;
    ck_assert_msg(try_train(t, &o, &m, &w, &err) == CK_OK, "%s", err.message);
    /* the model's libsvm text and the encoded test rows in libsvm's format */
    char *file = ck_model_to_json(m);
    json_t *root = json_loads(file, 0, NULL);
    const char *text = json_string_value(json_object_get(json_object_get(root, "svm"),
                                                         "libsvm_model"));
    ck_assert_ptr_nonnull(text);
    char *model_path = ck_test_write(text);
    json_decref(root);
    free(file);
    char data_path[] = "/tmp/churnkit-svmdata-XXXXXX";
    int fd = mkstemp(data_path);
    FILE *fp = fdopen(fd, "w");
    ck_design d;
    ck_assert_int_eq(ck_design_bind(&d, m->pl, test, &err), CK_OK);
    double *x = malloc(m->pl->width * sizeof *x);
    for (size_t i = 0; i < test->nrows; i++) {
        ck_design_row(&d, i, x);
        fprintf(fp, "0");
        for (size_t j = 0; j < m->pl->width; j++)
            if (x[j] != 0)
                fprintf(fp, " %zu:%.17g", j + 1, x[j]);
        fprintf(fp, "\n");
    }
    fclose(fp);
    char cmd[512], out_path[] = "/tmp/churnkit-svmout-XXXXXX";
    close(mkstemp(out_path));
    snprintf(cmd, sizeof cmd, "svm-predict -b 1 -q %s %s %s", data_path, model_path, out_path);
    ck_assert_int_eq(system(cmd), 0);
    /* svm-predict prints "labels 1 0" (or "0 1") then "label p_a p_b" per row */
    fp = fopen(out_path, "r");
    int l0, l1;
    ck_assert_int_eq(fscanf(fp, "labels %d %d", &l0, &l1), 2);
    double worst = 0;
    void *nodes = NULL;
    ck_assert_int_eq(ck_model_scratch(m, &nodes, &err), CK_OK);
    for (size_t i = 0; i < test->nrows; i++) {
        double lab, pa, pb;
        ck_assert_int_eq(fscanf(fp, "%lf %lf %lf", &lab, &pa, &pb), 3);
        ck_design_row(&d, i, x);
        double p = ck_model_score(m, x, nodes);
        worst = fmax(worst, fabs(p - (l0 == 1 ? pa : pb)));
    }
    /* svm-predict prints 6 significant digits */
    ck_assert_msg(worst < 5e-6, "probabilities differ from svm-predict by %g", worst);
    fclose(fp);
    ck_model_scratch_free(m, nodes);
    free(x);
    ck_design_fini(&d);
    unlink(model_path);
    unlink(data_path);
    unlink(out_path);
    free(model_path);
    ck_model_free(m);
    ck_warnings_fini(&w);
    ck_table_free(t);
    ck_table_free(test);
}
END_TEST


/* Test ROC AUC on the public data against the scikit-learn figures in the
 * data's README (same split, same preprocessing): logistic within 0.005 of
 * LogisticRegression(C=1), SVM within 0.01 of SVC(rbf, probability). */
static double public_auc(const char *name, const char *label, const char *e)
{
    char path[512];
    snprintf(path, sizeof path, PUB "%s.train.csv", name);
    ck_table *t = read_table(path);
    snprintf(path, sizeof path, PUB "%s.test.csv", name);
    ck_table *test = read_table(path);
    ck_train_options o;
    ck_train_options_init(&o);
    o.label = label;
    ck_test_use(&o, e);
    if (strcmp(e, "logistic") == 0)
        ck_test_param(&o, "l2", 1);
    ck_model *m;
    ck_warnings w;
    ck_error err;
    ck_assert_msg(try_train(t, &o, &m, &w, &err) == CK_OK, "%s", err.message);
    size_t *rows = malloc(test->nrows * sizeof *rows);
    double *p = malloc(test->nrows * sizeof *p);
    int *y = malloc(test->nrows * sizeof *y);
    for (size_t i = 0; i < test->nrows; i++)
        rows[i] = i;
    ck_assert_int_eq(ck_model_score_table(m, test, rows, test->nrows, 0, p, &err), CK_OK);
    ck_label l;
    ck_assert_int_eq(ck_label_like(&l, test, &(ck_label){.name = (char *)label, .binary = 1,
                                                         .positive = m->positive,
                                                         .negative = m->negative}, &err),
                     CK_OK);
    for (size_t i = 0; i < test->nrows; i++)
        y[i] = l.y[i] == 1;
    double auc = ck_metrics_auc(y, p, test->nrows);
    ck_label_fini(&l);
    free(rows);
    free(p);
    free(y);
    ck_model_free(m);
    ck_warnings_fini(&w);
    ck_table_free(t);
    ck_table_free(test);
    return auc;
}

START_TEST(test_public_auc_near_sklearn)
{
    double auc = public_auc("mlc_churn", "churn", "logistic");
    ck_assert_msg(fabs(auc - 0.8175) <= 0.005, "mlc_churn logistic AUC %.4f", auc);
    auc = public_auc("attrition", "Attrition", "logistic");
    ck_assert_msg(fabs(auc - 0.8152) <= 0.005, "attrition logistic AUC %.4f", auc);
    auc = public_auc("mlc_churn", "churn", "svm");
    ck_assert_msg(fabs(auc - 0.9103) <= 0.01, "mlc_churn SVM AUC %.4f", auc);
    auc = public_auc("attrition", "Attrition", "svm");
    ck_assert_msg(fabs(auc - 0.8343) <= 0.01, "attrition SVM AUC %.4f", auc);
}
END_TEST

/* The hold-out metrics are computed on the hold-out rows, also when
 * cross-validation ran first (it once reused their buffer as scratch, so
 * "test" described a mix of the last fold and hold-out rows). */
START_TEST(test_holdout_metrics_after_cv)
{
    ck_table *t = read_table(PUB "mlc_churn.train.csv");
    ck_train_options opt;
    ck_train_options_init(&opt);
    opt.label = "churn";
    ck_test_param(&opt, "l2", 1);
    opt.cv = 3;
    opt.test_fraction = 0.25;
    opt.seed = 7;
    ck_model *m;
    ck_warnings w;
    ck_error err;
    ck_warnings_init(&w);
    ck_assert_msg(ck_train(t, &opt, &m, &w, &err) == CK_OK, "%s", err.message);
    /* the same split, drawn again, scored again */
    ck_label y;
    ck_assert(ck_label_binary(&y, t, "churn", NULL, &err) == CK_OK);
    size_t n = t->nrows, *all = malloc(n * sizeof *all), *tr = malloc(n * sizeof *tr);
    size_t *te = malloc(n * sizeof *te), ntr, nte;
    for (size_t i = 0; i < n; i++)
        all[i] = i;
    ck_assert(ck_split_holdout(all, n, y.y, 0.25, 7, tr, &ntr, te, &nte, &err) == CK_OK);
    double *p = malloc(nte * sizeof *p);
    int *yi = malloc(nte * sizeof *yi);
    ck_assert(ck_model_score_table(m, t, te, nte, 1, p, &err) == CK_OK);
    for (size_t i = 0; i < nte; i++)
        yi[i] = y.y[te[i]] == 1;
    ck_class_metrics c;
    ck_assert(ck_metrics_classification(yi, p, nte, m->threshold, &c, &err) == CK_OK);
    ck_assert(m->test.present);
    ck_assert_uint_eq(m->test.cls.n, nte);
    ck_assert(m->test.cls.roc_auc == c.roc_auc);
    ck_assert(m->test.cls.accuracy == c.accuracy);
    free(all);
    free(tr);
    free(te);
    free(p);
    free(yi);
    ck_label_fini(&y);
    ck_model_free(m);
    ck_warnings_fini(&w);
    ck_table_free(t);
}
END_TEST

static Suite *train_suite(void)
{
    Suite *s = suite_create("train");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_label_default_positive);
    tcase_add_test(tc, test_label_errors);
    tcase_add_test(tc, test_folds_stratified_and_seeded);
    tcase_add_test(tc, test_holdout_stratified);
    tcase_add_test(tc, test_pick_threshold);
    tcase_add_test(tc, test_threshold_floors);
    tcase_add_test(tc, test_threshold_rule_text);
    tcase_add_test(tc, test_threshold_cost);
    tcase_add_test(tc, test_cv_and_test_metrics_recorded);
    tcase_add_test(tc, test_option_errors);
    tcase_add_test(tc, test_constant_and_wide_columns);
    tcase_add_test(tc, test_svm_matches_svm_predict);
    tcase_add_test(tc, test_public_auc_near_sklearn);
    tcase_add_test(tc, test_holdout_metrics_after_cv);
    tcase_add_test(tc, test_label_drop_missing);
    tcase_add_test(tc, test_train_drop_missing_and_refit);
    tcase_add_test(tc, test_design_block_equals_rows);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}

CK_TEST_MAIN(train_suite)
