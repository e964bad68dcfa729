#!/usr/bin/python3
"""Real guests on modvirt-networkd's networks, across the daemons (issues 10 and 11).

One private network namespace (the "host"); modvirt-filterd, modvirt-networkd,
modvirt-qemud and modvirt-proxyd share one --root.  Stock virsh and
python3-libvirt drive them, the networks are defined through the proxy.  A
second namespace ("outside", a veth from the host, the host's default route
through it) stands in for the world beyond a nat network.  The guests are the
tiny TCG Linux guest (udhcpc on eth0, a shell on the serial console).

1. isolated network: the guest's lease from networkd's dnsmasq shows in
   net-dhcp-leases, domifaddr --source lease and python3-libvirt (through
   the proxy); the guest pings the bridge and resolves the network's DNS
   hosts, also one added live with net-update;
2. two guests on one network ping each other;
3. networkd SIGKILLed and restarted while a guest runs: same bridge ifindex,
   same dnsmasq pid, the lease and the port are still there, the guest stays
   reachable during the outage and after; stopping the guest deletes its port;
4. <filterref filter='clean-traffic'> (IP given: filterd does not learn
   addresses): lease, ping, the binding in nwfilter-binding-list, a forged
   source address dropped, the binding gone when the guest stops; filterd
   SIGKILLed and restarted under such a guest: the rules hold throughout, the
   binding is taken back and deleted when the guest stops;
5. nat: the guest reaches the outside, which sees the host's uplink address
   as the source; an isolated network's guest (with a default route added by
   hand, and the outside routing back to it) cannot;
   a route network's guest reaches it with its own address;
6. virt-install through the proxy makes a guest whose NIC is on the network
   and gets a lease.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import mvnet  # noqa: E402
from mvtest import virsh  # noqa: E402
from mvnic import CTRL_RBRACKET, ConsoleMixin, interface_xml, link  # noqa: E402

ISO, ISO_BR, ISO_IP = "e2eiso", "mve2e0", "192.168.120.1"
NAT, NAT_BR, NAT_IP = "e2enat", "mve2e1", "192.168.121.1"
UPLINK, OUTSIDE = "198.51.100.1", "198.51.100.2"
MAC = {"g1": "52:54:00:e2:00:01", "g2": "52:54:00:e2:00:02", "gf": "52:54:00:e2:00:03",
       "gn": "52:54:00:e2:00:04", "gi": "52:54:00:e2:00:05", "gp1": "52:54:00:e2:00:06",
       "gp2": "52:54:00:e2:00:07", "gr": "52:54:00:e2:00:08"}
FILTER_GUEST_IP = "192.168.120.200"
FORGED_IP = "192.168.120.201"
TCP_PORT = 7777

ISO_XML = """<network>
  <name>%s</name>
  <bridge name='%s'/>
  <dns><host ip='192.168.120.5'><hostname>e2e-dns</hostname></host></dns>
  <ip address='%s' prefix='24'>
    <dhcp>
      <range start='192.168.120.10' end='192.168.120.50'/>
      <host mac='%s' name='gf' ip='%s'/>
    </dhcp>
  </ip>
</network>
""" % (ISO, ISO_BR, ISO_IP, MAC["gf"], FILTER_GUEST_IP)

NAT_XML = """<network>
  <name>%s</name>
  <forward mode='nat'/>
  <bridge name='%s'/>
  <ip address='%s' prefix='24'>
    <dhcp><range start='192.168.121.10' end='192.168.121.50'/></dhcp>
  </ip>
