/* svm.c -- libsvm behind churnkit's estimator interface (see svm.h). */
#include "churnkit/svm.h"
#include "churnkit/svm_text.h"

#include <libsvm/svm.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ck_svm_options_init(ck_svm_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->c = 1.0;
    opt->epsilon = 0.1;
    opt->weight_pos = opt->weight_neg = 1.0;
    opt->cache_mb = 200;
}

static void quiet(const char *s)
{
    (void)s; /* libsvm's progress dots are not ours to print */
}

/* Dense x to libsvm's sparse nodes (zeros left out); returns the count
 * written including the terminator. */
static size_t to_nodes(const double *x, size_t width, struct svm_node *nodes)
{
    size_t k = 0;
    for (size_t j = 0; j < width; j++)
        if (x[j] != 0) {
            nodes[k].index = (int)j + 1;
            nodes[k].value = x[j];
            k++;
        }
    nodes[k].index = -1;
    nodes[k].value = 0;
    return k + 1;
}

struct svm_node *ck_svm_nodes(size_t width)
{
    return malloc((width + 1) * sizeof(struct svm_node));
}

/* The problem: one node run per row, all in one allocation. */
static int build_problem(const ck_dataset *ds, struct svm_problem *prob,
                         struct svm_node **pool)
{
    size_t width = ds->design->pl->width;
    double *x = malloc((width ? width : 1) * sizeof *x);
    prob->l = (int)ds->n;
    prob->y = malloc(ds->n * sizeof *prob->y);
    prob->x = malloc(ds->n * sizeof *prob->x);
    *pool = malloc(ds->n * (width + 1) * sizeof **pool);
    if (!x || !prob->y || !prob->x || !*pool) {
        free(x);
        return -1;
    }
    struct svm_node *at = *pool;
    for (size_t i = 0; i < ds->n; i++) {
        size_t r = ds->rows[i];
        ck_design_row(ds->design, r, x);
        prob->x[i] = at;
        prob->y[i] = ds->y[r];
        at += to_nodes(x, width, at);
    }
    free(x);
    return 0;
}

ck_status ck_svm_from_text(ck_svm *out, const char *text, size_t width, int regression,
                           ck_error *err)
{
    memset(out, 0, sizeof *out);
    svm_set_print_string_function(quiet);
    out->text = strdup(text);
    out->width = width;
    out->regression = regression;
    if (!out->text) {
        ck_svm_fini(out);
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    }
    /* the text is checked whole before libsvm's struct exists (see
     * svm_text.h): libsvm's own loader trusts what it reads */
    ck_status st = ck_svm_text_read(text, width, regression, &out->model, err);
    if (st != CK_OK) {
        ck_svm_fini(out);
        return st;
    }
    /* libsvm writes gamma for the kernels that have one: a linear model
     * has none to report */
    out->gamma = out->model->param.kernel_type == LINEAR ? NAN : out->model->param.gamma;
    if (!regression)
        out->pos_index = out->model->label[0] == 1 ? 0 : 1;
    return CK_OK;
}

ck_status ck_svm_fit(const ck_dataset *ds, const ck_svm_options *opt, ck_svm *out,
                     ck_warnings *w, ck_error *err)
{
    ck_svm_options defaults;
    if (!opt) {
        ck_svm_options_init(&defaults);
        opt = &defaults;
    }
    size_t width = ds->design->pl->width;
    struct svm_problem prob = {0};
    struct svm_node *pool = NULL;
    struct svm_parameter par = {0};
    int wl[2] = {1, 0};
    double wv[2] = {opt->weight_pos, opt->weight_neg};
    memset(out, 0, sizeof *out);
    if (ds->n > CK_SVM_SLOW_ROWS)
        ck_warn(w, "training an SVM on %zu rows will be slow (libsvm's time grows with the "
                   "square of the rows); for large data use --model logistic, or subsample",
                ds->n);
    if (ds->n > 2147483647u || build_problem(ds, &prob, &pool) != 0) {
        free(prob.y);
        free(prob.x);
        free(pool);
        return ck_error_set(err, CK_ENOMEM, "SVM: out of memory");
    }
    par.svm_type = opt->regression ? EPSILON_SVR : C_SVC;
    par.kernel_type = opt->linear_kernel ? LINEAR : RBF;
    par.gamma = opt->gamma > 0 ? opt->gamma : 1.0 / (double)(width ? width : 1);
    par.C = opt->c;
    par.p = opt->epsilon;
    par.eps = 1e-3; /* libsvm's default stopping tolerance (svm-train -e), and
                       scikit-learn SVC's tol: the same fits as both */
    par.cache_size = opt->cache_mb;
    par.shrinking = 1;
    par.probability = !opt->regression;
    if (!opt->regression && (opt->weight_pos != 1 || opt->weight_neg != 1)) {
        par.nr_weight = 2;
        par.weight_label = wl;
        par.weight = wv;
    }
    ck_status st = CK_OK;
    const char *bad = svm_check_parameter(&prob, &par);
    if (bad) {
        st = ck_error_set(err, CK_EUSAGE, "SVM: %s", bad);
    } else {
        svm_set_print_string_function(quiet);
        srand((unsigned)opt->seed); /* libsvm's probability CV shuffles with rand() */
        struct svm_model *trained = svm_train(&prob, &par);
        char *text = trained ? ck_svm_text_write(trained) : NULL;
        svm_free_and_destroy_model(&trained);
        if (!text)
            st = ck_error_set(err, CK_ENOMEM, "SVM: out of memory");
        else
            st = ck_svm_from_text(out, text, width, opt->regression, err);
        if (st == CK_OK)
            out->gamma = par.gamma; /* the one given, whatever the kernel */
        free(text);
    }
    free(prob.y);
    free(prob.x);
    free(pool);
    return st;
}

double ck_svm_score(const ck_svm *m, const double *x, struct svm_node *nodes, double *decision)
{
    double dec = 0, prob[2];
    to_nodes(x, m->width, nodes);
    if (m->regression) {
        double v = svm_predict_values(m->model, nodes, &dec);
        if (decision)
            *decision = dec;
        return v;
    }
    svm_predict_values(m->model, nodes, &dec);
    if (decision) /* libsvm's sign is for label[0]: make it positive for class 1 */
        *decision = m->model->label[0] == 1 ? dec : -dec;
    svm_predict_probability(m->model, nodes, prob);
    return prob[m->pos_index];
}

void ck_svm_fini(ck_svm *m)
{
    if (m->model)
        svm_free_and_destroy_model(&m->model);
    free(m->text);
    memset(m, 0, sizeof *m);
}
