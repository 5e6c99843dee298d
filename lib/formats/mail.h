/*
 * mail.h - what the mail format (mail.c) offers the other formats: the
 * verdict on an encrypted archive that came by mail and that no candidate
 * password opened.
 */
#ifndef KENSA_FORMATS_MAIL_H
#define KENSA_FORMATS_MAIL_H

#include <stdbool.h>

#include "core/engine.h"

/*
 * When obj came out of a mail (an attachment or something inside one),
 * report it as a `suspicious` finding (rule mail.encrypted_unopened),
 * with `why` (the archive's own sealed message) as evidence, and return
 * true; the caller then does not warn.  False elsewhere: the caller
 * warns as it always did.
 */
bool mail_report_sealed(struct kobj *obj, const struct kensa_msg *why);

#endif
