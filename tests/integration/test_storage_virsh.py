"""Storage pools and volumes through stock virsh against a real modvirt-storaged.

A dir pool through its whole life (define, build, start, info, dumpxml,
autostart, refresh, destroy, delete, undefine), volumes raw, qcow2 and with
a backing store, clone, resize (grow, shrink refused without --shrink),
wipe, delete, lookups by path and key, redefine and uniqueness errors,
operations on an inactive pool with libvirt's errors, pool-event (lifecycle
and refresh), autostart and take-back when the daemon restarts. Every case
runs twice: on storaged's own socket and through the proxy (storage:///system
routed by the registry).
"""

import os
import re
import subprocess
import sys
import time
import unittest
import uuid as uuidlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import mvstorage  # noqa: E402
from mvtest import virsh  # noqa: E402

MiB = 1024 * 1024


def field(text, key):
    m = re.search(r"^%s:\s*(.*)$" % re.escape(key), text, re.M)
    if not m:
        raise AssertionError("no %r in:\n%s" % (key, text))
    return m.group(1).strip()


class Base:
    """The cases; the subclasses say which socket (self.uri) they go through."""

    sd = None
    px = None

    @classmethod
    def setUpClass(cls):
        cls.sd = mvstorage.StorageDaemon().start()
        cls.px = mvstorage.ProxyDaemon(cls.sd.root).start()

    @classmethod
    def tearDownClass(cls):
        cls.px.cleanup()
        cls.sd.cleanup()

    def setUp(self):
        self.uri = self.the_uri()
        self.pools = []

    def tearDown(self):
        for name in self.pools:
            virsh(self.uri, "pool-destroy", name)
            virsh(self.uri, "pool-undefine", name)

    def ok(self, *args):
        return virsh(self.uri, *args, check=True)

    def fails(self, *args, contains):
        res = virsh(self.uri, *args)
        self.assertNotEqual(res.returncode, 0, "%s succeeded: %s" % (args, res.stdout))
        self.assertIn(contains, res.stderr)
        return res

    def pool_dir(self, name):
        return os.path.join(self.sd.root, "pools-%s" % self.__class__.__name__, name)

    def new_pool(self, name, start=True):
        path = self.pool_dir(name)
        self.pools.append(name)
        self.ok("pool-define-as", name, "dir", "--target", path)
        if start:
            self.ok("pool-build", name)
            self.ok("pool-start", name)
        return path

    # -- pools -------------------------------------------------------------------

    def test_dir_pool_lifecycle(self):
        path = self.pool_dir("life")
        xml = mvtest.write_file(os.path.join(self.sd.root, "life.xml"),
                                mvstorage.dir_pool_xml("life", path))
        self.pools.append("life")
        self.ok("pool-define", xml)
        self.assertFalse(os.path.exists(path))
        info = self.ok("pool-info", "life").stdout
        self.assertEqual(field(info, "State"), "inactive")
        self.assertEqual(field(info, "Persistent"), "yes")
        self.ok("pool-build", "life")
        self.assertTrue(os.path.isdir(path))
        self.ok("pool-start", "life")
        info = self.ok("pool-info", "life").stdout
        self.assertEqual(field(info, "State"), "running")
        self.assertEqual(field(info, "Autostart"), "no")
        dump = self.ok("pool-dumpxml", "life").stdout
        self.assertEqual(mvstorage.xml_text(dump, "target/path"), path)
        self.ok("pool-autostart", "life")
        self.assertEqual(self.ok("pool-list", "--autostart", "--name").stdout.split(), ["life"])
        self.assertEqual(field(self.ok("pool-info", "life").stdout, "Autostart"), "yes")
        self.ok("pool-autostart", "life", "--disable")
        self.assertIn("life", self.ok("pool-list", "--no-autostart", "--name").stdout.split())
        self.assertIn("life", self.ok("pool-list", "--persistent", "--name").stdout.split())
        self.assertNotIn("life", self.ok("pool-list", "--transient", "--name").stdout.split())
        self.assertIn("life", self.ok("pool-list", "--type", "dir", "--name").stdout.split())
        self.assertNotIn("life", self.ok("pool-list", "--type", "fs", "--name").stdout.split())
        self.ok("pool-destroy", "life")
        self.assertIn("life", self.ok("pool-list", "--inactive", "--name").stdout.split())
        self.assertNotIn("life", self.ok("pool-list", "--name").stdout.split())
        self.ok("pool-delete", "life")
        self.assertFalse(os.path.exists(path))
        self.ok("pool-undefine", "life")
        self.pools.remove("life")
        self.fails("pool-info", "life", contains="Storage pool not found")

    def test_transient_pool(self):
        path = self.pool_dir("tr")
        os.makedirs(path)
        xml = mvtest.write_file(os.path.join(self.sd.root, "tr.xml"),
                                mvstorage.dir_pool_xml("tr", path))
        self.ok("pool-create", xml)
        info = self.ok("pool-info", "tr").stdout
        self.assertEqual(field(info, "Persistent"), "no")
        self.assertEqual(field(info, "State"), "running")
        self.assertIn("tr", self.ok("pool-list", "--transient", "--name").stdout.split())
        self.fails("pool-autostart", "tr", contains="transient")
        self.ok("pool-destroy", "tr")
        self.fails("pool-info", "tr", contains="Storage pool not found")

    def test_start_and_create_with_build(self):
        path = self.new_pool("sb", start=False)
        self.fails("pool-start", "sb", contains="build")
        self.ok("pool-start", "sb", "--build")
        self.assertTrue(os.path.isdir(path))
        self.assertIn("running", self.ok("pool-info", "sb").stdout)
        path2 = self.pool_dir("cb")
        self.fails("pool-start", "sb", "--build", "--overwrite", "--no-overwrite",
                   contains="exclusive")
        self.ok("pool-create-as", "cb", "dir", "--target", path2, "--build")
        self.assertTrue(os.path.isdir(path2))
        self.assertIn("cb", self.ok("pool-list", "--transient", "--name").stdout.split())
        self.ok("pool-destroy", "cb")

    def test_uniqueness_and_redefine(self):
        path = self.new_pool("uq", start=False)
        uuid = self.ok("pool-uuid", "uq").stdout.strip()
        # same name, another UUID: refused
        other = mvtest.write_file(os.path.join(self.sd.root, "uq2.xml"),
                                  mvstorage.dir_pool_xml("uq", path + "x", uuid=uuidlib.uuid4()))
        self.fails("pool-define", other, contains="already exists with uuid %s" % uuid)
        # same UUID, another name: refused
        other = mvtest.write_file(os.path.join(self.sd.root, "uq3.xml"),
                                  mvstorage.dir_pool_xml("uq3", path + "y", uuid=uuid))
        self.fails("pool-define", other, contains="is already defined with uuid %s" % uuid)
        # another pool on the same directory: refused
        other = mvtest.write_file(os.path.join(self.sd.root, "uq4.xml"),
                                  mvstorage.dir_pool_xml("uq4", path))
        self.fails("pool-define", other, contains="Storage source conflict with pool: 'uq'")
        # same name and UUID: the definition is updated
        again = mvtest.write_file(os.path.join(self.sd.root, "uq5.xml"),
                                  mvstorage.dir_pool_xml("uq", path + "z", uuid=uuid))
        self.ok("pool-define", again)
        dump = self.ok("pool-dumpxml", "uq").stdout
        self.assertEqual(mvstorage.xml_text(dump, "target/path"), path + "z")
        self.assertEqual(self.ok("pool-list", "--all", "--name").stdout.split().count("uq"), 1)

    def test_inactive_pool_errors(self):
        self.new_pool("ina", start=False)
        for args in (("vol-list", "ina"), ("vol-create-as", "ina", "v", "1M"),
                     ("pool-refresh", "ina"), ("pool-destroy", "ina")):
            self.fails(*args, contains="storage pool 'ina' is not active")
        self.ok("pool-build", "ina")
        self.ok("pool-start", "ina")
        self.fails("pool-start", "ina", contains="storage pool 'ina' is already active")
        self.fails("pool-build", "ina", contains="storage pool 'ina' is already active")
        self.fails("pool-undefine", "ina", contains="storage pool 'ina' is still active")
        self.fails("pool-delete", "ina", contains="storage pool 'ina' is still active")
        self.fails("pool-info", "nosuch", contains="Storage pool not found")
        self.fails("vol-info", "--pool", "ina", "nosuch",
                   contains="Storage volume not found")

    # -- volumes -------------------------------------------------------------------

    def test_volumes(self):
        path = self.new_pool("vols")
        self.ok("vol-create-as", "vols", "raw1", "2M")
        raw = os.path.join(path, "raw1")
        self.assertEqual(os.path.getsize(raw), 2 * MiB)
        info = self.ok("vol-info", "--pool", "vols", "raw1").stdout
        self.assertEqual(field(info, "Type"), "file")
        self.assertEqual(field(info, "Capacity"), "2.00 MiB")
        self.assertEqual(self.ok("vol-path", "--pool", "vols", "raw1").stdout.strip(), raw)
        self.assertEqual(self.ok("vol-key", "--pool", "vols", "raw1").stdout.strip(), raw)
        # lookups by path and key (vol-info without --pool), and the pool of a volume
        self.assertEqual(field(self.ok("vol-info", raw).stdout, "Name"), "raw1")
        self.assertEqual(self.ok("vol-pool", raw).stdout.strip(), "vols")
        # sparse raw: nothing allocated
        self.ok("vol-create-as", "vols", "sparse", "64M", "--allocation", "0")
        self.assertLess(os.stat(os.path.join(path, "sparse")).st_blocks * 512, MiB)
        # qcow2 and a qcow2 on a backing store
        self.ok("vol-create-as", "vols", "q", "16M", "--format", "qcow2")
        dump = self.ok("vol-dumpxml", "--pool", "vols", "q").stdout
        self.assertEqual(mvstorage.xml_text(dump, "capacity"), str(16 * MiB))
        self.assertIn("<format type='qcow2'/>", dump)
        with open(os.path.join(path, "q"), "rb") as f:
            self.assertEqual(f.read(4), b"QFI\xfb")
        self.ok("vol-create-as", "vols", "ov", "16M", "--format", "qcow2",
                "--backing-vol", "q", "--backing-vol-format", "qcow2")
        dump = self.ok("vol-dumpxml", "--pool", "vols", "ov").stdout
        self.assertEqual(mvstorage.xml_text(dump, "backingStore/path"), os.path.join(path, "q"))
        img = subprocess.run(["qemu-img", "info", "--output=json", "-U",
                              os.path.join(path, "ov")], capture_output=True, text=True)
        self.assertIn(os.path.join(path, "q"), img.stdout)
        # duplicates
        self.fails("vol-create-as", "vols", "raw1", "1M",
                   contains="storage volume already exists")
        names = self.ok("vol-list", "vols").stdout
        for n in ("raw1", "sparse", "q", "ov"):
            self.assertIn(n, names)

    def test_clone_resize_wipe_delete(self):
        path = self.new_pool("cl")
        self.ok("vol-create-as", "cl", "src", "1M")
        src = os.path.join(path, "src")
        with open(src, "r+b") as f:
            f.write(b"modvirt" * 1000)
        self.ok("vol-clone", "--pool", "cl", "src", "dst")
        with open(os.path.join(path, "dst"), "rb") as f:
            self.assertEqual(f.read(7000), b"modvirt" * 1000)
        self.assertEqual(os.path.getsize(os.path.join(path, "dst")), MiB)
        # resize: grow, shrink needs --shrink
        self.ok("vol-resize", "--pool", "cl", "dst", "4M")
        self.assertEqual(os.path.getsize(os.path.join(path, "dst")), 4 * MiB)
        self.fails("vol-resize", "--pool", "cl", "dst", "2M",
                   contains="Can't shrink capacity below current capacity")
        self.ok("vol-resize", "--pool", "cl", "dst", "2M", "--shrink")
        self.assertEqual(field(self.ok("vol-info", "--pool", "cl", "dst").stdout, "Capacity"),
                         "2.00 MiB")
        self.ok("vol-resize", "--pool", "cl", "dst", "--delta", "1M")
        self.assertEqual(os.path.getsize(os.path.join(path, "dst")), 3 * MiB)
        # wipe: zeros
        self.ok("vol-wipe", "--pool", "cl", "dst")
        with open(os.path.join(path, "dst"), "rb") as f:
            self.assertEqual(f.read(7000), b"\0" * 7000)
        # delete
        self.ok("vol-delete", "--pool", "cl", "dst")
        self.assertFalse(os.path.exists(os.path.join(path, "dst")))
        self.fails("vol-info", "--pool", "cl", "dst", contains="Storage volume not found")
        self.assertNotIn("dst", self.ok("vol-list", "cl").stdout)

    def test_refresh_finds_new_files(self):
        path = self.new_pool("rf")
        with open(os.path.join(path, "outside.img"), "wb") as f:
            f.truncate(3 * MiB)
        self.assertNotIn("outside.img", self.ok("vol-list", "rf").stdout)
        self.ok("pool-refresh", "rf")
        self.assertIn("outside.img", self.ok("vol-list", "rf").stdout)
        self.assertEqual(field(self.ok("vol-info", "--pool", "rf", "outside.img").stdout,
                               "Capacity"), "3.00 MiB")

    # -- connect-level calls, read-only -----------------------------------------------

    def test_capabilities_sources_readonly(self):
        caps = self.ok("pool-capabilities").stdout
        self.assertIn("<pool type='dir' supported='yes'>", caps)
        self.assertIn("<storagepoolCapabilities>", caps)
        self.assertIn("<sources", self.ok("find-storage-pool-sources", "fs").stdout)
        self.fails("find-storage-pool-sources", "dir", contains="cannot find sources")
        self.fails("find-storage-pool-sources", "logical", contains="device-mapper")
        self.new_pool("ro")
        self.ok("vol-create-as", "ro", "v", "1M")
        ro = self.sd.ro_uri
        self.assertIn("ro", virsh(ro, "pool-list", "--name", check=True).stdout.split())
        self.assertIn("v", virsh(ro, "vol-list", "ro", check=True).stdout)
        for args in (("pool-define-as", "x", "dir", "--target", "/tmp/x"),
                     ("pool-destroy", "ro"), ("vol-delete", "--pool", "ro", "v"),
                     ("vol-create-as", "ro", "w", "1M")):
            res = virsh(ro, *args)
            self.assertNotEqual(res.returncode, 0, args)
            self.assertIn("read only access prevents", res.stderr)
        self.assertIn("v", self.ok("vol-list", "ro").stdout)

    # -- events ----------------------------------------------------------------------

    def test_pool_events(self):
        self.new_pool("ev")
        env = dict(os.environ, LC_ALL="C")
        actions = {
            "refresh": [("pool-refresh", "ev")],
            "lifecycle": [("pool-destroy", "ev"), ("pool-start", "ev")],
        }
        for event, steps in actions.items():
            # one-shot: virsh exits at the first event; repeat the action until it
            # does (its registration races with the first ones)
            p = subprocess.Popen(["virsh", "-c", self.uri, "pool-event", "--pool", "ev",
                                  "--event", event, "--timeout", "30"],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                 env=env)
            try:
                while p.poll() is None:
                    for step in steps:
                        self.ok(*step)
                    time.sleep(0.2)
            finally:
                if p.poll() is None:
                    p.kill()
                out = p.communicate(timeout=10)[0]
            self.assertIn("event '%s' for storage pool ev" % event, out)
            if event == "lifecycle":
                self.assertRegex(out, r"for storage pool ev: (Stopped|Started)")
            self.assertIn("events received: 1", out)


