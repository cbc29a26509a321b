/*
 * str.h -- small string helpers shared by the library and the programs.
 */
#ifndef CHURNKIT_STR_H
#define CHURNKIT_STR_H

#include <stddef.h>

/* strdup of s[0..len) (s need not be NUL-terminated).  Caller frees. */
char *ck_strndup(const char *s, size_t len);

/* Levenshtein edit distance between a and b, ASCII case-insensitive. */
size_t ck_edit_distance(const char *a, const char *b);

/* Writes into out (size outsz) up to three names from names[0..n) closest to
 * `name` by edit distance, as "'a', 'b' or 'c'"; writes "" when n == 0.
 * For "did you mean" messages. */
void ck_closest_names(const char *name, const char *const *names, size_t n,
                      char *out, size_t outsz);

/* Like ck_closest_names, but only the names near enough to be a likely
 * typo or truncation: within an edit distance of 1 for a name of up to 3
 * characters, else of a third of its length but at least 2 (a
 * transposition), or holding name (or held in it) when the shorter has 4
 * characters or more.  "" when none is: no suggestion rather than a
 * meaningless one. */
void ck_near_names(const char *name, const char *const *names, size_t n, char *out,
                   size_t outsz);

/* Splits a comma-separated list ("a,b,c") into a NULL-terminated array of
 * newly allocated strings; empty items are dropped.  *n gets the count.
 * Returns NULL on allocation failure.  Free with ck_strv_free. */
char **ck_split_list(const char *s, size_t *n);
void ck_strv_free(char **v);

/* Whether s is well-formed UTF-8 (what JSON, and so a model file, can hold). */
int ck_utf8_valid(const char *s);

/* Index of s in v[0..n), or -1. */
long ck_strv_index(const char *const *v, size_t n, const char *s);

/* A rule as typed ("precision >= 0.85", "auc_6m>=0.75 ") into out without
 * the blanks at its ends and around its operator characters (< > =), as
 * --target and --threshold read it; 0, or -1 when it does not fit size. */
int ck_str_squeeze_rule(const char *text, char *out, size_t size);

#endif
