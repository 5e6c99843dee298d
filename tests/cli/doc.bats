#!/usr/bin/env bats
# doc.bats - kensa doc: Office documents judged by what their active
# content would do.  Fixtures are assembled from parts at test time by
# tests/gen/mkdoc.py (OOXML with zipfile, VBA projects with mkvba.py).
#
# Exit status: malicious or suspicious documents exit 1; a document with
# macros and nothing dangerous in them is reported (verdict "macros",
# kind state) but exits 0, as a mail gateway expects: most spreadsheets
# with macros are business as usual.

load helpers

setup_file() {
    export DX="$BATS_FILE_TMPDIR/doc"
    python3 "$KENSA_TOP/tests/gen/mkdoc.py" "$DX"
}

kd() {
    "$KENSA" doc --json --threads 1 --no-summary "$@"
}

@test "flagpro: Workbook_Open writes dwm.exe into Startup: malicious, flagpro" {
    run kd "$DX/flagpro.xlsm"
    [ "$status" -eq 1 ]
    echo "$output" | jqe -s '[.[] | select(.kensa.detector=="maldoc")] |
        length == 1 and .[0].kensa.verdict == "malicious" and
        .[0].kensa.threat == "flagpro" and
        .[0].rule.id == "doc.macro.startup_drop" and
        .[0].kensa.path == "'"$DX"'/flagpro.xlsm" and
        (.[0].kensa.doc.triggers | index("Workbook_Open")) and
        (.[0].kensa.doc.iocs | index("dwm.exe"))'
}

@test "flagpro obfuscated (Chr chains, StrReverse, Replace, concatenation): still malicious" {
    run kd "$DX/flagpro_obf.xlsm"
    [ "$status" -eq 1 ]
    echo "$output" | jqe -s 'any(.[]; .kensa.verdict == "malicious" and
        .kensa.threat == "flagpro" and .rule.id == "doc.macro.startup_drop")'
}

@test "download and run on Document_Open: malicious maldoc" {
    run kd "$DX/dl_shell.docm"
    [ "$status" -eq 1 ]
    echo "$output" | jqe -s 'any(.[]; .kensa.verdict == "malicious" and
        .kensa.threat == "maldoc" and
        (.kensa.doc.iocs | index("198.51.100.23")))'
}

@test "benign macros (formatting, sums, MsgBox, change handler, CSV export, a Click and 'run'): macros, exit 0" {
    run kd "$DX/benign.xlsm"
    [ "$status" -eq 0 ]
    echo "$output" | jqe -s '[.[] | select(.kensa.detector=="maldoc")] |
        length == 1 and .[0].kensa.verdict == "macros" and
        .[0].event.kind == "state"'
}

@test "a bare vbaProject.bin is judged on its own" {
    run kd "$DX/bare_vbaProject.bin"
    [ "$status" -eq 1 ]
    echo "$output" | jqe -s 'any(.[]; .kensa.verdict == "malicious")'
}

@test "VBA the reader cannot read is never reported clean" {
    run kd "$DX/flagpro.xlsm"
    echo "$output" | jqe -s '[.[] | select(.kensa.detector=="maldoc")] |
        length == 1 and (.[0].kensa.verdict | IN("macros", "suspicious", "malicious"))'
}

@test "remote template injection (attachedTemplate over http): suspicious" {
    run kd "$DX/template.docx"
    [ "$status" -eq 1 ]
    echo "$output" | jqe -s 'any(.[]; .kensa.verdict == "suspicious" and
        .rule.id == "doc.template.remote" and
        (.kensa.doc.iocs | index("http://203.0.113.50/templates/normal.dotm")))'
}

@test "DDEAUTO split over runs: suspicious" {
    run kd "$DX/dde.docx"
    [ "$status" -eq 1 ]
    echo "$output" | jqe -s 'any(.[]; .kensa.verdict == "suspicious" and
        .rule.id == "doc.dde")'
}

@test "XLM macro sheet, EXEC of a program under _xlnm.Auto_Open: malicious" {
    run kd "$DX/xlm_exec.xlsm"
    [ "$status" -eq 1 ]
    echo "$output" | jqe -s 'any(.[]; .kensa.verdict == "malicious" and
        .rule.id == "doc.macro.exe_run" and
        (.kensa.doc.triggers[0] | startswith("_xlnm.Auto_Open")))'
}

@test "XLM CALL URLDownloadToFileA then EXEC: malicious, URL as indicator" {
    run kd "$DX/xlm_download.xlsm"
    [ "$status" -eq 1 ]
    echo "$output" | jqe -s 'any(.[]; .kensa.verdict == "malicious" and
        .rule.id == "doc.macro.download_exec" and
        (.kensa.doc.iocs | index("http://203.0.113.7/a.dat")))'
}

