/* num.c -- exact, locale-independent number parsing and formatting. */
#include "churnkit/num.h"

#include <ctype.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Powers of ten exactly representable as doubles (10^22 is the largest). */
static const double pow10_exact[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static int ieq(const char *s, size_t len, const char *lit)
{
    size_t n = strlen(lit);
    if (n != len)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)s[i]) != lit[i])
            return 0;
    return 1;
}

int ck_num_is_missing_token(const char *s, size_t len)
{
    if (len == 0)
        return 1;
    if (len > 4)
        return 0;
    return ieq(s, len, "na") || ieq(s, len, "nan") || ieq(s, len, "null") ||
           ieq(s, len, "n/a") || (len == 1 && s[0] == '?');
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* strtod on a copy, with '.' swapped for the locale's decimal point, so the
 * result never depends on LC_NUMERIC.  Only the characters of a decimal
 * number are allowed: hex floats and "nan(...)" forms are text here. */
static ck_num_kind parse_slow(const char *s, size_t len, double *out)
{
    char buf[512];
    char *end;
    const char *dp = localeconv()->decimal_point;

    if (len >= sizeof buf)
        return CK_NUM_BAD;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!(isdigit((unsigned char)c) || c == '.' || c == '+' || c == '-' ||
              c == 'e' || c == 'E'))
            return CK_NUM_BAD;
        buf[i] = (c == '.' && dp[0] && dp[1] == '\0') ? dp[0] : c;
    }
    buf[len] = '\0';
    errno = 0;
    double v = strtod(buf, &end);
    if (end != buf + len || end == buf)
        return CK_NUM_BAD;
    if (isinf(v))
        return CK_NUM_INF;
    /* ERANGE with a finite result is underflow to a subnormal or zero:
     * the nearest double, which is what the cell means. */
    *out = v;
    return CK_NUM_OK;
}

/* Everything but a plain decimal: spaces, missing spellings, infinities,
 * long mantissas, text. */
static ck_num_kind parse_general(const char *s, size_t len, double *out)
{
    while (len && is_blank(*s))
        s++, len--;
    while (len && is_blank(s[len - 1]))
        len--;
    if (ck_num_is_missing_token(s, len))
        return CK_NUM_MISSING;
    size_t sign = (s[0] == '+' || s[0] == '-');
    if (ieq(s + sign, len - sign, "inf") || ieq(s + sign, len - sign, "infinity"))
        return CK_NUM_INF;
    return parse_slow(s, len, out);
}

/* Numbers up to this long take the fast path (the eight-byte loads below
 * may read up to CK_NUM_PAD bytes past the number's end: see num.h). */
#define NUM_FAST_MAX 32

static const uint64_t pow10_u64[9] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
                                      100000000};

/* The run of up to eight decimal digits at p, and its length in *n, with
 * no branch on the digits: SWAR ("SIMD within a register", fast_float's
 * parse_eight_digits_unrolled; D. Lemire, "Number parsing at a gigabyte
 * per second", Software: Practice and Experience 51(8), 2021).  x = bytes
 * XOR '0' maps exactly the digits to 0..9; a byte is not a digit when
 * (x & 0x7f) + 0x76 or x has its high bit (no carry crosses a byte); the
 * digits, moved to the top of the word, are combined in pairs, fours and
 * eights by three multiplications.  p has 8 readable bytes; a NUL ends
 * the run at the field's end. */
static inline uint32_t digits8(const char *p, size_t *n)
{
    uint64_t x;
    memcpy(&x, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x); /* the first character in the low byte */
#endif
    x ^= UINT64_C(0x3030303030303030);
    uint64_t high = UINT64_C(0x8080808080808080), low7 = UINT64_C(0x7f7f7f7f7f7f7f7f);
    uint64_t stop = (((x & low7) + UINT64_C(0x7676767676767676)) | x) & high;
    *n = stop ? (size_t)__builtin_ctzll(stop) / 8 : 8;
    if (*n == 0)
        return 0;
    x <<= 8 * (8 - *n); /* the digits on top, zeros (leading) below */
    x = x * 10 + (x >> 8);
    x = (((x & UINT64_C(0x000000FF000000FF)) * UINT64_C(0x000F424000000064)) +
         (((x >> 16) & UINT64_C(0x000000FF000000FF)) * UINT64_C(0x0000271000000001))) >> 32;
    return (uint32_t)x;
}

/* The digits from p on into *mant (which may wrap: the caller counts them
 * and refuses more than 19); returns the first byte after them. */
static inline const char *digit_run(const char *p, uint64_t *mant)
{
    size_t n;
    do {
        uint32_t v = digits8(p, &n);
        *mant = *mant * pow10_u64[n] + v;
        p += n;
    } while (n == 8);
    return p;
}

/* -v when neg is 1 (the sign bit flipped), v when it is 0. */
static inline double with_sign(double v, uint64_t neg)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    u ^= neg << 63;
    memcpy(&v, &u, sizeof v);
    return v;
}

ck_num_kind ck_num_parse(const char *s, size_t len, double *out)
{
    /* a copy with the padding ck_num_parse_field needs (its loads wait for
     * the copy's stores: the hot loops call ck_num_parse_field) */
    char buf[NUM_FAST_MAX + CK_NUM_PAD + 1];
    if (len == 0)
        return CK_NUM_MISSING;
    if (len > NUM_FAST_MAX)
        return parse_general(s, len, out);
    memcpy(buf, s, len);
    memset(buf + len, 0, CK_NUM_PAD + 1);
    return ck_num_parse_field(buf, len, out);
}

