/*
 * procmem.c - YARA over a running process's memory, without stopping it.
 *
 * libyara's own process scan (yr_process_open_iterator on Linux) attaches
 * with ptrace and waits for the target to stop for the whole scan; a
 * production JVM with a multi-GB heap would freeze for as long.  This
 * reads instead, as a debugger peeking would, through /proc/PID/mem
 * with pread (the kernel checks the same ptrace access, PTRACE_MODE_ATTACH,
 * but never stops the target), region by region from /proc/PID/maps:
 *
 *  - regions kept: readable ones that are anonymous (heap, stack,
 *    private allocations), file-backed and writable (data, relocated
 *    pages), or backed by a file that is no longer there (" (deleted)",
 *    memfd: fileless payloads); read-only mappings of files on disk are
 *    that file's bytes and left to the file scan; [vvar], [vsyscall] and
 *    device mappings (/dev/..., except /dev/shm and /dev/zero) are never
 *    read (reading some devices has side effects);
 *  - pages not resident (neither present nor swapped, says
 *    /proc/PID/pagemap) are not read: they read as zeros, so an untouched
 *    reservation costs nothing and nothing is faulted in;
 *  - each region is read in chunks of PROCMEM_CHUNK bytes, each chunk
 *    starting PROCMEM_OVERLAP bytes before its nominal start, so a string
 *    shorter than the overlap that straddles a boundary is still whole
 *    in one chunk; at most PROCMEM_REGION_MAX bytes a region and
 *    kensa_options.proc_mem_max (default 512 MiB) a process, and the
 *    scan time limit (--max-scantime) per process: past any of them a
 *    warning says the memory was scanned in part;
 *  - each chunk goes to the YARA detector (yara_scan_memory) as an object
 *    named /proc/PID/mem whose context is the process's (process.*), and
 *    each rule is reported once per process, with the address of its
 *    first match.
 *
 * The bytes read are the process's to choose and are handled as any
 * file's: by the rules only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/engine.h"
#include "core/procs.h"
#include "detect/yara.h"

#define PROCMEM_CHUNK (4u << 20)
#define PROCMEM_OVERLAP (64u << 10)
#define PROCMEM_REGION_MAX (256ull << 20)
#define PROCMEM_DEFAULT_MAX (512ull << 20)
#define PROCMEM_PAGEMAP_ENTRIES ((PROCMEM_CHUNK + PROCMEM_OVERLAP) / 4096u + 1u)

bool procmem_region(const char *line, size_t len, uint64_t *lo, uint64_t *hi)
{
    char buf[512];
    size_t k = len < sizeof(buf) - 1 ? len : sizeof(buf) - 1;
    memcpy(buf, line, k);
    buf[k] = 0;
    char *q;
    errno = 0;
    unsigned long long a = strtoull(buf, &q, 16);
    if(q == buf || *q != '-')
        return false;
    char *r = q + 1;
    unsigned long long b = strtoull(r, &q, 16);
    if(q == r || *q != ' ' || b <= a || errno)
        return false;
    const char *perms = q + 1;
    if(strlen(perms) < 4 || perms[0] != 'r')
        return false;
    bool writable = perms[1] == 'w';
    /* offset, dev, inode, then the path (may be absent) */
    const char *f = perms + 4;
    for(int i = 0; i < 3; i++) {
        while(*f == ' ')
            f++;
        if(!*f)
            return false;
        while(*f && *f != ' ')
            f++;
    }
    while(*f == ' ')
        f++;
    const char *path = f;
    size_t pn = strlen(path);
    bool keep;
    if(!pn)
        keep = true;                                   /* anonymous */
    else if(path[0] == '[')
        keep = !strcmp(path, "[heap]") || !strncmp(path, "[stack", 6) ||
               !strncmp(path, "[anon", 5);
    else if(!strncmp(path, "/dev/", 5))
        keep = !strncmp(path, "/dev/shm/", 9) || !strncmp(path, "/dev/zero", 9);
    else if(!strncmp(path, "/memfd:", 7))
        keep = true;
    else if(pn > 10 && !strcmp(path + pn - 10, " (deleted)"))
        keep = true;
    else
        keep = writable || path[0] != '/';             /* SYSV shm... */
    if(!keep)
        return false;
    *lo = a;
    *hi = b;
    return true;
}

/* Read [addr, addr + n) of the process into buf, pages that are not
 * resident left as zeros.  Returns bytes "read" (n, or less at an
 * unreadable spot), 0 when nothing could be read. */
