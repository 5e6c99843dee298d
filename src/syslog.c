/*
 * syslog.c - send the JSON Lines report as RFC 5424 syslog messages
 * (--syslog), one record per message.
 *
 * A message is
 *
 *   <PRI>1 TIMESTAMP HOSTNAME kensa PROCID MSGID SD JSON
 *
 * with PRI = facility * 8 + severity (critical 2, high 3, medium 4, low 5,
 * info 6; warnings 4; the run record 6), TIMESTAMP in UTC with
 * microseconds, HOSTNAME from gethostname() (bytes outside printable
 * US-ASCII as '_'), PROCID the pid, MSGID "finding", "warning", "run" or
 * "-", and SD "-" unless the message was cut (below).  MSG has no BOM:
 * the JSON is UTF-8 whatever the file names held (lib/util/json.c).
 *
 * Transports:
 *  - UDP and local datagram sockets: one datagram per message, blocking
 *    (2 s send timeout).  A message longer than 65,507 bytes (the largest
 *    IPv4 UDP payload) is cut there: the JSON is then incomplete and SD
 *    says so, [kensa@32473 truncated="N"] with N the record's full length
 *    (32473 is RFC 5612's documentation enterprise number).  Messages up
 *    to that size are sent whole even past a path MTU: IP fragments them.
 *  - TCP and local stream sockets: RFC 6587 octet counting ("LEN SP MSG"),
 *    messages cut the same way at 1 MiB.  The socket is non-blocking and
 *    messages wait in a bounded queue (10,000 messages or 4 MiB); a
 *    record that finds it full is dropped and counted.  When the peer
 *    closes or resets the connection the sender disconnects the same
 *    descriptor (connect with AF_UNSPEC) and connects it again to the
 *    same address, after 100 ms, then doubling up to 30 s; the message
 *    being sent starts over on the new connection.  TCP has no
 *    acknowledgement a sender can see, so messages the kernel had
 *    accepted when the peer went away may be lost without kensa knowing;
 *    "dropped" counts what kensa knows it did not send.  Before each
 *    message the socket is polled for the peer's FIN, which catches a
 *    listener's restart before a message is written into the void.
 *
 * Confinement (kensa_confine): the address is resolved, the socket made
 * and connected here, before the sandbox; afterwards the sender only
 * calls send, poll and connect on that descriptor (and socket(AF_UNIX)
 * for a local stream socket, which the filter allows).  Reconnecting a
 * TCP socket needs Landlock's connect right on that one port
 * (syslog_tcp_port(), kensa_confine_opts.connect_tcp_port).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "syslog.h"

#define DGRAM_MAX 65507u            /* 65,535 - 8 (UDP) - 20 (IPv4) */
#define STREAM_MSG_MAX (1u << 20)
#define QUEUE_MSGS 10000u
#define QUEUE_BYTES (4u << 20)
#define BACKOFF_MIN_MS 100u
#define BACKOFF_MAX_MS 30000u
#define HEADER_MAX 512u             /* PRI .. SD, with a 255-byte host */

enum transport { T_UDP, T_TCP, T_UNIX_DGRAM, T_UNIX_STREAM };

struct qmsg {
    char *p;
    size_t n;
};

struct syslog_sender {
    enum transport t;
    int fd;
    struct sockaddr_storage addr;
    socklen_t addrlen;
    int facility;
    char host[256];
    char procid[24];
    /* the record being assembled from the stream */
    enum syslog_kind kind;
    int severity;
    char *line;
    size_t len;       /* bytes kept in line (at most msg_max) */
    size_t full;      /* bytes the record really has */
    size_t msg_max;   /* the transport's largest MSG */
    /* stream transports: the queue, a ring */
    struct qmsg *q;
    size_t qhead, qn, qbytes, qoff;
    bool connected, connecting;
    struct timespec next_try;
    unsigned backoff_ms;
    struct syslog_stats st;
    FILE *tee;
};

