"""Crash safety of modvirt-qemud (firmware-only guests).

* SIGKILL the daemon while guests run, kill some of the guests' QEMUs while it
  is down, restart it on the same root: the survivors are running with the
  same ids and still manageable, the killed persistent guest is shut off, the
  killed transient guest is gone.
* Rounds of a define/redefine/undefine storm from two connections, each
  ended by a SIGKILL aimed (inotify) at a definition being written: right
  after the kill every definition file parses and holds an acknowledged or
  the in-flight generation; after the restart every acknowledged define is
  there, every acknowledged undefine is gone, no temporary file is left.
  Fixed seed, printed; MV_TEST_SEED and MV_TEST_STORM_ROUNDS override.
* A start that fails (bad kernel path, missing disk, unknown machine) leaves
  no QEMU process, no socket and no status file behind.

PID 1 here reaps orphans late: a killed QEMU is "gone" once /proc/PID/stat
says Z (or it has vanished), never by kill(pid, 0).
"""

import os
import random
import sys
import threading
import time
import unittest
import uuid as uuidlib
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
from mvtest import virsh, domstate  # noqa: E402

libvirt = None

DEFAULT_SEED = 20240611
STORM_ROUNDS = 12
# A large description makes each definition write take long enough for a
# SIGKILL aimed at the file's opening to land inside it.
STORM_FILLER = "x" * (2 * 1024 * 1024)


def storm_xml(name, gen):
    """Definition generation GEN of NAME (fixed uuid, so a redefine updates it)."""
    uuid = str(uuidlib.uuid5(uuidlib.NAMESPACE_URL, "modvirt-storm/" + name))
    return mvtest.firmware_guest_xml(name, uuid=uuid).replace(
        "<memory", "<description>gen%d:%s</description>\n  <memory" % (gen, STORM_FILLER), 1)


class DirWatcher:
    """inotify on one directory (ctypes, no extra module): wait for a file in it
    to be opened or created."""

    IN_OPEN = 0x20
    IN_CREATE = 0x100
    IN_ISDIR = 0x40000000

    def __init__(self, path):
        import ctypes
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.fd = self.libc.inotify_init1(os.O_CLOEXEC | os.O_NONBLOCK)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")
        if self.libc.inotify_add_watch(self.fd, path.encode(),
                                       self.IN_OPEN | self.IN_CREATE) < 0:
            raise OSError(ctypes.get_errno(), "inotify_add_watch %s" % path)

    def drain(self):
        try:
            while os.read(self.fd, 65536):
                pass
        except BlockingIOError:
            pass

    def wait_open(self, timeout):
        """True as soon as a file (not the directory itself) is opened or created."""
        import select
        import struct
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r, _, _ = select.select([self.fd], [], [], deadline - time.monotonic())
            if not r:
                break
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                continue
            pos = 0
            while pos + 16 <= len(data):
                _, mask, _, length = struct.unpack_from("iIII", data, pos)
                pos += 16 + length
                if length and not mask & self.IN_ISDIR:
                    return True
        return False

    def close(self):
        os.close(self.fd)


def names(uri, *flags):
    res = virsh(uri, "list", "--name", *flags, check=True)
    return sorted(l.strip() for l in res.stdout.splitlines() if l.strip())


