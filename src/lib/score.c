/* score.c -- streaming batch scoring with segments, horizons and drift
 * (see score.h). */
#include "churnkit/score.h"
#include "churnkit/blocks.h"
#include "churnkit/csvwriter.h"
#include "churnkit/drift.h"
#include "churnkit/health.h"
#include "churnkit/model_inputs.h"
#include "churnkit/num.h"
#include "churnkit/ofile.h"
#include "churnkit/parallel.h"
#include "churnkit/reasons.h"
#include "churnkit/segments.h"
#include "churnkit/str.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void ck_score_options_init(ck_score_options *opt)
{
    memset(opt, 0, sizeof *opt);
    ck_csv_options_init(&opt->csv);
    opt->decimals = 6;
    opt->segments = 1;
    opt->drift_threshold = 0.2;
    opt->risk_threshold = NAN;
    opt->growth_threshold = NAN;
    ck_lifetime_options_init(&opt->life);
    opt->value_groups = -1;
    ck_value_rules_init(&opt->value_rules);
}

void ck_score_summary_fini(ck_score_summary *s)
{
    free(s->positives);
    free(s->mean);
    free(s->at_risk);
    free(s->clv);
    free(s->drift);
    memset(s, 0, sizeof *s);
}

/* ------------------------------------------------------------------ */
/* the plan: what is scored, fixed before any row is read */

typedef struct plan_model {
    const ck_model *m;
    size_t *col;               /* by feature: input column */
    ck_drift_bins *bins;       /* by feature */
    size_t *slot;              /* by feature: its bins' offset in the counts */
    char *counts;              /* by feature: 1 when it does the counting --
                                  features of several models that read the
                                  same column with the same bins share one
                                  set of counts, counted once a row */
    char ***label;             /* by feature: what a reason calls it -- a
                                  number's name, or "name=level" for each
                                  level and then "name=(no level)" for a
                                  missing or unseen one */
    size_t reasons;            /* reason columns: --reasons, at most the
                                  features, 0 for a model that gives none */
    int survival;              /* a survival model: life is set */
    int sparse;                /* scored as it is read, given sparsely: the
                                  model can, and no reasons need the dense
                                  row (a one-hot set of a million levels
                                  would otherwise be cleared and multiplied
                                  whole for every row) */
    int batched;               /* scored a batch of rows at a time
                                  (finish_rows), not as they are read */
    ck_lifetime life;
} plan_model;

enum { HEALTH_BY_NAME = 3 };

/* Rows a worker reads before it scores them, when a model scores rows in
 * batches faster (ck_model_scores_rows: the trees, two rows at once) and
 * the models' encoded rows are at most SCORE_BATCH_WIDTH wide in all; 1
 * otherwise, so that a model a million columns wide holds one encoded row.
 * A batch is scored, then written in order: a row's error still comes
 * before any error of a later row. */
enum { SCORE_BATCH = 16, SCORE_BATCH_WIDTH = 4096 };

typedef struct plan {
    const ck_score_options *opt;
    const char *source;
    size_t ncols;
    const char *const *names;
    ck_dict *index;            /* names -> input column (a file may be wide) */
    plan_model *pm;
    size_t nm;
    char *numeric;             /* by input column: parse as a number (1: for
                                  a model or an option, 2: only for the
                                  value groups, HEALTH_BY_NAME: only for
                                  the health band, text there no error) */
    char *in_float;            /* by input column: a tree model reads it, in
                                  float (xgboost's precision): beyond
                                  FLT_MAX it would be an infinity */
    long id_col, health_col;
    long mrr_col, cost_col;    /* -1: none */
    int id_missing;            /* the model's id column is not in the input */
    int risk, growth;          /* model indexes, -1: no segments */
    double risk_h, risk_H;     /* a survival risk model: the horizon, H0 there */
    double risk_threshold;     /* high risk at or above it */
    double growth_threshold;   /* growing above it */
    int *prev;                 /* by model: its shorter horizon, or -1 */
    int *order;                /* models in horizon order (shorter first) */
    size_t nbins;              /* drift bins of all features of all models */
    const char *actions[CK_SEGMENTS];
    int valued;                /* write the value groups */
    long value_col[CK_VALUE_COLUMNS];
    const char *value_plays[CK_VALUE_GROUPS];
    long value_partial;        /* -1, or a value column the input lacks
                                  when it has another (no groups: warned) */
    size_t batch;              /* rows read before they are scored:
                                  SCORE_BATCH or 1 */
} plan;

static int same_bins(const ck_drift_bins *a, const ck_drift_bins *b)
{
    if (a->f->kind != b->f->kind || a->nbins != b->nbins || a->nedges != b->nedges ||
        memcmp(a->edge, b->edge, a->nedges * sizeof *a->edge) != 0 ||
        memcmp(a->expected, b->expected, a->nbins * sizeof *a->expected) != 0)
        return 0;
    for (size_t k = 0; a->f->kind == CK_FEAT_CATEGORICAL && k < a->f->nlevels; k++)
        if (strcmp(a->f->levels[k], b->f->levels[k]) != 0)
            return 0;
    return 1;
}

/* The counts of feature k of pm: shared with an earlier feature on the same
 * column with the same bins, or new. */
static void assign_slot(plan *p, plan_model *pm, size_t k)
{
    for (size_t i = 0; i <= p->nm; i++) {
        const plan_model *o = i < p->nm ? &p->pm[i] : pm;
        size_t nf = o == pm ? k : o->m->pl->nfeat;
        for (size_t q = 0; q < nf; q++)
            if (o->col[q] == pm->col[k] && same_bins(&o->bins[q], &pm->bins[k])) {
                pm->slot[k] = o->slot[q];
                pm->counts[k] = 0;
                return;
            }
    }
    pm->slot[k] = p->nbins;
    pm->counts[k] = 1;
    p->nbins += pm->bins[k].nbins;
}

/* "name=level", or NULL when out of memory. */
static char *joined(const char *name, const char *level)
{
    size_t a = strlen(name), b = strlen(level);
    char *s = malloc(a + b + 2);
    if (s) {
        memcpy(s, name, a);
        s[a] = '=';
        memcpy(s + a + 1, level, b + 1);
    }
    return s;
}

/* The names reasons give feature k's values. */
static int reason_labels(plan_model *pm, size_t k)
{
    const ck_feature *f = &pm->m->pl->feat[k];
    size_t n = f->kind == CK_FEAT_CATEGORICAL ? f->nlevels + 1 : 1;
    char **v = calloc(n, sizeof *v);
    pm->label[k] = v;
    if (!v)
        return -1;
    if (f->kind == CK_FEAT_NUMERIC)
        return (v[0] = strdup(f->name)) ? 0 : -1;
    for (size_t l = 0; l < f->nlevels; l++)
        if (!(v[l] = joined(f->name, f->levels[l])))
            return -1;
    return (v[f->nlevels] = joined(f->name, "(no level)")) ? 0 : -1;
}

static ck_status bind_model(plan *p, plan_model *pm, const ck_model *m, ck_error *err)
{
    const ck_pipeline *pl = m->pl;
    size_t nf = pl->nfeat ? pl->nfeat : 1;
    pm->m = m;
    pm->col = calloc(nf, sizeof *pm->col);
    pm->bins = calloc(nf, sizeof *pm->bins);
    pm->slot = calloc(nf, sizeof *pm->slot);
    pm->counts = calloc(nf, 1);
    pm->label = calloc(nf, sizeof *pm->label);
    if (!pm->col || !pm->bins || !pm->slot || !pm->counts || !pm->label)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    pm->reasons = ck_model_explains(m) ? p->opt->reasons : 0;
    if (pm->reasons > pl->nfeat)
        pm->reasons = pl->nfeat;
    /* every missing column at once, before any is looked up */
    ck_status st = ck_model_check_inputs(m, p->names, p->ncols, p->source, 0, err);
    if (st != CK_OK)
        return st;
    for (size_t k = 0; k < pl->nfeat; k++) {
        long j = ck_dict_find(p->index, pl->feat[k].name, strlen(pl->feat[k].name));
        if (j < 0) /* checked above; kept so that no lookup can go negative */
            return ck_error_set(err, CK_EDATA, "%s: no column '%s'", p->source,
                                pl->feat[k].name);
        pm->col[k] = (size_t)j;
        if (pl->feat[k].kind == CK_FEAT_NUMERIC)
            p->numeric[j] = 1;
        if (pl->feat[k].kind == CK_FEAT_NUMERIC && pl->raw)
            p->in_float[j] = 1;
        if (ck_drift_bins_init(&pm->bins[k], &pl->feat[k]) != 0)
            return ck_error_set(err, CK_ENOMEM, "out of memory");
        assign_slot(p, pm, k);
        if (pm->reasons && reason_labels(pm, k) != 0)
            return ck_error_set(err, CK_ENOMEM, "out of memory");
    }
    return CK_OK;
}

