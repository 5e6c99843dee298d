/*
 * failalloc.c - an LD_PRELOAD allocator shim for the out-of-memory test
 * (tests/faults/run.py).  It stands in for malloc, calloc, realloc,
 * strdup, strndup, posix_memalign, aligned_alloc and memalign, counts the
 * allocations made once main() has started (the dynamic loader's and the
 * libraries' start-up allocations are not counted), and makes one of them
 * fail as the real allocator would: NULL, errno ENOMEM.
 *
 *   KENSA_FAIL_AT=N     the N-th counted allocation fails (1-based); the
 *                       ones after it succeed again.  Unset or 0: none.
 *   KENSA_FAIL_REPORT=FD  at exit, write "allocations N\n" (and "failed
 *                       at N, caller OBJECT+OFFSET\n" when one failed) to
 *                       the inherited descriptor FD.  kensa confines
 *                       itself after parsing its options; an inherited
 *                       descriptor still works.
 *   KENSA_FAIL_TRACE=FD   one line per counted allocation, "N OBJECT+OFFSET"
 *                       of its caller (slow; to see where the count goes).
 *
 * Every allocation in the process goes through here: kensa's own, and
 * glibc's, libarchive's, OpenSSL's and zlib's, as in a real shortage.
 * The real functions are found with dlsym(RTLD_NEXT), so under
 * AddressSanitizer the shim sits in front of ASan's allocator and ASan
 * still sees every block (run with ASAN_OPTIONS=verify_asan_link_order=0).
 * While dlsym itself allocates, blocks come from a small static arena.
 *
 * Test code only: never built into kensa, never installed.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Exported replacements; declared here for -Wmissing-prototypes.  The
 * ones <stdlib.h> and <string.h> declare are not repeated. */
void *memalign(size_t align, size_t n);
int __libc_start_main(int (*main)(int, char **, char **), int argc,
                      char **argv, void (*init)(void), void (*fini)(void),
                      void (*rtld_fini)(void), void *stack_end);

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);

static atomic_bool armed;          /* main() has started */
static atomic_ulong counted;       /* allocations since then */
static unsigned long fail_at;      /* 0: never */
static int trace_fd = -1;
static atomic_uintptr_t fail_caller;

/* The arena that serves dlsym's own allocations while we resolve. */
static _Alignas(16) unsigned char arena[8192];
static size_t arena_used;
static int resolving;

static void trace(unsigned long n, void *caller)
{
    static _Thread_local int busy;  /* dladdr may allocate: not counted */
    char line[512];
    int len;
    Dl_info di;
    uintptr_t c = (uintptr_t)caller;
    if(busy)
        return;
    busy = 1;
    if(dladdr(caller, &di) && di.dli_fname)
        len = snprintf(line, sizeof(line), "%lu %s+0x%lx\n", n, di.dli_fname,
                       (unsigned long)(c - (uintptr_t)di.dli_fbase));
    else
        len = snprintf(line, sizeof(line), "%lu 0x%lx\n", n, (unsigned long)c);
    if(len > 0 && write(trace_fd, line, (size_t)len) < 0)
        trace_fd = -1;
    busy = 0;
}

static void *arena_alloc(size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if(n > sizeof(arena) - arena_used)
        return NULL;
    void *p = arena + arena_used;
    arena_used += n;
    return p;
}

static int in_arena(const void *p)
{
    return (const unsigned char *)p >= arena &&
           (const unsigned char *)p < arena + sizeof(arena);
}

static void resolve(void)
{
    if(real_malloc || resolving)
        return;
    resolving = 1;
    /* through a data pointer: ISO C has no object-to-function cast */
    *(void **)&real_calloc = dlsym(RTLD_NEXT, "calloc");
    *(void **)&real_realloc = dlsym(RTLD_NEXT, "realloc");
    *(void **)&real_free = dlsym(RTLD_NEXT, "free");
    *(void **)&real_posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
    *(void **)&real_aligned_alloc = dlsym(RTLD_NEXT, "aligned_alloc");
    *(void **)&real_memalign = dlsym(RTLD_NEXT, "memalign");
    *(void **)&real_malloc = dlsym(RTLD_NEXT, "malloc");
    resolving = 0;
}

