#!/bin/sh
# run.sh BUILD_DIR - the whole test suite: cmocka unit tests, bats CLI
# tests, the shared-corpus checks, kensa milter before a real Postfix
# (tests/milter), the out-of-memory fault injection and
# the fuzz-corpus replays.  Every
# runner speaks TAP here; this script counts the results and ends with
# the line CI reads: "N passed, N failed, N skipped".
set -u
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
case $BUILD in /*) ;; *) BUILD="$TOP/$BUILD" ;; esac
export KENSA="$BUILD/kensa" KENSA_BUILD="$BUILD" KENSA_TOP="$TOP"
export KENSA_CORPUS="${KENSA_CORPUS:-$TOP/../shared/corpus}"
LOG=$(mktemp -d)
trap 'rm -rf "$LOG"' EXIT
pass=0 fail=0 skip=0

# count FILE: tally TAP lines; a runner that died without a "not ok"
# counts as one failure.
count() {
    p=$(grep -cE '^ok ' "$1" | head -1); p=${p:-0}
    s=$(grep -cE '^ok .*# (skip|SKIP)' "$1" | head -1); s=${s:-0}
    f=$(grep -cE '^not ok ' "$1" | head -1); f=${f:-0}
    if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    pass=$((pass + p - s)); skip=$((skip + s)); fail=$((fail + f))
    grep -E '^(not ok|ok .*# (skip|SKIP))' "$1" | sed 's/^/  /'
}

echo "== unit tests"
for t in "$BUILD"/tests/unit/test_*; do
    [ -f "$t" ] && [ -x "$t" ] || continue
    CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$LOG/unit" 2>&1
    rc=$?
    echo "  $(basename "$t"): $(grep -cE '^ok ' "$LOG/unit") ok"
    count "$LOG/unit" $rc
    [ $rc -eq 0 ] || cat "$LOG/unit"
done

echo "== CLI tests (bats)"
for t in "$TOP"/tests/cli/*.bats; do
    bats --tap "$t" >"$LOG/cli" 2>&1
    rc=$?
    echo "  $(basename "$t"): $(grep -cE '^ok ' "$LOG/cli") ok"
    count "$LOG/cli" $rc
    [ $rc -eq 0 ] || grep -vE '^ok ' "$LOG/cli" | head -60
done

echo "== shared corpus"
for t in "$TOP"/tests/corpus/*.py; do
    python3 "$t" >"$LOG/corpus" 2>&1
    rc=$?
    echo "  $(basename "$t"): $(grep -cE '^ok ' "$LOG/corpus") ok"
    count "$LOG/corpus" $rc
    [ $rc -eq 0 ] || grep -vE '^ok ' "$LOG/corpus" | head -60
done

echo "== milter in front of a real Postfix"
for t in "$TOP"/tests/milter/test_*.py; do
    [ -f "$t" ] || continue
    timeout 900 python3 "$t" >"$LOG/milter" 2>&1
    rc=$?
    echo "  $(basename "$t"): $(grep -cE '^ok ' "$LOG/milter") ok"
    count "$LOG/milter" $rc
    [ $rc -eq 0 ] || grep -vE '^ok ' "$LOG/milter" | head -80
done

echo "== out-of-memory fault injection"
python3 "$TOP/tests/faults/run.py" >"$LOG/faults" 2>&1
rc=$?
echo "  run.py: $(grep -cE '^ok ' "$LOG/faults") ok"
count "$LOG/faults" $rc
grep -E '^ok ' "$LOG/faults" | sed 's/^/  /'
[ $rc -eq 0 ] || grep -vE '^ok ' "$LOG/faults" | head -60

echo "== fuzz corpus replay"
for r in "$BUILD"/fuzz/replay_*; do
    [ -f "$r" ] && [ -x "$r" ] || continue
    name=${r##*/replay_}
    dir="$TOP/fuzz/corpus/$name"
    [ -d "$dir" ] || { echo "ok - replay $name # skip no corpus" >"$LOG/rep"; count "$LOG/rep" 0; continue; }
    # libregf's own leak on malformed hives (fuzz/lsan-libregf.supp)
    # under `make asan`; harmless elsewhere
    if ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0" \
       LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$TOP/fuzz/lsan-libregf.supp" \
       "$r" "$dir" >"$LOG/rep.out" 2>&1; then
        echo "ok - replay $name ($(tail -1 "$LOG/rep.out"))" >"$LOG/rep"
        count "$LOG/rep" 0
    else
        echo "not ok - replay $name" >"$LOG/rep"
        count "$LOG/rep" 1
        tail -30 "$LOG/rep.out"
    fi
    echo "  replay_$name: $(tail -1 "$LOG/rep.out")"
done

echo
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