ck_num_kind ck_num_parse_field(const char *s, size_t len, double *out)
{
    if (len == 0)
        return CK_NUM_MISSING;
    if (len > NUM_FAST_MAX) /* no plain number of at most 19 digits is this
                               long but for leading zeros: strtod */
        return parse_general(s, len, out);
    const char *p = s, *end = s + len;
    /* the sign without a branch: half the numbers of a column may be
     * negative, in no order a predictor could learn */
    uint64_t neg = *p == '-';
    p += neg | (*p == '+');

    /* Fast path: [digits][.digits][e[+-]digits] with at most 19 digits in
     * all, so the mantissa cannot overflow 64 bits. */
    uint64_t mant = 0;
    const char *d0 = p;
    p = digit_run(p, &mant);
    int ndig = (int)(p - d0), nfrac = 0;
    if (*p == '.') {
        const char *f0 = ++p;
        p = digit_run(p, &mant);
        nfrac = (int)(p - f0);
        ndig += nfrac;
    }
    if (ndig == 0 || ndig > 19)
        return parse_general(s, len, out);
    int exp10 = 0;
    if (p < end && (*p == 'e' || *p == 'E')) {
        int eneg = 0, edig = 0;
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            eneg = (*p++ == '-');
        while (p < end && (unsigned)(*p - '0') < 10) {
            if (exp10 < 100000)
                exp10 = exp10 * 10 + (*p - '0');
            p++, edig++;
        }
        if (!edig)
            return parse_general(s, len, out);
        if (eneg)
            exp10 = -exp10;
    }
    if (p != end)
        return parse_general(s, len, out);
    exp10 -= nfrac;
    if (mant == 0) {
        *out = with_sign(0.0, neg);
        return CK_NUM_OK;
    }
    /* Clinger: when the mantissa and 10^|e| are both exact doubles, one
     * correctly rounded operation gives the correctly rounded result. */
    if (mant <= (UINT64_C(1) << 53) && exp10 >= -22 && exp10 <= 22) {
        double v = (double)mant;
        v = exp10 < 0 ? v / pow10_exact[-exp10] : v * pow10_exact[exp10];
        *out = with_sign(v, neg);
        return CK_NUM_OK;
    }
    return parse_slow(s, len, out);
}

int ck_num_decimal_comma(const char *s, size_t len)
{
    char buf[64];
    const char *comma = memchr(s, ',', len);
    double v;
    if (!comma || len >= sizeof buf || memchr(comma + 1, ',', len - (size_t)(comma - s) - 1))
        return 0;
    size_t at = (size_t)(comma - s);
    /* digits on both sides: "a,b" or a list "1, 2" is not a number */
    if (at == 0 || at + 1 >= len || !isdigit((unsigned char)s[at - 1]) ||
        !isdigit((unsigned char)s[at + 1]))
        return 0;
    memcpy(buf, s, len);
    buf[at] = '.';
    return ck_num_parse(buf, len, &v) == CK_NUM_OK;
}

/* snprintf follows LC_NUMERIC; put the '.' back. */
static void fix_decimal_point(char *buf)
{
    const char *dp = localeconv()->decimal_point;
    if (dp[0] == '.' || dp[0] == '\0' || dp[1] != '\0')
        return;
    for (char *p = buf; *p; p++)
        if (*p == dp[0])
            *p = '.';
}

size_t ck_num_format(double x, char *buf)
{
    if (isnan(x)) {
        buf[0] = '\0';
        return 0;
    }
    for (int prec = 15; prec <= 17; prec++) {
        double back;
        snprintf(buf, CK_NUM_BUFSIZE, "%.*g", prec, x);
        fix_decimal_point(buf);
        if (prec == 17 ||
            (ck_num_parse(buf, strlen(buf), &back) == CK_NUM_OK && back == x))
            break;
    }
    return strlen(buf);
}

size_t ck_num_format_fixed(double x, int decimals, char *buf)
{
    static const uint64_t scale[10] = {1,      10,      100,      1000,      10000,
                                       100000, 1000000, 10000000, 100000000, 1000000000};
    if (decimals < 0)
        decimals = 0;
    if (decimals > 9)
        decimals = 9;
    if (isnan(x)) {
        buf[0] = '\0';
        return 0;
    }
    if (!(fabs(x) < 1e15))
        return ck_num_format(x, buf);
    double scaled = fabs(x) * (double)scale[decimals];
    if (!(scaled < 9e18))
        return ck_num_format(x, buf);
    uint64_t v = (uint64_t)llround(scaled);
    uint64_t ip = v / scale[decimals], fp = v % scale[decimals];
    char tmp[CK_NUM_BUFSIZE];
    size_t n = 0;
    /* fraction digits, least significant first, dropping trailing zeros */
    int fd = decimals;
    while (fd > 0 && fp % 10 == 0) {
        fp /= 10;
        fd--;
    }
    for (int i = 0; i < fd; i++) {
        tmp[n++] = (char)('0' + fp % 10);
        fp /= 10;
    }
    if (fd > 0)
        tmp[n++] = '.';
    do {
        tmp[n++] = (char)('0' + ip % 10);
        ip /= 10;
    } while (ip);
    if (x < 0 && v != 0)
        tmp[n++] = '-';
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
    return n;
}
