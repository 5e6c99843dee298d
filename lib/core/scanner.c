/*
 * scanner.c - the public scanner object: options, callbacks, statistics,
 * and the scan of one file on disk (map it, make the root object, scan).
 *
 * Files are mapped read-only, so a large archive costs address space, not
 * memory: only the pages a format touches (a zip's central directory and
 * the entries a detector asks for) are ever read.  Nothing is written.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "core/engine.h"
#include "core/sysroot.h"
#include "formats/image.h"
#include "walk/walk.h"

#define SMALL_FILE (128u * 1024)  /* read, don't map, up to this size */

void kensa_limits_default(struct kensa_limits *out)
{
    out->max_filesize = 0;                       /* jars of any size: mapped */
    out->max_scansize = 1024ull * 1024 * 1024;   /* 1 GiB inflated per file */
    out->max_files = 100000;
    out->max_recursion = 16;
    out->max_ratio = 1000;
    out->max_scantime_ms = 120000;
}

void kensa_options_default(struct kensa_options *out)
{
    memset(out, 0, sizeof(*out));
    out->detectors = KENSA_DETECT_ALL;
    kensa_limits_default(&out->limits);
}

struct kensa_scanner *kensa_scanner_new(const struct kensa_options *opts,
                                        enum kensa_err *out_err)
{
    struct kensa_scanner *s = calloc(1, sizeof(*s));
    if(!s) {
        if(out_err)
            *out_err = KENSA_ENOMEM;
        return NULL;
    }
    if(opts)
        s->opts = *opts;
    else
        kensa_options_default(&s->opts);
    if(!s->opts.threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        s->opts.threads = n > 0 ? (unsigned)n : 1;
    }
    enum kensa_err err = sysroot_new(s->opts.root, &s->sys);
    s->opts.root = NULL;   /* borrowed for this call only: s->sys has it */
    /* the candidate passwords become the root objects' context, in the
     * order given (the first is tried first), then the system's */
    struct kctxattr sys[SYSROOT_ATTRS] = { { 0 } };
    size_t nsys = s->sys ? sysroot_attrs(s->sys, sys) : 0;
    size_t nattrs = s->opts.n_passwords + nsys;
    if(!err && nattrs &&
       !(s->root_attrs = calloc(nattrs, sizeof(*s->root_attrs))))
        err = KENSA_ENOMEM;
    if(err) {
        sysroot_free(s->sys);
        free(s);
        if(out_err)
            *out_err = err;
        return NULL;
    }
    for(size_t i = 0; i < nattrs; i++) {
        if(i < s->opts.n_passwords) {
            s->root_attrs[i].key = "password";
            s->root_attrs[i].value = s->opts.passwords[i];
        } else {
            s->root_attrs[i] = sys[i - s->opts.n_passwords];
        }
        s->root_attrs[i].next = i + 1 < nattrs ? &s->root_attrs[i + 1] : NULL;
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->clean_lock, NULL);
    walk_mounts_snapshot();   /* FUSE types, while /proc is in reach */
    err = detectors_init(s);
    if(err) {
        pthread_mutex_destroy(&s->lock);
        pthread_mutex_destroy(&s->clean_lock);
        free(s->root_attrs);
        sysroot_free(s->sys);
        free(s);
        s = NULL;
    }
    if(out_err)
        *out_err = err;
    return s;
}

void kensa_scanner_set_callbacks(struct kensa_scanner *s,
                                 kensa_finding_cb on_finding,
                                 kensa_warning_cb on_warning,
                                 kensa_progress_cb on_progress, void *ud)
{
    s->on_finding = on_finding;
    s->on_warning = on_warning;
    s->on_progress = on_progress;
    s->ud = ud;
}

enum kensa_err kensa_scanner_finish(struct kensa_scanner *s)
{
    if(!s)
        return KENSA_EINVAL;
    detectors_scan_end(s);
    return KENSA_OK;
}

void scan_report(struct kensa_scanner *s, struct kensa_finding *f)
{
    if(!f->path)
        f->path = "(scan)";
    if(!f->file_path)
        f->file_path = f->path;
    pthread_mutex_lock(&s->lock);
    s->stats.findings++;
    if(s->on_finding)
        s->on_finding(f, s->ud);
    pthread_mutex_unlock(&s->lock);
}

void kensa_scanner_cancel(struct kensa_scanner *s)
{
    atomic_store(&s->cancelled, 1);
}