</network>
""" % (NAT, NAT_BR, NAT_IP)

S = {}          # the module's daemons, URIs and namespaces
namespaces = []


def sh(*cmd, check=True):
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=60,
                         stdin=subprocess.DEVNULL)
    if check and res.returncode != 0:
        raise AssertionError("%s failed (%d): %s" % (" ".join(cmd), res.returncode, res.stderr))
    return res


def in_outside(*cmd, check=True):
    return sh("nsenter", "-t", str(S["outside"]), "-n", *cmd, check=check)


def host_ping(addr):
    """A ping from the host namespace (busybox: the same tool in guest and host); an
    answer to any of 3 tries counts (a TCG guest on a busy machine can be slow)."""
    return any(sh("busybox", "ping", "-c", "1", "-W", "2", addr, check=False).returncode == 0
               for _ in range(3))


def make_outside():
    """The outside namespace: OUTSIDE on a veth whose host end has UPLINK; the host's
    default route goes through it; it routes the isolated subnet back (so only the
    firewall keeps the isolated guest in), not the nat one (so only masquerading lets
    answers come back)."""
    p = subprocess.Popen(["unshare", "-n", "sleep", "3600"], stdin=subprocess.DEVNULL)
    namespaces.append(p)
    mine = os.readlink("/proc/self/ns/net")
    if not mvtest.wait_for(lambda: os.readlink("/proc/%d/ns/net" % p.pid) != mine, 5):
        raise AssertionError("the outside namespace did not appear")
    S["outside"] = p.pid
    sh("ip", "link", "add", "mvup-h", "type", "veth", "peer", "name", "mvup-o")
    sh("ip", "link", "set", "mvup-o", "netns", str(p.pid))
    sh("ip", "addr", "add", UPLINK + "/24", "dev", "mvup-h")
    sh("ip", "link", "set", "mvup-h", "up")
    sh("ip", "route", "add", "default", "via", OUTSIDE)
    in_outside("ip", "link", "set", "lo", "up")
    in_outside("ip", "addr", "add", OUTSIDE + "/24", "dev", "mvup-o")
    in_outside("ip", "link", "set", "mvup-o", "up")
    in_outside("ip", "route", "add", "192.168.120.0/24", "via", UPLINK)
    in_outside("ip", "route", "add", "192.168.124.0/24", "via", UPLINK)    # the route network
    # echo requests counted by source, in the outside's own table
    subprocess.run(["nsenter", "-t", str(p.pid), "-n", "nft", "-f", "-"], check=True,
                   text=True, input="table ip seen {\n chain in {\n"
                   "  type filter hook input priority 0; policy accept;\n"
                   "  icmp type echo-request ip saddr %s counter\n"
                   "  icmp type echo-request ip saddr 192.168.120.0/24 counter\n"
                   "  icmp type echo-request ip saddr 192.168.121.0/24 counter\n"
                   "  icmp type echo-request ip saddr 192.168.124.0/24 counter\n"
                   "  tcp dport %d ip saddr %s counter\n"
                   "  tcp dport %d ip saddr 192.168.121.0/24 counter\n"
                   " }\n}\n" % (UPLINK, TCP_PORT, UPLINK, TCP_PORT))


def seen(proto="icmp"):
    """{source: packets} of the outside's counters of icmp echo requests or TCP
    connections to TCP_PORT."""
    out = in_outside("nft", "list", "table", "ip", "seen").stdout
    kind = "icmp type echo-request" if proto == "icmp" else "tcp dport %d" % TCP_PORT
    return {m.group(1): int(m.group(2))
            for m in re.finditer(r"%s ip saddr (\S+) counter packets (\d+)" % kind, out)}


def setUpModule():
    root = S["root"] = tempfile.mkdtemp(prefix="mvt-e2e-")
    if os.environ.get("MV_TEST_KEEP") != "1":
        unittest.addModuleCleanup(shutil.rmtree, root, True)
    unittest.addModuleCleanup(lambda: [(p.kill(), p.wait()) for p in namespaces])
    make_outside()
    S["fd"] = mvtest.Daemon(root=root, name="filter", binary=mvtest.FILTERD).start()
    unittest.addModuleCleanup(S["fd"].cleanup)
    S["nd"] = mvnet.NetworkDaemon(root=root).start()
    unittest.addModuleCleanup(S["nd"].cleanup)
    S["qd"] = mvtest.GuestDaemon(root=root).start()
    unittest.addModuleCleanup(S["qd"].cleanup)
    S["px"] = mvnet.ProxyDaemon(root).start()
    unittest.addModuleCleanup(S["px"].cleanup)
    # what a user types: one URI for everything, the proxy's
    S["uri"] = "qemu+unix:///system?socket=%s" % S["px"].sock
    for name, xml in ((ISO, ISO_XML), (NAT, NAT_XML)):
        path = mvtest.write_file(os.path.join(root, name + ".xml"), xml)
        virsh(S["uri"], "net-define", path, check=True)
        virsh(S["uri"], "net-start", name, check=True)
        # networkd leaves dnsmasq running when it stops: destroy while it runs
        unittest.addModuleCleanup(virsh, S["nd"].uri, "net-destroy", name)


def ports(net):
    return virsh(S["nd"].uri, "net-port-list", net, "--uuid", check=True).stdout.split()


def bindings():
    """{port device: filter} of nwfilter-binding-list."""
    out = virsh(S["uri"], "nwfilter-binding-list", check=True).stdout
    return dict(line.split()[:2] for line in out.splitlines()[2:] if line.strip())


def leases(net):
    """{mac: ip} of virsh net-dhcp-leases."""
    out = virsh(S["uri"], "net-dhcp-leases", net, check=True).stdout
    return {m.group(1): m.group(2) for m in
            re.finditer(r"([0-9a-f:]{17})\s+ipv4\s+([0-9.]+)/\d+", out)}


class GuestCase(ConsoleMixin, unittest.TestCase):
    """Guests on the module's networks, driven through qemud's own socket or the proxy."""

    def setUp(self):
        super().setUp()
        self.uri = S["qd"].uri
        self.started = []

    def tearDown(self):
        super().tearDown()
        for name in self.started:
            virsh(S["qd"].uri, "destroy", name)
            virsh(S["qd"].uri, "undefine", name)

    def start_guest(self, name, net, filterref=""):
        nic = """
    <interface type='network'>
      <mac address='%s'/>
      <source network='%s'/>
      <model type='virtio'/>%s
    </interface>""" % (MAC[name], net, filterref)
        xml = mvtest.write_file(os.path.join(S["root"], name + ".in.xml"), mvtest.linux_guest_xml(
            name, S["root"], extra_devices=nic, memory_mib=128))
        virsh(self.uri, "define", xml, check=True)
        self.started.append(name)
        self.forget_console(name)
        virsh(self.uri, "start", name, check=True)

    def forget_console(self, name):
        """An earlier run of the same guest left its console log: its lease line must not
        count for this boot."""
        try:
            os.unlink(mvtest.serial_log(S["root"], name))
        except FileNotFoundError:
            pass

    def lease_of(self, name):
        """The address the guest's udhcpc got (its console says so)."""
        self.name = name
        return self.wait_lease(S["root"])

    def guest(self, name, expr, timeout=30):
        """$(expr) in the guest's shell on its serial console."""
        self.name = name
        reader, pos = self.attach()
        out, _ = self.guest_eval(reader, pos, expr, timeout)
        reader.send(CTRL_RBRACKET)
        return out

    def guest_pings(self, name, addr, source=None):
        opt = "-I %s " % source if source else ""
        return self.guest(name, "ping -c 2 -W 3 %s%s >/dev/null 2>&1 && echo OK || echo NO"
                          % (opt, addr)) == "OK"

    def tap_of(self, name):
        nic = interface_xml(S["qd"].uri, name)[0]
        return re.search(r"<target dev='([^']+)'/>", nic).group(1)

    def port_of(self, name):
        nic = interface_xml(S["qd"].uri, name)[0]
        return re.search(r"portid='([0-9a-f-]{36})'", nic).group(1)


