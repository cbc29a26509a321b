/* trees.c -- tree ensembles from xgboost's JSON model: loading with every
 * field checked, scoring, and exact TreeSHAP (see trees.h).
 *
 * TreeSHAP here follows Linear TreeShap (Peng Yu, Albert Bifet, Jesse Read,
 * Chao Xu, "Linear TreeShap", NeurIPS 2022, arXiv:2209.08192; reference
 * code github.com/yupbank/linear_tree_shap), with the polynomials kept as
 * their values at Gauss-Legendre points instead of Chebyshev points.
 *
 * The game.  For a leaf l, let U_l be the distinct features on its path.
 * For a feature j in U_l, P_j = 1 when x follows every edge of the path
 * that splits on j (else 0), and Q_j = the product, over those edges, of
 * cover(child) / cover(parent).  TreeSHAP's conditional expectation given
 * the features in S is sum_l v_l prod_{j in U_l} (j in S ? P_j : Q_j).
 * Players outside U_l are null for leaf l's term, so by linearity
 *
 *   phi_i = sum over leaves l with i in U_l of
 *           v_l (P_i - Q_i) sum_{S in U_l - i} |S|! (d-1-|S|)! / d!
 *                          prod_{j in S} P_j prod_{j in U_l - i - S} Q_j,
 *
 * d = |U_l|.  With |S|!(d-1-|S|)!/d! = integral_0^1 t^|S| (1-t)^(d-1-|S|) dt
 * (a Beta integral; Owen's multilinear extension, 1972) this is
 *
 *   phi_i = sum_l v_l (P_i - Q_i) integral_0^1 G_l(t) / F_i(t) dt,
 *   F_j(t) = Q_j (1 - t) + P_j t,   G_l(t) = prod_{j in U_l} F_j(t),      (1)
 *
 * and G_l / F_i is a polynomial of degree d - 1 <= U - 1 (U: the most
 * distinct features on any path), so Gauss-Legendre quadrature with
 * m = ceil(U / 2) points is exact (it integrates degree 2m - 1).
 *
 * The sharing (Linear TreeShap's).  Give the edge e into node n, splitting
 * on feature i at n's parent, the running products P^e, Q^e over the edges
 * of feature i from the root down to e, and F^e(t) = Q^e (1-t) + P^e t.
 * Going down, G_n(t) = G_parent(t) F^e(t) / F^a(t), where a is the previous
 * edge on feature i above e (F^a = 1 when there is none), so that each leaf
 * gets G_l of (1).  Going up, S_n(t) = sum of v_l G_l(t) over the leaves
 * below n.  Then the edge e adds to phi_i
 *
 *   (P^e - Q^e) sum_k w_k S_n(t_k) / F^e(t_k)
 *     - (P^a - Q^a) sum_k w_k S_n(t_k) / F^a(t_k),                        (2)
 *
 * the second term taking back what edge a counted for the leaves below e
 * (whose feature-i factor is F^e, not F^a): each leaf's term of (1) is
 * counted once, at the last edge on i above it, and the quadrature sum of
 * the difference is exact.  O(m) per edge: O(nodes * U) per tree, against
 * O(leaves * D^2) for Lundberg's recursion (xgboost's TreeShap).
 *
 * P^e is 0 or 1, which makes it cheap.  When P^a = 0, F^e = q_e F^a with q_e
 * the edge's cover ratio, so the ratio is the constant q_e and the two
 * terms of (2) are equal: nothing to add (the reference code's early
 * return).  Otherwise F^a(t) = Q^a (1-t) + t >= t > 0, and everything
 * except S_n depends only on the edge's own direction p_e, so the ratios
 * F^e / F^a and the coefficients of (2) are computed at load for p_e = 0
 * and 1.  Most edges have no edge a; for them the ratio is
 * Q^e (1-t) + p_e t (two operations), the coefficient -w / (1-t) for
 * p_e = 0 (the same for every edge; when Q^e = 0, S_n = 0) and
 * (1 - Q^e) w / F^e for p_e = 1, the one number per point that is
 * stored.  Per row and tree: one comparison per internal node and about 5m
 * multiply-adds per node.  No division happens per row, and none by zero:
 * a coefficient with P^e = Q^e = 0 is 0 (its term vanishes).
 *
 * Checked against xgboost 1.7.4's predict(pred_contribs=True) and against
 * a brute-force Shapley computation over every coalition
 * (tests/unit/test_trees.c).  On 200 trees of depth 6 and 20 features it
 * explains about 5,700 rows a second on one core of the development
 * machine, 6 to 7 times xgboost's exact TreeShap (Lundberg's recursion,
 * O(leaves D^2) per tree, computed in float) on the same rows.
 */
#include "churnkit/trees.h"
#include "churnkit/logistic.h"
#include "churnkit/num.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The vector walk is compiled for x86-64 with GCC or Clang, in functions
 * of their own target (target("avx512f")), so that the build needs no
 * -march and runs anywhere: the processor is asked at load time
 * (__builtin_cpu_supports, which also checks that the OS saves the
 * registers), and the scalar walk is used when it says no.  -DCK_NO_SIMD
 * leaves it out. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(CK_NO_SIMD)
#define TREES_SIMD 1
#include <immintrin.h>
#else
#define TREES_SIMD 0
#endif

#define BAD(...) ck_error_set(err, CK_EMODEL, "xgboost model: " __VA_ARGS__)

/* The most quadrature points: exact for 128 distinct features on a path. */
#define MAX_POINTS 64

/* Trees walked in step by ck_trees_margin. */
#define WALK_GROUP 8

enum { WALK_DEFAULT_LEFT = 1, WALK_CATEGORICAL = 2 };

/* A node as the walks read it: 16 bytes, one load.  A leaf loops to itself
 * (feature 0, threshold -inf, its own number as right child, missing goes
 * right), so that trees can be walked in step for as many levels as the
 * deepest of them without testing for leaves. */
typedef struct walk_node {
    float threshold;
    int32_t feature;
    int32_t right;     /* node number; the left child is the next node */
    uint32_t flags;    /* WALK_* */
} walk_node;

/* The groups of WALK_GROUP trees at most this deep and without categorical
 * splits are also laid out as perfect binary trees (below). */
#define PERFECT_MAX_DEPTH 8

/* A node of a perfect tree of depth D: node i's children are 2i+1 and
 * 2i+2, and the leaves are nodes 2^D - 1 .. 2^(D+1) - 2.  A leaf of the
 * real tree above depth D becomes a node whose two subtrees both end in
 * its value, so the walk takes exactly D steps and needs neither the
 * child numbers nor a leaf test: a step is two loads, a comparison and an
 * add (the implicit layout of Eytzinger / QuickScorer-style flat trees). */
typedef struct perfect_node {
    float threshold;
    int32_t feature;
} perfect_node;

/* Trees walked in the lanes of one vector by the AVX-512 walk (x86-64
 * processors that have it, chosen at run time: see simd_groups). */
#define SIMD_GROUP 16

/* Levels the vector walk takes without gathers: the 2^L nodes of level L of
 * the 16 trees are 2^L contiguous vectors, and each lane keeps its own by
 * blends on the directions taken above (2^L - 1 blends).  Levels 0-3 read
 * 15 vectors of each array, about 2 KB a group, which stays in the L1
 * cache; a deeper level would read more than the gathers it saves. */
#define SIMD_TOP 4
#define SIMD_TOP_NODES ((1 << SIMD_TOP) - 1)

/* Vector groups walked breadth-first, a level of each in turn, so that
 * their gathers (independent of one another) overlap.  4 measured best on
 * the benchmark's 200 trees (about 4% faster than 8, 12% than 2; a gather
 * is many micro-operations, and more groups in flight fill the reorder
 * buffer rather than overlap). */
#define SIMD_CHUNK 4

/* Rows the vector walk takes at once at most (simd_rows). */
#define SIMD_ROWS 2

/* The vector layout of a group of SIMD_GROUP trees, each laid out as a
 * perfect tree (see perfect_node) of the group's depth D >= SIMD_TOP:
 * the node at position p of tree j is entry p * SIMD_GROUP + j, so that
 * a level of the 16 trees is contiguous.  The levels above SIMD_TOP are
 * in simd_feature and simd_threshold (vectors of one field, which the
 * blends want); every position is in simd_node, threshold and feature
 * side by side (one 8-byte gather reads both, from one cache line), and a
 * leaf's value in its threshold field. */

/* A node as TreeSHAP reads it, in 32 bytes; node numbers local to the
 * tree.  The up pass computes S_n = v_n G_n + S_left + S_right at every
 * node without asking whether it is a leaf (a test the processor would
 * mispredict half the time): a leaf's children are a slot of zeros, an
 * internal node's v is 0. */
typedef struct shap_node {
    int32_t parent;    /* -1 at the root */
    int32_t prev;      /* the node whose incoming edge is the previous one on
                          the same feature above (edge a of (2)), or -1 */
    int32_t credit;    /* the feature of the incoming edge (the parent's) */
    int32_t right;     /* the right child, or the zero slot (max_nodes) */
    float v;           /* the leaf value, 0 at an internal node */
    uint8_t is_right;  /* the node is its parent's right child */
    uint8_t leaf;
    double qe;         /* Q^e: the product of the cover ratios q over the
                          edges on the same feature from the root down to
                          this one */
} shap_node;

/* Two quadrature points at a time, in GCC's and Clang's vector extension
 * (one SSE2 operation; wider vectors without -mavx go through the stack):
 * the points are padded to an even number with a point of weight 0, which
 * adds nothing. */
#define PTS 2
typedef double pts __attribute__((vector_size(PTS * sizeof(double))));

struct ck_trees_private {
    walk_node *walk;      /* by node */
    size_t *group_depth;  /* by group of WALK_GROUP trees: the deepest */
    size_t *perfect_at;   /* by group: its trees' first node in perfect and
                             perfect_value, or SIZE_MAX (no perfect layout) */
    perfect_node *perfect;/* the perfect trees, (2^(D+1) - 1) nodes each */
    float *perfect_value; /* the same numbering: the leaves' values */
    int simd;             /* 1: rows without missing values walk the vector
                             layout (the processor has AVX-512) */
    size_t nsimd;         /* groups of SIMD_GROUP trees with a simd_at: all
                             of them (a last one padded, see build_simd), or
                             0 without the vector walk */
    size_t *simd_at;      /* by such group: its first entry in the simd_*
                             arrays, or SIZE_MAX (no layout) */
    size_t *simd_depth;   /* by such group: D */
    int32_t *simd_feature;/* the vector layout (see SIMD_GROUP), 64-byte */
    float *simd_threshold;/* aligned: positions 0 .. 2^SIMD_TOP - 2 of group
                             k from entry k (2^SIMD_TOP - 1) SIMD_GROUP */
    perfect_node *simd_node; /* (2^(D+1) - 1) SIMD_GROUP entries a group,
                             from simd_at */
    shap_node *node;      /* by node */
    int32_t *inner;       /* each tree's internal nodes (local numbers), */
    size_t *inner_first;  /* tree t's at inner[inner_first[t] ..] */
    /* An edge with no edge a above: F^e / F^a = F^e = Q^e (1-t) + p t, and
     * the coefficient of (2) is -w / (1-t) for p = 0 (whatever Q^e; when
     * it is 0 so is S), (1 - Q^e) w / F^e for p = 1: */
    pts *d1;              /* nv by node: that last one */
    pts omt[MAX_POINTS / PTS], tv[2][MAX_POINTS / PTS], c0[MAX_POINTS / PTS];
                          /* 1 - t; p t for p = 0, 1; -w / (1 - t) */
    /* An edge with an edge a: */
    int32_t *full_index;  /* by node: its rows in `full` (-1: no edge a) */
    pts *full;            /* 5 nv by such node: F^e/F^a for p_e = 0, then 1,
                             and the coefficients of (2) for p_e = 0, then 1
                             (when P^a = 1); q, the ratio when P^a = 0 */
    size_t nv;            /* quadrature points / PTS */
    size_t max_nodes;     /* nodes of the largest tree (scratch size) */
    double t[MAX_POINTS], w[MAX_POINTS]; /* points and weights on [0, 1] */
};

