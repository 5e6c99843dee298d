# helpers.bash - for tests/cli/attack.bats: an unprivileged attacker, a
# root-owned stand-in victim, and deterministic races through the swap
# hook (swaphook.so + swapper.py).
#
# Each test gets its own folder $T (mode 755 under /tmp, symlink-free):
#   $T/att     $A, owned by the attacker, where the attacker writes
#   $T/victim  $V, root 700, holding $V/shadow (root 600): the stand-in for
#              a file the attacker wants to read or change (never a real
#              /etc file)
# Everything the attacker does runs as $ATTACKER through as_attacker.

ATTACKER=kensa-attacker
# Debian's interpreter: a pyenv shim under /root is not reachable as the
# attacker.
APY=/usr/bin/python3

# setup_file: root, the attacker user (created once, never deleted:
# deleting users in parallel runs is racy), fixtures, the hook.
attack_setup_file() {
    # (bats 1.8 cannot skip from setup_file: each test's setup skips)
    export ATTACK_SKIP=
    if [ "$(id -u)" -ne 0 ]; then
        ATTACK_SKIP="attack tests run as root: they create the user $ATTACKER and check that root's kensa cannot be turned against root"
        return 0
    fi
    if ! getent passwd "$ATTACKER" >/dev/null; then
        useradd --system --no-create-home --shell /usr/sbin/nologin \
            "$ATTACKER" 2>/dev/null || true
        # another run may have created it at the same moment
        getent passwd "$ATTACKER" >/dev/null
    fi
    AUID=$(id -u "$ATTACKER")
    AGID=$(id -g "$ATTACKER")
    export AUID AGID
    export HOOK="$KENSA_BUILD/tests/attack/swaphook.so"
    make_fixtures
    export VULN="$FX/plain/log4j-core-2.14.1.jar"
}

attack_setup() {
    T=
    SWAPPER_PID=
    DEFAULT_BAK_NAMES=()
    [ -z "$ATTACK_SKIP" ] || skip "$ATTACK_SKIP"
    T=$(mktemp -d /tmp/kensa-attack.XXXXXX)
    T=$(realpath "$T")
    chmod 755 "$T"
    A="$T/att"
    V="$T/victim"
    mkdir -m 755 "$A"
    chown "$AUID:$AGID" "$A"
    mkdir -m 700 "$V"
    printf 'root:$6$stand-in$not-a-real-hash:19000:0:99999:7:::\n' >"$V/shadow"
    chmod 600 "$V/shadow"
    VICTIM_BEFORE=$(fstate "$V/shadow")
    install -m 755 "$KENSA_TOP/tests/attack/swapper.py" "$T/swapper.py"
    SWAPPER_PID=
    DEFAULT_BAK_NAMES=()
}

attack_teardown() {
    if [ -n "${SWAPPER_PID:-}" ] && kill -0 "$SWAPPER_PID" 2>/dev/null; then
        kill "$SWAPPER_PID" 2>/dev/null || true
    fi
    # backups this test made in the default folder, found by basename
    local n
    for n in "${DEFAULT_BAK_NAMES[@]}"; do
        find /var/backups/kensa -maxdepth 1 -type f \
            -name "*-$n.kensa-bak*" -delete 2>/dev/null || true
    done
    if [ -n "${T:-}" ]; then
        rm -rf "$T"
    fi
}

# Run a command as the attacker (no supplementary groups, cwd /).
as_attacker() {
    (cd / && exec setpriv --reuid="$AUID" --regid="$AGID" --clear-groups -- "$@")
}

# fstate PATH: what must not change about a file: sha256, owner, mode,
# link count, type.  Does not follow a symlink at PATH.
fstate() {
    local h=-
    [ -f "$1" ] && [ ! -L "$1" ] && h=$(sha256sum <"$1" | cut -d' ' -f1)
    printf '%s %s\n' "$h" "$(stat -c '%u:%g %a %h %F' "$1")"
}

assert_victim_intact() {
    local now
    now=$(fstate "$V/shadow")
    if [ "$now" != "$VICTIM_BEFORE" ]; then
        echo "VICTIM CHANGED: $V/shadow was '$VICTIM_BEFORE', is '$now'" >&2
        echo "content now: $(head -c 200 "$V/shadow" | od -c | head -5)" >&2
        return 1
    fi
}

# assert_same_state PATH STATE: fstate PATH is still STATE.
assert_same_state() {
    local now
    now=$(fstate "$1")
    if [ "$now" != "$2" ]; then
        echo "CHANGED: $1 was '$2', is '$now'" >&2
        return 1
    fi
}

# att_copy SRC DST: a file owned by the attacker at DST.
att_copy() {
    cp "$1" "$2"
    chmod 644 "$2"
    chown "$AUID:$AGID" "$2"
}

need_hook() {
    if [ ! -f "$HOOK" ]; then
        echo "swap hook not built: $HOOK (meson builds tests/attack unless -Dtests=disabled)" >&2
        return 1
    fi
}

# backup_of: the BACKUP-PATH of the "fixed PATH: ... original saved as
# BACKUP-PATH; now ..." line for PATH in $output.
backup_of() {
    printf '%s\n' "$output" | grep -F "fixed $1: " | head -1 |
        sed -n 's/.*; original saved as \(.*\); now .*/\1/p'
}

