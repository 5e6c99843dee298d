/*
 * iocload.c - indicators of compromise: normalise, read, index, look up.
 * The contract is in iocload.h.  Written for hostile input: every length
 * is checked before use, every loop is bounded by the input or a cap,
 * nothing is trusted to be NUL-terminated or valid UTF-8.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "intel/iocload.h"

/* ---- types ------------------------------------------------------------- */

static const char *const type_names[IOC_NTYPES] = {
    "md5", "sha1", "sha256", "filename", "filepath", "dirpath", "pathglob",
    "masquerade", "domain", "ipv4", "url",
};

const char *ioc_type_name(enum ioc_type t)
{
    return t >= 0 && t < IOC_NTYPES ? type_names[t] : NULL;
}

/* Other names the formats use: STIX paths, MISP attribute types. */
static const struct { const char *name; enum ioc_type t; } aliases[] = {
    { "sha-1", IOC_SHA1 }, { "sha-256", IOC_SHA256 },
    { "sha_256", IOC_SHA256 }, { "sha_1", IOC_SHA1 },
    { "file:hashes.md5", IOC_MD5 }, { "file:hashes.'md5'", IOC_MD5 },
    { "file:hashes.'sha-1'", IOC_SHA1 }, { "file:hashes.sha1", IOC_SHA1 },
    { "file:hashes.'sha-256'", IOC_SHA256 },
    { "file:hashes.sha256", IOC_SHA256 },
    { "file:name", IOC_FILENAME }, { "domain-name:value", IOC_DOMAIN },
    { "ipv4-addr:value", IOC_IPV4 }, { "url:value", IOC_URL },
    { "hostname", IOC_DOMAIN }, { "domain-name", IOC_DOMAIN },
    { "ip-dst", IOC_IPV4 }, { "ip-src", IOC_IPV4 }, { "ip", IOC_IPV4 },
    { "ipv4-addr", IOC_IPV4 }, { "ip-dst|port", IOC_IPV4 },
    { "path", IOC_FILEPATH }, { "file", IOC_FILENAME },
    { "name", IOC_FILENAME }, { "link", IOC_URL }, { "uri", IOC_URL },
};

