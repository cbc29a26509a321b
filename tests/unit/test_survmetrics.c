/* Survival metrics: Kaplan-Meier curves and calibration groups against R's
 * survival::survfit, the time-dependent AUC and Brier scores against an
 * O(n^2) implementation of both IPCW rules' definitions (CK_IPCW_AT's being
 * scikit-survival's), on whole months (heavy ties, weighted and not; also
 * at month 12, the data's last, where every remaining row is censored) and
 * continuous times (tied risks); then the properties and the errors.  Reference numbers: tests/fixtures/
 * survmetrics/, made by make_survmetrics_fixtures.R and .py.  Compile with
 * -DCK_SURV_REPORT to print the largest differences. */
#include "testutil.h"

#include <math.h>

#include "churnkit/survmetrics.h"
#include "churnkit/table.h"

#define FIX CK_TEST_DATA "/../fixtures/survmetrics/"
#define TOL 1e-10

/* ------------------------------------------------------------------ */
/* reading references */

static ck_table *reference(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, FIX "%s", name);
    ck_table *t;
    ck_error err;
    ck_assert_msg(ck_table_read_csv(&t, path, NULL, &err) == CK_OK, "%s", err.message);
    return t;
}

/* A fixture data set as the arrays the library takes. */
typedef struct dataset {
    ck_table *t;
    const double *time, *event, *weight, *risk3, *risk6, *risk12;
    size_t n;
} dataset;

typedef struct tagged {
    const char *tag, *file;
    int weighted;
    int last; /* the horizon_<tag>.csv row at the data's last time, 12 */
} tagged;

static const tagged TAGS[] = {
    {"months", "months.csv", 0, 1},
    {"months_w", "months.csv", 1, 1},
    {"continuous", "continuous.csv", 0, 0},
};
#define NTAGS (sizeof TAGS / sizeof *TAGS)

static const double HORIZONS[] = {3, 6}; /* every fixture's (and 12 in the months') */

static dataset load(const tagged *tg)
{
    dataset d;
    d.t = reference(tg->file);
    d.n = d.t->nrows;
    d.time = ck_test_column(d.t, "time");
    d.event = ck_test_column(d.t, "event");
    d.weight = tg->weighted ? ck_test_column(d.t, "weight") : NULL;
    d.risk3 = ck_test_column(d.t, "risk3");
    d.risk6 = ck_test_column(d.t, "risk6");
    d.risk12 = tg->last ? ck_test_column(d.t, "risk12") : NULL;
    return d;
}

static const double *risk_at(const dataset *d, double t)
{
    ck_assert(t == 3 || t == 6 || (t == 12 && d->risk12));
    return t == 3 ? d->risk3 : t == 6 ? d->risk6 : d->risk12;
}

/* The worst relative difference seen in a group of comparisons. */
typedef struct worst {
    const char *what;
    double diff;
} worst;

static void see(worst *wo, double got, double want)
{
    double d = ck_test_reldiff(got, want, 1e-300);
    if ((isinf(want) && got == want) || (isnan(want) && isnan(got)))
        d = 0; /* NaN: NA in the reference, undefined */
    if (!(d <= wo->diff))
        wo->diff = d;
}

static void judge(const char *tag, const worst *wo)
{
#ifdef CK_SURV_REPORT
    fprintf(stderr, "%-12s %-28s %.3g\n", tag, wo->what, wo->diff);
#endif
    ck_assert_msg(wo->diff < TOL, "%s: %s differ from the reference by %g (relative)", tag,
                  wo->what, wo->diff);
}

static ck_surv_horizon horizon(const dataset *d, double t, ck_ipcw ipcw)
{
    ck_surv_options o;
    ck_surv_options_init(&o);
    o.ipcw = ipcw;
    ck_surv_horizon h;
    ck_error err;
    ck_assert_msg(ck_surv_horizon_metrics(d->time, d->event, d->weight, risk_at(d, t), d->n, t,
                                          &o, &h, &err) == CK_OK,
                  "%s", err.message);
    return h;
}

/* ------------------------------------------------------------------ */
/* against R and the O(n^2) reference */

/* One Kaplan-Meier curve against km_<tag>.csv or cens_<tag>.csv. */
static void check_km(const dataset *d, const char *tag, int censoring)
{
    char name[128];
    snprintf(name, sizeof name, "%s_%s.csv", censoring ? "cens" : "km", tag);
    ck_table *r = reference(name);
    ck_km km;
    ck_error err;
    ck_assert_msg(ck_km_fit(d->time, d->event, d->weight, d->n, censoring, &km, &err) == CK_OK,
                  "%s", err.message);
    ck_assert_uint_eq(km.ntimes, r->nrows);
    const double *t = ck_test_column(r, "time"), *s = ck_test_column(r, "surv"), *nr = ck_test_column(r, "nrisk"),
                 *ne = ck_test_column(r, "nevent"), *gw = ck_test_column(r, "greenwood"),
                 *lo = ck_test_column(r, "lower"), *hi = ck_test_column(r, "upper");
    worst wc = {"curve, counts", 0}, wv = {"greenwood, interval", 0};
    for (size_t k = 0; k < km.ntimes; k++) {
        ck_assert(km.time[k] == t[k]);
        see(&wc, km.surv[k], s[k]);
        see(&wc, km.nrisk[k], nr[k]);
        see(&wc, km.nevent[k], ne[k]);
        if (isnan(gw[k])) /* written NA for R's Inf: where S reaches 0 */
            ck_assert(km.surv[k] == 0 && isinf(km.greenwood[k]));
        else
            see(&wv, km.greenwood[k], gw[k]);
        ck_assert(ck_km_at(&km, t[k]) == km.surv[k]);
        double l, h;
        ck_km_interval(&km, t[k], &l, &h);
        if (isnan(lo[k])) { /* R: none where S = 0; churnkit: [0, 0] */
            ck_assert(km.surv[k] == 0 && l == 0 && h == 0);
            continue;
        }
        see(&wv, l, lo[k]);
        see(&wv, h, hi[k]);
    }
    judge(name, &wc);
    judge(name, &wv);
    ck_km_fini(&km);
    ck_table_free(r);
}

