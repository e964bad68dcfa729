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


if __name__ == "__main__":
    mvtest.require_root()
    mvtest.require_qemu()
    mvtest.require_daemon()
    for binary in (mvtest.STORAGED, mvnet.PROXYD):
        if not os.access(binary, os.X_OK):
            mvtest.mvtap.bail_out("not built: %s (build it first)" % binary)
    mvtest.require_guest()
    mvtest.main()
