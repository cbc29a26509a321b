/* Number parsing and formatting: exactness against strtod, the missing
 * spellings, infinities and text, and round trips. */
#include "testutil.h"

#include <math.h>
#include <stdint.h>

#include "churnkit/num.h"

static uint64_t rng_state = 12345;
static uint64_t next_u64(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static ck_num_kind parse(const char *s, double *v)
{
    return ck_num_parse(s, strlen(s), v);
}

START_TEST(test_fast_path_equals_strtod)
{
    /* random plain decimals of up to 19 digits, every exponent form */
    char buf[64];
    for (int i = 0; i < 200000; i++) {
        uint64_t r = next_u64();
        int digits = 1 + (int)(r % 19), point = (int)((r >> 8) % (unsigned)(digits + 1));
        size_t n = 0;
        if (r & (1u << 20))
            buf[n++] = '-';
        for (int d = 0; d < digits; d++) {
            if (d == point && d > 0)
                buf[n++] = '.';
            buf[n++] = (char)('0' + next_u64() % 10);
        }
        if (r & (1u << 21))
            n += (size_t)snprintf(buf + n, sizeof buf - n, "e%d", (int)((r >> 24) % 61) - 30);
        buf[n] = '\0';
        double got, want = strtod(buf, NULL);
        ck_assert_int_eq(parse(buf, &got), CK_NUM_OK);
        ck_assert_msg(got == want, "%s: got %.17g want %.17g", buf, got, want);
    }
}
END_TEST

START_TEST(test_hard_cases_exact)
{
    static const char *cases[] = {
        "0.1", "0.3", "1e23", "9007199254740993", "2.2250738585072011e-308",
        "4.9406564584124654e-324", "1.7976931348623157e308", "0.1000000000000000055511151231257827",
        "123456789012345678901234567890", "1e-7", ".5", "5.", "+3.25", "-0", "00012.5000"};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        double got;
        ck_assert_int_eq(parse(cases[i], &got), CK_NUM_OK);
        ck_assert_msg(got == strtod(cases[i], NULL), "%s", cases[i]);
    }
}
END_TEST

START_TEST(test_missing_spellings)
{
    static const char *cases[] = {"", "NA", "na", "NaN", "nan", "NAN", "null", "NULL",
                                  "N/A", "n/a", "?", "  ", " NA "};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        double v;
        ck_assert_msg(parse(cases[i], &v) == CK_NUM_MISSING, "'%s'", cases[i]);
    }
    ck_assert(ck_num_is_missing_token("", 0));
    ck_assert(!ck_num_is_missing_token("none", 4));
}
END_TEST

START_TEST(test_infinity_and_overflow)
{
    static const char *cases[] = {"inf", "-inf", "Infinity", "+INF", "1e400", "-1.5e309"};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        double v;
        ck_assert_msg(parse(cases[i], &v) == CK_NUM_INF, "'%s'", cases[i]);
    }
}
END_TEST

START_TEST(test_text_is_bad)
{
    static const char *cases[] = {"abc", "1.2.3", "1e", "--1", "0x10", "1,5", "1e+",
                                  "-", ".", "12a", "nan(1)", "1 2", "e5"};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        double v;
        ck_assert_msg(parse(cases[i], &v) == CK_NUM_BAD, "'%s'", cases[i]);
    }
}
END_TEST

START_TEST(test_spaces_and_underflow)
{
    double v;
    ck_assert_int_eq(parse("  1.5\t", &v), CK_NUM_OK);
    ck_assert(v == 1.5);
    ck_assert_int_eq(parse("1e-400", &v), CK_NUM_OK);
    ck_assert(v == 0.0);
    /* not NUL-terminated: only len bytes count */
    ck_assert_int_eq(ck_num_parse("12345", 2, &v), CK_NUM_OK);
    ck_assert(v == 12.0);
}
END_TEST

START_TEST(test_format_round_trips)
{
    char buf[CK_NUM_BUFSIZE];
    for (int i = 0; i < 100000; i++) {
        uint64_t bits = next_u64();
        double x;
        memcpy(&x, &bits, sizeof x);
        if (!isfinite(x))
            continue;
        size_t n = ck_num_format(x, buf);
        double back;
        ck_assert_uint_eq(n, strlen(buf));
        ck_assert_int_eq(ck_num_parse(buf, n, &back), CK_NUM_OK);
        ck_assert_msg(back == x, "%s", buf);
    }
}
END_TEST

START_TEST(test_format_is_shortest)
{
    char buf[CK_NUM_BUFSIZE];
    ck_num_format(0.1, buf);
    ck_assert_str_eq(buf, "0.1");
    ck_num_format(1.0 / 3.0, buf);
    ck_assert_str_eq(buf, "0.3333333333333333");
    ck_num_format(100, buf);
    ck_assert_str_eq(buf, "100");
    ck_num_format(NAN, buf);
    ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(test_format_fixed)
{
    char buf[CK_NUM_BUFSIZE];
    ck_num_format_fixed(0.1234567, 6, buf);
    ck_assert_str_eq(buf, "0.123457");
    ck_num_format_fixed(1.0, 6, buf);
    ck_assert_str_eq(buf, "1");
    ck_num_format_fixed(12.5, 6, buf);
    ck_assert_str_eq(buf, "12.5");
    ck_num_format_fixed(-0.0000001, 6, buf);
    ck_assert_str_eq(buf, "0");
    ck_num_format_fixed(-42.0000004, 6, buf);
    ck_assert_str_eq(buf, "-42");
    ck_num_format_fixed(-3.25, 1, buf);
    ck_assert_str_eq(buf, "-3.3");
    ck_num_format_fixed(2.5e20, 6, buf);
    ck_assert_str_eq(buf, "2.5e+20");
    ck_num_format_fixed(NAN, 6, buf);
    ck_assert_str_eq(buf, "");
}
END_TEST

static Suite *num_suite(void)
{
    Suite *s = suite_create("num");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_fast_path_equals_strtod);
    tcase_add_test(tc, test_hard_cases_exact);
    tcase_add_test(tc, test_missing_spellings);
    tcase_add_test(tc, test_infinity_and_overflow);
    tcase_add_test(tc, test_text_is_bad);
    tcase_add_test(tc, test_spaces_and_underflow);
    tcase_add_test(tc, test_format_round_trips);
    tcase_add_test(tc, test_format_is_shortest);
    tcase_add_test(tc, test_format_fixed);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}

CK_TEST_MAIN(num_suite)