enum ioc_type ioc_type_parse(const char *s, size_t n)
{
    while(n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while(n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    for(int i = 0; i < IOC_NTYPES; i++) {
        if(strlen(type_names[i]) == n && !strncasecmp(type_names[i], s, n))
            return (enum ioc_type)i;
    }
    for(size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
        if(strlen(aliases[i].name) == n && !strncasecmp(aliases[i].name, s, n))
            return aliases[i].t;
    }
    return IOC_BAD;
}

/* ---- the normaliser ---------------------------------------------------- */

/* Hashes of files that prove nothing: empty, one newline, CRLF, zeros of
 * 1, 512, 1024 and 4096 bytes, one space. */
static const char *const trivial[] = {
    "d41d8cd98f00b204e9800998ecf8427e", "da39a3ee5e6b4b0d3255bfef95601890afd80709",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "68b329da9893e34099c7d8ad5cb9c940", "adc83b19e793491b1c6ea0fd8b46cd9f32e592fc",
    "01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b",
    "81051bcc2cf1bedf378224b0a93e2877", "ba8ab5a0280b953aa97435ff8946cbcbb2755a27",
    "7eb70257593da06f682a3ddda54a9d260d4fc514f645237f5ca74b08f8da61a6",
    "93b885adfe0da089cdf634904fd59f71", "5ba93c9db0cff93f52b521d7420e43f6eda2784f",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "bf619eac0cdf3f68d496ea9344137e8b", "5c3eb80066420002bc3dcc7ca4ab6efad7ed4ae5",
    "076a27c79e5ace2a3d47f9dd2e83e4ff6ea8872b3c2218f66c92b89b55f36560",
    "0f343b0931126a20f133d67c2b018a3b", "60cacbf3d72e1e7834203da608037b1bf83b40e8",
    "5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef",
    "620f0b67a91f7f74151bc5be745b7110", "1ceaf73df40e531df3bfb26b4fb7cd95fb7bff1d",
    "ad7facb2586fc6e966c004d7d1d16b024f5805ff7cb47c7a85dabd8b48892ca7",
    "7215ee9c7d9dc229d2921a40e899ec5f", "b858cb282617fb0956d960215c8e84d1ccf909c6",
    "36a9e7f1c95b82ffb99743e0c5c4ce95d83c9a430aac59f84ef3cbfab6145068",
};

static bool is_trivial_hash(const char *h, size_t n)
{
    size_t same = 0;
    for(size_t i = 0; i < n; i++)
        same += h[i] == h[0];
    if(same == n)           /* 000..0, fff..f: placeholders */
        return true;
    for(size_t i = 0; i < sizeof(trivial) / sizeof(trivial[0]); i++) {
        if(strlen(trivial[i]) == n && !memcmp(trivial[i], h, n))
            return true;
    }
    return false;
}

/* Undo defanging into out: hxxp -> http, [.] (.) {.} [dot] -> ., [:] -> :,
 * [://] -> ://.  Returns the length, or cap when it does not fit. */
static size_t refang(const char *p, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for(size_t i = 0; i < n;) {
        const char *rep = NULL;
        size_t skip = 0;
        if(i == 0 && n >= 4 && !strncasecmp(p, "hxxp", 4))
            rep = "http", skip = 4;
        else if(i == 0 && n >= 4 && !strncasecmp(p, "hXXp", 4))
            rep = "http", skip = 4;
        else if(n - i >= 5 && !strncasecmp(p + i, "[://]", 5))
            rep = "://", skip = 5;
        else if(n - i >= 5 && !strncasecmp(p + i, "[dot]", 5))
            rep = ".", skip = 5;
        else if(n - i >= 3 && (!memcmp(p + i, "[.]", 3) ||
                               !memcmp(p + i, "(.)", 3) ||
                               !memcmp(p + i, "{.}", 3)))
            rep = ".", skip = 3;
        else if(n - i >= 3 && !memcmp(p + i, "[:]", 3))
            rep = ":", skip = 3;
        if(rep) {
            size_t rl = strlen(rep);
            if(o + rl >= cap)
                return cap;
            memcpy(out + o, rep, rl);
            o += rl;
            i += skip;
        } else {
            if(o + 1 >= cap)
                return cap;
            out[o++] = p[i++];
        }
    }
    out[o] = 0;
    return o;
}

static bool all_hex(const char *p, size_t n)
{
    for(size_t i = 0; i < n; i++) {
        if(!isxdigit((unsigned char)p[i]))
            return false;
    }
    return n > 0;
}

/* A dotted quad, optional :port dropped; out gets the address. */
static bool ipv4_norm(char *s)
{
    char *colon = strchr(s, ':');
    if(colon) {
        const char *q = colon + 1;
        if(!*q || strlen(q) > 5)
            return false;
        for(; *q; q++) {
            if(!isdigit((unsigned char)*q))
                return false;
        }
        *colon = 0;
    }
    unsigned parts = 0;
    const char *q = s;
    for(;;) {
        unsigned v = 0, digits = 0;
        while(isdigit((unsigned char)*q) && digits < 4)
            v = v * 10 + (unsigned)(*q++ - '0'), digits++;
        if(!digits || digits > 3 || v > 255)
            return false;
        parts++;
        if(*q == '.' && parts < 4) {
            q++;
            continue;
        }
        break;
    }
    return parts == 4 && !*q;
}

static bool domain_ok(char *s)
{
    size_t n = strlen(s);
    while(n && s[n - 1] == '.')
        s[--n] = 0;
    if(!n || n > 253 || !strchr(s, '.') || s[0] == '.' || s[0] == '-')
        return false;
    for(size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        s[i] = (char)tolower(c);
        if(!(isalnum(c) || c == '-' || c == '.' || c == '_'))
            return false;
        if(c == '.' && i + 1 < n && s[i + 1] == '.')
            return false;
    }
    return true;
}

/* C:\x\y, C:/x, \\server\share\x, /x: drop the drive, '\' -> '/',
 * lowercase; *win when it was a Windows path.  Must start with '/'. */
static bool path_norm(char *s, bool *win)
{
    size_t n = strlen(s);
    *win = strchr(s, '\\') != NULL;
    if(n >= 2 && isalpha((unsigned char)s[0]) && s[1] == ':') {
        memmove(s, s + 2, n - 1);
        n -= 2;
        *win = true;
    }
    for(size_t i = 0; i < n; i++) {
        if(s[i] == '\\')
            s[i] = '/';
        s[i] = (char)tolower((unsigned char)s[i]);
        if((unsigned char)s[i] < 0x20)
            return false;
    }
    /* //server/share -> /server/share: a UNC path matches as a suffix */
    while(n >= 2 && s[0] == '/' && s[1] == '/')
        memmove(s, s + 1, n--);
    return n >= 2 && s[0] == '/';
}

static bool name_ok(char *s)
{
    size_t n = strlen(s);
    if(!n || n > 255 || !strcmp(s, ".") || !strcmp(s, ".."))
        return false;
    for(size_t i = 0; i < n; i++) {
        if(s[i] == '/' || s[i] == '\\' || (unsigned char)s[i] < 0x20)
            return false;
        s[i] = (char)tolower((unsigned char)s[i]);
    }
    return true;
}

static bool url_ok(const char *s)
{
    const char *sep = strstr(s, "://");
    if(!sep || sep == s || sep - s > 10 || !sep[3])
        return false;
    for(const char *q = s; *q; q++) {
        if((unsigned char)*q <= 0x20 || *q == 0x7f)
            return false;
    }
    return true;
}

enum ioc_type ioc_normalise(enum ioc_type t, const char *p, size_t n,
                            char *out, size_t cap, const char **why)
{
    *why = "intel.reason.empty";
    while(n && (*p == ' ' || *p == '\t'))
        p++, n--;
    while(n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r' ||
                p[n - 1] == '\n'))
        n--;
    if(!n || cap < 2)
        return IOC_BAD;
    if(n >= cap || n > IOC_VALUE_MAX) {
        *why = "intel.reason.long";
        return IOC_BAD;
    }
    if(memchr(p, 0, n)) {
        *why = "intel.reason.nul";
        return IOC_BAD;
    }
    if(t == IOC_BAD) {     /* infer */
        if(all_hex(p, n) && (n == 32 || n == 40 || n == 64))
            t = n == 32 ? IOC_MD5 : n == 40 ? IOC_SHA1 : IOC_SHA256;
        else {
            char tmp[IOC_VALUE_MAX + 1];
            if(refang(p, n, tmp, sizeof(tmp)) >= sizeof(tmp)) {
                *why = "intel.reason.long";
                return IOC_BAD;
            }
            if(strstr(tmp, "://"))
                t = IOC_URL;
            else if(ipv4_norm(tmp))
                t = IOC_IPV4;
            else if(tmp[0] == '/' || (isalpha((unsigned char)tmp[0]) &&
                                      tmp[1] == ':' && tmp[2] == '\\'))
                t = IOC_FILEPATH;
            else if(domain_ok(tmp))
                t = IOC_DOMAIN;
            else {
                *why = "intel.reason.unknown";
                return IOC_BAD;
            }
        }
    }
    if(t == IOC_MD5 || t == IOC_SHA1 || t == IOC_SHA256) {
        size_t want = t == IOC_MD5 ? 32 : t == IOC_SHA1 ? 40 : 64;
        if(n != want || !all_hex(p, n)) {
            *why = "intel.reason.hash";
            return IOC_BAD;
        }
        for(size_t i = 0; i < n; i++)
            out[i] = (char)tolower((unsigned char)p[i]);
        out[n] = 0;
        if(is_trivial_hash(out, n)) {
            *why = "intel.reason.trivial";
            return IOC_BAD;
        }
        return t;
    }
    if(t == IOC_FILENAME || t == IOC_FILEPATH || t == IOC_DIRPATH ||
       t == IOC_PATHGLOB || t == IOC_MASQUERADE) {
        /* paths are not refanged: [.] is a glob there */
        memcpy(out, p, n);
        out[n] = 0;
    } else if(refang(p, n, out, cap) >= cap) {
        *why = "intel.reason.long";
        return IOC_BAD;
    }
    bool win = false;
    switch(t) {
    case IOC_FILENAME:
        if(!name_ok(out)) {
            *why = "intel.reason.name";
            return IOC_BAD;
        }
        return t;
    case IOC_FILEPATH: case IOC_PATHGLOB: case IOC_DIRPATH: {
        if(!path_norm(out, &win)) {
            *why = "intel.reason.path";
            return IOC_BAD;
        }
        size_t l = strlen(out);
        if(t == IOC_DIRPATH && out[l - 1] != '/') {
            if(l + 2 > cap) {
                *why = "intel.reason.long";
                return IOC_BAD;
            }
            out[l++] = '/';
            out[l] = 0;
        }
        if(t != IOC_DIRPATH && out[l - 1] == '/') {
            *why = "intel.reason.path";
            return IOC_BAD;
        }
        if(t == IOC_PATHGLOB && strpbrk(strrchr(out, '/') + 1, "*?[\\")) {
            *why = "intel.reason.glob";
            return IOC_BAD;
        }
        if(t == IOC_PATHGLOB) {
            /* fnmatch backtracks: a hostile glob of many stars against a
             * deep path would cost time on every file of that name */
            size_t stars = 0;
            for(const char *q = out; *q; q++)
                stars += *q == '*';
            if(stars > 8) {
                *why = "intel.reason.glob";
                return IOC_BAD;
            }
        }
        if(t == IOC_DIRPATH && l < 3) {   /* "/" alone: everything */
            *why = "intel.reason.path";
            return IOC_BAD;
        }
        return t;
    }
    case IOC_MASQUERADE: {
        char *at = strchr(out, '@');
        if(!at || at == out || !at[1]) {
            *why = "intel.reason.masquerade";
            return IOC_BAD;
        }
        *at = 0;
        if(!name_ok(out)) {
            *why = "intel.reason.name";
            return IOC_BAD;
        }
        /* the folders: each normalised with a trailing '/', ';'-joined
         * after the name's NUL (the caller splits at the NUL) */
        char dirs[IOC_VALUE_MAX + 1];
        size_t dl = 0;
        char *save = NULL;
        for(char *d = strtok_r(at + 1, ";", &save); d;
            d = strtok_r(NULL, ";", &save)) {
            char one[IOC_VALUE_MAX + 1];
            snprintf(one, sizeof(one), "%s", d);
            if(!path_norm(one, &win) && strcmp(one, "/")) {
                *why = "intel.reason.path";
                return IOC_BAD;
            }
            size_t ol = strlen(one);
            if(dl + ol + 3 > sizeof(dirs)) {
                *why = "intel.reason.long";
                return IOC_BAD;
            }
            memcpy(dirs + dl, one, ol);
            dl += ol;
            if(one[ol - 1] != '/')
                dirs[dl++] = '/';
            dirs[dl++] = ';';
        }
        if(!dl) {
            *why = "intel.reason.masquerade";
            return IOC_BAD;
        }
        dirs[--dl] = 0;
        size_t nl = strlen(out);
        if(nl + 1 + dl + 2 > cap) {
            *why = "intel.reason.long";
            return IOC_BAD;
        }
        memcpy(out + nl + 1, dirs, dl + 1);
        return t;
    }
    case IOC_DOMAIN:
        if(strstr(out, "://") || !domain_ok(out)) {
            *why = "intel.reason.domain";
            return IOC_BAD;
        }
        return t;
    case IOC_IPV4:
        if(!ipv4_norm(out)) {
            *why = "intel.reason.ip";
            return IOC_BAD;
        }
        return t;
    case IOC_URL:
        if(!url_ok(out)) {
            *why = "intel.reason.url";
            return IOC_BAD;
        }
        return t;
    default:
        *why = "intel.reason.unknown";
        return IOC_BAD;
    }
}

/* ---- the set ----------------------------------------------------------- */

enum { C_HASH = 1, C_NAME = 2, C_DIR = 3, C_NET = 4 };

struct ent {
    struct ioc io;
    const char *key;
    uint16_t klen;
    uint8_t cls;
};

struct ioc_set {
    struct ent *v;
    size_t n, cap;
    uint32_t *slots;        /* head entry + 1, 0 = empty */
    size_t nslots;
    size_t count[IOC_NTYPES];
    char **strs;            /* interned threat/source strings */
    size_t nstrs, capstrs;
};

struct ioc_set *ioc_set_new(void)
{
    return calloc(1, sizeof(struct ioc_set));
}

void ioc_set_free(struct ioc_set *s)
{
    if(!s)
        return;
    for(size_t i = 0; i < s->n; i++)
        free((char *)s->v[i].io.value);
    for(size_t i = 0; i < s->nstrs; i++)
        free(s->strs[i]);
    free(s->strs);
    free(s->v);
    free(s->slots);
    free(s);
}

/* A string kept for the set's life; the last few are reused. */
static const char *intern(struct ioc_set *s, const char *p)
{
    for(size_t i = s->nstrs, k = 0; i > 0 && k < 8; i--, k++) {
        if(!strcmp(s->strs[i - 1], p))
            return s->strs[i - 1];
    }
    if(s->nstrs == s->capstrs) {
        size_t nc = s->capstrs ? s->capstrs * 2 : 16;
        char **ns = realloc(s->strs, nc * sizeof(*ns));
        if(!ns)
            return NULL;
        s->strs = ns;
        s->capstrs = nc;
    }
    char *d = strdup(p);
    if(!d)
        return NULL;
    s->strs[s->nstrs++] = d;
    return d;
}

static const char *last_part(const char *p, size_t *len)
{
    size_t n = strlen(p);
    while(n && p[n - 1] == '/')
        n--;
    size_t b = n;
    while(b && p[b - 1] != '/')
        b--;
    *len = n - b;
    return p + b;
}

static enum kensa_err add(struct ioc_set *s, enum ioc_type t,
                          const char *norm, size_t normlen,
                          const char *threat, const char *source, bool win)
{
    if(s->n >= IOC_ENTRIES_MAX)
        return KENSA_ELIMIT;
    if(s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 64;
        struct ent *nv = realloc(s->v, nc * sizeof(*nv));
        if(!nv)
            return KENSA_ENOMEM;
        s->v = nv;
        s->cap = nc;
    }
    char *val = malloc(normlen + 1);
    if(!val)
        return KENSA_ENOMEM;
    memcpy(val, norm, normlen);
    val[normlen] = 0;
    struct ent *e = &s->v[s->n];
    memset(e, 0, sizeof(*e));
    e->io.type = t;
    e->io.win = win;
    e->io.value = val;
    e->io.next = UINT32_MAX;
    if(t == IOC_MASQUERADE)
        e->io.where = val + strlen(val) + 1;
    e->io.threat = intern(s, threat);
    e->io.source = intern(s, source);
    if(!e->io.threat || !e->io.source) {
        free(val);
        return KENSA_ENOMEM;
    }
    size_t kl;
    switch(t) {
    case IOC_MD5: case IOC_SHA1: case IOC_SHA256:
        e->cls = C_HASH, e->key = val, kl = strlen(val);
        break;
    case IOC_DIRPATH:
        e->cls = C_DIR, e->key = last_part(val, &kl);
        break;
    case IOC_FILENAME: case IOC_FILEPATH: case IOC_PATHGLOB:
    case IOC_MASQUERADE:
        e->cls = C_NAME;
        e->key = t == IOC_FILENAME || t == IOC_MASQUERADE ? val :
                 last_part(val, &kl);
        if(t == IOC_FILENAME || t == IOC_MASQUERADE)
            kl = strlen(val);
        break;
    default:
        e->cls = C_NET, e->key = val, kl = strlen(val);
        break;
    }
    e->klen = (uint16_t)(kl > 0xffff ? 0xffff : kl);
    s->count[t]++;
    s->n++;
    return KENSA_OK;
}

static uint64_t hash_key(uint8_t cls, enum ioc_type t, const char *k,
                         size_t n)
{
    uint64_t h = 1469598103934665603ull;
    h = (h ^ cls) * 1099511628211ull;
    if(cls == C_HASH)
        h = (h ^ (uint8_t)t) * 1099511628211ull;
    for(size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)k[i]) * 1099511628211ull;
    return h;
}

