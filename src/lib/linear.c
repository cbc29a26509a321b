/* linear.c -- OLS, ridge and Huber regression over a TSQR reduction (see
 * linear.h). */
#include "churnkit/linear.h"
#include "churnkit/coefs.h"
#include "churnkit/inference.h"
#include "churnkit/parallel.h"
#include "churnkit/sandwich.h"
#include "churnkit/spd.h"
#include "churnkit/stats.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { SUB_ROWS = 256 };  /* rows added to the running R at a time */

void ck_linear_options_init(ck_linear_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->huber_t = 1.345;
    opt->max_iter = 200;
    opt->tol = 1e-10;
}

/* ------------------------------------------------------------------ */
/* TSQR: R of the q = p + 1 columns [1 X y], rows scaled by sqrt(weight) */

typedef struct tsqr {
    const ck_dataset *ds;
    const double *w;   /* extra weight by dataset position (Huber), or NULL */
    size_t p, q, nchunks;
    double *r;         /* by chunk: q x q */
    int failed;        /* set by a chunk that ran out of memory */
} tsqr;

/* Rows b folded into the running R (q x q, row-major, upper triangle): the
 * Householder QR of [R; B] that leaves B's columns zero.  R's zeros below
 * its diagonal are used (as LAPACK's dtpqrt does for a full B): column j's
 * reflector touches R's row j and B's k rows only, so a block costs 2kq^2
 * flops, half of a QR of the stacked (q + k) x q matrix, with no call a
 * column; B is held by columns (b[l * ld + i]) so that each sum runs over
 * contiguous memory (ck_dot's four running sums).  The reflector is dlarfg's: beta =
 * -sign(x0) |(x0, b_j)|, v = (1, b_j / (x0 - beta)), tau = (beta - x0) /
 * beta, and H = I - tau v v' applied to the columns after j. */
static void qr_fold(double *r, size_t q, double *b, size_t k, size_t ld)
{
    for (size_t j = 0; j < q; j++) {
        double *bj = b + j * ld, x0 = r[j * q + j], sigma = 0;
        for (size_t i = 0; i < k; i++)
            sigma += bj[i] * bj[i];
        if (sigma == 0)
            continue; /* nothing below to fold: H = I */
        double beta = -copysign(sqrt(x0 * x0 + sigma), x0), tau = (beta - x0) / beta,
               inv = 1 / (x0 - beta);
        for (size_t i = 0; i < k; i++)
            bj[i] *= inv;
        r[j * q + j] = beta;
        for (size_t l = j + 1; l < q; l++) {
            double *bl = b + l * ld, s = r[j * q + l] + ck_dot(bj, bl, k);
            s *= tau;
            r[j * q + l] -= s;
            for (size_t i = 0; i < k; i++)
                bl[i] -= s * bj[i];
        }
    }
}

static void tsqr_chunk(void *arg, size_t c, size_t worker)
{
    (void)worker;
    tsqr *ts = arg;
    const ck_dataset *ds = ts->ds;
    size_t q = ts->q, begin, end;
    double *b = malloc(q * SUB_ROWS * sizeof *b), *x = malloc(q * sizeof *x);
    double *rc = ts->r + c * q * q; /* zero (calloc) */
    if (!b || !x) {
        ts->failed = 1;
        goto done;
    }
    ck_chunk_range(ds->n, ts->nchunks, c, &begin, &end);
    for (size_t i = begin; i < end;) {
        size_t k = 0;
        for (; k < SUB_ROWS && i < end; i++) {
            size_t r = ds->rows[i];
            double w = (ds->weight ? ds->weight[r] : 1.0) * (ts->w ? ts->w[i] : 1.0);
            if (w == 0)
                continue;
            double s = sqrt(w);
            x[0] = 1.0;
            ck_design_row(ds->design, r, x + 1);
            x[ts->p] = ds->y[r];
            for (size_t j = 0; j < q; j++)
                b[j * SUB_ROWS + k] = s * x[j];
            k++;
        }
        qr_fold(rc, q, b, k, SUB_ROWS);
    }
done:
    free(b);
    free(x);
}

/* Folds the nk q x q factors rs[0..nk) in order into the R in r (what it
 * holds first is folded in too); b is q x q scratch. */
