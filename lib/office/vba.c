/*
 * vba.c - VBA projects out of a CFB ([MS-OVBA]), as vba.h describes.
 *
 * A project is any storage holding VBA/dir.  The dir stream is a
 * compressed container of records (id, size, data); the reader keeps
 * what it knows (code page, module names, stream names, offsets, types)
 * and steps over the rest, with the one quirk of PROJECTVERSION, whose
 * size field says 4 and is followed by 6 bytes.  Each module stream
 * holds the p-code (the "performance cache") then, at MODULEOFFSET, the
 * compressed source; when the byte there is no 0x01 or the container
 * does not decompress, the stream is searched for a container that
 * decompresses to text starting with "Attribute" (real files need it).
 * Sources and names go to UTF-8 through iconv from the project's code
 * page.  PowerPoint 97 keeps its project zlib-compressed inside the
 * "PowerPoint Document" stream: vba_ppt_projects() takes it out.
 */
#define _GNU_SOURCE   /* memmem */
#include <iconv.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "office/vba.h"

#define DEF_PROJECTS (16u)
#define DEF_MODULES  (256u)
#define DEF_SOURCE   ((size_t)4 << 20)
#define DEF_TOTAL    ((size_t)16 << 20)
#define DIR_MAX      ((size_t)4 << 20)   /* a decompressed dir stream */
#define SEARCH_MAX   64                  /* containers tried per module */

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static int fold(int ch)
{
    return ch >= 'A' && ch <= 'Z' ? ch + 32 : ch;
}

/* a == b with ASCII letters case folded (as Office compares names) */
static bool same_ci(const char *a, const char *b)
{
    for(; *a && *b; a++, b++)
        if(fold((unsigned char)*a) != fold((unsigned char)*b))
            return false;
    return !*a && !*b;
}

/* ---- MS-OVBA 2.4.1 ------------------------------------------------------ */

/* One CompressedChunk at p[0..n) (its header included) appended to out.
 * *used: the bytes it took. */
static enum kensa_err chunk(const uint8_t *p, size_t n, struct buf *out,
                            size_t *used)
{
    uint16_t h = rd16(p);
    size_t size = (size_t)(h & 0x0FFF) + 3;
    if(((h >> 12) & 7) != 3)
        return KENSA_EFORMAT;
    if(size > n)
        size = n;   /* a truncated last chunk: what is there */
    *used = size;
    if(!(h & 0x8000)) {
        /* raw: 4096 bytes follow */
        if(size < 4098)
            return KENSA_EFORMAT;
        return buf_append(out, p + 2, 4096);
    }
    size_t start = out->len, i = 2;
    while(i < size) {
        uint8_t flags = p[i++];
        for(int b = 0; b < 8 && i < size; b++) {
            if(!(flags >> b & 1)) {
                enum kensa_err rc = buf_append(out, p + i++, 1);
                if(rc)
                    return rc;
                continue;
            }
            if(i + 2 > size)
                return KENSA_EFORMAT;
            uint16_t t = rd16(p + i);
            i += 2;
            size_t diff = out->len - start;
            unsigned bits = 4;
            while(((size_t)1 << bits) < diff)
                bits++;
            if(bits > 12)
                bits = 12;
            size_t len = (size_t)(t & (0xFFFFu >> bits)) + 3;
            size_t off = (size_t)(t >> (16 - bits)) + 1;
            if(off > diff)
                return KENSA_EFORMAT;
            enum kensa_err rc = buf_reserve(out, len);
            if(rc)
                return rc;
            for(size_t k = 0; k < len; k++) {
                out->p[out->len] = out->p[out->len - off];
                out->len++;
            }
        }
    }
    return KENSA_OK;
}

enum kensa_err vba_decompress(const uint8_t *p, size_t n, struct buf *out)
{
    if(!n || p[0] != 0x01)
        return KENSA_EFORMAT;
    size_t i = 1;
    while(i + 2 <= n) {
        size_t used = 0;
        enum kensa_err rc = chunk(p + i, n - i, out, &used);
        if(rc)
            return rc;
        i += used;
    }
    return KENSA_OK;
}