class T1Isolated(GuestCase):

    def test_1_lease_and_ping(self):
        """Isolated network: the lease in net-dhcp-leases, domifaddr --source lease and
        python3-libvirt through the proxy; the guest pings the bridge."""
        import libvirt
        self.start_guest("g1", ISO)
        addr = self.lease_of("g1")
        self.assertTrue(addr.startswith("192.168.120."), addr)
        self.assertTrue(mvtest.wait_for(lambda: leases(ISO).get(MAC["g1"]) == addr, 30, 0.2),
                        "net-dhcp-leases: %s" % leases(ISO))
        res = virsh(S["uri"], "domifaddr", "g1", "--source", "lease")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertRegex(res.stdout, r"%s\s+%s\s+ipv4\s+%s/24" % (
            self.tap_of("g1"), MAC["g1"], re.escape(addr)))
        conn = libvirt.open(S["uri"])
        try:
            got = conn.lookupByName("g1").interfaceAddresses(
                libvirt.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE)
            self.assertEqual([(v["hwaddr"], [a["addr"] for a in v["addrs"]])
                              for v in got.values()], [(MAC["g1"], [addr])])
            net_leases = conn.networkLookupByName(ISO).DHCPLeases(MAC["g1"])
            self.assertEqual([(x["mac"], x["ipaddr"], x["prefix"]) for x in net_leases],
                             [(MAC["g1"], addr, 24)])
            port = conn.networkLookupByName(ISO).listAllPorts()
            self.assertEqual([x.UUIDString() for x in port], [self.port_of("g1")])
            self.assertIn("<mac address='%s'/>" % MAC["g1"], port[0].XMLDesc())
        finally:
            conn.close()
        self.assertTrue(self.guest_pings("g1", ISO_IP))

    def test_1z_dns(self):
        """The guest resolves the network's DNS hosts at the bridge's dnsmasq, also one
        added live with net-update (what virt-manager does)."""
        self.start_guest("g1", ISO)
        self.lease_of("g1")
        self.assertRegex(self.guest("g1", "nslookup e2e-dns %s 2>&1" % ISO_IP),
                         r"192\.168\.120\.5(?!\d)")
        res = virsh(S["uri"], "net-update", ISO, "add", "dns-host",
                    "<host ip='192.168.120.6'><hostname>e2e-live</hostname></host>", "--live",
                    "--config")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.addCleanup(virsh, S["uri"], "net-update", ISO, "delete", "dns-host",
                        "<host ip='192.168.120.6'><hostname>e2e-live</hostname></host>",
                        "--live", "--config")
        self.assertTrue(mvtest.wait_for(lambda: re.search(r"192\.168\.120\.6(?!\d)", self.guest(
            "g1", "nslookup e2e-live %s 2>&1" % ISO_IP)), 10, 0.5), "the live DNS host")

    def test_2_two_guests(self):
        """Two guests on one network reach each other."""
        self.start_guest("g1", ISO)
        self.start_guest("g2", ISO)
        a1, a2 = self.lease_of("g1"), self.lease_of("g2")
        self.assertNotEqual(a1, a2)
        self.assertEqual(len(ports(ISO)), 2)
        self.assertTrue(self.guest_pings("g1", a2), "g1 cannot reach g2 at %s" % a2)
        self.assertTrue(self.guest_pings("g2", a1), "g2 cannot reach g1 at %s" % a1)
        # each learned the other's MAC on the way
        self.assertIn(MAC["g2"], self.guest("g1", "ip neigh show %s" % a2))


