"""Domain snapshots of the tiny Linux guest (issue 13 item 4).

Stock virsh and python3-libvirt against modvirt-qemud, one guest, one test
case that walks the life of its snapshots in order (each step needs the
state the previous one left):

- internal snapshots of the running guest (QMP snapshot-save): a file written
  in the guest's RAM and bytes written to its disk after the snapshot are gone
  after `snapshot-revert` (snapshot-load), the shell answers;
- the snapshot tree: snapshot-list (--tree, --parent, --roots, --leaves,
  --current, --internal/--external, --name), snapshot-current, snapshot-info,
  snapshot-parent, snapshot-dumpxml, snapshot-edit (EDITOR), python3-libvirt's
  listAllSnapshots / listAllChildren / getParent / isCurrent;
- the metadata survives a daemon killed with SIGKILL (the guest keeps running), a
  broken metadata file and a left-over temporary file are ignored;
- snapshot-delete --children-only removes the children's data from the image
  (qemu-img snapshot -l), --children and plain delete (children move up);
- reverting to a running snapshot while the domain is shut off starts it from
  the snapshot (event Started Snapshot); a shut-off snapshot (qemu-img) reverts
  the disk and stops a running guest (event Stopped Snapshot), and with
  --running boots it again;
- external disk-only snapshots of the running guest (--disk-only --atomic
  --diskspec: an overlay through blockdev-snapshot) and of the shut-off one:
  the definition points at the overlay, the overlay's backing is the old file,
  the guest keeps writing; revert and data deletion of them are refused with
  a clear error, --metadata deletes the metadata;
- undefine is refused while snapshots exist, --snapshots-metadata removes them;
  invalid snapshot XML is refused naming the element;
- the calls through modvirt-proxyd (read-write and read-only sockets);
- a transient domain's snapshots are not inherited by a later one of that name.
"""

import json
import os
import random
import re
import subprocess
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
NAME = "snap1"
UUID = "5a7e0000-0000-4000-8000-0000000000b1"

libvirt = None


def lifecycle(text):
    return "event 'lifecycle' for domain '%s': %s" % (NAME, text)