static bool same_key(const struct ent *e, uint8_t cls, enum ioc_type t,
                     const char *k, size_t n)
{
    return e->cls == cls && (cls != C_HASH || e->io.type == t) &&
           e->klen == n && !memcmp(e->key, k, n);
}

enum kensa_err ioc_set_index(struct ioc_set *s)
{
    free(s->slots);
    s->slots = NULL;
    size_t ns = 64;
    while(ns < s->n * 2 + 2)
        ns *= 2;
    s->slots = calloc(ns, sizeof(uint32_t));
    if(!s->slots)
        return KENSA_ENOMEM;
    s->nslots = ns;
    for(size_t i = 0; i < s->n; i++) {
        struct ent *e = &s->v[i];
        e->io.next = UINT32_MAX;
        uint64_t h = hash_key(e->cls, e->io.type, e->key, e->klen);
        for(size_t j = h & (ns - 1);; j = (j + 1) & (ns - 1)) {
            if(!s->slots[j]) {
                s->slots[j] = (uint32_t)i + 1;
                break;
            }
            struct ent *head = &s->v[s->slots[j] - 1];
            if(same_key(head, e->cls, e->io.type, e->key, e->klen)) {
                /* same value twice: keep the first only */
                bool dup = false;
                for(uint32_t k = s->slots[j] - 1; k != UINT32_MAX;
                    k = s->v[k].io.next) {
                    if(s->v[k].io.type == e->io.type &&
                       !strcmp(s->v[k].io.value, e->io.value) &&
                       (!s->v[k].io.where || !e->io.where ||
                        !strcmp(s->v[k].io.where, e->io.where)))
                        dup = true;
                }
                if(!dup) {
                    e->io.next = head->io.next;
                    head->io.next = (uint32_t)i;
                }
                break;
            }
        }
    }
    return KENSA_OK;
}

