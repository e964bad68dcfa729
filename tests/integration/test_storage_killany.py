"""modvirt-storaged killed anywhere: after a restart nothing is half-made.

Every step where storaged changes disk state has a fault point
(MV_TEST_CRASH_AT=<point>, daemons/storage/storage-crash.h): pool define,
undefine, build, start, stop, delete and autostart; volume create, clone,
delete, wipe and resize (and the partial file of a create); secret define,
set-value and undefine. test_kill_at_every_point arms each point in turn on
a fresh root, runs the call that reaches it (the daemon dies by SIGKILL),
restarts the daemon unarmed and checks the invariants:

- a defined pool is there with its XML (its config file) or not at all, and
  an autostart link never outlives its definition;
- an active pool is taken back (its status file names it) or cleanly
  inactive (no status file);
- every listed volume is complete and readable with the right size and
  format (qemu-img agrees), every volume file of an active pool is listed,
  no .mvpart file is left;
- a secret's value is the old one or the new one, never lost or damaged;
  no value file outlives its secret, no temp file is left.

test_random_kills runs random operations in a thread, kills the daemon
after a random delay (20-400 ms), restarts it and checks the same
invariants, MV_KILLANY_KILLS times (default 50, as every daemon's
kill-anywhere test; MV_KILLANY_SEED repeats a run).
"""

import glob
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import mvstorage  # noqa: E402
import mvkillany  # noqa: E402

MiB = 1024 * 1024
VOL_DELETE_ZEROED = 1
SECRET_XML = """<secret ephemeral='no' private='no'>
  <uuid>%s</uuid>
  <usage type='volume'><volume>%s</volume></usage>
</secret>
"""


def libvirt():
    import libvirt as lv
    lv.registerErrorHandler(lambda *a: None, None)
    return lv


