/*
 * fix.c - the file side of --fix and --restore: backups in a protected
 * folder with a manifest, atomic replacement, metadata kept.
 *
 * kensa runs as root over folders other users write to, so nothing here
 * acts on a path string twice.  Every path is resolved one component at a
 * time from / (or the working folder) with O_NOFOLLOW, and every later
 * operation is relative to the folder descriptor that walk gave: a folder
 * swapped for a symlink after the scan makes the walk fail instead of
 * sending a write elsewhere.  The file to fix must still be the (device,
 * inode) that was scanned.  New files are created O_EXCL|O_NOFOLLOW.
 *
 * Backups never sit beside the file (a folder its owner controls): they
 * are copies, mode 0600, in a backup folder owned by root (or the user
 * running kensa) that nobody else may write, created by kensa if missing.
 * What restore needs (the original's path, owner, mode and hash) is kept
 * in that folder's manifest, never in a place another user can write, and
 * the path is percent-escaped so that no file name can add a line.
 *
 * Order of operations for a fix, chosen so that a kill -9 at any point
 * leaves a whole file at the original path:
 *   1. open the original (checked), map it, rewrite it in memory;
 *   2. copy it into the backup folder, synced; append its manifest line;
 *   3. write the new bytes to a new temporary file in the same folder,
 *      give it the original's owner, mode and times, fsync it;
 *   4. rename it over the original (atomic), fsync the folder.
 * Restore is the same dance in the other direction.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/engine.h"
#include "fix/manifest.h"
#include "fix/zipfix.h"
#include "kensa/kensa.h"
#include "util/buf.h"
#include "util/safedir.h"

#define MANIFEST_MAX (64u << 20)   /* a manifest larger than this is bad */

/* ---- resolving paths without following symlinks ------------------------- */

/* Open the folder holding `path`; *base gets the last component. */
static int parent_open(const char *path, const char **base, char *why,
                       size_t whycap)
{
    size_t len = strlen(path);
    while(len > 1 && path[len - 1] == '/')
        len--;
    const char *slash = memrchr(path, '/', len);
    *base = slash ? slash + 1 : path;
    if(!**base || !strcmp(*base, ".") || !strcmp(*base, "..") ||
       strlen(*base) > NAME_MAX) {
        snprintf(why, whycap, "not a file name");
        return -1;
    }
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path))
                      : strdup(".");
    if(!dir) {
        snprintf(why, whycap, "out of memory");
        return -1;
    }
    int fd = safedir_walk(dir, SAFEDIR_MK_NONE);
    if(fd < 0)
        snprintf(why, whycap, "cannot open its folder%s: %s",
                 errno == ELOOP || errno == ENOTDIR ?
                 " (a symbolic link is in the way)" : "", strerror(errno));
    free(dir);
    return fd;
}

/* ---- the backup folder -------------------------------------------------- */

/* The default backup folder for the user running kensa. */
static void default_backup_dir(char *out, size_t cap)
{
    const char *st = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    if(geteuid() == 0)
        snprintf(out, cap, "/var/backups/kensa");
    else if(st && *st == '/')
        snprintf(out, cap, "%s/kensa/backups", st);
    else if(home && *home == '/')
        snprintf(out, cap, "%s/.local/state/kensa/backups", home);
    else
        snprintf(out, cap, "/var/tmp/kensa-backups-%u", (unsigned)geteuid());
}

/* Open (creating it if missing) and check a backup folder. */
static int backup_dir_open(const char *dir, char *why, size_t whycap)
{
    char def[4096];
    enum safedir_mk mk = SAFEDIR_MK_LAST;
    struct stat st;
    if(!dir) {
        default_backup_dir(def, sizeof(def));
        dir = def;
        mk = geteuid() == 0 ? SAFEDIR_MK_LAST : SAFEDIR_MK_ALL;
    }
    int fd = safedir_walk(dir, mk);
    if(fd < 0) {
        snprintf(why, whycap, "backup folder %.3000s: %s%s", dir,
                 strerror(errno), errno == ELOOP || errno == ENOTDIR ?
                 " (a symbolic link is in the way)" : "");
        return -1;
    }
    if(fstat(fd, &st) || !safedir_owned_safe(&st)) {
        snprintf(why, whycap, "backup folder %.3000s: must belong to root "
                 "(or you) and be writable by nobody else", dir);
        close(fd);
        return -1;
    }
    return fd;
}

