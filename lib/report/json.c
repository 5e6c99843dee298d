/*
 * json.c - JSON Lines, one object per finding (event.kind "alert", or
 * "state" for an inventory entry), per warning (event.kind "event",
 * event.outcome "failure") and one closing run record (event.action
 * "scan-completed"), with Elastic Common Schema names where one fits and
 * kensa.* for the rest.  Every record names the host, the agent and the
 * run (kensa.scan_id).  The mapping is documented in docs/OUTPUT.md and
 * checked against ECS field types by tests/cli/ecs.bats.
 *
 * Paths: file.path is absolute and normalised on the string (against the
 * working folder the report was made in, "." and ".." resolved without
 * looking at the disk, so no symbolic link is followed); kensa.path and
 * the roots get the same treatment for their part on disk, never for
 * member names inside an archive.  Nothing is ever written as null: a
 * value that is not known is left out.
 *
 * A finding record is a flat list of dotted fields - the writer's own
 * (the core every finding has) and the detector's typed attributes -
 * sorted by key segment by segment and written as nested objects, so a
 * detector's "file.hash.md5" lands in the same "file" object as the
 * core's "file.path" without this file knowing any detector.  Repeated
 * keys become arrays; a key that is also the prefix of another, or
 * repeats a core field, is dropped (the core wins).
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "intel/messages.h"
#include "report/report.h"
#include "util/esc.h"
#include "util/json.h"

#define MAX_FIELDS 1024   /* a run record: roots, arguments, excludes,
                             pruned mounts, threats and limits */
#define RUN_LIST_MAX 100   /* roots and arguments listed in a run record */

enum jtype { J_STR, J_NUM, J_BOOL, J_FLOAT,
             J_RAW };  /* JSON text made by this file: written as is */

struct jfield {
    uint64_t pre;     /* the key's first 8 bytes as keycmp orders them */
    const char *key;
    size_t klen;
    enum jtype type;
    const char *s;
    long long n;
    double d;
    bool list;        /* an array even when alone */
};

struct jrec {
    struct jfield v[MAX_FIELDS];
    uint16_t at[MAX_FIELDS];   /* v's indices in key order (sort_fields) */
    size_t n;
};

/* The next field, its key's sort prefix computed; NULL when full. */
static struct jfield *next_field(struct jrec *j, const char *key)
{
    if(j->n == MAX_FIELDS || !key)
        return NULL;
    struct jfield *f = &j->v[j->n++];
    size_t kl = strlen(key);
    uint64_t pre = 0;
    for(size_t i = 0; i < 8; i++) {
        unsigned char c = i < kl ? (unsigned char)key[i] : 0;
        pre = pre << 8 | (c == '.' ? 1u : c);
    }
    f->pre = pre;
    f->key = key;
    f->klen = kl;
    return f;
}

static void add(struct jrec *j, const char *key, enum jtype t, const char *s,
                long long n, bool list)
{
    struct jfield *f;
    if((t == J_STR && !s) || !(f = next_field(j, key)))
        return;
    f->type = t;
    f->s = s;
    f->n = n;
    f->d = 0;
    f->list = list;
}

/* A real number; NaN and infinities (not JSON) are left out. */
static void add_float(struct jrec *j, const char *key, double d, bool list)
{
    struct jfield *f;
    if(!isfinite(d) || !(f = next_field(j, key)))
        return;
    f->type = J_FLOAT;
    f->s = NULL;
    f->n = 0;
    f->d = d;
    f->list = list;
}
#define add_str(j, k, s) add((j), (k), J_STR, (s), 0, false)
#define add_num(j, k, n) add((j), (k), J_NUM, NULL, (long long)(n), false)
#define add_bool(j, k, b) add((j), (k), J_BOOL, NULL, (b) ? 1 : 0, false)
#define add_item(j, k, s) add((j), (k), J_STR, (s), 0, true)

/* Compare keys segment by segment: '.' sorts before every other byte, so
 * all of "a.b.*" follows "a.b" without "a.b-x" in between. */
static int keycmp(const char *a, const char *b)
{
    for(;; a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
        if(x == '.')
            x = 1;
        if(y == '.')
            y = 1;
        if(x != y || !x)
            return (int)x - (int)y;
    }
}

/* Whether field x sorts after field y (prefixes first, then keys). */
static inline bool field_after(const struct jfield *x, const struct jfield *y)
{
    if(x->pre != y->pre)
        return x->pre > y->pre;
    return keycmp(x->key, y->key) > 0;
}

/* Sort by key, ties in insertion order, into j->at: binary insertion
 * (each field goes after every one not after it), a few comparisons of
 * 8-byte prefixes and a short memmove per field. */
static void sort_fields(struct jrec *j)
{
    for(size_t i = 0; i < j->n; i++) {
        const struct jfield *t = &j->v[i];
        size_t lo = 0, hi = i;
        while(lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if(field_after(&j->v[j->at[mid]], t))
                hi = mid;
            else
                lo = mid + 1;
        }
        memmove(&j->at[lo + 1], &j->at[lo], (i - lo) * sizeof(j->at[0]));
        j->at[lo] = (uint16_t)i;
    }
}
#define FIELD(j, i) (&(j)->v[(j)->at[i]])

