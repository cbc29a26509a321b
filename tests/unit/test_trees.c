/* Tree ensembles read from xgboost's JSON model: margins and TreeSHAP
 * values against xgboost 1.7.4 itself (tests/fixtures/trees, made by
 * make_trees_fixtures.py: partition and one-hot categorical splits,
 * missing values, deleted nodes, rows on split thresholds and invalid
 * categories), against a brute-force Shapley computation (every coalition,
 * conditional expectations by cover) on hand-built and random trees, the
 * additivity of the contributions, and the refusal of damaged models.
 *
 * Tolerances: margins 1e-6 relative to max(1, |margin|) (xgboost's are
 * floats; the squared-error model, whose base margin needs no libm, must
 * match bit for bit); contributions 1e-5 (xgboost computes them in float);
 * brute force and additivity 1e-10 (both in double here). */
#include "testutil.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>

#include "churnkit/table.h"
#include "churnkit/trees.h"

#define FIX CK_TEST_DATA "/../fixtures/trees/"
#define NFEAT 6

static const char *const MODELS[] = {"logistic", "regression", "onehot", "pruned"};

/* ------------------------------------------------------------ fixtures */

typedef struct matrix {
    size_t nrows, ncols;
    double *v; /* row-major */
} matrix;

static matrix read_matrix(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, FIX "%s", name);
    ck_table *t;
    ck_error err;
    ck_assert_msg(ck_table_read_csv(&t, path, NULL, &err) == CK_OK, "%s", err.message);
    matrix m = {t->nrows, t->ncols, malloc(t->nrows * t->ncols * sizeof(double))};
    for (size_t j = 0; j < t->ncols; j++) {
        ck_assert_msg(t->col[j].type == CK_COL_NUMERIC, "%s: column %s", name, t->col[j].name);
        for (size_t i = 0; i < t->nrows; i++)
            m.v[i * m.ncols + j] = t->col[j].num[i];
    }
    ck_table_free(t);
    return m;
}

static ck_trees *load_text(const char *text, size_t nfeat)
{
    json_t *j;
    ck_error err;
    ck_assert_msg(ck_trees_json_load(&j, text, strlen(text), &err) == CK_OK, "%s", err.message);
    ck_trees *t;
    ck_assert_msg(ck_trees_from_json(&t, j, nfeat, &err) == CK_OK, "%s", err.message);
    json_decref(j);
    return t;
}

static ck_trees *load_model(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, FIX "%s.json", name);
    char *text = ck_test_slurp(path);
    ck_trees *t = load_text(text, NFEAT);
    free(text);
    return t;
}

/* The margin by an independent walk over the public arrays, summed in
 * double: base_margin plus the leaves reached (what the contributions
 * must add up to). */
static double margin_double(const ck_trees *t, const double *x)
{
    double m = t->base_margin;
    for (size_t ti = 0; ti < t->ntrees; ti++) {
        int32_t g = (int32_t)t->first[ti];
        while (t->feature[g] >= 0) {
            double v = x[t->feature[g]];
            int right;
            if (isnan(v)) {
                right = !t->default_left[g];
            } else if (t->categorical[g]) {
                float c = (float)v;
                right = 0;
                if (c >= 0 && c < 16777216.0f)
                    for (uint32_t k = 0; k < t->cat_count[g]; k++)
                        right |= t->cats[t->cat_start[g] + k] == (uint32_t)c;
            } else {
                right = !((float)v < t->threshold[g]);
            }
            g = right ? t->right[g] : t->left[g];
        }
        m += t->value[g];
    }
    return m;
}

static double scaled_diff(double a, double b)
{
    return fabs(a - b) / fmax(1.0, fabs(b));
}

/* ------------------------------------------------------------ against xgboost */

START_TEST(test_margins_match_xgboost)
{
    matrix x = read_matrix("data.csv");
    ck_assert_uint_eq(x.ncols, NFEAT);
    for (size_t mi = 0; mi < sizeof MODELS / sizeof *MODELS; mi++) {
        char name[64];
        snprintf(name, sizeof name, "%s_margin.csv", MODELS[mi]);
        matrix ref = read_matrix(name);
        ck_assert_uint_eq(ref.nrows, x.nrows);
        ck_trees *t = load_model(MODELS[mi]);
        double worst = 0, worst_out = 0;
        size_t exact = 0;
        for (size_t i = 0; i < x.nrows; i++) {
            double m = ck_trees_margin(t, x.v + i * NFEAT), want = ref.v[i * 2];
            worst = fmax(worst, scaled_diff(m, want));
            worst_out = fmax(worst_out, scaled_diff(ck_trees_output(t, m), ref.v[i * 2 + 1]));
            exact += m == want;
        }
        ck_assert_msg(worst < 1e-6, "%s: margins differ by %g", MODELS[mi], worst);
        ck_assert_msg(worst_out < 1e-6, "%s: outputs differ by %g", MODELS[mi], worst_out);
        if (strcmp(MODELS[mi], "regression") == 0)
            ck_assert_msg(exact == x.nrows, "regression: %zu of %zu margins bit for bit", exact,
                          x.nrows);
        ck_trees_free(t);
        free(ref.v);
    }
    free(x.v);
}
END_TEST

START_TEST(test_contributions_match_xgboost)
{
    matrix x = read_matrix("data.csv");
    for (size_t mi = 0; mi < sizeof MODELS / sizeof *MODELS; mi++) {
        char name[64];
        snprintf(name, sizeof name, "%s_contribs.csv", MODELS[mi]);
        matrix ref = read_matrix(name);
        ck_assert_uint_eq(ref.nrows, x.nrows);
        ck_assert_uint_eq(ref.ncols, NFEAT + 1);
        ck_trees *t = load_model(MODELS[mi]);
        void *scratch = ck_trees_scratch_new(t);
        ck_assert_ptr_nonnull(scratch);
        double phi[NFEAT + 1], worst = 0;
        for (size_t i = 0; i < x.nrows; i++) {
            ck_trees_shap(t, x.v + i * NFEAT, phi, scratch);
            for (size_t j = 0; j <= NFEAT; j++)
                worst = fmax(worst, scaled_diff(phi[j], ref.v[i * (NFEAT + 1) + j]));
        }
        ck_assert_msg(worst < 1e-5, "%s: contributions differ by %g", MODELS[mi], worst);
        ck_trees_scratch_free(scratch);
        ck_trees_free(t);
        free(ref.v);
    }
    free(x.v);
}
END_TEST

