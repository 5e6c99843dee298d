/*
 * cfb.c - the OLE2 Compound File Binary reader of cfb.h ([MS-CFB]).
 *
 * Written by hand (docs/DESIGN.md, "Office documents: what is read by
 * hand and why").  cfb_open() reads the header, gathers the FAT sector
 * numbers (the 109 in the header, then the DIFAT chain), builds the FAT
 * covering the sectors the file really has, follows the directory chain,
 * the mini FAT chain and the root's mini stream chain, then walks the
 * red-black trees of the directory from the root (an explicit stack, a
 * visited bit per entry and a depth cap: a cycle or a shared subtree is
 * read once).  Every chain is followed at most as many steps as the file
 * has sectors, so a loop costs one pass.  Entries are kept in tree order
 * with their UTF-8 name and path; streams are read on demand.
 */
#include <stdlib.h>
#include <string.h>

#include "office/cfb.h"

#define ENDOFCHAIN 0xFFFFFFFEu
#define FREESECT   0xFFFFFFFFu
#define NOSTREAM   0xFFFFFFFFu
#define MINI_SIZE  64u
#define DIRENT     128u

#define DEF_ENTRIES 65536u
#define DEF_DEPTH   32u

struct cfb {
    const uint8_t *p;
    size_t n;
    unsigned shift;           /* 9 or 12 */
    size_t ssz;               /* sector size */
    uint32_t nsec;            /* sectors (partly) present after the header */
    uint32_t *fat;            /* nsec entries */
    uint32_t *minifat;
    uint32_t nminifat;
    uint32_t *ministream;     /* the root's sectors, in order */
    uint32_t nministream;
    uint64_t ministream_size;
    uint32_t cutoff;
    struct cfb_entry *e;      /* kept entries, tree order */
    uint32_t *start;          /* their start sectors */
    size_t count;
};

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* Sector s's bytes present in the file (the last may be short). */
static const uint8_t *sector(const struct cfb *c, uint32_t s, size_t *len)
{
    if(s >= c->nsec)
        return NULL;
    size_t off = ((size_t)s + 1) << c->shift;
    size_t left = c->n - off;
    *len = left < c->ssz ? left : c->ssz;
    return c->p + off;
}

/*
 * The sectors of the chain from `first` into a new array (*out, *nout):
 * at most `max` of them (0: as many as the file has).  A chain that
 * leaves the file or loops ends the list: *broken says so.
 */
static enum kensa_err chain(const struct cfb *c, const uint32_t *fat,
                            uint32_t nfat, uint32_t first, uint32_t max,
                            uint32_t **out, uint32_t *nout, bool *broken)
{
    *out = NULL;
    *nout = 0;
    *broken = false;
    if(!max || max > c->nsec)
        max = c->nsec;
    uint32_t *v = NULL;
    size_t cap = 0, k = 0;
    uint32_t s = first;
    while(s != ENDOFCHAIN && k < max) {
        if(s >= nfat || s >= c->nsec) {
            *broken = true;
            break;
        }
        uint32_t *g = array_grow(v, &cap, k, sizeof(*v), 16);
        if(!g) {
            free(v);
            return KENSA_ENOMEM;
        }
        v = g;
        v[k++] = s;
        s = fat[s];
    }
    /* more steps than sectors: a loop */
    if(s != ENDOFCHAIN && k == c->nsec)
        *broken = true;
    *out = v;
    *nout = (uint32_t)k;
    return KENSA_OK;
}

/* FAT sector `fs` as the k-th part of the FAT; false when not in the
 * file. */
static bool fat_sector(struct cfb *c, uint32_t fs, size_t k)
{
    size_t len, per = c->ssz / 4;
    const uint8_t *sp = sector(c, fs, &len);
    if(!sp)
        return false;
    for(size_t j = 0; j + 4 <= len && k * per + j / 4 < c->nsec; j += 4)
        c->fat[k * per + j / 4] = rd32(sp + j);
    return true;
}