static void fold_factors(const double *rs, size_t nk, size_t q, double *r, double *b)
{
    for (size_t k = 0; k < nk; k++) {
        for (size_t i = 0; i < q; i++)
            for (size_t j = 0; j < q; j++)
                b[j * q + i] = rs[(k * q + i) * q + j];
        qr_fold(r, q, b, q, q);
    }
}

/* A distributed fit: every process's R (q x q, in r) gathered and folded
 * in process order into the R of all rows, the same on every process. */
static ck_status fold_processes(const ck_reducer *red, size_t q, double *b, double *r,
                                ck_error *err)
{
    double *all;
    size_t total;
    if (ck_reduce_gather(red, r, q * q, &all, &total) != 0 || total != red->size * q * q)
        return ck_error_set(err, CK_ENOMEM, "linear regression: a distributed gather failed");
    memset(r, 0, q * q * sizeof *r);
    fold_factors(all, red->size, q, r, b);
    free(all);
    return CK_OK;
}

/* The R factor of the whole dataset into r (q x q); chunk factors are
 * folded in chunk order, so the result does not depend on threads. */
static ck_status tsqr_run(const ck_dataset *ds, const double *extra_w, size_t threads,
                          const ck_reducer *red, double *r, ck_error *err)
{
    size_t p = ds->design->pl->width + 1, q = p + 1;
    tsqr ts = {.ds = ds, .w = extra_w, .p = p, .q = q, .nchunks = ck_chunks_for(ds->n)};
    ts.r = calloc(ts.nchunks * q * q, sizeof *ts.r);
    double *b = malloc(q * q * sizeof *b);
    ck_status st = CK_OK;
    if (!ts.r || !b) {
        st = ck_error_set(err, CK_ENOMEM, "linear regression: out of memory");
        goto done;
    }
    ck_parallel_for(ts.nchunks, threads, tsqr_chunk, &ts);
    if (ts.failed) {
        st = ck_error_set(err, CK_ENOMEM, "linear regression: out of memory");
        goto done;
    }
    memset(r, 0, q * q * sizeof *r);
    fold_factors(ts.r, ts.nchunks, q, r, b);
    if (ck_reduce_active(red))
        st = fold_processes(red, q, b, r, err);
done:
    free(ts.r);
    free(b);
    return st;
}

ck_status ck_linear_tsqr(const ck_dataset *ds, size_t threads, const ck_reducer *red, double *r,
                         ck_error *err)
{
    return tsqr_run(ds, NULL, threads, red, r, err);
}

/* ------------------------------------------------------------------ */
/* solving from R */

/* The aliased columns of R (q columns a row) set to zero, so that the
 * SVD solve gives them no weight: the least-squares fit of the others. */
static void zero_aliased(double *r, size_t p, size_t q, const unsigned char *aliased)
{
    for (size_t j = 0; aliased && j < p; j++)
        if (aliased[j])
            for (size_t i = 0; i < p; i++)
                r[i * q + j] = 0;
}

/* Exactly zero for the aliased, in beta (or NULL) and the p x p matrix
 * xtx_inv: the SVD leaves rounding there. */
static void clear_aliased(double *beta, double *xtx_inv, size_t p, const unsigned char *aliased)
{
    for (size_t j = 0; aliased && j < p; j++)
        if (aliased[j]) {
            if (beta)
                beta[j] = 0;
            for (size_t k = 0; k < p; k++)
                xtx_inv[j * p + k] = xtx_inv[k * p + j] = 0;
        }
}

/* Least squares from the triangle: beta minimizing ||z - Rxx beta||, by
 * the SVD, and the unscaled covariance V S^-2 V' (a pseudo-inverse of
 * X'X).  Returns the rank, or 0 when GSL failed. */
