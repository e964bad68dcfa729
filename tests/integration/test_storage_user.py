#!/usr/bin/python3
"""Storage as a new user meets it (issue 12 hardening, row stor-user).

modvirt-storaged, modvirt-qemud and modvirt-proxyd share one --root; stock
virsh, virt-install, virt-xml and python3-libvirt go through the proxy with one
URI, as a user types it.  Each test is a flow that broke (or must keep
working) for such a user:

1. pool target paths as users type them ('/dir/', '//dir'): one pool per
   directory, found by its target path (virt-install looks pools up so);
2. pool-refresh of a pool whose directory was removed stops it (as libvirt);
3. volumes: vol-clone --prealloc-metadata, info/XML re-read from the file, the
   everyday virsh vol-* commands;
4. virsh attach-disk --live of pool volumes into a q35 guest (virt-install's
   machine type): a free pcie-root-port each; change-media --live with ISOs of
   a pool;
5. virt-install --disk pool=P,size=N / vol=P/V / --import path / --cdrom an ISO
   of a pool, and virt-xml --add-device --disk.

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

    def test_3_storage_browser(self):
        """python3-libvirt as virt-manager's storage browser uses it: events on, pools and
        volumes listed with their info and XML, the two capabilities documents."""
        import libvirt
        import threading
        import time
        libvirt.virEventRegisterDefaultImpl()
        conn = libvirt.open(S["uri"])
        seen = []
        stop = threading.Event()

        def loop():
            while not stop.is_set():
                libvirt.virEventRunDefaultImpl()

        cbs = [conn.storagePoolEventRegisterAny(
                   None, libvirt.VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
                   lambda c, p, ev, det, o: seen.append((p.name(), ev)), None),
               conn.storagePoolEventRegisterAny(
                   None, libvirt.VIR_STORAGE_POOL_EVENT_ID_REFRESH,
                   lambda c, p, o: seen.append((p.name(), "refresh")), None)]
        t = threading.Thread(target=loop, daemon=True)
        t.start()

        def finish():
            for cb in cbs:
                conn.storagePoolEventDeregisterAny(cb)
            stop.set()
            conn.close()        # wakes the loop
        self.addCleanup(finish)

        self.assertIn("<host>", conn.getCapabilities())
        self.assertIn("<pool type='dir' supported='yes'>", conn.getStoragePoolCapabilities())
        path = pool_dir("browse")
        pool = conn.storagePoolDefineXML(
            "<pool type='dir'><name>browse</name><target><path>%s</path></target></pool>"
            % path)
        pool.build()
        pool.create()
        pool.setAutostart(1)
        pool.createXML("<volume><name>b.qcow2</name><capacity unit='M'>4</capacity>"
                       "<target><format type='qcow2'/></target></volume>", 0)
        pool.refresh()
        names = [p.name() for p in conn.listAllStoragePools(
            libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE |
            libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART)]
        self.assertIn("browse", names)
        vols = {v.name(): v for v in pool.listAllVolumes()}
        self.assertEqual(list(vols), ["b.qcow2"])
        self.assertEqual(vols["b.qcow2"].info()[1], 4 * MIB)
        self.assertIn("<format type='qcow2'/>", vols["b.qcow2"].XMLDesc())
        self.assertEqual(vols["b.qcow2"].storagePoolLookupByVolume().name(), "browse")
        self.assertEqual(pool.info()[0], libvirt.VIR_STORAGE_POOL_RUNNING)
        vols["b.qcow2"].delete()
        pool.destroy()
        pool.undefine()
        want = [("browse", libvirt.VIR_STORAGE_POOL_EVENT_DEFINED),
                ("browse", libvirt.VIR_STORAGE_POOL_EVENT_CREATED),
                ("browse", libvirt.VIR_STORAGE_POOL_EVENT_STARTED),
                ("browse", "refresh"),
                ("browse", libvirt.VIR_STORAGE_POOL_EVENT_STOPPED),
                ("browse", libvirt.VIR_STORAGE_POOL_EVENT_UNDEFINED)]
        self.assertTrue(mvtest.wait_for(lambda: len([e for e in seen if e[0] == "browse"])
                                        >= len(want), 10, 0.05), seen)
        time.sleep(0.2)         # nothing more may come
        self.assertEqual([e for e in seen if e[0] == "browse"], want)


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
        (the file spans the capacity), as vol-create-as --prealloc-metadata does; raw
        volumes refuse the flag as libvirt does."""
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
        # it is a qcow2 feature: a raw volume or clone asked for it is refused (libvirt)
        vsh("vol-create-as", "vols", "pm.raw", "1M")
        for args in (("vol-create-as", "vols", "pm2.raw", "1M", "--prealloc-metadata"),
                     ("vol-clone", "--pool", "vols", "pm.raw", "pm3.raw",
                      "--prealloc-metadata")):
            res = vsh(*args, check=False)
            self.assertNotEqual(res.returncode, 0, args)
            self.assertIn("metadata preallocation is not supported for raw volumes",
                          res.stderr)
        self.assertNotIn("pm2.raw", vsh("vol-list", "vols").stdout)
        self.assertNotIn("pm3.raw", vsh("vol-list", "vols").stdout)

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

    def test_3_everyday_virsh(self):
        """The commands of a first afternoon with pools, in order, each checked."""
        base = pool_dir("day")
        vsh("pool-define-as", "day", "dir", "--target", base)
        vsh("pool-build", "day")
        vsh("pool-start", "day")
        vsh("pool-autostart", "day")
        details = vsh("pool-list", "--all", "--details").stdout
        self.assertRegex(details, r"\n day\s+running\s+yes\s+yes\s+\d")
        self.assertIn("Autostart:      yes", vsh("pool-info", "day").stdout)
        vsh("vol-create-as", "day", "r.raw", "4M")
        vsh("vol-create-as", "day", "q.qcow2", "8M", "--format", "qcow2")
        vsh("vol-create-as", "day", "m.qcow2", "8M", "--format", "qcow2", "--prealloc-metadata")
        vsh("vol-create-as", "day", "o.qcow2", "8M", "--format", "qcow2",
            "--backing-vol", "q.qcow2", "--backing-vol-format", "qcow2")
        xml = vsh("vol-dumpxml", "--pool", "day", "o.qcow2").stdout
        self.assertIn("<path>%s</path>" % os.path.join(base, "q.qcow2"),
                      xml.split("<backingStore>")[1])
        listed = vsh("vol-list", "day", "--details").stdout
        for name in ("r.raw", "q.qcow2", "m.qcow2", "o.qcow2"):
            self.assertIn(os.path.join(base, name), listed)
        r = os.path.join(base, "r.raw")
        self.assertEqual(vsh("vol-path", "--pool", "day", "r.raw").stdout.strip(), r)
        self.assertEqual(vsh("vol-key", "--pool", "day", "r.raw").stdout.strip(), r)
        self.assertEqual(vsh("vol-name", r).stdout.strip(), "r.raw")
        self.assertEqual(vsh("vol-pool", r).stdout.strip(), "day")
        vsh("vol-clone", "--pool", "day", "r.raw", "r2.raw")
        vsh("vol-resize", "--pool", "day", "r2.raw", "8M")
        self.assertEqual(os.path.getsize(os.path.join(base, "r2.raw")), 8 * MIB)
        vsh("vol-resize", "--pool", "day", "q.qcow2", "+4M", "--delta")
        self.assertIn("Capacity:       12.00 MiB", vsh("vol-info", "--pool", "day",
                                                        "q.qcow2").stdout)
        vsh("vol-wipe", "--pool", "day", "r2.raw")
        vsh("vol-delete", "--pool", "day", "r2.raw")
        self.assertFalse(os.path.exists(os.path.join(base, "r2.raw")))
        # files put there by hand appear at the next refresh
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2",
                        os.path.join(base, "hand.qcow2"), "2M"], check=True)
        vsh("pool-refresh", "day")
        self.assertIn("hand.qcow2", vsh("vol-list", "day").stdout)
        caps = vsh("pool-capabilities").stdout
        self.assertIn("<pool type='dir' supported='yes'>", caps)
        res = vsh("find-storage-pool-sources-as", "logical", check=False)
        self.assertTrue(res.returncode == 0 or "device-mapper" in res.stderr
                        or "lvm" in res.stderr.lower(), res.stderr)


