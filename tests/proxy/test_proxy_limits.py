#!/usr/bin/python3
"""modvirt-proxyd's per-client bounds (issue 8): a client that pipelines calls
on proxy-ro.sock and never reads makes the proxy stop reading it; the proxy's
memory stays bounded (unbounded, it grew from 17 MB to 89 MB) and it keeps
serving other clients."""

import os
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import proxytest  # noqa: E402
from proxytest import mvtest  # noqa: E402
from mvtest import (PROC_CONNECT_LIST_ALL_DOMAINS, REMOTE_PROGRAM, WireClient,  # noqa: E402
                    XdrWriter, encode_message)

MiB = 1024 * 1024


def rss_bytes(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS for pid %d" % pid)


class ProxyQueueBound(unittest.TestCase):
    def test_pipelined_calls_without_reading(self):
        st = proxytest.Stack().start()
        try:
            ro = st.path("run", "proxy-ro.sock")
            WireClient(ro).open().close()
            pid = st.proxy.pid
            c = WireClient(ro).open()
            # ASan (sanitized pass) adds its quarantine (16 MiB) and redzones
            bound = (36 if mvtest.SANITIZED else 20) * MiB
            before = rss_bytes(pid)
            args = XdrWriter().i32(1).u32(0).bytes()
            batch = b"".join(encode_message(REMOTE_PROGRAM, PROC_CONNECT_LIST_ALL_DOMAINS, args,
                                            serial=1000 + i) for i in range(5000))
            sent = 0
            c.sock.settimeout(3)
            while sent < 300000:
                try:
                    c.sock.sendall(batch)
                except socket.timeout:
                    break       # back-pressure: the proxy stopped reading us
                sent += 5000
                if rss_bytes(pid) - before > bound + 10 * MiB:
                    break
            time.sleep(0.5)
            growth = rss_bytes(pid) - before
            self.assertLess(growth, bound, "proxy grew by %d MB after %d unread calls"
                            % (growth // MiB, sent))
            self.assertLess(sent, 300000, "the proxy never stopped reading the client")
            # others are still served through the proxy
            self.assertEqual(WireClient(st.path("run", "proxy.sock")).open().get_type(),
                             "QEMU")
            c.close()
        finally:
            st.cleanup()


if __name__ == "__main__":
    proxytest.require_binaries()
    mvtest.main()
