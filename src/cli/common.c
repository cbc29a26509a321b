/* common.c -- shared program plumbing (see common.h). */
#include "common.h"
#include "churnkit/parallel.h"

#include <errno.h>
#include <getopt.h>
#include <gnu/libc-version.h>
#include <gsl/gsl_errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "churnkit/cleanup.h"
#include "churnkit/num.h"
#include "churnkit/ofile.h"
#include "churnkit/str.h"
#include "churnkit/version.h"

/* Whether the kernel gives transparent huge pages on request only: its
 * setting reads "always [madvise] never". */
static int thp_on_request(void)
{
    char buf[128] = "";
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strstr(buf, "[madvise]") != NULL;
}

/* Whether the address space or the data segment is limited (ulimit -v,
 * -d): glibc aligns huge-page blocks to 2 MiB, which would spend such a
 * limit sooner than the program's own allocations do. */
static int memory_limited(void)
{
    struct rlimit as, data;
    return (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY) ||
           (getrlimit(RLIMIT_DATA, &data) == 0 && data.rlim_cur != RLIM_INFINITY);
}

void ck_cli_hugepages(char **argv)
{
    static const char tunable[] = "glibc.malloc.hugetlb=1";
    const char *old = getenv("GLIBC_TUNABLES"), *opt = getenv("CK_HUGEPAGES");
    const char *preload = getenv("LD_PRELOAD");
    int major = 0, minor = 0;
    if (sscanf(gnu_get_libc_version(), "%d.%d", &major, &minor) != 2 ||
        major * 1000 + minor < 2035 || (opt && strcmp(opt, "0") == 0) ||
        (old && strstr(old, "glibc.malloc.hugetlb")) || (preload && strstr(preload, "vgpreload")) ||
        memory_limited() || !thp_on_request())
        return;
    char self[4096], *env = malloc((old ? strlen(old) + 1 : 0) + sizeof tunable);
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (!env || n <= 0 || (size_t)n >= sizeof self - 1) {
        free(env);
        return;
    }
    self[n] = '\0';
    sprintf(env, "%s%s%s", old ? old : "", old ? ":" : "", tunable);
    if (setenv("GLIBC_TUNABLES", env, 1) == 0)
        execv(self, argv); /* returns only when it fails: then run as we are */
    free(env);
}

void ck_cli_init(void)
{
    gsl_set_error_handler_off();
    signal(SIGXFSZ, SIG_IGN);
    opterr = 0; /* one message per bad option: ck_cli_bad_option's */
    ck_cleanup_install();
}

int ck_cli_fail(const char *prog, const ck_error *err)
{
    fprintf(stderr, "%s: %s\n", prog, err->message[0] ? err->message : ck_status_name(err->status));
    return ck_exit_code(err->status);
}

int ck_cli_fail_in(const char *prog, const ck_error *err, const char *doing, const char *path)
{
    if (err->status != CK_ENOMEM && err->status != CK_EIO)
        return ck_cli_fail(prog, err);
    const char *msg = err->message[0] ? err->message : ck_status_name(err->status);
    int named = !path || strstr(msg, path) != NULL;
    fprintf(stderr, "%s: %s%s%s: %s\n", prog, doing, named ? "" : " ", named ? "" : path, msg);
    return ck_exit_code(err->status);
}

int ck_cli_usage(const char *prog, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    /* clang-tidy 14 given several files misses the va_start (its va_list
     * checker keeps names from the first file); alone this file is clean */
    // NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized)
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '%s --help'.\n", prog);
    return ck_exit_code(CK_EUSAGE);
}

void ck_cli_warnings(const char *prog, const ck_warnings *w, int quiet)
{
    if (quiet)
        return;
    for (size_t i = 0; i < w->n; i++) {
        if (w->count[i] > 1)
            fprintf(stderr, "%s: warning: %s (%lu times)\n", prog, w->msg[i], w->count[i]);
        else
            fprintf(stderr, "%s: warning: %s\n", prog, w->msg[i]);
    }
}

void ck_cli_version(const char *prog)
{
    printf("%s (churnkit) %s\n", prog, CK_VERSION);
}

