/* The streaming CSV reader and the writer: format features, strictness with
 * file/line/column in each error, block boundaries, and round trips. */
#include "testutil.h"

#include "churnkit/csv.h"
#include "churnkit/csvwriter.h"
#include "churnkit/ofile.h"

#include <dirent.h>
#include <math.h>

/* Reads all rows of `text` into "a|b;c|d;" form; returns the status of the
 * first failure (open or next), CK_OK otherwise. */
static ck_status read_mode(const char *path, const ck_csv_options *opt, char *out,
                           size_t outsz, ck_error *err)
{
    ck_csv_reader *r;
    ck_status st = ck_csv_open(&r, path, opt, err);
    out[0] = '\0';
    if (st == CK_OK) {
        ck_csv_row row;
        int rc;
        size_t used = 0;
        while ((rc = ck_csv_next(r, &row, err)) == 1) {
            for (size_t j = 0; j < row.n; j++)
                used += (size_t)snprintf(out + used, outsz - used, "%s%s", j ? "|" : "",
                                         row.field[j]);
            used += (size_t)snprintf(out + used, outsz - used, "@%lu;", row.line);
        }
        st = rc < 0 ? err->status : CK_OK;
        ck_csv_close(r);
    }
    return st;
}

/* Reads text in the caller's thread and with a background parser; both must
 * give the same rows, status and message. */
static ck_status read_all(const char *text, size_t len, const ck_csv_options *opt,
                          char *out, size_t outsz, ck_error *err)
{
    char *path = ck_test_write_bytes(text, len);
    ck_csv_options o;
    if (opt)
        o = *opt;
    else
        ck_csv_options_init(&o);
    o.background = 0;
    ck_status st = read_mode(path, &o, out, outsz, err);
    char out2[4096];
    ck_error err2;
    o.background = 1;
    ck_status st2 = read_mode(path, &o, out2, sizeof out2, &err2);
    ck_assert_int_eq(st, st2);
    ck_assert_str_eq(out, out2);
    if (st != CK_OK)
        ck_assert_str_eq(err->message, err2.message);
    unlink(path);
    free(path);
    return st;
}

static ck_status read_str(const char *text, char *out, size_t outsz, ck_error *err)
{
    return read_all(text, strlen(text), NULL, out, outsz, err);
}

START_TEST(test_basic_rows_and_lines)
{
    char out[256];
    ck_error err;
    ck_assert_int_eq(read_str("a,b\n1,2\n3,4\n", out, sizeof out, &err), CK_OK);
    ck_assert_str_eq(out, "1|2@2;3|4@3;");
}
END_TEST

