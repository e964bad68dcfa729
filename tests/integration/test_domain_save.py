"""Save/restore and managed save of the tiny Linux guest (issue 13 item 3).

Stock virsh and python3-libvirt against modvirt-qemud: `virsh save` (plain,
--paused, --running, --xml), `virsh restore` (--paused/--running), the
save-image-dumpxml/-define calls, managed save (dominfo, list flags, start
resumes from it, managedsave-remove, managedsave-dumpxml/-define, undefine
refuses or removes it), the
lifecycle events (Stopped Saved, Started Restored), and broken images: a
truncated, foreign, unfinished or corrupt-stream file is refused with a clear
error while the domain stays shut off and no QEMU is left. After every
restore the guest's shell still answers on its serial console: the test types
an arithmetic expression with random operands and waits for the result.
"""

import os
import random
import re
import shutil
import sys
import termios
import time
import tty
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
from mvtest import virsh, domstate  # noqa: E402

SEED = int(os.environ.get("MV_TEST_SEED", random.randrange(1 << 30)))
RNG = random.Random(SEED)
NAME = "sav1"
UUID = "5a7e0000-0000-4000-8000-0000000000a1"
MAGIC = b"ModvirtSaveImg1\n"

libvirt = None


def lifecycle(text):
    return "event 'lifecycle' for domain '%s': %s" % (NAME, text)


