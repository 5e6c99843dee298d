/*
 * mail.h - what the mail format (mail.c) offers the other formats: the
 * verdict on an encrypted archive that came by mail and that no candidate
 * password opened, and the sanitiser of attached files' names.
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

#define MAIL_NAME_MAX 200        /* an attachment's name, bytes */

/*
 * An attached file's name as a member name, into out: the last path
 * component, control bytes replaced by '_', at most MAIL_NAME_MAX bytes
 * (a UTF-8 sequence is not cut), "" when nothing is left (the caller
 * then names it by its place).  Pure; the TNEF format uses it too.
 */
void mail_clean_name(const char *name, char out[MAIL_NAME_MAX + 1]);

#endif
