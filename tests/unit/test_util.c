/* The small pieces: the string dictionary, name suggestions, list splitting,
 * the error record and warnings, and all-or-nothing output files. */
#include "testutil.h"

#include <sys/stat.h>
#include <dirent.h>

#include "churnkit/csv.h"
#include "churnkit/dict.h"
#include "churnkit/error.h"
#include "churnkit/num.h"
#include "churnkit/ofile.h"
#include "churnkit/str.h"

START_TEST(test_dict_codes_in_first_seen_order)
{
    ck_dict *d = ck_dict_new();
    ck_assert_int_eq(ck_dict_intern(d, "beta", 4), 0);
    ck_assert_int_eq(ck_dict_intern(d, "alpha", 5), 1);
    ck_assert_int_eq(ck_dict_intern(d, "beta", 4), 0);
    ck_assert_int_eq(ck_dict_find(d, "alpha", 5), 1);
    ck_assert_int_eq(ck_dict_find(d, "alp", 3), -1);
    ck_assert_int_eq(ck_dict_intern(d, "", 0), 2);
    ck_assert_str_eq(ck_dict_str(d, 1), "alpha");
    ck_assert_ptr_null(ck_dict_str(d, 7));
    ck_assert_uint_eq(ck_dict_size(d), 3);
    ck_dict_free(d);
}
END_TEST

START_TEST(test_dict_many_strings)
{
    ck_dict *d = ck_dict_new();
    char buf[32];
    for (int i = 0; i < 50000; i++) {
        int n = snprintf(buf, sizeof buf, "level-%d", i);
        ck_assert_int_eq(ck_dict_intern(d, buf, (size_t)n), i);
    }
    for (int i = 0; i < 50000; i += 997) {
        int n = snprintf(buf, sizeof buf, "level-%d", i);
        ck_assert_int_eq(ck_dict_find(d, buf, (size_t)n), i);
        ck_assert_str_eq(ck_dict_strings(d)[i], buf);
    }
    ck_dict_free(d);
}
END_TEST

START_TEST(test_edit_distance)
{
    ck_assert_uint_eq(ck_edit_distance("kitten", "sitting"), 3);
    ck_assert_uint_eq(ck_edit_distance("", "abc"), 3);
    ck_assert_uint_eq(ck_edit_distance("Churn", "churn"), 0);
    ck_assert_uint_eq(ck_edit_distance("tenure", "tenure"), 0);
}
END_TEST

START_TEST(test_closest_names)
{
    static const char *names[] = {"account_id", "tenure_days", "plan", "nps_avg", "tenure"};
    char out[200];
    ck_closest_names("tenur", names, 5, out, sizeof out);
    ck_assert_str_eq(out, "'tenure', 'tenure_days' or 'plan'");
    ck_closest_names("x", names, 1, out, sizeof out);
    ck_assert_str_eq(out, "'account_id'");
    ck_closest_names("x", names, 0, out, sizeof out);
    ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_split_list)
{
    size_t n;
    char **v = ck_split_list("a,,bc,d,", &n);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(v[0], "a");
    ck_assert_str_eq(v[1], "bc");
    ck_assert_str_eq(v[2], "d");
    ck_assert_ptr_null(v[3]);
    ck_assert_int_eq(ck_strv_index((const char *const *)v, n, "bc"), 1);
    ck_assert_int_eq(ck_strv_index((const char *const *)v, n, "zz"), -1);
    ck_strv_free(v);
}
END_TEST

