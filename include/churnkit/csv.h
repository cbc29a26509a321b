/*
 * csv.h -- a strict, streaming CSV reader over libcsv.
 *
 * The reader is pull-style: open, look at the header, then ask for one row at
 * a time.  It reads the input in blocks and keeps at most one block's rows in
 * memory, so a consumer that does not keep rows runs in constant memory on
 * any number of rows.
 *
 * Format: RFC 4180 with LF, CRLF or lone CR line ends (each is one line end,
 * everywhere: rows, line numbers, the parts and blocks below; see
 * ck_csv_line_ends), an optional UTF-8 byte-order
 * mark, quoted fields holding delimiters, doubled quotes and newlines, and a
 * choice of delimiter.  Fields are passed on exactly as written: unquoted
 * spaces are kept (libcsv would trim them).  Blank lines are skipped.
 *
 * Strictness: each of these stops the reader with an error naming the file,
 * line and (where known) column: a stray or unterminated quote, a row whose
 * field count differs from the header's, an empty or duplicate header name,
 * an empty file, a NUL byte, a field longer than max_field bytes.
 * Rows before the error are delivered first; the error comes in their place.
 */
#ifndef CHURNKIT_CSV_H
#define CHURNKIT_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "churnkit/error.h"

/* The longest field accepted unless the options say otherwise. */
#define CK_CSV_MAX_FIELD ((size_t)64 << 20)

typedef struct ck_csv_options {
    char delim;               /* ',' (default), '\t' or ';' */
    int no_header;            /* 1: there is no header row */
    const char *const *names; /* with no_header: the column names (NULL:
                                 "V1".."Vn", n from the first row) */
    size_t nnames;
    size_t block_size;        /* bytes read at a time (default 256 KiB) */
    size_t max_field;         /* longest field accepted (default
                                 CK_CSV_MAX_FIELD) */
    int background;           /* 1: parse in a background thread, so that
                                 parsing overlaps the caller's work on the
                                 rows; the rows and errors are the same */
    unsigned long line_offset; /* lines before this input (for a part of a
                                 file, see ck_csv_split); a byte-order mark
                                 is looked for only when 0 */
    unsigned long long max_bytes; /* read at most this many bytes (0: all) */
    int libcsv_only;          /* 1: every byte through libcsv, never the
                                 fast path for lines without quotes (the
                                 result is the same: for tests) */
} ck_csv_options;

/* Fills opt with the defaults above. */
void ck_csv_options_init(ck_csv_options *opt);

/* When a header read with `delim` came out as one column holding another
 * delimiter churnkit reads (';', a tab or ','), the file was most likely
 * written with that one: writes "the header is one column, 'a;b;c': the file
 * looks separated by ';' -- use --delim ';'" into out and returns 1.
 * Otherwise writes "" and returns 0. */
int ck_csv_delim_hint(const char *const *names, size_t n, char delim, char *out,
                      size_t outsz);

typedef struct ck_csv_row {
    size_t n;                 /* number of fields, always the header's count */
    const char *const *field; /* NUL-terminated fields, with CK_NUM_PAD
                                 readable bytes after each NUL (for
                                 ck_num_parse_field) */
    const size_t *len;        /* their lengths */
    unsigned long line;       /* the line where the row starts, from 1 */
} ck_csv_row;

typedef struct ck_csv_reader ck_csv_reader;

/* Opens path ("-" is standard input) and reads its header.  opt may be NULL
 * for the defaults.  On success *out must be closed with ck_csv_close. */
ck_status ck_csv_open(ck_csv_reader **out, const char *path,
                      const ck_csv_options *opt, ck_error *err);

/* Same over an open stream that stays the caller's; `name` is used in
 * messages. */
ck_status ck_csv_open_stream(ck_csv_reader **out, FILE *fp, const char *name,
                             const ck_csv_options *opt, ck_error *err);

/* Same over text in memory (not copied: it must outlive the reader), parsed
 * in place. */
ck_status ck_csv_open_mem(ck_csv_reader **out, const char *buf, size_t len, const char *name,
                          const ck_csv_options *opt, ck_error *err);

/* Points a headerless reader over memory at new text, as if just opened
 * with line_offset, keeping its buffers: for parsing block after block
 * without allocating again. */
ck_status ck_csv_restart_mem(ck_csv_reader *r, const char *buf, size_t len,
                             unsigned long line_offset, ck_error *err);