enum kensa_err kensa_fix_check_backup_dir(const char *dir, char *why,
                                          size_t whycap)
{
    int fd = backup_dir_open(dir, why, whycap);
    if(fd < 0)
        return KENSA_EINVAL;
    close(fd);
    return KENSA_OK;
}

void kensa_fix_backup_dir(const char *dir, char *out, size_t cap)
{
    if(dir)
        snprintf(out, cap, "%s", dir);
    else
        default_backup_dir(out, cap);
}

/* "<UTC>-<16 hex>-<base>.kensa-bak", base cut and made harmless. */
static void backup_name(const char *base, char *out, size_t cap)
{
    char ts[32], rnd[17], safe[101];
    uint8_t r[8];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(ts, sizeof(ts), "%Y%m%dT%H%M%SZ", &tm);
    if(getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        uint64_t x = (uint64_t)t.tv_nsec ^ ((uint64_t)getpid() << 32);
        memcpy(r, &x, sizeof(r));
    }
    hex_lower(r, sizeof(r), rnd);
    size_t k = 0;
    for(const char *p = base; *p && k < sizeof(safe) - 1; p++) {
        unsigned char c = (unsigned char)*p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        safe[k++] = ok ? (char)c : '_';
    }
    safe[k] = 0;
    snprintf(out, cap, "%s-%s-%s.kensa-bak", ts, rnd, safe);
}

/* Append one line to the folder's manifest, under an exclusive lock. */
static enum kensa_err manifest_append(int bdfd, const char *name,
                                      const char *sha, const struct stat *st,
                                      const char *path, const char *new_sha,
                                      char *why, size_t whycap)
{
    struct buf line;
    struct stat ms;
    enum kensa_err rc = KENSA_EIO;
    char head[320];
    buf_init(&line, FIX_MANIFEST_LINE_MAX);
    int fd = openat(bdfd, KENSA_BACKUP_MANIFEST,
                    O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
                    0600);
    if(fd < 0 || fstat(fd, &ms) || !S_ISREG(ms.st_mode) || !safedir_owned_safe(&ms) ||
       ms.st_nlink != 1) {
        snprintf(why, whycap, "the backup manifest cannot be written "
                 "safely%s%s", fd < 0 ? ": " : "",
                 fd < 0 ? strerror(errno) : "");
        goto out;
    }
    if(flock(fd, LOCK_EX) || fstat(fd, &ms))
        goto out;
    snprintf(head, sizeof(head), "%s\t%s\t%u\t%u\t%o\t", name, sha,
             (unsigned)st->st_uid, (unsigned)st->st_gid,
             (unsigned)(st->st_mode & 07777));
    if((!ms.st_size && buf_puts(&line, FIX_MANIFEST_HEAD)) ||
       buf_puts(&line, head) || fix_manifest_escape(&line, path) ||
       (new_sha && (buf_puts(&line, "\t") || buf_puts(&line, new_sha))) ||
       buf_puts(&line, "\n")) {
        snprintf(why, whycap, "path too long for the manifest");
        rc = KENSA_ELIMIT;
        goto out;
    }
    if(write_full(fd, line.p, line.len) || fsync(fd)) {
        snprintf(why, whycap, "cannot write the backup manifest: %s",
                 strerror(errno));
        goto out;
    }
    rc = KENSA_OK;
out:
    if(fd >= 0)
        close(fd);
    buf_free(&line);
    return rc;
}

/* path made absolute from the working folder, malloc'd (NULL: no
 * memory or no working folder). */
static char *abs_path(const char *path)
{
    char *abs = NULL, *cwd = getcwd(NULL, 0);
    if(cwd && asprintf(&abs, "%s/%s", cwd, path) < 0)
        abs = NULL;
    free(cwd);
    return abs;
}

/* The sha256 of the regular file open on fd, into sha; false when it
 * cannot be read. */
static bool fd_sha(int fd, char sha[65])
{
    struct stat st;
    if(fstat(fd, &st) || !S_ISREG(st.st_mode))
        return false;
    size_t n = (size_t)st.st_size;
    void *m = n ? mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
    if(m == MAP_FAILED)
        return false;
    sha256_hex_mapped(m ? m : (const void *)"", n, sha);
    if(m)
        munmap(m, n);
    return true;
}

/*
 * Record the rewritten file's digest `new_sha` (hashed from the file
 * kensa wrote, before it replaced the original: never read back by
 * name): the backup `name`'s record again, with NEWSHA256 (manifest.h).
 * Best effort: without it, restore cannot tell a later change and
 * restores as before.
 */
