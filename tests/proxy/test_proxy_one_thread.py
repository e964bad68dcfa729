#!/usr/bin/python3
"""modvirt-proxyd's fast path (issue 15, item 1): a forwarded call and its
reply cross the proxy without a thread hand-off. The backend connections are
served by the I/O thread that serves the clients (mv_rpc_client_attach), so
however many clients are connected the proxy runs no per-backend reader
thread ("rpc-client"), and calls of several clients, interleaved on that one
thread, each get their own answers in order."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import proxytest  # noqa: E402
from proxytest import mvtest  # noqa: E402
from mvtest import (ERROR, PROC_CONNECT_GET_VERSION, REMOTE_PROGRAM, WireClient,  # noqa: E402
                    XdrWriter, decode_error, encode_message)

PROC_DOMAIN_LOOKUP_BY_NAME = 23
CLIENTS = 6
CALLS = 50


def thread_names(pid):
    names = []
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            names.append(mvtest.read_text("/proc/%d/task/%s/comm" % (pid, tid)).strip())
        except OSError:
            pass    # the thread ended meanwhile
    return names


class ProxyOneThread(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.st = proxytest.Stack().start()

    @classmethod
    def tearDownClass(cls):
        cls.st.cleanup()

    def test_clients_share_the_io_thread(self):
        sock = self.st.path("run", "proxy.sock")
        clients = [WireClient(sock, timeout=30).open() for _ in range(CLIENTS)]
        try:
            for c in clients:
                c.call_ok(PROC_CONNECT_GET_VERSION)
            names = thread_names(self.st.proxy.pid)
            self.assertNotIn("rpc-client", names,
                             "%d clients open: the proxy runs a reader thread per backend "
                             "connection: %r" % (CLIENTS, names))
            # every client pipelines lookups; all are sent before any reply is read
            for n, c in enumerate(clients):
                c.send_raw(b"".join(
                    encode_message(REMOTE_PROGRAM, PROC_DOMAIN_LOOKUP_BY_NAME,
                                   XdrWriter().string("c%d-%03d" % (n, i)).bytes(),
                                   serial=100 + i) for i in range(CALLS)))
            for n, c in enumerate(clients):
                for i in range(CALLS):
                    m = c.recv_message(timeout=30)
                    where = "client %d reply %d" % (n, i)
                    self.assertEqual((m.proc, m.serial, m.status),
                                     (PROC_DOMAIN_LOOKUP_BY_NAME, 100 + i, ERROR), where)
                    self.assertIn("'c%d-%03d'" % (n, i), decode_error(m.payload)["message"],
                                  where)
        finally:
            for c in clients:
                c.close()


if __name__ == "__main__":
    proxytest.require_binaries()
    mvtest.main()