bool kensa_scanner_cancelled(const struct kensa_scanner *s)
{
    return atomic_load((atomic_int *)&s->cancelled) != 0;
}

void kensa_scanner_stats(const struct kensa_scanner *s,
                         struct kensa_stats *out)
{
    pthread_mutex_lock((pthread_mutex_t *)&s->lock);
    *out = s->stats;
    pthread_mutex_unlock((pthread_mutex_t *)&s->lock);
}

void kensa_scanner_free(struct kensa_scanner *s)
{
    if(!s)
        return;
    detectors_fini(s);
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->clean_lock);
    free(s->clean);
    for(size_t i = 0; i < s->n_pruned; i++) {
        free(s->pruned[i].path);
        free(s->pruned[i].type);
    }
    free(s->root_attrs);
    sysroot_free(s->sys);
    free(s);
}

/* ---- context helpers --------------------------------------------------- */

/* Hand a warning to the callback: message `id` with its arguments (and
 * the system error `sys`, 0 if none), its English rendering in
 * `message`. */
static void warn_raw(struct kensa_scanner *s, const char *path,
                     enum kensa_err err, enum kmsg id,
                     const char *const *args, size_t nargs, int sys)
{
    struct kensa_warning w = {
        .path = path, .err = err, .id = kmsg_key(id), .args = args,
        .nargs = nargs, .sys_errno = sys,
    };
    char *en = kmsg_warning_alloc(&w, KENSA_LANG_EN);
    w.message = en ? en : w.id;
    pthread_mutex_lock(&s->lock);
    s->stats.warnings++;
    if(err == KENSA_ELIMIT) {
        s->stats.skipped_limit++;
        if((unsigned)id < KMSG_COUNT)
            s->limit_hits[id]++;
    }
    if(err == KENSA_EIO || err == KENSA_ENOENT)
        s->stats.errors++;
    if(s->on_warning)
        s->on_warning(&w, s->ud);
    pthread_mutex_unlock(&s->lock);
    free(en);
}

/* warn_raw() with one or no argument. */
static void warn1(struct kensa_scanner *s, const char *path,
                  enum kensa_err err, enum kmsg id, const char *arg)
{
    const char *args[1] = { arg };
    warn_raw(s, path, err, id, args, arg ? 1 : 0, 0);
}

#define CLEAN_MAX (1u << 16)   /* 2 MiB of digests at most */

static size_t clean_slot(const struct kensa_scanner *s, const uint8_t *d)
{
    size_t h;
    memcpy(&h, d, sizeof(h));
    return h & (s->cap_clean - 1);
}

bool clean_seen(struct kensa_scanner *s, const uint8_t digest[32])
{
    bool found = false;
    pthread_mutex_lock(&s->clean_lock);
    if(s->cap_clean) {
        for(size_t i = clean_slot(s, digest);; i = (i + 1) & (s->cap_clean - 1)) {
            static const uint8_t zero[32];
            if(!memcmp(s->clean[i], zero, 32))
                break;
            if(!memcmp(s->clean[i], digest, 32)) {
                found = true;
                break;
            }
        }
    }
    pthread_mutex_unlock(&s->clean_lock);
    return found;
}

void clean_add(struct kensa_scanner *s, const uint8_t digest[32])
{
    static const uint8_t zero[32];
    if(!memcmp(digest, zero, 32))
        return;
    pthread_mutex_lock(&s->clean_lock);
    if(s->n_clean * 2 >= s->cap_clean && s->cap_clean < 2 * CLEAN_MAX) {
        size_t ncap = s->cap_clean ? s->cap_clean * 2 : 1024;
        uint8_t (*n)[32] = calloc(ncap, 32);
        if(n) {
            uint8_t (*old)[32] = s->clean;
            size_t ocap = s->cap_clean;
            s->clean = n;
            s->cap_clean = ncap;
            for(size_t i = 0; i < ocap; i++) {
                if(!memcmp(old[i], zero, 32))
                    continue;
                size_t j = clean_slot(s, old[i]);
                while(memcmp(s->clean[j], zero, 32))
                    j = (j + 1) & (ncap - 1);
                memcpy(s->clean[j], old[i], 32);
            }
            free(old);
        }
    }
    if(s->cap_clean && s->n_clean < CLEAN_MAX) {
        size_t i = clean_slot(s, digest);
        while(memcmp(s->clean[i], zero, 32) && memcmp(s->clean[i], digest, 32))
            i = (i + 1) & (s->cap_clean - 1);
        if(memcmp(s->clean[i], digest, 32)) {
            memcpy(s->clean[i], digest, 32);
            s->n_clean++;
        }
    }
    pthread_mutex_unlock(&s->clean_lock);
}

