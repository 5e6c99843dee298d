/*
 * log4j_versions.c - the release table and CVE ranges (log4j_versions.h).
 *
 * CVE ranges as the Apache advisories give them:
 *   CVE-2021-44228  2.0-beta9 .. 2.14.1, fixed in 2.15.0, 2.12.2, 2.3.1
 *   CVE-2021-45046  2.0-beta9 .. 2.15.0, fixed in 2.16.0, 2.12.2, 2.3.1
 *   CVE-2021-45105  2.0-alpha1 .. 2.16.0, fixed in 2.17.0, 2.12.3, 2.3.1
 *   CVE-2021-44832  2.0-beta7 .. 2.17.0, fixed in 2.17.1, 2.12.4, 2.3.2
 */
#include "detect/log4j_versions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const releases[] = {
    "2.0-alpha1", "2.0-alpha2", "2.0-beta1", "2.0-beta2", "2.0-beta3",
    "2.0-beta4", "2.0-beta5", "2.0-beta6", "2.0-beta7", "2.0-beta8",
    "2.0-beta9", "2.0-rc1", "2.0-rc2", "2.0", "2.0.1", "2.0.2", "2.1",
    "2.2", "2.3", "2.3.1", "2.3.2", "2.4", "2.4.1", "2.5", "2.6", "2.6.1",
    "2.6.2", "2.7", "2.8", "2.8.1", "2.8.2", "2.9.0", "2.9.1", "2.10.0",
    "2.11.0", "2.11.1", "2.11.2", "2.12.0", "2.12.1", "2.12.2", "2.12.3",
    "2.12.4", "2.13.0", "2.13.1", "2.13.2", "2.13.3", "2.14.0", "2.14.1",
    "2.15.0", "2.16.0", "2.17.0", "2.17.1", "2.17.2+",
};
#define NREL (sizeof(releases) / sizeof(releases[0]))
#define LATER ((size_t)NREL - 1)

size_t l4j_release_count(void)
{
    return NREL;
}

const char *l4j_release_name(size_t i)
{
    return i < NREL ? releases[i] : "?";
}

static int index_of(const char *name)
{
    for(size_t i = 0; i < NREL; i++) {
        if(!strcmp(releases[i], name))
            return (int)i;
    }
    return -1;
}

l4j_set l4j_all(void)
{
    return (NREL >= 64) ? ~(l4j_set)0 : (((l4j_set)1 << NREL) - 1);
}

l4j_set l4j_range(const char *lo, const char *hi)
{
    int a = index_of(lo), b = index_of(hi);
    l4j_set s = 0;
    if(a < 0 || b < 0)
        return 0;
    for(int i = a; i <= b; i++)
        s |= (l4j_set)1 << i;
    return s;
}

l4j_set l4j_list(const char *names)
{
    l4j_set s = 0;
    char tmp[32];
    while(*names) {
        while(*names == ' ')
            names++;
        size_t n = strcspn(names, " ");
        if(!n)
            break;
        if(n < sizeof(tmp)) {
            memcpy(tmp, names, n);
            tmp[n] = 0;
            int i = index_of(tmp);
            if(i >= 0)
                s |= (l4j_set)1 << i;
        }
        names += n;
    }
    return s;
}

/* A sortable key: 2.x.y with pre-releases below the release. */
struct vkey { long minor, patch; int pre; /* alpha 100+n, beta 200+n,
                                             rc 300+n, release 999 */ };

static bool parse_key(const char *v, struct vkey *k)
{
    char *end;
    if(v[0] != '2' || v[1] != '.')
        return false;
    k->minor = strtol(v + 2, &end, 10);
    if(end == v + 2 || k->minor < 0 || k->minor > 1000)
        return false;
    k->patch = 0;
    k->pre = 999;
    if(*end == '.' && end[1] >= '0' && end[1] <= '9')
        k->patch = strtol(end + 1, &end, 10);
    if(*end == '-') {
        const char *t = end + 1;
        int base = 0;
        if(!strncmp(t, "alpha", 5)) { base = 100; t += 5; }
        else if(!strncmp(t, "beta", 4)) { base = 200; t += 4; }
        else if(!strncmp(t, "rc", 2)) { base = 300; t += 2; }
        if(base) {
            long n = strtol(t, &end, 10);
            k->pre = base + (int)(n > 0 && n < 100 ? n : 0);
        }
    }
    return true;
}

