"""Helpers for the proxy tests: modvirt-qemud and modvirt-proxyd on one private
root, a test PKI made with modvirt-pki, free TCP ports, raw TCP peers.

Builds on tests/integration/mvtest.py (Daemon, virsh, pty helpers, runner).
"""

import os
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
import mvtest  # noqa: E402,F401
from mvtest import BUILD_ROOT  # noqa: E402

PROXYD = os.environ.get("MV_PROXYD", os.path.join(BUILD_ROOT, "proxy", "modvirt-proxyd"))
PKI = os.environ.get("MV_PKI", os.path.join(BUILD_ROOT, "tools", "pki", "modvirt-pki"))


def require_binaries():
    for path in (mvtest.QEMUD, PROXYD, PKI):
        if not os.access(path, os.X_OK):
            mvtest.mvtap.bail_out("%s not built (build it first)" % path)


def free_port():
    """A TCP port on 127.0.0.1 nobody listens on right now (never 16514)."""
    while True:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        if port not in (16509, 16514):
            return port


class Stack:
    """modvirt-qemud + modvirt-proxyd sharing one temporary root.

    st = Stack(proxy_config="...", guest=False).start()
    st.uri (proxy.sock), st.ro_uri (proxy-ro.sock), st.direct_uri (qemu.sock)
    st.tls_uri(pkipath, port=None, extra="")
    """

    def __init__(self, proxy_config=None, guest=False, start_qemud=True):
        cls = mvtest.GuestDaemon if guest else mvtest.Daemon
        self.qemud = cls()
        self.root = self.qemud.root
        self.start_qemud = start_qemud
        self.proxy_config = proxy_config
        self.proxy = None
        self.tls_port = None

    def pki(self, *args, check=True):
        res = subprocess.run([PKI, "--root", self.root, "--bits", "2048"] + list(args),
                             capture_output=True, text=True, timeout=60,
                             stdin=subprocess.DEVNULL)
        if check and res.returncode != 0:
            raise AssertionError("modvirt-pki %s failed: %s%s" % (" ".join(args), res.stdout,
                                                                   res.stderr))
        return res

    def write_proxy_config(self, text):
        os.makedirs(os.path.join(self.root, "etc"), exist_ok=True)
        with open(os.path.join(self.root, "etc", "proxy.conf"), "w") as f:
            f.write(text)

    def start(self):
        if self.start_qemud:
            self.qemud.start()
        if self.proxy_config is not None:
            self.write_proxy_config(self.proxy_config)
        self.proxy = mvtest.Daemon(root=self.root, name="proxy", binary=PROXYD)
        self.proxy.start()
        return self

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    @property
    def uri(self):
        return "qemu+unix:///system?socket=%s" % self.path("run", "proxy.sock")

    @property
    def ro_uri(self):
        return "qemu+unix:///system?socket=%s" % self.path("run", "proxy-ro.sock")

    @property
    def direct_uri(self):
        return self.qemud.uri

    def tls_uri(self, pkipath, port=None, extra=""):
        return "qemu+tls://127.0.0.1:%d/system?pkipath=%s%s" % (port or self.tls_port, pkipath,
                                                                 extra)

    def cleanup(self):
        # a sanitizer report in the proxy's log (mvtest.SanitizerReport) still
        # lets qemud be stopped and checked; the first report is raised
        try:
            if self.proxy:
                self.proxy.stop()
        finally:
            self.qemud.cleanup()


def wait_closed_by_peer(sock, timeout):
    """True if the peer closes `sock` within timeout seconds (reads are discarded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data = sock.recv(4096)
        except socket.timeout:
            return False
        except OSError:
            return True
        if not data:
            return True
    return False


def firmware_xml(name, console=False):
    extra = ("<serial type='pty'><target port='0'/></serial>"
             "<console type='pty'><target type='serial' port='0'/></console>") if console else ""
    return mvtest.firmware_guest_xml(name, extra_devices=extra)