/* ------------------------------------------------------------------ */
/* xgboost's JSON text */

/* Whether text[0..len) starts with the word w. */
static int starts(const char *text, size_t len, const char *w)
{
    size_t n = strlen(w);
    return len >= n && memcmp(text, w, n) == 0;
}

/*
 * Packed arrays.  A 200-tree model has a quarter of a million numbers in
 * its per-node arrays, and a jansson value for each costs an allocation:
 * that DOM was most of the time a model took to load.  So the per-node
 * arrays (packed_keys, when they hold plain numbers of one kind) are read
 * into one table of doubles, and the text jansson parses holds the string
 * "\u0001OFFSET" in their place; the table goes into the DOM as the root's
 * member PACKED_TABLE, freed with it.  Only ck_trees_from_json reads them
 * (jarray, below).  What is packed is exactly what jansson would have read:
 * JSON's number grammar, integers of at most 15 digits (exact in a double),
 * finite reals, no line end inside (jansson's error lines stay the same).
 * Anything else stays for jansson, with its own errors.  No original string
 * can be taken for a reference: a text holding the escape \u0001 anywhere
 * is not packed at all (a raw byte 1 is not JSON).
 */
#define PACKED_MARK '\001'
#define PACKED_TABLE "\001packed"

static const char *const packed_keys[] = {
    "\"left_children\":", "\"right_children\":", "\"parents\":", "\"split_indices\":",
    "\"split_conditions\":", "\"split_type\":", "\"default_left\":", "\"sum_hessian\":",
    "\"base_weights\":", "\"loss_changes\":", "\"categories\":", "\"categories_nodes\":",
    "\"categories_segments\":", "\"categories_sizes\":"};

/* A packed array in the table: its count, whether it held integers (else
 * reals), then the values. */
typedef struct packed_head {
    uint64_t n, integral;
} packed_head;

typedef struct table {
    char *v;
    size_t len, cap;
} table;

static int table_put(table *tb, const void *p, size_t n)
{
    if (tb->len + n > tb->cap) {
        size_t cap = tb->cap ? tb->cap : 4096;
        while (cap < tb->len + n)
            cap *= 2;
        char *v = realloc(tb->v, cap);
        if (!v)
            return 0;
        tb->v = v;
        tb->cap = cap;
    }
    memcpy(tb->v + tb->len, p, n);
    tb->len += n;
    return 1;
}

/* Whether the text copied so far ends with a key whose array is packed. */
static int packed_key_before(const char *buf, size_t o)
{
    for (size_t k = 0; k < sizeof packed_keys / sizeof *packed_keys; k++) {
        size_t n = strlen(packed_keys[k]);
        if (o >= n && memcmp(buf + o - n, packed_keys[k], n) == 0)
            return 1;
    }
    return 0;
}

/* The length of the JSON number at s (JSON's grammar: -?(0|[1-9]d*)(.d+)?
 * ([eE][+-]?d+)?), 0 when there is none; *real: it has a fraction or an
 * exponent (jansson's real), *digits: its integer digits. */
static size_t json_number(const char *s, size_t len, int *real, size_t *digits)
{
    size_t i = 0, d0;
    *real = 0;
    if (i < len && s[i] == '-')
        i++;
    d0 = i;
    if (i < len && s[i] == '0')
        i++;
    else
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
    if (i == d0)
        return 0;
    *digits = i - d0;
    if (i < len && s[i] == '.') {
        size_t f = ++i;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == f)
            return 0;
        *real = 1;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t e = i;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == e)
            return 0;
        *real = 1;
    }
    return i;
}

/* Reads the array at s ('[' first) into the table: the bytes it takes
 * (through its ']'), or 0 when it is not packed (the table unchanged, but
 * for memory running out: -1). */
static long pack_array(const char *s, size_t len, table *tb)
{
    size_t start = tb->len, i = 1, n = 0;
    int kind = -1; /* 0 integers, 1 reals */
    packed_head h = {0, 0};
    if (!table_put(tb, &h, sizeof h))
        return -1;
    for (;;) {
        while (i < len && (s[i] == ' ' || s[i] == '\t'))
            i++;
        int real;
        size_t digits = 0, k = json_number(s + i, len - i, &real, &digits);
        double v = 0;
        if (k == 0 || k > 64 || (kind >= 0 && real != kind) || (!real && digits > 15) ||
            ck_num_parse(s + i, k, &v) != CK_NUM_OK)
            break;
        kind = real;
        if (!table_put(tb, &v, sizeof v)) {
            tb->len = start;
            return -1;
        }
        n++;
        i += k;
        while (i < len && (s[i] == ' ' || s[i] == '\t'))
            i++;
        if (i < len && s[i] == ',') {
            i++;
            continue;
        }
        if (i < len && s[i] == ']') {
            h.n = n;
            h.integral = kind == 0;
            memcpy(tb->v + start, &h, sizeof h);
            return (long)(i + 1);
        }
        break;
    }
    tb->len = start;
    return 0;
}

/* The text jansson reads: NaN and infinities quoted, the per-node arrays
 * packed into *tb (when pack) and their references in their place.  buf
 * holds at least len + len / 3 * 2 + 1 bytes (a token grows by its two
 * quotes and is at least 3 bytes long; a reference is never longer than
 * its array).  Returns the length, or -1 when memory runs out. */
static long prepare_text(const char *text, size_t len, char *buf, table *tb, int pack)
{
    static const char *const words[] = {"NaN", "Infinity", "-Infinity"};
    size_t o = 0;
    int in_string = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (in_string) {
            buf[o++] = c;
            if (c == '\\' && i + 1 < len)
                buf[o++] = text[++i];
            else if (c == '"')
                in_string = 0;
            continue;
        }
        size_t wi = c == 'N' || c == 'I' || c == '-' ? 0 : 3;
        while (wi < 3 && !starts(text + i, len - i, words[wi]))
            wi++;
        if (wi < 3) {
            size_t n = strlen(words[wi]);
            buf[o++] = '"';
            memcpy(buf + o, words[wi], n);
            o += n;
            buf[o++] = '"';
            i += n - 1;
            continue;
        }
        if (c == '[' && pack && packed_key_before(buf, o)) {
            size_t at = tb->len;
            long used = pack_array(text + i, len - i, tb);
            if (used < 0)
                return -1;
            char ref[48];
            int rn = snprintf(ref, sizeof ref, "\"\\u0001%zu\"", at);
            if (used > 0 && rn <= used) {
                memcpy(buf + o, ref, (size_t)rn);
                o += (size_t)rn;
                i += (size_t)used - 1;
                continue;
            }
            tb->len = at;
        }
        in_string = c == '"';
        buf[o++] = c;
    }
    return (long)o;
}

/* Whether the text holds the escape of byte 1 (then nothing is packed). */
static int has_mark_escape(const char *text, size_t len)
{
    for (const char *p = text; (p = memchr(p, '\\', len - (size_t)(p - text))) != NULL; p++)
        if (len - (size_t)(p - text) >= 6 && memcmp(p, "\\u0001", 6) == 0)
            return 1;
    return 0;
}

ck_status ck_trees_json_load(json_t **out, const char *text, size_t len, ck_error *err)
{
    *out = NULL;
    if (len > (SIZE_MAX - 1) / 2 || len > (size_t)LONG_MAX / 2)
        return ck_error_set(err, CK_ENOMEM, "out of memory reading an xgboost model");
    char *buf = malloc(len + len / 3 * 2 + 1);
    table tb = {NULL, 0, 0};
    int pack = !has_mark_escape(text, len);
    long o = buf ? prepare_text(text, len, buf, &tb, pack) : -1;
    json_t *root = NULL, *packed = NULL;
    json_error_t jerr;
    if (o >= 0)
        root = json_loadb(buf, (size_t)o, JSON_REJECT_DUPLICATES, &jerr);
    free(buf);
    if (o < 0) {
        free(tb.v);
        return ck_error_set(err, CK_ENOMEM, "out of memory reading an xgboost model");
    }
    if (!root) {
        free(tb.v);
        return BAD("not JSON: %s (line %d)", jerr.text, jerr.line);
    }
    /* the table, even empty, says the strings "\u0001..." are references */
    if (pack && json_is_object(root) &&
        (!(packed = json_stringn_nocheck(tb.v ? tb.v : "", tb.len)) ||
         json_object_set_new(root, PACKED_TABLE, packed) != 0)) {
        free(tb.v);
        json_decref(root);
        return ck_error_set(err, CK_ENOMEM, "out of memory reading an xgboost model");
    }
    free(tb.v);
    *out = root;
    return CK_OK;
}

/* ------------------------------------------------------------------ */
/* reading fields */

static const json_t *member(const json_t *o, const char *key, json_type type, const char *path,
                            ck_error *err)
{
    static const char *const names[] = {"an object", "an array", "a string", "an integer",
                                        "a number", "true", "false", "null"};
    const json_t *v = json_object_get(o, key);
    if (!v) {
        BAD("'%s%s%s' is missing", path, *path ? "." : "", key);
        return NULL;
    }
    if (json_typeof(v) != type) {
        BAD("'%s%s%s' is not %s", path, *path ? "." : "", key, names[type]);
        return NULL;
    }
    return v;
}

/* A count written as a string of digits ("100"), as xgboost writes its
 * parameters. */
static ck_status count_string(const json_t *o, const char *key, const char *path, size_t *out,
                              ck_error *err)
{
    const json_t *v = member(o, key, JSON_STRING, path, err);
    if (!v)
        return CK_EMODEL;
    const char *s = json_string_value(v);
    size_t n = 0, len = strlen(s);
    if (len == 0 || len > 12)
        return BAD("'%s.%s' is not a count: \"%s\"", path, key, s);
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return BAD("'%s.%s' is not a count: \"%s\"", path, key, s);
        n = n * 10 + (size_t)(s[i] - '0');
    }
    *out = n;
    return CK_OK;
}

/* An array of the model as ck_trees_from_json reads it: a JSON array, or
 * one ck_trees_json_load packed (see packed arrays, above). */
typedef struct jarray {
    const json_t *json; /* the JSON array; NULL when packed */
    const char *packed; /* else its values: n doubles, unaligned */
    size_t n;
    int integral;       /* packed: they were written as integers */
} jarray;

static jarray json_view(const json_t *a)
{
    return (jarray){a, NULL, json_array_size(a), 0};
}

/* Whether v is an array: a JSON one, or a reference "\u0001OFFSET" into
 * tab (the root's PACKED_TABLE; NULL when nothing was packed, and then a
 * string is only a string). */
static int as_array(const json_t *v, const json_t *tab, jarray *out)
{
    if (json_is_array(v)) {
        *out = json_view(v);
        return 1;
    }
    const char *s = json_string_value(v), *t = json_string_value(tab);
    size_t size = json_string_length(tab), at = 0;
    if (!s || !t || s[0] != PACKED_MARK || !s[1])
        return 0;
    for (const char *d = s + 1; *d; d++) {
        if (*d < '0' || *d > '9' || at > size)
            return 0;
        at = at * 10 + (size_t)(*d - '0');
    }
    packed_head h;
    if (at > size || size - at < sizeof h)
        return 0;
    memcpy(&h, t + at, sizeof h);
    if (h.n > (size - at - sizeof h) / sizeof(double))
        return 0;
    *out = (jarray){NULL, t + at + sizeof h, (size_t)h.n, h.integral != 0};
    return 1;
}

