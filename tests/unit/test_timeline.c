/*
 * test_timeline.c - the timeline (report/timeline.c) keeps what it can
 * and says what it could not: past 100,000 events the rest are counted as
 * dropped and the file holds exactly the kept ones; events come out in
 * time order, ties in arrival order; a log line's own time is its event
 * (its file times are not); times that are not ISO 8601 UTC give no
 * log event; inventory entries give nothing.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "kensa/kensa.h"

/* A finding on a regular file with mtime `sec` (ctime the same). */
static struct kensa_finding file_finding(const char *path, int64_t sec)
{
    struct kensa_finding f = {
        .detector = "ioc", .threat = "user-ioc", .rule = "ioc.sha256",
        .verdict = KENSA_VERDICT_MALICIOUS, .path = path,
        .file_path = path, .file_mode = S_IFREG | 0644,
        .file_mtime = sec, .file_ctime = sec,
    };
    return f;
}

static char *write_all(struct kensa_timeline *t, bool json, size_t *lines)
{
    char *mem = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&mem, &n);
    assert_non_null(f);
    assert_int_equal(kensa_timeline_write(t, f, json), KENSA_OK);
    fclose(f);
    *lines = 0;
    for(size_t i = 0; i < n; i++)
        *lines += mem[i] == '\n';
    return mem;
}

static void capped_and_counted(void **state)
{
    (void)state;
    struct kensa_timeline *t = kensa_timeline_new(KENSA_LANG_EN);
    assert_non_null(t);
    for(int64_t i = 0; i < 100005; i++) {
        struct kensa_finding f = file_finding("/tmp/x", 1639216860 - i);
        kensa_timeline_add(t, &f);
    }
    assert_int_equal(kensa_timeline_dropped(t), 5);
    size_t lines;
    char *out = write_all(t, true, &lines);
    assert_int_equal(lines, 100000);
    /* sorted: the oldest kept first */
    assert_non_null(strstr(out, "{\"@timestamp\":\"2021-12-10T"));
    free(out);
    kensa_timeline_free(t);
}

static void ordered_log_and_files(void **state)
{
    (void)state;
    struct kensa_timeline *t = kensa_timeline_new(KENSA_LANG_EN);
    struct kensa_attr la[2] = {
        { .key = "@timestamp", .str = "2021-12-11T10:00:00.250Z" },
        { .key = "source.ip", .str = "203.0.113.5" },
    };
    struct kensa_finding log = file_finding("/var/log/a.log", 1700000000);
    log.detector = "logs";
    log.verdict = KENSA_VERDICT_ATTACK;
    log.line = 7;
    log.attrs = la;
    log.n_attrs = 2;
    struct kensa_finding late = file_finding("/tmp/late", 1639216861);
    struct kensa_finding tie1 = file_finding("/tmp/tie1", 1639216860);
    struct kensa_finding tie2 = file_finding("/tmp/tie2", 1639216860);
    struct kensa_finding inv = file_finding("/opt/ok.jar", 1);
    inv.verdict = KENSA_VERDICT_PATCHED;
    struct kensa_attr bad = { .key = "@timestamp", .str = "10/Dec/2021" };
    struct kensa_finding odd = file_finding("/var/log/b.log", 5);
    odd.attrs = &bad;
    odd.n_attrs = 1;
    kensa_timeline_add(t, &late);
    kensa_timeline_add(t, &tie1);
    kensa_timeline_add(t, &log);
    kensa_timeline_add(t, &tie2);
    kensa_timeline_add(t, &inv);
    kensa_timeline_add(t, &odd);
    size_t lines;
    char *out = write_all(t, false, &lines);
    assert_int_equal(lines, 5);   /* header + 4 */
    const char *h = strstr(out, "time,kind,");
    const char *a = strstr(out, "\"2021-12-11T10:00:00.250Z\",\"log\"");
    const char *b = strstr(out, "\"/tmp/tie1\"");
    const char *c = strstr(out, "\"/tmp/tie2\"");
    const char *d = strstr(out, "\"/tmp/late\"");
    assert_true(h == out && a && b && c && d);
    assert_true(a < b && b < c && c < d);
    assert_non_null(strstr(a, "\"7\",\"attack\",\"user-ioc\",\"ioc.sha256\",\"203.0.113.5\""));
    assert_null(strstr(out, "/opt/ok.jar"));
    assert_null(strstr(out, "a.log\",\"7\",\"malicious"));
    assert_null(strstr(out, "b.log"));   /* a log line without a time */
    free(out);
    kensa_timeline_free(t);
}

static void process_start(void **state)
{
    (void)state;
    struct kensa_timeline *t = kensa_timeline_new(KENSA_LANG_EN);
    struct kensa_attr pa[3] = {
        { .key = "process.pid", .type = KENSA_ATTR_NUM, .num = 4242 },
        { .key = "process.name", .str = "java" },
        { .key = "process.start", .str = "2021-12-11T09:59:00.12Z" },
    };
    struct kensa_finding f = file_finding("/opt/app/lib/l.jar", 1638345600);
    f.verdict = KENSA_VERDICT_VULNERABLE;
    f.attrs = pa;
    f.n_attrs = 3;
    kensa_timeline_add(t, &f);
    size_t lines;
    char *out = write_all(t, true, &lines);
    assert_int_equal(lines, 2);   /* the jar's mtime, the JVM's start */
    const char *m = strstr(out, "\"@timestamp\":\"2021-12-01T08:00:00.000Z\",\"kind\":\"modified\"");
    const char *p = strstr(out, "\"@timestamp\":\"2021-12-11T09:59:00.120Z\",\"kind\":\"process\"");
    assert_true(m && p && m < p);
    assert_non_null(strstr(p, "\"process\":\"java[4242]\""));
    free(out);
    kensa_timeline_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(capped_and_counted),
        cmocka_unit_test(ordered_log_and_files),
        cmocka_unit_test(process_start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
