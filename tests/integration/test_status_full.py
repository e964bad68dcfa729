"""Live state changes on a full disk: the call reports what really happened.

The daemon's run/qemu (live status files, QMP sockets, QEMU pidfiles) is a
small tmpfs mounted only inside a private mount namespace of the daemon
(`unshare --mount --propagation private`; nothing is mounted in the host's
namespace).  The test reaches it through /proc/DAEMON_PID/root.  With it
full, the status file cannot be written:

* suspend and resume still report success (the guest did pause and resume),
  the state the daemon reports follows the guest, and the stale status file
  proves the write really failed;
* once space returns, the daemon rewrites the status file by itself;
* a daemon restarted in the same namespace after SIGKILL finds the guest
  paused (QEMU's own answer) with the reason only the rewritten status holds.
"""

import errno
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
from mvtest import virsh, domstate  # noqa: E402

MOUNT = 'mount -t tmpfs -o size=256k,mode=0700 modvirt-test "$0" && exec "$@"'


class FullDisk(unittest.TestCase):

    def setUp(self):
        self.d = mvtest.GuestDaemon()
        self.root = self.d.root
        self.rundir = os.path.join(self.root, "run", "qemu")
        os.makedirs(self.rundir)
        self.d.spawn(["unshare", "--mount", "--propagation", "private", "sh", "-c", MOUNT,
                      self.rundir] + self.d.command())
        self.d.wait_ready()
        self.owner = self.d
        self.assertEqual(os.listdir(self.rundir), [], "the tmpfs is not visible outside")

    def tearDown(self):
        self.d.stop()
        self.owner.cleanup()

    def ok(self, *args):
        return virsh(self.d.uri, *args, check=True, timeout=60)

    def ns_path(self, *parts):
        """A path under run/qemu as the daemon sees it (its mount namespace)."""
        return os.path.join("/proc/%d/root" % self.d.pid, self.rundir.lstrip("/"), *parts)

    def status(self, name):
        text = mvtest.read_text(self.ns_path(name + ".xml"))
        m = re.search(r"<domstatus[^>]* state='(\d+)' reason='(\d+)' pid='(\d+)'", text)
        self.assertIsNotNone(m, "no status for %s: %r" % (name, text[:300]))
        return tuple(int(x) for x in m.groups())

    def fill(self):
        path = self.ns_path("fill")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            while True:
                os.write(fd, b"\0" * 512)
        except OSError as e:
            self.assertEqual(e.errno, errno.ENOSPC)
        finally:
            os.close(fd)
        return path

    def test_suspend_resume_on_full_disk(self):
        path = mvtest.write_file(os.path.join(self.root, "full.xml"),
                                 mvtest.firmware_guest_xml("full"))
        self.ok("define", path)
        self.ok("start", "full")
        running = self.status("full")
        self.assertEqual(running[0], 1)
        qemu = running[2]
        self.assertEqual(mvtest.qemu_processes_of("full", self.root), [qemu])
        fill = self.fill()

        for verb, state in (("suspend", "paused"), ("resume", "running"),
                            ("suspend", "paused")):
            res = virsh(self.d.uri, verb, "full", timeout=60)
            self.assertEqual(res.returncode, 0, "%s on a full disk: %s" % (verb, res.stderr))
            self.assertEqual(domstate(self.d.uri, "full"), state)
        self.assertEqual(self.status("full"), running, "the status write did fail")
        self.assertIn("domain 'full': the change took effect but", self.d.log())

        # space returns: the status catches up by itself
        os.unlink(fill)
        caught_up = mvtest.wait_for(lambda: self.status("full")[0] == 3, 30, 0.1)
        self.assertTrue(caught_up, "status not rewritten: %s" % (self.status("full"),))
        self.assertEqual(self.status("full"), (3, 1, qemu))   # paused by the user

        # QEMU itself says paused: a restart in the same namespace asks it
        self.d.kill9()
        self.d = mvtest.GuestDaemon(root=self.root)
        # (entering a mount namespace moves to its /: the binary by absolute path)
        cmd = self.d.command()
        self.d.spawn(["nsenter", "--mount=/proc/%d/ns/mnt" % qemu, os.path.abspath(cmd[0])]
                     + cmd[1:])
        self.d.wait_ready()
        self.assertEqual(domstate(self.d.uri, "full", reason=True), "paused (user)")
        self.assertEqual(mvtest.qemu_processes_of("full", self.root), [qemu])
        self.ok("resume", "full")
        self.assertEqual(domstate(self.d.uri, "full"), "running")
        self.ok("destroy", "full")
        self.assertTrue(mvtest.wait_pid_gone(qemu, 15))

    def test_setmem_attach_on_full_disk(self):
        path = mvtest.write_file(os.path.join(self.root, "dev.xml"), mvtest.firmware_guest_xml(
            "dev", memory_mib=64, extra_devices="<memballoon model='virtio'/>").replace(
                "</os>", "</os><features><acpi/></features>"))   # ACPI: PCI hotplug
        disk, disk2 = (os.path.join(self.root, n) for n in ("extra1.img", "extra2.img"))
        for d in (disk, disk2):
            with open(d, "wb") as f:
                f.truncate(1 << 20)
        self.ok("create", path)
        fill = self.fill()
        status = mvtest.read_text(self.ns_path("dev.xml"))

        res = virsh(self.d.uri, "setmem", "dev", "48M", "--live")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("<currentMemory unit='KiB'>49152</currentMemory>",
                      self.ok("dumpxml", "dev").stdout)
        res = virsh(self.d.uri, "attach-disk", "dev", disk, "vdb", "--targetbus", "virtio",
                    "--live", timeout=60)
        self.assertEqual(res.returncode, 0, "attach on a full disk: %s" % res.stderr)
        self.assertIn("<target dev='vdb'", self.ok("dumpxml", "dev").stdout)
        # (no detach: a firmware-only guest never acknowledges an unplug)
        res = virsh(self.d.uri, "attach-disk", "dev", disk2, "vdc", "--targetbus", "virtio",
                    "--live", timeout=60)
        self.assertEqual(res.returncode, 0, "attach on a full disk: %s" % res.stderr)
        self.assertEqual(mvtest.read_text(self.ns_path("dev.xml")), status,
                         "the status write did fail")

        os.unlink(fill)
        caught_up = mvtest.wait_for(
            lambda: "<target dev='vdc'" in mvtest.read_text(self.ns_path("dev.xml")), 30, 0.1)
        self.assertTrue(caught_up, "status not rewritten")
        text = mvtest.read_text(self.ns_path("dev.xml"))
        self.assertIn("<currentMemory unit='KiB'>49152</currentMemory>", text)
        self.assertIn("<target dev='vdb'", text)
        self.ok("destroy", "dev")

    def test_live_metadata_is_all_or_nothing(self):
        """Metadata lives only in the daemon: refused on a full disk, and then absent."""
        path = mvtest.write_file(os.path.join(self.root, "meta.xml"),
                                 mvtest.firmware_guest_xml("meta"))
        self.ok("create", path)
        fill = self.fill()
        res = virsh(self.d.uri, "desc", "meta", "--live", "--title", "new title")
        self.assertNotEqual(res.returncode, 0, "metadata change on a full disk succeeded")
        self.assertNotIn("new title", self.ok("dumpxml", "meta").stdout)
        os.unlink(fill)
        self.ok("desc", "meta", "--live", "--title", "new title")
        self.assertIn("new title", self.ok("dumpxml", "meta").stdout)
        self.ok("destroy", "meta")


if __name__ == "__main__":
    mvtest.require_qemu()
    mvtest.require_root()
    mvtest.require_tools("unshare", "nsenter")
    mvtest.require_daemon()
    mvtest.main()
