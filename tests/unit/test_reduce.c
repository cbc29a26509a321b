/* Distributed fits without MPI: threads stand in for processes, each with
 * its own shard of a file and a ck_reducer whose allgather meets at a
 * barrier.  The collectives must give every process the same bits, and a
 * fit across shards must agree with one fit on the whole file (the
 * coefficients, threshold and metrics to 1e-9 relative; medians, levels and
 * counts exactly), cross-validation and hold-out included. */
#include "testutil.h"

#include <float.h>
#include <math.h>
#include <pthread.h>

#include "churnkit/model.h"
#include "churnkit/reduce.h"
#include "churnkit/stats.h"
#include "churnkit/train.h"

#define PUB CK_TEST_DATA "/public/"
enum { MAXP = 4 };

/* ------------------------------------------------------------------ */
/* a reducer over threads */

typedef struct shared {
    pthread_barrier_t bar;
    size_t size;
    const void *ptr[MAXP];
    size_t n[MAXP];
} shared;

typedef struct member {
    shared *sh;
    size_t rank;
} member;

static int thread_allgather(void *ctx, const void *mine, size_t n, void **all, size_t *each)
{
    member *me = ctx;
    shared *sh = me->sh;
    sh->ptr[me->rank] = mine;
    sh->n[me->rank] = n;
    pthread_barrier_wait(&sh->bar);
    size_t total = 0;
    for (size_t k = 0; k < sh->size; k++)
        total += sh->n[k];
    char *buf = malloc(total ? total : 1), *p = buf;
    for (size_t k = 0; k < sh->size; k++) {
        if (sh->n[k])
            memcpy(p, sh->ptr[k], sh->n[k]);
        p += sh->n[k];
        each[k] = sh->n[k];
    }
    pthread_barrier_wait(&sh->bar); /* everyone has copied: buffers may go */
    *all = buf;
    return 0;
}

/* The allreduce primitive, adding in the reverse of process order (MPI
 * fixes no order): the exact sums must give the same bits as the
 * allgather path, which adds in process order. */
static int thread_allreduce(void *ctx, int64_t *buf, size_t n, ck_reduce_op op)
{
    member *me = ctx;
    shared *sh = me->sh;
    int64_t *out = malloc((n ? n : 1) * sizeof *out);
    sh->ptr[me->rank] = buf;
    pthread_barrier_wait(&sh->bar);
    for (size_t j = 0; j < n; j++) {
        out[j] = ((const int64_t *)sh->ptr[sh->size - 1])[j];
        for (size_t k = sh->size - 1; k-- > 0;) {
            int64_t v = ((const int64_t *)sh->ptr[k])[j];
            out[j] = op == CK_REDUCE_SUM ? out[j] + v : v > out[j] ? v : out[j];
        }
    }
    pthread_barrier_wait(&sh->bar); /* everyone has read: buffers may change */
    memcpy(buf, out, n * sizeof *out);
    free(out);
    return 0;
}

static ck_reducer thread_reducer(member *me, size_t rank, size_t size, int with_allreduce)
{
    return (ck_reducer){.allgather = thread_allgather,
                        .allreduce = with_allreduce ? thread_allreduce : NULL,
                        .ctx = me,
                        .rank = rank,
                        .size = size};
}

/* Runs fn(&arg[k]) for k < n on n threads that meet at sh's barrier. */
static void run_threads(void *(*fn)(void *), void *arg, size_t each, size_t n)
{
    pthread_t th[MAXP];
    for (size_t k = 0; k < n; k++)
        pthread_create(&th[k], NULL, fn, (char *)arg + k * each);
    for (size_t k = 0; k < n; k++)
        pthread_join(th[k], NULL);
}

/* ------------------------------------------------------------------ */
/* exact sums: the result does not depend on how the parts are split */

typedef struct sum_job {
    member me;
    ck_reducer red;
    double v[8];
} sum_job;

static void *run_sum(void *arg)
{
    sum_job *j = arg;
    ck_assert_int_eq(ck_reduce_sum(&j->red, j->v, 8), 0);
    return NULL;
}

/* Element e of process k is part[k][e]; returns the sums process 0 got,
 * after checking that every process got the same bits. */
