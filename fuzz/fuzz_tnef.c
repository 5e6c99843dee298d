/*
 * fuzz_tnef.c - libFuzzer harness for the TNEF reader (formats/tnef.h):
 * any bytes as a winmail.dat.  Every file handed out must lie inside the
 * input, every name be NUL-terminated within TNEF_NAME_MAX, at most
 * TNEF_MAX files; then the same bytes go through the engine (the tnef
 * format's walk, its members typed and judged) with small limits, one
 * scanner for the process (fuzz_scanner.h).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/tnef.h"
#include "fuzz_scanner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct tnef_file v[TNEF_MAX];
    size_t n = 0, bad = 0;
    uint32_t cp;
    enum tnef_status st = tnef_read(data, size, v, TNEF_MAX, &n, &bad, &cp);
    if(n > TNEF_MAX || (st == TNEF_NOT && n) ||
       (st == TNEF_CORRUPT && bad >= size))
        abort();
    for(size_t i = 0; i < n; i++) {
        if(v[i].data && (v[i].data < data || v[i].len > size ||
                         v[i].data + v[i].len > data + size))
            abort();
        if(!memchr(v[i].name, '\0', sizeof(v[i].name)))
            abort();
    }
    struct kensa_options o;
    fuzz_options(&o);
    struct kensa_scanner *s = fuzz_scanner(&o);
    if(s)
        (void)kensa_scanner_scan_buffer(s, "winmail.dat", data, size);
    return 0;
}