/* Should this allocation fail?  Counts it when armed. */
static int fail_now(void *caller)
{
    if(!atomic_load_explicit(&armed, memory_order_relaxed))
        return 0;
    unsigned long n = atomic_fetch_add(&counted, 1) + 1;
    if(trace_fd >= 0)
        trace(n, caller);
    if(fail_at == 0 || n != fail_at)
        return 0;
    atomic_store(&fail_caller, (uintptr_t)caller);
    errno = ENOMEM;
    return 1;
}

#define CALLER __builtin_extract_return_addr(__builtin_return_address(0))

void *malloc(size_t n)
{
    resolve();
    if(!real_malloc)
        return arena_alloc(n);
    return fail_now(CALLER) ? NULL : real_malloc(n);
}

void *calloc(size_t k, size_t n)
{
    resolve();
    if(!real_calloc || !real_malloc) {
        if(n && k > SIZE_MAX / n)
            return NULL;
        return arena_alloc(k * n);  /* static: already zero */
    }
    return fail_now(CALLER) ? NULL : real_calloc(k, n);
}

void *realloc(void *p, size_t n)
{
    resolve();
    if(in_arena(p)) {  /* never happens in practice; copy out */
        void *q = malloc(n);
        if(q)
            memcpy(q, p, n < sizeof(arena) ? n : sizeof(arena));
        return q;
    }
    if(p && n == 0)  /* a free, never a failure */
        return real_realloc(p, n);
    return fail_now(CALLER) ? NULL : real_realloc(p, n);
}

void free(void *p)
{
    if(!p || in_arena(p))
        return;
    resolve();
    real_free(p);
}

char *strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    resolve();
    if(fail_now(CALLER))
        return NULL;
    char *d = real_malloc ? real_malloc(n) : arena_alloc(n);
    if(d)
        memcpy(d, s, n);
    return d;
}

char *strndup(const char *s, size_t max)
{
    size_t n = strnlen(s, max);
    resolve();
    if(fail_now(CALLER))
        return NULL;
    char *d = real_malloc ? real_malloc(n + 1) : arena_alloc(n + 1);
    if(d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

int posix_memalign(void **out, size_t align, size_t n)
{
    resolve();
    if(fail_now(CALLER))
        return ENOMEM;
    return real_posix_memalign(out, align, n);
}

void *aligned_alloc(size_t align, size_t n)
{
    resolve();
    return fail_now(CALLER) ? NULL : real_aligned_alloc(align, n);
}

void *memalign(size_t align, size_t n)
{
    resolve();
    return fail_now(CALLER) ? NULL : real_memalign(align, n);
}

/* ---- arming at main(), reporting at exit ---------------------------- */

static int (*real_main)(int, char **, char **);

static int armed_main(int argc, char **argv, char **envp)
{
    atomic_store(&armed, 1);
    return real_main(argc, argv, envp);
}

int __libc_start_main(int (*main)(int, char **, char **), int argc,
                      char **argv, void (*init)(void), void (*fini)(void),
                      void (*rtld_fini)(void), void *stack_end)
{
    int (*next)(int (*)(int, char **, char **), int, char **,
                void (*)(void), void (*)(void), void (*)(void), void *);
    *(void **)&next = dlsym(RTLD_NEXT, "__libc_start_main");
    const char *at = getenv("KENSA_FAIL_AT");
    fail_at = at ? strtoul(at, NULL, 10) : 0;
    const char *tr = getenv("KENSA_FAIL_TRACE");
    if(tr && *tr)
        trace_fd = atoi(tr);
    real_main = main;
    return next(armed_main, argc, argv, init, fini, rtld_fini, stack_end);
}

__attribute__((destructor)) static void report(void)
{
    const char *fd = getenv("KENSA_FAIL_REPORT");
    if(!fd || !*fd)
        return;
    int out = atoi(fd);
    dprintf(out, "allocations %lu\n", atomic_load(&counted));
    uintptr_t c = atomic_load(&fail_caller);
    if(c) {
        Dl_info di;
        if(dladdr((void *)c, &di) && di.dli_fname)
            dprintf(out, "failed at %lu, caller %s+0x%lx\n", fail_at,
                    di.dli_fname, (unsigned long)(c - (uintptr_t)di.dli_fbase));
        else
            dprintf(out, "failed at %lu, caller 0x%lx\n", fail_at,
                    (unsigned long)c);
    }
}