/* Append to why as snprintf would. */
static void whyf(char *why, size_t cap, const char *fmt, ...)
{
    va_list ap;
    if(!cap)
        return;
    va_start(ap, fmt);
    vsnprintf(why, cap, fmt, ap);
    va_end(ap);
}

static const struct {
    const char *name;
    int n;
} facilities[] = {
    { "kern", 0 }, { "user", 1 }, { "mail", 2 }, { "daemon", 3 },
    { "auth", 4 }, { "syslog", 5 }, { "lpr", 6 }, { "news", 7 },
    { "uucp", 8 }, { "cron", 9 }, { "authpriv", 10 }, { "ftp", 11 },
    { "local0", 16 }, { "local1", 17 }, { "local2", 18 }, { "local3", 19 },
    { "local4", 20 }, { "local5", 21 }, { "local6", 22 }, { "local7", 23 },
};

int syslog_facility_parse(const char *name)
{
    char *end;
    long v;
    for(size_t i = 0; i < sizeof(facilities) / sizeof(*facilities); i++)
        if(!strcmp(name, facilities[i].name))
            return facilities[i].n;
    errno = 0;
    v = strtol(name, &end, 10);
    if(!*name || *end || errno || v < 0 || v > 23)
        return -1;
    return (int)v;
}

static long long ms_until(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)(t->tv_sec - now.tv_sec) * 1000 +
           (t->tv_nsec - now.tv_nsec) / 1000000;
}

static void after_ms(struct timespec *t, unsigned ms)
{
    clock_gettime(CLOCK_MONOTONIC, t);
    t->tv_sec += ms / 1000;
    t->tv_nsec += (long)(ms % 1000) * 1000000;
    if(t->tv_nsec >= 1000000000) {
        t->tv_sec++;
        t->tv_nsec -= 1000000000;
    }
}

/* ---------------------------------------------------------------- opening */

/* Split "HOST:PORT", "[V6]:PORT", "HOST" into host and port (514). */
static int split_hostport(const char *s, char *host, size_t hcap,
                          char *port, size_t pcap)
{
    const char *colon, *h = s;
    size_t hl;
    if(*s == '[') {
        const char *close = strchr(s, ']');
        if(!close || (close[1] && close[1] != ':'))
            return -1;
        h = s + 1;
        hl = (size_t)(close - h);
        colon = close[1] ? close + 1 : NULL;
    } else {
        colon = strrchr(s, ':');
        if(colon && strchr(s, ':') != colon)
            return -1;   /* a bare IPv6 address: brackets, please */
        hl = colon ? (size_t)(colon - s) : strlen(s);
    }
    if(!hl || hl >= hcap)
        return -1;
    memcpy(host, h, hl);
    host[hl] = 0;
    if(colon) {
        size_t pl = strlen(colon + 1);
        if(!pl || pl >= pcap || strspn(colon + 1, "0123456789") != pl)
            return -1;
        memcpy(port, colon + 1, pl + 1);
    } else {
        snprintf(port, pcap, "514");
    }
    return 0;
}

/* Connect fd to addr, waiting at most ms.  0 or an errno. */
static int connect_wait(int fd, const struct sockaddr *a, socklen_t al,
                        int ms)
{
    struct pollfd p = { .fd = fd, .events = POLLOUT };
    int err = 0;
    socklen_t el = sizeof(err);
    if(connect(fd, a, al) == 0)
        return 0;
    if(errno != EINPROGRESS)
        return errno;
    if(poll(&p, 1, ms) <= 0)
        return ETIMEDOUT;
    if(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el))
        return errno;
    return err;
}

