/*
 * yara.c - YARA over every object, through libyara (Debian's 4.2.3).
 *
 * init compiles the rules once per scanner: the intel pack's
 * (intel/rules, embedded by scripts/embed_intel.py) and the user's
 * (kensa_options.rule_paths: .yar/.yara sources, compiled .yarc files,
 * or folders of them).  Sources go into one compiler, each file in a
 * namespace of its own (its name), so two files may use one rule name;
 * a compiled file is a rule set of its own (libyara cannot merge them).
 *
 * Each worker thread has a YR_SCANNER per rule set (thread_init): the
 * externals the public rule sets expect (filename, filepath, extension,
 * filetype, owner, md5) are per object, and libyara keeps externals in
 * the scanner, so scanners cannot be shared.  That is why this uses
 * yr_scanner_scan_mem rather than yr_rules_scan_mem.  md5 is computed
 * (by the digest service) only when some rule reads that external.
 *
 * A scan that ends in an error (time-out, too many matches, memory) is
 * a warning that says the result is incomplete; whatever matched before
 * the error is still reported.  libyara 4.2 has no per-rule time limit:
 * a time-out names the object and the limit (--max-scantime), and rules
 * that libyara warns will be slow are named once, at the first object.
 *
 * This file is the only one that includes <yara.h> (with
 * kensa_intel_check_rules, which the CLI calls to name a bad rule file
 * and line before scanning): a later move to another engine is local.
 */
#define _DEFAULT_SOURCE         /* getpwent */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yara.h>

#include "core/engine.h"
#include "core/finding.h"
#include "detect/yara.h"
#include "intel/iocload.h"
#include "intel/pack.h"

#define YARA_MAX_SETS 17        /* the sources, then up to 16 .yarc */
#define YARA_MAX_FILES 4096     /* rule files from the user's folders */
#define YARA_EV_STRINGS 6       /* matched strings shown per finding */
#define YARA_EV_BYTES 48
#define YARA_SLOW_MAX 16
#define YARA_NET_MAX 20000      /* network indicators made into strings */

struct yset {
    YR_RULES *rules;
    char *origin;               /* "kensa" or the user's file */
};

struct ystate {
    struct yset sets[YARA_MAX_SETS];
    size_t nsets;
    bool want_md5;              /* a rule reads the md5 external */
    bool want_owner;            /* ...the owner external */
    bool user_rules;            /* --rules given: may read the path */
    struct yuser { uid_t uid; char *name; } *users; /* sorted by uid */
    size_t nusers;
    int timeout_s;
    char *slow[YARA_SLOW_MAX];  /* compiler warnings: slow rules */
    size_t nslow;
    atomic_bool slow_told;
};

struct ythread {
    YR_SCANNER *sc[YARA_MAX_SETS];
    size_t n;
    char owner[24];             /* a uid in decimal */
};

/* What the compiler callback collects. */
struct ycomp {
    const char *file;           /* the file being added */
    int errors;
    size_t line;
    char msg[256];
    struct ystate *st;          /* NULL: a check, no slow list */
};

static void comp_cb(int level, const char *file, int line,
                    const YR_RULE *rule, const char *message, void *ud)
{
    struct ycomp *c = ud;
    if(level == YARA_ERROR_LEVEL_ERROR) {
        if(!c->errors++) {
            c->line = line > 0 ? (size_t)line : 0;
            snprintf(c->msg, sizeof(c->msg), "%s", message ? message : "?");
        }
        return;
    }
    /* a warning: "string $a may slow down scanning" and the like */
    if(c->st && c->st->nslow < YARA_SLOW_MAX) {
        char b[320];
        snprintf(b, sizeof(b), "%s%s%s", rule ? rule->identifier : "",
                 rule ? ": " : "", message ? message : "");
        c->st->slow[c->st->nslow] = strdup(b);
        if(c->st->slow[c->st->nslow])
            c->st->nslow++;
    }
    (void)file;
}

/* The externals every rule may read; values are per object. */
static const char *const externals[] = {
    "filename", "filepath", "extension", "filetype", "owner", "md5",
};

static int define_externals(YR_COMPILER *c)
{
    for(size_t i = 0; i < sizeof(externals) / sizeof(externals[0]); i++) {
        if(yr_compiler_define_string_variable(c, externals[i], ""))
            return -1;
    }
    return 0;
}

