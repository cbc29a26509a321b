/*
 * model_inputs.h -- whether an input table fits the models about to score
 * it: every column they read is there, and no two models share a name.
 * Checked before any row is scored, so that the message lists every
 * problem at once rather than the first one met.
 */
#ifndef CHURNKIT_MODEL_INPUTS_H
#define CHURNKIT_MODEL_INPUTS_H

#include <stddef.h>

#include "churnkit/error.h"
#include "churnkit/model.h"

/* CK_EUSAGE when two of models[0..n) have the same name: what they write
 * under it (`what`: "score columns", "report columns") would clash. */
ck_status ck_models_check_names(const ck_model *const *models, size_t n, const char *what,
                                ck_error *err);

/* CK_EDATA unless names[0..n), the columns of the input `source`, hold
 * every column model m reads: its features, and with `with_label` its label
 * (for a survival model the time and the event).  The message lists every
 * missing column: one or a few, each with the near names that may be the
 * typo; when most are missing, it says the table does not look like the
 * data the model was trained on (naming that file); when the header is one
 * column holding another delimiter, it names the --delim that reads it. */
ck_status ck_model_check_inputs(const ck_model *m, const char *const *names, size_t n,
                                const char *source, int with_label, ck_error *err);

#endif
