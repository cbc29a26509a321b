/*
 * plays.h -- a file of plays replacing built-in ones: the one reader behind
 * churnkit-predict's --actions (segment,action rows, segments.h) and
 * --value-plays (value_group,value_play rows, value_group.h).
 *
 * The file is a CSV with a key column and a play column (other columns are
 * ignored); each row's key must be one of the names given, and its play
 * replaces that name's entry.  A name the file does not mention keeps its
 * entry; a name given twice keeps the last row's play.
 */
#ifndef CHURNKIT_PLAYS_H
#define CHURNKIT_PLAYS_H

#include <stddef.h>

#include "churnkit/error.h"

/* Reads path into plays[0..n): names[k] is the key of entry k; key and play
 * name the two columns.  Entries are NULL or strings from an earlier call
 * (replaced ones are freed); each entry set is a string the caller frees
 * with ck_plays_free.  CK_EDATA names the file, line and column of an
 * unknown key, or the missing column; CK_EIO when the file cannot be
 * read. */
ck_status ck_plays_load(const char **plays, const char *const *names, size_t n,
                        const char *key, const char *play, const char *path, ck_error *err);

/* Frees the entries ck_plays_load set and sets plays[0..n) to NULL. */
void ck_plays_free(const char **plays, size_t n);

#endif
