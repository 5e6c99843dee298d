/*
 * logmeta.h - what a log line says about the request it records: its
 * time (as written, and normalised to UTC), the client address, and for
 * access logs the HTTP method, URL, status and user agent.  Apache/nginx
 * common and combined formats, ISO 8601 and Log4j's default layout at the
 * start of a line, JSON records ("@timestamp", "remote_addr",
 * "request_method", ...), Apache error logs ("[client 1.2.3.4]").
 *
 * Pure: no allocation, no I/O; every field is capped and NUL-terminated,
 * empty when the line does not say.  Bytes are copied as written (the
 * report escapes them).  Used by the logs detector; fuzzed by
 * fuzz/fuzz_logs.c.
 */
#ifndef KENSA_DETECT_LOGMETA_H
#define KENSA_DETECT_LOGMETA_H

#include <stddef.h>
#include <stdint.h>

struct logmeta {
    char time[64];      /* as written: "11/Dec/2021:10:00:01 +0000" */
    char utc[32];       /* the same in UTC: "2021-12-11T10:00:01Z" (with
                           .mmm when the line has fractions); "" when the
                           time was not understood */
    char ip[64];        /* the client, as written (may be a host name) */
    char method[16];    /* "GET" */
    char url[1024];     /* the request target: "/index.jsp?q=${jndi:...}" */
    int status;         /* 200; 0 when none */
    char agent[512];    /* the User-Agent */
};

/*
 * Read s[0..n) (one line or record).  A time without a zone (Log4j's
 * "2021-12-11 10:00:00,123") is taken as local time of the scanning
 * process (TZ), as the host that wrote it would have.
 */
void logmeta_parse(const uint8_t *s, size_t n, struct logmeta *m);

/*
 * `t` (a time as logs write it) as ISO 8601 UTC into out[32]; false (out
 * "") when it is not a form logmeta knows or not a real date.
 */
int logmeta_utc(const char *t, char out[32]);

#endif
