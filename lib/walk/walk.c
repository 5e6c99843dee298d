/*
 * walk.c - the parallel walker (see walk.h).
 *
 * Invariants: a job is owned by the stack until popped, then by the worker
 * that popped it.  `active` counts workers holding a job; the walk is over
 * when the stack is empty and no worker is active.  A job listed in a
 * folder holds a reference on that folder's descriptor (struct dref) until
 * it is opened; the descriptor is closed when its last reference goes.
 * Reference counts, the stack and the visited set (only kept when
 * following symlinks) change under the lock.
 *
 * A folder whose device differs from its parent's is a mount point: only
 * there is fstatfs() asked whether it is a network or FUSE file system
 * (walk_netfs_type), so the cost is one call per mount, not per folder.
 */
#define _GNU_SOURCE
#include "walk/walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "core/sysroot.h"

#define QUEUE_INLINE_FILES 4096 /* above this, a folder's files are scanned
                                   by the worker that read the folder */

/* An open folder shared by the entries listed in it. */
struct dref {
    int fd;
    unsigned refs;
};

struct job {
    struct job *next;
    bool is_dir;
    dev_t root_dev;
    dev_t parent_dev;       /* device of the folder it was listed in */
    struct stat st;         /* as listed */
    struct dref *dir;       /* folder it was listed in; NULL for a root */
    size_t name_off;        /* its name within path */
    char path[];
};

struct devino { dev_t dev; ino_t ino; };

struct walk {
    const struct walk_opts *o;
    walk_file_fn on_file;
    walk_warn_fn on_warn;
    void *ud;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct job *head;
    size_t queued;
    unsigned active;
    bool oom;
    struct devino *seen;   /* open addressing; ino 0 = empty */
    size_t seen_n, seen_cap;
};

/* fnmatch(glob, s), where a glob ending in '/' (a folder glob, handled by
 * the caller) is matched without its slash.  The copy is capped. */
static bool glob_match(const char *glob, size_t glen, const char *s)
{
    char g[WALK_GLOB_MAX + 1];
    if(glen > WALK_GLOB_MAX)
        return false;
    memcpy(g, glob, glen);
    g[glen] = 0;
    return !fnmatch(g, s, 0);
}

bool walk_excluded(const struct walk_opts *o, const char *path, bool is_dir)
{
    const char *base = strrchr(path, '/');
    base = base && base[1] ? base + 1 : path;
    for(size_t i = 0; i < o->n_excludes; i++) {
        const char *g = o->excludes[i];
        size_t gl = strlen(g);
        if(gl > 1 && g[gl - 1] == '/') {
            /* "DIR/": folders only, the slash dropped */
            if(is_dir && (glob_match(g, gl - 1, path) ||
                          glob_match(g, gl - 1, base)))
                return true;
            continue;
        }
        if(!fnmatch(g, path, 0) || !fnmatch(g, base, 0))
            return true;
    }
    return false;
}

/* ---- network and FUSE file systems -------------------------------------- */

/* statfs(2) magic numbers of file systems whose data lives elsewhere
 * (linux/magic.h and the file systems' own headers). */
static const struct { unsigned long magic; const char *name; } netfs[] = {
    { 0x6969UL, "nfs" },             /* NFS_SUPER_MAGIC (v2, v3 and v4) */
    { 0x517BUL, "smbfs" },           /* SMB_SUPER_MAGIC */
    { 0xFF534D42UL, "cifs" },        /* CIFS_SUPER_MAGIC */
    { 0xFE534D42UL, "smb3" },        /* SMB2_SUPER_MAGIC */
    { 0x5346414FUL, "afs" },         /* OpenAFS */
    { 0x6B414653UL, "afs" },         /* kAFS */
    { 0x0187UL, "autofs" },          /* AUTOFS_SUPER_MAGIC */
    { 0x01021997UL, "9p" },          /* V9FS_MAGIC */
    { 0x00C36400UL, "ceph" },        /* CEPH_SUPER_MAGIC */
    { 0x73757245UL, "coda" },        /* CODA_SUPER_MAGIC (davfs2 too) */
    { 0x564CUL, "ncpfs" },           /* NCP_SUPER_MAGIC */
    { 0x0BD00BD0UL, "lustre" },      /* LL_SUPER_MAGIC */
    { 0x20030528UL, "pvfs2" },       /* ORANGEFS_DEVREQ_MAGIC */
    { 0x65735546UL, "fuse" },        /* FUSE_SUPER_MAGIC: named below */
};
#define FUSE_MAGIC 0x65735546UL

