/* logistic.c -- L2-penalized logistic regression by Newton/IRLS or BFGS
 * (see logistic.h). */
#include "churnkit/logistic.h"
#include "churnkit/coefs.h"
#include "churnkit/inference.h"
#include "churnkit/linear.h"
#include "churnkit/parallel.h"
#include "churnkit/spd.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multimin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void ck_logistic_options_init(ck_logistic_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->tol = 1e-8;
}

double ck_sigmoid(double eta)
{
    if (eta >= 0)
        return 1.0 / (1.0 + exp(-eta));
    double e = exp(eta);
    return e / (1.0 + e);
}

/* ------------------------------------------------------------------ */
/* one pass over the data: log-likelihood, gradient and (optionally) the
 * information matrix, by chunk, combined in chunk order */

typedef struct pass {
    const ck_dataset *ds;
    const double *beta;
    size_t p, nchunks;
    int hessian;
    double *ll;      /* by chunk */
    double *g;       /* by chunk, p each */
    double *h;       /* by chunk, p x p each (upper triangle) */
    double *work;    /* scratch, by worker, WORK(p) each */
    size_t *rows;    /* scratch, by worker, BLOCK each: a block's table rows */
    const ck_reducer *red; /* a distributed fit: sums over every process */
    double *packed;  /* with red: ll, g and H's upper triangle in one buffer */
    int failed;      /* a collective failed (out of memory) */
    const unsigned char *fixed; /* p flags, or NULL: coefficients held at 0
                                   (omitted or aliased) */
    const double *penalty;      /* p x p S, or NULL: the ridge (logistic.h) */
} pass;

/* Rows are gathered in blocks of BLOCK, stored column by column, so that
 * the sums over rows become dot products over contiguous memory: the
 * information matrix then costs p(p+1)/2 dot products per block instead of
 * p(p+1)/2 scattered updates per row. */
enum { BLOCK = 128 };
#define WORK(p) (2 * (p) * BLOCK + 5 * BLOCK) /* xc, xs; resid, s, w, y, eta */

/* Adds one block's gradient and information to g and h.  xc holds the
 * block column-major (column j at xc + j BLOCK), xs the same columns times
 * the IRLS weights. */
static void add_block(const pass *ps, const double *xc, double *xs, const double *resid,
                      const double *s, size_t nb, double *g, double *h)
{
    size_t p = ps->p;
    for (size_t j = 0; j < p; j++)
        g[j] += ck_dot(xc + j * BLOCK, resid, nb);
    if (!ps->hessian)
        return;
    for (size_t j = 0; j < p; j++)
        for (size_t i = 0; i < nb; i++)
            xs[j * BLOCK + i] = xc[j * BLOCK + i] * s[i];
    for (size_t j = 0; j < p; j++)
        for (size_t k = j; k < p; k++)
            h[j * p + k] += ck_dot(xs + j * BLOCK, xc + k * BLOCK, nb);
}

/* One block's residuals and IRLS weights from its encoded columns (xc,
 * intercept column first), its log-likelihood terms added to *ll row by row:
 * eta summed over the columns in order for each row, as
 * ck_linear_predictor does, so the sums are the same bits as a row at a
 * time. */
static void block_terms(const pass *ps, const double *xc, const double *w, const double *y,
                        size_t nb, double *eta, double *resid, double *s, double *ll)
{
    for (size_t i = 0; i < nb; i++)
        eta[i] = ps->beta[0];
    for (size_t j = 1; j < ps->p; j++)
        for (size_t i = 0; i < nb; i++)
            eta[i] += ps->beta[j] * xc[j * BLOCK + i];
    for (size_t i = 0; i < nb; i++) {
        /* one exp serves both: with e = exp(-|eta|), mu = 1 / (1 + e) or
         * e / (1 + e), and log(1 + exp(eta)) = max(eta, 0) + log1p(e) */
        double e = exp(-fabs(eta[i])), mu = eta[i] >= 0 ? 1 / (1 + e) : e / (1 + e);
        *ll += w[i] * (y[i] * eta[i] - (eta[i] > 0 ? eta[i] : 0) - log1p(e));
        resid[i] = w[i] * (y[i] - mu);
        s[i] = w[i] * mu * (1 - mu);
    }
}

