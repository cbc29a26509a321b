/* ofile.c -- all-or-nothing output files (see ofile.h). */
#include "churnkit/ofile.h"
#include "churnkit/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct ck_ofile {
    FILE *fp;
    char *path;   /* as given: for messages */
    char *target; /* renamed onto: path, or a symbolic link's final target */
    char *tmp;    /* the temporary; NULL when writing in place, or once it is gone */
    int slot;     /* the temporary's cleanup registration, -1 none */
    int is_stdout;
    int finished; /* flushed and closed: only the rename is left */
    int error;    /* the errno a failed finish reported, 0 none */
};

/* How a path is written: a new file, a regular file replaced, or in place
 * (a pipe, a terminal, /dev/null, /dev/stdout). */
typedef enum { WRITE_NEW, WRITE_REPLACE, WRITE_THROUGH } write_mode;

typedef struct dest {
    write_mode mode;
    char *target; /* NEW and REPLACE: what the temporary is renamed onto (owned) */
    struct stat old; /* REPLACE: the file replaced */
} dest;

int ck_ofile_fd(const char *path)
{
    static const char *const prefix[] = {"/dev/fd/", "/proc/self/fd/"};
    if (!path)
        return -1;
    if (strcmp(path, "-") == 0 || strcmp(path, "/dev/stdout") == 0)
        return 1;
    if (strcmp(path, "/dev/stderr") == 0)
        return 2;
    for (size_t k = 0; k < sizeof prefix / sizeof prefix[0]; k++) {
        size_t n = strlen(prefix[k]);
        if (strncmp(path, prefix[k], n) != 0)
            continue;
        char *end;
        long fd = strtol(path + n, &end, 10);
        return end != path + n && *end == '\0' && fd >= 0 && fd <= INT_MAX ? (int)fd : -1;
    }
    return -1;
}

/* The kernel's per-process links (/dev/stdout -> /proc/self/fd/1 -> the
 * open file).  Their target is an open file, which may be a pipe, deleted,
 * or the shell's `> file` whose open description must see the writes: they
 * are written through, never resolved and renamed onto. */
static int magic_link(const char *p)
{
    return strncmp(p, "/proc/", 6) == 0 || strncmp(p, "/dev/fd/", 8) == 0 ||
           strncmp(p, "/dev/std", 8) == 0;
}

/* The path a symbolic link points to, a relative target read from the
 * link's own directory; NULL when unreadable or out of memory. */
static char *link_target(const char *link)
{
    char buf[4096];
    ssize_t n = readlink(link, buf, sizeof buf - 1);
    if (n < 0)
        return NULL;
    buf[n] = '\0';
    const char *slash = strrchr(link, '/');
    size_t dirlen = buf[0] == '/' || !slash ? 0 : (size_t)(slash - link) + 1;
    char *t = malloc(dirlen + (size_t)n + 1);
    if (t)
        snprintf(t, dirlen + (size_t)n + 1, "%.*s%s", (int)dirlen, link, buf);
    return t;
}

/* Follows symbolic links from path (lstat, so that a link is never replaced
 * by a file) to what the output writes: a regular file (replaced), nothing
 * yet (created; a dangling link's target is created), or something else
 * (written through). */
