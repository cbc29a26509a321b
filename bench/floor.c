/* floor.c -- the floor reference of the performance benchmarks: the smallest
 * correct program that does what churnkit-train (logistic, --l2 1) and
 * churnkit-predict do to the benchmark files, without any of their checks,
 * pipeline or reports, so that every benchmark can give churnkit's time as a
 * multiple of what the hardware allows, measured in the same run.
 *
 *   floor parse FILE THREADS      read and parse every number, keeping only
 *                                 their sums (the scoring floor: churnkit-
 *                                 predict must at least parse, and keeps no
 *                                 more than a block of rows)
 *   floor fit FILE THREADS L2     parse, standardize, Newton to convergence
 *                                 (logistic, L2 penalty L2/2 |b|^2 on the
 *                                 standardized slopes, churnkit's --l2)
 *   floor ols FILE THREADS        parse, one pass of X'X and X'y, Cholesky
 *                                 (churnkit-train --model linear's OLS)
 *
 * It assumes what the benchmark files are (gen_numeric: a header, then
 * numbers only, the label last, LF line ends, no quotes) and checks nothing
 * else.  The file is read whole, cut into THREADS parts at byte offsets,
 * each resynchronised just past a line end, and each part parsed by its own
 * thread.  Numbers take Clinger's fast path (a mantissa below 2^53 and a
 * power of ten up to 22 give the correctly rounded double with one
 * multiplication or division), strtod otherwise, so the values are exactly
 * strtod's.  The fit prints its coefficients so that the benchmark can check
 * it reaches churnkit's (nothing is fast here by being wrong). */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAXP 64 /* columns with the intercept */

typedef struct part {
    const char *begin, *end; /* whole lines */
    size_t rows, p;          /* p: columns of the file */
    double *x;               /* rows x p, the label last (not kept by parse) */
    int keep;                /* store the values (fit, ols) */
    double sum[MAXP], sq[MAXP];
    double g[MAXP], h[MAXP * MAXP], ll;
    const double *beta, *mean, *sd;
} part;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const double POW10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                               1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                               1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static const char *number(const char *s, double *out)
{
    const char *p = s;
    int neg = *p == '-', exp10 = 0, digits = 0;
    uint64_t m = 0;
    p += neg || *p == '+';
    for (; *p >= '0' && *p <= '9'; p++)
        if (digits < 19)
            m = m * 10 + (uint64_t)(*p - '0'), digits += m > 0;
        else
            exp10++;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            if (digits < 19)
                m = m * 10 + (uint64_t)(*p - '0'), digits += m > 0, exp10--;
    if (*p == 'e' || *p == 'E') {
        char *e;
        exp10 += (int)strtol(p + 1, &e, 10);
        p = e;
    }
    if (m < (1ull << 53) && exp10 >= -22 && exp10 <= 22 && digits < 19) {
        double v = (double)m;
        v = exp10 < 0 ? v / POW10[-exp10] : v * POW10[exp10];
        *out = neg ? -v : v;
    } else {
        *out = strtod(s, NULL);
    }
    return p;
}

static void *parse_part(void *arg)
{
    part *pt = arg;
    /* room for the most rows the bytes can hold (two per number); pages
     * never touched cost nothing.  The bare parse keeps one row. */
    size_t most = (size_t)(pt->end - pt->begin) / (2 * pt->p) + 1, rows = 0;
    pt->x = malloc((pt->keep ? most : 1) * pt->p * sizeof *pt->x);
    for (const char *q = pt->begin; q < pt->end; rows++) {
        double *r = pt->x + (pt->keep ? rows * pt->p : 0);
        for (size_t j = 0; j < pt->p; j++) {
            q = number(q, &r[j]);
            q++; /* the comma or the line end */
            pt->sum[j] += r[j];
            pt->sq[j] += r[j] * r[j];
        }
    }
    pt->rows = rows;
    return NULL;
}

/* One Newton pass's sums over a part: the gradient and Hessian of the
 * log-likelihood on the standardized design (intercept first). */
