/*
 * json.c - JSON Lines, one object per finding (event.kind "alert") and per
 * warning (event.kind "event", event.outcome "failure"), with Elastic
 * Common Schema names where one fits and kensa.* for the rest.  The
 * mapping is documented in docs/OUTPUT.md.
 *
 * A finding record is a flat list of dotted fields - the writer's own
 * (the core every finding has) and the detector's typed attributes -
 * sorted by key segment by segment and written as nested objects, so a
 * detector's "file.hash.md5" lands in the same "file" object as the
 * core's "file.path" without this file knowing any detector.  Repeated
 * keys become arrays; a key that is also the prefix of another, or
 * repeats a core field, is dropped (the core wins).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intel/messages.h"
#include "report/report.h"
#include "util/json.h"

#define MAX_FIELDS 96

enum jtype { J_STR, J_NUM, J_BOOL };

struct jfield {
    uint64_t pre;     /* the key's first 8 bytes as keycmp orders them */
    const char *key;
    size_t klen;
    enum jtype type;
    const char *s;
    long long n;
    bool list;        /* an array even when alone */
    unsigned order;   /* insertion order: ties keep it (list items) */
};

struct jrec {
    struct jfield v[MAX_FIELDS];
    uint8_t at[MAX_FIELDS];   /* v's indices in key order (sort_fields) */
    size_t n;
};

static void add(struct jrec *j, const char *key, enum jtype t, const char *s,
                long long n, bool list)
{
    if(j->n == MAX_FIELDS || !key || (t == J_STR && !s))
        return;
    size_t kl = strlen(key);
    uint64_t pre = 0;
    for(size_t i = 0; i < 8; i++) {
        unsigned char c = i < kl ? (unsigned char)key[i] : 0;
        pre = pre << 8 | (c == '.' ? 1u : c);
    }
    j->v[j->n] = (struct jfield){ pre, key, kl, t, s, n, list,
                                  (unsigned)j->n };
    j->n++;
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

/* Sort by key, ties in insertion order.  Insertion sort: a record has a
 * few dozen fields, added nearly in order, so this is about linear. */
static void sort_fields(struct jrec *j)
{
    for(size_t i = 0; i < j->n; i++) {
        const struct jfield *t = &j->v[i];
        size_t k = i;
        while(k) {
            const struct jfield *o = &j->v[j->at[k - 1]];
            if(o->pre < t->pre ||
               (o->pre == t->pre && keycmp(o->key, t->key) <= 0))
                break;
            j->at[k] = j->at[k - 1];
            k--;
        }
        j->at[k] = (uint8_t)i;
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
    case J_NUM: rec_printf(rc, "%lld", f->n); break;
    case J_BOOL: rec_puts(rc, f->n ? "true" : "false"); break;
    }
}

/* Write the fields of j, sorted, as one nested JSON object and "\n". */
static void emit(struct rec *rc, struct jrec *j)
{
    sort_fields(j);
    rec_puts(rc, "{");
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
        if(pl && !strncmp(prev, f->key, pl) && f->key[pl] == '.')
            continue;
        size_t cp = common_prefix(prev, f->key);
        for(size_t d = dots(prev, pl) - dots(prev, cp); d; d--)
            rec_puts(rc, "}");
        /* open the key's objects below the common prefix */
        const char *p = f->key + cp;
        for(const char *dot; (dot = strchr(p, '.')); p = dot + 1) {
            if(comma)
                rec_puts(rc, ",");
            if(!rc->err)
                rc->err = json_strn(&rc->b, p, (size_t)(dot - p));
            rec_puts(rc, ":{");
            comma = false;
        }
        if(comma)
            rec_puts(rc, ",");
        if(!rc->err)
            rc->err = json_strn(&rc->b, p, (size_t)(f->key + f->klen - p));
        rec_puts(rc, ":");
        comma = true;
        /* a list: the key's fields in their order (a field that is not
         * a list item and repeats is written once) */
        bool list = false;
        for(size_t k = 0; k < same; k++)
            list |= FIELD(j, i + k)->list;
        if(list) {
            rec_puts(rc, "[");
            for(size_t k = 0; k < same; k++) {
                if(k)
                    rec_puts(rc, ",");
                value(rc, FIELD(j, i + k));
            }
            rec_puts(rc, "]");
        } else {
            value(rc, f);
        }
        prev = f->key;
        pl = f->klen;
    }
    for(size_t d = dots(prev, pl); d; d--)
        rec_puts(rc, "}");
    rec_puts(rc, "}\n");
}

/* The system the record is about: host.* (ECS). */
static void host(struct jrec *j, const struct kensa_report *r)
{
    const struct kensa_system *y = r->sys;
    if(!y)
        return;
    add_str(j, "host.hostname", y->hostname);
    add_str(j, "host.name", y->hostname);
    add_str(j, "host.os.type", y->os_type);
    add_str(j, "host.os.platform", y->os_platform);
    add_str(j, "host.os.name", y->os_name);
    add_str(j, "host.os.version", y->os_version);
    add_str(j, "host.os.full", y->os_full);
    add_str(j, "kensa.system.root", y->root);
}

