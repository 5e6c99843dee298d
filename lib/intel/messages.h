/*
 * messages.h - the message catalog inside the library: constants for the
 * ids of lib/intel/messages.def, and the argument block ctx_warn() takes.
 * Front ends use the string keys through include/kensa/kensa.h.
 */
#ifndef KENSA_INTEL_MESSAGES_H
#define KENSA_INTEL_MESSAGES_H

#include <stddef.h>
#include <stdint.h>

#include "kensa/kensa.h"

enum kmsg {
#define MSG(e, key, en, ja) KMSG_##e,
#include "intel/messages.def"
#undef MSG
    KMSG_COUNT
};

/* At most this many numbered arguments ({1}..{6}) per message. */
#define KMSG_MAX_ARGS 6

/*
 * A message id with its arguments, built by ctx_warn()'s macro from
 * `ID, "arg", "arg"`: the compiler checks that the id is a KMSG_ constant
 * and that every argument is a string.  `end_` only ends the list.
 */
struct kmsg_args {
    enum kmsg id;
    const char *a1, *a2, *a3, *a4, *a5, *a6;
    int end_;
};
#define KMSG_ARGS(...) (&(const struct kmsg_args){ __VA_ARGS__, .end_ = 0 })

/* Copy m's arguments into args[KMSG_MAX_ARGS]; returns how many (up to
 * the last non-NULL one). */
size_t kmsg_unpack(const struct kmsg_args *m, const char *args[KMSG_MAX_ARGS]);

/* The stable key of `id` ("zip.unreadable"); "" for an unknown id. */
const char *kmsg_key(enum kmsg id);

/* kensa_warning_render() into a new malloc'd string, or NULL. */
char *kmsg_warning_alloc(const struct kensa_warning *w, enum kensa_lang lang);

/* v in decimal into buf (>= 24 bytes); returns buf. */
const char *kmsg_u64(char buf[24], uint64_t v);

#endif
