/*
 * test_messages.c - the message catalog and its renderer: arguments in
 * any order, missing ones shown as they stand, long ones never cut
 * silently, bytes never interpreted, Japanese, and every id with both
 * templates using the same placeholders.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kensa/kensa.h"

static void argument_order(void **st)
{
    (void)st;
    char out[256];
    const char *a[] = { "x.jar", "1000" };
    size_t n = kensa_message_render("zip.ratio", a, 2, KENSA_LANG_EN, out,
                                    sizeof(out));
    assert_string_equal(out, "entry x.jar: compressed more than 1000:1 "
                             "(--max-ratio), not scanned");
    assert_int_equal(n, strlen(out));
    kensa_message_render("cli.restored", (const char *[]){ "/a", "/b" }, 2,
                         KENSA_LANG_EN, out, sizeof(out));
    assert_string_equal(out, "restored /a from /b (sha256 verified)");
    /* Japanese puts the second argument first */
    kensa_message_render("cli.restored", (const char *[]){ "/a", "/b" }, 2,
                         KENSA_LANG_JA, out, sizeof(out));
    assert_string_equal(out, "/b から /a を復元しました（SHA-256 を照合済み）。");
    /* one argument used twice */
    kensa_message_render("cli.needs_path", (const char *[]){ "logs" }, 1,
                         KENSA_LANG_EN, out, sizeof(out));
    assert_string_equal(out, "logs needs at least one PATH (try: kensa logs "
                             "/var/log)");
}

static void missing_and_odd(void **st)
{
    (void)st;
    char out[256];
    /* missing arguments are shown as they stand, the others in place */
    kensa_message_render("zip.ratio", (const char *[]){ "x.jar" }, 1,
                         KENSA_LANG_EN, out, sizeof(out));
    assert_string_equal(out, "entry x.jar: compressed more than {2}:1 "
                             "(--max-ratio), not scanned");
    kensa_message_render("zip.ratio", NULL, 0, KENSA_LANG_JA, out,
                         sizeof(out));
    assert_non_null(strstr(out, "{1}"));
    assert_non_null(strstr(out, "{2}"));
    kensa_message_render("zip.ratio", (const char *[]){ NULL, "7" }, 2,
                         KENSA_LANG_EN, out, sizeof(out));
    assert_string_equal(out, "entry {1}: compressed more than 7:1 "
                             "(--max-ratio), not scanned");
    /* arguments are bytes: placeholders and percents inside stay */
    kensa_message_render("cli.warning", (const char *[]){ "{2}%s%n", "{1}" },
                         2, KENSA_LANG_EN, out, sizeof(out));
    assert_string_equal(out, "warning: {2}%s%n: {1}");
    /* an unknown id renders as itself; {e} outside a warning stays */
    kensa_message_render("no.such.id", NULL, 0, KENSA_LANG_EN, out,
                         sizeof(out));
    assert_string_equal(out, "no.such.id");
    assert_null(kensa_message_template("no.such.id", KENSA_LANG_JA));
    kensa_message_render("zip.unreadable", NULL, 0, KENSA_LANG_EN, out,
                         sizeof(out));
    assert_non_null(strstr(out, "{e}"));
}

static void long_arguments(void **st)
{
    (void)st;
    size_t big = 100000;
    char *arg = malloc(big + 1);
    assert_non_null(arg);
    memset(arg, 'a', big);
    arg[big] = 0;
    const char *a[] = { arg };
    char small[16];
    size_t n = kensa_message_render("cli.cannot_write_file", a, 1,
                                    KENSA_LANG_EN, small, sizeof(small));
    assert_int_equal(n, strlen("cannot write ") + big);
    assert_int_equal(strlen(small), sizeof(small) - 1);   /* cut, said so */
    assert_int_equal(kensa_message_render("cli.cannot_write_file", a, 1,
                                          KENSA_LANG_EN, NULL, 0), n);
    char *whole = malloc(n + 1);
    assert_non_null(whole);
    assert_int_equal(kensa_message_render("cli.cannot_write_file", a, 1,
                                          KENSA_LANG_EN, whole, n + 1), n);
    assert_int_equal(strlen(whole), n);
    assert_memory_equal(whole + 13, arg, big);
    free(whole);
    free(arg);
}

