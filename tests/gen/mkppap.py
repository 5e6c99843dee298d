#!/usr/bin/env python3
"""mkppap.py OUT - PPAP mails beyond ZipCrypto for tests/cli/mail.bats:
archives encrypted by p7zip (7z(1), Debian's p7zip-full) and mkrar.py,
the Flagpro workbook of mkdoc.py inside, the password in a Japanese body
or only in the next mail of the thread.

  aes_body.eml     WinZip-AES zip (7z a -tzip -mem=AES256), password
                   "パスワード：Rk4$vN8q" (full-width colon) in an
                   ISO-2022-JP body
  aes_thread.mbox  the same zip in the first mail, its password only in
                   the reply (In-Reply-To), Shift_JIS "解凍PW：Rk4$vN8q"
  aes_benign.eml   an AES zip of a harmless macro workbook, password in
                   the body (must not be judged malicious)
  7z_data.eml      7z with encrypted data (7z a -p), password in the body
  7z_headers.eml   7z with encrypted data and member list (-mhe=on)
  rar_sealed.eml   a RAR 4 whose member has the password flag (mkrar.py
                   --encrypted-flag: Debian has no tool that writes RAR)
"""
import email.message
import mailbox
import os
import subprocess
import sys

OUT = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
PW = 'Rk4$vN8q'
DOCS = os.path.join(OUT, 'docs')
os.makedirs(DOCS, exist_ok=True)
subprocess.run([sys.executable, os.path.join(HERE, 'mkdoc.py'), DOCS],
               check=True, stdout=subprocess.DEVNULL)


def p7(archive, member, *opts):
    path = os.path.join(OUT, archive)
    if os.path.exists(path):
        os.unlink(path)
    subprocess.run(['7z', 'a', '-p' + PW, *opts, path, member], cwd=DOCS,
                   check=True, stdout=subprocess.DEVNULL)
    return open(path, 'rb').read()


AES = p7('order.zip', 'flagpro.xlsm', '-tzip', '-mem=AES256')
AES_BENIGN = p7('table.zip', 'benign.xlsm', '-tzip', '-mem=AES256')
SEVEN = p7('order.7z', 'flagpro.xlsm')
SEVEN_HE = p7('order_he.7z', 'flagpro.xlsm', '-mhe=on')
subprocess.run([sys.executable, os.path.join(HERE, 'mkrar.py'),
                os.path.join(OUT, 'order.rar'),
                'flagpro.xlsm=' + os.path.join(DOCS, 'flagpro.xlsm'),
                '--encrypted-flag'], check=True)
RAR = open(os.path.join(OUT, 'order.rar'), 'rb').read()


def mail(mid, body, att=None, name=None, reply=None, charset='iso-2022-jp'):
    m = email.message.EmailMessage()
    m['From'] = '"Partner Corp" <suzuki@partner.example>'
    m['To'] = 'buyer@victim.example'
    m['Subject'] = '注文書の送付'
    m['Message-ID'] = '<%s@partner.example>' % mid
    m['Date'] = 'Thu, 26 Nov 2026 11:00:00 +0900'
    if reply:
        m['In-Reply-To'] = '<%s@partner.example>' % reply
    m.set_content(body, charset=charset)
    if att is not None:
        m.add_attachment(att, maintype='application',
                         subtype='octet-stream', filename=name)
    return m


def save(name, m):
    open(os.path.join(OUT, name), 'wb').write(bytes(m))


save('aes_body.eml', mail('aes-1', 'お世話になっております。\n注文書を送付します。\n'
                          'パスワード：' + PW + '\nよろしくお願いします。\n',
                          AES, 'order.zip'))
box = mailbox.mbox(os.path.join(OUT, 'aes_thread.mbox'))
box.add(mail('aes-2', 'お世話になっております。\n注文書を送付します。\n'
             'パスワードは別途お送りします。\n', AES, 'order.zip'))
box.add(mail('aes-3', '先ほどの添付ファイルの解凍PW：' + PW + '\n',
             reply='aes-2', charset='shift_jis'))
box.close()
save('aes_benign.eml', mail('aes-4', '集計表です。\nパスワード：' + PW + '\n',
                            AES_BENIGN, 'table.zip'))
save('7z_data.eml', mail('7z-1', 'パスワード：' + PW + '\n', SEVEN, 'order.7z'))
save('7z_headers.eml', mail('7z-2', 'パスワード：' + PW + '\n', SEVEN_HE,
                            'order.7z'))
save('rar_sealed.eml', mail('rar-1', 'パスワード：' + PW + '\n', RAR,
                            'order.rar'))