/* ---- code pages --------------------------------------------------------- */

static enum kensa_err put_fffd(struct buf *out)
{
    return buf_append(out, "\xEF\xBF\xBD", 3);
}

/* Code points of cp1252's 0x80-0x9F (0: unassigned). */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
    0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

/* One code point below 0x10000 as UTF-8. */
static enum kensa_err put_utf8(struct buf *out, uint32_t u)
{
    uint8_t b[3];
    if(u < 0x80)
        return buf_append(out, (uint8_t[]){ (uint8_t)u }, 1);
    if(u < 0x800) {
        b[0] = (uint8_t)(0xC0 | u >> 6);
        b[1] = (uint8_t)(0x80 | (u & 0x3F));
        return buf_append(out, b, 2);
    }
    b[0] = (uint8_t)(0xE0 | u >> 12);
    b[1] = (uint8_t)(0x80 | (u >> 6 & 0x3F));
    b[2] = (uint8_t)(0x80 | (u & 0x3F));
    return buf_append(out, b, 3);
}

/* The iconv name of a Windows code page into cs[16]. */
static void cp_name(uint16_t codepage, char cs[16])
{
    if(codepage == 65001)
        memcpy(cs, "UTF-8", 6);
    else if(codepage == 1200)
        memcpy(cs, "UTF-16LE", 9);
    else if(codepage == 10000)
        memcpy(cs, "MACINTOSH", 10);
    else
        snprintf(cs, 16, "CP%u", codepage ? codepage : 1252);
}

/* Code pages of VBA projects: Japanese, Chinese (simplified and
 * traditional), Korean, Thai and the Windows ANSI pages, and UTF-16LE
 * (1200: MODULENAMEUNICODE and the other Unicode records). */
static const uint16_t common_cps[] = {
    932, 936, 949, 950, 874, 1250, 1251, 1252, 1253, 1254, 1255, 1256,
    1257, 1258, 10000, 1200,
};
static iconv_t pinned[sizeof(common_cps) / sizeof(common_cps[0])];
static pthread_once_t pin_once = PTHREAD_ONCE_INIT;

static void pin(void)
{
    for(size_t i = 0; i < sizeof(common_cps) / sizeof(common_cps[0]); i++) {
        char cs[16];
        cp_name(common_cps[i], cs);
        pinned[i] = iconv_open("UTF-8", cs);   /* kept open, never used */
    }
}

void vba_codepages_load(void)
{
    pthread_once(&pin_once, pin);
}

enum kensa_err vba_to_utf8(uint16_t codepage, const uint8_t *p, size_t n,
                           struct buf *out)
{
    char cs[16];
    cp_name(codepage, cs);
    iconv_t cd = iconv_open("UTF-8", cs);
    enum kensa_err rc = KENSA_OK;
    if(cd == (iconv_t)-1) {
        /* no such charset in this libc (a static build without the
         * host's gconv modules): cp1252 by its table, other code pages
         * ASCII as is and the rest U+FFFD */
        bool w1252 = !codepage || codepage == 1252 || codepage == 28591;
        for(size_t i = 0; i < n && !rc; i++) {
            uint32_t u = p[i] < 0x80 ? p[i] :
                         !w1252 ? 0xFFFD :
                         p[i] >= 0xA0 ? p[i] : cp1252_high[p[i] - 0x80];
            rc = put_utf8(out, u ? u : 0xFFFD);
        }
        return rc;
    }
    char *in = (char *)p;
    size_t left = n;
    while(left && !rc) {
        char tmp[1024];
        char *o = tmp;
        size_t room = sizeof(tmp);
        size_t r = iconv(cd, &in, &left, &o, &room);
        rc = buf_append(out, tmp, (size_t)(o - tmp));
        if(r == (size_t)-1 && !rc && o == tmp && left) {
            /* EILSEQ or EINVAL (an incomplete sequence at the end) */
            rc = put_fffd(out);
            in++;
            left--;
        }
    }
    iconv_close(cd);
    return rc;
}

