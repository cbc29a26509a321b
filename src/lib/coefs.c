/* coefs.c -- the shared part of the linear-predictor estimators (see
 * coefs.h). */
#include "churnkit/coefs.h"
#include "churnkit/model.h"
#include "churnkit/report.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

double ck_linear_predictor(const double *beta, const double *x, size_t width)
{
    double eta = beta[0];
    for (size_t j = 0; j < width; j++)
        eta += beta[j + 1] * x[j];
    return eta;
}

double ck_linear_predictor_sparse(const double *beta, const size_t *idx, const double *val,
                                  size_t n)
{
    double eta = beta[0];
    for (size_t k = 0; k < n; k++)
        eta += beta[idx[k] + 1] * val[k];
    return eta;
}

void ck_coefs_contributions(const ck_coefs *c, const ck_pipeline *pl, const double *x,
                            double *out)
{
    const double *b = c->beta + (c->no_intercept ? 0 : 1);
    for (size_t j = 0; j < pl->width; j++)
        out[j] = b[j] * (x[j] - pl->center[j]);
}

static const char *term_name(const ck_coefs *c, const ck_pipeline *pl, size_t j)
{
    if (c->no_intercept)
        return pl->encoded[j];
    return j ? pl->encoded[j - 1] : "(intercept)";
}

/* The model file's keys of exp(coef) and its interval. */
static const char *const ratio_keys[][3] = {
    {NULL, NULL, NULL},
    {"odds_ratio", "or_ci_low", "or_ci_high"},
    {"hazard_ratio", "hr_ci_low", "hr_ci_high"},
};

/* A raw-scale row as the model file keeps it (per_unit, per_sd). */
static json_t *scaled_json(const ck_coefs *c, const ck_coef_row *r)
{
    json_t *o = json_object();
    int bad = !o;
    bad |= ck_json_set_number(o, "coef", r->coef);
    bad |= ck_json_set_number(o, "se", r->se);
    bad |= ck_json_set_number(o, "p", r->p_value);
    bad |= ck_json_set_number(o, "ci_low", r->lo);
    bad |= ck_json_set_number(o, "ci_high", r->hi);
    if (c->ratio) {
        bad |= ck_json_set_number(o, ratio_keys[c->ratio][0], exp(r->coef));
        bad |= ck_json_set_number(o, ratio_keys[c->ratio][1], exp(r->lo));
        bad |= ck_json_set_number(o, ratio_keys[c->ratio][2], exp(r->hi));
    }
    return ck_json_done(o, bad);
}

static int is_aliased(const ck_coefs *c, size_t j)
{
    return c->aliased && c->aliased[j];
}

static int is_intercept(const ck_coefs *c, size_t j)
{
    return !c->no_intercept && j == 0;
}

static double optional(const json_t *t, const char *key);

static const char *const test_methods[] = {NULL, "lr", "f", "wald"};

/* The model file's "tests": the method and one object a feature. */
static json_t *tests_json(const ck_coefs *c, const ck_pipeline *pl)
{
    json_t *o = json_object(), *a = json_array();
    int bad = !o || !a;
    for (size_t k = 0; k < pl->nfeat; k++) {
        const ck_term_test *t = &c->tests[k];
        json_t *r = json_object();
        bad |= ck_json_put(r, "term", json_string(pl->feat[k].name));
        bad |= ck_json_set_number(r, "df", t->df);
        if (c->test_kind == CK_TEST_LR) {
            bad |= ck_json_set_number(r, "deviance", t->deviance);
            bad |= ck_json_set_number(r, "aic", t->aic);
            bad |= ck_json_set_number(r, "lr_stat", t->stat);
        } else if (c->test_kind == CK_TEST_F) {
            bad |= ck_json_set_number(r, "sum_sq", t->sumsq);
            bad |= ck_json_set_number(r, "rss", t->rss);
            bad |= ck_json_set_number(r, "f", t->stat);
        } else {
            bad |= ck_json_set_number(r, "chi2", t->stat);
            if (!isnan(t->rank_df))
                bad |= ck_json_set_number(r, "rank_df", t->rank_df);
        }
        if (!isnan(t->edf)) /* penalized fits only */
            bad |= ck_json_set_number(r, "edf", t->edf);
        bad |= ck_json_set_number(r, "p", t->p);
        bad |= ck_json_push(a, r);
    }
    bad |= ck_json_put(o, "method", json_string(test_methods[c->test_kind]));
    bad |= ck_json_put(o, "terms", a);
    return ck_json_done(o, bad);
}

/* Reads "tests" back (optional: a record for the report). */
static ck_status read_tests(ck_coefs *c, const json_t *o, const ck_pipeline *pl,
                            ck_json_reader *rd)
{
    const json_t *t = json_object_get(o, "tests");
    if (!t)
        return CK_OK;
    const json_t *m = json_object_get(t, "method"), *a = json_object_get(t, "terms");
    int kind = 0;
    for (int k = 1; k <= CK_TEST_WALD && json_is_string(m); k++)
        if (strcmp(json_string_value(m), test_methods[k]) == 0)
            kind = k;
    if (!kind || !json_is_array(a) || json_array_size(a) != pl->nfeat)
        return ck_json_bad(rd, "coefficients.tests", "must have a method (lr, f, wald) and one "
                                                     "term a feature");
    if (!(c->tests = calloc(pl->nfeat ? pl->nfeat : 1, sizeof *c->tests)))
        return ck_error_set(rd->err, CK_ENOMEM, "out of memory");
    c->test_kind = (ck_test_kind)kind;
    for (size_t k = 0; k < pl->nfeat; k++) {
        const json_t *r = json_array_get(a, k), *name = json_object_get(r, "term");
        if (!json_is_string(name) || strcmp(json_string_value(name), pl->feat[k].name) != 0)
            return ck_json_bad(rd, "coefficients.tests.terms", "must name the features in order");
        ck_term_test *x = &c->tests[k];
        x->df = optional(r, "df");
        x->p = optional(r, "p");
        x->deviance = optional(r, "deviance");
        x->aic = optional(r, "aic");
        x->sumsq = optional(r, "sum_sq");
        x->rss = optional(r, "rss");
        x->stat = optional(r, kind == CK_TEST_LR ? "lr_stat" : kind == CK_TEST_F ? "f" : "chi2");
        x->rank_df = optional(r, "rank_df");
        x->edf = optional(r, "edf");
    }
    return CK_OK;
}