static void pass_chunk(void *arg, size_t c, size_t worker)
{
    pass *ps = arg;
    const ck_dataset *ds = ps->ds;
    size_t p = ps->p, begin, end, nb = 0;
    double *xc = ps->work + worker * WORK(p), *xs = xc + p * BLOCK;
    double *resid = xs + p * BLOCK, *s = resid + BLOCK, *w = s + BLOCK, *y = w + BLOCK,
           *eta = y + BLOCK;
    size_t *rows = ps->rows + worker * BLOCK;
    double *g = ps->g + c * p, *h = ps->hessian ? ps->h + c * p * p : NULL;
    double ll = 0;
    memset(g, 0, p * sizeof *g);
    if (ps->hessian)
        memset(h, 0, p * p * sizeof *h);
    ck_chunk_range(ds->n, ps->nchunks, c, &begin, &end);
    /* the rows of weight 0 are left out; the others are encoded a block at
     * a time, column by column (ck_design_block), into xc */
    for (size_t i = begin; i < end; i++) {
        size_t r = ds->rows[i];
        double wr = ds->weight ? ds->weight[r] : 1.0;
        if (wr != 0) {
            rows[nb] = r;
            w[nb] = wr;
            y[nb] = ds->y[r];
            xc[nb] = 1.0;
            nb++;
        }
        if (nb == BLOCK || (i + 1 == end && nb > 0)) {
            ck_design_block(ds->design, rows, nb, xc + BLOCK, BLOCK);
            block_terms(ps, xc, w, y, nb, eta, resid, s, &ll);
            add_block(ps, xc, xs, resid, s, nb, g, h);
            nb = 0;
        }
    }
    ps->ll[c] = ll;
}

/* Sums this process's log-likelihood, gradient and information with every
 * other's, in one exact collective sum (1 + p + p(p+1)/2 doubles: H is
 * symmetric, so its upper triangle); returns the summed log-likelihood
 * (NaN, with ps->failed set, when it failed).  Only H's upper triangle
 * comes back. */
static double reduce_parts(pass *ps, double ll, double *g, double *h)
{
    size_t p = ps->p, n = 1 + p;
    double *b = ps->packed;
    b[0] = ll;
    memcpy(b + 1, g, p * sizeof *g);
    for (size_t j = 0; h && j < p; j++)
        for (size_t k = j; k < p; k++)
            b[n++] = h[j * p + k];
    if (ck_reduce_sum(ps->red, b, n) != 0) {
        ps->failed = 1;
        return NAN;
    }
    memcpy(g, b + 1, p * sizeof *g);
    n = 1 + p;
    for (size_t j = 0; h && j < p; j++)
        for (size_t k = j; k < p; k++)
            h[j * p + k] = b[n++];
    return b[0];
}

/* The penalized objective's parts at beta: returns the penalized
 * log-likelihood; fills g (p) and, when h != NULL, H (p x p, full). */
static double evaluate(pass *ps, const double *beta, double l2, size_t threads, double *g,
                       double *h)
{
    size_t p = ps->p;
    ps->beta = beta;
    ps->hessian = h != NULL;
    ck_parallel_for(ps->nchunks, threads, pass_chunk, ps);
    double ll = 0;
    memset(g, 0, p * sizeof *g);
    if (h)
        memset(h, 0, p * p * sizeof *h);
    for (size_t c = 0; c < ps->nchunks; c++) {
        ll += ps->ll[c];
        for (size_t j = 0; j < p; j++)
            g[j] += ps->g[c * p + j];
        if (h)
            for (size_t j = 0; j < p; j++)
                for (size_t k = j; k < p; k++)
                    h[j * p + k] += ps->h[(c * p + j) * p + k];
    }
    if (ck_reduce_active(ps->red))
        ll = reduce_parts(ps, ll, g, h);
    if (h)
        for (size_t j = 0; j < p; j++)
            for (size_t k = 0; k < j; k++)
                h[j * p + k] = h[k * p + j];
    if (ps->penalty) {
        const double *s = ps->penalty;
        for (size_t j = 1; j < p; j++) {
            double sb = ck_dot(s + j * p, beta, p);
            ll -= 0.5 * l2 * beta[j] * sb;
            g[j] -= l2 * sb;
            for (size_t k = 1; h && k < p; k++)
                h[j * p + k] += l2 * s[j * p + k];
        }
    } else {
        for (size_t j = 1; j < p; j++) {
            ll -= 0.5 * l2 * beta[j] * beta[j];
            g[j] -= l2 * beta[j];
            if (h)
                h[j * p + j] += l2;
        }
    }
    /* a coefficient held at 0: no gradient, and a unit row and column of H
     * so that the Newton step solves the rest alone and leaves it at 0 */
    for (size_t j = 0; ps->fixed && j < p; j++)
        if (ps->fixed[j]) {
            g[j] = 0;
            for (size_t k = 0; h && k < p; k++)
                h[j * p + k] = h[k * p + j] = (j == k);
        }
    return ll;
}