int ck_cli_double(const char *prog, const char *opt, const char *arg, double lo, double hi,
                  double *out)
{
    double v;
    if (ck_num_parse(arg, strlen(arg), &v) != CK_NUM_OK || v < lo || v > hi) {
        ck_cli_usage(prog, "%s: '%s' is not a number in [%g, %g]", opt, arg, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

int ck_cli_long(const char *prog, const char *opt, const char *arg, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (errno || end == arg || *end || v < lo || v > hi) {
        ck_cli_usage(prog, "%s: '%s' is not a whole number in [%ld, %ld]", opt, arg, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

int ck_cli_threads(const char *prog, const char *arg, int allow_default, size_t *out)
{
    long v;
    if (ck_cli_long(prog, "--threads", arg, allow_default ? 0 : 1, CK_THREADS_MAX, &v) != 0)
        return -1;
    *out = (size_t)v;
    return 0;
}

int ck_cli_delim(const char *prog, const char *arg, char *out)
{
    if (!arg || strcmp(arg, ",") == 0)
        *out = ',';
    else if (strcmp(arg, "tab") == 0 || strcmp(arg, "\\t") == 0 || strcmp(arg, "\t") == 0)
        *out = '\t';
    else if (strcmp(arg, ";") == 0)
        *out = ';';
    else {
        ck_cli_usage(prog, "--delim: use ',', 'tab' or ';'");
        return -1;
    }
    return 0;
}

int ck_cli_output_empty(const char *prog, const char *opt, const char *path)
{
    if (path && !path[0])
        return ck_cli_usage(prog, "%s: the output path is empty", opt);
    return 0;
}

int ck_cli_output(const char *prog, const char *opt, const char *path)
{
    ck_error err;
    int rc = ck_cli_output_empty(prog, opt, path);
    if (rc || !path)
        return rc;
    if (ck_ofile_check(path, &err) != CK_OK)
        return ck_cli_fail(prog, &err);
    return 0;
}

/* The file a path stands for in the same-file check: "-" is standard input
 * for an input (what a `< file` redirect opened) and standard output for an
 * output. */
static const char *as_file(const ck_cli_file *f)
{
    if (f->path && strcmp(f->path, "-") == 0)
        return f->output ? "/dev/stdout" : "/dev/stdin";
    return f->path;
}

/* Whether two outputs go to one open descriptor (both "-", say): their
 * contents would run into one another, whatever the descriptor is. */
static int same_descriptor(const ck_cli_file *a, const ck_cli_file *b)
{
    int fa = ck_ofile_fd(a->path);
    return a->output && b->output && fa >= 0 && fa == ck_ofile_fd(b->path);
}

int ck_cli_distinct(const char *prog, const ck_cli_file *files, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            const ck_cli_file *o = &files[i], *x = &files[j];
            /* each pair once, with the output first; two inputs may well be
             * one file */
            if (!o->output || (x->output && j <= i) ||
                !(same_descriptor(o, x) || ck_ofile_same(as_file(o), as_file(x))))
                continue;
            return ck_cli_usage(prog, "%s '%s' and %s '%s' are the same file: the output would "
                                      "overwrite %s",
                                o->opt, o->path, x->opt, x->path,
                                x->output ? "the other output" : "the input");
        }
    return 0;
}

int ck_cli_distinct_models(const char *prog, const char *const *models, size_t nmodels,
                           const ck_cli_file *rest, size_t nrest)
{
    ck_cli_file *f = malloc((nmodels + nrest + 1) * sizeof *f);
    if (!f)
        return ck_exit_code(CK_ENOMEM);
    for (size_t i = 0; i < nmodels; i++)
        f[i] = (ck_cli_file){"--model", models[i], 0};
    memcpy(f + nmodels, rest, nrest * sizeof *rest);
    int rc = ck_cli_distinct(prog, f, nmodels + nrest);
    free(f);
    return rc;
}

int ck_cli_finish(int parsed, int (*run)(void *args), void *args)
{
    return parsed > 0 ? parsed : parsed < 0 ? 0 : run(args);
}

int ck_cli_bad_option(const char *prog, int c, char **argv, const struct option *longopts)
{
    const char *arg = argv[optind - 1];
    /* a long option is the word itself; a short one ("-j", or "-josn",
     * inside which optind has not moved on) is the character getopt names */
    char shortopt[3] = {'-', (char)optopt, '\0'};
    if (!(arg[0] == '-' && arg[1] == '-')) {
        if (c != ':')
            return ck_cli_usage(prog, "unknown option '%s' (the options are long: --name)",
                                shortopt);
        arg = shortopt;
    }
    if (c == ':')
        return ck_cli_usage(prog, "option '%s' needs a value", arg);
    size_t n = 0;
    while (longopts[n].name)
        n++;
    /* the options as typed, "--name", so that a suggestion can be copied */
    const char **names = malloc((n ? n : 1) * sizeof *names);
    char **spelt = calloc(n ? n : 1, sizeof *spelt);
    char opt[200], near[300] = "";
    snprintf(opt, sizeof opt, "%s", arg);
    opt[strcspn(opt, "=")] = '\0';
    size_t k = 0;
    for (; names && spelt && k < n; k++) {
        size_t len = strlen(longopts[k].name) + 3;
        if (!(spelt[k] = malloc(len)))
            break;
        snprintf(spelt[k], len, "--%s", longopts[k].name);
        names[k] = spelt[k];
    }
    if (k == n) /* no suggestion rather than a meaningless one */
        ck_near_names(opt, names, n, near, sizeof near);
    for (size_t j = 0; spelt && j < n; j++)
        free(spelt[j]);
    free(spelt);
    free(names);
    return ck_cli_usage(prog, "unknown option '%s'%s%s%s", arg, near[0] ? " (closest: " : "",
                        near, near[0] ? ")" : "");
}

int ck_cli_max_model_size(const char *prog, const char *arg, size_t *out)
{
    long mb;
    if (ck_cli_long(prog, "--max-model-size", arg, 1, 1L << 20, &mb) != 0)
        return 2;
    *out = (size_t)mb << 20;
    return 0;
}

void ck_cli_help(const char *text)
{
    fputs(text, stdout);
}

static double since(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + 1e-9 * (double)(b->tv_nsec - a->tv_nsec);
}

void ck_cli_progress_init(ck_cli_progress *p, const char *prog, int quiet)
{
    p->prog = prog;
    p->enabled = !quiet && isatty(STDERR_FILENO);
    p->shown = 0;
    clock_gettime(CLOCK_MONOTONIC, &p->start);
    p->last = p->start;
}

void ck_cli_progress_report(void *ctx, const char *stage, double fraction)
{
    ck_cli_progress *p = ctx;
    struct timespec now;
    if (!p || !p->enabled)
        return;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (since(&p->start, &now) < 2.0 || since(&p->last, &now) < 0.25)
        return;
    p->last = now;
    p->shown = 1;
    if (fraction >= 0)
        fprintf(stderr, "\r%s: %s %3.0f%%   ", p->prog, stage, 100.0 * fraction);
    else
        fprintf(stderr, "\r%s: %s...   ", p->prog, stage);
}

void ck_cli_progress_done(ck_cli_progress *p)
{
    if (p->shown)
        fprintf(stderr, "\r%*s\r", 60, "");
    p->shown = 0;
}
