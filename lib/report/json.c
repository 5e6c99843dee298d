/*
 * json.c - JSON Lines, one object per finding (event.kind "alert") and per
 * warning (event.kind "event", event.outcome "failure"), with Elastic
 * Common Schema names where one fits and kensa.* for the rest.  The
 * mapping is documented in docs/OUTPUT.md.
 */
#include <stdio.h>

#include "report/report.h"
#include "util/json.h"

static void head(struct buf *b, const char *kind, const char *dataset)
{
    char ts[32];
    report_timestamp(ts);
    buf_puts(b, "{");
    json_kv(b, "@timestamp", ts);
    buf_puts(b, ",\"ecs\":{");
    json_kv(b, "version", KENSA_ECS_VERSION);
    buf_puts(b, "},\"observer\":{\"product\":\"kensa\",");
    json_kv(b, "version", KENSA_VERSION);
    buf_puts(b, "},\"event\":{");
    json_kv(b, "kind", kind);
    buf_puts(b, ",\"module\":\"kensa\",");
    json_kv(b, "dataset", dataset);
}

static void json_finding(struct kensa_report *r, const struct kensa_finding *f)
{
    struct buf b;
    char ds[64];
    buf_init(&b, 1u << 20);
    snprintf(ds, sizeof(ds), "kensa.%s", f->detector);
    head(&b, "alert", ds);
    buf_printf(&b, ",\"category\":[\"%s\"],\"type\":[\"info\"],"
               "\"severity\":%d", f->n_cves ? "vulnerability" :
               f->line ? "intrusion_detection" : "file",
               (int)f->severity * 25);
    if(f->snippet) {
        buf_puts(&b, ",");
        json_kv(&b, "original", f->snippet);
    }
    buf_puts(&b, "},");
    json_kv(&b, "message", f->message);
    buf_puts(&b, ",\"file\":{");
    json_kv(&b, "path", f->file_path);
    if(f->file_sha256) {
        buf_puts(&b, ",\"hash\":{");
        json_kv(&b, "sha256", f->file_sha256);
        buf_puts(&b, "}");
    }
    buf_puts(&b, "}");
    if(f->package_name) {
        buf_puts(&b, ",\"package\":{");
        json_kv(&b, "name", f->package_name);
        buf_puts(&b, ",");
        json_kv(&b, "version", f->package_version);
        buf_puts(&b, "}");
    }
    if(f->n_cves) {
        buf_puts(&b, ",\"vulnerability\":{\"id\":[");
        for(size_t i = 0; i < f->n_cves; i++) {
            if(i)
                buf_puts(&b, ",");
            json_str(&b, f->cves[i]);
        }
        buf_puts(&b, "],");
        json_kv(&b, "severity", kensa_severity_name(f->severity));
        buf_puts(&b, "}");
    }
    if(f->object_sha256 || f->file_sha256) {
        buf_puts(&b, ",\"related\":{\"hash\":[");
        json_str(&b, f->object_sha256 ? f->object_sha256 : f->file_sha256);
        buf_puts(&b, "]}");
    }
    buf_puts(&b, ",\"kensa\":{");
    json_kv(&b, "path", f->path);
    buf_puts(&b, ",");
    json_kv(&b, "threat", f->threat);
    buf_puts(&b, ",");
    json_kv(&b, "verdict", kensa_verdict_name(f->verdict));
    buf_puts(&b, ",");
    json_kv(&b, "severity", kensa_severity_name(f->severity));
    buf_puts(&b, ",");
    json_kv(&b, "detector", f->detector);
    buf_printf(&b, ",\"depth\":%u,\"version_exact\":%s", f->depth,
               f->version_exact ? "true" : "false");
    if(f->fixed_in) {
        buf_puts(&b, ",");
        json_kv(&b, "fixed_in", f->fixed_in);
    }
    if(f->evidence) {
        buf_puts(&b, ",");
        json_kv(&b, "evidence", f->evidence);
    }
    if(f->object_sha256) {
        buf_puts(&b, ",\"object\":{\"hash\":{");
        json_kv(&b, "sha256", f->object_sha256);
        buf_puts(&b, "}}");
    }
    if(f->line) {
        buf_printf(&b, ",\"line\":%llu", (unsigned long long)f->line);
        if(f->log_time) {
            buf_puts(&b, ",");
            json_kv(&b, "log_time", f->log_time);
        }
        if(f->lookup) {
            buf_puts(&b, ",");
            json_kv(&b, "lookup", f->lookup);
        }
        if(f->decoding) {
            buf_puts(&b, ",");
            json_kv(&b, "decoding", f->decoding);
        }
        if(f->cb_scheme || f->cb_host) {
            buf_puts(&b, ",\"callback\":{");
            json_kv(&b, "scheme", f->cb_scheme);
            buf_puts(&b, ",");
            json_kv(&b, "host", f->cb_host);
            buf_puts(&b, ",");
            json_kv(&b, "port", f->cb_port);
            buf_puts(&b, ",");
            json_kv(&b, "path", f->cb_path);
            buf_puts(&b, ",");
            json_kv(&b, "domain", f->cb_domain);
            buf_puts(&b, "}");
        }
        buf_printf(&b, ",\"exfil\":%s", f->exfil ? "true" : "false");
        if(f->command) {
            buf_puts(&b, ",");
            json_kv(&b, "command", f->command);
        }
    }
    buf_puts(&b, "}");
    if(f->line) {
        buf_puts(&b, ",\"log\":{\"file\":{");
        json_kv(&b, "path", f->file_path);
        buf_puts(&b, "}}");
        if(f->source_ip) {
            buf_puts(&b, ",\"source\":{");
            json_kv(&b, "ip", f->source_ip);
            buf_puts(&b, "}");
        }
    }
    buf_puts(&b, "}\n");
    report_emit(r, &b);
    buf_free(&b);
}

static void json_warning(struct kensa_report *r, const struct kensa_warning *w)
{
    struct buf b;
    buf_init(&b, 1u << 20);
    head(&b, "event", "kensa.scan");
    buf_puts(&b, ",\"outcome\":\"failure\"},\"error\":{");
    json_kv(&b, "message", w->message);
    buf_puts(&b, ",");
    json_kv(&b, "code", kensa_strerror(w->err));
    buf_puts(&b, "},\"kensa\":{");
    json_kv(&b, "path", w->path);
    buf_puts(&b, "}}\n");
    report_emit(r, &b);
    buf_free(&b);
}

const struct report_ops report_json_ops = {
    .finding = json_finding,
    .warning = json_warning,
};