/* beta' S beta: the sum of squares of the penalized coefficients (all but
 * the intercept), or the quadratic form of the penalty matrix s */
static double penalty_norm(const double *s, const double *beta, size_t p)
{
    double v = 0;
    for (size_t j = 1; j < p; j++)
        v += beta[j] * (s ? ck_dot(s + j * p, beta, p) : beta[j]);
    return v;
}

/* ------------------------------------------------------------------ */
/* linear algebra on the p x p information matrix */

/* ------------------------------------------------------------------ */
/* Newton-Raphson with step halving */

typedef struct newton_state {
    pass *ps;
    double l2;
    size_t threads;
    double *beta, *g, *h, *d, *trial, *g2, *h2;
} newton_state;

static ck_status newton(newton_state *st, const ck_logistic_options *opt, ck_logistic *m,
                        ck_error *err)
{
    size_t p = m->p, max_iter = opt->max_iter > 0 ? (size_t)opt->max_iter : 100;
    double f = evaluate(st->ps, st->beta, st->l2, st->threads, st->g, st->h);
    double g0 = fmax(1.0, ck_max_abs(st->g, p));
    m->newton = 1;
    for (m->iterations = 0; m->iterations < max_iter; m->iterations++) {
        if (ck_max_abs(st->g, p) <= opt->tol * g0) {
            m->converged = 1;
            break;
        }
        if (ck_spd_solve(st->h, st->g, p, st->d) < 0)
            return ck_error_set(err, CK_EDATA, "logistic regression: the Newton system could "
                                               "not be solved");
        if (opt->progress)
            opt->progress(opt->progress_ctx, "fitting", -1);
        /* step halving: accept the first step that does not lower the
         * penalized log-likelihood (beyond rounding) */
        double t = 1.0, f2 = -INFINITY;
        int accepted = 0;
        for (int half = 0; half < 40 && !accepted; half++, t *= 0.5) {
            for (size_t j = 0; j < p; j++)
                st->trial[j] = st->beta[j] + t * st->d[j];
            f2 = evaluate(st->ps, st->trial, st->l2, st->threads, st->g2, st->h2);
            accepted = isfinite(f2) && f2 >= f - 1e-12 * fabs(f);
        }
        if (!accepted)
            break; /* no progress possible: report the gradient as it is */
        double *tmp;
        tmp = st->beta, st->beta = st->trial, st->trial = tmp;
        tmp = st->g, st->g = st->g2, st->g2 = tmp;
        tmp = st->h, st->h = st->h2, st->h2 = tmp;
        f = f2;
    }
    if (!m->converged && ck_max_abs(st->g, p) <= opt->tol * g0)
        m->converged = 1;
    m->grad_rel = ck_max_abs(st->g, p) / g0;
    memcpy(m->beta, st->beta, p * sizeof *m->beta);
    m->loglik = f + 0.5 * st->l2 * penalty_norm(st->ps->penalty, m->beta, p);
    if (ck_spd_invert(st->h, p, m->cov) != 0)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    for (size_t j = 0; st->ps->fixed && j < p; j++) /* no variance: undefined */
        if (st->ps->fixed[j])
            for (size_t k = 0; k < p; k++)
                m->cov[j * p + k] = m->cov[k * p + j] = 0;
    return CK_OK;
}

/* ------------------------------------------------------------------ */
/* BFGS through GSL, for wide designs */

typedef struct bfgs_ctx {
    pass *ps;
    double l2;
    size_t threads;
    double *g;
} bfgs_ctx;

static void bfgs_fdf(const gsl_vector *b, void *arg, double *f, gsl_vector *df)
{
    bfgs_ctx *c = arg;
    size_t p = c->ps->p;
    double ll = evaluate(c->ps, b->data, c->l2, c->threads, c->g, NULL);
    if (f)
        *f = -ll; /* GSL minimizes */
    if (df)
        for (size_t j = 0; j < p; j++)
            gsl_vector_set(df, j, -c->g[j]);
}