static size_t solve_svd(const double *r, size_t p, size_t q, double *beta, double *xtx_inv,
                        double *rss_extra)
{
    gsl_matrix *a = gsl_matrix_alloc(p, p), *v = gsl_matrix_alloc(p, p);
    gsl_vector *s = gsl_vector_alloc(p), *work = gsl_vector_alloc(p);
    size_t rank = 0;
    if (!a || !v || !s || !work)
        goto done;
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < p; j++)
            gsl_matrix_set(a, i, j, r[i * q + j]);
    if (gsl_linalg_SV_decomp(a, v, s, work) != 0)
        goto done;
    double cut = 1e-12 * gsl_vector_get(s, 0);
    memset(beta, 0, p * sizeof *beta);
    memset(xtx_inv, 0, p * p * sizeof *xtx_inv);
    *rss_extra = 0;
    for (size_t k = 0; k < p; k++) {
        double uz = 0, sk = gsl_vector_get(s, k);
        for (size_t i = 0; i < p; i++)
            uz += gsl_matrix_get(a, i, k) * r[i * q + p];
        if (sk <= cut) { /* a direction the data do not determine */
            *rss_extra += uz * uz;
            continue;
        }
        rank++;
        for (size_t j = 0; j < p; j++) {
            double vjk = gsl_matrix_get(v, j, k);
            beta[j] += vjk * uz / sk;
            for (size_t l = 0; l < p; l++)
                xtx_inv[j * p + l] += vjk * gsl_matrix_get(v, l, k) / (sk * sk);
        }
    }
done:
    gsl_matrix_free(a);
    gsl_matrix_free(v);
    gsl_vector_free(s);
    gsl_vector_free(work);
    return rank;
}

/* The penalty's root into a (rows p..2p-2 of the stacked matrix): sqrt(L)
 * times the identity, or with S the upper Cholesky factor E of S without
 * the intercept (E'E = S).  0 or -1. */
static int penalty_root(gsl_matrix *a, size_t p, double l2, const double *s)
{
    if (!s) {
        for (size_t j = 1; j < p; j++)
            gsl_matrix_set(a, p + j - 1, j, sqrt(l2));
        return 0;
    }
    gsl_matrix *c = gsl_matrix_alloc(p - 1, p - 1);
    int rc = c ? 0 : -1;
    for (size_t i = 1; c && i < p; i++)
        for (size_t j = 1; j < p; j++)
            gsl_matrix_set(c, i - 1, j - 1, s[i * p + j]);
    if (rc == 0 && gsl_linalg_cholesky_decomp1(c) != 0)
        rc = -1;
    for (size_t i = 1; rc == 0 && i < p; i++) /* the lower triangle holds L; E = L' */
        for (size_t j = i; j < p; j++)
            gsl_matrix_set(a, p + i - 1, j, sqrt(l2) * gsl_matrix_get(c, j - 1, i - 1));
    gsl_matrix_free(c);
    return rc;
}

/* Ridge from the triangle: QR of [Rxx; sqrt(L) D] against [z; 0] (D the
 * penalty's root, penalty_root). */
static int solve_ridge(const double *r, size_t p, size_t q, double l2, const double *pen,
                       double *beta)
{
    size_t rows = 2 * p - 1;
    gsl_matrix *a = gsl_matrix_calloc(rows, p);
    gsl_vector *b = gsl_vector_calloc(rows), *tau = gsl_vector_alloc(p);
    gsl_vector *res = gsl_vector_alloc(rows);
    gsl_vector_view x = gsl_vector_view_array(beta, p);
    int rc = -1;
    if (!a || !b || !tau || !res)
        goto done;
    for (size_t i = 0; i < p; i++) {
        for (size_t j = 0; j < p; j++)
            gsl_matrix_set(a, i, j, r[i * q + j]);
        gsl_vector_set(b, i, r[i * q + p]);
    }
    if (penalty_root(a, p, l2, pen) == 0 && gsl_linalg_QR_decomp(a, tau) == 0 &&
        gsl_linalg_QR_lssolve(a, tau, b, &x.vector, res) == 0)
        rc = 0;
done:
    gsl_matrix_free(a);
    gsl_vector_free(b);
    gsl_vector_free(tau);
    gsl_vector_free(res);
    return rc;
}

/* X'X = R'R (p x p) from the triangle. */
static void gram(const double *r, size_t p, size_t q, double *xtx)
{
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < p; j++) {
            double s = 0;
            for (size_t k = 0; k <= (i < j ? i : j); k++)
                s += r[k * q + i] * r[k * q + j];
            xtx[i * p + j] = s;
        }
}

