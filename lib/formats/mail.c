/*
 * mail.c - the mail format: one RFC 5322 message (.eml, a Maildir file,
 * standard input) or an mbox of them.  GMime 3 parses the MIME structure
 * (multipart nesting, base64/quoted-printable/uuencode transfer encodings,
 * RFC 2047 words, RFC 2231 parameters); this file decides what to do with
 * each part:
 *  - text parts (plain, HTML) are converted to UTF-8 (Japanese charsets
 *    the way Windows writes them: Shift_JIS as cp932) and searched for
 *    candidate passwords (mailpw.h);
 *  - every other part, and every part with a file name, is an attachment:
 *    object_scan_child() under its sanitised file name, with the mail in
 *    its context - the candidate passwords of the mail (and of its thread
 *    in an mbox) and ECS email.* marked for findings (docs/DESIGN.md,
 *    "Mail");
 *  - an attached message (message/rfc822) is written out and scanned as a
 *    mail of its own; TNEF (winmail.dat) is a format of its own
 *    (formats/tnef.c); message/partial is noted.
 * After its attachments, a mail with findings under it gets one finding
 * of its own (detector "mail") with the worst of them.
 * GLib aborts when an allocation fails: every message handed to GMime is
 * bounded (MAIL_MAX) and every decoded part charged to the file's budget.
 * Built only with GMime (meson: dependency gmime-3.0); without it the
 * probe answers no and `kensa mail` says so.
 */
#include "formats/mail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "formats/mailpw.h"
#include "kensa/kensa.h"

#ifdef KENSA_HAVE_GMIME
#include <dirent.h>
#include <fcntl.h>
#include <gmime/gmime.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#define MAIL_MAX (64u << 20)     /* one message handed to GMime */
#define MAIL_DEPTH 32            /* multipart nesting */
#define MAIL_PARTS 2000          /* parts of one message */
#define MAIL_TEXT_MAX (4u << 20) /* text searched for passwords, a part */
#define MAIL_UU_MAX 16           /* uuencoded files cut out of a text part */
#define MAIL_ADDRS 16            /* recipients carried to findings */
#define THREAD_PW (2 * MAILPW_MAX) /* candidates from a thread */
#define MAIL_NAMES 24            /* attachment names in a mail's record */

bool kensa_mail_built(void)
{
#ifdef KENSA_HAVE_GMIME
    return true;
#else
    return false;
#endif
}

/* ---- probe: header structure, or mbox separators ------------------------ */

/* The length of a header field name at p (0: none), RFC 5322 ftext. */
static size_t field_name(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while(i < n && i < 76 && p[i] > 0x20 && p[i] < 0x7F && p[i] != ':')
        i++;
    return i < n && p[i] == ':' ? i : 0;
}

static bool known_field(const uint8_t *p, size_t k)
{
    static const char *const F[] = {
        "from", "to", "subject", "date", "message-id", "received",
        "return-path", "mime-version", "delivered-to", "reply-to", "cc",
        "content-type", "x-mailer", "in-reply-to", "references", "sender",
    };
    for(size_t i = 0; i < sizeof(F) / sizeof(F[0]); i++)
        if(strlen(F[i]) == k && !strncasecmp((const char *)p, F[i], k))
            return true;
    return false;
}

/*
 * A header: lines "Name: value" (continuations start with a space or a
 * tab), ended by an empty line (or the end of a short object), at least
 * two fields of which at least two are known mail fields, one of them
 * From, Received, Message-ID, Return-Path, MIME-Version or Delivered-To.
 * A log line "INFO: x" fails on the second condition, a log of such
 * lines on the empty line.
 */
static bool header_at(const uint8_t *p, size_t n)
{
    size_t i = 0, fields = 0, known = 0, strong = 0;
    while(i < n && i < 65536) {
        /* lines end in LF, CRLF or a lone CR (old Mac mail); the search
         * stays within the first 64 KiB (a 1 TB sparse log is not read) */
        size_t e = i, lim = n < 65536 ? n : 65536;
        while(e < lim && p[e] != '\n' && p[e] != '\r')
            e++;
        if(e == lim && lim < n)   /* 64 KiB of header: judge what was seen */
            return fields >= 2 && known >= 2 && strong;
        bool last = e >= n;
        size_t len = e - i;
        size_t next = e + (e + 1 < n && p[e] == '\r' && p[e + 1] == '\n' ? 2 : 1);
        if(!len)
            return fields >= 2 && known >= 2 && strong;
        if(p[i] == ' ' || p[i] == '\t') {
            if(!fields)
                return false;
        } else {
            size_t k = field_name(p + i, len);
            if(!k)
                return false;
            fields++;
            if(known_field(p + i, k)) {
                known++;
                static const char *const S[] = { "from", "received",
                    "message-id", "return-path", "mime-version",
                    "delivered-to" };
                for(size_t s = 0; s < sizeof(S) / sizeof(S[0]); s++)
                    if(strlen(S[s]) == k &&
                       !strncasecmp((const char *)p + i, S[s], k))
                        strong++;
            }
        }
        if(last)
            return fields >= 2 && known >= 2 && strong && n < 65536;
        i = next;
    }
    return i >= 65536 && fields >= 2 && known >= 2 && strong;
}

/* "From " at the start, a header on the next line: an mbox. */
static bool is_mbox(const uint8_t *p, size_t n)
{
    if(n < 6 || memcmp(p, "From ", 5))
        return false;
    const uint8_t *nl = memchr(p, '\n', n < 1024 ? n : 1024);
    if(!nl)
        return false;
    size_t off = (size_t)(nl - p) + 1;
    return header_at(p + off, n - off);
}

/* A member starting like a mail's first header field (or an mbox). */
static bool mail_container_head(const uint8_t *p, size_t n)
{
    static const char *const H[] = { "From ", "From:", "Received:",
        "Return-Path:", "Message-ID:", "MIME-Version:", "Delivered-To:" };
    if(!kensa_mail_built() || n < 5)
        return false;
    for(size_t i = 0; i < sizeof(H) / sizeof(H[0]); i++) {
        size_t k = strlen(H[i]) < n ? strlen(H[i]) : n;
        if(!strncasecmp((const char *)p, H[i], k))
            return true;
    }
    return false;
}

/* Sanitise an attachment's name (mail.h). */
void mail_clean_name(const char *name, char out[MAIL_NAME_MAX + 1])
{
    const char *b = name;
    for(const char *p = name; *p; p++)
        if(*p == '/' || *p == '\\')
            b = p + 1;
    size_t o = 0;
    for(; *b && o < MAIL_NAME_MAX; b++)
        out[o++] = ((unsigned char)*b < 0x20 || *b == 0x7F) ? '_' : *b;
    /* do not cut a UTF-8 sequence in two */
    while(o > 0 && o == MAIL_NAME_MAX && ((unsigned char)out[o - 1] & 0xC0) == 0x80)
        o--;
    if(o && o == MAIL_NAME_MAX && ((unsigned char)out[o - 1] & 0xC0) == 0xC0)
        o--;
    out[o] = '\0';
    if(!strcmp(out, ".") || !strcmp(out, ".."))
        out[0] = '\0';
}

static int mail_probe(const uint8_t *p, size_t n)
{
    if(!kensa_mail_built())
        return PROBE_NO;
    return is_mbox(p, n) || header_at(p, n) ? PROBE_HEAD : PROBE_NO;
}

#ifndef KENSA_HAVE_GMIME

bool mail_report_sealed(struct kobj *obj, const struct kensa_msg *why)
{
    (void)obj;
    (void)why;
    return false;
}

static bool mail_walk(struct kobj *obj)
{
    (void)obj;
    return false;
}

size_t kensa_mail_passwords(const void *mail, size_t len,
                            char out[][KENSA_MAIL_PASSWORD_LEN + 1],
                            size_t max)
{
    (void)mail;
    (void)len;
    (void)out;
    (void)max;
    return 0;
}

#else

/* ---- GMime ------------------------------------------------------------ */

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;
static GMimeParserOptions *popts;

/* GLib's own messages (criticals on odd input) would go to stderr; the
 * library never prints (core/engine.h), so they are dropped. */
static void quiet_log(const gchar *domain, GLogLevelFlags level,
                      const gchar *message, gpointer ud)
{
    (void)domain;
    (void)level;
    (void)message;
    (void)ud;
}

