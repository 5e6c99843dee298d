/*
 * profiles.c - threat profiles compiled into the library, in English and
 * Japanese: what the threat is, who is affected, how serious it is and
 * what to do.  Written by the kensa developers from the public record
 * (the Apache advisories, vendor reports, the brief in shared/seed); the
 * wording is ours.
 *
 * Adding a profile: one entry in each language array, same index.
 *
 * A report prints a finding's profile after it, so a profile's assessment
 * must hold for every finding that names it: Log4j 2 findings name
 * "log4shell" only while CVE-2021-44228/45046 apply (critical), and
 * "log4j2-residual" otherwise (medium, or nothing left); log4j 1.x names
 * "log4j1-eol".
 */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "kensa/kensa.h"

/* Aliases (CVE ids and names) and references are the same in both
 * languages. */
#define ALIASES_LOG4SHELL \
            "CVE-2021-44228, CVE-2021-45046, CVE-2021-45105, CVE-2021-44832"
#define ALIASES_LOG4J2_RESIDUAL "CVE-2021-45105, CVE-2021-44832"
#define ALIASES_LOG4J1_EOL \
            "CVE-2019-17571, CVE-2021-4104, CVE-2022-23302, " \
            "CVE-2022-23305, CVE-2022-23307, CVE-2020-9488, reload4j"
#define REFS_LOG4J2_RESIDUAL \
            "https://logging.apache.org/log4j/2.x/security.html\n" \
            "https://nvd.nist.gov/vuln/detail/CVE-2021-45105\n" \
            "https://nvd.nist.gov/vuln/detail/CVE-2021-44832\n" \
            "https://www.jpcert.or.jp/at/2021/at210050.html\n" \
            "https://www.ipa.go.jp/security/ciadr/vul/alert20211213.html"
#define REFS_LOG4J1_EOL \
            "https://blogs.apache.org/foundation/entry/apache_logging_services_project_announces\n" \
            "https://nvd.nist.gov/vuln/detail/CVE-2019-17571\n" \
            "https://nvd.nist.gov/vuln/detail/CVE-2021-4104\n" \
            "https://nvd.nist.gov/vuln/detail/CVE-2022-23305\n" \
            "https://reload4j.qos.ch/\n" \
            "https://www.jpcert.or.jp/at/2021/at210050.html"

#define REFS_FLAGPRO \
            "https://attack.mitre.org/software/S0696\n" \
            "https://attack.mitre.org/techniques/T1547/001/\n" \
            "https://snort.org/rule_docs/1-64273"
#define REFS_MALDOC \
            "https://attack.mitre.org/techniques/T1566/001/\n" \
            "https://attack.mitre.org/techniques/T1204/002/\n" \
            "https://attack.mitre.org/techniques/T1221/\n" \
            "https://attack.mitre.org/techniques/T1559/002/"
#define ALIASES_SYSJOKER "SysJoker"
#define ALIASES_CHARMPOWER "APT35, Charming Kitten, PHOSPHORUS, Magic Hound"
#define ALIASES_WEBTOOS "Webtoos"
#define ALIASES_BLADABINDI "njRAT"
#define ALIASES_HABITSRAT "HabitsRAT"
#define MS_LOG4J_GUIDANCE \
            "https://www.microsoft.com/en-us/security/blog/2021/12/11/" \
            "guidance-for-preventing-detecting-and-hunting-for-cve-2021-44228" \
            "-log4j-2-exploitation/"
#define REFS_SYSJOKER \
            "https://www.intezer.com/blog/malware-analysis/new-backdoor-sysjoker/\n" \
            "https://objective-see.com/blog/blog_0x6C.html"
#define REFS_CHARMPOWER \
            "https://research.checkpoint.com/2022/apt35-exploits-log4j-vulnerability-to-distribute-new-modular-powershell-toolkit/\n" \
            "https://attack.mitre.org/software/S0674/\n" \
            "https://www.jpcert.or.jp/at/2021/at210050.html"
#define REFS_LOG4SHELL_MALWARE \
            MS_LOG4J_GUIDANCE "\n" \
            "https://www.jpcert.or.jp/at/2021/at210050.html"

/* Response steps the malware profiles share, in the brief's order (kill,
 * remove persistence, delete after copying, scan memory, find the way
 * in), each with the kensa command that does it. */
#define EN_KILL "1. Kill its processes (kensa scan --running --kill kills " \
    "those a rule or indicator matched). "
#define EN_COPY_DELETE "3. Delete its files after copying them for " \
    "analysis (kensa scan --quarantine DIR moves them into DIR with their " \
    "hashes, --restore-quarantine DIR puts them back). "
#define EN_MEMORY "4. Scan memory (kensa scan --running) to make sure " \
    "nothing is left running. "
#define EN_ENTRY_LOG4J "5. Find the entry point: the vulnerable Log4j " \
    "copy (kensa log4j) and the attack in the logs (kensa logs); "
#define JA_KILL "1. プロセスを終了する（kensa scan --running --kill で、" \
    "ルールや指標に一致したプロセスを終了できる）。"
#define JA_COPY_DELETE "3. ファイルを解析用にコピーしたうえで削除する" \
    "（kensa scan --quarantine DIR でハッシュ値とともに DIR に移し、" \
    "--restore-quarantine DIR で元に戻せる）。"
#define JA_MEMORY "4. メモリーをスキャンし（kensa scan --running）、" \
    "何も動いていないことを確かめる。"
#define JA_ENTRY_LOG4J "5. 侵入口を調べる。脆弱な Log4j（kensa log4j）と" \
    "ログの攻撃（kensa logs）を探し、"

