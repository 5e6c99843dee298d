/*
 * logmeta.c - the request a log line records (logmeta.h): time, client,
 * method, URL, status, user agent.  Heuristics over a few well-known
 * layouts; a line that fits none gives empty fields, never a guess from
 * the middle of a payload: each field is read at the place its layout
 * puts it, within the first bytes of the line.
 */
#define _DEFAULT_SOURCE   /* timegm */
#include "detect/logmeta.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define HEAD 256   /* where the layouts put a time and a client */

static void put(char *dst, size_t cap, const uint8_t *s, size_t n)
{
    if(n >= cap)
        n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = 0;
    for(size_t i = 0; i < n; i++) {
        if(!dst[i])
            dst[i] = ' ';
    }
}

static const uint8_t *find(const uint8_t *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    while(n >= k) {
        const uint8_t *p = memchr(s, needle[0], n - k + 1);
        if(!p)
            return NULL;
        if(!memcmp(p, needle, k))
            return p;
        n -= (size_t)(p - s) + 1;
        s = p + 1;
    }
    return NULL;
}

/* A quoted string starting at s (after its opening quote): its length
 * up to the closing quote, backslash escapes skipped; n when unclosed. */
static size_t quoted(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while(i < n && s[i] != '"')
        i += s[i] == '\\' && i + 1 < n ? 2 : 1;
    return i < n ? i : n;
}

/* The value of JSON key `key` (given with its quotes and colon:
 * "\"status\":") in s: a string's bytes or a bare number's. */
static bool json_value(const uint8_t *s, size_t n, const char *key,
                       char *out, size_t cap)
{
    const uint8_t *h = find(s, n, key);
    if(!h)
        return false;
    h += strlen(key);
    size_t left = (size_t)(s + n - h);
    while(left && *h == ' ') {
        h++;
        left--;
    }
    if(left && *h == '"') {
        size_t q = quoted(h + 1, left - 1);
        if(q == left - 1)
            return false;
        put(out, cap, h + 1, q);
        return true;
    }
    size_t k = 0;
    while(k < left && k < 20 && ((h[k] >= '0' && h[k] <= '9') || h[k] == '-'))
        k++;
    if(!k)
        return false;
    put(out, cap, h, k);
    return true;
}

static int num(const char *s, size_t k)
{
    int v = 0;
    for(size_t i = 0; i < k; i++) {
        if(s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int month_of(const char *s)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    for(int i = 0; i < 12; i++) {
        if(!strncmp(s, months + 3 * i, 3))
            return i + 1;
    }
    return -1;
}

/* A zone at s: "Z", "+0900", "+09:00", "-07:00"; its offset in seconds
 * east of UTC into *off.  Length read, 0 when none. */
static size_t zone(const char *s, long *off)
{
    if(s[0] == 'Z') {
        *off = 0;
        return 1;
    }
    if(s[0] != '+' && s[0] != '-')
        return 0;
    int h = num(s + 1, 2), m;
    size_t len;
    if(s[1] && s[2] && s[3] == ':') {
        m = num(s + 4, 2);
        len = 6;
    } else {
        m = num(s + 3, 2);
        len = 5;
    }
    if(h < 0 || m < 0 || h > 14 || m > 59)
        return 0;
    *off = (s[0] == '-' ? -1 : 1) * (h * 3600L + m * 60L);
    return len;
}

int logmeta_utc(const char *t, char out[32])
{
    struct tm tm;
    int Y, M, D, h, mi, sec, ms = -1;
    long off = 0;
    bool has_zone = false;
    const char *p;

    out[0] = 0;
    memset(&tm, 0, sizeof(tm));
    size_t len = strnlen(t, 64);
    if(len >= 20 && t[2] == '/' && t[6] == '/' && t[11] == ':') {
        /* Apache: 11/Dec/2021:10:00:01 +0000 */
        D = num(t, 2);
        M = month_of(t + 3);
        Y = num(t + 7, 4);
        h = num(t + 12, 2);
        mi = num(t + 15, 2);
        sec = num(t + 18, 2);
        if(t[14] != ':' || t[17] != ':')
            return 0;
        p = t + 20;
        while(*p == ' ')
            p++;
        has_zone = zone(p, &off) > 0;
    } else if(len >= 19 && t[4] == '-' && t[7] == '-' &&
              (t[10] == 'T' || t[10] == ' ') && t[13] == ':' &&
              t[16] == ':') {
        /* ISO 8601, Log4j: 2021-12-11 10:00:00,123 / ...T10:00:00.5Z */
        Y = num(t, 4);
        M = num(t + 5, 2);
        D = num(t + 8, 2);
        h = num(t + 11, 2);
        mi = num(t + 14, 2);
        sec = num(t + 17, 2);
        p = t + 19;
        if(*p == '.' || *p == ',') {
            int digits = 0, v = 0;
            for(p++; *p >= '0' && *p <= '9'; p++, digits++) {
                if(digits < 3)
                    v = v * 10 + (*p - '0');
            }
            if(!digits)
                return 0;
            for(; digits < 3; digits++)
                v *= 10;
            ms = v;
        }
        while(*p == ' ')
            p++;
        has_zone = zone(p, &off) > 0;
    } else {
        return 0;
    }
    if(Y < 1970 || Y > 9999 || M < 1 || M > 12 || D < 1 || D > 31 ||
       h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60)
        return 0;
    tm.tm_year = Y - 1900;
    tm.tm_mon = M - 1;
    tm.tm_mday = D;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    /* a day the month does not have (31 February) is no date */
    struct tm chk = tm, u;
    time_t plain = timegm(&chk);
    if(plain == (time_t)-1 || !gmtime_r(&plain, &u) || u.tm_mday != D ||
       u.tm_mon != M - 1)
        return 0;
    time_t when;
    if(has_zone) {
        when = plain - off;
    } else {
        tm.tm_isdst = -1;
        when = mktime(&tm);
    }
    if(when == (time_t)-1 || !gmtime_r(&when, &u))
        return 0;
    char tmp[48];
    if(ms >= 0)
        snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                 u.tm_year + 1900, u.tm_mon + 1, u.tm_mday, u.tm_hour,
                 u.tm_min, u.tm_sec, ms);
    else
        snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02dZ",
                 u.tm_year + 1900, u.tm_mon + 1, u.tm_mday, u.tm_hour,
                 u.tm_min, u.tm_sec);
    snprintf(out, 32, "%.31s", tmp);
    return 1;
}

