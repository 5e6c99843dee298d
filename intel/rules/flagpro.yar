/*
 * flagpro.yar - BlackTech's Flagpro downloader and the Excel macros that
 * drop it (NTT Security Japan, December 2021).  Written by the kensa
 * developers from the behaviour the report and MITRE ATT&CK S0696
 * describe; no hash or C2 host here (the report's appendix was not
 * checked, see shared/intel/flagpro.md).
 *
 * The dropper rule reads macro source: the VBA of an .xlsm as olevba or
 * kensa's own VBA reader (lib/office) prints it, or a macro exported to
 * a .bas file.  It asks for an auto-run entry point, a file written by
 * the macro, the Startup folder and the name dwm.exe together.
 */

rule kensa_flagpro_macro_dropper
{
    meta:
        threat = "flagpro"
        severity = "high"
        description = "Excel macro that runs on open and writes dwm.exe into the Startup folder (Flagpro delivery)"
        reference = "https://insight-jp.nttsecurity.com/post/102hf3q/flagpro-the-new-malware-used-by-blacktech"
        author = "kensa"
    strings:
        // the entry point as code declares it, not as prose names it
        $auto1 = /Sub[ \t]+Workbook_Open[ \t]*\(\)/ nocase
        $auto2 = /Sub[ \t]+Auto_Open[ \t]*\(\)/ nocase
        $end = "End Sub" ascii wide nocase
        $w1 = "For Binary" ascii wide nocase
        $w2 = "SaveToFile" ascii wide nocase
        $w3 = "ADODB.Stream" ascii wide nocase
        $w4 = "CreateTextFile" ascii wide nocase
        $start1 = "\\Start Menu\\Programs\\Startup" ascii wide nocase
        $start2 = "SpecialFolders(\"Startup\")" ascii wide nocase
        $dwm = "dwm.exe" ascii wide nocase
    condition:
        filesize < 20MB and any of ($auto*) and $end and any of ($w*) and
        any of ($start*) and $dwm
}

rule kensa_flagpro_downloader
{
    meta:
        threat = "flagpro"
        severity = "critical"
        description = "Flagpro-like downloader: closes Windows Security / Internet Explorer dialogs by title in several languages, fetches a .tmp file and renames it to .exe, runs cmd.exe"
        reference = "https://attack.mitre.org/software/S0696/"
        author = "kensa"
    strings:
        $dlg_en = "Windows Security" wide
        $dlg_ja = { 57 00 69 00 6E 00 64 00 6F 00 77 00 73 00 20 00 BB 30 AD 30 E5 30 EA 30 C6 30 A3 30 }
        $ie = "Internet Explorer" wide
        $cmd = "cmd.exe /c " ascii wide nocase
        $tmp = ".tmp" ascii wide
        $exe = ".exe" ascii wide
        $b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/" ascii
    condition:
        uint16(0) == 0x5A4D and $dlg_en and $dlg_ja and $ie and $cmd and
        $tmp and $exe and $b64
}