/* The fixtures exercise what they claim to. */
START_TEST(test_fixture_models_have_their_features)
{
    ck_trees *t = load_model("logistic");
    size_t sets = 0, big = 0;
    for (size_t g = 0; g < t->nnodes; g++) {
        sets += t->categorical[g];
        big += t->categorical[g] && t->cat_count[g] > 1;
    }
    ck_assert_uint_gt(big, 0); /* partition splits */
    ck_assert_uint_eq(t->max_depth, 6);
    ck_assert(t->link == CK_TREES_LOGISTIC);
    ck_assert(t->base_score == (double)0.2f);
    ck_assert(t->base_margin == -logf(1.0f / 0.2f - 1.0f));
    ck_trees_free(t);
    t = load_model("onehot");
    sets = 0;
    for (size_t g = 0; g < t->nnodes; g++) {
        sets += t->categorical[g];
        ck_assert(!t->categorical[g] || t->cat_count[g] == 1);
    }
    ck_assert_uint_gt(sets, 0);
    ck_trees_free(t);
    t = load_model("regression");
    ck_assert(t->link == CK_TREES_IDENTITY && t->base_margin == 0.5f);
    ck_trees_free(t);
    /* pruned: deleted nodes are in the JSON but not in the ensemble */
    char *text = ck_test_slurp(FIX "pruned.json");
    t = load_text(text, NFEAT);
    size_t listed = 0, deleted = 0;
    for (const char *p = text; (p = strstr(p, "\"num_nodes\":\"")) != NULL;)
        listed += strtoul(p += 13, NULL, 10);
    for (const char *p = text; (p = strstr(p, "\"num_deleted\":\"")) != NULL;)
        deleted += strtoul(p += 15, NULL, 10);
    ck_assert_uint_gt(deleted, 0);
    ck_assert_uint_eq(t->nnodes, listed - deleted);
    free(text);
    ck_trees_free(t);
}
END_TEST

/* ------------------------------------------------------------ additivity */

static uint64_t rng_state = 88172645463325252ULL;

static double uniform(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

START_TEST(test_contributions_add_up_to_the_margin)
{
    matrix x = read_matrix("data.csv");
    double row[NFEAT], phi[NFEAT + 1];
    for (size_t mi = 0; mi < sizeof MODELS / sizeof *MODELS; mi++) {
        ck_trees *t = load_model(MODELS[mi]);
        void *scratch = ck_trees_scratch_new(t);
        for (int r = 0; r < 2000; r++) {
            /* a fixture row with cells replaced: missing, another row's
             * value, a category code in [-2, 12) */
            memcpy(row, x.v + (size_t)(uniform() * 200) * NFEAT, sizeof row);
            for (size_t j = 0; j < NFEAT; j++) {
                double u = uniform();
                if (u < 0.15)
                    row[j] = NAN;
                else if (u < 0.4)
                    row[j] = x.v[(size_t)(uniform() * 200) * NFEAT + j];
                else if (u < 0.5 && j == 5)
                    row[j] = floor(uniform() * 14) - 2;
            }
            ck_trees_shap(t, row, phi, scratch);
            double sum = 0;
            for (size_t j = 0; j <= NFEAT; j++)
                sum += phi[j];
            double want = margin_double(t, row);
            ck_assert_msg(scaled_diff(sum, want) < 1e-10, "%s: sum %.17g, margin %.17g",
                          MODELS[mi], sum, want);
            /* and the float margin is that sum to float rounding */
            ck_assert(scaled_diff(ck_trees_margin(t, row), want) < 1e-5);
            ck_assert(phi[NFEAT] == t->bias);
        }
        ck_trees_scratch_free(scratch);
        ck_trees_free(t);
    }
    free(x.v);
}
END_TEST

/* ------------------------------------------------------------ hand-built models */

/* A model's JSON around the given trees (stolen). */
static json_t *model_json(const char *objective, const char *base_score, size_t nfeat,
                          json_t *trees)
{
    char nf[32], nt[32];
    snprintf(nf, sizeof nf, "%zu", nfeat);
    snprintf(nt, sizeof nt, "%zu", json_array_size(trees));
    json_t *info = json_array();
    for (size_t i = 0; i < json_array_size(trees); i++)
        json_array_append_new(info, json_integer(0));
    return json_pack(
        "{s:{s:{s:s,s:{s:{s:s,s:s,s:s},s:o,s:o}},s:{s:s,s:s,s:s,s:s},s:{s:s}},s:[i,i,i]}",
        "learner", "gradient_booster", "name", "gbtree", "model", "gbtree_model_param",
        "num_parallel_tree", "1", "num_trees", nt, "size_leaf_vector", "0", "tree_info", info,
        "trees", trees, "learner_model_param", "base_score", base_score, "num_class", "0",
        "num_feature", nf, "num_target", "1", "objective", "name", objective, "version", 1, 7,
        4);
}

/* A tree's JSON from arrays of n nodes (stype and the categories may be
 * NULL).  cats_node[k] < 0 ends the list of categorical sets. */
typedef struct tree_spec {
    int n;
    const int *left, *right, *feature, *dleft, *stype;
    const double *cond, *cover;
    const int *cat_node, *cat_size, *cats; /* sets, one after another */
    int nsets;
} tree_spec;

static json_t *ints(const int *v, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_integer(v[i]));
    return a;
}

static json_t *reals(const double *v, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, isnan(v[i]) ? json_string("NaN") : json_real(v[i]));
    return a;
}

static json_t *tree_json(const tree_spec *s)
{
    char nn[32];
    snprintf(nn, sizeof nn, "%d", s->n);
    json_t *t = json_pack("{s:{s:s,s:s,s:s,s:s}}", "tree_param", "num_deleted", "0",
                          "num_feature", "1", "num_nodes", nn, "size_leaf_vector", "0");
    json_object_set_new(t, "left_children", ints(s->left, s->n));
    json_object_set_new(t, "right_children", ints(s->right, s->n));
    json_object_set_new(t, "split_indices", ints(s->feature, s->n));
    json_object_set_new(t, "default_left", ints(s->dleft, s->n));
    json_object_set_new(t, "split_conditions", reals(s->cond, s->n));
    json_object_set_new(t, "sum_hessian", reals(s->cover, s->n));
    /* read by nobody but checked, as xgboost's loader checks them */
    json_object_set_new(t, "base_weights", reals(s->cond, s->n));
    int *parents = malloc((size_t)s->n * sizeof *parents);
    ck_assert_ptr_nonnull(parents);
    for (int k = 0; k < s->n; k++)
        parents[k] = 2147483647; /* xgboost's root (and here any node no one points to) */
    for (int k = 0; k < s->n; k++)
        if (s->left[k] >= 0 && s->left[k] < s->n && s->right[k] >= 0 && s->right[k] < s->n)
            parents[s->left[k]] = parents[s->right[k]] = k;
    json_object_set_new(t, "parents", ints(parents, s->n));
    free(parents);
    if (s->stype)
        json_object_set_new(t, "split_type", ints(s->stype, s->n));
    json_t *nodes = json_array(), *segs = json_array(), *sizes = json_array(),
           *cats = json_array();
    int at = 0;
    for (int k = 0; k < s->nsets; k++) {
        json_array_append_new(nodes, json_integer(s->cat_node[k]));
        json_array_append_new(segs, json_integer(at));
        json_array_append_new(sizes, json_integer(s->cat_size[k]));
        for (int c = 0; c < s->cat_size[k]; c++)
            json_array_append_new(cats, json_integer(s->cats[at + c]));
        at += s->cat_size[k];
    }
    json_object_set_new(t, "categories_nodes", nodes);
    json_object_set_new(t, "categories_segments", segs);
    json_object_set_new(t, "categories_sizes", sizes);
    json_object_set_new(t, "categories", cats);
    return t;
}

