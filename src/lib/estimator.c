/* estimator.c -- the table of estimator types, their parameters, and the
 * --help text made from them (see estimator.h). */
#include "churnkit/estimator.h"

#include <math.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "churnkit/num.h"

/* The built-in estimators.  Adding one is its file (est_NAME.c, defining
 * `const ck_estimator_type ck_est_NAME`) plus its name on this line. */
#define CK_BUILTIN_ESTIMATORS(X)                                                             \
    X(ck_est_logistic) X(ck_est_linear) X(ck_est_svm) X(ck_est_gbdt) X(ck_est_cox)

#define DECLARE(t) extern const ck_estimator_type t;
CK_BUILTIN_ESTIMATORS(DECLARE)
#undef DECLARE
#define ENTRY(t) &t,
static const ck_estimator_type *const builtin[] = {CK_BUILTIN_ESTIMATORS(ENTRY)};
#undef ENTRY
#define NBUILTIN (sizeof builtin / sizeof builtin[0])

/* Types registered at run time.  This is the library's one piece of
 * process-wide mutable state, kept on purpose: a model file names its
 * estimator, and loading one must find a type that was not compiled into
 * the library (a plugin, a test's toy model) -- as sqlite3_auto_extension
 * does for SQLite.  Registration appends under a lock; a slot once filled
 * never changes, so readers see a consistent prefix. */
enum { MAX_REGISTERED = 16 };
static const ck_estimator_type *registered[MAX_REGISTERED];
static size_t nregistered;
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t registered_count(void)
{
    pthread_mutex_lock(&registry_lock);
    size_t n = nregistered;
    pthread_mutex_unlock(&registry_lock);
    return n;
}

size_t ck_estimator_count(void)
{
    return NBUILTIN + registered_count();
}

const ck_estimator_type *ck_estimator_at(size_t i)
{
    if (i < NBUILTIN)
        return builtin[i];
    return i - NBUILTIN < registered_count() ? registered[i - NBUILTIN] : NULL;
}

const ck_estimator_type *ck_estimator_find(const char *name)
{
    size_t n = ck_estimator_count();
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(ck_estimator_at(i)->name, name) == 0)
            return ck_estimator_at(i);
    return NULL;
}

const char *ck_task_name(ck_task t)
{
    switch (t) {
    case CK_TASK_CLASSIFICATION: return "classification";
    case CK_TASK_REGRESSION: return "regression";
    case CK_TASK_SURVIVAL: return "survival";
    }
    return "?";
}

ck_task ck_task_from_name(const char *s)
{
    for (ck_task t = CK_TASK_CLASSIFICATION; t <= CK_TASK_SURVIVAL; t++)
        if (strcmp(s, ck_task_name(t)) == 0)
            return t;
    return 0;
}

int ck_estimator_supports(const ck_estimator_type *type, ck_task task)
{
    return (type->tasks & CK_TASK_BIT(task)) != 0;
}

int ck_estimator_param(const ck_estimator_type *type, const char *name)
{
    for (size_t i = 0; i < type->nparams; i++)
        if (strcmp(type->params[i].name, name) == 0)
            return (int)i;
    return -1;
}

void ck_estimator_defaults(const ck_estimator_type *type, double *param)
{
    for (size_t i = 0; i < type->nparams; i++)
        param[i] = type->params[i].def;
}

/* "logistic, linear" -- the types that have parameter `name`. */
static void types_with(const char *name, char *buf, size_t size)
{
    size_t used = 0, n = ck_estimator_count();
    buf[0] = '\0';
    for (size_t i = 0; i < n && used + 1 < size; i++) {
        const ck_estimator_type *t = ck_estimator_at(i);
        if (ck_estimator_param(t, name) >= 0)
            used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? ", " : "", t->name);
    }
}

