#!/bin/sh
# install-deps.sh - install exactly what kensa's build and tests need, from
# Debian's or Ubuntu's archive.  Idempotent: does nothing when all is there.
# The last two lines of PKGS: the static archives of libarchive's own
# dependencies (`make static`) and debhelper (`make deb`).
set -eu

PKGS="build-essential meson ninja-build pkg-config
      zlib1g-dev libdeflate-dev libarchive-dev libssl-dev libseccomp-dev
      libjansson-dev libregf-dev libbfio-dev libhivex-bin
      libyara-dev libmagic-dev yara libgmime-3.0-dev libmilter-dev
      libcmocka-dev bats jq python3 python3-cryptography zip unzip p7zip-full scdoc
      clang libclang-rt-dev
      time bzip2 xz-utils gzip tar bc strace rsyslog
      default-jre-headless default-jdk-headless liblog4j2-java
      libxml2-dev nettle-dev liblzma-dev libbz2-dev libzstd-dev liblz4-dev
      libacl1-dev file debhelper dpkg-dev man-db"

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
echo "install-deps: installing$missing" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