/* glibc loads an iconv module (a shared object) on iconv_open and
 * unloads it when its last descriptor closes: every text part and
 * encoded word of a Japanese mail cost a dlopen and a dlclose, a quarter
 * of a mail's parse.  One descriptor per common mail charset is opened
 * once and never closed, so their modules stay loaded (never used:
 * no thread shares them). */
static const char *const pin_cs[] = { "CP932", "SHIFT_JIS", "ISO-2022-JP",
        "ISO-2022-JP-3", "EUC-JP", "EUC-JP-MS", "WINDOWS-1252",
        "ISO-8859-15", "ISO-8859-2", "KOI8-R", "GBK", "GB18030", "BIG5",
        "EUC-KR", "UTF-7" };
static GIConv pins[sizeof(pin_cs) / sizeof(pin_cs[0])];

static void pin_charsets(void)
{
    for(size_t i = 0; i < sizeof(pin_cs) / sizeof(pin_cs[0]); i++)
        pins[i] = g_iconv_open("UTF-8", pin_cs[i]);
}

static void gmime_start(void)
{
    static const char *fallback[] = { "UTF-8", "CP932", "ISO-8859-1", NULL };
    g_log_set_default_handler(quiet_log, NULL);
    g_mime_init();
    pin_charsets();
    popts = g_mime_parser_options_new();
    g_mime_parser_options_set_rfc2047_compliance_mode(popts,
        GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_parameter_compliance_mode(popts,
        GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_address_compliance_mode(popts,
        GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_fallback_charsets(popts, fallback);
}

void mail_init(void);
void mail_init(void)
{
    pthread_once(&gmime_once, gmime_start);
}

static GMimeMessage *parse(const uint8_t *p, size_t n)
{
    mail_init();
    GMimeStream *st = g_mime_stream_mem_new_with_buffer((const char *)p, n);
    GMimeParser *ps = g_mime_parser_new_with_stream(st);
    g_object_unref(st);
    g_mime_parser_set_format(ps, GMIME_FORMAT_MESSAGE);
    GMimeMessage *m = g_mime_parser_construct_message(ps, popts);
    g_object_unref(ps);
    return m;
}

/* ---- text: charsets, HTML, passwords ---------------------------------- */

/* iconv names to try for a declared charset: Windows' readings of the
 * Japanese ones first (what the sender's mail program wrote). */
static void charset_names(const char *cs, const char *out[3])
{
    out[0] = out[1] = out[2] = NULL;
    if(!cs || !*cs) {
        out[0] = "UTF-8";
        out[1] = "CP932";
        return;
    }
    if(!g_ascii_strcasecmp(cs, "shift_jis") || !g_ascii_strcasecmp(cs, "sjis") ||
       !g_ascii_strcasecmp(cs, "x-sjis") || !g_ascii_strcasecmp(cs, "windows-31j") ||
       !g_ascii_strcasecmp(cs, "cp932") || !g_ascii_strcasecmp(cs, "ms_kanji")) {
        out[0] = "CP932";
        out[1] = "SHIFT_JIS";
    } else if(!g_ascii_strncasecmp(cs, "iso-2022-jp", 11)) {
        out[0] = "ISO-2022-JP-3";
        out[1] = "ISO-2022-JP";
        out[2] = "CP932";
    } else if(!g_ascii_strcasecmp(cs, "euc-jp") || !g_ascii_strcasecmp(cs, "x-euc-jp")) {
        out[0] = "EUC-JP-MS";
        out[1] = "EUC-JP";
    } else {
        out[0] = g_mime_charset_iconv_name(cs);
        out[1] = "UTF-8";
    }
}

/* p[0..n) in charset cs as UTF-8 (g_free), NULL when nothing converts. */
static char *to_utf8(const char *p, size_t n, const char *cs)
{
    const char *names[3];
    if(!p || !n)
        return NULL;
    charset_names(cs, names);
    for(int i = 0; i < 3 && names[i]; i++) {
        gsize w = 0;
        if(!g_ascii_strcasecmp(names[i], "UTF-8")) {
            if(g_utf8_validate(p, (gssize)n, NULL))
                return g_strndup(p, n);
            continue;
        }
        char *s = g_convert(p, (gssize)n, "UTF-8", names[i], NULL, &w, NULL);
        if(s)
            return s;
    }
    /* last resort: what converts, with '?' for the rest */
    gsize w = 0;
    return g_convert_with_fallback(p, (gssize)n, "UTF-8",
                                   names[0] ? names[0] : "ISO-8859-1", "?",
                                   NULL, &w, NULL);
}

/* HTML to text for the password search, in place: tags become spaces,
 * a few entities their characters. */
static size_t html_text(char *s, size_t n)
{
    size_t o = 0;
    for(size_t i = 0; i < n; i++) {
        if(s[i] == '<') {
            while(i < n && s[i] != '>')
                i++;
            s[o++] = '\n';
            continue;
        }
        if(s[i] == '&') {
            static const struct { const char *e; char c; } E[] = {
                { "&nbsp;", ' ' }, { "&amp;", '&' }, { "&lt;", '<' },
                { "&gt;", '>' }, { "&quot;", '"' }, { "&#39;", '\'' },
            };
            bool done = false;
            for(size_t k = 0; k < sizeof(E) / sizeof(E[0]) && !done; k++) {
                size_t el = strlen(E[k].e);
                if(n - i >= el && !memcmp(s + i, E[k].e, el)) {
                    s[o++] = E[k].c;
                    i += el - 1;
                    done = true;
                }
            }
            if(done)
                continue;
        }
        s[o++] = s[i];
    }
    return o;
}

/* ---- one message ------------------------------------------------------- */

/* What a message says of itself, for its attachments' context. */
struct minfo {
    char *msgid, *from, *from_name, *subject, *date;
    char *to[MAIL_ADDRS];
    size_t nto;
};

static void minfo_free(struct minfo *mi)
{
    g_free(mi->msgid);
    g_free(mi->from);
    g_free(mi->from_name);
    g_free(mi->subject);
    g_free(mi->date);
    for(size_t i = 0; i < mi->nto; i++)
        g_free(mi->to[i]);
}

/* The mailboxes of a list, groups flattened, into out (bounded). */
static void addrs(InternetAddressList *l, char **out, size_t *n, size_t max,
                  char **name, int depth)
{
    if(!l || depth > 4)
        return;
    int len = internet_address_list_length(l);
    for(int i = 0; i < len && *n < max; i++) {
        InternetAddress *a = internet_address_list_get_address(l, i);
        if(INTERNET_ADDRESS_IS_MAILBOX(a)) {
            const char *ad = internet_address_mailbox_get_addr(
                INTERNET_ADDRESS_MAILBOX(a));
            if(!ad || !*ad)
                continue;
            if(name && !*name && internet_address_get_name(a))
                *name = g_strdup(internet_address_get_name(a));
            out[(*n)++] = g_ascii_strdown(ad, -1);
        } else if(INTERNET_ADDRESS_IS_GROUP(a)) {
            addrs(internet_address_group_get_members(
                      INTERNET_ADDRESS_GROUP(a)), out, n, max, name, depth + 1);
        }
    }
}

static void minfo_read(GMimeMessage *m, struct minfo *mi)
{
    memset(mi, 0, sizeof(*mi));
    const char *id = g_mime_message_get_message_id(m);
    if(id && *id)
        mi->msgid = g_strndup(id, 256);
    const char *sub = g_mime_message_get_subject(m);
    if(sub && *sub)
        mi->subject = g_strndup(sub, 512);
    char *from[1];
    size_t nf = 0;
    addrs(g_mime_message_get_from(m), from, &nf, 1, &mi->from_name, 0);
    if(nf)
        mi->from = from[0];
    addrs(g_mime_message_get_to(m), mi->to, &mi->nto, MAIL_ADDRS, NULL, 0);
    GDateTime *dt = g_mime_message_get_date(m);
    if(dt) {
        GDateTime *u = g_date_time_to_utc(dt);
        if(u) {
            mi->date = g_date_time_format(u, "%Y-%m-%dT%H:%M:%SZ");
            g_date_time_unref(u);
        }
    }
}

/* The walk of one message. */
struct mwalk {
    struct kobj *obj;
    struct minfo mi;
    struct mailpw pw;      /* found in this message's text */
    size_t parts, attachments, partial;
    bool stop;
    /* the attachments' names, for the mail's own finding */
    GString *names;
    char *name_v[MAIL_NAMES];
    size_t nnames;
};

static bool is_text_body(GMimeObject *o)
{
    GMimeContentType *ct = g_mime_object_get_content_type(o);
    if(!ct || !g_mime_content_type_is_type(ct, "text", "*"))
        return false;
    GMimeContentDisposition *cd = g_mime_object_get_content_disposition(o);
    if(cd && g_mime_content_disposition_is_attachment(cd))
        return false;
    return !g_mime_part_get_filename(GMIME_PART(o));
}

/* The decoded bytes of a part (g_byte_array_unref), not charged. */
static GByteArray *part_raw(GMimePart *part)
{
    GMimeDataWrapper *dw = g_mime_part_get_content(part);
    if(!dw)
        return NULL;
    GMimeStream *out = g_mime_stream_mem_new();
    g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(out), FALSE);
    g_mime_data_wrapper_write_to_stream(dw, out);
    GByteArray *ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
    g_object_unref(out);
    return ba;
}

/* The decoded bytes of a part (g_byte_array_unref), charged. */
static GByteArray *part_bytes(struct mwalk *w, GMimePart *part)
{
    GByteArray *ba = part_raw(part);
    if(ba && w->obj && !ctx_charge(w->obj->ctx, w->obj->path, ba->len)) {
        g_byte_array_unref(ba);
        w->stop = true;
        return NULL;
    }
    return ba;
}

static void text_passwords(struct mwalk *w, GMimePart *part)
{
    GByteArray *ba = part_bytes(w, part);
    if(!ba)
        return;
    GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(part));
    const char *cs = g_mime_content_type_get_parameter(ct, "charset");
    size_t n = ba->len < MAIL_TEXT_MAX ? ba->len : MAIL_TEXT_MAX;
    char *t = to_utf8((const char *)ba->data, n, cs);
    g_byte_array_unref(ba);
    if(!t)
        return;
    size_t tl = strlen(t);
    if(g_mime_content_type_is_type(ct, "text", "html"))
        tl = html_text(t, tl);
    mailpw_scan(&w->pw, t, tl);
    g_free(t);
}

/* Pass 1: the passwords in the text parts (not those of attached
 * messages, which get their own walk). */
static void collect(struct mwalk *w, GMimeObject *o, int depth)
{
    if(!o || depth > MAIL_DEPTH || w->stop)
        return;
    if(GMIME_IS_MULTIPART(o)) {
        int n = g_mime_multipart_get_count(GMIME_MULTIPART(o));
        for(int i = 0; i < n && i < MAIL_PARTS; i++)
            collect(w, g_mime_multipart_get_part(GMIME_MULTIPART(o), i),
                    depth + 1);
    } else if(GMIME_IS_PART(o) && is_text_body(o)) {
        text_passwords(w, GMIME_PART(o));
    }
}

static void scan_attachment(struct mwalk *w, const char *name,
                            const uint8_t *p, size_t n);

/* The offset of NAME in a line "begin MODE NAME" (p[0..n), its end
 * left off), MODE three or four octal digits; 0 when it is no such line. */
static size_t uu_begin(const char *p, size_t n)
{
    size_t i = 6, d = 0;
    if(n < 10 || memcmp(p, "begin ", 6))
        return 0;
    while(i < n && d < 4 && p[i] >= '0' && p[i] <= '7') {
        i++;
        d++;
    }
    if(d < 3 || i + 1 >= n || p[i] != ' ')
        return 0;
    return i + 1;
}

/* The end of the line at t[i..n): *next is past its LF, the return value
 * the offset of its end without CR LF. */
static size_t line_end(const char *t, size_t i, size_t n, size_t *next)
{
    const char *nl = memchr(t + i, '\n', n - i);
    size_t e = nl ? (size_t)(nl - t) : n;
    *next = nl ? e + 1 : n;
    return e > i && t[e - 1] == '\r' ? e - 1 : e;
}

/* uuencoded files in a text part ("begin 644 name" ... "end", without a
 * uuencode Content-Transfer-Encoding): each decoded by GMime's uudecoder
 * and scanned as an attachment named by its begin line, at most
 * MAIL_UU_MAX of a part.  The text was charged by pass 1; each file's
 * decoded bytes are charged here. */
static void uu_files(struct mwalk *w, GMimePart *part)
{
    struct kctx *c = w->obj->ctx;
    GByteArray *ba = part_raw(part);
    if(!ba)
        return;
    const char *t = (const char *)ba->data;
    size_t n = ba->len, i = 0, found = 0;
    while(i < n && !w->stop) {
        size_t next, le = line_end(t, i, n, &next);
        size_t nm = uu_begin(t + i, le - i);
        if(!nm) {
            i = next;
            continue;
        }
        if(found == MAIL_UU_MAX) {
            char nb[24];
            ctx_warn(c, w->obj->path, KENSA_ELIMIT, KMSG_MAIL_UU_LIMIT,
                     kmsg_u64(nb, MAIL_UU_MAX));
            break;
        }
        char raw[MAIL_NAME_MAX + 1], name[MAIL_NAME_MAX + 1];
        size_t rl = le - i - nm < MAIL_NAME_MAX ? le - i - nm : MAIL_NAME_MAX;
        memcpy(raw, t + i + nm, rl);
        raw[rl] = '\0';
        mail_clean_name(raw, name);
        found++;
        if(!name[0])
            snprintf(name, sizeof(name), "uuencoded[%zu]", found);
        /* the block: up to a line "end" (or the end of the text) */
        size_t start = next, stop = next;
        while(stop < n) {
            size_t nx, e = line_end(t, stop, n, &nx);
            if(e - stop == 3 && !memcmp(t + stop, "end", 3))
                break;
            stop = nx;
        }
        i = stop;
        uint8_t *in = g_malloc(stop - start + 4), *out = g_malloc(stop - start + 4);
        size_t k = 0;
        for(size_t j = start; j < stop; j++)
            if(t[j] != '\r')
                in[k++] = (uint8_t)t[j];
        int state = GMIME_UUDECODE_STATE_BEGIN;
        guint32 save = 0;
        size_t len = g_mime_encoding_uudecode_step(in, k, out, &state, &save);
        g_free(in);
        if(ctx_count_entry(c, w->obj->path) &&
           ctx_charge(c, w->obj->path, len))
            scan_attachment(w, name, out, len);
        else
            w->stop = true;
        g_free(out);
    }
    g_byte_array_unref(ba);
}

/* Pass 2: every attachment. */
static void attachments(struct mwalk *w, GMimeObject *o, int depth)
{
    struct kctx *c = w->obj->ctx;
    char nb[24];
    if(!o || w->stop)
        return;
    if(depth > MAIL_DEPTH) {
        ctx_warn(c, w->obj->path, KENSA_ELIMIT, KMSG_MAIL_DEPTH,
                 kmsg_u64(nb, MAIL_DEPTH));
        w->stop = true;
        return;
    }
    if(++w->parts > MAIL_PARTS) {
        ctx_warn(c, w->obj->path, KENSA_ELIMIT, KMSG_MAIL_PARTS,
                 kmsg_u64(nb, MAIL_PARTS));
        w->stop = true;
        return;
    }
    if(GMIME_IS_MULTIPART(o)) {
        int n = g_mime_multipart_get_count(GMIME_MULTIPART(o));
        for(int i = 0; i < n && !w->stop; i++)
            attachments(w, g_mime_multipart_get_part(GMIME_MULTIPART(o), i),
                        depth + 1);
        return;
    }
    if(GMIME_IS_MESSAGE_PARTIAL(o)) {
        GMimeMessagePartial *mp = GMIME_MESSAGE_PARTIAL(o);
        if(kobj_attr(w->obj, "kensa.mail.partial_joined"))
            return;   /* its set is reassembled by the mbox walk */
        char n1[24], n2[24];
        int num = g_mime_message_partial_get_number(mp);
        int tot = g_mime_message_partial_get_total(mp);
        ctx_warn(c, w->obj->path, KENSA_EUNSUPPORTED, KMSG_MAIL_PARTIAL,
                 kmsg_u64(n1, num > 0 ? (uint64_t)num : 0),
                 kmsg_u64(n2, tot > 0 ? (uint64_t)tot : 0));
        w->partial++;
        return;
    }
    if(GMIME_IS_MESSAGE_PART(o)) {
        /* an attached message: scanned as a mail of its own, named by
         * its file name when it has one */
        GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
        const char *fn = g_mime_object_get_content_disposition_parameter(o,
                                                                 "filename");
        if(!fn)
            fn = g_mime_object_get_content_type_parameter(o, "name");
        char name[MAIL_NAME_MAX + 1] = "";
        if(fn)
            mail_clean_name(fn, name);
        if(!name[0])
            snprintf(name, sizeof(name), "message[%zu].eml", w->parts);
        if(!ctx_count_entry(c, w->obj->path)) {
            w->stop = true;
            return;
        }
        if(!m) {
            scan_attachment(w, name, (const uint8_t *)"", 0);
            return;
        }
        GMimeStream *out = g_mime_stream_mem_new();
        g_mime_object_write_to_stream(GMIME_OBJECT(m), NULL, out);
        GByteArray *ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
        if(ba && ctx_charge(c, w->obj->path, ba->len))
            scan_attachment(w, name, ba->data, ba->len);
        g_object_unref(out);
        return;
    }
    if(GMIME_IS_PART(o) && is_text_body(o)) {
        uu_files(w, GMIME_PART(o));
        return;
    }
    if(!GMIME_IS_PART(o))
        return;
    GMimePart *part = GMIME_PART(o);
    const char *fn = g_mime_part_get_filename(part);
    char name[MAIL_NAME_MAX + 1] = "";
    if(fn)
        mail_clean_name(fn, name);
    if(!name[0])
        snprintf(name, sizeof(name), "part[%zu]", w->parts);
    /* a TNEF attachment (winmail.dat) is opened by its format
     * (formats/tnef.c) like any container */
    if(!ctx_count_entry(c, w->obj->path)) {
        w->stop = true;
        return;
    }
    GByteArray *ba = part_bytes(w, part);
    if(!ba)
        return;
    scan_attachment(w, name, ba->data, ba->len);
    g_byte_array_unref(ba);
}

/* The context every attachment of the mail carries: the passwords of its
 * text in front of those it inherited, then the mail, marked for
 * findings. */
#define CTX_NODES (MAILPW_MAX + 8 + MAIL_ADDRS)

static void scan_attachment(struct mwalk *w, const char *name,
                            const uint8_t *p, size_t n)
{
    struct kobj *obj = w->obj;
    const struct minfo *mi = &w->mi;
    struct kctxattr nodes[CTX_NODES];
    struct kensa_attr fa[8 + MAIL_ADDRS];
    size_t k = 0, a = 0;
    const struct kctxattr *saved = obj->attrs, *head = saved;
    memset(nodes, 0, sizeof(nodes));
    memset(fa, 0, sizeof(fa));

#define PUSH(key_, val_, fin_, ev_) do { \
        nodes[k] = (struct kctxattr){ .key = (key_), .value = (val_), \
            .next = head, .finding = (fin_), .finding_ev = (ev_) }; \
        head = &nodes[k++]; \
    } while(0)
#define ATTR(key_, val_, flags_) (fa[a] = (struct kensa_attr){ .key = (key_), \
        .type = KENSA_ATTR_STR, .str = (val_), .flags = (flags_) }, &fa[a++])

    /* the mail, nearest last so that findings list it in this order */
    const char *ev_args[4] = { mi->from ? mi->from : "?",
                               mi->nto ? mi->to[0] : "?",
                               mi->subject ? mi->subject : "",
                               mi->date ? mi->date : "?" };
    struct kensa_msg ev = { .id = kmsg_key(KMSG_MAIL_EV_FROM),
                            .args = ev_args, .nargs = 4 };
    for(size_t i = mi->nto; i-- > 0;)
        PUSH("email.to.address", mi->to[i],
             ATTR("email.to.address", mi->to[i], KENSA_ATTR_LIST), NULL);
    if(mi->date)
        PUSH("email.origination_timestamp", mi->date,
             ATTR("email.origination_timestamp", mi->date, 0), NULL);
    if(mi->subject)
        PUSH("email.subject", mi->subject,
             ATTR("email.subject", mi->subject, KENSA_ATTR_SHOW), NULL);
    if(mi->msgid)
        PUSH("email.message_id", mi->msgid,
             ATTR("email.message_id", mi->msgid, 0), NULL);
    PUSH("email.from.address", mi->from ? mi->from : "",
         mi->from ? ATTR("email.from.address", mi->from, KENSA_ATTR_SHOW) : NULL,
         &ev);
    PUSH("kensa.mail.attachment", name, NULL, NULL);
    /* this mail's own candidates first (not repeating inherited ones) */
    for(size_t i = w->pw.n; i-- > 0;) {
        bool dup = false;
        for(const struct kctxattr *q = kobj_attr_next(obj, NULL, "password");
            q && !dup; q = kobj_attr_next(obj, q, "password"))
            dup = !strcmp(q->value, w->pw.v[i]);
        if(dup || k >= CTX_NODES)
            continue;
        nodes[k] = (struct kctxattr){ .key = "password", .value = w->pw.v[i],
                                      .next = head, .origin = "" };
        head = &nodes[k++];
    }
