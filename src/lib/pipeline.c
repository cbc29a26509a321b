/* pipeline.c -- fitting and applying the feature pipeline (see pipeline.h). */
#include "churnkit/pipeline.h"
#include "churnkit/num.h"
#include "churnkit/parallel.h"
#include "churnkit/reduce.h"
#include "churnkit/stats.h"
#include "churnkit/str.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ck_pipeline_options_init(ck_pipeline_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->max_levels = 100;
}

ck_pipeline *ck_pipeline_new(void)
{
    return calloc(1, sizeof(ck_pipeline));
}

static void feature_fini(ck_feature *f)
{
    free(f->name);
    for (size_t k = 0; k < f->nlevels; k++)
        free(f->levels[k]);
    free(f->levels);
    free(f->level_share);
    free(f->excluded);
    free(f->column);
    free(f->spline);
    ck_dict_free(f->index);
}

void ck_pipeline_free(ck_pipeline *pl)
{
    if (!pl)
        return;
    for (size_t k = 0; k < pl->nfeat; k++)
        feature_fini(&pl->feat[k]);
    free(pl->feat);
    if (pl->encoded)
        for (size_t j = 0; j < pl->width; j++)
            free(pl->encoded[j]);
    free(pl->encoded);
    free(pl->center);
    free(pl);
}

/* ------------------------------------------------------------------ */
/* encoding */

double ck_symlog(double x)
{
    return x < 0 ? -log1p(-x) : log1p(x);
}

/* A numeric value on the feature's scale, a missing one imputed. */
static double feature_scale(const ck_feature *f, double v)
{
    return isnan(v) ? f->median : f->symlog ? ck_symlog(v) : v;
}

/* A numeric feature's encoded value (standardized, unless raw). */
static double numeric_value(const ck_feature *f, double v)
{
    if (f->raw)
        return v;
    return (feature_scale(f, v) - f->mean) / f->scale;
}

/* The columns a numeric value takes before its indicator. */
static size_t value_width(const ck_feature *f)
{
    return f->spline ? ck_spline_width(f->spline) : 1;
}

static void encode_numeric(const ck_feature *f, double v, double *x)
{
    if (f->spline)
        ck_spline_basis(f->spline, feature_scale(f, v), x + f->offset);
    else
        x[f->offset] = numeric_value(f, v);
    if (!f->raw && f->missing_indicator)
        x[f->offset + value_width(f)] = isnan(v);
}

static void encode_level(const ck_feature *f, int32_t level, double *x)
{
    if (f->raw) {
        x[f->offset] = level >= 0 ? (double)level : NAN;
        return;
    }
    memset(x + f->offset, 0, f->width * sizeof *x);
    if (level >= 0 && f->column[level] >= 0)
        x[f->offset + (size_t)f->column[level]] = 1.0;
}

void ck_pipeline_encode(const ck_pipeline *pl, const double *num, const int32_t *level,
                        double *x)
{
    for (size_t k = 0; k < pl->nfeat; k++) {
        const ck_feature *f = &pl->feat[k];
        if (f->kind == CK_FEAT_NUMERIC)
            encode_numeric(f, num[k], x);
        else
            encode_level(f, level[k], x);
    }
}

size_t ck_pipeline_encode_sparse(const ck_pipeline *pl, const double *num, const int32_t *level,
                                 size_t *idx, double *val)
{
    size_t n = 0;
    for (size_t k = 0; k < pl->nfeat; k++) {
        const ck_feature *f = &pl->feat[k];
        if (f->kind == CK_FEAT_NUMERIC) {
            size_t vw = value_width(f);
            if (f->spline)
                ck_spline_basis(f->spline, feature_scale(f, num[k]), val + n);
            else
                val[n] = numeric_value(f, num[k]);
            for (size_t j = 0; j < vw; j++)
                idx[n++] = f->offset + j;
            if (!f->raw && f->missing_indicator) {
                idx[n] = f->offset + vw;
                val[n++] = isnan(num[k]);
            }
        } else if (f->raw) {
            idx[n] = f->offset;
            val[n++] = level[k] >= 0 ? (double)level[k] : NAN;
        } else if (level[k] >= 0 && f->column[level[k]] >= 0) {
            idx[n] = f->offset + (size_t)f->column[level[k]];
            val[n++] = 1.0;
        }
    }
    return n;
}

size_t ck_pipeline_sparse_room(const ck_pipeline *pl)
{
    size_t n = 1;
    for (size_t k = 0; k < pl->nfeat; k++)
        n += pl->feat[k].kind == CK_FEAT_NUMERIC ? pl->feat[k].width : 1;
    return n;
}

int ck_pipeline_penalty(const ck_pipeline *pl, double *s)
{
    int any = 0;
    size_t p = pl->width + 1;
    for (size_t k = 0; k < pl->nfeat; k++)
        any |= pl->feat[k].spline && pl->feat[k].spline->penalized;
    if (!any || !s)
        return any;
    memset(s, 0, p * p * sizeof *s);
    for (size_t j = 1; j < p; j++)
        s[j * p + j] = 1;
    for (size_t k = 0; k < pl->nfeat; k++) {
        const ck_feature *f = &pl->feat[k];
        if (!f->spline || !f->spline->penalized)
            continue;
        size_t w = ck_spline_width(f->spline), o = 1 + f->offset;
        double block[(CK_SPLINE_MAX_KNOTS - 1) * (CK_SPLINE_MAX_KNOTS - 1)];
        ck_spline_penalty(f->spline, f->scale, block);
        for (size_t a = 0; a < w; a++)
            for (size_t b = 0; b < w; b++)
                s[(o + a) * p + o + b] = block[a * w + b];
    }
    return 1;
}

int32_t ck_feature_level(const ck_feature *f, const char *s, size_t len)
{
    return f->index ? ck_dict_find(f->index, s, len) : -1;
}

/* ------------------------------------------------------------------ */
/* layout */

/* "a" "sep" "b" in a new string (names are the user's text: any length). */
static char *joined(const char *a, const char *sep, const char *b)
{
    size_t na = strlen(a), ns = strlen(sep), nb = strlen(b);
    char *s = malloc(na + ns + nb + 1);
    if (s) {
        memcpy(s, a, na);
        memcpy(s + na, sep, ns);
        memcpy(s + na + ns, b, nb + 1);
    }
    return s;
}

/* The names of f's encoded columns into names[offset..): a level's column
 * is found from the level (columns follow level order), never the other
 * way, which would cost a search of the levels per column -- quadratic in
 * a text column of a million levels.  0, or -1 when out of memory. */
