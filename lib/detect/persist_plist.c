/*
 * persist_plist.c - what a launchd property list launches (persist_parse.h):
 * Program, ProgramArguments, RunAtLoad, KeepAlive, Label and Disabled of
 * its top-level dictionary, from the XML form or the binary one.
 *
 * Both readers are written here, bounded, rather than taken from libplist
 * (Debian's libplist-dev ships no static archive for `make static`, and a
 * general reader builds whole object graphs we do not need):
 *  - XML: a tag scanner that tracks dict/array nesting (up to 64 levels,
 *    deeper is skipped), skips comments, processing instructions and
 *    DOCTYPE, and decodes the five entities and numeric references.  Only
 *    keys of the top-level dictionary count, so a decoy "Program" nested
 *    in another dictionary does not hide the real one.
 *  - binary ("bplist00"): the 32-byte trailer gives the offset table; the
 *    top object must be a dictionary; its values are read one level deep
 *    (strings, booleans, an array of strings).  Every offset and reference
 *    is checked against the file and the object count; counts are capped
 *    by what the file can hold; nothing recurses.
 */
#include <string.h>

#include "detect/persist_parse.h"

#define VAL_MAX PST_CMD_MAX
#define BTM_KEYS_MAX 64           /* keys looked at per dictionary */
#define BTM_OBJECTS_MAX 16384     /* $objects looked at */

/* What the top dictionary says, gathered before entries are added. */
struct launchd {
    char prog[VAL_MAX];
    size_t prog_n;
    char args[VAL_MAX];     /* ProgramArguments joined by spaces */
    size_t args_n;
    char arg0[VAL_MAX];
    size_t arg0_n;
    unsigned nargs;
    bool at_load, disabled, any;
};

static void put(char *d, size_t *dn, const char *s, size_t n)
{
    if(*dn + n > VAL_MAX - 1)
        n = VAL_MAX - 1 - *dn;
    memcpy(d + *dn, s, n);
    *dn += n;
}

/* One more ProgramArguments string. */
static void add_arg(struct launchd *L, const char *s, size_t n)
{
    if(L->nargs == 0) {
        L->arg0_n = 0;
        put(L->arg0, &L->arg0_n, s, n);
    } else {
        put(L->args, &L->args_n, " ", 1);
    }
    /* an argument with blanks is quoted so pst_judge keeps it whole */
    bool q = memchr(s, ' ', n) || memchr(s, '\t', n);
    if(q && !memchr(s, '"', n))
        put(L->args, &L->args_n, "\"", 1);
    put(L->args, &L->args_n, s, n);
    if(q && !memchr(s, '"', n))
        put(L->args, &L->args_n, "\"", 1);
    L->nargs++;
}

static void finish(const struct launchd *L, struct pst_list *out)
{
    out->disabled = L->disabled;
    unsigned fl = L->at_load ? PST_E_AT_LOAD : 0;
    if(L->prog_n)
        pst_add(out, L->nargs ? L->args : L->prog,
                L->nargs ? L->args_n : L->prog_n, L->prog, L->prog_n, 0, fl);
    else if(L->nargs)
        pst_add(out, L->args, L->args_n, L->arg0, L->arg0_n, 0, fl);
}

/* ---- XML --------------------------------------------------------------- */

