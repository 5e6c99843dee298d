/*
 * iocs.c - what the log hunt found, gathered for responders: hits per
 * file with first and last seen, the source addresses that attacked, every
 * callback host and decoded command.  Printed as a summary, and written as
 * indicators (CSV, or a STIX 2.1 bundle when the file name ends in .json).
 *
 * Fed with findings only (reports never parse); every table is capped and
 * hash-indexed.  Every value came from a log: the summary escapes it for
 * the terminal, the CSV writes it through csv_cell, and each STIX
 * indicator is built whole before it is written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/report.h"

#define MAX_ROWS 100000

struct row {
    char *key;      /* file path, address, host or command */
    char *extra;    /* scheme or domain; first seen for files */
    char *last;     /* last seen (files) */
    uint64_t n;
};

/*
 * Rows in arrival order (v) plus an open-addressing index over them
 * (slot holds row index + 1, 0 = empty; linear probing, at most half
 * full), so a lookup costs the same with 10 rows or 100000.  Past
 * MAX_ROWS new keys are counted in `dropped` and not kept.
 */
struct table {
    struct row *v;
    size_t n, cap;
    uint32_t *slot;
    size_t nslot;   /* a power of two, or 0 */
    uint64_t dropped;
};

struct kensa_iocs {
    struct table files, sources, hosts, commands;
    uint64_t attacks, suspicious;
};

struct kensa_iocs *kensa_iocs_new(void)
{
    return calloc(1, sizeof(struct kensa_iocs));
}

static size_t key_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;   /* FNV-1a */
    for(; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return (size_t)(h ^ h >> 32);
}

/* Index every row again into `nslot` slots.  ENOMEM leaves t as it was. */
static enum kensa_err table_rehash(struct table *t, size_t nslot)
{
    uint32_t *ns = calloc(nslot, sizeof(*ns));
    if(!ns)
        return KENSA_ENOMEM;
    for(size_t i = 0; i < t->n; i++) {
        size_t k = key_hash(t->v[i].key) & (nslot - 1);
        while(ns[k])
            k = (k + 1) & (nslot - 1);
        ns[k] = (uint32_t)(i + 1);
    }
    free(t->slot);
    t->slot = ns;
    t->nslot = nslot;
    return KENSA_OK;
}

/* The row for `key`, added if new; NULL when the table is full (counted
 * as dropped) or memory runs out. */
static struct row *table_get(struct table *t, const char *key)
{
    if(2 * (t->n + 1) > t->nslot) {   /* the index stays half empty */
        size_t ns = t->nslot ? t->nslot : 64;
        while(ns < 2 * (t->n + 1))
            ns *= 2;
        if(table_rehash(t, ns))
            return NULL;
    }
    size_t k = key_hash(key) & (t->nslot - 1);
    for(; t->slot[k]; k = (k + 1) & (t->nslot - 1)) {
        struct row *r = &t->v[t->slot[k] - 1];
        if(!strcmp(r->key, key))
            return r;
    }
    if(t->n >= MAX_ROWS) {
        t->dropped++;
        return NULL;
    }
    struct row *nv = array_grow(t->v, &t->cap, t->n, sizeof(*nv), 32);
    if(!nv)
        return NULL;
    t->v = nv;
    struct row *r = &t->v[t->n];
    memset(r, 0, sizeof(*r));
    r->key = strdup(key);
    if(!r->key)
        return NULL;
    t->slot[k] = (uint32_t)(++t->n);
    return r;
}

static int by_count(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    return x->n < y->n ? 1 : x->n > y->n ? -1 : strcmp(x->key, y->key);
}

/* Most counted first; the index follows the rows' new places. */
static void table_sort(struct table *t)
{
    if(t->n < 2)
        return;   /* (qsort must not see the NULL of an empty table) */
    qsort(t->v, t->n, sizeof(struct row), by_count);
    if(t->nslot && table_rehash(t, t->nslot)) {
        free(t->slot);   /* no memory: table_get builds it again */
        t->slot = NULL;
        t->nslot = 0;
    }
}

static void set(char **dst, const char *v)
{
    if(!v)
        return;
    free(*dst);
    *dst = strdup(v);
}