/* Length of the common whole-segment prefix of a and b, its last dot
 * included ("a.b.c", "a.b.d" -> 4). */
static size_t common_prefix(const char *a, const char *b)
{
    size_t i = 0, last = 0;
    while(a[i] && a[i] == b[i]) {
        if(a[i] == '.')
            last = i + 1;
        i++;
    }
    return last;
}

static size_t dots(const char *key, size_t len)
{
    size_t d = 0;
    for(size_t i = 0; i < len; i++)
        d += key[i] == '.';
    return d;
}

static void value(struct rec *rc, const struct jfield *f)
{
    switch(f->type) {
    case J_STR: rec_jstr(rc, f->s); break;
    case J_NUM: {
        char nb[24], *e = nb + sizeof(nb), *q = e;
        unsigned long long u = f->n < 0 ? 0ull - (unsigned long long)f->n
                                        : (unsigned long long)f->n;
        do
            *--q = (char)('0' + u % 10);
        while((u /= 10));
        if(f->n < 0)
            *--q = '-';
        if(!rc->err)
            rc->err = buf_append(&rc->b, q, (size_t)(e - q));
        break;
    }
    case J_BOOL: rec_puts(rc, f->n ? "true" : "false"); break;
    case J_RAW:
        if(!rc->err)
            rc->err = buf_append(&rc->b, f->s, (size_t)f->n);
        break;
    case J_FLOAT: {
        char nb[40];
        snprintf(nb, sizeof(nb), "%.15g", f->d);
        rec_puts(rc, nb);
        if(!strpbrk(nb, ".eE"))
            rec_puts(rc, ".0");   /* 10.0: a float to every reader */
        break;
    }
    }
}

/* How much of the key segment p..end goes in: all of it, except in a
 * cut record (keys are the detectors' constants, but a record must fit
 * whatever they hold). */
static size_t key_len(const struct rec *rc, const char *p, const char *end)
{
    size_t n = (size_t)(end - p);
    return n > rc->cut ? utf8_cut(p, n, rc->cut) : n;
}

/* Append a string literal (its length known at compile time). */
#define LIT(rc, s) \
    do { \
        if(!(rc)->err) \
            (rc)->err = buf_append(&(rc)->b, (s), sizeof(s) - 1); \
    } while(0)

/* Write the fields of j, sorted, as one nested JSON object. */
static void emit_object(struct rec *rc, struct jrec *j)
{
    sort_fields(j);
    LIT(rc, "{");
    const char *prev = "";   /* the last key written */
    size_t pl = 0;
    bool comma = false;      /* the open object already has a member */
    for(size_t i = 0, same; i < j->n; i += same) {
        const struct jfield *f = FIELD(j, i);
        same = 1;
        while(i + same < j->n && FIELD(j, i + same)->klen == f->klen &&
              !memcmp(FIELD(j, i + same)->key, f->key, f->klen))
            same++;
        /* a key under one written as a leaf ("a.b", then "a.b.c") */
        if(pl && f->klen > pl && f->key[pl] == '.' && !memcmp(prev, f->key, pl))
            continue;
        size_t cp = common_prefix(prev, f->key);
        for(size_t d = dots(prev, pl) - dots(prev, cp); d; d--)
            LIT(rc, "}");
        /* open the key's objects below the common prefix */
        const char *p = f->key + cp;
        const char *kend = f->key + f->klen;
        for(const char *dot; (dot = memchr(p, '.', (size_t)(kend - p)));
            p = dot + 1) {
            if(comma)
                LIT(rc, ",");
            if(!rc->err)
                rc->err = json_strn(&rc->b, p, key_len(rc, p, dot));
            LIT(rc, ":{");
            comma = false;
        }
        if(comma)
            LIT(rc, ",");
        if(!rc->err)
            rc->err = json_strn(&rc->b, p, key_len(rc, p, f->key + f->klen));
        LIT(rc, ":");
        comma = true;
        /* a list: the key's fields in their order (a field that is not
         * a list item and repeats is written once) */
        bool list = false;
        for(size_t k = 0; k < same; k++)
            list |= FIELD(j, i + k)->list;
        if(list) {
            LIT(rc, "[");
            for(size_t k = 0; k < same; k++) {
                if(k)
                    LIT(rc, ",");
                value(rc, FIELD(j, i + k));
            }
            LIT(rc, "]");
        } else {
            value(rc, f);
        }
        prev = f->key;
        pl = f->klen;
    }
    for(size_t d = dots(prev, pl); d; d--)
        LIT(rc, "}");
    LIT(rc, "}");
}

/* The same as one record: the object and "\n". */
static void emit(struct rec *rc, struct jrec *j)
{
    emit_object(rc, j);
    rec_puts(rc, "\n");
}

/* Strings a record owns until it is written (made absolute paths). */
struct owned {
    char *p[2 * RUN_LIST_MAX + REPORT_THREATS_MAX + 32];
    size_t n;
};

