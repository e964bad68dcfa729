"""modvirt-proxyd runs on the shared daemon main: its admin socket serves the
ADMIN program to stock virt-admin (servers, version, log filters), the object
socket serves no ADMIN calls and the admin socket no REMOTE calls; the frame
every daemon shares holds for the proxy too (one instance per root, SIGTERM
removes the sockets and the pidfile, plain TCP is not "secure").
"""

import os
import shutil
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import proxytest  # noqa: E402
from proxytest import mvtest  # noqa: E402
from mvtest import virsh  # noqa: E402


class ProxyAdmin(unittest.TestCase):

    def stack(self, **kw):
        st = proxytest.Stack(**kw).start()
        self.addCleanup(st.cleanup)
        return st

    def admin_uri(self, st, sock="proxy-admin.sock"):
        return "virtproxyd:///system?socket=" + st.path("run", sock)

    def test_virt_admin(self):
        st = self.stack()
        admin_sock = st.path("run", "proxy-admin.sock")
        self.assertTrue(mvtest.socket_accepts(admin_sock), admin_sock + " does not accept")
        if not shutil.which("virt-admin"):
            self.skipTest("virt-admin is not installed")

        def admin(*args):
            res = subprocess.run(["virt-admin", "-c", self.admin_uri(st)] + list(args),
                                 capture_output=True, text=True, timeout=30)
            self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
            self.assertNotIn("error:", res.stdout + res.stderr)
            return res.stdout

        self.assertIn("modvirt-proxyd", admin("srv-list"))
        self.assertIn("Running against daemon", admin("version"))
        admin("daemon-log-filters", "1:rpc 3:proxy")
        filters = admin("daemon-log-filters")
        self.assertIn("1:rpc", filters)
        self.assertIn("3:proxy", filters)
        # the object socket serves no ADMIN calls...
        res = subprocess.run(["virt-admin", "-c", self.admin_uri(st, "proxy.sock"), "srv-list"],
                             capture_output=True, text=True, timeout=30)
        self.assertNotEqual(res.returncode, 0)
        # ...and the admin socket no REMOTE calls, while proxy.sock still forwards
        res = virsh("qemu+unix:///system?socket=" + admin_sock, "list", timeout=30)
        self.assertNotEqual(res.returncode, 0)
        self.assertEqual(virsh(st.uri, "list", timeout=30).returncode, 0)

    def test_second_instance_and_sigterm(self):
        st = self.stack(start_qemud=False)
        second = mvtest.Daemon(root=st.root, name="proxy", binary=proxytest.PROXYD)
        second.spawn()
        self.assertEqual(second.wait(10), 1, second.log())
        self.assertIn("proxy.pid", second.log(), "message does not name the pidfile")
        self.assertTrue(st.proxy.running())
        st.proxy.signal(signal.SIGTERM)
        self.assertEqual(st.proxy.wait(10), 0, st.proxy.log())
        for name in ("proxy.sock", "proxy-ro.sock", "proxy-admin.sock", "proxy.pid"):
            self.assertFalse(os.path.exists(st.path("run", name)), name + " left behind")

    def test_plain_tcp_is_not_secure(self):
        import libvirt
        port = proxytest.free_port()
        st = self.stack(proxy_config="[tcp]\nlisten = 127.0.0.1:%d\n" % port)
        over_tcp = libvirt.open("qemu+tcp://127.0.0.1:%d/system" % port)
        over_unix = libvirt.open(st.uri)
        try:
            self.assertEqual(over_tcp.isSecure(), 0)
            self.assertEqual(over_unix.isSecure(), 1)
            self.assertEqual(over_tcp.getHostname(), over_unix.getHostname())
        finally:
            over_tcp.close()
            over_unix.close()

    def test_timeout_idle_exit(self):
        st = proxytest.Stack(start_qemud=False)
        self.addCleanup(st.cleanup)
        st.proxy = mvtest.Daemon(root=st.root, name="proxy", binary=proxytest.PROXYD,
                                 args=["--timeout", "1"]).start()
        t0 = time.monotonic()
        self.assertEqual(st.proxy.wait(10), 0, st.proxy.log())
        self.assertLess(time.monotonic() - t0, 8)


if __name__ == "__main__":
    proxytest.require_binaries()
    mvtest.require_tools("virsh")
    mvtest.require_python_libvirt()
    mvtest.main()
