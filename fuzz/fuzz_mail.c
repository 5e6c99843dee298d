/*
 * fuzz_mail.c - libFuzzer harness for the engine on one mail or mbox:
 * the mail format (GMime), the password harvester, attachments through
 * every format and detector, with small limits so each input is quick.
 * One candidate password is set, so encrypted attachments go through the
 * password search too.
 *
 * Speed: a scanner costs ~10 ms to make (the built-in YARA rules are
 * compiled, the mount table read), ten times a typical input's scan, so
 * one scanner is made for the process (LLVMFuzzerInitialize, or the
 * first input under replay) and reused.  What a scanner keeps from one
 * scan to the next is its statistics and the digests of nested archives
 * found clean (core/engine.h); the latter would let one input skip the
 * walk of an archive an earlier input held, so it is emptied before each
 * input and every input is scanned as by a fresh scanner.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/engine.h"
#include "kensa/kensa.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct kensa_scanner *scanner;

static struct kensa_scanner *make_scanner(void)
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
    return kensa_scanner_new(&o, NULL);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if(!scanner)
        scanner = make_scanner();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if(!scanner && !(scanner = make_scanner()))
        return 0;
    pthread_mutex_lock(&scanner->clean_lock);
    if(scanner->clean)
        memset(scanner->clean, 0, scanner->cap_clean * sizeof(*scanner->clean));
    scanner->n_clean = 0;
    pthread_mutex_unlock(&scanner->clean_lock);
    (void)kensa_scanner_scan_buffer(scanner, "fuzz.eml", data, size);
    return 0;
}
