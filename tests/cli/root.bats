#!/usr/bin/env bats
# root.bats - a scan root that stands for another system (--root DIR):
# kensa identifies the system from files strictly inside DIR (an absolute
# link of the image resolves in the image, a link out of it is never
# read), scans DIR or folders inside it, and says what it found through
# `kensa system`.  The fake roots are built here, in a temporary folder.

load helpers

setup_file() {
    make_fixtures
    R="$BATS_FILE_TMPDIR/roots"
    export R
    # Linux: etc/os-release -> /usr/lib/os-release, absolute, as on
    # Debian; the image's file differs from any host's
    mkdir -p "$R/linux/etc" "$R/linux/usr/lib" "$R/linux/opt/app"
    printf '%s\n' '# written by root.bats' 'NAME="Kensa Test Linux"' \
        'ID=kensatest' 'VERSION_ID="42.7"' \
        'PRETTY_NAME="Kensa Test Linux 42.7 (image)"' \
        > "$R/linux/usr/lib/os-release"
    ln -s /usr/lib/os-release "$R/linux/etc/os-release"
    printf '# comment\n  imagehost  \n' > "$R/linux/etc/hostname"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$R/linux/opt/app/"

    # links out of the image: never read
    mkdir -p "$R/escape/etc" "$R/escape2/etc"
    ln -s ../../../../../../../../etc/passwd "$R/escape/etc/os-release"
    ln -s /etc/shadow "$R/escape/etc/hostname"
    ln -s ../../../../../../../../etc "$R/escape2/etc/x"
    ln -s x/os-release "$R/escape2/etc/os-release"
    # a host folder with a jar, and links to it from an image
    mkdir -p "$R/host/lib" "$R/linked/opt"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$R/host/lib/"
    ln -s "$R/host/lib" "$R/linked/opt/abs"
    ln -s ../../../../../../../../../../../../"$R/host/lib" "$R/linked/opt/rel"
    mkdir -p "$R/linked/srv/lib"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$R/linked/srv/lib/"
    ln -s /srv/lib "$R/linked/opt/inimg"

    # Windows, names in another case than Windows writes them
    mkdir -p "$R/windows/wINDOWS/sYSTEM32/CONFIG"
    printf 'regf' > "$R/windows/wINDOWS/sYSTEM32/CONFIG/software"

    # macOS, an XML property list
    mkdir -p "$R/macos/System/Library/CoreServices"
    cat > "$R/macos/System/Library/CoreServices/SystemVersion.plist" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>ProductBuildVersion</key>
	<string>23C64</string>
	<key>ProductName</key>
	<string>macOS</string>
	<key>ProductVersion</key>
	<string>14.2</string>
</dict>
</plist>
EOF
    mkdir -p "$R/bmacos/System/Library/CoreServices"
    printf 'bplist00\xd1\x01\x02' \
        > "$R/bmacos/System/Library/CoreServices/SystemVersion.plist"

    # hostile values: a control character, quotes, an over-long name
    mkdir -p "$R/hostile/etc"
    { printf 'ID="evil\033[31m\\"q"\n'
      printf 'NAME=%s\n' "$(head -c 5000 /dev/zero | tr '\0' A)"
      printf 'VERSION_ID=1'; } > "$R/hostile/etc/os-release"
    mkfifo "$R/hostile/etc/hostname"
}

@test "kensa system without --root names this host" {
    run "$KENSA" system
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" == "root: / (this host)" ]]
    [[ "$output" == *"hostname: $(hostname)"* ]]
    run "$KENSA" system --json
    [ "$status" -eq 0 ]
    echo "$output" | jqe '.kensa.root == null and .host.os.type == "linux"'
}

@test "a Linux image: the absolute os-release link is read inside the image" {
    run "$KENSA" system --root "$R/linux"
    [ "$status" -eq 0 ]
    [[ "$output" == *"os: linux kensatest 42.7"* ]]
    [[ "$output" == *"full: Kensa Test Linux 42.7 (image)"* ]]
    [[ "$output" == *"hostname: imagehost"* ]]
    run "$KENSA" system --root "$R/linux/" --json
    echo "$output" | jqe '.kensa.root == "'"$R/linux"'"
        and .host.os == {"type":"linux","platform":"kensatest",
                         "name":"Kensa Test Linux","version":"42.7",
                         "full":"Kensa Test Linux 42.7 (image)"}
        and .host.hostname == "imagehost"'
}

@test "links out of the image are never read" {
    run "$KENSA" system --root "$R/escape" --json
    [ "$status" -eq 0 ]
    [[ "$output" != *root:x:0* ]]
    # the image is named, and nothing read through its links
    echo "$output" | jqe --arg r "$R/escape" '.kensa.root == $r and
        .host.os.type == null and .host.hostname == null'
    run "$KENSA" system --root "$R/escape2" --json
    [ "$status" -eq 0 ]
    echo "$output" | jqe --arg r "$R/escape2" '.kensa.root == $r and
        .host.os.type == null'
}

