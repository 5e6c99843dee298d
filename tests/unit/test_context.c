/*
 * test_context.c - the object context (engine.h, struct kctxattr): a
 * child sees its parent's attributes, nearest first, and may put its own
 * in front without changing the parent's; the scanner's candidate
 * passwords are the root's context, in the order given.  Also the probes
 * of the archives the context serves: 7z and RAR are claimed by their
 * signature and opened as members.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/engine.h"

static void test_lookup_and_order(void **state)
{
    (void)state;
    struct kctxattr p2 = { .key = "password", .value = "second", .next = NULL };
    struct kctxattr mail = { .key = "mail", .value = "m.eml", .next = &p2 };
    struct kctxattr p1 = { .key = "password", .value = "first", .next = &mail };
    struct kobj parent = { .attrs = &p1 };

    assert_string_equal(kobj_attr(&parent, "password"), "first");
    assert_string_equal(kobj_attr(&parent, "mail"), "m.eml");
    assert_null(kobj_attr(&parent, "opened_with"));
    assert_int_equal(kobj_attr_count(&parent, "password"), 2);

    const char *seen[4];
    size_t n = 0;
    for(const struct kctxattr *a = kobj_attr_next(&parent, NULL, "password");
        a && n < 4; a = kobj_attr_next(&parent, a, "password"))
        seen[n++] = a->value;
    assert_int_equal(n, 2);
    assert_string_equal(seen[0], "first");
    assert_string_equal(seen[1], "second");

    /* a child prepends its own; the parent's list is unchanged */
    struct kctxattr own = { .key = "opened_with", .value = "first", .next = parent.attrs };
    struct kobj child = { .parent = &parent, .attrs = &own };
    assert_string_equal(kobj_attr(&child, "opened_with"), "first");
    assert_int_equal(kobj_attr_count(&child, "password"), 2);
    assert_null(kobj_attr(&parent, "opened_with"));

    struct kobj bare = { 0 };
    assert_null(kobj_attr(&bare, "password"));
    assert_null(kobj_attr_next(&bare, NULL, "password"));
    assert_int_equal(kobj_attr_count(&bare, "password"), 0);
}

static void test_scanner_passwords(void **state)
{
    (void)state;
    static const char *const pw[] = { "a", "b", "c" };
    struct kensa_options o;
    kensa_options_default(&o);
    o.passwords = pw;
    o.n_passwords = 3;
    struct kensa_scanner *s = kensa_scanner_new(&o, NULL);
    assert_non_null(s);
    struct kobj root = { .attrs = s->root_attrs };
    assert_int_equal(kobj_attr_count(&root, "password"), 3);
    assert_string_equal(kobj_attr(&root, "password"), "a");
    kensa_scanner_free(s);

    kensa_options_default(&o);
    s = kensa_scanner_new(&o, NULL);
    assert_non_null(s);
    assert_null(s->root_attrs);
    kensa_scanner_free(s);
}

static void test_probe_7z_rar(void **state)
{
    (void)state;
    uint8_t b[64];
    memset(b, 0, sizeof(b));
    memcpy(b, "7z\xbc\xaf\x27\x1c", 6);
    assert_ptr_equal(formats_probe(b, sizeof(b), NULL), &format_archive);
    assert_true(formats_container_head(b, 8));
    /* the signature header is 32 bytes: less is not a 7z */
    assert_null(formats_probe(b, 20, NULL));

    memset(b, 0, sizeof(b));
    memcpy(b, "Rar!\x1a\x07\x00", 7);
    assert_ptr_equal(formats_probe(b, sizeof(b), NULL), &format_archive);
    assert_true(formats_container_head(b, 8));
    memcpy(b, "Rar!\x1a\x07\x01\x00", 8);
    assert_ptr_equal(formats_probe(b, sizeof(b), NULL), &format_archive);
    memcpy(b, "Rar!\x1a\x07\x02\x00", 8);
    assert_null(formats_probe(b, sizeof(b), NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup_and_order),
        cmocka_unit_test(test_scanner_passwords),
        cmocka_unit_test(test_probe_7z_rar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
