/* features.c -- raw event files to point-in-time account features and
 * labels (see features.h and docs/features.md). */
#include "churnkit/features.h"
#include "churnkit/csv.h"
#include "churnkit/csvwriter.h"
#include "churnkit/date.h"
#include "churnkit/dict.h"
#include "churnkit/features_trend.h"
#include "churnkit/health.h"
#include "churnkit/num.h"
#include "churnkit/ofile.h"
#include "churnkit/str.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>

enum { HORIZON = 6 };               /* months of revenue kept past the snapshot */
/* Months past M0 whose payment is tracked for the time to churn: ten
 * years; an account still paying after them is censored there. */
enum { FOLLOW = 120 };
#define NO_DAY INT32_MIN

void ck_features_options_init(ck_features_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->lookback_days = 90;
    opt->nps_days = 365;
    opt->high_value_share = 0.2;
    opt->data_end = INT32_MAX;
    opt->groups = CK_FEATURES_DEFAULT;
}

typedef struct account {
    int32_t signup;
    int32_t attr[4];             /* plan, industry, size, region: codes */
    double mrr[HORIZON + 1];     /* months M0 .. M0 + 6 */
    unsigned char paid[HORIZON + 1];
    uint64_t follow[(FOLLOW + 64) / 64]; /* bit k: paid in month M0 + k */
    int32_t last_session;        /* last session day before the snapshot */
    int32_t last_day;            /* last active day seen in the window */
    double active_days, minutes, sessions, core_clicks;
    double users_total, users_active, breadth_sum;
    double nps_sum, nps_n;
} account;

typedef struct user {
    int32_t account;
    int32_t created;
    int active;                  /* a session in the window */
} user;

typedef struct builder {
    const ck_features_options *opt;
    int32_t t, window, nps_window;  /* snapshot, window starts */
    int32_t m0;                     /* the month of the day before the snapshot */
    int32_t last_month;             /* last month in the revenue file */
    int32_t data_start;             /* first session day seen */
    ck_dict *acc_ids, *user_ids, *attr[4], *feat_ids;
    account *acc;
    size_t nacc, accap;
    user *users;
    size_t nusers, ucap;
    unsigned char *is_core;         /* by feature code */
    size_t words;                   /* 64-bit words of a user's feature set */
    uint64_t *fbits;                /* users x words */
    ck_trend *trend;                /* the trend groups, when asked for */
    double cutoff;                  /* revenue_next_6m of the high-value accounts */
    ck_warnings *w;
    ck_error *err;
    unsigned long rows;
} builder;

/* ------------------------------------------------------------------ */
/* reading files: required columns by name, located errors */

typedef struct src {
    ck_csv_reader *r;
    const char *path;
    long col[6];
    ck_csv_row row;
} src;

static ck_status open_src(builder *b, src *s, const char *path, const char *const *names,
                          size_t n)
{
    ck_csv_options o;
    ck_csv_options_init(&o);
    o.background = 1;
    s->path = path;
    ck_status st = ck_csv_open(&s->r, path, &o, b->err);
    if (st != CK_OK)
        return st;
    for (size_t k = 0; k < n; k++) {
        s->col[k] = ck_csv_find(s->r, names[k]);
        if (s->col[k] < 0) {
            char near[300];
            ck_closest_names(names[k], ck_csv_names(s->r), ck_csv_ncols(s->r), near, sizeof near);
            return ck_error_set(b->err, CK_EDATA, "%s: no column '%s' (closest: %s)",
                                ck_csv_source(s->r), names[k], near);
        }
    }
    return CK_OK;
}

static const char *field(const src *s, int k)
{
    return s->row.field[s->col[k]];
}

static size_t field_len(const src *s, int k)
{
    return s->row.len[s->col[k]];
}

static ck_status bad_field(builder *b, const src *s, int k, const char *what)
{
    return ck_error_at(b->err, CK_EDATA, ck_csv_source(s->r), s->row.line,
                       (unsigned long)s->col[k] + 1, "%s '%.40s'", what, field(s, k));
}

static ck_status get_date(builder *b, const src *s, int k, int32_t *day)
{
    if (ck_date_parse(field(s, k), day) != 0)
        return bad_field(b, s, k, "bad date (expected YYYY-MM-DD):");
    return CK_OK;
}

static ck_status get_number(builder *b, const src *s, int k, double *v)
{
    if (ck_num_parse(field(s, k), field_len(s, k), v) != CK_NUM_OK)
        return bad_field(b, s, k, "not a number:");
    return CK_OK;
}

/* Rows of the date-ordered files must not go back in time. */
static ck_status check_order(builder *b, const src *s, int32_t day, int32_t *prev)
{
    if (day < *prev) {
        char a[11], c[11];
        ck_date_format(day, a);
        ck_date_format(*prev, c);
        return ck_error_at(b->err, CK_EDATA, ck_csv_source(s->r), s->row.line,
                           (unsigned long)s->col[1] + 1,
                           "date %s comes after %s: rows must be in date order (sort the file "
                           "by date)", a, c);
    }
    *prev = day;
    return CK_OK;
}

