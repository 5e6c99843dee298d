/*
 * sysroot.c - a scan root that stands for another system (see sysroot.h).
 *
 * Invariants: nothing beneath a root is opened by a path string alone;
 * every open goes through sysroot_open() on the root's descriptor, so a
 * link inside the image cannot lead to the host.  Identity files are
 * regular files of at most SYSROOT_FILE_MAX bytes, read whole into one
 * buffer, and parsed by readers that take (pointer, length) and never
 * read past it.  Values are copied into fixed fields, cut on a UTF-8
 * boundary; nothing here decides how they are printed.
 */
#define _GNU_SOURCE
#include "core/sysroot.h"
#include "util/path.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "core/engine.h"
#include "util/esc.h"

/* ---- opening inside the root ------------------------------------------ */

static atomic_int no_openat2;   /* the kernel said ENOSYS once */

int sysroot_open_nofollow(int rootfd, const char *rel, int flags)
{
    char comp[256];
    int cur = rootfd, fd = -1;
    size_t n = strlen(rel);

    if(n > SYSROOT_PATH_MAX) {
        errno = ENAMETOOLONG;
        return -1;
    }
    const char *p = rel, *end = rel + n;
    for(;;) {
        while(p < end && *p == '/')
            p++;
        const char *q = memchr(p, '/', (size_t)(end - p));
        if(!q)
            q = end;
        size_t len = (size_t)(q - p);
        const char *rest = q;
        while(rest < end && *rest == '/')
            rest++;
        bool last = rest == end;
        if(len >= sizeof(comp)) {
            errno = ENAMETOOLONG;
            goto fail;
        }
        memcpy(comp, len ? p : ".", len ? len : 1);
        comp[len ? len : 1] = 0;
        if(!strcmp(comp, "..")) {
            errno = EXDEV;
            goto fail;
        }
        if(last) {
            fd = openat(cur, comp, flags | O_NOFOLLOW | O_CLOEXEC);
            struct stat st;
            if(fd >= 0 && (flags & O_PATH) &&
               (fstat(fd, &st) || S_ISLNK(st.st_mode))) {
                close(fd);
                fd = -1;
                errno = ELOOP;
            }
            break;
        }
        int next = openat(cur, comp,
                          O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if(next < 0)
            goto fail;
        if(cur != rootfd)
            close(cur);
        cur = next;
        p = rest;
    }
fail:
    if(cur != rootfd) {
        int e = errno;
        close(cur);
        errno = e;
    }
    return fd;
}

int sysroot_open(int rootfd, const char *rel, int flags)
{
    while(*rel == '/')
        rel++;
    if(!*rel)
        rel = ".";
    if(strlen(rel) > SYSROOT_PATH_MAX) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if(!atomic_load_explicit(&no_openat2, memory_order_relaxed)) {
        struct open_how how = {
            .flags = (uint64_t)(flags | O_CLOEXEC),
            .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        for(int tries = 0; tries < 8; tries++) {
            long fd = syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
            if(fd >= 0)
                return (int)fd;
            if(errno == EAGAIN || errno == EINTR)
                continue;   /* a rename raced the lookup: try again */
            if(errno != ENOSYS)
                return -1;
            atomic_store(&no_openat2, 1);
            break;
        }
        if(!atomic_load(&no_openat2))
            return -1;   /* EAGAIN every time */
    }
    return sysroot_open_nofollow(rootfd, rel, flags);
}

int sysroot_probe_flags(void)
{
    /* 0 unknown, 1 /proc/self/fd there, 2 not: the same answer for the
     * whole run, a race to set it is harmless */
    static atomic_int proc_fd;
    int v = atomic_load(&proc_fd);
    if(!v) {
        v = access("/proc/self/fd", X_OK) ? 2 : 1;
        atomic_store(&proc_fd, v);
    }
    return v == 1 ? O_PATH : O_RDONLY | O_NONBLOCK | O_NOCTTY;
}

int sysroot_reopen_regular(int pfd, unsigned long ino, struct stat *st)
{
    struct stat s0;
    char fdp[40];
    int fd = -1, e = EINVAL;
    if(pfd < 0)
        return -1;
    int fl = fcntl(pfd, F_GETFL);
    if(fstat(pfd, &s0))
        e = errno;
    else if(fl >= 0 && !(fl & O_PATH)) {
        /* opened for reading already (no /proc to reopen through) */
        if(S_ISREG(s0.st_mode) && (!ino || s0.st_ino == ino)) {
            if(st)
                *st = s0;
            return pfd;
        }
    } else if(S_ISREG(s0.st_mode) && (!ino || s0.st_ino == ino)) {
        snprintf(fdp, sizeof(fdp), "/proc/self/fd/%d", pfd);
        fd = open(fdp, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        e = errno;
        if(fd >= 0 && st)
            *st = s0;
    }
    close(pfd);
    errno = e;
    return fd;
}

int sysroot_open_regular(int rootfd, const char *rel, unsigned long ino,
                         struct stat *st)
{
    return sysroot_reopen_regular(sysroot_open(rootfd, rel,
                                               sysroot_probe_flags() |
                                               O_NOFOLLOW), ino, st);
}

enum kensa_err sysroot_read(int rootfd, const char *rel, char *out,
                            size_t cap, size_t *out_len)
{
    enum kensa_err rc = KENSA_EIO;
    struct stat st;
    size_t got = 0;
    /* O_PATH first: a device node is never opened, only stat'ed */
    int fd = sysroot_open(rootfd, rel, sysroot_probe_flags());

    *out_len = 0;
    if(cap)
        out[0] = 0;
    if(fd < 0)
        return errno == ENOENT || errno == ENOTDIR ? KENSA_ENOENT :
               errno == ELOOP || errno == EXDEV ? KENSA_EUNSUPPORTED :
               KENSA_EIO;
    if(fstat(fd, &st))
        goto out;
    if(!S_ISREG(st.st_mode)) {
        rc = KENSA_EUNSUPPORTED;
        goto out;
    }
    if((fd = sysroot_reopen_regular(fd, (unsigned long)st.st_ino, NULL)) < 0)
        return KENSA_EIO;
    if(!cap || (uint64_t)st.st_size > cap - 1) {
        rc = KENSA_ELIMIT;
        goto out;
    }
    /* read what it has now, at most cap - 1 bytes (it may grow) */
    while(got < cap - 1) {
        ssize_t r = read(fd, out + got, cap - 1 - got);
        if(r < 0 && errno == EINTR)
            continue;
        if(r < 0)
            goto out;
        if(r == 0)
            break;
        got += (size_t)r;
    }
    out[got] = 0;
    *out_len = got;
    rc = KENSA_OK;
out:
    close(fd);
    return rc;
}

/* ---- readers ----------------------------------------------------------- */

/* Copy s[0..n) into out[0..cap) cut on a UTF-8 boundary, stopping at a
 * NUL byte. */
static void put_field(char *out, size_t cap, const char *s, size_t n)
{
    const char *z = memchr(s, 0, n);
    if(z)
        n = (size_t)(z - s);
    size_t k = n < cap ? n : utf8_cut(s, n, cap - 1);
    memcpy(out, s, k);
    out[k] = 0;
}

void osrelease_parse(const char *p, size_t n, struct osrelease *out)
{
    char val[SYSROOT_FULL_MAX];
    const char *end = p + n;

    memset(out, 0, sizeof(*out));
    while(p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if(!eol)
            eol = end;
        const char *s = p;
        p = eol < end ? eol + 1 : end;
        while(s < eol && (*s == ' ' || *s == '\t'))
            s++;
        const char *k = s;
        while(s < eol && (*s == '_' || (*s >= 'A' && *s <= 'Z') ||
                          (*s >= 'a' && *s <= 'z') ||
                          (*s >= '0' && *s <= '9')))
            s++;
        size_t klen = (size_t)(s - k);
        if(!klen || s == eol || *s != '=')
            continue;   /* comment, blank or not an assignment */
        s++;
        /* the value, shell-style: quotes removed, escapes undone */
        size_t vlen = 0;
        bool more = true;   /* room in val (the rest is dropped) */
        char quote = 0;
        for(; s < eol; s++) {
            char ch = *s;
            if(!quote && (ch == '"' || ch == '\'')) {
                quote = ch;
                continue;
            }
            if(quote && ch == quote) {
                quote = 0;
                continue;
            }
            if(!quote && (ch == ' ' || ch == '\t' || ch == '\r'))
                break;
            if(ch == '\\' && quote != '\'' && s + 1 < eol &&
               (!quote || strchr("\"\\$`", s[1])) && s[1]) {
                ch = *++s;
            }
            if(ch == 0)
                break;
            if(more && vlen < sizeof(val))
                val[vlen++] = ch;
            else
                more = false;
        }
        char *dst = NULL;
        size_t cap = 0;
        if(klen == 2 && !memcmp(k, "ID", 2)) {
            dst = out->id;
            cap = sizeof(out->id);
        } else if(klen == 10 && !memcmp(k, "VERSION_ID", 10)) {
            dst = out->version_id;
            cap = sizeof(out->version_id);
        } else if(klen == 4 && !memcmp(k, "NAME", 4)) {
            dst = out->name;
            cap = sizeof(out->name);
        } else if(klen == 11 && !memcmp(k, "PRETTY_NAME", 11)) {
            dst = out->pretty_name;
            cap = sizeof(out->pretty_name);
        }
        if(dst)
            put_field(dst, cap, val, vlen);
    }
}

/* The first occurrence of needle[0..m) in p[0..n), or NULL. */
static const char *find(const char *p, size_t n, const char *needle)
{
    return memmem(p, n, needle, strlen(needle));
}

/* Decode the predefined XML entities of s[0..n) into out[0..cap). */
static void put_xml_text(char *out, size_t cap, const char *s, size_t n)
{
    static const struct { const char *ent; char ch; } ents[] = {
        { "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' },
        { "&quot;", '"' }, { "&apos;", '\'' },
    };
    char tmp[SYSROOT_FULL_MAX];
    size_t k = 0;
    for(size_t i = 0; i < n && k < sizeof(tmp); i++) {
        char ch = s[i];
        if(ch == '&') {
            for(size_t e = 0; e < sizeof(ents) / sizeof(ents[0]); e++) {
                size_t el = strlen(ents[e].ent);
                if(n - i >= el && !memcmp(s + i, ents[e].ent, el)) {
                    ch = ents[e].ch;
                    i += el - 1;
                    break;
                }
            }
        }
        tmp[k++] = ch;
    }
    put_field(out, cap, tmp, k);
}

bool plist_string(const char *p, size_t n, const char *key, char *out,
                  size_t cap)
{
    const char *end = p + n;
    size_t klen = strlen(key);

    out[0] = 0;
    while(p < end) {
        const char *k = find(p, (size_t)(end - p), "<key>");
        if(!k)
            return false;
        k += 5;
        const char *ke = find(k, (size_t)(end - k), "</key>");
        if(!ke)
            return false;
        p = ke + 6;
        if((size_t)(ke - k) != klen || memcmp(k, key, klen))
            continue;
        while(p < end && (*p == ' ' || *p == '\t' || *p == '\r' ||
                          *p == '\n'))
            p++;
        if((size_t)(end - p) < 8 || memcmp(p, "<string>", 8))
            return false;
        p += 8;
        const char *se = find(p, (size_t)(end - p), "</string>");
        if(!se)
            return false;
        put_xml_text(out, cap, p, (size_t)(se - p));
        return true;
    }
    return false;
}

/* ---- identification ---------------------------------------------------- */

static void set(char *field, size_t cap, const char *s)
{
    put_field(field, cap, s, strlen(s));
}

/* The first line of etc/hostname that is not a comment, trimmed. */
static void read_hostname(struct sysroot *sr, char *buf)
{
    size_t n;
    if(sysroot_read(sr->fd, "etc/hostname", buf, SYSROOT_FILE_MAX, &n))
        return;
    for(const char *p = buf, *end = buf + n; p < end;) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if(!eol)
            eol = end;
        const char *s = p, *e = eol;
        p = eol < end ? eol + 1 : end;
        while(s < e && (*s == ' ' || *s == '\t'))
            s++;
        while(e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
            e--;
        if(s == e || *s == '#')
            continue;
        put_field(sr->hostname, sizeof(sr->hostname), s, (size_t)(e - s));
        return;
    }
}

bool machine_id_parse(const char *p, size_t n, char out[33])
{
    bool zero = true;
    out[0] = 0;
    while(n && (p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == ' '))
        n--;
    if(n != 32)
        return false;
    for(size_t i = 0; i < 32; i++) {
        char c = p[i];
        if(c >= 'A' && c <= 'F')
            c = (char)(c - 'A' + 'a');
        if(!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            out[0] = 0;
            return false;
        }
        zero &= c == '0';
        out[i] = c;
    }
    out[32] = 0;
    if(zero)
        out[0] = 0;
    return !zero;
}

/* etc/machine-id beneath sr->fd (a small regular file, read as every
 * identity file is: through sysroot_read). */
static void read_machine_id(struct sysroot *sr, char *buf)
{
    size_t n;
    if(!sysroot_read(sr->fd, "etc/machine-id", buf, 128, &n))
        machine_id_parse(buf, n, sr->machine_id);
}

static bool identify_linux(struct sysroot *sr, char *buf)
{
    static const char *const files[] = { "etc/os-release",
                                         "usr/lib/os-release" };
    struct osrelease os;
    size_t n;
    for(size_t i = 0; i < 2; i++) {
        if(sysroot_read(sr->fd, files[i], buf, SYSROOT_FILE_MAX, &n))
            continue;
        osrelease_parse(buf, n, &os);
        set(sr->type, sizeof(sr->type), "linux");
        set(sr->platform, sizeof(sr->platform), os.id);
        set(sr->name, sizeof(sr->name), os.name);
        set(sr->version, sizeof(sr->version), os.version_id);
        set(sr->full, sizeof(sr->full), os.pretty_name);
        return true;
    }
    return false;
}

static bool identify_macos(struct sysroot *sr, char *buf)
{
    size_t n;
    if(sysroot_read(sr->fd, "System/Library/CoreServices/SystemVersion.plist",
                    buf, SYSROOT_FILE_MAX, &n))
        return false;
    set(sr->type, sizeof(sr->type), "macos");
    set(sr->platform, sizeof(sr->platform), "macos");
    if(n >= 6 && !memcmp(buf, "bplist", 6))
        return true;   /* a binary property list: the type alone */
    plist_string(buf, n, "ProductName", sr->name, sizeof(sr->name));
    plist_string(buf, n, "ProductVersion", sr->version, sizeof(sr->version));
    return true;
}

#define DIR_ENTRIES_MAX 100000   /* entries read looking for one name */

/* Open the entry of folder `dfd` named `name` whatever its case, as
 * Windows file systems match names, with O_NOFOLLOW; -1 if none. */
static int open_nocase(int dfd, const char *name, int flags)
{
    int fd2 = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd2 >= 0 ? fdopendir(fd2) : NULL;
    struct dirent *de;
    int fd = -1;
    size_t seen = 0;

    if(!d) {
        if(fd2 >= 0)
            close(fd2);
        return -1;
    }
    while(fd < 0 && seen++ < DIR_ENTRIES_MAX && (de = readdir(d))) {
        if(!strcasecmp(de->d_name, name))
            fd = openat(dfd, de->d_name, flags | O_NOFOLLOW | O_CLOEXEC);
    }
    closedir(d);
    return fd;
}

static bool identify_windows(struct sysroot *sr)
{
    static const char *const dirs[] = { "Windows", "System32", "config" };
    int cur = sr->fd;
    bool found = false;
    struct stat st;

    for(size_t i = 0; i < 3; i++) {
        int next = open_nocase(cur, dirs[i], O_RDONLY | O_DIRECTORY);
        if(cur != sr->fd)
            close(cur);
        if(next < 0)
            return false;
        cur = next;
    }
    int fd = open_nocase(cur, "SOFTWARE", O_PATH);
    if(fd >= 0 && !fstat(fd, &st) && S_ISREG(st.st_mode))
        found = true;
    if(fd >= 0)
        close(fd);
    close(cur);
    if(found) {
        set(sr->type, sizeof(sr->type), "windows");
        set(sr->platform, sizeof(sr->platform), "windows");
        set(sr->name, sizeof(sr->name), "Windows");
    }
    return found;
}

/* The running host: uname, /etc/os-release, gethostname. */
static void identify_host(struct sysroot *sr, char *buf)
{
    struct utsname u;
    int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if(fd >= 0) {
        sr->fd = fd;
        identify_linux(sr, buf);
        read_machine_id(sr, buf);
        sr->fd = -1;
        close(fd);
    }
    if(!uname(&u)) {
        const char *t = !strcmp(u.sysname, "Linux") ? "linux" :
                        !strcmp(u.sysname, "Darwin") ? "macos" : NULL;
        if(t)
            set(sr->type, sizeof(sr->type), t);
        if(!sr->platform[0] && t)
            set(sr->platform, sizeof(sr->platform), t);
    }
    if(!gethostname(buf, SYSROOT_HOST_MAX)) {
        buf[SYSROOT_HOST_MAX - 1] = 0;
        set(sr->hostname, sizeof(sr->hostname), buf);
    }
}

static const char *or_null(const char *s)
{
    return s[0] ? s : NULL;
}

enum kensa_err sysroot_new(const char *dir, struct sysroot **out)
{
    enum kensa_err rc = KENSA_ENOMEM;
    struct sysroot *sr = calloc(1, sizeof(*sr));
    char *buf = malloc(SYSROOT_FILE_MAX);

    *out = NULL;
    if(!sr || !buf)
        goto out;
    sr->fd = -1;
    if(!dir) {
        identify_host(sr, buf);
    } else {
        size_t n = strlen(dir);
        while(n > 1 && dir[n - 1] == '/')
            n--;
        if(!n || n > SYSROOT_PATH_MAX) {
            rc = KENSA_EINVAL;
            goto out;
        }
        if(!(sr->path = strndup(dir, n)))
            goto out;
        sr->path_len = n;
        /* the root itself is the user's choice: followed if a link */
        sr->fd = open(sr->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if(sr->fd < 0) {
            rc = errno == ENOENT ? KENSA_ENOENT :
                 errno == ENOTDIR ? KENSA_EINVAL : KENSA_EIO;
            goto out;
        }
        if(!identify_linux(sr, buf) && !identify_macos(sr, buf))
            identify_windows(sr);
        read_hostname(sr, buf);
        read_machine_id(sr, buf);
    }
    sr->pub.root = sr->path;
    sr->pub.os_type = or_null(sr->type);
    sr->pub.os_platform = or_null(sr->platform);
    sr->pub.os_name = or_null(sr->name);
    sr->pub.os_version = or_null(sr->version);
    sr->pub.os_full = or_null(sr->full);
    sr->pub.hostname = or_null(sr->hostname);
    sr->pub.id = or_null(sr->machine_id);
    *out = sr;
    sr = NULL;
    rc = KENSA_OK;
out:
    sysroot_free(sr);
    free(buf);
    return rc;
}

void sysroot_free(struct sysroot *sr)
{
    if(!sr)
        return;
    if(sr->fd >= 0)
        close(sr->fd);
    free(sr->path);
    free(sr);
}

size_t sysroot_attrs(const struct sysroot *sr, struct kctxattr *out)
{
    const char *kv[SYSROOT_ATTRS][2] = {
        { "system.root", sr->pub.root },
        { "os.type", sr->pub.os_type },
        { "os.platform", sr->pub.os_platform },
        { "os.name", sr->pub.os_name },
        { "os.version", sr->pub.os_version },
    };
    size_t n = 0;
    if(!sr->path)
        return 0;
    for(size_t i = 0; i < SYSROOT_ATTRS; i++) {
        if(!kv[i][1])
            continue;
        out[n].key = kv[i][0];
        out[n].value = kv[i][1];
        out[n].next = NULL;
        n++;
    }
    return n;
}

/* ---- paths ------------------------------------------------------------- */

char *sysroot_host_path(const struct sysroot *sr, const char *path)
{
    size_t plen = strlen(path);
    if(plen > SYSROOT_PATH_MAX) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    /* root + "/" + at most the path itself */
    char *out = malloc(sr->path_len + 1 + plen + 1);
    if(!out) {
        errno = ENOMEM;
        return NULL;
    }
    bool slash_root = sr->path_len == 1 && sr->path[0] == '/';
    size_t base = slash_root ? 0 : sr->path_len, len = base;
    memcpy(out, sr->path, sr->path_len);
    /* ".." never climbs above the root */
    path_append_lexical(out, &len, base, path, plen, false);
    if(!len)
        out[len++] = '/';
    out[len] = 0;
    if(len > SYSROOT_PATH_MAX) {
        free(out);
        errno = ENAMETOOLONG;
        return NULL;
    }
    return out;
}

const char *sysroot_system_path(const struct sysroot *sr, const char *host)
{
    if(!sr || !sr->path || (sr->path_len == 1 && sr->path[0] == '/'))
        return host;
    if(strncmp(host, sr->path, sr->path_len))
        return host;
    const char *rest = host + sr->path_len;
    if(!*rest)
        return "/";
    return *rest == '/' ? rest : host;
}

/* ---- the public view and the engine's helper --------------------------- */

const struct kensa_system *kensa_scanner_system(const struct kensa_scanner *s)
{
    return s && s->sys ? &s->sys->pub : NULL;
}

const char *kobj_system_path(const struct kobj *o)
{
    return sysroot_system_path(o->ctx ? o->ctx->s->sys : NULL, o->path);
}
