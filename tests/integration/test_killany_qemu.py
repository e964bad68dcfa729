"""modvirt-qemud SIGKILLed at 50 random moments of a client storm.

Two client threads (own connections, own domains: two each, firmware-only
guests) define, redefine, undefine, create (transient), start and destroy
domains and attach and detach a disk to their persistent definitions
(--config), while the daemon is SIGKILLed after a random delay (20-400 ms)
and restarted, MV_KILLANY_KILLS times (default 50; seed printed,
MV_KILLANY_SEED repeats it).  After each restart (mvkillany.py):

- every domain is in its acknowledged state (persistent, running, its
  generation, the disk in its definition) or in the state of a call cut by
  the kill: all of it or nothing;
- the definitions on disk (etc/qemu) are exactly the persistent domains and
  parse (the daemon lists them), status files (run/qemu) exactly the running
  ones, no temp file;
- each running domain has exactly one QEMU (the one its status names), no
  QEMU runs for anything else (nothing leaked, nothing duplicated), and no
  monitor socket or pidfile is left of a domain that does not run;
- the first call after the restart is served.
"""

import glob
import os
import re
import sys
import time
import unittest
import uuid as uuidlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import mvkillany as ka  # noqa: E402
from mvkillany import ABSENT  # noqa: E402

DOMS_PER_THREAD = 2
AFFECT_CONFIG = 2
XML_INACTIVE = 2


def dom_names(tno):
    return ["kq%d%d" % (tno, i) for i in range(DOMS_PER_THREAD)]


def dom_uuid(name):
    return str(uuidlib.uuid5(uuidlib.NAMESPACE_URL, "modvirt-killany/" + name))


def dom_xml(name, gen):
    return mvtest.firmware_guest_xml(name, uuid=dom_uuid(name)).replace(
        "<memory", "<description>gen%d</description>\n  <memory" % gen, 1)


def remove_cgroups(root):
    """Removes root's guest groups; a QEMU zombie PID 1 has not reaped yet keeps its
    group busy for a while."""
    def gone():
        mvtest.cgroup_remove_all(root)
        return not mvtest.cgroup_leftovers(root)
    mvtest.wait_for(gone, 15, 0.2)


