/* model_inputs.c -- does an input fit the models (see model_inputs.h). */
#include "churnkit/model_inputs.h"
#include "churnkit/csv.h"
#include "churnkit/str.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ck_status ck_models_check_names(const ck_model *const *models, size_t n, const char *what,
                                ck_error *err)
{
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < i; k++)
            if (strcmp(models[i]->name, models[k]->name) == 0)
                return ck_error_set(err, CK_EUSAGE, "two models are named '%s': their %s "
                                                    "would clash (train one with another "
                                                    "--name)", models[i]->name, what);
    return CK_OK;
}

/* A message built piece by piece; what does not fit is cut, never
 * overrun. */
typedef struct text {
    char buf[CK_ERROR_MAX];
    size_t used;
} text;

static void add(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(text *t, const char *fmt, ...)
{
    va_list ap;
    if (t->used >= sizeof t->buf)
        return;
    va_start(ap, fmt);
    int w = vsnprintf(t->buf + t->used, sizeof t->buf - t->used, fmt, ap);
    va_end(ap);
    if (w > 0)
        t->used += (size_t)w;
}

/* The names model m reads (borrowed from m) into v; returns how many. */
static size_t needed(const ck_model *m, int with_label, const char **v)
{
    size_t k = 0;
    for (size_t j = 0; j < m->pl->nfeat; j++)
        v[k++] = m->pl->feat[j].name;
    if (with_label && m->label)
        v[k++] = m->label;
    if (with_label && m->task == CK_TASK_SURVIVAL && m->event)
        v[k++] = m->event;
    return k;
}

/* "'a', 'b' and 'c'" (near names after each when `near`), at most `room`
 * bytes of them, then how many more there are. */
static void list(text *t, const char *const *miss, size_t nmiss, const char *const *names,
                 size_t n, int near, size_t room)
{
    size_t start = t->used;
    for (size_t i = 0; i < nmiss; i++) {
        if (t->used - start > room) {
            add(t, " and %zu more", nmiss - i);
            return;
        }
        add(t, "%s'%s'", i == 0 ? "" : i + 1 == nmiss ? " and " : ", ", miss[i]);
        char close[300];
        if (near && (ck_near_names(miss[i], names, n, close, sizeof close), close[0]))
            add(t, " (closest: %s)", close);
    }
}

ck_status ck_model_check_inputs(const ck_model *m, const char *const *names, size_t n,
                                const char *source, int with_label, ck_error *err)
{
    size_t cap = m->pl->nfeat + 2, nneed, nmiss = 0;
    const char **need = malloc(cap * sizeof *need), **miss = malloc(cap * sizeof *miss);
    if (!need || !miss) {
        free(need);
        free(miss);
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    }
    nneed = needed(m, with_label, need);
    for (size_t k = 0; k < nneed; k++)
        if (ck_strv_index(names, n, need[k]) < 0)
            miss[nmiss++] = need[k];
    text *t = nmiss ? calloc(1, sizeof *t) : NULL;
    char hint[200];
    ck_status st = CK_OK;
    if (nmiss && !t) {
        st = ck_error_set(err, CK_ENOMEM, "out of memory");
    } else if (nmiss && ck_csv_delim_hint(names, n, 0, hint, sizeof hint)) {
        add(t, "%s: no column '%s', which model '%s' needs: %s", source, miss[0], m->name, hint);
    } else if (nmiss * 2 > nneed && nneed > 2) {
        /* not a typo: another table */
        add(t, "%s: the table does not look like the data model '%s' was trained on (%s): it "
               "lacks %zu of the %zu columns the model reads: ",
            source, m->name, m->training.data ? m->training.data : "?", nmiss, nneed);
        list(t, miss, nmiss, names, n, 0, 600);
    } else if (nmiss == 1) {
        ck_near_names(miss[0], names, n, hint, sizeof hint);
        add(t, "%s: no column '%s', which model '%s' needs%s%s%s", source, miss[0], m->name,
            hint[0] ? " (closest: " : "", hint, hint[0] ? ")" : "");
    } else if (nmiss) {
        add(t, "%s: no columns ", source);
        list(t, miss, nmiss, names, n, 1, 700);
        add(t, ", which model '%s' needs", m->name);
    }
    if (t && st == CK_OK)
        st = ck_error_set(err, CK_EDATA, "%s", t->buf);
    free(t);
    free(need);
    free(miss);
    return st;
}
