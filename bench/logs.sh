#!/bin/sh
# bench/logs.sh [KENSA] - `kensa logs` throughput on ~1 GiB of generated
# access logs with a few hundred obfuscated attacks, plain and gzip.
# Prints MB per CPU-second and wall MB/s, as ratios to cat (plain), zcat
# (gzip) and to grep -E / rg with a common Log4Shell regex, and the
# recall of each.  Then the attack-dense case: 64 MiB where every line
# carries "${" (payload lists: obfuscated attacks and benign templates),
# as MB per CPU-second and peak memory (JSON, as above), and again with
# text findings (--quiet), and the engine alone (bench/engine.c, which
# counts the findings and writes none), which shows what the writers add.
# Warm cache.
set -eu
KENSA=${1:-./build/kensa}
DIR=${BENCH_DIR:-/tmp/kensa-bench-logs}
TOP=$(cd "$(dirname "$0")/.." && pwd)
COPIES=16            # 16 x 64 MiB = 1 GiB
mkdir -p "$DIR"
if [ ! -f "$DIR/access.log" ]; then
    echo "building 1 GiB of logs in $DIR (once)..." >&2
    python3 "$TOP/bench/mklogs.py" "$DIR/chunk.log" 64 25 > "$DIR/chunk.attacks"
    : > "$DIR/access.log"
    i=0; while [ $i -lt $COPIES ]; do cat "$DIR/chunk.log" >> "$DIR/access.log"; i=$((i + 1)); done
    gzip -1 -c "$DIR/access.log" > "$DIR/access.log.gz"
    mkdir -p "$DIR/split"
    split -n l/4 "$DIR/access.log" "$DIR/split/access.log."
fi
if [ ! -f "$DIR/dense.attacks" ]; then
    python3 "$TOP/bench/mkdense.py" "$DIR/dense.log" 64 > "$DIR/dense.attacks.tmp"
    mv "$DIR/dense.attacks.tmp" "$DIR/dense.attacks"
fi
planted=$(( $(cat "$DIR/chunk.attacks") * COPIES ))
mb=$(( $(stat -c %s "$DIR/access.log") / 1048576 ))
REGEX='\$\{(jndi|\$\{|[a-z]+:)'   # the usual "${jndi" / "${${" / "${lower:" hunt

t() {  # t CMD...: "wall cpu"; stdout kept in $DIR/out only if $KEEP
    if [ -n "${KEEP:-}" ]; then
        /usr/bin/time -f "%e %U %S" -o "$DIR/t" "$@" > "$DIR/out" 2>/dev/null || true
    else
        /usr/bin/time -f "%e %U %S" -o "$DIR/t" "$@" > /dev/null 2>&1 || true
    fi
    set -- $(tail -1 "$DIR/t")
    echo "$1 $(echo "$2 + $3" | bc)"
}
rate() { echo "scale=0; $mb / ($1 + 0.0001)" | bc; }

