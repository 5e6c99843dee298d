/*
 * fuzz_quarantine.c - libFuzzer harness for the manifest.jsonl line
 * parser of lib/fix/quarantine.c (kensa scan --restore-quarantine reads
 * a folder someone may have tampered with).
 */
#include <stddef.h>
#include <stdint.h>

#include "fix/quarantine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    quarantine_parse_fuzz(data, size);
    return 0;
}
