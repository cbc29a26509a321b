/* churnkit-predict -- score a CSV with one or more model files, streaming.
 * Thin: options in, ck_score, a summary on standard error. */
#include <getopt.h>
#include <math.h>
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "churnkit/model.h"
#include "churnkit/score.h"
#include "churnkit/str.h"
#include "common.h"

static const char *prog = "churnkit-predict";

static const char *help =
    "Usage: churnkit-predict --model M.json [--model M2.json ...] --data FILE [options]\n"
    "\n"
    "Scores every row of a CSV with the models in one streaming pass (constant memory).\n"
    "\n"
    "  --model FILE        a model file from churnkit-train (repeat for several)\n"
    "  --data FILE         rows to score (CSV; - for standard input)\n"
    "  --out FILE          where to write the scores (default - : standard output);\n"
    "                      a file appears only when complete\n"
    "  --id COLUMN         pass this column through first (default: the model's id\n"
    "                      column, when the input has it)\n"
    "  --reasons K         add NAME_reason1..K and NAME_reasonK_effect: the features\n"
    "                      moving each row's score most, a text column with its level\n"
    "                      (plan=pro), and each one's contribution on the model's scale\n"
    "                      (log-odds for a classifier; exact SHAP values for linear\n"
    "                      models and trees; SVMs give none)\n"
    "  --reasons-direction up|down|both   only features raising the score (why is\n"
    "                      this account at risk), only those lowering it, or both by\n"
    "                      size (default)\n"
    "  --delim C           field delimiter: , (default), tab or ;\n"
    "  --no-header         the input has no header row (a Hadoop or Spark partition):\n"
    "                      the column order comes from --columns, or is the model's\n"
    "                      own input order; no header is written either\n"
    "  --columns a,b,...   the input's column names with --no-header\n"
    "\n"
    "Survival models (churnkit-train --model cox):\n"
    "  --horizons 3,6,...  write NAME_churn_3m, NAME_churn_6m, ...: the probability of\n"
    "                      churn within each number of months (default 3,6); and\n"
    "                      NAME_expected_months, the expected months as a customer\n"
    "                      within the last horizon\n"
    "  --mrr COLUMN        monthly revenue: adds NAME_revenue_at_risk (MRR x the\n"
    "                      expected months lost within the last horizon) and NAME_clv\n"
    "                      (the sum over the next --clv-months of S(m) x MRR,\n"
    "                      discounted)\n"
    "  --clv-months M      the CLV's months (default 24)\n"
    "  --discount-rate R   yearly discount rate of the CLV (default 0.10)\n"
    "  --acquisition-cost COLUMN   adds NAME_roi = CLV / cost (needs --mrr)\n"
    "\n"
    "Segments (when a churn model and a value-change regression are scored):\n"
    "  --risk-model NAME   the churn model (default: the first classifier whose label\n"
    "                      mentions churn, else the first classifier, else the first\n"
    "                      survival model); NAME@6m: a survival model's churn within\n"
    "                      6 months (without @: the last horizon)\n"
    "  --risk-threshold P  high risk at a churn probability of P or more (default: a\n"
    "                      classifier's own threshold; for a survival model, the\n"
    "                      training population's churn within the horizon)\n"
    "  --growth-model NAME the value-change model (default: the first regression), or\n"
    "                      a growth classifier such as one of expanded_6m\n"
    "  --growth-threshold G  growing when the predicted change exceeds G (default 0)\n"
    "  --actions FILE      a CSV of segment,action rows replacing the built-in plays\n"
    "  --no-segments       no segment and action columns\n"
    "\n"
    "Value groups (seed 004), when the input has nps_avg, active_day_share,\n"
    "core_clicks_per_user and feature_breadth (churnkit-features' columns); the first\n"
    "that holds: at_risk (low NPS or low activity), high_value (high NPS, deep and\n"
    "broad use), potential (not deep or not broad), engaged (deep and broad, NPS\n"
    "between the cut-offs or never answered).  A missing NPS is neither low nor high.\n"
    "  --value-nps-low N   at risk at a mean NPS of N or less (default 6: detractors)\n"
    "  --value-activity-low S  at risk at an active-day share below S (default 0.15,\n"
    "                      about one day a week)\n"
    "  --value-nps-high N  high value needs a mean NPS of N or more (default 9:\n"
    "                      promoters)\n"
    "  --value-depth C     deep use: C or more core-feature clicks per active user in\n"
    "                      the feature window (default 100)\n"
    "  --value-breadth B   broad use: B or more distinct features per active user\n"
    "                      (default 10)\n"
    "  --value-plays FILE  a CSV of value_group,value_play rows replacing the plays\n"
    "  --value-groups      require them: a missing column is an error (any --value-*\n"
    "                      option does too)\n"
    "  --no-value-groups   no value_group and value_play columns\n"
    "\n"
    "Drift:\n"
    "  --drift-report FILE every model input's population stability index (CSV)\n"
    "  --drift-threshold T warn when a feature's PSI exceeds T (default 0.2)\n"
    "\n"
    "  --threads N         worker threads (default: one a processor; the output does not\n"
    "                      depend on it)\n"
    "  --max-model-size MB refuse a model file larger than MB megabytes before reading\n"
    "                      it (default 64; its JSON takes several times that in memory)\n"
    "  --quiet             no summary on standard error\n"
    "  --help, --version\n"
    "\n"
    "Output: the id column, then per model NAME_prob and NAME_label (classifiers),\n"
    "NAME_pred (regressions) or the survival columns above, probabilities and\n"
    "predictions to 6 decimal places (money to 2); then\n"
    "segment and action (star, opportunity, stable, critical: churn risk by growth),\n"
    "health_band when the input has a health_score column, and value_group and\n"
    "value_play last.  Horizons agree: a 6-month churn probability is never below\n"
    "the 3-month one.\n"
    "Exit status: 0 ok, 2 usage, 3 bad input data, 4 bad model file, 5 I/O error.\n";

