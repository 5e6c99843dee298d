/*
 * test_versions.c - release sets and CVE applicability against the
 * Apache advisories' ranges.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "detect/log4j_versions.h"

static unsigned cv(const char *v)
{
    return l4j_cves(l4j_parse(v));
}

static void advisory_ranges(void **st)
{
    (void)st;
    assert_int_equal(cv("2.14.1"), L4J_CVE_44228 | L4J_CVE_45046 |
                                   L4J_CVE_45105 | L4J_CVE_44832);
    assert_int_equal(cv("2.0-beta9"), L4J_CVE_44228 | L4J_CVE_45046 |
                                      L4J_CVE_45105 | L4J_CVE_44832);
    assert_int_equal(cv("2.15.0"), L4J_CVE_45046 | L4J_CVE_45105 |
                                   L4J_CVE_44832);
    assert_int_equal(cv("2.16.0"), L4J_CVE_45105 | L4J_CVE_44832);
    assert_int_equal(cv("2.17.0"), L4J_CVE_44832);
    assert_int_equal(cv("2.17.1"), 0);
    assert_int_equal(cv("2.12.2"), L4J_CVE_45105 | L4J_CVE_44832);
    assert_int_equal(cv("2.12.3"), L4J_CVE_44832);
    assert_int_equal(cv("2.12.4"), 0);
    assert_int_equal(cv("2.3.1"), L4J_CVE_44832);
    assert_int_equal(cv("2.3.2"), 0);
    assert_int_equal(cv("2.0-beta2"), L4J_CVE_45105);
    assert_int_equal(cv("2.19.0"), 0);
    assert_int_equal(cv("2.24.3"), 0);
}

static void parse_buckets(void **st)
{
    (void)st;
    assert_int_equal(l4j_parse("2.13.3-debian"), l4j_parse("2.13.3"));
    assert_int_equal(l4j_parse("2.14.1.redhat-00001"), l4j_parse("2.14.1"));
    assert_int_equal(l4j_parse("2.20.0"), l4j_parse("2.17.2+"));
    assert_int_equal(l4j_parse("1.2.17"), 0);
    assert_int_equal(l4j_parse("garbage"), 0);
    assert_int_equal(l4j_parse(""), 0);
    assert_int_not_equal(l4j_parse("2.0-rc2"), l4j_parse("2.0"));
}

static void sets_and_fixes(void **st)
{
    (void)st;
    l4j_set s = l4j_list("2.14.0 2.14.1 2.15.0 2.16.0");
    size_t lo, hi;
    assert_true(l4j_bounds(s, &lo, &hi));
    assert_string_equal(l4j_release_name(lo), "2.14.0");
    assert_string_equal(l4j_release_name(hi), "2.16.0");
    assert_true(l4j_cves(s) & L4J_CVE_44228);
    assert_string_equal(l4j_fixed_in(l4j_parse("2.14.1")), "2.17.1 (Java 8+)");
    assert_string_equal(l4j_fixed_in(l4j_parse("2.3")),
                        "2.3.2 (Java 6), 2.17.1 (Java 8+)");
    assert_string_equal(l4j_fixed_in(l4j_parse("2.11.0")),
                        "2.12.4 (Java 7), 2.17.1 (Java 8+)");
    assert_int_equal(l4j_range("2.15.0", "2.16.0"), l4j_list("2.15.0 2.16.0"));
    assert_int_equal(l4j_range("nope", "2.16.0"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(advisory_ranges),
        cmocka_unit_test(parse_buckets),
        cmocka_unit_test(sets_and_fixes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
