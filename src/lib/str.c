/* str.c -- small string helpers. */
#define _GNU_SOURCE /* strcasestr */
#include "churnkit/str.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *ck_strndup(const char *s, size_t len)
{
    char *d = malloc(len + 1);
    if (d) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

size_t ck_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    /* Names are short; cap the work so a pathological header stays cheap. */
    if (la > 256)
        la = 256;
    if (lb > 256)
        lb = 256;
    size_t row[257];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            int same = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);
            size_t best = diag + (same ? 0 : 1);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* Edit distance, except that a name contained in the other ("tenur" in
 * "tenure_days") counts as close: typos and truncations both. */
static size_t name_score(const char *want, const char *have)
{
    size_t d = ck_edit_distance(want, have);
    if (d > 2 && (strcasestr(have, want) || strcasestr(want, have)))
        d = 2;
    return d;
}

void ck_closest_names(const char *name, const char *const *names, size_t n,
                      char *out, size_t outsz)
{
    size_t best[3] = {0, 0, 0}, dist[3] = {(size_t)-1, (size_t)-1, (size_t)-1};
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t d = name_score(name, names[i]);
        /* insertion into the sorted top three; ties keep file order */
        for (size_t s = 0; s < 3; s++) {
            if (d < dist[s]) {
                for (size_t t = 2; t > s; t--) {
                    dist[t] = dist[t - 1];
                    best[t] = best[t - 1];
                }
                dist[s] = d;
                best[s] = i;
                break;
            }
        }
    }
    const size_t k = n < 3 ? n : 3;
    size_t used = 0;
    /* cppcheck 2.x takes k for 0 here (it is min(n, 3), n any size) */
    // cppcheck-suppress knownConditionTrueFalse
    for (size_t s = 0; s < k && used < outsz; s++) {
        // cppcheck-suppress knownConditionTrueFalse
        const char *sep = s == 0 ? "" : (s + 1 == k ? " or " : ", ");
        int w = snprintf(out + used, outsz - used, "%s'%s'", sep, names[best[s]]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* Whether have is near want (see ck_near_names). */
static int is_near(const char *want, const char *have)
{
    /* a transposition costs 2: "modle" is near "model", "x" is not near "y1" */
    size_t lw = strlen(want), lh = strlen(have), bound = lw <= 3 ? 1 : lw / 3 < 2 ? 2 : lw / 3;
    if ((lw < lh ? lw : lh) >= 4 && (strcasestr(have, want) || strcasestr(want, have)))
        return 1;
    return ck_edit_distance(want, have) <= bound;
}

void ck_near_names(const char *name, const char *const *names, size_t n, char *out,
                   size_t outsz)
{
    const char **near = malloc((n ? n : 1) * sizeof *near);
    size_t k = 0;
    out[0] = '\0';
    if (!near)
        return; /* short of memory: no suggestion, which is allowed */
    for (size_t i = 0; i < n; i++)
        if (is_near(name, names[i]))
            near[k++] = names[i];
    if (k)
        ck_closest_names(name, near, k, out, outsz);
    free(near);
}

char **ck_split_list(const char *s, size_t *n)
{
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        cap += (*p == ',');
    char **v = calloc(cap + 1, sizeof *v);
    if (!v)
        return NULL;
    size_t k = 0;
    const char *start = s;
    for (const char *p = s;; p++) {
        if (*p == ',' || *p == '\0') {
            if (p > start) {
                v[k] = ck_strndup(start, (size_t)(p - start));
                if (!v[k]) {
                    ck_strv_free(v);
                    return NULL;
                }
                k++;
            }
            if (*p == '\0')
                break;
            start = p + 1;
        }
    }
    if (n)
        *n = k;
    return v;
}

void ck_strv_free(char **v)
{
    if (!v)
        return;
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}

long ck_strv_index(const char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return (long)i;
    return -1;
}

int ck_utf8_valid(const char *s)
{
    /* RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF */
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p++;
        size_t more = c < 0x80 ? 0 : c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2
                                   : c >= 0xF0 && c <= 0xF4 ? 3 : 4;
        if (more == 4)
            return 0;
        unsigned lo = 0x80, hi = 0xBF; /* the second byte's range */
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
        else if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
        for (size_t k = 0; k < more; k++, p++)
            if (*p < (k ? 0x80 : lo) || *p > (k ? 0xBF : hi))
                return 0;
    }
    return 1;
}

/* See str.h: a blank is dropped at either end and next to an operator
 * character, kept elsewhere so that "a b>=1" stays a bad name. */
int ck_str_squeeze_rule(const char *text, char *out, size_t size)
{
    size_t n = 0;
    for (const char *c = text; *c; c++) {
        int blank = *c == ' ' || *c == '\t';
        if (blank) {
            const char *next = c;
            while (*next == ' ' || *next == '\t')
                next++;
            int at_op = (n && strchr("<>=", out[n - 1])) || (*next && strchr("<>=", *next));
            if (n == 0 || *next == '\0' || at_op) {
                c = next - 1;
                continue;
            }
        }
        if (n + 1 >= size)
            return -1;
        out[n++] = *c;
    }
    out[n] = '\0';
    return 0;
}