static void *pass_part(void *arg)
{
    part *pt = arg;
    size_t p = pt->p, k = p; /* k: intercept + p - 1 slopes */
    double z[MAXP];
    memset(pt->g, 0, sizeof pt->g);
    memset(pt->h, 0, sizeof pt->h);
    pt->ll = 0;
    for (size_t i = 0; i < pt->rows; i++) {
        const double *r = pt->x + i * p;
        z[0] = 1;
        for (size_t j = 1; j < k; j++)
            z[j] = (r[j - 1] - pt->mean[j - 1]) / pt->sd[j - 1];
        double eta = 0;
        for (size_t j = 0; j < k; j++)
            eta += z[j] * pt->beta[j];
        double mu = 1 / (1 + exp(-eta)), w = mu * (1 - mu), y = r[p - 1];
        pt->ll += y * eta - log1p(exp(eta));
        for (size_t a = 0; a < k; a++) {
            pt->g[a] += (y - mu) * z[a];
            for (size_t b = a; b < k; b++)
                pt->h[a * MAXP + b] += w * z[a] * z[b];
        }
    }
    return NULL;
}

/* The normal equations' sums over a part: X'X (upper part) in h and X'y
 * in g, intercept first, raw columns. */
static void *ols_part(void *arg)
{
    part *pt = arg;
    size_t p = pt->p;
    double z[MAXP];
    memset(pt->g, 0, sizeof pt->g);
    memset(pt->h, 0, sizeof pt->h);
    for (size_t i = 0; i < pt->rows; i++) {
        const double *r = pt->x + i * p;
        z[0] = 1;
        for (size_t j = 1; j < p; j++)
            z[j] = r[j - 1];
        for (size_t a = 0; a < p; a++) {
            pt->g[a] += r[p - 1] * z[a];
            for (size_t b = a; b < p; b++)
                pt->h[a * MAXP + b] += z[a] * z[b];
        }
    }
    return NULL;
}

static void run(part *pt, size_t threads, void *(*fn)(void *))
{
    pthread_t tid[16];
    for (size_t t = 1; t < threads; t++)
        pthread_create(&tid[t], NULL, fn, &pt[t]);
    fn(&pt[0]);
    for (size_t t = 1; t < threads; t++)
        pthread_join(tid[t], NULL);
}

/* Solves H d = g for symmetric positive definite H (k x k, upper part) by
 * Cholesky; g is overwritten with d. */
static void solve(const double *H, double *g, size_t k)
{
    double L[MAXP][MAXP] = {{0}};
    for (size_t j = 0; j < k; j++) {
        double s = H[j * MAXP + j];
        for (size_t c = 0; c < j; c++)
            s -= L[j][c] * L[j][c];
        L[j][j] = sqrt(s);
        for (size_t i = j + 1; i < k; i++) {
            double t = H[j * MAXP + i];
            for (size_t c = 0; c < j; c++)
                t -= L[i][c] * L[j][c];
            L[i][j] = t / L[j][j];
        }
    }
    for (size_t i = 0; i < k; i++) {
        for (size_t c = 0; c < i; c++)
            g[i] -= L[i][c] * g[c];
        g[i] /= L[i][i];
    }
    for (size_t i = k; i-- > 0;) {
        for (size_t c = i + 1; c < k; c++)
            g[i] -= L[c][i] * g[c];
        g[i] /= L[i][i];
    }
}

static int fit(part *pt, size_t threads, size_t n, size_t p, double l2)
{
    double mean[MAXP], sd[MAXP], beta[MAXP] = {0};
    for (size_t j = 0; j < p; j++) {
        double s = 0, q = 0;
        for (size_t t = 0; t < threads; t++)
            s += pt[t].sum[j], q += pt[t].sq[j];
        mean[j] = s / (double)n;
        sd[j] = sqrt((q - s * mean[j]) / (double)(n - 1));
    }
    int passes = 0;
    double loglik = 0; /* at the last pass's coefficients, before its step */
    for (; passes < 50; passes++) {
        double g[MAXP] = {0}, H[MAXP * MAXP] = {0};
        loglik = 0;
        for (size_t t = 0; t < threads; t++)
            pt[t].beta = beta, pt[t].mean = mean, pt[t].sd = sd;
        run(pt, threads, pass_part);
        for (size_t t = 0; t < threads; t++) {
            loglik += pt[t].ll;
            for (size_t a = 0; a < p; a++) {
                g[a] += pt[t].g[a];
                for (size_t b = a; b < p; b++)
                    H[a * MAXP + b] += pt[t].h[a * MAXP + b];
            }
        }
        for (size_t a = 1; a < p; a++) { /* the penalty on the slopes */
            g[a] -= l2 * beta[a];
            H[a * MAXP + a] += l2;
        }
        solve(H, g, p);
        double step = 0;
        for (size_t a = 0; a < p; a++) {
            beta[a] += g[a];
            step = fmax(step, fabs(g[a]));
        }
        if (step < 1e-8) {
            passes++;
            break;
        }
    }
    printf("newton passes %d, log-likelihood %.6f\ncoefficients (standardized):", passes, loglik);
    for (size_t a = 0; a < p; a++)
        printf(" %.6f", beta[a]);
    printf("\n");
    return 0;
}

