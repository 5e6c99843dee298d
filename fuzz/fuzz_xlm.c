/*
 * fuzz_xlm.c - libFuzzer harness for the BIFF5/BIFF8 reader of Excel 4
 * macro sheets (xlm_biff_read): records, names and formula tokens; and
 * the same bytes as an xlsb macro sheet (xlm_xlsb_read: BIFF12 records).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "office/vba.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct xlm_info x;
    if(!xlm_biff_read(data, size, 1 << 16, &x))
        xlm_info_free(&x);
    char *t;
    size_t n;
    (void)xlm_xlsb_read(data, size, 1 << 16, &t, &n);
    free(t);
    return 0;
}
