/*
 * cfb.c - OLE2 Compound File Binary (.doc, .xls, .ppt, .vsd, .msg, a bare
 * vbaProject.bin) as a container format.  The reading is
 * lib/office/cfb.c's; this file makes members of it for the engine:
 *
 *  - every stream, named by its path in the file ("ObjectPool/_1/x"):
 *    one that starts a container (an embedded zip, a nested CFB) or that
 *    a `whole` detector wants is read and scanned as an object, any other
 *    is offered to the stream detectors (most decline: a document's
 *    hundreds of small streams cost a name each);
 *  - an OLE Package ("\001Ole10Native") is unwrapped to the file it
 *    carries, named by its file name (an EXE or LNK inside a document is
 *    scanned as itself);
 *  - PowerPoint 97's embedded storages (objects, OLE Packages, the VBA
 *    project), zlib-compressed inside the "PowerPoint Document" stream,
 *    and Visio's VBA project, LZSS-compressed inside "VisioDocument",
 *    become members "ExOleObjStg" or "VbaProjectStg" (CFBs, walked in
 *    turn and read by the macro detector as any other).
 *
 * Every stream read is charged (ctx_charge) and counted
 * (ctx_count_entry); a broken chain or a cap gives a warning and the
 * walk goes on with the next stream.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "office/cfb.h"
#include "office/vba.h"

#define PPT_MAX 8                  /* VBA projects from one stream */
#define PPT_BYTES ((size_t)64 << 20)
#define NAME_MAX_OUT 160

static int cfb_probe(const uint8_t *p, size_t n)
{
    if(n < 512 || memcmp(p, CFB_MAGIC, 8))
        return PROBE_NO;
    /* byte order mark, a 512 or 4096-byte sector, 64-byte mini sectors */
    if(p[0x1C] != 0xFE || p[0x1D] != 0xFF || p[0x1F] != 0 ||
       (p[0x1E] != 9 && p[0x1E] != 12) || p[0x20] != 6 || p[0x21] != 0)
        return PROBE_NO;
    return PROBE_HEAD;
}

static bool cfb_container_head(const uint8_t *p, size_t n)
{
    return n >= 8 && !memcmp(p, CFB_MAGIC, 8);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* "dir/name" into a new string (dir may be ""). */
static char *join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *s = malloc(a + b + 2);
    if(!s)
        return NULL;
    memcpy(s, dir, a);
    if(a)
        s[a++] = '/';
    memcpy(s + a, name, b + 1);
    return s;
}

/*
 * The last component of a Windows or Unix path p[0..n) with control
 * bytes and separators left out, at most NAME_MAX_OUT bytes (cut on a
 * UTF-8 boundary), into out; "" when nothing is left.
 */
static void safe_name(const uint8_t *p, size_t n, char *out)
{
    size_t start = 0;
    for(size_t i = 0; i < n; i++)
        if(p[i] == '/' || p[i] == '\\' || p[i] == ':')
            start = i + 1;
    size_t k = 0;
    for(size_t i = start; i < n && k < NAME_MAX_OUT; i++)
        if(p[i] >= 0x20 && p[i] != 0x7F)
            out[k++] = (char)p[i];
    while(k && ((unsigned char)out[k - 1] & 0xC0) == 0x80)
        k--;   /* never half a character: drop a trailing partial one */
    if(k && ((unsigned char)out[k - 1] & 0xC0) == 0xC0)
        k--;
    if(k == 1 && out[0] == '.')
        k = 0;
    if(k == 2 && out[0] == '.' && out[1] == '.')
        k = 0;
    out[k] = 0;
}

/*
 * An OLE Package stream s[0..n): the embedded file's bytes and its name.
 * Layout: size (4), type (2), label NUL, source path NUL, 4 bytes,
 * temporary path length (4) and path, data length (4), data.
 */
static bool ole10native(const uint8_t *s, size_t n, const uint8_t **data,
                        size_t *len, char *name)
{
    if(n < 6)
        return false;
    size_t i = 6;
    const uint8_t *label = s + i;
    const uint8_t *z = memchr(s + i, 0, n - i);
    if(!z)
        return false;
    size_t label_n = (size_t)(z - label);
    i = (size_t)(z - s) + 1;
    const uint8_t *src = s + i;
    z = i < n ? memchr(s + i, 0, n - i) : NULL;
    if(!z)
        return false;
    size_t src_n = (size_t)(z - src);
    i = (size_t)(z - s) + 1;
    if(n - i < 8)
        return false;
    uint32_t tl = rd32(s + i + 4);
    i += 8;
    if(tl > n - i)
        return false;
    i += tl;
    if(n - i < 4)
        return false;
    uint32_t dl = rd32(s + i);
    i += 4;
    if(dl > n - i)
        dl = (uint32_t)(n - i);   /* truncated: what is there */
    *data = s + i;
    *len = dl;
    safe_name(label, label_n, name);
    if(!name[0])
        safe_name(src, src_n, name);
    return true;
}

/* Read stream i whole into b (capped by b->max); warns on trouble. */
static bool read_stream(struct kobj *obj, const struct cfb *cf, size_t i,
                        struct buf *b)
{
    const struct cfb_entry *e = cfb_entry(cf, i);
    struct kctx *c = obj->ctx;
    b->len = 0;
    if(!ctx_charge(c, obj->path, e->size))
        return false;
    enum kensa_err rc = cfb_read(cf, i, b);
    if(rc == KENSA_ENOMEM) {
        ctx_warn(c, obj->path, rc, KMSG_OOM);
        return false;
    }
    if(rc)
        ctx_warn(c, obj->path, rc, KMSG_CFB_STREAM, e->path);
    return true;
}

