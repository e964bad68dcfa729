#!/usr/bin/python3
"""Socket activation with systemd-socket-activate: the daemon serves on the
passed sockets, binds the missing ones itself and exits after --timeout idle
seconds."""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import unittest  # noqa: E402
from mvtest import Daemon, WireClient  # noqa: E402


class SocketActivation(unittest.TestCase):
    def setUp(self):
        self.d = Daemon()
        os.makedirs(self.d.rundir, exist_ok=True)

    def tearDown(self):
        self.d.cleanup()      # the activator exec()s the daemon: same PID

    def activate(self, *paths):
        argv = ["systemd-socket-activate"]
        for p in paths:
            argv += ["-l", p]
        argv += [self.d.binary, "--root", self.d.root, "--timeout", "2"]
        self.d.spawn(argv)
        # The socket file appears at bind(), before listen(): a connect() in between
        # is refused.  systemd-socket-activate logs "Listening on PATH as FD." once
        # each socket listens; wait for those lines rather than for the files.
        ok = mvtest.wait_for(
            lambda: all("Listening on %s as" % p in self.d.log() for p in paths), 10)
        self.assertTrue(ok, "systemd-socket-activate did not listen on %s\n%s"
                        % (paths, self.d.log()))

    def check_first_call_and_idle_exit(self):
        t0 = time.monotonic()
        res = mvtest.virsh(self.d.uri, "version")
        self.assertEqual(res.returncode, 0, "%s\n%s\n%s" % (res.stdout, res.stderr, self.d.log()))
        self.assertIn("Running hypervisor: QEMU", res.stdout)
        self.assertNotIn("error:", res.stdout + res.stderr)
        # the daemon bound the read-only socket itself
        self.assertTrue(mvtest.wait_for(lambda: mvtest.socket_accepts(self.d.ro_sock), 5),
                        "read-only socket not served\n" + self.d.log())
        c = WireClient(self.d.ro_sock)
        try:
            self.assertEqual(c.open().get_type(), "QEMU")
        finally:
            c.close()
        status = self.d.wait(15)
        elapsed = time.monotonic() - t0
        self.assertEqual(status, 0, "exit status %s after %.1fs\n%s"
                         % (status, elapsed, self.d.log()))
        self.assertGreaterEqual(elapsed, 2.0)
        self.assertLessEqual(elapsed, 10)

    def test_rw_socket_passed(self):
        self.activate(self.d.sock)
        self.check_first_call_and_idle_exit()

    def test_rw_and_ro_sockets_passed(self):
        self.activate(self.d.sock, self.d.ro_sock)
        self.check_first_call_and_idle_exit()

    def test_ro_socket_passed_is_read_only(self):
        self.activate(self.d.sock, self.d.ro_sock)
        c = WireClient(self.d.ro_sock)      # first connection triggers the exec
        try:
            c.open("qemu:///system", 0)
            err = c.call_err(mvtest.PROC_DOMAIN_DEFINE_XML,
                             mvtest.XdrWriter().string("<domain/>").bytes())
            self.assertEqual(err["code"], mvtest.ERR_OPERATION_DENIED, err)
        finally:
            c.close()
        self.assertEqual(self.d.wait(15), 0, self.d.log())


if __name__ == "__main__":
    mvtest.require_tools("systemd-socket-activate", "virsh")
    mvtest.require_daemon()
    mvtest.main()
