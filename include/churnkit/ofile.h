/*
 * ofile.h -- all-or-nothing output files.
 *
 * An output is written to a hidden temporary file in the destination's own
 * directory (".NAME.tmp-XXXXXX") and renamed over NAME only when everything
 * was written and flushed.  rename(2) within one file system is atomic, so a
 * reader sees the old file or the complete new one, never half of one; a
 * process killed mid-write leaves the old file intact and at most a stray
 * temporary that no later run depends on.
 *
 * "-" means standard output.  A path that exists and is not a regular file
 * (a pipe, /dev/null, /dev/full) is written in place: it cannot be replaced
 * by rename, and it holds no previous content to protect.
 */
#ifndef CHURNKIT_OFILE_H
#define CHURNKIT_OFILE_H

#include <stdio.h>

#include "churnkit/error.h"

typedef struct ck_ofile ck_ofile;

/* Opens an output.  On success *out owns the open stream until
 * ck_ofile_commit or ck_ofile_abort, one of which must be called. */
ck_status ck_ofile_open(ck_ofile **out, const char *path, ck_error *err);

/* The stream to write to (owned by the ofile). */
FILE *ck_ofile_stream(ck_ofile *f);

/* Flushes, syncs and renames into place; frees f whatever happens.  A write
 * error that happened earlier (a full disk) is reported here, and then the
 * temporary is removed and the destination left as it was. */
ck_status ck_ofile_commit(ck_ofile *f, ck_error *err);

/* Discards the output: removes the temporary, frees f.  NULL is a no-op. */
void ck_ofile_abort(ck_ofile *f);

/* Checks, before any work, that path can be opened as an output: a
 * temporary is created beside it and removed again, just as ck_ofile_open
 * would create one (a path that exists and is not a regular file is only
 * checked for write permission: opening a pipe would block).  An empty
 * path is CK_EUSAGE; a missing or unwritable directory, or a directory
 * named as the file, CK_EIO with the same message ck_ofile_open gives.
 * "-" (standard output) always passes. */
ck_status ck_ofile_check(const char *path, ck_error *err);

/* Writes a whole NUL-terminated string to path atomically. */
ck_status ck_ofile_write_string(const char *path, const char *text, ck_error *err);

#endif
