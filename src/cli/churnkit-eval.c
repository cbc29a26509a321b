/* churnkit-eval -- how good are the models: metrics beside baselines, the
 * 85% target, paired tests, and text, JSON and HTML reports.  Thin: options
 * in, ck_eval_*, the reports out. */
#include <getopt.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "churnkit/dict.h"
#include "churnkit/eval.h"
#include "churnkit/html.h"
#include "churnkit/ofile.h"
#include "churnkit/report.h"
#include "common.h"

static const char *prog = "churnkit-eval";

static const char *help =
    "Usage: churnkit-eval --model M.json [--model M2.json ...] --data FILE [options]\n"
    "       churnkit-eval --scores FILE --label COLUMN --prob COLUMN [--prob ...] [options]\n"
    "       churnkit-eval --scores FILE --label COLUMN --pred COLUMN [--pred ...] [options]\n"
    "\n"
    "Evaluates models on labelled data: accuracy with its 95% interval beside the\n"
    "majority-class baseline, balanced accuracy, precision, recall, F1, specificity,\n"
    "ROC AUC, average precision, log-loss, Brier score, calibration, the confusion\n"
    "matrix and cumulative gains (RMSE, MAE, R-squared and direction accuracy for a\n"
    "regression), and a verdict against a target.\n"
    "\n"
    "Survival models (churnkit-train --time --event) are judged on the data's time\n"
    "and event columns beside the null model (everybody at the data's Kaplan-Meier\n"
    "churn): Harrell's concordance with its 95% interval and, at each horizon, the\n"
    "time-dependent AUC and the Brier score with inverse-probability-of-censoring\n"
    "weights, and calibration by risk decile against the Kaplan-Meier churn.  Beside\n"
    "classifiers of a horizon label such as churned_3m (or with --label naming one),\n"
    "a survival model is judged as a classifier of that label instead: its score is\n"
    "its churn within the horizon, 1 - S(h), its threshold the training churn by h.\n"
    "\n"
    "  --model FILE            a model file (repeat for a side-by-side report)\n"
    "  --data FILE             labelled rows to score with the models\n"
    "  --baseline FILE         a baseline model (such as the legacy score): AUC and\n"
    "                          accuracy differences with DeLong's and McNemar's tests\n"
    "                          (survival: concordance, AUC and Brier differences)\n"
    "  --horizons LIST         survival: months to judge the churn by (default 3,6)\n"
    "  --label COLUMN          survival models: judge them on this horizon label\n"
    "                          (such as churned_3m); with --scores: the true label\n"
    "  --positive VALUE        with --scores, or survival models on --label: the\n"
    "                          positive class (a classifier keeps its own: a different\n"
    "                          one is refused)\n"
    "  --scores FILE           evaluate score columns made by anything instead\n"
    "  --prob COLUMN           with --scores: a probability column (repeatable)\n"
    "  --pred COLUMN           with --scores: a regression prediction column\n"
    "  --threshold T           with --scores: the decision threshold (default 0.5); a\n"
    "                          model keeps its own (refused with --model)\n"
    "  --target METRIC>=X      the target on any metric --json writes under\n"
    "  --target METRIC<=X        models[].metrics (roc_auc>=0.8, concordance>=0.7,\n"
    "                          auc_6m>=0.75, brier_3m<=0.1); default accuracy>=0.85\n"
    "                          for classifiers, none for other models\n"
    "  --target-accuracy A     the same as --target accuracy>=A\n"
    "  --no-target             no target and no verdict (not even the default one)\n"
    "  --value-change          a regression's target is a change in value: report its\n"
    "                          direction accuracy (the default when the label's name\n"
    "                          contains 'change', such as value_change_3m; for other\n"
    "                          regressions a sign means nothing and none is shown)\n"
    "  --drop-missing-label    leave out the rows whose label is missing (an error\n"
    "                          otherwise), counted in the report\n"
    "  --top N|P%|baseline     classifiers: also name the top N rows (or P% of them,\n"
    "                          or as many as the --baseline model names at its\n"
    "                          threshold) by score, and give their precision and\n"
    "                          recall (precision_at_top, recall_at_top; default 10%)\n"
    "  --fail-under            exit 1 when a model misses the target\n"
    "  --json FILE             write the evaluation as JSON (schema in the man page;\n"
    "                          -: standard output, the report then on stderr)\n"
    "  --html FILE             write a self-contained HTML report with charts\n"
    "  --delim C               field delimiter of the data: , (default), tab or ;\n"
    "  --threads N             scoring threads (default: one a processor)\n"
    "  --max-model-size MB     refuse a model file larger than MB megabytes before\n"
    "                          reading it (default 64)\n"
    "  --quiet                 no text report or warnings on standard output/error\n"
    "  --help, --version\n"
    "\n"
    "A target the trivial baseline meets by itself is reported as no evidence of\n"
    "skill, not as a PASS (and not as a miss).  A horizon past the data's follow-up,\n"
    "where the censoring weights are undefined, is an error naming it.\n"
    "\n"
    "Exit status: 0 ok, 1 target missed (with --fail-under), 2 usage, 3 bad input\n"
    "data, 4 bad model file, 5 I/O error.\n";