/* ---- the dir stream ----------------------------------------------------- */

struct modrec {
    const uint8_t *name, *uname, *stream, *ustream;
    size_t name_n, uname_n, stream_n, ustream_n;
    uint32_t offset;
    bool procedural;
    bool have_offset;
};

struct dirinfo {
    uint16_t codepage;
    struct modrec *m;
    size_t n, cap;
    bool truncated;
};

/* Records of the decompressed dir stream d[0..n). */
static enum kensa_err parse_dir(const uint8_t *d, size_t n, size_t max_mod,
                                struct dirinfo *di)
{
    size_t i = 0;
    struct modrec *cur = NULL;
    di->codepage = 1252;
    while(i + 6 <= n) {
        uint16_t id = rd16(d + i);
        uint32_t sz = rd32(d + i + 2);
        i += 6;
        if(id == 0x0009)
            sz = 6;   /* PROJECTVERSION: "Reserved" says 4, 6 follow */
        if(sz > n - i)
            break;
        const uint8_t *v = d + i;
        i += sz;
        switch(id) {
        case 0x0003:   /* PROJECTCODEPAGE */
            if(sz >= 2)
                di->codepage = rd16(v);
            break;
        case 0x0019: { /* MODULENAME: a new module */
            if(di->n >= max_mod) {
                di->truncated = true;
                cur = NULL;
                break;
            }
            struct modrec *g = array_grow(di->m, &di->cap, di->n,
                                          sizeof(*di->m), 8);
            if(!g)
                return KENSA_ENOMEM;
            di->m = g;
            cur = &di->m[di->n++];
            memset(cur, 0, sizeof(*cur));
            cur->name = v;
            cur->name_n = sz;
            break;
        }
        case 0x0047:   /* MODULENAMEUNICODE */
            if(cur) {
                cur->uname = v;
                cur->uname_n = sz;
            }
            break;
        case 0x001A:   /* MODULESTREAMNAME */
            if(cur) {
                cur->stream = v;
                cur->stream_n = sz;
            }
            break;
        case 0x0032:   /* its Unicode part */
            if(cur) {
                cur->ustream = v;
                cur->ustream_n = sz;
            }
            break;
        case 0x0031:   /* MODULEOFFSET */
            if(cur && sz >= 4) {
                cur->offset = rd32(v);
                cur->have_offset = true;
            }
            break;
        case 0x0021:   /* MODULETYPE procedural */
            if(cur)
                cur->procedural = true;
            break;
        case 0x002B:   /* end of a module */
            cur = NULL;
            break;
        case 0x0010:   /* end of the dir stream */
            return KENSA_OK;
        default:       /* known or not: stepped over */
            break;
        }
    }
    return KENSA_OK;
}

/* ---- module sources ----------------------------------------------------- */

static bool starts_attribute(const uint8_t *p, size_t n)
{
    static const char a[] = "attribute";
    if(n < 9)
        return false;
    for(size_t i = 0; i < 9; i++)
        if((p[i] | 0x20) != a[i])
            return false;
    return true;
}

/*
 * The source of a module stream s[0..n) whose container should be at
 * `off`: decompressed into `out`.  True when one was found.
 */