/* Member key of object o as an array; 0 (and err set) when it is missing
 * or not one. */
static int array_member(const json_t *o, const char *key, const char *path, const json_t *tab,
                        jarray *out, ck_error *err)
{
    const json_t *v = json_object_get(o, key);
    if (!v) {
        BAD("'%s%s%s' is missing", path, *path ? "." : "", key);
        return 0;
    }
    if (!as_array(v, tab, out)) {
        BAD("'%s%s%s' is not an array", path, *path ? "." : "", key);
        return 0;
    }
    return 1;
}

/* Element i of an array as a number: JSON numbers, and the strings NaN,
 * Infinity and -Infinity of ck_trees_json_load (null reads as NaN, as
 * churnkit's writers spell it).  0 when it is none of these. */
static int number_at(const jarray *a, size_t i, double *out)
{
    if (!a->json) {
        if (i >= a->n)
            return 0;
        memcpy(out, a->packed + i * sizeof *out, sizeof *out);
        return 1;
    }
    const json_t *v = json_array_get(a->json, i);
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return 1;
    }
    if (json_is_null(v)) {
        *out = NAN;
        return 1;
    }
    const char *s = json_string_value(v);
    if (!s)
        return 0;
    if (strcmp(s, "NaN") == 0)
        *out = NAN;
    else if (strcmp(s, "Infinity") == 0)
        *out = INFINITY;
    else if (strcmp(s, "-Infinity") == 0)
        *out = -INFINITY;
    else
        return 0;
    return 1;
}

/* Element i of an array as an integer (true and false read as 1 and 0 when
 * bools is set).  0 when it is not one. */
static int integer_at(const jarray *a, size_t i, int bools, long long *out)
{
    if (!a->json) {
        double v;
        if (!a->integral || !number_at(a, i, &v))
            return 0;
        *out = (long long)v; /* at most 15 digits: exact */
        return 1;
    }
    const json_t *v = json_array_get(a->json, i);
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return 1;
    }
    if (bools && json_is_boolean(v)) {
        *out = json_is_true(v);
        return 1;
    }
    return 0;
}

/* A finite double that is also finite as a float (xgboost's type). */
static int finite_float(double v)
{
    return isfinite(v) && fabs(v) <= FLT_MAX;
}

/* ------------------------------------------------------------------ */
/* objectives: the output link and how base_score becomes a margin
 * (ObjFunction::ProbToMargin in xgboost 1.7.4's src/objective) */

enum { BASE_SAME, BASE_LOGIT, BASE_LOG };

static const struct objective {
    const char *name;
    ck_trees_link link;
    int base;
} objectives[] = {
    {"reg:squarederror", CK_TREES_IDENTITY, BASE_SAME},
    {"reg:squaredlogerror", CK_TREES_IDENTITY, BASE_SAME},
    {"reg:pseudohubererror", CK_TREES_IDENTITY, BASE_SAME},
    {"reg:absoluteerror", CK_TREES_IDENTITY, BASE_SAME},
    {"binary:logistic", CK_TREES_LOGISTIC, BASE_LOGIT},
    {"reg:logistic", CK_TREES_LOGISTIC, BASE_LOGIT},
    {"binary:logitraw", CK_TREES_IDENTITY, BASE_SAME}, /* LogisticRaw::ProbToMargin is b */
    {"count:poisson", CK_TREES_EXP, BASE_LOG},
    {"reg:gamma", CK_TREES_EXP, BASE_LOG},
    {"reg:tweedie", CK_TREES_EXP, BASE_LOG},
    {"survival:cox", CK_TREES_EXP, BASE_LOG},
};

static ck_status read_objective(ck_trees *t, const json_t *learner, ck_error *err)
{
    const json_t *obj = member(learner, "objective", JSON_OBJECT, "learner", err);
    const json_t *name = obj ? member(obj, "name", JSON_STRING, "learner.objective", err) : NULL;
    if (!name)
        return CK_EMODEL;
    const char *s = json_string_value(name);
    const struct objective *ob = NULL;
    for (size_t i = 0; i < sizeof objectives / sizeof *objectives; i++)
        if (strcmp(objectives[i].name, s) == 0)
            ob = &objectives[i];
    if (!ob)
        return BAD("objective '%s' is not supported", s);
    if (!(t->objective = strdup(s)))
        return ck_error_set(err, CK_ENOMEM, "out of memory reading an xgboost model");
    t->link = ob->link;

    const char *mp = "learner.learner_model_param";
    const json_t *param = member(learner, "learner_model_param", JSON_OBJECT, "learner", err);
    const json_t *bs = param ? member(param, "base_score", JSON_STRING, mp, err) : NULL;
    if (!bs)
        return CK_EMODEL;
    /* xgboost reads it as a float (from_chars); so do we, by way of the
     * exact double */
    const char *text = json_string_value(bs);
    double b;
    if (ck_num_parse(text, strlen(text), &b) != CK_NUM_OK || !finite_float(b))
        return BAD("'%s.base_score' is not a finite number: \"%s\"", mp, text);
    float bf = (float)b;
    t->base_score = bf;
    /* ProbToMargin, in float like xgboost: -logf(1.0f / b - 1.0f) and
     * std::log(float), i.e. logf */
    if (ob->base == BASE_LOGIT) {
        if (!(bf > 0.0f && bf < 1.0f))
            return BAD("base_score %g is outside (0, 1), which %s needs", b, s);
        t->base_margin = -logf(1.0f / bf - 1.0f);
    } else if (ob->base == BASE_LOG) {
        if (!(bf > 0.0f))
            return BAD("base_score %g is not positive, which %s needs", b, s);
        t->base_margin = logf(bf);
    } else {
        t->base_margin = bf;
    }
    return CK_OK;
}

/* ------------------------------------------------------------------ */
/* loading the trees */

typedef struct loader {
    ck_trees *t;
    size_t nfeatures;
    size_t cats_cap;
    /* per tree, sized for the largest */
    int32_t *order;   /* churnkit's node -> xgboost's */
    int32_t *newid;   /* xgboost's node -> churnkit's (-1 unreached, -2 queued) */
    int32_t *stack;
    int32_t *depth;   /* by xgboost's node */
    const json_t *tab; /* the packed arrays (NULL: none) */
    int gains;        /* every tree so far had loss_changes */
    ck_error *err;
} loader;

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The per-node arrays of tree `path`, each of n entries. */
typedef struct tree_arrays {
    jarray left, right, index, cond, dleft, hess, stype, gain, weights, parents;
    int has_stype, has_gain;
} tree_arrays;

/* *has = 0 when an optional array is missing. */
static ck_status node_array(const loader *L, const json_t *tree, const char *key, size_t n,
                            const char *path, int *has, jarray *out)
{
    ck_error *err = L->err;
    if (has && !(*has = json_object_get(tree, key) != NULL))
        return CK_OK;
    if (!array_member(tree, key, path, L->tab, out, err))
        return CK_EMODEL;
    if (out->n != n)
        return BAD("'%s.%s' has %zu entries, but tree_param.num_nodes is %zu", path, key,
                   out->n, n);
    return CK_OK;
}

/* Walks tree `ti` from node 0: children in range, every node reached once.
 * Fills L->order (preorder, left subtree first) and L->newid; returns the
 * nodes reached in *count and the depth in *depth. */
static ck_status walk(loader *L, const tree_arrays *A, size_t n, const char *path,
                      size_t *count, size_t *depth)
{
    ck_error *err = L->err;
    for (size_t k = 0; k < n; k++)
        L->newid[k] = -1;
    size_t sp = 0, c = 0, dmax = 0;
    L->stack[sp++] = 0;
    L->newid[0] = -2;
    L->depth[0] = 0;
    while (sp > 0) {
        int32_t k = L->stack[--sp];
        L->newid[k] = (int32_t)c;
        L->order[c++] = k;
        long long kid[2];
        if (!integer_at(&A->left, (size_t)k, 0, &kid[0]))
            return BAD("%s: left_children[%d] is not an integer", path, (int)k);
        if (!integer_at(&A->right, (size_t)k, 0, &kid[1]))
            return BAD("%s: right_children[%d] is not an integer", path, (int)k);
        if (kid[0] == -1 && kid[1] == -1)
            continue;
        /* right pushed first so that the left subtree comes out first */
        for (int side = 1; side >= 0; side--) {
            long long ch = kid[side];
            const char *which = side ? "right" : "left";
            if (ch < 1 || ch >= (long long)n)
                return BAD("%s: node %d's %s child %lld is out of range (%s)", path, (int)k,
                           which, ch,
                           ch == 0 ? "node 0 is the root: a cycle"
                                   : ch == -1 ? "a node needs both children or none"
                                              : "not one of the tree's nodes");
            if (L->newid[ch] != -1)
                return BAD("%s: node %lld is reached twice (as node %d's %s child): a cycle "
                           "or a shared subtree", path, ch, (int)k, which);
            L->newid[ch] = -2;
            L->depth[ch] = L->depth[k] + 1;
            if ((size_t)L->depth[ch] > dmax)
                dmax = (size_t)L->depth[ch];
            L->stack[sp++] = (int32_t)ch;
        }
    }
    *count = c;
    *depth = dmax;
    return CK_OK;
}

/* Reads the categorical sets of tree `path` for its reachable categorical
 * splits (t->categorical already set from split_type). */
static ck_status read_categories(loader *L, const json_t *tree, size_t n, size_t base,
                                 size_t count, const char *path)
{
    ck_trees *t = L->t;
    ck_error *err = L->err;
    int needed = 0;
    for (size_t i = 0; i < count; i++)
        needed |= t->categorical[base + i];
    if (!needed)
        return CK_OK;
    jarray cats, nodes, segs, sizes;
    if (!array_member(tree, "categories", path, L->tab, &cats, err) ||
        !array_member(tree, "categories_nodes", path, L->tab, &nodes, err) ||
        !array_member(tree, "categories_segments", path, L->tab, &segs, err) ||
        !array_member(tree, "categories_sizes", path, L->tab, &sizes, err))
        return CK_EMODEL;
    size_t ne = nodes.n, ncat = cats.n;
    if (segs.n != ne || sizes.n != ne)
        return BAD("%s: categories_nodes, categories_segments and categories_sizes have %zu, "
                   "%zu and %zu entries", path, ne, segs.n, sizes.n);
    for (size_t j = 0; j < ne; j++) {
        long long node, seg, size;
        if (!integer_at(&nodes, j, 0, &node) || node < 0 || node >= (long long)n)
            return BAD("%s: categories_nodes[%zu] is not one of the tree's nodes", path, j);
        if (!integer_at(&segs, j, 0, &seg) || !integer_at(&sizes, j, 0, &size) || seg < 0 ||
            size < 1 || seg > (long long)ncat || size > (long long)ncat - seg)
            return BAD("%s: categories_segments[%zu] and categories_sizes[%zu] are not a "
                       "non-empty part of the %zu categories", path, j, j, ncat);
        int32_t id = L->newid[node];
        /* a set for a node that is no categorical split (a deleted node,
         * a leaf left by the pruner) does not change any prediction */
        if (id < 0 || !t->categorical[base + (size_t)id])
            continue;
        size_t g = base + (size_t)id;
        if (t->cat_count[g] > 0)
            return BAD("%s: node %lld has two sets of categories", path, node);
        if (t->ncats + (size_t)size > UINT32_MAX)
            return BAD("%s: more than 2^32 categories in all", path);
        if (t->ncats + (size_t)size > L->cats_cap) {
            size_t cap = L->cats_cap ? L->cats_cap : 64;
            while (cap < t->ncats + (size_t)size)
                cap *= 2;
            uint32_t *p = realloc(t->cats, cap * sizeof *p);
            if (!p)
                return ck_error_set(err, CK_ENOMEM, "out of memory reading an xgboost model");
            t->cats = p;
            L->cats_cap = cap;
        }
        uint32_t *set = t->cats + t->ncats;
        for (long long k = 0; k < size; k++) {
            long long c;
            if (!integer_at(&cats, (size_t)(seg + k), 0, &c) || c < 0 ||
                c >= (long long)CK_TREES_MAX_CATEGORY)
                return BAD("%s: categories[%lld] is not a category (an integer in [0, 2^24))",
                           path, seg + k);
            set[k] = (uint32_t)c;
        }
        /* xgboost writes each set sorted (from a bit field); its loader
         * accepts any order and repeats, and so do we */
        qsort(set, (size_t)size, sizeof *set, cmp_u32);
        size_t u = 0;
        for (size_t k = 0; k < (size_t)size; k++)
            if (u == 0 || set[k] != set[u - 1])
                set[u++] = set[k];
        t->cat_start[g] = (uint32_t)t->ncats;
        t->cat_count[g] = (uint32_t)u;
        t->ncats += u;
    }
    for (size_t i = 0; i < count; i++)
        if (t->categorical[base + i] && t->cat_count[base + i] == 0)
            return BAD("%s: node %d is a categorical split without categories", path,
                       (int)L->order[i]);
    return CK_OK;
}

