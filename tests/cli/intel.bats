#!/usr/bin/env bats
# intel.bats - the intel pack and the user's intel (issue 12): every
# built-in YARA rule fires on a sample built to its traits and stays
# quiet on the shared corpus and on /usr/bin; hash, name and path
# indicators (masquerades judged by folder); --iocs in every format with
# its errors; --rules; kensa rules --list/--export.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
    export I="$BATS_FILE_TMPDIR/intel"
    python3 "$KENSA_TOP/tests/gen/mkintel.py" "$I"
}

# findings of detector $1 in the JSON report on stdin, as "name rule"
found() {
    jq -r --arg d "$1" 'select(.kensa.detector == $d) | "\(.file.name) \(.rule.name)"' | sort
}

@test "every built-in YARA rule fires on its sample, and on nothing else" {
    run "$KENSA" rules --list
    [ "$status" -eq 0 ]
    # kensa-iocs.yar: the network indicators' rule (a test of its own)
    echo "$output" | grep -q '^kensa-iocs.yar	kensa_ioc_net_sysjoker$'
    rules=$(echo "$output" | grep -v '^kensa-iocs.yar' | cut -f2)
    [ "$(echo "$rules" | wc -l)" -ge 10 ]
    run --separate-stderr k scan --json "$I/samples"
    [ "$status" -eq 1 ]
    got=$(echo "$output" | found yara)
    for r in $rules; do
        [ -f "$I/samples/$r.bin" ] || { echo "no sample for $r"; false; }
        # exactly one finding of rule r, on its own sample
        [ "$(echo "$got" | grep -c " $r\$")" -eq 1 ] || { echo "rule $r: $got"; false; }
        echo "$got" | grep -qx "$r.bin $r" || { echo "rule $r: $got"; false; }
    done
    echo "$output" | jqe -s '[.[] | select(.kensa.detector == "yara")] | length > 0 and
        all(.kensa.verdict == "malicious" and (.kensa.threat | length > 0) and
            (.rule.ruleset as $r | .rule.id | startswith($r + ":")) and (.kensa.evidence | length > 0))'
    echo "$output" | jq_any 'select(.rule.name == "kensa_sysjoker_linux") | .kensa.threat == "sysjoker"
        and .kensa.severity == "critical" and (.kensa.evidence | test("updateSystem"))'
    echo "$output" | jq_any 'select(.rule.name == "kensa_flagpro_macro_dropper") | .kensa.threat == "flagpro"'
    echo "$output" | jq_any 'select(.rule.name == "kensa_charmpower_powershell") | .kensa.threat == "charmpower"'
}

@test "Mach-O thin and fat typed right (not a Java class), whatever the file's name" {
    run --separate-stderr k scan --json "$I/magic"
    [ "$status" -eq 1 ]
    got=$(echo "$output" | found yara)
    echo "$got"
    [ "$got" = "fat kensa_sysjoker_macos
types-config.ts kensa_sysjoker_macos" ]
}

@test "a sample inside a zip is found as file!member" {
    command -v zip >/dev/null || skip "zip not installed"
    rm -f "$I/s.zip"
    (cd "$I/samples" && zip -q "$I/s.zip" kensa_sysjoker_macos.bin)
    run --separate-stderr k scan --json "$I/s.zip"
    [ "$status" -eq 1 ]
    echo "$output" | jqe -s 'any(.[]; .rule.name == "kensa_sysjoker_macos" and
        (.kensa.path | endswith("s.zip!/kensa_sysjoker_macos.bin")))'
}

@test "quiet on the shared corpus" {
    [ -d /work/shared/corpus ] || skip "no shared corpus"
    run --separate-stderr k scan --json /work/shared/corpus
    echo "$output" | jq -s -e 'length > 0' >/dev/null
    hits=$(echo "$output" | jq -r 'select(.kensa.detector == "yara" or .kensa.detector == "ioc") | .kensa.path')
    [ -z "$hits" ] || { echo "$hits"; false; }
}