START_TEST(test_utf8_valid)
{
    static const char *const good[] = {"", "plain", "caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
                                       "\xed\x9f\xbf", "\xf4\x8f\xbf\xbf"};
    static const char *const bad[] = {"\xff\xfe", "caf\xe9", "\xc0\xaf" /* overlong '/' */,
                                      "\xe0\x80\xaf", "\xed\xa0\x80" /* a surrogate */,
                                      "\xf4\x90\x80\x80" /* above U+10FFFF */, "\xe2\x82",
                                      "\x80", "\xf5\x80\x80\x80"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        ck_assert_msg(ck_utf8_valid(good[i]), "good[%zu] refused", i);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(!ck_utf8_valid(bad[i]), "bad[%zu] accepted", i);
}
END_TEST

START_TEST(test_error_format_and_exit_codes)
{
    ck_error err;
    ck_assert_int_eq(ck_error_at(&err, CK_EDATA, "f.csv", 12, 3, "bad %s", "cell"), CK_EDATA);
    ck_assert_str_eq(err.message, "f.csv:12:3: bad cell");
    ck_error_at(&err, CK_EDATA, "f.csv", 12, 0, "x");
    ck_assert_str_eq(err.message, "f.csv:12: x");
    ck_error_at(&err, CK_EIO, "f.csv", 0, 0, "y");
    ck_assert_str_eq(err.message, "f.csv: y");
    ck_error_prefix(&err, "training");
    ck_assert_str_eq(err.message, "training: f.csv: y");
    ck_assert_int_eq(ck_exit_code(CK_OK), 0);
    ck_assert_int_eq(ck_exit_code(CK_ETARGET), 1);
    ck_assert_int_eq(ck_exit_code(CK_EUSAGE), 2);
    ck_assert_int_eq(ck_exit_code(CK_EDATA), 3);
    ck_assert_int_eq(ck_exit_code(CK_EMODEL), 4);
    ck_assert_int_eq(ck_exit_code(CK_EIO), 5);
    ck_assert_int_eq(ck_exit_code(CK_ENOMEM), 5);
    ck_assert_int_eq(ck_error_set(NULL, CK_EDATA, "ignored"), CK_EDATA);
}
END_TEST

START_TEST(test_warnings_dedupe)
{
    ck_warnings w;
    ck_warnings_init(&w);
    ck_warn(&w, "unseen level '%s'", "x");
    ck_warn(&w, "unseen level '%s'", "x");
    ck_warn(&w, "constant column");
    ck_assert_uint_eq(w.n, 2);
    ck_assert_uint_eq(w.count[0], 2);
    ck_assert_str_eq(w.msg[1], "constant column");
    ck_warn(NULL, "nobody listens");
    ck_warnings_fini(&w);
}
END_TEST

/* Counts directory entries whose name contains ".tmp-" */
static int count_temps(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)) != NULL)
        n += strstr(e->d_name, ".tmp-") != NULL;
    closedir(d);
    return n;
}

START_TEST(test_ofile_commit_and_abort)
{
    char dir[] = "/tmp/churnkit-ofile-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/out.csv", dir);
    ck_error err;
    ck_ofile *f;

    ck_assert_int_eq(ck_ofile_write_string(path, "first\n", &err), CK_OK);
    /* while open, the destination still holds the old content */
    ck_assert_int_eq(ck_ofile_open(&f, path, &err), CK_OK);
    fputs("second\n", ck_ofile_stream(f));
    ck_assert_int_eq(count_temps(dir), 1);
    char *text = ck_test_slurp(path);
    ck_assert_str_eq(text, "first\n");
    free(text);
    ck_ofile_abort(f);
    text = ck_test_slurp(path);
    ck_assert_str_eq(text, "first\n");
    free(text);
    ck_assert_int_eq(count_temps(dir), 0);

    ck_assert_int_eq(ck_ofile_open(&f, path, &err), CK_OK);
    fputs("third\n", ck_ofile_stream(f));
    ck_assert_int_eq(ck_ofile_commit(f, &err), CK_OK);
    text = ck_test_slurp(path);
    ck_assert_str_eq(text, "third\n");
    free(text);
    ck_assert_int_eq(count_temps(dir), 0);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    mode_t mask = umask(022);
    umask(mask);
    ck_assert_int_eq(st.st_mode & 0777, 0666 & ~mask);
    /* a replaced file keeps its mode, whatever the umask */
    ck_assert_int_eq(chmod(path, 0600), 0);
    ck_assert_int_eq(ck_ofile_write_string(path, "fourth\n", &err), CK_OK);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    unlink(path);
    rmdir(dir);
}
END_TEST

/* Two outputs committed together: a failure in either leaves both old. */
START_TEST(test_ofile_commit_all)
{
    char dir[] = "/tmp/churnkit-ofile-XXXXXX", path[256];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/a.csv", dir);
    ck_error err;
    ck_ofile *f[3] = {NULL, NULL, NULL};
    ck_assert_int_eq(ck_ofile_write_string(path, "old\n", &err), CK_OK);
    ck_assert_int_eq(ck_ofile_open(&f[0], path, &err), CK_OK);
    fputs("new\n", ck_ofile_stream(f[0]));
    ck_assert_int_eq(ck_ofile_open(&f[2], "/dev/full", &err), CK_OK);
    for (int i = 0; i < 20000; i++)
        fputs("some data that will not fit\n", ck_ofile_stream(f[2]));
    ck_assert_int_eq(ck_ofile_commit_all(f, 3, &err), CK_EIO);
    ck_assert_msg_contains(err, "/dev/full: write error");
    ck_assert_ptr_null(f[0]);
    char *text = ck_test_slurp(path);
    ck_assert_str_eq(text, "old\n");
    free(text);
    ck_assert_int_eq(count_temps(dir), 0);
    /* and both land when both are complete */
    ck_assert_int_eq(ck_ofile_open(&f[0], path, &err), CK_OK);
    fputs("new\n", ck_ofile_stream(f[0]));
    ck_assert_int_eq(ck_ofile_open(&f[1], "/dev/null", &err), CK_OK);
    ck_assert_int_eq(ck_ofile_commit_all(f, 3, &err), CK_OK);
    text = ck_test_slurp(path);
    ck_assert_str_eq(text, "new\n");
    free(text);
    unlink(path);
    rmdir(dir);
}
END_TEST

