"""Stock virsh and python3-libvirt through modvirt-proxyd's UNIX sockets.

proxy.sock runs the domain lifecycle (define, start, list, dominfo, suspend,
resume, destroy, undefine) and consoles (a firmware guest; the tiny Linux
guest when its cache is built) against a real modvirt-qemud; proxy-ro.sock
reads and cannot write; events reach python3-libvirt with the proxy's
callback ids; a missing or stopped backend gives an error naming the daemon
and its socket, never a hang; hostile peers do not disturb others.
"""

import os
import socket
import struct
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import proxytest  # noqa: E402
from proxytest import mvtest  # noqa: E402
from mvtest import virsh  # noqa: E402

CTRL_RBRACKET = b"\x1d"
_event_loop_started = False


def start_event_loop():
    """python3-libvirt delivers events only with an event loop running."""
    global _event_loop_started
    import libvirt
    if _event_loop_started:
        return
    libvirt.virEventRegisterDefaultImpl()

    def run():
        while True:
            libvirt.virEventRunDefaultImpl()
    threading.Thread(target=run, daemon=True, name="libvirt-events").start()
    _event_loop_started = True


class ThroughProxy(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.st = proxytest.Stack(guest=True).start()
        cls.uri = cls.st.uri

    @classmethod
    def tearDownClass(cls):
        cls.st.cleanup()

    def ok(self, *args, uri=None, timeout=60, readonly=False):
        res = virsh(uri or self.uri, *args, timeout=timeout, readonly=readonly)
        self.assertEqual(res.returncode, 0, "virsh %s: %s%s" % (" ".join(args), res.stdout,
                                                                 res.stderr))
        return res

    def xml(self, name, console=False):
        return mvtest.write_file(self.st.path(name + ".xml"),
                                 proxytest.firmware_xml(name, console=console))

    def test_lifecycle(self):
        name = "px1"
        self.assertIn("defined", self.ok("define", self.xml(name)).stdout)
        self.assertEqual(mvtest.domstate(self.uri, name), "shut off")
        self.ok("start", name)
        self.assertRegex(self.ok("list").stdout, r"(?m)^\s*\d+\s+%s\s+running" % name)
        # the daemon behind sees the same domain
        self.assertRegex(self.ok("list", uri=self.st.direct_uri).stdout,
                         r"(?m)^\s*\d+\s+%s\s+running" % name)
        info = self.ok("dominfo", name).stdout
        self.assertRegex(info, r"(?m)^State:\s+running$")
        self.assertRegex(info, r"(?m)^Persistent:\s+yes$")
        self.ok("suspend", name)
        # (the reason is qemud's business: 'user', sometimes 'unknown' right after)
        self.assertTrue(mvtest.domstate(self.uri, name).startswith("paused"))
        self.ok("resume", name)
        self.assertEqual(mvtest.domstate(self.uri, name), "running")
        self.ok("destroy", name)
        self.assertEqual(mvtest.domstate(self.uri, name, reason=True), "shut off (destroyed)")
        self.ok("undefine", name)
        res = virsh(self.uri, "dominfo", name)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("failed to get domain '%s'" % name, res.stderr)
        # connection-level calls: local and forwarded
        self.assertIn("Running hypervisor: QEMU", self.ok("version").stdout)
        self.assertEqual(self.ok("hostname").stdout.strip(), socket.gethostname())

    def test_readonly_socket(self):
        name = "pxro"
        self.ok("define", self.xml(name))
        try:
            res = self.ok("list", "--all", uri=self.st.ro_uri, readonly=True)
            self.assertIn(name, res.stdout)
            self.ok("dominfo", name, uri=self.st.ro_uri, readonly=True)
            # without -r too: the socket itself is read-only
            for args in (("start", name), ("undefine", name), ("define", self.xml("pxro2"))):
                res = virsh(self.st.ro_uri, *args)
                self.assertNotEqual(res.returncode, 0, args)
                self.assertIn("read only access prevents", res.stderr)
            self.assertEqual(mvtest.domstate(self.uri, name), "shut off")
        finally:
            self.ok("undefine", name)

    def console_session(self, name):
        proc, master = mvtest.run_on_pty(["virsh", "-c", self.uri, "console", name])
        return proc, mvtest.PtyReader(master)

    def finish_console(self, proc, reader):
        # virsh switches the tty to raw mode just after its banner: a Ctrl-]
        # typed before that is only echoed, so type it again until it quits
        for _ in range(8):
            reader.send(CTRL_RBRACKET)
            deadline = time.monotonic() + 2
            while proc.poll() is None and time.monotonic() < deadline:
                reader.pump(0.2)
            if proc.poll() is not None:
                break
        if proc.poll() is None:
            mvtest.stop_process(proc)
            self.fail("virsh console did not end on Ctrl-]: %r" % reader.text[-1000:])
        reader.close()
        return proc.returncode

    def test_console_firmware(self):
        name = "pxcon"
        self.ok("define", self.xml(name, console=True))
        self.ok("start", name)
        try:
            proc, reader = self.console_session(name)
            reader.expect("Escape character", 20)
            self.assertEqual(self.finish_console(proc, reader), 0)
            self.assertEqual(mvtest.domstate(self.uri, name), "running")
            # a second session works: the first one was finished cleanly
            proc, reader = self.console_session(name)
            reader.expect("Escape character", 20)
            self.assertEqual(self.finish_console(proc, reader), 0)
        finally:
            virsh(self.uri, "destroy", name)
            self.ok("undefine", name)

    def test_console_linux_guest(self):
        if not os.path.exists(os.path.join(mvtest.GUEST_DIR, "stamp")):
            self.skipTest("the tiny Linux guest is not built (tests/guest/make-guest.sh)")
        name = "pxlin"
        xml = mvtest.write_file(self.st.path(name + ".xml"),
                                mvtest.linux_guest_xml(name, self.st.root))
        self.ok("define", xml)
        self.ok("start", name)
        try:
            mvtest.wait_marker(mvtest.serial_log(self.st.root, name), mvtest.GUEST_READY,
                               timeout=120)
            proc, reader = self.console_session(name)
            pos = reader.expect("Escape character", 20)
            for _ in range(10):
                reader.send(b"\r")
                try:
                    pos = reader.expect(mvtest.GUEST_PROMPT, 3, pos)
                    break
                except AssertionError:
                    continue
            reader.send(b"echo via-proxy-$((6*7))\r")
            reader.expect("via-proxy-42", 20, pos)
            self.assertEqual(self.finish_console(proc, reader), 0)
        finally:
            virsh(self.uri, "destroy", name)
            self.ok("undefine", name)

    def test_events_python(self):
        import libvirt
        events = []
        got = threading.Event()

        start_event_loop()
        conn = libvirt.open(self.uri)
        other = libvirt.open(self.uri)   # a second registration: ids are per connection

        def cb(c, dom, event, detail, opaque):
            events.append((opaque, dom.name(), event, detail))
            got.set()

        try:
            id1 = conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, cb, "a")
            id2 = other.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, cb,
                                               "b")
            name = "pxev"
            self.ok("define", self.xml(name))
            self.ok("start", name)
            self.ok("destroy", name)
            self.ok("undefine", name)
            want = [libvirt.VIR_DOMAIN_EVENT_DEFINED, libvirt.VIR_DOMAIN_EVENT_STARTED,
                    libvirt.VIR_DOMAIN_EVENT_STOPPED, libvirt.VIR_DOMAIN_EVENT_UNDEFINED]
            for who in ("a", "b"):
                ok = mvtest.wait_for(
                    lambda: all(any(e[0] == who and e[1] == name and e[2] == w for e in events)
                                for w in want), 15)
                self.assertTrue(ok, "events seen by %s: %r" % (who, events))
            conn.domainEventDeregisterAny(id1)
            other.domainEventDeregisterAny(id2)
            with self.assertRaises(libvirt.libvirtError):
                conn.domainEventDeregisterAny(id1)
        finally:
            conn.close()
            other.close()

    def test_hostile_peers(self):
        path = self.st.path("run", "proxy.sock")
        peers = []
        # garbage, an oversized length word, a half-sent frame, a silent peer
        for data in (os.urandom(64), struct.pack(">I", 0x7fffffff),
                     struct.pack(">I", 200) + b"\0" * 20, b""):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            if data:
                s.sendall(data)
            peers.append(s)
        t0 = time.monotonic()
        self.ok("list", "--all")
        self.assertLess(time.monotonic() - t0, 10)
        self.assertTrue(proxytest.wait_closed_by_peer(peers[1], 5), "oversized length accepted")
        for s in peers:
            s.close()
        self.ok("list", "--all")

    def test_open_unknown_flags_refused(self):
        # CONNECT_OPEN knows RO (1) and NO_ALIASES (2): any other bit is refused
        # with INVALID_ARG naming it, and the connection can still be opened
        c = mvtest.WireClient(self.st.path("run", "proxy.sock"))
        try:
            for bit in (2, 3, 31):
                err = c.call_err(mvtest.PROC_CONNECT_OPEN,
                                 mvtest.XdrWriter().opt_string("qemu:///system")
                                 .u32(1 << bit).bytes())
                self.assertEqual(err["code"], mvtest.ERR_INVALID_ARG, err)
                self.assertIn("unsupported flags (0x%x)" % (1 << bit), err["message"])
            c.open()
            self.assertEqual(c.get_type(), "QEMU")
        finally:
            c.close()


