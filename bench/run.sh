#!/bin/bash
# Build modvirt (optimized, in build-bench/) and run bench/rpc_cheap.py.
#
#   bench/run.sh                         modvirt alone, or vs libvirtd if it is running
#   bench/run.sh --strace --rounds 5     extra arguments go to rpc_cheap.py
#   bench/run.sh --libvirtd-uri qemu:///system --libvirtd-pid "$(pgrep -x libvirtd)"
#
# Results: a table, then a JSON line (also appended to bench/results/rpc_cheap.jsonl).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${MV_BENCH_BUILD_DIR:-build-bench}

if [ ! -f "$BUILD/build.ninja" ]; then
    meson setup "$BUILD" --buildtype=release >/dev/null
fi
meson compile -C "$BUILD" >/dev/null || meson compile -C "$BUILD"

mkdir -p bench/results
exec /usr/bin/python3 bench/rpc_cheap.py \
    --qemud "$BUILD/daemons/qemu/modvirt-qemud" \
    --json-out bench/results/rpc_cheap.jsonl "$@"