static ck_status check_models(ck_model *const *models, size_t n, ck_error *err)
{
    if (n == 0)
        return ck_error_set(err, CK_EUSAGE, "no model to score with");
    return ck_models_check_names((const ck_model *const *)models, n, "score columns", err);
}

/* A column named by an option, read as a number; -1 when not named. */
static ck_status value_column(plan *p, const char *name, const char *what, long *col,
                              ck_error *err)
{
    *col = -1;
    if (!name)
        return CK_OK;
    if ((*col = ck_strv_index(p->names, p->ncols, name)) < 0)
        return ck_error_set(err, CK_EDATA, "%s: no %s column '%s'", p->source, what, name);
    p->numeric[*col] = 1;
    return CK_OK;
}

/* The MRR and cost columns, and the lifetimes of the survival models. */
static ck_status value_columns(plan *p, ck_error *err)
{
    const ck_score_options *o = p->opt;
    ck_status st;
    int survival = 0;
    if (o->cost && !o->mrr)
        return ck_error_set(err, CK_EUSAGE, "an acquisition-cost column needs an MRR column: "
                                            "ROI is CLV / cost");
    if ((st = value_column(p, o->mrr, "MRR", &p->mrr_col, err)) != CK_OK ||
        (st = value_column(p, o->cost, "acquisition-cost", &p->cost_col, err)) != CK_OK)
        return st;
    if (o->life.nhorizons == 0)
        return ck_error_set(err, CK_EUSAGE, "no horizons to score survival models at");
    for (size_t i = 0; i < p->nm; i++) {
        plan_model *pm = &p->pm[i];
        const ck_ph_curve *c = ck_model_curve(pm->m);
        if (!c)
            continue;
        if ((st = ck_lifetime_init(&pm->life, c, &o->life, err)) != CK_OK)
            return st;
        pm->survival = 1;
        survival = 1;
    }
    if (!survival && (o->mrr || o->cost))
        return ck_error_set(err, CK_EUSAGE, "an MRR column is for the revenue at risk and CLV of "
                                            "survival models, and none of the models is one");
    return CK_OK;
}

/* The risk threshold: the one given, else a classifier's own, else a
 * survival model's training churn within the horizon (Kaplan-Meier). */
static void risk_threshold(plan *p, const ck_model *m)
{
    const ck_ph_curve *c = ck_model_curve(m);
    if (c)
        p->risk_H = ck_ph_cumhaz(c, p->risk_h);
    p->risk_threshold = !isnan(p->opt->risk_threshold) ? p->opt->risk_threshold
                        : c ? 1 - ck_ph_km(c, p->risk_h) : m->threshold;
}

static int among_horizons(const ck_lifetime_options *o, double h)
{
    for (size_t k = 0; k < o->nhorizons; k++)
        if (o->horizon[k] == h)
            return 1;
    return 0;
}

/* The value groups' columns: all four, or none and no groups (an error
 * naming the first missing one when they are required). */
static ck_status value_groups(plan *p, ck_error *err)
{
    const ck_score_options *o = p->opt;
    int have = 0;
    long missing = -1;
    p->value_partial = -1;
    if (o->value_groups == 0)
        return CK_OK;
    ck_status st = ck_value_rules_check(&o->value_rules, err);
    if (st != CK_OK)
        return st;
    for (int k = 0; k < CK_VALUE_COLUMNS; k++) {
        p->value_col[k] = ck_strv_index(p->names, p->ncols, ck_value_column(k));
        if (p->value_col[k] >= 0)
            have++;
        else if (missing < 0)
            missing = k;
    }
    if (missing >= 0 && o->value_groups > 0)
        return ck_error_set(err, CK_EDATA, "%s: no column '%s', which the value groups need "
                                           "(with nps_avg, active_day_share, "
                                           "core_clicks_per_user and feature_breadth)",
                            p->source, ck_value_column((int)missing));
    if (missing >= 0) {
        p->value_partial = have ? missing : -1;
        return CK_OK;
    }
    p->valued = 1;
    for (int k = 0; k < CK_VALUE_COLUMNS; k++)
        if (!p->numeric[p->value_col[k]])
            p->numeric[p->value_col[k]] = 2;
    for (int g = 0; g < CK_VALUE_GROUPS; g++)
        p->value_plays[g] = o->value_plays[g] ? o->value_plays[g] : ck_value_group_play(g);
    return CK_OK;
}

static ck_status plan_init(plan *p, ck_model *const *models, size_t n, const char *source,
                           const char *const *names, size_t ncols, const ck_score_options *opt,
                           ck_error *err)
{
    ck_status st;
    memset(p, 0, sizeof *p);
    p->opt = opt;
    p->source = source;
    p->names = names;
    p->ncols = ncols;
    p->numeric = calloc(ncols ? ncols : 1, 1);
    p->in_float = calloc(ncols ? ncols : 1, 1);
    p->pm = calloc(n, sizeof *p->pm);
    p->order = calloc(n, sizeof *p->order);
    p->prev = calloc(n, sizeof *p->prev);
    p->index = ck_dict_new();
    if (!p->numeric || !p->in_float || !p->pm || !p->order || !p->prev || !p->index)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    for (size_t j = 0; j < ncols; j++) {
        int32_t code = ck_dict_intern(p->index, names[j], strlen(names[j]));
        if (code < 0)
            return ck_error_set(err, CK_ENOMEM, "out of memory");
        if (code != (int32_t)j) /* only --columns can repeat a name */
            return ck_error_set(err, CK_EUSAGE, "%s: duplicate column name '%s'", source,
                                names[j]);
    }
    for (p->nm = 0; p->nm < n; p->nm++)
        if ((st = bind_model(p, &p->pm[p->nm], models[p->nm], err)) != CK_OK) {
            p->nm++; /* its bins are freed with the others */
            return st;
        }
    if ((st = value_columns(p, err)) != CK_OK)
        return st;
    p->id_col = -1;
    if (opt->id) {
        if ((p->id_col = ck_strv_index(names, ncols, opt->id)) < 0)
            return ck_error_set(err, CK_EDATA, "%s: no id column '%s'", source, opt->id);
    } else if (models[0]->id) {
        p->id_col = ck_strv_index(names, ncols, models[0]->id);
        p->id_missing = p->id_col < 0;
    }
    /* found by its name only: an extra column that happens to be called so
     * must not stop the run (README: extra columns are ignored), so text in
     * it leaves the row's band empty, counted in a warning; a model that
     * reads the column keeps it strict */
    p->health_col = ck_strv_index(names, ncols, "health_score");
    if (p->health_col >= 0 && !p->numeric[p->health_col])
        p->numeric[p->health_col] = HEALTH_BY_NAME;
    for (int s = 0; s < CK_SEGMENTS; s++)
        p->actions[s] = opt->actions[s] ? opt->actions[s] : ck_segment_action(s);
    if ((st = value_groups(p, err)) != CK_OK)
        return st;
    ck_horizons_link(models, n, p->prev, p->order);
    size_t width = 0;
    int rows_at_once = 0;
    for (size_t i = 0; i < n; i++) {
        plan_model *pm = &p->pm[i];
        pm->sparse = ck_model_scores_sparse(pm->m) && !pm->reasons;
        width += pm->m->pl->width;
        rows_at_once |= ck_model_scores_rows(pm->m) && !pm->sparse;
    }
    p->batch = rows_at_once && width <= SCORE_BATCH_WIDTH ? SCORE_BATCH : 1;
    for (size_t i = 0; i < n; i++)
        p->pm[i].batched = p->batch > 1 && ck_model_scores_rows(p->pm[i].m) && !p->pm[i].sparse;
    p->risk = p->growth = -1;
    if (!opt->segments)
        return CK_OK;
    st = ck_segments_choose(models, n, opt->risk_model, opt->growth_model,
                            opt->life.horizon[opt->life.nhorizons - 1], &p->risk, &p->risk_h,
                            &p->growth, err);
    if (st != CK_OK)
        return st;
    if (p->risk < 0 && !isnan(opt->risk_threshold))
        return ck_error_set(err, CK_EUSAGE, "a risk threshold is for the segments, which need a "
                                            "churn model and a value-change regression");
    if (p->risk >= 0 && p->risk_h > 0 && !among_horizons(&opt->life, p->risk_h))
        return ck_error_set(err, CK_EUSAGE, "the segments' risk is the churn within %g months: "
                                            "add %g to the horizons, so that it is in the output",
                            p->risk_h, p->risk_h);
    if (p->risk >= 0) {
        risk_threshold(p, models[p->risk]);
        /* a growth classifier is growing at or above its own threshold
         * (the strict > of a regression's 0, one ulp below it) */
        const ck_model *g = models[p->growth];
        p->growth_threshold = !isnan(opt->growth_threshold) ? opt->growth_threshold
                              : g->task == CK_TASK_CLASSIFICATION ? nextafter(g->threshold, 0)
                                                                  : 0;
    }
    return CK_OK;
}

