/*
 * iocs.c - what the log hunt found, gathered for responders: hits per
 * file with first and last seen, the source addresses that attacked, every
 * callback host and decoded command.  Printed as a summary, and written as
 * indicators (CSV, or a STIX 2.1 bundle when the file name ends in .json).
 *
 * Fed with findings only (reports never parse); every table is capped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kensa/kensa.h"
#include "util/buf.h"
#include "util/json.h"

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
    if(t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 32;
        struct row *nv = realloc(t->v, nc * sizeof(*nv));
        if(!nv)
            return NULL;
        t->v = nv;
        t->cap = nc;
    }
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
    if(!io || strcmp(f->detector, "logs"))
        return;
    if(f->verdict != KENSA_VERDICT_ATTACK) {
        io->suspicious++;
        return;
    }
    io->attacks++;
    if((r = table_get(&io->files, f->file_path ? f->file_path : f->path))) {
        r->n++;
        if(f->log_time && !r->extra)
            set(&r->extra, f->log_time);
        set(&r->last, f->log_time);
    }
    if(f->source_ip && (r = table_get(&io->sources, f->source_ip)))
        r->n++;
    if(f->cb_host && (r = table_get(&io->hosts, f->cb_host))) {
        r->n++;
        if(!r->extra)
            set(&r->extra, f->cb_domain);
        if(!r->last)
            set(&r->last, f->cb_scheme);
    }
    if(f->command && (r = table_get(&io->commands, f->command)))
        r->n++;
}

/* Say how many distinct values a full table could not keep. */
static void note_dropped(FILE *o, const struct table *t, bool ja)
{
    if(!t->dropped)
        return;
    if(ja)
        fprintf(o, "  (ほか %llu 件は上限 %d 件を超えたため記録せず)\n",
                (unsigned long long)t->dropped, MAX_ROWS);
    else
        fprintf(o, "  (%llu more not kept: at most %d per table)\n",
                (unsigned long long)t->dropped, MAX_ROWS);
}

void kensa_iocs_summary(struct kensa_iocs *io, FILE *o, enum kensa_lang lang)
{
    if(!io || (!io->attacks && !io->suspicious))
        return;
    bool ja = lang == KENSA_LANG_JA;
    fprintf(o, "== %s ==\n", ja ? "ログ調査のまとめ (Log4Shell)"
                                : "Log hunt summary (Log4Shell)");
    fprintf(o, "%s: %llu, %s: %llu\n", ja ? "攻撃" : "attacks",
            (unsigned long long)io->attacks, ja ? "疑わしい" : "suspicious",
            (unsigned long long)io->suspicious);
    table_sort(&io->files);
    for(size_t i = 0; i < io->files.n; i++)
        fprintf(o, "  %s: %llu %s, %s %s, %s %s\n", io->files.v[i].key,
                (unsigned long long)io->files.v[i].n, ja ? "件" : "hits",
                ja ? "初回" : "first", io->files.v[i].extra ? io->files.v[i].extra : "?",
                ja ? "最終" : "last", io->files.v[i].last ? io->files.v[i].last : "?");
    note_dropped(o, &io->files, ja);
    table_sort(&io->sources);
    if(io->sources.n)
        fprintf(o, "%s:\n", ja ? "攻撃元アドレス (上位)" : "top source addresses");
    for(size_t i = 0; i < io->sources.n && i < 10; i++)
        fprintf(o, "  %-40s %llu\n", io->sources.v[i].key,
                (unsigned long long)io->sources.v[i].n);
    note_dropped(o, &io->sources, ja);
    table_sort(&io->hosts);
    if(io->hosts.n)
        fprintf(o, "%s:\n", ja ? "コールバック先" : "callback hosts");
    for(size_t i = 0; i < io->hosts.n; i++)
        fprintf(o, "  %s://%s (%s) %llu\n",
                io->hosts.v[i].last ? io->hosts.v[i].last : "?",
                io->hosts.v[i].key,
                io->hosts.v[i].extra ? io->hosts.v[i].extra : "?",
                (unsigned long long)io->hosts.v[i].n);
    note_dropped(o, &io->hosts, ja);
    table_sort(&io->commands);
    if(io->commands.n)
        fprintf(o, "%s:\n", ja ? "復号したコマンド" : "decoded commands");
    for(size_t i = 0; i < io->commands.n; i++)
        fprintf(o, "  %s  (%llu)\n", io->commands.v[i].key,
                (unsigned long long)io->commands.v[i].n);
    note_dropped(o, &io->commands, ja);
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
    buf_init(&b, 8192);
    buf_puts(&b, kind);
    buf_puts(&b, value);
    sha256_hex(b.p, b.len, h);
    buf_free(&b);
    snprintf(out, 64, "indicator--%.8s-%.4s-5%.3s-a%.3s-%.12s", h, h + 8,
             h + 13, h + 17, h + 20);
}

