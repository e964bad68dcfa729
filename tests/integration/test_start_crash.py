"""A daemon killed in the middle of `start` leaves no QEMU it does not know about.

* Deterministic: MV_TEST_CRASH_AT=<point> (a test-only fault point in the start
  path) makes modvirt-qemud SIGKILL itself at that point of a start, for every
  point in the sequence.  A daemon restarted on the same root must then show
  the guest either running with the very same QEMU (adopted: only once the
  start was recorded as complete) or shut off with no QEMU left for it, with
  no stale status file, pidfile or monitor socket; a following start works
  and runs exactly one QEMU for the guest.
* Random: SIGKILL of the daemon at random delays during `virsh start` (seed
  printed, MV_TEST_SEED to replay), the same invariants after each restart.

Only QEMUs whose command line names this test's root are ever counted or
killed.  PID 1 here reaps orphans late: a process is gone when /proc/PID/stat
says Z or it has vanished, never by kill(pid, 0).
"""

import os
import random
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
from mvtest import virsh, domstate  # noqa: E402

# The fault points of a start, in the order the daemon passes them.
POINTS = ["before-spawn", "after-fork", "before-exec", "after-exec", "after-qmp",
          "after-setup", "after-cont", "after-status"]
# From this point on the start is recorded as complete: the guest is adopted.
ADOPTED_FROM = "after-status"


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().split(b"\0")
    except OSError:
        return []


def processes_under(root, exclude=()):
    """Live processes (any program) whose command line names a path under root."""
    needle = (root.rstrip("/") + "/").encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in exclude or int(entry) == os.getpid():
            continue
        argv = cmdline(int(entry))
        if any(needle in a or a == needle[:-1] for a in argv) and mvtest.pid_alive(int(entry)):
            found.append(int(entry))
    return sorted(found)


