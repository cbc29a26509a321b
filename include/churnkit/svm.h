/*
 * svm.h -- support vector machines through libsvm: C-SVC with probability
 * outputs for classification, epsilon-SVR for regression.
 *
 * The fitted model is kept as libsvm's own model text (what svm_save_model
 * writes), which is also what the model file stores.  A model is always
 * used through that text -- right after training it is written and read
 * back -- because libsvm writes support vectors with 8 significant digits:
 * scoring a model in memory and scoring it after a save and a load then give
 * the same numbers, bit for bit.
 *
 * libsvm's probability fit shuffles rows with the C library's rand(); the
 * fit seeds it with srand(seed) first, so the same seed gives the same
 * model.  (rand() is process-wide: do not train SVMs from two threads.)
 */
#ifndef CHURNKIT_SVM_H
#define CHURNKIT_SVM_H

#include <stddef.h>

#include "churnkit/error.h"
#include "churnkit/pipeline.h"

struct svm_model;
struct svm_node;

typedef struct ck_svm_options {
    int regression;       /* epsilon-SVR instead of C-SVC */
    int linear_kernel;    /* linear instead of RBF */
    double c;             /* default 1 */
    double gamma;         /* RBF width; 0: 1 / encoded width (libsvm's default) */
    double epsilon;       /* SVR tube, default 0.1 */
    double weight_pos, weight_neg; /* class weights (C-SVC), default 1 */
    unsigned long seed;
    double cache_mb;      /* kernel cache, default 200 */
} ck_svm_options;

void ck_svm_options_init(ck_svm_options *opt);

typedef struct ck_svm {
    struct svm_model *model;
    char *text;           /* libsvm's model text (owned) */
    size_t width;         /* encoded width it expects */
    int regression;
    int pos_index;        /* classification: which probability is class 1 */
    double gamma;         /* the gamma used */
} ck_svm;

/* Rows above which a warning says training will be slow (libsvm's time
 * grows with the square of the rows). */
#define CK_SVM_SLOW_ROWS 20000

ck_status ck_svm_fit(const ck_dataset *ds, const ck_svm_options *opt, ck_svm *out,
                     ck_warnings *w, ck_error *err);

/* Rebuilds a model from libsvm model text (a model file's), checked whole
 * first (svm_text.h); CK_EMODEL when it is not a model churnkit trains or
 * does not match width, CK_ENOMEM when memory runs out. */
ck_status ck_svm_from_text(ck_svm *out, const char *text, size_t width, int regression,
                           ck_error *err);

/* Scratch for ck_svm_score: width + 1 nodes.  Caller frees. */
struct svm_node *ck_svm_nodes(size_t width);

/* The probability of class 1 (classification) or the predicted value
 * (regression) for the encoded row x; *decision (may be NULL) gets the
 * decision value, positive for class 1. */
double ck_svm_score(const ck_svm *m, const double *x, struct svm_node *nodes, double *decision);

void ck_svm_fini(ck_svm *m);

#endif