#define MOUNTINFO_LINE 4096   /* longer lines are skipped */
#define MOUNTINFO_MAX 4096    /* mounts looked at */
#define FSTYPE_MAX 64

/* A copy of the mount table's (device, type) pairs, taken before the scan
 * is confined (walk_mounts_snapshot): Landlock may then hide /proc. */
struct mnt { dev_t dev; char type[FSTYPE_MAX]; };
static struct mnt *snap;
static size_t n_snap;
static pthread_mutex_t snap_lock = PTHREAD_MUTEX_INITIALIZER;

/* Read /proc/self/mountinfo: call fn(ctx, dev, type) per mount, at most
 * MOUNTINFO_MAX, until it returns true.  False if unreadable. */
static bool mountinfo_each(bool (*fn)(void *, dev_t, const char *, size_t),
                           void *ctx)
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    char line[MOUNTINFO_LINE];
    if(!f)
        return false;
    for(unsigned n = 0; n < MOUNTINFO_MAX && fgets(line, sizeof(line), f);
        n++) {
        unsigned maj, min;
        /* id parent maj:min root mountpoint options [optional...] - type */
        if(sscanf(line, "%*u %*u %u:%u", &maj, &min) != 2)
            continue;
        char *sep = strstr(line, " - ");
        if(!sep)
            continue;
        char *t = sep + 3;
        size_t tl = strcspn(t, " \n");
        if(!tl || tl >= FSTYPE_MAX)
            continue;
        if(fn(ctx, makedev(maj, min), t, tl))
            break;
    }
    fclose(f);
    return true;
}

static bool snap_add(void *ctx, dev_t dev, const char *t, size_t tl)
{
    (void)ctx;
    if(strncmp(t, "fuse", 4))
        return false;   /* only FUSE types need a name from here */
    struct mnt *n = realloc(snap, (n_snap + 1) * sizeof(*n));
    if(!n)
        return true;
    snap = n;
    snap[n_snap].dev = dev;
    memcpy(snap[n_snap].type, t, tl);
    snap[n_snap].type[tl] = 0;
    n_snap++;
    return false;
}

void walk_mounts_snapshot(void)
{
    pthread_mutex_lock(&snap_lock);
    free(snap);
    snap = NULL;
    n_snap = 0;
    mountinfo_each(snap_add, NULL);
    pthread_mutex_unlock(&snap_lock);
}

struct find_ctx { dev_t dev; char *out; bool found; };

static bool find_dev(void *ctx, dev_t dev, const char *t, size_t tl)
{
    struct find_ctx *fc = ctx;
    if(dev != fc->dev)
        return false;
    memcpy(fc->out, t, tl);
    fc->out[tl] = 0;
    fc->found = true;
    return true;
}

/*
 * The type the mount table gives device `dev` ("fuse.sshfs", "fuseblk"),
 * into out (FSTYPE_MAX bytes): from the snapshot, else from
 * /proc/self/mountinfo (a mount made since); false when neither knows.
 */
static bool mount_fstype(dev_t dev, char *out)
{
    struct find_ctx fc = { .dev = dev, .out = out };
    pthread_mutex_lock(&snap_lock);
    for(size_t i = 0; i < n_snap && !fc.found; i++)
        if(snap[i].dev == dev)
            find_dev(&fc, dev, snap[i].type, strlen(snap[i].type));
    pthread_mutex_unlock(&snap_lock);
    if(!fc.found)
        mountinfo_each(find_dev, &fc);
    return fc.found;
}

