#!/usr/bin/python3
"""modvirt-proxyd's fast path (issue 15): one client pipelines 1,000 forwarded
calls in a single write on proxy.sock; every reply comes back, in the order
sent, with the serial of its call and the answer to that call (a lookup's
error names the domain that call asked for). Replies are read only after
everything was sent, so the proxy's batching (several frames per write in
both directions) and its in-flight limit are crossed many times."""

import os
import re
import socket
import struct
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import proxytest  # noqa: E402
from proxytest import mvtest  # noqa: E402
from mvtest import (ERROR, OK, PROC_CONNECT_GET_TYPE, PROC_CONNECT_GET_VERSION,  # noqa: E402
                    REMOTE_PROGRAM, REPLY, WireClient, XdrReader, XdrWriter, decode_error,
                    encode_message)

PROC_DOMAIN_LOOKUP_BY_NAME = 23
PROC_CONNECT_NUM_OF_DOMAINS = 51
CALLS = 1000
FIRST_SERIAL = 7000


def plan(i):
    """(proc, payload) of call number i: forwarded calls that modvirt-qemud
    answers on its I/O thread, so their replies keep the order of the calls."""
    kind = i % 4
    if kind == 0:
        return PROC_CONNECT_GET_VERSION, b""
    if kind == 1:
        return PROC_DOMAIN_LOOKUP_BY_NAME, XdrWriter().string("pipe-%04d" % i).bytes()
    if kind == 2:
        return PROC_CONNECT_GET_TYPE, b""
    return PROC_CONNECT_NUM_OF_DOMAINS, b""


class ProxyPipeline(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.st = proxytest.Stack().start()

    @classmethod
    def tearDownClass(cls):
        cls.st.cleanup()

    def pipeline(self, sock_path):
        c = WireClient(sock_path, timeout=60).open()
        version = c.call_ok(PROC_CONNECT_GET_VERSION).u64()
        batch = b"".join(encode_message(REMOTE_PROGRAM, plan(i)[0], plan(i)[1],
                                        serial=FIRST_SERIAL + i) for i in range(CALLS))
        # the proxy stops reading at its in-flight limit: send from a thread
        sender_error = []

        def send():
            try:
                c.sock.sendall(batch)
            except OSError as e:
                sender_error.append(e)

        c.sock.settimeout(None)
        t = threading.Thread(target=send)
        t.start()
        got = []
        try:
            for i in range(CALLS):
                m = c.recv_message(timeout=60)
                got.append(m)
        finally:
            t.join(60)
        self.assertFalse(sender_error, sender_error)
        for i, m in enumerate(got):
            proc, _ = plan(i)
            where = "reply %d of %d" % (i, CALLS)
            self.assertEqual(m.type, REPLY, where)
            self.assertEqual((m.prog, m.proc, m.serial), (REMOTE_PROGRAM, proc, FIRST_SERIAL + i),
                             where + ": out of order or wrong header")
            if proc == PROC_DOMAIN_LOOKUP_BY_NAME:
                self.assertEqual(m.status, ERROR, where)
                err = decode_error(m.payload)
                self.assertIn("'pipe-%04d'" % i, err["message"] or "", where)
                continue
            self.assertEqual(m.status, OK, where)
            r = XdrReader(m.payload)
            if proc == PROC_CONNECT_GET_VERSION:
                self.assertEqual(r.u64(), version, where)
            elif proc == PROC_CONNECT_GET_TYPE:
                self.assertEqual(r.string(), "QEMU", where)
            else:
                self.assertEqual(r.i32(), 0, where)
        # nothing more than the 1,000 replies, and the connection still works
        c.sock.settimeout(0.3)
        try:
            extra = c.sock.recv(1)
        except socket.timeout:
            extra = None
        c.sock.settimeout(10)
        self.assertIsNone(extra, "bytes after the last reply")
        self.assertEqual(c.call_ok(PROC_CONNECT_GET_TYPE).string(), "QEMU")
        c.close()

    def test_pipelined_1000_through_proxy(self):
        self.pipeline(self.st.path("run", "proxy.sock"))

    def test_calls_then_garbage_in_one_write(self):
        """Calls batched for the backend, then an invalid length word in the same
        read: the client is dropped and its backend connection to modvirt-qemud
        is closed too (the batch it held is released, not leaked)."""
        def counts():
            text = mvtest.read_text(self.st.qemud.log_path)
            return (len(re.findall(r"client \d+ connected", text)),
                    len(re.findall(r"client \d+ disconnected", text)))

        self.assertTrue(mvtest.wait_for(lambda: counts()[0] == counts()[1], 10),
                        "backend connections open before the test: %r" % (counts(),))
        c = WireClient(self.st.path("run", "proxy.sock"), timeout=10).open()
        opened = counts()[0]
        calls = b"".join(encode_message(REMOTE_PROGRAM, PROC_CONNECT_GET_VERSION, b"",
                                        serial=50 + i) for i in range(4))
        c.send_raw(calls + struct.pack(">I", 0xFFFFFFF0) + b"\0" * 24)
        self.assertTrue(c.wait_closed(10), "the proxy kept a client that sent garbage")
        c.close()
        self.assertTrue(mvtest.wait_for(lambda: counts()[1] >= opened, 10),
                        "the backend connection of the dropped client stayed open: %r"
                        % (counts(),))

    def test_pipelined_1000_direct(self):
        # the same sequence straight to modvirt-qemud: what the proxy must match
        self.pipeline(self.st.path("run", "qemu.sock"))


if __name__ == "__main__":
    proxytest.require_binaries()
    mvtest.main()