static int next_row(builder *b, src *s)
{
    int rc = ck_csv_next(s->r, &s->row, b->err);
    b->rows += rc == 1;
    if (rc == 1 && b->opt->progress && (b->rows & 0xFFFFF) == 0)
        b->opt->progress(b->opt->progress_ctx, "reading", -1);
    return rc;
}

/* ------------------------------------------------------------------ */
/* accounts and users */

static ck_status read_accounts(builder *b, const char *path)
{
    static const char *names[] = {"account_id", "signup_date", "plan_tier", "industry",
                                  "company_size", "region"};
    src s;
    ck_status st = open_src(b, &s, path, names, 6);
    int rc = 0;
    while (st == CK_OK && (rc = next_row(b, &s)) == 1) {
        if (ck_dict_find(b->acc_ids, field(&s, 0), field_len(&s, 0)) >= 0) {
            st = bad_field(b, &s, 0, "account listed twice:");
            break;
        }
        if (b->nacc == b->accap) {
            size_t cap = b->accap ? 2 * b->accap : 1024;
            account *a = realloc(b->acc, cap * sizeof *a);
            if (!a) {
                st = ck_error_set(b->err, CK_ENOMEM, "out of memory");
                break;
            }
            b->acc = a;
            b->accap = cap;
        }
        account *a = &b->acc[b->nacc];
        memset(a, 0, sizeof *a);
        a->last_session = a->last_day = NO_DAY;
        if ((st = get_date(b, &s, 1, &a->signup)) != CK_OK)
            break;
        for (int k = 0; k < 4; k++)
            a->attr[k] = ck_dict_intern(b->attr[k], field(&s, 2 + k), field_len(&s, 2 + k));
        if (ck_dict_intern(b->acc_ids, field(&s, 0), field_len(&s, 0)) < 0 || a->attr[0] < 0 ||
            a->attr[1] < 0 || a->attr[2] < 0 || a->attr[3] < 0)
            st = ck_error_set(b->err, CK_ENOMEM, "out of memory");
        b->nacc++;
    }
    if (st == CK_OK && rc < 0)
        st = b->err->status;
    ck_csv_close(s.r);
    return st;
}

static ck_status read_users(builder *b, const char *path)
{
    static const char *names[] = {"user_id", "account_id", "created"};
    src s;
    ck_status st = open_src(b, &s, path, names, 3);
    int rc = 0;
    while (st == CK_OK && (rc = next_row(b, &s)) == 1) {
        int32_t a = ck_dict_find(b->acc_ids, field(&s, 1), field_len(&s, 1));
        if (a < 0) {
            st = bad_field(b, &s, 1, "unknown account_id");
            break;
        }
        if (ck_dict_find(b->user_ids, field(&s, 0), field_len(&s, 0)) >= 0) {
            st = bad_field(b, &s, 0, "user listed twice:");
            break;
        }
        if (b->nusers == b->ucap) {
            size_t cap = b->ucap ? 2 * b->ucap : 4096;
            user *u = realloc(b->users, cap * sizeof *u);
            if (!u) {
                st = ck_error_set(b->err, CK_ENOMEM, "out of memory");
                break;
            }
            b->users = u;
            b->ucap = cap;
        }
        user *u = &b->users[b->nusers];
        u->account = a;
        u->active = 0;
        if ((st = get_date(b, &s, 2, &u->created)) != CK_OK)
            break;
        if (ck_dict_intern(b->user_ids, field(&s, 0), field_len(&s, 0)) < 0) {
            st = ck_error_set(b->err, CK_ENOMEM, "out of memory");
            break;
        }
        if (u->created < b->t)
            b->acc[a].users_total++;
        b->nusers++;
    }
    if (st == CK_OK && rc < 0)
        st = b->err->status;
    ck_csv_close(s.r);
    return st;
}

/* Where each key was first seen, to name the earlier line of a repeat. */
typedef struct seen_lines {
    ck_dict *keys;
    unsigned long *line;          /* by key code */
    size_t cap;
} seen_lines;

static void seen_fini(seen_lines *s)
{
    ck_dict_free(s->keys);
    free(s->line);
}

/* 0 when key[0..len) is new (recorded at line), 1 when seen before
 * (*earlier: its line), -1 when out of memory. */
static int seen_before(seen_lines *s, const void *key, size_t len, unsigned long line,
                       unsigned long *earlier)
{
    size_t n = s->keys ? ck_dict_size(s->keys) : 0;
    if (!s->keys && !(s->keys = ck_dict_new()))
        return -1;
    int32_t c = ck_dict_intern(s->keys, key, len);
    if (c < 0)
        return -1;
    if ((size_t)c < n) {
        *earlier = s->line[c];
        return 1;
    }
    if ((size_t)c >= s->cap) {
        size_t ncap = s->cap ? 2 * s->cap : 256;
        unsigned long *l = realloc(s->line, ncap * sizeof *l);
        if (!l)
            return -1;
        s->line = l;
        s->cap = ncap;
    }
    s->line[c] = line;
    return 0;
}

/* A catalogue entry: is_core by feature code.  A feature listed again with
 * the other is_core is an error naming both lines (which one is meant
 * cannot be guessed); listed again alike, it is harmless. */