static int encoded_names(const ck_feature *f, char **names)
{
    char **out = names + f->offset;
    if (f->raw)
        return (out[0] = strdup(f->name)) ? 0 : -1;
    if (f->kind == CK_FEAT_NUMERIC) {
        size_t vw = value_width(f);
        for (size_t j = 0; j < vw; j++) {
            char suffix[32];
            snprintf(suffix, sizeof suffix, "__ns%zu", j + 1);
            if (!(out[j] = f->spline ? joined(f->name, "", suffix) : strdup(f->name)))
                return -1;
        }
        return f->width == vw || (out[vw] = joined(f->name, "", "__missing")) ? 0 : -1;
    }
    for (size_t l = 0; l < f->nlevels; l++)
        if (f->column[l] >= 0 && !(out[f->column[l]] = joined(f->name, "=", f->levels[l])))
            return -1;
    return 0;
}

/* The training mean of each encoded column of f: 0 for a standardized
 * value, the missing share for its indicator, each level's share. */
static void set_center(const ck_feature *f, double *center)
{
    if (f->raw) {
        center[f->offset] = NAN;
        return;
    }
    if (f->kind == CK_FEAT_NUMERIC) {
        size_t vw = value_width(f);
        for (size_t j = 0; j < vw; j++)
            center[f->offset + j] = f->spline ? f->spline->center[j] : 0;
        if (f->missing_indicator)
            center[f->offset + vw] = isnan(f->missing_share) ? 0 : f->missing_share;
        return;
    }
    for (size_t l = 0; l < f->nlevels; l++)
        if (f->column[l] >= 0)
            center[f->offset + (size_t)f->column[l]] = f->level_share ? f->level_share[l] : 0;
}

/* Each level's column: none for the reference and excluded levels, the
 * others in level order.  Returns the width, or -1 when out of memory. */
static long level_columns(ck_feature *f)
{
    int32_t next = 0;
    free(f->column);
    if (!(f->column = malloc((f->nlevels ? f->nlevels : 1) * sizeof *f->column)))
        return -1;
    for (size_t l = 0; l < f->nlevels; l++) {
        int none = (f->has_reference && l == f->reference) || (f->excluded && f->excluded[l]);
        f->column[l] = none ? -1 : next++;
    }
    return next;
}

ck_status ck_pipeline_finish(ck_pipeline *pl, ck_error *err)
{
    size_t width = 0;
    for (size_t k = 0; k < pl->nfeat; k++) {
        ck_feature *f = &pl->feat[k];
        f->offset = width;
        f->raw = pl->raw;
        if (f->kind == CK_FEAT_NUMERIC) {
            if (f->raw && f->spline)
                return ck_error_set(err, CK_EMODEL, "feature '%s': a spline in a model of raw "
                                                    "inputs", f->name);
            f->width = value_width(f) + (f->missing_indicator && !f->raw);
        } else {
            long cols = level_columns(f);
            if (cols < 0)
                return ck_error_set(err, CK_ENOMEM, "out of memory");
            f->width = f->raw ? 1 : (size_t)cols;
            ck_dict_free(f->index);
            f->index = ck_dict_new();
            if (!f->index)
                return ck_error_set(err, CK_ENOMEM, "out of memory");
            for (size_t l = 0; l < f->nlevels; l++)
                if (ck_dict_intern(f->index, f->levels[l], strlen(f->levels[l])) != (int32_t)l)
                    return ck_error_set(err, CK_EMODEL, "feature '%s': level '%s' is repeated",
                                        f->name, f->levels[l]);
        }
        width += f->width;
    }
    pl->width = width;
    pl->encoded = calloc(width ? width : 1, sizeof *pl->encoded);
    pl->center = calloc(width ? width : 1, sizeof *pl->center);
    if (!pl->encoded || !pl->center)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    for (size_t k = 0; k < pl->nfeat; k++)
        set_center(&pl->feat[k], pl->center);
    for (size_t k = 0; k < pl->nfeat; k++)
        if (encoded_names(&pl->feat[k], pl->encoded) != 0)
            return ck_error_set(err, CK_ENOMEM, "out of memory");
    return CK_OK;
}

/* ------------------------------------------------------------------ */
/* fitting */

static size_t row_at(const size_t *rows, size_t i)
{
    return rows ? rows[i] : i;
}

size_t ck_feature_edges(const ck_feature *f, double *edges)
{
    size_t n = 0;
    for (int k = 0; k < CK_DECILES; k++)
        /* edges[n - 1] is read only once n > 0, after it was written */
        // cppcheck-suppress uninitvar
        if (!isnan(f->deciles[k]) && (n == 0 || f->deciles[k] > edges[n - 1]))
            edges[n++] = f->deciles[k];
    for (size_t k = n; k < CK_DECILES; k++) /* above every finite x */
        edges[k] = INFINITY;
    return n;
}

/* x on the feature's scale */
static double scaled(const ck_feature *f, double x)
{
    return f->symlog ? ck_symlog(x) : x;
}

/* The deciles of the raw values, for drift checks only: from a systematic
 * sample of at most DECILE_SAMPLE values (every k-th in row order) when
 * there are more, which is plenty for bins and costs an eighth of exact
 * selection on a million rows.  The median used for imputation stays
 * exact. */
enum { DECILE_SAMPLE = 1 << 17 };

/* The sample is the values whose place among all non-missing values, in
 * row order (across processes: process order), is a multiple of the step,
 * so a distributed fit draws the same sample as one process.  v holds this
 * process's m values; total counts them all.  0 or -1. */
static int deciles(ck_feature *f, const double *v, size_t m, size_t total, const double *dq,
                   const ck_reducer *red)
{
    size_t step = (total + DECILE_SAMPLE - 1) / DECILE_SAMPLE;
    double before;
    if (ck_reduce_offset(red, (double)m, &before) != 0)
        return -1;
    size_t first = (step - (size_t)before % step) % step;
    size_t ns = first < m ? (m - first + step - 1) / step : 0, nall;
    double *s = malloc((ns ? ns : 1) * sizeof *s), *all = NULL;
    if (!s)
        return -1;
    for (size_t i = first, k = 0; i < m; i += step)
        s[k++] = v[i];
    int rc = 0;
    if (!ck_reduce_active(red))
        ck_quantiles(s, ns, dq, CK_DECILES, f->deciles);
    else if ((rc = ck_reduce_gather(red, s, ns, &all, &nall)) == 0)
        ck_quantiles(all, nall, dq, CK_DECILES, f->deciles);
    free(s);
    free(all);
    return rc;
}

