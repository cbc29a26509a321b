/*
 * pipeline.h -- turning table columns into the numbers a model sees.
 *
 * Fitted on training rows, stored in the model file, applied anywhere:
 *  - numeric features: optionally put on a log scale first (symlog:
 *    sign(x) log(1 + |x|), for heavy-tailed counts and money); a missing
 *    value is replaced by the training median, then standardized,
 *    z = (x - mean) / scale, with the mean and the
 *    population standard deviation (ddof = 0, as scikit-learn's
 *    StandardScaler) of the imputed training values.  A constant column is
 *    dropped with a warning.  Optionally an is-missing indicator (0/1, not
 *    standardized) follows a feature that had missing training values.
 *  - categorical features: one-hot indicators (0/1, not standardized), one
 *    per training level in byte order.  With drop_first one level is the
 *    reference and gets no column, so that each other level's coefficient
 *    is a contrast against it (and an unpenalized fit, where a full set of
 *    indicators is collinear with the intercept, is identified): the first
 *    level, unless `reference` names another ("NAME=LEVEL").  An --exclude
 *    entry "NAME=LEVEL" drops that level's column too (an aliased level,
 *    say): its rows encode as the reference's.  A missing value, or a level
 *    not seen in training, encodes as all zeros.
 *
 *  - spline features (--splines): a numeric feature's value (on its scale,
 *    imputed) through a natural cubic spline basis, K - 1 columns
 *    "name__ns1", ... in place of its standardized column (spline.h), the
 *    knots at training quantiles; the indicator, if any, follows them.
 *
 * The encoded row is laid out feature after feature, in input order; its
 * width excludes the intercept, which models add themselves.
 *
 * Raw inputs (for trees, CK_EST_RAW_INPUTS): one column a feature, named as
 * the feature -- a number as it is (no log scale, no imputation, no
 * standardization; missing stays NaN), a category as its level's position
 * (0, 1, ...; NaN when missing or unseen).  The training statistics are
 * still kept, for drift checks.
 */
#ifndef CHURNKIT_PIPELINE_H
#define CHURNKIT_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "churnkit/dict.h"
#include "churnkit/error.h"
#include "churnkit/jsonio.h"
#include "churnkit/reduce.h"
#include "churnkit/spline.h"
#include "churnkit/table.h"

typedef enum ck_feat_kind {
    CK_FEAT_NUMERIC = 1,
    CK_FEAT_CATEGORICAL = 2
} ck_feat_kind;

/* Training distribution of a feature, kept for drift checks: the deciles of
 * a numeric feature (before imputation), or the share of each level. */
#define CK_DECILES 9

typedef struct ck_feature {
    char *name;               /* input column */
    ck_feat_kind kind;
    /* numeric */
    int symlog;               /* transform x -> sign(x) log(1 + |x|) first */
    double median;            /* imputation value (on the transformed scale) */
    double mean, scale;       /* standardization */
    int missing_indicator;    /* an extra 0/1 column "name__missing" */
    ck_spline *spline;        /* owned, or NULL: natural spline columns
                                 "name__ns1".. in place of the standardized
                                 one (--splines, spline.h) */
    double deciles[CK_DECILES]; /* of the raw values */
    size_t nbin_share;        /* the training shares of the bins the distinct
                                 deciles cut the raw values into (the
                                 non-missing rows; 0 when unknown) */
    double bin_share[CK_DECILES + 1];
    double missing_share;     /* share of missing training values */
    /* categorical */
    size_t nlevels;
    char **levels;            /* sorted, byte order */
    double *level_share;      /* training share of each level */
    int has_reference;        /* one level is the reference: no column */
    size_t reference;         /* its position in levels */
    unsigned char *excluded;  /* nlevels flags, or NULL: levels without a
                                 column by --exclude NAME=LEVEL */
    int32_t *column;          /* nlevels: each level's column within the
                                 feature, or -1 (ck_pipeline_finish) */
    ck_dict *index;           /* level text -> position in levels */
    int raw;                  /* the pipeline's raw-inputs mode (a copy) */
    /* layout */
    size_t offset, width;     /* its columns in the encoded row */
} ck_feature;

