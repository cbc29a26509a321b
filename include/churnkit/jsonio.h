/*
 * jsonio.h -- the small JSON helpers every writer and reader of churnkit's
 * files shares (model files, churnkit-eval --json).
 *
 * Writing: JSON has no NaN or infinity, so a non-finite number is written
 * as null; numbers are printed with 17 significant digits by the callers'
 * json_dumps (JSON_REAL_PRECISION(17)), which read back to the same double.
 *
 * Reading: a ck_json_reader carries the file's name and the error record,
 * so that every failure names the file and the field ("model.json: field
 * 'features[3].scale' is missing"), with status CK_EMODEL.
 */
#ifndef CHURNKIT_JSONIO_H
#define CHURNKIT_JSONIO_H

#include <jansson.h>
#include <stddef.h>

#include "churnkit/error.h"

/* A number, or null for NaN and infinities. */
json_t *ck_json_number(double v);

/*
 * Checked construction.  jansson's json_string() returns NULL for text that
 * is not UTF-8 (and every constructor does when memory runs out), and
 * json_object_set_new() and json_array_append_new() then return -1 to
 * callers that usually ignore it: the field is silently missing from the
 * file.  Every writer of churnkit's files builds through these instead,
 * ORs their results into a flag and fails as a whole (ck_json_done), so a
 * field is never dropped.
 */
/* o[key] = v (v stolen); 0, or -1 when v is NULL or the set fails. */
int ck_json_put(json_t *o, const char *key, json_t *v);
/* a[] += v (v stolen); 0 or -1 likewise. */
int ck_json_push(json_t *a, json_t *v);
/* o when failed is 0; otherwise o is released and NULL returned. */
json_t *ck_json_done(json_t *o, int failed);

/* o[key] = ck_json_number(v); 0 or -1 as ck_json_put. */
int ck_json_set_number(json_t *o, const char *key, double v);

/* An array of n numbers (nulls for non-finite ones); NULL when out of
 * memory, as for every constructor below. */
json_t *ck_json_numbers(const double *v, size_t n);
/* The same for counts that are usually whole (weighted counts need not
 * be): whole values as JSON integers, which write and read several times
 * faster than reals (a Cox baseline holds a million of them). */
json_t *ck_json_counts(const double *v, size_t n);

/* A string, or null for NULL. */
json_t *ck_json_string_or_null(const char *s);

/* Text of a value with churnkit's layout (2-space indent, 17 digits, a
 * final newline); caller frees; NULL when out of memory. */
char *ck_json_text(const json_t *v);

typedef struct ck_json_reader {
    const char *source;         /* the file, for messages */
    ck_error *err;
} ck_json_reader;

/* A failure from a part that knows nothing of the file (a pipeline, a
 * libsvm or xgboost model) made the file's: the message prefixed with its
 * name, the status CK_EMODEL (out of memory stays what it is). */
ck_status ck_json_foreign(ck_json_reader *rd, ck_status st);

/* Fails with "SOURCE: field 'FIELD' WHAT" (CK_EMODEL). */
ck_status ck_json_bad(ck_json_reader *rd, const char *field, const char *what);

/* o[key] into *out; a missing key is an error naming `field` (the key's
 * full path in messages). */
ck_status ck_json_get(ck_json_reader *rd, const json_t *o, const char *key, const char *field,
                      json_t **out);
/* A string, copied (caller frees). */
ck_status ck_json_get_string(ck_json_reader *rd, const json_t *o, const char *key,
                             const char *field, char **out);
/* A number; with `nullable`, null reads as NaN. */
ck_status ck_json_get_number(ck_json_reader *rd, const json_t *o, const char *key,
                             const char *field, int nullable, double *out);
/* A non-negative whole number. */
ck_status ck_json_get_count(ck_json_reader *rd, const json_t *o, const char *key,
                            const char *field, size_t *out);
ck_status ck_json_get_bool(ck_json_reader *rd, const json_t *o, const char *key,
                           const char *field, int *out);
/* An array of exactly n numbers or nulls (NaN). */
ck_status ck_json_get_numbers(ck_json_reader *rd, const json_t *o, const char *key,
                              const char *field, size_t n, double *out);
/* An object. */
ck_status ck_json_get_object(ck_json_reader *rd, const json_t *o, const char *key,
                             const char *field, json_t **out);

/* An optional number: NaN when the key is absent or not a number. */
double ck_json_optional_number(const json_t *o, const char *key);

/*
 * Records of facts (a fit's, a set of metrics): a table of keys, kinds and
 * the offsets of C fields, written in the table's order and read back by
 * the same table, so that a struct and its JSON cannot drift apart.
 */
typedef enum ck_fact_kind {
    CK_FACT_REAL = 1,   /* a double; null when not finite */
    CK_FACT_COUNT,      /* a double holding a whole number, written as one */
    CK_FACT_SIZE,       /* a size_t */
    CK_FACT_BOOL,       /* an int, 0 or 1 */
    CK_FACT_CHOICE      /* an int indexing `choices`, written as its text */
} ck_fact_kind;

typedef struct ck_fact {
    const char *key;
    ck_fact_kind kind;
    size_t offset;              /* of the field in its struct */
    const char *const *choices; /* CK_FACT_CHOICE: NULL-terminated */
} ck_fact;

/* The number of facts in a table (an array, not a pointer). */
#define CK_NFACTS(a) (sizeof(a) / sizeof((a)[0]))

/* Writes base's facts into o, in the table's order; 0, or -1 when one
 * could not be set. */
int ck_json_put_facts(json_t *o, const void *base, const ck_fact *f, size_t n);

/* Reads them back.  strict: a missing or mistyped fact is an error naming
 * "WHERE.KEY"; otherwise it reads as unknown (NaN, 0, the first choice), for
 * records only reports use. */
ck_status ck_json_get_facts(ck_json_reader *rd, const json_t *o, const char *where, void *base,
                            const ck_fact *f, size_t n, int strict);

#endif
