#!/usr/bin/python3
"""modvirt-proxyd's fast path (issue 15, item 1): a forwarded call and its
reply cross the proxy without a thread hand-off. The backend connections are
served by the I/O thread that serves the clients (mv_rpc_client_attach), so
however many clients are connected the proxy runs no per-backend reader
thread ("rpc-client"), and calls of several clients, interleaved on that one
thread, each get their own answers in order. A worker waiting in a blocking
call on such a connection (SET_IDENTITY, forwarded by the proxy) does not
keep the proxy from stopping: nobody would read the reply any more."""

import os
import signal
import struct
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import proxytest  # noqa: E402
from proxytest import mvtest  # noqa: E402
from mvtest import (ERROR, PROC_CONNECT_GET_VERSION, REMOTE_PROGRAM, WireClient,  # noqa: E402
                    XdrWriter, decode_error, encode_message)

PROC_DOMAIN_LOOKUP_BY_NAME = 23
PROC_CONNECT_SET_IDENTITY = 419
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


class ProxyStopsWithBlockedCall(unittest.TestCase):
    def setUp(self):
        self.st = proxytest.Stack().start()

    def tearDown(self):
        self.st.qemud.signal(signal.SIGCONT)
        self.st.cleanup()

    def test_sigterm_while_set_identity_waits(self):
        if os.getuid() != 0:
            self.skipTest("SET_IDENTITY is forwarded for root peers only")
        c = WireClient(self.st.path("run", "proxy.sock"), timeout=30).open()
        c.call_ok(PROC_CONNECT_GET_VERSION)
        # modvirt-qemud stops answering: the worker forwarding SET_IDENTITY waits
        self.st.qemud.signal(signal.SIGSTOP)
        c.send_raw(encode_message(REMOTE_PROGRAM, PROC_CONNECT_SET_IDENTITY,
                                  struct.pack(">II", 0, 0), serial=900))
        time.sleep(0.5)     # the call reaches the worker (a later one only finds it faster)
        started = time.monotonic()
        status = self.st.proxy.stop(timeout=20)
        took = time.monotonic() - started
        c.close()
        self.assertEqual(status, 0, "modvirt-proxyd did not stop on SIGTERM within 20 s "
                         "while a SET_IDENTITY waited for a stopped daemon (killed after "
                         "%.1f s)" % took)


if __name__ == "__main__":
    proxytest.require_binaries()
    mvtest.main()