class T2PortIsolated(GuestCase):

    def test_2z_port_isolated(self):
        """<port isolated='yes'/>: two guests on such a network reach the bridge, not
        each other (their taps are isolated bridge ports)."""
        path = mvtest.write_file(os.path.join(S["root"], "e2eport.xml"), mvnet.network_xml(
            "e2eport", bridge="mve2e2", ip="192.168.123.1", dhcp=("192.168.123.10",
                                                                   "192.168.123.50"),
            extra="  <port isolated='yes'/>"))
        virsh(S["uri"], "net-create", path, check=True)
        self.addCleanup(virsh, S["uri"], "net-destroy", "e2eport")
        self.start_guest("gp1", "e2eport")
        self.start_guest("gp2", "e2eport")
        a1, a2 = self.lease_of("gp1"), self.lease_of("gp2")
        for tap in (self.tap_of("gp1"), self.tap_of("gp2")):
            self.assertTrue(link(tap)["linkinfo"]["info_slave_data"].get("isolated"), tap)
        self.assertTrue(self.guest_pings("gp1", "192.168.123.1"))
        self.assertTrue(self.guest_pings("gp2", "192.168.123.1"))
        self.assertFalse(self.guest_pings("gp1", a2), "isolated ports reach each other")
        self.assertFalse(self.guest_pings("gp2", a1), "isolated ports reach each other")


