/* est_cox.c -- Cox proportional hazards behind the estimator interface:
 * what it fits (cox.c), stores, prints and explains.
 *
 * The score of a row is its linear predictor eta = x' beta, the log of its
 * hazard relative to a row whose encoded values are all 0 (for churnkit's
 * standardized numeric columns: near the average account, at the reference
 * level of each text column).  Probabilities come from the baseline
 * cumulative hazard kept in the model file: S(t) = exp(-H0(t) exp(eta)). */
#include "churnkit/coefs.h"
#include "churnkit/cox.h"
#include "churnkit/model.h"
#include "churnkit/report.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum { P_L2, P_TIES }; /* the penalty first: ck_coefs_est_pipeline reads it there */

static const char *const ties_names[] = {"efron", "breslow", NULL};
static const char *const hazard_names[] = {"auto", "breslow", "efron", NULL};

static const ck_param params[] = {
    CK_COEFS_PARAM_L2,
    {"ties", CK_PARAM_CHOICE, CK_COX_EFRON, 0, 0, ties_names, NULL, "ties",
     "tied event times: Efron's approximation (R's default) or Breslow's"},
};

/* How the fit went (the model file's "fit"). */
typedef struct facts {
    int ties, hazard;
    double iterations;
    int converged, monotone;
    double relative_gradient, loglik, loglik_null, penalty;
    double lr_stat, lr_df, lr_p, wald_stat, wald_df, wald_p, score_stat, score_p;
    double concordance, concordance_se;
    double rows, events, weight_sum, event_weight, condition_number;
} facts;

#define FACT(k, f, kind) {k, kind, offsetof(facts, f), NULL}
static const ck_fact fit_facts[] = {
    {"ties", CK_FACT_CHOICE, offsetof(facts, ties), ties_names},
    {"baseline_hazard", CK_FACT_CHOICE, offsetof(facts, hazard), hazard_names},
    FACT("iterations", iterations, CK_FACT_COUNT),
    FACT("converged", converged, CK_FACT_BOOL),
    FACT("relative_gradient", relative_gradient, CK_FACT_REAL),
    FACT("monotone_likelihood", monotone, CK_FACT_BOOL),
    FACT("loglik", loglik, CK_FACT_REAL),
    FACT("loglik_null", loglik_null, CK_FACT_REAL),
    FACT("penalty", penalty, CK_FACT_REAL),
    FACT("lr_stat", lr_stat, CK_FACT_REAL),
    FACT("lr_df", lr_df, CK_FACT_REAL),
    FACT("lr_p", lr_p, CK_FACT_REAL),
    FACT("wald_stat", wald_stat, CK_FACT_REAL),
    FACT("wald_df", wald_df, CK_FACT_COUNT),
    FACT("wald_p", wald_p, CK_FACT_REAL),
    FACT("score_stat", score_stat, CK_FACT_REAL),
    FACT("score_p", score_p, CK_FACT_REAL),
    FACT("concordance", concordance, CK_FACT_REAL),
    FACT("concordance_se", concordance_se, CK_FACT_REAL),
    FACT("rows", rows, CK_FACT_COUNT),
    FACT("events", events, CK_FACT_COUNT),
    FACT("weight_sum", weight_sum, CK_FACT_REAL),
    FACT("event_weight", event_weight, CK_FACT_REAL),
    FACT("condition_number", condition_number, CK_FACT_REAL),
};
#undef FACT

/* The baseline: H0 at the event times, with the risk set and events there
 * (for the report and for users plotting it). */
typedef struct baseline {
    size_t n;
    double *time, *cumhaz, *nrisk, *nevent;
    ck_ph_curve curve; /* over time and cumhaz */
} baseline;

typedef struct state {
    ck_coefs c; /* first: the shared ck_coefs_est_* functions read it */
    facts f;
    baseline b;
} state;

static void set_facts(facts *f, const ck_cox *m)
{
    f->ties = (int)m->ties;
    f->hazard = (int)m->hazard;
    f->iterations = (double)m->iterations;
    f->converged = m->converged;
    f->monotone = m->monotone;
    f->relative_gradient = m->grad_rel;
    f->loglik = m->loglik;
    f->loglik_null = m->loglik0;
    f->penalty = m->penalty;
    f->lr_stat = m->lr_stat;
    f->lr_df = m->lr_df;
    f->lr_p = m->lr_p;
    f->wald_stat = m->wald_stat;
    f->wald_df = (double)m->p;
    f->wald_p = m->wald_p;
    f->score_stat = m->score_stat;
    f->score_p = m->score_p;
    f->concordance = m->concordance.concordance;
    f->concordance_se = m->concordance.se;
    f->rows = (double)m->n;
    f->events = (double)m->events;
    f->weight_sum = m->weight_sum;
    f->event_weight = m->event_weight;
    f->condition_number = m->cond;
}