/* Median, deciles, mean and scale of a numeric column over the rows (the
 * deciles of the raw values, the rest after the transform), with tmp as
 * scratch for n values.  With a reducer, the statistics are of every
 * process's rows: counts, sums and extremes are combined, the median is
 * selected exactly (ck_reduce_median).  Returns 0, 1 when the column is
 * constant (or all missing), 2 when its values span more than a double
 * holds (a standardized value could not be written), -1 when out of
 * memory. */
/* y 2^e: y * p where p = 2^e is a normal double (a product by a power of
 * two is ldexp's result, rounding included), else ldexp (p then 0). */
static inline double times_pow2(double y, double p, int e)
{
    return p != 0 ? y * p : ldexp(y, e);
}

static int fit_numeric(ck_feature *f, const double *v, const size_t *rows, size_t n,
                       int indicators, double *tmp, const ck_reducer *red)
{
    static const double dq[CK_DECILES] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};
    size_t m = 0;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double x = v[row_at(rows, i)];
        if (!isnan(x)) {
            tmp[m++] = x;
            lo = x < lo ? x : lo;
            hi = x > hi ? x : hi;
        }
    }
    double counts[2] = {(double)m, (double)n}, ends[2] = {hi, -lo};
    if (ck_reduce_sum(red, counts, 2) != 0 || ck_reduce_max(red, ends, 2) != 0)
        return -1;
    double all_m = counts[0], all_n = counts[1];
    f->kind = CK_FEAT_NUMERIC;
    f->missing_share = all_n > 0 ? (all_n - all_m) / all_n : 0;
    if (all_m == 0 || ends[0] == -ends[1]) /* decided on all rows: the same everywhere */
        return 1;
    if (!isfinite(ends[0] + ends[1])) /* hi - lo: a value minus the mean could overflow */
        return 2;
    if (deciles(f, tmp, m, (size_t)all_m, dq, red) != 0)
        return -1;
    for (size_t i = 0; f->symlog && i < m; i++) /* monotone: the order is kept */
        tmp[i] = ck_symlog(tmp[i]);
    if (ck_reduce_median(red, tmp, m, &f->median) != 0)
        return -1;
    /* two passes over the imputed values: mean, then the squared deviations;
     * the first also counts the training share of each drift bin.  The
     * values are summed divided by 2^e, e the exponent of the largest
     * magnitude: a square of 1.4e154 overflows, a value of at most 1 does
     * not, and a power of two changes no rounding, so the figures are the
     * unscaled sums' to the bit whenever those were finite. */
    double sums[CK_DECILES + 2] = {0}, ss = 0, edges[CK_DECILES];
    double big = fmax(fabs(scaled(f, ends[0])), fabs(scaled(f, -ends[1])));
    int e;
    (void)frexp(big, &e);
    double down = e > -1000 && e < 1000 ? ldexp(1.0, -e) : 0;
    size_t nedges = ck_feature_edges(f, edges), count[CK_DECILES + 2] = {0};
    /* the bins counted in integers (a double added to in memory would
     * wait for its last addition whenever two values share a bin), the
     * NaNs in the last slot */
    for (size_t i = 0; i < n; i++) {
        double x = v[row_at(rows, i)], y = isnan(x) ? f->median : scaled(f, x);
        sums[0] += times_pow2(y, down, -e);
        count[isnan(x) ? CK_DECILES + 1 : ck_edges_bin(edges, x)]++;
    }
    for (size_t k = 0; k <= nedges; k++)
        sums[1 + k] = (double)count[k];
    if (ck_reduce_sum(red, sums, nedges + 2) != 0)
        return -1;
    f->nbin_share = nedges + 1;
    for (size_t k = 0; k <= nedges; k++)
        f->bin_share[k] = sums[1 + k] / all_m;
    double mean = sums[0] / all_n;
    for (size_t i = 0; i < n; i++) {
        double x = v[row_at(rows, i)], y = isnan(x) ? f->median : scaled(f, x);
        double d = times_pow2(y, down, -e) - mean;
        ss += d * d;
    }
    if (ck_reduce_sum(red, &ss, 1) != 0)
        return -1;
    f->mean = ldexp(mean, e);
    f->scale = ldexp(sqrt(ss / all_n), e);
    f->missing_indicator = indicators && all_m < all_n;
    return f->scale > 0 ? 0 : 1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replaces the n local levels in *levels by the sorted union of every
 * process's (the texts travel NUL-terminated, end to end).  0 or -1. */
static int union_levels(const ck_reducer *red, char ***levels, size_t *n)
{
    size_t bytes = 0, total = 0, k = 0;
    for (size_t l = 0; l < *n; l++)
        bytes += strlen((*levels)[l]) + 1;
    char *mine = malloc(bytes ? bytes : 1), *p = mine;
    void *all = NULL;
    int rc = mine ? 0 : -1;
    for (size_t l = 0; rc == 0 && l < *n; l++) {
        size_t len = strlen((*levels)[l]) + 1;
        memcpy(p, (*levels)[l], len);
        p += len;
    }
    if (rc == 0)
        rc = ck_reduce_bytes(red, mine, bytes, &all, &total);
    size_t count = 0;
    for (size_t i = 0; rc == 0 && i < total; i++)
        count += ((char *)all)[i] == '\0';
    char **u = rc == 0 ? calloc(count ? count : 1, sizeof *u) : NULL;
    for (size_t i = 0; u && i < total; i += strlen((char *)all + i) + 1)
        if (!(u[k++] = strdup((char *)all + i)))
            rc = -1;
    if (!u)
        rc = -1;
    if (rc == 0) {
        qsort(u, count, sizeof *u, cmp_str);
        size_t w = 0;
        for (size_t i = 0; i < count; i++) {
            if (w > 0 && strcmp(u[w - 1], u[i]) == 0)
                free(u[i]);
            else
                u[w++] = u[i];
        }
        for (size_t l = 0; l < *n; l++)
            free((*levels)[l]);
        free(*levels);
        *levels = u;
        *n = w;
    } else if (u) {
        for (size_t i = 0; i < k; i++)
            free(u[i]);
        free(u);
    }
    free(mine);
    free(all);
    return rc;
}

/* Levels seen in the rows (with a reducer: in any process's rows), sorted,
 * with their shares.  Returns 0, 1 when fewer than two levels were seen,
 * -1 when out of memory. */