class T3Crash(GuestCase):

    def test_3_networkd_sigkill(self):
        """networkd SIGKILLed under a running guest: everything taken back, the guest
        reachable throughout, its port deleted when it stops."""
        nd = S["nd"]
        self.start_guest("g1", ISO)
        addr = self.lease_of("g1")
        port = self.port_of("g1")
        self.assertTrue(mvtest.wait_for(lambda: MAC["g1"] in leases(ISO), 30, 0.2))
        ifindex = link(ISO_BR)["ifindex"]
        dnsmasq = mvnet.dnsmasq_pids(S["root"])
        self.assertEqual(len(dnsmasq), 2, dnsmasq)     # one per network
        self.assertTrue(host_ping(addr))

        nd.kill9()
        # the outage: the bridge, dnsmasq and the guest's path stay
        self.assertTrue(host_ping(addr), "guest unreachable while networkd is down")
        self.assertTrue(self.guest_pings("g1", ISO_IP))
        self.assertEqual(mvnet.dnsmasq_pids(S["root"]), dnsmasq)
        nd.start()

        self.assertEqual(link(ISO_BR)["ifindex"], ifindex, "the bridge was recreated")
        self.assertEqual(mvnet.dnsmasq_pids(S["root"]), dnsmasq, "dnsmasq was restarted")
        self.assertEqual(leases(ISO).get(MAC["g1"]), addr)
        out = virsh(S["uri"], "net-list", check=True).stdout
        self.assertRegex(out, r"\b%s\s+active\b" % ISO)
        self.assertEqual(ports(ISO), [port])
        self.assertIn("<name>g1</name>",
                      virsh(S["uri"], "net-port-dumpxml", ISO, port, check=True).stdout)
        self.assertTrue(host_ping(addr), "guest unreachable after networkd's restart")
        self.assertTrue(self.guest_pings("g1", ISO_IP))

        virsh(S["qd"].uri, "destroy", "g1", check=True)
        self.assertEqual(ports(ISO), [], "the stopped guest's port is still there")
        # taken back, not merely left running: destroying the network stops that dnsmasq
        iso_dnsmasq = set(dnsmasq) - set(self.dnsmasq_of(NAT))
        self.assertEqual(len(iso_dnsmasq), 1, dnsmasq)
        virsh(S["uri"], "net-destroy", ISO, check=True)
        self.assertTrue(mvtest.wait_pid_gone(iso_dnsmasq.pop()),
                        "the network's dnsmasq outlived net-destroy: it was not taken back")
        self.assertIsNone(link(ISO_BR))
        virsh(S["uri"], "net-start", ISO, check=True)

    def dnsmasq_of(self, net):
        """The pid of the network's dnsmasq (the one whose config names the network)."""
        return [pid for pid in mvnet.dnsmasq_pids(S["root"])
                if ("/%s." % net).encode() in open("/proc/%d/cmdline" % pid, "rb").read()]


class T4Filter(GuestCase):

    def test_4_clean_traffic(self):
        """clean-traffic on a network NIC: lease, ping, binding; forged source dropped;
        the binding goes with the guest."""
        self.uri = S["uri"]         # this guest goes through the proxy
        self.start_guest("gf", ISO, """
      <filterref filter='clean-traffic'>
        <parameter name='IP' value='%s'/>
      </filterref>""" % FILTER_GUEST_IP)
        tap = self.tap_of("gf")
        self.assertEqual(bindings(), {tap: "clean-traffic"})
        xml = virsh(S["uri"], "nwfilter-binding-dumpxml", tap, check=True).stdout
        self.assertIn("<mac address='%s'/>" % MAC["gf"], xml)
        self.assertEqual(self.lease_of("gf"), FILTER_GUEST_IP)
        self.assertTrue(self.guest_pings("gf", ISO_IP))
        # a second address on the guest: its packets are dropped by no-ip-spoofing
        self.guest("gf", "ip addr add %s/24 dev eth0" % FORGED_IP)
        self.assertFalse(self.guest_pings("gf", ISO_IP, source=FORGED_IP))
        self.assertTrue(self.guest_pings("gf", ISO_IP, source=FILTER_GUEST_IP))
        virsh(S["uri"], "destroy", "gf", check=True)
        self.assertEqual(bindings(), {})


