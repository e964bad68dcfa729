#!/bin/bash
# The systemd units verify with systemd-analyze: substituted to point at the
# build tree (systemd-analyze checks that ExecStart exists), all units together.
set -euo pipefail
src=${MV_SOURCE_ROOT:?}
build=${MV_BUILD_ROOT:?}
command -v systemd-analyze >/dev/null || { echo "systemd-analyze is not installed"; exit 77; }
dir=$(mktemp -d)
sbin=$(mktemp -d)
trap 'rm -rf "$dir" "$sbin"' EXIT
ln -s "$build/daemons/qemu/modvirt-qemud" "$build/proxy/modvirt-proxyd" "$sbin/"
for unit in "$src"/systemd/*.in; do
    name=$(basename "$unit" .in)
    sed -e "s|@sbindir@|$sbin|g" -e "s|@runstatedir@|/run|g" \
        -e "s|@docdir@|$src|g" "$unit" >"$dir/$name"
    grep -q '@[a-z]*@' "$dir/$name" && { echo "$name: unsubstituted variable"; exit 1; }
done
cd "$dir"
out=$(SYSTEMD_LOG_LEVEL=warning systemd-analyze verify ./*.service ./*.socket 2>&1) || {
    echo "$out"; exit 1; }
# Warnings about our own units count as failures too (not about the host's).
if echo "$out" | grep -E "modvirt" >/dev/null; then
    echo "$out"; exit 1
fi
echo "verified: $(ls)"