# A backup's name: <UTC yyyymmddTHHMMSSZ>-<16 hex>-<basename>.kensa-bak
# bak_name_re BASENAME: the regex for it (BASENAME already sanitised).
bak_name_re() {
    printf '^[0-9]{8}T[0-9]{6}Z-[0-9a-fA-F]{16}-%s\\.kensa-bak$' \
        "$(printf '%s' "$1" | sed 's/[.]/\\./g')"
}

# manifest_check MANIFEST BACKUP-NAME SHA UID GID MODE ORIGINAL-PATH:
# the manifest is well formed (an optional first comment line, then
# exactly 6 tab-separated fields per line, the path percent-escaped) and
# holds exactly one line for BACKUP-NAME, with these values.
manifest_check() {
    python3 - "$@" <<'PY'
import re, sys
m, name, sha, uid, gid, mode, orig = sys.argv[1:]
data = open(m, 'rb').read()
assert data.endswith(b'\n'), 'manifest does not end with a newline'
rows = []
for i, line in enumerate(data[:-1].split(b'\n')):
    if line.startswith(b'#'):
        assert i == 0 and line == b'# kensa backup manifest v1', \
            'unexpected comment line %d: %r' % (i + 1, line)
        continue
    f = line.split(b'\t')
    # 6 fields, or 7 with the rewritten file's sha256 (lib/fix/manifest.h)
    assert len(f) == 6 or (len(f) == 7 and re.fullmatch(rb'[0-9a-f]{64}', f[6])), \
        'line %d has %d fields: %r' % (i + 1, len(f), line)
    assert all(0x20 < c < 0x7f for c in f[5]), 'path not escaped: %r' % f[5]
    assert re.fullmatch(rb'(?:[^%]|%[0-9A-Fa-f]{2})*', f[5]), \
        'bad escape: %r' % f[5]
    rows.append(f)
mine = [f for f in rows if f[0] == name.encode()]
# the record, and again with the rewritten file's digest once in place
assert len(mine) in (1, 2) and all(f[:6] == mine[0][:6] for f in mine) \
    and (len(mine) == 1 or len(mine[1]) == 7), \
    'lines for %s: %r (all: %r)' % (name, mine, rows)
b, h, u, g, md, esc = mine[0][:6]
dec = re.sub(rb'%([0-9A-Fa-f]{2})', lambda x: bytes([int(x.group(1), 16)]), esc)
assert h.decode() == sha, 'sha256 %r, expected %s' % (h, sha)
assert u.decode() == uid and g.decode() == gid, 'owner %r:%r' % (u, g)
assert re.fullmatch(rb'[0-7]+', md) and int(md, 8) == int(mode, 8), \
    'mode %r, expected %s' % (md, mode)
assert dec == orig.encode('utf-8', 'surrogateescape'), \
    'path decodes to %r, expected %r' % (dec, orig)
PY
}

# swap_run NAME NTH OP ARG... -- KENSA-ARG...
# Run kensa (as root, under `timeout 60`, single-threaded, with bats'
# `run --separate-stderr`) with the swap hook armed on the NTH open of
# NAME; the attacker's swapper.py performs OP ARG... at that moment.
# Sets $SWAPPED to the swapper's report ("ran OP" when it swapped);
# every open kensa made is logged to $T/hook.log (see swaphook.c).
swap_run() {
    local name=$1 nth=$2 sw=()
    shift 2
    while [ "$1" != "--" ]; do
        sw+=("$1")
        shift
    done
    shift
    need_hook
    rm -f "$T/go.fifo" "$T/ack.fifo" "$T/swapper.out"
    mkfifo -m 600 "$T/go.fifo" "$T/ack.fifo"
    chown "$AUID:$AGID" "$T/go.fifo" "$T/ack.fifo"
    : >"$T/hook.log"
    # The swapper opens go then ack, blocking until this shell holds them:
    # opened read-write here, they never block, and kensa inherits them.
    as_attacker "$APY" "$T/swapper.py" "$T/go.fifo" "$T/ack.fifo" "${sw[@]}" \
        >"$T/swapper.out" 2>&1 3>&- &
    SWAPPER_PID=$!
    exec 7<>"$T/go.fifo" 8<>"$T/ack.fifo"
    run --separate-stderr timeout 60 env LD_PRELOAD="$HOOK" \
        ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
        KENSA_HOOK_NAME="$name" KENSA_HOOK_NTH="$nth" KENSA_HOOK_GO=7 \
        KENSA_HOOK_ACK=8 KENSA_HOOK_LOG=9 \
        "$KENSA" "$@" --threads 1 --color never --no-summary 9>>"$T/hook.log"
    # closing ours gives the swapper end of file if the hook never fired
    exec 7>&- 8>&-
    local i=0
    while kill -0 "$SWAPPER_PID" 2>/dev/null && [ $i -lt 50 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    kill "$SWAPPER_PID" 2>/dev/null || true
    wait "$SWAPPER_PID" 2>/dev/null || true
    SWAPPER_PID=
    SWAPPED=$(cat "$T/swapper.out")
    echo "kensa exit $status; swapper: $SWAPPED" >&2
    echo "stdout: $output" >&2
    echo "stderr: $stderr" >&2
}

# never_opened DEV:INO: no successful open in $T/hook.log reached that
# inode (an O_PATH descriptor, which reads nothing, does not count).
never_opened() {
    local hits
    hits=$(awk -F'\t' -v di="$1" '$4 >= 0 && $5 == di && $7 != "path"' "$T/hook.log")
    if [ -n "$hits" ]; then
        echo "OPENED $1:" >&2
        echo "$hits" >&2
        return 1
    fi
}

devino() {
    stat -c '%d:%i' "$1"
}
