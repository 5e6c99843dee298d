#!/usr/bin/env bats
# persist2.bats - offline registry and the two task stores (issue 12,
# "Offline registry" and "Scheduled tasks"): a fake Windows root built by
# tests/gen/mkpersist2.py (hives written by hivexsh -w, TaskCache Actions
# blobs built from their layout) is scanned with --root.

load helpers

setup_file() {
    export PR="$BATS_FILE_TMPDIR/win2"
    python3 "$KENSA_TOP/tests/gen/mkpersist2.py" "$PR"
}

# the hive tests need hivexsh to write hives and kensa built with libregf
need_hives() {
    command -v hivexsh >/dev/null || skip "hivexsh (libhivex-bin) not installed"
    grep -q KENSA_HAVE_LIBREGF "$KENSA_BUILD/build.ninja" || skip "kensa built without libregf"
}

persist() {
    k scan --root "$PR" --json | jq -c 'select(.kensa.detector == "persist")'
}

@test "services: the ControlSet Select\\Current names (002) is read, the decoy in ControlSet001 is not" {
    need_hives
    run persist
    [ "$status" -eq 0 ]
    out=$(printf '%s\n' "$output" | jq -c 'select(.kensa.persistence.type == "service")')
    got=$(printf '%s\n' "$out" | jq -r '.registry.path')
    [ "$got" = 'HKLM\SYSTEM\ControlSet002\Services\wmiupd\ImagePath' ] || { echo "got: $got"; false; }
    # REG_EXPAND_SZ expanded, the stored data kept as evidence
    printf '%s\n' "$out" | jqe '.kensa.persistence.target == "C:\\ProgramData\\WmiUpd\\wmiupd.exe" and
        .registry.data.strings == ["%ProgramData%\\WmiUpd\\wmiupd.exe"] and
        .kensa.persistence.hive == "/Windows/System32/config/SYSTEM" and
        (.kensa.evidence_ids | index("persist.ev.registry") and index("persist.ev.datadir"))'
    printf '%s\n' "$output" | jqe -s 'all(.[]; (.kensa.evidence | test("decoy") | not))'
}

@test "SOFTWARE: a WOW6432Node Run value is read; the 32-bit Adobe entry stays silent" {
    need_hives
    run persist
    [ "$status" -eq 0 ]
    got=$(printf '%s\n' "$output" | jq -r 'select(.kensa.persistence.type == "run_key") | .registry.path' | sort)
    want=$(printf '%s\n' 'HKCU\Software\Microsoft\Windows\CurrentVersion\Run\Sync' \
        'HKLM\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Run\igfx' | sort)
    [ "$got" = "$want" ] || { echo "got: $got"; false; }
}

@test "NTUSER.DAT: %APPDATA% expanded with the profile's folders; evidence names hive, key, value and data" {
    need_hives
    run persist
    [ "$status" -eq 0 ]
    printf '%s\n' "$output" | jqe -s 'map(select(.registry.path // "" | endswith("Run\\Sync")))[0] |
        .kensa.persistence.target == "C:\\Users\\carol\\AppData\\Roaming\\SyncHost\\synchost.exe" and
        .process.command_line == "C:\\Users\\carol\\AppData\\Roaming\\SyncHost\\synchost.exe -k" and
        .registry.hive == "HKCU" and .kensa.system.path == "/Users/carol/NTUSER.DAT" and
        (.kensa.evidence | test("Run\\\\Sync of hive /Users/carol/NTUSER.DAT holds %APPDATA%"))'
}

@test "UsrClass.dat: a per-user COM class served from the user's Temp folder (COM hijack)" {
    need_hives
    run persist
    [ "$status" -eq 0 ]
    printf '%s\n' "$output" | jqe -s 'map(select(.kensa.persistence.type == "com_hijack")) | length == 1 and
        (.[0] | .kensa.persistence.target == "C:\\Users\\carol\\AppData\\Local\\Temp\\mmdevapi.dll" and
        .kensa.system.path == "/Users/carol/AppData/Local/Microsoft/Windows/UsrClass.dat" and
        (.registry.path | startswith("HKCU\\Software\\Classes\\CLSID\\{BCDE0395")) and
        (.threat.technique.id | index("T1546.015")))'
}