static int open_unix(struct syslog_sender *s, const char *path, char *why,
                     size_t whycap)
{
    struct sockaddr_un *un = (struct sockaddr_un *)&s->addr;
    static const int types[2] = { SOCK_DGRAM, SOCK_STREAM };
    int err = 0;
    if(strlen(path) >= sizeof(un->sun_path)) {
        whyf(why, whycap, "socket path too long: %s", path);
        return -1;
    }
    un->sun_family = AF_UNIX;
    strcpy(un->sun_path, path);
    s->addrlen = sizeof(*un);
    for(int i = 0; i < 2; i++) {
        int fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0);
        if(fd < 0) {
            err = errno;
            continue;
        }
        if(connect(fd, (struct sockaddr *)un, s->addrlen) == 0) {
            s->fd = fd;
            s->t = i ? T_UNIX_STREAM : T_UNIX_DGRAM;
            s->connected = true;
            return 0;
        }
        err = errno;
        close(fd);
        if(err != EPROTOTYPE)
            break;   /* only a wrong socket type is worth the other one */
    }
    whyf(why, whycap, "%s: %s", path, strerror(err));
    return -1;
}

static int open_inet(struct syslog_sender *s, const char *hp, bool tcp,
                     bool *pending, char *why, size_t whycap)
{
    char host[256], port[8];
    struct addrinfo hints = { 0 }, *res = NULL, *ai;
    int rc = -1, gai, err = 0;

    if(split_hostport(hp, host, sizeof(host), port, sizeof(port))) {
        whyf(why, whycap, "expected HOST:PORT or [IPV6]:PORT, not \"%s\"",
             hp);
        return -1;
    }
    hints.ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM;
    hints.ai_flags = AI_ADDRCONFIG;
    if((gai = getaddrinfo(host, port, &hints, &res)) != 0) {
        whyf(why, whycap, "%s: %s", host, gai_strerror(gai));
        return -1;
    }
    for(ai = res; ai; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
                        (tcp ? SOCK_NONBLOCK : 0), ai->ai_protocol);
        if(fd < 0) {
            err = errno;
            continue;
        }
        err = tcp ? connect_wait(fd, ai->ai_addr, ai->ai_addrlen, 5000)
                  : (connect(fd, ai->ai_addr, ai->ai_addrlen) ? errno : 0);
        if(!err || (tcp && !ai->ai_next && s->fd < 0)) {
            /* connected; or the last address of a TCP list that does not
             * answer yet: keep it and retry later */
            memcpy(&s->addr, ai->ai_addr, ai->ai_addrlen);
            s->addrlen = ai->ai_addrlen;
            s->fd = fd;
            s->connected = !err;
            break;
        }
        close(fd);
    }
    if(s->fd < 0) {
        whyf(why, whycap, "%s port %s: %s", host, port, strerror(err));
        goto out;
    }
    s->t = tcp ? T_TCP : T_UDP;
    if(!s->connected) {
        /* the descriptor must be reconnectable: dissolve the failed try */
        struct sockaddr sa = { .sa_family = AF_UNSPEC };
        connect(s->fd, &sa, sizeof(sa));
        *pending = true;
        after_ms(&s->next_try, s->backoff_ms);
        whyf(why, whycap, "%s port %s: %s; records are queued and the "
             "connection retried", host, port, strerror(err));
    }
    rc = 0;
out:
    freeaddrinfo(res);
    return rc;
}

