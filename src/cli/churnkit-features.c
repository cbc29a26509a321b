/* churnkit-features -- raw event files to one row of point-in-time features
 * and labels per account.  Thin: options in, ck_features_build. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "churnkit/date.h"
#include "churnkit/features.h"
#include "common.h"

static const char *prog = "churnkit-features";

static const char *help =
    "Usage: churnkit-features --world DIR --snapshot YYYY-MM-DD --out FILE [options]\n"
    "       churnkit-features --accounts F --users F --sessions F --events F --nps F\n"
    "                         --revenue F [--catalogue F] --snapshot YYYY-MM-DD --out FILE\n"
    "\n"
    "Builds one row per account paying at the snapshot: engagement (recency, active-day\n"
    "share, minutes per active day), scale and loyalty (active users, NPS), product\n"
    "depth (core-feature clicks, feature breadth), the legacy usage totals, account\n"
    "attributes, the health score and RFM scores; and, where the revenue data reaches,\n"
    "the labels churned_3m, churned_6m, value_change_3m, value_change_6m,\n"
    "revenue_next_6m and high_value; for every account the time to churn, churn_months\n"
    "with churn_event (1 seen, 0 censored).  Only what happened before the snapshot is used.\n"
    "\n"
    "Columns come in groups, always in this order after account_id:\n"
    "  attributes    plan_tier, industry, company_size, region, tenure_days, mrr\n"
    "  engagement    recency_days, active_day_share, daily_minutes\n"
    "  scale         users_active, users_total, nps_avg, nps_responses\n"
    "  depth         core_clicks, core_clicks_per_user, feature_breadth\n"
    "  legacy        total_minutes, sessions\n"
    "  scores        health_score, r_score, f_score, m_score\n"
    "  trend         active_day_share_change, minutes_per_day_change,\n"
    "                core_clicks_per_day_change, feature_breadth_change (the last 30\n"
    "                days against the 60 before), mrr_change_1m, mrr_change_3m,\n"
    "                users_added_90d, users_removed_90d, nps_last_change,\n"
    "                core_recency_days\n"
    "  labels        churned_3m .. churn_event (above)\n"
    "  trend_labels  expanded_3m, expanded_6m, contracted_3m, contracted_6m,\n"
    "                nps_change_6m, activity_change_3m, last_paid_m0 (labels: they\n"
    "                look past the snapshot; never use them as features)\n"
    "The default is every group but trend and trend_labels (the table as it always was).\n"
    "\n"
    "  --world DIR             the files churnkit-synth writes, by their names in DIR\n"
    "  --accounts, --users, --sessions, --events, --nps, --revenue, --catalogue FILE\n"
    "                          the inputs one by one (the catalogue defaults to\n"
    "                          features.csv beside the events file)\n"
    "  --snapshot YYYY-MM-DD   the point in time\n"
    "  --lookback-days N       the usage window (default 90)\n"
    "  --nps-days N            the NPS window (default 365: answers are rare)\n"
    "  --high-value-share S    the top share of future revenue called high value (0.2)\n"
    "  --data-end YYYY-MM      label as if the revenue data ended with this month (a\n"
    "                          recent snapshot as it looked then: churn_months censored\n"
    "                          there, horizon labels empty where they do not fit)\n"
    "  --groups LIST           the column groups, a comma list (default: attributes,\n"
    "                          engagement,scale,depth,legacy,scores,labels); a '+'\n"
    "                          adds to the default (--groups +trend,+trend_labels);\n"
    "                          'all' is every group\n"
    "  --out FILE              the feature table (written atomically)\n"
    "  --quiet                 no summary, no progress\n"
    "  --help, --version\n"
    "\n"
    "Exit status: 0 ok, 2 usage, 3 bad input data, 5 I/O error.\n";

enum { O_WORLD = 256, O_ACC, O_USERS, O_SESS, O_EVENTS, O_NPS, O_REV, O_CAT, O_SNAP, O_LOOK,
       O_NPSD, O_HVS, O_OUT, O_QUIET, O_HELP, O_VERSION, O_END, O_GROUPS };

static const struct option longopts[] = {
    {"world", required_argument, 0, O_WORLD},    {"accounts", required_argument, 0, O_ACC},
    {"users", required_argument, 0, O_USERS},    {"sessions", required_argument, 0, O_SESS},
    {"events", required_argument, 0, O_EVENTS},  {"nps", required_argument, 0, O_NPS},
    {"revenue", required_argument, 0, O_REV},    {"catalogue", required_argument, 0, O_CAT},
    {"snapshot", required_argument, 0, O_SNAP},  {"lookback-days", required_argument, 0, O_LOOK},
    {"nps-days", required_argument, 0, O_NPSD},  {"high-value-share", required_argument, 0, O_HVS},
    {"out", required_argument, 0, O_OUT},        {"quiet", no_argument, 0, O_QUIET},
    {"help", no_argument, 0, O_HELP},            {"version", no_argument, 0, O_VERSION},
    {"data-end", required_argument, 0, O_END},   {"groups", required_argument, 0, O_GROUPS},
    {0, 0, 0, 0}};

typedef struct args {
    const char *world, *out;
    char *owned[8];   /* paths built from --world, freed at the end */
    size_t nowned;
    ck_features_inputs in;
    ck_features_options opt;
    int have_snapshot, quiet;
} args;

