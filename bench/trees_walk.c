/* trees_walk.c -- times churnkit's tree walk (ck_trees_margin) alone, on one
 * thread, without the CSV reading and the pipeline around it.
 *
 *   trees_walk MODEL CSV ROWS [REPS [WALK]]
 *
 * MODEL is a churnkit model file of a gbdt (its booster is the string
 * "gbdt"."xgboost_model"), CSV a benchmark file (gen_numeric: a header, then
 * numbers only, as many columns as the model has features and the label
 * last; an empty field is read as missing).  The first ROWS rows are read
 * into memory, then every row is scored REPS times (default 5) by the
 * scalar walk and, when the processor has AVX-512, by the vector walk
 * (ck_trees_set_simd) one row at a time and in batches (ck_trees_margins,
 * which takes two rows at once, in batches of 64 rows as churnkit-predict
 * calls it), in turns; it prints each walk's median time per row
 * and a checksum of the margins' bits (FNV-1a over the doubles in row
 * order), which must be the same for both walks and must not change when
 * the walk is made faster: the walk is exact, so any change to a margin is
 * a bug (exit status 1).  WALK "scalar", "vector" or "batch" times that
 * walk only (for a profiler). */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "churnkit/trees.h"

static void die(const char *what)
{
    fprintf(stderr, "trees_walk: %s\n", what);
    exit(1);
}

/* The thread's CPU time: the machine is shared, and time the scheduler
 * gives to other processes is not the walk's. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static ck_trees *load_trees(const char *path, size_t *nfeatures)
{
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root)
        die(je.text);
    json_t *features = json_object_get(root, "encoded");
    if (!json_is_array(features))
        features = json_object_get(root, "features");
    *nfeatures = json_array_size(features);
    const char *text = json_string_value(
        json_object_get(json_object_get(root, "gbdt"), "xgboost_model"));
    if (!text)
        die("no gbdt.xgboost_model in the model file");
    json_t *xgb = NULL;
    ck_trees *t = NULL;
    ck_error err = {0};
    if (ck_trees_json_load(&xgb, text, strlen(text), &err) != CK_OK ||
        ck_trees_from_json(&t, xgb, *nfeatures, &err) != CK_OK)
        die(err.message);
    json_decref(xgb);
    json_decref(root);
    return t;
}

/* The first n rows of path, p values each (the columns after them ignored). */
static double *load_rows(const char *path, size_t n, size_t p)
{
    FILE *f = fopen(path, "r");
    if (!f)
        die("cannot open the CSV file");
    double *x = malloc(n * p * sizeof *x);
    char line[1 << 16];
    if (!x || !fgets(line, sizeof line, f))
        die("empty CSV file or out of memory");
    for (size_t i = 0; i < n; i++) {
        if (!fgets(line, sizeof line, f))
            die("fewer rows than asked for");
        char *s = line;
        for (size_t j = 0; j < p; j++) {
            char *end;
            double v = strtod(s, &end);
            x[i * p + j] = end == s ? NAN : v;
            s = strchr(end, ',');
            if (!s && j + 1 < p)
                die("a short row");
            s = s ? s + 1 : end;
        }
    }
    fclose(f);
    return x;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Scores every row once, one at a time or (batch) 64 at a time; the
 * seconds it took, the margins' checksum in *hash. */
static double score_all(const ck_trees *t, const double *x, size_t n, size_t p, int batch,
                        uint64_t *hash)
{
    uint64_t h = 14695981039346656037u;
    double t0 = now(), m64[64];
    for (size_t i = 0; i < n; i++) {
        if (batch && i % 64 == 0)
            ck_trees_margins(t, x + i * p, n - i < 64 ? n - i : 64, p, m64);
        double m = batch ? m64[i % 64] : ck_trees_margin(t, x + i * p);
        uint64_t b;
        memcpy(&b, &m, sizeof b);
        h = (h ^ b) * 1099511628211u;
    }
    *hash = h;
    return now() - t0;
}

int main(int argc, char **argv)
{
    if (argc < 4)
        die("usage: trees_walk MODEL CSV ROWS [REPS [scalar|vector|batch]]");
    size_t n = strtoul(argv[3], NULL, 10), reps = argc > 4 ? strtoul(argv[4], NULL, 10) : 5, p;
    if (n == 0 || reps == 0 || reps > 99)
        die("ROWS and REPS must be positive (REPS at most 99)");
    ck_trees *t = load_trees(argv[1], &p);
    double *x = load_rows(argv[2], n, p), times[3][99];
    /* the scalar walk and, when the processor has it, the vector one (a row
     * at a time, then in batches), taking turns so that all see the same
     * load from the rest of the machine */
    static const char *name[3] = {"scalar", "vector", "batch"};
    int walks = ck_trees_set_simd(t, 1) ? 3 : 1, from = 0;
    if (argc > 5 && strcmp(argv[5], "scalar") == 0)
        walks = 1;
    else if (argc > 5 && strcmp(argv[5], "vector") == 0 && walks == 3)
        from = 1, walks = 2;
    else if (argc > 5 && strcmp(argv[5], "batch") == 0 && walks == 3)
        from = 2;
    else if (argc > 5)
        die("WALK is scalar, vector or batch (this processor has no vector walk)");
    uint64_t hash[3] = {0, 0, 0};
    for (size_t r = 0; r < reps; r++)
        for (int w = from; w < walks; w++) {
            uint64_t h;
            ck_trees_set_simd(t, w > 0);
            times[w][r] = score_all(t, x, n, p, w == 2, &h);
            if (r > 0 && h != hash[w])
                die("the margins changed between repetitions");
            hash[w] = h;
        }
    printf("%zu trees, %zu rows x %zu features, median of %zu:\n", t->ntrees, n, p, reps);
    for (int w = from; w < walks; w++) {
        qsort(times[w], reps, sizeof *times[w], cmp_double);
        printf("  %-6s walk: %7.1f ns a row (%8.0f rows/s), margins' checksum %016llx\n",
               name[w], 1e9 * times[w][reps / 2] / (double)n,
               (double)n / times[w][reps / 2], (unsigned long long)hash[w]);
    }
    ck_trees_free(t);
    free(x);
    for (int w = from + 1; w < walks; w++)
        if (hash[w] != hash[from])
            die("the walks' margins differ");
    return 0;
}
