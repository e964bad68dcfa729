#!/usr/bin/python3
"""Read-only node devices answered by modvirt-qemud (issue 13 item 5):
python3-libvirt and stock virsh (nodedev-list with --cap and --tree,
nodedev-dumpxml, nodedev-info), directly, on the read-only socket and through
modvirt-proxyd; every answer cross-checked against this host's /sys, read
independently here (the host has few devices: nothing is compared with fixed
names). virt-install --hostdev finds a PCI device and its hostdev is then
refused at define, naming the element's path."""

import os
import re
import subprocess
import sys
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402

SYS = "/sys"
SCHEMA = os.path.join(mvtest.SOURCE_ROOT, "schemas", "nodedev.rng")
daemon = None
proxy_stack = None


def setUpModule():
    global daemon
    mvtest.require_python_libvirt()
    mvtest.require_tools("virsh", "xmllint")
    daemon = mvtest.Daemon().start()


def tearDownModule():
    daemon.cleanup()
    if proxy_stack:
        proxy_stack.cleanup()


def part(text):
    return re.sub(r"[^A-Za-z0-9]", "_", text)


def attr(path, default=None):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return default


def sysfs_devices():
    """{name: (capability, real sysfs path)} of what /sys shows now."""
    out = {}
    top = os.path.join(SYS, "bus/pci/devices")
    for e in os.listdir(top):
        d, b, s, f = (int(x, 16) for x in re.split(r"[:.]", e))
        out["pci_%04x_%02x_%02x_%x" % (d, b, s, f)] = ("pci", os.path.realpath(
            os.path.join(top, e)))
    top = os.path.join(SYS, "bus/usb/devices")
    for e in (os.listdir(top) if os.path.isdir(top) else []):
        p = os.path.join(top, e)
        if os.path.exists(os.path.join(p, "devnum")):
            out["usb_" + part(e)] = ("usb_device", os.path.realpath(p))
        elif os.path.exists(os.path.join(p, "bInterfaceNumber")):
            out["usb_" + part(e)] = ("usb", os.path.realpath(p))
    top = os.path.join(SYS, "class/net")
    for e in os.listdir(top):
        mac = attr(os.path.join(top, e, "address"), "")
        name = "net_%s_%s" % (part(e), part(mac)) if mac else "net_" + part(e)
        out[name] = ("net", os.path.realpath(os.path.join(top, e)))
    top = os.path.join(SYS, "class/block")
    for e in os.listdir(top):
        p = os.path.join(top, e)
        if os.path.exists(os.path.join(p, "partition")) or \
                not os.path.isdir(os.path.join(p, "device")):
            continue
        serial = attr(os.path.join(p, "device", "serial"), "")
        out["block_" + part(e) + ("_" + part(serial) if serial else "")] = (
            "storage", os.path.realpath(p))
    return out


def pci_ids_names(vendor, device, path="/usr/share/misc/pci.ids"):
    """(vendor name, device name) from pci.ids, None where it has none."""
    vname = dname = None
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().split("\n")
    except OSError:
        return None, None
    for i, line in enumerate(lines):
        if line.startswith("%04x  " % vendor):
            vname = line[6:]
            for sub in lines[i + 1:]:
                if sub and not sub.startswith(("\t", "#")):
                    break
                if sub.startswith("\t%04x  " % device):
                    dname = sub[7:]
                    break
            break
    return vname, dname


def expected_parent(path, devices):
    by_path = {p: n for n, (c, p) in devices.items()}
    up = os.path.dirname(path)
    while len(up) > 1:
        if up in by_path:
            return by_path[up]
        up = os.path.dirname(up)
    return "computer"


def validate(test, xml):
    res = subprocess.run(["xmllint", "--noout", "--relaxng", SCHEMA, "-"], input=xml,
                         capture_output=True, text=True)
    test.assertEqual(res.returncode, 0, res.stderr + xml)