@test "TaskCache: a task without SD and without XML file, an XML task without TaskCache entry, a COM handler resolved; defrag silent" {
    need_hives
    run persist
    [ "$status" -eq 0 ]
    out=$(printf '%s\n' "$output" | jq -c 'select(.kensa.persistence.type == "scheduled_task")')
    got=$(printf '%s\n' "$out" | jq -r '"\(.rule.id) \(.kensa.persistence.target)"' | sort)
    want=$(printf '%s\n' \
        'persist.data_folder C:\ProgramData\CacheSvc\cache.dll' \
        'persist.task_no_sd C:\Windows\System32\rundll32.exe' \
        'persist.task_xml_only /Windows/System32/Tasks/OrphanTask' | sort)
    [ "$got" = "$want" ] || { echo "got: $got"; false; }
    printf '%s\n' "$out" | jqe -s 'map(select(.rule.id == "persist.task_no_sd"))[0] |
        .kensa.persistence.label == "\\Updater" and .kensa.persistence.hidden == true and
        .event.severity == 75 and
        (.kensa.evidence_ids | index("persist.ev.task_no_sd") and index("persist.ev.task_reg_only")) and
        (.process.command_line | endswith("shell32.dll,Control_RunDLL"))'
    printf '%s\n' "$out" | jqe -s 'map(select(.rule.id == "persist.data_folder"))[0] |
        (.kensa.evidence | test("COM class \\{AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE\\} runs"))'
    printf '%s\n' "$out" | jqe -s 'map(select(.rule.id == "persist.task_xml_only"))[0] |
        .kensa.system.path == "/Windows/System32/config/SOFTWARE" and .event.severity == 50'
}

@test "a hostile TaskCache: a flood of tasks, deep folders and broken Actions blobs give no crash" {
    need_hives
    h="$BATS_TEST_TMPDIR/h"
    python3 - "$h" "$KENSA_TOP/tests/gen" <<'PY'
import os, struct, sys
sys.path.insert(0, sys.argv[2])
from mkroots import hive
tc = 'Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache'
keys = {}
for i in range(300):
    g = '{%08d-0000-0000-0000-000000000000}' % i
    keys[tc + '\\Tree\\t%d' % i] = [('Id', 'string:' + g)]
    blob = [struct.pack('<H', 3) + b'\xff\xff\xff\x7f',          # context past the end
            struct.pack('<HI', 1, 0) + b'\x66\x66' + b'\x00' * 3,  # cut in an id
            struct.pack('<H', 3) + struct.pack('<I', 0) + b'\x88\x88' + struct.pack('<I', 0) * 9 + b'\xff\xff\xff\xff',
            os.urandom(64)][i % 4]
    keys[tc + '\\Tasks\\' + g] = [('Actions', 'hex:3:' + ','.join('%02x' % c for c in blob))]
keys[tc + '\\Tree\\' + '\\'.join('d%d' % i for i in range(20)) + '\\t'] = [('Id', 'string:{x}')]
hive(sys.argv[1], 'Windows/System32/config/SOFTWARE', keys)
PY
    mkdir -p "$h/Windows/System32/Tasks"
    run k scan --root "$h" --json
    [ "$status" -eq 0 ] || [ "$status" -eq 1 ]
    printf '%s\n' "$output" | jqe -s 'any(.[]; .event.action == "scan-completed")'
    # tasks without SD are found (the blobs are broken, not the tree)
    printf '%s\n' "$output" | jq_any '.rule.id == "persist.task_no_sd"'
    printf '%s\n' "$output" | jq_any '.error.id == "persist.truncated"'
}

