/* churnkit-train -- fit a model on a CSV and save it as a model file.
 * Thin: options in, ck_train, the report out. */
#include <getopt.h>
#include <math.h>
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "churnkit/ofile.h"
#include "churnkit/report.h"
#include "churnkit/str.h"
#include "churnkit/table.h"
#include "churnkit/train.h"
#include "churnkit/train_args.h"
#include "common.h"

#ifdef CK_MPI
/* The MPI build, churnkit-train-mpi: the same program, every process
 * fitting on its own shard and combining through collectives (src/mpi). */
#include "../mpi/mpi.h"
static const char *prog = "churnkit-train-mpi";
static ck_mpi mpi;
#else
static const char *prog = "churnkit-train";
#endif

static const char *help_head =
    "Usage: churnkit-train --data FILE --label COLUMN --out MODEL.json [options]\n"
    "       churnkit-train --data FILE --time COLUMN --event COLUMN --out MODEL.json\n"
    "\n"
    "Fits a model on a CSV file (a header row, one row per example) and saves it.\n"
    "\n"
    "Data:\n"
    "  --data FILE              training data (CSV; - for standard input)\n"
    "  --label COLUMN           the target: a binary class, or a number for regression\n"
    "  --time COLUMN            survival: the time to the event or to censoring (months\n"
    "                           from churnkit-features: churn_months); --model cox\n"
    "  --event COLUMN           survival: 1 when the event (churn) was seen, 0 when the\n"
    "                           row is censored (churn_event)\n"
    "  --positive VALUE         the positive class (default: of the two values, the one\n"
    "                           spelled 1, yes, true, y or churned)\n"
    "  --features a,b,...       use only these columns as features\n"
    "  --exclude a,b,...        use every column but these (and the label and id);\n"
    "                           COLUMN=LEVEL drops one level's column (an aliased one)\n"
    "  --reference COLUMN=LEVEL,...  the reference level of a text column (default: the\n"
    "                           first in byte order): the other levels' coefficients are\n"
    "                           contrasts with it\n"
    "  --id COLUMN              an identifier column: never a feature, passed through\n"
    "  --weight COLUMN          row weights (numbers, 0 or more; a weight of 2 counts a\n"
    "                           row twice): never a feature; metrics stay unweighted\n"
    "  --drop-missing-label     leave out the rows whose label (time or event) is\n"
    "                           missing, counted in the report and the model file\n"
    "                           (default: such a row is an error)\n"
    "  --categorical a,b,...    read these columns as text categories even if numeric\n"
    "  --missing-indicators     add an is-missing 0/1 column per feature with gaps\n"
    "  --log a,b,...            put these numeric columns on a log scale first,\n"
    "                           sign(x) log(1 + |x|): for heavy-tailed counts and money\n"
    "  --splines a,b,...|all    natural cubic spline terms (R's ns) for these numeric\n"
    "                           columns (all: every numeric feature), knots at training\n"
    "                           quantiles, linear beyond the range; reasons sum them\n"
    "  --spline-knots K         knots a spline, boundary ones included (default 5:\n"
    "                           K - 1 columns)\n"
    "  --spline-penalty         penalize the splines' curvature (P-splines' second\n"
    "                           differences) instead of their size, weight --l2 (auto:\n"
    "                           by the --cv folds); logistic and linear\n"
    "  --max-levels N           refuse text columns with more levels (default 100)\n"
    "  --delim C                field delimiter: , (default), tab or ;\n"
    "\n"
    "Model: --model NAME (default logistic; cox with --time), one of\n";

