/* churnkit-train -- fit a model on a CSV and save it as a model file.
 * Thin: options in, ck_train, the report out. */
#include <getopt.h>
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "churnkit/report.h"
#include "churnkit/str.h"
#include "churnkit/table.h"
#include "churnkit/train.h"
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

static const char *help =
    "Usage: churnkit-train --data FILE --label COLUMN --out MODEL.json [options]\n"
    "\n"
    "Fits a model on a CSV file (a header row, one row per example) and saves it.\n"
    "\n"
    "Data:\n"
    "  --data FILE              training data (CSV; - for standard input)\n"
    "  --label COLUMN           the target: a binary class, or a number for regression\n"
    "  --positive VALUE         the positive class (default: of the two values, the one\n"
    "                           spelled 1, yes, true, y or churned)\n"
    "  --features a,b,...       use only these columns as features\n"
    "  --exclude a,b,...        use every column but these (and the label and id)\n"
    "  --id COLUMN              an identifier column: never a feature, passed through\n"
    "  --categorical a,b,...    read these columns as text categories even if numeric\n"
    "  --missing-indicators     add an is-missing 0/1 column per feature with gaps\n"
    "  --log a,b,...            put these numeric columns on a log scale first,\n"
    "                           sign(x) log(1 + |x|): for heavy-tailed counts and money\n"
    "  --max-levels N           refuse text columns with more levels (default 100)\n"
    "  --delim C                field delimiter: , (default), tab or ;\n"
    "\n"
    "Model:\n"
    "  --model logistic|linear|svm   estimator (default logistic)\n"
    "  --task classification|regression   for --model svm (default classification)\n"
    "  --l2 L                   L2 penalty: log-loss (or squared error) + L/2 ||beta||^2,\n"
    "                           intercept not penalized; scikit-learn's C = 1/L (default 0)\n"
    "  --class-weight balanced|W   weigh classes n/(2 n_class), or the positive class W\n"
    "  --robust                 Huber regression (with --model linear)\n"
    "  --svm-c C                SVM cost (default 1)\n"
    "  --svm-gamma G            RBF width (default 1 / encoded width)\n"
    "  --svm-kernel rbf|linear  SVM kernel (default rbf)\n"
    "  --svm-epsilon E          epsilon-SVR tube (default 0.1)\n"
    "\n"
    "Validation:\n"
    "  --cv K                   stratified K-fold cross-validation (metrics stored)\n"
    "  --test-fraction F        hold out a stratified share F as a test set\n"
    "  --seed N                 seed for splits and SVM probabilities (default 42)\n"
    "  --threshold T|auto       decision threshold (default 0.5); auto picks it on the\n"
    "                           cross-validated predictions (needs --cv)\n"
    "  --threshold-metric f1|youden|accuracy   what auto maximizes (default f1)\n"
    "\n"
    "Output:\n"
    "  --name NAME              model name, used in score column names (default: the\n"
    "                           estimator)\n"
    "  --out MODEL.json         where to write the model file (written atomically)\n"
    "  --threads N              threads (default: one a processor)\n"
    "  --quiet                  no report on standard output, no progress\n"
    "  --help, --version\n"
    "\n"
    "Exit status: 0 ok, 2 usage, 3 bad input data, 4 bad model file, 5 I/O error.\n"
#ifdef CK_MPI
    "\n"
    "churnkit-train-mpi runs under mpirun (or srun): --data FILE is cut at row\n"
    "boundaries into one part a process, or --data a.csv,b.csv,... gives each process\n"
    "its own file.  The processes combine what the fit needs through MPI collectives;\n"
    "process 0 writes the model and the report.  Logistic and linear models (with\n"
    "--cv and --test-fraction dealt as one process deals them); no SVM.  A failure on\n"
    "any process ends the whole job.\n"
#endif
    ;

typedef struct args {
    const char *data, *out, *delim;
    char **features, **exclude, **categorical, **log;
    size_t nfeatures, nexclude, ncategorical, nlog;
    int quiet;
    ck_train_options train;
} args;

static int parse_list(const char *arg, char ***v, size_t *n)
{
    ck_strv_free(*v);
    *v = ck_split_list(arg, n);
    return *v ? 0 : -1;
}

static int parse_choice(const char *opt, const char *arg, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(arg, names[i]) == 0)
            return i;
    ck_cli_usage(prog, "%s: unknown value '%s'", opt, arg);
    return -1;
}

enum {
    O_DATA = 256, O_LABEL, O_POSITIVE, O_FEATURES, O_EXCLUDE, O_ID, O_CATEGORICAL,
    O_MISSING, O_LOG, O_MAXLEV, O_DELIM, O_MODEL, O_TASK, O_L2, O_CW, O_ROBUST, O_SVMC, O_SVMG,
    O_SVMK, O_SVME, O_CV, O_TEST, O_SEED, O_THRESH, O_TMETRIC, O_NAME, O_OUT, O_THREADS,
    O_QUIET, O_HELP, O_VERSION
};