/* Reads "spline_covariance" back (optional: the curves' bands only): one
 * w x w block a spline feature, by name. */
static ck_status read_spline_cov(ck_coefs *c, const json_t *o, const ck_pipeline *pl,
                                 ck_json_reader *rd)
{
    const json_t *sc = json_object_get(o, "spline_covariance");
    if (!sc)
        return CK_OK;
    if (!json_is_object(sc))
        return ck_json_bad(rd, "coefficients.spline_covariance", "must be an object");
    if (!(c->spline_cov = calloc(pl->nfeat ? pl->nfeat : 1, sizeof *c->spline_cov)))
        return ck_error_set(rd->err, CK_ENOMEM, "out of memory");
    c->nfeat = pl->nfeat;
    for (size_t k = 0; k < pl->nfeat; k++) {
        const ck_feature *f = &pl->feat[k];
        char field[300];
        if (!f->spline || !json_object_get(sc, f->name))
            continue;
        size_t w = ck_spline_width(f->spline);
        snprintf(field, sizeof field, "coefficients.spline_covariance.%s", f->name);
        if (!(c->spline_cov[k] = malloc(w * w * sizeof **c->spline_cov)))
            return ck_error_set(rd->err, CK_ENOMEM, "out of memory");
        ck_status st = ck_json_get_numbers(rd, sc, f->name, field, w * w, c->spline_cov[k]);
        if (st != CK_OK)
            return st;
    }
    return CK_OK;
}

json_t *ck_coefs_json(const ck_coefs *c, const ck_pipeline *pl)
{
    json_t *terms = json_array(), *o = json_object();
    int bad = !terms || !o;
    for (size_t j = 0; j < c->p; j++) {
        json_t *t = json_object();
        bad |= ck_json_put(t, "term", json_string(term_name(c, pl, j)));
        bad |= ck_json_put(t, "coef", ck_json_number(c->beta[j]));
        if (c->row) {
            const ck_coef_row *r = &c->row[j];
            bad |= ck_json_set_number(t, "se", r->se);
            bad |= ck_json_set_number(t, c->t_stats ? "t" : "z", r->stat);
            bad |= ck_json_set_number(t, "p", r->p_value);
            bad |= ck_json_set_number(t, "ci_low", r->lo);
            bad |= ck_json_set_number(t, "ci_high", r->hi);
            if (c->ratio) {
                bad |= ck_json_set_number(t, ratio_keys[c->ratio][0], exp(r->coef));
                bad |= ck_json_set_number(t, ratio_keys[c->ratio][1], exp(r->lo));
                bad |= ck_json_set_number(t, ratio_keys[c->ratio][2], exp(r->hi));
            }
        }
        if (is_aliased(c, j)) /* coef 0 scores as leaving the column out */
            bad |= ck_json_put(t, "aliased", json_true());
        else if (c->unit) {
            bad |= ck_json_put(t, "per_unit", scaled_json(c, &c->unit[j]));
            if (!is_intercept(c, j))
                bad |= ck_json_put(t, "per_sd", scaled_json(c, &c->sd[j]));
        }
        bad |= ck_json_push(terms, t);
    }
    bad |= ck_json_put(o, "statistic", json_string(c->t_stats ? "t" : "z"));
    bad |= ck_json_put(o, "approximate", json_boolean(c->approximate));
    if (c->robust) /* absent: the model's covariance, as in every older file */
        bad |= ck_json_put(o, "covariance", json_string("hc1"));
    bad |= ck_json_put(o, "terms", terms);
    if (c->tests)
        bad |= ck_json_put(o, "tests", tests_json(c, pl));
    if (c->spline_cov) { /* absent without splines */
        json_t *sc = json_object();
        bad |= !sc;
        for (size_t k = 0; sc && k < pl->nfeat; k++)
            if (c->spline_cov[k]) {
                size_t w = ck_spline_width(pl->feat[k].spline);
                bad |= ck_json_put(sc, pl->feat[k].name, ck_json_numbers(c->spline_cov[k],
                                                                         w * w));
            }
        bad |= ck_json_put(o, "spline_covariance", sc);
    }
    return ck_json_done(o, bad);
}

/* An inference field of a term: optional, NaN when absent. */
static double optional(const json_t *t, const char *key)
{
    return ck_json_optional_number(t, key);
}

static ck_status read_term(ck_coefs *c, const json_t *t, size_t j, const ck_pipeline *pl,
                           ck_json_reader *rd)
{
    const json_t *name = json_object_get(t, "term");
    const char *want = term_name(c, pl, j);
    char field[64];
    snprintf(field, sizeof field, "coefficients.terms[%zu].coef", j);
    if (!json_is_string(name) || strcmp(json_string_value(name), want) != 0)
        return ck_error_set(rd->err, CK_EMODEL, "%s: coefficient %zu is for '%s' but the "
                                                "features put '%s' there", rd->source, j,
                            json_is_string(name) ? json_string_value(name) : "?", want);
    ck_status st = ck_json_get_number(rd, t, "coef", field, 0, &c->beta[j]);
    if (st != CK_OK)
        return st;
    if (!isfinite(c->beta[j]))
        return ck_json_bad(rd, field, "must be a finite number");
    const json_t *al = json_object_get(t, "aliased");
    if (al && !json_is_boolean(al))
        return ck_json_bad(rd, "coefficients.terms[].aliased", "must be true or false");
    if (json_is_true(al)) {
        if (!c->aliased && !(c->aliased = calloc(c->p, 1)))
            return ck_error_set(rd->err, CK_ENOMEM, "out of memory");
        if (c->beta[j] != 0)
            return ck_json_bad(rd, field, "must be 0 for an aliased column");
        c->aliased[j] = 1;
    }
    ck_coef_row *r = &c->row[j];
    r->coef = c->beta[j];
    r->se = optional(t, "se");
    r->stat = optional(t, c->t_stats ? "t" : "z");
    r->p_value = optional(t, "p");
    r->lo = optional(t, "ci_low");
    r->hi = optional(t, "ci_high");
    return CK_OK;
}