/* A symbolic link stays a link; its target gets the content. */
START_TEST(test_ofile_symlink_and_same)
{
    char dir[] = "/tmp/churnkit-ofile-XXXXXX", target[256], link[256], link2[256], other[256];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(target, sizeof target, "%s/t.csv", dir);
    snprintf(link, sizeof link, "%s/l.csv", dir);
    snprintf(link2, sizeof link2, "%s/dangling.csv", dir);
    snprintf(other, sizeof other, "%s/sub/../new.csv", dir);
    ck_error err;
    ck_assert_int_eq(ck_ofile_write_string(target, "old\n", &err), CK_OK);
    ck_assert_int_eq(symlink("t.csv", link), 0);
    ck_assert_int_eq(ck_ofile_check(link, &err), CK_OK);
    ck_assert_int_eq(ck_ofile_write_string(link, "new\n", &err), CK_OK);
    struct stat st;
    ck_assert_int_eq(lstat(link, &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    char *text = ck_test_slurp(target);
    ck_assert_str_eq(text, "new\n");
    free(text);
    /* a link to nothing creates its target */
    ck_assert_int_eq(symlink("made.csv", link2), 0);
    ck_assert_int_eq(ck_ofile_write_string(link2, "made\n", &err), CK_OK);
    ck_assert_int_eq(lstat(link2, &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    ck_assert_int_eq(count_temps(dir), 0);

    ck_assert_int_eq(ck_ofile_same(link, target), 1);
    ck_assert_int_eq(ck_ofile_same(target, target), 1);
    ck_assert_int_eq(ck_ofile_same(target, link2), 0);
    /* not there yet: the same name in the same directory, however spelled */
    char sub[256], plain[256];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    snprintf(plain, sizeof plain, "%s/new.csv", dir);
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    ck_assert_int_eq(ck_ofile_same(other, plain), 1);
    ck_assert_int_eq(ck_ofile_same(plain, target), 0);
    ck_assert_int_eq(ck_ofile_same("-", "-"), 0);
    ck_assert_int_eq(ck_ofile_same("/dev/null", "/dev/null"), 0);
    ck_assert_int_eq(ck_ofile_same(NULL, target), 0);
    char made[256];
    snprintf(made, sizeof made, "%s/made.csv", dir);
    unlink(made);
    unlink(link2);
    unlink(link);
    unlink(target);
    rmdir(sub);
    rmdir(dir);
}
END_TEST

START_TEST(test_ofile_errors)
{
    ck_error err;
    ck_ofile *f;
    ck_assert_int_eq(ck_ofile_open(&f, "/nonexistent-dir/out.csv", &err), CK_EIO);
    ck_assert_msg_contains(err, "/nonexistent-dir/out.csv: cannot create output file");
    ck_assert_int_eq(ck_ofile_open(&f, "/tmp", &err), CK_EIO);
    ck_assert_msg_contains(err, "is a directory");
    /* a full device: the error comes at commit */
    ck_assert_int_eq(ck_ofile_open(&f, "/dev/full", &err), CK_OK);
    for (int i = 0; i < 20000; i++)
        fputs("some data that will not fit\n", ck_ofile_stream(f));
    ck_assert_int_eq(ck_ofile_commit(f, &err), CK_EIO);
    ck_assert_msg_contains(err, "/dev/full: write error: No space left on device");
}
END_TEST

START_TEST(test_near_names)
{
    static const char *names[] = {"account_id", "tenure_days", "plan", "nps_avg", "tenure"};
    char out[200];
    /* "tenur": tenure at distance 1, tenure_days holds it (4+ characters);
     * plan at distance 5 is beyond 5 / 3 -> 2 */
    ck_near_names("tenur", names, 5, out, sizeof out);
    ck_assert_str_eq(out, "'tenure' or 'tenure_days'");
    /* a transposition is 2 edits: "plna" is near "plan" */
    ck_near_names("plna", names, 5, out, sizeof out);
    ck_assert_str_eq(out, "'plan'");
    /* nothing near: no suggestion (ck_closest_names gives three anyway) */
    ck_near_names("MonthlyIncome", names, 5, out, sizeof out);
    ck_assert_str_eq(out, "");
    /* a name of 3 characters or fewer: 1 edit only ("y" is not near "x1") */
    static const char *short_names[] = {"x1", "y1", "x"};
    ck_near_names("y", short_names, 3, out, sizeof out);
    ck_assert_str_eq(out, "'y1' or 'x'");
    ck_near_names("z", names, 0, out, sizeof out);
    ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_delim_hint)
{
    char out[300];
    const char *semi[] = {"id;x1;x2;plan;y"}, *tab[] = {"id\tx1"}, *plain[] = {"id", "x;1"};
    const char *comma[] = {"id,x1"};
    ck_assert_int_eq(ck_csv_delim_hint(semi, 1, ',', out, sizeof out), 1);
    ck_assert_str_eq(out, "the header is one column, 'id;x1;x2;plan;y': the file looks "
                          "separated by ';' -- use --delim ';'");
    ck_assert_int_eq(ck_csv_delim_hint(tab, 1, ',', out, sizeof out), 1);
    ck_assert_msg(strstr(out, "use --delim tab") != NULL, "%s", out);
    ck_assert_int_eq(ck_csv_delim_hint(comma, 1, ';', out, sizeof out), 1);
    ck_assert_msg(strstr(out, "use --delim ',' (the default)") != NULL, "%s", out);
    /* two columns: the delimiter worked, whatever the names hold */
    ck_assert_int_eq(ck_csv_delim_hint(plain, 2, ',', out, sizeof out), 0);
    ck_assert_str_eq(out, "");
    /* one column holding only the delimiter in use (quoted): nothing to say */
    ck_assert_int_eq(ck_csv_delim_hint(comma, 1, ',', out, sizeof out), 0);
}
END_TEST

START_TEST(test_decimal_comma)
{
    ck_assert(ck_num_decimal_comma("3,5", 3));
    ck_assert(ck_num_decimal_comma("-0,25", 5));
    ck_assert(ck_num_decimal_comma("171,5e2", 7));
    ck_assert(!ck_num_decimal_comma("3.5", 3));   /* no comma */
    ck_assert(!ck_num_decimal_comma("1,2,3", 5)); /* a list */
    ck_assert(!ck_num_decimal_comma("a,b", 3));
    ck_assert(!ck_num_decimal_comma(",5", 2));    /* no digit before */
    ck_assert(!ck_num_decimal_comma("3,", 2));
    ck_assert(!ck_num_decimal_comma("1, 2", 4));  /* a space after the comma */
}
END_TEST

START_TEST(test_ofile_check)
{
    char dir[] = "/tmp/ck-check-XXXXXX", path[256];
    ck_error err;
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/out.csv", dir);
    /* a new file in a writable directory: fine, and nothing left behind */
    ck_assert_int_eq(ck_ofile_check(path, &err), CK_OK);
    ck_assert_int_eq(count_temps(dir), 0);
    ck_assert_int_eq(access(path, F_OK), -1);
    ck_assert_int_eq(ck_ofile_check("-", &err), CK_OK);
    ck_assert_int_eq(ck_ofile_check("/dev/null", &err), CK_OK);
    ck_assert_int_eq(ck_ofile_check("", &err), CK_EUSAGE);
    /* the same messages ck_ofile_open gives, before any work */
    ck_assert_int_eq(ck_ofile_check("/nonexistent-dir/out.csv", &err), CK_EIO);
    ck_assert_msg_contains(err, "/nonexistent-dir/out.csv: cannot create output file: No such "
                                "file or directory");
    ck_assert_int_eq(ck_ofile_check(dir, &err), CK_EIO);
    ck_assert_msg_contains(err, "is a directory");
    ck_assert_int_eq(ck_ofile_check("/etc/passwd/out.csv", &err), CK_EIO);
    ck_assert_msg_contains(err, "Not a directory");
    rmdir(dir);
}
END_TEST

static Suite *util_suite(void)
{
    Suite *s = suite_create("util");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_dict_codes_in_first_seen_order);
    tcase_add_test(tc, test_ofile_commit_all);
    tcase_add_test(tc, test_ofile_symlink_and_same);
    tcase_add_test(tc, test_dict_many_strings);
    tcase_add_test(tc, test_edit_distance);
    tcase_add_test(tc, test_closest_names);
    tcase_add_test(tc, test_split_list);
    tcase_add_test(tc, test_utf8_valid);
    tcase_add_test(tc, test_error_format_and_exit_codes);
    tcase_add_test(tc, test_warnings_dedupe);
    tcase_add_test(tc, test_ofile_commit_and_abort);
    tcase_add_test(tc, test_ofile_errors);
    tcase_add_test(tc, test_near_names);
    tcase_add_test(tc, test_delim_hint);
    tcase_add_test(tc, test_decimal_comma);
    tcase_add_test(tc, test_ofile_check);
    suite_add_tcase(s, tc);
    return s;
}

CK_TEST_MAIN(util_suite)