static void plan_fini(plan *p)
{
    for (size_t i = 0; i < p->nm; i++) {
        for (size_t k = 0; p->pm[i].bins && k < p->pm[i].m->pl->nfeat; k++)
            ck_drift_bins_fini(&p->pm[i].bins[k]);
        free(p->pm[i].bins);
        free(p->pm[i].col);
        free(p->pm[i].slot);
        free(p->pm[i].counts);
        for (size_t k = 0; p->pm[i].label && k < p->pm[i].m->pl->nfeat; k++) {
            const ck_feature *f = &p->pm[i].m->pl->feat[k];
            size_t n = f->kind == CK_FEAT_CATEGORICAL ? f->nlevels + 1 : 1;
            for (size_t l = 0; p->pm[i].label[k] && l < n; l++)
                free(p->pm[i].label[k][l]);
            free(p->pm[i].label[k]);
        }
        free(p->pm[i].label);
        if (p->pm[i].survival)
            ck_lifetime_fini(&p->pm[i].life);
    }
    free(p->pm);
    free(p->order);
    free(p->prev);
    free(p->numeric);
    free(p->in_float);
    ck_dict_free(p->index);
}

/* ------------------------------------------------------------------ */
/* per-worker scratch and per-block tallies */

typedef struct model_scratch {
    size_t nf, wd;             /* features, encoded width */
    double *num, *x;           /* by row of the batch: nf, wd values */
    int32_t *level;            /* by row of the batch: nf */
    double *contrib, *by_feat;
    size_t *idx;               /* a sparse row: columns and values */
    double *val;
    size_t *rank;
    void *scratch;             /* the estimator's own, or NULL */
} model_scratch;

typedef struct worker {
    ck_csv_reader *r;          /* its reader, restarted on each block */
    const char **field;        /* by row of the batch: a plain row's fields, */
    size_t *flen;              /* in the block's text (ncols each) */
    ck_csv_row *row;           /* by row of the batch */
    model_scratch *ms;         /* by model */
    double *value;             /* by row of the batch: by input column */
    double *score;             /* by row of the batch: by model */
    double *life;              /* by row of the batch: by model: revenue at
                                  risk, CLV, ROI */
    double *scores;            /* a batch's scores of one model */
    int health_text;           /* the row's health_score is text */
} worker;

/* Row r of a worker's batch: its fields, values, scores and lifetimes. */
typedef struct held {
    size_t r;
    const ck_csv_row *row;
    double *value, *score, *life;
} held;

static held held_row(const plan *p, worker *w, size_t r)
{
    return (held){r, &w->row[r], w->value + r * p->ncols, w->score + r * p->nm,
                  w->life + 3 * r * p->nm};
}

typedef struct tally {
    unsigned long rows, adjusted;
    unsigned long health_text;        /* rows with text in health_score */
    unsigned long bad_mrr, bad_cost;  /* rows with a negative MRR, a cost not
                                         above 0 (or missing) */
    unsigned long *positives;  /* by model */
    double *sum;               /* by model */
    unsigned long *unseen;     /* by model feature, flattened like the bins */
    unsigned long *bins;       /* drift counts */
    double *life;              /* by model: revenue at risk, CLV, rows with
                                  an MRR */
    unsigned long seg[CK_SEGMENTS];
    double seg_growth[CK_SEGMENTS];
    double seg_life[CK_SEGMENTS][5]; /* revenue at risk, CLV, rows with an
                                        MRR; ROI, rows with a cost */
    unsigned long value[CK_VALUE_GROUPS + 1]; /* by group; last: none */
} tally;

static void scratch_free(worker *w, const plan *p)
{
    for (size_t i = 0; w->ms && i < p->nm; i++) {
        model_scratch *s = &w->ms[i];
        free(s->num);
        free(s->idx);
        free(s->val);
        free(s->x);
        free(s->contrib);
        free(s->by_feat);
        free(s->level);
        free(s->rank);
        ck_model_scratch_free(p->pm[i].m, s->scratch);
    }
    free(w->ms);
    free(w->value);
    free(w->score);
    free(w->life);
    free(w->scores);
    free(w->field);
    free(w->flen);
    free(w->row);
    ck_csv_close(w->r);
}

static int scratch_init(worker *w, const plan *p)
{
    size_t nc = p->ncols ? p->ncols : 1, b = p->batch;
    memset(w, 0, sizeof *w);
    w->ms = calloc(p->nm, sizeof *w->ms);
    w->value = calloc(b * nc, sizeof *w->value);
    w->score = calloc(b * p->nm, sizeof *w->score);
    w->life = calloc(3 * b * p->nm, sizeof *w->life);
    w->scores = calloc(b, sizeof *w->scores);
    w->field = calloc(b * nc, sizeof *w->field);
    w->flen = calloc(b * nc, sizeof *w->flen);
    w->row = calloc(b, sizeof *w->row);
    if (!w->ms || !w->value || !w->score || !w->life || !w->scores || !w->field || !w->flen ||
        !w->row)
        return -1;
    for (size_t i = 0; i < p->nm; i++) {
        const ck_model *m = p->pm[i].m;
        size_t nf = m->pl->nfeat ? m->pl->nfeat : 1, wd = m->pl->width ? m->pl->width : 1;
        model_scratch *s = &w->ms[i];
        s->nf = nf;
        s->wd = wd;
        s->num = calloc(b * nf, sizeof *s->num);
        s->level = calloc(b * nf, sizeof *s->level);
        s->by_feat = calloc(nf, sizeof *s->by_feat);
        s->rank = calloc(nf, sizeof *s->rank);
        s->idx = calloc(ck_pipeline_sparse_room(m->pl), sizeof *s->idx);
        s->val = calloc(ck_pipeline_sparse_room(m->pl), sizeof *s->val);
        s->x = calloc(b * wd, sizeof *s->x);
        s->contrib = calloc(wd, sizeof *s->contrib);
        if (!s->num || !s->level || !s->by_feat || !s->rank || !s->idx || !s->val || !s->x ||
            !s->contrib ||
            ck_model_scratch(m, &s->scratch, NULL) != CK_OK)
            return -1;
    }
    return 0;
}

static void tally_free(tally *t)
{
    free(t->positives);
    free(t->sum);
    free(t->life);
    free(t->unseen);
    free(t->bins);
    memset(t, 0, sizeof *t);
}

static int tally_init(tally *t, const plan *p)
{
    memset(t, 0, sizeof *t);
    t->positives = calloc(p->nm, sizeof *t->positives);
    t->sum = calloc(p->nm, sizeof *t->sum);
    t->life = calloc(3 * p->nm, sizeof *t->life);
    t->unseen = calloc(p->nbins ? p->nbins : 1, sizeof *t->unseen);
    t->bins = calloc(p->nbins ? p->nbins : 1, sizeof *t->bins);
    return t->positives && t->sum && t->life && t->unseen && t->bins ? 0 : -1;
}