static void utf8_put(char *d, size_t *dn, size_t cap, unsigned long c)
{
    char b[4];
    size_t n;
    if(c == 0 || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        c = 0xfffd;
    if(c < 0x80) {
        b[0] = (char)c;
        n = 1;
    } else if(c < 0x800) {
        b[0] = (char)(0xc0 | (c >> 6));
        b[1] = (char)(0x80 | (c & 0x3f));
        n = 2;
    } else if(c < 0x10000) {
        b[0] = (char)(0xe0 | (c >> 12));
        b[1] = (char)(0x80 | ((c >> 6) & 0x3f));
        b[2] = (char)(0x80 | (c & 0x3f));
        n = 3;
    } else {
        b[0] = (char)(0xf0 | (c >> 18));
        b[1] = (char)(0x80 | ((c >> 12) & 0x3f));
        b[2] = (char)(0x80 | ((c >> 6) & 0x3f));
        b[3] = (char)(0x80 | (c & 0x3f));
        n = 4;
    }
    if(*dn + n < cap) {
        memcpy(d + *dn, b, n);
        *dn += n;
    }
}

size_t pst_xml_text(const char *s, size_t n, char *d, size_t cap)
{
    static const struct { const char *e; char c; } ents[] = {
        { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
        { "&quot;", '"' }, { "&apos;", '\'' },
    };
    size_t o = 0;
    for(size_t i = 0; i < n && o + 1 < cap;) {
        if(s[i] == '&') {
            bool done = false;
            for(size_t k = 0; k < sizeof(ents) / sizeof(ents[0]); k++) {
                size_t l = strlen(ents[k].e);
                if(n - i >= l && !memcmp(s + i, ents[k].e, l)) {
                    d[o++] = ents[k].c;
                    i += l;
                    done = true;
                    break;
                }
            }
            if(done)
                continue;
            if(n - i > 3 && s[i + 1] == '#') {
                size_t j = i + 2;
                bool hex = j < n && (s[j] == 'x' || s[j] == 'X');
                unsigned long c = 0;
                j += hex;
                size_t digits = 0;
                while(j < n && digits < 8) {
                    char ch = s[j];
                    int v = ch >= '0' && ch <= '9' ? ch - '0' :
                            hex && ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 :
                            hex && ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
                    if(v < 0)
                        break;
                    c = c * (hex ? 16 : 10) + (unsigned long)v;
                    j++;
                    digits++;
                }
                if(digits && j < n && s[j] == ';') {
                    utf8_put(d, &o, cap, c);
                    i = j + 1;
                    continue;
                }
            }
        }
        d[o++] = s[i++];
    }
    d[o] = 0;
    return o;
}

static bool tag_is(const char *s, size_t n, const char *name)
{
    return strlen(name) == n && !memcmp(s, name, n);
}

static bool plist_xml(const char *p, size_t n, struct launchd *L,
                      char *label, size_t lcap)
{
    enum { K_NONE, K_PROGRAM, K_ARGS, K_LABEL, K_RUNATLOAD, K_KEEPALIVE,
           K_DISABLED, K_OTHER } key = K_NONE;
    char kind[64];           /* 'd' dict, 'a' array, by depth */
    int depth = 0;           /* open dicts and arrays */
    bool top_seen = false, in_args = false;
    char text[VAL_MAX];
    size_t i = 0;
    while(i < n) {
        const char *lt = memchr(p + i, '<', n - i);
        if(!lt)
            break;
        i = (size_t)(lt - p);
        if(n - i >= 4 && !memcmp(p + i, "<!--", 4)) {
            size_t j = i + 4;
            while(j + 3 <= n && memcmp(p + j, "-->", 3))
                j++;
            i = j + 3;
            continue;
        }
        const char *gt = memchr(p + i, '>', n - i);
        if(!gt)
            break;
        size_t te = (size_t)(gt - p);     /* '>' */
        if(p[i + 1] == '?' || p[i + 1] == '!') {
            i = te + 1;
            continue;
        }
        bool close = p[i + 1] == '/';
        size_t ns = i + 1 + close, ne = ns;
        while(ne < te && p[ne] != ' ' && p[ne] != '\t' && p[ne] != '\n' &&
              p[ne] != '\r' && p[ne] != '/')
            ne++;
        bool empty = te > i + 1 && p[te - 1] == '/';
        const char *name = p + ns;
        size_t nl = ne - ns;
        i = te + 1;
        if(tag_is(name, nl, "dict") || tag_is(name, nl, "array")) {
            if(close) {
                if(depth > 0)
                    depth--;
                if(depth == 1)
                    in_args = false;
                if(depth == 0 && top_seen)
                    return true;   /* the top dictionary ended */
                continue;
            }
            if(empty) {
                if(depth == 1 && key == K_KEEPALIVE && name[0] == 'd')
                    L->at_load = true;
                if(depth == 1)
                    key = K_NONE;
                continue;
            }
            if(depth == 0 && name[0] != 'd')
                return top_seen;   /* top object is no dictionary */
            if(depth == 0)
                top_seen = true;
            if(depth == 1) {
                if(key == K_ARGS && name[0] == 'a')
                    in_args = true;
                if(key == K_KEEPALIVE && name[0] == 'd')
                    L->at_load = true;   /* conditional keep-alive */
                key = K_NONE;
            }
            if(depth < (int)sizeof(kind))
                kind[depth] = name[0];
            depth++;
            continue;
        }
        if(close || depth == 0)
            continue;
        if(tag_is(name, nl, "true") || tag_is(name, nl, "false")) {
            bool t = name[0] == 't';
            if(depth == 1) {
                if(t && (key == K_RUNATLOAD || key == K_KEEPALIVE))
                    L->at_load = true;
                if(key == K_DISABLED)
                    L->disabled = t;
                key = K_NONE;
            }
            continue;
        }
        if(!tag_is(name, nl, "key") && !tag_is(name, nl, "string")) {
            if(depth == 1 && !empty)
                key = K_NONE;
            continue;
        }
        /* <key> or <string>: text up to the next '<' */
        size_t ts = i;
        const char *e = empty ? NULL : memchr(p + ts, '<', n - ts);
        size_t tn = empty ? 0 : e ? (size_t)(e - p) - ts : n - ts;
        size_t len = pst_xml_text(p + ts, tn, text, sizeof(text));
        if(!empty)
            i = ts + tn;
        if(tag_is(name, nl, "key")) {
            if(depth != 1)
                continue;
            key = !strcmp(text, "Program") ? K_PROGRAM :
                  !strcmp(text, "ProgramArguments") ? K_ARGS :
                  !strcmp(text, "Label") ? K_LABEL :
                  !strcmp(text, "RunAtLoad") ? K_RUNATLOAD :
                  !strcmp(text, "KeepAlive") ? K_KEEPALIVE :
                  !strcmp(text, "Disabled") ? K_DISABLED : K_OTHER;
            continue;
        }
        if(depth == 2 && in_args && depth - 1 < (int)sizeof(kind) &&
           kind[1] == 'a') {
            add_arg(L, text, len);
            L->any = true;
            continue;
        }
        if(depth == 1) {
            if(key == K_PROGRAM) {
                L->prog_n = 0;
                put(L->prog, &L->prog_n, text, len);
                L->any = true;
            } else if(key == K_LABEL) {
                size_t c = len < lcap - 1 ? len : lcap - 1;
                memcpy(label, text, c);
                label[c] = 0;
            }
            key = K_NONE;
        }
    }
    return top_seen;
}

/* ---- binary ------------------------------------------------------------ */

struct bpl {
    const uint8_t *p;
    size_t n;
    unsigned osz, rsz;      /* offset and reference sizes */
    uint64_t nobj, table;   /* object count, offset table offset */
};

static bool be(const uint8_t *p, size_t n, size_t off, unsigned sz,
               uint64_t *out)
{
    if(sz == 0 || sz > 8 || off > n || n - off < sz)
        return false;
    uint64_t v = 0;
    for(unsigned i = 0; i < sz; i++)
        v = v << 8 | p[off + i];
    *out = v;
    return true;
}

/* The offset of object `ref`, within the objects' area. */
static bool obj_off(const struct bpl *b, uint64_t ref, size_t *out)
{
    uint64_t o;
    if(ref >= b->nobj ||
       !be(b->p, b->n, (size_t)(b->table + ref * b->osz), b->osz, &o) ||
       o < 8 || o >= b->table)
        return false;
    *out = (size_t)o;
    return true;
}

/* The marker at off: type nibble, count (extended counts read), and
 * where the payload starts. */
static bool marker(const struct bpl *b, size_t off, unsigned *type,
                   uint64_t *count, size_t *data)
{
    if(off >= b->n)
        return false;
    uint8_t m = b->p[off];
    *type = m >> 4;
    *count = m & 0xf;
    *data = off + 1;
    if(*count == 0xf && *type != 0 && *type != 1 && *type != 2 &&
       *type != 3) {
        if(off + 1 >= b->n || (b->p[off + 1] >> 4) != 1)
            return false;
        unsigned sz = 1u << (b->p[off + 1] & 0xf);
        if(!be(b->p, b->n, off + 2, sz, count))
            return false;
        *data = off + 2 + sz;
    }
    return true;
}

/* Object `ref` as a UTF-8 string into d (cap), or false. */
static bool bstring(const struct bpl *b, uint64_t ref, char *d, size_t cap,
                    size_t *dn)
{
    size_t off, data;
    unsigned t;
    uint64_t c;
    *dn = 0;
    if(!obj_off(b, ref, &off) || !marker(b, off, &t, &c, &data))
        return false;
    if(t == 5 || t == 7) {       /* ASCII, UTF-8 */
        if(data > b->n || c > b->n - data)
            return false;
        size_t n = (size_t)c < cap - 1 ? (size_t)c : cap - 1;
        memcpy(d, b->p + data, n);
        d[n] = 0;
        const char *z = memchr(d, 0, n);
        *dn = z ? (size_t)(z - d) : n;
        return true;
    }
    if(t == 6) {                 /* UTF-16BE, c code units */
        if(data > b->n || c > (b->n - data) / 2)
            return false;
        size_t o = 0;
        for(uint64_t i = 0; i < c && o + 5 < cap; i++) {
            unsigned long u = (unsigned long)b->p[data + 2 * i] << 8 |
                              b->p[data + 2 * i + 1];
            if(u >= 0xd800 && u < 0xdc00 && i + 1 < c) {
                unsigned long l = (unsigned long)b->p[data + 2 * i + 2] << 8 |
                                  b->p[data + 2 * i + 3];
                if(l >= 0xdc00 && l < 0xe000) {
                    u = 0x10000 + ((u - 0xd800) << 10) + (l - 0xdc00);
                    i++;
                }
            }
            if(!u)
                break;
            utf8_put(d, &o, cap, u);
        }
        d[o] = 0;
        *dn = o;
        return true;
    }
    return false;
}

/* Open binary plist p[0..n): its trailer checked, its top object a
 * dictionary of cnt pairs whose key references start at *data. */
static bool bpl_open(struct bpl *b, const uint8_t *p, size_t n, size_t *data,
                     uint64_t *cnt)
{
    uint64_t top;
    size_t off;
    unsigned t;
    memset(b, 0, sizeof(*b));
    b->p = p;
    b->n = n;
    if(n < 8 + 32 || memcmp(p, "bplist00", 8))
        return false;
    size_t tr = n - 32;
    b->osz = p[tr + 6];
    b->rsz = p[tr + 7];
    if(!be(p, n, tr + 8, 8, &b->nobj) || !be(p, n, tr + 16, 8, &top) ||
       !be(p, n, tr + 24, 8, &b->table))
        return false;
    if(b->osz < 1 || b->osz > 8 || b->rsz < 1 || b->rsz > 8 ||
       b->table < 8 || b->table > tr || b->nobj == 0 ||
       b->nobj > (tr - b->table) / b->osz)
        return false;
    return obj_off(b, top, &off) && marker(b, off, &t, cnt, data) &&
           t == 0xd && *data <= b->table &&
           *cnt <= (b->table - *data) / (2 * b->rsz);
}

static bool plist_bin(const uint8_t *p, size_t n, struct launchd *L,
                      char *label, size_t lcap)
{
    struct bpl b;
    size_t data;
    uint64_t cnt;
    if(!bpl_open(&b, p, n, &data, &cnt))
        return false;
    char k[64], v[VAL_MAX];
    size_t kn, vn;
    for(uint64_t i = 0; i < cnt; i++) {
        uint64_t kr, vr;
        if(!be(p, n, data + (size_t)i * b.rsz, b.rsz, &kr) ||
           !be(p, n, data + (size_t)(cnt + i) * b.rsz, b.rsz, &vr))
            return false;
        if(!bstring(&b, kr, k, sizeof(k), &kn))
            continue;
        size_t vo, vd;
        unsigned vt;
        uint64_t vc;
        if(!obj_off(&b, vr, &vo) || !marker(&b, vo, &vt, &vc, &vd))
            continue;
        bool tru = p[vo] == 0x09;
        if(!strcmp(k, "Program") && bstring(&b, vr, v, sizeof(v), &vn)) {
            L->prog_n = 0;
            put(L->prog, &L->prog_n, v, vn);
            L->any = true;
        } else if(!strcmp(k, "Label") && bstring(&b, vr, v, sizeof(v), &vn)) {
            size_t c = vn < lcap - 1 ? vn : lcap - 1;
            memcpy(label, v, c);
            label[c] = 0;
        } else if(!strcmp(k, "RunAtLoad")) {
            L->at_load |= tru;
        } else if(!strcmp(k, "KeepAlive")) {
            L->at_load |= tru || vt == 0xd;
        } else if(!strcmp(k, "Disabled")) {
            L->disabled = tru;
        } else if(!strcmp(k, "ProgramArguments") && vt == 0xa) {
            if(vd > b.table || vc > (b.table - vd) / b.rsz)
                continue;
            for(uint64_t j = 0; j < vc; j++) {
                uint64_t ar;
                if(!be(p, n, vd + (size_t)j * b.rsz, b.rsz, &ar))
                    break;
                if(bstring(&b, ar, v, sizeof(v), &vn)) {
                    add_arg(L, v, vn);
                    L->any = true;
                }
            }
        }
    }
    return true;
}

/* ---- background task management (login items) ------------------------ */

/* An NSKeyedArchiver archive: the references of its $objects array. */
struct keyed {
    struct bpl b;
    size_t objs;        /* where $objects' references start */
    uint64_t nobjs;
};

/* The values of keys names[0..nn) in the dictionary object `ref` (its
 * first BTM_KEYS_MAX keys): their references into vals, found[i] set;
 * false when ref is no dictionary. */
static bool dict_scan(const struct bpl *b, uint64_t ref,
                      const char *const *names, size_t nn, uint64_t *vals,
                      bool *found)
{
    size_t off, data;
    unsigned t;
    uint64_t cnt;
    char k[32];
    size_t kn;
    memset(found, 0, nn * sizeof(*found));
    if(!obj_off(b, ref, &off) || !marker(b, off, &t, &cnt, &data) ||
       t != 0xd || data > b->table ||
       cnt > (b->table - data) / (2 * b->rsz))
        return false;
    for(uint64_t i = 0; i < cnt && i < BTM_KEYS_MAX; i++) {
        uint64_t kr;
        if(!be(b->p, b->n, data + (size_t)i * b->rsz, b->rsz, &kr))
            return true;
        if(!bstring(b, kr, k, sizeof(k), &kn))
            continue;
        for(size_t j = 0; j < nn; j++)
            if(!found[j] && !strcmp(k, names[j]))
                found[j] = be(b->p, b->n, data + (size_t)(cnt + i) * b->rsz,
                              b->rsz, &vals[j]);
    }
    return true;
}

/* The value of key `key` in the dictionary object `ref`, or false. */
static bool dict_get(const struct bpl *b, uint64_t ref, const char *key,
                     uint64_t *val)
{
    bool found;
    return dict_scan(b, ref, &key, 1, val, &found) && found;
}

/* A UID object (an archive's pointer): the object of $objects it names,
 * as a plist reference; a plain reference stays itself. */
static bool deref(const struct keyed *a, uint64_t ref, uint64_t *out)
{
    size_t off, data;
    unsigned t;
    uint64_t c, uid;
    if(!obj_off(&a->b, ref, &off) || !marker(&a->b, off, &t, &c, &data))
        return false;
    if(t != 0x8) {
        *out = ref;
        return true;
    }
    return be(a->b.p, a->b.n, data, (unsigned)c + 1, &uid) &&
           uid < a->nobjs &&
           be(a->b.p, a->b.n, a->objs + (size_t)uid * a->b.rsz, a->b.rsz,
              out);
}

/* The string value v (a reference, or a UID) points at, through at
 * most one NSURL (NS.relative) or NSString (NS.string) wrapper. */
static bool keyed_string(const struct keyed *a, uint64_t v, char *d,
                         size_t cap, size_t *dn)
{
    uint64_t w;
    if(!deref(a, v, &v))
        return false;
    if(bstring(&a->b, v, d, cap, dn))
        return true;
    if((dict_get(&a->b, v, "NS.relative", &w) ||
        dict_get(&a->b, v, "NS.string", &w)) && deref(a, w, &w))
        return bstring(&a->b, w, d, cap, dn);
    return false;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ?
           c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 16;
}

/* A file URL's path, percent-decoded, in place; other text stays. */
static size_t file_url(char *s, size_t n)
{
    size_t o = 0, i = 0;
    if(n >= 7 && !strncmp(s, "file://", 7)) {
        i = 7;
        if(i < n && s[i] != '/')    /* file://host/path */
            while(i < n && s[i] != '/')
                i++;
    } else {
        return n;
    }
    for(; i < n; i++) {
        unsigned h1, h2;
        if(s[i] == '%' && i + 2 < n &&
           (h1 = (unsigned)hexval(s[i + 1])) < 16 &&
           (h2 = (unsigned)hexval(s[i + 2])) < 16) {
            char c = (char)(h1 << 4 | h2);
            if(!c)
                break;
            s[o++] = c;
            i += 2;
        } else {
            s[o++] = s[i];
        }
    }
    while(o > 1 && s[o - 1] == '/')   /* an app bundle is a folder */
        o--;
    s[o] = 0;
    return o;
}

bool pst_btm(const uint8_t *p, size_t n, struct pst_list *out)
{
    static _Thread_local struct keyed a;
    static _Thread_local char v[VAL_MAX], id[256];
    size_t data, vn, idn;
    uint64_t cnt, objs;
    unsigned t;
    if(!bpl_open(&a.b, p, n, &data, &cnt))
        return false;
    /* the top dictionary's $objects: a keyed archive */
    uint64_t top;
    size_t tr = n - 32, off;
    if(!be(p, n, tr + 16, 8, &top) ||
       !dict_get(&a.b, top, "$objects", &objs) ||
       !obj_off(&a.b, objs, &off) ||
       !marker(&a.b, off, &t, &a.nobjs, &a.objs) || t != 0xa ||
       a.objs > a.b.table || a.nobjs > (a.b.table - a.objs) / a.b.rsz)
        return false;
    /* the item keys: where it runs (first found wins), who it is */
    static const char *const keys[] = { "executablePath", "url", "URL",
                                        "path", "bundleIdentifier",
                                        "identifier" };
    enum { NPATH = 4, NKEYS = 6 };
    uint64_t lim = a.nobjs < BTM_OBJECTS_MAX ? a.nobjs : BTM_OBJECTS_MAX;
    if(a.nobjs > BTM_OBJECTS_MAX)
        out->truncated = true;
    for(uint64_t i = 0; i < lim; i++) {
        uint64_t ref, vals[NKEYS];
        bool found[NKEYS];
        if(!be(p, n, a.objs + (size_t)i * a.b.rsz, a.b.rsz, &ref))
            break;
        if(!dict_scan(&a.b, ref, keys, NKEYS, vals, found))
            continue;
        vn = 0;
        for(size_t k = 0; k < NPATH && !vn; k++) {
            if(!found[k] || !keyed_string(&a, vals[k], v, sizeof(v), &vn))
                continue;
            vn = file_url(v, vn);
            if(v[0] != '/')
                vn = 0;
        }
        if(!vn)
            continue;
        bool dup = false;
        for(size_t e = 0; e < out->n && !dup; e++)
            dup = !strcmp(out->e[e].cmd, v);
        if(dup)
            continue;
        idn = 0;
        for(size_t k = NPATH; k < NKEYS && !idn; k++)
            if(!found[k] || !keyed_string(&a, vals[k], id, sizeof(id), &idn))
                idn = 0;
        if(!pst_add(out, v, vn, v, vn, 0, 0))
            return true;
        if(idn)
            out->e[out->n - 1].raw = pst_keep(out, id, idn);
    }
    return true;
}

bool pst_plist(const uint8_t *p, size_t n, struct pst_list *out)
{
    static _Thread_local struct launchd L;
    memset(&L, 0, sizeof(L));
    out->label[0] = 0;
    bool ok;
    if(n >= 8 && !memcmp(p, "bplist00", 8)) {
        ok = plist_bin(p, n, &L, out->label, sizeof(out->label));
    } else {
        ok = plist_xml((const char *)p, n, &L, out->label,
                       sizeof(out->label));
    }
    if(!ok)
        return false;
    finish(&L, out);
    return true;
}