static int key_cmp(const struct vkey *a, const struct vkey *b)
{
    if(a->minor != b->minor)
        return a->minor < b->minor ? -1 : 1;
    if(a->patch != b->patch)
        return a->patch < b->patch ? -1 : 1;
    if(a->pre != b->pre)
        return a->pre < b->pre ? -1 : 1;
    return 0;
}

l4j_set l4j_parse(const char *v)
{
    struct vkey k, r;
    if(!v || !parse_key(v, &k))
        return 0;
    /* The closest release at or below; past 2.17.1, the later bucket. */
    int best = -1;
    for(size_t i = 0; i < LATER; i++) {
        parse_key(releases[i], &r);
        int c = key_cmp(&r, &k);
        if(c <= 0)
            best = (int)i;
    }
    parse_key("2.17.1", &r);
    if(key_cmp(&k, &r) > 0)
        best = (int)LATER;
    if(best < 0)
        return 0;
    return (l4j_set)1 << best;
}

static unsigned cves_of(size_t i)
{
    if(i == LATER)
        return 0;
    const char *v = releases[i];
    struct vkey k;
    parse_key(v, &k);
    unsigned c = 0;
    bool line23 = k.minor == 3 && k.patch >= 1;     /* 2.3.1, 2.3.2 */
    bool line212 = k.minor == 12 && k.patch >= 2;   /* 2.12.2 .. 2.12.4 */
    int beta7 = index_of("2.0-beta7"), beta9 = index_of("2.0-beta9");
    int i14 = index_of("2.14.1"), i15 = index_of("2.15.0"),
        i16 = index_of("2.16.0"), i17 = index_of("2.17.0");
    int ii = (int)i;
    if(ii >= beta9 && ii <= i14 && !line23 && !line212)
        c |= L4J_CVE_44228;
    if(ii >= beta9 && ii <= i15 && !line23 && !line212)
        c |= L4J_CVE_45046;
    if(ii <= i16 && !line23 && !(k.minor == 12 && k.patch >= 3))
        c |= L4J_CVE_45105;
    if(ii >= beta7 && ii <= i17 && strcmp(v, "2.3.2") &&
       strcmp(v, "2.12.4"))
        c |= L4J_CVE_44832;
    return c;
}

unsigned l4j_cves(l4j_set s)
{
    unsigned c = 0;
    for(size_t i = 0; i < NREL; i++) {
        if(s & ((l4j_set)1 << i))
            c |= cves_of(i);
    }
    return c;
}

bool l4j_bounds(l4j_set s, size_t *lo, size_t *hi)
{
    if(!s)
        return false;
    *lo = (size_t)__builtin_ctzll(s);
    *hi = 63 - (size_t)__builtin_clzll(s);
    return true;
}

const char *l4j_fixed_in(l4j_set s)
{
    size_t lo, hi;
    if(!l4j_bounds(s, &lo, &hi))
        return "2.17.1 (Java 8+), 2.12.4 (Java 7), 2.3.2 (Java 6)";
    /* The line is that of the newest release the evidence allows: the
     * least disruptive upgrade that still fixes every CVE. */
    struct vkey k;
    parse_key(releases[hi == LATER ? LATER - 1 : hi], &k);
    if(k.minor <= 3)
        return "2.3.2 (Java 6), 2.17.1 (Java 8+)";
    if(k.minor <= 12)
        return "2.12.4 (Java 7), 2.17.1 (Java 8+)";
    return "2.17.1 (Java 8+)";
}
