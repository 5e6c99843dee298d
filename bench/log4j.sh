#!/bin/sh
# bench/log4j.sh [KENSA] - time `kensa log4j` over a generated tree and
# compare it with the floors: `find` over the same tree and reading every
# archive byte (`cat`).  Warm cache for all.  Prints wall time, CPU time
# and peak memory, the ratios, and whether every planted copy was found;
# then single-threaded CPU per shape of the tree (jars and wars, the five
# identical source .tar.bz2, the compressed man and doc pages, ordinary
# files).  Each kensa figure is the best of BENCH_RUNS runs (default 3):
# the machine may be shared.
set -eu
KENSA=${1:-./build/kensa}
DIR=${BENCH_DIR:-/tmp/kensa-bench-log4j}
TOP=$(cd "$(dirname "$0")/.." && pwd)

if [ ! -f "$DIR/.planted" ]; then
    echo "building the tree in $DIR (once)..." >&2
    rm -rf "$DIR"; mkdir -p "$DIR"
    python3 "$TOP/bench/mktree.py" "$DIR" > "$DIR/.planted.tmp"
    mv "$DIR/.planted.tmp" "$DIR/.planted"
fi
planted=$(cat "$DIR/.planted")
files=$(find "$DIR" -type f | wc -l)
mb=$(du -sm "$DIR" | cut -f1)
archives=$(find "$DIR" -type f \( -name '*.jar' -o -name '*.war' -o -name '*.bin' \) | wc -l)

RUNS=${BENCH_RUNS:-3}
t() {  # t CMD...: "wall user sys maxrss_kb" of one run
    /usr/bin/time -f "%e %U %S %M" -o "$DIR.time" "$@" >/dev/null 2>&1 || true
    tail -1 "$DIR.time"
}
best() {  # best CMD...: t of the run with the least CPU of $RUNS
    for _ in $(seq "$RUNS"); do t "$@"; done |
        awk '{ c = $2 + $3; if (NR == 1 || c < bc) { bc = c; b = $0 } } END { print b }'
}
cpu() {  # cpu PATH...: best single-threaded CPU seconds of kensa log4j
    set -- $(best "$KENSA" log4j --threads 1 --json -o /dev/null "$@")
    echo "$2 + $3" | bc
}
find "$DIR" -type f -exec cat {} + >/dev/null   # warm the cache
set -- $(t find "$DIR"); find_w=$1
set -- $(t sh -c "find '$DIR' -type f \( -name '*.jar' -o -name '*.war' -o -name '*.bin' \) -exec cat {} + >/dev/null"); cat_w=$1; cat_cpu=$(echo "$2 + $3" | bc)
set -- $(best "$KENSA" log4j --json -o "$DIR.json" "$DIR"); k_w=$1; k_cpu=$(echo "$2 + $3" | bc); k_rss=$(( $4 / 1024 ))
set -- $(best "$KENSA" log4j --threads 1 --json -o "$DIR.1.json" "$DIR"); k1_w=$1; k1_cpu=$(echo "$2 + $3" | bc); k1_rss=$(( $4 / 1024 ))
found=$(jq -r 'select(.event.kind!="event" and .kensa.verdict=="vulnerable") | .kensa.path' "$DIR.json" | wc -l)
found1=$(jq -r 'select(.event.kind!="event" and .kensa.verdict=="vulnerable") | .kensa.path' "$DIR.1.json" | wc -l)
# the shapes, one at a time (each its own run, so its own cache)
s_jar=$(cpu "$DIR/srv/tomcat" "$DIR/opt/big" "$DIR"/opt/app*)
s_tbz=$(cpu "$DIR/usr/src" "$DIR/opt/build" "$DIR/home" "$DIR/var" "$DIR/srv/mirror")
s_man=$(cpu "$DIR/usr/share/man" "$DIR/usr/share/doc")
s_ord=$(cpu "$DIR/srv/data" "$DIR/usr/include" "$DIR/usr/lib" "$DIR/usr/share/zoneinfo")

echo "tree: $files files, $mb MB, $archives archives, $planted vulnerable copies planted"
echo "find:            ${find_w}s wall"
echo "cat archives:    ${cat_w}s wall, ${cat_cpu}s CPU"
echo "kensa ($(nproc) threads): ${k_w}s wall, ${k_cpu}s CPU, ${k_rss} MiB peak RSS"
echo "kensa (1 thread):  ${k1_w}s wall, ${k1_cpu}s CPU, ${k1_rss} MiB peak RSS"
echo "per shape (1 thread, CPU): jars and wars ${s_jar}s, 5 x .tar.bz2 ${s_tbz}s," \
     "man/doc .gz ${s_man}s, ordinary files ${s_ord}s"
echo "ratios: kensa/find = $(echo "scale=2; $k_w / ($find_w + 0.001)" | bc)x wall," \
     "kensa/cat = $(echo "scale=2; $k_w / ($cat_w + 0.001)" | bc)x wall"
echo "found: $found of $planted vulnerable copies ($found1 with 1 thread)"
[ "$found" -eq "$planted" ] && [ "$found1" -eq "$planted" ]
