/*
 * error.h -- status codes, the error record, and the warning list.
 *
 * Library functions never print and never exit.  A function that can fail
 * returns a ck_status and, when it fails, fills the caller's ck_error with one
 * line of text.  Where the failure is tied to an input file the text starts
 * with "FILE:LINE:COLUMN: " (or "FILE:LINE: ") like a compiler diagnostic, so
 * editors and humans can jump to the spot.
 *
 * The status values are chosen to equal the programs' exit codes (see
 * docs/ARCHITECTURE.md, "Ownership and errors"), so a program maps a failure to its exit code with
 * ck_exit_code().
 */
#ifndef CHURNKIT_ERROR_H
#define CHURNKIT_ERROR_H

#include <stdarg.h>
#include <stddef.h>

typedef enum ck_status {
    CK_OK = 0,
    CK_ETARGET = 1, /* an evaluation target was missed (--fail-under) */
    CK_EUSAGE = 2,  /* bad option or argument given by the caller */
    CK_EDATA = 3,   /* bad input data: malformed CSV, bad values, unfit data */
    CK_EMODEL = 4,  /* bad, damaged or too-new model file */
    CK_EIO = 5,     /* cannot open, read or write a file */
    CK_ENOMEM = 6   /* out of memory (reported as exit code 5) */
} ck_status;

#define CK_ERROR_MAX 1024

typedef struct ck_error {
    ck_status status;
    char message[CK_ERROR_MAX];
} ck_error;

/* Clears err (may be NULL). */
void ck_error_clear(ck_error *err);

/* Sets err (may be NULL) to status with a printf-style message; returns status
 * so that callers can write `return ck_error_set(err, CK_EDATA, ...)`. */
ck_status ck_error_set(ck_error *err, ck_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like ck_error_set, prefixing "file:line:col: ".  line 0 omits the line and
 * column; col 0 omits the column. */
ck_status ck_error_at(ck_error *err, ck_status status, const char *file,
                      unsigned long line, unsigned long col, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* The static analyzer reads one file at a time, so it cannot see that these
 * two return their status argument: after `return ck_error_set(err,
 * CK_ENOMEM, ...)` it would also follow the caller on as if CK_OK came back.
 * For the analyzer only (__clang_analyzer__; compiled code is unchanged)
 * the call's value is spelled out. */
#ifdef __clang_analyzer__
#define ck_error_set(err, status, ...) ((ck_error_set)(err, status, __VA_ARGS__), (status))
#define ck_error_at(err, status, ...) ((ck_error_at)(err, status, __VA_ARGS__), (status))
#endif

/* Prefixes an existing message with "what: " (for context added by a caller). */
void ck_error_prefix(ck_error *err, const char *what);

/* The program exit code for a status. */
int ck_exit_code(ck_status status);

/* A short English name for a status ("bad input data", ...). */
const char *ck_status_name(ck_status status);

/*
 * Warnings: things worth telling the user that do not stop the work (a
 * constant column dropped, an unseen category, non-convergence).  The caller
 * owns the list; library functions append to it when given one (NULL means
 * "don't collect").  Identical messages are stored once with a count, so a
 * warning raised per row does not flood the output.
 */
typedef struct ck_warnings {
    size_t n, cap;
    char **msg;
    unsigned long *count;
} ck_warnings;

void ck_warnings_init(ck_warnings *w);
void ck_warnings_fini(ck_warnings *w);
void ck_warn(ck_warnings *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Progress of long work, for callers that want to show it: `stage` names
 * what is being done ("reading", "cross-validation fold 3/5"), `fraction` is
 * in [0, 1], or negative when unknown.  Library functions that take a long
 * time accept one of these with its context pointer, and may call it often;
 * the callee decides what to show.
 */
typedef void (*ck_progress_fn)(void *ctx, const char *stage, double fraction);

#endif
