/*
 * num.h -- reading and writing numbers in CSV cells, locale-independent.
 *
 * Parsing is exact: a plain decimal with at most 15 significant digits and a
 * small exponent is converted with one correctly rounded IEEE multiplication
 * or division (Clinger's fast path), which equals what strtod gives; anything
 * else goes through strtod itself.  The decimal separator is always '.',
 * whatever the process locale says.
 */
#ifndef CHURNKIT_NUM_H
#define CHURNKIT_NUM_H

#include <stddef.h>

typedef enum ck_num_kind {
    CK_NUM_OK = 0,  /* a finite number */
    CK_NUM_MISSING, /* empty, NA, NaN, null, N/A or ? (any case) */
    CK_NUM_BAD,     /* not a number: text */
    CK_NUM_INF      /* inf, infinity, or a value that overflows a double */
} ck_num_kind;

/* Parses s[0..len) (need not be NUL-terminated; surrounding spaces and tabs
 * are ignored).  *out is set only for CK_NUM_OK. */
ck_num_kind ck_num_parse(const char *s, size_t len, double *out);

/* Readable bytes ck_num_parse_field may look at after a field's end. */
#define CK_NUM_PAD 8

/* As ck_num_parse, for a field that is followed in memory by a NUL and
 * CK_NUM_PAD more readable bytes (the fields of a ck_csv_row are): its
 * digits are read in place, eight at a time. */
ck_num_kind ck_num_parse_field(const char *s, size_t len, double *out);

/* True when s[0..len) is a number written with a decimal comma ("3,5",
 * "-0,25"): one comma between digits, and a number once it is a point.
 * ck_num_parse reads decimal points only, whatever the locale. */
int ck_num_decimal_comma(const char *s, size_t len);

/* What to say about one: the fix, for the end of a message. */
#define CK_NUM_DECIMAL_COMMA_HINT                                                              \
    "a number with a decimal comma? churnkit reads decimal points only: convert the file "     \
    "first (in a ';'-separated file, tr ',' '.' < IN > OUT does it)"

/* True when s[0..len) is one of the missing-value spellings. */
int ck_num_is_missing_token(const char *s, size_t len);

/* Buffer size that every formatter below fits in, with its NUL. */
#define CK_NUM_BUFSIZE 40

/* Writes the shortest decimal that reads back to exactly x ("%.17g" at most);
 * NaN is written as the empty string.  Returns the length. */
size_t ck_num_format(double x, char *buf);

/* Writes x rounded to `decimals` places (0..9), trailing zeros removed, "-0"
 * written as "0"; magnitudes of 1e15 and beyond fall back to ck_num_format.
 * This is the documented precision of scores: fast and deterministic.
 * Returns the length. */
size_t ck_num_format_fixed(double x, int decimals, char *buf);

#endif