START_TEST(test_km_matches_r)
{
    for (size_t i = 0; i < NTAGS; i++) {
        dataset d = load(&TAGS[i]);
        check_km(&d, TAGS[i].tag, 0);
        check_km(&d, TAGS[i].tag, 1);
        ck_table_free(d.t);
    }
}
END_TEST

/* The horizon metrics against horizon_<tag>.csv, both IPCW rules; at the
 * months data's last month (12) G(12) = 0 and only CK_IPCW_BEFORE is
 * defined (its reference's CK_IPCW_AT columns are NA). */
START_TEST(test_auc_brier_match_reference)
{
    for (size_t i = 0; i < NTAGS; i++) {
        dataset d = load(&TAGS[i]);
        char name[128];
        snprintf(name, sizeof name, "horizon_%s.csv", TAGS[i].tag);
        ck_table *r = reference(name);
        ck_assert_uint_eq(r->nrows, TAGS[i].last ? 3 : 2);
        worst wa = {"auc", 0}, wb = {"brier, brier_null", 0}, wg = {"G(t), G(t-), S(t)", 0};
        for (size_t k = 0; k < r->nrows; k++) {
            double t = ck_test_column(r, "t")[k];
            ck_surv_horizon l = horizon(&d, t, CK_IPCW_BEFORE);
            ck_assert(l.t == t);
            ck_assert_uint_eq(l.cases, (size_t)ck_test_column(r, "cases")[k]);
            ck_assert_uint_eq(l.controls, (size_t)ck_test_column(r, "controls_left")[k]);
            see(&wg, l.cens_t, ck_test_column(r, "G_t")[k]);
            see(&wg, l.cens_left, ck_test_column(r, "G_t_left")[k]);
            see(&wg, l.surv_km, ck_test_column(r, "S_t")[k]);
            see(&wa, l.auc, ck_test_column(r, "auc_left")[k]);
            see(&wb, l.brier, ck_test_column(r, "brier_left")[k]);
            see(&wb, l.brier_null, ck_test_column(r, "brier_null_left")[k]);
            if (ck_test_column(r, "G_t")[k] == 0) { /* CK_IPCW_AT undefined */
                ck_assert(t == 12 && TAGS[i].last && l.cens_t == 0 && l.cens_left > 0);
                ck_assert(isnan(ck_test_column(r, "brier")[k]));
                ck_surv_options o;
                ck_surv_options_init(&o);
                o.ipcw = CK_IPCW_AT;
                ck_surv_horizon h;
                ck_error err;
                ck_assert_int_eq(ck_surv_horizon_metrics(d.time, d.event, d.weight,
                                                         risk_at(&d, t), d.n, t, &o, &h, &err),
                                 CK_EDATA);
                ck_assert_msg_contains(err, "G(t) is 0");
                continue;
            }
            ck_surv_horizon h = horizon(&d, t, CK_IPCW_AT);
            ck_assert_uint_eq(h.cases, (size_t)ck_test_column(r, "cases")[k]);
            ck_assert_uint_eq(h.controls, (size_t)ck_test_column(r, "controls")[k]);
            ck_assert(h.t == t && h.cens_t == l.cens_t && h.cens_left == l.cens_left);
            see(&wa, h.auc, ck_test_column(r, "auc")[k]);
            see(&wb, h.brier, ck_test_column(r, "brier")[k]);
            see(&wb, h.brier_null, ck_test_column(r, "brier_null")[k]);
        }
        judge(name, &wa);
        judge(name, &wb);
        judge(name, &wg);
        ck_table_free(r);
        ck_table_free(d.t);
    }
}
END_TEST

/* The calibration groups against calib_<tag>.csv (R's survfit per group);
 * group -1 is calibration-in-the-large. */
