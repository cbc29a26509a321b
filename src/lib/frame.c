/* frame.c -- tables from column arrays, in-memory scoring into the caller's
 * arrays, and the model's texts, for the Python package (see frame.h). */
#include "churnkit/frame.h"
#include "churnkit/num.h"
#include "churnkit/parallel.h"
#include "churnkit/reasons.h"
#include "churnkit/report.h"
#include "churnkit/train.h"
#include "churnkit/version.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ck_table *ck_frame_table(size_t nrows, const char *source)
{
    ck_table *t = ck_table_new(nrows, source ? source : "frame");
    if (t)
        t->first_line = 1; /* row i is "line" i + 1 in messages */
    return t;
}

/* An infinite value is refused as the CSV reader refuses one. */
static ck_status check_finite(const ck_table *t, const char *name, const double *values,
                              ck_error *err)
{
    for (size_t i = 0; i < t->nrows; i++)
        if (isinf(values[i]))
            return ck_error_at(err, CK_EDATA, t->source, ck_table_line(t, i), t->ncols + 1,
                               "value %s in column '%s' is infinite (a missing value is NaN)",
                               values[i] > 0 ? "inf" : "-inf", name);
    return CK_OK;
}

ck_status ck_frame_add_numeric(ck_table *t, const char *name, const double *values,
                               ck_error *err)
{
    ck_status st = check_finite(t, name, values, err);
    return st != CK_OK ? st : ck_table_add_numeric(t, name, values, err);
}

ck_status ck_frame_view_numeric(ck_table *t, const char *name, const double *values,
                                ck_error *err)
{
    ck_status st = check_finite(t, name, values, err);
    return st != CK_OK ? st : ck_table_add_numeric_view(t, name, values, err);
}

ck_status ck_frame_add_codes(ck_table *t, const char *name, const int32_t *codes,
                             const char *const *levels, size_t nlevels, ck_error *err)
{
    /* one pointer a row, then the table's own interning: the levels are
     * numbered as a CSV file's would be, in order of first appearance */
    const char **v = malloc((t->nrows ? t->nrows : 1) * sizeof *v);
    char *missing = calloc(nlevels ? nlevels : 1, 1);
    ck_status st = CK_OK;
    if (!v || !missing)
        st = ck_error_set(err, CK_ENOMEM, "out of memory");
    for (size_t l = 0; st == CK_OK && l < nlevels; l++)
        missing[l] = !levels[l] || ck_num_is_missing_token(levels[l], strlen(levels[l]));
    for (size_t i = 0; st == CK_OK && i < t->nrows; i++) {
        if (codes[i] < -1 || (codes[i] >= 0 && (size_t)codes[i] >= nlevels))
            st = ck_error_at(err, CK_EUSAGE, t->source, ck_table_line(t, i), t->ncols + 1,
                             "column '%s': code %ld outside its %zu levels", name,
                             (long)codes[i], nlevels);
        else
            v[i] = codes[i] < 0 || missing[codes[i]] ? NULL : levels[codes[i]];
    }
    if (st == CK_OK)
        st = ck_table_add_text(t, name, v, err);
    free(v);
    free(missing);
    return st;
}

/* ------------------------------------------------------------------ */
/* scoring */

typedef struct predict_job {
    const ck_model *m;
    const ck_design *d;
    size_t n, nchunks, k;
    int direction, decimals;
    int32_t *rfeat, *rlevel;
    double *reffect;
    int failed;
} predict_job;

/* A value as churnkit-predict writes it with `decimals` places, read back;
 * decimals < 0: the value itself.  ck_num_format_fixed writes the integer
 * n = llround(|v| 10^d) as n / 10^d in decimal, which strtod reads back as
 * the double nearest n / 10^d; while n < 2^53 both n and 10^d are exact
 * doubles and IEEE division is correctly rounded, so n / 10^d is that same
 * double without the text.  Larger values go through the text. */
static double rounded(double v, int decimals)
{
    static const double scale[10] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    char buf[CK_NUM_BUFSIZE];
    if (decimals < 0 || isnan(v))
        return v;
    if (decimals <= 9 && fabs(v) < 1e6) { /* |v| 10^9 < 2^53 */
        double n = (double)llround(fabs(v) * scale[decimals]);
        return n == 0 ? 0.0 : copysign(n / scale[decimals], v);
    }
    ck_num_format_fixed(v, decimals, buf);
    return strtod(buf, NULL);
}

/* The row's level of feature k (-1: missing or unseen), as the design
 * reads it. */
static int32_t row_level(const ck_design *d, size_t k, size_t row)
{
    int32_t code = d->t->col[d->col[k]].code[row];
    return code < 0 ? -1 : d->code_map[k][code];
}

/* Row i's reasons into the job's arrays, from its encoded row x. */
static void row_reasons(predict_job *job, size_t i, const double *x, double *contrib,
                        double *by_feat, size_t *rank, void *scratch)
{
    const ck_pipeline *pl = job->m->pl;
    ck_model_contributions(job->m, x, contrib, scratch);
    size_t nq = ck_reasons_pick(pl, contrib, job->direction, job->k, by_feat, rank);
    for (size_t r = 0; r < job->k; r++) {
        size_t at = i * job->k + r, f = rank[r];
        int text = r < nq && pl->feat[f].kind == CK_FEAT_CATEGORICAL;
        job->rfeat[at] = r < nq ? (int32_t)f : -1;
        job->rlevel[at] = text ? row_level(job->d, f, i) : -1;
        job->reffect[at] = r < nq ? rounded(by_feat[f], job->decimals) : NAN;
    }
}

/* Rows encoded BLOCK at a time column by column (ck_design_block, as
 * ck_model_score_table does), each gathered into x for its contributions. */