/* into += from, in a fixed order (the block order) */
static void tally_add(tally *into, const tally *from, const plan *p)
{
    into->rows += from->rows;
    into->adjusted += from->adjusted;
    into->bad_mrr += from->bad_mrr;
    into->bad_cost += from->bad_cost;
    into->health_text += from->health_text;
    for (size_t i = 0; i < p->nm; i++) {
        into->positives[i] += from->positives[i];
        into->sum[i] += from->sum[i];
    }
    for (size_t i = 0; i < 3 * p->nm; i++)
        into->life[i] += from->life[i];
    for (size_t k = 0; k < p->nbins; k++) {
        into->unseen[k] += from->unseen[k];
        into->bins[k] += from->bins[k];
    }
    for (int s = 0; s < CK_SEGMENTS; s++) {
        into->seg[s] += from->seg[s];
        into->seg_growth[s] += from->seg_growth[s];
        for (int k = 0; k < 5; k++)
            into->seg_life[s][k] += from->seg_life[s][k];
    }
    for (int g = 0; g <= CK_VALUE_GROUPS; g++)
        into->value[g] += from->value[g];
}

/* ------------------------------------------------------------------ */
/* one row */

static ck_status parse_numbers(const plan *p, worker *w, const held *h, ck_error *err)
{
    const ck_csv_row *row = h->row;
    double *value = h->value;
    for (size_t j = 0; j < row->n; j++) {
        if (!p->numeric[j])
            continue;
        switch (ck_num_parse_field(row->field[j], row->len[j], &value[j])) {
        case CK_NUM_OK:
            if (p->in_float[j] && fabs(value[j]) > FLT_MAX)
                return ck_error_at(err, CK_EDATA, p->source, row->line, j + 1,
                                   "value '%.40s' in column '%s' is beyond the range of a "
                                   "32-bit float (3.4e38), in which a tree model compares it",
                                   row->field[j], p->names[j]);
            break;
        case CK_NUM_MISSING:
            value[j] = NAN;
            break;
        case CK_NUM_INF:
            return ck_error_at(err, CK_EDATA, p->source, row->line, j + 1,
                               "value '%.40s' in column '%s' is infinite or too large",
                               row->field[j], p->names[j]);
        case CK_NUM_BAD: {
            if (p->numeric[j] == HEALTH_BY_NAME) {
                value[j] = NAN;
                w->health_text = 1;
                break;
            }
            int comma = ck_num_decimal_comma(row->field[j], row->len[j]);
            return ck_error_at(err, CK_EDATA, p->source, row->line, j + 1,
                               "text '%.40s' in column '%s', which %s reads as a number%s%s",
                               row->field[j], p->names[j],
                               (long)j == p->mrr_col    ? "--mrr"
                               : (long)j == p->cost_col ? "--acquisition-cost"
                               : p->numeric[j] == 2     ? "the value-group rule"
                                                        : "a model",
                               comma ? ": " : "", comma ? CK_NUM_DECIMAL_COMMA_HINT : "");
        }
        }
    }
    return CK_OK;
}

/* Encodes row h for model i, and scores it unless the model's rows are
 * scored in batches; counts drift bins and unseen levels. */
static void encode_model(const plan *p, size_t i, worker *w, const held *h, tally *t)
{
    const plan_model *pm = &p->pm[i];
    const ck_pipeline *pl = pm->m->pl;
    model_scratch *s = &w->ms[i];
    const ck_csv_row *row = h->row;
    double *num = s->num + h->r * s->nf, *x = s->x + h->r * s->wd;
    int32_t *level = s->level + h->r * s->nf;
    for (size_t k = 0; k < pl->nfeat; k++) {
        const ck_feature *f = &pl->feat[k];
        size_t j = pm->col[k], bin = pm->slot[k];
        int count = pm->counts[k];
        if (f->kind == CK_FEAT_NUMERIC) {
            num[k] = h->value[j];
            if (count)
                t->bins[bin + ck_drift_bin_numeric(&pm->bins[k], num[k])]++;
        } else if (ck_num_is_missing_token(row->field[j], row->len[j])) {
            level[k] = -1;
            if (count)
                t->bins[bin + ck_drift_bin_level(&pm->bins[k], -1)]++;
        } else {
            level[k] = ck_feature_level(f, row->field[j], row->len[j]);
            if (count) {
                t->unseen[bin] += level[k] < 0;
                t->bins[bin + ck_drift_bin_level(&pm->bins[k], level[k] < 0 ? -2 : level[k])]++;
            }
        }
    }
    if (pm->sparse) {
        size_t n = ck_pipeline_encode_sparse(pl, num, level, s->idx, s->val);
        h->score[i] = ck_model_score_sparse(pm->m, s->idx, s->val, n, s->scratch);
        return;
    }
    ck_pipeline_encode(pl, num, level, x);
    if (!pm->batched)
        h->score[i] = ck_model_score(pm->m, x, s->scratch);
}

/* The features moving the score most in the chosen direction
 * (ck_reasons_pick), each with its contribution on the model's scale
 * (summed over its encoded columns); empty cells when fewer features
 * qualify. */
static void write_reasons(const plan *p, size_t i, worker *w, const held *h, ck_csv_writer *out)
{
    const plan_model *pm = &p->pm[i];
    const ck_pipeline *pl = pm->m->pl;
    model_scratch *s = &w->ms[i];
    const int32_t *level = s->level + h->r * s->nf;
    ck_model_contributions(pm->m, s->x + h->r * s->wd, s->contrib, s->scratch);
    size_t nq = ck_reasons_pick(pl, s->contrib, p->opt->reasons_direction, pm->reasons,
                                s->by_feat, s->rank);
    for (size_t r = 0; r < pm->reasons; r++) {
        if (r >= nq) {
            ck_csv_write_empty(out);
            ck_csv_write_empty(out);
            continue;
        }
        size_t k = s->rank[r];
        const ck_feature *f = &pl->feat[k];
        int32_t lv = f->kind == CK_FEAT_CATEGORICAL ? level[k] : 0;
        ck_csv_write_cstr(out, pm->label[k][lv < 0 ? f->nlevels : (size_t)lv]);
        ck_csv_write_fixed(out, s->by_feat[k], p->opt->decimals);
    }
}

/* A number, or an empty cell for NaN. */
static void write_number(ck_csv_writer *out, double v, int decimals)
{
    if (isnan(v))
        ck_csv_write_empty(out);
    else
        ck_csv_write_fixed(out, v, decimals);
}

/* A survival model's columns: churn by each horizon, expected months, and
 * with an MRR the revenue at risk, the CLV and (with a cost) the ROI. */
static void write_survival(const plan *p, size_t i, const held *h, ck_csv_writer *out, tally *t)
{
    const ck_lifetime *lt = &p->pm[i].life;
    double eta = h->score[i], *life = h->life + 3 * i;
    for (size_t k = 0; k < lt->nh; k++)
        ck_csv_write_fixed(out, ck_lifetime_churn(lt, eta, k), p->opt->decimals);
    t->sum[i] += ck_lifetime_churn(lt, eta, lt->nh - 1);
    double rmst = ck_lifetime_expected(lt, eta);
    ck_csv_write_fixed(out, rmst, p->opt->decimals);
    if (p->mrr_col < 0)
        return;
    double mrr = h->value[p->mrr_col];
    life[0] = mrr * (lt->tmax - rmst);
    life[1] = ck_lifetime_clv(lt, eta, mrr);
    life[2] = NAN;
    write_number(out, life[0], 2);
    write_number(out, life[1], 2);
    if (p->cost_col >= 0) {
        double cost = h->value[p->cost_col];
        life[2] = cost > 0 ? life[1] / cost : NAN;
        write_number(out, life[2], 4);
    }
    if (!isnan(mrr)) {
        t->life[3 * i] += life[0];
        t->life[3 * i + 1] += life[1];
        t->life[3 * i + 2] += 1;
    }
}

static void write_models(const plan *p, worker *w, const held *h, ck_csv_writer *out,
                         tally *t)
{
    for (size_t i = 0; i < p->nm; i++) {
        const ck_model *m = p->pm[i].m;
        double v = h->score[i];
        if (p->pm[i].survival) {
            write_survival(p, i, h, out, t);
            if (p->pm[i].reasons)
                write_reasons(p, i, w, h, out);
            continue;
        }
        t->sum[i] += v;
        ck_csv_write_fixed(out, v, p->opt->decimals);
        if (m->task == CK_TASK_CLASSIFICATION) {
            int pos = v >= m->threshold;
            t->positives[i] += (unsigned long)pos;
            ck_csv_write_cstr(out, pos ? m->positive : m->negative);
        }
        if (p->pm[i].reasons)
            write_reasons(p, i, w, h, out);
    }
}

