/*
 * trees.h -- gradient-boosted tree ensembles read from xgboost's JSON model,
 * scored and explained by churnkit itself.
 *
 * Training goes through libxgboost; scoring does not.  When a model loads,
 * the trees of xgboost's own JSON model (what XGBoosterSaveModelToBuffer
 * with {"format": "json"} and Booster.save_model("x.json") write) are read
 * into the flat arrays below, every field checked, and churnkit walks them.
 * Only models written by xgboost 1.7 are accepted: the rules below (where a
 * category goes, how base_score is stored) are 1.7's, read in its source and
 * checked against its predictions (tests/fixtures/trees/); 1.6 sent an
 * invalid category the default way, 2.x changed the model layout.
 *
 * The rules, as xgboost 1.7.4's CPU predictor applies them to a row x
 * (doubles, NaN = missing, a category given as its integer code):
 *  - a missing value follows the node's default direction (default_left);
 *  - a numeric split compares in float: (float)x < threshold goes left,
 *    anything else (including +-inf) right;
 *  - a categorical split (split_type 1) sends x RIGHT when its category is
 *    in the node's set and LEFT otherwise (common/categorical.h, Decision:
 *    "go to left if it's NOT the matching category").  The category is
 *    (float)x truncated to an integer; a negative value or one of 2^24 or
 *    more is not a valid category and goes LEFT, not the default way.  A
 *    one-hot split (max_cat_to_onehot) is a set of one category.
 *  - the margin is base_margin plus the leaf values, summed in float in
 *    tree order as xgboost's predictor does, so margins equal xgboost's
 *    output_margin bit for bit;
 *  - base_score is stored in learner_model_param.base_score as a string
 *    ("5E-1") on the OUTPUT scale; it enters the margin through the
 *    objective's ProbToMargin, computed in float as xgboost does:
 *    -logf(1/b - 1) for binary:logistic and reg:logistic, logf(b) for the
 *    exp-link objectives (count:poisson, reg:gamma, reg:tweedie,
 *    survival:cox), b itself otherwise (binary:logitraw included).
 *
 * Explanations: ck_trees_shap gives exact TreeSHAP values (Lundberg et al.,
 * "From local explanations to global understanding with explainable AI for
 * trees", Nature Machine Intelligence 2020: the path-dependent conditional
 * expectation, where a feature left out of a coalition splits a node's
 * weight between its children in proportion to their covers), the same
 * numbers as xgboost's predict(pred_contribs=True), computed by the
 * Linear TreeShap scheme in O(nodes * D) per tree (trees.c explains).
 *
 * Thread safety: a ck_trees is read-only after loading; any number of
 * threads may score with one, each with its own scratch.
 */
#ifndef CHURNKIT_TREES_H
#define CHURNKIT_TREES_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "churnkit/error.h"

/* How the margin becomes the model's output. */
typedef enum ck_trees_link {
    CK_TREES_IDENTITY = 0, /* the margin itself (reg:squarederror, ...) */
    CK_TREES_LOGISTIC = 1, /* 1 / (1 + exp(-margin)): binary:logistic, reg:logistic */
    CK_TREES_EXP = 2       /* exp(margin): count:poisson, reg:gamma, reg:tweedie,
                              survival:cox (a hazard ratio) */
} ck_trees_link;

/* Categories of 2^24 and more are invalid in xgboost (a float holds every
 * integer below it exactly) and go left. */
#define CK_TREES_MAX_CATEGORY 16777216u

struct ck_trees_private;

/*
 * An ensemble.  Nodes of every tree are in one set of arrays, indexed by
 * node; tree t holds nodes [first[t], first[t + 1]), its root first, in
 * preorder (a node, then its left subtree, then its right one), so that a
 * node's left child is the next node.  Node numbers are churnkit's, not
 * xgboost's: deleted nodes (left behind by xgboost's pruner) are dropped.
 * Everything is owned by the ensemble (ck_trees_free).
 */
typedef struct ck_trees {
    size_t nfeatures;      /* row width, = the model's num_feature */
    size_t ntrees;
    size_t nnodes;         /* over all trees */
    size_t *first;         /* ntrees + 1 */
    int32_t *feature;      /* split feature, or -1 at a leaf */
    float *threshold;      /* numeric split: (float)x < threshold goes left */
    int32_t *left, *right; /* children (node numbers); -1 at a leaf */
    uint8_t *default_left; /* 1: a missing value goes left */
    uint8_t *categorical;  /* 1: a categorical split (threshold unused) */
    float *value;          /* leaf value; 0 at an internal node */
    float *cover;          /* xgboost's sum_hessian: the training rows'
                              hessian weight through the node (SHAP weighs
                              children by it) */
    uint32_t *cat_start;   /* categorical split: its set is the sorted */
    uint32_t *cat_count;   /* cats[cat_start .. cat_start + cat_count) */
    uint32_t *cats;
    size_t ncats;
    size_t max_depth;      /* edges on the longest root-to-leaf path */
    double *gain;          /* by feature: the loss_changes of the splits on
                              it, summed over the reachable splits in
                              xgboost's node order (its importance_type
                              "total_gain"); NULL when a tree has no
                              loss_changes */

    char *objective;       /* xgboost's objective name */
    ck_trees_link link;
    double base_score;     /* as stored, on the output scale */
    float base_margin;     /* the margin of an empty ensemble */
    double bias;           /* the expected margin: base_margin plus each
                              tree's leaf values weighted by cover
                              (phi[nfeatures] of ck_trees_shap) */
    struct ck_trees_private *priv; /* walking and SHAP tables, private to trees.c */
} ck_trees;