START_TEST(test_calibration_matches_r)
{
    for (size_t i = 0; i < NTAGS; i++) {
        dataset d = load(&TAGS[i]);
        char name[128];
        snprintf(name, sizeof name, "calib_%s.csv", TAGS[i].tag);
        ck_table *r = reference(name);
        const double *rt = ck_test_column(r, "t"), *rg = ck_test_column(r, "group"), *rc = ck_test_column(r, "count"),
                     *rp = ck_test_column(r, "pred"), *ro = ck_test_column(r, "obs"),
                     *rlo = ck_test_column(r, "obs_lo"), *rhi = ck_test_column(r, "obs_hi");
        worst wp = {"pred", 0}, wo = {"obs and interval", 0};
        for (size_t ti = 0; ti < 2; ti++) {
            double t = HORIZONS[ti];
            ck_surv_horizon h = horizon(&d, t, CK_IPCW_AT);
            size_t groups = 0;
            for (size_t k = 0; k < r->nrows; k++) {
                if (rt[k] != t)
                    continue;
                if (rg[k] < 0) {
                    ck_assert_uint_eq((size_t)rc[k], d.n);
                    see(&wp, h.mean_pred, rp[k]);
                    see(&wo, h.km_obs, ro[k]);
                    see(&wo, h.km_obs_lo, rlo[k]);
                    see(&wo, h.km_obs_hi, rhi[k]);
                    continue;
                }
                size_t g = (size_t)rg[k];
                ck_assert_uint_eq(g, groups++);
                ck_assert_uint_lt(g, h.ngroups);
                ck_assert_uint_eq(h.count[g], (size_t)rc[k]);
                see(&wp, h.pred[g], rp[k]);
                see(&wo, h.obs[g], ro[k]);
                see(&wo, h.obs_lo[g], rlo[k]);
                see(&wo, h.obs_hi[g], rhi[k]);
            }
            ck_assert_uint_eq(groups, h.ngroups);
        }
        judge(name, &wp);
        judge(name, &wo);
        ck_table_free(r);
        ck_table_free(d.t);
    }
}
END_TEST

/* ------------------------------------------------------------------ */
/* properties */

static ck_surv_horizon metrics(const double *time, const double *event, const double *weight,
                               const double *risk, size_t n, double t)
{
    ck_surv_horizon h;
    ck_error err;
    ck_assert_msg(ck_surv_horizon_metrics(time, event, weight, risk, n, t, NULL, &h, &err) ==
                      CK_OK,
                  "%s", err.message);
    return h;
}

/* 40 rows, times 1..10 four each, a quarter censored (none before t = 5
 * among the cases' times: rows i % 4 == 3 censored). */
#define NP 40
static void toy(double *time, double *event)
{
    for (size_t i = 0; i < NP; i++) {
        time[i] = (double)(1 + i / 4);
        event[i] = i % 4 == 3 ? 0 : 1;
    }
}

START_TEST(test_auc_perfect_reversed_constant)
{
    double time[NP], event[NP], risk[NP];
    toy(time, event);
    /* earlier churn, higher risk; a churn above a censoring at its month
     * (the censored row survived it) */
    for (size_t i = 0; i < NP; i++)
        risk[i] = 1 - time[i] / 20 - 0.01 * (1 - event[i]);
    /* controls: the 20 rows after 5 and the one censored at 5: perfect */
    ck_surv_horizon h = metrics(time, event, NULL, risk, NP, 5);
    ck_assert_uint_eq(h.cases, 15);
    ck_assert_uint_eq(h.controls, 21);
    ck_assert_double_eq_tol(h.auc, 1, 1e-15);
    for (size_t i = 0; i < NP; i++)
        risk[i] = time[i] / 20 + 0.01 * (1 - event[i]);
    h = metrics(time, event, NULL, risk, NP, 5);
    ck_assert(h.auc == 0);
    for (size_t i = 0; i < NP; i++)
        risk[i] = 0.3;
    h = metrics(time, event, NULL, risk, NP, 5);
    ck_assert(h.auc == 0.5);
    ck_assert_uint_eq(h.ngroups, 1); /* every risk equal: one group */
    ck_assert_uint_eq(h.count[0], NP);
    ck_assert_double_eq_tol(h.pred[0], 0.3, 1e-15);
    ck_assert_double_eq_tol(h.mean_pred, 0.3, 1e-15);
    ck_assert(h.obs[0] == h.km_obs);
}
END_TEST

/* Without censoring G = 1: the Brier score is the plain mean squared error
 * of the churn indicator, 0 for perfect predictions, and the AUC is the
 * Mann-Whitney statistic of the churn indicator. */
START_TEST(test_no_censoring)
{
    double time[NP], event[NP], risk[NP], t = 4.5;
    for (size_t i = 0; i < NP; i++) {
        time[i] = (double)(1 + (i * 7) % 10);
        event[i] = 1;
        risk[i] = time[i] <= t ? 1 : 0;
    }
    ck_km g;
    ck_error err;
    ck_assert_int_eq(ck_km_fit(time, event, NULL, NP, 1, &g, &err), CK_OK);
    ck_assert_uint_eq(g.ntimes, 0);
    ck_assert(ck_km_at(&g, 3) == 1 && ck_km_at_left(&g, 3) == 1);
    ck_km_fini(&g);
    ck_surv_horizon h = metrics(time, event, NULL, risk, NP, t);
    ck_assert(h.brier == 0);
    ck_assert(h.auc == 1);
    ck_assert(h.cens_t == 1);
    double mse = 0, mse0 = 0, s0 = 0;
    for (size_t i = 0; i < NP; i++)
        s0 += time[i] > t;
    s0 /= NP;
    ck_assert(fabs(h.surv_km - s0) < 1e-15);
    for (size_t i = 0; i < NP; i++) {
        risk[i] = 0.05 + 0.9 * (double)((i * 13) % NP) / NP;
        double y = time[i] <= t;
        mse += (y - risk[i]) * (y - risk[i]);
        mse0 += (y - (1 - s0)) * (y - (1 - s0));
    }
    h = metrics(time, event, NULL, risk, NP, t);
    ck_assert_double_eq_tol(h.brier, mse / NP, 1e-15);
    ck_assert_double_eq_tol(h.brier_null, mse0 / NP, 1e-15);
    /* the AUC by definition over every (case, control) pair */
    double num = 0, pairs = 0;
    for (size_t i = 0; i < NP; i++)
        for (size_t j = 0; j < NP; j++)
            if (time[i] <= t && time[j] > t) {
                num += (risk[j] < risk[i]) + 0.5 * (risk[j] == risk[i]);
                pairs++;
            }
    ck_assert_double_eq_tol(h.auc, num / pairs, 1e-15);
}
END_TEST

