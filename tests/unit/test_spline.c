/* Spline terms (spline.h): the basis against R's splines::ns, the
 * unpenalized logistic fit on it against statsmodels' Logit, linear
 * extrapolation, the penalty's null space, the model file round trip.
 * Reference numbers: tests/fixtures/spline/, made by
 * make_spline_fixtures.R and make_spline_fixtures.py. */
#include "testutil.h"

#include <math.h>

#include "churnkit/coefs.h"
#include "churnkit/inference.h"
#include "churnkit/label.h"
#include "churnkit/linear.h"
#include "churnkit/logistic.h"
#include "churnkit/model.h"
#include "churnkit/pipeline.h"
#include "churnkit/spline.h"

#define FIX CK_TEST_DATA "/../fixtures/spline/"
#define PUB CK_TEST_DATA "/public/"

static const char *const cols[] = {"total_day_minutes", "number_customer_service_calls",
                                   "total_eve_minutes", "total_intl_minutes"};
enum { NCOLS = 4 };

static ck_table *train_table(void)
{
    ck_table *t;
    ck_error err;
    ck_assert_msg(ck_table_read_csv(&t, PUB "mlc_churn.train.csv", NULL, &err) == CK_OK, "%s",
                  err.message);
    return t;
}

/* R's knots of column c from the fixture, into k; their count. */
static size_t r_knots(const ck_table *ref, const char *c, double *k)
{
    const double *idx = ck_test_column(ref, "index"), *v = ck_test_column(ref, "knot");
    size_t n = 0;
    for (size_t i = 0; i < ref->nrows; i++)
        if (strcmp(ck_table_text(ref, 0, i), c) == 0)
            k[(size_t)idx[i] - 1] = v[i], n++;
    return n;
}

/* The spline churnkit places on column c (5 knots). */
static void our_spline(const ck_table *t, const char *c, ck_spline *s)
{
    size_t j;
    ck_error err;
    ck_assert_int_eq(ck_table_require(t, c, &j, &err), CK_OK);
    double *v = malloc(t->nrows * sizeof *v);
    memcpy(v, t->col[j].num, t->nrows * sizeof *v);
    memset(s, 0, sizeof *s);
    size_t distinct;
    s->nknots = ck_spline_knots(v, t->nrows, 5, s->knots, &distinct);
    free(v);
    ck_assert_int_eq(ck_spline_prepare(s, &err), CK_OK);
}

START_TEST(test_knots_and_basis_match_r_ns)
{
    ck_table *t = train_table(), *ref = ck_test_fixture(FIX, "ns_knots.csv", "column");
    ck_table *basis = ck_test_fixture(FIX, "ns_train_basis.csv", NULL);
    double worst = 0;
    for (size_t c = 0; c < NCOLS; c++) {
        ck_spline s;
        double k[CK_SPLINE_MAX_KNOTS], b[CK_SPLINE_MAX_KNOTS];
        our_spline(t, cols[c], &s);
        ck_assert_uint_eq(r_knots(ref, cols[c], k), s.nknots);
        for (size_t i = 0; i < s.nknots; i++)
            ck_assert_msg(fabs(s.knots[i] - k[i]) <= 1e-12 * fmax(1, fabs(k[i])),
                          "%s knot %zu: %.17g vs R's %.17g", cols[c], i, s.knots[i], k[i]);
        size_t j;
        ck_error err;
        ck_assert_int_eq(ck_table_require(t, cols[c], &j, &err), CK_OK);
        for (size_t r = 0; r < t->nrows; r++) {
            ck_spline_basis(&s, t->col[j].num[r], b);
            for (size_t m = 0; m < ck_spline_width(&s); m++) {
                char name[128];
                snprintf(name, sizeof name, "%s__ns%zu", cols[c], m + 1);
                worst = fmax(worst, fabs(b[m] - ck_test_column(basis, name)[r]));
            }
        }
    }
    ck_assert_msg(worst < 1e-10, "basis differs from R's ns() by %g", worst);
    ck_table_free(basis);
    ck_table_free(ref);
    ck_table_free(t);
}
END_TEST

