/*
 * fuzz_procnet.c - libFuzzer harness for the line parsers of
 * lib/core/procnet.c (/proc/net/tcp, tcp6, udp, udp6) and
 * lib/core/procmem.c (/proc/PID/maps regions to read): every line of
 * the input through each, as IPv4 and IPv6 tables.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/procs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    procnet_parse_fuzz(data, size);
    return 0;
}