class Snapshots(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        global libvirt
        mvtest.require_guest()
        mvtest.require_python_libvirt()
        mvtest.require_tools("virsh", "qemu-img")
        import libvirt as lv
        libvirt = lv
        print("seed %d (MV_TEST_SEED)" % SEED)
        cls.d = mvtest.GuestDaemon().start()
        cls.uri = cls.d.uri
        cls.xml = mvtest.write_file(os.path.join(cls.d.root, "snap1.in.xml"),
                                    mvtest.linux_guest_xml(NAME, cls.d.root, uuid=UUID))
        cls.events = None

    @classmethod
    def tearDownClass(cls):
        if cls.events:
            cls.events.stop()
        virsh(cls.uri, "destroy", NAME)
        cls.d.cleanup()

    # ---- helpers ----

    def ok(self, *args):
        r = virsh(self.uri, *args, timeout=180)
        if r.returncode != 0:
            raise AssertionError("virsh %s failed: %s" % (" ".join(args), r.stderr))
        return r.stdout

    def fails(self, *args):
        r = virsh(self.uri, *args, timeout=180)
        self.assertNotEqual(r.returncode, 0, "virsh %s succeeded" % " ".join(args))
        return r.stderr

    def path(self, name):
        return os.path.join(self.d.root, name)

    def disk_source(self):
        xml = self.ok("dumpxml", NAME)
        return re.search(r"<source file='([^']+)'/>\s*<target dev='vda'", xml).group(1)

    def guest(self, cmd):
        """Run cmd in the guest's shell on the serial pty; return its output."""
        xml = self.ok("dumpxml", NAME)
        pty = re.search(r"<serial type='pty'>\s*<source path='([^']+)'", xml).group(1)
        a = RNG.randrange(10 ** 6, 10 ** 7)
        begin, end = "B%dB" % (a + 1), "E%dE" % (a + 1)
        log = mvtest.serial_log(self.d.root, NAME)
        start = len(mvtest.read_text(log))
        fd = os.open(pty, os.O_RDWR | os.O_NOCTTY)
        try:
            tty.setraw(fd, termios.TCSANOW)
            deadline = time.monotonic() + 90
            line = "echo B$((%d+1))B; %s; echo E$((%d+1))E\r" % (a, cmd, a)
            pair = re.compile(re.escape(begin) + "(.*?)" + re.escape(end), re.S)
            while True:
                os.write(fd, line.encode())
                # a line typed while the shell starts may lose its beginning: retry
                if mvtest.wait_for(lambda: pair.search(mvtest.read_text(log)[start:]), 8, 0.1):
                    break
                if time.monotonic() > deadline:
                    self.fail("the guest's shell did not answer %r; serial log tail:\n%s"
                              % (cmd, mvtest.read_text(log)[-1500:]))
        finally:
            os.close(fd)
        out = pair.findall(mvtest.read_text(log)[start:])[-1]
        return out.replace("\r", "").strip()

    def wait_ready(self):
        # QEMU starts a new serial log each time: one READY per boot
        mvtest.wait_marker(mvtest.serial_log(self.d.root, NAME), mvtest.GUEST_READY,
                           timeout=120)
        self.guest("true")      # the shell reads whole lines from now on

    def snapshot_names(self, *flags):
        return self.ok("snapshot-list", NAME, "--name", *flags).split()

    def image_snapshots(self, path):
        out = subprocess.run(["qemu-img", "snapshot", "-U", "-l", path], capture_output=True,
                             text=True, check=True).stdout
        return [l.split()[1] for l in out.splitlines()[2:] if l.split()]

    def wait_event(self, text, before):
        self.events.wait_line(lifecycle(text), timeout=90, count=before + 1)

    def count_event(self, text):
        return self.events.event_lines(NAME).count(lifecycle(text))

    # ---- the walk ----

    def test_snapshots(self):
        self.ok("define", self.xml)
        self.ok("start", NAME)
        self.wait_ready()
        base = self.disk_source()
        ram_tag = "R%d" % RNG.randrange(10 ** 6)
        disk_a, disk_b = "DA%06d" % RNG.randrange(10 ** 6), "DB%06d" % RNG.randrange(10 ** 6)
        self.guest("echo %s > /tmp/before; printf %s > /dev/vda; sync" % (ram_tag, disk_a))

        # -- s1: internal, running --
        self.ok("snapshot-create-as", NAME, "s1", "--description", "first one")
        self.assertEqual(self.snapshot_names(), ["s1"])
        self.assertEqual(self.ok("snapshot-current", NAME, "--name").strip(), "s1")
        info = self.ok("snapshot-info", NAME, "s1")
        self.assertRegex(info, r"State:\s+running")
        self.assertRegex(info, r"Location:\s+internal")
        self.assertIn("s1", self.image_snapshots(base))
        self.assertEqual(domstate(self.uri, NAME), "running")
        self.assertEqual(self.ok("list", "--all", "--name", "--with-snapshot").split(), [NAME])
        self.assertEqual(self.ok("list", "--all", "--name", "--without-snapshot").split(), [])

        # changes after s1: a file in RAM, other bytes on the disk
        self.guest("echo later > /tmp/after; printf %s > /dev/vda; sync" % disk_b)
        self.assertEqual(self.guest("head -c 8 /dev/vda"), disk_b)

        # -- s2 through python3-libvirt: a child of s1 --
        conn = libvirt.open(self.uri)
        try:
            dom = conn.lookupByName(NAME)
            s2 = dom.snapshotCreateXML(
                "<domainsnapshot><name>s2</name><description>second</description>"
                "</domainsnapshot>")
            self.assertEqual(s2.getName(), "s2")
            self.assertEqual(s2.getParent().getName(), "s1")
            self.assertTrue(s2.isCurrent())
            self.assertEqual(s2.hasMetadata(), 1)
            self.assertEqual([s.getName() for s in dom.listAllSnapshots()], ["s1", "s2"])
            s1 = dom.snapshotLookupByName("s1")
            self.assertFalse(s1.isCurrent())
            self.assertEqual([s.getName() for s in s1.listAllChildren()], ["s2"])
            self.assertEqual(s1.numChildren(), 1)
            self.assertEqual(dom.snapshotNum(), 2)
            self.assertEqual(dom.snapshotListNames(), ["s1", "s2"])
            self.assertTrue(dom.hasCurrentSnapshot())
            with self.assertRaises(libvirt.libvirtError) as cm:
                dom.snapshotLookupByName("nope")
            self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_NO_DOMAIN_SNAPSHOT)
            with self.assertRaises(libvirt.libvirtError) as cm:
                s1.getParent()
            self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_NO_DOMAIN_SNAPSHOT)
            xml = s2.getXMLDesc()
            self.assertIn("<state>running</state>", xml)
            self.assertIn("<parent>\n    <name>s1</name>", xml)
            self.assertIn("<uuid>%s</uuid>" % UUID, xml)
            with self.assertRaises(libvirt.libvirtError) as cm:
                dom.snapshotCreateXML("<domainsnapshot><name>s2</name></domainsnapshot>")
            self.assertIn("already exists", str(cm.exception))
            with self.assertRaises(libvirt.libvirtError) as cm:
                dom.snapshotCreateXML("<domainsnapshot><name>x</name><cookie/>"
                                      "</domainsnapshot>")
            self.assertIn("/domainsnapshot/cookie", str(cm.exception))
        finally:
            conn.close()

        # the tree as virsh shows it
        tree = self.ok("snapshot-list", NAME, "--tree")
        self.assertRegex(tree, r"s1\s*\n\s*\|\s*\n\s*\+- s2")
        self.assertEqual(self.snapshot_names("--roots"), ["s1"])
        self.assertEqual(self.snapshot_names("--leaves"), ["s2"])
        self.assertEqual(self.snapshot_names("--from", "s1"), ["s2"])
        self.assertEqual(self.snapshot_names("--current"), [])     # children of s2
        self.assertEqual(self.snapshot_names("--internal"), ["s1", "s2"])
        self.assertEqual(self.snapshot_names("--external"), [])
        self.assertRegex(self.ok("snapshot-list", NAME, "--parent"), r"s2\s.*\bs1\b")
        self.assertEqual(self.ok("snapshot-parent", NAME, "s2").strip(), "s1")
        self.assertIn("<description>first one</description>",
                      self.ok("snapshot-dumpxml", NAME, "s1"))

        # -- revert to s1: RAM and disk as they were --
        self.events = mvtest.VirshEvents(self.uri, timeout=900).start()
        before = self.count_event("Resumed Snapshot")
        self.ok("snapshot-revert", NAME, "s1")
        self.wait_event("Resumed Snapshot", before)
        self.assertEqual(domstate(self.uri, NAME), "running")
        self.assertEqual(self.guest("cat /tmp/before"), ram_tag)
        self.assertEqual(self.guest("[ -e /tmp/after ] && echo PRESENT || echo GONE"), "GONE")
        self.assertEqual(self.guest("head -c 8 /dev/vda"), disk_a)
        self.assertEqual(self.ok("snapshot-current", NAME, "--name").strip(), "s1")
        before = self.count_event("Suspended Snapshot")
        self.ok("snapshot-revert", NAME, "s1", "--paused")
        self.wait_event("Suspended Snapshot", before)
        self.assertEqual(domstate(self.uri, NAME, reason=True), "paused (from snapshot)")
        self.ok("resume", NAME)
        self.assertEqual(self.guest("cat /tmp/before"), ram_tag)

        # -- snapshot-edit through EDITOR --
        editor = mvtest.write_file(self.path("editor.sh"),
                                   "#!/bin/sh\nsed -i 's|first one|edited|' \"$1\"\n")
        os.chmod(editor, 0o755)
        env = dict(os.environ, EDITOR=editor, VISUAL=editor, LC_ALL="C")
        r = subprocess.run(["virsh", "-c", self.uri, "snapshot-edit", NAME, "s1"], env=env,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("<description>edited</description>",
                      self.ok("snapshot-dumpxml", NAME, "s1"))
        self.assertEqual(self.ok("snapshot-current", NAME, "--name").strip(), "s1")

        # -- undefine refused while snapshots exist --
        err = self.fails("undefine", NAME)
        self.assertIn("snapshots", err)

        # -- the metadata survives a daemon killed with SIGKILL; stray files are ignored --
        self.events.stop()
        self.d.kill9()
        snapdir = os.path.join(self.d.root, "lib", "qemu", "snapshot", NAME)
        mvtest.write_file(os.path.join(snapdir, "broken.xml"), "<domainsnapshot><name>")
        mvtest.write_file(os.path.join(snapdir, ".s9.xml.tmp"), "half a file")
        self.d.start()
        self.events = mvtest.VirshEvents(self.uri, timeout=900).start()
        self.assertEqual(domstate(self.uri, NAME), "running")
        self.assertEqual(self.snapshot_names(), ["s1", "s2"])
        self.assertEqual(self.ok("snapshot-current", NAME, "--name").strip(), "s1")
        self.assertEqual(self.ok("snapshot-parent", NAME, "s2").strip(), "s1")

        # -- delete --children-only: s2 leaves the image too (QMP snapshot-delete) --
        self.ok("snapshot-delete", NAME, "s1", "--children-only")
        self.assertEqual(self.snapshot_names(), ["s1"])
        self.assertEqual(self.image_snapshots(base), ["s1"])

        # -- shut off: revert to the running s1 starts the guest from it --
        self.ok("destroy", NAME)
        before = self.count_event("Started Snapshot")
        self.ok("snapshot-revert", NAME, "s1")
        self.wait_event("Started Snapshot", before)
        self.assertEqual(domstate(self.uri, NAME), "running")
        self.assertEqual(self.guest("cat /tmp/before"), ram_tag)

        # -- s3: internal snapshot of the shut-off guest (qemu-img) --
        self.ok("destroy", NAME)
        self.ok("snapshot-create-as", NAME, "s3")
        self.assertRegex(self.ok("snapshot-info", NAME, "s3"), r"State:\s+shutoff")
        self.assertEqual(self.ok("snapshot-parent", NAME, "s3").strip(), "s1")
        self.assertEqual(sorted(self.image_snapshots(base)), ["s1", "s3"])
        self.ok("start", NAME)
        self.wait_ready()
        self.assertEqual(self.guest("head -c 8 /dev/vda"), disk_a)
        self.guest("printf %s > /dev/vda; sync" % disk_b)
        # reverting to s3 stops the running guest; --running boots it again
        before = self.count_event("Stopped Snapshot")
        self.ok("snapshot-revert", NAME, "s3")
        self.wait_event("Stopped Snapshot", before)
        self.assertEqual(domstate(self.uri, NAME, reason=True), "shut off (from snapshot)")
        self.ok("snapshot-revert", NAME, "s3", "--running")
        self.wait_ready()
        self.assertEqual(self.guest("head -c 8 /dev/vda"), disk_a)

        # -- ext1: external disk-only snapshot of the running guest --
        overlay = self.path("snap1.ext1.qcow2")
        self.ok("snapshot-create-as", NAME, "ext1", "--disk-only", "--atomic",
                "--diskspec", "vda,snapshot=external,file=%s" % overlay)
        self.assertEqual(self.disk_source(), overlay)
        info = json.loads(subprocess.run(["qemu-img", "info", "-U", "--output=json", overlay],
                                         capture_output=True, text=True, check=True).stdout)
        self.assertEqual(info["backing-filename"], base)
        self.assertEqual(info["format"], "qcow2")
        self.assertRegex(self.ok("snapshot-info", NAME, "ext1"), r"State:\s+disk-snapshot")
        self.assertEqual(self.snapshot_names("--external"), ["ext1"])
        self.guest("printf %s > /dev/vda; sync" % disk_b)
        self.assertEqual(self.guest("head -c 8 /dev/vda"), disk_b)
        self.assertIn("not supported", self.fails("snapshot-revert", NAME, "ext1"))
        self.assertIn("--metadata", self.fails("snapshot-delete", NAME, "ext1"))
        # the persistent definition follows the overlay too
        self.assertIn(overlay, self.ok("dumpxml", "--inactive", NAME))

        # -- ext2: external snapshot of the shut-off guest, default file name --
        self.ok("destroy", NAME)
        self.ok("snapshot-create-as", NAME, "ext2", "--disk-only")
        ext2 = self.path("snap1.ext1.ext2")
        self.assertEqual(self.disk_source(), ext2)
        self.assertRegex(self.ok("snapshot-info", NAME, "ext2"), r"State:\s+shutoff")
        self.ok("start", NAME)
        self.wait_ready()
        self.assertEqual(self.guest("head -c 8 /dev/vda"), disk_b)

        # -- delete: metadata of external ones; a plain delete moves children up --
        self.ok("snapshot-delete", NAME, "ext2", "--metadata")
        # s3 lives in the base image, which the running guest only reads now
        err = self.fails("snapshot-delete", NAME, "s3")
        self.assertIn("no longer writes", err)
        self.ok("destroy", NAME)
        self.ok("snapshot-delete", NAME, "s3")      # qemu-img on the base image
        self.assertEqual(self.image_snapshots(base), ["s1"])
        self.assertEqual(self.ok("snapshot-parent", NAME, "ext1").strip(), "s1")
        self.ok("snapshot-delete", NAME, "s1", "--children", "--metadata")
        self.assertEqual(self.snapshot_names(), [])
        self.assertIn("no current snapshot",
                      self.fails("snapshot-current", NAME).lower().replace("does not have a",
                                                                           "no"))

        # -- snapshot-create from a file; undefine --snapshots-metadata --
        spec = mvtest.write_file(self.path("last.xml"), (
            "<domainsnapshot><name>last</name><description>from a file</description>"
            "<disks><disk name='vda' snapshot='external'><source file='%s'/></disk></disks>"
            "</domainsnapshot>") % self.path("last.qcow2"))
        self.ok("snapshot-create", NAME, spec, "--disk-only")
        self.assertEqual(self.disk_source(), self.path("last.qcow2"))
        self.assertIn("<description>from a file</description>",
                      self.ok("snapshot-dumpxml", NAME, "last"))
        self.assertIn("snapshots", self.fails("undefine", NAME))
        self.ok("undefine", NAME, "--snapshots-metadata")
        self.assertFalse(os.path.exists(os.path.join(self.d.root, "lib", "qemu", "snapshot",
                                                     NAME)))

    def test_transient_name_reused(self):
        """Snapshots of a transient domain do not show up for a later domain of the same
        name (another UUID)."""
        name = "snapt"
        for i, u in enumerate(("5a7e0000-0000-4000-8000-0000000000c1",
                               "5a7e0000-0000-4000-8000-0000000000c2")):
            xml = mvtest.write_file(self.path("%s-%d.xml" % (name, i)),
                                    mvtest.linux_guest_xml(name, self.d.root, uuid=u))
            self.ok("create", xml)
            self.assertEqual(self.ok("snapshot-list", name, "--name").split(),
                             [])     # the second one inherits nothing
            if i == 0:
                self.ok("snapshot-create-as", name, "t1")
                self.assertEqual(self.ok("snapshot-list", name, "--name").split(), ["t1"])
                # --halt: the guest stops after the snapshot (a transient one is gone)
                self.ok("snapshot-create-as", name, "t2", "--halt")
                self.assertNotIn(name, self.ok("list", "--all", "--name").split())
            else:
                self.ok("destroy", name)

    def test_through_proxy(self):
        """The snapshot calls through modvirt-proxyd (proxy.sock, proxy-ro.sock): a
        shut-off guest's internal snapshot (qemu-img), the lists, read-only dumpxml
        (not with --security-info), revert and delete."""
        sys.path.insert(0, os.path.join(mvtest.SOURCE_ROOT, "tests", "proxy"))
        import proxytest
        st = proxytest.Stack(guest=True).start()
        try:
            name = "snapp"
            xml = mvtest.write_file(st.path("snapp.xml"),
                                    mvtest.linux_guest_xml(name, st.root))
            disk = os.path.join(st.root, "snapp-disk.qcow2")

            def run(uri, *args):
                r = virsh(uri, *args, timeout=120)
                self.assertEqual(r.returncode, 0, "virsh %s: %s" % (args, r.stderr))
                return r.stdout

            run(st.uri, "define", xml)
            run(st.uri, "snapshot-create-as", name, "p1", "--description", "via proxy")
            run(st.uri, "snapshot-create-as", name, "p2")
            self.assertEqual(self.image_snapshots(disk), ["p1", "p2"])
            self.assertEqual(run(st.ro_uri, "snapshot-list", name, "--name").split(),
                             ["p1", "p2"])
            self.assertIn("via proxy", run(st.ro_uri, "snapshot-dumpxml", name, "p1"))
            r = virsh(st.ro_uri, "snapshot-dumpxml", name, "p1", "--security-info")
            self.assertNotEqual(r.returncode, 0)
            r = virsh(st.ro_uri, "snapshot-delete", name, "p1")
            self.assertNotEqual(r.returncode, 0)
            run(st.uri, "snapshot-revert", name, "p1")
            self.assertEqual(run(st.uri, "snapshot-current", name, "--name").strip(), "p1")
            run(st.uri, "snapshot-delete", name, "p1", "--children")
            self.assertEqual(self.image_snapshots(disk), [])
            # --no-metadata: in the image, not in the list
            run(st.uri, "snapshot-create-as", name, "nm", "--no-metadata")
            self.assertEqual(self.image_snapshots(disk), ["nm"])
            self.assertEqual(run(st.uri, "snapshot-list", name, "--name").split(), [])
            # --reuse-external: an overlay made beforehand becomes the disk
            pre = st.path("pre.qcow2")
            subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b",
                            disk, pre], check=True)
            r = virsh(st.uri, "snapshot-create-as", name, "x1", "--disk-only", "--diskspec",
                      "vda,file=%s" % pre)
            self.assertIn("already exists", r.stderr)
            run(st.uri, "snapshot-create-as", name, "x1", "--disk-only", "--reuse-external",
                "--diskspec", "vda,file=%s" % pre)
            self.assertIn("<source file='%s'/>" % pre, run(st.uri, "dumpxml", name))
            run(st.uri, "snapshot-delete", name, "x1", "--metadata")
            run(st.uri, "undefine", name)
        finally:
            st.cleanup()


if __name__ == "__main__":
    mvtest.main()
