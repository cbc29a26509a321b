/* spd.c -- solves and inverses of Newton's information matrices (see
 * spd.h). */
#include "churnkit/spd.h"

#include <gsl/gsl_linalg.h>
#include <stdlib.h>
#include <string.h>

int ck_spd_solve(const double *h, const double *g, size_t p, double *d)
{
    gsl_matrix *a = gsl_matrix_alloc(p, p);
    gsl_vector_const_view gv = gsl_vector_const_view_array(g, p);
    gsl_vector_view dv = gsl_vector_view_array(d, p);
    int rc = -1;
    if (!a)
        return -1;
    memcpy(a->data, h, p * p * sizeof *h);
    if (gsl_linalg_cholesky_decomp1(a) == 0 &&
        gsl_linalg_cholesky_solve(a, &gv.vector, &dv.vector) == 0) {
        gsl_matrix_free(a);
        return 0;
    }
    gsl_matrix *v = gsl_matrix_alloc(p, p);
    gsl_vector *s = gsl_vector_alloc(p), *work = gsl_vector_alloc(p);
    if (v && s && work) {
        memcpy(a->data, h, p * p * sizeof *h);
        if (gsl_linalg_SV_decomp(a, v, s, work) == 0) {
            double cut = 1e-12 * gsl_vector_get(s, 0);
            for (size_t k = 0; k < p; k++)
                if (gsl_vector_get(s, k) <= cut)
                    gsl_vector_set(s, k, 0.0);
            rc = gsl_linalg_SV_solve(a, v, s, &gv.vector, &dv.vector) == 0 ? 1 : -1;
        }
    }
    gsl_matrix_free(a);
    gsl_matrix_free(v);
    gsl_vector_free(s);
    gsl_vector_free(work);
    return rc;
}

int ck_spd_invert(const double *h, size_t p, double *cov)
{
    gsl_matrix *a = gsl_matrix_alloc(p, p);
    if (!a)
        return -1;
    memcpy(a->data, h, p * p * sizeof *h);
    if (gsl_linalg_cholesky_decomp1(a) == 0 && gsl_linalg_cholesky_invert(a) == 0) {
        memcpy(cov, a->data, p * p * sizeof *cov);
        gsl_matrix_free(a);
        return 0;
    }
    gsl_matrix_free(a);
    /* singular: solve H c_k = e_k column by column through the SVD */
    double *e = calloc(p, sizeof *e), *col = malloc(p * sizeof *col);
    int rc = e && col ? 0 : -1;
    for (size_t k = 0; k < p && rc == 0; k++) {
        e[k] = 1.0;
        if (ck_spd_solve(h, e, p, col) < 0)
            rc = -1;
        for (size_t j = 0; j < p; j++)
            cov[j * p + k] = col[j];
        e[k] = 0.0;
    }
    free(e);
    free(col);
    return rc;
}
