"""Invalid domain XML through stock `virsh define` and python3-libvirt defineXML.

Each document is refused with an error naming the offending element or
attribute (its path from /domain), python sees VIR_ERR_XML_ERROR (27) for
schema and syntax errors, nothing is written to ROOT/etc/qemu, and the daemon
keeps serving.  An <interface type='network'> needs modvirt-networkd: its
start fails with an error naming the daemon and its socket.
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
from mvtest import virsh  # noqa: E402

libvirt = None

HEAD = "<domain type='qemu'>"
BODY = ("<name>%s</name><memory unit='MiB'>32</memory>"
        "<os><type arch='x86_64' machine='pc'>hvm</type></os>")

# name: (document, words the error message must contain, python error code or None)
CASES = {
    "hostdev": (HEAD + BODY % "bad" + "<devices><hostdev mode='subsystem' type='pci'><source>"
                "<address domain='0' bus='0' slot='1' function='0'/></source></hostdev>"
                "</devices></domain>",
                ["/domain/devices/hostdev"], 27),
    "unknown-attribute": ("<domain type='qemu' bogus='1'>" + BODY % "bad" + "</domain>",
                          ["/domain", "bogus"], 27),
    "unknown-element": (HEAD + BODY % "bad" + "<frobnicate/></domain>",
                        ["/domain", "frobnicate"], 27),
    "unknown-device-child": (HEAD + BODY % "bad" + "<devices><disk type='file' device='disk'>"
                             "<target dev='vda' bus='virtio'/><bogus/></disk></devices>"
                             "</domain>",
                             ["/domain/devices/disk", "bogus"], 27),
    "bad-memory-unit": (HEAD + "<name>bad</name><memory unit='furlongs'>32</memory>"
                        "<os><type arch='x86_64' machine='pc'>hvm</type></os></domain>",
                        ["/domain/memory", "unit"], 27),
    "bad-memory-value": (HEAD + "<name>bad</name><memory unit='MiB'>lots</memory>"
                         "<os><type arch='x86_64' machine='pc'>hvm</type></os></domain>",
                         ["/domain/memory"], 27),
    "missing-name": (HEAD + "<memory unit='MiB'>32</memory>"
                     "<os><type arch='x86_64' machine='pc'>hvm</type></os></domain>",
                     ["/domain", "name"], None),
    "bad-uuid": (HEAD + BODY % "bad" + "<uuid>not-a-uuid</uuid></domain>",
                 ["/domain/uuid", "not-a-uuid"], None),
    "not-xml": ("<domain type='qemu'><name>bad</name>", [], 27),
    "wrong-root": ("<network><name>bad</name></network>", ["domain"], 27),
}


class InvalidXml(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.d = mvtest.GuestDaemon().start()
        cls.uri = cls.d.uri
        cls.conn = libvirt.open(cls.uri)

    @classmethod
    def tearDownClass(cls):
        cls.conn.close()
        cls.d.cleanup()

    def assert_serving(self):
        res = virsh(self.uri, "list", "--all")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(self.conn.listAllDomains(0), [])
        self.assertEqual(os.listdir(os.path.join(self.d.root, "etc", "qemu"))
                         if os.path.isdir(os.path.join(self.d.root, "etc", "qemu")) else [], [])

    def test_virsh_define(self):
        for i, (case, (doc, words, _)) in enumerate(CASES.items()):
            for validate in ((), ("--validate",)):
                with self.subTest(case=case, validate=validate):
                    # a neutral file name: the error repeats it
                    path = mvtest.write_file(os.path.join(self.d.root, "c%d.xml" % i), doc)
                    res = virsh(self.uri, "define", *validate, path)
                    self.assertNotEqual(res.returncode, 0)
                    self.assertIn("error: Failed to define domain from %s" % path, res.stderr)
                    for w in words:
                        self.assertIn(w, res.stderr)
                    self.assert_serving()

    def test_python_define(self):
        for case, (doc, words, code) in CASES.items():
            for call in ("defineXML", "createXML"):
                with self.subTest(case=case, call=call):
                    with self.assertRaises(libvirt.libvirtError) as cm:
                        if call == "defineXML":
                            self.conn.defineXML(doc)
                        else:
                            self.conn.createXML(doc, 0)
                    err = cm.exception
                    msg = err.get_error_message()
                    for w in words:
                        self.assertIn(w, msg)
                    if code is not None:
                        self.assertEqual(err.get_error_code(), code, msg)
                    else:
                        # a semantic error: an XML or config error code, never
                        # internal error or "no support"
                        self.assertIn(err.get_error_code(),
                                      (libvirt.VIR_ERR_XML_ERROR,
                                       libvirt.VIR_ERR_CONFIG_UNSUPPORTED,
                                       libvirt.VIR_ERR_INVALID_ARG,
                                       libvirt.VIR_ERR_XML_DETAIL), msg)
                    self.assert_serving()
        self.assertEqual(mvtest.qemu_processes(self.d.root + "/"), [])

    # An unknown <domain type='warp'> is refused naming the attribute and value.
    def test_bad_domain_type(self):
        doc = "<domain type='warp'>" + BODY % "bad" + "</domain>"
        with self.assertRaises(libvirt.libvirtError) as cm:
            self.conn.defineXML(doc)
        msg = cm.exception.get_error_message()
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_XML_ERROR, msg)
        self.assertNotIn("/domain/name", msg)
        self.assertTrue("type" in msg or "warp" in msg, msg)
        self.assert_serving()

    def test_interface_network_needs_networkd(self):
        xml = mvtest.firmware_guest_xml(
            "netg", extra_devices="<interface type='network'><source network='default'/>"
                                  "<model type='virtio'/></interface>")
        path = mvtest.write_file(os.path.join(self.d.root, "netg.xml"), xml)
        virsh(self.uri, "define", path, check=True)
        sock = os.path.join(self.d.root, "run", "network.sock")
        res = virsh(self.uri, "start", "netg")
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("error: Failed to start domain 'netg'", res.stderr)
        self.assertIn("modvirt-networkd", res.stderr)
        self.assertIn(sock, res.stderr)
        self.assertIn("default", res.stderr)
        self.assertEqual(mvtest.domstate(self.uri, "netg"), "shut off")
        self.assertEqual(mvtest.qemu_processes_of("netg"), [])
        # python: same message; transient create too
        dom = self.conn.lookupByName("netg")
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.create()
        self.assertIn("modvirt-networkd", cm.exception.get_error_message())
        with self.assertRaises(libvirt.libvirtError) as cm:
            self.conn.createXML(xml.replace("<name>netg</name>", "<name>netg-t</name>"), 0)
        self.assertIn("modvirt-networkd", cm.exception.get_error_message())
        self.assertEqual([d.name() for d in self.conn.listAllDomains(0)], ["netg"])
        dom.undefine()
        self.assert_serving()


if __name__ == "__main__":
    mvtest.require_qemu()
    mvtest.require_python_libvirt()
    mvtest.require_daemon()
    import libvirt  # noqa: F811
    libvirt.registerErrorHandler(lambda ctx, err: None, None)  # errors are asserted
    mvtest.main()
