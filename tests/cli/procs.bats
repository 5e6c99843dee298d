#!/usr/bin/env bats
# procs.bats - kensa scan --running / --pid on every process (issue 12):
# a string a YARA rule of the test matches is found in a process's memory
# (never in its executable or command line), also across the boundary of
# two 4 MiB chunks, at its exact address; a deleted running executable is
# reported; a connection to an IoC address on loopback is reported with
# destination.ip/port; --kill kills only the matched process; --quarantine
# moves the matched file with a manifest of hashes and
# --restore-quarantine brings it back without ever overwriting.  Attack
# tests (root, an unprivileged attacker): a file swapped for a symlink or
# another file between the scan and the move is left alone, a quarantine
# folder that is a symlink is refused, a process calling itself something
# else is still found under its real executable; nothing is killed or
# moved without the options.

bats_require_minimum_version 1.5.0
load helpers
load ../attack/helpers

setup_file() {
    attack_setup_file
    W="$BATS_FILE_TMPDIR/procs"
    export W
    mkdir -p "$W"
    # the rule's string, assembled only in the test process's memory:
    # the script holds it as two hex halves, never whole
    printf 'rule kensa_test_procmem {\n meta:\n  threat = "procmem-test"\n strings:\n  $a = "KENSAPROCMEM-7f3a91"\n condition:\n  $a\n}\n' \
        > "$W/mem.yar"
    cat > "$W/mem.py" <<'EOF'
# mem.py MODE [NAME]: the rule's string in an anonymous mapping, then
# sleep.  MODE "middle": whole, mid-page; "boundary": across a nominal
# 4 MiB chunk boundary of the region holding it (regions are read in
# 4 MiB chunks from their start); "none": never written.  NAME: what the
# process calls itself (comm and argv[0] through prctl).  Prints the
# string's address.
import ctypes, mmap, sys, time
CHUNK = 4 << 20
H1, H2 = '4b454e534150524f43', '4d454d2d376633613931'
mode = sys.argv[1]
if len(sys.argv) > 2:
    libc = ctypes.CDLL(None)
    libc.prctl(15, ctypes.c_char_p(sys.argv[2].encode()), 0, 0, 0)
m = mmap.mmap(-1, 24 << 20)
base = ctypes.addressof(ctypes.c_char.from_buffer(m))
for i in range(0, 24 << 20, 4096):
    m[i] = 1
lo = None
for line in open('/proc/self/maps'):
    a, b = (int(x, 16) for x in line.split()[0].split('-'))
    if a <= base < b:
        lo = a
p1, p2 = bytes.fromhex(H1), bytes.fromhex(H2)
if mode == 'boundary':
    bnd = lo + ((base - lo) // CHUNK + 1) * CHUNK
    while bnd - base < 4096:
        bnd += CHUNK
    at = bnd - base - len(p1)
else:
    at = 5 << 20 | 1234
if mode != 'none':
    m[at:at + len(p1)] = p1
    m[at + len(p1):at + len(p1) + len(p2)] = p2
print(hex(base + at), flush=True)
time.sleep(600)
EOF
}

setup() {
    attack_setup
    PIDS=()
}

teardown() {
    local p
    for p in "${PIDS[@]}"; do
        kill "$p" 2>/dev/null || true
    done
    attack_teardown
}

# start_mem OUT MODE [NAME]: mem.py in the background (as the attacker
# when ATT=1), its pid in $P; waits for its address in OUT.
start_mem() {
    local out=$1
    shift
    if [ "${ATT:-}" = 1 ]; then
        install -m 644 "$W/mem.py" "$T/mem.py"
        as_attacker "$APY" "$T/mem.py" "$@" >"$out" &
    else
        python3 "$W/mem.py" "$@" >"$out" &
    fi
    P=$!
    PIDS+=("$P")
    for _ in $(seq 100); do
        [ -s "$out" ] && break
        sleep 0.1
    done
    [ -s "$out" ]
    # as_attacker: the pid is the subshell's; the python is its child
    if [ "${ATT:-}" = 1 ]; then
        local c
        for _ in $(seq 50); do
            c=$(pgrep -P "$P" | head -1)
            [ -n "$c" ] && break
            sleep 0.1
        done
        P=$c
        PIDS+=("$P")
    fi
}

@test "procs: a string only in a process's memory is found there, at its address" {
    start_mem "$W/m1" middle
    addr=$(cat "$W/m1")
    # not in the executable, not in the command line
    ! grep -q KENSAPROCMEM "/proc/$P/cmdline"
    ! grep -q KENSAPROCMEM "$(readlink -f /proc/$P/exe)"
    run --separate-stderr k scan --pid "$P" --rules "$W/mem.yar" --json
    [ "$status" -eq 1 ]
    ppid=$(awk '/^PPid:/ {print $2}' "/proc/$P/status")
    echo "$output" | jq_any "(.rule.name == \"kensa_test_procmem\") and
        (.process.pid == $P) and (.process.parent.pid == $ppid) and
        (.kensa.path == \"/proc/$P/mem\") and
        (.kensa.evidence | contains(\"in memory of process $P at $addr\"))"
}

@test "procs: the string across a 4 MiB chunk boundary is found (chunks overlap)" {
    start_mem "$W/m2" boundary
    addr=$(cat "$W/m2")
    run --separate-stderr k scan --pid "$P" --rules "$W/mem.yar" --json
    [ "$status" -eq 1 ]
    echo "$output" | jq_any "(.rule.name == \"kensa_test_procmem\") and
        (.kensa.evidence | contains(\"at $addr\"))"
}

@test "procs: a process without the string is clean; log4j --running leaves it alone" {
    start_mem "$W/m3" none
    run --separate-stderr k scan --pid "$P" --rules "$W/mem.yar" --json
    [ "$status" -eq 0 ]
    # the scan ran to its end and found nothing (not a silent exit)
    echo "$output" | jq_any '.event.action == "scan-completed" and
        .kensa.scan.findings.total == 0'
    run --separate-stderr k log4j --pid "$P" --json
    [ "$status" -eq 0 ]
    echo "$output" | jq_any '.event.action == "scan-completed"' 
}

@test "procs: a running executable deleted from disk is reported" {
    cp /bin/sleep "$W/ksleep"
    "$W/ksleep" 600 &
    P=$!
    PIDS+=("$P")
    sleep 0.2
    rm "$W/ksleep"
    run --separate-stderr k scan --pid "$P" --json
    [ "$status" -eq 1 ]
    echo "$output" | jq_any "(.rule.id == \"process.exe.deleted\") and
        (.process.pid == $P) and (.kensa.evidence | contains(\"$W/ksleep\"))"
    # the same executable, still on disk: nothing
    cp /bin/sleep "$W/ksleep2"
    "$W/ksleep2" 600 &
    P2=$!
    PIDS+=("$P2")
    sleep 0.2
    run --separate-stderr k scan --pid "$P2" --json
    [ "$status" -eq 0 ]
}

@test "procs: a connection to an IoC address (loopback 127.0.0.2) is reported" {
    printf '127.0.0.2\n' > "$W/ip.txt"
    cat > "$W/conn.py" <<'EOF'
import socket, time
l = socket.socket(); l.bind(('127.0.0.2', 0)); l.listen(1)
c = socket.socket(); c.connect(l.getsockname()); a, _ = l.accept()
print(l.getsockname()[1], flush=True)
time.sleep(600)
EOF
    python3 "$W/conn.py" > "$W/port" &
    P=$!
    PIDS+=("$P")
    for _ in $(seq 50); do [ -s "$W/port" ] && break; sleep 0.1; done
    port=$(cat "$W/port")
    run --separate-stderr k scan --pid "$P" --iocs "$W/ip.txt" --json
    [ "$status" -eq 1 ]
    echo "$output" | jq_any "(.rule.id == \"process.connection.ioc\") and
        (.destination.ip == \"127.0.0.2\") and (.destination.port == $port)
        and (.process.pid == $P)"
    # another address: no connection finding
    printf '127.0.0.3\n' > "$W/ip3.txt"
    run --separate-stderr k scan --pid "$P" --iocs "$W/ip3.txt" --json
    ! echo "$output" | jq_any '.rule.id == "process.connection.ioc"'
}

@test "procs: --kill-memory kills only the matched process; --kill alone spares a memory-only match; without them nothing is killed" {
    start_mem "$W/k1" middle
    bad=$P
    start_mem "$W/k2" none
    good=$P
    run --separate-stderr k scan --pid "$bad" --pid "$good" --rules "$W/mem.yar" --json
    [ "$status" -eq 1 ]
    kill -0 "$bad" && kill -0 "$good"
    # only its memory matched: bytes a remote peer could have sent a
    # server, so --kill says so and leaves it
    run --separate-stderr k scan --pid "$bad" --pid "$good" --rules "$W/mem.yar" --json --kill
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"process $bad not killed: only its memory matched"* ]]
    kill -0 "$bad" && kill -0 "$good"
    run --separate-stderr k scan --pid "$bad" --pid "$good" --rules "$W/mem.yar" --json --kill-memory
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"killed process $bad"* ]]
    echo "$output" | jq_any ".event.action == \"process-kill\" and
        .event.outcome == \"success\" and .file.path == \"/proc/$bad\""
    ! echo "$output" | jq_any ".file.path == \"/proc/$good\""
    for _ in $(seq 50); do kill -0 "$bad" 2>/dev/null || break; sleep 0.1; done
    ! kill -0 "$bad" 2>/dev/null || grep -q '^State:.*Z' "/proc/$bad/status"
    kill -0 "$good"
}

@test "procs: --kill needs --running, and is an option of scan only" {
    run --separate-stderr k scan "$W" --kill
    [ "$status" -eq 2 ]
    run --separate-stderr k log4j "$W" --quarantine "$T/q"
    [ "$status" -eq 2 ]
    [ ! -e "$T/q" ]
}

@test "procs: --quarantine moves the matched file with its hashes; restore puts it back, never over a file" {
    mkdir -p "$T/d"
    printf 'xx KENSAPROCMEM-7f3a91 yy\n' > "$T/d/evil.bin"
    chmod 640 "$T/d/evil.bin"
    echo clean > "$T/d/ok.txt"
    sum=$(sha256sum < "$T/d/evil.bin" | cut -d' ' -f1)
    # without the option: nothing moves
    run --separate-stderr k scan "$T/d" --no-persistence --rules "$W/mem.yar"
    [ "$status" -eq 1 ]
    [ -f "$T/d/evil.bin" ]
    run --separate-stderr k scan "$T/d" --no-persistence --rules "$W/mem.yar" --quarantine "$T/q" --json
    [ "$status" -eq 1 ]
    [ ! -e "$T/d/evil.bin" ] && [ -f "$T/d/ok.txt" ]
    echo "$output" | jq_any ".event.action == \"quarantine\" and
        .file.path == \"$T/d/evil.bin\" and .kensa.fix.backup == \"$T/q/$sum\""
    [ "$(stat -c %a "$T/q")" = 700 ]
    [ -f "$T/q/$sum" ]
    [ "$(sha256sum < "$T/q/$sum" | cut -d' ' -f1)" = "$sum" ]
    [ "$(wc -l < "$T/q/manifest.jsonl")" -eq 1 ]
    jq -e --arg p "$T/d/evil.bin" --arg s "$sum" \
        '.original == $p and .sha256 == $s and .file == $s and .mode == 33184
         and .ino > 0 and .dev > 0' "$T/q/manifest.jsonl"
    run --separate-stderr k scan --restore-quarantine "$T/q"
    [ "$status" -eq 0 ]
    [ "$(sha256sum < "$T/d/evil.bin" | cut -d' ' -f1)" = "$sum" ]
    [ "$(stat -c %a "$T/d/evil.bin")" = 640 ]
    # again: the file is there, it is not overwritten
    echo changed > "$T/d/evil.bin"
    run --separate-stderr k scan --restore-quarantine "$T/q"
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"already there"* ]]
    [ "$(cat "$T/d/evil.bin")" = changed ]
}

@test "attack: the matched file swapped for a symlink before the move is left alone" {
    att_copy /dev/null "$A/evil.bin"
    printf 'xx KENSAPROCMEM-7f3a91 yy\n' > "$A/evil.bin"
    # the walk opens it first, the quarantine second: the swap between
    swap_run evil.bin 2 symlink-replace "$A/evil.bin" "$V/shadow" -- \
        scan "$A" --no-persistence --rules "$W/mem.yar" --quarantine "$T/q"
    [[ "$SWAPPED" == ran* ]]
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"not quarantined"* ]]
    assert_victim_intact
    [ -L "$A/evil.bin" ]
    [ -f "$A/evil.bin.away" ]
    ! grep -q shadow "$T/q/manifest.jsonl"
    [ "$(ls "$T/q")" = manifest.jsonl ]
}

@test "attack: the matched file exchanged for another before the move is left alone" {
    att_copy /dev/null "$A/evil.bin"
    printf 'xx KENSAPROCMEM-7f3a91 yy\n' > "$A/evil.bin"
    att_copy /dev/null "$A/other"
    echo harmless > "$A/other"
    swap_run evil.bin 2 exchange "$A/evil.bin" "$A/other" -- \
        scan "$A" --no-persistence --rules "$W/mem.yar" --quarantine "$T/q"
    [[ "$SWAPPED" == ran* ]]
    [ "$status" -eq 2 ]
    [ "$(cat "$A/evil.bin")" = harmless ]
    grep -q KENSAPROCMEM "$A/other"
    [ "$(ls "$T/q")" = manifest.jsonl ]
}

@test "attack: a quarantine folder that is a symlink is refused" {
    printf 'xx KENSAPROCMEM-7f3a91 yy\n' > "$T/evil.bin"
    mkdir -m 700 "$T/realq"
    as_attacker ln -s "$V" "$A/q"
    run --separate-stderr k scan "$T/evil.bin" --no-persistence --rules "$W/mem.yar" --quarantine "$A/q"
    [ "$status" -eq 2 ]
    [ -f "$T/evil.bin" ]
    [ "$(ls "$V")" = shadow ]
    assert_victim_intact
    # a folder someone else may write to is refused as well
    mkdir -m 777 "$T/openq"
    run --separate-stderr k scan "$T/evil.bin" --no-persistence --rules "$W/mem.yar" --quarantine "$T/openq"
    [ "$status" -eq 2 ]
    [ -f "$T/evil.bin" ]
}

@test "attack: a process calling itself something else is found under its real executable" {
    ATT=1 start_mem "$W/a1" middle "kworker/0:1"
    [ "$(cat /proc/$P/comm)" = "kworker/0:1" ]
    run --separate-stderr k scan --pid "$P" --rules "$W/mem.yar" --json
    [ "$status" -eq 1 ]
    exe=$(readlink /proc/$P/exe)
    echo "$output" | jq_any "(.rule.name == \"kensa_test_procmem\") and
        (.process.name == \"kworker/0:1\") and
        (.process.executable == \"$exe\") and
        (.process.user.name == \"$ATTACKER\")"
}

@test "attack: a tampered quarantine (copy changed, name leaving the folder) restores nothing" {
    mkdir -p "$T/d"
    printf 'xx KENSAPROCMEM-7f3a91 yy\n' > "$T/d/evil.bin"
    run --separate-stderr k scan "$T/d" --no-persistence --rules "$W/mem.yar" --quarantine "$T/q"
    [ "$status" -eq 1 ]
    [ ! -e "$T/d/evil.bin" ]
    sum=$(sha256sum < "$T/q/manifest.jsonl" | cut -d' ' -f1)
    copy=$(jq -r .file "$T/q/manifest.jsonl")
    echo tampered >> "$T/q/$copy"
    run --separate-stderr k scan --restore-quarantine "$T/q"
    [ "$status" -eq 2 ]
    [ ! -e "$T/d/evil.bin" ]
    # a manifest naming a copy outside the folder
    printf 'secret\n' > "$T/outside"
    jq -c --arg f "../outside" '.file = $f' "$T/q/manifest.jsonl" > "$T/m2"
    cp "$T/m2" "$T/q/manifest.jsonl"
    run --separate-stderr k scan --restore-quarantine "$T/q"
    [ "$status" -eq 2 ]
    [ ! -e "$T/d/evil.bin" ]
}

@test "procs: a running executable whose hash is an IoC is found through /proc/PID/exe, even deleted" {
    cp /bin/sleep "$W/hsleep"
    printf '%s\n' "$(sha256sum < "$W/hsleep" | cut -d' ' -f1)" > "$W/h.txt"
    "$W/hsleep" 600 &
    P=$!
    PIDS+=("$P")
    sleep 0.2
    rm "$W/hsleep"
    run --separate-stderr k scan --pid "$P" --iocs "$W/h.txt" --json
    [ "$status" -eq 1 ]
    echo "$output" | jq_any "(.kensa.detector == \"ioc\") and (.process.pid == $P)
        and (.kensa.path == \"$W/hsleep\")"
    echo "$output" | jq_any '.rule.id == "process.exe.deleted"'
}

@test "procs: --max-procmem caps what is read of a process, and says so" {
    start_mem "$W/c1" middle
    run --separate-stderr k scan --pid "$P" --rules "$W/mem.yar" --json --max-procmem 1M
    [ "$status" -ne 1 ]
    echo "$output" | jq_any ".error.id == \"proc.mem.limit\" and
        (tostring | contains(\"/proc/$P/mem\"))"
    run --separate-stderr k scan --pid "$P" --rules "$W/mem.yar" --json
    [ "$status" -eq 1 ]
    [[ "$output" != *"in part"* ]]
    run --separate-stderr k scan --pid "$P" --max-procmem 0
    [ "$status" -eq 2 ]
}

@test "procs: two files with the same bytes share one copy; both come back" {
    mkdir -p "$T/d"
    printf 'xx KENSAPROCMEM-7f3a91 yy\n' > "$T/d/a.bin"
    cp "$T/d/a.bin" "$T/d/b.bin"
    sum=$(sha256sum < "$T/d/a.bin" | cut -d' ' -f1)
    run --separate-stderr k scan "$T/d" --no-persistence --rules "$W/mem.yar" --quarantine "$T/q"
    [ "$status" -eq 1 ]
    [ ! -e "$T/d/a.bin" ] && [ ! -e "$T/d/b.bin" ]
    [ "$(ls "$T/q" | sort | tr '\n' ' ')" = "$sum manifest.jsonl " ]
    [ "$(wc -l < "$T/q/manifest.jsonl")" -eq 2 ]
    run --separate-stderr k scan --restore-quarantine "$T/q"
    [ "$status" -eq 0 ]
    [ "$(sha256sum < "$T/d/a.bin" | cut -d' ' -f1)" = "$sum" ]
    [ "$(sha256sum < "$T/d/b.bin" | cut -d' ' -f1)" = "$sum" ]
}

@test "attack: a quarantine forged by the attacker (their folder, or a link in the path) restores nothing" {
    # a genuine quarantine, to copy the shape of its manifest from
    mkdir -p "$T/d"
    printf 'xx KENSAPROCMEM-7f3a91 yy\n' > "$T/d/evil.bin"
    run --separate-stderr k scan "$T/d" --no-persistence --rules "$W/mem.yar" --quarantine "$T/q"
    [ "$status" -eq 1 ]
    # the attacker's own quarantine: a manifest sending "their" copy,
    # as root, to a place of the victim's
    as_attacker mkdir -m 700 "$A/fq"
    local sum hex
    sum=$(printf 'pwned\n' | sha256sum | cut -d' ' -f1)
    as_attacker sh -c "printf 'pwned\n' > '$A/fq/$sum'"
    hex=$(printf '%s' "$V/planted" | od -An -tx1 | tr -d ' \n')
    jq -c --arg p "$V/planted" --arg h "$hex" --arg s "$sum" \
        '.original = $p | .original_hex = $h | .file = $s | .sha256 = $s |
         .size = 6 | .uid = 0 | .gid = 0' \
        "$T/q/manifest.jsonl" > "$T/fm"
    as_attacker sh -c "cat > '$A/fq/manifest.jsonl'" < "$T/fm"
    run --separate-stderr k scan --restore-quarantine "$A/fq"
    echo "$status $stderr"
    [ "$status" -eq 2 ]
    [ ! -e "$V/planted" ]
    # root's genuine quarantine reached through the attacker's link
    as_attacker ln -s "$T/q" "$A/ql"
    run --separate-stderr k scan --restore-quarantine "$A/ql/"
    [ "$status" -eq 2 ]
    [ ! -e "$T/d/evil.bin" ]
    assert_victim_intact
}