static int fit_categorical(ck_feature *f, const ck_column *c, const size_t *rows, size_t n,
                           const ck_reducer *red)
{
    size_t ncode = ck_dict_size(c->levels);
    size_t *count = calloc(ncode ? ncode : 1, sizeof *count);
    if (!count)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int32_t code = c->code[row_at(rows, i)];
        if (code >= 0)
            count[code]++;
    }
    f->kind = CK_FEAT_CATEGORICAL;
    f->nlevels = 0;
    for (size_t k = 0; k < ncode; k++)
        f->nlevels += count[k] > 0;
    f->levels = calloc(f->nlevels ? f->nlevels : 1, sizeof *f->levels);
    if (!f->levels) {
        free(count);
        return -1;
    }
    size_t l = 0;
    for (size_t k = 0; k < ncode; k++)
        if (count[k] > 0 && !(f->levels[l++] = strdup(ck_dict_str(c->levels, (int32_t)k)))) {
            f->nlevels = l - 1;
            free(count);
            return -1;
        }
    int rc = ck_reduce_active(red) ? union_levels(red, &f->levels, &f->nlevels) : 0;
    if (rc == 0 && !ck_reduce_active(red))
        qsort(f->levels, f->nlevels, sizeof *f->levels, cmp_str);
    /* counts by sorted level, then the row count and the rows seen */
    double *share = rc == 0 ? calloc(f->nlevels + 2, sizeof *share) : NULL;
    for (size_t k = 0; share && k < f->nlevels; k++) {
        int32_t code = ck_dict_find(c->levels, f->levels[k], strlen(f->levels[k]));
        share[k] = code >= 0 ? (double)count[code] : 0;
        share[f->nlevels + 1] += share[k];
    }
    free(count);
    if (share)
        share[f->nlevels] = (double)n;
    if (!share || ck_reduce_sum(red, share, f->nlevels + 2) != 0) {
        free(share);
        return -1;
    }
    double all_n = share[f->nlevels], seen = share[f->nlevels + 1];
    for (size_t k = 0; k < f->nlevels; k++)
        share[k] = all_n > 0 ? share[k] / all_n : 0;
    f->level_share = share; /* the two extra slots are never read */
    f->missing_share = all_n > 0 ? (all_n - seen) / all_n : 0;
    return f->nlevels < 2 ? 1 : 0;
}

/* "NAME=LEVEL" where NAME is a column of t (the first '=' that ends one:
 * a level may hold '=' too): its column and where LEVEL starts.  0, or -1
 * when no prefix names a column. */
static int split_level(const ck_table *t, const char *spec, size_t *col, const char **level)
{
    for (const char *eq = strchr(spec, '='); eq; eq = strchr(eq + 1, '=')) {
        size_t len = (size_t)(eq - spec);
        for (size_t j = 0; j < t->ncols; j++)
            if (strlen(t->col[j].name) == len && memcmp(t->col[j].name, spec, len) == 0) {
                *col = j;
                *level = eq + 1;
                return 0;
            }
    }
    return -1;
}

/* An --exclude entry that is not a column may be a level of one. */
static int is_level_spec(const ck_table *t, const char *spec)
{
    size_t j;
    const char *level;
    return ck_table_find(t, spec) < 0 && split_level(t, spec, &j, &level) == 0;
}

/* A COLUMN=LEVEL whose column is not in the table, with the columns named
 * like what stands before its first '='. */
static ck_status no_level_column(const ck_table *t, const char *what, const char *spec,
                                 ck_error *err)
{
    char name[200], near[300] = "";
    snprintf(name, sizeof name, "%.*s", (int)strcspn(spec, "="), spec);
    const char **names = malloc((t->ncols ? t->ncols : 1) * sizeof *names);
    for (size_t k = 0; names && k < t->ncols; k++)
        names[k] = t->col[k].name;
    if (names) /* short of memory: no suggestion */
        ck_near_names(name, names, t->ncols, near, sizeof near);
    free(names);
    return ck_error_set(err, CK_EUSAGE, "%s '%s': expected COLUMN=LEVEL, and no column of %s is "
                                        "named before an '='%s%s%s",
                        what, spec, t->source, near[0] ? " (closest: " : "", near,
                        near[0] ? ")" : "");
}

/* Which table columns become features, in table order. */
static ck_status select_columns(const ck_table *t, const ck_pipeline_options *opt, int *use,
                                ck_error *err)
{
    size_t j;
    for (size_t k = 0; k < opt->nexclude; k++) {
        const char *x = opt->exclude[k];
        if (is_level_spec(t, x) || ck_table_find(t, x) >= 0)
            continue;
        /* a level of a misspelt column: the columns named like it */
        return strchr(x, '=') ? no_level_column(t, "--exclude", x, err)
                              : ck_table_require(t, x, &j, err);
    }
    for (size_t k = 0; k < opt->nlog; k++) {
        if (ck_table_require(t, opt->log[k], &j, err) != CK_OK)
            return err->status;
        if (t->col[j].type != CK_COL_NUMERIC)
            return ck_error_set(err, CK_EUSAGE, "--log: column '%s' is not numeric",
                                opt->log[k]);
    }
    if (opt->features) {
        memset(use, 0, t->ncols * sizeof *use);
        for (size_t k = 0; k < opt->nfeatures; k++) {
            if (ck_table_require(t, opt->features[k], &j, err) != CK_OK)
                return err->status;
            use[j] = 1;
        }
    } else {
        for (j = 0; j < t->ncols; j++)
            use[j] = 1;
    }
    for (j = 0; j < t->ncols; j++) {
        const char *name = t->col[j].name;
        if ((opt->label && strcmp(name, opt->label) == 0) ||
            (opt->event && strcmp(name, opt->event) == 0) ||
            (opt->weight && strcmp(name, opt->weight) == 0) ||
            (opt->id && strcmp(name, opt->id) == 0) ||
            ck_strv_index(opt->exclude, opt->nexclude, name) >= 0)
            use[j] = 0;
    }
    return CK_OK;
}

/* Columns are fitted in parallel, one column a task; the results are then
 * taken in column order, so warnings and errors come out as if sequential. */
typedef struct fit_job {
    const ck_table *t;
    const size_t *rows;
    size_t n;
    const ck_pipeline_options *opt;
    const size_t *cols;   /* table column of each feature */
    ck_feature *feat;
    int *rc;              /* 0 keep, 1 constant, -1 out of memory */
    double **scratch;     /* by worker: n values, allocated on first use and
                             kept, so a column does not cost a fresh mapping
                             (and its page faults) of n doubles */
} fit_job;

static void fit_one(void *arg, size_t k, size_t worker)
{
    fit_job *job = arg;
    const ck_column *c = &job->t->col[job->cols[k]];
    ck_feature *f = &job->feat[k];
    if (c->type == CK_COL_NUMERIC) {
        double **tmp = &job->scratch[worker];
        if (!*tmp && !(*tmp = malloc((job->n ? job->n : 1) * sizeof **tmp))) {
            job->rc[k] = -1;
            return;
        }
        f->symlog = !job->opt->raw && ck_strv_index(job->opt->log, job->opt->nlog, c->name) >= 0;
        job->rc[k] = fit_numeric(f, c->num, job->rows, job->n,
                                 job->opt->missing_indicators && !job->opt->raw, *tmp,
                                 job->opt->reducer);
    } else {
        job->rc[k] = fit_categorical(f, c, job->rows, job->n, job->opt->reducer);
        f->has_reference = job->opt->drop_first && !job->opt->raw;
        f->reference = 0;
    }
}

