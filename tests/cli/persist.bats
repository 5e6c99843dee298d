#!/usr/bin/env bats
# persist.bats - the persistence detector (issue 12): fake Linux, macOS
# and Windows roots with planted persistence and benign look-alikes
# (tests/gen/mkroots.py) are scanned with --root; each planted entry is
# found with its type, target and evidence, and nothing else is.  A copy
# of this machine's /etc gives nothing.

load helpers

setup_file() {
    export PR="$BATS_FILE_TMPDIR/roots"
    python3 "$KENSA_TOP/tests/gen/mkroots.py" "$PR"
}

# persist ROOT: the persistence findings of a --root scan, one JSON a line
persist() {
    k scan --root "$1" --json | jq -c 'select(.kensa.detector == "persist")'
}

# rules_of: "type rule target" per finding on stdin, sorted
rules_of() {
    jq -r '"\(.kensa.persistence.type) \(.rule.id) \(.kensa.persistence.target)"' | sort
}

@test "linux: the @reboot job, the /dev/shm unit, curl|sh, a missing program and ld.so.preload; nothing else" {
    run persist "$PR/linux"
    [ "$status" -eq 0 ]
    out=$output
    got=$(printf '%s\n' "$out" | rules_of)
    want=$(printf '%s\n' \
        "cron persist.download_exec http://203.0.113.9/k.sh" \
        "cron persist.temp_folder /tmp/.x/update" \
        "ld_preload persist.ld_preload /usr/lib/x86_64-linux-gnu/libsysd.so" \
        "systemd persist.missing_target /usr/local/bin/nightly-backup" \
        "systemd persist.temp_folder /dev/shm/.k/kworker" | sort)
    [ "$got" = "$want" ] || { echo "got: $got"; false; }
    # the @reboot line: where, why, the ECS fields
    printf '%s\n' "$out" | jqe -s 'map(select(.kensa.persistence.target == "/tmp/.x/update"))[0] |
        .kensa.system.path == "/var/spool/cron/crontabs/alice" and .kensa.line == 3 and
        .kensa.threat == "persistence" and .kensa.verdict == "suspicious" and
        .event.severity == 75 and
        .process.executable == "/tmp/.x/update" and
        .process.command_line == "/tmp/.x/update >/dev/null 2>&1" and
        .kensa.persistence.trigger == "reboot" and
        (.kensa.evidence_ids | index("persist.ev.temp") and index("persist.ev.hidden") and
                               index("persist.ev.updater") and index("persist.ev.reboot")) and
        (.kensa.evidence | test("hidden folder \\(/tmp/.x\\)")) and
        (.threat.technique.id | index("T1053.003")) and .threat.tactic.id == ["TA0003"]'
    printf '%s\n' "$out" | jqe -s 'map(select(.kensa.persistence.type == "systemd" and
        .rule.id == "persist.temp_folder"))[0] |
        .kensa.system.path == "/etc/systemd/system/dbus-broker-helper.service" and
        (.kensa.evidence | test("temporary folder \\(/dev/shm\\)"))'
    printf '%s\n' "$out" | jqe -s 'map(select(.rule.id == "persist.download_exec"))[0] |
        .url.original == "http://203.0.113.9/k.sh" and
        (.process.command_line | startswith("curl -fsSL"))'
    printf '%s\n' "$out" | jqe -s 'map(select(.rule.id == "persist.missing_target"))[0] |
        .event.severity == 50 and .kensa.persistence.target_missing == true'
}

@test "macos: the XML and the binary LaunchAgent running ~/Library/.hidden/updater; the app's agents stay silent" {
    run persist "$PR/macos"
    [ "$status" -eq 0 ]
    out=$output
    got=$(printf '%s\n' "$out" | jq -r '.kensa.system.path' | sort)
    want=$(printf '%s\n' /Library/LaunchAgents/com.apple.update.plist \
        /Users/alice/Library/LaunchAgents/com.sys.updater.plist)
    [ "$got" = "$want" ] || { echo "got: $got"; false; }
    printf '%s\n' "$out" | jqe -s 'length == 2 and all(.kensa.persistence.type == "launchd" and
        .kensa.persistence.trigger == "load" and
        (.kensa.evidence_ids | index("persist.ev.hidden") and index("persist.ev.updater")))'
    # XML: the Apple name on a program outside the system folders
    printf '%s\n' "$out" | jqe -s 'map(select(.kensa.system.path | endswith("com.apple.update.plist")))[0] |
        .kensa.persistence.target == "/Users/alice/Library/.hidden/updater" and
        .kensa.persistence.label == "com.apple.update" and
        (.kensa.evidence_ids | index("persist.ev.apple"))'
    # binary plist: Program read from the bplist00 object table
    printf '%s\n' "$out" | jqe -s 'map(select(.kensa.system.path | endswith("com.sys.updater.plist")))[0] |
        .kensa.persistence.target == "~/Library/.hidden/updater" and
        .kensa.persistence.label == "com.sys.updater"'
}

