/* The typed table: inference, forced types, missing values, selection with
 * suggestions, line tracking, and the public data set. */
#include "testutil.h"

#include <math.h>

#include "churnkit/table.h"

static ck_table *load(const char *text, const ck_table_options *opt, ck_error *err,
                      ck_status want)
{
    char *path = ck_test_write(text);
    ck_table *t = NULL;
    ck_status st = ck_table_read_csv(&t, path, opt, err);
    ck_assert_msg(st == want, "status %d, want %d: %s", st, want, err->message);
    unlink(path);
    free(path);
    return t;
}

START_TEST(test_numeric_inference)
{
    ck_error err;
    ck_table *t = load("a,b\n1,x\n2.5,y\n-3e2,x\n", NULL, &err, CK_OK);
    ck_assert_uint_eq(t->nrows, 3);
    ck_assert_uint_eq(t->ncols, 2);
    ck_assert_int_eq(t->col[0].type, CK_COL_NUMERIC);
    ck_assert(t->col[0].num[0] == 1.0 && t->col[0].num[1] == 2.5 && t->col[0].num[2] == -300.0);
    ck_assert_ptr_null(t->col[0].code);
    ck_assert_int_eq(t->col[1].type, CK_COL_CATEGORICAL);
    ck_assert_uint_eq(ck_dict_size(t->col[1].levels), 2);
    ck_assert_str_eq(ck_table_text(t, 1, 2), "x");
    ck_table_free(t);
}
END_TEST

START_TEST(test_missing_values)
{
    ck_error err;
    ck_table *t = load("a,b\n1,NA\nNA,y\n,?\nnull,\n4,z\n", NULL, &err, CK_OK);
    ck_assert(isnan(t->col[0].num[1]) && isnan(t->col[0].num[2]) && isnan(t->col[0].num[3]));
    ck_assert(t->col[0].num[4] == 4.0);
    ck_assert_int_eq(t->col[1].code[0], -1);
    ck_assert_int_eq(t->col[1].code[2], -1);
    ck_assert_int_eq(t->col[1].code[3], -1);
    ck_assert_ptr_null(ck_table_text(t, 1, 0));
    ck_assert_uint_eq(ck_dict_size(t->col[1].levels), 2);
    ck_table_free(t);
}
END_TEST

START_TEST(test_late_text_turns_column_categorical)
{
    ck_error err;
    ck_table *t = load("code\n007\n1.50\nNA\nabc\n007\n", NULL, &err, CK_OK);
    ck_column *c = &t->col[0];
    ck_assert_int_eq(c->type, CK_COL_CATEGORICAL);
    /* numbers read before the text are written back in shortest form */
    ck_assert_str_eq(ck_table_text(t, 0, 0), "7");
    ck_assert_str_eq(ck_table_text(t, 0, 1), "1.5");
    ck_assert_ptr_null(ck_table_text(t, 0, 2));
    ck_assert_str_eq(ck_table_text(t, 0, 3), "abc");
    ck_assert_str_eq(ck_table_text(t, 0, 4), "007");
    ck_table_free(t);
}
END_TEST

START_TEST(test_forced_categorical_keeps_text)
{
    ck_error err;
    ck_table_options opt;
    ck_table_options_init(&opt);
    static const char *cat[] = {"zip"};
    opt.categorical = cat;
    opt.ncategorical = 1;
    ck_table *t = load("zip,n\n00501,1\n10001,2\n00501,3\n", &opt, &err, CK_OK);
    ck_assert_int_eq(t->col[0].type, CK_COL_CATEGORICAL);
    ck_assert_str_eq(ck_table_text(t, 0, 0), "00501");
    ck_assert_int_eq(t->col[0].code[2], 0);
    ck_assert_int_eq(t->col[1].type, CK_COL_NUMERIC);
    ck_table_free(t);
}
END_TEST

START_TEST(test_forced_numeric_text_is_error)
{
    ck_error err;
    ck_table_options opt;
    ck_table_options_init(&opt);
    static const char *num[] = {"age"};
    opt.numeric = num;
    opt.nnumeric = 1;
    ck_table *t = load("id,age\n1,30\n2,thirty\n", &opt, &err, CK_EDATA);
    ck_assert_ptr_null(t);
    ck_assert_msg_contains(err, ":3:2: text 'thirty' in numeric column 'age'");
}
END_TEST

