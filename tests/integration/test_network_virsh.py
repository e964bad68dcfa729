"""Networks through stock virsh against a real modvirt-networkd.

Inside a private network namespace: persistent and transient networks
through their whole life (the bridge really appears with its address and
goes away), redefine while running, name/UUID uniqueness, invalid
operations with libvirt's errors, every net-list filter, autostart when the
daemon starts, bad XML (the path named), overlapping subnets and a bridge
name taken on the host, net-update of a DHCP host in the config, and
`virsh net-event --loop`. Every case runs twice: on networkd's own socket
and through the proxy (network:///system routed by the registry).
"""

import os
import re
import signal
import subprocess
import sys
import time
import unittest
import uuid as uuidlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import mvnet  # noqa: E402
from mvtest import virsh  # noqa: E402


def field(text, key):
    m = re.search(r"^%s:\s*(.*)$" % re.escape(key), text, re.M)
    if not m:
        raise AssertionError("no %r in:\n%s" % (key, text))
    return m.group(1).strip()


class Base:
    """The cases; the subclasses say which socket (self.uri) they go through."""

    root = None
    nd = None
    px = None

    @classmethod
    def setUpClass(cls):
        cls.nd = mvnet.NetworkDaemon().start()
        cls.px = mvnet.ProxyDaemon(cls.nd.root).start()
        cls.root = cls.nd.root

    @classmethod
    def tearDownClass(cls):
        cls.px.cleanup()
        cls.nd.cleanup()

    def setUp(self):
        self.uri = self.the_uri()
        self.names = []

    def tearDown(self):
        for name in self.names:
            virsh(self.uri, "net-destroy", name)
            virsh(self.uri, "net-undefine", name)

    def xml_file(self, name, text):
        self.names.append(name)
        return mvtest.write_file(os.path.join(self.root, "%s-%s.xml" % (name, self.tag)), text)

    def ok(self, *args):
        res = virsh(self.uri, *args)
        self.assertEqual(res.returncode, 0, "virsh %s: %s%s" % (" ".join(args), res.stdout,
                                                                 res.stderr))
        self.assertNotIn("error:", res.stderr)
        return res

    def fails(self, *args, contains):
        res = virsh(self.uri, *args)
        self.assertNotEqual(res.returncode, 0, "virsh %s succeeded: %s" % (" ".join(args),
                                                                          res.stdout))
        self.assertIn(contains, res.stderr)
        return res

    def net(self, n):
        """A name, bridge and subnet unique to this case and socket."""
        return ("%s-%s" % (self.tag, n), "mv%s%d" % (self.tag, n),
                "10.%d.%d.1" % (self.octet, n))

    # -- the cases ----------------------------------------------------------

    def test_persistent_lifecycle(self):
        name, br, ip = self.net(1)
        path = self.xml_file(name, mvnet.network_xml(name, bridge=br, ip=ip))
        self.assertIn("Network %s defined" % name, self.ok("net-define", path).stdout)
        self.assertTrue(os.path.exists(os.path.join(self.root, "etc", "network",
                                                    name + ".xml")))
        info = self.ok("net-info", name).stdout
        self.assertEqual(field(info, "Active"), "no")
        self.assertEqual(field(info, "Persistent"), "yes")
        self.assertEqual(field(info, "Bridge"), br)
        self.assertIsNone(mvnet.link(br))

        self.assertIn("Network %s started" % name, self.ok("net-start", name).stdout)
        self.assertEqual(field(self.ok("net-info", name).stdout, "Active"), "yes")
        lk = mvnet.link(br)
        self.assertIsNotNone(lk, "bridge %s not created" % br)
        self.assertEqual(lk["linkinfo"]["info_kind"], "bridge")
        self.assertIn("UP", lk["flags"])
        self.assertEqual(mvnet.addresses(br), [ip + "/24"])
        self.assertTrue(os.path.exists(os.path.join(self.root, "run", "network",
                                                    name + ".xml")))
        self.fails("net-start", name, contains="network is already active")

        self.assertIn("Network %s destroyed" % name, self.ok("net-destroy", name).stdout)
        self.assertIsNone(mvnet.link(br), "bridge %s left behind" % br)
        self.assertFalse(os.path.exists(os.path.join(self.root, "run", "network",
                                                     name + ".xml")))
        self.fails("net-destroy", name,
                   contains="Requested operation is not valid: network '%s' is not active"
                   % name)
        self.assertIn("Network %s has been undefined" % name,
                      self.ok("net-undefine", name).stdout)
        self.fails("net-info", name,
                   contains="Network not found: no network with matching name '%s'" % name)
        self.assertFalse(os.path.exists(os.path.join(self.root, "etc", "network",
                                                     name + ".xml")))

    def test_transient(self):
        name, br, ip = self.net(2)
        path = self.xml_file(name, mvnet.network_xml(name, bridge=br, ip=ip))
        self.assertIn("Network %s created" % name, self.ok("net-create", path).stdout)
        info = self.ok("net-info", name).stdout
        self.assertEqual(field(info, "Active"), "yes")
        self.assertEqual(field(info, "Persistent"), "no")
        self.assertIsNotNone(mvnet.link(br))
        self.fails("net-autostart", name, contains="transient")
        self.fails("net-undefine", name, contains="transient")
        self.ok("net-destroy", name)
        self.assertIsNone(mvnet.link(br))
        self.fails("net-info", name, contains="Network not found")

    def test_undefine_running_keeps_it_transient(self):
        name, br, ip = self.net(3)
        path = self.xml_file(name, mvnet.network_xml(name, bridge=br, ip=ip))
        self.ok("net-define", path)
        self.ok("net-start", name)
        self.ok("net-undefine", name)
        info = self.ok("net-info", name).stdout
        self.assertEqual(field(info, "Active"), "yes")
        self.assertEqual(field(info, "Persistent"), "no")
        self.ok("net-destroy", name)
        self.fails("net-info", name, contains="Network not found")

    def test_redefine_while_running(self):
        name, br, ip = self.net(4)
        u = str(uuidlib.uuid4())
        path = self.xml_file(name, mvnet.network_xml(name, bridge=br, ip=ip, uuid=u))
        self.ok("net-define", path)
        self.ok("net-start", name)
        mvtest.write_file(path, mvnet.network_xml(name, bridge=br, ip=ip, uuid=u,
                                                  extra="  <domain name='redef.test'/>"))
        self.ok("net-define", path)
        self.assertNotIn("redef.test", self.ok("net-dumpxml", name).stdout)
        self.assertIn("redef.test", self.ok("net-dumpxml", "--inactive", name).stdout)
        self.ok("net-destroy", name)
        self.assertIn("redef.test", self.ok("net-dumpxml", name).stdout)
        # a redefine of an inactive network replaces the definition at once
        mvtest.write_file(path, mvnet.network_xml(name, bridge=br, ip=ip, uuid=u))
        self.ok("net-define", path)
        self.assertNotIn("redef.test", self.ok("net-dumpxml", name).stdout)

    def test_uniqueness(self):
        name, br, ip = self.net(5)
        other, br2, ip2 = self.net(6)
        u = str(uuidlib.uuid4())
        self.ok("net-define", self.xml_file(name, mvnet.network_xml(name, bridge=br, ip=ip,
                                                                     uuid=u)))
        # the same UUID under another name
        self.fails("net-define", self.xml_file(other, mvnet.network_xml(other, bridge=br2,
                                                                         ip=ip2, uuid=u)),
                   contains="network '%s' is already defined with uuid %s" % (name, u))
        # the same name with another UUID
        self.fails("net-define", self.xml_file(name, mvnet.network_xml(
            name, bridge=br, ip=ip, uuid=str(uuidlib.uuid4()))),
            contains="network '%s' already exists with uuid %s" % (name, u))
        # a bridge name another network's definition uses
        self.fails("net-define", self.xml_file(other, mvnet.network_xml(other, bridge=br,
                                                                         ip=ip2)),
                   contains="bridge name '%s' already in use by network '%s'" % (br, name))
        self.fails("net-info", other, contains="Network not found")

    def test_list_filters(self):
        a, bra, ipa = self.net(7)        # persistent, active, autostart
        b, brb, ipb = self.net(8)        # persistent, inactive
        c, brc, ipc = self.net(9)        # transient, active
        self.ok("net-define", self.xml_file(a, mvnet.network_xml(a, bridge=bra, ip=ipa)))
        self.ok("net-define", self.xml_file(b, mvnet.network_xml(b, bridge=brb, ip=ipb)))
        self.ok("net-create", self.xml_file(c, mvnet.network_xml(c, bridge=brc, ip=ipc)))
        self.ok("net-start", a)
        self.ok("net-autostart", a)
        self.assertEqual(field(self.ok("net-info", a).stdout, "Autostart"), "yes")

        def listed(*flags):
            out = self.ok("net-list", "--name", *flags).stdout
            return sorted(n for n in out.split() if n.startswith(self.tag + "-"))

        self.assertEqual(listed("--all"), sorted([a, b, c]))
        self.assertEqual(listed(), sorted([a, c]))
        self.assertEqual(listed("--inactive"), [b])
        self.assertEqual(listed("--all", "--persistent"), sorted([a, b]))
        self.assertEqual(listed("--all", "--transient"), [c])
        self.assertEqual(listed("--all", "--autostart"), [a])
        self.assertEqual(listed("--all", "--no-autostart"), sorted([b, c]))
        table = self.ok("net-list", "--all").stdout
        self.assertRegex(table, r"(?m)^\s*%s\s+active\s+yes\s+yes\s*$" % re.escape(a))
        self.assertRegex(table, r"(?m)^\s*%s\s+inactive\s+no\s+yes\s*$" % re.escape(b))
        self.assertRegex(table, r"(?m)^\s*%s\s+active\s+no\s+no\s*$" % re.escape(c))
        self.ok("net-autostart", "--disable", a)
        self.assertEqual(listed("--all", "--autostart"), [])
        self.assertFalse(os.path.exists(os.path.join(self.root, "etc", "network", "autostart",
                                                     a + ".xml")))

    def test_bad_xml_names_the_path(self):
        name, br, ip = self.net(10)
        bad = self.xml_file(name, "<network>\n  <name>%s</name>\n  <bridge name='%s' "
                                  "colour='red'/>\n</network>\n" % (name, br))
        res = self.fails("net-define", bad, contains="error:")
        self.assertIn("/network/bridge", res.stderr)
        self.fails("net-info", name, contains="Network not found")
        self.assertIn("Name", self.ok("net-list", "--all").stdout)   # still serving

    def test_overlapping_subnet(self):
        a, bra, ipa = self.net(11)
        b, brb, _ = self.net(12)
        self.ok("net-define", self.xml_file(a, mvnet.network_xml(a, bridge=bra, ip=ipa)))
        # the same /24 inside a /16
        ipb = ipa.rsplit(".", 2)[0] + ".200.1"
        self.ok("net-define", self.xml_file(b, mvnet.network_xml(b, bridge=brb, ip=ipb,
                                                                  prefix=16)))
        self.ok("net-start", a)
        res = self.fails("net-start", b, contains="overlaps")
        self.assertIn(a, res.stderr)
        self.assertIsNone(mvnet.link(brb), "half-made bridge left behind")
        self.ok("net-destroy", a)
        self.ok("net-start", b)
        self.fails("net-start", a, contains="overlaps")

    def test_bridge_taken_on_host(self):
        name, br, ip = self.net(13)
        subprocess.run(["ip", "link", "add", br, "type", "veth", "peer", "name", br + "x"],
                       check=True)
        try:
            self.ok("net-define", self.xml_file(name, mvnet.network_xml(name, bridge=br,
                                                                         ip=ip)))
            self.fails("net-start", name,
                       contains="bridge name '%s' of network '%s' is in use by another "
                                "interface" % (br, name))
            self.assertEqual(mvnet.link(br)["linkinfo"]["info_kind"], "veth")
            self.assertEqual(field(self.ok("net-info", name).stdout, "Active"), "no")
        finally:
            subprocess.run(["ip", "link", "del", br], check=True)
        self.ok("net-start", name)

    def test_forward_bridge_uses_host_bridge(self):
        name, br, _ = self.net(17)
        path = self.xml_file(name, "<network>\n  <name>%s</name>\n  <forward mode='bridge'/>\n"
                                   "  <bridge name='%s'/>\n</network>\n" % (name, br))
        self.ok("net-define", path)
        self.fails("net-start", name, contains="host bridge '%s', which does not exist" % br)
        subprocess.run(["ip", "link", "add", br, "type", "bridge"], check=True)
        try:
            ifindex = mvnet.link(br)["ifindex"]
            self.ok("net-start", name)
            port = mvtest.write_file(os.path.join(self.root, "port-%s.xml" % self.tag),
                                     "<networkport><owner><name>vm</name><uuid>"
                                     "4f0c6b5a-2d1e-4c3b-9a8f-7e6d5c4b3a21</uuid></owner>"
                                     "<mac address='52:54:00:ee:00:01'/></networkport>\n")
            self.ok("net-port-create", name, port)
            uuid = self.ok("net-port-list", name, "--uuid").stdout.split()[0]
            self.assertIn("<plug type='bridge' bridge='%s'" % br,
                          self.ok("net-port-dumpxml", name, uuid).stdout)
            self.ok("net-destroy", name)
            self.assertEqual(mvnet.link(br)["ifindex"], ifindex, "the host's bridge was touched")
        finally:
            subprocess.run(["ip", "link", "del", br], check=True)

    def test_update_dhcp_host_config(self):
        name, br, ip = self.net(14)
        base = ip.rsplit(".", 1)[0]
        self.ok("net-define", self.xml_file(name, mvnet.network_xml(
            name, bridge=br, ip=ip, dhcp=(base + ".10", base + ".100"))))
        host = "<host mac='52:54:00:00:00:%02x' name='h1' ip='%s.50'/>" % (self.octet, base)
        self.ok("net-update", name, "add", "ip-dhcp-host", host, "--config")
        self.assertIn("name='h1'", self.ok("net-dumpxml", name).stdout)
        saved = mvtest.read_text(os.path.join(self.root, "etc", "network", name + ".xml"))
        self.assertIn("name='h1'", saved)
        self.fails("net-update", name, "add", "ip-dhcp-host", host, "--live",
                   contains="not active")
        self.ok("net-update", name, "delete", "ip-dhcp-host", host, "--config")
        self.assertNotIn("name='h1'", self.ok("net-dumpxml", name).stdout)

    def test_bandwidth_on_the_bridge(self):
        name, br, ip = self.net(16)
        self.ok("net-create", self.xml_file(name, mvnet.network_xml(
            name, bridge=br, ip=ip,
            extra="  <bandwidth>\n    <inbound average='1000' peak='2000' burst='1024'/>\n"
                  "    <outbound average='500'/>\n  </bandwidth>")))
        qdiscs = subprocess.run(["tc", "qdisc", "show", "dev", br], capture_output=True,
                                text=True, check=True).stdout
        self.assertIn("qdisc htb 1: root", qdiscs)
        self.assertIn("qdisc ingress", qdiscs)
        ifb = "mvifb%d" % mvnet.link(br)["ifindex"]
        self.assertIsNotNone(mvnet.link(ifb))
        self.ok("net-destroy", name)
        self.assertIsNone(mvnet.link(ifb), "ifb device left behind")

    def test_events_loop(self):
        name, br, ip = self.net(15)
        path = self.xml_file(name, mvnet.network_xml(name, bridge=br, ip=ip))
        cmd = ["virsh", "-c", self.uri, "net-event", "--loop", "--event", "lifecycle"]
        env = dict(os.environ, LC_ALL="C")
        ev = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env=env)
        try:
            time.sleep(0.5)      # registered (virsh prints nothing until the first event)
            self.ok("net-define", path)
            self.ok("net-start", name)
            self.ok("net-destroy", name)
            self.ok("net-undefine", name)
            time.sleep(0.5)
        finally:
            ev.send_signal(signal.SIGINT)
            out, _ = ev.communicate(timeout=10)
        seen = re.findall(r"event 'lifecycle' for network %s: (\w+)" % re.escape(name), out)
        self.assertEqual(seen, ["Defined", "Started", "Stopped", "Undefined"], out)