static double bfgs_f(const gsl_vector *b, void *arg)
{
    double f;
    bfgs_fdf(b, arg, &f, NULL);
    return f;
}

static void bfgs_df(const gsl_vector *b, void *arg, gsl_vector *df)
{
    bfgs_fdf(b, arg, NULL, df);
}

static ck_status bfgs(newton_state *st, const ck_logistic_options *opt, ck_logistic *m,
                      ck_error *err)
{
    size_t p = m->p, max_iter = opt->max_iter > 0 ? (size_t)opt->max_iter : 1000;
    bfgs_ctx c = {st->ps, st->l2, st->threads, st->g};
    gsl_multimin_function_fdf fn = {bfgs_f, bfgs_df, bfgs_fdf, p, &c};
    gsl_vector_view b0 = gsl_vector_view_array(st->beta, p);
    gsl_multimin_fdfminimizer *mm =
        gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, p);
    if (!mm)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    evaluate(st->ps, st->beta, st->l2, st->threads, st->g, NULL);
    double g0 = fmax(1.0, ck_max_abs(st->g, p));
    m->newton = 0;
    if (gsl_multimin_fdfminimizer_set(mm, &fn, &b0.vector, 0.01, 0.1) != 0) {
        gsl_multimin_fdfminimizer_free(mm);
        return ck_error_set(err, CK_EDATA, "logistic regression: the minimizer did not start");
    }
    for (m->iterations = 0; m->iterations < max_iter; m->iterations++) {
        if (gsl_multimin_test_gradient(mm->gradient, opt->tol * g0) == GSL_SUCCESS) {
            m->converged = 1;
            break;
        }
        if (opt->progress)
            opt->progress(opt->progress_ctx, "fitting", -1);
        if (gsl_multimin_fdfminimizer_iterate(mm) != 0)
            break; /* no further progress along the line */
    }
    m->grad_rel = ck_max_abs(mm->gradient->data, p) / g0;
    m->converged = m->converged || m->grad_rel <= opt->tol;
    memcpy(m->beta, mm->x->data, p * sizeof *m->beta);
    m->loglik = -mm->f + 0.5 * st->l2 * penalty_norm(st->ps->penalty, m->beta, p);
    gsl_multimin_fdfminimizer_free(mm);
    return CK_OK;
}

/* ------------------------------------------------------------------ */

/* Weighted intercept-only log-likelihood; also sets the sums and the row
 * count (of every process's rows, with a reducer).  0 or -1. */
static int null_model(const ck_dataset *ds, const ck_reducer *red, ck_logistic *m,
                      double *mean_y)
{
    double sums[3] = {0, 0, (double)ds->n}; /* weights, weighted labels, rows */
    for (size_t i = 0; i < ds->n; i++) {
        size_t r = ds->rows[i];
        double w = ds->weight ? ds->weight[r] : 1.0;
        sums[0] += w;
        sums[1] += w * ds->y[r];
    }
    if (ck_reduce_sum(red, sums, 3) != 0)
        return -1;
    double sw = sums[0], swy = sums[1];
    m->n = (size_t)sums[2];
    double mu = sw > 0 ? swy / sw : 0.5;
    m->weight_sum = sw;
    m->loglik_null = (mu > 0 && mu < 1) ? sw * (mu * log(mu) + (1 - mu) * log(1 - mu)) : 0;
    *mean_y = mu;
    return 0;
}

/* Rows fitted with certainty: |eta| > 25 on the right side (p within 1e-11
 * of the label).  Extreme feature values can do that; so can separation. */
static size_t certain_rows(const ck_dataset *ds, const ck_reducer *red, const double *beta,
                           size_t p)
{
    double *x = malloc(p * sizeof *x);
    double n = 0;
    for (size_t i = 0; x && i < ds->n; i++) {
        size_t r = ds->rows[i];
        ck_design_row(ds->design, r, x);
        double eta = ck_linear_predictor(beta, x, p - 1);
        n += (eta > 25 && ds->y[r] == 1) || (eta < -25 && ds->y[r] == 0);
    }
    free(x);
    /* a diagnosis only: a failed sum leaves this process's count */
    (void)ck_reduce_sum(red, &n, 1);
    return (size_t)n;
}