/* Uncensored data: the KM is the empirical survival function, its
 * interval brackets it, and the lookups step where they should. */
START_TEST(test_km_uncensored_is_empirical)
{
    double time[NP], event[NP];
    for (size_t i = 0; i < NP; i++) {
        time[i] = (double)((i * 11) % 8) + 0.5;
        event[i] = 1;
    }
    ck_km km;
    ck_error err;
    ck_assert_int_eq(ck_km_fit(time, event, NULL, NP, 0, &km, &err), CK_OK);
    ck_assert_uint_eq(km.ntimes, 8);
    for (int q = 0; q <= 36; q++) {
        double u = 0.25 * q;
        double above = 0, from = 0;
        for (size_t i = 0; i < NP; i++) {
            above += time[i] > u;
            from += time[i] >= u;
        }
        ck_assert_double_eq_tol(ck_km_at(&km, u), above / NP, 1e-15);
        ck_assert_double_eq_tol(ck_km_at_left(&km, u), from / NP, 1e-15);
        double lo, hi, s = ck_km_at(&km, u);
        ck_km_interval(&km, u, &lo, &hi);
        ck_assert(lo <= s && s <= hi && lo >= 0 && hi <= 1);
    }
    ck_assert(isnan(ck_km_at(&km, NAN)));
    ck_km_fini(&km);
}
END_TEST

/* The tie rule of the censoring curve, by hand: at time 1 one churn and
 * one censoring among three rows -- the churn leaves first, so
 * G(1) = 1 - 1/2; at time 2 the last row is censored, G(2) = 0.  The
 * survival curve keeps the censored row at risk: S(1) = 1 - 1/3. */
START_TEST(test_censoring_ties_events_first)
{
    double time[] = {1, 1, 2}, event[] = {1, 0, 0};
    ck_km g, s;
    ck_error err;
    ck_assert_int_eq(ck_km_fit(time, event, NULL, 3, 1, &g, &err), CK_OK);
    ck_assert_int_eq(ck_km_fit(time, event, NULL, 3, 0, &s, &err), CK_OK);
    ck_assert_uint_eq(g.ntimes, 2);
    ck_assert(g.nrisk[0] == 2 && g.nevent[0] == 1 && g.surv[0] == 0.5);
    ck_assert(g.nrisk[1] == 1 && g.surv[1] == 0 && isinf(g.greenwood[1]));
    ck_assert(ck_km_at_left(&g, 1) == 1 && ck_km_at(&g, 1) == 0.5);
    ck_assert(ck_km_at_left(&g, 2) == 0.5 && ck_km_at(&g, 2) == 0 && ck_km_at(&g, 99) == 0);
    double lo, hi;
    ck_km_interval(&g, 2, &lo, &hi);
    ck_assert(lo == 0 && hi == 0);
    ck_assert_uint_eq(s.ntimes, 1);
    ck_assert(s.nrisk[0] == 3 && s.surv[0] == 1 - 1.0 / 3);
    ck_km_fini(&g);
    ck_km_fini(&s);
}
END_TEST

/* The distinct times of the rows of positive weight, sorted: *m of them. */
static double *distinct_times(const dataset *d, size_t *m)
{
    ck_km all;
    ck_error err;
    /* the steps of S and of G together are every distinct time */
    double *out = malloc(2 * d->n * sizeof *out);
    size_t k = 0;
    for (int censoring = 0; censoring < 2; censoring++) {
        ck_assert_int_eq(ck_km_fit(d->time, d->event, d->weight, d->n, censoring, &all, &err),
                         CK_OK);
        for (size_t j = 0; j < all.ntimes; j++)
            out[k++] = all.time[j];
        ck_km_fini(&all);
    }
    for (size_t a = 1; a < k; a++) /* insertion sort, then unique */
        for (size_t b = a; b > 0 && out[b - 1] > out[b]; b--) {
            double x = out[b];
            out[b] = out[b - 1];
            out[b - 1] = x;
        }
    size_t u = 0;
    for (size_t a = 0; a < k; a++)
        if (u == 0 || out[a] != out[u - 1])
            out[u++] = out[a];
    *m = u;
    return out;
}

/* Under CK_IPCW_BEFORE the IPCW weights reproduce the Kaplan-Meier exactly
 * (an identity of the product-limit estimator with churns leaving G's
 * risk set first): with cases weighted w_i / G(T_i-) and controls -- T_j > t,
 * or censored at t -- w_j / G(t-),
 *
 *   sum_cases w_i / G(T_i-) = W (1 - S_KM(t)),
 *   sum_controls w_j / G(t-) = W S_KM(t),
 *
 * so the weights of cases and controls sum to W and the null model's
 * Brier score is (1 - S) S^2 + S (1 - S)^2 = S (1 - S), the Bernoulli
 * variance.  Checked by hand from the curves and on the library's own
 * weights (the Brier score of risk 0 is the cases' share, of risk 1 the
 * controls'), at every distinct time of each data set (every fourth for
 * the continuous one), between them, before the first and at the last --
 * where every remaining row is censored, so G(t) = 0 but G(t-) > 0 (and
 * CK_IPCW_AT refuses).  Under CK_IPCW_AT the controls' identity holds as
 * well (Y(t+) / G(t) = W S), but not the cases'. */