/* ||z - Rxx beta||^2 + e^2: the residual sum of squares, from R alone. */
static double rss_of(const double *r, size_t p, size_t q, const double *beta)
{
    double s = r[p * q + p] * r[p * q + p];
    for (size_t i = 0; i < p; i++) {
        double d = r[i * q + p];
        for (size_t j = i; j < p; j++)
            d -= r[i * q + j] * beta[j];
        s += d * d;
    }
    return s;
}

/* A^-1 = (X'X + L D)^-1 into a (p x p), by Cholesky (D the identity but
 * for the intercept, or the penalty matrix pen).  0 or -1. */
static int ridge_inverse(const double *xtx, size_t p, double l2, const double *pen,
                         gsl_matrix *a)
{
    memcpy(a->data, xtx, p * p * sizeof *xtx);
    for (size_t j = 1; j < p; j++)
        for (size_t k = 1; k < p; k++)
            a->data[j * p + k] += pen ? l2 * pen[j * p + k] : (j == k) * l2;
    return gsl_linalg_cholesky_decomp1(a) != 0 || gsl_linalg_cholesky_invert(a) != 0 ? -1 : 0;
}

/* Ridge's approximate covariance sigma^2 A^-1 X'X A^-1, A = X'X + L D,
 * and the diagonal of the influence A^-1 X'X into infl: the coefficients'
 * effective degrees of freedom (Hastie and Tibshirani's trace, as mgcv
 * sums it per smooth). */
static int ridge_cov(const double *xtx, size_t p, double l2, const double *pen, double sigma2,
                     double *cov, double *infl)
{
    gsl_matrix *a = gsl_matrix_alloc(p, p), *t = gsl_matrix_alloc(p, p);
    gsl_matrix_const_view g = gsl_matrix_const_view_array(xtx, p, p);
    gsl_matrix_view c = gsl_matrix_view_array(cov, p, p);
    int rc = -1;
    if (!a || !t)
        goto done;
    if (ridge_inverse(xtx, p, l2, pen, a) != 0)
        goto done;
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, a, &g.matrix, 0.0, t);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, sigma2, t, a, 0.0, &c.matrix);
    for (size_t j = 0; j < p; j++)
        infl[j] = gsl_matrix_get(t, j, j);
    rc = 0;
done:
    gsl_matrix_free(a);
    gsl_matrix_free(t);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Huber */

static double huber_weight(double z, double t)
{
    double a = fabs(z);
    return a <= t ? 1.0 : t / a;
}

/* Residuals of the dataset rows at beta. */
static void residuals(const ck_dataset *ds, const double *beta, size_t p, double *res, double *x)
{
    for (size_t i = 0; i < ds->n; i++) {
        size_t r = ds->rows[i];
        ck_design_row(ds->design, r, x);
        res[i] = ds->y[r] - ck_linear_predictor(beta, x, p - 1);
    }
}

/* statsmodels' mad(resid, center=0): median |r| / Phi^-1(3/4), over every
 * process's residuals with a reducer.  0 or -1. */
static int mad_scale(const double *res, size_t n, double *tmp, const ck_reducer *red,
                     double *scale)
{
    double med;
    for (size_t i = 0; i < n; i++)
        tmp[i] = fabs(res[i]);
    if (ck_reduce_median(red, tmp, n, &med) != 0)
        return -1;
    *scale = med / 0.6744897501960817;
    return 0;
}

/* statsmodels' "H1" covariance: K^2 (sum psi^2 / df_resid) s^2 /
 * (mean psi')^2 (X'X)^-1, K = 1 + p/n var(psi') / mean(psi')^2. */
static int huber_cov(ck_linear *m, const double *res, size_t nres, double t,
                     const double *xtx_inv, const ck_reducer *red)
{
    double n = (double)m->n, sums[3] = {0, 0, 0};
    for (size_t i = 0; i < nres; i++) {
        double z = res[i] / m->scale, d = fabs(z) <= t ? 1.0 : 0.0;
        double psi = fabs(z) <= t ? z : (z > 0 ? t : -t);
        sums[0] += d;
        sums[1] += d * d;
        sums[2] += psi * psi;
    }
    if (ck_reduce_sum(red, sums, 3) != 0)
        return -1;
    double sum_d = sums[0], sum_d2 = sums[1], ss_psi = sums[2];
    double mean_d = sum_d / n, var_d = sum_d2 / n - mean_d * mean_d;
    double k = 1 + (m->df_model + 1) / n * var_d / (mean_d * mean_d);
    double f = k * k * (ss_psi / m->df_resid) * m->scale * m->scale / (mean_d * mean_d);
    for (size_t j = 0; j < m->p * m->p; j++)
        m->cov[j] = f * xtx_inv[j];
    return 0;
}