static ck_status resolve(const char *path, dest *d, ck_error *err)
{
    static const int max_hops = 40; /* the kernel's own limit */
    char *p = strdup(path);
    struct stat st;
    memset(d, 0, sizeof *d);
    for (int hops = 0;; hops++) {
        if (!p)
            return ck_error_set(err, CK_ENOMEM, "%s: out of memory", path);
        if (lstat(p, &st) != 0) { /* creating it reports whatever is wrong */
            d->mode = WRITE_NEW;
            d->target = p;
            return CK_OK;
        }
        if (!S_ISLNK(st.st_mode) || magic_link(p))
            break;
        char *next = hops < max_hops ? link_target(p) : NULL;
        int e = hops < max_hops ? errno : ELOOP;
        free(p);
        if (!next && e != ENOMEM)
            return ck_error_set(err, CK_EIO, "%s: cannot follow the link: %s", path, strerror(e));
        p = next;
    }
    int magic = S_ISLNK(st.st_mode);
    if (magic && stat(p, &st) != 0)
        st.st_mode = 0; /* a link to nothing: the open reports it */
    if (S_ISDIR(st.st_mode) || magic || !S_ISREG(st.st_mode)) {
        free(p);
        if (S_ISDIR(st.st_mode))
            return ck_error_set(err, CK_EIO, "%s: is a directory", path);
        d->mode = WRITE_THROUGH;
        return CK_OK;
    }
    d->mode = WRITE_REPLACE;
    d->target = p;
    d->old = st;
    return CK_OK;
}

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

/* Six name characters for the temporary.  They need not be unpredictable,
 * only unlikely to collide: O_EXCL makes a collision a retry, not a harm. */
static void fill_suffix(char *x, unsigned attempt)
{
    static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t v = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^
                 ((uint64_t)getpid() << 16) ^ (uint64_t)(uintptr_t)x ^
                 (uint64_t)attempt * 0x9E3779B97F4A7C15u;
    v = (v ^ (v >> 30)) * 0xBF58476D1CE4E5B9u; /* splitmix64's finalizer */
    v = (v ^ (v >> 27)) * 0x94D049BB133111EBu;
    v ^= v >> 31;
    for (int i = 0; i < 6; i++, v /= 62)
        x[i] = chars[v % 62];
}

/* Creates the temporary tmp (its XXXXXX filled in) with open's mode, so
 * that the kernel applies the umask and a directory's default ACL -- what
 * mkstemp's fixed 0600 would lose, and a umask read from the process would
 * race with other threads -- and registers it for removal on a signal.
 * The signals are held off meanwhile: a temporary exists only registered.
 * Returns the descriptor, or -1 with errno set. */
