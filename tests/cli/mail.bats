#!/usr/bin/env bats
# mail.bats - kensa mail (issue 11): attachments judged by every detector,
# encrypted zips opened with the password of the mail's text or of its
# thread, email.* on every finding, a suspicious finding for an encrypted
# archive no password opened, Japanese charsets and file names, nested
# messages, clean mail, malformed MIME.  Fixtures: tests/gen/mkmail.py.

load helpers

setup_file() {
    "$KENSA" mail --help >/dev/null 2>&1 || true
    if "$KENSA" mail /dev/null 2>&1 | grep -q 'without mail support'; then
        export NO_MAIL=1
    fi
    export MX="$BATS_FILE_TMPDIR/mx"
    python3 "$KENSA_TOP/tests/gen/mkmail.py" "$MX"
    # PPAP beyond ZipCrypto (AES zip, 7z, RAR) and the Office documents
    # of mkdoc.py in $PP/docs
    export PP="$BATS_FILE_TMPDIR/pp"
    python3 "$KENSA_TOP/tests/gen/mkppap.py" "$PP"
}

setup() {
    [ -z "${NO_MAIL:-}" ] || skip "this kensa is built without GMime"
}

@test "mail: password in the same ISO-2022-JP body opens the zip; the jar inside is judged, with email.* and opened_with" {
    run k mail --json "$MX/ja_body.eml"
    [ "$status" -eq 1 ]
    echo "$output" | jq_any 'select(.kensa.detector=="log4j") | .kensa.path == "'"$MX"'/ja_body.eml!/invoice.zip!/log4j-core-2.14.1.jar"'
    echo "$output" | jq_any 'select(.kensa.detector=="log4j") | .email.from.address == "yamada@partner.example" and .email.subject == "請求書の送付" and .email.message_id == "ja-body-1@partner.example" and .email.to.address == ["sato@victim.example"] and .email.origination_timestamp == "2026-11-26T01:00:00Z"'
    echo "$output" | jq_any 'select(.kensa.detector=="log4j") | .kensa.archive.opened_with == "Kx7pQ2w" and (.kensa.evidence_ids | index("mail.ev.opened_self")) and (.kensa.evidence_ids | index("mail.ev.from"))'
    # the mail's own finding: the worst verdict of its attachments
    echo "$output" | jq_any 'select(.rule.id=="mail.attachments") | .kensa.verdict == "vulnerable" and .kensa.path == "'"$MX"'/ja_body.eml" and .email.attachments.file.name == ["invoice.zip"]'
}

@test "mail: password only in a Shift_JIS HTML part (quoted-printable)" {
    run k mail --json "$MX/html_pw.eml"
    [ "$status" -eq 1 ]
    echo "$output" | jq_any 'select(.kensa.detector=="log4j") | .kensa.archive.opened_with == "Kx7pQ2w"'
}

@test "mail: PPAP in an mbox: the zip of the first mail opened with the password of the second" {
    run k mail --json "$MX/ppap.mbox"
    [ "$status" -eq 1 ]
    echo "$output" | jq_any 'select(.kensa.detector=="log4j") | .kensa.path == "'"$MX"'/ppap.mbox!/msg[1]!/shiryou.zip!/log4j-core-2.14.1.jar" and .kensa.archive.opened_with == "Zq9!wE5" and (.kensa.evidence_ids | index("mail.ev.opened_thread")) and .email.message_id == "ppap-1@partner.example"'
    # no encrypted-unopened finding: the thread's password opened it
    ! echo "$output" | jq_any 'select(.rule.id=="mail.encrypted_unopened")'
    # the unrelated third mail's password went to no other thread
    ! echo "$output" | jq_any '.kensa.archive.opened_with == "Nope123"'
}

@test "mail: PPAP in a Maildir: the zip in cur/ opened with the password of the mail in new/" {
    run k mail --json "$MX/ppap_maildir"
    [ "$status" -eq 1 ]
    echo "$output" | jq_any 'select(.kensa.detector=="log4j") | (.kensa.path | endswith("/cur/1700000000.M1P1.host:2,S!/shiryou.zip!/log4j-core-2.14.1.jar")) and .kensa.archive.opened_with == "Zq9!wE5" and (.kensa.evidence | contains("new/1700000060.M2P1.host"))'
    ! echo "$output" | jq_any '.kensa.archive.opened_with == "Nope123"'
    ! echo "$output" | jq_any 'select(.rule.id=="mail.encrypted_unopened")'
}

