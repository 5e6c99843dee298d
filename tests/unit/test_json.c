/*
 * test_json.c - JSON strings stay valid whatever the bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "util/json.h"

static const char *enc(struct buf *b, const char *s)
{
    b->len = 0;
    json_str(b, s);
    return buf_cstr(b);
}

static void escapes(void **st)
{
    (void)st;
    struct buf b;
    buf_init(&b, 4096);
    assert_string_equal(enc(&b, "a\"b\\c"), "\"a\\\"b\\\\c\"");
    assert_string_equal(enc(&b, "l1\nl2\t\x01"), "\"l1\\nl2\\t\\u0001\"");
    assert_string_equal(enc(&b, NULL), "null");
    assert_string_equal(enc(&b, "検査"), "\"検査\"");
    /* Latin-1, overlong, surrogate, truncated sequence: U+FFFD each */
    assert_string_equal(enc(&b, "caf\xe9"), "\"caf\xef\xbf\xbd\"");
    assert_string_equal(enc(&b, "\xc0\xaf"),
                        "\"\xef\xbf\xbd\xef\xbf\xbd\"");
    assert_string_equal(enc(&b, "\xed\xa0\x80"),
                        "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
    assert_string_equal(enc(&b, "\xe6\xa4"), "\"\xef\xbf\xbd\xef\xbf\xbd\"");
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(escapes) };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