static void sum_parts(const double part[][8], size_t n, int with_allreduce, double out[8])
{
    shared sh = {.size = n};
    sum_job job[MAXP];
    pthread_barrier_init(&sh.bar, NULL, (unsigned)n);
    for (size_t k = 0; k < n; k++) {
        job[k].me = (member){&sh, k};
        job[k].red = thread_reducer(&job[k].me, k, n, with_allreduce);
        memcpy(job[k].v, part[k], sizeof job[k].v);
    }
    run_threads(run_sum, job, sizeof job[0], n);
    pthread_barrier_destroy(&sh.bar);
    for (size_t k = 1; k < n; k++)
        ck_assert(memcmp(job[k].v, job[0].v, sizeof job[0].v) == 0);
    memcpy(out, job[0].v, sizeof job[0].v);
}

START_TEST(test_exact_sum)
{
    /* columns: cancellation a naive sum loses (1e16 + 1 - 1e16 is 0 in
     * doubles, 1 exactly), zeros, a subnormal beside a normal, mixed signs
     * and magnitudes, an infinity, a NaN, negatives only, 0.1 three times */
    static const double part[3][8] = {
        {1e16, 0, 5e-324, 1e300, INFINITY, 1, -2.5, 0.1},
        {1, 0, 1, -1e-300, 1, NAN, -1e-20, 0.1},
        {-1e16, 0, 0, 3.5, 2, 3, -7, 0.1},
    };
    double a[8], b[8];
    sum_parts(part, 3, 0, a);
    sum_parts(part, 3, 1, b);
    ck_assert(memcmp(a, b, sizeof a) == 0); /* either order: the same bits */
    ck_assert(a[0] == 1);
    ck_assert(a[1] == 0 && !signbit(a[1]));
    ck_assert(a[2] == 1); /* the subnormal is far below the window */
    ck_assert(a[3] == 1e300);
    ck_assert(isnan(a[4]) && isnan(a[5]));
    ck_assert(a[6] == -9.5);
    /* 0.1 + 0.1 + 0.1 exactly is 0.3000000000000000166..., whose nearest
     * double is 0.30000000000000004 (what a naive sum also gives here) */
    ck_assert(a[7] == 0.30000000000000004);

    /* many terms: within an ulp of a long double reference, and the same
     * bits whichever process holds which term */
    static double many[4][8], swapped[4][8];
    unsigned long s = 99;
    long double ref[8] = {0};
    for (size_t k = 0; k < 4; k++)
        for (size_t e = 0; e < 8; e++) {
            s = s * 6364136223846793005UL + 1442695040888963407UL;
            double u = (double)(s >> 11) / 9007199254740992.0;
            many[k][e] = (u - 0.5) * pow(10, (double)e - 3);
            swapped[3 - k][e] = many[k][e];
            ref[e] += many[k][e];
        }
    sum_parts((const double(*)[8])many, 4, 1, a);
    sum_parts((const double(*)[8])swapped, 4, 1, b);
    ck_assert(memcmp(a, b, sizeof a) == 0);
    for (size_t e = 0; e < 8; e++)
        ck_assert_msg(fabsl(a[e] - ref[e]) <= 2 * DBL_EPSILON * fabsl(ref[e]),
                      "element %zu: %.17g vs %.17Lg", e, a[e], ref[e]);
}
END_TEST

/* ------------------------------------------------------------------ */
/* collectives against the union computed in one place */

typedef struct stats_job {
    member me;
    ck_reducer red;
    const double *v; /* this process's values */
    size_t m;
    double sum[2], max[2], offset, median, kth[3];
    double *gathered;
    size_t ngathered;
} stats_job;

