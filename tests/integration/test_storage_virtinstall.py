#!/usr/bin/python3
"""Guests on modvirt-storaged's volumes (issue 12, item 6).

modvirt-storaged, modvirt-qemud and modvirt-proxyd share one --root; stock
virsh, virt-install and virt-clone go through the proxy (one URI, as a user
types it).  The guests are the tiny TCG Linux guest: it prints
`MODVIRT-GUEST-DISK vdX <sectors>` for each virtio disk it sees, so a boot
proves the volume reached the guest with its size.

1. <disk type='volume'>: a guest boots with a qcow2 and a raw volume of a dir
   pool; QEMU has the volumes' files open; the live XML keeps pool/volume;
2. a volume disk hot-plugged into the running guest (QEMU opens the file),
   still there after qemud is SIGKILLed and restarted, then unplugged;
3. start fails clearly: the pool inactive, the volume missing, the pool
   missing, a volume inside a path guests may not use (python3-libvirt sees
   libvirt's error codes); and with no storaged at all (a root of its own);
4. virt-install --disk size=N puts the disk in the pool named 'default' (the
   test defines it in a temp dir; /var/lib/libvirt/images is never made);
5. virt-install --disk path=DIR/new.qcow2,size=N,format=qcow2: virt-install
   defines a pool for DIR itself, the volume is in it;
6. virt-clone: the clone's disk is a new volume of the pool with the same
   data (checksums of the guest-visible contents), and the clone boots.
"""

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import mvnet  # noqa: E402
from mvtest import virsh  # noqa: E402

STORAGED = getattr(mvtest, "STORAGED", os.environ.get(
    "MV_STORAGED", os.path.join(mvtest.BUILD_ROOT, "daemons", "storage", "modvirt-storaged")))
MIB = 1024 * 1024
S = {}          # the module's daemons, URIs and directories
DEFAULT_IMAGES = "/var/lib/libvirt/images"


def sh(*cmd):
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                         stdin=subprocess.DEVNULL)
    if res.returncode != 0:
        raise AssertionError("%s failed (%d): %s" % (" ".join(cmd), res.returncode,
                                                     res.stdout + res.stderr))
    return res.stdout


def vsh(*args, check=True):
    return virsh(S["uri"], *args, check=check, timeout=60)


def define_dir_pool(name, path):
    os.makedirs(path, exist_ok=True)
    vsh("pool-define-as", name, "dir", "--target", path)
    vsh("pool-start", name)


def ensure_default_pool():
    """The pool virt-install's size=N uses: 'default', in the root (never
    /var/lib/libvirt/images, which virt-install would make otherwise)."""
    if "default" not in vsh("pool-list", "--all", "--name").stdout.split():
        define_dir_pool("default", os.path.join(S["pools"], "default"))


def vol_path(pool, vol):
    return vsh("vol-path", "--pool", pool, vol).stdout.strip()


def vol_names(pool):
    out = vsh("vol-list", pool).stdout
    return [line.split()[0] for line in out.splitlines()[2:] if line.strip()]


def guest_xml(name, disks):
    """The tiny guest (kernel boot) with DISKS (XML text) and a logged serial."""
    g = os.path.abspath(mvtest.GUEST_DIR)
    return """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>160</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>%s/vmlinuz</kernel>
    <initrd>%s/initrd.gz</initrd>
    <cmdline>console=ttyS0 quiet panic=-1</cmdline>
  </os>
  <features><acpi/></features>
  <devices>%s
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
  </devices>
</domain>
""" % (name, g, g, disks)


def volume_disk(pool, vol, dev, driver_type=None):
    driver = "\n      <driver name='qemu' type='%s'/>" % driver_type if driver_type else ""
    return """
    <disk type='volume' device='disk'>%s
      <source pool='%s' volume='%s'/>
      <target dev='%s' bus='virtio'/>
    </disk>""" % (driver, pool, vol, dev)


def define(name, xml):
    path = mvtest.write_file(os.path.join(S["root"], name + ".xml"), xml)
    vsh("define", path)


def open_files(pid):
    """The paths a process has open (its fds' targets)."""
    fd_dir = "/proc/%d/fd" % pid
    out = set()
    for fd in os.listdir(fd_dir):
        try:
            out.add(os.readlink(os.path.join(fd_dir, fd)))
        except OSError:
            pass
    return out


def disk_sectors(name, dev):
    """The size the guest printed for DEV (512-byte sectors), waiting for it."""
    log = mvtest.serial_log(S["root"], name)
    marker = "MODVIRT-GUEST-DISK %s " % dev
    mvtest.wait_marker(log, marker, timeout=120)
    return int(re.search(re.escape(marker) + r"(\d+)", mvtest.read_text(log)).group(1))


