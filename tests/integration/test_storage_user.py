#!/usr/bin/python3
"""Storage as a new user meets it (issue 12 hardening, row stor-user).

modvirt-storaged, modvirt-qemud and modvirt-proxyd share one --root; stock
virsh, virt-install, virt-xml and python3-libvirt go through the proxy with one
URI, as a user types it.  Each test is a flow that broke (or must keep
working) for such a user:

1. pool target paths as users type them ('/dir/', '//dir'): one pool per
   directory, found by its target path (virt-install looks pools up so);
2. the everyday virsh flow: define-as/build/start/autostart, vol-create-as
   raw/qcow2/--prealloc-metadata/--backing-vol, clone/resize/wipe/delete,
   pool-refresh after files appear;
3. virt-install --disk pool=P,size=N / vol=P/V and virt-xml --add-device.

Nothing is ever created under /var/lib/libvirt, /etc/libvirt or /run/libvirt:
every pool lives in the test's root, and the module checks those paths after
each test.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import mvnet  # noqa: E402
from mvtest import virsh  # noqa: E402

MIB = 1024 * 1024
S = {}          # the module's daemons, URI and directories
HOST_PATHS = ("/var/lib/libvirt", "/etc/libvirt", "/run/libvirt")


def host_tree(path):
    """Every path under @path (the host's libvirt directories must not change)."""
    out = set()
    for top, dirs, files in os.walk(path):
        out.update(os.path.join(top, n) for n in dirs + files)
    return out | ({path} if os.path.lexists(path) else set())


def vsh(*args, check=True):
    return virsh(S["uri"], *args, check=check, timeout=60)


def pool_dir(name):
    return os.path.join(S["pools"], name)


def tool(*argv, check=True):
    """virt-install / virt-xml with the proxy's URI and HOME in the root."""
    res = subprocess.run(list(argv) + ["--connect", S["uri"]], capture_output=True, text=True,
                         timeout=180, stdin=subprocess.DEVNULL,
                         env=dict(os.environ, HOME=S["root"], LC_ALL="C.UTF-8"))
    if check and res.returncode != 0:
        raise AssertionError("%s failed (%d):\n%s" % (argv[0], res.returncode,
                                                      res.stdout + res.stderr))
    return res


def libvirt_conn(test):
    import libvirt
    conn = libvirt.open(S["uri"])
    test.addCleanup(conn.close)
    return conn


def setUpModule():
    root = S["root"] = tempfile.mkdtemp(prefix="mvt-stu-")
    if os.environ.get("MV_TEST_KEEP") != "1":
        unittest.addModuleCleanup(shutil.rmtree, root, True)
    S["host"] = {p: host_tree(p) for p in HOST_PATHS}
    S["sd"] = mvtest.Daemon(root=root, name="storage", binary=mvtest.STORAGED).start()
    unittest.addModuleCleanup(S["sd"].cleanup)
    S["qd"] = mvtest.GuestDaemon(root=root).start()
    unittest.addModuleCleanup(S["qd"].cleanup)
    S["px"] = mvnet.ProxyDaemon(root).start()
    unittest.addModuleCleanup(S["px"].cleanup)
    S["uri"] = "qemu+unix:///system?socket=%s" % S["px"].sock
    S["pools"] = os.path.join(root, "pools")
    os.makedirs(S["pools"])


class UserTest(unittest.TestCase):
    def tearDown(self):
        for p in HOST_PATHS:
            self.assertEqual(host_tree(p) - S["host"][p], set(),
                             "a tool created something under %s" % p)


class PoolPaths(UserTest):
    def test_1_target_path_as_typed(self):
        """'DIR/' and 'DIR//' name DIR: stored clean, found by path, a second pool refused."""
        base = pool_dir("slash")
        vsh("pool-define-as", "slash", "dir", "--target", base + "/")
        vsh("pool-build", "slash")
        vsh("pool-start", "slash")
        self.addCleanup(vsh, "pool-destroy", "slash", check=False)
        self.assertIn("<path>%s</path>" % base, vsh("pool-dumpxml", "slash").stdout)
        for other in (base, base + "/", os.path.dirname(base) + "//slash"):
            res = vsh("pool-define-as", "slash2", "dir", "--target", other, check=False)
            self.assertNotEqual(res.returncode, 0, other)
            self.assertIn("Storage source conflict with pool: 'slash'", res.stderr)
        conn = libvirt_conn(self)
        self.assertEqual(conn.storagePoolLookupByTargetPath(base).name(), "slash")
        self.assertEqual(conn.storagePoolLookupByTargetPath(base + "/").name(), "slash")
        vsh("vol-create-as", "slash", "v.raw", "1M")
        self.assertEqual(vsh("vol-path", "--pool", "slash", "v.raw").stdout.strip(),
                         os.path.join(base, "v.raw"))

    def test_2_refresh_of_a_removed_directory(self):
        """pool-refresh of a pool whose directory was removed fails and stops the pool
        (as libvirt): listed inactive, no stale volumes; a transient one goes away."""
        for name, persistent in (("gone", True), ("gone-t", False)):
            path = pool_dir(name)
            os.makedirs(path)
            if persistent:
                vsh("pool-define-as", name, "dir", "--target", path)
                vsh("pool-start", name)
            else:
                vsh("pool-create-as", name, "dir", "--target", path)
            vsh("vol-create-as", name, "v.raw", "1M")
            shutil.rmtree(path)
            res = vsh("pool-refresh", name, check=False)
            self.assertNotEqual(res.returncode, 0)
            self.assertIn(path, res.stderr)
            listed = vsh("pool-list", "--all").stdout
            if persistent:
                self.assertRegex(listed, r"\n %s\s+inactive" % name)
                res = vsh("vol-list", name, check=False)
                self.assertNotEqual(res.returncode, 0)
                self.assertIn("not active", res.stderr)
                os.makedirs(path)
                vsh("pool-start", name)
                self.assertNotIn("v.raw", vsh("vol-list", name).stdout)
            else:
                self.assertNotIn(" %s " % name, listed)


class Volumes(UserTest):
    @classmethod
    def setUpClass(cls):
        os.makedirs(pool_dir("vols"))
        vsh("pool-define-as", "vols", "dir", "--target", pool_dir("vols"))
        vsh("pool-start", "vols")

    def path(self, vol):
        return vsh("vol-path", "--pool", "vols", vol).stdout.strip()

    def test_1_clone_prealloc_metadata(self):
        """vol-clone --prealloc-metadata of a qcow2: the clone has its metadata preallocated
        (the file spans the capacity), as vol-create-as --prealloc-metadata does."""
        vsh("vol-create-as", "vols", "pm.qcow2", "16M", "--format", "qcow2")
        vsh("vol-create-as", "vols", "pm-new.qcow2", "16M", "--format", "qcow2",
            "--prealloc-metadata")
        self.assertGreaterEqual(os.path.getsize(self.path("pm-new.qcow2")), 16 * MIB)
        vsh("vol-clone", "--pool", "vols", "pm.qcow2", "pm-plain.qcow2")
        self.assertLess(os.path.getsize(self.path("pm-plain.qcow2")), 16 * MIB)
        vsh("vol-clone", "--pool", "vols", "pm.qcow2", "pm-clone.qcow2", "--prealloc-metadata")
        self.assertGreaterEqual(os.path.getsize(self.path("pm-clone.qcow2")), 16 * MIB)
        info = subprocess.run(["qemu-img", "check", self.path("pm-clone.qcow2")],
                              capture_output=True, text=True)
        self.assertEqual(info.returncode, 0, info.stdout + info.stderr)

    def test_2_info_is_current(self):
        """vol-info / vol-dumpxml / python's info() show the file as it is now (a guest
        wrote into it, a tool resized it), as libvirt re-reads it; a file removed behind
        the pool's back is an error, not stale numbers."""
        vsh("vol-create-as", "vols", "live.qcow2", "16M", "--format", "qcow2")
        path = self.path("live.qcow2")
        conn = libvirt_conn(self)
        vol = conn.storageVolLookupByPath(path)
        before = vol.info()[2]
        subprocess.run(["qemu-io", "-f", "qcow2", "-c", "write -P 0x11 0 4M", path],
                       check=True, capture_output=True)
        self.assertGreaterEqual(vol.info()[2], before + 4 * MIB)
        subprocess.run(["qemu-img", "resize", "-q", "-f", "qcow2", path, "32M"], check=True)
        self.assertIn("Capacity:       32.00 MiB",
                      vsh("vol-info", "--pool", "vols", "live.qcow2").stdout)
        self.assertIn("<capacity unit='bytes'>%d</capacity>" % (32 * MIB),
                      vsh("vol-dumpxml", "--pool", "vols", "live.qcow2").stdout)
        os.unlink(path)
        res = vsh("vol-info", "--pool", "vols", "live.qcow2", check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn(path, res.stderr)


def q35_guest_xml(name, disk_path, ports=2):
    """The tiny guest on a q35 machine, as virt-install makes it: root ports for hot-plug."""
    g = os.path.abspath(mvtest.GUEST_DIR)
    ctrls = "".join("\n    <controller type='pci' index='%d' model='pcie-root-port'/>" % i
                    for i in range(1, ports + 1))
    return """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>160</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <kernel>%s/vmlinuz</kernel>
    <initrd>%s/initrd.gz</initrd>
    <cmdline>console=ttyS0 quiet panic=-1</cmdline>
  </os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='%s'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <controller type='pci' index='0' model='pcie-root'/>%s
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
  </devices>
</domain>
""" % (name, g, g, disk_path, ctrls)


def open_files(pid):
    out = set()
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            out.add(os.readlink("/proc/%d/fd/%s" % (pid, fd)))
        except OSError:
            pass
    return out


class Guests(UserTest):
    @classmethod
    def setUpClass(cls):
        os.makedirs(pool_dir("gp"))
        vsh("pool-define-as", "gp", "dir", "--target", pool_dir("gp"))
        vsh("pool-start", "gp")

    def path(self, vol):
        return vsh("vol-path", "--pool", "gp", vol).stdout.strip()

    def test_1_attach_disk_q35(self):
        """virsh attach-disk --live of pool volumes into a q35 guest (virt-install's
        machine): each goes to a free pcie-root-port (pcie.0 cannot hot-plug), QEMU opens
        it, a third with no port left is refused saying what to do."""
        for vol in ("q-boot.qcow2", "q-a.qcow2", "q-b.qcow2", "q-c.qcow2"):
            vsh("vol-create-as", "gp", vol, "8M", "--format", "qcow2")
        xml = mvtest.write_file(os.path.join(S["root"], "q35.xml"),
                                q35_guest_xml("q35", self.path("q-boot.qcow2")))
        vsh("define", xml)
        vsh("start", "q35")
        self.addCleanup(vsh, "destroy", "q35", check=False)
        mvtest.wait_marker(mvtest.serial_log(S["root"], "q35"), "MODVIRT-GUEST-DISK vda ",
                           timeout=120)
        pid = mvtest.status_pid(S["root"], "q35")
        vsh("attach-disk", "q35", self.path("q-a.qcow2"), "vdb", "--live",
            "--subdriver", "qcow2")
        vsh("attach-disk", "q35", self.path("q-b.qcow2"), "vdc", "--live",
            "--subdriver", "qcow2")
        files = open_files(pid)
        self.assertIn(self.path("q-a.qcow2"), files)
        self.assertIn(self.path("q-b.qcow2"), files)
        live = vsh("dumpxml", "q35").stdout
        self.assertIn("bus='0x01'", live)
        self.assertIn("bus='0x02'", live)
        res = vsh("attach-disk", "q35", self.path("q-c.qcow2"), "vdd", "--live",
                  "--subdriver", "qcow2", check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("no free pcie-root-port", res.stderr)
        self.assertIn("model='pcie-root-port'", res.stderr)
        blk = vsh("domblklist", "q35").stdout
        self.assertIn(self.path("q-a.qcow2"), blk)
        self.assertIn(self.path("q-b.qcow2"), blk)
        self.assertNotIn(self.path("q-c.qcow2"), blk)

if __name__ == "__main__":
    mvtest.require_root()
    mvtest.require_qemu()
    mvtest.require_daemon()
    for binary in (mvtest.STORAGED, mvnet.PROXYD):
        if not os.access(binary, os.X_OK):
            mvtest.mvtap.bail_out("not built: %s (build it first)" % binary)
    mvtest.require_guest()
    mvtest.main()
