/* label.c -- reading the target column (see label.h). */
#include "churnkit/label.h"
#include "churnkit/num.h"
#include "churnkit/str.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *ck_cell_text(const ck_column *c, size_t row, char *buf, size_t bufsz)
{
    if (c->type == CK_COL_CATEGORICAL)
        return c->code[row] < 0 ? NULL : ck_dict_str(c->levels, c->code[row]);
    if (isnan(c->num[row]) || bufsz < CK_NUM_BUFSIZE)
        return NULL;
    ck_num_format(c->num[row], buf);
    return buf;
}

static int positive_spelling(const char *s)
{
    static const char *words[] = {"1", "yes", "true", "y", "churned"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (strcasecmp(s, words[i]) == 0)
            return 1;
    return 0;
}

/* The 1-based column of a label column, for messages (0 when absent). */
static unsigned long column_of(const ck_table *t, const char *name)
{
    long j = ck_table_find(t, name);
    return j >= 0 ? (unsigned long)j + 1 : 0;
}

static ck_status start(ck_label *out, const ck_table *t, const char *col, const ck_column **c,
                       ck_error *err)
{
    size_t j;
    memset(out, 0, sizeof *out);
    ck_status st = ck_table_require(t, col, &j, err);
    if (st != CK_OK)
        return st;
    *c = &t->col[j];
    out->name = strdup(col);
    out->n = t->nrows;
    out->y = malloc((t->nrows ? t->nrows : 1) * sizeof *out->y);
    if (!out->name || !out->y) {
        ck_label_fini(out);
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    }
    return CK_OK;
}

/* How a read treats a missing label cell (see ck_label_spec). */
/* every reader's caller has --drop-missing-label (train and eval), which
 * the error names */
typedef enum { MISSING_ERROR_HINT = 1, MISSING_SKIP } on_missing;

/* A skipping read that skipped every row. */
static ck_status missing_everywhere(ck_label *out, const ck_table *t, ck_error *err)
{
    ck_error_set(err, CK_EDATA, "%s: the label '%s' is missing in every row", t->source,
                 out->name);
    ck_label_fini(out);
    return CK_EDATA;
}

static ck_status missing(ck_label *out, const ck_table *t, size_t row, on_missing how,
                         ck_error *err)
{
    ck_error_at(err, CK_EDATA, t->source, ck_table_line(t, row), column_of(t, out->name),
                "the label '%s' is missing%s", out->name,
                how == MISSING_ERROR_HINT ? " (--drop-missing-label leaves such rows out)" : "");
    ck_label_fini(out);
    return CK_EDATA;
}

/* The classes found so far: copies of their texts, of any length (a label
 * value is the user's text: no fixed-size buffer). */
typedef struct classes {
    char *s[2];
    int k;
} classes;

static void classes_fini(classes *c)
{
    free(c->s[0]);
    free(c->s[1]);
}

/* 1 when s is one of the classes. */
static int known_class(const classes *c, const char *s)
{
    return (c->k > 0 && strcmp(s, c->s[0]) == 0) || (c->k > 1 && strcmp(s, c->s[1]) == 0);
}

/* Adds s as a class: 0, or -1 when out of memory. */
static int add_class(classes *c, const char *s)
{
    if (!(c->s[c->k] = strdup(s)))
        return -1;
    c->k++;
    return 0;
}

/* Finds the (at most two) distinct label texts into cls; returns their
 * number, 3 for more than two and -2 out of memory (err set), -1 at a
 * missing cell (*bad_row). */
static int distinct_classes(const ck_label *out, const ck_table *t, const ck_column *c,
                            int skip, classes *cls, size_t *bad_row, ck_error *err)
{
    double seen[2] = {NAN, NAN};
    char buf[CK_NUM_BUFSIZE];
    for (size_t i = 0; i < t->nrows; i++) {
        /* numbers: skip the formatting when the value is a known class */
        if (c->type == CK_COL_NUMERIC && (c->num[i] == seen[0] || c->num[i] == seen[1]))
            continue;
        if (c->type == CK_COL_NUMERIC && cls->k < 2 && !isnan(c->num[i]))
            seen[cls->k] = c->num[i];
        const char *s = ck_cell_text(c, i, buf, sizeof buf);
        if (!s && skip)
            continue;
        if (!s) {
            *bad_row = i;
            return -1;
        }
        if (known_class(cls, s))
            continue;
        if (cls->k == 2) {
            ck_error_at(err, CK_EDATA, t->source, ck_table_line(t, i), column_of(t, out->name),
                        "the label '%s' has more than two values ('%.200s', '%.200s', '%.200s', "
                        "...): a classifier needs exactly two", out->name, cls->s[0], cls->s[1],
                        s);
            return 3;
        }
        if (!ck_utf8_valid(s)) { /* a class's text goes into model files and reports */
            ck_error_at(err, CK_EDATA, t->source, ck_table_line(t, i), column_of(t, out->name),
                        "the value in column '%s' is not valid UTF-8: churnkit reads UTF-8; "
                        "convert the file (iconv -f latin1 -t utf-8)", out->name);
            return 3;
        }
        if (add_class(cls, s) != 0) {
            ck_error_set(err, CK_ENOMEM, "%s: out of memory reading the label '%s'", t->source,
                         out->name);
            return -2;
        }
    }
    return cls->k;
}

/* y = 1 where the cell is the positive class, NaN where it is missing
 * (rows a skipping read leaves out).  Numbers are compared as numbers
 * (formatting a million of them would cost more than the fit). */
static void set_binary(ck_label *out, const ck_table *t, const ck_column *c)
{
    char buf[CK_NUM_BUFSIZE];
    double vpos = NAN;
    if (c->type == CK_COL_NUMERIC)
        ck_num_parse(out->positive, strlen(out->positive), &vpos);
    for (size_t i = 0; i < t->nrows; i++) {
        const char *s = c->type == CK_COL_NUMERIC ? NULL : ck_cell_text(c, i, buf, sizeof buf);
        if (c->type == CK_COL_NUMERIC ? isnan(c->num[i]) : !s) {
            out->y[i] = NAN;
            out->n_missing++;
            continue;
        }
        out->y[i] = c->type == CK_COL_NUMERIC ? c->num[i] == vpos : strcmp(s, out->positive) == 0;
        out->n_pos += out->y[i] == 1;
    }
}

/* Every process's classes (those in cls here), in process order, as one
 * process would meet them reading all the rows: returns their number (3
 * for more than two, with err set), or -1 when out of memory. */
static int union_classes(const ck_reducer *red, classes *cls, const ck_label *out,
                         const char *source, ck_error *err)
{
    size_t len0 = cls->k > 0 ? strlen(cls->s[0]) + 1 : 0;
    size_t len1 = cls->k > 1 ? strlen(cls->s[1]) + 1 : 0;
    char *mine = malloc(len0 + len1 + 1);
    size_t total;
    void *all = NULL;
    if (mine) {
        if (len0)
            memcpy(mine, cls->s[0], len0);
        if (len1)
            memcpy(mine + len0, cls->s[1], len1);
    }
    if (!mine || ck_reduce_bytes(red, mine, len0 + len1, &all, &total) != 0) {
        free(mine);
        ck_error_set(err, CK_ENOMEM, "out of memory");
        return -1;
    }
    free(mine);
    classes u = {{NULL, NULL}, 0};
    for (size_t i = 0; i < total && u.k < 3; i += strlen((char *)all + i) + 1) {
        const char *s = (char *)all + i;
        if (known_class(&u, s))
            continue;
        if (u.k == 2) {
            ck_error_set(err, CK_EDATA, "%s: the label '%s' has more than two values across "
                                        "the shards ('%.200s', '%.200s', '%.200s', ...): a "
                                        "classifier needs exactly two", source, out->name,
                         u.s[0], u.s[1], s);
            u.k = 3;
            break;
        }
        if (add_class(&u, s) != 0) {
            u.k = -1;
            ck_error_set(err, CK_ENOMEM, "out of memory");
            break;
        }
    }
    free(all);
    int n = u.k;
    if (n == 1 || n == 2) {
        classes_fini(cls);
        *cls = u;
    } else {
        classes_fini(&u);
    }
    return n;
}

/* Whether a label value is the class named by --positive: the same text,
 * or the same number when both read as numbers ("1.0" names 1). */
static int names_class(const char *value, const char *positive)
{
    double a, b;
    if (strcmp(value, positive) == 0)
        return 1;
    return ck_num_parse(value, strlen(value), &a) == 0 &&
           ck_num_parse(positive, strlen(positive), &b) == 0 && a == b;
}

/* The positive class's index in cls (with one class, 1 means the one
 * there is the negative), or -1 with err set. */
static int positive_index(const classes *cls, const char *col, const char *positive,
                          ck_error *err)
{
    if (positive) {
        for (int i = 0; i < cls->k; i++)
            if (names_class(cls->s[i], positive))
                return i;
        if (cls->k == 1)
            return 1;
        ck_error_set(err, CK_EUSAGE, "--positive '%s' is not a value of the label '%s' "
                                     "(its values are '%.200s' and '%.200s')", positive, col,
                     cls->s[0], cls->s[1]);
        return -1;
    }
    int p0 = positive_spelling(cls->s[0]), p1 = positive_spelling(cls->s[1]);
    if (p0 == p1) {
        ck_error_set(err, CK_EUSAGE, "which value of the label '%s' is the positive class, "
                                     "'%.200s' or '%.200s'? name it with --positive", col,
                     cls->s[0], cls->s[1]);
        return -1;
    }
    return p0 ? 0 : 1;
}

/* The classes' texts into out: the positive one and the other (with one
 * class, the absent one is named "not POSITIVE" or POSITIVE itself). */
static int name_classes(ck_label *out, const classes *cls, int pos, const char *positive)
{
    if (cls->k == 2) {
        out->positive = strdup(cls->s[pos]);
        out->negative = strdup(cls->s[1 - pos]);
    } else if (pos == 0) {
        size_t n = strlen(cls->s[0]) + 5;
        out->positive = strdup(cls->s[0]);
        if ((out->negative = malloc(n)) != NULL)
            snprintf(out->negative, n, "not %s", cls->s[0]);
    } else {
        out->positive = strdup(positive);
        out->negative = strdup(cls->s[0]);
    }
    return out->positive && out->negative ? 0 : -1;
}

static ck_status read_binary(ck_label *out, const ck_table *t, const char *col,
                             const char *positive, const ck_reducer *red, on_missing how,
                             int one_class_ok, ck_error *err)
{
    const ck_column *c;
    classes cls = {{NULL, NULL}, 0};
    size_t bad = 0;
    ck_status st = start(out, t, col, &c, err);
    if (st != CK_OK)
        return st;
    out->binary = 1;
    int k = distinct_classes(out, t, c, how == MISSING_SKIP, &cls, &bad, err);
    if (k == -1) {
        classes_fini(&cls);
        return missing(out, t, bad, how, err);
    }
    /* only a skipping read gets here; a shard of a distributed fit may
     * lack labels that another has */
    if (k == 0 && t->nrows > 0 && !ck_reduce_active(red)) {
        classes_fini(&cls);
        return missing_everywhere(out, t, err);
    }
    if (k >= 0 && k != 3 && ck_reduce_active(red))
        k = union_classes(red, &cls, out, t->source, err);
    if (k < 0 || k == 3) {
        st = k < 0 ? CK_ENOMEM : CK_EDATA;
        goto fail;
    }
    if (k < 2 && !(k == 1 && one_class_ok && positive)) {
        st = ck_error_set(err, CK_EDATA, "%s: the label '%s' has only one value ('%.200s'): %s",
                          t->source, col, k ? cls.s[0] : "",
                          one_class_ok ? "name the positive class with --positive to evaluate "
                                         "it all the same"
                                       : "there is nothing to learn");
        goto fail;
    }
    int pos = positive_index(&cls, col, positive, err);
    if (pos < 0) {
        st = CK_EUSAGE;
        goto fail;
    }
    if (name_classes(out, &cls, pos, positive) != 0) {
        st = ck_error_set(err, CK_ENOMEM, "out of memory");
        goto fail;
    }
    classes_fini(&cls);
    set_binary(out, t, c);
    return CK_OK;
fail:
    classes_fini(&cls);
    ck_label_fini(out);
    return st;
}

ck_status ck_label_binary(ck_label *out, const ck_table *t, const char *col,
                          const char *positive, ck_error *err)
{
    return read_binary(out, t, col, positive, NULL, MISSING_ERROR_HINT, 0, err);
}

ck_status ck_label_binary_eval(ck_label *out, const ck_table *t, const char *col,
                               const char *positive, ck_error *err)
{
    return read_binary(out, t, col, positive, NULL, MISSING_ERROR_HINT, 1, err);
}

ck_status ck_label_binary_reduced(ck_label *out, const ck_table *t, const char *col,
                                  const char *positive, const ck_reducer *red, ck_error *err)
{
    return read_binary(out, t, col, positive, red, MISSING_ERROR_HINT, 0, err);
}

static ck_status read_numeric(ck_label *out, const ck_table *t, const char *col,
                              on_missing how, ck_error *err)
{
    const ck_column *c;
    ck_status st = start(out, t, col, &c, err);
    if (st != CK_OK)
        return st;
    if (c->type != CK_COL_NUMERIC) {
        /* the first cell that is not a number: where the column turned text */
        size_t i = 0;
        double v;
        const char *s = NULL;
        for (; i < t->nrows; i++) {
            s = c->code[i] < 0 ? NULL : ck_dict_str(c->levels, c->code[i]);
            if (s && ck_num_parse(s, strlen(s), &v) != CK_NUM_OK)
                break;
        }
        int comma = s && i < t->nrows && ck_num_decimal_comma(s, strlen(s));
        ck_error_at(err, CK_EDATA, t->source, ck_table_line(t, i < t->nrows ? i : 0),
                    column_of(t, col), "text '%.40s' in the target '%s', which must be a number%s%s",
                    s && i < t->nrows ? s : "?", col, comma ? ": " : "",
                    comma ? CK_NUM_DECIMAL_COMMA_HINT : "");
        ck_label_fini(out);
        return CK_EDATA;
    }
    for (size_t i = 0; i < t->nrows; i++) {
        if (isnan(c->num[i]) && how != MISSING_SKIP)
            return missing(out, t, i, how, err);
        out->n_missing += isnan(c->num[i]);
        out->y[i] = c->num[i];
    }
    if (out->n_missing == t->nrows && t->nrows > 0)
        return missing_everywhere(out, t, err);
    return CK_OK;
}

ck_status ck_label_numeric(ck_label *out, const ck_table *t, const char *col, ck_error *err)
{
    return read_numeric(out, t, col, MISSING_ERROR_HINT, err);
}

static ck_status read_survival(ck_label *out, const ck_table *t, const char *time,
                               const char *event, on_missing how, ck_error *err)
{
    size_t je;
    ck_status st = read_numeric(out, t, time, how, err);
    if (st != CK_OK)
        return st;
    if ((st = ck_table_require(t, event, &je, err)) != CK_OK) {
        ck_label_fini(out);
        return st;
    }
    const ck_column *c = &t->col[je];
    out->event = malloc((t->nrows ? t->nrows : 1) * sizeof *out->event);
    out->event_name = strdup(event);
    if (!out->event || !out->event_name) {
        ck_label_fini(out);
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < t->nrows; i++) {
        int skipped = isnan(out->y[i]); /* a missing time a skipping read left out */
        if (!skipped && !(out->y[i] >= 0)) {
            ck_error_at(err, CK_EDATA, t->source, ck_table_line(t, i), column_of(t, time),
                        "the time '%s' is %g: a time to the event is 0 or more", time,
                        out->y[i]);
            ck_label_fini(out);
            return CK_EDATA;
        }
        double e = NAN;
        if (c->type == CK_COL_NUMERIC)
            e = c->num[i];
        else if (c->code[i] >= 0) /* a text column: its 0 and 1 cells are fine */
            ck_num_parse(ck_dict_str(c->levels, c->code[i]),
                         strlen(ck_dict_str(c->levels, c->code[i])), &e);
        if (isnan(e) && how == MISSING_SKIP) { /* the row goes, as for a missing time */
            out->n_missing += !skipped;
            out->y[i] = out->event[i] = NAN;
            continue;
        }
        if (skipped) {
            out->event[i] = NAN;
            continue;
        }
        if (!(e == 0 || e == 1)) {
            ck_error_at(err, CK_EDATA, t->source, ck_table_line(t, i), je + 1,
                        "the event '%s' must be 1 (seen) or 0 (censored)%s", event,
                        isnan(e) && how == MISSING_ERROR_HINT
                            ? " (--drop-missing-label leaves rows without one out)"
                            : "");
            ck_label_fini(out);
            return CK_EDATA;
        }
        out->event[i] = e;
        out->n_pos += e == 1;
    }
    if (out->n_missing == t->nrows && t->nrows > 0)
        return missing_everywhere(out, t, err);
    if (out->n_pos == 0) {
        ck_error_set(err, CK_EDATA, "%s: no row has the event '%s': a survival model needs "
                                    "events", t->source, event);
        ck_label_fini(out);
        return CK_EDATA;
    }
    return CK_OK;
}

ck_status ck_label_survival(ck_label *out, const ck_table *t, const char *time,
                            const char *event, ck_error *err)
{
    return read_survival(out, t, time, event, MISSING_ERROR_HINT, err);
}

ck_status ck_label_read(ck_label *out, const ck_table *t, const ck_label_spec *spec,
                        ck_error *err)
{
    on_missing how = spec->drop_missing ? MISSING_SKIP : MISSING_ERROR_HINT;
    ck_status st = spec->event    ? read_survival(out, t, spec->col, spec->event, how, err)
                   : spec->binary ? read_binary(out, t, spec->col, spec->positive, spec->red,
                                                how, 0, err)
                                  : read_numeric(out, t, spec->col, how, err);
    return st;
}

ck_status ck_label_weights(ck_label *l, const ck_table *t, const char *col, ck_error *err)
{
    size_t j;
    ck_status st = ck_table_require(t, col, &j, err);
    if (st != CK_OK)
        return st;
    const ck_column *c = &t->col[j];
    double sum = 0;
    free(l->weight);
    if (!(l->weight = malloc((t->nrows ? t->nrows : 1) * sizeof *l->weight)))
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    for (size_t i = 0; i < t->nrows; i++) {
        double v = c->type == CK_COL_NUMERIC ? c->num[i] : NAN;
        if (!(v >= 0 && isfinite(v)))
            return ck_error_at(err, CK_EDATA, t->source, ck_table_line(t, i), j + 1,
                               "the weight '%s' must be a number, 0 or more", col);
        l->weight[i] = v;
        sum += v;
    }
    if (!(sum > 0))
        return ck_error_set(err, CK_EDATA, "%s: every weight in '%s' is 0", t->source, col);
    return CK_OK;
}

ck_status ck_label_like(ck_label *out, const ck_table *t, const ck_label *like, ck_error *err)
{
    if (like->event)
        return ck_label_survival(out, t, like->name, like->event_name, err);
    if (!like->binary)
        return ck_label_numeric(out, t, like->name, err);
    const ck_column *c;
    char buf[CK_NUM_BUFSIZE];
    ck_status st = start(out, t, like->name, &c, err);
    if (st != CK_OK)
        return st;
    out->binary = 1;
    out->positive = strdup(like->positive);
    out->negative = strdup(like->negative);
    if (!out->positive || !out->negative) {
        ck_label_fini(out);
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < t->nrows; i++) {
        const char *s = ck_cell_text(c, i, buf, sizeof buf);
        if (!s)
            return missing(out, t, i, MISSING_ERROR_HINT, err);
        int is_pos = strcmp(s, like->positive) == 0;
        if (!is_pos && strcmp(s, like->negative) != 0) {
            ck_error_at(err, CK_EDATA, t->source, ck_table_line(t, i), column_of(t, like->name),
                        "the label '%s' is '%s', which is neither '%s' nor '%s'", like->name, s,
                        like->positive, like->negative);
            ck_label_fini(out);
            return CK_EDATA;
        }
        out->y[i] = is_pos;
        out->n_pos += is_pos;
    }
    return CK_OK;
}

void ck_label_fini(ck_label *l)
{
    free(l->weight);
    free(l->event);
    free(l->event_name);
    free(l->name);
    free(l->positive);
    free(l->negative);
    free(l->y);
    memset(l, 0, sizeof *l);
}