static const struct kensa_profile en[] = {
    {
        .id = "log4shell",
        .name = "Log4Shell (Apache Log4j 2 JNDI lookup injection)",
        .aliases = ALIASES_LOG4SHELL,
        .summary =
            "Log4j 2 up to 2.14.1 expands ${jndi:...} lookups in anything it "
            "logs. An attacker who gets a string into a log line (a header, "
            "a user name, a form field) makes the Java process fetch and run "
            "code from an LDAP or RMI server of their choosing. Exploitation "
            "began in December 2021 and has not stopped: mass scanners probe "
            "every reachable service, and state-backed groups use it as a way "
            "in, among them APT35 (the CharmPower PowerShell toolkit, "
            "delivered with a public JNDI exploit kit) and AQUATIC PANDA "
            "(against Tomcat on VMware Horizon), alongside commodity malware "
            "such as Bladabindi, HabitsRAT and the Webtoos DDoS bot.",
        .impact =
            "Any Java application that bundles log4j-core 2.0-beta9 to "
            "2.16.0 (CVE-2021-44228, CVE-2021-45046: remote code execution) "
            "or up to 2.17.0 (CVE-2021-45105 denial of service, "
            "CVE-2021-44832 code execution through a hostile configuration), "
            "except 2.3.2, 2.12.4 and 2.17.1 and later. The library often "
            "hides inside wars, fat jars and vendor appliances, shaded under "
            "another package name. Log4j 1.x is not affected by these CVEs "
            "and has its own profile (log4j1-eol).",
        .assessment =
            "Critical. The flaw needs no authentication and one logged "
            "string, and attackers keep scanning for it years later, largely "
            "because owners do not know where Log4j is on their systems. A "
            "host that looks clean today may have been entered before it was "
            "patched: fixing the library does not undo an intrusion.",
        .mitigation =
            "Find every copy, nested ones included (kensa log4j). Upgrade to "
            "2.17.1 or later on Java 8+, 2.12.4 on Java 7, 2.3.2 on Java 6. "
            "Where an upgrade must wait, remove JndiLookup.class from the jar "
            "(kensa log4j --fix) and restart the application. Then look for "
            "earlier exploitation: search web, application and proxy logs for "
            "obfuscated ${jndi: strings (kensa logs), check outbound LDAP, "
            "RMI and DNS traffic to unknown hosts, and scan the host for "
            "implants and new persistence.",
        .references =
            "https://logging.apache.org/log4j/2.x/security.html\n"
            "https://nvd.nist.gov/vuln/detail/CVE-2021-44228\n"
            "https://nvd.nist.gov/vuln/detail/CVE-2021-45046\n"
            "https://www.microsoft.com/en-us/security/blog/2021/12/11/"
            "guidance-for-preventing-detecting-and-hunting-for-cve-2021-44228"
            "-log4j-2-exploitation/",
    },
    {
        .id = "log4j2-residual",
        .name = "Log4j 2 after Log4Shell: the medium CVEs that remain",
        .aliases = ALIASES_LOG4J2_RESIDUAL,
        .summary =
            "Two flaws outlived the Log4Shell fixes of 2.15.0 and 2.16.0. "
            "CVE-2021-45105 (fixed in 2.17.0, 2.12.3, 2.3.1): a "
            "self-referential lookup in a context map value (${ctx:...}) "
            "recurses without end and stops the process with a stack "
            "overflow, where a non-default pattern layout uses it. "
            "CVE-2021-44832 (fixed in 2.17.1, 2.12.4, 2.3.2): someone who "
            "can change the logging configuration can point a JDBCAppender "
            "at a JNDI data source of their choosing and run code.",
        .impact =
            "log4j-core 2.16.0 and 2.17.0 and their Java 7/6 siblings "
            "2.12.2, 2.12.3 and 2.3.1, and copies of earlier releases whose "
            "JndiLookup.class was removed (mitigated). Releases 2.3.2, "
            "2.12.4, 2.17.1 and later carry neither flaw.",
        .assessment =
            "Medium. Neither flaw is the one-string remote takeover of "
            "Log4Shell: CVE-2021-45105 needs a configuration that logs "
            "attacker-controlled context data and gives a denial of "
            "service, CVE-2021-44832 needs write access to the logging "
            "configuration. Plan the upgrade; do not treat it as an "
            "emergency. A copy reported patched or mitigated with no CVE "
            "left needs only to be kept current.",
        .mitigation =
            "Upgrade to 2.17.1 or later on Java 8+, 2.12.4 on Java 7, "
            "2.3.2 on Java 6. Until then, keep the logging configuration "
            "writable only by the application's owner, do not load it from "
            "a remote location, and avoid ${ctx:...} lookups in patterns.",
        .references = REFS_LOG4J2_RESIDUAL,
    },
    {
        .id = "log4j1-eol",
        .name = "Apache Log4j 1.x (end of life)",
        .aliases = ALIASES_LOG4J1_EOL,
        .summary =
            "Log4j 1.x is the old logging library that Log4j 2 replaced. "
            "Apache declared it end of life in August 2015 (the last "
            "release, 1.2.17, dates from 2012) and reconfirmed in 2022 "
            "that it will not be fixed. It is not affected by Log4Shell, "
            "but several of its optional classes have their own flaws, none "
            "fixed upstream: SocketServer deserialises whatever a client "
            "sends (CVE-2019-17571, critical); JMSAppender (CVE-2021-4104) "
            "and JMSSink (CVE-2022-23302) perform JNDI lookups named in the "
            "configuration; JDBCAppender builds SQL from logged text "
            "(CVE-2022-23305, SQL injection); the chainsaw viewer "
            "deserialises events from the network (CVE-2022-23307); "
            "SMTPAppender does not check the mail server's host name over "
            "TLS (CVE-2020-9488).",
        .impact =
            "Any Java application that bundles log4j 1.x (log4j-1.2.x.jar), "
            "often old in-house software and vendor products. Only the "
            "classes listed with a finding matter: most of them are "
            "dangerous only when the application uses them (a SocketServer "
            "listening, a JMS or JDBC appender or the chainsaw receiver in "
            "the configuration). Distribution builds such as Debian's "
            "liblog4j1.2-java 1.2.17-9 and later backport fixes (a "
            "hardened SocketNode and chainsaw, a JDBCAppender with "
            "PreparedStatement, JMSAppender and JMSSink removed); kensa "
            "recognises them by their classes and lists only the CVEs "
            "left.",
        .assessment =
            "High while a deserialisation, JNDI or SQL injection CVE "
            "remains (all listed ones but CVE-2020-9488); medium for a "
            "build whose backported fixes leave only SMTPAppender's "
            "CVE-2020-9488 (a man in the middle reading mail sent over TLS) "
            "or nothing. No further fix will come from Apache, so every flaw "
            "found later stays open. The listed CVEs need a particular use "
            "or configuration (SocketServer reachable from the network is "
            "the worst case, with no authentication), so check how the "
            "application runs before ranking it above a Log4Shell finding.",
        .mitigation =
            "Migrate to Log4j 2 (2.17.1 or later; the log4j-1.2-api bridge "
            "keeps the 1.x API and reads most 1.x configurations), or "
            "replace the jar with reload4j 1.2.18.1 or later, a maintained "
            "drop-in fork with the same classes and these CVEs fixed. Until "
            "then: do not run SocketServer or chainsaw where the network can "
            "reach them, remove the JMS and JDBC appenders from the "
            "configuration, and delete unused dangerous classes from the "
            "jar (kensa log4j --fix removes SocketServer, JMSAppender, "
            "JMSSink and JDBCAppender).",
        .references =
            "https://logging.apache.org/log4j/1.2/\n"
            "https://blogs.apache.org/foundation/entry/apache_logging_services_project_announces\n"
            "https://nvd.nist.gov/vuln/detail/CVE-2019-17571\n"
            "https://nvd.nist.gov/vuln/detail/CVE-2021-4104\n"
            "https://nvd.nist.gov/vuln/detail/CVE-2022-23305\n"
            "https://reload4j.qos.ch/\n"
            "https://www.jpcert.or.jp/at/2021/at210050.html",
    },
    {
        .id = "flagpro",
        .name = "Flagpro dropper (BlackTech): a macro that plants dwm.exe "
                "in the Startup folder",
        .aliases = "BlackTech, Palmerworm, Red Djinn, Earth Hundun, "
                   "BUSYICE, win.flagpro",
        .summary =
            "Flagpro is a Windows first-stage downloader that the BlackTech "
            "group has used since at least October 2020, mostly against "
            "defence, media and communications companies in Japan. It comes "
            "in a spear-phishing mail written as if from the target's "
            "business partner, with a ZIP or RAR archive whose password is "
            "in the mail body; inside is an .xlsm workbook. Once the reader "
            "enables macros, the macro writes an executable named dwm.exe "
            "into the Startup folder, so it runs at the next logon. Flagpro "
            "then talks to its server over HTTP (Base64 both ways), fetches "
            "and runs further malware, runs commands through cmd.exe and "
            "sends back Windows credentials; version 2.0 (July 2021) closes "
            "the browser dialogs that would reveal its connections.",
        .impact =
            "Windows users who open the workbook and enable its macros. The "
            "document itself is the evidence kensa reports: a macro with an "
            "auto-exec trigger (Workbook_Open, Auto_Open) that writes an "
            "executable into a Startup folder, whatever names and "
            "obfuscation a variant uses.",
        .assessment =
            "Critical for a document: opening it and enabling its macros "
            "gives the attacker a foothold that survives reboots. BlackTech "
            "reworks its tools after each public report, so hashes and "
            "server lists age within weeks; judging what the macro does is "
            "what keeps working.",
        .mitigation =
            "Quarantine the document and the mail that carried it, and find "
            "the other recipients. On any machine where it was opened, look "
            "for dwm.exe (or any executable) in the users' Startup folders "
            "and outside System32, and for outbound HTTP to unknown hosts; "
            "treat a hit as a compromise (isolate, collect, reset the "
            "credentials used there). Keep macros disabled by default for "
            "files from the internet, and be wary of any attachment that "
            "asks to enable them or arrives in an archive with the password "
            "in the mail.",
        .references = REFS_FLAGPRO,
    },
    {
        .id = "maldoc",
        .name = "Malicious or suspicious Office document",
        .aliases = "maldoc, macro dropper, downloader document",
        .summary =
            "An Office document whose active content would act on the "
            "computer that opens it: VBA or Excel 4 (XLM) macros that run "
            "by themselves and write or start programs, download from the "
            "network, or hide what they do; a template or object fetched "
            "from a remote server; a DDE field that starts a command; an "
            "embedded package holding a program or shortcut. kensa judges "
            "the document by what this content would do, not by a "
            "signature.",
        .impact =
            "Whoever opens the document in Office (and, for macros, enables "
            "them). A verdict of malicious means an auto-exec macro reaches "
            "writing or running an executable or writes into a Startup "
            "folder; suspicious means content that ordinary documents rarely "
            "need, or an encrypted document kensa could not judge.",
        .assessment =
            "High when malicious: these documents are the usual first step "
            "of intrusions delivered by mail. Medium when suspicious: look "
            "before the document is opened. A document reported with "
            "macros only is informational.",
        .mitigation =
            "Do not open the document; quarantine it with its mail. Read the "
            "macros kensa extracted (kensa doc --extract DIR) and the "
            "indicators it lists, and block those hosts. If it was opened, "
            "check the machine for new files in Startup folders, Run keys "
            "and unknown processes. Disable macros for files from the "
            "internet, and block remote templates and DDE where the "
            "business allows.",
        .references = REFS_MALDOC,
    },
    {
        .id = "persistence",
        .name = "Suspicious persistence entry",
        .aliases = "ATT&CK TA0003",
        .summary =
            "Something on the system is set to start a program by itself: a "
            "cron job, a systemd unit, an init or profile script, a launchd "
            "job, a file in a Windows Startup folder, a scheduled task. "
            "Malware needs such an entry to survive a reboot or a logout, "
            "and hides it among the many legitimate ones: SysJoker installs "
            "a cron job, a LaunchAgent or a Run key that poses as a system "
            "update, Flagpro drops its executable into the Startup folder, "
            "and the bots planted through Log4Shell add @reboot lines that "
            "download and run a script. kensa reports only entries whose "
            "target is out of place: downloaded or decoded on the fly, kept "
            "in a temporary, hidden or data folder, named like an updater "
            "where any user can write, missing, or preloaded into every "
            "program.",
        .impact =
            "The machine whose files hold the entry: the live host, or the "
            "image or triage copy scanned with --root. The program it names "
            "runs with the rights of the entry's owner (root for system "
            "crontabs, units, launch daemons and most scheduled tasks) at "
            "every boot, logon or schedule.",
        .assessment =
            "High when the entry downloads, decodes or runs from a place "
            "programs do not live: legitimate software rarely does. Medium "
            "for an entry whose program is missing (often an uninstalled "
            "program, sometimes malware that deleted itself and will be "
            "fetched again). Check each finding against what the "
            "administrators installed before acting.",
        .mitigation =
            "Remove the entry (the line, unit, plist, task or file), then "
            "quarantine the program it launches (copy and hash it before "
            "deleting: it is evidence). Kill the processes it started and "
            "scan memory again to make sure nothing is left running. Then "
            "look for the way in: the file times of the entry and its "
            "target give a window to search web, application and "
            "authentication logs (kensa logs), exposed services and "
            "vulnerable software such as Log4j (kensa log4j).",
        .references =
            "https://attack.mitre.org/tactics/TA0003/\n"
            "https://attack.mitre.org/techniques/T1053/\n"
            "https://attack.mitre.org/techniques/T1543/\n"
            "https://attack.mitre.org/techniques/T1547/001/",
    },
    {
        .id = "sysjoker",
        .name = "SysJoker (cross-platform backdoor)",
        .aliases = ALIASES_SYSJOKER,
        .summary =
            "A backdoor with builds for Windows, Linux and macOS that behave "
            "alike, found by Intezer in December 2021 on the Linux web "
            "server of an educational institution. On Windows a dropper "
            "unzips it under C:\\ProgramData\\RecoverySystem; each build "
            "then copies itself where it passes for a system updater "
            "(igfxCUIService.exe under ProgramData, "
            "/.Library/SystemServices/updateSystem, "
            "/Library/MacOsServices/updateMacOs) and sets itself to run at "
            "start (a Run key, an @reboot cron line, the launch agent "
            "com.apple.update.plist). It fingerprints the host with system "
            "commands, reads the address of its server from a file on Google "
            "Drive (the server changed several times), and on order runs "
            "commands, downloads and runs programs, or deletes itself.",
        .impact =
            "Windows, Linux and macOS machines. The operator appears to "
            "choose specific victims; an infected npm package was suggested "
            "as one way in.",
        .assessment =
            "Critical where found: it gives the operator full remote control "
            "and is probably a step towards espionage, lateral movement or "
            "ransomware. The code shares nothing with known malware, so the "
            "author can change it easily: treat known hashes as a floor, and "
            "rely on the places it hides and the way it persists too.",
        .mitigation =
            "1. Kill its processes (the updateSystem, updateMacOs or "
            "igfxCUIService.exe copies). 2. Remove its persistence: the "
            "@reboot cron line, the launch agent com.apple.update.plist, the "
            "Run value igfxCUIService. 3. Delete its files and folders "
            "(/.Library, /Library/MacOsServices, /Library/SystemNetwork, "
            "C:\\ProgramData\\SystemData and RecoverySystem), after copying "
            "them for analysis. 4. Scan memory with a memory scanner to make "
            "sure nothing is left running. 5. Find the way in: on a server, "
            "review exposed services and their configuration, password "
            "strength, and software versions with known exploits. Block the "
            "C2 domains and the Google Drive links at the proxy.",
        .references = REFS_SYSJOKER,
    },
    {
        .id = "charmpower",
        .name = "CharmPower (APT35's modular PowerShell toolkit)",
        .aliases = ALIASES_CHARMPOWER,
        .summary =
            "A PowerShell backdoor that APT35 (Charming Kitten, PHOSPHORUS, "
            "Magic Hound) installed through Log4Shell in January 2022, with a "
            "public JNDI exploit kit. Its core checks the network, "
            "enumerates the system, reads the address of its server from an "
            "Amazon S3 bucket (changing servers every few hundred polls), "
            "then receives modules as Base64-encoded PowerShell or C# and "
            "posts their results back over HTTP. One module erases "
            "persistence traces from the registry.",
        .impact =
            "Windows hosts running Java applications that were vulnerable to "
            "Log4Shell (CVE-2021-44228), and anything reachable from them.",
        .assessment =
            "Critical: a state-backed actor with hands on the keyboard. "
            "Modules arrive from the server, so what was done on a host "
            "cannot be read from the files alone; the cleanup module may have "
            "removed registry persistence already.",
        .mitigation =
            EN_KILL "These are PowerShell processes. 2. Remove persistence "
            "(Run keys, scheduled tasks, services), knowing the cleanup "
            "module may have hidden some. " EN_COPY_DELETE EN_MEMORY
            "Its modules live there. " EN_ENTRY_LOG4J "patch it, and block "
            "the S3 bucket and C2 addresses at the proxy.",
        .references = REFS_CHARMPOWER,
    },
    {
        .id = "webtoos",
        .name = "Webtoos (Linux DDoS bot delivered through Log4Shell)",
        .aliases = ALIASES_WEBTOOS,
        .summary =
            "Malware with distributed denial-of-service functions and a "
            "persistence mechanism, seen by Microsoft being installed through "
            "Log4Shell from December 2021. Public detail is thin: kensa's "
            "rule looks for flood modes and boot persistence together in one "
            "Linux executable, and reports with low confidence.",
        .impact =
            "Linux servers running Java applications vulnerable to Log4Shell.",
        .assessment =
            "High to critical: the host is under an attacker's control and "
            "lends its bandwidth to attacks on others; the persistence lets "
            "the attacker come back for more.",
        .mitigation =
            EN_KILL "2. Remove its persistence (cron, systemd units, init "
            "scripts, rc.local). " EN_COPY_DELETE EN_MEMORY EN_ENTRY_LOG4J
            "patch it and watch outbound traffic.",
        .references = REFS_LOG4SHELL_MALWARE,
    },
    {
        .id = "bladabindi",
        .name = "Bladabindi (njRAT remote access trojan)",
        .aliases = ALIASES_BLADABINDI,
        .summary =
            "A long-known .NET remote access trojan, among the payloads "
            "Microsoft saw dropped after Log4Shell exploitation. It logs "
            "keys, steals credentials, opens the firewall for itself with "
            "netsh, spreads over removable drives and takes orders over a "
            "plain TCP channel whose fields are separated by a fixed marker.",
        .impact = "Windows hosts, reached here through vulnerable Java applications.",
        .assessment =
            "Critical: full remote control, keylogging and credential "
            "theft. Builders are freely available, so samples vary widely.",
        .mitigation =
            EN_KILL "2. Remove its persistence (Run keys, the Startup "
            "folder copy) and the firewall exception it added. "
            EN_COPY_DELETE EN_MEMORY EN_ENTRY_LOG4J "patch it, and change "
            "the passwords used on the host.",
        .references = REFS_LOG4SHELL_MALWARE,
    },
    {
        .id = "habitsrat",
        .name = "HabitsRAT (Go remote access trojan)",
        .aliases = ALIASES_HABITSRAT,
        .summary =
            "A remote access trojan written in Go with Windows and Linux "
            "builds, among the payloads Microsoft saw dropped after Log4Shell "
            "exploitation. Public detail is thin: kensa's rule asks for a Go "
            "binary naming the project, holding a public key and running "
            "commands, and reports with low confidence.",
        .impact = "Windows and Linux hosts running Java applications vulnerable to Log4Shell.",
        .assessment = "Critical: remote command execution by an attacker.",
        .mitigation =
            EN_KILL "2. Remove its persistence (cron, systemd, Run keys, "
            "scheduled tasks). " EN_COPY_DELETE EN_MEMORY EN_ENTRY_LOG4J
            "patch it.",
        .references = REFS_LOG4SHELL_MALWARE,
    },
};