enum { O_MODEL = 256, O_DATA, O_OUT, O_ID, O_REASONS, O_DELIM, O_NOHEADER, O_COLUMNS, O_QUIET,
       O_HELP, O_VERSION, O_RISK, O_GROWTH, O_GTHRESH, O_ACTIONS, O_NOSEG, O_DRIFT, O_DTHRESH,
       O_THREADS, O_RDIR, O_HORIZONS, O_MRR, O_CLVM, O_DISC, O_COST, O_RTHRESH, O_VGROUPS,
       O_NOVG, O_VNPSLOW, O_VNPSHIGH, O_VACT, O_VDEPTH, O_VBREADTH, O_VPLAYS, O_MAXMODEL };

static const struct option longopts[] = {
    {"model", required_argument, 0, O_MODEL},   {"data", required_argument, 0, O_DATA},
    {"out", required_argument, 0, O_OUT},       {"id", required_argument, 0, O_ID},
    {"reasons", required_argument, 0, O_REASONS}, {"delim", required_argument, 0, O_DELIM},
    {"no-header", no_argument, 0, O_NOHEADER},  {"columns", required_argument, 0, O_COLUMNS},
    {"quiet", no_argument, 0, O_QUIET},         {"help", no_argument, 0, O_HELP},
    {"version", no_argument, 0, O_VERSION},     {"risk-model", required_argument, 0, O_RISK},
    {"growth-model", required_argument, 0, O_GROWTH},
    {"growth-threshold", required_argument, 0, O_GTHRESH},
    {"actions", required_argument, 0, O_ACTIONS}, {"no-segments", no_argument, 0, O_NOSEG},
    {"drift-report", required_argument, 0, O_DRIFT},
    {"drift-threshold", required_argument, 0, O_DTHRESH},
    {"threads", required_argument, 0, O_THREADS},
    {"reasons-direction", required_argument, 0, O_RDIR},
    {"horizons", required_argument, 0, O_HORIZONS}, {"mrr", required_argument, 0, O_MRR},
    {"clv-months", required_argument, 0, O_CLVM},
    {"discount-rate", required_argument, 0, O_DISC},
    {"acquisition-cost", required_argument, 0, O_COST},
    {"risk-threshold", required_argument, 0, O_RTHRESH},
    {"value-groups", no_argument, 0, O_VGROUPS}, {"no-value-groups", no_argument, 0, O_NOVG},
    {"value-nps-low", required_argument, 0, O_VNPSLOW},
    {"value-nps-high", required_argument, 0, O_VNPSHIGH},
    {"value-activity-low", required_argument, 0, O_VACT},
    {"value-depth", required_argument, 0, O_VDEPTH},
    {"value-breadth", required_argument, 0, O_VBREADTH},
    {"value-plays", required_argument, 0, O_VPLAYS},
    {"max-model-size", required_argument, 0, O_MAXMODEL}, {0, 0, 0, 0}};

