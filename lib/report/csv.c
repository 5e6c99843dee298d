/*
 * csv.c - one RFC 4180 row per finding under a fixed header, for
 * spreadsheets.  Nesting is kept in the path column (a!/b!/c).  Every
 * cell goes through csv_cell (util/esc.h): quoted, and neutralised when
 * a spreadsheet would read it as a formula.
 */
#include <stdio.h>
#include <string.h>

#include <stdlib.h>
#include <string.h>

#include "report/report.h"

#define CSV_HEADER "timestamp,threat,detector,verdict,severity,package," \
                   "version,cves,path,line,file_sha256,fixed_in,message," \
                   "lookup,source_ip\r\n"

static void row_rec(struct rec *rc, const void *ctx, const void *item)
{
    const struct kensa_report *r = ctx;
    const struct kensa_finding *f = item;
    struct buf cves;
    char ts[32], ln[24] = "";
    if(!r->impl)
        rec_puts(rc, CSV_HEADER);
    buf_init(&cves, REPORT_RECORD_MAX);
    for(size_t i = 0; i < f->n_attrs && !rc->err; i++) {
        const struct kensa_attr *a = &f->attrs[i];
        if(a->type != KENSA_ATTR_STR || strcmp(a->key, "vulnerability.id"))
            continue;
        if(cves.len)
            rc->err = buf_puts(&cves, " ");
        if(!rc->err)
            rc->err = buf_puts(&cves, a->str);
    }
    char *msg = kensa_finding_message(f, r->o.lang);
    if(!msg && !rc->err)
        rc->err = KENSA_ENOMEM;
    report_timestamp(ts);
    if(f->line)
        snprintf(ln, sizeof(ln), "%llu", (unsigned long long)f->line);
    rec_cell(rc, ts, false);
    rec_cell(rc, f->threat, false);
    rec_cell(rc, f->detector, false);
    rec_cell(rc, kensa_verdict_name(f->verdict), false);
    rec_cell(rc, kensa_severity_name(f->severity), false);
    rec_cell(rc, kensa_finding_str(f, "package.name"), false);
    const char *ver = kensa_finding_str(f, "package.version");
    rec_cell(rc, ver ? ver : kensa_finding_str(f, "kensa.version_range"),
             false);
    rec_cell(rc, buf_cstr(&cves), false);
    rec_cell(rc, f->path, false);
    rec_cell(rc, ln, false);
    rec_cell(rc, f->file_sha256, false);
    rec_cell(rc, kensa_finding_str(f, "kensa.fixed_in"), false);
    rec_cell(rc, msg, false);
    rec_cell(rc, kensa_finding_str(f, "kensa.lookup"), false);
    rec_cell(rc, kensa_finding_str(f, "source.ip"), true);
    free(msg);
    buf_free(&cves);
}

/* A --fix or --restore action as a row under the same header: the
 * action in the detector column, its outcome (success, failure) in the
 * verdict column, the file in path, and the message (what was removed,
 * where the original went, or why it failed) in message. */
static void action_row(struct rec *rc, const void *ctx, const void *item)
{
    const struct kensa_report *r = ctx;
    const struct kensa_action *a = item;
    char ts[32];
    if(!r->impl)
        rec_puts(rc, CSV_HEADER);
    char *msg = a->message.id ? report_msg(&a->message, r->o.lang) : NULL;
    if(a->message.id && !msg && !rc->err)
        rc->err = KENSA_ENOMEM;
    report_timestamp(ts);
    rec_cell(rc, ts, false);
    rec_cell(rc, "", false);
    rec_cell(rc, a->action, false);
    rec_cell(rc, a->success ? "success" : "failure", false);
    for(int i = 0; i < 4; i++)   /* severity, package, version, cves */
        rec_cell(rc, "", false);
    rec_cell(rc, a->path, false);
    rec_cell(rc, "", false);
    rec_cell(rc, "", false);
    rec_cell(rc, "", false);
    rec_cell(rc, msg ? msg : a->reason, false);
    rec_cell(rc, "", false);
    rec_cell(rc, "", true);
    free(msg);
}

static void csv_action(struct kensa_report *r, const struct kensa_action *a)
{
    if(!report_write(r, action_row, a))
        r->impl = r;
}

static void csv_finding(struct kensa_report *r, const struct kensa_finding *f)
{
    if(!report_write(r, row_rec, f))
        r->impl = r;   /* header written (with the first row) */
}

const struct report_ops report_csv_ops = {
    .finding = csv_finding,
    .action = csv_action,
};
