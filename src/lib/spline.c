/* spline.c -- R's natural cubic spline basis, its difference penalty and
 * effective degrees of freedom (see spline.h). */
#include "churnkit/spline.h"
#include "churnkit/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { ORDER = 4 }; /* cubic */

size_t ck_spline_width(const ck_spline *s)
{
    return s->nknots - 1;
}

/* Whether v[0..n) holds at least k distinct values (k is small: a scan
 * that keeps the first k seen, stopping at the k-th). */
static int has_distinct(const double *v, size_t n, size_t k)
{
    double seen[CK_SPLINE_MAX_KNOTS];
    size_t m = 0;
    for (size_t i = 0; i < n && m < k; i++) {
        size_t j = 0;
        while (j < m && seen[j] != v[i])
            j++;
        if (j == m)
            seen[m++] = v[i];
    }
    return m >= k;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The type-7 quantiles at j / (k - 1) of a[0..n) into knots. */
static void quantile_knots(double *a, size_t n, size_t k, double *knots)
{
    double q[CK_SPLINE_MAX_KNOTS] = {0};
    for (size_t j = 0; j < k; j++)
        q[j] = (double)j / (double)(k - 1);
    ck_quantiles(a, n, q, k, knots);
}

size_t ck_spline_knots(double *v, size_t n, size_t k, double *knots, size_t *distinct)
{
    *distinct = 0;
    if (n == 0)
        return 0;
    if (has_distinct(v, n, k)) {
        quantile_knots(v, n, k, knots);
        size_t j = 1;
        while (j < k && knots[j] > knots[j - 1])
            j++;
        if (j == k)
            return k; /* R's ns(): quantiles of the values */
    }
    /* ties repeat a quantile, or there are fewer than k values: mgcv's
     * place.knots (its cr basis), the quantiles of the sorted distinct
     * values, at most as many knots as values (more would saturate the
     * basis: K knots are K - 1 columns, with the intercept K parameters) */
    qsort(v, n, sizeof *v, cmp_double);
    size_t d = 1;
    for (size_t i = 1; i < n; i++)
        if (v[i] > v[d - 1])
            v[d++] = v[i];
    *distinct = d;
    size_t m = d < k ? d : k;
    if (m >= 2)
        quantile_knots(v, d, m, knots);
    else
        knots[0] = v[0];
    return m;
}

/* The number of B-splines on the augmented knots: K + 2. */
static size_t nbasis(const ck_spline *s)
{
    return s->nknots + 2;
}

/* All K + 2 cubic B-splines (or their deriv-th derivative) at x inside
 * [k1, kK] into b, by Cox-de Boor's recurrence over the whole augmented
 * knot vector (K is small).  The order-1 spline that is 1 at x is that of
 * the last interval [t_mu, t_mu+1) holding x, the rightmost nonempty one
 * for x = kK (R's splineDesign is left-continuous there).  A derivative
 * raises the order from ORDER - deriv by d B_{i,r} = (r - 1) (B_{i,r-1} /
 * (t_{i+r-1} - t_i) - B_{i+1,r-1} / (t_{i+r} - t_{i+1})), 0/0 read as 0. */
static void bsplines(const ck_spline *s, double x, int deriv, double *b)
{
    const double *t = s->aknots;
    size_t nt = s->nknots + 6, nb = nbasis(s), mu = ORDER - 1;
    double v[CK_SPLINE_MAX_KNOTS + 6];
    while (mu + 1 < nb && t[mu + 1] <= x)
        mu++;
    for (size_t i = 0; i + 1 < nt; i++)
        v[i] = i == mu;
    for (int r = 2; r <= ORDER - deriv; r++)
        for (size_t i = 0; i + (size_t)r < nt; i++) {
            double d1 = t[i + (size_t)r - 1] - t[i], d2 = t[i + (size_t)r] - t[i + 1];
            v[i] = (d1 > 0 ? (x - t[i]) / d1 * v[i] : 0) +
                   (d2 > 0 ? (t[i + (size_t)r] - x) / d2 * v[i + 1] : 0);
        }
    for (int r = ORDER - deriv + 1; r <= ORDER; r++)
        for (size_t i = 0; i + (size_t)r < nt; i++) {
            double d1 = t[i + (size_t)r - 1] - t[i], d2 = t[i + (size_t)r] - t[i + 1];
            v[i] = (r - 1) * ((d1 > 0 ? v[i] / d1 : 0) - (d2 > 0 ? v[i + 1] / d2 : 0));
        }
    memcpy(b, v, nb * sizeof *b);
}

/* The K - 1 columns from the K + 2 B-splines b: Z' b[1..]. */
static void project(const ck_spline *s, const double *b, double *out)
{
    size_t w = ck_spline_width(s), n = nbasis(s) - 1;
    for (size_t j = 0; j < w; j++) {
        double v = 0;
        for (size_t i = 0; i < n; i++)
            v += s->z[i * w + j] * b[i + 1];
        out[j] = v;
    }
}

/* LINPACK's dqrdc2 (R's qr) on the n x 2 matrix a (column-major, no
 * pivoting: both constraint columns are far from zero), then dqrsl's Q'y
 * for each unit vector y = e_i: row i of Q, of which columns 3.. are Z's
 * row i.  The same reflections as R's, so the same basis to rounding. */
static void constraint_q(ck_spline *s, double *a, size_t n)
{
    double qraux[2] = {0, 0}, y[CK_SPLINE_MAX_KNOTS + 1];
    size_t w = ck_spline_width(s);
    for (size_t l = 0; l < 2; l++) {
        double *xl = a + l * n + l, nrm = 0;
        for (size_t i = 0; i < n - l; i++)
            nrm += xl[i] * xl[i];
        nrm = sqrt(nrm);
        if (nrm == 0)
            continue;
        if (xl[0] != 0)
            nrm = copysign(nrm, xl[0]);
        for (size_t i = 0; i < n - l; i++)
            xl[i] /= nrm;
        xl[0] += 1;
        for (size_t j = l + 1; j < 2; j++) {
            double *xj = a + j * n + l, t = 0;
            for (size_t i = 0; i < n - l; i++)
                t -= xl[i] * xj[i];
            t /= xl[0];
            for (size_t i = 0; i < n - l; i++)
                xj[i] += t * xl[i];
        }
        qraux[l] = xl[0];
        xl[0] = -nrm;
    }
    for (size_t r = 0; r < n; r++) {
        for (size_t i = 0; i < n; i++)
            y[i] = i == r;
        for (size_t l = 0; l < 2; l++) {
            if (qraux[l] == 0)
                continue;
            double *xl = a + l * n + l, keep = xl[0], t = 0;
            xl[0] = qraux[l];
            for (size_t i = 0; i < n - l; i++)
                t -= xl[i] * y[l + i];
            t /= xl[0];
            for (size_t i = 0; i < n - l; i++)
                y[l + i] += t * xl[i];
            xl[0] = keep;
        }
        for (size_t j = 0; j < w; j++)
            s->z[r * w + j] = y[j + 2];
    }
}

/* Whether the basis and its end tangents are finite at every knot. */
static int finite_basis(const ck_spline *s)
{
    size_t w = ck_spline_width(s);
    double b[CK_SPLINE_MAX_KNOTS];
    for (size_t j = 0; j < 4 * w; j++)
        if (!isfinite(s->edge[j]))
            return 0;
    for (size_t k = 0; k < s->nknots; k++) {
        ck_spline_basis(s, s->knots[k], b);
        for (size_t j = 0; j < w; j++)
            if (!isfinite(b[j]))
                return 0;
    }
    return 1;
}

ck_status ck_spline_prepare(ck_spline *s, ck_error *err)
{
    size_t k = s->nknots;
    if (k < 3 || k > CK_SPLINE_MAX_KNOTS)
        return ck_error_set(err, CK_EMODEL, "a spline needs 3 to %d knots, not %zu",
                            CK_SPLINE_MAX_KNOTS, k);
    for (size_t j = 0; j < k; j++)
        if (!isfinite(s->knots[j]) || (j > 0 && !(s->knots[j] > s->knots[j - 1])))
            return ck_error_set(err, CK_EMODEL, "spline knots must be finite and increasing");
    double *t = s->aknots, lo = s->knots[0], hi = s->knots[k - 1];
    for (size_t j = 0; j < ORDER; j++) {
        t[j] = lo;
        t[k + 2 + j] = hi;
    }
    for (size_t j = 1; j + 1 < k; j++)
        t[ORDER + j - 1] = s->knots[j];
    /* the constraints: the second derivatives of B-splines 2.. at the two
     * boundary knots, as the columns of a (K+1) x 2 matrix */
    size_t n = nbasis(s) - 1, w = ck_spline_width(s);
    double a[2 * (CK_SPLINE_MAX_KNOTS + 1)], b[CK_SPLINE_MAX_KNOTS + 2];
    bsplines(s, lo, 2, b);
    memcpy(a, b + 1, n * sizeof *a);
    bsplines(s, hi, 2, b);
    memcpy(a + n, b + 1, n * sizeof *a);
    constraint_q(s, a, n);
    /* each column's value and slope at both boundaries, for the tangents */
    for (int side = 0; side < 2; side++)
        for (int d = 0; d < 2; d++) {
            bsplines(s, side ? hi : lo, d, b);
            project(s, b, s->edge + (size_t)(2 * side + d) * w);
        }
    /* knots finite but far apart (a damaged file's -1e308 and 1e308)
     * overflow the spacings: refused now rather than at the first row */
    if (!finite_basis(s))
        return ck_error_set(err, CK_EMODEL, "spline knots too far apart: the basis is not "
                                            "finite at them");
    return CK_OK;
}

void ck_spline_basis(const ck_spline *s, double x, double *out)
{
    size_t w = ck_spline_width(s);
    double lo = s->knots[0], hi = s->knots[s->nknots - 1];
    if (x < lo || x > hi) {
        const double *e = s->edge + (x < lo ? 0 : 2 * w);
        double dx = x - (x < lo ? lo : hi);
        for (size_t j = 0; j < w; j++)
            out[j] = e[j] + dx * e[w + j];
        return;
    }
    double b[CK_SPLINE_MAX_KNOTS + 2];
    bsplines(s, x, 0, b);
    project(s, b, out);
}

void ck_spline_difference(const ck_spline *s, double scale, double *d)
{
    size_t nb = nbasis(s), w = ck_spline_width(s);
    double u[CK_SPLINE_MAX_KNOTS + 2];
    for (size_t i = 0; i < nb; i++)
        u[i] = (s->aknots[i + 1] + s->aknots[i + 2] + s->aknots[i + 3]) / 3 / scale;
    /* row r on the B-spline coefficients a: c0 a[r] + c1 a[r+1] + c2 a[r+2];
     * a[0] = 0 and a[1..] = Z g */
    for (size_t r = 0; r + 2 < nb; r++) {
        double h1 = u[r + 1] - u[r], h2 = u[r + 2] - u[r + 1];
        double c[3] = {1 / h1, -1 / h1 - 1 / h2, 1 / h2};
        for (size_t j = 0; j < w; j++) {
            double v = 0;
            for (size_t m = 0; m < 3; m++)
                if (r + m > 0)
                    v += c[m] * s->z[(r + m - 1) * w + j];
            d[r * w + j] = v;
        }
    }
}

/* The column coefficients v of the line (t - k[1]) / scale: its B-spline
 * coefficients are the Greville abscissae less k[1], over scale (a[0] = 0),
 * and v = Z' a[1..] (Z's columns are orthonormal, and a line keeps the
 * constraints).  Returns v'v. */
static double line_coefs(const ck_spline *s, double scale, double *v)
{
    size_t w = ck_spline_width(s), nb = nbasis(s);
    double vv = 0;
    for (size_t j = 0; j < w; j++)
        v[j] = 0;
    for (size_t i = 1; i < nb; i++) {
        double a = ((s->aknots[i + 1] + s->aknots[i + 2] + s->aknots[i + 3]) / 3 - s->knots[0]) /
                   scale;
        for (size_t j = 0; j < w; j++)
            v[j] += s->z[(i - 1) * w + j] * a;
    }
    for (size_t j = 0; j < w; j++)
        vv += v[j] * v[j];
    return vv;
}

size_t ck_spline_curvature(const ck_spline *s, double *c)
{
    size_t w = ck_spline_width(s), m = 0;
    double v[CK_SPLINE_MAX_KNOTS], vv = line_coefs(s, 1, v);
    /* Gram-Schmidt on e_1, e_2, ... after the line's direction, twice over
     * for rounding; a vector that nearly vanishes (in the span already) is
     * passed over */
    for (size_t e = 0; e < w && m + 1 < w; e++) {
        double *r = c + m * w, n = 0;
        for (size_t j = 0; j < w; j++)
            r[j] = j == e;
        for (int pass = 0; pass < 2; pass++) {
            double d = 0;
            for (size_t j = 0; j < w; j++)
                d += r[j] * v[j];
            for (size_t j = 0; j < w; j++)
                r[j] -= d / vv * v[j];
            for (size_t q = 0; q < m; q++) {
                double *o = c + q * w, dq = 0;
                for (size_t j = 0; j < w; j++)
                    dq += r[j] * o[j];
                for (size_t j = 0; j < w; j++)
                    r[j] -= dq * o[j];
            }
        }
        for (size_t j = 0; j < w; j++)
            n += r[j] * r[j];
        if (n < 1e-12)
            continue;
        for (size_t j = 0; j < w; j++)
            r[j] /= sqrt(n);
        m++;
    }
    return m;
}

void ck_spline_penalty(const ck_spline *s, double scale, double *block)
{
    size_t w = ck_spline_width(s);
    double d[CK_SPLINE_MAX_KNOTS * (CK_SPLINE_MAX_KNOTS - 1)], v[CK_SPLINE_MAX_KNOTS];
    double vv = line_coefs(s, scale, v);
    ck_spline_difference(s, scale, d);
    for (size_t a = 0; a < w; a++)
        for (size_t b = 0; b < w; b++) {
            double x = v[a] * v[b] / (vv * vv);
            for (size_t r = 0; r < s->nknots; r++)
                x += d[r * w + a] * d[r * w + b];
            block[a * w + b] = x;
        }
}

double ck_spline_edf(const double *cov, const double *s, double l2, size_t p, size_t first,
                     size_t q)
{
    double tr = 0;
    for (size_t j = first; j < first + q; j++)
        for (size_t k = 0; k < p; k++)
            tr += cov[j * p + k] * (s ? s[k * p + j] : (double)(k == j && k > 0));
    return (double)q - l2 * tr;
}