typedef struct args {
    const char **model_paths;
    size_t nmodels;
    const char *data, *out, *delim, *actions, *value_plays;
    char **columns;
    size_t ncolumns;
    int quiet;
    int horizons, clv;         /* --horizons given; --clv-months or --discount-rate */
    int segment_opts;          /* an option about the segments given */
    int value_opts;            /* an option about the value groups given */
    int no_value;              /* --no-value-groups */
    int direction;             /* --reasons-direction given */
    size_t max_model;          /* --max-model-size in bytes; 0: the default */
    ck_score_options score;
} args;

/* The survival options; 1: not one of them. */
static int parse_survival(args *a, int c, const char *arg)
{
    ck_error err;
    long v;
    ck_score_options *o = &a->score;
    switch (c) {
    case O_HORIZONS:
        a->horizons = 1;
        if (ck_lifetime_parse_horizons(&o->life, arg, &err) != CK_OK)
            return ck_cli_usage(prog, "%s", err.message);
        return 0;
    case O_MRR: o->mrr = arg; return 0;
    case O_COST: o->cost = arg; return 0;
    case O_CLVM:
        a->clv = 1;
        if (ck_cli_long(prog, "--clv-months", arg, 1, 1200, &v) != 0)
            return 2;
        o->life.clv_months = (size_t)v;
        return 0;
    case O_DISC:
        a->clv = 1;
        return ck_cli_double(prog, "--discount-rate", arg, 0, 10, &o->life.discount_rate) ? 2
                                                                                           : 0;
    case O_RTHRESH:
        a->segment_opts = 1;
        return ck_cli_double(prog, "--risk-threshold", arg, 0, 1, &o->risk_threshold) ? 2 : 0;
    }
    return 1;
}

/* The value-group options; 1: not one of them.  Any of them asks for the
 * value groups, so that a missing column is an error, not silence. */
static int parse_value(args *a, int c, const char *arg)
{
    ck_value_rules *r = &a->score.value_rules;
    const char *name = NULL;
    double *v = NULL, hi = 10;
    switch (c) {
    case O_NOVG: a->no_value = 1; return 0;
    case O_VGROUPS: a->value_opts = 1; return 0;
    case O_VPLAYS: a->value_plays = arg; a->value_opts = 1; return 0;
    case O_VNPSLOW: name = "--value-nps-low"; v = &r->nps_low; break;
    case O_VNPSHIGH: name = "--value-nps-high"; v = &r->nps_high; break;
    case O_VACT: name = "--value-activity-low"; v = &r->activity_low; hi = 1; break;
    case O_VDEPTH: name = "--value-depth"; v = &r->depth; hi = 1e12; break;
    case O_VBREADTH: name = "--value-breadth"; v = &r->breadth; hi = 1e12; break;
    default: return 1;
    }
    a->value_opts = 1;
    return ck_cli_double(prog, name, arg, 0, hi, v) ? 2 : 0;
}

/* No output onto an input or onto the other output (ck_cli_distinct). */
static int distinct_files(const args *a)
{
    const ck_cli_file rest[] = {{"--data", a->data, 0},
                                {"--actions", a->actions, 0},
                                {"--value-plays", a->value_plays, 0},
                                {"--out", a->out, 1},
                                {"--drift-report", a->score.drift_report, 1}};
    return ck_cli_distinct_models(prog, a->model_paths, a->nmodels, rest,
                                  sizeof rest / sizeof rest[0]);
}

