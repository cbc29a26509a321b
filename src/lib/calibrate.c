/* calibrate.c -- Platt scaling and isotonic regression of out-of-fold
 * probabilities (see calibrate.h for the formulas). */
#include "churnkit/calibrate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *ck_calib_method_name(ck_calib_method m)
{
    return m == CK_CALIB_PLATT ? "platt" : m == CK_CALIB_ISOTONIC ? "isotonic" : "none";
}

int ck_calib_method_parse(const char *s, ck_calib_method *m)
{
    static const ck_calib_method all[] = {CK_CALIB_NONE, CK_CALIB_PLATT, CK_CALIB_ISOTONIC};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        if (strcmp(s, ck_calib_method_name(all[k])) == 0) {
            *m = all[k];
            return 0;
        }
    return -1;
}

static double logit(double p)
{
    const double eps = 1e-15;
    p = p < eps ? eps : p > 1 - eps ? 1 - eps : p;
    return log(p / (1 - p));
}

/* log(1 + e^u) without overflow */
static double log1pexp(double u)
{
    return u > 0 ? u + log1p(exp(-u)) : log1p(exp(u));
}

/* The Platt loss sum log(1 + e^u) - (1 - t) u, u = a z + b: a logistic
 * regression of 1 - t on (z, 1), convex in (a, b). */
static double platt_loss(const double *z, const double *t, size_t n, double a, double b)
{
    double l = 0;
    for (size_t i = 0; i < n; i++) {
        double u = a * z[i] + b;
        l += log1pexp(u) - (1 - t[i]) * u;
    }
    return l;
}

/* Newton's method on (a, b) from scikit-learn's start (0, log((N- + 1) /
 * (N+ + 1))), halving a step that does not lower the loss; stops when the
 * step no longer moves the loss. */
static void platt_fit(const double *z, const double *t, size_t n, double pos, double *a,
                      double *b)
{
    double neg = (double)n - pos;
    *a = 0;
    *b = log((neg + 1) / (pos + 1));
    double loss = platt_loss(z, t, n, *a, *b);
    for (int it = 0; it < 100; it++) {
        double ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0;
        for (size_t i = 0; i < n; i++) {
            double s = 1 / (1 + exp(-(*a * z[i] + *b)));
            double r = s - (1 - t[i]), w = s * (1 - s);
            ga += r * z[i];
            gb += r;
            haa += w * z[i] * z[i];
            hab += w * z[i];
            hbb += w;
        }
        double det = haa * hbb - hab * hab;
        if (!(det > 0))
            break;
        double da = (hbb * ga - hab * gb) / det, db = (haa * gb - hab * ga) / det;
        double step = 1, next = loss;
        for (int h = 0; h < 50; h++, step /= 2)
            if ((next = platt_loss(z, t, n, *a - step * da, *b - step * db)) <= loss)
                break;
        if (!(next <= loss))
            break;
        *a -= step * da;
        *b -= step * db;
        int done = loss - next <= 1e-15 * (fabs(loss) + 1);
        loss = next;
        if (done)
            break;
    }
}

static int fit_platt(ck_calibration *c, const double *y, const double *p, size_t n)
{
    double *z = malloc(n * sizeof *z), *t = malloc(n * sizeof *t), pos = 0;
    if (!z || !t) {
        free(z);
        free(t);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        pos += y[i] == 1;
    double hi = (pos + 1) / (pos + 2), lo = 1 / ((double)n - pos + 2);
    for (size_t i = 0; i < n; i++) {
        z[i] = logit(p[i]);
        t[i] = y[i] == 1 ? hi : lo;
    }
    platt_fit(z, t, n, pos, &c->a, &c->b);
    free(z);
    free(t);
    return 0;
}

typedef struct point {
    double x, y, w; /* a distinct p, its mean label, its rows */
} point;

static int by_x(const void *a, const void *b)
{
    double u = ((const point *)a)->x, v = ((const point *)b)->x;
    return (u > v) - (u < v);
}

/* Pool-adjacent-violators over the points in x order, in place: pools
 * merge while a pool's mean is below the previous one's.  Returns the
 * number of pools; pool k covers points [start[k], start[k+1]). */
static size_t pav(point *pt, size_t n, size_t *start)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        start[m] = i;
        pt[m] = pt[i]; /* pool m's mean and weight live in pt[m] */
        m++;
        while (m > 1 && pt[m - 2].y >= pt[m - 1].y) {
            double w = pt[m - 2].w + pt[m - 1].w;
            pt[m - 2].y = (pt[m - 2].y * pt[m - 2].w + pt[m - 1].y * pt[m - 1].w) / w;
            pt[m - 2].w = w;
            m--;
        }
    }
    return m;
}

