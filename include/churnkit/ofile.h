/*
 * ofile.h -- all-or-nothing output files.
 *
 * An output is written to a hidden temporary file in the destination's own
 * directory (".NAME.tmp-XXXXXX") and renamed over NAME only when everything
 * was written and flushed.  rename(2) within one file system is atomic, so a
 * reader sees the old file or the complete new one, never half of one; a
 * process killed mid-write leaves the old file intact.  SIGINT, SIGTERM and
 * SIGHUP also remove the temporary (cleanup.h, installed by the programs);
 * only SIGKILL or a crash leaves one behind, which no later run depends on.
 *
 * The destination, before anything is written:
 * - "-" means standard output.
 * - A symbolic link is followed (lstat: the link itself is never replaced)
 *   to its final target; the temporary goes beside that target and is
 *   renamed onto it, so the link stays a link and its target gets the new
 *   content.  A link to nothing creates its target.
 * - What is not a regular file -- a pipe, a terminal, /dev/null, and the
 *   kernel's per-process links /dev/std*, /dev/fd/N and /proc/... whatever
 *   they point to -- is written in place: it cannot be replaced by rename,
 *   and it holds no previous content to protect.
 * - A new file gets 0666 less the umask (the kernel applies it, and a
 *   directory's default ACL, at the temporary's creation).  A replaced file
 *   keeps its permission bits, and its owner and group where the process
 *   may set them (as root; a group it is in); otherwise the group is the
 *   process's, as for any new file.
 *
 * Several outputs of one run are committed together (ck_ofile_commit_all):
 * each is finished -- flushed, synced, closed, every write error known --
 * before any is renamed, so a failure in any leaves every destination as it
 * was.  The renames themselves come one after another: a rename failing
 * after another succeeded (the disk removed between two renames) is the one
 * window left, and is reported.  Outputs written in place are not held
 * back: what they receive is gone when written.
 */
#ifndef CHURNKIT_OFILE_H
#define CHURNKIT_OFILE_H

#include <stddef.h>
#include <stdio.h>

#include "churnkit/error.h"

typedef struct ck_ofile ck_ofile;

/* Opens an output.  On success *out owns the open stream until
 * ck_ofile_commit or ck_ofile_abort, one of which must be called. */
ck_status ck_ofile_open(ck_ofile **out, const char *path, ck_error *err);

/* The stream to write to (owned by the ofile; closed by ck_ofile_finish). */
FILE *ck_ofile_stream(ck_ofile *f);

/* Flushes, syncs and closes the temporary without renaming it: the first
 * half of a commit, where every write error (a full disk) shows.  On
 * failure the temporary is removed; f stays f's owner's, to be passed to
 * ck_ofile_abort (or ck_ofile_commit, which reports the same error).
 * Finishing twice is harmless. */
ck_status ck_ofile_finish(ck_ofile *f, ck_error *err);

/* Finishes f if it was not, then renames it into place; frees f whatever
 * happens.  On failure the temporary is removed and the destination left
 * as it was. */
ck_status ck_ofile_commit(ck_ofile *f, ck_error *err);

/* Commits the n outputs f[0..n-1] (NULL entries skipped) together: all are
 * finished first, and renamed only when every one finished; on a failure
 * the others are aborted.  Every f[i] is freed and set to NULL. */
ck_status ck_ofile_commit_all(ck_ofile **f, size_t n, ck_error *err);

/* Discards the output: removes the temporary, frees f.  NULL is a no-op. */
void ck_ofile_abort(ck_ofile *f);

/* Checks, before any work, that path can be opened as an output: a
 * temporary is created where ck_ofile_open would create one (beside a
 * link's target) and removed again (a path written in place is only
 * checked for write permission: opening a pipe would block).  An empty
 * path is CK_EUSAGE; a missing or unwritable directory, or a directory
 * named as the file, CK_EIO with the same message ck_ofile_open gives.
 * "-" (standard output) always passes. */
ck_status ck_ofile_check(const char *path, ck_error *err);

/* 1 when writing the output path would write the file other names, so
 * that a program can refuse an output that would overwrite one of its
 * inputs or another of its outputs before any work.  Both name the same
 * regular file (same device and inode: the same path spelled twice, a hard
 * link, a symbolic link to it), or neither exists yet and both would be
 * created as the same name in the same directory.  "-", NULL, pipes and
 * devices compare as different from everything: writing them twice loses
 * nothing. */
int ck_ofile_same(const char *path, const char *other);

/* The open descriptor an output path names, written through rather than
 * opened anew (a second open of a shell's `>> log` would write from its
 * start, one of `> f` would cut it again): 1 for "-" and /dev/stdout, 2 for
 * /dev/stderr, N for /dev/fd/N and /proc/self/fd/N; -1 for any other path
 * (NULL included). */
int ck_ofile_fd(const char *path);

/* Writes a whole NUL-terminated string to path atomically. */
ck_status ck_ofile_write_string(const char *path, const char *text, ck_error *err);

#endif