@test "a Windows image is recognised whatever the case of its names" {
    run "$KENSA" system --root "$R/windows"
    [ "$status" -eq 0 ]
    [[ "$output" == *"os: windows"* ]]
    run "$KENSA" system --root "$R/windows" --json
    echo "$output" | jqe '.host.os.type == "windows" and .host.os.version == null'
}

@test "a macOS image: SystemVersion.plist, XML or binary" {
    run "$KENSA" system --root "$R/macos" --json
    [ "$status" -eq 0 ]
    echo "$output" | jqe '.host.os.type == "macos" and .host.os.name == "macOS"
                            and .host.os.version == "14.2"'
    run "$KENSA" system --root "$R/macos"
    [[ "$output" == *"os: macos 14.2"* ]]
    run "$KENSA" system --root "$R/bmacos" --json
    echo "$output" | jqe '.host.os.type == "macos" and .host.os.name == null'
}

@test "hostile values are escaped and cut; a FIFO is not opened for reading" {
    run timeout 10 "$KENSA" system --root "$R/hostile"
    [ "$status" -eq 0 ]
    [[ "$output" != *$'\033'* ]]
    [[ "$output" == *'evil\x1b[31m"q'* ]]
    run timeout 10 "$KENSA" system --root "$R/hostile" --json
    [ "$status" -eq 0 ]
    echo "$output" | jqe '.host.os.platform == "evil\u001b[31m\"q"
        and (.host.os.name | length) == 127 and .host.os.version == "1"
        and .host.hostname == null'
}

@test "an unknown or missing root" {
    run "$KENSA" system --root "$BATS_TEST_TMPDIR"
    [ "$status" -eq 0 ]
    [[ "$output" == *"os: unknown"* ]]
    run "$KENSA" system --root "$R/nonexistent"
    [ "$status" -eq 2 ]
    [[ "$output" == *"--root"* ]]
    run "$KENSA" system --root "$R/linux/etc/hostname"
    [ "$status" -eq 2 ]
    run "$KENSA" system extra
    [ "$status" -eq 2 ]
}

@test "scan --root: the whole root, or folders inside it" {
    run k log4j --json --root "$R/linux"
    [ "$status" -eq 1 ]
    echo "$output" | jq_alerts '.file.path == "'"$R/linux/opt/app/log4j-core-2.14.1.jar"'"'
    run k log4j --json --root "$R/linux" /opt/app
    [ "$status" -eq 1 ]
    run k log4j --json --root "$R/linux" opt/../../../opt
    [ "$status" -eq 1 ]
    run k scan --json --root "$R/linux" /usr
    [ "$status" -eq 0 ]
    run k logs --root "$R/linux" /etc
    [ "$status" -eq 0 ]
}

@test "records name the imaged system: host.* from the image, the path as it sees it" {
    run k log4j --json --root "$R/linux"
    [ "$status" -eq 1 ]
    echo "$output" | jq_alerts '.host.os.platform == "kensatest" and
        .host.os.version == "42.7" and .host.hostname == "imagehost" and
        .kensa.system.root == "'"$R/linux"'" and
        .kensa.system.path == "/opt/app/log4j-core-2.14.1.jar"'
    # without --root: this host, and no system path
    run k log4j --json "$R/linux/opt/app"
    [ "$status" -eq 1 ]
    echo "$output" | jq_alerts '.host.hostname == "'"$(hostname)"'" and
        .kensa.system == null'
}

@test "scan --root: links inside the image resolve inside it" {
    # without --root the roots are followed (find -H): the host's jar
    run k log4j --json "$R/linked/opt/abs"
    [ "$status" -eq 1 ]
    for p in /opt/abs /opt/rel /opt/abs/log4j-core-2.14.1.jar; do
        run k log4j --json --root "$R/linked" "$p"
        [ "$status" -eq 2 ]   # not found inside the image
        [ "$(echo "$output" | count_alerts)" -eq 0 ]
    done
    # followed, they point where the image has nothing: warnings only
    run k log4j --json --root "$R/linked" --follow-symlinks /opt/abs /opt/rel
    [ "$status" -eq 2 ]
    [ "$(echo "$output" | count_alerts)" -eq 0 ]
    # and an absolute link to the image's own folder leads there
    run k log4j --json --root "$R/linked" --follow-symlinks /opt
    [ "$status" -eq 1 ]
    echo "$output" | jq_alerts '.file.path == "'"$R/linked/opt/inimg/log4j-core-2.14.1.jar"'"'
    run k log4j --json --root "$R/linked" /opt/inimg
    [ "$status" -eq 1 ]
}

@test "--fix with --root says nothing outside the root changes" {
    img="$BATS_TEST_TMPDIR/img"
    mkdir -p "$img/srv"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$img/srv/"
    run k log4j --fix --backup-dir "$BATS_TEST_TMPDIR/bk" --root "$img"
    [[ "$output" == *"--root $img: only files of that system are fixed"* ]]
    [[ "$output" == *"fixed $img/srv/log4j-core-2.14.1.jar"* ]]
    run k log4j --json --root "$img"
    echo "$output" | jq_alerts '.kensa.verdict == "mitigated"'
}
