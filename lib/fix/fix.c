/*
 * fix.c - the file side of --fix and --restore: backups with a hash
 * sidecar, atomic replacement, metadata kept.
 *
 * Order of operations for a fix, chosen so that a kill -9 at any point
 * leaves a whole file at the original path:
 *   1. read and map the original; rewrite it in memory (zipfix.c);
 *   2. save the original: a hard link when the backup is on the same file
 *      system (instant, and the original inode stays untouched), else a
 *      copy, synced; then the sidecar "<backup>.sha256", synced;
 *   3. write the new bytes to a temporary file in the same folder, give it
 *      the original's mode, owner and times, fsync it;
 *   4. rename it over the original (atomic), fsync the folder.
 * A crash before 4 leaves the original and a stray temporary file; after
 * 4, the fixed file.  Restore is the same dance in the other direction.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fix/zipfix.h"
#include "kensa/kensa.h"
#include "util/buf.h"

static enum kensa_err write_all(int fd, const uint8_t *p, size_t n)
{
    while(n) {
        ssize_t w = write(fd, p, n);
        if(w < 0 && errno == EINTR)
            continue;
        if(w <= 0)
            return KENSA_EIO;
        p += w;
        n -= (size_t)w;
    }
    return KENSA_OK;
}

static void fsync_dir(const char *path)
{
    char *d = strdup(path);
    if(!d)
        return;
    int fd = open(dirname(d), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if(fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(d);
}

/* Write `data` to a new temporary file beside `path`, with st's metadata,
 * synced, and rename it over `path`. */
static enum kensa_err replace_atomic(const char *path, const uint8_t *data,
                                     size_t n, const struct stat *st,
                                     char *why, size_t whycap)
{
    char tmp[4096];
    char *d = strdup(path), *b = strdup(path);
    enum kensa_err rc = KENSA_EIO;
    if(!d || !b) {
        free(d);
        free(b);
        return KENSA_ENOMEM;
    }
    snprintf(tmp, sizeof(tmp), "%s/.%s.kensa-tmp-XXXXXX", dirname(d),
             basename(b));
    free(d);
    free(b);
    int fd = mkstemp(tmp);
    if(fd < 0) {
        snprintf(why, whycap, "cannot create a temporary file: %s",
                 strerror(errno));
        return KENSA_EIO;
    }
    if(write_all(fd, data, n) || fchmod(fd, st->st_mode & 07777)) {
        snprintf(why, whycap, "cannot write %s: %s", tmp, strerror(errno));
        goto fail;
    }
    if(fchown(fd, st->st_uid, st->st_gid) && errno != EPERM) {
        snprintf(why, whycap, "cannot set the owner: %s", strerror(errno));
        goto fail;
    }
    struct timespec times[2] = { st->st_atim, st->st_mtim };
    futimens(fd, times);
    if(fsync(fd)) {
        snprintf(why, whycap, "fsync failed: %s", strerror(errno));
        goto fail;
    }
    close(fd);
    fd = -1;
    if(rename(tmp, path)) {
        snprintf(why, whycap, "cannot replace %s: %s", path, strerror(errno));
        goto fail;
    }
    fsync_dir(path);
    return KENSA_OK;
fail:
    if(fd >= 0)
        close(fd);
    unlink(tmp);
    return rc;
}