static const char *in_dir(args *a, const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (!p || a->nowned == 8) {
        free(p);
        return NULL;
    }
    snprintf(p, n, "%s/%s", dir, name);
    /* owned by a, freed in main */
    // cppcheck-suppress memleak
    return a->owned[a->nowned++] = p;
}

/* --world fills the paths not given one by one; the catalogue defaults to
 * features.csv beside the events file. */
static int fill_paths(args *a)
{
    ck_features_inputs *in = &a->in;
    struct { const char **slot, *name; } files[] = {
        {&in->accounts, "accounts.csv"}, {&in->users, "users.csv"},
        {&in->sessions, "sessions.csv"}, {&in->events, "feature_events.csv"},
        {&in->nps, "nps.csv"},           {&in->revenue, "revenue.csv"},
        {&in->catalogue, "features.csv"}};
    for (size_t i = 0; a->world && i < sizeof files / sizeof *files; i++)
        if (!*files[i].slot && !(*files[i].slot = in_dir(a, a->world, files[i].name)))
            return -1;
    if (!in->catalogue && in->events) {
        const char *slash = strrchr(in->events, '/');
        char dir[4096];
        snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - in->events) : 1,
                 slash ? in->events : ".");
        if (!(in->catalogue = in_dir(a, dir, "features.csv")))
            return -1;
    }
    return 0;
}