/* Whether rule text reads external `w` ("md5", "owner"): the bare word,
 * not a member (hash.md5) nor a call, nor part of a longer name. */
static bool reads_word(const char *p, size_t n, const char *w)
{
    size_t wl = strlen(w);
    for(size_t i = 0; i + wl <= n; i++) {
        if(strncmp(p + i, w, wl))
            continue;
        if(i && (isalnum((unsigned char)p[i - 1]) || p[i - 1] == '_' ||
                 p[i - 1] == '.' || p[i - 1] == '$'))
            continue;
        size_t j = i + wl;
        if(j < n && (isalnum((unsigned char)p[j]) || p[j] == '_'))
            continue;
        while(j < n && (p[j] == ' ' || p[j] == '\t'))
            j++;
        if(j < n && p[j] == '(')
            continue;
        return true;
    }
    return false;
}

static bool has_suffix(const char *name, const char *suf)
{
    size_t n = strlen(name), l = strlen(suf);
    return n > l && !strcasecmp(name + n - l, suf);
}

/* Read a whole rule file (capped at 64M). */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rbe");
    if(!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    while(b) {
        if(n + 1 >= cap) {
            if(cap >= (64u << 20)) {
                free(b);
                b = NULL;
                break;
            }
            char *nb = realloc(b, cap * 2);
            if(!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
        size_t k = fread(b + n, 1, cap - 1 - n, f);
        n += k;
        if(!k)
            break;
    }
    if(b && ferror(f)) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if(b) {
        b[n] = 0;
        *len = n;
    }
    return b;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files a --rules path stands for: itself, or the rule files of a
 * folder (sorted, not recursive).  Heap strings into *out. */
static enum kensa_err rule_files(const char *path, char ***out, size_t *n)
{
    struct stat st;
    *out = NULL;
    *n = 0;
    if(stat(path, &st))
        return errno == ENOENT ? KENSA_ENOENT : KENSA_EIO;
    if(!S_ISDIR(st.st_mode)) {
        *out = malloc(sizeof(char *));
        if(!*out || !((*out)[0] = strdup(path))) {
            free(*out);
            *out = NULL;
            return KENSA_ENOMEM;
        }
        *n = 1;
        return KENSA_OK;
    }
    DIR *d = opendir(path);
    if(!d)
        return KENSA_EIO;
    struct dirent *e;
    size_t cap = 0;
    enum kensa_err err = KENSA_OK;
    while((e = readdir(d))) {
        if(e->d_name[0] == '.' || !(has_suffix(e->d_name, ".yar") ||
                                    has_suffix(e->d_name, ".yara") ||
                                    has_suffix(e->d_name, ".yarc")))
            continue;
        if(*n >= YARA_MAX_FILES) {
            err = KENSA_ELIMIT;
            break;
        }
        if(*n == cap) {
            cap = cap ? cap * 2 : 16;
            char **nv = realloc(*out, cap * sizeof(char *));
            if(!nv) {
                err = KENSA_ENOMEM;
                break;
            }
            *out = nv;
        }
        size_t l = strlen(path) + strlen(e->d_name) + 2;
        char *p = malloc(l);
        if(!p) {
            err = KENSA_ENOMEM;
            break;
        }
        snprintf(p, l, "%s/%s", path, e->d_name);
        (*out)[(*n)++] = p;
    }
    closedir(d);
    if(*n)
        qsort(*out, *n, sizeof(char *), cmp_str);
    return err;
}

static void free_files(char **v, size_t n)
{
    for(size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* Add one source file to c under its own namespace; errors in cc. */
static bool add_source(YR_COMPILER *c, const char *path, struct ycomp *cc,
                       bool *md5, bool *owner)
{
    size_t len;
    char *text = slurp(path, &len);
    cc->file = path;
    if(!text) {
        cc->errors++;
        snprintf(cc->msg, sizeof(cc->msg), "%s", strerror(errno ? errno :
                                                            EIO));
        return false;
    }
    if(reads_word(text, len, "md5"))
        *md5 = true;
    if(reads_word(text, len, "owner"))
        *owner = true;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    FILE *f = fmemopen(text, len, "r");
    int e = f ? yr_compiler_add_file(c, f, base, path) : 1;
    if(f)
        fclose(f);
    free(text);
    if(!f && !cc->errors++)
        snprintf(cc->msg, sizeof(cc->msg), "out of memory");
    return !e && !cc->errors;
}

/* ---- network indicators as a rule ------------------------------------- */

struct sbuf { char *p; size_t n, cap; bool oom; };

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
    if(b->oom)
        return;
    if(b->n + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 4096;
        while(nc < b->n + n + 1)
            nc *= 2;
        char *np = realloc(b->p, nc);
        if(!np) {
            b->oom = true;
            return;
        }
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void sb_str(struct sbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

/* A YARA text string: quotes, backslashes and other bytes escaped. */
static void sb_yarastr(struct sbuf *b, const char *s)
{
    sb_put(b, "\"", 1);
    for(; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char e[8];
        if(c == '"' || c == '\\')
            snprintf(e, sizeof(e), "\\%c", c);
        else if(c < 0x20 || c >= 0x7f)
            snprintf(e, sizeof(e), "\\x%02x", c);
        else
            e[0] = (char)c, e[1] = 0;
        sb_str(b, e);
    }
    sb_put(b, "\"", 1);
}

static int cmp_threat(const void *a, const void *b)
{
    const struct ioc *x = *(const struct ioc *const *)a;
    const struct ioc *y = *(const struct ioc *const *)b;
    return strcmp(x->threat, y->threat);
}

/*
 * The network indicators (domains, IPv4 addresses, URLs) of the pack and
 * the user's files, as one rule per threat that finds them in content:
 * configurations, scripts, implants' strings.  Domains match any case
 * and as whole words (a subdomain matches too); addresses as whole
 * words; URLs exactly, case kept (a dead drop is its id, never the bare
 * host).  NULL when there is none (or no memory: then no such rule).
 */
char *yara_net_rules(const struct kensa_options *o)
{
    struct ioc_set *s = ioc_set_new();
    struct ioc_report r = { 0 };
    struct sbuf b = { 0 };
    if(!s)
        return NULL;
    if(!o->no_builtin_intel) {
        char *t = kensa_pack_text(kensa_pack_iocs, kensa_pack_iocs_len);
        if(t)
            ioc_parse(s, t, kensa_pack_iocs_len, "kensa", "unknown", &r);
        free(t);
    }
    for(size_t i = 0; i < o->n_ioc_files; i++) {
        struct ioc_report ur = { 0 };
        ioc_load_file(s, o->ioc_files[i], &ur);   /* checked by the CLI */
    }
    size_t n = 0, total = ioc_set_total(s);
    const struct ioc **v = calloc(total ? total : 1, sizeof(*v));
    for(size_t i = 0; v && i < total && n < YARA_NET_MAX; i++) {
        const struct ioc *io = ioc_set_at(s, i);
        if(io->type == IOC_DOMAIN || io->type == IOC_IPV4 ||
           io->type == IOC_URL)
            v[n++] = io;
    }
    if(v && n)
        qsort(v, n, sizeof(*v), cmp_threat);
    for(size_t i = 0; v && i < n;) {
        char id[64], num[24];
        size_t o2 = 0;
        for(const char *t = v[i]->threat; *t && o2 + 1 < sizeof(id); t++)
            id[o2++] = isalnum((unsigned char)*t) ? *t : '_';
        id[o2] = 0;
        sb_str(&b, "rule kensa_ioc_net_");
        sb_str(&b, id);
        sb_str(&b, " {\n meta:\n  threat = ");
        sb_yarastr(&b, v[i]->threat);
        sb_str(&b, "\n  severity = \"high\"\n  description = \"network "
                   "indicators (domains, addresses, URLs) in content\"\n"
                   " strings:\n");
        size_t j = i;
        for(; j < n && !strcmp(v[j]->threat, v[i]->threat); j++) {
            snprintf(num, sizeof(num), "  $n%zu = ", j - i);
            sb_str(&b, num);
            sb_yarastr(&b, v[j]->value);
            sb_str(&b, v[j]->type == IOC_DOMAIN ? " ascii wide nocase fullword\n" :
                       v[j]->type == IOC_IPV4 ? " ascii wide fullword\n" :
                       " ascii wide\n");
        }
        sb_str(&b, " condition:\n  any of them\n}\n");
        i = j;
    }
    free(v);
    ioc_set_free(s);
    if(b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

static void yara_fini(void *state);
static void load_users(struct ystate *st);

static void *yara_init(const struct kensa_options *o, enum kensa_err *err)
{
    if(yr_initialize() != ERROR_SUCCESS) {
        *err = KENSA_ENOMEM;
        return NULL;
    }
    struct ystate *st = calloc(1, sizeof(*st));
    YR_COMPILER *c = NULL;
    struct ycomp cc = { .st = st };
    if(!st || yr_compiler_create(&c) != ERROR_SUCCESS ||
       define_externals(c)) {
        *err = KENSA_ENOMEM;
        goto fail;
    }
    yr_compiler_set_callback(c, comp_cb, &cc);
    st->timeout_s = (int)(o->limits.max_scantime_ms / 1000);
    if(st->timeout_s < 1)
        st->timeout_s = 1;
    size_t nsrc = 0;
    if(!o->no_builtin_intel) {
        for(size_t i = 0; i < kensa_pack_n_rules; i++) {
            const struct kensa_pack_rule *r = &kensa_pack_rules[i];
            char *text = kensa_pack_text(r->masked, r->len);
            cc.file = r->name;
            if(!text) {
                *err = KENSA_ENOMEM;
                goto fail;
            }
            int bad = yr_compiler_add_string(c, text, r->name);
            free(text);
            if(bad || cc.errors) {
                *err = KENSA_EFORMAT;   /* the build checked them */
                goto fail;
            }
            nsrc++;
        }
    }
    char *net = yara_net_rules(o);
    if(net) {
        cc.file = "kensa-iocs";
        int bad = yr_compiler_add_string(c, net, "kensa-iocs");
        free(net);
        if(bad || cc.errors) {
            *err = KENSA_EFORMAT;
            goto fail;
        }
        nsrc++;
    }
    st->nsets = 1;   /* sets[0]: the sources */
    st->user_rules = o->n_rule_paths > 0;
    for(size_t p = 0; p < o->n_rule_paths; p++) {
        char **files;
        size_t nf;
        if((*err = rule_files(o->rule_paths[p], &files, &nf)))
            goto fail;
        for(size_t i = 0; i < nf; i++) {
            if(has_suffix(files[i], ".yarc")) {
                if(st->nsets >= YARA_MAX_SETS) {
                    *err = KENSA_ELIMIT;
                } else if(yr_rules_load(files[i],
                                        &st->sets[st->nsets].rules)) {
                    *err = KENSA_EFORMAT;
                } else {
                    st->sets[st->nsets].origin = strdup(files[i]);
                    st->nsets++;
                    st->want_md5 = true;   /* cannot tell: assume so */
                    st->want_owner = true;
                }
            } else if(!add_source(c, files[i], &cc, &st->want_md5,
                                  &st->want_owner)) {
                *err = KENSA_EFORMAT;
            } else
                nsrc++;
            if(*err) {
                free_files(files, nf);
                goto fail;
            }
        }
        free_files(files, nf);
    }
    if(nsrc && yr_compiler_get_rules(c, &st->sets[0].rules)) {
        *err = KENSA_ENOMEM;
        goto fail;
    }
    st->sets[0].origin = strdup("kensa");
    yr_compiler_destroy(c);
    if(st->want_owner && !o->root)
        load_users(st);
    return st;
fail:
    if(c)
        yr_compiler_destroy(c);
    if(st)
        yara_fini(st);      /* and yr_finalize */
    else
        yr_finalize();
    return NULL;
}

static void yara_fini(void *state)
{
    struct ystate *st = state;
    if(!st)
        return;
    for(size_t i = 0; i < st->nsets; i++) {
        if(st->sets[i].rules)
            yr_rules_destroy(st->sets[i].rules);
        free(st->sets[i].origin);
    }
    for(size_t i = 0; i < st->nslow; i++)
        free(st->slow[i]);
    for(size_t i = 0; i < st->nusers; i++)
        free(st->users[i].name);
    free(st->users);
    free(st);
    yr_finalize();
}

/*
 * libyara 4.2.3's yr_scanner_create does not check four of its
 * allocations (the match bitmaps and lists) and reports success with
 * NULL there; the first scan then writes through them.  Check them
 * here: a scanner with one missing is destroyed, and objects are then
 * reported unscanned (yara.error), never clean.
 */
static bool scanner_whole(const YR_SCANNER *sc, const YR_RULES *r)
{
    if(!sc->rule_matches_flags || !sc->ns_unsatisfied_flags)
        return false;
    if(r->num_strings && (!sc->matches || !sc->unconfirmed_matches ||
                          !sc->strings_temp_disabled))
        return false;
    return true;
}

static void *yara_thread_init(void *state)
{
    struct ystate *st = state;
    struct ythread *t = calloc(1, sizeof(*t));
    if(!t || !st)
        return t;
    for(size_t i = 0; i < st->nsets; i++) {
        t->sc[i] = NULL;
        if(st->sets[i].rules &&
           yr_scanner_create(st->sets[i].rules, &t->sc[i]) != ERROR_SUCCESS)
            t->sc[i] = NULL;
        if(t->sc[i] && !scanner_whole(t->sc[i], st->sets[i].rules)) {
            yr_scanner_destroy(t->sc[i]);
            t->sc[i] = NULL;
        }
        if(t->sc[i]) {
            yr_scanner_set_timeout(t->sc[i], st->timeout_s);
            yr_scanner_set_flags(t->sc[i], SCAN_FLAGS_FAST_MODE);
        }
    }
    t->n = st->nsets;
    return t;
}

static void yara_thread_fini(void *tstate)
{
    struct ythread *t = tstate;
    if(!t)
        return;
    for(size_t i = 0; i < t->n; i++) {
        if(t->sc[i])
            yr_scanner_destroy(t->sc[i]);
    }
    free(t);
}

/* ---- per object -------------------------------------------------------- */

struct yscan {
    struct kobj *obj;
    const char *origin;
    bool too_many;
    uint64_t base;              /* a process's memory: the chunk's address */
    const char *pid;            /* ...that process, else NULL */
    struct yara_memseen *seen;  /* ...rules reported for it */
};

static const char *meta_str(const YR_RULE *rule, const char *id)
{
    const YR_META *m;
    yr_rule_metas_foreach(rule, m) {
        if(m->type == META_TYPE_STRING && !strcmp(m->identifier, id))
            return m->string;
    }
    return NULL;
}

static enum kensa_severity severity_of(const char *s)
{
    if(!s)
        return KENSA_SEV_HIGH;
    if(!strcasecmp(s, "critical")) return KENSA_SEV_CRITICAL;
    if(!strcasecmp(s, "high")) return KENSA_SEV_HIGH;
    if(!strcasecmp(s, "medium")) return KENSA_SEV_MEDIUM;
    if(!strcasecmp(s, "low")) return KENSA_SEV_LOW;
    if(!strcasecmp(s, "info")) return KENSA_SEV_INFO;
    return KENSA_SEV_HIGH;
}

/* A threat id from the rule's meta: "threat", else "malware_family",
 * else "yara"; only [a-z0-9-] kept (it names a profile). */
static const char *threat_of(const YR_RULE *rule, char *buf, size_t cap)
{
    const char *t = meta_str(rule, "threat");
    if(!t)
        t = meta_str(rule, "malware_family");
    if(!t || !*t)
        return "yara";
    size_t o = 0;
    for(; *t && o + 1 < cap; t++) {
        unsigned char c = (unsigned char)*t;
        if(isalnum(c))
            buf[o++] = (char)tolower(c);
        else if((c == '-' || c == '_' || c == ' ') && o && buf[o - 1] != '-')
            buf[o++] = '-';
    }
    buf[o] = 0;
    return o ? buf : "yara";
}

static int scan_cb(YR_SCAN_CONTEXT *ctx, int msg, void *data, void *ud)
{
    struct yscan *ys = ud;
    if(msg == CALLBACK_MSG_TOO_MANY_MATCHES) {
        ys->too_many = true;
        return CALLBACK_CONTINUE;
    }
    if(msg != CALLBACK_MSG_RULE_MATCHING)
        return CALLBACK_CONTINUE;
    const YR_RULE *rule = data;
    if(ys->seen) {
        for(size_t i = 0; i < ys->seen->n; i++)
            if(ys->seen->rule[i] == rule)
                return CALLBACK_CONTINUE;   /* once per process */
        if(ys->seen->n < YARA_MEMSEEN_MAX)
            ys->seen->rule[ys->seen->n++] = rule;
    }
    char tb[48], rid[300], sev_s[16], addr[24] = "";
    const char *threat = threat_of(rule, tb, sizeof(tb));
    enum kensa_severity sev = severity_of(meta_str(rule, "severity"));
    struct kfind k;
    kfind_init(&k, "yara", threat, KENSA_VERDICT_MALICIOUS, sev);
    snprintf(rid, sizeof(rid), "%s:%s", rule->ns && rule->ns->name ?
             rule->ns->name : "default", rule->identifier);
    const char *desc = meta_str(rule, "description");
    kfind_msg(&k, KMSG_YARA_MATCH, rule->identifier, threat);
    k.f.rule = rid;
    /* the strings that matched, first match each, printable */
    char ev[YARA_EV_STRINGS][YARA_EV_BYTES * 4 + 4];
    char off[YARA_EV_STRINGS][24];
    size_t nev = 0;
    const YR_STRING *s;
    yr_rule_strings_foreach(rule, s) {
        if(nev >= YARA_EV_STRINGS)
            break;
        /* libyara 4.2 hands out its match records from a notebook that
         * aligns them to 4 bytes only: each is copied out before use
         * (reading it in place is undefined behaviour, which UBSan stops
         * on), and the list is walked by hand for the same reason */
        YR_MATCH mb;
        const YR_MATCH *m = &mb;
        for(const YR_MATCH *at = ctx->matches[s->idx].head; at;
            at = mb.next) {
            memcpy(&mb, at, sizeof(mb));
            if(mb.is_private)
                continue;
            size_t n = (size_t)m->data_length, o = 0;
            if(n > YARA_EV_BYTES)
                n = YARA_EV_BYTES;
            for(size_t i = 0; i < n && m->data; i++) {
                uint8_t c = m->data[i];
                if(c >= 0x20 && c < 0x7f && c != '\\')
                    ev[nev][o++] = (char)c;
                else if(c == 0 && i % 2 == 1)
                    continue;     /* wide strings read as text */
                else
                    o += (size_t)snprintf(ev[nev] + o, 5, "\\x%02x", c);
            }
            ev[nev][o] = 0;
            snprintf(off[nev], sizeof(off[nev]), "0x%llx",
                     (unsigned long long)(ys->base + m->base + m->offset));
            if(ys->pid && !addr[0]) {
                snprintf(addr, sizeof(addr), "%s", off[nev]);
                kfind_ev(&k, KMSG_PROC_EV_MEMORY, ys->pid, addr);
            }
            kfind_ev(&k, KMSG_YARA_EV_STRING, s->identifier, off[nev],
                     ev[nev]);
            nev++;
            break;
        }
    }
    if(strcmp(ys->origin, "kensa"))
        kfind_ev(&k, KMSG_YARA_EV_RULESET, ys->origin);
    kfind_str(&k, "rule.name", rule->identifier, KENSA_ATTR_SHOW);
    kfind_str(&k, "rule.id", rid, 0);
    kfind_str(&k, "rule.ruleset", rule->ns ? rule->ns->name : NULL, 0);
    kfind_str(&k, "rule.description", desc, 0);
    kfind_str(&k, "rule.reference", meta_str(rule, "reference"), 0);
    kfind_str(&k, "rule.author", meta_str(rule, "author"), 0);
    kfind_str(&k, "kensa.confidence", meta_str(rule, "confidence"), 0);
    kfind_str(&k, "event.category", "malware", 0);
    snprintf(sev_s, sizeof(sev_s), "%s", kensa_severity_name(sev));
    ctx_report(ys->obj, &k.f);
    return CALLBACK_CONTINUE;
}

/* The externals' values for obj. */
static const char *filetype_of(const uint8_t *p, size_t n)
{
    if(n >= 2 && p[0] == 'M' && p[1] == 'Z') return "EXE";
    if(n >= 4 && !memcmp(p, "\x7f" "ELF", 4)) return "ELF";
    if(n >= 4 && (!memcmp(p, "\xcf\xfa\xed\xfe", 4) ||
                  !memcmp(p, "\xce\xfa\xed\xfe", 4))) return "MACHO";
    if(n >= 8 && !memcmp(p, "\xca\xfe\xba\xbe", 4)) {
        /* fat Mach-O and Java classes share the magic: a fat header
         * counts a few architectures, a class has a major version >= 45 */
        uint32_t v = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 |
                     (uint32_t)p[6] << 8 | p[7];
        return v > 0 && v < 30 ? "MACHO" : "CLASS";
    }
    if(n >= 4 && !memcmp(p, "PK\x03\x04", 4)) return "ZIP";
    if(n >= 4 && !memcmp(p, "%PDF", 4)) return "PDF";
    if(n >= 8 && !memcmp(p, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8))
        return "OLE";
    if(n >= 6 && !memcmp(p, "Rar!\x1a\x07", 6)) return "RAR";
    if(n >= 2 && p[0] == 0x1f && p[1] == 0x8b) return "GZIP";
    if(n >= 6 && !memcmp(p, "7z\xbc\xaf\x27\x1c", 6)) return "7Z";
    if(n >= 2 && p[0] == '#' && p[1] == '!') return "SCRIPT";
    return "UNKNOWN";
}

static int cmp_user(const void *a, const void *b)
{
    uid_t x = ((const struct yuser *)a)->uid, y = ((const struct yuser *)b)->uid;
    return x < y ? -1 : x > y;
}

/* The user names of this host, read in init: the scan runs confined
 * and may not open /etc/passwd any more.  Not under --root (the host's
 * names would lie about another system): uids in decimal then. */
static void load_users(struct ystate *st)
{
    size_t cap = 0;
    struct passwd *pw;
    setpwent();
    while((pw = getpwent()) && st->nusers < 65536) {
        if(st->nusers == cap) {
            size_t nc = cap ? cap * 2 : 64;
            struct yuser *nu = realloc(st->users, nc * sizeof(*nu));
            if(!nu)
                break;
            st->users = nu;
            cap = nc;
        }
        if(!(st->users[st->nusers].name = strdup(pw->pw_name)))
            break;
        st->users[st->nusers++].uid = pw->pw_uid;
    }
    endpwent();
    if(st->nusers)
        qsort(st->users, st->nusers, sizeof(*st->users), cmp_user);
}

static const char *owner_of(const struct ystate *st, struct ythread *t,
                            const struct kobj *obj)
{
    const struct stat *fs = obj->ctx ? obj->ctx->file_st : NULL;
    if(!st->want_owner || !fs)
        return "";
    struct yuser key = { .uid = fs->st_uid };
    const struct yuser *u = st->nusers ?
        bsearch(&key, st->users, st->nusers, sizeof(key), cmp_user) : NULL;
    if(u)
        return u->name;
    snprintf(t->owner, sizeof(t->owner), "%u", (unsigned)fs->st_uid);
    return t->owner;
}

static void yara_run(struct kobj *obj, uint64_t base, const char *pid,
                     struct yara_memseen *seen);

static void yara_on_object(struct kobj *obj)
{
    yara_run(obj, 0, NULL, NULL);
}

void yara_scan_memory(struct kobj *obj, uint64_t base, const char *pid,
                      struct yara_memseen *seen)
{
    yara_run(obj, base, pid, seen);
}

static void yara_run(struct kobj *obj, uint64_t base, const char *pid,
                     struct yara_memseen *seen)
{
    struct kensa_scanner *s = obj->ctx->s;
    struct ystate *st = detector_state(s, &detector_yara);
    if(!st || !obj->data)
        return;
    if(st->nslow && !atomic_exchange(&st->slow_told, true)) {
        for(size_t i = 0; i < st->nslow; i++)
            ctx_warn(obj->ctx, obj->path, KENSA_ELIMIT, KMSG_YARA_SLOW,
                     st->slow[i], "libyara");
    }
    struct ythread *t = detector_thread_state(s, &detector_yara);
    if(!t) {
        ctx_warn(obj->ctx, obj->path, KENSA_ENOMEM, KMSG_YARA_ERROR,
                 "out of memory");
        return;
    }
    const char *path = kobj_system_path(obj);
    const char *name = obj->name ? obj->name : path;
    const char *dot = strrchr(name, '.');
    const char *ext = dot && dot != name ? dot + 1 : "";
    const char *md5 = st->want_md5 ? kobj_digest_hex(obj, KDIGEST_MD5) : "";
    const char *vals[] = { name, path, ext,
                           filetype_of(obj->data, obj->len),
                           owner_of(st, t, obj), md5 ? md5 : "" };
    for(size_t i = 0; i < st->nsets; i++) {
        if(!t->sc[i]) {
            if(st->sets[i].rules)   /* could not be made: say so */
                ctx_warn(obj->ctx, obj->path, KENSA_ENOMEM, KMSG_YARA_ERROR,
                         "out of memory");
            continue;
        }
        for(size_t v = 0; v < sizeof(vals) / sizeof(vals[0]); v++)
            yr_scanner_define_string_variable(t->sc[i], externals[v],
                                              vals[v]);
        struct yscan ys = { .obj = obj, .origin = st->sets[i].origin ?
                            st->sets[i].origin : "kensa",
                            .base = base, .pid = pid, .seen = seen };
        yr_scanner_set_callback(t->sc[i], scan_cb, &ys);
        int e = yr_scanner_scan_mem(t->sc[i], obj->data, obj->len);
        const char *why = NULL;
        if(e == ERROR_SCAN_TIMEOUT)
            why = "time-out: --max-scantime";
        else if(e == ERROR_TOO_MANY_MATCHES || ys.too_many)
            why = "too many matches";
        else if(e == ERROR_INSUFFICIENT_MEMORY)
            why = "out of memory";
        else if(e != ERROR_SUCCESS)
            why = "libyara error";
        if(why)
            ctx_warn(obj->ctx, obj->path, KENSA_ELIMIT, KMSG_YARA_ERROR, why);
    }
}

/* The user's rules may read filename, filepath and extension: then the
 * same bytes under another path may match otherwise, and the clean cache
 * must not take one for the other (the pack's rules read none). */
static uint32_t yara_context(const struct kobj *obj)
{
    const struct ystate *st = detector_state(obj->ctx->s, &detector_yara);
    if(!st || !st->user_rules)
        return 0;
    uint32_t h = 2166136261u;
    for(const char *p = kobj_system_path(obj); *p; p++)
        h = (h ^ (uint8_t)*p) * 16777619u;
    return h ? h : 1;
}

const struct detector detector_yara = {
    .name = "yara",
    .on_object = yara_on_object,
    .context = yara_context,
    .whole = true,
    .init = yara_init,
    .fini = yara_fini,
    .thread_init = yara_thread_init,
    .thread_fini = yara_thread_fini,
};

/* ---- the CLI's check of a --rules path --------------------------------- */

enum kensa_err kensa_intel_check_rules(const char *path,
                                       struct kensa_intel_error *e)
{
    memset(e, 0, sizeof(*e));
    e->file = path;
    char **files;
    size_t nf;
    enum kensa_err err = rule_files(path, &files, &nf);
    if(err) {
        e->why = "intel.reason.open";
        return err;
    }
    if(yr_initialize() != ERROR_SUCCESS) {
        free_files(files, nf);
        return KENSA_ENOMEM;
    }
    for(size_t i = 0; i < nf && !err; i++) {
        snprintf(e->file_buf, sizeof(e->file_buf), "%s", files[i]);
        e->file = e->file_buf;
        if(has_suffix(files[i], ".yarc")) {
            YR_RULES *r;
            int le = yr_rules_load(files[i], &r);
            if(le) {
                e->why = "intel.reason.rules";
                snprintf(e->detail, sizeof(e->detail), "%s",
                         le == ERROR_UNSUPPORTED_FILE_VERSION ?
                         "compiled by another YARA version" :
                         le == ERROR_INVALID_FILE ? "not a compiled rule file" :
                         "cannot load");
                err = KENSA_EFORMAT;
            } else {
                yr_rules_destroy(r);
                e->loaded++;
            }
            continue;
        }
        YR_COMPILER *c;
        if(yr_compiler_create(&c) != ERROR_SUCCESS || define_externals(c)) {
            err = KENSA_ENOMEM;
            break;
        }
        struct ycomp cc = { 0 };
        bool md5 = false, owner = false;
        yr_compiler_set_callback(c, comp_cb, &cc);
        if(!add_source(c, files[i], &cc, &md5, &owner)) {
            e->line = cc.line;
            e->why = "intel.reason.rules";
            snprintf(e->detail, sizeof(e->detail), "%s", cc.msg);
            err = KENSA_EFORMAT;
        } else
            e->loaded++;
        yr_compiler_destroy(c);
    }
    if(!err && !nf) {
        e->why = "intel.reason.rules";
        snprintf(e->detail, sizeof(e->detail), "no .yar, .yara or .yarc file");
        err = KENSA_ENOENT;
    }
    yr_finalize();
    free_files(files, nf);
    return err;
}
