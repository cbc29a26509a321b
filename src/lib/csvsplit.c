/* csvsplit.c -- a CSV file cut into parts of whole rows, for parsing them in
 * parallel (csv.h's ck_csv_split).
 *
 * Most files hold no quote, and then every line end is a row end: the
 * parts' starts are found by reading the file in as many ranges as parts,
 * side by side -- each range counting its line ends and looking for a quote,
 * each start resynchronised on the first line end at or after its target
 * (as parallel CSV readers do) -- instead of one scan from the first byte to
 * the last.  A quote anywhere after the header sends the cut back to that
 * serial scan, which follows quotes.  Both give the same cut (test_table).
 */
#include "churnkit/csv.h"
#include "churnkit/parallel.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

typedef struct split_state {
    size_t nparts, k;             /* parts, and the next start to find */
    unsigned long long *start, size;
    unsigned long *lines;
    unsigned long long first;     /* first byte of the header row */
    int first_known;
    ck_csv_scan scan;             /* quotes and line ends so far */
} split_state;

/* Where the search for start[k] begins: the header row's first byte for
 * k = 0, else an even share of the data after the header.  start[k] is the
 * end of the first row whose line end lies at or after it. */
static unsigned long long split_target(const split_state *s)
{
    if (s->k == 0)
        return s->first;
    unsigned long long data = s->size - s->start[0];
    return s->start[0] + data / s->nparts * s->k;
}

/* Finds the header row's first byte: the first that is not a byte-order
 * mark at the start of the file or a line end. */