static const char *help_tail =
    "  --task classification|regression|survival   for an estimator that does more\n"
    "                           than one (svm);\n"
    "                           default: the estimator's first\n"
    "  --class-weight balanced|W   weigh classes n/(2 n_class), or the positive class W\n"
    "                           (classifiers that take weights)\n"
    "An option of another estimator than the one chosen is an error.\n"
    "\n"
    "Validation:\n"
    "  --cv K                   stratified K-fold cross-validation (metrics stored)\n"
    "  --test-fraction F        hold out a stratified share F as a test set: the model\n"
    "                           is fitted on the rest only\n"
    "  --refit                  with --test-fraction: after the test metrics, fit again\n"
    "                           on all rows with the settings chosen\n"
    "  --no-train-metrics       do not score the training rows (no Train line: saves a\n"
    "                           pass over them; CV and test metrics are kept)\n"
    "  --seed N                 seed for splits and SVM probabilities (default 42)\n"
    "  --threshold T|auto       decision threshold (default 0.5); auto picks it on the\n"
    "                           cross-validated predictions (needs --cv)\n"
    "  --threshold-metric f1|youden|accuracy   what auto maximizes (default f1)\n"
    "  --calibrate platt|isotonic  map the probabilities to the data's rates, the map\n"
    "                           fitted on the cross-validated predictions (needs --cv)\n"
    "                           and kept in the model: class weights leave them shifted\n"
    "  --threshold cost         the least cost on the cross-validated predictions:\n"
    "                           --cost-fp A --cost-fn B (a false alarm costs A, a\n"
    "                           missed churner B), or --cost-contact C --value-saved V\n"
    "                           (a contact costs C; a churner kept is worth V)\n"
    "  --threshold precision>=X  the threshold, on the cross-validated predictions\n"
    "                           (needs --cv), that names accounts at precision X or\n"
    "                           more with the most recall; recall>=X: the most\n"
    "                           precision at recall X; exit 1 when none reaches it\n"
    "  --tune                   choose the estimator's parameters by the --cv folds'\n"
    "                           out-of-fold loss (for survival, 1 - concordance) over\n"
    "                           its documented grid (logistic,\n"
    "                           linear, cox: --l2; svm: --svm-c and --svm-gamma; gbdt: depth,\n"
    "                           learning rate and trees); the table of what was tried is\n"
    "                           printed and kept in the model\n"
    "\n"
    "Output:\n"
    "  --name NAME              model name, used in score column names (default: the\n"
    "                           estimator)\n"
    "  --out MODEL.json         where to write the model file (written atomically;\n"
    "                           -: standard output, the report then on stderr)\n"
    "  --threads N              threads (default: one a processor)\n"
    "  --quiet                  no report on standard output, no progress\n"
    "  --help, --version\n"
    "\n"
    "Exit status: 0 ok, 1 a threshold floor no threshold reaches, 2 usage, 3 bad input\n"
    "data, 4 bad model file, 5 I/O error.\n"
#ifdef CK_MPI
    "\n"
    "churnkit-train-mpi runs under mpirun (or srun): --data FILE is cut at row\n"
    "boundaries into one part a process, or --data a.csv,b.csv,... gives each process\n"
    "its own file.  The processes combine what the fit needs through MPI collectives;\n"
    "process 0 writes the model and the report.  Estimators that can be distributed\n"
    "(logistic, linear; with --cv and --test-fraction dealt as one process deals\n"
    "them); no SVM.  A failure on any process ends the whole job.\n"
#endif
    ;

static void print_help(void)
{
    fputs(help_head, stdout);
    ck_estimator_help(stdout, 0);
    fputs(help_tail, stdout);
}

/* An estimator parameter as typed: resolved once --model is known. */
typedef struct given {
    const char *name, *text;
} given;

typedef struct args {
    const char *data, *out, *delim, *model, *task, *time;
    char **features, **exclude, **categorical, **log, **reference, **splines;
    size_t nfeatures, nexclude, ncategorical, nlog, nreference, nsplines;
    int quiet;
    const char *threshold, *metric, *class_weight; /* as typed (NULL: not given) */
    double cost[4];             /* --cost-fp, --cost-fn, --cost-contact, --value-saved
                                   (NaN: not given) */
    given *params;
    size_t nparams;
    ck_train_options train;
} args;

static int parse_list(const char *arg, char ***v, size_t *n)
{
    ck_strv_free(*v);
    *v = ck_split_list(arg, n);
    return *v ? 0 : -1;
}

enum {
    O_DATA = 256, O_LABEL, O_POSITIVE, O_FEATURES, O_EXCLUDE, O_ID, O_CATEGORICAL,
    O_DROP_MISSING_LABEL, O_REFIT, O_NO_TRAIN_METRICS,
    O_MISSING, O_LOG, O_MAXLEV, O_DELIM, O_MODEL, O_TASK, O_CW, O_CV, O_TEST, O_SEED,
    O_THRESH, O_TMETRIC, O_NAME, O_OUT, O_THREADS, O_QUIET, O_HELP, O_VERSION, O_ROFF, O_TUNE,
    O_TIME, O_EVENT, O_WEIGHT, O_REFERENCE, O_CALIBRATE, O_COST_FP, O_COST_FN, O_CONTACT, O_SAVED,
    O_SPLINES, O_SPLINE_KNOTS, O_SPLINE_PENALTY,
    O_PARAM /* O_PARAM + k: the k-th estimator parameter name */
};

