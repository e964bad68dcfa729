"""Domain lifecycle through stock virsh against a real modvirt-qemud.

The tiny Linux guest (tests/guest/make-guest.sh) boots under TCG: define,
start, list, dominfo, domstate, dumpxml, suspend/resume, an ACPI shutdown the
guest really performs, reboot (a second READY marker on the serial log),
reset, destroy, undefine.  Firmware-only guests (cheap) cover autostart across
a daemon restart, transient domains, id/uuid/name lookups, `list` filters and
the error texts virsh prints.
"""

import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
from mvtest import virsh, domstate, wait_domstate  # noqa: E402


def names(res):
    """The names printed by `virsh list --name ...` (one per line)."""
    return sorted(l.strip() for l in res.stdout.splitlines() if l.strip())


def field(text, key):
    """A 'Key:   value' line of dominfo."""
    m = re.search(r"^%s:\s*(.*)$" % re.escape(key), text, re.M)
    if not m:
        raise AssertionError("no %r in:\n%s" % (key, text))
    return m.group(1).strip()


class LinuxGuest(unittest.TestCase):
    """The tiny Linux guest through its whole life (one guest at a time)."""

    @classmethod
    def setUpClass(cls):
        cls.d = mvtest.GuestDaemon().start()
        cls.uri = cls.d.uri

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()

    def v(self, *args, **kw):
        return virsh(self.uri, *args, **kw)

    def ok(self, *args, timeout=60):
        res = virsh(self.uri, *args, timeout=timeout)
        self.assertEqual(res.returncode, 0, "virsh %s: %s%s" % (" ".join(args), res.stdout,
                                                                 res.stderr))
        self.assertNotIn("error:", res.stderr)
        return res

    def test_lifecycle(self):
        name = "lin1"
        root = self.d.root
        xml = mvtest.write_file(os.path.join(root, name + ".in.xml"),
                                mvtest.linux_guest_xml(name, root))
        slog = mvtest.serial_log(root, name)

        res = self.ok("define", xml)
        self.assertIn("Domain '%s' defined" % name, res.stdout)
        self.assertTrue(os.path.exists(os.path.join(root, "etc", "qemu", name + ".xml")))
        self.assertEqual(domstate(self.uri, name), "shut off")
        self.assertEqual(self.ok("domid", name).stdout.strip(), "-")

        # start: running, listed with an id, status file, READY on the serial log
        res = self.ok("start", name)
        self.assertIn("Domain '%s' started" % name, res.stdout)
        self.assertEqual(domstate(self.uri, name, reason=True), "running (booted)")
        dom_id = self.ok("domid", name).stdout.strip()
        self.assertRegex(dom_id, r"^\d+$")
        listing = self.ok("list").stdout
        self.assertRegex(listing, r"(?m)^\s*%s\s+%s\s+running\s*$" % (dom_id, name))
        self.assertTrue(os.path.exists(os.path.join(root, "run", "qemu", name + ".xml")))
        self.assertEqual(len(mvtest.qemu_processes_of(name, self.d.root)), 1)
        mvtest.wait_marker(slog, mvtest.GUEST_READY, 1, timeout=90)

        info = self.ok("dominfo", name).stdout
        self.assertEqual(field(info, "Id"), dom_id)
        self.assertEqual(field(info, "Name"), name)
        self.assertEqual(field(info, "State"), "running")
        self.assertEqual(field(info, "CPU(s)"), "1")
        self.assertEqual(field(info, "Max memory"), "262144 KiB")
        self.assertEqual(field(info, "Used memory"), "262144 KiB")
        self.assertEqual(field(info, "Persistent"), "yes")
        self.assertEqual(field(info, "Autostart"), "disable")
        self.assertEqual(field(info, "OS Type"), "hvm")
        cpu = float(field(info, "CPU time").rstrip("s"))
        self.assertGreater(cpu, 0.0, "a booted TCG guest has used CPU time")

        live = self.ok("dumpxml", name).stdout
        self.assertIn("<domain type='qemu' id='%s'>" % dom_id, live)
        self.assertIn("<name>%s</name>" % name, live)
        self.assertRegex(live, r"<source path='/dev/pts/\d+'/>", "live XML shows the pty")
        inactive = self.ok("dumpxml", "--inactive", name).stdout
        self.assertNotIn(" id=", inactive.splitlines()[0])
        self.assertNotIn("/dev/pts/", inactive)

        # suspend / resume
        self.ok("suspend", name)
        self.assertEqual(domstate(self.uri, name, reason=True), "paused (user)")
        self.assertRegex(self.ok("list", "--all").stdout,
                         r"(?m)^\s*%s\s+%s\s+paused" % (dom_id, name))
        self.ok("resume", name)
        self.assertEqual(domstate(self.uri, name, reason=True), "running (unpaused)")

        # ACPI shutdown: the guest powers itself off
        self.ok("shutdown", name)
        wait_domstate(self.uri, name, "shut off (shutdown)", timeout=60, reason=True)
        self.assertIn(mvtest.GUEST_POWEROFF, mvtest.read_text(slog))
        self.assertEqual(self.ok("domid", name).stdout.strip(), "-")
        self.assertTrue(mvtest.wait_for(
            lambda: not mvtest.qemu_processes_of(name, self.d.root), 15))
        self.assertFalse(os.path.exists(os.path.join(root, "run", "qemu", name + ".xml")),
                         "status file removed after the guest stopped")

        # start again, reboot through ACPI: a second boot on the same QEMU
        ready_before = mvtest.read_text(slog).count(mvtest.GUEST_READY)
        self.ok("start", name)
        mvtest.wait_marker(slog, mvtest.GUEST_READY, ready_before + 1, timeout=90)
        dom_id = self.ok("domid", name).stdout.strip()
        pids = mvtest.qemu_processes_of(name, self.d.root)
        self.assertEqual(len(pids), 1)
        res = self.ok("reboot", name)
        self.assertIn("is being rebooted", res.stdout)
        mvtest.wait_marker(slog, mvtest.GUEST_READY, ready_before + 2, timeout=120)
        self.assertEqual(domstate(self.uri, name), "running")
        self.assertEqual(self.ok("domid", name).stdout.strip(), dom_id, "reboot keeps the id")
        self.assertEqual(mvtest.qemu_processes_of(name, self.d.root), pids,
                         "reboot keeps the QEMU process")

        # reset: immediate, the guest boots once more
        res = self.ok("reset", name)
        self.assertIn("was reset", res.stdout)
        mvtest.wait_marker(slog, mvtest.GUEST_READY, ready_before + 3, timeout=120)
        self.assertEqual(domstate(self.uri, name), "running")

        # destroy
        res = self.ok("destroy", name)
        self.assertIn("Domain '%s' destroyed" % name, res.stdout)
        self.assertEqual(domstate(self.uri, name, reason=True), "shut off (destroyed)")
        self.assertTrue(mvtest.wait_for(
            lambda: not mvtest.qemu_processes_of(name, self.d.root), 15),
                        "QEMU still running after destroy")
        self.assertEqual(os.listdir(os.path.join(root, "run", "qemu")), [],
                         "no socket or status file left after destroy")

        # destroy of a shut-off domain is an error
        res = self.v("destroy", name)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("not running", res.stderr)

        # undefine
        res = self.ok("undefine", name)
        self.assertIn("has been undefined", res.stdout)
        self.assertNotIn(name, self.ok("list", "--all", "--name").stdout)
        self.assertFalse(os.path.exists(os.path.join(root, "etc", "qemu", name + ".xml")))

    def test_dumpxml_roundtrip(self):
        name = "rt1"
        root = self.d.root
        xml = mvtest.write_file(os.path.join(root, name + ".in.xml"),
                                mvtest.linux_guest_xml(name, root))
        self.ok("define", xml)
        first = self.ok("dumpxml", "--inactive", name).stdout
        again = mvtest.write_file(os.path.join(root, name + ".dump.xml"), first)
        self.ok("define", again)
        second = self.ok("dumpxml", "--inactive", name).stdout
        self.assertEqual(first, second)
        # --security-info is accepted and gives the same document here (no secrets)
        self.assertEqual(self.ok("dumpxml", "--inactive", "--security-info", name).stdout, first)
        # --validate on the round-tripped document
        self.ok("define", "--validate", again)
        self.assertEqual(self.ok("dumpxml", "--inactive", name).stdout, first)
        self.ok("undefine", name)