static const struct ent *find(const struct ioc_set *s, uint8_t cls,
                              enum ioc_type t, const char *k, size_t n)
{
    if(!s || !s->nslots)
        return NULL;
    uint64_t h = hash_key(cls, t, k, n);
    for(size_t j = h & (s->nslots - 1);; j = (j + 1) & (s->nslots - 1)) {
        if(!s->slots[j])
            return NULL;
        const struct ent *e = &s->v[s->slots[j] - 1];
        if(same_key(e, cls, t, k, n))
            return e;
    }
}

unsigned ioc_set_hashes(const struct ioc_set *s)
{
    unsigned m = 0;
    for(int t = IOC_MD5; t <= IOC_SHA256; t++) {
        if(s && s->count[t])
            m |= 1u << t;
    }
    return m;
}

size_t ioc_set_count(const struct ioc_set *s, enum ioc_type t)
{
    return s && t >= 0 && t < IOC_NTYPES ? s->count[t] : 0;
}

size_t ioc_set_total(const struct ioc_set *s)
{
    return s ? s->n : 0;
}

const struct ioc *ioc_set_at(const struct ioc_set *s, size_t i)
{
    return s && i < s->n ? &s->v[i].io : NULL;
}

const struct ioc *ioc_find_hash(const struct ioc_set *s, enum ioc_type t,
                                const char *hex)
{
    const struct ent *e = find(s, C_HASH, t, hex, strlen(hex));
    return e ? &e->io : NULL;
}

