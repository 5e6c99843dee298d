/*
 * office_dump.c - prints what lib/office reads from one file, as one JSON
 * object, for tests/cli/office.bats and tests/corpus/maldoc_read.py (the
 * reading layer tested without the macro detector or the CLI):
 *
 *   {"cfb":true,"entries":N,"streams":["path",...],
 *    "projects":[{"storage":"...","codepage":N,"stomped":false,
 *                 "truncated":false,"modules":[{"name":"...",
 *                 "stream":"...","type":"std|class|doc","source_ok":true,
 *                 "has_pcode":true,"source":"..."}]}],
 *    "ppt":[projects of PowerPoint 97 or Visio, as above],
 *    "ppt_projects":N,
 *    "xlm":{"sheets":N,"macro_sheets":N,"hidden":N,"very_hidden":N,
 *           "auto_open":false,"encrypted":false,"formulas":"..."}}
 *
 * "xlm" is there when a Workbook or Book stream is.  Not a CFB: {"cfb":
 * false,"error":"..."} and exit status 1.  `office_dump --stream PATH
 * FILE` writes the bytes of one stream instead (exit status 1 when it
 * cannot be read whole).  Not installed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "office/cfb.h"
#include "office/vba.h"
#include "util/json.h"

static const char *type_name(enum vba_module_type t)
{
    return t == VBA_MODULE_STD ? "std" : t == VBA_MODULE_DOC ? "doc"
                                                              : "class";
}

static void projects(struct buf *o, const struct cfb *c)
{
    struct vba_project *p = NULL;
    size_t n = 0;
    if(vba_extract(c, NULL, &p, &n))
        return;
    for(size_t i = 0; i < n; i++) {
        buf_puts(o, i ? ",{" : "{");
        json_kv(o, "storage", p[i].storage);
        buf_printf(o, ",\"codepage\":%u,\"stomped\":%s,\"truncated\":%s,"
                   "\"modules\":[", p[i].codepage,
                   p[i].stomped ? "true" : "false",
                   p[i].truncated ? "true" : "false");
        for(size_t j = 0; j < p[i].n_mod; j++) {
            const struct vba_module *m = &p[i].mod[j];
            buf_puts(o, j ? ",{" : "{");
            json_kv(o, "name", m->name);
            buf_puts(o, ",");
            json_kv(o, "stream", m->stream);
            buf_puts(o, ",");
            json_kv(o, "type", type_name(m->type));
            buf_printf(o, ",\"source_ok\":%s,\"has_pcode\":%s,\"source\":",
                       m->source_ok ? "true" : "false",
                       m->has_pcode ? "true" : "false");
            json_strn(o, m->source, m->source_len);
            buf_puts(o, "}");
        }
        buf_puts(o, "]}");
    }
    vba_projects_free(p, n);
}

/* The projects kept inside stream `name` (PowerPoint, Visio), printed as
 * ,"ppt":[...] each; how many. */
static size_t embedded(struct buf *o, const struct cfb *c, const char *name,
                       enum kensa_err (*fn)(const uint8_t *, size_t,
                                            struct buf *, size_t *, size_t,
                                            size_t *))
{
    long d = cfb_find(c, -1, name);
    size_t nl = 0;
    if(d < 0)
        return 0;
    struct buf doc, out;
    size_t lens[8];
    buf_init(&doc, (size_t)256 << 20);
    buf_init(&out, (size_t)64 << 20);
    (void)cfb_read(c, (size_t)d, &doc);
    (void)fn(doc.p, doc.len, &out, lens, 8, &nl);
    size_t off = 0;
    for(size_t j = 0; j < nl; j++) {
        struct cfb *pc;
        if(!cfb_open(&pc, out.p + off, lens[j], NULL)) {
            buf_puts(o, ",\"ppt\":[");
            projects(o, pc);
            buf_puts(o, "]");
            cfb_free(pc);
        }
        off += lens[j];
    }
    buf_free(&doc);
    buf_free(&out);
    return nl;
}

/* --stream PATH: that stream's bytes to stdout. */
static int dump_stream(const struct cfb *c, const char *path)
{
    long i = cfb_find(c, -1, path);
    if(i < 0)
        return 1;
    struct buf b;
    buf_init(&b, (size_t)1 << 30);
    enum kensa_err rc = cfb_read(c, (size_t)i, &b);
    fwrite(b.p, 1, b.len, stdout);
    buf_free(&b);
    return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
    const char *stream = NULL;
    if(argc == 4 && !strcmp(argv[1], "--stream")) {
        stream = argv[2];
        argv += 2;
        argc -= 2;
    }
    if(argc != 2) {
        fprintf(stderr, "usage: office_dump [--stream PATH] FILE\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if(!f) {
        perror(argv[1]);
        return 2;
    }
    struct buf in, o;
    buf_init(&in, (size_t)1 << 30);
    buf_init(&o, (size_t)1 << 30);
    char tmp[65536];
    size_t got;
    while((got = fread(tmp, 1, sizeof(tmp), f)) > 0)
        if(buf_append(&in, tmp, got))
            break;
    fclose(f);
    struct cfb *c;
    enum kensa_err rc = cfb_open(&c, in.p, in.len, NULL);
    if(rc) {
        printf("{\"cfb\":false,\"error\":\"%s\"}\n", kensa_strerror(rc));
        buf_free(&in);
        return 1;
    }
    if(stream) {
        int r = dump_stream(c, stream);
        cfb_free(c);
        buf_free(&in);
        return r;
    }
    buf_printf(&o, "{\"cfb\":true,\"entries\":%zu,\"streams\":[",
               cfb_count(c));
    bool first = true;
    for(size_t i = 0; i < cfb_count(c); i++) {
        const struct cfb_entry *e = cfb_entry(c, i);
        if(e->type != CFB_STREAM)
            continue;
        buf_puts(&o, first ? "" : ",");
        first = false;
        json_str(&o, e->path);
    }
    buf_puts(&o, "],\"projects\":[");
    projects(&o, c);
    buf_puts(&o, "]");
    size_t nl = embedded(&o, c, "PowerPoint Document", vba_ppt_projects);
    nl += embedded(&o, c, "VisioDocument", vba_visio_projects);
    buf_printf(&o, ",\"ppt_projects\":%zu", nl);
    long w = cfb_find(c, -1, "Workbook");
    if(w < 0)
        w = cfb_find(c, -1, "Book");
    if(w >= 0) {
        struct buf wb;
        struct xlm_info x;
        buf_init(&wb, (size_t)256 << 20);
        (void)cfb_read(c, (size_t)w, &wb);
        if(!xlm_biff_read(wb.p, wb.len, 1 << 20, &x)) {
            buf_printf(&o, ",\"xlm\":{\"sheets\":%u,\"macro_sheets\":%u,"
                       "\"hidden\":%u,\"very_hidden\":%u,\"auto_open\":%s,"
                       "\"encrypted\":%s,\"formulas\":", x.sheets,
                       x.macro_sheets, x.hidden, x.very_hidden,
                       x.auto_open ? "true" : "false",
                       x.encrypted ? "true" : "false");
            json_strn(&o, x.formulas ? x.formulas : "", x.formulas_len);
            buf_puts(&o, "}");
            xlm_info_free(&x);
        }
        buf_free(&wb);
    }
    buf_puts(&o, "}\n");
    fwrite(o.p, 1, o.len, stdout);
    buf_free(&o);
    buf_free(&in);
    cfb_free(c);
    return 0;
}