const char *walk_netfs_type(int fd)
{
    static __thread char fuse_name[FSTYPE_MAX];
    struct statfs sf;
    struct stat st;
    if(fstatfs(fd, &sf))
        return NULL;
    for(size_t i = 0; i < sizeof(netfs) / sizeof(netfs[0]); i++) {
        if((unsigned long)sf.f_type != netfs[i].magic)
            continue;
        if(netfs[i].magic != FUSE_MAGIC)
            return netfs[i].name;
        /* the table's name, when it is a FUSE one (a table that says
         * otherwise lags behind the kernel: "fuse") */
        if(fstat(fd, &st) || !mount_fstype(st.st_dev, fuse_name) ||
           strncmp(fuse_name, "fuse", 4))
            return "fuse";
        /* fuseblk: a local disk through FUSE (ntfs-3g, exfat) */
        if(!strcmp(fuse_name, "fuseblk"))
            return NULL;
        return fuse_name;
    }
    return NULL;
}

bool walk_fs_included(const struct walk_opts *o, const char *type)
{
    bool fuse = !strncmp(type, "fuse", 4) && (!type[4] || type[4] == '.');
    for(size_t i = 0; i < o->n_include_fs; i++) {
        const char *t = o->include_fs[i];
        if(!strcmp(t, type) || (fuse && !strcmp(t, "fuse")) ||
           (fuse && type[4] == '.' && !strcmp(t, type + 5)) ||
           (!strcmp(type, "nfs") && !strncmp(t, "nfs", 3)))
            return true;   /* nfs4 is "nfs" to statfs */
    }
    return false;
}

static bool owned_safe(const struct stat *st)
{
    return (st->st_uid == 0 || st->st_uid == geteuid()) &&
           !(st->st_mode & (S_IWGRP | S_IWOTH));
}

bool walk_is_backup_folder(int dfd, const struct stat *st)
{
    struct stat m;
    if(!owned_safe(st))
        return false;
    if(fstatat(dfd, KENSA_BACKUP_MANIFEST, &m, AT_SYMLINK_NOFOLLOW))
        return false;
    return S_ISREG(m.st_mode) && owned_safe(&m) && m.st_uid == st->st_uid;
}

/* Insert (dev, ino); returns false if it was already there.  Lock held. */
static bool seen_add(struct walk *w, dev_t dev, ino_t ino)
{
    if(w->seen_n * 2 >= w->seen_cap) {
        size_t ncap = w->seen_cap ? w->seen_cap * 2 : 1024;
        struct devino *n = calloc(ncap, sizeof(*n));
        if(!n) {
            w->oom = true;
            return true;
        }
        for(size_t i = 0; i < w->seen_cap; i++) {
            if(!w->seen[i].ino)
                continue;
            size_t h = ((size_t)w->seen[i].ino * 2654435761u ^
                        (size_t)w->seen[i].dev) & (ncap - 1);
            while(n[h].ino)
                h = (h + 1) & (ncap - 1);
            n[h] = w->seen[i];
        }
        free(w->seen);
        w->seen = n;
        w->seen_cap = ncap;
    }
    size_t h = ((size_t)ino * 2654435761u ^ (size_t)dev) & (w->seen_cap - 1);
    while(w->seen[h].ino) {
        if(w->seen[h].ino == ino && w->seen[h].dev == dev)
            return false;
        h = (h + 1) & (w->seen_cap - 1);
    }
    w->seen[h].dev = dev;
    w->seen[h].ino = ino ? ino : 1;
    w->seen_n++;
    return true;
}

/* Drop one reference on a folder.  Lock held. */
static void dref_put(struct dref *d)
{
    if(d && !--d->refs) {
        close(d->fd);
        free(d);
    }
}

static struct job *job_new(const char *path, size_t len, size_t name_off,
                           bool is_dir, dev_t root_dev, const struct stat *st,
                           struct dref *dir, dev_t parent_dev)
{
    struct job *j = malloc(sizeof(*j) + len + 1);
    if(!j)
        return NULL;
    j->next = NULL;
    j->is_dir = is_dir;
    j->root_dev = root_dev;
    j->parent_dev = parent_dev;
    j->st = *st;
    j->dir = dir;
    j->name_off = name_off;
    memcpy(j->path, path, len);
    j->path[len] = 0;
    return j;
}

/* Lock held.  Last in, first out (see walk.h). */
static void push(struct walk *w, struct job *j)
{
    if(j->dir)
        j->dir->refs++;
    j->next = w->head;
    w->head = j;
    w->queued++;
    pthread_cond_signal(&w->cond);
}

