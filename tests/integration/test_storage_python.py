"""Storage pools and volumes through python3-libvirt against modvirt-storaged.

listAllStoragePools with every filter flag and the legacy num/list calls
(procedures 71-74), lookups (name, UUID, volume, target path; volumes by
name, key and path), XMLDesc with and without INACTIVE after a redefine of
an active pool, libvirt's error codes, pool capabilities and
find-storage-pool-sources, lifecycle and refresh events through the libvirt
event loop, volumes (create with allocation, clone, infoFlags, wipePattern,
resize flags, listAllVolumes / numOfVolumes / listVolumes), long volume jobs
that never block queries on other volumes and pools (a job held by
MV_TEST_VOL_JOB_HOLD), the long-job cap, and the `modvirt` pool/vol verbs.
The API cases run directly and through the proxy.
"""

import json
import os
import subprocess
import sys
import threading
import time
import unittest
import uuid as uuidlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import mvstorage  # noqa: E402

libvirt = None
MiB = 1024 * 1024
_event_loop = None


def start_event_loop():
    global _event_loop
    if _event_loop:
        return
    libvirt.virEventRegisterDefaultImpl()

    def run():
        while True:
            libvirt.virEventRunDefaultImpl()

    _event_loop = threading.Thread(target=run, daemon=True)
    _event_loop.start()