static bool module_source(const uint8_t *s, size_t n, uint32_t off,
                          struct buf *out)
{
    size_t base = out->len;
    if(off < n && s[off] == 0x01) {
        enum kensa_err rc = vba_decompress(s + off, n - off, out);
        if((!rc || rc == KENSA_ELIMIT) && out->len > base)
            return true;
        out->len = base;
    }
    /* search: a 0x01 then a chunk header (signature bits 011) whose first
     * bytes decompress to "Attribute"; nearest the stated offset first
     * would need sorting, the stream is searched from its end backwards
     * (the source is its last part) */
    struct buf probe;
    buf_init(&probe, 4096);
    int tries = 0;
    bool found = false;
    for(size_t i = n >= 3 ? n - 3 : 0; n >= 3 && tries < SEARCH_MAX; i--) {
        if(s[i] == 0x01 && (s[i + 2] & 0x70) == 0x30) {
            tries++;
            probe.len = 0;
            size_t used;
            if(i + 3 < n)
                (void)chunk(s + i + 1, n - i - 1, &probe, &used);
            if(starts_attribute(probe.p, probe.len)) {
                enum kensa_err rc = vba_decompress(s + i, n - i, out);
                if((!rc || rc == KENSA_ELIMIT || rc == KENSA_EFORMAT) &&
                   out->len > base) {
                    found = true;
                    break;
                }
                out->len = base;
            }
        }
        if(!i)
            break;
    }
    buf_free(&probe);
    return found;
}

/* UTF-16LE bytes to UTF-8 appended (a NUL ends it). */
static enum kensa_err utf16_to_buf(const uint8_t *p, size_t n,
                                   struct buf *out)
{
    return vba_to_utf8(1200, p, n & ~(size_t)1, out);
}

static char *dup_buf(struct buf *b)
{
    char *s = malloc(b->len + 1);
    if(s) {
        if(b->len)
            memcpy(s, b->p, b->len);
        s[b->len] = 0;
    }
    return s;
}

/* The names of document modules, from the PROJECT stream's
 * "Document=Name/&H..." lines, checked by vba_module_is_doc(). */
static bool is_doc_module(const uint8_t *proj, size_t pn, const char *name)
{
    size_t k = strlen(name);
    for(size_t i = 0; i + 9 + k <= pn; i++) {
        if((i == 0 || proj[i - 1] == '\n') &&
           !memcmp(proj + i, "Document=", 9) &&
           !memcmp(proj + i + 9, name, k) &&
           (i + 9 + k == pn || proj[i + 9 + k] == '/'))
            return true;
    }
    return false;
}

/* _VBA_PROJECT's version 0xFFFF: the p-code cache is absent or must be
 * ignored (PowerPoint, files written by other tools). */
/* The index of the stream among kids[0..nk) (the VBA storage's
 * children) named `name` (ASCII case folded), or -1.  Module streams are
 * looked up here rather than with cfb_find(): one pass over the file's
 * entries per project, not one per module. */
static long child_named(const struct cfb *c, const size_t *kids, size_t nk,
                        const char *name)
{
    for(size_t i = 0; i < nk; i++) {
        const struct cfb_entry *e = cfb_entry(c, kids[i]);
        if(e->type == CFB_STREAM && same_ci(e->name, name))
            return (long)kids[i];
    }
    return -1;
}

/* _VBA_PROJECT's version 0xFFFF: the p-code cache is absent or must be
 * ignored (PowerPoint, files written by other tools). */
static bool pcode_valid(const struct cfb *c, const size_t *kids, size_t nk)
{
    long i = child_named(c, kids, nk, "_VBA_PROJECT");
    if(i < 0)
        return false;
    struct buf b;
    buf_init(&b, 8);
    (void)cfb_read(c, (size_t)i, &b);
    bool ok = b.len >= 4 && rd16(b.p) == 0x61CC && rd16(b.p + 2) != 0xFFFF;
    buf_free(&b);
    return ok;
}

/* A module's name: MODULENAMEUNICODE when present, else MODULENAME. */
static char *module_name(const struct modrec *r, uint16_t cp)
{
    struct buf b;
    buf_init(&b, 4096);
    if(r->uname_n)
        (void)utf16_to_buf(r->uname, r->uname_n, &b);
    else
        (void)vba_to_utf8(cp, r->name, r->name_n, &b);
    char *s = dup_buf(&b);
    buf_free(&b);
    return s;
}

static bool has_bytes(const uint8_t *p, size_t n)
{
    for(size_t i = 0; i < n; i++)
        if(p[i])
            return true;
    return false;
}

/* What one vba_extract() call has spent: source bytes (max_total) and
 * module stream bytes read (4 x max_total: modules naming the same big
 * stream again and again cost that much, not more). */
