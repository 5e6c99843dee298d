#!/usr/bin/env bats
# registry.bats - a new detector is one file plus one registry line, and so
# is a new format (docs/DESIGN.md, "Registries").  The source tree is copied
# to a temporary folder, the toy detector and format of tests/toy/ are added
# as lib/detect/toy.c and lib/formats/toyfmt.c, and the copy is built for
# real (meson setup, ninja) twice: once with the two files alone, once more
# after one line was appended to each registry.def, with nothing else
# touched (git counts the change).  The second ninja must reconfigure on its
# own, and the binary must report the toy detector's finding on a member of
# a toy container, at path file!/member.  One build of the library: about a
# minute on two cores.

load helpers

setup_file() {
    export R="$BATS_FILE_TMPDIR/reg" SRC="$BATS_FILE_TMPDIR/reg/src"
    for tool in git meson ninja tar; do
        command -v "$tool" >/dev/null || return 0   # the tests skip
    done
    mkdir -p "$SRC"
    # what git knows of the tree (tracked, or new and not ignored), as it
    # is in the working folder; a tree without git is copied whole, build
    # folders left out
    if git -C "$KENSA_TOP" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        (cd "$KENSA_TOP" &&
         git ls-files -z --cached --others --exclude-standard |
         while IFS= read -r -d '' f; do
             [ -f "$f" ] && printf '%s\0' "$f"
         done | tar --null -T - -cf -) | tar -C "$SRC" -xf -
    else
        tar -C "$KENSA_TOP" --exclude='./build*' --exclude=./.git -cf - . |
            tar -C "$SRC" -xf -
    fi
    G() { git -C "$SRC" -c user.name=kensa -c user.email=kensa@invalid \
              -c commit.gpgsign=false "$@"; }
    G init -q
    G add -A
    G commit -q --no-verify -m base

    # the two new files, not yet in the registries: not built
    cp "$KENSA_TOP/tests/toy/toy_detector.c" "$SRC/lib/detect/toy.c"
    cp "$KENSA_TOP/tests/toy/toy_format.c" "$SRC/lib/formats/toyfmt.c"
    meson setup "$R/build" "$SRC" --buildtype=plain -Dwerror=true -Dtests=disabled \
        >"$R/setup.log" 2>&1 || return 0
    ninja -C "$R/build" kensa >"$R/ninja1.log" 2>&1 || return 0
    cp "$R/build/kensa" "$R/kensa-before"

    # the one line each
    echo 'DETECTOR(toy)' >>"$SRC/lib/detect/registry.def"
    echo 'FORMAT(toyfmt)' >>"$SRC/lib/formats/registry.def"
    G add -A
    G diff --cached --name-status >"$R/name-status"
    G diff --cached --numstat >"$R/numstat"
    # no meson setup: the build must notice the registries changed
    ninja -C "$R/build" kensa >"$R/ninja2.log" 2>&1 || return 0

    # a toy container holding one member, "member", that starts KENSA-TOY
    python3 - "$R/sample.toyc" <<'PY'
import struct, sys
data = b'KENSA-TOY: a member of a toy container\n'
name = b'member'
with open(sys.argv[1], 'wb') as f:
    f.write(b'TOYC' + bytes([len(name)]) + name + struct.pack('<I', len(data)) + data)
PY
}

