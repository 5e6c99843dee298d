/*
 * log4shell_payloads.yar - malware reported after Log4Shell intrusions
 * (Microsoft's guidance of December 2021 and the Check Point report on
 * APT35): CharmPower, Webtoos, Bladabindi (njRAT), HabitsRAT.  Written by
 * the kensa developers from their published behaviour; for Webtoos and
 * HabitsRAT public detail is thin, so those rules ask for several traits
 * together and say so in `confidence`.
 */

rule kensa_charmpower_powershell
{
    meta:
        threat = "charmpower"
        severity = "critical"
        description = "CharmPower-like PowerShell: C2 address read from an S3 bucket, Base64 modules run with Invoke-Expression, results POSTed back, Run-key cleanup"
        reference = "https://research.checkpoint.com/2022/apt35-exploits-log4j-vulnerability-to-distribute-new-modular-powershell-toolkit/"
        author = "kensa"
        confidence = "medium"
    strings:
        $s3a = ".s3.amazonaws.com" ascii wide nocase
        $s3b = "s3.amazonaws.com/" ascii wide nocase
        $b64 = "FromBase64String" ascii wide nocase
        $iex1 = "Invoke-Expression" ascii wide nocase
        $iex2 = "| iex" ascii wide nocase
        $iex3 = "iex(" ascii wide nocase
        $post1 = "-Method Post" ascii wide nocase
        $post2 = "UploadString" ascii wide nocase
        $post3 = "\"POST\"" ascii wide nocase
        $loop = "Start-Sleep" ascii wide nocase
        $run = "CurrentVersion\\Run" ascii wide nocase
    condition:
        filesize < 5MB and any of ($s3*) and $b64 and any of ($iex*) and
        any of ($post*) and ($loop or $run)
}

rule kensa_webtoos_linux
{
    meta:
        threat = "webtoos"
        severity = "critical"
        description = "Webtoos-like Linux bot: flood modes and boot persistence in one ELF (behaviour reported by Microsoft; strings not published)"
        reference = "https://www.microsoft.com/security/blog/2021/12/11/guidance-for-preventing-detecting-and-hunting-for-cve-2021-44228-log4j-2-exploitation/"
        author = "kensa"
        confidence = "low"
    strings:
        $f1 = "synflood" ascii nocase
        $f2 = "udpflood" ascii nocase
        $f3 = "httpflood" ascii nocase
        $f4 = "tcpflood" ascii nocase
        $f5 = "dnsflood" ascii nocase
        $p1 = "/etc/rc.local" ascii
        $p2 = "/etc/cron" ascii
        $p3 = "/etc/init.d/" ascii
        $p4 = "systemctl enable" ascii
        $w = "webtoos" ascii nocase
    condition:
        uint32(0) == 0x464C457F and
        (($w and 1 of ($f*)) or (3 of ($f*) and 2 of ($p*)))
}

rule kensa_bladabindi_njrat
{
    meta:
        threat = "bladabindi"
        severity = "critical"
        description = "Bladabindi (njRAT) .NET client: firewall exception with netsh, the self-delete ping trick, zone-check suppression, |'|'| field separator"
        reference = "https://www.microsoft.com/security/blog/2021/12/11/guidance-for-preventing-detecting-and-hunting-for-cve-2021-44228-log4j-2-exploitation/"
        author = "kensa"
        confidence = "medium"
    strings:
        $net = "mscoree.dll" ascii
        $fw = "netsh firewall add allowedprogram" wide nocase
        $del = "cmd.exe /c ping 0 -n 2 & del" wide nocase
        $zone = "SEE_MASK_NOZONECHECKS" wide
        $sep = "|'|'|" wide
        $key = "[ENTER]" wide
    condition:
        uint16(0) == 0x5A4D and $net and 3 of ($fw, $del, $zone, $sep, $key)
}

rule kensa_habitsrat_go
{
    meta:
        threat = "habitsrat"
        severity = "critical"
        description = "HabitsRAT-like Go implant (Windows and Linux builds): a Go binary naming the project and carrying its own RSA key for C2 commands"
        reference = "https://www.microsoft.com/security/blog/2021/12/11/guidance-for-preventing-detecting-and-hunting-for-cve-2021-44228-log4j-2-exploitation/"
        author = "kensa"
        confidence = "low"
    strings:
        $go1 = "Go build ID: \"" ascii
        $go2 = "runtime.gopanic" ascii
        $name = "habits" ascii
        $key = "-----BEGIN PUBLIC KEY-----" ascii
        $exec1 = "os/exec.Command" ascii
        $exec2 = "os/exec.(*Cmd).Run" ascii
    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F) and
        any of ($go*) and #name > 2 and $key and any of ($exec*)
}