struct syslog_sender *syslog_open(const char *dest, int facility,
                                  bool *out_pending, char *why,
                                  size_t whycap)
{
    struct syslog_sender *s = calloc(1, sizeof(*s));
    bool pending = false;
    int rc;

    if(whycap)
        why[0] = 0;
    if(!s) {
        whyf(why, whycap, "%s", strerror(ENOMEM));
        return NULL;
    }
    s->fd = -1;
    s->facility = facility;
    s->backoff_ms = BACKOFF_MIN_MS;
    if(gethostname(s->host, sizeof(s->host) - 1) || !s->host[0])
        strcpy(s->host, "-");
    for(char *p = s->host; *p; p++)
        if(*p < 33 || *p > 126)
            *p = '_';
    snprintf(s->procid, sizeof(s->procid), "%ld", (long)getpid());

    if(!strcmp(dest, "local"))
        rc = open_unix(s, "/dev/log", why, whycap);
    else if(!strncmp(dest, "unix:", 5))
        rc = open_unix(s, dest + 5, why, whycap);
    else if(!strncmp(dest, "udp://", 6))
        rc = open_inet(s, dest + 6, false, &pending, why, whycap);
    else if(!strncmp(dest, "tcp://", 6))
        rc = open_inet(s, dest + 6, true, &pending, why, whycap);
    else if(strstr(dest, "://")) {
        whyf(why, whycap, "unknown transport in \"%s\" (udp, tcp, local "
             "or unix:PATH)", dest);
        rc = -1;
    } else
        rc = open_inet(s, dest, false, &pending, why, whycap);
    if(rc)
        goto fail;

    if(s->t == T_UDP || s->t == T_UNIX_DGRAM) {
        struct timeval tv = { .tv_sec = 2 };
        setsockopt(s->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        s->msg_max = DGRAM_MAX - HEADER_MAX;
    } else {
        s->msg_max = STREAM_MSG_MAX - HEADER_MAX;
        if(s->t == T_UNIX_STREAM)
            fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK);
        if(!(s->q = calloc(QUEUE_MSGS, sizeof(*s->q))))
            goto nomem;
    }
    /* records are rarely large: grow up to msg_max as needed */
    if(!(s->line = malloc(s->msg_max)))
        goto nomem;
    if(out_pending)
        *out_pending = pending;
    return s;
nomem:
    whyf(why, whycap, "%s", strerror(ENOMEM));
fail:
    syslog_free(s);
    return NULL;
}

uint16_t syslog_tcp_port(const struct syslog_sender *s)
{
    if(!s || s->t != T_TCP)
        return 0;
    if(s->addr.ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)&s->addr)->sin6_port);
    return ntohs(((const struct sockaddr_in *)&s->addr)->sin_port);
}

/* ------------------------------------------------------ stream transports */

static void queue_pop(struct syslog_sender *s)
{
    struct qmsg *m = &s->q[s->qhead];
    s->qbytes -= m->n;
    free(m->p);
    m->p = NULL;
    s->qhead = (s->qhead + 1) % QUEUE_MSGS;
    s->qn--;
    s->qoff = 0;
}

/* The connection is gone: dissolve it and plan the next try. */
static void disconnect(struct syslog_sender *s)
{
    if(s->t == T_TCP) {
        struct sockaddr sa = { .sa_family = AF_UNSPEC };
        connect(s->fd, &sa, sizeof(sa));
    } else {
        close(s->fd);
        s->fd = -1;
    }
    s->connected = s->connecting = false;
    s->qoff = 0;   /* the cut message goes again, whole */
    after_ms(&s->next_try, s->backoff_ms);
    s->backoff_ms = s->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS
                                                       : s->backoff_ms * 2;
}

/* Move towards a connection, waiting at most ms.  true once connected. */
static bool reconnect(struct syslog_sender *s, int ms)
{
    int err = 0;
    if(s->connected)
        return true;
    if(!s->connecting) {
        if(ms_until(&s->next_try) > 0)
            return false;
        if(s->t == T_UNIX_STREAM && s->fd < 0) {
            s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC |
                           SOCK_NONBLOCK, 0);
            if(s->fd < 0) {
                after_ms(&s->next_try, s->backoff_ms);
                return false;
            }
        }
        if(connect(s->fd, (struct sockaddr *)&s->addr, s->addrlen) == 0)
            goto up;
        if(errno != EINPROGRESS && errno != EAGAIN) {
            disconnect(s);
            return false;
        }
        s->connecting = true;
    }
    struct pollfd p = { .fd = s->fd, .events = POLLOUT };
    socklen_t el = sizeof(err);
    if(poll(&p, 1, ms) <= 0)
        return false;
    if(getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &el) || err) {
        disconnect(s);
        return false;
    }
up:
    s->connected = true;
    s->connecting = false;
    s->backoff_ms = BACKOFF_MIN_MS;
    s->st.reconnects++;
    return true;
}

