/* jsonio.c -- JSON helpers shared by the model file and the eval report
 * (see jsonio.h). */
#include "churnkit/jsonio.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *ck_json_number(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

int ck_json_put(json_t *o, const char *key, json_t *v)
{
    /* json_object_set_new releases v itself when the set fails */
    return v && json_object_set_new(o, key, v) == 0 ? 0 : -1;
}

int ck_json_push(json_t *a, json_t *v)
{
    return v && json_array_append_new(a, v) == 0 ? 0 : -1;
}

json_t *ck_json_done(json_t *o, int failed)
{
    if (!failed)
        return o;
    json_decref(o);
    return NULL;
}

int ck_json_set_number(json_t *o, const char *key, double v)
{
    return ck_json_put(o, key, ck_json_number(v));
}

json_t *ck_json_counts(const double *v, size_t n)
{
    json_t *a = json_array();
    int bad = !a;
    for (size_t i = 0; i < n && !bad; i++) {
        double x = v[i];
        int whole = isfinite(x) && x == floor(x) && fabs(x) < 9007199254740992.0;
        bad |= ck_json_push(a, whole ? json_integer((json_int_t)x) : ck_json_number(x));
    }
    return ck_json_done(a, bad);
}

json_t *ck_json_numbers(const double *v, size_t n)
{
    json_t *a = json_array();
    int bad = !a;
    for (size_t i = 0; i < n && !bad; i++)
        bad |= ck_json_push(a, ck_json_number(v[i]));
    return ck_json_done(a, bad);
}

json_t *ck_json_string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

char *ck_json_text(const json_t *v)
{
    char *s = json_dumps(v, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    if (!s)
        return NULL;
    size_t n = strlen(s);
    char *t = realloc(s, n + 2); /* a final newline, as text files have */
    if (!t) {
        free(s);
        return NULL;
    }
    t[n] = '\n';
    t[n + 1] = '\0';
    return t;
}

ck_status ck_json_foreign(ck_json_reader *rd, ck_status st)
{
    if (st == CK_OK || st == CK_ENOMEM)
        return st;
    ck_error_prefix(rd->err, rd->source);
    if (rd->err)
        rd->err->status = CK_EMODEL;
    return CK_EMODEL;
}

ck_status ck_json_bad(ck_json_reader *rd, const char *field, const char *what)
{
    return ck_error_set(rd->err, CK_EMODEL, "%s: field '%s' %s", rd->source, field, what);
}

ck_status ck_json_get(ck_json_reader *rd, const json_t *o, const char *key, const char *field,
                      json_t **out)
{
    *out = json_object_get(o, key);
    return *out ? CK_OK : ck_json_bad(rd, field, "is missing");
}

ck_status ck_json_get_string(ck_json_reader *rd, const json_t *o, const char *key,
                             const char *field, char **out)
{
    json_t *v;
    *out = NULL;
    if (ck_json_get(rd, o, key, field, &v) != CK_OK)
        return CK_EMODEL;
    if (!json_is_string(v))
        return ck_json_bad(rd, field, "must be a string");
    *out = strdup(json_string_value(v));
    return *out ? CK_OK : ck_error_set(rd->err, CK_ENOMEM, "out of memory");
}

ck_status ck_json_get_number(ck_json_reader *rd, const json_t *o, const char *key,
                             const char *field, int nullable, double *out)
{
    json_t *v;
    if (ck_json_get(rd, o, key, field, &v) != CK_OK)
        return CK_EMODEL;
    if (json_is_null(v) && nullable) {
        *out = NAN;
        return CK_OK;
    }
    if (!json_is_number(v))
        return ck_json_bad(rd, field, "must be a number");
    *out = json_number_value(v);
    return CK_OK;
}

ck_status ck_json_get_count(ck_json_reader *rd, const json_t *o, const char *key,
                            const char *field, size_t *out)
{
    json_t *v;
    if (ck_json_get(rd, o, key, field, &v) != CK_OK)
        return CK_EMODEL;
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return ck_json_bad(rd, field, "must be a whole number, 0 or more");
    *out = (size_t)json_integer_value(v);
    return CK_OK;
}

ck_status ck_json_get_bool(ck_json_reader *rd, const json_t *o, const char *key,
                           const char *field, int *out)
{
    json_t *v;
    if (ck_json_get(rd, o, key, field, &v) != CK_OK)
        return CK_EMODEL;
    if (!json_is_boolean(v))
        return ck_json_bad(rd, field, "must be true or false");
    *out = json_is_true(v);
    return CK_OK;
}

ck_status ck_json_get_numbers(ck_json_reader *rd, const json_t *o, const char *key,
                              const char *field, size_t n, double *out)
{
    json_t *a;
    if (ck_json_get(rd, o, key, field, &a) != CK_OK)
        return CK_EMODEL;
    if (!json_is_array(a) || json_array_size(a) != n)
        return ck_json_bad(rd, field, "has the wrong length");
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(a, i);
        if (!json_is_number(v) && !json_is_null(v))
            return ck_json_bad(rd, field, "must hold numbers");
        out[i] = json_is_null(v) ? NAN : json_number_value(v);
    }
    return CK_OK;
}

