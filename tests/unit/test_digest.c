/*
 * test_digest.c - the digest service: the three digests of an object,
 * computed once (asking again reads nothing), none for a streamed object.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "core/engine.h"

static void known_values(void **st)
{
    (void)st;
    uint8_t data[3] = { 'a', 'b', 'c' };
    struct kobj o = { .data = data, .len = 3 };
    assert_true(kobj_digests(&o, 1u << KDIGEST_MD5 | 1u << KDIGEST_SHA256));
    assert_int_equal(o.digested, 1u << KDIGEST_MD5 | 1u << KDIGEST_SHA256);
    assert_string_equal(kobj_digest_hex(&o, KDIGEST_MD5),
                        "900150983cd24fb0d6963f7d28e17f72");
    assert_string_equal(kobj_digest_hex(&o, KDIGEST_SHA1),
                        "a9993e364706816aba3e25717850c26c9cd0d89d");
    assert_string_equal(kobj_digest_hex(&o, KDIGEST_SHA256),
                        "ba7816bf8f01cfea414140de5dae2223"
                        "b00361a396177a9cb410ff61f20015ad");
    /* cached: changing the bytes now changes nothing */
    data[0] = 'x';
    assert_string_equal(kobj_digest_hex(&o, KDIGEST_MD5),
                        "900150983cd24fb0d6963f7d28e17f72");
}

static void no_bytes(void **st)
{
    (void)st;
    struct kobj streamed = { .data = NULL, .len = 10 };
    assert_null(kobj_digest_hex(&streamed, KDIGEST_SHA256));
    struct kobj empty = { .data = NULL, .len = 0 };
    assert_string_equal(kobj_digest_hex(&empty, KDIGEST_SHA256),
                        "e3b0c44298fc1c149afbf4c8996fb924"
                        "27ae41e4649b934ca495991b7852b855");
    assert_null(kobj_digest_hex(&empty, (enum kdigest)7));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_values),
        cmocka_unit_test(no_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
