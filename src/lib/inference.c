/* inference.c -- coefficient tables and collinearity checks. */
#include "churnkit/inference.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ck_coef_table(const double *beta, const double *cov, size_t p, double df,
                   ck_coef_row *rows)
{
    /* 97.5% quantile: 1.96 for z; Student's t with df degrees otherwise */
    double q = df > 0 ? gsl_cdf_tdist_Pinv(0.975, df) : gsl_cdf_ugaussian_Pinv(0.975);
    for (size_t j = 0; j < p; j++) {
        ck_coef_row *r = &rows[j];
        double var = cov ? cov[j * p + j] : NAN;
        r->coef = beta[j];
        r->se = var > 0 ? sqrt(var) : NAN;
        r->stat = r->coef / r->se;
        double tail = df > 0 ? gsl_cdf_tdist_Q(fabs(r->stat), df)
                             : gsl_cdf_ugaussian_Q(fabs(r->stat));
        r->p_value = isnan(r->stat) ? NAN : 2 * tail;
        r->lo = r->coef - q * r->se;
        r->hi = r->coef + q * r->se;
    }
}

typedef struct loading {
    size_t j;
    double v;
} loading;

static int by_weight(const void *a, const void *b)
{
    double x = fabs(((const loading *)a)->v), y = fabs(((const loading *)b)->v);
    return (x < y) - (x > y);
}

/* The columns with weight >= 0.2 in eigenvector `vec`, "'a', 'b'", into
 * list (size bytes); returns how many. */
static size_t dependency(const gsl_vector_const_view vec, size_t p, const char *const *names,
                         char *list, size_t size)
{
    loading *l = malloc(p * sizeof *l);
    size_t used = 0, shown = 0;
    list[0] = '\0';
    if (!l)
        return 0;
    for (size_t j = 0; j < p; j++)
        l[j] = (loading){j, gsl_vector_get(&vec.vector, j)};
    qsort(l, p, sizeof *l, by_weight);
    for (size_t k = 0; k < p && fabs(l[k].v) >= 0.2 && used < size - 80; k++, shown++)
        used += (size_t)snprintf(list + used, size - used, "%s'%s'", shown ? ", " : "",
                                 names[l[k].j]);
    free(l);
    return shown;
}

enum { SHOWN_GROUPS = 3 }; /* groups a warning of several names */

/* One warning for the near-dependencies (columns named in each) of the
 * eigenvectors k < n of evec, their ratios lmax / lambda_k in ratio: one
 * alone as it is; several (a model of many spline columns has a dozen) as
 * their count and the first SHOWN_GROUPS, the strongest, so that the
 * warning stays one line that says the same. */
static void warn_dependencies(const gsl_matrix *evec, const double *ratio, size_t n,
                              const char *const *names, ck_warnings *w)
{
    char list[600], one[600] = "", all[2000] = "";
    size_t groups = 0, used = 0;
    double first = NAN, last = NAN;
    for (size_t k = 0; k < n; k++) {
        if (dependency(gsl_matrix_const_column(evec, k), evec->size1, names, list,
                       sizeof list) < 2)
            continue;
        if (groups++ == 0) {
            first = ratio[k];
            memcpy(one, list, sizeof one);
        }
        last = ratio[k];
        if (groups <= SHOWN_GROUPS && used < sizeof all)
            used += (size_t)snprintf(all + used, sizeof all - used, "%s%s (%.3g)",
                                     groups > 1 ? "; " : "", list, ratio[k]);
    }
    if (groups == 1)
        ck_warn(w, "columns %s are nearly collinear (condition number %.3g): their coefficients "
                   "and standard errors are unreliable; drop one, or use --l2",
                one, first);
    else if (groups > 1)
        ck_warn(w, "%zu groups of columns are nearly collinear (condition numbers %.3g down to "
                   "%.3g): their coefficients and standard errors are unreliable; drop one of "
                   "each, or use --l2: %s%s",
                groups, first, last, all, groups > SHOWN_GROUPS ? "; ..." : "");
}

double ck_collinearity(const double *a, size_t p, const char *const *names, double limit,
                       ck_warnings *w)
{
    gsl_matrix *s = gsl_matrix_alloc(p, p), *evec = gsl_matrix_alloc(p, p);
    gsl_vector *eval = gsl_vector_alloc(p);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(p);
    double cond = NAN, *ratio = NULL;
    if (!s || !evec || !eval || !ws)
        goto done;
    /* scale to unit diagonal: a correlation-like matrix, so that the
     * units of the columns do not enter the condition number */
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < p; j++) {
            double d = sqrt(a[i * p + i] * a[j * p + j]);
            gsl_matrix_set(s, i, j, d > 0 ? a[i * p + j] / d : (i == j));
        }
    if (gsl_eigen_symmv(s, eval, evec, ws) != 0)
        goto done;
    if (gsl_eigen_symmv_sort(eval, evec, GSL_EIGEN_SORT_VAL_ASC) != 0)
        goto done;
    double lmax = gsl_vector_get(eval, p - 1), lmin = gsl_vector_get(eval, 0);
    cond = lmin > 0 ? lmax / lmin : INFINITY;
    if (!(ratio = malloc(p * sizeof *ratio)))
        goto done;
    size_t n = 0;
    for (size_t k = 0; k < p && limit > 0; k++) {
        double lk = gsl_vector_get(eval, k);
        ratio[k] = lk > 0 ? lmax / lk : INFINITY;
        if (!(ratio[k] > limit))
            break;
        n++;
    }
    warn_dependencies(evec, ratio, n, names, w);