class OwnSocket(Base, unittest.TestCase):
    tag = "o"
    octet = 101

    def the_uri(self):
        return self.nd.uri


class ThroughProxy(Base, unittest.TestCase):
    tag = "p"
    octet = 102

    def the_uri(self):
        return self.px.uri


class Firewall(unittest.TestCase):
    """nat/route networks need modvirt-filterd's rules; isolated ones go without."""

    def test_nat_needs_filterd(self):
        nd = mvnet.NetworkDaemon().start()
        fd = None
        try:
            xml = mvnet.network_xml("nat1", bridge="mvnat1", ip="10.104.1.1", forward="nat")
            path = mvtest.write_file(os.path.join(nd.root, "nat1.xml"), xml)
            virsh(nd.uri, "net-define", path, check=True)
            res = virsh(nd.uri, "net-start", "nat1")
            self.assertNotEqual(res.returncode, 0)
            self.assertIn("modvirt-filterd", res.stderr)
            self.assertIn(os.path.join(nd.root, "run", "filter.sock"), res.stderr)
            self.assertIsNone(mvnet.link("mvnat1"), "half-made bridge left behind")
            self.assertFalse(os.path.exists(os.path.join(nd.root, "run", "network",
                                                         "nat1.xml")))
            # an isolated network works without filterd
            iso = mvtest.write_file(os.path.join(nd.root, "iso1.xml"),
                                    mvnet.network_xml("iso1", bridge="mviso1", ip="10.104.2.1"))
            virsh(nd.uri, "net-create", iso, check=True)
            virsh(nd.uri, "net-destroy", "iso1", check=True)

            if not os.access(mvtest.FILTERD, os.X_OK):
                self.skipTest("modvirt-filterd is not built")
            fd = mvtest.Daemon(root=nd.root, binary=mvtest.FILTERD, name="filter").start()
            virsh(nd.uri, "net-start", "nat1", check=True)
            rules = mvtest.subprocess.run(["nft", "list", "ruleset"], capture_output=True,
                                          text=True, check=True).stdout
            self.assertIn("mvnat1", rules)
            self.assertIn("10.104.1.0/24", rules)
            virsh(nd.uri, "net-destroy", "nat1", check=True)
            rules = mvtest.subprocess.run(["nft", "list", "ruleset"], capture_output=True,
                                          text=True, check=True).stdout
            self.assertNotIn("mvnat1", rules)
        finally:
            if fd:
                fd.cleanup()
            nd.cleanup()


class Autostart(unittest.TestCase):
    """Autostart networks start when the daemon starts; others stay down."""

    def test_autostart_at_daemon_start(self):
        nd = mvnet.NetworkDaemon().start()
        try:
            for n, auto in (("auto1", True), ("manual1", False)):
                path = mvtest.write_file(os.path.join(nd.root, n + ".xml"), mvnet.network_xml(
                    n, bridge="mv" + n, ip="10.103.%d.1" % (1 if auto else 2)))
                virsh(nd.uri, "net-define", path, check=True)
                if auto:
                    virsh(nd.uri, "net-autostart", n, check=True)
            self.assertIsNone(mvnet.link("mvauto1"))
            nd.stop()
            nd.start()
            self.assertIsNotNone(mvnet.link("mvauto1"), "autostart network not started")
            self.assertIsNone(mvnet.link("mvmanual1"))
            out = virsh(nd.uri, "net-list", "--name", check=True).stdout.split()
            self.assertEqual(out, ["auto1"])
            virsh(nd.uri, "net-destroy", "auto1", check=True)
        finally:
            nd.cleanup()


if __name__ == "__main__":
    mvtest.enter_private_netns()
    mvnet.require_networkd()
    mvtest.main()
