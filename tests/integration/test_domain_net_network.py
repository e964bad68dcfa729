"""Guest NICs on modvirt-networkd's networks (<interface type='network'>).

modvirt-networkd and modvirt-qemud share one --root in a private network
namespace.  An isolated network with DHCP runs; a tiny guest on it (with a
portgroup) gets a port from networkd: its live XML shows the port's UUID and
the bridge, networkd lists the port with the guest as owner, the tap is a
port of the network's bridge.  The guest gets its lease from networkd's
dnsmasq, which net-dhcp-leases and domifaddr show, and pings the bridge.
A hot-plugged NIC gets a second port, unplugging deletes it; after a SIGKILL
and restart of qemud the port is still known and destroying the guest
deletes it, as does a QEMU that dies on its own; a start interrupted by a
SIGKILL of qemud gives its port back once qemud is restarted.  Without
networkd, a network interface is a clear error.
"""

import os
import re
import shutil
import signal
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
from mvtest import virsh  # noqa: E402
from mvnic import CTRL_RBRACKET, ConsoleMixin, guest_xml, interface_xml, link  # noqa: E402

NETWORK = "mvnet"
BRIDGE = "mvnbr0"
BRIDGE_IP = "192.168.88.1"
GUEST_MAC = "52:54:00:6e:00:01"
HOT_MAC = "52:54:00:6e:00:02"

NETWORK_XML = """<network>
  <name>%s</name>
  <bridge name='%s'/>
  <portgroup name='web'/>
  <ip address='%s' prefix='24'>
    <dhcp><range start='192.168.88.10' end='192.168.88.50'/></dhcp>
  </ip>
</network>
""" % (NETWORK, BRIDGE, BRIDGE_IP)


def ports(uri):
    """UUIDs of the network's ports (virsh net-port-list --uuid)."""
    out = virsh(uri, "net-port-list", NETWORK, "--uuid", check=True).stdout
    return [line.strip() for line in out.splitlines() if line.strip()]


