#!/usr/bin/python3
"""Network filters and bindings through stock virsh and python3-libvirt, on
modvirt-filterd's socket and through modvirt-proxyd, in a private network
namespace (bindings write the kernel's `bridge modvirt` table):

- the shipped filters are there at the first start (nwfilter-list);
- define, dumpxml (canonical, with the UUID), undefine; legacy list calls;
- binding create / list / dumpxml / delete; the rules appear and go;
- undefining a filter a binding uses is refused naming the binding;
- include loops, unknown filters, unknown variables: clear errors, nothing applied;
- the bindings survive a restart of filterd (also after SIGKILL);
- the same calls through the proxy."""

import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import unittest  # noqa: E402

PROXYD = os.environ.get("MV_PROXYD", os.path.join(mvtest.BUILD_ROOT, "proxy", "modvirt-proxyd"))
SHIPPED = ["allow-arp", "allow-dhcp", "allow-dhcp-server", "allow-incoming-ipv4", "allow-ipv4",
           "clean-traffic", "no-arp-ip-spoofing", "no-arp-mac-spoofing", "no-arp-spoofing",
           "no-ip-spoofing", "no-mac-broadcast", "no-mac-spoofing", "no-other-l2-traffic",
           "no-other-rarp-traffic", "qemu-announce-self", "qemu-announce-self-rarp"]
WEB = """<filter name='web' chain='ipv4'>
  <rule action='accept' direction='in' priority='100'>
    <tcp dstportstart='80'/>
  </rule>
  <filterref filter='no-ip-spoofing'/>
</filter>
"""
OWNER = "<owner><name>g1</name><uuid>7b1c3e52-42a8-4d4f-a1ce-0d4e3b6b9a02</uuid></owner>"


def binding(port, filt, params=()):
    ps = "".join("<parameter name='%s' value='%s'/>" % p for p in params)
    return ("<filterbinding>%s<portdev name='%s'/><mac address='52:54:00:00:00:0a'/>"
            "<filterref filter='%s'>%s</filterref></filterbinding>" % (OWNER, port, filt, ps))


def table():
    res = subprocess.run(["nft", "list", "table", "bridge", "modvirt"], capture_output=True,
                         text=True, timeout=30)
    return res.stdout if res.returncode == 0 else ""


