"""Remote access over TLS: modvirt-proxyd with certificates made by modvirt-pki,
stock virsh and python3-libvirt on qemu+tls://127.0.0.1:PORT/system?pkipath=DIR.

list, start, console, destroy over TLS; lifecycle events over TLS; refusals
with the stock client's errors (a certificate from another CA, none at all,
an expired one, a DN not on allowed_dn); TLS garbage and half-open
connections do not disturb others and are closed at the handshake deadline;
SIGHUP reloads certificates and the allow-list without dropping connections.
"""

import os
import shutil
import signal
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import proxytest  # noqa: E402
from proxytest import mvtest  # noqa: E402
from mvtest import virsh  # noqa: E402

CTRL_RBRACKET = b"\x1d"


def tls_config(port, allowed):
    return ("[tls]\nlisten = 127.0.0.1:%d\nallowed_dn = %s\nhandshake_timeout = 2\n"
            % (port, ";".join(allowed)))


class OverTls(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.st = st = proxytest.Stack(guest=True)
        st.tls_port = proxytest.free_port()
        st.pki("init", "--cn", "alice", "--client-dir", st.path("alice"))
        st.pki("client", st.path("bob"), "--cn", "bob-laptop")
        st.pki("client", st.path("mallory"), "--cn", "mallory")
        st.pki("--expired", "client", st.path("expired"), "--cn", "alice")
        # another CA's client, holding our CA so that it trusts the server
        st.pki("--pki-dir", st.path("otherpki"), "ca")
        st.pki("--pki-dir", st.path("otherpki"), "client", st.path("stranger"), "--cn", "alice")
        shutil.copy(st.path("alice", "cacert.pem"), st.path("stranger", "cacert.pem"))
        os.makedirs(st.path("nocert"))
        shutil.copy(st.path("alice", "cacert.pem"), st.path("nocert", "cacert.pem"))
        dn = st.pki("dn", st.path("alice", "clientcert.pem")).stdout.strip()
        assert dn == "C=GB,O=modvirt,CN=alice", dn
        cls.allowed = ["C=GB,O=modvirt,CN=alice", "C=GB,O=modvirt,CN=bob*"]
        st.proxy_config = tls_config(st.tls_port, cls.allowed)
        st.start()
        cls.uri = st.tls_uri(st.path("alice"))

    @classmethod
    def tearDownClass(cls):
        cls.st.cleanup()

    def ok(self, *args, uri=None, timeout=60):
        res = virsh(uri or self.uri, *args, timeout=timeout)
        self.assertEqual(res.returncode, 0, "virsh %s: %s%s" % (" ".join(args), res.stdout,
                                                                 res.stderr))
        return res

    def refused(self, pkidir, extra=""):
        t0 = time.monotonic()
        res = virsh(self.st.tls_uri(self.st.path(pkidir), extra=extra), "list", timeout=30)
        self.assertNotEqual(res.returncode, 0, res.stdout)
        self.assertLess(time.monotonic() - t0, 15)
        self.assertIn("failed to connect to the hypervisor", res.stderr)
        return res.stderr

    def test_virsh_lifecycle_console(self):
        name = "tls1"
        xml = mvtest.write_file(self.st.path(name + ".xml"),
                                proxytest.firmware_xml(name, console=True))
        self.ok("list", "--all")
        self.ok("define", xml)
        self.ok("start", name)
        self.assertRegex(self.ok("list").stdout, r"(?m)^\s*\d+\s+%s\s+running" % name)
        proc, master = mvtest.run_on_pty(["virsh", "-c", self.uri, "console", name])
        reader = mvtest.PtyReader(master)
        try:
            reader.expect("Escape character", 20)
            for _ in range(8):
                reader.send(CTRL_RBRACKET)
                deadline = time.monotonic() + 2
                while proc.poll() is None and time.monotonic() < deadline:
                    reader.pump(0.2)
                if proc.poll() is not None:
                    break
            self.assertEqual(proc.poll(), 0, reader.text[-1000:])
        finally:
            mvtest.stop_process(proc)
            reader.close()
        self.ok("destroy", name)
        self.assertEqual(mvtest.domstate(self.uri, name), "shut off")
        self.ok("undefine", name)

    def test_python_events(self):
        import libvirt
        libvirt.virEventRegisterDefaultImpl()

        def run():
            while True:
                libvirt.virEventRunDefaultImpl()
        threading.Thread(target=run, daemon=True).start()
        events = []
        conn = libvirt.open(self.uri)
        try:
            self.assertEqual(conn.isSecure(), 1)
            cb = conn.domainEventRegisterAny(
                None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                lambda c, d, e, det, o: events.append((d.name(), e)), None)
            name = "tlsev"
            xml = mvtest.write_file(self.st.path(name + ".xml"), proxytest.firmware_xml(name))
            # the changes come from another client, over the UNIX socket
            for args in (("define", xml), ("start", name), ("destroy", name),
                         ("undefine", name)):
                self.ok(*args, uri=self.st.uri)
            want = [(name, libvirt.VIR_DOMAIN_EVENT_DEFINED),
                    (name, libvirt.VIR_DOMAIN_EVENT_STARTED),
                    (name, libvirt.VIR_DOMAIN_EVENT_STOPPED),
                    (name, libvirt.VIR_DOMAIN_EVENT_UNDEFINED)]
            self.assertTrue(mvtest.wait_for(lambda: all(w in events for w in want), 15),
                            "events over TLS: %r" % events)
            conn.domainEventDeregisterAny(cb)
        finally:
            conn.close()

    def test_refused_other_ca(self):
        # the stock client checks its own certificate against its CA first ...
        err = self.refused("stranger")
        self.assertIn("has not got a known issuer", err.replace("hasn't", "has not"))
        # ... and with no_sanity=1 it reaches us, and we refuse it
        err = self.refused("stranger", "&no_sanity=1")
        self.assertIn("Unable to read TLS confirmation", err)
        self.assertIn("issuer is unknown", self.st.proxy.log())

    def test_refused_no_certificate(self):
        # the stock client goes ahead without one; the handshake fails on our side
        err = self.refused("nocert")
        self.assertIn("Unable to read TLS confirmation", err)
        self.assertIn("Certificate is required", self.st.proxy.log())

    def test_refused_expired(self):
        err = self.refused("expired")
        self.assertIn("has expired", err)
        err = self.refused("expired", "&no_sanity=1")
        self.assertIn("Unable to read TLS confirmation", err)
        self.assertIn("expired", self.st.proxy.log())

    def test_refused_dn(self):
        err = self.refused("mallory")
        self.assertIn("Unable to read TLS confirmation", err)
        self.assertIn("'C=GB,O=modvirt,CN=mallory' is not on the allowed_dn list",
                      self.st.proxy.log())
        # bob-laptop matches the bob* pattern
        self.ok("list", uri=self.st.tls_uri(self.st.path("bob")))

    def test_garbage_and_half_open(self):
        peers = []
        for data in (os.urandom(300), b"\x16\x03\x01\x00\x05hello", b"GET / HTTP/1.0\r\n\r\n",
                     b"", b""):
            s = socket.create_connection(("127.0.0.1", self.st.tls_port))
            if data:
                s.sendall(data)
            peers.append(s)
        t0 = time.monotonic()
        self.ok("list", "--all")
        self.ok("list", "--all", uri=self.st.uri)
        self.assertLess(time.monotonic() - t0, 10)
        # every one of them is closed by the 2 s handshake deadline at the latest
        for s in peers:
            self.assertTrue(proxytest.wait_closed_by_peer(s, 6), "a bad peer was kept open")
            s.close()
        self.ok("list", "--all")

    def test_zz_reload(self):
        import libvirt
        bob = libvirt.open(self.st.tls_uri(self.st.path("bob")))
        try:
            self.assertEqual(bob.listAllDomains(0), [])
            # a new server certificate and an allow-list without bob*
            self.st.pki("--force", "server")
            self.st.write_proxy_config(tls_config(self.st.tls_port, self.allowed[:1]))
            self.st.proxy.signal(signal.SIGHUP)
            self.assertTrue(mvtest.wait_for(
                lambda: "TLS certificates too" in self.st.proxy.log(), 10))
            # the open connection stays; new ones follow the new rules
            self.assertEqual(bob.listAllDomains(0), [])
            err = self.refused("bob")
            self.assertIn("Unable to read TLS confirmation", err)
            self.ok("list")
            self.assertEqual(bob.getHostname(), socket.gethostname())
        finally:
            bob.close()
            self.st.write_proxy_config(tls_config(self.st.tls_port, self.allowed))
            self.st.proxy.signal(signal.SIGHUP)


if __name__ == "__main__":
    proxytest.require_binaries()
    mvtest.require_tools("virsh", "qemu-system-x86_64")
    mvtest.require_python_libvirt()
    mvtest.main()