/* Knot placement off R's quantiles: ties that repeat a quantile put the
 * knots at quantiles of the distinct values (mgcv's place.knots(0:9, 5) is
 * 0, 2.25, 4.5, 6.75, 9: its formula by hand), and fewer distinct values
 * than knots give as many knots as values (the 4 of a mostly missing
 * column got 5 interpolated knots, a saturated spline), under 3 none. */
START_TEST(test_knots_of_tied_and_few_values)
{
    double v[1000], k[CK_SPLINE_MAX_KNOTS];
    size_t distinct, n = 0;
    for (int c = 0; c <= 9; c++) /* counts: mostly 0 to 2, as support calls */
        for (int r = 0; r < (c < 3 ? 300 : 10); r++)
            v[n++] = c;
    ck_assert_uint_eq(n, 970);
    ck_assert_uint_eq(ck_spline_knots(v, n, 5, k, &distinct), 5);
    ck_assert_uint_eq(distinct, 10);
    const double want[] = {0, 2.25, 4.5, 6.75, 9};
    for (size_t j = 0; j < 5; j++)
        ck_assert_double_eq_tol(k[j], want[j], 1e-15);
    const double four[] = {7, 3, 1, 12}; /* each once */
    memcpy(v, four, sizeof four);
    ck_assert_uint_eq(ck_spline_knots(v, 4, 5, k, &distinct), 4);
    ck_assert_uint_eq(distinct, 4);
    ck_assert(k[0] == 1 && k[1] == 3 && k[2] == 7 && k[3] == 12);
    for (size_t i = 0; i < 100; i++) /* two values, tied */
        v[i] = i % 2 ? 5 : -1;
    ck_assert_uint_lt(ck_spline_knots(v, 100, 5, k, &distinct), 3);
    ck_assert_uint_eq(distinct, 2);
    for (size_t i = 0; i < 100; i++) /* continuous: R's quantiles, no flag */
        v[i] = (double)((i * 37) % 100);
    ck_assert_uint_eq(ck_spline_knots(v, 100, 5, k, &distinct), 5);
    ck_assert_uint_eq(distinct, 0);
    ck_assert_double_eq_tol(k[1], 24.75, 1e-12);
}
END_TEST

/* A grid from half the range below to half above: inside, ns() itself;
 * outside, its linear continuation (predict.ns). */
START_TEST(test_grid_and_extrapolation_match_r)
{
    ck_table *t = train_table(), *grid = ck_test_fixture(FIX, "ns_grid.csv", "column");
    const double *x = ck_test_column(grid, "x"), *jj = ck_test_column(grid, "j"),
                 *v = ck_test_column(grid, "value");
    double worst = 0;
    size_t outside = 0;
    for (size_t c = 0; c < NCOLS; c++) {
        ck_spline s;
        double b[CK_SPLINE_MAX_KNOTS];
        our_spline(t, cols[c], &s);
        for (size_t i = 0; i < grid->nrows; i++) {
            if (strcmp(ck_table_text(grid, 0, i), cols[c]) != 0)
                continue;
            ck_spline_basis(&s, x[i], b);
            worst = fmax(worst, fabs(b[(size_t)jj[i] - 1] - v[i]));
            outside += x[i] < s.knots[0] || x[i] > s.knots[s.nknots - 1];
        }
    }
    ck_assert_uint_gt(outside, 100);
    ck_assert_msg(worst < 1e-10, "basis on the grid differs from R's by %g", worst);
    ck_table_free(grid);
    ck_table_free(t);
}
END_TEST

/* Beyond the boundary knots every column is a straight line continuing
 * the curve: equal steps give equal differences, and no jump at the knot. */