START_TEST(test_ipcw_before_reproduces_km)
{
    for (size_t i = 0; i < NTAGS; i++) {
        dataset d = load(&TAGS[i]);
        ck_km s, g;
        ck_error err;
        ck_assert_int_eq(ck_km_fit(d.time, d.event, d.weight, d.n, 0, &s, &err), CK_OK);
        ck_assert_int_eq(ck_km_fit(d.time, d.event, d.weight, d.n, 1, &g, &err), CK_OK);
        size_t m;
        double *times = distinct_times(&d, &m);
        double *risk = malloc(d.n * sizeof *risk);
        size_t step = m > 100 ? 4 : 1, checked = 0;
        double last = times[m - 1];
        ck_assert(ck_km_at(&g, last) == 0 && ck_km_at_left(&g, last) > 0); /* both data sets */
        for (size_t q = 0; q <= m; q++) {
            if (q < m && q % step != 0 && q != m - 1)
                continue;
            /* a time of the data, and the midpoint before it */
            double ts[2] = {q < m ? times[q] : last,
                            q == 0 ? times[0] / 2 : (times[q < m ? q - 1 : m - 1] +
                                                     (q < m ? times[q] : last + 1)) / 2};
            for (int v = 0; v < 2; v++) {
                double t = ts[v];
                if (!(ck_km_at_left(&g, t) > 0)) {
                    ck_assert(t > last); /* G(t-) = 0 only past the last time */
                    continue;
                }
                double cases = 0, controls = 0, w = 0;
                for (size_t r = 0; r < d.n; r++) {
                    double wr = d.weight ? d.weight[r] : 1;
                    w += wr;
                    if (d.time[r] <= t && d.event[r] == 1)
                        cases += wr / ck_km_at_left(&g, d.time[r]);
                    else if (d.time[r] > t || (d.time[r] == t && d.event[r] == 0))
                        controls += wr / ck_km_at_left(&g, t);
                }
                double st = ck_km_at(&s, t);
                ck_assert_double_eq_tol(cases / w, 1 - st, 1e-12);
                ck_assert_double_eq_tol(controls / w, st, 1e-12);
                /* the library's weights: null model, risk 0 and risk 1 */
                for (size_t r = 0; r < d.n; r++)
                    risk[r] = 1 - st;
                ck_surv_options o;
                ck_surv_options_init(&o);
                ck_surv_horizon h;
                ck_assert_int_eq(ck_surv_horizon_metrics(d.time, d.event, d.weight, risk, d.n,
                                                         t, &o, &h, &err), CK_OK);
                ck_assert(h.surv_km == st && h.km_obs == 1 - st);
                ck_assert(h.cens_left == ck_km_at_left(&g, t) && h.cens_t == ck_km_at(&g, t));
                ck_assert_double_eq_tol(h.brier_null, st * (1 - st), 1e-12);
                ck_assert_double_eq_tol(h.brier, h.brier_null, 1e-15);
                double share[2];
                for (int one = 0; one < 2; one++) {
                    for (size_t r = 0; r < d.n; r++)
                        risk[r] = one;
                    ck_assert_int_eq(ck_surv_horizon_metrics(d.time, d.event, d.weight, risk,
                                                             d.n, t, &o, &h, &err), CK_OK);
                    share[one] = h.brier;
                }
                ck_assert_double_eq_tol(share[0], 1 - st, 1e-12); /* the cases' weights */
                ck_assert_double_eq_tol(share[1], st, 1e-12);     /* the controls' */
                ck_assert_double_eq_tol(share[0] + share[1], 1, 1e-12);
                /* CK_IPCW_AT: refused at the last time; the controls' share holds */
                o.ipcw = CK_IPCW_AT;
                ck_status at = ck_surv_horizon_metrics(d.time, d.event, d.weight, risk, d.n, t,
                                                       &o, &h, &err);
                if (t == last) {
                    ck_assert_int_eq(at, CK_EDATA);
                    ck_assert_msg_contains(err, "G(t) is 0");
                } else {
                    ck_assert_int_eq(at, CK_OK);
                    ck_assert_double_eq_tol(h.brier, st, 1e-12);
                }
                checked++;
            }
        }
        ck_assert_uint_gt(checked, TAGS[i].last ? 20 : 300);
        free(times);
        free(risk);
        ck_km_fini(&s);
        ck_km_fini(&g);
        ck_table_free(d.t);
    }
}
END_TEST

/* Censored at t is a control under CK_IPCW_BEFORE, by hand: three rows, at
 * time 1 a churn (risk 0.4) and a censoring (risk 0.5), at time 2 a
 * censoring (risk 0.2); G(1-) = 1, G(1) = G(2-) = 1/2, G(2) = 0. */