def qemu_img_info(path):
    out = subprocess.run(["qemu-img", "info", "-U", "--output=json", path],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise AssertionError("qemu-img cannot read %s: %s" % (path, out.stderr))
    return json.loads(out.stdout)


def without_sizes(pool_xml):
    """A pool's XML without the sizes of the moment, canonical."""
    root = mvstorage.ET.fromstring(pool_xml)
    for tag in ("capacity", "allocation", "available"):
        for node in root.findall(tag):
            root.remove(node)
    return mvstorage.ET.tostring(root, encoding="unicode")


class Root:
    """One storaged root and the invariants of what it holds on disk."""

    def __init__(self, test):
        self.t = test
        self.sd = mvstorage.StorageDaemon()
        self.conn = None
        # uuid -> the values a secret may have after a kill (None: no value)
        self.secret_values = {}
        # volume name -> the format it was created with
        self.vol_formats = {}

    @property
    def root(self):
        return self.sd.root

    def path(self, *parts):
        return os.path.join(self.sd.root, *parts)

    def start(self, point=None):
        if point:
            self.sd.extra_env["MV_TEST_CRASH_AT"] = point
        else:
            self.sd.extra_env.pop("MV_TEST_CRASH_AT", None)
        self.sd.start()
        try:
            self.conn = libvirt().open(self.sd.uri)
        except libvirt().libvirtError as e:
            # Seen under load: the first connection after a restart was reset
            # while the restarted daemon had not bound its sockets yet (cause not
            # found yet; docs/testing.md, "Kill-anywhere"). Said on stderr with
            # what listens, then retried for up to 10 s while the daemon runs.
            if "reset by peer" not in str(e):
                raise
            sys.stderr.write("# first connection after the restart was reset; retrying\n")
            mvkillany.diagnose(self.sd)
            self.conn = mvkillany.reopen(self.sd, self.sd.uri)
        return self.conn

    def stop(self):
        self.close()
        self.sd.stop()

    def close(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:
                pass
            self.conn = None

    def cleanup(self):
        self.close()
        self.sd.cleanup()

    # setup helpers --------------------------------------------------------
    def define_pool(self, name, build=True, start=True):
        pool = self.conn.storagePoolDefineXML(
            mvstorage.dir_pool_xml(name, self.path(name)), 0)
        if build:
            pool.build(0)
        if start:
            pool.create(0)
        return pool

    def create_vol(self, pool, name, size, fmt="raw", fill=False):
        self.vol_formats[name] = fmt
        vol = self.conn.storagePoolLookupByName(pool).createXML(
            mvstorage.vol_xml(name, size, fmt=fmt), 0)
        if fill:
            with open(vol.path(), "r+b") as f:
                f.write(os.urandom(MiB))
        return vol

    def define_secret(self, uuid, value=None):
        sec = self.conn.secretDefineXML(SECRET_XML % (uuid, self.path("v-" + uuid)), 0)
        self.secret_values[uuid] = {None}
        if value is not None:
            sec.setValue(value, 0)
            self.secret_values[uuid] = {value}
        return sec

    # invariants -----------------------------------------------------------
    def check(self, where):
        t = self.t
        lv = libvirt()
        conn = self.conn
        msg = " (%s)" % where
        etc = self.path("etc", "storage")
        configs = {os.path.basename(p)[:-4] for p in glob.glob(os.path.join(etc, "*.xml"))}
        status = {os.path.basename(p)[:-4]
                  for p in glob.glob(self.path("run", "storage", "*.xml"))}
        pools = conn.listAllStoragePools(0)
        persistent = {p.name() for p in pools if p.isPersistent()}
        active = {p.name() for p in pools if p.isActive()}
        t.assertEqual(persistent, configs, "defined pools vs their config files" + msg)
        t.assertEqual(active, status, "active pools vs their status files" + msg)
        t.assertEqual([p for p in glob.glob(os.path.join(etc, "*.tmp-*"))], [],
                      "temp files of pool definitions left" + msg)
        for link in glob.glob(os.path.join(etc, "autostart", "*")):
            t.assertTrue(os.path.exists(link),
                         "autostart link %s outlives its definition%s" % (link, msg))
        for p in pools:
            xml = p.XMLDesc(lv.VIR_STORAGE_XML_INACTIVE)
            t.assertEqual(mvstorage.xml_text(xml, "name"), p.name(), msg)
            if p.isPersistent():
                with open(os.path.join(etc, p.name() + ".xml")) as f:
                    saved = f.read()
                t.assertEqual(mvstorage.xml_text(saved, "uuid"), p.UUIDString(), msg)
                t.assertEqual(without_sizes(saved), without_sizes(xml),
                              "pool %s: its XML is not its config file%s" % (p.name(), msg))
            if p.isActive():
                self.check_volumes(p, msg)
        self.check_secrets(msg)

    def check_volumes(self, pool, msg):
        t = self.t
        target = mvstorage.xml_text(pool.XMLDesc(0), "target/path")
        t.assertTrue(os.path.isdir(target), "active pool without its directory" + msg)
        t.assertEqual(mvstorage.partial_files(target), [], "in-progress files left" + msg)
        listed = set()
        for vol in pool.listAllVolumes(0):
            path = vol.path()
            listed.add(os.path.basename(path))
            kind, capacity, _ = vol.info()
            if kind == libvirt().VIR_STORAGE_VOL_DIR:
                t.assertTrue(os.path.isdir(path), msg)
                listed.discard(os.path.basename(path))
                continue
            fmt = mvstorage.xml_text(vol.XMLDesc(0), "target/format") or ""
            if fmt == "":
                node = mvstorage.ET.fromstring(vol.XMLDesc(0)).find("target/format")
                fmt = node.get("type") if node is not None else "raw"
            info = qemu_img_info(path)
            t.assertEqual(info["format"], fmt, "volume %s: format%s" % (vol.name(), msg))
            t.assertEqual(self.vol_formats.get(vol.name(), fmt), fmt,
                          "volume %s changed its format%s" % (vol.name(), msg))
            # (qemu-img rounds a raw file's size up to 512 bytes)
            size = os.path.getsize(path) if fmt == "raw" else info["virtual-size"]
            t.assertEqual(size, capacity,
                          "volume %s: the listed size is not the file's%s" % (vol.name(), msg))
            with open(path, "rb") as f:
                f.read(MiB)
            if fmt == "qcow2":
                res = subprocess.run(["qemu-img", "check", "-U", path], capture_output=True,
                                     text=True)
                t.assertEqual(res.returncode, 0, "volume %s: qemu-img check: %s%s"
                              % (vol.name(), res.stdout + res.stderr, msg))
        on_disk = {n for n in os.listdir(target)
                   if not n.startswith(".") and os.path.isfile(os.path.join(target, n))}
        t.assertEqual(listed, on_disk, "volume files of pool %s vs its volumes%s"
                      % (pool.name(), msg))

    def check_secrets(self, msg):
        t = self.t
        sdir = self.path("etc", "secrets")
        xmls = {os.path.basename(p)[:-4] for p in glob.glob(os.path.join(sdir, "*.xml"))}
        values = {os.path.basename(p)[:-6] for p in glob.glob(os.path.join(sdir, "*.value"))}
        t.assertEqual([os.path.basename(p) for p in glob.glob(os.path.join(sdir, "*.tmp-*"))],
                      [], "temp files of secrets left" + msg)
        t.assertEqual(values - xmls, set(), "value files without their secret" + msg)
        listed = {s.UUIDString() for s in self.conn.listAllSecrets(0)}
        t.assertEqual(listed, xmls, "secrets vs their files" + msg)
        for uuid in listed:
            try:
                value = self.conn.secretLookupByUUIDString(uuid).value(0)
            except libvirt().libvirtError as e:
                t.assertNotIn("damaged", str(e), msg)
                t.assertIn("does not have a value", str(e), msg)
                value = None
            allowed = self.secret_values.get(uuid, {None})
            t.assertIn(value, allowed, "secret %s: its value is neither the old nor the new "
                       "one%s" % (uuid, msg))


U1 = "6b0a3f48-3b35-4a0c-9a5e-1f3d7c2a0001"
U2 = "6b0a3f48-3b35-4a0c-9a5e-1f3d7c2a0002"


def setup_pools(r):
    """kp: active with a raw 'src' (data) and a qcow2 'q'; np: defined, inactive, built."""
    r.define_pool("kp")
    r.create_vol("kp", "src", 4 * MiB, fill=True)
    r.create_vol("kp", "q", 8 * MiB, fmt="qcow2")
    r.define_pool("np", start=False)


def pool(r, name):
    return r.conn.storagePoolLookupByName(name)


def vol(r, name):
    return pool(r, "kp").storageVolLookupByName(name)


def op_secret_value(r):
    r.secret_values[U1] = {b"old-value", b"new-value"}
    r.conn.secretLookupByUUIDString(U1).setValue(b"new-value", 0)


def op_secret_define(r):
    r.secret_values[U2] = {None}
    r.conn.secretDefineXML(SECRET_XML % (U2, r.path("v2")), 0)


# point -> (setup before the armed restart, the call that reaches the point)
POINTS = [
    ("pool-define-saved", None,
     lambda r: r.conn.storagePoolDefineXML(mvstorage.dir_pool_xml("dp", r.path("dp")), 0)),
    ("pool-undefine-removed", None, lambda r: pool(r, "np").undefine()),
    ("pool-build-done", lambda r: r.conn.storagePoolDefineXML(
        mvstorage.dir_pool_xml("bp", r.path("bp")), 0), lambda r: pool(r, "bp").build(0)),
    # (kp inactive at the armed restart: a take-back would reach the point)
    ("pool-start-started", lambda r: pool(r, "kp").destroy(), lambda r: pool(r, "kp").create(0)),
    ("pool-start-status", lambda r: pool(r, "kp").destroy(), lambda r: pool(r, "kp").create(0)),
    ("pool-stop-stopped", None, lambda r: pool(r, "kp").destroy()),
    ("pool-stop-status", None, lambda r: pool(r, "kp").destroy()),
    ("pool-delete-done", None, lambda r: pool(r, "np").delete(0)),
    ("pool-autostart-set", None, lambda r: pool(r, "np").setAutostart(1)),
    ("vol-partial", None, lambda r: r.create_vol("kp", "new", 16 * MiB, fmt="qcow2")),
    ("vol-create-done", None, lambda r: r.create_vol("kp", "new", 16 * MiB)),
    ("vol-clone-done", None, lambda r: pool(r, "kp").createXMLFrom(
        mvstorage.vol_xml("copy", 4 * MiB), vol(r, "src"), 0)),
    ("vol-delete-done", None, lambda r: vol(r, "src").delete(0)),
    ("vol-delete-zeroed", None, lambda r: vol(r, "src").delete(VOL_DELETE_ZEROED)),
    ("vol-wipe-zeroed", None, lambda r: vol(r, "q").wipe(0)),
    ("vol-wipe-done", None, lambda r: vol(r, "src").wipe(0)),
    ("vol-resize-done", None, lambda r: vol(r, "q").resize(16 * MiB, 0)),
    ("secret-define-saved", None, op_secret_define),
    ("secret-value-saved", None, op_secret_value),
    ("secret-undefine-config", None,
     lambda r: r.conn.secretLookupByUUIDString(U1).undefine()),
    ("secret-undefine-done", None,
     lambda r: r.conn.secretLookupByUUIDString(U1).undefine()),
]


class KillAnywhere(unittest.TestCase):

    def setUp(self):
        mvtest.require_python_libvirt()
        self.roots = []

    def tearDown(self):
        for r in self.roots:
            r.cleanup()

    def new_root(self):
        r = Root(self)
        self.roots.append(r)
        return r

    def kill_at(self, point, setup, op):
        r = self.new_root()
        r.start()
        setup_pools(r)
        r.define_secret(U1, b"old-value")
        if setup:
            setup(r)
        r.stop()
        r.start(point)
        with self.assertRaises(libvirt().libvirtError, msg="the call survived " + point):
            op(r)
        r.close()
        self.assertEqual(r.sd.wait(20), -9, "the daemon did not die at " + point)
        r.start()
        r.check("killed at " + point)
        # the daemon works on after the restart: the same call again
        # (or its natural follow-up) succeeds or fails cleanly, and the
        # invariants still hold
        try:
            op(r)
        except libvirt().libvirtError:
            pass
        r.check("the call again after " + point)
        r.cleanup()
        self.roots.remove(r)

    def test_kill_at_every_point(self):
        only = os.environ.get("MV_KILLANY_POINT")
        for point, setup, op in POINTS:
            if only and point != only:
                continue
            with self.subTest(point=point):
                self.kill_at(point, setup, op)

    def test_undefined_secret_keeps_no_value(self):
        """Killed between removing a secret's definition and its value: the
        orphaned value file goes at the restart, so a new secret with the
        same UUID starts without the old value."""
        r = self.new_root()
        r.start()
        r.define_secret(U1, b"old-value")
        r.stop()
        r.start("secret-undefine-config")
        with self.assertRaises(libvirt().libvirtError):
            r.conn.secretLookupByUUIDString(U1).undefine()
        r.close()
        self.assertEqual(r.sd.wait(20), -9)
        r.start()
        sec = r.conn.secretDefineXML(SECRET_XML % (U1, r.path("v-" + U1)), 0)
        with self.assertRaises(libvirt().libvirtError, msg="the old value came back") as cm:
            sec.value(0)
        self.assertIn("does not have a value", str(cm.exception))
        self.assertIn("removed the value of secret %s" % U1, r.sd.log())

    def test_qcow2_wipe_killed_keeps_an_image(self):
        """Killed in the middle of a qcow2 wipe: the volume is the old image or
        an empty qcow2 of the same size, never a zeroed header."""
        r = self.new_root()
        r.start()
        r.define_pool("kp")
        r.create_vol("kp", "q", 8 * MiB, fmt="qcow2")
        r.stop()
        r.start("vol-wipe-zeroed")
        with self.assertRaises(libvirt().libvirtError):
            vol(r, "q").wipe(0)
        r.close()
        self.assertEqual(r.sd.wait(20), -9)
        r.start()
        info = qemu_img_info(os.path.join(r.path("kp"), "q"))
        self.assertEqual((info["format"], info["virtual-size"]), ("qcow2", 8 * MiB))
        self.assertEqual(vol(r, "q").info()[1], 8 * MiB)
        self.assertEqual(mvstorage.partial_files(r.path("kp")), [])

    def test_no_qemu_img_outlives_the_daemon(self):
        """Killed while qemu-img makes a LUKS volume (its key derivation takes
        about two seconds): qemu-img dies with the daemon, so it cannot leave
        an in-progress file behind the restart's cleanup or change a volume
        the restarted daemon already listed."""
        r = self.new_root()
        r.start()
        r.define_pool("kp")
        r.define_secret(U1, b"passphrase")
        r.stop()
        r.start("vol-partial")
        xml = ("<volume><name>lk</name><capacity unit='bytes'>%d</capacity><target>"
               "<format type='raw'/><encryption format='luks'><secret type='passphrase' "
               "uuid='%s'/></encryption></target></volume>" % (16 * MiB, U1))
        with self.assertRaises(libvirt().libvirtError):
            pool(r, "kp").createXML(xml, 0)
        r.close()
        self.assertEqual(r.sd.wait(20), -9)

        def live_qemu_img():
            found = []
            for pid in filter(str.isdigit, os.listdir("/proc")):
                try:
                    with open("/proc/%s/cmdline" % pid, "rb") as f:
                        cmd = f.read()
                except OSError:
                    continue
                if b"qemu-img" in cmd and r.root.encode() in cmd and \
                        mvtest.proc_state(int(pid)) not in (None, "Z", "X"):
                    found.append(int(pid))
            return found

        left = mvtest.wait_for(lambda: not live_qemu_img(), 1.0)
        orphans = live_qemu_img()
        for pid in orphans:
            os.kill(pid, 9)
        self.assertTrue(left, "qemu-img %s outlived the killed daemon" % orphans)
        r.start()
        r.check("after a kill in a LUKS create")

    def test_zeroed_delete_killed_keeps_no_broken_volume(self):
        """Killed while a zeroing delete zeroes a qcow2 volume: the volume is
        gone after the restart, never listed as a zeroed raw file."""
        r = self.new_root()
        r.start()
        r.define_pool("kp")
        r.create_vol("kp", "q", 8 * MiB, fmt="qcow2")
        r.stop()
        r.start("vol-delete-zeroed")
        with self.assertRaises(libvirt().libvirtError):
            vol(r, "q").delete(VOL_DELETE_ZEROED)
        r.close()
        self.assertEqual(r.sd.wait(20), -9)
        r.start()
        names = [v.name() for v in pool(r, "kp").listAllVolumes(0)]
        self.assertNotIn("q", names, "a half-deleted volume is listed")
        self.assertEqual(mvstorage.partial_files(r.path("kp")), [])
        r.check("after a kill in a zeroing delete")

    def test_random_kills(self):
        rounds = int(os.environ.get("MV_KILLANY_KILLS", "50"))
        seed = int(os.environ.get("MV_KILLANY_SEED", str(random.randrange(1 << 30))))
        rng = random.Random(seed)
        print("# test_random_kills: seed %d, %d rounds" % (seed, rounds), file=sys.stderr)
        r = self.new_root()
        r.start()
        setup_pools(r)
        r.define_secret(U1, b"v0")
        last_value = [b"v0"]
        for rnd in range(rounds):
            where = "round %d of seed %d" % (rnd, seed)
            stop = threading.Event()
            done = []
            conn = libvirt().open(r.sd.uri)

            broken = []

            def worker():
                n = 0
                while not stop.is_set():
                    n += 1
                    try:
                        self.random_op(conn, r, rng, n, last_value)
                        done.append(n)
                    except libvirt().libvirtError:
                        if not r.sd.running() or not conn.isAlive():
                            break
                    except Exception as e:      # a bug of the test: never hide it
                        broken.append(e)
                        break

            th = threading.Thread(target=worker)
            th.start()
            time.sleep(rng.uniform(0.02, 0.4))
            r.close()
            r.sd.kill9()
            mvkillany.remove_sockets(r.sd)
            stop.set()
            th.join(30)
            self.assertFalse(th.is_alive(), "the client thread hangs on a killed daemon")
            self.assertEqual(broken, [], where)
            try:
                conn.close()
            except Exception:
                pass
            print("# %s: %d calls succeeded before the kill" % (where, len(done)),
                  file=sys.stderr)
            r.start()
            r.check(where)
            for uuid, vals in r.secret_values.items():
                # what it holds now is the old value of the next round
                cur = None
                try:
                    cur = r.conn.secretLookupByUUIDString(uuid).value(0)
                except libvirt().libvirtError:
                    pass
                r.secret_values[uuid] = {cur}
                last_value[0] = cur
        print("# test_random_kills: %d kills" % rounds, file=sys.stderr)

    def random_op(self, conn, r, rng, n, last_value):
        p = conn.storagePoolLookupByName("kp")
        names = [v.name() for v in p.listAllVolumes(0)]
        choice = rng.choice(["create", "create", "qcow2", "clone", "delete", "resize",
                             "wipe", "secret", "autostart", "pool"])
        if len(names) > 12:
            choice = "delete"       # keeps the rounds' checks short
        name = "r%d-%d" % (n, rng.randrange(1000))
        if choice == "create":
            r.vol_formats[name] = "raw"
            p.createXML(mvstorage.vol_xml(name, rng.choice([1, 4, 8]) * MiB), 0)
        elif choice == "qcow2":
            r.vol_formats[name] = "qcow2"
            p.createXML(mvstorage.vol_xml(name, 32 * MiB, fmt="qcow2"), 0)
        elif choice == "clone" and names:
            r.vol_formats[name] = "raw"
            src = p.storageVolLookupByName(rng.choice(names))
            p.createXMLFrom(mvstorage.vol_xml(name, src.info()[1]), src, 0)
        elif choice == "delete" and len(names) > 2:
            p.storageVolLookupByName(rng.choice(names)).delete(rng.choice([0, 1]))
        elif choice == "resize" and names:
            v = p.storageVolLookupByName(rng.choice(names))
            v.resize(v.info()[1] + MiB, 0)
        elif choice == "wipe" and names:
            p.storageVolLookupByName(rng.choice(names)).wipe(0)
        elif choice == "secret":
            value = b"v%d" % rng.randrange(1 << 30)
            r.secret_values[U1] = {last_value[0], value}
            conn.secretLookupByUUIDString(U1).setValue(value, 0)
            last_value[0] = value
            r.secret_values[U1] = {value}
        elif choice == "autostart":
            conn.storagePoolLookupByName("np").setAutostart(rng.choice([0, 1]))
        elif choice == "pool":
            # the life of a second pool: define, build, start, destroy, delete, undefine
            try:
                xp = conn.storagePoolLookupByName("xp")
            except libvirt().libvirtError:
                xp = conn.storagePoolDefineXML(mvstorage.dir_pool_xml("xp", r.path("xp")), 0)
            if xp.isActive():
                xp.destroy()
            elif not os.path.isdir(r.path("xp")):
                xp.build(0)
            elif rng.random() < 0.5:
                xp.create(0)
            elif rng.random() < 0.5:
                xp.delete(0)
            else:
                xp.undefine()


FS_POINTS = [
    # point, pool active before the call, the call
    ("pool-start-started", False, lambda p: p.create(0)),
    ("pool-start-status", False, lambda p: p.create(0)),
    ("pool-stop-stopped", True, lambda p: p.destroy()),
    ("pool-stop-status", True, lambda p: p.destroy()),
]
BUILD_NO_OVERWRITE = 4


class FsKillAnywhere(unittest.TestCase):
    """An fs pool (ext4 on a loop-attached image, in the script's private
    mount namespace) killed in its start and stop: afterwards it is active
    and mounted once, or inactive with nothing mounted and no loop device."""

    def setUp(self):
        mvtest.require_python_libvirt()
        if not os.path.exists("/dev/loop-control") or not shutil.which("mkfs.ext4"):
            self.skipTest("needs loop devices (/dev/loop-control) and mkfs.ext4")
        self.r = Root(self)
        self.img = self.r.path("fs.img")
        self.mnt = self.r.path("mnt")

    def tearDown(self):
        try:
            if self.r.sd.running() and self.r.conn is not None:
                try:
                    self.r.conn.storagePoolLookupByName("fsp").destroy()
                except libvirt().libvirtError:
                    pass
            while mvstorage.mount_count(self.mnt):
                subprocess.run(["umount", self.mnt], check=False)
            for dev in mvstorage.loop_devices_of(self.img):
                subprocess.run(["losetup", "-d", dev], check=False)
        finally:
            self.r.cleanup()

    def check_fs(self, where):
        p = self.r.conn.storagePoolLookupByName("fsp")
        if p.isActive():
            self.assertEqual(mvstorage.mount_count(self.mnt), 1, "active, mounted " + where)
            self.assertIn("v1", [v.name() for v in p.listAllVolumes(0)], where)
        else:
            self.assertEqual(mvstorage.mount_count(self.mnt), 0,
                             "inactive but still mounted " + where)
            self.assertEqual(mvstorage.loop_devices_of(self.img), [],
                             "inactive but its image still attached " + where)
        self.r.check(where)

    def test_kill_in_fs_start_and_stop(self):
        with open(self.img, "wb") as f:
            f.truncate(64 * MiB)
        os.makedirs(self.mnt)
        r = self.r
        r.start()
        p = r.conn.storagePoolDefineXML(
            "<pool type='fs'><name>fsp</name><source><device path='%s'/>"
            "<format type='ext4'/></source><target><path>%s</path></target></pool>\n"
            % (self.img, self.mnt), 0)
        p.build(BUILD_NO_OVERWRITE)
        p.create(0)
        r.create_vol("fsp", "v1", MiB)
        p.destroy()
        for point, active, op in FS_POINTS:
            with self.subTest(point=point):
                p = r.conn.storagePoolLookupByName("fsp")
                if bool(p.isActive()) != active:
                    (p.create if active else p.destroy)(*([0] if active else []))
                r.stop()
                r.start(point)
                with self.assertRaises(libvirt().libvirtError):
                    op(r.conn.storagePoolLookupByName("fsp"))
                r.close()
                self.assertEqual(r.sd.wait(20), -9, "the daemon did not die at " + point)
                r.start()
                self.check_fs("after a kill at " + point)


if __name__ == "__main__":
    mvstorage.enter_private_mountns()
    mvstorage.require_storaged()
    mvtest.require_python_libvirt()
    mvtest.main()
