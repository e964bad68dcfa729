"""Networks and network ports through python3-libvirt against modvirt-networkd.

Inside a private network namespace: the API lifecycle (define, create,
destroy, undefine), listAllNetworks with every filter flag and the legacy
num/list calls, lookups, XMLDesc with and without INACTIVE, libvirt's error
codes, lifecycle events through the libvirt event loop, networkUpdate
live + config with a real dnsmasq (the host reaches its hosts file), DHCP
leases (empty, MAC filter), and network ports: create (answered with the
plug), lookup, list, XML, bandwidth parameters, delete, refused on an
inactive network and dropped when the network is destroyed.
"""

import os
import sys
import threading
import time
import unittest
import uuid as uuidlib
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import mvnet  # noqa: E402

libvirt = None


def port_xml(owner, mac, uuid=None, group=None, plug_bridge=None):
    out = ["<networkport>"]
    if uuid:
        out.append("  <uuid>%s</uuid>" % uuid)
    out.append("  <owner><name>%s</name><uuid>%s</uuid></owner>" % (owner, uuidlib.uuid4()))
    if group:
        out.append("  <group>%s</group>" % group)
    out.append("  <mac address='%s'/>" % mac)
    if plug_bridge:
        out.append("  <plug type='network' bridge='%s'/>" % plug_bridge)
    out.append("</networkport>")
    return "\n".join(out) + "\n"


