#!/usr/bin/env bats
# running.bats - what is running (kensa log4j|scan --running [--pid N]):
# real JVMs started here (Debian's default-jre-headless, liblog4j2-java's
# 2.19.0 and the fixtures' fake log4j-core-2.14.1.jar on their class
# path) are reported with their pid, the copies they hold and their
# flags judged by version; a jar replaced or deleted under a running JVM
# is still found (map_files, fd) and said to need a restart.  Hostile
# processes (a fake "java" with a huge, escaped command line; one
# chrooted into a folder whose links point out of it) cannot make kensa
# read outside their root.  Skipped only when java cannot be installed.

load helpers

setup_file() {
    make_fixtures
    W="$BATS_FILE_TMPDIR/run"
    export W
    mkdir -p "$W/app" "$W/classes"
    if ! command -v javac >/dev/null && [ "$(id -u)" -eq 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends default-jdk-headless liblog4j2-java \
            >/dev/null 2>&1 || true
    fi
    printf '%s\n' 'public class Sleep { public static void main(String[] a)' \
        ' throws Exception { Thread.sleep(600000); } }' > "$W/Sleep.java"
    if command -v javac >/dev/null; then
        javac -d "$W/classes" "$W/Sleep.java" 2>/dev/null || true
    fi
    cp "$FX/plain/log4j-core-2.14.1.jar" "$W/app/"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$W/app/gone.jar"
    # a tiny static program named java: argv and environ are ours to
    # choose, and it can live in a chroot without libraries
    printf '%s\n' '#include <unistd.h>' 'int main(void){for(;;)pause();}' \
        > "$W/pause.c"
    cc -static -O -o "$W/java" "$W/pause.c" 2>/dev/null || true
}

teardown_file() {
    for f in "$W"/*.pid; do
        [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
    done
    true
}

have_java() {
    command -v java >/dev/null && [ -f "$W/classes/Sleep.class" ] ||
        skip "java/javac could not be installed (default-jdk-headless)"
}

# start_jvm NAME ARGS...: a JVM in the background; its pid in $W/NAME.pid,
# once it holds the jars of its class path open
start_jvm() {
    local name=$1
    shift
    setsid java "$@" >/dev/null 2>&1 &
    echo $! > "$W/$name.pid"
    local pid=$!
    for _ in $(seq 100); do
        ls -l /proc/$pid/fd 2>/dev/null | grep -q '\.jar' && return 0
        sleep 0.1
    done
    return 1
}

@test "running JVMs: pid, copies, command line, user, start and flags judged by version" {
    have_java
    [ -f /usr/share/java/log4j-core.jar ] || skip "liblog4j2-java is not installed"
    start_jvm flagged -Dlog4j2.formatMsgNoLookups=true -Dlog4j2.disable.jmx=true \
        -cp "$W/app/log4j-core-2.14.1.jar:/usr/share/java/log4j-core.jar:$W/classes" Sleep
    pid=$(cat "$W/flagged.pid")
    run k log4j --running --pid "$pid" --all --json
    [ "$status" -eq 1 ]
    echo "$output" | jq_any "(.process.pid == $pid and .package.version == \"2.14.1\" and
        .kensa.verdict == \"vulnerable\" and .process.name == \"java\" and
        (.process.executable | endswith(\"java\")) and
        (.process.command_line | contains(\"Sleep\")) and
        .process.user.id == \"0\" and .process.user.name == \"root\" and
        (.process.start | test(\"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$\")) and
        (.kensa.process.mitigation | index(\"-Dlog4j2.formatMsgNoLookups=true\")) and
        (.kensa.path == \"$W/app/log4j-core-2.14.1.jar\"))"
    # the flag helps 2.14.1 against CVE-2021-44228 only; jmx is no mitigation
    echo "$output" | jq_any '(.package.version == "2.14.1" and
        (.kensa.evidence | contains("formatMsgNoLookups=true: blocks lookups in messages (CVE-2021-44228) for this copy, not CVE-2021-45046")) and
        (.kensa.evidence | contains("disable.jmx=true: not a Log4Shell mitigation")) and
        (.kensa.evidence | contains("held by process")))'
    # Debian's 2.19.0 is patched: the flag is not needed there
    echo "$output" | jq_any "(.process.pid == $pid and .package.version == \"2.19.0\" and
        .kensa.verdict == \"patched\" and
        (.kensa.evidence | contains(\"not needed\")))"
    # the text report shows the pid and the flag
    run k log4j --running --pid "$pid"
    [ "$status" -eq 1 ]
    [[ "$output" == *"pid $pid"* ]]
    [[ "$output" == *"flag -Dlog4j2.formatMsgNoLookups=true"* ]]
}

@test "the flag does nothing for 2.0-2.9; LOG4J_FORMAT_MSG_NO_LOOKUPS from the environment" {
    have_java
    mkdir -p "$W/old"
    python3 - "$W/old" "$KENSA_TOP/tests/gen/mkfixtures.py" <<'EOF'
import runpy, sys
out, gen = sys.argv[1], sys.argv[2]
sys.argv = [gen, out + '/fx']
g = runpy.run_path(gen, run_name='fixtures')
with open(out + '/log4j-core-2.8.jar', 'wb') as f:
    f.write(g['core_jar']('2.8', major=51))   # Java 7 line, vulnerable
EOF
    LOG4J_FORMAT_MSG_NO_LOOKUPS=true start_jvm old -cp "$W/old/log4j-core-2.8.jar:$W/classes" Sleep
    pid=$(cat "$W/old.pid")
    run k log4j --running --pid "$pid" --json
    [ "$status" -eq 1 ]
    echo "$output" | jq_any "(.process.pid == $pid and
        (.kensa.process.mitigation | index(\"LOG4J_FORMAT_MSG_NO_LOOKUPS=true\")) and
        (.kensa.evidence | contains(\"LOG4J_FORMAT_MSG_NO_LOOKUPS=true: no effect on this copy\")))"
}

@test "a jar replaced or deleted under a running JVM: still found, restart needed" {
    have_java
    start_jvm held -cp "$W/app/gone.jar:$W/classes" Sleep
    pid=$(cat "$W/held.pid")
    # before: the file is the one on disk
    run k log4j --running --pid "$pid" --json
    [ "$status" -eq 1 ]
    echo "$output" | jq_alerts '.kensa.process.restart_needed != true'
    # replaced as --fix does it: a new file renamed over the old
    cp "$W/app/gone.jar" "$W/app/gone.new" && mv "$W/app/gone.new" "$W/app/gone.jar"
    run k log4j --running --pid "$pid" --json
    [ "$status" -eq 1 ]
    echo "$output" | jq_any "(.kensa.path == \"$W/app/gone.jar\" and
        .kensa.process.restart_needed == true and .process.pid == $pid and
        (.kensa.evidence | contains(\"restart needed\")))"
    # deleted: still read through the descriptor the JVM holds
    rm "$W/app/gone.jar"
    run k log4j --running --pid "$pid" --json
    [ "$status" -eq 1 ]
    echo "$output" | jq_alerts "(.kensa.path == \"$W/app/gone.jar\" and
        .kensa.process.restart_needed == true and .package.version == \"2.14.1\")"
}

@test "kensa scan --running: every process; the summary counts them" {
    have_java
    [ -f "$W/flagged.pid" ] || start_jvm flagged -cp "$W/app/log4j-core-2.14.1.jar:$W/classes" Sleep
    pid=$(cat "$W/flagged.pid")
    run "$KENSA" scan --running --threads 1 --color never --json
    [ "$status" -eq 1 ]
    echo "$output" | grep '^{' | jq_any "(.process.pid == $pid and .package.version == \"2.14.1\")"
    [[ "$output" =~ Processes:\ [1-9][0-9]*\ looked\ at,\ [1-9][0-9]*\ JVMs ]]
}

@test "--pid of no process: exit 2; --running needs log4j or scan" {
    run k log4j --pid 2147483646
    [ "$status" -eq 2 ]
    [[ "$output" == *"no such process: 2147483646"* ]]
    run k logs --running
    [ "$status" -eq 2 ]
    [[ "$output" == *"--running apply to kensa log4j and kensa scan"* ]]
}

@test "a hostile command line (huge, newlines, escapes) is capped and escaped" {
    [ -x "$W/java" ] || skip "no static C toolchain"
    big=$(head -c 100000 /dev/zero | tr '\0' A)
    esc=$(printf 'x\n\033[31mred\033]0;title\007')
    ( cd "$W" && exec env -i "LOG4J_FORMAT_MSG_NO_LOOKUPS=$esc" \
        setsid "$W/java" "-Dlog4j2.formatMsgNoLookups=$esc" -cp \
        "$W/app/log4j-core-2.14.1.jar:../../../../../../etc/shadow" \
        "$big" "$big" "$big" ) &
    echo $! > "$W/hostile.pid"
    pid=$!
    sleep 0.5
    run k log4j --running --pid "$pid" --json
    [ "$status" -eq 1 ]
    echo "$output" | jq_alerts "(.process.pid == $pid and
        (.process.command_line | length) <= 4096 and
        (.process.command_line | startswith(\"$W/java -Dlog4j2.formatMsgNoLookups=x\n\"))) and
        all(.kensa.process.mitigation[]; length < 256)"
    run k log4j --running --pid "$pid"
    [ "$status" -eq 1 ]
    [[ "$output" != *$'\033'* ]]
    [[ "$output" == *'\x1b[31mred'* ]]
    [[ "$output" != *shadow:* ]]
}

@test "a chrooted process: its class path resolves inside its root, links out of it are not followed" {
    [ -x "$W/java" ] || skip "no static C toolchain"
    command -v chroot >/dev/null || skip "no chroot"
    J="$W/jail"
    mkdir -p "$J/app" "$J/lib" "$W/outside"
    cp "$W/java" "$J/java"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$J/app/inside.jar"
    cp "$FX/plain/log4j-core-2.14.1.jar" "$W/outside/secret.jar"
    ln -s "$W/outside/secret.jar" "$J/app/abs.jar"
    ln -s ../../../../../../../../../../"$W/outside/secret.jar" "$J/app/rel.jar"
    ln -s "$W/outside" "$J/lib/out"
    ln -s /proc/self/root/"$W/outside/secret.jar" "$J/app/magic.jar"
    setsid chroot "$J" /java -cp \
        "/app/inside.jar:/app/abs.jar:app/rel.jar:/lib/out/secret.jar:/app/magic.jar:/lib/out/*" \
        Main &
    echo $! > "$W/jail.pid"
    pid=$!
    sleep 0.5
    run k log4j --running --pid "$pid" --json
    [ "$status" -eq 1 ]
    echo "$output" | jq_alerts "(.process.pid == $pid and
        .kensa.path == \"/proc/$pid/root/app/inside.jar\")"
    [ "$(echo "$output" | count_alerts)" -eq 1 ]
}

@test "a class path naming a FIFO or a device node: stat'ed, never opened for reading" {
    [ -x "$W/java" ] || skip "no static C toolchain"
    command -v strace >/dev/null || skip "strace not installed"
    mkfifo "$W/pipe.jar"
    # 1:3 is /dev/null (harmless); a watchdog or a tape would act on open
    [ "$(id -u)" -ne 0 ] || mknod "$W/node.jar" c 1 3
    ( cd "$W" && exec setsid "$W/java" -cp "$W/pipe.jar:$W/node.jar:$W/app/log4j-core-2.14.1.jar" Main ) &
    echo $! > "$W/devcp.pid"
    pid=$!
    sleep 0.5
    strace -f -qq -e trace=open,openat,openat2 -o "$BATS_TEST_TMPDIR/st" \
        "$KENSA" log4j --running --pid "$pid" --json --threads 1 > "$BATS_TEST_TMPDIR/out" ||
        [ $? -le 1 ] || skip "strace cannot trace here"
    # the fake log4j jar is still found on that class path
    jq -e -s 'any(.[]; .process.pid != null)' "$BATS_TEST_TMPDIR/out" >/dev/null
    opened=$(grep -E '(pipe|node)\.jar"' "$BATS_TEST_TMPDIR/st" | grep -v O_PATH || true)
    [ -z "$opened" ] || { echo "opened: $opened"; false; }
    grep -q 'pipe\.jar.*O_PATH' "$BATS_TEST_TMPDIR/st"
}