/* Keep s (malloc'd, may be NULL) until owned_free; returns it. */
static const char *own(struct owned *o, char *s)
{
    if(s && o->n < sizeof(o->p) / sizeof(o->p[0]))
        return o->p[o->n++] = s;
    free(s);
    return NULL;
}

static void owned_free(struct owned *o)
{
    for(size_t i = 0; i < o->n; i++)
        free(o->p[i]);
    o->n = 0;
}

/* A path kensa names itself rather than a file: "(stdin)", "(scan)". */
static bool pseudo(const char *p, size_t n)
{
    return n >= 2 && p[0] == '(' && p[n - 1] == ')' && !memchr(p, '/', n);
}

/*
 * `chain` (a disk path, maybe followed by "!/" and member names) with
 * its disk part made absolute: `disk` when the caller knows it (the
 * chain starts with it), else up to the first "!/".  Member names are
 * left alone.  NULL when out of memory; chain itself for a pseudo path.
 */
static const char *abs_chain(const struct kensa_report *r, struct owned *o,
                             const char *chain, const char *disk)
{
    size_t dl;
    if(!chain)
        return NULL;
    if(disk && !strncmp(chain, disk, strlen(disk)) &&
       (!chain[strlen(disk)] || !strncmp(chain + strlen(disk), "!/", 2))) {
        dl = strlen(disk);
    } else {
        const char *bang = strstr(chain, "!/");
        dl = bang ? (size_t)(bang - chain) : strlen(chain);
    }
    if(pseudo(chain, dl) || !dl)
        return chain;
    char *d = strndup(chain, dl);
    char *a = d ? report_abspath(r->cwd, d) : NULL;
    free(d);
    if(!a)
        return NULL;
    if(!chain[dl])
        return own(o, a);
    size_t al = strlen(a), rl = strlen(chain + dl);
    char *w = malloc(al + rl + 1);
    if(w) {
        memcpy(w, a, al);
        memcpy(w + al, chain + dl, rl + 1);
    }
    free(a);
    return own(o, w);
}

/*
 * What every record of a run shares - the agent, the host, the schema
 * and the observer - rendered once as JSON objects and written as one
 * field each (J_RAW), so an attack-dense log does not escape and sort
 * the same dozen fields for every line.  Made by the report's first
 * record, freed with the report.  Values come from the system scanned
 * (an image's os-release) and are escaped like any other.
 */
enum { RAW_AGENT, RAW_ECS, RAW_HOST, RAW_OBSERVER, RAW_COUNT };
static const char *const raw_keys[RAW_COUNT] = {
    "agent", "ecs", "host", "observer",
};

/* The last file findings were on, its fields made: a log with a
 * hundred thousand hits makes them once.  Keyed by everything they are
 * made of (the path as given and the file's stat). */
struct jfile {
    char *given;             /* f->file_path; NULL: none cached */
    uint64_t dev, ino, size;
    int64_t mtime, ctime, btime;
    uint32_t mtime_ns, ctime_ns, btime_ns, uid, gid, mode;
    bool btime_known;
    char *abs, *dir;         /* file.path and file.directory */
    char *owner, *group;     /* file.owner, file.group: NULL when none */
    char mtime_s[32], ctime_s[32], btime_s[32];   /* btime_s "": unknown */
    char uid_s[24], gid_s[24], mode_s[16];
};

struct jstate {
    struct buf raw[RAW_COUNT];   /* len 0: not made (out of memory) */
    char *sys_root;              /* the root folder, made absolute */
    struct jfile file;
};

static void jfile_clear(struct jfile *c)
{
    free(c->given);
    free(c->abs);
    free(c->dir);
    free(c->owner);
    free(c->group);
    memset(c, 0, sizeof(*c));
}

/* The fields of group g (keys relative to it) into j. */
static void raw_fields(struct jrec *j, const struct kensa_report *r, int g)
{
    const struct kensa_system *y = r->sys;
    switch(g) {
    case RAW_AGENT:
        add_str(j, "type", "kensa");
        add_str(j, "version", KENSA_VERSION);
        break;
    case RAW_ECS:
        add_str(j, "version", KENSA_ECS_VERSION);
        break;
    case RAW_OBSERVER:
        add_str(j, "product", "kensa");
        add_str(j, "version", KENSA_VERSION);
        break;
    case RAW_HOST:
        if(!y)
            break;
        add_str(j, "hostname", y->hostname);
        add_str(j, "name", y->hostname);
        add_str(j, "id", y->id);
        add_str(j, "os.type", y->os_type);
        add_str(j, "os.platform", y->os_platform);
        add_str(j, "os.name", y->os_name);
        add_str(j, "os.version", y->os_version);
        add_str(j, "os.full", y->os_full);
        break;
    }
}

static void json_destroy(struct kensa_report *r)
{
    struct jstate *st = r->impl;
    if(!st)
        return;
    for(int g = 0; g < RAW_COUNT; g++)
        buf_free(&st->raw[g]);
    free(st->sys_root);
    jfile_clear(&st->file);
    free(st);
    r->impl = NULL;
}

/* r's state, made on first use; NULL when out of memory (the record
 * then fails, and the next one tries again). */