ck_status ck_coefs_read(ck_coefs *c, const json_t *root, const ck_pipeline *pl,
                        ck_json_reader *rd)
{
    json_t *o, *terms, *stat;
    ck_status st;
    if (ck_json_get_object(rd, root, "coefficients", "coefficients", &o) != CK_OK ||
        ck_json_get(rd, o, "terms", "coefficients.terms", &terms) != CK_OK ||
        ck_json_get(rd, o, "statistic", "coefficients.statistic", &stat) != CK_OK)
        return CK_EMODEL;
    c->p = pl->width + (c->no_intercept ? 0 : 1);
    if (!json_is_array(terms) || json_array_size(terms) != c->p)
        return ck_error_set(rd->err, CK_EMODEL, "%s: %zu coefficients for %zu encoded columns "
                                                "(expected %zu%s)", rd->source,
                            json_is_array(terms) ? json_array_size(terms) : 0, pl->width, c->p,
                            c->no_intercept ? "" : " with the intercept");
    if (!json_is_string(stat) || (strcmp(json_string_value(stat), "t") != 0 &&
                                  strcmp(json_string_value(stat), "z") != 0))
        return ck_json_bad(rd, "coefficients.statistic", "must be \"t\" or \"z\"");
    c->t_stats = strcmp(json_string_value(stat), "t") == 0;
    if ((st = ck_json_get_bool(rd, o, "approximate", "coefficients.approximate",
                               &c->approximate)) != CK_OK)
        return st;
    const json_t *cv = json_object_get(o, "covariance");
    if (cv && !(json_is_string(cv) && strcmp(json_string_value(cv), "hc1") == 0))
        return ck_json_bad(rd, "coefficients.covariance", "must be \"hc1\" when present");
    c->robust = cv != NULL;
    c->beta = calloc(c->p, sizeof *c->beta);
    c->row = calloc(c->p, sizeof *c->row);
    if (!c->beta || !c->row)
        return ck_error_set(rd->err, CK_ENOMEM, "out of memory");
    for (size_t j = 0; j < c->p; j++)
        if ((st = read_term(c, json_array_get(terms, j), j, pl, rd)) != CK_OK)
            return st;
    /* a fit without inference (BFGS) wrote bare coefficients: keep it so */
    if (!json_object_get(json_array_get(terms, 0), "se")) {
        free(c->row);
        c->row = NULL;
    }
    for (size_t j = 0; c->row && j < c->p; j++)
        if (is_aliased(c, j))
            c->row[j].coef = NAN;
    if ((st = read_tests(c, o, pl, rd)) != CK_OK ||
        (st = read_spline_cov(c, o, pl, rd)) != CK_OK)
        return st;
    if (ck_coefs_scales(c, pl, NULL) != 0)
        return ck_error_set(rd->err, CK_ENOMEM, "out of memory");
    /* the intercept per unit needs the covariance, which the file does not
     * keep: its interval comes from the file (absent in older ones) */
    const json_t *u = json_object_get(json_array_get(terms, 0), "per_unit");
    if (!c->no_intercept && json_is_object(u)) {
        ck_coef_row *r = &c->unit[0];
        r->se = optional(u, "se");
        r->p_value = optional(u, "p");
        r->lo = optional(u, "ci_low");
        r->hi = optional(u, "ci_high");
        r->stat = r->coef / r->se;
    }
    return CK_OK;
}

/* Terms printed in the readable table: a wide model's table would bury the
 * rest of the report. */
enum { REPORT_TERMS = 100 };

static size_t name_width(const ck_pipeline *pl)
{
    size_t w = 12;
    for (size_t j = 0; j < pl->width; j++)
        w = strlen(pl->encoded[j]) > w ? strlen(pl->encoded[j]) : w;
    return w > 40 ? 40 : w;
}

/* Whether encoded column col is one of a spline's basis columns. */
static int basis_column(const ck_pipeline *pl, size_t col)
{
    for (size_t k = 0; k < pl->nfeat; k++) {
        const ck_feature *f = &pl->feat[k];
        if (f->spline && col >= f->offset && col < f->offset + ck_spline_width(f->spline))
            return 1;
    }
    return 0;
}