/* The combinations of options that cannot hold; 0 when none. */
static int check_args(args *a)
{
    ck_error err;
    int rc;
    if (!a->nmodels || !a->data)
        return ck_cli_usage(prog, "--model and --data are required");
    if (ck_cli_output_empty(prog, "--out", a->out) ||
        ck_cli_output_empty(prog, "--drift-report", a->score.drift_report))
        return 2;
    if ((rc = distinct_files(a)) != 0)
        return rc;
    if (a->columns && !a->score.csv.no_header)
        return ck_cli_usage(prog, "--columns goes with --no-header");
    if (a->direction && a->score.reasons == 0)
        return ck_cli_usage(prog, "--reasons-direction picks which reasons are listed: it goes "
                                  "with --reasons K");
    if (a->score.cost && !a->score.mrr)
        return ck_cli_usage(prog, "--acquisition-cost needs --mrr (ROI is CLV / cost)");
    if (a->clv && !a->score.mrr)
        return ck_cli_usage(prog, "--clv-months and --discount-rate shape the CLV, which needs "
                                  "--mrr");
    if (!a->score.segments && a->segment_opts)
        return ck_cli_usage(prog, "--no-segments goes with none of --risk-model, "
                                  "--growth-model, --growth-threshold, --risk-threshold, "
                                  "--actions");
    if (a->no_value && a->value_opts)
        return ck_cli_usage(prog, "--no-value-groups goes with none of --value-groups, "
                                  "--value-nps-low, --value-nps-high, --value-activity-low, "
                                  "--value-depth, --value-breadth, --value-plays");
    a->score.value_groups = a->no_value ? 0 : a->value_opts ? 1 : -1;
    if (ck_value_rules_check(&a->score.value_rules, &err) != CK_OK)
        return ck_cli_usage(prog, "%s", err.message);
    return ck_cli_delim(prog, a->delim, &a->score.csv.delim) != 0 ? 2 : 0;
}

static int parse_args(int argc, char **argv, args *a)
{
    long v;
    int c;
    while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        int rc = parse_survival(a, c, optarg);
        if (rc == 1)
            rc = parse_value(a, c, optarg);
        if (rc == 0)
            continue;
        if (rc != 1)
            return 2;
        switch (c) {
        case O_MODEL: {
            const char **p = realloc(a->model_paths, (a->nmodels + 1) * sizeof *p);
            if (!p)
                return ck_exit_code(CK_ENOMEM);
            a->model_paths = p;
            a->model_paths[a->nmodels++] = optarg;
            break;
        }
        case O_DATA: a->data = optarg; break;
        case O_OUT: a->out = optarg; break;
        case O_ID: a->score.id = optarg; break;
        case O_REASONS:
            if (ck_cli_long(prog, "--reasons", optarg, 0, 100, &v) != 0)
                return 2;
            a->score.reasons = (size_t)v;
            break;
        case O_DELIM: a->delim = optarg; break;
        case O_RDIR:
            a->direction = 1;
            if (strcmp(optarg, "up") == 0)
                a->score.reasons_direction = 1;
            else if (strcmp(optarg, "down") == 0)
                a->score.reasons_direction = -1;
            else if (strcmp(optarg, "both") == 0)
                a->score.reasons_direction = 0;
            else
                return ck_cli_usage(prog, "--reasons-direction: up, down or both");
            break;
        case O_NOHEADER: a->score.csv.no_header = 1; a->score.no_header_out = 1; break;
        case O_COLUMNS:
            ck_strv_free(a->columns);
            if (!(a->columns = ck_split_list(optarg, &a->ncolumns)))
                return ck_exit_code(CK_ENOMEM);
            break;
        case O_QUIET: a->quiet = 1; break;
        case O_MAXMODEL:
            if (ck_cli_max_model_size(prog, optarg, &a->max_model) != 0)
                return 2;
            break;
        case O_RISK: a->score.risk_model = optarg; a->segment_opts = 1; break;
        case O_GROWTH: a->score.growth_model = optarg; a->segment_opts = 1; break;
        case O_GTHRESH:
            a->segment_opts = 1;
            if (ck_cli_double(prog, "--growth-threshold", optarg, -1e12, 1e12,
                              &a->score.growth_threshold) != 0)
                return 2;
            break;
        case O_ACTIONS: a->actions = optarg; a->segment_opts = 1; break;
        case O_NOSEG: a->score.segments = 0; break;
        case O_DRIFT: a->score.drift_report = optarg; break;
        case O_DTHRESH:
            if (ck_cli_double(prog, "--drift-threshold", optarg, 0, 100,
                              &a->score.drift_threshold) != 0)
                return 2;
            break;
        case O_THREADS:
            if (ck_cli_threads(prog, optarg, 0, &a->score.threads) != 0)
                return 2;
            break;
        case O_HELP: ck_cli_help(help); return -1;
        case O_VERSION: ck_cli_version(prog); return -1;
        default: return ck_cli_bad_option(prog, c, argv, longopts);
        }
    }
    if (optind < argc)
        return ck_cli_usage(prog, "unexpected argument '%s'", argv[optind]);
    return check_args(a);
}