/* A feature's name and levels must be UTF-8: the model file is JSON.  The
 * error names the first row holding a bad level (the header for a bad
 * name). */
static ck_status check_text(const fit_job *job, size_t k, ck_error *err)
{
    const ck_feature *f = &job->feat[k];
    const ck_column *c = &job->t->col[job->cols[k]];
    const char *hint = "churnkit reads UTF-8; convert the file (iconv -f latin1 -t utf-8)";
    if (!ck_utf8_valid(f->name))
        return ck_error_at(err, CK_EDATA, job->t->source, 1, job->cols[k] + 1,
                           "the column name is not valid UTF-8: %s", hint);
    for (size_t l = 0; f->kind == CK_FEAT_CATEGORICAL && l < f->nlevels; l++) {
        if (ck_utf8_valid(f->levels[l]))
            continue;
        int32_t code = ck_dict_find(c->levels, f->levels[l], strlen(f->levels[l]));
        size_t i = 0;
        while (i < job->n && c->code[row_at(job->rows, i)] != code)
            i++;
        return ck_error_at(err, CK_EDATA, job->t->source,
                           ck_table_line(job->t, i < job->n ? row_at(job->rows, i) : 0),
                           job->cols[k] + 1, "the value in column '%s' is not valid UTF-8: %s",
                           f->name, hint);
    }
    return CK_OK;
}

static int is_number(const char *s)
{
    double v;
    return ck_num_parse(s, strlen(s), &v) == CK_NUM_OK;
}

/* The first training row whose cell in a column is text, not a number
 * (n when none; is_num by level code, 1 for numbers). */
static size_t first_text_row(const fit_job *job, const ck_column *c, const char *is_num)
{
    size_t i = 0;
    while (i < job->n && (c->code[row_at(job->rows, i)] < 0 ||
                          is_num[c->code[row_at(job->rows, i)]]))
        i++;
    return i;
}

/* More levels than --max-levels.  When most of them are numbers, the
 * column is most likely numbers with a stray text cell (which made it a
 * text column): that cell is named with its line, as predict names it. */
static ck_status too_many_levels(const fit_job *job, size_t k, ck_error *err)
{
    const ck_feature *f = &job->feat[k];
    const ck_column *c = &job->t->col[job->cols[k]];
    size_t nl = ck_dict_size(c->levels), numbers = 0, i = job->n;
    char *is_num = malloc(nl ? nl : 1);
    for (size_t l = 0; is_num && l < nl; l++)
        numbers += (size_t)(is_num[l] = (char)is_number(ck_dict_str(c->levels, (int32_t)l)));
    if (is_num && 2 * numbers > nl)
        i = first_text_row(job, c, is_num);
    free(is_num);
    if (i < job->n) {
        size_t row = row_at(job->rows, i);
        return ck_error_at(err, CK_EDATA, job->t->source, ck_table_line(job->t, row),
                           job->cols[k] + 1,
                           "text '%.40s' in column '%s', whose other values are numbers: read as "
                           "text, it has %zu distinct values, more than --max-levels %zu",
                           ck_dict_str(c->levels, c->code[row]), f->name, f->nlevels,
                           job->opt->max_levels);
    }
    return ck_error_set(err, CK_EDATA,
                        "column '%s' has %zu distinct values, more than --max-levels %zu "
                        "(is it an id? exclude it, or raise --max-levels)",
                        f->name, f->nlevels, job->opt->max_levels);
}

/* Takes the fitted features in order: an error for too many levels or
 * text that is not UTF-8, a warning and no feature for a constant
 * column. */
/* A numeric column whose values span more than a double holds: the error
 * names the cell of the largest magnitude. */
static ck_status too_wide(const fit_job *job, size_t k, ck_error *err)
{
    const ck_column *c = &job->t->col[job->cols[k]];
    size_t at = 0;
    double most = -1;
    for (size_t i = 0; i < job->n; i++) {
        double x = fabs(c->num[row_at(job->rows, i)]);
        if (x > most) { /* NaN (missing) never is */
            most = x;
            at = i;
        }
    }
    size_t r = job->n ? row_at(job->rows, at) : 0;
    return ck_error_at(err, CK_EDATA, job->t->source, ck_table_line(job->t, r), job->cols[k] + 1,
                       "value %g in column '%s': the column's values span more than a model "
                       "can represent (a value minus their mean overflows); rescale the column "
                       "or exclude it", c->num[r], c->name);
}

static ck_status keep_features(ck_pipeline *pl, fit_job *job, size_t nsel, ck_warnings *w,
                               ck_error *err)
{
    for (size_t k = 0; k < nsel; k++) {
        ck_feature *f = &job->feat[k];
        ck_status st;
        if (job->rc[k] < 0)
            return ck_error_set(err, CK_ENOMEM, "out of memory");
        if (job->rc[k] == 2)
            return too_wide(job, k, err);
        if ((st = check_text(job, k, err)) != CK_OK)
            return st;
        if (job->rc[k] == 0 && f->kind == CK_FEAT_CATEGORICAL &&
            f->nlevels > job->opt->max_levels)
            return too_many_levels(job, k, err);
        if (job->rc[k] == 0) {
            pl->feat[pl->nfeat++] = *f;
        } else {
            ck_warn(w, "column '%s' is constant in the training rows: dropped", f->name);
            feature_fini(f);
        }
        memset(f, 0, sizeof *f);
    }
    return CK_OK;
}

/* The feature of table column `name`, or NULL. */
static ck_feature *feature_named(ck_pipeline *pl, const char *name)
{
    for (size_t k = 0; k < pl->nfeat; k++)
        if (strcmp(pl->feat[k].name, name) == 0)
            return &pl->feat[k];
    return NULL;
}

/* The level of `spec` ("NAME=LEVEL", given as `what`) in its feature: the
 * feature and the level's position, or *f NULL when there is nothing to do
 * (a constant column dropped; a level the table has but these rows do
 * not, in a fold).  Errors name the option and what is wrong. */
