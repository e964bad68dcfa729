"""modvirt-networkd killed with SIGKILL: networks are taken back, not remade.

Inside a private network namespace, with a real dnsmasq:
- SIGKILL while a persistent and a transient network (with a port) run:
  after the restart both are active, with the same bridge (ifindex) and
  the same dnsmasq (pid); the port is still there; destroy cleans up.
- SIGKILL at every fault point of a start (MV_TEST_CRASH_AT): after the
  restart nothing is half-made (no bridge, no dnsmasq, no status file) and
  the network starts normally; killed after the start was recorded, the
  network is taken back whole.
- A bridge deleted while the daemon was down: the network comes back
  inactive and its dnsmasq is stopped.
- A dnsmasq that dies is started again by the daemon.
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import mvnet  # noqa: E402
from mvtest import virsh  # noqa: E402

START_POINTS = ["net-start-status", "net-start-bridge", "net-start-addresses",
                "net-start-dnsmasq"]


def dhcp_net(name, n):
    return mvnet.network_xml(name, bridge="mvc%s" % name, ip="10.120.%d.1" % n,
                             dhcp=("10.120.%d.10" % n, "10.120.%d.50" % n))


class Crash(unittest.TestCase):

    def setUp(self):
        self.nd = mvnet.NetworkDaemon()

    def tearDown(self):
        self.nd.cleanup()

    def ok(self, *args):
        return virsh(self.nd.uri, *args, check=True)

    def define(self, name, n, create=False):
        path = mvtest.write_file(os.path.join(self.nd.root, name + ".in.xml"), dhcp_net(name, n))
        self.ok("net-create" if create else "net-define", path)

    def state(self, name):
        out = self.ok("net-list", "--all").stdout
        for line in out.splitlines()[2:]:
            parts = line.split()
            if parts and parts[0] == name:
                return parts[1]
        return None

    def test_sigkill_takes_networks_back(self):
        self.nd.start()
        self.define("kp", 1)
        self.ok("net-start", "kp")
        self.define("kt", 2, create=True)
        port = mvtest.write_file(os.path.join(self.nd.root, "port.xml"),
                                 "<networkport><owner><name>vm</name><uuid>"
                                 "4f0c6b5a-2d1e-4c3b-9a8f-7e6d5c4b3a21</uuid></owner>"
                                 "<mac address='52:54:00:cc:00:01'/></networkport>\n")
        self.ok("net-port-create", "kt", port)
        ports = self.ok("net-port-list", "kt", "--uuid").stdout.split()
        self.assertEqual(len(ports), 1)
        before = {n: mvnet.link("mvc" + n)["ifindex"] for n in ("kp", "kt")}
        dnsmasq = mvnet.dnsmasq_pids(self.nd.root)
        self.assertEqual(len(dnsmasq), 2, dnsmasq)

        self.nd.kill9()
        self.assertEqual(mvnet.dnsmasq_pids(self.nd.root), dnsmasq, "dnsmasq died with networkd")
        self.nd.start()

        self.assertEqual(self.state("kp"), "active")
        self.assertEqual(self.state("kt"), "active")
        self.assertIn("Persistent:     no", self.ok("net-info", "kt").stdout)
        after = {n: mvnet.link("mvc" + n)["ifindex"] for n in ("kp", "kt")}
        self.assertEqual(after, before, "bridges were recreated")
        self.assertEqual(mvnet.dnsmasq_pids(self.nd.root), dnsmasq, "dnsmasq was restarted")
        self.assertEqual(self.ok("net-port-list", "kt", "--uuid").stdout.split(), ports)
        self.assertIn("<plug type='network' bridge='mvckt'",
                      self.ok("net-port-dumpxml", "kt", ports[0]).stdout)

        self.ok("net-destroy", "kt")
        self.ok("net-destroy", "kp")
        self.assertIsNone(mvnet.link("mvckt"))
        self.assertIsNone(mvnet.link("mvckp"))
        mvtest.wait_for(lambda: not mvnet.dnsmasq_pids(self.nd.root), 10)
        self.assertEqual(mvnet.dnsmasq_pids(self.nd.root), [])
        self.assertIsNone(self.state("kt"))

    def test_sigterm_leaves_networks_running(self):
        """A daemon that stops (SIGTERM, idle exit) leaves its networks running."""
        self.nd.start()
        self.define("ks", 5)
        self.ok("net-start", "ks")
        ifindex = mvnet.link("mvcks")["ifindex"]
        pids = mvnet.dnsmasq_pids(self.nd.root)
        self.assertEqual(self.nd.stop(), 0)
        self.assertEqual(mvnet.link("mvcks")["ifindex"], ifindex)
        self.assertEqual(mvnet.dnsmasq_pids(self.nd.root), pids)
        self.nd.start()
        self.assertEqual(self.state("ks"), "active")
        self.assertEqual(mvnet.link("mvcks")["ifindex"], ifindex)
        self.assertEqual(mvnet.dnsmasq_pids(self.nd.root), pids)
        self.ok("net-destroy", "ks")

    def test_kill_anywhere_in_start(self):
        for i, point in enumerate(START_POINTS, 1):
            with self.subTest(point=point):
                name = "ka%d" % i
                br = "mvc" + name
                status = os.path.join(self.nd.root, "run", "network", name + ".xml")
                self.nd.extra_env["MV_TEST_CRASH_AT"] = point
                self.nd.start()
                self.define(name, 10 + i)
                res = virsh(self.nd.uri, "net-start", name)
                self.assertNotEqual(res.returncode, 0, "the start survived %s" % point)
                self.assertIsNotNone(self.nd.wait(10), "the daemon did not die at %s" % point)
                self.nd.extra_env.pop("MV_TEST_CRASH_AT")
                self.nd.start()
                self.assertEqual(self.state(name), "inactive")
                self.assertIsNone(mvnet.link(br), "half-made bridge left at %s" % point)
                self.assertEqual(mvnet.dnsmasq_pids(self.nd.root), [],
                                 "orphaned dnsmasq left at %s" % point)
                self.assertFalse(os.path.exists(status), "status left at %s" % point)
                self.ok("net-start", name)
                self.assertIsNotNone(mvnet.link(br))
                self.assertEqual(len(mvnet.dnsmasq_pids(self.nd.root)), 1)
                self.ok("net-destroy", name)
                self.nd.stop()

    def test_kill_after_start_recorded(self):
        self.nd.extra_env["MV_TEST_CRASH_AT"] = "net-start-active"
        self.nd.start()
        self.define("kr", 20)
        self.assertNotEqual(virsh(self.nd.uri, "net-start", "kr").returncode, 0)
        self.assertIsNotNone(self.nd.wait(10))
        ifindex = mvnet.link("mvckr")["ifindex"]
        pids = mvnet.dnsmasq_pids(self.nd.root)
        self.assertEqual(len(pids), 1)
        self.nd.extra_env.pop("MV_TEST_CRASH_AT")
        self.nd.start()
        self.assertEqual(self.state("kr"), "active")
        self.assertEqual(mvnet.link("mvckr")["ifindex"], ifindex)
        self.assertEqual(mvnet.dnsmasq_pids(self.nd.root), pids)
        self.ok("net-destroy", "kr")

    def test_kill_after_firewall_rules(self):
        """Killed right after filterd applied a nat network's rules: they go at restart."""
        if not os.access(mvtest.FILTERD, os.X_OK):
            self.skipTest("modvirt-filterd is not built")
        fd = mvtest.Daemon(root=self.nd.root, binary=mvtest.FILTERD, name="filter").start()
        self.addCleanup(fd.cleanup)
        self.nd.extra_env["MV_TEST_CRASH_AT"] = "net-start-firewall"
        self.nd.start()
        path = mvtest.write_file(os.path.join(self.nd.root, "kf.in.xml"), mvnet.network_xml(
            "kf", bridge="mvckf", ip="10.120.50.1", forward="nat",
            dhcp=("10.120.50.10", "10.120.50.50")))
        self.ok("net-define", path)
        self.assertNotEqual(virsh(self.nd.uri, "net-start", "kf").returncode, 0)
        self.assertIsNotNone(self.nd.wait(10))

        def rules():
            return mvtest.subprocess.run(["nft", "list", "ruleset"], capture_output=True,
                                         text=True, check=True).stdout

        self.assertIn("mvckf", rules(), "the crash point is after the rules were applied")
        self.nd.extra_env.pop("MV_TEST_CRASH_AT")
        self.nd.start()
        self.assertEqual(self.state("kf"), "inactive")
        self.assertNotIn("mvckf", rules(), "firewall rules of a half-made start left")
        self.assertIsNone(mvnet.link("mvckf"))
        self.ok("net-start", "kf")
        self.assertIn("mvckf", rules())
        self.ok("net-destroy", "kf")
        self.assertNotIn("mvckf", rules())

    def test_bridge_gone_while_down(self):
        self.nd.start()
        self.define("kg", 30)
        self.ok("net-start", "kg")
        self.nd.kill9()
        mvtest.subprocess.run(["ip", "link", "del", "mvckg"], check=True)
        self.nd.start()
        self.assertEqual(self.state("kg"), "inactive")
        mvtest.wait_for(lambda: not mvnet.dnsmasq_pids(self.nd.root), 10)
        self.assertEqual(mvnet.dnsmasq_pids(self.nd.root), [])
        self.assertFalse(os.path.exists(os.path.join(self.nd.root, "run", "network",
                                                     "kg.xml")))
        self.ok("net-start", "kg")
        self.ok("net-destroy", "kg")

    def test_dnsmasq_that_dies_is_restarted(self):
        self.nd.start()
        self.define("kd", 40)
        self.ok("net-start", "kd")
        [pid] = mvnet.dnsmasq_pids(self.nd.root)
        os.kill(pid, 9)
        new = mvtest.wait_for(lambda: [p for p in mvnet.dnsmasq_pids(self.nd.root)
                                       if p != pid], 15)
        self.assertEqual(len(new), 1, "dnsmasq was not started again")
        self.assertEqual(self.state("kd"), "active")
        self.ok("net-destroy", "kd")
        mvtest.wait_for(lambda: not mvnet.dnsmasq_pids(self.nd.root), 10)
        self.assertEqual(mvnet.dnsmasq_pids(self.nd.root), [])


if __name__ == "__main__":
    mvtest.enter_private_netns()
    mvnet.require_networkd()
    mvnet.require_dnsmasq()
    mvtest.main()
