"""<filterref> on a guest NIC: an nwfilter binding in the real modvirt-filterd.

modvirt-filterd and modvirt-qemud share one --root in a private network
namespace; the test makes a bridge and runs a dnsmasq that always gives the
guest's MAC the same address.  The tiny guest's interface has
<filterref filter='clean-traffic'> with that address as IP: qemud creates the
binding for the tap (filterd lists it, with the tap as port device and the
guest's MAC), the guest still gets its lease and pings the bridge while a ping
from a spoofed source address is dropped, and the binding is deleted when the
guest stops.  Without filterd, such a guest does
not start and the error names filterd and its socket.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
from mvtest import virsh  # noqa: E402
from mvnic import CTRL_RBRACKET, ConsoleMixin, interface_xml, ip, link, links  # noqa: E402

BRIDGE = "mvfbr0"
BRIDGE_IP = "192.168.79.1"
GUEST_IP = "192.168.79.20"
GUEST_MAC = "52:54:00:7f:00:01"
TAP = "mvftap0"


class FilteredNic(ConsoleMixin, unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix="mvt-")
        if os.environ.get("MV_TEST_KEEP") != "1":
            cls.addClassCleanup(shutil.rmtree, cls.root, True)
        cls.fd = mvtest.Daemon(root=cls.root, name="filter", binary=mvtest.FILTERD).start()
        cls.addClassCleanup(cls.fd.cleanup)
        cls.filter_uri = "nwfilter+unix:///system?socket=%s" % cls.fd.sock
        cls.d = mvtest.GuestDaemon(root=cls.root).start()
        cls.addClassCleanup(cls.d.cleanup)
        cls.uri = cls.d.uri
        cls.name = "fnic1"
        ip("link", "add", BRIDGE, "type", "bridge", "stp_state", "0", "forward_delay", "0")
        ip("addr", "add", BRIDGE_IP + "/24", "dev", BRIDGE)
        ip("link", "set", BRIDGE, "up")
        cls.dnsmasq = subprocess.Popen(
            ["dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--bind-interfaces",
             "--interface=" + BRIDGE, "--except-interface=lo", "--listen-address=" + BRIDGE_IP,
             "--dhcp-range=192.168.79.10,192.168.79.50,1h", "--port=0", "--no-ping",
             "--dhcp-host=%s,%s" % (GUEST_MAC, GUEST_IP), "--user=root",
             "--dhcp-leasefile=" + os.path.join(cls.root, "leases"),
             "--pid-file=" + os.path.join(cls.root, "dnsmasq.pid")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cls.addClassCleanup(mvtest.stop_process, cls.dnsmasq, 5)
        nic = """
    <interface type='bridge'>
      <mac address='%s'/>
      <source bridge='%s'/>
      <target dev='%s'/>
      <model type='virtio'/>
      <filterref filter='clean-traffic'>
        <parameter name='IP' value='%s'/>
      </filterref>
    </interface>""" % (GUEST_MAC, BRIDGE, TAP, GUEST_IP)
        xml = mvtest.write_file(os.path.join(cls.root, "fnic1.in.xml"),
                                mvtest.linux_guest_xml(cls.name, cls.root, extra_devices=nic))
        virsh(cls.uri, "define", xml, check=True)
        virsh(cls.uri, "start", cls.name, check=True)

    @classmethod
    def tearDownClass(cls):
        virsh(cls.uri, "destroy", cls.name)

    def bindings(self):
        return virsh(self.filter_uri, "nwfilter-binding-list", check=True).stdout

    def test_1_binding(self):
        """filterd holds a binding for the tap; the live XML keeps the filterref."""
        out = self.bindings()
        self.assertRegex(out, r"\b%s\s+clean-traffic\b" % TAP)
        xml = virsh(self.filter_uri, "nwfilter-binding-dumpxml", TAP, check=True).stdout
        self.assertIn("<mac address='%s'/>" % GUEST_MAC, xml)
        self.assertIn("<name>%s</name>" % self.name, xml)
        self.assertIn("value='%s'" % GUEST_IP, xml)
        self.assertIn("<filterref filter='clean-traffic'>",
                      interface_xml(self.uri, self.name)[0])
        self.assertEqual(link(TAP).get("master"), BRIDGE)

    def test_2_traffic(self):
        """clean-traffic lets the guest's DHCP and ping through."""
        self.assertEqual(self.wait_lease(self.root), GUEST_IP)
        reader, pos = self.attach()
        out, pos = self.guest_eval(reader, pos, "ping -c 1 -W 5 %s >/dev/null && echo PONG"
                                   % BRIDGE_IP)
        self.assertEqual(out, "PONG")
        # ... and drops what it is there to drop: a ping from an address not the IP given
        out, pos = self.guest_eval(reader, pos, "ip addr add 192.168.79.99/24 dev eth0; "
                                   "ping -c 1 -W 3 -I 192.168.79.99 %s >/dev/null && echo PONG "
                                   "|| echo DROPPED" % BRIDGE_IP)
        self.assertEqual(out, "DROPPED")
        out, pos = self.guest_eval(reader, pos, "ping -c 1 -W 5 %s >/dev/null && echo PONG"
                                   % BRIDGE_IP)
        self.assertEqual(out, "PONG")
        reader.send(CTRL_RBRACKET)

    def test_3_stop_unbinds(self):
        virsh(self.uri, "destroy", self.name, check=True)
        self.assertNotIn(TAP, self.bindings())
        self.assertTrue(mvtest.wait_for(lambda: link(TAP) is None, 10, 0.1))

    def test_9_filterd_gone(self):
        """Without filterd: an error naming it and its socket, and no tap left behind."""
        self.fd.stop()
        before = set(links())
        res = virsh(self.uri, "start", self.name)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("modvirt-filterd", res.stderr)
        self.assertIn(self.fd.sock, res.stderr)
        self.assertEqual(mvtest.domstate(self.uri, self.name), "shut off")
        self.assertEqual(set(links()), before)


if __name__ == "__main__":
    mvtest.require_root()
    mvtest.require_tools("dnsmasq", "ip")
    mvtest.require_qemu()
    mvtest.require_daemon()
    if not os.access(mvtest.FILTERD, os.X_OK):
        mvtest.mvtap.bail_out("filterd binary not found: %s (build it first)" % mvtest.FILTERD)
    mvtest.require_guest()          # may download: before leaving the host's network
    mvtest.enter_private_netns()
    mvtest.main()
