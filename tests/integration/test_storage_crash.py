"""modvirt-storaged killed with SIGKILL: nothing half-made is ever listed.

- SIGKILL in the middle of a volume create (qcow2 through qemu-img) and of a
  clone (a dense raw copy): the fault point MV_TEST_CRASH_AT=vol-partial
  kills the daemon as soon as the in-progress file appears. After the
  restart the volume is not listed (nor found by name or path), the
  in-progress file is gone and the log reports it; the clone's source is
  intact; the same names can be created again.
- SIGKILL at rest: clients reconnect, directly and through the proxy, and
  the active pool is taken back with its volumes.
- An fs pool (ext4 on a loop-attached image, in the script's private mount
  namespace) survives SIGKILL mounted and is taken back, not mounted a second
  time; destroy then unmounts it and the loop device goes.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import mvstorage  # noqa: E402
from mvtest import virsh  # noqa: E402

MiB = 1024 * 1024


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(MiB), b""):
            h.update(block)
    return h.hexdigest()


class Crash(unittest.TestCase):

    def setUp(self):
        self.sd = mvstorage.StorageDaemon()
        self.path = os.path.join(self.sd.root, "pool")

    def tearDown(self):
        self.sd.cleanup()

    def ok(self, *args):
        return virsh(self.sd.uri, *args, check=True)

    def start_pool(self):
        self.sd.start()
        self.ok("pool-define-as", "cp", "dir", "--target", self.path)
        self.ok("pool-build", "cp")
        self.ok("pool-start", "cp")

    def restart_with_fault(self):
        """Restart the daemon with the fault point armed."""
        self.sd.stop()
        self.sd.extra_env["MV_TEST_CRASH_AT"] = "vol-partial"
        self.sd.start()

    def killed_and_restarted(self, res, name):
        """The call failed because the daemon died by SIGKILL; restart it unarmed and
        check that @name is nowhere."""
        self.assertNotEqual(res.returncode, 0, res.stdout)
        status = self.sd.wait(20)
        self.assertEqual(status, -9, "the daemon did not die at the fault point")
        self.assertTrue(mvstorage.partial_files(self.path),
                        "no in-progress file was left by the killed job")
        self.sd.extra_env.pop("MV_TEST_CRASH_AT", None)
        self.sd.start()
        self.assertEqual(mvstorage.partial_files(self.path), [])
        names = self.ok("vol-list", "cp").stdout
        self.assertNotIn(name, names)
        self.assertNotEqual(virsh(self.sd.uri, "vol-info", "--pool", "cp", name).returncode, 0)
        res = virsh(self.sd.uri, "vol-info", os.path.join(self.path, name))
        self.assertIn("Storage volume not found", res.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.path, name)))
        self.assertIn("removed the partial volume '%s'" % name, self.sd.log())

    def test_sigkill_during_create(self):
        self.start_pool()
        self.restart_with_fault()
        res = virsh(self.sd.uri, "vol-create-as", "cp", "made", "64M", "--format", "qcow2",
                    "--prealloc-metadata")
        self.killed_and_restarted(res, "made")
        self.ok("vol-create-as", "cp", "made", "4M", "--format", "qcow2")
        self.assertIn("made", self.ok("vol-list", "cp").stdout)

    def test_sigkill_during_clone(self):
        self.start_pool()
        self.ok("vol-create-as", "cp", "src", "64M")
        src = os.path.join(self.path, "src")
        with open(src, "r+b") as f:
            for _ in range(64):
                f.write(os.urandom(MiB))
        digest = sha256(src)
        self.restart_with_fault()
        res = virsh(self.sd.uri, "vol-clone", "--pool", "cp", "src", "copy")
        self.killed_and_restarted(res, "copy")
        self.assertEqual(sha256(src), digest)
        self.assertIn("src", self.ok("vol-list", "cp").stdout)
        self.ok("vol-clone", "--pool", "cp", "src", "copy")
        self.assertEqual(sha256(os.path.join(self.path, "copy")), digest)

    def test_reconnect_after_sigkill(self):
        self.start_pool()
        self.ok("vol-create-as", "cp", "keep", "1M")
        px = mvstorage.ProxyDaemon(self.sd.root).start()
        try:
            self.assertIn("keep", virsh(px.uri, "vol-list", "cp", check=True).stdout)
            for _ in range(2):
                self.sd.kill9()
                self.sd.start()
                self.assertIn("keep", self.ok("vol-list", "cp").stdout)
                self.assertIn("running", self.ok("pool-info", "cp").stdout)
                # a new client of the proxy reaches the new daemon
                res = virsh(px.uri, "vol-list", "cp")
                self.assertEqual(res.returncode, 0, res.stderr)
                self.assertIn("keep", res.stdout)
        finally:
            px.cleanup()


class FsTakeBack(unittest.TestCase):

    def setUp(self):
        if not os.path.exists("/dev/loop-control") or not shutil.which("mkfs.ext4"):
            self.skipTest("needs loop devices (/dev/loop-control) and mkfs.ext4")
        self.sd = mvstorage.StorageDaemon()
        self.img = os.path.join(self.sd.root, "fs.img")
        self.mnt = os.path.join(self.sd.root, "mnt")

    def tearDown(self):
        try:
            if self.sd.running():
                virsh(self.sd.uri, "pool-destroy", "fsp")
            while mvstorage.mount_count(self.mnt):
                subprocess.run(["umount", self.mnt], check=False)
            for dev in mvstorage.loop_devices_of(self.img):
                subprocess.run(["losetup", "-d", dev], check=False)
        finally:
            self.sd.cleanup()

    def ok(self, *args):
        return virsh(self.sd.uri, *args, check=True)

    def test_mounted_pool_taken_back(self):
        with open(self.img, "wb") as f:
            f.truncate(64 * MiB)
        os.makedirs(self.mnt)
        xml = mvtest.write_file(os.path.join(self.sd.root, "fsp.xml"), (
            "<pool type='fs'><name>fsp</name><source><device path='%s'/>"
            "<format type='ext4'/></source><target><path>%s</path></target></pool>\n")
            % (self.img, self.mnt))
        self.sd.start()
        self.ok("pool-define", xml)
        self.ok("pool-build", "fsp", "--no-overwrite")
        self.ok("pool-start", "fsp")
        self.ok("vol-create-as", "fsp", "v1", "1M")
        self.assertEqual(mvstorage.mount_count(self.mnt), 1)
        self.assertEqual(len(mvstorage.loop_devices_of(self.img)), 1)
        for _ in range(2):
            self.sd.kill9()
            self.sd.start()
            self.assertIn("running", self.ok("pool-info", "fsp").stdout)
            self.assertEqual(mvstorage.mount_count(self.mnt), 1, "mounted a second time")
            self.assertEqual(len(mvstorage.loop_devices_of(self.img)), 1)
            self.assertIn("v1", self.ok("vol-list", "fsp").stdout)
            self.assertIn("taken back", self.sd.log())
        self.ok("pool-destroy", "fsp")
        self.assertEqual(mvstorage.mount_count(self.mnt), 0)
        self.assertEqual(mvstorage.loop_devices_of(self.img), [])


if __name__ == "__main__":
    mvstorage.enter_private_mountns()
    mvstorage.require_storaged()
    mvtest.main()
