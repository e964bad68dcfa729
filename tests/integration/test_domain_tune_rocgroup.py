#!/usr/bin/python3
"""A cgroup v1 hierarchy modvirt-qemud may not write (mounted read-only, as in many
containers) is left out, not fatal (issue 13 item 6): in a private mount namespace the
test remounts the `memory` hierarchy read-only; a guest without <memtune> starts with
groups in the other controllers only, a guest with <memtune> is refused naming the
controller, and nothing of either is left after destroy. No guest boot is waited for:
QEMU starts paused-then-running and is destroyed at once."""

import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402

daemon = None
conn = None
MOUNTS = mvtest.cgroup_mounts()


def setUpModule():
    global daemon, conn
    mvtest.require_python_libvirt()
    mvtest.require_guest()
    missing = [c for c in mvtest.CGROUP_CONTROLLERS if c not in MOUNTS]
    if missing:
        mvtest.skip_script("cgroup v1 controllers not mounted: %s" % ", ".join(missing))
    import libvirt
    mvtest.enter_private_mountns()
    subprocess.run(["mount", "-o", "remount,bind,ro", MOUNTS["memory"]], check=True)
    daemon = mvtest.Daemon().start()
    conn = libvirt.open(daemon.uri)


def tearDownModule():
    try:
        if conn is not None:
            for d in conn.listAllDomains():
                if d.isActive():
                    d.destroy()
            conn.close()
    finally:
        try:
            if daemon is not None:
                daemon.cleanup()
        finally:
            if daemon is not None:
                mvtest.cgroup_remove_all(daemon.root)


def group(controller, uuid):
    return os.path.join(MOUNTS[controller] + mvtest.cgroup_of(controller),
                        mvtest.cgroup_partition(daemon.root), uuid)


class ReadOnlyMemory(unittest.TestCase):
    def test_guest_starts_without_memory_group(self):
        dom = conn.defineXML(mvtest.linux_guest_xml("ro1", daemon.root))
        dom.create()
        try:
            pids = mvtest.qemu_processes_of("ro1", daemon.root)
            self.assertEqual(len(pids), 1, pids)
            uuid = dom.UUIDString()
            self.assertFalse(os.path.exists(group("memory", uuid)))
            for c in ("cpu", "cpuset", "blkio"):
                with self.subTest(controller=c):
                    self.assertTrue(os.path.isdir(group(c, uuid)), group(c, uuid))
                    self.assertTrue(mvtest.cgroup_of(c, pids[0]).startswith(os.path.join(
                        mvtest.cgroup_of(c), mvtest.cgroup_partition(daemon.root), uuid)))
        finally:
            dom.destroy()
        self.assertEqual(mvtest.cgroup_leftovers(daemon.root), [])

    def test_memtune_refused_naming_the_controller(self):
        import libvirt
        xml = mvtest.linux_guest_xml("ro2", daemon.root).replace(
            "<vcpu>1</vcpu>", "<vcpu>1</vcpu>\n  <memtune><hard_limit unit='MiB'>512"
            "</hard_limit></memtune>")
        dom = conn.defineXML(xml)
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.create()
        self.assertIn("no cgroup v1 'memory' controller", str(cm.exception))
        self.assertFalse(dom.isActive())
        self.assertEqual(mvtest.qemu_processes_of("ro2", daemon.root), [])
        self.assertEqual(mvtest.cgroup_leftovers(daemon.root), [])


if __name__ == "__main__":
    mvtest.main()