void ck_csv_close(ck_csv_reader *r);

/* The header: column count, names (owned by the reader), and the index of a
 * name (-1 when absent). */
size_t ck_csv_ncols(const ck_csv_reader *r);
const char *ck_csv_name(const ck_csv_reader *r, size_t j);
const char *const *ck_csv_names(const ck_csv_reader *r);
long ck_csv_find(const ck_csv_reader *r, const char *name);

/* The name used in messages ("(stdin)" for "-"). */
const char *ck_csv_source(const ck_csv_reader *r);

/* Reads the next row into *row (valid until the next call).  Returns 1 for a
 * row, 0 at the end of the input, -1 on error (err filled; later calls keep
 * returning -1). */
int ck_csv_next(ck_csv_reader *r, ck_csv_row *row, ck_error *err);

/* Rows returned so far. */
unsigned long ck_csv_rows_read(const ck_csv_reader *r);

/*
 * Line ends, the one rule every reader follows: LF, CRLF and a lone CR each
 * end one line (a CR followed by an LF is a single line end).  Counts the
 * line ends in s[0..len); *cr says whether the byte before s was a CR (its
 * LF, if s starts with one, is not counted again) and is left saying
 * whether s ends with one.
 */
unsigned long ck_csv_line_ends(const char *s, size_t len, int *cr);

/*
 * Row ends, the one quote-aware rule every reader that cuts text into
 * whole rows uses (the parallel loader's parts below, the scorer's blocks):
 * a row ends just past a line end that is outside quotes; each quote
 * toggles "inside a quoted field" (a doubled quote toggles twice).  A scan
 * starts at a row start and may go on over consecutive buffers, keeping
 * its state.  A CR at the end of a buffer is not yet a row end (its LF may
 * start the next buffer).
 */
typedef struct ck_csv_scan {
    int quoted;                /* inside a quoted field at the scan's end */
    int cr;                    /* the last byte scanned was a CR */
    unsigned long lines;       /* line ends scanned so far */
    unsigned long quote_line;  /* with quoted: line ends before the
                                  opening quote (its line is this + 1) */
    unsigned long long bytes;  /* bytes scanned so far */
    unsigned long long quote_at; /* with quoted: the opening quote's offset
                                  from the scan's start */
} ck_csv_scan;

/* The first row end whose line end (the LF of a CRLF) lies at or after
 * buf[from]: returns its offset (> 0) with s covering buf up to it; 0 when
 * buf[0..len) has none, s then covering all of buf. */
size_t ck_csv_scan_row_end(ck_csv_scan *s, const char *buf, size_t len, size_t from);

/*
 * The plain-row fast path of the block scorer: the row at s[0..len) split
 * in place, when it needs none of the reader's rules -- no quote, no lone
 * CR, no NUL, exactly ncols fields, no field longer than max_field, ended
 * by LF or CRLF inside len.  Each field's end (the delimiter, the CR or LF)
 * becomes a NUL, field[j] and flen[j] get the fields, and the row's length
 * with its line end is returned; a blank line returns 1 (or 2 for CRLF) with
 * *nfields 0 (the reader skips it too, and it is one line).  Anything else
 * returns 0 and leaves s untouched: the caller hands the text from s on to
 * the reader, which reports what it finds there with its own messages.  The
 * fields are those the reader gives for the same line (test_csv checks it).
 * For ck_csv_row's padding, CK_NUM_PAD bytes after s[len] must be readable.
 */
size_t ck_csv_plain_row(char *s, size_t len, char delim, size_t ncols, size_t max_field,
                        const char **field, size_t *flen, size_t *nfields);

/*
 * Cutting a file into parts of whole rows, for parsing in parallel.  Scans
 * the file once, following quotes (a line end inside a quoted field is not a
 * row end).  start and lines have nparts + 1 entries: start[k] is the byte
 * offset where part k begins -- start[0] just after the header row -- and
 * lines[k] the number of line ends before it, for
 * ck_csv_options.line_offset; start[nparts] is the file size and
 * lines[nparts] its number of line ends.  A part may be empty.  A part holds
 * at most lines[k+1] - lines[k] + 1 rows.  The cut is exact for well-formed
 * CSV; a caller that meets an error in a part should read the file in one
 * piece to report it.
 */
ck_status ck_csv_split(const char *path, size_t nparts, unsigned long long *start,
                       unsigned long *lines, ck_error *err);

#endif