/* The FAT: the header's 109 sector numbers then the DIFAT chain. */
static enum kensa_err build_fat(struct cfb *c)
{
    const uint8_t *h = c->p;
    size_t per = c->ssz / 4;
    /* FAT sectors needed to describe every sector of the file */
    size_t need = (c->nsec + per - 1) / per;
    if(!need)
        need = 1;
    c->fat = malloc((size_t)c->nsec * sizeof(uint32_t) + 4);
    if(!c->fat)
        return KENSA_ENOMEM;
    for(uint32_t i = 0; i < c->nsec; i++)
        c->fat[i] = FREESECT;
    size_t got = 0;
    uint32_t fs;
    for(size_t i = 0; i < 109 && got < need; i++) {
        fs = rd32(h + 0x4C + 4 * i);
        if(fs == FREESECT || fs == ENDOFCHAIN)
            continue;
        (void)fat_sector(c, fs, got++);   /* cut off: its part stays free */
    }
    uint32_t d = rd32(h + 0x44);
    for(uint32_t steps = 0; got < need && d < c->nsec && steps < c->nsec;
        steps++) {
        size_t len;
        const uint8_t *dp = sector(c, d, &len);
        if(!dp || len < c->ssz)
            break;
        for(size_t i = 0; i + 1 < per && got < need; i++) {
            fs = rd32(dp + 4 * i);
            if(fs == FREESECT || fs == ENDOFCHAIN)
                continue;
            (void)fat_sector(c, fs, got++);
        }
        d = rd32(dp + c->ssz - 4);
    }
    return got ? KENSA_OK : KENSA_EFORMAT;
}

/* UTF-16LE name (cch units) to a new UTF-8 string; bad units: U+FFFD. */
static char *name_utf8(const uint8_t *p, size_t units)
{
    char *s = malloc(units * 3 + 1);
    if(!s)
        return NULL;
    size_t k = 0;
    for(size_t i = 0; i < units; i++) {
        uint32_t u = rd16(p + 2 * i);
        if(u >= 0xD800 && u < 0xDC00 && i + 1 < units) {
            uint32_t lo = rd16(p + 2 * i + 2);
            if(lo >= 0xDC00 && lo < 0xE000) {
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                i++;
            }
        }
        if(u >= 0xD800 && u < 0xE000)
            u = 0xFFFD;
        if(u < 0x80) {
            s[k++] = (char)u;
        } else if(u < 0x800) {
            s[k++] = (char)(0xC0 | u >> 6);
            s[k++] = (char)(0x80 | (u & 0x3F));
        } else if(u < 0x10000) {
            s[k++] = (char)(0xE0 | u >> 12);
            s[k++] = (char)(0x80 | (u >> 6 & 0x3F));
            s[k++] = (char)(0x80 | (u & 0x3F));
        } else {   /* a pair: 4 bytes for 2 units */
            s[k++] = (char)(0xF0 | u >> 18);
            s[k++] = (char)(0x80 | (u >> 12 & 0x3F));
            s[k++] = (char)(0x80 | (u >> 6 & 0x3F));
            s[k++] = (char)(0x80 | (u & 0x3F));
        }
    }
    s[k] = 0;
    return s;
}

struct walkst {
    uint32_t id;        /* directory entry */
    size_t parent;      /* kept index of its storage */
    uint32_t depth;
};

/* Add directory entry `d` (raw bytes) under kept entry `parent`. */
static enum kensa_err keep(struct cfb *c, const uint8_t *d, size_t parent,
                           uint64_t file_bytes, bool v3, size_t *cap)
{
    unsigned nl = rd16(d + 0x40);
    if(nl > 64 || nl & 1)
        nl = 64;
    size_t units = nl / 2;
    while(units && !rd16(d + 2 * (units - 1)))
        units--;
    struct cfb_entry *g = array_grow(c->e, cap, c->count, sizeof(*c->e), 32);
    if(!g)
        return KENSA_ENOMEM;
    c->e = g;
    uint32_t *st = realloc(c->start, *cap * sizeof(uint32_t));
    if(!st)
        return KENSA_ENOMEM;
    c->start = st;
    struct cfb_entry *e = &c->e[c->count];
    memset(e, 0, sizeof(*e));
    char *name = name_utf8(d, units);
    if(!name)
        return KENSA_ENOMEM;
    e->name = name;
    e->type = d[0x42] == CFB_ROOT ? CFB_ROOT :
              d[0x42] == CFB_STORAGE ? CFB_STORAGE : CFB_STREAM;
    memcpy(e->clsid, d + 0x50, 16);
    uint64_t size = rd32(d + 0x78);
    if(!v3)
        size |= (uint64_t)rd32(d + 0x7C) << 32;
    c->start[c->count] = rd32(d + 0x74);
    if(e->type == CFB_STREAM) {
        uint64_t room = size < c->cutoff ? c->ministream_size : file_bytes;
        if(size > room)
            size = room;
    }
    e->size = e->type == CFB_STORAGE ? 0 : size;
    e->parent = e->type == CFB_ROOT ? c->count : parent;
    const char *pp = e->type == CFB_ROOT ? NULL : c->e[parent].path;
    size_t pl = pp ? strlen(pp) : 0;
    char *path = malloc(pl + strlen(name) + 2);
    if(!path) {
        free(name);
        return KENSA_ENOMEM;
    }
    size_t k = 0;
    if(pl) {
        memcpy(path, pp, pl);
        path[pl] = '/';
        k = pl + 1;
    }
    if(e->type == CFB_ROOT)
        path[0] = 0;
    else
        memcpy(path + k, name, strlen(name) + 1);
    e->path = path;
    c->count++;
    return KENSA_OK;
}

