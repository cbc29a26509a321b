/* score.c -- streaming batch scoring (see score.h). */
#include "churnkit/score.h"
#include "churnkit/csvwriter.h"
#include "churnkit/num.h"
#include "churnkit/ofile.h"
#include "churnkit/str.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void ck_score_options_init(ck_score_options *opt)
{
    memset(opt, 0, sizeof *opt);
    ck_csv_options_init(&opt->csv);
    opt->csv.background = 1; /* parsing overlaps scoring */
    opt->decimals = 6;
}

void ck_score_summary_fini(ck_score_summary *s)
{
    free(s->positives);
    free(s->mean);
    memset(s, 0, sizeof *s);
}

/* A model bound to the input's columns, with its per-row scratch. */
typedef struct bound {
    const ck_model *m;
    size_t *col;            /* by feature: input column */
    double *num;            /* by feature */
    int32_t *level;         /* by feature */
    double *x, *contrib;    /* encoded row, and beta_j x_j */
    double *by_feat;        /* contribution summed by feature */
    size_t *order;          /* reasons: features by |contribution| */
    void *scratch;
    unsigned long *unseen;  /* by feature */
    unsigned long positives;
    double sum;
} bound;

typedef struct scorer {
    ck_csv_reader *r;
    ck_csv_writer *out;
    const ck_score_options *opt;
    bound *b;
    size_t nb;
    long id_col;
    char *numeric;          /* by input column: parse as a number */
    double *value;          /* by input column: the parsed number */
    unsigned long rows;
} scorer;

static void bound_free(bound *b)
{
    free(b->col);
    free(b->num);
    free(b->level);
    free(b->x);
    free(b->contrib);
    free(b->by_feat);
    free(b->order);
    free(b->scratch);
    free(b->unseen);
}

/* Finds every feature column of model m in the input. */
static ck_status bind_model(scorer *s, bound *b, const ck_model *m, ck_error *err)
{
    const ck_pipeline *pl = m->pl;
    size_t nf = pl->nfeat ? pl->nfeat : 1, w = pl->width ? pl->width : 1;
    b->m = m;
    b->col = calloc(nf, sizeof *b->col);
    b->num = calloc(nf, sizeof *b->num);
    b->level = calloc(nf, sizeof *b->level);
    b->x = calloc(w, sizeof *b->x);
    b->contrib = calloc(w, sizeof *b->contrib);
    b->by_feat = calloc(nf, sizeof *b->by_feat);
    b->order = calloc(nf, sizeof *b->order);
    b->unseen = calloc(nf, sizeof *b->unseen);
    b->scratch = ck_model_scratch(m);
    if (!b->col || !b->num || !b->level || !b->x || !b->contrib || !b->by_feat || !b->order ||
        !b->unseen || (m->estimator == CK_EST_SVM && !b->scratch))
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    for (size_t k = 0; k < pl->nfeat; k++) {
        long j = ck_csv_find(s->r, pl->feat[k].name);
        if (j < 0) {
            char near[300];
            ck_closest_names(pl->feat[k].name, ck_csv_names(s->r), ck_csv_ncols(s->r), near,
                             sizeof near);
            return ck_error_set(err, CK_EDATA, "%s: no column '%s', which model '%s' needs "
                                               "(closest: %s)", ck_csv_source(s->r),
                                pl->feat[k].name, m->name, near);
        }
        b->col[k] = (size_t)j;
        if (pl->feat[k].kind == CK_FEAT_NUMERIC)
            s->numeric[j] = 1;
    }
    return CK_OK;
}

static void write_header(scorer *s)
{
    ck_csv_writer *o = s->out;
    char name[512];
    if (s->id_col >= 0)
        ck_csv_write_cstr(o, ck_csv_name(s->r, (size_t)s->id_col));
    for (size_t i = 0; i < s->nb; i++) {
        const ck_model *m = s->b[i].m;
        if (m->task == CK_TASK_CLASSIFICATION) {
            snprintf(name, sizeof name, "%s_prob", m->name);
            ck_csv_write_cstr(o, name);
            snprintf(name, sizeof name, "%s_label", m->name);
            ck_csv_write_cstr(o, name);
        } else {
            snprintf(name, sizeof name, "%s_pred", m->name);
            ck_csv_write_cstr(o, name);
        }
        for (size_t k = 1; k <= s->opt->reasons; k++) {
            snprintf(name, sizeof name, "%s_reason%zu", m->name, k);
            ck_csv_write_cstr(o, name);
        }
    }
    ck_csv_end_row(o);
}