/* The arrays scoring does not read, checked as xgboost's own loader
 * checks them (RegTree::LoadModel: numbers, and int32 parents), so that a
 * model churnkit accepts is one xgboost loads. */
static ck_status unread_arrays(const loader *L, const tree_arrays *A, size_t n, const char *path)
{
    ck_error *err = L->err;
    for (size_t k = 0; k < n; k++) {
        double w;
        long long parent;
        if (!number_at(&A->weights, k, &w))
            return BAD("%s: base_weights[%zu] is not a number", path, k);
        if (!integer_at(&A->parents, k, 0, &parent) || parent < INT32_MIN || parent > INT32_MAX)
            return BAD("%s: parents[%zu] is not a 32-bit integer", path, k);
    }
    return CK_OK;
}

/* Adds the loss_changes of the tree's reachable splits to t->gain, in
 * xgboost's node order (the order of its own total_gain). */
static ck_status add_gains(loader *L, const tree_arrays *A, size_t n, size_t base,
                           const char *path)
{
    ck_error *err = L->err;
    if (!A->has_gain || !L->t->gain)
        return CK_OK;
    for (size_t k = 0; k < n; k++) {
        double gain;
        int32_t id = L->newid[k];
        if (id < 0 || L->t->feature[base + (size_t)id] < 0)
            continue; /* unreachable, or a leaf */
        if (!number_at(&A->gain, k, &gain) || !isfinite(gain))
            return BAD("%s: loss_changes[%zu] is not a finite number", path, k);
        L->t->gain[L->t->feature[base + (size_t)id]] += gain;
    }
    return CK_OK;
}

/* Reads tree ti (n nodes in the JSON) into nodes base.. of the ensemble;
 * *count is the nodes kept (the reachable ones). */
static ck_status load_tree(loader *L, const json_t *tree, size_t ti, size_t n, size_t base,
                           size_t *count_out)
{
    ck_trees *t = L->t;
    ck_error *err = L->err;
    char path[48];
    snprintf(path, sizeof path, "trees[%zu]", ti);
    tree_arrays A;
    ck_status st;
    if ((st = node_array(L, tree, "left_children", n, path, NULL, &A.left)) ||
        (st = node_array(L, tree, "right_children", n, path, NULL, &A.right)) ||
        (st = node_array(L, tree, "split_indices", n, path, NULL, &A.index)) ||
        (st = node_array(L, tree, "split_conditions", n, path, NULL, &A.cond)) ||
        (st = node_array(L, tree, "default_left", n, path, NULL, &A.dleft)) ||
        (st = node_array(L, tree, "sum_hessian", n, path, NULL, &A.hess)) ||
        (st = node_array(L, tree, "split_type", n, path, &A.has_stype, &A.stype)) ||
        (st = node_array(L, tree, "loss_changes", n, path, &A.has_gain, &A.gain)) ||
        (st = node_array(L, tree, "base_weights", n, path, NULL, &A.weights)) ||
        (st = node_array(L, tree, "parents", n, path, NULL, &A.parents)) ||
        (st = unread_arrays(L, &A, n, path)))
        return st;
    L->gains &= A.has_gain;
    const json_t *tp = json_object_get(tree, "tree_param");
    char tpath[64];
    snprintf(tpath, sizeof tpath, "%s.tree_param", path);
    size_t deleted = 0;
    if (json_object_get(tp, "num_deleted") &&
        (st = count_string(tp, "num_deleted", tpath, &deleted, err)))
        return st;

    size_t count = 0, depth = 0;
    if ((st = walk(L, &A, n, path, &count, &depth)))
        return st;
    if (count + deleted != n)
        return BAD("%s: %zu of its %zu nodes are not reachable from node 0, but "
                   "tree_param.num_deleted is %zu", path, n - count, n, deleted);
    if (depth > t->max_depth)
        t->max_depth = depth;
    *count_out = count;

    for (size_t i = 0; i < count; i++) {
        size_t g = base + i;
        int32_t k = L->order[i];
        long long l = -1, r = -1, f = 0, dl = 0, stype = 0;
        double cond, cover;
        integer_at(&A.left, (size_t)k, 0, &l); /* checked by walk */
        integer_at(&A.right, (size_t)k, 0, &r);
        if (!number_at(&A.hess, (size_t)k, &cover) || !finite_float(cover) || cover < 0)
            return BAD("%s: sum_hessian[%d] is not a finite number >= 0", path, (int)k);
        if (!number_at(&A.cond, (size_t)k, &cond))
            return BAD("%s: split_conditions[%d] is not a number", path, (int)k);
        t->cover[g] = (float)cover;
        t->cat_start[g] = t->cat_count[g] = 0;
        if (l == -1) {
            if (!finite_float(cond))
                return BAD("%s: the value of leaf %d is not a finite float", path, (int)k);
            t->feature[g] = -1;
            t->left[g] = t->right[g] = -1;
            t->threshold[g] = 0;
            t->value[g] = (float)cond;
            t->default_left[g] = t->categorical[g] = 0;
            continue;
        }
        if (!integer_at(&A.index, (size_t)k, 0, &f) || f < 0 || (size_t)f >= L->nfeatures)
            return BAD("%s: split_indices[%d] is not a feature (there are %zu)", path, (int)k,
                       L->nfeatures);
        if (!integer_at(&A.dleft, (size_t)k, 1, &dl) || (dl != 0 && dl != 1))
            return BAD("%s: default_left[%d] is not 0 or 1", path, (int)k);
        if (A.has_stype &&
            (!integer_at(&A.stype, (size_t)k, 0, &stype) || (stype != 0 && stype != 1)))
            return BAD("%s: split_type[%d] is not 0 (numeric) or 1 (categorical)", path, (int)k);
        /* SHAP weighs a node's children by cover / its cover */
        if (!(cover > 0))
            return BAD("%s: internal node %d has sum_hessian 0", path, (int)k);
        if (stype == 0 && !finite_float(cond))
            return BAD("%s: the threshold of node %d is not a finite float", path, (int)k);
        t->feature[g] = (int32_t)f;
        /* l and r were checked in range (and reached) by walk; checked
         * again here, where the static analyzer can see it */
        if (l < 0 || r < 0 || (size_t)l >= n || (size_t)r >= n)
            return BAD("%s: the children of node %d are not nodes", path, (int)k);
        t->left[g] = (int32_t)(base + (size_t)L->newid[l]);
        t->right[g] = (int32_t)(base + (size_t)L->newid[r]);
        t->threshold[g] = stype == 0 ? (float)cond : 0;
        t->value[g] = 0;
        t->default_left[g] = (uint8_t)dl;
        t->categorical[g] = (uint8_t)stype;
    }
    if ((st = add_gains(L, &A, n, base, path)))
        return st;
    return read_categories(L, tree, n, base, count, path);
}

/* ------------------------------------------------------------------ */
/* SHAP tables */

/* Gauss-Legendre points and weights on [0, 1]: Newton's method on the
 * Legendre polynomial P_m from the usual first guesses (Numerical Recipes'
 * gauleg), then mapped from [-1, 1]. */
static void gauss_legendre(size_t m, double *t, double *w)
{
    const double pi = 3.14159265358979323846;
    for (size_t i = 0; i < (m + 1) / 2; i++) {
        double z = cos(pi * ((double)i + 0.75) / ((double)m + 0.5)), pp = 1;
        for (int it = 0; it < 100; it++) {
            double p1 = 1, p2 = 0;
            for (size_t j = 1; j <= m; j++) {
                double p3 = p2;
                p2 = p1;
                p1 = ((2.0 * (double)j - 1) * z * p2 - ((double)j - 1) * p3) / (double)j;
            }
            pp = (double)m * (z * p1 - p2) / (z * z - 1);
            double z1 = z;
            z = z1 - p1 / pp;
            if (fabs(z - z1) < 1e-16)
                break;
        }
        double wi = 2 / ((1 - z * z) * pp * pp);
        t[i] = (1 - z) / 2;
        t[m - 1 - i] = (1 + z) / 2;
        w[i] = w[m - 1 - i] = wi / 2;
    }
}

/* The walk nodes (see walk_node) and each group's depth. */
static void build_walk(ck_trees *t, const size_t *depth)
{
    struct ck_trees_private *pv = t->priv;
    for (size_t g = 0; g < t->nnodes; g++) {
        walk_node *w = &pv->walk[g];
        if (t->feature[g] < 0) {
            *w = (walk_node){-INFINITY, 0, (int32_t)g, 0};
            continue;
        }
        w->threshold = t->threshold[g];
        w->feature = t->feature[g];
        w->right = t->right[g];
        w->flags = (t->default_left[g] ? WALK_DEFAULT_LEFT : 0) |
                   (t->categorical[g] ? WALK_CATEGORICAL : 0);
    }
    for (size_t ti = 0; ti < t->ntrees; ti++) {
        size_t b = t->first[ti], *gd = &pv->group_depth[ti / WALK_GROUP];
        if (ti % WALK_GROUP == 0)
            *gd = 0;
        for (size_t g = b; g < t->first[ti + 1]; g++)
            if (depth[g] > *gd)
                *gd = depth[g];
    }
}

/* Node g of the real tree at position pos of a perfect tree, k levels
 * down, of depth d (see perfect_node). */
static void perfect_fill(const ck_trees *t, size_t g, size_t pos, size_t k, size_t d,
                         perfect_node *P, float *V)
{
    if (k == d) {
        V[pos] = t->value[g];
        return;
    }
    int leaf = t->feature[g] < 0;
    P[pos] = leaf ? (perfect_node){-INFINITY, 0} : (perfect_node){t->threshold[g], t->feature[g]};
    perfect_fill(t, leaf ? g : (size_t)t->left[g], 2 * pos + 1, k + 1, d, P, V);
    perfect_fill(t, leaf ? g : (size_t)t->right[g], 2 * pos + 2, k + 1, d, P, V);
}