class BackendDown(unittest.TestCase):
    """No modvirt-qemud (or one that goes away): clear errors, no hangs."""

    @classmethod
    def setUpClass(cls):
        cls.st = proxytest.Stack(start_qemud=False).start()

    @classmethod
    def tearDownClass(cls):
        cls.st.cleanup()

    def test_missing_backend(self):
        t0 = time.monotonic()
        res = virsh(self.st.uri, "list", timeout=20)
        self.assertNotEqual(res.returncode, 0)
        self.assertLess(time.monotonic() - t0, 10)
        sock = self.st.path("run", "qemu.sock")
        self.assertIn("cannot connect to modvirt-qemud at %s" % sock, res.stderr)
        self.assertIn("No such file or directory", res.stderr)
        # an empty URI probes for a hypervisor daemon and says none runs
        res = virsh("remote+unix:///?socket=%s" % self.st.path("run", "proxy.sock"), "list",
                    timeout=20)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("no hypervisor daemon is running", res.stderr)

    def test_backend_goes_away(self):
        import libvirt
        self.st.qemud.start()
        try:
            conn = libvirt.open(self.st.uri)
            self.assertEqual(conn.listAllDomains(0), [])
            # an empty name finds the one hypervisor daemon present
            c2 = libvirt.open("remote+unix:///?socket=%s" % self.st.path("run", "proxy.sock"))
            self.assertEqual(c2.getType(), "QEMU")
            c2.close()
        finally:
            self.st.qemud.stop()
        t0 = time.monotonic()
        with self.assertRaises(libvirt.libvirtError):
            conn.listAllDomains(0)
        self.assertLess(time.monotonic() - t0, 10)
        try:
            conn.close()
        except libvirt.libvirtError:
            pass


if __name__ == "__main__":
    proxytest.require_binaries()
    mvtest.require_tools("virsh", "qemu-system-x86_64")
    mvtest.require_python_libvirt()
    mvtest.main()