/* Apache/nginx common and combined, from just after the time's ']':
 * ' "GET /x HTTP/1.1" 200 123 "referer" "agent"'. */
static void access_request(const uint8_t *s, size_t n, struct logmeta *m)
{
    if(n < 3 || s[0] != ' ' || s[1] != '"')
        return;
    s += 2;
    n -= 2;
    size_t q = quoted(s, n);
    if(q == n)
        return;
    /* METHOD SP target SP HTTP/x */
    size_t k = 0;
    while(k < q && k < sizeof(m->method) - 1 && s[k] >= 'A' && s[k] <= 'Z')
        k++;
    if(k && k < q && s[k] == ' ') {
        put(m->method, sizeof(m->method), s, k);
        const uint8_t *u = s + k + 1;
        size_t ul = q - k - 1;
        const uint8_t *sp = ul > 9 && !memcmp(u + ul - 9, " HTTP/", 6) ?
                            u + ul - 9 : NULL;
        if(!sp && ul > 7 && !memcmp(u + ul - 7, " HTTP/", 6))
            sp = u + ul - 7;   /* HTTP/2 */
        put(m->url, sizeof(m->url), u, sp ? (size_t)(sp - u) : ul);
    }
    s += q + 1;
    n -= q + 1;
    /* SP status SP bytes */
    if(n > 4 && s[0] == ' ') {
        int st = num((const char *)s + 1, 3);
        if(st >= 100 && st <= 599 && (n == 4 || s[4] == ' '))
            m->status = st;
    }
    /* the user agent: the second quoted field after the status */
    const uint8_t *r = n ? memchr(s, '"', n) : NULL;
    if(!r)
        return;
    size_t left = (size_t)(s + n - r) - 1;
    size_t rq = quoted(r + 1, left);
    if(rq == left)
        return;
    const uint8_t *a = r + 1 + rq + 1;
    left = (size_t)(s + n - a);
    if(left > 2 && a[0] == ' ' && a[1] == '"') {
        size_t aq = quoted(a + 2, left - 2);
        if(aq < left - 2)
            put(m->agent, sizeof(m->agent), a + 2, aq);
    }
}

