/*
 * milter_conf.c - the configuration file of `kensa milter`: small
 * "key = value" lines, '#' comments.  Keys (docs/kensa.1.scd, MILTER):
 *   on_malicious, on_suspicious, on_clean, on_fail, on_oversize:
 *       accept | quarantine | reject | tempfail | discard
 *   ppap: tempfail | quarantine | reject | accept
 *   ppap_fallback: accept | quarantine | reject     (after ppap_max_wait)
 *   ppap_max_wait, ppap_keep: seconds (suffix s, m, h, d allowed)
 *   state_file: a path ("" : none)
 *   socket_mode: octal, a unix socket's permissions (default 0660)
 *   max_sessions, workers: counts
 *   max_message, max_buffered, max_scansize: bytes (K, M, G suffixes)
 *   max_scantime: milliseconds
 * The file is read once, at start, bounded (64 KiB, lines of 4 KiB).
 */
#define _GNU_SOURCE
#include "milter.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONF_MAX (64u << 10)

void milter_conf_default(struct milter_conf *c)
{
    struct kensa_limits l;
    kensa_limits_default(&l);
    memset(c, 0, sizeof(*c));
    c->on_malicious = MACT_REJECT;
    c->on_suspicious = MACT_QUARANTINE;
    c->on_clean = MACT_ACCEPT;
    c->on_fail = MACT_TEMPFAIL;
    c->on_oversize = MACT_ACCEPT;
    c->ppap = PPAP_TEMPFAIL;
    c->ppap_fallback = MACT_ACCEPT;
    c->ppap_max_wait = 3600;
    c->ppap_keep = 2 * 3600;
    c->max_sessions = 64;
    c->max_message = 32u << 20;
    c->max_buffered = 256u << 20;
    c->workers = 2;
    c->max_scantime_ms = 60000;   /* inside Postfix's 300 s */
    c->max_scansize = l.max_scansize;
    c->socket_mode = 0660;   /* the MTA's group: chgrp it, or Group= */
}

static const char *const ACT[] = { "accept", "quarantine", "reject",
                                   "tempfail", "discard" };

const char *maction_name(enum maction a)
{
    return (unsigned)a < sizeof(ACT) / sizeof(ACT[0]) ? ACT[a] : "?";
}

static bool parse_action(const char *v, enum maction *out)
{
    for(size_t i = 0; i < sizeof(ACT) / sizeof(ACT[0]); i++)
        if(!strcasecmp(v, ACT[i])) {
            *out = (enum maction)i;
            return true;
        }
    return false;
}

/* n with an optional suffix: mul[] gives K/M/G or s/m/h/d factors. */
static bool parse_num(const char *v, uint64_t *out, bool time)
{
    char *end;
    errno = 0;
    if(!isdigit((unsigned char)*v))
        return false;
    unsigned long long n = strtoull(v, &end, 10);
    if(errno)
        return false;
    uint64_t mul = 1;
    switch(time ? *end : toupper((unsigned char)*end)) {
    case 0: break;
    case 'K': mul = 1u << 10; end++; break;
    case 'M': mul = 1u << 20; end++; break;
    case 'G': mul = 1u << 30; end++; break;
    case 's': end++; break;
    case 'm': mul = 60; end++; break;
    case 'h': mul = 3600; end++; break;
    case 'd': mul = 86400; end++; break;
    default: return false;
    }
    if(!time && (*end == 'B' || *end == 'b'))
        end++;
    if(*end || (n && mul > UINT64_MAX / n))
        return false;
    *out = n * mul;
    return true;
}

