/* survmetrics.c -- Kaplan-Meier curves, the time-dependent AUC and Brier
 * score with IPCW weights, and calibration by risk deciles (see
 * survmetrics.h for the definitions and the decisions). */
#include "churnkit/survmetrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* qnorm(0.975) to 17 digits, as R computes it for conf.int = 0.95 */
#define Z975 1.9599639845400536

/* ------------------------------------------------------------------ */
/* validation */

static double weight_of(const double *weight, size_t i)
{
    return weight ? weight[i] : 1.0;
}

/* The row's time, event and weight, checked; the message names the row. */
static ck_status check_row(const double *time, const double *event, const double *weight,
                           size_t i, ck_error *err)
{
    if (!(isfinite(time[i]) && time[i] >= 0))
        return ck_error_set(err, CK_EDATA, "survival metrics: the time of row %zu is %g; it "
                            "must be finite and >= 0", i, time[i]);
    if (event[i] != 0 && event[i] != 1)
        return ck_error_set(err, CK_EDATA, "survival metrics: the event of row %zu is %g; it "
                            "must be 0 (censored) or 1 (churned)", i, event[i]);
    if (weight && !(isfinite(weight[i]) && weight[i] >= 0))
        return ck_error_set(err, CK_EDATA, "survival metrics: the weight of row %zu is %g; it "
                            "must be finite and >= 0", i, weight[i]);
    return CK_OK;
}

/* Checks rows[0..m) (NULL: 0..m-1) and that their weight is positive. */
static ck_status check_rows(const double *time, const double *event, const double *weight,
                            const size_t *rows, size_t m, ck_error *err)
{
    if (!time || !event)
        return ck_error_set(err, CK_EUSAGE, "survival metrics: no time or event array");
    if (m == 0)
        return ck_error_set(err, CK_EDATA, "survival metrics: no rows");
    double total = 0;
    for (size_t k = 0; k < m; k++) {
        size_t i = rows ? rows[k] : k;
        ck_status st = check_row(time, event, weight, i, err);
        if (st != CK_OK)
            return st;
        total += weight_of(weight, i);
    }
    if (!(total > 0))
        return ck_error_set(err, CK_EDATA, "survival metrics: every one of the %zu rows has "
                            "weight 0", m);
    return CK_OK;
}

static ck_status check_risk(const double *risk, size_t n, ck_error *err)
{
    if (!risk)
        return ck_error_set(err, CK_EUSAGE, "survival metrics: no risk array");
    for (size_t i = 0; i < n; i++)
        if (!(risk[i] >= 0 && risk[i] <= 1)) /* also catches NaN */
            return ck_error_set(err, CK_EDATA, "survival metrics: the predicted risk of row "
                                "%zu is %g; a probability of churn must be in [0, 1]", i,
                                risk[i]);
    return CK_OK;
}

/* ------------------------------------------------------------------ */
/* sorting */

typedef struct keyed {
    double key;
    size_t idx;
} keyed;

/* By key, then by row: a total order, so qsort's instability is moot. */
static int keyed_cmp(const void *pa, const void *pb)
{
    const keyed *a = pa, *b = pb;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return (a->idx > b->idx) - (a->idx < b->idx);
}

/* The rows of positive weight among rows[0..m) (NULL: 0..m-1), keyed by
 * key[row] and sorted; *len their count.  NULL when out of memory. */
static keyed *sorted_rows(const double *key, const double *weight, const size_t *rows,
                          size_t m, size_t *len)
{
    keyed *a = malloc((m ? m : 1) * sizeof *a);
    *len = 0;
    if (!a)
        return NULL;
    size_t k = 0;
    for (size_t r = 0; r < m; r++) {
        size_t i = rows ? rows[r] : r;
        if (weight && !(weight[i] > 0))
            continue;
        a[k].key = key[i];
        a[k++].idx = i;
    }
    qsort(a, k, sizeof *a, keyed_cmp);
    *len = k;
    return a;
}

/* ------------------------------------------------------------------ */
/* Kaplan-Meier */

/* One distinct time: the weight of its churns and its censorings, and of
 * the rows with a later time. */
typedef struct tick {
    double time, churn, cens, later;
} tick;

/* The distinct times of the sorted rows a[0..len), with their weights;
 * returns their count.  `later` is summed from the end, as R does, so the
 * weight at risk is not a difference of large sums. */
