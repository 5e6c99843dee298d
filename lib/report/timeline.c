/*
 * timeline.c - where it came in: the scan's findings joined into one
 * time line (kensa_timeline_*, include/kensa/kensa.h).  Each finding
 * gives the times it carries: a log line's own time (@timestamp, an
 * attack with its client address), the start of the process that holds
 * it (process.start), and for a file on disk its modification, status
 * change and birth times (a status change or birth equal to the
 * modification to the second is left out: one event says it; one that
 * differs shows a file whose mtime was set back).  Events are kept in
 * memory, bounded (TL_MAX_EVENTS events, TL_MAX_BYTES of strings, each
 * string cut to TL_FIELD_MAX bytes at a UTF-8 boundary) and sorted at
 * the end; written as CSV or JSON Lines through the report's escapers
 * (valid whatever bytes a path holds), and summarised for people around
 * the first attack.  Reports never parse: the times come from the
 * finding's attributes, already ISO 8601 UTC.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kensa/kensa.h"
#include "report/report.h"
#include "util/esc.h"

#define TL_MAX_EVENTS 100000
#define TL_MAX_BYTES ((size_t)64 << 20)
#define TL_FIELD_MAX 4096
#define TL_AROUND 20   /* summary: events before and after the attack */

enum tl_kind { TL_LOG, TL_MODIFIED, TL_CHANGED, TL_BORN, TL_PROCESS };

static const char *const kind_name[] = {
    "log", "modified", "changed", "born", "process",
};

/* What one finding says, shared by its events. */
struct tl_item {
    char *what, *where, *threat, *rule, *client, *process;
    uint64_t line;
    enum kensa_verdict verdict;
};

struct tl_event {
    int64_t sec;
    uint32_t ns;
    enum tl_kind kind;
    size_t item;
    size_t seq;   /* arrival: equal times keep it */
};

struct kensa_timeline {
    enum kensa_lang lang;
    const struct kensa_system *sys;   /* borrowed; NULL: the host */
    struct tl_item *items;
    size_t n_items, cap_items;
    struct tl_event *ev;
    size_t n, cap;
    size_t bytes;
    uint64_t dropped;   /* events not kept (a cap) */
    bool sorted;
};

struct kensa_timeline *kensa_timeline_new(enum kensa_lang lang)
{
    struct kensa_timeline *t = calloc(1, sizeof(*t));
    if(t)
        t->lang = lang;
    return t;
}

void kensa_timeline_free(struct kensa_timeline *t)
{
    if(!t)
        return;
    for(size_t i = 0; i < t->n_items; i++) {
        struct tl_item *it = &t->items[i];
        free(it->what);
        free(it->where);
        free(it->threat);
        free(it->rule);
        free(it->client);
        free(it->process);
    }
    free(t->items);
    free(t->ev);
    free(t);
}

void kensa_timeline_set_system(struct kensa_timeline *t,
                               const struct kensa_system *sys)
{
    if(t)
        t->sys = sys;
}

uint64_t kensa_timeline_dropped(const struct kensa_timeline *t)
{
    return t ? t->dropped : 0;
}

/* "2021-12-11T10:00:01[.123]Z" into seconds and nanoseconds; false when
 * it is not that form (a time the detector could not normalise). */
static bool parse_utc(const char *s, int64_t *sec, uint32_t *ns)
{
    struct tm tm = { 0 };
    const char *p;
    if(!s || strlen(s) < 20 || s[4] != '-' || s[10] != 'T' ||
       strspn(s, "0123456789") != 4 ||
       !(p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) || p != s + 19 ||
       tm.tm_year < 70)
        return false;
    uint32_t frac = 0, scale = 1000000000;
    if(*p == '.')
        for(p++; *p >= '0' && *p <= '9'; p++)
            if(scale > 1) {
                scale /= 10;
                frac += (uint32_t)(*p - '0') * scale;
            }
    if(*p != 'Z' || p[1])
        return false;
    *sec = (int64_t)timegm(&tm);
    *ns = frac;
    return true;
}

/* s cut to TL_FIELD_MAX at a UTF-8 boundary, copied and counted; NULL
 * for NULL or "" (and when out of memory). */
static char *keep(struct kensa_timeline *t, const char *s)
{
    if(!s || !*s)
        return NULL;
    size_t n = utf8_cut(s, strlen(s), TL_FIELD_MAX);
    char *p = strndup(s, n);
    if(p)
        t->bytes += n + 1;
    return p;
}

static bool push(struct kensa_timeline *t, enum tl_kind kind, int64_t sec,
                 uint32_t ns)
{
    if(t->n >= TL_MAX_EVENTS) {
        t->dropped++;
        return false;
    }
    if(t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        struct tl_event *v = realloc(t->ev, cap * sizeof(*v));
        if(!v) {
            t->dropped++;
            return false;
        }
        t->ev = v;
        t->cap = cap;
    }
    t->ev[t->n] = (struct tl_event){ .sec = sec, .ns = ns, .kind = kind,
                                     .item = t->n_items, .seq = t->n };
    t->n++;
    t->sorted = false;
    return true;
}

