/*
 * blocks.h -- a CSV stream cut into blocks of whole rows, for parsing and
 * scoring them in parallel: the header first, then block after block, each
 * ending at a row end (csv.h's quote-aware rule) and knowing the line it
 * starts on, so that errors inside it name the right line.
 */
#ifndef CHURNKIT_BLOCKS_H
#define CHURNKIT_BLOCKS_H

#include <stddef.h>
#include <stdio.h>

#include "churnkit/csv.h"
#include "churnkit/error.h"

/* Blocks are about this many bytes (plus the rest of the row that crosses
 * the mark).  A quarter of a MiB: the scorer's rounds end when their last
 * block is scored, and smaller blocks leave less of a round to one thread
 * (see score.c's run_setup). */
#define CK_BLOCK_BYTES (1u << 18)

typedef struct ck_blocks {
    FILE *fp;                  /* the stream (the caller's) */
    const char *source;        /* its name in messages */
    char *buf;                 /* read but not yet handed out */
    size_t len, cap;
    int eof;
    unsigned long lines;       /* line ends before buf[0] */
    int errnum;                /* errno of a failed read */
    size_t max_field;          /* a quoted field left open longer than this
                                  is an error (ck_csv_options.max_field;
                                  ck_blocks_init sets its default) */
} ck_blocks;

/* One block: the text of whole rows (the capacity is kept from block to
 * block) and the number of line ends before it in the stream. */
typedef struct ck_block_text {
    char *text;
    size_t len, cap;
    unsigned long line_offset;
} ck_block_text;

/* Starts reading fp (named source).  Nothing to free until the first read;
 * ck_blocks_fini frees the buffer (not fp). */
void ck_blocks_init(ck_blocks *b, FILE *fp, const char *source);
void ck_blocks_fini(ck_blocks *b);

/* The header row's names (after a byte-order mark and blank lines), parsed
 * by the strict reader with `csv` (delimiter); with csv->no_header, a copy
 * of csv->names and nothing read.  The caller frees *names and each name. */
ck_status ck_blocks_header(ck_blocks *b, const ck_csv_options *csv, char ***names, size_t *n,
                           ck_error *err);

/* The next block into *out; returns 1, 0 at the end of the stream, -1 on an
 * error (err set). */
int ck_blocks_next(ck_blocks *b, ck_block_text *out, ck_error *err);

#endif
