#!/usr/bin/env bats
# fix.bats - `kensa log4j --fix`, --dry-run and --restore on fixtures the
# tests build: nested, prefixed, with descriptors, refused kinds, metadata,
# backups, and a kill -9 in the middle of a rewrite.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
    make_fixtures
}

setup() {
    W="$BATS_TEST_TMPDIR/w"
    B="$BATS_TEST_TMPDIR/bak"   # backups: never beside the jars
    rm -rf "$W" "$B"
    mkdir -p "$W"
}

verdicts() {  # verdicts PATH...: the sorted verdicts of a rescan
    "$KENSA" log4j --json --no-summary --threads 1 "$@" |
        jq -r 'select(.event.kind!="event") | .kensa.verdict' | sort | tr '\n' ' '
}

@test "nested war: fixed from the inside out, every other byte kept" {
    cp "$FX/nested/app.war" "$FX/nested/app.ear" "$W/"
    run k log4j --backup-dir "$B" --fix "$W"
    [ "$status" -eq 1 ]
    [[ "$output" == *"fixed $W/app.war: removed 1"* ]]
    [[ "$output" == *"now mitigated. Restart the application, then upgrade to 2.17.1"* ]]
    [ "$(verdicts "$W")" = "mitigated mitigated " ]
    python3 "$KENSA_TOP/tests/gen/zipcmp.py" "$B"/*-app.war.kensa-bak "$W/app.war"
    python3 "$KENSA_TOP/tests/gen/zipcmp.py" "$B"/*-app.ear.kensa-bak "$W/app.ear"
    unzip -tq "$W/app.war"
    # nothing beside the jars; the manifest names the original and its hash
    [ "$(ls "$W" | tr '\n' ' ')" = "app.ear app.war " ]
    [ "$(stat -c %a "$B")" = 700 ]
    [ "$(stat -c '%a %u' "$B"/*-app.war.kensa-bak)" = "600 0" ]
    IFS=$'\t' read -r name sha uid gid mode path < <(grep -- '-app.war.kensa-bak' "$B/kensa-manifest.tsv")
    [ "$path" = "$W/app.war" ]
    [ -f "$B/$name" ]
    [ "$sha" = "$(sha256sum "$FX/nested/app.war" | cut -d' ' -f1)" ]
}

@test "owner, mode and mtime are kept" {
    cp "$FX/plain/log4j-core-2.14.1.jar" "$W/a.jar"
    chmod 640 "$W/a.jar"
    chown 12345:23456 "$W/a.jar"
    touch -d '2020-01-02 03:04:05' "$W/a.jar"
    before=$(stat -c '%a %u %g %Y' "$W/a.jar")
    run k log4j --backup-dir "$B" --fix "$W/a.jar"
    [ "$(stat -c '%a %u %g %Y' "$W/a.jar")" = "$before" ]
    [ "$(verdicts "$W/a.jar")" = "mitigated " ]
}

@test "--dry-run says what, touches nothing" {
    cp "$FX/nested/app.war" "$W/"
    h=$(sha256sum "$W/app.war")
    run k log4j --backup-dir "$B" --fix --dry-run "$W"
    [[ "$output" == *"would remove org/apache/logging/log4j/core/lookup/JndiLookup.class from $W/app.war!/WEB-INF/lib/app.jar!/BOOT-INF/lib/log4j-core-2.14.1.jar"* ]]
    [ "$(sha256sum "$W/app.war")" = "$h" ]
    [ "$(ls "$W")" = "app.war" ]
    # and without --fix nothing is ever written
    run k log4j "$W"
    [ "$(ls "$W")" = "app.war" ]
}

@test "--restore puts the original back, byte for byte, and checks it" {
    cp "$FX/plain/log4j-core-2.14.1.jar" "$W/a.jar"
    h=$(sha256sum < "$W/a.jar")
    run k log4j --backup-dir "$B" --fix "$W/a.jar"
    [ "$(sha256sum < "$W/a.jar")" != "$h" ]
    b=$(ls "$B"/*-a.jar.kensa-bak)
    run k log4j --restore "$b"
    [ "$status" -eq 0 ]
    [[ "$output" == "restored $W/a.jar from $b (sha256 verified)" ]]
    [ "$(sha256sum < "$W/a.jar")" = "$h" ]
    [ "$(verdicts "$W/a.jar")" = "vulnerable " ]
    # a backup that changed since is refused
    chmod u+w "$b"; printf 'x' >> "$b"
    run k log4j --restore "$b"
    [ "$status" -eq 2 ]
    [[ "$output" == *"does not match its recorded sha256"* ]]
}

@test "--backup-dir keeps backups out of deployment folders" {
    mkdir -p "$W/webapps" "$W/bak"
    cp "$FX/nested/app.war" "$W/webapps/"
    run k log4j --backup-dir "$B" --fix --backup-dir "$W/bak" "$W/webapps"
    [ "$(ls "$W/webapps")" = "app.war" ]
    [ "$(ls "$W/bak" | grep -c 'kensa-bak$')" -eq 1 ]
    run k log4j --restore "$W"/bak/*.kensa-bak
    [ "$status" -eq 0 ]
    [ "$(sha256sum < "$W/webapps/app.war")" = "$(sha256sum < "$FX/nested/app.war")" ]
}

@test "prefixed, jmod, descriptor and exploded copies are fixed" {
    cp "$FX/magic/launcher" "$FX/magic/app.jmod" "$FX/magic/descriptors.jar" "$FX/magic/trailing-junk.jar" "$W/"
    cp -r "$FX/exploded" "$W/exploded"
    run k log4j --backup-dir "$B" --fix "$W"
    [ "$status" -eq 1 ]
    [ "$(verdicts "$W")" = "mitigated mitigated mitigated mitigated mitigated " ]
    python3 -c 'import zipfile,sys; [zipfile.ZipFile(f).testzip() for f in sys.argv[1:]]' \
        "$W/launcher" "$W/app.jmod" "$W/descriptors.jar" "$W/trailing-junk.jar"
    head -c 30 "$W/launcher" | grep -q '^#!/bin/sh'
    head -c 4 "$W/app.jmod" | od -An -c | grep -q 'J   M 001  \\0'
    [ ! -e "$W/exploded/WEB-INF/classes/org/apache/logging/log4j/core/lookup/JndiLookup.class" ]
}

@test "refused with a reason: signed jars, zip64, jars inside tarballs" {
    python3 - "$FX/plain/log4j-core-2.14.1.jar" "$W/signed.jar" <<'PY'
import sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(src) as a, zipfile.ZipFile(dst, 'w') as b:
    for i in a.infolist():
        b.writestr(i, a.read(i))
    b.writestr('META-INF/SIGNER.SF', 'Signature-Version: 1.0\n')
PY
    cp "$FX/zip64/many-entries.jar" "$FX/nested/image.tar.gz" "$W/"
    h=$(cat "$W"/* | sha256sum)
    run k log4j --backup-dir "$B" --fix "$W"
    [ "$status" -eq 2 ]
    [[ "$output" == *"not fixed: $W/signed.jar: signed jar"* ]]
    [[ "$output" == *"not fixed: $W/many-entries.jar: zip64"* ]]
    [[ "$output" == *"not fixed: $W/image.tar.gz"* ]]
    [ "$(cat "$W"/* | sha256sum)" = "$h" ]
    [ "$(ls "$W" | grep -c kensa)" -eq 0 ]
}

@test "medium-only releases are not touched (JndiLookup is not their problem)" {
    cp "$FX/plain/log4j-core-2.16.0.jar" "$FX/plain/log4j-core-2.12.2.jar" "$W/"
    h=$(cat "$W"/* | sha256sum)
    run k log4j --backup-dir "$B" --fix "$W"
    [ "$status" -eq 1 ]
    [[ "$output" == *"$W/log4j-core-2.12.2.jar: log4j-core 2.12.2 is vulnerable"* ]]
    [[ "$output" == *"$W/log4j-core-2.16.0.jar: log4j-core 2.16.0 is vulnerable"* ]]
    [[ "$output" != *"fixed $W"* ]]
    [ "$(cat "$W"/* | sha256sum)" = "$h" ]
    [ "$(verdicts "$W")" = "vulnerable vulnerable " ]
}

@test "kill -9 at any moment leaves the original or a whole fixed file" {
    orig="$FX/big/big-inner.war"
    horig=$(sha256sum < "$orig")
    seen_orig=0 seen_fixed=0
    delays="0 10 30 60 100 150 200 300 400 500 600 700 800 1000 1300 1600 2000 3000"
    for ms in $delays; do
        rm -rf "$W"; mkdir -p "$W"
        cp "$orig" "$W/big.war"
        "$KENSA" log4j --backup-dir "$B" --fix --quiet --threads 1 "$W/big.war" >/dev/null 2>&1 &
        pid=$!
        sleep "$(awk "BEGIN { print $ms / 1000 }")"
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        if [ "$(sha256sum < "$W/big.war")" = "$horig" ]; then
            seen_orig=$((seen_orig + 1))
        else
            [ "$(verdicts "$W/big.war")" = "mitigated " ]
            python3 "$KENSA_TOP/tests/gen/zipcmp.py" "$orig" "$W/big.war"
            seen_fixed=$((seen_fixed + 1))
        fi
    done
    echo "original: $seen_orig, fixed: $seen_fixed"
    [ $((seen_orig + seen_fixed)) -eq $(echo $delays | wc -w) ]
    # and left alone, the same run fixes the file (so the kills above
    # interrupted a real rewrite, not a binary that does nothing)
    rm -rf "$W"; mkdir -p "$W"
    cp "$orig" "$W/big.war"
    run "$KENSA" log4j --backup-dir "$B" --fix --quiet --threads 1 "$W/big.war"
    [ "$status" -eq 1 ]
    [ "$(verdicts "$W/big.war")" = "mitigated " ]
}

@test "log4j 1.x: dangerous classes removed only with --fix-log4j1" {
    cp "$FX/v1/log4j-1.2.17.jar" "$W/"
    h=$(sha256sum < "$W/log4j-1.2.17.jar")
    run k log4j --backup-dir "$B" --fix "$W"
    [ "$(sha256sum < "$W/log4j-1.2.17.jar")" = "$h" ]
    run k log4j --backup-dir "$B" --fix --fix-log4j1 "$W"
    [[ "$output" == *"fixed $W/log4j-1.2.17.jar: removed 2 classes"* ]]
    run k log4j --json "$W"
    echo "$output" | jq_alerts '.kensa.verdict == "end-of-life" and (.kensa.evidence | test("none present"))
        and (.vulnerability.id // [] | length == 0)'
    [ "$(unzip -Z1 "$W/log4j-1.2.17.jar" | tr '\n' ' ')" = "META-INF/maven/log4j/log4j/pom.properties org/apache/log4j/Logger.class " ]
}

@test "multi-release jars: the copy under META-INF/versions goes too" {
    cp "$FX/multirelease/mr.jar" "$W/"
    run k log4j --json "$W"
    [ "$(echo "$output" | count_alerts)" -eq 2 ]
    run k log4j --backup-dir "$B" --fix "$W"
    [[ "$output" == *"removed 2 classes"* ]]
    [ "$(verdicts "$W")" = "mitigated mitigated " ]
    [ "$(unzip -Z1 "$W/mr.jar" | grep -c JndiLookup)" -eq 0 ]
    python3 "$KENSA_TOP/tests/gen/zipcmp.py" "$B"/*-mr.jar.kensa-bak "$W/mr.jar"
}

@test "a jar with 60,000 entries (no zip64) is rewritten and ends mitigated" {
    python3 - "$FX/plain/log4j-core-2.14.1.jar" "$W/many.jar" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as a, zipfile.ZipFile(sys.argv[2], 'w') as b:
    for i in range(60000):
        b.writestr('f/%d.txt' % i, b'')
    for i in a.infolist():
        b.writestr(i, a.read(i))
PY
    run timeout 20 "$KENSA" log4j --backup-dir "$B" --fix --quiet --threads 1 "$W/many.jar"
    [ "$status" -eq 1 ]
    [ "$(verdicts "$W/many.jar")" = "mitigated " ]
}

@test "--fix --json stays pure JSON Lines: each fix and restore is an action record" {
    cp "$FX/nested/app.war" "$W/"
    run --separate-stderr k log4j --json --backup-dir "$B" --fix "$W/app.war"
    [ "$status" -eq 1 ]
    # every line of stdout is a JSON object (no "fixed ..." text)
    echo "$output" | jqe -s 'length > 1 and all(type == "object")'
    echo "$output" | no_run | jqe -s '[.[] | select(.event.action == "log4j-fix")] | length == 1 and
        (.[0] | .event.kind == "event" and .event.category == ["file"] and
         .event.type == ["change"] and .event.outcome == "success" and
         .kensa.fix.state == "mitigated" and
         (.kensa.fix.backup | test("app.war.kensa-bak$")) and
         .kensa.fix.removed == ["org/apache/logging/log4j/core/lookup/JndiLookup.class"])'
    # the closing run record is still the last one
    echo "$output" | tail -n 1 | jqe '.event.action == "scan-completed"'
    # a dry run says what would go, as a record that changed nothing
    cp "$FX/plain/log4j-core-2.14.1.jar" "$W/b.jar"
    run --separate-stderr k log4j --json --backup-dir "$B" --fix --dry-run "$W/b.jar"
    echo "$output" | jqe -s 'all(type == "object") and any(.[]; .event.action == "log4j-fix" and
        .kensa.fix.dry_run == true and .event.type == ["info"] and .kensa.fix.backup == null)'
    # --restore: an action record too, and CSV gets a row
    bak=$(ls "$B"/*-app.war.kensa-bak)
    run --separate-stderr k log4j --json --restore "$bak"
    [ "$status" -eq 0 ]
    echo "$output" | jqe -s 'length == 1 and .[0].event.action == "log4j-restore" and
        .[0].event.outcome == "success" and .[0].file.path == "'"$W"'/app.war" and
        .[0].kensa.fix.backup == "'"$bak"'"'
    run --separate-stderr k log4j --csv --restore "$B/nothing.kensa-bak"
    [ "$status" -eq 2 ]
    [ "${lines[0]}" = $'timestamp,threat,detector,verdict,severity,package,version,cves,path,line,file_sha256,fixed_in,message,lookup,source_ip\r' ]
    [[ "${lines[1]}" == *'"log4j-restore","failure"'* ]]
    # a refused fix is a failure record with its reason
    mkdir "$W/z"
    cp "$FX/zip64/many-entries.jar" "$W/z/"
    run --separate-stderr k log4j --json --fix --backup-dir "$B" "$W/z"
    [ "$status" -eq 2 ]
    echo "$output" | jqe -s 'any(.[]; .event.action == "log4j-fix" and .event.outcome == "failure" and
        (.error.message | length > 0) and (.kensa.fix.reason | length > 0))'
    # and every one of them validates against ECS
    run --separate-stderr k log4j --json --backup-dir "$B" --fix "$W/b.jar"
    echo "$output" | python3 "$KENSA_TOP/tests/helpers/ecs_check.py" --expect action,run
}
