/*
 * test_vba.c - MS-OVBA decompression on the specification's example and
 * on hostile chunks, the code page conversion, and the CFB and BIFF
 * readers on every truncation of small inputs built here (never a crash,
 * never a bogus success).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "office/cfb.h"
#include "office/vba.h"

/* [MS-OVBA] 3.2.3: a compressed container and what it decompresses to */
static const uint8_t spec_in[] = {
    0x01, 0x2F, 0xB0, 0x00, 0x23, 0x61, 0x61, 0x61, 0x62, 0x63, 0x64, 0x65,
    0x82, 0x66, 0x00, 0x70, 0x61, 0x67, 0x68, 0x69, 0x6A, 0x01, 0x38, 0x08,
    0x61, 0x6B, 0x6C, 0x00, 0x30, 0x6D, 0x6E, 0x6F, 0x70, 0x06, 0x71, 0x02,
    0x70, 0x04, 0x10, 0x72, 0x73, 0x74, 0x75, 0x76, 0x10, 0x77, 0x78, 0x79,
    0x7A, 0x00, 0x3C,
};
static const char spec_out[] =
    "#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa";

static void decompress_spec_example(void **st)
{
    (void)st;
    struct buf b;
    buf_init(&b, 1 << 16);
    assert_int_equal(vba_decompress(spec_in, sizeof(spec_in), &b), KENSA_OK);
    assert_int_equal(b.len, strlen(spec_out));
    assert_memory_equal(b.p, spec_out, b.len);
    /* capped: ELIMIT, what fitted kept */
    buf_free(&b);
    buf_init(&b, 10);
    assert_int_equal(vba_decompress(spec_in, sizeof(spec_in), &b),
                     KENSA_ELIMIT);
    assert_true(b.len <= 10);
    buf_free(&b);
}

static void decompress_rejects_bad_input(void **st)
{
    (void)st;
    struct buf b;
    buf_init(&b, 1 << 16);
    static const uint8_t nosig[] = { 0x02, 0x2F, 0xB0, 0x00, 0x23 };
    assert_int_equal(vba_decompress(nosig, sizeof(nosig), &b),
                     KENSA_EFORMAT);
    /* chunk signature bits not 011 */
    static const uint8_t badhdr[] = { 0x01, 0x2F, 0x80, 0x00, 0x23 };
    assert_int_equal(vba_decompress(badhdr, sizeof(badhdr), &b),
                     KENSA_EFORMAT);
    /* a copy token reaching before the chunk's start */
    static const uint8_t farback[] = { 0x01, 0x03, 0xB0, 0x01, 0xF0, 0xFF };
    b.len = 0;
    assert_int_equal(vba_decompress(farback, sizeof(farback), &b),
                     KENSA_EFORMAT);
    /* every truncation of the example: no crash, a prefix of the text */
    for(size_t cut = 0; cut < sizeof(spec_in); cut++) {
        b.len = 0;
        (void)vba_decompress(spec_in, cut, &b);
        assert_true(b.len <= strlen(spec_out));
    }
    buf_free(&b);
}

static void codepages(void **st)
{
    (void)st;
    struct buf b;
    buf_init(&b, 256);
    static const uint8_t sjis[] = { 0x93, 0xFA, 0x96, 0x7B };  /* 日本 */
    assert_int_equal(vba_to_utf8(932, sjis, sizeof(sjis), &b), KENSA_OK);
    assert_string_equal(buf_cstr(&b), "日本");
    b.len = 0;
    static const uint8_t bad[] = { 'a', 'b', 0x81 };   /* a lead byte, cut */
    assert_int_equal(vba_to_utf8(932, bad, sizeof(bad), &b), KENSA_OK);
    assert_true(strstr(buf_cstr(&b), "\xEF\xBF\xBD") != NULL);
    b.len = 0;
    static const uint8_t e9[] = { 'c', 'a', 'f', 0xE9 };
    assert_int_equal(vba_to_utf8(1252, e9, sizeof(e9), &b), KENSA_OK);
    assert_string_equal(buf_cstr(&b), "café");
    b.len = 0;
    /* an unknown code page: ASCII kept, the rest U+FFFD */
    assert_int_equal(vba_to_utf8(12345, e9, sizeof(e9), &b), KENSA_OK);
    assert_string_equal(buf_cstr(&b), "caf\xEF\xBF\xBD");
    buf_free(&b);
}

/* A minimal v3 CFB by hand: header, FAT, directory, one 5-byte stream in
 * the mini stream.  Sectors: 0 FAT, 1 directory, 2 mini FAT, 3 mini. */