static ck_status add_feature(builder *b, const src *s, seen_lines *lines, size_t *cap,
                             double core)
{
    unsigned long earlier;
    size_t n = ck_dict_size(b->feat_ids);
    int32_t f = ck_dict_intern(b->feat_ids, field(s, 0), field_len(s, 0));
    if (f < 0)
        return ck_error_set(b->err, CK_ENOMEM, "out of memory reading the catalogue %s", s->path);
    if ((size_t)f >= 1u << 16)
        return ck_error_set(b->err, CK_EDATA, "%s: too many features", s->path);
    if ((size_t)f < n) {
        if (b->is_core[f] != (core != 0) &&
            seen_before(lines, &f, sizeof f, s->row.line, &earlier) == 1)
            return ck_error_at(b->err, CK_EDATA, ck_csv_source(s->r), s->row.line,
                               (unsigned long)s->col[1] + 1,
                               "feature '%.200s' is listed again with another is_core (line "
                               "%lu says %d)", field(s, 0), earlier, b->is_core[f]);
        return CK_OK;
    }
    if (seen_before(lines, &f, sizeof f, s->row.line, &earlier) < 0)
        return ck_error_set(b->err, CK_ENOMEM, "out of memory reading the catalogue %s", s->path);
    if ((size_t)f >= *cap) {
        size_t ncap = *cap ? 2 * *cap : 64;
        unsigned char *c = realloc(b->is_core, ncap);
        if (!c)
            return ck_error_set(b->err, CK_ENOMEM, "out of memory reading the catalogue %s",
                                s->path);
        memset(c + *cap, 0, ncap - *cap);
        b->is_core = c;
        *cap = ncap;
    }
    b->is_core[f] = core != 0;
    return CK_OK;
}

static ck_status read_catalogue(builder *b, const char *path)
{
    static const char *names[] = {"feature", "is_core"};
    src s;
    seen_lines lines = {0};
    ck_status st = open_src(b, &s, path, names, 2);
    size_t cap = 0;
    int rc = 0;
    while (st == CK_OK && (rc = next_row(b, &s)) == 1) {
        double core;
        if ((st = get_number(b, &s, 1, &core)) != CK_OK ||
            (st = add_feature(b, &s, &lines, &cap, core)) != CK_OK)
            break;
    }
    if (st == CK_OK && rc < 0)
        st = b->err->status;
    seen_fini(&lines);
    ck_csv_close(s.r);
    b->words = (ck_dict_size(b->feat_ids) + 63) / 64;
    return st;
}

/* ------------------------------------------------------------------ */
/* revenue */

/* One revenue row per account and month: a second one would silently
 * replace the first (which is meant cannot be guessed), so it is an error
 * naming both lines. */
static ck_status once_a_month(builder *b, const src *s, seen_lines *seen, int32_t a,
                              int32_t month)
{
    int32_t key[2] = {a, month};
    unsigned long earlier;
    int rc = seen_before(seen, key, sizeof key, s->row.line, &earlier);
    if (rc < 0)
        return ck_error_set(b->err, CK_ENOMEM, "out of memory reading the revenue file %s",
                            s->path);
    if (rc > 0)
        return ck_error_at(b->err, CK_EDATA, ck_csv_source(s->r), s->row.line,
                           (unsigned long)s->col[1] + 1,
                           "a second revenue row for account '%.200s' in month %.20s (the first "
                           "is on line %lu)", field(s, 0), field(s, 1), earlier);
    return CK_OK;
}

static ck_status read_revenue(builder *b, const char *path)
{
    static const char *names[] = {"account_id", "month", "mrr"};
    src s;
    seen_lines seen = {0};
    ck_status st = open_src(b, &s, path, names, 3);
    int rc = 0;
    b->last_month = INT32_MIN;
    while (st == CK_OK && (rc = next_row(b, &s)) == 1) {
        int32_t a = ck_dict_find(b->acc_ids, field(&s, 0), field_len(&s, 0)), month;
        double mrr;
        if (a < 0) {
            st = bad_field(b, &s, 0, "unknown account_id");
            break;
        }
        if (ck_date_parse_month(field(&s, 1), &month) != 0) {
            st = bad_field(b, &s, 1, "bad month (expected YYYY-MM):");
            break;
        }
        if ((st = get_number(b, &s, 2, &mrr)) != CK_OK ||
            (st = once_a_month(b, &s, &seen, a, month)) != CK_OK)
            break;
        if (month > b->opt->data_end) /* checked, then ignored: past the data's end */
            continue;
        if (b->trend)
            ck_trend_revenue(b->trend, (size_t)a, month, mrr);
        b->last_month = month > b->last_month ? month : b->last_month;
        int32_t r = month - b->m0;
        if (r >= 0 && r <= HORIZON) {
            b->acc[a].mrr[r] = mrr;
            b->acc[a].paid[r] = 1;
        }
        if (r >= 1 && r <= FOLLOW)
            b->acc[a].follow[r / 64] |= (uint64_t)1 << (r % 64);
    }
    if (st == CK_OK && rc < 0)
        st = b->err->status;
    seen_fini(&seen);
    ck_csv_close(s.r);
    return st;
}

