#!/bin/sh
# bench/log4j.sh [KENSA] - time `kensa log4j` over a generated tree and
# compare it with the floors: `find` over the same tree and reading every
# archive byte (`cat`).  Warm cache for all.  Prints wall time, CPU time
# and peak memory, the ratios, and whether every planted copy was found.
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

t() {  # t CMD...: "wall user sys maxrss_kb" of one run
    /usr/bin/time -f "%e %U %S %M" -o /tmp/kensa-bench.time "$@" >/dev/null 2>&1 || true
    tail -1 /tmp/kensa-bench.time
}
find "$DIR" -type f -exec cat {} + >/dev/null   # warm the cache
set -- $(t find "$DIR"); find_w=$1
set -- $(t sh -c "find '$DIR' -type f \( -name '*.jar' -o -name '*.war' -o -name '*.bin' \) -exec cat {} + >/dev/null"); cat_w=$1; cat_cpu=$(echo "$2 + $3" | bc)
set -- $(t "$KENSA" log4j --json -o /tmp/kensa-bench.json "$DIR"); k_w=$1; k_cpu=$(echo "$2 + $3" | bc); k_rss=$(( $4 / 1024 ))
set -- $(t "$KENSA" log4j --threads 1 --json -o /tmp/kensa-bench1.json "$DIR"); k1_w=$1; k1_cpu=$(echo "$2 + $3" | bc)
found=$(jq -r 'select(.event.kind=="alert" and .kensa.verdict=="vulnerable") | .kensa.path' /tmp/kensa-bench.json | wc -l)

echo "tree: $files files, $mb MB, $archives archives, $planted vulnerable copies planted"
echo "find:            ${find_w}s wall"
echo "cat archives:    ${cat_w}s wall, ${cat_cpu}s CPU"
echo "kensa (all cores): ${k_w}s wall, ${k_cpu}s CPU, ${k_rss} MiB peak RSS"
echo "kensa (1 thread):  ${k1_w}s wall, ${k1_cpu}s CPU"
echo "ratios: kensa/find = $(echo "scale=2; $k_w / ($find_w + 0.001)" | bc)x wall," \
     "kensa/cat = $(echo "scale=2; $k_w / ($cat_w + 0.001)" | bc)x wall"
echo "found: $found of $planted vulnerable copies"
[ "$found" -eq "$planted" ]
