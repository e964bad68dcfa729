"""Invalid domain XML through stock `virsh define` and python3-libvirt defineXML.

Each document is refused with an error naming the offending element or
attribute (its path from /domain), python sees VIR_ERR_XML_ERROR (27) for
schema and syntax errors, nothing is written to ROOT/etc/qemu, and the daemon
keeps serving.  An <interface type='network'> needs modvirt-networkd: its
start fails with an error naming the daemon and its socket.

HostAccess: an <emulator> the daemon did not probe or list ([qemu] emulators)
is refused; so are disk, kernel, initrd, loader, NVRAM and character device
paths inside the daemon's own directories, the PKI directories or the
password files, resolving symlinks and "..", at define, at start (a symlink
swapped in after the define) and at attach.  XmlSize: a definition whose XML
could not be returned over the wire (4 MiB strings) is refused; one just
under the limit reads back.
"""

import os
import shutil
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
    # a name becomes part of file names: no control characters
    "name-newline": (HEAD + "<name>bad&#10;name</name><memory unit='MiB'>32</memory>"
                     "<os><type arch='x86_64' machine='pc'>hvm</type></os></domain>",
                     ["/domain/name", "control characters"], None),
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
        self.assertEqual(mvtest.qemu_processes_of("netg", self.d.root), [])
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


VIR_ERR_OPERATION_DENIED = 29
VIR_ERR_CONFIG_UNSUPPORTED = 67
VIR_DOMAIN_AFFECT_CONFIG = 2


def disk_xml(path, dev="vdb"):
    return ("<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
            "<source file='%s'/><target dev='%s' bus='virtio'/></disk>" % (path, dev))


