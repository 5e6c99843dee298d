/*
 * classfile.c - constant-pool reader for Java class files (classfile.h).
 *
 * The layout is JVMS chapter 4: magic, versions, a constant pool of
 * count-1 entries (Long and Double take two slots), then access flags,
 * this_class and super_class as pool indexes.  Every read is checked.
 */
#define _GNU_SOURCE
#include "formats/classfile.h"

#include <stdlib.h>
#include <string.h>

struct slot {
    uint8_t tag;
    uint16_t a;           /* Class: name index */
    struct cf_str s;      /* Utf8 */
};

static bool rd16(const uint8_t *p, size_t n, size_t off, uint16_t *v)
{
    if(off > n || n - off < 2)
        return false;
    *v = (uint16_t)(p[off] << 8 | p[off + 1]);
    return true;
}

static struct cf_str class_name(const struct slot *pool, uint16_t count,
                                uint16_t idx)
{
    struct cf_str none = { NULL, 0 };
    if(!idx || idx >= count || pool[idx].tag != 7)
        return none;
    uint16_t ni = pool[idx].a;
    if(!ni || ni >= count || pool[ni].tag != 1)
        return none;
    return pool[ni].s;
}

enum kensa_err classfile_parse(struct classfile *cf, const uint8_t *p,
                               size_t n)
{
    enum kensa_err rc = KENSA_EFORMAT;
    struct slot *pool = NULL;
    uint16_t count, major;
    size_t off = 10, nutf = 0;

    memset(cf, 0, sizeof(*cf));
    if(n < 10 || memcmp(p, "\xca\xfe\xba\xbe", 4) || !rd16(p, n, 6, &major) ||
       !rd16(p, n, 8, &count) || count == 0)
        return KENSA_EFORMAT;
    pool = calloc(count, sizeof(*pool));
    cf->utf8 = calloc(count, sizeof(*cf->utf8));
    if(!pool || !cf->utf8) {
        rc = KENSA_ENOMEM;
        goto out;
    }
    for(uint16_t i = 1; i < count; i++) {
        if(off >= n)
            goto out;
        uint8_t tag = p[off++];
        uint16_t v;
        pool[i].tag = tag;
        switch(tag) {
        case 1: /* Utf8 */
            if(!rd16(p, n, off, &v) || n - off - 2 < v)
                goto out;
            pool[i].s.p = p + off + 2;
            pool[i].s.len = v;
            cf->utf8[nutf++] = pool[i].s;
            off += 2 + (size_t)v;
            break;
        case 7: case 8: case 16: case 19: case 20: /* Class, String, ... */
            if(!rd16(p, n, off, &v))
                goto out;
            pool[i].a = v;
            off += 2;
            break;
        case 15: /* MethodHandle */
            off += 3;
            break;
        case 3: case 4: case 9: case 10: case 11: case 12: case 17: case 18:
            off += 4;
            break;
        case 5: case 6: /* Long, Double: two slots */
            off += 8;
            i++;
            break;
        default:
            goto out;
        }
        if(off > n)
            goto out;
    }
    uint16_t this_idx, super_idx;
    if(!rd16(p, n, off + 2, &this_idx) || !rd16(p, n, off + 4, &super_idx))
        goto out;
    cf->this_class = class_name(pool, count, this_idx);
    cf->super_class = class_name(pool, count, super_idx);
    if(!cf->this_class.p)
        goto out;
    cf->major = major;
    cf->n_utf8 = nutf;
    rc = KENSA_OK;
out:
    free(pool);
    if(rc)
        classfile_free(cf);
    return rc;
}

void classfile_free(struct classfile *cf)
{
    free(cf->utf8);
    cf->utf8 = NULL;
    cf->n_utf8 = 0;
}

bool classfile_has(const struct classfile *cf, const char *s)
{
    size_t l = strlen(s);
    for(size_t i = 0; i < cf->n_utf8; i++) {
        if(cf->utf8[i].len == l && !memcmp(cf->utf8[i].p, s, l))
            return true;
    }
    return false;
}

bool classfile_contains(const struct classfile *cf, const char *s)
{
    size_t l = strlen(s);
    for(size_t i = 0; i < cf->n_utf8; i++) {
        if(cf->utf8[i].len >= l &&
           memmem(cf->utf8[i].p, cf->utf8[i].len, s, l))
            return true;
    }
    return false;
}

bool cf_str_ends(struct cf_str str, const char *suffix)
{
    size_t l = strlen(suffix);
    return str.p && str.len >= l && !memcmp(str.p + str.len - l, suffix, l);
}