static void ols(part *pt, size_t threads, size_t p)
{
    double g[MAXP] = {0}, H[MAXP * MAXP] = {0};
    run(pt, threads, ols_part);
    for (size_t t = 0; t < threads; t++)
        for (size_t a = 0; a < p; a++) {
            g[a] += pt[t].g[a];
            for (size_t b = a; b < p; b++)
                H[a * MAXP + b] += pt[t].h[a * MAXP + b];
        }
    solve(H, g, p);
    printf("coefficients:");
    for (size_t a = 0; a < p; a++)
        printf(" %.6f", g[a]);
    printf("\n");
}

int main(int argc, char **argv)
{
    if (argc < 4 || (strcmp(argv[1], "parse") && strcmp(argv[1], "fit") && strcmp(argv[1], "ols"))) {
        fprintf(stderr, "usage: floor parse|fit|ols FILE THREADS [L2]\n");
        return 2;
    }
    size_t threads = (size_t)atoi(argv[3]);
    if (threads < 1 || threads > 16)
        threads = 1;
    double t0 = now();
    /* mapped, not read: the page cache's pages are the input, no copy */
    int fd = open(argv[2], O_RDONLY);
    struct stat stt;
    if (fd < 0 || fstat(fd, &stt) != 0 || stt.st_size < 2) {
        perror(argv[2]);
        return 5;
    }
    size_t size = (size_t)stt.st_size;
    const char *buf = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (buf == MAP_FAILED)
        return 5;
    if (buf[size - 1] != '\n') {
        fprintf(stderr, "floor: %s must end with a line end\n", argv[2]);
        return 3;
    }
    const char *body = (const char *)memchr(buf, '\n', size) + 1, *end = buf + size;
    size_t p = 1;
    for (const char *q = buf; q < body; q++)
        p += *q == ',';
    if (p > MAXP)
        return 3;
    part pt[16];
    memset(pt, 0, sizeof pt);
    const char *at = body;
    for (size_t t = 0; t < threads; t++) {
        const char *cut = t + 1 == threads ? end : body + (size_t)(end - body) * (t + 1) / threads;
        if (cut < end) /* resynchronise just past the next line end */
            cut = (const char *)memchr(cut, '\n', (size_t)(end - cut)) + 1;
        pt[t].begin = at;
        pt[t].end = cut < at ? at : cut;
        pt[t].p = p;
        pt[t].keep = strcmp(argv[1], "parse") != 0;
        at = pt[t].end;
    }
    run(pt, threads, parse_part);
    double t1 = now();
    size_t n = 0;
    double check = 0;
    for (size_t t = 0; t < threads; t++) {
        n += pt[t].rows;
        for (size_t j = 0; j < p; j++)
            check += pt[t].sum[j];
    }
    printf("rows %zu columns %zu checksum %.6f parse %.3f s\n", n, p, check, t1 - t0);
    if (strcmp(argv[1], "fit") == 0) {
        fit(pt, threads, n, p, argc > 4 ? atof(argv[4]) : 0);
        printf("fit %.3f s\n", now() - t1);
    } else if (strcmp(argv[1], "ols") == 0) {
        ols(pt, threads, p);
        printf("fit %.3f s\n", now() - t1);
    }
    for (size_t t = 0; t < threads; t++)
        free(pt[t].x);
    munmap((void *)buf, size);
    close(fd);
    return 0;
}