typedef struct huber_work {
    double *res, *tmp, *w, *x, *r, *prev;
} huber_work;

static ck_status huber(const ck_dataset *ds, const ck_linear_options *opt, ck_linear *m,
                       const double *xtx_inv, huber_work *hw, ck_error *err)
{
    size_t p = m->p, q = p + 1;
    double extra;
    const ck_reducer *red = opt->reducer;
    residuals(ds, m->beta, p, hw->res, hw->x);
    if (mad_scale(hw->res, ds->n, hw->tmp, red, &m->scale) != 0)
        return ck_error_set(err, CK_ENOMEM, "robust regression: out of memory");
    for (m->iterations = 0; m->iterations < (size_t)opt->max_iter && m->scale > 0;) {
        for (size_t i = 0; i < ds->n; i++)
            hw->w[i] = huber_weight(hw->res[i] / m->scale, opt->huber_t);
        ck_status st = tsqr_run(ds, hw->w, opt->threads, red, hw->r, err);
        if (st != CK_OK)
            return st;
        memcpy(hw->prev, m->beta, p * sizeof *m->beta);
        double *unused = hw->tmp; /* the weighted pseudo-inverse is not needed */
        zero_aliased(hw->r, p, q, m->aliased);
        if (solve_svd(hw->r, p, q, m->beta, unused, &extra) == 0)
            return ck_error_set(err, CK_EDATA, "robust regression: SVD failed");
        clear_aliased(m->beta, unused, p, m->aliased);
        residuals(ds, m->beta, p, hw->res, hw->x);
        if (mad_scale(hw->res, ds->n, hw->tmp, red, &m->scale) != 0)
            return ck_error_set(err, CK_ENOMEM, "robust regression: out of memory");
        m->iterations++;
        double move = 0;
        for (size_t j = 0; j < p; j++)
            move = fmax(move, fabs(m->beta[j] - hw->prev[j]) / (1 + fabs(m->beta[j])));
        if (move <= opt->tol) {
            m->converged = 1;
            break;
        }
    }
    m->rss = 0;
    for (size_t i = 0; i < ds->n; i++)
        m->rss += hw->res[i] * hw->res[i];
    if (huber_cov(m, hw->res, ds->n, opt->huber_t, xtx_inv, red) != 0 ||
        ck_reduce_sum(red, &m->rss, 1) != 0)
        return ck_error_set(err, CK_ENOMEM, "robust regression: out of memory");
    return CK_OK;
}

/* ------------------------------------------------------------------ */

/* R^2, F and the log-likelihood from the sums of squares (statsmodels). */
static void summary_stats(ck_linear *m)
{
    double n = (double)m->n;
    m->df_model = (double)m->rank - 1;
    m->df_resid = n - (double)m->rank;
    m->sigma2 = m->df_resid > 0 ? m->rss / m->df_resid : NAN;
    m->r2 = m->tss > 0 ? 1 - m->rss / m->tss : NAN;
    m->r2_adj = m->df_resid > 0 ? 1 - (1 - m->r2) * (n - 1) / m->df_resid : NAN;
    m->f_stat = (m->tss - m->rss) / m->df_model / m->sigma2;
    m->f_p = m->df_model > 0 && m->df_resid > 0 ? gsl_cdf_fdist_Q(m->f_stat, m->df_model,
                                                                  m->df_resid)
                                                : NAN;
    m->loglik = -n / 2 * (log(2 * M_PI) + log(m->rss / n) + 1);
}

/* The collinearity check on the columns not aliased (those are named once
 * by their own warning, not again as near-dependencies). */
