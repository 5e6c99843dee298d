/*
 * swaphook.c - an LD_PRELOAD module that turns a filesystem race into a
 * deterministic one, for tests/cli/attack.bats.
 *
 * It interposes the open family (open, open64, openat, openat64, their
 * _FORTIFY_SOURCE variants __open_2 ..., fopen, fopen64 and opendir).
 * When the last component of the name being opened equals
 * $KENSA_HOOK_NAME and this is the $KENSA_HOOK_NTH (default 1) such open
 * in the process, it writes one byte to the inherited fd $KENSA_HOOK_GO,
 * then blocks until it reads one byte from fd $KENSA_HOOK_ACK, and only
 * then calls the real function.  Between the two an attacker process
 * (tests/attack/swapper.py, another uid) swaps a file or folder.
 *
 * With $KENSA_HOOK_LOG set to an inherited fd (opened O_APPEND), every
 * open seen is logged as one line:
 *   func TAB dir TAB name TAB result TAB dev:ino TAB type TAB how
 * where dir is the folder a relative name was resolved from ("-" for
 * AT_FDCWD), result the fd or -errno, and dev:ino/type describe what was
 * opened ("-" on failure); type is one of reg dir fifo chr blk sock lnk;
 * how is "path" for an O_PATH descriptor (it reads nothing, and opening
 * it opens no device), else "open".
 * Tests read it to prove a file was never opened.
 *
 * The hook never executes anything and writes nowhere but those fds: the
 * process under test may confine itself (seccomp, Landlock).
 */
/* meson builds with -D_FILE_OFFSET_BITS=64, which renames open to open64
 * in the headers: we define both, so we want the plain names. */
