/*
 * procnet.c - open connections to IoC addresses, from /proc/net.
 *
 * procnet_load() reads the socket tables /proc/net/tcp, tcp6, udp and
 * udp6 (each at most PROCNET_TABLE_MAX bytes, PROCNET_CONNS_MAX sockets
 * kept in all) and keeps the sockets whose remote address is an IPv4
 * indicator of the intel pack or of --iocs (an IPv4-mapped IPv6 address
 * counts as its IPv4).  procnet_match() then reads one process's
 * /proc/PID/fd links ("socket:[INODE]") and reports each kept socket it
 * holds: destination.ip, destination.port, network.transport and the
 * process's context.  Only addresses can match a socket table: domain
 * and URL indicators never do here (the YARA rules made of them match
 * the memory and files that hold them instead).
 *
 * The tables are the kernel's, but every field is parsed as untrusted
 * text (procnet_line, fuzzed by fuzz/fuzz_procnet.c): fixed widths are
 * checked, never assumed.  The tables are those of kensa's own network
 * namespace: a process in another one (a container) has its sockets in
 * its own /proc/PID/net, which procnet_match() does not read.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "core/engine.h"
#include "core/finding.h"
#include "core/procnet.h"
#include "core/procs.h"
#include "intel/iocload.h"
#include "intel/pack.h"

#define PROCNET_TABLE_MAX (16u << 20)
#define PROCNET_CONNS_MAX 4096
#define PROCNET_IPS_MAX 100000

struct pconn {
    unsigned long inode;
    unsigned port;
    char ip[INET6_ADDRSTRLEN];
    const char *proto;          /* "tcp", "udp" */
    const char *table;          /* "tcp6"... */
    const char *threat;         /* the indicator's (in the set) */
    const char *source;
};

struct procnet {
    struct ioc_set *iocs;
    struct pconn *c;
    size_t n;
};