static void find_first(split_state *s, const char *buf, size_t n, unsigned long long off)
{
    size_t i = (off == 0 && n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
    while (i < n && (buf[i] == '\r' || buf[i] == '\n'))
        i++;
    s->scan.lines += ck_csv_line_ends(buf, i, &s->scan.cr);
    if (i < n) {
        s->first = off + i;
        s->first_known = 1;
    }
}

/* The starts that lie in a block read at file offset off. */
static void split_block(split_state *s, const char *buf, size_t n, unsigned long long off)
{
    size_t i = 0;
    while (s->k < s->nparts) {
        unsigned long long t = split_target(s);
        size_t from = t > off + i ? (size_t)(t - off - i) : 0;
        size_t at = ck_csv_scan_row_end(&s->scan, buf + i, n - i, from);
        if (!at)
            return; /* the scan covered the rest of the block */
        i += at;
        /* this row end serves every target up to its line end: a target
         * already passed makes an empty part */
        do {
            s->start[s->k] = off + i;
            s->lines[s->k] = s->scan.lines;
            s->k++;
        } while (s->k < s->nparts && split_target(s) < off + i);
    }
    s->scan.lines += ck_csv_line_ends(buf + i, n - i, &s->scan.cr); /* all found */
}

/* The serial cut: one quote-aware scan from the start of the file; with
 * header_only, it stops once start[0] and lines[0] (the header's end) are
 * known and leaves the rest of start and lines unset, with *size set. */
static ck_status split_serial(const char *path, size_t nparts, unsigned long long *start,
                              unsigned long *lines, int header_only, unsigned long long *size,
                              ck_error *err)
{
    enum { BLOCK = 1 << 20 };
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return ck_error_set(err, CK_EIO, "%s: cannot open: %s", path, strerror(errno));
    char *buf = malloc(BLOCK);
    if (!buf) {
        fclose(fp);
        return ck_error_set(err, CK_ENOMEM, "%s: out of memory", path);
    }
    split_state s = {.nparts = nparts, .start = start, .lines = lines};
    fseeko(fp, 0, SEEK_END);
    s.size = (unsigned long long)ftello(fp);
    rewind(fp);
    unsigned long long off = 0;
    size_t n;
    *size = s.size;
    while ((!header_only || s.k == 0) && (n = fread(buf, 1, BLOCK, fp)) > 0) {
        size_t skip = 0;
        if (!s.first_known) { /* blank lines before the header */
            find_first(&s, buf, n, off);
            skip = s.first_known ? (size_t)(s.first - off) : n;
        }
        if (s.first_known)
            split_block(&s, buf + skip, n - skip, off + skip);
        off += n;
    }
    int failed = ferror(fp) ? errno : 0;
    free(buf);
    fclose(fp);
    if (failed)
        return ck_error_set(err, CK_EIO, "%s: read error: %s", path, strerror(failed));
    if (header_only && s.k > 0)
        return CK_OK;
    for (; s.k < nparts; s.k++) { /* no row end after the target */
        start[s.k] = s.size;
        lines[s.k] = s.scan.lines;
    }
    start[nparts] = s.size;
    lines[nparts] = s.scan.lines;
    return CK_OK;
}

/* ------------------------------------------------------------------ */
/* the parallel cut, for files without quotes */

enum { RANGE_BLOCK = 1 << 20 };

/* One range of the data after the header, [begin, end): what its thread
 * finds there. */
typedef struct range_job {
    int fd;
    unsigned long long begin, end, size;
    int quote;                 /* a quote in the range */
    unsigned long ends;        /* line ends in the range (a CR, or an LF not
                                  after a CR) */
    unsigned long long cut;    /* just past the first line end at or after
                                  begin (the LF of a CRLF), or size */
    unsigned long ends_to_cut; /* line ends in [begin, cut) */
    int errnum;                /* a failed read */
} range_job;

/* Reads [at, at + n) of fd into buf (fewer at the end of the file): the
 * byte count, or -1 with errno set. */
static ssize_t read_at(int fd, char *buf, size_t n, unsigned long long at)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, buf + got, n - got, (off_t)(at + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

#ifdef __SSE2__
/* The set bits of a 16-bit mask (SWAR: x86-64's baseline has no popcnt
 * instruction, and the compiler's fallback is a call). */
static inline unsigned bits16(unsigned m)
{
    m = m - ((m >> 1) & 0x5555u);
    m = (m & 0x3333u) + ((m >> 2) & 0x3333u);
    m = (m + (m >> 4)) & 0x0f0fu;
    return (m + (m >> 8)) & 0x1fu;
}
#endif

/* Line ends and quotes in s[0..n), prev the byte before s[0] ('\0' for
 * none): ck_csv_line_ends' rule, 16 bytes at a time where SSE2 is there. */
static unsigned long count_ends(const char *s, size_t n, char *prev, int *quote)
{
    unsigned long ends = 0;
    size_t i = 0;
#ifdef __SSE2__
    const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r'), q = _mm_set1_epi8('"');
    unsigned carry = *prev == '\r'; /* a CR just before the chunk */
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        unsigned l = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf));
        unsigned c = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, cr));
        *quote |= _mm_movemask_epi8(_mm_cmpeq_epi8(v, q)) != 0;
        /* every CR, and every LF whose byte before is not a CR */
        ends += bits16(c) + bits16(l & ~((c << 1) | carry) & 0xffffu);
        carry = c >> 15;
    }
    if (i > 0)
        *prev = s[i - 1];
#endif
    for (; i < n; i++) {
        char b = s[i];
        ends += b == '\r' || (b == '\n' && *prev != '\r');
        *quote |= b == '"';
        *prev = b;
    }
    return ends;
}

/* The first CR or LF of buf (n bytes read at file offset at; prev the byte
 * before them) sets the cut for target begin: past it, and past the LF of
 * a CRLF, with the line ends before the cut (none but that one: an LF
 * right after a CR belongs to the CR).  1 when found, 0 when buf has none,
 * -1 when the byte after a final CR could not be read. */
static int cut_in(range_job *j, const char *buf, size_t n, unsigned long long at, char prev)
{
    size_t i = 0;
    while (i < n && buf[i] != '\r' && buf[i] != '\n')
        i++;
    if (i == n)
        return 0;
    char after = i + 1 < n ? buf[i + 1] : '\0';
    if (buf[i] == '\r' && i + 1 == n && at + n < j->size &&
        read_at(j->fd, &after, 1, at + n) != 1)
        return -1;
    j->cut = at + i + 1 + (buf[i] == '\r' && after == '\n');
    j->ends_to_cut = buf[i] == '\r' || (i > 0 ? buf[i - 1] : prev) != '\r';
    return 1;
}