static void diagnose(const ck_dataset *ds, const ck_logistic_options *opt, ck_logistic *m,
                     const double *h, const unsigned char *fixed, ck_warnings *w)
{
    const ck_pipeline *pl = ds->design->pl;
    size_t certain = opt->l2 == 0 ? certain_rows(ds, opt->reducer, m->beta, m->p) : 0;
    /* Separation is certainty bought with diverging coefficients: on the
     * standardized scale a finite maximum-likelihood fit stays well under
     * 10, while one chasing a separating direction grows past it (or fails
     * to converge).  Certainty with modest coefficients comes from extreme
     * feature values instead. */
    double big = 0;
    for (size_t j = 1; j < m->p; j++)
        big = fabs(m->beta[j]) > big ? fabs(m->beta[j]) : big;
    m->separation = certain > 0 && (big > 10 || !m->converged);
    if (m->separation)
        ck_warn(w, "perfect or quasi-complete separation: %zu rows are predicted with "
                   "certainty and the coefficients grow without bound (largest %.3g); use "
                   "--l2", certain, big);
    else if (certain > 0)
        ck_warn(w, "%zu rows have fitted probabilities of numerically 0 or 1 (extreme "
                   "feature values?); consider transforming heavy-tailed columns", certain);
    if (!m->converged)
        ck_warn(w, "logistic regression did not converge in %zu iterations (relative "
                   "gradient %.2g); results are approximate", m->iterations, m->grad_rel);
    if (!h)
        return;
    /* variance inflation above 1e4 on the standardized scale, among the
     * columns fitted (the aliased are named once, in their own warning);
     * only an unpenalized fit suffers from it */
    m->cond = ck_warn_dependence(h, m->p, fixed, m->aliased, m->rank,
                                 (const char *const *)pl->encoded, opt->l2 == 0 ? 1e4 : 0, w);
}

/* The aliased columns of a Newton fit (m->aliased, NULL when none), from
 * the R factor of the weighted design, with the rank each input column
 * takes (m->term_df, for its tests), and the mask of coefficients held at
 * 0 in *fixed (NULL when none; the caller frees): the omitted and the
 * aliased.  A penalized fit leaves them out too: the penalty would
 * identify them by sharing one effect among copies of a column, so that
 * none of the copies reads as the effect. */
static ck_status find_aliased(const ck_dataset *ds, const ck_logistic_options *opt,
                              int use_newton, ck_logistic *m, unsigned char **fixed,
                              ck_error *err)
{
    size_t p = m->p, q = p + 1, omitted = 0;
    *fixed = NULL;
    for (size_t j = 0; opt->omit && j < p; j++)
        omitted += opt->omit[j] != 0;
    m->rank = p - omitted;
    if (use_newton) {
        double *r = calloc(q * q, sizeof *r);
        if (!r || !(m->aliased = calloc(p, 1))) {
            free(r);
            return ck_error_set(err, CK_ENOMEM, "logistic regression: out of memory");
        }
        ck_status st = ck_linear_tsqr(ds, opt->threads, opt->reducer, r, err);
        size_t kept = st == CK_OK ? ck_aliased_columns(r, q, p, opt->omit, CK_ALIAS_TOL,
                                                       m->aliased)
                                  : 0;
        if (st == CK_OK && kept != (size_t)-1 && kept < m->rank && !opt->omit &&
            ck_coefs_term_df(r, q, p, kept, ds->design->pl, &m->term_df) != 0)
            kept = (size_t)-1;
        free(r);
        if (st != CK_OK)
            return st;
        if (kept == (size_t)-1)
            return ck_error_set(err, CK_ENOMEM, "logistic regression: out of memory");
        if (kept == m->rank) {
            free(m->aliased);
            m->aliased = NULL;
        }
        m->rank = kept;
    }
    if (!omitted && !m->aliased)
        return CK_OK;
    if (!(*fixed = calloc(p, 1)))
        return ck_error_set(err, CK_ENOMEM, "logistic regression: out of memory");
    for (size_t j = 0; j < p; j++)
        (*fixed)[j] = (opt->omit && opt->omit[j]) || (m->aliased && m->aliased[j]);
    return CK_OK;
}

static void state_free(newton_state *st, pass *ps)
{
    free(st->beta);
    free(st->g);
    free(st->h);
    free(st->d);
    free(st->trial);
    free(st->g2);
    free(st->h2);
    free(ps->ll);
    free(ps->g);
    free(ps->h);
    free(ps->work);
    free(ps->rows);
    free(ps->packed);
}

