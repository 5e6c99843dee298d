#!/bin/sh
# bench/mail.sh [KENSA] - time `kensa mail` on a 10,000-message mbox the
# script builds: plain mails, attachments of several kinds (binary, text,
# a zip, a jar, a vulnerable log4j-core in every 500th), a tenth of them
# ZipCrypto zips whose password is in the same body or in the next mail
# of the thread, and one 8 MiB attachment.  Prints messages/s, MB/s and
# peak RSS (the mapped mbox's pages included: they are file pages, read
# once), then the same for `clamscan` on the same mbox where installed.
set -eu
KENSA=${1:-./build/kensa}
DIR=${BENCH_DIR:-/tmp/kensa-bench-mail}
TOP=$(cd "$(dirname "$0")/.." && pwd)
N=${BENCH_MESSAGES:-10000}
rm -rf "$DIR"
mkdir -p "$DIR"
python3 - "$DIR" "$TOP" "$N" <<'PY'
import io, os, random, subprocess, sys, tempfile, zipfile
from email import encoders
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
out, top, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
src = open(os.path.join(top, 'tests', 'gen', 'mkfixtures.py')).read()
src = src[:src.index("vuln = core_jar()")]
g = {'__name__': 'mk', 'sys': sys}
exec(compile(src, 'mkfixtures', 'exec'), g)
vuln = g['core_jar']()
random.seed(7)
tmp = tempfile.mkdtemp()


def zipcrypto(pw, name, data):
    p = os.path.join(tmp, name)
    open(p, 'wb').write(data)
    z = os.path.join(tmp, 'z.zip')
    if os.path.exists(z):
        os.unlink(z)
    subprocess.run(['zip', '-q', '-j', '-P', pw, z, p], check=True)
    return open(z, 'rb').read()


enc = {}
for k in range(20):
    enc[k] = zipcrypto('pw%04d' % k, 'doc%d.txt' % k, os.urandom(2000))
f = open(os.path.join(out, 'mbox'), 'wb')
for i in range(n):
    m = MIMEMultipart()
    m['From'] = 'u%d@partner.example' % (i % 97)
    m['To'] = 'v%d@victim.example' % (i % 89)
    m['Subject'] = 'message %d' % i
    m['Message-ID'] = '<m%d@partner.example>' % i
    body = 'Hello,\nsee attached.\n'
    kind = i % 10
    if kind == 0:
        k = i % 20
        body += 'パスワード：pw%04d\n' % k
        att, name = enc[k], 'doc%d.zip' % i
    elif kind == 1:
        att, name = g['zbytes']([('a.txt', os.urandom(3000))]), 'a%d.zip' % i
    elif kind == 2:
        att, name = (vuln if i % 500 == 2 else g['zbytes']([('x/A.class', g['klass']('x/A', 'java/lang/Object'))])), 'lib%d.jar' % i
    elif kind in (3, 4):
        att, name = os.urandom(random.randint(500, 20000)), 'f%d.bin' % i
    else:
        att, name = None, None
    m.attach(MIMEText(body, 'plain', 'utf-8'))
    if att is not None:
        p = MIMEBase('application', 'octet-stream')
        p.set_payload(att)
        encoders.encode_base64(p)
        p['Content-Disposition'] = 'attachment; filename="%s"' % name
        m.attach(p)
    f.write(b'From u@partner.example Thu Nov 26 10:00:00 2026\n' + m.as_bytes() + b'\n\n')
m = MIMEMultipart()
m['From'] = 'big@partner.example'
m['To'] = 'v@victim.example'
m['Subject'] = 'big'
p = MIMEBase('application', 'octet-stream')
p.set_payload(os.urandom(8 << 20))
encoders.encode_base64(p)
p['Content-Disposition'] = 'attachment; filename="big.bin"'
m.attach(p)
f.write(b'From u@partner.example Thu Nov 26 10:00:00 2026\n' + m.as_bytes() + b'\n')
f.close()
PY
MBOX="$DIR/mbox"
SIZE=$(stat -c %s "$MBOX")
cat "$MBOX" >/dev/null   # page cache warm for both tools

run() {   # run NAME CMD...: seconds, peak RSS
    name=$1
    shift
    /usr/bin/time -f '%e %M' -o "$DIR/time" "$@" >"$DIR/$name.out" 2>/dev/null || true
    read -r secs kb <<EOF
$(tail -n 1 "$DIR/time")
EOF
    awk -v n="$N" -v s="$secs" -v b="$SIZE" -v kb="$kb" -v name="$name" 'BEGIN {
        printf "%-9s %6.2f s  %7.0f messages/s  %6.1f MB/s  peak RSS %d MB\n",
               name, s, n / s, b / 1048576 / s, kb / 1024 }'
    echo "$secs" >"$DIR/$name.secs"
}

echo "mbox: $N messages + one 8 MiB attachment, $((SIZE / 1048576)) MB"
run kensa "$KENSA" mail --json --threads 1 --no-summary "$MBOX"
echo "kensa records: $(grep -c '"event":{' "$DIR/kensa.out" || true)," \
     "encrypted attachments left unopened: $(grep -c 'mail.encrypted_unopened' "$DIR/kensa.out" || true) (0: every password found)"
# the mail walk alone: kensa log4j runs no whole-file detector (YARA reads
# the whole mapped mbox before the walk), so its peak is the walk's
# (mbox pages let go as messages are read: bounded by the largest one)
run log4j "$KENSA" log4j --json --threads 1 --no-summary "$MBOX"
if command -v clamscan >/dev/null 2>&1; then
    run clamscan clamscan --no-summary "$MBOX"
    awk -v a="$(cat "$DIR/kensa.secs")" -v b="$(cat "$DIR/clamscan.secs")" \
        'BEGIN { printf "kensa / clamscan time: %.2f\n", a / b }'
else
    echo "clamscan: not installed, no ratio"
fi