static int hexval(char c)
{
    if(c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    if(c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* n hex digits at p into *v; false if any is not one. */
static bool hexn(const char *p, size_t n, uint32_t *v)
{
    uint32_t x = 0;
    for(size_t i = 0; i < n; i++) {
        int h = hexval(p[i]);
        if(h < 0)
            return false;
        x = x << 4 | (uint32_t)h;
    }
    *v = x;
    return true;
}

bool procnet_line(const char *line, size_t len, bool v6, char *ip,
                  size_t cap, unsigned *port, unsigned long *inode)
{
    char buf[512];
    size_t k = len < sizeof(buf) - 1 ? len : sizeof(buf) - 1;
    memcpy(buf, line, k);
    buf[k] = 0;
    /* sl: local rem st tx:rx tr:when retrnsmt uid timeout inode */
    char *f[10];
    size_t nf = 0;
    char *save = NULL;
    for(char *t = strtok_r(buf, " \t", &save); t && nf < 10;
        t = strtok_r(NULL, " \t", &save))
        f[nf++] = t;
    if(nf < 10)
        return false;
    size_t al = v6 ? 32 : 8;
    const char *rem = f[2];
    if(strlen(rem) != al + 5 || rem[al] != ':')
        return false;
    uint32_t w[4], p;
    for(size_t i = 0; i < al / 8; i++)
        if(!hexn(rem + i * 8, 8, &w[i]))
            return false;
    if(!hexn(rem + al + 1, 4, &p))
        return false;
    char *end;
    errno = 0;
    unsigned long ino = strtoul(f[9], &end, 10);
    if(*end || errno || end == f[9])
        return false;
    /* the kernel prints each 32-bit word as the host holds it */
    uint8_t a[16];
    for(size_t i = 0; i < al / 8; i++)
        memcpy(a + i * 4, &w[i], 4);
    const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    if(v6 && !memcmp(a, mapped, 12)) {
        memmove(a, a + 12, 4);
        v6 = false;
    }
    if(!inet_ntop(v6 ? AF_INET6 : AF_INET, a, ip, (socklen_t)cap))
        return false;
    *port = (unsigned)p;
    *inode = ino;
    return true;
}

/* Read a whole /proc file (at most cap bytes) into a new buffer. */
static char *slurp_proc(const char *path, size_t cap, size_t *n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if(fd < 0)
        return NULL;
    size_t size = 65536, len = 0;
    char *b = malloc(size + 1);
    while(b) {
        if(len == size) {
            if(size >= cap)
                break;
            size_t ns = size * 2 < cap ? size * 2 : cap;
            char *nb = realloc(b, ns + 1);
            if(!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            size = ns;
        }
        ssize_t r = read(fd, b + len, size - len);
        if(r < 0 && errno == EINTR)
            continue;
        if(r <= 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    if(b) {
        b[len] = 0;
        *n = len;
    }
    return b;
}

static const struct ioc *find_ip(const struct ioc_set *s, const char *ip)
{
    size_t total = ioc_set_total(s);
    for(size_t i = 0; i < total; i++) {
        const struct ioc *io = ioc_set_at(s, i);
        if(io->type == IOC_IPV4 && !strcmp(io->value, ip))
            return io;
    }
    return NULL;
}

struct procnet *procnet_load(struct kensa_scanner *s)
{
    const struct kensa_options *o = &s->opts;
    struct procnet *pn = calloc(1, sizeof(*pn));
    if(!pn || !(pn->iocs = ioc_set_new()))
        goto fail;
    struct ioc_report r = { 0 };
    if(!o->no_builtin_intel) {
        char *t = kensa_pack_text(kensa_pack_iocs, kensa_pack_iocs_len);
        if(t)
            ioc_parse(pn->iocs, t, kensa_pack_iocs_len, "kensa", "unknown",
                      &r);
        free(t);
    }
    for(size_t i = 0; i < o->n_ioc_files; i++) {
        struct ioc_report ur = { 0 };
        ioc_load_file(pn->iocs, o->ioc_files[i], &ur);  /* CLI-checked */
    }
    if(!ioc_set_count(pn->iocs, IOC_IPV4) ||
       ioc_set_count(pn->iocs, IOC_IPV4) > PROCNET_IPS_MAX)
        return pn;    /* nothing to match (or too many for this walk) */
    static const char *const tables[] = { "tcp", "tcp6", "udp", "udp6" };
    for(size_t t = 0; t < 4; t++) {
        char path[32];
        size_t n;
        snprintf(path, sizeof(path), "/proc/net/%s", tables[t]);
        char *b = slurp_proc(path, PROCNET_TABLE_MAX, &n);
        if(!b) {
            if(errno != ENOENT)   /* no IPv6: no table */
                scan_warn_sys(s, path, KENSA_EIO, errno,
                              KMSG_ARGS(KMSG_PROC_NET_UNREADABLE));
            continue;
        }
        for(char *line = b, *end = b + n; line < end;) {
            char *nl = memchr(line, '\n', (size_t)(end - line));
            size_t len = nl ? (size_t)(nl - line) : (size_t)(end - line);
            struct pconn c = { .proto = t < 2 ? "tcp" : "udp",
                               .table = tables[t] };
            if(procnet_line(line, len, t % 2, c.ip, sizeof(c.ip), &c.port,
                            &c.inode) && c.inode) {
                const struct ioc *io = find_ip(pn->iocs, c.ip);
                if(io && pn->n < PROCNET_CONNS_MAX) {
                    struct pconn *nc = realloc(pn->c, (pn->n + 1) *
                                                      sizeof(*nc));
                    if(nc) {
                        pn->c = nc;
                        c.threat = io->threat;
                        c.source = io->source;
                        pn->c[pn->n++] = c;
                    }
                }
            }
            line += len + 1;
        }
        free(b);
    }
    return pn;
fail:
    procnet_free(pn);
    return NULL;
}

void procnet_free(struct procnet *pn)
{
    if(!pn)
        return;
    if(pn->iocs)
        ioc_set_free(pn->iocs);
    free(pn->c);
    free(pn);
}

/* Report connection c held by the process (ctx: its context). */
static void report_conn(struct kensa_scanner *s, const struct pconn *c,
                        const char *pid, const char *name,
                        const struct kctxattr *ctx)
{
    char path[64], port[16], ino[24];
    snprintf(path, sizeof(path), "/proc/%s/net/%s", pid, c->table);
    snprintf(port, sizeof(port), "%u", c->port);
    snprintf(ino, sizeof(ino), "%lu", c->inode);
    struct kctx kc = { .s = s, .file_path = path };
    struct kobj o = { .ctx = &kc, .path = path, .name = c->table,
                      .attrs = ctx };
    struct kfind k;
    kfind_init(&k, "process", c->threat, KENSA_VERDICT_MALICIOUS,
               KENSA_SEV_HIGH);
    kfind_msg(&k, KMSG_PROC_CONN_IOC, pid, name, c->proto, c->ip, port,
              c->threat);
    k.f.rule = "process.connection.ioc";
    kfind_ev(&k, KMSG_PROC_EV_CONN_SOCKET, ino, c->table, pid);
    if(c->source)
        kfind_ev(&k, KMSG_IOC_EV_SOURCE, c->source);
    kfind_str(&k, "destination.ip", c->ip, KENSA_ATTR_SHOW);
    kfind_num(&k, "destination.port", (int64_t)c->port, KENSA_ATTR_SHOW);
    kfind_str(&k, "network.transport", c->proto, 0);
    kfind_str(&k, "event.category", "network", 0);
    ctx_report(&o, &k.f);
}

void procnet_match(struct kensa_scanner *s, const struct procnet *pn,
                   int pdir, const char *pid, const char *name,
                   const struct kctxattr *ctx)
{
    if(!pn || !pn->n)
        return;
    int fdd = openat(pdir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fdd >= 0 ? fdopendir(fdd) : NULL;
    if(!d) {
        if(fdd >= 0)
            close(fdd);
        return;
    }
    struct dirent *e;
    while((e = readdir(d))) {
        char t[64];
        ssize_t k = readlinkat(dirfd(d), e->d_name, t, sizeof(t) - 1);
        if(k <= 9 || strncmp(t, "socket:[", 8))
            continue;
        t[k] = 0;
        char *end;
        unsigned long ino = strtoul(t + 8, &end, 10);
        if(*end != ']')
            continue;
        for(size_t i = 0; i < pn->n; i++)
            if(pn->c[i].inode == ino)
                report_conn(s, &pn->c[i], pid, name, ctx);
    }
    closedir(d);
}

void procnet_parse_fuzz(const uint8_t *data, size_t n)
{
    char *b = malloc(n + 1);
    if(!b)
        return;
    memcpy(b, data, n);
    b[n] = 0;
    for(char *line = b, *end = b + n; line < end;) {
        char *nl = memchr(line, '\n', (size_t)(end - line));
        size_t len = nl ? (size_t)(nl - line) : (size_t)(end - line);
        char ip[INET6_ADDRSTRLEN];
        unsigned port;
        unsigned long ino;
        uint64_t lo, hi;
        (void)procnet_line(line, len, false, ip, sizeof(ip), &port, &ino);
        (void)procnet_line(line, len, true, ip, sizeof(ip), &port, &ino);
        (void)procmem_region(line, len, &lo, &hi);
        line += len + 1;
    }
    free(b);
}
