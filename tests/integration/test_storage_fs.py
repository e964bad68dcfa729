"""fs pools and a full disk through stock virsh against a real modvirt-storaged.

The script runs in its own mount namespace with every mount private
(mvtest.enter_private_mountns()): the pools it mounts never reach the host.

- An fs pool on a loop-attached image file: pool-build --no-overwrite runs
  mkfs.ext4 on the image, pool-start attaches it to a loop device and mounts
  it on the target, volumes (raw, qcow2 with a backing store, a clone) live
  in the filesystem, pool-info shows the filesystem's size, pool-destroy
  unmounts it and the loop device goes, a second start finds the volumes
  again; xfs and btrfs the same when their mkfs is installed.
- A full disk: a dir pool on a 4 MiB tmpfs; creating an 8 MiB preallocated
  volume, a preallocated qcow2 and a too-large clone fail with a clear
  error naming the space, nothing is left in the directory or listed, and
  a small volume still works afterwards.
- Pools this host cannot start: logical (no device-mapper), netfs (no NFS)
  and disk (no partitions on loop devices) fail naming what is missing.
"""

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


def kernel_has(fstype):
    with open("/proc/filesystems") as f:
        return any(line.split()[-1] == fstype for line in f if line.strip())


class StorageCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.sd = mvstorage.StorageDaemon().start()

    @classmethod
    def tearDownClass(cls):
        cls.sd.cleanup()

    def setUp(self):
        self.pools = []
        self.images = []
        self.mounts = []

    def tearDown(self):
        for name in self.pools:
            virsh(self.sd.uri, "pool-destroy", name)
            virsh(self.sd.uri, "pool-undefine", name)
        for path in self.mounts:
            while mvstorage.mount_count(path):
                subprocess.run(["umount", path], check=False)
        for img in self.images:
            for dev in mvstorage.loop_devices_of(img):
                subprocess.run(["losetup", "-d", dev], check=False)

    def ok(self, *args):
        return virsh(self.sd.uri, *args, check=True)

    def fails(self, *args, contains=()):
        res = virsh(self.sd.uri, *args)
        self.assertNotEqual(res.returncode, 0, "%s succeeded: %s" % (args, res.stdout))
        for text in contains:
            self.assertIn(text, res.stderr)
        return res

    def define(self, name, xml):
        path = mvtest.write_file(os.path.join(self.sd.root, name + ".xml"), xml)
        self.ok("pool-define", path)
        self.pools.append(name)


