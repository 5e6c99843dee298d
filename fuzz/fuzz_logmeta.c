/*
 * fuzz_logmeta.c - libFuzzer harness for the log-line request reader
 * (detect/logmeta.h): any bytes as a line; every field must come out
 * NUL-terminated within its array, the UTC time empty or ISO 8601.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect/logmeta.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct logmeta m;
    logmeta_parse(data, size, &m);
    if(!memchr(m.time, 0, sizeof(m.time)) || !memchr(m.utc, 0, sizeof(m.utc)) ||
       !memchr(m.ip, 0, sizeof(m.ip)) ||
       !memchr(m.method, 0, sizeof(m.method)) ||
       !memchr(m.url, 0, sizeof(m.url)) ||
       !memchr(m.agent, 0, sizeof(m.agent)))
        abort();
    if(m.utc[0] && (strlen(m.utc) < 20 || m.utc[strlen(m.utc) - 1] != 'Z'))
        abort();
    if(m.status && (m.status < 100 || m.status > 599))
        abort();
    return 0;
}
