/*
 * fuzz_lookup.c - libFuzzer harness for the Log4j lookup evaluator: any
 * bytes, evaluated with the same caps as in a scan.
 */
#include <stddef.h>
#include <stdint.h>

#include "detect/lookup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct l4s_result r;
    l4s_result_init(&r, 256u << 10);
    l4s_eval(data, size, &r);
    l4s_result_free(&r);
    return 0;
}