#undef PUSH
#undef ATTR
    obj->attrs = head;
    w->attachments++;
    if(w->names->len < 4096)
        g_string_append_printf(w->names, "%s%s", w->names->len ? ", " : "",
                               name);
    if(w->nnames < MAIL_NAMES)
        w->name_v[w->nnames++] = g_strdup(name);
    object_scan_child(obj, name, p, n);
    obj->attrs = saved;
}

/* Whether the mail's own verdicts are wanted: they run as a detector
 * without a bit of its own would (KENSA_DETECT_OTHER), so a front end
 * that names its detectors (kensa log4j, kensa logs) gets warnings for
 * encrypted attachments and no mail records. */
static bool mail_judges(const struct kctx *c)
{
    return (c->s->opts.detectors & KENSA_DETECT_OTHER) != 0;
}

/* The mail's own finding: the worst of what its attachments gave. */
static void mail_verdict(struct mwalk *w, uint64_t findings, int worst_sev,
                         enum kensa_verdict worst, bool inventory)
{
    const struct minfo *mi = &w->mi;
    char nf[24];
    GString *to = g_string_new(NULL);
    for(size_t i = 0; i < mi->nto; i++)
        g_string_append_printf(to, "%s%s", i ? ", " : "", mi->to[i]);
    const char *args[6] = { mi->from ? mi->from : "?", to->str,
                            mi->subject ? mi->subject : "",
                            kensa_verdict_name(worst), kmsg_u64(nf, findings),
                            w->names->str };
    struct kensa_attr at[8 + MAIL_ADDRS];
    size_t a = 0;
#define ATTR(key_, val_, flags_) at[a++] = (struct kensa_attr){ .key = (key_), \
        .type = KENSA_ATTR_STR, .str = (val_), .flags = (flags_) }
    if(mi->from)
        ATTR("email.from.address", mi->from, KENSA_ATTR_SHOW);
    for(size_t i = 0; i < mi->nto; i++)
        ATTR("email.to.address", mi->to[i], KENSA_ATTR_LIST);
    if(mi->subject)
        ATTR("email.subject", mi->subject, KENSA_ATTR_SHOW);
    if(mi->msgid)
        ATTR("email.message_id", mi->msgid, 0);
    if(mi->date)
        ATTR("email.origination_timestamp", mi->date, 0);
    for(size_t i = 0; i < w->nnames; i++)
        ATTR("email.attachments.file.name", w->name_v[i], KENSA_ATTR_LIST);