START_TEST(test_censored_at_t_is_control)
{
    double time[] = {1, 1, 2}, event[] = {1, 0, 0}, risk[] = {0.4, 0.5, 0.2};
    ck_surv_options before, at;
    ck_surv_options_init(&before);
    ck_surv_options_init(&at);
    at.ipcw = CK_IPCW_AT;
    ck_surv_horizon h;
    ck_error err;
    /* t = 1, CK_IPCW_BEFORE: the case weighs 1 / G(1-) = 1; both other rows
     * are controls of weight 1 / G(1-) = 1 (the row censored at 1 paid
     * month 1); S_KM(1) = 2/3 */
    ck_assert_int_eq(ck_surv_horizon_metrics(time, event, NULL, risk, 3, 1, &before, &h, &err),
                     CK_OK);
    ck_assert(h.cases == 1 && h.controls == 2 && h.cens_t == 0.5 && h.cens_left == 1);
    ck_assert(h.auc == 0.5); /* 0.4 beats 0.2, loses to 0.5 */
    ck_assert_double_eq_tol(h.brier, (0.6 * 0.6 + 0.5 * 0.5 + 0.2 * 0.2) / 3, 1e-15);
    ck_assert_double_eq_tol(h.brier_null, 2.0 / 9, 1e-15);
    /* CK_IPCW_AT: the case weighs 1 / G(1) = 2, the one control (T > 1) 2 */
    ck_assert_int_eq(ck_surv_horizon_metrics(time, event, NULL, risk, 3, 1, &at, &h, &err),
                     CK_OK);
    ck_assert(h.cases == 1 && h.controls == 1 && h.auc == 1);
    ck_assert_double_eq_tol(h.brier, (2 * 0.6 * 0.6 + 2 * 0.2 * 0.2) / 3, 1e-15);
    /* t = 2, the last time, every remaining row censored there: G(2) = 0,
     * G(2-) = 1/2; the control (censored at 2) weighs 2, the case 1 */
    ck_assert_int_eq(ck_surv_horizon_metrics(time, event, NULL, risk, 3, 2, &before, &h, &err),
                     CK_OK);
    ck_assert(h.cases == 1 && h.controls == 1 && h.auc == 1);
    ck_assert(h.cens_t == 0 && h.cens_left == 0.5 && h.surv_km == 1 - 1.0 / 3);
    ck_assert_double_eq_tol(h.brier, (0.6 * 0.6 + 2 * 0.2 * 0.2) / 3, 1e-15);
    ck_assert_double_eq_tol(h.brier_null, 2.0 / 9, 1e-15); /* S (1 - S) */
    ck_assert_int_eq(ck_surv_horizon_metrics(time, event, NULL, risk, 3, 2, &at, &h, &err),
                     CK_EDATA);
    ck_assert_msg_contains(err, "G(t) is 0");
    /* past it nobody is followed: G(t-) = 0 */
    ck_assert_int_eq(ck_surv_horizon_metrics(time, event, NULL, risk, 3, 2.5, &before, &h,
                                             &err), CK_EDATA);
    ck_assert_msg_contains(err, "G(t-) is 0");
}
END_TEST

/* Weights are frequencies: the weighted months equal the months with each
 * row repeated weight times; a row of weight 0 is a row left out; and the
 * order of the rows does not matter. */
START_TEST(test_weights_are_frequencies)
{
    dataset d = load(&TAGS[1]);
    ck_assert_ptr_nonnull(d.weight);
    size_t m = 0;
    for (size_t i = 0; i < d.n; i++)
        m += (size_t)d.weight[i];
    /* replicated, in reverse order; plus a zero-weight row of each kind */
    double *time = malloc((m + 2) * sizeof *time), *event = malloc((m + 2) * sizeof *event),
           *risk = malloc((m + 2) * sizeof *risk), *w = malloc((m + 2) * sizeof *w);
    size_t k = 0;
    for (size_t i = d.n; i-- > 0;)
        for (size_t r = 0; r < (size_t)d.weight[i]; r++, k++) {
            time[k] = d.time[i];
            event[k] = d.event[i];
            risk[k] = d.risk3[i];
            w[k] = 1;
        }
    double extra_t[] = {2, 7}, extra_e[] = {1, 0}, extra_r[] = {0.999, 0.001};
    for (size_t j = 0; j < 2; j++, k++) {
        time[k] = extra_t[j];
        event[k] = extra_e[j];
        risk[k] = extra_r[j];
        w[k] = 0;
    }
    ck_surv_horizon a = horizon(&d, 3, CK_IPCW_BEFORE);
    ck_surv_horizon b = metrics(time, event, w, risk, k, 3);
    ck_assert_double_eq_tol(a.auc, b.auc, 1e-13);
    ck_assert_double_eq_tol(a.brier, b.brier, 1e-13);
    ck_assert_double_eq_tol(a.brier_null, b.brier_null, 1e-13);
    ck_assert_double_eq_tol(a.cens_t, b.cens_t, 1e-13);
    ck_assert_uint_eq(a.ngroups, b.ngroups);
    for (size_t g = 0; g < a.ngroups; g++) {
        ck_assert_double_eq_tol(a.pred[g], b.pred[g], 1e-13);
        ck_assert_double_eq_tol(a.obs[g], b.obs[g], 1e-13);
        ck_assert_double_eq_tol(a.obs_lo[g], b.obs_lo[g], 1e-13);
        ck_assert_double_eq_tol(a.obs_hi[g], b.obs_hi[g], 1e-13);
    }
    size_t cases = 0, controls = 0;
    for (size_t i = 0; i < d.n; i++) {
        cases += (d.time[i] <= 3 && d.event[i] == 1) * (size_t)d.weight[i];
        controls += (d.time[i] > 3 || (d.time[i] == 3 && d.event[i] == 0)) *
                    (size_t)d.weight[i];
    }
    ck_assert_uint_eq(b.cases, cases);
    ck_assert_uint_eq(b.controls, controls);
    free(time);
    free(event);
    free(risk);
    free(w);
    ck_table_free(d.t);
}
END_TEST