def q35_guest_xml(name, disk_path, ports=2, extra=""):
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
  <features><acpi/></features>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='%s'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <controller type='pci' index='0' model='pcie-root'/>%s%s
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
  </devices>
</domain>
""" % (name, g, g, disk_path, ctrls, extra)


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
        it, a third with no port left is refused saying what to do, a detach frees one
        (an interface goes to a free port too)."""
        for vol in ("q-boot.qcow2", "q-a.qcow2", "q-b.qcow2", "q-c.qcow2"):
            vsh("vol-create-as", "gp", vol, "8M", "--format", "qcow2")
        xml = mvtest.write_file(os.path.join(S["root"], "q35.xml"),
                                q35_guest_xml("q35", self.path("q-boot.qcow2")))
        vsh("define", xml)
        vsh("start", "q35")
        self.addCleanup(vsh, "destroy", "q35", check=False)
        # the guest's PCIe hot-plug driver must be up to release a disk again
        mvtest.wait_marker(mvtest.serial_log(S["root"], "q35"), mvtest.GUEST_READY,
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
        # detach frees its port for the next one
        vsh("detach-disk", "q35", "vdb", "--live")
        vsh("attach-disk", "q35", self.path("q-c.qcow2"), "vdd", "--live",
            "--subdriver", "qcow2")
        self.assertIn(self.path("q-c.qcow2"), open_files(pid))
        blk = vsh("domblklist", "q35").stdout
        self.assertNotIn(self.path("q-a.qcow2"), blk)
        self.assertIn(self.path("q-b.qcow2"), blk)
        self.assertIn(self.path("q-c.qcow2"), blk)
        # an interface hot-plugged the same way takes the port a disk gave back
        vsh("detach-disk", "q35", "vdc", "--live")
        nic = mvtest.write_file(os.path.join(S["root"], "nic.xml"),
                                "<interface type='user'><model type='virtio'/></interface>\n")
        vsh("attach-device", "q35", nic, "--live")
        import xml.etree.ElementTree as ET
        iface = ET.fromstring(vsh("dumpxml", "q35").stdout).find("./devices/interface")
        self.assertEqual(iface.find("address").get("bus"), "0x02")
    def test_2_change_media_live(self):
        """virsh change-media --live (virt-manager's CD "Connect"/"Disconnect") with ISOs
        of a pool: QEMU opens the new medium, the live XML names it, eject empties it."""
        vsh("vol-create-as", "gp", "m-boot.qcow2", "8M", "--format", "qcow2")
        isos = []
        for n in ("one.iso", "two.iso"):
            path = os.path.join(pool_dir("gp"), n)
            with open(path, "wb") as f:
                f.truncate(1 * MIB)
                f.seek(16 * 2048)
                f.write(b"\x01CD001\x01")
            isos.append(path)
        vsh("pool-refresh", "gp")
        cdrom = """
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <source file='%s'/>
      <target dev='sda' bus='sata'/>
      <readonly/>
    </disk>""" % isos[0]
        xml = mvtest.write_file(os.path.join(S["root"], "cd.xml"),
                                q35_guest_xml("cd", self.path("m-boot.qcow2"), extra=cdrom))
        vsh("define", xml)
        vsh("start", "cd")
        self.addCleanup(vsh, "destroy", "cd", check=False)
        pid = mvtest.status_pid(S["root"], "cd")
        self.assertIn(isos[0], open_files(pid))
        # virt-install --cdrom's medium (the command line's) changed for another
        vsh("change-media", "cd", "sda", isos[1], "--update", "--live")
        self.assertIn(isos[1], open_files(pid))
        self.assertTrue(mvtest.wait_for(lambda: isos[0] not in open_files(pid), 10, 0.1),
                        "QEMU still has the first medium open")
        self.assertEqual(domain_sources("cd", inactive=False)["sda"], isos[1])
        self.assertEqual(domain_sources("cd")["sda"], isos[0])   # the config is untouched
        vsh("change-media", "cd", "sda", "--eject", "--live")
        self.assertTrue(mvtest.wait_for(lambda: isos[1] not in open_files(pid), 10, 0.1))
        self.assertIsNone(domain_sources("cd", inactive=False)["sda"])
        vsh("change-media", "cd", "sda", isos[0], "--insert", "--live")
        self.assertIn(isos[0], open_files(pid))
        self.assertEqual(domain_sources("cd", inactive=False)["sda"], isos[0])
        # a disk that is not a cdrom cannot change live
        res = vsh("change-media", "cd", "vda", isos[0], "--update", "--live", check=False)
        self.assertNotEqual(res.returncode, 0)


def domain_sources(name, inactive=True):
    """{target dev: source file} of the domain's disks."""
    import xml.etree.ElementTree as ET
    args = ["dumpxml", name] + (["--inactive"] if inactive else [])
    root = ET.fromstring(vsh(*args).stdout)
    return {d.find("target").get("dev"): (d.find("source").get("file")
                                          if d.find("source") is not None else None)
            for d in root.findall("./devices/disk")}


class VirtTools(UserTest):
    """virt-install and virt-xml with pools, as their manual pages show them. Each
    guest is stopped before the next one starts."""

    @classmethod
    def setUpClass(cls):
        if not shutil.which("virt-install") or not shutil.which("virt-xml"):
            raise unittest.SkipTest("virt-install/virt-xml not installed (Debian: virtinst)")
        os.makedirs(pool_dir("vt"))
        vsh("pool-define-as", "vt", "dir", "--target", pool_dir("vt"))
        vsh("pool-start", "vt")

    def install(self, name, *args):
        g = os.path.abspath(mvtest.GUEST_DIR)
        tool("virt-install", "--name", name, "--memory", "160", "--vcpus", "1",
             "--network", "none", "--graphics", "none", "--serial", "pty",
             "--noautoconsole", "--virt-type", "qemu", "--osinfo", "linux2020",
             "--boot", "kernel=%s/vmlinuz,initrd=%s/initrd.gz,"
             "kernel_args=console=ttyS0 quiet panic=-1" % (g, g), *args)
        vsh("destroy", name, check=False)

    def path(self, vol):
        return vsh("vol-path", "--pool", "vt", vol).stdout.strip()

    def test_1_disks_from_pools(self):
        """--disk pool=P,size=N (a new volume), --disk vol=P/V, --import of a file in a
        directory no pool knows (virt-install defines one), --cdrom an ISO of a pool."""
        vsh("vol-create-as", "vt", "given.qcow2", "16M", "--format", "qcow2")
        self.install("vt1", "--import", "--disk", "pool=vt,size=0.03125",
                     "--disk", "vol=vt/given.qcow2")
        self.assertIn("vt1.qcow2", vsh("vol-list", "vt").stdout)
        self.assertEqual(domain_sources("vt1"), {"vda": self.path("vt1.qcow2"),
                                                 "vdb": self.path("given.qcow2")})
        self.assertIn("Capacity:       32.00 MiB",
                      vsh("vol-info", "--pool", "vt", "vt1.qcow2").stdout)

        imports = os.path.join(S["root"], "imports")
        os.makedirs(imports)
        existing = os.path.join(imports, "existing.qcow2")
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", existing, "16M"], check=True)
        self.install("vt2", "--import", "--disk", "path=%s" % existing)
        self.assertEqual(domain_sources("vt2"), {"vda": existing})
        # virt-install made a pool for the directory, the file is its volume
        self.assertEqual(vsh("vol-name", existing).stdout.strip(), "existing.qcow2")

        iso = os.path.join(pool_dir("vt"), "inst.iso")
        with open(iso, "wb") as f:      # an ISO 9660 primary volume descriptor
            f.truncate(1 * MIB)
            f.seek(16 * 2048)
            f.write(b"\x01CD001\x01")
        vsh("pool-refresh", "vt")
        self.assertIn("<format type='iso'/>", vsh("vol-dumpxml", "--pool", "vt",
                                                   "inst.iso").stdout)
        tool("virt-install", "--name", "vt3", "--memory", "160", "--vcpus", "1",
             "--network", "none", "--graphics", "none", "--noautoconsole",
             "--virt-type", "qemu", "--osinfo", "linux2020", "--cdrom", iso, "--disk", "none")
        live = domain_sources("vt3", inactive=False)
        vsh("destroy", "vt3", check=False)
        self.assertIn(iso, live.values())

    def test_2_virt_xml_add_disk(self):
        """virt-xml --add-device --disk vol=P/V, pool=P,size=N and a volume's path."""
        vsh("vol-create-as", "vt", "x1.qcow2", "8M", "--format", "qcow2")
        vsh("vol-create-as", "vt", "x3.raw", "8M")
        self.install("vx", "--import", "--disk", "pool=vt,size=0.03125")
        tool("virt-xml", "vx", "--add-device", "--disk", "vol=vt/x1.qcow2")
        tool("virt-xml", "vx", "--add-device", "--disk", "pool=vt,size=0.015625")
        tool("virt-xml", "vx", "--add-device", "--disk", "%s,bus=virtio" % self.path("x3.raw"))
        srcs = domain_sources("vx")
        self.assertEqual(srcs["vdb"], self.path("x1.qcow2"))
        self.assertEqual(srcs["vdd"], self.path("x3.raw"))
        self.assertIn(srcs["vdc"], [self.path(v) for v in vsh("vol-list", "vt").stdout.split()
                                    if v.endswith(".qcow2")])
        vsh("start", "vx")
        self.addCleanup(vsh, "destroy", "vx", check=False)
        pid = mvtest.status_pid(S["root"], "vx")
        for dev in ("vda", "vdb", "vdc", "vdd"):
            self.assertIn(srcs[dev], open_files(pid))


if __name__ == "__main__":
    mvtest.require_root()
    mvtest.require_qemu()
    mvtest.require_daemon()
    for binary in (mvtest.STORAGED, mvnet.PROXYD):
        if not os.access(binary, os.X_OK):
            mvtest.mvtap.bail_out("not built: %s (build it first)" % binary)
    mvtest.require_guest()
    mvtest.main()