static size_t ticks_of(const keyed *a, size_t len, const double *event,
                       const double *weight, tick *tk)
{
    size_t nt = 0;
    for (size_t k = 0; k < len; k++) {
        size_t i = a[k].idx;
        if (k == 0 || a[k].key != a[k - 1].key)
            tk[nt++] = (tick){a[k].key, 0, 0, 0};
        if (event[i] == 1)
            tk[nt - 1].churn += weight_of(weight, i);
        else
            tk[nt - 1].cens += weight_of(weight, i);
    }
    double later = 0;
    for (size_t k = nt; k-- > 0;) {
        tk[k].later = later;
        later += tk[k].churn + tk[k].cens;
    }
    return nt;
}

/* The events d and weight at risk n of a tick for the curve wanted: for
 * the censoring curve the churns at the time have left already (see
 * survmetrics.h), n = censored + later rather than all - churned, so that
 * n == d exactly when every row left is censored. */
static void tick_counts(const tick *tk, int censoring, double *d, double *n)
{
    if (censoring) {
        *d = tk->cens;
        *n = tk->cens + tk->later;
    } else {
        *d = tk->churn;
        *n = tk->churn + tk->cens + tk->later;
    }
}

static ck_status km_alloc(ck_km *km, size_t nsteps, ck_error *err)
{
    memset(km, 0, sizeof *km);
    if (nsteps == 0)
        return CK_OK;
    double *block = malloc(5 * nsteps * sizeof *block);
    if (!block)
        return ck_error_set(err, CK_ENOMEM, "survival metrics: out of memory (%zu times)",
                            nsteps);
    km->ntimes = nsteps;
    km->time = block;
    km->surv = block + nsteps;
    km->nrisk = block + 2 * nsteps;
    km->nevent = block + 3 * nsteps;
    km->greenwood = block + 4 * nsteps;
    return CK_OK;
}

/* The product-limit steps from the ticks (formulas in survmetrics.h). */
static ck_status km_from_ticks(const tick *tk, size_t nt, int censoring, ck_km *km,
                               ck_error *err)
{
    size_t nsteps = 0;
    double d, n;
    for (size_t k = 0; k < nt; k++) {
        tick_counts(&tk[k], censoring, &d, &n);
        nsteps += d > 0;
    }
    ck_status st = km_alloc(km, nsteps, err);
    if (st != CK_OK)
        return st;
    double s = 1, gw = 0;
    size_t j = 0;
    for (size_t k = 0; k < nt && j < nsteps; k++) {
        tick_counts(&tk[k], censoring, &d, &n);
        if (!(d > 0))
            continue;
        s *= 1 - d / n;
        gw += n > d ? d / (n * (n - d)) : INFINITY;
        km->time[j] = tk[k].time;
        km->surv[j] = s;
        km->nrisk[j] = n;
        km->nevent[j] = d;
        km->greenwood[j++] = gw;
    }
    return CK_OK;
}

/* Both curves of the checked rows rows[0..nrows) from one sort by time
 * (either output may be NULL). */
static ck_status km_fit_both(const double *time, const double *event, const double *weight,
                             const size_t *rows, size_t nrows, ck_km *surv, ck_km *cens,
                             ck_error *err)
{
    size_t len;
    keyed *a = sorted_rows(time, weight, rows, nrows, &len);
    tick *tk = malloc((len ? len : 1) * sizeof *tk);
    ck_status st = CK_OK;
    if (!a || !tk)
        st = ck_error_set(err, CK_ENOMEM, "survival metrics: out of memory (%zu rows)", nrows);
    size_t nt = st == CK_OK ? ticks_of(a, len, event, weight, tk) : 0;
    if (st == CK_OK && surv)
        st = km_from_ticks(tk, nt, 0, surv, err);
    if (st == CK_OK && cens)
        st = km_from_ticks(tk, nt, 1, cens, err);
    free(a);
    free(tk);
    return st;
}

ck_status ck_km_fit_rows(const double *time, const double *event, const double *weight,
                         const size_t *rows, size_t nrows, int censoring, ck_km *km,
                         ck_error *err)
{
    if (!km)
        return ck_error_set(err, CK_EUSAGE, "survival metrics: no output curve");
    memset(km, 0, sizeof *km);
    ck_status st = check_rows(time, event, weight, rows, nrows, err);
    if (st != CK_OK)
        return st;
    return km_fit_both(time, event, weight, rows, nrows, censoring ? NULL : km,
                       censoring ? km : NULL, err);
}

ck_status ck_km_fit(const double *time, const double *event, const double *weight, size_t n,
                    int censoring, ck_km *km, ck_error *err)
{
    return ck_km_fit_rows(time, event, weight, NULL, n, censoring, km, err);
}

void ck_km_fini(ck_km *km)
{
    if (!km)
        return;
    free(km->time);
    memset(km, 0, sizeof *km);
}