static bool zero_key(const uint8_t k[32])
{
    static const uint8_t zero[32];
    return !memcmp(k, zero, 32);
}

void clean_key_member(const struct kobj *parent, const char *name,
                      uint8_t digest[32])
{
    if(zero_key(digest))
        return;
    size_t plen = strlen(parent->path), nlen = strlen(name);
    char *path = malloc(plen + 2 + nlen + 1);
    if(!path) {
        memset(digest, 0, 32);   /* no key, no caching */
        return;
    }
    memcpy(path, parent->path, plen);
    memcpy(path + plen, "!/", 2);
    memcpy(path + plen + 2, name, nlen + 1);
    struct kobj child = {
        .ctx = parent->ctx, .parent = (struct kobj *)parent, .path = path,
        .name = path + plen + 2, .depth = parent->depth + 1,
    };
    detectors_context(&child, digest);
    free(path);
}

bool clean_seen_object(const struct kobj *obj, uint8_t key[32])
{
    unsigned int n = 0;
    memset(key, 0, 32);
    if(!obj->data)
        return false;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    bool ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    /* a large mapped file is hashed without staying resident (a small
     * one stays: the walk reads it next) */
    for(size_t off = 0; ok && off < obj->len; off += 4u << 20) {
        size_t k = obj->len - off < (4u << 20) ? obj->len - off : 4u << 20;
        ok = EVP_DigestUpdate(md, obj->data + off, k);
        if(ok && obj->mapped && obj->len > SPILL_OVER)
            drop_mapped(obj->data + off, k);
    }
    ok = ok && EVP_DigestFinal_ex(md, key, &n) && n == 32;
    EVP_MD_CTX_free(md);
    if(!ok || zero_key(key)) {
        memset(key, 0, 32);
        return false;
    }
    detectors_context(obj, key);
    return clean_seen(obj->ctx->s, key);
}

void scan_warn_sys(struct kensa_scanner *s, const char *path,
                   enum kensa_err err, int sys, const struct kmsg_args *m)
{
    const char *args[KMSG_MAX_ARGS];
    size_t n = kmsg_unpack(m, args);
    warn_raw(s, path, err, m->id, args, n, sys);
}

void ctx_warn_msg(struct kctx *c, const char *path, enum kensa_err err,
                  const struct kmsg_args *m)
{
    const char *args[KMSG_MAX_ARGS];
    size_t n = kmsg_unpack(m, args);
    c->events++;
    warn_raw(c->s, path, err, m->id, args, n, 0);
}

static uint64_t elapsed_ms(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)(t.tv_sec - t0->tv_sec) * 1000 +
           (uint64_t)((t.tv_nsec - t0->tv_nsec) / 1000000);
}

bool ctx_charge(struct kctx *c, const char *path, uint64_t bytes)
{
    const struct kensa_limits *l = &c->s->opts.limits;
    char nb[24];
    c->scanned_bytes += bytes;
    if(atomic_load_explicit(&c->s->cancelled, memory_order_relaxed)) {
        c->limit_reported = true;   /* interrupted: the summary says so */
        return false;
    }
    if(l->max_scansize && c->scanned_bytes > l->max_scansize) {
        if(!c->limit_reported)
            ctx_warn(c, path, KENSA_ELIMIT, KMSG_LIMIT_SCANSIZE,
                     kmsg_u64(nb, l->max_scansize));
        c->limit_reported = true;
        return false;
    }
    if(l->max_scantime_ms && elapsed_ms(&c->start) > l->max_scantime_ms) {
        if(!c->limit_reported)
            ctx_warn(c, path, KENSA_ELIMIT, KMSG_LIMIT_SCANTIME,
                     kmsg_u64(nb, l->max_scantime_ms));
        c->limit_reported = true;
        return false;
    }
    return true;
}

bool ctx_count_entry(struct kctx *c, const char *path)
{
    uint32_t max = c->s->opts.limits.max_files;
    char nb[24];
    if(max && ++c->entries > max) {
        if(!c->limit_reported)
            ctx_warn(c, path, KENSA_ELIMIT, KMSG_LIMIT_FILES,
                     kmsg_u64(nb, max));
        c->limit_reported = true;
        return false;
    }
    return true;
}

