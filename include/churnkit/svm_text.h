/*
 * svm_text.h -- libsvm's model text, read and written in memory.
 *
 * libsvm 3.24 saves and loads models by file name only, and its loader
 * trusts the text: a missing nr_sv or a negative total_sv crashes it, a
 * total_sv that disagrees with the vectors listed or a precomputed kernel
 * makes it read past its arrays.  The text comes from a model file that a
 * user may edit, so churnkit reads it itself: the whole header and every
 * support vector are checked against what churnkit trains (a two-class
 * C-SVC with probabilities, or an epsilon-SVR; a linear or RBF kernel;
 * features 1..width), and only then is libsvm's struct built.  Writing
 * produces the bytes svm_save_model writes, through open_memstream.  No
 * temporary file is made either way, so neither /tmp nor TMPDIR matters.
 *
 * Numbers are read with strtod, as libsvm's loader does, so a model read
 * here scores bit for bit as one read by libsvm.
 */
#ifndef CHURNKIT_SVM_TEXT_H
#define CHURNKIT_SVM_TEXT_H

#include <stddef.h>

#include "churnkit/error.h"

struct svm_model;

/* Reads text into a new libsvm model (*out, freed with
 * svm_free_and_destroy_model).  CK_EMODEL names the line and what is wrong;
 * CK_ENOMEM when memory runs out. */
ck_status ck_svm_text_read(const char *text, size_t width, int regression,
                           struct svm_model **out, ck_error *err);

/* The model's text as svm_save_model writes it (caller frees); NULL when
 * out of memory. */
char *ck_svm_text_write(const struct svm_model *m);

#endif
