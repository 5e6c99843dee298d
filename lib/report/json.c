/*
 * json.c - JSON Lines, one object per finding (event.kind "alert") and per
 * warning (event.kind "event", event.outcome "failure"), with Elastic
 * Common Schema names where one fits and kensa.* for the rest.  The
 * mapping is documented in docs/OUTPUT.md.
 */
#include <stdio.h>
#include <stdlib.h>

#include "intel/messages.h"
#include "report/report.h"
#include "util/json.h"

static void head(struct rec *rc, const char *kind, const char *dataset)
{
    char ts[32];
    report_timestamp(ts);
    rec_puts(rc, "{");
    rec_jkv(rc, "@timestamp", ts);
    rec_puts(rc, ",\"ecs\":{");
    rec_jkv(rc, "version", KENSA_ECS_VERSION);
    rec_puts(rc, "},\"observer\":{\"product\":\"kensa\",");
    rec_jkv(rc, "version", KENSA_VERSION);
    rec_puts(rc, "},\"event\":{");
    rec_jkv(rc, "kind", kind);
    rec_puts(rc, ",\"module\":\"kensa\",");
    rec_jkv(rc, "dataset", dataset);
}

/* The kensa.truncated marker of a record whose long fields were cut. */
static void truncated(struct rec *rc)
{
    if(rec_is_cut(rc))
        rec_puts(rc, ",\"truncated\":true");
}

static void finding_rec(struct rec *rc, const void *ctx, const void *item)
{
    const struct kensa_finding *f = item;
    char ds[64];
    (void)ctx;
    snprintf(ds, sizeof(ds), "kensa.%s", f->detector);
    head(rc, "alert", ds);
    rec_printf(rc, ",\"category\":[\"%s\"],\"type\":[\"info\"],"
               "\"severity\":%d", f->n_cves ? "vulnerability" :
               f->line ? "intrusion_detection" : "file",
               (int)f->severity * 25);
    if(f->snippet)
        rec_jnext(rc, "original", f->snippet);
    rec_puts(rc, "},");
    rec_jkv(rc, "message", f->message);
    rec_puts(rc, ",\"file\":{");
    rec_jkv(rc, "path", f->file_path);
    if(f->file_sha256) {
        rec_puts(rc, ",\"hash\":{");
        rec_jkv(rc, "sha256", f->file_sha256);
        rec_puts(rc, "}");
    }
    rec_puts(rc, "}");
    if(f->package_name) {
        rec_puts(rc, ",\"package\":{");
        rec_jkv(rc, "name", f->package_name);
        rec_jnext(rc, "version", f->package_version);
        rec_puts(rc, "}");
    }
    if(f->n_cves) {
        rec_puts(rc, ",\"vulnerability\":{\"id\":[");
        for(size_t i = 0; i < f->n_cves; i++) {
            if(i)
                rec_puts(rc, ",");
            rec_jstr(rc, f->cves[i]);
        }
        rec_puts(rc, "],");
        rec_jkv(rc, "severity", kensa_severity_name(f->severity));
        rec_puts(rc, "}");
    }
    if(f->object_sha256 || f->file_sha256) {
        rec_puts(rc, ",\"related\":{\"hash\":[");
        rec_jstr(rc, f->object_sha256 ? f->object_sha256 : f->file_sha256);
        rec_puts(rc, "]}");
    }
    rec_puts(rc, ",\"kensa\":{");
    rec_jkv(rc, "path", f->path);
    rec_jnext(rc, "threat", f->threat);
    rec_jnext(rc, "verdict", kensa_verdict_name(f->verdict));
    rec_jnext(rc, "severity", kensa_severity_name(f->severity));
    rec_jnext(rc, "detector", f->detector);
    rec_printf(rc, ",\"depth\":%u,\"version_exact\":%s", f->depth,
               f->version_exact ? "true" : "false");
    if(f->fixed_in)
        rec_jnext(rc, "fixed_in", f->fixed_in);
    if(f->evidence)
        rec_jnext(rc, "evidence", f->evidence);
    if(f->object_sha256) {
        rec_puts(rc, ",\"object\":{\"hash\":{");
        rec_jkv(rc, "sha256", f->object_sha256);
        rec_puts(rc, "}}");
    }
    if(f->line) {
        rec_printf(rc, ",\"line\":%llu", (unsigned long long)f->line);
        if(f->log_time)
            rec_jnext(rc, "log_time", f->log_time);
        if(f->lookup)
            rec_jnext(rc, "lookup", f->lookup);
        if(f->decoding)
            rec_jnext(rc, "decoding", f->decoding);
        if(f->cb_scheme || f->cb_host) {
            rec_puts(rc, ",\"callback\":{");
            rec_jkv(rc, "scheme", f->cb_scheme);
            rec_jnext(rc, "host", f->cb_host);
            rec_jnext(rc, "port", f->cb_port);
            rec_jnext(rc, "path", f->cb_path);
            rec_jnext(rc, "domain", f->cb_domain);
            rec_puts(rc, "}");
        }
        rec_printf(rc, ",\"exfil\":%s", f->exfil ? "true" : "false");
        if(f->command)
            rec_jnext(rc, "command", f->command);
    }
    truncated(rc);
    rec_puts(rc, "}");
    if(f->line) {
        rec_puts(rc, ",\"log\":{\"file\":{");
        rec_jkv(rc, "path", f->file_path);
        rec_puts(rc, "}}");
        if(f->source_ip) {
            rec_puts(rc, ",\"source\":{");
            rec_jkv(rc, "ip", f->source_ip);
            rec_puts(rc, "}");
        }
    }
    rec_puts(rc, "}\n");
}

static void json_finding(struct kensa_report *r, const struct kensa_finding *f)
{
    report_write(r, finding_rec, f);
}

static void warning_rec(struct rec *rc, const void *ctx, const void *item)
{
    const struct kensa_warning *w = item;
    const struct kensa_report *r = ctx;
    head(rc, "event", "kensa.scan");
    rec_puts(rc, ",\"outcome\":\"failure\"},\"error\":{");
    rec_jkv(rc, "message", w->message);   /* English, for SIEM rules */
    rec_jnext(rc, "code", kensa_strerror(w->err));
    if(w->id)
        rec_jnext(rc, "id", w->id);
    rec_puts(rc, "},\"kensa\":{");
    rec_jkv(rc, "path", w->path);
    if(w->id) {
        rec_jnext(rc, "message_id", w->id);
        if(w->nargs) {
            rec_puts(rc, ",\"message_args\":[");
            for(size_t i = 0; i < w->nargs; i++) {
                if(i)
                    rec_puts(rc, ",");
                rec_jstr(rc, w->args[i] ? w->args[i] : "");
            }
            rec_puts(rc, "]");
        }
        /* the reader's language beside the English error.message */
        char *loc = r->o.lang != KENSA_LANG_EN ?
                    kmsg_warning_alloc(w, r->o.lang) : NULL;
        if(loc)
            rec_jnext(rc, "message", loc);
        free(loc);
    }
    truncated(rc);
    rec_puts(rc, "}}\n");
}

static void json_warning(struct kensa_report *r, const struct kensa_warning *w)
{
    report_write(r, warning_rec, w);
}

const struct report_ops report_json_ops = {
    .finding = json_finding,
    .warning = json_warning,
};
