/*
 * test_esc.c - the terminal sanitiser and the CSV cell writer: what is
 * escaped, what passes (CJK), formula neutralisation, UTF-8-safe cuts.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/esc.h"

static const char *esc(struct buf *b, const char *s)
{
    b->len = 0;
    assert_int_equal(esc_append(b, s, strlen(s)), KENSA_OK);
    return buf_cstr(b);
}

static const char *cell(struct buf *b, const char *s)
{
    b->len = 0;
    assert_int_equal(csv_cell(b, s, strlen(s)), KENSA_OK);
    return buf_cstr(b);
}

static void text_escapes(void **st)
{
    (void)st;
    struct buf b;
    buf_init(&b, 4096);
    assert_string_equal(esc(&b, "plain /srv/app.war!/x.jar"),
                        "plain /srv/app.war!/x.jar");
    assert_string_equal(esc(&b, "検査ログ/ファイル.jar"), "検査ログ/ファイル.jar");
    /* C0, DEL, newline and tab included */
    assert_string_equal(esc(&b, "a\033[2Jb\x07\x7f\n\r\t"),
                        "a\\x1b[2Jb\\x07\\x7f\\x0a\\x0d\\x09");
    /* OSC 52 (clipboard) */
    assert_string_equal(esc(&b, "\033]52;c;ZXZpbA==\007"),
                        "\\x1b]52;c;ZXZpbA==\\x07");
    /* C1 as UTF-8 and as a raw byte; other invalid UTF-8 */
    assert_string_equal(esc(&b, "\xc2\x9b" "1A|\x9b|\x85"), "\\u009b1A|\\x9b|\\x85");
    assert_string_equal(esc(&b, "caf\xe9 \xc0\xaf \xe6\xa4"),
                        "caf\\xe9 \\xc0\\xaf \\xe6\\xa4");
    /* bidi overrides, isolates and marks; not their neighbours */
    assert_string_equal(esc(&b, "\xe2\x80\xae" "cod.exe\xe2\x81\xa6\xe2\x81\xa9"
                                "\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c"),
                        "\\u202ecod.exe\\u2066\\u2069\\u200e\\u200f\\u061c");
    assert_string_equal(esc(&b, "\xe2\x80\xaa\xe2\x80\xac\xe2\x80\xa9"),
                        "\\u202a\\u202c\\u2029");
    assert_string_equal(esc(&b, "\xe2\x80\x94 \xe2\x80\xb0 \xc2\xa0"),
                        "\xe2\x80\x94 \xe2\x80\xb0 \xc2\xa0");
    assert_int_equal(esc_span("ab\033", 3), 2);
    /* the cap holds */
    struct buf small;
    buf_init(&small, 5);
    assert_int_equal(esc_append(&small, "\033\033", 2), KENSA_ELIMIT);
    buf_free(&small);
    buf_free(&b);
}

static void fputs_safe(void **st)
{
    (void)st;
    char *mem = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&mem, &n);
    assert_non_null(f);
    assert_true(kensa_fputs_safe("x\033[1A\033[2K\xe2\x80\xae日本", f) >= 0);
    fclose(f);
    assert_string_equal(mem, "x\\x1b[1A\\x1b[2K\\u202e日本");
    free(mem);
    f = fopen("/dev/full", "w");
    if(f) {
        setvbuf(f, NULL, _IONBF, 0);
        assert_int_equal(kensa_fputs_safe("abc\033", f), EOF);
        fclose(f);
    }
}

static void csv_cells(void **st)
{
    (void)st;
    struct buf b;
    buf_init(&b, 4096);
    assert_string_equal(cell(&b, ""), "\"\"");
    assert_string_equal(cell(&b, "a,b"), "\"a,b\"");
    assert_string_equal(cell(&b, "say \"hi\""), "\"say \"\"hi\"\"\"");
    assert_string_equal(cell(&b, "a\"\r\nip,\"=1"), "\"a\"\"\r\nip,\"\"=1\"");
    /* formula starts: = + - @ TAB CR */
    assert_string_equal(cell(&b, "=cmd|' /C calc'!A0"),
                        "\"'=cmd|' /C calc'!A0\"");
    assert_string_equal(cell(&b, "+1"), "\"'+1\"");
    assert_string_equal(cell(&b, "-2+3"), "\"'-2+3\"");
    assert_string_equal(cell(&b, "@SUM(A1)"), "\"'@SUM(A1)\"");
    assert_string_equal(cell(&b, "\t=1"), "\"'\t=1\"");
    assert_string_equal(cell(&b, "\r=1"), "\"'\r=1\"");
    assert_string_equal(cell(&b, "a=1"), "\"a=1\"");
    /* UTF-8 kept, invalid bytes become U+FFFD */
    assert_string_equal(cell(&b, "日本"), "\"日本\"");
    assert_string_equal(cell(&b, "caf\xe9"), "\"caf\xef\xbf\xbd\"");
    buf_free(&b);
}

static void utf8_cuts(void **st)
{
    (void)st;
    const char *s = "ab日本";   /* 2 + 3 + 3 bytes */
    assert_int_equal(utf8_cut(s, 8, 100), 8);
    assert_int_equal(utf8_cut(s, 8, 2), 2);
    assert_int_equal(utf8_cut(s, 8, 3), 2);
    assert_int_equal(utf8_cut(s, 8, 4), 2);
    assert_int_equal(utf8_cut(s, 8, 5), 5);
    assert_int_equal(utf8_cut(s, 8, 7), 5);
    assert_int_equal(utf8_cut("\xff\xff\xff", 3, 2), 2);
    assert_int_equal(utf8_cut("\xe6\xa4", 2, 1), 1);   /* not UTF-8 */
    assert_int_equal(utf8_cut("abc", 3, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_escapes),
        cmocka_unit_test(fputs_safe),
        cmocka_unit_test(csv_cells),
        cmocka_unit_test(utf8_cuts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