class Base:
    sd = None
    px = None
    hold = None

    @classmethod
    def setUpClass(cls):
        root = mvtest.tempfile.mkdtemp(prefix="mvt-")
        cls.hold = os.path.join(root, "hold")
        cls.sd = mvstorage.StorageDaemon(root=root, env={"MV_TEST_VOL_JOB_HOLD": cls.hold},
                                         config="[storage]\nmax_long_jobs = 3\n").start()
        cls.px = mvstorage.ProxyDaemon(cls.sd.root).start()

    @classmethod
    def tearDownClass(cls):
        cls.px.cleanup()
        cls.sd.cleanup()

    def setUp(self):
        self.conn = libvirt.open(self.the_uri())

    def tearDown(self):
        if os.path.exists(self.hold):
            os.unlink(self.hold)
        for pool in self.conn.listAllStoragePools():
            persistent = pool.isPersistent()
            if pool.isActive():
                pool.destroy()
            if persistent:
                pool.undefine()
        self.conn.close()

    def assertLibvirtError(self, code, func, *args, contains=None, domain=mvstorage.FROM_STORAGE):
        with self.assertRaises(libvirt.libvirtError) as cm:
            func(*args)
        err = cm.exception
        self.assertEqual(err.get_error_code(), code,
                         "code %s, message %r" % (err.get_error_code(), err.get_error_message()))
        if domain is not None:
            self.assertEqual(err.get_error_domain(), domain, err.get_error_message())
        if contains:
            self.assertIn(contains, err.get_error_message())
        return err

    def pool_path(self, name):
        return os.path.join(self.sd.root, "p-%s-%s" % (self.__class__.__name__, name))

    def define(self, name, start=True, uuid=None):
        pool = self.conn.storagePoolDefineXML(
            mvstorage.dir_pool_xml(name, self.pool_path(name), uuid=uuid), 0)
        if start:
            pool.build(0)
            pool.create(0)
        return pool

    # -- lists and lookups -----------------------------------------------------

    def test_lists_and_filters(self):
        c = self.conn
        a = self.define("la")
        a.setAutostart(1)
        self.define("lb", start=False)
        os.makedirs(self.pool_path("lc"))
        c.storagePoolCreateXML(mvstorage.dir_pool_xml("lc", self.pool_path("lc")), 0)

        def names(flags):
            return sorted(p.name() for p in c.listAllStoragePools(flags))

        self.assertEqual(names(0), ["la", "lb", "lc"])
        self.assertEqual(names(libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE), ["la", "lc"])
        self.assertEqual(names(libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE), ["lb"])
        self.assertEqual(names(libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_PERSISTENT), ["la", "lb"])
        self.assertEqual(names(libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_TRANSIENT), ["lc"])
        self.assertEqual(names(libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART), ["la"])
        self.assertEqual(names(libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART),
                         ["lb", "lc"])
        self.assertEqual(names(libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_DIR), ["la", "lb", "lc"])
        self.assertEqual(names(libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_LOGICAL), [])
        self.assertEqual(names(libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE |
                               libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_PERSISTENT), ["la"])
        # the legacy calls (71-74)
        self.assertEqual(c.numOfStoragePools(), 2)
        self.assertEqual(sorted(c.listStoragePools()), ["la", "lc"])
        self.assertEqual(c.numOfDefinedStoragePools(), 1)
        self.assertEqual(c.listDefinedStoragePools(), ["lb"])
        self.assertLibvirtError(mvstorage.ERR_INVALID_ARG, c.listAllStoragePools, 1 << 25)

    def test_lookups(self):
        c = self.conn
        pool = self.define("lk")
        vol = pool.createXML(mvstorage.vol_xml("v", MiB), 0)
        self.assertEqual(c.storagePoolLookupByName("lk").UUIDString(), pool.UUIDString())
        self.assertEqual(c.storagePoolLookupByUUIDString(pool.UUIDString()).name(), "lk")
        self.assertEqual(c.storagePoolLookupByUUID(pool.UUID()).name(), "lk")
        self.assertEqual(vol.storagePoolLookupByVolume().name(), "lk")
        self.assertEqual(c.storagePoolLookupByTargetPath(self.pool_path("lk")).name(), "lk")
        self.assertEqual(c.storagePoolLookupByTargetPath(self.pool_path("lk") + "/").name(),
                         "lk")
        path = os.path.join(self.pool_path("lk"), "v")
        self.assertEqual(vol.key(), path)
        self.assertEqual(vol.path(), path)
        self.assertEqual(c.storageVolLookupByKey(path).name(), "v")
        self.assertEqual(c.storageVolLookupByPath(path).name(), "v")
        self.assertEqual(c.storageVolLookupByPath(self.pool_path("lk") + "//./v").name(), "v")
        self.assertEqual(pool.storageVolLookupByName("v").key(), path)
        self.assertLibvirtError(mvstorage.ERR_NO_STORAGE_POOL, c.storagePoolLookupByName, "no")
        self.assertLibvirtError(mvstorage.ERR_NO_STORAGE_POOL, c.storagePoolLookupByUUIDString,
                                str(uuidlib.uuid4()))
        self.assertLibvirtError(mvstorage.ERR_NO_STORAGE_POOL, c.storagePoolLookupByTargetPath,
                                "/nonexistent/pool")
        self.assertLibvirtError(mvstorage.ERR_NO_STORAGE_VOL, pool.storageVolLookupByName, "no")
        self.assertLibvirtError(mvstorage.ERR_NO_STORAGE_VOL, c.storageVolLookupByKey, "/no")
        self.assertLibvirtError(mvstorage.ERR_NO_STORAGE_VOL, c.storageVolLookupByPath, "/no")
        # an inactive pool has no volumes to look up
        pool.destroy()
        self.assertLibvirtError(mvstorage.ERR_NO_STORAGE_VOL, c.storageVolLookupByPath, path)
        self.assertLibvirtError(mvstorage.ERR_OPERATION_INVALID, pool.storageVolLookupByName,
                                "v")
        self.assertLibvirtError(mvstorage.ERR_OPERATION_INVALID, pool.listAllVolumes)
        self.assertLibvirtError(mvstorage.ERR_OPERATION_INVALID, pool.numOfVolumes)

    def test_redefine_active_and_errors(self):
        c = self.conn
        pool = self.define("rd")
        uuid = pool.UUIDString()
        # same name + UUID while active: the new config waits for the next start
        newpath = self.pool_path("rd") + "-new"
        c.storagePoolDefineXML(mvstorage.dir_pool_xml("rd", newpath, uuid=uuid), 0)
        live = pool.XMLDesc(0)
        inactive = pool.XMLDesc(libvirt.VIR_STORAGE_XML_INACTIVE)
        self.assertEqual(mvstorage.xml_text(live, "target/path"), self.pool_path("rd"))
        self.assertEqual(mvstorage.xml_text(inactive, "target/path"), newpath)
        self.assertLibvirtError(mvstorage.ERR_OPERATION_FAILED, c.storagePoolDefineXML,
                                mvstorage.dir_pool_xml("rd", "/x", uuid=str(uuidlib.uuid4())), 0,
                                contains="already exists with uuid %s" % uuid)
        self.assertLibvirtError(mvstorage.ERR_OPERATION_FAILED, c.storagePoolDefineXML,
                                mvstorage.dir_pool_xml("rd2", "/y", uuid=uuid), 0,
                                contains="is already defined with uuid %s" % uuid)
        self.assertLibvirtError(mvstorage.ERR_OPERATION_INVALID, pool.create, 0)
        self.assertLibvirtError(mvstorage.ERR_OPERATION_INVALID, pool.undefine)
        self.assertLibvirtError(mvstorage.ERR_OPERATION_INVALID, pool.delete, 0)
        self.assertLibvirtError(mvstorage.ERR_INVALID_ARG, pool.build,
                                libvirt.VIR_STORAGE_POOL_BUILD_OVERWRITE |
                                libvirt.VIR_STORAGE_POOL_BUILD_NO_OVERWRITE)
        self.assertLibvirtError(mvstorage.ERR_XML_ERROR, c.storagePoolDefineXML,
                                "<pool type='dir'><name>bad</name><bogus/></pool>", 0,
                                contains="/pool/bogus", domain=None)
        pool.destroy()
        # stopped: the new definition is the one now
        self.assertEqual(mvstorage.xml_text(pool.XMLDesc(0), "target/path"), newpath)
        self.assertLibvirtError(mvstorage.ERR_OPERATION_INVALID, pool.destroy)
        self.assertLibvirtError(mvstorage.ERR_OPERATION_INVALID, pool.refresh, 0)
        self.assertEqual(pool.info()[0], libvirt.VIR_STORAGE_POOL_INACTIVE)

    def test_capabilities_and_sources(self):
        caps = self.conn.getStoragePoolCapabilities(0)
        self.assertIn("<storagepoolCapabilities>", caps)
        self.assertIn("type='dir' supported='yes'", caps)
        self.assertLibvirtError(mvstorage.ERR_INVALID_ARG, self.conn.findStoragePoolSources,
                                "nosuchtype", None, 0)

    # -- events ---------------------------------------------------------------------

    def test_events(self):
        start_event_loop()
        seen = []
        cond = threading.Condition()

        def lifecycle(conn, pool, event, detail, opaque):
            with cond:
                seen.append(("lifecycle", pool.name(), event))
                cond.notify_all()

        def refresh(conn, pool, opaque):
            with cond:
                seen.append(("refresh", pool.name(), None))
                cond.notify_all()

        c = self.conn
        ids = [c.storagePoolEventRegisterAny(None, libvirt.VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
                                             lifecycle, None),
               c.storagePoolEventRegisterAny(None, libvirt.VIR_STORAGE_POOL_EVENT_ID_REFRESH,
                                             refresh, None)]
        try:
            pool = self.define("ev")
            pool.refresh(0)
            pool.destroy()
            pool.delete(0)
            pool.undefine()
            want = [("lifecycle", "ev", libvirt.VIR_STORAGE_POOL_EVENT_DEFINED),
                    ("lifecycle", "ev", libvirt.VIR_STORAGE_POOL_EVENT_CREATED),
                    ("lifecycle", "ev", libvirt.VIR_STORAGE_POOL_EVENT_STARTED),
                    ("refresh", "ev", None),
                    ("lifecycle", "ev", libvirt.VIR_STORAGE_POOL_EVENT_STOPPED),
                    ("lifecycle", "ev", libvirt.VIR_STORAGE_POOL_EVENT_DELETED),
                    ("lifecycle", "ev", libvirt.VIR_STORAGE_POOL_EVENT_UNDEFINED)]
            with cond:
                cond.wait_for(lambda: len(seen) >= len(want), timeout=20)
            self.assertEqual(seen, want)
        finally:
            for i in ids:
                c.storagePoolEventDeregisterAny(i)

    # -- volumes ------------------------------------------------------------------------

    def test_volumes(self):
        pool = self.define("vo")
        v = pool.createXML(mvstorage.vol_xml("a", 4 * MiB, allocation=4 * MiB), 0)
        t, cap, alloc = v.info()
        self.assertEqual((t, cap), (libvirt.VIR_STORAGE_VOL_FILE, 4 * MiB))
        self.assertGreaterEqual(alloc, 4 * MiB)
        self.assertEqual(v.infoFlags(libvirt.VIR_STORAGE_VOL_GET_PHYSICAL)[2], 4 * MiB)
        with open(v.path(), "r+b") as f:
            f.write(b"x" * 4096)
        c = pool.createXMLFrom(mvstorage.vol_xml("b", 0, fmt="qcow2"), v, 0)
        self.assertEqual(c.info()[1], 4 * MiB)
        self.assertIn("<format type='qcow2'/>", c.XMLDesc(0))
        self.assertLibvirtError(mvstorage.ERR_STORAGE_VOL_EXIST, pool.createXML,
                                mvstorage.vol_xml("a", MiB), 0)
        self.assertEqual(sorted(x.name() for x in pool.listAllVolumes(0)), ["a", "b"])
        self.assertEqual(pool.numOfVolumes(), 2)
        self.assertEqual(sorted(pool.listVolumes()), ["a", "b"])
        v.wipePattern(libvirt.VIR_STORAGE_VOL_WIPE_ALG_ZERO, 0)
        with open(v.path(), "rb") as f:
            self.assertEqual(f.read(4096), b"\0" * 4096)
        self.assertLibvirtError(mvstorage.ERR_INVALID_ARG, v.wipePattern, 99, 0)
        v.resize(2 * MiB, libvirt.VIR_STORAGE_VOL_RESIZE_DELTA)
        self.assertEqual(v.info()[1], 6 * MiB)
        self.assertLibvirtError(mvstorage.ERR_INVALID_ARG, v.resize, MiB, 0)
        v.resize(MiB, libvirt.VIR_STORAGE_VOL_RESIZE_SHRINK)
        self.assertEqual(os.path.getsize(v.path()), MiB)
        self.assertLibvirtError(mvstorage.ERR_INVALID_ARG, v.resize, 2 * MiB,
                                libvirt.VIR_STORAGE_VOL_RESIZE_DELTA |
                                libvirt.VIR_STORAGE_VOL_RESIZE_SHRINK)
        v.delete(0)
        self.assertLibvirtError(mvstorage.ERR_NO_STORAGE_VOL, v.info)
        self.assertEqual([x.name() for x in pool.listAllVolumes(0)], ["b"])

    def test_long_jobs_never_block_queries(self):
        pool = self.define("lj")
        busy = pool.createXML(mvstorage.vol_xml("busy", MiB), 0)
        other = pool.createXML(mvstorage.vol_xml("other", 2 * MiB), 0)
        second = libvirt.open(self.the_uri())
        mvtest.write_file(self.hold, "")
        results = {}

        def run(key, func):
            try:
                func()
                results[key] = None
            except libvirt.libvirtError as e:
                results[key] = e

        jobs = [threading.Thread(target=run, args=("wipe", lambda: busy.wipe(0))),
                threading.Thread(target=run, args=(
                    "create", lambda: pool.createXML(mvstorage.vol_xml("new", MiB), 0)))]
        for j in jobs:
            j.start()
        try:
            p2 = second.storagePoolLookupByName("lj")
            # both jobs are registered once refresh is refused naming two of them
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                try:
                    p2.refresh(0)
                except libvirt.libvirtError as e:
                    if "2 volume operation(s)" in e.get_error_message():
                        break
                time.sleep(0.05)
            else:
                self.fail("the two held jobs never showed up")
            # queries on other volumes and on the pool are answered meanwhile
            o2 = p2.storageVolLookupByName("other")
            self.assertEqual(o2.info()[1], 2 * MiB)
            self.assertIn("<name>other</name>", o2.XMLDesc(0))
            self.assertEqual(p2.info()[0], libvirt.VIR_STORAGE_POOL_RUNNING)
            self.assertEqual(sorted(x.name() for x in p2.listAllVolumes(0)), ["busy", "other"])
            self.assertEqual(second.storagePoolLookupByName("lj").name(), "lj")
            # the busy volume refuses a second job; the one being made is not listed
            b2 = p2.storageVolLookupByName("busy")
            self.assertLibvirtError(mvstorage.ERR_OPERATION_INVALID, b2.wipe, 0,
                                    contains="busy")
            self.assertLibvirtError(mvstorage.ERR_NO_STORAGE_VOL, p2.storageVolLookupByName,
                                    "new")
            self.assertLibvirtError(mvstorage.ERR_STORAGE_VOL_EXIST, p2.createXML,
                                    mvstorage.vol_xml("new", MiB), 0)
            self.assertLibvirtError(mvstorage.ERR_OPERATION_INVALID, p2.destroy,
                                    contains="volume operation")
            # the cap (3 here): one more long job runs, the next is refused at once
            jobs.append(threading.Thread(target=run, args=("wipe2", lambda: o2.wipe(0))))
            jobs[-1].start()
            while time.monotonic() < deadline:
                try:
                    p2.refresh(0)
                except libvirt.libvirtError as e:
                    if "3 volume operation(s)" in e.get_error_message():
                        break
                time.sleep(0.05)
            else:
                self.fail("the third held job never showed up")
            self.assertLibvirtError(mvstorage.ERR_OPERATION_FAILED, p2.createXML,
                                    mvstorage.vol_xml("capped", MiB), 0,
                                    contains="long volume operations are already running")
            # and the jobs still had not finished: every answer came while they were held
            self.assertTrue(all(j.is_alive() for j in jobs))
        finally:
            os.unlink(self.hold)
            for j in jobs:
                j.join(30)
            second.close()
        self.assertEqual(results, {"wipe": None, "create": None, "wipe2": None})
        self.assertEqual(sorted(x.name() for x in pool.listAllVolumes(0)),
                         ["busy", "new", "other"])