static void *run_stats(void *arg)
{
    stats_job *j = arg;
    double *copy = malloc(j->m * sizeof *copy);
    memcpy(copy, j->v, j->m * sizeof *copy);
    j->sum[0] = (double)j->m;
    j->sum[1] = 0;
    j->max[0] = -INFINITY;
    for (size_t i = 0; i < j->m; i++) {
        j->sum[1] += j->v[i];
        j->max[0] = fmax(j->max[0], j->v[i]);
    }
    j->max[1] = (double)j->red.rank;
    ck_assert_int_eq(ck_reduce_sum(&j->red, j->sum, 2), 0);
    ck_assert_int_eq(ck_reduce_max(&j->red, j->max, 2), 0);
    ck_assert_int_eq(ck_reduce_offset(&j->red, (double)j->m, &j->offset), 0);
    ck_assert_int_eq(ck_reduce_median(&j->red, copy, j->m, &j->median), 0);
    double ks[3] = {0, 17, j->sum[0] - 1};
    for (int k = 0; k < 3; k++)
        ck_assert_int_eq(ck_reduce_kth(&j->red, j->v, j->m, j->sum[0], ks[k], &j->kth[k]), 0);
    ck_assert_int_eq(ck_reduce_gather(&j->red, j->v, j->m, &j->gathered, &j->ngathered), 0);
    free(copy);
    return NULL;
}

START_TEST(test_collectives)
{
    /* values with ties, negatives, zeros and a wide range; uneven shards */
    enum { N = 1001 };
    static double v[N];
    unsigned long s = 12345;
    for (size_t i = 0; i < N; i++) {
        s = s * 6364136223846793005UL + 1442695040888963407UL;
        double u = (double)(s >> 11) / 9007199254740992.0;
        v[i] = i % 7 == 0 ? 0.0 : i % 5 == 0 ? 2.5 : (u - 0.4) * pow(10, (double)(i % 9) - 4);
    }
    size_t cut[] = {0, 1, 420, N}; /* a one-value shard included */
    shared sh = {.size = 3};
    pthread_barrier_init(&sh.bar, NULL, 3);
    stats_job job[3];
    pthread_t th[3];
    for (size_t k = 0; k < 3; k++) {
        job[k] = (stats_job){.me = {&sh, k}, .v = v + cut[k], .m = cut[k + 1] - cut[k]};
        job[k].red = thread_reducer(&job[k].me, k, 3, 1);
        pthread_create(&th[k], NULL, run_stats, &job[k]);
    }
    for (size_t k = 0; k < 3; k++)
        pthread_join(th[k], NULL);
    pthread_barrier_destroy(&sh.bar);

    double sorted[N], all[N], sum = 0;
    memcpy(sorted, v, sizeof v);
    memcpy(all, v, sizeof v);
    for (size_t i = 0; i < N; i++)
        sum += v[i];
    for (size_t i = 1; i < N; i++) /* insertion sort: the reference order */
        for (size_t j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
            double t = sorted[j];
            sorted[j] = sorted[j - 1];
            sorted[j - 1] = t;
        }
    double median = ck_median(all, N);
    for (size_t k = 0; k < 3; k++) {
        ck_assert(job[k].sum[0] == N);
        ck_assert(fabs(job[k].sum[1] - sum) <= 1e-12 * fabs(sum) + 1e-12);
        ck_assert(memcmp(&job[k].sum[1], &job[0].sum[1], sizeof(double)) == 0); /* same bits */
        ck_assert(job[k].max[0] == sorted[N - 1] && job[k].max[1] == 2);
        ck_assert(job[k].offset == (double)cut[k]);
        ck_assert(job[k].median == median); /* exact, as one process computes it */
        ck_assert(job[k].kth[0] == sorted[0]);
        ck_assert(job[k].kth[1] == sorted[17]);
        ck_assert(job[k].kth[2] == sorted[N - 1]);
        ck_assert_uint_eq(job[k].ngathered, N);
        ck_assert(memcmp(job[k].gathered, v, sizeof v) == 0); /* process order */
        free(job[k].gathered);
    }
}
END_TEST

START_TEST(test_no_reducer)
{
    double v[] = {3, 1, 2, 4}, x;
    ck_assert_int_eq(ck_reduce_sum(NULL, v, 4), 0);
    ck_assert(v[0] == 3);
    ck_assert_int_eq(ck_reduce_median(NULL, v, 4, &x), 0);
    ck_assert(x == 2.5);
    ck_assert_int_eq(ck_reduce_kth(NULL, v, 4, 4, 3, &x), 0);
    ck_assert(x == 4);
    ck_assert_int_eq(ck_reduce_kth(NULL, v, 4, 4, 4, &x), -1); /* out of range */
}
END_TEST

