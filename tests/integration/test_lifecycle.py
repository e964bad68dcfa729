#!/usr/bin/python3
"""Daemon process lifecycle: pidfile lock, SIGTERM cleanup, restart after
kill -9, sd_notify READY=1, SIGHUP reload, --timeout idle exit."""

import os
import subprocess
import shutil
import re
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import unittest  # noqa: E402
from mvtest import Daemon, WireClient  # noqa: E402


class Lifecycle(unittest.TestCase):
    def setUp(self):
        self.daemons = []

    def tearDown(self):
        for d in self.daemons:
            d.cleanup()

    def daemon(self, **kw):
        d = Daemon(**kw)
        self.daemons.append(d)
        return d

    def assert_serves(self, d, path=None):
        c = WireClient(path or d.sock)
        try:
            self.assertEqual(c.open().get_type(), "QEMU")
        finally:
            c.close()

    def test_sockets_and_pidfile(self):
        d = self.daemon().start()
        for path in (d.sock, d.ro_sock):
            self.assertTrue(mvtest.socket_accepts(path), path + " does not accept")
        self.assert_serves(d)
        self.assert_serves(d, d.ro_sock)
        with open(d.pidfile) as f:
            self.assertEqual(int(f.read().strip()), d.pid)

    def test_admin_socket(self):
        """virt-admin on the admin socket: servers, version, log filters at runtime."""
        d = self.daemon().start()
        self.assertTrue(mvtest.socket_accepts(d.admin_sock), d.admin_sock + " does not accept")
        if not shutil.which("virt-admin"):
            self.skipTest("virt-admin is not installed")
        uri = "virtqemud:///system?socket=" + d.admin_sock

        def admin(*args):
            res = subprocess.run(["virt-admin", "-c", uri] + list(args), capture_output=True,
                                 text=True, timeout=30)
            self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
            self.assertNotIn("error:", res.stdout + res.stderr)
            return res.stdout

        self.assertIn("modvirt-qemud", admin("srv-list"))
        self.assertIn("Running against daemon", admin("version"))
        admin("daemon-log-filters", "1:rpc 3:qemu")
        filters = admin("daemon-log-filters")
        self.assertIn("1:rpc", filters)
        self.assertIn("3:qemu", filters)
        # the admin socket serves no REMOTE calls, and the object socket no ADMIN calls
        res = subprocess.run(["virt-admin", "-c", "virtqemud:///system?socket=" + d.sock,
                              "srv-list"], capture_output=True, text=True, timeout=30)
        self.assertNotEqual(res.returncode, 0)

    def test_second_instance_refused(self):
        d = self.daemon().start()
        second = self.daemon(root=d.root)
        t0 = time.monotonic()
        second.spawn()
        status = second.wait(10)
        self.assertLess(time.monotonic() - t0, 5, "second instance did not fail at once")
        self.assertEqual(status, 1, "second instance: exit status %s\n%s" % (status, second.log()))
        self.assertIn("qemu.pid", second.log(), "message does not name the pidfile")
        # the first one is untouched
        self.assertTrue(d.running())
        self.assert_serves(d)
        self.assertTrue(os.path.exists(d.pidfile))

    def test_sigterm_cleans_up(self):
        d = self.daemon().start()
        c = WireClient(d.sock).open()        # a connected client must not block exit
        try:
            d.signal(signal.SIGTERM)
            status = d.wait(10)
        finally:
            c.close()
        self.assertEqual(status, 0, d.log())
        for path in (d.sock, d.ro_sock, d.admin_sock, d.pidfile):
            self.assertFalse(os.path.exists(path), path + " left behind after SIGTERM")

    def test_restart_after_kill9(self):
        d = self.daemon().start()
        self.assert_serves(d)
        d.kill9()
        self.assertTrue(os.path.exists(d.pidfile), "pidfile vanished on SIGKILL?")
        again = self.daemon(root=d.root)
        t0 = time.monotonic()
        again.start(timeout=10)
        self.assertLess(time.monotonic() - t0, 5, "restart after kill -9 was slow")
        self.assert_serves(again)
        with open(again.pidfile) as f:
            self.assertEqual(int(f.read().strip()), again.pid)
        if mvtest.shutil.which("virsh"):
            res = mvtest.virsh(again.uri, "version", check=True)
            self.assertIn("Running hypervisor: QEMU", res.stdout)

    def test_sd_notify_ready(self):
        d = self.daemon()
        path = os.path.join(d.root, "notify.sock")
        ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            ns.bind(path)
            ns.settimeout(10)
            d.extra_env["NOTIFY_SOCKET"] = path
            d.spawn()
            received = b""
            deadline = time.monotonic() + 10
            while b"READY=1" not in received.split(b"\n") and time.monotonic() < deadline:
                try:
                    received += ns.recv(4096) + b"\n"
                except socket.timeout:
                    break
            self.assertIn(b"READY=1", received.split(b"\n"), "got %r\n%s" % (received, d.log()))
            # READY means serving: the socket must accept right now
            self.assertTrue(mvtest.socket_accepts(d.sock), "READY=1 sent before serving")
            self.assert_serves(d)
        finally:
            ns.close()

    def test_sighup_reloads_log_filters(self):
        # log lines: "DATE TIME PID LEVEL CATEGORY: message" (common/util/log.h)
        debug_rpc = re.compile(r"^\S+ \S+ \d+ debug rpc: ", re.M)
        d = self.daemon(config="[log]\nfilters=warning\n", env={"MODVIRT_LOG": ""}).start()
        c = WireClient(d.sock).open()
        try:
            self.assert_serves(d)
            time.sleep(0.2)
            self.assertIsNone(debug_rpc.search(d.log()), "debug lines with filters=warning")
            with open(d.config_path, "w") as f:
                f.write("[log]\nfilters=warning,rpc=debug\n")
            d.signal(signal.SIGHUP)
            time.sleep(0.5)
            self.assertTrue(d.running(), "daemon died on SIGHUP\n" + d.log())
            self.assertEqual(c.get_type(), "QEMU")      # existing client kept
            self.assert_serves(d)
            self.assertTrue(mvtest.wait_for(lambda: debug_rpc.search(d.log()), 3),
                            "no rpc debug lines after reloading filters=warning,rpc=debug\n"
                            + d.log())
            # a broken config on reload keeps the daemon (and the old settings) alive
            with open(d.config_path, "w") as f:
                f.write("[log]\nfilters=this is not a filter\n")
            d.signal(signal.SIGHUP)
            time.sleep(0.5)
            self.assertTrue(d.running(), "daemon died on SIGHUP with a bad config\n" + d.log())
            self.assertEqual(c.get_type(), "QEMU")
        finally:
            c.close()

    def test_config_file_option(self):
        conf = os.path.join(mvtest.tempfile.mkdtemp(prefix="mvt-conf-"), "custom.conf")
        try:
            with open(conf, "w") as f:
                f.write("[server]\nmax_clients=2\n")
            d = self.daemon(config_file=conf).start()

            def open_client():
                # the readiness probes of start() may still hold slots for a moment
                deadline = time.monotonic() + 5
                while True:
                    try:
                        return WireClient(d.sock).open()
                    except (mvtest.ConnectionClosed, OSError):
                        if time.monotonic() > deadline:
                            raise
                        time.sleep(0.05)

            a = open_client()
            b = open_client()
            try:
                self.assertEqual(a.get_type(), "QEMU")
                self.assertEqual(b.get_type(), "QEMU")
                # a third client is over the limit: refused or closed, never served
                try:
                    third = WireClient(d.sock, timeout=3)
                except OSError:
                    third = None
                if third is not None:
                    try:
                        third.open()
                        self.fail("third client served despite max_clients=2")
                    except (mvtest.ConnectionClosed, OSError):
                        pass
                    finally:
                        third.close()
            finally:
                a.close()
                b.close()
            # slots are freed when clients leave
            time.sleep(0.3)
            self.assert_serves(d)
        finally:
            mvtest.shutil.rmtree(os.path.dirname(conf), ignore_errors=True)

    def test_bad_config_fails(self):
        d = self.daemon(config="[server]\nmax_workers=banana\n")
        d.spawn()
        status = d.wait(10)
        self.assertIsNotNone(status, "daemon kept running with an invalid config")
        self.assertNotEqual(status, 0)

    def test_values_below_minimum_fail(self):
        # each key's smallest allowed value minus one: the daemon must refuse the
        # file and name the key, not start with a pool of zero workers
        for line, key in (("max_workers=0", "max_workers"),
                          ("max_clients=0", "max_clients"),
                          ("keepalive_interval=-2", "keepalive_interval"),
                          ("keepalive_count=-1", "keepalive_count")):
            with self.subTest(line=line):
                d = self.daemon(config="[server]\n%s\n" % line)
                d.spawn()
                status = d.wait(10)
                self.assertIsNotNone(status, "daemon kept running with " + line)
                self.assertNotEqual(status, 0)
                self.assertIn(key, d.log())

    def test_malformed_values_name_file_group_key(self):
        # a value that does not parse stops the start with an error naming the file,
        # the group and the key: [qemu] job_wait_ms was once silently ignored
        for group, line, key in (("qemu", "job_wait_ms=soon", "job_wait_ms"),
                                 ("qemu", "job_wait_ms=0", "job_wait_ms"),
                                 ("server", "max_workers=banana", "max_workers"),
                                 ("server", "keepalive_count=1.5", "keepalive_count")):
            with self.subTest(line=line):
                d = self.daemon(config="[%s]\n%s\n" % (group, line))
                d.spawn()
                status = d.wait(10)
                self.assertIsNotNone(status, "daemon kept running with " + line)
                self.assertNotEqual(status, 0)
                log = d.log()
                self.assertIn(d.config_path, log)
                self.assertIn("[%s]" % group, log)
                self.assertIn(key, log)

    def test_idle_timeout_exits(self):
        d = self.daemon(args=["--timeout", "2"])
        t0 = time.monotonic()
        d.start()
        status = d.wait(15)
        elapsed = time.monotonic() - t0
        self.assertEqual(status, 0, "exit status %s after %.1fs\n%s" % (status, elapsed, d.log()))
        self.assertGreaterEqual(elapsed, 1.5)
        self.assertLessEqual(elapsed, 8)
        self.assertFalse(os.path.exists(d.pidfile))

    def test_idle_timeout_waits_for_clients(self):
        d = self.daemon(args=["--timeout", "2"]).start()
        c = WireClient(d.sock).open()
        try:
            time.sleep(4)
            self.assertTrue(d.running(), "daemon exited while a client was connected")
            self.assertEqual(c.get_type(), "QEMU")
        finally:
            c.close()
        t0 = time.monotonic()
        status = d.wait(15)
        elapsed = time.monotonic() - t0
        self.assertEqual(status, 0, d.log())
        self.assertGreaterEqual(elapsed, 1.0, "exited before the idle period")
        self.assertLessEqual(elapsed, 8)

    def test_version_option(self):
        d = self.daemon()
        d.spawn([d.binary, "--version"])
        self.assertEqual(d.wait(10), 0)
        self.assertRegex(d.log(), r"\d+\.\d+\.\d+")


if __name__ == "__main__":
    mvtest.require_daemon()
    mvtest.main()
