#!/usr/bin/python3
"""Jobs: one modifying call per domain at a time, queries never wait for one.

A firmware-only guest cannot answer a disk unplug, so a live detach-device holds
the domain's job for the daemon's unplug wait (5 s). The test knows the detach
holds the job once the daemon's debug log shows the `device_del` it sends to
QEMU from inside the job; from then on the claims are structural, not timed:

* Jobs ([qemu] job_wait_ms = 1000): lookups (name, UUID, id), state, info,
  dumpxml and list answer, and *afterwards* the detach is still running and a
  suspend from another connection gives up with an error naming
  virDomainDetachDevice — so they answered while the job was held.
* After its wait the detach succeeds with the disk still live (libvirt's "detach
  request sent"); a reset makes QEMU finish the unplug, and the daemon then
  removes the disk's block nodes and drops it from the live XML and status file.
* Handoff ([qemu] job_wait_ms = 60000): a suspend waits behind the detach,
  queries answer meanwhile, and when the detach ends the suspend gets the job
  at once: it completes well within a third of its 60 s deadline (a release
  that did not wake the waiter would leave it waiting the full deadline).
"""

import os
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
from mvtest import virsh  # noqa: E402

libvirt = None

HANDOFF_WAIT_MS = 60000


class JobCase(unittest.TestCase):
    """A daemon with a given job wait and a firmware guest 'job1' with a hot-plugged disk."""

    job_wait_ms = None

    @classmethod
    def setUpClass(cls):
        cls.d = mvtest.GuestDaemon(config="[qemu]\njob_wait_ms = %d\n" % cls.job_wait_ms,
                                   env={"MODVIRT_LOG": "debug"}).start()
        cls.uri = cls.d.uri
        cls.disk = os.path.join(cls.d.root, "extra.qcow2")
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", cls.disk, "16M"], check=True,
                       timeout=30)
        cls.disk_xml = mvtest.write_file(
            os.path.join(cls.d.root, "vdb.xml"),
            "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
            "<source file='%s'/><target dev='vdb' bus='virtio'/></disk>" % cls.disk)
        # ACPI on: the pc machine's PCI hotplug needs it (the unplug request reaches
        # the firmware, which never answers).
        xml = mvtest.firmware_guest_xml("job1").replace(
            "</os>", "</os>\n  <features><acpi/><apic/></features>")
        virsh(cls.uri, "define", mvtest.write_file(os.path.join(cls.d.root, "job1.xml"), xml),
              check=True)
        virsh(cls.uri, "start", "job1", check=True)
        virsh(cls.uri, "attach-device", "job1", cls.disk_xml, check=True)
        cls.conn = libvirt.open(cls.uri)

    @classmethod
    def tearDownClass(cls):
        cls.conn.close()
        virsh(cls.uri, "destroy", "job1")
        cls.d.cleanup()

    def start_detach(self, disk_xml=None):
        """Start a live detach in a thread; return once it holds the job."""
        holder = {}
        sent_before = self.d.log().count('"device_del"')

        def detach():
            holder["res"] = virsh(self.uri, "detach-device", "job1", disk_xml or self.disk_xml,
                                  timeout=60)
            holder["end"] = time.monotonic()

        t = threading.Thread(target=detach)
        t.start()
        held = mvtest.wait_for(lambda: self.d.log().count('"device_del"') > sent_before or
                               "res" in holder, 30, 0.01)
        self.assertTrue(held and "res" not in holder,
                        "the detach never sent device_del: %s" % holder.get("res"))
        return t, holder

    def queries(self):
        """Every read-only call answers (python-libvirt: fast, one connection)."""
        dom = self.conn.lookupByName("job1")
        uuid = dom.UUIDString()
        self.assertEqual(self.conn.lookupByUUIDString(uuid).name(), "job1")
        self.assertEqual(self.conn.lookupByID(dom.ID()).name(), "job1")
        self.assertEqual(dom.state()[0], libvirt.VIR_DOMAIN_RUNNING)
        self.assertEqual(dom.info()[0], libvirt.VIR_DOMAIN_RUNNING)
        self.assertIn(self.disk, dom.XMLDesc(0), "the disk is still attached")
        self.assertIn("job1", [d.name() for d in self.conn.listAllDomains(0)])
        res = virsh(self.uri, "domstate", "job1")
        self.assertEqual(res.stdout.strip(), "running", res.stderr)

    def assert_detach_pending(self, holder, disk=None):
        """The guest never released the disk: after its wait the detach succeeds, as
        libvirt's does ("detach request sent"), and the disk stays live until the guest
        lets go of it (QEMU's DEVICE_DELETED)."""
        self.assertEqual(holder["res"].returncode, 0, holder["res"].stderr)
        self.assertIn(disk or self.disk, self.conn.lookupByName("job1").XMLDesc(0))