static bool is_pseudo(const char *path)
{
    return !strcmp(path, "/proc") || !strcmp(path, "/sys") ||
           !strcmp(path, "/dev");
}

/* Open `path`, a path the walk made beneath the system root, inside it
 * (sysroot_open: links resolve within the root).  -1 with errno. */
static int open_in_root(const struct walk_opts *o, const char *path,
                        int flags)
{
    size_t rl = strlen(o->root_path);
    if(!(rl == 1 && o->root_path[0] == '/') &&
       (strncmp(path, o->root_path, rl) || (path[rl] && path[rl] != '/'))) {
        errno = EXDEV;
        return -1;
    }
    return sysroot_open(o->root_fd, path + (rl == 1 ? 0 : rl), flags);
}

/* stat(2) of `path` as the walk follows it: inside the system root when
 * there is one. */
static int stat_root(const struct walk_opts *o, const char *path,
                     struct stat *st)
{
    if(!o->root_path)
        return stat(path, st);
    int fd = open_in_root(o, path, O_PATH);
    if(fd < 0)
        return -1;
    int r = fstat(fd, st);
    int e = errno;
    close(fd);
    errno = e;
    return r;
}

/*
 * Open what job `j` listed, relative to its folder, and check that it is
 * still what was listed.  Returns the descriptor and its fstat, or -1
 * after a warning.
 */
static int open_listed(struct walk *w, const struct job *j, struct stat *st)
{
    /* a file: O_PATH first and reopened only when it is still the
     * regular file listed, so a device node exchanged for it since (a
     * container's root can make one) is never opened: opening some acts */
    int fl = j->is_dir ? O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
                         O_DIRECTORY : sysroot_probe_flags() | O_CLOEXEC;
    int fd;
    if(j->dir && w->o->follow_symlinks && w->o->root_path) {
        fd = open_in_root(w->o, j->path, fl);   /* links stay inside */
    } else if(j->dir) {
        if(!w->o->follow_symlinks)
            fl |= O_NOFOLLOW;
        fd = openat(j->dir->fd, j->path + j->name_off, fl);
    } else if(w->o->root_path) {
        fd = open_in_root(w->o, j->path, fl);
    } else {
        fd = open(j->path, fl);     /* a root: followed, as find -H */
    }
    if(fd >= 0 && !j->is_dir) {
        struct stat ls;
        if(!fstat(fd, &ls) && S_ISLNK(ls.st_mode)) {
            close(fd);           /* O_PATH | O_NOFOLLOW got the link */
            fd = -1;
            errno = ELOOP;
        } else if((fd = sysroot_reopen_regular(fd,
                            (unsigned long)j->st.st_ino, NULL)) < 0 &&
                  errno == EINVAL) {
            w->on_warn(w->ud, j->path, WALK_CHANGED, KMSG_WALK_REPLACED);
            return -1;
        }
    }
    if(fd < 0) {
        int e = errno;
        if(e == ENOENT && j->dir)
            w->on_warn(w->ud, j->path, WALK_VANISHED,
                       j->is_dir ? KMSG_WALK_OPEN_FOLDER : KMSG_WALK_OPEN);
        else if(e == ELOOP || (e == ENOTDIR && j->is_dir))
            w->on_warn(w->ud, j->path, WALK_CHANGED, KMSG_WALK_SYMLINK);
        else
            w->on_warn(w->ud, j->path, e,
                       j->is_dir ? KMSG_WALK_OPEN_FOLDER : KMSG_WALK_OPEN);
        return -1;
    }
    if(fstat(fd, st) < 0) {
        w->on_warn(w->ud, j->path, errno, KMSG_WALK_STAT);
        close(fd);
        return -1;
    }
    bool same_type = j->is_dir ? S_ISDIR(st->st_mode) : S_ISREG(st->st_mode);
    if(!same_type || st->st_dev != j->st.st_dev ||
       st->st_ino != j->st.st_ino) {
        w->on_warn(w->ud, j->path, WALK_CHANGED, KMSG_WALK_REPLACED);
        close(fd);
        return -1;
    }
    return fd;
}

