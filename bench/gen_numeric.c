/*
 * gen_numeric.c -- seeded generator of the benchmark tables (never committed).
 *
 *   gen_numeric ROWS [COLS] [SEED] [TASK] > file.csv
 *
 * COLS (default 20) standard normal features x0..x{COLS-1}, then the target:
 * TASK "logistic" (default): y ~ Bernoulli(sigmoid(x . beta - 1)), beta_j =
 * 0.3 * ((j % 5) - 2), so about 30% positives; TASK "linear": y = x . beta +
 * N(0, 1).  Numbers are written with 6 significant digits, as an export from
 * a database or a pandas to_csv with float_format would be.  SplitMix64
 * drives a Box-Muller normal, so the file is the same on every machine.
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
        fprintf(stderr, "usage: gen_numeric ROWS [COLS] [SEED] [logistic|linear]\n");
        return 2;
    }
    long rows = atol(argv[1]);
    int cols = argc > 2 ? atoi(argv[2]) : 20;
    state = argc > 3 ? strtoull(argv[3], NULL, 10) : 42;
    int linear = argc > 4 && strcmp(argv[4], "linear") == 0;
    static char buf[1 << 16];
    setvbuf(stdout, buf, _IOFBF, sizeof buf);
    for (int j = 0; j < cols; j++)
        printf("x%d,", j);
    printf("y\n");
    for (long i = 0; i < rows; i++) {
        double z = linear ? 0.0 : -1.0;
        for (int j = 0; j < cols; j++) {
            double x = normal();
            z += 0.3 * ((j % 5) - 2) * x;
            printf("%.6g,", x);
        }
        if (linear)
            printf("%.6g\n", z + normal());
        else
            printf("%d\n", uniform() < 1.0 / (1.0 + exp(-z)));
    }
    return 0;
}
