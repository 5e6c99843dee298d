/*
 * test_magic.c - the formats' probes.  A signature is believed only when
 * the structure around it holds: a zip end record must describe a central
 * directory that ends right before it, a tar header must pass its
 * checksum.  A signature at offset 0 beats an end record in the tail, and
 * formats_container_head() answers for every registered format.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/engine.h"

static void put16(uint8_t *p, unsigned v) { p[0] = v & 255; p[1] = v >> 8; }
static void put32(uint8_t *p, unsigned v) { put16(p, v & 0xffff); put16(p + 2, v >> 16); }

/* prefix bytes, a 46-byte central header (when cd), the end record */
static size_t build(uint8_t *b, const void *prefix, size_t n, bool cd,
                    unsigned entries, unsigned comment)
{
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

static size_t build_s(uint8_t *b, const char *prefix, bool cd,
                      unsigned entries, unsigned comment)
{
    return build(b, prefix, strlen(prefix), cd, entries, comment);
}

/* a 512-byte tar header for `name` with its checksum */
static void tar_head(uint8_t *h, const char *name)
{
    memset(h, 0, 512);
    memcpy(h, name, strlen(name));
    memcpy(h + 257, "ustar", 5);
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for(size_t i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
}

static void zip_end_record(void **st)
{
    (void)st;
    uint8_t b[512];
    int conf = -1;
    size_t n = build_s(b, "GET / HTTP/1.1 ", true, 1, 0);
    assert_int_equal(format_zip.probe(b, n), PROBE_TAIL);
    assert_ptr_equal(formats_probe(b, n, &conf), &format_zip);
    assert_int_equal(conf, PROBE_TAIL);
    /* the signature alone, with 18 bytes of anything after it */
    n = build_s(b, "GET / HTTP/1.1 ", false, 1, 0);
    assert_int_equal(format_zip.probe(b, n), PROBE_NO);
    /* an empty zip only when the record is the whole file */
    n = build_s(b, "", false, 0, 0);
    assert_int_equal(format_zip.probe(b, n), PROBE_TAIL);
    assert_ptr_equal(formats_probe(b, n, NULL), &format_zip);
    n = build_s(b, "text before ", false, 0, 0);
    assert_int_equal(format_zip.probe(b, n), PROBE_NO);
    assert_null(formats_probe(b, n, &conf));
    assert_int_equal(conf, PROBE_NO);
    /* a comment longer than what follows */
    n = build_s(b, "x", true, 1, 40);
    assert_int_equal(format_zip.probe(b, n), PROBE_NO);
    /* a directory size pointing before the buffer */
    n = build_s(b, "x", true, 1, 0);
    put32(b + n - 22 + 12, 4000);
    assert_int_equal(format_zip.probe(b, n), PROBE_NO);
    /* a local header at the start */
    assert_int_equal(format_zip.probe((const uint8_t *)"PK\3\4", 4),
                     PROBE_HEAD);
}

static void tar_checksum(void **st)
{
    (void)st;
    uint8_t h[512];
    memset(h, 0, sizeof(h));
    assert_int_equal(format_archive.probe(h, sizeof(h)), PROBE_NO);
    assert_null(formats_probe(h, sizeof(h), NULL));    /* NUL block */
    tar_head(h, "a.log");
    assert_int_equal(format_archive.probe(h, sizeof(h)), PROBE_HEAD);
    assert_ptr_equal(formats_probe(h, sizeof(h), NULL), &format_archive);
    h[0] = 'b';   /* the checksum no longer holds */
    assert_int_equal(format_archive.probe(h, sizeof(h)), PROBE_NO);
    tar_head(h, "a.log");
    assert_int_equal(format_archive.probe(h, 100), PROBE_NO);
}

/* A tar holding a stored jar at its end also ends like a zip: the tar's
 * header at offset 0 wins. */
static void head_beats_tail(void **st)
{
    (void)st;
    uint8_t h[512], b[1024];
    int conf;
    tar_head(h, "lib/app.jar");
    size_t n = build(b, h, sizeof(h), true, 1, 0);
    assert_int_equal(format_zip.probe(b, n), PROBE_TAIL);
    assert_ptr_equal(formats_probe(b, n, &conf), &format_archive);
    assert_int_equal(conf, PROBE_HEAD);
}

static void heads(void **st)
{
    (void)st;
    static const struct { const char *p; size_t n; const struct format *f; }
    probes[] = {
        { "\xca\xfe\xba\xbe\0\0\0\x34\0\x10", 10, &format_class },
        { "\xca\xfe\xba\xbe", 4, NULL },         /* too short for a class */
        { "\x1f\x8b\x08\0", 4, &format_archive },
        { "\xfd" "7zXZ\0\0", 6, &format_archive },
        { "BZh9", 4, &format_archive },
        { "BZhx", 4, NULL },
        { "\x28\xb5\x2f\xfd", 4, &format_archive },
        { "PK\3\4", 4, &format_zip },
        { "hello world", 11, NULL },
    };
    for(size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
        assert_ptr_equal(formats_probe((const uint8_t *)probes[i].p,
                                       probes[i].n, NULL), probes[i].f);

    static const struct { const char *p; size_t n; bool head; } members[] = {
        { "PK\3\4", 4, true }, { "PK\5\6", 4, true }, { "JM\1\0", 4, true },
        { "#!/bin/sh", 9, true }, { "\x1f\x8b\x08", 3, true },
        { "BZh", 3, true }, { "\xfd" "7zXZ\0", 6, true },
        { "\x28\xb5\x2f\xfd", 4, true },
        { "\xca\xfe\xba\xbe", 4, false },     /* read by name, not opened */
        { "PK", 2, false }, { "2021-12-10 ", 11, false },
    };
    for(size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++)
        assert_int_equal(formats_container_head(
                             (const uint8_t *)members[i].p, members[i].n),
                         members[i].head);
}

/* The search window: a record at the end of a 64 KiB comment is the
 * farthest found; a record with a comment running into it, or false
 * signatures (and stray 6 bytes) after the real one, do not hide it. */
static void zip_end_window(void **st)
{
    (void)st;
    static uint8_t b[70000 + 512];
    size_t n = build_s(b, "x", true, 1, 0);
    memset(b + n, 6, 100);                 /* stray bytes: still found? */
    put16(b + n - 22 + 20, 100);           /* yes, as a 100-byte comment */
    assert_true((format_zip.probe(b, n + 100) == PROBE_TAIL));
    memcpy(b + n + 10, "PK\5\6", 4);      /* a false record after it */
    assert_true((format_zip.probe(b, n + 100) == PROBE_TAIL));
    /* the longest comment: the record is 65,557 bytes from the end */
    n = build_s(b, "x", true, 1, 65535);
    memset(b + n, 'c', 65535);
    assert_true((format_zip.probe(b, n + 65535) == PROBE_TAIL));
    /* one byte more, and it is out of the window */
    put16(b + n - 22 + 20, 65535);
    b[n + 65535] = 'c';
    assert_false((format_zip.probe(b, n + 65536) == PROBE_TAIL));
    /* the smallest file: the record alone at offset 0 */
    n = build_s(b, "", false, 0, 0);
    assert_true((format_zip.probe(b, n) == PROBE_TAIL));
    assert_false((format_zip.probe(b, n - 1) == PROBE_TAIL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(zip_end_record),
        cmocka_unit_test(tar_checksum),
        cmocka_unit_test(head_beats_tail),
        cmocka_unit_test(heads),
        cmocka_unit_test(zip_end_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