static bool set_key(struct milter_conf *c, const char *k, const char *v)
{
    uint64_t n;
    static const struct { const char *k; size_t off; } acts[] = {
        { "on_malicious", offsetof(struct milter_conf, on_malicious) },
        { "on_suspicious", offsetof(struct milter_conf, on_suspicious) },
        { "on_clean", offsetof(struct milter_conf, on_clean) },
        { "on_fail", offsetof(struct milter_conf, on_fail) },
        { "on_oversize", offsetof(struct milter_conf, on_oversize) },
        { "ppap_fallback", offsetof(struct milter_conf, ppap_fallback) },
    };
    for(size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
        if(!strcmp(k, acts[i].k))
            return parse_action(v, (enum maction *)((char *)c + acts[i].off));
    if(!strcmp(k, "ppap")) {
        static const char *const P[] = { "tempfail", "quarantine", "reject",
                                         "accept" };
        for(size_t i = 0; i < 4; i++)
            if(!strcasecmp(v, P[i]) ||
               (i == 0 && !strcasecmp(v, "tempfail-until-password"))) {
                c->ppap = (enum ppap_policy)i;
                return true;
            }
        return false;
    }
    if(!strcmp(k, "socket_mode")) {
        char *end;
        unsigned long m = strtoul(v, &end, 8);
        if(end == v || *end || m > 0777)
            return false;
        c->socket_mode = (unsigned)m;
        return true;
    }
    if(!strcmp(k, "state_file")) {
        if(strlen(v) >= sizeof(c->state_file) || (*v && *v != '/'))
            return false;
        snprintf(c->state_file, sizeof(c->state_file), "%s", v);
        return true;
    }
    static const struct { const char *k; bool time; uint64_t max; } nums[] = {
        { "ppap_max_wait", true, 30 * 86400 }, { "ppap_keep", true, 30 * 86400 },
        { "max_sessions", false, 4096 }, { "workers", false, 64 },
        { "max_message", false, 1ull << 30 }, { "max_buffered", false, 16ull << 30 },
        { "max_scansize", false, 1ull << 40 },
        { "max_scantime", false, 3600000 },
    };
    for(size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
        if(strcmp(k, nums[i].k))
            continue;
        if(!parse_num(v, &n, nums[i].time) || n > nums[i].max)
            return false;
        switch(i) {
        case 0: c->ppap_max_wait = (unsigned)n; break;
        case 1: c->ppap_keep = (unsigned)n; break;
        case 2: if(!n) return false; c->max_sessions = (unsigned)n; break;
        case 3: if(!n) return false; c->workers = (unsigned)n; break;
        case 4: if(!n) return false; c->max_message = n; break;
        case 5: if(!n) return false; c->max_buffered = n; break;
        case 6: c->max_scansize = n; break;
        default: if(!n) return false; c->max_scantime_ms = n; break;
        }
        return true;
    }
    return false;
}

static char *trim(char *s)
{
    while(*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while(n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = 0;
    return s;
}

bool milter_conf_load(struct milter_conf *c, const char *path, char *why,
                      size_t whycap)
{
    bool ok = false;
    char *buf = NULL;
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if(fd < 0) {
        snprintf(why, whycap, "%s: %s", path, strerror(errno));
        return false;
    }
    if(fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > CONF_MAX) {
        snprintf(why, whycap, "%s: not a regular file of at most 64 KiB",
                 path);
        goto out;
    }
    buf = malloc((size_t)st.st_size + 1);
    if(!buf) {
        snprintf(why, whycap, "%s: %s", path, strerror(ENOMEM));
        goto out;
    }
    ssize_t got = read(fd, buf, (size_t)st.st_size);
    if(got < 0) {
        snprintf(why, whycap, "%s: %s", path, strerror(errno));
        goto out;
    }
    buf[got] = 0;
    if(memchr(buf, 0, (size_t)got)) {
        snprintf(why, whycap, "%s: a NUL byte in a text file", path);
        goto out;
    }
    unsigned lineno = 0;
    for(char *line = buf, *next; line; line = next) {
        next = strchr(line, '\n');
        if(next)
            *next++ = 0;
        lineno++;
        char *s = trim(line);
        if(!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if(eq)
            *eq = 0;
        if(!eq || !set_key(c, trim(s), trim(eq + 1))) {
            snprintf(why, whycap, "%s: line %u: unknown key or bad value "
                     "\"%.64s\"", path, lineno, trim(s));
            goto out;
        }
    }
    ok = true;
out:
    free(buf);
    close(fd);
    return ok;
}