START_TEST(test_linear_beyond_the_range)
{
    ck_table *t = train_table();
    ck_spline s;
    our_spline(t, "total_day_minutes", &s);
    double lo = s.knots[0], hi = s.knots[s.nknots - 1], h = (hi - lo) / 7;
    double a[CK_SPLINE_MAX_KNOTS], b[CK_SPLINE_MAX_KNOTS], c[CK_SPLINE_MAX_KNOTS];
    for (int side = 0; side < 2; side++) {
        double e = side ? hi : lo, dir = side ? 1 : -1;
        ck_spline_basis(&s, e + dir * h, a);
        ck_spline_basis(&s, e + dir * 2 * h, b);
        ck_spline_basis(&s, e + dir * 3 * h, c);
        for (size_t j = 0; j < ck_spline_width(&s); j++)
            ck_assert_msg(fabs(a[j] - 2 * b[j] + c[j]) < 1e-12, "column %zu curves outside", j);
        ck_spline_basis(&s, e, a);
        ck_spline_basis(&s, e + dir * 1e-9 * h, b);
        for (size_t j = 0; j < ck_spline_width(&s); j++)
            ck_assert(fabs(a[j] - b[j]) < 1e-8);
    }
    ck_table_free(t);
}
END_TEST

/* The penalty vanishes on the straight line x - k1 (spanned by the basis)
 * and on nothing else: its difference matrix has a one-dimensional null
 * space, and a curved function is penalized. */
START_TEST(test_penalty_spares_straight_lines)
{
    ck_table *t = train_table();
    ck_spline s;
    our_spline(t, "total_eve_minutes", &s);
    size_t w = ck_spline_width(&s);
    /* the coefficients g of x - k1: solve B g = x - k1 at w points */
    double a[CK_SPLINE_MAX_KNOTS * CK_SPLINE_MAX_KNOTS], y[CK_SPLINE_MAX_KNOTS], g[CK_SPLINE_MAX_KNOTS];
    for (size_t i = 0; i < w; i++) {
        double x = s.knots[0] + (s.knots[s.nknots - 1] - s.knots[0]) * ((double)i + 0.5) / (double)w;
        ck_spline_basis(&s, x, a + i * w);
        y[i] = x - s.knots[0];
    }
    /* Gaussian elimination with partial pivoting (w is 4) */
    for (size_t c = 0; c < w; c++) {
        size_t piv = c;
        for (size_t r = c + 1; r < w; r++)
            if (fabs(a[r * w + c]) > fabs(a[piv * w + c]))
                piv = r;
        for (size_t k = 0; k < w; k++) {
            double tmp = a[c * w + k];
            a[c * w + k] = a[piv * w + k];
            a[piv * w + k] = tmp;
        }
        double tmp = y[c];
        y[c] = y[piv];
        y[piv] = tmp;
        for (size_t r = c + 1; r < w; r++) {
            double f = a[r * w + c] / a[c * w + c];
            for (size_t k = c; k < w; k++)
                a[r * w + k] -= f * a[c * w + k];
            y[r] -= f * y[c];
        }
    }
    for (size_t c = w; c-- > 0;) {
        double v = y[c];
        for (size_t k = c + 1; k < w; k++)
            v -= a[c * w + k] * g[k];
        g[c] = v / a[c * w + c];
    }
    double d[CK_SPLINE_MAX_KNOTS * CK_SPLINE_MAX_KNOTS], worst = 0, curved = 0;
    ck_spline_difference(&s, 50.0, d);
    for (size_t r = 0; r < s.nknots; r++) {
        double v = 0, u = 0;
        for (size_t j = 0; j < w; j++) {
            v += d[r * w + j] * g[j];
            u += d[r * w + j] * (j == 1); /* a single column: curved */
        }
        worst = fmax(worst, fabs(v));
        curved = fmax(curved, fabs(u));
    }
    ck_assert_msg(worst < 1e-9, "the penalty of a straight line is %g", worst);
    ck_assert(curved > 1e-3);
    /* the straight line's own penalty is the ridge of a standardized
     * column: a slope of 1 per standard deviation (50) costs 1 */
    double block[CK_SPLINE_MAX_KNOTS * CK_SPLINE_MAX_KNOTS], q = 0;
    ck_spline_penalty(&s, 50.0, block);
    for (size_t i = 0; i < w; i++)
        for (size_t j = 0; j < w; j++)
            q += g[i] / 50.0 * block[i * w + j] * g[j] / 50.0;
    ck_assert_msg(fabs(q - 1) < 1e-9, "a unit slope costs %g", q);
    ck_table_free(t);
}
END_TEST