static const struct option common_opts[] = {
    {"data", required_argument, 0, O_DATA},          {"label", required_argument, 0, O_LABEL},
    {"positive", required_argument, 0, O_POSITIVE},  {"features", required_argument, 0, O_FEATURES},
    {"exclude", required_argument, 0, O_EXCLUDE},    {"id", required_argument, 0, O_ID},
    {"categorical", required_argument, 0, O_CATEGORICAL},
    {"missing-indicators", no_argument, 0, O_MISSING}, {"max-levels", required_argument, 0, O_MAXLEV},
    {"log", required_argument, 0, O_LOG},
    {"splines", required_argument, 0, O_SPLINES},
    {"spline-knots", required_argument, 0, O_SPLINE_KNOTS},
    {"spline-penalty", no_argument, 0, O_SPLINE_PENALTY},
    {"drop-missing-label", no_argument, 0, O_DROP_MISSING_LABEL}, {"refit", no_argument, 0, O_REFIT},
    {"no-train-metrics", no_argument, 0, O_NO_TRAIN_METRICS},
    {"delim", required_argument, 0, O_DELIM},        {"model", required_argument, 0, O_MODEL},
    {"task", required_argument, 0, O_TASK},          {"class-weight", required_argument, 0, O_CW},
    {"cv", required_argument, 0, O_CV},              {"test-fraction", required_argument, 0, O_TEST},
    {"seed", required_argument, 0, O_SEED},          {"threshold", required_argument, 0, O_THRESH},
    {"threshold-metric", required_argument, 0, O_TMETRIC},
    {"cost-fp", required_argument, 0, O_COST_FP},    {"cost-fn", required_argument, 0, O_COST_FN},
    {"cost-contact", required_argument, 0, O_CONTACT},
    {"calibrate", required_argument, 0, O_CALIBRATE},
    {"value-saved", required_argument, 0, O_SAVED},
    {"name", required_argument, 0, O_NAME},          {"out", required_argument, 0, O_OUT},
    {"threads", required_argument, 0, O_THREADS},    {"quiet", no_argument, 0, O_QUIET},
    {"help", no_argument, 0, O_HELP},                {"version", no_argument, 0, O_VERSION},
    {"estimators-roff", no_argument, 0, O_ROFF}, {"tune", no_argument, 0, O_TUNE},
    {"time", required_argument, 0, O_TIME},          {"event", required_argument, 0, O_EVENT},
    {"weight", required_argument, 0, O_WEIGHT},      {"reference", required_argument, 0, O_REFERENCE}};

#define NCOMMON (sizeof common_opts / sizeof common_opts[0])

/* The options: the common ones, then every estimator parameter once (by
 * name: logistic's and linear's --l2 are one option).  The caller frees. */
static struct option *build_options(void)
{
    size_t cap = NCOMMON + 1, n = NCOMMON;
    for (size_t i = 0; i < ck_estimator_count(); i++)
        cap += ck_estimator_at(i)->nparams;
    struct option *o = calloc(cap, sizeof *o);
    if (!o)
        return NULL;
    memcpy(o, common_opts, sizeof common_opts);
    for (size_t i = 0; i < ck_estimator_count(); i++) {
        const ck_estimator_type *t = ck_estimator_at(i);
        for (size_t k = 0; k < t->nparams; k++) {
            size_t q = NCOMMON;
            while (q < n && strcmp(o[q].name, t->params[k].name) != 0)
                q++;
            if (q < n)
                continue;
            o[n] = (struct option){t->params[k].name,
                                   t->params[k].kind == CK_PARAM_FLAG ? no_argument
                                                                      : required_argument,
                                   0, O_PARAM + (int)(n - NCOMMON)};
            n++;
        }
    }
    return o;
}

static int push_param(args *a, const char *name, const char *text)
{
    given *g = realloc(a->params, (a->nparams + 1) * sizeof *g);
    if (!g)
        return -1;
    a->params = g;
    a->params[a->nparams++] = (given){name, text};
    return 0;
}