static const struct kensa_profile ja[] = {
    {
        .id = "log4shell",
        .name = "Log4Shell（Apache Log4j 2 の JNDI ルックアップ悪用）",
        .aliases = ALIASES_LOG4SHELL,
        .summary =
            "Log4j 2（2.14.1 以前）は、ログに書き込む文字列に含まれる "
            "${jndi:...} を展開してしまう。攻撃者がヘッダーやユーザー名、"
            "フォームの値などをログに残させるだけで、Java プロセスは攻撃者の "
            "LDAP／RMI サーバーからコードを取得して実行する。2021年12月に"
            "悪用が始まり、現在も続いている。大規模なスキャンに加え、"
            "国家支援型のグループも侵入口として利用しており、APT35"
            "（公開 JNDI エクスプロイトキットで PowerShell ツールキット "
            "CharmPower を配布）や AQUATIC PANDA（VMware Horizon 上の "
            "Tomcat を標的）、Bladabindi・HabitsRAT・DDoS ボット Webtoos "
            "などのマルウェアが確認されている。",
        .impact =
            "log4j-core 2.0-beta9〜2.16.0（CVE-2021-44228、CVE-2021-45046："
            "リモートコード実行）、および 2.17.0 以前（CVE-2021-45105：サービス"
            "妨害、CVE-2021-44832：設定経由のコード実行）を含むすべての Java "
            "アプリケーション。ただし 2.3.2、2.12.4、2.17.1 以降は対象外。"
            "war や fat jar、製品アプライアンスの内部に、別パッケージ名で"
            "シェーディングされて入っていることが多い。Log4j 1.x はこれらの "
            "CVE の対象外で、別のプロファイル（log4j1-eol）で扱う。",
        .assessment =
            "緊急。認証不要で、ログに残る文字列ひとつで成立する。公開から"
            "年月が経った今もスキャンが続いているのは、所有者が自システムの"
            "どこに Log4j があるか把握していないことが大きい。現在痕跡がない"
            "ホストでも、更新前に侵入されていた可能性がある。ライブラリを"
            "更新しても侵入そのものは元に戻らない。",
        .mitigation =
            "入れ子のものも含めてすべてのコピーを洗い出す（kensa log4j）。"
            "Java 8 以降は 2.17.1 以上、Java 7 は 2.12.4、Java 6 は 2.3.2 に"
            "更新する。すぐに更新できない場合は jar から JndiLookup.class を"
            "削除し（kensa log4j --fix）、アプリケーションを再起動する。"
            "そのうえで過去の攻撃を調べる：Web・アプリケーション・プロキシの"
            "ログから難読化された ${jndi: 文字列を探し（kensa logs）、未知の"
            "ホストへの LDAP・RMI・DNS 通信を確認し、ホスト上のバックドアや"
            "新たな永続化を検査する。",
        .references =
            "https://logging.apache.org/log4j/2.x/security.html\n"
            "https://nvd.nist.gov/vuln/detail/CVE-2021-44228\n"
            "https://nvd.nist.gov/vuln/detail/CVE-2021-45046\n"
            "https://www.microsoft.com/en-us/security/blog/2021/12/11/"
            "guidance-for-preventing-detecting-and-hunting-for-cve-2021-44228"
            "-log4j-2-exploitation/",
    },
    {
        .id = "log4j2-residual",
        .name = "Log4Shell 後も残る Log4j 2 の脆弱性（深刻度：警告）",
        .aliases = ALIASES_LOG4J2_RESIDUAL,
        .summary =
            "2.15.0 と 2.16.0 の Log4Shell 対策の後にも、二つの脆弱性が残って"
            "いた。CVE-2021-45105（2.17.0、2.12.3、2.3.1 で修正）：コンテキスト"
            "マップの値に自分自身を参照するルックアップ（${ctx:...}）があると"
            "無限に再帰し、スタックオーバーフローでプロセスが停止する。既定では"
            "ないパターンレイアウトでそれを使っている場合に限る。"
            "CVE-2021-44832（2.17.1、2.12.4、2.3.2 で修正）：ログ設定を変更"
            "できる者が JDBCAppender の接続先を任意の JNDI データソースに向け、"
            "コードを実行できる。",
        .impact =
            "log4j-core 2.16.0、2.17.0 と、Java 7／6 向けの 2.12.2、2.12.3、"
            "2.3.1、および JndiLookup.class を削除して緩和した旧版のコピー。"
            "2.3.2、2.12.4、2.17.1 以降はどちらの影響も受けない。",
        .assessment =
            "中。いずれも Log4Shell のような文字列ひとつでの遠隔乗っ取りでは"
            "ない。CVE-2021-45105 は攻撃者が制御するコンテキストデータをログに"
            "出す設定が前提で、影響はサービス妨害。CVE-2021-44832 はログ設定へ"
            "の書き込み権限が前提となる。緊急対応ではなく、計画的に更新する。"
            "「修正済み」または CVE の残らない「緩和済み」と報告されたコピーは、"
            "最新に保つだけでよい。",
        .mitigation =
            "Java 8 以降は 2.17.1 以上、Java 7 は 2.12.4、Java 6 は 2.3.2 に"
            "更新する。それまでは、ログ設定ファイルをアプリケーションの所有者"
            "以外が書き換えられないようにし、リモートから読み込まず、パターン"
            "で ${ctx:...} ルックアップを使わない。",
        .references = REFS_LOG4J2_RESIDUAL,
    },
    {
        .id = "log4j1-eol",
        .name = "Apache Log4j 1.x（サポート終了）",
        .aliases = ALIASES_LOG4J1_EOL,
        .summary =
            "Log4j 1.x は Log4j 2 の前身にあたる旧ロギングライブラリ。Apache は"
            "2015年8月にサポート終了（EOL）を発表し（最終版 1.2.17 は2012年）、"
            "2022年にも修正しない方針を再確認している。Log4Shell の影響は受け"
            "ないが、付属する一部のクラスに上流で修正されない脆弱性がある："
            "SocketServer は受け取ったデータをそのままデシリアライズする"
            "（CVE-2019-17571、緊急）。JMSAppender（CVE-2021-4104）と JMSSink"
            "（CVE-2022-23302）は設定で指定された名前で JNDI ルックアップを行う。"
            "JDBCAppender はログの文字列から SQL を組み立てる（CVE-2022-23305、"
            "SQL インジェクション）。ビューアー chainsaw はネットワークから受けた"
            "イベントをデシリアライズする（CVE-2022-23307）。SMTPAppender は TLS "
            "接続時にメールサーバーのホスト名を検証しない（CVE-2020-9488）。",
        .impact =
            "log4j 1.x（log4j-1.2.x.jar）を含むすべての Java アプリケーション。"
            "古い自社開発システムや製品に多い。問題になるのは検出結果に挙げた"
            "クラスだけで、その多くはアプリケーションが実際に使う場合（"
            "SocketServer の待ち受け、設定内の JMS・JDBC アペンダー、chainsaw の"
            "受信機能）に限って危険となる。Debian の liblog4j1.2-java "
            "1.2.17-9 以降などディストリビューションのビルドは修正を取り込んで"
            "いる（SocketNode と chainsaw の強化、PreparedStatement を使う "
            "JDBCAppender、JMSAppender・JMSSink の削除）。kensa はこれをクラスで"
            "見分け、残る CVE だけを示す。",
        .assessment =
            "デシリアライズ、JNDI、SQL インジェクションの CVE（CVE-2020-9488 "
            "以外のすべて）が残る間は「高」。取り込み済みの修正で残るのが "
            "SMTPAppender の CVE-2020-9488（TLS で送るメールを中間者が読める）"
            "だけ、または何も残らないビルドは「中」。Apache から今後修正が"
            "出ることはなく、新たに見つかる脆弱性も"
            "残り続ける。挙げた CVE はいずれも特定の使い方や設定が前提"
            "（最悪の場合は、認証なしでネットワークから届く SocketServer）"
            "なので、Log4Shell の検出より優先する前に実際の動作を確認する。",
        .mitigation =
            "Log4j 2（2.17.1 以降）へ移行する（log4j-1.2-api ブリッジで 1.x の"
            "API を保ったまま、1.x の設定の多くも読み込める）。または、同じ"
            "クラス構成でこれらの CVE を修正した保守中の互換フォーク reload4j"
            "（1.2.18.1 以降）に jar を置き換える。それまでは、SocketServer や"
            " chainsaw をネットワークから到達できる場所で動かさず、設定から "
            "JMS・JDBC アペンダーを外し、使わない危険なクラスを jar から削除する"
            "（kensa log4j --fix で SocketServer、JMSAppender、JMSSink、"
            "JDBCAppender を削除できる）。",
        .references =
            "https://logging.apache.org/log4j/1.2/\n"
            "https://blogs.apache.org/foundation/entry/apache_logging_services_project_announces\n"
            "https://nvd.nist.gov/vuln/detail/CVE-2019-17571\n"
            "https://nvd.nist.gov/vuln/detail/CVE-2021-4104\n"
            "https://nvd.nist.gov/vuln/detail/CVE-2022-23305\n"
            "https://reload4j.qos.ch/\n"
            "https://www.jpcert.or.jp/at/2021/at210050.html",
    },
    {
        .id = "flagpro",
        .name = "Flagpro ドロッパー（BlackTech）：スタートアップフォルダーに "
                "dwm.exe を置くマクロ",
        .aliases = "BlackTech, Palmerworm, Red Djinn, Earth Hundun, "
                   "BUSYICE, win.flagpro",
        .summary =
            "Flagpro は、BlackTech が遅くとも 2020 年 10 月から使っている "
            "Windows 向けの初期段階のダウンローダーで、主に日本の防衛、"
            "メディア、通信の企業が狙われています。標的の取引先を装った"
            "スピアフィッシングメールで届き、パスワード付きの ZIP または "
            "RAR が添付され、パスワードはメール本文に書かれています。"
            "中身は .xlsm のブックで、マクロを有効にすると dwm.exe という"
            "名前の実行ファイルがスタートアップフォルダーに書き込まれ、"
            "次のログオンで実行されます。その後 Flagpro は HTTP で"
            "サーバーと通信し（送受信とも Base64）、別のマルウェアを取得して"
            "実行し、cmd.exe でコマンドを実行し、Windows の認証情報を送信"
            "します。2021 年 7 月のバージョン 2.0 は、通信が利用者に"
            "分かってしまうブラウザーのダイアログを閉じます。",
        .impact =
            "このブックを開いてマクロを有効にした Windows の利用者。kensa が"
            "報告する根拠は文書そのものです：自動実行のトリガー"
            "（Workbook_Open、Auto_Open）を持つマクロが、スタートアップ"
            "フォルダーに実行ファイルを書き込むこと。亜種が名前や難読化を"
            "変えても同じです。",
        .assessment =
            "文書として重大（critical）です。開いてマクロを有効にすると、"
            "再起動後も残る足場を攻撃者に与えます。BlackTech は公開レポート"
            "のたびにツールを作り変えるため、ハッシュやサーバーの一覧は"
            "数週間で古くなります。有効であり続けるのは、マクロが何を"
            "するかによる判定です。",
        .mitigation =
            "文書とそれを運んだメールを隔離し、ほかの受信者を特定して"
            "ください。開かれた端末では、利用者のスタートアップフォルダーや"
            " System32 以外にある dwm.exe（または任意の実行ファイル）と、"
            "不明なホストへの HTTP 通信を確認し、見つかった場合は侵害として"
            "扱ってください（隔離、証拠の保全、その端末で使われた認証情報の"
            "変更）。インターネットから来たファイルのマクロは既定で無効に"
            "し、マクロの有効化を求める添付ファイルや、本文にパスワードが"
            "書かれたアーカイブで届く添付ファイルには注意してください。",
        .references = REFS_FLAGPRO,
    },
    {
        .id = "maldoc",
        .name = "悪性または不審な Office 文書",
        .aliases = "maldoc, macro dropper, downloader document",
        .summary =
            "開いたコンピューターに対して動作する内容を含む Office 文書"
            "です：自動実行されてプログラムを書き込む・起動する、ネット"
            "ワークからダウンロードする、または動作を隠す VBA や Excel 4"
            "（XLM）のマクロ、リモートのサーバーから取得するテンプレートや"
            "オブジェクト、コマンドを起動する DDE フィールド、プログラムや"
            "ショートカットを含む埋め込みパッケージ。kensa はシグネチャでは"
            "なく、これらの内容が何をするかで文書を判定します。",
        .impact =
            "文書を Office で開いた（マクロの場合は有効にした）利用者。"
            "悪性（malicious）は、自動実行のマクロが実行ファイルの書き込み"
            "や起動に至る、またはスタートアップフォルダーに書き込むことを"
            "示します。不審（suspicious）は、通常の文書にはほとんど必要の"
            "ない内容、または kensa が判定できなかった暗号化文書です。",
        .assessment =
            "悪性の場合は高（high）：こうした文書はメールで届く侵入の"
            "最初の一歩としてよく使われます。不審の場合は中（medium）："
            "開く前に確認してください。マクロありとだけ報告された文書は"
            "参考情報です。",
        .mitigation =
            "文書を開かず、メールと一緒に隔離してください。kensa が取り"
            "出したマクロ（kensa doc --extract DIR）と一覧にある IoC を確認"
            "し、それらのホストを遮断してください。開かれた場合は、"
            "スタートアップフォルダーの新しいファイル、Run キー、不明な"
            "プロセスを端末で確認してください。インターネットから来た"
            "ファイルのマクロは無効にし、業務上可能であればリモート"
            "テンプレートと DDE を遮断してください。",
        .references = REFS_MALDOC,
    },
    {
        .id = "persistence",
        .name = "不審な永続化エントリー",
        .aliases = "ATT&CK TA0003",
        .summary =
            "システムに、プログラムを自動で起動する設定がある（cron ジョブ、"
            "systemd ユニット、init・プロファイルスクリプト、launchd ジョブ、"
            "Windows のスタートアップフォルダーのファイル、タスク スケジューラの"
            "タスク）。マルウェアは再起動やログアウトを越えて生き残るためにこう"
            "した設定を作り、多数の正規の設定に紛れ込ませる。SysJoker はシステム"
            "更新を装った cron ジョブ、LaunchAgent、Run キーを作り、Flagpro は"
            "実行ファイルをスタートアップフォルダーに置き、Log4Shell 経由で送り"
            "込まれるボットはスクリプトをダウンロードして実行する @reboot 行を"
            "追加する。kensa は起動対象が不自然なエントリーだけを報告する"
            "（その場でダウンロード・デコードされる、一時・隠し・データ用"
            "フォルダーに置かれている、誰でも書き込める場所で更新プログラムを"
            "名乗る、存在しない、すべてのプログラムに事前読み込みされる）。",
        .impact =
            "エントリーを含むマシン（稼働中のホスト、または --root で"
            "スキャンしたイメージやトリアージ用コピー）。起動されるプログラムは"
            "エントリーの所有者の権限（システムの crontab、ユニット、launch "
            "デーモン、多くのタスクでは root や SYSTEM）で、起動・ログオン・"
            "スケジュールのたびに実行される。",
        .assessment =
            "ダウンロード、デコード、またはプログラムの置き場所ではない場所から"
            "の実行であれば「高」。正規のソフトウェアがそうすることはまれである。"
            "起動対象が存在しないエントリーは「中」（アンインストール済みの"
            "プログラムであることが多いが、自身を削除して再取得するマルウェアの"
            "こともある）。対処の前に、管理者が導入したものかを確認すること。",
        .mitigation =
            "エントリー（行、ユニット、plist、タスク、ファイル）を削除し、"
            "起動対象のプログラムを隔離する（証拠となるため、削除前にコピーして"
            "ハッシュ値を記録する）。それが起動したプロセスを終了させ、メモリー"
            "を再スキャンして何も動いていないことを確認する。続いて侵入経路を"
            "調べる。エントリーと起動対象のファイル時刻を手掛かりに、Web・"
            "アプリケーション・認証のログ（kensa logs）、公開しているサービス、"
            "Log4j などの脆弱なソフトウェア（kensa log4j）を確認する。",
        .references =
            "https://attack.mitre.org/tactics/TA0003/\n"
            "https://attack.mitre.org/techniques/T1053/\n"
            "https://attack.mitre.org/techniques/T1543/\n"
            "https://attack.mitre.org/techniques/T1547/001/",
    },
    {
        .id = "sysjoker",
        .name = "SysJoker（複数 OS 対応のバックドア）",
        .aliases = ALIASES_SYSJOKER,
        .summary =
            "Windows、Linux、macOS 用のビルドがあり、どれも同じように動くバック"
            "ドア。2021 年 12 月、Intezer が教育機関の Linux Web サーバーへの攻撃"
            "の中で発見した。Windows ではドロッパーが C:\\ProgramData\\"
            "RecoverySystem に展開する。各ビルドはシステムの更新プログラムを装っ"
            "た場所に自分をコピーし（ProgramData 配下の igfxCUIService.exe、"
            "/.Library/SystemServices/updateSystem、/Library/MacOsServices/"
            "updateMacOs）、起動時に実行されるよう登録する（Run キー、@reboot の"
            " cron 行、LaunchAgent の com.apple.update.plist）。システムのコマンド"
            "で端末の情報を集め、Google ドライブ上のファイルから C2 サーバーの"
            "アドレスを読み取り（解析中にも数回変わった）、指示に従ってコマンド"
            "の実行、プログラムのダウンロードと実行、自己削除を行う。",
        .impact =
            "Windows、Linux、macOS のすべて。攻撃者は特定の標的を選んでいると"
            "みられる。侵入経路の一つとして、感染した npm パッケージが挙げられて"
            "いる。",
        .assessment =
            "見つかった場合は緊急。攻撃者に端末の完全な遠隔操作を許し、諜報活動"
            "や横展開、ランサムウェアへの足がかりになりうる。既知のマルウェアと"
            "コードを共有しておらず作者が容易に改変できるため、既知のハッシュに"
            "頼らず、潜む場所と永続化の手口でも探す必要がある。",
        .mitigation =
            "1. 関連プロセス（updateSystem、updateMacOs、igfxCUIService.exe の"
            "コピー）を終了する。2. 永続化を削除する（@reboot の cron 行、"
            "LaunchAgent の com.apple.update.plist、Run 値 igfxCUIService）。"
            "3. 関連するファイルとフォルダー（/.Library、/Library/MacOsServices、"
            "/Library/SystemNetwork、C:\\ProgramData\\SystemData と "
            "RecoverySystem）を、解析用にコピーしたうえで削除する。4. メモリー"
            "スキャナーでマルウェアが残っていないことを確認する。5. 侵入口を調べ"
            "る。サーバーであれば、外部に公開しているサービスの設定、パスワード"
            "の強度、使用中のソフトウェアのバージョンと既知の脆弱性を確認する。"
            "C2 ドメインと Google ドライブのリンクはプロキシーで遮断する。",
        .references = REFS_SYSJOKER,
    },
    {
        .id = "charmpower",
        .name = "CharmPower（APT35 のモジュール型 PowerShell ツール）",
        .aliases = ALIASES_CHARMPOWER,
        .summary =
            "APT35（Charming Kitten、PHOSPHORUS、Magic Hound）が 2022 年 1 月、"
            "公開されている JNDI エクスプロイトキットを使い Log4Shell 経由で設置"
            "した PowerShell 製のバックドア。本体はネットワークの確認とシステム"
            "情報の収集を行い、Amazon S3 バケットから C2 サーバーのアドレスを"
            "読み取り（数百回の通信ごとに切り替える）、Base64 でエンコードされた"
            " PowerShell や C# のモジュールを受け取って実行し、結果を HTTP で送"
            "り返す。レジストリーから永続化の痕跡を消すモジュールもある。",
        .impact =
            "Log4Shell（CVE-2021-44228）の脆弱性がある Java アプリケーションを"
            "動かす Windows ホストと、そこから到達できるすべて。",
        .assessment =
            "緊急。国家の支援を受けた攻撃者が直接操作している。モジュールは"
            "サーバーから届くため、ファイルだけでは何が行われたか分からない。"
            "痕跡消去モジュールがレジストリーの永続化をすでに消している可能性"
            "がある。",
        .mitigation =
            JA_KILL "対象は PowerShell のプロセス。2. 永続化（Run キー、"
            "タスク スケジューラ、サービス）を削除する。一部は消去モジュールで"
            "隠されている可能性がある。" JA_COPY_DELETE JA_MEMORY
            "モジュールはメモリー上にある。" JA_ENTRY_LOG4J "修正し、S3 "
            "バケットと C2 アドレスをプロキシーで遮断する。",
        .references = REFS_CHARMPOWER,
    },
    {
        .id = "webtoos",
        .name = "Webtoos（Log4Shell 経由で設置される Linux の DDoS ボット）",
        .aliases = ALIASES_WEBTOOS,
        .summary =
            "分散型サービス妨害（DDoS）機能と永続化の仕組みを持つマルウェア。"
            "2021 年 12 月以降、Log4Shell 経由で設置されるのを Microsoft が確認"
            "した。公開情報は少なく、kensa のルールは一つの Linux 実行ファイルに"
            "フラッド攻撃の種類と起動時の永続化がそろっているものを探し、確度"
            "「低」として報告する。",
        .impact = "Log4Shell の脆弱性がある Java アプリケーションを動かす Linux サーバー。",
        .assessment =
            "重要から緊急。ホストは攻撃者の支配下にあり、他者への攻撃に帯域を"
            "使われる。永続化により攻撃者は再び戻ってこられる。",
        .mitigation =
            JA_KILL "2. 永続化（cron、systemd ユニット、init スクリプト、"
            "rc.local）を削除する。" JA_COPY_DELETE JA_MEMORY JA_ENTRY_LOG4J
            "修正し、外向きの通信を監視する。",
        .references = REFS_LOG4SHELL_MALWARE,
    },
    {
        .id = "bladabindi",
        .name = "Bladabindi（njRAT、遠隔操作型トロイの木馬）",
        .aliases = ALIASES_BLADABINDI,
        .summary =
            "古くから知られる .NET 製の遠隔操作型トロイの木馬で、Log4Shell の"
            "悪用後に投下されるのを Microsoft が確認したものの一つ。キー入力の"
            "記録、認証情報の窃取、netsh によるファイアウォールの例外登録、"
            "リムーバブルドライブ経由の拡散を行い、固定の区切り記号を使う単純な"
            " TCP 通信で指示を受ける。",
        .impact = "Windows ホスト（ここでは脆弱な Java アプリケーション経由）。",
        .assessment =
            "緊急。完全な遠隔操作、キー入力の記録、認証情報の窃取。作成ツールが"
            "出回っており、検体はさまざまに異なる。",
        .mitigation =
            JA_KILL "2. 永続化（Run キー、スタートアップ フォルダーのコピー）"
            "と、追加されたファイアウォールの例外を削除する。" JA_COPY_DELETE
            JA_MEMORY JA_ENTRY_LOG4J "修正し、ホストで使われたパスワードを"
            "変更する。",
        .references = REFS_LOG4SHELL_MALWARE,
    },
    {
        .id = "habitsrat",
        .name = "HabitsRAT（Go 製の遠隔操作型トロイの木馬）",
        .aliases = ALIASES_HABITSRAT,
        .summary =
            "Go で書かれ、Windows 用と Linux 用のビルドがある遠隔操作型トロイの"
            "木馬で、Log4Shell の悪用後に投下されるのを Microsoft が確認した"
            "ものの一つ。公開情報は少なく、kensa のルールはプロジェクト名を含み、"
            "公開鍵を持ち、コマンドを実行する Go のバイナリーを探し、確度「低」"
            "として報告する。",
        .impact = "Log4Shell の脆弱性がある Java アプリケーションを動かす Windows と Linux のホスト。",
        .assessment = "緊急。攻撃者による遠隔からのコマンド実行。",
        .mitigation =
            JA_KILL "2. 永続化（cron、systemd、Run キー、タスク スケジューラ）"
            "を削除する。" JA_COPY_DELETE JA_MEMORY JA_ENTRY_LOG4J "修正する。",
        .references = REFS_LOG4SHELL_MALWARE,
    },
};

