/*
 * cleanup.h -- temporary files removed when a signal ends the process.
 *
 * ofile.c writes every output to a temporary beside it; a run stopped by
 * SIGINT, SIGTERM or SIGHUP would leave those behind (one per output, as
 * large as the output written so far).  Each temporary is registered here
 * while it exists; the handler unlinks every registered path and then lets
 * the signal end the process with its default action, so the exit status
 * still says which signal it was.
 *
 * This is the library's one deliberate piece of global mutable state
 * besides the estimator registry (docs/ARCHITECTURE.md): a signal handler
 * can reach nothing else.  It is a fixed table of CK_CLEANUP_SLOTS paths of
 * at most CK_CLEANUP_PATH bytes each, claimed and released with atomic
 * operations (no lock, no allocation), so that the handler only reads
 * complete entries and calls only unlink, signal and raise, which are
 * async-signal-safe.  A path that does not fit, or a temporary beyond the
 * table's size, is simply not registered: it behaves as before (left
 * behind on a signal), which no later run depends on.
 */
#ifndef CHURNKIT_CLEANUP_H
#define CHURNKIT_CLEANUP_H

#define CK_CLEANUP_SLOTS 32
#define CK_CLEANUP_PATH 4096

/* Installs the handler for SIGINT, SIGTERM and SIGHUP, except for a signal
 * that is ignored (nohup) or already has a handler of the caller's.  The
 * programs call it once at the start (ck_cli_init); a library user who
 * does not keeps the temporaries on these signals. */
void ck_cleanup_install(void);

/* Registers path (copied); returns its slot, or -1 when it was not
 * registered (too long, table full). */
int ck_cleanup_add(const char *path);

/* Releases a slot from ck_cleanup_add; -1 is a no-op.  Call it after the
 * temporary was renamed or removed, so that a signal in between finds
 * nothing worse than a name that no longer exists. */
void ck_cleanup_remove(int slot);

#endif
