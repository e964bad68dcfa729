#!/usr/bin/python3
"""Jobs: one modifying call per domain at a time, queries never wait for one.

A firmware-only guest cannot answer a disk unplug, so a live detach-device holds
the domain's job for the daemon's unplug wait (5 s). Meanwhile domstate,
dominfo and list answer at once, and a suspend from another connection gives
up after the configured job wait ([qemu] job_wait_ms = 1000) with an error that
names the call holding the domain.
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


class Jobs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        mvtest.require_root()
        mvtest.require_tools("virsh", "qemu-img", "qemu-system-x86_64")
        cls.d = mvtest.GuestDaemon(config="[qemu]\njob_wait_ms = 1000\n").start()
        cls.uri = cls.d.uri
        cls.disk = os.path.join(cls.d.root, "extra.qcow2")
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", cls.disk, "16M"], check=True,
                       timeout=30)

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()

    def disk_xml(self):
        path = os.path.join(self.d.root, "vdb.xml")
        with open(path, "w") as f:
            f.write("<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                    "<source file='%s'/><target dev='vdb' bus='virtio'/></disk>" % self.disk)
        return path

    def timed(self, *args):
        t0 = time.monotonic()
        res = virsh(self.uri, *args, timeout=30)
        return res, time.monotonic() - t0

    def test_queries_do_not_wait_and_writers_time_out(self):
        # ACPI on: the pc machine's PCI hotplug needs it (the unplug request reaches
        # the firmware, which never answers).
        xml = mvtest.firmware_guest_xml("job1").replace(
            "</os>", "</os>\n  <features><acpi/><apic/></features>")
        path = os.path.join(self.d.root, "job1.xml")
        with open(path, "w") as f:
            f.write(xml)
        virsh(self.uri, "define", path, check=True)
        virsh(self.uri, "start", "job1", check=True)
        disk = self.disk_xml()
        virsh(self.uri, "attach-device", "job1", disk, check=True)

        holder = {}

        def detach():
            holder["res"], holder["took"] = self.timed("detach-device", "job1", disk)

        t = threading.Thread(target=detach)
        t.start()
        time.sleep(0.7)         # the detach now holds the job, waiting for the guest

        for args in (("domstate", "job1"), ("dominfo", "job1"), ("list", "--all")):
            res, took = self.timed(*args)
            self.assertEqual(res.returncode, 0, res.stderr)
            self.assertLess(took, 1.0, "%s waited %.2f s for the detach job" % (args, took))

        res, took = self.timed("suspend", "job1")
        self.assertNotEqual(res.returncode, 0, res.stdout)
        self.assertIn("cannot acquire state change lock", res.stderr)
        self.assertIn("virDomainDetachDevice", res.stderr)      # names the holder
        self.assertGreaterEqual(took, 0.9)
        self.assertLess(took, 4.0)

        t.join(30)
        # The guest never released the disk: the detach reports that after its wait.
        self.assertNotEqual(holder["res"].returncode, 0)
        self.assertIn("did not release disk vdb", holder["res"].stderr)
        self.assertGreaterEqual(holder["took"], 4.5)

        # The job is free again.
        virsh(self.uri, "suspend", "job1", check=True)
        self.assertEqual(mvtest.domstate(self.uri, "job1"), "paused")
        virsh(self.uri, "destroy", "job1", check=True)
        virsh(self.uri, "undefine", "job1", check=True)


if __name__ == "__main__":
    mvtest.main()