/* The spline columns in a logistic fit without penalty: statsmodels'
 * Logit on R's basis columns, coefficients and standard errors to 1e-6. */
START_TEST(test_logit_matches_statsmodels)
{
    ck_table *t = train_table(), *ref = ck_test_fixture(FIX, "logit_ns_coef.csv", "term");
    ck_label y;
    ck_pipeline *pl;
    ck_design d;
    ck_warnings w;
    ck_error err;
    ck_warnings_init(&w);
    ck_assert_int_eq(ck_label_binary(&y, t, "churn", "yes", &err), CK_OK);
    ck_pipeline_options po;
    ck_pipeline_options_init(&po);
    const char *all[] = {"all"};
    po.features = cols;
    po.nfeatures = NCOLS;
    po.splines = all;
    po.nsplines = 1;
    po.label = "churn";
    ck_assert_msg(ck_pipeline_fit(&pl, t, NULL, 0, &po, &w, &err) == CK_OK, "%s", err.message);
    ck_assert_uint_eq(pl->width + 1, ref->nrows);
    ck_assert_int_eq(ck_design_bind(&d, pl, t, &err), CK_OK);
    size_t *rows = malloc(t->nrows * sizeof *rows);
    for (size_t i = 0; i < t->nrows; i++)
        rows[i] = i;
    ck_dataset ds = {&d, rows, t->nrows, y.y, NULL, NULL};
    ck_logistic m;
    ck_assert_msg(ck_logistic_fit(&ds, NULL, &m, &w, &err) == CK_OK, "%s", err.message);
    const double *coef = ck_test_column(ref, "coef"), *se = ck_test_column(ref, "se");
    for (size_t j = 0; j < m.p; j++) {
        const char *name = j ? pl->encoded[j - 1] : "(intercept)";
        size_t r = 0;
        while (r < ref->nrows && strcmp(name, ck_table_text(ref, 0, r)) != 0)
            r++;
        ck_assert_msg(r < ref->nrows, "no reference for %s", name);
        double s = sqrt(m.cov[j * m.p + j]);
        ck_assert_msg(fabs(m.beta[j] - coef[r]) < 1e-6, "%s: %.10g vs %.10g", name, m.beta[j],
                      coef[r]);
        ck_assert_msg(fabs(s - se[r]) < 1e-6, "%s se: %.10g vs %.10g", name, s, se[r]);
    }
    /* "is it a straight line?": the Wald test of the curvature directions,
     * against the same test computed from statsmodels' covariance */
    ck_table *nl = ck_test_fixture(FIX, "logit_ns_nonlinear.csv", "term");
    ck_coefs c;
    memset(&c, 0, sizeof c);
    ck_coefs_adopt(&c, m.p, &m.beta, &m.aliased, m.cov, 0, 1, pl);
    for (size_t r = 0; r < nl->nrows; r++) {
        size_t k = 0;
        while (strcmp(pl->feat[k].name, ck_table_text(nl, 0, r)) != 0)
            k++;
        double stat, df, p;
        ck_assert_int_eq(ck_coefs_nonlinear_test(&c, pl, k, &stat, &df, &p), 0);
        double want = ck_test_column(nl, "chi2")[r];
        ck_assert_msg(fabs(stat - want) < 1e-6 * fmax(1, want), "%s: chi2 %.10g vs %.10g",
                      pl->feat[k].name, stat, want);
        ck_assert(df == ck_test_column(nl, "df")[r]);
    }
    ck_coefs_fini(&c);
    ck_table_free(nl);
    ck_logistic_fini(&m);
    free(rows);
    ck_design_fini(&d);
    ck_pipeline_free(pl);
    ck_label_fini(&y);
    ck_warnings_fini(&w);
    ck_table_free(ref);
    ck_table_free(t);
}
END_TEST

