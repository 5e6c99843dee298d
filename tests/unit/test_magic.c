/*
 * test_magic.c - typing believes a signature only when the structure
 * around it holds: a zip end record must describe a central directory
 * that ends right before it, a tar header must pass its checksum.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "core/engine.h"

static void put16(uint8_t *p, unsigned v) { p[0] = v & 255; p[1] = v >> 8; }
static void put32(uint8_t *p, unsigned v) { put16(p, v & 0xffff); put16(p + 2, v >> 16); }

/* prefix text, a 46-byte central header (when cd), the end record */
static size_t build(uint8_t *b, const char *prefix, bool cd, unsigned entries,
                    unsigned comment)
{
    size_t n = strlen(prefix);
    memcpy(b, prefix, n);
    size_t cds = 0;
    if(cd) {
        memset(b + n, 0, 46);
        memcpy(b + n, "PK\1\2", 4);
        cds = 46;
        n += 46;
    }
    memset(b + n, 0, 22);
    memcpy(b + n, "PK\5\6", 4);
    put16(b + n + 8, entries);
    put16(b + n + 10, entries);
    put32(b + n + 12, (unsigned)cds);
    put16(b + n + 20, comment);
    return n + 22;
}

static void zip_end_record(void **st)
{
    (void)st;
    uint8_t b[512];
    size_t n = build(b, "GET / HTTP/1.1 ", true, 1, 0);
    assert_true(magic_has_zip_end(b, n));
    /* the signature alone, with 18 bytes of anything after it */
    n = build(b, "GET / HTTP/1.1 ", false, 1, 0);
    assert_false(magic_has_zip_end(b, n));
    /* an empty zip only when the record is the whole file */
    n = build(b, "", false, 0, 0);
    assert_true(magic_has_zip_end(b, n));
    assert_int_equal(magic_type(b, n), KTYPE_ZIP);
    n = build(b, "text before ", false, 0, 0);
    assert_false(magic_has_zip_end(b, n));
    assert_int_equal(magic_type(b, n), KTYPE_UNKNOWN);
    /* a comment longer than what follows */
    n = build(b, "x", true, 1, 40);
    assert_false(magic_has_zip_end(b, n));
    /* a directory size pointing before the buffer */
    n = build(b, "x", true, 1, 0);
    put32(b + n - 22 + 12, 4000);
    assert_false(magic_has_zip_end(b, n));
}

static void tar_checksum(void **st)
{
    (void)st;
    uint8_t h[512];
    memset(h, 0, sizeof(h));
    assert_false(magic_is_tar_header(h, sizeof(h)));   /* NUL block */
    assert_int_equal(magic_type(h, sizeof(h)), KTYPE_UNKNOWN);
    memcpy(h, "a.log", 5);
    memcpy(h + 257, "ustar", 5);
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for(size_t i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
    assert_true(magic_is_tar_header(h, sizeof(h)));
    assert_int_equal(magic_type(h, sizeof(h)), KTYPE_TAR);
    h[0] = 'b';   /* the checksum no longer holds */
    assert_false(magic_is_tar_header(h, sizeof(h)));
    assert_false(magic_is_tar_header(h, 100));
}

/* The search window: a record at the end of a 64 KiB comment is the
 * farthest found; a record with a comment running into it, or false
 * signatures (and stray 6 bytes) after the real one, do not hide it. */
static void zip_end_window(void **st)
{
    (void)st;
    static uint8_t b[70000 + 512];
    size_t n = build(b, "x", true, 1, 0);
    memset(b + n, 6, 100);                 /* stray bytes: still found? */
    put16(b + n - 22 + 20, 100);           /* yes, as a 100-byte comment */
    assert_true(magic_has_zip_end(b, n + 100));
    memcpy(b + n + 10, "PK\5\6", 4);      /* a false record after it */
    assert_true(magic_has_zip_end(b, n + 100));
    /* the longest comment: the record is 65,557 bytes from the end */
    n = build(b, "x", true, 1, 65535);
    memset(b + n, 'c', 65535);
    assert_true(magic_has_zip_end(b, n + 65535));
    /* one byte more, and it is out of the window */
    put16(b + n - 22 + 20, 65535);
    b[n + 65535] = 'c';
    assert_false(magic_has_zip_end(b, n + 65536));
    /* the smallest file: the record alone at offset 0 */
    n = build(b, "", false, 0, 0);
    assert_true(magic_has_zip_end(b, n));
    assert_false(magic_has_zip_end(b, n - 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(zip_end_record),
        cmocka_unit_test(tar_checksum),
        cmocka_unit_test(zip_end_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