/* Whether the trees of group gi (of WALK_GROUP, or fewer for the last
 * group) can be laid out as perfect trees: no categorical split, not
 * deeper than PERFECT_MAX_DEPTH. */
static int group_perfect(const ck_trees *t, size_t gi)
{
    size_t end = (gi + 1) * WALK_GROUP < t->ntrees ? (gi + 1) * WALK_GROUP : t->ntrees;
    int cat = 0;
    for (size_t g = t->first[gi * WALK_GROUP]; g < t->first[end]; g++)
        cat |= t->feature[g] >= 0 && t->categorical[g];
    return !cat && t->priv->group_depth[gi] <= PERFECT_MAX_DEPTH;
}

/* The perfect layout of every whole group that can have one (see
 * perfect_node); -1 when out of memory. */
static int build_perfect(ck_trees *t)
{
    struct ck_trees_private *pv = t->priv;
    size_t ngroups = t->ntrees / WALK_GROUP, total = 0;
    /* zeroed, though each is set below: clang-tidy cannot follow build_simd
     * reading only the ones set */
    pv->perfect_at = calloc(ngroups + 1, sizeof *pv->perfect_at);
    if (!pv->perfect_at)
        return -1;
    for (size_t gi = 0; gi < ngroups; gi++) {
        pv->perfect_at[gi] = SIZE_MAX;
        if (!group_perfect(t, gi))
            continue;
        pv->perfect_at[gi] = total;
        total += WALK_GROUP * (((size_t)2 << pv->group_depth[gi]) - 1);
    }
    pv->perfect = malloc((total ? total : 1) * sizeof *pv->perfect);
    pv->perfect_value = calloc(total ? total : 1, sizeof *pv->perfect_value);
    if (!pv->perfect || !pv->perfect_value)
        return -1;
    for (size_t gi = 0; gi < ngroups; gi++) {
        size_t d = pv->group_depth[gi], size = ((size_t)2 << d) - 1;
        if (pv->perfect_at[gi] == SIZE_MAX)
            continue;
        for (size_t j = 0; j < WALK_GROUP; j++) {
            size_t at = pv->perfect_at[gi] + j * size;
            perfect_fill(t, t->first[gi * WALK_GROUP + j], 0, 0, d, pv->perfect + at,
                         pv->perfect_value + at);
        }
    }
    return 0;
}

/* n bytes, 64-byte aligned (a vector of SIMD_GROUP lanes is one cache
 * line); aligned_alloc wants a multiple of the alignment. */
static void *alloc_lines(size_t n)
{
    return aligned_alloc(64, (n + 63) / 64 * 64 + 64);
}

/* Group k's vector layout from its trees' perfect ones (see SIMD_GROUP).
 * The lanes past the last tree (in the last group, see build_simd) hold a
 * tree whose every leaf is -0.0f, which added to any float leaves it as it
 * was (-0 + -0 is -0, and x + -0 is x), so the sum in tree order is the
 * real trees' alone. */
static void simd_fill(ck_trees *t, size_t k)
{
    struct ck_trees_private *pv = t->priv;
    perfect_node P[((size_t)2 << PERFECT_MAX_DEPTH) - 1];
    float V[((size_t)2 << PERFECT_MAX_DEPTH) - 1];
    size_t d = pv->simd_depth[k], size = ((size_t)2 << d) - 1, inner = size / 2;
    for (size_t j = 0; j < SIMD_GROUP; j++) {
        if (k * SIMD_GROUP + j < t->ntrees) {
            perfect_fill(t, t->first[k * SIMD_GROUP + j], 0, 0, d, P, V);
        } else {
            for (size_t p = 0; p < size; p++) {
                P[p] = (perfect_node){-INFINITY, 0};
                V[p] = -0.0f;
            }
        }
        for (size_t p = 0; p < size; p++) {
            size_t e = pv->simd_at[k] + p * SIMD_GROUP + j;
            pv->simd_node[e] = p < inner ? P[p] : (perfect_node){V[p], 0};
            if (p < SIMD_TOP_NODES) {
                size_t top = (k * SIMD_TOP_NODES + p) * SIMD_GROUP + j;
                pv->simd_feature[top] = P[p].feature;
                pv->simd_threshold[top] = P[p].threshold;
            }
        }
    }
}

/* Whether this processor can take the vector walk of t's rows: it has
 * AVX-512, and a row fits in two vectors (the walk reads x[feature] with
 * one permutation of 32 lanes). */
static int simd_possible(const ck_trees *t)
{
#if TREES_SIMD
    return t->nfeatures <= 2 * SIMD_GROUP && __builtin_cpu_supports("avx512f");
#else
    (void)t;
    return 0;
#endif
}

/* Whether some group has the vector layout. */
static int simd_built(const struct ck_trees_private *pv)
{
    int any = 0;
    for (size_t k = 0; k < pv->nsimd; k++)
        any |= pv->simd_at[k] != SIZE_MAX;
    return any;
}

/* The vector layout of every group of SIMD_GROUP trees whose halves have a
 * perfect layout, of depth at least SIMD_TOP, when the processor can walk
 * it (none otherwise); -1 when out of memory.  A last group of at least
 * SIMD_GROUP / 2 trees, but not SIMD_GROUP, is padded (see simd_fill): one
 * vector step for its trees costs less than walking them one by one (200
 * trees are 12 groups and 8 trees); a smaller rest is walked without. */
static int build_simd(ck_trees *t)
{
    struct ck_trees_private *pv = t->priv;
    size_t halves = SIMD_GROUP / WALK_GROUP, total = 0, rest = t->ntrees % SIMD_GROUP;
    pv->nsimd = simd_possible(t) ? t->ntrees / SIMD_GROUP + (rest >= SIMD_GROUP / 2) : 0;
    pv->simd_at = malloc((pv->nsimd + 1) * sizeof *pv->simd_at);
    pv->simd_depth = malloc((pv->nsimd + 1) * sizeof *pv->simd_depth);
    if (!pv->simd_at || !pv->simd_depth)
        return -1;
    for (size_t k = 0; k < pv->nsimd; k++) {
        size_t d = SIMD_TOP, ok = 1;
        for (size_t h = 0; h < halves && (k * halves + h) * WALK_GROUP < t->ntrees; h++) {
            ok &= group_perfect(t, k * halves + h);
            if (pv->group_depth[k * halves + h] > d)
                d = pv->group_depth[k * halves + h];
        }
        pv->simd_depth[k] = d;
        pv->simd_at[k] = ok ? total : SIZE_MAX;
        total += ok ? SIMD_GROUP * (((size_t)2 << d) - 1) : 0;
    }
    size_t ntop = pv->nsimd * SIMD_TOP_NODES * SIMD_GROUP;
    pv->simd_feature = alloc_lines(ntop * sizeof *pv->simd_feature);
    pv->simd_threshold = alloc_lines(ntop * sizeof *pv->simd_threshold);
    pv->simd_node = alloc_lines(total * sizeof *pv->simd_node);
    if (!pv->simd_feature || !pv->simd_threshold || !pv->simd_node)
        return -1;
    for (size_t k = 0; k < pv->nsimd; k++)
        if (pv->simd_at[k] != SIZE_MAX)
            simd_fill(t, k);
    pv->simd = simd_built(pv);
    return 0;
}

/* Everything ck_trees_margin and ck_trees_shap read besides the public
 * arrays, and t->bias. */
static ck_status build_private(ck_trees *t, ck_error *err)
{
    size_t N = t->nnodes ? t->nnodes : 1;
    struct ck_trees_private *pv = calloc(1, sizeof *pv);
    double *qc = malloc(N * sizeof *qc), *reach = malloc(N * sizeof *reach),
           *q = malloc(N * sizeof *q);
    size_t *uniq = calloc(N, sizeof *uniq), *depth = calloc(N, sizeof *depth);
    t->priv = pv;
    if (pv) {
        pv->walk = malloc(N * sizeof *pv->walk);
        pv->group_depth = malloc((t->ntrees / WALK_GROUP + 1) * sizeof *pv->group_depth);
        pv->node = calloc(N, sizeof *pv->node);
        pv->inner = malloc(N * sizeof *pv->inner);
        pv->inner_first = malloc((t->ntrees + 1) * sizeof *pv->inner_first);
        pv->full_index = malloc(N * sizeof *pv->full_index);
    }
    if (!pv || !qc || !reach || !q || !uniq || !depth || !pv->walk || !pv->group_depth ||
        !pv->node || !pv->inner || !pv->inner_first || !pv->full_index) {
        free(qc);
        free(q);
        free(reach);
        free(uniq);
        free(depth);
        return ck_error_set(err, CK_ENOMEM, "out of memory reading an xgboost model");
    }
    /* pass 1: parents, previous edges on the same feature, the running
     * cover products Q^e, the distinct features on each path, and each
     * tree's expected value sum_l v_l prod q (the empty coalition; what
     * xgboost's FillNodeMeanValues gives at the root) */
    size_t umax = 0, ninner = 0;
    double bias = t->base_margin;
    for (size_t ti = 0; ti < t->ntrees; ti++) {
        pv->inner_first[ti] = ninner;
        size_t b = t->first[ti], nn = t->first[ti + 1] - b;
        shap_node *sn = pv->node + b;
        if (nn > pv->max_nodes)
            pv->max_nodes = nn;
        sn[0] = (shap_node){-1, -1, 0, -1, 0, 0, 0, 1};
        qc[b] = reach[b] = q[b] = 1;
        uniq[b] = depth[b] = 0;
        double expect = 0;
        for (size_t i = 0; i < nn; i++) {
            size_t g = b + i;
            if (t->feature[g] < 0) {
                sn[i].right = -1; /* the zero slot, below */
                sn[i].leaf = 1;
                sn[i].v = t->value[g];
                expect += t->value[g] * reach[g];
                continue;
            }
            pv->inner[ninner++] = (int32_t)i;
            sn[i].right = (int32_t)((size_t)t->right[g] - b);
            sn[i].leaf = 0;
            sn[i].v = 0;
            for (int side = 0; side < 2; side++) {
                size_t c = (size_t)(side ? t->right[g] : t->left[g]);
                int32_t f = t->feature[g], a = -1;
                /* the previous edge on f: into the nearest ancestor whose
                 * parent splits on f */
                for (size_t j = i; sn[j].parent >= 0; j = (size_t)sn[j].parent)
                    if (t->feature[b + (size_t)sn[j].parent] == f) {
                        a = (int32_t)j;
                        break;
                    }
                shap_node *cn = &sn[c - b];
                cn->parent = (int32_t)i;
                cn->prev = a;
                cn->credit = f;
                cn->is_right = (uint8_t)side;
                q[c] = (double)t->cover[c] / t->cover[g];
                qc[c] = q[c] * (a >= 0 ? qc[b + (size_t)a] : 1);
                reach[c] = reach[g] * q[c];
                uniq[c] = uniq[g] + (a < 0);
                depth[c] = depth[g] + 1;
                if (uniq[c] > umax)
                    umax = uniq[c];
            }
        }
        bias += expect;
    }
    pv->inner_first[t->ntrees] = ninner;
    t->bias = bias;
    for (size_t g = 0; g < t->nnodes; g++)
        if (pv->node[g].right < 0)
            pv->node[g].right = (int32_t)pv->max_nodes;
    build_walk(t, depth);
    free(reach);
    free(uniq);
    free(depth);
    if (build_perfect(t) != 0 || build_simd(t) != 0) {
        free(qc);
        free(q);
        return ck_error_set(err, CK_ENOMEM, "out of memory reading an xgboost model");
    }
    if (umax > 2 * MAX_POINTS) {
        free(qc);
        free(q);
        return BAD("a path splits on %zu distinct features; churnkit explains at most %d",
                   umax, 2 * MAX_POINTS);
    }
    size_t m = umax < 2 ? 1 : (umax + 1) / 2, nv = (m + PTS - 1) / PTS;
    gauss_legendre(m, pv->t, pv->w);
    for (size_t k = m; k < PTS * nv; k++) {
        pv->t[k] = 0.5;
        pv->w[k] = 0;
    }
    pv->nv = nv;
    size_t nfull = 0;
    for (size_t g = 0; g < t->nnodes; g++)
        pv->full_index[g] = pv->node[g].prev >= 0 ? (int32_t)nfull++ : -1;
    pv->d1 = aligned_alloc(sizeof(pts), N * nv * sizeof(pts));
    pv->full = aligned_alloc(sizeof(pts), (nfull ? nfull : 1) * 5 * nv * sizeof(pts));
    if (!pv->d1 || !pv->full) {
        free(qc);
        free(q);
        return ck_error_set(err, CK_ENOMEM, "out of memory reading an xgboost model");
    }
    for (size_t v = 0; v < nv; v++)
        for (size_t j = 0; j < PTS; j++) {
            double tk = pv->t[PTS * v + j], wk = pv->w[PTS * v + j];
            pv->omt[v][j] = 1 - tk;
            pv->tv[0][v][j] = 0;
            pv->tv[1][v][j] = tk;
            pv->c0[v][j] = -wk / (1 - tk);
        }
    /* pass 2: per edge, for p_e = 0 and 1 (with P^a = 1 when there is a
     * previous edge a): the ratio F^e(t_k) / F^a(t_k), and the coefficient
     * of S_n(t_k) in (2), (p - Q^e) w_k / F^e(t_k) - (1 - Q^a) w_k / F^a(t_k) */
    for (size_t ti = 0; ti < t->ntrees; ti++) {
        size_t b = t->first[ti];
        for (size_t g = b; g < t->first[ti + 1]; g++) {
            shap_node *nd = &pv->node[g];
            int32_t a = nd->prev;
            double qe = nd->qe = qc[g], qa = a >= 0 ? qc[b + (size_t)a] : 0;
            for (size_t v = 0; v < nv; v++) {
                pts row[4];
                for (size_t j = 0; j < PTS; j++) {
                    size_t k = PTS * v + j;
                    double tk = pv->t[k], wk = pv->w[k];
                    double fa = a >= 0 ? qa * (1 - tk) + tk : 1;
                    double ca = a >= 0 ? (1 - qa) * wk / fa : 0;
                    for (int p = 0; p < 2; p++) {
                        double fe = qe * (1 - tk) + p * tk;
                        row[p][j] = fe / fa;
                        row[2 + p][j] = fe > 0 ? (p - qe) * wk / fe - ca : 0;
                    }
                }
                pv->d1[g * nv + v] = row[3];
                if (a >= 0) {
                    pts *full = pv->full + (size_t)pv->full_index[g] * 5 * nv;
                    for (size_t r = 0; r < 4; r++)
                        full[r * nv + v] = row[r];
                    full[4 * nv + v] = (pts){q[g], q[g]};
                }
            }
        }
    }
    free(qc);
    free(q);
    return CK_OK;
}

