/*
 * persist_log.c - a dirty registry hive brought up to date from its
 * transaction logs (persist_parse.h: pst_hive_replay), so that a value
 * Windows wrote to SOFTWARE.LOG1/.LOG2 but not yet to SOFTWARE is seen.
 * libregf reads the primary file only.
 *
 * The new log format (Windows 8.1 and later, file type 6): a copy of the
 * base block in the first 512 bytes, then log entries at 512-byte
 * boundaries: "HvLE", size, flags, sequence number, hive bins data size,
 * dirty page count, two Marvin32 hashes (of the references and pages, and
 * of the entry's first 32 bytes), then the page references (offset and
 * size in the hive bins data) and the pages.  A hive is dirty when its
 * base block's two sequence numbers differ; entries whose sequence number
 * is the secondary one or later are applied in order, each checked whole
 * (hashes, sizes, references within the bins size) before any byte of it
 * is copied; a log stops at its first bad entry.  The old format (a DIRT
 * bitmap) is not read.  Pure: bytes in, a new buffer out, every length
 * checked, at most PST_LOG_ENTRIES entries and PST_HIVE_MAX bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "detect/persist_parse.h"

static uint32_t le32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t rotl(uint32_t x, unsigned r)
{
    return x << r | x >> (32 - r);
}

uint64_t pst_marvin32(const uint8_t *p, size_t n, uint64_t seed)
{
    uint32_t a = (uint32_t)seed, b = (uint32_t)(seed >> 32);
#define MIX() do { b ^= a; a = rotl(a, 20); a += b; b = rotl(b, 9); \
                   b ^= a; a = rotl(a, 27); a += b; b = rotl(b, 19); } while(0)
    for(; n >= 4; p += 4, n -= 4) {
        a += le32(p);
        MIX();
    }
    uint32_t fin = 0x80;
    for(size_t i = n; i-- > 0;)
        fin = fin << 8 | p[i];
    a += fin;
    MIX();
    MIX();
#undef MIX
    return (uint64_t)b << 32 | a;
}

/* The hive seed of the log hashes. */
#define LOG_SEED 0xC5554E7A884DEF82ull

static uint32_t base_checksum(const uint8_t *p)
{
    uint32_t x = 0;
    for(size_t i = 0; i < 0x1FC; i += 4)
        x ^= le32(p + i);
    if(x == 0xFFFFFFFFu)
        x = 0xFFFFFFFEu;
    else if(x == 0)
        x = 1;
    return x;
}

struct lent {
    const uint8_t *p;   /* the entry */
    uint32_t size, seq, bins, count;
};

/* Whether the entry at p (left bytes there) is whole and its hashes
 * right; *e filled. */
static bool entry_ok(const uint8_t *p, size_t left, struct lent *e)
{
    if(left < 512 || memcmp(p, "HvLE", 4))
        return false;
    e->p = p;
    e->size = le32(p + 4);
    e->seq = le32(p + 12);
    e->bins = le32(p + 16);
    e->count = le32(p + 20);
    if(e->size < 40 || e->size % 512 || e->size > left || e->bins % 4096 ||
       e->bins > PST_HIVE_MAX - 4096 ||
       e->count > (e->size - 40) / 8)
        return false;
    uint64_t h1 = le32(p + 24) | (uint64_t)le32(p + 28) << 32;
    uint64_t h2 = le32(p + 32) | (uint64_t)le32(p + 36) << 32;
    if(pst_marvin32(p + 40, e->size - 40, LOG_SEED) != h1 ||
       pst_marvin32(p, 32, LOG_SEED) != h2)
        return false;
    /* the references and the pages they describe, inside the entry and
     * the bins size */
    uint64_t data = 40 + (uint64_t)e->count * 8;
    for(uint32_t i = 0; i < e->count; i++) {
        uint32_t off = le32(p + 40 + 8 * i), sz = le32(p + 44 + 8 * i);
        if((uint64_t)off + sz > e->bins || sz > e->size - data)
            return false;
        data += sz;
    }
    return true;
}

static int by_seq(const void *x, const void *y)
{
    const struct lent *a = x, *b = y;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

uint8_t *pst_hive_replay(const uint8_t *h, size_t n, const uint8_t *const *logs,
                         const size_t *lens, size_t nlogs, size_t *outn,
                         unsigned *applied)
{
    *outn = 0;
    *applied = 0;
    if(!h || n < 4096 || memcmp(h, "regf", 4) || n > PST_HIVE_MAX)
        return NULL;
    uint32_t seq1 = le32(h + 4), seq2 = le32(h + 8);
    if(seq1 == seq2 || base_checksum(h) != le32(h + 0x1FC))
        return NULL;   /* clean; or its base block needs recovering */
    struct lent *ents = malloc(PST_LOG_ENTRIES * sizeof(*ents));
    size_t ne = 0;
    if(!ents)
        return NULL;
    for(size_t l = 0; l < nlogs; l++) {
        const uint8_t *p = logs[l];
        size_t ln = lens[l];
        if(!p || ln < 1024 || memcmp(p, "regf", 4) || le32(p + 0x1C) != 6)
            continue;   /* not a new-format log */
        for(size_t off = 512; off < ln && ne < PST_LOG_ENTRIES;) {
            struct lent e;
            if(!entry_ok(p + off, ln - off, &e))
                break;
            if(e.seq - seq2 < 0x80000000u)   /* seq2 or later, wrapping */
                ents[ne++] = e;
            off += e.size;
        }
    }
    qsort(ents, ne, sizeof(*ents), by_seq);
    /* from seq2 on, without a gap (a missing entry ends the replay) */
    size_t take = 0;
    uint32_t want = seq2, bins = le32(h + 0x28);
    for(size_t i = 0; i < ne; i++) {
        if(ents[i].seq == want - 1 && take)
            continue;   /* the same entry in both logs */
        if(ents[i].seq != want)
            break;
        ents[take++] = ents[i];
        if(ents[i].bins > bins)
            bins = ents[i].bins;
        want++;
    }
    uint8_t *out = NULL;
    size_t size = 4096 + (size_t)bins;
    if(!take || bins > PST_HIVE_MAX - 4096 || !(out = calloc(1, size))) {
        free(ents);
        return NULL;
    }
    memcpy(out, h, n < size ? n : size);
    for(size_t i = 0; i < take; i++) {
        const struct lent *e = &ents[i];
        const uint8_t *pg = e->p + 40 + (size_t)e->count * 8;
        for(uint32_t k = 0; k < e->count; k++) {
            uint32_t off = le32(e->p + 40 + 8 * k);
            uint32_t sz = le32(e->p + 44 + 8 * k);
            memcpy(out + 4096 + off, pg, sz);
            pg += sz;
        }
    }
    /* a clean base block: both sequence numbers the last entry's, the
     * bins size, the checksum */
    put32(out + 4, want - 1);
    put32(out + 8, want - 1);
    put32(out + 0x28, bins);
    put32(out + 0x1FC, base_checksum(out));
    *outn = size;
    *applied = (unsigned)take;
    free(ents);
    return out;
}