enum { O_MODEL = 256, O_DATA, O_BASELINE, O_SCORES, O_LABEL, O_POSITIVE, O_PROB, O_PRED,
       O_THRESHOLD, O_TARGET, O_TARGET_ACC, O_HORIZONS, O_FAIL, O_JSON, O_HTML, O_DELIM,
       O_THREADS, O_QUIET, O_HELP, O_VERSION, O_TOP, O_NO_TARGET, O_VALUE_CHANGE,
       O_DROP_MISSING_LABEL, O_MAXMODEL };

static const struct option longopts[] = {
    {"model", required_argument, 0, O_MODEL},       {"data", required_argument, 0, O_DATA},
    {"baseline", required_argument, 0, O_BASELINE}, {"scores", required_argument, 0, O_SCORES},
    {"label", required_argument, 0, O_LABEL},       {"positive", required_argument, 0, O_POSITIVE},
    {"prob", required_argument, 0, O_PROB},         {"pred", required_argument, 0, O_PRED},
    {"threshold", required_argument, 0, O_THRESHOLD},
    {"target", required_argument, 0, O_TARGET},
    {"top", required_argument, 0, O_TOP},
    {"target-accuracy", required_argument, 0, O_TARGET_ACC},
    {"no-target", no_argument, 0, O_NO_TARGET},
    {"value-change", no_argument, 0, O_VALUE_CHANGE},
    {"drop-missing-label", no_argument, 0, O_DROP_MISSING_LABEL},
    {"horizons", required_argument, 0, O_HORIZONS},
    {"threads", required_argument, 0, O_THREADS},
    {"fail-under", no_argument, 0, O_FAIL},         {"json", required_argument, 0, O_JSON},
    {"html", required_argument, 0, O_HTML},         {"delim", required_argument, 0, O_DELIM},
    {"quiet", no_argument, 0, O_QUIET},             {"help", no_argument, 0, O_HELP},
    {"version", no_argument, 0, O_VERSION},
    {"max-model-size", required_argument, 0, O_MAXMODEL}, {0, 0, 0, 0}};

typedef struct args {
    const char **models, **cols;
    size_t nmodels, ncols;
    const char *data, *baseline, *scores, *label, *positive, *json, *html, *delim;
    int regression, prob, fail_under, quiet, targets, drop_missing_label;
    double threshold;
    int threshold_given;
    size_t max_model;           /* --max-model-size in bytes; 0: the default */
    ck_eval_options eval;
} args;

static int push(const char ***v, size_t *n, const char *s)
{
    const char **p = realloc(*v, (*n + 1) * sizeof *p);
    if (!p)
        return -1;
    *v = p;
    p[(*n)++] = s;
    return 0;
}