@test "windows: the Startup-folder executable (Flagpro) and the ProgramData task; defrag, Google's updater and desktop.ini stay silent" {
    run persist "$PR/windows"
    [ "$status" -eq 0 ]
    out=$(printf '%s\n' "$output" | jq -c 'select(.kensa.persistence.type == "startup_folder" or
                                                    .kensa.persistence.type == "scheduled_task")')
    got=$(printf '%s\n' "$out" | rules_of)
    want=$(printf '%s\n' \
        'scheduled_task persist.data_folder C:\ProgramData\SystemData\igfxCUIService.exe' \
        "startup_folder persist.startup_executable /Users/bob/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup/dwm.exe" | sort)
    [ "$got" = "$want" ] || { echo "got: $got"; false; }
    printf '%s\n' "$out" | jqe -s 'map(select(.kensa.persistence.type == "startup_folder"))[0] |
        (.kensa.evidence_ids | index("persist.ev.flagpro")) and
        (.kensa.evidence | test("Flagpro")) and .event.severity == 75 and
        (.threat.technique.id | index("T1547.001"))'
    printf '%s\n' "$out" | jqe -s 'map(select(.kensa.persistence.type == "scheduled_task"))[0] |
        .kensa.system.path == "/Windows/System32/Tasks/IntelGraphicsUpdate" and
        .kensa.persistence.hidden == true and
        (.kensa.evidence_ids | index("persist.ev.task_hidden")) and
        (.kensa.evidence | test("data folder \\(ProgramData\\)"))'
}

@test "windows hives: SysJoker's Run value, encoded PowerShell in a user's RunOnce, a ProgramData service; tray, OneDrive and spooler stay silent" {
    command -v hivexsh >/dev/null || skip "hivexsh (libhivex-bin) not installed"
    grep -q KENSA_HAVE_LIBREGF "$KENSA_BUILD/build.ninja" || skip "kensa built without libregf"
    run persist "$PR/windows"
    [ "$status" -eq 0 ]
    out=$(printf '%s\n' "$output" | jq -c 'select(.kensa.persistence.type == "run_key" or
                                                    .kensa.persistence.type == "service")')
    got=$(printf '%s\n' "$out" | jq -r '"\(.rule.id) \(.registry.path)"' | sort)
    want=$(printf '%s\n' \
        'persist.data_folder HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run\SysUpdate' \
        'persist.data_folder HKLM\SYSTEM\ControlSet001\Services\igfxCUIService\ImagePath' \
        'persist.decode_exec HKCU\Software\Microsoft\Windows\CurrentVersion\RunOnce\x' | sort)
    [ "$got" = "$want" ] || { echo "got: $got"; false; }
    printf '%s\n' "$out" | jqe -s 'map(select(.registry.path | endswith("SysUpdate")))[0] |
        .kensa.system.path == "/Windows/System32/config/SOFTWARE" and
        .kensa.persistence.target == "C:\\ProgramData\\RecoverySystem\\update.exe" and
        (.kensa.evidence_ids | index("persist.ev.datadir") and index("persist.ev.updater")) and
        (.threat.technique.id | index("T1547.001"))'
    printf '%s\n' "$out" | jqe -s 'map(select(.kensa.persistence.type == "service"))[0] |
        (.threat.technique.id | index("T1543.003")) and .registry.hive == "HKLM"'
}

@test "the exit status says found, and the text report shows type, target and the profile" {
    run k scan --root "$PR/windows"
    [ "$status" -eq 1 ]
    [[ "$output" == *"launches"*"dwm.exe"* ]]
    [[ "$output" == *"Suspicious persistence entry"* ]]
    run k scan --root "$PR/windows" --lang ja
    [ "$status" -eq 1 ]
    [[ "$output" == *"スタートアップフォルダー"* ]]
    [[ "$output" == *"不審な永続化エントリー"* ]]
}

@test "--no-persistence: the planted roots give nothing" {
    for os in linux macos windows; do
        # the intel detectors still judge the planted files (a SysJoker
        # plist name, dwm.exe in a Startup folder): only persist is off
        run k scan --root "$PR/$os" --json --no-persistence
        [ "$status" -eq 0 ] || [ "$status" -eq 1 ]
        printf '%s\n' "$output" | jqe -s 'any(.[]; .event.action == "scan-completed")
            and ([.[] | select(.kensa.detector == "persist")] | length == 0)'
    done
    run k log4j --root "$PR/linux" --json
    [ "$status" -eq 0 ]
    printf '%s\n' "$output" | only_run_record
}

