/*
 * fuzz_scan.c - libFuzzer harness for the whole engine on one buffer:
 * typing by magic, zip, tar and the compressors (libarchive), nesting,
 * class files and the Log4j detector, with small limits so each input is
 * quick.  Two candidate passwords are set, so encrypted zip, 7z and RAR
 * members go through the password search too.
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
    static const char *const pw[] = { "PW", "pw" };
    o.passwords = pw;
    o.n_passwords = 2;
    struct kensa_scanner *s = kensa_scanner_new(&o, NULL);
    if(!s)
        return 0;
    (void)kensa_scanner_scan_buffer(s, "fuzz.jar", data, size);
    kensa_scanner_free(s);
    return 0;
}