/* ------------------------------------------------------------------ */
/* the date-ordered files, read up to the snapshot */

/* The user of field k (error when unknown). */
static ck_status get_user(builder *b, const src *s, int k, int32_t *u)
{
    *u = ck_dict_find(b->user_ids, field(s, k), field_len(s, k));
    return *u < 0 ? bad_field(b, s, k, "unknown user_id") : CK_OK;
}

static ck_status read_sessions(builder *b, const char *path)
{
    static const char *names[] = {"user_id", "date", "minutes"};
    src s;
    ck_status st = open_src(b, &s, path, names, 3);
    int32_t prev = INT32_MIN, day, u;
    /* the future is not read, but for the trend labels' months */
    int32_t end = b->trend ? ck_trend_sessions_end(b->trend) : b->t;
    int rc = 0;
    b->data_start = NO_DAY;
    while (st == CK_OK && (rc = next_row(b, &s)) == 1) {
        double minutes;
        if ((st = get_date(b, &s, 1, &day)) != CK_OK || (st = check_order(b, &s, day, &prev)) != CK_OK)
            break;
        if (day >= end)
            break;
        if ((st = get_user(b, &s, 0, &u)) != CK_OK || (st = get_number(b, &s, 2, &minutes)) != CK_OK)
            break;
        if (b->trend)
            ck_trend_session(b->trend, (size_t)u, day, minutes);
        if (day >= b->t)
            continue; /* a label's row: no feature sees it */
        if (b->data_start == NO_DAY)
            b->data_start = day;
        account *a = &b->acc[b->users[u].account];
        a->last_session = day;
        if (day < b->window)
            continue;
        a->minutes += minutes;
        a->sessions++;
        if (a->last_day != day) { /* rows come by date: a new day for this account */
            a->active_days++;
            a->last_day = day;
        }
        if (!b->users[u].active) {
            b->users[u].active = 1;
            a->users_active++;
        }
    }
    if (st == CK_OK && rc < 0)
        st = b->err->status;
    ck_csv_close(s.r);
    return st;
}

static ck_status read_events(builder *b, const char *path)
{
    static const char *names[] = {"user_id", "date", "feature", "clicks"};
    src s;
    ck_status st = open_src(b, &s, path, names, 4);
    int32_t prev = INT32_MIN, day, u;
    int rc = 0;
    b->fbits = calloc((b->nusers ? b->nusers : 1) * (b->words ? b->words : 1), sizeof *b->fbits);
    if (st == CK_OK && !b->fbits)
        st = ck_error_set(b->err, CK_ENOMEM, "out of memory");
    while (st == CK_OK && (rc = next_row(b, &s)) == 1) {
        double clicks;
        if ((st = get_date(b, &s, 1, &day)) != CK_OK || (st = check_order(b, &s, day, &prev)) != CK_OK)
            break;
        if (day >= b->t)
            break;
        /* every row before the snapshot is checked, in the window or not */
        if ((st = get_user(b, &s, 0, &u)) != CK_OK || (st = get_number(b, &s, 3, &clicks)) != CK_OK)
            break;
        int32_t f = ck_dict_find(b->feat_ids, field(&s, 2), field_len(&s, 2));
        if (f < 0) {
            st = bad_field(b, &s, 2, "feature not in the catalogue:");
            break;
        }
        if (b->trend)
            ck_trend_event(b->trend, (size_t)u, day, f, b->is_core[f], clicks);
        if (day < b->window)
            continue;
        b->fbits[(size_t)u * b->words + (size_t)f / 64] |= UINT64_C(1) << (f % 64);
        if (b->is_core[f])
            b->acc[b->users[u].account].core_clicks += clicks;
    }
    if (st == CK_OK && rc < 0)
        st = b->err->status;
    ck_csv_close(s.r);
    return st;
}

static ck_status read_nps(builder *b, const char *path)
{
    static const char *names[] = {"user_id", "date", "score"};
    src s;
    ck_status st = open_src(b, &s, path, names, 3);
    int32_t prev = INT32_MIN, day, u;
    /* the trend takes every answer before T, and the labels' later ones */
    int32_t end = b->trend ? ck_trend_nps_end(b->trend) : b->t;
    int rc = 0;
    while (st == CK_OK && (rc = next_row(b, &s)) == 1) {
        double score;
        if ((st = get_date(b, &s, 1, &day)) != CK_OK || (st = check_order(b, &s, day, &prev)) != CK_OK)
            break;
        if (day >= end)
            break;
        if (day < b->nps_window && !b->trend)
            continue;
        if ((st = get_user(b, &s, 0, &u)) != CK_OK || (st = get_number(b, &s, 2, &score)) != CK_OK)
            break;
        if (score < 0 || score > 10) {
            st = bad_field(b, &s, 2, "NPS score outside 0..10:");
            break;
        }
        if (b->trend)
            ck_trend_nps(b->trend, (size_t)b->users[u].account, day, score);
        if (day < b->nps_window || day >= b->t)
            continue;
        account *a = &b->acc[b->users[u].account];
        a->nps_sum += score;
        a->nps_n++;
    }
    if (st == CK_OK && rc < 0)
        st = b->err->status;
    ck_csv_close(s.r);
    return st;
}

