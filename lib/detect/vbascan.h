/*
 * vbascan.h - what a document's macros would do, judged from their text:
 * VBA module sources and Excel 4 (XLM) formulas, as UTF-8.
 *
 * Pure: no engine, no I/O.  The caller feeds every module of one
 * document (vbascan_vba, vbascan_xlm, vbascan_xlm_auto), then asks for
 * the verdict.  Before matching, each statement is rewritten with its
 * simple string expressions evaluated (literals, Chr/ChrW/ChrB/CHAR of
 * numeric expressions, & and + concatenation, StrReverse, Replace,
 * LCase/UCase, Environ("X") as "%X%", SpecialFolders("X") as "%X%", and
 * variables assigned an evaluable value before their use), so
 * `CreateObject(Chr(87) & "Script.Shell")` is matched as
 * `CreateObject("WScript.Shell")`.  Comments are dropped first (string
 * aware).  Work is bounded: statements past VBS_MAX_STMT bytes are cut,
 * evaluated strings past VBS_MAX_VAL, variables past VBS_MAX_VARS, and
 * the text a document is judged on past VBS_MAX_TEXT.
 *
 * Rules (docs/MALDOC.md) have stable ids "doc.macro.*"; each hit keeps
 * the catalog message that explains it (lib/intel/messages.def).
 */
#ifndef KENSA_DETECT_VBASCAN_H
#define KENSA_DETECT_VBASCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "intel/messages.h"

#define VBS_MAX_STMT (16u << 10)
#define VBS_MAX_VAL (8u << 10)
#define VBS_MAX_VARS 512
#define VBS_MAX_TEXT (8u << 20)
#define VBS_MAX_LIST 24          /* triggers, actions, iocs kept */
#define VBS_MAX_ITEM 200         /* bytes of one kept item */

/* What was seen (struct vbascan.seen bits). */
enum {
    VBS_TRIGGER = 1u << 0,      /* an auto-exec entry point */
    VBS_WRITE = 1u << 1,        /* writes a file */
    VBS_WRITE_EXE = 1u << 2,    /* ... an executable name */
    VBS_WRITE_STARTUP = 1u << 3,/* ... into a Startup folder */
    VBS_RUN = 1u << 4,          /* runs a program */
    VBS_RUN_EXE = 1u << 5,      /* ... an executable named in the call */
    VBS_POWERSHELL = 1u << 6,
    VBS_DOWNLOAD = 1u << 7,
    VBS_ENVIRON = 1u << 8,      /* Environ / SpecialFolders */
    VBS_REGRUN = 1u << 9,       /* a registry Run key */
    VBS_CALLBYNAME = 1u << 10,
    VBS_DECLARE = 1u << 11,     /* Declare Function ... Lib */
    VBS_INJECT = 1u << 12,      /* memory APIs (VirtualAlloc...) */
    VBS_XLM_CALL = 1u << 13,    /* XLM CALL / REGISTER */
    VBS_OBF_CHR = 1u << 14,     /* long Chr chains */
    VBS_OBF_STRREV = 1u << 15,
    VBS_OBF_REPLACE = 1u << 16,
    VBS_OBF_BASE64 = 1u << 17,
    VBS_OBF_HEX = 1u << 18,
    VBS_OBF_CONCAT = 1u << 19,
    VBS_CODE = 1u << 20,        /* some VBA statement */
    VBS_XLM = 1u << 21,         /* some XLM formula */
    VBS_STARTUP_STR = 1u << 22, /* a Startup folder named somewhere */
    VBS_EXE_STR = 1u << 23,     /* an executable named somewhere */
    VBS_WRITE_BLIND = 1u << 24, /* a write whose target is not known */
    VBS_WSH = 1u << 25,         /* WScript.Shell / Shell.Application */
};
#define VBS_OBF_ANY (VBS_OBF_CHR | VBS_OBF_STRREV | VBS_OBF_REPLACE | \
                     VBS_OBF_BASE64 | VBS_OBF_HEX | VBS_OBF_CONCAT)

/* Verdicts, least to worst. */
enum vbs_verdict { VBS_CLEAN = 0, VBS_MACROS = 1, VBS_SUSPICIOUS = 2,
                   VBS_MALICIOUS = 3 };

/* A rule that matched: its stable id, its catalog message key (the
 * evidence, with `arg` as {1} when not NULL) and its verdict. */
struct vbs_rule {
    const char *id;          /* "doc.macro.startup_drop" */
    enum kmsg msg;           /* its evidence (KMSG_DOC_EV_STARTUP_DROP) */
    bool about_target;       /* {1} is a target (else a trigger) */
    enum vbs_verdict verdict;
};

struct vbs_list {
    char *v[VBS_MAX_LIST];
    size_t n;
};

struct vbs_var;

struct vbascan {
    uint32_t seen;           /* VBS_* */
    unsigned chr_calls, concats, modules, xlm_formulas;
    unsigned method_runs;      /* .Run/.Exec calls (a shell object's?) */
    bool method_run_exe;       /* ... with an executable named */
    struct vbs_list triggers;  /* "Workbook_Open", "Auto_Open (XLM)" */
    struct vbs_list actions;   /* short names: "write", "run", ... */
    struct vbs_list iocs;      /* URLs, IPs, domains, file names */
    struct vbs_list targets;   /* written or run paths, deobfuscated */
    struct vbs_var *vars;      /* per module */
    size_t n_vars;
    size_t text_used;          /* bytes judged so far (VBS_MAX_TEXT) */
    bool truncated;            /* some cap cut the analysis */
};

void vbascan_init(struct vbascan *v);
void vbascan_free(struct vbascan *v);

/* One VBA module's source (UTF-8, need not be NUL-terminated). */
void vbascan_vba(struct vbascan *v, const char *src, size_t n);

/* XLM formulas, one per line ("=EXEC(\"calc\")"); also SYLK E cells. */
void vbascan_xlm(struct vbascan *v, const char *src, size_t n);

/* An XLM auto-run name the reader found (Auto_Open, _xlnm.Auto_Open...). */
void vbascan_xlm_auto(struct vbascan *v, const char *name);

/*
 * The rules that hold, worst first, into out[0..max); returns how many
 * (0: no macro text at all, the document is clean as far as macros go).
 * out[0] is the verdict's rule.
 */
size_t vbascan_rules(const struct vbascan *v, const struct vbs_rule **out,
                     size_t max);

/* The verdict: out[0]'s, or VBS_CLEAN. */
enum vbs_verdict vbascan_verdict(const struct vbascan *v);

/* True when the Flagpro pattern holds: an auto-exec trigger and an
 * executable written into a Startup folder. */
bool vbascan_flagpro(const struct vbascan *v);

/* The actions seen, as short static names ("write-startup", "run",
 * "download", "obfuscation-chr"...), into out[0..max); returns how many. */
size_t vbascan_actions(const struct vbascan *v, const char **out,
                       size_t max);

/* Add a string to a bounded, deduplicated list (case-sensitive). */
void vbs_list_add(struct vbs_list *l, const char *s, size_t n);

/*
 * The evaluator on its own, for tests and the fuzzer: rewrite one
 * statement (no comments, no line breaks) with its evaluable string
 * expressions replaced by quoted literals, using and updating v's
 * variables.  Returns a malloc'd NUL-terminated string, or NULL.
 */
char *vbascan_rewrite(struct vbascan *v, const char *stmt, size_t n);

#endif