START_TEST(test_infinity_is_error)
{
    ck_error err;
    ck_table *t = load("a,b\n1,2\n3,inf\n", NULL, &err, CK_EDATA);
    ck_assert_ptr_null(t);
    ck_assert_msg_contains(err, ":3:2: value 'inf' in column 'b' is infinite");
    t = load("a\n1e999\n", NULL, &err, CK_EDATA);
    ck_assert_msg_contains(err, ":2:1: value '1e999'");
}
END_TEST

START_TEST(test_usecols_and_suggestions)
{
    ck_error err;
    ck_table_options opt;
    ck_table_options_init(&opt);
    static const char *use[] = {"tenure", "plan"};
    opt.usecols = use;
    opt.nusecols = 2;
    ck_table *t = load("id,plan,tenure,notes\n1,a,3,x\n", &opt, &err, CK_OK);
    ck_assert_uint_eq(t->ncols, 2);
    ck_assert_str_eq(t->col[0].name, "plan");
    ck_assert_str_eq(t->col[1].name, "tenure");
    size_t idx;
    ck_assert_int_eq(ck_table_require(t, "tenure", &idx, &err), CK_OK);
    ck_assert_uint_eq(idx, 1);
    ck_assert_int_eq(ck_table_require(t, "tenur", &idx, &err), CK_EDATA);
    ck_assert_msg_contains(err, "no column 'tenur' (closest: 'tenure'");
    ck_table_free(t);

    static const char *bad[] = {"plann"};
    opt.usecols = bad;
    opt.nusecols = 1;
    t = load("id,plan,tenure\n1,a,3\n", &opt, &err, CK_EDATA);
    ck_assert_msg_contains(err, "no column 'plann' (closest: 'plan'");
}
END_TEST

START_TEST(test_header_only_is_error_unless_allowed)
{
    ck_error err;
    ck_table *t = load("a,b\n", NULL, &err, CK_EDATA);
    ck_assert_msg_contains(err, "no data rows");
    ck_table_options opt;
    ck_table_options_init(&opt);
    opt.allow_empty = 1;
    t = load("a,b\n", &opt, &err, CK_OK);
    ck_assert_uint_eq(t->nrows, 0);
    ck_assert_uint_eq(t->ncols, 2);
    ck_table_free(t);
}
END_TEST

START_TEST(test_csv_errors_pass_through)
{
    ck_error err;
    ck_table *t = load("a,b\n1,2\n3\n", NULL, &err, CK_EDATA);
    ck_assert_ptr_null(t);
    ck_assert_msg_contains(err, ":3:2: row has 1 fields");
}
END_TEST

START_TEST(test_row_lines)
{
    ck_error err;
    ck_table *t = load("a,b\n1,x\n2,\"y\ny\"\n\n3,z\n", NULL, &err, CK_OK);
    ck_assert_uint_eq(ck_table_line(t, 0), 2);
    ck_assert_uint_eq(ck_table_line(t, 1), 3);
    ck_assert_uint_eq(ck_table_line(t, 2), 6);
    ck_table_free(t);
    t = load("a\n1\n2\n", NULL, &err, CK_OK);
    ck_assert_ptr_null(t->line); /* no per-row lines kept when they are regular */
    ck_assert_uint_eq(ck_table_line(t, 1), 3);
    ck_table_free(t);
}
END_TEST

START_TEST(test_many_rows_grow)
{
    size_t n = 100000;
    char *text = malloc(n * 16 + 16);
    size_t used = (size_t)sprintf(text, "x,y\n");
    for (size_t i = 0; i < n; i++)
        used += (size_t)sprintf(text + used, "%zu,%zu.5\n", i, i % 7);
    ck_error err;
    ck_table *t = load(text, NULL, &err, CK_OK);
    ck_assert_uint_eq(t->nrows, n);
    ck_assert(t->col[0].num[n - 1] == (double)(n - 1));
    ck_assert(t->col[1].num[12345] == (double)(12345 % 7) + 0.5);
    ck_table_free(t);
    free(text);
}
END_TEST

