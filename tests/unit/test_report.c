/*
 * test_report.c - the writers never emit half a record: a record over the
 * cap is written again with its long fields cut at a UTF-8 boundary
 * (verdict kept, kensa.truncated in JSON), and a large one that fits is
 * written whole.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "report/report.h"

/* A path of n bytes of "日" (3 bytes each) after "/p/", so a cut at any
 * byte count lands inside a character two times out of three. */
static char *long_path(size_t n)
{
    char *p = malloc(n + 1);
    assert_non_null(p);
    memcpy(p, "/p/", 3);
    for(size_t i = 3; i < n; i++)
        p[i] = "\xe6\x97\xa5"[(i - 3) % 3];
    p[n - (n - 3) % 3] = 0;
    return p;
}

/* Write one finding with `fmt`, the record cap lowered to `max`. */
static char *write_one(enum kensa_format fmt, size_t max, const char *path)
{
    struct kensa_report_opts o = { .format = fmt, .quiet = true };
    char *mem = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&mem, &n);
    assert_non_null(f);
    struct kensa_report *r = kensa_report_new(&o, f, NULL);
    assert_non_null(r);
    r->rec_max = max;
    static const struct kensa_attr attrs[] = {
        { .key = "package.name", .str = "log4j-core" },
        { .key = "package.version", .str = "2.14.1" },
        { .key = "vulnerability.id", .str = "CVE-2021-44228",
          .flags = KENSA_ATTR_LIST },
    };
    struct kensa_finding fd = {
        .detector = "log4j", .threat = "log4shell",
        .verdict = KENSA_VERDICT_VULNERABLE, .severity = KENSA_SEV_CRITICAL,
        .path = path, .file_path = "/p", .attrs = attrs, .n_attrs = 3,
        .message = { .id = "log4j.core.patched", .args = &attrs[1].str,
                     .nargs = 1 },
    };
    kensa_report_finding(r, &fd);
    kensa_report_finish(r);
    kensa_report_free(r);
    fclose(f);
    return mem;
}

/* No U+FFFD: nothing was cut inside a character. */
static void no_replacement(const char *s)
{
    assert_null(strstr(s, "\xef\xbf\xbd"));
}

static void json_cut_not_broken(void **st)
{
    (void)st;
    char *path = long_path(300000);
    char *out = write_one(KENSA_FMT_JSON, 256 << 10, path);
    size_t n = strlen(out);
    assert_true(n > REPORT_FIELD_CUT && n < 256 << 10);
    assert_string_equal(out + n - 2, "}\n");
    assert_ptr_equal(strchr(out, '\n'), out + n - 1);
    assert_non_null(strstr(out, "\"verdict\":\"vulnerable\""));
    assert_non_null(strstr(out, "\"truncated\":true"));
    no_replacement(out);
    free(out);
    /* the same record with room: whole, no marker */
    out = write_one(KENSA_FMT_JSON, REPORT_RECORD_MAX, path);
    assert_non_null(strstr(out, path));
    assert_null(strstr(out, "truncated"));
    free(out);
    free(path);
}

static void csv_cut_not_broken(void **st)
{
    (void)st;
    char *path = long_path(300000);
    char *out = write_one(KENSA_FMT_CSV, 256 << 10, path);
    char *row = strstr(out, "\r\n");
    assert_non_null(row);
    row += 2;
    size_t n = strlen(row), quotes = 0, commas = 0;
    assert_true(n > REPORT_FIELD_CUT && n < 256 << 10);
    assert_string_equal(row + n - 3, "\"\r\n");
    for(const char *p = row; *p; p++) {
        quotes += *p == '"';
        commas += *p == ',' && quotes % 2 == 0;
    }
    assert_int_equal(quotes, 30);   /* 15 quoted cells */
    assert_int_equal(commas, 14);
    assert_non_null(strstr(row, "\"vulnerable\""));
    no_replacement(out);
    free(out);
    free(path);
}

static void text_whole_or_cut(void **st)
{
    (void)st;
    char *path = long_path(300000);
    char *out = write_one(KENSA_FMT_TEXT, REPORT_RECORD_MAX, path);
    assert_non_null(strstr(out, path));
    free(out);
    out = write_one(KENSA_FMT_TEXT, 256 << 10, path);
    assert_non_null(strstr(out, ": log4j-core 2.14.1 is patched\n"));
    assert_true(strlen(out) > REPORT_FIELD_CUT);
    no_replacement(out);
    free(out);
    free(path);
}

/* Paths made absolute on the string alone. */
static void abspath_lexical(void **state)
{
    static const char *const cases[][3] = {
        { "/srv", "app.war", "/srv/app.war" },
        { "/srv", "./lib/../lib/x.jar", "/srv/lib/x.jar" },
        { "/srv/a", "../../../../etc", "/etc" },
        { "/srv", "/opt//app/./x/..", "/opt/app" },
        { "/", ".", "/" },
        { "/srv/", "a/", "/srv/a" },
        { "/srv", "..", "/" },
        { NULL, "a/./b/../c", "a/c" },
        { "/srv", "a\nb/\xff", "/srv/a\nb/\xff" },
    };
    (void)state;
    for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *p = report_abspath(cases[i][0], cases[i][1]);
        assert_non_null(p);
        assert_string_equal(p, cases[i][2]);
        free(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(abspath_lexical),
        cmocka_unit_test(json_cut_not_broken),
        cmocka_unit_test(csv_cut_not_broken),
        cmocka_unit_test(text_whole_or_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
