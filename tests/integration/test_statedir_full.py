"""Every daemon's definitions on a full, then a read-only file system.

For modvirt-qemud, modvirt-networkd, modvirt-filterd and modvirt-storaged
(pools and secrets): the daemon's ROOT/etc (where its definitions are saved)
is a small tmpfs mounted only inside a private mount namespace of the daemon
(`unshare --mount --propagation private`; nothing is mounted in the host's
namespace).  The test reaches it through /proc/DAEMON_PID/root.

* full (ENOSPC): a new define and a redefine fail naming "No space left on
  device"; nothing is half there (no new object, no file, no temp file); the
  redefined object keeps its old definition, in the daemon and on disk;
* remounted read-only (`nsenter --mount` into the daemon's namespace): define,
  redefine, undefine and autostart fail naming "Read-only file system", and
  every definition stays as it was;
* all along the daemon keeps serving reads (lists, XML) on the same and on a
  new connection, and once the file system is writable again a define works.

The script runs in a private network namespace (networkd and filterd touch
links and nft tables there only).
"""

import errno
import glob
import os
import subprocess
import sys
import unittest
import uuid as uuidlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import mvnet  # noqa: E402
import mvstorage  # noqa: E402

MOUNT = 'mount -t tmpfs -o size=512k,mode=0755 modvirt-test "$0" && exec "$@"'
SECRET_XML = ("<secret ephemeral='no' private='no'><uuid>%s</uuid><description>%s</description>"
              "<usage type='volume'><volume>/var/lib/x/%s</volume></usage></secret>")
SECRET_UUIDS = {"keep1": "2f7c55b0-4c5e-4d51-9b0e-6f3c0a000001",
                "keep2": "2f7c55b0-4c5e-4d51-9b0e-6f3c0a000002",
                "new1": "2f7c55b0-4c5e-4d51-9b0e-6f3c0a000003",
                "new2": "2f7c55b0-4c5e-4d51-9b0e-6f3c0a000004"}
FILTER_XML = ("<filter name='%s' chain='ipv4'><rule action='accept' direction='in' "
              "priority='%d'><tcp dstportstart='%d'/></rule></filter>")


def uuid_of(name):
    return str(uuidlib.uuid5(uuidlib.NAMESPACE_URL, "modvirt-statedir/" + name))


def libvirt():
    import libvirt as lv
    lv.registerErrorHandler(lambda *a: None, None)
    return lv


class Family:
    """What the test needs of one daemon's objects (gen: a generation number
    that changes the definition)."""
    subdir = None           # the definitions' directory under ROOT/etc
    autostart = False

    def daemon(self):
        raise NotImplementedError

    def define(self, conn, name, gen, root):
        raise NotImplementedError

    def lookup(self, conn, name):
        raise NotImplementedError

    def xml(self, obj):
        return obj.XMLDesc(0)

    def names(self, conn):
        raise NotImplementedError

    def file_name(self, name):
        return name + ".xml"

    def setup(self, conn):
        """More state after the two definitions (before the disk fills)."""

    def more_refused(self, conn, refused, reason):
        """Further changes refused with reason, each leaving everything as it was."""

    def kernel(self):
        """What the kernel holds of the definitions (must not change), or None."""
        return None


class Qemu(Family):
    subdir = "qemu"
    autostart = True

    def daemon(self):
        return mvtest.GuestDaemon()

    def define(self, conn, name, gen, root):
        return conn.defineXML(mvtest.firmware_guest_xml(name, uuid=uuid_of(name),
                                                        memory_mib=32 + gen))

    def lookup(self, conn, name):
        return conn.lookupByName(name)

    def names(self, conn):
        return sorted(d.name() for d in conn.listAllDomains(0))


class Network(Family):
    subdir = "network"
    autostart = True

    def daemon(self):
        return mvnet.NetworkDaemon()

    def define(self, conn, name, gen, root):
        n = {"keep1": 1, "keep2": 2, "new1": 3, "new2": 4}[name]
        return conn.networkDefineXML(mvnet.network_xml(
            name, bridge="mvf%s" % name, ip="10.131.%d.%d" % (n, 1 + gen), uuid=uuid_of(name)))

    def lookup(self, conn, name):
        return conn.networkLookupByName(name)

    def names(self, conn):
        return sorted(n.name() for n in conn.listAllNetworks(0))