/* Groups: equal risks never split; a tie across a decile boundary empties
 * the next deciles; fewer distinct risks than 10, fewer groups. */
START_TEST(test_calibration_groups)
{
    double time[20], event[20], risk[20];
    for (size_t i = 0; i < 20; i++) {
        time[i] = (double)(1 + i % 5);
        event[i] = i % 3 != 0;
        risk[i] = i < 9 ? 0.1 : 0.2 + 0.01 * (double)i; /* 9 tied, then 11 distinct */
    }
    ck_surv_horizon h = metrics(time, event, NULL, risk, 20, 3);
    /* group floor(10 W(r < r_i) / 20): the 9 tied rows 0 (deciles 1..3
     * left empty), row 9 (W = 9) 4, rows 10..19 (W = 10..19) 5,5,6,6,...,9,9 */
    size_t want[] = {9, 1, 2, 2, 2, 2, 2};
    ck_assert_uint_eq(h.ngroups, 7);
    for (size_t g = 0; g < 7; g++)
        ck_assert_uint_eq(h.count[g], want[g]);
    ck_assert_double_eq_tol(h.pred[0], 0.1, 1e-15);
    for (size_t g = 1; g < h.ngroups; g++)
        ck_assert(h.pred[g] > h.pred[g - 1]);
    for (size_t g = 0; g < h.ngroups; g++)
        ck_assert(h.obs_lo[g] <= h.obs[g] && h.obs[g] <= h.obs_hi[g]);
    /* fewer rows than groups: one a distinct risk */
    h = metrics(time, event, NULL, risk + 12, 3, 3);
    ck_assert_uint_eq(h.ngroups, 3);
}
END_TEST

/* NaN AUC: no case by t, or no control after it. */
START_TEST(test_auc_undefined)
{
    double time[] = {4, 5, 6, 7}, event[] = {1, 1, 0, 1}, risk[] = {0.4, 0.3, 0.2, 0.1};
    ck_surv_horizon h = metrics(time, event, NULL, risk, 4, 2);
    ck_assert(isnan(h.auc) && h.cases == 0 && h.controls == 4);
    ck_assert(h.brier > 0 && h.surv_km == 1 && h.km_obs == 0);
    ck_assert(h.km_obs_lo == 0 && h.km_obs_hi == 0);
    h = metrics(time, event, NULL, risk, 4, 10); /* last row churned: G > 0 */
    ck_assert(isnan(h.auc) && h.cases == 3 && h.controls == 0);
    ck_assert(h.cens_t == 0.5);
}
END_TEST

START_TEST(test_km_churn_subset)
{
    dataset d = load(&TAGS[0]);
    size_t rows[] = {0, 5, 9, 17, 33, 65, 129, 257, 513, 1025};
    ck_km_churn c;
    ck_error err;
    ck_assert_int_eq(ck_km_churn_at(d.time, d.event, NULL, rows, 10, 6, &c, &err), CK_OK);
    /* the same rows copied out */
    double t[10], e[10];
    for (size_t i = 0; i < 10; i++) {
        t[i] = d.time[rows[i]];
        e[i] = d.event[rows[i]];
    }
    ck_km km;
    ck_assert_int_eq(ck_km_fit(t, e, NULL, 10, 0, &km, &err), CK_OK);
    ck_assert(c.surv == ck_km_at(&km, 6) && c.churn == 1 - c.surv);
    ck_assert(c.lo <= c.churn && c.churn <= c.hi);
    ck_assert(c.se >= 0);
    ck_km_fini(&km);
    ck_assert_int_eq(ck_km_churn_at(d.time, d.event, NULL, rows, 10, NAN, &c, &err),
                     CK_EUSAGE);
    ck_table_free(d.t);
}
END_TEST

/* ------------------------------------------------------------------ */
/* errors */

static ck_status try_metrics(const double *time, const double *event, const double *weight,
                             const double *risk, size_t n, double t, ck_error *err)
{
    ck_surv_horizon h;
    return ck_surv_horizon_metrics(time, event, weight, risk, n, t, NULL, &h, err);
}