def guest_contents(path, fmt):
    """sha256 of what a guest reads from the image at PATH (its raw contents)."""
    with tempfile.TemporaryDirectory(dir=S["root"]) as tmp:
        raw = os.path.join(tmp, "raw")
        sh("qemu-img", "convert", "-f", fmt, "-O", "raw", path, raw)
        h = hashlib.sha256()
        with open(raw, "rb") as f:
            for block in iter(lambda: f.read(MIB), b""):
                h.update(block)
        return h.hexdigest()


def virt_tool(*argv):
    """virt-install / virt-clone with the proxy's URI and HOME in the root."""
    res = subprocess.run(list(argv) + ["--connect", S["uri"]], capture_output=True, text=True,
                         timeout=180, stdin=subprocess.DEVNULL,
                         env=dict(os.environ, HOME=S["root"], LC_ALL="C.UTF-8"))
    if res.returncode != 0:
        raise AssertionError("%s failed (%d):\n%s" % (argv[0], res.returncode,
                                                      res.stdout + res.stderr))
    return res.stdout


def virt_install(name, disk):
    g = os.path.abspath(mvtest.GUEST_DIR)
    return virt_tool("virt-install", "--name", name, "--memory", "160", "--vcpus", "1",
                     "--boot", "kernel=%s/vmlinuz,initrd=%s/initrd.gz,"
                     "kernel_args=console=ttyS0 quiet panic=-1" % (g, g),
                     "--disk", disk, "--network", "none", "--graphics", "none",
                     "--serial", "pty", "--import", "--noautoconsole", "--virt-type", "qemu",
                     "--osinfo", "linux2020")


def domain_disks(name, inactive=False):
    """[(type, source attributes dict, target dev)] of the domain's disks."""
    args = ["dumpxml", name] + (["--inactive"] if inactive else [])
    xml = vsh(*args).stdout
    disks = []
    for m in re.finditer(r"<disk type='(\w+)'.*?</disk>", xml, re.S):
        src = re.search(r"<source ([^>]*?)/?>", m.group(0))
        attrs = dict(re.findall(r"(\w+)='([^']*)'", src.group(1))) if src else {}
        dev = re.search(r"<target dev='(\w+)'", m.group(0)).group(1)
        disks.append((m.group(1), attrs, dev))
    return disks


def setUpModule():
    root = S["root"] = tempfile.mkdtemp(prefix="mvt-stq-")
    if os.environ.get("MV_TEST_KEEP") != "1":
        unittest.addModuleCleanup(shutil.rmtree, root, True)
    S["images_existed"] = os.path.exists(DEFAULT_IMAGES)
    S["sd"] = mvtest.Daemon(root=root, name="storage", binary=STORAGED).start()
    unittest.addModuleCleanup(S["sd"].cleanup)
    S["qd"] = mvtest.GuestDaemon(root=root).start()
    unittest.addModuleCleanup(S["qd"].cleanup)
    S["px"] = mvnet.ProxyDaemon(root).start()
    unittest.addModuleCleanup(S["px"].cleanup)
    S["uri"] = "qemu+unix:///system?socket=%s" % S["px"].sock
    S["pools"] = os.path.join(root, "pools")
    define_dir_pool("vols", os.path.join(S["pools"], "vols"))
    vsh("vol-create-as", "vols", "boot.qcow2", "48M", "--format", "qcow2")
    vsh("vol-create-as", "vols", "data.raw", "8M", "--format", "raw")
    vsh("vol-create-as", "vols", "hot.raw", "4M", "--format", "raw")