static int parse_model_opt(args *a, int c, const char *arg)
{
    ck_train_options *t = &a->train;
    double d;
    switch (c) {
    case O_MODEL: a->model = arg; return 0;
    case O_TASK: a->task = arg; return 0;
    case O_CW:
        a->class_weight = arg;
        if (strcmp(arg, "balanced") == 0) {
            t->balanced = 1;
            return 0;
        }
        return ck_cli_double(prog, "--class-weight (balanced, or the positive class's weight)",
                             arg, 1e-6, 1e6, &t->weight_pos);
    case O_TEST: return ck_cli_double(prog, "--test-fraction", arg, 0, 0.9, &t->test_fraction);
    case O_CALIBRATE:
        if (ck_calib_method_parse(arg, &t->calibrate) == 0 && t->calibrate != CK_CALIB_NONE)
            return 0;
        ck_cli_usage(prog, "--calibrate '%s': platt or isotonic", arg);
        return -1;
    case O_COST_FP:
    case O_COST_FN:
    case O_CONTACT:
    case O_SAVED:
        return ck_cli_double(prog, c == O_COST_FP ? "--cost-fp" : c == O_COST_FN ? "--cost-fn"
                                   : c == O_CONTACT ? "--cost-contact" : "--value-saved",
                             arg, 1e-12, 1e15, &a->cost[c - O_COST_FP]);
    case O_THRESH:
        a->threshold = arg;
        if (strcmp(arg, "auto") == 0 || strcmp(arg, "cost") == 0 || strpbrk(arg, "<>"))
            return 0; /* a rule: resolve_threshold reads it */
        if (ck_cli_double(prog, "--threshold", arg, 1e-9, 1 - 1e-9, &d) != 0)
            return -1;
        t->threshold = d;
        return 0;
    }
    return 1; /* not a model option */
}

/* The estimator, task, parameters, class weights and threshold rule, as
 * the library resolves them for every caller (train_args.h). */
static int resolve_model(args *a)
{
    ck_error err;
    ck_train_words w;
    const char **names = calloc(a->nparams + 1, sizeof *names);
    const char **texts = calloc(a->nparams + 1, sizeof *texts);
    if (!names || !texts) {
        free(names);
        free(texts);
        return ck_exit_code(CK_ENOMEM);
    }
    for (size_t i = 0; i < a->nparams; i++) {
        names[i] = a->params[i].name;
        texts[i] = a->params[i].text;
    }
    ck_train_words_init(&w);
    w.model = a->model;
    w.task = a->task;
    w.time = a->time;
    w.threshold = a->threshold;
    w.metric = a->metric;
    w.class_weight = a->class_weight;
    memcpy(w.cost, a->cost, sizeof w.cost);
    w.pname = names;
    w.ptext = texts;
    w.nparams = a->nparams;
    ck_status st = ck_train_resolve(&a->train, &w, &err);
    free(names);
    free(texts);
    return st == CK_OK ? 0 : ck_cli_usage(prog, "%s", err.message);
}