/* Parses the numeric input columns of a row. */
static ck_status parse_numbers(scorer *s, const ck_csv_row *row, ck_error *err)
{
    for (size_t j = 0; j < row->n; j++) {
        if (!s->numeric[j])
            continue;
        switch (ck_num_parse(row->field[j], row->len[j], &s->value[j])) {
        case CK_NUM_OK:
            break;
        case CK_NUM_MISSING:
            s->value[j] = NAN;
            break;
        case CK_NUM_INF:
            return ck_error_at(err, CK_EDATA, ck_csv_source(s->r), row->line, j + 1,
                               "value '%.40s' in column '%s' is infinite or too large",
                               row->field[j], ck_csv_name(s->r, j));
        case CK_NUM_BAD:
            return ck_error_at(err, CK_EDATA, ck_csv_source(s->r), row->line, j + 1,
                               "text '%.40s' in column '%s', which the model reads as a number",
                               row->field[j], ck_csv_name(s->r, j));
        }
    }
    return CK_OK;
}

/* The feature inputs of one model for the row. */
static void gather(scorer *s, bound *b, const ck_csv_row *row)
{
    const ck_pipeline *pl = b->m->pl;
    for (size_t k = 0; k < pl->nfeat; k++) {
        size_t j = b->col[k];
        const ck_feature *f = &pl->feat[k];
        if (f->kind == CK_FEAT_NUMERIC) {
            b->num[k] = s->value[j];
            continue;
        }
        if (ck_num_is_missing_token(row->field[j], row->len[j])) {
            b->level[k] = -1;
            continue;
        }
        b->level[k] = ck_feature_level(f, row->field[j], row->len[j]);
        b->unseen[k] += b->level[k] < 0;
    }
}

/* Names of the features pushing the score most, by |contribution|. */
static void write_reasons(scorer *s, bound *b)
{
    const ck_pipeline *pl = b->m->pl;
    size_t k_out = s->opt->reasons, nf = pl->nfeat;
    if (!ck_model_contributions(b->m, b->x, b->contrib)) {
        for (size_t k = 0; k < k_out; k++)
            ck_csv_write_empty(s->out);
        return;
    }
    for (size_t k = 0; k < nf; k++) {
        const ck_feature *f = &pl->feat[k];
        b->by_feat[k] = 0;
        for (size_t j = 0; j < f->width; j++)
            b->by_feat[k] += b->contrib[f->offset + j];
        b->order[k] = k;
    }
    /* partial selection sort: K is small */
    for (size_t r = 0; r < k_out; r++) {
        if (r >= nf) {
            ck_csv_write_empty(s->out);
            continue;
        }
        size_t best = r;
        for (size_t i = r + 1; i < nf; i++)
            if (fabs(b->by_feat[b->order[i]]) > fabs(b->by_feat[b->order[best]]))
                best = i;
        size_t t = b->order[r];
        b->order[r] = b->order[best];
        b->order[best] = t;
        const ck_feature *f = &pl->feat[b->order[r]];
        int32_t lv = f->kind == CK_FEAT_CATEGORICAL ? b->level[b->order[r]] : -1;
        if (lv >= (f->drop_first ? 1 : 0))
            ck_csv_write_cstr(s->out, pl->encoded[f->offset + (size_t)lv - (f->drop_first ? 1 : 0)]);
        else
            ck_csv_write_cstr(s->out, f->name);
    }
}

static void score_model(scorer *s, bound *b, const ck_csv_row *row)
{
    const ck_model *m = b->m;
    gather(s, b, row);
    ck_pipeline_encode(m->pl, b->num, b->level, b->x);
    double v = ck_model_score(m, b->x, b->scratch);
    b->sum += v;
    ck_csv_write_fixed(s->out, v, s->opt->decimals);
    if (m->task == CK_TASK_CLASSIFICATION) {
        int pos = v >= m->threshold;
        b->positives += pos;
        ck_csv_write_cstr(s->out, pos ? m->positive : m->negative);
    }
    if (s->opt->reasons)
        write_reasons(s, b);
}

static ck_status score_rows(scorer *s, ck_error *err)
{
    ck_csv_row row;
    int rc;
    while ((rc = ck_csv_next(s->r, &row, err)) == 1) {
        ck_status st = parse_numbers(s, &row, err);
        if (st != CK_OK)
            return st;
        if (s->id_col >= 0)
            ck_csv_write_str(s->out, row.field[s->id_col], row.len[s->id_col]);
        for (size_t i = 0; i < s->nb; i++)
            score_model(s, &s->b[i], &row);
        ck_csv_end_row(s->out);
        s->rows++;
    }
    return rc < 0 ? err->status : CK_OK;
}

