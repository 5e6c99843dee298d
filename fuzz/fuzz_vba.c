/*
 * fuzz_vba.c - libFuzzer harness for MS-OVBA decompression (and the code
 * page conversion of what it gives, the first input byte choosing the
 * code page), the PowerPoint 97 record walk and Visio's LZSS chunks.
 */
#include <stddef.h>
#include <stdint.h>

#include "office/vba.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint16_t cps[] = { 1252, 932, 65001, 1200, 936, 0, 10000,
                                    12345 };
    if(!size)
        return 0;
    uint16_t cp = cps[data[0] & 7];
    struct buf out, u;
    buf_init(&out, 1 << 20);
    buf_init(&u, 4 << 20);
    (void)vba_decompress(data + 1, size - 1, &out);
    (void)vba_to_utf8(cp, out.p, out.len, &u);
    buf_free(&u);
    buf_free(&out);
    size_t lens[4], nl;
    buf_init(&out, 1 << 20);
    (void)vba_ppt_projects(data + 1, size - 1, &out, lens, 4, &nl);
    out.len = 0;
    (void)ppt_ole_storages(data + 1, size - 1, &out, lens, 4, &nl);
    out.len = 0;
    (void)vba_visio_projects(data + 1, size - 1, &out, lens, 4, &nl);
    buf_free(&out);
    return 0;
}
