/*
 * fuzz_image.c - libFuzzer harness for container images (formats/image.c):
 * the whole engine on one buffer named like an image tar, so the probe's
 * header walk, the outer tar's index, the JSON of manifest.json,
 * index.json and the OCI manifests, the whiteout passes over the layers
 * and the in-image names all see hostile bytes.  Small limits keep each
 * input quick.  Seeds: tests/gen/mkimage.py's docker-save and OCI tars.
 */
#include <stddef.h>
#include <stdint.h>

#include "kensa/kensa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kensa_options o;
    kensa_options_default(&o);
    o.threads = 1;
    o.report_patched = true;
    o.limits.max_scansize = 8u << 20;
    o.limits.max_files = 2000;
    o.limits.max_recursion = 8;
    o.limits.max_scantime_ms = 2000;
    struct kensa_scanner *s = kensa_scanner_new(&o, NULL);
    if(!s)
        return 0;
    (void)kensa_scanner_scan_buffer(s, "image.tar", data, size);
    kensa_scanner_free(s);
    return 0;
}
