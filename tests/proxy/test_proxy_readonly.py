"""Read-only access and routing through modvirt-proxyd, on the wire.

The read-only matrix (tests/integration/romatrix.py: every procedure of the
table not allowed on read-only connections, as raw frames) on each read-only
path of the proxy: proxy-ro.sock, proxy.sock opened with VIR_CONNECT_RO, and
TLS opened with VIR_CONNECT_RO (the proxy has no read-only TLS listener).
Secure XML and graphics passwords on those paths. CONNECT_SET_IDENTITY on
proxy-ro.sock: root only.

Routing: network, storage and nwfilter calls go to their daemons' sockets,
not to qemu.sock: with no daemon there, the error names it and its socket; a
tiny fake daemon listening there records the procedures it receives (and
read-only clients reach its -ro.sock with the read-only flag).
"""

import os
import socket
import ssl
import struct
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import proxytest  # noqa: E402
from proxytest import mvtest  # noqa: E402
import romatrix  # noqa: E402

st = None
SECRET = ("proxy-ro-vnc", "Vnc-pr0xy-9")

PROC_NETWORK_LOOKUP_BY_NAME = 46
PROC_STORAGE_POOL_LOOKUP_BY_NAME = 84
PROC_NWFILTER_LOOKUP_BY_NAME = 175
# (procedure, daemon, socket name) for each secondary route
SECONDARY = [
    (PROC_NETWORK_LOOKUP_BY_NAME, "modvirt-networkd", "network"),
    (PROC_STORAGE_POOL_LOOKUP_BY_NAME, "modvirt-storaged", "storage"),
    (PROC_NWFILTER_LOOKUP_BY_NAME, "modvirt-filterd", "filter"),
]


def setUpModule():
    global st
    st = proxytest.Stack()
    st.tls_port = proxytest.free_port()
    st.pki("init", "--cn", "alice", "--client-dir", st.path("alice"))
    st.proxy_config = "[tls]\nlisten = 127.0.0.1:%d\n" % st.tls_port
    st.start()
    c = mvtest.WireClient(st.qemud.sock).open()
    try:
        c.call_ok(mvtest.PROC_DOMAIN_DEFINE_XML, mvtest.XdrWriter().string(
            romatrix.secret_domain_xml(*SECRET)).bytes())
    finally:
        c.close()


def tearDownModule():
    if st:
        # a read-only check that lets writes through may have started a guest
        mvtest.kill_qemu_under(st.root)
        st.cleanup()


class TlsWireClient(mvtest.WireClient):
    """A raw client over TLS with a client certificate from @pkidir."""

    def __init__(self, port, pkidir, timeout=10):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(os.path.join(pkidir, "cacert.pem"))
        ctx.load_cert_chain(os.path.join(pkidir, "clientcert.pem"),
                            os.path.join(pkidir, "clientkey.pem"))
        raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
        self.sock.settimeout(timeout)
        confirm = self.sock.recv(1)
        if confirm != b"\x01":
            raise AssertionError("no TLS confirmation byte: %r" % confirm)
        self.path = None
        self.timeout = timeout
        self.answer_pings = True
        self.serial = 0
        self.buf = b""
        self.pings_seen = 0
        self.pending = []


class ProxyMatrix(romatrix.ReadOnlyMatrix):
    secret_domain = SECRET

    def test_rw_sees_password(self):
        """The password is in the secure XML for read-write clients: the
        read-only checks look at real data."""
        c = mvtest.WireClient(st.path("run", "proxy.sock")).open()
        try:
            self.assertIn(SECRET[1], romatrix.rw_xml_secure(c, SECRET[0]))
        finally:
            c.close()


class MatrixProxyRoSocket(ProxyMatrix, unittest.TestCase):
    def ro_client(self):
        return mvtest.WireClient(st.path("run", "proxy-ro.sock")).open("qemu:///system", 0)


class MatrixProxyRoFlag(ProxyMatrix, unittest.TestCase):
    def ro_client(self):
        return mvtest.WireClient(st.path("run", "proxy.sock")).open("qemu:///system",
                                                                    mvtest.CONNECT_RO)


class MatrixProxyTlsRoFlag(ProxyMatrix, unittest.TestCase):
    def ro_client(self):
        return TlsWireClient(st.tls_port, st.path("alice")).open("qemu:///system",
                                                                 mvtest.CONNECT_RO)


def name_args(name):
    return mvtest.XdrWriter().string(name).bytes()