#undef ATTR
    struct kensa_msg ev[2];
    size_t ne = 0;
    ev[ne++] = (struct kensa_msg){ .id = kmsg_key(KMSG_MAIL_EV_ATTACH),
                                   .args = args + 3, .nargs = 3 };
    /* the business-partner lure (docs/DESIGN.md, "Mail") */
    char lure_name[128] = "", lure_dom[128] = "";
    const char *lure_args[2] = { lure_name, lure_dom };
    if(mi->from && mi->from_name) {
        const char *at_ = strrchr(mi->from, '@');
        if(at_) {
            snprintf(lure_dom, sizeof(lure_dom), "%s", at_ + 1);
            /* a display name naming a company, and no word of the
             * sending domain's first label in it */
            static const char *const CO[] = { "株式会社", "(株)", "（株）",
                "有限会社", "Inc", "Corp", "Co.,", "Ltd", "LLC", "GmbH" };
            bool company = false;
            for(size_t i = 0; i < sizeof(CO) / sizeof(CO[0]); i++)
                company |= strstr(mi->from_name, CO[i]) != NULL;
            char label[64];
            snprintf(label, sizeof(label), "%.*s",
                     (int)strcspn(lure_dom, "."), lure_dom);
            char *lname = g_ascii_strdown(mi->from_name, -1);
            if(company && strlen(label) >= 3 && !strstr(lname, label)) {
                snprintf(lure_name, sizeof(lure_name), "%s", mi->from_name);
                ev[ne++] = (struct kensa_msg){
                    .id = kmsg_key(KMSG_MAIL_EV_LURE),
                    .args = lure_args, .nargs = 2 };
            }
            g_free(lname);
        }
    }
    if(inventory) {
        /* --all: what the mail is and holds, as a state record */
        struct kensa_finding f = {
            .detector = "mail",
            .threat = KENSA_THREAT_FLAGPRO,
            .rule = "mail.inventory",
            .verdict = KENSA_VERDICT_NONE,
            .severity = KENSA_SEV_INFO,
            .kind = KENSA_KIND_STATE,
            .message = { .id = kmsg_key(KMSG_MAIL_INVENTORY), .args = args,
                         .nargs = 6 },
            .attrs = at, .n_attrs = a,
        };
        ctx_report(w->obj, &f);
        g_string_free(to, TRUE);
        return;
    }
    struct kensa_finding f = {
        .detector = "mail",
        .threat = KENSA_THREAT_FLAGPRO,
        .rule = "mail.attachments",
        .verdict = worst,
        .severity = (enum kensa_severity)(worst_sev - 1),
        .message = { .id = kmsg_key(KMSG_MAIL_VERDICT), .args = args,
                     .nargs = 6 },
        .evidence = ev, .n_evidence = ne,
        .attrs = at, .n_attrs = a,
    };
    ctx_report(w->obj, &f);
    g_string_free(to, TRUE);
}

