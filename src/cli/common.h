/*
 * common.h -- what the churnkit programs share: reporting errors and
 * warnings on stderr, parsing option values, --version, and progress.
 * Only programs use this; the library never prints.
 */
#ifndef CK_CLI_COMMON_H
#define CK_CLI_COMMON_H

#include <stddef.h>
#include <time.h>

#include "churnkit/error.h"

/*
 * Called first in main: re-executes the program (same path, arguments and
 * process id) with glibc's malloc told to ask for transparent huge pages
 * for its large blocks (GLIBC_TUNABLES=glibc.malloc.hugetlb=1, glibc 2.35
 * and later), when the kernel gives huge pages on request only ("madvise",
 * Debian's default).  Why: every 4 KiB page a process touches first is a
 * page fault, and on virtual machines a fault is expensive; training a
 * million rows touches hundreds of MiB, most of it in libxgboost's and
 * GSL's own allocations, which churnkit cannot advise itself (its own
 * columns go through ck_mem_huge).  Measured on the benchmark VM: gbdt
 * training spent 2.4 s outside the booster before, 1.2 s after; logistic
 * training 1.71 s, then 1.45 s.  The outputs are the same bytes.  Nothing
 * happens when CK_HUGEPAGES=0, when GLIBC_TUNABLES already names the
 * tunable, under valgrind (its tools would not follow the exec), under a
 * limit on the address space or the data segment (ulimit -v, -d: the
 * 2 MiB alignment of huge-page blocks would reach it sooner, and an
 * out-of-memory then strikes in other places), or when the exec fails
 * (the program then runs as it is).
 */
void ck_cli_hugepages(char **argv);

/* What every program does first: GSL's abort-on-error handler off (every
 * GSL status is checked), SIGXFSZ ignored, so that a file-size limit makes
 * a write fail with EFBIG (reported, exit 5) instead of killing the process
 * half-way, getopt's own messages off (ck_cli_bad_option says it once), and
 * the outputs' temporaries removed on SIGINT, SIGTERM and SIGHUP
 * (churnkit/cleanup.h). */
void ck_cli_init(void);

/* Prints "PROG: MESSAGE" to stderr; returns the exit code for the status. */
int ck_cli_fail(const char *prog, const ck_error *err);

/* The same for a failure while `doing` something to `path` (NULL: none):
 * an out-of-memory or I/O message, which by itself may name neither, is
 * prefixed "DOING PATH: " ("DOING: " when it names the path already). */
int ck_cli_fail_in(const char *prog, const ck_error *err, const char *doing, const char *path);

/* Prints "PROG: MESSAGE" and "Try 'PROG --help'." to stderr; returns 2. */
int ck_cli_usage(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints each warning as "PROG: warning: MESSAGE" (with "(N times)" when it
 * repeated); nothing when quiet. */
void ck_cli_warnings(const char *prog, const ck_warnings *w, int quiet);

/* Prints "PROG (churnkit) VERSION" to stdout. */
void ck_cli_version(const char *prog);

/* Parses a number option value; on failure prints a usage error and returns
 * -1.  The value must lie in [lo, hi]. */
int ck_cli_double(const char *prog, const char *opt, const char *arg, double lo, double hi,
                  double *out);
int ck_cli_long(const char *prog, const char *opt, const char *arg, long lo, long hi,
                long *out);

/* --threads: a whole number in [1, CK_THREADS_MAX] (0 too with
 * allow_default); -1 after a usage error. */
int ck_cli_threads(const char *prog, const char *arg, int allow_default, size_t *out);

/* --delim: ",", "tab" (or "\t") or ";" into *out; -1 after a usage
 * error. */
int ck_cli_delim(const char *prog, const char *arg, char *out);

/* An output path given with option opt, checked before any work: NULL (not
 * given) passes; an empty path is a usage error naming the option (2); a
 * path that cannot be created (no such directory, no permission, a
 * directory) is reported as ck_ofile_check reports it (5).  Returns 0, or
 * the exit code after printing the message. */
int ck_cli_output(const char *prog, const char *opt, const char *path);

/* Only the first half of it, for option parsing: an empty path is a usage
 * error naming the option (printed; returns 2), anything else 0. */
int ck_cli_output_empty(const char *prog, const char *opt, const char *path);

/* One file a program reads or writes, named by its option. */
typedef struct ck_cli_file {
    const char *opt;  /* "--data" */
    const char *path; /* NULL: not given */
    int output;
} ck_cli_file;

/* Before any work: no output may be the same file as an input or as
 * another output (ck_ofile_same: the same path spelled twice, a link to
 * it, or an output not yet there named twice), or the run would destroy
 * what it reads, or one output would replace the other.  A usage error
 * naming both options (printed; returns 2), else 0. */
int ck_cli_distinct(const char *prog, const ck_cli_file *files, size_t n);

/* The same for a program that reads any number of --model files besides
 * the files in rest (predict, eval). */
int ck_cli_distinct_models(const char *prog, const char *const *models, size_t nmodels,
                           const ck_cli_file *rest, size_t nrest);

/* What main returns after parsing: the parse's exit code when it failed
 * (> 0), 0 after --help or --version (< 0), else run(args)'s. */
int ck_cli_finish(int parsed, int (*run)(void *args), void *args);

struct option;

/* A usage error for what getopt_long (with optstring ":" and opterr off,
 * as ck_cli_init leaves it) returned as c for argv[optind - 1]: a value
 * missing, or an unknown option with the closest known ones; returns 2. */
int ck_cli_bad_option(const char *prog, int c, char **argv, const struct option *longopts);

/* --max-model-size MB into bytes (*out); 2 after a usage error. */
int ck_cli_max_model_size(const char *prog, const char *arg, size_t *out);

/* Prints the text of a --help to stdout. */
void ck_cli_help(const char *text);

/*
 * Progress for long work: shown on stderr only when stderr is a terminal,
 * not --quiet, and the work has gone on for over 2 seconds; at most a few
 * updates a second.  ck_cli_progress_report matches ck_progress_fn (see
 * churnkit/error.h) so the library can call it.
 */
typedef struct ck_cli_progress {
    const char *prog;
    int enabled;
    struct timespec start, last;
    int shown;
} ck_cli_progress;

void ck_cli_progress_init(ck_cli_progress *p, const char *prog, int quiet);
void ck_cli_progress_report(void *ctx, const char *stage, double fraction);
void ck_cli_progress_done(ck_cli_progress *p);

#endif
