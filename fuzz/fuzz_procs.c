/*
 * fuzz_procs.c - libFuzzer harness for the /proc parsers of
 * lib/core/procs.c (a process chooses its name, arguments, environment
 * and the paths it maps): stat, cmdline, environ and maps texts, split
 * at 0x01 bytes.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/procs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    procs_parse_fuzz(data, size);
    return 0;
}