/* A small tree on 3 features: feature 0 twice on a path, a categorical
 * split on feature 2 with the set {1, 3}, default directions both ways.
 *
 *   0: f0 < 0.5 (missing left)
 *     1: f1 < 2 (missing right)
 *       3: leaf 1.0        4: f0 < -1 (missing left)
 *                             7: leaf -2.0   8: leaf 0.5
 *     2: f2 in {1,3} -> right (missing right)
 *       5: leaf 3.0        6: leaf -1.5
 */
static const int T_LEFT[] = {1, 3, 5, -1, 7, -1, -1, -1, -1};
static const int T_RIGHT[] = {2, 4, 6, -1, 8, -1, -1, -1, -1};
static const int T_FEAT[] = {0, 1, 2, 0, 0, 0, 0, 0, 0};
static const int T_DLEFT[] = {1, 0, 0, 0, 1, 0, 0, 0, 0};
static const int T_STYPE[] = {0, 0, 1, 0, 0, 0, 0, 0, 0};
static const double T_COND[] = {0.5, 2, NAN, 1.0, -1, 3.0, -1.5, -2.0, 0.5};
static const double T_COVER[] = {100, 60, 40, 25, 35, 10, 30, 20, 15};
static const int T_CATNODE[] = {2}, T_CATSIZE[] = {2}, T_CATS[] = {1, 3};

static tree_spec small_tree(void)
{
    tree_spec s = {9, T_LEFT, T_RIGHT, T_FEAT, T_DLEFT, T_STYPE, T_COND, T_COVER,
                   T_CATNODE, T_CATSIZE, T_CATS, 1};
    return s;
}

static json_t *small_model(void)
{
    tree_spec s = small_tree();
    json_t *trees = json_array();
    json_array_append_new(trees, tree_json(&s));
    return model_json("reg:squarederror", "0E0", 3, trees);
}

/* ------------------------------------------------------------ brute force */

/* E[tree | x_S]: path-dependent (cover-weighted where the split's feature
 * is outside S), straight from the definition. */
static double cond_expect(const ck_trees *t, int32_t g, const double *x, unsigned S)
{
    if (t->feature[g] < 0)
        return t->value[g];
    int32_t f = t->feature[g];
    if (S & (1u << f)) {
        double v = x[f];
        int right;
        if (isnan(v)) {
            right = !t->default_left[g];
        } else if (t->categorical[g]) {
            float c = (float)v;
            right = 0;
            if (c >= 0 && c < 16777216.0f)
                for (uint32_t k = 0; k < t->cat_count[g]; k++)
                    right |= t->cats[t->cat_start[g] + k] == (uint32_t)c;
        } else {
            right = !((float)v < t->threshold[g]);
        }
        return cond_expect(t, right ? t->right[g] : t->left[g], x, S);
    }
    double cl = t->cover[t->left[g]], cr = t->cover[t->right[g]], c = t->cover[g];
    return (cl * cond_expect(t, t->left[g], x, S) + cr * cond_expect(t, t->right[g], x, S)) / c;
}

/* Shapley values of the ensemble's game v(S) = base + sum_trees E[tree |
 * x_S] by enumerating all 2^M coalitions. */
static void brute_shap(const ck_trees *t, const double *x, double *phi)
{
    size_t M = t->nfeatures;
    unsigned full = 1u << M;
    double *v = malloc(full * sizeof *v), fact[16] = {1};
    for (size_t k = 1; k < 16; k++)
        fact[k] = fact[k - 1] * (double)k;
    for (unsigned S = 0; S < full; S++) {
        v[S] = t->base_margin;
        for (size_t ti = 0; ti < t->ntrees; ti++)
            v[S] += cond_expect(t, (int32_t)t->first[ti], x, S);
    }
    for (size_t i = 0; i < M; i++) {
        phi[i] = 0;
        for (unsigned S = 0; S < full; S++) {
            if (S & (1u << i))
                continue;
            unsigned s = (unsigned)__builtin_popcount(S);
            phi[i] += fact[s] * fact[M - s - 1] / fact[M] * (v[S | (1u << i)] - v[S]);
        }
    }
    phi[M] = v[0];
    free(v);
}

static void check_brute(const ck_trees *t, const double *x, const char *what)
{
    double phi[16], want[16];
    void *scratch = ck_trees_scratch_new(t);
    ck_trees_shap(t, x, phi, scratch);
    brute_shap(t, x, want);
    for (size_t j = 0; j <= t->nfeatures; j++)
        ck_assert_msg(fabs(phi[j] - want[j]) <= 1e-10 * fmax(1, fabs(want[j])),
                      "%s: phi[%zu] = %.17g, brute force %.17g", what, j, phi[j], want[j]);
    ck_trees_scratch_free(scratch);
}

START_TEST(test_small_tree_against_brute_force)
{
    json_t *j = small_model();
    ck_trees *t;
    ck_error err;
    ck_assert_msg(ck_trees_from_json(&t, j, 3, &err) == CK_OK, "%s", err.message);
    json_decref(j);
    ck_assert_uint_eq(t->nnodes, 9);
    ck_assert_uint_eq(t->max_depth, 3);
    /* every direction at every split, missing values included */
    const double f0[] = {-2, 0, 0.5, NAN}, f1[] = {1, 2, NAN}, f2[] = {1, 2, 3, NAN, -1};
    for (size_t a = 0; a < 4; a++)
        for (size_t b = 0; b < 3; b++)
            for (size_t c = 0; c < 5; c++) {
                double x[3] = {f0[a], f1[b], f2[c]};
                char what[64];
                snprintf(what, sizeof what, "x = (%g, %g, %g)", x[0], x[1], x[2]);
                check_brute(t, x, what);
            }
    ck_trees_free(t);
}
END_TEST

/* Random trees: features drawn from a few (so repeats on a path are
 * common), the last one categorical, covers split at random (sometimes a
 * child of cover 0), several trees in an ensemble. */
#define RNODES 4096

typedef struct rtree {
    int n;
    int left[RNODES], right[RNODES], feature[RNODES], dleft[RNODES], stype[RNODES];
    double cond[RNODES], cover[RNODES];
    int cat_node[RNODES], cat_size[RNODES], cats[6 * RNODES], nsets, ncats;
} rtree;

