/* eval_surv.c -- the survival half of an evaluation (see eval_surv.h and
 * eval.h): survival models judged by how they order the times to churn
 * (Harrell's concordance) and, at each horizon h, by their predicted
 * churn 1 - S_i(h) against what happened, with censoring handled by
 * survmetrics.h's inverse-probability-of-censoring weights. */
#include "churnkit/eval_surv.h"
#include "churnkit/label.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ck_eval_surv_fini(ck_eval_surv *s)
{
    free(s->mean_surv);
    memset(s, 0, sizeof *s);
}

void ck_eval_churn_within(const ck_ph_curve *c, double h, double *eta, size_t n)
{
    for (size_t i = 0; i < n; i++)
        eta[i] = 1 - ck_ph_survival(c, eta[i], h);
}

/* Takes the time and event from l (finished with afterwards). */
static ck_status take_label(ck_eval *ev, const ck_table *t, ck_label *l, ck_error *err)
{
    ev->task = CK_TASK_SURVIVAL;
    ev->n = t->nrows;
    ev->n_pos = l->n_pos;
    ev->data = strdup(t->source);
    ev->label = strdup(l->name);
    ev->event_name = strdup(l->event_name);
    ev->yv = l->y;
    ev->event = l->event;
    l->y = l->event = NULL;
    ck_label_fini(l);
    if (!ev->data || !ev->label || !ev->event_name)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    return CK_OK;
}

/* 0 and the Kaplan-Meier step times: all of them up to CK_EVAL_GRID_MAX,
 * else that many at evenly spaced step indexes (the first and the last
 * kept), so the mean curves are drawn where the data's curve moves. */
static ck_status make_grid(ck_eval *ev, ck_error *err)
{
    size_t m = ev->km.ntimes, k = m;
    int spread = m > CK_EVAL_GRID_MAX;
    if (spread)
        k = CK_EVAL_GRID_MAX;
    ev->grid = malloc((k + 1) * sizeof *ev->grid);
    if (!ev->grid)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    ev->grid[0] = 0;
    ev->ngrid = 1;
    for (size_t j = 0; j < k; j++) {
        size_t idx = j;
        if (spread)
            idx = (size_t)llround((double)j * (double)(m - 1) / (double)(k - 1));
        if (ev->km.time[idx] > ev->grid[ev->ngrid - 1]) /* a churn at time 0 is not a step */
            ev->grid[ev->ngrid++] = ev->km.time[idx];
    }
    return CK_OK;
}

/* The metrics at every horizon of the risks that `fill` puts in risk for h. */
typedef void (*risk_fn)(const ck_eval *ev, const void *ctx, double h, double *risk);

static ck_status at_horizons(const ck_eval *ev, ck_eval_surv *s, risk_fn fill, const void *ctx,
                             double *risk, ck_error *err)
{
    /* CK_IPCW_BEFORE (survmetrics.h, ck_ipcw): a churn seen at T weighs
     * 1 / G(T-), and the controls at h are the rows known to have survived
     * h -- followed beyond it, or censored at h (they paid month h) --
     * weighing 1 / G(h-).  So the horizon check is G(h-) > 0: a horizon up
     * to the data's follow-up is measured, the follow-up itself included
     * (where every row left is censored and G(h) = 0), and one past it,
     * where nobody is followed, fails with survmetrics' error (G(t-) is 0),
     * prefixed with the data and the horizon. */
    ck_surv_options so;
    ck_surv_options_init(&so);
    so.ipcw = CK_IPCW_BEFORE;
    for (size_t k = 0; k < ev->nhorizons; k++) {
        double h = ev->horizon_list[k];
        fill(ev, ctx, h, risk);
        ck_status st = ck_surv_horizon_metrics(ev->yv, ev->event, NULL, risk, ev->n, h, &so,
                                               &s->h[k], err);
        if (st != CK_OK) {
            char what[600];
            snprintf(what, sizeof what, "%s: the horizon %g months", ev->data, h);
            ck_error_prefix(err, what);
            return st;
        }
    }
    return CK_OK;
}

/* The null model's risk: the data's own Kaplan-Meier churn by h. */
static void null_risk(const ck_eval *ev, const void *ctx, double h, double *risk)
{
    (void)ctx;
    double r = 1 - ck_km_at(&ev->km, h);
    for (size_t i = 0; i < ev->n; i++)
        risk[i] = r;
}

/* Everybody the same risk: concordance and AUC 0.5 (all pairs tied), the
 * Brier score brier_null -- the same functions as for the models. */
