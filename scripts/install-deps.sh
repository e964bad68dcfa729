#!/bin/bash
# Install every Debian 12 package modvirt needs to build, run and test.
#
# Idempotent and quiet: when everything is already installed it only runs
# dpkg-query (well under a second) and touches nothing.  Otherwise it runs
# `apt-get update` once and installs the missing packages without
# recommends.  Needs root, or sudo when not root.
#
#   scripts/install-deps.sh            install what is missing
#   scripts/install-deps.sh --check    exit 1 (listing them) if any are missing
#   scripts/install-deps.sh --list     print the package list and exit
set -euo pipefail

BUILD_PKGS=(
    gcc pkgconf meson ninja-build
    libglib2.0-dev libxml2-dev libtirpc-dev rpcsvc-proto libgnutls28-dev
    libsystemd-dev libnl-3-dev libnl-route-3-dev libselinux1-dev libjson-glib-dev
    libnftables-dev
)
RUN_PKGS=(
    qemu-system-x86 qemu-utils dnsmasq-base nftables
    ovmf swtpm swtpm-tools
)
TEST_PKGS=(
    python3 libvirt-clients python3-libvirt libxml2-utils busybox-static
    gnutls-bin systemd valgrind
    clang libfuzzer-14-dev
    virtinst
    xfsprogs btrfs-progs
)
ALL_PKGS=("${BUILD_PKGS[@]}" "${RUN_PKGS[@]}" "${TEST_PKGS[@]}")

missing_packages() {
    local pkg status
    for pkg in "${ALL_PKGS[@]}"; do
        status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
        # "ii " = installed and configured; anything else needs (re)installing.
        if [[ "$status" != ii* ]]; then
            echo "$pkg"
        fi
    done
}

case "${1:-}" in
    --list)
        printf '%s\n' "${ALL_PKGS[@]}"
        exit 0
        ;;
    --check|"")
        ;;
    -h|--help)
        sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "install-deps.sh: unknown option '$1' (try --help)" >&2
        exit 2
        ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "install-deps.sh: dpkg-query not found: this script supports Debian 12 only" >&2
    exit 1
fi

mapfile -t MISSING < <(missing_packages)
if [ "${#MISSING[@]}" -eq 0 ]; then
    exit 0
fi

if [ "${1:-}" = "--check" ]; then
    echo "install-deps.sh: missing packages: ${MISSING[*]}" >&2
    exit 1
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "install-deps.sh: need root (or sudo) to install: ${MISSING[*]}" >&2
        exit 1
    fi
    SUDO=(sudo)
fi

echo "install-deps.sh: installing ${#MISSING[@]} package(s): ${MISSING[*]}"
export DEBIAN_FRONTEND=noninteractive
# Skip the man-db trigger, which costs several seconds per install.
"${SUDO[@]}" rm -f /var/lib/man-db/auto-update
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Use-Pty=0 "${MISSING[@]}" >/dev/null

mapfile -t STILL < <(missing_packages)
if [ "${#STILL[@]}" -ne 0 ]; then
    echo "install-deps.sh: still missing after apt-get install: ${STILL[*]}" >&2
    exit 1
fi
echo "install-deps.sh: done"
