/*
 * procnet.h - internal: connections to IoC addresses (procnet.c), for
 * procs.c.
 */
#ifndef KENSA_CORE_PROCNET_H
#define KENSA_CORE_PROCNET_H

struct kensa_scanner;
struct kctxattr;
struct procnet;

/* The sockets of this network namespace whose remote address is an IPv4
 * indicator (pack and --iocs of s's options); NULL when out of memory.
 * Warns on an unreadable table.  Free with procnet_free. */
struct procnet *procnet_load(struct kensa_scanner *s);
void procnet_free(struct procnet *pn);

/* Report each of those sockets that the process whose /proc folder is
 * open on dirfd holds (pid, name: its; ctx: its context). */
void procnet_match(struct kensa_scanner *s, const struct procnet *pn,
                   int dirfd, const char *pid, const char *name,
                   const struct kctxattr *ctx);

#endif