/* ------------------------------------------------------------------ */

void ck_trees_free(ck_trees *t)
{
    if (!t)
        return;
    free(t->first);
    free(t->feature);
    free(t->threshold);
    free(t->left);
    free(t->right);
    free(t->default_left);
    free(t->categorical);
    free(t->value);
    free(t->cover);
    free(t->cat_start);
    free(t->cat_count);
    free(t->gain);
    free(t->cats);
    free(t->objective);
    if (t->priv) {
        free(t->priv->walk);
        free(t->priv->group_depth);
        free(t->priv->perfect_at);
        free(t->priv->perfect);
        free(t->priv->perfect_value);
        free(t->priv->simd_at);
        free(t->priv->simd_depth);
        free(t->priv->simd_feature);
        free(t->priv->simd_threshold);
        free(t->priv->simd_node);
        free(t->priv->node);
        free(t->priv->inner);
        free(t->priv->inner_first);
        free(t->priv->d1);
        free(t->priv->full);
        free(t->priv->full_index);
        free(t->priv);
    }
    free(t);
}

static ck_status read_version(const json_t *root, ck_error *err)
{
    const json_t *v = member(root, "version", JSON_ARRAY, "", err);
    if (!v)
        return CK_EMODEL;
    long long part[3] = {0, 0, 0};
    jarray va = json_view(v);
    size_t n = va.n;
    for (size_t i = 0; i < n && i < 3; i++)
        if (!integer_at(&va, i, 0, &part[i]))
            return BAD("'version' is not a list of integers");
    if (n < 2 || part[0] != 1 || part[1] != 7)
        return BAD("written by xgboost %lld.%lld.%lld; churnkit reads models of xgboost 1.7",
                   part[0], part[1], part[2]);
    return CK_OK;
}

/* The gbtree model object of the learner, with its trees array. */
static ck_status read_booster(const json_t *learner, const json_t **trees, ck_error *err)
{
    const json_t *gb = member(learner, "gradient_booster", JSON_OBJECT, "learner", err);
    const json_t *name = gb ? member(gb, "name", JSON_STRING, "learner.gradient_booster", err)
                            : NULL;
    if (!name)
        return CK_EMODEL;
    const char *s = json_string_value(name);
    if (strcmp(s, "gbtree") != 0)
        return BAD("booster '%s' is not supported (only gbtree: %s)", s,
                   strcmp(s, "dart") == 0 ? "dart weighs its trees" : "a tree ensemble");
    const char *mp = "learner.gradient_booster.model";
    const json_t *model = member(gb, "model", JSON_OBJECT, "learner.gradient_booster", err);
    const json_t *gp = model ? member(model, "gbtree_model_param", JSON_OBJECT, mp, err) : NULL;
    const json_t *tr = gp ? member(model, "trees", JSON_ARRAY, mp, err) : NULL;
    const json_t *info = tr ? member(model, "tree_info", JSON_ARRAY, mp, err) : NULL;
    if (!info)
        return CK_EMODEL;
    size_t ntrees, leafvec = 0;
    ck_status st;
    if ((st = count_string(gp, "num_trees", "gbtree_model_param", &ntrees, err)))
        return st;
    if (json_object_get(gp, "size_leaf_vector") &&
        (st = count_string(gp, "size_leaf_vector", "gbtree_model_param", &leafvec, err)))
        return st;
    if (leafvec != 0)
        return BAD("trees with leaf vectors (size_leaf_vector %zu) are not supported", leafvec);
    if (json_array_size(tr) != ntrees || json_array_size(info) != ntrees)
        return BAD("gbtree_model_param.num_trees is %zu, but there are %zu trees and %zu "
                   "tree_info entries", ntrees, json_array_size(tr), json_array_size(info));
    jarray ia = json_view(info);
    for (size_t i = 0; i < ntrees; i++) {
        long long g;
        if (!integer_at(&ia, i, 0, &g) || g != 0)
            return BAD("tree_info[%zu] is not 0: models with several outputs are not "
                       "supported", i);
    }
    *trees = tr;
    return CK_OK;
}

static ck_status read_learner(ck_trees *t, const json_t *learner, size_t nfeatures,
                              ck_error *err)
{
    const char *mp = "learner.learner_model_param";
    const json_t *param = member(learner, "learner_model_param", JSON_OBJECT, "learner", err);
    if (!param)
        return CK_EMODEL;
    size_t nfeat, nclass = 0, ntarget = 1;
    ck_status st;
    if ((st = count_string(param, "num_feature", mp, &nfeat, err)))
        return st;
    if (json_object_get(param, "num_class") &&
        (st = count_string(param, "num_class", mp, &nclass, err)))
        return st;
    if (json_object_get(param, "num_target") &&
        (st = count_string(param, "num_target", mp, &ntarget, err)))
        return st;
    if (nclass > 1 || ntarget > 1)
        return BAD("models with several outputs (num_class %zu, num_target %zu) are not "
                   "supported", nclass, ntarget);
    if (nfeat != nfeatures)
        return BAD("the model reads %zu features, but rows have %zu", nfeat, nfeatures);
    return read_objective(t, learner, err);
}

ck_status ck_trees_from_json(ck_trees **out, const json_t *xgb_model, size_t nfeatures,
                             ck_error *err)
{
    *out = NULL;
    if (!json_is_object(xgb_model))
        return BAD("not a JSON object");
    ck_status st = read_version(xgb_model, err);
    if (st)
        return st;
    const json_t *learner = member(xgb_model, "learner", JSON_OBJECT, "", err), *trees = NULL;
    if (!learner)
        return CK_EMODEL;
    if ((st = read_booster(learner, &trees, err)))
        return st;
    if (nfeatures > (size_t)INT32_MAX)
        return ck_error_set(err, CK_EUSAGE, "too many features (%zu)", nfeatures);

    ck_trees *t = calloc(1, sizeof *t);
    if (!t)
        return ck_error_set(err, CK_ENOMEM, "out of memory reading an xgboost model");
    t->nfeatures = nfeatures;
    t->ntrees = json_array_size(trees);
    if ((st = read_learner(t, learner, nfeatures, err))) {
        ck_trees_free(t);
        return st;
    }

    /* sizes first: every tree's num_nodes bounds its reachable nodes */
    size_t total = 0, largest = 1;
    for (size_t ti = 0; ti < t->ntrees; ti++) {
        char path[48], tpath[64];
        snprintf(path, sizeof path, "trees[%zu]", ti);
        snprintf(tpath, sizeof tpath, "trees[%zu].tree_param", ti);
        const json_t *tree = json_array_get(trees, ti), *tp;
        size_t n = 0;
        if (!json_is_object(tree)) {
            st = BAD("'%s' is not an object", path);
        } else if ((tp = member(tree, "tree_param", JSON_OBJECT, path, err)) == NULL) {
            st = CK_EMODEL;
        } else if (!(st = count_string(tp, "num_nodes", tpath, &n, err)) &&
                   (n == 0 || n > (size_t)INT32_MAX || total + n > (size_t)INT32_MAX)) {
            st = BAD("%s: tree_param.num_nodes %zu is out of range", path, n);
        }
        if (st) {
            ck_trees_free(t);
            return st;
        }
        total += n;
        if (n > largest)
            largest = n;
    }
    size_t cap = total ? total : 1;
    t->first = malloc((t->ntrees + 1) * sizeof *t->first);
    t->feature = malloc(cap * sizeof *t->feature);
    t->threshold = malloc(cap * sizeof *t->threshold);
    t->left = malloc(cap * sizeof *t->left);
    t->right = malloc(cap * sizeof *t->right);
    t->default_left = malloc(cap);
    t->categorical = malloc(cap);
    t->value = malloc(cap * sizeof *t->value);
    t->cover = malloc(cap * sizeof *t->cover);
    t->cat_start = malloc(cap * sizeof *t->cat_start);
    t->cat_count = malloc(cap * sizeof *t->cat_count);
    t->gain = calloc(nfeatures ? nfeatures : 1, sizeof *t->gain);
    loader L = {t, nfeatures, 0, malloc(largest * sizeof(int32_t)),
                malloc(largest * sizeof(int32_t)), malloc(largest * sizeof(int32_t)),
                malloc(largest * sizeof(int32_t)), json_object_get(xgb_model, PACKED_TABLE),
                1, err};
    if (!t->first || !t->feature || !t->threshold || !t->left || !t->right ||
        !t->default_left || !t->categorical || !t->value || !t->cover || !t->cat_start ||
        !t->cat_count || !t->gain || !L.order || !L.newid || !L.stack || !L.depth) {
        st = ck_error_set(err, CK_ENOMEM, "out of memory reading an xgboost model");
    } else {
        size_t base = 0;
        t->first[0] = 0;
        for (size_t ti = 0; ti < t->ntrees && !st; ti++) {
            const json_t *tree = json_array_get(trees, ti);
            size_t n;
            count_string(json_object_get(tree, "tree_param"), "num_nodes", "tree_param", &n,
                         err);
            size_t count = 0;
            st = load_tree(&L, tree, ti, n, base, &count);
            base += count;
            t->first[ti + 1] = base;
        }
        t->nnodes = base;
        if (!L.gains) { /* a tree without them: no total gain */
            free(t->gain);
            t->gain = NULL;
        }
    }
    free(L.order);
    free(L.newid);
    free(L.stack);
    free(L.depth);
    if (!st)
        st = build_private(t, err);
    if (st) {
        ck_trees_free(t);
        return st;
    }
    *out = t;
    return CK_OK;
}

