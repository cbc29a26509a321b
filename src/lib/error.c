/* error.c -- the error record and warning list (see error.h). */
#include "churnkit/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* error.h's analyzer-only macros must not rewrite the definitions here */
#undef ck_error_set
#undef ck_error_at

void ck_error_clear(ck_error *err)
{
    if (err) {
        err->status = CK_OK;
        err->message[0] = '\0';
    }
}

static void error_vset(ck_error *err, ck_status status, const char *prefix,
                       const char *fmt, va_list ap)
{
    size_t used = 0;
    err->status = status;
    if (prefix) {
        snprintf(err->message, sizeof err->message, "%s", prefix);
        used = strlen(err->message);
    }
    /* clang-tidy 14 given several files misses the callers' va_start (its
     * va_list checker keeps names from the first file); alone this file is
     * clean */
    // NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized)
    vsnprintf(err->message + used, sizeof err->message - used, fmt, ap);
}

ck_status ck_error_set(ck_error *err, ck_status status, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        error_vset(err, status, NULL, fmt, ap);
        va_end(ap);
    }
    return status;
}

ck_status ck_error_at(ck_error *err, ck_status status, const char *file,
                      unsigned long line, unsigned long col, const char *fmt, ...)
{
    char prefix[512];
    va_list ap;
    if (!err)
        return status;
    if (line && col)
        snprintf(prefix, sizeof prefix, "%s:%lu:%lu: ", file, line, col);
    else if (line)
        snprintf(prefix, sizeof prefix, "%s:%lu: ", file, line);
    else
        snprintf(prefix, sizeof prefix, "%s: ", file);
    va_start(ap, fmt);
    error_vset(err, status, prefix, fmt, ap);
    va_end(ap);
    return status;
}

void ck_error_prefix(ck_error *err, const char *what)
{
    char old[CK_ERROR_MAX];
    if (!err)
        return;
    memcpy(old, err->message, sizeof old);
    /* a message cut short at CK_ERROR_MAX is still worth showing */
    if (snprintf(err->message, sizeof err->message, "%s: %s", what, old) < 0)
        err->message[0] = '\0';
}

int ck_exit_code(ck_status status)
{
    switch (status) {
    case CK_OK: return 0;
    case CK_ETARGET: return 1;
    case CK_EUSAGE: return 2;
    case CK_EDATA: return 3;
    case CK_EMODEL: return 4;
    case CK_EIO: return 5;
    case CK_ENOMEM: return 5;
    }
    return 5;
}

const char *ck_status_name(ck_status status)
{
    switch (status) {
    case CK_OK: return "ok";
    case CK_ETARGET: return "target missed";
    case CK_EUSAGE: return "usage error";
    case CK_EDATA: return "bad input data";
    case CK_EMODEL: return "bad model file";
    case CK_EIO: return "I/O error";
    case CK_ENOMEM: return "out of memory";
    }
    return "unknown error";
}

void ck_warnings_init(ck_warnings *w)
{
    memset(w, 0, sizeof *w);
}

void ck_warnings_fini(ck_warnings *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n; i++)
        free(w->msg[i]);
    free(w->msg);
    free(w->count);
    memset(w, 0, sizeof *w);
}

void ck_warn(ck_warnings *w, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    if (!w)
        return;
    va_start(ap, fmt);
    /* clang-tidy 14 given several files misses the va_start (its va_list
     * checker keeps names from the first file); alone this file is clean */
    // NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized)
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    for (size_t i = 0; i < w->n; i++) {
        if (strcmp(w->msg[i], buf) == 0) {
            w->count[i]++;
            return;
        }
    }
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 8;
        char **msg = realloc(w->msg, cap * sizeof *msg);
        if (!msg)
            return; /* a lost warning is better than a failed run */
        w->msg = msg;
        unsigned long *count = realloc(w->count, cap * sizeof *count);
        if (!count)
            return;
        w->count = count;
        w->cap = cap;
    }
    w->msg[w->n] = strdup(buf);
    if (!w->msg[w->n])
        return;
    w->count[w->n++] = 1;
}
