/* churnkit-synth -- writes a synthetic SaaS customer world as raw CSVs
 * (see man/churnkit-synth.1 and docs/synthetic-world.md). */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>

#include "churnkit/synth.h"
#include "common.h"

static const char *const prog = "churnkit-synth";

static const char help[] =
    "Usage: churnkit-synth --out DIR [options]\n"
    "Writes a synthetic, documented SaaS customer world as raw CSV files into DIR\n"
    "(created if missing; existing files are replaced, each one atomically):\n"
    "accounts.csv users.csv sessions.csv feature_events.csv features.csv nps.csv\n"
    "revenue.csv, and truth.csv (latent values and churn month: ground truth for\n"
    "tests and notebooks, not a training input).\n"
    "\n"
    "  --accounts N   accounts in the world (default 1000)\n"
    "  --months M     calendar months simulated (default 24)\n"
    "  --seed S       random seed (default 1); same options and seed give\n"
    "                 byte-identical files\n"
    "  --start DATE   first day of the first month, YYYY-MM-01 (default 2024-01-01)\n"
    "  --out DIR      output directory (required)\n"
    "  --threads T    worker threads (default: processors online); never changes\n"
    "                 the output\n"
    "  --no-truth     do not write truth.csv\n"
    "  --quiet        no progress and no summary on stderr\n"
    "  --help         show this help\n"
    "  --version      show the version\n"
    "\n"
    "Exit status: 0 ok, 2 usage error, 5 I/O error.\n"
    "The model and the file formats: docs/synthetic-world.md.\n";

int main(int argc, char **argv)
{
    enum { O_ACCOUNTS = 256, O_MONTHS, O_SEED, O_START, O_OUT, O_THREADS, O_NO_TRUTH, O_QUIET,
           O_HELP, O_VERSION };
    static const struct option longopts[] = {
        {"accounts", required_argument, NULL, O_ACCOUNTS},
        {"months", required_argument, NULL, O_MONTHS},
        {"seed", required_argument, NULL, O_SEED},
        {"start", required_argument, NULL, O_START},
        {"out", required_argument, NULL, O_OUT},
        {"threads", required_argument, NULL, O_THREADS},
        {"no-truth", no_argument, NULL, O_NO_TRUTH},
        {"quiet", no_argument, NULL, O_QUIET},
        {"help", no_argument, NULL, O_HELP},
        {"version", no_argument, NULL, O_VERSION},
        {NULL, 0, NULL, 0}};
    ck_synth_options opt;
    const char *out = NULL;
    int quiet = 0, c;
    long v;
    size_t threads;

    ck_cli_hugepages(argv);
    ck_cli_init();
    ck_synth_options_init(&opt);
    while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        switch (c) {
        case O_ACCOUNTS:
            if (ck_cli_long(prog, "--accounts", optarg, 1, CK_SYNTH_MAX_ACCOUNTS, &v) != 0)
                return 2;
            opt.accounts = v;
            break;
        case O_MONTHS:
            if (ck_cli_long(prog, "--months", optarg, 1, CK_SYNTH_MAX_MONTHS, &v) != 0)
                return 2;
            opt.months = (int)v;
            break;
        case O_SEED:
            if (ck_cli_long(prog, "--seed", optarg, 0, LONG_MAX, &v) != 0)
                return 2;
            opt.seed = (unsigned long)v;
            break;
        case O_START:
            opt.start = optarg;
            break;
        case O_OUT:
            out = optarg;
            break;
        case O_THREADS:
            if (ck_cli_threads(prog, optarg, 1, &threads) != 0)
                return 2;
            opt.threads = (int)threads;
            break;
        case O_NO_TRUTH:
            opt.truth = 0;
            break;
        case O_QUIET:
            quiet = 1;
            break;
        case O_HELP:
            ck_cli_help(help);
            return 0;
        case O_VERSION:
            ck_cli_version(prog);
            return 0;
        default:
            return ck_cli_bad_option(prog, c, argv, longopts);
        }
    }
    if (optind < argc)
        return ck_cli_usage(prog, "unexpected argument '%s'", argv[optind]);
    if (!out)
        return ck_cli_usage(prog, "--out DIR is required");
    if (ck_cli_output_empty(prog, "--out", out))
        return 2;

    ck_cli_progress progress;
    ck_synth_summary sum;
    ck_error err;
    ck_cli_progress_init(&progress, prog, quiet);
    ck_status st = ck_synth_run(&opt, out, ck_cli_progress_report, &progress, &sum, &err);
    ck_cli_progress_done(&progress);
    if (st == CK_EUSAGE)
        return ck_cli_usage(prog, "%s", err.message);
    if (st != CK_OK)
        return ck_cli_fail(prog, &err);
    if (!quiet)
        fprintf(stderr,
                "%s: wrote %s: %ld accounts (%ld at the start, %ld pseudo-active), %ld users, "
                "%ld sessions, %ld feature events, %ld NPS answers, %ld revenue rows; "
                "%ld churned, monthly churn %.2f%%\n",
                prog, out, sum.accounts, sum.existing_at_start, sum.pseudo_active, sum.users,
                sum.sessions, sum.events, sum.nps, sum.revenue, sum.churned,
                100.0 * sum.monthly_churn);
    return 0;
}