/* Trained, saved, loaded: the same scores to the bit as the model in
 * memory, and the knots and centers kept exactly. */
START_TEST(test_model_file_round_trip)
{
    ck_table *t = train_table();
    ck_train_options o;
    ck_train_options_init(&o);
    ck_test_use(&o, "logistic");
    const char *some[] = {"total_day_minutes", "number_customer_service_calls"};
    o.label = "churn";
    o.positive = "yes";
    o.pipeline.splines = some;
    o.pipeline.nsplines = 2;
    o.pipeline.spline_penalty = 1;
    ck_test_param(&o, "l2", 0.5);
    ck_model *m, *back;
    ck_warnings w;
    ck_error err;
    ck_warnings_init(&w);
    ck_assert_msg(ck_train(t, &o, &m, &w, &err) == CK_OK, "%s", err.message);
    char path[] = "/tmp/ck_spline_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_msg(ck_model_save(m, path, &err) == CK_OK, "%s", err.message);
    ck_assert_msg(ck_model_load(&back, path, &err) == CK_OK, "%s", err.message);
    unlink(path);
    double *a = malloc(t->nrows * sizeof *a), *b = malloc(t->nrows * sizeof *b);
    size_t *rows = malloc(t->nrows * sizeof *rows);
    for (size_t i = 0; i < t->nrows; i++)
        rows[i] = i;
    ck_assert_int_eq(ck_model_score_table(m, t, rows, t->nrows, 1, a, &err), CK_OK);
    ck_assert_int_eq(ck_model_score_table(back, t, rows, t->nrows, 2, b, &err), CK_OK);
    free(rows);
    ck_assert(memcmp(a, b, t->nrows * sizeof *a) == 0);
    size_t spl = 0;
    for (size_t k = 0; k < m->pl->nfeat; k++) {
        const ck_spline *s = m->pl->feat[k].spline, *r = back->pl->feat[k].spline;
        ck_assert((s == NULL) == (r == NULL));
        if (!s)
            continue;
        spl++;
        ck_assert(memcmp(s->knots, r->knots, s->nknots * sizeof *s->knots) == 0);
        ck_assert(memcmp(s->center, r->center, ck_spline_width(s) * sizeof *s->center) == 0);
        ck_assert_int_eq(r->penalized, 1);
    }
    ck_assert_uint_eq(spl, 2);
    free(a);
    free(b);
    ck_model_free(m);
    ck_model_free(back);
    ck_warnings_fini(&w);
    ck_table_free(t);
}
END_TEST

/* Penalized least squares with the spline penalty: at the optimum the
 * normal equations X'(y - X b) = L S b hold (S ck_pipeline_penalty's); and
 * a heavy penalty leaves straight lines (the curvature test's chi2 ~ 0). */