_Static_assert(sizeof(en) == sizeof(ja), "every profile in both languages");

size_t kensa_profile_count(void)
{
    return sizeof(en) / sizeof(en[0]);
}

const struct kensa_profile *kensa_profile_at(size_t i, enum kensa_lang lang)
{
    if(i >= kensa_profile_count())
        return NULL;
    return lang == KENSA_LANG_JA ? &ja[i] : &en[i];
}

const struct kensa_profile *kensa_profile_get(const char *id,
                                              enum kensa_lang lang)
{
    for(size_t i = 0; id && i < kensa_profile_count(); i++) {
        if(!strcasecmp(en[i].id, id))
            return kensa_profile_at(i, lang);
    }
    return NULL;
}

static const struct { const char *key, *en, *ja; } labels[] = {
    { "summary", "Summary", "概要" },
    { "impact", "Impact scope", "影響範囲" },
    { "assessment", "Assessment", "評価" },
    { "mitigation", "Mitigation", "対策" },
    { "references", "References", "参考情報" },
    { "aliases", "Also known as", "別名" },
    { "findings", "Findings", "検出結果" },
    { "version", "version", "バージョン" },
    { "fixed_in", "fix", "修正版" },
    { "evidence", "evidence", "検出根拠" },
};

const char *kensa_label(const char *key, enum kensa_lang lang)
{
    for(size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
        if(!strcmp(labels[i].key, key))
            return lang == KENSA_LANG_JA ? labels[i].ja : labels[i].en;
    }
    return key;
}
