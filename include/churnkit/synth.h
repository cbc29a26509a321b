/*
 * synth.h -- a synthetic, documented SaaS customer world written as raw CSVs.
 *
 * ck_synth_write generates `accounts` B2B accounts over `months` calendar
 * months and writes, into a directory, the raw files that churnkit-features
 * reads: accounts.csv, users.csv, sessions.csv, feature_events.csv,
 * features.csv, nps.csv and revenue.csv, plus truth.csv (the latent values,
 * segment and churn month of every account: ground truth for tests and
 * notebooks, never a training input).  The generative model, every
 * parameter, the file formats and the row orders are documented in
 * docs/synthetic-world.md; the parameters themselves live in one const
 * struct, ck_synth_default_params (churnkit/synth_model.h).
 *
 * Output is a pure function of the options except `threads` and
 * `buffer_bytes`, which never change it: the same
 * accounts, months, seed and start give byte-identical files whatever the
 * thread count, because every account-month draws from its own random
 * stream (GSL's MT19937 seeded from a hash of seed, account and month) and
 * rows are concatenated in a fixed order.
 *
 * Memory is bounded by the number of accounts (52 bytes each), plus
 * about 8 bytes per user of the accounts that exist at the start (sorted
 * once, then freed), plus fixed buffers per worker thread: rows are written
 * month by month, a month's rows are kept in per-day buffers that spill to
 * an unlinked temporary file in the output directory when they grow past
 * buffer_bytes (64 KiB) each, and are copied out in date order at the
 * month's end: about 5 kinds x 31 days x 64 KiB = 10 MiB per thread.
 *
 * GSL: the library checks every GSL call that can fail, but GSL's default
 * error handler aborts before the call returns; programs turn it off with
 * gsl_set_error_handler_off() (as docs/ARCHITECTURE.md says: every status is checked).
 */
#ifndef CHURNKIT_SYNTH_H
#define CHURNKIT_SYNTH_H

#include <stdint.h>

#include "churnkit/error.h"
#include "churnkit/date.h"

/* Limits on the options (inclusive). */
#define CK_SYNTH_MAX_ACCOUNTS 100000000L
#define CK_SYNTH_MAX_MONTHS 1200

typedef struct ck_synth_options {
    long accounts;       /* accounts in the world, 1..CK_SYNTH_MAX_ACCOUNTS (default 1000) */
    int months;          /* calendar months simulated, 1..CK_SYNTH_MAX_MONTHS (default 24) */
    unsigned long seed;  /* random seed (default 1) */
    const char *start;   /* first day of the first month, "YYYY-MM-01", years 1900..9000
                            (default "2024-01-01"); not owned, must outlive the call */
    int truth;           /* 1: also write truth.csv (default 1) */
    int threads;         /* worker threads, 0 = processors online (default 0, at most
                            16 are used); never changes the output */
    long buffer_bytes;   /* bytes kept in memory per day, kind of row and thread before
                            they spill to a temporary file; 4096..2^30 (default 65536);
                            never changes the output */
} ck_synth_options;

/* Fills opt with the defaults above. */
void ck_synth_options_init(ck_synth_options *opt);

/* What a run produced (all counts are rows written, headers excluded). */
typedef struct ck_synth_summary {
    long accounts;           /* rows of accounts.csv */
    long existing_at_start;  /* accounts that signed up before the start date */
    long pseudo_active;      /* accounts in the pseudo-active segment */
    long users, sessions, events, nps, revenue;
    long churned;            /* accounts whose revenue ends before the last month */
    double monthly_churn;    /* churned / account-months with revenue in months
                                0..months-2 (the months where an end is visible) */
} ck_synth_summary;

/*
 * Generates the world described by opt (NULL: the defaults) into the
 * directory `dir`, which is created (with missing parents) when absent.
 * Each file is written to a temporary beside it; all are renamed into place
 * together, only when every one is complete (ck_ofile_commit_all), so on
 * failure no file is replaced and a directory the run created is removed
 * again.  Other files in the directory are left alone (an old truth.csv
 * under --no-truth too).  `progress`
 * (may be NULL) is called with ctx after each month.  `summary` (may be
 * NULL) is filled on success.
 *
 * Returns CK_OK; CK_EUSAGE for bad options (err names the option);
 * CK_EIO naming the path for a directory or file that cannot be created or
 * written; CK_ENOMEM when out of memory; CK_EDATA if the model's parameters
 * are inconsistent (a correlation matrix that is not positive definite).
 */
ck_status ck_synth_run(const ck_synth_options *opt, const char *dir, ck_progress_fn progress,
                       void *ctx, ck_synth_summary *summary, ck_error *err);

/* ck_synth_run without a summary. */
ck_status ck_synth_write(const ck_synth_options *opt, const char *dir, ck_progress_fn progress,
                         void *ctx, ck_error *err);

#endif