cat "$DIR/access.log" "$DIR/access.log.gz" "$DIR"/split/* > /dev/null
set -- $(t cat "$DIR/access.log"); cat_w=$1 cat_c=$2
set -- $(t zcat "$DIR/access.log.gz"); zcat_w=$1 zcat_c=$2
KEEP=1
set -- $(t grep -cE "$REGEX" "$DIR/access.log"); grep_w=$1 grep_c=$2; grep_hits=$(cat "$DIR/out")
rg_line="rg: not installed"
if command -v rg >/dev/null; then
    set -- $(t rg -c "$REGEX" "$DIR/access.log"); rg_c=$2; rg_hits=$(cat "$DIR/out")
    rg_line="rg -c:      $(rate "$rg_c") MB/CPU-s, $rg_hits lines matched"
fi
set -- $(t "$KENSA" logs --json --threads 1 "$DIR/access.log"); k_w=$1 k_c=$2
found=$(jq -r 'select(.kensa.verdict=="attack") | .kensa.line' "$DIR/out" | sort -u | wc -l)
set -- $(t "$KENSA" logs --json --threads 1 "$DIR/access.log.gz"); kz_w=$1 kz_c=$2
found_gz=$(jq -r 'select(.kensa.verdict=="attack") | .kensa.line' "$DIR/out" | sort -u | wc -l)
/usr/bin/time -f "%e %U %S %M" -o "$DIR/t" "$KENSA" logs --json --threads 1 \
    "$DIR/dense.log" > "$DIR/out" 2>/dev/null || true
set -- $(tail -1 "$DIR/t"); kd_c=$(echo "$2 + $3" | bc); kd_rss=$(( $4 / 1024 ))
dense_found=$(jq -r 'select(.kensa.verdict=="attack") | .kensa.line' "$DIR/out" | sort -u | wc -l)
dense_mb=$(( $(stat -c %s "$DIR/dense.log") / 1048576 ))
# the same with text findings (--quiet): what the JSON writer costs on top
set -- $(t "$KENSA" logs --quiet --threads 1 "$DIR/dense.log"); kdq_c=$2
# and the engine alone (bench/engine.c: findings counted, none written)
ENGINE=$(dirname "$KENSA")/bench/kensa-bench-engine
engine_line="kensa dense, engine alone: bench/engine.c not built (meson -Dtests)"
if [ -x "$ENGINE" ]; then
    /usr/bin/time -f "%e %U %S %M" -o "$DIR/t" "$ENGINE" logs "$DIR/dense.log" \
        > "$DIR/out" 2>/dev/null || true
    set -- $(tail -1 "$DIR/t"); kde_c=$(echo "$2 + $3" | bc); kde_rss=$(( $4 / 1024 ))
    engine_line="kensa dense, engine alone (findings counted, not written): $(echo "scale=1; $dense_mb / ($kde_c + 0.0001)" | bc) MB/CPU-s, ${kde_rss} MiB peak RSS, $(cat "$DIR/out") findings"
fi
KEEP=
cat "$DIR"/split/* > /dev/null
set -- $(t "$KENSA" logs --json "$DIR/split"); ks_w=$1 ks_c=$2

echo "data: $mb MiB of access logs, $planted attacks planted ($(nproc) cores)"
echo "cat:         $(rate "$cat_c") MB/CPU-s, $(rate "$cat_w") MB/s wall"
echo "zcat:        $(rate "$zcat_c") MB/CPU-s (decompressed), $(rate "$zcat_w") MB/s wall"
echo "grep -cE:    $(rate "$grep_c") MB/CPU-s, $grep_hits lines matched"
echo "$rg_line"
echo "kensa plain: $(rate "$k_c") MB/CPU-s, $(rate "$k_w") MB/s wall (1 thread), $found of $planted attacks"
echo "kensa gzip:  $(rate "$kz_c") MB/CPU-s, $(rate "$kz_w") MB/s wall, $found_gz of $planted attacks;" \
     "CPU ratio to zcat $(echo "scale=2; $kz_c / ($zcat_c + 0.0001)" | bc)x"
echo "kensa 4 files, all cores: $(rate "$ks_w") MB/s wall, $(rate "$ks_c") MB/CPU-s"
echo "ratio to cat (CPU): $(echo "scale=2; $k_c / ($cat_c + 0.0001)" | bc)x"
echo "kensa dense: $(echo "scale=1; $dense_mb / ($kd_c + 0.0001)" | bc) MB/CPU-s, ${kd_rss} MiB peak RSS" \
     "($dense_mb MiB, every line with \"\${\"; $dense_found attack lines of $(cat "$DIR/dense.attacks") payloads)"
echo "kensa dense, text findings (--quiet): $(echo "scale=1; $dense_mb / ($kdq_c + 0.0001)" | bc) MB/CPU-s"
echo "$engine_line"
[ "$found" -eq "$planted" ] && [ "$found_gz" -eq "$planted" ]
