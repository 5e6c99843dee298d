#!/bin/sh
# bench/fix.sh [KENSA] - time `kensa log4j --fix` on 1,000 vulnerable jars
# (synthetic log4j-core copies with ~300 other classes each, half of them
# nested in a war) against the time to copy those jars (`cp -r`, then
# `sync`), the floor for rewriting every byte.  Each fix writes a backup
# link, a sidecar and the new file, with an fsync each.
set -eu
KENSA=${1:-./build/kensa}
DIR=${BENCH_DIR:-/tmp/kensa-bench-fix}
TOP=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$DIR"
mkdir -p "$DIR/orig"
python3 - "$DIR/orig" "$TOP" <<'PY'
import io, os, random, sys, zipfile
out, top = sys.argv[1], sys.argv[2]
src = open(os.path.join(top, 'tests', 'gen', 'mkfixtures.py')).read()
src = src[:src.index("vuln = core_jar()")]
g = {'__name__': 'mk', 'sys': sys}
exec(compile(src, 'mkfixtures', 'exec'), g)
random.seed(3)
jar = g['zbytes']
filler = [('org/apache/logging/log4j/core/impl/C%d.class' % i,
           g['klass']('org/apache/logging/log4j/core/impl/C%d' % i, 'java/lang/Object')
           + bytes(random.getrandbits(8) for _ in range(400))) for i in range(300)]
core = zipfile.ZipFile(io.BytesIO(g['core_jar']()))
vuln = jar([(n, core.read(n)) for n in core.namelist()] + filler)
for i in range(500):
    d = os.path.join(out, 'app%03d' % i)
    os.makedirs(d)
    open(os.path.join(d, 'log4j-core-2.14.1.jar'), 'wb').write(vuln)
    open(os.path.join(d, 'app.war'), 'wb').write(
        jar([('WEB-INF/web.xml', b'<web-app/>'), ('WEB-INF/lib/log4j-core-2.14.1.jar', vuln)]))
PY
mb=$(du -sm "$DIR/orig" | cut -f1)
cp -r "$DIR/orig" "$DIR/src"
sync
t0=$(date +%s.%N); cp -r "$DIR/orig" "$DIR/copy"; sync; t1=$(date +%s.%N)
cp_s=$(echo "$t1 - $t0" | bc)
/usr/bin/time -f "%e %U %S %M" -o "$DIR/t" "$KENSA" log4j --fix --backup-dir "$DIR/bak" --quiet "$DIR/src" > "$DIR/out" 2>&1 || true
set -- $(tail -1 "$DIR/t")
fixed=$(grep -c '^fixed .*now mitigated' "$DIR/out" || true)
echo "1000 vulnerable copies (500 jars + 500 wars holding one), $mb MB"
echo "cp -r + sync:  ${cp_s}s"
echo "kensa --fix:   ${1}s wall, $(echo "$2 + $3" | bc)s CPU, $(( $4 / 1024 )) MiB peak; $fixed files fixed"
echo "ratio: $(echo "scale=2; $1 / $cp_s" | bc)x the copy"
[ "$fixed" -eq 1000 ]
