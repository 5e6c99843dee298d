#!/usr/bin/env bats
# doccrypt.bats - password-encrypted Office documents (docs/MALDOC.md,
# "Encrypted documents"): OOXML packages encrypted with Agile and
# Standard AES, and BIFF8 workbooks with RC4 / RC4 CryptoAPI / XOR, built
# at test time by tests/gen/mkencdoc.py (python3-cryptography) from the
# documents tests/gen/mkdoc.py assembles.  kensa tries Office's default
# password, then the candidates it is given; what it cannot open is
# suspicious (doc.encrypted), never clean.

load helpers

setup_file() {
    export DX="$BATS_FILE_TMPDIR/doc" EX="$BATS_FILE_TMPDIR/enc"
    python3 "$KENSA_TOP/tests/gen/mkdoc.py" "$DX" >/dev/null
    mkdir -p "$EX"
    local g="$KENSA_TOP/tests/gen/mkencdoc.py" rc=0
    python3 "$g" agile VelvetSweatshop "$DX/flagpro.xlsm" "$EX/flagpro_agile.xlsm" || rc=$?
    if [ "$rc" -eq 77 ]; then
        touch "$EX/.nocrypto"
        return 0
    fi
    python3 "$g" standard 'S3cr3t!' "$DX/flagpro.xlsm" "$EX/flagpro_std.xlsm"
    python3 "$g" agile VelvetSweatshop "$DX/benign.xlsm" "$EX/benign_agile.xlsm"
    python3 "$g" agile whatever "$DX/flagpro.xlsm" "$EX/hostile_spins.xlsm" \
        --claim-spins 4000000000
    python3 "$g" agile VelvetSweatshop "$DX/flagpro.xlsm" "$EX/truncated.xlsm" --truncate
    python3 "$g" standard Kx7pQ2w "$DX/flagpro.xlsm" "$EX/mail_std.xlsm"
    python3 - "$EX" <<'PY'
import sys
from email import encoders
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
ex = sys.argv[1]
m = MIMEMultipart()
m["From"], m["To"] = "yamada@partner.example", "sato@victim.example"
m["Subject"], m["Message-ID"] = "invoice", "<enc-doc-1@partner.example>"
m.attach(MIMEText("The invoice is attached.\nPassword: Kx7pQ2w\n", "plain"))
p = MIMEBase("application", "vnd.ms-excel.sheet.macroEnabled.12")
p.set_payload(open(ex + "/mail_std.xlsm", "rb").read())
encoders.encode_base64(p)
p.add_header("Content-Disposition", "attachment", filename="invoice.xlsm")
m.attach(p)
open(ex + "/encdoc.eml", "w").write(m.as_string())
PY
    python3 "$g" xls VelvetSweatshop "$EX/xlm_capi.xls" capi
    python3 "$g" xls VelvetSweatshop "$EX/xlm_rc4.xls" rc4
    python3 "$g" xls VelvetSweatshop "$EX/xlm_xor.xls" xor
    python3 "$g" xls abc "$EX/xlm_xor_abc.xls" xor
}

need_crypto() {
    [ ! -e "$EX/.nocrypto" ] || skip "python3-cryptography missing (scripts/install-deps.sh)"
}

kd() {
    "$KENSA" doc --json --threads 1 --no-summary "$@"
}

# one_doc EXPR: $output holds one doc finding, and EXPR holds for it.
one_doc() {
    echo "$output" | jqe -s '[.[] | select(.kensa.detector=="maldoc")] |
        length == 1 and (.[0] | '"$1"')'
}

@test "Agile + VelvetSweatshop .xlsm with a Startup dropper: decrypted, malicious, flagpro" {
    need_crypto
    run kd "$EX/flagpro_agile.xlsm"
    [ "$status" -eq 1 ]
    one_doc '.kensa.verdict == "malicious" and
        .kensa.threat == "flagpro" and
        .rule.id == "doc.macro.startup_drop" and
        .kensa.path == "'"$EX"'/flagpro_agile.xlsm!/EncryptedPackage.decrypted" and
        (.kensa.evidence_ids | index("doc.ev.opened_default")) and
        .kensa.archive.opened_with == "VelvetSweatshop" and
        (.kensa.evidence | contains("\"VelvetSweatshop\" (EncryptedPackage, Agile AES)"))'
}

@test "Standard AES: opened with --password, and from --passwords FILE" {
    need_crypto
    run kd --password 'S3cr3t!' "$EX/flagpro_std.xlsm"
    [ "$status" -eq 1 ]
    one_doc '.kensa.verdict == "malicious" and
        .rule.id == "doc.macro.startup_drop" and
        (.kensa.evidence_ids | index("doc.ev.opened_given")) and
        .kensa.archive.opened_with == "S3cr3t!"'
    printf 'nope\nS3cr3t!\n' >"$BATS_TEST_TMPDIR/pw"
    run kd --passwords "$BATS_TEST_TMPDIR/pw" "$EX/flagpro_std.xlsm"
    [ "$status" -eq 1 ]
    one_doc '.kensa.verdict == "malicious"'
}

@test "wrong password: doc.encrypted, suspicious, exit 1, never clean" {
    need_crypto
    for pw in '' wrong; do
        if [ -n "$pw" ]; then run kd --password "$pw" "$EX/flagpro_std.xlsm"
        else run kd "$EX/flagpro_std.xlsm"; fi
        [ "$status" -eq 1 ]
        one_doc '.kensa.verdict == "suspicious" and
            .rule.id == "doc.encrypted" and
            .kensa.path == "'"$EX"'/flagpro_std.xlsm" and
            (.kensa.evidence |
             test("Standard AES: no candidate password opened it"))'
    done
}