/* --target METRIC>=X, or --target-accuracy A (accuracy>=A); one of them. */
static int parse_target(args *a, int accuracy, const char *text)
{
    ck_error err;
    if (a->targets++)
        return ck_cli_usage(prog, "give one target (--target or --target-accuracy)");
    if (accuracy) {
        if (ck_cli_double(prog, "--target-accuracy", text, 0, 1, &a->eval.target.value) != 0)
            return -1;
        snprintf(a->eval.target.metric, sizeof a->eval.target.metric, "%s", "accuracy");
        a->eval.target.op = CK_TARGET_GE;
        return 0;
    }
    if (ck_eval_target_parse(&a->eval.target, text, &err) != CK_OK)
        return ck_cli_usage(prog, "%s", err.message);
    return 0;
}

static int parse_horizons(args *a, const char *text)
{
    ck_lifetime_options lo;
    ck_error err;
    ck_lifetime_options_init(&lo);
    if (ck_lifetime_parse_horizons(&lo, text, &err) != CK_OK)
        return ck_cli_usage(prog, "%s", err.message);
    a->eval.nhorizons = lo.nhorizons;
    memcpy(a->eval.horizon, lo.horizon, lo.nhorizons * sizeof *lo.horizon);
    return 0;
}

/* --top N, P% or baseline. */
static int parse_top(ck_eval_options *o, const char *arg)
{
    size_t len = strlen(arg);
    if (strcmp(arg, "baseline") == 0) {
        o->top_rule = CK_TOP_BASELINE;
        return 0;
    }
    char *end;
    double v = strtod(arg, &end);
    if (len > 1 && arg[len - 1] == '%' && end == arg + len - 1 && v > 0 && v <= 100) {
        o->top_rule = CK_TOP_SHARE;
        o->top_value = v / 100;
        return 0;
    }
    if (end == arg + len && len > 0 && v >= 1 && v <= 1e15 && v == floor(v)) {
        o->top_rule = CK_TOP_COUNT;
        o->top_value = v;
        return 0;
    }
    return ck_cli_usage(prog, "--top '%s': give a row count (such as 500), a share (such "
                              "as 10%%) or 'baseline'", arg);
}

/* No report onto an input or onto the other report (ck_cli_distinct). */
static int distinct_files(const args *a)
{
    const ck_cli_file rest[] = {{"--data", a->data, 0},    {"--baseline", a->baseline, 0},
                                {"--scores", a->scores, 0}, {"--json", a->json, 1},
                                {"--html", a->html, 1}};
    return ck_cli_distinct_models(prog, a->models, a->nmodels, rest,
                                  sizeof rest / sizeof rest[0]);
}