class StartCrash(unittest.TestCase):

    def setUp(self):
        self.d = mvtest.GuestDaemon().start()
        self.root = self.d.root
        self.rundir = os.path.join(self.root, "run", "qemu")
        self.owner = self.d

    def tearDown(self):
        self.d.stop()
        self.owner.cleanup()
        mvtest.cgroup_remove_all(self.root)

    def ok(self, *args):
        return virsh(self.d.uri, *args, check=True, timeout=60)

    def restart(self, env=None):
        self.d.stop()
        self.d = mvtest.GuestDaemon(root=self.root, env=env).start()

    def define(self, name):
        path = mvtest.write_file(os.path.join(self.root, name + ".in.xml"),
                                 mvtest.firmware_guest_xml(name))
        self.ok("define", path)
        return path

    def qemus(self):
        return mvtest.qemu_processes(self.root.rstrip("/") + "/")

    def assert_no_strays(self, adopted=None):
        """Nothing but the daemon (and an adopted QEMU) runs under the root (a
        forked child that never got to exec QEMU exits by itself: give it time)."""
        mine = (self.d.pid, adopted)
        left = mvtest.wait_for(lambda: not processes_under(self.root, mine), 15, 0.05)
        self.assertTrue(left, "processes left under the root: %s" % [
            b" ".join(cmdline(p))[:200] for p in processes_under(self.root, mine)])

    def assert_recovered(self, name, transient, before):
        """The guest after a restart: adopted (returns its pid) or shut off/gone (None)."""
        res = virsh(self.d.uri, "domstate", name)
        if res.returncode != 0:
            self.assertTrue(transient, "persistent guest %s vanished: %s" % (name, res.stderr))
            state = "gone"
        else:
            state = res.stdout.strip()
        files = sorted(os.listdir(self.rundir))
        if state in ("running", "paused"):
            pid = mvtest.status_pid(self.root, name)
            self.assertEqual(self.qemus(), [pid], "exactly the adopted QEMU runs")
            self.assertIn(pid, before, "the QEMU from before the crash was adopted")
            self.assertEqual(len(files), 3, files)   # status, pidfile, monitor socket
            self.assertIn(name + ".xml", files)
            self.assertNotIn("phase='starting'", mvtest.read_text(
                os.path.join(self.rundir, name + ".xml")))
            return pid
        self.assertTrue(state == "gone" or state.startswith("shut off"), state)
        for pid in before:
            self.assertFalse(mvtest.pid_alive(pid), "QEMU %d of the unfinished start survived"
                             % pid)
        self.assertEqual(self.qemus(), [], "no QEMU left for the guest")
        self.assertEqual(files, [], "stale files in run/qemu")
        self.assertEqual(mvtest.cgroup_leftovers(self.root), [], "the guest's cgroups stayed")
        return None

    def start_again(self, name, path, transient):
        """A later start works and runs exactly one QEMU; destroy leaves nothing."""
        if transient:
            self.ok("create", path)
        else:
            self.ok("start", name)
        pid = mvtest.status_pid(self.root, name)
        self.assertEqual(mvtest.qemu_processes_of(name, self.d.root), [pid])
        self.assertEqual(self.qemus(), [pid])
        self.ok("destroy", name)
        self.assertTrue(mvtest.wait_pid_gone(pid, 15))
        self.assertEqual(os.listdir(self.rundir), [])
        self.assertEqual(mvtest.cgroup_leftovers(self.root), [])

    def crash_at(self, point, name, transient):
        path = mvtest.write_file(os.path.join(self.root, name + ".in.xml"),
                                 mvtest.firmware_guest_xml(name))
        if not transient:
            self.ok("define", path)
        self.restart(env={"MV_TEST_CRASH_AT": point})
        res = virsh(self.d.uri, "create" if transient else "start", path if transient else name,
                    timeout=60)
        self.assertEqual(self.d.wait(30), -9, "the daemon did not stop at %s: %s%s"
                         % (point, res.stdout, res.stderr))
        self.assertNotEqual(res.returncode, 0, "the start reported success")
        before = self.qemus()
        if POINTS.index(point) >= POINTS.index("after-exec"):
            self.assertEqual(len(before), 1, "one QEMU runs after %s" % point)
        self.restart()
        adopted = self.assert_recovered(name, transient, before)
        if POINTS.index(point) >= POINTS.index(ADOPTED_FROM):
            self.assertIsNotNone(adopted, "a completed start is adopted")
            self.assertEqual(domstate(self.d.uri, name), "running")
            self.ok("suspend", name)          # the monitor was reconnected
            self.assertEqual(domstate(self.d.uri, name), "paused")
            self.ok("destroy", name)
            self.assertTrue(mvtest.wait_pid_gone(adopted, 15))
            self.assertEqual(os.listdir(self.rundir), [])
        else:
            self.assertIsNone(adopted, "an unfinished start is undone")
        self.assert_no_strays()
        self.start_again(name, path, transient)

    def test_crash_at_each_point(self):
        for point in POINTS:
            with self.subTest(point=point):
                self.crash_at(point, "p-" + point, transient=False)

    def test_crash_at_each_point_transient(self):
        for point in POINTS:
            with self.subTest(point=point):
                self.crash_at(point, "t-" + point, transient=True)

    def test_orphan_found_by_pidfile(self):
        """A QEMU with a pidfile under run/qemu but no status file is killed too."""
        path = self.define("orphan")
        self.restart(env={"MV_TEST_CRASH_AT": "after-setup"})
        virsh(self.d.uri, "start", "orphan", timeout=60)
        self.assertEqual(self.d.wait(30), -9)
        before = self.qemus()
        self.assertEqual(len(before), 1)
        os.unlink(os.path.join(self.rundir, "orphan.xml"))
        self.assertTrue(any(f.endswith(".pid") for f in os.listdir(self.rundir)))
        self.restart()
        self.assertIsNone(self.assert_recovered("orphan", False, before))
        self.assert_no_strays()
        self.start_again("orphan", path, False)

    def test_random_kills(self):
        seed = int(os.environ.get("MV_TEST_SEED", random.randrange(1 << 30)))
        rnd = random.Random(seed)
        rounds = 12
        print("\nseed %d (MV_TEST_SEED to replay), %d rounds" % (seed, rounds))
        self.define("rnd")
        outcomes = {"adopted": 0, "undone": 0}
        for i in range(rounds):
            delay = rnd.uniform(0.0, 0.35)
            with self.subTest(round=i, delay=delay):
                cmd = ["virsh", "-c", self.d.uri, "start", "rnd"]
                starter = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                           env=dict(os.environ, LC_ALL="C"))
                time.sleep(delay)
                self.d.kill9()
                starter.wait(60)
                before = self.qemus()
                self.assertLessEqual(len(before), 1, before)
                self.restart()
                adopted = self.assert_recovered("rnd", False, before)
                self.assert_no_strays(adopted)
                outcomes["adopted" if adopted else "undone"] += 1
                if adopted:
                    self.ok("destroy", "rnd")
                    self.assertTrue(mvtest.wait_pid_gone(adopted, 15))
                self.start_again("rnd", None, False)
        print("outcomes: %s" % outcomes)


if __name__ == "__main__":
    mvtest.require_qemu()
    mvtest.require_daemon()
    mvtest.main()