static void baseline_fini(baseline *b)
{
    free(b->time);
    free(b->cumhaz);
    free(b->nrisk);
    free(b->nevent);
    memset(b, 0, sizeof *b);
}

/* Takes the fit's baseline arrays (they are set to NULL in m). */
static void baseline_adopt(baseline *b, ck_cox *m)
{
    b->n = m->ntimes;
    b->time = m->time;
    b->cumhaz = m->cumhaz;
    b->nrisk = m->nrisk;
    b->nevent = m->nevent;
    m->time = m->cumhaz = m->nrisk = m->nevent = NULL;
    b->curve = (ck_ph_curve){b->n, b->time, b->cumhaz, b->nrisk, b->nevent, m->last_time};
}

static void free_state(void *p)
{
    state *s = p;
    if (s)
        baseline_fini(&s->b);
    ck_coefs_est_free(p);
}

static ck_status fit(const ck_fit_input *in, void **out, ck_warnings *w, ck_error *err)
{
    ck_cox m;
    ck_cox_options co;
    ck_cox_options_init(&co);
    co.l2 = in->param[P_L2];
    co.ties = (ck_cox_ties)in->param[P_TIES];
    co.threads = in->threads;
    co.progress = in->progress;
    co.progress_ctx = in->progress_ctx;
    ck_status st = ck_cox_fit(in->ds, in->ds->y, in->ds->event, &co, &m, w, err);
    if (st != CK_OK)
        return st;
    state *s = calloc(1, sizeof *s);
    if (!s) {
        ck_cox_fini(&m);
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    }
    s->c.no_intercept = 1;
    const ck_pipeline *pl = in->ds->design->pl;
    ck_coefs_adopt(&s->c, m.p, &m.beta, NULL, m.cov, 0, in->final, pl);
    /* with splines, each variable's joint Wald test ("does it matter?"), as
     * logistic and linear give: a spline has no single coefficient to read
     * (models without one keep their report and file as they were) */
    int splines = 0;
    for (size_t k = 0; k < pl->nfeat; k++)
        splines |= pl->feat[k].spline != NULL;
    if (splines && in->final && m.cov && ck_coefs_wald_tests(&s->c, pl, m.cov, NULL) != 0) {
        ck_cox_fini(&m);
        ck_coefs_est_free(s);
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    }
    s->c.ratio = CK_RATIO_HAZARD;
    s->c.approximate = co.l2 > 0 || in->ds->weight != NULL;
    set_facts(&s->f, &m);
    baseline_adopt(&s->b, &m);
    ck_cox_fini(&m);
    *out = s;
    return CK_OK;
}

static double score(const void *p, const double *x, void *scratch)
{
    const state *s = p;
    (void)scratch;
    double eta = 0;
    for (size_t j = 0; j < s->c.p; j++)
        eta += s->c.beta[j] * x[j];
    return eta;
}

static double score_sparse(const void *p, const size_t *idx, const double *val, size_t n,
                           void *scratch)
{
    const state *s = p;
    (void)scratch;
    double eta = 0; /* no intercept: the baseline hazard holds it */
    for (size_t k = 0; k < n; k++)
        eta += s->c.beta[idx[k]] * val[k];
    return eta;
}

static const ck_ph_curve *curve(const void *p)
{
    return &((const state *)p)->b.curve;
}

static ck_status save(const void *p, const ck_model *m, json_t *root, json_t *fit,
                      ck_error *err)
{
    const state *s = p;
    const baseline *b = &s->b;
    ck_status st = ck_coefs_est_save(s, m->pl, root, fit, &s->f, fit_facts, CK_NFACTS(fit_facts),
                                     err);
    json_t *o = json_object();
    int bad = !o;
    bad |= ck_json_put(o, "hazard", json_string(hazard_names[s->f.hazard]));
    bad |= ck_json_set_number(o, "last_time", b->curve.last_time);
    bad |= ck_json_put(o, "time", ck_json_numbers(b->time, b->n));
    bad |= ck_json_put(o, "cumulative_hazard", ck_json_numbers(b->cumhaz, b->n));
    bad |= ck_json_put(o, "at_risk", ck_json_counts(b->nrisk, b->n));
    bad |= ck_json_put(o, "events", ck_json_counts(b->nevent, b->n));
    bad |= ck_json_put(root, "baseline", o);
    return st == CK_OK && bad ? ck_error_set(err, CK_ENOMEM, "out of memory") : st;
}

/* The baseline must be a step function scoring can trust: times finite,
 * 0 or more and increasing, H0 finite, 0 or more and non-decreasing, the
 * last time fitted at or after the last event time. */