/* ------------------------------------------------------------------ */
/* derived features and output */

typedef struct row {
    size_t acc;
    double recency, share, daily_minutes, core_per_user, breadth, nps_avg, health;
    double r, f, m;
    double future6;       /* revenue over the next six months, NaN when unknown */
} row;

static int active_at_snapshot(const builder *b, const account *a)
{
    return a->signup < b->t && a->paid[0];
}

static void derive(const builder *b, row *r)
{
    const account *a = &b->acc[r->acc];
    int32_t since = a->signup;
    if (b->data_start != NO_DAY && b->data_start > since)
        since = b->data_start;
    /* never seen active: inactive for as long as the data can tell */
    r->recency = (double)(b->t - (a->last_session != NO_DAY ? a->last_session : since));
    int32_t from = b->window > since ? b->window : since;
    r->share = b->t > from ? a->active_days / (double)(b->t - from) : NAN;
    r->daily_minutes = a->active_days > 0 ? a->minutes / a->active_days : 0;
    r->core_per_user = a->users_active > 0 ? a->core_clicks / a->users_active : 0;
    r->breadth = a->users_active > 0 ? a->breadth_sum / a->users_active : 0;
    r->nps_avg = a->nps_n > 0 ? a->nps_sum / a->nps_n : NAN;
    ck_health_input hi = {r->recency, r->share, a->users_active, a->users_total, r->nps_avg,
                          a->mrr[0], ck_dict_str(b->attr[2], a->attr[2])};
    r->health = ck_health_score(&hi);
    int known = b->last_month - b->m0 >= HORIZON;
    r->future6 = 0;
    for (int k = 1; k <= HORIZON; k++)
        r->future6 += a->paid[k] ? a->mrr[k] : 0;
    if (!known)
        r->future6 = NAN;
}

/* Distinct features per active user: summed from the users' feature sets. */
static void add_breadth(builder *b)
{
    for (size_t u = 0; u < b->nusers; u++) {
        if (!b->users[u].active)
            continue;
        int n = 0;
        for (size_t k = 0; k < b->words; k++)
            n += __builtin_popcountll(b->fbits[u * b->words + k]);
        b->acc[b->users[u].account].breadth_sum += n;
    }
}

static ck_status rfm(row *rows, size_t n, const builder *b, ck_error *err)
{
    double *v = malloc((n ? n : 1) * sizeof *v), *s = malloc((n ? n : 1) * sizeof *s);
    int rc = v && s ? 0 : -1;
    for (int which = 0; which < 3 && rc == 0; which++) {
        for (size_t i = 0; i < n; i++) {
            const account *a = &b->acc[rows[i].acc];
            v[i] = which == 0 ? rows[i].recency : which == 1 ? a->sessions : a->mrr[0];
        }
        rc = ck_quintile_scores(v, n, which == 0, s);
        for (size_t i = 0; i < n && rc == 0; i++)
            *(which == 0 ? &rows[i].r : which == 1 ? &rows[i].f : &rows[i].m) = s[i];
    }
    free(v);
    free(s);
    return rc == 0 ? CK_OK : ck_error_set(err, CK_ENOMEM, "out of memory");
}

static int cmp_desc(const void *x, const void *y)
{
    double a = *(const double *)x, c = *(const double *)y;
    return (a < c) - (a > c);
}

/* The revenue that puts an account in the top share (NaN when unknown). */
static double high_value_cutoff(const row *rows, size_t n, double share)
{
    if (n == 0 || isnan(rows[0].future6))
        return NAN;
    double *v = malloc(n * sizeof *v);
    if (!v)
        return NAN;
    for (size_t i = 0; i < n; i++)
        v[i] = rows[i].future6;
    qsort(v, n, sizeof *v, cmp_desc);
    size_t k = (size_t)ceil(share * (double)n);
    double cut = v[k ? k - 1 : 0];
    free(v);
    return cut;
}

/* The time to churn: the months from M0 to the first month M0 + k without
 * revenue (the churn is observed: *event 1), or, when the account pays
 * through the last month of the revenue data (at most FOLLOW months on),
 * those months (censored: *event 0).  0 months: no month past M0 in the
 * data, nothing known. */
static int churn_months(const builder *b, const account *a, int *event)
{
    int seen = b->last_month == INT32_MIN ? 0 : (int)(b->last_month - b->m0);
    if (seen > FOLLOW)
        seen = FOLLOW;
    for (int k = 1; k <= seen; k++)
        if (!(a->follow[k / 64] >> (k % 64) & 1)) {
            *event = 1;
            return k;
        }
    *event = 0;
    return seen;
}

/* A label for horizon h months: written when the revenue data reaches. */
static void write_label(ck_csv_writer *w, const builder *b, int h, double v, int decimals)
{
    if (b->last_month - b->m0 >= h)
        ck_csv_write_fixed(w, v, decimals);
    else
        ck_csv_write_empty(w);
}

/* ------------------------------------------------------------------ */
/* the column groups: names and writers, in the table's column order */