static ck_status parse_value(const ck_param *p, const char *text, double *out,
                             const char **text_out, ck_error *err)
{
    if (p->kind == CK_PARAM_TEXT) {
        if (!text || !text[0])
            return ck_error_set(err, CK_EUSAGE, "--%s needs a value", p->name);
        *text_out = text;
        return CK_OK;
    }
    if (p->kind == CK_PARAM_FLAG) {
        if (text && strcmp(text, "1") != 0 && strcmp(text, "0") != 0)
            return ck_error_set(err, CK_EUSAGE, "--%s takes no value", p->name);
        *out = text && strcmp(text, "0") == 0 ? 0 : 1;
        return CK_OK;
    }
    if (!text)
        return ck_error_set(err, CK_EUSAGE, "--%s needs a value", p->name);
    if (p->kind == CK_PARAM_CHOICE) {
        for (size_t k = 0; p->choices[k]; k++)
            if (strcmp(text, p->choices[k]) == 0) {
                *out = (double)k;
                return CK_OK;
            }
    {
        char list[200];
        size_t used = 0;
        for (size_t k = 0; p->choices[k] && used + 1 < sizeof list; k++)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", k ? ", " : "",
                                     p->choices[k]);
        return ck_error_set(err, CK_EUSAGE, "--%s: unknown value '%s' (%s)", p->name, text,
                            list);
    }
    }
    double v;
    if (p->kind == CK_PARAM_NUMBER_AUTO && strcmp(text, "auto") == 0) {
        *out = NAN; /* chosen by tuning */
        return CK_OK;
    }
    if (ck_num_parse(text, strlen(text), &v) != CK_NUM_OK ||
        (p->kind == CK_PARAM_INTEGER && v != floor(v)))
        return ck_error_set(err, CK_EUSAGE, "--%s: '%s' is not a %s", p->name, text,
                            p->kind == CK_PARAM_INTEGER       ? "whole number"
                            : p->kind == CK_PARAM_NUMBER_AUTO ? "number or auto"
                                                              : "number");
    if (!(v >= p->lo && v <= p->hi))
        return ck_error_set(err, CK_EUSAGE, "--%s: %s is outside [%g, %g]", p->name, text, p->lo,
                            p->hi);
    *out = v;
    return CK_OK;
}

ck_status ck_estimator_set_param(const ck_estimator_type *type, double *param,
                                 const char **texts, const char *name, const char *text,
                                 ck_error *err)
{
    int i = ck_estimator_param(type, name);
    if (i < 0) {
        char who[200];
        types_with(name, who, sizeof who);
        if (!who[0])
            return ck_error_set(err, CK_EUSAGE, "no estimator takes --%s", name);
        const ck_param *like = NULL;
        for (size_t k = 0; type->like && type->like[k] && !like; k += 2) {
            int j = ck_estimator_param(type, type->like[k + 1]);
            if (strcmp(type->like[k], name) == 0 && j >= 0)
                like = &type->params[j];
        }
        if (like)
            return ck_error_set(err, CK_EUSAGE, "--%s does not apply to --model %s; it is for "
                                                "--model %s (--model %s has --%s: %s)",
                                name, type->name, who, type->name, like->name, like->help);
        return ck_error_set(err, CK_EUSAGE, "--%s does not apply to --model %s; it is for "
                                            "--model %s", name, type->name, who);
    }
    return parse_value(&type->params[i], text, &param[i], &texts[i], err);
}

void ck_estimator_choices(char *buf, size_t size)
{
    size_t used = 0, n = ck_estimator_count();
    buf[0] = '\0';
    for (size_t i = 0; i < n && used + 1 < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? "|" : "",
                                 ck_estimator_at(i)->name);
}

/* ------------------------------------------------------------------ */
/* tuning records */

int ck_tuning_begin(ck_tuning *t, const char *method, const char *const *names, size_t n)
{
    ck_tuning_fini(t);
    if (n > CK_TUNE_NAMES || !(t->method = strdup(method)))
        return -1;
    for (t->nnames = 0; t->nnames < n; t->nnames++)
        if (!(t->names[t->nnames] = strdup(names[t->nnames])))
            return -1;
    return 0;
}

int ck_tuning_add(ck_tuning *t, const double *values, double loss)
{
    double *tried = realloc(t->tried, (t->ntried + 1) * CK_TUNE_NAMES * sizeof *tried);
    if (!tried)
        return -1;
    t->tried = tried;
    double *l = realloc(t->loss, (t->ntried + 1) * sizeof *l);
    if (!l)
        return -1;
    t->loss = l;
    for (size_t j = 0; j < t->nnames; j++)
        t->tried[t->ntried * t->nnames + j] = values[j];
    t->loss[t->ntried++] = loss;
    return 0;
}

void ck_tuning_fini(ck_tuning *t)
{
    free(t->method);
    for (size_t j = 0; j < t->nnames; j++)
        free(t->names[j]);
    free(t->tried);
    free(t->loss);
    free(t->curve);
    memset(t, 0, sizeof *t);
}