static void scan_file(struct walk *w, struct job *j)
{
    struct stat st;
    int fd = open_listed(w, j, &st);
    if(fd < 0)
        return;
    w->on_file(w->ud, j->path, fd, &st);
    close(fd);
}

/* Queue (or, when the stack is long, scan at once) entry `nm` of folder
 * `d`, whose path is cp[0..clen). */
static void list_entry(struct walk *w, struct job *dj, struct dref *d,
                       const char *cp, size_t clen, size_t name_off)
{
    struct stat st;
    int r;
    if(w->o->follow_symlinks && w->o->root_path) {
        /* beneath a system root, a link points into that root */
        r = fstatat(d->fd, cp + name_off, &st, AT_SYMLINK_NOFOLLOW);
        if(r == 0 && S_ISLNK(st.st_mode))
            r = stat_root(w->o, cp, &st);
    } else {
        r = fstatat(d->fd, cp + name_off, &st,
                    w->o->follow_symlinks ? 0 : AT_SYMLINK_NOFOLLOW);
    }
    if(r < 0) {
        /* gone since readdir listed it: vanished, not an error */
        w->on_warn(w->ud, cp, errno == ENOENT ? WALK_VANISHED : errno,
                   KMSG_WALK_STAT);
        return;
    }
    bool dir = S_ISDIR(st.st_mode);
    if(!dir && !S_ISREG(st.st_mode))
        return;   /* symlinks (not followed), fifos, sockets, devices */
    if(w->o->n_excludes && walk_excluded(w->o, cp, dir)) {
        if(w->o->on_exclude)
            w->o->on_exclude(w->ud);
        return;
    }
    if(w->o->one_file_system && st.st_dev != dj->root_dev)
        return;
    if(dir && !w->o->scan_pseudo_fs && is_pseudo(cp))
        return;
    pthread_mutex_lock(&w->lock);
    bool fresh = !w->o->follow_symlinks || seen_add(w, st.st_dev, st.st_ino);
    struct job *j = NULL;
    if(fresh && (dir || w->queued < QUEUE_INLINE_FILES)) {
        j = job_new(cp, clen, name_off, dir, dj->root_dev, &st, d,
                    dj->st.st_dev);
        if(j)
            push(w, j);
        else
            w->oom = true;
    }
    pthread_mutex_unlock(&w->lock);
    if(fresh && !j && !dir) {
        struct job *one = job_new(cp, clen, name_off, false, dj->root_dev,
                                  &st, d, dj->st.st_dev);
        if(one) {
            scan_file(w, one);
            free(one);
        }
    }
}

static void walk_dir(struct walk *w, struct job *dj)
{
    struct stat st;
    int fd = open_listed(w, dj, &st);
    if(fd < 0)
        return;
    if(dj->dir && walk_is_backup_folder(fd, &st)) {
        close(fd);    /* kensa's own backups: originals kept on purpose */
        return;
    }
    if(dj->dir && st.st_dev != dj->parent_dev) {
        /* a mount point beneath a root: not entered when its data lives
         * on another machine, unless its type was asked for */
        const char *type = walk_netfs_type(fd);
        if(type && !walk_fs_included(w->o, type)) {
            if(w->o->on_prune)
                w->o->on_prune(w->ud, dj->path, type);
            close(fd);
            return;
        }
    }
    struct dref *d = malloc(sizeof(*d));
    int fd2 = fcntl(fd, F_DUPFD_CLOEXEC, 0);   /* readdir's own */
    DIR *dp = fd2 >= 0 ? fdopendir(fd2) : NULL;
    if(!d || !dp) {
        w->on_warn(w->ud, dj->path, errno ? errno : ENOMEM,
                   KMSG_WALK_READ_FOLDER);
        if(dp)
            closedir(dp);
        else if(fd2 >= 0)
            close(fd2);
        free(d);
        close(fd);
        return;
    }
    d->fd = fd;
    d->refs = 1;   /* ours, while listing */
    size_t plen = strlen(dj->path);
    bool slash = plen && dj->path[plen - 1] == '/';
    char *cp = NULL;
    size_t cpcap = 0;
    struct dirent *de;

    errno = 0;
    while((de = readdir(dp))) {
        const char *nm = de->d_name;
        if(nm[0] == '.' && (!nm[1] || (nm[1] == '.' && !nm[2])))
            continue;
        size_t nlen = strlen(nm), need = plen + 1 + nlen + 1;
        if(need > cpcap) {
            char *n = realloc(cp, need * 2);
            if(!n) {
                w->on_warn(w->ud, dj->path, ENOMEM, KMSG_WALK_OOM);
                break;
            }
            cp = n;
            cpcap = need * 2;
        }
        memcpy(cp, dj->path, plen);
        size_t off = plen;
        if(!slash)
            cp[off++] = '/';
        memcpy(cp + off, nm, nlen + 1);
        list_entry(w, dj, d, cp, off + nlen, off);
        errno = 0;
    }
    if(errno)
        w->on_warn(w->ud, dj->path, errno, KMSG_WALK_FOLDER_ERROR);
    free(cp);
    closedir(dp);
    pthread_mutex_lock(&w->lock);
    dref_put(d);
    pthread_mutex_unlock(&w->lock);
}

