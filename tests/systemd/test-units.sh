#!/bin/bash
# The systemd units generated from the daemon registry (common/registry/
# daemons.ini, gen-registry.py) verify with systemd-analyze: generated again
# to point at the build tree (systemd-analyze checks that ExecStart exists),
# all units together. Every built registry row has its service and its
# read-write, read-only and admin sockets, in the source-generated set and in
# the build tree, and nothing else is there.
set -euo pipefail
src=${MV_SOURCE_ROOT:?}
build=${MV_BUILD_ROOT:?}
gen=$src/common/registry/gen-registry.py
ini=$src/common/registry/daemons.ini
command -v systemd-analyze >/dev/null || { echo "systemd-analyze is not installed"; exit 77; }
dir=$(mktemp -d)
sbin=$(mktemp -d)
trap 'rm -rf "$dir" "$sbin"' EXIT
ln -s "$build/daemons/qemu/modvirt-qemud" "$build/proxy/modvirt-proxyd" "$sbin/"
ln -s "$build/daemons/network/modvirt-networkd" "$sbin/"
ln -s "$build/daemons/filter/modvirt-filterd" "$sbin/"
ln -s "$build/daemons/storage/modvirt-storaged" "$sbin/"
python3 "$gen" units "$ini" "$src/systemd" "$dir" "$sbin" /run "$src"

# Every built daemon of the registry: its four units, in both places.
expected=$(python3 - "$gen" "$ini" <<'PY'
import importlib.util, sys
spec = importlib.util.spec_from_file_location('gen_registry', sys.argv[1])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
for d in mod.load(sys.argv[2]).daemons:
    if d.built:
        print(d.service)
        for s in ('', '-ro', '-admin'):
            print('%s%s.socket' % (d.program, s))
        print('\n'.join(d.extra_units))
PY
)
for name in $expected; do
    [ -f "$dir/$name" ] || { echo "$name: not generated"; exit 1; }
    [ -f "$build/systemd/$name" ] || { echo "$name: not in the build tree"; exit 1; }
    grep -q '@[a-z]*@' "$dir/$name" && { echo "$name: unsubstituted variable"; exit 1; }
    # A daemon's service must be where its sockets point.
    case $name in *.socket)
        svc=$(sed -n 's/^Service=//p' "$dir/$name")
        [ -f "$dir/$svc" ] || { echo "$name: Service=$svc is not generated"; exit 1; } ;;
    esac
done
for f in "$dir"/* "$build"/systemd/*.service "$build"/systemd/*.socket; do
    echo "$expected" | grep -qx "$(basename "$f")" || { echo "$f: not in the registry"; exit 1; }
done
cd "$dir"
out=$(SYSTEMD_LOG_LEVEL=warning systemd-analyze verify ./*.service ./*.socket 2>&1) || {
    echo "$out"; exit 1; }
# Warnings about our own units count as failures too (not about the host's).
if echo "$out" | grep -E "modvirt" >/dev/null; then
    echo "$out"; exit 1
fi
echo "verified: $(ls)"