void ck_coefs_report(FILE *out, const ck_coefs *c, const ck_pipeline *pl)
{
    size_t w = name_width(pl), off = c->no_intercept ? 0 : 1;
    int splines = 0;
    for (size_t k = 0; k < pl->nfeat; k++)
        splines |= pl->feat[k].spline != NULL;
    /* the basis columns are not centered: every one is 0 at the lower
     * boundary knot (ns(), spline.h), so the intercept holds a spline
     * variable there, not at its mean */
    fprintf(out, "Coefficients on the model's scale: a number per standard deviation, a level "
                 "against its reference level%s%s\n",
            c->no_intercept ? "" : ", the intercept at the numbers' means",
            c->no_intercept || !splines ? ""
                                        : " and a spline variable at its lowest knot (its "
                                          "training minimum, where its columns are 0)");
    if (c->approximate)
        fprintf(out, "The model is penalized or weighted: standard errors, p-values and "
                     "intervals are approximate.\n");
    if (c->robust)
        fprintf(out, "Standard errors HC1: heteroskedasticity-robust (White's sandwich, times "
                     "n / (n - k)).\n");
    fprintf(out, "%-*s %11s %10s %8s %9s %10s %10s%s\n", (int)w, "term", "coef", "std err",
            c->t_stats ? "t" : "z", c->t_stats ? "P>|t|" : "P>|z|", "[0.025", "0.975]",
            c->ratio == CK_RATIO_ODDS ? "  odds ratio"
            : c->ratio == CK_RATIO_HAZARD ? " hazard ratio" : "");
    size_t shown = c->p;
    if (shown > REPORT_TERMS)
        shown = REPORT_TERMS;
    for (size_t j = 0; j < shown; j++) {
        const char *name = term_name(c, pl, j);
        char p[16];
        if (!c->row) {
            fprintf(out, "%-*.*s %11.4g\n", (int)w, (int)w, name, c->beta[j]);
            continue;
        }
        if (is_aliased(c, j)) {
            fprintf(out, "%-*.*s %11s\n", (int)w, (int)w, name, "NA");
            continue;
        }
        const ck_coef_row *r = &c->row[j];
        ck_report_format_p(p, sizeof p, r->p_value);
        fprintf(out, "%-*.*s %11.4g %10.4g %8.3f %9s %10.4g %10.4g", (int)w, (int)w, name,
                r->coef, r->se, r->stat, p, r->lo, r->hi);
        /* a basis column's exp(coef) is no ratio of anything readable:
         * its variable's curve is */
        if (c->ratio && !is_intercept(c, j) && basis_column(pl, j - off))
            fprintf(out, "  %10s", "(spline)");
        else if (c->ratio)
            fprintf(out, "  %10.4g", exp(r->coef));
        fputc('\n', out);
    }
    if (shown < c->p)
        fprintf(out, "... and %zu more terms (all of them are in the model file)\n",
                c->p - shown);
    if (c->aliased)
        fprintf(out, "NA: aliased, a combination of the columns before it (not estimated; "
                     "scored as 0).\n");
}

/* How encoded column col is scaled: a standardized number (its mean and
 * scale), or a 0/1 indicator (the population standard deviation of its
 * training values, sqrt(c (1 - c))). */
typedef struct col_scale {
    int standardized;
    double mean, scale, sd;
} col_scale;

static col_scale scale_of(const ck_pipeline *pl, size_t col)
{
    for (size_t k = 0; k < pl->nfeat; k++) {
        const ck_feature *f = &pl->feat[k];
        if (col < f->offset || col >= f->offset + f->width)
            continue;
        if (f->spline && col < f->offset + ck_spline_width(f->spline))
            return (col_scale){0, 0, 1, NAN}; /* a basis column has no scale of its own */
        if (f->kind == CK_FEAT_NUMERIC && col == f->offset)
            return (col_scale){1, f->mean, f->scale, f->scale};
        break;
    }
    double c = pl->center[col];
    return (col_scale){0, 0, 1, sqrt(c * (1 - c))};
}

/* r with coefficient and interval multiplied by k > 0 (z and p stay). */
static ck_coef_row times(const ck_coef_row *r, double k)
{
    return (ck_coef_row){r->coef * k, r->se * k, r->stat, r->p_value, r->lo * k, r->hi * k};
}

/* The intercept per unit: a' beta with a = (1, -mean_j / scale_j, 0...) over
 * the standardized columns, and with cov its z or t inference. */
static ck_coef_row raw_intercept(const ck_coefs *c, const ck_pipeline *pl, const double *cov)
{
    size_t p = c->p;
    double *a = calloc(p, sizeof *a), coef = 0, var = 0;
    ck_coef_row r = {NAN, NAN, NAN, NAN, NAN, NAN};
    if (!a)
        return r;
    a[0] = 1;
    for (size_t j = 1; j < p; j++) {
        col_scale s = scale_of(pl, j - 1);
        a[j] = s.standardized ? -s.mean / s.scale : 0;
    }
    for (size_t j = 0; j < p; j++)
        coef += a[j] * c->beta[j];
    for (size_t j = 0; cov && j < p; j++)
        for (size_t k = 0; k < p; k++)
            var += a[j] * cov[j * p + k] * a[k];
    free(a);
    if (cov && c->row)
        ck_coef_table(&coef, &var, 1, c->t_stats ? c->df : 0, &r);
    else
        r.coef = coef;
    return r;
}

int ck_coefs_scales(ck_coefs *c, const ck_pipeline *pl, const double *cov)
{
    const ck_coef_row none = {NAN, NAN, NAN, NAN, NAN, NAN};
    size_t off = c->no_intercept ? 0 : 1;
    free(c->unit);
    free(c->sd);
    c->unit = malloc(c->p * sizeof *c->unit);
    c->sd = malloc(c->p * sizeof *c->sd);
    if (!c->unit || !c->sd) {
        free(c->unit);
        free(c->sd);
        c->unit = c->sd = NULL;
        return -1;
    }
    for (size_t j = 0; j < c->p; j++) {
        ck_coef_row base = c->row ? c->row[j] : none;
        base.coef = c->beta[j];
        if (is_aliased(c, j)) {
            c->unit[j] = c->sd[j] = none;
        } else if (is_intercept(c, j)) {
            c->unit[j] = raw_intercept(c, pl, cov);
            c->sd[j] = none;
        } else {
            col_scale s = scale_of(pl, j - off);
            c->unit[j] = s.standardized ? times(&base, 1 / s.scale) : base;
            c->sd[j] = s.standardized ? base : times(&base, s.sd);
        }
    }
    return 0;
}

/* "4.1 [3.2, 5.0]"-style cells: value and interval, exp'd for ratios. */
static void scaled_cells(FILE *out, const ck_coefs *c, const ck_coef_row *r)
{
    double v = r->coef, lo = r->lo, hi = r->hi;
    if (c->ratio) {
        v = exp(v);
        lo = exp(lo);
        hi = exp(hi);
    }
    if (isnan(v)) {
        fprintf(out, " %11s %10s %10s", "", "", "");
        return;
    }
    fprintf(out, " %11.5g", v);
    if (isnan(lo))
        fprintf(out, " %10s %10s", "", "");
    else
        fprintf(out, " %10.5g %10.5g", lo, hi);
}