/*
 * Point f's attributes and evidence at copies in attrs[] and ev[] (room
 * for KFIND_MAX_ATTRS + CTX_FINDING_MAX and KFIND_MAX_EVIDENCE +
 * CTX_FINDING_MAX) that add what obj's context marks for findings, in
 * context order, nearest first: at most CTX_FINDING_MAX of each, an
 * attribute whose key the finding already has (or that was added
 * already) left out.  f is untouched when the context has none.
 */
static void ctx_finding_context(const struct kobj *obj,
                                struct kensa_finding *f,
                                struct kensa_attr *attrs,
                                struct kensa_msg *ev)
{
    size_t na = 0, ne = 0, added_a = 0, added_e = 0;
    bool copied = false;
    for(const struct kctxattr *a = obj->attrs; a; a = a->next) {
        if(!a->finding && !a->finding_ev)
            continue;
        if(!copied) {
            /* the detector's own first, as many as fit */
            na = f->n_attrs < KFIND_MAX_ATTRS ? f->n_attrs : KFIND_MAX_ATTRS;
            ne = f->n_evidence < KFIND_MAX_EVIDENCE ? f->n_evidence
                                                    : KFIND_MAX_EVIDENCE;
            if(na)
                memcpy(attrs, f->attrs, na * sizeof(*attrs));
            if(ne)
                memcpy(ev, f->evidence, ne * sizeof(*ev));
            copied = true;
        }
        if(a->finding && a->finding->key && added_a < CTX_FINDING_MAX) {
            bool dup = false;
            for(size_t i = 0; i < na && !dup; i++)
                dup = attrs[i].key && !strcmp(attrs[i].key, a->finding->key)
                      && !(a->finding->flags & KENSA_ATTR_LIST);
            if(!dup) {
                attrs[na++] = *a->finding;
                added_a++;
            }
        }
        if(a->finding_ev && a->finding_ev->id && added_e < CTX_FINDING_MAX) {
            ev[ne++] = *a->finding_ev;
            added_e++;
        }
    }
    if(!copied)
        return;
    f->attrs = attrs;
    f->n_attrs = na;
    f->evidence = ev;
    f->n_evidence = ne;
}

/* The birth time of the file being scanned, asked of the descriptor the
 * scan holds (never the path) once per file, at its first finding: clean
 * files cost nothing.  False when the file system does not keep it. */
static bool file_btime(struct kctx *c)
{
    struct statx sx;
    if(!c->btime_state) {
        c->btime_state = -1;
        if(c->file_fd >= 0 &&
           !statx(c->file_fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC,
                  STATX_BTIME, &sx) && (sx.stx_mask & STATX_BTIME)) {
            c->btime.tv_sec = (time_t)sx.stx_btime.tv_sec;
            c->btime.tv_nsec = (long)sx.stx_btime.tv_nsec;
            c->btime_state = 1;
        }
    }
    return c->btime_state > 0;
}