static ck_status find_level(ck_pipeline *pl, const ck_table *t, const ck_pipeline_options *opt,
                            const char *what, const char *spec, ck_feature **f, size_t *pos,
                            ck_error *err)
{
    size_t j;
    const char *level;
    *f = NULL;
    if (split_level(t, spec, &j, &level) != 0)
        return no_level_column(t, what, spec, err);
    const ck_column *c = &t->col[j];
    if (opt->raw)
        return ck_error_set(err, CK_EUSAGE, "%s '%s': this model takes raw inputs (one column a "
                                            "feature, no level columns)", what, spec);
    if (c->type != CK_COL_CATEGORICAL)
        return ck_error_set(err, CK_EUSAGE, "%s '%s': column '%s' is numeric; levels belong to "
                                            "text columns (--categorical reads it as text)",
                            what, spec, c->name);
    if (ck_dict_find(c->levels, level, strlen(level)) < 0) {
        /* its levels in byte order, as the model orders them */
        char list[400];
        size_t used = 0, n = ck_dict_size(c->levels);
        const char **v = malloc((n ? n : 1) * sizeof *v);
        if (!v)
            return ck_error_set(err, CK_ENOMEM, "out of memory");
        for (size_t l = 0; l < n; l++)
            v[l] = ck_dict_str(c->levels, (int32_t)l);
        qsort(v, n, sizeof *v, cmp_str);
        list[0] = '\0';
        for (size_t l = 0; l < n && used + 40 < sizeof list; l++)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s'%s'", l ? ", " : "",
                                     v[l]);
        free(v);
        return ck_error_set(err, CK_EUSAGE, "%s '%s': column '%s' has no level '%s' (its "
                                            "levels: %s%s)", what, spec, c->name, level, list,
                            used + 40 >= sizeof list ? ", ..." : "");
    }
    ck_feature *ft = feature_named(pl, c->name);
    int used_col = !opt->features || ck_strv_index(opt->features, opt->nfeatures, c->name) >= 0;
    if (!ft && (!used_col || ck_strv_index(opt->exclude, opt->nexclude, c->name) >= 0 ||
                (opt->label && strcmp(c->name, opt->label) == 0)))
        return ck_error_set(err, CK_EUSAGE, "%s '%s': column '%s' is not a feature", what, spec,
                            c->name);
    int32_t l = ft ? ck_feature_level(ft, level, strlen(level)) : -1;
    if (l >= 0) {
        *f = ft;
        *pos = (size_t)l;
    }
    return CK_OK;
}

/* Applies the reference levels named and the levels excluded (before
 * ck_pipeline_finish lays the columns out). */
static ck_status set_levels(ck_pipeline *pl, const ck_table *t, const ck_pipeline_options *opt,
                            ck_error *err)
{
    ck_feature *f;
    size_t l;
    ck_status st;
    /* the level index is built by ck_pipeline_finish: build it now */
    for (size_t k = 0; k < pl->nfeat; k++) {
        ck_feature *g = &pl->feat[k];
        if (g->kind != CK_FEAT_CATEGORICAL || g->index)
            continue;
        if (!(g->index = ck_dict_new()))
            return ck_error_set(err, CK_ENOMEM, "out of memory");
        for (size_t v = 0; v < g->nlevels; v++)
            ck_dict_intern(g->index, g->levels[v], strlen(g->levels[v]));
    }
    for (size_t k = 0; k < opt->nreference; k++) {
        if ((st = find_level(pl, t, opt, "--reference", opt->reference[k], &f, &l, err)) != CK_OK)
            return st;
        if (f) {
            f->has_reference = 1;
            f->reference = l;
        }
    }
    for (size_t k = 0; k < opt->nexclude; k++) {
        if (!is_level_spec(t, opt->exclude[k]))
            continue;
        if ((st = find_level(pl, t, opt, "--exclude", opt->exclude[k], &f, &l, err)) != CK_OK)
            return st;
        if (!f)
            continue;
        if (f->has_reference && f->reference == l)
            return ck_error_set(err, CK_EUSAGE, "--exclude '%s': '%s' is the reference level of "
                                                "'%s' and has no column; choose another with "
                                                "--reference", opt->exclude[k], f->levels[l],
                                f->name);
        if (!f->excluded && !(f->excluded = calloc(f->nlevels ? f->nlevels : 1, 1)))
            return ck_error_set(err, CK_ENOMEM, "out of memory");
        f->excluded[l] = 1;
        size_t left = 0;
        for (size_t v = 0; v < f->nlevels; v++)
            left += !f->excluded[v] && !(f->has_reference && f->reference == v);
        if (left == 0)
            return ck_error_set(err, CK_EUSAGE, "--exclude '%s' leaves column '%s' no level "
                                                "column: exclude '%s' itself", opt->exclude[k],
                                f->name, f->name);
    }
    return CK_OK;
}

/* Whether --splines names `name` ("all": every numeric feature). */
static int wants_spline(const ck_pipeline_options *opt, const char *name)
{
    return ck_strv_index(opt->splines, opt->nsplines, "all") >= 0 ||
           ck_strv_index(opt->splines, opt->nsplines, name) >= 0;
}

/* Every column --splines names must be a numeric feature (checked before
 * any fit, so that a fold never finds out). */
static ck_status check_splines(const ck_pipeline *pl, const ck_table *t,
                               const ck_pipeline_options *opt, ck_error *err)
{
    size_t k = opt->spline_knots ? opt->spline_knots : 5;
    if (opt->nsplines && opt->raw)
        return ck_error_set(err, CK_EUSAGE, "--splines: this model takes raw inputs (trees cut "
                                            "the values themselves)");
    if (opt->nsplines && ck_reduce_active(opt->reducer))
        return ck_error_set(err, CK_EUSAGE, "--splines: a distributed fit takes no splines "
                                            "yet; train on one process");
    if (opt->nsplines && (k < 3 || k > CK_SPLINE_MAX_KNOTS))
        return ck_error_set(err, CK_EUSAGE, "--spline-knots %zu: from 3 to %d", k,
                            CK_SPLINE_MAX_KNOTS);
    for (size_t j = 0; j < opt->nsplines; j++) {
        const char *name = opt->splines[j];
        size_t col;
        if (strcmp(name, "all") == 0)
            continue;
        if (ck_table_require(t, name, &col, err) != CK_OK) {
            char why[CK_ERROR_MAX];
            snprintf(why, sizeof why, "%s", err->message);
            return ck_error_set(err, CK_EUSAGE, "--splines: %s", why);
        }
        if (t->col[col].type != CK_COL_NUMERIC)
            return ck_error_set(err, CK_EUSAGE, "--splines: column '%s' holds text; a spline "
                                                "is of a numeric column", name);
        int feature = 0;
        for (size_t f = 0; f < pl->nfeat; f++)
            feature |= strcmp(pl->feat[f].name, name) == 0;
        /* a constant column, dropped with its own warning, is no error */
        if (!feature && (ck_strv_index(opt->exclude, opt->nexclude, name) >= 0 ||
                         (opt->features && ck_strv_index(opt->features, opt->nfeatures,
                                                         name) < 0) ||
                         (opt->label && strcmp(opt->label, name) == 0)))
            return ck_error_set(err, CK_EUSAGE, "--splines: column '%s' is not a feature",
                                name);
    }
    return CK_OK;
}

