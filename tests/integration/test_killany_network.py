"""modvirt-networkd SIGKILLed at 50 random moments of a client storm.

In a private network namespace, with real bridges and dnsmasq: two client
threads (own connections, own networks: two each) define, create
(transient), start, destroy and undefine networks and create and delete
ports on the active ones, while the daemon is SIGKILLed after a random delay
(20-400 ms) and restarted, MV_KILLANY_KILLS times (default 50; seed printed,
MV_KILLANY_SEED repeats it).  After each restart (mvkillany.py):

- every network and port is in its acknowledged state or in the state of a
  call cut by the kill (all of it or nothing);
- definitions on disk (etc/network) are exactly the persistent networks and
  parse (the daemon lists them), status files (run/network) exactly the
  active ones, port files only of active networks, no temp file anywhere;
- each active network has its bridge and exactly one dnsmasq, no bridge or
  dnsmasq exists for anything else (nothing leaked, nothing duplicated);
- the first call after the restart is served.
"""

import glob
import os
import sys
import unittest
import uuid as uuidlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import mvnet  # noqa: E402
import mvkillany as ka  # noqa: E402
from mvkillany import ABSENT  # noqa: E402

NETS_PER_THREAD = 2
PORTS_PER_NET = 2


def net_names(tno):
    return ["kn%d%d" % (tno, i) for i in range(NETS_PER_THREAD)]


def bridge(name):
    return "mvk" + name[2:]


def net_xml(name):
    n = int(name[2:])
    return mvnet.network_xml(name, bridge=bridge(name), ip="10.141.%d.1" % n,
                             dhcp=("10.141.%d.10" % n, "10.141.%d.50" % n))


def port_uuid(name, i):
    return str(uuidlib.uuid5(uuidlib.NAMESPACE_URL, "modvirt-killany/%s/%d" % (name, i)))


def port_xml(name, i):
    n = int(name[2:])
    return ("<networkport><uuid>%s</uuid><owner><name>vm%s</name><uuid>"
            "4f0c6b5a-2d1e-4c3b-9a8f-7e6d5c4b3a21</uuid></owner>"
            "<mac address='52:54:00:cd:%02x:%02x'/></networkport>\n"
            % (port_uuid(name, i), name, n, i))


def dnsmasq_of(root, name):
    """The main dnsmasq pids of network NAME (its --conf-file is NAME.conf)."""
    mine = []
    for pid in mvnet.dnsmasq_pids(root):
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if any(a.startswith(b"--conf-file=") and a.endswith(b"/%s.conf" % name.encode())
               for a in argv):
            mine.append(pid)
    return mine


