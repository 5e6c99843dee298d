/*
 * tnef.c - the TNEF format: winmail.dat, the application/ms-tnef
 * attachment Outlook and Exchange send in place of a mail's attachments.
 * Its attached files become members, named by their long file names, so
 * the engine judges them as any other (mail.eml!/winmail.dat!/a.xlsm);
 * a winmail.dat met anywhere else (a zip, a folder) is opened the same
 * way.
 *
 * The reader is ours, not libytnef's (docs/DESIGN.md, "Mail": libytnef
 * prints "ERROR: ..." on standard output for bad input, which would
 * break kensa's JSON and CSV there, and sizes its allocations from the
 * stream).  The stream (MS-OXTNEF): a signature, a key, then attributes
 * (level, id, length, data, checksum); an attachment starts at its
 * attAttachRendData and holds its title (8.3 name), its data and a MAPI
 * property list (long file name, data of an embedded object).  Files are
 * views into the stream's bytes: nothing is copied or allocated but the
 * array of at most TNEF_MAX entries, and every length is checked against
 * what remains.
 */
#include "formats/tnef.h"

#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "formats/mail.h"

#define LVL_MESSAGE 1
#define LVL_ATTACHMENT 2
#define ATT_RENDDATA 0x00069002u   /* starts an attachment */
#define ATT_TITLE 0x00018010u      /* its 8.3 name */
#define ATT_DATA 0x0006800Fu       /* its bytes */
#define ATT_MAPI 0x00069005u       /* its MAPI properties */
#define ATT_CODEPAGE 0x00069007u   /* the code page of 8-bit strings */
#define PR_LONG_FILENAME 0x3707u
#define PR_FILENAME 0x3704u
#define PR_DATA 0x3701u            /* PR_ATTACH_DATA_BIN / _OBJ */
#define PT_STRING8 0x001Eu
#define PT_UNICODE 0x001Fu
#define PT_BINARY 0x0102u
#define PT_OBJECT 0x000Du
#define PT_MV 0x1000u

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* An 8-bit name up to its NUL, bounded. */
static void name8(char *out, const uint8_t *p, size_t n)
{
    size_t k = 0;
    while(k < n && k < TNEF_NAME_MAX && p[k])
        k++;
    memcpy(out, p, k);
    out[k] = '\0';
}

/* A UTF-16LE name up to its NUL as UTF-8, bounded (a code point that
 * does not fit is left out whole; a lone surrogate becomes U+FFFD). */
