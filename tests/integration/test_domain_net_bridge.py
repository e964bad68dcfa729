"""Guest NICs on a host bridge (<interface type='bridge'>), with stock virsh.

Everything runs in a private network namespace (mvtest.enter_private_netns):
the test makes a bridge with an address and runs its own dnsmasq on it.  The
tiny TCG guest's initramfs runs udhcpc on eth0: it gets a lease (its console
prints MODVIRT-GUEST-NET eth0 <ip>) and pings the bridge address.  The tap
qemud made carries the given name, the guest's MAC with 0xFE as first byte,
the bridge as master; it goes away at stop.  domif-setlink takes the link
down (the guest sees no carrier) and back; attach-interface / detach-interface
plug and unplug a second NIC; attach-device / detach-device --config change
the definition only; a bridge that does not exist or is no bridge is a clear
error and the daemon keeps serving.
"""

import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
from mvtest import virsh  # noqa: E402
from mvnic import CTRL_RBRACKET, ConsoleMixin, guest_xml, interface_xml, ip, link, links  # noqa

BRIDGE = "mvbr0"
BRIDGE_IP = "192.168.77.1"
GUEST_MAC = "52:54:00:5e:00:01"
HOT_MAC = "52:54:00:5e:00:02"
TAP = "mvtap-a"


