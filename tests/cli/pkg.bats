#!/usr/bin/env bats
# pkg.bats - the two ways to install kensa elsewhere (README, "Install"):
# `make static` builds one binary with nothing dynamic in it, which runs
# with an empty environment and finds a vulnerable jar; `make deb` builds
# a Debian package with debhelper, which this test installs with dpkg
# (as root), runs from /usr/bin, finds through man(1), and removes.
# Both builds go to the tree's build-static/, build-deb/ and dist/, as
# `make test` builds into build/.  Skipped only when the static archives
# or debhelper are missing (scripts/install-deps.sh installs them) or, for
# the package, when not root or when a kensa package is already installed
# (the test would remove it).

load helpers

setup_file() {
    make_fixtures
    VERSION=$(sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" "$KENSA_TOP/meson.build" | head -1)
    export VERSION
    export STATIC="$KENSA_TOP/dist/kensa-$VERSION-linux-$(uname -m)-static"
}

# Whatever happened in the package test, the package it installed goes.
teardown() {
    if [ -e "$BATS_TEST_TMPDIR/installed" ]; then
        dpkg -r kensa >/dev/null 2>&1 || true
    fi
}

# static_libs_missing: the static archives `pkg-config --static` asks for
# that the compiler cannot find, empty when all are there.
static_libs_missing() {
    local l miss=""
    for l in $(pkg-config --static --libs-only-l zlib libdeflate libarchive \
                 libcrypto libseccomp jansson yara libmagic 2>/dev/null || echo -lMISSING-pkg-config); do
        l=${l#-l}
        case $l in pthread|dl|m|rt|c) continue ;; esac
        [ -f "$(cc -print-file-name="lib$l.a")" ] || miss="$miss lib$l.a"
    done
    [ -f "$(cc -print-file-name=libc.a)" ] || miss="$miss libc.a"
    echo "$miss"
}

@test "make static: one binary with no loader and no shared library" {
    local miss
    miss=$(static_libs_missing)
    [ -z "$miss" ] || skip "static archives missing:$miss (scripts/install-deps.sh)"
    run make -C "$KENSA_TOP" static
    [ "$status" -eq 0 ] || { echo "$output" | tail -30; false; }
    [ -x "$STATIC" ]
    run file "$STATIC"
    echo "$output"
    [[ $output == *"static-pie linked"* || $output == *"statically linked"* ]]
    [[ $output == *"x86-64"* || $(uname -m) != x86_64 ]]
    # glibc's ldd says "not a dynamic executable" for -static and
    # "statically linked" for -static-pie (what make static makes).
    run ldd "$STATIC"
    echo "$output"
    [[ $output == *"not a dynamic executable"* || $output == *"statically linked"* ]]
    [[ $output != *"=>"* ]]
    run readelf -d "$STATIC"
    [[ $output != *NEEDED* ]]
    run readelf -l "$STATIC"
    [[ $output != *"program interpreter"* ]]
}

@test "the static binary, with an empty environment, finds a vulnerable jar" {
    [ -x "$STATIC" ] || skip "no static build (see the test before)"
    run env -i "$STATIC" --version
    [ "$status" -eq 0 ]
    [[ $output == *"$VERSION"* ]]
    run env -i "$STATIC" log4j --json --threads 1 --no-summary \
        "$FX/plain/log4j-core-2.14.1.jar"
    echo "$output"
    [ "$status" -eq 1 ]
    [ "$(echo "$output" | alerts)" = "vulnerable 2.14.1" ]
    # Nested archives and a compressed tarball: libarchive's static
    # filters (gzip, xz) are in the binary.
    run env -i "$STATIC" scan --json --threads 1 --no-summary "$FX/nested"
    [ "$status" -eq 1 ]
    echo "$output" | jq_any '.kensa.path | endswith("image.tar.xz!/opt/app/lib/log4j-core-2.14.1.jar")'
    echo "$output" | jq_any '.kensa.path | endswith("app.ear!/app.war!/WEB-INF/lib/app.jar!/BOOT-INF/lib/log4j-core-2.14.1.jar")'
}

# A root with nothing in it but the binary: no loader, no libc.so, no
# locale files, no NSS modules.  glibc 2.34+ has NSS "files" and "dns"
# inside libc.a, so /etc/hosts still resolves; an unresolvable --syslog
# host is an error the user can act on (exit 2), not a crash.
@test "the static binary runs in an empty chroot: findings, Japanese, /etc/hosts, a clean resolver failure" {
    [ -x "$STATIC" ] || skip "no static build (see the test before)"
    [ "$(id -u)" -eq 0 ] || skip "chroot needs root"
    local r="$BATS_TEST_TMPDIR/root" ch
    ch=$(command -v chroot || echo /usr/sbin/chroot)
    mkdir -p "$r/etc"
    cp "$STATIC" "$r/kensa"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$r/"
    run env -i "$ch" "$r" /kensa log4j --json --threads 1 --no-summary /log4j-core-2.14.1.jar
    [ "$status" -eq 1 ]
    [ "$(echo "$output" | alerts)" = "vulnerable 2.14.1" ]
    run env -i LANG=ja_JP.UTF-8 "$ch" "$r" /kensa log4j --threads 1 --no-summary \
        --color never /log4j-core-2.14.1.jar
    [ "$status" -eq 1 ]
    [[ $output == *"脆弱性"* ]]
    printf '127.0.0.1 localhost\n' >"$r/etc/hosts"
    printf 'hosts: files\n' >"$r/etc/nsswitch.conf"
    run env -i "$ch" "$r" /kensa log4j --threads 1 --no-summary \
        --syslog udp://localhost:9 /log4j-core-2.14.1.jar
    [ "$status" -eq 1 ]
    run env -i "$ch" "$r" /kensa log4j --threads 1 --no-summary \
        --syslog udp://no-such-host.invalid:9 /log4j-core-2.14.1.jar
    echo "$output"
    [ "$status" -eq 2 ]
    [[ $output == *"no-such-host.invalid"* ]]
}

@test "debian/changelog and meson.build carry the same version" {
    local deb
    deb=$(sed -n '1s/^kensa (\([^)]*\)).*/\1/p' "$KENSA_TOP/debian/changelog")
    [ "${deb%-*}" = "$VERSION" ] || { echo "changelog $deb, meson.build $VERSION"; false; }
}

@test "make deb: installed with dpkg, kensa runs, man finds its page, dpkg -r removes it" {
    command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null ||
        skip "dpkg-dev or debhelper is not installed (scripts/install-deps.sh)"
    [ "$(id -u)" -eq 0 ] || skip "installing a package needs root"
    run make -C "$KENSA_TOP" deb
    [ "$status" -eq 0 ] || { echo "$output" | tail -40; false; }
    local deb="$KENSA_TOP/dist/kensa_${VERSION}_$(dpkg --print-architecture).deb"
    [ -f "$deb" ]
    run dpkg-deb -c "$deb"
    [[ $output == *" ./usr/bin/kensa"* ]]
    [[ $output == *" ./usr/share/man/man1/kensa.1.gz"* ]]
    [[ $output == *" ./usr/share/bash-completion/completions/kensa"* ]]
    [[ $output == *" ./usr/share/zsh/vendor-completions/_kensa"* ]]

    # One package test at a time on this host (dpkg does not wait for
    # its lock), and never over a kensa someone installed.
    exec 9>/tmp/kensa-pkg-bats.lock
    flock -w 300 9
    if dpkg-query -W -f='${Status}' kensa 2>/dev/null | grep -q "ok installed"; then
        flock -u 9
        skip "a kensa package is already installed; not replacing it"
    fi
    touch "$BATS_TEST_TMPDIR/installed"
    run dpkg -i "$deb"
    local inst=$status
    echo "$output"
    local out vs mw ver
    vs=0
    out=$(/usr/bin/kensa log4j --json --threads 1 --no-summary \
          "$FX/plain/log4j-core-2.14.1.jar") || vs=$?
    mw=$(man -w kensa 2>&1) || true
    ver=$(/usr/bin/kensa --version 2>&1) || true
    run dpkg -r kensa
    local rm=$status
    echo "$output"
    [ "$rm" -ne 0 ] || rm -f "$BATS_TEST_TMPDIR/installed"
    flock -u 9
    [ "$inst" -eq 0 ]
    echo "version: $ver"; echo "man -w: $mw"
    [[ $ver == *"$VERSION"* ]]
    [ "$mw" = /usr/share/man/man1/kensa.1.gz ]
    [ "$vs" -eq 1 ]
    [ "$(echo "$out" | alerts)" = "vulnerable 2.14.1" ]
    [ "$rm" -eq 0 ]
    [ ! -e /usr/bin/kensa ]
}