@test "a mail's harvested password opens the attached document; the finding says so" {
    need_crypto
    [ -z "${NO_MAIL:-}" ] || skip "this kensa is built without GMime"
    run "$KENSA" mail --json --threads 1 --no-summary "$EX/encdoc.eml"
    [ "$status" -eq 1 ]
    one_doc '.rule.id == "doc.macro.startup_drop" and
        .kensa.path == "'"$EX"'/encdoc.eml!/invoice.xlsm!/EncryptedPackage.decrypted" and
        (.kensa.evidence_ids | index("doc.ev.opened_mail")) and
        .kensa.archive.opened_with == "Kx7pQ2w"'
}

@test "a benign encrypted workbook: decrypted, not malicious" {
    need_crypto
    run kd "$EX/benign_agile.xlsm"
    [ "$status" -eq 0 ]
    one_doc '.kensa.verdict == "macros" and
        (.kensa.path | endswith("!/EncryptedPackage.decrypted"))'
}

@test "a hostile spin count: a warning, no hashing, the scan goes on" {
    need_crypto
    local t0 t1
    t0=$(date +%s%N)
    run kd "$EX/hostile_spins.xlsm" "$EX/flagpro_agile.xlsm"
    t1=$(date +%s%N)
    [ "$status" -eq 1 ]
    [ $(( (t1 - t0) / 1000000 )) -lt 5000 ]
    echo "$output" | jqe -s '
        ([.[] | select(.error.id == "doc.crypt_spins")] | length == 1) and
        ([.[] | select(.kensa.detector=="maldoc") | .rule.id] | sort ==
         ["doc.encrypted", "doc.macro.startup_drop"])'
}

@test "a truncated EncryptedPackage, or one over --max-scansize: a warning, what is there scanned, never clean" {
    need_crypto
    run kd --max-scansize 2000 "$EX/flagpro_agile.xlsm"
    [ "$status" -eq 1 ]
    echo "$output" | jqe -s '
        ([.[] | select(.error.id == "doc.crypt_truncated")] | length == 1) and
        ([.[] | select(.rule.id == "doc.encrypted")] | length == 1)'
    run kd "$EX/truncated.xlsm"
    [ "$status" -eq 1 ]
    echo "$output" | jqe -s '
        ([.[] | select(.error.id == "doc.crypt_truncated")] | length == 1) and
        ([.[] | select(.kensa.detector=="maldoc")] | length == 1 and
         .[0].rule.id == "doc.encrypted" and
         (.[0].kensa.evidence | test("decrypted in part")))'
}

@test "BIFF8 RC4 CryptoAPI and RC4 with VelvetSweatshop: Workbook decrypted, XLM read" {
    need_crypto
    for f in xlm_capi xlm_rc4; do
        run kd "$EX/$f.xls"
        [ "$status" -eq 1 ]
        one_doc '.kensa.verdict == "malicious" and
            .rule.id != "doc.encrypted" and
            (.kensa.doc.triggers | tostring | test("Auto_Open")) and
            (.kensa.evidence_ids | index("doc.ev.opened_default")) and
            .kensa.archive.opened_with == "VelvetSweatshop"'
    done
}

@test "BIFF8 XOR obfuscation: decrypted with VelvetSweatshop or a given password, else reported encrypted" {
    need_crypto
    run kd "$EX/xlm_xor.xls"
    [ "$status" -eq 1 ]
    one_doc '.kensa.verdict == "malicious" and
        (.kensa.evidence | contains("(Workbook, XOR obfuscation)"))'
    run kd "$EX/xlm_xor_abc.xls"
    [ "$status" -eq 1 ]
    one_doc '.rule.id == "doc.encrypted" and
        (.kensa.evidence | test("XOR obfuscation: no candidate password opened it"))'
    run kd --password abc "$EX/xlm_xor_abc.xls"
    [ "$status" -eq 1 ]
    one_doc '.kensa.verdict == "malicious" and
        .kensa.archive.opened_with == "abc"'
}

@test "shared corpus: VelvetSweatshop documents opened, the others reported encrypted" {
    local c="$KENSA_TOP/../shared/corpus/maldoc"
    [ -f "$c/MANIFEST.tsv" ] || c="/work/shared/corpus/maldoc"
    [ -f "$c/MANIFEST.tsv" ] || skip "no shared corpus"
    local n=0 f
    while IFS=$'\t' read -r f _ _ _ _ _ _ _ _ enc pw _; do
        case "$enc" in office*) ;; *) continue ;; esac
        run kd "$c/$f"
        case "$pw" in
        VelvetSweatshop*)   # opened by default
            echo "$output" | jq -e -s '[.[] | select(.rule.id ==
                "doc.encrypted")] | length == 0' >/dev/null ||
                { echo "not opened: $f"; false; } ;;
        *)                  # another password: never clean (.doc, .ppt too)
            [ "$status" -eq 1 ] && echo "$output" | jq -e -s '[.[] |
                select(.rule.id == "doc.encrypted")] | length == 1' \
                >/dev/null || { echo "not reported encrypted: $f"; false; } ;;
        esac
        n=$((n + 1))
    done <"$c/MANIFEST.tsv"
    [ "$n" -gt 0 ]
    # and one with a password given: Auto_Open found after decryption
    run kd "$c/oletools/encrypted/autostart-encrypt-standardpassword.xlsm"
    one_doc '(.kensa.doc.triggers | tostring |
        test("Auto_Open"))'
}