typedef struct ck_pipeline {
    size_t nfeat;
    ck_feature *feat;
    size_t width;             /* encoded width, intercept excluded */
    char **encoded;           /* width column names: "age", "plan=pro",
                                 "age__missing" */
    double *center;           /* width training means of the encoded columns
                                 (0 for standardized ones, the share for
                                 indicators): the average row; NaN with
                                 raw inputs */
    int raw;                  /* raw inputs (see above) */
} ck_pipeline;

typedef struct ck_pipeline_options {
    const char *const *features; /* use exactly these columns (NULL: all) */
    size_t nfeatures;
    const char *const *exclude;  /* ... except these; "NAME=LEVEL" drops
                                    one level's column of a text column */
    size_t nexclude;
    const char *const *reference; /* "NAME=LEVEL": the reference level of a
                                    text column (one without a column) */
    size_t nreference;
    const char *label;           /* never a feature (may be NULL) */
    const char *event;           /* a survival target's event: never a feature */
    const char *weight;          /* the row weights' column: never a feature */
    const char *id;              /* never a feature (may be NULL) */
    int missing_indicators;
    const char *const *log;      /* numeric columns to put on the symlog scale */
    size_t nlog;
    size_t max_levels;           /* refuse categorical columns with more
                                    training levels (default 100) */
    int drop_first;              /* a reference level in each text column:
                                    the first, or the one `reference` names */
    int raw;                     /* raw inputs: no log scale, indicators or
                                    reference level */
    const char *const *splines;  /* numeric columns given spline terms;
                                    "all": every numeric feature; non-NULL
                                    with nsplines 0: an empty --splines,
                                    which ck_train refuses */
    size_t nsplines;
    size_t spline_knots;         /* knots a spline (0: 5) */
    int spline_penalty;          /* their difference penalty (spline.h) */
    const ck_reducer *reducer;   /* a distributed fit: statistics over every
                                    process's rows (NULL: this table only) */
    size_t threads;              /* columns fitted at once (0: one a
                                    processor; 1 with a reducer) */
} ck_pipeline_options;

void ck_pipeline_options_init(ck_pipeline_options *opt);

/* Fits a pipeline on rows[0..nrows) of t (all rows when rows is NULL).
 * Constant columns are dropped with a warning.  Errors: a named column
 * missing (with suggestions), too many levels, no features left, a level
 * named in exclude or reference that the column does not have (CK_EUSAGE;
 * one that the table has but these rows do not, in a fold, is passed
 * over). */
ck_status ck_pipeline_fit(ck_pipeline **out, const ck_table *t, const size_t *rows,
                          size_t nrows, const ck_pipeline_options *opt, ck_warnings *w,
                          ck_error *err);

/* An empty pipeline to fill by hand (model loading); NULL when out of
 * memory.  Call ck_pipeline_finish after adding features. */
ck_pipeline *ck_pipeline_new(void);
/* Lays out the encoded row and builds level indexes. */
ck_status ck_pipeline_finish(ck_pipeline *pl, ck_error *err);
void ck_pipeline_free(ck_pipeline *pl);

/* The model file's "features" and "encoded" keys, set on root. */
ck_status ck_pipeline_to_json(const ck_pipeline *pl, json_t *root, ck_error *err);

/* A pipeline read back from a model file's "features", checked field by
 * field and against its "encoded" names. */
ck_status ck_pipeline_from_json(ck_pipeline **out, const json_t *root, ck_json_reader *rd);

/* The distinct deciles of a numeric feature, in order, into edges
 * (CK_DECILES entries: +infinity after the last); returns their count.
 * They cut the line into count + 1 bins: (-inf, e0], (e0, e1], ...,
 * (e_last, inf). */
size_t ck_feature_edges(const ck_feature *f, double *edges);

/* The bin of a raw value x (not NaN) among those edges: how many lie below
 * it (the edges are sorted), counted over all CK_DECILES entries without a
 * branch, a loop of fixed length the compiler unrolls.  Inline: it is
 * called for every value scored, of every numeric feature (drift). */