/* A folder's message/partial set, for its first fragment's walk. */
#define PARTIAL_MAX 64           /* fragments of one message */
struct fpartial {
    bool joined;               /* obj's whole set is in its folder */
    size_t k;                  /* obj is its first fragment: the files */
    char *path[PARTIAL_MAX];   /* (g_free) */
    GString *list;             /* their names, for the evidence */
};

static size_t folder_passwords(struct kobj *obj, char pw[][MAILPW_LEN + 1],
                               char origin[][64], size_t max,
                               struct fpartial *fp);
static void folder_join(struct kobj *obj, struct fpartial *fp);

/* Walk one message: passwords first, then attachments, then the mail's
 * own verdict. */
static void walk_message(struct kobj *obj, const uint8_t *p, size_t n)
{
    struct kctx *c = obj->ctx;
    char nb[24];
    if(n > MAIL_MAX) {
        ctx_warn(c, obj->path, KENSA_ELIMIT, KMSG_MAIL_TOO_LARGE,
                 kmsg_u64(nb, MAIL_MAX));
        return;
    }
    /* lines ending in a lone CR (old Mac mail programs): GMime knows LF
     * and CRLF only, so a copy with LF (the same size) is parsed */
    char *lf = NULL;
    size_t head = n < 65536 ? n : 65536;
    if(!memchr(p, '\n', head) && memchr(p, '\r', head)) {
        lf = g_malloc(n ? n : 1);
        for(size_t i = 0; i < n; i++)
            lf[i] = p[i] == '\r' ? '\n' : (char)p[i];
        p = (const uint8_t *)lf;
    }
    GMimeMessage *m = parse(p, n);
    g_free(lf);   /* GMime copied what it keeps */
    if(!m) {
        ctx_warn(c, obj->path, KENSA_EFORMAT, KMSG_MAIL_PARSE);
        return;
    }
    struct mwalk w = { .obj = obj, .names = g_string_new(NULL) };
    minfo_read(m, &w.mi);
    GMimeObject *body = g_mime_message_get_mime_part(m);
    collect(&w, body, 0);
    w.stop = false;

    /* the thread's candidates from the other files of a Maildir or an
     * .eml folder, behind this mail's own and in front of the rest */
    char tpw[THREAD_PW][MAILPW_LEN + 1], torigin[THREAD_PW][64];
    struct kctxattr tnodes[THREAD_PW];
    struct fpartial fp;
    size_t nt = folder_passwords(obj, tpw, torigin, THREAD_PW, &fp);
    const struct kctxattr *saved_attrs = obj->attrs;
    struct kctxattr joined = { .key = "kensa.mail.partial_joined",
                               .value = "1", .next = obj->attrs };
    if(fp.joined)
        obj->attrs = &joined;
    for(size_t i = 0; i < nt; i++) {
        tnodes[i] = (struct kctxattr){ .key = "password", .value = tpw[i],
                                       .origin = torigin[i],
                                       .next = obj->attrs };
        obj->attrs = &tnodes[i];
    }

    uint64_t f0 = c->findings;
    int s0 = c->worst_sev;
    enum kensa_verdict v0 = c->worst_verdict;
    c->worst_sev = 0;
    c->worst_verdict = KENSA_VERDICT_NONE;
    attachments(&w, body, 0);
    folder_join(obj, &fp);
    obj->attrs = saved_attrs;
    uint64_t mine = c->findings - f0;
    int ms = c->worst_sev;
    enum kensa_verdict mv = c->worst_verdict;
    if(!mail_judges(c))
        ;   /* kensa log4j, kensa logs: their findings only */
    else if(mine && ms && mv != KENSA_VERDICT_NONE)   /* not state records alone */
        mail_verdict(&w, mine, ms, mv, false);
    else if(c->s->opts.report_patched)
        mail_verdict(&w, 0, 0, KENSA_VERDICT_NONE, true);
    if(s0 > c->worst_sev) {
        c->worst_sev = s0;
        c->worst_verdict = v0;
    }
    minfo_free(&w.mi);
    g_string_free(w.names, TRUE);
    for(size_t i = 0; i < w.nnames; i++)
        g_free(w.name_v[i]);
    g_object_unref(m);
}

/* ---- mbox: threads, then messages -------------------------------------- */

struct mmsg {
    size_t off, len;
    uint64_t id, pair;
    uint64_t refs[8];
    size_t nrefs;
    size_t parent;         /* union-find */
    /* a message/partial fragment: its id's hash, number, total (0: not
     * one, or not given); joined: its whole set is in the mbox */
    uint64_t pid;
    int pno, ptotal;
    bool joined;
};

struct hidx {
    uint64_t h;
    size_t i;
};

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for(; s && *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h | 1;   /* 0 stays "none" */
}

static int cmp_h(const void *a, const void *b)
{
    const struct hidx *x = a, *y = b;
    return x->h < y->h ? -1 : x->h > y->h;
}

static size_t find_root(struct mmsg *v, size_t i)
{
    while(v[i].parent != i) {
        v[i].parent = v[v[i].parent].parent;
        i = v[i].parent;
    }
    return i;
}

static void unite(struct mmsg *v, size_t a, size_t b)
{
    a = find_root(v, a);
    b = find_root(v, b);
    if(a != b)
        v[a > b ? a : b].parent = a < b ? a : b;
}

/* The messages of an mbox: after each "From " line that starts a line.
 * mapped: p is a file mapping, whose pages are let go once read (the
 * mailbox is read in order, so memory is bounded by the largest message,
 * not the mailbox). */
static size_t mbox_split(const uint8_t *p, size_t n, struct mmsg **out,
                         size_t max, bool mapped)
{
    size_t cap = 0, cnt = 0;
    struct mmsg *v = NULL;
    size_t i = 0;
    while(i < n && cnt < max) {
        /* i is at a "From " line */
        const uint8_t *nl = memchr(p + i, '\n', n - i);
        if(!nl)
            break;
        size_t start = (size_t)(nl - p) + 1, e = start;
        for(;;) {
            const uint8_t *q = memchr(p + e, '\n', n - e);
            if(!q) {
                e = n;
                break;
            }
            e = (size_t)(q - p) + 1;
            if(n - e >= 5 && !memcmp(p + e, "From ", 5))
                break;
        }
        if(cnt == cap) {
            size_t nc = cap ? cap * 2 : 64;
            struct mmsg *nv = realloc(v, nc * sizeof(*v));
            if(!nv)
                break;
            v = nv;
            cap = nc;
        }
        v[cnt] = (struct mmsg){ .off = start, .len = e - start,
                                .parent = cnt };
        cnt++;
        if(mapped)
            drop_mapped(p + i, e - i);
        i = e;
    }
    *out = v;
    return cnt;
}

