/*
 * fuzz_sysroot.c - libFuzzer harness for the identity files of a system
 * root (lib/core/sysroot.c): os-release, the XML SystemVersion.plist and
 * machine-id, all written by whoever made the image.  Checks what the
 * contracts promise: every field NUL-terminated within its size.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/sysroot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x) do { if(!(x)) abort(); } while(0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    struct osrelease o;
    char out[64], id[33];

    osrelease_parse(p, size, &o);
    CHECK(memchr(o.id, 0, sizeof(o.id)));
    CHECK(memchr(o.version_id, 0, sizeof(o.version_id)));
    CHECK(memchr(o.name, 0, sizeof(o.name)));
    CHECK(memchr(o.pretty_name, 0, sizeof(o.pretty_name)));
    static const char *const keys[] = { "ProductName", "ProductVersion",
                                        "", "a" };
    for(size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        bool found = plist_string(p, size, keys[i], out, sizeof(out));
        CHECK(memchr(out, 0, sizeof(out)));
        CHECK(found || !out[0]);
    }
    (void)plist_string(p, size, "ProductName", out, 1);
    CHECK(!out[0]);
    if(machine_id_parse(p, size, id))
        CHECK(strlen(id) == 32);
    return 0;
}
