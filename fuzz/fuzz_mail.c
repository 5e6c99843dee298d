/*
 * fuzz_mail.c - libFuzzer harness for the engine on one mail or mbox:
 * the mail format (GMime), the password harvester, attachments through
 * every format and detector, with small limits so each input is quick.
 * One candidate password is set, so encrypted attachments go through the
 * password search too.  One scanner serves every input (fuzz_scanner.h:
 * making one per input was nine tenths of the time).
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_scanner.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct kensa_scanner *scanner(void)
{
    struct kensa_options o;
    fuzz_options(&o);
    static const char *const pw[] = { "PW" };
    o.passwords = pw;
    o.n_passwords = 1;
    return fuzz_scanner(&o);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    (void)scanner();   /* made before the first input is timed */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kensa_scanner *s = scanner();
    if(s)
        (void)kensa_scanner_scan_buffer(s, "fuzz.eml", data, size);
    return 0;
}
