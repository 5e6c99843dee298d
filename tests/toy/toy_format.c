/*
 * toy_format.c - the smallest container format, for tests/cli/registry.bats:
 * "TOYC", then members, each a name length (1 byte), the name, a data
 * length (4 bytes, little-endian) and the data.  Each member is scanned
 * as a child object.  The test copies it to lib/formats/toyfmt.c and adds
 * FORMAT(toyfmt) to the registry; it uses nothing but the engine's
 * internal API (core/engine.h).
 */
#include <string.h>

#include "core/engine.h"

static int toy_probe(const uint8_t *p, size_t n)
{
    return n >= 4 && !memcmp(p, "TOYC", 4) ? PROBE_HEAD : PROBE_NO;
}

static bool toy_head(const uint8_t *p, size_t n)
{
    return toy_probe(p, n) == PROBE_HEAD;
}

static bool toy_walk(struct kobj *obj)
{
    const uint8_t *p = obj->data;
    size_t n = obj->len, off = 4;
    unsigned members = 0;
    while(off < n) {
        char name[256];
        size_t nl = p[off], dl;
        if(n - off - 1 < nl + 4)
            break;
        memcpy(name, p + off + 1, nl);
        name[nl] = 0;
        off += 1 + nl;
        dl = (size_t)p[off] | (size_t)p[off + 1] << 8 |
             (size_t)p[off + 2] << 16 | (size_t)p[off + 3] << 24;
        off += 4;
        if(dl > n - off)
            break;
        if(!ctx_count_entry(obj->ctx, obj->path))
            return true;
        object_scan_child(obj, name, p + off, dl);
        off += dl;
        members++;
    }
    if(off < n) {
        if(!members)
            return false;   /* "TOYC" and then nothing of ours: not a toy */
        ctx_warn(obj->ctx, obj->path, KENSA_EFORMAT, KMSG_MEMBER_TRUNCATED,
                 "toy");
    }
    return true;
}

const struct format format_toyfmt = {
    .name = "toyfmt",
    .probe = toy_probe,
    .container_head = toy_head,
    .walk = toy_walk,
};
