/*
 * object.c - scan one object: ask the formats what it is, show it to the
 * detectors, and walk it through the format that claimed it.
 *
 * This is the only place where formats and detectors meet, and it does so
 * through the two registries (formats/registry.def, detect/registry.def),
 * so adding either never touches this file.
 */
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "core/sysroot.h"

static const struct format *const formats[] = {
#define FORMAT(n) &format_##n,
#include "formats/registry.def"
#undef FORMAT
};

static const struct detector *const detectors[] = {
#define DETECTOR(n) &detector_##n,
#include "detect/registry.def"
#undef DETECTOR
};

#define NFORMATS (sizeof(formats) / sizeof(formats[0]))
#define NDETECTORS (sizeof(detectors) / sizeof(detectors[0]))

/* Is detector i enabled by the mask `on`?  No bit: KENSA_DETECT_OTHER. */
static bool enabled(size_t i, uint32_t on)
{
    return on & (detectors[i]->bit ? detectors[i]->bit : KENSA_DETECT_OTHER);
}

/* ---- detector lifecycle ------------------------------------------------- */

/* One thread's states, one slot per detector. */
struct tstate {
    struct tstate *next;
    pthread_t tid;
    void *st[NDETECTORS];
};

static size_t det_index(const struct detector *d)
{
    for(size_t i = 0; i < NDETECTORS; i++) {
        if(detectors[i] == d)
            return i;
    }
    return NDETECTORS;
}

enum kensa_err detectors_init(struct kensa_scanner *s)
{
    uint32_t on = s->opts.detectors;
    pthread_mutex_init(&s->tlock, NULL);
    s->det_state = calloc(NDETECTORS, sizeof(void *));
    if(!s->det_state) {
        pthread_mutex_destroy(&s->tlock);
        return KENSA_ENOMEM;
    }
    for(size_t i = 0; i < NDETECTORS; i++) {
        enum kensa_err err = KENSA_OK;
        if(enabled(i, on) && detectors[i]->whole)
            s->want_whole = true;
        if(!enabled(i, on) || !detectors[i]->init)
            continue;
        s->det_state[i] = detectors[i]->init(&s->opts, &err);
        if(err) {
            while(i-- > 0) {
                if(enabled(i, on) && detectors[i]->fini)
                    detectors[i]->fini(s->det_state[i]);
            }
            free(s->det_state);
            s->det_state = NULL;
            pthread_mutex_destroy(&s->tlock);
            return err;
        }
    }
    return KENSA_OK;
}

void detectors_fini(struct kensa_scanner *s)
{
    uint32_t on = s->opts.detectors;
    while(s->tstates) {
        struct tstate *t = s->tstates;
        s->tstates = t->next;
        for(size_t i = 0; i < NDETECTORS; i++) {
            if(t->st[i] && detectors[i]->thread_fini)
                detectors[i]->thread_fini(t->st[i]);
        }
        free(t);
    }
    for(size_t i = 0; s->det_state && i < NDETECTORS; i++) {
        if(enabled(i, on) && detectors[i]->fini)
            detectors[i]->fini(s->det_state[i]);
    }
    free(s->det_state);
    s->det_state = NULL;
    pthread_mutex_destroy(&s->tlock);
}

void *detector_state(const struct kensa_scanner *s, const struct detector *d)
{
    size_t i = det_index(d);
    return i < NDETECTORS && s->det_state ? s->det_state[i] : NULL;
}

void *detector_thread_state(struct kensa_scanner *s, const struct detector *d)
{
    size_t i = det_index(d);
    if(i == NDETECTORS || !d->thread_init)
        return NULL;
    pthread_t me = pthread_self();
    pthread_mutex_lock(&s->tlock);
    struct tstate *t = s->tstates;
    while(t && !pthread_equal(t->tid, me))
        t = t->next;
    if(!t && (t = calloc(1, sizeof(*t)))) {
        t->tid = me;
        t->next = s->tstates;
        s->tstates = t;
    }
    void *st = NULL;
    if(t) {
        if(!t->st[i])
            t->st[i] = d->thread_init(detector_state(s, d));
        st = t->st[i];
    }
    pthread_mutex_unlock(&s->tlock);
    return st;
}

bool detectors_path_hit(struct kensa_scanner *s, const char *path)
{
    uint32_t on = s->opts.detectors;
    const char *sp = sysroot_system_path(s->sys, path);
    for(size_t i = 0; i < NDETECTORS; i++) {
        if(enabled(i, on) && detectors[i]->path_hit &&
           detectors[i]->path_hit(s, detector_state(s, detectors[i]), sp))
            return true;
    }
    return false;
}

