#!/usr/bin/env bats
# harden.bats - what an attacker who owns a parser bug finds: a binary
# built hardened (read back with readelf), and a process that, once the
# command line is read, can no longer run programs, open network sockets,
# trace, read beyond its roots or write beyond its spill folder.

load helpers

# True when $KENSA is the AddressSanitizer build (make asan).
asan_build() {
    readelf -dW "$KENSA" | grep -q 'NEEDED.*libasan' ||
        readelf --dyn-syms -W "$KENSA" | grep -q '__asan_init'
}

@test "hardened build: PIE, full RELRO, BIND_NOW, canaries, fortified calls, no executable stack" {
    run readelf -hW "$KENSA"
    [[ "$output" == *"Type:"*"DYN"* ]] || { echo "not PIE"; false; }
    run readelf -lW "$KENSA"
    [[ "$output" == *"GNU_RELRO"* ]] || { echo "no GNU_RELRO segment"; false; }
    stack=$(echo "$output" | awk '$1 == "GNU_STACK" { print $(NF-1) }')
    [ "$stack" = "RW" ] || { echo "GNU_STACK is '$stack', not RW"; false; }
    run readelf -dW "$KENSA"
    echo "$output" | grep -qE '\(FLAGS\).*BIND_NOW|\(FLAGS_1\).*NOW' ||
        { echo "no BIND_NOW: RELRO is partial"; false; }
    run readelf --dyn-syms -W "$KENSA"
    [[ "$output" == *" __stack_chk_fail"* ]] || { echo "no stack protector"; false; }
    if asan_build; then
        skip "ASan build: _FORTIFY_SOURCE is left out where the sanitizer intercepts the same calls"
    fi
    echo "$output" | grep -qE ' __[a-z0-9_]+_chk(@|$)' || { echo "no fortified import"; false; }
}
