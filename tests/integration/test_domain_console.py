"""`virsh console` (DOMAIN_OPEN_CONSOLE stream) against the tiny Linux guest.

An expect-style session on a pty (python's pty module; no pexpect): virsh
prints "Escape character", Enter gives the `guest# ` prompt, a shell
expansion proves the guest evaluated what we typed, Ctrl-] ends virsh with
status 0 and leaves the guest running.  A second console while one is open is
refused unless --force; destroying the guest ends a connected console.
"""

import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
from mvtest import virsh, domstate  # noqa: E402

CTRL_RBRACKET = b"\x1d"


class Console(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.d = mvtest.GuestDaemon().start()
        cls.uri = cls.d.uri
        cls.name = "con1"
        xml = mvtest.write_file(os.path.join(cls.d.root, "con1.in.xml"),
                                mvtest.linux_guest_xml(cls.name, cls.d.root))
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

    def test_1_interactive(self):
        proc, reader, pos = self.attach()
        reader.send(b"echo hi$((40+2))\r")
        # the echo of the command line contains "hi$((40+2))"; only the shell's
        # output contains hi42
        pos = reader.expect("hi42", 20, pos)
        reader.expect(mvtest.GUEST_PROMPT, 20, pos)
        reader.send(CTRL_RBRACKET)
        self.assertEqual(self.wait_exit(proc, reader), 0, reader.text[-1000:])
        self.assertEqual(domstate(self.uri, self.name), "running")
        # and the console can be opened again afterwards
        proc, reader, pos = self.attach()
        reader.send(b"echo again$((1+1))\r")
        reader.expect("again2", 20, pos)
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
        # without --force: refused while the first is open
        res = virsh(self.uri, "console", self.name, timeout=30)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("error:", res.stderr)
        # the refused attempt did not disturb the first session
        first_reader.send(b"echo first$((2*3))\r")
        first_reader.expect("first6", 20, pos)
        # on a pty too (virsh would otherwise complain about the missing tty first)
        proc, reader = self.console()
        self.assertNotEqual(self.wait_exit(proc, reader), 0)
        self.assertIn("error:", reader.text)
        self.assertIsNone(first.poll(), "the first console must still be open")
        first_reader.send(CTRL_RBRACKET)
        self.assertEqual(self.wait_exit(first, first_reader), 0)

    def test_2_force_takes_over(self):
        first, first_reader, pos = self.attach()
        # --force takes the console over: the new session works ...
        second, second_reader, pos2 = self.attach("--force")
        second_reader.send(b"echo second$((3*3))\r")
        second_reader.expect("second9", 20, pos2)
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