void detectors_scan_end(struct kensa_scanner *s)
{
    uint32_t on = s->opts.detectors;
    if(s->finished)
        return;
    s->finished = true;
    for(size_t i = 0; i < NDETECTORS; i++) {
        if(enabled(i, on) && detectors[i]->on_scan_end)
            detectors[i]->on_scan_end(s, detector_state(s, detectors[i]));
    }
}

static void detectors_on_end(struct kobj *obj)
{
    uint32_t on = obj->ctx->s->opts.detectors;
    for(size_t i = 0; i < NDETECTORS; i++) {
        if(enabled(i, on) && detectors[i]->on_end)
            detectors[i]->on_end(obj);
    }
}

/* ---- formats ------------------------------------------------------------ */

const struct format *formats_probe(const uint8_t *p, size_t n,
                                   int *confidence)
{
    const struct format *best = NULL;
    int top = PROBE_NO;
    for(size_t i = 0; i < NFORMATS && top < PROBE_HEAD; i++) {
        int c = formats[i]->probe(p, n);
        if(c > top) {
            top = c > PROBE_HEAD ? PROBE_HEAD : c;
            best = formats[i];
        }
    }
    if(confidence)
        *confidence = top;
    return best;
}

bool formats_container_head(const uint8_t *p, size_t n)
{
    for(size_t i = 0; i < NFORMATS; i++) {
        if(formats[i]->container_head && formats[i]->container_head(p, n))
            return true;
    }
    return false;
}

void detectors_on_members(const struct kmembers *m)
{
    uint32_t on = m->obj->ctx->s->opts.detectors;
    for(size_t i = 0; i < NDETECTORS; i++) {
        if(enabled(i, on) && detectors[i]->on_members)
            detectors[i]->on_members(m);
    }
}

static void detectors_on_object(struct kobj *obj)
{
    uint32_t on = obj->ctx->s->opts.detectors;
    for(size_t i = 0; i < NDETECTORS; i++) {
        if(enabled(i, on) && detectors[i]->on_object)
            detectors[i]->on_object(obj);
    }
}

void detectors_context(const struct kobj *obj, uint8_t digest[32])
{
    uint32_t on = obj->ctx->s->opts.detectors;
    for(size_t i = 0; i < NDETECTORS; i++) {
        if(!enabled(i, on) || !detectors[i]->context)
            continue;
        /* each detector its own four bytes (a zero context changes none):
         * equal keys need equal contexts unless sha256 collides */
        uint32_t v = detectors[i]->context(obj);
        for(size_t b = 0; b < 4; b++)
            digest[(4 * i + b) % 32] ^= (uint8_t)(v >> (8 * b));
    }
}

void object_scan(struct kobj *obj)
{
    struct kctx *c = obj->ctx;
    int confidence;

    obj->format = formats_probe(obj->data, obj->len, &confidence);
    /* Bytes claimed only by what they end with (a zip end record after a
     * prefix) may be a log holding a planted record: readers of text look
     * at them too. */
    obj->maybe_text = confidence == PROBE_TAIL;
    pthread_mutex_lock(&c->s->lock);
    c->s->stats.objects++;
    pthread_mutex_unlock(&c->s->lock);

    detectors_on_object(obj);
    if(obj->format && !obj->format->walk(obj) && !obj->maybe_text) {
        /* Not what its first bytes said: whatever it is, the detectors
         * that read plain data (logs) still get to see it. */
        obj->format = NULL;
        detectors_on_object(obj);
    }
    detectors_on_end(obj);   /* every member is done: post-order */
}

static bool repeats_ancestor(const struct kobj *parent, const uint8_t *data,
                             size_t len)
{
    for(const struct kobj *a = parent; a; a = a->parent) {
        if(a->len == len && (a->data == data || !memcmp(a->data, data, len)))
            return true;
    }
    return false;
}