/* Has the peer closed or reset the connection? */
static bool peer_gone(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN | POLLRDHUP };
    return poll(&p, 1, 0) > 0 &&
           (p.revents & (POLLIN | POLLRDHUP | POLLHUP | POLLERR));
}

/* Send what the queue holds, waiting at most until `deadline` (NULL: not
 * at all). */
static void pump(struct syslog_sender *s, const struct timespec *deadline)
{
    while(s->qn) {
        long long left = deadline ? ms_until(deadline) : 0;
        if(left < 0)
            left = 0;
        if(!s->connected) {
            if(!reconnect(s, (int)(left > 100 ? 100 : left))) {
                if(!deadline || left <= 0)
                    return;
                if(!s->connecting && ms_until(&s->next_try) > 0) {
                    long long w = ms_until(&s->next_try);
                    struct timespec ts = { 0, 0 };
                    if(w > left)
                        w = left;
                    ts.tv_sec = w / 1000;
                    ts.tv_nsec = (w % 1000) * 1000000;
                    nanosleep(&ts, NULL);
                }
                continue;
            }
        }
        struct qmsg *m = &s->q[s->qhead];
        if(!s->qoff && peer_gone(s->fd)) {
            disconnect(s);
            continue;
        }
        ssize_t n = send(s->fd, m->p + s->qoff, m->n - s->qoff,
                         MSG_DONTWAIT | MSG_NOSIGNAL);
        if(n > 0) {
            s->qoff += (size_t)n;
            if(s->qoff == m->n) {
                queue_pop(s);
                s->st.sent++;
            }
            continue;
        }
        if(n < 0 && errno == EINTR)
            continue;
        if(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd p = { .fd = s->fd, .events = POLLOUT };
            if(!deadline || left <= 0)
                return;
            poll(&p, 1, (int)(left > 1000 ? 1000 : left));
            continue;
        }
        disconnect(s);
    }
}

/* ---------------------------------------------------------------- records */

static int severity_of(const struct syslog_sender *s)
{
    static const int map[5] = { 6, 5, 4, 3, 2 };  /* info .. critical */
    switch(s->kind) {
    case SYSLOG_FINDING:
        return s->severity >= 0 && s->severity <= 4 ? map[s->severity] : 4;
    case SYSLOG_WARNING:
        return 4;
    default:
        return 6;
    }
}

static const char *msgid_of(const struct syslog_sender *s)
{
    switch(s->kind) {
    case SYSLOG_FINDING: return "finding";
    case SYSLOG_WARNING: return "warning";
    case SYSLOG_RUN: return "run";
    default: return "-";
    }
}

/* Frame and send (or queue) the record in s->line. */
static void emit(struct syslog_sender *s)
{
    char hdr[HEADER_MAX], ts[40], sd[64] = "-";
    struct timespec now;
    struct tm tm;
    size_t body = s->len;
    int hl;

    while(body && s->line[body - 1] == '\r')
        body--;
    if(s->full > s->len) {
        snprintf(sd, sizeof(sd), "[kensa@32473 truncated=\"%zu\"]", s->full);
        s->st.truncated++;
    }
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
    hl = snprintf(hdr, sizeof(hdr), "<%d>1 %s.%06ldZ %s kensa %s %s %s ",
                  s->facility * 8 + severity_of(s), ts, now.tv_nsec / 1000,
                  s->host, s->procid, msgid_of(s), sd);
    if(hl < 0 || (size_t)hl >= sizeof(hdr)) {
        s->st.dropped++;
        return;
    }

    if(s->t == T_UDP || s->t == T_UNIX_DGRAM) {
        struct iovec iov[2] = { { hdr, (size_t)hl }, { s->line, body } };
        struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
        for(int tries = 0; tries < 3; tries++) {
            if(sendmsg(s->fd, &mh, MSG_NOSIGNAL) >= 0) {
                s->st.sent++;
                return;
            }
            /* ECONNREFUSED reports an earlier datagram: try again; a
             * local listener that came back has a new socket */
            if(errno == ECONNREFUSED && s->t == T_UNIX_DGRAM)
                connect(s->fd, (struct sockaddr *)&s->addr, s->addrlen);
            if(errno != ECONNREFUSED && errno != EINTR &&
               errno != ENOTCONN)
                break;
        }
        s->st.dropped++;
        return;
    }

    /* stream: "LEN SP MSG" into the queue */
    char cnt[24];
    int cl = snprintf(cnt, sizeof(cnt), "%zu ", (size_t)hl + body);
    size_t n = (size_t)cl + (size_t)hl + body;
    char *p;
    if(s->qn == QUEUE_MSGS || s->qbytes + n > QUEUE_BYTES) {
        pump(s, NULL);   /* make room if the socket takes it */
        if(s->qn == QUEUE_MSGS || s->qbytes + n > QUEUE_BYTES) {
            s->st.dropped++;
            return;
        }
    }
    if(!(p = malloc(n))) {
        s->st.dropped++;
        return;
    }
    memcpy(p, cnt, (size_t)cl);
    memcpy(p + cl, hdr, (size_t)hl);
    memcpy(p + cl + hl, s->line, body);
    s->q[(s->qhead + s->qn) % QUEUE_MSGS] = (struct qmsg){ p, n };
    s->qn++;
    s->qbytes += n;
    pump(s, NULL);
}

