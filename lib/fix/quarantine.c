/*
 * quarantine.c - kensa scan --quarantine DIR and --restore-quarantine DIR:
 * files with a malicious finding moved out of the way, restorably.
 *
 * The quarantine is a folder kensa creates mode 0700 (or an existing
 * one that is a real folder, owned by kensa's user, open to nobody
 * else; a symbolic link is refused).  Each file goes in as a copy named
 * by its SHA-256 (created O_EXCL: never over another), and one JSON line
 * of DIR/manifest.jsonl says what it was: its path (as JSON text and as
 * hex bytes, which restore uses: a path need not be UTF-8), device and
 * inode, SHA-256, size, mode, owner, group, mtime and when it was moved.
 *
 * Each step is on file descriptors, never twice on a path string:
 *  1. the folder holding the file is opened component by component from
 *     "/" with O_NOFOLLOW (a link anywhere on the way is refused: the
 *     path the scan reported is the path acted on, nothing it points to);
 *  2. the file is opened in that folder with O_NOFOLLOW and must be a
 *     regular file with the device and inode the scan saw (a file swapped
 *     since, or a link put in its place, is refused);
 *  3. it is hashed, copied (hashing the bytes copied), the copy synced and
 *     hashed again from the quarantine: all three must agree;
 *  4. the manifest line is written and synced;
 *  5. the name is unlinked from the folder's descriptor after fstatat
 *     on that name still gives the same device and inode.  (Between 5's
 *     check and the unlink a user who may write that folder could still
 *     swap the name; what is removed then is that user's own file in the
 *     same folder, and the copy of the original is already safe.)
 * Restore reads the manifest (capped), checks each copy's SHA-256, opens
 * the original's folder as in 1 and creates the file O_EXCL with its
 * mode (and owner, as root): an existing file is never overwritten.  The
 * quarantine copies stay until the user deletes the folder.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <openssl/evp.h>

#include "core/sysroot.h"
#include "fix/quarantine.h"
#include "kensa/kensa.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/safedir.h"

#define Q_MANIFEST "manifest.jsonl"
#define Q_MANIFEST_MAX (64u << 20)
#define Q_LINE_MAX (64u << 10)
#define Q_PATH_MAX 4096

struct kensa_quarantine {
    int dirfd;
    int manfd;
};

/* ---- helpers --------------------------------------------------------- */

static enum kensa_err errno_err(int e)
{
    return e == ENOENT ? KENSA_ENOENT : e == ENOMEM ? KENSA_ENOMEM
                                                    : KENSA_EIO;
}

/* SHA-256 of what is left of fd from offset 0, as hex into out[65]. */
static bool hash_fd(int fd, char out[65])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char buf[65536], d[32];
    unsigned dl = 0;
    bool ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    for(off_t off = 0; ok;) {
        ssize_t r = pread(fd, buf, sizeof(buf), off);
        if(r < 0 && errno == EINTR)
            continue;
        if(r < 0)
            ok = false;
        if(r <= 0)
            break;
        ok = EVP_DigestUpdate(md, buf, (size_t)r);
        off += r;
    }
    ok = ok && EVP_DigestFinal_ex(md, d, &dl) && dl == 32;
    EVP_MD_CTX_free(md);
    for(unsigned i = 0; ok && i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
    return ok;
}

/* Copy all of `from` (from offset 0) to `to`; false on a short write. */
static bool copy_fd(int from, int to)
{
    unsigned char buf[65536];
    for(off_t off = 0;;) {
        ssize_t r = pread(from, buf, sizeof(buf), off);
        if(r < 0 && errno == EINTR)
            continue;
        if(r < 0)
            return false;
        if(r == 0)
            return !fsync(to);
        for(ssize_t w = 0; w < r;) {
            ssize_t k = write(to, buf + w, (size_t)(r - w));
            if(k < 0 && errno == EINTR)
                continue;
            if(k <= 0)
                return false;
            w += k;
        }
        off += r;
    }
}

/*
 * Open the folder holding absolute `path` component by component from
 * "/", never following a link; *base points at the last component.
 * -1 with errno (ELOOP / ENOTDIR for a link on the way).
 */
static int open_parent(const char *path, char *copy, size_t cap,
                       const char **base)
{
    size_t n = strlen(path);
    if(path[0] != '/' || n >= cap || n < 2 || path[n - 1] == '/') {
        errno = EINVAL;
        return -1;
    }
    memcpy(copy, path, n + 1);
    char *last = strrchr(copy, '/');
    *last = 0;
    *base = last + 1;
    if(!strcmp(*base, ".") || !strcmp(*base, "..")) {
        errno = EINVAL;
        return -1;
    }
    int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    char *save = NULL;
    for(char *c = strtok_r(copy + 1, "/", &save); c && fd >= 0;
        c = strtok_r(NULL, "/", &save)) {
        if(!strcmp(c, "..")) {
            close(fd);
            errno = EINVAL;
            return -1;
        }
        int nfd = openat(fd, c, O_PATH | O_DIRECTORY | O_NOFOLLOW |
                                O_CLOEXEC);
        int e = errno;
        close(fd);
        errno = e;
        fd = nfd;
    }
    return fd;
}