static void scan_child(struct kobj *parent, const char *name,
                       const uint8_t *data, size_t len, bool mapped)
{
    struct kctx *c = parent->ctx;
    uint32_t maxrec = c->s->opts.limits.max_recursion;
    size_t plen = strlen(parent->path), nlen = strlen(name);
    char *path = malloc(plen + 2 + nlen + 1);

    if(!path) {
        ctx_warn(c, parent->path, KENSA_ENOMEM, KMSG_OOM);
        return;
    }
    memcpy(path, parent->path, plen);
    memcpy(path + plen, "!/", 2);
    memcpy(path + plen + 2, name, nlen + 1);

    if(maxrec && parent->depth + 1 > maxrec) {
        char nb[24];
        ctx_warn(c, path, KENSA_ELIMIT, KMSG_LIMIT_RECURSION,
                 kmsg_u64(nb, maxrec));
        goto out;
    }
    if(repeats_ancestor(parent, data, len)) {
        ctx_warn(c, path, KENSA_ELIMIT, KMSG_ARCHIVE_SELF);
        goto out;
    }
    struct kobj child = {
        .ctx = c,
        .parent = parent,
        .data = data,
        .len = len,
        .path = path,
        .name = path + plen + 2,
        .depth = parent->depth + 1,
        .mapped = mapped,
        .attrs = parent->attrs,
    };
    object_scan(&child);
out:
    free(path);
}

void object_scan_child(struct kobj *parent, const char *name,
                       const uint8_t *data, size_t len)
{
    scan_child(parent, name, data, len, false);
}

void object_scan_child_mapped(struct kobj *parent, const char *name,
                              const uint8_t *data, size_t len)
{
    scan_child(parent, name, data, len, true);
}

/* ---- context ------------------------------------------------------------ */

const struct kctxattr *kobj_attr_next(const struct kobj *o,
                                      const struct kctxattr *prev,
                                      const char *key)
{
    const struct kctxattr *a = prev ? prev->next : o->attrs;
    for(; a; a = a->next) {
        if(!strcmp(a->key, key))
            return a;
    }
    return NULL;
}

const char *kobj_attr(const struct kobj *o, const char *key)
{
    const struct kctxattr *a = kobj_attr_next(o, NULL, key);
    return a ? a->value : NULL;
}

size_t kobj_attr_count(const struct kobj *o, const char *key)
{
    size_t n = 0;
    for(const struct kctxattr *a = kobj_attr_next(o, NULL, key); a;
        a = kobj_attr_next(o, a, key))
        n++;
    return n;
}

/* ---- streams ------------------------------------------------------------ */

struct kstream {
    struct kobj obj;
    void *state[NDETECTORS];
};

/* Ask every enabled detector whether it wants ks->obj (path set). */
static struct kstream *stream_ask(struct kstream *ks)
{
    uint32_t on = ks->obj.ctx->s->opts.detectors;
    bool any = false;
    for(size_t i = 0; i < NDETECTORS; i++) {
        if(enabled(i, on) && detectors[i]->stream_begin &&
           (ks->state[i] = detectors[i]->stream_begin(&ks->obj)))
            any = true;
    }
    if(!any) {
        free(ks->obj.path);
        free(ks);
        return NULL;
    }
    return ks;
}

struct kstream *detectors_stream_begin(struct kobj *parent, const char *name)
{
    size_t plen = strlen(parent->path), nlen = strlen(name);
    struct kstream *ks = calloc(1, sizeof(*ks));
    if(!ks)
        return NULL;
    ks->obj.path = malloc(plen + 2 + nlen + 1);
    if(!ks->obj.path) {
        free(ks);
        return NULL;
    }
    memcpy(ks->obj.path, parent->path, plen);
    memcpy(ks->obj.path + plen, "!/", 2);
    memcpy(ks->obj.path + plen + 2, name, nlen + 1);
    ks->obj.name = ks->obj.path + plen + 2;
    ks->obj.ctx = parent->ctx;
    ks->obj.parent = parent;
    ks->obj.depth = parent->depth + 1;
    ks->obj.attrs = parent->attrs;
    return stream_ask(ks);
}

struct kstream *detectors_stream_begin_root(struct kctx *c, const char *name)
{
    struct kstream *ks = calloc(1, sizeof(*ks));
    if(!ks || !(ks->obj.path = strdup(name))) {
        free(ks);
        return NULL;
    }
    ks->obj.name = ks->obj.path;
    ks->obj.ctx = c;
    ks->obj.attrs = c->s->root_attrs;
    pthread_mutex_lock(&c->s->lock);
    c->s->stats.objects++;
    pthread_mutex_unlock(&c->s->lock);
    return stream_ask(ks);
}

void detectors_stream_data(struct kstream *ks, const uint8_t *p, size_t n)
{
    for(size_t i = 0; i < NDETECTORS; i++) {
        if(ks->state[i])
            detectors[i]->stream_data(ks->state[i], p, n);
    }
}

void detectors_stream_end(struct kstream *ks)
{
    if(!ks)
        return;
    for(size_t i = 0; i < NDETECTORS; i++) {
        if(ks->state[i])
            detectors[i]->stream_end(ks->state[i]);
    }
    free(ks->obj.path);
    free(ks);
}