/* Walk the trees from the root: each storage's children in order. */
static enum kensa_err walk_tree(struct cfb *c, const uint8_t *dir,
                                uint32_t ndir, const struct cfb_limits *lim,
                                bool v3)
{
    uint32_t max_e = lim && lim->max_entries ? lim->max_entries : DEF_ENTRIES;
    uint32_t max_d = lim && lim->max_depth ? lim->max_depth : DEF_DEPTH;
    enum kensa_err rc = KENSA_OK;
    uint8_t *seen = calloc(ndir ? ndir : 1, 1);
    /* a stack of (entry, parent, depth); every entry pushed at most once
     * thanks to `seen`, so ndir + 1 slots suffice */
    struct walkst *stk = malloc(((size_t)ndir + 1) * sizeof(*stk));
    size_t cap = 0, sp = 0;
    if(!seen || !stk) {
        rc = KENSA_ENOMEM;
        goto out;
    }
    seen[0] = 1;
    rc = keep(c, dir, 0, c->n, v3, &cap);
    if(rc)
        goto out;
    /* pre-order over each storage's red-black tree (node, left, right),
     * a storage's own children pushed last so they come right after it */
    uint32_t child = rd32(dir + 0x4C);
    if(child < ndir && !seen[child]) {
        seen[child] = 1;
        stk[sp++] = (struct walkst){ child, 0, 1 };
    }
    while(sp) {
        struct walkst w = stk[--sp];
        const uint8_t *d = dir + (size_t)w.id * DIRENT;
        uint8_t t = d[0x42];
        uint32_t l = rd32(d + 0x44), r = rd32(d + 0x48), ch = rd32(d + 0x4C);
        if(r < ndir && !seen[r]) {
            seen[r] = 1;
            stk[sp++] = (struct walkst){ r, w.parent, w.depth };
        }
        if(l < ndir && !seen[l]) {
            seen[l] = 1;
            stk[sp++] = (struct walkst){ l, w.parent, w.depth };
        }
        if(t != CFB_STORAGE && t != CFB_STREAM)
            continue;   /* empty or bad: skipped, its siblings kept */
        if(c->count >= max_e) {
            rc = KENSA_ELIMIT;
            goto out;
        }
        size_t me = c->count;
        rc = keep(c, d, w.parent, c->n, v3, &cap);
        if(rc)
            goto out;
        if(t == CFB_STORAGE && ch < ndir && !seen[ch]) {
            if(w.depth + 1 > max_d) {
                rc = KENSA_ELIMIT;
                goto out;
            }
            seen[ch] = 1;
            stk[sp++] = (struct walkst){ ch, me, w.depth + 1 };
        }
    }
out:
    free(seen);
    free(stk);
    return rc;
}

/* The bytes of the sectors v[0..nv) in a new buffer. */
static enum kensa_err read_chain_bytes(const struct cfb *c, const uint32_t *v,
                                       uint32_t nv, uint8_t **bytes,
                                       size_t *len)
{
    size_t total = (size_t)nv << c->shift;
    uint8_t *b = malloc(total ? total : 1);
    if(!b)
        return KENSA_ENOMEM;
    size_t k = 0;
    for(uint32_t i = 0; i < nv; i++) {
        size_t sl = 0;
        const uint8_t *sp = sector(c, v[i], &sl);
        if(sp)   /* chain() gave sectors of the file only */
            memcpy(b + k, sp, sl);
        k += sl;
    }
    *bytes = b;
    *len = k;
    return KENSA_OK;
}

/*
 * The header, the FAT and the directory's bytes of p[0..n) into c (a
 * zeroed struct) and *dir (a new buffer, *dirlen bytes, whole entries or
 * not).  KENSA_EFORMAT when the header or the directory chain do not
 * hold.  `lenient`: a sector shift that is neither 9 nor 12 is taken
 * from the version (4: 12, else 9) instead of refused.
 */