static void write_attributes(ck_csv_writer *w, const builder *b, const row *r)
{
    const account *a = &b->acc[r->acc];
    for (int k = 0; k < 4; k++)
        ck_csv_write_cstr(w, ck_dict_str(b->attr[k], a->attr[k]));
    ck_csv_write_long(w, (long)(b->t - a->signup));
    ck_csv_write_fixed(w, a->mrr[0], 2);
}

static void write_engagement(ck_csv_writer *w, const builder *b, const row *r)
{
    (void)b;
    ck_csv_write_fixed(w, r->recency, 0);
    ck_csv_write_fixed(w, r->share, 6);
    ck_csv_write_fixed(w, r->daily_minutes, 4);
}

static void write_scale(ck_csv_writer *w, const builder *b, const row *r)
{
    const account *a = &b->acc[r->acc];
    ck_csv_write_fixed(w, a->users_active, 0);
    ck_csv_write_fixed(w, a->users_total, 0);
    ck_csv_write_fixed(w, r->nps_avg, 4);
    ck_csv_write_fixed(w, a->nps_n, 0);
}

static void write_depth(ck_csv_writer *w, const builder *b, const row *r)
{
    ck_csv_write_fixed(w, b->acc[r->acc].core_clicks, 0);
    ck_csv_write_fixed(w, r->core_per_user, 4);
    ck_csv_write_fixed(w, r->breadth, 4);
}

static void write_legacy(ck_csv_writer *w, const builder *b, const row *r)
{
    ck_csv_write_fixed(w, b->acc[r->acc].minutes, 0);
    ck_csv_write_fixed(w, b->acc[r->acc].sessions, 0);
}

static void write_scores(ck_csv_writer *w, const builder *b, const row *r)
{
    (void)b;
    ck_csv_write_fixed(w, r->health, 2);
    ck_csv_write_fixed(w, r->r, 0);
    ck_csv_write_fixed(w, r->f, 0);
    ck_csv_write_fixed(w, r->m, 0);
}

static void write_trend(ck_csv_writer *w, const builder *b, const row *r)
{
    ck_trend_write_features(b->trend, r->acc, b->acc[r->acc].signup, w);
}

static void write_labels(ck_csv_writer *w, const builder *b, const row *r)
{
    const account *a = &b->acc[r->acc];
    for (int h = 3; h <= 6; h += 3)
        write_label(w, b, h, !a->paid[h], 0);
    for (int h = 3; h <= 6; h += 3)
        write_label(w, b, h, (a->paid[h] ? a->mrr[h] : 0) - a->mrr[0], 2);
    write_label(w, b, HORIZON, r->future6, 2);
    write_label(w, b, HORIZON, r->future6 >= b->cutoff, 0);
    int event, months = churn_months(b, a, &event);
    if (months > 0) { /* every account, however short its known future */
        ck_csv_write_long(w, months);
        ck_csv_write_long(w, event);
    } else {
        ck_csv_write_empty(w);
        ck_csv_write_empty(w);
    }
}

static void write_trend_labels(ck_csv_writer *w, const builder *b, const row *r)
{
    int months = b->last_month == INT32_MIN ? 0 : (int)(b->last_month - b->m0);
    ck_trend_write_labels(b->trend, r->acc, b->acc[r->acc].signup, months, w);
}

static const char *const cols_attributes[] = {"plan_tier", "industry", "company_size", "region",
                                              "tenure_days", "mrr"};
static const char *const cols_engagement[] = {"recency_days", "active_day_share",
                                              "daily_minutes"};
static const char *const cols_scale[] = {"users_active", "users_total", "nps_avg",
                                         "nps_responses"};
static const char *const cols_depth[] = {"core_clicks", "core_clicks_per_user", "feature_breadth"};
static const char *const cols_legacy[] = {"total_minutes", "sessions"};
static const char *const cols_scores[] = {"health_score", "r_score", "f_score", "m_score"};
static const char *const cols_labels[] = {"churned_3m", "churned_6m", "value_change_3m",
                                          "value_change_6m", "revenue_next_6m", "high_value",
                                          "churn_months", "churn_event"};

int ck_features_is_label(const char *name)
{
    for (size_t k = 0; k < sizeof cols_labels / sizeof *cols_labels; k++)
        if (strcmp(name, cols_labels[k]) == 0)
            return 1;
    for (size_t k = 0; k < CK_TREND_NLABELS; k++)
        if (strcmp(name, ck_trend_label_names[k]) == 0)
            return 1;
    return 0;
}

#define COLS(a) a, sizeof a / sizeof *a
static const struct group {
    const char *name;
    unsigned flag;
    const char *const *cols;
    size_t ncols;
    void (*write)(ck_csv_writer *w, const builder *b, const row *r);
} groups[] = {
    {"attributes", CK_FEATURES_ATTRIBUTES, COLS(cols_attributes), write_attributes},
    {"engagement", CK_FEATURES_ENGAGEMENT, COLS(cols_engagement), write_engagement},
    {"scale", CK_FEATURES_SCALE, COLS(cols_scale), write_scale},
    {"depth", CK_FEATURES_DEPTH, COLS(cols_depth), write_depth},
    {"legacy", CK_FEATURES_LEGACY, COLS(cols_legacy), write_legacy},
    {"scores", CK_FEATURES_SCORES, COLS(cols_scores), write_scores},
    {"trend", CK_FEATURES_TREND, ck_trend_feature_names, CK_TREND_NFEATURES, write_trend},
    {"labels", CK_FEATURES_LABELS, COLS(cols_labels), write_labels},
    {"trend_labels", CK_FEATURES_TREND_LABELS, ck_trend_label_names, CK_TREND_NLABELS,
     write_trend_labels}};
