/* synth.c -- writing the synthetic world (see synth.h): options, the output
 * directory and files, row formatting, worker threads and the month loop.
 * The model is in synth_model.c, dates in date.c, the per-day row
 * buffers in synth_spill.c. */
#include "churnkit/synth.h"
#include "churnkit/synth_model.h"
#include "churnkit/synth_spill.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "churnkit/num.h"
#include "churnkit/ofile.h"

/* Writes v in `width` decimal digits, zero-padded, at q. */
static void put_digits(char *q, unsigned long v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        q[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* Writes v in decimal at q; returns the length. */
static size_t put_ulong(char *q, unsigned long v)
{
    char t[24];
    size_t n = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        q[i] = t[n - 1 - i];
    return n;
}

/* -------------------------------------------------------------- options */

void ck_synth_options_init(ck_synth_options *opt)
{
    opt->accounts = 1000;
    opt->months = 24;
    opt->seed = 1;
    opt->start = "2024-01-01";
    opt->truth = 1;
    opt->threads = 0;
    opt->buffer_bytes = 65536;
}

static ck_status check_options(const ck_synth_options *o, const char *dir, int32_t *start,
                               ck_error *err)
{
    if (o->accounts < 1 || o->accounts > CK_SYNTH_MAX_ACCOUNTS)
        return ck_error_set(err, CK_EUSAGE, "number of accounts must be 1..%ld, not %ld",
                            CK_SYNTH_MAX_ACCOUNTS, o->accounts);
    if (o->months < 1 || o->months > CK_SYNTH_MAX_MONTHS)
        return ck_error_set(err, CK_EUSAGE, "number of months must be 1..%d, not %d",
                            CK_SYNTH_MAX_MONTHS, o->months);
    if (o->threads < 0)
        return ck_error_set(err, CK_EUSAGE, "number of threads must be 0 or more, not %d",
                            o->threads);
    if (o->buffer_bytes < 4096 || o->buffer_bytes > (1L << 30))
        return ck_error_set(err, CK_EUSAGE, "buffer size must be 4096..%ld bytes, not %ld",
                            1L << 30, o->buffer_bytes);
    int y, m, d;
    if (!o->start || ck_date_parse(o->start, start) != 0)
        return ck_error_set(err, CK_EUSAGE, "start date '%s' is not a date YYYY-MM-DD",
                            o->start ? o->start : "(null)");
    ck_date_to_civil(*start, &y, &m, &d);
    if (d != 1)
        return ck_error_set(err, CK_EUSAGE,
                            "start date '%s' must be the first day of a month", o->start);
    if (y < 1900 || y > 9000)
        return ck_error_set(err, CK_EUSAGE, "start date '%s' must lie in the years 1900..9000",
                            o->start);
    if (!dir || !*dir)
        return ck_error_set(err, CK_EUSAGE, "no output directory given");
    return CK_OK;
}

/* mkdir -p */
static ck_status make_dir(const char *dir, ck_error *err)
{
    struct stat st;
    size_t n = strlen(dir);
    char *p = malloc(n + 1);
    if (!p)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    memcpy(p, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        char c = p[i];
        p[i] = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            int e = errno;
            ck_status st2 = ck_error_set(err, CK_EIO, "%s: cannot create directory: %s", p,
                                         strerror(e));
            free(p);
            return st2;
        }
        p[i] = c;
    }
    free(p);
    if (stat(dir, &st) != 0)
        return ck_error_set(err, CK_EIO, "%s: cannot create directory: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return ck_error_set(err, CK_EIO, "%s: not a directory", dir);
    return CK_OK;
}

#define COPY_BUF (64 * 1024)
#define MAX_THREADS 16

/* -------------------------------------------------------------- workers */

enum { OUT_ACCOUNTS, OUT_USERS, OUT_SESSIONS, OUT_EVENTS, OUT_FEATURES, OUT_NPS, OUT_REVENUE,
       OUT_TRUTH, NOUT };
static const char *const out_name[NOUT] = {"accounts.csv", "users.csv", "sessions.csv",
                                           "feature_events.csv", "features.csv", "nps.csv",
                                           "revenue.csv", "truth.csv"};
static const char *const out_header[NOUT] = {
    "account_id,signup_date,plan_tier,industry,company_size,region\n",
    "user_id,account_id,created\n",
    "user_id,date,minutes\n",
    "user_id,date,feature,clicks\n",
    "feature,is_core\n",
    "user_id,date,score\n",
    "account_id,month,mrr\n",
    "account_id,segment,depth,satisfaction,fit,churn_month\n"};

/* The spilled kinds, in the order they are written. */
enum { SP_USERS, SP_SESSIONS, SP_EVENTS, SP_NPS, SP_REVENUE, NSP };
static const int sp_out[NSP] = {OUT_USERS, OUT_SESSIONS, OUT_EVENTS, OUT_NPS, OUT_REVENUE};

typedef struct run run;

typedef struct worker {
    run *g;
    gsl_rng *r;
    ck_synth_scratch *scratch;
    ck_synth_spill sp[NSP];
    long k0, k1;
    /* current account */
    char uid[32];       /* "U" digits "-" then 4 seat digits */
    size_t uid_prefix;  /* length up to the seat digits */
    char aid[24];
    size_t aid_len;
    /* counts */
    long n_users, n_sessions, n_events, n_nps, n_revenue, n_churned, n_at_risk;
} worker;

struct run {
    ck_synth_world world;
    ck_synth_account *acct;
    int width;            /* digits of account numbers */
    int m;                /* month being simulated */
    int32_t ms;           /* its first day */
    char dates[CK_SYNTH_SPILL_BUCKETS][10];
    char month_str[8];    /* "YYYY-MM" */
    const char *dir;
    size_t nworkers;
    worker *w;
    ck_ofile *out[NOUT];  /* open outputs (NULL: not written or done) */
    char *path[NOUT];
    char *tmp;            /* COPY_BUF bytes for draining spills */
};

static size_t format_id(char *q, char prefix, long number, int width)
{
    q[0] = prefix;
    put_digits(q + 1, (unsigned long)number, width);
    return (size_t)width + 1;
}

/* The user id of seat s of the current account, written at q. */
static size_t put_uid(worker *w, char *q, int seat)
{
    memcpy(q, w->uid, w->uid_prefix);
    put_digits(q + w->uid_prefix, (unsigned long)seat, 4);
    return w->uid_prefix + 4;
}

static void sink_user(void *ctx, int seat, int32_t day)
{
    worker *w = ctx;
    int b = (int)(day - w->g->ms);
    char *q = ck_synth_spill_room(&w->sp[SP_USERS], b), *q0 = q;
    if (!q)
        return;
    q += put_uid(w, q, seat);
    *q++ = ',';
    memcpy(q, w->aid, w->aid_len);
    q += w->aid_len;
    *q++ = ',';
    memcpy(q, w->g->dates[b], 10);
    q += 10;
    *q++ = '\n';
    w->sp[SP_USERS].b[b].len += (size_t)(q - q0);
    w->n_users++;
}

static void sink_session(void *ctx, int seat, int32_t day, int minutes)
{
    worker *w = ctx;
    int b = (int)(day - w->g->ms);
    char *q = ck_synth_spill_room(&w->sp[SP_SESSIONS], b), *q0 = q;
    if (!q)
        return;
    q += put_uid(w, q, seat);
    *q++ = ',';
    memcpy(q, w->g->dates[b], 10);
    q += 10;
    *q++ = ',';
    q += put_ulong(q, (unsigned long)minutes);
    *q++ = '\n';
    w->sp[SP_SESSIONS].b[b].len += (size_t)(q - q0);
    w->n_sessions++;
}

static void sink_event(void *ctx, int seat, int32_t day, int feature, int clicks)
{
    worker *w = ctx;
    int b = (int)(day - w->g->ms);
    char *q = ck_synth_spill_room(&w->sp[SP_EVENTS], b), *q0 = q;
    if (!q)
        return;
    q += put_uid(w, q, seat);
    *q++ = ',';
    memcpy(q, w->g->dates[b], 10);
    q += 10;
    *q++ = ',';
    size_t n = strlen(ck_synth_feature_name[feature]);
    memcpy(q, ck_synth_feature_name[feature], n);
    q += n;
    *q++ = ',';
    q += put_ulong(q, (unsigned long)clicks);
    *q++ = '\n';
    w->sp[SP_EVENTS].b[b].len += (size_t)(q - q0);
    w->n_events++;
}

static void sink_nps(void *ctx, int seat, int32_t day, int score)
{
    worker *w = ctx;
    int b = (int)(day - w->g->ms);
    char *q = ck_synth_spill_room(&w->sp[SP_NPS], b), *q0 = q;
    if (!q)
        return;
    q += put_uid(w, q, seat);
    *q++ = ',';
    memcpy(q, w->g->dates[b], 10);
    q += 10;
    *q++ = ',';
    q += put_ulong(q, (unsigned long)score);
    *q++ = '\n';
    w->sp[SP_NPS].b[b].len += (size_t)(q - q0);
    w->n_nps++;
}

static void put_revenue(worker *w, double mrr)
{
    char *q = ck_synth_spill_room(&w->sp[SP_REVENUE], 0), *q0 = q;
    if (!q)
        return;
    memcpy(q, w->aid, w->aid_len);
    q += w->aid_len;
    *q++ = ',';
    memcpy(q, w->g->month_str, 7);
    q += 7;
    *q++ = ',';
    q += ck_num_format_fixed(mrr, 2, q);
    *q++ = '\n';
    w->sp[SP_REVENUE].b[0].len += (size_t)(q - q0);
    w->n_revenue++;
}

static void *worker_month(void *arg)
{
    worker *w = arg;
    run *g = w->g;
    const ck_synth_sink sink = {w, sink_user, sink_session, sink_event, sink_nps};
    int last_month = g->m == g->world.months - 1;
    for (long k = w->k0; k < w->k1; k++) {
        ck_synth_account *a = &g->acct[k];
        if (a->churn_month >= 0 && a->churn_month <= g->m)
            continue;
        w->aid_len = format_id(w->aid, 'A', k + 1, g->width);
        w->uid_prefix = format_id(w->uid, 'U', k + 1, g->width);
        w->uid[w->uid_prefix++] = '-';
        ck_synth_month out;
        ck_synth_account_month(&g->world, w->r, k, a, g->m, &sink, w->scratch, &out);
        if (!out.active)
            continue;
        put_revenue(w, out.mrr);
        if (!last_month) {
            w->n_at_risk++;
            w->n_churned += out.churns;
        }
    }
    return NULL;
}

/* ---------------------------------------------------------------- the run */

typedef struct prestart_keys {
    uint64_t *key;
    size_t n, cap;
    int32_t first;
    int oom;
} prestart_keys;

static void collect_prestart(void *ctx, long k, int seat, int32_t day)
{
    prestart_keys *pk = ctx;
    if (pk->oom)
        return;
    if (pk->n == pk->cap) {
        size_t cap = pk->cap ? 2 * pk->cap : 4096;
        uint64_t *p = realloc(pk->key, cap * sizeof *p);
        if (!p) {
            pk->oom = 1;
            return;
        }
        pk->key = p;
        pk->cap = cap;
    }
    pk->key[pk->n++] =
        ((uint64_t)(day - pk->first) << 48) | ((uint64_t)k << 16) | (uint64_t)seat;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static ck_status write_error(ck_error *err, const char *path, int e)
{
    return ck_error_set(err, CK_EIO, "%s: write error: %s", path, strerror(e ? e : EIO));
}

static ck_status put_line(FILE *fp, const char *s, size_t n, const char *path, ck_error *err)
{
    if (fwrite(s, 1, n, fp) != n)
        return write_error(err, path, errno);
    return CK_OK;
}

/* Splits accounts [0, n) among the workers so each gets about the same
 * number of seats to simulate (contiguous ranges keep the row order). */
static void split_work(run *g, long n)
{
    double total = 0;
    for (long k = 0; k < n; k++) {
        const ck_synth_account *a = &g->acct[k];
        if (a->churn_month < 0 || a->churn_month > g->m)
            total += 2.0 + (a->seat_hi - a->seat_lo);
    }
    long k = 0;
    double acc = 0;
    for (size_t t = 0; t < g->nworkers; t++) {
        g->w[t].k0 = k;
        double target = total * (double)(t + 1) / (double)g->nworkers;
        if (t + 1 == g->nworkers) {
            k = n;
        } else {
            while (k < n && acc < target) {
                const ck_synth_account *a = &g->acct[k];
                if (a->churn_month < 0 || a->churn_month > g->m)
                    acc += 2.0 + (a->seat_hi - a->seat_lo);
                k++;
            }
        }
        g->w[t].k1 = k;
    }
}

static size_t default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    return (size_t)n;
}

/* Opens every output and writes its header; the files appear only when all
 * are committed. */
static ck_status open_outputs(run *g, int truth, ck_error *err)
{
    for (int i = 0; i < NOUT; i++) {
        if (i == OUT_TRUTH && !truth)
            continue;
        size_t n = strlen(g->dir) + strlen(out_name[i]) + 2;
        if (!(g->path[i] = malloc(n)))
            return ck_error_set(err, CK_ENOMEM, "out of memory");
        snprintf(g->path[i], n, "%s/%s", g->dir, out_name[i]);
        /* through a local: given &g->out[i], the static analyzer would
         * forget g->path[i] and report it leaked */
        ck_ofile *o;
        ck_status st = ck_ofile_open(&o, g->path[i], err);
        g->out[i] = o;
        if (st != CK_OK)
            return st;
        const char *h = out_header[i];
        if ((st = put_line(ck_ofile_stream(g->out[i]), h, strlen(h), g->path[i], err)) != CK_OK)
            return st;
    }
    for (int j = 0; j < CK_SYNTH_NFEATURES; j++) {
        char line[64];
        int n = snprintf(line, sizeof line, "%s,%d\n", ck_synth_feature_name[j],
                         ck_synth_feature_core[j]);
        ck_status st = put_line(ck_ofile_stream(g->out[OUT_FEATURES]), line, (size_t)n,
                                g->path[OUT_FEATURES], err);
        if (st != CK_OK)
            return st;
    }
    return CK_OK;
}

/* Draws every account (signups in date order, attributes, initial state),
 * writes accounts.csv and the users that exist before the start. */
static ck_status create_accounts(run *g, ck_synth_summary *sum, ck_error *err)
{
    long N = g->world.naccounts;
    ck_status st = CK_OK;
    gsl_rng *r = g->w[0].r;
    int32_t *signup = malloc((size_t)N * sizeof *signup);
    prestart_keys pk = {0};
    pk.first = g->world.start - g->world.p->existing_days;
    if (!signup || ck_synth_draw_signups(&g->world, r, signup) != 0) {
        free(signup);
        return ck_error_set(err, CK_ENOMEM, "out of memory (%ld accounts)", N);
    }
    FILE *fp = ck_ofile_stream(g->out[OUT_ACCOUNTS]);
    for (long k = 0; k < N && st == CK_OK; k++) {
        ck_synth_account *a = &g->acct[k];
        ck_synth_account_init(&g->world, r, k, signup[k], a, collect_prestart, &pk);
        char line[160], *q = line;
        q += format_id(q, 'A', k + 1, g->width);
        *q++ = ',';
        ck_date_format(a->signup, q);
        q += 10;
        q += sprintf(q, ",%s,%s,%s,%s\n", ck_synth_tier_name[a->tier0],
                     ck_synth_industry_name[a->industry], ck_synth_size_name[a->size],
                     ck_synth_region_name[a->region]);
        st = put_line(fp, line, (size_t)(q - line), g->path[OUT_ACCOUNTS], err);
        sum->existing_at_start += a->signup < g->world.start;
        sum->pseudo_active += a->pseudo;
    }
    free(signup);
    if (st == CK_OK && pk.oom)
        st = ck_error_set(err, CK_ENOMEM, "out of memory (users before the start)");

    /* the users of the accounts that exist at the start, by creation date:
     * key = day (16 bits) | account (32) | seat (16) */
    if (pk.n > 0) /* pk.key is NULL when there are none, and qsort wants a pointer */
        qsort(pk.key, pk.n, sizeof *pk.key, cmp_u64);
    fp = ck_ofile_stream(g->out[OUT_USERS]);
    for (size_t i = 0; i < pk.n && st == CK_OK; i++) {
        int32_t day = pk.first + (int32_t)(pk.key[i] >> 48);
        long k = (long)((pk.key[i] >> 16) & 0xFFFFFFFFu);
        char line[96], *q = line;
        q += format_id(q, 'U', k + 1, g->width);
        *q++ = '-';
        put_digits(q, (unsigned long)(pk.key[i] & 0xFFFF), 4);
        q += 4;
        *q++ = ',';
        q += format_id(q, 'A', k + 1, g->width);
        *q++ = ',';
        ck_date_format(day, q);
        q += 10;
        *q++ = '\n';
        st = put_line(fp, line, (size_t)(q - line), g->path[OUT_USERS], err);
    }
    sum->users = (long)pk.n;
    free(pk.key);
    return st;
}

/* Simulates month m on the workers, then copies its rows out in order. */
static ck_status simulate_month(run *g, int m, long *nsigned, ck_error *err)
{
    int32_t ms = g->world.month_start[m], me = g->world.month_start[m + 1];
    int y, mo, d;
    size_t nw = g->nworkers;
    g->m = m;
    g->ms = ms;
    for (int32_t z = ms; z < me; z++) {
        char buf[11];
        ck_date_format(z, buf);
        memcpy(g->dates[z - ms], buf, 10);
    }
    ck_date_to_civil(ms, &y, &mo, &d);
    snprintf(g->month_str, sizeof g->month_str, "%04d-%02d", y, mo);
    while (*nsigned < g->world.naccounts && g->acct[*nsigned].signup < me)
        (*nsigned)++;
    split_work(g, *nsigned);

    /* the workers (the first in this thread) */
    pthread_t tid[MAX_THREADS];
    int started[MAX_THREADS] = {0};
    for (size_t t = 1; t < nw; t++)
        started[t] = pthread_create(&tid[t], NULL, worker_month, &g->w[t]) == 0;
    worker_month(&g->w[0]);
    for (size_t t = 1; t < nw; t++) {
        if (started[t])
            pthread_join(tid[t], NULL);
        else
            worker_month(&g->w[t]); /* no thread: the same rows, in this thread */
    }

    for (size_t t = 0; t < nw; t++) {
        for (int s = 0; s < NSP; s++) {
            const ck_synth_spill *sp = &g->w[t].sp[s];
            if (sp->oom)
                return ck_error_set(err, CK_ENOMEM, "out of memory");
            if (sp->err)
                return ck_error_set(err, CK_EIO, "%s: temporary file: %s", g->dir,
                                    strerror(sp->err));
        }
    }
    /* day by day, worker by worker: date order, then account (user) order */
    for (int s = 0; s < NSP; s++) {
        int nb = s == SP_REVENUE ? 1 : (int)(me - ms);
        FILE *fp = ck_ofile_stream(g->out[sp_out[s]]);
        for (int b = 0; b < nb; b++) {
            for (size_t t = 0; t < nw; t++) {
                int oe = 0;
                if (ck_synth_spill_drain(&g->w[t].sp[s], b, fp, g->tmp, COPY_BUF, &oe) != 0) {
                    if (oe)
                        return write_error(err, g->path[sp_out[s]], oe);
                    return ck_error_set(err, CK_EIO, "%s: temporary file: %s", g->dir,
                                        strerror(g->w[t].sp[s].err));
                }
            }
        }
        for (size_t t = 0; t < nw; t++)
            ck_synth_spill_reset(&g->w[t].sp[s]);
        if (ferror(fp))
            return write_error(err, g->path[sp_out[s]], errno);
    }
    return CK_OK;
}

/* truth.csv: the latent means, segment and churn month of every account. */
static ck_status write_truth(run *g, ck_error *err)
{
    FILE *fp = ck_ofile_stream(g->out[OUT_TRUTH]);
    for (long k = 0; k < g->world.naccounts; k++) {
        const ck_synth_account *a = &g->acct[k];
        char line[160], *q = line;
        q += format_id(q, 'A', k + 1, g->width);
        q += sprintf(q, ",%s", a->pseudo ? "pseudo_active" : "regular");
        for (int i = 0; i < 3; i++) {
            *q++ = ',';
            q += ck_num_format_fixed(a->mu[i], 4, q);
        }
        *q++ = ',';
        if (a->churn_month >= 0) {
            int y, mo, d;
            ck_date_to_civil(g->world.month_start[a->churn_month], &y, &mo, &d);
            q += sprintf(q, "%04d-%02d", y, mo);
        }
        *q++ = '\n';
        ck_status st = put_line(fp, line, (size_t)(q - line), g->path[OUT_TRUTH], err);
        if (st != CK_OK)
            return st;
    }
    return CK_OK;
}

static ck_status setup_workers(run *g, size_t nw, size_t buffer_bytes, ck_error *err)
{
    g->w = calloc(nw, sizeof *g->w);
    if (!g->w)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    g->nworkers = nw;
    for (size_t t = 0; t < nw; t++) {
        worker *w = &g->w[t];
        w->g = g;
        for (int s = 0; s < NSP; s++)
            ck_synth_spill_init(&w->sp[s], g->dir, buffer_bytes);
    }
    for (size_t t = 0; t < nw; t++) {
        worker *w = &g->w[t];
        w->r = gsl_rng_alloc(gsl_rng_mt19937);
        w->scratch = malloc(sizeof *w->scratch);
        if (!w->r || !w->scratch)
            return ck_error_set(err, CK_ENOMEM, "out of memory");
    }
    return CK_OK;
}

static void run_free(run *g)
{
    for (int i = 0; i < NOUT; i++) {
        ck_ofile_abort(g->out[i]);
        free(g->path[i]);
    }
    if (g->w) {
        for (size_t t = 0; t < g->nworkers; t++) {
            for (int s = 0; s < NSP; s++)
                ck_synth_spill_fini(&g->w[t].sp[s]);
            if (g->w[t].r)
                gsl_rng_free(g->w[t].r);
            free(g->w[t].scratch);
        }
    }
    free(g->w);
    free(g->acct);
    free(g->tmp);
    ck_synth_world_fini(&g->world);
}

ck_status ck_synth_write(const ck_synth_options *opt, const char *dir, ck_progress_fn progress,
                         void *ctx, ck_error *err)
{
    return ck_synth_run(opt, dir, progress, ctx, NULL, err);
}

ck_status ck_synth_run(const ck_synth_options *opt, const char *dir, ck_progress_fn progress,
                       void *ctx, ck_synth_summary *summary, ck_error *err)
{
    ck_synth_options defaults;
    ck_synth_summary sum;
    int32_t start;
    ck_status st;
    run g;
    if (!opt) {
        ck_synth_options_init(&defaults);
        opt = &defaults;
    }
    ck_error_clear(err);
    if ((st = check_options(opt, dir, &start, err)) != CK_OK)
        return st;
    /* a directory this run creates and fills with nothing is removed again
     * on failure (rmdir: only while empty), so a failed run leaves no trace */
    struct stat dir_st;
    int dir_existed = stat(dir, &dir_st) == 0;
    if ((st = make_dir(dir, err)) != CK_OK)
        return st;

    memset(&g, 0, sizeof g);
    memset(&sum, 0, sizeof sum);
    g.dir = dir;
    g.width = 6;
    for (long t = opt->accounts; t >= 1000000; t /= 10)
        g.width++;
    size_t nw = opt->threads > 0 ? (size_t)opt->threads : default_threads();
    if (nw > MAX_THREADS)
        nw = MAX_THREADS;

    if ((st = ck_synth_world_init(&g.world, &ck_synth_default_params, (uint64_t)opt->seed,
                                  opt->accounts, opt->months, start, err)) != CK_OK)
        return st;
    g.acct = calloc((size_t)opt->accounts, sizeof *g.acct);
    g.tmp = malloc(COPY_BUF);
    if (!g.acct || !g.tmp) {
        st = ck_error_set(err, CK_ENOMEM, "out of memory (%ld accounts)", opt->accounts);
        goto done;
    }
    if ((st = setup_workers(&g, nw, (size_t)opt->buffer_bytes, err)) != CK_OK ||
        (st = open_outputs(&g, opt->truth, err)) != CK_OK)
        goto done;
    if (progress)
        progress(ctx, "creating accounts", -1.0);
    if ((st = create_accounts(&g, &sum, err)) != CK_OK)
        goto done;
    long nsigned = 0;
    for (int m = 0; m < opt->months; m++) {
        if ((st = simulate_month(&g, m, &nsigned, err)) != CK_OK)
            goto done;
        if (progress)
            progress(ctx, "simulating months", (double)(m + 1) / opt->months);
    }
    if (opt->truth && (st = write_truth(&g, err)) != CK_OK)
        goto done;
    /* one world: every file is complete before any replaces its old one */
    if ((st = ck_ofile_commit_all(g.out, NOUT, err)) != CK_OK)
        goto done;

    long at_risk = 0;
    sum.accounts = opt->accounts;
    for (size_t t = 0; t < nw; t++) {
        const worker *w = &g.w[t];
        sum.users += w->n_users;
        sum.sessions += w->n_sessions;
        sum.events += w->n_events;
        sum.nps += w->n_nps;
        sum.revenue += w->n_revenue;
        sum.churned += w->n_churned;
        at_risk += w->n_at_risk;
    }
    sum.monthly_churn = at_risk > 0 ? (double)sum.churned / (double)at_risk : 0.0;
    if (summary)
        *summary = sum;
done:
    run_free(&g);
    if (st != CK_OK && !dir_existed)
        (void)rmdir(dir);
    return st;
}