START_TEST(test_errors)
{
    double time[] = {1, 2, 3, 4}, event[] = {1, 0, 1, 0}, w[] = {1, 1, 1, 1};
    double risk[] = {0.5, 0.4, 0.3, 0.2};
    ck_error err;
    ck_assert_int_eq(try_metrics(time, event, NULL, risk, 0, 3, &err), CK_EDATA);
    ck_assert_msg_contains(err, "no rows");
    ck_assert_int_eq(try_metrics(time, event, NULL, risk, 4, 0, &err), CK_EUSAGE);
    ck_assert_msg_contains(err, "t = 0");
    ck_assert_int_eq(try_metrics(time, event, NULL, risk, 4, -1, &err), CK_EUSAGE);
    ck_assert_int_eq(try_metrics(time, event, NULL, risk, 4, NAN, &err), CK_EUSAGE);
    ck_assert_int_eq(try_metrics(time, event, NULL, risk, 4, INFINITY, &err), CK_EUSAGE);
    ck_assert_int_eq(try_metrics(NULL, event, NULL, risk, 4, 3, &err), CK_EUSAGE);
    ck_assert_int_eq(try_metrics(time, event, NULL, NULL, 4, 3, &err), CK_EUSAGE);

    struct {
        double *v;
        size_t i;
        double bad;
        const char *msg;
    } cases[] = {
        {time, 2, NAN, "time of row 2"},   {time, 1, -1, "time of row 1"},
        {time, 0, INFINITY, "time of row 0"}, {event, 3, 2, "event of row 3"},
        {event, 0, 0.5, "event of row 0"}, {event, 1, NAN, "event of row 1"},
        {w, 2, -1, "weight of row 2"},     {w, 0, NAN, "weight of row 0"},
        {risk, 1, 1.5, "risk of row 1"},   {risk, 3, NAN, "risk of row 3"},
        {risk, 0, -0.1, "risk of row 0"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        double old = cases[k].v[cases[k].i];
        cases[k].v[cases[k].i] = cases[k].bad;
        ck_assert_int_eq(try_metrics(time, event, w, risk, 4, 3, &err), CK_EDATA);
        ck_assert_msg_contains(err, cases[k].msg);
        cases[k].v[cases[k].i] = old;
    }
    ck_assert_int_eq(try_metrics(time, event, w, risk, 4, 3, &err), CK_OK);

    double zero[] = {0, 0, 0, 0};
    ck_assert_int_eq(try_metrics(time, event, zero, risk, 4, 3, &err), CK_EDATA);
    ck_assert_msg_contains(err, "weight 0");

    /* G(t-) = 0 past the data: the last row, censored at 4, was the only
     * one left, and nobody is followed up to 5 */
    ck_assert_int_eq(try_metrics(time, event, NULL, risk, 4, 5, &err), CK_EDATA);
    ck_assert_msg_contains(err, "survival metrics at t = 5: the censoring survival G(t-) is 0");
    ck_assert_msg_contains(err, "no row is followed up to t");
    ck_assert_msg_contains(err, "time 4, the data's last");
    ck_assert_msg_contains(err, "choose a horizon of at most 4");
    ck_assert_int_eq(try_metrics(time, event, NULL, risk, 4, 4.01, &err), CK_EDATA);
    /* at 4 itself G(4) = 0 but G(4-) = 1/2: the row censored at 4 is a control */
    ck_assert_int_eq(try_metrics(time, event, NULL, risk, 4, 4, &err), CK_OK);
    ck_assert_int_eq(try_metrics(time, event, NULL, risk, 4, 3.99, &err), CK_OK);

    ck_surv_options o;
    ck_surv_options_init(&o);
    ck_surv_horizon h;
    /* CK_IPCW_AT needs G(t) > 0: refused from 4 */
    o.ipcw = CK_IPCW_AT;
    ck_assert_int_eq(ck_surv_horizon_metrics(time, event, NULL, risk, 4, 4, &o, &h, &err),
                     CK_EDATA);
    ck_assert_msg_contains(err, "survival metrics at t = 4: the censoring survival G(t) is 0");
    ck_assert_msg_contains(err, "CK_IPCW_AT");
    ck_assert_msg_contains(err, "choose a horizon before 4");
    ck_assert_int_eq(ck_surv_horizon_metrics(time, event, NULL, risk, 4, 3.99, &o, &h, &err),
                     CK_OK);

    o.ipcw = (ck_ipcw)7;
    ck_assert_int_eq(ck_surv_horizon_metrics(time, event, NULL, risk, 4, 3, &o, &h, &err),
                     CK_EUSAGE);

    ck_km km;
    ck_assert_int_eq(ck_km_fit(time, event, NULL, 0, 0, &km, &err), CK_EDATA);
    ck_assert_int_eq(ck_km_fit(time, event, zero, 4, 0, &km, &err), CK_EDATA);
    event[1] = 3;
    ck_assert_int_eq(ck_km_fit(time, event, NULL, 4, 1, &km, &err), CK_EDATA);
    ck_assert_msg_contains(err, "event of row 1");
    ck_assert_int_eq(ck_km_fit(time, event, NULL, 4, 1, NULL, &err), CK_EUSAGE);
}
END_TEST

static Suite *survmetrics_suite(void)
{
    Suite *s = suite_create("survmetrics");
    TCase *ref = tcase_create("reference");
    tcase_set_timeout(ref, 60);
    tcase_add_test(ref, test_km_matches_r);
    tcase_add_test(ref, test_auc_brier_match_reference);
    tcase_add_test(ref, test_calibration_matches_r);
    suite_add_tcase(s, ref);
    TCase *prop = tcase_create("properties");
    tcase_set_timeout(prop, 60);
    tcase_add_test(prop, test_auc_perfect_reversed_constant);
    tcase_add_test(prop, test_no_censoring);
    tcase_add_test(prop, test_km_uncensored_is_empirical);
    tcase_add_test(prop, test_censoring_ties_events_first);
    tcase_add_test(prop, test_ipcw_before_reproduces_km);
    tcase_add_test(prop, test_censored_at_t_is_control);
    tcase_add_test(prop, test_weights_are_frequencies);
    tcase_add_test(prop, test_calibration_groups);
    tcase_add_test(prop, test_auc_undefined);
    tcase_add_test(prop, test_km_churn_subset);
    suite_add_tcase(s, prop);
    TCase *errs = tcase_create("errors");
    tcase_add_test(errs, test_errors);
    suite_add_tcase(s, errs);
    return s;
}

CK_TEST_MAIN(survmetrics_suite)
