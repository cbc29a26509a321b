/* coefs.c -- the shared part of the linear-predictor estimators (see
 * coefs.h). */
#include "churnkit/coefs.h"
#include "churnkit/model.h"
#include "churnkit/report.h"

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

json_t *ck_coefs_json(const ck_coefs *c, const ck_pipeline *pl)
{
    json_t *terms = json_array(), *o = json_object();
    if (!terms || !o) {
        json_decref(terms);
        json_decref(o);
        return NULL;
    }
    for (size_t j = 0; j < c->p; j++) {
        json_t *t = json_object();
        json_object_set_new(t, "term", json_string(term_name(c, pl, j)));
        json_object_set_new(t, "coef", ck_json_number(c->beta[j]));
        if (c->row) {
            const ck_coef_row *r = &c->row[j];
            ck_json_set_number(t, "se", r->se);
            ck_json_set_number(t, c->t_stats ? "t" : "z", r->stat);
            ck_json_set_number(t, "p", r->p_value);
            ck_json_set_number(t, "ci_low", r->lo);
            ck_json_set_number(t, "ci_high", r->hi);
            if (c->ratio) {
                ck_json_set_number(t, ratio_keys[c->ratio][0], exp(r->coef));
                ck_json_set_number(t, ratio_keys[c->ratio][1], exp(r->lo));
                ck_json_set_number(t, ratio_keys[c->ratio][2], exp(r->hi));
            }
        }
        json_array_append_new(terms, t);
    }
    json_object_set_new(o, "statistic", json_string(c->t_stats ? "t" : "z"));
    json_object_set_new(o, "approximate", json_boolean(c->approximate));
    json_object_set_new(o, "terms", terms);
    return o;
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
    return CK_OK;
}

/* Terms printed in the readable table: a wide model's table would bury the
 * rest of the report. */
enum { REPORT_TERMS = 100 };

void ck_coefs_report(FILE *out, const ck_coefs *c, const ck_pipeline *pl)
{
    size_t w = 12;
    for (size_t j = 0; j < pl->width; j++)
        w = strlen(pl->encoded[j]) > w ? strlen(pl->encoded[j]) : w;
    if (w > 40)
        w = 40;
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
        const ck_coef_row *r = &c->row[j];
        ck_report_format_p(p, sizeof p, r->p_value);
        fprintf(out, "%-*.*s %11.4g %10.4g %8.3f %9s %10.4g %10.4g", (int)w, (int)w, name,
                r->coef, r->se, r->stat, p, r->lo, r->hi);
        if (c->ratio)
            fprintf(out, "  %10.4g", exp(r->coef));
        fputc('\n', out);
    }
    if (shown < c->p)
        fprintf(out, "... and %zu more terms (all of them are in the model file)\n",
                c->p - shown);
    if (c->approximate)
        fprintf(out, "The model is penalized or weighted: standard errors, p-values and "
                     "intervals are approximate.\n");
}

ck_status ck_coefs_terms(const ck_coefs *c, const ck_pipeline *pl, ck_terms *out,
                         ck_error *err)
{
    out->kind = "coefficients";
    out->title = "Coefficients";
    out->n = c->p;
    out->term = calloc(c->p ? c->p : 1, sizeof *out->term);
    if (!out->term)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    for (size_t j = 0; j < c->p; j++)
        out->term[j] = (ck_term){term_name(c, pl, j),          c->beta[j],
                                 c->row ? c->row[j].lo : NAN, c->row ? c->row[j].hi : NAN,
                                 c->row ? c->row[j].p_value : NAN, NAN,
                                 !c->no_intercept && j == 0};
    return CK_OK;
}

void ck_coefs_adopt(ck_coefs *c, size_t p, double **beta, const double *cov, double df,
                    int inference)
{
    c->p = p;
    c->beta = *beta;
    *beta = NULL;
    c->t_stats = df > 0;
    /* out of memory here leaves the model without its table (as a fit
     * without a covariance has none): scoring needs only the coefficients */
    if (inference && cov && (c->row = malloc(p * sizeof *c->row)))
        ck_coef_table(c->beta, cov, p, df, c->row);
}

void ck_coefs_fini(ck_coefs *c)
{
    free(c->beta);
    free(c->row);
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
    if (!c)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    json_object_set_new(root, "coefficients", c);
    ck_json_put_facts(fit, facts, f, nf);
    return CK_OK;
}

ck_status ck_coefs_est_tune(const ck_tune_input *in, double *param, ck_tuning *out,
                            ck_warnings *w, ck_error *err)
{
    static const double grid[] = {0.001, 0.01, 0.1, 1, 10, 100};
    static const int pos[] = {0};
    (void)w;
    if (!in->grid)
        return CK_OK;
    return ck_tune_grid(in, param, pos, 1, grid, sizeof grid / sizeof grid[0], out, err);
}

void ck_coefs_est_pipeline(const double *param, ck_pipeline_options *po)
{
    po->drop_first = param[0] == 0;
}