static void warnings(void **st)
{
    (void)st;
    char out[512];
    struct kensa_warning w = {
        .path = "/x", .err = KENSA_EFORMAT, .message = "ignored",
        .id = "zip.unreadable",
    };
    kensa_warning_render(&w, KENSA_LANG_EN, out, sizeof(out));
    assert_string_equal(out, "not a readable zip (truncated or corrupt): "
                             "malformed input; read as data");
    kensa_warning_render(&w, KENSA_LANG_JA, out, sizeof(out));
    assert_string_equal(out, "ZIP として読み取れません（途中で切れているか"
                             "壊れています：形式が不正）。データとして読みます。");
    struct kensa_warning ws = { .path = "/x", .err = KENSA_ENOENT,
                                .id = "walk.root", .sys_errno = 2 };
    kensa_warning_render(&ws, KENSA_LANG_EN, out, sizeof(out));
    assert_string_equal(out, "cannot scan: No such file or directory");
    kensa_warning_render(&ws, KENSA_LANG_JA, out, sizeof(out));
    assert_string_equal(out, "スキャンできません（ファイルまたはフォルダーが"
                             "ありません）。");
    /* a warning without an id (an older producer) gives its message */
    struct kensa_warning old = { .path = "/x", .message = "as {1} was" };
    kensa_warning_render(&old, KENSA_LANG_JA, out, sizeof(out));
    assert_string_equal(out, "as {1} was");
}

/* The placeholders of t, as a bit set ({1}..{9}, {e}, {s}). */
static unsigned placeholders(const char *t)
{
    unsigned set = 0;
    for(const char *p = strchr(t, '{'); p; p = strchr(p + 1, '{')) {
        if(p[1] >= '1' && p[1] <= '9' && p[2] == '}')
            set |= 1u << (p[1] - '0');
        else if(p[1] == 'e' && p[2] == '}')
            set |= 1u << 10;
        else if(p[1] == 's' && p[2] == '}')
            set |= 1u << 11;
    }
    return set;
}

static void catalog_complete(void **st)
{
    (void)st;
    size_t n = kensa_message_count();
    assert_true(n > 50);
    for(size_t i = 0; i < n; i++) {
        const char *id = kensa_message_id_at(i);
        assert_non_null(id);
        const char *en = kensa_message_template(id, KENSA_LANG_EN);
        const char *ja = kensa_message_template(id, KENSA_LANG_JA);
        assert_non_null(en);
        assert_non_null(ja);
        if(!*en || !*ja)
            fail_msg("%s: empty template", id);
        if(placeholders(en) != placeholders(ja))
            fail_msg("%s: en and ja use different arguments", id);
        for(size_t k = 0; k < i; k++)
            if(!strcmp(kensa_message_id_at(k), id))
                fail_msg("%s: id used twice", id);
        /* Japanese sentences: no ASCII sentence punctuation ending one,
         * and every template with a kana or kanji has one */
        size_t jl = strlen(ja);
        if(jl && (ja[jl - 1] == '.' || strstr(ja, ". ") || strstr(ja, ", ")))
            fail_msg("%s: ASCII punctuation in Japanese", id);
        bool cjk = false;   /* kana, kanji, full-width forms */
        for(const char *c = ja; *c; c++)
            cjk |= (unsigned char)*c >= 0xe3 && (unsigned char)*c <= 0xef;
        if(strcmp(en, ja) && strlen(en) > 12 && !cjk)
            fail_msg("%s: Japanese template without Japanese", id);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(argument_order),
        cmocka_unit_test(missing_and_odd),
        cmocka_unit_test(long_arguments),
        cmocka_unit_test(warnings),
        cmocka_unit_test(catalog_complete),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