typedef enum kensa_err (*embedded_fn)(const uint8_t *, size_t, struct buf *,
                                      size_t *, size_t, size_t *);

/* Storages kept inside a stream (PowerPoint 97's embedded objects and
 * VBA project, Visio's VBA project), each a member "VbaProjectStg" when
 * it holds VBA/dir, else "ExOleObjStg" (then ".2", ...), whose walk
 * unwraps an OLE Package in it. */
static void scan_embedded(struct kobj *obj, const struct buf *doc,
                          embedded_fn fn)
{
    struct buf out;
    size_t lens[PPT_MAX], nl = 0;
    buf_init(&out, PPT_BYTES);
    enum kensa_err rc = fn(doc->p, doc->len, &out, lens, PPT_MAX, &nl);
    if(rc)
        ctx_warn(obj->ctx, obj->path, rc, KMSG_CFB_PPT);
    size_t off = 0;
    for(size_t j = 0; j < nl; j++) {
        char nm[32];
        struct cfb *sub;
        bool vba = false;
        if(!cfb_open(&sub, out.p + off, lens[j], NULL)) {
            vba = cfb_find(sub, -1, "VBA/dir") >= 0;
            cfb_free(sub);
        }
        const char *base = vba ? "VbaProjectStg" : "ExOleObjStg";
        if(j)
            snprintf(nm, sizeof(nm), "%s.%zu", base, j + 1);
        else
            snprintf(nm, sizeof(nm), "%s", base);
        if(!ctx_charge(obj->ctx, obj->path, lens[j]))
            break;
        object_scan_child(obj, nm, out.p + off, lens[j]);
        off += lens[j];
    }
    buf_free(&out);
}

/* One stream: unwrapped, scanned as an object or offered as a stream. */
static bool one_stream(struct kobj *obj, const struct cfb *cf, size_t i,
                       struct buf *b)
{
    struct kctx *c = obj->ctx;
    const struct cfb_entry *e = cfb_entry(cf, i);
    bool native = !strcmp(e->name, "\001Ole10Native");
    embedded_fn emb = !strcmp(e->path, "PowerPoint Document") ?
                      ppt_ole_storages :
                      !strcmp(e->path, "VisioDocument") ? vba_visio_projects
                                                        : NULL;
    if(!native && !emb && !ctx_wants_whole(c)) {
        struct buf head;
        uint8_t hb[8];
        buf_init(&head, sizeof(hb));
        (void)cfb_read(cf, i, &head);
        size_t got = head.len;
        if(got)
            memcpy(hb, head.p, got);
        buf_free(&head);
        if(!formats_container_head(hb, got)) {
            struct kstream *ks = detectors_stream_begin(obj, e->path);
            if(!ks)
                return true;
            if(read_stream(obj, cf, i, b) && b->len)
                detectors_stream_data(ks, b->p, b->len);
            detectors_stream_end(ks);
            return true;
        }
    }
    if(!read_stream(obj, cf, i, b))
        return false;
    if(emb)
        scan_embedded(obj, b, emb);
    const uint8_t *data = b->p;
    size_t len = b->len;
    char fname[NAME_MAX_OUT + 1];
    char *name = NULL;
    if(native && ole10native(b->p, b->len, &data, &len, fname)) {
        const struct cfb_entry *st = cfb_entry(cf, e->parent);
        name = join(st->path, fname[0] ? fname : "Ole10Native.bin");
    } else {
        data = b->p;
        len = b->len;
        name = strdup(e->path);
    }
    if(!name) {
        ctx_warn(c, obj->path, KENSA_ENOMEM, KMSG_OOM);
        return false;
    }
    c->mem_held += b->cap;
    object_scan_child(obj, name, data, len);
    c->mem_held -= b->cap;
    free(name);
    return true;
}

static bool cfb_walk(struct kobj *obj)
{
    struct kctx *c = obj->ctx;
    const struct kensa_limits *l = &c->s->opts.limits;
    struct cfb *cf;
    /* the reader's own caps (65,536 entries, 32 levels); --max-files
     * counts the streams walked, below */
    enum kensa_err rc = cfb_open(&cf, obj->data, obj->len, NULL);
    if(rc == KENSA_EFORMAT) {
        ctx_warn(c, obj->path, rc, KMSG_CFB_BAD);
        return false;   /* its bytes go to the detectors as data */
    }
    if(rc) {
        ctx_warn(c, obj->path, rc, rc == KENSA_ENOMEM ? KMSG_OOM
                                                       : KMSG_CFB_LIMIT);
        return true;
    }
    uint64_t room = l->max_scansize ? l->max_scansize : UINT64_MAX;
    size_t cap = room > obj->len ? obj->len : (size_t)room;
    struct buf b;
    buf_init(&b, cap);
    for(size_t i = 0; i < cfb_count(cf); i++) {
        const struct cfb_entry *e = cfb_entry(cf, i);
        if(e->type != CFB_STREAM || !e->size)
            continue;
        if(!ctx_count_entry(c, obj->path))
            break;
        if(!one_stream(obj, cf, i, &b))
            break;
        /* a child may have taken memory: start afresh for the next */
        buf_free(&b);
    }
    buf_free(&b);
    cfb_free(cf);
    return true;
}

const struct format format_cfb = {
    .name = "cfb",
    .probe = cfb_probe,
    .container_head = cfb_container_head,
    .walk = cfb_walk,
};