void ck_coefs_scales_report(FILE *out, const ck_coefs *c, const ck_pipeline *pl)
{
    if (!c->unit)
        return;
    size_t w = name_width(pl), off = c->no_intercept ? 0 : 1;
    const char *what = c->ratio == CK_RATIO_ODDS     ? "odds ratio"
                       : c->ratio == CK_RATIO_HAZARD ? "hazard ratio" : "coef";
    int symlog = 0;
    for (size_t k = 0; k < pl->nfeat; k++)
        symlog |= pl->feat[k].kind == CK_FEAT_NUMERIC && pl->feat[k].symlog;
    int splines = 0;
    for (size_t k = 0; k < pl->nfeat; k++)
        splines |= pl->feat[k].spline != NULL;
    fprintf(out, "\nThe raw scale (%s%s with 95%% intervals): per unit of a number%s, a level "
                 "against its reference level%s%s; and per standard deviation of the column (a "
                 "level's 0/1 indicator too)\n",
            what, c->ratio ? "s, exp(coef)," : "s",
            symlog ? " (of a --log number: of sign(x) log(1 + |x|))" : "",
            c->no_intercept ? "" : ", the intercept at every number 0 and every reference level",
            c->no_intercept || !splines ? "" : " (a spline variable at its lowest knot)");
    fprintf(out, "%-*s %11s %10s %10s %11s %11s %10s %10s\n", (int)w, "term", "per unit",
            "[0.025", "0.975]", "SD", "per SD", "[0.025", "0.975]");
    size_t shown = c->p;
    if (shown > REPORT_TERMS)
        shown = REPORT_TERMS;
    for (size_t j = 0; j < shown; j++) {
        fprintf(out, "%-*.*s", (int)w, (int)w, term_name(c, pl, j));
        if (is_aliased(c, j)) {
            fprintf(out, " %11s\n", "NA");
            continue;
        }
        if (!is_intercept(c, j) && isnan(scale_of(pl, j - off).sd)) {
            /* a spline column has no unit: its variable's curve is the reading */
            fprintf(out, " %11s\n", "(spline: its curve below)");
            continue;
        }
        scaled_cells(out, c, &c->unit[j]);
        if (is_intercept(c, j)) {
            fputc('\n', out);
            continue;
        }
        fprintf(out, " %11.5g", scale_of(pl, j - off).sd);
        scaled_cells(out, c, &c->sd[j]);
        fputc('\n', out);
    }
    if (shown < c->p)
        fprintf(out, "... and %zu more terms (all of them are in the model file)\n",
                c->p - shown);
    int any = 0;
    for (size_t k = 0; k < pl->nfeat; k++) {
        const ck_feature *f = &pl->feat[k];
        if (f->kind != CK_FEAT_CATEGORICAL || !f->has_reference)
            continue;
        fprintf(out, "%s%s=%s", any ? ", " : "Reference levels: ", f->name,
                f->levels[f->reference]);
        any = 1;
    }
    if (any)
        fputc('\n', out);
}

ck_status ck_coefs_terms(const ck_coefs *c, const ck_pipeline *pl, ck_terms *out,
                         ck_error *err)
{
    static const char *const ratio_names[] = {NULL, "odds_ratio", "hazard_ratio"};
    out->kind = "coefficients";
    out->title = "Coefficients";
    out->n = c->p;
    out->scales = c->unit != NULL;
    out->ratio = ratio_names[c->ratio];
    out->approximate = c->approximate;
    out->term = calloc(c->p ? c->p : 1, sizeof *out->term);
    if (!out->term)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    for (size_t j = 0; j < c->p; j++) {
        int al = is_aliased(c, j);
        ck_term *t = &out->term[j];
        *t = (ck_term){term_name(c, pl, j),
                       al ? NAN : c->beta[j],
                       c->row ? c->row[j].lo : NAN,
                       c->row ? c->row[j].hi : NAN,
                       c->row ? c->row[j].p_value : NAN,
                       NAN,
                       is_intercept(c, j),
                       al,
                       {NAN, NAN, NAN},
                       {NAN, NAN, NAN}};
        if (c->unit) {
            t->unit[0] = c->unit[j].coef;
            t->unit[1] = c->unit[j].lo;
            t->unit[2] = c->unit[j].hi;
            t->sd[0] = c->sd[j].coef;
            t->sd[1] = c->sd[j].lo;
            t->sd[2] = c->sd[j].hi;
        }
    }
    return CK_OK;
}

/* Each spline feature's block of the covariance, for its curve's band
 * (out of memory leaves the bands out). */
static void keep_spline_cov(ck_coefs *c, const ck_pipeline *pl, const double *cov)
{
    size_t off = c->no_intercept ? 0 : 1;
    int any = 0;
    for (size_t k = 0; k < pl->nfeat; k++)
        any |= pl->feat[k].spline != NULL;
    if (!any || !(c->spline_cov = calloc(pl->nfeat, sizeof *c->spline_cov)))
        return;
    c->nfeat = pl->nfeat;
    for (size_t k = 0; k < pl->nfeat; k++) {
        const ck_feature *f = &pl->feat[k];
        size_t w = f->spline ? ck_spline_width(f->spline) : 0, o = off + f->offset;
        if (!w || !(c->spline_cov[k] = malloc(w * w * sizeof **c->spline_cov)))
            continue;
        for (size_t a = 0; a < w; a++)
            for (size_t b = 0; b < w; b++)
                c->spline_cov[k][a * w + b] = cov[(o + a) * c->p + o + b];
    }
}