static struct jstate *jstate_get(struct kensa_report *r)
{
    struct jstate *st = r->impl;
    struct jrec *j;
    bool bad = false;
    if(st)
        return st;
    if(!(st = calloc(1, sizeof(*st))) || !(j = malloc(sizeof(*j)))) {
        free(st);
        return NULL;
    }
    for(int g = 0; g < RAW_COUNT; g++) {
        /* every value cut as in a cut record: whatever an image's
         * os-release holds, a record stays within its cap */
        struct rec rc = { .cut = r->field_cut };
        buf_init(&rc.b, r->rec_max / 8);
        j->n = 0;
        raw_fields(j, r, g);
        if(j->n)
            emit_object(&rc, j);
        st->raw[g] = rc.b;
        if(rc.err)
            break;
    }
    free(j);
    if(r->sys && r->sys->root)
        st->sys_root = report_abspath(r->cwd, r->sys->root);
    for(int g = 0; g < RAW_COUNT; g++)
        bad |= st->raw[g].len == 0 && g != RAW_HOST;
    if(bad || (r->sys && r->sys->root && !st->sys_root)) {
        r->impl = st;
        json_destroy(r);
        return NULL;
    }
    r->impl = st;
    return st;
}

/* The system the record is about (host.*, ECS), the agent that wrote it
 * and the run it belongs to, from the state's objects; false when there
 * is no state (out of memory: the record fails as on any other). */
static bool host(struct jrec *j, const struct kensa_report *r)
{
    const struct jstate *st = r->impl;
    if(!st)
        return false;
    add_str(j, "kensa.scan_id", r->scan_id);
    for(int g = 0; g < RAW_COUNT; g++) {
        struct jfield *f;
        if(st->raw[g].len && (f = next_field(j, raw_keys[g]))) {
            f->type = J_RAW;
            f->s = (const char *)st->raw[g].p;
            f->n = (long long)st->raw[g].len;
            f->list = false;
        }
    }
    add_str(j, "kensa.system.root", st->sys_root);
    return true;
}

static void head(struct jrec *j, const char *ts, const char *kind,
                 const char *dataset)
{
    add_str(j, "@timestamp", ts);
    add_str(j, "event.kind", kind);
    add_str(j, "event.module", "kensa");
    add_str(j, "event.dataset", dataset);
}

/* c made for f's file (path made absolute, stat rendered); false when
 * out of memory. */
static bool jfile_make(struct jfile *c, const struct kensa_report *r,
                       const struct kensa_finding *f)
{
    if(c->given && !strcmp(c->given, f->file_path) &&
       c->dev == f->file_dev && c->ino == f->file_ino &&
       c->size == f->file_size && c->mtime == f->file_mtime &&
       c->mtime_ns == f->file_mtime_ns && c->uid == f->file_uid &&
       c->gid == f->file_gid && c->mode == f->file_mode &&
       c->ctime == f->file_ctime && c->ctime_ns == f->file_ctime_ns &&
       c->btime_known == f->file_btime_known &&
       c->btime == f->file_btime && c->btime_ns == f->file_btime_ns)
        return true;
    jfile_clear(c);
    if(!(c->given = strdup(f->file_path)) ||
       !(c->abs = report_abspath(r->cwd, f->file_path))) {
        jfile_clear(c);
        return false;
    }
    const char *slash = strrchr(c->abs, '/');
    if(slash && slash != c->abs &&
       !(c->dir = strndup(c->abs, (size_t)(slash - c->abs)))) {
        jfile_clear(c);
        return false;
    }
    c->dev = f->file_dev;
    c->ino = f->file_ino;
    c->size = f->file_size;
    c->mtime = f->file_mtime;
    c->mtime_ns = f->file_mtime_ns;
    c->ctime = f->file_ctime;
    c->ctime_ns = f->file_ctime_ns;
    c->btime = f->file_btime;
    c->btime_ns = f->file_btime_ns;
    c->btime_known = f->file_btime_known;
    c->uid = f->file_uid;
    c->gid = f->file_gid;
    c->mode = f->file_mode;
    const char *who = report_user_name(r, f->file_uid);
    if(who && !(c->owner = strdup(who))) {
        jfile_clear(c);
        return false;
    }
    who = report_group_name(r, f->file_gid);
    if(who && !(c->group = strdup(who))) {
        jfile_clear(c);
        return false;
    }
    report_time_iso(f->file_mtime, (long)f->file_mtime_ns, c->mtime_s);
    report_time_iso(f->file_ctime, (long)f->file_ctime_ns, c->ctime_s);
    c->btime_s[0] = 0;
    if(f->file_btime_known)
        report_time_iso(f->file_btime, (long)f->file_btime_ns, c->btime_s);
    snprintf(c->uid_s, sizeof(c->uid_s), "%lu", (unsigned long)f->file_uid);
    snprintf(c->gid_s, sizeof(c->gid_s), "%lu", (unsigned long)f->file_gid);
    snprintf(c->mode_s, sizeof(c->mode_s), "%04o",
             (unsigned)(f->file_mode & 07777));
    return true;
}

/* The file on disk a finding sits in: file.* (ECS) from what the engine
 * saw when it opened it.  Nothing when it is not a file on disk
 * (standard input): a path that is not absolute then says nothing.
 * The strings live in the report's state until another file's finding. */