@test "mail: PPAP in a folder of .eml files" {
    run k mail --json "$MX/ppap_eml"
    [ "$status" -eq 1 ]
    echo "$output" | jq_any 'select(.kensa.detector=="log4j") | .kensa.archive.opened_with == "Zq9!wE5" and (.kensa.evidence_ids | index("mail.ev.opened_thread"))'
    # the zip's mail alone, without its folder: not opened, suspicious
    cp "$MX/ppap_eml/1-shiryou.eml" "$BATS_TEST_TMPDIR/alone.eml"
    run k mail --json "$BATS_TEST_TMPDIR/alone.eml"
    [ "$status" -eq 1 ]
    echo "$output" | jq_any 'select(.rule.id=="mail.encrypted_unopened") | (.kensa.path | endswith("alone.eml!/shiryou.zip"))'
}

@test "mail: an encrypted zip no password opened is a suspicious finding, with why; the lure is noted" {
    run k mail --json "$MX/nopw.eml"
    [ "$status" -eq 1 ]
    echo "$output" | jq_any 'select(.rule.id=="mail.encrypted_unopened") | .kensa.verdict == "suspicious" and .kensa.path == "'"$MX"'/nopw.eml!/seikyu.zip" and (.kensa.evidence_ids | index("archive.sealed_nopw")) and .email.from.address == "billing@evil.example"'
    # the business-partner lure is evidence on the mail's own finding
    echo "$output" | jq_any 'select(.rule.id=="mail.attachments") | .kensa.verdict == "suspicious" and (.kensa.evidence_ids | index("mail.ev.lure"))'
}

@test "mail: an encrypted zip outside mail stays a warning, not a finding" {
    python3 - "$MX" <<'EOF'
import email, sys
m = email.message_from_binary_file(open(sys.argv[1] + '/nopw.eml', 'rb'))
for p in m.walk():
    if p.get_filename() == 'seikyu.zip':
        open(sys.argv[1] + '/seikyu.zip', 'wb').write(p.get_payload(decode=True))
EOF
    run k scan --json "$MX/seikyu.zip"
    [ "$status" -eq 0 ]
    echo "$output" | jq_any '.error.id == "archive.sealed_nopw"'
    ! echo "$output" | jq_any 'select(.rule.id=="mail.encrypted_unopened")'
}

@test "mail: kensa log4j on a mail: the jar's finding only, the encrypted zip a warning" {
    run k log4j --json "$MX/names.eml" "$MX/nopw.eml"
    [ "$status" -eq 1 ]
    echo "$output" | jq_any 'select(.kensa.detector=="log4j") | .email.message_id == "names-1@partner.example"'
    echo "$output" | jq_any '.error.id == "archive.sealed_nopw"'
    ! echo "$output" | jq_any '.kensa.detector == "mail"'
}

@test "mail: RFC 2231 and RFC 2047 (ISO-2022-JP) file names decoded" {
    run k mail --json "$MX/names.eml"
    [ "$status" -eq 1 ]
    echo "$output" | jq_any 'select(.kensa.detector=="log4j") | .kensa.path == "'"$MX"'/names.eml!/請求書.jar"'
    echo "$output" | jq_any 'select(.kensa.detector=="log4j") | .kensa.path == "'"$MX"'/names.eml!/見積書.jar"'
}

@test "mail: nested message/rfc822: the inner mail's attachment carries the inner mail" {
    run k mail --json "$MX/nested.eml"
    [ "$status" -eq 1 ]
    echo "$output" | jq_any 'select(.kensa.detector=="log4j") | (.kensa.path | endswith("/inner.jar")) and .email.message_id == "inner-1@partner.example" and .kensa.depth == 2'
}

@test "mail: a clean mail gives no finding and exit 0" {
    run k mail --json "$MX/clean.eml"
    [ "$status" -eq 0 ]
    echo "$output" | only_run_record
}

@test "mail: --all lists every mail and its attachments as state records, exit 0" {
    run k mail --all --json "$MX/clean.eml"
    [ "$status" -eq 0 ]
    echo "$output" | jq_any 'select(.rule.id=="mail.inventory") | .event.kind == "state" and .email.attachments.file.name == ["minutes.pdf"] and .email.subject == "minutes"'
}