@test "a copy of this machine's /etc gives no persistence finding" {
    c="$BATS_TEST_TMPDIR/clean"
    mkdir -p "$c"
    cp -a /etc "$c/" 2>/dev/null || true
    [ -f "$c/etc/os-release" ] || [ -f "$c/etc/debian_version" ]
    run k scan --root "$c" --json
    printf '%s\n' "$output" | jq -e -s 'any(.[]; .event.action == "scan-completed") and
        (map(select(.kensa.detector == "persist")) | length == 0)' >/dev/null
    # and the planted entries, copied in, are found there
    mkdir -p "$c/var/spool/cron/crontabs"
    cp "$PR/linux/var/spool/cron/crontabs/alice" "$c/var/spool/cron/crontabs/"
    run k scan --root "$c" --json
    printf '%s\n' "$output" | jq_any '.kensa.persistence.target == "/tmp/.x/update"'
}

@test "the same path outside a root's persistence places is no persistence" {
    # the fake roots scanned as plain folders: their paths are /…/roots/linux/etc/…
    # (the intel detectors may still name a planted file: not persist)
    run k scan --json "$PR"
    [ "$status" -eq 0 ] || [ "$status" -eq 1 ]
    printf '%s\n' "$output" | jqe -s 'any(.[]; .event.action == "scan-completed")
        and ([.[] | select(.kensa.detector == "persist")] | length == 0)'
}

@test "hostile persistence files: long lines, NULs, deep plists, broken bplists, odd UTF-16 give no crash" {
    h="$BATS_TEST_TMPDIR/h"
    mkdir -p "$h/etc/cron.d" "$h/etc/init.d" "$h/Library/LaunchAgents" "$h/Windows/System32/Tasks" "$h/etc/systemd/system"
    python3 - "$h" <<'PY'
import os, sys
h = sys.argv[1]
def w(rel, data):
    open(os.path.join(h, rel), 'wb').write(data)
w('etc/cron.d/long', b'* * * * * root ' + b'/tmp/' + b'a' * 200000 + b'\n' + b'\x00' * 100 + b'@reboot root /tmp/x\n')
w('etc/init.d/flood', b''.join(b'/tmp/p%d\n' % i for i in range(3000)))
w('etc/cron.d/many', b''.join(b'@reboot root /tmp/p%d\n' % i for i in range(5000)))
w('etc/systemd/system/x.service', b'ExecStart=' + b'\\\n' * 50000 + b'/tmp/y\n')
w('Library/LaunchAgents/deep.plist', b'<plist>' + b'<dict><key>a</key>' * 5000 + b'<key>Program</key><string>/tmp/z</string>')
w('Library/LaunchAgents/bad.plist', b'bplist00' + b'\xdf' * 40 + bytes(6) + b'\x08\x08' + b'\xff' * 24)
w('Windows/System32/Tasks/odd', b'\xff\xfe' + '<Task><Exec><Command>'.encode('utf-16-le') + b'\x00\xd8' * 1000 + b'<\x00')
PY
    run k scan --root "$h" --json
    [ "$status" -eq 1 ] || [ "$status" -eq 0 ]
    printf '%s\n' "$output" | jq_any '.kensa.system.path == "/etc/cron.d/many"'
    printf '%s\n' "$output" | jq_any '.error.id == "persist.truncated"'
    # a script flooding findings gives 64 of them and a warning
    n=$(printf '%s\n' "$output" | jq -s 'map(select(.kensa.system.path == "/etc/init.d/flood")) | length')
    [ "$n" -eq 64 ]
    printf '%s\n' "$output" | jq_any '.error.id == "persist.truncated" and (.file.path // .kensa.path | endswith("/etc/init.d/flood"))'
}

@test "a crontab naming a FIFO or a device node: the launched program is never opened for reading" {
    command -v strace >/dev/null || skip "strace not installed"
    r="$BATS_TEST_TMPDIR/dev"
    mkdir -p "$r/var/spool/cron/crontabs" "$r/home/alice" "$r/dev"
    mkfifo "$r/home/alice/pipe"
    # a device node (root only): a container's root can make one; opening
    # some (a watchdog, a tape) acts. 1:3 is /dev/null, harmless here
    [ "$(id -u)" -ne 0 ] || mknod "$r/dev/wd" c 1 3
    printf '* * * * * /home/alice/pipe\n* * * * * /dev/wd\n' > "$r/var/spool/cron/crontabs/alice"
    strace -f -qq -e trace=open,openat,openat2 -o "$BATS_TEST_TMPDIR/st" \
        "$KENSA" scan --root "$r" --json --threads 1 --no-summary > "$BATS_TEST_TMPDIR/out" ||
        [ $? -le 1 ] || { cat "$BATS_TEST_TMPDIR/st" | tail -5; skip "strace cannot trace here"; }
    jq -e -s 'any(.[]; .event.action == "scan-completed")' "$BATS_TEST_TMPDIR/out" >/dev/null
    # the entries were looked at (an O_PATH open), never opened for reading
    opened=$(grep -E '"(home/alice/pipe|dev/wd)"' "$BATS_TEST_TMPDIR/st" | grep -v O_PATH || true)
    [ -z "$opened" ] || { echo "opened: $opened"; false; }
    grep -q '"home/alice/pipe".*O_PATH' "$BATS_TEST_TMPDIR/st"
}