static bool ends_with(const char *p, size_t n, const char *suf)
{
    size_t l = strlen(suf);
    return l <= n && !memcmp(p + n - l, suf, l);
}

size_t ioc_match_path(const struct ioc_set *s, const char *path, bool whole,
                      const struct ioc **out, size_t max)
{
    char buf[4096];
    size_t n = strlen(path), got = 0;
    if(!s || !s->nslots || !n || n >= sizeof(buf) || !max)
        return 0;
    for(size_t i = 0; i < n; i++)
        buf[i] = path[i] == '\\' ? '/' : (char)tolower((unsigned char)path[i]);
    buf[n] = 0;
    size_t bl;
    const char *base = last_part(buf, &bl);
    size_t dirlen = (size_t)(base - buf);   /* "/x/y/" incl. the slash */
    const struct ent *e = find(s, C_NAME, IOC_BAD, base, bl);
    for(uint32_t k = e ? (uint32_t)(e - s->v) : UINT32_MAX;
        k != UINT32_MAX && got < max; k = s->v[k].io.next) {
        const struct ioc *io = &s->v[k].io;
        bool hit = false;
        switch(io->type) {
        case IOC_FILENAME:
            hit = true;
            break;
        case IOC_FILEPATH:
            hit = whole && (io->win ? ends_with(buf, n, io->value) :
                            !strcmp(buf, io->value));
            break;
        case IOC_PATHGLOB:
            if(!whole)
                break;
            if(!io->win) {
                hit = !fnmatch(io->value, buf, FNM_PATHNAME);
                break;
            }
            for(size_t i = 0; i < n && !hit; i++) {
                if(buf[i] == '/')
                    hit = !fnmatch(io->value, buf + i, FNM_PATHNAME);
            }
            break;
        case IOC_MASQUERADE: {
            if(!whole || !dirlen)
                break;
            hit = true;
            const char *w = io->where;
            while(*w && hit) {
                const char *semi = strchr(w, ';');
                size_t wl = semi ? (size_t)(semi - w) : strlen(w);
                if(io->win ? (wl <= dirlen &&
                              !memcmp(buf + dirlen - wl, w, wl)) :
                             (wl == dirlen && !memcmp(buf, w, wl)))
                    hit = false;
                w += wl + (semi ? 1 : 0);
            }
            break;
        }
        default:
            break;
        }
        if(hit)
            out[got++] = io;
    }
    if(!whole)
        return got;
    /* folders: each directory component's name, then the whole check */
    for(size_t i = 1; i < dirlen && got < max; i++) {
        if(buf[i] != '/')
            continue;
        size_t b = i;
        while(b > 0 && buf[b - 1] != '/')
            b--;
        if(b == i)
            continue;
        const struct ent *d = find(s, C_DIR, IOC_BAD, buf + b, i - b);
        for(uint32_t k = d ? (uint32_t)(d - s->v) : UINT32_MAX;
            k != UINT32_MAX && got < max; k = s->v[k].io.next) {
            const struct ioc *io = &s->v[k].io;
            size_t pl = i + 1, vl = strlen(io->value);
            if(io->win ? (vl <= pl && !memcmp(buf + pl - vl, io->value, vl)) :
                         (vl == pl && !memcmp(buf, io->value, vl)))
                out[got++] = io;
        }
    }
    return got;
}

/* ---- readers ----------------------------------------------------------- */

static void reject(struct ioc_report *r, size_t line, const char *why,
                   const char *p, size_t n)
{
    if(!r->rejected++) {
        r->first_line = line;
        r->first_why = why;
        size_t c = n < sizeof(r->first) - 1 ? n : sizeof(r->first) - 1;
        for(size_t i = 0; i < c; i++)   /* printable only */
            r->first[i] = (unsigned char)p[i] < 0x20 || p[i] == 0x7f ?
                          '?' : p[i];
        r->first[c] = 0;
    }
}

