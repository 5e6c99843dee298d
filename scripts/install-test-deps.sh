#!/bin/sh
# install-test-deps.sh - what only the test suite needs, never a user's
# `make scan`: a Postfix for tests/milter (started by the tests alone,
# confined to a temporary folder with `postfix -c DIR`).  The package is
# installed without configuration and without starting or enabling the
# host's own mail service (policy-rc.d answers "no" for the install, and
# the service is stopped and disabled should it have started anyway).
# Idempotent; failing to install leaves the milter tests "skipped".
set -eu

PKGS="postfix"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
else
    SUDO=
fi
echo "install-test-deps: installing$missing" >&2
echo "postfix postfix/main_mailer_type select No configuration" |
    $SUDO debconf-set-selections
# no service started by the package's scripts while installing
added_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod 755 /usr/sbin/policy-rc.d
    added_policy=1
fi
rc=0
$SUDO apt-get update -qq || true
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    --no-install-recommends $missing >/dev/null || rc=$?
[ -n "$added_policy" ] && $SUDO rm -f /usr/sbin/policy-rc.d
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now postfix >/dev/null 2>&1 || true
fi
exit $rc
