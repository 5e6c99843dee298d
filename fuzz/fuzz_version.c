/*
 * fuzz_version.c - libFuzzer harness for the Log4j version parser (it
 * reads pom.properties and file names, which attackers control).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect/log4j_versions.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if(!s)
        return 0;
    memcpy(s, data, size);
    s[size] = 0;
    l4j_set v = l4j_parse(s) | l4j_list(s);
    (void)l4j_cves(v);
    (void)l4j_fixed_in(v);
    free(s);
    return 0;
}