/* Normalise and add one value; a bad value is rejected, not an error. */
static enum kensa_err take(struct ioc_set *s, enum ioc_type t,
                           const char *p, size_t n, const char *threat,
                           const char *source, size_t line,
                           struct ioc_report *r)
{
    char norm[IOC_VALUE_MAX * 2 + 8];
    const char *why;
    enum ioc_type got = ioc_normalise(t, p, n, norm, sizeof(norm), &why);
    if(got == IOC_BAD) {
        reject(r, line, why, p, n);
        return KENSA_OK;
    }
    size_t nl = strlen(norm);
    if(got == IOC_MASQUERADE)
        nl += 1 + strlen(norm + nl + 1);
    bool win = false;
    if(got == IOC_FILEPATH || got == IOC_DIRPATH || got == IOC_PATHGLOB ||
       got == IOC_MASQUERADE) {
        /* the raw value says whether it was Windows' */
        win = memchr(p, '\\', n) != NULL ||
              (n > 2 && isalpha((unsigned char)p[0]) && p[1] == ':');
        if(got == IOC_MASQUERADE)
            win = memchr(p, '\\', n) != NULL || memchr(p, ':', n) != NULL;
    }
    enum kensa_err e = add(s, got, norm, nl, threat, source, win);
    if(!e)
        r->loaded++;
    return e;
}

/* A threat id from a name the user gave (letters, digits, '-'), or the
 * default. */
static const char *threat_id(const char *p, size_t n, char *buf, size_t cap,
                             const char *dflt)
{
    while(n && (*p == ' ' || *p == '"'))
        p++, n--;
    while(n && (p[n - 1] == ' ' || p[n - 1] == '"' || p[n - 1] == '\r'))
        n--;
    if(!n || n >= cap || n > 40)
        return dflt;
    for(size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if(!(isalnum(c) || c == '-' || c == '_' || c == '.'))
            return dflt;
        buf[i] = (char)tolower(c);
    }
    buf[n] = 0;
    return buf;
}

/* Split a CSV/TSV line into at most 4 fields (quotes for CSV). */
static size_t split(const char *p, size_t n, char sep,
                    const char *f[4], size_t fl[4], char *scratch)
{
    size_t nf = 0, o = 0;
    size_t i = 0;
    while(nf < 4) {
        size_t start = o;
        if(sep == ',' && i < n && p[i] == '"') {
            i++;
            while(i < n) {
                if(p[i] == '"' && i + 1 < n && p[i + 1] == '"')
                    scratch[o++] = '"', i += 2;
                else if(p[i] == '"') {
                    i++;
                    break;
                } else
                    scratch[o++] = p[i++];
            }
            while(i < n && p[i] != sep)
                i++;
        } else {
            while(i < n && p[i] != sep)
                scratch[o++] = p[i++];
        }
        f[nf] = scratch + start;
        fl[nf] = o - start;
        nf++;
        if(i >= n)
            break;
        i++;   /* the separator */
    }
    return nf;
}

static enum kensa_err parse_lines(struct ioc_set *s, const char *p, size_t n,
                                  const char *origin, const char *threat,
                                  struct ioc_report *r)
{
    char *scratch = malloc(IOC_LINE_MAX + 1);
    char src[600];
    if(!scratch)
        return KENSA_ENOMEM;
    enum { F_UNKNOWN, F_TSV, F_CSV, F_PLAIN } fmt = F_UNKNOWN;
    enum kensa_err err = KENSA_OK;
    size_t line = 0;
    for(size_t i = 0; i < n && !err;) {
        const char *nl = memchr(p + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - p) : n;
        const char *l = p + i;
        size_t ll = e - i;
        i = e + 1;
        line++;
        if(line == 1 && ll >= 3 && !memcmp(l, "\xef\xbb\xbf", 3))
            l += 3, ll -= 3;    /* a BOM */
        while(ll && (l[ll - 1] == '\r' || l[ll - 1] == ' ' ||
                     l[ll - 1] == '\t' || l[ll - 1] == ','))
            ll--;
        size_t lead = 0;
        while(lead < ll && (l[lead] == ' ' || l[lead] == '\t'))
            lead++;
        if(lead == ll || l[lead] == '#' || (ll - lead >= 2 &&
                                             !memcmp(l + lead, "//", 2)))
            continue;
        if(ll > IOC_LINE_MAX) {
            r->line = line;
            r->why = "intel.reason.long";
            err = KENSA_EFORMAT;
            break;
        }
        const char *f[4];
        size_t fl[4];
        if(fmt == F_UNKNOWN) {
            if(memchr(l, '\t', ll))
                fmt = F_TSV;
            else if(memchr(l, ',', ll)) {
                size_t nf = split(l, ll, ',', f, fl, scratch);
                fmt = nf >= 2 && (ioc_type_parse(f[0], fl[0]) != IOC_BAD ||
                                  (fl[0] == 4 && !strncasecmp(f[0], "type", 4)))
                      ? F_CSV : F_PLAIN;
            } else
                fmt = F_PLAIN;
            if(fmt != F_PLAIN) {
                size_t nf = split(l, ll, fmt == F_TSV ? '\t' : ',', f, fl,
                                  scratch);
                if(nf && fl[0] == 4 && !strncasecmp(f[0], "type", 4))
                    continue;   /* a header */
            }
        }
        snprintf(src, sizeof(src), "%s:%zu", origin, line);
        if(fmt == F_PLAIN) {
            /* first token: "HEX  name" of sha256sum, "HEX *name" */
            size_t a = lead, b = lead;
            while(b < ll && l[b] != ' ' && l[b] != '\t')
                b++;
            char probe[IOC_VALUE_MAX * 2 + 8];
            const char *why;
            if(ioc_normalise(IOC_BAD, l + a, b - a, probe, sizeof(probe),
                             &why) == IOC_BAD &&
               !strcmp(why, "intel.reason.unknown")) {
                r->line = line;
                r->why = "intel.reason.unknown";
                err = KENSA_EFORMAT;
                break;
            }
            err = take(s, IOC_BAD, l + a, b - a, threat, src, line, r);
            continue;
        }
        size_t nf = split(l, ll, fmt == F_TSV ? '\t' : ',', f, fl, scratch);
        if(nf < 2) {
            r->line = line;
            r->why = "intel.reason.fields";
            err = KENSA_EFORMAT;
            break;
        }
        enum ioc_type t = ioc_type_parse(f[0], fl[0]);
        if(t == IOC_BAD) {
            r->line = line;
            r->why = "intel.reason.type";
            err = KENSA_EFORMAT;
            break;
        }
        char tb[48];
        const char *th = nf >= 3 ? threat_id(f[2], fl[2], tb, sizeof(tb),
                                             threat) : threat;
        char srcb[600];
        const char *so = src;
        if(nf >= 4 && fl[3] && fl[3] < 500) {
            snprintf(srcb, sizeof(srcb), "%.*s", (int)fl[3], f[3]);
            for(char *q = srcb; *q; q++) {
                if((unsigned char)*q < 0x20)
                    *q = ' ';
            }
            so = srcb;
        }
        err = take(s, t, f[1], fl[1], th, so, line, r);
    }
    free(scratch);
    return err;
}

