/*
 * procs.h - internal: the /proc parsers of procs.c alone, for the fuzz
 * harness (the scanning entry points are in include/kensa/kensa.h).
 */
#ifndef KENSA_CORE_PROCS_H
#define KENSA_CORE_PROCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Run the parsers of /proc/PID/stat, cmdline, environ and maps over
 * `data` (the four texts, in that order, separated by 0x01 bytes) as
 * procs.c runs them over a live process's, and throw the results away.
 * Any bytes; allocates and frees its own copies.
 */
void procs_parse_fuzz(const uint8_t *data, size_t n);

struct kensa_scanner;
struct kctxattr;

/*
 * procmem.c: YARA over the memory of the process whose /proc folder is
 * open on dirfd (pid `pidstr`), regions from its maps text (n_maps
 * bytes); findings carry `ctx` (the process's context).  Never stops
 * the process; capped (kensa_options.proc_mem_max, --max-scantime);
 * warns when it could read nothing or only part.
 */
void procmem_scan(struct kensa_scanner *s, int dirfd, const char *pidstr,
                  const char *maps, size_t n_maps,
                  const struct kctxattr *ctx);

/* One line of /proc/PID/maps (len bytes, any bytes): true with its range
 * when it is a region procmem_scan reads. */
bool procmem_region(const char *line, size_t len, uint64_t *lo,
                    uint64_t *hi);

/*
 * procnet.c: one line of /proc/net/tcp, tcp6, udp or udp6 (len bytes,
 * any bytes): the remote address as text into ip (cap bytes: IPv4
 * dotted, or an IPv4-mapped IPv6 as IPv4, else IPv6 text), its port and
 * the socket's inode.  False for the header or a malformed line.
 */
bool procnet_line(const char *line, size_t len, bool v6, char *ip,
                  size_t cap, unsigned *port, unsigned long *inode);

/* The parsers of procnet.c and procmem.c over any bytes, for the fuzz
 * harness fuzz_procnet.c. */
void procnet_parse_fuzz(const uint8_t *data, size_t n);

#endif