START_TEST(test_build_in_memory)
{
    ck_error err;
    ck_table *t = ck_table_new(3, "mem");
    double v[3] = {1, NAN, 3};
    const char *s[3] = {"a", NULL, "a"};
    ck_assert_int_eq(ck_table_add_numeric(t, "v", v, &err), CK_OK);
    ck_assert_int_eq(ck_table_add_text(t, "s", s, &err), CK_OK);
    ck_assert_int_eq(ck_table_add_numeric(t, "v", v, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "duplicate column name 'v'");
    ck_assert_int_eq(t->col[1].code[1], -1);
    ck_assert_int_eq(t->col[1].code[2], 0);
    ck_assert(isnan(t->col[0].num[1]));
    ck_table_free(t);
}
END_TEST

START_TEST(test_public_mlc_churn)
{
    ck_error err;
    ck_table *t = NULL;
    const char *path = CK_TEST_DATA "/public/mlc_churn.train.csv";
    ck_assert_int_eq(ck_table_read_csv(&t, path, NULL, &err), CK_OK);
    ck_assert_uint_eq(t->nrows, 4000);
    ck_assert_uint_eq(t->ncols, 20);
    size_t j;
    ck_assert_int_eq(ck_table_require(t, "state", &j, &err), CK_OK);
    ck_assert_int_eq(t->col[j].type, CK_COL_CATEGORICAL);
    ck_assert_uint_eq(ck_dict_size(t->col[j].levels), 51);
    ck_assert_int_eq(ck_table_require(t, "total_day_minutes", &j, &err), CK_OK);
    ck_assert_int_eq(t->col[j].type, CK_COL_NUMERIC);
    ck_assert(t->col[j].num[0] == 171.5);
    ck_table_free(t);
}
END_TEST


/* ---- parallel loading gives exactly the sequential table ---- */

/* Compares cell by cell in plain C: a Check assertion per cell would cost a
 * message to the parent process each. */
static const char *table_difference(const ck_table *a, const ck_table *b)
{
    static char why[200];
    if (a->nrows != b->nrows || a->ncols != b->ncols)
        return "shape";
    for (size_t j = 0; j < a->ncols; j++) {
        const ck_column *ca = &a->col[j], *cb = &b->col[j];
        if (strcmp(ca->name, cb->name) != 0 || ca->type != cb->type)
            return "column name or type";
        for (size_t i = 0; i < a->nrows; i++) {
            int same = ca->type == CK_COL_NUMERIC
                           ? (isnan(ca->num[i]) ? isnan(cb->num[i]) : ca->num[i] == cb->num[i])
                           : ca->code[i] == cb->code[i];
            if (!same) {
                snprintf(why, sizeof why, "cell %zu of column %s", i, ca->name);
                return why;
            }
        }
        if (ca->type == CK_COL_CATEGORICAL) {
            if (ck_dict_size(ca->levels) != ck_dict_size(cb->levels))
                return "level count";
            for (size_t k = 0; k < ck_dict_size(ca->levels); k++)
                if (strcmp(ck_dict_str(ca->levels, (int32_t)k), ck_dict_str(cb->levels, (int32_t)k)))
                    return "level order";
        }
    }
    for (size_t i = 0; i < a->nrows; i++)
        if (ck_table_line(a, i) != ck_table_line(b, i))
            return "line numbers";
    return NULL;
}

static void assert_same_tables(const ck_table *a, const ck_table *b)
{
    const char *diff = table_difference(a, b);
    ck_assert_msg(diff == NULL, "tables differ: %s", diff);
}

/* A file over the parallel threshold with quotes, embedded newlines, blank
 * lines, missing values and categorical levels first seen late.  `late_text`
 * puts text in column 'code' near the end only (a type the first part never
 * sees); row `bad_row` is made ragged ((size_t)-1 for none). */
/* Quoted names in big_file: every QUOTED_OFTEN rows, at QUOTED_LATE only
 * (the loader's plain path hands the rest of a part to the reader there),
 * or never (CRLF line ends then, and no line end after the last row). */
enum { QUOTED_OFTEN = 1, QUOTED_LATE, QUOTED_NEVER };

static char *big_file_quoted(int late_text, size_t bad_row, int quoted)
{
    size_t n = 160000, cap = n * 64 + 64, used = 0;
    const char *eol = quoted == QUOTED_NEVER ? "\r\n" : "\n";
    char *text = malloc(cap);
    used += (size_t)sprintf(text, "id,name,value,code,plan%s", eol);
    for (size_t i = 0; i < n; i++) {
        if (i % 5003 == 0)
            used += (size_t)sprintf(text + used, "%s", eol); /* blank line */
        int q = quoted == QUOTED_OFTEN ? i % 997 == 0 : quoted == QUOTED_LATE && i == n - 1000;
        const char *name = q ? "\"two\nlines, \"\"quoted\"\"\"" : "plain";
        char value[32];
        if (i % 11 == 0)
            strcpy(value, "NA");
        else
            sprintf(value, "%zu.%zu", i % 1000, i % 7);
        char code[32];
        if (late_text && i == n - 10)
            strcpy(code, "x17");
        else
            sprintf(code, "%03zu", i % 50);
        used += (size_t)sprintf(text + used, "%zu,%s,%s,%s,plan%zu%s%s", i, name, value, code,
                                (i * 7919) % (i < n / 2 ? 5 : 9), i == bad_row ? ",extra" : "",
                                i + 1 < n || quoted != QUOTED_NEVER ? eol : "");
    }
    text[used] = '\0';
    return text;
}


static ck_status load_threads(const char *path, int threads, ck_table **t, ck_error *err)
{
    ck_table_options opt;
    ck_table_options_init(&opt);
    opt.threads = threads;
    return ck_table_read_csv(t, path, &opt, err);
}

START_TEST(test_parallel_equals_sequential)
{
    for (int k = 0; k < 6; k++) {
        int late = k % 2, quoted = QUOTED_OFTEN + k / 2;
        char *text = big_file_quoted(late, (size_t)-1, quoted);
        ck_assert_uint_gt(strlen(text), 4u << 20);
        char *path = ck_test_write(text);
        ck_table *seq, *par;
        ck_error err;
        ck_assert_msg(load_threads(path, 1, &seq, &err) == CK_OK, "%s", err.message);
        ck_assert_uint_eq(seq->nrows, 160000);
        ck_assert_int_eq(seq->col[3].type, late ? CK_COL_CATEGORICAL : CK_COL_NUMERIC);
        for (int threads = 2; threads <= 5; threads++) {
            ck_assert_int_eq(load_threads(path, threads, &par, &err), CK_OK);
            assert_same_tables(seq, par);
            ck_table_free(par);
        }
        ck_table_free(seq);
        unlink(path);
        free(path);
        free(text);
    }
}
END_TEST

START_TEST(test_parallel_error_is_the_sequential_one)
{
    for (int quoted = QUOTED_OFTEN; quoted <= QUOTED_NEVER; quoted++) {
        char *text = big_file_quoted(0, 150000, quoted);
        char *path = ck_test_write(text);
        ck_table *t;
        ck_error e1, e2;
        ck_assert_int_eq(load_threads(path, 1, &t, &e1), CK_EDATA);
        ck_assert_int_eq(load_threads(path, 2, &t, &e2), CK_EDATA);
        ck_assert_str_eq(e1.message, e2.message);
        ck_assert_msg_contains(e1, "row has 6 fields but the header has 5");
        unlink(path);
        free(path);
        free(text);
    }
}
END_TEST

START_TEST(test_split_cuts_at_row_ends)
{
    /* the middle of the file falls inside a quoted field with line ends */
    const char *text = "a,b\n1,x\n2,\"q\n\nq\nq\nq\"\n3,y\n4,z\n";
    char *path = ck_test_write(text);
    unsigned long long start[4];
    unsigned long lines[4];
    ck_error err;
    ck_assert_int_eq(ck_csv_split(path, 3, start, lines, &err), CK_OK);
    ck_assert_uint_eq(start[0], 4); /* after "a,b\n" */
    for (int k = 1; k <= 2; k++) {
        /* each cut follows a line end that is not inside the quotes */
        ck_assert(start[k] == 8 || start[k] == 21 || start[k] == 25 || start[k] == 29);
        ck_assert_uint_eq(lines[k], start[k] == 8 ? 2 : start[k] == 21 ? 7 : start[k] == 25 ? 8 : 9);
    }
    ck_assert_uint_le(start[1], start[2]);
    ck_assert_uint_eq(start[3], strlen(text));
    ck_assert_uint_eq(lines[3], 9);
    unlink(path);
    free(path);
}
END_TEST

/* The cut by its definition, for text without quotes: after the header row
 * (a byte-order mark and line ends before it skipped), each start is just
 * past the first line end at or after an even share of the rest (the LF
 * of a CRLF; a CR that ends the file is no row end yet), and lines[k] the
 * line ends before start[k]. */
static unsigned long long cut_after(const char *s, unsigned long long n, unsigned long long t)
{
    for (unsigned long long i = t; i < n; i++)
        if (s[i] == '\n' || s[i] == '\r')
            return i + 1 < n && s[i] == '\r' && s[i + 1] == '\n' ? i + 2 : i + 1;
    return n;
}

static void model_split(const char *s, unsigned long long n, size_t nparts,
                        unsigned long long *start, unsigned long *lines)
{
    unsigned long long first = n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    while (first < n && (s[first] == '\r' || s[first] == '\n'))
        first++;
    start[0] = cut_after(s, n, first);
    unsigned long long data = n - start[0];
    for (size_t k = 1; k < nparts; k++)
        start[k] = cut_after(s, n, start[0] + data / nparts * k);
    start[nparts] = n;
    for (size_t k = 0; k <= nparts; k++) {
        int cr = 0;
        lines[k] = ck_csv_line_ends(s, (size_t)start[k], &cr);
    }
}

START_TEST(test_split_without_quotes_is_the_definition)
{
    /* random text of short and long rows, every line end form, blank
     * lines, a byte-order mark; 1 to 6 parts (the parallel cut, or the
     * serial one where a pair of quotes is in the text: the same cut) */
    static const char pieces[] = "ab,1\n\n\r\n\r,,;x";
    unsigned long s = 99;
    char text[3000];
    for (int i = 0; i < 400; i++) {
        ck_test_lcg(&s);
        size_t len = (s >> 33) % sizeof text, bom = (s >> 20) % 5 == 0 && len >= 3;
        int long_rows = (s >> 24) % 2;
        for (size_t k = 0; k < len; k++) {
            ck_test_lcg(&s);
            char c = pieces[(s >> 40) % (sizeof pieces - 1)];
            text[k] = long_rows && (c == '\n' || c == '\r') && (s >> 50) % 16 != 0 ? 'y' : c;
        }
        if (bom)
            memcpy(text, "\xEF\xBB\xBF", 3);
        if (i % 2 && len >= 8) /* a pair of quotes: the serial cut, the same */
            memcpy(text + len / 2, "\"\"", 2);
        char *path = ck_test_write_bytes(text, len);
        for (size_t parts = 1; parts <= 6; parts++) {
            unsigned long long start[7], want_start[7];
            unsigned long lines[7], want_lines[7];
            ck_error err;
            ck_assert_int_eq(ck_csv_split(path, parts, start, lines, &err), CK_OK);
            model_split(text, len, parts, want_start, want_lines);
            for (size_t k = 0; k <= parts; k++) {
                ck_assert_msg(start[k] == want_start[k] && lines[k] == want_lines[k],
                              "text %d, %zu parts, start %zu: %llu/%lu, want %llu/%lu", i, parts,
                              k, start[k], lines[k], want_start[k], want_lines[k]);
            }
        }
        unlink(path);
        free(path);
    }
}
END_TEST

static Suite *table_suite(void)
{
    Suite *s = suite_create("table");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_numeric_inference);
    tcase_add_test(tc, test_missing_values);
    tcase_add_test(tc, test_late_text_turns_column_categorical);
    tcase_add_test(tc, test_forced_categorical_keeps_text);
    tcase_add_test(tc, test_forced_numeric_text_is_error);
    tcase_add_test(tc, test_infinity_is_error);
    tcase_add_test(tc, test_usecols_and_suggestions);
    tcase_add_test(tc, test_header_only_is_error_unless_allowed);
    tcase_add_test(tc, test_csv_errors_pass_through);
    tcase_add_test(tc, test_row_lines);
    tcase_add_test(tc, test_many_rows_grow);
    tcase_add_test(tc, test_build_in_memory);
    tcase_add_test(tc, test_public_mlc_churn);
    tcase_add_test(tc, test_parallel_equals_sequential);
    tcase_add_test(tc, test_parallel_error_is_the_sequential_one);
    tcase_add_test(tc, test_split_cuts_at_row_ends);
    tcase_add_test(tc, test_split_without_quotes_is_the_definition);
    tcase_set_timeout(tc, 300);
    suite_add_tcase(s, tc);
    return s;
}

CK_TEST_MAIN(table_suite)