@test "a Run value launching a file the user's YARA rule matches is raised with that evidence; a missing program is evidence" {
    need_hives
    L="$BATS_TEST_TMPDIR/link"
    python3 "$KENSA_TOP/tests/gen/mkpersist2.py" "$L" link
    printf 'rule contoso_implant { strings: $a = "KENSA-TEST-CONTOSO-IMPLANT" condition: $a }\n' \
        > "$BATS_TEST_TMPDIR/c.yar"
    # without the rule the Program Files entry is silent; the missing program is reported
    run k scan --root "$L" --json
    [ "$status" -eq 1 ]
    got=$(printf '%s\n' "$output" | jq -r 'select(.kensa.detector == "persist") | "\(.rule.id) \(.registry.path)"')
    [ "$got" = 'persist.missing_target HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run\Agent' ] || { echo "got: $got"; false; }
    run k scan --root "$L" --json --rules "$BATS_TEST_TMPDIR/c.yar"
    [ "$status" -eq 1 ]
    printf '%s\n' "$output" | jqe -s 'map(select(.kensa.detector == "persist" and .rule.id == "persist.target_matched")) |
        length == 1 and (.[0] | .registry.path == "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\Contoso" and
        .kensa.verdict == "malicious" and .kensa.persistence.target_file == "/Program Files/Contoso/contoso.exe" and
        .kensa.persistence.target_rule == "c.yar:contoso_implant" and
        (.kensa.evidence | test("launches /Program Files/Contoso/contoso.exe, which matched c.yar:contoso_implant")))'
    # the file itself is reported once, by the walker, not again through the entry
    n=$(printf '%s\n' "$output" | jq -s 'map(select(.kensa.detector == "yara")) | length')
    [ "$n" -eq 1 ]
    printf '%s\n' "$output" | jqe -s 'map(select(.kensa.persistence.target_missing == true))[0] |
        .kensa.persistence.target == "C:\\Tools\\agent.exe" and (.kensa.evidence_ids | index("persist.ev.missing"))'
}

@test "a launched program is never read through a link out of the root" {
    need_hives
    L="$BATS_TEST_TMPDIR/link"
    python3 "$KENSA_TOP/tests/gen/mkpersist2.py" "$L" link
    out="$BATS_TEST_TMPDIR/outside"
    mkdir -p "$out"
    printf 'MZ KENSA-TEST-CONTOSO-IMPLANT\n' > "$out/implant.exe"
    rm -rf "$L/Program Files/Contoso"
    ln -s "$out" "$L/Program Files/Contoso"          # a folder link out of the root
    printf 'rule contoso_implant { strings: $a = "KENSA-TEST-CONTOSO-IMPLANT" condition: $a }\n' \
        > "$BATS_TEST_TMPDIR/c.yar"
    cp "$out/implant.exe" "$out/contoso.exe"
    run k scan --root "$L" --json --rules "$BATS_TEST_TMPDIR/c.yar"
    [ "$status" -eq 1 ]
    printf '%s\n' "$output" | jqe -s 'any(.[]; .event.action == "scan-completed") and
        ([.[] | select(.rule.id == "persist.target_matched" or .kensa.detector == "yara")] | length == 0)'
}