/* The row's value group and play, from its observed columns. */
static void write_value_group(const plan *p, const held *h, ck_csv_writer *out, tally *t)
{
    const double *v = h->value;
    const ck_value_row x = {v[p->value_col[0]], v[p->value_col[1]], v[p->value_col[2]],
                            v[p->value_col[3]]};
    int g = ck_value_group_of(&p->opt->value_rules, &x);
    if (g == CK_VALUE_NONE) {
        t->value[CK_VALUE_GROUPS]++;
        ck_csv_write_empty(out);
        ck_csv_write_empty(out);
        return;
    }
    t->value[g]++;
    ck_csv_write_cstr(out, ck_value_group_name(g));
    ck_csv_write_cstr(out, p->value_plays[g]);
}

static void write_extras(const plan *p, const held *h, ck_csv_writer *out, tally *t)
{
    if (p->risk >= 0) {
        double risk = h->score[p->risk], *life = h->life + 3 * p->risk;
        if (p->pm[p->risk].survival) /* 1 - S(h) */
            risk = p->risk_H > 0 ? 1 - exp(-p->risk_H * exp(risk)) : 0;
        int high = risk >= p->risk_threshold;
        int growing = h->score[p->growth] > p->growth_threshold;
        int seg = ck_segment_of(high, growing);
        t->seg[seg]++;
        t->seg_growth[seg] += h->score[p->growth];
        if (p->pm[p->risk].survival && p->mrr_col >= 0 && !isnan(life[1])) {
            double *sl = t->seg_life[seg];
            sl[0] += life[0];
            sl[1] += life[1];
            sl[2] += 1;
            sl[3] += isnan(life[2]) ? 0 : life[2];
            sl[4] += !isnan(life[2]);
        }
        ck_csv_write_cstr(out, ck_segment_name(seg));
        ck_csv_write_cstr(out, p->actions[seg]);
    }
    if (p->health_col >= 0) {
        const char *band = ck_health_band(h->value[p->health_col]);
        if (band)
            ck_csv_write_cstr(out, band);
        else
            ck_csv_write_empty(out);
    }
    if (p->valued)
        write_value_group(p, h, out, t);
}

/* A score that is not a number: the row's values are finite (read above),
 * so the model's are too large for them -- a finite but huge coefficient,
 * say.  Written, it would be an empty cell or an "inf" no reader takes;
 * the model file is at fault (exit 4). */
static ck_status nonfinite(const plan *p, size_t i, const ck_csv_row *row, double v,
                           ck_error *err)
{
    return ck_error_at(err, CK_EMODEL, p->source, row->line, 0,
                       "model '%s' scores this row as %s: its numbers are too large for the "
                       "row's values (a damaged or hand-edited model file?)",
                       p->pm[i].m->name, isnan(v) ? "not a number" : v > 0 ? "+infinity"
                                                                         : "-infinity");
}

/* Reads w->row[r] into row r of the batch: its numbers, each model's
 * encoded row, and the scores of the models not scored in batches. */
static ck_status read_row(const plan *p, worker *w, size_t r, tally *t, ck_error *err)
{
    held h = held_row(p, w, r);
    w->health_text = 0;
    ck_status st = parse_numbers(p, w, &h, err);
    if (st != CK_OK)
        return st;
    t->health_text += (unsigned long)w->health_text;
    for (size_t i = 0; i < p->nm; i++)
        encode_model(p, i, w, &h, t);
    return CK_OK;
}

/* Row h's scores checked and its columns written. */
static ck_status write_row(const plan *p, worker *w, const held *h, ck_csv_writer *out, tally *t,
                           ck_error *err)
{
    for (size_t i = 0; i < p->nm; i++)
        if (!isfinite(h->score[i]))
            return nonfinite(p, i, h->row, h->score[i], err);
    /* horizons in order: a longer horizon is at least as likely */
    int adjusted = 0;
    for (size_t k = 0; k < p->nm; k++) {
        int i = p->order[k], prev = p->prev[i];
        if (prev >= 0 && h->score[i] < h->score[prev]) {
            h->score[i] = h->score[prev];
            adjusted = 1;
        }
    }
    t->adjusted += (unsigned long)adjusted;
    if (p->mrr_col >= 0)
        t->bad_mrr += h->value[p->mrr_col] < 0;
    if (p->cost_col >= 0)
        t->bad_cost += !(h->value[p->cost_col] > 0);
    if (p->id_col >= 0)
        ck_csv_write_str(out, h->row->field[p->id_col], h->row->len[p->id_col]);
    write_models(p, w, h, out, t);
    write_extras(p, h, out, t);
    ck_csv_end_row(out);
    t->rows++;
    return CK_OK;
}

/* Rows 0 .. n-1 of the batch (read): the batched models' scores, then each
 * row written in order. */
static ck_status finish_rows(const plan *p, worker *w, size_t n, ck_csv_writer *out, tally *t,
                             ck_error *err)
{
    for (size_t i = 0; n > 0 && i < p->nm; i++) {
        if (!p->pm[i].batched)
            continue;
        const model_scratch *s = &w->ms[i];
        ck_model_score_rows(p->pm[i].m, s->x, n, s->wd, w->scores, s->scratch);
        for (size_t r = 0; r < n; r++)
            w->score[r * p->nm + i] = w->scores[r];
    }
    for (size_t r = 0; r < n; r++) {
        held h = held_row(p, w, r);
        ck_status st = write_row(p, w, &h, out, t, err);
        if (st != CK_OK)
            return st;
    }
    return CK_OK;
}


/* A header cell "MODEL_SUFFIX" (a model name of any length). */
static void write_name(ck_csv_writer *out, const char *model, const char *suffix, size_t k)
{
    char tail[64];
    if (k)
        snprintf(tail, sizeof tail, "_%s%zu", suffix, k);
    else
        snprintf(tail, sizeof tail, "_%s", suffix);
    size_t a = strlen(model), b = strlen(tail);
    char *s = malloc(a + b + 1);
    if (!s) {
        ck_csv_write_empty(out); /* the writer's own failure is reported at flush */
        return;
    }
    memcpy(s, model, a);
    memcpy(s + a, tail, b + 1);
    ck_csv_write_cstr(out, s);
    free(s);
}

static void write_survival_names(const plan *p, const plan_model *pm, ck_csv_writer *out)
{
    char suffix[48];
    for (size_t k = 0; k < pm->life.nh; k++) {
        snprintf(suffix, sizeof suffix, "churn_%gm", pm->life.horizon[k]);
        write_name(out, pm->m->name, suffix, 0);
    }
    write_name(out, pm->m->name, "expected_months", 0);
    if (p->mrr_col >= 0) {
        write_name(out, pm->m->name, "revenue_at_risk", 0);
        write_name(out, pm->m->name, "clv", 0);
    }
    if (p->cost_col >= 0)
        write_name(out, pm->m->name, "roi", 0);
}

static void write_header(const plan *p, ck_csv_writer *out)
{
    if (p->id_col >= 0)
        ck_csv_write_cstr(out, p->names[p->id_col]);
    for (size_t i = 0; i < p->nm; i++) {
        const ck_model *m = p->pm[i].m;
        if (p->pm[i].survival) {
            write_survival_names(p, &p->pm[i], out);
        } else if (m->task == CK_TASK_CLASSIFICATION) {
            write_name(out, m->name, "prob", 0);
            write_name(out, m->name, "label", 0);
        } else {
            write_name(out, m->name, "pred", 0);
        }
        for (size_t k = 1; k <= p->pm[i].reasons; k++) {
            write_name(out, m->name, "reason", k);
            char suffix[40];
            snprintf(suffix, sizeof suffix, "reason%zu_effect", k);
            write_name(out, m->name, suffix, 0);
        }
    }
    if (p->risk >= 0) {
        ck_csv_write_cstr(out, "segment");
        ck_csv_write_cstr(out, "action");
    }
    if (p->health_col >= 0)
        ck_csv_write_cstr(out, "health_band");
    if (p->valued) {
        ck_csv_write_cstr(out, "value_group");
        ck_csv_write_cstr(out, "value_play");
    }
    ck_csv_end_row(out);
}

typedef struct block {
    ck_block_text in;          /* the rows */
    ck_csv_writer *out;        /* the scored rows, in memory (reused) */
    tally t;
    ck_status st;
    ck_error err;
} block;

/* ------------------------------------------------------------------ */
/* the parallel rounds */

/* The block's rows from its start while ck_csv_plain_row takes them: split
 * in place in the block's own copy of the text, no field copied.  *pos and
 * *lines say how far it got.  The first block of a headerless input goes
 * to the reader whole (a byte-order mark is the reader's to strip). */
