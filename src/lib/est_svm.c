/* est_svm.c -- support vector machines (libsvm, through svm.c) behind the
 * estimator interface: what they fit, store and print.  SVMs give no
 * per-row contributions. */
#include "churnkit/model.h"
#include "churnkit/svm.h"

#include <libsvm/svm.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum { P_C, P_GAMMA, P_KERNEL, P_EPSILON };

static const char *const kernels[] = {"rbf", "linear", NULL};

static const ck_param params[] = {
    {"svm-c", CK_PARAM_NUMBER, 1, 1e-9, 1e9, NULL, "C", "svm_c", "SVM cost"},
    {"svm-gamma", CK_PARAM_NUMBER, 0, 0, 1e9, NULL, "G", "svm_gamma",
     "RBF kernel's gamma in exp(-gamma |x - x'|^2); 0 means 1 / encoded width "
     "(libsvm's default)"},
    {"svm-kernel", CK_PARAM_CHOICE, 0, 0, 0, kernels, NULL, "svm_kernel", "SVM kernel"},
    {"svm-epsilon", CK_PARAM_NUMBER, 0.1, 0, 1e9, NULL, "E", NULL, "epsilon-SVR tube"},
};

/* The fit's facts, for the report and the model file's "fit". */
typedef struct facts {
    int kernel;             /* an index into kernels */
    double c, gamma, epsilon, support_vectors;
} facts;

#define FACT(k, f, kind) {k, kind, offsetof(facts, f), NULL}
static const ck_fact fit_facts[] = {
    {"kernel", CK_FACT_CHOICE, offsetof(facts, kernel), kernels},
    FACT("c", c, CK_FACT_REAL),
    FACT("gamma", gamma, CK_FACT_REAL),
};
static const ck_fact svr_facts[] = {FACT("epsilon", epsilon, CK_FACT_REAL)};
static const ck_fact count_facts[] = {FACT("support_vectors", support_vectors, CK_FACT_COUNT)};
#undef FACT

typedef struct state {
    ck_svm svm;
    facts f;
} state;

static void free_state(void *p)
{
    state *s = p;
    if (!s)
        return;
    ck_svm_fini(&s->svm);
    free(s);
}

/* libsvm weighs whole classes: the class weights are the row weights of
 * one positive and one negative row (train.c gives every row of a class
 * the same weight). */
static void class_weights(const ck_dataset *ds, double *pos, double *neg)
{
    *pos = *neg = 1;
    int seen_pos = 0, seen_neg = 0;
    for (size_t i = 0; ds->weight && i < ds->n && !(seen_pos && seen_neg); i++) {
        size_t r = ds->rows[i];
        if (ds->y[r] == 1 && !seen_pos) {
            *pos = ds->weight[r];
            seen_pos = 1;
        } else if (ds->y[r] != 1 && !seen_neg) {
            *neg = ds->weight[r];
            seen_neg = 1;
        }
    }
}

static ck_status fit(const ck_fit_input *in, void **out, ck_warnings *w, ck_error *err)
{
    ck_svm_options so;
    ck_svm_options_init(&so);
    so.regression = in->task == CK_TASK_REGRESSION;
    so.c = in->param[P_C];
    so.gamma = in->param[P_GAMMA];
    so.linear_kernel = in->param[P_KERNEL] == 1;
    so.epsilon = in->param[P_EPSILON];
    so.seed = in->seed;
    if (!so.regression)
        class_weights(in->ds, &so.weight_pos, &so.weight_neg);
    state *s = calloc(1, sizeof *s);
    if (!s)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    ck_status st = ck_svm_fit(in->ds, &so, &s->svm, w, err);
    if (st != CK_OK) {
        free(s);
        return st;
    }
    s->f = (facts){so.linear_kernel, so.c, s->svm.gamma, so.epsilon,
                   svm_get_nr_sv(s->svm.model)};
    *out = s;
    return CK_OK;
}

static void *scratch(const void *p)
{
    return ck_svm_nodes(((const state *)p)->svm.width);
}

static double score(const void *p, const double *x, void *nodes)
{
    return ck_svm_score(&((const state *)p)->svm, x, nodes, NULL);
}

static ck_status save(const void *p, const ck_model *m, json_t *root, json_t *fit,
                      ck_error *err)
{
    const state *s = p;
    json_t *o = json_object();
    int bad = !o;
    (void)m;
    bad |= ck_json_put(o, "kind", json_string(s->svm.regression ? "epsilon-svr" : "c-svc"));
    bad |= ck_json_put(o, "libsvm_model", json_string(s->svm.text));
    bad |= ck_json_put(root, "svm", o);
    bad |= ck_json_put_facts(fit, &s->f, fit_facts, CK_NFACTS(fit_facts));
    if (s->svm.regression)
        bad |= ck_json_put_facts(fit, &s->f, svr_facts, CK_NFACTS(svr_facts));
    bad |= ck_json_put_facts(fit, &s->f, count_facts, CK_NFACTS(count_facts));
    return bad ? ck_error_set(err, CK_ENOMEM, "out of memory") : CK_OK;
}

