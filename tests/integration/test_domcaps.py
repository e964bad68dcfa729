#!/usr/bin/python3
"""virsh domcapabilities / getDomainCapabilities: the emulator, machine and
accelerator the daemon would use, and clear refusals for what it does not serve."""

import os
import sys
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
from mvtest import virsh  # noqa: E402


class DomainCapabilities(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        mvtest.require_tools("virsh", "qemu-system-x86_64")
        cls.d = mvtest.Daemon().start()

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()

    def caps(self, *args):
        res = virsh(self.d.uri, "domcapabilities", *args, check=True)
        return ET.fromstring(res.stdout)

    def test_default(self):
        root = self.caps()
        self.assertEqual(root.tag, "domainCapabilities")
        self.assertTrue(os.path.samefile(root.findtext("path"),
                                         mvtest.shutil.which("qemu-system-x86_64")))
        self.assertEqual(root.findtext("arch"), "x86_64")
        self.assertEqual(root.findtext("domain"), "kvm" if mvtest.kvm_usable() else "qemu")
        self.assertRegex(root.findtext("machine"), r"^pc-i440fx-")
        self.assertGreater(int(root.find("vcpu").get("max")), 1)
        buses = [v.text for v in root.findall("./devices/disk/enum[@name='bus']/value")]
        self.assertIn("virtio", buses)
        self.assertEqual(root.find("./devices/hostdev").get("supported"), "no")

    def test_machine_alias_and_tcg(self):
        root = self.caps("--machine", "q35", "--virttype", "qemu")
        self.assertRegex(root.findtext("machine"), r"^pc-q35-")
        self.assertEqual(root.findtext("domain"), "qemu")
        # host-passthrough needs KVM
        mode = root.find("./cpu/mode[@name='host-passthrough']")
        self.assertEqual(mode.get("supported"), "no")

    def test_refusals(self):
        for args, text in ((("--arch", "aarch64"), "architecture 'aarch64'"),
                           (("--virttype", "xen"), "unknown virttype 'xen'"),
                           (("--machine", "nope"), "machine 'nope'")):
            res = virsh(self.d.uri, "domcapabilities", *args)
            self.assertNotEqual(res.returncode, 0, args)
            self.assertIn(text, res.stderr)

    def test_python(self):
        mvtest.require_python_libvirt()
        import libvirt
        conn = libvirt.open(self.d.uri)
        try:
            root = ET.fromstring(conn.getDomainCapabilities(None, "x86_64", "pc", "qemu", 0))
            self.assertEqual(root.findtext("domain"), "qemu")
            with self.assertRaises(libvirt.libvirtError) as cm:
                conn.getDomainCapabilities(None, None, None, None, 1)
            self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_INVALID_ARG)
        finally:
            conn.close()


if __name__ == "__main__":
    mvtest.main()