void logmeta_parse(const uint8_t *s, size_t n, struct logmeta *m)
{
    static const char *const tkeys[] = { "\"@timestamp\":", "\"timestamp\":",
                                         "\"time\":" };
    static const char *const ikeys[] = { "\"remote_addr\":", "\"client_ip\":",
        "\"clientip\":", "\"src_ip\":", "\"source_ip\":", "\"ip\":" };
    static const char *const mkeys[] = { "\"request_method\":",
                                         "\"method\":" };
    static const char *const ukeys[] = { "\"request_uri\":", "\"uri\":",
                                         "\"url\":", "\"path\":" };
    static const char *const skeys[] = { "\"status\":", "\"status_code\":" };
    static const char *const akeys[] = { "\"http_user_agent\":",
                                         "\"user_agent\":",
                                         "\"userAgent\":" };
    size_t head = n < HEAD ? n : HEAD;
    char st[24];

    memset(m, 0, sizeof(*m));
    /* Apache/nginx: IP ident user [time] "req" status bytes ... */
    size_t i = 0;
    while(i < n && i < 64 && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
                              s[i] == ':' || ((s[i] | 32) >= 'a' &&
                                              (s[i] | 32) <= 'f')))
        i++;
    if(i >= 3 && i < n && s[i] == ' ' &&
       (memchr(s, '.', i) || memchr(s, ':', i)))
        put(m->ip, sizeof(m->ip), s, i);
    const uint8_t *lb = memchr(s, '[', head);
    if(lb) {
        const uint8_t *rb = memchr(lb, ']', (size_t)(s + n - lb));
        if(rb && rb - lb > 10 && rb - lb < 40 && lb[3] == '/') {
            put(m->time, sizeof(m->time), lb + 1, (size_t)(rb - lb - 1));
            access_request(rb + 1, (size_t)(s + n - rb - 1), m);
        }
    }
    /* ISO 8601 or Log4j's layout at the start: 2021-12-11 10:00:00,123 */
    if(!m->time[0] && n >= 10 && s[4] == '-' && s[7] == '-' &&
       s[0] >= '0' && s[0] <= '9') {
        /* date, time, fraction, zone: exactly those, so a CSV's
         * "2021-12-11 10:00:00,INFO" gives the time alone */
        size_t k = 10;
        if(k + 8 < n && (s[k] == 'T' || s[k] == ' ') && s[k + 3] == ':' &&
           s[k + 6] == ':') {
            k += 9;
            if(k + 1 < n && (s[k] == '.' || s[k] == ',') &&
               s[k + 1] >= '0' && s[k + 1] <= '9')
                for(k++; k < n && k < 40 && s[k] >= '0' && s[k] <= '9'; k++)
                    ;
            size_t z = k < n && s[k] == ' ' ? k + 1 : k;
            if(z < n && s[z] == 'Z' && z == k) {
                k++;
            } else if(z + 4 < n && (s[z] == '+' || s[z] == '-') &&
                      s[z + 1] >= '0' && s[z + 1] <= '9' &&
                      s[z + 2] >= '0' && s[z + 2] <= '9') {
                size_t e = s[z + 3] == ':' ? z + 6 : z + 5;
                if(e <= n)
                    k = e;
            }
        }
        put(m->time, sizeof(m->time), s, k < n ? k : n);
    }
    /* JSON records */
    for(size_t k = 0; !m->time[0] && k < 3; k++)
        json_value(s, n, tkeys[k], m->time, sizeof(m->time));
    for(size_t k = 0; !m->ip[0] && k < 6; k++)
        json_value(s, n, ikeys[k], m->ip, sizeof(m->ip));
    if(s[0] == '{' || (n > 1 && s[1] == '{')) {
        for(size_t k = 0; !m->method[0] && k < 2; k++)
            json_value(s, n, mkeys[k], m->method, sizeof(m->method));
        for(size_t k = 0; !m->url[0] && k < 4; k++)
            json_value(s, n, ukeys[k], m->url, sizeof(m->url));
        for(size_t k = 0; !m->status && k < 2; k++) {
            if(json_value(s, n, skeys[k], st, sizeof(st))) {
                int v = num(st, strlen(st));
                m->status = v >= 100 && v <= 599 ? v : 0;
            }
        }
        for(size_t k = 0; !m->agent[0] && k < 3; k++)
            json_value(s, n, akeys[k], m->agent, sizeof(m->agent));
    }
    /* Apache error log: [client 1.2.3.4] */
    if(!m->ip[0]) {
        const uint8_t *h = find(s, n, "[client ");
        if(h) {
            h += 8;
            size_t k = 0, left = (size_t)(s + n - h);
            while(k < left && k < 64 && h[k] != ']' && h[k] != ':' &&
                  h[k] != ' ')
                k++;
            put(m->ip, sizeof(m->ip), h, k);
        }
    }
    if(m->time[0])
        logmeta_utc(m->time, m->utc);
}
