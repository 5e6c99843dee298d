/*
 * walk.c - the parallel walker (see walk.h).
 *
 * Invariants: a job is owned by the queue until popped, then by the worker
 * that popped it.  `active` counts workers holding a job; the walk is over
 * when the queue is empty and no worker is active.  The visited set only
 * exists when following symlinks, and is read and written under the lock.
 */
#define _GNU_SOURCE
#include "walk/walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define QUEUE_INLINE_FILES 4096 /* above this, a folder's files are scanned
                                   by the worker that read the folder */

struct job {
    struct job *next;
    bool is_dir;
    dev_t root_dev;
    struct stat st;
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
    struct job *head, *tail;
    size_t queued;
    unsigned active;
    bool oom;
    struct devino *seen;   /* open addressing; ino 0 = empty */
    size_t seen_n, seen_cap;
};

/* kensa's own backups and temporary files (log4j --fix) are not scanned:
 * they hold the originals on purpose, and no application loads them. */
static bool kensa_own_file(const char *nm, size_t n)
{
    static const char bak[] = ".kensa-bak", side[] = ".kensa-bak.sha256";
    if(n >= sizeof(bak) - 1 && !strcmp(nm + n - (sizeof(bak) - 1), bak))
        return true;
    if(n >= sizeof(side) - 1 && !strcmp(nm + n - (sizeof(side) - 1), side))
        return true;
    return nm[0] == '.' && strstr(nm, ".kensa-tmp-") != NULL;
}

bool walk_excluded(const struct walk_opts *o, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base && base[1] ? base + 1 : path;
    for(size_t i = 0; i < o->n_excludes; i++) {
        if(!fnmatch(o->excludes[i], path, 0) ||
           !fnmatch(o->excludes[i], base, 0))
            return true;
    }
    return false;
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

static struct job *job_new(const char *path, size_t len, bool is_dir,
                           dev_t root_dev, const struct stat *st)
{
    struct job *j = malloc(sizeof(*j) + len + 1);
    if(!j)
        return NULL;
    j->next = NULL;
    j->is_dir = is_dir;
    j->root_dev = root_dev;
    j->st = *st;
    memcpy(j->path, path, len);
    j->path[len] = 0;
    return j;
}

/* Lock held. */
static void push(struct walk *w, struct job *j)
{
    if(w->tail)
        w->tail->next = j;
    else
        w->head = j;
    w->tail = j;
    w->queued++;
    pthread_cond_signal(&w->cond);
}

static bool is_pseudo(const char *path)
{
    return !strcmp(path, "/proc") || !strcmp(path, "/sys") ||
           !strcmp(path, "/dev");
}

static void walk_dir(struct walk *w, struct job *dj)
{
    int fd = open(dj->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY);
    if(fd < 0) {
        w->on_warn(w->ud, dj->path, errno, "cannot open folder");
        return;
    }
    DIR *d = fdopendir(fd);
    if(!d) {
        w->on_warn(w->ud, dj->path, errno, "cannot read folder");
        close(fd);
        return;
    }
    size_t plen = strlen(dj->path);
    bool slash = plen && dj->path[plen - 1] == '/';
    char *cp = NULL;
    size_t cpcap = 0;
    struct dirent *de;

    errno = 0;
    while((de = readdir(d))) {
        const char *nm = de->d_name;
        if(nm[0] == '.' && (!nm[1] || (nm[1] == '.' && !nm[2])))
            continue;
        size_t nlen = strlen(nm), need = plen + 1 + nlen + 1;
        if(need > cpcap) {
            char *n = realloc(cp, need * 2);
            if(!n) {
                w->on_warn(w->ud, dj->path, ENOMEM, "out of memory");
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
        size_t clen = off + nlen;

        if(w->o->n_excludes && walk_excluded(w->o, cp))
            continue;
        if(kensa_own_file(nm, nlen))
            continue;
        struct stat st;
        int fl = w->o->follow_symlinks ? 0 : AT_SYMLINK_NOFOLLOW;
        if(fstatat(dirfd(d), nm, &st, fl) < 0) {
            w->on_warn(w->ud, cp, errno, "cannot stat");
            continue;
        }
        if(S_ISDIR(st.st_mode)) {
            if(w->o->one_file_system && st.st_dev != dj->root_dev)
                continue;
            if(!w->o->scan_pseudo_fs && is_pseudo(cp))
                continue;
            pthread_mutex_lock(&w->lock);
            bool fresh = !w->o->follow_symlinks ||
                         seen_add(w, st.st_dev, st.st_ino);
            struct job *j = fresh ? job_new(cp, clen, true, dj->root_dev, &st)
                                  : NULL;
            if(j)
                push(w, j);
            else if(fresh)
                w->oom = true;
            pthread_mutex_unlock(&w->lock);
        } else if(S_ISREG(st.st_mode)) {
            if(w->o->one_file_system && st.st_dev != dj->root_dev)
                continue;
            pthread_mutex_lock(&w->lock);
            bool fresh = !w->o->follow_symlinks ||
                         seen_add(w, st.st_dev, st.st_ino);
            struct job *j = NULL;
            if(fresh && w->queued < QUEUE_INLINE_FILES) {
                j = job_new(cp, clen, false, dj->root_dev, &st);
                if(j)
                    push(w, j);
            }
            pthread_mutex_unlock(&w->lock);
            if(fresh && !j)
                w->on_file(w->ud, cp, &st);
        }
        /* symlinks (not followed), fifos, sockets, devices: never opened */
        errno = 0;
    }
    if(errno)
        w->on_warn(w->ud, dj->path, errno, "error while reading folder");
    free(cp);
    closedir(d);
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
        if(!w->head)
            w->tail = NULL;
        w->queued--;
        w->active++;
        pthread_mutex_unlock(&w->lock);

        if(j->is_dir)
            walk_dir(w, j);
        else
            w->on_file(w->ud, j->path, &j->st);
        free(j);

        pthread_mutex_lock(&w->lock);
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

    for(size_t i = 0; i < n; i++) {
        struct stat st;
        /* A root is followed even if it is a symlink, as find -H does. */
        if(stat(roots[i], &st) < 0) {
            on_warn(ud, roots[i], errno, "cannot scan");
            rc = KENSA_ENOENT;
            continue;
        }
        if(!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
            on_warn(ud, roots[i], 0, "not a regular file or folder, skipped");
            continue;
        }
        if(o->follow_symlinks && !seen_add(&w, st.st_dev, st.st_ino))
            continue;
        struct job *j = job_new(roots[i], strlen(roots[i]),
                                S_ISDIR(st.st_mode), st.st_dev, &st);
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
        free(j);
    }
    free(w.seen);
    pthread_mutex_destroy(&w.lock);
    pthread_cond_destroy(&w.cond);
    return rc;
}