static enum kensa_err load_dir(struct cfb *c, const uint8_t *p, size_t n,
                               bool lenient, uint8_t **dir, size_t *dirlen)
{
    uint32_t *dirv = NULL, ndirv = 0;
    bool broken;
    enum kensa_err rc;
    *dir = NULL;
    *dirlen = 0;
    if(n < 512 || memcmp(p, CFB_MAGIC, 8))
        return KENSA_EFORMAT;
    uint16_t shift = rd16(p + 0x1E);
    if(rd16(p + 0x1C) != 0xFFFE || rd16(p + 0x20) != 6)
        return KENSA_EFORMAT;
    /* the version and the sector size go together, but writers mix them:
     * the sector shift decides */
    if(shift != 9 && shift != 12 && lenient)
        shift = rd16(p + 0x1A) == 4 ? 12 : 9;
    if(shift != 9 && shift != 12)
        return KENSA_EFORMAT;
    c->p = p;
    c->n = n;
    c->shift = shift;
    c->ssz = (size_t)1 << shift;
    if(n <= c->ssz)
        return KENSA_EFORMAT;
    size_t ns = (n - c->ssz + c->ssz - 1) >> shift;
    c->nsec = ns > 0xFFFFFFF0u ? 0xFFFFFFF0u : (uint32_t)ns;
    c->cutoff = 4096;
    rc = build_fat(c);
    if(!rc)
        rc = chain(c, c->fat, c->nsec, rd32(p + 0x30), 0, &dirv, &ndirv,
                   &broken);
    if(!rc && !ndirv)
        rc = KENSA_EFORMAT;
    if(!rc)
        rc = read_chain_bytes(c, dirv, ndirv, dir, dirlen);
    free(dirv);
    return rc;
}

enum kensa_err cfb_names(const uint8_t *p, size_t n,
                         bool (*fn)(const char *name, void *arg), void *arg)
{
    struct cfb c = { 0 };
    uint8_t *dir;
    size_t dirlen;
    enum kensa_err rc = load_dir(&c, p, n, true, &dir, &dirlen);
    for(size_t off = 0; !rc && off + DIRENT <= dirlen &&
        off / DIRENT < DEF_ENTRIES; off += DIRENT) {
        const uint8_t *d = dir + off;
        unsigned nl = rd16(d + 0x40);
        if((d[0x42] != CFB_STORAGE && d[0x42] != CFB_STREAM &&
            d[0x42] != CFB_ROOT) || nl < 2 || nl > 64 || nl & 1)
            continue;
        char *name = name_utf8(d, nl / 2 - 1);
        if(!name) {
            rc = KENSA_ENOMEM;
            break;
        }
        bool more = fn(name, arg);
        free(name);
        if(!more)
            break;
    }
    free(dir);
    free(c.fat);
    return rc;
}

enum kensa_err cfb_open(struct cfb **out, const uint8_t *p, size_t n,
                        const struct cfb_limits *lim)
{
    *out = NULL;
    struct cfb *c = calloc(1, sizeof(*c));
    if(!c)
        return KENSA_ENOMEM;
    uint8_t *dir = NULL;
    size_t dirlen = 0;
    bool broken;
    enum kensa_err rc = load_dir(c, p, n, false, &dir, &dirlen);
    if(rc)
        goto out;
    unsigned shift = c->shift;
    uint32_t ndir = (uint32_t)(dirlen / DIRENT);
    if(!ndir || dir[0x42] != CFB_ROOT) {
        rc = KENSA_EFORMAT;
        goto out;
    }
    /* the mini FAT (as entries) and the mini stream (the root's chain) */
    uint32_t *mfv = NULL, nmfv = 0;
    rc = chain(c, c->fat, c->nsec, rd32(p + 0x3C), 0, &mfv, &nmfv, &broken);
    if(rc)
        goto out;
    if(nmfv) {
        uint8_t *mf;
        size_t mfl;
        rc = read_chain_bytes(c, mfv, nmfv, &mf, &mfl);
        free(mfv);
        if(rc)
            goto out;
        c->nminifat = (uint32_t)(mfl / 4);
        c->minifat = malloc((size_t)c->nminifat * 4 + 4);
        if(!c->minifat) {
            free(mf);
            rc = KENSA_ENOMEM;
            goto out;
        }
        for(uint32_t i = 0; i < c->nminifat; i++)
            c->minifat[i] = rd32(mf + 4 * i);
        free(mf);
    } else {
        free(mfv);
    }
    uint64_t rsize = rd32(dir + 0x78);
    if(shift == 12)
        rsize |= (uint64_t)rd32(dir + 0x7C) << 32;
    uint32_t rneed = (uint32_t)((rsize + c->ssz - 1) >> shift);
    if(rsize && c->nminifat) {
        rc = chain(c, c->fat, c->nsec, rd32(dir + 0x74),
                   rneed ? rneed : 1, &c->ministream, &c->nministream,
                   &broken);
        if(rc)
            goto out;
        uint64_t have = (uint64_t)c->nministream << shift;
        c->ministream_size = rsize < have ? rsize : have;
    }
    rc = walk_tree(c, dir, ndir, lim, shift == 9);
out:
    free(dir);
    if(rc) {
        cfb_free(c);
        return rc;
    }
    *out = c;
    return KENSA_OK;
}