static void file_fields(struct jrec *j, const struct kensa_report *r,
                        const struct kensa_finding *f, const char **out_abs)
{
    struct jstate *st = r->impl;
    struct jfile *c = &st->file;
    bool disk = f->file_mode != 0;

    *out_abs = NULL;
    if(!f->file_path || !(disk || f->file_path[0] == '/') ||
       !jfile_make(c, r, f))
        return;
    *out_abs = c->abs;
    add_str(j, "file.path", c->abs);
    const char *slash = strrchr(c->abs, '/');
    if(slash && slash[1])
        add_str(j, "file.name", slash + 1);
    if(slash)
        add_str(j, "file.directory", c->dir ? c->dir : "/");
    if(!disk)
        return;
    add_num(j, "file.size", (long long)(f->file_size > INT64_MAX ?
                                        INT64_MAX : f->file_size));
    add_str(j, "file.mtime", c->mtime_s);
    add_str(j, "file.ctime", c->ctime_s);
    add_str(j, "file.created", c->btime_s[0] ? c->btime_s : NULL);
    add_str(j, "file.uid", c->uid_s);
    add_str(j, "file.gid", c->gid_s);
    /* names on this host; none for another system's root */
    add_str(j, "file.owner", c->owner);
    add_str(j, "file.group", c->group);
    add_str(j, "file.mode", c->mode_s);
    if(S_ISREG(f->file_mode))
        add_str(j, "file.type", "file");
}

/*
 * ECS types some fields "ip": a value there that is not an address
 * (a log's client field holding a host name, or junk) would make a
 * SIEM reject the whole record.  Such a value moves to the field's
 * keyword sibling (source.ip -> source.address); for related.ip, to
 * related.hosts.  Returns the key to write it under.
 */
static const char *ip_key(const char *key, const char *val)
{
    static const char *const ips[][2] = {
        { "source.ip", "source.address" },
        { "destination.ip", "destination.address" },
        { "client.ip", "client.address" },
        { "server.ip", "server.address" },
        { "related.ip", "related.hosts" },
    };
    unsigned char addr[16];
    size_t kl = strlen(key);
    if(kl < 3 || strcmp(key + kl - 3, ".ip"))
        return key;   /* most keys: not an ip field */
    for(size_t i = 0; i < sizeof(ips) / sizeof(ips[0]); i++) {
        if(strcmp(key, ips[i][0]))
            continue;
        if(inet_pton(AF_INET, val, addr) == 1 ||
           inet_pton(AF_INET6, val, addr) == 1)
            return key;
        return ips[i][1];
    }
    return key;
}

static void finding_rec(struct rec *rc, const void *ctx, const void *item)
{
    const struct kensa_report *r = ctx;
    const struct kensa_finding *f = item;
    struct jrec *j = malloc(sizeof(*j));
    struct owned *o = calloc(1, sizeof(*o));
    char ts[32], ds[64];
    char *msg = NULL, *loc = NULL, *ev = NULL, *evloc = NULL;
    const char *abs = NULL;
    bool local = r->o.lang != KENSA_LANG_EN;

    if(!j || !o) {
        rc->err = KENSA_ENOMEM;
        goto out;
    }
    j->n = 0;
    report_timestamp(ts);
    snprintf(ds, sizeof(ds), "kensa.%s", f->detector);
    /* @timestamp: the event's own time when the detector knows it (a log
     * line's), else now; event.created: when kensa saw it */
    const char *when = kensa_finding_str(f, "@timestamp");
    head(j, when ? when : ts, f->kind == KENSA_KIND_STATE ? "state" : "alert",
         ds);
    add_str(j, "event.created", ts);
    if(!host(j, r)) {
        rc->err = KENSA_ENOMEM;
        goto out;
    }
    add_str(j, "kensa.system.path", report_system_path(r, f->file_path));
    add_item(j, "event.type", "info");
    add_num(j, "event.severity", (int)f->severity * 25);
    msg = kensa_finding_message(f, KENSA_LANG_EN);
    add_str(j, "message", msg ? msg : "");
    file_fields(j, r, f, &abs);
    add_str(j, "file.hash.sha256", f->file_sha256);
    /* the object's hash to pivot on, and the file's when it differs */
    if(f->object_sha256)
        add_item(j, "related.hash", f->object_sha256);
    if(f->file_sha256 && (!f->object_sha256 ||
                          strcmp(f->file_sha256, f->object_sha256)))
        add_item(j, "related.hash", f->file_sha256);
    add_str(j, "rule.id", f->rule);
    add_str(j, "kensa.path", abs && f->path && f->file_path &&
                             !strcmp(f->path, f->file_path) ? abs :
            abs_chain(r, o, f->path, f->file_mode ? f->file_path : NULL));
    add_str(j, "kensa.threat", f->threat);
    add_str(j, "kensa.verdict", kensa_verdict_name(f->verdict));
    add_str(j, "kensa.severity", kensa_severity_name(f->severity));
    add_str(j, "kensa.detector", f->detector);
    add_num(j, "kensa.depth", f->depth);
    add_str(j, "kensa.object.hash.sha256", f->object_sha256);
    if(f->line) {
        add_num(j, "kensa.line", f->line);
        add_str(j, "log.file.path", abs);
    }
    add_str(j, "kensa.message_id", f->message.id);
    for(size_t i = 0; i < f->message.nargs; i++)
        add_item(j, "kensa.message_args",
                 f->message.args[i] ? f->message.args[i] : "");
    if(local && (loc = kensa_finding_message(f, r->o.lang)))
        add_str(j, "kensa.message", loc);
    if(f->n_evidence) {
        ev = report_evidence(f, KENSA_LANG_EN);
        add_str(j, "kensa.evidence", ev);
        for(size_t i = 0; i < f->n_evidence; i++)
            add_item(j, "kensa.evidence_ids", f->evidence[i].id);
        if(local && (evloc = report_evidence(f, r->o.lang)))
            add_str(j, "kensa.evidence_localized", evloc);
    }
    if(rec_is_cut(rc))
        add_bool(j, "kensa.truncated", true);
    bool category = false;
    for(size_t i = 0; i < f->n_attrs; i++) {
        const struct kensa_attr *a = &f->attrs[i];
        bool list = a->flags & KENSA_ATTR_LIST;
        category |= a->key && a->key[0] == 'e' &&
                    !strcmp(a->key, "event.category");
        if(a->key && a->key[0] == '@' && !strcmp(a->key, "@timestamp"))
            continue;   /* written by head() */
        switch(a->type) {
        case KENSA_ATTR_STR:
            if(a->key && a->str)
                add(j, ip_key(a->key, a->str), J_STR, a->str, 0, list);
            break;
        case KENSA_ATTR_NUM: add(j, a->key, J_NUM, NULL, a->num, list); break;
        case KENSA_ATTR_BOOL: add(j, a->key, J_BOOL, NULL, a->num, list);
            break;
        case KENSA_ATTR_FLOAT: add_float(j, a->key, a->real, list); break;
        }
    }
    if(!category)
        add_item(j, "event.category", "file");
    emit(rc, j);
out:
    free(msg);
    free(loc);
    free(ev);
    free(evloc);
    if(o)
        owned_free(o);
    free(o);
    free(j);
}

