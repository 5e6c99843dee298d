#!/bin/sh
# fuzz-all.sh BUILD SECONDS - run every libFuzzer harness for SECONDS,
# starting from (and adding to a copy of) its committed corpus.  Fails if
# any harness finds a crash, leak or hang.
set -eu
BUILD=$1
SECS=${2:-30}
TOP=$(cd "$(dirname "$0")/.." && pwd)
rc=0
# A request for more than ASan's hard maximum (1 TiB) - libarchive sizes
# some buffers from 64-bit header fields - comes back NULL, as malloc
# does outside the sanitizer, and the caller must cope (our own code's
# NULL paths are exercised by tests/faults); an allocation that succeeds
# past -rss_limit_mb still fails the run (libFuzzer's malloc limit).
ASAN_OPTIONS="allocator_may_return_null=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export ASAN_OPTIONS
# libregf's own leak on malformed hives, inside the library
# (fuzz/lsan-libregf.supp; docs/DESIGN.md, "Persistence")
LSAN_OPTIONS="suppressions=$TOP/fuzz/lsan-libregf.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS
for f in "$BUILD"/fuzz/fuzz_*; do
    [ -f "$f" ] && [ -x "$f" ] || continue
    name=${f##*/fuzz_}
    work=$(mktemp -d)
    [ -d "$TOP/fuzz/corpus/$name" ] && cp -r "$TOP/fuzz/corpus/$name/." "$work/"
    dict=""
    [ -f "$TOP/fuzz/$name.dict" ] && dict="-dict=$TOP/fuzz/$name.dict"
    echo "fuzz_$name: ${SECS}s"
    if ! "$f" $dict -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
            -max_len=262144 -artifact_prefix="$BUILD/crash-$name-" \
            -print_final_stats=1 "$work" >"$BUILD/fuzz-$name.log" 2>&1; then
        echo "fuzz_$name FAILED:"; grep -A60 -m1 "ERROR\|==ABORTING\|SUMMARY\|out-of-memory\|Timeout" "$BUILD/fuzz-$name.log" | head -80; tail -12 "$BUILD/fuzz-$name.log"; rc=1
    else
        grep -E 'stat::number_of_executed_units|cov:' "$BUILD/fuzz-$name.log" | tail -2
    fi
    rm -rf "$work"
done
exit $rc