/* Where the backup of `path` goes. */
static void backup_name(const char *path, const char *dir, char *out,
                        size_t cap)
{
    char ts[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(ts, sizeof(ts), "%Y%m%dT%H%M%SZ", &tm);
    if(!dir) {
        snprintf(out, cap, "%s.%s.kensa-bak", path, ts);
        return;
    }
    /* in a central folder: the whole path, '/' as '%', stays unique */
    char flat[3072];
    size_t k = 0;
    for(const char *p = path; *p && k + 2 < sizeof(flat); p++)
        flat[k++] = *p == '/' ? '%' : *p;
    flat[k] = 0;
    snprintf(out, cap, "%s/%s.%s.kensa-bak", dir, flat, ts);
}

static enum kensa_err save_backup(const char *path, const uint8_t *data,
                                  size_t n, const struct stat *st,
                                  const char *dir, char *out, size_t cap,
                                  char *why, size_t whycap)
{
    char side[4200], sha[65], line[4200];
    backup_name(path, dir, out, cap);
    if(dir)
        mkdir(dir, 0700);
    if(link(path, out)) {
        int fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                      st->st_mode & 0777);
        if(fd < 0) {
            snprintf(why, whycap, "cannot create backup %.400s: %s", out,
                     strerror(errno));
            return KENSA_EIO;
        }
        struct timespec times[2] = { st->st_atim, st->st_mtim };
        if(write_all(fd, data, n) || fsync(fd)) {
            close(fd);
            unlink(out);
            snprintf(why, whycap, "cannot write backup %.400s", out);
            return KENSA_EIO;
        }
        futimens(fd, times);
        close(fd);
    }
    sha256_hex(data, n, sha);
    snprintf(side, sizeof(side), "%s.sha256", out);
    int fd = open(side, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int len = snprintf(line, sizeof(line), "%s  %s\n", sha, path);
    if(fd < 0 || write_all(fd, (const uint8_t *)line, (size_t)len) ||
       fsync(fd)) {
        if(fd >= 0)
            close(fd);
        snprintf(why, whycap, "cannot write %.400s", side);
        return KENSA_EIO;
    }
    close(fd);
    fsync_dir(out);
    return KENSA_OK;
}

enum kensa_err kensa_fix_file(const char *path,
                              const struct kensa_fix_target *t, size_t n,
                              const struct kensa_fix_opts *o,
                              struct kensa_fix_result *r)
{
    struct stat st;
    enum kensa_err rc;
    struct buf out;
    uint8_t *map = NULL;

    memset(r, 0, sizeof(*r));
    buf_init(&out, (size_t)4 << 30);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if(fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        snprintf(r->why, sizeof(r->why), "cannot open %s: %s", path,
                 strerror(errno));
        if(fd >= 0)
            close(fd);
        return KENSA_EIO;
    }
    size_t len = (size_t)st.st_size;
    if(len)
        map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if(!len || map == MAP_FAILED) {
        snprintf(r->why, sizeof(r->why), "cannot map %s", path);
        return KENSA_EIO;
    }

    bool exploded = n == 1 && !t[0].entry;
    if(exploded) {
        /* a class file of an exploded folder: move it aside */
        r->removed = 1;
        if(o->dry_run) {
            rc = KENSA_OK;
            goto out;
        }
        rc = save_backup(path, map, len, &st, o->backup_dir, r->backup,
                         sizeof(r->backup), r->why, sizeof(r->why));
        if(!rc && unlink(path)) {
            snprintf(r->why, sizeof(r->why), "cannot remove %s: %s", path,
                     strerror(errno));
            rc = KENSA_EIO;
        }
        if(!rc)
            fsync_dir(path);
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
    unsigned removed = 0;
    rc = zipfix_rewrite(map, len, zt, n, &out, &removed, r->why,
                        sizeof(r->why));
    r->removed = removed;
    if(rc || !removed || o->dry_run)
        goto out;
    rc = save_backup(path, map, len, &st, o->backup_dir, r->backup,
                     sizeof(r->backup), r->why, sizeof(r->why));
    if(rc)
        goto out;
    rc = replace_atomic(path, out.p, out.len, &st, r->why, sizeof(r->why));
out:
    munmap(map, len);
    buf_free(&out);
    return rc;
}

enum kensa_err kensa_fix_restore(const char *backup, char *out_path,
                                 size_t cap, char *why, size_t whycap)
{
    char side[4200], line[4200], sha[65];
    struct stat st;
    uint8_t *map = NULL;
    enum kensa_err rc = KENSA_EIO;

    out_path[0] = 0;
    snprintf(side, sizeof(side), "%s.sha256", backup);
    FILE *f = fopen(side, "r");
    if(!f || !fgets(line, sizeof(line), f)) {
        if(f)
            fclose(f);
        snprintf(why, whycap, "no sidecar %s", side);
        return KENSA_ENOENT;
    }
    fclose(f);
    line[strcspn(line, "\n")] = 0;
    if(strlen(line) < 67 || line[64] != ' ' || line[65] != ' ') {
        snprintf(why, whycap, "malformed sidecar %s", side);
        return KENSA_EFORMAT;
    }
    const char *orig = line + 66;
    snprintf(out_path, cap, "%s", orig);
    int fd = open(backup, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if(fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        snprintf(why, whycap, "cannot open %s: %s", backup, strerror(errno));
        if(fd >= 0)
            close(fd);
        return KENSA_EIO;
    }
    size_t len = (size_t)st.st_size;
    map = len ? mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
    close(fd);
    if(len && map == MAP_FAILED) {
        snprintf(why, whycap, "cannot map %s", backup);
        return KENSA_EIO;
    }
    sha256_hex(len ? map : (const uint8_t *)"", len, sha);
    if(strncmp(sha, line, 64)) {
        snprintf(why, whycap, "%s does not match its recorded sha256", backup);
        rc = KENSA_EFORMAT;
        goto out;
    }
    rc = replace_atomic(orig, len ? map : (const uint8_t *)"", len, &st, why,
                        whycap);
out:
    if(len)
        munmap(map, len);
    return rc;
}