/* Write one record: the run's shared objects made first (jstate_get). */
static void json_write(struct kensa_report *r, rec_fn fn, const void *item)
{
    jstate_get(r);
    report_write(r, fn, item);
}

static void json_finding(struct kensa_report *r, const struct kensa_finding *f)
{
    json_write(r, finding_rec, f);
}

/* A message's id and arguments (kensa.message_id, kensa.message_args)
 * and its rendering in the report's language when that is not English
 * (`loc`, NULL: none). */
static void msg_fields(struct jrec *j, const char *id,
                       const char *const *args, size_t nargs,
                       const char *loc)
{
    add_str(j, "kensa.message_id", id);
    for(size_t i = 0; i < nargs; i++)
        add_item(j, "kensa.message_args", args[i] ? args[i] : "");
    add_str(j, "kensa.message", loc);
}

static void warning_rec(struct rec *rc, const void *ctx, const void *item)
{
    const struct kensa_warning *w = item;
    const struct kensa_report *r = ctx;
    struct jrec *j = malloc(sizeof(*j));
    struct owned *o = calloc(1, sizeof(*o));
    char ts[32];
    char *loc = NULL;

    if(!j || !o) {
        rc->err = KENSA_ENOMEM;
        goto out;
    }
    j->n = 0;
    report_timestamp(ts);
    head(j, ts, "event", "kensa.scan");
    if(!host(j, r)) {
        rc->err = KENSA_ENOMEM;
        goto out;
    }
    add_str(j, "event.outcome", "failure");
    add_str(j, "error.message", w->message);   /* English, for SIEM rules */
    add_str(j, "error.code", kensa_strerror(w->err));
    add_str(j, "error.id", w->id);
    add_str(j, "kensa.path", abs_chain(r, o, w->path, NULL));
    /* the reader's language beside the English error.message */
    if(w->id && r->o.lang != KENSA_LANG_EN)
        loc = kmsg_warning_alloc(w, r->o.lang);
    if(w->id)
        msg_fields(j, w->id, w->args, w->nargs, loc);
    if(rec_is_cut(rc))
        add_bool(j, "kensa.truncated", true);
    emit(rc, j);
out:
    free(loc);
    if(o)
        owned_free(o);
    free(o);
    free(j);
}

static void json_warning(struct kensa_report *r, const struct kensa_warning *w)
{
    json_write(r, warning_rec, w);
}

/* At most this many removed entries are listed in an action record
 * (kensa.fix.removed_count counts them all). */
#define ACTION_REMOVED_MAX 200

