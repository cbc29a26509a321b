/* The statistics of issue 18 against R's glm and lm and statsmodels, on
 * tests/fixtures/stats/telco.csv (made, with every reference number, by
 * make_stats_fixtures.py and make_stats_fixtures.R beside it): aliased
 * columns (NA) and the rank's degrees of freedom, coefficients per unit
 * and per standard deviation, levels dropped by --exclude NAME=LEVEL,
 * reference levels, penalized fits, each column's tests (drop1, Wald), AIC
 * and BIC, HC1 errors, and --l2 auto.
 * Models are trained through ck_train and read back from their model
 * file's text, so that what is compared is what a user gets. */
#include "testutil.h"

#include <jansson.h>
#include <math.h>

#include "churnkit/model.h"
#include "churnkit/train.h"

#define FIX CK_TEST_DATA "/../fixtures/stats/"

/* Agreement asked of every number: 1e-6, relative (absolute below 1e-3,
 * where a relative difference means little). */
#define TOL 1e-6

static ck_table *read_csv(const char *name, const char *text_col)
{
    return ck_test_fixture(FIX, name, text_col);
}

static double cell(const ck_table *t, size_t row, const char *col)
{
    return ck_test_column(t, col)[row];
}

/* A fixture's value by the text in its first column. */
static double lookup(const ck_table *t, const char *key, const char *col)
{
    for (size_t i = 0; i < t->nrows; i++)
        if (strcmp(ck_table_text(t, 0, i), key) == 0)
            return cell(t, i, col);
    ck_abort_msg("no reference row '%s'", key);
    return NAN;
}

/* The options of a model of churn (logistic) or spend_change (linear). */
static void options(ck_train_options *o, const char *estimator, const char **exclude,
                    size_t nexclude)
{
    ck_train_options_init(o);
    ck_test_use(o, estimator);
    o->label = strcmp(estimator, "logistic") == 0 ? "churn" : "spend_change";
    o->pipeline.exclude = exclude;
    o->pipeline.nexclude = nexclude;
}

/* Trains on telco.csv and returns the model file as JSON (and the
 * warnings in *w, when given). */
static json_t *train(const ck_train_options *o, ck_warnings *w)
{
    ck_table *t = read_csv("telco.csv", NULL);
    ck_model *m;
    ck_error err;
    ck_warnings mine;
    ck_warnings_init(&mine);
    ck_assert_msg(ck_train(t, o, &m, w ? w : &mine, &err) == CK_OK, "%s", err.message);
    char *text = ck_model_to_json(m);
    ck_assert(text != NULL);
    json_error_t je;
    json_t *root = json_loads(text, 0, &je);
    ck_assert_msg(root != NULL, "%s", je.text);
    /* and the model loads back from that text */
    ck_model *back;
    ck_assert_msg(ck_model_parse(&back, text, "telco model", &err) == CK_OK, "%s", err.message);
    ck_model_free(back);
    free(text);
    ck_model_free(m);
    ck_table_free(t);
    ck_warnings_fini(&mine);
    return root;
}

static json_t *logistic(void)
{
    static const char *ex[] = {"spend_change"};
    ck_train_options o;
    options(&o, "logistic", ex, 1);
    return train(&o, NULL);
}

static json_t *linear(void)
{
    static const char *ex[] = {"churn"};
    ck_train_options o;
    options(&o, "linear", ex, 1);
    return train(&o, NULL);
}