static int fit_isotonic(ck_calibration *c, const double *y, const double *p, size_t n)
{
    point *pt = malloc(n * sizeof *pt);
    size_t *start = malloc((n + 1) * sizeof *start);
    double *xs = malloc(n * sizeof *xs);
    if (!pt || !start || !xs)
        goto fail;
    for (size_t i = 0; i < n; i++)
        pt[i] = (point){p[i], y[i] == 1, 1};
    qsort(pt, n, sizeof *pt, by_x);
    size_t u = 0; /* tied p become one point of their mean label */
    for (size_t i = 0; i < n; i++) {
        if (u && pt[u - 1].x == pt[i].x) {
            double w = pt[u - 1].w + 1;
            pt[u - 1].y += (pt[i].y - pt[u - 1].y) / w;
            pt[u - 1].w = w;
        } else {
            pt[u++] = pt[i];
        }
    }
    for (size_t i = 0; i < u; i++)
        xs[i] = pt[i].x;
    size_t m = pav(pt, u, start);
    start[m] = u;
    /* knots: each pool's first and last x (a constant run needs no more
     * for interpolation), at the pool's value */
    c->x = malloc(2 * m * sizeof *c->x);
    c->y = malloc(2 * m * sizeof *c->y);
    if (!c->x || !c->y)
        goto fail;
    /* no value of 0 or 1: n rows cannot show a certainty, and one row
     * that disagrees with it would cost an infinite log-loss; the values
     * are bounded to [1/(2n), 1 - 1/(2n)] (scikit-learn's y_min, y_max),
     * which keeps them in order */
    double lo = 0.5 / (double)n, hi = 1 - lo;
    c->n = 0;
    for (size_t k = 0; k < m; k++) {
        size_t first = start[k], last = start[k + 1] - 1;
        double v = pt[k].y < lo ? lo : pt[k].y > hi ? hi : pt[k].y;
        c->x[c->n] = xs[first];
        c->y[c->n++] = v;
        if (last != first) {
            c->x[c->n] = xs[last];
            c->y[c->n++] = v;
        }
    }
    free(pt);
    free(start);
    free(xs);
    return 0;
fail:
    free(pt);
    free(start);
    free(xs);
    ck_calibration_fini(c);
    return -1;
}

int ck_calibration_fit(ck_calibration *c, ck_calib_method method, const double *y,
                       const double *p, size_t n)
{
    memset(c, 0, sizeof *c);
    c->ece_before = c->ece_after = NAN;
    c->method = method;
    if (method == CK_CALIB_PLATT)
        return fit_platt(c, y, p, n);
    if (method == CK_CALIB_ISOTONIC)
        return fit_isotonic(c, y, p, n);
    return 0;
}

/* Linear interpolation between the knots, clipped at the ends (numpy's
 * interp): the last knot at or below p by bisection. */
