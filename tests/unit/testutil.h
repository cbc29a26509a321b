/*
 * testutil.h -- shared helpers for the Check unit tests.  Each test_*.c file
 * is its own program: it defines a suite and ends with CK_TEST_MAIN(suite).
 */
#ifndef CK_TESTUTIL_H
#define CK_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "churnkit/table.h"
#include "churnkit/train.h"

#ifndef CK_TEST_DATA
#define CK_TEST_DATA "tests/data"
#endif

#define CK_TEST_MAIN(make_suite)                                  \
    int main(void)                                                \
    {                                                             \
        SRunner *sr = srunner_create(make_suite());               \
        srunner_run_all(sr, CK_NORMAL);                           \
        int failed = srunner_ntests_failed(sr);                   \
        srunner_free(sr);                                         \
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;              \
    }

/* Chooses an estimator by name for a test. */
static inline void ck_test_use(ck_train_options *o, const char *estimator)
{
    const ck_estimator_type *t = ck_estimator_find(estimator);
    ck_assert_msg(t != NULL, "no estimator '%s'", estimator);
    ck_train_options_use(o, t);
}

/* Sets a numeric parameter of the chosen estimator. */
static inline void ck_test_param(ck_train_options *o, const char *name, double v)
{
    char buf[64];
    ck_error err;
    snprintf(buf, sizeof buf, "%.17g", v);
    ck_assert_msg(ck_train_options_set(o, name, buf, &err) == CK_OK, "%s", err.message);
}

/* The model's coefficients (or importances), intercept first; free the
 * result's term. */
static inline ck_terms ck_test_terms(const ck_model *m)
{
    ck_terms t;
    ck_error err;
    ck_assert_msg(ck_model_terms(m, &t, &err) == CK_OK, "%s", err.message);
    return t;
}

/* The numbers of a numeric column (a fixture's reference values). */
/* Reads dir/name (a fixture) with the column `categorical` (or NULL: none)
 * read as text; fails the test on any error. */
static inline ck_table *ck_test_fixture(const char *dir, const char *name,
                                        const char *categorical)
{
    ck_table_options opt;
    ck_table_options_init(&opt);
    const char *cat[] = {categorical};
    if (categorical) {
        opt.categorical = cat;
        opt.ncategorical = 1;
    }
    char path[512];
    snprintf(path, sizeof path, "%s%s", dir, name);
    ck_table *t;
    ck_error err;
    ck_assert_msg(ck_table_read_csv(&t, path, &opt, &err) == CK_OK, "%s", err.message);
    return t;
}

static inline const double *ck_test_column(const ck_table *t, const char *name)
{
    size_t j;
    ck_error err;
    ck_assert_msg(ck_table_require(t, name, &j, &err) == CK_OK, "%s", err.message);
    ck_assert(t->col[j].type == CK_COL_NUMERIC);
    return t->col[j].num;
}

/* Writes `len` bytes to a new temporary file; returns its path (malloc'd). */
static inline char *ck_test_write_bytes(const void *content, size_t len)
{
    char tmpl[] = "/tmp/churnkit-test-XXXXXX";
    int fd = mkstemp(tmpl);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq((long)write(fd, content, len), (long)len);
    close(fd);
    return strdup(tmpl);
}

static inline char *ck_test_write(const char *content)
{
    return ck_test_write_bytes(content, strlen(content));
}

/* Path of a file under tests/data (static buffer: use before the next call). */
static inline const char *ck_test_data(const char *name)
{
    static char buf[1024];
    snprintf(buf, sizeof buf, "%s/%s", CK_TEST_DATA, name);
    return buf;
}

/* Reads a whole file into a new NUL-terminated buffer. */
static inline char *ck_test_slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    ck_assert_int_eq((long)fread(buf, 1, (size_t)n, fp), n);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}


/* Relative difference |a - b| / max(|b|, floor): for comparing against
 * reference numbers. */
static inline double ck_test_reldiff(double a, double b, double floor_)
{
    double d = a > b ? a - b : b - a, m = b < 0 ? -b : b;
    return d / (m > floor_ ? m : floor_);
}

/* The generator's next state (Knuth's MMIX linear congruential step), for
 * the random-text tests; its high bits are the random ones. */
static inline unsigned long ck_test_lcg(unsigned long *s)
{
    return *s = *s * 6364136223846793005UL + 1442695040888963407UL;
}

#define ck_assert_msg_contains(err, frag) \
    ck_assert_msg(strstr((err).message, (frag)) != NULL, "message '%s' lacks '%s'", (err).message, (frag))

#endif