static int parse_args(int argc, char **argv, args *a)
{
    int c, rc;
    while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        switch (c) {
        case O_MODEL:
            if (push(&a->models, &a->nmodels, optarg) != 0)
                return ck_exit_code(CK_ENOMEM);
            break;
        case O_DATA: a->data = optarg; break;
        case O_BASELINE: a->baseline = optarg; break;
        case O_SCORES: a->scores = optarg; break;
        case O_LABEL: a->label = optarg; break;
        case O_POSITIVE: a->positive = optarg; break;
        case O_PROB:
        case O_PRED:
            a->prob |= c == O_PROB;
            a->regression |= c == O_PRED;
            if (push(&a->cols, &a->ncols, optarg) != 0)
                return ck_exit_code(CK_ENOMEM);
            break;
        case O_THRESHOLD:
            a->threshold_given = 1;
            if (ck_cli_double(prog, "--threshold", optarg, 1e-9, 1 - 1e-9, &a->threshold) != 0)
                return 2;
            break;
        case O_TARGET:
        case O_TARGET_ACC:
            if (parse_target(a, c == O_TARGET_ACC, optarg) != 0)
                return 2;
            break;
        case O_TOP:
            if (parse_top(&a->eval, optarg) != 0)
                return 2;
            break;
        case O_HORIZONS:
            if (parse_horizons(a, optarg) != 0)
                return 2;
            break;
        case O_THREADS:
            if (ck_cli_threads(prog, optarg, 1, &a->eval.threads) != 0)
                return 2;
            break;
        case O_FAIL: a->fail_under = 1; break;
        case O_NO_TARGET: a->eval.no_target = 1; break;
        case O_DROP_MISSING_LABEL: a->drop_missing_label = 1; break;
        case O_VALUE_CHANGE: a->eval.value_change = 1; break;
        case O_JSON: a->json = optarg; break;
        case O_HTML: a->html = optarg; break;
        case O_DELIM: a->delim = optarg; break;
        case O_QUIET: a->quiet = 1; break;
        case O_MAXMODEL:
            if (ck_cli_max_model_size(prog, optarg, &a->max_model) != 0)
                return 2;
            break;
        case O_HELP: ck_cli_help(help); return -1;
        case O_VERSION: ck_cli_version(prog); return -1;
        default: return ck_cli_bad_option(prog, c, argv, longopts);
        }
    }
    if (optind < argc)
        return ck_cli_usage(prog, "unexpected argument '%s'", argv[optind]);
    if (ck_cli_output_empty(prog, "--json", a->json) || ck_cli_output_empty(prog, "--html", a->html))
        return 2;
    if ((rc = distinct_files(a)) != 0)
        return rc;
    if (a->eval.no_target && (a->targets || a->fail_under))
        return ck_cli_usage(prog, "--no-target goes with neither --target, --target-accuracy "
                                  "nor --fail-under");
    if (a->eval.top_rule == CK_TOP_BASELINE && !a->baseline)
        return ck_cli_usage(prog, "--top baseline names as many rows as the --baseline model "
                                  "does: give --baseline FILE");
    if (a->scores) {
        if (a->nmodels || a->data || a->baseline)
            return ck_cli_usage(prog, "--scores does not go with --model, --data or --baseline");
        if (a->eval.nhorizons)
            return ck_cli_usage(prog, "--horizons goes with survival models (--model)");
        if (!a->label || !a->ncols)
            return ck_cli_usage(prog, "--scores needs --label and --prob (or --pred) columns");
        if (a->prob && a->regression)
            return ck_cli_usage(prog, "--prob and --pred do not go together");
    } else if (!a->nmodels || !a->data) {
        return ck_cli_usage(prog, "give --model and --data, or --scores with --label and --prob");
    } else if (a->ncols) {
        return ck_cli_usage(prog, "--prob and --pred go with --scores");
    } else if (a->threshold_given) {
        return ck_cli_usage(prog, "--threshold goes with --scores: a model is judged at its "
                                  "own threshold (churnkit-train --threshold sets it; or score "
                                  "with churnkit-predict and evaluate with --scores "
                                  "--threshold)");
    }
    if (!a->scores) {
        /* with models, --label names a horizon label to judge survival models on */
        a->eval.label = a->label;
        a->eval.positive = a->positive;
    }
    return 0;
}

/* Whether an output option names standard output. */
static int to_stdout(const char *path)
{
    return ck_ofile_fd(path) == 1; /* "-" or /dev/stdout */
}

/* Writes the JSON and HTML reports: both, or (on any failure) neither. */
static ck_status write_reports(const args *a, const ck_eval *ev, ck_error *err)
{
    ck_ofile *f[2] = {NULL, NULL};
    ck_status st = CK_OK;
    if (a->json) {
        json_t *j = ck_eval_to_json(ev);
        char *text = j ? ck_json_text(j) : NULL;
        json_decref(j);
        if (!text)
            return ck_error_set(err, CK_ENOMEM, "out of memory");
        if ((st = ck_ofile_open(&f[0], a->json, err)) == CK_OK)
            fputs(text, ck_ofile_stream(f[0]));
        free(text);
    }
    if (st == CK_OK && a->html && (st = ck_ofile_open(&f[1], a->html, err)) == CK_OK)
        ck_report_html(ck_ofile_stream(f[1]), ev);
    if (st == CK_OK)
        return ck_ofile_commit_all(f, 2, err);
    ck_ofile_abort(f[0]);
    ck_ofile_abort(f[1]);
    return st;
}

