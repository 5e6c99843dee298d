#!/usr/bin/env python3
"""mkmail.py OUT - the mail fixtures of tests/cli/mail.bats, built with the
standard library's email package and zip(1) for ZipCrypto archives.

  ja_body.eml   ISO-2022-JP body "パスワード：Kx7pQ2w" + invoice.zip (ZipCrypto,
                that password) holding a vulnerable log4j-core 2.14.1 jar
  html_pw.eml   the password only in a Shift_JIS HTML part (quoted-printable)
  ppap.mbox     a thread of two mails: the zip in the first, its password
                in the second (In-Reply-To), plus an unrelated third mail
  ppap_maildir/ the same thread as a Maildir (cur/ and new/)
  ppap_eml/     the same thread as two .eml files of one folder
  nopw.eml      an encrypted zip and no password anywhere
  names.eml     RFC 2231 (UTF-8) and RFC 2047 (ISO-2022-JP) file names
  nested.eml    a message/rfc822 holding a mail with the jar attached
  clean.eml     a plain mail with a harmless attachment
  bad/*.eml     malformed MIME (never a crash)
"""
import base64
import os
import subprocess
import sys
import tempfile
from email.mime.base import MIMEBase
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email import encoders
from email.utils import formataddr, parseaddr

OUT = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
os.makedirs(os.path.join(OUT, 'bad'), exist_ok=True)

# the vulnerable jar of mkfixtures.py (its definitions, not its fixtures)
src = open(os.path.join(HERE, 'mkfixtures.py'), encoding='utf-8').read()
ns = {'__name__': 'mkfixtures'}
saved, sys.argv = sys.argv, [sys.argv[0], tempfile.mkdtemp()]
exec(compile(src.split('\nvuln = core_jar()')[0], 'mkfixtures.py', 'exec'), ns)
sys.argv = saved
JAR = ns['core_jar']('2.14.1')


def zipcrypto(password, members):
    """A ZipCrypto zip (zip -P) of members [(name, bytes)]."""
    d = tempfile.mkdtemp()
    for name, data in members:
        with open(os.path.join(d, name), 'wb') as f:
            f.write(data)
    out = os.path.join(d, 'out.zip')
    subprocess.run(['zip', '-q', '-P', password, out] + [n for n, _ in members],
                   cwd=d, check=True)
    return open(out, 'rb').read()


def attach(msg, data, name_header, ctype=('application', 'octet-stream')):
    p = MIMEBase(*ctype)
    p.set_payload(data)
    encoders.encode_base64(p)
    p['Content-Disposition'] = name_header
    msg.attach(p)


def heads(msg, frm, to, subject, mid, extra=()):
    name, addr = parseaddr(frm)
    msg['From'] = formataddr((name, addr), 'iso-2022-jp') if name else addr
    msg['To'] = to
    msg['Subject'] = subject
    msg['Date'] = 'Thu, 26 Nov 2026 10:00:00 +0900'
    msg['Message-ID'] = mid
    for k, v in extra:
        msg[k] = v


def save(name, msg):
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(msg.as_bytes() if hasattr(msg, 'as_bytes') else msg)


ENC_ZIP = zipcrypto('Kx7pQ2w', [('log4j-core-2.14.1.jar', JAR)])

# 1. password in the same body, ISO-2022-JP
m = MIMEMultipart()
heads(m, '"山田 太郎" <yamada@partner.example>', 'sato@victim.example',
      '請求書の送付', '<ja-body-1@partner.example>')
m.attach(MIMEText('お世話になっております。\n請求書を送付します。\nパスワード：Kx7pQ2w\n', 'plain',
                  'iso-2022-jp'))
attach(m, ENC_ZIP, 'attachment; filename="invoice.zip"', ('application', 'zip'))
save('ja_body.eml', m)

# 2. password only in an HTML part, Shift_JIS, quoted-printable
m = MIMEMultipart()
heads(m, 'tanaka@partner.example', 'sato@victim.example', 'Re: 見積書',
      '<html-pw-1@partner.example>')