static void stix_indicator(struct buf *b, bool *first, const char *ts,
                           const char *name, const char *pattern,
                           const char *label, const char *idkey)
{
    char id[64];
    stix_id(label, idkey, id);
    buf_puts(b, *first ? "\n  " : ",\n  ");
    *first = false;
    buf_puts(b, "{\"type\":\"indicator\",\"spec_version\":\"2.1\",");
    json_kv(b, "id", id);
    buf_puts(b, ",");
    json_kv(b, "created", ts);
    buf_puts(b, ",");
    json_kv(b, "modified", ts);
    buf_puts(b, ",");
    json_kv(b, "valid_from", ts);
    buf_puts(b, ",");
    json_kv(b, "name", name);
    buf_puts(b, ",\"pattern_type\":\"stix\",");
    json_kv(b, "pattern", pattern);
    buf_puts(b, ",\"indicator_types\":[\"malicious-activity\"],\"labels\":[");
    json_str(b, label);
    buf_puts(b, ",\"log4shell\"]}");
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

enum kensa_err kensa_iocs_write(struct kensa_iocs *io, const char *path)
{
    if(!io)
        return KENSA_EINVAL;
    FILE *o = fopen(path, "w");
    if(!o)
        return KENSA_EIO;
    size_t pl = strlen(path);
    bool stix = pl > 5 && !strcmp(path + pl - 5, ".json");
    if(!stix) {
        fputs("type,value,context,count\r\n", o);
        for(size_t i = 0; i < io->hosts.n; i++)
            fprintf(o, "%s,\"%s\",\"callback %s, domain %s\",%llu\r\n",
                    is_ip(io->hosts.v[i].key) ? "ip" : "host",
                    io->hosts.v[i].key,
                    io->hosts.v[i].last ? io->hosts.v[i].last : "",
                    io->hosts.v[i].extra ? io->hosts.v[i].extra : "",
                    (unsigned long long)io->hosts.v[i].n);
        for(size_t i = 0; i < io->sources.n; i++)
            fprintf(o, "ip,\"%s\",\"attack source\",%llu\r\n",
                    io->sources.v[i].key,
                    (unsigned long long)io->sources.v[i].n);
        for(size_t i = 0; i < io->commands.n; i++) {
            fputs("command,\"", o);
            for(const char *p = io->commands.v[i].key; *p; p++) {
                if(*p == '"')
                    fputc('"', o);
                fputc(*p == '\n' || *p == '\r' ? ' ' : *p, o);
            }
            fprintf(o, "\",\"decoded exploit-kit command\",%llu\r\n",
                    (unsigned long long)io->commands.v[i].n);
        }
    } else {
        struct buf b;
        char ts[40], bid[64], pat[1024], name[512];
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S.000Z", &tm);
        buf_init(&b, 64u << 20);
        stix_id("bundle", ts, bid);
        memcpy(bid, "bundle--", 8);
        memmove(bid + 8, bid + 11, strlen(bid + 11) + 1);
        buf_puts(&b, "{\"type\":\"bundle\",");
        json_kv(&b, "id", bid);
        buf_puts(&b, ",\"objects\":[");
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
            stix_indicator(&b, &first, ts, name, pat, "log4shell-callback", h);
        }
        for(size_t i = 0; i < io->sources.n; i++) {
            const char *h = io->sources.v[i].key;
            if(!is_ip(h))
                continue;
            pattern(pat, sizeof(pat), strchr(h, ':') ? "ipv6-addr:value"
                                                     : "ipv4-addr:value", h);
            snprintf(name, sizeof(name), "Log4Shell attack source %s", h);
            stix_indicator(&b, &first, ts, name, pat, "log4shell-source", h);
        }
        for(size_t i = 0; i < io->commands.n; i++) {
            pattern(pat, sizeof(pat), "process:command_line",
                    io->commands.v[i].key);
            stix_indicator(&b, &first, ts, "Log4Shell exploit-kit command",
                           pat, "log4shell-command", io->commands.v[i].key);
        }
        buf_puts(&b, "\n]}\n");
        fwrite(b.p, 1, b.len, o);
        buf_free(&b);
    }
    return fclose(o) ? KENSA_EIO : KENSA_OK;
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