/* Interns into d the names of the columns the models read with `kind`;
 * with `skip`, only those not in it, appending each new one to v (when v is
 * not NULL).  Returns -1 when out of memory. */
static int collect(ck_model *const *m, size_t n, ck_feat_kind kind, const ck_dict *skip,
                   ck_dict *d, const char **v, size_t *count)
{
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; m[i] && k < m[i]->pl->nfeat; k++) {
            const ck_feature *f = &m[i]->pl->feat[k];
            size_t len = strlen(f->name);
            if (f->kind != kind || (skip && ck_dict_find(skip, f->name, len) >= 0))
                continue;
            size_t before = ck_dict_size(d);
            if (ck_dict_intern(d, f->name, len) < 0)
                return -1;
            if (v && ck_dict_size(d) > before)
                v[(*count)++] = f->name;
        }
    return 0;
}

/* Interns a survival model's time and event columns as numbers unless a
 * model reads them as categories. */
static int survival_columns(ck_model *const *m, size_t n, const ck_dict *skip, ck_dict *d,
                            const char **v, size_t *count)
{
    for (size_t i = 0; i < n; i++) {
        if (!m[i] || m[i]->task != CK_TASK_SURVIVAL)
            continue;
        const char *cols[2] = {m[i]->label, m[i]->event};
        for (int k = 0; k < 2; k++) {
            size_t len = strlen(cols[k]), before = ck_dict_size(d);
            if (ck_dict_find(skip, cols[k], len) >= 0)
                continue;
            if (ck_dict_intern(d, cols[k], len) < 0)
                return -1;
            if (ck_dict_size(d) > before)
                v[(*count)++] = cols[k];
        }
    }
    return 0;
}

/* The columns the models read as numbers and none as categories, and a
 * survival model's time and event (names borrowed from the models; the
 * caller frees the array).  Reading them as numbers from the start makes
 * text in one an error naming its line and column, not a refusal of the
 * whole column after the read. */
static const char **numeric_columns(ck_model *const *m, size_t n, size_t *count)
{
    size_t cap = 0;
    for (size_t i = 0; i < n; i++)
        cap += m[i] ? m[i]->pl->nfeat + 2 : 0;
    const char **v = malloc((cap ? cap : 1) * sizeof *v);
    ck_dict *cat = ck_dict_new(), *num = ck_dict_new();
    *count = 0;
    if (!v || !cat || !num || collect(m, n, CK_FEAT_CATEGORICAL, NULL, cat, NULL, count) != 0 ||
        collect(m, n, CK_FEAT_NUMERIC, cat, num, v, count) != 0 ||
        survival_columns(m, n, cat, num, v, count) != 0) {
        free(v);
        v = NULL;
    }
    ck_dict_free(cat);
    ck_dict_free(num);
    return v;
}

/* --drop-missing-label: the rows without the label the run judges on
 * left out of t: --label's column, else the first model's label (a
 * survival model's time and event). */
static ck_status drop_missing_label(const args *a, ck_model *const *m, ck_table *t,
                                    size_t *dropped, ck_error *err)
{
    const char *cols[2] = {a->label, NULL};
    size_t n = 1;
    if (!a->label && m[0]) {
        cols[0] = m[0]->label;
        if (m[0]->task == CK_TASK_SURVIVAL)
            cols[n++] = m[0]->event;
    }
    return cols[0] ? ck_table_drop_missing(t, cols, n, dropped, err) : CK_OK;
}

