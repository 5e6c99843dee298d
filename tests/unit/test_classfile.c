/*
 * test_classfile.c - the class reader on classes built here, and on every
 * truncation of one (never a crash, never a bogus success).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include "classbuild.h"
#include "formats/classfile.h"

static void reads_names_and_strings(void **st)
{
    (void)st;
    const char *s[] = { "isJndiEnabled", "log4j2.enableJndi" };
    size_t n;
    uint8_t *c = cb_build("org/apache/logging/log4j/core/net/JndiManager",
                          "org/apache/logging/log4j/core/appender/"
                          "AbstractManager", s, 2, 52, &n);
    struct classfile cf;
    assert_int_equal(classfile_parse(&cf, c, n), KENSA_OK);
    assert_int_equal(cf.major, 52);
    assert_true(cf_str_ends(cf.this_class, "net/JndiManager"));
    assert_true(cf_str_ends(cf.super_class, "AbstractManager"));
    assert_true(classfile_has(&cf, "isJndiEnabled"));
    assert_false(classfile_has(&cf, "isJndi"));
    assert_true(classfile_contains(&cf, "enableJndi"));
    classfile_free(&cf);
    free(c);
}

static void every_truncation_fails_cleanly(void **st)
{
    (void)st;
    const char *s[] = { "x" };
    size_t n;
    uint8_t *c = cb_build("A", "B", s, 1, 50, &n);
    struct classfile cf;
    for(size_t cut = 0; cut + 8 < n; cut++) {
        uint8_t *t = malloc(cut ? cut : 1);
        memcpy(t, c, cut);
        int rc = classfile_parse(&cf, t, cut);
        if(rc == KENSA_OK)
            classfile_free(&cf);
        /* the header and pool are complete only near the end */
        if(cut < n - 12)
            assert_int_not_equal(rc, KENSA_OK);
        free(t);
    }
    free(c);
}

static void bad_tag_and_bad_index(void **st)
{
    (void)st;
    size_t n;
    uint8_t *c = cb_build("A", "B", NULL, 0, 50, &n);
    struct classfile cf;
    c[10] = 99;   /* first pool entry: unknown tag */
    assert_int_equal(classfile_parse(&cf, c, n), KENSA_EFORMAT);
    free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_names_and_strings),
        cmocka_unit_test(every_truncation_fails_cleanly),
        cmocka_unit_test(bad_tag_and_bad_index),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