static double num(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    ck_assert_msg(v != NULL, "no key '%s'", key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static void near(double got, double want, const char *what, const char *term)
{
    double d = ck_test_reldiff(got, want, 1e-3);
    ck_assert_msg(d <= TOL, "%s of '%s': %.17g, the reference %.17g (%.3g apart)", what, term,
                  got, want, d);
}

/* A p-value, however small, on the log scale: a tiny p's relative error
 * is its statistic's times about z^2 (p = 4e-20 at z = 9.2 moves 2e-6 when
 * z moves 2e-8, which R's own fits of one model on two scales do). */
static void near_p(double got, double want, const char *term)
{
    double d = fabs(log(got) - log(want)) / fmax(1, fabs(log(want)));
    ck_assert_msg(d <= TOL, "p of '%s': %.17g, the reference %.17g", term, got, want);
}

/*
 * Every term of the model file's coefficients against a fixture of R's
 * (term, coef, se, stat, p, lo, hi; NA for aliased): on the model's scale
 * (scale NULL) or per_unit, per_sd.  The terms are in the same order.
 */
static void compare(const json_t *root, const char *fixture, const char *scale, int intercept)
{
    const json_t *terms = json_object_get(json_object_get(root, "coefficients"), "terms");
    const char *stat = json_string_value(json_object_get(json_object_get(root, "coefficients"),
                                                         "statistic"));
    ck_table *ref = read_csv(fixture, "term");
    ck_assert_uint_eq(json_array_size(terms), ref->nrows);
    for (size_t i = intercept ? 0 : 1; i < ref->nrows; i++) {
        const json_t *t = json_array_get(terms, i);
        const char *name = json_string_value(json_object_get(t, "term"));
        ck_assert_str_eq(name, ck_table_text(ref, 0, i));
        if (isnan(cell(ref, i, "coef"))) { /* R's NA: aliased */
            ck_assert_msg(json_is_true(json_object_get(t, "aliased")), "'%s' not aliased", name);
            ck_assert(num(t, "coef") == 0 && isnan(num(t, "se")) && isnan(num(t, "p")));
            ck_assert(!json_object_get(t, "per_unit") && !json_object_get(t, "per_sd"));
            continue;
        }
        ck_assert_msg(!json_object_get(t, "aliased"), "'%s' aliased", name);
        const json_t *o = scale ? json_object_get(t, scale) : t;
        ck_assert_msg(o != NULL, "'%s' has no %s", name, scale);
        near(num(o, "coef"), cell(ref, i, "coef"), "coef", name);
        near(num(o, "se"), cell(ref, i, "se"), "se", name);
        near(num(o, "ci_low"), cell(ref, i, "lo"), "ci_low", name);
        near(num(o, "ci_high"), cell(ref, i, "hi"), "ci_high", name);
        near_p(num(o, "p"), cell(ref, i, "p"), name);
        if (!scale)
            near(num(o, stat), cell(ref, i, "stat"), stat, name);
    }
    ck_table_free(ref);
}

static const json_t *fit(const json_t *root)
{
    return json_object_get(root, "fit");
}

START_TEST(test_logistic_aliased_as_glm)
{
    /* two "No internet service" levels equal internet_service=No: NA in
     * R's glm, the rest of the table glm's; the likelihood-ratio test on
     * rank - 1 = 10 degrees of freedom, not 12 */
    json_t *root = logistic();
    compare(root, "logit_coef.csv", NULL, 1);
    ck_table *s = read_csv("logit_stats.csv", "name");
    near(num(fit(root), "loglik"), lookup(s, "loglik", "value"), "loglik", "");
    near(num(fit(root), "loglik_null"), lookup(s, "loglik_null", "value"), "loglik_null", "");
    near(num(fit(root), "lr_stat"), lookup(s, "lr_stat", "value"), "lr_stat", "");
    ck_assert(num(fit(root), "rank") == lookup(s, "rank", "value"));
    ck_assert(num(fit(root), "lr_df") == lookup(s, "lr_df", "value"));
    near_p(num(fit(root), "lr_p"), lookup(s, "lr_p", "value"), "lr_p");
    ck_table_free(s);
    json_decref(root);
}
END_TEST

START_TEST(test_logistic_raw_scales)
{
    /* per unit: glm on the raw numbers (the intercept at every number 0);
     * per SD: glm with every column standardized, the 0/1 ones too */
    json_t *root = logistic();
    compare(root, "logit_unit_coef.csv", "per_unit", 1);
    compare(root, "logit_sd_coef.csv", "per_sd", 0);
    /* odds ratios are exp of them */
    const json_t *t = json_array_get(json_object_get(json_object_get(root, "coefficients"),
                                                     "terms"), 1);
    const json_t *u = json_object_get(t, "per_unit");
    ck_assert(fabs(num(u, "odds_ratio") - exp(num(u, "coef"))) < 1e-15);
    ck_assert(fabs(num(u, "or_ci_low") - exp(num(u, "ci_low"))) < 1e-15);
    json_decref(root);
}
END_TEST

START_TEST(test_linear_aliased_as_lm)
{
    json_t *root = linear();
    compare(root, "lm_coef.csv", NULL, 1);
    compare(root, "lm_unit_coef.csv", "per_unit", 1);
    compare(root, "lm_sd_coef.csv", "per_sd", 0);
    ck_table *s = read_csv("lm_stats.csv", "name");
    ck_assert(num(fit(root), "rank") == lookup(s, "rank", "value"));
    ck_assert(num(fit(root), "df_resid") == lookup(s, "df_resid", "value"));
    ck_assert(num(fit(root), "df_model") == lookup(s, "f_df1", "value"));
    near(num(fit(root), "r2"), lookup(s, "r2", "value"), "r2", "");
    near(num(fit(root), "r2_adj"), lookup(s, "r2_adj", "value"), "r2_adj", "");
    near(num(fit(root), "f_stat"), lookup(s, "f", "value"), "F", "");
    near(num(fit(root), "loglik"), lookup(s, "loglik", "value"), "loglik", "");
    near(num(fit(root), "sigma2"), lookup(s, "sigma2", "value"), "sigma2", "");
    ck_table_free(s);
    json_decref(root);
}
END_TEST

START_TEST(test_one_warning_names_the_aliased)
{
    static const char *ex[] = {"spend_change"};
    ck_train_options o;
    ck_warnings w;
    ck_warnings_init(&w);
    options(&o, "logistic", ex, 1);
    json_t *root = train(&o, &w);
    size_t n = 0;
    for (size_t i = 0; i < w.n; i++) {
        const char *m = w.msg[i];
        /* no near-collinearity warning repeats what the aliasing says */
        ck_assert_msg(!strstr(m, "nearly collinear"), "%s", m);
        if (strstr(m, "aliased")) {
            n++;
            ck_assert(strstr(m, "rank 11 of 13"));
            ck_assert(strstr(m, "'online_security=No internet service'") &&
                      strstr(m, "'tech_support=No internet service'"));
            ck_assert(!strstr(m, "'internet_service=No'"));
        }
    }
    ck_assert_uint_eq(n, 1);
    json_decref(root);
    ck_warnings_fini(&w);
}
END_TEST

START_TEST(test_exclude_level)
{
    /* --exclude NAME=LEVEL drops the aliased columns: a full-rank design,
     * whose fit statsmodels' Logit gives (and R's on the columns it kept),
     * with no warning of aliasing */
    static const char *ex[] = {"spend_change", "online_security=No internet service",
                               "tech_support=No internet service"};
    ck_train_options o;
    ck_warnings w;
    ck_warnings_init(&w);
    options(&o, "logistic", ex, 3);
    json_t *root = train(&o, &w);
    compare(root, "logit_sm_coef.csv", NULL, 1);
    for (size_t i = 0; i < w.n; i++)
        ck_assert_msg(!strstr(w.msg[i], "aliased"), "%s", w.msg[i]);
    const json_t *f = json_array_get(json_object_get(root, "features"), 5);
    ck_assert_str_eq(json_string_value(json_object_get(f, "name")), "online_security");
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(f, "excluded_levels"), 0)),
                     "No internet service");
    ck_assert(num(fit(root), "lr_df") == 10);
    json_decref(root);
    ck_warnings_fini(&w);
}
END_TEST