START_TEST(test_linear_penalized_optimum)
{
    ck_table *t = train_table();
    ck_pipeline *pl;
    ck_design d;
    ck_warnings w;
    ck_error err;
    ck_warnings_init(&w);
    ck_pipeline_options po;
    ck_pipeline_options_init(&po);
    const char *feats[] = {"total_eve_minutes", "number_customer_service_calls"}, *all[] = {"all"};
    po.features = feats;
    po.nfeatures = 2;
    po.splines = all;
    po.nsplines = 1;
    po.spline_penalty = 1;
    ck_assert_msg(ck_pipeline_fit(&pl, t, NULL, 0, &po, &w, &err) == CK_OK, "%s", err.message);
    ck_assert_int_eq(ck_design_bind(&d, pl, t, &err), CK_OK);
    size_t p = pl->width + 1, j;
    ck_assert_int_eq(ck_table_require(t, "total_day_minutes", &j, &err), CK_OK);
    const double *y = t->col[j].num;
    size_t *rows = malloc(t->nrows * sizeof *rows);
    for (size_t i = 0; i < t->nrows; i++)
        rows[i] = i;
    double *pen = malloc(p * p * sizeof *pen), *x = malloc(p * sizeof *x);
    double *g = calloc(p, sizeof *g);
    ck_assert_int_eq(ck_pipeline_penalty(pl, pen), 1);
    ck_dataset ds = {&d, rows, t->nrows, y, NULL, NULL};
    for (int heavy = 0; heavy < 2; heavy++) {
        ck_linear_options lo;
        ck_linear_options_init(&lo);
        lo.l2 = heavy ? 1e9 : 50;
        lo.penalty = pen;
        ck_linear m;
        ck_assert_msg(ck_linear_fit(&ds, &lo, &m, &w, &err) == CK_OK, "%s", err.message);
        memset(g, 0, p * sizeof *g);
        x[0] = 1;
        for (size_t i = 0; i < t->nrows; i++) {
            ck_design_row(&d, i, x + 1);
            double r = y[i];
            for (size_t k = 0; k < p; k++)
                r -= m.beta[k] * x[k];
            for (size_t k = 0; k < p; k++)
                g[k] += x[k] * r;
        }
        double worst = 0, scale = 0;
        for (size_t k = 0; k < p; k++) {
            double sb = 0;
            for (size_t l = 0; l < p; l++)
                sb += pen[k * p + l] * m.beta[l];
            worst = fmax(worst, fabs(g[k] - lo.l2 * sb));
            scale = fmax(scale, fabs(g[k]));
        }
        ck_assert_msg(worst <= 1e-6 * fmax(1, scale), "normal equations off by %g (of %g)", worst,
                      scale);
        if (heavy) {
            ck_coefs c;
            memset(&c, 0, sizeof c);
            ck_coefs_adopt(&c, m.p, &m.beta, &m.aliased, m.cov, 1000, 1, pl);
            for (size_t k = 0; k < pl->nfeat; k++) {
                double stat, df, pv;
                ck_assert_int_eq(ck_coefs_nonlinear_test(&c, pl, k, &stat, &df, &pv), 0);
                double b[CK_SPLINE_MAX_KNOTS], cm[CK_SPLINE_MAX_KNOTS * CK_SPLINE_MAX_KNOTS];
                size_t wd = ck_spline_width(pl->feat[k].spline);
                size_t n = ck_spline_curvature(pl->feat[k].spline, cm);
                for (size_t r = 0; r < n; r++) { /* the curvature coefficients vanish */
                    b[r] = 0;
                    for (size_t q = 0; q < wd; q++)
                        b[r] += cm[r * wd + q] * c.beta[1 + pl->feat[k].offset + q];
                    ck_assert_msg(fabs(b[r]) < 1e-4, "%s still curves (%g)", pl->feat[k].name,
                                  b[r]);
                }
            }
            ck_coefs_fini(&c);
        }
        ck_linear_fini(&m);
    }
    free(pen);
    free(x);
    free(g);
    free(rows);
    ck_design_fini(&d);
    ck_pipeline_free(pl);
    ck_warnings_fini(&w);
    ck_table_free(t);
}
END_TEST

static Suite *spline_suite(void)
{
    Suite *s = suite_create("spline");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_knots_and_basis_match_r_ns);
    tcase_add_test(tc, test_knots_of_tied_and_few_values);
    tcase_add_test(tc, test_grid_and_extrapolation_match_r);
    tcase_add_test(tc, test_linear_beyond_the_range);
    tcase_add_test(tc, test_penalty_spares_straight_lines);
    tcase_add_test(tc, test_logit_matches_statsmodels);
    tcase_add_test(tc, test_model_file_round_trip);
    tcase_add_test(tc, test_linear_penalized_optimum);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}

CK_TEST_MAIN(spline_suite)