/* ------------------------------------------------------------------ */
/* fits across shards against one fit */

typedef struct fit_job {
    member me;
    ck_reducer red;
    ck_table *t;
    ck_train_options opt;
    ck_model *m;
    ck_status st;
    char msg[CK_ERROR_MAX];
} fit_job;

static void *run_fit(void *arg)
{
    fit_job *j = arg;
    ck_warnings w;
    ck_error err;
    ck_warnings_init(&w);
    j->opt.reducer = &j->red;
    j->st = ck_train(j->t, &j->opt, &j->m, &w, &err);
    if (j->st != CK_OK)
        snprintf(j->msg, sizeof j->msg, "%s", err.message);
    ck_warnings_fini(&w);
    return NULL;
}

/* The header and lines [from, to) of a file, as a new table. */
static ck_table *shard(const char *path, size_t from, size_t to)
{
    char *text = ck_test_slurp(path), *line = text, *out = malloc(strlen(text) + 1), *o = out;
    for (size_t i = 0; *line; i++) {
        char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) + 1 : strlen(line);
        if (i == 0 || (i - 1 >= from && i - 1 < to)) {
            memcpy(o, line, len);
            o += len;
        }
        line += len;
    }
    *o = '\0';
    char *tmp = ck_test_write(out);
    ck_table *t;
    ck_error err;
    ck_table_options topt;
    ck_table_options_init(&topt);
    static const char *const cat[] = {"Education", "JobLevel"};
    topt.categorical = cat; /* the same types in every shard */
    topt.ncategorical = strstr(text, "JobLevel") ? 2 : 0;
    ck_assert_msg(ck_table_read_csv(&t, tmp, &topt, &err) == CK_OK, "%s", err.message);
    unlink(tmp);
    free(tmp);
    free(text);
    free(out);
    return t;
}

/* Every number in a (the distributed fit's metrics) equals the one at the
 * same place in b to tol, relative. */
static void same_numbers(json_t *a, json_t *b, double tol, const char *where)
{
    if (json_is_object(b)) {
        const char *key;
        json_t *v;
        json_object_foreach(b, key, v) {
            char path[256];
            json_t *u = json_object_get(a, key);
            ck_assert_msg(u != NULL, "%s: no '%s'", where, key);
            snprintf(path, sizeof path, "%s.%s", where, key);
            same_numbers(u, v, tol, path);
        }
    } else if (json_is_array(b)) {
        ck_assert_uint_eq(json_array_size(a), json_array_size(b));
        for (size_t i = 0; i < json_array_size(b); i++)
            same_numbers(json_array_get(a, i), json_array_get(b, i), tol, where);
    } else if (json_is_number(b)) {
        double x = json_number_value(a), y = json_number_value(b);
        ck_assert_msg(fabs(x - y) <= tol * fmax(1, fabs(y)), "%s: %.17g vs %.17g", where, x, y);
    }
}

/* The metrics of two models (as their model files write them) agree. */
static void same_metrics(const ck_model *a, const ck_model *b, double tol)
{
    char *ta = ck_model_to_json(a), *tb = ck_model_to_json(b);
    json_t *ja = json_loads(ta, 0, NULL), *jb = json_loads(tb, 0, NULL);
    ck_assert(ja && jb);
    same_numbers(json_object_get(ja, "metrics"), json_object_get(jb, "metrics"), tol, "metrics");
    json_decref(ja);
    json_decref(jb);
    free(ta);
    free(tb);
}