static size_t read_chunk(int memfd, int pmfd, uint64_t addr, uint8_t *buf,
                         size_t n, uint64_t *pm, size_t *resident)
{
    const uint64_t page = 4096;
    size_t pages = (size_t)((n + page - 1) / page);
    bool have_pm = false;
    *resident = 0;
    if(pmfd >= 0 && pages <= PROCMEM_PAGEMAP_ENTRIES) {
        ssize_t r = pread(pmfd, pm, pages * 8, (off_t)((addr / page) * 8));
        have_pm = r == (ssize_t)(pages * 8);
    }
    memset(buf, 0, n);
    size_t got = 0;
    for(size_t i = 0; i < pages;) {
        bool in = !have_pm || (pm[i] & (3ull << 62));  /* present|swapped */
        size_t j = i + 1;
        while(j < pages && (!have_pm || (pm[j] & (3ull << 62))) == in)
            j++;
        size_t off = i * page, end = j * page < n ? j * page : n;
        if(in) {
            ssize_t r = pread(memfd, buf + off, end - off,
                              (off_t)(addr + off));
            if(r <= 0) {
                /* an unreadable page (a guard page, a mapping gone):
                 * what came before stands */
                return got ? off : 0;
            }
            *resident += (size_t)r;
            if((size_t)r < end - off)
                return off + (size_t)r;
        }
        got = end;
        i = j;
    }
    return got;
}

static long long elapsed_ms(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000LL +
           (t.tv_nsec - t0->tv_nsec) / 1000000;
}

void procmem_scan(struct kensa_scanner *s, int dirfd, const char *pidstr,
                  const char *maps, size_t n_maps,
                  const struct kctxattr *ctx)
{
    uint64_t cap = s->opts.proc_mem_max ? s->opts.proc_mem_max
                                        : PROCMEM_DEFAULT_MAX;
    uint64_t max_ms = s->opts.limits.max_scantime_ms;
    char path[64], nb[24];
    snprintf(path, sizeof(path), "/proc/%s/mem", pidstr);
    int memfd = openat(dirfd, "mem", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if(memfd < 0) {
        scan_warn_sys(s, path, KENSA_EIO, errno,
                      KMSG_ARGS(KMSG_PROC_MEM_UNREADABLE));
        return;
    }
    int pmfd = openat(dirfd, "pagemap", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    uint8_t *buf = malloc(PROCMEM_CHUNK + PROCMEM_OVERLAP);
    uint64_t *pm = malloc(PROCMEM_PAGEMAP_ENTRIES * 8);
    struct yara_memseen seen = { 0 };
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint64_t total = 0;
    bool partial = false;
    if(!buf || !pm) {
        scan_warn_sys(s, path, KENSA_ENOMEM, ENOMEM,
                      KMSG_ARGS(KMSG_PROC_MEM_UNREADABLE));
        goto out;
    }
    const char *line = maps, *end = maps + n_maps;
    while(line < end && !kensa_scanner_cancelled(s)) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        size_t len = nl ? (size_t)(nl - line) : (size_t)(end - line);
        uint64_t lo, hi;
        bool want = procmem_region(line, len, &lo, &hi);
        line += len + 1;
        if(!want)
            continue;
        uint64_t rlen = hi - lo;
        if(rlen > PROCMEM_REGION_MAX) {
            rlen = PROCMEM_REGION_MAX;
            partial = true;
        }
        for(uint64_t nom = 0; nom < rlen; nom += PROCMEM_CHUNK) {
            if(total >= cap || (max_ms && (uint64_t)elapsed_ms(&t0) > max_ms)) {
                partial = true;
                goto done;
            }
            uint64_t from = nom ? nom - PROCMEM_OVERLAP : 0;
            uint64_t to = nom + PROCMEM_CHUNK < rlen ? nom + PROCMEM_CHUNK
                                                     : rlen;
            size_t want_n = (size_t)(to - from);
            size_t resident = 0;
            size_t got = read_chunk(memfd, pmfd, lo + from, buf, want_n, pm,
                                    &resident);
            if(!got)
                break;   /* the rest of the region is not readable */
            total += resident;
            if(resident) {
                struct kctx c = { .s = s, .file_path = path };
                clock_gettime(CLOCK_MONOTONIC, &c.start);
                struct kobj o = { .ctx = &c, .data = buf, .len = got,
                                  .path = path, .name = "mem",
                                  .attrs = ctx };
                yara_scan_memory(&o, lo + from, pidstr, &seen);
            }
            if(got < want_n)
                break;
        }
    }
done:
    if(partial)
        scan_warn_sys(s, path, KENSA_ELIMIT, 0,
                      KMSG_ARGS(KMSG_PROC_MEM_LIMIT, kmsg_u64(nb, total)));
    pthread_mutex_lock(&s->lock);
    s->stats.bytes += total;
    pthread_mutex_unlock(&s->lock);
out:
    free(buf);
    free(pm);
    if(pmfd >= 0)
        close(pmfd);
    close(memfd);
}