class KillAnywhere(unittest.TestCase):

    def setUp(self):
        self.d = mvtest.GuestDaemon()
        # (after the cleanup, which kills the guests left running: their groups,
        # once PID 1 reaped those QEMUs)
        self.addCleanup(remove_cgroups, self.d.root)
        self.addCleanup(self.d.cleanup)
        self.model = ka.Model()
        self.seen = 0           # live objects found by the checks, all rounds
        self.pids = {}          # running domain -> its QEMU's pid at the last check
        self.gen = 0

    def disk_xml(self, name):
        return ("<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                "<source file='%s'/><target dev='vdb' bus='virtio'/></disk>"
                % os.path.join(self.d.root, name + ".img"))

    def next_gen(self):
        self.gen += 1
        return self.gen

    def op(self, conn, rng, tno):
        """State: (persistent, running, generation, disk in the definition)."""
        m, d = self.model, self.d
        name = rng.choice(dom_names(tno))
        state = m.get(name)

        def dom():
            return conn.lookupByName(name)

        if state == ABSENT:
            gen = self.next_gen()
            if rng.random() < 0.8:
                return m.change(name, (True, False, gen, False),
                                lambda: conn.defineXML(dom_xml(name, gen)), d, conn)
            return m.change(name, (False, True, gen, False),
                            lambda: conn.createXML(dom_xml(name, gen), 0), d, conn)
        persistent, running, gen, disk = state
        pick = rng.random()
        if not running:
            if pick < 0.35:
                return m.change(name, (True, True, gen, disk), lambda: dom().create(), d, conn)
            if pick < 0.5:
                return m.change(name, ABSENT, lambda: dom().undefine(), d, conn)
            if pick < 0.65:
                new = self.next_gen()
                return m.change(name, (True, False, new, False),
                                lambda: conn.defineXML(dom_xml(name, new)), d, conn)
        elif pick < 0.15:
            # (running guests stay longer than the others: most kills find some)
            return m.change(name, (True, False, gen, disk) if persistent else ABSENT,
                            lambda: dom().destroy(), d, conn)
        elif pick < 0.2 and persistent:
            return m.change(name, (False, True, gen, False), lambda: dom().undefine(), d, conn)
        if not persistent:
            if pick < 0.3:
                return m.change(name, ABSENT, lambda: dom().destroy(), d, conn)
            time.sleep(0.01)
            return False
        if disk:
            return m.change(name, (persistent, running, gen, False),
                            lambda: dom().detachDeviceFlags(self.disk_xml(name), AFFECT_CONFIG),
                            d, conn)
        return m.change(name, (persistent, running, gen, True),
                        lambda: dom().attachDeviceFlags(self.disk_xml(name), AFFECT_CONFIG),
                        d, conn)

    def check(self, where, conn):
        root = self.d.root
        found = {}
        running = []
        persistent = []
        for dom in conn.listAllDomains(0):
            name = dom.name()
            xml = dom.XMLDesc(XML_INACTIVE if dom.isPersistent() else 0)
            m = re.search(r"<description>gen(\d+)</description>", xml)
            self.assertIsNotNone(m, "%s: no generation in %s" % (where, xml))
            disk = bool(dom.isPersistent()) and "<target dev='vdb'" in xml
            found[name] = (bool(dom.isPersistent()), bool(dom.isActive()), int(m.group(1)),
                           disk)
            if dom.isActive():
                running.append(name)
            if dom.isPersistent():
                persistent.append(name)
                with open(os.path.join(root, "etc", "qemu", name + ".xml")) as f:
                    saved = f.read()
                self.assertIn("<description>gen%s</description>" % m.group(1), saved,
                              "%s: %s's file is not its definition" % (where, name))
        ka.check_allowed(self, self.model, found, where)
        etc = os.path.join(root, "etc", "qemu")
        run = os.path.join(root, "run", "qemu")

        def names(d):
            return sorted(os.path.basename(p)[:-4] for p in glob.glob(os.path.join(d, "*.xml")))

        self.assertEqual(names(etc), sorted(persistent), "definitions on disk, " + where)
        self.assertEqual(names(run), sorted(running), "status files, " + where)
        self.assertEqual(ka.temp_files(etc, run), [], "temp files left, " + where)
        pids = {}
        for name in running:
            pids[name] = mvtest.status_pid(root, name)
            self.assertEqual(mvtest.qemu_processes_of(name, root), [pids[name]],
                             "%s: the QEMU of %s" % (where, name))
            # reconnected, not restarted: a guest no call touched keeps its QEMU
            if name in self.pids and self.model.untouched(name):
                self.assertEqual(pids[name], self.pids[name],
                                 "%s: %s runs another QEMU" % (where, name))
        self.pids = pids
        gone = mvtest.wait_for(
            lambda: len(mvtest.qemu_processes(root.rstrip("/") + "/")) == len(running), 10)
        self.assertTrue(gone, "%s: QEMU processes %s for running domains %s"
                        % (where, mvtest.qemu_processes(root.rstrip("/") + "/"), running))
        # status, monitor socket, pidfile: only of running domains
        mine = set(running) | {dom_uuid(n) for n in running}
        for path in glob.glob(os.path.join(run, "*")):
            base = os.path.basename(path).split(".")[0]
            self.assertIn(base, mine, "%s: %s left of a domain that does not run"
                          % (where, path))
        self.seen += len(running)
        self.model.settle(found)

    def test_undefined_while_running_then_killed(self):
        """A running domain undefined (acknowledged: it runs on, transient), then
        the daemon SIGKILLed: the restart adopts its QEMU as the transient
        domain, never leaves it running unmanaged."""
        self.d.start()
        lv = ka.libvirt()
        conn = lv.open(self.d.uri)
        dom = conn.defineXML(dom_xml("ku", 1))
        dom.create()
        pid = mvtest.status_pid(self.d.root, "ku")
        dom.undefine()
        self.assertEqual((dom.isPersistent(), dom.isActive()), (0, 1))
        conn.close()
        self.d.kill9()
        self.d.start()
        conn = lv.open(self.d.uri)
        self.addCleanup(conn.close)
        self.assertEqual([(d.name(), d.isPersistent(), d.isActive())
                          for d in conn.listAllDomains(0)], [("ku", 0, 1)])
        self.assertEqual(mvtest.qemu_processes_of("ku", self.d.root), [pid])
        conn.lookupByName("ku").destroy()
        self.assertTrue(mvtest.wait_pid_gone(pid, 15))
        self.assertEqual(conn.listAllDomains(0), [])

    def test_transient_not_reconnected_is_gone(self):
        """A transient guest whose QEMU cannot be reconnected after a SIGKILL
        (seen when the kill cut its destroy; here its QMP socket is removed) is
        killed and gone, never listed as a shut-off transient domain."""
        self.d.start()
        lv = ka.libvirt()
        conn = lv.open(self.d.uri)
        conn.createXML(dom_xml("kt", 1), 0)
        pid = mvtest.status_pid(self.d.root, "kt")
        conn.close()
        self.d.kill9()
        for sock in glob.glob(os.path.join(self.d.root, "run", "qemu", "*.qmp")):
            os.unlink(sock)
        self.d.start()
        conn = lv.open(self.d.uri)
        self.addCleanup(conn.close)
        self.assertEqual([d.name() for d in conn.listAllDomains(0)], [])
        self.assertTrue(mvtest.wait_pid_gone(pid, 15), "its QEMU runs on")

    def test_restart_while_old_fds_live_on(self):
        """A child the killed daemon forked just before the kill still holds
        copies of its fds until its cleanup before exec runs (long on a loaded
        machine): here the test takes copies of the daemon's pidfile and
        listening socket (pidfd_getfd). The restart is neither refused as
        "already running" nor as "another process is serving"; it serves."""
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        self.d.start()
        pidfd = os.pidfd_open(self.d.pid)
        held = []
        for fd in os.listdir("/proc/%d/fd" % self.d.pid):
            try:
                target = os.readlink("/proc/%d/fd/%s" % (self.d.pid, fd))
            except OSError:
                continue        # closed meanwhile
            if target.endswith("qemu.pid") or target.startswith("socket:"):
                copy = libc.syscall(438, pidfd, int(fd), 0)     # pidfd_getfd
                self.assertGreaterEqual(copy, 0, os.strerror(ctypes.get_errno()))
                held.append(copy)
        os.close(pidfd)
        self.assertTrue(held)
        self.d.kill9()
        logged = len(self.d.log())
        # (no readiness probe: the old socket still accepts, into the held copy)
        self.d.spawn()
        serving = mvtest.wait_for(
            lambda: "serving" in self.d.log()[logged:] or not self.d.running(), 20)
        for fd in held:
            os.close(fd)
        self.assertTrue(serving and self.d.running(), "the restart failed:\n%s"
                        % self.d.log()[logged:][-2000:])
        self.d.wait_ready()
        conn = ka.libvirt().open(self.d.uri)
        self.addCleanup(conn.close)
        self.assertEqual(conn.listAllDomains(0), [])

    def test_random_kills(self):
        for tno in range(2):
            for name in dom_names(tno):
                with open(os.path.join(self.d.root, name + ".img"), "wb") as f:
                    f.truncate(1 << 20)
        self.d.start()
        # (a start takes a few hundred ms: kills later than the others)
        kills, acked = ka.run(self, self.d, self.d.uri, self.op, self.check, delay=(0.1, 1.0))
        self.assertGreaterEqual(kills, ka.kills_wanted())
        self.assertGreater(acked, kills, "the storm hardly ran")
        print("# %d live domains found over the restarts" % self.seen, file=sys.stderr)
        self.assertGreaterEqual(self.seen, kills // 5, "hardly anything ran across the kills")


if __name__ == "__main__":
    mvtest.require_qemu()
    mvtest.require_daemon()
    ka.require()
    mvtest.main()