class Python(unittest.TestCase):
    def setUp(self):
        import libvirt
        self.libvirt = libvirt
        self.conn = libvirt.open(daemon.uri)

    def tearDown(self):
        self.conn.close()

    def test_list_all_matches_sysfs(self):
        before = sysfs_devices()
        got = {d.name() for d in self.conn.listAllDevices(0)}
        after = sysfs_devices()
        # taps of other tests may come and go meanwhile: only those may differ
        self.assertLessEqual(set(before) & set(after) | {"computer"}, got)
        self.assertLessEqual(got, set(before) | set(after) | {"computer"})
        self.assertGreater(len([n for n in got if n.startswith("pci_")]), 0)

    def test_filters(self):
        lv = self.libvirt
        devs = sysfs_devices()
        pci = sorted(n for n, (c, p) in devs.items() if c == "pci")
        storage = sorted(n for n, (c, p) in devs.items() if c == "storage")
        got = sorted(d.name() for d in self.conn.listAllDevices(
            lv.VIR_CONNECT_LIST_NODE_DEVICES_CAP_PCI_DEV))
        self.assertEqual(got, pci)
        got = sorted(d.name() for d in self.conn.listAllDevices(
            lv.VIR_CONNECT_LIST_NODE_DEVICES_CAP_STORAGE |
            lv.VIR_CONNECT_LIST_NODE_DEVICES_CAP_SYSTEM))
        self.assertEqual(got, sorted(storage + ["computer"]))
        self.assertEqual(self.conn.listAllDevices(
            lv.VIR_CONNECT_LIST_NODE_DEVICES_INACTIVE), [])
        self.assertEqual(len(self.conn.listAllDevices(
            lv.VIR_CONNECT_LIST_NODE_DEVICES_ACTIVE |
            lv.VIR_CONNECT_LIST_NODE_DEVICES_CAP_PCI_DEV)), len(pci))
        # the legacy calls
        self.assertEqual(self.conn.numOfDevices("pci", 0), len(pci))
        self.assertEqual(sorted(self.conn.listDevices("pci", 0)), pci)
        self.assertEqual(self.conn.listDevices("system", 0), ["computer"])
        self.assertEqual(self.conn.numOfDevices("scsi_host", 0), 0)
        with self.assertRaises(lv.libvirtError) as cm:
            self.conn.numOfDevices("gadget", 0)
        self.assertEqual(cm.exception.get_error_code(), lv.VIR_ERR_INVALID_ARG)
        self.assertIn("gadget", str(cm.exception))
        with self.assertRaises(lv.libvirtError) as cm:
            self.conn.listAllDevices(1 << 25)
        self.assertEqual(cm.exception.get_error_code(), lv.VIR_ERR_INVALID_ARG)

    def test_pci_values(self):
        devs = sysfs_devices()
        for name, (cap, path) in sorted(devs.items()):
            if cap != "pci":
                continue
            with self.subTest(dev=name):
                dev = self.conn.nodeDeviceLookupByName(name)
                xml = dev.XMLDesc(0)
                validate(self, xml)
                root = ET.fromstring(xml)
                self.assertEqual(root.findtext("name"), name)
                self.assertEqual(root.findtext("path"), path)
                self.assertEqual(root.findtext("parent"), expected_parent(path, devs))
                self.assertEqual(dev.parent(), expected_parent(path, devs))
                c = root.find("capability")
                self.assertEqual(c.get("type"), "pci")
                self.assertEqual(int(c.findtext("class"), 16), int(attr(path + "/class"), 16))
                self.assertEqual(int(c.find("vendor").get("id"), 16),
                                 int(attr(path + "/vendor"), 16))
                self.assertEqual(int(c.find("product").get("id"), 16),
                                 int(attr(path + "/device"), 16))
                vname, dname = pci_ids_names(int(attr(path + "/vendor"), 16),
                                             int(attr(path + "/device"), 16))
                self.assertEqual(c.findtext("vendor") or None, vname)
                self.assertEqual(c.findtext("product") or None, dname)
                addr = os.path.basename(path)
                self.assertEqual("%04x:%02x:%02x.%x" % tuple(
                    int(c.findtext(k)) for k in ("domain", "bus", "slot", "function")), addr)
                drv = os.path.join(path, "driver")
                want = os.path.basename(os.readlink(drv)) if os.path.islink(drv) else None
                self.assertEqual(root.findtext("driver/name"), want)
                self.assertEqual(dev.listCaps(), ["pci"])
                self.assertEqual(dev.numOfCaps(), 1)
                self.assertEqual(dev.isActive(), 1)
                self.assertEqual(dev.isPersistent(), 0)
                self.assertEqual(dev.autostart(), 0)

    def test_net_and_storage_values(self):
        devs = sysfs_devices()
        seen = 0
        for name, (cap, path) in sorted(devs.items()):
            if cap not in ("net", "storage") or not os.path.exists(path):
                continue
            try:
                xml = self.conn.nodeDeviceLookupByName(name).XMLDesc(0)
            except self.libvirt.libvirtError:
                if not os.path.exists(path):
                    continue        # a tap that went away meanwhile
                raise
            with self.subTest(dev=name):
                validate(self, xml)
                root = ET.fromstring(xml)
                c = root.find("capability")
                self.assertEqual(c.get("type"), cap)
                self.assertEqual(root.findtext("parent"), expected_parent(path, devs))
                if cap == "net":
                    self.assertEqual(c.findtext("interface"), os.path.basename(path))
                    self.assertEqual(c.findtext("address"), attr(path + "/address"))
                else:
                    sectors = int(attr(path + "/size"))
                    self.assertEqual(c.findtext("block"), "/dev/" + os.path.basename(path))
                    size = c.findtext("size") or c.findtext("capability/media_size")
                    self.assertEqual(int(size), sectors * 512)
                seen += 1
        self.assertGreater(seen, 0)

    def test_computer_and_errors(self):
        lv = self.libvirt
        comp = self.conn.nodeDeviceLookupByName("computer")
        self.assertIsNone(comp.parent())
        self.assertEqual(comp.listCaps(), ["system"])
        validate(self, comp.XMLDesc(0))
        with self.assertRaises(lv.libvirtError) as cm:
            self.conn.nodeDeviceLookupByName("pci_ffff_ff_1f_7")
        self.assertEqual(cm.exception.get_error_code(), lv.VIR_ERR_NO_NODE_DEVICE)
        self.assertEqual(cm.exception.get_error_domain(), lv.VIR_FROM_NODEDEV)
        self.assertIn("pci_ffff_ff_1f_7", str(cm.exception))