done:
    free(ratio);
    gsl_matrix_free(s);
    gsl_matrix_free(evec);
    gsl_vector_free(eval);
    if (ws)
        gsl_eigen_symmv_free(ws);
    return cond;
}

size_t ck_aliased_columns(const double *r, size_t ld, size_t p, const unsigned char *skip,
                          double tol, unsigned char *aliased)
{
    /* Gram-Schmidt on R's columns, twice over (a second projection removes
     * what rounding left of the first): an orthonormal basis q of the
     * columns kept so far, rank of them */
    double *q = malloc((p ? p * p : 1) * sizeof *q), *v = malloc((p ? p : 1) * sizeof *v);
    size_t rank = 0;
    if (!q || !v) {
        free(q);
        free(v);
        return (size_t)-1;
    }
    for (size_t j = 0; j < p; j++) {
        aliased[j] = 0;
        if (skip && skip[j])
            continue;
        double norm0 = 0, norm = 0;
        for (size_t i = 0; i < p; i++) {
            v[i] = i <= j ? r[i * ld + j] : 0;
            norm0 += v[i] * v[i];
        }
        for (int pass = 0; pass < 2; pass++)
            for (size_t k = 0; k < rank; k++) {
                double d = 0;
                for (size_t i = 0; i < p; i++)
                    d += q[k * p + i] * v[i];
                for (size_t i = 0; i < p; i++)
                    v[i] -= d * q[k * p + i];
            }
        for (size_t i = 0; i < p; i++)
            norm += v[i] * v[i];
        norm = sqrt(norm);
        if (!(norm > tol * sqrt(norm0))) { /* a zero column is aliased too */
            aliased[j] = 1;
            continue;
        }
        for (size_t i = 0; i < p; i++)
            q[rank * p + i] = v[i] / norm;
        rank++;
    }
    free(q);
    free(v);
    return rank;
}

void ck_warn_aliased(ck_warnings *w, const char *const *names, const unsigned char *aliased,
                     size_t p, size_t rank)
{
    char list[900] = "";
    size_t used = 0, n = 0, shown = 0;
    for (size_t j = 0; j < p; j++) {
        if (!aliased[j])
            continue;
        n++;
        if (used + strlen(names[j]) + 8 < sizeof list - 20) {
            used += (size_t)snprintf(list + used, sizeof list - used, "%s'%s'", shown ? ", " : "",
                                     names[j]);
            shown++;
        }
    }
    if (n == 0)
        return;
    if (shown < n)
        snprintf(list + used, sizeof list - used, " and %zu more", n - shown);
    ck_warn(w, "the design has rank %zu of %zu: %zu column%s %s an exact linear combination of "
               "the columns before %s (aliased), left out of the fit and shown as NA, as R's "
               "lm and glm do: %s; --exclude NAME=LEVEL drops a level's column",
            rank, p, n, n == 1 ? "" : "s", n == 1 ? "is" : "are", n == 1 ? "it" : "them", list);
}

double ck_warn_dependence(const double *a, size_t p, const unsigned char *skip,
                          const unsigned char *aliased, size_t rank,
                          const char *const *encoded, double limit, ck_warnings *w)
{
    const char **names = malloc(p * sizeof *names), **sub_names = malloc(p * sizeof *names);
    double *sub = malloc(p * p * sizeof *sub), cond = NAN;
    if (names && sub_names && sub) {
        names[0] = "(intercept)";
        for (size_t j = 1; j < p; j++)
            names[j] = encoded[j - 1];
        size_t k = ck_submatrix(a, p, skip, names, sub, sub_names);
        cond = ck_collinearity(sub, k, sub_names, limit, w);
        if (aliased)
            ck_warn_aliased(w, names, aliased, p, rank);
    }
    free(names);
    free(sub_names);
    free(sub);
    return cond;
}

size_t ck_submatrix(const double *a, size_t p, const unsigned char *skip,
                    const char *const *names, double *out, const char **out_names)
{
    size_t k = 0;
    for (size_t i = 0; i < p; i++)
        if (!(skip && skip[i]))
            out_names[k++] = names[i];
    size_t r = 0;
    for (size_t i = 0; i < p; i++) {
        if (skip && skip[i])
            continue;
        size_t c = 0;
        for (size_t j = 0; j < p; j++)
            if (!(skip && skip[j]))
                out[r * k + c++] = a[i * p + j];
        r++;
    }
    return k;
}

double ck_wald_stat(const double *beta, const double *cov, size_t p, const size_t *idx,
                    size_t k)
{
    gsl_matrix *v = gsl_matrix_alloc(k ? k : 1, k ? k : 1);
    gsl_vector *b = gsl_vector_alloc(k ? k : 1), *x = gsl_vector_alloc(k ? k : 1);
    double w = NAN;
    if (k > 0 && v && b && x) {
        for (size_t i = 0; i < k; i++) {
            gsl_vector_set(b, i, beta[idx[i]]);
            for (size_t j = 0; j < k; j++)
                gsl_matrix_set(v, i, j, cov[idx[i] * p + idx[j]]);
        }
        if (gsl_linalg_cholesky_decomp1(v) == 0 && gsl_linalg_cholesky_solve(v, b, x) == 0) {
            w = 0;
            for (size_t i = 0; i < k; i++)
                w += gsl_vector_get(b, i) * gsl_vector_get(x, i);
        }
    }
    gsl_matrix_free(v);
    gsl_vector_free(b);
    gsl_vector_free(x);
    return w;
}