class KillAnywhere(unittest.TestCase):

    def setUp(self):
        self.nd = mvnet.NetworkDaemon()
        self.addCleanup(self.nd.cleanup)
        self.model = ka.Model()
        self.seen = 0           # live objects found by the checks, all rounds
        self.live = {}          # active network -> (bridge ifindex, dnsmasq pid)

    def op(self, conn, rng, tno):
        m, nd = self.model, self.nd
        lv = ka.libvirt()
        name = rng.choice(net_names(tno))
        state = m.get(name)

        def net():
            return conn.networkLookupByName(name)

        if state == ABSENT:
            if rng.random() < 0.7:
                return m.change(name, (True, False),
                                lambda: conn.networkDefineXML(net_xml(name)), nd, conn)
            return m.change(name, (False, True),
                            lambda: conn.networkCreateXML(net_xml(name)), nd, conn)
        defined, active = state
        if not active:
            if rng.random() < 0.7:
                return m.change(name, (True, True), lambda: net().create(), nd, conn)
            return m.change(name, ABSENT, lambda: net().undefine(), nd, conn)
        pick = rng.random()
        if pick < 0.5:
            i = rng.randrange(PORTS_PER_NET)
            key = ("port", name, i)
            if m.get(key) == ABSENT:
                return m.change(key, "present",
                                lambda: net().portCreateXML(port_xml(name, i), 0), nd, conn)
            return m.change(key, ABSENT, lambda: net().portLookupByUUIDString(
                port_uuid(name, i)).delete(0), nd, conn)
        if pick < 0.85:
            # destroy takes the network's ports with it
            ports = [("port", name, i) for i in range(PORTS_PER_NET)]
            for p in ports:
                m.begin(p, ABSENT)
            try:
                ok = m.change(name, (True, False) if defined else ABSENT,
                              lambda: net().destroy(), nd, conn)
            except lv.libvirtError:
                raise           # cut by the kill: the ports stay "in flight"
            for p in ports:
                if ok:
                    m.ack(p, ABSENT)
                else:
                    m.fail(p, ABSENT, True)
            return ok
        if defined:
            return m.change(name, (False, True), lambda: net().undefine(), nd, conn)
        return m.change(name, (True, True), lambda: conn.networkDefineXML(net_xml(name)),
                        nd, conn)

    def check(self, where, conn):
        root = self.nd.root
        found = {}
        active = []
        persistent = []
        for net in conn.listAllNetworks(0):
            name = net.name()
            found[name] = (bool(net.isPersistent()), bool(net.isActive()))
            if net.isActive():
                active.append(name)
                for p in net.listAllPorts(0):
                    uuid = p.UUIDString()
                    i = [port_uuid(name, j) for j in range(PORTS_PER_NET)].index(uuid)
                    found[("port", name, i)] = "present"
            if net.isPersistent():
                persistent.append(name)
        ka.check_allowed(self, self.model, found, where)
        etc = os.path.join(root, "etc", "network")
        run = os.path.join(root, "run", "network")

        def names(d):
            return sorted(os.path.basename(p)[:-4] for p in glob.glob(os.path.join(d, "*.xml")))

        self.assertEqual(names(etc), sorted(persistent), "definitions on disk, " + where)
        self.assertEqual(names(run), sorted(active), "status files, " + where)
        for d in glob.glob(os.path.join(run, "ports", "*")):
            if os.listdir(d):
                self.assertIn(os.path.basename(d), active, "ports of an inactive network, "
                              + where)
        lib = os.path.join(root, "lib", "network")
        self.assertEqual(ka.temp_files(etc, run, lib), [], "temp files left, " + where)
        self.assertEqual(mvnet.bridges(), sorted(bridge(n) for n in active),
                         "bridges, " + where)
        pids = mvtest.wait_for(lambda: len(mvnet.dnsmasq_pids(root)) == len(active), 5)
        self.assertTrue(pids, "%d dnsmasq for %d active networks, %s"
                        % (len(mvnet.dnsmasq_pids(root)), len(active), where))
        # taken back, not remade: a network no call touched in the round keeps
        # its bridge and its dnsmasq
        now = {}
        for name in active:
            pids = dnsmasq_of(root, name)
            self.assertEqual(len(pids), 1, "%s: dnsmasq of %s: %s" % (where, name, pids))
            now[name] = (mvnet.link(bridge(name))["ifindex"], pids[0])
            if name in self.live and self.model.untouched(name):
                self.assertEqual(now[name], self.live[name],
                                 "%s: %s's bridge or dnsmasq was remade" % (where, name))
        self.live = now
        self.seen += len(active)
        self.model.settle(found)

    def test_temp_files_of_a_killed_daemon_removed(self):
        """The temp files a networkd killed while writing dnsmasq's files leaves
        (NAME.tmp-XXXXXXXX, seen in run/network/dnsmasq after a kill) are gone
        after the restart; the lease helper's own files stay."""
        self.nd.start()
        self.nd.kill9()
        planted = [os.path.join(self.nd.root, "run", "network", "dnsmasq",
                                "kn00.start.tmp-1a2b3c4d"),
                   os.path.join(self.nd.root, "lib", "network", "dnsmasq",
                                "kn00.conf.tmp-5e6f7a8b")]
        helper = os.path.join(self.nd.root, "lib", "network", "dnsmasq", "kn00.leases.Ab12Cd")
        for path in planted + [helper]:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            mvtest.write_file(path, "half\n")
        self.nd.start()
        self.assertEqual([p for p in planted if os.path.exists(p)], [])
        self.assertTrue(os.path.exists(helper))

    def test_kill_right_after_dnsmasq_spawned(self):
        """networkd killed as soon as dnsmasq runs, before dnsmasq wrote its
        pidfile (the pidfile is removed here to stand for that moment): the
        restart's undo still finds that dnsmasq and stops it, none is leaked."""
        self.nd.extra_env["MV_TEST_CRASH_AT"] = "dnsmasq-spawned"
        self.nd.start()
        lv = ka.libvirt()
        conn = lv.open(self.nd.uri)
        conn.networkDefineXML(net_xml("kn05"))
        with self.assertRaises(lv.libvirtError):
            conn.networkLookupByName("kn05").create()
        self.assertEqual(self.nd.wait(10), -9, "no kill at dnsmasq-spawned")
        self.assertEqual(len(dnsmasq_of(self.nd.root, "kn05")), 1, "the point is after the spawn")
        pidfile = os.path.join(self.nd.root, "run", "network", "dnsmasq", "kn05.pid")
        mvtest.wait_for(lambda: os.path.exists(pidfile), 5)
        if os.path.exists(pidfile):
            os.unlink(pidfile)
        self.nd.extra_env.pop("MV_TEST_CRASH_AT")
        self.nd.start()
        conn = lv.open(self.nd.uri)
        self.addCleanup(conn.close)
        self.assertFalse(conn.networkLookupByName("kn05").isActive())
        gone = mvtest.wait_for(lambda: not dnsmasq_of(self.nd.root, "kn05"), 5)
        self.assertTrue(gone, "dnsmasq %s of the undone start leaked"
                        % dnsmasq_of(self.nd.root, "kn05"))

    def test_random_kills(self):
        self.nd.start()
        kills, acked = ka.run(self, self.nd, self.nd.uri, self.op, self.check)
        self.assertGreaterEqual(kills, ka.kills_wanted())
        self.assertGreater(acked, kills, "the storm hardly ran")
        print("# %d live networks found over the restarts" % self.seen, file=sys.stderr)
        self.assertGreaterEqual(self.seen, kills // 5, "hardly anything ran across the kills")


if __name__ == "__main__":
    mvtest.enter_private_netns()
    mvnet.require_networkd()
    mvnet.require_dnsmasq()
    ka.require()
    mvtest.main()