void kensa_iocs_add(struct kensa_iocs *io, const struct kensa_finding *f)
{
    struct row *r;
    /* indicators come from attacks seen (whatever detector saw them),
     * read by their ECS names; the table is the Log4Shell hunt's, so a
     * suspicious finding of another threat (a document) is not a near
     * miss of it */
    if(!io || (f->verdict != KENSA_VERDICT_ATTACK &&
               f->verdict != KENSA_VERDICT_SUSPICIOUS) ||
       (f->verdict == KENSA_VERDICT_SUSPICIOUS && f->threat &&
        strcmp(f->threat, KENSA_THREAT_LOG4SHELL)))
        return;
    /* a mail's verdicts (formats/mail.c) sum up findings already counted
     * or are about an archive, not a request: no indicator, no count */
    if(f->detector && !strcmp(f->detector, "mail"))
        return;
    if(f->verdict != KENSA_VERDICT_ATTACK) {
        /* near misses of an attack; a suspicious persistence entry or
         * file (other threats) is no log hit */
        if(f->threat && !strcmp(f->threat, KENSA_THREAT_LOG4SHELL))
            io->suspicious++;
        return;
    }
    const char *when = kensa_finding_str(f, "kensa.log_time");
    const char *source = kensa_finding_str(f, "source.ip");
    const char *host = kensa_finding_str(f, "threat.indicator.url.domain");
    const char *command = kensa_finding_str(f, "kensa.command");
    io->attacks++;
    if((r = table_get(&io->files, f->file_path ? f->file_path : f->path))) {
        r->n++;
        if(when && !r->extra)
            set(&r->extra, when);
        set(&r->last, when);
    }
    if(source && (r = table_get(&io->sources, source)))
        r->n++;
    if(host && (r = table_get(&io->hosts, host))) {
        r->n++;
        if(!r->extra)
            set(&r->extra, kensa_finding_str(f, "threat.indicator.url.registered_domain"));
        if(!r->last)
            set(&r->last, kensa_finding_str(f, "threat.indicator.url.scheme"));
    }
    if(command && (r = table_get(&io->commands, command)))
        r->n++;
}

/* Our text `lead`, then a value from the logs escaped for the terminal
 * ("?" when unknown). */
static void put(FILE *o, const char *lead, const char *value)
{
    fputs(lead, o);
    kensa_fputs_safe(value ? value : "?", o);
}

/* A log line's time as the text report shows times: ISO 8601 in the
 * local zone, the zone shown (as it stands when it is no time kensa
 * reads; "?" when unknown), into iso[48]. */
static const char *show_time(const char *value, char iso[48])
{
    if(value && report_iso_local(value, iso, 48))
        return iso;
    return value ? value : "?";
}

/* One message of the catalog in `lang` and a newline (arguments come
 * from the logs: written escaped). */
static void say(FILE *o, enum kensa_lang lang, const char *id,
                const char *a1, const char *a2, const char *a3,
                const char *a4)
{
    const char *args[4] = { a1, a2, a3, a4 };
    size_t n = a4 ? 4 : a3 ? 3 : a2 ? 2 : a1 ? 1 : 0;
    kensa_message_print(o, id, args, n, lang);
    fputc('\n', o);
}

/* Say how many distinct values a full table could not keep. */
static void note_dropped(FILE *o, const struct table *t, enum kensa_lang l)
{
    char n1[24], n2[24];
    if(!t->dropped)
        return;
    snprintf(n1, sizeof(n1), "%llu", (unsigned long long)t->dropped);
    snprintf(n2, sizeof(n2), "%d", MAX_ROWS);
    say(o, l, "iocs.dropped", n1, n2, NULL, NULL);
}

void kensa_iocs_summary(struct kensa_iocs *io, FILE *o, enum kensa_lang lang)
{
    char n1[24], n2[24];
    if(!io || (!io->attacks && !io->suspicious))
        return;
    say(o, lang, "iocs.head", NULL, NULL, NULL, NULL);
    snprintf(n1, sizeof(n1), "%llu", (unsigned long long)io->attacks);
    snprintf(n2, sizeof(n2), "%llu", (unsigned long long)io->suspicious);
    say(o, lang, "iocs.counts", n1, n2, NULL, NULL);
    table_sort(&io->files);
    for(size_t i = 0; i < io->files.n; i++) {
        const struct row *r = &io->files.v[i];
        char hits[64], t1[48], t2[48];
        snprintf(n1, sizeof(n1), "%llu", (unsigned long long)r->n);
        const char *one[1] = { n1 };
        kensa_message_render(r->n == 1 ? "count.hit.one" : "count.hit.other",
                             one, 1, lang, hits, sizeof(hits));
        say(o, lang, "iocs.file", r->key ? r->key : "?", hits,
            show_time(r->extra, t1), show_time(r->last, t2));
    }
    note_dropped(o, &io->files, lang);
    table_sort(&io->sources);
    if(io->sources.n)
        say(o, lang, "iocs.sources", NULL, NULL, NULL, NULL);
    for(size_t i = 0; i < io->sources.n && i < 10; i++) {
        const struct row *r = &io->sources.v[i];
        put(o, "  ", r->key);
        fprintf(o, "%*s %llu\n", (int)(40 - strnlen(r->key, 40)), "",
                (unsigned long long)r->n);
    }
    note_dropped(o, &io->sources, lang);
    table_sort(&io->hosts);
    if(io->hosts.n)
        say(o, lang, "iocs.hosts", NULL, NULL, NULL, NULL);
    for(size_t i = 0; i < io->hosts.n; i++) {
        const struct row *r = &io->hosts.v[i];
        put(o, "  ", r->last);
        put(o, "://", r->key);
        put(o, " (", r->extra);
        fprintf(o, ") %llu\n", (unsigned long long)r->n);
    }
    note_dropped(o, &io->hosts, lang);
    table_sort(&io->commands);
    if(io->commands.n)
        say(o, lang, "iocs.commands", NULL, NULL, NULL, NULL);
    for(size_t i = 0; i < io->commands.n; i++) {
        put(o, "  ", io->commands.v[i].key);
        fprintf(o, "  (%llu)\n", (unsigned long long)io->commands.v[i].n);
    }
    note_dropped(o, &io->commands, lang);
    fputc('\n', o);
}

