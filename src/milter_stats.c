/*
 * milter_stats.c - what `kensa milter` says on SIGUSR1: messages per
 * outcome since start and the time spent per message (p50, p99 over the
 * last STAT_SAMPLES messages, a ring: memory stays flat).
 */
#include "milter.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STAT_SAMPLES 8192

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t count[MS_COUNT];
static double ring[STAT_SAMPLES];
static size_t nring, next;

void stats_add(enum mstat s, double ms)
{
    pthread_mutex_lock(&lock);
    if((unsigned)s < MS_COUNT)
        count[s]++;
    ring[next] = ms;
    next = (next + 1) % STAT_SAMPLES;
    if(nring < STAT_SAMPLES)
        nring++;
    pthread_mutex_unlock(&lock);
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void stats_line(char *out, size_t cap)
{
    static double v[STAT_SAMPLES];   /* the caller is the signal thread */
    static const char *const NAME[MS_COUNT] = { "clean", "suspicious",
        "malicious", "ppap_held", "ppap_opened", "oversize", "fail" };
    uint64_t c[MS_COUNT];
    pthread_mutex_lock(&lock);
    size_t n = nring;
    memcpy(v, ring, n * sizeof(v[0]));
    memcpy(c, count, sizeof(c));
    pthread_mutex_unlock(&lock);
    qsort(v, n, sizeof(v[0]), cmp_d);
    size_t len = 0;
    for(int i = 0; i < MS_COUNT && len < cap; i++)
        len += (size_t)snprintf(out + len, cap - len, "%s=%llu ", NAME[i],
                                (unsigned long long)c[i]);
    if(len < cap)
        snprintf(out + len, cap - len, "p50_ms=%.1f p99_ms=%.1f samples=%zu",
                 n ? v[n / 2] : 0.0, n ? v[(n * 99) / 100] : 0.0, n);
}
