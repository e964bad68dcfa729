#!/usr/bin/python3
"""libmodvirt's network filter calls and the `modvirt nwfilter-*` verbs end to
end against modvirt-filterd (private root, private network namespace):
nwfilter-list, -define, -dumpxml (by name and UUID), -undefine (refused while
a binding uses the filter), nwfilter-bindings (text and --json); the binding
calls of libmodvirt (create, XML, delete, list) through ctypes."""

import ctypes
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "client"))
import mvtest  # noqa: E402
import unittest  # noqa: E402
import clienttest as ct  # noqa: E402

LIB = os.environ.get("MV_LIBMODVIRT", os.path.join(mvtest.BUILD_ROOT, "client", "libmodvirt.so"))
FILTER = """<filter name='cli-web' chain='ipv4'>
  <rule action='accept' direction='in' priority='100'>
    <tcp dstportstart='443'/>
  </rule>
</filter>
"""
BINDING = ("<filterbinding><owner><name>g</name><uuid>7b1c3e52-42a8-4d4f-a1ce-0d4e3b6b9a03"
           "</uuid></owner><portdev name='%s'/><mac address='52:54:00:00:00:0c'/>"
           "<filterref filter='%s'/></filterbinding>")


class GError(ctypes.Structure):
    _fields_ = [("domain", ctypes.c_uint32), ("code", ctypes.c_int),
                ("message", ctypes.c_char_p)]


def lib():
    lm = ctypes.CDLL(LIB)
    lm.mv_connect_open.restype = ctypes.c_void_p
    lm.mv_connect_open.argtypes = [ctypes.c_char_p, ctypes.c_uint,
                                   ctypes.POINTER(ctypes.POINTER(GError))]
    lm.mv_connect_unref.argtypes = [ctypes.c_void_p]
    for name in ("mv_network_filter_binding_create", "mv_network_filter_binding_delete"):
        getattr(lm, name).restype = ctypes.c_bool
        getattr(lm, name).argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_uint,
                                      ctypes.POINTER(ctypes.POINTER(GError))]
    lm.mv_network_filter_binding_get_xml.restype = ctypes.c_void_p
    lm.mv_network_filter_binding_get_xml.argtypes = lm.mv_network_filter_binding_create.argtypes
    lm.mv_connect_list_network_filter_bindings.restype = ctypes.POINTER(ctypes.c_char_p)
    lm.mv_connect_list_network_filter_bindings.argtypes = [
        ctypes.c_void_p, ctypes.c_uint, ctypes.POINTER(ctypes.POINTER(ctypes.c_char_p)),
        ctypes.POINTER(ctypes.POINTER(GError))]
    return lm


