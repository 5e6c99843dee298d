/*
 * maldoc.c - the doc detector: one verdict per Office document, from
 * what its active content would do (docs/MALDOC.md).
 *
 * Where it plugs in:
 *  - on_members, for every zip: an OOXML package is a zip holding
 *    [Content_Types].xml that can be read (a zip with a password is not
 *    one).  The VBA project is whatever part the content types or the
 *    name call vbaProject; it is read whole (m->read) and opened with the
 *    CFB reader here, so it is judged with its document and reported on
 *    the document's path, never again as a bare CFB member (on_object
 *    skips CFB members of OOXML packages).  XLM macro sheets, Auto_Open
 *    defined names, external relationships, DDE fields, ActiveX and
 *    embedded OLE packages are read from their XML parts.
 *  - on_object, for every object: a CFB (by its magic, whether or not a
 *    cfb format exists: VBA projects, BIFF XLM, PowerPoint 97 projects,
 *    an encrypted OOXML package) and SYLK text (XLM in E cells).
 * The macro text goes to vbascan.c, which holds every macro rule; this
 * file adds the document rules (doc.template.remote, doc.dde,
 * doc.ole.package_exe, doc.encrypted...) and writes the finding.
 *
 * Every read is capped (MAX_PART, MAX_VBA) and at most MAX_PARTS parts of
 * each kind are looked at.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/engine.h"
#include "detect/vbascan.h"
#include "office/cfb.h"
#include "office/msocrypt.h"
#include "office/xmlattr.h"
#include "office/vba.h"

#define MAX_PART (16u << 20)     /* an XML part */
#define MAX_VBA (64u << 20)      /* a vbaProject.bin or embedded object */
#define MAX_PARTS 64             /* parts of one kind looked at */
#define MAX_XLM_TEXT (4u << 20)

enum {
    DOC_REMOTE = 1u << 0,
    DOC_DDE = 1u << 1,
    DOC_PACKAGE = 1u << 2,
    DOC_ACTIVEX = 1u << 3,
    DOC_OLE = 1u << 4,
    DOC_ENCRYPTED = 1u << 5,
    DOC_XLM_BINARY = 1u << 6,
    DOC_VBA_UNREAD = 1u << 7,
    DOC_STOMPED = 1u << 8,
    DOC_NFLAGS = 9,
};

/* The document rules, by DOC_* bit. */
static const struct vbs_rule doc_rules[DOC_NFLAGS] = {
    { "doc.template.remote", KMSG_DOC_EV_REMOTE_TEMPLATE, true,
      VBS_SUSPICIOUS },
    { "doc.dde", KMSG_DOC_EV_DDE, true, VBS_SUSPICIOUS },
    { "doc.ole.package_exe", KMSG_DOC_EV_OLE_PACKAGE, true, VBS_SUSPICIOUS },
    { "doc.activex", KMSG_DOC_EV_ACTIVEX, true, VBS_MACROS },
    { "doc.ole.object", KMSG_DOC_EV_OLE_OBJECT, true, VBS_CLEAN },
    { "doc.encrypted", KMSG_DOC_EV_ENCRYPTED, true, VBS_SUSPICIOUS },
    { "doc.xlm.binary", KMSG_DOC_EV_XLM_BINARY, true, VBS_MACROS },
    { "doc.macro.unread", KMSG_DOC_EV_VBA_UNREAD, true, VBS_MACROS },
    { "doc.macro.stomped", KMSG_DOC_EV_STOMPED, true, VBS_SUSPICIOUS },
};

struct doc {
    struct vbascan v;
    const char *type;
    uint32_t flags;                       /* DOC_* */
    char what[DOC_NFLAGS][VBS_MAX_ITEM];  /* {1} of each DOC_* rule */
    unsigned vba_modules;
    struct kobj *obj;                     /* reported on */
    int extract_fd;                       /* --extract, or -1 */
    struct opened {                       /* a Workbook decrypted */
        const char *pw;                   /* NULL: none */
        const char *origin;               /* as kctxattr.origin */
        bool deflt;                       /* VelvetSweatshop */
        char how[64];                     /* "Workbook, RC4 CryptoAPI" */
    } opened;
};

struct state {
    int extract_fd;
};

/* ---- small helpers ----------------------------------------------------- */

static void flag(struct doc *d, uint32_t bit, const char *what, size_t n)
{
    unsigned i = (unsigned)__builtin_ctz(bit);
    if(!(d->flags & bit)) {
        if(n >= sizeof(d->what[i]))
            n = sizeof(d->what[i]) - 1;
        memcpy(d->what[i], what, n);
        d->what[i][n] = 0;
        for(size_t k = 0; k < n; k++)
            if((unsigned char)d->what[i][k] < 0x20)
                d->what[i][k] = ' ';
    }
    d->flags |= bit;
}

static bool ends_with(const char *s, size_t n, const char *suf)
{
    size_t k = strlen(suf);
    return n >= k && !strncasecmp(s + n - k, suf, k);
}

static const char *memcase(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for(size_t i = 0; k <= n && i <= n - k; i++)
        if(!strncasecmp(s + i, needle, k))
            return s + i;
    return NULL;
}

/* The entries a broken CFB's directory names (cfb_names), by NM_* bit. */
enum { NM_ENCRYPTED = 1, NM_PACKAGE = 2, NM_VBA = 4, NM_WORKBOOK = 8,
       NM_WORD = 16, NM_PPT = 32, NM_VISIO = 64 };