static void record_rewritten(const char *path, const char *dir,
                             const char *name, const char *sha,
                             const struct stat *st, const char *new_sha)
{
    char why[256];
    int bdfd = backup_dir_open(dir, why, sizeof(why));
    if(bdfd < 0)
        return;
    char *abs = path[0] != '/' ? abs_path(path) : NULL;
    if(path[0] == '/' || abs)
        manifest_append(bdfd, name, sha, st, abs ? abs : path, new_sha, why,
                        sizeof(why));
    free(abs);
    close(bdfd);
}

/*
 * Copy the original (data, n bytes; stat st) into the backup folder and
 * record it in the manifest.  out gets the backup's path, name its file
 * name (200 bytes), sha its digest.
 */
static enum kensa_err save_backup(const char *path, const uint8_t *data,
                                  size_t n, const struct stat *st,
                                  const char *dir, char *out, size_t cap,
                                  char name[200], char sha[65],
                                  char *why, size_t whycap)
{
    char shown[4096];
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    int bdfd = backup_dir_open(dir, why, whycap);
    if(bdfd < 0)
        return KENSA_EIO;
    kensa_fix_backup_dir(dir, shown, sizeof(shown));
    backup_name(base, name, 200);
    snprintf(out, cap, "%.3800s/%s", shown, name);
    enum kensa_err rc = KENSA_EIO;
    int fd = openat(bdfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
                    O_CLOEXEC, 0600);
    if(fd < 0) {
        snprintf(why, whycap, "cannot create a backup in %.400s: %s", shown,
                 strerror(errno));
        goto out;
    }
    struct timespec times[2] = { st->st_atim, st->st_mtim };
    if(write_full(fd, data, n) || futimens(fd, times) || fsync(fd)) {
        snprintf(why, whycap, "cannot write the backup %.400s: %s", out,
                 strerror(errno));
        close(fd);
        unlinkat(bdfd, name, 0);
        goto out;
    }
    close(fd);
    sha256_hex_mapped(data, n, sha);
    /* the manifest keeps an absolute path: restore may run elsewhere */
    char *abs = NULL;
    if(path[0] != '/' && !(abs = abs_path(path))) {
        snprintf(why, whycap, "cannot make the path absolute");
        unlinkat(bdfd, name, 0);
        goto out;
    }
    rc = manifest_append(bdfd, name, sha, st, abs ? abs : path, NULL, why,
                         whycap);
    free(abs);
    if(rc)
        unlinkat(bdfd, name, 0);
    else
        fsync(bdfd);
out:
    close(bdfd);
    return rc;
}

/* ---- replacing a file --------------------------------------------------- */

