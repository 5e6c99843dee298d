/*
 * log4j_versions.h - Log4j 2 releases as a set, and which CVEs apply.
 *
 * Every release from 2.0-alpha1 to 2.17.1 has one bit; one more bit stands
 * for "2.17.2 or later".  Evidence from a jar (pom.properties, class
 * hashes, class features, file name) becomes a set of releases, the sets
 * are intersected, and the verdict is that of the worst release left.
 */
#ifndef KENSA_DETECT_LOG4J_VERSIONS_H
#define KENSA_DETECT_LOG4J_VERSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t l4j_set;

#define L4J_CVE_44228 (1u << 0)
#define L4J_CVE_45046 (1u << 1)
#define L4J_CVE_45105 (1u << 2)
#define L4J_CVE_44832 (1u << 3)
#define L4J_CVE_CRIT (L4J_CVE_44228 | L4J_CVE_45046)

/* Number of known releases (bits); the last is "2.17.2 or later". */
size_t l4j_release_count(void);
/* Name of release bit i ("2.14.1"; "2.17.2+" for the last). */
const char *l4j_release_name(size_t i);

/* All releases. */
l4j_set l4j_all(void);
/* Releases lo..hi inclusive, by name; 0 if a name is unknown. */
l4j_set l4j_range(const char *lo, const char *hi);
/* The set for a space-separated list of release names. */
l4j_set l4j_list(const char *names);

/*
 * The release bucket of a version string as found in metadata ("2.14.1",
 * "2.0-beta9", "2.19.0", "2.13.3-debian"): the release itself, the later
 * bucket past 2.17.1, or the closest release below.  0 if not a 2.x
 * version.
 */
l4j_set l4j_parse(const char *v);

/* CVE bits (L4J_CVE_*) that apply to any release in the set. */
unsigned l4j_cves(l4j_set s);

/* The release to move to for the set's Java line ("2.17.1 (Java 8+)"). */
const char *l4j_fixed_in(l4j_set s);

/* Lowest and highest bit set; false if s is empty. */
bool l4j_bounds(l4j_set s, size_t *lo, size_t *hi);

#endif