static int grow(rtree *r, int depth, double cover, int maxdepth, int nfeat)
{
    int k = r->n++;
    r->cover[k] = cover;
    r->dleft[k] = uniform() < 0.5;
    r->stype[k] = 0;
    if (depth == maxdepth || uniform() < 0.2 || cover == 0 || r->n + 2 > RNODES) {
        r->left[k] = r->right[k] = -1;
        r->feature[k] = 0;
        r->cond[k] = floor(uniform() * 200 - 100) / 8;
        return k;
    }
    r->feature[k] = (int)(uniform() * nfeat);
    if (r->feature[k] == nfeat - 1) {
        r->stype[k] = 1;
        r->cond[k] = NAN;
        r->cat_node[r->nsets] = k;
        int size = 0;
        for (int c = 0; c < 6; c++)
            if (uniform() < 0.4)
                r->cats[r->ncats + size++] = c;
        if (size == 0)
            r->cats[r->ncats + size++] = 2;
        r->cat_size[r->nsets++] = size;
        r->ncats += size;
    } else {
        r->cond[k] = floor(uniform() * 8) / 2;
    }
    double u = uniform(), share = u < 0.05 ? 0 : u < 0.1 ? 1 : uniform();
    r->left[k] = grow(r, depth + 1, cover * share, maxdepth, nfeat);
    r->right[k] = grow(r, depth + 1, cover * (1 - share), maxdepth, nfeat);
    return k;
}

/* Tree r appended to trees as xgboost's JSON. */
static void append_tree(json_t *trees, const rtree *r)
{
    tree_spec s = {r->n, r->left, r->right, r->feature, r->dleft, r->stype, r->cond,
                   r->cover, r->cat_node, r->cat_size, r->cats, r->nsets};
    json_array_append_new(trees, tree_json(&s));
}

/* A binary:logistic model of trees (taken), loaded; rep names it in a
 * failure. */
static ck_trees *load_random(json_t *trees, int nfeat, int rep)
{
    json_t *j = model_json("binary:logistic", "3E-1", (size_t)nfeat, trees);
    ck_trees *t;
    ck_error err;
    ck_assert_msg(ck_trees_from_json(&t, j, (size_t)nfeat, &err) == CK_OK, "rep %d: %s", rep,
                  err.message);
    json_decref(j);
    return t;
}

/* Random ensembles of nfeat features against the brute force. */
static void random_ensembles(int reps, int nfeat, int mindepth, int depths, int rows)
{
    rtree *r = malloc(sizeof *r);
    char nf[16];
    snprintf(nf, sizeof nf, "%d", nfeat);
    for (int rep = 0; rep < reps; rep++) {
        json_t *trees = json_array();
        int ntrees = 1 + rep % 3;
        for (int k = 0; k < ntrees; k++) {
            memset(r, 0, sizeof *r);
            grow(r, 0, 50 + uniform() * 100, mindepth + rep % depths, nfeat);
            append_tree(trees, r);
        }
        /* cover 0 makes a leaf, so no internal node has cover 0 */
        ck_trees *t = load_random(trees, nfeat, rep);
        for (int row = 0; row < rows; row++) {
            double x[16];
            for (int f = 0; f < nfeat - 1; f++)
                x[f] = uniform() < 0.15 ? NAN : floor(uniform() * 10) / 2 - 0.25;
            x[nfeat - 1] = uniform() < 0.15 ? NAN : floor(uniform() * 8) - 1;
            char what[64];
            snprintf(what, sizeof what, "%d features, rep %d row %d", nfeat, rep, row);
            check_brute(t, x, what);
        }
        ck_trees_free(t);
    }
    free(r);
}

/* Depth 3 to 7 on 5 features: m = 1 to 3 quadrature points. */
START_TEST(test_random_trees_against_brute_force)
{
    random_ensembles(60, 5, 3, 5, 40);
}
END_TEST

/* Depth 9 to 13 on 11 features: up to 11 distinct features on a path, 6
 * points, the general (not unrolled) code. */
START_TEST(test_deep_random_trees_against_brute_force)
{
    random_ensembles(8, 11, 9, 5, 6);
}
END_TEST

/* ------------------------------------------------------------ vector walk */

/* Makes r's categorical splits numeric ones (threshold 1.5). */
static void all_numeric(rtree *r)
{
    for (int k = 0; k < r->n; k++)
        if (r->stype[k]) {
            r->stype[k] = 0;
            r->cond[k] = 1.5;
        }
    r->nsets = r->ncats = 0;
}

/* The depth of node k's subtree in r. */
static int rdepth(const rtree *r, int k)
{
    if (r->left[k] < 0)
        return 0;
    int a = rdepth(r, r->left[k]), b = rdepth(r, r->right[k]);
    return 1 + (a > b ? a : b);
}

/* A value for a row: often a threshold exactly (grow's are k / 2 and 1.5),
 * or a double that rounds to one in float, or one beyond float's range
 * (inf in float), or missing (when missing). */
static double walk_value(int missing)
{
    double u = uniform(), v = floor(uniform() * 10) / 2 - 1;
    if (missing && u < 0.1)
        return NAN;
    if (u < 0.3)
        return v;
    if (u < 0.4)
        return v + 1e-9;
    if (u < 0.45)
        return uniform() < 0.5 ? 1e39 : -1e39;
    return v + uniform() - 0.5;
}

/* Ensembles of 3 groups of 16 trees, then 3 to 15 more (a last vector
 * group padded with trees of -0 leaves from 8 on; groups of 8 of the
 * scalar walk, and trees one by one), of depths 1 to 8; in some, a group
 * with a tree deeper than 8 or with categorical splits, which the vector
 * walk leaves to the node arrays, the last partial group's included.  Rows
 * with missing values walk the node arrays, the others the vector layout
 * where a group has one.  The vector walk (when the processor has it:
 * ck_trees_set_simd says) must give the scalar walk's margins bit for bit;
 * with 33 features it must not be used. */
