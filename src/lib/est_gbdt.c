/* est_gbdt.c -- gradient-boosted trees behind the estimator interface:
 * trained by libxgboost through its C API, scored and explained by
 * churnkit's own walk of the trees (trees.c).
 *
 * The value churnkit adds is around the booster: inputs go to it as they
 * are (the pipeline's raw-inputs mode: numbers unscaled, missing as NaN,
 * which xgboost sends the way it learned; text columns as categories, split
 * by xgboost's own categorical support: one-hot splits up to
 * --max-cat-onehot levels, partitions above), the number of trees is
 * chosen by early stopping on the --cv folds, --tune searches depth and
 * learning rate, monotone constraints are given by column name, and the
 * model file keeps xgboost's own JSON model (loadable by xgboost anywhere)
 * beside the pipeline. */
#include "churnkit/model.h"
#include "churnkit/report.h"
#include "churnkit/str.h"
#include "churnkit/parallel.h"
#include "churnkit/trees.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xgboost/c_api.h>

extern const ck_estimator_type ck_est_gbdt;

enum {
    P_TREES, P_ETA, P_DEPTH, P_MCW, P_LAMBDA, P_GAMMA, P_SUBSAMPLE, P_COLSAMPLE, P_BINS,
    P_ONEHOT, P_MONOTONE, P_EARLY, NPARAMS
};

/* xgboost 1.7's defaults, so that a model compares with xgboost's own --
 * but for --max-cat-onehot: xgboost's 4 lets a text column of more levels
 * be split by a partition of its levels, which overfits a churn table's
 * many-level columns (50 states in mlc_churn: 5-fold log-loss 0.158 with 4,
 * 0.151 with 64, after --tune); 64 splits one level against the rest up to
 * 64 levels, partitions above.  */
static const ck_param params[] = {
    {"trees", CK_PARAM_INTEGER, 100, 1, 100000, NULL, "N", "trees",
     "boosting rounds; with --cv the most that early stopping considers"},
    {"learning-rate", CK_PARAM_NUMBER, 0.3, 1e-4, 1, NULL, "ETA", "learning_rate",
     "shrinkage of each tree (xgboost's eta)"},
    {"max-depth", CK_PARAM_INTEGER, 6, 1, 16, NULL, "D", "max_depth", "depth of a tree"},
    {"min-child-weight", CK_PARAM_NUMBER, 1, 0, 1e9, NULL, "W", "min_child_weight",
     "least hessian weight in a leaf"},
    {"lambda", CK_PARAM_NUMBER, 1, 0, 1e9, NULL, "L", "lambda", "L2 penalty on leaf weights"},
    {"gamma", CK_PARAM_NUMBER, 0, 0, 1e9, NULL, "G", "gamma",
     "least loss reduction to split a leaf"},
    {"subsample", CK_PARAM_NUMBER, 1, 1e-3, 1, NULL, "S", "subsample",
     "share of rows drawn for each tree (seeded by --seed)"},
    {"colsample", CK_PARAM_NUMBER, 1, 1e-3, 1, NULL, "C", "colsample",
     "share of columns drawn for each tree"},
    {"max-bins", CK_PARAM_INTEGER, 256, 2, 65536, NULL, "B", "max_bins",
     "histogram bins of a numeric column"},
    {"max-cat-onehot", CK_PARAM_INTEGER, 64, 1, 1000000, NULL, "K", "max_cat_to_onehot",
     "text columns with up to K levels split one level against the rest; more levels, by "
     "partitions of the levels"},
    {"monotone", CK_PARAM_TEXT, 0, 0, 0, NULL, "a=-1,b=1", "monotone",
     "monotone constraints by numeric column: 1 the score may only rise with it, -1 only "
     "fall"},
    {"early-stopping", CK_PARAM_INTEGER, 20, 1, 100000, NULL, "R", "early_stopping",
     "with --cv: stop when the out-of-fold loss has not improved for R rounds"},
};

/* Early stopping watches the out-of-fold loss: without folds it would be
 * accepted and do nothing. */
static ck_status check(const double *param, const char *const *text, const int *given,
                       ck_task task, size_t cv, ck_error *err)
{
    (void)param;
    (void)text;
    (void)task;
    if (given[P_EARLY] && cv < 2)
        return ck_error_set(err, CK_EUSAGE, "--early-stopping acts on the cross-validation "
                                            "folds: add --cv K");
    return CK_OK;
}

/* How the fit went, and what the trees say of the features. */
typedef struct state {
    char *booster;            /* xgboost's JSON model text (owned) */
    ck_trees *trees;
    size_t width;
    double *gain;             /* by feature: total gain of its splits */
    double *mean_shap;        /* by feature: mean |SHAP| over training rows
                                 (at most SHAP_ROWS of them, evenly spaced) */
    size_t shap_rows;         /* how many (0: not recorded) */
    double *fitted;           /* the final fit's training rows' scores, or
                                 NULL (see keep_fitted) */
    size_t nfitted;
    char *settings;           /* the booster's parameters, as the report and
                                 the model file's fit record say them (NULL:
                                 not recorded) */
} state;

/* Training rows whose SHAP values give the importance: an evenly spaced
 * sample (shap_row).  The importance ranks features; 2,000 rows put each
 * mean within a few percent (its standard error is sd / sqrt(2000)), and
 * cost 0.2 s for 200 trees of depth 6 on two threads, where 10,000 cost
 * a second (a row's exact TreeSHAP costs some hundreds of its scores). */
enum { SHAP_ROWS = 2000 };

/* How many of n rows that is, and the k-th of them: evenly spaced, the
 * first row first (floor(k n / m); exact in size_t for any table that
 * fits in memory). */
