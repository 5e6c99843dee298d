/*
 * fuzz_cfb.c - libFuzzer harness for the OLE2/CFB reader and the VBA
 * project reader on top of it: open, read every stream, extract every
 * project, take the storages PowerPoint and Visio keep inside a stream,
 * and read a Workbook stream for Excel 4 macros; and the names-only
 * listing (cfb_names) a broken file still gives.
 */
#include <stddef.h>
#include <stdint.h>

#include "office/cfb.h"
#include "office/vba.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool count_name(const char *name, void *arg)
{
    *(size_t *)arg += name[0] != 0;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cfb *c;
    size_t names = 0;
    (void)cfb_names(data, size, count_name, &names);
    struct cfb_limits lim = { .max_entries = 4096, .max_depth = 16 };
    if(cfb_open(&c, data, size, &lim))
        return 0;
    struct buf b;
    buf_init(&b, (size_t)4 << 20);
    for(size_t i = 0; i < cfb_count(c); i++) {
        const struct cfb_entry *e = cfb_entry(c, i);
        b.len = 0;
        if(e->type == CFB_STREAM)
            (void)cfb_read(c, i, &b);
    }
    (void)cfb_find(c, -1, "_VBA_PROJECT_CUR/VBA/dir");
    struct vba_limits vl = { .max_source = 1 << 20, .max_total = 4 << 20 };
    struct vba_project *p;
    size_t n;
    if(!vba_extract(c, &vl, &p, &n))
        vba_projects_free(p, n);
    static const char *const inside[] = { "PowerPoint Document",
                                          "VisioDocument" };
    for(int k = 0; k < 2; k++) {
        long d = cfb_find(c, -1, inside[k]);
        if(d < 0)
            continue;
        struct buf out;
        size_t lens[4], nl;
        b.len = 0;
        (void)cfb_read(c, (size_t)d, &b);
        buf_init(&out, 1 << 20);
        if(k)
            (void)vba_visio_projects(b.p, b.len, &out, lens, 4, &nl);
        else
            (void)ppt_ole_storages(b.p, b.len, &out, lens, 4, &nl);
        buf_free(&out);
    }
    long w = cfb_find(c, -1, "Workbook");
    if(w >= 0) {
        struct xlm_info x;
        b.len = 0;
        (void)cfb_read(c, (size_t)w, &b);
        if(!xlm_biff_read(b.p, b.len, 65536, &x))
            xlm_info_free(&x);
    }
    buf_free(&b);
    cfb_free(c);
    return 0;
}
