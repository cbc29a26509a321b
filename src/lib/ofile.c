/* ofile.c -- all-or-nothing output files (see ofile.h). */
#include "churnkit/ofile.h"
#include "churnkit/str.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ck_ofile {
    FILE *fp;
    char *path;   /* destination */
    char *tmp;    /* temporary name, NULL when writing in place */
    int is_stdout;
};

/* ".NAME.tmp-XXXXXX" beside NAME. */
static char *temp_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    const char *base = path + dirlen;
    size_t n = dirlen + 1 + strlen(base) + sizeof ".tmp-XXXXXX";
    char *t = malloc(n);
    if (t)
        snprintf(t, n, "%.*s.%s.tmp-XXXXXX", (int)dirlen, path, base);
    return t;
}

ck_status ck_ofile_open(ck_ofile **out, const char *path, ck_error *err)
{
    struct stat st;
    ck_ofile *f = calloc(1, sizeof *f);
    *out = NULL;
    if (!f || !(f->path = strdup(path))) {
        free(f);
        return ck_error_set(err, CK_ENOMEM, "%s: out of memory", path);
    }
    if (strcmp(path, "-") == 0) {
        f->fp = stdout;
        f->is_stdout = 1;
    } else if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) {
            ck_ofile_abort(f);
            return ck_error_set(err, CK_EIO, "%s: is a directory", path);
        }
        f->fp = fopen(path, "wb");
        if (!f->fp) {
            int e = errno;
            ck_ofile_abort(f);
            return ck_error_set(err, CK_EIO, "%s: cannot open for writing: %s", path, strerror(e));
        }
    } else {
        f->tmp = temp_name(path);
        if (!f->tmp) {
            ck_ofile_abort(f);
            return ck_error_set(err, CK_ENOMEM, "%s: out of memory", path);
        }
        int fd = mkstemp(f->tmp);
        if (fd < 0) {
            int e = errno;
            free(f->tmp);
            f->tmp = NULL;
            ck_ofile_abort(f);
            return ck_error_set(err, CK_EIO, "%s: cannot create output file: %s", path, strerror(e));
        }
        /* mkstemp makes 0600; outputs are ordinary readable files */
        (void)fchmod(fd, 0644);
        f->fp = fdopen(fd, "wb");
        if (!f->fp) {
            int e = errno;
            close(fd);
            ck_ofile_abort(f);
            return ck_error_set(err, CK_EIO, "%s: cannot open for writing: %s", path, strerror(e));
        }
    }
    static const size_t bufsize = 1 << 16;
    (void)setvbuf(f->fp, NULL, _IOFBF, bufsize);
    *out = f;
    return CK_OK;
}

FILE *ck_ofile_stream(ck_ofile *f)
{
    return f->fp;
}

static void ofile_free(ck_ofile *f)
{
    free(f->path);
    free(f->tmp);
    free(f);
}

ck_status ck_ofile_commit(ck_ofile *f, ck_error *err)
{
    ck_status st = CK_OK;
    int e = 0;
    if (fflush(f->fp) != 0 || ferror(f->fp))
        e = errno ? errno : EIO;
    if (!e && f->tmp && fsync(fileno(f->fp)) != 0)
        e = errno;
    if (f->is_stdout) {
        if (e)
            st = ck_error_set(err, CK_EIO, "standard output: write error: %s", strerror(e));
        ofile_free(f);
        return st;
    }
    if (fclose(f->fp) != 0 && !e)
        e = errno ? errno : EIO;
    f->fp = NULL;
    if (!e && f->tmp && rename(f->tmp, f->path) != 0)
        e = errno;
    if (e) {
        st = ck_error_set(err, CK_EIO, "%s: write error: %s", f->path, strerror(e));
        if (f->tmp)
            (void)remove(f->tmp);
    }
    ofile_free(f);
    return st;
}

void ck_ofile_abort(ck_ofile *f)
{
    if (!f)
        return;
    if (f->fp && !f->is_stdout)
        fclose(f->fp);
    else if (f->fp)
        fflush(f->fp);
    if (f->tmp)
        (void)remove(f->tmp);
    ofile_free(f);
}

ck_status ck_ofile_check(const char *path, ck_error *err)
{
    struct stat st;
    if (!path || !path[0])
        return ck_error_set(err, CK_EUSAGE, "an output path is empty");
    if (strcmp(path, "-") == 0)
        return CK_OK;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode))
            return ck_error_set(err, CK_EIO, "%s: is a directory", path);
        if (access(path, W_OK) != 0)
            return ck_error_set(err, CK_EIO, "%s: cannot open for writing: %s", path,
                                strerror(errno));
        return CK_OK;
    }
    /* the very temporary ck_ofile_open makes: whatever stops it (no such
     * directory, no permission, a file where a directory should be, a
     * read-only file system) stops it now, before the work */
    char *tmp = temp_name(path);
    if (!tmp)
        return ck_error_set(err, CK_ENOMEM, "%s: out of memory", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return ck_error_set(err, CK_EIO, "%s: cannot create output file: %s", path, strerror(e));
    }
    close(fd);
    (void)remove(tmp);
    free(tmp);
    return CK_OK;
}

ck_status ck_ofile_write_string(const char *path, const char *text, ck_error *err)
{
    ck_ofile *f;
    ck_status st = ck_ofile_open(&f, path, err);
    if (st != CK_OK)
        return st;
    fputs(text, ck_ofile_stream(f));
    return ck_ofile_commit(f, err);
}