enum { BLOCK = 256 };

static void reasons_chunk(void *arg, size_t c, size_t worker)
{
    (void)worker;
    predict_job *job = arg;
    const ck_pipeline *pl = job->m->pl;
    size_t w = pl->width ? pl->width : 1, nf = pl->nfeat ? pl->nfeat : 1, begin, end;
    size_t rows[BLOCK];
    double *x = malloc(w * sizeof *x), *contrib = malloc(w * sizeof *contrib);
    double *block = malloc(w * BLOCK * sizeof *block), *by_feat = malloc(nf * sizeof *by_feat);
    size_t *rank = malloc(nf * sizeof *rank);
    void *scratch = NULL;
    if (!x || !contrib || !block || !by_feat || !rank ||
        ck_model_scratch(job->m, &scratch, NULL) != CK_OK) {
        job->failed = 1;
        goto done;
    }
    ck_chunk_range(job->n, job->nchunks, c, &begin, &end);
    for (size_t b = begin; b < end; b += BLOCK) {
        size_t nb = end - b;
        if (nb > BLOCK)
            nb = BLOCK;
        for (size_t i = 0; i < nb; i++)
            rows[i] = b + i;
        ck_design_block(job->d, rows, nb, block, BLOCK);
        for (size_t i = 0; i < nb; i++) {
            for (size_t j = 0; j < pl->width; j++)
                x[j] = block[j * BLOCK + i];
            row_reasons(job, b + i, x, contrib, by_feat, rank, scratch);
        }
    }
done:
    ck_model_scratch_free(job->m, scratch);
    free(x);
    free(contrib);
    free(block);
    free(by_feat);
    free(rank);
}

ck_status ck_frame_option_number(const char *opt, const char *text, double lo, double hi,
                                 double *out, ck_error *err)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text || *end || !(v >= lo && v <= hi))
        return ck_error_set(err, CK_EUSAGE, "--%s: '%s' is not a number in [%g, %g]", opt,
                            text, lo, hi);
    *out = v;
    return CK_OK;
}

ck_status ck_frame_predict(const ck_model *m, const ck_table *t, size_t reasons, int direction,
                           int decimals, size_t threads, double *score, int8_t *label,
                           int32_t *rfeat, int32_t *rlevel, double *reffect, size_t *unseen,
                           ck_error *err)
{
    size_t n = t->nrows;
    ck_status st = ck_model_score_table(m, t, NULL, n, threads, score, err);
    if (st != CK_OK)
        return st;
    for (size_t i = 0; i < n; i++) {
        if (label && m->task == CK_TASK_CLASSIFICATION)
            label[i] = score[i] >= m->threshold;
    }
    if (!ck_model_explains(m))
        reasons = 0;
    if (reasons > m->pl->nfeat)
        reasons = m->pl->nfeat;
    ck_design d;
    if ((st = ck_design_bind(&d, m->pl, t, err)) != CK_OK)
        return st;
    if (unseen)
        *unseen = d.unseen;
    if (reasons) {
        predict_job job = {m, &d, n, ck_chunks_for(n), reasons, direction, decimals,
                           rfeat, rlevel, reffect, 0};
        ck_parallel_for(job.nchunks, threads, reasons_chunk, &job);
        if (job.failed)
            st = ck_error_set(err, CK_ENOMEM, "out of memory");
    }
    ck_design_fini(&d);
    for (size_t i = 0; i < n; i++) /* after the reasons: they need no score */
        score[i] = rounded(score[i], decimals);
    return st;
}

char *ck_frame_reason_label(const ck_model *m, size_t k, int32_t level)
{
    if (k >= m->pl->nfeat)
        return NULL;
    const ck_feature *f = &m->pl->feat[k];
    if (f->kind == CK_FEAT_NUMERIC)
        return strdup(f->name);
    const char *lv = level >= 0 && (size_t)level < f->nlevels ? f->levels[level] : "(no level)";
    size_t a = strlen(f->name), b = strlen(lv);
    char *s = malloc(a + b + 2);
    if (s) {
        memcpy(s, f->name, a);
        s[a] = '=';
        memcpy(s + a + 1, lv, b + 1);
    }
    return s;
}

size_t ck_frame_nfeatures(const ck_model *m)
{
    return m->pl->nfeat;
}

const char *ck_frame_feature(const ck_model *m, size_t k, int *text)
{
    if (k >= m->pl->nfeat)
        return NULL;
    if (text)
        *text = m->pl->feat[k].kind == CK_FEAT_CATEGORICAL;
    return m->pl->feat[k].name;
}

/* ------------------------------------------------------------------ */
/* texts */

char *ck_frame_model_json(const ck_model *m)
{
    return ck_model_to_json(m);
}

char *ck_frame_print(void (*write)(FILE *, const void *), const void *arg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    write(f, arg);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static void write_report(FILE *f, const void *m)
{
    ck_report_model(f, m);
}

char *ck_frame_model_report(const ck_model *m)
{
    return ck_frame_print(write_report, m);
}

static void write_warnings(FILE *f, const void *arg)
{
    const ck_warnings *w = arg;
    for (size_t i = 0; i < w->n; i++) { /* as ck_cli_warnings words them */
        if (w->count[i] > 1)
            fprintf(f, "%s (%lu times)\n", w->msg[i], w->count[i]);
        else
            fprintf(f, "%s\n", w->msg[i]);
    }
}

char *ck_frame_warnings_text(const ck_warnings *w)
{
    return w && w->n ? ck_frame_print(write_warnings, w) : NULL;
}

const char *ck_frame_version(void)
{
    return CK_VERSION;
}

void ck_frame_text_free(char *s)
{
    free(s);
}