class HostAccess(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.d = mvtest.GuestDaemon(config="[qemu]\nemulators=/bin/true\n").start()
        cls.uri = cls.d.uri
        cls.conn = libvirt.open(cls.uri)
        cls.images = os.path.join(cls.d.root, "images")
        os.makedirs(cls.images)

    @classmethod
    def tearDownClass(cls):
        cls.conn.close()
        cls.d.cleanup()

    def defs_on_disk(self):
        return sorted(os.listdir(os.path.join(self.d.root, "etc", "qemu")))

    def assert_refused(self, xml, code, *words):
        """defineXML and createXML both refuse xml; nothing is defined or run."""
        before = self.defs_on_disk()
        for call in (self.conn.defineXML, lambda x: self.conn.createXML(x, 0)):
            with self.assertRaises(libvirt.libvirtError) as cm:
                call(xml)
            msg = cm.exception.get_error_message()
            self.assertEqual(cm.exception.get_error_code(), code, msg)
            for w in words:
                self.assertIn(w, msg)
        self.assertEqual(self.conn.listAllDomains(0), [])
        self.assertEqual(self.defs_on_disk(), before)
        return msg

    def test_emulator_shell_refused(self):
        xml = mvtest.firmware_guest_xml("emu", extra_devices="<emulator>/bin/sh</emulator>")
        msg = self.assert_refused(xml, VIR_ERR_CONFIG_UNSUPPORTED, "'/bin/sh'", "[qemu] emulators")
        path = mvtest.write_file(os.path.join(self.d.root, "emu.xml"), xml)
        res = virsh(self.uri, "define", path)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("/bin/sh", res.stderr)
        # a symlink to a shell is no better
        link = os.path.join(self.images, "qemu-system-x86_64")
        os.symlink("/bin/sh", link)
        self.assert_refused(xml.replace("/bin/sh", link), VIR_ERR_CONFIG_UNSUPPORTED, link)
        self.assertIn("is not a QEMU binary", msg)

    def test_emulator_probed_or_listed_accepted(self):
        probed = shutil.which("qemu-system-x86_64")
        for name, emulator in (("emu-probed", probed), ("emu-listed", "/bin/true")):
            dom = self.conn.defineXML(mvtest.firmware_guest_xml(
                name, extra_devices="<emulator>%s</emulator>" % emulator))
            try:
                self.assertIn("<emulator>%s</emulator>" % emulator, dom.XMLDesc(0))
            finally:
                dom.undefine()

    def test_paths_in_daemon_dirs_refused(self):
        root = self.d.root
        conf = os.path.join(root, "etc", "qemu.conf")
        cases = [
            ("disk in etc", disk_xml(conf), "", conf),
            ("disk via ..", disk_xml(self.images + "/../etc/qemu.conf"), "", conf),
            ("disk in run", disk_xml(os.path.join(root, "run", "qemu.sock")), "",
             os.path.join(root, "run")),
            ("disk in log", disk_xml(os.path.join(root, "log", "new.img")), "",
             os.path.join(root, "log")),
            ("disk /etc/shadow", disk_xml("/etc/shadow"), "", "/etc/shadow"),
            ("disk in PKI", disk_xml("/etc/pki/CA/cacert.pem"), "", "/etc/pki/CA"),
            ("kernel in lib/qemu", "",
             "<kernel>%s</kernel>" % os.path.join(root, "lib", "qemu", "k"),
             os.path.join(root, "lib", "qemu")),
            ("initrd", "", "<kernel>/nonexistent/k</kernel><initrd>%s</initrd>" % conf, conf),
            ("loader", "", "<loader readonly='yes' type='pflash'>/etc/gshadow</loader>",
             "/etc/gshadow"),
            ("nvram", "", "<nvram>%s</nvram>" % os.path.join(root, "etc", "qemu", "x.fd"),
             os.path.join(root, "etc")),
            ("serial file", "<serial type='file'><source path='%s'/></serial>" % conf, "",
             conf),
        ]
        for case, devices, os_extra, word in cases:
            with self.subTest(case=case):
                xml = mvtest.firmware_guest_xml("paths", extra_devices=devices)
                xml = xml.replace("hvm</type>", "hvm</type>" + os_extra)
                self.assert_refused(xml, VIR_ERR_OPERATION_DENIED, word)

    def test_symlinked_dir_refused_at_define(self):
        link = os.path.join(self.images, "etc-link")
        os.symlink(os.path.join(self.d.root, "etc"), link)
        xml = mvtest.firmware_guest_xml("symdir", extra_devices=disk_xml(link + "/new.img"))
        msg = self.assert_refused(xml, VIR_ERR_OPERATION_DENIED, link, "resolves to")
        self.assertIn(os.path.join(self.d.root, "etc", "new.img"), msg)

    def test_symlink_swapped_after_define_refused_at_start(self):
        disk = os.path.join(self.images, "swap.img")
        with open(disk, "wb") as f:
            f.truncate(1024 * 1024)
        dom = self.conn.defineXML(mvtest.firmware_guest_xml("swap",
                                                            extra_devices=disk_xml(disk)))
        try:
            os.unlink(disk)
            os.symlink(os.path.join(self.d.root, "etc", "qemu.conf"), disk)
            res = virsh(self.uri, "start", "swap")
            self.assertNotEqual(res.returncode, 0)
            self.assertIn(disk, res.stderr)
            self.assertIn(os.path.join(self.d.root, "etc", "qemu.conf"), res.stderr)
            with self.assertRaises(libvirt.libvirtError) as cm:
                dom.create()
            self.assertEqual(cm.exception.get_error_code(), VIR_ERR_OPERATION_DENIED)
            self.assertEqual(mvtest.domstate(self.uri, "swap"), "shut off")
            self.assertEqual(mvtest.qemu_processes_of("swap", self.d.root), [])
        finally:
            dom.undefine()

    def test_attach_disk_refused(self):
        dom = self.conn.defineXML(mvtest.firmware_guest_xml("attach"))
        try:
            for path in (os.path.join(self.d.root, "etc", "qemu.conf"), "/etc/shadow"):
                with self.assertRaises(libvirt.libvirtError) as cm:
                    dom.attachDeviceFlags(disk_xml(path), VIR_DOMAIN_AFFECT_CONFIG)
                self.assertEqual(cm.exception.get_error_code(), VIR_ERR_OPERATION_DENIED)
                self.assertIn(path, cm.exception.get_error_message())
            self.assertNotIn("<disk", dom.XMLDesc(0))
        finally:
            dom.undefine()


class EmulatorsConfig(unittest.TestCase):

    def test_invalid_emulators_list_refused(self):
        for value in ("qemu-system-x86_64", "/nonexistent/qemu", "NOTEXEC"):
            with self.subTest(value=value):
                d = mvtest.Daemon(config="")
                try:
                    if value == "NOTEXEC":
                        value = mvtest.write_file(os.path.join(d.root, "notexec"), "text\n")
                        os.chmod(value, 0o644)
                    mvtest.write_file(d.config_path, "[qemu]\nemulators=%s\n" % value)
                    d.spawn()
                    status = d.wait(10)
                    self.assertIsNotNone(status, "daemon kept running with emulators=" + value)
                    self.assertNotEqual(status, 0)
                    self.assertIn("[qemu] emulators", d.log())
                finally:
                    d.cleanup()


# The protocol returns strings of at most 4 MiB; a definition keeps 64 KiB of
# it for what a running domain's XML adds.
STRING_MAX = 4 * 1024 * 1024
XML_MAX = STRING_MAX - 64 * 1024


class XmlSize(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.d = mvtest.GuestDaemon().start()
        cls.conn = libvirt.open(cls.d.uri)

    @classmethod
    def tearDownClass(cls):
        cls.conn.close()
        cls.d.cleanup()

    @staticmethod
    def doc_of_size(name, size):
        head = ("<domain type='qemu'><name>%s</name><description>" % name)
        tail = ("</description><memory unit='MiB'>32</memory>"
                "<os><type arch='x86_64' machine='pc'>hvm</type></os></domain>")
        return head + "x" * (size - len(head) - len(tail)) + tail

    def test_four_mib_refused(self):
        doc = self.doc_of_size("big", STRING_MAX)
        self.assertEqual(len(doc), STRING_MAX)
        for call in (self.conn.defineXML, lambda x: self.conn.createXML(x, 0)):
            with self.assertRaises(libvirt.libvirtError) as cm:
                call(doc)
            msg = cm.exception.get_error_message()
            self.assertEqual(cm.exception.get_error_code(), VIR_ERR_CONFIG_UNSUPPORTED, msg)
            self.assertIn("%d bytes" % XML_MAX, msg)
        self.assertEqual(self.conn.listAllDomains(0), [])

    def test_just_under_limit_reads_back(self):
        # the canonical form adds the uuid, vcpu, lifecycle and indentation
        dom = self.conn.defineXML(self.doc_of_size("under", XML_MAX - 2048))
        try:
            xml = dom.XMLDesc(0)
            self.assertLessEqual(len(xml), XML_MAX)
            self.assertGreater(len(xml), XML_MAX - 2048)
            self.assertIn("x" * 1000, xml)
            res = virsh(self.d.uri, "dumpxml", "under", timeout=60)
            self.assertEqual(res.returncode, 0, res.stderr[-500:])
            # growing it past the limit through the metadata API is refused
            with self.assertRaises(libvirt.libvirtError) as cm:
                dom.setMetadata(libvirt.VIR_DOMAIN_METADATA_DESCRIPTION, "y" * (XML_MAX + 1),
                                None, None, VIR_DOMAIN_AFFECT_CONFIG)
            self.assertEqual(cm.exception.get_error_code(), VIR_ERR_CONFIG_UNSUPPORTED)
            self.assertEqual(dom.XMLDesc(0), xml)
        finally:
            dom.undefine()


if __name__ == "__main__":
    mvtest.require_qemu()
    mvtest.require_python_libvirt()
    mvtest.require_daemon()
    import libvirt  # noqa: F811
    libvirt.registerErrorHandler(lambda ctx, err: None, None)  # errors are asserted
    mvtest.main()