static void *worker(void *arg)
{
    struct walk *w = arg;
    pthread_mutex_lock(&w->lock);
    for(;;) {
        while(!w->head && w->active)
            pthread_cond_wait(&w->cond, &w->lock);
        if(!w->head) {
            pthread_cond_broadcast(&w->cond);
            break;
        }
        struct job *j = w->head;
        w->head = j->next;
        w->queued--;
        w->active++;
        pthread_mutex_unlock(&w->lock);

        if(w->o->stop && atomic_load(w->o->stop))
            ;   /* cancelled: drain the stack without opening anything */
        else if(j->is_dir)
            walk_dir(w, j);
        else
            scan_file(w, j);

        pthread_mutex_lock(&w->lock);
        dref_put(j->dir);
        free(j);
        w->active--;
        if(!w->active && !w->head)
            pthread_cond_broadcast(&w->cond);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

enum kensa_err walk_run(const struct walk_opts *o, const char *const *roots,
                        size_t n, walk_file_fn on_file, walk_warn_fn on_warn,
                        void *ud)
{
    enum kensa_err rc = KENSA_OK;
    struct walk w = {
        .o = o, .on_file = on_file, .on_warn = on_warn, .ud = ud,
    };
    pthread_mutex_init(&w.lock, NULL);
    pthread_cond_init(&w.cond, NULL);

    /* Roots are pushed in reverse so that they are taken in order. */
    for(size_t i = n; i-- > 0;) {
        struct stat st;
        /* A root is followed even if it is a symlink, as find -H does. */
        if(stat_root(o, roots[i], &st) < 0) {
            on_warn(ud, roots[i], errno, KMSG_WALK_ROOT);
            rc = KENSA_ENOENT;
            continue;
        }
        if(!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
            on_warn(ud, roots[i], 0, KMSG_WALK_NOT_REGULAR);
            continue;
        }
        if(o->follow_symlinks && !seen_add(&w, st.st_dev, st.st_ino))
            continue;
        struct job *j = job_new(roots[i], strlen(roots[i]), 0,
                                S_ISDIR(st.st_mode), st.st_dev, &st, NULL,
                                st.st_dev);
        if(!j) {
            rc = KENSA_ENOMEM;
            goto out;
        }
        push(&w, j);
    }

    unsigned nt = o->threads ? o->threads : 1;
    pthread_t *tids = calloc(nt, sizeof(*tids));
    if(!tids) {
        rc = KENSA_ENOMEM;
        goto out;
    }
    unsigned started = 0;
    for(unsigned i = 1; i < nt; i++) {
        if(pthread_create(&tids[i], NULL, worker, &w))
            break;
        started++;
    }
    worker(&w);
    for(unsigned i = 1; i <= started; i++)
        pthread_join(tids[i], NULL);
    free(tids);
    if(w.oom)
        rc = KENSA_ENOMEM;
out:
    while(w.head) {
        struct job *j = w.head;
        w.head = j->next;
        dref_put(j->dir);
        free(j);
    }
    free(w.seen);
    pthread_mutex_destroy(&w.lock);
    pthread_cond_destroy(&w.cond);
    return rc;
}
