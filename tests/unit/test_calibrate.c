/* Calibration maps (calibrate.c): Platt scaling and isotonic regression
 * against tests/fixtures/calibration/ (made by
 * make_calibration_fixtures.py with scikit-learn and scipy), their
 * properties, and the model file's calibration object. */
#include "testutil.h"

#include <math.h>

#include "churnkit/calibrate.h"
#include "churnkit/table.h"

#define FIX CK_TEST_DATA "/../fixtures/calibration/"

static ck_table *fixture(const char *name)
{
    char path[512];
    ck_table *t;
    ck_error err;
    snprintf(path, sizeof path, FIX "%s", name);
    ck_assert_msg(ck_table_read_csv(&t, path, NULL, &err) == CK_OK, "%s", err.message);
    return t;
}

START_TEST(test_platt_matches_the_optimum)
{
    ck_table *d = fixture("data.csv"), *r = fixture("platt.csv");
    ck_calibration c;
    ck_assert_int_eq(ck_calibration_fit(&c, CK_CALIB_PLATT, ck_test_column(d, "y"),
                                        ck_test_column(d, "p"), d->nrows), 0);
    double a = ck_test_column(r, "a")[0], b = ck_test_column(r, "b")[0];
    ck_assert_msg(fabs(c.a - a) < 1e-9 && fabs(c.b - b) < 1e-9, "a %.12g b %.12g, want %.12g %.12g",
                  c.a, c.b, a, b);
    /* a negative a: the map rises with p (p' = 1 / (1 + exp(a z + b))) */
    ck_assert(ck_calibration_apply(&c, 0.2) < ck_calibration_apply(&c, 0.3));
    ck_calibration_fini(&c);
    ck_table_free(d);
    ck_table_free(r);
}
END_TEST

START_TEST(test_isotonic_matches_sklearn)
{
    ck_table *d = fixture("data.csv"), *r = fixture("isotonic.csv");
    ck_calibration c;
    ck_assert_int_eq(ck_calibration_fit(&c, CK_CALIB_ISOTONIC, ck_test_column(d, "y"),
                                        ck_test_column(d, "p"), d->nrows), 0);
    const double *q = ck_test_column(r, "q"), *want = ck_test_column(r, "p_cal");
    for (size_t i = 0; i < r->nrows; i++) {
        double got = ck_calibration_apply(&c, q[i]);
        ck_assert_msg(fabs(got - want[i]) < 1e-12, "at %g: %.15g, want %.15g", q[i], got, want[i]);
    }
    for (size_t k = 1; k < c.n; k++) /* knots increase, values never fall */
        ck_assert(c.x[k] > c.x[k - 1] && c.y[k] >= c.y[k - 1]);
    ck_calibration_fini(&c);
    ck_table_free(d);
    ck_table_free(r);
}
END_TEST

/* By hand: p 0.1 0.2 0.3 0.4 with labels 1 0 0 1 -- PAV pools the first
 * three (mean 1/3) and leaves 0.4 at 1, bounded to 1 - 1/(2n) = 7/8:
 * knots (0.1, 1/3) (0.3, 1/3) (0.4, 7/8); at 0.35 halfway between. */
START_TEST(test_isotonic_by_hand)
{
    double p[] = {0.4, 0.1, 0.3, 0.2}, y[] = {1, 1, 0, 0};
    ck_calibration c;
    ck_assert_int_eq(ck_calibration_fit(&c, CK_CALIB_ISOTONIC, y, p, 4), 0);
    ck_assert_uint_eq(c.n, 3);
    ck_assert(fabs(ck_calibration_apply(&c, 0.2) - 1.0 / 3) < 1e-15);
    ck_assert(fabs(ck_calibration_apply(&c, 0.35) - (1.0 / 3 + 7.0 / 8) / 2) < 1e-15);
    ck_assert(ck_calibration_apply(&c, 0.9) == 7.0 / 8 &&
              fabs(ck_calibration_apply(&c, 0) - 1.0 / 3) < 1e-15);
    ck_calibration_fini(&c);
}
END_TEST

/* A calibrated score needs no Platt map: in this sign convention
 * (p' = 1 / (1 + exp(a z + b))) the identity is a = -1, b = 0.  Platt's
 * smoothed targets pull it in by O(1/n) only. */
START_TEST(test_platt_identity_on_calibrated_scores)
{
    enum { N = 20000 };
    double *p = malloc(N * sizeof *p), *y = malloc(N * sizeof *y);
    unsigned long s = 12345;
    for (size_t i = 0; i < N; i++) {
        s = s * 6364136223846793005UL + 1442695040888963407UL;
        p[i] = 0.05 + 0.9 * (double)(i % 1000) / 1000;
        y[i] = (double)(s >> 11) / 9007199254740992.0 < p[i];
    }
    ck_calibration c;
    ck_assert_int_eq(ck_calibration_fit(&c, CK_CALIB_PLATT, y, p, N), 0);
    ck_assert_msg(fabs(c.a + 1) < 0.06 && fabs(c.b) < 0.06, "a %g b %g", c.a, c.b);
    free(p);
    free(y);
}
END_TEST

START_TEST(test_json_round_trip)
{
    double p[] = {0.4, 0.1, 0.3, 0.2}, y[] = {1, 1, 0, 0};
    for (int m = CK_CALIB_PLATT; m <= CK_CALIB_ISOTONIC; m++) {
        ck_calibration c, back;
        ck_error err;
        ck_json_reader rd = {"model.json", &err};
        ck_assert_int_eq(ck_calibration_fit(&c, (ck_calib_method)m, y, p, 4), 0);
        c.ece_before = 0.2;
        c.ece_after = 0.01;
        json_t *o = ck_calibration_to_json(&c);
        ck_assert_int_eq(ck_calibration_read(&rd, o, &back), CK_OK);
        for (double q = 0; q <= 1; q += 0.05)
            ck_assert(ck_calibration_apply(&c, q) == ck_calibration_apply(&back, q));
        ck_assert(back.ece_before == 0.2 && back.ece_after == 0.01);
        json_decref(o);
        ck_calibration_fini(&c);
        ck_calibration_fini(&back);
    }
    /* damaged: falling knots */
    json_t *bad = json_pack("{s:s, s:[f,f], s:[f,f]}", "method", "isotonic", "x", 0.5, 0.2, "y",
                            0.1, 0.2);
    ck_calibration c;
    ck_error err;
    ck_json_reader rd = {"model.json", &err};
    ck_assert_int_eq(ck_calibration_read(&rd, bad, &c), CK_EMODEL);
    ck_assert(strstr(err.message, "increasing") != NULL);
    ck_calibration_fini(&c);
    json_decref(bad);
    bad = json_pack("{s:s}", "method", "magic");
    ck_assert_int_eq(ck_calibration_read(&rd, bad, &c), CK_EMODEL);
    json_decref(bad);
}
END_TEST

static Suite *calibrate_suite(void)
{
    Suite *s = suite_create("calibrate");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_platt_matches_the_optimum);
    tcase_add_test(tc, test_isotonic_matches_sklearn);
    tcase_add_test(tc, test_isotonic_by_hand);
    tcase_add_test(tc, test_platt_identity_on_calibrated_scores);
    tcase_add_test(tc, test_json_round_trip);
    suite_add_tcase(s, tc);
    return s;
}

CK_TEST_MAIN(calibrate_suite)
