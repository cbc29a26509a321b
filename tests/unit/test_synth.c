/* The synthetic world: dates, options, determinism, referential integrity,
 * row orders, revenue ending at churn, and properties of the model (the
 * pseudo-active segment, satisfaction and recent activity against churn). */
#include "testutil.h"

#include <dirent.h>
#include <stdarg.h>
#include <sys/stat.h>

#include <gsl/gsl_errno.h>

#include "churnkit/synth.h"
#include "churnkit/synth_model.h"

/* ------------------------------------------------------------ helpers */

/* An assertion for loops over rows: Check's ck_assert records every passing
 * assertion with a write to the parent process, far too slow per row. */
#define REQUIRE(cond, ...)                                   \
    do {                                                     \
        if (!(cond))                                         \
            ck_abort_msg("%s: " #cond, fmt_where(__VA_ARGS__)); \
    } while (0)

static const char *fmt_where(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *fmt_where(const char *fmt, ...)
{
    static char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return buf;
}

typedef struct csvf {
    char *buf;
    size_t nrows, ncols;
    char **cell; /* nrows * ncols; row 0 is the header */
} csvf;

static const char *const files[] = {"accounts.csv", "users.csv", "sessions.csv",
                                    "feature_events.csv", "features.csv", "nps.csv",
                                    "revenue.csv", "truth.csv"};
#define NFILES (sizeof files / sizeof files[0])

static char *path_in(const char *dir, const char *name)
{
    static char buf[4][2400];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof buf[i], "%s/%s", dir, name);
    return buf[i];
}

/* Reads one of our CSVs (no quoting); every row must have the header's
 * field count. */
static void csv_load(csvf *f, const char *dir, const char *name)
{
    f->buf = ck_test_slurp(path_in(dir, name));
    size_t lines = 0, cap;
    for (char *p = f->buf; *p; p++)
        lines += *p == '\n';
    char *eol = strchr(f->buf, '\n');
    ck_assert_ptr_nonnull(eol);
    f->ncols = 1;
    for (char *p = f->buf; p < eol; p++)
        f->ncols += *p == ',';
    cap = lines * f->ncols;
    f->cell = malloc(cap * sizeof *f->cell);
    f->nrows = 0;
    char *p = f->buf;
    while (*p) {
        char *e = strchr(p, '\n');
        if (!e) {
            ck_abort_msg("%s: last line lacks a newline", name);
            return;
        }
        *e = '\0';
        size_t c = 0;
        char *q = p;
        for (;;) {
            char *comma = strchr(q, ',');
            REQUIRE(c < f->ncols, "%s:%zu: too many fields", name, f->nrows + 1);
            f->cell[f->nrows * f->ncols + c++] = q;
            if (!comma)
                break;
            *comma = '\0';
            q = comma + 1;
        }
        REQUIRE(c == f->ncols, "%s:%zu: %zu fields, want %zu", name, f->nrows + 1, c,
                      f->ncols);
        f->nrows++;
        p = e + 1;
    }
}

static const char *cell(const csvf *f, size_t r, size_t c)
{
    return f->cell[r * f->ncols + c];
}

static void csv_free(csvf *f)
{
    free(f->buf);
    free(f->cell);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted copy of column c of rows 1.. (pointers into f). */
static const char **sorted_column(const csvf *f, size_t c)
{
    const char **v = malloc(f->nrows * sizeof *v);
    for (size_t r = 1; r < f->nrows; r++)
        v[r - 1] = cell(f, r, c);
    qsort(v, f->nrows - 1, sizeof *v, cmp_str);
    return v;
}

/* Row (from 1) of key in column c, given v = sorted_column(f, c) and f's
 * rows in the same order as v (true for ids written in id order). */
static long find(const char **v, size_t n, const char *key)
{
    const char **hit = bsearch(&key, v, n, sizeof *v, cmp_str);
    return hit ? (long)(hit - v) : -1;
}

static char *make_tmpdir(void)
{
    char tmpl[] = "/tmp/churnkit-synth-test-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(tmpl));
    return strdup(tmpl);
}

/* Removes dir and the files in it (there are no subdirectories). */
static void remove_dir(char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                unlink(path_in(dir, e->d_name));
        closedir(d);
    }
    rmdir(dir);
    free(dir);
}

static int count_entries(const char *dir)
{
    int n = 0;
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

static long buffer_bytes = 65536;

static void generate(const char *dir, long accounts, int months, unsigned long seed, int threads,
                     ck_synth_summary *sum)
{
    ck_synth_options opt;
    ck_error err;
    ck_synth_options_init(&opt);
    opt.buffer_bytes = buffer_bytes;
    opt.accounts = accounts;
    opt.months = months;
    opt.seed = seed;
    opt.threads = threads;
    ck_status st = ck_synth_run(&opt, dir, NULL, NULL, sum, &err);
    ck_assert_msg(st == CK_OK, "ck_synth_run: %s", err.message);
}

static int same_file(const char *a, const char *b)
{
    char *x = ck_test_slurp(a), *y = ck_test_slurp(b);
    int same = strcmp(x, y) == 0;
    free(x);
    free(y);
    return same;
}

/* Month index of "YYYY-MM" or a date, counted from 2024-01. */
static int month_index(const char *s)
{
    return (atoi(s) - 2024) * 12 + atoi(s + 5) - 1;
}

/* The shared world: 200 accounts over 12 months from 2024-01-01. */
static char *world;
static ck_synth_summary world_sum;

static void world_setup(void)
{
    gsl_set_error_handler_off();
    world = make_tmpdir();
    generate(world, 200, 12, 11, 2, &world_sum);
}

static void world_teardown(void)
{
    remove_dir(world);
    world = NULL;
}

/* -------------------------------------------------------------- tests */

START_TEST(test_dates)
{
    int y, m, d;
    ck_assert_int_eq(ck_date_from_civil(1970, 1, 1), 0);
    ck_assert_int_eq(ck_date_from_civil(2000, 3, 1), 11017);
    ck_assert_int_eq(ck_date_from_civil(1969, 12, 31), -1);
    ck_assert_int_eq(ck_date_weekday(0), 4);                                 /* Thursday */
    ck_assert_int_eq(ck_date_weekday(ck_date_from_civil(2024, 1, 1)), 1); /* Monday */
    ck_assert_int_eq(ck_date_weekday(-1), 3);
    for (int32_t z = -800000; z <= 800000; z += 13) {
        ck_date_to_civil(z, &y, &m, &d);
        REQUIRE((ck_date_from_civil(y, m, d)) == (z), "line 222");
    }
    ck_date_to_civil(ck_date_from_civil(2100, 2, 28) + 1, &y, &m, &d);
    ck_assert(y == 2100 && m == 3 && d == 1);
    ck_date_to_civil(ck_date_from_civil(2024, 2, 28) + 1, &y, &m, &d);
    ck_assert(y == 2024 && m == 2 && d == 29);

    int32_t z;
    char buf[11];
    ck_assert_int_eq(ck_date_parse("2024-02-29", &z), 0);
    ck_date_format(z, buf);
    ck_assert_str_eq(buf, "2024-02-29");
    ck_assert_int_eq(ck_date_parse("2000-02-29", &z), 0);
    ck_assert_int_eq(ck_date_parse("1900-02-29", &z), -1);
    ck_assert_int_eq(ck_date_parse("2023-02-29", &z), -1);
    ck_assert_int_eq(ck_date_parse("2024-04-31", &z), -1);
    ck_assert_int_eq(ck_date_parse("2024-13-01", &z), -1);
    ck_assert_int_eq(ck_date_parse("2024-1-01", &z), -1);
    ck_assert_int_eq(ck_date_parse("2024-01-01x", &z), -1);
    ck_assert_int_eq(ck_date_parse("", &z), -1);
}
END_TEST

START_TEST(test_bad_options_rejected)
{
    ck_synth_options opt;
    ck_error err;
    char *dir = make_tmpdir();
    struct {
        long accounts;
        int months;
        const char *start;
        int threads;
        const char *frag;
    } bad[] = {
        {0, 12, "2024-01-01", 0, "accounts"},
        {-5, 12, "2024-01-01", 0, "accounts"},
        {CK_SYNTH_MAX_ACCOUNTS + 1, 12, "2024-01-01", 0, "accounts"},
        {10, 0, "2024-01-01", 0, "months"},
        {10, CK_SYNTH_MAX_MONTHS + 1, "2024-01-01", 0, "months"},
        {10, 12, "2024-01-15", 0, "first day of a month"},
        {10, 12, "2024-02-30", 0, "not a date"},
        {10, 12, "January", 0, "not a date"},
        {10, 12, NULL, 0, "not a date"},
        {10, 12, "1800-01-01", 0, "1900..9000"},
        {10, 12, "2024-01-01", -1, "threads"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_synth_options_init(&opt);
        opt.accounts = bad[i].accounts;
        opt.months = bad[i].months;
        opt.start = bad[i].start;
        opt.threads = bad[i].threads;
        ck_assert_int_eq(ck_synth_write(&opt, dir, NULL, NULL, &err), CK_EUSAGE);
        ck_assert_msg_contains(err, bad[i].frag);
    }
    ck_synth_options_init(&opt);
    opt.buffer_bytes = 100;
    ck_assert_int_eq(ck_synth_write(&opt, dir, NULL, NULL, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "buffer");
    ck_synth_options_init(&opt);
    ck_assert_int_eq(ck_synth_write(&opt, NULL, NULL, NULL, &err), CK_EUSAGE);
    ck_assert_int_eq(ck_synth_write(&opt, "", NULL, NULL, &err), CK_EUSAGE);
    ck_assert_int_eq(count_entries(dir), 0); /* nothing written */
    remove_dir(dir);
}
END_TEST

START_TEST(test_io_error_names_path)
{
    ck_synth_options opt;
    ck_error err;
    char *file = ck_test_write("not a directory\n");
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/world", file);
    ck_synth_options_init(&opt);
    opt.accounts = 5;
    opt.months = 2;
    ck_assert_int_eq(ck_synth_write(&opt, dir, NULL, NULL, &err), CK_EIO);
    ck_assert_msg_contains(err, dir);
    ck_assert_int_eq(ck_synth_write(&opt, file, NULL, NULL, &err), CK_EIO);
    ck_assert_msg_contains(err, "not a directory");
    unlink(file);
    free(file);
}
END_TEST

START_TEST(test_deterministic)
{
    char *a = make_tmpdir(), *b = make_tmpdir(), *c = make_tmpdir();
    char sub[1100];
    snprintf(sub, sizeof sub, "%s/x/y", b); /* created with its parents */
    generate(a, 150, 8, 42, 1, NULL);
    generate(sub, 150, 8, 42, 3, NULL); /* another thread count */
    generate(c, 150, 8, 43, 1, NULL);
    for (size_t i = 0; i < NFILES; i++)
        ck_assert_msg(same_file(path_in(a, files[i]), path_in(sub, files[i])),
                      "%s differs between two runs with the same seed", files[i]);
    ck_assert(!same_file(path_in(a, "sessions.csv"), path_in(c, "sessions.csv")));
    ck_assert(!same_file(path_in(a, "accounts.csv"), path_in(c, "accounts.csv")));
    ck_assert(!same_file(path_in(a, "revenue.csv"), path_in(c, "revenue.csv")));
    ck_assert(same_file(path_in(a, "features.csv"), path_in(c, "features.csv")));

    /* rewriting into an existing directory replaces every file, leaving no
     * temporaries behind */
    generate(c, 150, 8, 42, 2, NULL);
    for (size_t i = 0; i < NFILES; i++)
        ck_assert(same_file(path_in(a, files[i]), path_in(c, files[i])));
    ck_assert_int_eq(count_entries(c), (int)NFILES);

    /* without truth.csv, the other files are unchanged */
    ck_synth_options opt;
    ck_error err;
    ck_synth_options_init(&opt);
    opt.accounts = 150;
    opt.months = 8;
    opt.seed = 42;
    opt.truth = 0;
    char *d = make_tmpdir();
    ck_assert_int_eq(ck_synth_write(&opt, d, NULL, NULL, &err), CK_OK);
    ck_assert_int_eq(count_entries(d), (int)NFILES - 1);
    ck_assert(same_file(path_in(a, "sessions.csv"), path_in(d, "sessions.csv")));
    remove_dir(a);
    snprintf(sub, sizeof sub, "%s/x/y", b);
    remove_dir(strdup(sub));
    snprintf(sub, sizeof sub, "%s/x", b);
    rmdir(sub);
    remove_dir(b);
    remove_dir(c);
    remove_dir(d);
}
END_TEST

/* Small buffers force rows through the temporary spill files (feature
 * events and sessions overflow 4 KiB per day and thread here); the files
 * must equal those written from memory. */
START_TEST(test_spilled_equals_buffered)
{
    char *a = make_tmpdir(), *b = make_tmpdir();
    generate(a, 300, 4, 9, 1, NULL);
    buffer_bytes = 4096;
    generate(b, 300, 4, 9, 3, NULL);
    buffer_bytes = 65536;
    for (size_t i = 0; i < NFILES; i++)
        ck_assert_msg(same_file(path_in(a, files[i]), path_in(b, files[i])),
                      "%s differs when spilled", files[i]);
    struct stat st;
    ck_assert_int_eq(stat(path_in(a, "feature_events.csv"), &st), 0);
    ck_assert(st.st_size > 121 * 3 * 4096); /* days average over 4 KiB per thread */
    ck_assert_int_eq(count_entries(b), (int)NFILES);
    remove_dir(a);
    remove_dir(b);
}
END_TEST

START_TEST(test_headers_and_counts)
{
    static const char *const header[NFILES] = {
        "account_id,signup_date,plan_tier,industry,company_size,region",
        "user_id,account_id,created",
        "user_id,date,minutes",
        "user_id,date,feature,clicks",
        "feature,is_core",
        "user_id,date,score",
        "account_id,month,mrr",
        "account_id,segment,depth,satisfaction,fit,churn_month"};
    const long want[NFILES] = {world_sum.accounts, world_sum.users, world_sum.sessions,
                               world_sum.events, CK_SYNTH_NFEATURES, world_sum.nps,
                               world_sum.revenue, world_sum.accounts};
    for (size_t i = 0; i < NFILES; i++) {
        char *text = ck_test_slurp(path_in(world, files[i]));
        size_t hl = strlen(header[i]);
        ck_assert_msg(strncmp(text, header[i], hl) == 0 && text[hl] == '\n', "%s header",
                      files[i]);
        long lines = 0;
        for (char *p = text; *p; p++)
            lines += *p == '\n';
        ck_assert_msg(lines - 1 == want[i], "%s: %ld rows, summary says %ld", files[i],
                      lines - 1, want[i]);
        free(text);
    }
    ck_assert_int_eq(world_sum.accounts, 200);
    ck_assert(world_sum.sessions > 1000 && world_sum.events > 1000 && world_sum.nps > 10);

    /* features.csv: the catalogue, sorted, with some but not all core */
    csvf f;
    csv_load(&f, world, "features.csv");
    int ncore = 0;
    for (size_t r = 1; r < f.nrows; r++) {
        ncore += strcmp(cell(&f, r, 1), "1") == 0;
        ck_assert(strcmp(cell(&f, r, 1), "1") == 0 || strcmp(cell(&f, r, 1), "0") == 0);
        if (r > 1)
            ck_assert(strcmp(cell(&f, r - 1, 0), cell(&f, r, 0)) < 0);
    }
    ck_assert(ncore >= 3 && ncore <= 10);
    csv_free(&f);
}
END_TEST

START_TEST(test_referential_integrity)
{
    csvf acc, usr, ses, ev, nps, feat;
    csv_load(&acc, world, "accounts.csv");
    csv_load(&usr, world, "users.csv");
    csv_load(&ses, world, "sessions.csv");
    csv_load(&ev, world, "feature_events.csv");
    csv_load(&nps, world, "nps.csv");
    csv_load(&feat, world, "features.csv");
    int32_t start = ck_date_from_civil(2024, 1, 1), end = ck_date_from_civil(2025, 1, 1);

    /* accounts: unique ids, real dates before the end, known attributes */
    const char **aid = sorted_column(&acc, 0);
    size_t na = acc.nrows - 1;
    int32_t *signup = malloc(na * sizeof *signup);
    for (size_t i = 0; i + 1 < na; i++)
        REQUIRE(strcmp(aid[i], aid[i + 1]) < 0, "line %d", 411);
    for (size_t r = 1; r < acc.nrows; r++) {
        int32_t z;
        long i = find(aid, na, cell(&acc, r, 0));
        REQUIRE((ck_date_parse(cell(&acc, r, 1), &z)) == (0), "line 415");
        REQUIRE(z < end, "line %d", 416);
        signup[i] = z;
        REQUIRE(strcmp(cell(&acc, r, 2), "basic") == 0 || strcmp(cell(&acc, r, 2), "pro") == 0 ||
                  strcmp(cell(&acc, r, 2), "business") == 0 ||
                  strcmp(cell(&acc, r, 2), "enterprise") == 0, "line %d", 418);
    }

    /* users: unique, their account exists, created on or after its signup */
    const char **uid = sorted_column(&usr, 0);
    size_t nu = usr.nrows - 1;
    int32_t *created = malloc(nu * sizeof *created);
    for (size_t i = 0; i + 1 < nu; i++)
        REQUIRE(strcmp(uid[i], uid[i + 1]) < 0, "line %d", 428);
    for (size_t r = 1; r < usr.nrows; r++) {
        int32_t z;
        long a = find(aid, na, cell(&usr, r, 1));
        REQUIRE(a >= 0, "user %s: unknown account %s", cell(&usr, r, 0), cell(&usr, r, 1));
        REQUIRE((ck_date_parse(cell(&usr, r, 2), &z)) == (0), "line 433");
        REQUIRE(z >= signup[a] && z < end, "line %d", 434);
        created[find(uid, nu, cell(&usr, r, 0))] = z;
    }

    /* sessions, events and NPS: a known user, a date in the world on or
     * after the user was created, values in range */
    const csvf *kinds[] = {&ses, &ev, &nps};
    for (int k = 0; k < 3; k++) {
        const csvf *f = kinds[k];
        for (size_t r = 1; r < f->nrows; r++) {
            int32_t z;
            long u = find(uid, nu, cell(f, r, 0));
            REQUIRE(u >= 0, "unknown user %s", cell(f, r, 0));
            REQUIRE((ck_date_parse(cell(f, r, 1), &z)) == (0), "line 447");
            REQUIRE(z >= start && z < end && z >= created[u], "line %d", 448);
        }
    }
    for (size_t r = 1; r < ses.nrows; r++) {
        long mins = atol(cell(&ses, r, 2));
        REQUIRE(mins >= 1 && mins <= 720, "line %d", 453);
    }
    const char **fname = sorted_column(&feat, 0);
    for (size_t r = 1; r < ev.nrows; r++) {
        REQUIRE(find(fname, feat.nrows - 1, cell(&ev, r, 2)) >= 0, "line %d", 457);
        REQUIRE(atol(cell(&ev, r, 3)) >= 1, "line %d", 458);
    }
    for (size_t r = 1; r < nps.nrows; r++) {
        const char *s = cell(&nps, r, 2);
        REQUIRE(strlen(s) >= 1 && strlen(s) <= 2 && atoi(s) >= 0 && atoi(s) <= 10, "line %d", 462);
    }
    free(aid);
    free(uid);
    free(fname);
    free(signup);
    free(created);
    csv_free(&acc);
    csv_free(&usr);
    csv_free(&ses);
    csv_free(&ev);
    csv_free(&nps);
    csv_free(&feat);
}
END_TEST

/* Rows ordered by the key columns k1 then k2 then k3 (k < 0: none). */
static void assert_sorted(const char *name, int k1, int k2, int k3)
{
    csvf f;
    csv_load(&f, world, name);
    for (size_t r = 2; r < f.nrows; r++) {
        int c = strcmp(cell(&f, r - 1, (size_t)k1), cell(&f, r, (size_t)k1));
        if (c == 0 && k2 >= 0)
            c = strcmp(cell(&f, r - 1, (size_t)k2), cell(&f, r, (size_t)k2));
        if (c == 0 && k3 >= 0)
            c = strcmp(cell(&f, r - 1, (size_t)k3), cell(&f, r, (size_t)k3));
        REQUIRE(c <= 0, "%s: row %zu is out of order", name, r);
    }
    csv_free(&f);
}

START_TEST(test_documented_orders)
{
    assert_sorted("accounts.csv", 1, 0, -1);       /* signup_date, account_id */
    assert_sorted("accounts.csv", 0, -1, -1);      /* ... which is account_id order */
    assert_sorted("users.csv", 2, 0, -1);          /* created, user_id */
    assert_sorted("sessions.csv", 1, 0, -1);       /* date, user_id */
    assert_sorted("feature_events.csv", 1, 0, 2);  /* date, user_id, feature */
    assert_sorted("nps.csv", 1, 0, -1);            /* date, user_id */
    assert_sorted("revenue.csv", 1, 0, -1);        /* month, account_id */
    assert_sorted("truth.csv", 0, -1, -1);         /* account_id */

    /* an event row is unique per (user, date, feature) */
    csvf f;
    csv_load(&f, world, "feature_events.csv");
    for (size_t r = 2; r < f.nrows; r++)
        REQUIRE(!(strcmp(cell(&f, r - 1, 0), cell(&f, r, 0)) == 0 &&
                    strcmp(cell(&f, r - 1, 1), cell(&f, r, 1)) == 0 &&
                    strcmp(cell(&f, r - 1, 2), cell(&f, r, 2)) == 0), "line %d", 509);
    csv_free(&f);
}
END_TEST

START_TEST(test_revenue_ends_at_churn)
{
    csvf acc, rev, tr, ses, usr;
    csv_load(&acc, world, "accounts.csv");
    csv_load(&rev, world, "revenue.csv");
    csv_load(&tr, world, "truth.csv");
    csv_load(&ses, world, "sessions.csv");
    csv_load(&usr, world, "users.csv");
    size_t na = acc.nrows - 1;
    int *first = malloc(na * sizeof *first), *last = malloc(na * sizeof *last);
    int *count = calloc(na, sizeof *count), *churn = malloc(na * sizeof *churn);
    const char **aid = sorted_column(&acc, 0);
    for (size_t i = 0; i < na; i++)
        first[i] = last[i] = -1;
    for (size_t r = 1; r < rev.nrows; r++) {
        long a = find(aid, na, cell(&rev, r, 0));
        int m = month_index(cell(&rev, r, 1));
        REQUIRE(a >= 0 && m >= 0 && m < 12, "line %d", 533);
        REQUIRE(strtod(cell(&rev, r, 2), NULL) > 0, "line %d", 534);
        if (first[a] < 0)
            first[a] = m;
        REQUIRE(last[a] < 0 || m == last[a] + 1, "%s: revenue restarts or repeats",
                      cell(&rev, r, 0));
        last[a] = m;
        count[a]++;
    }
    int churned = 0;
    for (size_t r = 1; r < tr.nrows; r++) {
        long a = find(aid, na, cell(&tr, r, 0));
        const char *cm = cell(&tr, r, 5);
        churn[a] = *cm ? month_index(cm) : -1;
        int sm = month_index(cell(&acc, (size_t)a + 1, 1));
        /* revenue from the signup month (or the start) without a gap ... */
        ck_assert_int_eq(first[a], sm < 0 ? 0 : sm);
        ck_assert_int_eq(count[a], last[a] - first[a] + 1);
        /* ... to the month before the churn month, or the world's end */
        if (churn[a] >= 0 && churn[a] < 12) {
            ck_assert_int_eq(last[a], churn[a] - 1);
            churned++;
        } else {
            ck_assert_int_eq(last[a], 11);
        }
    }
    ck_assert_int_eq(churned, world_sum.churned);
    ck_assert(churned > 5);
    /* no activity after the last paid month */
    size_t nu = usr.nrows - 1;
    const char **uid = sorted_column(&usr, 0);
    long *u2a = malloc(nu * sizeof *u2a);
    for (size_t r = 1; r < usr.nrows; r++)
        u2a[find(uid, nu, cell(&usr, r, 0))] = find(aid, na, cell(&usr, r, 1));
    for (size_t r = 1; r < ses.nrows; r++) {
        long a = u2a[find(uid, nu, cell(&ses, r, 0))];
        REQUIRE(a >= 0, "line %d", 569);
        REQUIRE(month_index(cell(&ses, r, 1)) <= last[a], "line %d", 570);
    }
    free(uid);
    free(u2a);
    free(first);
    free(last);
    free(count);
    free(churn);
    free(aid);
    csv_free(&acc);
    csv_free(&rev);
    csv_free(&tr);
    csv_free(&ses);
    csv_free(&usr);
}
END_TEST

/* Per account: sessions, minutes, active user-days, core clicks. */
typedef struct usage {
    long sessions, minutes, userdays, core_clicks;
} usage;

static usage *account_usage(const char *dir, size_t *nacc, csvf *tr)
{
    csvf usr, ses, ev, feat;
    csv_load(tr, dir, "truth.csv");
    csv_load(&usr, dir, "users.csv");
    csv_load(&ses, dir, "sessions.csv");
    csv_load(&ev, dir, "feature_events.csv");
    csv_load(&feat, dir, "features.csv");
    size_t na = tr->nrows - 1, nu = usr.nrows - 1;
    const char **aid = sorted_column(tr, 0), **uid = sorted_column(&usr, 0);
    long *u2a = malloc(nu * sizeof *u2a);
    for (size_t r = 1; r < usr.nrows; r++)
        u2a[find(uid, nu, cell(&usr, r, 0))] = find(aid, na, cell(&usr, r, 1));
    usage *u = calloc(na, sizeof *u);
    for (size_t r = 1; r < ses.nrows; r++) {
        long a = u2a[find(uid, nu, cell(&ses, r, 0))];
        u[a].sessions++;
        u[a].minutes += atol(cell(&ses, r, 2));
        if (r == 1 || strcmp(cell(&ses, r - 1, 0), cell(&ses, r, 0)) ||
            strcmp(cell(&ses, r - 1, 1), cell(&ses, r, 1)))
            u[a].userdays++;
    }
    const char **fname = sorted_column(&feat, 0);
    for (size_t r = 1; r < ev.nrows; r++) {
        long j = find(fname, feat.nrows - 1, cell(&ev, r, 2));
        if (strcmp(cell(&feat, (size_t)j + 1, 1), "1") == 0)
            u[u2a[find(uid, nu, cell(&ev, r, 0))]].core_clicks += atol(cell(&ev, r, 3));
    }
    *nacc = na;
    free(aid);
    free(uid);
    free(fname);
    free(u2a);
    csv_free(&usr);
    csv_free(&ses);
    csv_free(&ev);
    csv_free(&feat);
    return u;
}

START_TEST(test_pseudo_active_long_but_shallow)
{
    csvf tr;
    size_t na;
    usage *u = account_usage(world, &na, &tr);
    double min_p = 0, min_r = 0, core_p = 0, core_r = 0;
    long np = 0, nr = 0;
    for (size_t a = 0; a < na; a++) {
        if (!u[a].sessions)
            continue;
        double mins = (double)u[a].minutes / u[a].sessions;
        double core = (double)u[a].core_clicks / u[a].userdays;
        if (strcmp(cell(&tr, a + 1, 1), "pseudo_active") == 0) {
            min_p += mins;
            core_p += core;
            np++;
        } else {
            ck_assert_str_eq(cell(&tr, a + 1, 1), "regular");
            min_r += mins;
            core_r += core;
            nr++;
        }
    }
    ck_assert(np >= 5 && nr > 0);
    ck_assert_int_eq(np, world_sum.pseudo_active);
    /* about 12% of accounts */
    ck_assert(np >= 0.05 * (np + nr) && np <= 0.25 * (np + nr));
    min_p /= np, min_r /= nr, core_p /= np, core_r /= nr;
    ck_assert_msg(min_p > 1.5 * min_r, "minutes/session: pseudo %.1f, regular %.1f", min_p, min_r);
    ck_assert_msg(core_p < 0.5 * core_r, "core clicks/user-day: pseudo %.2f, regular %.2f", core_p,
                  core_r);
    free(u);
    csv_free(&tr);
}
END_TEST

START_TEST(test_low_satisfaction_churns_more)
{
    csvf tr;
    csv_load(&tr, world, "truth.csv");
    size_t n = tr.nrows - 1;
    double *sat = malloc(n * sizeof *sat);
    for (size_t r = 1; r < tr.nrows; r++)
        sat[r - 1] = strtod(cell(&tr, r, 3), NULL);
    /* sorted satisfaction */
    double *s = malloc(n * sizeof *s);
    memcpy(s, sat, n * sizeof *s);
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && s[j - 1] > s[j]; j--) {
            double t = s[j];
            s[j] = s[j - 1];
            s[j - 1] = t;
        }
    /* the least satisfied third against the most satisfied third */
    double t1 = s[n / 3], t2 = s[2 * n / 3];
    long lo = 0, lo_ch = 0, hi = 0, hi_ch = 0;
    for (size_t i = 0; i < n; i++) {
        int ch = cell(&tr, i + 1, 5)[0] != '\0';
        if (sat[i] < t1) {
            lo++;
            lo_ch += ch;
        } else if (sat[i] >= t2) {
            hi++;
            hi_ch += ch;
        }
    }
    double rl = (double)lo_ch / lo, rh = (double)hi_ch / hi;
    ck_assert_msg(rl > 1.3 * rh, "churned: low satisfaction %.3f, high %.3f", rl, rh);
    free(sat);
    free(s);
    csv_free(&tr);
}
END_TEST

/* Recent behaviour carries the signal: accounts whose users were active on
 * fewer days in the three months before a snapshot churn more in the six
 * months after it. */
START_TEST(test_recent_activity_predicts_churn)
{
    char *dir = make_tmpdir();
    generate(dir, 600, 15, 5, 0, NULL);
    csvf tr, usr, ses, rev;
    csv_load(&tr, dir, "truth.csv");
    csv_load(&usr, dir, "users.csv");
    csv_load(&ses, dir, "sessions.csv");
    csv_load(&rev, dir, "revenue.csv");
    size_t na = tr.nrows - 1, nu = usr.nrows - 1;
    const char **aid = sorted_column(&tr, 0), **uid = sorted_column(&usr, 0);
    long *u2a = malloc(nu * sizeof *u2a);
    for (size_t r = 1; r < usr.nrows; r++)
        u2a[find(uid, nu, cell(&usr, r, 0))] = find(aid, na, cell(&usr, r, 1));
    /* snapshot 2024-10-01 (month 9): alive = revenue in month 8 */
    int *alive = calloc(na, sizeof *alive), *after = calloc(na, sizeof *after);
    for (size_t r = 1; r < rev.nrows; r++) {
        long a = find(aid, na, cell(&rev, r, 0));
        int m = month_index(cell(&rev, r, 1));
        alive[a] |= m == 8;
        after[a] |= m == 14; /* still paying six months later */
    }
    double *act = calloc(na, sizeof *act);
    long *users = calloc(na, sizeof *users);
    char *seen = calloc(nu, 1);
    for (size_t r = 1; r < ses.nrows; r++) {
        int m = month_index(cell(&ses, r, 1));
        if (m < 6 || m > 8)
            continue;
        long u = find(uid, nu, cell(&ses, r, 0)), a = u2a[u];
        if (r > 1 && strcmp(cell(&ses, r - 1, 0), cell(&ses, r, 0)) == 0 &&
            strcmp(cell(&ses, r - 1, 1), cell(&ses, r, 1)) == 0)
            continue; /* same user-day */
        act[a] += 1;
        if (!seen[u]) {
            seen[u] = 1;
            users[a]++;
        }
    }
    /* active days per active user, ranked into thirds among alive accounts */
    double *score = malloc(na * sizeof *score);
    size_t n = 0;
    for (size_t a = 0; a < na; a++)
        if (alive[a]) {
            act[a] = users[a] ? act[a] / users[a] : 0;
            score[n++] = act[a];
        }
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && score[j - 1] > score[j]; j--) {
            double t = score[j];
            score[j] = score[j - 1];
            score[j - 1] = t;
        }
    double t1 = score[n / 3], t2 = score[2 * n / 3];
    long lo = 0, lo_ch = 0, hi = 0, hi_ch = 0;
    for (size_t a = 0; a < na; a++) {
        if (!alive[a])
            continue;
        if (act[a] < t1) {
            lo++;
            lo_ch += !after[a];
        } else if (act[a] >= t2) {
            hi++;
            hi_ch += !after[a];
        }
    }
    double rl = (double)lo_ch / lo, rh = (double)hi_ch / hi;
    ck_assert_msg(rl > 1.5 * rh, "6-month churn: least active third %.3f, most active %.3f", rl,
                  rh);
    free(aid);
    free(uid);
    free(u2a);
    free(alive);
    free(after);
    free(act);
    free(users);
    free(seen);
    free(score);
    csv_free(&tr);
    csv_free(&usr);
    csv_free(&ses);
    csv_free(&rev);
    remove_dir(dir);
}
END_TEST

START_TEST(test_parameters_consistent)
{
    const ck_synth_params *p = &ck_synth_default_params;
    double s = 0;
    for (int i = 0; i < CK_SYNTH_NSIZES; i++)
        s += p->size_prob[i];
    ck_assert_double_eq_tol(s, 1.0, 1e-12);
    for (int i = 0; i < CK_SYNTH_NSIZES; i++) {
        s = 0;
        for (int j = 0; j < CK_SYNTH_NTIERS; j++)
            s += p->tier_prob[i][j];
        ck_assert_double_eq_tol(s, 1.0, 1e-12);
    }
    s = 0;
    for (int i = 0; i < CK_SYNTH_NINDUSTRIES; i++)
        s += p->industry_prob[i];
    ck_assert_double_eq_tol(s, 1.0, 1e-12);
    s = 0;
    for (int i = 0; i < CK_SYNTH_NREGIONS; i++)
        s += p->region_prob[i];
    ck_assert_double_eq_tol(s, 1.0, 1e-12);
    for (int j = 1; j < CK_SYNTH_NFEATURES; j++)
        ck_assert(strcmp(ck_synth_feature_name[j - 1], ck_synth_feature_name[j]) < 0);

    /* a world refuses correlations that are not positive definite */
    ck_synth_params bad = *p;
    bad.corr_ds = 0.99;
    bad.corr_df = 0.99;
    bad.corr_sf = -0.99;
    ck_synth_world w;
    ck_error err;
    ck_assert_int_eq(ck_synth_world_init(&w, &bad, 1, 10, 3, ck_date_from_civil(2024, 1, 1),
                                         &err),
                     CK_EDATA);
    ck_assert_int_eq(ck_synth_world_init(&w, p, 1, 10, 3, ck_date_from_civil(2024, 1, 1),
                                         &err),
                     CK_OK);
    ck_assert_int_eq(w.month_start[3], ck_date_from_civil(2024, 4, 1));
    ck_synth_world_fini(&w);
}
END_TEST

static Suite *synth_suite(void)
{
    Suite *s = suite_create("synth");
    TCase *tc = tcase_create("api");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_dates);
    tcase_add_test(tc, test_bad_options_rejected);
    tcase_add_test(tc, test_io_error_names_path);
    tcase_add_test(tc, test_deterministic);
    tcase_add_test(tc, test_spilled_equals_buffered);
    tcase_add_test(tc, test_parameters_consistent);
    tcase_add_test(tc, test_recent_activity_predicts_churn);
    suite_add_tcase(s, tc);

    tc = tcase_create("world");
    tcase_set_timeout(tc, 60);
    tcase_add_unchecked_fixture(tc, world_setup, world_teardown);
    tcase_add_test(tc, test_headers_and_counts);
    tcase_add_test(tc, test_referential_integrity);
    tcase_add_test(tc, test_documented_orders);
    tcase_add_test(tc, test_revenue_ends_at_churn);
    tcase_add_test(tc, test_pseudo_active_long_but_shallow);
    tcase_add_test(tc, test_low_satisfaction_churns_more);
    suite_add_tcase(s, tc);
    gsl_set_error_handler_off();
    return s;
}

CK_TEST_MAIN(synth_suite)