/* The spline of numeric feature f over the training rows: knots at the
 * quantiles of its (transformed) non-missing values (of its distinct ones
 * when ties repeat a quantile: ck_spline_knots), the columns' training
 * means over the imputed values.  A column with fewer distinct values than
 * knots gets fewer knots, and fewer than 3 none (it stays linear), with a
 * warning.  tmp has room for n values. */
static ck_status fit_spline(ck_feature *f, const ck_column *c, const size_t *rows, size_t n,
                            const ck_pipeline_options *opt, double *tmp, ck_warnings *w,
                            ck_error *err)
{
    size_t k = opt->spline_knots ? opt->spline_knots : 5, m = 0;
    ck_spline *s = calloc(1, sizeof *s);
    if (!s)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        double x = c->num[row_at(rows, i)];
        if (!isnan(x))
            tmp[m++] = scaled(f, x);
    }
    size_t distinct;
    s->nknots = ck_spline_knots(tmp, m, k, s->knots, &distinct);
    s->penalized = opt->spline_penalty;
    if (s->nknots < 3) {
        ck_warn(w, "column '%s': %zu distinct non-missing values, too few for a spline (3 "
                   "knots): kept linear", f->name, distinct);
        free(s);
        return CK_OK;
    }
    if (distinct && distinct < k)
        ck_warn(w, "column '%s': %zu distinct non-missing values, fewer than %zu knots: its "
                   "spline has %zu knots (%zu columns), at those values", f->name, distinct, k,
                 s->nknots, s->nknots - 1);
    else if (distinct)
        ck_warn(w, "column '%s': tied values repeat its quantiles: its %zu knots are at "
                   "quantiles of its %zu distinct values", f->name, s->nknots, distinct);
    ck_status st = ck_spline_prepare(s, err);
    if (st != CK_OK) {
        free(s);
        return st;
    }
    size_t width = ck_spline_width(s);
    double b[CK_SPLINE_MAX_KNOTS], sum[CK_SPLINE_MAX_KNOTS] = {0};
    for (size_t i = 0; i < n; i++) {
        ck_spline_basis(s, feature_scale(f, c->num[row_at(rows, i)]), b);
        for (size_t j = 0; j < width; j++)
            sum[j] += b[j];
    }
    for (size_t j = 0; j < width; j++)
        s->center[j] = n ? sum[j] / (double)n : 0;
    f->spline = s;
    return CK_OK;
}

static ck_status fit_splines(ck_pipeline *pl, const ck_table *t, const size_t *rows, size_t n,
                             const ck_pipeline_options *opt, ck_warnings *w, ck_error *err)
{
    double *tmp = NULL;
    ck_status st = CK_OK;
    size_t numeric = 0;
    for (size_t k = 0; st == CK_OK && k < pl->nfeat; k++) {
        ck_feature *f = &pl->feat[k];
        size_t col;
        if (f->kind != CK_FEAT_NUMERIC || !wants_spline(opt, f->name))
            continue;
        numeric++;
        if (!tmp && !(tmp = malloc((n ? n : 1) * sizeof *tmp)))
            st = ck_error_set(err, CK_ENOMEM, "out of memory");
        else if ((st = ck_table_require(t, f->name, &col, err)) == CK_OK)
            st = fit_spline(f, &t->col[col], rows, n, opt, tmp, w, err);
    }
    free(tmp);
    if (st == CK_OK && !numeric && ck_strv_index(opt->splines, opt->nsplines, "all") >= 0)
        ck_warn(w, "--splines all: no numeric feature is left to give a spline");
    return st;
}

ck_status ck_pipeline_fit(ck_pipeline **out, const ck_table *t, const size_t *rows,
                          size_t nrows, const ck_pipeline_options *opt, ck_warnings *w,
                          ck_error *err)
{
    ck_pipeline_options defaults;
    ck_status st;
    if (!opt) {
        ck_pipeline_options_init(&defaults);
        opt = &defaults;
    }
    size_t n = rows ? nrows : t->nrows, nsel = 0, m = t->ncols ? t->ncols : 1;
    *out = NULL;
    int *use = calloc(m, sizeof *use), *rc = calloc(m, sizeof *rc);
    size_t *cols = calloc(m, sizeof *cols);
    ck_feature *tmp = calloc(m, sizeof *tmp);
    ck_pipeline *pl = ck_pipeline_new();
    if (pl)
        pl->feat = calloc(m, sizeof *pl->feat);
    if (!use || !rc || !cols || !tmp || !pl || !pl->feat) {
        st = ck_error_set(err, CK_ENOMEM, "out of memory");
        goto done;
    }
    if ((st = select_columns(t, opt, use, err)) != CK_OK)
        goto done;
    for (size_t j = 0; j < t->ncols; j++) {
        if (!use[j])
            continue;
        cols[nsel] = j;
        if (!(tmp[nsel++].name = strdup(t->col[j].name))) {
            st = ck_error_set(err, CK_ENOMEM, "out of memory");
            goto done;
        }
    }
    /* across processes the columns' collectives must come in the same
     * order everywhere: one column at a time */
    size_t threads = ck_reduce_active(opt->reducer) ? 1 : opt->threads;
    size_t workers = ck_parallel_workers(nsel, threads);
    fit_job job = {t, rows, n, opt, cols, tmp, rc, calloc(workers, sizeof(double *))};
    if (!job.scratch) {
        st = ck_error_set(err, CK_ENOMEM, "out of memory");
        goto done;
    }
    ck_parallel_for(nsel, threads, fit_one, &job);
    for (size_t k = 0; k < workers; k++)
        free(job.scratch[k]);
    free(job.scratch);
    if ((st = keep_features(pl, &job, nsel, w, err)) != CK_OK)
        goto done;
    if (pl->nfeat == 0) {
        st = ck_error_set(err, CK_EDATA, "%s: no usable feature columns (all were excluded or "
                                         "constant)", t->source);
        goto done;
    }
    pl->raw = opt->raw;
    if ((st = check_splines(pl, t, opt, err)) != CK_OK ||
        (st = fit_splines(pl, t, rows, n, opt, w, err)) != CK_OK)
        goto done;
    if ((st = set_levels(pl, t, opt, err)) != CK_OK)
        goto done;
    st = ck_pipeline_finish(pl, err);
done:
    for (size_t k = 0; tmp && k < m; k++)
        feature_fini(&tmp[k]);
    free(tmp);
    free(use);
    free(rc);
    free(cols);
    if (st != CK_OK)
        ck_pipeline_free(pl);
    else
        *out = pl;
    return st;
}