void ck_coefs_adopt(ck_coefs *c, size_t p, double **beta, unsigned char **aliased,
                    const double *cov, double df, int inference, const ck_pipeline *pl)
{
    c->p = p;
    c->beta = *beta;
    *beta = NULL;
    c->aliased = aliased ? *aliased : NULL;
    if (aliased)
        *aliased = NULL;
    c->t_stats = df > 0;
    c->df = df > 0 ? df : 0;
    /* out of memory here leaves the model without its table (as a fit
     * without a covariance has none): scoring needs only the coefficients */
    if (inference && cov && (c->row = malloc(p * sizeof *c->row)))
        ck_coef_table(c->beta, cov, p, df, c->row);
    for (size_t j = 0; c->row && j < p; j++)
        if (is_aliased(c, j))
            c->row[j].coef = NAN; /* R's NA; the rest is NaN already (no variance) */
    if (inference && pl)
        (void)ck_coefs_scales(c, pl, cov);
    if (inference && cov && pl)
        keep_spline_cov(c, pl, cov);
}

int ck_coefs_wald_tests(ck_coefs *c, const ck_pipeline *pl, const double *cov,
                        const double *term_df)
{
    size_t off = c->no_intercept ? 0 : 1;
    size_t *idx = malloc((c->p ? c->p : 1) * sizeof *idx);
    free(c->tests);
    c->tests = calloc(pl->nfeat ? pl->nfeat : 1, sizeof *c->tests);
    if (!idx || !c->tests) {
        free(idx);
        free(c->tests);
        c->tests = NULL;
        return -1;
    }
    c->test_kind = CK_TEST_WALD;
    for (size_t k = 0; k < pl->nfeat; k++) {
        const ck_feature *f = &pl->feat[k];
        size_t n = 0;
        for (size_t j = 0; j < f->width; j++)
            if (!is_aliased(c, f->offset + j + off))
                idx[n++] = f->offset + j + off;
        ck_term_test *t = &c->tests[k];
        *t = (ck_term_test){(double)n, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN};
        if (term_df && term_df[k] < (double)n)
            t->rank_df = term_df[k];
        if (n == 0)
            continue;
        t->stat = ck_wald_stat(c->beta, cov, c->p, idx, n);
        t->p = isnan(t->stat) ? NAN : gsl_cdf_chisq_Q(t->stat, (double)n);
    }
    free(idx);
    return 0;
}

int ck_coefs_term_df(const double *r, size_t ld, size_t p, size_t rank,
                     const ck_pipeline *pl, double **out)
{
    unsigned char *skip = calloc(p, 1), *al = calloc(p, 1);
    double *df = calloc(pl->nfeat ? pl->nfeat : 1, sizeof *df);
    int rc = skip && al && df ? 0 : -1;
    for (size_t k = 0; rc == 0 && k < pl->nfeat; k++) {
        memset(skip, 0, p);
        memset(skip + 1 + pl->feat[k].offset, 1, pl->feat[k].width);
        size_t kept = ck_aliased_columns(r, ld, p, skip, CK_ALIAS_TOL, al);
        if (kept == (size_t)-1)
            rc = -1;
        else
            df[k] = (double)rank - (double)kept;
    }
    free(skip);
    free(al);
    if (rc != 0) {
        free(df);
        return -1;
    }
    *out = df;
    return 0;
}

/* A Wald test that also sets an aliased column's share to 0 (rank_df). */
static int taken_over(const ck_coefs *c, size_t k)
{
    return c->test_kind == CK_TEST_WALD && !isnan(c->tests[k].rank_df);
}

void ck_coefs_tests_report(FILE *out, const ck_coefs *c, const ck_pipeline *pl)
{
    if (!c->tests)
        return;
    size_t w = 12;
    char p[16];
    int edf = 0; /* a penalized fit's effective degrees of freedom: a column */
    for (size_t k = 0; k < pl->nfeat; k++) {
        w = strlen(pl->feat[k].name) > w ? strlen(pl->feat[k].name) : w;
        edf |= !isnan(c->tests[k].edf);
    }
    w = w > 40 ? 40 : w;
    if (c->test_kind == CK_TEST_LR)
        fprintf(out, "\nEach column's test (R's drop1, test = \"Chisq\"): the likelihood ratio "
                     "against the model refitted without it, on the rank it takes\n"
                     "%-*s %4s %12s %12s %11s %9s\n",
                (int)w, "column", "Df", "Deviance", "AIC", "LRT", "Pr(>Chi)");
    else if (c->test_kind == CK_TEST_F)
        fprintf(out, "\nEach column's test (R's drop1, test = \"F\"): the least-squares fit "
                     "without it, on the rank it takes\n"
                     "%-*s %4s %12s %12s %11s %9s\n",
                (int)w, "column", "Df", "Sum of Sq", "RSS", "F value", "Pr(>F)");
    else
        fprintf(out, "\nEach column's test (Wald chi-square: all its coefficients 0%s%s)\n"
                     "%-*s %4s %12s %9s%s\n",
                c->robust ? ", with the HC1 covariance" : "",
                c->approximate ? "; approximate, as the errors are" : "", (int)w, "column", "Df",
                "chi2", "P>chi2", edf ? "    EDF" : "");
    for (size_t k = 0; k < pl->nfeat && k < REPORT_TERMS; k++) {
        const ck_term_test *t = &c->tests[k];
        ck_report_format_p(p, sizeof p, t->p);
        fprintf(out, "%-*.*s %4.0f", (int)w, (int)w, pl->feat[k].name, t->df);
        if (c->test_kind == CK_TEST_LR)
            fprintf(out, " %12.6g %12.6g %11.5g %9s\n", t->deviance, t->aic, t->stat, p);
        else if (c->test_kind == CK_TEST_F)
            fprintf(out, " %12.6g %12.6g %11.5g %9s\n", t->sumsq, t->rss, t->stat, p);
        else if (edf)
            fprintf(out, " %12.5g %9s %6.2f%s\n", t->stat, p, t->edf, taken_over(c, k) ? " *" : "");
        else
            fprintf(out, " %12.5g %9s%s\n", t->stat, p, taken_over(c, k) ? " *" : "");
    }
    for (size_t k = 0; k < pl->nfeat && k < REPORT_TERMS; k++)
        if (taken_over(c, k))
            fprintf(out, "* %s: an aliased column duplicates part of it, so its coefficients 0 "
                         "(the aliased held at 0) also removes that part; left out, it takes "
                         "rank %.0f, which is what --drop1 tests\n",
                    pl->feat[k].name, c->tests[k].rank_df);
}