void cfb_free(struct cfb *c)
{
    if(!c)
        return;
    for(size_t i = 0; i < c->count; i++) {
        free((char *)c->e[i].name);
        free((char *)c->e[i].path);
    }
    free(c->e);
    free(c->start);
    free(c->fat);
    free(c->minifat);
    free(c->ministream);
    free(c);
}

size_t cfb_count(const struct cfb *c)
{
    return c ? c->count : 0;
}

const struct cfb_entry *cfb_entry(const struct cfb *c, size_t i)
{
    return c && i < c->count ? &c->e[i] : NULL;
}

static int lc(int ch)
{
    return ch >= 'A' && ch <= 'Z' ? ch + 32 : ch;
}

/* name == comp[0..k), ASCII case folded */
static bool same_name(const char *name, const char *comp, size_t k)
{
    for(size_t i = 0; i < k; i++)
        if(!name[i] ||
           lc((unsigned char)name[i]) != lc((unsigned char)comp[i]))
            return false;
    return !name[k];
}

long cfb_find(const struct cfb *c, long under, const char *path)
{
    if(!c || !c->count)
        return -1;
    size_t cur = under < 0 ? 0 : (size_t)under;
    if(cur >= c->count)
        return -1;
    while(*path) {
        const char *sl = strchr(path, '/');
        size_t k = sl ? (size_t)(sl - path) : strlen(path);
        if(k) {
            size_t i;
            for(i = 1; i < c->count; i++)
                if(c->e[i].parent == cur && i != cur &&
                   same_name(c->e[i].name, path, k))
                    break;
            if(i == c->count)
                return -1;
            cur = i;
        }
        path += k + (sl ? 1 : 0);
    }
    return (long)cur;
}

enum kensa_err cfb_read(const struct cfb *c, size_t i, struct buf *out)
{
    if(!c || i >= c->count || c->e[i].type != CFB_STREAM)
        return KENSA_EINVAL;
    uint64_t size = c->e[i].size;
    if(!size)
        return KENSA_OK;
    size_t room = out->max > out->len ? out->max - out->len : 0;
    bool cut = size > room;
    size_t want = cut ? room : (size_t)size;
    uint32_t s = c->start[i];
    enum kensa_err rc = buf_reserve(out, want);
    if(rc)
        return rc;
    size_t got = 0;
    if(size < c->cutoff) {
        /* mini stream: 64-byte sectors inside the root's chain */
        for(uint32_t steps = 0; got < want; steps++) {
            if(s >= c->nminifat || steps > c->nminifat)
                return KENSA_EFORMAT;
            uint64_t off = (uint64_t)s * MINI_SIZE;
            size_t k = want - got < MINI_SIZE ? want - got : MINI_SIZE;
            if(off + k > c->ministream_size)
                return KENSA_EFORMAT;
            uint32_t sec = (uint32_t)(off >> c->shift);
            size_t in = (size_t)(off & (c->ssz - 1)), sl;
            const uint8_t *sp = sector(c, c->ministream[sec], &sl);
            if(!sp || in + k > sl)
                return KENSA_EFORMAT;
            buf_append(out, sp + in, k);
            got += k;
            s = c->minifat[s];
        }
    } else {
        for(uint32_t steps = 0; got < want; steps++) {
            size_t sl;
            const uint8_t *sp = steps < c->nsec ? sector(c, s, &sl) : NULL;
            if(!sp)
                return KENSA_EFORMAT;
            size_t k = want - got < sl ? want - got : sl;
            buf_append(out, sp, k);
            got += k;
            if(k < c->ssz && got < want)
                return KENSA_EFORMAT;
            s = c->fat[s];
        }
    }
    return cut ? KENSA_ELIMIT : KENSA_OK;
}