static size_t shap_count(size_t n)
{
    return n < SHAP_ROWS ? n : SHAP_ROWS;
}

static size_t shap_row(size_t n, size_t k)
{
    return k * n / shap_count(n);
}

static void free_state(void *p)
{
    state *s = p;
    if (!s)
        return;
    free(s->booster);
    free(s->fitted);
    free(s->settings);
    ck_trees_free(s->trees);
    free(s->gain);
    free(s->mean_shap);
    free(s);
}

static ck_status xgb_error(ck_error *err, const char *what)
{
    return ck_error_set(err, CK_EDATA, "gbdt: xgboost could not %s: %s", what, XGBGetLastError());
}

/* ------------------------------------------------------------------ */
/* the data as xgboost takes it */

/* The rows as the float matrix xgboost takes, a chunk of rows a task, in
 * blocks of FLOAT_BLOCK rows encoded a column at a time (ck_design_block,
 * a tight loop a column) and then turned into rows: the block stays in
 * the cache between the two. */
enum { FLOAT_BLOCK = 256 };

typedef struct to_floats {
    const ck_dataset *ds;
    size_t p, nchunks;
    float *x, *y;
    double **row;             /* by worker: a block's encoded columns */
} to_floats;

static void floats_chunk(void *arg, size_t c, size_t worker)
{
    to_floats *f = arg;
    size_t begin, end, p = f->p;
    double *block = f->row[worker];
    ck_chunk_range(f->ds->n, f->nchunks, c, &begin, &end);
    for (size_t b = begin; b < end; b += FLOAT_BLOCK) {
        size_t m = end - b;
        if (m > FLOAT_BLOCK)
            m = FLOAT_BLOCK;
        ck_design_block(f->ds->design, f->ds->rows + b, m, block, m);
        for (size_t i = 0; i < m; i++) {
            for (size_t j = 0; j < p; j++)
                f->x[(b + i) * p + j] = (float)block[j * m + i];
            f->y[b + i] = (float)f->ds->y[f->ds->rows[b + i]];
        }
    }
}

/* Fills x (n x p) and y from the dataset on `threads` threads. */
static int fill_floats(const ck_dataset *ds, size_t p, float *x, float *y, size_t threads)
{
    to_floats f = {ds, p, ck_chunks_for(ds->n), x, y, NULL};
    size_t workers = ck_parallel_workers(f.nchunks, threads);
    int rc = (f.row = calloc(workers, sizeof *f.row)) ? 0 : -1;
    for (size_t k = 0; rc == 0 && k < workers; k++)
        rc = (f.row[k] = malloc(FLOAT_BLOCK * (p ? p : 1) * sizeof **f.row)) ? 0 : -1;
    if (rc == 0)
        ck_parallel_for(f.nchunks, threads, floats_chunk, &f);
    for (size_t k = 0; f.row && k < workers; k++)
        free(f.row[k]);
    free(f.row);
    return rc;
}

/* The dataset's rows as a DMatrix: float values (NaN missing), the label,
 * and each column's type ("c" for a text column, whose values are level
 * positions) and name.  Built on the fit's threads: xgboost's own
 * XGDMatrixCreateFromMat without a thread count also leaves the DMatrix
 * to quantize on one thread in the first round (about 1.3 s a million
 * rows of 20 columns, bench/RESULTS.md). */
static ck_status make_dmatrix(const ck_dataset *ds, size_t threads, DMatrixHandle *out,
                              ck_error *err)
{
    const ck_pipeline *pl = ds->design->pl;
    size_t n = ds->n, p = pl->width;
    float *x = malloc((n ? n : 1) * (p ? p : 1) * sizeof *x);
    float *y = malloc((n ? n : 1) * sizeof *y);
    const char **types = malloc((p ? p : 1) * sizeof *types);
    ck_status st = CK_OK;
    int nthread = (int)(threads ? threads : ck_threads_default());
    *out = NULL;
    if (!x || !y || !types || fill_floats(ds, p, x, y, threads) != 0) {
        st = ck_error_set(err, CK_ENOMEM, "gbdt: out of memory for %zu x %zu values", n, p);
        goto done;
    }
    for (size_t k = 0; k < pl->nfeat; k++)
        types[pl->feat[k].offset] = pl->feat[k].kind == CK_FEAT_CATEGORICAL ? "c" : "q";
    if (XGDMatrixCreateFromMat_omp(x, n, p, NAN, out, nthread) != 0 ||
        XGDMatrixSetFloatInfo(*out, "label", y, n) != 0 ||
        XGDMatrixSetStrFeatureInfo(*out, "feature_type", types, p) != 0 ||
        XGDMatrixSetStrFeatureInfo(*out, "feature_name", (const char **)pl->encoded, p) != 0)
        st = xgb_error(err, "take the data");
done:
    if (st != CK_OK && *out) {
        XGDMatrixFree(*out);
        *out = NULL;
    }
    free(x);
    free(y);
    free(types);
    return st;
}

