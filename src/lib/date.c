/* date.c -- civil dates as day numbers (see date.h). */
#include "churnkit/date.h"

#include <stdio.h>

#include <string.h>

int32_t ck_date_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    const long era = (y >= 0 ? y : y - 399) / 400;
    const long yoe = y - era * 400;
    const long doy = (153L * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

void ck_date_to_civil(int32_t z0, int *y, int *m, int *d)
{
    long z = (long)z0 + 719468;
    const long era = (z >= 0 ? z : z - 146096) / 146097;
    const long doe = z - era * 146097;
    const long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

int ck_date_weekday(int32_t z)
{
    long w = ((long)z + 4) % 7; /* 1970-01-01 was a Thursday */
    return (int)(w < 0 ? w + 7 : w);
}

static int digits_at(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int ck_date_parse(const char *s, int32_t *out)
{
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    int y = digits_at(s, 4), m = digits_at(s + 5, 2), d = digits_at(s + 8, 2);
    if (y < 0 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return -1;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m == 2 && d == 29 && !leap)
        return -1;
    *out = ck_date_from_civil(y, m, d);
    return 0;
}

static void put_digits(char *q, unsigned long v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        q[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

void ck_date_format(int32_t z, char buf[11])
{
    int y, m, d;
    ck_date_to_civil(z, &y, &m, &d);
    if (y < 0)
        y = 0;
    if (y > 9999)
        y = 9999;
    put_digits(buf, (unsigned long)y, 4);
    buf[4] = '-';
    put_digits(buf + 5, (unsigned long)m, 2);
    buf[7] = '-';
    put_digits(buf + 8, (unsigned long)d, 2);
    buf[10] = '\0';
}

int32_t ck_date_month_of(int32_t day)
{
    int y, m, d;
    ck_date_to_civil(day, &y, &m, &d);
    return (int32_t)y * 12 + (m - 1);
}

int ck_date_parse_month(const char *s, int32_t *out)
{
    for (int i = 0; i < 7; i++)
        if (i == 4 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
            return -1;
    if (s[7] != '\0')
        return -1;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    if (m < 1 || m > 12)
        return -1;
    *out = (int32_t)y * 12 + (m - 1);
    return 0;
}

int32_t ck_date_add_months(int32_t day, int months)
{
    int y, m, d;
    ck_date_to_civil(day, &y, &m, &d);
    long k = (long)y * 12 + (m - 1) + months; /* the target month */
    long ty = k >= 0 ? k / 12 : -((11 - k) / 12);
    int tm = (int)(k - ty * 12) + 1;
    int32_t first = ck_date_from_civil((int)ty, tm, 1);
    int32_t next = tm == 12 ? ck_date_from_civil((int)ty + 1, 1, 1)
                            : ck_date_from_civil((int)ty, tm + 1, 1);
    int last = (int)(next - first);
    return first + (d < last ? d : last) - 1;
}
