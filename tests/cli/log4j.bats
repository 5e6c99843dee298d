#!/usr/bin/env bats
# log4j.bats - `kensa log4j` end to end on fixtures built by the tests.

load helpers

setup_file() {
    make_fixtures
}

@test "vulnerable jar: exit 1, exact version, CVEs, fix and ECS fields" {
    run k log4j --json "$FX/plain/log4j-core-2.14.1.jar"
    [ "$status" -eq 1 ]
    [ "$(echo "$output" | alerts)" = "vulnerable 2.14.1" ]
    echo "$output" | jq_alerts '(.vulnerability.id | index("CVE-2021-44228"))
          and .kensa.severity == "critical"
          and (.kensa.fixed_in | test("2.17.1"))
          and .["@timestamp"] and .ecs.version
          and .event.dataset == "kensa.log4j"
          and (.file.hash.sha256 | test("^[0-9a-f]{64}$"))
          and .package.name == "log4j-core"
          and .kensa.threat == "log4shell"
          and .kensa.version_exact == true'
}

@test "each release line gets its own CVEs" {
    for v in 2.15.0 2.16.0 2.12.2 2.17.0; do
        run k log4j --json "$FX/plain/log4j-core-$v.jar"
        [ "$status" -eq 1 ]
        [ "$(echo "$output" | alerts)" = "vulnerable $v" ]
    done
    run k log4j --json "$FX/plain/log4j-core-2.15.0.jar"
    echo "$output" | jq_alerts '.kensa.severity == "critical"
        and (.vulnerability.id | index("CVE-2021-45046"))
        and (.vulnerability.id | index("CVE-2021-44228") | not)'
    run k log4j --json "$FX/plain/log4j-core-2.17.0.jar"
    echo "$output" | jq_alerts '.vulnerability.id == ["CVE-2021-44832"]
        and .kensa.severity == "medium"'
    run k log4j --json "$FX/plain/log4j-core-2.12.2.jar"
    echo "$output" | jq_alerts '.kensa.fixed_in | test("2.12.4")'
}

@test "patched releases are silent, and listed with --all" {
    run k log4j --json "$FX/clean"
    [ "$status" -eq 0 ]
    echo "$output" | only_run_record
    run k log4j --json --all "$FX/clean"
    [ "$status" -eq 0 ]   # an inventory alone never fails
    [ "$(echo "$output" | alerts | tr '\n' ' ')" = "patched 2.12.4 patched 2.17.1 patched 2.3.2 " ]
}

@test "a pom that lies does not hide vulnerable classes" {
    run k log4j --json "$FX/plain/liar.jar"
    [ "$status" -eq 1 ]
    echo "$output" | jq_alerts '.kensa.verdict == "vulnerable"
        and (.vulnerability.id | index("CVE-2021-44228"))
        and (.kensa.evidence | test("disagree"))'
}

@test "nested jars in wars and ears keep their whole path" {
    run k log4j --json "$FX/nested/app.war" "$FX/nested/app.ear"
    [ "$status" -eq 1 ]
    echo "$output" | jq -r '.kensa.path' | sort > "$BATS_TEST_TMPDIR/paths"
    grep -qx "$FX/nested/app.war!/WEB-INF/lib/app.jar!/BOOT-INF/lib/log4j-core-2.14.1.jar" "$BATS_TEST_TMPDIR/paths"
    grep -qx "$FX/nested/app.ear!/app.war!/WEB-INF/lib/app.jar!/BOOT-INF/lib/log4j-core-2.14.1.jar" "$BATS_TEST_TMPDIR/paths"
    echo "$output" | jq_any '.kensa.depth == 3 and .kensa.object.hash.sha256 != .file.hash.sha256'
}

@test "tar, tar.gz, tar.xz and a gzipped jar are opened" {
    run k log4j --json "$FX/nested"
    for p in "image.tar!/opt/app/lib/log4j-core-2.14.1.jar" \
             "image.tar.gz!/opt/app/lib/log4j-core-2.14.1.jar" \
             "image.tar.xz!/opt/app/lib/log4j-core-2.14.1.jar" \
             "log4j-core-2.14.1.jar.gz!/log4j-core-2.14.1.jar"; do
        echo "$output" | jq_any --arg p "$FX/nested/$p" '.kensa.path == $p'
    done
    [ "$(echo "$output" | count_alerts)" -eq 6 ]
}

@test "shaded and relocated copies are found by their classes" {
    run k log4j --json "$FX/shaded/fat.jar"
    [ "$status" -eq 1 ]
    echo "$output" | jq_alerts '.kensa.verdict == "vulnerable"
        and (.kensa.evidence | test("com/acme/shaded/log4j/core/"))
        and (.vulnerability.id | index("CVE-2021-44228"))'
    run k log4j --json "$FX/shaded/rootreloc.jar"
    [ "$(echo "$output" | alerts)" = "vulnerable 2.15.0" ]
    run k log4j --json "$FX/shaded/two-copies.jar"
    [ "$(echo "$output" | count_alerts)" -eq 2 ]
}