h = MIMEText('<html><body><p>解凍パスワードは<b>「Kx7pQ2w」</b>です。</p></body></html>',
             'html', 'shift_jis')
del h['Content-Transfer-Encoding']
raw = '<html><body><p>解凍パスワードは<b>「Kx7pQ2w」</b>です。</p></body></html>'.encode('shift_jis')
import quopri
h.set_payload(quopri.encodestring(raw).decode('ascii'))
h['Content-Transfer-Encoding'] = 'quoted-printable'
m.attach(h)
attach(m, ENC_ZIP, 'attachment; filename="mitsumori.zip"', ('application', 'zip'))
save('html_pw.eml', m)

# 3. PPAP: the zip in one mail, the password in the next of the thread
PPAP_ZIP = zipcrypto('Zq9!wE5', [('log4j-core-2.14.1.jar', JAR)])
m1 = MIMEMultipart()
heads(m1, 'suzuki@partner.example', 'sato@victim.example', '資料送付',
      '<ppap-1@partner.example>')
m1.attach(MIMEText('資料を送付します。パスワードは別途お送りします。\n', 'plain', 'iso-2022-jp'))
attach(m1, PPAP_ZIP, 'attachment; filename="shiryou.zip"', ('application', 'zip'))
m2 = MIMEText('先ほどの添付ファイルの解凍パスワードをお知らせします。\n\n解凍パスワード：Zq9!wE5\n',
              'plain', 'shift_jis')
heads(m2, 'suzuki@partner.example', 'sato@victim.example', 'パスワードのお知らせ',
      '<ppap-2@partner.example>', [('In-Reply-To', '<ppap-1@partner.example>')])
m3 = MIMEText('unrelated\nPW: Nope123\n', 'plain', 'us-ascii')
heads(m3, 'other@else.example', 'someone@victim.example', 'hello',
      '<other-1@else.example>')
with open(os.path.join(OUT, 'ppap.mbox'), 'wb') as f:
    for i, mm in enumerate((m1, m2, m3)):
        f.write(b'From suzuki@partner.example Thu Nov 26 10:0%d:00 2026\n' % i)
        f.write(mm.as_bytes().replace(b'\nFrom ', b'\n>From '))
        f.write(b'\n\n')

# the same thread as files: a Maildir (zip in cur/, password in new/) and
# a folder of .eml files
for d in ('ppap_maildir/cur', 'ppap_maildir/new', 'ppap_maildir/tmp', 'ppap_eml'):
    os.makedirs(os.path.join(OUT, d), exist_ok=True)
open(os.path.join(OUT, 'ppap_maildir/cur/1700000000.M1P1.host:2,S'), 'wb').write(m1.as_bytes())
open(os.path.join(OUT, 'ppap_maildir/new/1700000060.M2P1.host'), 'wb').write(m2.as_bytes())
open(os.path.join(OUT, 'ppap_maildir/new/1700000120.M3P1.host'), 'wb').write(m3.as_bytes())
open(os.path.join(OUT, 'ppap_eml/1-shiryou.eml'), 'wb').write(m1.as_bytes())
open(os.path.join(OUT, 'ppap_eml/2-password.eml'), 'wb').write(m2.as_bytes())

# 4. an encrypted zip, no password anywhere
m = MIMEMultipart()
heads(m, '"株式会社 取引先" <billing@evil.example>', 'sato@victim.example',
      'ご請求', '<nopw-1@evil.example>')
m.attach(MIMEText('ご確認ください。\n', 'plain', 'iso-2022-jp'))
attach(m, zipcrypto('NotInMail99', [('readme.txt', b'hello\n')]),
       'attachment; filename="seikyu.zip"', ('application', 'zip'))
save('nopw.eml', m)