void kensa_timeline_add(struct kensa_timeline *t,
                        const struct kensa_finding *f)
{
    int64_t sec;
    uint32_t ns;
    size_t before;
    if(!t || !f || f->verdict == KENSA_VERDICT_NONE ||
       f->verdict == KENSA_VERDICT_PATCHED)
        return;   /* an inventory entry says nothing happened */
    if(t->bytes >= TL_MAX_BYTES || t->n >= TL_MAX_EVENTS) {
        t->dropped++;
        return;
    }
    if(t->n_items == t->cap_items) {
        size_t cap = t->cap_items ? t->cap_items * 2 : 256;
        struct tl_item *v = realloc(t->items, cap * sizeof(*v));
        if(!v) {
            t->dropped++;
            return;
        }
        t->items = v;
        t->cap_items = cap;
    }
    before = t->n;
    const char *logt = kensa_finding_str(f, "@timestamp");
    if(parse_utc(logt, &sec, &ns))
        push(t, TL_LOG, sec, ns);
    if(parse_utc(kensa_finding_str(f, "process.start"), &sec, &ns))
        push(t, TL_PROCESS, sec, ns);
    /* a log line's file times say when the log was written to, not when
     * anything happened */
    if(f->file_mode && !logt) {
        push(t, TL_MODIFIED, f->file_mtime, f->file_mtime_ns);
        if(f->file_ctime != f->file_mtime)
            push(t, TL_CHANGED, f->file_ctime, f->file_ctime_ns);
        if(f->file_btime_known && f->file_btime != f->file_mtime)
            push(t, TL_BORN, f->file_btime, f->file_btime_ns);
    }
    if(t->n == before)
        return;
    struct tl_item *it = &t->items[t->n_items++];
    memset(it, 0, sizeof(*it));
    char *msg = kensa_finding_message(f, t->lang);
    it->what = keep(t, msg);
    free(msg);
    const char *sp = report_under_root(t->sys ? t->sys->root : NULL,
                                       f->path);
    it->where = keep(t, sp ? sp : f->path);
    it->threat = keep(t, f->threat);
    it->rule = keep(t, f->rule);
    it->client = keep(t, kensa_finding_str(f, "source.ip"));
    const char *pname = kensa_finding_str(f, "process.name");
    const struct kensa_attr *pid = kensa_finding_attr(f, "process.pid");
    if(pname || pid) {
        char pb[TL_FIELD_MAX + 32];
        if(pid && pid->type == KENSA_ATTR_NUM)
            snprintf(pb, sizeof(pb), "%.*s[%lld]", TL_FIELD_MAX,
                     pname ? pname : "", (long long)pid->num);
        else
            snprintf(pb, sizeof(pb), "%.*s[%s]", TL_FIELD_MAX,
                     pname ? pname : "", pid && pid->str ? pid->str : "");
        it->process = keep(t, pb);
    }
    it->line = f->line;
    it->verdict = f->verdict;
}

