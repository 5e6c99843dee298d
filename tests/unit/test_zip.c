/*
 * test_zip.c - the zip reader on archives built here: stored and deflated
 * entries, a prefix in front, truncation, a lying size, bad offsets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "formats/zip.h"
#include "zipbuild.h"

static const char text[] = "hello hello hello hello hello hello hello";

static void reads_stored_and_deflated(void **st)
{
    (void)st;
    struct zb_entry e[] = {
        { "a.txt", text, sizeof(text) - 1, 0 },
        { "dir/b.txt", text, sizeof(text) - 1, 8 },
    };
    size_t len;
    uint8_t *z = zb_build(e, 2, 0, &len);
    struct zip zip;
    assert_int_equal(zip_open(&zip, z, len, 100), KENSA_OK);
    assert_int_equal(zip.count, 2);
    assert_string_equal(zip.e[1].name, "dir/b.txt");
    assert_int_equal(zip.prefix, 0);
    struct buf b;
    buf_init(&b, 1 << 20);
    for(size_t i = 0; i < 2; i++) {
        const uint8_t *p;
        size_t n;
        assert_int_equal(zip_get(&zip, i, 0, &b, &p, &n), KENSA_OK);
        assert_int_equal(n, sizeof(text) - 1);
        assert_memory_equal(p, text, n);
        uint8_t head[5];
        size_t got;
        assert_int_equal(zip_peek(&zip, i, head, 5, &got), KENSA_OK);
        assert_int_equal(got, 5);
        assert_memory_equal(head, "hello", 5);
    }
    buf_free(&b);
    zip_close(&zip);
    free(z);
}

static void measures_prefix(void **st)
{
    (void)st;
    struct zb_entry e[] = { { "x", text, 10, 8 } };
    size_t len;
    uint8_t *z = zb_build(e, 1, 123, &len);
    struct zip zip;
    assert_int_equal(zip_open(&zip, z, len, 100), KENSA_OK);
    assert_int_equal(zip.prefix, 123);
    struct buf b;
    buf_init(&b, 1 << 20);
    const uint8_t *p;
    size_t n;
    assert_int_equal(zip_get(&zip, 0, 0, &b, &p, &n), KENSA_OK);
    assert_memory_equal(p, text, 10);
    buf_free(&b);
    zip_close(&zip);
    free(z);
}

static void rejects_truncated_and_caps(void **st)
{
    (void)st;
    struct zb_entry e[] = { { "x", text, sizeof(text) - 1, 8 } };
    size_t len;
    uint8_t *z = zb_build(e, 1, 0, &len);
    struct zip zip;
    /* Cut anywhere, the end record is gone or incomplete: every prefix
     * of the archive is a format error, never a zip with garbage in it. */
    for(size_t cut = 0; cut < len; cut++)
        assert_int_equal(zip_open(&zip, z, cut, 100), KENSA_EFORMAT);
    /* Bytes lost at the front instead: the directory now points past
     * what is there.  Either a format error, or the one entry, whose
     * bytes are refused or read back exactly. */
    for(size_t cut = 1; cut < len; cut++) {
        enum kensa_err rc = zip_open(&zip, z + cut, len - cut, 100);
        if(rc != KENSA_OK) {
            assert_int_equal(rc, KENSA_EFORMAT);
            continue;
        }
        assert_int_equal(zip.count, 1);
        assert_string_equal(zip.e[0].name, "x");
        struct buf sb;
        buf_init(&sb, 1 << 16);
        const uint8_t *p;
        size_t n;
        if(zip_get(&zip, 0, 0, &sb, &p, &n) == KENSA_OK) {
            assert_int_equal(n, sizeof(text) - 1);
            assert_memory_equal(p, text, n);
        }
        buf_free(&sb);
        zip_close(&zip);
    }
    /* a scratch buffer smaller than the entry: a limit, not a crash */
    assert_int_equal(zip_open(&zip, z, len, 100), KENSA_OK);
    struct buf b;
    buf_init(&b, 8);
    const uint8_t *p;
    size_t n;
    assert_int_equal(zip_get(&zip, 0, 0, &b, &p, &n), KENSA_ELIMIT);
    buf_free(&b);
    zip_close(&zip);
    free(z);
}

static void lying_offsets_are_format_errors(void **st)
{
    (void)st;
    struct zb_entry e[] = { { "x", text, 10, 0 } };
    size_t len;
    uint8_t *z = zb_build(e, 1, 0, &len);
    struct zip zip;
    assert_int_equal(zip_open(&zip, z, len, 100), KENSA_OK);
    zip.e[0].lho = len - 2;           /* local header past the end */
    const uint8_t *p;
    size_t n;
    assert_int_equal(zip_raw(&zip, 0, &p, &n), KENSA_EFORMAT);
    zip.e[0].lho = 0;
    zip.e[0].csize = (uint64_t)len * 4;  /* data past the end */
    assert_int_equal(zip_raw(&zip, 0, &p, &n), KENSA_EFORMAT);
    zip_close(&zip);
    free(z);
}

static void caps_entry_count(void **st)
{
    (void)st;
    struct zb_entry e[50];
    char names[50][8];
    for(int i = 0; i < 50; i++) {
        snprintf(names[i], sizeof(names[i]), "f%d", i);
        e[i] = (struct zb_entry){ names[i], text, 3, 0 };
    }
    size_t len;
    uint8_t *z = zb_build(e, 50, 0, &len);
    struct zip zip;
    assert_int_equal(zip_open(&zip, z, len, 10), KENSA_OK);
    assert_int_equal(zip.count, 10);
    assert_true(zip.truncated);
    zip_close(&zip);
    free(z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_stored_and_deflated),
        cmocka_unit_test(measures_prefix),
        cmocka_unit_test(rejects_truncated_and_caps),
        cmocka_unit_test(lying_offsets_are_format_errors),
        cmocka_unit_test(caps_entry_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