static void name16(char *out, const uint8_t *p, size_t n)
{
    size_t o = 0;
    for(size_t i = 0; i + 1 < n; i += 2) {
        uint32_t c = le16(p + i);
        if(!c)
            break;
        if(c >= 0xD800 && c < 0xDC00 && i + 3 < n &&
           le16(p + i + 2) >= 0xDC00 && le16(p + i + 2) < 0xE000) {
            c = 0x10000 + ((c - 0xD800) << 10) + (le16(p + i + 2) - 0xDC00);
            i += 2;
        } else if(c >= 0xD800 && c < 0xE000) {
            c = 0xFFFD;
        }
        uint8_t b[4];
        size_t k = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
        if(k == 1) {
            b[0] = (uint8_t)c;
        } else if(k == 2) {
            b[0] = (uint8_t)(0xC0 | c >> 6);
            b[1] = (uint8_t)(0x80 | (c & 0x3F));
        } else if(k == 3) {
            b[0] = (uint8_t)(0xE0 | c >> 12);
            b[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
            b[2] = (uint8_t)(0x80 | (c & 0x3F));
        } else {
            b[0] = (uint8_t)(0xF0 | c >> 18);
            b[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3F));
            b[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
            b[3] = (uint8_t)(0x80 | (c & 0x3F));
        }
        if(o + k > TNEF_NAME_MAX)
            break;
        memcpy(out + o, b, k);
        o += k;
    }
    out[o] = '\0';
}

/* The size of one value of a fixed-size MAPI type as TNEF writes it
 * (padded to 4), 0 for a variable-size type, SIZE_MAX for one unknown. */
static size_t fixed_size(uint16_t type)
{
    switch(type) {
    case 0x0001: case 0x0002: case 0x0003: case 0x0004: case 0x000A:
    case 0x000B:
        return 4;
    case 0x0005: case 0x0006: case 0x0007: case 0x0014: case 0x0040:
        return 8;
    case 0x0048:
        return 16;
    case PT_STRING8: case PT_UNICODE: case PT_BINARY: case PT_OBJECT:
        return 0;
    default:
        return SIZE_MAX;
    }
}

/* What an attachment's MAPI property list p[0..n) says of its name and
 * data.  False when the list is damaged (what was read is kept). */
static bool mapi_props(const uint8_t *p, size_t n, struct tnef_file *f)
{
    size_t off = 4;
    if(n < 4)
        return false;
    uint32_t count = le32(p);
    for(uint32_t i = 0; i < count && i < TNEF_PROPS; i++) {
        if(n - off < 4)
            return false;
        uint16_t type = le16(p + off), id = le16(p + off + 2);
        off += 4;
        if(id >= 0x8000) {   /* named: GUID, kind, number or string */
            if(n - off < 24)
                return false;
            uint32_t kind = le32(p + off + 16), sl = le32(p + off + 20);
            off += 24;
            if(kind == 1) {
                if(sl > n - off)
                    return false;
                off += sl;
                off += (4 - off % 4) % 4;
                if(off > n)
                    return false;
            } else if(kind != 0) {
                return false;
            }
        }
        uint16_t base = type & (uint16_t)~PT_MV;
        size_t fs = fixed_size(base);
        if(fs == SIZE_MAX)
            return false;
        uint32_t nv = 1;
        if((type & PT_MV) || !fs) {
            if(n - off < 4)
                return false;
            nv = le32(p + off);
            off += 4;
        }
        for(uint32_t v = 0; v < nv; v++) {
            if(fs) {
                if(n - off < fs)
                    return false;
                off += fs;
                continue;
            }
            if(n - off < 4)
                return false;
            uint32_t sz = le32(p + off);
            off += 4;
            if(sz > n - off)
                return false;
            const uint8_t *val = p + off;
            off += sz;
            off += (4 - off % 4) % 4;   /* padding, not in sz */
            if(off > n)
                off = n;
            if(v)
                continue;
            if(id == PR_LONG_FILENAME && (base == PT_UNICODE || base == PT_STRING8)) {
                if(base == PT_UNICODE)
                    name16(f->name, val, sz);
                else
                    name8(f->name, val, sz);
                f->long_name = f->name[0] != '\0';
            } else if(id == PR_FILENAME && !f->long_name && !f->name[0] &&
                      (base == PT_UNICODE || base == PT_STRING8)) {
                if(base == PT_UNICODE)
                    name16(f->name, val, sz);
                else
                    name8(f->name, val, sz);
            } else if(id == PR_DATA && !f->data &&
                      (base == PT_BINARY || base == PT_OBJECT)) {
                /* an object's value starts with its interface id */
                size_t skip = base == PT_OBJECT ? 16 : 0;
                if(sz > skip) {
                    f->data = val + skip;
                    f->len = sz - skip;
                }
            }
        }
    }
    return true;
}

bool tnef_head(const uint8_t *p, size_t n)
{
    if(n < 6 + 11 || le32(p) != TNEF_SIGNATURE)
        return false;
    uint8_t lvl = p[6];
    return (lvl == LVL_MESSAGE || lvl == LVL_ATTACHMENT) &&
           le32(p + 11) <= n - 6 - 11;
}

enum tnef_status tnef_read(const uint8_t *p, size_t n, struct tnef_file *out,
                           size_t max, size_t *count, size_t *bad,
                           uint32_t *codepage)
{
    size_t cnt = 0, off = 6;
    struct tnef_file *cur = NULL;
    enum tnef_status st = TNEF_OK;
    *count = 0;
    if(codepage)
        *codepage = 0;
    if(n < 6 || le32(p) != TNEF_SIGNATURE)
        return TNEF_NOT;
    while(off < n) {
        /* a mail transport's line end or padding after the last attribute */
        size_t t = off;
        while(t < n && n - off < 11 &&
              (p[t] == '\r' || p[t] == '\n' || p[t] == 0 || p[t] == ' '))
            t++;
        if(t == n)
            break;
        /* level, id, length, data, checksum */
        if(n - off < 11 || le32(p + off + 5) > n - off - 11 ||
           (p[off] != LVL_MESSAGE && p[off] != LVL_ATTACHMENT)) {
            st = TNEF_CORRUPT;
            if(bad)
                *bad = off;
            break;
        }
        uint8_t lvl = p[off];
        uint32_t id = le32(p + off + 1), len = le32(p + off + 5);
        const uint8_t *d = p + off + 9;
        off += 11 + (size_t)len;
        if(id == ATT_CODEPAGE && len >= 4 && codepage)
            *codepage = le32(d);
        if(lvl != LVL_ATTACHMENT)
            continue;
        /* an attachment starts at its rendering data (or, from a sloppy
         * writer, at whatever comes first) */
        if(id == ATT_RENDDATA || !cur) {
            if(cnt == max) {
                st = TNEF_LIMIT;
                break;
            }
            cur = &out[cnt++];
            memset(cur, 0, sizeof(*cur));
        }
        if(id == ATT_TITLE && !cur->long_name) {
            name8(cur->name, d, len);
        } else if(id == ATT_DATA) {
            cur->data = d;
            cur->len = len;
        } else if(id == ATT_MAPI && !mapi_props(d, len, cur)) {
            st = TNEF_CORRUPT;
            if(bad)
                *bad = (size_t)(d - p);
            /* the stream goes on: the next attribute's length is sound */
        }
    }
    *count = cnt;
    return st;
}

/* ---- the format -------------------------------------------------------- */

/* Whether s is valid UTF-8 (no overlong forms checked: names only). */
static bool utf8_ok(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    while(*u) {
        size_t k = *u < 0x80 ? 0 : (*u & 0xE0) == 0xC0 ? 1 :
                   (*u & 0xF0) == 0xE0 ? 2 : (*u & 0xF8) == 0xF0 ? 3 : 4;
        if(k == 4)
            return false;
        u++;
        for(; k; k--, u++)
            if((*u & 0xC0) != 0x80)
                return false;
    }
    return true;
}

/* An 8-bit name written in code page cp, as UTF-8, in place (bounded);
 * left as it is when it is UTF-8 already or iconv cannot read it (the
 * report escapes what is not UTF-8). */
static void name_to_utf8(char name[TNEF_NAME_MAX + 1], uint32_t cp)
{
    char from[24], out[TNEF_NAME_MAX + 1];
    if(!name[0] || !cp || utf8_ok(name) || cp == 65001)
        return;
    snprintf(from, sizeof(from), "CP%u", (unsigned)cp);
    iconv_t ic = iconv_open("UTF-8", from);
    if(ic == (iconv_t)-1)
        return;
    char *in = name, *o = out;
    size_t il = strlen(name), ol = sizeof(out) - 1;
    if(iconv(ic, &in, &il, &o, &ol) != (size_t)-1 && !il) {
        *o = '\0';
        memcpy(name, out, (size_t)(o - out) + 1);
    }
    iconv_close(ic);
}

static int tnef_probe(const uint8_t *p, size_t n)
{
    return tnef_head(p, n) ? PROBE_HEAD : PROBE_NO;
}

static bool tnef_container_head(const uint8_t *p, size_t n)
{
    return n >= 4 && le32(p) == TNEF_SIGNATURE;
}

static bool tnef_walk(struct kobj *obj)
{
    struct kctx *c = obj->ctx;
    struct tnef_file *v = calloc(TNEF_MAX, sizeof(*v));
    size_t cnt = 0, bad = 0;
    char nb[24];
    if(!v) {
        ctx_warn(c, obj->path, KENSA_ENOMEM, KMSG_OOM);
        return true;
    }
    uint32_t cp = 0;
    enum tnef_status st = tnef_read(obj->data, obj->len, v, TNEF_MAX, &cnt,
                                    &bad, &cp);
    if(st == TNEF_NOT) {
        free(v);
        return false;
    }
    if(st == TNEF_CORRUPT)
        ctx_warn(c, obj->path, KENSA_EFORMAT, KMSG_TNEF_CORRUPT,
                 kmsg_u64(nb, bad));
    else if(st == TNEF_LIMIT)
        ctx_warn(c, obj->path, KENSA_ELIMIT, KMSG_TNEF_LIMIT,
                 kmsg_u64(nb, TNEF_MAX));
    for(size_t i = 0; i < cnt; i++) {
        if(!v[i].data)
            continue;
        char name[MAIL_NAME_MAX + 1];
        name_to_utf8(v[i].name, cp);
        mail_clean_name(v[i].name, name);
        if(!name[0])
            snprintf(name, sizeof(name), "attachment[%zu]", i + 1);
        if(!ctx_count_entry(c, obj->path) ||
           !ctx_charge(c, obj->path, v[i].len))
            break;
        object_scan_child(obj, name, v[i].data, v[i].len);
    }
    free(v);
    return true;
}

const struct format format_tnef = {
    .name = "tnef",
    .probe = tnef_probe,
    .container_head = tnef_container_head,
    .walk = tnef_walk,
};