static int ev_cmp(const void *a, const void *b)
{
    const struct tl_event *x = a, *y = b;
    if(x->sec != y->sec)
        return x->sec < y->sec ? -1 : 1;
    if(x->ns != y->ns)
        return x->ns < y->ns ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void tl_sort(struct kensa_timeline *t)
{
    if(!t->sorted && t->n)
        qsort(t->ev, t->n, sizeof(*t->ev), ev_cmp);
    t->sorted = true;
}

/* ---- files --------------------------------------------------------------- */

static const char *const columns[] = {
    "time", "kind", "what", "path", "line", "verdict", "threat", "rule",
    "client", "process",
};
#define N_COLUMNS (sizeof(columns) / sizeof(columns[0]))

/* The values of one event, in the order of `columns`. */
static void ev_values(const struct kensa_timeline *t,
                      const struct tl_event *e, char tbuf[32],
                      char lbuf[24], const char *v[N_COLUMNS])
{
    const struct tl_item *it = &t->items[e->item];
    report_time_iso(e->sec, (long)e->ns, tbuf);
    lbuf[0] = 0;
    if(it->line)
        snprintf(lbuf, 24, "%llu", (unsigned long long)it->line);
    v[0] = tbuf;
    v[1] = kind_name[e->kind];
    v[2] = it->what;
    v[3] = it->where;
    v[4] = lbuf;
    v[5] = kensa_verdict_name(it->verdict);
    v[6] = it->threat;
    v[7] = it->rule;
    v[8] = it->client;
    v[9] = it->process;
}

struct tl_rec {
    const struct kensa_timeline *t;
    const struct tl_event *e;   /* NULL: the CSV header */
    bool json;
};

static void tl_rec_fn(struct rec *rc, const void *ctx, const void *item)
{
    const struct tl_rec *x = item;
    const char *v[N_COLUMNS];
    char tbuf[32], lbuf[24];
    (void)ctx;
    if(!x->e) {   /* the header, unquoted as the report's */
        for(size_t i = 0; i < N_COLUMNS; i++) {
            rec_puts(rc, columns[i]);
            rec_puts(rc, i + 1 == N_COLUMNS ? "\r\n" : ",");
        }
        return;
    }
    ev_values(x->t, x->e, tbuf, lbuf, v);
    if(!x->json) {
        for(size_t i = 0; i < N_COLUMNS; i++)
            rec_cell(rc, v[i], i + 1 == N_COLUMNS);
        return;
    }
    rec_puts(rc, "{");
    rec_jkv(rc, "@timestamp", v[0]);
    for(size_t i = 1; i < N_COLUMNS; i++) {
        if(i == 4) {
            if(lbuf[0])
                rec_printf(rc, ",\"line\":%s", lbuf);
        } else if(v[i]) {
            rec_jnext(rc, columns[i], v[i]);
        }
    }
    if(rec_is_cut(rc))
        rec_puts(rc, ",\"truncated\":true");
    rec_puts(rc, "}\n");
}

enum kensa_err kensa_timeline_write(struct kensa_timeline *t, FILE *out,
                                    bool json)
{
    struct tl_rec x = { .t = t, .json = json };
    enum kensa_err err = KENSA_OK;
    if(!t || !out)
        return KENSA_EINVAL;
    tl_sort(t);
    if(!json)
        err = rec_write(out, REPORT_RECORD_MAX, REPORT_FIELD_CUT, tl_rec_fn,
                        NULL, &x);
    for(size_t i = 0; i < t->n && !err; i++) {
        x.e = &t->ev[i];
        err = rec_write(out, REPORT_RECORD_MAX, REPORT_FIELD_CUT, tl_rec_fn,
                        NULL, &x);
    }
    if(fflush(out) || ferror(out))
        err = err ? err : KENSA_EIO;
    return err;
}

/* ---- for people ---------------------------------------------------------- */

/* The time in the local zone, its zone shown ("2021-12-11T19:00:01
 * +09:00" without the space; "Z" for UTC). */
static void local_time(int64_t sec, char out[48])
{
    time_t tt = (time_t)sec;
    struct tm lt;
    char zone[8];
    if(!localtime_r(&tt, &lt) ||
       !strftime(out, 48, "%Y-%m-%dT%H:%M:%S", &lt) ||
       strftime(zone, sizeof(zone), "%z", &lt) != 5) {
        report_time_iso(sec, 0, out);
        return;
    }
    size_t n = strlen(out);
    if(!strcmp(zone, "+0000"))
        snprintf(out + n, 48 - n, "Z");
    else
        snprintf(out + n, 48 - n, "%.3s:%s", zone, zone + 3);
}

static void say(FILE *o, enum kensa_lang lang, const char *id,
                const char *const *args, size_t n)
{
    kensa_message_print(o, id, args, n, lang);
    fputc('\n', o);
}

void kensa_timeline_summary(struct kensa_timeline *t, FILE *o,
                            enum kensa_lang lang)
{
    char when[48], nb[24], nb2[24];
    size_t first = SIZE_MAX, lo, hi;
    if(!t || !t->n)
        return;
    tl_sort(t);
    for(size_t i = 0; i < t->n && first == SIZE_MAX; i++)
        if(t->ev[i].kind == TL_LOG &&
           t->items[t->ev[i].item].verdict == KENSA_VERDICT_ATTACK)
            first = i;
    say(o, lang, "timeline.head", NULL, 0);
    if(first != SIZE_MAX) {
        const struct tl_item *it = &t->items[t->ev[first].item];
        local_time(t->ev[first].sec, when);
        const char *a[2] = { when, it->client ? it->client : "?" };
        say(o, lang, "timeline.first_attack", a, 2);
        lo = first > TL_AROUND ? first - TL_AROUND : 0;
        hi = t->n - first > TL_AROUND ? first + TL_AROUND + 1 : t->n;
    } else {   /* no attack in the logs read: the latest events */
        say(o, lang, "timeline.no_attack", NULL, 0);
        lo = t->n > 2 * TL_AROUND ? t->n - 2 * TL_AROUND : 0;
        hi = t->n;
    }
    for(size_t i = lo; i < hi; i++) {
        const struct tl_event *e = &t->ev[i];
        const struct tl_item *it = &t->items[e->item];
        char kid[32], label[64];
        snprintf(kid, sizeof(kid), "timeline.kind.%s", kind_name[e->kind]);
        kensa_message_render(kid, NULL, 0, lang, label, sizeof(label));
        local_time(e->sec, when);
        const char *a[4] = { when, label, it->what ? it->what : "",
                             it->where ? it->where : "" };
        say(o, lang, i == first ? "timeline.row_attack" : "timeline.row",
            a, 4);
    }
    if(hi - lo < t->n) {
        snprintf(nb, sizeof(nb), "%zu", hi - lo);
        snprintf(nb2, sizeof(nb2), "%zu", t->n);
        const char *a[2] = { nb, nb2 };
        say(o, lang, "timeline.shown", a, 2);
    }
    if(t->dropped) {
        snprintf(nb, sizeof(nb), "%llu", (unsigned long long)t->dropped);
        snprintf(nb2, sizeof(nb2), "%d", TL_MAX_EVENTS);
        const char *a[2] = { nb, nb2 };
        say(o, lang, "timeline.dropped", a, 2);
    }
    fputc('\n', o);
}