static int parse_args(int argc, char **argv, args *a, const struct option *longopts)
{
    long v;
    int c;
    ck_train_options *t = &a->train;
    while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        if (c >= O_PARAM) {
            if (push_param(a, longopts[NCOMMON + (size_t)(c - O_PARAM)].name, optarg) != 0)
                return ck_exit_code(CK_ENOMEM);
            continue;
        }
        int rc = parse_model_opt(a, c, optarg);
        if (rc < 0)
            return 2;
        if (rc == 0)
            continue;
        switch (c) {
        case O_DATA: a->data = optarg; break;
        case O_LABEL: t->label = optarg; break;
        case O_TIME: a->time = optarg; break;
        case O_EVENT: t->event = optarg; break;
        case O_WEIGHT: t->weight = optarg; break;
        case O_POSITIVE: t->positive = optarg; break;
        case O_ID: t->id = optarg; break;
        case O_FEATURES:
            if (parse_list(optarg, &a->features, &a->nfeatures) != 0)
                return ck_exit_code(CK_ENOMEM);
            break;
        case O_EXCLUDE:
            if (parse_list(optarg, &a->exclude, &a->nexclude) != 0)
                return ck_exit_code(CK_ENOMEM);
            break;
        case O_CATEGORICAL:
            if (parse_list(optarg, &a->categorical, &a->ncategorical) != 0)
                return ck_exit_code(CK_ENOMEM);
            break;
        case O_REFERENCE:
            if (parse_list(optarg, &a->reference, &a->nreference) != 0)
                return ck_exit_code(CK_ENOMEM);
            break;
        case O_MISSING: t->pipeline.missing_indicators = 1; break;
        case O_DROP_MISSING_LABEL: t->drop_missing_label = 1; break;
        case O_REFIT: t->refit = 1; break;
        case O_NO_TRAIN_METRICS: t->no_train_metrics = 1; break;
        case O_LOG:
            if (parse_list(optarg, &a->log, &a->nlog) != 0)
                return ck_exit_code(CK_ENOMEM);
            break;
        case O_SPLINES:
            if (parse_list(optarg, &a->splines, &a->nsplines) != 0)
                return ck_exit_code(CK_ENOMEM);
            break;
        case O_SPLINE_KNOTS:
            if (ck_cli_long(prog, "--spline-knots", optarg, 3, CK_SPLINE_MAX_KNOTS, &v) != 0)
                return 2;
            t->pipeline.spline_knots = (size_t)v;
            break;
        case O_SPLINE_PENALTY: t->pipeline.spline_penalty = 1; break;
        case O_MAXLEV:
            if (ck_cli_long(prog, "--max-levels", optarg, 2, 1000000, &v) != 0)
                return 2;
            t->pipeline.max_levels = (size_t)v;
            break;
        case O_DELIM: a->delim = optarg; break;
        case O_CV:
            if (ck_cli_long(prog, "--cv", optarg, 2, 100, &v) != 0)
                return 2;
            t->cv = (size_t)v;
            break;
        case O_SEED:
            if (ck_cli_long(prog, "--seed", optarg, 0, 2147483647L, &v) != 0)
                return 2;
            t->seed = (unsigned long)v;
            break;
        case O_TMETRIC: a->metric = optarg; break;
        case O_NAME:
            if (!optarg[0])
                return ck_cli_usage(prog, "--name must not be empty (it names the score "
                                          "columns)");
            t->name = optarg;
            break;
        case O_OUT: a->out = optarg; break;
        case O_THREADS:
            if (ck_cli_threads(prog, optarg, 0, &t->threads) != 0)
                return 2;
            break;
        case O_QUIET: a->quiet = 1; break;
        case O_TUNE: t->tune = 1; break;
        case O_HELP: print_help(); return -1;
        case O_ROFF: ck_estimator_help(stdout, 1); return -1;
        case O_VERSION: ck_cli_version(prog); return -1;
        default: return ck_cli_bad_option(prog, c, argv, longopts);
        }
    }
    if (optind < argc)
        return ck_cli_usage(prog, "unexpected argument '%s'", argv[optind]);
    if (a->time && t->label)
        return ck_cli_usage(prog, "--time (a survival target) and --label do not go together");
    if (t->event && !a->time)
        return ck_cli_usage(prog, "--event goes with --time (a survival model)");
    if (a->time && !t->event)
        return ck_cli_usage(prog, "--time needs --event COLUMN (1 when the churn was seen, 0 "
                                  "when censored)");
    if (!a->data || !(t->label || a->time) || !a->out)
        return ck_cli_usage(prog, "--data, --label (or --time and --event) and --out are "
                                  "required");
    if (ck_cli_output_empty(prog, "--out", a->out))
        return 2;
    /* the model written over the training data would lose the data */
    const ck_cli_file files[] = {{"--data", a->data, 0}, {"--out", a->out, 1}};
    int rc = ck_cli_distinct(prog, files, 2);
    if (rc != 0)
        return rc;
    if (a->time)
        t->label = a->time;
    if (a->features && a->exclude)
        return ck_cli_usage(prog, "--features and --exclude do not go together");
    return resolve_model(a);
}