static void head(struct jrec *j, const char *ts, const char *kind,
                 const char *dataset)
{
    add_str(j, "@timestamp", ts);
    add_str(j, "ecs.version", KENSA_ECS_VERSION);
    add_str(j, "observer.product", "kensa");
    add_str(j, "observer.version", KENSA_VERSION);
    add_str(j, "event.kind", kind);
    add_str(j, "event.module", "kensa");
    add_str(j, "event.dataset", dataset);
}

static void finding_rec(struct rec *rc, const void *ctx, const void *item)
{
    const struct kensa_report *r = ctx;
    const struct kensa_finding *f = item;
    struct jrec jr, *j = &jr;
    char ts[32], ds[64], small[512];
    char *msg = NULL, *loc = NULL, *ev = NULL, *evloc = NULL;
    bool local = r->o.lang != KENSA_LANG_EN;

    j->n = 0;
    report_timestamp(ts);
    snprintf(ds, sizeof(ds), "kensa.%s", f->detector);
    head(j, ts, "alert", ds);
    host(j, r);
    add_str(j, "kensa.system.path", report_system_path(r, f->file_path));
    add_item(j, "event.type", "info");
    add_num(j, "event.severity", (int)f->severity * 25);
    /* the English message: on the stack when it fits */
    const char *en = small;
    if(kensa_message_render(f->message.id, f->message.args, f->message.nargs,
                            KENSA_LANG_EN, small, sizeof(small)) >=
       sizeof(small)) {
        if(!(msg = kensa_finding_message(f, KENSA_LANG_EN))) {
            rc->err = KENSA_ENOMEM;
            return;
        }
        en = msg;
    }
    add_str(j, "message", en);
    add_str(j, "file.path", f->file_path);
    add_str(j, "file.hash.sha256", f->file_sha256);
    if(f->object_sha256 || f->file_sha256)
        add_item(j, "related.hash", f->object_sha256 ? f->object_sha256
                                                     : f->file_sha256);
    add_str(j, "rule.id", f->rule);
    add_str(j, "kensa.path", f->path);
    add_str(j, "kensa.threat", f->threat);
    add_str(j, "kensa.verdict", kensa_verdict_name(f->verdict));
    add_str(j, "kensa.severity", kensa_severity_name(f->severity));
    add_str(j, "kensa.detector", f->detector);
    add_num(j, "kensa.depth", f->depth);
    add_str(j, "kensa.object.hash.sha256", f->object_sha256);
    if(f->line) {
        add_num(j, "kensa.line", f->line);
        add_str(j, "log.file.path", f->file_path);
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
        category |= a->key && !strcmp(a->key, "event.category");
        switch(a->type) {
        case KENSA_ATTR_STR: add(j, a->key, J_STR, a->str, 0, list); break;
        case KENSA_ATTR_NUM: add(j, a->key, J_NUM, NULL, a->num, list); break;
        case KENSA_ATTR_BOOL: add(j, a->key, J_BOOL, NULL, a->num, list);
            break;
        }
    }
    if(!category)
        add_item(j, "event.category", "file");
    emit(rc, j);
    free(msg);
    free(loc);
    free(ev);
    free(evloc);
}

static void json_finding(struct kensa_report *r, const struct kensa_finding *f)
{
    report_write(r, finding_rec, f);
}

static void warning_rec(struct rec *rc, const void *ctx, const void *item)
{
    const struct kensa_warning *w = item;
    const struct kensa_report *r = ctx;
    struct jrec jr, *j = &jr;
    char ts[32];
    char *loc = NULL;

    j->n = 0;
    report_timestamp(ts);
    head(j, ts, "event", "kensa.scan");
    host(j, r);
    add_str(j, "event.outcome", "failure");
    add_str(j, "error.message", w->message);   /* English, for SIEM rules */
    add_str(j, "error.code", kensa_strerror(w->err));
    add_str(j, "error.id", w->id);
    add_str(j, "kensa.path", w->path);
    if(w->id) {
        add_str(j, "kensa.message_id", w->id);
        for(size_t i = 0; i < w->nargs; i++)
            add_item(j, "kensa.message_args", w->args[i] ? w->args[i] : "");
        /* the reader's language beside the English error.message */
        if(r->o.lang != KENSA_LANG_EN &&
           (loc = kmsg_warning_alloc(w, r->o.lang)))
            add_str(j, "kensa.message", loc);
    }
    if(rec_is_cut(rc))
        add_bool(j, "kensa.truncated", true);
    emit(rc, j);
    free(loc);
}

static void json_warning(struct kensa_report *r, const struct kensa_warning *w)
{
    report_write(r, warning_rec, w);
}

const struct report_ops report_json_ops = {
    .finding = json_finding,
    .warning = json_warning,
};