START_TEST(test_vector_walk_equals_scalar_walk)
{
    rtree *r = malloc(sizeof *r);
#if defined(__x86_64__) && defined(__GNUC__)
    int have = __builtin_cpu_supports("avx512f");
#else
    int have = 0;
#endif
    for (int rep = 0; rep < 8; rep++) {
        static const int more[8] = {8, 9, 11, 15, 3, 12, 7, 10};
        int nfeat = rep == 7 ? 33 : rep % 2 ? 32 : 7, ntrees = 16 * 3 + more[rep];
        json_t *trees = json_array();
        for (int k = 0; k < ntrees; k++) {
            int deep = (rep % 3 == 0 && k == 16 + 5) || (rep == 2 && k == ntrees - 2),
                cat = (rep % 3 == 1 && k / 16 == 2) || (rep == 5 && k == ntrees - 1);
            int depth = deep ? 12 : 1 + (int)(uniform() * 8);
            do {
                memset(r, 0, sizeof *r);
                grow(r, 0, 50 + uniform() * 100, depth, nfeat);
            } while (deep && rdepth(r, 0) <= 8);
            if (!cat)
                all_numeric(r);
            append_tree(trees, r);
        }
        ck_trees *t = load_random(trees, nfeat, rep);
        int simd = ck_trees_set_simd(t, 1);
        ck_assert_int_eq(simd, have && nfeat <= 32);
        /* rows with missing values in runs of 0 to 3, so that the batch
         * walk meets pairs, lone rows and a last odd row */
        enum { ROWS = 301 };
        double *x = malloc(ROWS * 33 * sizeof *x), scalar[ROWS], batch[ROWS];
        for (int row = 0; row < ROWS; row++) {
            for (int f = 0; f < nfeat; f++)
                x[row * 33 + f] = walk_value(row % 7 < 3);
            ck_trees_set_simd(t, 1);
            double vec = ck_trees_margin(t, x + row * 33);
            ck_assert_int_eq(ck_trees_set_simd(t, 0), 0);
            scalar[row] = ck_trees_margin(t, x + row * 33);
            ck_assert_msg(memcmp(&vec, &scalar[row], sizeof vec) == 0,
                          "rep %d row %d: vector walk %.9g, scalar walk %.9g", rep, row, vec,
                          scalar[row]);
        }
        /* ck_trees_margins: the same bits, two rows at a time (vector
         * walk) or one (scalar) */
        for (int on = 0; on < 2; on++) {
            ck_trees_set_simd(t, on);
            ck_trees_margins(t, x, ROWS, 33, batch);
            for (int row = 0; row < ROWS; row++)
                ck_assert_msg(memcmp(&batch[row], &scalar[row], sizeof *batch) == 0,
                              "rep %d row %d (simd %d): batch %.9g, one row %.9g", rep, row, on,
                              batch[row], scalar[row]);
        }
        free(x);
        ck_trees_free(t);
    }
    free(r);
}
END_TEST

/* The fixture models (xgboost's own trees: 50 to 100 of them, the
 * regression one without categorical splits) walked both ways. */
START_TEST(test_vector_walk_on_xgboost_models)
{
    matrix x = read_matrix("data.csv");
    for (size_t mi = 0; mi < sizeof MODELS / sizeof *MODELS; mi++) {
        ck_trees *t = load_model(MODELS[mi]);
        for (size_t i = 0; i < x.nrows; i++) {
            ck_trees_set_simd(t, 1);
            double vec = ck_trees_margin(t, x.v + i * NFEAT);
            ck_trees_set_simd(t, 0);
            double scalar = ck_trees_margin(t, x.v + i * NFEAT);
            ck_assert_msg(memcmp(&vec, &scalar, sizeof vec) == 0, "%s row %zu: %.9g, %.9g",
                          MODELS[mi], i, vec, scalar);
        }
        ck_trees_free(t);
    }
    free(x.v);
}
END_TEST

/* ------------------------------------------------------------ split rules */

/* One categorical split on feature 0 with the set {1, 3}, default RIGHT:
 * missing goes right (default), invalid categories go left (not the
 * default), 2.5 is category 2 (truncated), 3.9 is 3. */
START_TEST(test_categorical_split_direction)
{
    const int l[] = {1, -1, -1}, r[] = {2, -1, -1}, f[] = {0, 0, 0}, dl[] = {0, 0, 0},
              st[] = {1, 0, 0}, cn[] = {0}, cs[] = {2}, cats[] = {3, 1};
    const double cond[] = {NAN, -1, 1}, cover[] = {2, 1, 1};
    tree_spec s = {3, l, r, f, dl, st, cond, cover, cn, cs, cats, 1};
    json_t *trees = json_array();
    json_array_append_new(trees, tree_json(&s));
    json_t *j = model_json("reg:squarederror", "0E0", 1, trees);
    ck_trees *t;
    ck_error err;
    ck_assert_int_eq(ck_trees_from_json(&t, j, 1, &err), CK_OK);
    json_decref(j);
    const double in[] = {1, 3, 3.9, 1.5, NAN}, out[] = {0, 2, 2.5, -1, -0.5, 4, 1e9, 16777216,
                                                          1e300, -INFINITY, INFINITY};
    for (size_t i = 0; i < sizeof in / sizeof *in; i++)
        ck_assert_msg(ck_trees_margin(t, &in[i]) == 1, "x = %g should go right", in[i]);
    for (size_t i = 0; i < sizeof out / sizeof *out; i++)
        ck_assert_msg(ck_trees_margin(t, &out[i]) == -1, "x = %g should go left", out[i]);
    ck_assert_uint_eq(t->cat_count[0], 2);
    ck_assert_uint_eq(t->cats[t->cat_start[0]], 1); /* sorted */
    ck_trees_free(t);
}
END_TEST

/* A numeric split compares in float: a double just below the float
 * threshold that rounds to it goes right, as in xgboost. */
START_TEST(test_numeric_split_compares_in_float)
{
    const int l[] = {1, -1, -1}, r[] = {2, -1, -1}, f[] = {0, 0, 0}, dl[] = {1, 0, 0};
    const double cond[] = {0.1f, -1, 1}, cover[] = {2, 1, 1};
    tree_spec s = {3, l, r, f, dl, NULL, cond, cover, NULL, NULL, NULL, 0};
    json_t *trees = json_array();
    json_array_append_new(trees, tree_json(&s));
    json_t *j = model_json("reg:squarederror", "0E0", 1, trees);
    ck_trees *t;
    ck_error err;
    ck_assert_int_eq(ck_trees_from_json(&t, j, 1, &err), CK_OK);
    json_decref(j);
    double thr = 0.1f, x;
    x = thr;
    ck_assert(ck_trees_margin(t, &x) == 1);
    x = nextafter(thr, 0); /* below in double, equal in float */
    ck_assert(x < thr && (float)x == (float)thr);
    ck_assert(ck_trees_margin(t, &x) == 1);
    x = nextafterf(0.1f, 0); /* the float below */
    ck_assert(ck_trees_margin(t, &x) == -1);
    x = NAN; /* default left */
    ck_assert(ck_trees_margin(t, &x) == -1);
    x = INFINITY;
    ck_assert(ck_trees_margin(t, &x) == 1);
    x = -INFINITY;
    ck_assert(ck_trees_margin(t, &x) == -1);
    ck_trees_free(t);
}
END_TEST

/* A tree that is a single leaf: the margin is base + leaf, no feature
 * gets anything, the bias is the whole margin. */
