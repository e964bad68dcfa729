#!/bin/bash
# modvirt demo: build the daemon, start it under a private temporary root and
# let stock virsh talk to it.
#
#   ./scripts/demo.sh             install deps (needs root or sudo), build, demo
#   MV_SKIP_DEPS=1 ./scripts/demo.sh     skip the package check
#   MV_BUILD_DIR=dir ./scripts/demo.sh   build directory (default: build)
#
# Nothing outside the temporary root is touched: no /run/libvirt, no /etc.
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=${MV_BUILD_DIR:-build}
QEMUD="$BUILD/daemons/qemu/modvirt-qemud"

if [ -t 1 ]; then B=$'\033[1m' N=$'\033[0m'; else B= N=; fi
step() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }

if [ "${MV_SKIP_DEPS:-0}" != "1" ]; then
    step "checking packages (scripts/install-deps.sh)"
    ./scripts/install-deps.sh
fi

step "building ($BUILD)"
if [ ! -f "$BUILD/build.ninja" ]; then
    meson setup "$BUILD" >/dev/null
fi
meson compile -C "$BUILD" >/dev/null || meson compile -C "$BUILD"   # re-run shows errors
echo "built $QEMUD"

ROOT=$(mktemp -d /tmp/modvirt-demo.XXXXXX)
PID=
cleanup() {
    local rc=$?
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
        kill -TERM "$PID" 2>/dev/null || true
        wait "$PID" 2>/dev/null || true
    fi
    if [ $rc -ne 0 ] && [ -f "$ROOT/daemon.log" ]; then
        echo "--- daemon log ---" >&2
        tail -n 50 "$ROOT/daemon.log" >&2
    fi
    rm -rf "$ROOT"
}
trap cleanup EXIT

step "starting modvirt-qemud --root $ROOT"
"$QEMUD" --root "$ROOT" 2>"$ROOT/daemon.log" &
PID=$!
SOCK="$ROOT/run/qemu.sock"
URI="qemu+unix:///system?socket=$SOCK"

# Ready = the socket accepts a connection (python: no netcat on a fresh machine).
/usr/bin/python3 - "$SOCK" "$PID" <<'PY'
import os, socket, sys, time
path, pid = sys.argv[1], int(sys.argv[2])
deadline = time.monotonic() + 15
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit("modvirt-qemud exited before serving")
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(path)
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
    finally:
        s.close()
sys.exit("modvirt-qemud did not accept on %s within 15 s" % path)
PY
echo "serving on $SOCK (pid $PID)"

run() {          # print the command (arguments shell-quoted), then run it
    printf '\n$'
    printf ' %q' "$@"
    printf '\n'
    "$@"
}

step "stock virsh against modvirt"
run virsh -c "$URI" version --daemon
run virsh -c "$URI" hostname
run virsh -c "$URI" nodeinfo
run virsh -c "$URI" list --all
run virsh -c "$URI" uri
printf '\n$ virsh -c %q capabilities | head -n 25\n' "$URI"
caps=$(virsh -c "$URI" capabilities)
printf '%s\n' "$caps" | head -n 25
echo "... ($(printf '%s\n' "$caps" | wc -l) lines)"
step "read-only socket"
run virsh -r -c "qemu+unix:///system?socket=$ROOT/run/qemu-ro.sock" list --all

step "stopping modvirt-qemud (SIGTERM)"
kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=
echo "modvirt-qemud exited with status $rc"
[ "$rc" -eq 0 ]