class Virsh(unittest.TestCase):
    def test_list_cap_tree(self):
        devs = sysfs_devices()
        pci = sorted(n for n, (c, p) in devs.items() if c == "pci")
        for ro in (False, True):
            uri = daemon.ro_uri if ro else daemon.uri
            res = mvtest.virsh(uri, "nodedev-list", "--cap", "pci", readonly=ro, check=True)
            self.assertEqual(sorted(res.stdout.split()), pci)
        res = mvtest.virsh(daemon.uri, "nodedev-list", "--cap", "pci,storage", check=True)
        want = sorted(pci + [n for n, (c, p) in devs.items() if c == "storage"])
        self.assertEqual(sorted(res.stdout.split()), want)
        res = mvtest.virsh(daemon.uri, "nodedev-list", "--tree", check=True)
        lines = res.stdout.splitlines()
        self.assertEqual(lines[0], "computer")
        for n in pci:
            if expected_parent(devs[n][1], devs) == "computer":
                self.assertIn("  +- " + n, lines)

    def test_dumpxml_and_info(self):
        devs = sysfs_devices()
        name = sorted(n for n, (c, p) in devs.items() if c == "pci")[0]
        res = mvtest.virsh(daemon.ro_uri, "nodedev-dumpxml", name, readonly=True, check=True)
        self.assertIn("<name>%s</name>" % name, res.stdout)
        validate(self, res.stdout)
        res = mvtest.virsh(daemon.uri, "nodedev-info", name, check=True)
        self.assertRegex(res.stdout, r"Name:\s+%s" % name)
        self.assertRegex(res.stdout, r"Parent:\s+%s" % expected_parent(devs[name][1], devs))
        self.assertRegex(res.stdout, r"Active:\s+yes")
        res = mvtest.virsh(daemon.uri, "nodedev-dumpxml", "no_such_device")
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("no node device with matching name 'no_such_device'", res.stderr)


class Proxy(unittest.TestCase):
    """Through modvirt-proxyd: the registry routes nodedev calls to qemud."""

    @classmethod
    def setUpClass(cls):
        global proxy_stack
        sys.path.insert(0, os.path.join(mvtest.SOURCE_ROOT, "tests", "proxy"))
        import proxytest
        proxy_stack = proxytest.Stack().start()

    def test_virsh_through_proxy(self):
        devs = sysfs_devices()
        pci = sorted(n for n, (c, p) in devs.items() if c == "pci")
        res = mvtest.virsh(proxy_stack.uri, "nodedev-list", "--cap", "pci", check=True)
        self.assertEqual(sorted(res.stdout.split()), pci)

    def test_virt_install_hostdev_refused(self):
        mvtest.require_tools("virt-install")
        devs = sysfs_devices()
        name = sorted(n for n, (c, p) in devs.items() if c == "pci")[-1]
        addr = os.path.basename(devs[name][1])
        env = dict(os.environ, HOME=proxy_stack.root, LC_ALL="C.UTF-8")
        for spec in (name, addr):
            with self.subTest(hostdev=spec):
                res = subprocess.run(
                    ["virt-install", "--connect", proxy_stack.uri, "--name", "hd1",
                     "--memory", "64", "--import", "--disk", "none", "--network", "none",
                     "--graphics", "none", "--osinfo", "generic", "--virt-type", "qemu",
                     "--noautoconsole", "--hostdev", spec],
                    capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
                    env=env)
                self.assertNotEqual(res.returncode, 0, res.stdout)
                # the lookup succeeded: the refusal is the define's, with the path
                self.assertNotIn("Did not find a matching node device", res.stderr)
                self.assertIn("/domain/devices/hostdev: <hostdev> is not supported: PCI/USB "
                              "passthrough needs VFIO device assignment", res.stderr)


if __name__ == "__main__":
    mvtest.main()