/* A STIX pattern: every `PATH = 'value'` comparison it holds. */
static enum kensa_err stix_pattern(struct ioc_set *s, const char *pat,
                                   const char *threat, const char *source,
                                   struct ioc_report *r)
{
    size_t n = strlen(pat), found = 0;
    enum kensa_err err = KENSA_OK;
    char val[IOC_VALUE_MAX + 1];
    for(size_t i = 0; i < n && !err; i++) {
        /* an object path: letters, '-', ':', '.', quotes */
        if(!(i == 0 || pat[i - 1] == '[' || pat[i - 1] == ' ' ||
             pat[i - 1] == '('))
            continue;
        size_t j = i;
        while(j < n && (isalnum((unsigned char)pat[j]) || pat[j] == '-' ||
                        pat[j] == ':' || pat[j] == '.' || pat[j] == '\'' ||
                        pat[j] == '_'))
            j++;
        if(j == i || !memchr(pat + i, ':', j - i))
            continue;
        enum ioc_type t = ioc_type_parse(pat + i, j - i);
        size_t k = j;
        while(k < n && pat[k] == ' ')
            k++;
        if(k >= n || pat[k] != '=' || t == IOC_BAD) {
            i = j;
            continue;
        }
        k++;
        while(k < n && pat[k] == ' ')
            k++;
        if(k >= n || pat[k] != '\'')
            continue;
        size_t o = 0;
        for(k++; k < n && pat[k] != '\''; k++) {
            if(pat[k] == '\\' && k + 1 < n)
                k++;
            if(o < IOC_VALUE_MAX)
                val[o++] = pat[k];
        }
        found++;
        err = take(s, t, val, o, threat, source, 0, r);
        i = k;
    }
    if(!found)
        reject(r, 0, "intel.reason.pattern", pat, n);
    return err;
}

static enum kensa_err misp_event(struct ioc_set *s, json_t *ev,
                                 const char *origin, const char *threat,
                                 struct ioc_report *r, unsigned depth);

static enum kensa_err misp_attrs(struct ioc_set *s, json_t *attrs,
                                 const char *origin, const char *threat,
                                 struct ioc_report *r)
{
    size_t i;
    json_t *a;
    enum kensa_err err = KENSA_OK;
    char src[600];
    if(!json_is_array(attrs))
        return KENSA_OK;
    json_array_foreach(attrs, i, a) {
        const char *type = json_string_value(json_object_get(a, "type"));
        const char *value = json_string_value(json_object_get(a, "value"));
        if(!type || !value)
            continue;
        const char *uuid = json_string_value(json_object_get(a, "uuid"));
        snprintf(src, sizeof(src), "%s:%s", origin, uuid ? uuid : "attribute");
        const char *bar = strchr(type, '|');
        if(bar && strncmp(type, "ip-", 3)) {
            /* filename|sha256: two values, split at the value's '|' */
            const char *vb = strchr(value, '|');
            if(!vb)
                continue;
            enum ioc_type t1 = ioc_type_parse(type, (size_t)(bar - type));
            enum ioc_type t2 = ioc_type_parse(bar + 1, strlen(bar + 1));
            if(t1 != IOC_BAD && !err)
                err = take(s, t1, value, (size_t)(vb - value), threat, src, 0,
                           r);
            if(t2 != IOC_BAD && !err)
                err = take(s, t2, vb + 1, strlen(vb + 1), threat, src, 0, r);
            continue;
        }
        enum ioc_type t = ioc_type_parse(type, strlen(type));
        if(t == IOC_FILEPATH || t == IOC_BAD)
            continue;   /* MISP types we do not use */
        size_t vl = strlen(value);
        if(bar)         /* ip-dst|port: "1.2.3.4|443" */
            vl = strcspn(value, "|");
        err = take(s, t, value, vl, threat, src, 0, r);
        if(err)
            break;
    }
    return err;
}