void ctx_report(struct kobj *obj, struct kensa_finding *f)
{
    struct kctx *c = obj->ctx;

    c->events++;
    c->findings++;
    if((int)f->severity + 1 > c->worst_sev) {
        c->worst_sev = (int)f->severity + 1;
        c->worst_verdict = f->verdict;
    }
    if(c->probe) {
        if(!c->probe_rule[0] && f->rule)
            snprintf(c->probe_rule, sizeof(c->probe_rule), "%s", f->rule);
        return;
    }
    /* A log's hash says nothing about a line in it (and logs are large and
     * growing): hits in logs carry the line, not the file's hash.  The
     * digest service hashes each object once, however many findings. */
    bool hash = !f->line && !c->s->opts.no_hashes;
    f->file_path = c->file_path;
    f->file_dev = c->file_dev;
    f->file_ino = c->file_ino;
    if(c->file_st) {
        const struct stat *st = c->file_st;
        f->file_size = st->st_size > 0 ? (uint64_t)st->st_size : 0;
        f->file_mtime = (int64_t)st->st_mtim.tv_sec;
        f->file_mtime_ns = (uint32_t)st->st_mtim.tv_nsec;
        f->file_uid = (uint32_t)st->st_uid;
        f->file_gid = (uint32_t)st->st_gid;
        f->file_mode = (uint32_t)st->st_mode;
        f->file_ctime = (int64_t)st->st_ctim.tv_sec;
        f->file_ctime_ns = (uint32_t)st->st_ctim.tv_nsec;
        f->file_btime_known = file_btime(c);
        f->file_btime = (int64_t)c->btime.tv_sec;
        f->file_btime_ns = (uint32_t)c->btime.tv_nsec;
    }
    if(hash && c->root && !f->file_sha256)
        f->file_sha256 = kobj_digest_hex(c->root, KDIGEST_SHA256);
    if(!f->path)
        f->path = obj->path;
    f->depth = obj->depth;
    const char *chain[64];
    size_t nch = 0;
    for(const struct kobj *o = obj; o && o->parent && nch < 64; o = o->parent)
        chain[nch++] = o->name;
    for(size_t i = 0; i < nch / 2; i++) {
        const char *t = chain[i];
        chain[i] = chain[nch - 1 - i];
        chain[nch - 1 - i] = t;
    }
    if(!f->chain) {
        f->chain = chain;
        f->chain_len = nch;
    }
    if(hash && !f->object_sha256)
        f->object_sha256 = kobj_digest_hex(obj, KDIGEST_SHA256);
    /* the context's attributes and evidence for findings (a process's
     * pid and user: kctxattr.finding), after the detector's own, on the
     * stack and for this call only */
    struct kensa_attr attrs[KFIND_MAX_ATTRS + CTX_FINDING_MAX];
    struct kensa_msg ev[KFIND_MAX_EVIDENCE + CTX_FINDING_MAX];
    const struct kensa_attr *own_attrs = f->attrs;
    const struct kensa_msg *own_ev = f->evidence;
    size_t own_na = f->n_attrs, own_ne = f->n_evidence;
    ctx_finding_context(obj, f, attrs, ev);
    pthread_mutex_lock(&c->s->lock);
    c->s->stats.findings++;
    if(c->s->on_finding)
        c->s->on_finding(f, c->s->ud);
    pthread_mutex_unlock(&c->s->lock);
    f->attrs = own_attrs;
    f->n_attrs = own_na;
    f->evidence = own_ev;
    f->n_evidence = own_ne;
}

/* ---- one file ---------------------------------------------------------- */

static void progress(struct kensa_scanner *s, const char *path);

/* One top-level object: the bytes of a file (dirfd -1), or an image
 * layout folder open at dirfd (formats/image.h).  False when that
 * folder held no image. */
static bool scan_root(struct kensa_scanner *s, const char *path,
                      const struct stat *st, const uint8_t *data, size_t len,
                      bool mapped, const struct kctxattr *attrs, int dirfd,
                      int fd)
{
    struct kctx c = {
        .s = s, .file_path = path,
        .file_dev = st ? (uint64_t)st->st_dev : 0,
        .file_ino = st ? (uint64_t)st->st_ino : 0,
        .file_st = st,
        .file_fd = !st ? -1 : dirfd >= 0 ? dirfd : fd,
    };
    clock_gettime(CLOCK_MONOTONIC, &c.start);
    char *p = strdup(path);
    bool ok = true;
    if(!p) {
        warn1(s, path, KENSA_ENOMEM, KMSG_OOM, NULL);
        return false;
    }
    struct kobj root = {
        .ctx = &c, .data = data, .len = len, .path = p, .name = p,
        .disk_path = st ? path : NULL, .mapped = mapped,
        .attrs = attrs ? attrs : s->root_attrs,
    };
    const char *slash = strrchr(p, '/');
    if(slash && slash[1])
        root.name = slash + 1;
    c.root = &root;
    if(dirfd >= 0)
        ok = image_dir_walk(&root, dirfd);
    else
        object_scan(&root);
    free(p);
    return ok;
}

/* fd: open on the file (for its birth time), or -1. */
static void scan_mem(struct kensa_scanner *s, const char *path,
                     const struct stat *st, const uint8_t *data, size_t len,
                     bool mapped, const struct kctxattr *attrs, int fd)
{
    scan_root(s, path, st, data, len, mapped, attrs, -1, fd);
}

