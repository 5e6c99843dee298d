/*
 * fuzz_mail.c - libFuzzer harness for the engine on one mail or mbox:
 * the mail format (GMime), the password harvester, attachments through
 * every format and detector, with small limits so each input is quick.
 * One candidate password is set, so encrypted attachments go through the
 * password search too.
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
    o.limits.max_scansize = 8u << 20;
    o.limits.max_files = 2000;
    o.limits.max_recursion = 8;
    o.limits.max_scantime_ms = 2000;
    static const char *const pw[] = { "PW" };
    o.passwords = pw;
    o.n_passwords = 1;
    struct kensa_scanner *s = kensa_scanner_new(&o, NULL);
    if(!s)
        return 0;
    (void)kensa_scanner_scan_buffer(s, "fuzz.eml", data, size);
    kensa_scanner_free(s);
    return 0;
}
