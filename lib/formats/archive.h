/*
 * archive.h - what the libarchive format (archive.c) offers the other
 * formats: opening a zip whose members are encrypted.
 */
#ifndef KENSA_FORMATS_ARCHIVE_H
#define KENSA_FORMATS_ARCHIVE_H

#include <stdbool.h>

struct kobj;

/*
 * Walk the zip `obj` through libarchive (ZipCrypto and WinZip AES), with
 * the candidate passwords of its context (key "password"), tried in order
 * until one reads the first encrypted member.  Members are then scanned
 * as the other archives' are, each with "opened_with" = that password in
 * its context.  False, having read nothing, when the context holds no
 * password or none opened it: the caller then warns and reads what is not
 * encrypted itself.
 */
bool archive_walk_encrypted_zip(struct kobj *obj);

#endif