enum kensa_err kensa_scanner_scan_image_dir(struct kensa_scanner *s,
                                            const char *path)
{
    struct stat st;
    if(!s || !path)
        return KENSA_EINVAL;
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if(fd < 0 || fstat(fd, &st)) {
        int e = errno;
        if(fd >= 0)
            close(fd);
        warn_raw(s, path, e == ENOENT ? KENSA_ENOENT : KENSA_EIO,
                 KMSG_WALK_ROOT, NULL, 0, e);
        return e == ENOENT ? KENSA_ENOENT : KENSA_EIO;
    }
    progress(s, path);
    pthread_mutex_lock(&s->lock);
    s->stats.files++;
    pthread_mutex_unlock(&s->lock);
    bool ok = scan_root(s, path, &st, NULL, 0, false, NULL, fd, -1);
    close(fd);
    return ok ? KENSA_OK : KENSA_EFORMAT;
}

static void progress(struct kensa_scanner *s, const char *path)
{
    static __thread struct timespec last;
    struct timespec now;
    if(!s->on_progress)
        return;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if((now.tv_sec - last.tv_sec) * 1000 +
       (now.tv_nsec - last.tv_nsec) / 1000000 < 100)
        return;
    last = now;
    pthread_mutex_lock(&s->lock);
    struct kensa_stats st = s->stats;
    s->on_progress(path, &st, s->ud);
    pthread_mutex_unlock(&s->lock);
}

/* A regular file the walker (or procs.c) opened and checked: read or map
 * it and scan it.  Only as much as it has now is read. */
void scan_file(struct kensa_scanner *s, const char *path, int fd,
               const struct stat *st, const struct kctxattr *attrs)
{
    const struct kensa_limits *l = &s->opts.limits;
    uint8_t *data = NULL;

    progress(s, path);
    /* a path indicator names it: scanned whatever its size */
    bool named = (st->st_size == 0 ||
                  (l->max_filesize &&
                   (uint64_t)st->st_size > l->max_filesize)) &&
                 detectors_path_hit(s, path);
    if(!named && l->max_filesize && (uint64_t)st->st_size > l->max_filesize) {
        char nb[24];
        warn1(s, path, KENSA_ELIMIT, KMSG_LIMIT_FILESIZE,
              kmsg_u64(nb, l->max_filesize));
        return;
    }
    pthread_mutex_lock(&s->lock);
    s->stats.files++;
    s->stats.bytes += (uint64_t)st->st_size;
    pthread_mutex_unlock(&s->lock);
    if(st->st_size == 0) {
        static const uint8_t none[1];
        if(named)       /* the path is the finding: an object of no bytes */
            scan_mem(s, path, st, none, 0, false, attrs, fd);
        return;
    }
    size_t len = (size_t)st->st_size;
    if(len <= SMALL_FILE) {
        /* Small files are read, not mapped: mmap, the page fault and
         * munmap cost more than the copy (most files on a host are small). */
        static __thread uint8_t small[SMALL_FILE];
        size_t got = 0;
        while(got < len) {
            ssize_t r = read(fd, small + got, len - got);
            if(r < 0 && errno == EINTR)
                continue;
            if(r <= 0)
                break;
            got += (size_t)r;
        }
        if(got)
            scan_mem(s, path, st, small, got, false, attrs, fd);
        return;
    }
    data = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    if(data == MAP_FAILED) {
        warn1(s, path, KENSA_EIO, KMSG_FILE_MAP, NULL);
        return;
    }
    if(len > (8u << 20))
        madvise(data, len, MADV_RANDOM);
    scan_mem(s, path, st, data, len, true, attrs, fd);
    munmap(data, len);
}

static void on_file(void *ud, const char *path, int fd, const struct stat *st)
{
    scan_file(ud, path, fd, st, NULL);
}

static void on_walk_warn(void *ud, const char *path, int errnum,
                         enum kmsg id)
{
    struct kensa_scanner *s = ud;
    if(errnum == WALK_VANISHED) {
        /* deleted between listing and opening: counted, not a warning */
        pthread_mutex_lock(&s->lock);
        s->stats.vanished++;
        pthread_mutex_unlock(&s->lock);
        return;
    }
    warn_raw(ud, path, errnum == WALK_CHANGED ? KENSA_ECHANGED :
                       errnum == ENOENT ? KENSA_ENOENT : KENSA_EIO, id,
             NULL, 0, errnum > 0 ? errnum : 0);
}

/* A network or FUSE mount the walk did not enter: remembered by name
 * (the first KENSA_PRUNED_MAX), counted. */
