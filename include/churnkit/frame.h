/*
 * frame.h -- the library from another language: a table built from column
 * arrays instead of a file, training with the options as churnkit-train's
 * words, scores written into the caller's arrays, and the reports returned
 * as strings.  The Python package (python/churnkit, docs/python.md) calls
 * these through ctypes; nothing here prints, exits or writes a file.
 *
 * Every function that can fail returns a ck_status and fills the caller's
 * ck_error (the status is the programs' exit code, error.h).  Strings
 * returned as `char *` are the caller's, freed with ck_frame_text_free (the
 * library's free(), so that a caller in another runtime frees with the
 * allocator that made them).  Tables (ck_table_free), models
 * (ck_model_free) and ck_frame_train handles are freed by their own
 * functions.
 *
 * A frame's rows are named in messages as lines of its source, by default
 * "frame": "frame:12:3: ..." is row 12 (1-based, iloc 11) and column 3.
 */
#ifndef CHURNKIT_FRAME_H
#define CHURNKIT_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "churnkit/error.h"
#include "churnkit/model.h"
#include "churnkit/table.h"

/* ---- tables from columns ---- */

/* An empty table of nrows rows named `source` in messages and reports
 * (NULL: "frame"); NULL when out of memory.  Add columns with the two
 * functions below. */
ck_table *ck_frame_table(size_t nrows, const char *source);

/* A numeric column copied from values[0..nrows): NaN is missing; an
 * infinite value is an error naming the row and column (CK_EDATA), as the
 * CSV reader refuses one. */
/* An option's value as a number in [lo, hi] (training's and scoring's
 * words alike); CK_EUSAGE naming --opt otherwise. */
ck_status ck_frame_option_number(const char *opt, const char *text, double lo, double hi,
                                 double *out, ck_error *err);

ck_status ck_frame_add_numeric(ck_table *t, const char *name, const double *values,
                               ck_error *err);

/* The same without the copy: the column reads values in place
 * (ck_table_add_numeric_view), which the caller keeps alive and unchanged
 * while t lives.  For scoring: a DataFrame's float64 column is then the
 * one buffer. */
ck_status ck_frame_view_numeric(ck_table *t, const char *name, const double *values,
                                ck_error *err);

/* A text column from codes[0..nrows) into levels[0..nlevels) (UTF-8; code
 * -1 or a missing-value spelling such as "" or "NA" is missing, as in a
 * CSV file): what pandas' factorize and Categorical give without one
 * string a row.  A code out of range is CK_EUSAGE. */
ck_status ck_frame_add_codes(ck_table *t, const char *name, const int32_t *codes,
                             const char *const *levels, size_t nlevels, ck_error *err);

/* ---- training ---- */

/* churnkit-train's options, given one at a time as the program's words
 * without "--" ("cv", "5"; a flag takes "1" or "0"), then a fit on a
 * table.  Values are copied. */
typedef struct ck_frame_train ck_frame_train;

ck_frame_train *ck_frame_train_new(void);
void ck_frame_train_free(ck_frame_train *ft);

/* Sets option `name` to `value`: the options of churnkit-train that do not
 * name files -- label, time, event, positive, id, weight, features,
 * exclude, log, reference, splines (comma lists), spline-knots,
 * spline-penalty, missing-indicators, max-levels, drop-missing-label,
 * no-train-metrics, model, task, class-weight, cv, test-fraction, refit,
 * seed, threshold, threshold-metric, cost-fp, cost-fn, cost-contact,
 * value-saved, calibrate, tune, name, threads -- and every estimator
 * parameter (checked when the fit resolves them).  An unknown name or a
 * bad value is CK_EUSAGE with the program's wording. */
ck_status ck_frame_train_set(ck_frame_train *ft, const char *name, const char *value,
                             ck_error *err);

/* Resolves the options as churnkit-train does (an option of another
 * estimator, a classifier's option on a regression: CK_EUSAGE) and trains
 * on t.  On success the caller owns *out; *warnings (may be NULL) gets the
 * warnings, one a line ("(N times)" after a repeated one), or NULL when
 * there were none. */
ck_status ck_frame_train_fit(ck_frame_train *ft, const ck_table *t, ck_model **out,
                             char **warnings, ck_error *err);

/* ---- scoring ---- */