@test "quiet on a sample of /usr/bin (every 4th file)" {
    files=$(find /usr/bin -maxdepth 1 -type f -size -20M | sort | awk 'NR % 4 == 0')
    [ -n "$files" ]
    run --separate-stderr k scan --json $files
    echo "$output" | jq -s -e 'any(.[]; .event.action == "scan-completed" and .kensa.scan.files > 50)' >/dev/null
    hits=$(echo "$output" | jq -r 'select(.kensa.detector == "yara" or .kensa.detector == "ioc") | .kensa.path')
    [ -z "$hits" ] || { echo "$hits"; false; }
}

@test "a file whose hash is an indicator, by MD5, SHA-1 and SHA-256" {
    printf 'planted bytes %s\n' 1 > "$I/h1"
    printf 'planted bytes %s\n' 2 > "$I/h2"
    printf 'planted bytes %s\n' 3 > "$I/h3"
    {
        echo "type,value,threat,source"
        echo "md5,$(md5sum "$I/h1" | cut -d' ' -f1),sysjoker,test"
        echo "sha1,$(sha1sum "$I/h2" | cut -d' ' -f1 | tr a-f A-F),,test"
        echo "sha256,$(sha256sum "$I/h3" | cut -d' ' -f1)"
    } > "$I/hashes.csv"
    run --separate-stderr k scan --json --iocs "$I/hashes.csv" "$I/h1" "$I/h2" "$I/h3"
    [ "$status" -eq 1 ]
    echo "$output" | jqe -s '[.[] | select(.kensa.detector == "ioc")] | length == 3'
    echo "$output" | jq_any 'select(.file.name == "h1") | .kensa.threat == "sysjoker" and .rule.name == "ioc.md5"
        and .threat.indicator.file.hash.md5 != null'
    echo "$output" | jq_any 'select(.file.name == "h2") | .kensa.threat == "user-ioc" and .rule.name == "ioc.sha1"'
    echo "$output" | jq_any 'select(.file.name == "h3") | .rule.name == "ioc.sha256" and .kensa.severity == "critical"'
    # a plain hash list (sha256sum's output) works too
    sha256sum "$I/h3" > "$I/list.txt"
    run --separate-stderr k scan --json --iocs "$I/list.txt" "$I/h3"
    [ "$status" -eq 1 ]
    echo "$output" | jqe -s 'any(.[]; .rule.name == "ioc.sha256")'
}

@test "masquerades and hiding places judged by path, not by name" {
    run --separate-stderr k scan --json "$I/roots/win"
    [ "$status" -eq 1 ]
    win=$(echo "$output" | jq -r 'select(.kensa.detector == "ioc") | "\(.kensa.threat) \(.file.path)"' | sort)
    echo "$win"
    echo "$win" | grep -q "^flagpro .*/Startup/dwm.exe$"
    echo "$win" | grep -q "^sysjoker .*/ProgramData/SystemData/igfxCUIService.exe$"
    ! echo "$win" | grep -q "System32/dwm.exe"
    ! echo "$win" | grep -q "Program Files"
    [ "$(echo "$win" | wc -l)" -eq 2 ]
    # Unix paths are anchored at the scanned system's root
    run --separate-stderr k scan --json --root "$I/roots/lin" /
    [ "$status" -eq 1 ]
    echo "$output" | jqe -s '[.[] | select(.kensa.detector == "ioc")] | length == 1 and
        (.[0].kensa.path | endswith("/.Library/SystemServices/updateSystem")) and .[0].kensa.threat == "sysjoker"'
    run --separate-stderr k scan --json --root "$I/roots/mac" /
    [ "$status" -eq 1 ]
    echo "$output" | jqe -s '[.[] | select(.kensa.detector == "ioc")] | length == 1 and
        (.[0].kensa.path | endswith("/Library/LaunchAgents/com.apple.update.plist")) and
        (.[0].kensa.path | contains("Users") | not)'
    # the same /.Library folder scanned without --root is no one's root
    run --separate-stderr k scan --json "$I/roots/lin"
    [ "$status" -eq 0 ]
}

