#!/bin/sh
# bench/hunt.sh [KENSA] - time `kensa scan` with the whole intel pack
# (YARA rules, hash and path indicators) over a tree of real files, and
# compare it with `yara -r` running the same rules (kensa rules --export,
# compiled by yarac) and with `sha256sum` reading the same files; also
# clamscan when installed.  The tree is a copy of /usr/bin and of the
# Python standard library (many small text files) with the intel tests'
# samples planted in it.  Warm cache, the same thread count for kensa and
# yara (BENCH_THREADS, default 2), best of BENCH_RUNS runs (default 3):
# the machine may be shared.  Prints files/s, MB/s and the ratios; the
# target is kensa within 1.3x of yara alone.
set -eu
KENSA=${1:-./build/kensa}
DIR=${BENCH_DIR:-/tmp/kensa-bench-hunt}
RUNS=${BENCH_RUNS:-3}
T=${BENCH_THREADS:-2}
TOP=$(cd "$(dirname "$0")/.." && pwd)

if [ ! -f "$DIR/.built" ]; then
    echo "building the tree in $DIR (once)..." >&2
    rm -rf "$DIR"
    mkdir -p "$DIR/tree/bin" "$DIR/tree/py"
    find /usr/bin -maxdepth 1 -type f -size -30M -exec cp -p {} "$DIR/tree/bin/" \;
    py=$(ls -d /usr/lib/python3.* 2>/dev/null | head -1)
    [ -n "$py" ] && (cd "$py" && find . -name '*.py' -size -1024k | sort | head -4000 |
        xargs cp --parents -t "$DIR/tree/py") || true
    python3 "$TOP/tests/gen/mkintel.py" "$DIR/planted" >/dev/null
    cp -r "$DIR/planted/samples" "$DIR/tree/planted"
    touch "$DIR/.built"
fi
rm -rf "$DIR/rules" "$DIR/rules.yarc"
"$KENSA" rules --export "$DIR/rules" -q 2>/dev/null || "$KENSA" rules --export "$DIR/rules"
command -v yarac >/dev/null && yarac "$DIR"/rules/*.yar "$DIR/rules.yarc"

files=$(find "$DIR/tree" -type f | wc -l)
bytes=$(find "$DIR/tree" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
cat "$DIR/tree/bin/"* >/dev/null 2>&1 || true   # warm the cache

# best TIME of RUNS runs of "$@": prints "wall cpu"
best() {
    b=""
    i=0
    while [ $i -lt "$RUNS" ]; do
        /usr/bin/time -f '%e %U %S' -o "$DIR/t" "$@" >/dev/null 2>&1 || true
        w=$(awk '{print $1}' "$DIR/t" | tail -1)
        c=$(awk '{print $2 + $3}' "$DIR/t" | tail -1)
        if [ -z "$b" ] || [ "$(echo "$w < $bw" | bc)" -eq 1 ]; then
            b=1; bw=$w; bc=$c
        fi
        i=$((i + 1))
    done
    echo "$bw $bc"
}

mb=$(echo "scale=1; $bytes / 1048576" | bc)
echo "tree: $files files, $mb MB; threads: $T; best of $RUNS"
set -- $(best "$KENSA" scan --json -o /dev/null --no-summary --threads "$T" "$DIR/tree")
kw=$1 kc=$2
found=$("$KENSA" scan --json --no-summary --threads "$T" "$DIR/tree" |
        jq -r 'select(.kensa.detector == "yara") | .rule.name' |
        grep -v '^kensa_ioc_net_' | sort -u | wc -l)
line() {
    printf '%-28s %7.2f s wall %7.2f s CPU %8.0f files/s %7.1f MB/s\n' "$1" "$2" "$3" \
        "$(echo "$files / $2" | bc -l)" "$(echo "$bytes / 1048576 / $2" | bc -l)"
}
line "kensa scan (full intel)" "$kw" "$kc"
if [ -f "$DIR/rules.yarc" ] && command -v yara >/dev/null; then
    set -- $(best yara -C -r -p "$T" "$DIR/rules.yarc" "$DIR/tree")
    yw=$1 yc=$2
    line "yara -r (same rules)" "$yw" "$yc"
    printf 'ratio kensa/yara: %.2f wall, %.2f CPU (target <= 1.3)\n' \
        "$(echo "$kw / $yw" | bc -l)" "$(echo "$kc / $yc" | bc -l)"
fi
set -- $(best sh -c "find '$DIR/tree' -type f -print0 | xargs -0 -P '$T' -n 200 sha256sum")
sw=$1 sc=$2
line "sha256sum (same files)" "$sw" "$sc"
printf 'ratio kensa/sha256sum: %.2f wall, %.2f CPU\n' \
    "$(echo "$kw / $sw" | bc -l)" "$(echo "$kc / $sc" | bc -l)"
if command -v clamscan >/dev/null; then
    set -- $(best clamscan -r --no-summary "$DIR/tree")
    line "clamscan" "$1" "$2"
fi
echo "planted samples found: $found rules of $("$KENSA" rules --list | grep -vc kensa-iocs)"