void syslog_next(struct syslog_sender *s, enum syslog_kind kind,
                 int severity)
{
    if(!s)
        return;
    s->kind = kind;
    s->severity = severity;
}

/* ----------------------------------------------------------------- stream */

struct cookie {
    struct syslog_sender *s;
    FILE *tee;
};

static ssize_t ck_write(void *cookie, const char *buf, size_t n)
{
    struct cookie *c = cookie;
    struct syslog_sender *s = c->s;
    size_t i = 0;

    if(c->tee && n && fwrite(buf, 1, n, c->tee) != n)
        return -1;
    while(i < n) {
        const char *nl = memchr(buf + i, '\n', n - i);
        size_t take = nl ? (size_t)(nl - (buf + i)) : n - i;
        size_t room = s->msg_max - s->len;
        memcpy(s->line + s->len, buf + i, take < room ? take : room);
        s->len += take < room ? take : room;
        s->full += take;
        i += take;
        if(nl) {
            i++;
            if(s->full)
                emit(s);
            s->len = s->full = 0;
            /* a record the CLI did not announce is not mislabelled */
            s->kind = SYSLOG_OTHER;
        }
    }
    return (ssize_t)n;
}

static int ck_close(void *cookie)
{
    struct cookie *c = cookie;
    int rc = 0;
    if(c->s->full)       /* a last record without its newline */
        emit(c->s);
    c->s->len = c->s->full = 0;
    if(c->tee && fclose(c->tee))
        rc = -1;
    free(c);
    return rc;
}

FILE *syslog_stream(struct syslog_sender *s, FILE *tee)
{
    cookie_io_functions_t io = { .write = ck_write, .close = ck_close };
    struct cookie *c = malloc(sizeof(*c));
    FILE *f;
    if(!c)
        return NULL;
    c->s = s;
    c->tee = tee;
    if(!(f = fopencookie(c, "w", io))) {
        free(c);
        return NULL;
    }
    /* unbuffered: a record reaches ck_write within the report call that
     * wrote it, while syslog_next() still describes it */
    setvbuf(f, NULL, _IONBF, 0);
    return f;
}

void syslog_drain(struct syslog_sender *s, unsigned ms,
                  struct syslog_stats *out)
{
    struct timespec deadline;
    after_ms(&deadline, ms);
    if(s->q) {
        pump(s, &deadline);
        s->st.dropped += s->qn;
        while(s->qn)
            queue_pop(s);
    }
    if(out)
        *out = s->st;
}

void syslog_free(struct syslog_sender *s)
{
    if(!s)
        return;
    while(s->q && s->qn)
        queue_pop(s);
    free(s->q);
    free(s->line);
    if(s->fd >= 0)
        close(s->fd);
    free(s);
}
