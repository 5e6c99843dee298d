/*
 * scopehook.c - an LD_PRELOAD module that makes two walk conditions
 * deterministic for tests/cli/scope.bats.
 *
 *  - KENSA_VANISH=GLOB: when kensa opens (openat and its aliases) an
 *    entry whose name matches GLOB, the entry is deleted first (unlinkat,
 *    with AT_REMOVEDIR for a folder opened with O_DIRECTORY), exactly as
 *    a busy host deletes a file between kensa's listing and its open.
 *    The deletion needs write access to the folder: run with
 *    --no-confine (Landlock would refuse it).
 *  - KENSA_FAKE_FS=NAME:MAGIC: a folder named NAME, once opened, reports
 *    the statfs type MAGIC (hex: 6969 is NFS, 65735546 FUSE) to fstatfs,
 *    so a network mount can be stood in for without a server.
 *
 * Nothing is executed and nothing is written but the deletions.
 */
#undef _FILE_OFFSET_BITS
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

int openat(int dirfd, const char *path, int flags, ...);
int openat64(int dirfd, const char *path, int flags, ...);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
int fstatfs(int fd, struct statfs *buf);
int fstatfs64(int fd, struct statfs64 *buf);
int close(int fd);

#define MAX_FD 4096
static unsigned long fake_magic[MAX_FD];   /* by fd; 0: none */

static const char *base(const char *p)
{
    const char *b = strrchr(p, '/');
    return b && b[1] ? b + 1 : p;
}

static void before(int dirfd, const char *path, int flags)
{
    const char *g = getenv("KENSA_VANISH");
    if(!g || !*g || !path || fnmatch(g, base(path), 0))
        return;
    int saved = errno;
    unlinkat(dirfd, path, (flags & O_DIRECTORY) ? AT_REMOVEDIR : 0);
    errno = saved;
}

static int after(const char *path, int fd)
{
    const char *f = getenv("KENSA_FAKE_FS");
    const char *colon = f ? strchr(f, ':') : NULL;
    if(fd < 0 || fd >= MAX_FD)
        return fd;
    fake_magic[fd] = 0;
    if(colon && path && strlen(base(path)) == (size_t)(colon - f) &&
       !memcmp(base(path), f, (size_t)(colon - f)))
        fake_magic[fd] = strtoul(colon + 1, NULL, 16);
    return fd;
}

/* The next definition of `name` (POSIX's way to store dlsym's answer in
 * a function pointer). */
#define REAL(name, type) \
    static type real; \
    if(!real) \
        *(void **)(&real) = dlsym(RTLD_NEXT, name)

typedef int (*openat_fn)(int, const char *, int, ...);
typedef int (*openat2_fn)(int, const char *, int);
typedef int (*fstatfs_fn)(int, struct statfs *);
typedef int (*fstatfs64_fn)(int, struct statfs64 *);
typedef int (*close_fn)(int);

static mode_t mode_arg(int flags, va_list ap)
{
    return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

int openat(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t m = mode_arg(flags, ap);
    va_end(ap);
    REAL("openat", openat_fn);
    before(dirfd, path, flags);
    return after(path, real(dirfd, path, flags, m));
}

int openat64(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t m = mode_arg(flags, ap);
    va_end(ap);
    REAL("openat64", openat_fn);
    before(dirfd, path, flags);
    return after(path, real(dirfd, path, flags, m));
}

int __openat_2(int dirfd, const char *path, int flags)
{
    REAL("__openat_2", openat2_fn);
    before(dirfd, path, flags);
    return after(path, real(dirfd, path, flags));
}

int __openat64_2(int dirfd, const char *path, int flags)
{
    REAL("__openat64_2", openat2_fn);
    before(dirfd, path, flags);
    return after(path, real(dirfd, path, flags));
}

int fstatfs(int fd, struct statfs *buf)
{
    REAL("fstatfs", fstatfs_fn);
    int r = real(fd, buf);
    if(!r && fd >= 0 && fd < MAX_FD && fake_magic[fd])
        buf->f_type = (__fsword_t)fake_magic[fd];
    return r;
}

int fstatfs64(int fd, struct statfs64 *buf)
{
    REAL("fstatfs64", fstatfs64_fn);
    int r = real(fd, buf);
    if(!r && fd >= 0 && fd < MAX_FD && fake_magic[fd])
        buf->f_type = (__fsword_t)fake_magic[fd];
    return r;
}

int close(int fd)
{
    REAL("close", close_fn);
    if(fd >= 0 && fd < MAX_FD)
        fake_magic[fd] = 0;
    return real(fd);
}