static bool is_ip(const char *s)
{
    return strspn(s, "0123456789.") == strlen(s) ||
           (strchr(s, ':') && strspn(s, "0123456789abcdefABCDEF:.") ==
                                  strlen(s));
}

/* A stable STIX id: UUID-shaped, derived from the value's sha256. */
static void stix_id(const char *kind, const char *value, char out[64])
{
    char h[65];
    struct buf b;
    buf_init(&b, strlen(kind) + strlen(value));   /* always fits */
    if(buf_puts(&b, kind) || buf_puts(&b, value))
        buf_free(&b);   /* no memory: the id of the empty string */
    sha256_hex(b.p ? (const void *)b.p : "", b.len, h);
    buf_free(&b);
    snprintf(out, 64, "indicator--%.8s-%.4s-5%.3s-a%.3s-%.12s", h, h + 8,
             h + 13, h + 17, h + 20);
}

/* One CSV indicator row, or one STIX indicator object. */
struct ioc_out {
    const char *type, *value, *context;   /* CSV */
    uint64_t n;
    const char *ts, *name, *pattern, *label;   /* STIX; value = id key */
    bool first;
};

static void csv_rec(struct rec *rc, const void *ctx, const void *item)
{
    const struct ioc_out *c = item;
    char n[24];
    (void)ctx;
    snprintf(n, sizeof(n), "%llu", (unsigned long long)c->n);
    rec_cell(rc, c->type, false);
    rec_cell(rc, c->value, false);
    rec_cell(rc, c->context, false);
    rec_cell(rc, n, true);
}

static void csv_row(FILE *o, const char *type, const char *value,
                    const char *context, uint64_t n)
{
    struct ioc_out c = { .type = type, .value = value, .context = context,
                         .n = n };
    rec_write(o, REPORT_RECORD_MAX, REPORT_FIELD_CUT, csv_rec, NULL, &c);
}

static void stix_rec(struct rec *rc, const void *ctx, const void *item)
{
    const struct ioc_out *c = item;
    char id[64];
    (void)ctx;
    stix_id(c->label, c->value, id);
    rec_puts(rc, c->first ? "\n  " : ",\n  ");
    rec_puts(rc, "{\"type\":\"indicator\",\"spec_version\":\"2.1\",");
    rec_jkv(rc, "id", id);
    rec_jnext(rc, "created", c->ts);
    rec_jnext(rc, "modified", c->ts);
    rec_jnext(rc, "valid_from", c->ts);
    rec_jnext(rc, "name", c->name);
    rec_puts(rc, ",\"pattern_type\":\"stix\",");
    rec_jkv(rc, "pattern", c->pattern);
    rec_puts(rc, ",\"indicator_types\":[\"malicious-activity\"],\"labels\":[");
    rec_jstr(rc, c->label);
    rec_puts(rc, ",\"log4shell\"]}");
}

static void stix_indicator(FILE *o, bool *first, const char *ts,
                           const char *name, const char *pattern,
                           const char *label, const char *idkey)
{
    struct ioc_out c = { .value = idkey, .ts = ts, .name = name,
                         .pattern = pattern, .label = label,
                         .first = *first };
    if(!rec_write(o, REPORT_RECORD_MAX, REPORT_FIELD_CUT, stix_rec, NULL,
                  &c))
        *first = false;
}

/* STIX patterns quote with ' and escape \ and '. */
static void pattern(char *out, size_t cap, const char *type, const char *v)
{
    size_t k = (size_t)snprintf(out, cap, "[%s = '", type);
    for(const char *p = v; *p && k + 3 < cap; p++) {
        if(*p == '\'' || *p == '\\')
            out[k++] = '\\';
        out[k++] = *p;
    }
    snprintf(out + k, cap - k, "']");
}