/* Create a new temporary file in folder `dfd`; its name goes to tmp. */
static int tmp_create(int dfd, char tmp[64], char *why, size_t whycap)
{
    char rnd[17];
    uint8_t r[8];
    int fd = -1;
    for(int tries = 0; fd < 0 && tries < 8; tries++) {
        if(getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
            memset(r, tries, sizeof(r));
        hex_lower(r, sizeof(r), rnd);
        snprintf(tmp, 64, ".kensa-tmp-%s", rnd);
        fd = openat(dfd, tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
                    O_CLOEXEC, 0600);
        if(fd < 0 && errno != EEXIST)
            break;
    }
    if(fd < 0)
        snprintf(why, whycap, "cannot create a temporary file: %s",
                 strerror(errno));
    return fd;
}

/*
 * Finish the temporary file `fd` (named tmp in folder dfd): give it the
 * owner, group, mode and times in `st`, sync it, and rename it over
 * `base`.  When `expect` is set, `base` must still be that (device,
 * inode) just before.  Closes fd; on failure the temporary file is gone.
 */
static enum kensa_err tmp_commit(int dfd, int fd, const char *tmp,
                                 const char *base, const struct stat *st,
                                 const struct stat *expect, char *why,
                                 size_t whycap)
{
    enum kensa_err rc = KENSA_EIO;
    /* owner first: chown clears set-id bits that fchmod then restores */
    if(fchown(fd, st->st_uid, st->st_gid)) {
        snprintf(why, whycap, "cannot give the file its owner %u:%u: %s",
                 (unsigned)st->st_uid, (unsigned)st->st_gid, strerror(errno));
        goto fail;
    }
    struct timespec times[2] = { st->st_atim, st->st_mtim };
    if(fchmod(fd, st->st_mode & 07777) || futimens(fd, times)) {
        snprintf(why, whycap, "cannot set mode and times: %s",
                 strerror(errno));
        goto fail;
    }
    if(fsync(fd)) {
        snprintf(why, whycap, "fsync failed: %s", strerror(errno));
        goto fail;
    }
    close(fd);
    fd = -1;
    if(expect) {
        struct stat now;
        if(fstatat(dfd, base, &now, AT_SYMLINK_NOFOLLOW) ||
           now.st_dev != expect->st_dev || now.st_ino != expect->st_ino) {
            snprintf(why, whycap, "changed while being fixed; left alone");
            rc = KENSA_ECHANGED;
            goto fail;
        }
    }
    if(renameat(dfd, tmp, dfd, base)) {
        snprintf(why, whycap, "cannot replace it: %s", strerror(errno));
        goto fail;
    }
    fsync(dfd);
    return KENSA_OK;
fail:
    if(fd >= 0)
        close(fd);
    unlinkat(dfd, tmp, 0);
    return rc;
}

/* ---- fix ---------------------------------------------------------------- */

enum kensa_err kensa_fix_file(const char *path,
                              const struct kensa_fix_target *t, size_t n,
                              const struct kensa_fix_opts *o,
                              struct kensa_fix_result *r)
{
    struct stat st;
    enum kensa_err rc = KENSA_EIO;
    uint8_t *map = NULL;
    size_t len = 0;
    const char *base;
    int fd = -1;
    char bname[200], bsha[65];

    memset(r, 0, sizeof(*r));
    int dfd = parent_open(path, &base, r->why, sizeof(r->why));
    if(dfd < 0)
        return KENSA_EIO;
    fd = openat(dfd, base, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK |
                O_NOCTTY);
    if(fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        snprintf(r->why, sizeof(r->why), "cannot open it%s%s",
                 fd < 0 ? ": " : " as a regular file",
                 fd < 0 ? strerror(errno) : "");
        goto out;
    }
    if((o->expect_dev || o->expect_ino) &&
       ((uint64_t)st.st_dev != o->expect_dev ||
        (uint64_t)st.st_ino != o->expect_ino)) {
        snprintf(r->why, sizeof(r->why), "it is no longer the file that was "
                 "scanned; left alone");
        rc = KENSA_ECHANGED;
        goto out;
    }
    len = (size_t)st.st_size;
    if(len)
        map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    if(!len || map == MAP_FAILED) {
        map = NULL;
        snprintf(r->why, sizeof(r->why), "cannot map it");
        goto out;
    }

    if(n == 1 && !t[0].entry) {
        /* a class file of an exploded folder: move it aside */
        r->removed = 1;
        rc = KENSA_OK;
        if(o->dry_run)
            goto out;
        rc = save_backup(path, map, len, &st, o->backup_dir, r->backup,
                         sizeof(r->backup), bname, bsha, r->why,
                         sizeof(r->why));
        if(rc)
            goto out;
        struct stat now;
        if(fstatat(dfd, base, &now, AT_SYMLINK_NOFOLLOW) ||
           now.st_dev != st.st_dev || now.st_ino != st.st_ino) {
            snprintf(r->why, sizeof(r->why), "changed while being fixed; "
                     "left alone");
            rc = KENSA_ECHANGED;
        } else if(unlinkat(dfd, base, 0)) {
            snprintf(r->why, sizeof(r->why), "cannot remove it: %s",
                     strerror(errno));
            rc = KENSA_EIO;
        } else
            fsync(dfd);
        goto out;
    }
    struct zipfix_target zt[256];
    if(n > 256)
        n = 256;
    for(size_t i = 0; i < n; i++) {
        zt[i].chain = t[i].chain;
        zt[i].chain_len = t[i].chain_len;
        zt[i].entry = t[i].entry;
    }
    /* the new file is written straight to disk: memory stays flat
     * whatever the size (a dry run writes to an unlinked spill file) */
    char tmp[64] = "";
    int out = o->dry_run ? spill_fd() : tmp_create(dfd, tmp, r->why,
                                                   sizeof(r->why));
    if(out < 0) {
        if(o->dry_run)
            snprintf(r->why, sizeof(r->why), "no temporary file");
        rc = KENSA_EIO;
        goto out;
    }
    unsigned removed = 0;
    rc = zipfix_rewrite_fd(map, len, true, zt, n, out, &removed, r->why,
                           sizeof(r->why));
    r->removed = removed;
    if(!rc && removed && !o->dry_run)
        rc = save_backup(path, map, len, &st, o->backup_dir, r->backup,
                         sizeof(r->backup), bname, bsha, r->why,
                         sizeof(r->why));
    if(rc || !removed || o->dry_run) {
        close(out);
        if(tmp[0])
            unlinkat(dfd, tmp, 0);
        goto out;
    }
    char new_sha[65];
    bool hashed = fd_sha(out, new_sha);   /* what is about to replace it */
    rc = tmp_commit(dfd, out, tmp, base, &st, &st, r->why, sizeof(r->why));
    if(!rc && hashed)
        record_rewritten(path, o->backup_dir, bname, bsha, &st, new_sha);
out:
    if(map)
        munmap(map, len);
    if(fd >= 0)
        close(fd);
    close(dfd);
    return rc;
}

/* ---- restore ------------------------------------------------------------ */

/* Read the manifest of folder `bdfd` after checking who may write it. */
static enum kensa_err manifest_read(int bdfd, struct buf *text, char *why,
                                    size_t whycap)
{
    struct stat st;
    uint8_t chunk[65536];
    int fd = openat(bdfd, KENSA_BACKUP_MANIFEST,
                    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if(fd < 0) {
        snprintf(why, whycap, "no backup manifest beside it: %s",
                 strerror(errno));
        return KENSA_ENOENT;
    }
    if(fstat(fd, &st) || !S_ISREG(st.st_mode) || !safedir_owned_safe(&st)) {
        snprintf(why, whycap, "its manifest may have been written by "
                 "another user (owner or mode); refused");
        close(fd);
        return KENSA_EINVAL;
    }
    /* all of it or nothing: a cut manifest could hide a later record */
    for(;;) {
        ssize_t got = read(fd, chunk, sizeof(chunk));
        if(got < 0 && errno == EINTR)
            continue;
        if(got < 0) {
            snprintf(why, whycap, "cannot read its manifest: %s",
                     strerror(errno));
            close(fd);
            return KENSA_EIO;
        }
        if(!got)
            break;
        if(buf_append(text, chunk, (size_t)got)) {
            snprintf(why, whycap, "its manifest is larger than %u MiB; "
                     "refused", MANIFEST_MAX >> 20);
            close(fd);
            return KENSA_ELIMIT;
        }
    }
    close(fd);
    return KENSA_OK;
}

enum kensa_err kensa_fix_restore(const char *backup, char *out_path,
                                 size_t cap, char *why, size_t whycap)
{
    return kensa_fix_restore_ex(backup, false, out_path, cap, why, whycap);
}

enum kensa_err kensa_fix_restore_ex(const char *backup, bool force,
                                    char *out_path, size_t cap, char *why,
                                    size_t whycap)
{
    struct stat st, dst;
    struct fix_record rec = { .path = NULL };
    struct buf text;
    uint8_t *map = NULL;
    size_t len = 0;
    char sha[65];
    const char *name, *base;
    int bdfd = -1, fd = -1, dfd = -1;
    enum kensa_err rc = KENSA_EIO;

    out_path[0] = 0;
    buf_init(&text, MANIFEST_MAX);
    bdfd = parent_open(backup, &name, why, whycap);
    if(bdfd < 0)
        return KENSA_EIO;
    if(fstat(bdfd, &dst) || !safedir_owned_safe(&dst)) {
        snprintf(why, whycap, "its folder may be written by another user; "
                 "refused");
        rc = KENSA_EINVAL;
        goto out;
    }
    if((rc = manifest_read(bdfd, &text, why, whycap)))
        goto out;
    if(!fix_manifest_find((const char *)text.p, text.len, name, &rec)) {
        snprintf(why, whycap, "not a backup listed in its folder's manifest");
        rc = KENSA_ENOENT;
        goto out;
    }
    fd = openat(bdfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if(fd < 0) {
        snprintf(why, whycap, "the backup is missing (%s)", strerror(errno));
        rc = KENSA_ENOENT;
        goto out;
    }
    if(fstat(fd, &st) || !S_ISREG(st.st_mode) || !safedir_owned_safe(&st) ||
       st.st_nlink != 1) {
        snprintf(why, whycap, "the backup may have been written by another "
                 "user (owner, mode or links); refused");
        rc = KENSA_EINVAL;
        goto out;
    }
    len = (size_t)st.st_size;
    if(len) {
        map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
        if(map == MAP_FAILED) {
            map = NULL;
            snprintf(why, whycap, "cannot map the backup");
            rc = KENSA_EIO;
            goto out;
        }
    }
    sha256_hex(map ? map : (const uint8_t *)"", len, sha);
    if(strcmp(sha, rec.sha)) {
        snprintf(why, whycap, "the backup does not match its recorded "
                 "sha256");
        rc = KENSA_EFORMAT;
        goto out;
    }
    snprintf(out_path, cap, "%s", rec.path);
    dfd = parent_open(rec.path, &base, why, whycap);
    if(dfd < 0) {
        rc = KENSA_EIO;
        goto out;
    }
    /* the live file must still be the one kensa wrote: else it changed
     * since (an upgrade), and the old original would undo that.  Hashed
     * from what was opened, and that (device, inode) must still be at
     * the name just before the rename (tmp_commit), so a file swapped in
     * after the check is not replaced either */
    char live[65];
    struct stat live_st;
    bool checked = false;
    if(rec.new_sha[0] && !force) {
        int lfd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
                         O_CLOEXEC | O_NOCTTY);
        if(lfd >= 0) {
            checked = !fstat(lfd, &live_st) && S_ISREG(live_st.st_mode) &&
                      fd_sha(lfd, live);
            close(lfd);
        }
        if(checked && strcmp(live, rec.new_sha)) {
            snprintf(why, whycap, "the file is no longer the one kensa "
                     "wrote (changed since the fix); --force restores "
                     "anyway");
            rc = KENSA_ECHANGED;
            goto out;
        }
    }
    struct stat want = st;
    want.st_uid = rec.uid;
    want.st_gid = rec.gid;
    want.st_mode = (st.st_mode & ~(mode_t)07777) | rec.mode;
    char tmp[64];
    int out = tmp_create(dfd, tmp, why, whycap);
    if(out < 0) {
        rc = KENSA_EIO;
        goto out;
    }
    if(write_full(out, map ? map : (const uint8_t *)"", len)) {
        snprintf(why, whycap, "cannot write: %s", strerror(errno));
        close(out);
        unlinkat(dfd, tmp, 0);
        rc = KENSA_EIO;
        goto out;
    }
    rc = tmp_commit(dfd, out, tmp, base, &want, checked ? &live_st : NULL,
                    why, whycap);
out:
    if(map)
        munmap(map, len);
    if(fd >= 0)
        close(fd);
    if(dfd >= 0)
        close(dfd);
    close(bdfd);
    free(rec.path);
    buf_free(&text);
    return rc;
}

enum kensa_err kensa_fix_backups(const char *dir,
                                 void (*fn)(const char *backup, void *ud),
                                 void *ud, char *why, size_t whycap)
{
    struct stat st;
    struct buf text;
    enum kensa_err rc;
    int bdfd = safedir_walk(dir, SAFEDIR_MK_NONE);
    if(bdfd < 0) {
        snprintf(why, whycap, "cannot open the folder: %s", strerror(errno));
        return errno == ENOENT ? KENSA_ENOENT : KENSA_EIO;
    }
    if(fstat(bdfd, &st) || !safedir_owned_safe(&st)) {
        snprintf(why, whycap, "the folder may be written by another user; "
                 "refused");
        close(bdfd);
        return KENSA_EINVAL;
    }
    buf_init(&text, MANIFEST_MAX);
    rc = manifest_read(bdfd, &text, why, whycap);
    close(bdfd);
    const char *t = (const char *)text.p;
    for(size_t off = 0; !rc && off < text.len;) {
        const char *line = t + off;
        const char *end = memchr(line, '\n', text.len - off);
        size_t ll = end ? (size_t)(end - line) : text.len - off;
        struct fix_record r;
        /* each name once: at its first record (restore reads the last) */
        bool first = true;
        if(fix_manifest_parse_line(line, ll, &r) == KENSA_OK) {
            free(r.path);
            for(size_t o2 = 0; o2 < off && first;) {
                const char *l2 = t + o2;
                const char *e2 = memchr(l2, '\n', text.len - o2);
                size_t n2 = e2 ? (size_t)(e2 - l2) : text.len - o2;
                if(n2 > r.name_len && l2[r.name_len] == '\t' &&
                   !memcmp(l2, r.name, r.name_len))
                    first = false;
                o2 += n2 + 1;
            }
            char *path = NULL;
            if(first && asprintf(&path, "%s/%.*s", dir, (int)r.name_len,
                                 r.name) < 0)
                rc = KENSA_ENOMEM;
            else if(first)
                fn(path, ud);
            free(path);
        }
        off += ll + 1;
    }
    buf_free(&text);
    return rc;
}