built() {
    command -v meson >/dev/null && command -v ninja >/dev/null &&
        command -v git >/dev/null || skip "needs git, meson and ninja"
    [ -x "$R/build/kensa" ] && grep -q . "$R/numstat" 2>/dev/null || {
        cat "$R"/*.log >&2 2>/dev/null
        false
    }
}

@test "registry: a new file alone is not built" {
    built
    grep -q "lib_detect_log4j.c.o" "$R/ninja1.log"
    ! grep -q "lib_detect_toy.c.o\|lib_formats_toyfmt.c.o" "$R/ninja1.log"
    run "$R/kensa-before" scan --json --threads 1 --no-summary "$R/sample.toyc"
    [ "$status" -eq 0 ]
    echo "$output" | only_run_record
}

@test "registry: a detector and a format are two new files and two lines" {
    built
    cat "$R/name-status"
    [ "$(sort "$R/name-status" | tr '\t' ' ')" = "$(printf '%s\n' \
        'A lib/detect/toy.c' 'A lib/formats/toyfmt.c' \
        'M lib/detect/registry.def' 'M lib/formats/registry.def' | sort)" ]
    # each registry: one line added, none removed
    [ "$(grep -c "registry.def" "$R/numstat")" -eq 2 ]
    awk '/registry.def$/ { if ($1 != 1 || $2 != 0) exit 1 }' "$R/numstat"
    # only the engine's internal API
    run grep -h '#include' "$SRC/lib/detect/toy.c" "$SRC/lib/formats/toyfmt.c"
    [ "$(printf '%s\n' "$output" | grep -v '#include <' | sort -u)" = \
      '#include "core/engine.h"' ]
}

@test "registry: ninja reconfigures from the registries and builds the new files" {
    built
    grep -q "Regenerating build files" "$R/ninja2.log"
    grep -q "lib_detect_toy.c.o" "$R/ninja2.log"
    grep -q "lib_formats_toyfmt.c.o" "$R/ninja2.log"
    ! grep -q "FAILED" "$R/ninja2.log"
}

@test "registry: the toy format's member reaches the toy detector as file!/member" {
    built
    run "$R/build/kensa" scan --json --threads 1 --no-summary "$R/sample.toyc"
    echo "$output"
    [ "$status" -eq 1 ]
    [ "$(printf '%s\n' "$output" | jq -r 'select(.event.kind!="event" and
          .kensa.path != "(scan)") |
          "\(.kensa.detector) \(.kensa.threat) \(.kensa.path)"')" = \
      "toy toy $R/sample.toyc!/member" ]
    # the text report names the unknown threat by its id
    run "$R/build/kensa" scan --threads 1 --color never --no-summary "$R/sample.toyc"
    [ "$status" -eq 1 ]
    [[ "$output" == *"== toy (2) =="* ]]
    [[ "$output" == *"sample.toyc!/member"* ]]
}

@test "registry: the lifecycle hooks run: init, per-thread state, post-order on_end, on_scan_end once" {
    built
    run "$R/build/kensa" scan --json --threads 1 --no-summary "$R/sample.toyc"
    [ "$status" -eq 1 ]
    [ "$(printf '%s\n' "$output" | jq -r 'select(.kensa.path == "(scan)") | .message')" = \
      "toy lifecycle: 2 objects ended, members before their container, 1 thread state" ]
}

@test "registry: a whole detector sees members that would be streamed (zip text member, gzip, tar)" {
    built
    python3 - "$R" <<'PY'
import gzip, io, sys, tarfile, zipfile
r = sys.argv[1]
body = b'KENSA-TOY: plain text, no container\n' + b'x' * 100000
with zipfile.ZipFile(r + '/t.zip', 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('note.txt', body)
with gzip.open(r + '/t.txt.gz', 'wb') as g:
    g.write(body)
with tarfile.open(r + '/t.tar.gz', 'w:gz') as t:
    i = tarfile.TarInfo('inner.txt'); i.size = len(body)
    t.addfile(i, io.BytesIO(body))
PY
    run "$R/build/kensa" scan --json --threads 1 --no-summary "$R/t.zip" \
        "$R/t.txt.gz" "$R/t.tar.gz"
    [ "$status" -eq 1 ]
    paths=$(printf '%s\n' "$output" | jq -r 'select(.kensa.detector == "toy" and
        .kensa.path != "(scan)") | .kensa.path' | sort)
    echo "$paths"
    [ "$(echo "$paths" | grep -c .)" -eq 3 ]
    echo "$paths" | grep -qx "$R/t.zip!/note.txt"
    echo "$paths" | grep -q "^$R/t.txt.gz!/"
    echo "$paths" | grep -q "^$R/t.tar.gz!/.*inner.txt$"
}

@test "registry: a detector without a bit stays off when named ones are chosen" {
    built
    run "$R/build/kensa" log4j --json --threads 1 --no-summary "$R/sample.toyc"
    [ "$status" -eq 0 ]
    echo "$output" | only_run_record
}