class FsPool(StorageCase):

    def fs_pool(self, name, fstype, size, fmt=None):
        img = os.path.join(self.sd.root, name + ".img")
        mnt = os.path.join(self.sd.root, name)
        with open(img, "wb") as f:
            f.truncate(size)
        self.images.append(img)
        self.mounts.append(mnt)
        self.define(name, "<pool type='fs'><name>%s</name><source><device path='%s'/>"
                          "<format type='%s'/></source><target><path>%s</path></target>"
                          "</pool>\n" % (name, img, fmt or fstype, mnt))
        return img, mnt

    def check_pool(self, name, fstype, size, fmt=None):
        img, mnt = self.fs_pool(name, fstype, size, fmt)
        if fmt == "auto":
            # libvirt's list of fs formats has no btrfs: the superblock tells
            subprocess.run(["mkfs." + fstype, "-q", img], check=True, capture_output=True)
            self.ok("pool-build", name)
        else:
            self.ok("pool-build", name, "--no-overwrite")
            self.fails("pool-build", name, "--no-overwrite", contains=("--overwrite",))
        self.ok("pool-start", name)
        self.assertEqual(mvstorage.mount_count(mnt), 1)
        self.assertEqual(len(mvstorage.loop_devices_of(img)), 1)
        with open("/proc/self/mountinfo") as f:
            line = [ln for ln in f if ln.split()[4] == mnt][0]
        self.assertEqual(line.split(" - ")[1].split()[0], fstype)

        info = self.ok("pool-info", name, "--bytes").stdout
        capacity = int([ln for ln in info.splitlines() if ln.startswith("Capacity:")][0]
                       .split()[1])
        self.assertGreater(capacity, size // 2)
        self.assertLessEqual(capacity, size)

        self.ok("vol-create-as", name, "base.img", "4M")
        self.ok("vol-create-as", name, "top.qcow2", "8M", "--format", "qcow2",
                "--backing-vol", "base.img", "--backing-vol-format", "raw")
        self.ok("vol-clone", "base.img", "copy.img", "--pool", name)
        listing = self.ok("vol-list", name).stdout
        for vol in ("base.img", "top.qcow2", "copy.img"):
            self.assertIn(vol, listing)
            self.assertTrue(os.path.exists(os.path.join(mnt, vol)))
        xml = self.ok("vol-dumpxml", "top.qcow2", "--pool", name).stdout
        self.assertIn("<format type='qcow2'/>", xml)
        self.assertIn(os.path.join(mnt, "base.img"), xml)

        self.ok("pool-destroy", name)
        self.assertEqual(mvstorage.mount_count(mnt), 0)
        self.assertEqual(mvstorage.loop_devices_of(img), [])
        self.assertEqual(os.listdir(mnt), [])       # the files live in the image

        self.ok("pool-start", name)
        self.assertIn("copy.img", self.ok("vol-list", name).stdout)
        self.ok("vol-delete", "copy.img", "--pool", name)
        self.ok("pool-destroy", name)
        self.assertEqual(mvstorage.loop_devices_of(img), [])

    def setUp(self):
        super().setUp()
        if not os.path.exists("/dev/loop-control") or not shutil.which("mkfs.ext4"):
            self.skipTest("needs loop devices (/dev/loop-control) and mkfs.ext4")

    def test_ext4(self):
        self.check_pool("fsext4", "ext4", 64 * MiB)

    def test_xfs(self):
        if not shutil.which("mkfs.xfs") or not kernel_has("xfs"):
            self.skipTest("mkfs.xfs or the kernel's xfs missing (install-deps.sh: xfsprogs)")
        self.check_pool("fsxfs", "xfs", 320 * MiB)

    def test_btrfs(self):
        if not shutil.which("mkfs.btrfs") or not kernel_has("btrfs"):
            self.skipTest("mkfs.btrfs or the kernel's btrfs missing (btrfs-progs)")
        self.check_pool("fsbtrfs", "btrfs", 320 * MiB, fmt="auto")

    def test_start_without_filesystem(self):
        img, mnt = self.fs_pool("fsempty", "ext4", 16 * MiB)
        self.ok("pool-build", "fsempty")           # no flags: only the directory
        self.fails("pool-start", "fsempty")
        self.assertEqual(mvstorage.mount_count(mnt), 0)
        self.assertEqual(mvstorage.loop_devices_of(img), [])


class FullDisk(StorageCase):

    def test_full_disk(self):
        path = os.path.join(self.sd.root, "tiny")
        os.makedirs(path)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tiny", path], check=True)
        self.mounts.append(path)
        self.define("tiny", mvstorage.dir_pool_xml("tiny", path))
        self.ok("pool-start", "tiny")
        attempts = [
            ("vol-create-as", "tiny", "big.img", "8M", "--allocation", "8M"),
            ("vol-create-as", "tiny", "big.qcow2", "8M", "--allocation", "8M",
             "--format", "qcow2"),
        ]
        for args in attempts:
            res = self.fails(*args)
            self.assertRegex(res.stderr, r"(?i)space")
            self.assertEqual(os.listdir(path), [], args)
            listing = self.ok("vol-list", "tiny").stdout
            self.assertNotIn("big", listing)
        # a clone that does not fit (6 MiB of data from another pool): the same
        srcdir = os.path.join(self.sd.root, "srcp")
        self.define("srcp", mvstorage.dir_pool_xml("srcp", srcdir))
        self.ok("pool-build", "srcp")
        self.ok("pool-start", "srcp")
        self.ok("vol-create-as", "srcp", "data.img", "6M", "--allocation", "0")
        with open(os.path.join(srcdir, "data.img"), "r+b") as f:
            f.write(os.urandom(6 * MiB))
        clone_xml = mvtest.write_file(os.path.join(self.sd.root, "clone.xml"),
                                      mvstorage.vol_xml("clone.img", 6 * MiB))
        res = self.fails("vol-create-from", "tiny", clone_xml, "data.img",
                         "--inputpool", "srcp")
        self.assertRegex(res.stderr, r"(?i)space")
        self.assertEqual(os.listdir(path), [])
        self.assertNotIn("clone", self.ok("vol-list", "tiny").stdout)
        # the pool still works
        self.ok("vol-create-as", "tiny", "small.img", "1M")
        self.ok("pool-refresh", "tiny")
        self.assertEqual(sorted(os.listdir(path)), ["small.img"])
        self.assertEqual(mvstorage.partial_files(path), [])


class Unavailable(StorageCase):

    def test_logical_names_device_mapper(self):
        with open("/proc/misc") as f:
            if "device-mapper" in f.read():
                self.skipTest("this host has device-mapper")
        self.define("lvm", "<pool type='logical'><name>lvm</name><source>"
                           "<device path='/dev/loop7'/><name>vgx</name></source>"
                           "<target><path>/dev/vgx</path></target></pool>\n")
        self.fails("pool-build", "lvm", contains=("device-mapper",))
        self.fails("pool-start", "lvm", contains=("device-mapper",))

    def test_netfs_names_nfs(self):
        if kernel_has("nfs"):
            self.skipTest("this kernel has NFS")
        target = os.path.join(self.sd.root, "nfs")
        self.define("nfs", "<pool type='netfs'><name>nfs</name><source>"
                           "<host name='127.0.0.1'/><dir path='/export'/>"
                           "<format type='nfs'/></source><target><path>%s</path></target>"
                           "</pool>\n" % target)
        self.fails("pool-start", "nfs", contains=("/proc/filesystems",))
        self.fails("pool-build", "nfs", contains=("nfs",))

    def test_disk_names_partitions(self):
        with open("/sys/module/loop/parameters/max_part") as f:
            if int(f.read().strip() or 0) > 0:
                self.skipTest("this kernel's loop devices have partitions")
        self.define("dsk", "<pool type='disk'><name>dsk</name><source>"
                           "<device path='/dev/loop6'/><format type='gpt'/></source>"
                           "<target><path>/dev</path></target></pool>\n")
        self.fails("pool-start", "dsk", contains=("max_part",))


if __name__ == "__main__":
    mvtest.enter_private_mountns()
    mvstorage.require_storaged()
    mvtest.main()