@test "JndiLookup removed is mitigated; renamed is not vulnerable either" {
    run k log4j --json "$FX/mitigated/removed.jar"
    [ "$(echo "$output" | alerts)" = "mitigated 2.14.1" ]
    echo "$output" | jq_alerts '(.vulnerability.id | index("CVE-2021-44228") | not)
        and (.vulnerability.id | index("CVE-2021-44832"))'
    run k log4j --json "$FX/mitigated/renamed.jar"
    echo "$output" | jq_alerts '.kensa.verdict == "mitigated"'
    # 2.16.0 without JndiLookup: still vulnerable to CVE-2021-45105/44832
    run k log4j --json "$FX/mitigated/removed-2.16.0.jar"
    [ "$(echo "$output" | alerts)" = "vulnerable 2.16.0" ]
}

@test "api jars, bridges, look-alikes and scanners stay silent" {
    run k log4j --json "$FX/silent"
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | count_alerts)" -eq 0 ]
    # silent because every file was read and judged, not skipped
    run "$KENSA" log4j --threads 1 --color never "$FX/silent"
    [ "$status" -eq 0 ]
    [[ "$output" == *"Scanned files: $(ls "$FX/silent" | wc -l) ("* ]]
    [[ "$output" == *"Findings: 0"* ]]
    [[ "$output" == *"Warnings: 0 "* ]]
}

@test "log4j 1.x is end-of-life, with its dangerous classes" {
    run k log4j --json "$FX/v1"
    [ "$status" -eq 1 ]
    echo "$output" | jq_alerts '.kensa.verdict == "end-of-life"
        and .package.version == "1.2.17" and .package.name == "log4j"
        and (.vulnerability.id | index("CVE-2021-4104"))
        and (.kensa.evidence | test("JMSAppender"))'
}

@test "a pom without classes (obfuscated jar) is believed" {
    run k log4j --json "$FX/obfuscated"
    [ "$(echo "$output" | alerts)" = "vulnerable 2.14.1" ]
}

@test "exploded class folders are one copy each" {
    run k log4j --json "$FX/exploded" "$FX/exploded-mitigated"
    [ "$status" -eq 1 ]
    [ "$(echo "$output" | count_alerts)" -eq 2 ]
    echo "$output" | jq_any --arg p "$FX/exploded/WEB-INF/classes/org/apache/logging/log4j/core" \
        '.kensa.path == $p and .package.version == "2.14.1" and .kensa.verdict == "vulnerable"'
    echo "$output" | jq_any '(.kensa.path | test("exploded-mitigated")) and .kensa.verdict == "mitigated"'
}

@test "type by magic: renamed, launcher-prefixed, jmod, junk, descriptors" {
    run k log4j --json "$FX/magic"
    [ "$status" -eq 1 ]
    [ "$(echo "$output" | count_alerts)" -eq 5 ]
    [ "$(echo "$output" | alerts | sort -u)" = "vulnerable 2.14.1" ]
}

@test "zip64 end records (more than 65535 entries)" {
    run k log4j --json "$FX/zip64"
    [ "$status" -eq 1 ]
    [ "$(echo "$output" | count_alerts)" -eq 1 ]
}

@test "hostile archives cost a warning, never the scan" {
    run k log4j --json "$FX/hostile"
    [ "$status" -eq 1 ]
    # the real jar after the corrupt decoy is still found
    echo "$output" | jq_any '.kensa.path | endswith("badmethod.jar!/log4j-core-2.14.1.jar")'
    echo "$output" | jq_any '(.event.kind=="event" and (.kensa.path|endswith("truncated.jar")))'
    echo "$output" | jq_any '(.event.kind=="event" and (.error.message|test("max-recursion")))'
    echo "$output" | jq_any '(.event.kind=="event" and (.kensa.path|endswith("bomb.jar")))'
    # a corrupt archive alone: a warning, exit 0 (not an error of the scan)
    run k log4j "$FX/hostile/truncated.jar"
    [ "$status" -eq 0 ]
    [[ "$output" == *"truncated.jar: not a readable zip"* ]]
}

@test "--max-recursion lets a deeper copy be found" {
    run k log4j --json "$FX/hostile/deep.jar"
    [ "$(echo "$output" | count_alerts)" -eq 0 ]
    run k log4j --json --max-recursion 25 "$FX/hostile/deep.jar"
    [ "$(echo "$output" | count_alerts)" -eq 1 ]
}

