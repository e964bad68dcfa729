"""Domain lifecycle events: stock `virsh event --all --loop` and python3-libvirt
callbacks (domainEventRegisterAny with the default event loop implementation).

Firmware-only guests for define/start/suspend/resume/destroy/undefine; the tiny
Linux guest for the events only a real OS produces (ACPI shutdown, reboot).
"""

import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
from mvtest import virsh  # noqa: E402

libvirt = None


def lifecycle(name, text):
    return "event 'lifecycle' for domain '%s': %s" % (name, text)


class VirshEventLoop(unittest.TestCase):

    def setUp(self):
        self.d = mvtest.GuestDaemon().start()
        self.uri = self.d.uri
        self.events = mvtest.VirshEvents(self.uri, timeout=110).start()
        # the registration is done once an event of a probe domain arrives
        probe = mvtest.write_file(os.path.join(self.d.root, "probe.xml"),
                                  mvtest.firmware_guest_xml(
                                      "probe", uuid="5eed0000-0000-4000-8000-000000000001"))
        deadline = time.monotonic() + 20
        while True:
            virsh(self.uri, "define", probe, check=True)
            try:
                self.events.wait_line(lifecycle("probe", "Defined"), timeout=1)
                break
            except AssertionError:
                if time.monotonic() > deadline:
                    raise
        virsh(self.uri, "undefine", "probe", check=True)
        self.events.wait_line(lifecycle("probe", "Undefined Removed"))

    def tearDown(self):
        self.events.stop()
        for name in virsh(self.uri, "list", "--name").stdout.split():
            virsh(self.uri, "destroy", name)
        self.d.cleanup()

    def ok(self, *args):
        return virsh(self.uri, *args, check=True, timeout=60)

    def test_firmware_sequence(self):
        name = "ev1"
        path = mvtest.write_file(os.path.join(self.d.root, "ev1.xml"),
                                 mvtest.firmware_guest_xml(name))
        steps = [
            (("define", path), ["Defined Added"]),
            # like libvirt's QEMU driver (wire facts section 9): the vCPUs are
            # resumed, then the domain is reported started
            (("start", name), ["Resumed Unpaused", "Started Booted"]),
            (("suspend", name), ["Suspended Paused"]),
            (("resume", name), ["Resumed Unpaused"]),
            (("destroy", name), ["Stopped Destroyed"]),
            (("start", "--paused", name), ["Started Booted", "Suspended Paused"]),
            (("destroy", name), ["Stopped Destroyed"]),
            (("undefine", name), ["Undefined Removed"]),
        ]
        want = []
        for args, lines in steps:
            self.ok(*args)
            want += [lifecycle(name, l) for l in lines]
            # wait for this step's last event before the next step, so the order
            # is the order of the commands
            self.events.wait_line(want[-1], count=want.count(want[-1]))
        time.sleep(0.5)
        got = self.events.event_lines(name)
        # libvirt's QEMU driver also reports "Shutdown Finished after host request"
        # before "Stopped Destroyed"; accept it, nothing else
        extra = lifecycle(name, "Shutdown Finished after host request")
        self.assertEqual([l for l in got if l != extra], want)
        for i, l in enumerate(got):
            if l == extra:
                self.assertEqual(got[i + 1], lifecycle(name, "Stopped Destroyed"))

    def test_transient_and_defined_updated(self):
        path = mvtest.write_file(os.path.join(self.d.root, "t.xml"),
                                 mvtest.firmware_guest_xml("evt"))
        self.ok("create", path)
        self.events.wait_line(lifecycle("evt", "Started Booted"))
        self.ok("destroy", "evt")
        self.events.wait_line(lifecycle("evt", "Stopped Destroyed"))
        got = [l for l in self.events.event_lines("evt")
               if l != lifecycle("evt", "Shutdown Finished after host request")]
        self.assertEqual(got, [lifecycle("evt", "Resumed Unpaused"),
                               lifecycle("evt", "Started Booted"),
                               lifecycle("evt", "Stopped Destroyed")])
        # redefining an existing domain is "Defined Updated"
        path = mvtest.write_file(os.path.join(self.d.root, "u.xml"),
                                 mvtest.firmware_guest_xml(
                                     "evu", uuid="5eed0000-0000-4000-8000-000000000002"))
        self.ok("define", path)
        self.ok("define", path)
        self.events.wait_line(lifecycle("evu", "Defined Updated"))
        self.assertEqual(self.events.event_lines("evu"),
                         [lifecycle("evu", "Defined Added"), lifecycle("evu", "Defined Updated")])

    def boot_linux(self, name):
        root = self.d.root
        path = mvtest.write_file(os.path.join(root, name + ".xml"),
                                 mvtest.linux_guest_xml(name, root))
        slog = mvtest.serial_log(root, name)
        self.ok("define", path)
        self.ok("start", name)
        mvtest.wait_marker(slog, mvtest.GUEST_READY, 1, timeout=90)
        return slog

    def reboot_and_shutdown(self, name):
        """Boot, ACPI reboot, ACPI shutdown; the event lines of each phase."""
        slog = self.boot_linux(name)
        boot = self.events.event_lines(name)
        self.ok("reboot", name)
        mvtest.wait_marker(slog, mvtest.GUEST_READY, 2, timeout=120)
        self.events.wait_line("event 'reboot' for domain '%s'" % name)
        time.sleep(1)
        self.assertEqual(mvtest.domstate(self.uri, name), "running")
        reboot = self.events.event_lines(name)[len(boot):]
        self.ok("shutdown", name)
        self.events.wait_line(lifecycle(name, "Stopped Shutdown"), timeout=60)
        time.sleep(0.5)
        shutdown = self.events.event_lines(name)[len(boot) + len(reboot):]
        self.ok("undefine", name)
        return boot, reboot, shutdown

    def test_linux_shutdown_and_reboot(self):
        name = "evl"
        boot, reboot, shutdown = self.reboot_and_shutdown(name)
        self.assertEqual(boot, [lifecycle(name, "Defined Added"),
                                lifecycle(name, "Resumed Unpaused"),
                                lifecycle(name, "Started Booted")])
        # ACPI reboot: the guest powers off, the daemon resets and resumes it:
        # exactly one 'reboot' event, never 'Stopped'
        self.assertEqual(reboot.count("event 'reboot' for domain '%s'" % name), 1, reboot)
        self.assertEqual(reboot[0], lifecycle(name, "Shutdown Finished after guest request"))
        self.assertFalse([l for l in reboot if "Stopped" in l], reboot)
        # ACPI shutdown
        self.assertEqual(shutdown[0], lifecycle(name, "Shutdown Finished after guest request"))
        self.assertEqual(shutdown[-1], lifecycle(name, "Stopped Shutdown"))

    # The exact sequences: QEMU's STOP after a guest shutdown (-no-shutdown) is
    # no "Suspended Paused", and an ACPI reboot ends with "Resumed Unpaused".
    def test_linux_exact_sequences(self):
        name = "evx"
        boot, reboot, shutdown = self.reboot_and_shutdown(name)
        self.assertEqual(reboot, [lifecycle(name, "Shutdown Finished after guest request"),
                                  "event 'reboot' for domain '%s'" % name,
                                  lifecycle(name, "Resumed Unpaused")])
        self.assertEqual(shutdown, [lifecycle(name, "Shutdown Finished after guest request"),
                                    lifecycle(name, "Stopped Shutdown")])