/* Pass 1 over an mbox: each message's thread keys and passwords. */
static void mbox_keys(struct kobj *obj, const uint8_t *p, struct mmsg *mm,
                      struct mailpw **pw)
{
    if(mm->len > MAIL_MAX)
        return;
    GMimeMessage *m = parse(p, mm->len);
    if(!m)
        return;
    struct mwalk w = { .obj = obj };
    minfo_read(m, &w.mi);
    mm->id = w.mi.msgid ? fnv(w.mi.msgid) : 0;
    GString *pair = g_string_new(w.mi.from);
    for(size_t i = 0; i < w.mi.nto; i++)
        g_string_append_printf(pair, "|%s", w.mi.to[i]);
    mm->pair = w.mi.from && w.mi.nto ? fnv(pair->str) : 0;
    g_string_free(pair, TRUE);
    static const char *const H[] = { "In-Reply-To", "References" };
    for(int h = 0; h < 2; h++) {
        const char *v = g_mime_object_get_header(GMIME_OBJECT(m), H[h]);
        if(!v)
            continue;
        GMimeReferences *r = g_mime_references_parse(popts, v);
        if(!r)
            continue;
        int rn = g_mime_references_length(r);
        for(int i = 0; i < rn && mm->nrefs < 8; i++)
            mm->refs[mm->nrefs++] = fnv(g_mime_references_get_message_id(r, i));
        g_mime_references_free(r);
    }
    GMimeObject *top = g_mime_message_get_mime_part(m);
    if(top && GMIME_IS_MESSAGE_PARTIAL(top)) {
        GMimeMessagePartial *mp = GMIME_MESSAGE_PARTIAL(top);
        const char *pid = g_mime_message_partial_get_id(mp);
        mm->pid = pid && *pid ? fnv(pid) : 0;
        mm->pno = g_mime_message_partial_get_number(mp);
        mm->ptotal = g_mime_message_partial_get_total(mp);
    }
    collect(&w, top, 0);
    if(w.pw.n) {
        *pw = malloc(sizeof(**pw));
        if(*pw)
            **pw = w.pw;
    }
    minfo_free(&w.mi);
    g_object_unref(m);
}

/* Join v[0..n) into threads: the same sender to the same recipients, or
 * one naming the other in In-Reply-To/References.  ids and pairs hold
 * each message's hashes; they are sorted here. */
static void join_threads(struct mmsg *v, size_t n, struct hidx *ids,
                         struct hidx *pairs)
{
    qsort(ids, n, sizeof(*ids), cmp_h);
    qsort(pairs, n, sizeof(*pairs), cmp_h);
    for(size_t i = 1; i < n; i++)
        if(pairs[i].h && pairs[i].h == pairs[i - 1].h)
            unite(v, pairs[i].i, pairs[i - 1].i);
    for(size_t i = 0; i < n; i++)
        for(size_t r = 0; r < v[i].nrefs; r++) {
            struct hidx key = { v[i].refs[r], 0 };
            struct hidx *hit = bsearch(&key, ids, n, sizeof(*ids), cmp_h);
            if(hit && hit->h)
                unite(v, i, hit->i);
        }
}

/* ---- message/partial: a whole set in one mbox or folder, reassembled -- */

struct pidx {
    uint64_t id;
    int no;
    size_t i;
};

static int cmp_p(const void *a, const void *b)
{
    const struct pidx *x = a, *y = b;
    if(x->id != y->id)
        return x->id < y->id ? -1 : 1;
    if(x->no != y->no)
        return x->no < y->no ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* One message/partial set: its fragments' indexes, in order. */
struct pset {
    size_t k;
    size_t i[PARTIAL_MAX];
};

/*
 * The message/partial sets of v[0..n) whose every fragment is in the
 * mbox: fragments 1..K of one id (a repeated number: the first), one of
 * them giving the total K <= PARTIAL_MAX, all together at most MAIL_MAX
 * bytes, into sets[0..max).  Their fragments are marked joined.
 * Returns how many sets.
 */
static size_t partial_sets(struct mmsg *v, size_t n, struct pset *sets,
                           size_t max)
{
    size_t np = 0, ns = 0;
    for(size_t i = 0; i < n; i++)
        np += v[i].pid && v[i].pno > 0 && v[i].pno <= PARTIAL_MAX;
    struct pidx *x = np ? calloc(np, sizeof(*x)) : NULL;
    if(!x)
        return 0;
    np = 0;
    for(size_t i = 0; i < n; i++)
        if(v[i].pid && v[i].pno > 0 && v[i].pno <= PARTIAL_MAX)
            x[np++] = (struct pidx){ v[i].pid, v[i].pno, i };
    qsort(x, np, sizeof(*x), cmp_p);
    for(size_t a = 0, b; a < np && ns < max; a = b) {
        int total = 0;
        uint64_t bytes = 0;
        struct pset *ps = &sets[ns];
        ps->k = 0;
        for(b = a; b < np && x[b].id == x[a].id; b++) {
            if(x[b].no == (int)ps->k + 1) {
                ps->i[ps->k++] = x[b].i;
                bytes += v[x[b].i].len;
            }
            if(v[x[b].i].ptotal > total)
                total = v[x[b].i].ptotal;
        }
        if(total < 1 || (size_t)total != ps->k || bytes > MAIL_MAX)
            continue;
        for(size_t k = 0; k < ps->k; k++)
            v[ps->i[k]].joined = true;
        ns++;
    }
    free(x);
    return ns;
}

/* Reassemble fragments frag[0..k) (their bytes, in order; GMime's
 * reconstruction: bodies in order, the first one's headers) and scan the
 * message as member `name` of obj, with `head` as its context and the
 * reassembly (`list` names the fragments) as evidence on its findings.
 * A set GMime refuses gives the warning mail.partial. */
static void partial_join(struct kobj *obj, const uint8_t *const *frag,
                         const size_t *flen, size_t k, const char *list,
                         const char *name, const struct kctxattr *head)
{
    GMimeMessage *msgs[PARTIAL_MAX];
    GMimeMessagePartial *parts[PARTIAL_MAX];
    size_t got = 0;
    for(size_t q = 0; q < k && q < PARTIAL_MAX; q++) {
        GMimeMessage *m = parse(frag[q], flen[q]);
        GMimeObject *top = m ? g_mime_message_get_mime_part(m) : NULL;
        if(!top || !GMIME_IS_MESSAGE_PARTIAL(top)) {
            if(m)
                g_object_unref(m);
            break;
        }
        msgs[got] = m;
        parts[got++] = GMIME_MESSAGE_PARTIAL(top);
    }
    GMimeMessage *whole = got && got == k ?
        g_mime_message_partial_reconstruct_message(parts, got) : NULL;
    char nb[24];
    if(whole) {
        GMimeStream *out = g_mime_stream_mem_new();
        g_mime_object_write_to_stream(GMIME_OBJECT(whole), NULL, out);
        GByteArray *ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
        const char *args[2] = { kmsg_u64(nb, k), list };
        struct kensa_msg ev = { .id = kmsg_key(KMSG_MAIL_EV_PARTIAL),
                                .args = args, .nargs = 2 };
        struct kctxattr node = { .key = "kensa.mail.partial", .value = list,
                                 .next = head, .finding_ev = &ev };
        const struct kctxattr *saved = obj->attrs;
        obj->attrs = &node;
        if(ba && ctx_count_entry(obj->ctx, obj->path) &&
           ctx_charge(obj->ctx, obj->path, ba->len))
            object_scan_child(obj, name, ba->data, ba->len);
        obj->attrs = saved;
        g_object_unref(out);
        g_object_unref(whole);
    } else {
        char n1[24];
        ctx_warn(obj->ctx, obj->path, KENSA_EFORMAT, KMSG_MAIL_PARTIAL,
                 kmsg_u64(n1, 1), kmsg_u64(nb, k));
    }
    for(size_t i = 0; i < got; i++)
        g_object_unref(msgs[i]);
}

/* ---- folders: Maildir and .eml siblings ------------------------------- */

/*
 * A mail that is a file of a Maildir (in cur/ or new/) or an .eml file
 * gets the candidates of the other mails of its thread in the same
 * folder (both cur/ and new/ of a Maildir): the folder is read once per
 * scan (FOLDER_CACHE folders kept), each message file of at most
 * FOLDER_FILE_MAX bytes parsed for its thread keys and passwords, at
 * most FOLDER_FILES files.
 */
#define FOLDER_FILES 5000
#define FOLDER_FILE_MAX (4u << 20)
#define FOLDER_CACHE 4

struct folder {
    const struct kensa_scanner *s;
    char *dir;                 /* the Maildir, or the .eml folder */
    size_t n;
    struct mmsg *v;
    char **name;               /* file name (cur/x, new/y, z.eml) */
    struct mailpw **pw;
    struct pset *sets;         /* its complete message/partial sets */
    size_t nsets;
};

static pthread_mutex_t folder_lock = PTHREAD_MUTEX_INITIALIZER;
static struct folder fcache[FOLDER_CACHE];
static unsigned fnext;

static void folder_free(struct folder *f)
{
    for(size_t i = 0; i < f->n; i++) {
        free(f->name[i]);
        free(f->pw[i]);
    }
    free(f->name);
    free(f->pw);
    free(f->v);
    free(f->dir);
    free(f->sets);
    memset(f, 0, sizeof(*f));
}

static bool ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcasecmp(s + a - b, suf);
}