class VirshCase(unittest.TestCase):
    uri = None

    def virsh(self, *args, check=True):
        res = subprocess.run(["virsh", "-q", "-c", self.uri] + list(args), capture_output=True,
                             text=True, timeout=60, stdin=subprocess.DEVNULL)
        if check and res.returncode != 0:
            raise AssertionError("virsh %s failed: %s" % (" ".join(args), res.stderr))
        return res

    def file(self, text):
        f = tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False)
        f.write(text)
        f.close()
        self.addCleanup(os.unlink, f.name)
        return f.name

    def names(self):
        out = self.virsh("nwfilter-list").stdout
        return sorted(line.split()[1] for line in out.splitlines() if line.strip())

    def test_1_shipped_filters(self):
        self.assertTrue(set(SHIPPED) <= set(self.names()))
        xml = self.virsh("nwfilter-dumpxml", "clean-traffic").stdout
        self.assertIn("<filter name='clean-traffic' chain='root'>", xml)
        self.assertIn("<filterref filter='no-mac-spoofing'/>", xml)

    def test_2_define_dump_undefine(self):
        self.virsh("nwfilter-define", self.file(WEB))
        self.assertIn("web", self.names())
        xml = self.virsh("nwfilter-dumpxml", "web").stdout
        self.assertIn("<uuid>", xml)
        self.assertIn("<tcp dstportstart='80'/>", xml)
        # redefining keeps the UUID
        uuid = xml.split("<uuid>")[1].split("<")[0]
        self.virsh("nwfilter-define", self.file(WEB.replace("'80'", "'81'")))
        xml2 = self.virsh("nwfilter-dumpxml", uuid).stdout
        self.assertIn("<tcp dstportstart='81'/>", xml2)
        self.virsh("nwfilter-undefine", "web")
        self.assertNotIn("web", self.names())
        res = self.virsh("nwfilter-dumpxml", "web", check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("no nwfilter with matching name 'web'", res.stderr)

    def test_3_bindings(self):
        self.virsh("nwfilter-define", self.file(WEB))
        self.virsh("nwfilter-binding-create",
                   self.file(binding("vnetq1", "web", [("IP", "10.3.0.2")])))
        out = self.virsh("nwfilter-binding-list").stdout
        self.assertIn("vnetq1", out)
        self.assertIn("web", out)
        xml = self.virsh("nwfilter-binding-dumpxml", "vnetq1").stdout
        self.assertIn("<portdev name='vnetq1'/>", xml)
        self.assertIn("<parameter name='IP' value='10.3.0.2'/>", xml)
        self.assertIn("nwf-vnetq1-i-ipv4", table())
        self.assertIn("ip saddr 10.3.0.2 return", table())
        # in use: refused, naming the binding (directly and through an include)
        for name in ("web", "no-ip-spoofing"):
            res = self.virsh("nwfilter-undefine", name, check=False)
            self.assertNotEqual(res.returncode, 0)
            self.assertIn("in use by the filter binding of port 'vnetq1'", res.stderr)
        res = self.virsh("nwfilter-binding-create",
                         self.file(binding("vnetq1", "web", [("IP", "10.3.0.9")])), check=False)
        self.assertIn("already exists", res.stderr)
        self.virsh("nwfilter-binding-delete", "vnetq1")
        self.assertNotIn("vnetq1", self.virsh("nwfilter-binding-list").stdout)
        self.assertNotIn("vnetq1", table())
        self.virsh("nwfilter-undefine", "web")

    def test_4_errors_apply_nothing(self):
        loop_a = "<filter name='loop-a'><filterref filter='loop-b'/></filter>"
        loop_b = "<filter name='loop-b'><filterref filter='loop-a'/></filter>"
        self.virsh("nwfilter-define", self.file(loop_a))
        res = self.virsh("nwfilter-define", self.file(loop_b), check=False)
        self.assertIn("filter include loop: loop-b -> loop-a -> loop-b", res.stderr)
        res = self.virsh("nwfilter-binding-create", self.file(binding("vnetq2", "loop-a")),
                         check=False)
        self.assertIn("includes filter 'loop-b', which is not defined", res.stderr)
        res = self.virsh("nwfilter-binding-create", self.file(binding("vnetq2", "nothing")),
                         check=False)
        self.assertIn("filter 'nothing' is not defined", res.stderr)
        res = self.virsh("nwfilter-binding-create",
                         self.file(binding("vnetq2", "no-ip-spoofing")), check=False)
        self.assertIn("uses variable 'IP', which is not set", res.stderr)
        res = self.virsh("nwfilter-define", self.file("<filter name='x'><rule/></filter>"),
                         check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertNotIn("vnetq2", table())
        self.assertNotIn("vnetq2", self.virsh("nwfilter-binding-list").stdout)
        self.virsh("nwfilter-undefine", "loop-a")


class PythonCase(unittest.TestCase):
    def test_python_calls(self):
        import libvirt
        c = libvirt.open(VirshCase.uri)
        try:
            self.assertEqual(c.numOfNWFilters(), len(c.listNWFilters()))
            f = c.nwfilterLookupByName("allow-arp")
            self.assertEqual(c.nwfilterLookupByUUIDString(f.UUIDString()).name(), "allow-arp")
            b = c.nwfilterBindingCreateXML(binding("vnetq3", "clean-traffic",
                                                   [("IP", "10.3.0.3"), ("IP", "10.3.0.4")]))
            self.assertEqual((b.portDev(), b.filterName()), ("vnetq3", "clean-traffic"))
            self.assertEqual([x.portDev() for x in c.listAllNWFilterBindings()], ["vnetq3"])
            self.assertIn("ip saddr 10.3.0.4 return", table())
            with self.assertRaises(libvirt.libvirtError) as cm:
                c.nwfilterBindingLookupByPortDev("nope")
            self.assertEqual(cm.exception.get_error_code(), 101)  # NO_NWFILTER_BINDING
            with self.assertRaises(libvirt.libvirtError) as cm:
                c.nwfilterLookupByName("no-mac-spoofing").undefine()
            self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_OPERATION_INVALID)
            c.nwfilterBindingLookupByPortDev("vnetq3").delete()
            self.assertEqual(c.listAllNWFilterBindings(), [])
        finally:
            c.close()


class RestartCase(unittest.TestCase):
    def test_bindings_survive_restart(self):
        import libvirt
        c = libvirt.open(VirshCase.uri)
        c.nwfilterBindingCreateXML(binding("vnetq4", "no-mac-spoofing"))
        c.close()
        daemon.kill9()
        subprocess.run(["nft", "flush", "ruleset"], check=True)
        daemon.start()
        c = libvirt.open(VirshCase.uri)
        try:
            self.assertEqual([b.portDev() for b in c.listAllNWFilterBindings()], ["vnetq4"])
            # the first call after the start rebuilt the table the flush took away
            self.assertIn("nwf-vnetq4-o-mac", table())
            c.nwfilterBindingLookupByPortDev("vnetq4").delete()
        finally:
            c.close()


class FlushCase(unittest.TestCase):
    def test_flush_ruleset_restored(self):
        import libvirt
        c = libvirt.open(VirshCase.uri)
        self.addCleanup(c.close)
        b = c.nwfilterBindingCreateXML(binding("vnetq5", "no-mac-spoofing"))
        self.addCleanup(b.delete)
        subprocess.run(["nft", "flush", "ruleset"], check=True)
        self.assertNotIn("nwf-vnetq5", table())
        # filterd notices and rebuilds the table by itself
        self.assertTrue(mvtest.wait_for(lambda: "nwf-vnetq5-o-mac" in table(), 15))
        # again once the listing the doctor compares was taken (after 200 ms)
        time.sleep(1)
        subprocess.run(["nft", "flush", "ruleset"], check=True)
        self.assertTrue(mvtest.wait_for(lambda: "nwf-vnetq5-o-mac" in table(), 15))


class ProxyCase(VirshCase):
    """The virsh cases again through modvirt-proxyd."""

    @classmethod
    def setUpClass(cls):
        cls.uri = "nwfilter+unix:///system?socket=%s" % os.path.join(daemon.root, "run",
                                                                      "proxy.sock")


daemon = None
proxy = None


def setUpModule():
    global daemon, proxy
    daemon = mvtest.Daemon(name="filter", binary=mvtest.FILTERD).start()
    VirshCase.uri = "nwfilter+unix:///system?socket=%s" % daemon.sock
    proxy = mvtest.Daemon(root=daemon.root, name="proxy", binary=PROXYD).start()


def tearDownModule():
    if proxy:
        proxy.cleanup()
    if daemon:
        daemon.cleanup()


if __name__ == "__main__":
    mvtest.require_tools("virsh", "nft", "ip")
    for path in (mvtest.FILTERD, PROXYD):
        if not os.access(path, os.X_OK):
            mvtest.skip_script("not built: %s" % path)
    mvtest.enter_private_netns()
    mvtest.main()
