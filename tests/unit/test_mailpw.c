/*
 * test_mailpw.c - candidate passwords in a mail's text (formats/mailpw.h):
 * Japanese forms with full-width colons and no spaces, quotes, brackets,
 * English forms, words that only look like keywords, and the bounds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "formats/mailpw.h"

static bool has(const struct mailpw *pw, const char *s)
{
    for(size_t i = 0; i < pw->n; i++)
        if(!strcmp(pw->v[i], s))
            return true;
    return false;
}

static struct mailpw scan(const char *text)
{
    struct mailpw pw;
    memset(&pw, 0, sizeof(pw));
    mailpw_scan(&pw, text, strlen(text));
    return pw;
}

static void japanese(void **state)
{
    (void)state;
    struct mailpw pw = scan("先ほどのファイルのパスワード：Abc123\r\nよろしくお願いします。");
    assert_int_equal(pw.n, 1);
    assert_string_equal(pw.v[0], "Abc123");
    pw = scan("解凍パスワードは「x9#Kq!」です。");
    assert_true(has(&pw, "x9#Kq!"));
    pw = scan("【パスワード】Secr3t");
    assert_true(has(&pw, "Secr3t"));
    pw = scan("暗証番号＝４８１５");
    assert_true(has(&pw, "4815"));
    pw = scan("パスワードはPa55wordです");
    assert_true(has(&pw, "Pa55word"));
    pw = scan("パスワード　：　『zz-top』");
    assert_true(has(&pw, "zz-top"));
    pw = scan("ＰＷ：ｑｗｅｒｔｙ");
    assert_true(has(&pw, "qwerty"));
}

static void english(void **state)
{
    (void)state;
    struct mailpw pw = scan("Hi,\nPW: hunter2.\nThanks");
    assert_true(has(&pw, "hunter2"));
    assert_true(has(&pw, "hunter2."));
    pw = scan("The password is \"open sesame\"");
    assert_true(has(&pw, "open"));
    pw = scan("Password=Tr0ub4dor&3");
    assert_true(has(&pw, "Tr0ub4dor&3"));
    pw = scan("pass:abc pwd:def");
    assert_true(has(&pw, "abc"));
    assert_true(has(&pw, "def"));
}

static void not_passwords(void **state)
{
    (void)state;
    struct mailpw pw = scan("Please pass the file along. The passage of time.");
    assert_int_equal(pw.n, 0);
    pw = scan("cpw: no; bypass: no; pwned: no; パスワードを送ります。");
    assert_int_equal(pw.n, 0);
    pw = scan("");
    assert_int_equal(pw.n, 0);
    pw = scan("password:");
    assert_int_equal(pw.n, 0);
}

static void bounds(void **state)
{
    (void)state;
    char big[4096] = "PW:";
    memset(big + 3, 'a', 100);
    big[103] = '\0';
    struct mailpw pw = scan(big);
    assert_int_equal(pw.n, 0);   /* longer than MAILPW_LEN */
    char many[8192] = "";
    for(int i = 0; i < 40; i++) {
        char one[32];
        snprintf(one, sizeof(one), "PW:p%d\n", i);
        strcat(many, one);
    }
    pw = scan(many);
    assert_int_equal(pw.n, MAILPW_MAX);
    pw = scan("PW:same PW:same");
    assert_int_equal(pw.n, 1);
    /* truncated UTF-8 at the end */
    pw = scan("パスワード：abc\xE3\x83");
    assert_true(has(&pw, "abc"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(japanese),
        cmocka_unit_test(english),
        cmocka_unit_test(not_passwords),
        cmocka_unit_test(bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