class BridgeNic(ConsoleMixin, unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.d = mvtest.GuestDaemon().start()
        cls.addClassCleanup(cls.d.cleanup)
        cls.uri = cls.d.uri
        cls.name = "nic1"
        ip("link", "add", BRIDGE, "type", "bridge", "stp_state", "0", "forward_delay", "0")
        ip("addr", "add", BRIDGE_IP + "/24", "dev", BRIDGE)
        ip("link", "set", BRIDGE, "up")
        lease_dir = os.path.join(cls.d.root, "dnsmasq")
        os.makedirs(lease_dir)
        cls.dnsmasq = subprocess.Popen(
            ["dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--bind-interfaces",
             "--interface=" + BRIDGE, "--except-interface=lo", "--listen-address=" + BRIDGE_IP,
             "--dhcp-range=192.168.77.10,192.168.77.50,1h", "--port=0", "--no-ping",
             "--user=root", "--dhcp-leasefile=" + os.path.join(lease_dir, "leases"),
             "--pid-file=" + os.path.join(lease_dir, "pid")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cls.addClassCleanup(mvtest.stop_process, cls.dnsmasq, 5)
        nic = """
    <interface type='bridge'>
      <mac address='%s'/>
      <source bridge='%s'/>
      <target dev='%s'/>
      <model type='virtio'/>
    </interface>""" % (GUEST_MAC, BRIDGE, TAP)
        xml = mvtest.write_file(os.path.join(cls.d.root, "nic1.in.xml"),
                                mvtest.linux_guest_xml(cls.name, cls.d.root, extra_devices=nic))
        virsh(cls.uri, "define", xml, check=True)
        virsh(cls.uri, "start", cls.name, check=True)
        cls.lease = None

    @classmethod
    def tearDownClass(cls):
        virsh(cls.uri, "destroy", cls.name)

    def wait_lease(self):
        if not BridgeNic.lease:
            BridgeNic.lease = ConsoleMixin.wait_lease(self, self.d.root)
        return BridgeNic.lease

    # tests -------------------------------------------------------------------
    def test_1_tap_on_bridge(self):
        """The tap carries the given name, the host-side MAC, the bridge as master."""
        nics = interface_xml(self.uri, self.name)
        self.assertEqual(len(nics), 1, nics)
        self.assertIn("<mac address='%s'/>" % GUEST_MAC, nics[0])
        self.assertIn("<source bridge='%s'/>" % BRIDGE, nics[0])
        self.assertIn("<target dev='%s'/>" % TAP, nics[0])
        self.assertIn("<model type='virtio'/>", nics[0])
        self.assertIn("<alias name='net0'/>", nics[0])
        tap = link(TAP)
        self.assertIsNotNone(tap, "no tap %s on the host: %s" % (TAP, links()))
        self.assertEqual(tap.get("master"), BRIDGE)
        self.assertEqual(tap["address"], "fe" + GUEST_MAC[2:])
        self.assertEqual(tap["linkinfo"]["info_kind"], "tun")
        self.assertIn("UP", tap["flags"])
        self.assertEqual(tap["mtu"], link(BRIDGE)["mtu"])
        # QEMU got the tap as an fd, not by name
        argv = open("/proc/%d/cmdline" % mvtest.status_pid(self.d.root, self.name),
                    "rb").read().split(b"\0")
        self.assertTrue(any(re.match(rb"tap,fd=\d+,id=hostnet0$", a) for a in argv), argv)
        self.assertIn(b"virtio-net-pci,netdev=hostnet0,id=net0,mac=" + GUEST_MAC.encode(),
                      b" ".join(argv))

    def test_2_lease_and_ping(self):
        """DHCP from the test's dnsmasq through the bridge, then a ping of the bridge."""
        lease = self.wait_lease()
        self.assertTrue(lease.startswith("192.168.77."), lease)
        reader, pos = self.attach()
        out, pos = self.guest_eval(reader, pos, "ping -c 1 -W 5 %s >/dev/null && echo PONG"
                                   % BRIDGE_IP)
        self.assertEqual(out, "PONG")
        reader.send(CTRL_RBRACKET)

    def test_2z_domifaddr(self):
        """domifaddr: ARP knows the guest after its ping; a bridge has no leases of ours;
        the agent source needs an agent channel, which this guest lacks."""
        lease = self.wait_lease()
        res = virsh(self.uri, "domifaddr", self.name, "--source", "arp")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertRegex(res.stdout, r"%s\s+%s\s+ipv4\s+%s/0" % (TAP, GUEST_MAC,
                                                                  re.escape(lease)))
        res = virsh(self.uri, "domifaddr", self.name)     # source lease
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertNotIn(GUEST_MAC, res.stdout)
        res = virsh(self.uri, "domifaddr", self.name, "--source", "agent")
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("QEMU guest agent is not configured", res.stderr)

    def test_3_link_state(self):
        """domif-setlink down: live XML, the guest's carrier and the host side follow."""
        self.wait_lease()
        reader, pos = self.attach()
        res = virsh(self.uri, "domif-setlink", self.name, TAP, "down")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("<link state='down'/>", interface_xml(self.uri, self.name)[0])
        self.assertRegex(virsh(self.uri, "domif-getlink", self.name, TAP, check=True).stdout,
                         r"\bdown\b")
        out, pos = self.guest_eval(reader, pos, "cat /sys/class/net/eth0/carrier")
        self.assertEqual(out, "0")
        self.assertNotIn("UP", link(TAP)["flags"])
        res = virsh(self.uri, "domif-setlink", self.name, GUEST_MAC, "up")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertRegex(virsh(self.uri, "domif-getlink", self.name, TAP, check=True).stdout,
                         r"\bup\b")
        out, pos = self.guest_eval(reader, pos, "cat /sys/class/net/eth0/carrier")
        self.assertEqual(out, "1")
        self.assertIn("UP", link(TAP)["flags"])
        out, pos = self.guest_eval(reader, pos, "ping -c 1 -W 5 %s >/dev/null && echo PONG"
                                   % BRIDGE_IP)
        self.assertEqual(out, "PONG")
        # the persistent definition was not touched
        self.assertNotIn("<link", interface_xml(self.uri, self.name, inactive=True)[0])
        # --config changes the definition only
        virsh(self.uri, "domif-setlink", self.name, GUEST_MAC, "down", "--config", check=True)
        self.assertIn("<link state='down'/>",
                      interface_xml(self.uri, self.name, inactive=True)[0])
        self.assertNotIn("<link state='down'/>", interface_xml(self.uri, self.name)[0])
        self.assertRegex(virsh(self.uri, "domif-getlink", self.name, GUEST_MAC, "--config",
                               check=True).stdout, r"\bdown\b")
        virsh(self.uri, "domif-setlink", self.name, GUEST_MAC, "up", "--config", check=True)
        self.assertNotIn("state='down'", interface_xml(self.uri, self.name, inactive=True)[0])
        reader.send(CTRL_RBRACKET)

    def test_4_hotplug(self):
        """attach-interface gives the guest a second NIC on its own tap; detach removes it."""
        self.wait_lease()
        reader, pos = self.attach()
        before = set(links())
        res = virsh(self.uri, "attach-interface", self.name, "bridge", BRIDGE, "--model",
                    "virtio", "--mac", HOT_MAC, "--live")
        self.assertEqual(res.returncode, 0, res.stderr)
        nics = interface_xml(self.uri, self.name)
        self.assertEqual(len(nics), 2, nics)
        m = re.search(r"<target dev='(vnet\d+)'/>", nics[1])
        self.assertIsNotNone(m, nics[1])
        tap = m.group(1)
        self.assertEqual(set(links()) - before, {tap})
        self.assertEqual(link(tap).get("master"), BRIDGE)
        self.assertEqual(link(tap)["address"], "fe" + HOT_MAC[2:])
        out, pos = self.guest_eval(reader, pos, "i=0; while [ ! -e /sys/class/net/eth1 ] && "
                                   "[ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; "
                                   "cat /sys/class/net/eth1/address")
        self.assertEqual(out, HOT_MAC)
        self.assertEqual(len(interface_xml(self.uri, self.name, inactive=True)), 1)
        res = virsh(self.uri, "detach-interface", self.name, "bridge", "--mac", HOT_MAC, "--live")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(len(interface_xml(self.uri, self.name)), 1)
        self.assertTrue(mvtest.wait_for(lambda: link(tap) is None, 10, 0.1),
                        "tap %s still there after the unplug" % tap)
        out, pos = self.guest_eval(reader, pos, "i=0; while [ -e /sys/class/net/eth1 ] && "
                                   "[ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; "
                                   "ls /sys/class/net | tr '\\n' ' '")
        self.assertNotIn("eth1", out)
        # attach-device with interface XML works too (here with its link down), and
        # detach-device with the same XML
        dev = mvtest.write_file(os.path.join(self.d.root, "hot.xml"),
                                "<interface type='bridge'><mac address='%s'/><source bridge='%s'/>"
                                "<model type='virtio'/><link state='down'/></interface>"
                                % (HOT_MAC, BRIDGE))
        virsh(self.uri, "attach-device", self.name, dev, "--live", check=True)
        self.assertIn("<link state='down'/>", interface_xml(self.uri, self.name)[1])
        out, pos = self.guest_eval(reader, pos, "for i in 1 2 3 4 5 6 7 8 9 10; do for d in "
                                   "/sys/class/net/eth*; do [ $(cat $d/address) = %s ] && "
                                   "ip link set ${d##*/} up && sleep 1 && cat $d/carrier && "
                                   "break 2; done; sleep 0.5; done" % HOT_MAC)
        self.assertEqual(out, "0")
        res = virsh(self.uri, "detach-device", self.name, dev, "--live")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(len(interface_xml(self.uri, self.name)), 1)
        reader.send(CTRL_RBRACKET)

    def test_5_config_only(self):
        """attach-device / detach-device --config change the definition, not the guest."""
        dev = mvtest.write_file(os.path.join(self.d.root, "cfg.xml"),
                                "<interface type='bridge'><mac address='52:54:00:5e:00:03'/>"
                                "<source bridge='%s'/><model type='rtl8139'/>"
                                "<link state='down'/><mtu size='1400'/><boot order='2'/>"
                                "</interface>" % BRIDGE)
        virsh(self.uri, "attach-device", self.name, dev, "--config", check=True)
        cfg = interface_xml(self.uri, self.name, inactive=True)
        self.assertEqual(len(cfg), 2)
        self.assertIn("<link state='down'/>", cfg[1])
        self.assertIn("<mtu size='1400'/>", cfg[1])
        self.assertEqual(len(interface_xml(self.uri, self.name)), 1)
        virsh(self.uri, "detach-device", self.name, dev, "--config", check=True)
        self.assertEqual(len(interface_xml(self.uri, self.name, inactive=True)), 1)
        # --live --config: the definition gets the NIC without the live data
        mac = "52:54:00:5e:00:04"
        virsh(self.uri, "attach-interface", self.name, "bridge", BRIDGE, "--mac", mac,
              "--model", "virtio", "--live", "--config", check=True)
        live = interface_xml(self.uri, self.name)
        cfg = interface_xml(self.uri, self.name, inactive=True)
        self.assertEqual((len(live), len(cfg)), (2, 2))
        self.assertRegex(live[1], r"<target dev='vnet\d+'/>")
        self.assertIn("<alias name='net", live[1])
        self.assertIn(mac, cfg[1])
        self.assertNotIn("<target", cfg[1])
        self.assertNotIn("<alias", cfg[1])
        virsh(self.uri, "detach-interface", self.name, "bridge", "--mac", mac, "--live",
              "--config", check=True)
        self.assertEqual(len(interface_xml(self.uri, self.name)), 1)
        self.assertEqual(len(interface_xml(self.uri, self.name, inactive=True)), 1)

    def test_6_bad_bridge(self):
        """A bridge that does not exist, or a link that is no bridge: clear errors."""
        ip("link", "add", "mvveth0", "type", "veth", "peer", "name", "mvveth1")
        self.addCleanup(ip, "link", "del", "mvveth0", check=False)
        before = set(links())
        for name, bridge, message in (
                ("badbr1", "nosuchbr", "bridge 'nosuchbr' does not exist"),
                ("badbr2", "mvveth0", "'mvveth0' is not a bridge")):
            xml = mvtest.write_file(os.path.join(self.d.root, name + ".xml"), guest_xml(
                name, "<interface type='bridge'><source bridge='%s'/><model type='virtio'/>"
                "</interface>" % bridge))
            virsh(self.uri, "define", xml, check=True)
            res = virsh(self.uri, "start", name)
            self.assertNotEqual(res.returncode, 0)
            self.assertIn(message, res.stderr)
            self.assertEqual(mvtest.domstate(self.uri, name), "shut off")
            virsh(self.uri, "undefine", name, check=True)
        self.assertEqual(set(links()), before, "a failed start left links behind")
        # hot-plug onto a missing bridge: refused, the guest keeps its one NIC
        res = virsh(self.uri, "attach-interface", self.name, "bridge", "nosuchbr", "--live")
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("bridge 'nosuchbr' does not exist", res.stderr)
        self.assertEqual(len(interface_xml(self.uri, self.name)), 1)
        self.assertEqual(set(links()), before)
        self.assertEqual(mvtest.domstate(self.uri, self.name), "running")

    def test_7_other_daemons_absent(self):
        """network interfaces and filters name the daemon they need and its socket."""
        before = set(links())
        run = os.path.join(self.d.root, "run")
        for name, nic, daemon, sock in (
                ("needsnet", "<interface type='network'><source network='default'/></interface>",
                 "modvirt-networkd", os.path.join(run, "network.sock")),
                ("needsfilter", "<interface type='bridge'><source bridge='%s'/><filterref "
                 "filter='clean-traffic'/></interface>" % BRIDGE,
                 "modvirt-filterd", os.path.join(run, "filter.sock"))):
            xml = mvtest.write_file(os.path.join(self.d.root, name + ".xml"), guest_xml(name, nic))
            virsh(self.uri, "define", xml, check=True)
            res = virsh(self.uri, "start", name)
            self.assertNotEqual(res.returncode, 0)
            self.assertIn(daemon, res.stderr)
            self.assertIn(sock, res.stderr)
            self.assertEqual(mvtest.domstate(self.uri, name), "shut off")
            virsh(self.uri, "undefine", name, check=True)
            self.assertEqual(set(links()), before, "a failed start left links behind")
        res = virsh(self.uri, "attach-interface", self.name, "network", "default", "--live")
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("modvirt-networkd", res.stderr)
        self.assertEqual(len(interface_xml(self.uri, self.name)), 1)
        self.assertEqual(mvtest.domstate(self.uri, self.name), "running")

    def test_9_stop_removes_tap(self):
        self.assertIsNotNone(link(TAP))
        virsh(self.uri, "destroy", self.name, check=True)
        self.assertTrue(mvtest.wait_for(lambda: link(TAP) is None, 10, 0.1),
                        "tap %s still there after destroy" % TAP)
        # the definition keeps the user's tap name; the host side is gone
        self.assertIn("<target dev='%s'/>" % TAP,
                      interface_xml(self.uri, self.name, inactive=True)[0])
        self.assertEqual([n for n in links() if n.startswith("vnet")], [])


if __name__ == "__main__":
    mvtest.require_root()
    mvtest.require_tools("dnsmasq", "ip")
    mvtest.require_qemu()
    mvtest.require_daemon()
    mvtest.require_guest()          # may download: before leaving the host's network
    mvtest.enter_private_netns()
    mvtest.main()