class Pool(Family):
    subdir = "storage"
    autostart = True

    def daemon(self):
        return mvstorage.StorageDaemon()

    def define(self, conn, name, gen, root):
        path = os.path.join(root, "pools", "%s-%d" % (name, gen))
        return conn.storagePoolDefineXML(mvstorage.dir_pool_xml(name, path, uuid_of(name)), 0)

    def lookup(self, conn, name):
        return conn.storagePoolLookupByName(name)

    def names(self, conn):
        return sorted(p.name() for p in conn.listAllStoragePools(0))


class Secret(Family):
    subdir = "secrets"

    def daemon(self):
        return mvstorage.StorageDaemon()

    def define(self, conn, name, gen, root):
        return conn.secretDefineXML(SECRET_XML % (SECRET_UUIDS[name], "gen %d" % gen, name), 0)

    def lookup(self, conn, name):
        return conn.secretLookupByUUIDString(SECRET_UUIDS[name])

    def xml(self, obj):
        return obj.XMLDesc(0)

    def names(self, conn):
        by_uuid = {u: n for n, u in SECRET_UUIDS.items()}
        return sorted(by_uuid[s.UUIDString()] for s in conn.listAllSecrets(0))

    def file_name(self, name):
        return SECRET_UUIDS[name] + ".xml"

    def setup(self, conn):
        self.lookup(conn, "keep1").setValue(b"old value", 0)

    def more_refused(self, conn, refused, reason):
        refused("a value change", lambda: self.lookup(conn, "keep1").setValue(b"new", 0), reason)
        assert self.lookup(conn, "keep1").value(0) == b"old value", "the value changed"


class Filter(Family):
    subdir = "nwfilter"

    def daemon(self):
        return mvtest.Daemon(binary=mvtest.FILTERD, name="filter")

    def define(self, conn, name, gen, root):
        port = {"keep1": 81, "keep2": 82, "new1": 83, "new2": 84}[name]
        return conn.nwfilterDefineXML(FILTER_XML % (name, 100 + gen, port + 1000 * gen))

    def setup(self, conn):
        # keep1 in use: its redefinition re-applies the binding's rules
        conn.nwfilterBindingCreateXML(
            "<filterbinding><owner><name>g1</name><uuid>7b1c3e52-42a8-4d4f-a1ce-0d4e3b6b9a02"
            "</uuid></owner><portdev name='vsf1'/><mac address='52:54:00:00:00:0b'/>"
            "<filterref filter='keep1'/></filterbinding>", 0)

    def kernel(self):
        res = subprocess.run(["nft", "list", "table", "bridge", "modvirt"],
                             capture_output=True, text=True, timeout=30, check=True)
        return res.stdout

    def lookup(self, conn, name):
        return conn.nwfilterLookupByName(name)

    def names(self, conn):
        return sorted(f.name() for f in conn.listAllNWFilters(0)
                      if f.name() in ("keep1", "keep2", "new1", "new2"))


def uri_of(d):
    scheme = {"qemu": "qemu", "network": "network", "storage": "storage",
              "filter": "nwfilter"}[d.name]
    return "%s+unix:///system?socket=%s" % (scheme, d.sock)