static void hexstr(char *out, const unsigned char *p, size_t n)
{
    for(size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", p[i]);
    out[2 * n] = 0;
}

/* ---- quarantine ------------------------------------------------------ */

enum kensa_err kensa_quarantine_open(const char *dir,
                                     struct kensa_quarantine **out)
{
    *out = NULL;
    if(!dir || !*dir)
        return KENSA_EINVAL;
    /* no link followed anywhere in the path (util/safedir.c) */
    int fd = safedir_walk(dir, SAFEDIR_MK_LAST);
    struct stat st;
    if(fd < 0)
        return errno == ELOOP || errno == ENOTDIR ? KENSA_EINVAL
                                                  : errno_err(errno);
    if(fstat(fd, &st) || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
       (st.st_mode & 077)) {
        close(fd);
        return KENSA_EINVAL;   /* someone else's, or open to others */
    }
    int mfd = openat(fd, Q_MANIFEST, O_WRONLY | O_APPEND | O_CREAT |
                                     O_NOFOLLOW | O_CLOEXEC, 0600);
    if(mfd < 0 || fstat(mfd, &st) || !S_ISREG(st.st_mode)) {
        int e = errno;
        if(mfd >= 0)
            close(mfd);
        close(fd);
        return errno_err(e);
    }
    struct kensa_quarantine *q = calloc(1, sizeof(*q));
    if(!q) {
        close(mfd);
        close(fd);
        return KENSA_ENOMEM;
    }
    q->dirfd = fd;
    q->manfd = mfd;
    *out = q;
    return KENSA_OK;
}

void kensa_quarantine_close(struct kensa_quarantine *q)
{
    if(!q)
        return;
    close(q->manfd);
    close(q->dirfd);
    free(q);
}

enum kensa_err kensa_quarantine_file(struct kensa_quarantine *q,
                                     const char *path, uint64_t dev,
                                     uint64_t ino, char sha256[65])
{
    char copy[Q_PATH_MAX], name[80], h2[65], h3[65];
    const char *base;
    enum kensa_err rc = KENSA_EIO;
    int src = -1, dst = -1;
    struct buf b;
    buf_init(&b, Q_LINE_MAX);
    sha256[0] = 0;
    if(!q || !path)
        return KENSA_EINVAL;
    int pfd = open_parent(path, copy, sizeof(copy), &base);
    if(pfd < 0)
        return errno == ELOOP || errno == ENOTDIR ? KENSA_ECHANGED
                                                  : errno_err(errno);
    struct stat st, now;
    /* stat'ed before it is opened: a device node swapped in since the
     * scan is never opened (opening some acts) */
    src = sysroot_reopen_regular(openat(pfd, base, O_PATH | O_NOFOLLOW |
                                        O_CLOEXEC), (unsigned long)ino, NULL);
    if(src < 0) {
        rc = errno == ELOOP || errno == EINVAL ? KENSA_ECHANGED
                                               : errno_err(errno);
        goto out;
    }
    if(fstat(src, &st) || !S_ISREG(st.st_mode) ||
       (uint64_t)st.st_dev != dev || (uint64_t)st.st_ino != ino) {
        rc = KENSA_ECHANGED;   /* not the file the scan judged */
        goto out;
    }
    if(!hash_fd(src, sha256))
        goto out;
    /* the copy, under its hash.  The same bytes quarantined before (two
     * paths, one payload): that copy serves both lines once its hash is
     * checked; a file of that name with other bytes (it cannot be, the
     * folder is ours alone) makes the next name, -N. */
    bool fresh = true;
    for(int i = 0; i < 100 && dst < 0; i++) {
        if(i)
            snprintf(name, sizeof(name), "%s-%d", sha256, i);
        else
            snprintf(name, sizeof(name), "%s", sha256);
        dst = openat(q->dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
                                     O_CLOEXEC, 0600);
        if(dst < 0 && errno != EEXIST)
            goto out;
        if(dst < 0) {
            int old = openat(q->dirfd, name, O_RDONLY | O_NOFOLLOW |
                                             O_NONBLOCK | O_CLOEXEC);
            struct stat ost;
            if(old >= 0 && !fstat(old, &ost) && S_ISREG(ost.st_mode) &&
               hash_fd(old, h3) && !strcmp(h3, sha256)) {
                dst = old;
                fresh = false;
            } else if(old >= 0)
                close(old);
        }
    }
    if(dst < 0)
        goto out;
    if((fresh && !copy_fd(src, dst)) || !hash_fd(src, h2) ||
       !hash_fd(dst, h3) || strcmp(sha256, h2) || strcmp(sha256, h3)) {
        if(fresh)
            unlinkat(q->dirfd, name, 0);
        rc = KENSA_ECHANGED;   /* it changed while copied */
        goto out;
    }
    /* the manifest line */
    char hex[2 * Q_PATH_MAX + 1], when[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    hexstr(hex, (const unsigned char *)path, strlen(path));
    if(buf_puts(&b, "{") || json_kv(&b, "time", when) ||
       buf_puts(&b, ",") || json_kv(&b, "original", path) ||
       buf_puts(&b, ",") || json_kv(&b, "original_hex", hex) ||
       buf_puts(&b, ",") || json_kv(&b, "file", name) ||
       buf_puts(&b, ",") || json_kv(&b, "sha256", sha256) ||
       buf_printf(&b, ",\"size\":%lld,\"dev\":%llu,\"ino\":%llu,"
                      "\"mode\":%u,\"uid\":%u,\"gid\":%u,\"mtime\":%lld}\n",
                  (long long)st.st_size, (unsigned long long)st.st_dev,
                  (unsigned long long)st.st_ino, (unsigned)st.st_mode,
                  (unsigned)st.st_uid, (unsigned)st.st_gid,
                  (long long)st.st_mtim.tv_sec) ||
       write(q->manfd, b.p, b.len) != (ssize_t)b.len || fsync(q->manfd)) {
        if(fresh)
            unlinkat(q->dirfd, name, 0);
        goto out;
    }
    /* the name still the file copied: then remove it */
    if(fstatat(pfd, base, &now, AT_SYMLINK_NOFOLLOW) ||
       now.st_dev != st.st_dev || now.st_ino != st.st_ino) {
        rc = KENSA_ECHANGED;   /* copied, but left where it is */
        goto out;
    }
    if(unlinkat(pfd, base, 0)) {
        rc = errno_err(errno);
        goto out;
    }
    rc = KENSA_OK;
out:
    buf_free(&b);
    if(dst >= 0)
        close(dst);
    if(src >= 0)
        close(src);
    close(pfd);
    return rc;
}

/* ---- restore --------------------------------------------------------- */

/* The string value of "key" in the JSON line (our own writing: a flat
 * object of plain strings and numbers) into out; false if absent. */
static bool field(const char *line, const char *key, char *out, size_t cap)
{
    char pat[40];
    snprintf(pat, sizeof(pat), "\"%s\":", key);
    const char *p = strstr(line, pat);
    if(!p)
        return false;
    p += strlen(pat);
    bool quoted = *p == '"';
    if(quoted)
        p++;
    size_t n = 0;
    while(p[n] && (quoted ? p[n] != '"' : (p[n] != ',' && p[n] != '}')))
        n++;
    if(n >= cap)
        return false;
    memcpy(out, p, n);
    out[n] = 0;
    return true;
}

static bool unhex(const char *h, char *out, size_t cap)
{
    size_t n = strlen(h);
    if(n % 2 || n / 2 >= cap)
        return false;
    for(size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if(sscanf(h + 2 * i, "%2x", &v) != 1 || !v)
            return false;
        out[i] = (char)v;
    }
    out[n / 2] = 0;
    return true;
}

/* One manifest line, as restore needs it. */
struct qentry {
    char orig[Q_PATH_MAX];
    char name[80], sha[65];
    mode_t mode;
    uid_t uid;
    gid_t gid;
};

/* Parse one manifest line (NUL-terminated, any bytes); false when a field
 * is missing, too long or malformed, or the copy's name could leave the
 * folder. */
static bool qline_parse(const char *line, struct qentry *q)
{
    char hex[2 * Q_PATH_MAX + 1], mode_s[16], uid_s[16], gid_s[16];
    q->orig[0] = 0;
    if(!field(line, "original_hex", hex, sizeof(hex)) ||
       !unhex(hex, q->orig, sizeof(q->orig)) ||
       !field(line, "file", q->name, sizeof(q->name)) || !q->name[0] ||
       strchr(q->name, '/') || !strcmp(q->name, ".") ||
       !strcmp(q->name, "..") ||
       !field(line, "sha256", q->sha, sizeof(q->sha)) ||
       strlen(q->sha) != 64 ||
       !field(line, "mode", mode_s, sizeof(mode_s)) ||
       !field(line, "uid", uid_s, sizeof(uid_s)) ||
       !field(line, "gid", gid_s, sizeof(gid_s))) {
        q->orig[0] = 0;   /* unhex may have stopped half-way */
        return false;
    }
    q->mode = (mode_t)strtoul(mode_s, NULL, 10) & 07777;
    q->uid = (uid_t)strtoul(uid_s, NULL, 10);
    q->gid = (gid_t)strtoul(gid_s, NULL, 10);
    return true;
}

void quarantine_parse_fuzz(const uint8_t *data, size_t n)
{
    char *b = malloc(n + 1);
    struct qentry *q = malloc(sizeof(*q));
    if(b && q) {
        memcpy(b, data, n);
        b[n] = 0;
        for(char *line = b, *end = b + n; line < end;) {
            char *nl = memchr(line, '\n', (size_t)(end - line));
            if(nl)
                *nl = 0;
            (void)qline_parse(line, q);
            line = nl ? nl + 1 : end;
        }
    }
    free(q);
    free(b);
}

enum kensa_err kensa_quarantine_restore(const char *dir,
                                        kensa_restore_cb cb, void *ud)
{
    enum kensa_err rc = KENSA_OK;
    int dfd = safedir_walk(dir, SAFEDIR_MK_NONE);
    if(dfd < 0)
        return errno == ELOOP || errno == ENOTDIR ? KENSA_EINVAL
                                                  : errno_err(errno);
    int mfd = -1;
    struct stat st;
    char *text = NULL;
    /* the manifest says where files go, as whom: only a quarantine that
     * root (or we) alone could have written is believed */
    if(fstat(dfd, &st) || !safedir_owned_safe(&st)) {
        rc = KENSA_EINVAL;
        goto out;
    }
    mfd = openat(dfd, Q_MANIFEST, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if(mfd < 0 || fstat(mfd, &st) || !S_ISREG(st.st_mode) ||
       !safedir_owned_safe(&st) || st.st_nlink != 1 ||
       st.st_size > (off_t)Q_MANIFEST_MAX) {
        rc = mfd < 0 ? errno_err(errno) : KENSA_EFORMAT;
        goto out;
    }
    size_t len = (size_t)st.st_size, got = 0;
    if(!(text = malloc(len + 1))) {
        rc = KENSA_ENOMEM;
        goto out;
    }
    while(got < len) {
        ssize_t r = read(mfd, text + got, len - got);
        if(r < 0 && errno == EINTR)
            continue;
        if(r <= 0)
            break;
        got += (size_t)r;
    }
    text[got] = 0;
    for(char *line = text, *end = text + got; line < end;) {
        char *nl = memchr(line, '\n', (size_t)(end - line));
        if(nl)
            *nl = 0;
        char *next = nl ? nl + 1 : end;
        struct qentry q;
        char copy[Q_PATH_MAX], h[65];
        const char *base;
        enum kensa_err e = KENSA_EFORMAT;
        int src = -1, dst = -1, pfd = -1, sys = 0;
        if(!*line) {
            line = next;
            continue;
        }
        if(!qline_parse(line, &q))
            goto one;
        e = KENSA_EIO;
        src = openat(dfd, q.name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if(src < 0 || fstat(src, &st) || !S_ISREG(st.st_mode)) {
            e = src < 0 ? errno_err(errno) : KENSA_EFORMAT;
            goto one;
        }
        if(!hash_fd(src, h) || strcmp(h, q.sha)) {
            e = KENSA_ECHANGED;   /* the copy is not what was put in */
            goto one;
        }
        pfd = open_parent(q.orig, copy, sizeof(copy), &base);
        if(pfd < 0) {
            e = errno == ELOOP || errno == ENOTDIR ? KENSA_ECHANGED
                                                   : errno_err(errno);
            goto one;
        }
        dst = openat(pfd, base, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
                                O_CLOEXEC, 0600);
        if(dst < 0) {
            sys = errno;
            e = errno == EEXIST ? KENSA_ECHANGED : errno_err(errno);
            goto one;
        }
        if(!copy_fd(src, dst) || !hash_fd(dst, h) || strcmp(h, q.sha)) {
            unlinkat(pfd, base, 0);
            goto one;
        }
        if(geteuid() == 0 && fchown(dst, q.uid, q.gid))
            goto one;
        if(fchmod(dst, q.mode))
            goto one;
        e = KENSA_OK;
one:
        if(dst >= 0)
            close(dst);
        if(src >= 0)
            close(src);
        if(pfd >= 0)
            close(pfd);
        if(e)
            rc = KENSA_EIO;
        if(cb)
            cb(q.orig[0] ? q.orig : line, e, sys, ud);
        line = next;
    }
out:
    free(text);
    if(mfd >= 0)
        close(mfd);
    close(dfd);
    return rc;
}
