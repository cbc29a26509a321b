/*
 * date.h -- civil dates as day numbers, without time zones.
 *
 * A day number counts days since 1970-01-01 in the proleptic Gregorian
 * calendar (Howard Hinnant's days_from_civil / civil_from_days algorithms);
 * nothing here calls mktime or looks at the TZ, so results are the same on
 * every machine.  Shared by churnkit-synth (writing dates) and the feature
 * builder (reading them).
 */
#ifndef CHURNKIT_DATE_H
#define CHURNKIT_DATE_H

#include <stdint.h>

/* The day number of y-m-d (m 1..12, d 1..31); valid for years
 * -1,000,000..1,000,000. */
int32_t ck_date_from_civil(int y, int m, int d);

/* The civil date of day number z. */
void ck_date_to_civil(int32_t z, int *y, int *m, int *d);

/* 0 = Sunday .. 6 = Saturday. */
int ck_date_weekday(int32_t z);

/* Parses exactly "YYYY-MM-DD" (a real calendar day, year 0000..9999) into a
 * day number; returns 0 on success, -1 otherwise. */
int ck_date_parse(const char *s, int32_t *out);

/* Writes z as "YYYY-MM-DD" (10 characters and a NUL) into buf[11]; years
 * outside 0..9999 are clamped. */
void ck_date_format(int32_t z, char buf[11]);

/* Months as integers: year * 12 + (month - 1). */
int32_t ck_date_month_of(int32_t day);

/* Parses exactly "YYYY-MM" into a month integer; 0 on success, -1 otherwise. */
int ck_date_parse_month(const char *s, int32_t *out);

/* The day `months` calendar months after (before, when negative) `day`:
 * the same day of the month, clamped to the target month's last day
 * (2024-03-31 + 3 months = 2024-06-30). */
int32_t ck_date_add_months(int32_t day, int months);

#endif
