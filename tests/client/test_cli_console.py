"""`modvirt console` on a pty against the tiny Linux guest (TCG, its own
qcow2 overlay): the `guest# ` prompt, a shell expansion evaluated by the
guest, Ctrl-] detaches with status 0 and leaves the guest running; a second
attach works; stopping the guest ends an attached console."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clienttest as ct  # noqa: E402
from clienttest import mvtest, modvirt  # noqa: E402

CTRL_RBRACKET = b"\x1d"


class Console(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        ct.require_cli()
        mvtest.require_guest()
        cls.d = mvtest.GuestDaemon().start()
        cls.uri = ct.root_uri(cls.d.root)
        cls.name = "con1"
        xml = mvtest.write_file(os.path.join(cls.d.root, "con1.xml"),
                                mvtest.linux_guest_xml(cls.name, cls.d.root))
        for args in (("define", xml), ("start", cls.name)):
            r = modvirt(cls.uri, *args)
            if r.returncode != 0:
                raise AssertionError("modvirt %s: %s" % (args, r.stderr))
        mvtest.wait_marker(mvtest.serial_log(cls.d.root, cls.name), mvtest.GUEST_READY,
                           timeout=90)

    @classmethod
    def tearDownClass(cls):
        modvirt(cls.uri, "power-off", cls.name)
        cls.d.cleanup()

    def setUp(self):
        self.sessions = []

    def tearDown(self):
        for proc, reader in self.sessions:
            mvtest.stop_process(proc, timeout=5)
            reader.close()

    def console(self):
        proc, master = mvtest.run_on_pty([ct.MODVIRT, "-c", self.uri, "console", self.name])
        reader = mvtest.PtyReader(master)
        self.sessions.append((proc, reader))
        return proc, reader

    def wait_exit(self, proc, reader, timeout=15):
        deadline = time.monotonic() + timeout
        while proc.poll() is None and time.monotonic() < deadline:
            reader.pump(0.2)
        if proc.poll() is None:
            self.fail("modvirt console still running after %ss; output:\n%r"
                      % (timeout, reader.text[-2000:]))
        reader.drain_until_eof(1)
        return proc.returncode

    def attach(self):
        proc, reader = self.console()
        pos = reader.expect("Escape character is ^]", 20)
        for _ in range(10):
            reader.send(b"\r")
            try:
                return proc, reader, reader.expect(mvtest.GUEST_PROMPT, 3, pos)
            except AssertionError:
                continue
        self.fail("no prompt on the console; output:\n%r" % reader.text[-2000:])

    def state(self):
        return ct.json_out(self, modvirt(self.uri, "info", self.name, "--json"))["state"]

    def test_1_interactive(self):
        proc, reader, pos = self.attach()
        reader.send(b"echo hi$((40+2))\r")
        reader.expect("hi42", 10, pos)
        reader.send(CTRL_RBRACKET)
        self.assertEqual(self.wait_exit(proc, reader), 0, reader.text[-2000:])
        self.assertNotIn("closed", reader.text)
        self.assertEqual(self.state(), "running")

    def test_2_reattach(self):
        proc, reader, pos = self.attach()
        reader.send(b"echo again$((1+1))\r")
        reader.expect("again2", 10, pos)
        reader.send(CTRL_RBRACKET)
        self.assertEqual(self.wait_exit(proc, reader), 0)

    def test_3_guest_stops(self):
        proc, reader, pos = self.attach()
        r = modvirt(self.uri, "power-off", self.name)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.wait_exit(proc, reader, 20), 0, reader.text[-2000:])
        self.assertIn("console of 'con1' closed", reader.text)


if __name__ == "__main__":
    mvtest.main()