class NetworkNic(ConsoleMixin, unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix="mvt-")
        if os.environ.get("MV_TEST_KEEP") != "1":
            cls.addClassCleanup(shutil.rmtree, cls.root, True)
        cls.nd = mvtest.Daemon(root=cls.root, name="network", binary=mvtest.NETWORKD).start()
        cls.addClassCleanup(cls.nd.cleanup)
        cls.net_uri = "network+unix:///system?socket=%s" % cls.nd.sock
        cls.d = mvtest.GuestDaemon(root=cls.root).start()
        cls.addClassCleanup(cls.d.cleanup)
        cls.uri = cls.d.uri
        cls.name = "netnic1"
        path = mvtest.write_file(os.path.join(cls.root, "net.xml"), NETWORK_XML)
        virsh(cls.net_uri, "net-define", path, check=True)
        virsh(cls.net_uri, "net-start", NETWORK, check=True)
        # networkd leaves a network's dnsmasq running when it stops (it takes it back
        # at its next start): destroy the network while networkd still runs
        cls.addClassCleanup(lambda: virsh(cls.net_uri, "net-destroy", NETWORK))
        nic = """
    <interface type='network'>
      <mac address='%s'/>
      <source network='%s' portgroup='web'/>
      <model type='virtio'/>
    </interface>""" % (GUEST_MAC, NETWORK)
        xml = mvtest.write_file(os.path.join(cls.root, "netnic1.in.xml"),
                                mvtest.linux_guest_xml(cls.name, cls.root, extra_devices=nic))
        virsh(cls.uri, "define", xml, check=True)
        virsh(cls.uri, "start", cls.name, check=True)

    @classmethod
    def tearDownClass(cls):
        virsh(cls.uri, "destroy", cls.name)

    def live_nic(self):
        nics = interface_xml(self.uri, self.name)
        m = re.search(r"<source network='%s' portgroup='web' portid='([0-9a-f-]{36})' "
                      r"bridge='%s'/>" % (NETWORK, BRIDGE), nics[0])
        self.assertIsNotNone(m, nics[0])
        tap = re.search(r"<target dev='(vnet\d+)'/>", nics[0]).group(1)
        return m.group(1), tap

    def test_1_port(self):
        """A port of the network, owned by the guest, plugged into the network's bridge."""
        port, tap = self.live_nic()
        self.assertEqual(ports(self.net_uri), [port])
        xml = virsh(self.net_uri, "net-port-dumpxml", NETWORK, port, check=True).stdout
        self.assertIn("<name>%s</name>" % self.name, xml)
        self.assertIn("<mac address='%s'/>" % GUEST_MAC, xml)
        self.assertIn("<group>web</group>", xml)
        self.assertEqual(link(tap).get("master"), BRIDGE)
        self.assertEqual(link(tap)["address"], "fe" + GUEST_MAC[2:])
        # the persistent definition has none of the live data
        cfg = interface_xml(self.uri, self.name, inactive=True)[0]
        self.assertIn("<source network='%s' portgroup='web'/>" % NETWORK, cfg)
        self.assertNotIn("<target", cfg)
        self.assertNotIn("portid", cfg)

    def test_2_lease(self):
        """The lease from networkd's dnsmasq: in net-dhcp-leases and domifaddr; a ping."""
        lease = self.wait_lease(self.root)
        port, tap = self.live_nic()
        self.assertTrue(mvtest.wait_for(lambda: GUEST_MAC in virsh(
            self.net_uri, "net-dhcp-leases", NETWORK, check=True).stdout, 30, 0.2))
        res = virsh(self.uri, "domifaddr", self.name)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertRegex(res.stdout, r"%s\s+%s\s+ipv4\s+%s/24" % (tap, GUEST_MAC,
                                                                 re.escape(lease)))
        reader, pos = self.attach()
        out, pos = self.guest_eval(reader, pos, "ping -c 1 -W 5 %s >/dev/null && echo PONG"
                                   % BRIDGE_IP)
        self.assertEqual(out, "PONG")
        reader.send(CTRL_RBRACKET)

    def test_3_hotplug(self):
        """A hot-plugged NIC gets its own port; unplugging deletes it."""
        first, _ = self.live_nic()
        res = virsh(self.uri, "attach-interface", self.name, "network", NETWORK, "--model",
                    "virtio", "--mac", HOT_MAC, "--live")
        self.assertEqual(res.returncode, 0, res.stderr)
        nics = interface_xml(self.uri, self.name)
        self.assertEqual(len(nics), 2)
        second = re.search(r"portid='([0-9a-f-]{36})'", nics[1]).group(1)
        self.assertEqual(sorted(ports(self.net_uri)), sorted([first, second]))
        res = virsh(self.uri, "detach-interface", self.name, "network", "--mac", HOT_MAC,
                    "--live")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(ports(self.net_uri), [first])

    def test_4_restart_then_destroy(self):
        """The port survives a SIGKILL of qemud in the status; destroy then deletes it."""
        port, tap = self.live_nic()
        self.d.proc.send_signal(signal.SIGKILL)
        self.d.proc.wait()
        self.d.start()
        self.assertEqual(mvtest.domstate(self.uri, self.name), "running")
        self.assertEqual(self.live_nic(), (port, tap))
        virsh(self.uri, "destroy", self.name, check=True)
        self.assertEqual(ports(self.net_uri), [])
        self.assertTrue(mvtest.wait_for(lambda: link(tap) is None, 10, 0.1))
        # and a new start gets a new port
        virsh(self.uri, "start", self.name, check=True)
        self.assertEqual(len(ports(self.net_uri)), 1)

    def test_5_qemu_killed(self):
        """QEMU dies on its own (no call is working on the guest): the port is deleted."""
        self.assertEqual(len(ports(self.net_uri)), 1)
        os.kill(mvtest.status_pid(self.root, self.name), signal.SIGKILL)
        mvtest.wait_domstate(self.uri, self.name, "shut off")
        self.assertTrue(mvtest.wait_for(lambda: ports(self.net_uri) == [], 10, 0.1),
                        "ports left after QEMU died: %s" % ports(self.net_uri))
        virsh(self.uri, "start", self.name, check=True)

    def test_6_crash_during_start(self):
        """qemud SIGKILLed in the middle of a start, after the port was made: the
        restarted daemon undoes the start and gives the port back."""
        self.assertEqual(len(ports(self.net_uri)), 1)
        xml = mvtest.write_file(os.path.join(self.root, "crash.xml"), guest_xml(
            "crashnic", "<interface type='network'><source network='%s'/></interface>"
            % NETWORK))
        virsh(self.uri, "define", xml, check=True)
        self.d.stop()
        self.d.extra_env["MV_TEST_CRASH_AT"] = "before-exec"
        try:
            self.d.start()
            res = virsh(self.uri, "start", "crashnic")
            self.assertNotEqual(res.returncode, 0)
            self.d.proc.wait(10)
            self.assertEqual(self.d.proc.returncode, -signal.SIGKILL)
            self.assertEqual(len(ports(self.net_uri)), 2, "the port of the unfinished start")
        finally:
            del self.d.extra_env["MV_TEST_CRASH_AT"]
            self.d.kill9()
            self.d.start()
        self.assertTrue(mvtest.wait_for(lambda: len(ports(self.net_uri)) == 1, 10, 0.1),
                        "the unfinished start's port is still there: %s" % ports(self.net_uri))
        self.assertEqual(mvtest.domstate(self.uri, "crashnic"), "shut off")
        self.assertEqual(mvtest.domstate(self.uri, self.name), "running")
        virsh(self.uri, "undefine", "crashnic", check=True)

    def test_9_networkd_gone(self):
        """Without networkd: an error naming it and its socket; qemud keeps serving."""
        self.nd.stop()
        xml = mvtest.write_file(os.path.join(self.root, "other.xml"), guest_xml(
            "other", "<interface type='network'><source network='%s'/></interface>" % NETWORK))
        virsh(self.uri, "define", xml, check=True)
        res = virsh(self.uri, "start", "other")
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("modvirt-networkd", res.stderr)
        self.assertIn(self.nd.sock, res.stderr)
        self.assertEqual(mvtest.domstate(self.uri, "other"), "shut off")
        self.assertEqual(mvtest.domstate(self.uri, self.name), "running")
        self.nd.start()     # for the clean-up: it destroys the network


if __name__ == "__main__":
    mvtest.require_root()
    mvtest.require_tools("dnsmasq", "ip")
    mvtest.require_qemu()
    mvtest.require_daemon()
    if not os.access(mvtest.NETWORKD, os.X_OK):
        mvtest.mvtap.bail_out("networkd binary not found: %s (build it first)" % mvtest.NETWORKD)
    mvtest.require_guest()          # may download: before leaving the host's network
    mvtest.enter_private_netns()
    mvtest.main()