static void write_csv(struct kensa_iocs *io, FILE *o)
{
    struct buf ctx;
    fputs("type,value,context,count\r\n", o);
    for(size_t i = 0; i < io->hosts.n; i++) {
        const struct row *r = &io->hosts.v[i];
        buf_init(&ctx, REPORT_RECORD_MAX);
        buf_printf(&ctx, "callback %s, domain %s", r->last ? r->last : "",
                   r->extra ? r->extra : "");
        csv_row(o, is_ip(r->key) ? "ip" : "host", r->key, buf_cstr(&ctx),
                r->n);
        buf_free(&ctx);
    }
    for(size_t i = 0; i < io->sources.n; i++)
        csv_row(o, "ip", io->sources.v[i].key, "attack source",
                io->sources.v[i].n);
    /* the logs attacked, first and last seen in ISO 8601 UTC (a time
     * without a zone as it stands, one kensa cannot read as written) */
    table_sort(&io->files);
    for(size_t i = 0; i < io->files.n; i++) {
        const struct row *r = &io->files.v[i];
        char t1[48], t2[48];
        const char *first = r->extra, *last = r->last;
        if(first && report_iso_utc(first, t1, sizeof(t1)))
            first = t1;
        if(last && report_iso_utc(last, t2, sizeof(t2)))
            last = t2;
        buf_init(&ctx, REPORT_RECORD_MAX);
        buf_printf(&ctx, "attacked log, first %s, last %s",
                   first ? first : "?", last ? last : "?");
        csv_row(o, "file", r->key, buf_cstr(&ctx), r->n);
        buf_free(&ctx);
    }
    for(size_t i = 0; i < io->commands.n; i++)
        csv_row(o, "command", io->commands.v[i].key,
                "decoded exploit-kit command", io->commands.v[i].n);
}

/* A bundle written one indicator at a time: no cap on the whole. */
static void write_stix(struct kensa_iocs *io, FILE *o)
{
    char ts[40], bid[64], pat[1024], name[512];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S.000Z", &tm);
    stix_id("bundle", ts, bid);
    memcpy(bid, "bundle--", 8);
    memmove(bid + 8, bid + 11, strlen(bid + 11) + 1);
    fprintf(o, "{\"type\":\"bundle\",\"id\":\"%s\",\"objects\":[", bid);
    bool first = true;
    for(size_t i = 0; i < io->hosts.n; i++) {
        const char *h = io->hosts.v[i].key;
        if(strstr(h, "${"))
            h = io->hosts.v[i].extra ? io->hosts.v[i].extra : "";
        if(!*h)
            continue;
        pattern(pat, sizeof(pat), is_ip(h) ? (strchr(h, ':') ?
                "ipv6-addr:value" : "ipv4-addr:value") :
                "domain-name:value", h);
        snprintf(name, sizeof(name), "Log4Shell callback %s", h);
        stix_indicator(o, &first, ts, name, pat, "log4shell-callback", h);
    }
    for(size_t i = 0; i < io->sources.n; i++) {
        const char *h = io->sources.v[i].key;
        if(!is_ip(h))
            continue;
        pattern(pat, sizeof(pat), strchr(h, ':') ? "ipv6-addr:value"
                                                 : "ipv4-addr:value", h);
        snprintf(name, sizeof(name), "Log4Shell attack source %s", h);
        stix_indicator(o, &first, ts, name, pat, "log4shell-source", h);
    }
    for(size_t i = 0; i < io->commands.n; i++) {
        pattern(pat, sizeof(pat), "process:command_line",
                io->commands.v[i].key);
        stix_indicator(o, &first, ts, "Log4Shell exploit-kit command",
                       pat, "log4shell-command", io->commands.v[i].key);
    }
    fputs("\n]}\n", o);
}

enum kensa_err kensa_iocs_write(struct kensa_iocs *io, FILE *o, bool stix)
{
    if(!io)
        return KENSA_EINVAL;
    if(stix)
        write_stix(io, o);
    else
        write_csv(io, o);
    return fflush(o) || ferror(o) ? KENSA_EIO : KENSA_OK;
}

static void table_free(struct table *t)
{
    for(size_t i = 0; i < t->n; i++) {
        free(t->v[i].key);
        free(t->v[i].extra);
        free(t->v[i].last);
    }
    free(t->v);
    free(t->slot);
}

void kensa_iocs_free(struct kensa_iocs *io)
{
    if(!io)
        return;
    table_free(&io->files);
    table_free(&io->sources);
    table_free(&io->hosts);
    table_free(&io->commands);
    free(io);
}