/* Rows 0 .. n-1 of the batch finished, then st, the status of reading row
 * n: an error of an earlier row comes first. */
static ck_status finish_before(const plan *p, worker *w, size_t n, block *b, ck_status st)
{
    ck_error first;
    ck_error_clear(&first);
    ck_status fs = finish_rows(p, w, n, b->out, &b->t, &first);
    if (fs != CK_OK) {
        b->err = first;
        return fs;
    }
    return st;
}

static ck_status score_plain(const plan *p, block *b, worker *w, size_t *pos,
                             unsigned long *lines)
{
    const ck_csv_options *o = &p->opt->csv;
    size_t max = o->max_field ? o->max_field : CK_CSV_MAX_FIELD, len, nf, n = 0;
    char delim = o->delim ? o->delim : ',';
    ck_status st = CK_OK;
    if (b->in.line_offset == 0 || o->libcsv_only)
        return CK_OK;
    while (*pos < b->in.len &&
           (len = ck_csv_plain_row(b->in.text + *pos, b->in.len - *pos, delim, p->ncols, max,
                                   w->field + n * p->ncols, w->flen + n * p->ncols, &nf)) > 0) {
        *pos += len;
        ++*lines;
        if (nf == 0) /* a blank line */
            continue;
        w->row[n] = (ck_csv_row){.n = p->ncols,
                                 .field = w->field + n * p->ncols,
                                 .len = w->flen + n * p->ncols,
                                 .line = b->in.line_offset + *lines};
        if ((st = read_row(p, w, n, &b->t, &b->err)) != CK_OK)
            break;
        if (++n == p->batch) {
            if ((st = finish_rows(p, w, n, b->out, &b->t, &b->err)) != CK_OK)
                return st;
            n = 0;
        }
    }
    return finish_before(p, w, n, b, st);
}

/* The block's text from `pos` on, `lines` line ends into it, through the
 * strict reader (quotes, lone CRs, ragged rows and their messages). */
static ck_status score_rest(const plan *p, block *b, worker *w, size_t pos, unsigned long lines)
{
    ck_csv_row row;
    int rc = 0;
    ck_status st;
    const char *text = b->in.text + pos;
    size_t len = b->in.len - pos;
    unsigned long offset = b->in.line_offset + lines;
    if (!w->r) {
        ck_csv_options o = p->opt->csv;
        o.no_header = 1;
        o.names = p->names;
        o.nnames = p->ncols;
        o.line_offset = offset;
        st = ck_csv_open_mem(&w->r, text, len, p->source, &o, &b->err);
    } else {
        st = ck_csv_restart_mem(w->r, text, len, offset, &b->err);
    }
    if (st != CK_OK)
        return st;
    /* a row at a time: the reader's next row takes the place of this one */
    while ((rc = ck_csv_next(w->r, &row, &b->err)) == 1) {
        w->row[0] = row;
        if ((st = read_row(p, w, 0, &b->t, &b->err)) != CK_OK ||
            (st = finish_rows(p, w, 1, b->out, &b->t, &b->err)) != CK_OK)
            return st;
    }
    return rc < 0 ? b->err.status : CK_OK;
}

static ck_status score_block(const plan *p, block *b, worker *w)
{
    size_t pos = 0;
    unsigned long lines = 0;
    ck_csv_writer_reset(b->out);
    ck_status st = score_plain(p, b, w, &pos, &lines);
    if (st == CK_OK && pos < b->in.len)
        st = score_rest(p, b, w, pos, lines);
    if (ck_csv_writer_flush(b->out) != 0 && st == CK_OK)
        st = ck_error_set(&b->err, CK_ENOMEM, "out of memory");
    return st;
}

static void block_reset(block *b, const plan *p)
{
    tally *t = &b->t;
    b->in.len = 0;
    b->st = CK_OK;
    ck_error_clear(&b->err);
    t->rows = t->adjusted = t->bad_mrr = t->bad_cost = t->health_text = 0;
    memset(t->positives, 0, p->nm * sizeof *t->positives);
    memset(t->sum, 0, p->nm * sizeof *t->sum);
    memset(t->life, 0, 3 * p->nm * sizeof *t->life);
    memset(t->seg_life, 0, sizeof t->seg_life);
    memset(t->unseen, 0, p->nbins * sizeof *t->unseen);
    memset(t->bins, 0, p->nbins * sizeof *t->bins);
    memset(t->seg, 0, sizeof t->seg);
    memset(t->seg_growth, 0, sizeof t->seg_growth);
    memset(t->value, 0, sizeof t->value);
}

/* ------------------------------------------------------------------ */
/* the whole run */

typedef struct run {
    plan p;
    char **names;              /* the input's header */
    size_t ncols;
    ck_blocks in;
    size_t nworkers, nblocks;  /* nblocks: a round's; two rounds' are held */
    worker *workers;
    block *blocks;             /* 2 * nblocks: this round's, the other's */
    tally total;
    ck_ofile *of;
    const char *out_path;      /* the scores' path, for messages (borrowed) */
    int own_fp;
} run;

/* One round: chunk 0 is the I/O of the other set of blocks -- the scores of
 * the round before written in order and tallied, then the next round's rows
 * read into the same blocks -- while chunks 1.. score this round's blocks,
 * so that the reading and writing overlap the scoring instead of stopping
 * it.  The output is the same whichever thread runs which chunk. */
typedef struct score_round {
    run *r;
    FILE *out;
    block *cur, *other;
    size_t ncur, nother;       /* nother: written, then the blocks read */
    int overlap;               /* chunk 0 does the I/O (else it is done
                                  after the round, on cur) */
    ck_status write_st, read_st;
    ck_error write_err, read_err;
} score_round;

static ck_status write_blocks(run *r, FILE *out, block *set, size_t n, ck_error *err)
{
    for (size_t k = 0; k < n; k++) {
        size_t len;
        const char *text = ck_csv_writer_text(set[k].out, &len);
        if (len && fwrite(text, 1, len, out) != len)
            return ck_error_set(err, CK_EIO, "%s: write error: %s", r->out_path,
                                strerror(errno));
        tally_add(&r->total, &set[k].t, &r->p);
        block_reset(&set[k], &r->p);
    }
    return CK_OK;
}

static ck_status read_blocks(run *r, block *set, size_t *n, ck_error *err)
{
    for (*n = 0; *n < r->nblocks; ++*n) {
        int rc = ck_blocks_next(&r->in, &set[*n].in, err);
        if (rc < 0)
            return err->status;
        if (rc == 0)
            break;
    }
    return CK_OK;
}

/* The blocks of set (n of them) written, then the next rows read into it. */
static void round_io(score_round *rd, block *set, size_t *n)
{
    rd->write_st = write_blocks(rd->r, rd->out, set, *n, &rd->write_err);
    *n = 0;
    if (rd->write_st == CK_OK)
        rd->read_st = read_blocks(rd->r, set, n, &rd->read_err);
}

static void round_chunk(void *arg, size_t k, size_t worker_id)
{
    score_round *rd = arg;
    if (k == 0) {
        if (rd->overlap)
            round_io(rd, rd->other, &rd->nother);
        return;
    }
    block *b = &rd->cur[k - 1];
    b->st = score_block(&rd->r->p, b, &rd->r->workers[worker_id]);
}

/* The first error in the order of the input: the rows written before this
 * round, this round's blocks, the rows after them. */
static ck_status round_error(const score_round *rd, ck_error *err)
{
    if (rd->write_st != CK_OK) {
        *err = rd->write_err;
        return rd->write_st;
    }
    for (size_t k = 0; k < rd->ncur; k++)
        if (rd->cur[k].st != CK_OK) {
            *err = rd->cur[k].err;
            return rd->cur[k].st;
        }
    if (rd->read_st != CK_OK)
        *err = rd->read_err;
    return rd->read_st;
}

/* Overlapped rounds write a round's scores during the next round, after
 * its rows are read: from a pipe, whose next rows may be long in coming
 * (a feed, a FIFO), each round's scores are written before reading on, so
 * that the output keeps up with the input. */
static int regular_file(FILE *fp)
{
    struct stat sb;
    return fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode);
}

