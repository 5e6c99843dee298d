/*
 * csv.c - one RFC 4180 row per finding under a fixed header, for
 * spreadsheets.  Nesting is kept in the path column (a!/b!/c).
 */
#include <stdio.h>
#include <string.h>

#include "report/report.h"

static void field(struct buf *b, const char *s, bool last)
{
    buf_puts(b, "\"");
    for(const char *p = s ? s : ""; *p; p++) {
        if(*p == '"')
            buf_puts(b, "\"\"");
        else
            buf_append(b, p, 1);
    }
    buf_puts(b, last ? "\"\r\n" : "\",");
}

static void csv_finding(struct kensa_report *r, const struct kensa_finding *f)
{
    struct buf b, cves;
    char ts[32];
    buf_init(&b, 1u << 20);
    buf_init(&cves, 4096);
    if(!r->impl) {
        buf_puts(&b, "timestamp,threat,detector,verdict,severity,package,"
                     "version,cves,path,line,file_sha256,fixed_in,message,"
                     "lookup,source_ip\r\n");
        r->impl = r;   /* header written */
    }
    for(size_t i = 0; i < f->n_cves; i++) {
        if(i)
            buf_puts(&cves, " ");
        buf_puts(&cves, f->cves[i]);
    }
    report_timestamp(ts);
    field(&b, ts, false);
    field(&b, f->threat, false);
    field(&b, f->detector, false);
    field(&b, kensa_verdict_name(f->verdict), false);
    field(&b, kensa_severity_name(f->severity), false);
    field(&b, f->package_name, false);
    field(&b, f->package_version, false);
    field(&b, buf_cstr(&cves), false);
    field(&b, f->path, false);
    char ln[24] = "";
    if(f->line)
        snprintf(ln, sizeof(ln), "%llu", (unsigned long long)f->line);
    field(&b, ln, false);
    field(&b, f->file_sha256, false);
    field(&b, f->fixed_in, false);
    field(&b, f->message, false);
    field(&b, f->lookup, false);
    field(&b, f->source_ip, true);
    report_emit(r, &b);
    buf_free(&b);
    buf_free(&cves);
}

const struct report_ops report_csv_ops = {
    .finding = csv_finding,
};
