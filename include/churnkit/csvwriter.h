/*
 * csvwriter.h -- buffered CSV output, quoting only where needed (a
 * delimiter, a quote, CR or LF, or a leading or trailing space).
 *
 * The writer writes to a stream the caller owns -- usually the stream of a
 * ck_ofile, which makes the file appear all at once.  Write errors are
 * remembered and reported by ck_csv_writer_flush, so the per-field calls
 * need no checks.
 */
#ifndef CHURNKIT_CSVWRITER_H
#define CHURNKIT_CSVWRITER_H

#include <stddef.h>
#include <stdio.h>

typedef struct ck_csv_writer ck_csv_writer;

/* Returns a writer over fp (not owned), or NULL when out of memory.  Free
 * with ck_csv_writer_free after a final ck_csv_writer_flush. */
ck_csv_writer *ck_csv_writer_new(FILE *fp, char delim);

/* A writer into memory: the text accumulates in a buffer the writer owns
 * (read it with ck_csv_writer_text after a flush); ck_csv_writer_reset
 * empties it and keeps its capacity, so a writer reused for block after
 * block allocates only until it has grown to the largest. */
ck_csv_writer *ck_csv_writer_new_mem(char delim);
const char *ck_csv_writer_text(const ck_csv_writer *w, size_t *len);
void ck_csv_writer_reset(ck_csv_writer *w);
void ck_csv_writer_free(ck_csv_writer *w);

void ck_csv_write_str(ck_csv_writer *w, const char *s, size_t len);
void ck_csv_write_cstr(ck_csv_writer *w, const char *s);
/* The shortest text that reads back to x exactly; NaN as an empty field. */
void ck_csv_write_num(ck_csv_writer *w, double x);
/* x rounded to `decimals` places (see ck_num_format_fixed). */
void ck_csv_write_fixed(ck_csv_writer *w, double x, int decimals);
void ck_csv_write_long(ck_csv_writer *w, long v);
/* An empty field (a missing value). */
void ck_csv_write_empty(ck_csv_writer *w);
void ck_csv_end_row(ck_csv_writer *w);

/* Writes out the buffer; 0 on success, -1 when any write failed. */
int ck_csv_writer_flush(ck_csv_writer *w);

#endif