/* The bytes of the regular file at path (malloc'd, *len of them), not
 * following a link nor blocking on a FIFO, at most max bytes; NULL for
 * anything else, an empty file or an error. */
static uint8_t *read_small(const char *path, size_t max, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    struct stat st;
    if(fd < 0)
        return NULL;
    if(fstat(fd, &st) || !S_ISREG(st.st_mode) || !st.st_size ||
       (uint64_t)st.st_size > max) {
        close(fd);
        return NULL;
    }
    size_t want = (size_t)st.st_size, got = 0;
    uint8_t *buf = malloc(want);
    while(buf && got < want) {
        ssize_t r = read(fd, buf + got, want - got);
        if(r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if(!buf || !got) {
        free(buf);
        return NULL;
    }
    *len = got;
    return buf;
}

/* Read one folder's message files into f (f->dir set). */
static void folder_read(struct kobj *obj, struct folder *f, bool maildir)
{
    static const char *const SUB[] = { "cur", "new" };
    size_t cap = 0;
    for(int d = 0; d < (maildir ? 2 : 1); d++) {
        char dpath[4096];
        snprintf(dpath, sizeof(dpath), "%s%s%s", f->dir, maildir ? "/" : "",
                 maildir ? SUB[d] : "");
        DIR *dh = opendir(dpath);
        if(!dh)
            continue;
        struct dirent *de;
        while((de = readdir(dh)) && f->n < FOLDER_FILES) {
            if(de->d_name[0] == '.' || (!maildir && !ends_with(de->d_name, ".eml")))
                continue;
            char fp[4096];
            if((size_t)snprintf(fp, sizeof(fp), "%s/%s", dpath, de->d_name)
               >= sizeof(fp))
                continue;
            size_t got;
            uint8_t *buf = read_small(fp, FOLDER_FILE_MAX, &got);
            if(!buf)
                continue;
            if(f->n == cap) {
                size_t nc = cap ? cap * 2 : 32;
                struct mmsg *nv = realloc(f->v, nc * sizeof(*nv));
                if(nv)
                    f->v = nv;
                char **nn = realloc(f->name, nc * sizeof(*nn));
                if(nn)
                    f->name = nn;
                struct mailpw **np = realloc(f->pw, nc * sizeof(*np));
                if(np)
                    f->pw = np;
                if(!nv || !nn || !np) {
                    free(buf);
                    break;
                }
                cap = nc;
            }
            size_t i = f->n;
            f->v[i] = (struct mmsg){ .len = got, .parent = i };
            f->pw[i] = NULL;
            f->name[i] = malloc(strlen(de->d_name) + 5);
            if(!f->name[i]) {
                free(buf);
                break;
            }
            sprintf(f->name[i], "%s%s%s", maildir ? SUB[d] : "",
                    maildir ? "/" : "", de->d_name);
            mbox_keys(obj, buf, &f->v[i], &f->pw[i]);
            free(buf);
            f->n++;
        }
        closedir(dh);
    }
    struct hidx *ids = f->n ? calloc(f->n, sizeof(*ids)) : NULL;
    struct hidx *pairs = f->n ? calloc(f->n, sizeof(*pairs)) : NULL;
    if(ids && pairs) {
        for(size_t i = 0; i < f->n; i++) {
            ids[i] = (struct hidx){ f->v[i].id, i };
            pairs[i] = (struct hidx){ f->v[i].pair, i };
        }
        join_threads(f->v, f->n, ids, pairs);
    }
    free(ids);
    free(pairs);
    if(f->n && (f->sets = calloc(PARTIAL_MAX, sizeof(*f->sets))))
        f->nsets = partial_sets(f->v, f->n, f->sets, PARTIAL_MAX);
}

/* The candidates of the other mails of obj's thread in its folder, into
 * pw[] with their file names in origin[] (copies: the cache may change
 * once the lock is released).  Returns how many. */
static size_t folder_passwords(struct kobj *obj, char pw[][MAILPW_LEN + 1],
                               char origin[][64], size_t max,
                               struct fpartial *fp)
{
    memset(fp, 0, sizeof(*fp));
    const char *path = obj->disk_path;
    if(!path || obj->depth)
        return 0;
    const char *slash = strrchr(path, '/');
    if(!slash || slash == path)
        return 0;
    char dir[4096], self[300];
    size_t dl = (size_t)(slash - path);
    if(dl >= sizeof(dir))
        return 0;
    memcpy(dir, path, dl);
    dir[dl] = '\0';
    bool maildir = false;
    const char *sub = strrchr(dir, '/');
    if(sub && (!strcmp(sub, "/cur") || !strcmp(sub, "/new"))) {
        maildir = true;
        snprintf(self, sizeof(self), "%s/%s", sub + 1, slash + 1);
        dir[sub - dir] = '\0';
    } else if(ends_with(path, ".eml")) {
        snprintf(self, sizeof(self), "%s", slash + 1);
    } else {
        return 0;
    }
    size_t k = 0;
    pthread_mutex_lock(&folder_lock);
    struct folder *f = NULL;
    for(unsigned i = 0; i < FOLDER_CACHE && !f; i++)
        if(fcache[i].dir && fcache[i].s == obj->ctx->s &&
           !strcmp(fcache[i].dir, dir))
            f = &fcache[i];
    if(!f) {
        f = &fcache[fnext++ % FOLDER_CACHE];
        folder_free(f);
        f->s = obj->ctx->s;
        f->dir = strdup(dir);
        if(f->dir)
            folder_read(obj, f, maildir);
    }
    size_t me = f->n;
    for(size_t i = 0; i < f->n && me == f->n; i++)
        if(!strcmp(f->name[i], self))
            me = i;
    if(me < f->n) {
        size_t root = find_root(f->v, me);
        for(size_t j = 0; j < f->n && k < max; j++) {
            if(j == me || !f->pw[j] || find_root(f->v, j) != root)
                continue;
            for(size_t q = 0; q < f->pw[j]->n && k < max; q++) {
                memcpy(pw[k], f->pw[j]->v[q], sizeof(pw[k]));
                snprintf(origin[k], sizeof(origin[k]), "%s", f->name[j]);
                k++;
            }
        }
    }
    /* a message/partial fragment whose whole set is in the folder: the
     * first one reassembles it (the files' paths, copied) */
    for(size_t q = 0; me < f->n && f->v[me].joined && q < f->nsets; q++) {
        const struct pset *ps = &f->sets[q];
        bool mine = false;
        for(size_t i = 0; i < ps->k; i++)
            mine |= ps->i[i] == me;
        if(!mine)
            continue;
        fp->joined = true;
        if(ps->i[0] == me && !fp->list)
            fp->list = g_string_new(NULL);
        for(size_t i = 0; ps->i[0] == me && i < ps->k; i++) {
            fp->path[i] = g_strdup_printf("%s/%s", dir, f->name[ps->i[i]]);
            g_string_append_printf(fp->list, "%s%s", i ? ", " : "",
                                   f->name[ps->i[i]]);
            fp->k++;
        }
    }
    pthread_mutex_unlock(&folder_lock);
    return k;
}

/* The candidates of the other mails of v[i]'s thread as context nodes
 * in front of head (at most THREAD_PW, origins "msg[N]"); returns the
 * new head. */
static const struct kctxattr *thread_attrs(struct mmsg *v, size_t n,
                                           struct mailpw **pw, size_t i,
                                           struct kctxattr *nodes,
                                           char origin[][32],
                                           const struct kctxattr *head)
{
    size_t root = find_root(v, i), k = 0;
    for(size_t j = root; j < n && k < THREAD_PW; j++) {
        if(!pw[j] || j == i || find_root(v, j) != root)
            continue;
        for(size_t q = 0; q < pw[j]->n && k < THREAD_PW; q++) {
            snprintf(origin[k], sizeof(origin[k]), "msg[%zu]", j + 1);
            nodes[k] = (struct kctxattr){ .key = "password",
                .value = pw[j]->v[q], .next = head, .origin = origin[k] };
            head = &nodes[k++];
        }
    }
    return head;
}

/* The first fragment of a message/partial set all in its folder: read
 * the set's files (as folder_read does: regular, not a link, at most
 * FOLDER_FILE_MAX bytes) and reassemble them as its member "+partial". */
static void folder_join(struct kobj *obj, struct fpartial *fp)
{
    uint8_t *frag[PARTIAL_MAX];
    size_t flen[PARTIAL_MAX], got = 0;
    for(size_t i = 0; i < fp->k; i++) {
        frag[got] = read_small(fp->path[i], FOLDER_FILE_MAX, &flen[got]);
        if(!frag[got])
            break;
        got++;
    }
    if(fp->k && got == fp->k)
        partial_join(obj, (const uint8_t *const *)frag, flen, got,
                     fp->list->str, "+partial", obj->attrs);
    else if(fp->k)
        ctx_warn(obj->ctx, obj->path, KENSA_EFORMAT, KMSG_MAIL_PARTIAL,
                 "1", "?");
    for(size_t i = 0; i < got; i++)
        free(frag[i]);
    for(size_t i = 0; i < fp->k; i++)
        g_free(fp->path[i]);
    if(fp->list)
        g_string_free(fp->list, TRUE);
}

static void walk_mbox(struct kobj *obj)
{
    struct kctx *c = obj->ctx;
    const struct kensa_limits *l = &c->s->opts.limits;
    size_t max = l->max_files ? l->max_files : 100000;
    struct mmsg *v = NULL;
    struct pset *sets = NULL;
    size_t n = mbox_split(obj->data, obj->len, &v, max, obj->mapped);
    struct mailpw **pw = n ? calloc(n, sizeof(*pw)) : NULL;
    struct hidx *ids = n ? calloc(n, sizeof(*ids)) : NULL;
    struct hidx *pairs = n ? calloc(n, sizeof(*pairs)) : NULL;
    if(n && (!pw || !ids || !pairs)) {
        ctx_warn(c, obj->path, KENSA_ENOMEM, KMSG_OOM);
        goto out;
    }
    /* pass 1: the threads (Message-ID, In-Reply-To/References, or the
     * same sender to the same recipients) and their passwords */
    for(size_t i = 0; i < n; i++) {
        mbox_keys(obj, obj->data + v[i].off, &v[i], &pw[i]);
        if(obj->mapped)
            drop_mapped(obj->data + v[i].off, v[i].len);
        ids[i] = (struct hidx){ v[i].id, i };
        pairs[i] = (struct hidx){ v[i].pair, i };
        if(!ctx_charge(c, obj->path, 0))
            goto out;
    }
    join_threads(v, n, ids, pairs);
    sets = calloc(PARTIAL_MAX, sizeof(*sets));
    size_t nsets = sets ? partial_sets(v, n, sets, PARTIAL_MAX) : 0;
    /* pass 2: each message, with the candidates of its whole thread
     * (its own come first again from its own walk) */
    for(size_t i = 0; i < n; i++) {
        struct kctxattr nodes[THREAD_PW], joined = {
            .key = "kensa.mail.partial_joined", .value = "1" };
        char origin[THREAD_PW][32];
        const struct kctxattr *head = thread_attrs(v, n, pw, i, nodes,
                                                   origin, obj->attrs);
        char name[40];
        snprintf(name, sizeof(name), "msg[%zu]", i + 1);
        const struct kctxattr *saved = obj->attrs;
        if(v[i].joined) {
            joined.next = head;
            head = &joined;
        }
        obj->attrs = head;
        object_scan_child(obj, name, obj->data + v[i].off, v[i].len);
        obj->attrs = saved;
        if(obj->mapped)
            drop_mapped(obj->data + v[i].off, v[i].len);
        if(!ctx_charge(c, obj->path, 0))
            goto out;
    }
    /* then each message sent in fragments, whole */
    for(size_t s = 0; s < nsets; s++) {
        struct kctxattr nodes[THREAD_PW];
        char origin[THREAD_PW][32];
        const uint8_t *frag[PARTIAL_MAX];
        size_t flen[PARTIAL_MAX];
        GString *list = g_string_new(NULL);
        for(size_t q = 0; q < sets[s].k; q++) {
            size_t j = sets[s].i[q];
            frag[q] = obj->data + v[j].off;
            flen[q] = v[j].len;
            g_string_append_printf(list, "%smsg[%zu]", q ? ", " : "", j + 1);
        }
        char name[48];
        snprintf(name, sizeof(name), "msg[%zu]+partial", sets[s].i[0] + 1);
        partial_join(obj, frag, flen, sets[s].k, list->str, name,
                     thread_attrs(v, n, pw, sets[s].i[0], nodes, origin,
                                  obj->attrs));
        g_string_free(list, TRUE);
        if(!ctx_charge(c, obj->path, 0))
            break;
    }
out:
    free(sets);
    if(pw)
        for(size_t i = 0; i < n; i++)
            free(pw[i]);
    free(pw);
    free(ids);
    free(pairs);
    free(v);
}

size_t kensa_mail_passwords(const void *mail, size_t len,
                            char out[][KENSA_MAIL_PASSWORD_LEN + 1],
                            size_t max)
{
    /* no scan object: nothing charged, bounded by MAIL_MAX and the
     * per-part MAIL_TEXT_MAX alone */
    if(!mail || !out || !max || len > MAIL_MAX)
        return 0;
    GMimeMessage *m = parse(mail, len);
    if(!m)
        return 0;
    struct mwalk w = { .obj = NULL };
    collect(&w, g_mime_message_get_mime_part(m), 0);
    g_object_unref(m);
    size_t n = 0;
    for(; n < w.pw.n && n < max; n++)
        snprintf(out[n], KENSA_MAIL_PASSWORD_LEN + 1, "%s", w.pw.v[n]);
    return n;
}

static bool mail_walk(struct kobj *obj)
{
    if(is_mbox(obj->data, obj->len))
        walk_mbox(obj);
    else
        walk_message(obj, obj->data, obj->len);
    return true;
}

bool mail_report_sealed(struct kobj *obj, const struct kensa_msg *why)
{
    const char *att = kobj_attr(obj, "kensa.mail.attachment");
    if(!att || !mail_judges(obj->ctx))
        return false;
    const char *args[1] = { obj->name };
    struct kensa_finding f = {
        .detector = "mail",
        .threat = KENSA_THREAT_FLAGPRO,
        .rule = "mail.encrypted_unopened",
        .verdict = KENSA_VERDICT_SUSPICIOUS,
        .severity = KENSA_SEV_MEDIUM,
        .message = { .id = kmsg_key(KMSG_MAIL_SEALED), .args = args,
                     .nargs = 1 },
        .evidence = why, .n_evidence = 1,
    };
    ctx_report(obj, &f);
    return true;
}

#endif /* KENSA_HAVE_GMIME */

const struct format format_mail = {
    .name = "mail",
    .probe = mail_probe,
    .container_head = mail_container_head,
    .walk = mail_walk,
};