/* With --no-header and no --columns, the first model's input order: its
 * id column (if any), then its features. */
static char **model_columns(const ck_model *m, size_t *n)
{
    char **v = calloc(m->pl->nfeat + 2, sizeof *v);
    size_t k = 0;
    if (!v)
        return NULL;
    if (m->id)
        v[k++] = strdup(m->id);
    for (size_t i = 0; i < m->pl->nfeat; i++)
        v[k++] = strdup(m->pl->feat[i].name);
    *n = k;
    for (size_t i = 0; i < k; i++)
        if (!v[i]) {
            ck_strv_free(v);
            return NULL;
        }
    return v;
}

static void print_segments(const ck_score_summary *s)
{
    char risk[200];
    if (s->risk_horizon > 0)
        snprintf(risk, sizeof risk, "%s churn within %gm >= %.3g", s->risk_model,
                 s->risk_horizon, s->risk_threshold);
    else
        snprintf(risk, sizeof risk, "%s >= %.3g", s->risk_model, s->risk_threshold);
    if (s->growth_classifier) /* growing at or above its threshold */
        fprintf(stderr, "  segments (risk: %s, growth: %s >= %.3g):\n", risk, s->growth_model,
                nextafter(s->growth_threshold, 1));
    else
        fprintf(stderr, "  segments (risk: %s, growth: %s > %g):\n", risk, s->growth_model,
                s->growth_threshold);
    for (int g = 0; g < CK_SEGMENTS; g++) {
        fprintf(stderr, "    %-12s %8lu rows", ck_segment_name(g), s->seg_count[g]);
        if (s->seg_count[g])
            fprintf(stderr, s->growth_classifier ? ", mean growth probability %.3f"
                                                 : ", mean predicted value change %+.2f",
                    s->seg_mean_growth[g]);
        if (s->seg_count[g] && s->seg_value)
            fprintf(stderr, ", revenue at risk %.2f, mean CLV %.2f", s->seg_at_risk[g],
                    s->seg_mean_clv[g]);
        if (s->seg_count[g] && s->seg_value && !isnan(s->seg_mean_roi[g]))
            fprintf(stderr, ", mean ROI %.2f", s->seg_mean_roi[g]);
        fputc('\n', stderr);
    }
}

static void print_value_groups(const args *a, const ck_score_summary *s)
{
    const ck_value_rules *r = &a->score.value_rules;
    double n = s->rows ? (double)s->rows : 1;
    fprintf(stderr, "  value groups (at risk: NPS <= %g or active-day share < %g; high value: "
                    "NPS >= %g, core clicks per user >= %g, feature breadth >= %g):\n",
            r->nps_low, r->activity_low, r->nps_high, r->depth, r->breadth);
    for (int g = 0; g < CK_VALUE_GROUPS; g++)
        fprintf(stderr, "    %-12s %8lu rows (%.1f%%)\n", ck_value_group_name(g),
                s->value_count[g], 100.0 * (double)s->value_count[g] / n);
    if (s->value_none)
        fprintf(stderr, "    %-12s %8lu rows (%.1f%%): a usage value missing\n", "(none)",
                s->value_none, 100.0 * (double)s->value_none / n);
}

