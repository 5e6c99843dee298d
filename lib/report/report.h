/*
 * report.h - the report writers' shared shape.  A writer turns findings
 * and warnings into bytes on a FILE; it never looks at input files.
 */
#ifndef KENSA_REPORT_REPORT_H
#define KENSA_REPORT_REPORT_H

#include "kensa/kensa.h"
#include "util/buf.h"

struct report_ops {
    void (*finding)(struct kensa_report *r, const struct kensa_finding *f);
    void (*warning)(struct kensa_report *r, const struct kensa_warning *w);
    void (*finish)(struct kensa_report *r);
    void (*destroy)(struct kensa_report *r);
};

struct kensa_report {
    struct kensa_report_opts o;
    FILE *out;
    const struct report_ops *ops;
    void *impl;    /* writer's own state */
};

extern const struct report_ops report_text_ops;
extern const struct report_ops report_json_ops;
extern const struct report_ops report_csv_ops;

/* "2026-11-25T19:04:26.123Z" into out[32]. */
void report_timestamp(char out[32]);

/* Write b's bytes to r->out in one call. */
void report_emit(struct kensa_report *r, struct buf *b);

#endif