struct budget {
    size_t src, raw;
};

/* Fill one module from its record, charging `bu`. */
static enum kensa_err fill_module(const struct cfb *c, const size_t *kids,
                                  size_t nk,
                                  const struct modrec *r, uint16_t cp,
                                  const uint8_t *proj, size_t pn,
                                  bool pcode_ok, const struct vba_limits *l,
                                  struct budget *bu, struct vba_module *m,
                                  bool *truncated)
{
    enum kensa_err rc = KENSA_OK;
    struct buf sb, raw, src;
    buf_init(&sb, 4096);
    buf_init(&raw, l->max_source * 2 + 65536);
    buf_init(&src, l->max_source);
    m->name = module_name(r, cp);
    if(r->ustream_n)
        (void)utf16_to_buf(r->ustream, r->ustream_n, &sb);
    else if(r->stream_n)
        (void)vba_to_utf8(cp, r->stream, r->stream_n, &sb);
    else if(m->name)
        (void)buf_puts(&sb, m->name);
    m->stream = dup_buf(&sb);
    if(!m->name || !m->stream) {
        rc = KENSA_ENOMEM;
        goto out;
    }
    m->type = r->procedural ? VBA_MODULE_STD :
              is_doc_module(proj, pn, m->name) ? VBA_MODULE_DOC :
                                                VBA_MODULE_CLASS;
    long si = child_named(c, kids, nk, m->stream);
    if(si < 0)
        si = child_named(c, kids, nk, m->name);
    if(si >= 0 && bu->raw / 4 >= l->max_total) {
        *truncated = true;
    } else if(si >= 0) {
        enum kensa_err r2 = cfb_read(c, (size_t)si, &raw);
        bu->raw += raw.len;
        if(r2 == KENSA_ELIMIT)
            *truncated = true;
        uint32_t off = r->have_offset ? r->offset : 0;
        m->has_pcode = pcode_ok && off > 0 && off <= raw.len &&
                       has_bytes(raw.p, off);
        struct buf dec;
        buf_init(&dec, l->max_source);
        if(bu->src < l->max_total &&
           module_source(raw.p, raw.len, off, &dec)) {
            m->source_ok = true;
            if(dec.len == dec.max)
                *truncated = true;
            rc = vba_to_utf8(cp, dec.p, dec.len, &src);
            if(rc == KENSA_ELIMIT) {
                *truncated = true;
                rc = KENSA_OK;
            }
        } else if(bu->src >= l->max_total) {
            *truncated = true;
        }
        buf_free(&dec);
    }
    bu->src += src.len;
    m->source = dup_buf(&src);
    m->source_len = src.len;
    if(!m->source)
        rc = KENSA_ENOMEM;
out:
    buf_free(&sb);
    buf_free(&raw);
    buf_free(&src);
    return rc;
}

