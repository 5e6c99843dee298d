/*
 * fuzz_zipfix.c - libFuzzer harness for the zip rewriter behind --fix: the
 * input is an archive; JndiLookup.class is removed from it and from every
 * member that is itself an archive, as --fix would ask.
 */
#include <stddef.h>
#include <stdint.h>

#include "fix/zipfix.h"
#include "formats/zip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char jl[] =
        "org/apache/logging/log4j/core/lookup/JndiLookup.class";
    struct zip z;
    struct zipfix_target t[9];
    const char *chain[8];
    size_t nt = 0;

    t[nt++] = (struct zipfix_target){ NULL, 0, jl };
    if(zip_open(&z, data, size, 64) == KENSA_OK) {
        for(size_t i = 0; i < z.count && nt < 9; i++) {
            chain[nt - 1] = z.e[i].name;
            t[nt] = (struct zipfix_target){ &chain[nt - 1], 1, jl };
            nt++;
        }
    }
    struct buf out;
    char why[256];
    unsigned removed = 0;
    buf_init(&out, 64u << 20);
    (void)zipfix_rewrite(data, size, t, nt, &out, &removed, why, sizeof(why));
    buf_free(&out);
    zip_close(&z);
    return 0;
}