#undef _FILE_OFFSET_BITS
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Our definitions of the interposed functions (the fortify ones are only
 * declared by glibc's headers under _FORTIFY_SOURCE). */
int open(const char *path, int flags, ...);
int open64(const char *path, int flags, ...);
int openat(int dirfd, const char *path, int flags, ...);
int openat64(int dirfd, const char *path, int flags, ...);
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
FILE *fopen(const char *path, const char *mode);
FILE *fopen64(const char *path, const char *mode);
DIR *opendir(const char *path);

static int env_int(const char *name, int dflt)
{
    const char *v = getenv(name);
    if(!v || !*v)
        return dflt;
    char *end;
    long n = strtol(v, &end, 10);
    return *end ? dflt : (int)n;
}

/* Does the last component of `path` (trailing slashes ignored) equal
 * `name`? */
static int last_is(const char *path, const char *name)
{
    size_t n = strlen(path);
    while(n > 1 && path[n - 1] == '/')
        n--;
    size_t b = n;
    while(b && path[b - 1] != '/')
        b--;
    return n - b == strlen(name) && !memcmp(path + b, name, n - b);
}

static void write_all(int fd, const char *p, size_t n)
{
    while(n) {
        ssize_t w = write(fd, p, n);
        if(w < 0 && errno == EINTR)
            continue;
        if(w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

/* Called before every open: maybe hand over to the attacker. */
static void before(const char *path)
{
    static int hits;
    const char *name = getenv("KENSA_HOOK_NAME");
    if(!path || !name || !*name || !last_is(path, name))
        return;
    int nth = env_int("KENSA_HOOK_NTH", 1);
    if(__atomic_add_fetch(&hits, 1, __ATOMIC_SEQ_CST) != nth)
        return;
    int go = env_int("KENSA_HOOK_GO", -1), ack = env_int("KENSA_HOOK_ACK", -1);
    if(go < 0 || ack < 0)
        return;
    int saved = errno;
    char c = 'g';
    write_all(go, &c, 1);
    while(read(ack, &c, 1) < 0 && errno == EINTR)
        ;
    errno = saved;
}

static const char *type_name(mode_t m)
{
    switch(m & S_IFMT) {
    case S_IFREG: return "reg";
    case S_IFDIR: return "dir";
    case S_IFIFO: return "fifo";
    case S_IFCHR: return "chr";
    case S_IFBLK: return "blk";
    case S_IFSOCK: return "sock";
    case S_IFLNK: return "lnk";
    default: return "?";
    }
}

/* Called after every open with its result (an fd, or -1 and errno). */
static void after(const char *func, int dirfd, const char *path, int fd)
{
    int log = env_int("KENSA_HOOK_LOG", -1);
    if(log < 0)
        return;
    int saved = errno;
    char dir[1024] = "-", line[4096], link[64];
    if(dirfd != AT_FDCWD && path && path[0] != '/') {
        snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
        ssize_t n = readlink(link, dir, sizeof(dir) - 1);
        dir[n > 0 ? n : 0] = 0;
    }
    struct stat st;
    int len;
    if(fd >= 0 && fstat(fd, &st) == 0) {
        int fl = fcntl(fd, F_GETFL);
        len = snprintf(line, sizeof(line),
                       "%s\t%s\t%s\t%d\t%llu:%llu\t%s\t%s\n",
                       func, dir, path ? path : "(null)", fd,
                       (unsigned long long)st.st_dev,
                       (unsigned long long)st.st_ino, type_name(st.st_mode),
                       fl >= 0 && (fl & O_PATH) ? "path" : "open");
    } else
        len = snprintf(line, sizeof(line), "%s\t%s\t%s\t%d\t-\t-\t-\n",
                       func, dir, path ? path : "(null)",
                       fd >= 0 ? fd : -saved);
    if(len > 0)
        write_all(log, line, (size_t)len < sizeof(line) ? (size_t)len
                                                          : sizeof(line) - 1);
    errno = saved;
}

static void *real(const char *sym)
{
    void *f = dlsym(RTLD_NEXT, sym);
    if(!f) {
        static const char msg[] = "swaphook: missing real function\n";
        write_all(2, msg, sizeof(msg) - 1);
        abort();
    }
    return f;
}

#define NEEDS_MODE(fl) (((fl) & O_CREAT) || ((fl) & O_TMPFILE) == O_TMPFILE)

#define OPEN_LIKE(fn)                                                       \
    int fn(const char *path, int flags, ...)                                \
    {                                                                       \
        static int (*r)(const char *, int, ...);                            \
        mode_t mode = 0;                                                    \
        if(NEEDS_MODE(flags)) {                                             \
            va_list ap;                                                     \
            va_start(ap, flags);                                            \
            mode = (mode_t)va_arg(ap, int);                                 \
            va_end(ap);                                                     \
        }                                                                   \
        if(!r)                                                              \
            *(void **)&r = real(#fn);                                       \
        before(path);                                                       \
        int fd = r(path, flags, mode);                                      \
        after(#fn, AT_FDCWD, path, fd);                                     \
        return fd;                                                          \
    }

#define OPENAT_LIKE(fn)                                                     \
    int fn(int dirfd, const char *path, int flags, ...)                     \
    {                                                                       \
        static int (*r)(int, const char *, int, ...);                       \
        mode_t mode = 0;                                                    \
        if(NEEDS_MODE(flags)) {                                             \
            va_list ap;                                                     \
            va_start(ap, flags);                                            \
            mode = (mode_t)va_arg(ap, int);                                 \
            va_end(ap);                                                     \
        }                                                                   \
        if(!r)                                                              \
            *(void **)&r = real(#fn);                                       \
        before(path);                                                       \
        int fd = r(dirfd, path, flags, mode);                               \
        after(#fn, dirfd, path, fd);                                        \
        return fd;                                                          \
    }

#define OPEN2_LIKE(fn)                                                      \
    int fn(const char *path, int flags)                                     \
    {                                                                       \
        static int (*r)(const char *, int);                                 \
        if(!r)                                                              \
            *(void **)&r = real(#fn);                                       \
        before(path);                                                       \
        int fd = r(path, flags);                                            \
        after(#fn, AT_FDCWD, path, fd);                                     \
        return fd;                                                          \
    }

#define OPENAT2_LIKE(fn)                                                    \
    int fn(int dirfd, const char *path, int flags)                          \
    {                                                                       \
        static int (*r)(int, const char *, int);                            \
        if(!r)                                                              \
            *(void **)&r = real(#fn);                                       \
        before(path);                                                       \
        int fd = r(dirfd, path, flags);                                     \
        after(#fn, dirfd, path, fd);                                        \
        return fd;                                                          \
    }

#define FOPEN_LIKE(fn)                                                      \
    FILE *fn(const char *path, const char *mode)                            \
    {                                                                       \
        static FILE *(*r)(const char *, const char *);                      \
        if(!r)                                                              \
            *(void **)&r = real(#fn);                                       \
        before(path);                                                       \
        FILE *f = r(path, mode);                                            \
        after(#fn, AT_FDCWD, path, f ? fileno(f) : -1);                     \
        return f;                                                           \
    }

OPEN_LIKE(open)
OPEN_LIKE(open64)
OPENAT_LIKE(openat)
OPENAT_LIKE(openat64)
OPEN2_LIKE(__open_2)
OPEN2_LIKE(__open64_2)
OPENAT2_LIKE(__openat_2)
OPENAT2_LIKE(__openat64_2)
FOPEN_LIKE(fopen)
FOPEN_LIKE(fopen64)

DIR *opendir(const char *path)
{
    static DIR *(*r)(const char *);
    if(!r)
        *(void **)&r = real("opendir");
    before(path);
    DIR *d = r(path);
    after("opendir", AT_FDCWD, path, d ? dirfd(d) : -1);
    return d;
}
