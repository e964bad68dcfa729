"""Domains through python3-libvirt against a real modvirt-qemud.

The lifecycle through the API (the tiny Linux guest for shutdown), the
listAllDomains filter flags against a known mix, libvirt's error codes,
info()/state()/XMLDesc()/isActive()/isPersistent()/autostart(), 10
firmware-only guests started and destroyed at once from 10 connections, and
the calls being added right now (device attach/detach, metadata).
"""

import os
import subprocess
import sys
import threading
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402

libvirt = None


def fw(name, uuid=None, **kw):
    return mvtest.firmware_guest_xml(name, uuid=uuid, **kw)


class PythonDomains(unittest.TestCase):

    def setUp(self):
        self.d = mvtest.GuestDaemon().start()
        self.conn = libvirt.open(self.d.uri)

    def tearDown(self):
        try:
            for dom in self.conn.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE):
                dom.destroy()
            self.conn.close()
        finally:
            self.d.cleanup()

    def assertLibvirtError(self, code, func, *args, contains=None):
        with self.assertRaises(libvirt.libvirtError) as cm:
            func(*args)
        err = cm.exception
        self.assertEqual(err.get_error_code(), code,
                         "%s: code %s, message %r" % (getattr(func, "__name__", func),
                                                      err.get_error_code(),
                                                      err.get_error_message()))
        if contains:
            self.assertIn(contains, err.get_error_message())
        return err

    # -- lifecycle -------------------------------------------------------------

    def test_lifecycle_firmware(self):
        c = self.conn
        dom = c.defineXML(fw("pl1"))
        self.assertEqual(dom.name(), "pl1")
        self.assertEqual(dom.ID(), -1)
        self.assertFalse(dom.isActive())
        self.assertTrue(dom.isPersistent())
        self.assertEqual(dom.autostart(), 0)
        self.assertEqual(dom.state(), [libvirt.VIR_DOMAIN_SHUTOFF,
                                       libvirt.VIR_DOMAIN_SHUTOFF_UNKNOWN])
        info = dom.info()
        self.assertEqual(info[0], libvirt.VIR_DOMAIN_SHUTOFF)
        self.assertEqual(info[1], 32 * 1024)        # max memory KiB
        self.assertEqual(info[3], 1)                # vcpus
        self.assertEqual(dom.OSType(), "hvm")
        uuid = dom.UUIDString()
        self.assertEqual(c.lookupByUUIDString(uuid).name(), "pl1")
        self.assertEqual(c.lookupByName("pl1").UUIDString(), uuid)

        self.assertEqual(dom.create(), 0)
        self.assertTrue(dom.isActive())
        self.assertGreater(dom.ID(), 0)
        self.assertEqual(dom.state(), [libvirt.VIR_DOMAIN_RUNNING,
                                       libvirt.VIR_DOMAIN_RUNNING_BOOTED])
        self.assertEqual(c.lookupByID(dom.ID()).name(), "pl1")
        root = ET.fromstring(dom.XMLDesc(0))
        self.assertEqual(root.get("id"), str(dom.ID()))
        self.assertEqual(root.findtext("uuid"), uuid)
        self.assertIsNone(ET.fromstring(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)).get("id"))
        # the daemon's own "already running" answer (virsh checks the id first)
        self.assertLibvirtError(libvirt.VIR_ERR_OPERATION_INVALID, dom.create)

        dom.suspend()
        # the reason right after a start is racy: test_suspend_reason_after_start
        self.assertEqual(dom.state()[0], libvirt.VIR_DOMAIN_PAUSED)
        self.assertEqual(dom.info()[0], libvirt.VIR_DOMAIN_PAUSED)
        dom.resume()
        self.assertEqual(dom.state(), [libvirt.VIR_DOMAIN_RUNNING,
                                       libvirt.VIR_DOMAIN_RUNNING_UNPAUSED])
        self.assertLibvirtError(libvirt.VIR_ERR_OPERATION_INVALID, dom.resume)
        dom.destroy()
        self.assertEqual(dom.state(), [libvirt.VIR_DOMAIN_SHUTOFF,
                                       libvirt.VIR_DOMAIN_SHUTOFF_DESTROYED])
        self.assertEqual(c.lookupByName("pl1").ID(), -1)
        self.assertLibvirtError(libvirt.VIR_ERR_OPERATION_INVALID, dom.destroy)
        self.assertLibvirtError(libvirt.VIR_ERR_OPERATION_INVALID, dom.suspend)

        # createWithFlags(START_PAUSED)
        dom.createWithFlags(libvirt.VIR_DOMAIN_START_PAUSED)
        self.assertEqual(dom.state()[0], libvirt.VIR_DOMAIN_PAUSED)
        dom.resume()
        self.assertEqual(dom.state()[0], libvirt.VIR_DOMAIN_RUNNING)
        dom.destroyFlags(libvirt.VIR_DOMAIN_DESTROY_GRACEFUL)
        self.assertFalse(dom.isActive())

        # autostart round trip
        dom.setAutostart(1)
        self.assertEqual(dom.autostart(), 1)
        dom.setAutostart(0)
        self.assertEqual(dom.autostart(), 0)

        dom.undefine()
        self.assertLibvirtError(libvirt.VIR_ERR_NO_DOMAIN, c.lookupByName, "pl1")
        self.assertLibvirtError(libvirt.VIR_ERR_NO_DOMAIN, c.lookupByUUIDString, uuid)

        # createXML: transient
        t = c.createXML(fw("pt1"), 0)
        self.assertGreater(t.ID(), 0)
        self.assertTrue(t.isActive())
        self.assertFalse(t.isPersistent())
        self.assertLibvirtError(libvirt.VIR_ERR_OPERATION_INVALID, t.setAutostart, 1)
        t.destroy()
        self.assertLibvirtError(libvirt.VIR_ERR_NO_DOMAIN, c.lookupByName, "pt1")
        # createXML paused
        t = c.createXML(fw("pt2"), libvirt.VIR_DOMAIN_START_PAUSED)
        self.assertEqual(t.state()[0], libvirt.VIR_DOMAIN_PAUSED)
        t.destroy()

    def test_lifecycle_linux_shutdown(self):
        mvtest.require_guest()
        xml = mvtest.linux_guest_xml("plx", self.d.root)
        dom = self.conn.defineXML(xml)
        dom.create()
        slog = mvtest.serial_log(self.d.root, "plx")
        mvtest.wait_marker(slog, mvtest.GUEST_READY, timeout=90)
        self.assertEqual(dom.shutdown(), 0)
        ok = mvtest.wait_for(lambda: dom.state() == [libvirt.VIR_DOMAIN_SHUTOFF,
                                                     libvirt.VIR_DOMAIN_SHUTOFF_SHUTDOWN],
                             60, 0.2)
        self.assertTrue(ok, "state %s after shutdown" % dom.state())
        self.assertIn(mvtest.GUEST_POWEROFF, mvtest.read_text(slog))
        # shutdown of a shut-off domain
        self.assertLibvirtError(libvirt.VIR_ERR_OPERATION_INVALID, dom.shutdown)
        dom.undefine()

    # A suspend right after a start ends with reason PAUSED_USER (1) and one
    # SUSPENDED event, even when QEMU's STOP is read after the suspend job ended.
    def test_suspend_reason_after_start(self):
        dom = self.conn.defineXML(fw("sr1"))
        got = []
        for _ in range(40):
            dom.create()
            dom.suspend()
            got.append(dom.state())
            dom.destroy()
        want = [libvirt.VIR_DOMAIN_PAUSED, libvirt.VIR_DOMAIN_PAUSED_USER]
        bad = [g for g in got if g != want]
        self.assertEqual(bad, [], "%d of 40 suspends right after a start gave %s, not %s"
                         % (len(bad), bad[:1], want))

    # -- listing ---------------------------------------------------------------

    def test_list_all_domains_flags(self):
        c = self.conn
        for n in ("p-run", "p-paused", "p-off-auto"):
            c.defineXML(fw(n))
        c.lookupByName("p-run").create()
        c.lookupByName("p-paused").createWithFlags(libvirt.VIR_DOMAIN_START_PAUSED)
        c.lookupByName("p-off-auto").setAutostart(1)
        c.createXML(fw("t-run"), 0)
        L = libvirt
        everyone = {"p-run", "p-paused", "p-off-auto", "t-run"}
        cases = {
            0: everyone,
            L.VIR_CONNECT_LIST_DOMAINS_ACTIVE: {"p-run", "p-paused", "t-run"},
            L.VIR_CONNECT_LIST_DOMAINS_INACTIVE: {"p-off-auto"},
            L.VIR_CONNECT_LIST_DOMAINS_ACTIVE | L.VIR_CONNECT_LIST_DOMAINS_INACTIVE: everyone,
            L.VIR_CONNECT_LIST_DOMAINS_PERSISTENT: {"p-run", "p-paused", "p-off-auto"},
            L.VIR_CONNECT_LIST_DOMAINS_TRANSIENT: {"t-run"},
            L.VIR_CONNECT_LIST_DOMAINS_RUNNING: {"p-run", "t-run"},
            L.VIR_CONNECT_LIST_DOMAINS_PAUSED: {"p-paused"},
            L.VIR_CONNECT_LIST_DOMAINS_SHUTOFF: {"p-off-auto"},
            L.VIR_CONNECT_LIST_DOMAINS_OTHER: set(),
            L.VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE: set(),
            L.VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE: everyone,
            L.VIR_CONNECT_LIST_DOMAINS_AUTOSTART: {"p-off-auto"},
            L.VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART: {"p-run", "p-paused", "t-run"},
            L.VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT: set(),
            L.VIR_CONNECT_LIST_DOMAINS_NO_SNAPSHOT: everyone,
            L.VIR_CONNECT_LIST_DOMAINS_PERSISTENT | L.VIR_CONNECT_LIST_DOMAINS_ACTIVE:
                {"p-run", "p-paused"},
            L.VIR_CONNECT_LIST_DOMAINS_RUNNING | L.VIR_CONNECT_LIST_DOMAINS_PAUSED:
                {"p-run", "p-paused", "t-run"},
            L.VIR_CONNECT_LIST_DOMAINS_TRANSIENT | L.VIR_CONNECT_LIST_DOMAINS_SHUTOFF: set(),
            L.VIR_CONNECT_LIST_DOMAINS_PERSISTENT | L.VIR_CONNECT_LIST_DOMAINS_TRANSIENT:
                everyone,
            L.VIR_CONNECT_LIST_DOMAINS_AUTOSTART | L.VIR_CONNECT_LIST_DOMAINS_INACTIVE:
                {"p-off-auto"},
        }
        for flags, want in cases.items():
            with self.subTest(flags=hex(flags)):
                self.assertEqual({d.name() for d in c.listAllDomains(flags)}, want)
        # ids in the returned objects: current ids, -1 when inactive
        for dom in c.listAllDomains(0):
            self.assertEqual(dom.ID() == -1, dom.name() == "p-off-auto")
        # the legacy calls
        self.assertEqual(c.numOfDomains(), 3)
        self.assertEqual(c.numOfDefinedDomains(), 1)
        self.assertEqual(sorted(c.lookupByID(i).name() for i in c.listDomainsID()),
                         ["p-paused", "p-run", "t-run"])
        self.assertEqual(c.listDefinedDomains(), ["p-off-auto"])

    # -- errors ----------------------------------------------------------------

    def test_errors(self):
        c = self.conn
        err = self.assertLibvirtError(libvirt.VIR_ERR_NO_DOMAIN, c.lookupByName, "nosuch")
        self.assertIn("nosuch", err.get_error_message())
        self.assertLibvirtError(libvirt.VIR_ERR_NO_DOMAIN, c.lookupByID, 4711)
        self.assertLibvirtError(libvirt.VIR_ERR_NO_DOMAIN, c.lookupByUUIDString,
                                "11111111-2222-3333-4444-555555555555")
        # bad XML: code 27 with the element path
        bad = fw("bx").replace("<devices>", "<devices><hostdev mode='subsystem' type='pci'>"
                                            "<source><address domain='0' bus='0' slot='1' "
                                            "function='0'/></source></hostdev>")
        self.assertLibvirtError(libvirt.VIR_ERR_XML_ERROR, c.defineXML, bad,
                                contains="/domain/devices/hostdev")
        self.assertLibvirtError(libvirt.VIR_ERR_XML_ERROR, c.createXML, bad, 0,
                                contains="/domain/devices/hostdev")
        self.assertLibvirtError(libvirt.VIR_ERR_XML_ERROR, c.defineXML, "<domain")
        # unknown flags: code 8
        dom = c.defineXML(fw("fl1"))
        self.assertLibvirtError(libvirt.VIR_ERR_INVALID_ARG, c.listAllDomains, 1 << 30)
        self.assertLibvirtError(libvirt.VIR_ERR_INVALID_ARG, dom.createWithFlags, 1 << 20)
        self.assertLibvirtError(libvirt.VIR_ERR_INVALID_ARG, dom.XMLDesc, 1 << 20)
        self.assertLibvirtError(libvirt.VIR_ERR_INVALID_ARG, dom.undefineFlags, 1 << 20)
        self.assertLibvirtError(libvirt.VIR_ERR_INVALID_ARG, c.defineXMLFlags, fw("fl2"), 1 << 20)
        self.assertLibvirtError(libvirt.VIR_ERR_INVALID_ARG, c.createXML, fw("fl3"), 1 << 20)
        self.assertEqual({d.name() for d in c.listAllDomains(0)}, {"fl1"})
        dom.create()
        self.assertLibvirtError(libvirt.VIR_ERR_INVALID_ARG, dom.destroyFlags, 1 << 20)
        self.assertLibvirtError(libvirt.VIR_ERR_INVALID_ARG, dom.state, 1)
        dom.destroy()
        # duplicate define: same name, another uuid -> 9
        self.assertLibvirtError(libvirt.VIR_ERR_OPERATION_FAILED, c.defineXML,
                                fw("fl1", uuid="0b5e6c4e-1f4a-4d3e-9b0b-5d0f3c3a00ff"),
                                contains="fl1")
        # same uuid, another name -> 9 as well
        self.assertLibvirtError(libvirt.VIR_ERR_OPERATION_FAILED, c.defineXML,
                                fw("fl1-renamed", uuid=dom.UUIDString()))
        # a transient domain with the name of a defined one
        dom.create()
        self.assertLibvirtError(libvirt.VIR_ERR_OPERATION_FAILED, c.createXML,
                                fw("fl1", uuid="0b5e6c4e-1f4a-4d3e-9b0b-5d0f3c3a00fe"), 0)
        # undefine a running persistent domain: it becomes transient
        dom.undefine()
        self.assertTrue(dom.isActive())
        self.assertFalse(dom.isPersistent())
        self.assertFalse(os.path.exists(os.path.join(self.d.root, "etc", "qemu", "fl1.xml")))
        dom.destroy()
        self.assertLibvirtError(libvirt.VIR_ERR_NO_DOMAIN, c.lookupByName, "fl1")
        # redefine with the same uuid: an update (keeps the uuid)
        dom = c.defineXML(fw("fl4", uuid="0b5e6c4e-1f4a-4d3e-9b0b-5d0f3c3a00fd"))
        dom2 = c.defineXML(fw("fl4", uuid="0b5e6c4e-1f4a-4d3e-9b0b-5d0f3c3a00fd", memory_mib=48))
        self.assertEqual(dom2.info()[1], 48 * 1024)
        self.assertEqual(c.listDefinedDomains(), ["fl4"])

    # -- concurrency -----------------------------------------------------------

    def test_ten_guests_at_once(self):
        n = 10
        names = ["par%d" % i for i in range(n)]
        for name in names:
            self.conn.defineXML(fw(name))
        conns = [libvirt.open(self.d.uri) for _ in range(n)]
        results = [None] * n
        barrier = threading.Barrier(n)

        def start(i):
            try:
                dom = conns[i].lookupByName(names[i])
                barrier.wait(10)
                dom.create()
                results[i] = dom.ID()
            except Exception as e:
                results[i] = e

        def destroy(i):
            try:
                dom = conns[i].lookupByName(names[i])
                barrier.wait(10)
                dom.destroy()
                results[i] = dom.state()[0]
            except Exception as e:
                results[i] = e

        try:
            for fn in (start, destroy):
                if fn is destroy:
                    ids = list(results)
                    self.assertEqual(len(set(ids)), n, "ids not distinct: %s" % ids)
                    self.assertTrue(all(isinstance(i, int) and i > 0 for i in ids), ids)
                    running = self.conn.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_RUNNING)
                    self.assertEqual(sorted(d.name() for d in running), sorted(names))
                    for name in names:
                        self.assertEqual(len(mvtest.qemu_processes_of(name, self.d.root)), 1, name)
                barrier.reset()
                threads = [threading.Thread(target=fn, args=(i,)) for i in range(n)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join(120)
                errors = [r for r in results if isinstance(r, Exception)]
                self.assertEqual(errors, [])
            self.assertEqual(results, [libvirt.VIR_DOMAIN_SHUTOFF] * n)
            self.assertEqual(self.conn.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE),
                             [])
            self.assertTrue(mvtest.wait_for(
                lambda: not any(mvtest.qemu_processes_of(x, self.d.root) for x in names), 20))
        finally:
            for c in conns:
                c.close()

    # -- being added: device hot-plug, metadata ----------------------------------

    def disk_xml(self, name, dev):
        path = os.path.join(self.d.root, "%s-%s.qcow2" % (name, dev))
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", path, "16M"], check=True,
                       timeout=30)
        return ("<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                "<source file='%s'/><target dev='%s' bus='virtio'/></disk>" % (path, dev))

    def test_attach_detach_disk_config(self):
        dom = self.conn.defineXML(fw("ad1"))
        disk = self.disk_xml("ad1", "vdb")
        dom.attachDeviceFlags(disk, libvirt.VIR_DOMAIN_AFFECT_CONFIG)
        xml = ET.fromstring(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
        self.assertEqual([t.get("dev") for t in xml.findall("devices/disk/target")], ["vdb"])
        dom.detachDeviceFlags(disk, libvirt.VIR_DOMAIN_AFFECT_CONFIG)
        xml = ET.fromstring(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
        self.assertEqual(xml.findall("devices/disk"), [])

    def test_attach_detach_disk_live(self):
        mvtest.require_guest()
        dom = self.conn.defineXML(mvtest.linux_guest_xml("ad2", self.d.root))
        dom.create()
        slog = mvtest.serial_log(self.d.root, "ad2")
        mvtest.wait_marker(slog, mvtest.GUEST_READY, timeout=90)
        disk = self.disk_xml("ad2", "vdb")
        dom.attachDeviceFlags(disk, libvirt.VIR_DOMAIN_AFFECT_LIVE)
        live = ET.fromstring(dom.XMLDesc(0))
        self.assertIn("vdb", [t.get("dev") for t in live.findall("devices/disk/target")])
        inactive = ET.fromstring(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
        self.assertNotIn("vdb", [t.get("dev") for t in inactive.findall("devices/disk/target")])
        # the guest sees it (the kernel logs nothing at quiet; look in /sys via the
        # console is the console test's job: here QEMU's view is enough)
        dom.detachDeviceFlags(disk, libvirt.VIR_DOMAIN_AFFECT_LIVE)
        gone = mvtest.wait_for(lambda: "vdb" not in [
            t.get("dev") for t in ET.fromstring(dom.XMLDesc(0)).findall("devices/disk/target")],
            30, 0.2)
        self.assertTrue(gone, "vdb still in the live XML after detach")
        dom.destroy()

    def test_affect_flags(self):
        # CURRENT (0) means the live domain while it runs and the config while it does
        # not; LIVE on a shut-off domain is refused
        balloon = "<memballoon model='virtio'/>"
        dom = self.conn.defineXML(fw("af1", memory_mib=64, extra_devices=balloon))

        def config_current_kib():
            xml = ET.fromstring(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
            node = xml.find("currentMemory")
            self.assertEqual(node.get("unit", "KiB"), "KiB")
            return int(node.text)

        self.assertLibvirtError(libvirt.VIR_ERR_OPERATION_INVALID, dom.setMemoryFlags, 32768,
                                libvirt.VIR_DOMAIN_AFFECT_LIVE, contains="not running")
        self.assertLibvirtError(libvirt.VIR_ERR_OPERATION_INVALID, dom.setVcpusFlags, 1,
                                libvirt.VIR_DOMAIN_AFFECT_LIVE, contains="not running")
        dom.setMemoryFlags(49152, libvirt.VIR_DOMAIN_AFFECT_CURRENT)
        self.assertEqual(config_current_kib(), 49152)

        dom.create()
        self.assertEqual(dom.info()[2], 49152)
        dom.setMemoryFlags(40960, libvirt.VIR_DOMAIN_AFFECT_CURRENT)
        self.assertEqual(dom.info()[2], 40960, "CURRENT on a running domain is live")
        self.assertEqual(config_current_kib(), 49152, "CURRENT on a running domain is not config")
        # CURRENT on a running domain is live: a hot-plug, bounded by the maximum
        self.assertLibvirtError(libvirt.VIR_ERR_INVALID_ARG, dom.setVcpusFlags, 64,
                                libvirt.VIR_DOMAIN_AFFECT_CURRENT, contains="live domain")
        dom.setMemoryFlags(45056, libvirt.VIR_DOMAIN_AFFECT_CONFIG)
        self.assertEqual((dom.info()[2], config_current_kib()), (40960, 45056))
        dom.destroy()

    def test_metadata(self):
        dom = self.conn.defineXML(fw("md1"))
        dom.setMetadata(libvirt.VIR_DOMAIN_METADATA_DESCRIPTION, "a description", None, None,
                        libvirt.VIR_DOMAIN_AFFECT_CONFIG)
        dom.setMetadata(libvirt.VIR_DOMAIN_METADATA_TITLE, "a title", None, None,
                        libvirt.VIR_DOMAIN_AFFECT_CONFIG)
        dom.setMetadata(libvirt.VIR_DOMAIN_METADATA_ELEMENT, "<foo>bar</foo>", "ex",
                        "http://example.org/x", libvirt.VIR_DOMAIN_AFFECT_CONFIG)
        self.assertEqual(dom.metadata(libvirt.VIR_DOMAIN_METADATA_DESCRIPTION, None,
                                      libvirt.VIR_DOMAIN_AFFECT_CONFIG), "a description")
        self.assertEqual(dom.metadata(libvirt.VIR_DOMAIN_METADATA_TITLE, None,
                                      libvirt.VIR_DOMAIN_AFFECT_CONFIG), "a title")
        got = ET.fromstring(dom.metadata(libvirt.VIR_DOMAIN_METADATA_ELEMENT,
                                         "http://example.org/x",
                                         libvirt.VIR_DOMAIN_AFFECT_CONFIG))
        self.assertIn(got.tag, ("foo", "{http://example.org/x}foo"))
        self.assertEqual(got.text, "bar")
        xml = ET.fromstring(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
        self.assertEqual(xml.findtext("description"), "a description")
        self.assertEqual(xml.findtext("title"), "a title")
        self.assertIsNotNone(xml.find("metadata/{http://example.org/x}foo"))
        self.assertLibvirtError(libvirt.VIR_ERR_NO_DOMAIN_METADATA, dom.metadata,
                                libvirt.VIR_DOMAIN_METADATA_ELEMENT, "http://example.org/none",
                                libvirt.VIR_DOMAIN_AFFECT_CONFIG)


if __name__ == "__main__":
    mvtest.require_qemu()
    mvtest.require_python_libvirt()
    mvtest.require_daemon()
    import libvirt  # noqa: F811
    libvirt.registerErrorHandler(lambda ctx, err: None, None)  # errors are asserted
    mvtest.main()