class T4FilterCrash(GuestCase):

    def test_4z_filterd_sigkill(self):
        """filterd SIGKILLed under a filtered guest: the rules stay in force during the
        outage and after the restart, the binding is taken back and deleted at stop."""
        self.start_guest("gf", ISO, """
      <filterref filter='clean-traffic'>
        <parameter name="IP" value='%s'/>
      </filterref>""" % FILTER_GUEST_IP)
        tap = self.tap_of("gf")
        self.assertEqual(self.lease_of("gf"), FILTER_GUEST_IP)
        self.guest("gf", "ip addr add %s/24 dev eth0" % FORGED_IP)
        S["fd"].kill9()
        self.assertTrue(self.guest_pings("gf", ISO_IP))
        self.assertFalse(self.guest_pings("gf", ISO_IP, source=FORGED_IP),
                         "the forged source got through while filterd was down")
        S["fd"].start()
        self.assertEqual(bindings(), {tap: "clean-traffic"})
        self.assertTrue(self.guest_pings("gf", ISO_IP))
        self.assertFalse(self.guest_pings("gf", ISO_IP, source=FORGED_IP),
                         "the forged source got through after filterd's restart")
        virsh(S["uri"], "destroy", "gf", check=True)
        self.assertEqual(bindings(), {})
        self.assertNotIn(tap, sh("nft", "list", "ruleset").stdout)


    def test_4zz_stopped_while_filterd_down(self):
        """A filtered guest stopped while filterd is down leaves its binding behind; the
        next guest on a tap of that name still starts (the stale binding is replaced)."""
        filterref = """
      <filterref filter='clean-traffic'>
        <parameter name="IP" value='%s'/>
      </filterref>""" % FILTER_GUEST_IP
        self.start_guest("gf", ISO, filterref)
        tap = self.tap_of("gf")
        S["fd"].kill9()
        virsh(S["qd"].uri, "destroy", "gf", check=True)
        S["fd"].start()
        self.assertEqual(bindings(), {tap: "clean-traffic"}, "no stale binding to replace")
        self.forget_console("gf")
        res = virsh(S["qd"].uri, "start", "gf")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(self.tap_of("gf"), tap, "the test needs the same tap name again")
        self.assertEqual(bindings(), {tap: "clean-traffic"})
        self.assertEqual(self.lease_of("gf"), FILTER_GUEST_IP)
        self.guest("gf", "ip addr add %s/24 dev eth0" % FORGED_IP)
        self.assertFalse(self.guest_pings("gf", ISO_IP, source=FORGED_IP))
        self.assertTrue(self.guest_pings("gf", ISO_IP))
        virsh(S["qd"].uri, "destroy", "gf", check=True)
        self.assertEqual(bindings(), {})