static void action_rec(struct rec *rc, const void *ctx, const void *item)
{
    const struct kensa_report *r = ctx;
    const struct kensa_action *a = item;
    struct jrec *j = malloc(sizeof(*j));
    struct owned *o = calloc(1, sizeof(*o));
    char ts[32];
    char *msg = NULL, *loc = NULL;

    if(!j || !o) {
        rc->err = KENSA_ENOMEM;
        goto out;
    }
    j->n = 0;
    report_timestamp(ts);
    head(j, ts, "event", "kensa.fix");
    if(!host(j, r)) {
        rc->err = KENSA_ENOMEM;
        goto out;
    }
    add_str(j, "event.action", a->action);
    add_item(j, "event.category", "file");
    add_item(j, "event.type", a->dry_run ? "info" : "change");
    add_str(j, "event.outcome", a->success ? "success" : "failure");
    const char *path = own(o, report_abspath(r->cwd, a->path));
    if(path) {
        add_str(j, "file.path", path);
        const char *slash = strrchr(path, '/');
        if(slash && slash[1])
            add_str(j, "file.name", slash + 1);
        if(slash)
            add_str(j, "file.directory",
                    slash == path ? "/" :
                    own(o, strndup(path, (size_t)(slash - path))));
    }
    add_str(j, "kensa.system.path", report_system_path(r, path));
    if(a->backup && a->backup[0])
        add_str(j, "kensa.fix.backup", own(o, report_abspath(r->cwd,
                                                             a->backup)));
    for(size_t i = 0; i < a->n_removed && i < ACTION_REMOVED_MAX; i++)
        add_item(j, "kensa.fix.removed", a->removed[i] ? a->removed[i] : "");
    if(a->n_removed)
        add_num(j, "kensa.fix.removed_count", a->n_removed);
    add_bool(j, "kensa.fix.dry_run", a->dry_run);
    add_str(j, "kensa.fix.state", a->state);
    if(!a->success) {
        add_str(j, "error.message", a->reason ? a->reason : "failed");
        add_str(j, "kensa.fix.reason", a->reason ? a->reason : "failed");
    }
    if(a->message.id) {
        msg = report_msg(&a->message, KENSA_LANG_EN);
        add_str(j, "message", msg);
        if(r->o.lang != KENSA_LANG_EN)
            loc = report_msg(&a->message, r->o.lang);
        msg_fields(j, a->message.id, a->message.args, a->message.nargs,
                   loc);
    }
    if(rec_is_cut(rc))
        add_bool(j, "kensa.truncated", true);
    emit(rc, j);
out:
    free(msg);
    free(loc);
    if(o)
        owned_free(o);
    free(o);
    free(j);
}

static void json_action(struct kensa_report *r, const struct kensa_action *a)
{
    json_write(r, action_rec, a);
}

/* `pre` + id, the id made a safe key segment (letters, digits, '_' and
 * '-'; anything else, '.' included, '_'; an empty id "_"). */