/* One pass over the range counts its line ends and quotes and finds its
 * cut in the same blocks, reading on past the range only while the cut is
 * not found (a row longer than the range). */
static void range_chunk(void *arg, size_t k, size_t worker)
{
    (void)worker;
    range_job *j = (range_job *)arg + k;
    char *buf = malloc(RANGE_BLOCK), prev = '\0';
    int found = 0;
    j->cut = j->size;
    if (!buf || (j->begin > 0 && read_at(j->fd, &prev, 1, j->begin - 1) != 1)) {
        j->errnum = buf ? (errno ? errno : EIO) : ENOMEM;
        free(buf);
        return;
    }
    for (unsigned long long at = j->begin; at < j->size && (at < j->end || !found);) {
        unsigned long long stop = at < j->end ? j->end : j->size;
        size_t want = stop - at < RANGE_BLOCK ? (size_t)(stop - at) : RANGE_BLOCK;
        ssize_t n = read_at(j->fd, buf, want, at);
        if (n < 0 || (size_t)n != want) {
            j->errnum = n < 0 ? errno : EIO;
            break;
        }
        if (!found && (found = cut_in(j, buf, want, at, prev)) < 0) {
            j->errnum = errno ? errno : EIO;
            break;
        }
        /* past the range prev stays the last byte counted: no CR (the
         * cut would have been found), which is all cut_in asks of it */
        if (at < j->end)
            j->ends += count_ends(buf, want, &prev, &j->quote);
        at += want;
    }
    free(buf);
}

/* The starts after start[0] from the ranges' findings; 1 when a quote
 * makes them wrong (the serial scan must cut). */
static int starts_from_ranges(const range_job *job, size_t nparts, unsigned long long *start,
                              unsigned long *lines)
{
    unsigned long before = lines[0]; /* line ends before job[k].begin */
    for (size_t k = 0; k < nparts; k++)
        if (job[k].quote)
            return 1;
    for (size_t k = 1; k <= nparts; k++) {
        before += job[k - 1].ends;
        start[k] = k < nparts ? job[k].cut : job[k - 1].size;
        lines[k] = before + (k < nparts ? job[k].ends_to_cut : 0);
    }
    return 0;
}

ck_status ck_csv_split(const char *path, size_t nparts, unsigned long long *start,
                       unsigned long *lines, ck_error *err)
{
    unsigned long long size;
    ck_status st = split_serial(path, nparts, start, lines, 1, &size, err);
    if (st != CK_OK)
        return st;
    int fd = open(path, O_RDONLY);
    range_job *job = calloc(nparts, sizeof *job);
    if (fd < 0 || !job) {
        st = fd < 0 ? ck_error_set(err, CK_EIO, "%s: cannot open: %s", path, strerror(errno))
                    : ck_error_set(err, CK_ENOMEM, "%s: out of memory", path);
        free(job);
        if (fd >= 0)
            close(fd);
        return st;
    }
    /* the serial cut's targets: even shares of the data after the header */
    unsigned long long data = size - start[0];
    for (size_t k = 0; k < nparts; k++)
        job[k] = (range_job){.fd = fd, .begin = start[0] + data / nparts * k,
                             .end = k + 1 < nparts ? start[0] + data / nparts * (k + 1) : size,
                             .size = size};
    ck_parallel_for(nparts, 0, range_chunk, job);
    close(fd);
    for (size_t k = 0; k < nparts && st == CK_OK; k++)
        if (job[k].errnum)
            st = ck_error_set(err, CK_EIO, "%s: read error: %s", path, strerror(job[k].errnum));
    int quoted = st == CK_OK && starts_from_ranges(job, nparts, start, lines);
    free(job);
    if (quoted)
        st = split_serial(path, nparts, start, lines, 0, &size, err);
    return st;
}