/* ------------------------------------------------------------------ */
/* spline curves */

/* The effect at t (the feature's scale) of spline feature k and its
 * standard error. */
static void effect_at(const ck_coefs *c, const ck_pipeline *pl, size_t k, double t, double *eta,
                      double *se)
{
    const ck_feature *f = &pl->feat[k];
    const ck_spline *s = f->spline;
    size_t w = ck_spline_width(s), o = (c->no_intercept ? 0 : 1) + f->offset;
    double d[CK_SPLINE_MAX_KNOTS], e = 0, var = 0;
    ck_spline_basis(s, t, d);
    for (size_t j = 0; j < w; j++) {
        d[j] -= s->center[j];
        e += c->beta[o + j] * d[j];
    }
    const double *v = c->spline_cov ? c->spline_cov[k] : NULL;
    for (size_t a = 0; v && a < w; a++)
        for (size_t b = 0; b < w; b++)
            var += d[a] * v[a * w + b] * d[b];
    *eta = e;
    *se = v && var >= 0 ? sqrt(var) : NAN;
}

void ck_coefs_spline_effect(const ck_coefs *c, const ck_pipeline *pl, size_t k, double v,
                            double *eta, double *se)
{
    const ck_feature *f = &pl->feat[k];
    double t = isnan(v) ? f->median : f->symlog ? ck_symlog(v) : v;
    effect_at(c, pl, k, t, eta, se);
}

int ck_coefs_curve(const ck_coefs *c, const ck_pipeline *pl, size_t k, size_t n, double *x,
                   double *eta, double *lo, double *hi)
{
    const ck_feature *f = &pl->feat[k];
    if (k >= pl->nfeat || !f->spline || n < 2)
        return -1;
    const ck_spline *s = f->spline;
    double a = s->knots[0], b = s->knots[s->nknots - 1];
    for (size_t i = 0; i < n; i++) {
        double t = a + (b - a) * (double)i / (double)(n - 1), se;
        /* back from the log scale: sign(t) (exp|t| - 1) */
        x[i] = f->symlog ? copysign(expm1(fabs(t)), t) : t;
        effect_at(c, pl, k, t, &eta[i], &se);
        lo[i] = eta[i] - 1.959963984540054 * se;
        hi[i] = eta[i] + 1.959963984540054 * se;
    }
    return 0;
}

int ck_coefs_nonlinear_test(const ck_coefs *c, const ck_pipeline *pl, size_t k, double *stat,
                            double *df, double *p)
{
    const ck_feature *f = &pl->feat[k];
    *stat = *df = *p = NAN;
    if (!f->spline || !c->spline_cov || !c->spline_cov[k])
        return -1;
    size_t w = ck_spline_width(f->spline), o = (c->no_intercept ? 0 : 1) + f->offset;
    double cm[CK_SPLINE_MAX_KNOTS * CK_SPLINE_MAX_KNOTS], b[CK_SPLINE_MAX_KNOTS];
    double cv[CK_SPLINE_MAX_KNOTS * CK_SPLINE_MAX_KNOTS], wv[CK_SPLINE_MAX_KNOTS * CK_SPLINE_MAX_KNOTS];
    size_t idx[CK_SPLINE_MAX_KNOTS], m = ck_spline_curvature(f->spline, cm);
    const double *v = c->spline_cov[k];
    /* b = C g and W = C V C', then b' W^-1 b */
    for (size_t r = 0; r < m; r++) {
        b[r] = 0;
        idx[r] = r;
        for (size_t j = 0; j < w; j++)
            b[r] += cm[r * w + j] * c->beta[o + j];
        for (size_t j = 0; j < w; j++) {
            cv[r * w + j] = 0;
            for (size_t q = 0; q < w; q++)
                cv[r * w + j] += cm[r * w + q] * v[q * w + j];
        }
    }
    for (size_t r = 0; r < m; r++)
        for (size_t s = 0; s < m; s++) {
            wv[r * m + s] = 0;
            for (size_t j = 0; j < w; j++)
                wv[r * m + s] += cv[r * w + j] * cm[s * w + j];
        }
    *df = (double)m;
    *stat = m ? ck_wald_stat(b, wv, m, idx, m) : NAN;
    if (c->test_kind == CK_TEST_F && c->df > 0) {
        /* beside least squares' F tests (sigma estimated): the Wald F,
         * chi2 / df on (df, residual df), as R's anova.gam gives for a
         * Gaussian model (Wood, Generalized Additive Models, 2nd ed.,
         * 6.12.1); ridge's Wald tests stay chi2, as the tests beside them */
        *stat /= *df;
        *p = isnan(*stat) ? NAN : gsl_cdf_fdist_Q(*stat, *df, c->df);
    } else
        *p = isnan(*stat) ? NAN : gsl_cdf_chisq_Q(*stat, *df);
    return 0;
}