@test "macOS login items: BackgroundItems-v4.btm and a user's backgrounditems.btm (NSKeyedArchiver graphs); Slack and a helper in Application Support stay silent" {
    M="$BATS_TEST_TMPDIR/mac"
    python3 "$KENSA_TOP/tests/gen/mkpersist2.py" "$M" macos
    run k scan --root "$M" --json
    [ "$status" -eq 1 ]
    out=$(printf '%s\n' "$output" | jq -c 'select(.kensa.detector == "persist")')
    got=$(printf '%s\n' "$out" | jq -r '"\(.kensa.persistence.type) \(.rule.id) \(.kensa.persistence.target)"' | sort)
    want=$(printf '%s\n' 'login_item persist.hidden_folder /Users/x/Library/.hidden/update' \
        'login_item persist.temp_folder /private/tmp/.agent/agent' | sort)
    [ "$got" = "$want" ] || { echo "got: $got"; false; }
    printf '%s\n' "$out" | jqe -s 'map(select(.kensa.persistence.target == "/Users/x/Library/.hidden/update"))[0] |
        .kensa.system.path == "/private/var/db/com.apple.backgroundtaskmanagement/BackgroundItems-v4.btm" and
        .kensa.persistence.bundle_id == "com.apple.updater" and .kensa.persistence.trigger == "logon" and
        (.kensa.evidence_ids | index("persist.ev.login_item") and index("persist.ev.apple") and index("persist.ev.updater")) and
        (.threat.technique.id | index("T1547.015"))'
}

@test "hostile .btm stores: UID loops, references past the table, huge counts give no crash" {
    M="$BATS_TEST_TMPDIR/hm"
    d="$M/private/var/db/com.apple.backgroundtaskmanagement"
    mkdir -p "$d"
    python3 - "$d" <<'PY'
import plistlib, struct, sys
from plistlib import UID
d = sys.argv[1]
# a dictionary whose url is itself (a UID loop), and one pointing past $objects
loop = {'$objects': ['$null', {'url': UID(1)}, {'url': UID(99999)},
                     {'url': UID(4)}, {'NS.relative': UID(3)}]}
open(d + '/BackgroundItems-v1.btm', 'wb').write(plistlib.dumps(loop, fmt=plistlib.FMT_BINARY))
# many items sharing one dictionary with 5000 keys
big = {'k%d' % i: 'v' for i in range(5000)}
big['url'] = 'file:///tmp/x'
objs = {'$objects': ['$null'] + [UID(1)] * 30000 + [big]}
open(d + '/BackgroundItems-v2.btm', 'wb').write(plistlib.dumps(objs, fmt=plistlib.FMT_BINARY))
b = bytearray(plistlib.dumps({'$objects': ['$null', {'url': 'file:///tmp/y'}]}, fmt=plistlib.FMT_BINARY))
for i in range(8, len(b) - 32):
    c = bytearray(b); c[i] ^= 0xff
    open(d + '/BackgroundItems-v3%03d.btm' % i, 'wb').write(c)
PY
    SECONDS=0
    run k scan --root "$M" --json
    [ "$SECONDS" -lt 60 ]
    [ "$status" -eq 0 ] || [ "$status" -eq 1 ]
    printf '%s\n' "$output" | jqe -s 'any(.[]; .event.action == "scan-completed")'
}

@test "a dirty hive: the Run value only in SOFTWARE.LOG1 is found (log replayed, a bad LOG2 entry ignored); a dirty hive without logs warns" {
    need_hives
    D="$BATS_TEST_TMPDIR/dirty"
    python3 "$KENSA_TOP/tests/gen/mkpersist2.py" "$D" dirty
    run k scan --root "$D" --json
    [ "$status" -eq 1 ]
    got=$(printf '%s\n' "$output" | jq -r 'select(.kensa.detector == "persist") | "\(.rule.id) \(.registry.path)"')
    [ "$got" = 'persist.data_folder HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run\Dropper' ] || { echo "got: $got"; false; }
    printf '%s\n' "$output" | jqe -s 'map(select(.kensa.detector == "persist"))[0] |
        (.kensa.evidence_ids | index("persist.ev.replayed")) and
        (.kensa.evidence | test("1 transaction-log entries"))'
    printf '%s\n' "$output" | jq_any '.error.id == "persist.hive_dirty" and (.file.path // .kensa.path | endswith("config/SYSTEM"))'
    # the logs gone: the primary file alone does not hold the value
    rm "$D"/Windows/System32/config/SOFTWARE.LOG*
    run k scan --root "$D" --json
    printf '%s\n' "$output" | jqe -s '[.[] | select(.kensa.detector == "persist")] | length == 0'
}