static void report(scorer *s, ck_score_summary *summary, ck_warnings *w)
{
    for (size_t i = 0; i < s->nb; i++) {
        const bound *b = &s->b[i];
        for (size_t k = 0; k < b->m->pl->nfeat; k++)
            if (b->unseen[k])
                ck_warn(w, "model '%s': %lu rows have a value of '%s' not seen in training "
                           "(scored as no level)", b->m->name, b->unseen[k],
                        b->m->pl->feat[k].name);
        if (s->opt->reasons && !b->m->beta)
            ck_warn(w, "model '%s' is an SVM: it gives no reasons (reason columns left empty)",
                    b->m->name);
    }
    if (!summary)
        return;
    summary->rows = s->rows;
    summary->nmodels = s->nb;
    summary->positives = calloc(s->nb ? s->nb : 1, sizeof *summary->positives);
    summary->mean = calloc(s->nb ? s->nb : 1, sizeof *summary->mean);
    for (size_t i = 0; i < s->nb && summary->positives && summary->mean; i++) {
        summary->positives[i] = s->b[i].positives;
        summary->mean[i] = s->rows ? s->b[i].sum / (double)s->rows : NAN;
    }
}

static ck_status check_models(ck_model *const *models, size_t n, ck_error *err)
{
    if (n == 0)
        return ck_error_set(err, CK_EUSAGE, "no model to score with");
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < i; k++)
            if (strcmp(models[i]->name, models[k]->name) == 0)
                return ck_error_set(err, CK_EUSAGE, "two models are named '%s': their score "
                                                    "columns would clash (train one with "
                                                    "another --name)", models[i]->name);
    return CK_OK;
}

/* The id column: the one asked for (required), else the first model's
 * when the input has it. */
static ck_status find_id(scorer *s, ck_model *const *models, ck_error *err)
{
    s->id_col = -1;
    if (s->opt->id) {
        s->id_col = ck_csv_find(s->r, s->opt->id);
        if (s->id_col < 0)
            return ck_error_set(err, CK_EDATA, "%s: no id column '%s'", ck_csv_source(s->r),
                                s->opt->id);
    } else if (models[0]->id) {
        s->id_col = ck_csv_find(s->r, models[0]->id);
    }
    return CK_OK;
}

ck_status ck_score(ck_model *const *models, size_t n, const char *in, const char *out,
                   const ck_score_options *opt, ck_score_summary *summary, ck_warnings *w,
                   ck_error *err)
{
    ck_score_options defaults;
    scorer s;
    ck_ofile *of = NULL;
    memset(&s, 0, sizeof s);
    if (!opt) {
        ck_score_options_init(&defaults);
        opt = &defaults;
    }
    s.opt = opt;
    ck_status st = check_models(models, n, err);
    if (st == CK_OK)
        st = ck_csv_open(&s.r, in, &opt->csv, err);
    if (st != CK_OK)
        return st;
    size_t ncols = ck_csv_ncols(s.r);
    s.numeric = calloc(ncols ? ncols : 1, 1);
    s.value = calloc(ncols ? ncols : 1, sizeof *s.value);
    s.b = calloc(n, sizeof *s.b);
    if (!s.numeric || !s.value || !s.b) {
        st = ck_error_set(err, CK_ENOMEM, "out of memory");
        goto done;
    }
    for (s.nb = 0; s.nb < n && st == CK_OK; s.nb++)
        st = bind_model(&s, &s.b[s.nb], models[s.nb], err);
    if (st != CK_OK || (st = find_id(&s, models, err)) != CK_OK ||
        (st = ck_ofile_open(&of, out, err)) != CK_OK)
        goto done;
    s.out = ck_csv_writer_new(ck_ofile_stream(of), opt->csv.delim ? opt->csv.delim : ',');
    if (!s.out) {
        st = ck_error_set(err, CK_ENOMEM, "out of memory");
        goto done;
    }
    if (!opt->no_header_out)
        write_header(&s);
    if ((st = score_rows(&s, err)) != CK_OK)
        goto done;
    if (ck_csv_writer_flush(s.out) != 0)
        st = ck_error_set(err, CK_EIO, "%s: write error", out);
    else
        st = ck_ofile_commit(of, err);
    of = NULL;
    if (st == CK_OK)
        report(&s, summary, w);
done:
    ck_ofile_abort(of);
    ck_csv_writer_free(s.out);
    for (size_t i = 0; i < s.nb; i++)
        bound_free(&s.b[i]);
    free(s.b);
    free(s.numeric);
    free(s.value);
    ck_csv_close(s.r);
    return st;
}
