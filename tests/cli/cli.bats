#!/usr/bin/env bats
# cli.bats - the command line: exit codes, formats, languages, profiles,
# and the option table kept in sync with the man page and completion.

load helpers

setup_file() {
    make_fixtures
}

@test "exit 2 on usage errors and missing paths" {
    run "$KENSA"
    [ "$status" -eq 2 ]
    run "$KENSA" frobnicate
    [ "$status" -eq 2 ]
    run "$KENSA" log4j --max-files abc /tmp
    [ "$status" -eq 2 ]
    run "$KENSA" log4j
    [ "$status" -eq 2 ]
    run k log4j /nonexistent/path
    [ "$status" -eq 2 ]
    [[ "$output" == *"/nonexistent/path"* ]]
}

@test "exit 1 wins over errors when something is found" {
    run k log4j /nonexistent/path "$FX/plain/log4j-core-2.14.1.jar"
    [ "$status" -eq 1 ]
}

@test "text report groups by threat and explains it" {
    run "$KENSA" log4j --threads 1 "$FX/plain"
    [ "$status" -eq 1 ]
    [[ "$output" == *"== Log4Shell"* ]]
    [[ "$output" == *"CRITICAL"*"log4j-core-2.14.1.jar"* ]]
    [[ "$output" == *"Mitigation:"* ]]
    [[ "$output" == *"SCAN SUMMARY"* ]]
    [[ "$output" != *$'\033['* ]]
}

@test "--lang ja writes the profile in Japanese" {
    run k log4j --lang ja "$FX/plain/log4j-core-2.14.1.jar"
    [[ "$output" == *"影響範囲"* ]]
    [[ "$output" == *"対策"* ]]
    LANG=ja_JP.UTF-8 run k log4j "$FX/plain/log4j-core-2.14.1.jar"
    [[ "$output" == *"評価"* ]]
}

@test "--quiet prints findings only" {
    run k log4j --quiet "$FX/plain/log4j-core-2.14.1.jar" "$FX/hostile/truncated.jar"
    [ "$status" -eq 1 ]
    [ "${#lines[@]}" -eq 4 ]   # with its second line: version, CVEs, evidence
    [[ "$output" != *"warning"* ]]
}

@test "--csv has a header and one row per finding" {
    run k log4j --csv "$FX/plain"
    [ "${lines[0]%$'\r'}" = "timestamp,threat,detector,verdict,severity,package,version,cves,path,line,file_sha256,fixed_in,message,lookup,source_ip" ]
    [ "${#lines[@]}" -eq 7 ]
}

@test "--output writes the report to a file" {
    out="$BATS_TEST_TMPDIR/r.json"
    run k log4j --json -o "$out" "$FX/plain/log4j-core-2.14.1.jar"
    [ "$status" -eq 1 ]
    [ "$(count_alerts < "$out")" -eq 1 ]
}

@test "threats and brief, in both languages" {
    run "$KENSA" threats
    [ "$status" -eq 0 ]
    [[ "$output" == log4shell* ]]
    run "$KENSA" brief log4shell
    [[ "$output" == *"Impact scope:"* && "$output" == *"2.12.4"* ]]
    run "$KENSA" brief log4shell --lang ja
    [[ "$output" == *"影響範囲"* && "$output" == *"2.3.2"* ]]
    run "$KENSA" brief nosuch
    [ "$status" -eq 2 ]
}

@test "every option is in --help, the man page and the bash completion" {
    opts=$(sed -n 's/^OPT([A-Z_]*, "\([^"]*\)".*/\1/p' "$KENSA_TOP/src/options.def")
    [ -n "$opts" ]
    run "$KENSA" --help
    for o in $opts; do
        [[ "$output" == *"--$o"* ]] || { echo "help lacks --$o"; false; }
        grep -q -- "--$o" "$KENSA_TOP/docs/kensa.1.scd" || { echo "man lacks --$o"; false; }
        grep -q -- "--$o" "$KENSA_TOP/completions/kensa.bash" || { echo "bash completion lacks --$o"; false; }
        grep -q -- "--$o" "$KENSA_TOP/completions/_kensa" || { echo "zsh completion lacks --$o"; false; }
    done
}

@test "scans read only: nothing under the scanned tree changes" {
    before=$(find "$FX" -printf '%p %s %T@\n' | sort | md5sum)
    run k scan --json "$FX"
    [ "$status" -eq 1 ]
    after=$(find "$FX" -printf '%p %s %T@\n' | sort | md5sum)
    [ "$before" = "$after" ]
}

@test "on a terminal: colour and a progress line; NO_COLOR and pipes: neither" {
    command -v script >/dev/null || skip "script(1) not installed"
    run script -qec "'$KENSA' log4j --threads 1 '$FX/plain'" /dev/null
    [[ "$output" == *$'\033[1;31mCRITICAL'* ]]
    [[ "$output" == *"files/s"* ]]
    run script -qec "NO_COLOR=1 '$KENSA' log4j --threads 1 '$FX/plain'" /dev/null
    [[ "$output" != *$'\033[1;31m'* ]]
    run "$KENSA" log4j --threads 1 "$FX/plain"
    [[ "$output" != *"files/s"* && "$output" != *$'\033['* ]]
}
