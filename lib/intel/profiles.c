/*
 * profiles.c - threat profiles compiled into the library, in English and
 * Japanese: what the threat is, who is affected, how serious it is and
 * what to do.  Written by the kensa developers from the public record
 * (the Apache advisories, vendor reports, the brief in shared/seed); the
 * wording is ours.
 *
 * Adding a profile: one entry in each language array, same index.
 */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "kensa/kensa.h"

static const struct kensa_profile en[] = {
    {
        .id = "log4shell",
        .name = "Log4Shell (Apache Log4j 2 JNDI lookup injection)",
        .aliases = "CVE-2021-44228, CVE-2021-45046, CVE-2021-45105, "
                   "CVE-2021-44832, Log4j 1.x CVE-2021-4104",
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
            "another package name. Log4j 1.x is end-of-life and has its own "
            "unfixed CVEs (JMSAppender, SocketServer, JDBCAppender, "
            "chainsaw).",
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
};

static const struct kensa_profile ja[] = {
    {
        .id = "log4shell",
        .name = "Log4Shell（Apache Log4j 2 の JNDI ルックアップ悪用）",
        .aliases = "CVE-2021-44228, CVE-2021-45046, CVE-2021-45105, "
                   "CVE-2021-44832, Log4j 1.x CVE-2021-4104",
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
            "シェーディングされて入っていることが多い。Log4j 1.x はサポート"
            "終了済みで、独自の未修正 CVE（JMSAppender、SocketServer、"
            "JDBCAppender、chainsaw）がある。",
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