static int run(void *arg)
{
    args *a = arg;
    ck_error err;
    ck_eval ev;
    ck_table *t = NULL;
    ck_model **models = calloc(a->nmodels + 1, sizeof *models), *base = NULL;
    const char **numeric = NULL;
    ck_table_options to;
    ck_warnings w;
    int code = 0;
    memset(&ev, 0, sizeof ev);
    ck_warnings_init(&w);
    a->eval.warnings = &w;
    ck_table_options_init(&to);
    if (!models) {
        ck_warnings_fini(&w);
        return ck_exit_code(CK_ENOMEM);
    }
    if (ck_cli_delim(prog, a->delim, &to.csv.delim) != 0) {
        free(models);
        ck_warnings_fini(&w);
        return 2;
    }
    /* the reports' paths before the scoring */
    code = ck_cli_output(prog, "--json", a->json);
    if (code == 0)
        code = ck_cli_output(prog, "--html", a->html);
    size_t max_model = a->max_model ? a->max_model : CK_MODEL_MAX_BYTES;
    for (size_t i = 0; i < a->nmodels && code == 0; i++)
        if (ck_model_load_max(&models[i], a->models[i], max_model, &err) != CK_OK)
            code = ck_cli_fail_in(prog, &err, "loading the model", a->models[i]);
    if (code == 0 && a->baseline &&
        ck_model_load_max(&base, a->baseline, max_model, &err) != CK_OK)
        code = ck_cli_fail(prog, &err);
    if (code == 0 && !a->scores) {
        models[a->nmodels] = base; /* the spare slot: every model's columns */
        if (!(numeric = numeric_columns(models, a->nmodels + 1, &to.nnumeric))) {
            ck_error_set(&err, CK_ENOMEM, "out of memory");
            code = ck_cli_fail(prog, &err);
        }
        models[a->nmodels] = NULL;
        to.numeric = numeric;
        to.numeric_optional = 1; /* a missing column is reported by the scorer */
    }
    if (code == 0 && ck_table_read_csv(&t, a->scores ? a->scores : a->data, &to, &err) != CK_OK)
        code = ck_cli_fail_in(prog, &err, "reading", a->scores ? a->scores : a->data);
    if (code == 0 && a->drop_missing_label &&
        drop_missing_label(a, models, t, &a->eval.dropped_rows, &err) != CK_OK)
        code = ck_cli_fail(prog, &err);
    if (code == 0) {
        ck_status st = a->scores
                           ? ck_eval_scores(&ev, t, a->label, a->positive, a->cols, a->ncols,
                                            a->regression, a->threshold, &a->eval, &err)
                           : ck_eval_models(&ev, (const ck_model *const *)models, a->nmodels,
                                            base, t, &a->eval, &err);
        if (st != CK_OK)
            code = ck_cli_fail_in(prog, &err, "evaluating on", a->scores ? a->scores : a->data);
        else if (write_reports(a, &ev, &err) != CK_OK)
            code = ck_cli_fail_in(prog, &err, "writing the report", NULL);
    }
    ck_cli_warnings(prog, &w, a->quiet);
    if (code == 0 && !a->quiet) /* a report on stdout would mix with JSON or HTML there */
        ck_report_eval(to_stdout(a->json) || to_stdout(a->html) ? stderr : stdout, &ev);
    if (code == 0 && a->fail_under && ck_eval_any_missed(&ev)) {
        fprintf(stderr, "%s: %s target %s%.3f missed\n", prog, ev.target.metric,
                ev.target.op == CK_TARGET_LE ? "<= " : "", ev.target.value);
        code = ck_exit_code(CK_ETARGET);
    }
    ck_eval_fini(&ev);
    ck_warnings_fini(&w);
    for (size_t i = 0; i < a->nmodels; i++)
        ck_model_free(models[i]);
    free(models);
    free(numeric);
    ck_model_free(base);
    ck_table_free(t);
    return code;
}

int main(int argc, char **argv)
{
    args a;
    memset(&a, 0, sizeof a);
    ck_eval_options_init(&a.eval);
    a.threshold = 0.5;
    ck_cli_hugepages(argv);
    ck_cli_init();
    int rc = parse_args(argc, argv, &a);
    rc = ck_cli_finish(rc, run, &a);
    free(a.models);
    free(a.cols);
    return rc;
}
