"""Crash safety of modvirt-qemud (firmware-only guests).

* SIGKILL the daemon while guests run, kill some of the guests' QEMUs while it
  is down, restart it on the same root: the survivors are running with the
  same ids and still manageable, the killed persistent guest is shut off, the
  killed transient guest is gone.
* SIGKILL the daemon in the middle of a define storm: every define that
  returned success is there after a restart, every definition file parses,
  no temporary file counts as a definition.
* A start that fails (bad kernel path, missing disk, unknown machine) leaves
  no QEMU process, no socket and no status file behind.

PID 1 here reaps orphans late: a killed QEMU is "gone" once /proc/PID/stat
says Z (or it has vanished), never by kill(pid, 0).
"""

import os
import random
import sys
import threading
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
from mvtest import virsh, domstate  # noqa: E402

libvirt = None


def names(uri, *flags):
    res = virsh(uri, "list", "--name", *flags, check=True)
    return sorted(l.strip() for l in res.stdout.splitlines() if l.strip())


class CrashRecovery(unittest.TestCase):

    def setUp(self):
        self.owner = mvtest.GuestDaemon().start()
        self.d = self.owner
        self.uri = self.d.uri
        self.root = self.d.root

    def tearDown(self):
        if self.d.running():
            for n in names(self.uri):
                virsh(self.uri, "destroy", n)
        self.d.stop()
        self.owner.cleanup()

    def restart(self):
        self.d = mvtest.GuestDaemon(root=self.root).start()
        return self.d

    def ok(self, *args):
        return virsh(self.uri, *args, check=True, timeout=60)

    def xml_file(self, name):
        return mvtest.write_file(os.path.join(self.root, name + ".in.xml"),
                                 mvtest.firmware_guest_xml(name))

    def test_guests_survive_daemon_kill(self):
        for n in ("keep-p", "dead-p", "off-p"):
            self.ok("define", self.xml_file(n))
        self.ok("start", "keep-p")
        self.ok("start", "dead-p")
        self.ok("create", self.xml_file("keep-t"))
        self.ok("create", self.xml_file("dead-t"))
        self.ok("suspend", "keep-t")
        ids = {n: self.ok("domid", n).stdout.strip() for n in ("keep-p", "keep-t", "dead-p",
                                                               "dead-t")}
        uuids = {n: self.ok("domuuid", n).stdout.strip() for n in ids}
        pids = {n: mvtest.status_pid(self.root, n) for n in ids}
        for n, pid in pids.items():
            self.assertEqual(mvtest.qemu_processes_of(n), [pid], n)

        self.d.kill9()
        for n in ("dead-p", "dead-t"):
            os.kill(pids[n], 9)
        for n in ("dead-p", "dead-t"):
            self.assertTrue(mvtest.wait_pid_gone(pids[n], 15), "QEMU of %s did not die" % n)
        self.assertTrue(mvtest.pid_alive(pids["keep-p"]))
        self.assertTrue(mvtest.pid_alive(pids["keep-t"]))

        self.restart()
        self.assertEqual(names(self.uri, "--all"), ["dead-p", "keep-p", "keep-t", "off-p"])
        self.assertEqual(domstate(self.uri, "keep-p", reason=True), "running (booted)")
        self.assertEqual(domstate(self.uri, "keep-t"), "paused")
        for n in ("keep-p", "keep-t"):
            self.assertEqual(self.ok("domid", n).stdout.strip(), ids[n], n)
            self.assertEqual(self.ok("domuuid", n).stdout.strip(), uuids[n], n)
            self.assertEqual(mvtest.qemu_processes_of(n), [pids[n]], "same QEMU for " + n)
        self.assertEqual(names(self.uri, "--transient"), ["keep-t"])
        self.assertTrue(domstate(self.uri, "dead-p").startswith("shut off"))
        self.assertEqual(self.ok("domid", "dead-p").stdout.strip(), "-")
        self.assertFalse(os.path.exists(os.path.join(self.root, "run", "qemu", "dead-p.xml")),
                         "the status file of the dead guest was removed")
        self.assertFalse(os.path.exists(os.path.join(self.root, "run", "qemu", "dead-t.xml")))
        res = virsh(self.uri, "dominfo", "dead-t")
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("failed to get domain 'dead-t'", res.stderr)
        self.assertEqual(domstate(self.uri, "off-p"), "shut off")

        # the survivors are manageable through the reconnected monitors
        self.ok("suspend", "keep-p")
        self.assertEqual(domstate(self.uri, "keep-p"), "paused")
        self.ok("resume", "keep-p")
        self.ok("resume", "keep-t")
        self.assertEqual(domstate(self.uri, "keep-t"), "running")
        self.assertIn("<domain type=", self.ok("dumpxml", "keep-p").stdout)
        # a new guest never reuses a live id
        self.ok("start", "dead-p")
        new_id = self.ok("domid", "dead-p").stdout.strip()
        self.assertNotIn(new_id, (ids["keep-p"], ids["keep-t"]))
        self.ok("destroy", "dead-p")
        self.ok("destroy", "keep-p")
        self.ok("destroy", "keep-t")
        self.assertEqual(names(self.uri, "--all"), ["dead-p", "keep-p", "off-p"])
        for n in ("keep-p", "keep-t"):
            self.assertTrue(mvtest.wait_pid_gone(pids[n], 15), "QEMU of %s still runs" % n)
        self.assertEqual(os.listdir(os.path.join(self.root, "run", "qemu")), [])

    def test_events_after_recovery(self):
        """A guest that stops after the restart is noticed (monitor reattached)."""
        self.ok("define", self.xml_file("ev-p"))
        self.ok("start", "ev-p")
        pid = mvtest.status_pid(self.root, "ev-p")
        self.d.kill9()
        self.restart()
        self.assertEqual(domstate(self.uri, "ev-p"), "running")
        os.kill(pid, 9)
        self.assertTrue(mvtest.wait_pid_gone(pid, 15))
        ok = mvtest.wait_for(lambda: domstate(self.uri, "ev-p").startswith("shut off"), 20, 0.2)
        self.assertTrue(ok, "state after its QEMU died: %s" % domstate(self.uri, "ev-p", True))
        self.assertFalse(os.path.exists(os.path.join(self.root, "run", "qemu", "ev-p.xml")))

    def test_define_storm(self):
        seed = int(os.environ.get("MV_TEST_SEED", random.randrange(1 << 30)))
        rnd = random.Random(seed)
        kill_after = rnd.randrange(10, 150)
        print("\nseed %d: SIGKILL after %d successful defines" % (seed, kill_after))
        ok_names = []
        attempted = []
        stop = threading.Event()

        def storm():
            try:
                conn = libvirt.open(self.uri)
            except libvirt.libvirtError:
                return
            try:
                for i in range(200):
                    if stop.is_set():
                        return
                    name = "storm-%03d" % i
                    attempted.append(name)
                    try:
                        conn.defineXML(mvtest.firmware_guest_xml(name))
                    except libvirt.libvirtError:
                        return
                    ok_names.append(name)
            finally:
                try:
                    conn.close()
                except libvirt.libvirtError:
                    pass

        t = threading.Thread(target=storm)
        t.start()
        mvtest.wait_for(lambda: len(ok_names) >= kill_after or not t.is_alive(), 60, 0.001)
        self.d.kill9()
        stop.set()
        t.join(60)
        self.assertFalse(t.is_alive())
        print("%d defines returned success, %d attempted" % (len(ok_names), len(attempted)))

        self.restart()
        listed = names(self.uri, "--all")
        self.assertTrue(set(ok_names) <= set(listed),
                        "lost definitions: %s" % sorted(set(ok_names) - set(listed)))
        self.assertTrue(set(listed) <= set(attempted), listed)
        self.assertLessEqual(len(listed), len(ok_names) + 1)
        etc = os.path.join(self.root, "etc", "qemu")
        defs = []
        for f in sorted(os.listdir(etc)):
            path = os.path.join(etc, f)
            if not os.path.isfile(path) or not f.endswith(".xml"):
                continue
            try:
                root = ET.parse(path).getroot()
            except ET.ParseError as e:
                self.fail("%s does not parse: %s" % (path, e))
            self.assertEqual(root.tag, "domain")
            self.assertEqual(root.findtext("name") + ".xml", f)
            defs.append(f[:-4])
        self.assertEqual(sorted(defs), listed, "listed domains == definition files")
        # (so a temporary file of an interrupted write is not a definition)
        leftovers = [f for f in os.listdir(etc) if not f.endswith(".xml")]
        if leftovers:
            print("files in etc/qemu that are not definitions: %s" % leftovers)
        # the daemon works normally afterwards
        self.ok("define", self.xml_file("after"))
        self.ok("undefine", "after")

    def assert_nothing_left(self, name):
        self.assertEqual(mvtest.qemu_processes_of(name), [], "QEMU left running")
        rundir = os.path.join(self.root, "run", "qemu")
        left = os.listdir(rundir) if os.path.isdir(rundir) else []
        self.assertEqual(left, [], "left in run/qemu: %s" % left)
        self.assertTrue(domstate(self.uri, name).startswith("shut off"))
        self.assertEqual(self.ok("domid", name).stdout.strip(), "-")

    def test_failed_starts_leave_nothing(self):
        cases = {
            "bad-kernel": ("</type>", "</type><kernel>/nonexistent/vmlinuz</kernel>",
                           "/nonexistent/vmlinuz"),
            "bad-machine": ("machine='pc'", "machine='nosuch-machine'", "nosuch-machine"),
            "bad-disk": ("<devices>", "<devices><disk type='file' device='disk'>"
                         "<driver name='qemu' type='qcow2'/>"
                         "<source file='/nonexistent/disk.qcow2'/>"
                         "<target dev='vda' bus='virtio'/></disk>", "/nonexistent/disk.qcow2"),
        }
        for name, (old, new, needle) in cases.items():
            with self.subTest(case=name):
                xml = mvtest.firmware_guest_xml(name).replace(old, new)
                self.ok("define", mvtest.write_file(os.path.join(self.root, name + ".xml"), xml))
                res = virsh(self.uri, "start", name)
                self.assertNotEqual(res.returncode, 0)
                self.assertIn("error: Failed to start domain '%s'" % name, res.stderr)
                self.assertIn(needle, res.stderr)
                self.assert_nothing_left(name)
                # transient: the failed create leaves no domain at all
                tname = name + "-t"
                res = virsh(self.uri, "create", mvtest.write_file(
                    os.path.join(self.root, tname + ".xml"), xml.replace(
                        "<name>%s</name>" % name, "<name>%s</name>" % tname)))
                self.assertNotEqual(res.returncode, 0)
                self.assertIn(needle, res.stderr)
                self.assertNotIn(tname, names(self.uri, "--all"))
                self.assertEqual(mvtest.qemu_processes_of(tname), [])
        # a good guest still starts afterwards
        self.ok("define", self.xml_file("good"))
        self.ok("start", "good")
        self.ok("destroy", "good")
        self.assertEqual(os.listdir(os.path.join(self.root, "run", "qemu")), [])


if __name__ == "__main__":
    mvtest.require_qemu()
    mvtest.require_python_libvirt()
    mvtest.require_daemon()
    import libvirt  # noqa: F811
    libvirt.registerErrorHandler(lambda ctx, err: None, None)  # errors are asserted
    mvtest.main()