static void print_summary(const args *a, ck_model **models, const ck_score_summary *s)
{
    fprintf(stderr, "%s: scored %lu rows with %zu model%s\n", prog, s->rows, a->nmodels,
            a->nmodels == 1 ? "" : "s");
    for (size_t i = 0; s->rows && i < s->nmodels; i++) { /* no rows: no means */
        const ck_model *m = models[i];
        const ck_lifetime_options *lo = &a->score.life;
        if (m->task == CK_TASK_CLASSIFICATION)
            fprintf(stderr, "  %-20s mean probability %.4f, %lu rows '%s' (threshold %.3g)\n",
                    m->name, s->mean[i], s->positives[i], m->positive, m->threshold);
        else if (m->task == CK_TASK_SURVIVAL && a->score.mrr)
            fprintf(stderr, "  %-20s mean churn within %gm %.4f; revenue at risk %.2f, mean "
                            "CLV %.2f\n",
                    m->name, lo->horizon[lo->nhorizons - 1], s->mean[i], s->at_risk[i],
                    s->clv[i]);
        else if (m->task == CK_TASK_SURVIVAL)
            fprintf(stderr, "  %-20s mean churn within %gm %.4f\n", m->name,
                    lo->horizon[lo->nhorizons - 1], s->mean[i]);
        else
            fprintf(stderr, "  %-20s mean prediction %.4g\n", m->name, s->mean[i]);
    }
    if (s->segmented)
        print_segments(s);
    if (s->valued)
        print_value_groups(a, s);
    if (s->horizon_adjusted)
        fprintf(stderr, "  horizons: %lu rows had a longer-horizon probability raised to the "
                        "shorter one's\n", s->horizon_adjusted);
    /* the inputs judged (enough rows for their bins, ck_score_drift_rows) */
    double t = a->score.drift_threshold;
    size_t over = 0, judged = 0, worst = SIZE_MAX;
    for (size_t k = 0; k < s->ndrift; k++) {
        if (!s->drift[k].judged)
            continue;
        judged++;
        over += s->drift[k].psi > t;
        if (worst == SIZE_MAX || !(s->drift[worst].psi >= s->drift[k].psi))
            worst = k;
    }
    if (judged)
        fprintf(stderr, "  drift: %zu of %zu model inputs above PSI %g (largest: %s/%s, %.3f)\n",
                over, judged, t, s->drift[worst].model, s->drift[worst].feature,
                s->drift[worst].psi);
    if (judged < s->ndrift && s->rows)
        fprintf(stderr, "  drift: %zu model input%s not judged on %lu rows (up to %lu needed)\n",
                s->ndrift - judged, s->ndrift - judged == 1 ? "" : "s", s->rows, s->drift_rows);
}

static int run(void *arg)
{
    args *a = arg;
    ck_error err;
    ck_warnings w;
    ck_score_summary summary = {0};
    ck_model **models = calloc(a->nmodels, sizeof *models);
    int code = 0;
    ck_warnings_init(&w);
    if (!models)
        return ck_exit_code(CK_ENOMEM);
    int survival = 0;
    /* the outputs' paths before the scoring: the drift report is written last */
    code = ck_cli_output(prog, "--out", a->out);
    if (code == 0)
        code = ck_cli_output(prog, "--drift-report", a->score.drift_report);
    for (size_t i = 0; i < a->nmodels && code == 0; i++) {
        if (ck_model_load_max(&models[i], a->model_paths[i],
                              a->max_model ? a->max_model : CK_MODEL_MAX_BYTES, &err) != CK_OK)
            code = ck_cli_fail_in(prog, &err, "loading the model", a->model_paths[i]);
        else
            survival |= models[i]->task == CK_TASK_SURVIVAL;
    }
    if (code == 0 && a->horizons && !survival)
        code = ck_cli_usage(prog, "--horizons is for survival models, and none of the models "
                                  "is one");
    if (code == 0 && a->score.csv.no_header && !a->columns &&
        !(a->columns = model_columns(models[0], &a->ncolumns)))
        code = 5;
    a->score.csv.names = (const char *const *)a->columns;
    a->score.csv.nnames = a->ncolumns;
    if (code == 0 && a->actions && ck_segment_actions_load(a->score.actions, a->actions, &err) != CK_OK)
        code = ck_cli_fail(prog, &err);
    if (code == 0 && a->value_plays &&
        ck_value_plays_load(a->score.value_plays, a->value_plays, &err) != CK_OK)
        code = ck_cli_fail(prog, &err);
    if (code == 0 && ck_score(models, a->nmodels, a->data, a->out ? a->out : "-", &a->score,
                              &summary, &w, &err) != CK_OK)
        code = ck_cli_fail_in(prog, &err, "scoring", a->data);
    if (code == 0 && !a->quiet)
        print_summary(a, models, &summary);
    ck_cli_warnings(prog, &w, 0);
    ck_segment_actions_free(a->score.actions);
    ck_value_plays_free(a->score.value_plays);
    for (size_t i = 0; i < a->nmodels; i++)
        ck_model_free(models[i]);
    free(models);
    ck_score_summary_fini(&summary);
    ck_warnings_fini(&w);
    return code;
}

int main(int argc, char **argv)
{
    args a;
    memset(&a, 0, sizeof a);
    ck_score_options_init(&a.score);
    ck_cli_hugepages(argv);
    ck_cli_init();
    int rc = parse_args(argc, argv, &a);
    rc = ck_cli_finish(rc, run, &a);
    free(a.model_paths);
    ck_strv_free(a.columns);
    return rc;
}