static enum kensa_err misp_event(struct ioc_set *s, json_t *ev,
                                 const char *origin, const char *threat,
                                 struct ioc_report *r, unsigned depth)
{
    json_t *inner = json_object_get(ev, "Event");
    if(inner && depth < 2)
        return misp_event(s, inner, origin, threat, r, depth + 1);
    enum kensa_err err = misp_attrs(s, json_object_get(ev, "Attribute"),
                                    origin, threat, r);
    json_t *objs = json_object_get(ev, "Object"), *o;
    size_t i;
    if(json_is_array(objs)) {
        json_array_foreach(objs, i, o) {
            if(err)
                break;
            err = misp_attrs(s, json_object_get(o, "Attribute"), origin,
                             threat, r);
        }
    }
    return err;
}

static enum kensa_err parse_json(struct ioc_set *s, const char *p, size_t n,
                                 const char *origin, const char *threat,
                                 struct ioc_report *r)
{
    json_error_t je;
    json_t *root = json_loadb(p, n, JSON_REJECT_DUPLICATES, &je);
    if(!root) {
        r->line = je.line > 0 ? (size_t)je.line : 1;
        r->why = "intel.reason.json";
        return KENSA_EFORMAT;
    }
    enum kensa_err err = KENSA_OK;
    size_t before = r->loaded + r->rejected;
    const char *type = json_string_value(json_object_get(root, "type"));
    if(type && !strcmp(type, "bundle")) {
        json_t *objs = json_object_get(root, "objects"), *o;
        size_t i;
        char src[600], tb[48];
        json_array_foreach(objs, i, o) {
            const char *ot = json_string_value(json_object_get(o, "type"));
            if(!ot || strcmp(ot, "indicator"))
                continue;
            const char *pt = json_string_value(json_object_get(o,
                                                               "pattern_type"));
            const char *pat = json_string_value(json_object_get(o, "pattern"));
            const char *id = json_string_value(json_object_get(o, "id"));
            const char *name = json_string_value(json_object_get(o, "name"));
            snprintf(src, sizeof(src), "%s:%s", origin, id ? id : "indicator");
            if(!pat || (pt && strcmp(pt, "stix"))) {
                reject(r, 0, "intel.reason.pattern", pat ? pat : "",
                       pat ? strlen(pat) : 0);
                continue;
            }
            const char *th = name ? threat_id(name, strlen(name), tb,
                                              sizeof(tb), threat) : threat;
            if((err = stix_pattern(s, pat, th, src, r)))
                break;
        }
    } else if(json_is_array(root)) {
        json_t *ev;
        size_t i;
        json_array_foreach(root, i, ev) {
            if((err = misp_event(s, ev, origin, threat, r, 0)))
                break;
        }
    } else if(json_object_get(root, "response")) {
        json_t *ev, *resp = json_object_get(root, "response");
        size_t i;
        json_array_foreach(resp, i, ev) {
            if((err = misp_event(s, ev, origin, threat, r, 0)))
                break;
        }
    } else if(json_object_get(root, "Event") ||
              json_object_get(root, "Attribute")) {
        err = misp_event(s, root, origin, threat, r, 0);
    } else {
        r->line = 1;
        r->why = "intel.reason.json_kind";
        err = KENSA_EFORMAT;
    }
    if(!err && r->loaded + r->rejected == before && !r->why) {
        /* a JSON document with no indicator at all is not intel */
        r->line = 1;
        r->why = "intel.reason.json_empty";
        err = KENSA_EFORMAT;
    }
    json_decref(root);
    return err;
}

enum kensa_err ioc_parse(struct ioc_set *s, const char *p, size_t n,
                         const char *origin, const char *threat,
                         struct ioc_report *r)
{
    if(n > IOC_FILE_MAX) {
        r->line = 0;
        r->why = "intel.reason.big";
        return KENSA_ELIMIT;
    }
    size_t i = 0;
    if(n >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
        i = 3;
    while(i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' ||
                    p[i] == '\n'))
        i++;
    if(i < n && (p[i] == '{' || p[i] == '['))
        return parse_json(s, p, n, origin, threat, r);
    return parse_lines(s, p, n, origin, threat, r);
}

enum kensa_err ioc_load_file(struct ioc_set *s, const char *path,
                             struct ioc_report *r)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if(fd < 0) {
        r->why = "intel.reason.open";
        return errno == ENOENT ? KENSA_ENOENT : KENSA_EIO;
    }
    struct stat st;
    if(fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        close(fd);
        r->why = "intel.reason.not_file";
        return KENSA_EIO;
    }
    if((uint64_t)st.st_size > IOC_FILE_MAX) {
        close(fd);
        r->why = "intel.reason.big";
        return KENSA_ELIMIT;
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *buf = malloc(cap);
    if(!buf) {
        close(fd);
        return KENSA_ENOMEM;
    }
    for(;;) {
        if(n == cap - 1)
            break;
        ssize_t k = read(fd, buf + n, cap - 1 - n);
        if(k < 0 && errno == EINTR)
            continue;
        if(k < 0) {
            free(buf);
            close(fd);
            r->why = "intel.reason.open";
            return KENSA_EIO;
        }
        if(!k)
            break;
        n += (size_t)k;
    }
    close(fd);
    enum kensa_err e = ioc_parse(s, buf, n, path, "user-ioc", r);
    free(buf);
    return e;
}
