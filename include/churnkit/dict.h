/*
 * dict.h -- string interning: each distinct string gets a dense code
 * 0, 1, 2, ... in order of first appearance.  Used for the levels of
 * categorical columns and for header names.
 */
#ifndef CHURNKIT_DICT_H
#define CHURNKIT_DICT_H

#include <stddef.h>
#include <stdint.h>

typedef struct ck_dict ck_dict;

/* Returns a new empty dictionary, or NULL when out of memory.  Free with
 * ck_dict_free; the dictionary owns copies of its strings. */
ck_dict *ck_dict_new(void);
void ck_dict_free(ck_dict *d);

/* Code of s[0..len), or -1 when absent. */
int32_t ck_dict_find(const ck_dict *d, const char *s, size_t len);

/* Code of s[0..len), adding it when absent; -1 when out of memory. */
int32_t ck_dict_intern(ck_dict *d, const char *s, size_t len);

size_t ck_dict_size(const ck_dict *d);

/* The string with this code (NUL-terminated, owned by the dictionary). */
const char *ck_dict_str(const ck_dict *d, int32_t code);

/* All strings in code order (owned by the dictionary; valid until the next
 * ck_dict_intern). */
const char *const *ck_dict_strings(const ck_dict *d);

#endif