/* ------------------------------------------------------------------ */
/* scoring */

/* Whether category c is in node g's set (binary search). */
static int in_set(const ck_trees *t, size_t g, uint32_t c)
{
    const uint32_t *s = t->cats + t->cat_start[g];
    size_t lo = 0, hi = t->cat_count[g];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s[mid] < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < t->cat_count[g] && s[lo] == c;
}

/* Whether row x goes to node g's right child: xgboost 1.7.4's GetNextNode
 * and common::Decision (see trees.h).  At a leaf, 1 (see walk_node). */
static inline int goes_right(const ck_trees *t, size_t g, const double *x)
{
    const walk_node *w = &t->priv->walk[g];
    double v = x[w->feature];
    if (isnan(v))
        return !(w->flags & WALK_DEFAULT_LEFT);
    float f = (float)v;
    if (w->flags & WALK_CATEGORICAL) {
        if (!(f >= 0.0f) || f >= (float)CK_TREES_MAX_CATEGORY)
            return 0;
        return in_set(t, g, (uint32_t)f);
    }
    return !(f < w->threshold);
}

/* The child of g that x goes to, chosen without a branch (which the
 * processor would mispredict half the time). */
static inline size_t next_node(const ck_trees *t, size_t g, const double *x)
{
    size_t left = g + 1, right = (size_t)t->priv->walk[g].right;
    size_t mask = (size_t)0 - (size_t)goes_right(t, g, x);
    return left ^ ((left ^ right) & mask);
}


/* The rows of at most this many features are turned to float once, for the
 * perfect trees; wider rows walk the node arrays. */
#define WALK_FLOAT_MAX 512
_Static_assert(WALK_FLOAT_MAX >= 2 * SIMD_GROUP, "the vector walk loads 32 floats of a row");

/* Group gi's leaf values reached by row xf, added to m in tree order, on
 * the perfect layout: no missing value in the row, so each step is
 * (float)x >= threshold. */
static float perfect_group(const struct ck_trees_private *pv, size_t gi, const float *xf,
                           float m)
{
    size_t d = pv->group_depth[gi], size = ((size_t)2 << d) - 1, idx[WALK_GROUP];
    const perfect_node *P = pv->perfect + pv->perfect_at[gi];
    const float *V = pv->perfect_value + pv->perfect_at[gi];
    for (size_t j = 0; j < WALK_GROUP; j++)
        idx[j] = 0;
    /* unrolled whole, so that idx[] lives in registers (kept in memory, each
     * step would wait for a store to be forwarded to the next level's load) */
    for (size_t level = 0; level < d; level++)
#pragma GCC unroll 8
        for (size_t j = 0; j < WALK_GROUP; j++) {
            const perfect_node *n = &P[j * size + idx[j]];
            idx[j] = 2 * idx[j] + 1 + (size_t)(xf[n->feature] >= n->threshold);
        }
    for (size_t j = 0; j < WALK_GROUP; j++)
        m += V[j * size + idx[j]];
    return m;
}

/* Group gi's leaf values reached by row x, added to m in tree order, on
 * the node arrays (any row, any split). */
static float node_group(const ck_trees *t, size_t gi, const double *x, float m)
{
    size_t g[WALK_GROUP], d = t->priv->group_depth[gi];
    for (size_t j = 0; j < WALK_GROUP; j++)
        g[j] = t->first[gi * WALK_GROUP + j];
    for (size_t level = 0; level < d; level++)
        for (size_t j = 0; j < WALK_GROUP; j++)
            g[j] = next_node(t, g[j], x);
    for (size_t j = 0; j < WALK_GROUP; j++)
        m += t->value[g[j]];
    return m;
}

/* The trees from ti on, one at a time (those after the last whole group). */
static float rest_trees(const ck_trees *t, size_t ti, const double *x, float m)
{
    for (; ti < t->ntrees; ti++) {
        size_t g = t->first[ti];
        while (t->feature[g] >= 0)
            g = next_node(t, g, x);
        m += t->value[g];
    }
    return m;
}

#if TREES_SIMD
#define AVX512 __attribute__((target("avx512f")))

/* Entry p * SIMD_GROUP of a simd_* array: node p of the group's trees. */
AVX512 static inline __m512i simd_load(const void *a, size_t p)
{
    return _mm512_load_si512((const char *)a + p * SIMD_GROUP * 4);
}

/* Whichever of nodes p and p + 1 each lane went to (1 in right: p + 1). */
AVX512 static inline __m512i simd_pick(__mmask16 right, const void *a, size_t p)
{
    return _mm512_mask_blend_epi32(right, simd_load(a, p), simd_load(a, p + 1));
}

/* The nodes of level L (< SIMD_TOP) of a group's trees (array a), each lane
 * its own: node 2^L - 1 + c of its tree, c having the directions r[0 .. L)
 * taken above as its bits (1: right), r[0] the highest.  The 2^L
 * candidates are contiguous vectors: pairs that differ in the last
 * direction are blended on it, pairs of those on the one before, and so
 * on; written out, so that everything stays in registers. */
AVX512 static inline __m512i simd_level(const void *a, size_t level, const __mmask16 *r)
{
    switch (level) {
    case 0:
        return simd_load(a, 0);
    case 1:
        return simd_pick(r[0], a, 1);
    case 2:
        return _mm512_mask_blend_epi32(r[0], simd_pick(r[1], a, 3), simd_pick(r[1], a, 5));
    default:
        return _mm512_mask_blend_epi32(
            r[0], _mm512_mask_blend_epi32(r[1], simd_pick(r[2], a, 7), simd_pick(r[2], a, 9)),
            _mm512_mask_blend_epi32(r[1], simd_pick(r[2], a, 11), simd_pick(r[2], a, 13)));
    }
}
_Static_assert(SIMD_TOP == 4, "simd_level is written out for levels 0 to 3");

/* The lanes whose row goes right: (float)x >= threshold, x[feature] read
 * by one permutation of the row's 32 lanes (xlo, xhi).  The rows here have
 * no NaN, so the ordered comparison is C's >=. */
AVX512 static inline __mmask16 simd_right(__m512i feature, __m512 threshold, __m512 xlo,
                                          __m512 xhi)
{
    __m512 x = _mm512_permutex2var_ps(xlo, feature, xhi);
    return _mm512_cmp_ps_mask(x, threshold, _CMP_GE_OQ);
}

/* One level down: lane j at entry p * SIMD_GROUP + j moves to the entry of
 * child 2p + 1 + right, 2 (p SIMD_GROUP + j) - j + SIMD_GROUP (1 + right). */
AVX512 static inline __m512i simd_down(__m512i at, __mmask16 right)
{
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                  step = _mm512_set1_epi32(SIMD_GROUP);
    __m512i left = _mm512_add_epi32(_mm512_sub_epi32(_mm512_add_epi32(at, at), lane), step);
    return _mm512_mask_add_epi32(left, right, left, step);
}

/* The lanes going right at level L < SIMD_TOP (see simd_level). */
AVX512 static inline __mmask16 simd_top_step(const int32_t *F, const float *T, size_t level,
                                             const __mmask16 *r, __m512 xlo, __m512 xhi)
{
    return simd_right(simd_level(F, level, r), _mm512_castsi512_ps(simd_level(T, level, r)), xlo,
                      xhi);
}

/* Groups k0 .. k0 + n - 1 (n <= SIMD_CHUNK) of SIMD_GROUP trees on the
 * vector layout, for nr rows at once (1 or 2, a constant where it is
 * inlined): their leaf values, added to m[r] in tree order.  xf[r] is row r
 * in float, 32 entries (zeros past nfeatures).  Two rows share the loads
 * of the levels above SIMD_TOP and interleave their gathers and their
 * chains of additions (each add waits for the last, three cycles): about
 * 15% less time a row than one at a time, measured on the benchmark's 200
 * trees; three or four rows run out of vector registers. */
AVX512 static inline __attribute__((always_inline)) void
simd_rows(const struct ck_trees_private *pv, size_t k0, size_t n, const float (*xf)[WALK_FLOAT_MAX],
          float *m, size_t nr)
{
    __m512 xlo[SIMD_ROWS], xhi[SIMD_ROWS];
    __m512i at[SIMD_CHUNK][SIMD_ROWS];
    size_t deepest = 0;
    for (size_t r = 0; r < nr; r++) {
        xlo[r] = _mm512_loadu_ps(xf[r]);
        xhi[r] = _mm512_loadu_ps(xf[r] + SIMD_GROUP);
    }
    for (size_t k = 0; k < n; k++) {
        const int32_t *F = pv->simd_feature + (k0 + k) * SIMD_TOP_NODES * SIMD_GROUP;
        const float *T = pv->simd_threshold + (k0 + k) * SIMD_TOP_NODES * SIMD_GROUP;
        for (size_t r = 0; r < nr; r++) {
            __mmask16 d[SIMD_TOP];
            /* written out level by level, so that simd_level's switch folds */
            d[0] = simd_top_step(F, T, 0, d, xlo[r], xhi[r]);
            d[1] = simd_top_step(F, T, 1, d, xlo[r], xhi[r]);
            d[2] = simd_top_step(F, T, 2, d, xlo[r], xhi[r]);
            d[3] = simd_top_step(F, T, 3, d, xlo[r], xhi[r]);
            at[k][r] = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
            at[k][r] = simd_down(simd_down(simd_down(simd_down(at[k][r], d[0]), d[1]), d[2]),
                                 d[3]);
        }
        if (pv->simd_depth[k0 + k] > deepest)
            deepest = pv->simd_depth[k0 + k];
    }
    /* breadth-first: the gathers of different groups overlap */
    const __m512i even =
                      _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30),
                  odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
    for (size_t level = SIMD_TOP; level < deepest; level++)
        for (size_t k = 0; k < n; k++) {
            if (level >= pv->simd_depth[k0 + k])
                continue;
            const perfect_node *P = pv->simd_node + pv->simd_at[k0 + k];
            for (size_t r = 0; r < nr; r++) {
                /* lanes 0-7, then 8-15: (threshold, feature) pairs */
                __m512i a = _mm512_i32gather_epi64(_mm512_castsi512_si256(at[k][r]), P, 8),
                        b = _mm512_i32gather_epi64(_mm512_extracti64x4_epi64(at[k][r], 1), P, 8);
                __m512i th = _mm512_permutex2var_epi32(a, even, b),
                        f = _mm512_permutex2var_epi32(a, odd, b);
                at[k][r] = simd_down(at[k][r],
                                     simd_right(f, _mm512_castsi512_ps(th), xlo[r], xhi[r]));
            }
        }
    float v[SIMD_ROWS][SIMD_CHUNK * SIMD_GROUP];
    for (size_t k = 0; k < n; k++)
        for (size_t r = 0; r < nr; r++)
            _mm512_storeu_ps(v[r] + k * SIMD_GROUP,
                             _mm512_i32gather_ps(at[k][r], pv->simd_node + pv->simd_at[k0 + k], 8));
    for (size_t i = 0; i < n * SIMD_GROUP; i++)
        for (size_t r = 0; r < nr; r++)
            m[r] += v[r][i];
}

