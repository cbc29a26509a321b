/*
 * gen_survival.c -- seeded generator of the Cox benchmark's tables (never
 * committed).
 *
 *   gen_survival ROWS [COLS] [SEED] [months|continuous] > file.csv
 *
 * COLS (default 20) standard normal features x1..xCOLS, then `time` and
 * `event`.  The time to churn is drawn from a proportional-hazards model:
 * Weibull, shape 0.8 (a hazard falling with tenure), scale 30 months, its
 * hazard multiplied by exp(eta), eta = 0.5 x1 - 0.4 x2 + 0.3 x3 - 0.2 x4 +
 * 0.1 x5 (the other features have no effect).  Censoring: random, uniform on
 * (0, 48) months, and administrative at 24 months.
 *
 * "months" (default): the churn and censoring times are rounded up to whole
 * months first, time = min(T, C, 24) and event = T <= min(C, 24), so that
 * times take 24 values and ties are heavy, as in monthly churn data.
 * "continuous": the same draws unrounded (written with 15 significant
 * digits, so that no two rows tie but those censored at 24).
 *
 * The features are written with 6 significant digits (as gen_numeric does).
 * SplitMix64 drives a Box-Muller normal (gen_numeric's), so the file is the
 * same on every machine, and both modes of one seed hold the same rows.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: gen_survival ROWS [COLS] [SEED] [months|continuous]\n");
        return 2;
    }
    static const double beta[] = {0.5, -0.4, 0.3, -0.2, 0.1};
    const double shape = 0.8, scale = 30.0, admin = 24.0, cmax = 48.0;
    long rows = atol(argv[1]);
    int cols = argc > 2 ? atoi(argv[2]) : 20;
    state = argc > 3 ? strtoull(argv[3], NULL, 10) : 42;
    int months = !(argc > 4 && strcmp(argv[4], "continuous") == 0);
    static char buf[1 << 16];
    setvbuf(stdout, buf, _IOFBF, sizeof buf);
    for (int j = 1; j <= cols; j++)
        printf("x%d,", j);
    printf("time,event\n");
    for (long i = 0; i < rows; i++) {
        double eta = 0.0;
        for (int j = 0; j < cols; j++) {
            double x = normal();
            /* the value as written, so that the model holds for the file */
            char s[32];
            snprintf(s, sizeof s, "%.6g", x);
            x = strtod(s, NULL);
            if (j < 5)
                eta += beta[j] * x;
            fputs(s, stdout);
            putchar(',');
        }
        /* S(t) = exp(-(t/scale)^shape exp(eta)): t = scale (E e^-eta)^(1/shape) */
        double t = scale * pow(-log(uniform()) * exp(-eta), 1.0 / shape);
        double c = cmax * uniform();
        if (months) {
            t = ceil(t);
            c = ceil(c);
        }
        double end = c < admin ? c : admin;
        int event = t <= end;
        double time = event ? t : end;
        if (months)
            printf("%.0f,%d\n", time, event);
        else
            printf("%.15g,%d\n", time, event);
    }
    return 0;
}