static inline size_t ck_edges_bin(const double *edges, double x)
{
    size_t k = 0;
    for (size_t i = 0; i < CK_DECILES; i++)
        k += x > edges[i];
    return k;
}

/* sign(x) log(1 + |x|): a log scale that keeps zero and the sign. */
double ck_symlog(double x);

/* Position of a level in feature f, or -1 when unseen. */
int32_t ck_feature_level(const ck_feature *f, const char *s, size_t len);

/*
 * Encoding one row.  num[k] is feature k's value (NaN = missing) for
 * numeric features; level[k] is the level position (-1 = missing or unseen)
 * for categorical ones.  Writes pl->width values to x.
 */
void ck_pipeline_encode(const ck_pipeline *pl, const double *num, const int32_t *level,
                        double *x);

/* The same row sparsely: the encoded columns that may be nonzero into
 * idx[] (increasing) and their values into val[] (both with room for
 * ck_pipeline_sparse_room(pl)); returns their number.  Every other column
 * is 0. */
size_t ck_pipeline_encode_sparse(const ck_pipeline *pl, const double *num, const int32_t *level,
                                 size_t *idx, double *val);

/* The most columns ck_pipeline_encode_sparse writes for a row. */
size_t ck_pipeline_sparse_room(const ck_pipeline *pl);

/* The penalty matrix S of the coefficients (p = 1 + width, row-major,
 * p x p) into s: 0 for the intercept, the identity (ridge) for every
 * column, except ck_spline_penalty's block (spline.h) on the columns of a
 * penalized spline.  1
 * when some spline is penalized, 0 when S is the plain ridge (s then
 * untouched); with s NULL, only which of the two. */
int ck_pipeline_penalty(const ck_pipeline *pl, double *s);

/*
 * A design: a pipeline bound to a table, giving encoded rows on demand
 * without materializing the matrix (8 bytes a cell stay the table's).
 */
typedef struct ck_design {
    const ck_pipeline *pl;
    const ck_table *t;
    size_t *col;        /* by feature: table column */
    int32_t **code_map; /* by categorical feature: table code -> level or -1 */
    size_t unseen;      /* table cells whose level the pipeline never saw */
} ck_design;

/* For a raw-inputs pipeline (tree models, which compare in float as
 * xgboost does): every numeric feature's value on rows[0..n) of t (NULL:
 * the first n rows) within +-FLT_MAX, where a float is still finite; else
 * CK_EDATA naming the first that is not by line and column.  CK_OK for
 * other pipelines. */
ck_status ck_pipeline_check_floats(const ck_pipeline *pl, const ck_table *t, const size_t *rows,
                                   size_t n, ck_error *err);

/* Binds pl to t: every feature must be a column of t of a usable type (a
 * numeric feature must be numeric in t).  Fill with ck_design_fini. */
ck_status ck_design_bind(ck_design *d, const ck_pipeline *pl, const ck_table *t,
                         ck_error *err);
void ck_design_fini(ck_design *d);

/* Writes the encoded table row `row` to x (pl->width values). */
void ck_design_row(const ck_design *d, size_t row, double *x);

/* The encoded rows rows[0..n) column by column: encoded column j of row i
 * at x[j * stride + i] (stride >= n).  The same values as ck_design_row,
 * computed a feature at a time: a tight loop a column instead of every
 * feature's tests for every row (the fits' passes over the data). */
void ck_design_block(const ck_design *d, const size_t *rows, size_t n, double *x,
                     size_t stride);

/*
 * What an estimator fits: the encoded rows of a design, restricted to some
 * table rows (a training split or fold), with the target and optional
 * weights indexed by table row.  Nothing here is owned.
 */
typedef struct ck_dataset {
    const ck_design *design;
    const size_t *rows;   /* table rows to use, n of them */
    size_t n;
    const double *y;      /* by table row: 0/1 for a classifier, else a value
                             (survival: the time) */
    const double *weight; /* by table row, or NULL for all 1 */
    const double *event;  /* survival: by table row, 1 seen, 0 censored */
} ck_dataset;

#endif