START_TEST(test_single_leaf_tree)
{
    const int l[] = {-1}, r[] = {-1}, f[] = {0}, dl[] = {0};
    const double cond[] = {0.75}, cover[] = {12};
    tree_spec s = {1, l, r, f, dl, NULL, cond, cover, NULL, NULL, NULL, 0};
    json_t *trees = json_array();
    json_array_append_new(trees, tree_json(&s));
    json_t *j = model_json("binary:logistic", "2.5E-1", 2, trees);
    ck_trees *t;
    ck_error err;
    ck_assert_int_eq(ck_trees_from_json(&t, j, 2, &err), CK_OK);
    json_decref(j);
    ck_assert_uint_eq(t->nnodes, 1);
    ck_assert_uint_eq(t->max_depth, 0);
    double x[2] = {1, NAN}, phi[3];
    float want = -logf(1.0f / 0.25f - 1.0f) + 0.75f;
    ck_assert(ck_trees_margin(t, x) == want);
    ck_assert(fabs(ck_trees_output(t, ck_trees_margin(t, x)) - 1 / (1 + exp(-want))) < 1e-15);
    void *scratch = ck_trees_scratch_new(t);
    ck_trees_shap(t, x, phi, scratch);
    ck_assert(phi[0] == 0 && phi[1] == 0);
    ck_assert(fabs(phi[2] - want) < 1e-7);
    free(scratch); /* one block: free() releases it */
    ck_trees_free(t);
}
END_TEST

/* The base margin of each objective family, as xgboost's ProbToMargin. */
START_TEST(test_objectives_and_base_score)
{
    const struct {
        const char *obj, *bs;
        float margin;
        ck_trees_link link;
    } cases[] = {
        {"binary:logistic", "2E-1", -logf(1.0f / 0.2f - 1.0f), CK_TREES_LOGISTIC},
        {"reg:logistic", "7E-1", -logf(1.0f / 0.7f - 1.0f), CK_TREES_LOGISTIC},
        {"binary:logitraw", "2E-1", 0.2f, CK_TREES_IDENTITY},
        {"reg:squarederror", "1.25E1", 12.5f, CK_TREES_IDENTITY},
        {"count:poisson", "3E0", logf(3.0f), CK_TREES_EXP},
        {"survival:cox", "5E-1", logf(0.5f), CK_TREES_EXP},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const int l[] = {-1}, r[] = {-1}, f[] = {0}, dl[] = {0};
        const double cond[] = {0}, cover[] = {1};
        tree_spec s = {1, l, r, f, dl, NULL, cond, cover, NULL, NULL, NULL, 0};
        json_t *trees = json_array();
        json_array_append_new(trees, tree_json(&s));
        json_t *j = model_json(cases[i].obj, cases[i].bs, 1, trees);
        ck_trees *t;
        ck_error err;
        ck_assert_msg(ck_trees_from_json(&t, j, 1, &err) == CK_OK, "%s", err.message);
        json_decref(j);
        double x = 0, m = ck_trees_margin(t, &x);
        ck_assert_msg(m == cases[i].margin, "%s: margin %.9g", cases[i].obj, m);
        ck_assert(t->link == cases[i].link);
        ck_assert_str_eq(t->objective, cases[i].obj);
        ck_trees_free(t);
    }
    ck_assert(1);
}
END_TEST

/* ------------------------------------------------------------ damaged models */

typedef void (*damage_fn)(json_t *model);

static json_t *tree0(json_t *model)
{
    return json_array_get(
        json_object_get(json_object_get(json_object_get(json_object_get(model, "learner"),
                                                        "gradient_booster"),
                                        "model"),
                        "trees"),
        0);
}

static void set_int(json_t *model, const char *key, size_t i, json_int_t v)
{
    json_array_set_new(json_object_get(tree0(model), key), i, json_integer(v));
}

static void d_missing_hessian(json_t *m) { json_object_del(tree0(m), "sum_hessian"); }
static void d_missing_objective(json_t *m)
{
    json_object_del(json_object_get(m, "learner"), "objective");
}
static void d_child_out_of_range(json_t *m) { set_int(m, "right_children", 4, 99); }
static void d_cycle_to_root(json_t *m) { set_int(m, "left_children", 1, 0); }
static void d_cycle(json_t *m) { set_int(m, "right_children", 4, 1); }
static void d_shared(json_t *m) { set_int(m, "right_children", 1, 3); }
static void d_one_child(json_t *m) { set_int(m, "right_children", 4, -1); }
static void d_feature(json_t *m) { set_int(m, "split_indices", 1, 3); }
static void d_negative_feature(json_t *m) { set_int(m, "split_indices", 1, -1); }
static void d_nan_leaf(json_t *m)
{
    json_array_set_new(json_object_get(tree0(m), "split_conditions"), 5, json_string("NaN"));
}
static void d_inf_leaf(json_t *m)
{
    json_array_set_new(json_object_get(tree0(m), "split_conditions"), 5, json_real(1e39));
}
static void d_nan_threshold(json_t *m)
{
    json_array_set_new(json_object_get(tree0(m), "split_conditions"), 1, json_string("NaN"));
}
static void d_short_array(json_t *m)
{
    json_array_remove(json_object_get(tree0(m), "default_left"), 8);
}
static void d_num_nodes(json_t *m)
{
    json_object_set_new(json_object_get(tree0(m), "tree_param"), "num_nodes",
                        json_string("10"));
}
static void d_unreachable(json_t *m)
{
    /* node 4 made a leaf: 7 and 8 hang free, but num_deleted is 0 */
    set_int(m, "left_children", 4, -1);
    set_int(m, "right_children", 4, -1);
}
static void d_negative_cover(json_t *m)
{
    json_array_set_new(json_object_get(tree0(m), "sum_hessian"), 3, json_real(-1));
}
static void d_zero_cover(json_t *m)
{
    json_array_set_new(json_object_get(tree0(m), "sum_hessian"), 1, json_real(0));
}
static void d_no_categories(json_t *m)
{
    json_array_clear(json_object_get(tree0(m), "categories_nodes"));
    json_array_clear(json_object_get(tree0(m), "categories_segments"));
    json_array_clear(json_object_get(tree0(m), "categories_sizes"));
}
static void d_category_range(json_t *m)
{
    json_array_set_new(json_object_get(tree0(m), "categories"), 1, json_integer(16777216));
}
static void d_segment(json_t *m)
{
    json_array_set_new(json_object_get(tree0(m), "categories_sizes"), 0, json_integer(5));
}
static void d_split_type(json_t *m) { set_int(m, "split_type", 0, 2); }
static void d_default_left(json_t *m) { set_int(m, "default_left", 0, 7); }
static void d_version(json_t *m)
{
    json_object_set_new(m, "version", json_pack("[i,i,i]", 2, 0, 3));
}
static void d_objective(json_t *m)
{
    json_object_set_new(json_object_get(json_object_get(m, "learner"), "objective"), "name",
                        json_string("multi:softprob"));
}
static void d_dart(json_t *m)
{
    json_object_set_new(
        json_object_get(json_object_get(m, "learner"), "gradient_booster"), "name",
        json_string("dart"));
}
static void d_num_class(json_t *m)
{
    json_object_set_new(
        json_object_get(json_object_get(m, "learner"), "learner_model_param"), "num_class",
        json_string("3"));
}
static void d_base_score(json_t *m)
{
    json_t *p = json_object_get(json_object_get(m, "learner"), "learner_model_param");
    json_object_set_new(p, "base_score", json_string("abc"));
}
static void d_num_trees(json_t *m)
{
    json_t *gp = json_object_get(
        json_object_get(json_object_get(json_object_get(m, "learner"), "gradient_booster"),
                        "model"),
        "gbtree_model_param");
    json_object_set_new(gp, "num_trees", json_string("2"));
}
static void d_num_feature(json_t *m)
{
    json_object_set_new(
        json_object_get(json_object_get(m, "learner"), "learner_model_param"), "num_feature",
        json_string("4"));
}
static void d_string_child(json_t *m)
{
    json_array_set_new(json_object_get(tree0(m), "left_children"), 0, json_string("1"));
}
static void d_real_children(json_t *m) /* all reals: packed as reals, then refused */
{
    json_t *a = json_object_get(tree0(m), "left_children");
    for (size_t k = 0; k < json_array_size(a); k++)
        json_array_set_new(a, k, json_real((double)json_integer_value(json_array_get(a, k))));
}
static void d_mixed_children(json_t *m) /* one real among integers: not packed */
{
    json_array_set_new(json_object_get(tree0(m), "right_children"), 0, json_real(2));
}
static void d_huge_index(json_t *m) /* 16 digits: not packed, and out of range */
{
    json_array_set_new(json_object_get(tree0(m), "split_indices"), 0,
                       json_integer(1000000000000000LL));
}
static void d_base_weight(json_t *m)
{
    json_array_set_new(json_object_get(tree0(m), "base_weights"), 2, json_string("abc"));
}
static void d_parent(json_t *m)
{
    json_array_set_new(json_object_get(tree0(m), "parents"), 3, json_integer(4294967296LL));
}
static void d_no_parents(json_t *m)
{
    json_object_del(tree0(m), "parents");
}
static void d_gain(json_t *m) /* the small trees have no loss_changes: given one */
{
    json_t *a = json_array();
    size_t n = json_array_size(json_object_get(tree0(m), "left_children"));
    json_array_append_new(a, json_string("x"));
    for (size_t k = 1; k < n; k++)
        json_array_append_new(a, json_real(0.5));
    json_object_set_new(tree0(m), "loss_changes", a);
}