static void warn_collinear(const ck_dataset *ds, ck_linear *m, const double *xtx, size_t kept,
                           double l2, ck_warnings *w)
{
    m->cond = ck_warn_dependence(xtx, m->p, m->aliased, m->aliased, kept,
                                 (const char *const *)ds->design->pl->encoded,
                                 l2 == 0 ? 1e4 : 0, w);
    if (m->rank < kept && l2 == 0) /* a penalty makes every coefficient identified */
        ck_warn(w, "the design has rank %zu of %zu: some coefficients are not identified "
                   "(minimum-norm solution reported)", m->rank, m->p);
}

/* The aliased columns into m->aliased (left NULL when there are none),
 * with the rank each input column takes (m->term_df, for its Wald tests);
 * returns the columns kept, 0 when out of memory.  Ridge leaves them out
 * too. */
static size_t find_aliased(ck_linear *m, const double *r, size_t q, const ck_pipeline *pl)
{
    size_t p = m->p; /* 1 or more: the intercept */
    if (!(m->aliased = calloc(p ? p : 1, 1)))
        return 0;
    size_t kept = ck_aliased_columns(r, q, p, NULL, CK_ALIAS_TOL, m->aliased);
    if (kept == (size_t)-1)
        return 0;
    if (kept == p) {
        free(m->aliased);
        m->aliased = NULL;
    } else if (ck_coefs_term_df(r, q, p, kept, pl, &m->term_df) != 0) {
        return 0;
    }
    return kept;
}

/* R's drop1(lm, test = "F") from R alone: each feature's columns left out
 * in turn, the aliasing of the rest found anew (a column aliased before may
 * take over), the least squares of the rest by the same SVD solve; its RSS
 * and rank against the full fit's. */
static ck_status f_tests(const ck_dataset *ds, ck_linear *m, const double *r, ck_error *err)
{
    const ck_pipeline *pl = ds->design->pl;
    size_t p = m->p, q = p + 1;
    unsigned char *skip = calloc(p ? p : 1, 1), *al = calloc(p ? p : 1, 1);
    double *rz = malloc(q * q * sizeof *rz), *beta = malloc((p ? p : 1) * sizeof *beta);
    double *inv = malloc((p ? p * p : 1) * sizeof *inv), extra;
    m->tests = calloc(pl->nfeat ? pl->nfeat : 1, sizeof *m->tests);
    ck_status st = skip && al && rz && beta && inv && m->tests
                       ? CK_OK
                       : ck_error_set(err, CK_ENOMEM, "linear regression: out of memory");
    for (size_t k = 0; st == CK_OK && k < pl->nfeat; k++) {
        const ck_feature *f = &pl->feat[k];
        memset(skip, 0, p);
        memset(skip + 1 + f->offset, 1, f->width);
        size_t kept = ck_aliased_columns(r, q, p, skip, CK_ALIAS_TOL, al);
        if (kept == (size_t)-1) {
            st = ck_error_set(err, CK_ENOMEM, "linear regression: out of memory");
            break;
        }
        for (size_t j = 0; j < p; j++)
            al[j] |= skip[j];
        memcpy(rz, r, q * q * sizeof *rz);
        zero_aliased(rz, p, q, al);
        if (solve_svd(rz, p, q, beta, inv, &extra) == 0) {
            st = ck_error_set(err, CK_EDATA, "linear regression: SVD failed");
            break;
        }
        clear_aliased(beta, inv, p, al);
        double rss = rss_of(r, p, q, beta), df = (double)m->rank - (double)kept;
        double sumsq = rss - m->rss, fv = (sumsq / df) / (m->rss / m->df_resid);
        m->tests[k] = (ck_term_test){df, df > 0 ? fv : NAN,
                                     df > 0 && m->df_resid > 0
                                         ? gsl_cdf_fdist_Q(fv, df, m->df_resid) : NAN,
                                     NAN, NAN, sumsq, rss, NAN, NAN};
    }
    free(skip);
    free(al);
    free(rz);
    free(beta);
    free(inv);
    return st;
}