class Direct(Base, unittest.TestCase):
    def the_uri(self):
        return self.sd.uri


class ThroughProxy(Base, unittest.TestCase):
    def the_uri(self):
        return self.px.uri


class Cli(unittest.TestCase):
    """The modvirt pool-* and vol-* verbs (tables and --json) against storaged."""

    @classmethod
    def setUpClass(cls):
        cls.sd = mvstorage.StorageDaemon().start()

    @classmethod
    def tearDownClass(cls):
        cls.sd.cleanup()

    def mv(self, *args, check=True):
        env = dict(os.environ, LC_ALL="C")
        res = subprocess.run([mvstorage.MODVIRT, "-c", self.sd.uri] + list(args),
                             capture_output=True, text=True, env=env, timeout=60)
        if check and res.returncode != 0:
            raise AssertionError("modvirt %s failed (%d): %s %s"
                                 % (" ".join(args), res.returncode, res.stdout, res.stderr))
        return res

    def test_verbs(self):
        path = os.path.join(self.sd.root, "clipool")
        xml = mvtest.write_file(os.path.join(self.sd.root, "clipool.xml"),
                                mvstorage.dir_pool_xml("clip", path))
        self.mv("pool-define", xml)
        self.mv("pool-build", "clip")
        self.mv("pool-start", "clip")
        out = self.mv("pool-list").stdout
        self.assertRegex(out, r"NAME\s+STATE\s+AUTOSTART\s+PERSISTENT\s+CAPACITY")
        self.assertRegex(out, r"clip\s+running\s+no\s+yes")
        pools = json.loads(self.mv("pool-list", "--json").stdout)
        self.assertEqual([(p["name"], p["state"]) for p in pools], [("clip", "running")])
        self.mv("vol-create-as", "clip", "d1", "3M", "--format", "qcow2")
        self.mv("vol-clone", "clip", "d1", "d2")
        vols = json.loads(self.mv("vol-list", "clip", "--json").stdout)
        self.assertEqual(sorted(v["name"] for v in vols), ["d1", "d2"])
        self.assertEqual({v["capacity"] for v in vols}, {3 * MiB})
        info = json.loads(self.mv("vol-info", "clip", "d2", "--json").stdout)
        self.assertEqual((info["format"], info["path"]), ("qcow2", os.path.join(path, "d2")))
        self.assertRegex(self.mv("vol-list", "clip").stdout, r"d2\s+file\s+qcow2\s+3\.00 MiB")
        self.mv("vol-resize", "clip", "d2", "5M")
        self.assertEqual(json.loads(self.mv("vol-info", "clip", "d2", "--json").stdout)
                         ["capacity"], 5 * MiB)
        self.mv("vol-wipe", "clip", "d1")
        self.mv("vol-delete", "clip", "d1")
        res = self.mv("vol-info", "clip", "d1", check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("no volume 'd1' in pool 'clip'", res.stderr)
        self.assertIn("<name>clip</name>", self.mv("pool-dumpxml", "clip").stdout)
        info = json.loads(self.mv("pool-info", "clip", "--json").stdout)
        self.assertEqual((info["name"], info["state"], info["volumes"]), ("clip", "running", 1))
        # A pool by UUID too; an unknown one is named with the verb that lists them.
        self.assertEqual(json.loads(self.mv("pool-info", info["uuid"], "--json").stdout)
                         ["name"], "clip")
        res = self.mv("pool-info", "nosuch", check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("there is no storage pool 'nosuch'; run 'modvirt pool-list' to see the "
                      "defined pools", res.stderr)
        self.mv("pool-refresh", "clip")
        self.mv("pool-autostart", "clip")
        self.assertTrue(json.loads(self.mv("pool-info", "clip", "--json").stdout)["autostart"])
        self.mv("pool-destroy", "clip")
        res = self.mv("vol-list", "clip", check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("not active", res.stderr)
        self.mv("vol-delete", "clip", "d2", check=False)
        self.mv("pool-start", "clip")
        self.mv("vol-delete", "clip", "d2")
        self.mv("pool-destroy", "clip")
        self.mv("pool-delete", "clip")
        self.assertFalse(os.path.exists(path))
        self.mv("pool-undefine", "clip")
        self.assertEqual(json.loads(self.mv("pool-list", "--json").stdout), [])


if __name__ == "__main__":
    mvtest.require_python_libvirt()
    import libvirt as _libvirt  # noqa: E402
    libvirt = _libvirt
    mvstorage.require_storaged()
    mvtest.main()