class Direct(Base, unittest.TestCase):
    def the_uri(self):
        return self.sd.uri


class ThroughProxy(Base, unittest.TestCase):
    def the_uri(self):
        return self.px.uri


class Restart(unittest.TestCase):
    """Active pools are taken back when the daemon restarts (SIGTERM and SIGKILL);
    autostart pools start."""

    def test_take_back_and_autostart(self):
        sd = mvstorage.StorageDaemon().start()
        try:
            for name in ("act", "auto", "off"):
                virsh(sd.uri, "pool-define-as", name, "dir", "--target",
                      os.path.join(sd.root, "p-" + name), check=True)
                virsh(sd.uri, "pool-build", name, check=True)
            virsh(sd.uri, "pool-start", "act", check=True)
            virsh(sd.uri, "vol-create-as", "act", "v", "1M", check=True)
            virsh(sd.uri, "pool-autostart", "auto", check=True)
            for how in ("stop", "kill9"):
                getattr(sd, how)()
                sd.start()
                active = virsh(sd.uri, "pool-list", "--name", check=True).stdout.split()
                self.assertEqual(sorted(active), ["act", "auto"], how)
                self.assertIn("v", virsh(sd.uri, "vol-list", "act", check=True).stdout)
        finally:
            sd.cleanup()


if __name__ == "__main__":
    mvstorage.require_storaged()
    mvtest.main()