static ck_status fit_from_r(const ck_dataset *ds, const ck_linear_options *opt, ck_linear *m,
                            const double *r, double *xtx, double *xtx_inv, ck_warnings *w,
                            ck_error *err)
{
    size_t p = m->p, q = p + 1;
    double extra;
    m->tss = 0;
    for (size_t i = 1; i <= p; i++) /* the residual of y on the intercept alone */
        m->tss += r[i * q + p] * r[i * q + p];
    gram(r, p, q, xtx);
    size_t kept = find_aliased(m, r, q, ds->design->pl);
    double *rz = m->aliased ? malloc(q * q * sizeof *rz) : NULL;
    if (kept == 0 || (m->aliased && !rz)) {
        free(rz);
        return ck_error_set(err, CK_ENOMEM, "linear regression: out of memory");
    }
    if (rz) {
        memcpy(rz, r, q * q * sizeof *rz);
        zero_aliased(rz, p, q, m->aliased);
    }
    m->rank = solve_svd(rz ? rz : r, p, q, m->beta, xtx_inv, &extra);
    if (m->rank == 0) {
        free(rz);
        return ck_error_set(err, CK_EDATA, "linear regression: SVD failed");
    }
    clear_aliased(m->beta, xtx_inv, p, m->aliased);
    warn_collinear(ds, m, xtx, kept, opt->l2, w);
    /* ridge leaves the aliased out as least squares does (a penalty would
     * identify them, sharing an effect among copies of one column, so that
     * none reads as the effect): their columns of R and of X'X are zero */
    clear_aliased(NULL, xtx, p, m->aliased);
    /* an aliased column is held at 0: a penalty matrix must not couple it
     * to the rest (its row and column become the identity's) */
    double *pen = opt->penalty && m->aliased ? malloc(p * p * sizeof *pen) : NULL;
    if (pen) {
        memcpy(pen, opt->penalty, p * p * sizeof *pen);
        for (size_t j = 0; j < p; j++)
            for (size_t k = 0; m->aliased[j] && k < p; k++)
                pen[j * p + k] = pen[k * p + j] = (double)(j == k);
    }
    int ridge_failed = (opt->penalty && m->aliased && !pen) ||
                       (opt->l2 > 0 && solve_ridge(rz ? rz : r, p, q, opt->l2,
                                                   pen ? pen : opt->penalty, m->beta) != 0);
    free(rz);
    if (ridge_failed) {
        free(pen);
        return ck_error_set(err, CK_EDATA, "ridge regression: QR solve failed");
    }
    m->rss = rss_of(r, p, q, m->beta);
    summary_stats(m);
    m->t_stats = 1;
    m->converged = 1;
    if (opt->l2 > 0)
    {
        int bad = !(m->influence = calloc(p, sizeof *m->influence)) ||
                  ridge_cov(xtx, p, opt->l2, pen ? pen : opt->penalty,
                            m->rss / (double)(m->n - p), m->cov, m->influence) != 0;
        free(pen);
        return bad ? ck_error_set(err, CK_EDATA, "ridge regression: singular system") : CK_OK;
    }
    free(pen);
    for (size_t j = 0; j < p * p; j++)
        m->cov[j] = m->sigma2 * xtx_inv[j];
    return !opt->tests || opt->robust || opt->robust_se || m->df_resid <= 0
               ? CK_OK
               : f_tests(ds, m, r, err);
}

/* HC1 in place of the covariance: n / (n - k) B M B, M = sum_i e_i^2 x_i
 * x_i', the bread B = (X'X)^-1 (zero for the aliased, which stay without a
 * variance; k the rank) or for ridge (X'X + L D)^-1 (k = p): statsmodels'
 * OLS with cov_type = "HC1", R's sandwich::vcovHC(type = "HC1"). */
static ck_status robust_cov(const ck_dataset *ds, const ck_linear_options *opt, ck_linear *m,
                            const double *xtx, const double *xtx_inv, ck_error *err)
{
    size_t p = m->p;
    double *meat = malloc(p * p * sizeof *meat);
    gsl_matrix *a = opt->l2 > 0 ? gsl_matrix_alloc(p, p) : NULL;
    double n = (double)m->n, k = opt->l2 > 0 ? (double)p : (double)m->rank;
    ck_status st = meat && (a || opt->l2 == 0)
                       ? CK_OK
                       : ck_error_set(err, CK_ENOMEM, "linear regression: out of memory");
    if (st == CK_OK && a && ridge_inverse(xtx, p, opt->l2, opt->penalty, a) != 0)
        st = ck_error_set(err, CK_EDATA, "ridge regression: singular system");
    if (st == CK_OK)
        st = ck_sandwich_meat(ds, m->beta, CK_RESIDUAL_LINEAR, opt->threads, opt->reducer, meat,
                              err);
    if (st == CK_OK && ck_sandwich(a ? a->data : xtx_inv, meat, p, n / (n - k), m->cov) != 0)
        st = ck_error_set(err, CK_ENOMEM, "linear regression: out of memory");
    clear_aliased(NULL, m->cov, p, m->aliased); /* ridge's bread has 1/L there */
    free(meat);
    gsl_matrix_free(a);
    return st;
}

