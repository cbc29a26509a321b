/* svm_text.c -- libsvm's model text read and written in memory (see
 * svm_text.h). */
#include "churnkit/svm_text.h"

#include <errno.h>
#include <libsvm/svm.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libsvm's own names, indexed by its enums (svm.cpp's tables). */
static const char *const svm_types[] = {"c_svc", "nu_svc", "one_class", "epsilon_svr",
                                        "nu_svr"};
static const char *const kernels[] = {"linear", "polynomial", "rbf", "sigmoid",
                                      "precomputed"};

typedef struct cursor {
    const char *p;
    unsigned long line;
    ck_error *err;
} cursor;

static ck_status bad(const cursor *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static ck_status bad(const cursor *c, const char *fmt, ...)
{
    char what[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return ck_error_set(c->err, CK_EMODEL, "libsvm text line %lu: %s", c->line, what);
}

/* As error.h does for ck_error_set: the analyzer follows no variadic call,
 * so for it alone bad()'s value is spelled out. */
#ifdef __clang_analyzer__
#define bad(c, ...) ((bad)(c, __VA_ARGS__), CK_EMODEL)
#endif

static int blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

static int ends_token(char ch)
{
    return blank(ch) || ch == '\n' || ch == '\0';
}

static int token_len(const char *p)
{
    int n = 0;
    while (!ends_token(p[n]) && n < 40)
        n++;
    return n;
}

/* Skips the blanks before a token; 0 when the line ends first. */
static int token(cursor *c)
{
    while (blank(*c->p))
        c->p++;
    return *c->p != '\n' && *c->p != '\0';
}

/* A finite number right at the cursor (strtod skips blanks and newlines,
 * which would let a value run into the next line: refused first). */
static ck_status number(cursor *c, const char *what, double *out)
{
    char *end;
    if (ends_token(*c->p))
        return bad(c, "%s is missing", what);
    *out = strtod(c->p, &end);
    if (end == c->p || !ends_token(*end))
        return bad(c, "%s is not a number: '%.*s'", what, token_len(c->p), c->p);
    if (!isfinite(*out))
        return bad(c, "%s is not finite: '%.*s'", what, token_len(c->p), c->p);
    c->p = end;
    return CK_OK;
}

static ck_status real(cursor *c, const char *what, double *out)
{
    return token(c) ? number(c, what, out) : bad(c, "%s is missing", what);
}

static ck_status integer(cursor *c, const char *what, long lo, long hi, long *out)
{
    char *end;
    if (!token(c))
        return bad(c, "%s is missing", what);
    errno = 0;
    *out = strtol(c->p, &end, 10);
    if (end == c->p || !ends_token(*end))
        return bad(c, "%s is not a whole number: '%.*s'", what, token_len(c->p), c->p);
    if (errno || *out < lo || *out > hi)
        return bad(c, "%s is %.*s, outside %ld..%ld", what, token_len(c->p), c->p, lo, hi);
    c->p = end;
    return CK_OK;
}

static ck_status end_line(cursor *c)
{
    while (blank(*c->p))
        c->p++;
    if (*c->p == '\0')
        return CK_OK;
    if (*c->p != '\n')
        return bad(c, "unexpected '%.*s' at the end of the line", token_len(c->p), c->p);
    c->p++;
    c->line++;
    return CK_OK;
}

/* The header's lines come in the order svm_save_model writes them: libsvm
 * reads some of them with counts taken from earlier ones. */
static ck_status key(cursor *c, const char *want)
{
    size_t k = strlen(want);
    if (strncmp(c->p, want, k) == 0 && ends_token(c->p[k])) {
        c->p += k;
        return CK_OK;
    }
    if (*c->p == '\0')
        return bad(c, "the text ends where '%s' should be", want);
    return bad(c, "'%s' is missing (found '%.*s')", want, token_len(c->p), c->p);
}

/* A header word that must be one of names[0..n), and the one wanted. */
static ck_status choice(cursor *c, const char *what, const char *const *names, int n,
                        int *out)
{
    if (!token(c))
        return bad(c, "%s is missing", what);
    int len = token_len(c->p);
    for (int k = 0; k < n; k++)
        if ((int)strlen(names[k]) == len && strncmp(c->p, names[k], (size_t)len) == 0) {
            *out = k;
            c->p += len;
            return CK_OK;
        }
    return bad(c, "%s '%.*s' is not one libsvm knows", what, len, c->p);
}

/* The pair lines of a two-class model's header, label and nr_sv (the
 * caller checks them and ends the line). */
static ck_status pair(cursor *c, const char *name, long lo, long hi, int out[2])
{
    long v[2] = {0, 0};
    ck_status st = key(c, name);
    for (int k = 0; k < 2 && st == CK_OK; k++)
        st = integer(c, name, lo, hi, &v[k]);
    if (st == CK_OK) {
        out[0] = (int)v[0];
        out[1] = (int)v[1];
    }
    return st;
}

static ck_status one_real(cursor *c, const char *name, double *out)
{
    ck_status st = key(c, name);
    if (st == CK_OK)
        st = real(c, name, out);
    return st == CK_OK ? end_line(c) : st;
}

static ck_status one_int(cursor *c, const char *name, long lo, long hi, long *out)
{
    ck_status st = key(c, name);
    if (st == CK_OK)
        st = integer(c, name, lo, hi, out);
    return st == CK_OK ? end_line(c) : st;
}

/* svm_type and kernel_type: only what churnkit trains is taken, so a
 * precomputed kernel (whose vectors libsvm reads as row numbers into a
 * matrix churnkit never has) or a one-class model is a damaged file. */
static ck_status read_kind(cursor *c, int regression, struct svm_parameter *par)
{
    int want = regression ? EPSILON_SVR : C_SVC;
    ck_status st = key(c, "svm_type");
    if (st == CK_OK && (st = choice(c, "svm_type", svm_types, 5, &par->svm_type)) == CK_OK &&
        par->svm_type != want)
        return bad(c, "svm_type is '%s', but a %s model is '%s'", svm_types[par->svm_type],
                   regression ? "regression" : "classification", svm_types[want]);
    if (st != CK_OK || (st = end_line(c)) != CK_OK || (st = key(c, "kernel_type")) != CK_OK ||
        (st = choice(c, "kernel_type", kernels, 5, &par->kernel_type)) != CK_OK)
        return st;
    if (par->kernel_type != LINEAR && par->kernel_type != RBF)
        return bad(c, "kernel_type is '%s'; churnkit's SVMs are 'linear' or 'rbf'",
                   kernels[par->kernel_type]);
    if ((st = end_line(c)) != CK_OK || par->kernel_type != RBF)
        return st;
    if ((st = key(c, "gamma")) != CK_OK || (st = real(c, "gamma", &par->gamma)) != CK_OK)
        return st;
    return par->gamma > 0 ? end_line(c) : bad(c, "gamma must be positive");
}

/* Allocates what the header sizes; every pointer libsvm frees is set (or
 * NULL) before anything can fail, so svm_free_and_destroy_model cleans up
 * any state. */
static int alloc_model(struct svm_model *m, int classify)
{
    size_t l = m->l > 0 ? (size_t)m->l : 1;
    m->nr_class = 2;
    m->free_sv = 1;
    m->SV = calloc(l, sizeof *m->SV);
    m->sv_coef = calloc(1, sizeof *m->sv_coef);
    if (m->sv_coef)
        m->sv_coef[0] = malloc(l * sizeof **m->sv_coef);
    m->rho = malloc(sizeof *m->rho);
    if (classify) {
        m->label = malloc(2 * sizeof *m->label);
        m->nSV = malloc(2 * sizeof *m->nSV);
        m->probA = malloc(sizeof *m->probA);
        m->probB = malloc(sizeof *m->probB);
    }
    return m->SV && m->sv_coef && m->sv_coef[0] && m->rho &&
           (!classify || (m->label && m->nSV && m->probA && m->probB));
}

/* Lines left in the text (a last line without its newline counts). */
static long count_lines(const char *p)
{
    long n = 0;
    while (*p) {
        const char *nl = strchr(p, '\n');
        n++;
        if (!nl)
            break;
        p = nl + 1;
    }
    return n;
}

static ck_status read_counts(cursor *c, int regression, struct svm_model *m)
{
    long k = 0, l = 0;
    ck_status st = one_int(c, "nr_class", 2, 2, &k);
    if (st != CK_OK || (st = key(c, "total_sv")) != CK_OK ||
        (st = integer(c, "total_sv", 0, INT_MAX - 1, &l)) != CK_OK)
        return st;
    /* sizes from the text are bounded by the text before anything is
     * allocated for them (the exact count is checked at the vectors) */
    if (l > count_lines(c->p))
        return bad(c, "total_sv is %ld, more than the lines that follow", l);
    if ((st = end_line(c)) != CK_OK)
        return st;
    m->l = (int)l;
    if (!alloc_model(m, !regression))
        return ck_error_set(c->err, CK_ENOMEM, "out of memory");
    return one_real(c, "rho", m->rho);
}

/* A C-SVC's labels (churnkit's classes are 0 and 1), its Platt
 * probabilities and the vectors of each class. */
static ck_status read_classes(cursor *c, struct svm_model *m)
{
    ck_status st = pair(c, "label", 0, 1, m->label);
    if (st == CK_OK && m->label[0] == m->label[1])
        return bad(c, "label must list the classes 0 and 1 once each");
    if (st != CK_OK || (st = end_line(c)) != CK_OK ||
        (st = one_real(c, "probA", m->probA)) != CK_OK ||
        (st = one_real(c, "probB", m->probB)) != CK_OK ||
        (st = pair(c, "nr_sv", 0, INT_MAX - 1, m->nSV)) != CK_OK)
        return st;
    if ((long)m->nSV[0] + m->nSV[1] != m->l)
        return bad(c, "nr_sv %d + %d disagrees with total_sv %d", m->nSV[0], m->nSV[1], m->l);
    return end_line(c);
}

/* One support vector: its coefficient, then INDEX:VALUE pairs with the
 * indices rising within 1..width, then the terminator libsvm expects. */
static ck_status read_vector(cursor *c, size_t width, double *coef, struct svm_node **at)
{
    struct svm_node *nd = *at;
    long prev = 0;
    ck_status st = real(c, "the coefficient", coef);
    while (st == CK_OK && token(c)) {
        char *end;
        errno = 0;
        long idx = strtol(c->p, &end, 10);
        if (end == c->p || *end != ':' || errno)
            return bad(c, "expected INDEX:VALUE, found '%.*s'", token_len(c->p), c->p);
        if (idx <= prev || (size_t)idx > width)
            return bad(c, "feature %ld is out of order or outside 1..%zu (the columns the "
                          "pipeline encodes)", idx, width);
        c->p = end + 1;
        if ((st = number(c, "a feature value", &nd->value)) == CK_OK) {
            nd->index = (int)idx;
            prev = idx;
            nd++;
        }
    }
    nd->index = -1;
    nd->value = 0;
    *at = nd + 1;
    return st == CK_OK ? end_line(c) : st;
}

static ck_status read_vectors(cursor *c, size_t width, struct svm_model *m)
{
    long listed = count_lines(c->p);
    size_t colons = 0;
    if (listed != m->l)
        return bad(c, "total_sv is %d, but %ld support vectors follow", m->l, listed);
    if (m->l == 0)
        return CK_OK;
    for (const char *q = c->p; *q; q++)
        colons += *q == ':';
    /* every node but the terminators takes a colon */
    if (colons > SIZE_MAX / sizeof(struct svm_node) - (size_t)m->l ||
        !(m->SV[0] = malloc((colons + (size_t)m->l) * sizeof(struct svm_node))))
        return ck_error_set(c->err, CK_ENOMEM, "out of memory");
    struct svm_node *at = m->SV[0];
    ck_status st = CK_OK;
    for (int i = 0; i < m->l && st == CK_OK; i++) {
        m->SV[i] = at;
        st = read_vector(c, width, &m->sv_coef[0][i], &at);
    }
    return st;
}

static ck_status parse(cursor *c, size_t width, int regression, struct svm_model *m)
{
    ck_status st = read_kind(c, regression, &m->param);
    if (st == CK_OK)
        st = read_counts(c, regression, m);
    if (st == CK_OK && !regression)
        st = read_classes(c, m);
    if (st == CK_OK && (st = key(c, "SV")) == CK_OK && (st = end_line(c)) == CK_OK)
        st = read_vectors(c, width, m);
    return st;
}

ck_status ck_svm_text_read(const char *text, size_t width, int regression,
                           struct svm_model **out, ck_error *err)
{
    cursor c = {text, 1, err};
    struct svm_model *m = calloc(1, sizeof *m);
    *out = NULL;
    if (!m)
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    ck_status st = parse(&c, width, regression, m);
    if (st != CK_OK) {
        svm_free_and_destroy_model(&m);
        return st;
    }
    m->param.probability = !regression;
    *out = m;
    return CK_OK;
}

/* ------------------------------------------------------------------ */
/* writing: svm_save_model's format, byte for byte (its fprintf calls, in
 * the "C" locale it switches to; churnkit never changes the locale) */

static void write_header(FILE *fp, const struct svm_model *m)
{
    const struct svm_parameter *par = &m->param;
    int k = m->nr_class, npairs = k * (k - 1) / 2;
    fprintf(fp, "svm_type %s\n", svm_types[par->svm_type]);
    fprintf(fp, "kernel_type %s\n", kernels[par->kernel_type]);
    if (par->kernel_type == POLY)
        fprintf(fp, "degree %d\n", par->degree);
    if (par->kernel_type == POLY || par->kernel_type == RBF || par->kernel_type == SIGMOID)
        fprintf(fp, "gamma %.17g\n", par->gamma);
    if (par->kernel_type == POLY || par->kernel_type == SIGMOID)
        fprintf(fp, "coef0 %.17g\n", par->coef0);
    fprintf(fp, "nr_class %d\ntotal_sv %d\nrho", k, m->l);
    for (int i = 0; i < npairs; i++)
        fprintf(fp, " %.17g", m->rho[i]);
    fputc('\n', fp);
    if (m->label) {
        fputs("label", fp);
        for (int i = 0; i < k; i++)
            fprintf(fp, " %d", m->label[i]);
        fputc('\n', fp);
    }
    for (int w = 0; w < 2; w++) {
        const double *p = w ? m->probB : m->probA;
        if (!p)
            continue;
        fputs(w ? "probB" : "probA", fp);
        for (int i = 0; i < npairs; i++)
            fprintf(fp, " %.17g", p[i]);
        fputc('\n', fp);
    }
    if (m->nSV) {
        fputs("nr_sv", fp);
        for (int i = 0; i < k; i++)
            fprintf(fp, " %d", m->nSV[i]);
        fputc('\n', fp);
    }
}

static void write_vectors(FILE *fp, const struct svm_model *m)
{
    fputs("SV\n", fp);
    for (int i = 0; i < m->l; i++) {
        for (int j = 0; j < m->nr_class - 1; j++)
            fprintf(fp, "%.17g ", m->sv_coef[j][i]);
        for (const struct svm_node *p = m->SV[i]; p->index != -1; p++)
            fprintf(fp, "%d:%.8g ", p->index, p->value);
        fputc('\n', fp);
    }
}

char *ck_svm_text_write(const struct svm_model *m)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *fp = open_memstream(&buf, &n);
    if (!fp)
        return NULL;
    write_header(fp, m);
    write_vectors(fp, m);
    int failed = ferror(fp);
    if (fclose(fp) != 0 || failed) {
        free(buf);
        return NULL;
    }
    return buf;
}