static bool name_bits(const char *name, void *arg)
{
    static const struct { const char *s; unsigned bit; } t[] = {
        { "EncryptedPackage", NM_ENCRYPTED }, { "\001Ole10Native", NM_PACKAGE },
        { "_VBA_PROJECT", NM_VBA }, { "VBA", NM_VBA },
        { "_VBA_PROJECT_CUR", NM_VBA }, { "VbaProjectStg", NM_VBA },
        { "Workbook", NM_WORKBOOK }, { "Book", NM_WORKBOOK },
        { "WordDocument", NM_WORD }, { "PowerPoint Document", NM_PPT },
        { "VisioDocument", NM_VISIO },
    };
    unsigned *bits = arg;
    for(size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if(!strcasecmp(name, t[i].s))
            *bits |= t[i].bit;
    return true;
}

/* Case-insensitive search of an ASCII name in UTF-16LE. */
static bool has_u16_case(const uint8_t *p, size_t n, const char *name)
{
    size_t k = strlen(name);
    for(size_t i = 0; 2 * k <= n && i + 2 * k <= n; i++) {
        size_t j = 0;
        while(j < k && p[i + 2 * j + 1] == 0 &&
              tolower(p[i + 2 * j]) == tolower((unsigned char)name[j]))
            j++;
        if(j == k)
            return true;
    }
    return false;
}

/* XML text with the five entities and numeric references decoded. */
static size_t xml_text(const char *s, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    for(size_t i = 0; i < n && k + 4 < cap; i++) {
        if(s[i] != '&') {
            out[k++] = s[i];
            continue;
        }
        const char *e = memchr(s + i, ';', n - i < 12 ? n - i : 12);
        if(!e) {
            out[k++] = s[i];
            continue;
        }
        size_t l = (size_t)(e - s - i);
        if(l == 4 && !strncmp(s + i, "&amp", 4)) out[k++] = '&';
        else if(l == 3 && !strncmp(s + i, "&lt", 3)) out[k++] = '<';
        else if(l == 3 && !strncmp(s + i, "&gt", 3)) out[k++] = '>';
        else if(l == 5 && !strncmp(s + i, "&quot", 5)) out[k++] = '"';
        else if(l == 5 && !strncmp(s + i, "&apos", 5)) out[k++] = '\'';
        else if(l > 2 && s[i + 1] == '#') {
            unsigned long c = s[i + 2] == 'x' ? strtoul(s + i + 3, NULL, 16)
                                              : strtoul(s + i + 2, NULL, 10);
            out[k++] = c && c < 0x80 ? (char)c : '?';
        } else {
            out[k++] = s[i];
            continue;
        }
        i += l;
    }
    out[k] = 0;
    return k;
}

/* ---- --extract ------------------------------------------------------------ */

/* Write text to a new file "<doc>.<part>.<ext>" under the extract folder:
 * names made of [A-Za-z0-9._-] only, never overwriting (-1, -2...). */
static void extract(struct doc *d, const char *part, const char *ext,
                    const char *text, size_t n)
{
    if(d->extract_fd < 0 || !n)
        return;
    char base[160], name[200];
    const char *doc = d->obj->path;
    const char *slash = strrchr(doc, '/');
    snprintf(base, sizeof(base), "%s.%s", slash ? slash + 1 : doc, part);
    for(char *p = base; *p; p++)
        if(!isalnum((unsigned char)*p) && *p != '.' && *p != '-' && *p != '_')
            *p = '_';
    if(base[0] == '.')
        base[0] = '_';
    for(int i = 0; i < 1000; i++) {
        if(i)
            snprintf(name, sizeof(name), "%s-%d.%s", base, i, ext);
        else
            snprintf(name, sizeof(name), "%s.%s", base, ext);
        int fd = openat(d->extract_fd, name, O_WRONLY | O_CREAT | O_EXCL |
                        O_NOFOLLOW | O_CLOEXEC, 0600);
        if(fd < 0 && errno == EEXIST)
            continue;
        if(fd < 0) {
            ctx_warn(d->obj->ctx, d->obj->path, KENSA_EIO,
                     KMSG_DOC_EXTRACT_FAILED, name);
            return;
        }
        if(write_full(fd, text, n))
            ctx_warn(d->obj->ctx, d->obj->path, KENSA_EIO,
                     KMSG_DOC_EXTRACT_FAILED, name);
        close(fd);
        return;
    }
}

/* ---- encrypted documents (office/msocrypt.c) ----------------------------- */

static bool still_time(void *arg)
{
    struct kobj *obj = arg;
    return ctx_charge(obj->ctx, obj->path, 0);
}

static const char *kind_name(const struct msoc_info *in)
{
    switch(in->kind) {
    case MSOC_STANDARD: return "Standard AES";
    case MSOC_AGILE: return "Agile AES";
    case MSOC_RC4: return "RC4";
    case MSOC_RC4_CAPI: return "RC4 CryptoAPI";
    case MSOC_XOR: return "XOR obfuscation";
    }
    return "?";
}

/*
 * Office's default password, then each candidate of obj's context (the
 * --password/--passwords list, a mail's harvest), until one opens `in`:
 * 1 with its key and *o filled, 0 when none does (*tried of them), -1
 * when the work stopped (a spin count over the cap, the time budget:
 * warned).
 */
static int find_key(struct kobj *obj, const char *what,
                    const struct msoc_info *in, uint8_t key[64], size_t *kl,
                    struct opened *o, unsigned *tried)
{
    struct msoc_limits lim = { .max_spins = MSOC_MAX_SPINS,
                               .go_on = still_time, .arg = obj };
    const struct kctxattr *a = NULL;
    const char *pw = MSOC_DEFAULT_PASSWORD;
    char n1[24], n2[24];
    *tried = 0;
    for(;;) {
        bool match = false;
        enum kensa_err rc = msoc_key(in, pw, &lim, key, kl, &match);
        if(rc == KENSA_ELIMIT && in->spins > MSOC_MAX_SPINS) {
            ctx_warn(obj->ctx, obj->path, rc, KMSG_DOC_CRYPT_SPINS,
                     kmsg_u64(n1, in->spins), kmsg_u64(n2, MSOC_MAX_SPINS));
            return -1;
        }
        if(rc == KENSA_ELIMIT)
            return -1;                 /* the time budget: warned */
        if(rc) {
            ctx_warn(obj->ctx, obj->path, rc, KMSG_DOC_CRYPT_UNREADABLE,
                     what);
            return -1;
        }
        (*tried)++;
        if(match) {
            o->pw = pw;
            o->origin = a ? a->origin : NULL;
            o->deflt = !a;
            return 1;
        }
        do
            a = kobj_attr_next(obj, a, "password");
        while(a && !strcmp(a->value, MSOC_DEFAULT_PASSWORD));
        if(!a || !still_time(obj))
            return a ? -1 : 0;
        pw = a->value;
    }
}

/* The evidence naming the password that opened a document: its
 * message, with args[0..2) the password and where it came from (the
 * mail) or what it opened. */
static enum kmsg opened_msg(const struct opened *o, const char **args)
{
    args[0] = o->pw;
    args[1] = o->origin && *o->origin ? o->origin : o->how;
    return o->deflt ? KMSG_DOC_EV_OPENED_DEFAULT :
           o->origin ? KMSG_DOC_EV_OPENED_MAIL : KMSG_DOC_EV_OPENED_GIVEN;
}

static void not_opened(struct doc *d, const char *stream,
                       const struct msoc_info *in, int r, unsigned tried)
{
    char w[VBS_MAX_ITEM];
    if(r < 0)
        snprintf(w, sizeof(w), "%s, %s: not decrypted (a limit)", stream,
                 kind_name(in));
    else
        snprintf(w, sizeof(w), "%s, %s: no candidate password opened it "
                 "(%u tried)", stream, kind_name(in), tried);
    flag(d, DOC_ENCRYPTED, w, strlen(w));
}

/*
 * An OOXML package kept encrypted in a CFB (EncryptionInfo and
 * EncryptedPackage): opened with the first password that fits, the
 * package goes back into the engine as the child
 * "EncryptedPackage.decrypted" (an OOXML zip, judged as any other), its
 * findings saying which password opened it.  Else the document is
 * flagged doc.encrypted.  The package is bounded by what is left of
 * --max-scansize and charged to it.
 */
static void open_package(struct doc *d, const struct cfb *c)
{
    struct kobj *obj = d->obj;
    struct kctx *ctx = obj->ctx;
    const struct kensa_limits *l = &ctx->s->opts.limits;
    long ii = cfb_find(c, -1, "EncryptionInfo");
    long ip = cfb_find(c, -1, "EncryptedPackage");
    struct msoc_info in;
    struct buf bi, bp, out;
    uint8_t key[64];
    size_t kl = 0;
    unsigned tried = 0;
    enum kensa_err rc;
    buf_init(&bi, MSOC_MAX_INFO);
    buf_init(&bp, 0);
    buf_init(&out, 0);
    if(ii < 0 || ip < 0) {
        flag(d, DOC_ENCRYPTED, "EncryptedPackage without EncryptionInfo",
             39);
        goto out;
    }
    (void)cfb_read(c, (size_t)ii, &bi);
    rc = msoc_parse(bi.p, bi.len, &in);
    if(!rc && in.kind != MSOC_STANDARD && in.kind != MSOC_AGILE)
        rc = KENSA_EUNSUPPORTED;           /* RC4 is for BIFF, not here */
    if(rc) {
        ctx_warn(ctx, obj->path, rc, KMSG_DOC_CRYPT_UNREADABLE,
                 "EncryptionInfo");
        flag(d, DOC_ENCRYPTED, "EncryptedPackage: EncryptionInfo not read",
             41);
        goto out;
    }
    struct opened o = { 0 };
    int r = find_key(obj, "EncryptionInfo", &in, key, &kl, &o, &tried);
    if(r <= 0) {
        not_opened(d, "EncryptedPackage", &in, r, tried);
        goto out;
    }
    snprintf(o.how, sizeof(o.how), "EncryptedPackage, %s", kind_name(&in));
    uint64_t room = l->max_scansize ? (l->max_scansize > ctx->scanned_bytes ?
                    l->max_scansize - ctx->scanned_bytes : 0) : SIZE_MAX / 2;
    if(room > SIZE_MAX / 2)
        room = SIZE_MAX / 2;
    bp.max = obj->len;
    out.max = (size_t)room;
    (void)cfb_read(c, (size_t)ip, &bp);
    rc = msoc_decrypt_package(&in, key, kl, bp.p, bp.len, &(struct msoc_limits){
                                  .go_on = still_time, .arg = obj }, &out);
    if(rc) {
        /* what was decrypted is scanned; the rest was not judged */
        char nb[24], w[VBS_MAX_ITEM];
        ctx_warn(ctx, obj->path, rc, KMSG_DOC_CRYPT_TRUNCATED,
                 kmsg_u64(nb, out.len));
        snprintf(w, sizeof(w), "EncryptedPackage, %s: decrypted in part "
                 "(%zu bytes)", kind_name(&in), out.len);
        flag(d, DOC_ENCRYPTED, w, strlen(w));
    }
    buf_free(&bp);
    if(!out.len || !ctx_charge(ctx, obj->path, out.len)) {
        /* over the budget (warned): opened, but not judged */
        if(!rc)
            not_opened(d, "EncryptedPackage", &in, -1, tried);
        goto out;
    }
    const char *args[2];
    struct kensa_msg ev = { .id = kmsg_key(opened_msg(&o, args)),
                            .args = args, .nargs = 2 };
    struct kensa_attr at = { .key = "kensa.archive.opened_with",
                             .type = KENSA_ATTR_STR, .str = o.pw,
                             .flags = KENSA_ATTR_SHOW };
    struct kctxattr node = { .key = "opened_with", .value = o.pw,
                             .next = obj->attrs, .finding = &at,
                             .finding_ev = &ev };
    const struct kctxattr *saved = obj->attrs;
    obj->attrs = &node;
    ctx->mem_held += out.cap;
    object_scan_child(obj, "EncryptedPackage.decrypted", out.p, out.len);
    ctx->mem_held -= out.cap;
    obj->attrs = saved;
out:
    buf_free(&bi);
    buf_free(&bp);
    buf_free(&out);
}

/*
 * A BIFF8 Workbook stream b with a FILEPASS: RC4, RC4 CryptoAPI and XOR
 * obfuscation are decrypted in place with the first password that fits
 * (its FILEPASS then reads as an unknown record, so the XLM reader reads
 * on): true.  Anything not opened flags doc.encrypted: false.
 */
static bool open_biff(struct doc *d, struct buf *b)
{
    size_t fl = 0;
    const uint8_t *fp = msoc_biff_filepass(b->p, b->len, &fl);
    struct msoc_info in;
    bool xor = false;     /* XOR obfuscation: in.kind says so too */
    uint8_t key[64];
    size_t kl = 0;
    unsigned tried = 0;
    if(!fp) {
        flag(d, DOC_ENCRYPTED, "Workbook, FILEPASS", 18);
        return false;
    }
    enum kensa_err rc = msoc_parse_filepass(fp, fl, &in, &xor);
    if(rc) {
        ctx_warn(d->obj->ctx, d->obj->path, rc, KMSG_DOC_CRYPT_UNREADABLE,
                 "FILEPASS");
        flag(d, DOC_ENCRYPTED, "Workbook, FILEPASS not read", 27);
        return false;
    }
    int r = find_key(d->obj, "FILEPASS", &in, key, &kl, &d->opened, &tried);
    if(r <= 0) {
        d->opened.pw = NULL;
        not_opened(d, "Workbook", &in, r, tried);
        return false;
    }
    if(msoc_decrypt_biff(&in, key, kl, b->p, b->len)) {
        d->opened.pw = NULL;
        flag(d, DOC_ENCRYPTED, "Workbook, FILEPASS", 18);
        return false;
    }
    snprintf(d->opened.how, sizeof(d->opened.how), "Workbook, %s",
             kind_name(&in));
    uint8_t *t = (uint8_t *)fp - 4;    /* FILEPASS becomes type 0xFFFF */
    t[0] = t[1] = 0xFF;
    return true;
}

/* The first n bytes of stream `path` into out; false when shorter. */
static bool stream_head(const struct cfb *c, const char *path, uint8_t *out,
                        size_t n)
{
    long i = cfb_find(c, -1, path);
    struct buf b;
    bool ok = false;
    if(i < 0)
        return false;
    buf_init(&b, n);
    (void)cfb_read(c, (size_t)i, &b);
    if(b.len >= n) {
        memcpy(out, b.p, n);
        ok = true;
    }
    buf_free(&b);
    return ok;
}

/*
 * Word and PowerPoint 97-2003 encryption, identified (not decrypted: the
 * VBA storage of a .doc stays readable, the document text does not): the
 * FIB's fEncrypted/fObfuscated bits, PowerPoint's encrypted CurrentUser
 * token or its EncryptedSummary stream.
 */
static void sealed_binary(struct doc *d, const struct cfb *c)
{
    uint8_t h[16];
    if(stream_head(c, "WordDocument", h, 12) && (h[11] & 0x01)) {
        const char *w = h[11] & 0x80 ? "WordDocument, XOR obfuscation: not "
                        "decrypted" : "WordDocument, RC4 (FIB fEncrypted): "
                        "not decrypted";
        flag(d, DOC_ENCRYPTED, w, strlen(w));
    }
    if(cfb_find(c, -1, "EncryptedSummary") >= 0 ||
       (stream_head(c, "Current User", h, 16) &&
        h[12] == 0xDF && h[13] == 0xC4 && h[14] == 0xD1 && h[15] == 0xF3)) {
        static const char w[] = "PowerPoint Document, RC4 CryptoAPI: not "
                                "decrypted";
        flag(d, DOC_ENCRYPTED, w, sizeof(w) - 1);
    }
}

/* ---- VBA projects and BIFF ---------------------------------------------- */

static void judge_projects(struct doc *d, struct vba_project *p, size_t n)
{
    for(size_t i = 0; i < n; i++) {
        for(size_t j = 0; j < p[i].n_mod; j++) {
            struct vba_module *m = &p[i].mod[j];
            d->vba_modules++;
            if(m->source_ok && m->source_len) {
                vbascan_vba(&d->v, m->source, m->source_len);
                extract(d, m->name ? m->name : "module", "vba", m->source,
                        m->source_len);
            }
        }
        if(p[i].stomped)
            flag(d, DOC_STOMPED, p[i].storage, strlen(p[i].storage));
        if(!p[i].n_mod)
            flag(d, DOC_VBA_UNREAD, p[i].storage, strlen(p[i].storage));
    }
}

/* The VBA projects of an open CFB. */
static void judge_cfb_vba(struct doc *d, const struct cfb *c,
                          const char *what)
{
    struct vba_project *p = NULL;
    size_t n = 0;
    enum kensa_err rc = vba_extract(c, NULL, &p, &n);
    if(rc)
        flag(d, DOC_VBA_UNREAD, what, strlen(what));
    else
        judge_projects(d, p, n);
    vba_projects_free(p, n);
}

static void judge_biff(struct doc *d, const struct cfb *c, long i)
{
    struct buf b;
    buf_init(&b, MAX_VBA);
    if(cfb_read(c, (size_t)i, &b) == KENSA_OK || b.len) {
        struct xlm_info x;
        enum kensa_err rc = xlm_biff_read(b.p, b.len, MAX_XLM_TEXT, &x);
        if(!rc && x.encrypted && open_biff(d, &b)) {
            xlm_info_free(&x);
            rc = xlm_biff_read(b.p, b.len, MAX_XLM_TEXT, &x);
        }
        if(rc == KENSA_OK) {
            if(x.formulas) {
                vbascan_xlm(&d->v, x.formulas, x.formulas_len);
                extract(d, "xlm", "txt", x.formulas, x.formulas_len);
            }
            if(x.auto_open)
                vbascan_xlm_auto(&d->v, "Auto_Open");
            xlm_info_free(&x);
        }
    }
    buf_free(&b);
}

/* An OLE package (Ole10Native) naming an executable or a shortcut. */
static void package_names(struct doc *d, const uint8_t *p, size_t n)
{
    static const char *const exts[] = { ".exe", ".scr", ".lnk", ".bat",
        ".cmd", ".js", ".jse", ".vbs", ".vbe", ".hta", ".ps1", ".pif",
        ".com", ".dll", ".cpl", ".wsf", ".msi", NULL };
    size_t st = 0;
    for(size_t i = 0; i <= n; i++) {
        if(i < n && p[i] >= 0x20 && p[i] < 0x7f)
            continue;
        size_t l = i - st;
        for(size_t k = 0; l >= 5 && exts[k]; k++)
            if(ends_with((const char *)p + st, l, exts[k])) {
                flag(d, DOC_PACKAGE, (const char *)p + st, l);
                return;
            }
        st = i + 1;
    }
}

/* A whole CFB: a document, a bare project, an embedded object. */
static void judge_cfb(struct doc *d, const uint8_t *p, size_t n,
                      const char *what, bool embedded)
{
    struct cfb *c = NULL;
    enum kensa_err rc = cfb_open(&c, p, n, NULL);
    if(rc) {
        /* a file the reader refuses (its mini FAT, tree or root): what
         * its directory still names */
        unsigned nm = 0;
        (void)cfb_names(p, n, name_bits, &nm);
        if(nm & NM_ENCRYPTED)
            flag(d, DOC_ENCRYPTED, "EncryptedPackage", 16);
        else if(embedded && (nm & NM_PACKAGE))
            package_names(d, p, n);
        else if(nm & NM_VBA)
            flag(d, DOC_VBA_UNREAD, what, strlen(what));
        if(!d->type)
            d->type = nm & NM_WORKBOOK ? "xls" : nm & NM_WORD ? "doc" :
                      nm & NM_PPT ? "ppt" : nm & NM_VISIO ? "vsd" :
                      nm & NM_ENCRYPTED ? "ooxml" : "cfb";
        return;
    }
    long i;
    if(cfb_find(c, -1, "EncryptedPackage") >= 0) {
        if(!embedded)
            open_package(d, c);
        else
            flag(d, DOC_ENCRYPTED, "EncryptedPackage", 16);
        if(!d->type)
            d->type = "ooxml";
    }
    if(embedded && (i = cfb_find(c, -1, "\001Ole10Native")) >= 0) {
        struct buf b;
        buf_init(&b, MAX_VBA);
        cfb_read(c, (size_t)i, &b);
        package_names(d, b.p, b.len);
        buf_free(&b);
        cfb_free(c);
        return;
    }
    judge_cfb_vba(d, c, what);
    if((i = cfb_find(c, -1, "Workbook")) >= 0 ||
       (i = cfb_find(c, -1, "Book")) >= 0) {
        if(!d->type)
            d->type = "xls";
        judge_biff(d, c, i);
    }
    if(!d->type && cfb_find(c, -1, "WordDocument") >= 0)
        d->type = "doc";
    sealed_binary(d, c);
    bool visio = (i = cfb_find(c, -1, "VisioDocument")) >= 0;
    if(visio && !d->type)
        d->type = "vsd";
    long ppt = visio ? -1 : cfb_find(c, -1, "PowerPoint Document");
    if(visio || ppt >= 0) {
        /* Visio and PowerPoint 97 keep their project's CFB inside their
         * document stream (LZSS chunks, zlib) */
        if(ppt >= 0)
            i = ppt;
        if(!d->type)
            d->type = "ppt";
        struct buf doc, out;
        buf_init(&doc, MAX_VBA);
        buf_init(&out, MAX_VBA);
        size_t lens[8], nl = 0;
        if((cfb_read(c, (size_t)i, &doc) == KENSA_OK || doc.len) &&
           (visio ? vba_visio_projects(doc.p, doc.len, &out, lens, 8, &nl)
                  : vba_ppt_projects(doc.p, doc.len, &out, lens, 8,
                                     &nl)) == KENSA_OK) {
            size_t off = 0;
            for(size_t k = 0; k < nl; k++) {
                struct cfb *pc = NULL;
                if(cfb_open(&pc, out.p + off, lens[k], NULL) == KENSA_OK) {
                    judge_cfb_vba(d, pc, visio ? "VisioDocument" :
                                  "VbaProjectStg");
                    cfb_free(pc);
                }
                off += lens[k];
            }
        }
        buf_free(&doc);
        buf_free(&out);
    }
    if(!d->type)
        d->type = "cfb";
    cfb_free(c);
}

/* ---- the finding ------------------------------------------------------- */

static void report(struct doc *d)
{
    const struct vbs_rule *r[24];
    const char *args[24];
    size_t n = vbascan_rules(&d->v, r, 16);
    for(size_t i = 0; i < n; i++) {
        if(r[i]->about_target && d->v.targets.n)
            args[i] = d->v.targets.v[0];
        else if(!r[i]->about_target && d->v.triggers.n)
            args[i] = d->v.triggers.v[0];
        else
            args[i] = "-";
    }
    /* the counts of the "present" rules */
    char nmod[24], nxlm[24];
    snprintf(nmod, sizeof(nmod), "%u", d->v.modules > d->vba_modules ?
             d->v.modules : d->vba_modules);
    snprintf(nxlm, sizeof(nxlm), "%u", d->v.xlm_formulas);
    for(size_t i = 0; i < n; i++) {
        if(r[i]->msg == KMSG_DOC_EV_MACROS)
            args[i] = nmod;
        else if(r[i]->msg == KMSG_DOC_EV_XLM)
            args[i] = nxlm;
        else if(r[i]->msg == KMSG_DOC_EV_OBFUSCATED) {
            const char *a[8];
            size_t na = vbascan_actions(&d->v, a, 8);
            args[i] = "-";
            for(size_t k = 0; k < na; k++)
                if(!strncmp(a[k], "obfuscation-", 12)) {
                    args[i] = a[k] + 12;
                    break;
                }
        }
    }
    for(unsigned b = 0; b < DOC_NFLAGS && n < 24; b++) {
        if(!(d->flags & (1u << b)) || doc_rules[b].verdict == VBS_CLEAN)
            continue;
        const struct vbs_rule *dr = &doc_rules[b];
        /* a binary macro sheet with an Auto_Open name is suspicious */
        static const struct vbs_rule xlsb_auto = {
            "doc.xlm.binary", KMSG_DOC_EV_XLM_BINARY, true, VBS_SUSPICIOUS };
        if((1u << b) == DOC_XLM_BINARY && (d->v.seen & VBS_TRIGGER))
            dr = &xlsb_auto;
        /* unread VBA says little once some VBA was read */
        if((1u << b) == DOC_VBA_UNREAD && d->vba_modules)
            continue;
        r[n] = dr;
        args[n++] = d->what[b];
    }
    if(!n)
        return;
    /* worst first (stable) */
    for(size_t i = 1; i < n; i++)
        for(size_t j = i; j > 0 && r[j]->verdict > r[j - 1]->verdict; j--) {
            const struct vbs_rule *t = r[j];
            r[j] = r[j - 1];
            r[j - 1] = t;
            const char *ta = args[j];
            args[j] = args[j - 1];
            args[j - 1] = ta;
        }
    enum vbs_verdict vv = r[0]->verdict;
    if(vv == VBS_CLEAN)
        return;
    bool flagpro = vbascan_flagpro(&d->v);
    enum kensa_verdict kv = vv == VBS_MALICIOUS ? KENSA_VERDICT_MALICIOUS :
                            vv == VBS_SUSPICIOUS ? KENSA_VERDICT_SUSPICIOUS :
                            KENSA_VERDICT_MACROS;
    enum kensa_severity sev = vv == VBS_MALICIOUS ? (flagpro ?
                              KENSA_SEV_CRITICAL : KENSA_SEV_HIGH) :
                              vv == VBS_SUSPICIOUS ? KENSA_SEV_MEDIUM :
                              KENSA_SEV_INFO;
    struct kfind k;
    kfind_init(&k, "maldoc", flagpro ? KENSA_THREAT_FLAGPRO :
               KENSA_THREAT_MALDOC, kv, sev);
    if(vv == VBS_MACROS)
        k.f.kind = KENSA_KIND_STATE;
    const char *type = d->type ? d->type : "office";
    if(vv == VBS_MALICIOUS)
        kfind_msg(&k, KMSG_DOC_MALICIOUS, type);
    else if(vv == VBS_SUSPICIOUS)
        kfind_msg(&k, KMSG_DOC_SUSPICIOUS, type);
    else
        kfind_msg(&k, KMSG_DOC_MACROS, type);
    k.f.rule = r[0]->id;
    size_t ev = 0;
    for(size_t i = 0; i < n && ev < 4; i++) {
        /* the worst rules first, four at most (the rest are in
         * kensa.doc.actions) */
        kfind_ev(&k, r[i]->msg, args[i]);
        ev++;
    }
    if(d->v.triggers.n)
        kfind_ev(&k, KMSG_DOC_EV_TRIGGER, d->v.triggers.v[0]);
    if(d->opened.pw) {
        const char *a[2];
        enum kmsg m = opened_msg(&d->opened, a);
        kfind_ev(&k, m, a[0], a[1]);
        kfind_str(&k, "kensa.archive.opened_with", d->opened.pw,
                  KENSA_ATTR_SHOW);
    }
    kfind_str(&k, "event.category", "malware", 0);
    kfind_str(&k, "kensa.doc.type", type, KENSA_ATTR_SHOW);
    kfind_num(&k, "kensa.doc.vba_modules", (int64_t)(d->v.modules >
              d->vba_modules ? d->v.modules : d->vba_modules), 0);
    for(size_t i = 0; i < d->v.triggers.n && i < 4; i++)
        kfind_str(&k, "kensa.doc.triggers", d->v.triggers.v[i],
                  KENSA_ATTR_LIST | (i == 0 ? KENSA_ATTR_SHOW : 0));
    const char *acts[10];
    size_t na = vbascan_actions(&d->v, acts, 10);
    for(size_t i = 0; i < na; i++)
        kfind_str(&k, "kensa.doc.actions", acts[i], KENSA_ATTR_LIST);
    for(size_t i = 0; i < d->v.iocs.n && i < 10; i++)
        kfind_str(&k, "kensa.doc.iocs", d->v.iocs.v[i], KENSA_ATTR_LIST);
    ctx_report(d->obj, &k.f);
}

static void doc_init(struct doc *d, struct kobj *obj)
{
    memset(d, 0, sizeof(*d));
    vbascan_init(&d->v);
    d->obj = obj;
    struct state *s = detector_state(obj->ctx->s, &detector_maldoc);
    d->extract_fd = s ? s->extract_fd : -1;
}

/* ---- OOXML ----------------------------------------------------------------- */

static bool read_part(const struct kmembers *m, size_t i, struct buf *b,
                      size_t max)
{
    buf_free(b);
    buf_init(b, max);
    if(m->read(m, i, b) != KENSA_OK && !b->len)
        return false;
    buf_cstr(b);
    return b->p != NULL;
}

/* The next element "<tag..." in [*cur, end): its start, with the length
 * up to its '>' in *eln; *cur moves past it.  NULL at the end. */
static const char *next_el(const char **cur, const char *end,
                           const char *tag, size_t *eln)
{
    if(*cur >= end)
        return NULL;
    const char *el = memmem(*cur, (size_t)(end - *cur), tag, strlen(tag));
    if(!el)
        return NULL;
    const char *gt = memchr(el, '>', (size_t)(end - el));
    *eln = (size_t)((gt ? gt : end) - el);
    *cur = el + 1;
    return el;
}

static void ooxml_rels(struct doc *d, const char *s, size_t n)
{
    static const char *const types[] = { "attachedTemplate", "oleObject",
        "frame", "subDocument", "aFChunk", "externalLinkPath", NULL };
    size_t eln;
    for(const char *cur = s, *el; (el = next_el(&cur, s + n, "<Relationship ", &eln));) {
        size_t ml, tl, yl;
        const char *mode = xml_attr(el, eln, "TargetMode", &ml);
        const char *tgt = xml_attr(el, eln, "Target", &tl);
        const char *typ = xml_attr(el, eln, "Type", &yl);
        if(!mode || ml != 8 || strncasecmp(mode, "External", 8) || !tgt ||
           !typ)
            continue;
        bool risky = false;
        for(size_t k = 0; types[k]; k++)
            risky |= ends_with(typ, yl, types[k]);
        bool remote = (tl > 7 && (!strncasecmp(tgt, "http://", 7) ||
                                  !strncasecmp(tgt, "https:/", 7) ||
                                  !strncasecmp(tgt, "file://", 7) ||
                                  !strncasecmp(tgt, "mhtml:", 6) ||
                                  !strncasecmp(tgt, "ms-", 3))) ||
                      (tl > 2 && (!strncmp(tgt, "\\\\", 2) ||
                                  !strncmp(tgt, "//", 2)));
        if(risky && remote) {
            char t[VBS_MAX_ITEM];
            size_t k = xml_text(tgt, tl, t, sizeof(t));
            flag(d, DOC_REMOTE, t, k);
            vbs_list_add(&d->v.iocs, t, k);
        }
    }
}

/* Word field codes: the text of every instrText, joined, and each
 * fldSimple's instr. */
static void word_fields(struct doc *d, const char *s, size_t n)
{
    char *f = malloc(n + 1);
    if(!f)
        return;
    size_t k = 0;
    for(const char *p = s; (p = memmem(p, (size_t)(s + n - p),
                                       "<w:instrText", 12));) {
        const char *gt = memchr(p, '>', (size_t)(s + n - p));
        if(!gt)
            break;
        const char *end = memmem(gt, (size_t)(s + n - gt), "</w:instrText",
                                 13);
        if(!end)
            break;
        if(gt[-1] != '/') {
            /* a field code is split over runs: joined as they are */
            k += xml_text(gt + 1, (size_t)(end - gt - 1), f + k, n + 1 - k);
        }
        p = end;
    }
    size_t eln;
    for(const char *cur = s, *el; (el = next_el(&cur, s + n, "<w:fldSimple", &eln));) {
        size_t il;
        const char *in = xml_attr(el, eln, "w:instr", &il);
        if(in && k + il + 1 < n) {
            k += xml_text(in, il, f + k, n + 1 - k);
            f[k++] = ' ';
        }
    }
    f[k] = 0;
    for(size_t i = 0; i + 3 <= k; i++) {
        if(strncasecmp(f + i, "DDE", 3) || (i && isalnum((unsigned char)
                                                         f[i - 1])))
            continue;
        size_t j = i + 3;
        if(j + 4 <= k && !strncasecmp(f + j, "AUTO", 4))
            j += 4;
        if(j < k && isalnum((unsigned char)f[j]))
            continue;
        while(j < k && f[j] == ' ')
            j++;
        flag(d, DOC_DDE, f + j, k - j < 150 ? k - j : 150);
        break;
    }
    free(f);
}

/* Formulas <f>...</f> of a macro sheet, one per line, as "=..." */
static void macrosheet(struct doc *d, const char *s, size_t n)
{
    struct buf t;
    buf_init(&t, MAX_XLM_TEXT);
    for(const char *p = s; (p = memmem(p, (size_t)(s + n - p), "<f", 2));) {
        p += 2;
        if(p >= s + n || (*p != '>' && *p != ' '))
            continue;
        const char *gt = memchr(p, '>', (size_t)(s + n - p));
        if(!gt || gt[-1] == '/')
            continue;
        const char *end = memmem(gt, (size_t)(s + n - gt), "</f>", 4);
        if(!end)
            break;
        size_t l = (size_t)(end - gt - 1);
        char *x = malloc(l + 8);
        if(x) {
            size_t xl = xml_text(gt + 1, l, x, l + 8);
            buf_puts(&t, "=");
            buf_append(&t, x, xl);
            buf_puts(&t, "\n");
            free(x);
        }
        p = end;
    }
    if(t.len) {
        vbascan_xlm(&d->v, (const char *)t.p, t.len);
        extract(d, "macrosheet", "xlm.txt", (const char *)t.p, t.len);
    } else {
        d->v.seen |= VBS_XLM;   /* an empty macro sheet is still one */
    }
    buf_free(&t);
}

/* An xlsb macro sheet (BIFF12 records): its formulas as text, judged as
 * an XML macro sheet's are; one kensa cannot read is said so. */
static void xlsb_macrosheet(struct doc *d, const uint8_t *p, size_t n,
                            const char *nm, size_t l)
{
    char *t = NULL;
    size_t tl = 0;
    if(xlm_xlsb_read(p, n, MAX_XLM_TEXT, &t, &tl) != KENSA_OK)
        flag(d, DOC_XLM_BINARY, nm, l);
    if(t) {
        vbascan_xlm(&d->v, t, tl);
        extract(d, "macrosheet", "xlm.txt", t, tl);
    }
    free(t);
}

static void defined_names(struct doc *d, const char *s, size_t n)
{
    size_t eln;
    for(const char *cur = s, *el; (el = next_el(&cur, s + n, "<definedName ", &eln));) {
        size_t nl;
        const char *nm = xml_attr(el, eln, "name", &nl);
        if(!nm)
            continue;
        const char *b = nm;
        size_t bl = nl;
        if(bl > 6 && !strncasecmp(b, "_xlnm.", 6)) {
            b += 6;
            bl -= 6;
        }
        if(bl >= 9 && (!strncasecmp(b, "Auto_Open", 9) ||
                       (bl >= 10 && !strncasecmp(b, "Auto_Close", 10)))) {
            char t[VBS_MAX_ITEM];
            size_t k = xml_text(nm, nl, t, sizeof(t));
            (void)k;
            vbascan_xlm_auto(&d->v, t);
        }
    }
}

static void maldoc_on_members(const struct kmembers *m)
{
    size_t ct = (size_t)-1;
    for(size_t i = 0; i < m->count; i++) {
        size_t l;
        const char *nm = m->name(m, i, &l);
        if(l == 19 && !memcmp(nm, "[Content_Types].xml", 19)) {
            ct = i;
            break;
        }
    }
    if(ct == (size_t)-1)
        return;
    struct buf b;
    buf_init(&b, MAX_PART);
    /* a zip with a password is not an OOXML package */
    if(!read_part(m, ct, &b, MAX_PART)) {
        buf_free(&b);
        return;
    }
    struct doc *d = malloc(sizeof(*d));
    if(!d) {
        buf_free(&b);
        return;
    }
    doc_init(d, m->obj);
    /* parts named by content type */
    char vba_parts[4][128], sheet_parts[8][128];
    size_t n_vba = 0, n_sheet = 0;
    bool bin_is_vba = false;
    const char *cts = (const char *)b.p;
    size_t eln;
    for(const char *cur = cts, *el; (el = next_el(&cur, cts + b.len, "<Override ", &eln));) {
        size_t pl, tl;
        const char *pn = xml_attr(el, eln, "PartName", &pl);
        const char *ty = xml_attr(el, eln, "ContentType", &tl);
        if(!pn || !ty || pl >= 127 || !pl)
            continue;
        if(pn[0] == '/') {
            pn++;
            pl--;
        }
        if(memcase(ty, tl, "vbaProject") && n_vba < 4) {
            memcpy(vba_parts[n_vba], pn, pl);
            vba_parts[n_vba++][pl] = 0;
        } else if(memcase(ty, tl, "macrosheet") && n_sheet < 8) {
            memcpy(sheet_parts[n_sheet], pn, pl);
            sheet_parts[n_sheet++][pl] = 0;
        }
        if(memcase(ty, tl, "macroEnabled") || memcase(ty, tl, "wordprocessingml") ||
           memcase(ty, tl, "spreadsheetml") || memcase(ty, tl, "presentationml")) {
            bool me = memcase(ty, tl, "macroEnabled");
            if(memcase(ty, tl, ".main") || memcase(ty, tl, "document.main") ||
               memcase(ty, tl, "sheet.main") || memcase(ty, tl, "presentation.main")) {
                bool word = memcase(ty, tl, "word") != NULL;
                bool pp = memcase(ty, tl, "presentation") != NULL;
                bool bin = memcase(ty, tl, "binary") != NULL;
                d->type = bin ? "xlsb" : word ? (me ? "docm" : "docx") :
                          pp ? (me ? "pptm" : "pptx") : (me ? "xlsm" : "xlsx");
            }
        }
    }
    for(const char *cur = cts, *el; (el = next_el(&cur, cts + b.len, "<Default ", &eln));) {
        size_t tl, xl;
        const char *ty = xml_attr(el, eln, "ContentType", &tl);
        const char *ex = xml_attr(el, eln, "Extension", &xl);
        if(ty && ex && memcase(ty, tl, "vbaProject") && xl == 3 &&
           !strncasecmp(ex, "bin", 3))
            bin_is_vba = true;
    }
    unsigned n_rels = 0, n_xml = 0, n_ax = 0, n_emb = 0;
    for(size_t i = 0; i < m->count; i++) {
        size_t l;
        const char *nm = m->name(m, i, &l);
        bool vba = ends_with(nm, l, "vbaProject.bin");
        for(size_t k = 0; k < n_vba && !vba; k++)
            vba = strlen(vba_parts[k]) == l && !strncasecmp(vba_parts[k], nm, l);
        if(!vba && bin_is_vba && ends_with(nm, l, ".bin") &&
           !memcase(nm, l, "embeddings/") && !memcase(nm, l, "activeX/") &&
           !memcase(nm, l, "printerSettings/") &&
           !memcase(nm, l, "macrosheets/") && !memcase(nm, l, "vbaData"))
            vba = true;
        bool sheet = memcase(nm, l, "macrosheets/") && ends_with(nm, l, ".xml");
        for(size_t k = 0; k < n_sheet && !sheet; k++)
            sheet = strlen(sheet_parts[k]) == l &&
                    !strncasecmp(sheet_parts[k], nm, l);
        if(vba) {
            char what[160];
            snprintf(what, sizeof(what), "%.*s", (int)(l < 150 ? l : 150), nm);
            if(read_part(m, i, &b, MAX_VBA)) {
                if(b.len >= 8 && !memcmp(b.p, CFB_MAGIC, 8))
                    judge_cfb(d, b.p, b.len, what, false);
                else
                    flag(d, DOC_VBA_UNREAD, what, strlen(what));
            } else {
                flag(d, DOC_VBA_UNREAD, what, strlen(what));
            }
        } else if(sheet && !ends_with(nm, l, ".bin")) {
            if(read_part(m, i, &b, MAX_PART))
                macrosheet(d, (const char *)b.p, b.len);
        } else if(sheet || (memcase(nm, l, "macrosheets/") &&
                            ends_with(nm, l, ".bin") &&
                            !memcase(nm, l, "binaryIndex"))) {
            if(read_part(m, i, &b, MAX_PART))
                xlsb_macrosheet(d, b.p, b.len, nm, l);
            else
                flag(d, DOC_XLM_BINARY, nm, l);
            d->v.seen |= VBS_XLM;
        } else if(ends_with(nm, l, ".rels") && n_rels++ < MAX_PARTS) {
            if(read_part(m, i, &b, MAX_PART))
                ooxml_rels(d, (const char *)b.p, b.len);
        } else if((l == 15 && !strncasecmp(nm, "xl/workbook.xml", 15)) ||
                  (l > 3 && !strncasecmp(nm, "xl/", 3) &&
                   ends_with(nm, l, "workbook.xml"))) {
            if(read_part(m, i, &b, MAX_PART))
                defined_names(d, (const char *)b.p, b.len);
        } else if(l > 3 && !strncasecmp(nm, "xl/", 3) &&
                  ends_with(nm, l, "workbook.bin")) {
            if(read_part(m, i, &b, MAX_PART) &&
               (has_u16_case(b.p, b.len, "Auto_Open") ||
                has_u16_case(b.p, b.len, "Auto_Close")))
                vbascan_xlm_auto(&d->v, "Auto_Open");
        } else if(l > 5 && !strncasecmp(nm, "word/", 5) &&
                  ends_with(nm, l, ".xml") && !memcase(nm, l, "/_rels/") &&
                  n_xml++ < MAX_PARTS) {
            if(read_part(m, i, &b, MAX_PART) &&
               (memmem(b.p, b.len, "instrText", 9) ||
                memmem(b.p, b.len, "fldSimple", 9)))
                word_fields(d, (const char *)b.p, b.len);
        } else if(memcase(nm, l, "externalLinks/") && ends_with(nm, l, ".xml")) {
            if(read_part(m, i, &b, MAX_PART)) {
                const char *dl = memmem(b.p, b.len, "<ddeLink", 8);
                if(dl) {
                    size_t sl, tl;
                    const char *svc = xml_attr(dl, b.len - (size_t)(dl -
                                               (const char *)b.p), "ddeService", &sl);
                    const char *top = xml_attr(dl, b.len - (size_t)(dl -
                                               (const char *)b.p), "ddeTopic", &tl);
                    char t[VBS_MAX_ITEM];
                    snprintf(t, sizeof(t), "%.*s|%.*s", (int)(svc ? sl < 60 ? sl : 60 : 0),
                             svc ? svc : "", (int)(top ? tl < 120 ? tl : 120 : 0),
                             top ? top : "");
                    flag(d, DOC_DDE, t, strlen(t));
                }
            }
        } else if(memcase(nm, l, "/activeX/")) {
            n_ax++;
        } else if(memcase(nm, l, "/embeddings/") && n_emb++ < MAX_PARTS) {
            static const char *const bad[] = { ".exe", ".scr", ".lnk",
                ".bat", ".js", ".vbs", ".hta", ".ps1", NULL };
            for(size_t k = 0; bad[k]; k++)
                if(ends_with(nm, l, bad[k]))
                    flag(d, DOC_PACKAGE, nm, l);
            if(read_part(m, i, &b, MAX_VBA) && b.len >= 8 &&
               !memcmp(b.p, CFB_MAGIC, 8))
                judge_cfb(d, b.p, b.len, nm, true);
        }
    }
    char cnt[48];
    if(n_ax) {
        snprintf(cnt, sizeof(cnt), "%u part(s)", n_ax);
        flag(d, DOC_ACTIVEX, cnt, strlen(cnt));
    }
    if(n_emb) {
        snprintf(cnt, sizeof(cnt), "%u", n_emb);
        flag(d, DOC_OLE, cnt, strlen(cnt));
    }
    if(!d->type)
        d->type = "ooxml";
    report(d);
    vbascan_free(&d->v);
    free(d);
    buf_free(&b);
}

/* ---- objects: CFB and SYLK ---------------------------------------------- */

/* A CFB member of an OOXML package is judged with its document: the
 * parent's central directory (its last MiB) names [Content_Types].xml. */
static bool in_ooxml(const struct kobj *obj)
{
    const struct kobj *p = obj->parent;
    if(!p || !p->data)
        return false;
    size_t w = p->len < (1u << 20) ? p->len : (1u << 20);
    return memmem(p->data + p->len - w, w, "[Content_Types].xml", 19) != NULL;
}

static void sylk(struct kobj *obj)
{
    const char *s = (const char *)obj->data;
    size_t n = obj->len;
    struct buf t;
    bool macro = false;
    struct doc *d = malloc(sizeof(*d));
    if(!d)
        return;
    doc_init(d, obj);
    d->type = "sylk";
    buf_init(&t, MAX_XLM_TEXT);
    for(size_t i = 0; i < n;) {
        const char *e = memchr(s + i, '\n', n - i);
        size_t l = e ? (size_t)(e - s - i) : n - i;
        const char *ln = s + i;
        if(l && ln[l - 1] == '\r')
            l--;
        if(l > 2 && (ln[0] == 'C' || ln[0] == 'F') && ln[1] == ';') {
            /* fields split on ';' (";;" is a ';' inside a field) */
            for(size_t j = 2; j < l;) {
                size_t k = j;
                while(k < l && !(ln[k] == ';' && (k + 1 >= l ||
                                                  ln[k + 1] != ';')))
                    k += ln[k] == ';' ? 2 : 1;
                if(ln[j] == 'E' && k > j + 1) {
                    buf_puts(&t, "=");
                    for(size_t q = j + 1; q < k; q++)
                        if(!(ln[q] == ';' && q + 1 < k && ln[q + 1] == ';'))
                            buf_append(&t, ln + q, 1);
                    buf_puts(&t, "\n");
                }
                j = k + 1;
            }
        } else if(l > 4 && !strncmp(ln, "NN;N", 4)) {
            const char *nm = ln + 4;
            size_t nl = 0;
            while(4 + nl < l && nm[nl] != ';')
                nl++;
            if(nl >= 9 && (!strncasecmp(nm, "Auto_Open", 9) ||
                           (nl >= 10 && !strncasecmp(nm, "Auto_Close", 10)))) {
                char a[64];
                snprintf(a, sizeof(a), "%.*s", (int)(nl < 60 ? nl : 60), nm);
                vbascan_xlm_auto(&d->v, a);
                macro = true;
            }
        }
        i += (e ? (size_t)(e - s - i) + 1 : n - i);
    }
    static const char *const fns[] = { "EXEC(", "CALL(", "REGISTER(",
        "HALT(", "RUN(", "FORMULA(", "FOPEN(", "GOTO(", "ALERT(", NULL };
    for(size_t k = 0; fns[k] && t.len; k++)
        macro |= memcase((const char *)t.p, t.len, fns[k]) != NULL;
    if(macro) {
        if(t.len) {
            vbascan_xlm(&d->v, (const char *)t.p, t.len);
            extract(d, "sylk", "xlm.txt", (const char *)t.p, t.len);
        }
        report(d);
    }
    buf_free(&t);
    vbascan_free(&d->v);
    free(d);
}

static void maldoc_on_object(struct kobj *obj)
{
    if(!obj->data || obj->len < 8)
        return;
    if(!memcmp(obj->data, CFB_MAGIC, 8)) {
        /* judged with their document: an OOXML's vbaProject.bin, and the
         * project a PowerPoint 97 or Visio document keeps in its stream
         * (the cfb format names it VbaProjectStg) */
        if(obj->len < 512 || in_ooxml(obj))
            return;
        if(obj->parent && obj->parent->data && obj->parent->len >= 8 &&
           !memcmp(obj->parent->data, CFB_MAGIC, 8) &&
           !strcmp(obj->name, "VbaProjectStg"))
            return;
        struct doc *d = malloc(sizeof(*d));
        if(!d)
            return;
        doc_init(d, obj);
        judge_cfb(d, obj->data, obj->len, obj->name, false);
        report(d);
        vbascan_free(&d->v);
        free(d);
        return;
    }
    if(!obj->format && !memcmp(obj->data, "ID;P", 4))
        sylk(obj);
}

static void *maldoc_init(const struct kensa_options *o, enum kensa_err *err)
{
    struct state *s = calloc(1, sizeof(*s));
    if(!s) {
        *err = KENSA_ENOMEM;
        return NULL;
    }
    s->extract_fd = -1;
    if(o->extract_dir) {
        /* no link followed, root's (or ours) and nobody else's: the
         * CLI said why when it is not (kensa_dir_open) */
        char why[256];
        s->extract_fd = kensa_dir_open(o->extract_dir, false, why,
                                       sizeof(why));
        if(s->extract_fd < 0) {
            free(s);
            *err = errno == ENOENT ? KENSA_ENOENT : KENSA_EINVAL;
            return NULL;
        }
    }
    return s;
}

static void maldoc_fini(void *st)
{
    struct state *s = st;
    if(s && s->extract_fd >= 0)
        close(s->extract_fd);
    free(s);
}

const struct detector detector_maldoc = {
    .name = "maldoc",
    .bit = KENSA_DETECT_DOC,
    .on_object = maldoc_on_object,
    .on_members = maldoc_on_members,
    .init = maldoc_init,
    .fini = maldoc_fini,
};