/* simd_rows for one row, and for two. */
AVX512 static void simd_groups(const struct ck_trees_private *pv, size_t k0, size_t n,
                               const float (*xf)[WALK_FLOAT_MAX], float *m, size_t nr)
{
    if (nr == 2)
        simd_rows(pv, k0, n, xf, m, 2);
    else
        simd_rows(pv, k0, n, xf, m, 1);
}
#else
/* Never called: without TREES_SIMD no group has the vector layout. */
static void simd_groups(const struct ck_trees_private *pv, size_t k0, size_t n,
                        const float (*xf)[WALK_FLOAT_MAX], float *m, size_t nr)
{
    (void)pv, (void)k0, (void)n, (void)xf, (void)m, (void)nr;
}
#endif

/* Row x in float into xf; 1 when it may walk the perfect trees (no missing
 * value, not too wide). */
static int row_to_float(const ck_trees *t, const double *x, float *xf)
{
    if (t->nfeatures > WALK_FLOAT_MAX)
        return 0;
    int ok = 1;
    for (size_t j = 0; j < t->nfeatures; j++) {
        xf[j] = (float)x[j];
        ok &= !isnan(xf[j]);
    }
    return ok;
}

/* The margins of rows x[0 .. nr) (nr 1 or 2) into out; xf[r] is row r in
 * float (row_to_float), perfect[r] what it said, and two rows are walked
 * together only when both may take the vector walk.
 *
 * Trees are walked WALK_GROUP at a time, a level of each in turn: the
 * walks are chains of dependent loads, and independent chains overlap.  A
 * row without missing values walks the perfect layout where a group has
 * one, in float (xgboost compares (float)x < threshold; converting once
 * gives the same comparisons).  The leaf values are added in float, in
 * tree order from base_margin, as xgboost's predictor adds them, whichever
 * layout a group is walked on.  Where the processor has AVX-512, such a
 * row walks runs of up to SIMD_CHUNK groups of SIMD_GROUP trees on the
 * vector layout instead (simd_groups). */
static void walk_rows(const ck_trees *t, const double *const *x, float (*xf)[WALK_FLOAT_MAX],
                      const int *perfect, size_t nr, double *out)
{
    const struct ck_trees_private *pv = t->priv;
    float m[SIMD_ROWS] = {t->base_margin, t->base_margin};
    size_t ngroups = t->ntrees / WALK_GROUP, halves = SIMD_GROUP / WALK_GROUP, gi = 0;
    int simd = pv->simd;
    for (size_t r = 0; r < nr; r++) {
        simd &= perfect[r];
        for (size_t j = t->nfeatures; j < 2 * SIMD_GROUP; j++)
            xf[r][j] = 0;
    }
    while (gi * WALK_GROUP < t->ntrees) {
        /* a run of groups with the vector layout, SIMD_CHUNK at most (the
         * last may be padded past the last tree) */
        size_t k = gi / halves, n = 0;
        while (simd && gi % halves == 0 && n < SIMD_CHUNK && k + n < pv->nsimd &&
               pv->simd_at[k + n] != SIZE_MAX)
            n++;
        if (n > 0) {
            simd_groups(pv, k, n, (const float (*)[WALK_FLOAT_MAX])xf, m, nr);
            gi += n * halves;
            continue;
        }
        if (gi == ngroups) /* the last trees, fewer than a group */
            break;
        for (size_t r = 0; r < nr; r++)
            m[r] = perfect[r] && pv->perfect_at[gi] != SIZE_MAX
                       ? perfect_group(pv, gi, xf[r], m[r])
                       : node_group(t, gi, x[r], m[r]);
        gi++;
    }
    for (size_t r = 0; r < nr; r++)
        out[r] = rest_trees(t, gi * WALK_GROUP, x[r], m[r]);
}

double ck_trees_margin(const ck_trees *t, const double *x)
{
    float xf[1][WALK_FLOAT_MAX];
    int perfect = row_to_float(t, x, xf[0]);
    double out;
    walk_rows(t, &x, xf, &perfect, 1, &out);
    return out;
}

void ck_trees_margins(const ck_trees *t, const double *x, size_t n, size_t stride, double *out)
{
    float xf[SIMD_ROWS][WALK_FLOAT_MAX];
    for (size_t i = 0; i < n;) {
        const double *rows[SIMD_ROWS] = {x + i * stride, NULL};
        int perfect[SIMD_ROWS] = {row_to_float(t, rows[0], xf[0]), 0};
        size_t nr = 1;
        /* two rows together when both take the vector walk */
        if (i + 1 < n && t->priv->simd && perfect[0]) {
            rows[1] = x + (i + 1) * stride;
            perfect[1] = row_to_float(t, rows[1], xf[1]);
            nr = perfect[1] ? 2 : 1;
        }
        walk_rows(t, rows, xf, perfect, nr, out + i);
        i += nr;
    }
}

int ck_trees_set_simd(ck_trees *t, int on)
{
    t->priv->simd = on && simd_built(t->priv);
    return t->priv->simd;
}

double ck_trees_output(const ck_trees *t, double margin)
{
    switch (t->link) {
    case CK_TREES_LOGISTIC:
        return ck_sigmoid(margin);
    case CK_TREES_EXP:
        return exp(margin);
    case CK_TREES_IDENTITY:
        break;
    }
    return margin;
}

/* ------------------------------------------------------------------ */
/* TreeSHAP */

/* G and S (nodes x nv each, S with its zero slot last), then 3 byte arrays
 * of nodes (hot, code, pc). */
typedef struct shap_scratch {
    size_t nv, nodes;
    pts v[];
} shap_scratch;

void *ck_trees_scratch_new(const ck_trees *t)
{
    /* a slot more than the largest tree's nodes: S's last is the zero
     * slot of shap_node */
    size_t nv = t->priv->nv, n = t->priv->max_nodes + 1;
    size_t size = sizeof(shap_scratch) + 2 * n * nv * sizeof(pts) + 3 * n;
    size = (size + sizeof(pts) - 1) / sizeof(pts) * sizeof(pts);
    shap_scratch *s = aligned_alloc(sizeof(pts), size);
    if (!s)
        return NULL;
    s->nv = nv;
    s->nodes = n;
    for (size_t v = 0; v < nv; v++)
        s->v[(2 * n - 1) * nv + v] = (pts){0, 0};
    return s;
}

void ck_trees_scratch_free(void *scratch)
{
    free(scratch);
}

/* One tree's contributions added to phi: each internal node's direction,
 * the down pass (G), the up pass (S) with the edge terms of (2).  Always
 * inlined, and called with nv a constant for depths up to 8, so that the
 * loops over the points unroll. */
static inline __attribute__((always_inline)) void
shap_tree(const ck_trees *t, size_t ti, const double *x, double *phi, shap_scratch *s,
          const size_t nv)
{
    const struct ck_trees_private *pv = t->priv;
    size_t b = t->first[ti], nn = t->first[ti + 1] - b;
    const shap_node *sn = pv->node + b;
    const pts *d1 = pv->d1 + b * nv;
    pts *G = s->v, *S = G + s->nodes * nv;
    uint8_t *hot = (uint8_t *)(S + s->nodes * nv), *code = hot + s->nodes, *pc = code + s->nodes;
    /* the directions: independent of each other */
    for (size_t j = pv->inner_first[ti]; j < pv->inner_first[ti + 1]; j++) {
        size_t i = (size_t)pv->inner[j];
        hot[i] = (uint8_t)goes_right(t, b + i, x);
    }
    /* down: G_i = G_parent F^e / F^a.  code 0 or 1 is p_e with P^a = 1 (or
     * no edge a), 2 is P^a = 0 (ratio q_e, no term); pc is P^e */
    for (size_t v = 0; v < nv; v++)
        G[v] = pv->omt[v] + pv->tv[1][v]; /* ones at the root */
    for (size_t i = 1; i < nn; i++) {
        const shap_node *nd = &sn[i];
        size_t par = (size_t)nd->parent;
        uint8_t p = hot[par] == nd->is_right;
        const pts *gp = G + par * nv;
        pts *gi = G + i * nv;
        if (nd->prev < 0) {
            pc[i] = code[i] = p;
            for (size_t v = 0; v < nv; v++)
                gi[v] = gp[v] * (nd->qe * pv->omt[v] + pv->tv[p][v]);
        } else {
            const pts *full = pv->full + (size_t)pv->full_index[b + i] * 5 * nv;
            uint8_t on = pc[nd->prev];
            const pts *r = full + (on ? p : 4) * nv;
            pc[i] = on & p;
            code[i] = on ? p : 2;
            for (size_t v = 0; v < nv; v++)
                gi[v] = gp[v] * r[v];
        }
    }
    /* up: S_i = v_i G_i + S_left + S_right (children come after their
     * parent in preorder), and the term (2) of the edge into i */
    for (size_t i = nn - 1; i > 0; i--) {
        const shap_node *nd = &sn[i];
        pts *si = S + i * nv;
        size_t left = nd->leaf ? (size_t)nd->right : i + 1; /* both the zero slot */
        const pts *gi = G + i * nv, *l = S + left * nv, *r = S + (size_t)nd->right * nv;
        for (size_t v = 0; v < nv; v++)
            si[v] = nd->v * gi[v] + l[v] + r[v];
        uint8_t c = code[i];
        if (c < 2) {
            /* chosen by index, not by a test on p (mispredicted half the time) */
            const pts *choice[2] = {pv->c0, d1 + i * nv}, *d;
            if (nd->prev < 0)
                d = choice[c];
            else
                d = pv->full + ((size_t)pv->full_index[b + i] * 5 + 2 + c) * nv;
            pts sum = si[0] * d[0];
            for (size_t v = 1; v < nv; v++)
                sum += si[v] * d[v];
            phi[nd->credit] += sum[0] + sum[1];
        }
    }
}

void ck_trees_shap(const ck_trees *t, const double *x, double *phi, void *scratch)
{
    shap_scratch *s = scratch;
    size_t nf = t->nfeatures, nv = t->priv->nv;
    for (size_t j = 0; j <= nf; j++)
        phi[j] = 0;
    if (!s || s->nv != nv || s->nodes != t->priv->max_nodes + 1) {
        /* not scratch of this ensemble: no numbers rather than wrong ones */
        for (size_t j = 0; j <= nf; j++)
            phi[j] = NAN;
        return;
    }
    for (size_t ti = 0; ti < t->ntrees; ti++) {
        if (t->first[ti + 1] - t->first[ti] < 2)
            continue; /* a single leaf: all in the bias */
        if (nv == 1)
            shap_tree(t, ti, x, phi, s, 1);
        else if (nv == 2)
            shap_tree(t, ti, x, phi, s, 2);
        else
            shap_tree(t, ti, x, phi, s, nv);
    }
    phi[nf] = t->bias;
}