ck_status ck_logistic_fit(const ck_dataset *ds, const ck_logistic_options *opt,
                          ck_logistic *m, ck_warnings *w, ck_error *err)
{
    ck_logistic_options defaults;
    size_t p = ds->design->pl->width + 1;
    unsigned char *fixed = NULL; /* coefficients held at 0 */
    if (!opt) {
        ck_logistic_options_init(&defaults);
        opt = &defaults;
    }
    gsl_set_error_handler_off(); /* every GSL status is checked here */
    memset(m, 0, sizeof *m);
    m->p = p;
    int use_newton = opt->solver == CK_SOLVER_NEWTON ||
                     (opt->solver == CK_SOLVER_AUTO && p - 1 <= CK_LOGISTIC_NEWTON_WIDTH);
    pass ps = {.ds = ds, .p = p, .nchunks = ck_chunks_for(ds->n), .red = opt->reducer,
               .penalty = opt->penalty};
    newton_state st = {.ps = &ps, .l2 = opt->l2, .threads = opt->threads};
    ps.ll = calloc(ps.nchunks, sizeof *ps.ll);
    ps.g = calloc(ps.nchunks * p, sizeof *ps.g);
    ps.work = calloc(ck_parallel_workers(ps.nchunks, opt->threads) * WORK(p), sizeof *ps.work);
    ps.rows = calloc(ck_parallel_workers(ps.nchunks, opt->threads) * BLOCK, sizeof *ps.rows);
    if (use_newton)
        ps.h = calloc(ps.nchunks * p * p, sizeof *ps.h);
    st.beta = calloc(p, sizeof *st.beta);
    st.g = calloc(p, sizeof *st.g);
    st.g2 = calloc(p, sizeof *st.g2);
    st.d = calloc(p, sizeof *st.d);
    st.trial = calloc(p, sizeof *st.trial);
    /* the p x p matrices only for Newton: L-BFGS serves widths whose
     * Hessian would not fit, and leaves the covariance unknown */
    if (use_newton) {
        st.h = calloc(p * p, sizeof *st.h);
        st.h2 = calloc(p * p, sizeof *st.h2);
        m->cov = calloc(p * p, sizeof *m->cov);
    }
    m->beta = calloc(p, sizeof *m->beta);
    if (ps.red)
        ps.packed = malloc((1 + p + (use_newton ? p * (p + 1) / 2 : 0)) * sizeof *ps.packed);
    ck_status status = CK_OK;
    if (!ps.ll || !ps.g || !ps.work || !ps.rows || (use_newton && (!ps.h || !st.h || !st.h2 || !m->cov)) ||
        !st.beta || !st.g || !st.g2 || !st.d || !st.trial || !m->beta || (ps.red && !ps.packed)) {
        status = ck_error_set(err, CK_ENOMEM, "logistic regression: out of memory "
                                              "(%zu coefficients)", p);
        goto done;
    }
    if ((status = find_aliased(ds, opt, use_newton, m, &fixed, err)) != CK_OK)
        goto done;
    ps.fixed = fixed;
    double mean_y;
    if (null_model(ds, opt->reducer, m, &mean_y) != 0) {
        status = ck_error_set(err, CK_ENOMEM, "logistic regression: out of memory");
        goto done;
    }
    /* start at the intercept-only optimum: one Newton step saved */
    if (mean_y > 0 && mean_y < 1)
        st.beta[0] = log(mean_y / (1 - mean_y));
    status = use_newton ? newton(&st, opt, m, err) : bfgs(&st, opt, m, err);
    if (ps.failed) /* a failed sum, whatever the solver made of it */
        status = ck_error_set(err, CK_ENOMEM, "logistic regression: out of memory in a "
                                              "distributed sum");
    if (status != CK_OK)
        goto done;
    diagnose(ds, opt, m, use_newton ? st.h : NULL, fixed, w);
done:
    free(fixed);
    state_free(&st, &ps);
    if (status != CK_OK)
        ck_logistic_fini(m);
    return status;
}

void ck_logistic_fini(ck_logistic *m)
{
    free(m->beta);
    free(m->cov);
    free(m->aliased);
    free(m->term_df);
    m->beta = m->cov = m->term_df = NULL;
    m->aliased = NULL;
}