static uint8_t *tiny_cfb(size_t *n)
{
    *n = 512 * 5;
    uint8_t *p = calloc(1, *n);
    memcpy(p, CFB_MAGIC, 8);
    p[0x18] = 0x3E; p[0x1A] = 3; p[0x1C] = 0xFE; p[0x1D] = 0xFF;
    p[0x1E] = 9; p[0x20] = 6;
    p[0x2C] = 1;                      /* one FAT sector */
    p[0x30] = 1;                      /* directory at 1 */
    p[0x39] = 0x10;                   /* cutoff 4096 */
    p[0x3C] = 2; p[0x40] = 1;         /* mini FAT at 2, one sector */
    memset(p + 0x44, 0xFE, 4); p[0x47] = 0xFF;   /* no DIFAT */
    memset(p + 0x4C, 0xFF, 109 * 4);
    p[0x4C] = 0; p[0x4D] = 0; p[0x4E] = 0; p[0x4F] = 0;
    uint32_t fat[128];
    for(int i = 0; i < 128; i++)
        fat[i] = 0xFFFFFFFF;
    fat[0] = 0xFFFFFFFD; fat[1] = 0xFFFFFFFE; fat[2] = 0xFFFFFFFE;
    fat[3] = 0xFFFFFFFE;
    memcpy(p + 512, fat, sizeof(fat));   /* little-endian host */
    uint8_t *d = p + 1024;
    const char *names[2] = { "Root Entry", "S" };
    for(int e = 0; e < 4; e++)
        memset(d + e * 128 + 0x44, 0xFF, 12);
    for(int e = 0; e < 2; e++) {
        size_t k = strlen(names[e]);
        for(size_t i = 0; i < k; i++)
            d[e * 128 + 2 * i] = (uint8_t)names[e][i];
        d[e * 128 + 0x40] = (uint8_t)(2 * k + 2);
        d[e * 128 + 0x43] = 1;
    }
    d[0x42] = 5; d[0x4C] = 1; d[0x4D] = 0; d[0x4E] = 0; d[0x4F] = 0;
    d[0x74] = 3; d[0x78] = 64;        /* root: mini stream at 3, 64 bytes */
    d[128 + 0x42] = 2; d[128 + 0x78] = 5;   /* S: mini sector 0, 5 bytes */
    uint32_t mf[128];
    for(int i = 0; i < 128; i++)
        mf[i] = 0xFFFFFFFF;
    mf[0] = 0xFFFFFFFE;
    memcpy(p + 1536, mf, sizeof(mf));
    memcpy(p + 2048, "hello", 5);
    return p;
}

static void cfb_tiny_and_truncations(void **st)
{
    (void)st;
    size_t n;
    uint8_t *p = tiny_cfb(&n);
    struct cfb *c;
    assert_int_equal(cfb_open(&c, p, n, NULL), KENSA_OK);
    long i = cfb_find(c, -1, "s");
    assert_true(i > 0);
    struct buf b;
    buf_init(&b, 64);
    assert_int_equal(cfb_read(c, (size_t)i, &b), KENSA_OK);
    assert_int_equal(b.len, 5);
    assert_memory_equal(b.p, "hello", 5);
    assert_int_equal(cfb_read(c, 0, &b), KENSA_EINVAL);   /* the root */
    buf_free(&b);
    buf_init(&b, 3);
    assert_int_equal(cfb_read(c, (size_t)i, &b), KENSA_ELIMIT);
    assert_int_equal(b.len, 3);
    buf_free(&b);
    assert_int_equal(cfb_find(c, -1, "nope"), -1);
    cfb_free(c);
    /* every truncation: either fails, or reads without crashing */
    for(size_t cut = 0; cut < n; cut += 7) {
        uint8_t *t = malloc(cut ? cut : 1);
        memcpy(t, p, cut);
        if(!cfb_open(&c, t, cut, NULL)) {
            buf_init(&b, 64);
            for(size_t k = 0; k < cfb_count(c); k++)
                (void)cfb_read(c, k, &b);
            buf_free(&b);
            cfb_free(c);
        }
        if(cut < 1024 + 128)   /* no root entry: never a success */
            assert_true(cfb_open(&c, t, cut, NULL) != KENSA_OK);
        free(t);
    }
    free(p);
}

static void xlm_not_biff(void **st)
{
    (void)st;
    struct xlm_info x;
    static const uint8_t txt[] = "hello, this is no workbook";
    assert_int_equal(xlm_biff_read(txt, sizeof(txt), 1024, &x),
                     KENSA_EFORMAT);
    /* a BOF alone: read, nothing found */
    static const uint8_t bof[] = { 0x09, 0x08, 0x10, 0x00, 0x00, 0x06, 0x05,
                                   0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                   0 };
    assert_int_equal(xlm_biff_read(bof, sizeof(bof), 1024, &x), KENSA_OK);
    assert_int_equal(x.sheets, 0);
    assert_null(x.formulas);
    xlm_info_free(&x);
}

/* Last: once confined (Landlock: no more reading of glibc's charset
 * modules), cp932 still converts, its module loaded beforehand. */
static void codepages_after_confine(void **st)
{
    (void)st;
    struct kensa_confine_opts o = { .landlock = true };
    char desc[128];
    (void)kensa_confine(&o, desc, sizeof(desc));
    struct buf b;
    buf_init(&b, 64);
    static const uint8_t sjis[] = { 0x93, 0xFA, 0x96, 0x7B };
    assert_int_equal(vba_to_utf8(932, sjis, sizeof(sjis), &b), KENSA_OK);
    assert_string_equal(buf_cstr(&b), "日本");
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decompress_spec_example),
        cmocka_unit_test(decompress_rejects_bad_input),
        cmocka_unit_test(codepages),
        cmocka_unit_test(cfb_tiny_and_truncations),
        cmocka_unit_test(xlm_not_biff),
        cmocka_unit_test(codepages_after_confine),   /* last: irreversible */
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