static void on_walk_prune(void *ud, const char *path, const char *type)
{
    struct kensa_scanner *s = ud;
    pthread_mutex_lock(&s->lock);
    s->stats.pruned_fs++;
    if(s->n_pruned < KENSA_PRUNED_MAX) {
        char *p = strdup(path), *t = strdup(type);
        if(p && t) {
            s->pruned[s->n_pruned].path = p;
            s->pruned[s->n_pruned++].type = t;
        } else {
            free(p);
            free(t);
        }
    }
    pthread_mutex_unlock(&s->lock);
}

/* An entry an exclude glob matched: counted. */
static void on_walk_exclude(void *ud)
{
    struct kensa_scanner *s = ud;
    pthread_mutex_lock(&s->lock);
    s->stats.excluded++;
    pthread_mutex_unlock(&s->lock);
}

const char *kensa_scanner_limit(const struct kensa_scanner *s, size_t i,
                                uint64_t *out_n)
{
    for(size_t k = 0; s && k < KMSG_COUNT; k++) {
        if(!s->limit_hits[k] || i--)
            continue;
        if(out_n)
            *out_n = s->limit_hits[k];
        return kmsg_key((enum kmsg)k);
    }
    return NULL;
}

const char *kensa_scanner_pruned(const struct kensa_scanner *s, size_t i,
                                 const char **out_type)
{
    if(i >= s->n_pruned)
        return NULL;
    if(out_type)
        *out_type = s->pruned[i].type;
    return s->pruned[i].path;
}

enum kensa_err kensa_scanner_scan_paths(struct kensa_scanner *s,
                                        const char *const *paths, size_t n)
{
    struct walk_opts wo = {
        .threads = s->opts.threads,
        .follow_symlinks = s->opts.follow_symlinks,
        .one_file_system = s->opts.one_file_system,
        .scan_pseudo_fs = s->opts.scan_pseudo_fs,
        .excludes = s->opts.excludes,
        .n_excludes = s->opts.n_excludes,
        .include_fs = s->opts.include_fs,
        .n_include_fs = s->opts.n_include_fs,
        .on_prune = on_walk_prune,
        .on_exclude = on_walk_exclude,
        .stop = &s->cancelled,
    };
    if(!s->sys || !s->sys->path)
        return walk_run(&wo, paths, n, on_file, on_walk_warn, s);
    /* a system root: the paths are inside it */
    enum kensa_err rc = KENSA_OK;
    char **host = calloc(n ? n : 1, sizeof(*host));
    size_t k = 0;   /* the host paths made, in order */
    for(size_t i = 0; host && i < n; i++) {
        if((host[k] = sysroot_host_path(s->sys, paths[i])))
            k++;
        else if(errno == ENOMEM)
            rc = KENSA_ENOMEM;
        else
            warn_raw(s, paths[i], KENSA_ENOENT, KMSG_WALK_ROOT, NULL, 0,
                     errno);
    }
    wo.root_fd = s->sys->fd;
    wo.root_path = s->sys->path;
    if(host && !rc)
        rc = walk_run(&wo, (const char *const *)host, k, on_file,
                      on_walk_warn, s);
    for(size_t i = 0; host && i < k; i++)
        free(host[i]);
    free(host);
    return host ? rc : KENSA_ENOMEM;
}

size_t spill_dirs(const char *out[SPILL_DIRS])
{
    const char *dir = getenv("TMPDIR");
    out[0] = dir && *dir ? dir : "/tmp";
    out[1] = "/var/tmp";
    return SPILL_DIRS;
}

