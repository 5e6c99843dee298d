/*
 * test_manifest.c - the backup manifest's line format (lib/fix/manifest.h):
 * a line the writer produced parses back to the same record, every field
 * is checked for shape, and the percent escapes decode to the exact bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fix/manifest.h"

#define SHA "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define NAME "20240101T000000Z-0123456789abcdef-a.jar.kensa-bak"

/* Parse the C string s; KENSA_OK or the error. */
static enum kensa_err parse(const char *s, struct fix_record *r)
{
    return fix_manifest_parse_line(s, strlen(s), r);
}

static void writer_line(void **st)
{
    (void)st;
    struct fix_record r = { .path = NULL };
    assert_int_equal(parse(NAME "\t" SHA "\t1000\t100\t640\t/srv/app/a.jar",
                           &r), KENSA_OK);
    assert_int_equal(r.name_len, strlen(NAME));
    assert_memory_equal(r.name, NAME, r.name_len);
    assert_string_equal(r.sha, SHA);
    assert_int_equal(r.uid, 1000);
    assert_int_equal(r.gid, 100);
    assert_int_equal(r.mode, 0640);
    assert_string_equal(r.path, "/srv/app/a.jar");
    free(r.path);
    /* the largest ids and mode; root */
    assert_int_equal(parse("n\t" SHA "\t4294967294\t0\t7777\t/x", &r),
                     KENSA_OK);
    assert_int_equal(r.uid, 4294967294u);
    assert_int_equal(r.gid, 0);
    assert_int_equal(r.mode, 07777);
    free(r.path);
}

static void escapes_round_trip(void **st)
{
    (void)st;
    static const char nasty[] = "/tmp/a b\tc\nd%e\x01\x7f\xff\xe6\xa4\x9c.jar";
    struct buf b;
    struct fix_record r = { .path = NULL };
    buf_init(&b, FIX_MANIFEST_LINE_MAX);
    assert_int_equal(buf_puts(&b, "n\t" SHA "\t0\t0\t644\t"), KENSA_OK);
    size_t head = b.len;
    assert_int_equal(fix_manifest_escape(&b, nasty), KENSA_OK);
    const char *line = buf_cstr(&b);
    /* nothing in the escaped path can end a field or a line */
    assert_null(strchr(line + head, '\t'));
    assert_null(strchr(line, '\n'));
    assert_string_equal(line + head, "/tmp/a%20b%09c%0Ad%25e%01%7F%FF%E6%A4%9C.jar");
    assert_int_equal(fix_manifest_parse_line(line, b.len, &r), KENSA_OK);
    assert_string_equal(r.path, nasty);
    free(r.path);
    /* lowercase hex decodes too */
    assert_int_equal(parse("n\t" SHA "\t0\t0\t644\t/a%2fb%7e", &r), KENSA_OK);
    assert_string_equal(r.path, "/a/b~");
    free(r.path);
    /* the cap of the writer's buffer holds */
    struct buf small;
    buf_init(&small, 4);
    assert_int_equal(fix_manifest_escape(&small, "a b"), KENSA_ELIMIT);
    buf_free(&small);
    buf_free(&b);
}

static void not_records(void **st)
{
    (void)st;
    static const char *const bad[] = {
        "# kensa backup manifest v1",
        "",
        "n\t" SHA "\t0\t0\t644",                    /* five fields */
        "n\t" SHA "\t0\t0\t644\t/a\t",              /* seven */
        "n\t" SHA "\t0\t0\t644\t/a\tb",
        "\t" SHA "\t0\t0\t644\t/a",                 /* empty name */
        "n\r\t" SHA "\t0\t0\t644\t/a",              /* control in name */
        "n\t" SHA "0\t0\t0\t644\t/a",               /* 65 hex */
        "n\t" SHA "\t\t0\t644\t/a",                 /* empty uid: not root */
        "n\t" SHA "\t-1\t0\t644\t/a",
        "n\t" SHA "\t+1\t0\t644\t/a",
        "n\t" SHA "\t 1\t0\t644\t/a",
        "n\t" SHA "\t4294967295\t0\t644\t/a",       /* (uid_t)-1 */
        "n\t" SHA "\t99999999999\t0\t644\t/a",
        "n\t" SHA "\t100000000000\t0\t644\t/a",
        "n\t" SHA "\t0\t0x10\t644\t/a",
        "n\t" SHA "\t0\t0\t10000\t/a",              /* mode > 07777 */
        "n\t" SHA "\t0\t0\t648\t/a",                /* not octal */
        "n\t" SHA "\t0\t0\t644\t",                  /* empty path */
        "n\t" SHA "\t0\t0\t644\t/a b",              /* raw space */
        "n\t" SHA "\t0\t0\t644\t/a\r",              /* raw CR */
        "n\t" SHA "\t0\t0\t644\t/a\xc3\xa9",        /* raw high bytes */
        "n\t" SHA "\t0\t0\t644\t/a%00b",            /* NUL */
        "n\t" SHA "\t0\t0\t644\t/a%",               /* cut escapes */
        "n\t" SHA "\t0\t0\t644\t/a%4",
        "n\t" SHA "\t0\t0\t644\t/a%g0",
        "n\t" SHA "\t0\t0\t644\t/a%0g",
    };
    struct fix_record r = { .path = NULL };
    for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if(parse(bad[i], &r) != KENSA_EFORMAT)
            fail_msg("accepted: \"%s\"", bad[i]);
        assert_null(r.path);   /* untouched, nothing allocated */
    }
    /* uppercase sha */
    char up[200];
    strcpy(up, "n\t" SHA "\t0\t0\t644\t/a");
    up[2] = 'E';
    assert_int_equal(parse(up, &r), KENSA_EFORMAT);
    /* a NUL byte inside the length: the line holds it, it is refused */
    static const char nul[] = "n\t" SHA "\t0\t0\t644\t/a\0b";
    assert_int_equal(fix_manifest_parse_line(nul, sizeof(nul) - 1, &r),
                     KENSA_EFORMAT);
    /* the length is obeyed: the same bytes cut before the path */
    static const char full[] = "n\t" SHA "\t0\t0\t644\t/a";
    assert_int_equal(fix_manifest_parse_line(full, sizeof(full) - 3, &r),
                     KENSA_EFORMAT);
    assert_null(r.path);
}

static void line_cap(void **st)
{
    (void)st;
    size_t n = FIX_MANIFEST_LINE_MAX + 1;
    char *line = malloc(n);
    struct fix_record r = { .path = NULL };
    assert_non_null(line);
    size_t head = strlen("n\t" SHA "\t0\t0\t644\t");
    memcpy(line, "n\t" SHA "\t0\t0\t644\t", head);
    memset(line + head, 'a', n - head);
    assert_int_equal(fix_manifest_parse_line(line, n, &r), KENSA_EFORMAT);
    assert_int_equal(fix_manifest_parse_line(line, n - 1, &r), KENSA_OK);
    assert_int_equal(strlen(r.path), n - 1 - head);
    free(r.path);
    free(line);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writer_line),
        cmocka_unit_test(escapes_round_trip),
        cmocka_unit_test(not_records),
        cmocka_unit_test(line_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