/* The project whose VBA storage is entry `vba`. */
static enum kensa_err read_project(const struct cfb *c, long vba, long dir,
                                   const struct vba_limits *l,
                                   struct budget *bu,
                                   struct vba_project *pr)
{
    enum kensa_err rc = KENSA_OK;
    struct buf raw, d, proj;
    struct dirinfo di = { 0 };
    size_t *kids = NULL, nk = 0;
    buf_init(&raw, DIR_MAX);
    buf_init(&d, DIR_MAX);
    buf_init(&proj, 1 << 20);
    const struct cfb_entry *ve = cfb_entry(c, (size_t)vba);
    const struct cfb_entry *st = cfb_entry(c, ve->parent);
    pr->storage = strdup(st->path);
    if(!pr->storage) {
        rc = KENSA_ENOMEM;
        goto out;
    }
    (void)cfb_read(c, (size_t)dir, &raw);
    enum kensa_err r2 = vba_decompress(raw.p, raw.len, &d);
    if(r2 && r2 != KENSA_EFORMAT && r2 != KENSA_ELIMIT) {
        rc = r2;
        goto out;
    }
    rc = parse_dir(d.p, d.len, l->max_modules, &di);
    if(rc)
        goto out;
    pr->codepage = di.codepage;
    pr->truncated = di.truncated;
    long pi = cfb_find(c, (long)ve->parent, "PROJECT");
    if(pi >= 0)
        (void)cfb_read(c, (size_t)pi, &proj);
    kids = malloc(cfb_count(c) * sizeof(*kids) + 1);
    if(!kids) {
        rc = KENSA_ENOMEM;
        goto out;
    }
    for(size_t i = 0; i < cfb_count(c); i++)
        if(i != (size_t)vba && cfb_entry(c, i)->parent == (size_t)vba)
            kids[nk++] = i;
    bool pcode_ok = pcode_valid(c, kids, nk);
    if(di.n) {
        pr->mod = calloc(di.n, sizeof(*pr->mod));
        if(!pr->mod) {
            rc = KENSA_ENOMEM;
            goto out;
        }
    }
    for(size_t i = 0; i < di.n; i++) {
        struct vba_module *m = &pr->mod[pr->n_mod++];
        rc = fill_module(c, kids, nk, &di.m[i], di.codepage, proj.p,
                         proj.len, pcode_ok, l, bu, m, &pr->truncated);
        if(rc)
            goto out;
        /* stomping, conservatively: compiled code is there and valid, the
         * source is not (or is nothing at all, not even the Attribute
         * lines every saved module has) */
        if(m->has_pcode && (!m->source_ok || !m->source_len))
            pr->stomped = true;
    }
out:
    free(kids);
    free(di.m);
    buf_free(&raw);
    buf_free(&d);
    buf_free(&proj);
    return rc;
}

enum kensa_err vba_extract(const struct cfb *c, const struct vba_limits *lim,
                           struct vba_project **out, size_t *n)
{
    struct vba_limits l = {
        .max_projects = lim && lim->max_projects ? lim->max_projects
                                                 : DEF_PROJECTS,
        .max_modules = lim && lim->max_modules ? lim->max_modules
                                               : DEF_MODULES,
        .max_source = lim && lim->max_source ? lim->max_source : DEF_SOURCE,
        .max_total = lim && lim->max_total ? lim->max_total : DEF_TOTAL,
    };
    *out = NULL;
    *n = 0;
    struct vba_project *v = NULL;
    size_t cap = 0, k = 0;
    struct budget bu = { 0, 0 };
    enum kensa_err rc = KENSA_OK;
    for(size_t i = 0; i < cfb_count(c); i++) {
        const struct cfb_entry *e = cfb_entry(c, i);
        if(e->type != CFB_STREAM || !same_ci(e->name, "dir"))
            continue;
        const struct cfb_entry *ve = cfb_entry(c, e->parent);
        if(ve->type != CFB_STORAGE || !same_ci(ve->name, "VBA"))
            continue;
        if(k >= l.max_projects) {
            if(k)
                v[k - 1].truncated = true;
            break;
        }
        struct vba_project *g = array_grow(v, &cap, k, sizeof(*v), 2);
        if(!g) {
            rc = KENSA_ENOMEM;
            break;
        }
        v = g;
        memset(&v[k], 0, sizeof(v[k]));
        rc = read_project(c, (long)e->parent, (long)i, &l, &bu, &v[k]);
        k++;
        if(rc)
            break;
    }
    if(rc) {
        vba_projects_free(v, k);
        return rc;
    }
    *out = v;
    *n = k;
    return KENSA_OK;
}

void vba_projects_free(struct vba_project *p, size_t n)
{
    if(!p)
        return;
    for(size_t i = 0; i < n; i++) {
        for(size_t j = 0; j < p[i].n_mod; j++) {
            free(p[i].mod[j].name);
            free(p[i].mod[j].stream);
            free(p[i].mod[j].source);
        }
        free(p[i].mod);
        free(p[i].storage);
    }
    free(p);
}

/* ---- PowerPoint 97 ------------------------------------------------------ */

