/* dict.c -- string interning with open addressing (linear probing) on the
 * FNV-1a hash; the table is kept at most half full. */
#include "churnkit/dict.h"
#include "churnkit/str.h"

#include <stdlib.h>
#include <string.h>

struct ck_dict {
    char **str;      /* by code */
    size_t *len;     /* by code */
    uint32_t *hash;  /* by code */
    size_t n, cap;   /* strings and their capacity */
    int32_t *slot;   /* open-addressing table of codes, -1 empty */
    size_t nslot;    /* power of two */
};

static uint32_t fnv1a(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

ck_dict *ck_dict_new(void)
{
    ck_dict *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->nslot = 16;
    d->slot = malloc(d->nslot * sizeof *d->slot);
    if (!d->slot) {
        free(d);
        return NULL;
    }
    memset(d->slot, 0xff, d->nslot * sizeof *d->slot);
    return d;
}

void ck_dict_free(ck_dict *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        free(d->str[i]);
    free(d->str);
    free(d->len);
    free(d->hash);
    free(d->slot);
    free(d);
}

static size_t probe(const ck_dict *d, const char *s, size_t len, uint32_t h)
{
    size_t mask = d->nslot - 1, i = h & mask;
    while (d->slot[i] >= 0) {
        int32_t c = d->slot[i];
        if (d->hash[c] == h && d->len[c] == len && memcmp(d->str[c], s, len) == 0)
            break;
        i = (i + 1) & mask;
    }
    return i;
}

int32_t ck_dict_find(const ck_dict *d, const char *s, size_t len)
{
    return d->slot[probe(d, s, len, fnv1a(s, len))];
}

static int grow_slots(ck_dict *d)
{
    size_t nslot = d->nslot * 2;
    int32_t *slot = malloc(nslot * sizeof *slot);
    if (!slot)
        return -1;
    memset(slot, 0xff, nslot * sizeof *slot);
    for (size_t c = 0; c < d->n; c++) {
        size_t i = d->hash[c] & (nslot - 1);
        while (slot[i] >= 0)
            i = (i + 1) & (nslot - 1);
        slot[i] = (int32_t)c;
    }
    free(d->slot);
    d->slot = slot;
    d->nslot = nslot;
    return 0;
}

static int grow_codes(ck_dict *d)
{
    size_t cap = d->cap ? 2 * d->cap : 16;
    char **str = realloc(d->str, cap * sizeof *str);
    if (!str)
        return -1;
    d->str = str;
    size_t *len = realloc(d->len, cap * sizeof *len);
    if (!len)
        return -1;
    d->len = len;
    uint32_t *hash = realloc(d->hash, cap * sizeof *hash);
    if (!hash)
        return -1;
    d->hash = hash;
    d->cap = cap;
    return 0;
}

int32_t ck_dict_intern(ck_dict *d, const char *s, size_t len)
{
    uint32_t h = fnv1a(s, len);
    size_t i = probe(d, s, len, h);
    if (d->slot[i] >= 0)
        return d->slot[i];
    if (d->n >= INT32_MAX)
        return -1;
    /* keep the table at most half full, so probing always ends */
    if (2 * (d->n + 1) > d->nslot) {
        if (grow_slots(d) != 0)
            return -1;
        i = probe(d, s, len, h);
    }
    if (d->n == d->cap && grow_codes(d) != 0)
        return -1;
    char *copy = ck_strndup(s, len);
    if (!copy)
        return -1;
    int32_t code = (int32_t)d->n;
    d->str[code] = copy;
    d->len[code] = len;
    d->hash[code] = h;
    d->n++;
    d->slot[i] = code;
    return code;
}

size_t ck_dict_size(const ck_dict *d)
{
    return d->n;
}

const char *ck_dict_str(const ck_dict *d, int32_t code)
{
    return (code >= 0 && (size_t)code < d->n) ? d->str[code] : NULL;
}

const char *const *ck_dict_strings(const ck_dict *d)
{
    return (const char *const *)d->str;
}