static const struct option longopts[] = {
    {"data", required_argument, 0, O_DATA},          {"label", required_argument, 0, O_LABEL},
    {"positive", required_argument, 0, O_POSITIVE},  {"features", required_argument, 0, O_FEATURES},
    {"exclude", required_argument, 0, O_EXCLUDE},    {"id", required_argument, 0, O_ID},
    {"categorical", required_argument, 0, O_CATEGORICAL},
    {"missing-indicators", no_argument, 0, O_MISSING}, {"max-levels", required_argument, 0, O_MAXLEV},
    {"log", required_argument, 0, O_LOG},
    {"delim", required_argument, 0, O_DELIM},        {"model", required_argument, 0, O_MODEL},
    {"task", required_argument, 0, O_TASK},          {"l2", required_argument, 0, O_L2},
    {"class-weight", required_argument, 0, O_CW},    {"robust", no_argument, 0, O_ROBUST},
    {"svm-c", required_argument, 0, O_SVMC},         {"svm-gamma", required_argument, 0, O_SVMG},
    {"svm-kernel", required_argument, 0, O_SVMK},    {"svm-epsilon", required_argument, 0, O_SVME},
    {"cv", required_argument, 0, O_CV},              {"test-fraction", required_argument, 0, O_TEST},
    {"seed", required_argument, 0, O_SEED},          {"threshold", required_argument, 0, O_THRESH},
    {"threshold-metric", required_argument, 0, O_TMETRIC},
    {"name", required_argument, 0, O_NAME},          {"out", required_argument, 0, O_OUT},
    {"threads", required_argument, 0, O_THREADS},    {"quiet", no_argument, 0, O_QUIET},
    {"help", no_argument, 0, O_HELP},                {"version", no_argument, 0, O_VERSION},
    {0, 0, 0, 0}};

static int parse_model_opt(args *a, int c, const char *arg)
{
    static const char *models[] = {"logistic", "linear", "svm"};
    static const char *tasks[] = {"classification", "regression"};
    static const char *kernels[] = {"rbf", "linear"};
    ck_train_options *t = &a->train;
    double d;
    int i;
    switch (c) {
    case O_MODEL:
        if ((i = parse_choice("--model", arg, models, 3)) < 0)
            return -1;
        t->estimator = (ck_estimator)(i + 1);
        return 0;
    case O_TASK:
        if ((i = parse_choice("--task", arg, tasks, 2)) < 0)
            return -1;
        t->task = (ck_task)(i + 1);
        return 0;
    case O_L2: return ck_cli_double(prog, "--l2", arg, 0, 1e12, &t->l2);
    case O_CW:
        if (strcmp(arg, "balanced") == 0) {
            t->balanced = 1;
            return 0;
        }
        return ck_cli_double(prog, "--class-weight", arg, 1e-6, 1e6, &t->weight_pos);
    case O_ROBUST: t->robust = 1; return 0;
    case O_SVMC: return ck_cli_double(prog, "--svm-c", arg, 1e-9, 1e9, &t->svm.c);
    case O_SVMG: return ck_cli_double(prog, "--svm-gamma", arg, 1e-12, 1e9, &t->svm.gamma);
    case O_SVME: return ck_cli_double(prog, "--svm-epsilon", arg, 0, 1e9, &t->svm.epsilon);
    case O_SVMK:
        if ((i = parse_choice("--svm-kernel", arg, kernels, 2)) < 0)
            return -1;
        t->svm.linear_kernel = i == 1;
        return 0;
    case O_TEST: return ck_cli_double(prog, "--test-fraction", arg, 0, 0.9, &t->test_fraction);
    case O_THRESH:
        if (strcmp(arg, "auto") == 0) {
            if (t->threshold_rule == CK_THRESHOLD_FIXED)
                t->threshold_rule = CK_THRESHOLD_F1;
            return 0;
        }
        if (ck_cli_double(prog, "--threshold", arg, 1e-9, 1 - 1e-9, &d) != 0)
            return -1;
        t->threshold = d;
        t->threshold_rule = CK_THRESHOLD_FIXED;
        return 0;
    }
    return 1; /* not a model option */
}