/* zlib p[0..n) appended to out, capped by out->max. */
static enum kensa_err inflate_capped(const uint8_t *p, size_t n,
                                     struct buf *out)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    if(inflateInit(&z) != Z_OK)
        return KENSA_ENOMEM;
    z.next_in = (Bytef *)p;
    z.avail_in = n > UINT32_MAX ? UINT32_MAX : (uInt)n;
    enum kensa_err rc = KENSA_OK;
    for(;;) {
        uint8_t tmp[16384];
        z.next_out = tmp;
        z.avail_out = sizeof(tmp);
        int zr = inflate(&z, Z_NO_FLUSH);
        size_t got = sizeof(tmp) - z.avail_out;
        if(got && (rc = buf_append(out, tmp, got)))
            break;
        if(zr == Z_STREAM_END)
            break;
        if(zr != Z_OK || (!got && !z.avail_in)) {
            rc = KENSA_EFORMAT;
            break;
        }
    }
    inflateEnd(&z);
    return rc;
}

/* Whether the CFB p[0..n) holds VBA/dir at its root. */
static bool is_vba_cfb(const uint8_t *p, size_t n)
{
    struct cfb *c;
    if(cfb_open(&c, p, n, NULL))
        return false;
    bool yes = cfb_find(c, -1, "VBA/dir") >= 0;
    cfb_free(c);
    return yes;
}

/* Every ExOleObjStg of a PowerPoint Document stream whose bytes are a
 * CFB (with VBA/dir when vba_only) to out, as vba_ppt_projects says. */
static enum kensa_err ppt_storages(const uint8_t *doc, size_t n,
                                   struct buf *out, size_t *lens,
                                   size_t max_lens, size_t *n_lens,
                                   bool vba_only)
{
    *n_lens = 0;
    size_t i = 0;
    enum kensa_err rc = KENSA_OK;
    while(i + 8 <= n && *n_lens < max_lens) {
        uint16_t vi = rd16(doc + i), type = rd16(doc + i + 2);
        uint32_t len = rd32(doc + i + 4);
        i += 8;
        if((vi & 0xF) == 0xF)
            continue;   /* a container: its records follow */
        if(len > n - i)
            break;
        /* ExOleObjStg, compressed (instance 1) or not */
        if(type == 0x1011 && len > 4) {
            size_t base = out->len;
            enum kensa_err r2;
            if((vi >> 4) == 1)
                r2 = inflate_capped(doc + i + 4, len - 4, out);
            else
                r2 = buf_append(out, doc + i, len);
            if(r2 == KENSA_ENOMEM) {
                rc = r2;
                break;
            }
            /* PowerPoint ends its zlib streams without the final block
             * (a sync flush): a cut stream whose CFB holds is kept */
            size_t got = out->len - base;
            if(got && (!r2 || r2 == KENSA_EFORMAT) &&
               (vba_only ? is_vba_cfb(out->p + base, got)
                         : got >= 8 && !memcmp(out->p + base, CFB_MAGIC, 8))) {
                lens[(*n_lens)++] = got;
            } else {
                out->len = base;
                if(r2 == KENSA_ELIMIT)
                    rc = r2;
            }
        }
        i += len;
    }
    return rc;
}

enum kensa_err vba_ppt_projects(const uint8_t *doc, size_t n,
                                struct buf *out, size_t *lens,
                                size_t max_lens, size_t *n_lens)
{
    return ppt_storages(doc, n, out, lens, max_lens, n_lens, true);
}

enum kensa_err ppt_ole_storages(const uint8_t *doc, size_t n,
                                struct buf *out, size_t *lens,
                                size_t max_lens, size_t *n_lens)
{
    return ppt_storages(doc, n, out, lens, max_lens, n_lens, false);
}

/* ---- Visio -------------------------------------------------------------- */

#define VSD_RING 4096u
#define VSD_CHUNK ((size_t)1 << 20)   /* one chunk's stated length */
#define VSD_TRIES 16                   /* CFB signatures looked at */

