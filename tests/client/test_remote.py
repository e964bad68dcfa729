"""Remote transports through modvirt-proxyd (one connection; the proxy routes
on the server side): the CLI over qemu+tls:// with certificates from
modvirt-pki (list, define, start, info, console attach/detach, events,
power-off, undefine), over qemu+tcp://, and clear refusals: a certificate
whose DN the proxy does not allow, a missing pkipath, nobody listening."""

import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "proxy"))
import clienttest as ct  # noqa: E402
from clienttest import mvtest, modvirt  # noqa: E402
import proxytest  # noqa: E402

CTRL_RBRACKET = b"\x1d"


class Remote(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        ct.require_cli()
        proxytest.require_binaries()
        mvtest.require_tools("qemu-system-x86_64")
        cls.st = st = proxytest.Stack()
        st.tls_port = proxytest.free_port()
        cls.tcp_port = proxytest.free_port()
        st.pki("init", "--cn", "alice", "--client-dir", st.path("alice"))
        st.pki("client", st.path("mallory"), "--cn", "mallory")
        st.proxy_config = ("[tls]\nlisten = 127.0.0.1:%d\nallowed_dn = C=GB,O=modvirt,CN=alice\n"
                           "handshake_timeout = 2\n[tcp]\nlisten = 127.0.0.1:%d\n"
                           % (st.tls_port, cls.tcp_port))
        st.start()
        cls.tls = st.tls_uri(st.path("alice"))
        cls.tcp = "qemu+tcp://127.0.0.1:%d/system" % cls.tcp_port

    @classmethod
    def tearDownClass(cls):
        cls.st.cleanup()

    def ok(self, uri, *args):
        r = modvirt(uri, *args)
        self.assertEqual(r.returncode, 0, "modvirt %s: %s" % (" ".join(args), r.stderr))
        return r

    def test_tls_lifecycle(self):
        uri = self.tls
        xml = mvtest.write_file(self.st.path("rem1.xml"), proxytest.firmware_xml("rem1",
                                                                                 console=True))
        ev = subprocess.Popen([ct.MODVIRT, "-c", uri, "events", "--json", "--count", "3",
                               "--timeout", "60"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
        try:
            self.assertIn("Watching", ev.stderr.readline())
            self.ok(uri, "define", xml)
            self.ok(uri, "start", "rem1")
            info = ct.json_out(self, modvirt(uri, "info", "rem1", "--json"))
            self.assertEqual(info["state"], "running")
            self.assertEqual(self.ok(uri, "list", "--name").stdout, "rem1\n")

            proc, master = mvtest.run_on_pty([ct.MODVIRT, "-c", uri, "console", "rem1"])
            reader = mvtest.PtyReader(master)
            try:
                reader.expect("Escape character is ^]", 20)
                reader.send(CTRL_RBRACKET)
                self.assertEqual(proc.wait(15), 0, reader.text)
            finally:
                mvtest.stop_process(proc, 5)
                reader.close()

            self.ok(uri, "power-off", "rem1")
            out, err = ev.communicate(timeout=30)
        finally:
            if ev.poll() is None:
                ev.kill()
                ev.wait()
        self.assertEqual(ev.returncode, 0, err)
        events = [json.loads(l)["event"] for l in out.splitlines()]
        self.assertEqual(events[0], "defined")
        self.assertIn("started", events)
        self.ok(uri, "undefine", "rem1")

    def test_tcp(self):
        xml = mvtest.write_file(self.st.path("rem2.xml"), proxytest.firmware_xml("rem2"))
        self.ok(self.tcp, "define", xml)
        self.assertIn("rem2", self.ok(self.tcp, "list", "--name").stdout.split())
        self.ok(self.tcp, "undefine", "rem2")

    def test_refusals(self):
        r = modvirt(self.st.tls_uri(self.st.path("mallory")), "list")
        self.assertEqual(r.returncode, 1)
        self.assertIn("did not accept our client certificate", r.stderr)
        r = modvirt(self.st.tls_uri(self.st.path("nowhere")), "list")
        self.assertEqual(r.returncode, 1)
        self.assertIn("cacert.pem", r.stderr)
        r = modvirt("qemu+tcp://127.0.0.1:%d/system" % proxytest.free_port(), "list")
        self.assertEqual(r.returncode, 1)
        self.assertIn("is modvirt-proxyd listening there?", r.stderr)
        self.assertEqual(len(r.stderr.splitlines()), 1)


if __name__ == "__main__":
    mvtest.main()