class VolumeDisks(unittest.TestCase):
    def stop(self, name):
        virsh(S["uri"], "destroy", name)

    def test_1_boot_from_volumes(self):
        """Two volume disks: the guest sees both with their sizes, QEMU has the files open."""
        xml = guest_xml("vd", volume_disk("vols", "boot.qcow2", "vda") +
                        volume_disk("vols", "data.raw", "vdb", "raw"))
        define("vd", xml)
        vsh("start", "vd")
        self.addCleanup(self.stop, "vd")
        self.assertEqual(disk_sectors("vd", "vda"), 48 * MIB // 512)
        self.assertEqual(disk_sectors("vd", "vdb"), 8 * MIB // 512)
        files = open_files(mvtest.status_pid(S["root"], "vd"))
        self.assertIn(vol_path("vols", "boot.qcow2"), files)
        self.assertIn(vol_path("vols", "data.raw"), files)
        # the live XML names the volumes, not the paths
        disks = domain_disks("vd")
        self.assertEqual(disks[0], ("volume", {"pool": "vols", "volume": "boot.qcow2"}, "vda"))
        self.assertEqual(disks[1], ("volume", {"pool": "vols", "volume": "data.raw"}, "vdb"))

    def test_2_hotplug_volume(self):
        """attach-device of a volume disk: QEMU opens the volume's file."""
        define("hp", guest_xml("hp", volume_disk("vols", "boot.qcow2", "vda")))
        vsh("start", "hp")
        self.addCleanup(self.stop, "hp")
        disk_sectors("hp", "vda")
        path = mvtest.write_file(os.path.join(S["root"], "hot.xml"),
                                 volume_disk("vols", "hot.raw", "vdc", "raw"))
        vsh("attach-device", "hp", path, "--live")
        self.assertIn(vol_path("vols", "hot.raw"),
                      open_files(mvtest.status_pid(S["root"], "hp")))
        self.assertIn(("volume", {"pool": "vols", "volume": "hot.raw"}, "vdc"),
                      domain_disks("hp"))
        # a qemud restart takes the guest back with its volume disks (status file)
        S["qd"].kill9()
        S["qd"].start()
        self.assertEqual(vsh("domstate", "hp").stdout.strip(), "running")
        self.assertIn(("volume", {"pool": "vols", "volume": "hot.raw"}, "vdc"),
                      domain_disks("hp"))
        vsh("detach-device", "hp", path, "--live")
        self.assertNotIn("vdc", [dev for _, _, dev in domain_disks("hp")])

    def test_3_start_errors(self):
        """Start fails naming the disk, the volume and what to do."""
        define("ve", guest_xml("ve", volume_disk("cold", "a.raw", "vda")))
        res = vsh("start", "ve", check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("no storage pool with matching name 'cold'", res.stderr)
        self.assertIn("disk 'vda' (volume 'a.raw' of pool 'cold')", res.stderr)

        define_dir_pool("cold", os.path.join(S["pools"], "cold"))
        res = vsh("start", "ve", check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("volume 'a.raw' of pool 'cold'", res.stderr)
        self.assertIn("a.raw", res.stderr.split("):", 1)[1])

        vsh("vol-create-as", "cold", "a.raw", "4M", "--format", "raw")
        vsh("pool-destroy", "cold")
        res = vsh("start", "ve", check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("storage pool 'cold' is not active: start it ('virsh pool-start cold')",
                      res.stderr)
        self.assertEqual(vsh("domstate", "ve").stdout.strip(), "shut off")

        vsh("pool-start", "cold")
        vsh("start", "ve")
        self.addCleanup(self.stop, "ve")
        self.assertEqual(disk_sectors("ve", "vda"), 4 * MIB // 512)

    def test_3c_denied_path(self):
        """A volume's path gets the host-path check of file disks (here: qemud's own lib)."""
        define_dir_pool("inner", os.path.join(S["root"], "lib", "qemu", "inner"))
        vsh("vol-create-as", "inner", "x.raw", "4M", "--format", "raw")
        define("vdn", guest_xml("vdn", volume_disk("inner", "x.raw", "vda")))
        res = vsh("start", "vdn", check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("the source of disk 'vda' '%s' is inside" % vol_path("inner", "x.raw"),
                      res.stderr)
        self.assertEqual(vsh("domstate", "vdn").stdout.strip(), "shut off")

    def test_3d_error_codes(self):
        """python3-libvirt sees libvirt's codes: no volume, no pool, pool not active."""
        import libvirt
        define_dir_pool("codes", os.path.join(S["pools"], "codes"))
        conn = libvirt.open(S["uri"])
        self.addCleanup(conn.close)
        cases = (("codes", "none.raw", libvirt.VIR_ERR_NO_STORAGE_VOL),
                 ("nopool", "none.raw", libvirt.VIR_ERR_NO_STORAGE_POOL))
        for i, (pool, vol, code) in enumerate(cases):
            dom = conn.defineXML(guest_xml("code%d" % i, volume_disk(pool, vol, "vda")))
            with self.assertRaises(libvirt.libvirtError) as cm:
                dom.create()
            self.assertEqual(cm.exception.get_error_code(), code, str(cm.exception))
        vsh("vol-create-as", "codes", "none.raw", "4M", "--format", "raw")
        vsh("pool-destroy", "codes")
        with self.assertRaises(libvirt.libvirtError) as cm:
            conn.lookupByName("code0").create()
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_OPERATION_INVALID)
        self.assertEqual(cm.exception.get_error_domain(), libvirt.VIR_FROM_STORAGE)

    def test_3b_no_storaged(self):
        """A qemud whose root has no storaged: the start error says to start it."""
        with mvtest.GuestDaemon().start() as qd:
            path = mvtest.write_file(os.path.join(qd.root, "ns.xml"),
                                     guest_xml("ns", volume_disk("vols", "boot.qcow2", "vda")))
            virsh(qd.uri, "define", path, check=True)
            res = virsh(qd.uri, "start", "ns")
            self.assertNotEqual(res.returncode, 0)
            self.assertIn("modvirt-storaged is not running", res.stderr)
            self.assertIn("systemctl start modvirt-storaged", res.stderr)


class VirtTools(unittest.TestCase):
    """virt-install and virt-clone, through the proxy."""

    @classmethod
    def setUpClass(cls):
        if not shutil.which("virt-install") or not shutil.which("virt-clone"):
            raise unittest.SkipTest("virt-install/virt-clone not installed (Debian: virtinst)")

    def stop(self, name):
        virsh(S["uri"], "destroy", name)

    def test_4_size_in_default_pool(self):
        """--disk size=N: a new qcow2 volume in pool 'default', the guest boots from it."""
        ensure_default_pool()
        virt_install("vi1", "size=0.0625")
        self.addCleanup(self.stop, "vi1")
        self.assertIn("vi1.qcow2", vol_names("default"))
        path = vol_path("default", "vi1.qcow2")
        self.assertTrue(path.startswith(os.path.join(S["pools"], "default") + "/"), path)
        (dtype, src, dev), = domain_disks("vi1")
        self.assertEqual(src.get("file"), path)
        self.assertEqual(disk_sectors("vi1", dev), 64 * MIB // 512)
        self.assertIn(path, open_files(mvtest.status_pid(S["root"], "vi1")))
        if not S["images_existed"]:
            self.assertFalse(os.path.exists(DEFAULT_IMAGES),
                             "virt-install created %s" % DEFAULT_IMAGES)

    def test_5_new_path(self):
        """--disk path=DIR/new.qcow2,size=N,format=qcow2: a pool for DIR, a volume in it."""
        where = os.path.join(S["root"], "elsewhere")
        os.makedirs(where)
        new = os.path.join(where, "new.qcow2")
        virt_install("vi2", "path=%s,size=0.03125,format=qcow2" % new)
        self.addCleanup(self.stop, "vi2")
        pools = vsh("pool-list", "--all", "--name").stdout.split()
        mine = [p for p in pools if vsh("pool-dumpxml", p).stdout.count(
            "<path>%s</path>" % where)]
        self.assertEqual(len(mine), 1, pools)
        self.assertIn("new.qcow2", vol_names(mine[0]))
        self.assertIn("file format: qcow2", sh("qemu-img", "info", "-U", new))
        (dtype, src, dev), = domain_disks("vi2")
        self.assertEqual(src.get("file"), new)
        self.assertEqual(disk_sectors("vi2", dev), 32 * MIB // 512)

    def test_6_clone(self):
        """virt-clone: a new volume with the same contents, and the clone boots."""
        ensure_default_pool()
        virt_install("vo", "size=0.03125")
        vsh("destroy", "vo")
        orig = vol_path("default", "vo.qcow2")
        # data the clone must carry: a pattern at the start and one near the end
        sh("qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 0 1M", "-c",
           "write -P 0xa5 30M 1M", orig)
        virt_tool("virt-clone", "--original", "vo", "--name", "vc", "--auto-clone")
        (dtype, src, dev), = domain_disks("vc", inactive=True)
        clone = src.get("file")
        self.assertNotEqual(clone, orig)
        names = vol_names("default")
        self.assertIn(os.path.basename(clone), names)
        self.assertEqual(vol_path("default", os.path.basename(clone)), clone)
        self.assertEqual(guest_contents(clone, "qcow2"), guest_contents(orig, "qcow2"))
        vsh("start", "vc")
        self.addCleanup(self.stop, "vc")
        self.assertEqual(disk_sectors("vc", dev), 32 * MIB // 512)
        self.assertIn(clone, open_files(mvtest.status_pid(S["root"], "vc")))


if __name__ == "__main__":
    mvtest.require_root()
    mvtest.require_qemu()
    mvtest.require_daemon()
    for binary in (STORAGED, mvnet.PROXYD):
        if not os.access(binary, os.X_OK):
            mvtest.mvtap.bail_out("not built: %s (build it first)" % binary)
    mvtest.require_guest()
    mvtest.main()