class FirmwareGuests(unittest.TestCase):
    """Cheap firmware-only guests: ids, transient domains, filters, autostart, errors."""

    def setUp(self):
        self.owner = mvtest.GuestDaemon().start()
        self.d = self.owner
        self.uri = self.d.uri

    def tearDown(self):
        if self.d.running():
            for name in names(virsh(self.uri, "list", "--name")):
                virsh(self.uri, "destroy", name)
        self.d.stop()
        self.owner.cleanup()

    def restart(self):
        """Stop the daemon (SIGTERM, exit 0) and start a new one on the same root."""
        self.assertEqual(self.d.stop(), 0)
        self.d = mvtest.GuestDaemon(root=self.owner.root).start()
        return self.d

    def ok(self, *args, timeout=60):
        res = virsh(self.uri, *args, timeout=timeout)
        self.assertEqual(res.returncode, 0, "virsh %s: %s%s" % (" ".join(args), res.stdout,
                                                                 res.stderr))
        return res

    def define(self, name, uuid=None):
        path = mvtest.write_file(os.path.join(self.d.root, name + ".in.xml"),
                                 mvtest.firmware_guest_xml(name, uuid=uuid))
        self.ok("define", path)
        return path

    def test_ids(self):
        uuid = "0b5e6c4e-1f4a-4d3e-9b0b-5d0f3c3a0001"
        self.define("fw1", uuid)
        self.assertEqual(self.ok("domuuid", "fw1").stdout.strip(), uuid)
        self.assertEqual(self.ok("domid", "fw1").stdout.strip(), "-")
        self.ok("start", "fw1")
        dom_id = self.ok("domid", "fw1").stdout.strip()
        self.assertRegex(dom_id, r"^\d+$")
        self.assertEqual(self.ok("domname", dom_id).stdout.strip(), "fw1")
        self.assertEqual(self.ok("domname", uuid).stdout.strip(), "fw1")
        self.assertEqual(self.ok("domid", uuid).stdout.strip(), dom_id)
        self.assertEqual(self.ok("domuuid", dom_id).stdout.strip(), uuid)
        self.assertEqual(domstate(self.uri, dom_id), "running")
        # a second start gets a new, larger id
        self.ok("destroy", "fw1")
        self.ok("start", "fw1")
        self.assertGreater(int(self.ok("domid", "fw1").stdout.strip()), int(dom_id))
        self.ok("destroy", "fw1")

    def test_console_without_serial(self):
        """virt-install without --serial writes only <console type='pty'/>: the
        console becomes serial port 0 and the live XML names its pty."""
        path = mvtest.write_file(os.path.join(self.d.root, "con.xml"),
                                 mvtest.firmware_guest_xml("con1",
                                                           extra_devices="<console type='pty'/>"))
        self.ok("define", path)
        self.ok("start", "con1")
        xml = self.ok("dumpxml", "con1").stdout
        m = re.search(r"<console type='pty'[^>]*>\s*<source path='(/dev/pts/\d+)'", xml)
        self.assertIsNotNone(m, xml)
        self.assertTrue(os.path.exists(m.group(1)), xml)
        self.ok("destroy", "con1")

    def test_transient(self):
        path = mvtest.write_file(os.path.join(self.d.root, "tr.xml"),
                                 mvtest.firmware_guest_xml("tr1"))
        res = self.ok("create", path)
        self.assertIn("Domain 'tr1' created", res.stdout)
        info = self.ok("dominfo", "tr1").stdout
        self.assertEqual(field(info, "Persistent"), "no")
        self.assertEqual(field(info, "State"), "running")
        self.assertIn("tr1", names(self.ok("list", "--all", "--name")))
        self.assertFalse(os.path.exists(os.path.join(self.d.root, "etc", "qemu", "tr1.xml")))
        # a transient domain has no definition to remove: refused, and it keeps running
        res = virsh(self.uri, "undefine", "tr1")
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("cannot undefine transient domain 'tr1'", res.stderr)
        self.assertEqual(field(self.ok("dominfo", "tr1").stdout, "State"), "running")
        self.ok("destroy", "tr1")
        self.assertNotIn("tr1", names(self.ok("list", "--all", "--name")))
        res = virsh(self.uri, "dominfo", "tr1")
        self.assertNotEqual(res.returncode, 0)
        # virsh 9.0 prints only its own lookup failure, not the daemon's
        # "Domain not found" (the python tests check the error code)
        self.assertIn("error: failed to get domain 'tr1'", res.stderr)
        self.assertEqual(mvtest.qemu_processes_of("tr1", self.d.root), [])

    def test_list_filters(self):
        for n in ("p-run", "p-paused", "p-off-auto", "p-off"):
            self.define(n)
        self.ok("start", "p-run")
        self.ok("start", "--paused", "p-paused")
        self.ok("autostart", "p-off-auto")
        self.ok("create", mvtest.write_file(os.path.join(self.d.root, "t.xml"),
                                            mvtest.firmware_guest_xml("t-run")))
        everything = ["p-off", "p-off-auto", "p-paused", "p-run", "t-run"]
        cases = [
            ((), ["p-paused", "p-run", "t-run"]),
            (("--all",), everything),
            (("--inactive",), ["p-off", "p-off-auto"]),
            (("--all", "--persistent"), ["p-off", "p-off-auto", "p-paused", "p-run"]),
            (("--all", "--transient"), ["t-run"]),
            (("--all", "--autostart"), ["p-off-auto"]),
            (("--all", "--no-autostart"), ["p-off", "p-paused", "p-run", "t-run"]),
            (("--all", "--state-running"), ["p-run", "t-run"]),
            (("--all", "--state-paused"), ["p-paused"]),
            (("--all", "--state-shutoff"), ["p-off", "p-off-auto"]),
            (("--all", "--state-other"), []),
            (("--all", "--state-running", "--state-paused"), ["p-paused", "p-run", "t-run"]),
            (("--persistent",), ["p-paused", "p-run"]),
            (("--all", "--with-managed-save"), []),
            (("--all", "--without-managed-save"), everything),
            (("--all", "--with-snapshot"), []),
            (("--all", "--without-snapshot"), everything),
        ]
        for args, want in cases:
            with self.subTest(args=args):
                self.assertEqual(names(self.ok("list", "--name", *args)), want)
        # the table view: ids for active domains, '-' for inactive ones
        table = self.ok("list", "--all").stdout
        self.assertRegex(table, r"(?m)^\s*-\s+p-off\s+shut off\s*$")
        self.assertRegex(table, r"(?m)^\s*\d+\s+p-paused\s+paused\s*$")
        self.assertRegex(table, r"(?m)^\s*\d+\s+t-run\s+running\s*$")
        # --uuid
        uuids = [l.strip() for l in self.ok("list", "--all", "--uuid").stdout.splitlines()
                 if l.strip()]
        self.assertEqual(len(set(uuids)), 5)

    def test_autostart(self):
        self.define("auto1")
        self.define("manual1")
        self.ok("autostart", "auto1")
        self.assertEqual(field(self.ok("dominfo", "auto1").stdout, "Autostart"), "enable")
        self.assertEqual(field(self.ok("dominfo", "manual1").stdout, "Autostart"), "disable")
        self.restart()
        wait_domstate(self.uri, "auto1", "running", timeout=30)
        self.assertEqual(domstate(self.uri, "manual1"), "shut off")
        self.assertEqual(field(self.ok("dominfo", "auto1").stdout, "Autostart"), "enable")
        self.ok("autostart", "--disable", "auto1")
        self.assertEqual(field(self.ok("dominfo", "auto1").stdout, "Autostart"), "disable")
        self.ok("destroy", "auto1")
        # disabled: the next daemon start leaves it off
        self.restart()
        self.assertEqual(domstate(self.uri, "auto1"), "shut off")
        self.assertEqual(names(self.ok("list", "--name")), [])

    def test_start_paused_autodestroy(self):
        self.define("fwp")
        self.ok("start", "--paused", "fwp")
        self.assertEqual(domstate(self.uri, "fwp", reason=True), "paused (user)")
        self.ok("resume", "fwp")
        self.assertEqual(domstate(self.uri, "fwp", reason=True), "running (unpaused)")
        self.ok("destroy", "--graceful", "fwp")
        self.assertEqual(domstate(self.uri, "fwp", reason=True), "shut off (destroyed)")
        # --autodestroy: the guest dies with the virsh connection that started it
        self.ok("start", "--autodestroy", "fwp")
        self.assertTrue(mvtest.wait_for(lambda: domstate(self.uri, "fwp") == "shut off", 15),
                        "autodestroy guest still %s after its connection closed"
                        % domstate(self.uri, "fwp"))
        self.assertTrue(mvtest.wait_for(
            lambda: not mvtest.qemu_processes_of("fwp", self.d.root), 15))

    def test_errors(self):
        self.define("fwe")
        self.ok("start", "fwe")
        res = virsh(self.uri, "start", "fwe")
        self.assertNotEqual(res.returncode, 0)
        # virsh checks the id itself ("Domain is already active"); the daemon's own
        # answer would be "already running"
        self.assertTrue("already active" in res.stderr or "already running" in res.stderr,
                        res.stderr)
        self.ok("destroy", "fwe")
        res = virsh(self.uri, "destroy", "fwe")
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("error: Failed to destroy domain 'fwe'", res.stderr)
        self.assertIn("not running", res.stderr)
        for cmd in (("dominfo", "nosuch"), ("start", "nosuch"), ("destroy", "nosuch"),
                    ("domstate", "nosuch"), ("undefine", "nosuch"),
                    ("domname", "4711"),
                    ("domid", "11111111-2222-3333-4444-555555555555")):
            with self.subTest(cmd=cmd):
                res = virsh(self.uri, *cmd)
                self.assertNotEqual(res.returncode, 0)
                self.assertIn("error: failed to get domain '%s'" % cmd[1], res.stderr)
        res = virsh(self.uri, "suspend", "fwe")
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("not running", res.stderr)
        # the daemon still serves
        self.assertEqual(names(self.ok("list", "--all", "--name")), ["fwe"])

    def test_attach_detach_config(self):
        self.define("fwd")
        disk = os.path.join(self.d.root, "fwd-vdb.qcow2")
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", disk, "16M"], check=True,
                       timeout=30)
        dev = mvtest.write_file(os.path.join(self.d.root, "fwd-dev.xml"),
                                "<disk type='file' device='disk'><driver name='qemu' "
                                "type='qcow2'/><source file='%s'/><target dev='vdb' "
                                "bus='virtio'/></disk>" % disk)
        res = self.ok("attach-device", "fwd", dev, "--config")
        self.assertIn("Device attached successfully", res.stdout)
        self.assertIn("<target dev='vdb' bus='virtio'/>",
                      self.ok("dumpxml", "--inactive", "fwd").stdout)
        # the definition on disk has it too, and a start uses it
        self.assertIn(disk, mvtest.read_text(os.path.join(self.d.root, "etc", "qemu",
                                                           "fwd.xml")))
        self.ok("start", "fwd")
        self.assertIn(disk, self.ok("dumpxml", "fwd").stdout)
        self.assertEqual(len(mvtest.qemu_processes(disk)), 1, "QEMU opened the attached disk")
        self.ok("destroy", "fwd")
        res = self.ok("detach-device", "fwd", dev, "--config")
        self.assertIn("Device detached successfully", res.stdout)
        self.assertNotIn("vdb", self.ok("dumpxml", "--inactive", "fwd").stdout)
        # detaching what is not there is an error
        res = virsh(self.uri, "detach-device", "fwd", dev, "--config")
        self.assertNotEqual(res.returncode, 0)

    def test_desc_metadata(self):
        self.define("fwm")
        self.ok("desc", "fwm", "--config", "a description")
        self.assertEqual(self.ok("desc", "fwm", "--config").stdout.strip(), "a description")
        self.ok("desc", "fwm", "--config", "--title", "a title")
        self.assertEqual(self.ok("desc", "fwm", "--config", "--title").stdout.strip(),
                         "a title")
        self.ok("metadata", "fwm", "http://example.org/x", "--config", "--key", "ex",
                "--set", "<foo>bar</foo>")
        got = self.ok("metadata", "fwm", "http://example.org/x", "--config").stdout
        self.assertIn(">bar</", got)
        xml = self.ok("dumpxml", "--inactive", "fwm").stdout
        self.assertIn("<description>a description</description>", xml)
        self.assertIn("<title>a title</title>", xml)
        self.assertIn("http://example.org/x", xml)
        # persisted across a restart
        self.restart()
        self.assertEqual(self.ok("desc", "fwm", "--config").stdout.strip(), "a description")
        self.ok("metadata", "fwm", "http://example.org/x", "--config", "--remove")
        self.assertNotIn("http://example.org/x", self.ok("dumpxml", "--inactive", "fwm").stdout)
        # live on a running guest
        self.ok("start", "fwm")
        self.ok("desc", "fwm", "--live", "live text")
        self.assertEqual(self.ok("desc", "fwm", "--live").stdout.strip(), "live text")
        self.assertEqual(self.ok("desc", "fwm", "--config").stdout.strip(), "a description")
        self.ok("destroy", "fwm")

    def test_set_config(self):
        self.define("fwc")
        self.ok("setmaxmem", "fwc", "96M", "--config")
        self.ok("setmem", "fwc", "48M", "--config")
        self.ok("setvcpus", "fwc", "2", "--config", "--maximum")
        self.ok("setvcpus", "fwc", "2", "--config")
        info = self.ok("dominfo", "fwc").stdout
        self.assertEqual(field(info, "Max memory"), "98304 KiB")
        self.assertEqual(field(info, "Used memory"), "49152 KiB")
        self.assertEqual(field(info, "CPU(s)"), "2")
        xml = self.ok("dumpxml", "--inactive", "fwc").stdout
        self.assertIn("<memory unit='KiB'>98304</memory>", xml)
        self.assertIn("<currentMemory unit='KiB'>49152</currentMemory>", xml)
        self.assertRegex(xml, r"<vcpu[^>]*>2</vcpu>")
        # persisted: survives a daemon restart
        self.restart()
        self.assertIn("<currentMemory unit='KiB'>49152</currentMemory>",
                      self.ok("dumpxml", "--inactive", "fwc").stdout)
        # setmem above the maximum is refused
        res = virsh(self.uri, "setmem", "fwc", "200M", "--config")
        self.assertNotEqual(res.returncode, 0)
        # live setmem with a balloon
        path = mvtest.write_file(os.path.join(self.d.root, "fwb.xml"), mvtest.firmware_guest_xml(
            "fwb", memory_mib=64, extra_devices="<memballoon model='virtio'/>"))
        self.ok("define", path)
        self.ok("start", "fwb")
        self.ok("setmem", "fwb", "48M", "--live")
        # (the guest's view of a live setmem: test_domain_console.py, MemTotal)
        self.assertEqual(field(self.ok("dominfo", "fwb").stdout, "Used memory"), "49152 KiB")
        self.ok("destroy", "fwb")


if __name__ == "__main__":
    mvtest.require_qemu()
    mvtest.require_daemon()
    mvtest.require_guest()
    mvtest.main()