class Save(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        global libvirt
        mvtest.require_guest()
        mvtest.require_python_libvirt()
        import libvirt as lv
        libvirt = lv
        cls.d = mvtest.GuestDaemon().start()
        cls.uri = cls.d.uri
        cls.xml = mvtest.write_file(os.path.join(cls.d.root, "sav1.in.xml"),
                                    mvtest.linux_guest_xml(NAME, cls.d.root, uuid=UUID))
        cls.events = mvtest.VirshEvents(cls.uri, timeout=600).start()
        cls.ok(cls, "define", cls.xml)
        cls.ok(cls, "start", NAME)
        mvtest.wait_marker(mvtest.serial_log(cls.d.root, NAME), mvtest.GUEST_READY, timeout=90)
        cls.conn = libvirt.open(cls.uri)

    @classmethod
    def tearDownClass(cls):
        cls.conn.close()
        cls.events.stop()
        virsh(cls.uri, "destroy", NAME)
        cls.d.cleanup()

    # ---- helpers ----

    def ok(self, *args):
        r = virsh(self.uri, *args, timeout=120)
        if r.returncode != 0:
            raise AssertionError("virsh %s failed: %s" % (" ".join(args), r.stderr))
        return r

    def fails(self, *args):
        r = virsh(self.uri, *args, timeout=120)
        self.assertNotEqual(r.returncode, 0, "virsh %s succeeded" % " ".join(args))
        return r.stderr

    def path(self, name):
        return os.path.join(self.d.root, name)

    def shell_answers(self):
        """Type `echo TAG$((a*b))` on the guest's serial pty; wait for TAG<product>."""
        xml = self.ok("dumpxml", NAME).stdout
        pty = re.search(r"<serial type='pty'>\s*<source path='([^']+)'", xml).group(1)
        a, b = RNG.randrange(1000, 9999), RNG.randrange(1000, 9999)
        tag = "MVS%d" % RNG.randrange(10 ** 6)
        log = mvtest.serial_log(self.d.root, NAME)
        fd = os.open(pty, os.O_RDWR | os.O_NOCTTY)
        try:
            tty.setraw(fd, termios.TCSANOW)
            deadline = time.monotonic() + 60
            while True:
                os.write(fd, ("echo %s$((%d*%d))\r" % (tag, a, b)).encode())
                if mvtest.wait_for(lambda: (tag + str(a * b)) in mvtest.read_text(log), 5, 0.1):
                    return
                if time.monotonic() > deadline:
                    self.fail("the guest's shell did not answer; serial log tail:\n%s"
                              % mvtest.read_text(log)[-1500:])
        finally:
            os.close(fd)

    def qemu_count(self):
        return len(mvtest.qemu_processes(self.d.root.rstrip("/") + "/"))

    def wait_event(self, text):
        self.events.wait_line(lifecycle(text), timeout=60,
                              count=self.events.event_lines(NAME).count(lifecycle(text)) + 1)

    def expect_event(self, text, action):
        before = self.events.event_lines(NAME).count(lifecycle(text))
        result = action()
        self.events.wait_line(lifecycle(text), timeout=60, count=before + 1)
        return result

    def save_image(self, name, *flags):
        """Save the running guest to ROOT/name and restore nothing; returns the path."""
        path = self.path(name)
        self.expect_event("Stopped Saved", lambda: self.ok("save", NAME, path, *flags))
        self.assertEqual(domstate(self.uri, NAME), "shut off")
        self.assertEqual(self.qemu_count(), 0)
        return path

    def restore(self, path, *flags):
        self.expect_event("Started Restored", lambda: self.ok("restore", path, *flags))

    # ---- cases ----

    def test_1_save_restore(self):
        print("\nseed %d (MV_TEST_SEED)" % SEED)
        self.shell_answers()
        path = self.save_image("plain.save")
        with open(path, "rb") as f:
            self.assertEqual(f.read(16), MAGIC)
        self.assertIn("shut off", self.ok("dominfo", NAME).stdout)
        self.assertIn("<name>%s</name>" % NAME, self.ok("save-image-dumpxml", path).stdout)
        self.restore(path)
        self.assertEqual(domstate(self.uri, NAME), "running")
        self.shell_answers()

    def test_2_paused_and_running_flags(self):
        path = self.save_image("paused.save", "--paused")
        self.restore(path)
        self.assertEqual(domstate(self.uri, NAME), "paused")
        self.ok("resume", NAME)
        self.shell_answers()
        # saved running, restored with --paused; then the image says running
        # (save-image-define --running) after it was saved --paused
        path = self.save_image("running.save")
        self.restore(path, "--paused")
        self.assertEqual(domstate(self.uri, NAME), "paused")
        self.ok("resume", NAME)
        path = self.save_image("paused2.save", "--paused")
        xml = self.ok("save-image-dumpxml", "--security-info", path).stdout
        self.ok("save-image-define", path, mvtest.write_file(self.path("same.xml"), xml),
                "--running")
        self.restore(path)
        self.assertEqual(domstate(self.uri, NAME), "running")
        self.shell_answers()

    def test_3_xml_replacement(self):
        dom = self.conn.lookupByName(NAME)
        path = self.path("xml.save")
        xml = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_SECURE | libvirt.VIR_DOMAIN_XML_INACTIVE)
        other = xml.replace("<name>%s</name>" % NAME, "<name>other</name>")
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.saveFlags(path, other, 0)
        self.assertIn("same domain", str(cm.exception))
        self.assertEqual(dom.state()[0], libvirt.VIR_DOMAIN_RUNNING)
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.saveFlags(path, None, libvirt.VIR_DOMAIN_SAVE_BYPASS_CACHE)
        self.assertIn("bypass-cache", str(cm.exception))
        self.assertEqual(dom.state()[0], libvirt.VIR_DOMAIN_RUNNING)
        nowhere = self.path("no-such-dir/x.save")
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.save(nowhere)
        self.assertIn("cannot create save image '%s'" % nowhere, str(cm.exception))
        self.assertEqual(dom.state()[0], libvirt.VIR_DOMAIN_RUNNING)
        tagged = xml.replace("</name>", "</name>\n  <title>saved-with-xml</title>", 1)
        dom.saveFlags(path, tagged, libvirt.VIR_DOMAIN_SAVE_PAUSED)
        self.assertIn("saved-with-xml", self.conn.saveImageGetXMLDesc(path, 0))
        self.conn.restoreFlags(path, None, libvirt.VIR_DOMAIN_SAVE_RUNNING)
        dom = self.conn.lookupByName(NAME)
        self.assertEqual(dom.state()[0], libvirt.VIR_DOMAIN_RUNNING)
        self.assertIn("saved-with-xml", dom.XMLDesc(0))
        self.shell_answers()

    def test_4_broken_images(self):
        good = self.save_image("good.save")
        with open(good, "rb") as f:
            data = f.read()
        start = int.from_bytes(data[32:40], "little")
        cases = {
            "truncated": (data[:start + (len(data) - start) // 2], "truncated"),
            "cut-xml": (data[:200], "truncated"),
            "foreign": (b"QEVM" + data[4:], "not a modvirt save image"),
            "unfinished": (data[:20] + bytes([data[20] & ~2]) + data[21:], "incomplete"),
            "bad-stream": (data[:start] + b"\xff" * 64 + data[start + 64:],
                           "cannot restore from"),
            "empty": (b"", "truncated"),
        }
        for i, (case, (content, message)) in enumerate(cases.items()):
            with self.subTest(case=case):
                # a neutral file name: the message, not the path, must say what is wrong
                path = mvtest.write_file(self.path("broken-%d.img" % i), "")
                with open(path, "wb") as f:
                    f.write(content)
                err = self.fails("restore", path)
                self.assertIn(message, err)
                self.assertIn(path, err)
                self.assertEqual(domstate(self.uri, NAME), "shut off")
                self.assertEqual(self.qemu_count(), 0)
        self.assertFalse(self.conn.lookupByName(NAME).isActive())
        self.restore(good)
        self.shell_answers()

    def test_5_managed_save(self):
        dom = self.conn.lookupByName(NAME)
        self.assertEqual(dom.hasManagedSaveImage(0), 0)
        self.expect_event("Stopped Saved", lambda: self.ok("managedsave", NAME))
        self.assertEqual(dom.hasManagedSaveImage(0), 1)
        self.assertRegex(self.ok("dominfo", NAME).stdout, r"Managed save:\s+yes")
        names = self.ok("list", "--all", "--with-managed-save", "--name").stdout.split()
        self.assertEqual(names, [NAME])
        self.assertNotIn(NAME, self.ok("list", "--all", "--without-managed-save",
                                       "--name").stdout)
        self.assertRegex(self.ok("list", "--all", "--managed-save").stdout,
                         r"%s\s+saved" % NAME)
        listed = self.conn.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE)
        self.assertEqual([d.name() for d in listed], [NAME])
        self.assertIn("managed save image exists", self.fails("undefine", NAME))
        # managedsave-dumpxml / -define (388/389): a title and --paused go into the image
        xml = self.ok("managedsave-dumpxml", "--security-info", NAME).stdout
        self.assertIn("<name>%s</name>" % NAME, xml)
        ro = virsh(self.uri, "managedsave-dumpxml", NAME, readonly=True)
        self.assertEqual(ro.returncode, 0, ro.stderr)
        titled = xml.replace("</name>", "</name>\n  <description>managed-define</description>", 1)
        self.ok("managedsave-define", NAME, mvtest.write_file(self.path("ms.xml"), titled),
                "--paused")
        self.assertIn("managed-define", dom.managedSaveGetXMLDesc(0))
        self.expect_event("Started Restored", lambda: self.ok("start", NAME))
        self.assertEqual(domstate(self.uri, NAME), "paused")
        self.assertIn("managed-define", self.ok("dumpxml", NAME).stdout)
        self.ok("resume", NAME)
        self.assertEqual(dom.hasManagedSaveImage(0), 0)
        self.assertRegex(self.ok("dominfo", NAME).stdout, r"Managed save:\s+no")
        self.shell_answers()

    def test_6_managed_save_broken_and_remove(self):
        self.ok("managedsave", NAME)
        image = os.path.join(self.d.root, "lib", "qemu", "save", NAME + ".save")
        self.assertTrue(os.path.exists(image), image)
        size = os.path.getsize(image)
        os.truncate(image, size // 2)
        err = self.fails("start", NAME)
        self.assertIn("managed save image", err)
        self.assertIn("truncated", err)
        self.assertEqual(domstate(self.uri, NAME), "shut off")
        self.assertEqual(self.qemu_count(), 0)
        self.assertTrue(os.path.exists(image))
        self.ok("managedsave-remove", NAME)
        self.assertFalse(os.path.exists(image))
        log = mvtest.serial_log(self.d.root, NAME)
        ready = mvtest.read_text(log).count(mvtest.GUEST_READY)
        self.expect_event("Started Booted", lambda: self.ok("start", NAME))
        mvtest.wait_marker(log, mvtest.GUEST_READY, count=ready + 1, timeout=90)
        self.shell_answers()

    def test_6b_autostart_resumes_managed_save(self):
        """A restarted daemon autostarts the guest from its managed save image."""
        self.ok("autostart", NAME)
        self.expect_event("Stopped Saved", lambda: self.ok("managedsave", NAME))
        type(self).conn.close()
        self.events.stop()
        self.d.stop()
        self.d.start()
        type(self).events = mvtest.VirshEvents(self.uri, timeout=600).start()
        type(self).conn = libvirt.open(self.uri)
        mvtest.wait_domstate(self.uri, NAME, "running (restored)", timeout=60, reason=True)
        self.assertEqual(self.conn.lookupByName(NAME).hasManagedSaveImage(0), 0)
        self.ok("autostart", "--disable", NAME)
        self.shell_answers()

    def test_7_undefine_managed_save(self):
        self.ok("managedsave", NAME)
        image = os.path.join(self.d.root, "lib", "qemu", "save", NAME + ".save")
        self.assertTrue(os.path.exists(image))
        self.ok("undefine", "--managed-save", NAME)
        self.assertFalse(os.path.exists(image))
        self.assertNotEqual(virsh(self.uri, "dominfo", NAME).returncode, 0)
        # a transient guest restored from a plain save image is gone after its save
        self.ok("define", self.xml)


if __name__ == "__main__":
    mvtest.main()