@test "mail: one message on standard input" {
    run bash -c '"$KENSA" mail --json --threads 1 --no-summary - < "$MX/ja_body.eml"'
    [ "$status" -eq 1 ]
    echo "$output" | jq_any 'select(.kensa.detector=="log4j") | .kensa.archive.opened_with == "Kx7pQ2w"'
}

@test "mail: a Maildir folder (cur/new, flags in names)" {
    mkdir -p "$MX/Maildir/cur" "$MX/Maildir/new" "$MX/Maildir/tmp"
    cp "$MX/ja_body.eml" "$MX/Maildir/cur/1700000000.M1P2.host:2,S"
    cp "$MX/clean.eml" "$MX/Maildir/new/1700000001.M2P2.host"
    run k mail --json "$MX/Maildir"
    [ "$status" -eq 1 ]
    echo "$output" | jq_any 'select(.kensa.detector=="log4j") | (.kensa.path | endswith("1700000000.M1P2.host:2,S!/invoice.zip!/log4j-core-2.14.1.jar"))'
}

@test "mail: kensa scan reads mail too" {
    run k scan --json "$MX/ja_body.eml"
    [ "$status" -eq 1 ]
    echo "$output" | jq_any 'select(.kensa.detector=="log4j") | .email.from.address == "yamada@partner.example"'
}