# 5. Japanese file names: RFC 2231 (UTF-8) and RFC 2047 (ISO-2022-JP)
m = MIMEMultipart()
heads(m, 'a@partner.example', 'b@victim.example', 'names', '<names-1@partner.example>')
m.attach(MIMEText('see attached\n', 'plain', 'us-ascii'))
from urllib.parse import quote
attach(m, JAR, "attachment; filename*=UTF-8''" + quote('請求書.jar'))
w = base64.b64encode('見積書.jar'.encode('iso-2022-jp')).decode()
attach(m, JAR, 'attachment; filename="=?ISO-2022-JP?B?%s?="' % w)
save('names.eml', m)

# 6. nested message/rfc822
inner = MIMEMultipart()
heads(inner, 'c@partner.example', 'd@victim.example', 'inner', '<inner-1@partner.example>')
inner.attach(MIMEText('inner\n', 'plain', 'us-ascii'))
attach(inner, JAR, 'attachment; filename="inner.jar"')
m = MIMEMultipart()
heads(m, 'fwd@partner.example', 'd@victim.example', 'Fwd: inner', '<outer-1@partner.example>')
m.attach(MIMEText('forwarded\n', 'plain', 'us-ascii'))
m.attach(MIMEMessage(inner))
save('nested.eml', m)

# 7. a clean mail
m = MIMEMultipart()
heads(m, 'e@partner.example', 'f@victim.example', 'minutes', '<clean-1@partner.example>')
m.attach(MIMEText('Minutes attached. PW: not-a-zip-password\n', 'plain', 'us-ascii'))
attach(m, b'%PDF-1.4\n% harmless\n', 'attachment; filename="minutes.pdf"',
       ('application', 'pdf'))
save('clean.eml', m)

# 8. malformed MIME
H = (b'From: x@y.example\r\nTo: z@y.example\r\nSubject: bad\r\n'
     b'Message-ID: <bad@y.example>\r\nMIME-Version: 1.0\r\n')
bad = {
    'no_final_boundary.eml': H + b'Content-Type: multipart/mixed; boundary=B\r\n\r\n'
        b'--B\r\nContent-Type: application/zip\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        + base64.b64encode(ENC_ZIP)[:200] + b'\r\n',
    'bad_base64.eml': H + b'Content-Type: application/octet-stream; name=a.bin\r\n'
        b'Content-Transfer-Encoding: base64\r\n\r\n!!!!====@@@@\x00\x01\xff\r\n',
    'bad_cte.eml': H + b'Content-Type: text/plain\r\nContent-Transfer-Encoding: x-bogus\r\n\r\nPW: abc\r\n',
    'deep.eml': H + b''.join(b'Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n' % (i, i)
                              for i in range(200)) + b'Content-Type: text/plain\r\n\r\nx\r\n',
    'empty_boundary.eml': H + b'Content-Type: multipart/mixed; boundary=""\r\n\r\n--\r\n\r\nx\r\n----\r\n',
    'cr_only.eml': H.replace(b'\r\n', b'\r') + b'\rbody\r',
    'dup_ctype.eml': H + b'Content-Type: text/plain\r\nContent-Type: multipart/mixed; boundary=Q\r\n\r\n'
        b'--Q\r\nContent-Type: application/octet-stream; name*0="a"; name*1=".jar"\r\n'
        b'Content-Transfer-Encoding: base64\r\n\r\n' + base64.b64encode(JAR) + b'\r\n--Q--\r\n',
    'partial.eml': H + b'Content-Type: message/partial; id="x@y"; number=1; total=3\r\n\r\n'
        b'From: a@b\r\nSubject: part\r\n\r\nxx\r\n',
    'long_header.eml': H + b'X-Long: ' + b'a' * 300000 + b'\r\n\r\nbody\r\n',
    'binary.eml': H + b'Content-Type: multipart/mixed; boundary=Z\r\n\r\n--Z\r\n' + bytes(range(256)) * 50
        + b'\r\n--Z--\r\n',
}
for name, data in bad.items():
    with open(os.path.join(OUT, 'bad', name), 'wb') as f:
        f.write(data)