ck_status ck_json_get_object(ck_json_reader *rd, const json_t *o, const char *key,
                             const char *field, json_t **out)
{
    if (ck_json_get(rd, o, key, field, out) != CK_OK)
        return CK_EMODEL;
    return json_is_object(*out) ? CK_OK : ck_json_bad(rd, field, "must be an object");
}

double ck_json_optional_number(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* ------------------------------------------------------------------ */
/* fact tables */

static void *field(const void *base, const ck_fact *f)
{
    return (char *)(void *)base + f->offset;
}

int ck_json_put_facts(json_t *o, const void *base, const ck_fact *f, size_t n)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        const void *v = field(base, &f[i]);
        json_t *j = NULL;
        switch (f[i].kind) {
        case CK_FACT_REAL: j = ck_json_number(*(const double *)v); break;
        case CK_FACT_COUNT: /* NaN: unknown (read from a record that lacked it) */
            j = isnan(*(const double *)v) ? json_null()
                                          : json_integer((json_int_t)*(const double *)v);
            break;
        case CK_FACT_SIZE: j = json_integer((json_int_t)*(const size_t *)v); break;
        case CK_FACT_BOOL: j = json_boolean(*(const int *)v); break;
        case CK_FACT_CHOICE: j = json_string(f[i].choices[*(const int *)v]); break;
        }
        bad |= ck_json_put(o, f[i].key, j);
    }
    return bad;
}

static int choice_index(const char *const *choices, const char *s)
{
    for (int k = 0; s && choices[k]; k++)
        if (strcmp(choices[k], s) == 0)
            return k;
    return -1;
}

/* One fact; strict reading reports what is wrong with it. */
static ck_status get_fact(ck_json_reader *rd, const json_t *o, const char *path, void *v,
                          const ck_fact *f, int strict)
{
    const json_t *j = json_object_get(o, f->key);
    ck_status st = CK_OK;
    switch (f->kind) {
    case CK_FACT_REAL:
        if (strict)
            return ck_json_get_number(rd, o, f->key, path, 1, v);
        *(double *)v = ck_json_optional_number(o, f->key);
        return CK_OK;
    case CK_FACT_COUNT:
    case CK_FACT_SIZE: {
        size_t c = 0;
        if (strict)
            st = ck_json_get_count(rd, o, f->key, path, &c);
        else if (json_is_integer(j) && json_integer_value(j) >= 0)
            c = (size_t)json_integer_value(j);
        if (f->kind == CK_FACT_SIZE)
            *(size_t *)v = c;
        else
            *(double *)v = strict || json_is_integer(j) ? (double)c : NAN;
        return st;
    }
    case CK_FACT_BOOL:
        if (strict)
            return ck_json_get_bool(rd, o, f->key, path, v);
        *(int *)v = json_is_true(j);
        return CK_OK;
    case CK_FACT_CHOICE: {
        int k = choice_index(f->choices, json_is_string(j) ? json_string_value(j) : NULL);
        if (k < 0 && strict)
            return ck_json_bad(rd, path, "is not one of its choices");
        *(int *)v = k < 0 ? 0 : k;
        return CK_OK;
    }
    }
    return CK_OK;
}

ck_status ck_json_get_facts(ck_json_reader *rd, const json_t *o, const char *where, void *base,
                            const ck_fact *f, size_t n, int strict)
{
    char path[200];
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s.%s", where, f[i].key);
        ck_status st = get_fact(rd, o, path, field(base, &f[i]), &f[i], strict);
        if (st != CK_OK)
            return st;
    }
    return CK_OK;
}
