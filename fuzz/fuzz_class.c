/*
 * fuzz_class.c - libFuzzer harness for the Java class-file reader.
 */
#include <stddef.h>
#include <stdint.h>

#include "formats/classfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct classfile cf;
    if(classfile_parse(&cf, data, size))
        return 0;
    (void)classfile_has(&cf, "isJndiEnabled");
    (void)classfile_contains(&cf, "StrLookup");
    (void)cf_str_ends(cf.this_class, "/JndiLookup");
    classfile_free(&cf);
    return 0;
}