/* "(0,-1,1)" from --monotone "a=-1,b=1" over the pipeline's features. */
static ck_status monotone(const char *text, const ck_pipeline *pl, char **out, ck_error *err)
{
    size_t n = 0;
    char **items = ck_split_list(text, &n);
    int *dir = calloc(pl->width ? pl->width : 1, sizeof *dir);
    char *seen = calloc(pl->width ? pl->width : 1, 1);
    char *s = malloc(pl->width * 3 + 3);
    ck_status st = CK_OK;
    *out = NULL;
    if (!items || !dir || !seen || !s) {
        st = ck_error_set(err, CK_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n && st == CK_OK; i++) {
        char *eq = strrchr(items[i], '=');
        long k = -1;
        if (eq)
            *eq = '\0';
        for (size_t f = 0; eq && f < pl->nfeat; f++)
            if (strcmp(pl->feat[f].name, items[i]) == 0)
                k = (long)f;
        if (!eq || (strcmp(eq + 1, "1") != 0 && strcmp(eq + 1, "-1") != 0 &&
                    strcmp(eq + 1, "0") != 0))
            st = ck_error_set(err, CK_EUSAGE, "--monotone: '%s' is not COLUMN=1, COLUMN=-1 or "
                                              "COLUMN=0", items[i]);
        else if (k < 0)
            st = ck_error_set(err, CK_EUSAGE, "--monotone: '%s' is not a feature of the model",
                              items[i]);
        else if (pl->feat[k].kind != CK_FEAT_NUMERIC)
            st = ck_error_set(err, CK_EUSAGE, "--monotone: '%s' is a text column; a "
                                              "constraint needs an order", items[i]);
        else if (seen[pl->feat[k].offset]++)
            st = ck_error_set(err, CK_EUSAGE, "--monotone: '%s' is given twice", items[i]);
        else
            dir[pl->feat[k].offset] = atoi(eq + 1);
    }
    size_t used = 0;
    s[used++] = '(';
    for (size_t j = 0; j < pl->width; j++)
        used += (size_t)sprintf(s + used, "%s%d", j ? "," : "", dir[j]);
    memcpy(s + used, ")", 2);
done:
    ck_strv_free(items);
    free(dir);
    free(seen);
    if (st == CK_OK)
        *out = s;
    else
        free(s);
    return st;
}

/* The class weight as xgboost's scale_pos_weight: the weight of a positive
 * row over a negative row's (train.c gives each class one weight). */
static double pos_weight(const ck_dataset *ds)
{
    double pos = NAN, neg = NAN;
    for (size_t i = 0; ds->weight && i < ds->n && (isnan(pos) || isnan(neg)); i++) {
        size_t r = ds->rows[i];
        if (ds->y[r] == 1 && isnan(pos))
            pos = ds->weight[r];
        else if (ds->y[r] != 1 && isnan(neg))
            neg = ds->weight[r];
    }
    return isnan(pos) || isnan(neg) ? 1 : pos / neg;
}

/* A booster over dtrain with the parameters. */
static ck_status make_booster(const ck_fit_input *in, const double *param, DMatrixHandle dtrain,
                              const ck_pipeline *pl, BoosterHandle *out, ck_error *err)
{
    char v[64], *mono = NULL;
    ck_status st = CK_OK;
    if (in->text[P_MONOTONE] && (st = monotone(in->text[P_MONOTONE], pl, &mono, err)) != CK_OK)
        return st;
    if (XGBoosterCreate(&dtrain, 1, out) != 0) {
        free(mono);
        return xgb_error(err, "make a booster");
    }
    BoosterHandle b = *out;
    int rc = 0;
    /* the saved model keeps the columns' names and types only when the
     * booster has them (Python's xgb.train copies them from the DMatrix) */
    const char **types = malloc((pl->width ? pl->width : 1) * sizeof *types);
    if (!types) {
        free(mono);
        XGBoosterFree(b);
        *out = NULL;
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    }
    for (size_t k = 0; k < pl->nfeat; k++)
        types[pl->feat[k].offset] = pl->feat[k].kind == CK_FEAT_CATEGORICAL ? "c" : "q";
    rc |= XGBoosterSetStrFeatureInfo(b, "feature_name", (const char **)pl->encoded, pl->width);
    rc |= XGBoosterSetStrFeatureInfo(b, "feature_type", types, pl->width);
    free(types);
#define SET(k, fmt, x) (snprintf(v, sizeof v, fmt, x), rc |= XGBoosterSetParam(b, k, v))
    rc |= XGBoosterSetParam(b, "objective", in->task == CK_TASK_CLASSIFICATION
                                                ? "binary:logistic" : "reg:squarederror");
    rc |= XGBoosterSetParam(b, "tree_method", "hist");
    SET("eta", "%.17g", param[P_ETA]);
    SET("max_depth", "%.0f", param[P_DEPTH]);
    SET("min_child_weight", "%.17g", param[P_MCW]);
    SET("lambda", "%.17g", param[P_LAMBDA]);
    SET("gamma", "%.17g", param[P_GAMMA]);
    SET("subsample", "%.17g", param[P_SUBSAMPLE]);
    SET("colsample_bytree", "%.17g", param[P_COLSAMPLE]);
    SET("max_bin", "%.0f", param[P_BINS]);
    SET("max_cat_to_onehot", "%.0f", param[P_ONEHOT]);
    SET("seed", "%lu", in->seed);
    SET("nthread", "%zu", in->threads);
    if (in->task == CK_TASK_CLASSIFICATION)
        SET("scale_pos_weight", "%.17g", pos_weight(in->ds));
    if (mono)
        rc |= XGBoosterSetParam(b, "monotone_constraints", mono);
#undef SET
    free(mono);
    if (rc != 0) {
        XGBoosterFree(b);
        *out = NULL;
        return xgb_error(err, "take the parameters");
    }
    return CK_OK;
}

/* ------------------------------------------------------------------ */
/* the trees, read back */

/* Mean |SHAP| of each feature over the training rows (at most SHAP_ROWS
 * of them, evenly spaced): the importance on the model's own scale.  The
 * rows are cut into chunks by their count alone, each chunk sums its own
 * |phi| and the sums are added in chunk order (parallel.h), so the
 * importance is the same bits for any thread count. */
typedef struct shap_job {
    const state *s;
    const ck_dataset *ds;
    size_t used, nchunks;
    double *sum;              /* nchunks x width */
    double **x, **phi;        /* by worker */
    void **scratch;           /* by worker */
} shap_job;

static void shap_chunk(void *arg, size_t c, size_t worker)
{
    shap_job *j = arg;
    size_t begin, end, p = j->s->width;
    double *sum = j->sum + c * p;
    ck_chunk_range(j->used, j->nchunks, c, &begin, &end);
    for (size_t k = begin; k < end; k++) {
        ck_design_row(j->ds->design, j->ds->rows[shap_row(j->ds->n, k)], j->x[worker]);
        ck_trees_shap(j->s->trees, j->x[worker], j->phi[worker], j->scratch[worker]);
        for (size_t f = 0; f < p; f++)
            sum[f] += fabs(j->phi[worker][f]);
    }
}

static void shap_job_free(shap_job *j, size_t workers)
{
    for (size_t k = 0; k < workers; k++) {
        free(j->x ? j->x[k] : NULL);
        free(j->phi ? j->phi[k] : NULL);
        if (j->scratch)
            ck_trees_scratch_free(j->scratch[k]);
    }
    free(j->x);
    free(j->phi);
    free(j->scratch);
    free(j->sum);
}

static ck_status mean_shap(state *s, const ck_dataset *ds, size_t threads, ck_error *err)
{
    size_t p = s->width;
    shap_job j = {s, ds, shap_count(ds->n), 0, NULL, NULL, NULL, NULL};
    /* a row's SHAP costs as much as scoring thousands: chunks of 64 rows
     * at least (ck_chunks_for's 16,384 would leave one thread alone) */
    j.nchunks = j.used / 64 + 1 < CK_CHUNKS_MAX ? j.used / 64 + 1 : CK_CHUNKS_MAX;
    size_t workers = ck_parallel_workers(j.nchunks, threads);
    int ok = (j.sum = calloc(j.nchunks * (p ? p : 1), sizeof *j.sum)) &&
             (j.x = calloc(workers, sizeof *j.x)) && (j.phi = calloc(workers, sizeof *j.phi)) &&
             (j.scratch = calloc(workers, sizeof *j.scratch));
    for (size_t k = 0; ok && k < workers; k++)
        ok = (j.x[k] = malloc((p + 1) * sizeof **j.x)) &&
             (j.phi[k] = malloc((p + 1) * sizeof **j.phi)) &&
             (j.scratch[k] = ck_trees_scratch_new(s->trees));
    if (!ok) {
        shap_job_free(&j, workers);
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    }
    ck_parallel_for(j.nchunks, threads, shap_chunk, &j);
    for (size_t f = 0; f < p; f++) {
        double sum = 0;
        for (size_t c = 0; c < j.nchunks; c++)
            sum += j.sum[c * p + f];
        s->mean_shap[f] = j.used ? sum / (double)j.used : NAN;
    }
    s->shap_rows = j.used;
    shap_job_free(&j, workers);
    return CK_OK;
}

/* Reads xgboost's model text into s: the trees and their total gains. */
static ck_status read_booster(state *s, const char *text, size_t len, ck_error *err)
{
    json_t *model = NULL;
    s->gain = calloc(s->width ? s->width : 1, sizeof *s->gain);
    s->mean_shap = calloc(s->width ? s->width : 1, sizeof *s->mean_shap);
    if (!s->gain || !s->mean_shap)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    ck_status st = ck_trees_json_load(&model, text, len, err);
    if (st == CK_OK)
        st = ck_trees_from_json(&s->trees, model, s->width, err);
    json_decref(model);
    /* the importance "total_gain": every split's loss_changes (trees.h) */
    if (st == CK_OK && !s->trees->gain)
        st = ck_error_set(err, CK_EMODEL, "gbdt: a tree of the booster has no loss_changes");
    if (st == CK_OK)
        memcpy(s->gain, s->trees->gain, s->width * sizeof *s->gain);
    return st;
}

/* ------------------------------------------------------------------ */
/* fitting */

static ck_status boost(BoosterHandle b, DMatrixHandle d, size_t rounds, const ck_fit_input *in,
                       ck_error *err)
{
    for (size_t r = 0; r < rounds; r++) {
        if (in->progress && r % 10 == 0)
            in->progress(in->progress_ctx, "boosting", (double)r / (double)rounds);
        if (XGBoosterUpdateOneIter(b, (int)r, d) != 0)
            return xgb_error(err, "boost");
    }
    return CK_OK;
}

static double score(const void *p, const double *x, void *sc);

/* What the booster was given, for the report and the model file: every
 * parameter that shapes the trees, the class weight and the constraints. */
static ck_status settings_text(const ck_fit_input *in, char **out, ck_error *err)
{
    const double *q = in->param;
    char weight[48] = "";
    if (in->task == CK_TASK_CLASSIFICATION)
        snprintf(weight, sizeof weight, ", scale_pos_weight %.4g", pos_weight(in->ds));
    const char *mono = in->text[P_MONOTONE];
    size_t n = 400 + (mono ? strlen(mono) : 0);
    if (!(*out = malloc(n)))
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    snprintf(*out, n, "%.0f trees, depth %.0f, learning rate %g, min child weight %g, lambda %g, "
                      "gamma %g, subsample %g, column sample %g, %.0f bins, one level against "
                      "the rest up to %.0f levels%s%s%s, seed %lu",
             q[P_TREES], q[P_DEPTH], q[P_ETA], q[P_MCW], q[P_LAMBDA], q[P_GAMMA], q[P_SUBSAMPLE],
             q[P_COLSAMPLE], q[P_BINS], q[P_ONEHOT], weight, mono ? ", monotone " : "",
             mono ? mono : "", in->seed);
    return CK_OK;
}

/* The training rows' scores from libxgboost's cache of their margins (it
 * keeps them to boost, so asking costs next to nothing, where scoring a
 * million rows again costs a quarter of a second), for the training
 * metrics.  Kept only when they are the very scores churnkit's own walk
 * gives (trees.h: the same float sums in the same order): checked on the
 * SHAP rows, bit for bit, and dropped at the first difference. */
static ck_status keep_fitted(state *s, BoosterHandle b, DMatrixHandle d, const ck_dataset *ds,
                             ck_error *err)
{
    const char *config = "{\"type\": 1, \"training\": false, \"iteration_begin\": 0, "
                         "\"iteration_end\": 0, \"strict_shape\": false}";
    const bst_ulong *shape = NULL;
    bst_ulong dim = 0;
    const float *margin = NULL;
    if (XGBoosterPredictFromDMatrix(b, d, config, &shape, &dim, &margin) != 0)
        return xgb_error(err, "give the training rows' margins");
    if (dim != 1 || shape[0] != ds->n)
        return CK_OK; /* not the shape asked for: the rows are scored again */
    size_t n = ds->n;
    double *x = malloc((s->width + 1) * sizeof *x);
    if (!x || !(s->fitted = malloc((n ? n : 1) * sizeof *s->fitted))) {
        free(x);
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    }
    s->nfitted = n;
    for (size_t i = 0; i < n; i++)
        s->fitted[i] = ck_trees_output(s->trees, (double)margin[i]);
    for (size_t k = 0; k < shap_count(n); k++) {
        size_t i = shap_row(n, k);
        ck_design_row(ds->design, ds->rows[i], x);
        double v = score(s, x, NULL);
        if (memcmp(&v, &s->fitted[i], sizeof v) != 0) {
            free(s->fitted);
            s->fitted = NULL;
            s->nfitted = 0;
            break;
        }
    }
    free(x);
    return CK_OK;
}

static ck_status fit(const ck_fit_input *in, void **out, ck_warnings *w, ck_error *err)
{
    const ck_pipeline *pl = in->ds->design->pl;
    DMatrixHandle d = NULL;
    BoosterHandle b = NULL;
    state *s = calloc(1, sizeof *s);
    bst_ulong len = 0;
    const char *buf = NULL;
    (void)w;
    if (!s)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    s->width = pl->width;
    ck_status st = settings_text(in, &s->settings, err);
    if (st == CK_OK)
        st = make_dmatrix(in->ds, in->threads, &d, err);
    if (st == CK_OK)
        st = make_booster(in, in->param, d, pl, &b, err);
    if (st == CK_OK)
        st = boost(b, d, (size_t)in->param[P_TREES], in, err);
    if (st == CK_OK && XGBoosterSaveModelToBuffer(b, "{\"format\": \"json\"}", &len, &buf) != 0)
        st = xgb_error(err, "write its model");
    if (st == CK_OK && !(s->booster = malloc(len + 1)))
        st = ck_error_set(err, CK_ENOMEM, "out of memory");
    if (st == CK_OK) {
        memcpy(s->booster, buf, len);
        s->booster[len] = '\0';
        st = read_booster(s, s->booster, len, err);
    }
    if (st == CK_OK && in->final)
        st = mean_shap(s, in->ds, in->threads, err);
    if (st == CK_OK && in->final)
        st = keep_fitted(s, b, d, in->ds, err);
    if (b)
        XGBoosterFree(b);
    if (d)
        XGDMatrixFree(d);
    if (st != CK_OK) {
        free_state(s);
        return st;
    }
    *out = s;
    return CK_OK;
}

/* ------------------------------------------------------------------ */
/* tuning: the number of trees by early stopping, and --tune's grid */

typedef struct fold {
    ck_dataset train, test;
    DMatrixHandle dtrain, dtest;
    BoosterHandle b;
} fold;

/* The loss in xgboost's evaluation text "[3]\ttest-logloss:0.2134". */
static double eval_value(const char *text)
{
    const char *colon = text ? strrchr(text, ':') : NULL;
    return colon ? strtod(colon + 1, NULL) : NAN;
}

/* One round of every fold's booster; the pooled out-of-fold loss: the mean
 * log-loss, or the mean squared error (rmse squared, weighed by rows). */
static ck_status fold_round(fold *f, size_t k, size_t r, int regression, double *loss,
                            ck_error *err)
{
    double sum = 0, rows = 0;
    for (size_t j = 0; j < k; j++) {
        const char *name = "test", *text = NULL;
        if (XGBoosterUpdateOneIter(f[j].b, (int)r, f[j].dtrain) != 0 ||
            XGBoosterEvalOneIter(f[j].b, (int)r, &f[j].dtest, &name, 1, &text) != 0)
            return xgb_error(err, "boost a fold");
        double v = eval_value(text), n = (double)f[j].test.n;
        sum += n * (regression ? v * v : v);
        rows += n;
    }
    *loss = rows > 0 ? sum / rows : NAN;
    return CK_OK;
}

/* Boosts the folds in lockstep with `param` until the pooled loss has not
 * improved for `patience` rounds or `cap` rounds are done; the curve (one
 * loss a round) goes to *curve, the best round count to *best. */
static ck_status early_stop(const ck_tune_input *in, fold *f, const double *param, size_t cap,
                            double **curve, size_t *ncurve, size_t *best, double *best_loss,
                            ck_error *err)
{
    size_t patience = (size_t)param[P_EARLY];
    int regression = in->fit.task != CK_TASK_CLASSIFICATION;
    ck_status st = CK_OK;
    double *c = malloc((cap ? cap : 1) * sizeof *c);
    if (!c)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    for (size_t j = 0; j < in->k && st == CK_OK; j++) {
        ck_fit_input fi = in->fit;
        fi.ds = &f[j].train;
        st = make_booster(&fi, param, f[j].dtrain, f[j].train.design->pl, &f[j].b, err);
        if (st == CK_OK && XGBoosterSetParam(f[j].b, "eval_metric",
                                             regression ? "rmse" : "logloss") != 0)
            st = xgb_error(err, "take the evaluation metric");
    }
    *best = 0;
    *best_loss = INFINITY;
    size_t r = 0;
    for (; r < cap && st == CK_OK && r < *best + patience + 1; r++) {
        if (in->fit.progress && r % 10 == 0)
            in->fit.progress(in->fit.progress_ctx, "early stopping", (double)r / (double)cap);
        st = fold_round(f, in->k, r, regression, &c[r], err);
        if (st == CK_OK && c[r] < *best_loss) {
            *best_loss = c[r];
            *best = r;
        }
    }
    for (size_t j = 0; j < in->k; j++)
        if (f[j].b) {
            XGBoosterFree(f[j].b);
            f[j].b = NULL;
        }
    if (st == CK_OK && !(*best_loss < INFINITY))
        st = ck_error_set(err, CK_EDATA, "gbdt: early stopping saw no finite loss");
    if (st != CK_OK) {
        free(c);
        return st;
    }
    (*best)++; /* rounds, not the round's index */
    *curve = c;
    *ncurve = r;
    return CK_OK;
}

static void free_folds(fold *f, size_t k)
{
    for (size_t j = 0; f && j < k; j++) {
        if (f[j].dtrain)
            XGDMatrixFree(f[j].dtrain);
        if (f[j].dtest)
            XGDMatrixFree(f[j].dtest);
    }
    free(f);
}

/* --tune's grid: depth by learning rate; a smaller rate may use more trees
 * (at least 30 / rate, so 600 at 0.05). */
static const double grid_depth[] = {3, 4, 6}, grid_eta[] = {0.05, 0.1, 0.3};

static ck_status tune(const ck_tune_input *in, double *param, ck_tuning *out, ck_warnings *w,
                      ck_error *err)
{
    static const char *const names[] = {"max-depth", "learning-rate", "trees"};
    size_t ng = in->grid ? 9 : 1, kept = 0;
    double trial[NPARAMS], best_loss = INFINITY, *best_curve = NULL;
    size_t best_n = 0, best_cap = 0, capped = 0;
    char method[120];
    fold *f = calloc(in->k, sizeof *f);
    ck_status st = f ? CK_OK : ck_error_set(err, CK_ENOMEM, "out of memory");
    snprintf(method, sizeof method, "%searly stopping after %.0f rounds without gain, %zu-fold %s",
             in->grid ? "grid search, " : "", param[P_EARLY], in->k,
             in->fit.task == CK_TASK_CLASSIFICATION ? "log-loss" : "squared error");
    if (st == CK_OK && ck_tuning_begin(out, method, names, 3) != 0)
        st = ck_error_set(err, CK_ENOMEM, "out of memory");
    for (size_t j = 0; j < in->k && st == CK_OK; j++)
        if ((st = in->fold_data(in->ctx, j, &f[j].train, &f[j].test, err)) == CK_OK &&
            (st = make_dmatrix(&f[j].train, in->fit.threads, &f[j].dtrain, err)) == CK_OK)
            st = make_dmatrix(&f[j].test, in->fit.threads, &f[j].dtest, err);
    for (size_t g = 0; g < ng && st == CK_OK; g++) {
        double *curve = NULL, loss = NAN;
        size_t ncurve = 0, rounds = 0;
        memcpy(trial, param, sizeof trial);
        if (in->grid) {
            trial[P_DEPTH] = grid_depth[g / 3];
            trial[P_ETA] = grid_eta[g % 3];
        }
        double cap = in->grid ? fmax(param[P_TREES], ceil(30 / trial[P_ETA])) : param[P_TREES];
        st = early_stop(in, f, trial, (size_t)cap, &curve, &ncurve, &rounds, &loss, err);
        double row[3] = {trial[P_DEPTH], trial[P_ETA], (double)rounds};
        capped += st == CK_OK && ncurve == (size_t)cap && (size_t)cap - rounds < param[P_EARLY];
        if (st == CK_OK && ck_tuning_add(out, row, loss) != 0)
            st = ck_error_set(err, CK_ENOMEM, "out of memory");
        if (st == CK_OK && loss < best_loss) {
            best_loss = loss;
            kept = g;
            free(best_curve);
            best_curve = curve;
            best_n = ncurve;
            best_cap = (size_t)cap;
            curve = NULL;
        }
        free(curve);
    }
    free_folds(f, in->k);
    /* the cap came before the patience ran out: more trees might do better */
    size_t chosen = st == CK_OK ? (size_t)out->tried[3 * kept + 2] : 0;
    int best_capped = best_n == best_cap && best_cap - chosen < (size_t)param[P_EARLY];
    if (st == CK_OK && best_capped)
        ck_warn(w, "gbdt: early stopping reached the most trees allowed (%zu%s) before %.0f "
                   "rounds without gain: the choice (%zu trees) may be cut short; raise --trees",
                best_cap, in->grid ? " at that depth and learning rate" : "", param[P_EARLY],
                chosen);
    /* other settings cut short: their losses are worse than they could be,
     * and the grid may have passed over a better one */
    if (st == CK_OK && in->grid && capped > (size_t)best_capped)
        ck_warn(w, "gbdt --tune: %zu of the other %zu settings reached their most trees "
                   "(max(--trees, 30 / learning rate)) before %.0f rounds without gain: more "
                   "trees could lower their losses in the table; raise --trees to compare them "
                   "fairly", capped - (size_t)best_capped, ng - 1, param[P_EARLY]);
    if (st != CK_OK) {
        free(best_curve);
        return st;
    }
    out->best = kept;
    out->curve = best_curve;
    out->ncurve = best_n;
    param[P_DEPTH] = out->tried[3 * kept];
    param[P_ETA] = out->tried[3 * kept + 1];
    param[P_TREES] = out->tried[3 * kept + 2];
    return CK_OK;
}

/* ------------------------------------------------------------------ */
/* scoring and explaining */

typedef struct scratch {
    void *shap;               /* trees.c's */
    double phi[];             /* width + 1 */
} scratch;

static void *make_scratch(const void *p)
{
    const state *s = p;
    scratch *sc = malloc(sizeof *sc + (s->width + 1) * sizeof(double));
    if (sc && !(sc->shap = ck_trees_scratch_new(s->trees))) {
        free(sc);
        sc = NULL;
    }
    return sc;
}

static void free_scratch(void *p)
{
    scratch *sc = p;
    if (sc)
        ck_trees_scratch_free(sc->shap);
    free(sc);
}

static double score(const void *p, const double *x, void *sc)
{
    const state *s = p;
    (void)sc;
    return ck_trees_output(s->trees, ck_trees_margin(s->trees, x));
}

static void score_rows(const void *p, const double *x, size_t n, size_t stride, double *out,
                       void *sc)
{
    const state *s = p;
    (void)sc;
    ck_trees_margins(s->trees, x, n, stride, out);
    for (size_t i = 0; i < n; i++)
        out[i] = ck_trees_output(s->trees, out[i]);
}

/* Exact TreeSHAP values on the margin (log-odds for a classifier),
 * relative to the expected margin. */
static void contributions(const void *p, const ck_pipeline *pl, const double *x, double *out,
                          void *sc)
{
    const state *s = p;
    scratch *scr = sc;
    ck_trees_shap(s->trees, x, scr->phi, scr->shap);
    memcpy(out, scr->phi, pl->width * sizeof *out);
}

/* ------------------------------------------------------------------ */
/* the model file */

static const char *objective_of(ck_task task)
{
    return task == CK_TASK_CLASSIFICATION ? "binary:logistic" : "reg:squarederror";
}

static ck_status save(const void *p, const ck_model *m, json_t *root, json_t *fit,
                      ck_error *err)
{
    const state *s = p;
    json_t *o = json_object(), *imp = json_object();
    int bad = !o || !imp;
    bad |= ck_json_put(o, "objective", json_string(objective_of(m->task)));
    bad |= ck_json_put(o, "xgboost_model", json_string(s->booster));
    bad |= ck_json_put(root, "gbdt", o);
    bad |= ck_json_put(fit, "trees", json_integer((json_int_t)s->trees->ntrees));
    bad |= ck_json_put(fit, "max_depth", json_integer((json_int_t)s->trees->max_depth));
    bad |= ck_json_put(fit, "nodes", json_integer((json_int_t)s->trees->nnodes));
    if (s->settings)
        bad |= ck_json_put(fit, "booster_settings", json_string(s->settings));
    bad |= ck_json_put(fit, "shap_base_value", ck_json_number(s->trees->bias));
    bad |= ck_json_put(imp, "total_gain", ck_json_numbers(s->gain, s->width));
    bad |= ck_json_put(imp, "mean_abs_shap", ck_json_numbers(s->mean_shap, s->width));
    bad |= ck_json_put(imp, "mean_abs_shap_rows", json_integer((json_int_t)s->shap_rows));
    bad |= ck_json_put(fit, "importance", imp);
    return bad ? ck_error_set(err, CK_ENOMEM, "out of memory") : CK_OK;
}

static ck_status load(void **out, const ck_model *m, json_t *root, json_t *fit,
                      ck_json_reader *rd)
{
    json_t *o, *imp;
    char *text = NULL, *objective = NULL;
    ck_status st;
    if ((st = ck_json_get_object(rd, root, "gbdt", "gbdt", &o)) != CK_OK ||
        (st = ck_json_get_string(rd, o, "objective", "gbdt.objective", &objective)) != CK_OK)
        return st;
    int fits = strcmp(objective, objective_of(m->task)) == 0;
    free(objective);
    if (!fits)
        return ck_json_bad(rd, "gbdt.objective", "does not fit the task");
    if (!m->pl->raw)
        return ck_json_bad(rd, "raw_inputs", "must be true for trees");
    if ((st = ck_json_get_string(rd, o, "xgboost_model", "gbdt.xgboost_model", &text)) != CK_OK)
        return st;
    state *s = calloc(1, sizeof *s);
    if (!s) {
        free(text);
        return ck_error_set(rd->err, CK_ENOMEM, "out of memory");
    }
    s->width = m->pl->width;
    s->booster = text;
    st = read_booster(s, text, strlen(text), rd->err);
    if (st != CK_OK) {
        free_state(s);
        return ck_json_foreign(rd, st);
    }
    /* the booster's own objective decides its output (a margin, a
     * probability): it must be the one the model file states */
    if (strcmp(s->trees->objective, objective_of(m->task)) != 0) {
        char what[160];
        snprintf(what, sizeof what, "has the booster objective '%.40s', not the model's '%s'",
                 s->trees->objective, objective_of(m->task));
        free_state(s);
        return ck_json_bad(rd, "gbdt.xgboost_model", what);
    }
    /* importance: a record for reports, read leniently */
    imp = json_object_get(fit, "importance");
    if (ck_json_get_numbers(rd, imp, "mean_abs_shap", "fit.importance.mean_abs_shap",
                            s->width, s->mean_shap) != CK_OK)
        for (size_t j = 0; j < s->width; j++)
            s->mean_shap[j] = NAN;
    json_int_t rows = json_integer_value(json_object_get(imp, "mean_abs_shap_rows"));
    s->shap_rows = rows > 0 ? (size_t)rows : 0;
    const char *set = json_string_value(json_object_get(fit, "booster_settings"));
    if (set && !(s->settings = strdup(set))) {
        free_state(s);
        return ck_error_set(rd->err, CK_ENOMEM, "out of memory");
    }
    ck_error_clear(rd->err);
    *out = s;
    return CK_OK;
}

/* ------------------------------------------------------------------ */
/* reports */

typedef struct ranked {
    size_t j;
    double v;
} ranked;

static int by_importance(const void *a, const void *b)
{
    double x = ((const ranked *)a)->v, y = ((const ranked *)b)->v;
    if (isnan(x) || isnan(y))
        return isnan(x) - isnan(y);
    return (x < y) - (x > y);
}

static void report(FILE *out, const void *p, const ck_model *m)
{
    const state *s = p;
    ranked *r = malloc((s->width ? s->width : 1) * sizeof *r);
    double all = 0;
    fprintf(out, "Gradient-boosted trees (libxgboost %s): %zu trees, deepest %zu, %zu nodes\n",
            "1.7", s->trees->ntrees, s->trees->max_depth, s->trees->nnodes);
    if (s->settings)
        fprintf(out, "Booster: %s\n", s->settings);
    if (!r)
        return;
    for (size_t j = 0; j < s->width; j++) {
        r[j] = (ranked){j, s->mean_shap[j]};
        all += isnan(s->gain[j]) ? 0 : s->gain[j];
    }
    qsort(r, s->width, sizeof *r, by_importance);
    fprintf(out, "\n%-32s %14s %12s %8s\n", "feature", "mean |SHAP|", "total gain", "share");
    for (size_t k = 0; k < s->width && k < 30; k++) {
        size_t j = r[k].j;
        fprintf(out, "%-32.32s %14.4g %12.4g %7.1f%%\n", m->pl->encoded[j], s->mean_shap[j],
                s->gain[j], all > 0 ? 100 * s->gain[j] / all : 0.0);
    }
    if (s->width > 30)
        fprintf(out, "... and %zu more features (all of them are in the model file)\n",
                s->width - 30);
    fprintf(out, "mean |SHAP|: the average size of a feature's contribution to the %s over ",
            m->task == CK_TASK_CLASSIFICATION ? "log-odds" : "prediction");
    if (s->shap_rows)
        fprintf(out, "%zu of the training rows (evenly spaced).\n", s->shap_rows);
    else
        fprintf(out, "the training rows.\n");
    fprintf(out, "share: of the total gain. A row's contributions (every feature's; its reasons "
                 "are the largest) add up to its %s minus the expected %s, %.6g (the SHAP base "
                 "value).\n",
            m->task == CK_TASK_CLASSIFICATION ? "log-odds" : "prediction",
            m->task == CK_TASK_CLASSIFICATION ? "log-odds" : "prediction", s->trees->bias);
    free(r);
}

static const double *fitted(const void *p, size_t n)
{
    const state *s = p;
    return s->fitted && s->nfitted == n ? s->fitted : NULL;
}

static ck_status terms(const void *p, const ck_model *m, ck_terms *out, ck_error *err)
{
    const state *s = p;
    out->kind = "importance";
    out->title = "Feature importance (mean |SHAP|)";
    out->aux_name = "total_gain";
    out->aux_title = "Total gain (the loss its splits removed)";
    out->n = s->width;
    out->term = calloc(s->width ? s->width : 1, sizeof *out->term);
    if (!out->term)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    for (size_t j = 0; j < s->width; j++)
        out->term[j] = (ck_term){.name = m->pl->encoded[j], .value = s->mean_shap[j], .lo = NAN,
                                 .hi = NAN, .p = NAN, .aux = s->gain[j]};
    return CK_OK;
}

const ck_estimator_type ck_est_gbdt = {
    .name = "gbdt",
    .help = "gradient-boosted trees trained by libxgboost; scored and explained (exact "
            "TreeSHAP) by churnkit",
    .tasks = CK_TASK_BIT(CK_TASK_CLASSIFICATION) | CK_TASK_BIT(CK_TASK_REGRESSION),
    .default_task = CK_TASK_CLASSIFICATION,
    .flags = CK_EST_RAW_INPUTS | CK_EST_CONTRIBUTIONS | CK_EST_CLASS_WEIGHTS,
    .params = params,
    .nparams = NPARAMS,
    .like = (const char *const[]){"l2", "lambda", NULL},
    .check = check,
    .scale_hint = "beyond one machine, xgboost's own distributed training (Spark, Dask) "
                  "writes the same booster (docs/scale.md)",
    .fit = fit,
    .scratch = make_scratch,
    .scratch_free = free_scratch,
    .score = score,
    .score_rows = score_rows,
    .contributions = contributions,
    .save = save,
    .load = load,
    .report = report,
    .terms = terms,
    .fitted = fitted,
    .tune = tune,
    .free = free_state,
};
