#!/bin/sh
# stubcheck.sh [BUILD_DIR] [BATS_FILE...] - tests that cannot fail.
#
# Runs the bats CLI tests with KENSA pointing at two broken binaries, one
# that exits 0 and prints nothing, one that dies of SIGSEGV, and lists
# every test that still passes against either.  A test on that list
# proves nothing about kensa; mend it (assert the exit status and the
# expected finding or output, not only the absence of something).
# Tests that skip (no root, no strace...) are not listed.
#
# Not part of `tests/run.sh`: it runs the CLI suite twice more (a minute
# or so).  Exit status 0 when no test passes against a stub, 1 otherwise.
set -u
BUILD=${1:-build}
[ $# -gt 0 ] && shift
TOP=$(cd "$(dirname "$0")/.." && pwd)
case $BUILD in /*) ;; *) BUILD="$TOP/$BUILD" ;; esac
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

printf '#!/bin/sh\nexit 0\n' >"$TMP/exit0"
printf '#!/bin/sh\nkill -SEGV $$\n' >"$TMP/segv"
chmod +x "$TMP/exit0" "$TMP/segv"

if [ $# -gt 0 ]; then
    files="$*"
else
    files=$(ls "$TOP"/tests/cli/*.bats)
fi

# The helpers and fixtures still come from the real build and tree.
export KENSA_BUILD="$BUILD" KENSA_TOP="$TOP"
export KENSA_CORPUS="${KENSA_CORPUS:-$TOP/../shared/corpus}"

bad=0
for stub in exit0 segv; do
    echo "== stub: $stub"
    for t in $files; do
        KENSA="$TMP/$stub" timeout 600 bats --tap "$t" >"$TMP/out" 2>&1
        # "ok N name" without a skip directive: the test passed.
        grep -E '^ok ' "$TMP/out" | grep -vE '# (skip|SKIP)' |
            sed -E "s/^ok [0-9]+ /  $(basename "$t"): /" >"$TMP/pass"
        if [ -s "$TMP/pass" ]; then
            cat "$TMP/pass"
            bad=$((bad + $(wc -l <"$TMP/pass")))
        fi
    done
done
echo
echo "$bad test(s) pass against a stub"
[ "$bad" -eq 0 ]