ck_status ck_tune_grid(const ck_tune_input *in, double *param, const int *pos, size_t npos,
                       const double *grid, size_t ncand, ck_tuning *out, ck_error *err)
{
    const ck_estimator_type *type = in->type;
    const char *names[CK_TUNE_NAMES];
    char method[120];
    double trial[CK_PARAMS_MAX], best = INFINITY;
    snprintf(method, sizeof method, "grid search, %zu-fold %s", in->k,
             in->fit.task == CK_TASK_CLASSIFICATION ? "log-loss"
             : in->fit.task == CK_TASK_SURVIVAL     ? "1 - concordance"
                                                    : "squared error");
    for (size_t j = 0; j < npos && j < CK_TUNE_NAMES; j++)
        names[j] = type->params[pos[j]].name;
    if (npos > CK_TUNE_NAMES || ck_tuning_begin(out, method, names, npos) != 0)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    for (size_t c = 0; c < ncand; c++) {
        double loss;
        memcpy(trial, param, type->nparams * sizeof *trial);
        for (size_t j = 0; j < npos; j++)
            trial[pos[j]] = grid[c * npos + j];
        if (in->fit.progress)
            in->fit.progress(in->fit.progress_ctx, "tuning", (double)c / (double)ncand);
        ck_status st = in->cv_loss(in->ctx, trial, &loss, err);
        if (st != CK_OK)
            return st;
        if (ck_tuning_add(out, grid + c * npos, loss) != 0)
            return ck_error_set(err, CK_ENOMEM, "out of memory");
        if (loss < best) { /* NaN never wins */
            best = loss;
            out->best = c;
        }
    }
    if (!(best < INFINITY))
        return ck_error_set(err, CK_EDATA, "tuning: no candidate gave a finite loss");
    for (size_t j = 0; j < npos; j++)
        param[pos[j]] = grid[out->best * npos + j];
    return CK_OK;
}

/* ------------------------------------------------------------------ */
/* registration */

static ck_status check_param(const ck_estimator_type *t, const ck_param *p, ck_error *err)
{
    if (!p->name || !p->name[0] || !p->help || !p->kind || p->kind > CK_PARAM_NUMBER_AUTO)
        return ck_error_set(err, CK_EUSAGE, "estimator '%s': a parameter without a name, kind "
                                            "or help", t->name);
    if (p->kind == CK_PARAM_CHOICE && (!p->choices || !p->choices[0]))
        return ck_error_set(err, CK_EUSAGE, "estimator '%s': choice --%s lists no choices",
                            t->name, p->name);
    if ((p->kind == CK_PARAM_NUMBER || p->kind == CK_PARAM_INTEGER ||
         p->kind == CK_PARAM_NUMBER_AUTO) && !(p->lo <= p->hi))
        return ck_error_set(err, CK_EUSAGE, "estimator '%s': --%s has an empty range", t->name,
                            p->name);
    return CK_OK;
}

static ck_status check_type(const ck_estimator_type *t, ck_error *err)
{
    if (!t || !t->name || !t->name[0] || !t->help)
        return ck_error_set(err, CK_EUSAGE, "an estimator type needs a name and a help line");
    if (ck_estimator_find(t->name))
        return ck_error_set(err, CK_EUSAGE, "an estimator named '%s' exists already", t->name);
    if (!t->fit || !t->score || !t->save || !t->load || !t->report || !t->free)
        return ck_error_set(err, CK_EUSAGE, "estimator '%s' lacks one of fit, score, save, "
                                            "load, report and free", t->name);
    if (!t->tasks || !ck_estimator_supports(t, t->default_task))
        return ck_error_set(err, CK_EUSAGE, "estimator '%s': its default task is not one of "
                                            "its tasks", t->name);
    if (((t->flags & CK_EST_CONTRIBUTIONS) != 0) != (t->contributions != NULL))
        return ck_error_set(err, CK_EUSAGE, "estimator '%s': CK_EST_CONTRIBUTIONS and the "
                                            "contributions function disagree", t->name);
    if (ck_estimator_supports(t, CK_TASK_SURVIVAL) != (t->curve != NULL))
        return ck_error_set(err, CK_EUSAGE, "estimator '%s': a survival type, and only one, "
                                            "has a curve function", t->name);
    if (t->nparams > CK_PARAMS_MAX || (t->nparams && !t->params))
        return ck_error_set(err, CK_EUSAGE, "estimator '%s': more than %d parameters", t->name,
                            CK_PARAMS_MAX);
    for (size_t i = 0; i < t->nparams; i++) {
        ck_status st = check_param(t, &t->params[i], err);
        if (st != CK_OK)
            return st;
    }
    for (size_t k = 0; t->like && t->like[k]; k += 2)
        if (!t->like[k + 1] || ck_estimator_param(t, t->like[k + 1]) < 0)
            return ck_error_set(err, CK_EUSAGE, "estimator '%s': --%s is like no parameter of "
                                                "its own", t->name, t->like[k]);
    return CK_OK;
}

ck_status ck_estimator_register(const ck_estimator_type *type, ck_error *err)
{
    ck_status st = check_type(type, err);
    if (st != CK_OK)
        return st;
    pthread_mutex_lock(&registry_lock);
    if (nregistered == MAX_REGISTERED)
        st = ck_error_set(err, CK_ENOMEM, "no room to register estimator '%s' (at most %d)",
                          type->name, MAX_REGISTERED);
    else
        registered[nregistered++] = type;
    pthread_mutex_unlock(&registry_lock);
    return st;
}