@test "a file a path indicator names is scanned even when empty or past --max-filesize" {
    rm -rf "$I/r2" && mkdir -p "$I/r2/.Library/SystemServices" "$I/r2/etc"
    : > "$I/r2/.Library/SystemServices/updateSystem"
    head -c 2000000 /dev/zero | tr '\0' 'a' > "$I/r2/.Library/big"
    head -c 2000000 /dev/zero | tr '\0' 'a' > "$I/r2/etc/big"
    run --separate-stderr k scan --json --max-filesize 1M --root "$I/r2" /
    [ "$status" -eq 1 ]
    echo "$output" | jqe -s '[.[] | select(.kensa.detector == "ioc")] | length == 2 and
        all(.kensa.evidence | contains("content scanned because the path matched"))'
    echo "$output" | jq_any '.error.id == "limit.filesize" and (.kensa.path // .file.path | endswith("etc/big"))'
}

@test "a STIX 2.1 bundle and a MISP event" {
    printf 'stix sample\n' > "$I/st"
    printf 'misp sample\n' > "$I/mi"
    cat > "$I/bundle.json" <<JSON
{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[
 {"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
  "name":"SysJoker","pattern_type":"stix",
  "pattern":"[file:hashes.'SHA-256' = '$(sha256sum "$I/st" | cut -d' ' -f1)'] OR [domain-name:value = 'bookitlab[.]tech']"}]}
JSON
    cat > "$I/event.json" <<JSON
{"Event":{"info":"test","Attribute":[
 {"type":"md5","value":"$(md5sum "$I/mi" | cut -d' ' -f1)","uuid":"5f1c1b8e-0000-4000-8000-000000000001"},
 {"type":"filename","value":"Evil-Name.EXE"},
 {"type":"ip-dst","value":"203.0.113.9"}]}}
JSON
    printf 'x\n' > "$I/evil-name.exe"
    run --separate-stderr k scan --json --iocs "$I/bundle.json" --iocs "$I/event.json" "$I/st" "$I/mi" "$I/evil-name.exe"
    [ "$status" -eq 1 ]
    echo "$output" | jq_any 'select(.file.name == "st") | .kensa.threat == "sysjoker" and .rule.name == "ioc.sha256"'
    echo "$output" | jq_any 'select(.file.name == "mi") | .rule.name == "ioc.md5" and (.threat.indicator.provider | contains("event.json"))'
    echo "$output" | jq_any 'select(.file.name == "evil-name.exe") | .rule.name == "ioc.filename"'
}

@test "bad intel: the file and line are named, exit 2; refused values are counted" {
    printf 'type,value\nsha256,%s\nnot-a-type,x\n' "$(printf a | sha256sum | cut -d' ' -f1)" > "$I/bad.csv"
    run --separate-stderr k scan --iocs "$I/bad.csv" "$I/samples"
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"bad.csv: line 3: unknown indicator type"* ]]
    [ -z "$output" ]
    printf '{"type":"bundle",\n"objects": [\n' > "$I/broken.json"
    run --separate-stderr k scan --iocs "$I/broken.json" "$I/samples"
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"broken.json: line "*"not valid JSON"* ]]
    # values that fail the checks: a warning naming the first, the scan goes on
    printf 'md5,d41d8cd98f00b204e9800998ecf8427e\nsha1,abc\nsha256,%s\n' "$(sha256sum "$I/h3" | cut -d' ' -f1)" > "$I/some.csv"
    run --separate-stderr k scan --json --iocs "$I/some.csv" "$I/h3"
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"some.csv: 2 entries rejected, the first at line 1 ('d41d8cd98f00b204e9800998ecf8427e'): hash of a trivial file"* ]]
    # Japanese too
    run --separate-stderr k scan --lang ja --iocs "$I/bad.csv" "$I/samples"
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"bad.csv：3 行目"* ]]
}

@test "--iocs with a file that is not there points to --export-iocs; --iocs is for scan" {
    run --separate-stderr k scan --iocs "$I/out.csv" "$I/samples"
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"--iocs $I/out.csv: not found"*"use --export-iocs $I/out.csv"* ]]
    [ ! -e "$I/out.csv" ]
    # the old use: kensa logs --iocs FILE
    run --separate-stderr k logs --iocs "$I/out.csv" "$I/samples"
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"apply to kensa scan"*"--export-iocs"* ]]
    [ ! -e "$I/out.csv" ]
    run --separate-stderr k log4j --rules "$I/rules" "$I/samples"
    [ "$status" -eq 2 ]
}