class PythonCallbacks(unittest.TestCase):
    """python3-libvirt lifecycle callbacks on the default event loop."""

    loop_started = False

    @classmethod
    def setUpClass(cls):
        if not PythonCallbacks.loop_started:
            libvirt.virEventRegisterDefaultImpl()

            def run():
                while True:
                    libvirt.virEventRunDefaultImpl()
            threading.Thread(target=run, daemon=True, name="libvirt-events").start()
            PythonCallbacks.loop_started = True
        cls.d = mvtest.GuestDaemon().start()
        cls.conn = libvirt.open(cls.d.uri)

    @classmethod
    def tearDownClass(cls):
        for dom in cls.conn.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE):
            dom.destroy()
        cls.conn.close()
        cls.d.cleanup()

    def collector(self):
        got = []
        cond = threading.Condition()

        def cb(conn, dom, event, detail, opaque):
            with cond:
                got.append((dom.name(), event, detail, dom.ID()))
                cond.notify_all()

        def wait(n, timeout=20):
            with cond:
                cond.wait_for(lambda: len(got) >= n, timeout)
                return list(got)
        return got, cb, wait

    def test_all_domains(self):
        # A suspend right after a start is reported once, also when QEMU's STOP
        # is read after the suspend job ended (the daemon then finds the state
        # already paused; see test_domain_python.py test_suspend_reason_after_start).
        got, cb, wait = self.collector()
        cb_id = self.conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                 cb, None)
        try:
            dom = self.conn.defineXML(mvtest.firmware_guest_xml("py1"))
            dom.create()
            dom_id = dom.ID()
            dom.suspend()
            dom.resume()
            dom.destroy()
            dom.undefine()
            E = libvirt
            want = [
                ("py1", E.VIR_DOMAIN_EVENT_DEFINED, E.VIR_DOMAIN_EVENT_DEFINED_ADDED),
                ("py1", E.VIR_DOMAIN_EVENT_RESUMED, E.VIR_DOMAIN_EVENT_RESUMED_UNPAUSED),
                ("py1", E.VIR_DOMAIN_EVENT_STARTED, E.VIR_DOMAIN_EVENT_STARTED_BOOTED),
                ("py1", E.VIR_DOMAIN_EVENT_SUSPENDED, E.VIR_DOMAIN_EVENT_SUSPENDED_PAUSED),
                ("py1", E.VIR_DOMAIN_EVENT_RESUMED, E.VIR_DOMAIN_EVENT_RESUMED_UNPAUSED),
                ("py1", E.VIR_DOMAIN_EVENT_STOPPED, E.VIR_DOMAIN_EVENT_STOPPED_DESTROYED),
                ("py1", E.VIR_DOMAIN_EVENT_UNDEFINED, E.VIR_DOMAIN_EVENT_UNDEFINED_REMOVED),
            ]
            shutdown_host = ("py1", E.VIR_DOMAIN_EVENT_SHUTDOWN,
                             E.VIR_DOMAIN_EVENT_SHUTDOWN_HOST)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                seen = [e[:3] for e in wait(0, 0)]
                if seen and seen[-1] == want[-1]:
                    break
                time.sleep(0.05)
            seen_all = wait(0, 0)
            self.assertEqual([e[:3] for e in seen_all if e[:3] != shutdown_host], want)
            # the event carries the domain's id: the running id while it runs,
            # -1 once stopped
            by_event = {e[1]: e[3] for e in seen_all}
            self.assertEqual(by_event[libvirt.VIR_DOMAIN_EVENT_STARTED], dom_id)
            self.assertEqual(by_event[libvirt.VIR_DOMAIN_EVENT_STOPPED], -1)
        finally:
            self.conn.domainEventDeregisterAny(cb_id)
        # deregistered: no more callbacks
        n = len(got)
        dom = self.conn.defineXML(mvtest.firmware_guest_xml("py1b"))
        dom.undefine()
        time.sleep(1)
        self.assertEqual(len(got), n)

    def test_per_domain(self):
        a = self.conn.defineXML(mvtest.firmware_guest_xml("pya"))
        b = self.conn.defineXML(mvtest.firmware_guest_xml("pyb"))
        got_a, cb_a, wait_a = self.collector()
        got_all, cb_all, wait_all = self.collector()
        id_a = self.conn.domainEventRegisterAny(a, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                cb_a, None)
        id_all = self.conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                  cb_all, None)
        try:
            b.create()
            a.create()
            b.destroy()
            a.destroy()
            seen_all = wait_all(6)
            time.sleep(1)
            seen_a = wait_a(0, 0)
            self.assertEqual({e[0] for e in seen_a}, {"pya"}, seen_a)
            started = [e for e in seen_a if e[1] == libvirt.VIR_DOMAIN_EVENT_STARTED]
            stopped = [e for e in seen_a if e[1] == libvirt.VIR_DOMAIN_EVENT_STOPPED]
            self.assertEqual(len(started), 1)
            self.assertEqual(len(stopped), 1)
            self.assertEqual(started[0][2], libvirt.VIR_DOMAIN_EVENT_STARTED_BOOTED)
            self.assertEqual(stopped[0][2], libvirt.VIR_DOMAIN_EVENT_STOPPED_DESTROYED)
            self.assertEqual({e[0] for e in seen_all}, {"pya", "pyb"}, seen_all)
            order = [(e[0], e[1]) for e in wait_all(0, 0)
                     if e[1] in (libvirt.VIR_DOMAIN_EVENT_STARTED,
                                 libvirt.VIR_DOMAIN_EVENT_STOPPED)]
            self.assertEqual(order, [("pyb", libvirt.VIR_DOMAIN_EVENT_STARTED),
                                     ("pya", libvirt.VIR_DOMAIN_EVENT_STARTED),
                                     ("pyb", libvirt.VIR_DOMAIN_EVENT_STOPPED),
                                     ("pya", libvirt.VIR_DOMAIN_EVENT_STOPPED)])
        finally:
            self.conn.domainEventDeregisterAny(id_a)
            self.conn.domainEventDeregisterAny(id_all)
            a.undefine()
            b.undefine()

    def test_other_connection(self):
        """Events reach every connection that registered, not just the actor's."""
        got, cb, wait = self.collector()
        cb_id = self.conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                 cb, None)
        try:
            other = libvirt.open(self.d.uri)
            try:
                dom = other.createXML(mvtest.firmware_guest_xml("pyo"), 0)
                dom.destroy()
            finally:
                other.close()
            seen = [e[:2] for e in wait(3)]
            time.sleep(0.5)
            seen = [e[:2] for e in wait(0, 0) if e[1] != libvirt.VIR_DOMAIN_EVENT_SHUTDOWN]
            self.assertEqual(seen, [("pyo", libvirt.VIR_DOMAIN_EVENT_RESUMED),
                                    ("pyo", libvirt.VIR_DOMAIN_EVENT_STARTED),
                                    ("pyo", libvirt.VIR_DOMAIN_EVENT_STOPPED)])
        finally:
            self.conn.domainEventDeregisterAny(cb_id)


if __name__ == "__main__":
    mvtest.require_qemu()
    mvtest.require_python_libvirt()
    mvtest.require_daemon()
    mvtest.require_guest()
    import libvirt  # noqa: F811
    libvirt.registerErrorHandler(lambda ctx, err: None, None)  # errors are asserted
    mvtest.main()