/* ------------------------------------------------------------------ */
/* designs */

ck_status ck_pipeline_check_floats(const ck_pipeline *pl, const ck_table *t, const size_t *rows,
                                   size_t n, ck_error *err)
{
    for (size_t k = 0; pl->raw && k < pl->nfeat; k++) {
        long j = ck_table_find(t, pl->feat[k].name);
        if (pl->feat[k].kind != CK_FEAT_NUMERIC || j < 0 || t->col[j].type != CK_COL_NUMERIC)
            continue; /* ck_design_bind says what is wrong with it */
        const double *v = t->col[j].num;
        for (size_t i = 0; i < n; i++) {
            double x = v[row_at(rows, i)];
            if (fabs(x) > FLT_MAX) /* NaN is not */
                return ck_error_at(err, CK_EDATA, t->source ? t->source : "data",
                                   ck_table_line(t, row_at(rows, i)), (size_t)j + 1,
                                   "value %g in column '%s' is beyond the range of a 32-bit "
                                   "float (3.4e38), in which a tree model compares it", x,
                                   pl->feat[k].name);
        }
    }
    return CK_OK;
}

ck_status ck_design_bind(ck_design *d, const ck_pipeline *pl, const ck_table *t, ck_error *err)
{
    memset(d, 0, sizeof *d);
    d->pl = pl;
    d->t = t;
    d->col = calloc(pl->nfeat ? pl->nfeat : 1, sizeof *d->col);
    d->code_map = calloc(pl->nfeat ? pl->nfeat : 1, sizeof *d->code_map);
    if (!d->col || !d->code_map) {
        ck_design_fini(d);
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    }
    for (size_t k = 0; k < pl->nfeat; k++) {
        const ck_feature *f = &pl->feat[k];
        ck_status st = ck_table_require(t, f->name, &d->col[k], err);
        if (st != CK_OK) {
            ck_design_fini(d);
            return st;
        }
        const ck_column *c = &t->col[d->col[k]];
        if (f->kind == CK_FEAT_NUMERIC && c->type != CK_COL_NUMERIC) {
            ck_design_fini(d);
            return ck_error_set(err, CK_EDATA, "%s: column '%s' holds text, but the model "
                                               "expects numbers", t->source, f->name);
        }
        if (f->kind == CK_FEAT_NUMERIC)
            continue;
        /* a numeric table column can feed a categorical feature through
         * its text; map the table's codes (or numbers) to level positions */
        size_t ncode = c->type == CK_COL_CATEGORICAL ? ck_dict_size(c->levels) : 0;
        d->code_map[k] = malloc((ncode ? ncode : 1) * sizeof **d->code_map);
        if (!d->code_map[k]) {
            ck_design_fini(d);
            return ck_error_set(err, CK_ENOMEM, "out of memory");
        }
        for (size_t code = 0; code < ncode; code++) {
            const char *s = ck_dict_str(c->levels, (int32_t)code);
            d->code_map[k][code] = ck_feature_level(f, s, strlen(s));
        }
        if (c->type == CK_COL_NUMERIC) {
            ck_design_fini(d);
            return ck_error_set(err, CK_EDATA, "%s: column '%s' holds numbers, but the model "
                                               "expects text categories (read it with "
                                               "--categorical %s)", t->source, f->name, f->name);
        }
        for (size_t i = 0; i < t->nrows; i++)
            d->unseen += c->code[i] >= 0 && d->code_map[k][c->code[i]] < 0;
    }
    return CK_OK;
}

void ck_design_fini(ck_design *d)
{
    if (d->code_map)
        for (size_t k = 0; k < d->pl->nfeat; k++)
            free(d->code_map[k]);
    free(d->code_map);
    free(d->col);
    memset(d, 0, sizeof *d);
}

/* Feature f's columns of rows[0..n) from table column c (see
 * ck_design_block). */
static void block_numeric(const ck_feature *f, const ck_column *c, const size_t *rows, size_t n,
                          double *x, size_t stride)
{
    double *out = x + f->offset * stride;
    if (f->spline) {
        double b[CK_SPLINE_MAX_KNOTS];
        size_t vw = value_width(f);
        for (size_t i = 0; i < n; i++) {
            ck_spline_basis(f->spline, feature_scale(f, c->num[rows[i]]), b);
            for (size_t j = 0; j < vw; j++)
                out[j * stride + i] = b[j];
        }
    } else {
        for (size_t i = 0; i < n; i++)
            out[i] = numeric_value(f, c->num[rows[i]]);
    }
    if (!f->raw && f->missing_indicator) {
        double *ind = x + (f->offset + value_width(f)) * stride;
        for (size_t i = 0; i < n; i++)
            ind[i] = isnan(c->num[rows[i]]);
    }
}

void ck_design_block(const ck_design *d, const size_t *rows, size_t n, double *x, size_t stride)
{
    const ck_pipeline *pl = d->pl;
    for (size_t k = 0; k < pl->nfeat; k++) {
        const ck_feature *f = &pl->feat[k];
        const ck_column *c = &d->t->col[d->col[k]];
        if (f->kind == CK_FEAT_NUMERIC) {
            block_numeric(f, c, rows, n, x, stride);
            continue;
        }
        for (size_t j = 0; !f->raw && j < f->width; j++)
            memset(x + (f->offset + j) * stride, 0, n * sizeof *x);
        for (size_t i = 0; i < n; i++) {
            int32_t code = c->code[rows[i]], level = code < 0 ? -1 : d->code_map[k][code];
            if (f->raw)
                x[f->offset * stride + i] = level >= 0 ? (double)level : NAN;
            else if (level >= 0 && f->column[level] >= 0)
                x[(f->offset + (size_t)f->column[level]) * stride + i] = 1.0;
        }
    }
}

void ck_design_row(const ck_design *d, size_t row, double *x)
{
    const ck_pipeline *pl = d->pl;
    for (size_t k = 0; k < pl->nfeat; k++) {
        const ck_feature *f = &pl->feat[k];
        const ck_column *c = &d->t->col[d->col[k]];
        if (f->kind == CK_FEAT_NUMERIC) {
            encode_numeric(f, c->num[row], x);
        } else {
            int32_t code = c->code[row];
            encode_level(f, code < 0 ? -1 : d->code_map[k][code], x);
        }
    }
}