#undef COLS
enum { NGROUPS = sizeof groups / sizeof *groups };

const char *ck_features_group_name(unsigned flag)
{
    for (size_t g = 0; g < NGROUPS; g++)
        if (groups[g].flag == flag)
            return groups[g].name;
    return NULL;
}

/* One group name (or "all", "default") of a --groups list; a '+' before it
 * adds the default groups. */
static ck_status parse_group(const char *name, unsigned *bits, ck_error *err)
{
    const char *names[NGROUPS + 2];
    if (name[0] == '+') {
        *bits |= CK_FEATURES_DEFAULT;
        name++;
    }
    for (size_t g = 0; g < NGROUPS; g++) {
        names[g] = groups[g].name;
        if (strcmp(name, groups[g].name) == 0) {
            *bits |= groups[g].flag;
            return CK_OK;
        }
    }
    names[NGROUPS] = "all";
    names[NGROUPS + 1] = "default";
    if (strcmp(name, "all") == 0 || strcmp(name, "default") == 0) {
        *bits |= name[0] == 'a' ? CK_FEATURES_ALL : CK_FEATURES_DEFAULT;
        return CK_OK;
    }
    char near[300];
    ck_closest_names(name, names, NGROUPS + 2, near, sizeof near);
    return ck_error_set(err, CK_EUSAGE, "--groups: no group '%s' (closest: %s)", name, near);
}

ck_status ck_features_parse_groups(const char *list, unsigned *groups_out, ck_error *err)
{
    unsigned bits = 0;
    size_t n = 0;
    /* every item must name a group: "a,,b", a trailing comma or a lone '+'
     * are errors (ck_split_list would drop empty items silently) */
    if (!list || !*list || list[0] == ',' || list[strlen(list) - 1] == ',' ||
        list[strlen(list) - 1] == '+' || strstr(list, ",,") || strstr(list, "+,") ||
        strstr(list, "++"))
        return ck_error_set(err, CK_EUSAGE, "--groups: an empty group name in '%s'",
                            list ? list : "");
    char **v = ck_split_list(list, &n);
    if (!v)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    ck_status st = CK_OK;
    for (size_t i = 0; i < n && st == CK_OK; i++)
        st = parse_group(v[i], &bits, err);
    ck_strv_free(v);
    if (st == CK_OK)
        *groups_out = bits;
    return st;
}

static void write_header(ck_csv_writer *w, unsigned bits)
{
    ck_csv_write_cstr(w, "account_id");
    for (size_t g = 0; g < NGROUPS; g++)
        for (size_t k = 0; (bits & groups[g].flag) && k < groups[g].ncols; k++)
            ck_csv_write_cstr(w, groups[g].cols[k]);
    ck_csv_end_row(w);
}

static void write_row(ck_csv_writer *w, const builder *b, const row *r)
{
    ck_csv_write_cstr(w, ck_dict_str(b->acc_ids, (int32_t)r->acc));
    for (size_t g = 0; g < NGROUPS; g++)
        if (b->opt->groups & groups[g].flag)
            groups[g].write(w, b, r);
    ck_csv_end_row(w);
}

static ck_status write_table(builder *b, const char *out, ck_features_summary *sum)
{
    row *rows = calloc(b->nacc ? b->nacc : 1, sizeof *rows);
    size_t n = 0;
    ck_status st = CK_OK;
    if (!rows)
        return ck_error_set(b->err, CK_ENOMEM, "out of memory");
    add_breadth(b);
    for (size_t i = 0; i < b->nacc; i++) {
        const account *a = &b->acc[i];
        if (a->signup < b->t && !a->paid[0])
            sum->churned_before++;
        if (!active_at_snapshot(b, a))
            continue;
        rows[n].acc = i;
        derive(b, &rows[n++]);
    }
    if (n == 0) {
        char d[11];
        ck_date_format(b->t, d);
        free(rows);
        return ck_error_set(b->err, CK_EDATA, "no account is paying at the snapshot %s (is it "
                                              "inside the revenue data?)", d);
    }
    b->cutoff = high_value_cutoff(rows, n, b->opt->high_value_share);
    if (b->trend)
        ck_trend_finish(b->trend);
    ck_ofile *f = NULL;
    ck_csv_writer *w = NULL;
    if ((st = rfm(rows, n, b, b->err)) != CK_OK || (st = ck_ofile_open(&f, out, b->err)) != CK_OK)
        goto done;
    if (!(w = ck_csv_writer_new(ck_ofile_stream(f), ','))) {
        st = ck_error_set(b->err, CK_ENOMEM, "out of memory");
        goto done;
    }
    write_header(w, b->opt->groups);
    for (size_t i = 0; i < n; i++)
        write_row(w, b, &rows[i]);
    if (ck_csv_writer_flush(w) != 0) {
        st = ck_error_set(b->err, CK_EIO, "%s: write error: %s", out, strerror(errno));
        goto done;
    }
    st = ck_ofile_commit(f, b->err);
    f = NULL;
    sum->accounts_written = n;
done:
    ck_csv_writer_free(w);
    ck_ofile_abort(f);
    free(rows);
    return st;
}