/* The number of steps at times <= t (strict: < t). */
static size_t steps_until(const ck_km *km, double t, int strict)
{
    size_t lo = 0, hi = km->ntimes;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strict ? km->time[mid] < t : km->time[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* v[k - 1], the value after the k-th step, or `before` for k = 0 (v is
 * NULL for a curve without steps). */
static double after_steps(const double *v, size_t k, double before)
{
    return k > 0 && v ? v[k - 1] : before;
}

double ck_km_at(const ck_km *km, double t)
{
    if (isnan(t))
        return NAN;
    return after_steps(km->surv, steps_until(km, t, 0), 1.0);
}

double ck_km_at_left(const ck_km *km, double t)
{
    if (isnan(t))
        return NAN;
    return after_steps(km->surv, steps_until(km, t, 1), 1.0);
}

void ck_km_interval(const ck_km *km, double t, double *lo, double *hi)
{
    if (isnan(t)) {
        *lo = *hi = NAN;
        return;
    }
    size_t k = steps_until(km, t, 0);
    double s = after_steps(km->surv, k, 1.0), gw = after_steps(km->greenwood, k, 0.0);
    if (s <= 0 || s >= 1 || !(gw > 0)) {
        *lo = *hi = s; /* degenerate: see the header */
        return;
    }
    /* S^exp(+-z se / log S), written as exp(log S * exp(...)) */
    double l = log(s), e = Z975 * sqrt(gw) / l; /* e < 0 */
    *lo = exp(l * exp(-e));
    *hi = exp(l * exp(e));
}

/* Churn by t with its interval, from a fitted curve. */
static ck_km_churn churn_of(const ck_km *km, double t)
{
    ck_km_churn c;
    double slo, shi;
    size_t k = steps_until(km, t, 0);
    c.surv = ck_km_at(km, t);
    c.churn = 1 - c.surv;
    ck_km_interval(km, t, &slo, &shi);
    c.lo = 1 - shi;
    c.hi = 1 - slo;
    c.se = c.surv * sqrt(after_steps(km->greenwood, k, 0.0));
    return c;
}

ck_status ck_km_churn_at(const double *time, const double *event, const double *weight,
                         const size_t *rows, size_t nrows, double t, ck_km_churn *out,
                         ck_error *err)
{
    if (!out)
        return ck_error_set(err, CK_EUSAGE, "survival metrics: no output");
    if (isnan(t))
        return ck_error_set(err, CK_EUSAGE, "survival metrics: the time t is NaN");
    ck_km km;
    ck_status st = ck_km_fit_rows(time, event, weight, rows, nrows, 0, &km, err);
    if (st != CK_OK)
        return st;
    *out = churn_of(&km, t);
    ck_km_fini(&km);
    return CK_OK;
}

/* ------------------------------------------------------------------ */
/* metrics at a horizon */

void ck_surv_options_init(ck_surv_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->ipcw = CK_IPCW_BEFORE;
}

/* What every metric at t reads: the inputs, the two curves, G(t), G(t-)
 * and the controls' G (G(t-) or G(t) by the rule). */
typedef struct horizon_ctx {
    const double *time, *event, *weight, *risk;
    size_t n;
    double t;
    ck_ipcw ipcw;
    ck_km surv, cens;
    double g_t, g_left, g_ctrl;
    keyed *by_risk; /* the rows of weight > 0 sorted by risk */
    size_t nrisk;   /* their count */
} horizon_ctx;

static int is_case(const horizon_ctx *h, size_t i)
{
    return h->time[i] <= h->t && h->event[i] == 1;
}

/* A control (survmetrics.h): known to have survived t.  Under
 * CK_IPCW_BEFORE a row censored exactly at t is one (it paid month t);
 * under CK_IPCW_AT only the rows followed beyond t. */
static int is_control(const horizon_ctx *h, size_t i)
{
    return h->time[i] > h->t ||
           (h->ipcw == CK_IPCW_BEFORE && h->time[i] == h->t && h->event[i] == 0);
}

/* A case's IPCW weight w_i / G_i (survmetrics.h, ck_ipcw); G(T_i-) >=
 * G(t-) > 0, or G(T_i) >= G(t) > 0. */
static double case_weight(const horizon_ctx *h, size_t i)
{
    double g = h->ipcw == CK_IPCW_BEFORE ? ck_km_at_left(&h->cens, h->time[i])
                                         : ck_km_at(&h->cens, h->time[i]);
    return weight_of(h->weight, i) / g;
}

/* The cumulative/dynamic AUC by one pass over the rows sorted by risk:
 * each tie group's cases beat the controls of lower risk and half of
 * their own group's. */
static void td_auc(const horizon_ctx *h, ck_surv_horizon *out)
{
    const keyed *a = h->by_risk;
    size_t len = h->nrisk;
    double num = 0, cases = 0, below = 0;
    out->cases = out->controls = 0;
    for (size_t k = 0; k < len;) {
        double cw = 0, kw = 0;
        size_t end = k;
        for (; end < len && a[end].key == a[k].key; end++) {
            size_t i = a[end].idx;
            if (is_case(h, i)) {
                cw += case_weight(h, i);
                out->cases++;
            } else if (is_control(h, i)) {
                kw += weight_of(h->weight, i); /* times 1 / G: the same for all */
                out->controls++;
            }
        }
        num += cw * (below + 0.5 * kw);
        cases += cw;
        below += kw;
        k = end;
    }
    out->auc = cases > 0 && below > 0 ? num / (cases * below) : NAN;
}

/* The IPCW Brier scores of the model and of the null model S_KM(t). */
static void brier(const horizon_ctx *h, ck_surv_horizon *out)
{
    double sum = 0, sum_null = 0, wsum = 0, s0 = out->surv_km;
    for (size_t i = 0; i < h->n; i++) {
        double w = weight_of(h->weight, i), s = 1 - h->risk[i];
        wsum += w;
        if (!(w > 0))
            continue;
        if (is_case(h, i)) {
            double a = case_weight(h, i);
            sum += a * s * s;
            sum_null += a * s0 * s0;
        } else if (is_control(h, i)) {
            double a = w / h->g_ctrl;
            sum += a * (1 - s) * (1 - s);
            sum_null += a * (1 - s0) * (1 - s0);
        }
    }
    out->brier = sum / wsum;
    out->brier_null = sum_null / wsum;
}

/* One calibration group: the sorted rows a[0..m). */
static ck_status calib_group(const horizon_ctx *h, const keyed *a, size_t m, size_t *rows,
                             ck_surv_horizon *out, ck_error *err)
{
    double wr = 0, w = 0;
    for (size_t k = 0; k < m; k++) {
        rows[k] = a[k].idx;
        wr += weight_of(h->weight, a[k].idx) * h->risk[a[k].idx];
        w += weight_of(h->weight, a[k].idx);
    }
    ck_km_churn c;
    ck_status st = ck_km_churn_at(h->time, h->event, h->weight, rows, m, h->t, &c, err);
    if (st != CK_OK)
        return st;
    size_t g = out->ngroups++;
    out->count[g] = m;
    out->pred[g] = wr / w;
    out->obs[g] = c.churn;
    out->obs_lo[g] = c.lo;
    out->obs_hi[g] = c.hi;
    return CK_OK;
}

/* The decile groups (rule in survmetrics.h): a tie group of risks joins
 * the decile of the weight strictly below it; deciles are contiguous runs
 * of the rows sorted by risk. */
static ck_status calibration(const horizon_ctx *h, ck_surv_horizon *out, ck_error *err)
{
    const keyed *a = h->by_risk;
    size_t len = h->nrisk;
    size_t *rows = malloc((len ? len : 1) * sizeof *rows);
    size_t *decile = malloc((len ? len : 1) * sizeof *decile);
    ck_status st = CK_OK;
    if (!rows || !decile) {
        st = ck_error_set(err, CK_ENOMEM, "survival metrics: out of memory (%zu rows)", h->n);
        goto done;
    }
    double total = 0, below = 0;
    for (size_t k = 0; k < len; k++)
        total += weight_of(h->weight, a[k].idx);
    for (size_t k = 0; k < len;) {
        size_t end = k;
        double tie = 0, g = floor(CK_SURV_GROUPS * below / total);
        for (; end < len && a[end].key == a[k].key; end++) {
            decile[end] = g < CK_SURV_GROUPS - 1 ? (size_t)g : CK_SURV_GROUPS - 1;
            tie += weight_of(h->weight, a[end].idx);
        }
        below += tie;
        k = end;
    }
    out->ngroups = 0;
    for (size_t k = 0; k < len && st == CK_OK;) {
        size_t end = k;
        while (end < len && decile[end] == decile[k])
            end++;
        st = calib_group(h, a + k, end - k, rows, out, err);
        k = end;
    }
done:
    free(rows);
    free(decile);
    return st;
}

/* Calibration-in-the-large: the weighted mean risk and the KM churn. */
static void in_the_large(const horizon_ctx *h, ck_surv_horizon *out)
{
    double wr = 0, w = 0;
    for (size_t i = 0; i < h->n; i++) {
        wr += weight_of(h->weight, i) * h->risk[i];
        w += weight_of(h->weight, i);
    }
    ck_km_churn c = churn_of(&h->surv, h->t);
    out->mean_pred = wr / w;
    out->km_obs = c.churn;
    out->km_obs_lo = c.lo;
    out->km_obs_hi = c.hi;
}

/* The time where G reached 0 (for the message): the data's last time,
 * every row left there censored. */
static double cens_zero_time(const ck_km *g)
{
    for (size_t k = 0; k < g->ntimes; k++)
        if (g->surv[k] == 0)
            return g->time[k];
    return NAN;
}

/* The controls' G must be positive (survmetrics.h): G(t-) under
 * CK_IPCW_BEFORE, G(t) under CK_IPCW_AT. */
static ck_status check_cens(const horizon_ctx *h, ck_error *err)
{
    if (h->g_ctrl > 0)
        return CK_OK;
    double u = cens_zero_time(&h->cens);
    if (h->ipcw == CK_IPCW_BEFORE)
        return ck_error_set(err, CK_EDATA, "survival metrics at t = %g: the censoring "
                            "survival G(t-) is 0 -- no row is followed up to t: every row "
                            "still followed at time %g, the data's last, was censored there -- "
                            "so nobody's churn by t is known and the inverse probability of "
                            "censoring weights are undefined; choose a horizon of at most %g",
                            h->t, u, u);
    return ck_error_set(err, CK_EDATA, "survival metrics at t = %g: the censoring survival "
                        "G(t) is 0 -- every row still followed at time %g was censored then "
                        "and no row is followed beyond it -- so the inverse probability of "
                        "censoring weights 1/G(t) of the rule CK_IPCW_AT are undefined; choose "
                        "a horizon before %g (the rule CK_IPCW_BEFORE allows %g itself)", h->t, u, u,
                        u);
}

/* Checks the inputs, fits both curves and sorts the rows by risk. */
static ck_status horizon_prepare(horizon_ctx *h, ck_error *err)
{
    if (!(isfinite(h->t) && h->t > 0))
        return ck_error_set(err, CK_EUSAGE, "survival metrics: the horizon t = %g must be a "
                            "finite time > 0", h->t);
    if (h->ipcw != CK_IPCW_AT && h->ipcw != CK_IPCW_BEFORE)
        return ck_error_set(err, CK_EUSAGE, "survival metrics: unknown IPCW rule %d",
                            (int)h->ipcw);
    ck_status st = check_rows(h->time, h->event, h->weight, NULL, h->n, err);
    if (st == CK_OK)
        st = check_risk(h->risk, h->n, err);
    if (st == CK_OK)
        st = km_fit_both(h->time, h->event, h->weight, NULL, h->n, &h->surv, &h->cens, err);
    if (st != CK_OK)
        return st;
    h->by_risk = sorted_rows(h->risk, h->weight, NULL, h->n, &h->nrisk);
    if (!h->by_risk)
        return ck_error_set(err, CK_ENOMEM, "survival metrics: out of memory (%zu rows)", h->n);
    h->g_t = ck_km_at(&h->cens, h->t);
    h->g_left = ck_km_at_left(&h->cens, h->t);
    h->g_ctrl = h->ipcw == CK_IPCW_BEFORE ? h->g_left : h->g_t;
    return check_cens(h, err);
}

ck_status ck_surv_horizon_metrics(const double *time, const double *event,
                                  const double *weight, const double *risk, size_t n, double t,
                                  const ck_surv_options *opt, ck_surv_horizon *out,
                                  ck_error *err)
{
    if (!out)
        return ck_error_set(err, CK_EUSAGE, "survival metrics: no output");
    memset(out, 0, sizeof *out);
    ck_surv_options defaults;
    ck_surv_options_init(&defaults);
    horizon_ctx h = {time, event, weight, risk, n, t, (opt ? opt : &defaults)->ipcw,
                     {0}, {0}, 0, 0, 0, NULL, 0};
    ck_status st = horizon_prepare(&h, err);
    if (st == CK_OK) {
        out->t = t;
        out->surv_km = ck_km_at(&h.surv, t);
        out->cens_t = h.g_t;
        out->cens_left = h.g_left;
        td_auc(&h, out);
        brier(&h, out);
        in_the_large(&h, out);
        st = calibration(&h, out, err);
    }
    ck_km_fini(&h.surv);
    ck_km_fini(&h.cens);
    free(h.by_risk);
    if (st != CK_OK)
        memset(out, 0, sizeof *out);
    return st;
}