class CliCase(unittest.TestCase):
    def run_cli(self, *args, ok=True):
        r = ct.modvirt(uri, *args)
        if ok:
            self.assertEqual(r.returncode, 0, r.stderr)
        return r

    def test_1_list_define_dump_undefine(self):
        r = self.run_cli("nwfilter-list")
        self.assertIn("clean-traffic", r.stdout)
        self.assertIn("UUID", r.stdout.splitlines()[0])
        names = [f["name"] for f in json.loads(self.run_cli("nwfilter-list", "--json").stdout)]
        self.assertIn("no-mac-spoofing", names)
        with tempfile.NamedTemporaryFile("w", suffix=".xml") as f:
            f.write(FILTER)
            f.flush()
            r = self.run_cli("nwfilter-define", f.name)
        self.assertIn("Network filter 'cli-web' defined", r.stdout)
        uuid = r.stdout.split("UUID ")[1].rstrip(").\n")
        self.assertIn("<tcp dstportstart='443'/>", self.run_cli("nwfilter-dumpxml", uuid).stdout)
        self.assertIn("<uuid>%s</uuid>" % uuid,
                      self.run_cli("nwfilter-dumpxml", "cli-web").stdout)
        r = self.run_cli("nwfilter-undefine", "cli-web")
        self.assertIn("undefined", r.stdout)
        r = self.run_cli("nwfilter-dumpxml", "cli-web", ok=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("cli-web", r.stderr)

    @unittest.skipIf(mvtest.SANITIZED, "an ASan-instrumented libmodvirt cannot be loaded "
                     "into python (the ASan runtime must come first); the normal pass runs it")
    def test_2_bindings_through_libmodvirt(self):
        lm = lib()
        err = ctypes.POINTER(GError)()
        conn = lm.mv_connect_open(uri.encode(), 0, ctypes.byref(err))
        self.assertTrue(conn, err and err.contents.message)
        try:
            self.assertTrue(lm.mv_network_filter_binding_create(
                conn, (BINDING % ("vnetc1", "no-mac-spoofing")).encode(), 0, ctypes.byref(err)),
                err and err.contents.message)
            xml = lm.mv_network_filter_binding_get_xml(conn, b"vnetc1", 0, ctypes.byref(err))
            self.assertIn(b"<portdev name='vnetc1'/>", ctypes.string_at(xml))
            filters = ctypes.POINTER(ctypes.c_char_p)()
            ports = lm.mv_connect_list_network_filter_bindings(conn, 0, ctypes.byref(filters),
                                                               ctypes.byref(err))
            self.assertEqual((ports[0], ports[1]), (b"vnetc1", None))
            self.assertEqual(filters[0], b"no-mac-spoofing")

            r = self.run_cli("nwfilter-bindings")
            self.assertIn("vnetc1", r.stdout)
            self.assertIn("no-mac-spoofing", r.stdout)
            self.assertEqual(json.loads(self.run_cli("nwfilter-bindings", "--json").stdout),
                             [{"port": "vnetc1", "filter": "no-mac-spoofing"}])
            r = self.run_cli("nwfilter-undefine", "no-mac-spoofing", ok=False)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("in use by the filter binding of port 'vnetc1'", r.stderr)

            self.assertTrue(lm.mv_network_filter_binding_delete(conn, b"vnetc1", 0,
                                                                ctypes.byref(err)))
            self.assertFalse(lm.mv_network_filter_binding_delete(conn, b"vnetc1", 0,
                                                                 ctypes.byref(err)))
            self.assertEqual(err.contents.code, 101)
            self.assertEqual(self.run_cli("nwfilter-bindings", "--json").stdout.strip(), "[]")
        finally:
            lm.mv_connect_unref(conn)


class DoctorCase(unittest.TestCase):
    """The firewall doctor compares table bridge modvirt too."""

    def test_doctor_sees_the_bridge_table(self):
        import subprocess
        import libvirt
        c = libvirt.open("nwfilter+unix:///system?socket=%s" % daemon.sock)
        self.addCleanup(c.close)
        b = c.nwfilterBindingCreateXML(BINDING % ("vnetc2", "no-mac-spoofing"))
        self.addCleanup(b.delete)
        r = ct.modvirt(uri, "firewall", "check", "--json")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertTrue(json.loads(r.stdout)["clean"])
        subprocess.run(["nft", "add", "rule", "bridge", "modvirt", "nwf-vnetc2-o", "accept"],
                       check=True)
        r = ct.modvirt(uri, "firewall", "check", "--json")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        diffs = json.loads(r.stdout)["differences"]
        self.assertIn(("rule-extra", "bridge modvirt", "nwf-vnetc2-o"),
                      [(d["kind"], d["table"], d["chain"]) for d in diffs])
        r = ct.modvirt(uri, "firewall", "check", "--repair", "--json")
        r = ct.modvirt(uri, "firewall", "check", "--json")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


daemon = None
uri = None


def setUpModule():
    global daemon, uri
    daemon = mvtest.Daemon(name="filter", binary=mvtest.FILTERD).start()
    uri = "nwfilter:///system?root=%s" % daemon.root


def tearDownModule():
    if daemon:
        daemon.cleanup()


if __name__ == "__main__":
    mvtest.require_tools("nft")
    ct.require_cli()
    if not os.access(mvtest.FILTERD, os.X_OK):
        mvtest.skip_script("not built: %s" % mvtest.FILTERD)
    mvtest.enter_private_netns()
    mvtest.main()
