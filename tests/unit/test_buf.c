/*
 * test_buf.c - capped buffers refuse to grow past their maximum.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "util/buf.h"

static void cap_holds(void **st)
{
    (void)st;
    struct buf b;
    buf_init(&b, 10);
    assert_int_equal(buf_append(&b, "12345", 5), KENSA_OK);
    assert_int_equal(buf_append(&b, "12345", 5), KENSA_OK);
    assert_int_equal(buf_append(&b, "1", 1), KENSA_ELIMIT);
    assert_int_equal(b.len, 10);
    assert_int_equal(buf_reserve(&b, SIZE_MAX), KENSA_ELIMIT);
    assert_string_equal(buf_cstr(&b), "1234512345");
    buf_free(&b);
    assert_int_equal(b.len, 0);
    char h[65];
    sha256_hex("abc", 3, h);
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223"
                           "b00361a396177a9cb410ff61f20015ad");
}

/* buf_printf formats in place: nothing is lost below the cap. */
static void printf_long(void **st)
{
    (void)st;
    struct buf b;
    char path[1244];
    memset(path, 'p', sizeof(path) - 1);
    path[sizeof(path) - 1] = 0;
    buf_init(&b, 1u << 20);
    assert_int_equal(buf_printf(&b, "CRITICAL %s: %d", path, 42), KENSA_OK);
    assert_int_equal(b.len, 9 + 1243 + 4);
    assert_string_equal(buf_cstr(&b) + 9 + 1243, ": 42");
    buf_free(&b);
    buf_init(&b, 100);
    assert_int_equal(buf_printf(&b, "%s", path), KENSA_ELIMIT);
    assert_int_equal(b.len, 100);   /* cut at the cap, not before */
    assert_int_equal(buf_printf(&b, "x"), KENSA_ELIMIT);
    assert_int_equal(b.len, 100);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cap_holds),
        cmocka_unit_test(printf_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
