/*
 * fuzz_mailpw.c - libFuzzer harness for the password harvester
 * (formats/mailpw.h): any bytes as a mail's text; every candidate must
 * be NUL-terminated, non-empty, at most MAILPW_LEN bytes, printable
 * ASCII, and there are at most MAILPW_MAX of them.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/mailpw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mailpw pw;
    memset(&pw, 0, sizeof(pw));
    mailpw_scan(&pw, (const char *)data, size);
    if(pw.n > MAILPW_MAX)
        abort();
    for(size_t i = 0; i < pw.n; i++) {
        size_t n = strnlen(pw.v[i], MAILPW_LEN + 1);
        if(!n || n > MAILPW_LEN)
            abort();
        for(size_t k = 0; k < n; k++)
            if(pw.v[i][k] < 0x21 || pw.v[i][k] > 0x7E)
                abort();
    }
    return 0;
}