static ck_status null_model(ck_eval *ev, ck_warnings *w, ck_error *err)
{
    double *zero = calloc(ev->n ? ev->n : 1, sizeof *zero);
    double *risk = malloc((ev->n ? ev->n : 1) * sizeof *risk);
    ck_status st;
    if (!zero || !risk)
        st = ck_error_set(err, CK_ENOMEM, "out of memory");
    else if ((st = ck_metrics_survival(ev->yv, ev->event, zero, ev->n, &ev->null.conc, err)) ==
             CK_OK)
        st = at_horizons(ev, &ev->null, null_risk, NULL, risk, err);
    free(zero);
    free(risk);
    for (size_t k = 0; st == CK_OK && k < ev->nhorizons; k++) {
        const ck_surv_horizon *h = &ev->null.h[k];
        if (h->cases == 0 || h->controls == 0)
            ck_warn(w, "%s: at %g months the time-dependent AUC is undefined: %s", ev->data,
                    h->t, h->cases == 0 ? "no churn was observed by then"
                                        : "no row is known to have survived it");
    }
    return st;
}

ck_status ck_eval_surv_setup(ck_eval *ev, const ck_table *t, const ck_model *m,
                             const ck_eval_options *opt, ck_warnings *w, ck_error *err)
{
    ck_label l;
    ck_status st = ck_label_survival(&l, t, m->label, m->event, err);
    if (st != CK_OK || (st = take_label(ev, t, &l, err)) != CK_OK)
        return st;
    if (opt->nhorizons) {
        ev->nhorizons = opt->nhorizons;
        memcpy(ev->horizon_list, opt->horizon, opt->nhorizons * sizeof *opt->horizon);
    } else {
        ck_lifetime_options lo; /* the horizons churnkit-predict writes by default */
        ck_lifetime_options_init(&lo);
        ev->nhorizons = lo.nhorizons;
        memcpy(ev->horizon_list, lo.horizon, lo.nhorizons * sizeof *lo.horizon);
    }
    if ((st = ck_km_fit(ev->yv, ev->event, NULL, ev->n, 0, &ev->km, err)) != CK_OK ||
        (st = make_grid(ev, err)) != CK_OK)
        return st;
    return null_model(ev, w, err);
}

/* A model's risk: 1 - S_i(h) from its linear predictors. */
typedef struct model_ctx {
    const ck_ph_curve *c;
    const double *eta;
} model_ctx;

static void model_risk(const ck_eval *ev, const void *ctx, double h, double *risk)
{
    const model_ctx *m = ctx;
    memcpy(risk, m->eta, ev->n * sizeof *risk);
    ck_eval_churn_within(m->c, h, risk, ev->n);
}

/* The mean of S_i(t) = exp(-H0(t) exp(eta_i)) over the rows at each grid
 * time: exp(eta_i) once per row and H0 once per time, the same expression
 * as ck_ph_survival, so each term is its value to the bit. */
static ck_status mean_curve(const ck_eval *ev, const ck_ph_curve *c, const double *eta,
                            double *r, ck_eval_surv *s, ck_error *err)
{
    s->mean_surv = malloc(ev->ngrid * sizeof *s->mean_surv);
    if (!s->mean_surv)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    for (size_t i = 0; i < ev->n; i++)
        r[i] = exp(eta[i]);
    for (size_t g = 0; g < ev->ngrid; g++) {
        double H = ck_ph_cumhaz(c, ev->grid[g]), sum = 0;
        for (size_t i = 0; i < ev->n && H > 0; i++)
            sum += exp(-H * r[i]);
        s->mean_surv[g] = H > 0 ? sum / (double)ev->n : 1.0;
    }
    return CK_OK;
}

ck_status ck_eval_surv_measure(const ck_eval *ev, ck_eval_entry *e, ck_warnings *w,
                               ck_error *err)
{
    const ck_ph_curve *c = ck_model_curve(e->model);
    double *work = malloc((ev->n ? ev->n : 1) * sizeof *work);
    ck_status st;
    if (!work)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    model_ctx ctx = {c, e->score};
    if ((st = ck_metrics_survival(ev->yv, ev->event, e->score, ev->n, &e->surv.conc, err)) ==
            CK_OK &&
        (st = at_horizons(ev, &e->surv, model_risk, &ctx, work, err)) == CK_OK)
        st = mean_curve(ev, c, e->score, work, &e->surv, err);
    free(work);
    for (size_t k = 0; st == CK_OK && k < ev->nhorizons; k++)
        ck_eval_surv_check_horizon(e->model, ev->horizon_list[k], w);
    return st;
}

void ck_eval_surv_check_horizon(const ck_model *m, double h, ck_warnings *w)
{
    const ck_ph_curve *c = ck_model_curve(m);
    if (h > c->last_time)
        ck_warn(w, "model '%s' was fitted on times up to %g; its churn by %g months holds the "
                   "last baseline hazard flat beyond (an extrapolation)",
                m->name, c->last_time, h);
}
