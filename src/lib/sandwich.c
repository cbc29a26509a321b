/* sandwich.c -- White's heteroskedasticity-robust covariance (see
 * sandwich.h). */
#include "churnkit/sandwich.h"
#include "churnkit/coefs.h"
#include "churnkit/logistic.h"
#include "churnkit/parallel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct meat_job {
    const ck_dataset *ds;
    const double *beta;
    ck_residual kind;
    size_t p, nchunks;
    double *part;   /* by chunk: p x p (upper triangle filled) */
    int failed;
} meat_job;

static void meat_chunk(void *arg, size_t c, size_t worker)
{
    (void)worker;
    meat_job *job = arg;
    const ck_dataset *ds = job->ds;
    size_t p = job->p, begin, end;
    double *m = job->part + c * p * p, *x = malloc(p * sizeof *x);
    if (!x) {
        job->failed = 1;
        return;
    }
    memset(m, 0, p * p * sizeof *m);
    x[0] = 1.0;
    ck_chunk_range(ds->n, job->nchunks, c, &begin, &end);
    for (size_t i = begin; i < end; i++) {
        size_t r = ds->rows[i];
        double w = ds->weight ? ds->weight[r] : 1.0;
        if (w == 0)
            continue;
        ck_design_row(ds->design, r, x + 1);
        double eta = ck_linear_predictor(job->beta, x + 1, p - 1);
        double res = ds->y[r] - (job->kind == CK_RESIDUAL_LOGISTIC ? ck_sigmoid(eta) : eta);
        double s = (w * res) * (w * res);
        for (size_t j = 0; j < p; j++) {
            double sj = s * x[j];
            for (size_t k = j; k < p; k++)
                m[j * p + k] += sj * x[k];
        }
    }
    free(x);
}

ck_status ck_sandwich_meat(const ck_dataset *ds, const double *beta, ck_residual kind,
                           size_t threads, const ck_reducer *red, double *meat, ck_error *err)
{
    size_t p = ds->design->pl->width + 1;
    meat_job job = {ds, beta, kind, p, ck_chunks_for(ds->n), NULL, 0};
    job.part = malloc((job.nchunks ? job.nchunks : 1) * p * p * sizeof *job.part);
    if (!job.part)
        return ck_error_set(err, CK_ENOMEM, "robust covariance: out of memory");
    ck_parallel_for(job.nchunks, threads, meat_chunk, &job);
    memset(meat, 0, p * p * sizeof *meat);
    for (size_t c = 0; c < job.nchunks; c++)
        for (size_t j = 0; j < p; j++)
            for (size_t k = j; k < p; k++)
                meat[j * p + k] += job.part[(c * p + j) * p + k];
    free(job.part);
    if (job.failed)
        return ck_error_set(err, CK_ENOMEM, "robust covariance: out of memory");
    if (ck_reduce_active(red) && ck_reduce_sum(red, meat, p * p) != 0)
        return ck_error_set(err, CK_ENOMEM, "robust covariance: a distributed sum failed");
    for (size_t j = 0; j < p; j++)
        for (size_t k = 0; k < j; k++)
            meat[j * p + k] = meat[k * p + j];
    return CK_OK;
}

int ck_sandwich(const double *bread, const double *meat, size_t p, double factor, double *out)
{
    double *t = malloc((p ? p * p : 1) * sizeof *t);
    if (!t)
        return -1;
    /* t = M B, then out = B t: two p^3 products, p being small here */
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < p; j++) {
            double s = 0;
            for (size_t k = 0; k < p; k++)
                s += meat[i * p + k] * bread[k * p + j];
            t[i * p + j] = s;
        }
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < p; j++) {
            double s = 0;
            for (size_t k = 0; k < p; k++)
                s += bread[i * p + k] * t[k * p + j];
            out[i * p + j] = factor * s;
        }
    free(t);
    return 0;
}