ck_status ck_linear_fit(const ck_dataset *ds, const ck_linear_options *opt, ck_linear *m,
                        ck_warnings *w, ck_error *err)
{
    ck_linear_options defaults;
    if (!opt) {
        ck_linear_options_init(&defaults);
        opt = &defaults;
    }
    gsl_set_error_handler_off(); /* every GSL status is checked here */
    size_t p = ds->design->pl->width + 1, q = p + 1;
    memset(m, 0, sizeof *m);
    m->p = p;
    double rows = (double)ds->n; /* of every process, with a reducer */
    if (ck_reduce_sum(opt->reducer, &rows, 1) != 0)
        return ck_error_set(err, CK_ENOMEM, "linear regression: out of memory");
    m->n = (size_t)rows;
    if (m->n <= p)
        return ck_error_set(err, CK_EDATA, "linear regression: %zu rows for %zu coefficients; "
                                           "more rows than coefficients are needed", m->n, p);
    double *r = calloc(q * q, sizeof *r), *xtx = calloc(p * p, sizeof *xtx);
    double *xtx_inv = calloc(p * p, sizeof *xtx_inv);
    huber_work hw = {0};
    m->beta = calloc(p, sizeof *m->beta);
    m->cov = calloc(p * p, sizeof *m->cov);
    ck_status st = CK_OK;
    if (!r || !xtx || !xtx_inv || !m->beta || !m->cov) {
        st = ck_error_set(err, CK_ENOMEM, "linear regression: out of memory");
        goto done;
    }
    if ((st = tsqr_run(ds, NULL, opt->threads, opt->reducer, r, err)) != CK_OK ||
        (st = fit_from_r(ds, opt, m, r, xtx, xtx_inv, w, err)) != CK_OK)
        goto done;
    if (opt->robust_se && !opt->robust)
        st = robust_cov(ds, opt, m, xtx, xtx_inv, err);
    if (st != CK_OK || !opt->robust)
        goto done;
    hw.res = malloc(ds->n * sizeof *hw.res);
    hw.tmp = malloc((ds->n > p * p ? ds->n : p * p) * sizeof *hw.tmp);
    hw.w = malloc(ds->n * sizeof *hw.w);
    hw.x = malloc(p * sizeof *hw.x);
    hw.prev = malloc(p * sizeof *hw.prev);
    /* zeroed like r: tsqr_run fills it, in a way the static analyzer cannot follow */
    hw.r = calloc(q * q, sizeof *hw.r);
    if (!hw.res || !hw.tmp || !hw.w || !hw.x || !hw.prev || !hw.r) {
        st = ck_error_set(err, CK_ENOMEM, "robust regression: out of memory");
        goto done;
    }
    m->t_stats = 0;
    m->converged = 0;
    st = huber(ds, opt, m, xtx_inv, &hw, err);
    if (st == CK_OK && !m->converged)
        ck_warn(w, "robust regression did not converge in %zu iterations", m->iterations);
done:
    free(r);
    free(xtx);
    free(xtx_inv);
    free(hw.res);
    free(hw.tmp);
    free(hw.w);
    free(hw.x);
    free(hw.prev);
    free(hw.r);
    if (st != CK_OK)
        ck_linear_fini(m);
    return st;
}

void ck_linear_fini(ck_linear *m)
{
    free(m->beta);
    free(m->cov);
    free(m->aliased);
    free(m->term_df);
    free(m->tests);
    free(m->influence);
    m->beta = m->cov = m->term_df = m->influence = NULL;
    m->aliased = NULL;
    m->tests = NULL;
}