static char *id_key(const char *pre, const char *id)
{
    size_t pl = strlen(pre), n = strlen(id);
    char *k = malloc(pl + (n ? n : 1) + 1);
    if(!k)
        return NULL;
    memcpy(k, pre, pl);
    for(size_t i = 0; i < n; i++) {
        char c = id[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || c == '_' || c == '-';
        k[pl + i] = ok ? c : '_';
    }
    if(!n)
        k[pl + n++] = '_';
    k[pl + n] = 0;
    return k;
}

/* What a run skipped, and why: the exclude globs given, the network
 * mounts not entered (path and type, two lists in step) and the limits
 * hit by kind (kensa.scan.skipped.limits.<message id>: count). */
static void skipped(struct jrec *j, struct owned *o,
                    const struct kensa_run *run)
{
    for(size_t i = 0; i < run->n_excludes && i < RUN_LIST_MAX; i++)
        add_item(j, "kensa.scan.skipped.excludes",
                 run->excludes[i] ? run->excludes[i] : "");
    if(run->n_excludes)
        add_num(j, "kensa.scan.skipped.excludes_count", run->n_excludes);
    for(size_t i = 0; run->pruned && run->pruned_types &&
                      i < run->n_pruned && i < RUN_LIST_MAX; i++) {
        add_item(j, "kensa.scan.skipped.pruned.path",
                 run->pruned[i] ? run->pruned[i] : "");
        add_item(j, "kensa.scan.skipped.pruned.type",
                 run->pruned_types[i] ? run->pruned_types[i] : "");
    }
    for(size_t i = 0; run->limits && run->limit_counts &&
                      i < run->n_limits && i < RUN_LIST_MAX; i++) {
        const char *k = run->limits[i] ?
            own(o, id_key("kensa.scan.skipped.limits.", run->limits[i])) :
            NULL;
        if(k)
            add_num(j, k, run->limit_counts[i]);
    }
}

static void run_rec(struct rec *rc, const void *ctx, const void *item)
{
    const struct kensa_report *r = ctx;
    const struct kensa_run *run = item;
    const struct report_tally *t = &r->tally;
    struct jrec *j = malloc(sizeof(*j));
    struct owned *o = calloc(1, sizeof(*o));
    char ts[32], start[32], end[32], *msg = NULL;
    static const char *const sev_keys[] = {
        "kensa.scan.findings.by_severity.info",
        "kensa.scan.findings.by_severity.low",
        "kensa.scan.findings.by_severity.medium",
        "kensa.scan.findings.by_severity.high",
        "kensa.scan.findings.by_severity.critical",
    };
    static const char *const verdict_keys[] = {
        "kensa.scan.findings.by_verdict.none",
        "kensa.scan.findings.by_verdict.vulnerable",
        "kensa.scan.findings.by_verdict.mitigated",
        "kensa.scan.findings.by_verdict.patched",
        "kensa.scan.findings.by_verdict.end-of-life",
        "kensa.scan.findings.by_verdict.attack",
        "kensa.scan.findings.by_verdict.suspicious",
        "kensa.scan.findings.by_verdict.macros",
        "kensa.scan.findings.by_verdict.malicious",
    };
    _Static_assert(sizeof(verdict_keys) / sizeof(verdict_keys[0]) ==
                   KENSA_VERDICT_LAST + 1, "a key for every verdict");

    if(!j || !o) {
        rc->err = KENSA_ENOMEM;
        goto out;
    }
    j->n = 0;
    int64_t s_ns = run->start_ns ? run->start_ns : r->start_ns;
    int64_t e_ns = run->end_ns;
    if(!e_ns) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        e_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
    }
    if(e_ns < s_ns)
        e_ns = s_ns;
    report_time_iso(e_ns / 1000000000, (long)(e_ns % 1000000000), end);
    report_time_iso(s_ns / 1000000000, (long)(s_ns % 1000000000), start);
    memcpy(ts, end, sizeof(ts));
    head(j, ts, "event", "kensa.scan");
    if(!host(j, r)) {
        rc->err = KENSA_ENOMEM;
        goto out;
    }
    bool failed = run->failed || run->interrupted;
    add_str(j, "event.action", "scan-completed");
    add_item(j, "event.category", "process");
    add_item(j, "event.type", "end");
    add_str(j, "event.outcome", failed ? "failure" : "success");
    add_str(j, "event.start", start);
    add_str(j, "event.end", end);
    add_num(j, "event.duration", e_ns - s_ns);
    const struct kensa_stats *st = run->stats;
    if((msg = malloc(160)))
        snprintf(msg, 160, "scan %s: %llu finding%s in %llu file%s",
                 run->interrupted ? "interrupted" : "completed",
                 (unsigned long long)t->findings, t->findings == 1 ? "" : "s",
                 (unsigned long long)(st ? st->files : 0),
                 st && st->files == 1 ? "" : "s");
    add_str(j, "message", msg);
    for(size_t i = 0; i < run->n_roots && i < RUN_LIST_MAX; i++) {
        const char *root = run->roots[i];
        if(!root)
            continue;
        if(!strcmp(root, "-"))
            add_item(j, "kensa.scan.roots", "-");
        else
            add_item(j, "kensa.scan.roots",
                     own(o, report_abspath(r->cwd, root)));
    }
    add_num(j, "kensa.scan.roots_count", run->n_roots);
    for(size_t i = 0; i < run->n_args && i < RUN_LIST_MAX; i++)
        add_item(j, "process.args", run->args[i] ? run->args[i] : "");
    if(run->n_args)
        add_num(j, "process.args_count", run->n_args);
    add_num(j, "process.pid", getpid());
    add_bool(j, "kensa.scan.interrupted", run->interrupted);
    add_num(j, "kensa.scan.findings.total", t->findings);
    for(size_t i = 0; i < t->n_threats; i++) {
        const char *k = own(o, id_key("kensa.scan.findings.by_threat.",
                                      t->threat[i].id));
        if(k)
            add_num(j, k, t->threat[i].n);
    }
    if(t->threat_other)
        add_num(j, "kensa.scan.findings.by_threat_other", t->threat_other);
    for(size_t i = 0; i < sizeof(sev_keys) / sizeof(sev_keys[0]); i++)
        add_num(j, sev_keys[i], t->by_severity[i]);
    for(size_t i = 1; i < sizeof(verdict_keys) / sizeof(verdict_keys[0]);
        i++)
        add_num(j, verdict_keys[i], t->by_verdict[i]);
    if(st) {
        add_num(j, "kensa.scan.files", st->files);
        add_num(j, "kensa.scan.bytes", st->bytes);
        add_num(j, "kensa.scan.objects", st->objects);
        add_num(j, "kensa.scan.warnings", st->warnings);
        add_num(j, "kensa.scan.errors", st->errors);
        add_num(j, "kensa.scan.skipped.limit", st->skipped_limit);
        add_num(j, "kensa.scan.skipped.excluded", st->excluded);
        add_num(j, "kensa.scan.skipped.pruned_count", st->pruned_fs);
        add_num(j, "kensa.scan.skipped.vanished", st->vanished);
    }
    skipped(j, o, run);
    if(rec_is_cut(rc))
        add_bool(j, "kensa.truncated", true);
    emit(rc, j);
out:
    free(msg);
    if(o)
        owned_free(o);
    free(o);
    free(j);
}

static void json_run(struct kensa_report *r, const struct kensa_run *run)
{
    json_write(r, run_rec, run);
}

const struct report_ops report_json_ops = {
    .finding = json_finding,
    .warning = json_warning,
    .run = json_run,
    .action = json_action,
    .destroy = json_destroy,
};