/* Scores every row of t with m, through the in-memory path
 * (ck_model_score_table's design, which agrees with churnkit-predict's
 * streaming pass to the bit), into the caller's arrays of t->nrows:
 * score[i] the probability (classifier) or prediction, rounded as
 * churnkit-predict writes it (ck_num_format_fixed, `decimals` places: 6 as
 * the program) and read back, or unrounded with decimals -1; label[i]
 * (classifiers; may be NULL) 1 when the unrounded probability reaches the
 * threshold.  With reasons K > 0 (at most the
 * model's features; 0 for a model without contributions), for each row
 * the K reasons of churnkit-predict --reasons K (ck_reasons_pick;
 * direction > 0 up, < 0 down, 0 both): rfeat[i*K + r] the feature (-1:
 * no reason, an empty cell), rlevel[i*K + r] the row's level of a text
 * feature (-1: missing or unseen) and reffect[i*K + r] the signed effect,
 * rounded alike.  An unseen level is counted in *unseen (may be NULL).
 * threads 0: one a processor; the result is the same for any. */
ck_status ck_frame_predict(const ck_model *m, const ck_table *t, size_t reasons, int direction,
                           int decimals, size_t threads, double *score, int8_t *label,
                           int32_t *rfeat, int32_t *rlevel, double *reffect, size_t *unseen,
                           ck_error *err);

/* churnkit-predict's whole streaming pass (ck_score: several models,
 * segments and actions, survival horizons, health bands, value groups,
 * drift) from the CSV file `in` to the CSV file `out` -- for the Python
 * package, memory files (/proc/self/fd/N of a memfd), so that nothing
 * touches the disk -- with churnkit-predict's options as words (names[i],
 * values[i]): id, reasons, reasons-direction, risk-model, growth-model,
 * growth-threshold, risk-threshold, no-segments ("1"), no-value-groups
 * ("1"), horizons, mrr, acquisition-cost, drift-threshold, threads.  The
 * models are read only (the array is not const for ck_score's sake).
 * *warnings as in ck_frame_train_fit. */
ck_status ck_frame_score_csv(ck_model *const *models, size_t n, const char *in, const char *out,
                             const char *const *names, const char *const *values, size_t nopts,
                             char **warnings, ck_error *err);

/* What a reason calls feature k at level `level` of m: the feature's name,
 * or "name=level" for a text feature ("name=(no level)" for -1), as
 * churnkit-predict writes it; NULL when out of memory. */
char *ck_frame_reason_label(const ck_model *m, size_t k, int32_t level);

/* The model's features (the input columns it reads), in its order:
 * ck_frame_feature(m, k, &text) gives the name and sets text to 1 for a
 * text (categorical) feature. */
size_t ck_frame_nfeatures(const ck_model *m);
const char *ck_frame_feature(const ck_model *m, size_t k, int *text);

/* ---- text ---- */

/* The model file's text (ck_model_to_json); NULL when out of memory. */
char *ck_frame_model_json(const ck_model *m);

/* What churnkit-train prints for m (ck_report_model); NULL when out of
 * memory. */
char *ck_frame_model_report(const ck_model *m);

/* What write(f, arg) prints, as a new string (the caller frees it); NULL
 * when out of memory.  The reports above go through it. */
char *ck_frame_print(void (*write)(FILE *, const void *), const void *arg);

/* churnkit-eval on a table: models[0..n) and an optional baseline model
 * (NULL) scored on t and evaluated with churnkit-eval's options as words
 * (names[i], values[i]): label, positive, target ("roc_auc>=0.8"), top
 * ("10%", "500", "baseline"), no-target ("1"), value-change ("1"),
 * horizons ("3,6,12"), threads.  *json gets churnkit-eval --json's text,
 * *text its printed report, *html its --html page (each may be NULL: not
 * wanted), *warnings the warnings one a line (NULL when none). */
ck_status ck_frame_evaluate(const ck_model *const *models, size_t n, const ck_model *baseline,
                            const ck_table *t, const char *const *names,
                            const char *const *values, size_t nopts, char **json, char **text,
                            char **html, char **warnings, ck_error *err);

/* The warnings one a line, "(N times)" after a repeated one, as the
 * programs print them without their name; NULL when there are none (or
 * out of memory). */
char *ck_frame_warnings_text(const ck_warnings *w);

/* The version string (CK_VERSION). */
const char *ck_frame_version(void);

void ck_frame_text_free(char *s);

#endif