static ck_status rounds(run *r, FILE *out, ck_error *err)
{
    score_round rd = {.r = r, .out = out, .cur = r->blocks, .other = r->blocks + r->nblocks,
                      .overlap = regular_file(r->in.fp)};
    ck_status st = read_blocks(r, rd.cur, &rd.ncur, err);
    while (st == CK_OK && (rd.ncur > 0 || rd.nother > 0)) {
        rd.write_st = rd.read_st = CK_OK;
        ck_parallel_take(rd.ncur + 1, r->nworkers, round_chunk, &rd);
        if (!rd.overlap) { /* this round's scores written, the next rows read */
            if ((st = round_error(&rd, err)) != CK_OK)
                break;
            round_io(&rd, rd.cur, &rd.ncur);
            st = round_error(&rd, err);
            continue;
        }
        if ((st = round_error(&rd, err)) != CK_OK)
            break;
        /* the blocks just scored are written next round; the blocks just
         * read are scored */
        block *t = rd.cur;
        size_t n = rd.ncur;
        rd.cur = rd.other;
        rd.ncur = rd.nother;
        rd.other = t;
        rd.nother = n;
    }
    return st;
}

static ck_status run_setup(run *r, ck_model *const *models, size_t n, const char *source,
                           const ck_score_options *opt, ck_error *err)
{
    ck_status st = ck_blocks_header(&r->in, &opt->csv, &r->names, &r->ncols, err);
    if (st != CK_OK)
        return st;
    if ((st = plan_init(&r->p, models, n, source, (const char *const *)r->names, r->ncols, opt,
                        err)) != CK_OK)
        return st;
    r->nworkers = ck_parallel_workers(64, opt->threads);
    /* Eight blocks a worker a round (of CK_BLOCK_BYTES): a round ends when
     * its last block is scored, and with two a worker one thread would
     * wait for the other for about a seventh of the run (a 200-tree model
     * on two threads: busy 86% of the rounds' thread time, 97% with
     * eight of a quarter MiB; the same 4 MiB a round as before). */
    r->nblocks = 8 * r->nworkers;
    r->workers = calloc(r->nworkers, sizeof *r->workers);
    r->blocks = calloc(2 * r->nblocks, sizeof *r->blocks);
    if (!r->workers || !r->blocks || tally_init(&r->total, &r->p) != 0)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    for (size_t k = 0; k < r->nworkers; k++)
        if (scratch_init(&r->workers[k], &r->p) != 0)
            return ck_error_set(err, CK_ENOMEM, "out of memory");
    for (size_t k = 0; k < 2 * r->nblocks; k++)
        if (tally_init(&r->blocks[k].t, &r->p) != 0 ||
            !(r->blocks[k].out = ck_csv_writer_new_mem(opt->csv.delim ? opt->csv.delim : ',')))
            return ck_error_set(err, CK_ENOMEM, "out of memory");
    return CK_OK;
}

static void run_free(run *r)
{
    for (size_t k = 0; r->workers && k < r->nworkers; k++)
        scratch_free(&r->workers[k], &r->p);
    for (size_t k = 0; r->blocks && k < 2 * r->nblocks; k++) {
        free(r->blocks[k].in.text);
        ck_csv_writer_free(r->blocks[k].out);
        tally_free(&r->blocks[k].t);
    }
    free(r->workers);
    free(r->blocks);
    tally_free(&r->total);
    plan_fini(&r->p);
    if (r->names)
        for (size_t j = 0; j < r->ncols; j++)
            free(r->names[j]);
    free(r->names);
    ck_blocks_fini(&r->in);
    if (r->own_fp && r->in.fp)
        fclose(r->in.fp);
}

/* ------------------------------------------------------------------ */
/* what the run found */

static ck_status drift_table(run *r, ck_score_summary *s, ck_error *err)
{
    size_t nf = 0;
    for (size_t i = 0; i < r->p.nm; i++)
        nf += r->p.pm[i].m->pl->nfeat;
    s->drift = calloc(nf ? nf : 1, sizeof *s->drift);
    if (!s->drift)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    for (size_t i = 0; i < r->p.nm; i++) {
        const plan_model *pm = &r->p.pm[i];
        for (size_t k = 0; k < pm->m->pl->nfeat; k++)
            s->drift[s->ndrift++] = (ck_score_drift){
                pm->m->name, pm->m->pl->feat[k].name,
                ck_drift_psi(&pm->bins[k], r->total.bins + pm->slot[k]), pm->bins[k].nbins, 0};
    }
    return CK_OK;
}

/* Writes the drift report into *out, left for the caller to commit with the
 * scores (both or neither). */
static ck_status write_drift(const ck_score_summary *s, const char *path, ck_ofile **out,
                             ck_error *err)
{
    ck_ofile *f;
    ck_status st = ck_ofile_open(&f, path, err);
    if (st != CK_OK)
        return st;
    ck_csv_writer *w = ck_csv_writer_new(ck_ofile_stream(f), ',');
    if (!w) {
        ck_ofile_abort(f);
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    }
    ck_csv_write_cstr(w, "model");
    ck_csv_write_cstr(w, "feature");
    ck_csv_write_cstr(w, "psi");
    ck_csv_end_row(w);
    for (size_t k = 0; k < s->ndrift; k++) {
        ck_csv_write_cstr(w, s->drift[k].model);
        ck_csv_write_cstr(w, s->drift[k].feature);
        ck_csv_write_fixed(w, s->drift[k].psi, 6);
        ck_csv_end_row(w);
    }
    int bad = ck_csv_writer_flush(w);
    ck_csv_writer_free(w);
    if (bad) {
        ck_ofile_abort(f);
        return ck_error_set(err, CK_EIO, "%s: write error: %s", path, strerror(errno));
    }
    *out = f;
    return CK_OK;
}

static double mean_of(double sum, double n)
{
    return n > 0 ? sum / n : NAN;
}

static void report_segments(const run *r, ck_score_summary *s)
{
    const plan *p = &r->p;
    s->segmented = 1;
    s->risk_model = p->pm[p->risk].m->name;
    s->growth_model = p->pm[p->growth].m->name;
    s->growth_classifier = p->pm[p->growth].m->task == CK_TASK_CLASSIFICATION;
    s->growth_threshold = p->growth_threshold;
    s->risk_horizon = p->risk_h;
    s->risk_threshold = p->risk_threshold;
    s->seg_value = p->pm[p->risk].survival && p->mrr_col >= 0;
    for (int g = 0; g < CK_SEGMENTS; g++) {
        const double *sl = r->total.seg_life[g];
        s->seg_count[g] = r->total.seg[g];
        s->seg_mean_growth[g] = mean_of(r->total.seg_growth[g], (double)s->seg_count[g]);
        s->seg_at_risk[g] = sl[0];
        s->seg_mean_clv[g] = mean_of(sl[1], sl[2]);
        s->seg_mean_roi[g] = mean_of(sl[3], sl[4]);
    }
}

/* A survival model's curve is flat past the last time it was fitted on:
 * a horizon, the CLV's months or the segments' horizon beyond it is an
 * extrapolation the user must hear of. */
static void warn_extrapolation(const plan *p, const plan_model *pm, ck_warnings *w)
{
    double last = pm->life.c->last_time, far = pm->life.tmax;
    const char *what = "its churn by";
    if (p->mrr_col >= 0 && (double)pm->life.nm > far) {
        far = (double)pm->life.nm;
        what = "its CLV over";
    }
    if (p->risk >= 0 && &p->pm[p->risk] == pm && p->risk_h > far) {
        far = p->risk_h;
        what = "the segments' risk at";
    }
    if (far > last)
        ck_warn(w, "model '%s' was fitted on times up to %g months: %s %g months holds its "
                   "curve flat after %g (an extrapolation that understates churn)",
                pm->m->name, last, what, far, last);
}

/* A tree model (raw inputs) sends a missing value down each split's
 * default branch, which xgboost learned from the training rows' missing
 * values -- and for a column never missing in training, never learned: it
 * is xgboost's default, whatever it does to the score (a blank text level
 * can score as the rarest one).  The user must hear of such rows; a
 * linear model imputes them as in training. */
static void warn_untrained_missing(const plan_model *pm, const tally *t, ck_warnings *w)
{
    const ck_pipeline *pl = pm->m->pl;
    for (size_t k = 0; pl->raw && k < pl->nfeat; k++) {
        const ck_feature *f = &pl->feat[k];
        const ck_drift_bins *b = &pm->bins[k];
        size_t miss = f->kind == CK_FEAT_NUMERIC ? ck_drift_bin_numeric(b, NAN)
                                                 : ck_drift_bin_level(b, -1);
        unsigned long n = t->bins[pm->slot[k] + miss];
        if (n && f->missing_share == 0)
            ck_warn(w, "model '%s': %lu rows have no value of '%s', never missing in "
                       "training: the trees send them down xgboost's default branches, which "
                       "no training row chose", pm->m->name, n, f->name);
    }
}

