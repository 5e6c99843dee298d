/*
 * syslog.h - the CLI's syslog sender (--syslog): every record of the JSON
 * Lines report becomes one RFC 5424 message, over UDP, TCP (RFC 6587
 * octet counting) or a local socket (/dev/log, or unix:PATH).
 *
 * The report layer knows nothing of it: syslog_stream() hands the report
 * a FILE* whose writes are cut at newlines into records.  The CLI says
 * what the next record is (syslog_next()) before it asks the report for
 * one, so no record is ever parsed.  Everything that needs the file
 * system or the name service (the address, the socket, the host name)
 * is done in syslog_open(), before the process confines itself; after
 * that the sender only sends, and reconnects to the same address on the
 * same descriptor (see syslog.c).
 *
 * Not thread-safe: one thread at a time (kensa's callbacks run under the
 * scanner's lock).
 */
#ifndef KENSA_CLI_SYSLOG_H
#define KENSA_CLI_SYSLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct syslog_sender;

/* What the next record is: MSGID and, with the finding's severity, the
 * message's severity. */
enum syslog_kind {
    SYSLOG_OTHER = 0,  /* MSGID "-", severity info */
    SYSLOG_FINDING,    /* "finding", severity from the finding */
    SYSLOG_WARNING,    /* "warning", severity warning(4) */
    SYSLOG_RUN,        /* "run", severity info(6) */
};

/* Counters for the summary. */
struct syslog_stats {
    uint64_t sent;        /* messages handed to the kernel */
    uint64_t dropped;     /* records that were not sent (queue full, no
                           * connection by the end, send errors) */
    uint64_t truncated;   /* messages cut to the transport's maximum */
    uint64_t reconnects;  /* TCP or unix-stream connections made again */
};

/* The facility number (0-23) of a name ("local0", "user", "daemon"...)
 * or of a number 0-23; -1 if neither. */
int syslog_facility_parse(const char *name);

/*
 * Resolve and connect `dest`: "local" (/dev/log), "unix:PATH",
 * "udp://HOST:PORT", "tcp://HOST:PORT" or "HOST:PORT" (UDP); HOST may be
 * a name, an IPv4 address or an IPv6 one in brackets; PORT defaults to
 * 514.  A TCP listener that does not answer yet is not an error: the
 * sender queues and retries (`why` then holds a warning and
 * *out_pending is set).  Returns a new sender owned by the caller
 * (syslog_free), or NULL with the reason in `why`.
 */
struct syslog_sender *syslog_open(const char *dest, int facility,
                                  bool *out_pending, char *why,
                                  size_t whycap);

/* The TCP port connections are made to (for the sandbox's one allowed
 * port), 0 for UDP and local sockets. */
uint16_t syslog_tcp_port(const struct syslog_sender *s);

/*
 * A write-only, unbuffered stream: each newline-terminated line written
 * to it is sent as one message.  `tee`, if not NULL, gets every byte too
 * and is closed with the stream (its errors are the stream's).  The
 * stream borrows `s`: close it before syslog_free().  NULL when out of
 * memory.
 */
FILE *syslog_stream(struct syslog_sender *s, FILE *tee);

/* The next record written is of this kind (later ones, until the next
 * call, are SYSLOG_OTHER); `severity` is a kensa_severity (0 info .. 4
 * critical) and matters for findings. */
void syslog_next(struct syslog_sender *s, enum syslog_kind kind,
                 int severity);

/* Send what is queued, waiting at most `ms` milliseconds in all
 * (reconnecting as needed); what is still queued then counts as
 * dropped.  Fills *out. */
void syslog_drain(struct syslog_sender *s, unsigned ms,
                  struct syslog_stats *out);

void syslog_free(struct syslog_sender *s);

#endif