class Networks(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.nd = mvnet.NetworkDaemon().start()

    @classmethod
    def tearDownClass(cls):
        cls.nd.cleanup()

    def setUp(self):
        self.conn = libvirt.open(self.nd.uri)

    def tearDown(self):
        for net in self.conn.listAllNetworks():
            persistent = net.isPersistent()
            if net.isActive():
                net.destroy()
            if persistent:
                net.undefine()
        self.conn.close()

    def assertLibvirtError(self, code, func, *args, contains=None):
        with self.assertRaises(libvirt.libvirtError) as cm:
            func(*args)
        err = cm.exception
        self.assertEqual(err.get_error_code(), code,
                         "code %s, message %r" % (err.get_error_code(), err.get_error_message()))
        self.assertEqual(err.get_error_domain(), mvnet.FROM_NETWORK, err.get_error_message())
        if contains:
            self.assertIn(contains, err.get_error_message())
        return err

    # -- lifecycle and queries -------------------------------------------------

    def test_lifecycle_and_errors(self):
        c = self.conn
        net = c.networkDefineXML(mvnet.network_xml("py1", bridge="mvpy1", ip="10.110.1.1"))
        self.assertEqual(net.name(), "py1")
        self.assertFalse(net.isActive())
        self.assertTrue(net.isPersistent())
        self.assertEqual(net.autostart(), 0)
        self.assertEqual(net.bridgeName(), "mvpy1")
        uuid = net.UUIDString()
        self.assertEqual(c.networkLookupByUUIDString(uuid).name(), "py1")
        self.assertEqual(c.networkLookupByName("py1").UUIDString(), uuid)

        self.assertLibvirtError(libvirt.VIR_ERR_OPERATION_INVALID, net.destroy,
                                contains="network 'py1' is not active")
        self.assertEqual(net.create(), 0)
        self.assertTrue(net.isActive())
        self.assertLibvirtError(libvirt.VIR_ERR_OPERATION_INVALID, net.create,
                                contains="network is already active")
        net.setAutostart(1)
        self.assertEqual(net.autostart(), 1)
        net.setAutostart(0)
        net.destroy()
        self.assertFalse(net.isActive())
        net.undefine()
        self.assertLibvirtError(libvirt.VIR_ERR_NO_NETWORK, c.networkLookupByName, "py1",
                                contains="Network not found: no network with matching name "
                                         "'py1'")
        self.assertLibvirtError(libvirt.VIR_ERR_NO_NETWORK, c.networkLookupByUUIDString, uuid,
                                contains="no network with matching uuid '%s'" % uuid)
        # a handle of a network that is gone
        self.assertLibvirtError(libvirt.VIR_ERR_NO_NETWORK, net.isActive)

        # transient: createXMLFlags with VALIDATE
        t = c.networkCreateXMLFlags(mvnet.network_xml("py1t", bridge="mvpy1t",
                                                      ip="10.110.2.1"),
                                    libvirt.VIR_NETWORK_CREATE_VALIDATE)
        self.assertTrue(t.isActive())
        self.assertFalse(t.isPersistent())
        self.assertLibvirtError(libvirt.VIR_ERR_OPERATION_INVALID, t.setAutostart, 1)
        t.destroy()
        self.assertLibvirtError(libvirt.VIR_ERR_NO_NETWORK, c.networkLookupByName, "py1t")

        # defineXMLFlags with VALIDATE; unknown flags refused
        d = c.networkDefineXMLFlags(mvnet.network_xml("py1v", ip="10.110.3.1"),
                                    libvirt.VIR_NETWORK_DEFINE_VALIDATE)
        self.assertTrue(d.bridgeName().startswith("virbr"), d.bridgeName())
        with self.assertRaises(libvirt.libvirtError) as cm:
            c.networkDefineXMLFlags(mvnet.network_xml("py1w", ip="10.110.4.1"), 1 << 7)
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_INVALID_ARG)

    def test_bad_xml_error(self):
        with self.assertRaises(libvirt.libvirtError) as cm:
            self.conn.networkDefineXML("<network><name>bad</name><ip address='10.0.0.1' "
                                       "prefix='24'><dhcp><bogus/></dhcp></ip></network>")
        err = cm.exception
        self.assertIn(err.get_error_code(), (libvirt.VIR_ERR_XML_ERROR,
                                             libvirt.VIR_ERR_XML_DETAIL))
        self.assertIn("/network/ip/dhcp", err.get_error_message())

    def test_list_all_flags_and_legacy_calls(self):
        c = self.conn
        a = c.networkDefineXML(mvnet.network_xml("la", bridge="mvla", ip="10.111.1.1"))
        b = c.networkDefineXML(mvnet.network_xml("lb", bridge="mvlb", ip="10.111.2.1"))
        t = c.networkCreateXML(mvnet.network_xml("lt", bridge="mvlt", ip="10.111.3.1"))
        a.create()
        a.setAutostart(1)

        def names(flags):
            return sorted(n.name() for n in c.listAllNetworks(flags))

        self.assertEqual(names(0), ["la", "lb", "lt"])
        self.assertEqual(names(libvirt.VIR_CONNECT_LIST_NETWORKS_ACTIVE), ["la", "lt"])
        self.assertEqual(names(libvirt.VIR_CONNECT_LIST_NETWORKS_INACTIVE), ["lb"])
        self.assertEqual(names(libvirt.VIR_CONNECT_LIST_NETWORKS_PERSISTENT), ["la", "lb"])
        self.assertEqual(names(libvirt.VIR_CONNECT_LIST_NETWORKS_TRANSIENT), ["lt"])
        self.assertEqual(names(libvirt.VIR_CONNECT_LIST_NETWORKS_AUTOSTART), ["la"])
        self.assertEqual(names(libvirt.VIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART), ["lb", "lt"])
        self.assertEqual(names(libvirt.VIR_CONNECT_LIST_NETWORKS_ACTIVE |
                               libvirt.VIR_CONNECT_LIST_NETWORKS_PERSISTENT), ["la"])
        self.assertEqual(names(libvirt.VIR_CONNECT_LIST_NETWORKS_ACTIVE |
                               libvirt.VIR_CONNECT_LIST_NETWORKS_INACTIVE), ["la", "lb", "lt"])
        with self.assertRaises(libvirt.libvirtError) as cm:
            c.listAllNetworks(1 << 10)
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_INVALID_ARG)

        self.assertEqual(c.numOfNetworks(), 2)
        self.assertEqual(sorted(c.listNetworks()), ["la", "lt"])
        self.assertEqual(c.numOfDefinedNetworks(), 1)
        self.assertEqual(c.listDefinedNetworks(), ["lb"])
        a.setAutostart(0)
        del b, t

    def test_xml_inactive(self):
        c = self.conn
        u = str(uuidlib.uuid4())
        net = c.networkDefineXML(mvnet.network_xml("xi", bridge="mvxi", ip="10.112.1.1", uuid=u))
        net.create()
        c.networkDefineXML(mvnet.network_xml("xi", bridge="mvxi", ip="10.112.1.1", uuid=u,
                                             extra="  <domain name='next.test'/>"))
        live = ET.fromstring(net.XMLDesc(0))
        inactive = ET.fromstring(net.XMLDesc(libvirt.VIR_NETWORK_XML_INACTIVE))
        self.assertIsNone(live.find("domain"))
        self.assertEqual(inactive.find("domain").get("name"), "next.test")
        self.assertEqual(live.find("uuid").text, u)
        net.destroy()
        self.assertEqual(ET.fromstring(net.XMLDesc(0)).find("domain").get("name"), "next.test")

    def test_read_only(self):
        net = self.conn.networkDefineXML(mvnet.network_xml("ro1", bridge="mvro1",
                                                           ip="10.118.1.1"))
        ro = libvirt.openReadOnly(self.nd.ro_uri)
        try:
            self.assertEqual([n.name() for n in ro.listAllNetworks()], ["ro1"])
            rnet = ro.networkLookupByName("ro1")
            self.assertIn("<name>ro1</name>", rnet.XMLDesc(0))
            self.assertFalse(rnet.isActive())
            for call in (lambda: ro.networkDefineXML(mvnet.network_xml("ro2")), rnet.create,
                         rnet.undefine, lambda: rnet.setAutostart(1)):
                with self.assertRaises(libvirt.libvirtError) as cm:
                    call()
                self.assertEqual(cm.exception.get_error_code(),
                                 libvirt.VIR_ERR_OPERATION_DENIED)
        finally:
            ro.close()
        self.assertFalse(net.isActive())
        self.assertEqual(net.autostart(), 0)

    def test_concurrent_clients(self):
        """8 connections define (automatic bridge names), start, stop and undefine
        at once: every network gets its own bridge, nothing is left. All eight are
        active together (a barrier) before any is destroyed: a network gone may
        rightly hand its bridge name to a later one."""
        errors, bridges = [], {}
        all_up = threading.Barrier(8)

        def worker(i):
            try:
                conn = libvirt.open(self.nd.uri)
                try:
                    net = conn.networkDefineXML(mvnet.network_xml("cc%d" % i,
                                                                  ip="10.121.%d.1" % i))
                    net.create()
                    bridges[i] = net.bridgeName()
                    try:
                        all_up.wait(60)
                    finally:
                        net.destroy()
                    net.undefine()
                finally:
                    conn.close()
            except Exception as e:      # reported below, with the worker's number
                errors.append("worker %d: %r" % (i, e))
                all_up.abort()

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(60)
        self.assertEqual(errors, [])
        self.assertEqual(len(set(bridges.values())), 8, bridges)
        self.assertEqual(self.conn.listAllNetworks(), [])
        self.assertEqual([b for b in mvnet.bridges() if b.startswith("virbr")], [])

    # -- events ------------------------------------------------------------------

    def test_lifecycle_events(self):
        seen = []
        done = threading.Event()

        def cb(conn, net, event, detail, opaque):
            seen.append((net.name(), event, detail))
            if event == libvirt.VIR_NETWORK_EVENT_UNDEFINED:
                done.set()

        conn = libvirt.open(self.nd.uri)
        cid = conn.networkEventRegisterAny(None, libvirt.VIR_NETWORK_EVENT_ID_LIFECYCLE, cb,
                                           None)
        try:
            net = self.conn.networkDefineXML(mvnet.network_xml("ev1", bridge="mvev1",
                                                               ip="10.113.1.1"))
            net.create()
            net.destroy()
            net.undefine()
            deadline = time.monotonic() + 10
            while not done.is_set() and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            conn.networkEventDeregisterAny(cid)
            conn.close()
        self.assertEqual(seen, [("ev1", libvirt.VIR_NETWORK_EVENT_DEFINED, 0),
                                ("ev1", libvirt.VIR_NETWORK_EVENT_STARTED, 0),
                                ("ev1", libvirt.VIR_NETWORK_EVENT_STOPPED, 0),
                                ("ev1", libvirt.VIR_NETWORK_EVENT_UNDEFINED, 0)])

    def test_event_filtered_by_network(self):
        seen = []
        a = self.conn.networkDefineXML(mvnet.network_xml("efa", bridge="mvefa",
                                                         ip="10.114.1.1"))
        b = self.conn.networkDefineXML(mvnet.network_xml("efb", bridge="mvefb",
                                                         ip="10.114.2.1"))
        conn = libvirt.open(self.nd.uri)
        cid = conn.networkEventRegisterAny(conn.networkLookupByName("efb"),
                                           libvirt.VIR_NETWORK_EVENT_ID_LIFECYCLE,
                                           lambda c, n, e, d, o: seen.append((n.name(), e)),
                                           None)
        try:
            a.create()
            b.create()
            deadline = time.monotonic() + 10
            while not seen and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.2)
        finally:
            conn.networkEventDeregisterAny(cid)
            conn.close()
        self.assertEqual(seen, [("efb", libvirt.VIR_NETWORK_EVENT_STARTED)])

    # -- ports -------------------------------------------------------------------

    def test_ports(self):
        c = self.conn
        net = c.networkDefineXML(mvnet.network_xml(
            "pt", bridge="mvpt", ip="10.115.1.1",
            extra="  <portgroup name='slow'>\n    <bandwidth>\n"
                  "      <inbound average='100' burst='200'/>\n    </bandwidth>\n"
                  "  </portgroup>"))
        self.assertLibvirtError(libvirt.VIR_ERR_OPERATION_INVALID, net.portCreateXML,
                                port_xml("vm1", "52:54:00:aa:00:01"),
                                contains="network 'pt' is not active")
        net.create()
        p1 = net.portCreateXML(port_xml("vm1", "52:54:00:aa:00:01"))
        doc = ET.fromstring(p1.XMLDesc(0))
        self.assertEqual(doc.find("plug").get("type"), "network")
        self.assertEqual(doc.find("plug").get("bridge"), "mvpt")
        self.assertEqual(doc.find("mac").get("address"), "52:54:00:aa:00:01")
        self.assertTrue(os.path.exists(os.path.join(self.nd.root, "run", "network", "ports",
                                                    "pt", p1.UUIDString() + ".xml")))
        self.assertIn("connections='1'", net.XMLDesc(0))

        u2 = str(uuidlib.uuid4())
        p2 = net.portCreateXML(port_xml("vm2", "52:54:00:aa:00:02", uuid=u2, group="slow"))
        self.assertEqual(p2.UUIDString(), u2)
        self.assertLibvirtError(libvirt.VIR_ERR_NETWORK_PORT_EXIST, net.portCreateXML,
                                port_xml("vm2", "52:54:00:aa:00:02", uuid=u2))
        self.assertLibvirtError(libvirt.VIR_ERR_INVALID_ARG, net.portCreateXML,
                                port_xml("vm3", "52:54:00:aa:00:03", group="nosuch"),
                                contains="no portgroup 'nosuch'")
        self.assertEqual(sorted(p.UUIDString() for p in net.listAllPorts()),
                         sorted([p1.UUIDString(), u2]))
        self.assertEqual(net.portLookupByUUIDString(u2).UUIDString(), u2)

        # bandwidth: inherited from the portgroup, then changed
        params = p2.parameters()
        self.assertEqual(params[libvirt.VIR_NETWORK_PORT_BANDWIDTH_IN_AVERAGE], 100)
        self.assertEqual(params[libvirt.VIR_NETWORK_PORT_BANDWIDTH_IN_BURST], 200)
        self.assertEqual(params[libvirt.VIR_NETWORK_PORT_BANDWIDTH_OUT_AVERAGE], 0)
        p2.setParameters({libvirt.VIR_NETWORK_PORT_BANDWIDTH_OUT_AVERAGE: 500,
                          libvirt.VIR_NETWORK_PORT_BANDWIDTH_IN_PEAK: 300})
        params = p2.parameters()
        self.assertEqual(params[libvirt.VIR_NETWORK_PORT_BANDWIDTH_OUT_AVERAGE], 500)
        self.assertEqual(params[libvirt.VIR_NETWORK_PORT_BANDWIDTH_IN_PEAK], 300)
        self.assertEqual(params[libvirt.VIR_NETWORK_PORT_BANDWIDTH_IN_AVERAGE], 100)
        self.assertIn("average='500'", p2.XMLDesc(0))

        p1.delete()
        self.assertLibvirtError(libvirt.VIR_ERR_NO_NETWORK_PORT, net.portLookupByUUIDString,
                                p1.UUIDString(), contains="no network port with matching uuid")
        self.assertLibvirtError(libvirt.VIR_ERR_NO_NETWORK_PORT, p1.XMLDesc, 0)
        self.assertEqual([p.UUIDString() for p in net.listAllPorts()], [u2])

        # destroying the network drops its ports (libvirt does the same)
        net.destroy()
        self.assertEqual(net.listAllPorts(), [])
        self.assertFalse(os.path.exists(os.path.join(self.nd.root, "run", "network", "ports",
                                                     "pt", u2 + ".xml")))
        net.create()
        self.assertEqual(net.listAllPorts(), [])

    def test_dhcp_update_live_and_leases(self):
        mvnet.require_dnsmasq()
        c = self.conn
        net = c.networkDefineXML(mvnet.network_xml("dh", bridge="mvdh", ip="10.116.1.1",
                                                   dhcp=("10.116.1.10", "10.116.1.50")))
        net.create()
        host = "<host mac='52:54:00:bb:00:01' name='hostA' ip='10.116.1.5'/>"
        flags = (libvirt.VIR_NETWORK_UPDATE_AFFECT_LIVE |
                 libvirt.VIR_NETWORK_UPDATE_AFFECT_CONFIG)
        pids = mvnet.dnsmasq_pids(self.nd.root)
        self.assertEqual(len(pids), 1, pids)
        net.update(libvirt.VIR_NETWORK_UPDATE_COMMAND_ADD_LAST,
                   libvirt.VIR_NETWORK_SECTION_IP_DHCP_HOST, -1, host, flags)
        self.assertIn("hostA", net.XMLDesc(0))
        self.assertIn("hostA", net.XMLDesc(libvirt.VIR_NETWORK_XML_INACTIVE))
        hosts = [os.path.join(d, f) for d, _, fs in os.walk(self.nd.root) for f in fs
                 if f == "dh.hostsfile"]
        self.assertEqual(len(hosts), 1, hosts)
        self.assertIn("52:54:00:bb:00:01", mvtest.read_text(hosts[0]))
        self.assertEqual(mvnet.dnsmasq_pids(self.nd.root), pids, "dnsmasq was restarted")
        # a duplicate is refused and changes nothing
        with self.assertRaises(libvirt.libvirtError) as cm:
            net.update(libvirt.VIR_NETWORK_UPDATE_COMMAND_ADD_LAST,
                       libvirt.VIR_NETWORK_SECTION_IP_DHCP_HOST, -1, host, flags)
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_OPERATION_INVALID)
        net.update(libvirt.VIR_NETWORK_UPDATE_COMMAND_DELETE,
                   libvirt.VIR_NETWORK_SECTION_IP_DHCP_HOST, -1, host,
                   libvirt.VIR_NETWORK_UPDATE_AFFECT_LIVE)
        self.assertNotIn("hostA", net.XMLDesc(0))
        self.assertIn("hostA", net.XMLDesc(libvirt.VIR_NETWORK_XML_INACTIVE))
        self.assertNotIn("52:54:00:bb:00:01", mvtest.read_text(hosts[0]))

        self.assertEqual(net.DHCPLeases(), [])
        self.assertEqual(net.DHCPLeases("52:54:00:bb:00:01"), [])
        net.destroy()
        self.assertEqual(mvnet.dnsmasq_pids(self.nd.root), [])
        self.assertEqual(net.DHCPLeases(), [])

    def test_real_lease(self):
        """A DHCP client behind a veth on the bridge: its lease shows in DHCPLeases()
        (and `virsh net-dhcp-leases`), filtered by MAC."""
        mvnet.require_dnsmasq()
        if not mvtest.shutil.which("busybox"):
            self.skipTest("busybox (udhcpc) is not installed")
        mac = "52:54:00:dd:00:01"
        net = self.conn.networkCreateXML(mvnet.network_xml(
            "ls", bridge="mvls", ip="10.119.1.1", dhcp=("10.119.1.10", "10.119.1.50"),
            hosts=[(mac, "guest1", "10.119.1.7")]))
        self.assertEqual(mvnet.dhcp_client("mvls", mac, "guest1"), "10.119.1.7")
        leases = mvtest.wait_for(lambda: net.DHCPLeases(), 10)
        self.assertEqual(len(leases), 1, leases)
        lease = leases[0]
        self.assertEqual(lease["mac"], mac)
        self.assertEqual(lease["ipaddr"], "10.119.1.7")
        self.assertEqual(lease["prefix"], 24)
        self.assertEqual(lease["type"], libvirt.VIR_IP_ADDR_TYPE_IPV4)
        self.assertEqual(lease["iface"], "mvls")
        self.assertEqual(lease["hostname"], "guest1")
        self.assertGreater(lease["expirytime"], time.time())
        self.assertEqual(len(net.DHCPLeases(mac.upper())), 1)
        self.assertEqual(net.DHCPLeases("52:54:00:dd:00:02"), [])
        out = mvtest.virsh(self.nd.uri, "net-dhcp-leases", "ls", check=True).stdout
        self.assertRegex(out, r"%s\s+ipv4\s+10\.119\.1\.7/24\s+guest1" % mac)
        net.destroy()

    def test_dhcp_host_change_keeps_dnsmasq(self):
        """A live DHCP host change reaches dnsmasq by SIGHUP: the same process."""
        mvnet.require_dnsmasq()
        net = self.conn.networkCreateXML(mvnet.network_xml(
            "dk", bridge="mvdk", ip="10.117.1.1", dhcp=("10.117.1.10", "10.117.1.50")))
        pids = mvnet.dnsmasq_pids(self.nd.root)
        net.update(libvirt.VIR_NETWORK_UPDATE_COMMAND_ADD_LAST,
                   libvirt.VIR_NETWORK_SECTION_IP_DHCP_HOST, -1,
                   "<host mac='52:54:00:bb:00:02' name='hostB' ip='10.117.1.5'/>",
                   libvirt.VIR_NETWORK_UPDATE_AFFECT_LIVE)
        self.assertEqual(mvnet.dnsmasq_pids(self.nd.root), pids)


def load_libvirt():
    global libvirt
    mvtest.require_python_libvirt()
    import libvirt as lv
    libvirt = lv
    libvirt.virEventRegisterDefaultImpl()

    def loop():
        while True:
            libvirt.virEventRunDefaultImpl()

    threading.Thread(target=loop, daemon=True).start()
    libvirt.registerErrorHandler(lambda ctx, err: None, None)


if __name__ == "__main__":
    mvtest.enter_private_netns()
    mvnet.require_networkd()
    load_libvirt()
    mvtest.main()