static ck_status load(void **out, const ck_model *m, json_t *root, json_t *fit,
                      ck_json_reader *rd)
{
    json_t *o;
    char *text = NULL;
    if (ck_json_get(rd, root, "svm", "svm", &o) != CK_OK)
        return CK_EMODEL;
    char *kind = NULL;
    ck_status st = ck_json_get_string(rd, o, "kind", "svm.kind", &kind);
    if (st != CK_OK)
        return st;
    int fits = strcmp(kind, m->task == CK_TASK_REGRESSION ? "epsilon-svr" : "c-svc") == 0;
    free(kind);
    if (!fits)
        return ck_json_bad(rd, "svm.kind", "does not fit the task (\"c-svc\" for "
                                           "classification, \"epsilon-svr\" for regression)");
    st = ck_json_get_string(rd, o, "libsvm_model", "svm.libsvm_model", &text);
    if (st != CK_OK)
        return st;
    state *s = calloc(1, sizeof *s);
    if (!s) {
        free(text);
        return ck_error_set(rd->err, CK_ENOMEM, "out of memory");
    }
    st = ck_svm_from_text(&s->svm, text, m->pl->width, m->task == CK_TASK_REGRESSION, rd->err);
    free(text);
    if (st != CK_OK) {
        free_state(s);
        if (st == CK_EMODEL)
            ck_error_prefix(rd->err, "field 'svm.libsvm_model'");
        return ck_json_foreign(rd, st);
    }
    *out = s;
    /* the fit facts are a record for the report: read leniently */
    (void)ck_json_get_facts(rd, fit, "fit", &s->f, fit_facts, CK_NFACTS(fit_facts), 0);
    (void)ck_json_get_facts(rd, fit, "fit", &s->f, svr_facts, CK_NFACTS(svr_facts), 0);
    (void)ck_json_get_facts(rd, fit, "fit", &s->f, count_facts, CK_NFACTS(count_facts), 0);
    return CK_OK;
}

static void report(FILE *out, const void *p, const ck_model *m)
{
    const state *s = p;
    (void)m;
    fprintf(out, "SVM: %s kernel, C %g, gamma %g, %.0f support vectors\n",
            kernels[s->f.kernel], s->f.c, s->f.gamma, s->f.support_vectors);
}

/* Parameters the chosen SVM would ignore are refused. */
static ck_status check(const double *param, const char *const *text, const int *given,
                       ck_task task, size_t cv, ck_error *err)
{
    (void)cv; /* nothing of this type depends on the folds */
    (void)text;
    if (given[P_EPSILON] && task != CK_TASK_REGRESSION)
        return ck_error_set(err, CK_EUSAGE, "--svm-epsilon is the tube of epsilon-SVR: it goes "
                                            "with --task regression");
    if (given[P_GAMMA] && param[P_KERNEL] == 1)
        return ck_error_set(err, CK_EUSAGE, "--svm-gamma is the RBF kernel's: a linear kernel "
                                            "has none");
    return CK_OK;
}

/* --tune: C over {1, 3, 10} and gamma over {1/2, 1, 2} times 1 / (encoded
 * width), libsvm's default, the width read from the first fold. */
static ck_status tune(const ck_tune_input *in, double *param, ck_tuning *out, ck_warnings *w,
                      ck_error *err)
{
    static const double cs[] = {1, 3, 10}, gs[] = {0.5, 1, 2};
    static const int pos[] = {P_C, P_GAMMA};
    double grid[2 * 9];
    ck_dataset tr, te;
    (void)w;
    if (!in->grid)
        return CK_OK;
    ck_status st = in->fold_data(in->ctx, 0, &tr, &te, err);
    if (st != CK_OK)
        return st;
    double g0 = 1.0 / (double)(tr.design->pl->width ? tr.design->pl->width : 1);
    for (size_t a = 0; a < 3; a++)
        for (size_t b = 0; b < 3; b++) {
            grid[2 * (3 * a + b)] = cs[a];
            grid[2 * (3 * a + b) + 1] = gs[b] * g0;
        }
    return ck_tune_grid(in, param, pos, 2, grid, 9, out, err);
}

const ck_estimator_type ck_est_svm = {
    .name = "svm",
    .help = "support vector machine through libsvm: C-SVC with Platt probabilities, or "
            "epsilon-SVR",
    .tasks = CK_TASK_BIT(CK_TASK_CLASSIFICATION) | CK_TASK_BIT(CK_TASK_REGRESSION),
    .default_task = CK_TASK_CLASSIFICATION,
    .flags = CK_EST_CLASS_WEIGHTS,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .check = check,
    .fit = fit,
    .scratch = scratch,
    .score = score,
    .save = save,
    .load = load,
    .report = report,
    .tune = tune,
    .free = free_state,
};
