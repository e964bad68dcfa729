"""Boot the tiny test guest (tests/guest/make-guest.sh) with raw QEMU under TCG.

Proves what the daemon's tests rely on: the guest prints MODVIRT-GUEST-READY on
its serial console, a shell answers there, and QMP system_powerdown makes it
power itself off (MODVIRT-GUEST-POWEROFF, SHUTDOWN guest=true, QEMU exits).
It also hot-plugs and unplugs a virtio disk (blockdev-add + device_add).

The guest is built into $MV_BUILD_ROOT/tests/guest-cache (shared with later
tests; make-guest.sh is a no-op when it is up to date). Exit 77 (skipped) when
QEMU is missing or the Debian packages cannot be fetched. Standard library only.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

SKIP = 77
SOURCE_ROOT = os.environ.get(
    "MV_SOURCE_ROOT", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BUILD_ROOT = os.environ.get("MV_BUILD_ROOT", os.path.join(SOURCE_ROOT, "build"))
GUEST_DIR = os.environ.get("MV_GUEST_DIR", os.path.join(BUILD_ROOT, "tests", "guest-cache"))
MAKE_GUEST = os.path.join(SOURCE_ROOT, "tests", "guest", "make-guest.sh")


def skip(reason):
    print("SKIP: %s" % reason, flush=True)
    sys.exit(SKIP)


def log(msg):
    print(msg, flush=True)


def connect_unix(path, deadline):
    """Connects to a UNIX socket QEMU creates a few ms after exec."""
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except (FileNotFoundError, ConnectionRefusedError):
            s.close()
            if time.monotonic() > deadline:
                raise TimeoutError("nothing listens on %s" % path)
            time.sleep(0.002)


class Qmp:
    def __init__(self, path, deadline):
        self.sock = connect_unix(path, deadline)
        self.buf = b""
        self.events = []
        greeting = self._read(deadline)
        assert "QMP" in greeting, greeting
        self.command("qmp_capabilities", deadline=deadline)

    def _read(self, deadline):
        while b"\n" not in self.buf:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("QMP connection closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def command(self, name, args=None, deadline=None):
        deadline = deadline or time.monotonic() + 10
        msg = {"execute": name, "id": name}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\r\n")
        while True:
            reply = self._read(deadline)
            if "event" in reply:
                self.events.append(reply)
                continue
            if "error" in reply:
                raise RuntimeError("QMP %s: %s" % (name, reply["error"]))
            return reply["return"]

    def wait_event(self, name, deadline):
        """Returns the event called name (already seen or read before deadline)."""
        while True:
            for ev in self.events:
                if ev["event"] == name:
                    return ev
            self.events.append(self._read(deadline))


class Serial:
    def __init__(self, path, deadline):
        self.sock = connect_unix(path, deadline)
        self.text = ""

    def wait_for(self, needle, deadline, start=0):
        """Waits until needle shows up after offset start; returns its end offset."""
        while True:
            pos = self.text.find(needle, start)
            if pos >= 0:
                return pos + len(needle)
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("%r not seen on the serial console; output so far:\n%s"
                                   % (needle, self.text[-3000:]))
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not data:
                raise EOFError("serial console closed; output so far:\n" + self.text[-3000:])
            self.text += data.decode("utf-8", "replace")

    def send(self, text):
        self.sock.sendall(text.encode())


def build_guest():
    t0 = time.monotonic()
    r = subprocess.run(["/bin/sh", MAKE_GUEST, GUEST_DIR], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=300)
    if r.returncode == 2:
        skip("cannot build the test guest: " + r.stderr.strip())
    if r.returncode != 0:
        sys.exit("make-guest.sh failed (%d): %s" % (r.returncode, r.stderr))
    log("make-guest.sh: %.2f s" % (time.monotonic() - t0))


def main():
    qemu = shutil.which("qemu-system-x86_64")
    if not qemu or not shutil.which("qemu-img"):
        skip("qemu-system-x86_64 and qemu-img are needed (scripts/install-deps.sh installs them)")
    if not shutil.which("apt-get") or not shutil.which("dpkg-deb"):
        skip("apt-get and dpkg-deb are needed to build the test guest")
    build_guest()

    tmp = tempfile.mkdtemp(prefix="mv-guest-boot-")
    qmp_path = os.path.join(tmp, "qmp.sock")
    serial_path = os.path.join(tmp, "serial.sock")
    serial_log = os.path.join(tmp, "serial.log")
    argv = [
        qemu, "-machine", "pc,accel=tcg", "-m", "256", "-nodefaults", "-no-user-config",
        "-display", "none", "-no-reboot",
        "-kernel", os.path.join(GUEST_DIR, "vmlinuz"),
        "-initrd", os.path.join(GUEST_DIR, "initrd.gz"),
        "-append", "console=ttyS0 quiet panic=-1",
        "-chardev", "socket,id=serial0,path=%s,server=on,wait=off,logfile=%s"
                    % (serial_path, serial_log),
        "-serial", "chardev:serial0",
        "-qmp", "unix:%s,server=on,wait=off" % qmp_path,
        # snapshot=on: the shared cached image is never written
        "-drive", "file=%s,if=virtio,format=qcow2,snapshot=on"
                  % os.path.join(GUEST_DIR, "disk.qcow2"),
    ]
    proc = None
    ok = False
    try:
        t0 = time.monotonic()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL)
        deadline = t0 + 60
        serial = Serial(serial_path, deadline)
        mon = Qmp(qmp_path, deadline)
        log("QEMU exec -> QMP ready: %.1f ms" % ((time.monotonic() - t0) * 1000))
        assert mon.command("query-status")["status"] == "running"

        serial.wait_for("MODVIRT-GUEST-DISK vda 131072", deadline)
        end = serial.wait_for("MODVIRT-GUEST-READY", deadline)
        log("boot to READY: %.2f s" % (time.monotonic() - t0))
        end = serial.wait_for("guest# ", deadline, end)

        serial.send("echo hi\n")
        end = serial.wait_for("\nhi\r\n", time.monotonic() + 20, end)
        end = serial.wait_for("guest# ", time.monotonic() + 20, end)

        # hot-plug a disk the way the daemon does (file node + format node, then
        # the device), see it in the guest, unplug it (the guest acks via ACPI)
        disk2 = os.path.join(tmp, "disk2.qcow2")
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", disk2, "32M"], check=True)
        t1 = time.monotonic()
        mon.command("blockdev-add", {"driver": "file", "node-name": "disk2-file",
                                     "filename": disk2})
        mon.command("blockdev-add", {"driver": "qcow2", "node-name": "disk2",
                                     "file": "disk2-file"})
        mon.command("device_add", {"driver": "virtio-blk-pci", "drive": "disk2", "id": "vdisk2"})
        serial.send("while [ ! -e /sys/block/vdb ]; do sleep 0.05; done; "
                    "echo HOTPLUG-$(cat /sys/block/vdb/size)\n")
        end = serial.wait_for("HOTPLUG-65536", time.monotonic() + 20, end)
        mon.command("device_del", {"id": "vdisk2"})
        deadline = time.monotonic() + 20
        while not any(e["event"] == "DEVICE_DELETED" and e["data"].get("device") == "vdisk2"
                      for e in mon.events):
            mon.events.append(mon._read(deadline))
        mon.command("blockdev-del", {"node-name": "disk2"})
        mon.command("blockdev-del", {"node-name": "disk2-file"})
        log("disk hot-plug + unplug: %.2f s" % (time.monotonic() - t1))
        end = serial.wait_for("guest# ", time.monotonic() + 20, end)

        t1 = time.monotonic()
        mon.command("system_powerdown")
        serial.wait_for("MODVIRT-GUEST-POWERBUTTON", t1 + 30, end)
        serial.wait_for("MODVIRT-GUEST-POWEROFF", t1 + 30, end)
        ev = mon.wait_event("SHUTDOWN", t1 + 30)
        assert ev["data"]["guest"] is True, ev
        assert ev["data"]["reason"] == "guest-shutdown", ev
        rc = proc.wait(timeout=30)
        log("system_powerdown -> QEMU exit: %.2f s" % (time.monotonic() - t1))
        assert rc == 0, "QEMU exited with %d" % rc
        with open(serial_log, errors="replace") as f:
            assert "MODVIRT-GUEST-READY" in f.read(), "logfile= missed the console output"
        if os.environ.get("MV_TEST_VERBOSE"):
            log("---- serial console ----\n" + serial.text)
        ok = True
    finally:
        if proc and proc.poll() is None:
            proc.kill()
        if proc:
            proc.wait()
        if not ok and os.path.exists(serial_log):
            with open(serial_log, errors="replace") as f:
                log("---- serial log ----\n" + f.read()[-4000:])
        shutil.rmtree(tmp, ignore_errors=True)
    log("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