class FakeDaemon:
    """Listens on ROOT/run/NAME.sock and NAME-ro.sock, answers AUTH_LIST,
    SUPPORTS_FEATURE, CONNECT_OPEN and SET_IDENTITY, records every call as
    (socket, proc, open flags) and answers the rest with an error naming itself."""

    def __init__(self, name):
        self.name = name
        self.calls = []
        self.lock = threading.Lock()
        self.listeners = []
        self.threads = []
        self.stopping = False
        for suffix in (".sock", "-ro.sock"):
            path = st.path("run", name + suffix)
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.bind(path)
            s.listen(8)
            self.listeners.append((path, s))
            t = threading.Thread(target=self._accept, args=(path, s), daemon=True)
            t.start()
            self.threads.append(t)

    def _accept(self, path, lsock):
        while not self.stopping:
            try:
                conn, _ = lsock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(path, conn), daemon=True).start()

    def _serve(self, path, conn):
        buf = b""
        flags = None
        try:
            while True:
                while len(buf) < 4 or len(buf) < struct.unpack(">I", buf[:4])[0]:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buf += data
                length = struct.unpack(">I", buf[:4])[0]
                frame, buf = buf[:length], buf[length:]
                prog, vers, proc, mtype, serial, status = struct.unpack(">IIiiIi", frame[4:28])
                payload = frame[28:]
                if prog != mvtest.REMOTE_PROGRAM or mtype != mvtest.CALL:
                    continue
                if proc == mvtest.PROC_CONNECT_OPEN:
                    flags = struct.unpack(">I", payload[-4:])[0]
                with self.lock:
                    self.calls.append((os.path.basename(path), proc, flags))
                if proc == mvtest.PROC_AUTH_LIST:
                    body, st_ = mvtest.XdrWriter().u32(1).i32(0).bytes(), mvtest.OK
                elif proc == mvtest.PROC_CONNECT_SUPPORTS_FEATURE:
                    body, st_ = mvtest.XdrWriter().i32(0).bytes(), mvtest.OK
                elif proc in (mvtest.PROC_CONNECT_OPEN, romatrix.PROC_CONNECT_SET_IDENTITY):
                    body, st_ = b"", mvtest.OK
                else:
                    msg = "fake %s got procedure %d" % (self.name, proc)
                    body = (mvtest.XdrWriter().i32(1).i32(0).opt_string(msg).i32(2).u32(0)
                            .opt_string(None).opt_string(None).opt_string(None)
                            .i32(-1).i32(-1).u32(0).bytes())
                    st_ = mvtest.ERROR
                conn.sendall(mvtest.encode_message(prog, proc, body, mvtest.REPLY, serial, st_))
        except OSError:
            return
        finally:
            conn.close()

    def procs(self, sock_name):
        with self.lock:
            return [(p, f) for s, p, f in self.calls if s == sock_name]

    def stop(self):
        self.stopping = True
        for path, s in self.listeners:
            s.close()
            os.unlink(path)


class Routing(unittest.TestCase):
    def client(self, ro=False):
        if ro:
            return mvtest.WireClient(st.path("run", "proxy-ro.sock")).open()
        return mvtest.WireClient(st.path("run", "proxy.sock")).open()

    def test_missing_daemon_is_named(self):
        """No network/storage/filter daemon runs: each call's error names the
        daemon and its socket (qemud would have said "unknown procedure")."""
        c = self.client()
        try:
            for proc, program, sock in SECONDARY:
                with self.subTest(proc=proc):
                    err = c.call_err(proc, name_args("default"))
                    self.assertEqual(err["code"], 5, err)       # NO_CONNECT
                    self.assertIn(program, err["message"])
                    self.assertIn(st.path("run", sock + ".sock"), err["message"])
                    self.assertNotIn("unknown procedure", err["message"])
                    self.assertEqual(c.get_type(), "QEMU")
        finally:
            c.close()

    def test_calls_reach_their_daemon(self):
        for proc, program, sock in SECONDARY:
            with self.subTest(daemon=sock):
                fake = FakeDaemon(sock)
                try:
                    for ro in (False, True):
                        c = self.client(ro)
                        try:
                            err = c.call_err(proc, name_args("default"))
                            self.assertIn("fake %s got procedure %d" % (sock, proc),
                                          err["message"])
                            self.assertEqual(c.get_type(), "QEMU")
                        finally:
                            c.close()
                    rw = fake.procs(sock + ".sock")
                    ro = fake.procs(sock + "-ro.sock")
                    self.assertIn((proc, 0), rw)
                    # read-only clients reach the read-only socket, opened read-only
                    self.assertIn((proc, mvtest.CONNECT_RO), ro)
                finally:
                    fake.stop()


class SetIdentityRo(unittest.TestCase):
    """CONNECT_SET_IDENTITY on proxy-ro.sock: allowed for root, refused for others."""

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("needs root (to connect as root and as nobody)")
        os.chmod(st.root, 0o711)
        os.chmod(st.path("run"), 0o711)

    def args(self):
        return (mvtest.XdrWriter().u32(1).string("user-name").i32(7).string("nobody")
                .u32(0).bytes())

    def test_root_allowed(self):
        c = mvtest.WireClient(st.path("run", "proxy-ro.sock")).open()
        try:
            c.call_ok(romatrix.PROC_CONNECT_SET_IDENTITY, self.args())
            self.assertEqual(c.get_type(), "QEMU")
        finally:
            c.close()

    def test_nonroot_refused(self):
        fd = romatrix.connect_as(st.path("run", "proxy-ro.sock"), 65534)
        c = romatrix.WireClientFd(fd).open()
        try:
            err = c.call_err(romatrix.PROC_CONNECT_SET_IDENTITY, self.args())
            self.assertEqual(err["code"], mvtest.ERR_OPERATION_DENIED, err)
            self.assertIn("only root may set the client identity", err["message"])
            self.assertEqual(c.get_type(), "QEMU")
        finally:
            c.close()


if __name__ == "__main__":
    proxytest.require_binaries()
    mvtest.main()