/* Fits opt on the whole file and on nshards shards; compares. */
static void check_fit(const char *path, size_t rows, size_t nshards, ck_train_options opt,
                      double tol)
{
    ck_table *whole = shard(path, 0, rows);
    ck_model *ref;
    ck_warnings w;
    ck_error err;
    ck_warnings_init(&w);
    ck_assert_msg(ck_train(whole, &opt, &ref, &w, &err) == CK_OK, "%s", err.message);
    ck_warnings_fini(&w);
    ck_model *first = NULL;
    for (int run = 0; run < 2; run++) { /* twice: the same bits */
        shared sh = {.size = nshards};
        pthread_barrier_init(&sh.bar, NULL, (unsigned)nshards);
        fit_job job[MAXP];
        pthread_t th[MAXP];
        for (size_t k = 0; k < nshards; k++) {
            job[k] = (fit_job){.me = {&sh, k}, .opt = opt};
            /* the second run through the allreduce primitive */
            job[k].red = thread_reducer(&job[k].me, k, nshards, run == 1);
            /* uneven shards: a fifth, then the rest split evenly */
            size_t a = k == 0 ? 0 : rows / 5 + (k - 1) * (rows - rows / 5) / (nshards - 1);
            size_t b = k == 0 ? rows / 5 : rows / 5 + k * (rows - rows / 5) / (nshards - 1);
            job[k].t = shard(path, a, b);
            pthread_create(&th[k], NULL, run_fit, &job[k]);
        }
        for (size_t k = 0; k < nshards; k++)
            pthread_join(th[k], NULL);
        pthread_barrier_destroy(&sh.bar);
        for (size_t k = 0; k < nshards; k++) {
            ck_assert_msg(job[k].st == CK_OK, "shard %zu: %s", k, job[k].msg);
            ck_model *m = job[k].m;
            ck_terms tm = ck_test_terms(m), tr = ck_test_terms(ref);
            ck_assert_uint_eq(tm.n, tr.n);
            for (size_t j = 0; j < tm.n; j++) {
                double d = fabs(tm.term[j].value - tr.term[j].value);
                ck_assert_msg(d <= tol * fmax(1, fabs(tr.term[j].value)),
                              "coefficient %zu: %.17g (shards) vs %.17g (whole)", j,
                              tm.term[j].value, tr.term[j].value);
            }
            for (size_t f = 0; f < m->pl->nfeat; f++) {
                const ck_feature *a = &m->pl->feat[f], *b = &ref->pl->feat[f];
                ck_assert_str_eq(a->name, b->name);
                ck_assert_uint_eq(a->nlevels, b->nlevels);
                if (a->kind == CK_FEAT_NUMERIC) {
                    ck_assert(a->median == b->median);
                    ck_assert(memcmp(a->deciles, b->deciles, sizeof a->deciles) == 0);
                    ck_assert(fabs(a->mean - b->mean) <= 1e-12 * fmax(1, fabs(b->mean)));
                }
                for (size_t l = 0; l < a->nlevels; l++)
                    ck_assert_str_eq(a->levels[l], b->levels[l]);
            }
            /* the threshold, the validation, hold-out and training metrics */
            ck_assert(fabs(m->threshold - ref->threshold) <= tol);
            same_metrics(m, ref, tol);
            ck_assert_uint_eq(m->training.rows, ref->training.rows);
            ck_assert_uint_eq(m->training.test_rows, ref->training.test_rows);
            if (!first) {
                first = m;
            } else { /* every process, and the second run, hold the same bits */
                ck_terms tf = ck_test_terms(first);
                for (size_t j = 0; j < tm.n; j++)
                    ck_assert(memcmp(&tm.term[j].value, &tf.term[j].value, sizeof(double)) ==
                              0);
                free(tf.term);
            }
            free(tm.term);
            free(tr.term);
        }
        for (size_t k = 0; k < nshards; k++) {
            if (job[k].m != first)
                ck_model_free(job[k].m);
            ck_table_free(job[k].t);
        }
    }
    ck_model_free(first);
    ck_model_free(ref);
    ck_table_free(whole);
}

START_TEST(test_logistic_shards)
{
    ck_train_options opt;
    ck_train_options_init(&opt);
    opt.label = "churn";
    ck_test_param(&opt, "l2", 1);
    check_fit(PUB "mlc_churn.train.csv", 4000, 3, opt, 1e-9);
    ck_test_param(&opt, "l2", 0); /* unpenalized, one level dropped, class-weighted */
    opt.balanced = 1;
    check_fit(PUB "mlc_churn.train.csv", 4000, 4, opt, 1e-9);
}
END_TEST