@test "--rules: a folder of sources with externals, a compiled file, a bad rule named with its line" {
    mkdir -p "$I/rules"
    cat > "$I/rules/mine.yar" <<'YAR'
rule my_marker {
    meta:
        threat = "My Threat"
        severity = "medium"
    strings:
        $a = "KENSA-TEST-MARKER"
    condition:
        $a and filename matches /\.txt$/ and extension == "txt" and filetype == "UNKNOWN"
}
YAR
    printf 'xx KENSA-TEST-MARKER yy\n' > "$I/marker.txt"
    printf 'xx KENSA-TEST-MARKER yy\n' > "$I/marker.dat"
    run --separate-stderr k scan --json --rules "$I/rules" "$I/marker.txt" "$I/marker.dat"
    [ "$status" -eq 1 ]
    echo "$output" | jqe -s '[.[] | select(.kensa.detector == "yara")] | length == 1 and
        .[0].file.name == "marker.txt" and .[0].kensa.threat == "my-threat" and
        .[0].kensa.severity == "medium" and .[0].rule.id == "mine.yar:my_marker"'
    if command -v yarac >/dev/null; then
        yarac -d filename= -d extension= -d filetype= -d filepath= -d owner= -d md5= \
            "$I/rules/mine.yar" "$I/mine.yarc"
        run --separate-stderr k scan --json --rules "$I/mine.yarc" "$I/marker.txt"
        [ "$status" -eq 1 ]
        echo "$output" | jqe -s 'any(.[]; .rule.name == "my_marker")'
    fi
    mkdir -p "$I/badrules"
    printf 'rule ok { condition: true }\n\nrule broken {\n  condition: $nope\n}\n' > "$I/badrules/b.yar"
    run --separate-stderr k scan --rules "$I/badrules" "$I/marker.txt"
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"b.yar: line "[45]": YARA: undefined string"* ]]
}