static int parse_args(int argc, char **argv, args *a)
{
    long v;
    int c;
    while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        switch (c) {
        case O_WORLD: a->world = optarg; break;
        case O_ACC: a->in.accounts = optarg; break;
        case O_USERS: a->in.users = optarg; break;
        case O_SESS: a->in.sessions = optarg; break;
        case O_EVENTS: a->in.events = optarg; break;
        case O_NPS: a->in.nps = optarg; break;
        case O_REV: a->in.revenue = optarg; break;
        case O_CAT: a->in.catalogue = optarg; break;
        case O_SNAP:
            if (ck_date_parse(optarg, &a->opt.snapshot) != 0)
                return ck_cli_usage(prog, "--snapshot: '%s' is not a date YYYY-MM-DD", optarg);
            a->have_snapshot = 1;
            break;
        case O_LOOK:
            if (ck_cli_long(prog, "--lookback-days", optarg, 1, 3660, &v) != 0)
                return 2;
            a->opt.lookback_days = (int)v;
            break;
        case O_NPSD:
            if (ck_cli_long(prog, "--nps-days", optarg, 1, 3660, &v) != 0)
                return 2;
            a->opt.nps_days = (int)v;
            break;
        case O_HVS:
            if (ck_cli_double(prog, "--high-value-share", optarg, 0.001, 0.999,
                              &a->opt.high_value_share) != 0)
                return 2;
            break;
        case O_END:
            if (ck_date_parse_month(optarg, &a->opt.data_end) != 0)
                return ck_cli_usage(prog, "--data-end: '%s' is not a month YYYY-MM", optarg);
            break;
        case O_GROUPS: {
            ck_error err;
            ck_status st = ck_features_parse_groups(optarg, &a->opt.groups, &err);
            if (st == CK_EUSAGE)
                return ck_cli_usage(prog, "%s", err.message);
            if (st != CK_OK)
                return ck_cli_fail(prog, &err);
            break;
        }
        case O_OUT: a->out = optarg; break;
        case O_QUIET: a->quiet = 1; break;
        case O_HELP: ck_cli_help(help); return -1;
        case O_VERSION: ck_cli_version(prog); return -1;
        default: return ck_cli_bad_option(prog, c, argv, longopts);
        }
    }
    if (optind < argc)
        return ck_cli_usage(prog, "unexpected argument '%s'", argv[optind]);
    if (fill_paths(a) != 0)
        return ck_exit_code(CK_ENOMEM);
    if (!a->in.accounts || !a->in.users || !a->in.sessions || !a->in.events || !a->in.nps ||
        !a->in.revenue)
        return ck_cli_usage(prog, "give --world DIR, or every input file");
    if (!a->have_snapshot || !a->out)
        return ck_cli_usage(prog, "--snapshot and --out are required");
    const ck_features_inputs *in = &a->in;
    const ck_cli_file files[] = {
        {"--accounts", in->accounts, 0}, {"--users", in->users, 0},
        {"--sessions", in->sessions, 0}, {"--events", in->events, 0},
        {"--nps", in->nps, 0},           {"--revenue", in->revenue, 0},
        {"--catalogue", in->catalogue, 0}, {"--out", a->out, 1}};
    int rc = ck_cli_distinct(prog, files, sizeof files / sizeof *files);
    /* before reading the event files, which is the work */
    return rc ? rc : ck_cli_output(prog, "--out", a->out);
}

int main(int argc, char **argv)
{
    ck_cli_hugepages(argv);
    ck_cli_init();
    args a;
    ck_error err;
    ck_warnings w;
    ck_features_summary sum;
    ck_cli_progress progress;
    memset(&a, 0, sizeof a);
    ck_features_options_init(&a.opt);
    int rc = parse_args(argc, argv, &a);
    if (rc == 0) {
        ck_warnings_init(&w);
        ck_cli_progress_init(&progress, prog, a.quiet);
        a.opt.progress = ck_cli_progress_report;
        a.opt.progress_ctx = &progress;
        if (ck_features_build(&a.in, &a.opt, a.out, &sum, &w, &err) != CK_OK)
            rc = ck_cli_fail(prog, &err);
        ck_cli_progress_done(&progress);
        ck_cli_warnings(prog, &w, 0);
        ck_warnings_fini(&w);
        if (rc == 0 && !a.quiet)
            fprintf(stderr, "%s: %zu accounts paying at the snapshot (%zu churned before it, "
                            "%zu accounts in all); labels reach %d months ahead; %s written\n",
                    prog, sum.accounts_written, sum.churned_before, sum.accounts_seen,
                    sum.label_months, a.out);
    } else if (rc < 0) {
        rc = 0;
    }
    /* every slot, the unused ones being NULL: the static analyzer loses
     * count of nowned but can follow this */
    for (size_t i = 0; i < sizeof a.owned / sizeof *a.owned; i++)
        free(a.owned[i]);
    return rc;
}
