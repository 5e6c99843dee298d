/*
 * sysjoker.yar - SysJoker, the cross-platform backdoor Intezer described
 * in January 2022 (Windows, Linux and macOS builds with the same design).
 * Written by the kensa developers from the published behaviour: where
 * each build hides, what it runs to fingerprint the host, how it talks
 * to its C2 (a Google Drive file holding the current address, then
 * /api/attach with a hard-coded user_token).  Each rule asks for the
 * right executable format and several independent traits, so a document
 * that merely quotes the report does not match.
 */

rule kensa_sysjoker_windows
{
    meta:
        threat = "sysjoker"
        severity = "critical"
        description = "SysJoker Windows backdoor: igfxCUIService masquerade, LOtL fingerprinting to txc/tempo text files, /api/attach registration"
        reference = "https://www.intezer.com/blog/malware-analysis/new-backdoor-sysjoker/"
        author = "kensa"
    strings:
        $home1 = "igfxCUIService" ascii wide nocase
        $home2 = "SystemData" ascii wide
        $info = "microsoft_Windows.dll" ascii wide nocase
        $wmic = "win32_physicalmedia get SerialNumber" ascii wide nocase
        $tmp1 = "txc1.txt" ascii wide
        $tmp2 = "tempo1.txt" ascii wide
        $reg = "/api/attach" ascii wide
        $tok = "user_token=" ascii wide
        $gd = "drive.google.com/uc?export=download" ascii wide
    condition:
        uint16(0) == 0x5A4D and 4 of them
}

rule kensa_sysjoker_windows_dropper
{
    meta:
        threat = "sysjoker"
        severity = "critical"
        description = "SysJoker first-stage dropper: fetches recoveryWindows.zip and unpacks it under ProgramData\\RecoverySystem"
        reference = "https://www.intezer.com/blog/malware-analysis/new-backdoor-sysjoker/"
        author = "kensa"
    strings:
        $zip = "recoveryWindows.zip" ascii wide nocase
        $dir = "RecoverySystem" ascii wide
        $host = "url-mini.com" ascii wide
        $msg = "/msg.zip" ascii wide
        $ps = "Expand-Archive" ascii wide nocase
    condition:
        uint16(0) == 0x5A4D and $zip and 2 of ($dir, $host, $msg, $ps)
}

rule kensa_sysjoker_linux
{
    meta:
        threat = "sysjoker"
        severity = "critical"
        description = "SysJoker Linux build: copies itself to /.Library/SystemServices/updateSystem, @reboot cron line, MAC address through ip address"
        reference = "https://objective-see.com/blog/blog_0x6C.html"
        author = "kensa"
    strings:
        $home = "/.Library/SystemServices/updateSystem" ascii
        $dir = "/.Library/" ascii
        $cron = "@reboot" ascii
        $mac = "ip address | awk '/ether/{print $2}'" ascii
        $tok = "user_token=987217232" ascii
        $gd = "drive.google.com/uc?export=download" ascii
        $reg = "/api/attach" ascii
        $first = "types-config.ts" ascii
    condition:
        uint32(0) == 0x464C457F and ($home or $dir) and
        3 of ($cron, $mac, $tok, $gd, $reg, $home, $first)
}

rule kensa_sysjoker_macos
{
    meta:
        threat = "sysjoker"
        severity = "critical"
        description = "SysJoker macOS build: /Library/MacOsServices/updateMacOs, launch agent com.apple.update.plist, working folder /Library/SystemNetwork"
        reference = "https://www.intezer.com/blog/malware-analysis/new-backdoor-sysjoker/"
        author = "kensa"
    strings:
        $home = "updateMacOs" ascii
        $svc = "/Library/MacOsServices" ascii
        $net = "/Library/SystemNetwork" ascii
        $agent = "com.apple.update.plist" ascii
        $tok = "user_token=987217232" ascii
        $gd = "drive.google.com/uc?export=download" ascii
        $first = "types-config.ts" ascii
    condition:
        // thin Mach-O (CF FA ED FE, CE FA ED FE), or fat: CA FE BA BE
        // followed by a small architecture count (a Java class has its
        // version there, 45 or more)
        (uint32(0) == 0xFEEDFACF or uint32(0) == 0xFEEDFACE or
         (uint32be(0) == 0xCAFEBABE and uint32be(4) > 0 and
          uint32be(4) < 20)) and 3 of them
}