@test "kensa rules --export writes sources yarac compiles, and never overwrites" {
    rm -rf "$I/export"
    run --separate-stderr "$KENSA" rules --export "$I/export"
    [ "$status" -eq 0 ]
    n=$(ls "$I/export" | wc -l)
    [ "$n" -eq "$("$KENSA" rules --list | cut -f1 | sort -u | wc -l)" ]
    grep -q "rule kensa_sysjoker_linux" "$I/export/sysjoker.yar"
    if command -v yarac >/dev/null; then
        yarac "$I/export"/*.yar "$I/export.yarc"
        command -v yara >/dev/null && yara -C -r "$I/export.yarc" "$I/samples" | grep -q kensa_sysjoker_linux
    fi
    echo changed > "$I/export/sysjoker.yar"
    run --separate-stderr "$KENSA" rules --export "$I/export"
    [ "$status" -eq 2 ]
    [ "$(cat "$I/export/sysjoker.yar")" = changed ]
    # a link planted where a file will go is not followed
    rm -rf "$I/export2" && mkdir "$I/export2"
    ln -s "$I/victim" "$I/export2/flagpro.yar"
    run --separate-stderr "$KENSA" rules --export "$I/export2"
    [ "$status" -eq 2 ]
    [ ! -e "$I/victim" ]
    run --separate-stderr "$KENSA" rules
    [ "$status" -eq 2 ]
}

@test "kensa does not find its own intel in its own binary" {
    # the pack is masked in the binary: a host scan must not flag kensa
    run --separate-stderr k scan --json "$KENSA"
    [ "$status" -eq 0 ]
    echo "$output" | only_run_record
    ! grep -aq 'user_token=987217232' "$KENSA"
}

@test "network indicators in content: domains any case, dead-drop URLs exactly" {
    printf 'c2 = BookItLab.Tech\n' > "$I/net1.conf"
    printf 'u = https://drive.google.com/uc?export=download&id=1W64PQQxrwY3XjBnv_QAeBQu-ePr537eu\n' > "$I/net2.conf"
    # the same id in another case, and the bare host: not indicators
    printf 'u = https://drive.google.com/uc?export=download&id=1W64PQQxrwY3XjBnv_QaeBQu-ePr537eu\nhttps://drive.google.com/\n' > "$I/net3.conf"
    printf 'see notbookitlab.technology\n' > "$I/net4.conf"
    printf 'ip,198.51.100.23:8080,mythreat\n' > "$I/net.csv"
    printf 'peer 198.51.100.23 port 8080\n' > "$I/net5.conf"
    run --separate-stderr k scan --json --iocs "$I/net.csv" "$I/net1.conf" "$I/net2.conf" "$I/net3.conf" "$I/net4.conf" "$I/net5.conf"
    [ "$status" -eq 1 ]
    got=$(echo "$output" | found yara)
    echo "$got"
    [ "$got" = "net1.conf kensa_ioc_net_sysjoker
net2.conf kensa_ioc_net_sysjoker
net5.conf kensa_ioc_net_mythreat" ]
}

@test "--rules: the owner external is the file owner's name, read before confinement" {
    printf 'rule by_owner { meta: threat = "t" condition: owner == "%s" and filesize > 0 }\n' "$(id -un)" > "$I/owner.yar"
    printf 'x\n' > "$I/owned"
    run --separate-stderr k scan --json --rules "$I/owner.yar" "$I/owned"
    [ "$status" -eq 1 ]
    echo "$output" | jqe -s 'any(.[]; .rule.name == "by_owner")'
}

@test "a YARA scan that times out is reported incomplete, not clean" {
    printf 'rule slow { meta: threat = "t" condition: for all i in (0..filesize) : ( for all j in (0..1000) : ( uint8(i) == 0 ) ) }\n' > "$I/slow.yar"
    head -c 2000000 /dev/zero > "$I/zeros.bin"
    run --separate-stderr timeout 60 "$KENSA" scan --threads 1 --json --no-summary --max-scantime 1000 --rules "$I/slow.yar" "$I/zeros.bin"
    [ "$status" -eq 0 ]
    echo "$output" | jq_any '.error.id == "yara.error" and (.error.message | test("incomplete, not clean"))'
    echo "$output" | jqe -s 'any(.[]; .event.action == "scan-completed" and .kensa.scan.skipped.limit >= 1)'
}

@test "prose about the Flagpro macro is not the macro" {
    cat > "$I/notes.md" <<'MD'
The macro uses an auto-exec trigger (`Workbook_Open`/`Auto_Open`) that writes
a file (`Open ... For Binary`/`Put`/`ADODB.Stream`/`SaveToFile`) into
`Environ("APPDATA") & "\Microsoft\Windows\Start Menu\Programs\Startup"`
under the name `dwm.exe`.
MD
    run --separate-stderr k scan --json "$I/notes.md" "$I/samples/kensa_flagpro_macro_dropper.bin"
    [ "$status" -eq 1 ]
    echo "$output" | jqe -s '[.[] | select(.kensa.detector == "yara")] | length == 1 and
        (.[0].kensa.path | endswith("kensa_flagpro_macro_dropper.bin"))'
}

@test "--rules reading the path: the same archive twice under two names is scanned twice" {
    command -v zip >/dev/null || skip "zip not installed"
    rm -rf "$I/ctx" && mkdir -p "$I/ctx" && cd "$I/ctx"
    printf 'MARKER-XYZ\n' > x.txt
    zip -q in1.zip x.txt && cp in1.zip in2.zip && zip -q -0 outer.zip in1.zip in2.zip
    printf 'rule by_path { meta: threat = "t" strings: $a = "MARKER-XYZ" condition: $a and filepath contains "in2.zip" }\n' > r.yar
    run --separate-stderr k scan --json --rules r.yar outer.zip
    [ "$status" -eq 1 ]
    echo "$output" | jqe -s 'any(.[]; .rule.name == "by_path" and (.kensa.path | endswith("in2.zip!/x.txt")))'
}
