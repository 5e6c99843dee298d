/*
 * fuzz_vbascan.c - libFuzzer harness for the macro judge: the input is
 * split at its first NUL into VBA source and XLM formulas (all VBA when
 * there is none), judged as one document, with every list read back.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "detect/vbascan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vbascan v;
    const struct vbs_rule *r[32];
    const char *a[32];
    const uint8_t *nul = memchr(data, 0, size);
    size_t vn = nul ? (size_t)(nul - data) : size;
    vbascan_init(&v);
    vbascan_vba(&v, (const char *)data, vn);
    if(nul) {
        vbascan_xlm(&v, (const char *)nul + 1, size - vn - 1);
        vbascan_xlm_auto(&v, "Auto_Open");
    }
    size_t n = vbascan_rules(&v, r, 32);
    for(size_t i = 0; i < n; i++)
        if(!r[i]->id)
            __builtin_trap();
    (void)vbascan_actions(&v, a, 32);
    (void)vbascan_flagpro(&v);
    size_t total = 0;
    for(size_t i = 0; i < v.iocs.n; i++)
        total += strlen(v.iocs.v[i]);
    for(size_t i = 0; i < v.targets.n; i++)
        total += strlen(v.targets.v[i]);
    if(total > 2 * VBS_MAX_LIST * VBS_MAX_ITEM)
        __builtin_trap();
    vbascan_free(&v);
    return 0;
}
