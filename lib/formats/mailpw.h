/*
 * mailpw.h - candidate archive passwords in the text of a mail, as
 * Japanese and English senders write them: "パスワード：Abc123" (full-width
 * colon, no spaces), "解凍パスワードは「Abc123」です", "PW: Abc123",
 * "【パスワード】Abc123", "Password is Abc123", "暗証番号=1234".
 *
 * Pure: no allocation, no I/O.  The text is UTF-8 (the mail front end
 * converts every charset first); a keyword (パスワード, 解凍, 暗証, password,
 * passwd, passcode, pass, pwd, pw; ASCII case-insensitive, full-width
 * letters too) is followed by optional spaces and a separator (: ： = ＝,
 * 「 『 【 " ', は, "is"), then the password: a run of printable ASCII or
 * full-width ASCII (folded to ASCII), ending at a space, a quote, a CJK
 * character or a markup '<'.  Bounded: at most MAILPW_MAX candidates of
 * at most MAILPW_LEN bytes, duplicates dropped.  Fuzzed by
 * fuzz/fuzz_mailpw.c, tested by tests/unit/test_mailpw.c.
 */
#ifndef KENSA_FORMATS_MAILPW_H
#define KENSA_FORMATS_MAILPW_H

#include <stdbool.h>
#include <stddef.h>

#define MAILPW_MAX 16
#define MAILPW_LEN 64

struct mailpw {
    char v[MAILPW_MAX][MAILPW_LEN + 1];
    size_t n;
};

/* Add the candidates of text[0..len) to pw (which the caller zeroes
 * once, then may feed several texts).  Returns how many were added. */
size_t mailpw_scan(struct mailpw *pw, const char *text, size_t len);

/* Add one candidate (copied, bounded); false when full, too long, empty
 * or already there. */
bool mailpw_add(struct mailpw *pw, const char *s, size_t n);

#endif
