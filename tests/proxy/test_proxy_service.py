"""modvirt-proxyd as a service: its TLS and TCP listeners passed by socket
activation and recognised by their fd names (FileDescriptorName in
systemd/modvirt-proxyd-{tls,tcp}.socket), a SIGHUP whose certificates do not
load keeps every old setting and keeps serving new TLS clients, and a stock
client's close callback fires when the hypervisor daemon behind the proxy dies.
"""

import os
import signal
import socket
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import proxytest  # noqa: E402
from proxytest import mvtest  # noqa: E402
from test_proxy_readonly import TlsWireClient  # noqa: E402


def tcp_client(port):
    """A raw client on plain TCP (the WireClient framing over a TCP socket)."""
    c = TlsWireClient.__new__(TlsWireClient)
    c.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    c.path, c.timeout, c.answer_pings = None, 10, True
    c.serial, c.buf, c.pings_seen, c.pending = 0, b"", 0, []
    return c


class ActivationByName(unittest.TestCase):
    """systemd-socket-activate passes proxy.sock and two TCP sockets named
    proxy-tls and proxy-tcp (as the units do); proxy.conf names no listen
    address, so only the names can tell which socket is TLS."""

    def setUp(self):
        mvtest.require_tools("systemd-socket-activate")
        self.st = proxytest.Stack()
        self.st.pki("init", "--cn", "alice", "--client-dir", self.st.path("alice"))
        self.st.qemud.start()
        self.proxy = mvtest.Daemon(root=self.st.root, name="proxy", binary=proxytest.PROXYD)
        self.st.proxy = self.proxy           # stopped (by PID) by st.cleanup()

    def tearDown(self):
        self.st.cleanup()

    def test_tls_and_tcp_by_fd_name(self):
        tls_port, tcp_port = proxytest.free_port(), proxytest.free_port()
        while tcp_port == tls_port:
            tcp_port = proxytest.free_port()
        listen = [self.proxy.sock, "127.0.0.1:%d" % tcp_port, "127.0.0.1:%d" % tls_port]
        argv = ["systemd-socket-activate"]
        for addr in listen:
            argv += ["-l", addr]
        # names in the order of -l; the TCP one first so that order cannot match
        argv += ["--fdname=proxy:proxy-tcp:proxy-tls",
                 proxytest.PROXYD, "--root", self.st.root]
        self.proxy.spawn(argv)
        ok = mvtest.wait_for(lambda: all("Listening on %s as" % a in self.proxy.log()
                                         for a in listen), 10)
        self.assertTrue(ok, self.proxy.log())

        # TLS on the socket named proxy-tls (the first connection starts the proxy)
        c = TlsWireClient(tls_port, self.st.path("alice"))
        try:
            self.assertEqual(c.open().get_type(), "QEMU")
        finally:
            c.close()
        res = mvtest.virsh(self.st.tls_uri(self.st.path("alice"), port=tls_port), "list")
        self.assertEqual(res.returncode, 0, res.stderr + self.proxy.log())
        # plain RPC on the socket named proxy-tcp
        c = tcp_client(tcp_port)
        try:
            self.assertEqual(c.open().get_type(), "QEMU")
        finally:
            c.close()
        # the UNIX socket by its path, and the proxy bound nothing else for TCP
        self.assertEqual(mvtest.WireClient(self.proxy.sock).open().get_type(), "QEMU")
        self.assertIn("serving TLS on a passed socket (port %d)" % tls_port, self.proxy.log())


class FailedReload(unittest.TestCase):
    """SIGHUP with a broken, then a missing, server certificate: the old
    certificate and allow-list stay in force and new TLS clients are served."""

    def setUp(self):
        self.st = st = proxytest.Stack()
        st.tls_port = proxytest.free_port()
        st.pki("init", "--cn", "alice", "--client-dir", st.path("alice"))
        st.proxy_config = self.config("C=GB,O=modvirt,CN=alice")
        st.start()

    def tearDown(self):
        self.st.cleanup()

    def config(self, allowed):
        return "[tls]\nlisten = 127.0.0.1:%d\nallowed_dn = %s\n" % (self.st.tls_port, allowed)

    def new_tls_client_works(self):
        c = TlsWireClient(self.st.tls_port, self.st.path("alice"))
        try:
            self.assertEqual(c.open().get_type(), "QEMU")
        finally:
            c.close()

    def test_broken_and_missing_certificate(self):
        cert = self.st.path("etc", "pki", "servercert.pem")
        with open(cert, "rb") as f:
            good = f.read()
        self.new_tls_client_works()
        # the new config would also lock alice out: it must not apply either
        self.st.write_proxy_config(self.config("C=GB,O=modvirt,CN=nobody"))
        for breakage in ("broken", "missing"):
            with self.subTest(certificate=breakage):
                if breakage == "broken":
                    with open(cert, "wb") as f:
                        f.write(b"-----BEGIN CERTIFICATE-----\nnot a certificate\n")
                else:
                    os.unlink(cert)
                before = self.st.proxy.log().count("keeping the old settings")
                self.st.proxy.signal(signal.SIGHUP)
                self.assertTrue(mvtest.wait_for(
                    lambda: self.st.proxy.log().count("keeping the old settings") > before, 10),
                    self.st.proxy.log())
                self.assertIn("the TLS certificates did not load", self.st.proxy.log())
                self.assertTrue(self.st.proxy.running())
                self.new_tls_client_works()
                res = mvtest.virsh(self.st.tls_uri(self.st.path("alice")), "list")
                self.assertEqual(res.returncode, 0, res.stderr)
        with open(cert, "wb") as f:
            f.write(good)


class CloseCallback(unittest.TestCase):
    """python3-libvirt's registerCloseCallback through the proxy fires when
    modvirt-qemud dies: the proxy closes the client's connection."""

    def test_close_callback_on_backend_death(self):
        mvtest.require_python_libvirt()
        import libvirt
        libvirt.virEventRegisterDefaultImpl()
        loop = threading.Thread(target=lambda: [libvirt.virEventRunDefaultImpl()
                                                for _ in iter(int, 1)], daemon=True)
        loop.start()
        st = proxytest.Stack().start()
        try:
            fired = threading.Event()
            reasons = []

            def on_close(conn, reason, opaque):
                reasons.append(reason)
                fired.set()

            conn = libvirt.open(st.uri)
            conn.registerCloseCallback(on_close, None)
            self.assertEqual(conn.getType(), "QEMU")
            self.assertFalse(fired.is_set())
            st.qemud.kill9()
            self.assertTrue(fired.wait(20), "close callback did not fire\n" + st.proxy.log())
            self.assertIn(reasons[0], (libvirt.VIR_CONNECT_CLOSE_REASON_EOF,
                                       libvirt.VIR_CONNECT_CLOSE_REASON_ERROR), reasons)
            self.assertTrue(st.proxy.running(), "the proxy itself must survive")
            self.assertIn("modvirt-qemud closed the connection of client", st.proxy.log())
            try:
                conn.close()
            except libvirt.libvirtError:
                pass
        finally:
            st.cleanup()


if __name__ == "__main__":
    proxytest.require_binaries()
    mvtest.require_tools("virsh")
    mvtest.main()