/* The model as text, as ck_trees_json_load reads it: packed, or (with
 * the escape of byte 1 in a string of its own) not. */
static ck_status from_text(const json_t *m, int packed, ck_trees **t, ck_error *err)
{
    char *s = json_dumps(m, JSON_COMPACT), *text = malloc(strlen(s) + 32);
    ck_assert(s && text && s[0] == '{');
    sprintf(text, "%s%s", packed ? "{" : "{\"unpacked\":\"\\u0001\",", s + 1);
    json_t *j;
    ck_status st = ck_trees_json_load(&j, text, strlen(text), err);
    free(s);
    free(text);
    if (st != CK_OK)
        return st;
    ck_assert((json_object_get(j, "unpacked") == NULL) == packed);
    st = ck_trees_from_json(t, j, 3, err);
    json_decref(j);
    return st;
}

START_TEST(test_damaged_models_are_refused)
{
    const struct {
        damage_fn fn;
        const char *fragment;
    } cases[] = {
        {d_missing_hessian, "'trees[0].sum_hessian' is missing"},
        {d_missing_objective, "'learner.objective' is missing"},
        {d_child_out_of_range, "node 4's right child 99 is out of range"},
        {d_cycle_to_root, "a cycle"},
        {d_cycle, "node 1 is reached twice"},
        {d_shared, "node 3 is reached twice"},
        {d_one_child, "both children or none"},
        {d_feature, "split_indices[1] is not a feature"},
        {d_negative_feature, "split_indices[1] is not a feature"},
        {d_nan_leaf, "value of leaf 5 is not a finite"},
        {d_inf_leaf, "value of leaf 5 is not a finite"},
        {d_nan_threshold, "threshold of node 1 is not a finite"},
        {d_short_array, "'trees[0].default_left' has 8 entries"},
        {d_num_nodes, "has 9 entries, but tree_param.num_nodes is 10"},
        {d_unreachable, "2 of its 9 nodes are not reachable"},
        {d_negative_cover, "sum_hessian[3] is not a finite number >= 0"},
        {d_zero_cover, "internal node 1 has sum_hessian 0"},
        {d_no_categories, "node 2 is a categorical split without categories"},
        {d_category_range, "categories[1] is not a category"},
        {d_segment, "not a non-empty part of the 2 categories"},
        {d_split_type, "split_type[0] is not 0"},
        {d_default_left, "default_left[0] is not 0 or 1"},
        {d_version, "written by xgboost 2.0.3"},
        {d_objective, "objective 'multi:softprob' is not supported"},
        {d_dart, "booster 'dart' is not supported"},
        {d_num_class, "several outputs"},
        {d_base_score, "base_score' is not a finite number"},
        {d_num_trees, "num_trees is 2, but there are 1 trees"},
        {d_num_feature, "the model reads 4 features, but rows have 3"},
        {d_string_child, "left_children[0] is not an integer"},
        {d_real_children, "left_children[0] is not an integer"},
        {d_mixed_children, "right_children[0] is not an integer"},
        {d_huge_index, "split_indices[0] is not a feature"},
        {d_gain, "loss_changes[0] is not a finite number"},
        {d_base_weight, "base_weights[2] is not a number"},
        {d_parent, "parents[3] is not a 32-bit integer"},
        {d_no_parents, "'trees[0].parents' is missing"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        json_t *j = small_model();
        ck_trees *t = NULL;
        ck_error err;
        ck_assert_int_eq(ck_trees_from_json(&t, j, 3, &err), CK_OK); /* intact */
        ck_trees_free(t);
        cases[i].fn(j);
        t = (ck_trees *)&err; /* must be reset */
        ck_status st = ck_trees_from_json(&t, j, 3, &err);
        ck_assert_msg(st == CK_EMODEL, "case %zu (%s): status %d", i, cases[i].fragment, st);
        ck_assert_ptr_null(t);
        ck_assert_msg(strstr(err.message, cases[i].fragment) != NULL,
                      "case %zu: message '%s' lacks '%s'", i, err.message, cases[i].fragment);
        ck_assert_msg(strncmp(err.message, "xgboost model: ", 15) == 0, "%s", err.message);
        /* the same status and message from text, packed or not */
        for (int packed = 0; packed <= 1; packed++) {
            ck_error e2;
            t = NULL;
            ck_assert_int_eq(from_text(j, packed, &t, &e2), CK_EMODEL);
            ck_assert_ptr_null(t);
            ck_assert_msg(strcmp(e2.message, err.message) == 0, "case %zu, packed %d: '%s', not '%s'",
                          i, packed, e2.message, err.message);
        }
        json_decref(j);
    }
}
END_TEST

/* Packing is a way of reading, not a reading: every fixture model gives
 * the same ensemble, bit for bit, from packed arrays as from JSON ones. */
START_TEST(test_packed_arrays_read_the_same)
{
    const char *names[] = {"logistic", "onehot", "pruned", "regression"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char path[512];
        snprintf(path, sizeof path, FIX "%s.json", names[i]);
        char *text = ck_test_slurp(path), *plain = malloc(strlen(text) + 32);
        ck_assert(text[0] == '{');
        sprintf(plain, "{\"unpacked\":\"\\u0001\",%s", text + 1);
        ck_trees *a = load_text(text, NFEAT), *b = load_text(plain, NFEAT);
        ck_assert_uint_eq(a->nnodes, b->nnodes);
        ck_assert_uint_eq(a->ncats, b->ncats);
        size_t n = a->nnodes;
#define SAME(f, count) ck_assert_msg((count) == 0 || memcmp(a->f, b->f, (count) * sizeof *a->f) == 0, \
                                     "%s: %s differs", names[i], #f)
        SAME(first, a->ntrees + 1);
        SAME(feature, n);
        SAME(threshold, n);
        SAME(left, n);
        SAME(right, n);
        SAME(default_left, n);
        SAME(categorical, n);
        SAME(value, n);
        SAME(cover, n);
        SAME(cat_start, n);
        SAME(cat_count, n);
        SAME(cats, a->ncats);
        SAME(gain, NFEAT);
#undef SAME
        ck_assert(a->bias == b->bias && a->base_margin == b->base_margin);
        ck_trees_free(a);
        ck_trees_free(b);
        free(text);
        free(plain);
    }
}
END_TEST

START_TEST(test_wrong_width_is_refused)
{
    char *text = ck_test_slurp(FIX "logistic.json");
    json_t *j;
    ck_error err;
    ck_assert_int_eq(ck_trees_json_load(&j, text, strlen(text), &err), CK_OK);
    ck_trees *t;
    ck_assert_int_eq(ck_trees_from_json(&t, j, 5, &err), CK_EMODEL);
    ck_assert_msg_contains(err, "the model reads 6 features, but rows have 5");
    ck_assert_int_eq(ck_trees_from_json(&t, json_array_get(j, 0), 6, &err), CK_EMODEL);
    json_decref(j);
    free(text);
}
END_TEST

/* xgboost's text: bare NaN and Infinity tokens read, the same letters
 * inside strings left alone, broken text refused. */
START_TEST(test_json_text)
{
    const char *text = "{\"a\":[NaN,-Infinity,Infinity,1E0],\"b\":\"NaN \\\" Infinity\"}";
    json_t *j;
    ck_error err;
    ck_assert_int_eq(ck_trees_json_load(&j, text, strlen(text), &err), CK_OK);
    json_t *a = json_object_get(j, "a");
    ck_assert_str_eq(json_string_value(json_array_get(a, 0)), "NaN");
    ck_assert_str_eq(json_string_value(json_array_get(a, 1)), "-Infinity");
    ck_assert_str_eq(json_string_value(json_array_get(a, 2)), "Infinity");
    ck_assert(json_real_value(json_array_get(a, 3)) == 1);
    ck_assert_str_eq(json_string_value(json_object_get(j, "b")), "NaN \" Infinity");
    json_decref(j);
    const char *bad[] = {"{\"a\":[1,}", "", "{\"a\":nan}", "[1] x", "{\"a\":1,\"a\":2}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ck_assert_int_eq(ck_trees_json_load(&j, bad[i], strlen(bad[i]), &err), CK_EMODEL);
        ck_assert_ptr_null(j);
        ck_assert_msg_contains(err, "xgboost model: not JSON");
    }
    /* a whole model with a bare NaN leaf: read as text, refused as a model */
    json_t *m = small_model();
    char *s = json_dumps(m, JSON_COMPACT);
    json_decref(m);
    char *p = strstr(s, "\"NaN\"");
    ck_assert_ptr_nonnull(p); /* node 2's categorical condition */
    memcpy(p, " NaN ", 5);    /* bare, as xgboost writes it */
    ck_trees *t = load_text(s, 3);
    ck_trees_free(t);
    free(s);
}
END_TEST

/* Scratch of another ensemble (too small) gives NaN, not a crash. */
START_TEST(test_foreign_scratch)
{
    ck_trees *big = load_model("logistic");
    json_t *j = small_model();
    ck_trees *small;
    ck_error err;
    ck_assert_int_eq(ck_trees_from_json(&small, j, 3, &err), CK_OK);
    json_decref(j);
    void *scratch = ck_trees_scratch_new(small);
    double x[NFEAT] = {1, 2, 3, 4, 5, 1}, phi[NFEAT + 1];
    ck_trees_shap(big, x, phi, scratch);
    for (size_t k = 0; k <= NFEAT; k++)
        ck_assert(isnan(phi[k]));
    ck_trees_scratch_free(scratch);
    ck_trees_free(small);
    ck_trees_free(big);
}
END_TEST

static Suite *trees_suite(void)
{
    Suite *s = suite_create("trees");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_margins_match_xgboost);
    tcase_add_test(tc, test_contributions_match_xgboost);
    tcase_add_test(tc, test_fixture_models_have_their_features);
    tcase_add_test(tc, test_contributions_add_up_to_the_margin);
    tcase_add_test(tc, test_small_tree_against_brute_force);
    tcase_add_test(tc, test_random_trees_against_brute_force);
    tcase_add_test(tc, test_deep_random_trees_against_brute_force);
    tcase_add_test(tc, test_vector_walk_equals_scalar_walk);
    tcase_add_test(tc, test_vector_walk_on_xgboost_models);
    tcase_add_test(tc, test_categorical_split_direction);
    tcase_add_test(tc, test_numeric_split_compares_in_float);
    tcase_add_test(tc, test_single_leaf_tree);
    tcase_add_test(tc, test_objectives_and_base_score);
    tcase_add_test(tc, test_damaged_models_are_refused);
    tcase_add_test(tc, test_packed_arrays_read_the_same);
    tcase_add_test(tc, test_wrong_width_is_refused);
    tcase_add_test(tc, test_json_text);
    tcase_add_test(tc, test_foreign_scratch);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}

CK_TEST_MAIN(trees_suite)
