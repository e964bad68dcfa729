"""`virsh console` (DOMAIN_OPEN_CONSOLE stream) against the tiny Linux guest.

An expect-style session on a pty (python's pty module; no pexpect): virsh
prints "Escape character", Enter gives the `guest# ` prompt, a shell
expansion of random numbers proves the guest evaluated what we typed, Ctrl-]
ends virsh with status 0 and leaves the guest running.  A second console
while one is open is refused with the daemon's "Active console session"
error unless --force; destroying the guest ends a connected console.
Through the console the guest also shows `setmem --live` (its MemTotal
follows the virtio balloon) and `domstats` is cross-checked with the guest
(vCPUs) and /proc of the QEMU process (CPU time).  MV_TEST_SEED fixes the
random numbers.
"""

import os
import random
import re
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
from mvtest import virsh, domstate  # noqa: E402

CTRL_RBRACKET = b"\x1d"
SEED = int(os.environ.get("MV_TEST_SEED", random.randrange(1 << 30)))


def domstats(uri, name):
    """`virsh domstats NAME` as a dict of field -> int."""
    out = virsh(uri, "domstats", name, check=True).stdout
    return {k: int(v) for k, v in re.findall(r"^\s+([\w.]+)=(\d+)\s*$", out, re.M)}


def proc_cpu_ns(pid):
    """utime + stime of a process from /proc/PID/stat, in ns."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * (10 ** 9 // os.sysconf("SC_CLK_TCK"))


class Console(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.d = mvtest.GuestDaemon().start()
        cls.uri = cls.d.uri
        cls.name = "con1"
        xml = mvtest.write_file(os.path.join(cls.d.root, "con1.in.xml"),
                                mvtest.linux_guest_xml(
                                    cls.name, cls.d.root,
                                    extra_devices="\n    <memballoon model='virtio'/>"))
        virsh(cls.uri, "define", xml, check=True)
        virsh(cls.uri, "start", cls.name, check=True)
        mvtest.wait_marker(mvtest.serial_log(cls.d.root, cls.name), mvtest.GUEST_READY,
                           timeout=90)

    @classmethod
    def tearDownClass(cls):
        virsh(cls.uri, "destroy", cls.name)
        cls.d.cleanup()

    def setUp(self):
        self.sessions = []

    def tearDown(self):
        for proc, reader in self.sessions:
            mvtest.stop_process(proc, timeout=5)
            reader.close()

    def console(self, *extra):
        proc, master = mvtest.run_on_pty(["virsh", "-c", self.uri, "console"] + list(extra)
                                         + [self.name])
        reader = mvtest.PtyReader(master)
        self.sessions.append((proc, reader))
        return proc, reader

    def wait_exit(self, proc, reader, timeout=15):
        deadline = time.monotonic() + timeout
        while proc.poll() is None and time.monotonic() < deadline:
            reader.pump(0.2)
        if proc.poll() is None:
            self.fail("virsh console still running after %ss; output:\n%r"
                      % (timeout, reader.text[-2000:]))
        reader.drain_until_eof(1)
        return proc.returncode

    def attach(self, *extra):
        """Open a console and get a fresh prompt; returns (proc, reader, offset)."""
        proc, reader = self.console(*extra)
        pos = reader.expect("Escape character", 20)
        # Enter until the shell answers with a prompt (the first byte may race the
        # stream opening)
        for _ in range(10):
            reader.send(b"\r")
            try:
                return proc, reader, reader.expect(mvtest.GUEST_PROMPT, 3, pos)
            except AssertionError:
                continue
        self.fail("no prompt on the console; output:\n%r" % reader.text[-2000:])

    def guest_eval(self, reader, pos, expr, timeout=20):
        """Have the guest's shell print $(expr) between markers; returns (text, pos).
        The echoed command line holds the expression, never its value."""
        tag = "V%d" % random.Random(SEED + pos).randrange(10 ** 6)
        reader.send(("echo %s=$(%s)=%s\r" % (tag, expr, tag[::-1])).encode())
        pattern = re.compile(r"%s=([^=$\r\n]*)=%s" % (tag, tag[::-1]))
        deadline = time.monotonic() + timeout
        while True:
            m = pattern.search(reader.text, pos)
            if m:
                return m.group(1), m.end()
            if time.monotonic() > deadline or reader.eof:
                self.fail("the guest did not answer %r; output:\n%r" % (expr, reader.text[-2000:]))
            reader.pump(0.2)

    def test_1_interactive(self):
        print("\nseed %d (MV_TEST_SEED)" % SEED)
        rnd = random.Random(SEED)
        a, b = rnd.randrange(10 ** 6), rnd.randrange(10 ** 6)
        proc, reader, pos = self.attach()
        reader.send(("echo hi$((%d+%d))\r" % (a, b)).encode())
        # the echo of the command line contains "hi$((a+b))"; only the shell's
        # output contains the sum
        pos = reader.expect("hi%d" % (a + b), 20, pos)
        reader.expect(mvtest.GUEST_PROMPT, 20, pos)
        reader.send(CTRL_RBRACKET)
        self.assertEqual(self.wait_exit(proc, reader), 0, reader.text[-1000:])
        self.assertEqual(domstate(self.uri, self.name), "running")
        # and the console can be opened again afterwards
        proc, reader, pos = self.attach()
        reader.send(("echo again$((%d*3))\r" % a).encode())
        reader.expect("again%d" % (a * 3), 20, pos)
        reader.send(CTRL_RBRACKET)
        self.assertEqual(self.wait_exit(proc, reader), 0)

    def test_1_hotplug_disk(self):
        """attach-device --live: the guest sees the new disk; detach-device removes it."""
        path = os.path.join(self.d.root, "hot.qcow2")
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", path, "16M"], check=True,
                       timeout=30)
        disk = mvtest.write_file(os.path.join(self.d.root, "hot.xml"),
                                 "<disk type='file' device='disk'><driver name='qemu' "
                                 "type='qcow2'/><source file='%s'/><target dev='vdb' "
                                 "bus='virtio'/></disk>" % path)
        proc, reader, pos = self.attach()
        res = virsh(self.uri, "attach-device", self.name, disk, "--live")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("Device attached successfully", res.stdout)
        self.assertIn(path, virsh(self.uri, "dumpxml", self.name, check=True).stdout)
        self.assertNotIn(path, virsh(self.uri, "dumpxml", "--inactive", self.name,
                                     check=True).stdout)
        reader.send(b"while [ ! -e /sys/block/vdb ]; do sleep 0.1; done; "
                    b"echo HOT-$(cat /sys/block/vdb/size)-PLUG\r")
        pos = reader.expect("HOT-32768-PLUG", 30, pos)
        res = virsh(self.uri, "detach-device", self.name, disk, "--live")
        self.assertEqual(res.returncode, 0, res.stderr)
        reader.send(b"while [ -e /sys/block/vdb ]; do sleep 0.1; done; echo UN$((1+1))PLUGGED\r")
        reader.expect("UN2PLUGGED", 30, pos)
        self.assertTrue(mvtest.wait_for(lambda: path not in virsh(
            self.uri, "dumpxml", self.name, check=True).stdout, 30, 0.2))
        reader.send(CTRL_RBRACKET)
        self.assertEqual(self.wait_exit(proc, reader), 0)

    def test_2_second_console_refused(self):
        first, first_reader, pos = self.attach()
        # without --force, on a pty (virsh needs a terminal): refused by the daemon
        # because the serial console is in use
        proc, reader = self.console()
        self.assertNotEqual(self.wait_exit(proc, reader), 0)
        self.assertIn("error: Active console session exists for this domain",
                      reader.text.replace("\r", ""))
        # the refused attempt did not disturb the first session
        token = random.Random(SEED + 2).randrange(10 ** 6)
        first_reader.send(("echo first$((%d*2))\r" % token).encode())
        first_reader.expect("first%d" % (token * 2), 20, pos)
        self.assertIsNone(first.poll(), "the first console must still be open")
        first_reader.send(CTRL_RBRACKET)
        self.assertEqual(self.wait_exit(first, first_reader), 0)

    def test_1_memory_and_stats(self):
        """setmem --live seen by the guest (MemTotal, virtio_balloon), and domstats
        cross-checked with the guest and the QEMU process."""
        proc, reader, pos = self.attach()
        pid = mvtest.status_pid(self.d.root, self.name)

        def memtotal():
            nonlocal pos
            text, pos = self.guest_eval(reader, pos, "awk '/^MemTotal:/{print $2}' /proc/meminfo")
            return int(text)

        before = memtotal()
        stats = domstats(self.uri, self.name)
        self.assertEqual(stats["state.state"], 1, stats)             # running
        self.assertEqual(stats["balloon.maximum"], 256 * 1024)
        self.assertEqual(stats["balloon.current"], 256 * 1024)
        nproc, pos = self.guest_eval(reader, pos, "nproc")
        self.assertEqual(stats["vcpu.current"], int(nproc), "vCPUs the guest sees")
        self.assertEqual(stats["vcpu.maximum"], 1)
        # CPU time: what /proc says about the QEMU process, read around the call
        lo = proc_cpu_ns(pid)
        cpu = domstats(self.uri, self.name)["cpu.time"]
        hi = proc_cpu_ns(pid)
        self.assertTrue(0 < lo <= cpu <= hi, "cpu.time %d outside [%d, %d] from /proc" %
                        (cpu, lo, hi))
        self.assertGreaterEqual(domstats(self.uri, self.name)["cpu.time"], cpu, "monotonic")

        # inflate the balloon by 96 MiB: the guest's MemTotal drops by that much
        delta = 96 * 1024
        res = virsh(self.uri, "setmem", self.name, "160M", "--live")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertTrue(mvtest.wait_for(lambda: before - memtotal() >= delta * 0.98, 30, 0.3),
                        "MemTotal %d KiB, was %d KiB before setmem 160M" % (memtotal(), before))
        self.assertLessEqual(before - memtotal(), delta * 1.02)
        stats = domstats(self.uri, self.name)
        self.assertEqual(stats["balloon.current"], 160 * 1024)
        self.assertEqual(stats["balloon.maximum"], 256 * 1024)
        # and back: the balloon deflates
        virsh(self.uri, "setmem", self.name, "256M", "--live", check=True)
        self.assertTrue(mvtest.wait_for(lambda: before - memtotal() <= delta * 0.02, 30, 0.3),
                        "MemTotal %d KiB after setmem 256M, %d KiB at first" % (memtotal(), before))
        self.assertEqual(domstats(self.uri, self.name)["balloon.current"], 256 * 1024)
        reader.send(CTRL_RBRACKET)
        self.assertEqual(self.wait_exit(proc, reader), 0)

    def test_2_force_takes_over(self):
        first, first_reader, pos = self.attach()
        # --force takes the console over: the new session works ...
        second, second_reader, pos2 = self.attach("--force")
        token = random.Random(SEED + 3).randrange(10 ** 6)
        second_reader.send(("echo second$((%d*3))\r" % token).encode())
        second_reader.expect("second%d" % (token * 3), 20, pos2)
        second_reader.send(CTRL_RBRACKET)
        self.assertEqual(self.wait_exit(second, second_reader), 0)
        self.assertEqual(domstate(self.uri, self.name), "running")
        # ... and the first virsh session ends (libvirt aborts the old stream)
        self.wait_exit(first, first_reader, timeout=20)

    def test_3_destroy_ends_console(self):
        proc, reader, pos = self.attach()
        virsh(self.uri, "destroy", self.name, check=True)
        self.wait_exit(proc, reader, timeout=20)
        self.assertEqual(domstate(self.uri, self.name), "shut off")
        # a console on a shut-off domain is refused
        res = virsh(self.uri, "console", self.name)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("not running", res.stderr)


if __name__ == "__main__":
    mvtest.require_qemu()
    mvtest.require_daemon()
    mvtest.require_guest()
    mvtest.main()
