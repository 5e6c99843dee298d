/*
 * fuzz_logs.c - libFuzzer harness for the log detector end to end: the
 * buffer is a log (or a compressed log), scanned line by line with the
 * prefilter, evaluator, decoders and metadata parsers.
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
    o.detectors = KENSA_DETECT_LOGS;
    o.logs_everywhere = true;
    o.limits.max_scansize = 8u << 20;
    o.limits.max_scantime_ms = 2000;
    struct kensa_scanner *s = kensa_scanner_new(&o, NULL);
    if(!s)
        return 0;
    (void)kensa_scanner_scan_buffer(s, "fuzz.log", data, size);
    kensa_scanner_free(s);
    return 0;
}
