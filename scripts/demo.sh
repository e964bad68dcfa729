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
printf '%s\n' "$caps" | sed -n '1,25p'
echo "... ($(printf '%s\n' "$caps" | wc -l) lines)"
step "read-only socket"
run virsh -r -c "qemu+unix:///system?socket=$ROOT/run/qemu-ro.sock" list --all

step "building the tiny test guest (Debian cloud kernel + busybox, cached)"
GUEST="$BUILD/tests/guest-cache"
mkdir -p "$GUEST"
./tests/guest/make-guest.sh "$GUEST"
GUEST=$(cd "$GUEST" && pwd)
qemu-img create -q -f qcow2 -F qcow2 -b "$GUEST/disk.qcow2" "$ROOT/demo.qcow2"
# TCG: on nested-KVM hosts a Linux kernel does not boot under KVM.
cat >"$ROOT/demo.xml" <<XML
<domain type='qemu'>
  <name>demo</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$GUEST/vmlinuz</kernel>
    <initrd>$GUEST/initrd.gz</initrd>
    <cmdline>console=ttyS0 quiet panic=-1</cmdline>
  </os>
  <features><acpi/><apic/></features>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$ROOT/demo.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
  </devices>
</domain>
XML

step "a real guest through modvirt-qemud"
run virsh -c "$URI" define "$ROOT/demo.xml"
run virsh -c "$URI" start demo
run virsh -c "$URI" list
CONSOLE_LOG="$ROOT/log/qemu/demo-serial0.log"
for _ in $(seq 100); do
    grep -q MODVIRT-GUEST-READY "$CONSOLE_LOG" 2>/dev/null && break
    sleep 0.2
done
printf '\n$ cat %q    # what the guest printed on its serial console\n' "$CONSOLE_LOG"
tr -d '\r' <"$CONSOLE_LOG" | grep -v '^\s*$' | sed 's/\x1b\[6n//g'
grep -q MODVIRT-GUEST-READY "$CONSOLE_LOG"
run virsh -c "$URI" dominfo demo
run virsh -c "$URI" shutdown demo
for _ in $(seq 100); do
    [ "$(virsh -c "$URI" domstate demo)" = "shut off" ] && break
    sleep 0.1
done
run virsh -c "$URI" domstate --reason demo
run virsh -c "$URI" undefine demo

step "stopping modvirt-qemud (SIGTERM)"
kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=
echo "modvirt-qemud exited with status $rc"
[ "$rc" -eq 0 ]
