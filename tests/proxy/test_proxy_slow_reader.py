#!/usr/bin/python3
"""A console stream through modvirt-proxyd with a slow reader (issue 15
acceptance): the tiny Linux guest writes 2 MB to its serial console while
the client reading that console through proxy.sock (raw frames) reads
nothing for 8 s. Checks: every byte arrives afterwards, unchanged and in
order, and the proxy's RSS stays bounded (6 MiB).

Limits, said plainly: the TCG serial console produces ~110 KB/s, so a
proxy without back-pressure would not exceed the RSS bound here either; the
RSS check has teeth in the volume-stream half (a stalled download and a
stalled upload of a volume through proxy.sock):
tests/integration/test_storage_stream.py (stalled_download,
test_proxy_upload_held). A virtio console (hvc0) is faster but lost bytes
behind a stalled reader even on the direct socket (somewhere in the guest's
hvc driver, QEMU or modvirt-qemud; not the proxy; not investigated), so it
cannot give a byte-exact check yet."""

import os
import re
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import proxytest  # noqa: E402
from proxytest import mvtest  # noqa: E402
from mvtest import (CALL, CONTINUE, OK, REMOTE_PROGRAM, REPLY, STREAM, WireClient,  # noqa: E402
                    XdrWriter, decode_error, virsh)

MiB = 1024 * 1024
PROC_DOMAIN_LOOKUP_BY_NAME = 23
PROC_DOMAIN_OPEN_CONSOLE = 201
QUEUE = 256 * 1024             # the proxy's max_client_queue in this test
FLOOD = 2 * 1000 * 1000        # bytes the guest writes (its serial console: ~110 KB/s)
STALL_S = 8
LINE = b"0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXY\n"


def rss_bytes(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS for pid %d" % pid)


class ConsoleStream:
    """A console stream opened with raw frames on one WireClient."""

    def __init__(self, sock_path, name, dev=None):
        self.c = WireClient(sock_path, timeout=30).open()
        dom = self.c.call_ok(PROC_DOMAIN_LOOKUP_BY_NAME, XdrWriter().string(name).bytes())
        dev_name = XdrWriter().opt_string(dev).bytes()
        args = dom.data + dev_name + XdrWriter().u32(0).bytes()     # flags 0
        self.serial = self.c.send_message(REMOTE_PROGRAM, PROC_DOMAIN_OPEN_CONSOLE, args)
        m = self.c.recv_message()
        if m.type != REPLY or m.serial != self.serial or m.status != OK:
            raise AssertionError("console open failed: %r %r" % (
                m, decode_error(m.payload) if m.status != OK else None))

    def send(self, data):
        self.c.send_message(REMOTE_PROGRAM, PROC_DOMAIN_OPEN_CONSOLE, data, mtype=STREAM,
                            serial=self.serial, status=CONTINUE)

    def read(self, timeout):
        """The data of the next STREAM packet (b"" on timeout)."""
        try:
            m = self.c.recv_message(timeout)
        except socket.timeout:
            return b""
        if m.type != STREAM or m.serial != self.serial or m.status != CONTINUE:
            raise AssertionError("unexpected message on the console: %r" % (m,))
        return m.payload


class SlowConsoleReader(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        mvtest.require_guest()
        cls.st = proxytest.Stack(guest=True,
                                 proxy_config="[server]\nmax_client_queue = %d\n" % QUEUE)
        cls.st.start()

    @classmethod
    def tearDownClass(cls):
        cls.st.cleanup()

    def test_console_flood_slow_reader(self):
        st = self.st
        name = "pxslow"
        xml = mvtest.write_file(st.path(name + ".xml"), mvtest.linux_guest_xml(name, st.root))
        for args in (("define", xml), ("start", name)):
            r = virsh(st.uri, *args, timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
        try:
            mvtest.wait_marker(mvtest.serial_log(st.root, name), mvtest.GUEST_READY, timeout=120)
            con = ConsoleStream(st.path("run", "proxy.sock"), name)
            seen = b""
            for _ in range(20):
                con.send(b"\r")
                seen += con.read(2)
                if mvtest.GUEST_PROMPT.encode() in seen:
                    break
            self.assertIn(mvtest.GUEST_PROMPT.encode(), seen, "no shell prompt on the console")
            # the shell's terminal: no echo, no CR before each LF
            con.send(b"stty -echo -onlcr\r")
            time.sleep(1)
            while con.read(0.5):
                pass
            pid = st.proxy.pid
            before = peak = rss_bytes(pid)
            con.send(("yes %s | head -c %d; echo FLOOD-END-$((6*7))\r"
                      % (LINE[:-1].decode(), FLOOD)).encode())
            # the slow reader: nothing is read for STALL_S seconds
            deadline = time.monotonic() + STALL_S
            while time.monotonic() < deadline:
                peak = max(peak, rss_bytes(pid))
                time.sleep(0.25)
            got = bytearray()
            t_end = time.monotonic() + 300
            while b"FLOOD-END-42" not in got[-64:] and time.monotonic() < t_end:
                data = con.read(30)
                self.assertTrue(data, "the console stopped after %d bytes" % len(got))
                got += data
                peak = max(peak, rss_bytes(pid))
            body = bytes(got[:got.rfind(b"FLOOD-END-42")])
            whole, rest = divmod(FLOOD, len(LINE))
            expect = LINE * whole + LINE[:rest]
            self.assertEqual(len(body), len(expect), "flood length")
            self.assertTrue(body == expect, "the flood arrived changed or out of order")
            growth = peak - before
            print("# proxy RSS %d KiB before, peak growth %d KiB for a %d-byte flood"
                  % (before // 1024, growth // 1024, FLOOD), flush=True)
            # Under ASan the proxy's RSS is the sanitizer's (16 MiB quarantine, shadow
            # pages: 28 MiB of growth seen in CI): the bound is checked in the normal pass.
            if not mvtest.SANITIZED:
                self.assertLess(growth, 6 * MiB, "the proxy grew by %d KiB behind a slow "
                                "console reader" % (growth // 1024))
            con.c.close()
        finally:
            virsh(st.uri, "destroy", name, timeout=60)
            virsh(st.uri, "undefine", name, timeout=60)


if __name__ == "__main__":
    proxytest.require_binaries()
    mvtest.main()