static double interpolate(const ck_calibration *c, double p)
{
    if (p <= c->x[0])
        return c->y[0];
    if (p >= c->x[c->n - 1])
        return c->y[c->n - 1];
    size_t lo = 0, hi = c->n - 1; /* x[lo] < p < x[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->x[mid] <= p)
            lo = mid;
        else
            hi = mid;
    }
    double f = (p - c->x[lo]) / (c->x[hi] - c->x[lo]);
    return c->y[lo] + f * (c->y[hi] - c->y[lo]);
}

double ck_calibration_apply(const ck_calibration *c, double p)
{
    switch (c->method) {
    case CK_CALIB_PLATT: return 1 / (1 + exp(c->a * logit(p) + c->b));
    case CK_CALIB_ISOTONIC: return isnan(p) ? p : interpolate(c, p);
    case CK_CALIB_NONE: break;
    }
    return p;
}

void ck_calibration_fini(ck_calibration *c)
{
    free(c->x);
    free(c->y);
    c->x = c->y = NULL;
    c->n = 0;
}

json_t *ck_calibration_to_json(const ck_calibration *c)
{
    if (c->method == CK_CALIB_NONE)
        return NULL;
    json_t *o = json_object();
    int bad = !o;
    bad |= ck_json_put(o, "method", json_string(ck_calib_method_name(c->method)));
    if (c->method == CK_CALIB_PLATT) {
        bad |= ck_json_set_number(o, "a", c->a);
        bad |= ck_json_set_number(o, "b", c->b);
    } else {
        bad |= ck_json_put(o, "x", ck_json_numbers(c->x, c->n));
        bad |= ck_json_put(o, "y", ck_json_numbers(c->y, c->n));
    }
    bad |= ck_json_set_number(o, "oof_ece_before", c->ece_before);
    bad |= ck_json_set_number(o, "oof_ece_after", c->ece_after);
    return ck_json_done(o, bad);
}

static ck_status read_knots(ck_json_reader *rd, const json_t *o, ck_calibration *c)
{
    ck_status st;
    json_t *x = json_object_get(o, "x");
    if (!json_is_array(x) || json_array_size(x) == 0)
        return ck_json_bad(rd, "calibration.x", "must be a non-empty list of numbers");
    c->n = json_array_size(x);
    c->x = malloc(c->n * sizeof *c->x);
    c->y = malloc(c->n * sizeof *c->y);
    if (!c->x || !c->y)
        return ck_error_set(rd->err, CK_ENOMEM, "out of memory");
    if ((st = ck_json_get_numbers(rd, o, "x", "calibration.x", c->n, c->x)) != CK_OK ||
        (st = ck_json_get_numbers(rd, o, "y", "calibration.y", c->n, c->y)) != CK_OK)
        return st;
    for (size_t k = 0; k < c->n; k++)
        if (!isfinite(c->x[k]) || !(c->y[k] >= 0 && c->y[k] <= 1) ||
            (k && !(c->x[k] > c->x[k - 1] && c->y[k] >= c->y[k - 1])))
            return ck_json_bad(rd, "calibration", "must have increasing finite knots x and "
                                                  "non-decreasing values y in [0, 1]");
    return CK_OK;
}

ck_status ck_calibration_read(ck_json_reader *rd, const json_t *o, ck_calibration *c)
{
    char *method = NULL;
    ck_status st = ck_json_get_string(rd, o, "method", "calibration.method", &method);
    memset(c, 0, sizeof *c);
    if (st != CK_OK)
        return st;
    int bad = ck_calib_method_parse(method, &c->method) != 0 || c->method == CK_CALIB_NONE;
    free(method);
    if (bad)
        return ck_json_bad(rd, "calibration.method", "must be \"platt\" or \"isotonic\"");
    c->ece_before = ck_json_optional_number(o, "oof_ece_before");
    c->ece_after = ck_json_optional_number(o, "oof_ece_after");
    if (c->method == CK_CALIB_ISOTONIC)
        return read_knots(rd, o, c);
    if ((st = ck_json_get_number(rd, o, "a", "calibration.a", 0, &c->a)) != CK_OK ||
        (st = ck_json_get_number(rd, o, "b", "calibration.b", 0, &c->b)) != CK_OK)
        return st;
    if (!isfinite(c->a) || !isfinite(c->b))
        return ck_json_bad(rd, "calibration", "a and b must be finite");
    return CK_OK;
}
