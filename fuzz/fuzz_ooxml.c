/*
 * fuzz_ooxml.c - libFuzzer harness for the OOXML readers of the doc
 * detector (lib/detect/maldoc.c): content types, relationships (remote
 * templates, external targets), workbook defined names, XLM macro
 * sheets, DDE fields in document parts, external links.
 *
 * The input is split on NUL bytes into the parts below, stored (not
 * deflated) in a zip built here, and that zip is scanned by the engine
 * with only the doc detector on: the fuzzer spends its time in the XML
 * readers, not in inflating.  Seeds: fuzz/corpus/ooxml.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "kensa/kensa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const part_names[] = {
    "[Content_Types].xml", "_rels/.rels", "word/_rels/settings.xml.rels",
    "word/document.xml", "xl/workbook.xml", "xl/macrosheets/sheet1.xml",
    "xl/externalLinks/externalLink1.xml", "xl/_rels/workbook.xml.rels",
};
#define NPARTS (sizeof(part_names) / sizeof(part_names[0]))

static void le16(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
    le16(p, v & 0xFFFF);
    le16(p + 2, v >> 16);
}

/* A stored zip of the parts into z (room enough: the caller's). */
static size_t build(const uint8_t *const *pp, const size_t *pl, size_t np,
                    uint8_t *z)
{
    size_t off[NPARTS], o = 0;
    for(size_t i = 0; i < np; i++) {
        size_t nl = strlen(part_names[i]);
        uint32_t crc = (uint32_t)crc32(0, pp[i], (uInt)pl[i]);
        off[i] = o;
        memset(z + o, 0, 30);
        le32(z + o, 0x04034b50);
        le16(z + o + 4, 20);
        le32(z + o + 14, crc);
        le32(z + o + 18, (uint32_t)pl[i]);
        le32(z + o + 22, (uint32_t)pl[i]);
        le16(z + o + 26, nl);
        memcpy(z + o + 30, part_names[i], nl);
        memcpy(z + o + 30 + nl, pp[i], pl[i]);
        o += 30 + nl + pl[i];
    }
    size_t cd = o;
    for(size_t i = 0; i < np; i++) {
        size_t nl = strlen(part_names[i]);
        const uint8_t *lh = z + off[i];
        memset(z + o, 0, 46);
        le32(z + o, 0x02014b50);
        le16(z + o + 4, 20);
        le16(z + o + 6, 20);
        memcpy(z + o + 16, lh + 14, 12);    /* crc, sizes */
        le16(z + o + 28, nl);
        le32(z + o + 42, (uint32_t)off[i]);
        memcpy(z + o + 46, part_names[i], nl);
        o += 46 + nl;
    }
    memset(z + o, 0, 22);
    le32(z + o, 0x06054b50);
    le16(z + o + 8, np);
    le16(z + o + 10, np);
    le32(z + o + 12, (uint32_t)(o - cd));
    le32(z + o + 16, (uint32_t)cd);
    return o + 22;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *pp[NPARTS];
    size_t pl[NPARTS], np = 0, st = 0;
    if(size > (1u << 20))
        return 0;
    for(size_t i = 0; i <= size && np < NPARTS; i++) {
        if(i < size && data[i])
            continue;
        pp[np] = data + st;
        pl[np++] = i - st;
        st = i + 1;
    }
    uint8_t *z = malloc(size + NPARTS * (30 + 46 + 64) + 22);
    if(!z)
        return 0;
    size_t zn = build(pp, pl, np, z);
    struct kensa_options o;
    kensa_options_default(&o);
    o.threads = 1;
    o.detectors = KENSA_DETECT_DOC;
    o.limits.max_scansize = 8u << 20;
    o.limits.max_files = 200;
    o.limits.max_recursion = 4;
    o.limits.max_scantime_ms = 2000;
    struct kensa_scanner *s = kensa_scanner_new(&o, NULL);
    if(s) {
        (void)kensa_scanner_scan_buffer(s, "fuzz.xlsm", z, zn);
        kensa_scanner_free(s);
    }
    free(z);
    return 0;
}