class Jobs(JobCase):
    job_wait_ms = 1000

    def test_queries_answer_while_held_and_writers_time_out(self):
        t, holder = self.start_detach()
        self.queries()
        # After the queries, the job is still held by the same detach: they
        # answered while it was held.
        self.assertNotIn("res", holder, "the detach ended before the queries were done")
        t0 = time.monotonic()
        res = virsh(self.uri, "suspend", "job1", timeout=30)
        took = time.monotonic() - t0
        self.assertNotEqual(res.returncode, 0, res.stdout)
        self.assertIn("cannot acquire state change lock", res.stderr)
        self.assertIn("virDomainDetachDevice", res.stderr)      # names the holder
        self.assertGreaterEqual(took, self.job_wait_ms / 1000 * 0.9, "gave up before its wait")
        self.assertNotIn("res", holder, "the detach ended before the suspend gave up")

        t.join(30)
        self.assertFalse(t.is_alive())
        self.assert_detach_pending(holder)
        # The job is free again.
        virsh(self.uri, "suspend", "job1", check=True)
        self.assertEqual(mvtest.domstate(self.uri, "job1"), "paused")
        virsh(self.uri, "resume", "job1", check=True)

    def test_reset_finishes_a_pending_unplug(self):
        """A reset makes QEMU finish the unplug the firmware never answered: the daemon
        then removes the disk's block nodes and the disk leaves the live XML and the
        status file; the same disk attaches again (its node names are free). (Its own
        disk vdc: the other test leaves vdb pending.)"""
        disk = os.path.join(self.d.root, "reset.qcow2")
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", disk, "16M"], check=True,
                       timeout=30)
        disk_xml = mvtest.write_file(
            os.path.join(self.d.root, "vdc.xml"),
            "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
            "<source file='%s'/><target dev='vdc' bus='virtio'/></disk>" % disk)
        status = os.path.join(self.d.root, "run", "qemu")
        virsh(self.uri, "attach-device", "job1", disk_xml, check=True)
        t, holder = self.start_detach(disk_xml)
        t.join(30)
        self.assertFalse(t.is_alive())
        self.assert_detach_pending(holder, disk)
        virsh(self.uri, "reset", "job1", check=True)
        gone = mvtest.wait_for(
            lambda: disk not in self.conn.lookupByName("job1").XMLDesc(0), 30, 0.1)
        self.assertTrue(gone, "the disk is still live after the reset")
        for name in os.listdir(status):
            if name.endswith(".xml"):
                with open(os.path.join(status, name)) as f:
                    self.assertNotIn(disk, f.read(), "status file %s" % name)
        # its block nodes are gone: the same node names can be used again
        virsh(self.uri, "attach-device", "job1", disk_xml, check=True)
        self.assertIn(disk, self.conn.lookupByName("job1").XMLDesc(0))


class Handoff(JobCase):
    job_wait_ms = HANDOFF_WAIT_MS

    def test_release_wakes_the_waiting_writer(self):
        t, holder = self.start_detach()
        waiter = {}

        def suspend():
            waiter["start"] = time.monotonic()
            waiter["res"] = virsh(self.uri, "suspend", "job1", timeout=HANDOFF_WAIT_MS / 1000 + 30)
            waiter["end"] = time.monotonic()

        w = threading.Thread(target=suspend)
        w.start()
        # queries answer while the detach holds the job and the suspend waits for it
        self.queries()
        self.assertNotIn("res", holder, "the detach ended before the queries were done")
        self.assertNotIn("res", waiter, "the suspend got the job while the detach held it")

        t.join(30)
        self.assertFalse(t.is_alive())
        self.assert_detach_pending(holder)
        w.join(HANDOFF_WAIT_MS / 1000 + 60)
        self.assertFalse(w.is_alive())
        self.assertEqual(waiter["res"].returncode, 0, waiter["res"].stderr)
        self.assertGreaterEqual(waiter["end"], holder["end"] - 1.0,
                                "the suspend finished before the detach released the job")
        # Woken by the release, not by its deadline (60 s after it started waiting).
        self.assertLess(waiter["end"] - waiter["start"], HANDOFF_WAIT_MS / 1000 / 3,
                        "the waiting suspend only proceeded near its deadline: end_job did "
                        "not wake it")
        self.assertEqual(mvtest.domstate(self.uri, "job1"), "paused")
        virsh(self.uri, "resume", "job1", check=True)


if __name__ == "__main__":
    mvtest.require_root()
    mvtest.require_tools("virsh", "qemu-img", "qemu-system-x86_64")
    mvtest.require_python_libvirt()
    mvtest.require_daemon()
    import libvirt  # noqa: F811
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    mvtest.main()