static ck_status check_baseline(const baseline *b, ck_json_reader *rd)
{
    for (size_t k = 0; k < b->n; k++) {
        if (!(isfinite(b->time[k]) && b->time[k] >= 0 && (k == 0 || b->time[k] > b->time[k - 1])))
            return ck_json_bad(rd, "baseline.time", "must be finite, 0 or more and increasing");
        if (!(isfinite(b->cumhaz[k]) && b->cumhaz[k] >= 0 &&
              (k == 0 || b->cumhaz[k] >= b->cumhaz[k - 1])))
            return ck_json_bad(rd, "baseline.cumulative_hazard",
                               "must be finite, 0 or more and non-decreasing");
        if (!(b->nevent[k] > 0 && b->nrisk[k] >= b->nevent[k] && isfinite(b->nrisk[k])))
            return ck_json_bad(rd, "baseline.events", "must be more than 0 and at most "
                                                      "baseline.at_risk at each time");
        /* the risk set only shrinks: at a later time, at most what was at
         * risk before less the events then */
        if (k > 0 && !(b->nrisk[k] <= b->nrisk[k - 1] - b->nevent[k - 1] + 1e-9 * b->nrisk[k - 1]))
            return ck_json_bad(rd, "baseline.at_risk", "must fall over time by at least the "
                                                       "events");
    }
    if (!(isfinite(b->curve.last_time) && b->curve.last_time >= b->time[b->n - 1]))
        return ck_json_bad(rd, "baseline.last_time", "must be finite and at least the last "
                                                     "event time");
    return CK_OK;
}

static ck_status load_baseline(baseline *b, json_t *root, ck_json_reader *rd)
{
    json_t *o, *t;
    ck_status st;
    json_t *hz;
    if ((st = ck_json_get_object(rd, root, "baseline", "baseline", &o)) != CK_OK ||
        (st = ck_json_get(rd, o, "hazard", "baseline.hazard", &hz)) != CK_OK ||
        (st = ck_json_get(rd, o, "time", "baseline.time", &t)) != CK_OK)
        return st;
    if (!json_is_string(hz) || (strcmp(json_string_value(hz), "efron") != 0 &&
                                strcmp(json_string_value(hz), "breslow") != 0))
        return ck_json_bad(rd, "baseline.hazard", "must be \"efron\" or \"breslow\"");
    b->n = json_is_array(t) ? json_array_size(t) : 0;
    if (b->n == 0)
        return ck_json_bad(rd, "baseline.time", "must be an array of at least one time");
    b->time = malloc(b->n * sizeof *b->time);
    b->cumhaz = malloc(b->n * sizeof *b->cumhaz);
    b->nrisk = malloc(b->n * sizeof *b->nrisk);
    b->nevent = malloc(b->n * sizeof *b->nevent);
    if (!b->time || !b->cumhaz || !b->nrisk || !b->nevent)
        return ck_error_set(rd->err, CK_ENOMEM, "out of memory");
    if ((st = ck_json_get_numbers(rd, o, "time", "baseline.time", b->n, b->time)) != CK_OK ||
        (st = ck_json_get_numbers(rd, o, "cumulative_hazard", "baseline.cumulative_hazard",
                                  b->n, b->cumhaz)) != CK_OK ||
        (st = ck_json_get_numbers(rd, o, "at_risk", "baseline.at_risk", b->n, b->nrisk)) !=
            CK_OK ||
        (st = ck_json_get_numbers(rd, o, "events", "baseline.events", b->n, b->nevent)) !=
            CK_OK ||
        (st = ck_json_get_number(rd, o, "last_time", "baseline.last_time", 0,
                                 &b->curve.last_time)) != CK_OK)
        return st;
    b->curve.ntimes = b->n;
    b->curve.time = b->time;
    b->curve.cumhaz = b->cumhaz;
    b->curve.nrisk = b->nrisk;
    b->curve.nevent = b->nevent;
    return check_baseline(b, rd);
}

static ck_status load(void **out, const ck_model *m, json_t *root, json_t *fit,
                      ck_json_reader *rd)
{
    ck_status st = ck_coefs_est_load(out, sizeof(state), m->pl, 1, root, fit,
                                     offsetof(state, f), fit_facts, CK_NFACTS(fit_facts), rd);
    if (st != CK_OK)
        return st;
    state *s = *out;
    s->c.ratio = CK_RATIO_HAZARD;
    if ((st = load_baseline(&s->b, root, rd)) != CK_OK) {
        free_state(s);
        *out = NULL;
    }
    return st;
}

/* ------------------------------------------------------------------ */
/* the report, as R's summary(coxph) prints it */

