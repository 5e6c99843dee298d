/*
 * fuzz_decode.c - libFuzzer harness for every decoder (URL, escapes, HTML
 * entities, Base64) and their layered loop.
 */
#include <stddef.h>
#include <stdint.h>

#include "detect/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct buf b;
    char names[32];
    buf_init(&b, 1u << 20);
    decode_url(data, size, true, &b);
    b.len = 0;
    decode_cesc(data, size, &b);
    b.len = 0;
    decode_html(data, size, &b);
    b.len = 0;
    (void)decode_b64(data, size, &b);
    b.len = 0;
    decode_names(decode_layers(data, size, false, 6, &b), names,
                 sizeof(names));
    buf_free(&b);
    return 0;
}