START_TEST(test_header_names)
{
    char *path = ck_test_write("id,age,plan\n1,2,x\n");
    ck_csv_reader *r;
    ck_error err;
    ck_assert_int_eq(ck_csv_open(&r, path, NULL, &err), CK_OK);
    ck_assert_uint_eq(ck_csv_ncols(r), 3);
    ck_assert_str_eq(ck_csv_name(r, 2), "plan");
    ck_assert_int_eq(ck_csv_find(r, "age"), 1);
    ck_assert_int_eq(ck_csv_find(r, "nope"), -1);
    ck_csv_close(r);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(test_no_final_newline)
{
    char out[256];
    ck_error err;
    ck_assert_int_eq(read_str("a,b\n1,2\n3,4", out, sizeof out, &err), CK_OK);
    ck_assert_str_eq(out, "1|2@2;3|4@3;");
}
END_TEST

START_TEST(test_bom_is_stripped)
{
    char out[256];
    ck_error err;
    ck_csv_reader *r;
    char *path = ck_test_write("\xEF\xBB\xBFid,x\n7,8\n");
    ck_assert_int_eq(ck_csv_open(&r, path, NULL, &err), CK_OK);
    ck_assert_str_eq(ck_csv_name(r, 0), "id");
    ck_csv_close(r);
    unlink(path);
    free(path);
    ck_assert_int_eq(read_str("\xEF\xBB\xBF" "a\n1\n", out, sizeof out, &err), CK_OK);
    ck_assert_str_eq(out, "1@2;");
}
END_TEST

START_TEST(test_crlf_line_ends)
{
    char out[256];
    ck_error err;
    ck_assert_int_eq(read_str("a,b\r\n1,2\r\n3,4\r\n", out, sizeof out, &err), CK_OK);
    ck_assert_str_eq(out, "1|2@2;3|4@3;");
    /* mixed LF and CRLF */
    ck_assert_int_eq(read_str("a,b\r\n1,2\n3,4\r\n", out, sizeof out, &err), CK_OK);
    ck_assert_str_eq(out, "1|2@2;3|4@3;");
}
END_TEST

/* One line-end rule: LF, CRLF and a lone CR each end one line, in the
 * reader's line numbers, in quoted fields and in the row-end scan, also
 * when a CRLF is cut between two buffers. */
START_TEST(test_cr_only_line_ends)
{
    char out[256];
    ck_error err;
    ck_assert_int_eq(read_str("a,b\r1,2\r3,4\r", out, sizeof out, &err), CK_OK);
    ck_assert_str_eq(out, "1|2@2;3|4@3;");
    ck_assert_int_eq(read_str("a,b\r\r1,2\n\r\n3,\"x\ry\"\r5,6\r", out, sizeof out, &err),
                     CK_OK);
    ck_assert_str_eq(out, "1|2@3;3|x\ry@5;5|6@7;");
    ck_assert_int_eq(read_str("a,b\r1,2\r3\r", out, sizeof out, &err), CK_EDATA);
    ck_assert_ptr_nonnull(strstr(err.message, ":3:2: row has 1 fields but the header has 2"));

    int cr = 0;
    ck_assert_uint_eq(ck_csv_line_ends("a\rb\r\nc\n\n\r", 9, &cr), 5);
    ck_assert_int_eq(cr, 1);
    ck_assert_uint_eq(ck_csv_line_ends("\nx", 2, &cr), 0); /* the LF of that CR */

    ck_csv_scan s = {0};
    ck_assert_uint_eq(ck_csv_scan_row_end(&s, "a\rb\r", 4, 0), 2);
    ck_assert_uint_eq(s.lines, 1);
    ck_assert_uint_eq(ck_csv_scan_row_end(&s, "b\r", 2, 0), 0); /* may be a CRLF */
    ck_assert_uint_eq(ck_csv_scan_row_end(&s, "\nc\r\"d\r\"\re", 9, 0), 1);
    ck_assert_uint_eq(s.lines, 2);
    ck_assert_uint_eq(ck_csv_scan_row_end(&s, "c\r\"d\r\"\re", 8, 0), 2);
    ck_assert_uint_eq(ck_csv_scan_row_end(&s, "\"d\r\"\re", 6, 0), 5);
    ck_assert_uint_eq(s.lines, 5);
}
END_TEST

/* The row-end scan against a byte-at-a-time model of its rule (LF, CRLF
 * and lone CR end a row outside quotes), on random text cut into random
 * pieces: the scan has a memchr path for text without quotes or CRs, and
 * both paths must agree with the rule and with each other. */
static size_t model_row_end(ck_csv_scan *s, const char *buf, size_t len, size_t from)
{
    for (size_t i = 0; i < len; i++) {
        int after_cr = s->cr;
        s->cr = buf[i] == '\r';
        if (buf[i] == '"') {
            s->quoted = !s->quoted;
        } else if (buf[i] == '\r') {
            s->lines++;
            if (!s->quoted && i >= from && i + 1 < len && buf[i + 1] != '\n') {
                s->bytes += i + 1;
                return i + 1;
            }
        } else if (buf[i] == '\n') {
            s->lines += !after_cr;
            if (!s->quoted && i >= from) {
                s->bytes += i + 1;
                return i + 1;
            }
        }
    }
    s->bytes += len;
    return 0;
}

START_TEST(test_row_end_scan_paths)
{
    unsigned seed = 12345;
    char buf[200];
    for (int trial = 0; trial < 4000; trial++) {
        /* most trials without quotes or CRs (the fast path), some with */
        const char *alphabet = trial % 3 ? "ab,\n" : "ab,\n\r\"";
        size_t na = strlen(alphabet), len = 1 + (seed = seed * 1103515245u + 12345u) % 199;
        for (size_t i = 0; i < len; i++)
            buf[i] = alphabet[(seed = seed * 1103515245u + 12345u) / 65536 % na];
        ck_csv_scan a = {0}, b = {0};
        size_t pos = 0;
        while (pos < len) {
            size_t from = (seed = seed * 1103515245u + 12345u) / 65536 % (len - pos + 1);
            size_t x = ck_csv_scan_row_end(&a, buf + pos, len - pos, from),
                   y = model_row_end(&b, buf + pos, len - pos, from);
            ck_assert_uint_eq(x, y);
            ck_assert_uint_eq(a.lines, b.lines);
            ck_assert_uint_eq(a.bytes, b.bytes);
            ck_assert_int_eq(a.quoted, b.quoted);
            ck_assert_int_eq(a.cr, b.cr);
            pos += x ? x : len - pos;
        }
    }
}
END_TEST

START_TEST(test_quoted_fields)
{
    char out[256];
    ck_error err;
    ck_assert_int_eq(read_str("a,b\n\"x,y\",\"say \"\"hi\"\"\"\n\"multi\nline\",2\n5,6\n", out,
                              sizeof out, &err),
                     CK_OK);
    /* the multi-line row starts on line 3; the next row is on line 5 */
    ck_assert_str_eq(out, "x,y|say \"hi\"@2;multi\nline|2@3;5|6@5;");
}
END_TEST

START_TEST(test_spaces_are_kept)
{
    char out[256];
    ck_error err;
    ck_assert_int_eq(read_str("a,b\n x , y\n", out, sizeof out, &err), CK_OK);
    ck_assert_str_eq(out, " x | y@2;");
}
END_TEST

START_TEST(test_other_delimiters)
{
    char out[256];
    ck_error err;
    ck_csv_options opt;
    ck_csv_options_init(&opt);
    opt.delim = '\t';
    const char *tsv = "a\tb\n1,5\t2\n";
    ck_assert_int_eq(read_all(tsv, strlen(tsv), &opt, out, sizeof out, &err), CK_OK);
    ck_assert_str_eq(out, "1,5|2@2;");
    opt.delim = ';';
    const char *ssv = "a;b\n1,5;\"x;y\"\n";
    ck_assert_int_eq(read_all(ssv, strlen(ssv), &opt, out, sizeof out, &err), CK_OK);
    ck_assert_str_eq(out, "1,5|x;y@2;");
}
END_TEST

START_TEST(test_blank_lines_skipped)
{
    char out[256];
    ck_error err;
    ck_assert_int_eq(read_str("a,b\n\n1,2\n\r\n\n3,4\n\n", out, sizeof out, &err), CK_OK);
    ck_assert_str_eq(out, "1|2@3;3|4@6;");
}
END_TEST

START_TEST(test_quoted_empty_is_a_value)
{
    char out[256];
    ck_error err;
    ck_assert_int_eq(read_str("a\n\"\"\n1\n", out, sizeof out, &err), CK_OK);
    ck_assert_str_eq(out, "@2;1@3;");
}
END_TEST

START_TEST(test_short_row_error)
{
    char out[256];
    ck_error err;
    ck_assert_int_eq(read_str("a,b,c\n1,2,3\n4,5\n", out, sizeof out, &err), CK_EDATA);
    ck_assert_msg_contains(err, ":3:3: row has 2 fields but the header has 3");
    /* the good row before the error was delivered */
    ck_assert_str_eq(out, "1|2|3@2;");
}
END_TEST

START_TEST(test_long_row_error)
{
    char out[256];
    ck_error err;
    ck_assert_int_eq(read_str("a,b\n1,2\n3,4\n5,6,7\n", out, sizeof out, &err), CK_EDATA);
    ck_assert_msg_contains(err, ":4:3: row has 3 fields but the header has 2");
}
END_TEST

START_TEST(test_quote_inside_unquoted_field)
{
    char out[256];
    ck_error err;
    ck_assert_int_eq(read_str("a,b\n1,2\n3,ab\"c\n", out, sizeof out, &err), CK_EDATA);
    ck_assert_msg_contains(err, ":3:2: malformed quoting");
}
END_TEST

START_TEST(test_text_after_closing_quote)
{
    char out[256];
    ck_error err;
    ck_assert_int_eq(read_str("a,b\n\"x\"y,2\n", out, sizeof out, &err), CK_EDATA);
    ck_assert_msg_contains(err, ":2:1: malformed quoting: text after a closing quote");
}
END_TEST

START_TEST(test_unterminated_quote)
{
    char out[256];
    ck_error err;
    ck_assert_int_eq(read_str("a,b\n1,2\n3,\"open\nstill open\n", out, sizeof out, &err),
                     CK_EDATA);
    ck_assert_msg_contains(err, ":3:2: unterminated quoted field");
}
END_TEST

START_TEST(test_duplicate_header)
{
    char out[256];
    ck_error err;
    ck_assert_int_eq(read_str("id,x,id\n1,2,3\n", out, sizeof out, &err), CK_EDATA);
    ck_assert_msg_contains(err, ":1:3: duplicate column name 'id' (also column 1)");
}
END_TEST

START_TEST(test_empty_header_name)
{
    char out[256];
    ck_error err;
    ck_assert_int_eq(read_str("id,,z\n1,2,3\n", out, sizeof out, &err), CK_EDATA);
    ck_assert_msg_contains(err, ":1:2: empty column name");
}
END_TEST

START_TEST(test_empty_file)
{
    char out[256];
    ck_error err;
    ck_assert_int_eq(read_str("", out, sizeof out, &err), CK_EDATA);
    ck_assert_msg_contains(err, "empty file");
    ck_assert_int_eq(read_str("\xEF\xBB\xBF\n\n", out, sizeof out, &err), CK_EDATA);
    ck_assert_msg_contains(err, "empty file");
}
END_TEST

START_TEST(test_header_only_has_no_rows)
{
    char out[256];
    ck_error err;
    ck_assert_int_eq(read_str("a,b\n", out, sizeof out, &err), CK_OK);
    ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_nul_byte)
{
    char out[256];
    ck_error err;
    static const char data[] = "a,b\n1,2\n3,x\0y\n";
    ck_assert_int_eq(read_all(data, sizeof data - 1, NULL, out, sizeof out, &err), CK_EDATA);
    ck_assert_msg_contains(err, ":3:2: NUL byte");
}
END_TEST

START_TEST(test_field_limit)
{
    char out[256];
    ck_error err;
    ck_csv_options opt;
    ck_csv_options_init(&opt);
    opt.max_field = 8;
    const char *text = "a,b\n1,123456789\n";
    ck_assert_int_eq(read_all(text, strlen(text), &opt, out, sizeof out, &err), CK_EDATA);
    ck_assert_msg_contains(err, ":2:2: field longer than the limit of 8 bytes");
}
END_TEST

START_TEST(test_missing_file)
{
    ck_csv_reader *r;
    ck_error err;
    ck_assert_int_eq(ck_csv_open(&r, "/nonexistent/x.csv", NULL, &err), CK_EIO);
    ck_assert_msg_contains(err, "/nonexistent/x.csv: cannot open");
    ck_assert_ptr_null(r);
}
END_TEST

START_TEST(test_tiny_blocks_same_rows)
{
    /* rows, quotes and CRLFs split across every possible block boundary */
    const char *text = "\xEF\xBB\xBFid,name,v\r\n1,\"a,\"\"b\"\"\nc\",2.5\r\n\r\n2,plain,-1\r\n"
                       "3,\"\",\n";
    char want[512], got[512];
    ck_error err;
    ck_csv_options opt;
    ck_csv_options_init(&opt);
    ck_assert_int_eq(read_all(text, strlen(text), &opt, want, sizeof want, &err), CK_OK);
    ck_assert_str_eq(want, "1|a,\"b\"\nc|2.5@2;2|plain|-1@5;3||@6;");
    for (size_t bs = 1; bs < 16; bs++) {
        opt.block_size = bs;
        ck_assert_int_eq(read_all(text, strlen(text), &opt, got, sizeof got, &err), CK_OK);
        ck_assert_str_eq(got, want);
    }
}
END_TEST

START_TEST(test_no_header_mode)
{
    char out[256];
    ck_error err;
    ck_csv_options opt;
    ck_csv_options_init(&opt);
    opt.no_header = 1;
    const char *text = "1,2\n3,4\n";
    ck_assert_int_eq(read_all(text, strlen(text), &opt, out, sizeof out, &err), CK_OK);
    ck_assert_str_eq(out, "1|2@1;3|4@2;");
    static const char *names[] = {"x", "y", "z"};
    opt.names = names;
    opt.nnames = 3;
    ck_assert_int_eq(read_all(text, strlen(text), &opt, out, sizeof out, &err), CK_EDATA);
    ck_assert_msg_contains(err, ":1:3: row has 2 fields but the header has 3");
    /* an empty part is fine without a header */
    opt.nnames = 2;
    ck_assert_int_eq(read_all("", 0, &opt, out, sizeof out, &err), CK_OK);
}
END_TEST

START_TEST(test_stream_source)
{
    static char text[] = "a\n1\n2\n";
    FILE *fp = fmemopen(text, strlen(text), "rb");
    ck_csv_reader *r;
    ck_error err;
    ck_csv_row row;
    ck_assert_int_eq(ck_csv_open_stream(&r, fp, "memory", NULL, &err), CK_OK);
    ck_assert_str_eq(ck_csv_source(r), "memory");
    ck_assert_int_eq(ck_csv_next(r, &row, &err), 1);
    ck_assert_int_eq(ck_csv_next(r, &row, &err), 1);
    ck_assert_str_eq(row.field[0], "2");
    ck_assert_int_eq(ck_csv_next(r, &row, &err), 0);
    ck_assert_uint_eq(ck_csv_rows_read(r), 2);
    ck_csv_close(r);
    fclose(fp);
}
END_TEST

START_TEST(test_big_field_works)
{
    size_t big = 10u * 1024 * 1024;
    char *text = malloc(big + 16);
    memcpy(text, "a\n\"", 3);
    memset(text + 3, 'x', big);
    memcpy(text + 3 + big, "\"\n", 3);
    char *path = ck_test_write_bytes(text, big + 5);
    ck_csv_reader *r;
    ck_error err;
    ck_csv_row row;
    ck_assert_int_eq(ck_csv_open(&r, path, NULL, &err), CK_OK);
    ck_assert_int_eq(ck_csv_next(r, &row, &err), 1);
    ck_assert_uint_eq(row.len[0], big);
    ck_csv_close(r);
    unlink(path);
    free(path);
    free(text);
}
END_TEST


START_TEST(test_memory_reader_restarts)
{
    /* the same rows read whole from a file and block by block from memory */
    const char *blocks[] = {"1,\"a\nb\"\n2,x\n", "\n3,y\n", "4,z"};
    static const char *names[] = {"n", "s"};
    ck_csv_options o;
    ck_csv_options_init(&o);
    o.no_header = 1;
    o.names = names;
    o.nnames = 2;
    ck_csv_reader *r = NULL;
    ck_csv_row row;
    ck_error err;
    char got[256] = "";
    size_t used = 0;
    unsigned long offset = 0;
    for (int k = 0; k < 3; k++) {
        size_t len = strlen(blocks[k]);
        if (k == 0)
            ck_assert_int_eq(ck_csv_open_mem(&r, blocks[k], len, "mem", &o, &err), CK_OK);
        else
            ck_assert_int_eq(ck_csv_restart_mem(r, blocks[k], len, offset, &err), CK_OK);
        while (ck_csv_next(r, &row, &err) == 1)
            used += (size_t)snprintf(got + used, sizeof got - used, "%s|%s@%lu;", row.field[0],
                                     row.field[1], row.line);
        for (size_t i = 0; i < len; i++)
            offset += blocks[k][i] == '\n';
    }
    ck_assert_str_eq(got, "1|a\nb@1;2|x@3;3|y@5;4|z@6;");
    /* an error in a later block names its line */
    ck_assert_int_eq(ck_csv_restart_mem(r, "5\n", 2, 10, &err), CK_OK);
    ck_assert_int_eq(ck_csv_next(r, &row, &err), -1);
    ck_assert_msg_contains(err, "mem:11:2: row has 1 fields");
    ck_csv_close(r);
}
END_TEST

/* writer */

START_TEST(test_writer_quoting_round_trip)
{
    static const char *cells[] = {"plain", "a,b", "say \"hi\"", "two\nlines", " pad ",
                                  "", "cr\rhere", "x"};
    char *path = ck_test_write("");
    FILE *fp = fopen(path, "wb");
    ck_csv_writer *w = ck_csv_writer_new(fp, ',');
    for (size_t j = 0; j < 8; j++)
        ck_csv_write_cstr(w, (const char *[]){"h0", "h1", "h2", "h3", "h4", "h5", "h6", "h7"}[j]);
    ck_csv_end_row(w);
    for (size_t j = 0; j < 8; j++)
        ck_csv_write_cstr(w, cells[j]);
    ck_csv_end_row(w);
    ck_assert_int_eq(ck_csv_writer_flush(w), 0);
    ck_csv_writer_free(w);
    fclose(fp);

    ck_csv_reader *r;
    ck_error err;
    ck_csv_row row;
    ck_assert_int_eq(ck_csv_open(&r, path, NULL, &err), CK_OK);
    ck_assert_int_eq(ck_csv_next(r, &row, &err), 1);
    for (size_t j = 0; j < 8; j++)
        ck_assert_str_eq(row.field[j], cells[j]);
    ck_csv_close(r);
    char *text = ck_test_slurp(path);
    ck_assert(strstr(text, "plain,\"a,b\",\"say \"\"hi\"\"\"") != NULL);
    free(text);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(test_writer_numbers)
{
    char *path = ck_test_write("");
    FILE *fp = fopen(path, "wb");
    ck_csv_writer *w = ck_csv_writer_new(fp, ',');
    ck_csv_write_num(w, 0.1);
    ck_csv_write_num(w, 1.0 / 3.0);
    ck_csv_write_num(w, NAN);
    ck_csv_write_fixed(w, 0.98765432, 6);
    ck_csv_write_long(w, -42);
    ck_csv_end_row(w);
    ck_assert_int_eq(ck_csv_writer_flush(w), 0);
    ck_csv_writer_free(w);
    fclose(fp);
    char *text = ck_test_slurp(path);
    ck_assert_str_eq(text, "0.1,0.3333333333333333,,0.987654,-42\n");
    free(text);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(test_writer_reports_full_disk)
{
    FILE *fp = fopen("/dev/full", "wb");
    ck_assert_ptr_nonnull(fp);
    setvbuf(fp, NULL, _IONBF, 0);
    ck_csv_writer *w = ck_csv_writer_new(fp, ',');
    for (int i = 0; i < 100000; i++)
        ck_csv_write_cstr(w, "data");
    ck_csv_end_row(w);
    ck_assert_int_eq(ck_csv_writer_flush(w), -1);
    ck_csv_writer_free(w);
    fclose(fp);
}
END_TEST

/* ------------------------------------------------------------------ */
/* the fast path for lines without quotes against libcsv */

typedef struct text_buf {
    char *s;
    size_t n, cap;
} text_buf;

static void put(text_buf *t, const char *s, size_t n)
{
    if (t->n + n + 1 > t->cap) {
        t->cap = 2 * (t->n + n + 1);
        t->s = realloc(t->s, t->cap);
        ck_assert_ptr_nonnull(t->s);
    }
    memcpy(t->s + t->n, s, n);
    t->n += n;
    t->s[t->n] = '\0';
}

/* Everything a reader over text says -- the header, each row's line and
 * fields (with their lengths, so a NUL or a separator inside shows), then
 * the end or the error's status and message -- as one string (the
 * caller frees). */
static char *transcript(const char *text, size_t len, ck_csv_options opt)
{
    text_buf t = {0};
    ck_csv_reader *r;
    ck_error err;
    char num[64];
    ck_status st = ck_csv_open_mem(&r, text, len, "t.csv", &opt, &err);
    put(&t, "", 0);
    if (st == CK_OK) {
        ck_csv_row row;
        int rc;
        for (size_t j = 0; j < ck_csv_ncols(r); j++) {
            put(&t, ck_csv_name(r, j), strlen(ck_csv_name(r, j)));
            put(&t, "|", 1);
        }
        while ((rc = ck_csv_next(r, &row, &err)) == 1) {
            put(&t, num, (size_t)snprintf(num, sizeof num, "\n@%lu:", row.line));
            for (size_t j = 0; j < row.n; j++) {
                put(&t, num, (size_t)snprintf(num, sizeof num, "%zu=", row.len[j]));
                put(&t, row.field[j], row.len[j]);
                put(&t, "|", 1);
            }
        }
        st = rc < 0 ? err.status : CK_OK;
        ck_csv_close(r);
    }
    put(&t, num, (size_t)snprintf(num, sizeof num, "\nstatus %d ", (int)st));
    if (st != CK_OK)
        put(&t, err.message, strlen(err.message));
    return t.s;
}

/* The fast path and libcsv must say the same of text, in blocks of bs. */
static void same_both_ways(const char *text, size_t len, ck_csv_options opt, const char *what)
{
    opt.libcsv_only = 1;
    char *want = transcript(text, len, opt);
    opt.libcsv_only = 0;
    char *got = transcript(text, len, opt);
    ck_assert_msg(strcmp(got, want) == 0, "%s (block %zu, delim %c, no_header %d):\n%s\nvs libcsv:\n%s",
                  what, opt.block_size, opt.delim, opt.no_header, got, want);
    free(want);
    free(got);
}

static void all_ways(const char *text, size_t len, const char *what, size_t bs)
{
    ck_csv_options opt;
    ck_csv_options_init(&opt);
    opt.block_size = bs;
    opt.max_field = 40; /* so that the limit is met too */
    same_both_ways(text, len, opt, what);
    opt.delim = ';';
    same_both_ways(text, len, opt, what);
    opt.delim = ',';
    opt.no_header = 1;
    same_both_ways(text, len, opt, what);
}

/* What the block scorer makes of headerless text: ck_csv_plain_row's rows
 * while it takes them, then the reader from the first row it refuses, with
 * the lines counted so far as its line offset -- in transcript()'s form. */
static char *plain_transcript(char *text, size_t len, ck_csv_options opt)
{
    text_buf t = {0};
    const char *field[8];
    size_t flen[8], nf, pos = 0, n;
    unsigned long lines = 0;
    char num[64];
    while (pos < len && (n = ck_csv_plain_row(text + pos, len - pos, opt.delim, opt.nnames,
                                               opt.max_field, field, flen, &nf)) > 0) {
        ck_assert_uint_le(nf, 8);
        if (nf > 0) {
            put(&t, num, (size_t)snprintf(num, sizeof num, "\n@%lu:", lines + 1));
            for (size_t j = 0; j < nf; j++) {
                ck_assert_uint_eq(strlen(field[j]), flen[j]); /* NUL-terminated */
                put(&t, num, (size_t)snprintf(num, sizeof num, "%zu=", flen[j]));
                put(&t, field[j], flen[j]);
                put(&t, "|", 1);
            }
        }
        pos += n;
        lines++;
    }
    opt.line_offset = lines;
    char *rest = transcript(text + pos, len - pos, opt);
    /* the rest's transcript starts with the names, which go first */
    size_t names = strcspn(rest, "\n");
    text_buf all = {0};
    put(&all, rest, names);
    put(&all, t.s ? t.s : "", t.n);
    put(&all, rest + names, strlen(rest + names));
    free(rest);
    free(t.s);
    return all.s;
}

/* The plain rows and the reader must say the same of headerless text with
 * `ncols` names; the first line is left to the reader (a byte-order mark,
 * which the block scorer leaves to it too). */
static void plain_same(const char *text, size_t len, size_t ncols, char delim)
{
    static const char *const names[] = {"a", "b", "c", "d", "e", "f", "g", "h"};
    ck_csv_options opt;
    ck_csv_options_init(&opt);
    opt.no_header = 1;
    opt.names = names;
    opt.nnames = ncols;
    opt.delim = delim;
    opt.max_field = 40;
    char *want = transcript(text, len, opt);
    char *copy = malloc(len + 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, text, len);
    char *got = plain_transcript(copy, len, opt);
    ck_assert_msg(strcmp(got, want) == 0, "ncols %zu delim %c:\n%s\nvs the reader:\n%s", ncols,
                  delim, got, want);
    free(copy);
    free(want);
    free(got);
}

START_TEST(test_plain_rows_match_the_reader)
{
    /* random lines of plain text, blank lines, CRLF, lone CR, quotes, NUL,
     * rows of every width around ncols, a field over the limit */
    static const char pieces[] = "1,2,;;\n\n\r\n\r  x-2.5\t";
    unsigned long s = 77;
    char text[300];
    for (int i = 0; i < 6000; i++) {
        ck_test_lcg(&s);
        size_t len = (s >> 33) % sizeof text, ncols = 1 + (s >> 20) % 8;
        int rare = (s >> 24) % 3 == 0, long_rows = (s >> 28) % 2; /* rows over 16 bytes */
        for (size_t k = 0; k < len; k++) {
            ck_test_lcg(&s);
            unsigned pick = (unsigned)(s >> 40) % 1000;
            text[k] = rare && pick < 5   ? '"'
                      : rare && pick < 8 ? '\0'
                      : pick > 990       ? 'y'
                                         : pieces[pick % (sizeof pieces - 1)];
            if (long_rows && (text[k] == '\n' || text[k] == '\r') && pick % 8 != 0)
                text[k] = '5';
        }
        if ((s >> 50) % 7 == 0 && len > 50) /* a field longer than 40 bytes */
            memset(text + len / 2, 'z', 45);
        plain_same(text, len, ncols, (s >> 55) % 2 ? ',' : ';');
    }
    /* the plain shapes: every row taken, the last without a line end left
     * to the reader */
    static const char shapes[] = "1,2\n3,4\r\n\n5,6";
    plain_same(shapes, sizeof shapes - 1, 2, ',');
}
END_TEST

START_TEST(test_fast_path_matches_libcsv_on_corpus)
{
    const char *dir = CK_TEST_DATA "/../fuzz/corpus/csv";
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t files = 0;
    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *fp = fopen(path, "rb");
        ck_assert_ptr_nonnull(fp);
        char *text = malloc(1 << 20);
        size_t len = fread(text, 1, 1 << 20, fp);
        fclose(fp);
        size_t sizes[] = {1, 3, 17, 256 * 1024};
        for (size_t k = 0; k < 4; k++)
            all_ways(text, len, path, sizes[k]);
        free(text);
        files++;
    }
    closedir(d);
    ck_assert_uint_gt(files, 100);
}
END_TEST

START_TEST(test_fast_path_matches_libcsv_on_random_text)
{
    /* mostly plain text (quotes in one text of four), every line end and
     * blank-line form, spaces, both delimiters, a rare NUL; random blocks */
    static const char plain[] = "a1,,,;;\n\n\r\n\r  x-2.5";
    unsigned long s = 2024;
    char text[256];
    for (int i = 0; i < 4000; i++) {
        ck_test_lcg(&s);
        size_t len = (s >> 33) % sizeof text;
        int quotes = (s >> 20) % 4 == 0;
        for (size_t k = 0; k < len; k++) {
            ck_test_lcg(&s);
            unsigned pick = (unsigned)(s >> 40) % 1000;
            text[k] = quotes && pick < 40 ? '"' : pick == 999 ? '\0' : plain[pick % (sizeof plain - 1)];
        }
        all_ways(text, len, "random text", 1 + (s >> 50) % 40);
    }
}
END_TEST

static Suite *csv_suite(void)
{
    Suite *s = suite_create("csv");
    TCase *tc = tcase_create("reader");
    tcase_add_test(tc, test_basic_rows_and_lines);
    tcase_add_test(tc, test_row_end_scan_paths);
    tcase_add_test(tc, test_header_names);
    tcase_add_test(tc, test_no_final_newline);
    tcase_add_test(tc, test_bom_is_stripped);
    tcase_add_test(tc, test_crlf_line_ends);
    tcase_add_test(tc, test_cr_only_line_ends);
    tcase_add_test(tc, test_quoted_fields);
    tcase_add_test(tc, test_spaces_are_kept);
    tcase_add_test(tc, test_other_delimiters);
    tcase_add_test(tc, test_blank_lines_skipped);
    tcase_add_test(tc, test_quoted_empty_is_a_value);
    tcase_add_test(tc, test_short_row_error);
    tcase_add_test(tc, test_long_row_error);
    tcase_add_test(tc, test_quote_inside_unquoted_field);
    tcase_add_test(tc, test_text_after_closing_quote);
    tcase_add_test(tc, test_unterminated_quote);
    tcase_add_test(tc, test_duplicate_header);
    tcase_add_test(tc, test_empty_header_name);
    tcase_add_test(tc, test_empty_file);
    tcase_add_test(tc, test_header_only_has_no_rows);
    tcase_add_test(tc, test_nul_byte);
    tcase_add_test(tc, test_field_limit);
    tcase_add_test(tc, test_missing_file);
    tcase_add_test(tc, test_tiny_blocks_same_rows);
    tcase_add_test(tc, test_fast_path_matches_libcsv_on_corpus);
    tcase_add_test(tc, test_fast_path_matches_libcsv_on_random_text);
    tcase_add_test(tc, test_plain_rows_match_the_reader);
    tcase_add_test(tc, test_no_header_mode);
    tcase_add_test(tc, test_stream_source);
    tcase_add_test(tc, test_big_field_works);
    tcase_add_test(tc, test_memory_reader_restarts);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    TCase *tw = tcase_create("writer");
    tcase_add_test(tw, test_writer_quoting_round_trip);
    tcase_add_test(tw, test_writer_numbers);
    tcase_add_test(tw, test_writer_reports_full_disk);
    suite_add_tcase(s, tw);
    return s;
}

CK_TEST_MAIN(csv_suite)