/*
 * Parses xgboost's JSON model text into *out (caller frees with
 * json_decref).  xgboost writes NaN as the bare token NaN (the split
 * condition of every categorical split) and infinities as Infinity and
 * -Infinity, which are not JSON and which jansson refuses; outside strings
 * these three tokens are read as the strings "NaN", "Infinity" and
 * "-Infinity", which ck_trees_from_json reads as those numbers.  Note that
 * xgboost's own loader wants the bare tokens back: keep its text, not this
 * value, to hand it to XGBoosterLoadModelFromBuffer.  The per-node arrays
 * of the trees are not in the DOM as JSON arrays: they are read into a
 * table of numbers that only ck_trees_from_json reads (a jansson value a
 * number made loading slow; trees.c explains).  Not JSON: CK_EMODEL with
 * the line.
 */
ck_status ck_trees_json_load(json_t **out, const char *text, size_t len, ck_error *err);

/*
 * Reads the trees of xgboost's JSON model (as ck_trees_json_load gives it)
 * for rows of nfeatures values.  Everything is checked: the version is 1.7,
 * the booster gbtree with one output (multi-class and dart models are
 * refused), the objective one of those above, num_feature equals
 * nfeatures, each tree's arrays have num_nodes entries, its children form
 * one tree from node 0 (indexes in range, no node reached twice, so no
 * cycle; unreachable nodes exactly num_deleted), split features below
 * nfeatures, leaf values and thresholds finite floats, covers finite and
 * positive at internal nodes (SHAP divides by them), categorical splits
 * with a non-empty set of categories below 2^24.  A damaged model is
 * CK_EMODEL with a message naming the tree, node and field; CK_ENOMEM when
 * memory runs out.  On success *out belongs to the caller.
 */
ck_status ck_trees_from_json(ck_trees **out, const json_t *xgb_model, size_t nfeatures,
                             ck_error *err);

void ck_trees_free(ck_trees *t);

/* The margin of row x (nfeatures values): equal to xgboost's
 * predict(output_margin=True), bit for bit (see above). */
double ck_trees_margin(const ck_trees *t, const double *x);

/* The margins of the n rows at x, x + stride, ... into out[0 .. n), the
 * same as ck_trees_margin's bit for bit, faster: rows without missing
 * values take the vector walk two at a time (see ck_trees_set_simd). */
void ck_trees_margins(const ck_trees *t, const double *x, size_t n, size_t stride, double *out);

/*
 * Whether ck_trees_margin may walk the trees with the processor's vector
 * instructions (AVX-512 on x86-64; groups of 16 trees without categorical
 * splits, at most 8 deep, rows of at most 32 features without missing
 * values).  A loaded ensemble uses them when the processor has them; on
 * gives them back only then.  Both walks give the same margins bit for bit:
 * this is for tests and benchmarks, called before the ensemble is shared
 * between threads.  Returns whether the vector walk is now used.
 */
int ck_trees_set_simd(ck_trees *t, int on);

/* The output for a margin: a probability (logistic link), exp(margin), or
 * the margin itself; in double. */
double ck_trees_output(const ck_trees *t, double margin);

/*
 * Scratch for ck_trees_shap: one block for one thread, NULL when out of
 * memory.  It is a single allocation, so free() releases it as well as
 * ck_trees_scratch_free does.
 */
void *ck_trees_scratch_new(const ck_trees *t);
void ck_trees_scratch_free(void *scratch);

/*
 * Exact TreeSHAP values of row x: phi[j] for each feature j <
 * nfeatures, and phi[nfeatures] = t->bias, the expected margin.  They are
 * xgboost's predict(pred_contribs=True) (to float rounding: xgboost
 * computes in float, churnkit in double) and add up to the margin:
 * sum phi = base_margin + the leaf values reached, in double (the float
 * sum of ck_trees_margin differs from it by float rounding only).
 * phi has nfeatures + 1 entries; scratch comes from ck_trees_scratch_new
 * for this t.
 */
void ck_trees_shap(const ck_trees *t, const double *x, double *phi, void *scratch);

#endif