int spill_fd(void)
{
    const char *dirs[SPILL_DIRS];
    int fd = -1;
    for(size_t i = 0, n = spill_dirs(dirs); fd < 0 && i < n; i++)
        fd = open(dirs[i], O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    return fd;
}

/* Read until n bytes or the end of input; -1 on error. */
static ssize_t read_full(const struct kensa_scanner *s, int fd, uint8_t *p,
                         size_t n)
{
    size_t got = 0;
    while(got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if(r < 0 && errno == EINTR) {
            if(kensa_scanner_cancelled(s))
                break;   /* interrupted: scan what came */
            continue;
        }
        if(r < 0)
            return -1;
        if(r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

static void count_file(struct kensa_scanner *s, uint64_t len)
{
    pthread_mutex_lock(&s->lock);
    s->stats.files++;
    s->stats.bytes += len;
    pthread_mutex_unlock(&s->lock);
}

/* Plain text on a pipe: offered to the detectors that stream (logs) as it
 * comes, so `zcat huge.gz | kensa logs -` costs a chunk, not a disk. */
static enum kensa_err scan_fd_stream(struct kensa_scanner *s,
                                     const char *name, int fd,
                                     uint8_t *chunk, size_t size, size_t got)
{
    struct kctx c = { .s = s, .file_path = name };
    enum kensa_err rc = KENSA_OK;
    uint64_t len = got, checked = 0;

    clock_gettime(CLOCK_MONOTONIC, &c.start);
    struct kstream *ks = detectors_stream_begin_root(&c, name);
    if(ks) {
        detectors_stream_data(ks, chunk, got);
        for(;;) {
            ssize_t r = read(fd, chunk, size);
            if(r < 0 && errno == EINTR && !atomic_load(&s->cancelled))
                continue;
            if(r < 0 && !atomic_load(&s->cancelled))
                rc = KENSA_EIO;
            if(r <= 0 || atomic_load(&s->cancelled))
                break;
            len += (uint64_t)r;
            detectors_stream_data(ks, chunk, (size_t)r);
            if(len - checked >= (4u << 20)) {
                checked = len;
                if(!ctx_charge(&c, name, 0))   /* --max-scantime */
                    break;
            }
        }
        detectors_stream_end(ks);
    }
    count_file(s, len);
    return rc;
}

/* A container on a pipe (gzip, a jar): kept in an unlinked temporary file
 * to be opened as a file is, but at most --max-scansize of it. */
static enum kensa_err scan_fd_spill(struct kensa_scanner *s,
                                    const char *name, int fd,
                                    uint8_t *chunk, size_t size, size_t got)
{
    uint64_t cap = s->opts.limits.max_scansize;
    uint64_t len = 0;
    enum kensa_err rc = KENSA_OK;
    bool cut = false;
    int tmp = spill_fd();

    if(tmp < 0)
        return KENSA_EIO;
    for(size_t n = got; n;) {
        if(cap && len + n > cap) {
            n = (size_t)(cap - len);
            cut = true;
        }
        if(write_full(tmp, chunk, n)) {
            rc = KENSA_EIO;
            break;
        }
        len += n;
        ssize_t r = cut ? 0 : read(fd, chunk, size);
        while(r < 0 && errno == EINTR && !atomic_load(&s->cancelled))
            r = read(fd, chunk, size);
        if(r < 0 && !atomic_load(&s->cancelled))
            rc = KENSA_EIO;
        n = r > 0 ? (size_t)r : 0;
    }
    if(cut) {
        char nb[24];
        warn1(s, name, KENSA_ELIMIT, KMSG_LIMIT_INPUT, kmsg_u64(nb, cap));
    }
    if(!rc && len) {
        void *map = mmap(NULL, (size_t)len, PROT_READ, MAP_PRIVATE, tmp, 0);
        if(map == MAP_FAILED) {
            rc = KENSA_EIO;
        } else {
            count_file(s, len);
            scan_mem(s, name, NULL, map, (size_t)len, true, NULL, -1);
            munmap(map, (size_t)len);
        }
    }
    close(tmp);
    return rc;
}

enum kensa_err kensa_scanner_scan_fd(struct kensa_scanner *s,
                                     const char *name, int fd)
{
    uint8_t chunk[1u << 16];
    ssize_t got = read_full(s, fd, chunk, sizeof(chunk));

    if(got < 0)
        return KENSA_EIO;
    if(got == 0)
        return KENSA_OK;
    /* only what cannot be opened as a container may go by as a stream */
    if(!formats_probe(chunk, (size_t)got, NULL) &&
       !formats_container_head(chunk, (size_t)got))
        return scan_fd_stream(s, name, fd, chunk, sizeof(chunk),
                              (size_t)got);
    return scan_fd_spill(s, name, fd, chunk, sizeof(chunk), (size_t)got);
}

enum kensa_err kensa_scanner_scan_buffer(struct kensa_scanner *s,
                                         const char *name, const void *data,
                                         size_t len)
{
    if(!s || !name || (!data && len))
        return KENSA_EINVAL;
    pthread_mutex_lock(&s->lock);
    s->stats.files++;
    s->stats.bytes += len;
    pthread_mutex_unlock(&s->lock);
    scan_mem(s, name, NULL, data, len, false, NULL, -1);
    return KENSA_OK;
}