static int make_temp(char *tmp, mode_t mode, int *slot)
{
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    (void)pthread_sigmask(SIG_BLOCK, &block, &old);
    char *x = tmp + strlen(tmp) - 6;
    int fd = -1;
    for (unsigned k = 0; k < 100 && fd < 0; k++) {
        fill_suffix(x, k);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    int e = errno;
    *slot = fd >= 0 ? ck_cleanup_add(tmp) : -1;
    (void)pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = e;
    return fd;
}

/* Removes the temporary (if it is still there) and its registration. */
static void drop_temp(ck_ofile *f)
{
    if (f->tmp)
        (void)remove(f->tmp);
    ck_cleanup_remove(f->slot);
    f->slot = -1;
    free(f->tmp);
    f->tmp = NULL;
}

/* The replaced file's owner and group where the process may set them (as
 * root; or a group it is in), then its permission bits: an 0600 file of
 * customer scores stays 0600.  chown clears the set-id bits, so the mode
 * comes last.  Only the mode's failure counts: the group is best effort. */
static int keep_mode(int fd, const struct stat *old)
{
    if (fchown(fd, old->st_uid, old->st_gid) != 0)
        (void)!fchown(fd, (uid_t)-1, old->st_gid);
    return fchmod(fd, old->st_mode & 07777);
}

/* Opens the temporary for a NEW or REPLACE destination. */
static ck_status open_temp(ck_ofile *f, const dest *d, ck_error *err)
{
    if (!(f->tmp = temp_name(f->target)))
        return ck_error_set(err, CK_ENOMEM, "%s: out of memory", f->path);
    /* a replaced file's content is no more readable while written than
     * before: 0600 until its own mode is set */
    int fd = make_temp(f->tmp, d->mode == WRITE_REPLACE ? 0600 : 0666, &f->slot);
    if (fd < 0) {
        int e = errno;
        free(f->tmp);
        f->tmp = NULL;
        return ck_error_set(err, CK_EIO, "%s: cannot create output file: %s", f->path,
                            strerror(e));
    }
    if ((d->mode == WRITE_REPLACE && keep_mode(fd, &d->old) != 0) || !(f->fp = fdopen(fd, "wb"))) {
        int e = errno;
        close(fd);
        return ck_error_set(err, CK_EIO, "%s: cannot open for writing: %s", f->path,
                            strerror(e));
    }
    return CK_OK;
}

static ck_status open_path(ck_ofile *f, ck_error *err)
{
    dest d;
    ck_status st = resolve(f->path, &d, err);
    if (st != CK_OK)
        return st;
    if (d.mode != WRITE_THROUGH) {
        f->target = d.target;
        return open_temp(f, &d, err);
    }
    if (!(f->fp = fopen(f->path, "wb"))) {
        int e = errno;
        return ck_error_set(err, CK_EIO, "%s: cannot open for writing: %s", f->path,
                            strerror(e));
    }
    return CK_OK;
}

ck_status ck_ofile_open(ck_ofile **out, const char *path, ck_error *err)
{
    ck_ofile *f = calloc(1, sizeof *f);
    *out = NULL;
    if (!f || !(f->path = strdup(path))) {
        free(f);
        return ck_error_set(err, CK_ENOMEM, "%s: out of memory", path);
    }
    f->slot = -1;
    int fd = ck_ofile_fd(path);
    if (fd == 1) { /* "-" and /dev/stdout: the stream itself, so that a
                      shell's >> still appends and a > file is not cut
                      again by a second open */
        f->fp = stdout;
        f->is_stdout = 1;
    } else if (fd >= 0) { /* another open descriptor: written through a copy
                             of it, sharing its offset and flags */
        int dup_fd = dup(fd);
        if (dup_fd < 0 || !(f->fp = fdopen(dup_fd, "wb"))) {
            int e = errno;
            if (dup_fd >= 0)
                close(dup_fd);
            ck_ofile_abort(f);
            return ck_error_set(err, CK_EIO, "%s: cannot open for writing: %s", path,
                                strerror(e));
        }
    } else {
        ck_status st = open_path(f, err);
        if (st != CK_OK) {
            ck_ofile_abort(f);
            return st;
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

static ck_status write_error(const ck_ofile *f, ck_error *err)
{
    if (f->is_stdout)
        return ck_error_set(err, CK_EIO, "standard output: write error: %s", strerror(f->error));
    return ck_error_set(err, CK_EIO, "%s: write error: %s", f->path, strerror(f->error));
}

ck_status ck_ofile_finish(ck_ofile *f, ck_error *err)
{
    if (f->finished)
        return f->error ? write_error(f, err) : CK_OK;
    int e = 0;
    errno = 0;
    if (fflush(f->fp) != 0)
        e = errno ? errno : EIO;
    /* a write that failed earlier set the stream's error flag, and errno
     * has been overwritten since (by the next output's open, say): one more
     * byte, to an output that is discarded anyway, asks the system again
     * why, rather than printing a stale reason */
    if (!e && ferror(f->fp)) {
        clearerr(f->fp);
        errno = 0;
        e = fputc('\n', f->fp) == EOF || fflush(f->fp) != 0 ? errno : 0;
        e = e ? e : EIO;
    }
    if (!e && f->tmp && fsync(fileno(f->fp)) != 0)
        e = errno;
    if (!f->is_stdout) {
        if (fclose(f->fp) != 0 && !e)
            e = errno ? errno : EIO;
        f->fp = NULL;
    }
    f->finished = 1;
    f->error = e;
    if (!e)
        return CK_OK;
    drop_temp(f); /* nothing of it will be used */
    return write_error(f, err);
}

static void ofile_free(ck_ofile *f)
{
    free(f->path);
    free(f->target);
    free(f->tmp);
    free(f);
}

ck_status ck_ofile_commit(ck_ofile *f, ck_error *err)
{
    ck_status st = ck_ofile_finish(f, err);
    if (st == CK_OK && f->tmp && rename(f->tmp, f->target) != 0) {
        f->error = errno;
        st = write_error(f, err);
    } else if (st == CK_OK && f->tmp) {
        free(f->tmp); /* renamed: the name is the output's now */
        f->tmp = NULL;
    }
    drop_temp(f);
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
    drop_temp(f);
    ofile_free(f);
}

ck_status ck_ofile_commit_all(ck_ofile **f, size_t n, ck_error *err)
{
    ck_status st = CK_OK;
    for (size_t i = 0; i < n && st == CK_OK; i++)
        if (f[i])
            st = ck_ofile_finish(f[i], err);
    /* every output complete: only now does any of them replace its file */
    for (size_t i = 0; i < n; i++) {
        if (st == CK_OK && f[i])
            st = ck_ofile_commit(f[i], err);
        else
            ck_ofile_abort(f[i]);
        f[i] = NULL;
    }
    return st;
}

ck_status ck_ofile_check(const char *path, ck_error *err)
{
    dest d;
    int slot;
    if (!path || !path[0])
        return ck_error_set(err, CK_EUSAGE, "an output path is empty");
    if (strcmp(path, "-") == 0)
        return CK_OK;
    ck_status st = resolve(path, &d, err);
    if (st != CK_OK)
        return st;
    if (d.mode == WRITE_THROUGH) { /* opening a pipe would block */
        if (access(path, W_OK) != 0)
            return ck_error_set(err, CK_EIO, "%s: cannot open for writing: %s", path,
                                strerror(errno));
        return CK_OK;
    }
    /* the very temporary ck_ofile_open makes: whatever stops it (no such
     * directory, no permission, a file where a directory should be, a
     * read-only file system) stops it now, before the work */
    char *tmp = temp_name(d.target);
    free(d.target);
    if (!tmp)
        return ck_error_set(err, CK_ENOMEM, "%s: out of memory", path);
    int fd = make_temp(tmp, 0600, &slot);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return ck_error_set(err, CK_EIO, "%s: cannot create output file: %s", path, strerror(e));
    }
    close(fd);
    (void)remove(tmp);
    ck_cleanup_remove(slot);
    free(tmp);
    return CK_OK;
}

/* Where a path's content lives: an existing regular file's device and
 * inode, or for a file not there yet its directory's and its name (name
 * points into *hold, which the caller frees).  0 when there is nothing to
 * compare: standard input or output, a pipe, a device, no directory. */
typedef struct file_key {
    dev_t dev;
    ino_t ino;
    const char *name;
} file_key;

static int key_of(const char *path, file_key *k, char **hold)
{
    struct stat st;
    dest d;
    ck_error ignored;
    *hold = NULL;
    if (!path || strcmp(path, "-") == 0)
        return 0;
    if (stat(path, &st) == 0) {
        *k = (file_key){st.st_dev, st.st_ino, NULL};
        return S_ISREG(st.st_mode);
    }
    if (resolve(path, &d, &ignored) != CK_OK)
        return 0;
    *hold = d.target;
    if (d.mode != WRITE_NEW)
        return 0;
    /* the directory: its stat, through a cut the name is put back after */
    char *slash = strrchr(d.target, '/');
    k->name = slash ? slash + 1 : d.target;
    if (slash)
        *slash = '\0';
    int found = stat(!slash ? "." : slash == d.target ? "/" : d.target, &st) == 0;
    if (slash)
        *slash = '/';
    if (!found)
        return 0;
    k->dev = st.st_dev;
    k->ino = st.st_ino;
    return 1;
}

int ck_ofile_same(const char *a, const char *b)
{
    file_key ka, kb;
    char *ha = NULL, *hb = NULL;
    int same = key_of(a, &ka, &ha) && key_of(b, &kb, &hb) && ka.dev == kb.dev &&
               ka.ino == kb.ino && (ka.name ? kb.name && strcmp(ka.name, kb.name) == 0 : !kb.name);
    free(ha);
    free(hb);
    return same;
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
