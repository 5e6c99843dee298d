/*
 * own_report.h - does a file hold nothing but kensa's own report?
 *
 * A report kensa wrote (-o report.json, a CSV, a log a cron job keeps)
 * repeats the payloads it found, so a later `kensa logs` would flag it as
 * an attack.  It is recognised by content, never by name, and only when
 * every line is kensa's: one foreign line, and the file is scanned like
 * any other (an attacker who can write one line into a log cannot make
 * the rest of it look like kensa's records).
 */
#ifndef KENSA_DETECT_OWN_REPORT_H
#define KENSA_DETECT_OWN_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/engine.h"

#define OWN_REPORT_DEPTH 32   /* JSON nesting accepted in a record */

/*
 * True if p[0..n) is entirely a kensa report:
 *  - JSON Lines: every line, the last one's newline optional, is one
 *    well-formed JSON object whose top-level "observer" object has
 *    "product":"kensa" (every record kind kensa writes has it);
 *  - CSV: the exact header kensa's CSV report writes, then only rows of
 *    that many RFC 4180 cells, each ending in CRLF, the first cell an
 *    ISO 8601 time.
 * Linear in n and stops at the first line that is not kensa's; nothing
 * is allocated.  Pure: p may be any bytes.
 */
bool own_report_is(const uint8_t *p, size_t n);

/*
 * own_report_is() on a whole object held in memory; when true, counts it
 * in the scanner's stats (own_reports) and returns true: the caller
 * leaves it alone.  A streamed member is never skipped (it is not seen
 * whole).
 */
bool own_report_skip(struct kobj *obj);

#endif