class StateDirFull(unittest.TestCase):

    def run_family(self, fam):
        lv = libvirt()
        d = fam.daemon()
        self.addCleanup(d.cleanup)
        etc = os.path.join(d.root, "etc")
        os.makedirs(etc, exist_ok=True)
        d.spawn(["unshare", "--mount", "--propagation", "private", "sh", "-c", MOUNT, etc]
                + d.command())
        d.wait_ready()
        self.assertEqual(os.listdir(etc), [], "the tmpfs is visible outside")
        uri = uri_of(d)
        conn = lv.open(uri)
        self.addCleanup(conn.close)

        def ns(*parts):
            return os.path.join("/proc/%d/root" % d.pid, etc.lstrip("/"), *parts)

        sdir = ns(fam.subdir)

        def saved(name):
            return mvtest.read_text(os.path.join(sdir, fam.file_name(name)))

        for name in ("keep1", "keep2"):
            fam.define(conn, name, 0, d.root)
        fam.setup(conn)
        kernel = fam.kernel()
        before = {n: fam.xml(fam.lookup(conn, n)) for n in ("keep1", "keep2")}
        files = {n: saved(n) for n in ("keep1", "keep2")}
        listed = fam.names(conn)
        self.assertEqual(listed, ["keep1", "keep2"])

        def intact(why):
            self.assertEqual(fam.names(conn), listed, "the list changed " + why)
            for n in ("keep1", "keep2"):
                self.assertEqual(fam.xml(fam.lookup(conn, n)), before[n],
                                 "%s changed in the daemon %s" % (n, why))
                self.assertEqual(saved(n), files[n], "%s changed on disk %s" % (n, why))
            self.assertFalse(os.path.exists(os.path.join(sdir, fam.file_name("new1"))),
                             "a refused definition is on disk " + why)
            self.assertEqual(glob.glob(os.path.join(sdir, "*.tmp-*")), [],
                             "temp file left " + why)
            self.assertEqual(fam.kernel(), kernel, "the kernel's rules changed " + why)
            # a new connection is served at once
            other = lv.open(uri)
            try:
                self.assertEqual(fam.names(other), listed, why)
            finally:
                other.close()

        def refused(what, call, reason):
            with self.assertRaises(lv.libvirtError, msg="%s succeeded (%s)" % (what, reason)) \
                    as cm:
                call()
            self.assertIn(reason, str(cm.exception), what)
            return str(cm.exception)

        # full ------------------------------------------------------------
        fill = ns("fill")
        fd = os.open(fill, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            while True:
                os.write(fd, b"\0" * 4096)
        except OSError as e:
            self.assertEqual(e.errno, errno.ENOSPC)
        finally:
            os.close(fd)
        nospace = "No space left on device"
        msg = refused("a new define", lambda: fam.define(conn, "new1", 0, d.root), nospace)
        print("# %s, full: %s" % (type(fam).__name__, msg))
        refused("a redefine", lambda: fam.define(conn, "keep1", 1, d.root), nospace)
        fam.more_refused(conn, refused, nospace)
        intact("on a full disk")

        # read-only -----------------------------------------------------------
        os.unlink(fill)
        subprocess.run(["nsenter", "--mount=/proc/%d/ns/mnt" % d.pid, "mount", "-o",
                        "remount,ro", etc], check=True)
        rofs = "Read-only file system"
        msg = refused("a new define", lambda: fam.define(conn, "new1", 0, d.root), rofs)
        print("# %s, read-only: %s" % (type(fam).__name__, msg))
        refused("a redefine", lambda: fam.define(conn, "keep1", 1, d.root), rofs)
        refused("an undefine", lambda: fam.lookup(conn, "keep2").undefine(), rofs)
        if fam.autostart:
            refused("autostart", lambda: fam.lookup(conn, "keep2").setAutostart(1), rofs)
            self.assertFalse(fam.lookup(conn, "keep2").autostart())
        fam.more_refused(conn, refused, rofs)
        intact("on a read-only disk")

        # writable again: the daemon was not wedged ----------------------------
        subprocess.run(["nsenter", "--mount=/proc/%d/ns/mnt" % d.pid, "mount", "-o",
                        "remount,rw", etc], check=True)
        fam.define(conn, "new2", 0, d.root)
        fam.define(conn, "keep1", 1, d.root)
        self.assertNotEqual(saved("keep1"), files["keep1"])
        self.assertEqual(fam.names(conn), ["keep1", "keep2", "new2"])

    def test_qemud(self):
        self.run_family(Qemu())

    def test_networkd(self):
        self.run_family(Network())

    def test_storaged_pools(self):
        self.run_family(Pool())

    def test_storaged_secrets(self):
        self.run_family(Secret())

    def test_filterd(self):
        self.run_family(Filter())


if __name__ == "__main__":
    mvtest.require_root()
    mvtest.require_tools("unshare", "nsenter", "nft")
    mvtest.require_python_libvirt()
    mvtest.enter_private_netns()
    mvtest.main()
