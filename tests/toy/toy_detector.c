/*
 * toy_detector.c - the smallest detector, for tests/cli/registry.bats:
 * any object whose bytes start with "KENSA-TOY" is reported.  The test
 * copies it to lib/detect/toy.c and adds DETECTOR(toy) to the registry;
 * it uses nothing but the engine's internal API (core/engine.h).
 *
 * It also walks through the whole detector lifecycle, so the test proves
 * each hook is called: init/fini hold a state, thread_init a per-thread
 * counter, on_end sees members before their container (post-order), and
 * on_scan_end reports once what it saw.  It is `whole`, as YARA is: it
 * sees the bytes of members that would otherwise only be streamed (a
 * text file in a zip, a gzip'd file).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"

#define TOY_SIG "KENSA-TOY"

struct toy {
    pthread_mutex_t lock;
    unsigned ended;          /* objects whose on_end ran */
    bool member_ended;       /* a member (depth > 0) ended ... */
    bool post_order;         /* ... before the file holding it */
    unsigned threads;        /* thread states made */
};

extern const struct detector detector_toy;

static void *toy_init(const struct kensa_options *o, enum kensa_err *err)
{
    (void)o;
    struct toy *t = calloc(1, sizeof(*t));
    if(!t) {
        *err = KENSA_ENOMEM;
        return NULL;
    }
    pthread_mutex_init(&t->lock, NULL);
    return t;
}

static void toy_fini(void *st)
{
    struct toy *t = st;
    if(!t)
        return;
    pthread_mutex_destroy(&t->lock);
    free(t);
}

static void *toy_thread_init(void *st)
{
    struct toy *t = st;
    pthread_mutex_lock(&t->lock);
    t->threads++;
    pthread_mutex_unlock(&t->lock);
    return calloc(1, sizeof(unsigned));
}

static void toy_on_object(struct kobj *obj)
{
    unsigned *seen = detector_thread_state(obj->ctx->s, &detector_toy);
    if(seen)
        (*seen)++;
    size_t n = sizeof(TOY_SIG) - 1;
    if(!obj->data || obj->len < n || memcmp(obj->data, TOY_SIG, n))
        return;
    struct kfind k;
    kfind_init(&k, "toy", "toy", KENSA_VERDICT_SUSPICIOUS, KENSA_SEV_LOW);
    /* an id the catalog lacks renders as itself (a real detector adds
     * its messages to lib/intel/messages.def) */
    k.f.message.id = "toy signature";
    kfind_str(&k, "kensa.toy.signature", TOY_SIG, KENSA_ATTR_SHOW);
    ctx_report(obj, &k.f);
}

static void toy_on_end(struct kobj *obj)
{
    struct toy *t = detector_state(obj->ctx->s, &detector_toy);
    pthread_mutex_lock(&t->lock);
    t->ended++;
    if(obj->depth > 0)
        t->member_ended = true;
    else if(t->member_ended)
        t->post_order = true;
    pthread_mutex_unlock(&t->lock);
}

static void toy_on_scan_end(struct kensa_scanner *s, void *st)
{
    struct toy *t = st;
    char msg[160];
    snprintf(msg, sizeof(msg), "toy lifecycle: %u objects ended, members "
             "%s their container, %u thread state%s", t->ended,
             t->post_order ? "before" : "NOT before", t->threads,
             t->threads == 1 ? "" : "s");
    struct kfind k;
    kfind_init(&k, "toy", "toy", KENSA_VERDICT_SUSPICIOUS, KENSA_SEV_INFO);
    k.f.message.id = msg;
    scan_report(s, &k.f);
}

static void toy_thread_fini(void *ts)
{
    free(ts);
}

/* No KENSA_DETECT_* bit: it runs with every detector (KENSA_DETECT_OTHER). */
const struct detector detector_toy = {
    .name = "toy",
    .init = toy_init,
    .fini = toy_fini,
    .thread_init = toy_thread_init,
    .thread_fini = toy_thread_fini,
    .on_object = toy_on_object,
    .whole = true,
    .on_end = toy_on_end,
    .on_scan_end = toy_on_scan_end,
};