@test "bombs stay within memory: 300 MiB entry refused by ratio" {
    run /usr/bin/time -f "%M" "$KENSA" log4j -q --threads 1 "$FX/hostile/bomb.jar"
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | tail -1)" -lt 65536 ]
    # refused, and said so
    run k log4j "$FX/hostile/bomb.jar"
    [ "$status" -eq 0 ]
    [[ "$output" == *"bomb.jar: entry inner.jar: over the size or compression-ratio limit, skipped"* ]]
}

@test "names with newlines and bad UTF-8 still give valid JSON" {
    run k log4j --json "$FX/names"
    [ "$status" -eq 1 ]
    echo "$output" | no_run | jq -e -s 'length == 1 and (.[0].kensa.path | test("evil\nname\ufffd.jar$"))'
}

@test "symlinks: not followed by default, loops end when followed" {
    run k log4j --json "$FX/links"
    [ "$(echo "$output" | count_alerts)" -eq 1 ]
    run timeout 20 "$KENSA" log4j --json --follow-symlinks --threads 2 "$FX/links"
    [ "$status" -eq 1 ]
    [ "$(echo "$output" | count_alerts)" -eq 1 ]
}

@test "--exclude skips by glob" {
    run k log4j --json --exclude '*.war' --exclude 'app.ear' "$FX/nested"
    [ "$(echo "$output" | count_alerts)" -eq 4 ]
}

@test "several threads find the same as one" {
    "$KENSA" log4j --json --threads 1 "$FX" | jq -r 'select(.event.kind!="event") | .kensa.path' | sort >"$BATS_TEST_TMPDIR/a"
    "$KENSA" log4j --json --threads 4 "$FX" | jq -r 'select(.event.kind!="event") | .kensa.path' | sort >"$BATS_TEST_TMPDIR/b"
    cmp "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
    # the same, and something: every fixture folder holds findings
    [ "$(wc -l < "$BATS_TEST_TMPDIR/a")" -ge 30 ]
    grep -qx "$FX/plain/log4j-core-2.14.1.jar" "$BATS_TEST_TMPDIR/a"
}

@test "a 40 MiB jar in a tarball is found without holding it in memory" {
    run /usr/bin/time -f "%M" "$KENSA" log4j -q --threads 1 "$FX/big/image.tar.gz"
    [ "$status" -eq 1 ]
    [[ "$output" == *"image.tar.gz!/opt/app/big.jar"* ]]
    [ "$(echo "$output" | tail -1)" -lt 65536 ]
}

@test "a 40 MiB nested jar is found without holding it in memory" {
    run /usr/bin/time -f "%M" "$KENSA" log4j -q --threads 1 "$FX/big/big-inner.war"
    [ "$status" -eq 1 ]
    [[ "$output" == *"big-inner.war!/WEB-INF/lib/big.jar"* ]]
    [ "$(echo "$output" | tail -1)" -lt 65536 ]
}

@test "node_modules, .git and dot folders are not silently skipped" {
    d="$BATS_TEST_TMPDIR/proj"
    mkdir -p "$d/node_modules/pkg/lib" "$d/.git/lfs" "$d/.cache"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$d/node_modules/pkg/lib/"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$d/.git/lfs/x.bin"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$d/.cache/y"
    run k log4j --json "$d"
    [ "$(echo "$output" | count_alerts)" -eq 3 ]
}

@test "identical nested jars: each vulnerable copy is reported, wherever it repeats" {
    run k log4j --json "$FX/repeat/twice.war" "$FX/repeat/twice.war"
    [ "$(echo "$output" | jq -r 'select(.kensa.verdict=="vulnerable") | .kensa.path' | sort | uniq -c | awk '{print $1}' | tr '\n' ' ')" = "2 2 " ]
    [ "$(echo "$output" | count_alerts)" -eq 4 ]
}

# ---- accurate verdicts (issue 9) ---------------------------------------

@test "log4j 1.x has its own profile, not Log4Shell's" {
    run k log4j --json "$FX/v1/log4j-1.2.17.jar"
    [ "$status" -eq 1 ]
    echo "$output" | jq_alerts '.kensa.threat == "log4j1-eol"
        and .kensa.severity == "high"'
    run k log4j "$FX/v1/log4j-1.2.17.jar"
    [[ "$output" == *"Apache Log4j 1.x (end of life)"* ]]
    [[ "$output" == *"reload4j"* ]]
    [[ "$output" != *"Log4Shell ("* ]]
    run k log4j --lang ja "$FX/v1/log4j-1.2.17.jar"
    [[ "$output" == *"サポート終了"* && "$output" == *"reload4j"* ]]
    run "$KENSA" brief log4j1-eol --lang ja
    [ "$status" -eq 0 ]
    [[ "$output" == *"2015年8月"* && "$output" == *"CVE-2022-23307"* ]]
}