/*
 * One LZSS chunk of the VisioDocument stream at p[0..n): 4096-byte ring,
 * a flag byte per 8 items (bit set: a literal; clear: 2 bytes of 12-bit
 * ring position and 4-bit length - 3), positions 18 ahead of the output
 * as LZSS's classic ring start makes them.  Appends up to `want` bytes;
 * *used: the input taken.
 */
static enum kensa_err vsd_lzss(const uint8_t *p, size_t n, size_t want,
                               struct buf *out, size_t *used)
{
    uint8_t ring[VSD_RING] = { 0 };
    size_t pos = 0, off = 0, got = 0;
    while(off < n && got < want) {
        uint8_t flag = p[off++];
        for(int bit = 0; bit < 8 && off < n && got < want; bit++) {
            if(flag >> bit & 1) {
                ring[pos++ % VSD_RING] = p[off];
                enum kensa_err rc = buf_append(out, p + off++, 1);
                if(rc)
                    return rc;
                got++;
                continue;
            }
            if(off + 1 >= n)
                break;
            unsigned a1 = p[off], a2 = p[off + 1];
            off += 2;
            size_t len = (a2 & 15u) + 3;
            size_t ptr = ((a2 & 0xF0u) << 4) | a1;
            ptr = ptr > 4078 ? ptr - 4078 : ptr + 18;
            for(size_t j = 0; j < len && got < want; j++, got++) {
                uint8_t ch = ring[(ptr + j) % VSD_RING];
                ring[(pos + j) % VSD_RING] = ch;
                enum kensa_err rc = buf_append(out, &ch, 1);
                if(rc)
                    return rc;
            }
            pos += len;
        }
    }
    *used = off;
    return KENSA_OK;
}

/* The chunks from p[0..n) (each: stated length, then its LZSS bytes),
 * appended to out until a zero length or the end. */
static enum kensa_err vsd_chunks(const uint8_t *p, size_t n, struct buf *out)
{
    size_t i = 0;
    while(i < n) {
        struct buf head;
        uint8_t hb[4];
        size_t used;
        buf_init(&head, 4);
        enum kensa_err rc = vsd_lzss(p + i, n - i, 4, &head, &used);
        size_t got = head.len;
        if(got)
            memcpy(hb, head.p, got);
        buf_free(&head);
        if(rc || got < 4)
            return rc;
        uint32_t len = rd32(hb);
        if(!len || len > VSD_CHUNK)
            return KENSA_OK;
        size_t base = out->len;
        rc = vsd_lzss(p + i, n - i, (size_t)len + 4, out, &used);
        if(rc)
            return rc;
        /* the length itself came out first: take it back out */
        if(out->len >= base + 4) {
            memmove(out->p + base, out->p + base + 4, out->len - base - 4);
            out->len -= 4;
        }
        i += used;
    }
    return KENSA_OK;
}

enum kensa_err vba_visio_projects(const uint8_t *doc, size_t n,
                                  struct buf *out, size_t *lens,
                                  size_t max_lens, size_t *n_lens)
{
    *n_lens = 0;
    enum kensa_err rc = KENSA_OK;
    size_t from = 5;
    for(int tries = 0; tries < VSD_TRIES && *n_lens < max_lens; tries++) {
        const uint8_t *m = from < n ? memmem(doc + from, n - from,
                                             "\xD0\xCF\x11\xE0", 4) : NULL;
        if(!m)
            break;
        size_t at = (size_t)(m - doc);
        from = at + 4;
        /* a flag byte of literals, the chunk's length, the signature */
        size_t base = out->len;
        enum kensa_err r2 = vsd_chunks(doc + at - 5, n - (at - 5), out);
        if(r2 == KENSA_ENOMEM)
            return r2;
        if(out->len > base && is_vba_cfb(out->p + base, out->len - base)) {
            lens[(*n_lens)++] = out->len - base;
            continue;
        }
        out->len = base;
        if(r2 == KENSA_ELIMIT)
            rc = r2;
    }
    return rc;
}
