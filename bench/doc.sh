#!/bin/sh
# bench/doc.sh [KENSA] - `kensa doc` throughput: documents/s, MB/s, CPU
# per document and peak memory, over the shared corpus
# (../shared/corpus/maldoc, every file but the MANIFEST) copied 50 times
# under distinct names, or, when it is absent, over the documents
# tests/gen/mkdoc.py builds, copied 50 times.  One process, JSON to
# /dev/null, single-threaded (CPU per document) and with every core
# (wall).  Then olevba on one copy of the set in one process, when
# oletools is installed (it is Python; Debian 12 packages no
# python3-oletools), and the ratio.  Warm cache.
#
# Targets (issue 10): <= 0.4 ms CPU per document on average, <= 32 MiB
# resident.  Zips that hold no archive are never served from the clean
# cache, so every copy is read.
set -eu
KENSA=${1:-./build/kensa}
DIR=${BENCH_DIR:-/tmp/kensa-bench-doc}
TOP=$(cd "$(dirname "$0")/.." && pwd)
CORPUS=${KENSA_CORPUS:-$TOP/../shared/corpus}/maldoc
COPIES=50
rm -rf "$DIR"
mkdir -p "$DIR/one" "$DIR/set"
if [ -d "$CORPUS" ]; then
    what="shared corpus ($CORPUS)"
    (cd "$CORPUS" && find . -type f ! -name 'MANIFEST*' -print) |
    while read -r f; do
        n=$(printf '%s' "$f" | sed 's|^\./||; s|/|_|g')
        cp "$CORPUS/$f" "$DIR/one/$n"
    done
else
    what="generated documents (tests/gen/mkdoc.py)"
    python3 "$TOP/tests/gen/mkdoc.py" "$DIR/one"
fi
i=0
while [ $i -lt $COPIES ]; do
    mkdir "$DIR/set/c$i"
    cp "$DIR/one"/* "$DIR/set/c$i/"
    i=$((i + 1))
done
docs=$(find "$DIR/set" -type f | wc -l)
bytes=$(du -sb "$DIR/set" | cut -f1)
echo "set: $what x $COPIES = $docs documents, $bytes bytes"

run() {   # run LABEL THREADS
    /usr/bin/time -f "%e %U %S %M" -o "$DIR/t" "$KENSA" doc --json \
        --threads "$2" --no-summary "$DIR/set" > "$DIR/out.json" 2>/dev/null || true
    set -- "$1" $(tail -1 "$DIR/t")
    awk -v l="$1" -v w="$2" -v u="$3" -v s="$4" -v m="$5" -v d="$docs" -v b="$bytes" 'BEGIN {
        cpu = u + s; if (w <= 0) w = 0.001; if (cpu <= 0) cpu = 0.001;
        printf "%-10s %8.0f docs/s %8.1f MB/s  %6.3f ms CPU/doc  %6.1f MiB peak\n",
            l, d / w, b / 1e6 / w, cpu * 1000 / d, m / 1024 }'
}
run "1 thread" 1
run "all cores" "$(nproc)"
findings=$(jq -r 'select(.kensa.detector=="maldoc") | .kensa.verdict' "$DIR/out.json" | sort | uniq -c | tr '\n' ' ')
echo "findings: $findings"

if python3 -c 'import oletools' 2>/dev/null; then
    n1=$(ls "$DIR/one" | wc -l)
    /usr/bin/time -f "%e %U %S %M" -o "$DIR/t" python3 -m oletools.olevba \
        "$DIR/one"/* > /dev/null 2>&1 || true
    set -- $(tail -1 "$DIR/t")
    /usr/bin/time -f "%e %U %S %M" -o "$DIR/tk" "$KENSA" doc --json \
        --threads 1 --no-summary "$DIR/one" > /dev/null 2>&1 || true
    set -- "$@" $(tail -1 "$DIR/tk")
    awk -v ou="$2" -v os="$3" -v ku="$6" -v ks="$7" -v d="$n1" 'BEGIN {
        o = (ou + os) * 1000 / d; k = (ku + ks) * 1000 / d; if (k <= 0) k = 0.001;
        printf "olevba: %.2f ms CPU/doc; kensa %.3f: %.0fx\n", o, k, o / k }'
else
    echo "olevba: not installed (oletools is Python; Debian 12 has no python3-oletools): no ratio"
fi