@test "a 1.2.17 with backported fixes lists only the CVEs it still has" {
    run k log4j --json "$FX/v1bp/log4j-1.2-1.2.17-debian.jar"
    [ "$status" -eq 1 ]
    echo "$output" | jq_alerts '.vulnerability.id == ["CVE-2020-9488"]
        and .kensa.severity == "medium"
        and (.kensa.evidence | test("CVE-2019-17571 \\(SocketNode: HardenedObjectInputStream\\)"))
        and (.kensa.evidence | test("CVE-2022-23305 \\(JDBCAppender: PreparedStatement\\)"))
        and (.kensa.evidence | test("CVE-2022-23307"))'
    run k log4j --json "$FX/v1bp/log4j-1.2.17-allfixed.jar"
    echo "$output" | jq_alerts '(.vulnerability.id | not) and .kensa.severity == "medium"
        and .kensa.verdict == "end-of-life"'
    # the same classes without the fixes keep every CVE
    run k log4j --json "$FX/v1bp/log4j-1.2.17-upstream.jar"
    echo "$output" | jq_alerts '.vulnerability.id == ["CVE-2019-17571",
        "CVE-2022-23305", "CVE-2022-23307", "CVE-2020-9488"]
        and .kensa.severity == "high"'
    # a marker in a class that is not log4j's SocketNode fixes nothing
    run k log4j --json "$FX/v1bp/log4j-1.2.17-fake.jar"
    echo "$output" | jq_alerts '.vulnerability.id == ["CVE-2019-17571"]'
}

# The real jar of Debian 12's liblog4j1.2-java (1.2.17-11): from the
# shared corpus, else downloaded with apt-get download.
debian_jar() {
    local j="$KENSA_CORPUS/log4j/debian/$1"
    if [ -f "$j" ]; then echo "$j"; return; fi
    command -v apt-get >/dev/null || return 1
    ( cd "$BATS_FILE_TMPDIR" && timeout 60 apt-get download "$2" >/dev/null 2>&1 ) || return 1
    local deb
    deb=$(ls "$BATS_FILE_TMPDIR"/"$2"_*.deb 2>/dev/null | head -1) || return 1
    [ -n "$deb" ] || return 1
    mkdir -p "$BATS_FILE_TMPDIR/deb"
    dpkg-deb -x "$deb" "$BATS_FILE_TMPDIR/deb" || return 1
    j=$(find "$BATS_FILE_TMPDIR/deb" -name "$1" -type f | head -1)
    [ -n "$j" ] && echo "$j"
}

@test "Debian's liblog4j1.2-java: backported fixes recognised in the real jar" {
    jar=$(debian_jar log4j-1.2-1.2.17.jar liblog4j1.2-java) ||
        skip "skipped: no Debian jar (corpus absent, offline)"
    run k log4j --json "$jar"
    [ "$status" -eq 1 ]
    echo "$output" | jq_alerts '.kensa.threat == "log4j1-eol"
        and .package.version == "1.2.17"
        and (.vulnerability.id | index("CVE-2019-17571") | not)
        and (.vulnerability.id | index("CVE-2022-23305") | not)
        and (.vulnerability.id | index("CVE-2022-23307") | not)
        and (.vulnerability.id | index("CVE-2021-4104") | not)
        and (.vulnerability.id | index("CVE-2022-23302") | not)
        and (.kensa.evidence | test("backported"))'
}

@test "Debian's liblog4j2-java 2.19.0 is judged by its real version" {
    jar=$(debian_jar log4j-core-2.19.0.jar liblog4j2-java) ||
        skip "skipped: no Debian jar (corpus absent, offline)"
    run k log4j --json "$jar"
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | count_alerts)" -eq 0 ]
    run k log4j --json --all "$jar"
    [ "$status" -eq 0 ]
    echo "$output" | jq_alerts '.kensa.verdict == "patched"
        and .package.version == "2.19.0" and .kensa.threat == "log4j2-residual"'
}

@test "the profile after a finding matches its severity" {
    # 2.17.0: CVE-2021-44832 only, medium; never followed by "Critical."
    run k log4j "$FX/plain/log4j-core-2.17.0.jar"
    [ "$status" -eq 1 ]
    [[ "$output" == *"MEDIUM"* ]]
    [[ "$output" != *"Critical."* ]]
    [[ "$output" == *"Assessment:"*"Medium."* ]]
    run k log4j --json "$FX/plain/log4j-core-2.17.0.jar"
    echo "$output" | jq_alerts '.kensa.threat == "log4j2-residual"'
    run k log4j --lang ja "$FX/plain/log4j-core-2.17.0.jar"
    [[ "$output" != *"緊急。"* && "$output" == *"中。"* ]]
    # 2.14.1 stays Log4Shell, critical
    run k log4j "$FX/plain/log4j-core-2.14.1.jar"
    [[ "$output" == *"CRITICAL"* && "$output" == *"Critical."* ]]
}