unsigned long ck_score_drift_rows(const ck_score_drift *d, double t)
{
    /* n rows drawn from the training shares give PSI ~ chi^2 / n on bins - 1
     * degrees of freedom (PSI is the symmetric Kullback-Leibler divergence,
     * ~ sum (a - e)^2 / e to second order), which averages (bins - 1) / n.
     * At 4 (bins - 1) / t rows that is a quarter of t, and a PSI above t (a
     * chi^2 of 4 (bins - 1)) has odds of about 1 in 10^5 for 11 bins: on
     * fewer rows, drift warnings would be noise (3 rows: PSI ~ 3). */
    return (unsigned long)ceil(4.0 * (double)(d->bins > 1 ? d->bins - 1 : 1) / t);
}

/* Which inputs' drift can be judged on the rows scored, and the warnings. */
static void drift_warnings(const plan *p, ck_score_summary *s, ck_warnings *w)
{
    double t = p->opt->drift_threshold;
    for (size_t k = 0; k < s->ndrift; k++) {
        ck_score_drift *d = &s->drift[k];
        unsigned long need = ck_score_drift_rows(d, t);
        d->judged = s->rows >= need;
        if (!d->judged && need > s->drift_rows)
            s->drift_rows = need;
        if (d->judged && d->psi > t)
            ck_warn(w, "model '%s': feature '%s' has drifted from training (PSI %.3f > %.2g)",
                    d->model, d->feature, d->psi, t);
    }
    size_t unjudged = 0;
    for (size_t k = 0; k < s->ndrift; k++)
        unjudged += !s->drift[k].judged;
    if (s->drift_rows && s->rows) /* no rows: nothing to judge, nothing to say */
        ck_warn(w, "drift not judged for %zu of %zu model input%s: %lu rows are too few for "
                   "PSI over their bins (a sample without drift gives about (bins - 1) / rows; "
                   "%lu rows are needed for a threshold of %.2g)",
                unjudged, s->ndrift, s->ndrift == 1 ? "" : "s", s->rows, s->drift_rows, t);
}

static void report(run *r, ck_score_summary *s, ck_warnings *w)
{
    if (r->p.id_missing)
        ck_warn(w, "the input has no column '%s', model '%s''s id column: the scores carry no id",
                r->p.pm[0].m->id, r->p.pm[0].m->name);
    const plan *p = &r->p;
    s->rows = r->total.rows;
    s->nmodels = p->nm;
    s->horizon_adjusted = r->total.adjusted;
    s->positives = calloc(p->nm, sizeof *s->positives);
    s->mean = calloc(p->nm, sizeof *s->mean);
    s->at_risk = calloc(p->nm, sizeof *s->at_risk);
    s->clv = calloc(p->nm, sizeof *s->clv);
    for (size_t i = 0; i < p->nm && s->positives && s->mean && s->at_risk && s->clv; i++) {
        const double *life = r->total.life + 3 * i;
        s->positives[i] = r->total.positives[i];
        s->mean[i] = s->rows ? r->total.sum[i] / (double)s->rows : NAN;
        s->at_risk[i] = p->mrr_col >= 0 ? life[0] : NAN;
        s->clv[i] = life[2] > 0 ? life[1] / life[2] : NAN;
    }
    if (p->risk >= 0)
        report_segments(r, s);
    s->valued = p->valued;
    for (int g = 0; g < CK_VALUE_GROUPS; g++)
        s->value_count[g] = r->total.value[g];
    s->value_none = r->total.value[CK_VALUE_GROUPS];
    if (p->value_partial >= 0)
        ck_warn(w, "the input has no column '%s': no value groups (they need nps_avg, "
                   "active_day_share, core_clicks_per_user and feature_breadth)",
                ck_value_column((int)p->value_partial));
    for (size_t i = 0; i < p->nm; i++) {
        const plan_model *pm = &p->pm[i];
        if (pm->survival)
            warn_extrapolation(p, pm, w);
        warn_untrained_missing(pm, &r->total, w);
        for (size_t k = 0; k < pm->m->pl->nfeat; k++)
            if (r->total.unseen[pm->slot[k]])
                ck_warn(w, "model '%s': %lu rows have a value of '%s' not seen in training "
                           "(scored as no level)", pm->m->name, r->total.unseen[pm->slot[k]],
                        pm->m->pl->feat[k].name);
        if (p->opt->reasons > pm->m->pl->nfeat && ck_model_explains(pm->m))
            ck_warn(w, "model '%s' has %zu features: it gives %zu reasons, not %zu",
                    pm->m->name, pm->m->pl->nfeat, pm->m->pl->nfeat, p->opt->reasons);
        if (p->opt->reasons && !ck_model_explains(pm->m))
            ck_warn(w, "model '%s' (%s) gives no reasons: it has no reason columns",
                    pm->m->name, pm->m->type->name);
    }
    if (r->total.bad_mrr)
        ck_warn(w, "%lu rows have a negative MRR in '%s': their revenue at risk and CLV are "
                   "negative", r->total.bad_mrr, p->opt->mrr);
    if (r->total.health_text)
        ck_warn(w, "%lu rows have text in 'health_score', not a number: their health_band is "
                   "empty", r->total.health_text);
    if (r->total.bad_cost)
        ck_warn(w, "%lu rows have an acquisition cost in '%s' that is missing or not above 0: "
                   "their ROI is empty", r->total.bad_cost, p->opt->cost);
    drift_warnings(p, s, w);
}

ck_status ck_score(ck_model *const *models, size_t n, const char *in, const char *out,
                   const ck_score_options *opt, ck_score_summary *summary, ck_warnings *w,
                   ck_error *err)
{
    ck_score_options defaults;
    ck_score_summary local = {0};
    run r;
    memset(&r, 0, sizeof r);
    r.out_path = strcmp(out, "-") == 0 ? "standard output" : out;
    if (!opt) {
        ck_score_options_init(&defaults);
        opt = &defaults;
    }
    if (!summary)
        summary = &local;
    memset(summary, 0, sizeof *summary);
    const char *source = strcmp(in, "-") == 0 ? "(stdin)" : in;
    ck_status st = check_models(models, n, err);
    if (st != CK_OK)
        return st;
    ck_blocks_init(&r.in, strcmp(in, "-") == 0 ? stdin : fopen(in, "rb"), source);
    r.own_fp = r.in.fp != stdin;
    if (opt->csv.max_field)
        r.in.max_field = opt->csv.max_field;
    if (!r.in.fp)
        return ck_error_set(err, CK_EIO, "%s: cannot open: %s", in, strerror(errno));
    if ((st = run_setup(&r, models, n, source, opt, err)) != CK_OK ||
        (st = ck_ofile_open(&r.of, out, err)) != CK_OK)
        goto done;
    ck_csv_writer *hw = ck_csv_writer_new(ck_ofile_stream(r.of), opt->csv.delim ? opt->csv.delim : ',');
    if (!hw) {
        st = ck_error_set(err, CK_ENOMEM, "out of memory");
        goto done;
    }
    if (!opt->no_header_out)
        write_header(&r.p, hw);
    int bad = ck_csv_writer_flush(hw);
    ck_csv_writer_free(hw);
    if (bad) {
        st = ck_error_set(err, CK_EIO, "%s: write error: %s", out, strerror(errno));
        goto done;
    }
    if ((st = rounds(&r, ck_ofile_stream(r.of), err)) != CK_OK)
        goto done;
    /* the scores' write errors before the drift report is made; the two
     * files replace theirs together, or neither does */
    ck_ofile *outs[2] = {r.of, NULL};
    r.of = NULL;
    if ((st = ck_ofile_finish(outs[0], err)) == CK_OK)
        st = drift_table(&r, summary, err);
    if (st == CK_OK) {
        report(&r, summary, w);
        if (opt->drift_report)
            st = write_drift(summary, opt->drift_report, &outs[1], err);
    }
    if (st == CK_OK)
        st = ck_ofile_commit_all(outs, 2, err);
    ck_ofile_abort(outs[0]);
    ck_ofile_abort(outs[1]);
done:
    ck_ofile_abort(r.of);
    run_free(&r);
    if (summary == &local)
        ck_score_summary_fini(&local);
    return st;
}
