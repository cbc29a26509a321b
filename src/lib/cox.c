/* cox.c -- Cox proportional hazards regression by Newton-Raphson on the
 * partial likelihood, the baseline hazard and the concordance (see cox.h). */
#include "churnkit/cox.h"
#include "churnkit/spd.h"
#include "churnkit/inference.h"
#include "churnkit/parallel.h"
#include "churnkit/stats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void ck_cox_options_init(ck_cox_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->max_iter = 50;
    opt->tol = 1e-9;
}

/* ------------------------------------------------------------------ */
/* sorting */

typedef struct keyed {
    uint64_t key;
    size_t idx;
} keyed;

/* Sorts a[0..n) by key, ascending, equal keys keeping their order: an LSD
 * radix sort, eight stable passes of one byte from the lowest, a pass
 * skipped when every key has the same byte there (the high bytes of small
 * integer times).  0, or -1 when out of memory. */
static int radix_sort(keyed *a, size_t n)
{
    keyed *spare = malloc((n ? n : 1) * sizeof *spare);
    size_t(*count)[256] = calloc(8, sizeof *count);
    if (!spare || !count) {
        free(spare);
        free(count);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        for (int b = 0; b < 8; b++)
            count[b][(a[i].key >> (8 * b)) & 0xff]++;
    keyed *src = a, *dst = spare;
    for (int b = 0; b < 8; b++) {
        size_t at = 0, *c = count[b];
        if (n == 0 || c[(src[0].key >> (8 * b)) & 0xff] == n)
            continue;
        for (int v = 0; v < 256; v++) {
            size_t k = c[v];
            c[v] = at;
            at += k;
        }
        for (size_t i = 0; i < n; i++)
            dst[c[(src[i].key >> (8 * b)) & 0xff]++] = src[i];
        keyed *t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy(a, src, n * sizeof *a);
    free(spare);
    free(count);
    return 0;
}

/* Keys whose unsigned order is the numeric order (asc_key) or its reverse
 * (desc_key); -0 reads as +0, so that the two, equal as numbers, tie. */
static uint64_t asc_key(double x)
{
    return ck_order_key(x == 0 ? 0.0 : x);
}

static uint64_t desc_key(double x)
{
    return ~asc_key(x);
}

/* ------------------------------------------------------------------ */
/* the fit's state */

/* An event time: a tie block (a run of rows with one time, in decreasing
 * time order) holding at least one event, with what the passes need. */
typedef struct event_time {
    size_t end;     /* position of the block's last row */
    double dh;      /* the fit's hazard increment: W / S (Breslow) or
                       (W/d) sum_l 1 / s_l (Efron), s_l = S - (l/d) E */
    double e;       /* Efron's correction B of the block's event rows:
                       (W/d) sum_l (l/d) / s_l */
    double a, b, c; /* (W/d) sum_l f^q / s_l^2 for q = 0, 1, 2, f = l/d */
} event_time;

/* Rows are gathered in blocks of BLOCK, column by column, so that X'WX is
 * p(p+1)/2 dot products over contiguous memory per block (as in
 * logistic.c); so are the event-time terms (see deriv_chunk).  Per worker:
 * x, u, v (p each), the block's columns, the same times the weights and
 * the event-time vectors (p BLOCK each), residuals and weights. */
enum { BLOCK = 128 };
#define WORK(p) (3 * (p) + 3 * (p) * BLOCK + 2 * BLOCK)

/* What a chunk of the derivative pass hands to the merge (besides its
 * score, information and the p-vectors in cox_fit). */
typedef struct chunk_info {
    double max_eta;  /* pass 0 (by dataset chunk) */
    int nan;         /* pass 0: a non-finite eta */
    double wde;      /* sum of w delta (eta - shift) over its positions */
    double asum;     /* sum of a_k over the event times completed inside */
    int cont;        /* its first row continues a tie block of the chunk before */
    int whole;       /* all its rows are one tie block */
    int first;       /* the continued block ends here and has events */
    double fa, fb, fc; /* that block's a, b, c */
} chunk_info;

typedef struct cox_fit {
    const ck_dataset *ds;
    size_t n, p;        /* positions (rows of weight > 0), columns */
    int efron;
    size_t threads, nchunks0, nchunks; /* by dataset index, by position */
    /* by position, in decreasing time (ties in dataset order) */
    size_t *row;        /* table row */
    double *t, *w;
    unsigned char *ev;
    double *eta;        /* (x - center)' beta */
    double *r;          /* w exp(eta - shift) */
    double *q;          /* A - B: the row's weight in X'WX over r */
    size_t *pos;        /* by dataset index: position, SIZE_MAX when weight 0 */
    double *center;     /* p weighted column means */
    const double *beta;
    double shift;       /* the largest eta of this evaluation */
    event_time *et;     /* in decreasing time */
    size_t net;
    const void **cols; /* by feature: the table column's cells (for prefetching) */
    size_t *cell;      /* by feature: the size of a cell */
    chunk_info *ci0;    /* nchunks0 */
    chunk_info *ci;     /* nchunks */
    /* by chunk, p each: score, u total, v of the trailing block, sum a u,
     * sum b v, and u, v of the continued block; and p x p information */
    double *cg, *cu, *cv, *ca, *cb, *cfu, *cfv, *ch;
    double *work;       /* by worker, WORK(p) each */
} cox_fit;

/* ------------------------------------------------------------------ */
/* column means (once) */

typedef struct mean_pass {
    cox_fit *f;
    double *sums; /* by chunk: p weighted sums and the weight */
} mean_pass;

static void mean_chunk(void *arg, size_t c, size_t worker)
{
    mean_pass *mp = arg;
    cox_fit *f = mp->f;
    const ck_dataset *ds = f->ds;
    size_t p = f->p, begin, end;
    double *x = f->work + worker * WORK(p), *s = mp->sums + c * (p + 1);
    memset(s, 0, (p + 1) * sizeof *s);
    ck_chunk_range(ds->n, f->nchunks0, c, &begin, &end);
    for (size_t i = begin; i < end; i++) {
        if (f->pos[i] == SIZE_MAX)
            continue;
        double w = f->w[f->pos[i]];
        ck_design_row(ds->design, ds->rows[i], x);
        for (size_t j = 0; j < p; j++)
            s[j] += w * x[j];
        s[p] += w;
    }
}

/* Fills f->center; -1 when out of memory, 1 when a value is not finite. */
static int column_means(cox_fit *f)
{
    size_t p = f->p;
    mean_pass mp = {f, calloc(f->nchunks0 * (p + 1), sizeof(double))};
    if (!mp.sums)
        return -1;
    ck_parallel_for(f->nchunks0, f->threads, mean_chunk, &mp);
    double total = 0;
    memset(f->center, 0, p * sizeof *f->center);
    for (size_t c = 0; c < f->nchunks0; c++) {
        for (size_t j = 0; j < p; j++)
            f->center[j] += mp.sums[c * (p + 1) + j];
        total += mp.sums[c * (p + 1) + p];
    }
    free(mp.sums);
    int bad = 0;
    for (size_t j = 0; j < p; j++) {
        f->center[j] /= total;
        bad |= !isfinite(f->center[j]);
    }
    return bad;
}

/* ------------------------------------------------------------------ */
/* the log-likelihood: eta, risk scores and the risk-set scan */

/* Pass 0, by dataset index (the table's order, for the cache): eta of
 * every row, written at its position, and the chunk's largest. */
static void eta_chunk(void *arg, size_t c, size_t worker)
{
    cox_fit *f = arg;
    const ck_dataset *ds = f->ds;
    size_t p = f->p, begin, end;
    double *x = f->work + worker * WORK(p), mx = -INFINITY;
    int nan = 0;
    ck_chunk_range(ds->n, f->nchunks0, c, &begin, &end);
    for (size_t i = begin; i < end; i++) {
        size_t s = f->pos[i];
        if (s == SIZE_MAX)
            continue;
        ck_design_row(ds->design, ds->rows[i], x);
        double eta = 0;
        for (size_t j = 0; j < p; j++)
            eta += (x[j] - f->center[j]) * f->beta[j];
        f->eta[s] = eta;
        nan |= !isfinite(eta);
        mx = eta > mx ? eta : mx;
    }
    f->ci0[c].max_eta = mx;
    f->ci0[c].nan = nan;
}

/* By position: r = w exp(eta - shift) and the chunk's sum of
 * w delta (eta - shift), the events' part of the log-likelihood. */
static void risk_chunk(void *arg, size_t c, size_t worker)
{
    cox_fit *f = arg;
    size_t begin, end;
    double wde = 0;
    (void)worker;
    ck_chunk_range(f->n, f->nchunks, c, &begin, &end);
    for (size_t s = begin; s < end; s++) {
        double z = f->eta[s] - f->shift;
        f->r[s] = f->w[s] * exp(z);
        if (f->ev[s])
            wde += f->w[s] * z;
    }
    f->ci[c].wde = wde;
}

/* The terms of one event time from its risk-set sum S, the events' sum E,
 * their weight W and count d: returns the log-likelihood's
 * -(W/d) sum_l log s_l and fills the coefficients.  Breslow (and Efron
 * with one event, where the two agree) uses s_0 = S alone with weight W,
 * as R's coxfit6.c does. */
static double event_terms(int efron, double S, double E, double W, size_t d, event_time *et)
{
    if (!efron || d == 1) {
        et->dh = W / S;
        et->e = et->b = et->c = 0;
        et->a = W / (S * S);
        return -W * log(S);
    }
    double wt = W / (double)d, ll = 0, dh = 0, e = 0, a = 0, b = 0, c = 0;
    for (size_t l = 0; l < d; l++) {
        double fr = (double)l / (double)d, s = S - fr * E, inv = 1 / s;
        ll -= log(s);
        dh += inv;
        e += fr * inv;
        a += inv * inv;
        b += fr * inv * inv;
        c += fr * fr * inv * inv;
    }
    et->dh = wt * dh;
    et->e = wt * e;
    et->a = wt * a;
    et->b = wt * b;
    et->c = wt * c;
    return wt * ll;
}

/* The partial log-likelihood at beta (unpenalized); leaves eta, r and the
 * event times for the derivative pass.  NaN or -inf when it cannot be
 * evaluated (non-finite eta, a risk set underflowing to 0). */
static double loglik_at(cox_fit *f, const double *beta)
{
    f->beta = beta;
    ck_parallel_for(f->nchunks0, f->threads, eta_chunk, f);
    double shift = -INFINITY;
    for (size_t c = 0; c < f->nchunks0; c++) {
        if (f->ci0[c].nan)
            return NAN;
        shift = f->ci0[c].max_eta > shift ? f->ci0[c].max_eta : shift;
    }
    f->shift = shift;
    ck_parallel_for(f->nchunks, f->threads, risk_chunk, f);
    double ll = 0, S = 0;
    for (size_t c = 0; c < f->nchunks; c++)
        ll += f->ci[c].wde;
    /* the risk sets by running sums in decreasing time: a block's rows
     * all join before its event terms are taken */
    f->net = 0;
    for (size_t s = 0; s < f->n;) {
        size_t s1 = s, d = 0;
        double E = 0, W = 0;
        for (; s1 < f->n && f->t[s1] == f->t[s]; s1++) {
            S += f->r[s1];
            if (f->ev[s1]) {
                E += f->r[s1];
                W += f->w[s1];
                d++;
            }
        }
        if (d > 0) {
            event_time *et = &f->et[f->net++];
            et->end = s1 - 1;
            ll += event_terms(f->efron, S, E, W, d, et);
        }
        s = s1;
    }
    return ll;
}

/* ------------------------------------------------------------------ */
/* the score and the information */

/* Adds one block's score and X' diag(sw) X (upper triangle) to g and h;
 * xc holds the block column-major, xs is scratch. */
static void add_block(size_t p, const double *xc, double *xs, const double *resid,
                      const double *sw, size_t nb, double *g, double *h)
{
    for (size_t j = 0; j < p; j++)
        g[j] += ck_dot(xc + j * BLOCK, resid, nb);
    for (size_t j = 0; j < p; j++)
        for (size_t i = 0; i < nb; i++)
            xs[j * BLOCK + i] = xc[j * BLOCK + i] * sw[i];
    for (size_t j = 0; j < p; j++)
        for (size_t k = j; k < p; k++)
            h[j * p + k] += ck_dot(xs + j * BLOCK, xc + k * BLOCK, nb);
}

/* h -= Y'Y (upper triangle) for the ny vectors in yc (column-major) */
static void subtract_block(size_t p, const double *yc, size_t ny, double *h)
{
    for (size_t j = 0; j < p; j++)
        for (size_t k = j; k < p; k++)
            h[j * p + k] -= ck_dot(yc + j * BLOCK, yc + k * BLOCK, ny);
}

/* h -= a u u' - b (u v' + v u') + c v v' (upper triangle) */
static void subtract_terms(size_t p, double *h, double a, double b, double c, const double *u,
                           const double *v)
{
    for (size_t j = 0; j < p; j++)
        for (size_t k = j; k < p; k++)
            h[j * p + k] -= a * u[j] * u[k] - b * (u[j] * v[k] + v[j] * u[k]) +
                            c * v[j] * v[k];
}

/* The first event time whose block ends at or after position s. */
static size_t first_event_from(const cox_fit *f, size_t s)
{
    size_t lo = 0, hi = f->net;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (f->et[mid].end < s)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Rows in time order are random rows of the table: each takes a cache
 * miss per column.  Asking for the cells of the row PREFETCH positions
 * ahead lets those misses overlap with the work on the rows before. */
enum { PREFETCH = 8 };

static void prefetch_row(const cox_fit *f, size_t row)
{
    size_t nfeat = f->ds->design->pl->nfeat;
    for (size_t k = 0; k < nfeat; k++)
        __builtin_prefetch((const char *)f->cols[k] + row * f->cell[k]);
}

/*
 * Pass 1, by position (decreasing time): the score sum_i x_i (w_i delta_i
 * - r_i q_i) and X' diag(r q) X, and the event-time terms
 * a u u' - b (u v' + v u') + c v v' with u the running sum of r x from the
 * chunk's start and v that of the block's events.  The sums before the
 * chunk, U, are not known here: a block completed inside the chunk
 * subtracts its terms with the local u and keeps sum a, sum a u and
 * sum b v, so that the merge can add the parts in U (the terms are
 * quadratic in u = U + u_local).  A block continued from the chunk before
 * has part of its v there too: its terms are left to the merge.
 */
static void deriv_chunk(void *arg, size_t c, size_t worker)
{
    cox_fit *f = arg;
    const ck_dataset *ds = f->ds;
    size_t p = f->p, begin, end, nb = 0;
    double *x = f->work + worker * WORK(p), *u = x + p, *v = u + p, *xc = v + p;
    double *xs = xc + p * BLOCK, *yc = xs + p * BLOCK, *resid = yc + p * BLOCK;
    double *sw = resid + BLOCK;
    size_t ny = 0;
    double *g = f->cg + c * p, *h = f->ch + c * p * p, *av = f->ca + c * p, *bv = f->cb + c * p;
    chunk_info *ci = &f->ci[c];
    ck_chunk_range(f->n, f->nchunks, c, &begin, &end);
    memset(g, 0, p * sizeof *g);
    memset(h, 0, p * p * sizeof *h);
    memset(av, 0, p * sizeof *av);
    memset(bv, 0, p * sizeof *bv);
    memset(u, 0, p * sizeof *u);
    memset(v, 0, p * sizeof *v);
    ci->asum = 0;
    ci->cont = begin > 0 && f->t[begin] == f->t[begin - 1];
    ci->whole = f->t[begin] == f->t[end - 1];
    ci->first = 0;
    int continued = ci->cont;
    size_t k = first_event_from(f, begin);
    for (size_t s = begin; s < begin + PREFETCH && s < end; s++)
        prefetch_row(f, f->row[s]);
    for (size_t s = begin; s < end; s++) {
        if (s + PREFETCH < end)
            prefetch_row(f, f->row[s + PREFETCH]);
        if (s > begin && f->t[s] != f->t[s - 1]) { /* a new block */
            memset(v, 0, p * sizeof *v);
            continued = 0;
        }
        ck_design_row(ds->design, f->row[s], x);
        double rs = f->r[s];
        for (size_t j = 0; j < p; j++) {
            double xj = x[j] - f->center[j];
            u[j] += rs * xj;
            if (f->ev[s])
                v[j] += rs * xj;
            xc[j * BLOCK + nb] = xj;
        }
        resid[nb] = (f->ev[s] ? f->w[s] : 0) - rs * f->q[s];
        sw[nb] = rs * f->q[s];
        if (++nb == BLOCK) {
            add_block(p, xc, xs, resid, sw, nb, g, h);
            nb = 0;
        }
        if (k < f->net && f->et[k].end == s) { /* an event time's block ends */
            const event_time *et = &f->et[k++];
            if (continued) {
                ci->first = 1;
                ci->fa = et->a;
                ci->fb = et->b;
                ci->fc = et->c;
                memcpy(f->cfu + c * p, u, p * sizeof *u);
                memcpy(f->cfv + c * p, v, p * sizeof *v);
            } else {
                ci->asum += et->a;
                for (size_t j = 0; j < p; j++) {
                    av[j] += et->a * u[j];
                    bv[j] += et->b * v[j];
                }
                /* a u u' - b (u v' + v u') + c v v' = y1 y1' + y2 y2' by the
                 * Cholesky factor of [a -b; -b c] (positive semi-definite:
                 * b^2 <= a c by Cauchy-Schwarz), y1 = sqrt(a) u - b/sqrt(a) v,
                 * y2 = sqrt(c - b^2/a) v; gathered like rows and subtracted
                 * BLOCK at a time as Y'Y */
                double ra = sqrt(et->a), rb = et->b / ra, rc = sqrt(fmax(et->c - rb * rb, 0));
                for (size_t j = 0; j < p; j++)
                    yc[j * BLOCK + ny] = ra * u[j] - rb * v[j];
                if (++ny == BLOCK) {
                    subtract_block(p, yc, ny, h);
                    ny = 0;
                }
                if (rc > 0) {
                    for (size_t j = 0; j < p; j++)
                        yc[j * BLOCK + ny] = rc * v[j];
                    if (++ny == BLOCK) {
                        subtract_block(p, yc, ny, h);
                        ny = 0;
                    }
                }
            }
        }
    }
    if (nb > 0)
        add_block(p, xc, xs, resid, sw, nb, g, h);
    if (ny > 0)
        subtract_block(p, yc, ny, h);
    memcpy(f->cu + c * p, u, p * sizeof *u);
    memcpy(f->cv + c * p, v, p * sizeof *v);
}

/* The score g and the information h (p x p, full) at the beta of the last
 * loglik_at.  scratch: 4p doubles. */
static void derivatives(cox_fit *f, double *g, double *h, double *scratch)
{
    size_t p = f->p;
    /* q = A - B by a backward sweep: A sums the hazard increments of the
     * event times at or before the row's time */
    double A = 0;
    size_t k = f->net;
    for (size_t s = f->n; s-- > 0;) {
        while (k > 0 && f->et[k - 1].end >= s)
            A += f->et[--k].dh;
        /* an event row's block is the event time added last */
        f->q[s] = A - (f->ev[s] ? f->et[k].e : 0);
    }
    ck_parallel_for(f->nchunks, f->threads, deriv_chunk, f);
    /* U: the sum of r x over the chunks before; Vin: the events' r x of
     * the block running into the chunk, from the chunks before */
    double *U = scratch, *Vin = U + p, *uu = Vin + p, *vv = uu + p;
    memset(g, 0, p * sizeof *g);
    memset(h, 0, p * p * sizeof *h);
    memset(U, 0, p * sizeof *U);
    memset(Vin, 0, p * sizeof *Vin);
    for (size_t c = 0; c < f->nchunks; c++) {
        const chunk_info *ci = &f->ci[c];
        const double *hc = f->ch + c * p * p, *av = f->ca + c * p, *bv = f->cb + c * p;
        for (size_t j = 0; j < p; j++)
            g[j] += f->cg[c * p + j];
        /* a (U + u)(U + u)' - b ((U + u) v' + v (U + u)') expanded: the
         * chunk kept the terms in u alone */
        for (size_t j = 0; j < p; j++)
            for (size_t i = j; i < p; i++)
                h[j * p + i] += hc[j * p + i] -
                                (U[j] * av[i] + av[j] * U[i] + ci->asum * U[j] * U[i] -
                                 U[j] * bv[i] - bv[j] * U[i]);
        if (ci->first) { /* the block continued from the chunks before */
            const double *fu = f->cfu + c * p, *fv = f->cfv + c * p;
            for (size_t j = 0; j < p; j++) {
                uu[j] = U[j] + fu[j];
                vv[j] = Vin[j] + fv[j];
            }
            subtract_terms(p, h, ci->fa, ci->fb, ci->fc, uu, vv);
        }
        /* into the next chunk: the events' sum of the chunk's last block,
         * plus what ran into this chunk when the block spans all of it */
        if (c + 1 < f->nchunks && f->ci[c + 1].cont) {
            if (!(ci->whole && ci->cont))
                memset(Vin, 0, p * sizeof *Vin);
            for (size_t j = 0; j < p; j++)
                Vin[j] += f->cv[c * p + j];
        } else {
            memset(Vin, 0, p * sizeof *Vin);
        }
        for (size_t j = 0; j < p; j++)
            U[j] += f->cu[c * p + j];
    }
    for (size_t j = 0; j < p; j++)
        for (size_t i = 0; i < j; i++)
            h[j * p + i] = h[i * p + j];
}

/* ------------------------------------------------------------------ */
/* linear algebra (the solves are spd.c's) */

/* Solves H d = g within the directions where H is clearly positive: H is
 * scaled to unit diagonal (so that the columns' units do not matter) and
 * eigendecomposed, and the eigenvalues below `cut` times the largest are
 * dropped with their directions.  For the diagnosis of diverging
 * coefficients, where a Cholesky solve that just succeeds on a singular H
 * (collinear columns) would turn the rounding in g along the null
 * direction into an arbitrary step.  0 or -1. */
static int solve_dropping_null(const double *h, const double *g, size_t p, double cut,
                               double *d)
{
    gsl_matrix *a = gsl_matrix_alloc(p, p), *vec = gsl_matrix_alloc(p, p);
    gsl_vector *val = gsl_vector_alloc(p);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(p);
    double *sc = malloc(p * sizeof *sc);
    int rc = -1;
    if (!a || !vec || !val || !ws || !sc)
        goto done;
    for (size_t j = 0; j < p; j++)
        sc[j] = h[j * p + j] > 0 ? 1 / sqrt(h[j * p + j]) : 1;
    for (size_t j = 0; j < p; j++)
        for (size_t k = 0; k < p; k++)
            gsl_matrix_set(a, j, k, h[j * p + k] * sc[j] * sc[k]);
    if (gsl_eigen_symmv(a, val, vec, ws) != 0)
        goto done;
    double top = gsl_vector_max(val);
    memset(d, 0, p * sizeof *d);
    for (size_t e = 0; e < p; e++) {
        double lam = gsl_vector_get(val, e), proj = 0;
        if (!(lam > cut * top))
            continue;
        for (size_t j = 0; j < p; j++)
            proj += gsl_matrix_get(vec, j, e) * sc[j] * g[j];
        for (size_t j = 0; j < p; j++)
            d[j] += gsl_matrix_get(vec, j, e) * proj / lam * sc[j];
    }
    rc = 0;
done:
    gsl_matrix_free(a);
    gsl_matrix_free(vec);
    gsl_vector_free(val);
    if (ws)
        gsl_eigen_symmv_free(ws);
    free(sc);
    return rc;
}

/* ------------------------------------------------------------------ */
/* setup */

static void fit_free(cox_fit *f)
{
    free(f->row);
    free(f->t);
    free(f->w);
    free(f->ev);
    free(f->eta);
    free(f->r);
    free(f->q);
    free(f->pos);
    free(f->center);
    free(f->cols);
    free(f->cell);
    free(f->et);
    free(f->ci0);
    free(f->ci);
    free(f->cg);
    free(f->cu);
    free(f->cv);
    free(f->ca);
    free(f->cb);
    free(f->cfu);
    free(f->cfv);
    free(f->ch);
    free(f->work);
}

/* Checks the inputs, counts the rows and events, and orders the rows of
 * positive weight by decreasing time. */
static ck_status fit_setup(cox_fit *f, const ck_dataset *ds, const double *time,
                           const double *event, ck_cox *m, ck_error *err)
{
    size_t n = 0;
    for (size_t i = 0; i < ds->n; i++) {
        size_t r = ds->rows[i];
        double w = ds->weight ? ds->weight[r] : 1.0, t = time[r], e = event[r];
        if (!isfinite(t) || t < 0)
            return ck_error_set(err, CK_EDATA, "Cox regression: the survival time %g of table "
                                               "row %zu is %s", t, r,
                                t < 0 ? "negative" : "not a finite number");
        if (e != 0 && e != 1)
            return ck_error_set(err, CK_EDATA, "Cox regression: the event indicator %g of "
                                               "table row %zu is not 0 (censored) or 1 "
                                               "(churned)", e, r);
        if (!isfinite(w) || w < 0)
            return ck_error_set(err, CK_EDATA, "Cox regression: the weight %g of table row "
                                               "%zu is negative or not finite", w, r);
        if (w > 0) {
            n++;
            m->events += e == 1;
            m->event_weight += e == 1 ? w : 0;
            m->weight_sum += w;
        }
    }
    m->n = n;
    if (m->events == 0)
        return ck_error_set(err, CK_EDATA, "Cox regression: no events among the %zu rows "
                                           "(every row is censored), so there is nothing to "
                                           "estimate", n);
    /* for the static analyzer: an event is a row of positive weight */
    if (n == 0)
        return ck_error_set(err, CK_EDATA, "Cox regression: no rows");
    size_t p = f->p;
    f->n = n;
    f->nchunks0 = ck_chunks_for(ds->n);
    f->nchunks = ck_chunks_for(n);
    size_t workers = ck_parallel_workers(f->nchunks0 > f->nchunks ? f->nchunks0 : f->nchunks,
                                         f->threads);
    f->row = malloc(n * sizeof *f->row); /* n >= events > 0 */
    f->t = malloc(n * sizeof *f->t);
    f->w = malloc(n * sizeof *f->w);
    f->ev = malloc(n);
    f->eta = malloc(n * sizeof *f->eta);
    f->r = malloc(n * sizeof *f->r);
    f->q = malloc(n * sizeof *f->q);
    f->pos = malloc(ds->n * sizeof *f->pos);
    f->center = calloc(p, sizeof *f->center);
    f->et = malloc(m->events * sizeof *f->et);
    f->ci0 = calloc(f->nchunks0, sizeof *f->ci0);
    f->ci = calloc(f->nchunks, sizeof *f->ci);
    f->cg = malloc(f->nchunks * p * sizeof *f->cg);
    f->cu = malloc(f->nchunks * p * sizeof *f->cu);
    f->cv = malloc(f->nchunks * p * sizeof *f->cv);
    f->ca = malloc(f->nchunks * p * sizeof *f->ca);
    f->cb = malloc(f->nchunks * p * sizeof *f->cb);
    f->cfu = malloc(f->nchunks * p * sizeof *f->cfu);
    f->cfv = malloc(f->nchunks * p * sizeof *f->cfv);
    f->ch = malloc(f->nchunks * p * p * sizeof *f->ch);
    f->work = malloc(workers * WORK(p) * sizeof *f->work);
    keyed *order = malloc(n * sizeof *order);
    const ck_design *dz = ds->design;
    size_t nfeat = dz->pl->nfeat;
    f->cols = malloc((nfeat ? nfeat : 1) * sizeof *f->cols);
    f->cell = malloc((nfeat ? nfeat : 1) * sizeof *f->cell);
    for (size_t k = 0; f->cols && f->cell && k < nfeat; k++) {
        const ck_column *col = &dz->t->col[dz->col[k]];
        f->cols[k] = col->type == CK_COL_NUMERIC ? (const void *)col->num : (const void *)col->code;
        f->cell[k] = col->type == CK_COL_NUMERIC ? sizeof *col->num : sizeof *col->code;
    }
    if (!f->cols || !f->cell || !f->row || !f->t || !f->w || !f->ev || !f->eta || !f->r ||
        !f->q || !f->pos || !f->center || !f->et || !f->ci0 || !f->ci || !f->cg || !f->cu ||
        !f->cv || !f->ca || !f->cb || !f->cfu || !f->cfv || !f->ch || !f->work || !order) {
        free(order);
        return ck_error_set(err, CK_ENOMEM, "Cox regression: out of memory (%zu rows, %zu "
                                            "columns)", n, p);
    }
    /* one sort by decreasing time; ties stay in dataset order */
    size_t k = 0;
    for (size_t i = 0; i < ds->n; i++) {
        size_t r = ds->rows[i];
        if ((ds->weight ? ds->weight[r] : 1.0) > 0)
            order[k++] = (keyed){desc_key(time[r]), i};
    }
    if (radix_sort(order, n) != 0) {
        free(order);
        return ck_error_set(err, CK_ENOMEM, "Cox regression: out of memory");
    }
    for (size_t i = 0; i < ds->n; i++)
        f->pos[i] = SIZE_MAX;
    for (size_t s = 0; s < n; s++) {
        size_t i = order[s].idx, r = ds->rows[i];
        f->pos[i] = s;
        f->row[s] = r;
        f->t[s] = time[r] == 0 ? 0.0 : time[r];
        f->w[s] = ds->weight ? ds->weight[r] : 1.0;
        f->ev[s] = event[r] == 1;
    }
    free(order);
    for (size_t s = 0; s < n; s++)
        m->last_time = f->t[s] > m->last_time ? f->t[s] : m->last_time;
    return CK_OK;
}

/* ------------------------------------------------------------------ */
/* Newton-Raphson with step halving */

typedef struct newton_state {
    double *beta, *trial, *g, *h, *gp, *hp, *d, *scratch;
    double *last; /* the last step taken */
} newton_state;

/* the penalized score and information from the plain ones */
static void penalize(size_t p, double l2, const double *beta, const double *g, const double *h,
                     double *gp, double *hp)
{
    memcpy(gp, g, p * sizeof *g);
    memcpy(hp, h, p * p * sizeof *h);
    for (size_t j = 0; j < p; j++) {
        gp[j] -= l2 * beta[j];
        hp[j * p + j] += l2;
    }
}

static double norm2(const double *v, size_t p)
{
    double s = 0;
    for (size_t j = 0; j < p; j++)
        s += v[j] * v[j];
    return s;
}

static ck_status newton(cox_fit *f, newton_state *st, const ck_cox_options *opt, ck_cox *m,
                        ck_error *err)
{
    size_t p = f->p, max_iter = opt->max_iter > 0 ? (size_t)opt->max_iter : 50;
    double l2 = opt->l2, tol = opt->tol > 0 ? opt->tol : 1e-9;
    memset(st->beta, 0, p * sizeof *st->beta);
    double ll = loglik_at(f, st->beta);
    if (!isfinite(ll))
        return ck_error_set(err, CK_EDATA, "Cox regression: the partial likelihood at beta = 0 "
                                           "is not finite (non-finite values in the rows?)");
    m->loglik0 = ll;
    derivatives(f, st->g, st->h, st->scratch);
    /* the score test, U' I^-1 U at beta = 0, without the penalty */
    if (ck_spd_solve(st->h, st->g, p, st->d) < 0)
        return ck_error_set(err, CK_ENOMEM, "Cox regression: out of memory");
    m->score_stat = ck_dot(st->g, st->d, p);
    double g0 = fmax(1.0, ck_max_abs(st->g, p)), fval = ll;
    int at_beta = 1; /* eta and r belong to beta (not to a rejected trial) */
    penalize(p, l2, st->beta, st->g, st->h, st->gp, st->hp);
    for (m->iterations = 0; m->iterations < max_iter; m->iterations++) {
        if (ck_max_abs(st->gp, p) <= tol * g0) {
            m->converged = 1;
            break;
        }
        if (ck_spd_solve(st->hp, st->gp, p, st->d) < 0)
            return ck_error_set(err, CK_EDATA, "Cox regression: the Newton system could not "
                                               "be solved");
        if (opt->progress)
            opt->progress(opt->progress_ctx, "fitting", -1);
        /* step halving: the first step that does not lower the penalized
         * log-likelihood (beyond rounding); a step into overflow or an
         * empty risk set gives a non-finite value and is halved too */
        double t = 1.0, f2 = -INFINITY, ll2 = -INFINITY;
        int accepted = 0;
        for (int half = 0; half < 40 && !accepted; half++, t *= 0.5) {
            for (size_t j = 0; j < p; j++)
                st->trial[j] = st->beta[j] + t * st->d[j];
            ll2 = loglik_at(f, st->trial);
            f2 = ll2 - 0.5 * l2 * norm2(st->trial, p);
            accepted = isfinite(f2) && f2 >= fval - 1e-12 * fabs(fval);
        }
        if (!accepted) {
            at_beta = 0;
            break; /* no progress possible: report the score as it is */
        }
        for (size_t j = 0; j < p; j++)
            st->last[j] = st->trial[j] - st->beta[j];
        double *tmp = st->beta;
        st->beta = st->trial;
        st->trial = tmp;
        fval = f2;
        ll = ll2;
        derivatives(f, st->g, st->h, st->scratch);
        penalize(p, l2, st->beta, st->g, st->h, st->gp, st->hp);
    }
    if (!m->converged && ck_max_abs(st->gp, p) <= tol * g0)
        m->converged = 1;
    m->grad_rel = ck_max_abs(st->gp, p) / g0;
    if (!at_beta)
        ll = loglik_at(f, st->beta); /* the baseline hazard and concordance need it */
    memcpy(m->beta, st->beta, p * sizeof *m->beta);
    m->loglik = ll;
    m->penalty = 0.5 * l2 * norm2(m->beta, p);
    if (ck_spd_invert(st->hp, p, m->cov) != 0)
        return ck_error_set(err, CK_ENOMEM, "Cox regression: out of memory");
    return CK_OK;
}

/* ------------------------------------------------------------------ */
/* results */

static double chisq_p(double stat, double df)
{
    return df > 0 && isfinite(stat) ? gsl_cdf_chisq_Q(fmax(stat, 0), df) : NAN;
}

static void tests(const newton_state *st, size_t p, double l2, ck_cox *m)
{
    m->lr_stat = 2 * (m->loglik - m->loglik0);
    /* the effective degrees of freedom of a ridge fit, trace(cov I) with
     * I the unpenalized information: cov (I + L) = 1, so p - L trace(cov) */
    double tr = 0;
    for (size_t j = 0; j < p; j++)
        tr += m->cov[j * p + j];
    m->lr_df = (double)p - l2 * tr;
    /* beta' cov^-1 beta, with cov^-1 the (penalized) information itself */
    double wald = 0;
    for (size_t j = 0; j < p; j++)
        wald += m->beta[j] * ck_dot(st->hp + j * p, m->beta, p);
    m->wald_stat = wald;
    m->lr_p = chisq_p(m->lr_stat, m->lr_df);
    m->wald_p = chisq_p(m->wald_stat, (double)p);
    m->score_p = chisq_p(m->score_stat, (double)p);
}

/* The baseline cumulative hazard at each event time, for rows whose
 * encoded values are all 0: the increments at the shifted, centered risk
 * scores times exp(-(shift + center' beta)), summed in increasing time as
 * R's survfit does (cumsum). */
static ck_status baseline(const cox_fit *f, ck_cox *m, ck_error *err)
{
    size_t nt = f->net;
    m->ntimes = nt;
    m->time = calloc(nt, sizeof *m->time); /* nt > 0: there are events */
    m->cumhaz = calloc(nt, sizeof *m->cumhaz);
    m->nrisk = calloc(nt, sizeof *m->nrisk);
    m->nevent = calloc(nt, sizeof *m->nevent);
    if (!m->time || !m->cumhaz || !m->nrisk || !m->nevent)
        return ck_error_set(err, CK_ENOMEM, "Cox regression: out of memory");
    double scale = exp(-(f->shift + ck_dot(f->center, m->beta, f->p)));
    int efron = m->hazard == CK_COX_HAZARD_EFRON;
    double S = 0, N = 0;
    size_t k = nt; /* filled from the end: increasing time */
    for (size_t s = 0; s < f->n;) {
        size_t s1 = s, d = 0;
        double E = 0, W = 0;
        for (; s1 < f->n && f->t[s1] == f->t[s]; s1++) {
            S += f->r[s1];
            N += f->w[s1];
            if (f->ev[s1]) {
                E += f->r[s1];
                W += f->w[s1];
                d++;
            }
        }
        if (d > 0) {
            event_time et;
            (void)event_terms(efron, S, E, W, d, &et);
            k--;
            m->time[k] = f->t[s];
            m->cumhaz[k] = et.dh * scale; /* the increment, for now */
            m->nrisk[k] = N;
            m->nevent[k] = W;
        }
        s = s1;
    }
    for (size_t j = 1; j < nt; j++)
        m->cumhaz[j] += m->cumhaz[j - 1];
    return CK_OK;
}

/* Monotone likelihood: the partial likelihood rises toward a finite
 * supremum as some coefficients run to infinity (a column, or a
 * combination, orders the events perfectly).  Newton then keeps taking
 * steps of about the same size in that direction while the score fades.
 *  - When the score test of convergence is met all the same, do as R's
 *    coxph.fit does (its "Loglik converged before variable ..."): a
 *    coefficient is infinite when the next Newton step would still move it
 *    by more than sqrt(tol) relative (R: toler.inf = sqrt(eps)); a finite
 *    optimum leaves a step of rounding size.  The step leaves out the null
 *    directions of collinear columns (their own warning says so).
 *  - When it is not met (iterations ran out, or no step could raise the
 *    likelihood: far out, the information is a difference of nearly equal
 *    sums and loses its digits), the last step taken must still have been
 *    large, and the coefficient large: beyond 10 on the standardized scale,
 *    a hazard ratio of e^10 for one standard deviation, which no finite fit
 *    of real data reaches (the rule logistic regression uses for
 *    separation).
 * Returns the number of coefficients called infinite and fills `list`. */
static size_t infinite_coefficients(const cox_fit *f, newton_state *st, double tol,
                                    const ck_cox *m, char *list, size_t size, double *big)
{
    size_t p = f->p, used = 0, count = 0;
    const ck_pipeline *pl = f->ds->design->pl;
    const double *step = st->last;
    if (m->converged) {
        /* a diverging direction keeps an eigenvalue of about e^-|beta|
         * relative to the largest, 1e-9 at worst when the score test is
         * met; a null direction of collinear columns has rounding */
        if (solve_dropping_null(st->h, st->g, p, 1e-10, st->d) < 0)
            return 0;
        step = st->d;
    }
    *big = 0;
    list[0] = '\0';
    for (size_t j = 0; j < p; j++) {
        double b = fabs(m->beta[j]);
        if (!(fabs(step[j]) > sqrt(tol) * fmax(1.0, b)) || (!m->converged && !(b > 10)))
            continue;
        *big = fmax(*big, b);
        if (count++ < 5 && used + 80 < size)
            used += (size_t)snprintf(list + used, size - used, "%s'%s'", count > 1 ? ", " : "",
                                     pl->encoded[j]);
    }
    return count;
}

static void diagnose(const cox_fit *f, newton_state *st, const ck_cox_options *opt, ck_cox *m,
                     ck_warnings *w)
{
    size_t p = f->p;
    const ck_pipeline *pl = f->ds->design->pl;
    if (opt->l2 == 0) {
        char list[400];
        double big;
        size_t count = infinite_coefficients(f, st, opt->tol > 0 ? opt->tol : 1e-9, m, list,
                                             sizeof list, &big);
        m->monotone = count > 0;
        if (m->monotone)
            ck_warn(w, "Cox regression: monotone likelihood: the coefficient%s of %s%s grow%s "
                       "without bound (largest %.3g): the events are ordered perfectly by %s; "
                       "estimates and standard errors are meaningless; use --l2",
                    count > 1 ? "s" : "", list, count > 5 ? " and others" : "",
                    count > 1 ? "" : "s", big, count > 1 ? "them" : "it");
    }
    if (!m->converged)
        ck_warn(w, "Cox regression did not converge in %zu iterations (relative score %.2g); "
                   "results are approximate", m->iterations, m->grad_rel);
    /* variance inflation above 1e4 on the standardized scale; only an
     * unpenalized fit suffers from it (as logistic regression) */
    m->cond = ck_collinearity(opt->l2 == 0 ? st->h : st->hp, p,
                              (const char *const *)pl->encoded, opt->l2 == 0 ? 1e4 : 0, w);
}

static int concordance_core(size_t n, const double *time, const unsigned char *ev,
                            const double *w, const double *eta, ck_concordance *out);

ck_status ck_cox_fit(const ck_dataset *ds, const double *time, const double *event,
                     const ck_cox_options *opt, ck_cox *m, ck_warnings *w, ck_error *err)
{
    ck_cox_options defaults;
    if (!opt) {
        ck_cox_options_init(&defaults);
        opt = &defaults;
    }
    gsl_set_error_handler_off(); /* every GSL status is checked here */
    memset(m, 0, sizeof *m);
    size_t p = ds->design->pl->width;
    m->p = p;
    m->ties = opt->ties == CK_COX_BRESLOW ? CK_COX_BRESLOW : CK_COX_EFRON;
    m->hazard = opt->hazard == CK_COX_HAZARD_BRESLOW ? CK_COX_HAZARD_BRESLOW
              : opt->hazard == CK_COX_HAZARD_EFRON   ? CK_COX_HAZARD_EFRON
              : m->ties == CK_COX_EFRON              ? CK_COX_HAZARD_EFRON
                                                     : CK_COX_HAZARD_BRESLOW;
    m->l2 = opt->l2;
    if (!(opt->l2 >= 0) || !isfinite(opt->l2))
        return ck_error_set(err, CK_EUSAGE, "Cox regression: the L2 penalty must be >= 0");
    if (p == 0)
        return ck_error_set(err, CK_EDATA, "Cox regression: no columns to fit (the baseline "
                                           "hazard is all a model without covariates has)");
    cox_fit f = {.ds = ds, .p = p, .efron = m->ties == CK_COX_EFRON, .threads = opt->threads};
    newton_state st = {0};
    ck_status status = fit_setup(&f, ds, time, event, m, err);
    if (status != CK_OK)
        goto done;
    st.beta = calloc(p, sizeof *st.beta);
    st.trial = calloc(p, sizeof *st.trial);
    st.g = calloc(p, sizeof *st.g);
    st.gp = calloc(p, sizeof *st.gp);
    st.d = calloc(p, sizeof *st.d);
    st.scratch = calloc(4 * p, sizeof *st.scratch);
    st.last = calloc(p, sizeof *st.last);
    st.h = calloc(p * p, sizeof *st.h);
    st.hp = calloc(p * p, sizeof *st.hp);
    m->beta = calloc(p, sizeof *m->beta);
    m->cov = calloc(p * p, sizeof *m->cov);
    m->center = calloc(p, sizeof *m->center);
    if (!st.beta || !st.trial || !st.g || !st.gp || !st.d || !st.scratch || !st.last || !st.h ||
        !st.hp ||
        !m->beta || !m->cov || !m->center) {
        status = ck_error_set(err, CK_ENOMEM, "Cox regression: out of memory (%zu columns)", p);
        goto done;
    }
    int bad = column_means(&f);
    if (bad != 0) {
        status = bad < 0 ? ck_error_set(err, CK_ENOMEM, "Cox regression: out of memory")
                         : ck_error_set(err, CK_EDATA, "Cox regression: the encoded rows hold "
                                                       "non-finite values");
        goto done;
    }
    memcpy(m->center, f.center, p * sizeof *m->center);
    status = newton(&f, &st, opt, m, err);
    if (status != CK_OK)
        goto done;
    tests(&st, p, opt->l2, m);
    status = baseline(&f, m, err);
    if (status != CK_OK)
        goto done;
    /* the concordance of the fitted linear predictors (centered or not
     * makes no difference: a shift keeps every order); what it does not
     * need goes first */
    free(f.q);
    free(f.r);
    free(f.row);
    free(f.pos);
    free(f.et);
    f.q = f.r = NULL;
    f.row = f.pos = NULL;
    f.et = NULL;
    if (concordance_core(f.n, f.t, f.ev, f.w, f.eta, &m->concordance) != 0) {
        status = ck_error_set(err, CK_ENOMEM, "Cox regression: out of memory");
        goto done;
    }
    diagnose(&f, &st, opt, m, w);
done:
    fit_free(&f);
    free(st.beta);
    free(st.trial);
    free(st.g);
    free(st.gp);
    free(st.d);
    free(st.scratch);
    free(st.last);
    free(st.h);
    free(st.hp);
    if (status != CK_OK)
        ck_cox_fini(m);
    return status;
}

void ck_cox_fini(ck_cox *m)
{
    free(m->beta);
    free(m->cov);
    free(m->center);
    free(m->time);
    free(m->cumhaz);
    free(m->nrisk);
    free(m->nevent);
    m->beta = m->cov = m->center = m->time = m->cumhaz = m->nrisk = m->nevent = NULL;
    m->ntimes = 0;
}

/* ------------------------------------------------------------------ */
/* prediction */

double ck_cox_eta(const ck_cox *m, const double *x)
{
    double eta = 0;
    for (size_t j = 0; j < m->p; j++)
        eta += m->beta[j] * x[j];
    return eta;
}

ck_ph_curve ck_cox_curve(const ck_cox *m)
{
    return (ck_ph_curve){m->ntimes, m->time, m->cumhaz, m->nrisk, m->nevent, m->last_time};
}

/* The number of event times <= t. */
static size_t times_upto(const ck_ph_curve *c, double t)
{
    size_t lo = 0, hi = c->ntimes;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->time[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

double ck_ph_cumhaz(const ck_ph_curve *c, double t)
{
    if (isnan(t))
        return NAN;
    size_t k = times_upto(c, t);
    return k == 0 ? 0.0 : c->cumhaz[k - 1];
}

/* exp(-H exp(eta)), with H = 0 giving 1 even when exp(eta) overflows */
static double surv_of(double H, double eta)
{
    return H > 0 ? exp(-H * exp(eta)) : 1.0;
}

double ck_ph_survival(const ck_ph_curve *c, double eta, double t)
{
    if (isnan(eta) || isnan(t))
        return NAN;
    return surv_of(ck_ph_cumhaz(c, t), eta);
}

double ck_ph_km(const ck_ph_curve *c, double t)
{
    if (isnan(t))
        return NAN;
    double S = 1;
    for (size_t k = 0; k < c->ntimes && c->time[k] <= t; k++)
        S *= c->nrisk[k] > 0 ? 1 - c->nevent[k] / c->nrisk[k] : 1;
    return S;
}

double ck_ph_rmst(const ck_ph_curve *c, double eta, double tmax)
{
    if (isnan(eta) || isnan(tmax))
        return NAN;
    if (tmax <= 0)
        return 0;
    /* S is 1 on [0, time[0]) and surv_of(cumhaz[k]) on [time[k], time[k+1]) */
    double area = 0, from = 0, S = 1;
    for (size_t k = 0; k < c->ntimes && c->time[k] < tmax; k++) {
        area += S * (c->time[k] - from);
        from = c->time[k];
        S = surv_of(c->cumhaz[k], eta);
    }
    return area + S * (tmax - from);
}

/* ------------------------------------------------------------------ */
/* concordance */

/* A Fenwick tree over the ranks of eta, with the weight of each rank kept
 * apart: the weight below a rank, at it, and (from the total) above it. */
typedef struct fenwick {
    double *tree, *node, total;
    size_t n;
} fenwick;

static void fw_add(fenwick *fw, size_t rank, double v)
{
    for (size_t i = rank + 1; i <= fw->n; i += i & (~i + 1))
        fw->tree[i - 1] += v;
    fw->node[rank] += v;
    fw->total += v;
}

static void fw_query(const fenwick *fw, size_t rank, double *below, double *at, double *above)
{
    double s = 0;
    for (size_t i = rank; i > 0; i -= i & (~i + 1))
        s += fw->tree[i - 1];
    *below = s;
    *at = fw->node[rank];
    *above = fw->total - s - fw->node[rank];
}

/*
 * R's concordance3 (survival/src/concordance3.c), on Fenwick trees instead
 * of its balanced binary tree, over rows already in decreasing time order
 * (time, ev, w, eta by position).  Within a time, the censored rows are
 * taken before the events (a row censored at t was at risk at t).  `all`
 * holds the rows already passed (the risk set of the events to come),
 * `dead` the events passed.  An event meets the rows in `all` as its
 * comparable partners: those below its eta make concordant pairs.  Each
 * row's own tallies (C_i, D_i, T_i of cox.h) also count the events at
 * earlier times it was at risk for: the weight of `dead` is subtracted
 * when the row enters and added at the end, leaving the events that came
 * after it (and, for a censored row, those at its own time).  R sorts the
 * events of one time by eta to count tied_xy from neighbours; here it is
 * the growth of `dead`'s weight at the event's eta while its time's events
 * go in.  O(n log n): a radix sort for the ranks of eta, and four tree
 * operations a row.
 */
static int concordance_core(size_t n, const double *time, const unsigned char *ev,
                            const double *w, const double *eta, ck_concordance *out)
{
    keyed *a = malloc((n ? n : 1) * sizeof *a);
    size_t *rank = malloc((n ? n : 1) * sizeof *rank);
    double *tally = NULL, *trees = NULL; /* after the sort: less memory at once */
    int rc = -1;
    memset(out, 0, sizeof *out);
    if (!a || !rank)
        goto done;
    /* ranks of eta, equal values sharing one */
    for (size_t i = 0; i < n; i++)
        a[i] = (keyed){asc_key(eta[i]), i};
    if (radix_sort(a, n) != 0)
        goto done;
    size_t nu = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && a[i].key != a[i - 1].key)
            nu++;
        rank[a[i].idx] = nu;
    }
    nu += n > 0;
    free(a);
    a = NULL;
    tally = calloc(3 * (n ? n : 1), sizeof *tally); /* C_i, D_i, T_i */
    trees = calloc(4 * (nu ? nu : 1), sizeof *trees);
    if (!tally || !trees)
        goto done;
    fenwick all = {trees, trees + nu, 0, nu}, dead = {trees + 2 * nu, trees + 3 * nu, 0, nu};
    double conc = 0, disc = 0, tx = 0, ty = 0, txy = 0, lo, at, hi;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && time[j] == time[i])
            j++;
        for (size_t s = i; s < j; s++) { /* the censored rows */
            if (ev[s])
                continue;
            fw_query(&dead, rank[s], &lo, &at, &hi);
            tally[3 * s] -= hi;
            tally[3 * s + 1] -= lo;
            tally[3 * s + 2] -= at;
            fw_add(&all, rank[s], w[s]);
        }
        /* the events: first `dead`'s weight at their eta before any goes in
         * (kept in C_i's slot until used), then each meets `all` */
        for (size_t s = i; s < j; s++)
            if (ev[s])
                tally[3 * s] = dead.node[rank[s]];
        double dwt = 0;
        for (size_t s = i; s < j; s++) {
            if (!ev[s])
                continue;
            double *ts = tally + 3 * s;
            txy += w[s] * (dead.node[rank[s]] - ts[0]); /* same time, same eta */
            ty += w[s] * dwt;                           /* same time */
            dwt += w[s];
            fw_query(&all, rank[s], &lo, &at, &hi);
            conc += w[s] * lo;
            disc += w[s] * hi;
            tx += w[s] * at;
            ts[0] = lo;
            ts[1] = hi;
            ts[2] = at;
            fw_add(&dead, rank[s], w[s]);
        }
        for (size_t s = i; s < j; s++) {
            if (!ev[s])
                continue;
            fw_query(&dead, rank[s], &lo, &at, &hi);
            tally[3 * s] -= hi;
            tally[3 * s + 1] -= lo;
            tally[3 * s + 2] -= at;
            fw_add(&all, rank[s], w[s]);
        }
        i = j;
    }
    double var = 0, npair = conc + disc + tx;
    double somers = npair > 0 ? (conc - disc) / npair : NAN;
    for (size_t s = 0; s < n; s++) {
        double *ts = tally + 3 * s;
        fw_query(&dead, rank[s], &lo, &at, &hi);
        ts[0] += hi;
        ts[1] += lo;
        ts[2] += at;
        /* the infinitesimal jackknife of (somers + 1) / 2 */
        double dfbeta = w[s] * ((ts[0] - ts[1]) - (ts[0] + ts[1] + ts[2]) * somers) /
                        (2 * npair);
        var += dfbeta * dfbeta;
    }
    out->concordant = conc;
    out->discordant = disc;
    out->tied_x = tx;
    out->tied_y = ty - txy; /* R: tied.xy pairs are not also tied.y */
    out->tied_xy = txy;
    out->concordance = (somers + 1) / 2;
    out->se = npair > 0 ? sqrt(var) : NAN;
    rc = 0;
done:
    free(a);
    free(rank);
    free(tally);
    free(trees);
    return rc;
}

ck_status ck_cox_concordance(const double *time, const double *event, const double *weight,
                             const double *eta, size_t n, ck_concordance *out, ck_error *err)
{
    for (size_t i = 0; i < n; i++) {
        double w = weight ? weight[i] : 1.0;
        if (!isfinite(time[i]) || !isfinite(eta[i]))
            return ck_error_set(err, CK_EDATA, "concordance: row %zu has a non-finite %s", i,
                                isfinite(time[i]) ? "risk score" : "time");
        if (event[i] != 0 && event[i] != 1)
            return ck_error_set(err, CK_EDATA, "concordance: the event indicator of row %zu "
                                               "is %g, not 0 or 1", i, event[i]);
        if (!isfinite(w) || w < 0)
            return ck_error_set(err, CK_EDATA, "concordance: the weight of row %zu is "
                                               "negative or not finite", i);
    }
    /* the rows in decreasing time, as the fit keeps them */
    keyed *order = malloc((n ? n : 1) * sizeof *order);
    unsigned char *ev = malloc(n ? n : 1);
    double *t = malloc((n ? n : 1) * sizeof *t), *w = malloc((n ? n : 1) * sizeof *w);
    double *e = malloc((n ? n : 1) * sizeof *e);
    ck_status status = CK_OK;
    if (!order || !ev || !t || !w || !e) {
        status = ck_error_set(err, CK_ENOMEM, "concordance: out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = (keyed){desc_key(time[i]), i};
    if (radix_sort(order, n) != 0) {
        status = ck_error_set(err, CK_ENOMEM, "concordance: out of memory");
        goto done;
    }
    for (size_t s = 0; s < n; s++) {
        size_t i = order[s].idx;
        t[s] = time[i] == 0 ? 0.0 : time[i];
        ev[s] = event[i] == 1;
        w[s] = weight ? weight[i] : 1.0;
        e[s] = eta[i];
    }
    free(order);
    order = NULL;
    if (concordance_core(n, t, ev, w, e, out) != 0)
        status = ck_error_set(err, CK_ENOMEM, "concordance: out of memory");
done:
    free(order);
    free(ev);
    free(t);
    free(w);
    free(e);
    return status;
}