static void tests_report(FILE *out, const facts *f)
{
    char pv[16];
    ck_report_format_p(pv, sizeof pv, f->lr_p);
    fprintf(out, "Likelihood ratio test = %.2f on %.4g df, p %s\n", f->lr_stat, f->lr_df, pv);
    if (f->penalty > 0) { /* as R prints a ridge() fit: the other two would mislead */
        fprintf(out, "(penalized: the likelihood ratio on the effective degrees of freedom; "
                     "no Wald or score test)\n");
        return;
    }
    ck_report_format_p(pv, sizeof pv, f->wald_p);
    fprintf(out, "Wald test             = %.2f on %.0f df, p %s\n", f->wald_stat, f->wald_df,
            pv);
    ck_report_format_p(pv, sizeof pv, f->score_p);
    fprintf(out, "Score (logrank) test  = %.2f on %.0f df, p %s\n", f->score_stat, f->wald_df,
            pv);
}

/* exp(coef) per standard deviation (the encoded column) and per unit of
 * the raw column: a standardized column z = (x - mean) / scale has
 * coefficient beta / scale per unit of x, so its hazard ratio per unit is
 * exp(beta / scale), with the interval's ends divided alike.  Indicator
 * columns are 0/1 already; a symlog column's unit is one of log(1 + |x|). */
static void ratios_report(FILE *out, const ck_coefs *c, const ck_pipeline *pl)
{
    if (!c->row)
        return;
    fprintf(out, "\n%-36s %10s %10s %10s %14s %11s %11s\n", "hazard ratio", "exp(coef)",
            "lower .95", "upper .95", "per raw unit", "lower .95", "upper .95");
    for (size_t i = 0, shown = 0; i < pl->nfeat && shown < 100; i++) {
        const ck_feature *f = &pl->feat[i];
        for (size_t k = 0; k < f->width; k++, shown++) {
            size_t j = f->offset + k;
            const ck_coef_row *r = &c->row[j];
            /* a spline's basis columns have no readable ratio: one line
             * sends the reader to the variable's curve */
            if (f->spline && k < ck_spline_width(f->spline)) {
                if (k == 0)
                    fprintf(out, "%-36.36s %10s\n", f->name, "(spline: its curve below)");
                continue;
            }
            fprintf(out, "%-36.36s %10.4g %10.4g %10.4g", pl->encoded[j], exp(r->coef),
                    exp(r->lo), exp(r->hi));
            /* six digits: a day of tenure moves the hazard in the 5th */
            if (f->kind == CK_FEAT_NUMERIC && !f->spline && k == 0 && f->scale > 0)
                fprintf(out, " %14.6g %11.6g %11.6g%s", exp(r->coef / f->scale),
                        exp(r->lo / f->scale), exp(r->hi / f->scale),
                        f->symlog ? " (per unit of log(1+x))" : "");
            fputc('\n', out);
        }
    }
}

static void report(FILE *out, const void *p, const ck_model *m)
{
    const state *s = p;
    const facts *f = &s->f;
    fprintf(out, "Cox proportional hazards (ties: %s): n = %.0f, events = %.0f; Newton, %.0f "
                 "iterations, %s (relative score %.2g)\n",
            ties_names[f->ties], f->rows, f->events, f->iterations,
            f->converged ? "converged" : "NOT converged", f->relative_gradient);
    if (f->monotone)
        fprintf(out, "Monotone likelihood: some coefficients grow without bound (a column "
                     "orders the events perfectly); use --l2.\n");
    fprintf(out, "Concordance = %.4f (se = %.4f)\n", f->concordance, f->concordance_se);
    tests_report(out, f);
    fprintf(out, "Baseline cumulative hazard (%s) at %zu event times up to %g; the last time "
                 "fitted %g\n\n",
            hazard_names[f->hazard], s->b.n, s->b.n ? s->b.time[s->b.n - 1] : 0,
            s->b.curve.last_time);
    ck_coefs_report(out, &s->c, m->pl);
    ratios_report(out, &s->c, m->pl);
    ck_coefs_splines_report(out, &s->c, m->pl);
}

const ck_estimator_type ck_est_cox = {
    .name = "cox",
    .help = "Cox proportional hazards for the time to churn (Efron or Breslow ties), "
            "with inference as R's summary(coxph) prints it",
    .tasks = CK_TASK_BIT(CK_TASK_SURVIVAL),
    .default_task = CK_TASK_SURVIVAL,
    .flags = CK_EST_CONTRIBUTIONS | CK_EST_ROW_WEIGHTS,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .pipeline = ck_coefs_est_pipeline,
    .fit = fit,
    .score = score,
    .score_sparse = score_sparse,
    .curve = curve,
    .contributions = ck_coefs_est_contributions,
    .save = save,
    .load = load,
    .report = report,
    .terms = ck_coefs_est_terms,
    .tune = ck_coefs_est_tune,
    .free = free_state,
};
