/*
 * finding.h - building a finding on the detector's stack.  A detector
 * fills a `struct kfind`: the generic core (verdict, severity, rule), a
 * message and evidence as catalog ids with arguments (rendered later, in
 * the reader's language, by the reports), and typed attributes under
 * ECS names.  Then ctx_report(obj, &k.f).  Nothing here allocates;
 * everything the finding points to must outlive the ctx_report() call.
 */
#ifndef KENSA_CORE_FINDING_H
#define KENSA_CORE_FINDING_H

#include "intel/messages.h"
#include "kensa/kensa.h"

#define KFIND_MAX_ATTRS 48
#define KFIND_MAX_EVIDENCE 8

struct kfind {
    struct kensa_finding f;
    struct kensa_attr attrs[KFIND_MAX_ATTRS];
    struct kensa_msg ev[KFIND_MAX_EVIDENCE];
    const char *margs[KMSG_MAX_ARGS];
    const char *evargs[KFIND_MAX_EVIDENCE][KMSG_MAX_ARGS];
};

/* Start a finding of `detector` about `threat` (a KENSA_THREAT_* id). */
void kfind_init(struct kfind *k, const char *detector, const char *threat,
                enum kensa_verdict v, enum kensa_severity sev);

/* The finding's message: kfind_msg(k, KMSG_ID, "arg", ...).  The rule
 * is the message's key unless one was set. */
#define kfind_msg(k, ...) kfind_message((k), KMSG_ARGS(__VA_ARGS__))
void kfind_message(struct kfind *k, const struct kmsg_args *m);

/* One more piece of evidence: kfind_ev(k, KMSG_ID, "arg", ...).  Past
 * KFIND_MAX_EVIDENCE the rest is dropped. */
#define kfind_ev(k, ...) kfind_evidence((k), KMSG_ARGS(__VA_ARGS__))
void kfind_evidence(struct kfind *k, const struct kmsg_args *m);

/* Attributes, in the order they should be shown.  A NULL or empty string
 * is left out; past KFIND_MAX_ATTRS the rest is dropped.  `key` must be
 * a static string (an ECS name, or "kensa.*"). */
void kfind_str(struct kfind *k, const char *key, const char *val,
               unsigned flags);
void kfind_num(struct kfind *k, const char *key, int64_t val,
               unsigned flags);
void kfind_bool(struct kfind *k, const char *key, bool val, unsigned flags);
void kfind_float(struct kfind *k, const char *key, double val,
                 unsigned flags);

#endif