START_TEST(test_level_errors)
{
    ck_table *t = read_csv("telco.csv", NULL);
    ck_model *m = NULL;
    ck_error err;
    static const char *bad[][2] = {
        {"online_security=Maybe", "has no level 'Maybe' (its levels: 'No', 'No internet "
                                  "service', 'Yes')"},
        {"tenure=3", "column 'tenure' is numeric"},
        {"online_security=No", "'No' is the reference level of 'online_security'"},
        {"paperless_billing=Yes", "leaves column 'paperless_billing' no level column"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *ex[] = {"spend_change", bad[i][0]};
        ck_train_options o;
        options(&o, "logistic", ex, 2);
        ck_assert_int_eq(ck_train(t, &o, &m, NULL, &err), CK_EUSAGE);
        ck_assert_msg_contains(err, bad[i][1]);
    }
    ck_table_free(t);
}
END_TEST

START_TEST(test_old_model_scales)
{
    /* a model file written before the raw scales (the golden lr_infer):
     * loading computes them from its features, per unit coef / scale */
    ck_model *m;
    ck_error err;
    ck_assert_msg(ck_model_load(&m, CK_TEST_DATA "/../golden/models/lr_infer.json", &err) ==
                      CK_OK,
                  "%s", err.message);
    ck_terms t = ck_test_terms(m);
    ck_assert(t.scales && t.ratio && strcmp(t.ratio, "odds_ratio") == 0);
    for (size_t j = 1; j < t.n; j++) {
        const ck_feature *f = NULL;
        for (size_t k = 0; k < m->pl->nfeat; k++)
            if (strcmp(m->pl->feat[k].name, t.term[j].name) == 0)
                f = &m->pl->feat[k];
        if (f) /* a number: per unit is per SD over the scale */
            ck_assert(fabs(t.term[j].unit[0] - t.term[j].value / f->scale) <=
                      1e-15 * fabs(t.term[j].value / f->scale));
        else /* a level: its own */
            ck_assert(t.term[j].unit[0] == t.term[j].value);
        ck_assert(t.term[j].sd[0] == t.term[j].sd[0]); /* known */
    }
    /* the intercept per unit has no interval: the old file lacks it */
    ck_assert(isnan(t.term[0].unit[1]) && !isnan(t.term[0].unit[0]));
    free(t.term);
    ck_model_free(m);
}
END_TEST

/* Coefficients only (a penalized fit's reference: scikit-learn). */
static void compare_coefs(const json_t *root, const char *fixture)
{
    const json_t *terms = json_object_get(json_object_get(root, "coefficients"), "terms");
    ck_table *ref = read_csv(fixture, "term");
    ck_assert_uint_eq(json_array_size(terms), ref->nrows);
    for (size_t i = 0; i < ref->nrows; i++) {
        const json_t *t = json_array_get(terms, i);
        const char *name = json_string_value(json_object_get(t, "term"));
        ck_assert_str_eq(name, ck_table_text(ref, 0, i));
        if (isnan(cell(ref, i, "coef"))) { /* left out: aliased */
            ck_assert_msg(json_is_true(json_object_get(t, "aliased")), "'%s' not aliased", name);
            ck_assert(num(t, "coef") == 0);
            continue;
        }
        near(num(t, "coef"), cell(ref, i, "coef"), "coef", name);
    }
    ck_table_free(ref);
}

START_TEST(test_reference_levels)
{
    /* --reference contract=Two year,online_security=Yes: R's glm with those
     * levels first (relevel); the aliased column is then online_security=No
     * internet service still, the one after online_security=No */
    static const char *ex[] = {"spend_change"};
    static const char *ref[] = {"contract=Two year", "online_security=Yes"};
    ck_train_options o;
    options(&o, "logistic", ex, 1);
    o.pipeline.reference = ref;
    o.pipeline.nreference = 2;
    json_t *root = train(&o, NULL);
    compare(root, "logit_ref_coef.csv", NULL, 1);
    const json_t *f = json_array_get(json_object_get(root, "features"), 3);
    ck_assert_str_eq(json_string_value(json_object_get(f, "name")), "contract");
    ck_assert_str_eq(json_string_value(json_object_get(f, "reference")), "Two year");
    ck_assert(json_is_false(json_object_get(f, "drop_first")));
    const json_t *rec = json_object_get(json_object_get(json_object_get(root, "training"),
                                                        "options"), "reference");
    ck_assert_uint_eq(json_array_size(rec), 2);
    /* the same fit as the default reference: the likelihood does not move */
    json_t *plain = logistic();
    near(num(fit(root), "loglik"), num(fit(plain), "loglik"), "loglik", "");
    json_decref(plain);
    json_decref(root);
}
END_TEST

START_TEST(test_penalized_keeps_reference)
{
    /* --l2: the reference levels stay out, so that levels are contrasts,
     * and so does the aliased pair (NA), as without a penalty;
     * scikit-learn's LogisticRegression(C = 1/2) and Ridge(alpha = 3) on
     * the same columns */
    static const char *exl[] = {"spend_change"}, *exr[] = {"churn"};
    ck_train_options o;
    options(&o, "logistic", exl, 1);
    ck_test_param(&o, "l2", 2);
    json_t *root = train(&o, NULL);
    compare_coefs(root, "logit_l2_coef.csv");
    const json_t *c = json_object_get(root, "coefficients");
    ck_assert(json_is_true(json_object_get(c, "approximate")));
    ck_assert(!json_object_get(json_array_get(json_object_get(c, "terms"), 9), "aliased"));
    ck_assert(json_is_true(json_object_get(json_array_get(json_object_get(c, "terms"), 8),
                                           "aliased")));
    json_decref(root);
    options(&o, "linear", exr, 1);
    ck_test_param(&o, "l2", 3);
    root = train(&o, NULL);
    compare_coefs(root, "ridge_l2_coef.csv");
    json_decref(root);
}
END_TEST

START_TEST(test_reference_errors)
{
    ck_table *t = read_csv("telco.csv", NULL);
    ck_model *m = NULL;
    ck_error err;
    static const char *bad[][2] = {
        {"contract=Three year", "--reference 'contract=Three year': column 'contract' has no "
                                "level 'Three year'"},
        {"tenure=1", "--reference 'tenure=1': column 'tenure' is numeric"},
        {"spend_change=1", "column 'spend_change' is numeric"},
        {"nonsense", "--reference 'nonsense': expected COLUMN=LEVEL"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *ex[] = {"spend_change"}, *ref[] = {bad[i][0]};
        ck_train_options o;
        options(&o, "logistic", ex, 1);
        o.pipeline.reference = ref;
        o.pipeline.nreference = 1;
        ck_assert_int_eq(ck_train(t, &o, &m, NULL, &err), CK_EUSAGE);
        ck_assert_msg_contains(err, bad[i][1]);
    }
    /* a column that is not a feature */
    const char *ex[] = {"spend_change", "contract"}, *ref[] = {"contract=One year"};
    ck_train_options o;
    options(&o, "logistic", ex, 2);
    o.pipeline.reference = ref;
    o.pipeline.nreference = 1;
    ck_assert_int_eq(ck_train(t, &o, &m, NULL, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "column 'contract' is not a feature");
    ck_table_free(t);
}
END_TEST

/* The model file's tests against a fixture whose rows are the columns
 * (after R's "<none>" row when `none`); keys[i] in the model file against
 * cols[i] in the fixture. */
static void compare_tests(const json_t *root, const char *fixture, const char *method, int none,
                          const char *const *keys, const char *const *cols, size_t n)
{
    const json_t *t = json_object_get(json_object_get(root, "coefficients"), "tests");
    ck_assert_msg(t != NULL, "no tests in the model file");
    ck_assert_str_eq(json_string_value(json_object_get(t, "method")), method);
    const json_t *terms = json_object_get(t, "terms");
    ck_table *ref = read_csv(fixture, "term");
    ck_assert_uint_eq(json_array_size(terms) + (none ? 1 : 0), ref->nrows);
    for (size_t i = 0; i < json_array_size(terms); i++) {
        const json_t *r = json_array_get(terms, i);
        const char *name = json_string_value(json_object_get(r, "term"));
        ck_assert_str_eq(name, ck_table_text(ref, 0, i + (none ? 1 : 0)));
        for (size_t k = 0; k < n; k++) {
            double want = cell(ref, i + (none ? 1 : 0), cols[k]);
            if (strcmp(keys[k], "p") == 0)
                near_p(num(r, "p"), want, name);
            else
                near(num(r, keys[k]), want, keys[k], name);
        }
    }
    ck_table_free(ref);
}

START_TEST(test_logistic_drop1)
{
    /* --drop1: R's drop1(glm, test = "Chisq"); internet_service takes 1
     * degree of freedom, not 2 (without it, online_security=No internet
     * service is no longer aliased and stands in for internet_service=No) */
    static const char *ex[] = {"spend_change"};
    static const char *keys[] = {"df", "deviance", "aic", "lr_stat", "p"};
    static const char *cols[] = {"Df", "Deviance", "AIC", "LRT", "Pr_Chi_"};
    ck_train_options o;
    options(&o, "logistic", ex, 1);
    ck_test_param(&o, "drop1", 1);
    json_t *root = train(&o, NULL);
    compare_tests(root, "logit_drop1.csv", "lr", 1, keys, cols, 5);
    json_decref(root);
}
END_TEST

START_TEST(test_logistic_wald_and_aic)
{
    /* without --drop1: Wald chi-square with vcov over the estimated
     * coefficients (internet_service: 2 of them); R's AIC and BIC */
    static const char *keys[] = {"df", "chi2", "p"};
    static const char *cols[] = {"df", "chi2", "p"};
    json_t *root = logistic();
    compare_tests(root, "logit_wald.csv", "wald", 0, keys, cols, 3);
    ck_table *s = read_csv("logit_stats.csv", "name");
    near(num(fit(root), "aic"), lookup(s, "aic", "value"), "aic", "");
    near(num(fit(root), "bic"), lookup(s, "bic", "value"), "bic", "");
    ck_table_free(s);
    json_decref(root);
}
END_TEST

START_TEST(test_linear_drop1_and_aic)
{
    /* least squares: R's drop1(lm, test = "F"), from the R factor alone;
     * AIC and BIC as R's (sigma counted) */
    static const char *keys[] = {"df", "sum_sq", "rss", "f", "p"};
    static const char *cols[] = {"Df", "Sum_of_Sq", "RSS", "F_value", "Pr_F_"};
    json_t *root = linear();
    compare_tests(root, "lm_drop1.csv", "f", 1, keys, cols, 5);
    ck_table *s = read_csv("lm_stats.csv", "name");
    near(num(fit(root), "aic"), lookup(s, "aic", "value"), "aic", "");
    near(num(fit(root), "bic"), lookup(s, "bic", "value"), "bic", "");
    ck_table_free(s);
    json_decref(root);
}
END_TEST

START_TEST(test_robust_se_hc1)
{
    /* --robust-se: HC1 = n/(n-k) B M B, statsmodels' (its Logit's HC0 times
     * n/(n-k), see the fixture script; OLS's own HC1 with t), on the design
     * without the aliased columns; each column's test is then Wald with it */
    static const char *exl[] = {"spend_change", "online_security=No internet service",
                                "tech_support=No internet service"};
    static const char *exr[] = {"churn", "online_security=No internet service",
                                "tech_support=No internet service"};
    static const char *keys[] = {"df", "chi2", "p"};
    ck_train_options o;
    options(&o, "logistic", exl, 3);
    ck_test_param(&o, "robust-se", 1);
    json_t *root = train(&o, NULL);
    compare(root, "logit_hc1_coef.csv", NULL, 1);
    compare_tests(root, "logit_hc1_wald.csv", "wald", 0, keys, keys, 3);
    const json_t *c = json_object_get(root, "coefficients");
    ck_assert_str_eq(json_string_value(json_object_get(c, "covariance")), "hc1");
    json_decref(root);
    options(&o, "linear", exr, 3);
    ck_test_param(&o, "robust-se", 1);
    root = train(&o, NULL);
    compare(root, "ols_hc1_coef.csv", NULL, 1);
    compare_tests(root, "ols_hc1_wald.csv", "wald", 0, keys, keys, 3);
    json_decref(root);
}
END_TEST

START_TEST(test_robust_se_threads)
{
    /* the meat is summed by chunk in a fixed order: the same model file,
     * bit for bit, on 1 and 4 threads */
    static const char *ex[] = {"spend_change"};
    ck_train_options o;
    options(&o, "logistic", ex, 1);
    ck_test_param(&o, "robust-se", 1);
    o.threads = 1;
    json_t *a = train(&o, NULL);
    o.threads = 4;
    json_t *b = train(&o, NULL);
    char *ta = json_dumps(json_object_get(a, "coefficients"), JSON_SORT_KEYS);
    char *tb = json_dumps(json_object_get(b, "coefficients"), JSON_SORT_KEYS);
    ck_assert_str_eq(ta, tb);
    free(ta);
    free(tb);
    json_decref(a);
    json_decref(b);
}
END_TEST

START_TEST(test_l2_auto)
{
    /* --l2 auto: the grid of ck_coefs_est_tune over the seeded folds, the
     * least loss kept; the same search --tune makes, and the final fit that
     * of --l2 at the value chosen */
    static const char *ex[] = {"spend_change"};
    ck_train_options o;
    ck_error err;
    options(&o, "logistic", ex, 1);
    o.cv = 5;
    o.seed = 7;
    ck_assert_int_eq(ck_train_options_set(&o, "l2", "auto", &err), CK_OK);
    json_t *a = train(&o, NULL);
    const json_t *tu = json_object_get(json_object_get(a, "training"), "tuning");
    const json_t *loss = json_object_get(tu, "loss"), *tried = json_object_get(tu, "tried");
    static const double grid[] = {0.001, 0.01, 0.1, 1, 10, 100};
    ck_assert_uint_eq(json_array_size(loss), 6);
    size_t best = 0;
    for (size_t i = 0; i < 6; i++) {
        ck_assert(json_number_value(json_array_get(json_array_get(tried, i), 0)) == grid[i]);
        if (json_number_value(json_array_get(loss, i)) <
            json_number_value(json_array_get(loss, best)))
            best = i;
    }
    ck_assert_uint_eq((size_t)json_integer_value(json_object_get(tu, "best")), best);
    const json_t *rec = json_object_get(json_object_get(a, "training"), "options");
    ck_assert(json_number_value(json_object_get(rec, "l2")) == grid[best]);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(rec, "auto"), 0)), "l2");

    /* --tune searches the same grid on the same folds */
    ck_train_options t;
    options(&t, "logistic", ex, 1);
    t.cv = 5;
    t.seed = 7;
    t.tune = 1;
    json_t *b = train(&t, NULL);
    char *ja = json_dumps(json_object_get(a, "coefficients"), JSON_SORT_KEYS);
    char *jb = json_dumps(json_object_get(b, "coefficients"), JSON_SORT_KEYS);
    char *ta = json_dumps(tu, JSON_SORT_KEYS);
    char *tb = json_dumps(json_object_get(json_object_get(b, "training"), "tuning"),
                          JSON_SORT_KEYS);
    ck_assert_str_eq(ja, jb);
    ck_assert_str_eq(ta, tb);
    /* and --l2 at the chosen value gives the same final fit */
    ck_train_options f;
    options(&f, "logistic", ex, 1);
    ck_test_param(&f, "l2", grid[best]);
    json_t *c = train(&f, NULL);
    char *jc = json_dumps(json_object_get(c, "coefficients"), JSON_SORT_KEYS);
    ck_assert_str_eq(ja, jc);
    free(ja);
    free(jb);
    free(jc);
    free(ta);
    free(tb);
    json_decref(a);
    json_decref(b);
    json_decref(c);
}
END_TEST