/* ------------------------------------------------------------------ */
/* --help and the man page */

static void tasks_text(const ck_estimator_type *t, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (ck_task k = CK_TASK_CLASSIFICATION; k <= CK_TASK_SURVIVAL; k++)
        if (ck_estimator_supports(t, k))
            used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? ", " : "",
                                     ck_task_name(k));
}

/* The default as --help shows it. */
static void default_text(const ck_param *p, char *buf, size_t size)
{
    if (p->kind == CK_PARAM_FLAG)
        snprintf(buf, size, "%s", p->def != 0 ? "on" : "off");
    else if (p->kind == CK_PARAM_TEXT)
        snprintf(buf, size, "%s", "none");
    else if (p->kind == CK_PARAM_CHOICE)
        snprintf(buf, size, "%s", p->choices[(size_t)p->def]);
    else
        snprintf(buf, size, "%g", p->def);
}

/* The option as typed: "--svm-kernel rbf|linear", "--robust", "--l2 L". */
static void option_text(const ck_param *p, char *buf, size_t size)
{
    size_t used = (size_t)snprintf(buf, size, "--%s", p->name);
    if (p->kind == CK_PARAM_CHOICE)
        for (size_t k = 0; p->choices[k] && used < size; k++)
            used += (size_t)snprintf(buf + used, size - used, "%s%s", k ? "|" : " ",
                                     p->choices[k]);
    else if (p->kind != CK_PARAM_FLAG)
        snprintf(buf + used, size - used, " %s%s", p->metavar ? p->metavar : "X",
                 p->kind == CK_PARAM_NUMBER_AUTO ? "|auto" : "");
}

/* "  OPTION                   text..." wrapped at 79 columns, the text in a
 * column of its own (an option too long for its column gets a line). */
static void help_line(FILE *out, const char *opt, const char *text)
{
    enum { INDENT = 27, WIDTH = 79 };
    size_t col;
    if (strlen(opt) + 3 < INDENT)
        col = (size_t)fprintf(out, "  %-*s", INDENT - 3, opt);
    else
        col = (size_t)fprintf(out, "  %s\n%*s", opt, INDENT - 1, "") - strlen(opt) - 3;
    while (*text) {
        size_t word = strcspn(text, " ");
        if (col + 1 + word > WIDTH && col > INDENT) {
            fprintf(out, "\n%*s", INDENT - 1, "");
            col = INDENT - 1;
        }
        col += (size_t)fprintf(out, " %.*s", (int)word, text);
        text += word;
        text += strspn(text, " ");
    }
    fputc('\n', out);
}

/* Whether type i is the first to have a parameter of this name (each
 * parameter is described once, where it first appears). */
static int first_with(size_t i, const char *name)
{
    for (size_t k = 0; k < i; k++)
        if (ck_estimator_param(ck_estimator_at(k), name) >= 0)
            return 0;
    return 1;
}

/* Text as roff reads it: a backslash and a minus sign escaped. */
static void roff(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '-')
            fputc('\\', out);
        fputc(*s, out);
    }
}

static void help_param(FILE *out, const ck_param *p, int man)
{
    char opt[200], def[64], who[200];
    option_text(p, opt, sizeof opt);
    default_text(p, def, sizeof def);
    types_with(p->name, who, sizeof who);
    if (man) {
        fputs(".TP\n.B ", out);
        roff(out, opt);
        fputc('\n', out);
        roff(out, p->help);
        fprintf(out, " (default %s; ", def);
        roff(out, "--model ");
        roff(out, who);
        fputs(").\n", out);
    }
    else {
        char text[600];
        snprintf(text, sizeof text, "%s (default %s; %s)", p->help, def, who);
        help_line(out, opt, text);
    }
}

void ck_estimator_help(FILE *out, int man)
{
    size_t n = ck_estimator_count();
    char tasks[120];
    for (size_t i = 0; i < n; i++) {
        const ck_estimator_type *t = ck_estimator_at(i);
        tasks_text(t, tasks, sizeof tasks);
        if (man) {
            fprintf(out, ".TP\n.B %s\n", t->name);
            roff(out, t->help);
            fprintf(out, " (%s).\n", tasks);
        } else {
            char text[600];
            snprintf(text, sizeof text, "%s (%s)", t->help, tasks);
            help_line(out, t->name, text);
        }
    }
    if (!man)
        fputc('\n', out);
    else
        fputs(".PP\nTheir parameters (an option of another estimator than the one chosen is an "
              "error):\n", out);
    for (size_t i = 0; i < n; i++) {
        const ck_estimator_type *t = ck_estimator_at(i);
        for (size_t k = 0; k < t->nparams; k++)
            if (first_with(i, t->params[k].name))
                help_param(out, &t->params[k], man);
    }
}
