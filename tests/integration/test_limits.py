#!/usr/bin/python3
"""Per-client resource bounds of modvirt-qemud (issue 8).

* a client that pipelines calls on qemu-ro.sock and never reads makes the
  daemon stop reading it: the daemon's memory stays bounded and is not kept
  after the client leaves;
* read-only connections cannot take the slots of read-write and admin ones;
  a connection that never sends a call is dropped after first_call_timeout;
* client-supplied strings are truncated in the log, and a client's repeated
  failures are rate-limited there.

Memory checks compare the daemon's VmRSS before and after, with generous
bounds (tens of MB where the unbounded daemon grows by hundreds).
"""

import os
import socket
import struct
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
from mvtest import (CONNECT_RO, PROC_CONNECT_LIST_ALL_DOMAINS, PROC_CONNECT_OPEN,  # noqa: E402
                    REMOTE_PROGRAM, Daemon, WireClient, XdrWriter, encode_message)

MiB = 1024 * 1024
ADMIN_PROGRAM = 0x06900690


def rss_bytes(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS for pid %d" % pid)


def pipeline_without_reading(path, ncalls, growth_limit, pid, open_flags=0):
    """Send up to ncalls LIST_ALL_DOMAINS calls on a fresh connection without
    reading a byte. Stops early when the daemon stops reading (sending blocks
    for 3 s) or when its RSS grew past growth_limit (so an unbounded daemon
    does not eat the machine). Returns (client, calls sent, RSS growth)."""
    c = WireClient(path)
    c.open(flags=open_flags)
    before = rss_bytes(pid)
    args = XdrWriter().i32(1).u32(0).bytes()
    batch = b"".join(encode_message(REMOTE_PROGRAM, PROC_CONNECT_LIST_ALL_DOMAINS, args,
                                    serial=1000 + i) for i in range(5000))
    sent = 0
    c.sock.settimeout(3)
    while sent < ncalls:
        try:
            c.sock.sendall(batch)
        except socket.timeout:
            break           # the daemon stopped reading us: back-pressure
        sent += 5000
        if rss_bytes(pid) - before > growth_limit:
            break
    time.sleep(0.5)         # let the daemon finish what it read
    return c, sent, rss_bytes(pid) - before


class QueueBound(unittest.TestCase):
    def test_pipelined_calls_without_reading_ro(self):
        """qemu-ro.sock: 400,000 pipelined calls, no reads: the daemon must stop
        reading and stay within 40 MB of growth (unbounded: ~4 KiB per reply)."""
        d = Daemon().start()
        try:
            # warm up allocator arenas so the baseline is fair
            WireClient(d.ro_sock).open().close()
            c, sent, growth = pipeline_without_reading(d.ro_sock, 400000, 40 * MiB, d.pid)
            self.assertLess(growth, 40 * MiB,
                            "daemon grew by %d MB after %d unread calls"
                            % (growth // MiB, sent))
            self.assertLess(sent, 400000, "the daemon never stopped reading the client")
            # The connection is still served once the client reads again.
            got = 0
            deadline = time.monotonic() + 20
            c.sock.settimeout(20)
            while time.monotonic() < deadline:
                m = c.recv_message(timeout=10)
                if m.serial >= 1000:
                    got += 1
                if got >= 2000:
                    break
            self.assertGreaterEqual(got, 2000)
            c.close()
            # A new client is served, and the memory did not stay behind.
            self.assertEqual(WireClient(d.ro_sock).open().get_type(), "QEMU")
        finally:
            d.stop()

    def test_memory_returned_after_client_leaves(self):
        if mvtest.SANITIZED:
            self.skipTest("ASan's allocator keeps freed memory (quarantine, shadow); "
                          "the normal pass measures this")
        d = Daemon().start()
        try:
            WireClient(d.ro_sock).open().close()
            base = rss_bytes(d.pid)
            c, _, _ = pipeline_without_reading(d.ro_sock, 400000, 40 * MiB, d.pid)
            c.close()
            self.assertTrue(mvtest.wait_for(
                lambda: d.log().count(" disconnected") >= 2, 10))
            time.sleep(1)
            WireClient(d.ro_sock).open().get_type()
            left = rss_bytes(d.pid) - base
            self.assertLess(left, 20 * MiB, "daemon kept %d MB after the client left"
                            % (left // MiB))
        finally:
            d.stop()


class ConnectionSlots(unittest.TestCase):
    CONFIG = ("[server]\nmax_clients = 40\nmax_readonly_clients = 30\n"
              "admin_max_clients = 5\nfirst_call_timeout = 60\n")

    def test_readonly_flood_leaves_readwrite_and_admin(self):
        d = Daemon(config=self.CONFIG).start()
        socks = []
        try:
            # fill the read-only pool and then some: 50 idle connections
            for _ in range(50):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(d.ro_sock)
                socks.append(s)
            time.sleep(0.5)
            # read-write still served
            for _ in range(5):
                c = WireClient(d.sock, timeout=5)
                self.assertEqual(c.open().get_type(), "QEMU")
                socks.append(c.sock)
            # admin still served (its own pool)
            a = WireClient(d.admin_sock, timeout=5)
            a.call_ok(1, XdrWriter().u32(0).bytes(), prog=ADMIN_PROGRAM)
            self.assertGreater(a.call_ok(3, prog=ADMIN_PROGRAM).u64(), 0)
            socks.append(a.sock)
            # the read-only ones beyond 30 were refused (closed by the daemon)
            refused = 0
            for s in socks[:50]:
                s.settimeout(0.2)
                try:
                    if s.recv(1) == b"":
                        refused += 1
                except (socket.timeout, ConnectionResetError):
                    pass
            self.assertEqual(refused, 20)
            self.assertIn("max_readonly_clients", d.log())
        finally:
            for s in socks:
                s.close()
            d.stop()

    def test_idle_connection_dropped_after_first_call_timeout(self):
        d = Daemon(config="[server]\nfirst_call_timeout = 2\n").start()
        try:
            idle = WireClient(d.ro_sock)
            busy = WireClient(d.ro_sock).open()
            self.assertTrue(idle.wait_closed(timeout=15), "idle connection was not dropped")
            # one that called stays
            self.assertEqual(busy.get_type(), "QEMU")
            self.assertIn("sent no call within first_call_timeout", d.log())
        finally:
            d.stop()

    def test_invalid_limits_refused(self):
        for bad in ("max_readonly_clients = 50\nmax_clients = 50\n",
                    "max_client_queue = 10\n",
                    "first_call_timeout = -1\n",
                    "admin_max_clients = 0\n"):
            d = Daemon(config="[server]\n" + bad)
            try:
                d.spawn()
                self.assertEqual(d.wait(15), 1, bad)
            finally:
                d.cleanup()


class LogFlood(unittest.TestCase):
    def test_huge_uri_is_truncated_in_the_log(self):
        d = Daemon(env={"MODVIRT_LOG": "info"}).start()
        try:
            size0 = os.path.getsize(d.log_path)
            c = WireClient(d.sock)
            uri = "bogus://" + "x" * (4 * MiB - 64)   # just under the string limit
            err = c.call_err(PROC_CONNECT_OPEN, XdrWriter().opt_string(uri).u32(0).bytes())
            self.assertEqual(err["code"], 5)    # VIR_ERR_NO_CONNECT
            self.assertEqual(c.open().get_type(), "QEMU")
            grown = os.path.getsize(d.log_path) - size0
            self.assertLess(grown, 64 * 1024, "log grew by %d bytes" % grown)
            self.assertIn("[truncated", d.log())
        finally:
            d.stop()

    def test_repeated_failures_rate_limited(self):
        """2,000 failing calls (a second CONNECT_OPEN) from one client: a few
        log lines and a count of the suppressed ones, not 2,000 lines."""
        d = Daemon(env={"MODVIRT_LOG": "info"}).start()
        try:
            c = WireClient(d.sock).open()
            size0 = os.path.getsize(d.log_path)
            payload = XdrWriter().opt_string("qemu:///system" + "#" * 200).u32(0).bytes()
            for _ in range(2000):
                c.call_err(PROC_CONNECT_OPEN, payload)
            self.assertEqual(c.get_type(), "QEMU")
            lines = [ln for ln in d.log().splitlines() if "failed for client" in ln]
            self.assertGreater(len(lines), 0)
            self.assertLess(len(lines), 100, "%d failure lines logged" % len(lines))
            self.assertLess(os.path.getsize(d.log_path) - size0, 64 * 1024)
        finally:
            d.stop()

if __name__ == "__main__":
    mvtest.main()