START_TEST(test_l2_auto_errors)
{
    ck_table *t = read_csv("telco.csv", NULL);
    static const char *ex[] = {"spend_change"};
    ck_train_options o;
    ck_model *m;
    ck_error err;
    options(&o, "logistic", ex, 1);
    ck_assert_int_eq(ck_train_options_set(&o, "l2", "auto", &err), CK_OK);
    ck_assert_int_eq(ck_train(t, &o, &m, NULL, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "--l2 auto is chosen by cross-validation: add --cv K");
    ck_assert_int_eq(ck_train_options_set(&o, "l2", "automatic", &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "is not a number or auto");
    ck_test_use(&o, "svm");
    ck_assert_int_eq(ck_train_options_set(&o, "svm-c", "auto", &err), CK_EUSAGE);
    ck_test_use(&o, "linear");
    ck_assert_int_eq(ck_train_options_set(&o, "l2", "auto", &err), CK_OK);
    ck_assert_int_eq(ck_train_options_set(&o, "robust", NULL, &err), CK_OK);
    o.cv = 3;
    ck_assert_int_eq(ck_train(t, &o, &m, NULL, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "--l2 does not go with --robust");
    ck_table_free(t);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("stats");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_logistic_aliased_as_glm);
    tcase_add_test(tc, test_logistic_raw_scales);
    tcase_add_test(tc, test_linear_aliased_as_lm);
    tcase_add_test(tc, test_one_warning_names_the_aliased);
    tcase_add_test(tc, test_exclude_level);
    tcase_add_test(tc, test_level_errors);
    tcase_add_test(tc, test_old_model_scales);
    tcase_add_test(tc, test_reference_levels);
    tcase_add_test(tc, test_penalized_keeps_reference);
    tcase_add_test(tc, test_reference_errors);
    tcase_add_test(tc, test_logistic_drop1);
    tcase_add_test(tc, test_logistic_wald_and_aic);
    tcase_add_test(tc, test_linear_drop1_and_aic);
    tcase_add_test(tc, test_robust_se_hc1);
    tcase_add_test(tc, test_robust_se_threads);
    tcase_add_test(tc, test_l2_auto);
    tcase_add_test(tc, test_l2_auto_errors);
    suite_add_tcase(s, tc);
    return s;
}

CK_TEST_MAIN(suite)
