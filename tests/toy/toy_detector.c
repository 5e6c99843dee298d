/*
 * toy_detector.c - the smallest detector, for tests/cli/registry.bats:
 * any object whose bytes start with "KENSA-TOY" is reported.  The test
 * copies it to lib/detect/toy.c and adds DETECTOR(toy) to the registry;
 * it uses nothing but the engine's internal API (core/engine.h).
 */
#include <string.h>

#include "core/engine.h"

#define TOY_SIG "KENSA-TOY"

static void toy_on_object(struct kobj *obj)
{
    size_t n = sizeof(TOY_SIG) - 1;
    if(!obj->data || obj->len < n || memcmp(obj->data, TOY_SIG, n))
        return;
    struct kensa_finding f = {
        .detector = "toy",
        .threat = "toy",
        .verdict = KENSA_VERDICT_SUSPICIOUS,
        .severity = KENSA_SEV_LOW,
        .evidence = "starts with " TOY_SIG,
        .message = "toy signature",
    };
    ctx_report(obj, &f);
}

/* No KENSA_DETECT_* bit: it runs with every detector (KENSA_DETECT_OTHER). */
const struct detector detector_toy = {
    .name = "toy",
    .on_object = toy_on_object,
};