static int parse_args(int argc, char **argv, args *a)
{
    static const char *tmetrics[] = {"f1", "youden", "accuracy"};
    long v;
    int c, i;
    ck_train_options *t = &a->train;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        int rc = parse_model_opt(a, c, optarg);
        if (rc < 0)
            return 2;
        if (rc == 0)
            continue;
        switch (c) {
        case O_DATA: a->data = optarg; break;
        case O_LABEL: t->label = optarg; break;
        case O_POSITIVE: t->positive = optarg; break;
        case O_ID: t->id = optarg; break;
        case O_FEATURES:
            if (parse_list(optarg, &a->features, &a->nfeatures) != 0)
                return 5;
            break;
        case O_EXCLUDE:
            if (parse_list(optarg, &a->exclude, &a->nexclude) != 0)
                return 5;
            break;
        case O_CATEGORICAL:
            if (parse_list(optarg, &a->categorical, &a->ncategorical) != 0)
                return 5;
            break;
        case O_MISSING: t->pipeline.missing_indicators = 1; break;
        case O_LOG:
            if (parse_list(optarg, &a->log, &a->nlog) != 0)
                return 5;
            break;
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
        case O_TMETRIC:
            if ((i = parse_choice("--threshold-metric", optarg, tmetrics, 3)) < 0)
                return 2;
            t->threshold_rule = (ck_threshold_rule)(i + 1);
            break;
        case O_NAME: t->name = optarg; break;
        case O_OUT: a->out = optarg; break;
        case O_THREADS:
            if (ck_cli_long(prog, "--threads", optarg, 1, 256, &v) != 0)
                return 2;
            t->threads = (size_t)v;
            break;
        case O_QUIET: a->quiet = 1; break;
        case O_HELP: ck_cli_help(help); return -1;
        case O_VERSION: ck_cli_version(prog); return -1;
        default: return ck_cli_usage(prog, "unknown option");
        }
    }
    if (optind < argc)
        return ck_cli_usage(prog, "unexpected argument '%s'", argv[optind]);
    if (!a->data || !t->label || !a->out)
        return ck_cli_usage(prog, "--data, --label and --out are required");
    if (a->features && a->exclude)
        return ck_cli_usage(prog, "--features and --exclude do not go together");
    return 0;
}

static char delim_of(const char *s)
{
    if (!s || strcmp(s, ",") == 0)
        return ',';
    if (strcmp(s, "tab") == 0 || strcmp(s, "\\t") == 0 || strcmp(s, "\t") == 0)
        return '\t';
    return strcmp(s, ";") == 0 ? ';' : 0;
}

static int run(args *a)
{
    ck_error err;
    ck_warnings w;
    ck_table *t = NULL;
    ck_model *m = NULL;
    ck_cli_progress progress;
    ck_table_options to;
    ck_table_options_init(&to);
    to.csv.delim = delim_of(a->delim);
    if (!to.csv.delim)
        return ck_cli_usage(prog, "--delim: use ',', 'tab' or ';'");
    to.categorical = (const char *const *)a->categorical;
    to.ncategorical = a->ncategorical;
    ck_warnings_init(&w);
    ck_cli_progress_init(&progress, prog, a->quiet);
    a->train.pipeline.features = (const char *const *)a->features;
    a->train.pipeline.nfeatures = a->nfeatures;
    a->train.pipeline.exclude = (const char *const *)a->exclude;
    a->train.pipeline.nexclude = a->nexclude;
    a->train.pipeline.log = (const char *const *)a->log;
    a->train.pipeline.nlog = a->nlog;
    a->train.progress = ck_cli_progress_report;
    a->train.progress_ctx = &progress;
    int code = 0;
#ifdef CK_MPI
    /* any failure ends every process (a process waiting in a collective
     * would otherwise wait for ever); only process 0 writes */
    a->train.reducer = &mpi.red;
    if (ck_mpi_read(&mpi, a->data, &to, &t, &err) != CK_OK ||
        ck_train(t, &a->train, &m, &w, &err) != CK_OK ||
        (mpi.rank == 0 && ck_model_save(m, a->out, &err) != CK_OK))
        ck_mpi_fail(&mpi, prog, &err);
#else
    if (ck_table_read_csv(&t, a->data, &to, &err) != CK_OK ||
        ck_train(t, &a->train, &m, &w, &err) != CK_OK ||
        ck_model_save(m, a->out, &err) != CK_OK)
        code = ck_cli_fail(prog, &err);
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
    if (code == 0 && !a->quiet) {
        ck_report_model(stdout, m);
        printf("Model written to %s\n", a->out);
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
    ck_train_options_init(&a.train);
    ck_cli_init();
#ifdef CK_MPI
    ck_mpi_start(&mpi, &argc, &argv);
    if (mpi.rank != 0) /* one report, one set of warnings: process 0's */
        a.quiet = 1;
#endif
    int rc = parse_args(argc, argv, &a);
    if (rc == 0)
        rc = run(&a);
    else if (rc < 0)
        rc = 0; /* --help or --version */
    ck_strv_free(a.features);
    ck_strv_free(a.exclude);
    ck_strv_free(a.categorical);
    ck_strv_free(a.log);
#ifdef CK_MPI
    ck_mpi_finish();
#endif
    return rc;
}