class T5Nat(GuestCase):

    def test_5_nat_and_isolated(self):
        """A nat network's guest reaches the outside masqueraded; an isolated one's not."""
        self.start_guest("gn", NAT)
        self.start_guest("gi", ISO)
        self.assertTrue(self.lease_of("gn").startswith("192.168.121."))
        before = seen()
        self.assertTrue(self.guest_pings("gn", OUTSIDE), "the nat guest cannot reach out")
        after = seen()
        self.assertGreater(after[UPLINK], before[UPLINK], after)
        self.assertEqual(after["192.168.121.0/24"], before["192.168.121.0/24"],
                         "the guest's own address reached the outside: not masqueraded")
        # TCP (masqueraded by the port-range rules): a line to a listener in the outside
        listener = subprocess.Popen(
            ["nsenter", "-t", str(S["outside"]), "-n", "busybox", "nc", "-l", "-p",
             str(TCP_PORT)], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        self.addCleanup(mvtest.stop_process, listener, 5)
        listening = lambda: ":%X " % TCP_PORT in in_outside(  # noqa: E731
            "cat", "/proc/net/tcp", "/proc/net/tcp6").stdout
        self.assertTrue(mvtest.wait_for(listening, 10, 0.1), "the outside's listener is not up")
        self.guest("gn", "echo hello-outside | nc -w 5 %s %d; echo sent" % (OUTSIDE, TCP_PORT))
        self.assertEqual(listener.communicate(timeout=30)[0].strip(), "hello-outside")
        tcp = seen("tcp")
        self.assertGreater(tcp[UPLINK], 0, tcp)
        self.assertEqual(tcp["192.168.121.0/24"], 0, tcp)
        # the isolated guest: a lease without a router; a default route by hand, and the
        # outside routes its subnet back, so only the firewall keeps it in
        self.lease_of("gi")
        self.guest("gi", "ip route add default via %s" % ISO_IP)
        self.assertFalse(self.guest_pings("gi", OUTSIDE), "the isolated guest got out")
        self.assertEqual(seen()["192.168.120.0/24"], after["192.168.120.0/24"])
        self.assertTrue(self.guest_pings("gi", ISO_IP))


class T5Route(GuestCase):

    def test_5z_route(self):
        """A route network's guest reaches the outside with its own address (forwarded,
        not masqueraded); once the network is gone its bridge and rules are too."""
        path = mvtest.write_file(os.path.join(S["root"], "e2eroute.xml"), mvnet.network_xml(
            "e2eroute", bridge="mve2e3", ip="192.168.124.1", forward="route",
            dhcp=("192.168.124.10", "192.168.124.50")))
        virsh(S["uri"], "net-create", path, check=True)
        self.addCleanup(virsh, S["uri"], "net-destroy", "e2eroute")
        self.start_guest("gr", "e2eroute")
        self.assertTrue(self.lease_of("gr").startswith("192.168.124."))
        before = seen()
        self.assertTrue(self.guest_pings("gr", OUTSIDE), "the route guest cannot reach out")
        after = seen()
        self.assertGreater(after["192.168.124.0/24"], before["192.168.124.0/24"], after)
        self.assertEqual(after[UPLINK], before[UPLINK], "the route network masqueraded")


class T6VirtInstall(GuestCase):

    def test_6_virt_install(self):
        """virt-install through the proxy: the guest's NIC is on the network, gets a lease."""
        if not shutil.which("virt-install"):
            self.skipTest("virt-install is not installed (Debian: virtinst)")
        g = mvtest.GUEST_DIR
        self.started.append("vi")
        res = subprocess.run(
            ["virt-install", "--connect", S["uri"], "--name", "vi", "--memory", "128",
             "--vcpus", "1", "--network", "network=%s" % ISO,
             "--boot", "kernel=%s/vmlinuz,initrd=%s/initrd.gz,"
             "kernel_args=console=ttyS0 quiet panic=-1" % (g, g),
             "--disk", "none", "--graphics", "none", "--serial", "pty",
             "--import", "--noautoconsole", "--virt-type", "qemu", "--osinfo", "linux2020"],
            capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
            env=dict(os.environ, HOME=S["root"]))
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        nic = interface_xml(S["qd"].uri, "vi")[0]
        mac = re.search(r"<mac address='([0-9a-f:]{17})'/>", nic).group(1)
        self.assertIn("<source network='%s' portid=" % ISO, nic)
        self.assertEqual(len(ports(ISO)), 1)
        addr = self.lease_of("vi")
        self.assertTrue(mvtest.wait_for(lambda: leases(ISO).get(mac) == addr, 30, 0.2),
                        leases(ISO))


if __name__ == "__main__":
    mvtest.require_root()
    mvtest.require_tools("dnsmasq", "ip", "nft", "busybox", "nsenter", "unshare")
    mvtest.require_qemu()
    mvtest.require_daemon()
    mvtest.require_python_libvirt()
    for binary in (mvtest.NETWORKD, mvtest.FILTERD, mvnet.PROXYD):
        if not os.access(binary, os.X_OK):
            mvtest.mvtap.bail_out("not built: %s (build it first)" % binary)
    mvtest.require_guest()          # may download: before leaving the host's network
    mvtest.enter_private_netns()
    mvtest.main()
