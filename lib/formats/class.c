/*
 * class.c - the Java class file as a format: it owns the magic (0xCAFEBABE
 * and room for the versions and the pool count) and has no members.  The
 * Log4j detector reads the class itself (classfile.h) once this format
 * has claimed the object.
 */
#include <string.h>

#include "core/engine.h"

static int class_probe(const uint8_t *p, size_t n)
{
    return n >= 10 && !memcmp(p, "\xca\xfe\xba\xbe", 4) ? PROBE_HEAD
                                                          : PROBE_NO;
}

static bool class_walk(struct kobj *obj)
{
    (void)obj;
    return true;   /* nothing inside to open */
}

const struct format format_class = {
    .name = "class",
    .probe = class_probe,
    .walk = class_walk,
};