static int run(void *arg)
{
    args *a = arg;
    ck_error err;
    ck_warnings w;
    ck_table *t = NULL;
    ck_model *m = NULL;
    ck_cli_progress progress;
    ck_table_options to;
    ck_table_options_init(&to);
    if (ck_cli_delim(prog, a->delim, &to.csv.delim) != 0)
        return 2;
    to.categorical = (const char *const *)a->categorical;
    to.ncategorical = a->ncategorical;
    to.threads = (int)a->train.threads; /* --threads covers the loader too */
    ck_warnings_init(&w);
    ck_cli_progress_init(&progress, prog, a->quiet);
    a->train.pipeline.features = (const char *const *)a->features;
    a->train.pipeline.nfeatures = a->nfeatures;
    a->train.pipeline.exclude = (const char *const *)a->exclude;
    a->train.pipeline.nexclude = a->nexclude;
    a->train.pipeline.log = (const char *const *)a->log;
    a->train.pipeline.nlog = a->nlog;
    a->train.pipeline.splines = (const char *const *)a->splines;
    a->train.pipeline.nsplines = a->nsplines;
    a->train.pipeline.reference = (const char *const *)a->reference;
    a->train.pipeline.nreference = a->nreference;
    a->train.progress = ck_cli_progress_report;
    a->train.progress_ctx = &progress;
    int code = 0;
#ifdef CK_MPI
    /* any failure ends every process (a process waiting in a collective
     * would otherwise wait for ever); only process 0 writes */
    a->train.reducer = &mpi.red;
    if ((mpi.rank == 0 && ck_ofile_check(a->out, &err) != CK_OK) ||
        ck_mpi_read(&mpi, a->data, &to, &t, &err) != CK_OK ||
        ck_train(t, &a->train, &m, &w, &err) != CK_OK ||
        (mpi.rank == 0 && ck_model_save(m, a->out, &err) != CK_OK))
        ck_mpi_fail(&mpi, prog, &err);
#else
    /* before the work: a fit lost to a missing directory is the waste */
    if (ck_ofile_check(a->out, &err) != CK_OK)
        code = ck_cli_fail(prog, &err);
    else if (ck_table_read_csv(&t, a->data, &to, &err) != CK_OK)
        code = ck_cli_fail_in(prog, &err, "reading", a->data);
    else if (ck_train(t, &a->train, &m, &w, &err) != CK_OK)
        code = ck_cli_fail_in(prog, &err, "training on", a->data);
    else if (ck_model_save(m, a->out, &err) != CK_OK)
        code = ck_cli_fail_in(prog, &err, "writing the model", a->out);
#endif
    ck_cli_progress_done(&progress);
    /* progress dies with this call: leave no pointer to it in *a */
    a->train.progress = NULL;
    a->train.progress_ctx = NULL;
#ifdef CK_MPI
    ck_cli_warnings(prog, &w, mpi.rank != 0); /* they are the same on every process */
#else
    ck_cli_warnings(prog, &w, 0);
#endif
    // cppcheck-suppress knownConditionTrueFalse ; set on failure unless CK_MPI
    if (code == 0 && !a->quiet) {
        /* with the model on standard output, the report must not mix in */
        FILE *rep = ck_ofile_fd(a->out) == 1 ? stderr : stdout; /* "-", /dev/stdout */
        ck_report_model(rep, m);
        fprintf(rep, "Model written to %s\n", a->out);
    }
    ck_model_free(m);
    ck_table_free(t);
    ck_warnings_fini(&w);
    return code;
}

int main(int argc, char **argv)
{
    args a;
    memset(&a, 0, sizeof a);
    for (int k = 0; k < 4; k++)
        a.cost[k] = NAN;
    ck_train_options_init(&a.train);
#ifndef CK_MPI /* mpirun starts and watches the processes itself */
    ck_cli_hugepages(argv);
#endif
    ck_cli_init();
#ifdef CK_MPI
    ck_mpi_start(&mpi, &argc, &argv);
    if (mpi.rank != 0) /* one report, one set of warnings: process 0's */
        a.quiet = 1;
#endif
    struct option *longopts = build_options();
    int rc = longopts ? parse_args(argc, argv, &a, longopts) : ck_exit_code(CK_ENOMEM);
    rc = ck_cli_finish(rc, run, &a);
    free(longopts);
    free(a.params);
    ck_strv_free(a.features);
    ck_strv_free(a.exclude);
    ck_strv_free(a.categorical);
    ck_strv_free(a.log);
    ck_strv_free(a.reference);
    ck_strv_free(a.splines);
#ifdef CK_MPI
    ck_mpi_finish();
#endif
    return rc;
}