@test "XLM macro sheet without auto-run or danger: macros, exit 0" {
    run kd "$DX/xlm_noauto.xlsm"
    [ "$status" -eq 0 ]
    echo "$output" | jqe -s 'any(.[]; .kensa.verdict == "macros")'
}

@test "SYLK with EXEC cells and Auto_open: malicious" {
    run kd "$DX/macro.slk"
    [ "$status" -eq 1 ]
    echo "$output" | jqe -s 'any(.[]; .kensa.verdict == "malicious" and
        .kensa.doc.type == "sylk")'
}

@test "OLE package holding an .exe: suspicious" {
    run kd "$DX/package.docx"
    [ "$status" -eq 1 ]
    echo "$output" | jqe -s 'any(.[]; .rule.id == "doc.ole.package_exe")'
}

@test "a document in a zip: reported once, on the document's path" {
    run kd "$DX/mail.zip"
    [ "$status" -eq 1 ]
    echo "$output" | jqe -s '[.[] | select(.kensa.detector=="maldoc")] |
        length == 1 and (.[0].kensa.path | endswith("mail.zip!/attachments/report.xlsm"))'
}

@test "a zip with a password is not an OOXML document" {
    run kd "$DX/locked.zip"
    [ "$status" -ne 1 ]
    ! echo "$output" | jq -e -s 'any(.[]; .kensa.detector == "maldoc")' >/dev/null
}

@test "nothing: plain docx/xlsx, fields, hyperlinks, SYLK sums, empty, text, CSV, Excel 2003 XML" {
    for f in plain.xlsx fields.docx hyperlink.docx plain.slk empty.xls notes.txt data.csv excel2003.xml; do
        run kd "$DX/$f"
        echo "$f: $status"
        [ "$status" -eq 0 ]
        echo "$output" | only_run_record
    done
}

@test "kensa scan runs the doc detector too" {
    run "$KENSA" scan --json --threads 1 --no-summary "$DX/xlm_exec.xlsm"
    [ "$status" -eq 1 ]
    echo "$output" | jqe -s 'any(.[]; .kensa.detector == "maldoc")'
}

@test "text report: verdict, rule evidence, profile; Japanese" {
    run "$KENSA" doc --threads 1 --no-summary --color never "$DX/xlm_exec.xlsm"
    [ "$status" -eq 1 ]
    [[ "$output" == *"malicious xlsm document"* ]]
    [[ "$output" == *"starts a program: calc.exe"* ]]
    run "$KENSA" doc --threads 1 --no-summary --color never --lang ja "$DX/xlm_exec.xlsm"
    [[ "$output" == *"悪性の xlsm 文書"* ]]
}

@test "--extract writes the formulas to new files, never overwriting" {
    local out="$BATS_TEST_TMPDIR/ex"
    mkdir -p "$out"
    run "$KENSA" doc --threads 1 --no-summary --extract "$out" "$DX/xlm_exec.xlsm"
    [ "$status" -eq 1 ]
    run "$KENSA" doc --threads 1 --no-summary --extract "$out" "$DX/xlm_exec.xlsm"
    [ "$(ls "$out" | wc -l)" -eq 2 ]
    grep -q 'EXEC("calc.exe")' "$out"/xlm_exec.xlsm.macrosheet.xlm.txt
    grep -q 'EXEC("calc.exe")' "$out"/xlm_exec.xlsm.macrosheet-1.xlm.txt
    # a link planted where a file would go is not followed
    ln -s /etc/passwd "$out/macro.slk.sylk.xlm.txt"
    run "$KENSA" doc --threads 1 --no-summary --extract "$out" "$DX/macro.slk"
    [ -L "$out/macro.slk.sylk.xlm.txt" ]
    grep -q 'EXEC' "$out"/macro.slk.sylk-1.xlm.txt
}

@test "--extract only with kensa doc; a missing folder is an error" {
    run "$KENSA" scan --extract /tmp "$DX/xlm_exec.xlsm"
    [ "$status" -eq 2 ]
    run "$KENSA" doc --extract "$BATS_TEST_TMPDIR/nope" "$DX/xlm_exec.xlsm"
    [ "$status" -eq 2 ]
}

@test "doc --help and the threat profiles" {
    run "$KENSA" doc --help
    [ "$status" -eq 0 ]
    [[ "$output" == *"--extract"* ]]
    run "$KENSA" brief flagpro
    [ "$status" -eq 0 ]
    [[ "$output" == *"dwm.exe"* ]]
    run "$KENSA" brief maldoc --lang ja
    [ "$status" -eq 0 ]
}