void ck_coefs_splines_report(FILE *out, const ck_coefs *c, const ck_pipeline *pl)
{
    int header = 0;
    for (size_t k = 0; k < pl->nfeat; k++) {
        const ck_feature *f = &pl->feat[k];
        if (!f->spline)
            continue;
        if (!header++)
            fprintf(out, "\nSpline terms: the effect on the %s against the average training "
                         "row (what the reason sums), at the training deciles and maximum, with "
                         "its 95%% interval\n",
                    c->ratio == CK_RATIO_HAZARD ? "log relative hazard"
                    : c->ratio == CK_RATIO_ODDS ? "log-odds" : "prediction");
        fprintf(out, "%s: natural cubic spline, %zu knots (%zu columns%s", f->name,
                f->spline->nknots, ck_spline_width(f->spline),
                f->spline->penalized ? ", curvature penalized" : "");
        if (c->tests && !isnan(c->tests[k].edf))
            fprintf(out, ", EDF %.2f", c->tests[k].edf);
        if (c->tests && c->test_kind == CK_TEST_WALD && !isnan(c->tests[k].stat)) {
            char p[16];
            ck_report_format_p(p, sizeof p, c->tests[k].p);
            fprintf(out, "; Wald chi2(%.0f) = %.2f, p %s", c->tests[k].df, c->tests[k].stat, p);
        } else if (c->tests && c->test_kind == CK_TEST_F && !isnan(c->tests[k].stat)) {
            char p[16];
            ck_report_format_p(p, sizeof p, c->tests[k].p);
            fprintf(out, "; F(%.0f, %.0f) = %.2f, p %s", c->tests[k].df, c->df,
                    c->tests[k].stat, p);
        }
        double nl, nldf, nlp;
        if (ck_coefs_nonlinear_test(c, pl, k, &nl, &nldf, &nlp) == 0 && !isnan(nl)) {
            char p[16];
            ck_report_format_p(p, sizeof p, nlp);
            if (c->test_kind == CK_TEST_F && c->df > 0)
                fprintf(out, "; non-linear: F(%.0f, %.0f) = %.2f, p %s", nldf, c->df, nl, p);
            else
                fprintf(out, "; non-linear: chi2(%.0f) = %.2f, p %s", nldf, nl, p);
        }
        fprintf(out, ")\n  %8s %14s %11s %11s %11s\n", "decile", "value", "effect", "[0.025",
                "0.975]");
        for (int d = 0; d < CK_DECILES; d++) {
            double eta, se, v = f->deciles[d];
            if (isnan(v))
                continue;
            ck_coefs_spline_effect(c, pl, k, v, &eta, &se);
            fprintf(out, "  %7d%% %14.6g %11.4g %11.4g %11.4g\n", 10 * (d + 1), v, eta,
                    eta - 1.959963984540054 * se, eta + 1.959963984540054 * se);
        }
        /* the 90% decile can stop short of where the churners are (a
         * count's top tenth): the upper boundary knot, the training
         * maximum, closes the table */
        double t = f->spline->knots[f->spline->nknots - 1], eta, se;
        effect_at(c, pl, k, t, &eta, &se);
        fprintf(out, "  %8s %14.6g %11.4g %11.4g %11.4g\n", "max",
                f->symlog ? copysign(expm1(fabs(t)), t) : t, eta,
                eta - 1.959963984540054 * se, eta + 1.959963984540054 * se);
    }
}

const ck_coefs *ck_coefs_of(const ck_model *m)
{
    /* the linear predictors' states begin with their ck_coefs, and only
     * they share these functions */
    return m && m->type->terms == ck_coefs_est_terms ? m->state : NULL;
}

static void free_spline_cov(ck_coefs *c)
{
    for (size_t k = 0; c->spline_cov && k < c->nfeat; k++)
        free(c->spline_cov[k]);
    free(c->spline_cov);
    c->spline_cov = NULL;
    c->nfeat = 0;
}

void ck_coefs_fini(ck_coefs *c)
{
    free_spline_cov(c);
    free(c->tests);
    free(c->beta);
    free(c->row);
    free(c->unit);
    free(c->sd);
    free(c->aliased);
    memset(c, 0, sizeof *c);
}

/* ------------------------------------------------------------------ */
/* shared estimator functions (state begins with a ck_coefs) */

void ck_coefs_est_contributions(const void *state, const ck_pipeline *pl, const double *x,
                                double *out, void *scratch)
{
    (void)scratch;
    ck_coefs_contributions(state, pl, x, out);
}

ck_status ck_coefs_est_terms(const void *state, const struct ck_model *m, ck_terms *out,
                             ck_error *err)
{
    return ck_coefs_terms(state, m->pl, out, err);
}

void ck_coefs_est_free(void *state)
{
    if (!state)
        return;
    ck_coefs_fini(state);
    free(state);
}

ck_status ck_coefs_est_load(void **state, size_t size, const ck_pipeline *pl, int no_intercept,
                            const json_t *root, const json_t *fit, size_t facts_offset,
                            const ck_fact *f, size_t nf, ck_json_reader *rd)
{
    ck_coefs *c = calloc(1, size);
    *state = NULL;
    if (!c)
        return ck_error_set(rd->err, CK_ENOMEM, "out of memory");
    c->no_intercept = no_intercept;
    ck_status st = ck_coefs_read(c, root, pl, rd);
    if (st == CK_OK)
        st = ck_json_get_facts(rd, fit, "fit", (char *)(void *)c + facts_offset, f, nf, 0);
    if (st != CK_OK) {
        ck_coefs_est_free(c);
        return st;
    }
    *state = c;
    return CK_OK;
}

ck_status ck_coefs_est_save(const void *state, const ck_pipeline *pl, json_t *root,
                            json_t *fit, const void *facts, const ck_fact *f, size_t nf,
                            ck_error *err)
{
    json_t *c = ck_coefs_json(state, pl);
    int bad = ck_json_put(root, "coefficients", c);
    bad |= ck_json_put_facts(fit, facts, f, nf);
    return bad ? ck_error_set(err, CK_ENOMEM, "out of memory") : CK_OK;
}

ck_status ck_coefs_est_tune(const ck_tune_input *in, double *param, ck_tuning *out,
                            ck_warnings *w, ck_error *err)
{
    static const double grid[] = {0.001, 0.01, 0.1, 1, 10, 100};
    static const int pos[] = {0};
    (void)w;
    if (!in->grid && !isnan(param[0]))
        return CK_OK;
    return ck_tune_grid(in, param, pos, 1, grid, sizeof grid / sizeof grid[0], out, err);
}

void ck_coefs_est_pipeline(const double *param, ck_pipeline_options *po)
{
    (void)param;
    po->drop_first = 1;
}
