/*
 * fuzz_zip.c - libFuzzer harness for the zip central-directory reader:
 * open, then peek at and read every entry the way the engine does.
 */
#include <stddef.h>
#include <stdint.h>

#include "formats/zip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct zip z;
    if(zip_open(&z, data, size, 4096))
        return 0;
    struct buf scratch;
    buf_init(&scratch, 1u << 20);
    for(size_t i = 0; i < z.count; i++) {
        uint8_t head[8];
        size_t got;
        const uint8_t *p;
        size_t n;
        (void)zip_peek(&z, i, head, sizeof(head), &got);
        (void)zip_get(&z, i, 100, &scratch, &p, &n);
    }
    buf_free(&scratch);
    zip_close(&z);
    return 0;
}