/* OLS of the monthly income on the attrition data (the label excluded). */
static ck_train_options income_options(void)
{
    static const char *const ex[] = {"Attrition"};
    ck_train_options opt;
    ck_train_options_init(&opt);
    opt.label = "MonthlyIncome";
    ck_test_use(&opt, "linear");
    opt.pipeline.exclude = ex;
    opt.pipeline.nexclude = 1;
    return opt;
}

START_TEST(test_validation_shards)
{
    /* folds, hold-out and the threshold dealt across shards as one process
     * deals them: the same coefficients, threshold and metrics */
    ck_train_options opt;
    ck_train_options_init(&opt);
    opt.label = "churn";
    ck_test_param(&opt, "l2", 1);
    opt.cv = 4;
    opt.test_fraction = 0.2;
    opt.threshold_rule = CK_THRESHOLD_F1;
    check_fit(PUB "mlc_churn.train.csv", 4000, 3, opt, 1e-9);
    ck_train_options lin = income_options();
    lin.cv = 3;
    lin.test_fraction = 0.25;
    check_fit(PUB "attrition.train.csv", 1176, 4, lin, 1e-9);
}
END_TEST

START_TEST(test_linear_shards)
{
    ck_train_options opt = income_options();
    check_fit(PUB "attrition.train.csv", 1176, 3, opt, 1e-9);
    ck_test_param(&opt, "robust", 1); /* Huber: the MAD scale is an exact distributed median */
    check_fit(PUB "attrition.train.csv", 1176, 3, opt, 1e-9);
}
END_TEST

START_TEST(test_refused)
{
    ck_train_options opt;
    ck_train_options_init(&opt);
    ck_reducer red = {.allgather = thread_allgather, .size = 1};
    ck_table *t = shard(PUB "attrition.train.csv", 0, 50);
    ck_model *m;
    ck_warnings w;
    ck_error err;
    ck_warnings_init(&w);
    opt.label = "Attrition";
    opt.reducer = &red;
    ck_test_use(&opt, "svm");
    ck_assert_int_eq(ck_train(t, &opt, &m, &w, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "--model svm cannot be fitted across processes");
    ck_warnings_fini(&w);
    ck_table_free(t);
}
END_TEST

static int cmp_dbl(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* ck_median narrows large arrays by a histogram before selecting: the
 * result must be the sorted array's median, bit for bit, on spread,
 * tied, skewed and constant-ish data, odd and even counts. */
START_TEST(test_median_narrowed)
{
    static const size_t sizes[] = {4095, 4096, 4097, 20000, 20001};
    unsigned seed = 7;
    for (int kind = 0; kind < 5; kind++)
        for (size_t z = 0; z < sizeof sizes / sizeof *sizes; z++) {
            size_t n = sizes[z];
            double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
            for (size_t i = 0; i < n; i++) {
                seed = seed * 1103515245u + 12345u;
                double u = (seed >> 8) / 16777216.0;
                a[i] = kind == 0   ? u * 2 - 1                 /* spread */
                       : kind == 1 ? floor(u * 5)              /* five values */
                       : kind == 2 ? pow(u, 8) * 1e6           /* skewed */
                       : kind == 3 ? (i == 0 ? 1e300 : u)      /* one far outlier */
                                   : (i % 1000 == 0 ? u : 3.0); /* nearly constant */
            }
            memcpy(b, a, n * sizeof *a);
            qsort(b, n, sizeof *b, cmp_dbl);
            double want = n % 2 ? b[n / 2] : (b[n / 2 - 1] + b[n / 2]) / 2;
            double got = ck_median(a, n);
            ck_assert_msg(memcmp(&got, &want, sizeof got) == 0, "kind %d, n %zu: %.17g, not %.17g",
                          kind, n, got, want);
            free(a);
            free(b);
        }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("reduce");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_exact_sum);
    tcase_add_test(tc, test_collectives);
    tcase_add_test(tc, test_no_reducer);
    tcase_add_test(tc, test_logistic_shards);
    tcase_add_test(tc, test_linear_shards);
    tcase_add_test(tc, test_validation_shards);
    tcase_add_test(tc, test_refused);
    tcase_add_test(tc, test_median_narrowed);
    suite_add_tcase(s, tc);
    return s;
}

CK_TEST_MAIN(suite)