class CrashRecovery(unittest.TestCase):

    def setUp(self):
        self.owner = mvtest.GuestDaemon().start()
        self.d = self.owner
        self.uri = self.d.uri
        self.root = self.d.root

    def tearDown(self):
        if self.d.running():
            for n in names(self.uri):
                virsh(self.uri, "destroy", n)
        self.d.stop()
        self.owner.cleanup()

    def restart(self):
        self.d = mvtest.GuestDaemon(root=self.root).start()
        return self.d

    def ok(self, *args):
        return virsh(self.uri, *args, check=True, timeout=60)

    def xml_file(self, name):
        return mvtest.write_file(os.path.join(self.root, name + ".in.xml"),
                                 mvtest.firmware_guest_xml(name))

    def test_guests_survive_daemon_kill(self):
        for n in ("keep-p", "dead-p", "off-p"):
            self.ok("define", self.xml_file(n))
        self.ok("start", "keep-p")
        self.ok("start", "dead-p")
        self.ok("create", self.xml_file("keep-t"))
        self.ok("create", self.xml_file("dead-t"))
        self.ok("suspend", "keep-t")
        ids = {n: self.ok("domid", n).stdout.strip() for n in ("keep-p", "keep-t", "dead-p",
                                                               "dead-t")}
        uuids = {n: self.ok("domuuid", n).stdout.strip() for n in ids}
        pids = {n: mvtest.status_pid(self.root, n) for n in ids}
        for n, pid in pids.items():
            self.assertEqual(mvtest.qemu_processes_of(n, self.root), [pid], n)

        self.d.kill9()
        for n in ("dead-p", "dead-t"):
            os.kill(pids[n], 9)
        for n in ("dead-p", "dead-t"):
            self.assertTrue(mvtest.wait_pid_gone(pids[n], 15), "QEMU of %s did not die" % n)
        self.assertTrue(mvtest.pid_alive(pids["keep-p"]))
        self.assertTrue(mvtest.pid_alive(pids["keep-t"]))

        self.restart()
        self.assertEqual(names(self.uri, "--all"), ["dead-p", "keep-p", "keep-t", "off-p"])
        self.assertEqual(domstate(self.uri, "keep-p", reason=True), "running (booted)")
        self.assertEqual(domstate(self.uri, "keep-t"), "paused")
        for n in ("keep-p", "keep-t"):
            self.assertEqual(self.ok("domid", n).stdout.strip(), ids[n], n)
            self.assertEqual(self.ok("domuuid", n).stdout.strip(), uuids[n], n)
            self.assertEqual(mvtest.qemu_processes_of(n, self.root), [pids[n]],
                             "same QEMU for " + n)
        self.assertEqual(names(self.uri, "--transient"), ["keep-t"])
        self.assertTrue(domstate(self.uri, "dead-p").startswith("shut off"))
        self.assertEqual(self.ok("domid", "dead-p").stdout.strip(), "-")
        self.assertFalse(os.path.exists(os.path.join(self.root, "run", "qemu", "dead-p.xml")),
                         "the status file of the dead guest was removed")
        self.assertFalse(os.path.exists(os.path.join(self.root, "run", "qemu", "dead-t.xml")))
        res = virsh(self.uri, "dominfo", "dead-t")
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("failed to get domain 'dead-t'", res.stderr)
        self.assertEqual(domstate(self.uri, "off-p"), "shut off")

        # the survivors are manageable through the reconnected monitors
        self.ok("suspend", "keep-p")
        self.assertEqual(domstate(self.uri, "keep-p"), "paused")
        self.ok("resume", "keep-p")
        self.ok("resume", "keep-t")
        self.assertEqual(domstate(self.uri, "keep-t"), "running")
        self.assertIn("<domain type=", self.ok("dumpxml", "keep-p").stdout)
        # a new guest never reuses a live id
        self.ok("start", "dead-p")
        new_id = self.ok("domid", "dead-p").stdout.strip()
        self.assertNotIn(new_id, (ids["keep-p"], ids["keep-t"]))
        self.ok("destroy", "dead-p")
        self.ok("destroy", "keep-p")
        self.ok("destroy", "keep-t")
        self.assertEqual(names(self.uri, "--all"), ["dead-p", "keep-p", "off-p"])
        for n in ("keep-p", "keep-t"):
            self.assertTrue(mvtest.wait_pid_gone(pids[n], 15), "QEMU of %s still runs" % n)
        self.assertEqual(os.listdir(os.path.join(self.root, "run", "qemu")), [])

    def test_events_after_recovery(self):
        """A guest that stops after the restart is noticed (monitor reattached)."""
        self.ok("define", self.xml_file("ev-p"))
        self.ok("start", "ev-p")
        pid = mvtest.status_pid(self.root, "ev-p")
        self.d.kill9()
        self.restart()
        self.assertEqual(domstate(self.uri, "ev-p"), "running")
        os.kill(pid, 9)
        self.assertTrue(mvtest.wait_pid_gone(pid, 15))
        ok = mvtest.wait_for(lambda: domstate(self.uri, "ev-p").startswith("shut off"), 20, 0.2)
        self.assertTrue(ok, "state after its QEMU died: %s" % domstate(self.uri, "ev-p", True))
        self.assertFalse(os.path.exists(os.path.join(self.root, "run", "qemu", "ev-p.xml")))

    def test_define_storm(self):
        """Rounds of defines, redefines and undefines from two connections, each
        round ended by a SIGKILL aimed at the moment the daemon opens a file in
        etc/qemu (inotify), i.e. while it writes a definition."""
        seed = int(os.environ.get("MV_TEST_SEED", DEFAULT_SEED))
        rounds = int(os.environ.get("MV_TEST_STORM_ROUNDS", STORM_ROUNDS))
        print("\ndefine storm: seed %d (MV_TEST_SEED), %d rounds (MV_TEST_STORM_ROUNDS)"
              % (seed, rounds))
        rnd = random.Random(seed)
        etc = os.path.join(self.root, "etc", "qemu")
        # name -> generation on disk, as acknowledged (0: undefined / never defined)
        acked = {}
        for rno in range(rounds):
            with self.subTest(round=rno):
                pending, during_write = self.storm_round(rnd, acked, etc)
                self.check_storm_disk(etc, acked, pending, rno)
                self.restart()
                self.check_storm_daemon(etc, acked, pending)
                # the undecided operations are decided now: what the daemon shows
                for name, _ in pending.items():
                    acked[name] = self.generation_on_disk(etc, name)
                print("round %d: %d defined, kill %s" % (rno, sum(1 for g in acked.values() if g),
                      "while a file was open" if during_write else "after the operations"))
        # the daemon works normally afterwards
        self.ok("define", self.xml_file("after"))
        self.ok("undefine", "after")

    def storm_round(self, rnd, acked, etc):
        """One round: returns ({name: generation in flight or 0 for an undefine},
        whether the kill was triggered by a file being opened)."""
        threads_n = 2
        names_per_thread = 5
        seeds = [rnd.randrange(1 << 30) for _ in range(threads_n)]
        arm_after = rnd.randrange(1, 6)         # acknowledged defines per thread first
        delay_us = rnd.randrange(0, 1500)       # from the open to the SIGKILL
        pending = {}
        acks = [0] * threads_n
        lock = threading.Lock()
        stop = threading.Event()

        def storm(tno):
            trnd = random.Random(seeds[tno])
            try:
                conn = libvirt.open(self.uri)
            except libvirt.libvirtError as e:
                errors.append("thread %d cannot connect: %s" % (tno, e))
                return
            try:
                for _ in range(400):
                    if stop.is_set():
                        return
                    name = "storm%d-%d" % (tno, trnd.randrange(names_per_thread))
                    gen = acked.get(name, 0)
                    if gen and trnd.random() < 0.3:
                        pending[name] = 0
                        try:
                            conn.lookupByName(name).undefine()
                        except libvirt.libvirtError:
                            return          # killed: the undefine is undecided
                        acked[name] = 0
                        del pending[name]
                    else:
                        pending[name] = gen + 1
                        try:
                            conn.defineXML(storm_xml(name, gen + 1))
                        except libvirt.libvirtError:
                            return
                        acked[name] = gen + 1
                        del pending[name]
                        with lock:
                            acks[tno] += 1
            finally:
                try:
                    conn.close()
                except libvirt.libvirtError:
                    pass

        errors = []
        watcher = DirWatcher(etc)
        threads = [threading.Thread(target=storm, args=(i,)) for i in range(threads_n)]
        for t in threads:
            t.start()
        armed = mvtest.wait_for(lambda: min(acks) >= arm_after or
                                not all(t.is_alive() for t in threads), 60, 0.001)
        during_write = False
        if armed and all(t.is_alive() for t in threads):
            watcher.drain()
            during_write = watcher.wait_open(30)
            deadline = time.perf_counter() + delay_us / 1e6
            while time.perf_counter() < deadline:
                pass
        self.d.kill9()
        watcher.close()
        stop.set()
        for t in threads:
            t.join(60)
            self.assertFalse(t.is_alive())
        self.assertEqual(errors, [])
        # every round acknowledged defines before the kill (else it tests nothing)
        self.assertGreaterEqual(min(acks), 1, "acknowledged defines per thread: %s" % acks)
        return pending, during_write

    def generation_on_disk(self, etc, name):
        path = os.path.join(etc, name + ".xml")
        if not os.path.exists(path):
            return 0
        return int(ET.parse(path).getroot().findtext("description").split(":")[0][3:])

    def check_storm_disk(self, etc, acked, pending, rno):
        """Right after the kill, before any restart: every definition file parses
        (a truncated or half-written file fails), holds the acknowledged
        generation or the one in flight."""
        for f in sorted(os.listdir(etc)):
            path = os.path.join(etc, f)
            if not f.endswith(".xml") or not os.path.isfile(path):
                continue
            try:
                root = ET.parse(path).getroot()
            except ET.ParseError as e:
                self.fail("round %d: %s (%d bytes) does not parse after SIGKILL: %s"
                          % (rno, f, os.path.getsize(path), e))
            self.assertEqual(root.tag, "domain")
            self.assertEqual(root.findtext("name") + ".xml", f)
        for name, gen in acked.items():
            ok = {gen} | ({pending[name]} if name in pending else set())
            self.assertIn(self.generation_on_disk(etc, name), ok,
                          "round %d: %s on disk is not an acknowledged or in-flight "
                          "generation" % (rno, name))
        for name, gen in pending.items():
            self.assertIn(self.generation_on_disk(etc, name), {gen, acked.get(name, 0)}, name)

    def check_storm_daemon(self, etc, acked, pending):
        """After the restart: acknowledged defines are listed, acknowledged
        undefines are gone, nothing else appeared, no temp file is left."""
        listed = set(names(self.uri, "--all"))
        want = {n for n, g in acked.items() if g and n not in pending}
        gone = {n for n, g in acked.items() if not g and n not in pending}
        self.assertLessEqual(want, listed, "lost acknowledged definitions: %s"
                             % sorted(want - listed))
        self.assertFalse(gone & listed, "acknowledged undefines are back: %s"
                         % sorted(gone & listed))
        self.assertLessEqual(listed, set(acked) | set(pending), listed)
        files = sorted(os.listdir(etc))
        self.assertEqual([f for f in files if not f.endswith(".xml") and f != "autostart"], [],
                         "temporary files left in etc/qemu after the restart")
        self.assertEqual(sorted(f[:-4] for f in files if f.endswith(".xml")), sorted(listed),
                         "listed domains == definition files")

    def assert_nothing_left(self, name):
        self.assertEqual(mvtest.qemu_processes_of(name, self.root), [], "QEMU left running")
        rundir = os.path.join(self.root, "run", "qemu")
        left = os.listdir(rundir) if os.path.isdir(rundir) else []
        self.assertEqual(left, [], "left in run/qemu: %s" % left)
        self.assertTrue(domstate(self.uri, name).startswith("shut off"))
        self.assertEqual(self.ok("domid", name).stdout.strip(), "-")

    def test_failed_starts_leave_nothing(self):
        cases = {
            "bad-kernel": ("</type>", "</type><kernel>/nonexistent/vmlinuz</kernel>",
                           "/nonexistent/vmlinuz"),
            "bad-machine": ("machine='pc'", "machine='nosuch-machine'", "nosuch-machine"),
            "bad-disk": ("<devices>", "<devices><disk type='file' device='disk'>"
                         "<driver name='qemu' type='qcow2'/>"
                         "<source file='/nonexistent/disk.qcow2'/>"
                         "<target dev='vda' bus='virtio'/></disk>", "/nonexistent/disk.qcow2"),
        }
        for name, (old, new, needle) in cases.items():
            with self.subTest(case=name):
                xml = mvtest.firmware_guest_xml(name).replace(old, new)
                self.ok("define", mvtest.write_file(os.path.join(self.root, name + ".xml"), xml))
                res = virsh(self.uri, "start", name)
                self.assertNotEqual(res.returncode, 0)
                self.assertIn("error: Failed to start domain '%s'" % name, res.stderr)
                self.assertIn(needle, res.stderr)
                self.assert_nothing_left(name)
                # transient: the failed create leaves no domain at all
                tname = name + "-t"
                res = virsh(self.uri, "create", mvtest.write_file(
                    os.path.join(self.root, tname + ".xml"), xml.replace(
                        "<name>%s</name>" % name, "<name>%s</name>" % tname)))
                self.assertNotEqual(res.returncode, 0)
                self.assertIn(needle, res.stderr)
                self.assertNotIn(tname, names(self.uri, "--all"))
                self.assertEqual(mvtest.qemu_processes_of(tname, self.root), [])
        # a good guest still starts afterwards
        self.ok("define", self.xml_file("good"))
        self.ok("start", "good")
        self.ok("destroy", "good")
        self.assertEqual(os.listdir(os.path.join(self.root, "run", "qemu")), [])


if __name__ == "__main__":
    mvtest.require_qemu()
    mvtest.require_python_libvirt()
    mvtest.require_daemon()
    import libvirt  # noqa: F811
    libvirt.registerErrorHandler(lambda ctx, err: None, None)  # errors are asserted
    mvtest.main()