@test "mail: malformed MIME never crashes or hangs" {
    for f in "$MX"/bad/*.eml; do
        run timeout 60 "$KENSA" mail --json --threads 1 --no-summary "$f"
        echo "$f: $status"
        [ "$status" -le 1 ]
        echo "$output" | jqe -s 'length >= 1'
    done
    # the attachment behind a duplicate Content-Type is still reached
    run k mail --json "$MX/bad/dup_ctype.eml"
    [ "$status" -eq 1 ]
    echo "$output" | jq_any 'select(.kensa.detector=="log4j") | (.kensa.path | endswith("!/a.jar"))'
}

@test "mail: the Japanese report names the mail" {
    run k mail --lang ja "$MX/nopw.eml"
    [ "$status" -eq 1 ]
    [[ "$output" == *"メールで届いた暗号化書庫 seikyu.zip"* ]]
}

# The Flagpro vector end to end: a macro workbook in an encrypted zip whose
# password is in the mail text, or only in the next mail of the thread.
flagpro_mails() {
    local d="$BATS_TEST_TMPDIR/fp"
    mkdir -p "$d/docs"
    python3 "$KENSA_TOP/tests/gen/mkdoc.py" "$d/docs" >/dev/null
    (cd "$d/docs" && zip -q -P 'Hx7#k2p' "$d/order.zip" flagpro.xlsm &&
        zip -q -P 'Hx7#k2p' "$d/benign.zip" benign.xlsm)
    python3 - "$d" <<'PY'
import sys, email.message, email.utils, mailbox
d = sys.argv[1]
def mail(mid, subject, body, att=None, reply=None):
    m = email.message.EmailMessage()
    m['From'] = '"Partner Corp" <tanaka@partner.example>'
    m['To'] = 'buyer@victim.example'
    m['Subject'] = subject
    m['Message-ID'] = '<%s@partner.example>' % mid
    m['Date'] = 'Thu, 26 Nov 2026 10:00:00 +0900'
    if reply:
        m['In-Reply-To'] = '<%s@partner.example>' % reply
    m.set_content(body, charset='iso-2022-jp')
    if att:
        m.add_attachment(open('%s/%s' % (d, att), 'rb').read(),
                         maintype='application', subtype='zip', filename=att)
    return m
open(d + '/same.eml', 'wb').write(bytes(mail('fp-1', '発注書', 'お世話になっております。\n解凍パスワード：Hx7#k2p\n', 'order.zip')))
box = mailbox.mbox(d + '/ppap.mbox')
box.add(mail('fp-2', '発注書', 'お世話になっております。発注書を送付します。\n', 'order.zip'))
box.add(mail('fp-3', 'パスワード', '先ほどのファイルのパスワードです。\nパスワード：Hx7#k2p\n', reply='fp-2'))
box.close()
open(d + '/benign.eml', 'wb').write(bytes(mail('fp-4', '集計表', '集計表です。\nPW: Hx7#k2p\n', 'benign.zip')))
PY
}

@test "mail: the Flagpro vector - an .xlsm in an encrypted zip, password in the text or in the next mail, judged malicious; a harmless macro workbook is not" {
    flagpro_mails
    local d="$BATS_TEST_TMPDIR/fp"
    run k mail --json "$d/same.eml"
    [ "$status" -eq 1 ]
    echo "$output" | jq_any '.kensa.detector == "maldoc" and .kensa.verdict == "malicious"
        and .kensa.threat == "flagpro" and .kensa.archive.opened_with == "Hx7#k2p"
        and (.kensa.path | endswith("same.eml!/order.zip!/flagpro.xlsm"))
        and .email.message_id == "fp-1@partner.example"'
    run k mail --json "$d/ppap.mbox"
    [ "$status" -eq 1 ]
    echo "$output" | jq_any '.kensa.detector == "maldoc" and .kensa.verdict == "malicious"
        and .kensa.threat == "flagpro" and .kensa.archive.opened_with == "Hx7#k2p"
        and .email.message_id == "fp-2@partner.example"'
    ! echo "$output" | jq_any 'select(.rule.id == "mail.encrypted_unopened")'
    run k mail --json "$d/benign.eml"
    [ "$status" -eq 0 ]
    ! echo "$output" | jq_any '.kensa.verdict == "malicious" or .kensa.verdict == "suspicious"'
}

# TNEF: Outlook's winmail.dat carrying the Flagpro workbook
tnef_mail() {
    local d="$BATS_TEST_TMPDIR/tn"
    mkdir -p "$d"
    python3 "$KENSA_TOP/tests/gen/mktnef.py" "$d/winmail.dat" "$PP/docs/benign.xlsm" "$PP/docs/flagpro.xlsm"
    python3 "$KENSA_TOP/tests/gen/mktnef.py" --damage "$d/broken.dat" "$PP/docs/flagpro.xlsm"
    python3 "$KENSA_TOP/tests/gen/mktnef.py" --cp932 --as 注文書.xlsm "$d/ja.dat" "$PP/docs/flagpro.xlsm"
    python3 - "$d" <<'PY'
import sys, email.message
d = sys.argv[1]
for name, dat in (('tnef.eml', 'winmail.dat'), ('broken.eml', 'broken.dat'),
                  ('ja.eml', 'ja.dat')):
    m = email.message.EmailMessage()
    m['From'] = 'Tanaka <tanaka@partner.example>'
    m['To'] = 'buyer@victim.example'
    m['Subject'] = 'order'
    m['Message-ID'] = '<tnef-1@partner.example>'
    m.set_content('see attached\n')
    m.add_attachment(open(d + '/' + dat, 'rb').read(), maintype='application',
                     subtype='ms-tnef', filename='winmail.dat')
    open(d + '/' + name, 'wb').write(bytes(m))
PY
}

@test "mail: TNEF (winmail.dat): its files are members by their long names; the .xlsm judged malicious, chain mail > winmail.dat > file" {
    tnef_mail
    local d="$BATS_TEST_TMPDIR/tn"
    run k mail --json "$d/tnef.eml"
    [ "$status" -eq 1 ]
    echo "$output" | jq_any '.kensa.detector == "maldoc" and .kensa.verdict == "malicious"
        and .kensa.path == "'"$d"'/tnef.eml!/winmail.dat!/flagpro.xlsm"
        and .email.message_id == "tnef-1@partner.example"'
    ! echo "$output" | jq_any '(.kensa.path // "" | endswith("benign.xlsm")) and .kensa.verdict == "malicious"'
    ! echo "$output" | jq_any '.error.id == "mail.tnef"'
    run k mail --all --json "$d/tnef.eml"
    echo "$output" | jq_any '.kensa.path == "'"$d"'/tnef.eml!/winmail.dat!/benign.xlsm"'
    # a damaged stream: a warning, and the file before the damage still judged
    run k mail --json "$d/broken.eml"
    [ "$status" -eq 1 ]
    echo "$output" | jq_any '.error.id == "tnef.corrupt"'
    echo "$output" | jq_any '.kensa.verdict == "malicious" and (.kensa.path | endswith("broken.eml!/winmail.dat!/flagpro.xlsm"))'
    # Japanese Outlook's non-Unicode stream: the name in code page 932
    run k mail --json "$d/ja.eml"
    [ "$status" -eq 1 ]
    echo "$output" | jq_any '.kensa.verdict == "malicious" and .kensa.path == "'"$d"'/ja.eml!/winmail.dat!/注文書.xlsm"'
}

@test "mail: a uuencoded file inside a text body (begin 644 name ... end) is an attachment, judged" {
    local d="$BATS_TEST_TMPDIR/uu"
    mkdir -p "$d"
    python3 - "$d" "$PP/docs/flagpro.xlsm" <<'PY'
import sys, binascii
d = sys.argv[1]
data = open(sys.argv[2], 'rb').read()
lines = [binascii.b2a_uu(data[i:i + 45]).decode() for i in range(0, len(data), 45)]
body = ('Please find the order below.\r\n\r\nbegin 644 order.xlsm\r\n' +
        ''.join(l.replace('\n', '\r\n') for l in lines) + '`\r\nend\r\n\r\nregards\r\n')
head = ('From: Tanaka <tanaka@partner.example>\r\nTo: buyer@victim.example\r\n'
        'Subject: order\r\nMessage-ID: <uu-1@partner.example>\r\nMIME-Version: 1.0\r\n'
        'Content-Type: text/plain; charset=us-ascii\r\n\r\n')
open(d + '/uu.eml', 'w', newline='').write(head + body)
PY
    run k mail --json "$d/uu.eml"
    [ "$status" -eq 1 ]
    echo "$output" | jq_any '.kensa.detector == "maldoc" and .kensa.verdict == "malicious"
        and .kensa.path == "'"$d"'/uu.eml!/order.xlsm" and .email.message_id == "uu-1@partner.example"'
    echo "$output" | jq_any 'select(.rule.id=="mail.attachments") | .email.attachments.file.name == ["order.xlsm"]'
    # more than 16 in one part: the first 16 read, a warning for the rest
    python3 - "$d" <<'PY'
import sys, binascii
body = ''.join('begin 644 f%d.txt\n%s`\nend\n' % (i, binascii.b2a_uu(b'x%d' % i).decode())
               for i in range(20))
open(sys.argv[1] + '/many.eml', 'w').write(
    'From: a <a@b.example>\nTo: c@d.example\nSubject: x\nMessage-ID: <m@b.example>\n'
    'Content-Type: text/plain\n\n' + body)
PY
    run k mail --all --json "$d/many.eml"
    echo "$output" | jq_any '.error.id == "mail.uuencode_limit"'
    echo "$output" | jq_any 'select(.rule.id=="mail.inventory") | (.email.attachments.file.name | length) == 16'
}

# message/partial: a mail sent in three fragments; the mbox holding all of
# them in any order, and one missing the second
partial_mboxes() {
    local d="$BATS_TEST_TMPDIR/pt"
    mkdir -p "$d"
    python3 - "$d" "$PP/docs/flagpro.xlsm" <<'PY'
import sys, email.message
d = sys.argv[1]
inner = email.message.EmailMessage()
inner['From'] = 'Tanaka <tanaka@partner.example>'
inner['To'] = 'buyer@victim.example'
inner['Subject'] = 'order'
inner['Message-ID'] = '<whole-1@partner.example>'
inner.set_content('the order is attached\n')
inner.add_attachment(open(sys.argv[2], 'rb').read(),
                     maintype='application', subtype='octet-stream',
                     filename='order.xlsm')
lines = bytes(inner).split(b'\n')
third = len(lines) // 3
chunks = [lines[:third], lines[third:2 * third], lines[2 * third:]]
frags = []
for n, ch in enumerate(chunks, 1):
    frags.append(b'From tanaka@partner.example Thu Nov 26 10:00:00 2026\n'
                 b'From: Tanaka <tanaka@partner.example>\nTo: buyer@victim.example\n'
                 b'Subject: order (%d/3)\nMessage-ID: <frag-%d@partner.example>\n'
                 b'MIME-Version: 1.0\nContent-Type: message/partial; '
                 b'id="whole-1@partner.example"; number=%d; total=3\n\n' % (n, n, n) +
                 b'\n'.join(ch) + b'\n\n')
open(d + '/all.mbox', 'wb').write(frags[2] + frags[0] + frags[1])
open(d + '/some.mbox', 'wb').write(frags[0] + frags[2])
# the same as .eml files of one folder (their "From " lines dropped)
import os
os.makedirs(d + '/folder')
for n, fr in enumerate(frags, 1):
    open(d + '/folder/part%d.eml' % n, 'wb').write(fr.split(b'\n', 1)[1])
PY
}

@test "mail: message/partial: all fragments in the mbox or folder are reassembled and judged; a missing one is reported partial" {
    partial_mboxes
    local d="$BATS_TEST_TMPDIR/pt"
    run k mail --json "$d/all.mbox"
    [ "$status" -eq 1 ]
    echo "$output" | jq_any '.kensa.detector == "maldoc" and .kensa.verdict == "malicious"
        and .kensa.path == "'"$d"'/all.mbox!/msg[2]+partial!/order.xlsm"
        and (.kensa.evidence_ids | index("mail.ev.partial"))
        and .email.message_id == "whole-1@partner.example"'
    ! echo "$output" | jq_any '.error.id == "mail.partial"'
    run k mail --json "$d/some.mbox"
    [ "$status" -eq 0 ]
    echo "$output" | jq_any '.error.id == "mail.partial"'
    ! echo "$output" | jq_any '.kensa.verdict == "malicious"'
    # a folder of .eml fragments: reassembled under the first one
    run k mail --json "$d/folder"
    [ "$status" -eq 1 ]
    echo "$output" | jq_any '.kensa.detector == "maldoc" and .kensa.verdict == "malicious"
        and .kensa.path == "'"$d"'/folder/part1.eml!/+partial!/order.xlsm"
        and (.kensa.evidence | contains("part1.eml, part2.eml, part3.eml"))'
    ! echo "$output" | jq_any '.error.id == "mail.partial"'
    # one fragment given alone: partial
    run k mail --json "$d/folder/part2.eml"
    [ "$status" -eq 0 ]
    echo "$output" | jq_any '.error.id == "mail.partial"'
}

@test "mail: PPAP with a WinZip-AES zip: password in a Japanese body (full-width colon), or only in the reply; the .xlsm judged malicious" {
    run k mail --json "$PP/aes_body.eml"
    [ "$status" -eq 1 ]
    echo "$output" | jq_any '.kensa.detector == "maldoc" and .kensa.verdict == "malicious"
        and .kensa.path == "'"$PP"'/aes_body.eml!/order.zip!/flagpro.xlsm"
        and .kensa.archive.opened_with == "Rk4$vN8q" and (.kensa.evidence_ids | index("mail.ev.opened_self"))'
    run k mail --json "$PP/aes_thread.mbox"
    [ "$status" -eq 1 ]
    echo "$output" | jq_any '.kensa.detector == "maldoc" and .kensa.verdict == "malicious"
        and .kensa.path == "'"$PP"'/aes_thread.mbox!/msg[1]!/order.zip!/flagpro.xlsm"
        and .kensa.archive.opened_with == "Rk4$vN8q" and (.kensa.evidence_ids | index("mail.ev.opened_thread"))
        and .email.message_id == "aes-2@partner.example"'
    ! echo "$output" | jq_any 'select(.rule.id == "mail.encrypted_unopened")'
    # an AES zip of a harmless macro workbook: opened, not malicious
    run k mail --json "$PP/aes_benign.eml"
    echo "$output" | jq_any '.kensa.archive.opened_with == "Rk4$vN8q" and (.kensa.path | endswith("table.zip!/benign.xlsm"))'
    ! echo "$output" | jq_any '.kensa.verdict == "malicious" or .kensa.verdict == "suspicious"'
}

@test "mail: 7z with encrypted data or member list, and an encrypted RAR: libarchive cannot decrypt them, so the mail is suspicious with why, never clean" {
    run k mail --json "$PP/7z_data.eml"
    [ "$status" -eq 1 ]
    echo "$output" | jq_any 'select(.rule.id == "mail.encrypted_unopened") | .kensa.verdict == "suspicious"
        and .kensa.path == "'"$PP"'/7z_data.eml!/order.7z" and (.kensa.evidence_ids | index("archive.sealed_7z"))'
    echo "$output" | jq_any 'select(.rule.id == "mail.attachments") | .kensa.verdict == "suspicious"'
    run k mail --json "$PP/7z_headers.eml"
    [ "$status" -eq 1 ]
    echo "$output" | jq_any 'select(.rule.id == "mail.encrypted_unopened") | .kensa.verdict == "suspicious"
        and (.kensa.evidence_ids | index("archive.sealed_list"))'
    run k mail --json "$PP/rar_sealed.eml"
    [ "$status" -eq 1 ]
    echo "$output" | jq_any 'select(.rule.id == "mail.encrypted_unopened") | .kensa.verdict == "suspicious"
        and (.kensa.evidence_ids | index("archive.sealed_rar"))'
}