/* ------------------------------------------------------------------ */

static void builder_free(builder *b)
{
    ck_dict_free(b->acc_ids);
    ck_dict_free(b->user_ids);
    ck_dict_free(b->feat_ids);
    for (int k = 0; k < 4; k++)
        ck_dict_free(b->attr[k]);
    free(b->acc);
    free(b->users);
    free(b->is_core);
    free(b->fbits);
    ck_trend_free(b->trend);
}

static ck_status check_options(const ck_features_options *opt, ck_error *err)
{
    if (opt->lookback_days < 1 || opt->lookback_days > 3660)
        return ck_error_set(err, CK_EUSAGE, "--lookback-days must be 1..3660");
    if (opt->nps_days < 1 || opt->nps_days > 3660)
        return ck_error_set(err, CK_EUSAGE, "--nps-days must be 1..3660");
    if (opt->groups == 0 || (opt->groups & ~(unsigned)CK_FEATURES_ALL))
        return ck_error_set(err, CK_EUSAGE, "--groups: no column group chosen");
    if (!(opt->high_value_share > 0 && opt->high_value_share < 1))
        return ck_error_set(err, CK_EUSAGE, "--high-value-share must lie in (0, 1)");
    if (opt->data_end < ck_date_month_of(opt->snapshot - 1)) {
        char d[11];
        ck_date_format(opt->snapshot, d);
        return ck_error_set(err, CK_EUSAGE, "--data-end is before the snapshot's month M0 (the "
                                            "month before %s): nothing to label", d);
    }
    return CK_OK;
}

/* The trend accumulators, when a trend group is asked for: they learn every
 * user's account before the rows come. */
static ck_status start_trend(builder *b)
{
    unsigned g = b->opt->groups;
    if (!(g & (CK_FEATURES_TREND | CK_FEATURES_TREND_LABELS)))
        return CK_OK;
    ck_trend_setup s = {b->t, b->nacc, b->nusers, ck_dict_size(b->feat_ids),
                        (g & CK_FEATURES_TREND) != 0, (g & CK_FEATURES_TREND_LABELS) != 0};
    if (!(b->trend = ck_trend_new(&s)))
        return ck_error_set(b->err, CK_ENOMEM, "out of memory");
    for (size_t u = 0; u < b->nusers; u++)
        ck_trend_user(b->trend, u, (size_t)b->users[u].account, b->users[u].created);
    return CK_OK;
}

static void warn_censored(builder *b)
{
    if (b->data_start != NO_DAY && b->data_start > b->window) {
        char d[11];
        ck_date_format(b->data_start, d);
        ck_warn(b->w, "the sessions start on %s, inside the %d-day window: usage features are "
                      "censored (choose a later snapshot)", d, b->opt->lookback_days);
    }
}

ck_status ck_features_build(const ck_features_inputs *in, const ck_features_options *opt,
                            const char *out, ck_features_summary *summary, ck_warnings *w,
                            ck_error *err)
{
    builder b;
    ck_features_summary sum = {0};
    ck_status st = check_options(opt, err);
    if (st != CK_OK)
        return st;
    memset(&b, 0, sizeof b);
    b.opt = opt;
    b.w = w;
    b.err = err;
    b.t = opt->snapshot;
    b.window = b.t - opt->lookback_days;
    b.nps_window = b.t - opt->nps_days;
    b.m0 = ck_date_month_of(b.t - 1);
    b.acc_ids = ck_dict_new();
    b.user_ids = ck_dict_new();
    b.feat_ids = ck_dict_new();
    for (int k = 0; k < 4; k++)
        b.attr[k] = ck_dict_new();
    if (!b.acc_ids || !b.user_ids || !b.feat_ids || !b.attr[0] || !b.attr[1] || !b.attr[2] ||
        !b.attr[3]) {
        builder_free(&b);
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    }
    if ((st = read_accounts(&b, in->accounts)) == CK_OK && (st = read_users(&b, in->users)) == CK_OK &&
        (st = read_catalogue(&b, in->catalogue)) == CK_OK && (st = start_trend(&b)) == CK_OK &&
        (st = read_revenue(&b, in->revenue)) == CK_OK &&
        (st = read_sessions(&b, in->sessions)) == CK_OK &&
        (st = read_events(&b, in->events)) == CK_OK && (st = read_nps(&b, in->nps)) == CK_OK) {
        warn_censored(&b);
        st = write_table(&b, out, &sum);
    }
    sum.accounts_seen = b.nacc;
    sum.label_months = b.last_month == INT32_MIN ? 0 : (int)(b.last_month - b.m0);
    sum.rows_read = b.rows;
    if (summary)
        *summary = sum;
    builder_free(&b);
    return st;
}
