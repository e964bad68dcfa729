#!/usr/bin/python3
"""virt-install, virt-xml, virt-clone and everyday virsh end to end, as a new
user would use them (issue 13, item 1 tests).

storaged, networkd, qemud and the proxy share one --root in a private network
namespace (the network 'default' exists only there); every tool goes through
the proxy's socket, with the pool 'default' in the root so that nothing lands
in /var/lib/libvirt. One guest runs at a time:

1. a `virt-install --import --boot kernel=,initrd=` guest (the tiny Linux
   guest, q35, network 'default'): running, its shell answers on `virsh
   console`; dominfo, domstate --reason, domid/domuuid/domname, suspend/resume,
   reboot and reset (the guest boots again each time), desc, metadata,
   a disk hot-plugged and unplugged with virt-xml --update (seen by the guest), dumpxml
   --inactive/--security-info/--update-cpu, define --validate, autostart;
   virt-xml --edit --memory, --edit --metadata title=,description=,
   --add-device --console pty, --edit --disk cache=none, --remove-device
   --rng, and `virsh edit` with EDITOR (the kernel command line); after a
   restart each edit is in effect, seen in QEMU's command line and by the
   guest (/proc/cmdline; the added console is a virtio console the guest
   writes to as /dev/hvc0, read with `virsh console --devname console1`);
   list --title, an ACPI shutdown, undefined;
2. a `virt-install --import` guest (SeaBIOS, a blank disk, VNC with a
   password): domdisplay and vncdisplay name the port QEMU listens on (an RFB
   server answers there; also after a qemud restart), the password only with
   --security-info; shut off,
   virt-clone'd; the clone is renamed (domrename: events, files, refusals),
   started, and undefined with --remove-all-storage;
3. `virt-install --boot uefi` (q35, secure boot, with virt-install's default
   TPM, a disk from pool 'default'): OVMF runs under TCG; renamed while shut
   off (its NVRAM moves along); undefine without --nvram refused, then
   --nvram --tpm --remove-all-storage removes NVRAM, TPM state and volume;
4. domcapabilities and capabilities as virt-install reads them;
5. python3-libvirt's rename(): a transient (so running) domain, a managed
   save, snapshot metadata, bad names and flags refused with libvirt's error
   codes.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import mvnet  # noqa: E402
import mvvirtinst  # noqa: E402

S = {}
CTRL_RBRACKET = b"\x1d"
HOST_PATHS = ("/var/lib/libvirt/images", "/etc/libvirt", "/run/libvirt")


def vsh(*args, check=True, timeout=60):
    return mvtest.virsh(S["uri"], *args, check=check, timeout=timeout)


def tool(*argv, env=None, timeout=180):
    """virt-install/virt-xml/virt-clone/virsh with --connect URI; CompletedProcess."""
    full = dict(os.environ, HOME=S["root"], LC_ALL="C.UTF-8")
    full.pop("LIBVIRT_DEFAULT_URI", None)
    full.update(env or {})
    connect = ["-c", S["uri"]] if argv[0] == "virsh" else ["--connect", S["uri"]]
    return subprocess.run([argv[0]] + connect + list(argv[1:]), capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL, env=full)


def ok(res):
    if res.returncode != 0:
        raise AssertionError("%s failed (%d):\n%s%s" % (" ".join(res.args), res.returncode,
                                                        res.stdout, res.stderr))
    return res


def cmdline(name):
    with open("/proc/%d/cmdline" % mvtest.status_pid(S["root"], name), "rb") as f:
        return f.read().replace(b"\0", b" ").decode()


def inactive(name):
    return vsh("dumpxml", "--inactive", name).stdout


def dominfo(name):
    out = vsh("dominfo", name).stdout
    return dict((k.strip(), v.strip()) for k, v in
                (line.split(":", 1) for line in out.splitlines() if ":" in line))


def setUpModule():
    mvtest.enter_private_netns()
    st = mvvirtinst.Stack(prefix="mvt-e2e-")
    unittest.addModuleCleanup(st.cleanup)
    S["host_before"] = {p: os.path.exists(p) for p in HOST_PATHS}
    st.start()
    S["root"], S["uri"], S["stack"] = st.root, st.uri, st
    S["guest"] = mvtest.GUEST_DIR
    pool = os.path.join(st.root, "pool-default")
    os.makedirs(pool)
    vsh("pool-define-as", "default", "dir", "--target", pool)
    vsh("pool-start", "default")
    S["pool"] = pool


class Console:
    """`virsh console [--devname DEV] NAME` on a pty."""

    def __init__(self, name, *extra):
        self.proc, master = mvtest.run_on_pty(["virsh", "-c", S["uri"], "console"]
                                              + list(extra) + [name])
        self.reader = mvtest.PtyReader(master)
        self.pos = self.reader.expect("Escape character", 20)

    def prompt(self):
        for _ in range(15):
            self.reader.send(b"\r")
            try:
                self.pos = self.reader.expect(mvtest.GUEST_PROMPT, 3, self.pos)
                return self
            except AssertionError:
                continue
        raise AssertionError("no prompt on the console:\n%r" % self.reader.text[-2000:])

    def run(self, command, marker, timeout=30):
        """Type command; wait for marker (which the echoed command must not contain)."""
        self.reader.send(command.encode() + b"\r")
        self.pos = self.reader.expect(marker, timeout, self.pos)
        return self.reader.text

    def close(self):
        self.reader.send(CTRL_RBRACKET)
        deadline = time.monotonic() + 15
        while self.proc.poll() is None and time.monotonic() < deadline:
            self.reader.pump(0.2)
        rc = mvtest.stop_process(self.proc, timeout=5)
        self.reader.close()
        return rc


class VirtInstallE2E(unittest.TestCase):

    def tearDown(self):
        # nothing of the host's libvirt paths is ever created
        for path, existed in S["host_before"].items():
            self.assertEqual(os.path.exists(path), existed, path)

    def wait_ready(self, name, count=1, timeout=120):
        mvtest.wait_marker(mvtest.serial_log(S["root"], name), mvtest.GUEST_READY, count,
                           timeout)

    def test_1_kernel_guest(self):
        """virt-install --import --boot kernel=,initrd=; everyday virsh; virt-xml edits."""
        name = "vi-kernel"
        disk = mvtest.make_overlay(os.path.join(S["root"], "images"), name)
        boot = "kernel=%s/vmlinuz,initrd=%s/initrd.gz,kernel_args=console=ttyS0 quiet " \
               "panic=-1" % (S["guest"], S["guest"])
        res = ok(tool("virt-install", "--name", name, "--memory", "256", "--vcpus", "1",
                      "--import", "--disk", "path=%s,bus=virtio" % disk, "--boot", boot,
                      "--osinfo", "linux2022", "--virt-type", "qemu", "--graphics", "none",
                      "--network", "network=default", "--noautoconsole"))
        self.addCleanup(vsh, "undefine", name, check=False)
        self.addCleanup(vsh, "destroy", name, check=False)
        self.assertIn("Domain creation completed", res.stdout)
        self.assertEqual(vsh("domstate", "--reason", name).stdout.strip(), "running (booted)")
        self.wait_ready(name)

        # identity: dominfo, domid / domuuid / domname agree with the XML
        info = dominfo(name)
        self.assertEqual(info["State"], "running")
        self.assertEqual(info["Persistent"], "yes")
        xml = vsh("dumpxml", name).stdout
        dom_id = re.search(r"<domain type='qemu' id='(\d+)'>", xml).group(1)
        uuid = re.search(r"<uuid>([0-9a-f-]+)</uuid>", xml).group(1)
        self.assertEqual(info["Id"], dom_id)
        self.assertEqual(info["UUID"], uuid)
        self.assertEqual(vsh("domid", name).stdout.strip(), dom_id)
        self.assertEqual(vsh("domuuid", name).stdout.strip(), uuid)
        self.assertEqual(vsh("domname", dom_id).stdout.strip(), name)
        self.assertEqual(vsh("domname", uuid).stdout.strip(), name)
        self.assertEqual(vsh("domid", uuid).stdout.strip(), dom_id)

        # the console: the guest's shell answers
        con = Console(name).prompt()
        con.run("echo sum$((1234+4321))", "sum5555")
        self.assertEqual(con.close(), 0)

        # suspend / resume, reboot, reset: the guest boots again each time
        vsh("suspend", name)
        self.assertEqual(vsh("domstate", "--reason", name).stdout.strip(), "paused (user)")
        vsh("resume", name)
        self.assertEqual(vsh("domstate", "--reason", name).stdout.strip(), "running (unpaused)")
        vsh("reboot", name)
        self.wait_ready(name, 2)
        vsh("reset", name)
        self.wait_ready(name, 3)
        self.assertEqual(vsh("domstate", name).stdout.strip(), "running")

        # desc and metadata, live and config
        vsh("desc", name, "--live", "--title", "live title")
        vsh("desc", name, "--live", "live description")
        self.assertEqual(vsh("desc", name, "--title").stdout.strip(), "live title")
        self.assertEqual(vsh("desc", name).stdout.strip(), "live description")
        vsh("metadata", name, "http://example.org/e2e", "--key", "e2e",
            "--set", "<run><n>7</n></run>", "--live")
        self.assertIn("<n>7</n>", vsh("metadata", name, "http://example.org/e2e").stdout)
        self.assertNotIn("example.org/e2e", inactive(name))

        # virt-xml --update: a disk hot-plugged into the running guest, then unplugged
        extra = os.path.join(S["root"], "images", name + "-extra.qcow2")
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", extra, "16M"], check=True)
        res = ok(tool("virt-xml", name, "--add-device", "--disk",
                      "path=%s,target=vdb,bus=virtio" % extra, "--update"))
        self.assertIn("Device hotplug successful", res.stdout)
        con = Console(name).prompt()
        con.run("echo size-$(cat /sys/block/vdb/size)-end", "size-32768-end")
        res = ok(tool("virt-xml", name, "--remove-device", "--disk", "target=vdb", "--update"))
        self.assertIn("Device hotunplug successful", res.stdout)
        text = con.run("echo blocks: $(ls /sys/block) :end$((3+4))", ":end7")
        listing = re.findall(r"blocks: ([^\r\n]*) :end7", text)[-1].split()
        self.assertIn("vda", listing)
        self.assertNotIn("vdb", listing)
        self.assertEqual(con.close(), 0)
        self.assertNotIn("vdb", vsh("domblklist", name).stdout)
        self.assertNotIn(extra, inactive(name))

        # XML flags, define --validate
        vsh("dumpxml", "--update-cpu", name)
        text = inactive(name)
        path = mvtest.write_file(os.path.join(S["root"], name + ".xml"), text)
        self.assertIn("defined from", vsh("define", "--validate", path).stdout)
        bad = mvtest.write_file(os.path.join(S["root"], "bad.xml"),
                                text.replace("<on_crash>", "<bogus/><on_crash>"))
        res = vsh("define", "--validate", bad, check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("/domain/bogus", res.stderr)

        # autostart
        vsh("autostart", name)
        self.assertEqual(dominfo(name)["Autostart"], "enable")
        self.assertTrue(os.path.islink(os.path.join(S["root"], "etc", "qemu", "autostart",
                                                    name + ".xml")))
        vsh("autostart", "--disable", name)
        self.assertEqual(dominfo(name)["Autostart"], "disable")

        # virt-xml edits of the running guest's definition
        for args in (["--edit", "--memory", "320"],
                     ["--edit", "--metadata", "title=E2E guest,description=made by virt-install"],
                     ["--add-device", "--console", "pty"],
                     ["--edit", "target=vda", "--disk", "cache=none"],
                     ["--remove-device", "--rng", "all"]):
            res = ok(tool("virt-xml", name, *args))
            self.assertIn("Domain '%s' defined successfully" % name, res.stdout)
        # virsh edit: EDITOR changes the kernel command line
        editor = mvtest.write_file(os.path.join(S["root"], "editor.sh"),
                                   "#!/bin/sh\nsed -i 's/panic=-1</panic=-1 mvedit=42</' \"$1\"\n")
        os.chmod(editor, 0o755)
        res = ok(tool("virsh", "edit", name, env={"EDITOR": editor, "VISUAL": editor}))
        self.assertIn("edited", res.stdout)

        config = inactive(name)
        self.assertIn("<memory unit='KiB'>327680</memory>", config)
        self.assertIn("<title>E2E guest</title>", config)
        self.assertIn("<description>made by virt-install</description>", config)
        self.assertEqual(len(re.findall(r"<console type='pty'", config)), 2)
        self.assertIn("<target type='virtio'/>", config)
        self.assertIn("cache='none'", config)
        self.assertNotIn("<rng", config)
        self.assertIn("mvedit=42</cmdline>", config)
        self.assertEqual(vsh("desc", name, "--config", "--title").stdout.strip(), "E2E guest")
        self.assertEqual(dominfo(name)["Max memory"], "262144 KiB")     # live: unchanged

        # a restart brings the edits into effect
        vsh("destroy", name)
        self.assertEqual(vsh("domstate", "--reason", name).stdout.strip(),
                         "shut off (destroyed)")
        vsh("start", name)
        self.wait_ready(name, 4)
        self.assertEqual(dominfo(name)["Max memory"], "327680 KiB")
        self.assertEqual(vsh("desc", name, "--title").stdout.strip(), "E2E guest")
        line = cmdline(name)
        self.assertIn("virtconsole", line)
        self.assertIn("cache.direct=on", line)
        self.assertNotIn("virtio-rng", line)
        self.assertIn("size=320M", line)
        live = vsh("dumpxml", name).stdout
        self.assertRegex(live, r"<console type='pty' tty='/dev/pts/\d+'>\s*<source path="
                               r"'/dev/pts/\d+'/>\s*<target type='virtio'/>\s*"
                               r"<alias name='console1'/>")
        # the guest sees the new kernel command line and writes to the added console
        hvc = Console(name, "--devname", "console1")
        con = Console(name).prompt()
        con.run("grep -o mvedit=42 /proc/cmdline | sed s/mvedit/seen/", "seen=42")
        con.run("echo hvc$((20+22)) > /dev/hvc0; echo written$((1+1))", "written2")
        hvc.reader.expect("hvc42", 30, hvc.pos)
        self.assertEqual(con.close(), 0)
        self.assertEqual(hvc.close(), 0)

        self.assertIn("E2E guest", vsh("list", "--title").stdout)
        # an ACPI shutdown: the guest powers off
        vsh("shutdown", name)
        mvtest.wait_domstate(S["uri"], name, "shut off (shutdown)", timeout=60, reason=True)
        vsh("undefine", name)
        self.assertNotEqual(vsh("dominfo", name, check=False).returncode, 0)
        self.assertTrue(os.path.exists(disk))        # plain undefine keeps the disk

    def test_2_import_clone_rename(self):
        """virt-install --import (VNC), domdisplay, virt-clone, domrename."""
        name = "vi-import"
        disk = os.path.join(S["root"], "images", name + ".qcow2")
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", disk, "16M"], check=True)
        ok(tool("virt-install", "--name", name, "--memory", "128", "--vcpus", "1",
                "--import", "--disk", "path=%s" % disk, "--osinfo", "generic",
                "--virt-type", "qemu", "--network", "none",
                "--graphics", "vnc,listen=127.0.0.1,password=e2e-secret", "--noautoconsole"))
        self.addCleanup(vsh, "undefine", name, check=False)
        self.addCleanup(vsh, "destroy", name, check=False)
        self.assertEqual(vsh("domstate", name).stdout.strip(), "running")

        # the display QEMU listens on, as the live XML and virsh name it
        live = vsh("dumpxml", name).stdout
        port = int(re.search(r"<graphics type='vnc' port='(\d+)' autoport='yes'", live).group(1))
        self.assertGreaterEqual(port, 5900)
        self.assertNotIn("passwd=", live)
        self.assertIn("passwd='e2e-secret'", vsh("dumpxml", "--security-info", name).stdout)
        self.assertIn("port='-1'", inactive(name))
        self.assertEqual(vsh("vncdisplay", name).stdout.strip(), "127.0.0.1:%d" % (port - 5900))
        self.assertEqual(vsh("domdisplay", name).stdout.strip(),
                         "vnc://127.0.0.1:%d" % (port - 5900))
        self.assertEqual(vsh("domdisplay", "--include-password", name).stdout.strip(),
                         "vnc://:e2e-secret@127.0.0.1:%d" % (port - 5900))
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            self.assertTrue(s.recv(12).startswith(b"RFB 003."))
        # a restarted qemud adopts the guest with its display's port (the status file)
        S["stack"].qemud.stop()
        S["stack"].qemud.start()
        self.assertEqual(vsh("vncdisplay", name).stdout.strip(), "127.0.0.1:%d" % (port - 5900))

        # virt-clone of the shut-off guest
        vsh("destroy", name)
        res = ok(tool("virt-clone", "--original", name, "--auto-clone"))
        clone = name + "-clone"
        self.addCleanup(vsh, "undefine", clone, check=False)
        self.assertIn("Clone '%s' created successfully" % clone, res.stdout)
        orig_xml, clone_xml = inactive(name), inactive(clone)
        uuid = lambda x: re.search(r"<uuid>(.*)</uuid>", x).group(1)   # noqa: E731
        self.assertNotEqual(uuid(orig_xml), uuid(clone_xml))
        clone_disk = re.search(r"<source file='([^']+)'/>", clone_xml).group(1)
        self.assertNotEqual(clone_disk, disk)
        self.assertTrue(os.path.exists(clone_disk))

        # domrename of the clone: files and events follow, refusals as libvirt's
        events = mvtest.VirshEvents(S["uri"]).start()
        try:
            # registered once a probe domain's event arrives
            probe = mvtest.write_file(os.path.join(S["root"], "probe.xml"),
                                      mvtest.firmware_guest_xml(
                                          "vi-probe", dtype="qemu",
                                          uuid="5eed0000-0000-4000-8000-00000000e2e0"))
            deadline = time.monotonic() + 30
            while True:
                vsh("define", probe)
                try:
                    events.wait_line("for domain 'vi-probe': Defined", timeout=1)
                    break
                except AssertionError:
                    if time.monotonic() > deadline:
                        raise
            vsh("undefine", "vi-probe")
            renamed = "vi-renamed"
            self.addCleanup(vsh, "undefine", "--remove-all-storage", renamed, check=False)
            vsh("autostart", clone)
            self.assertEqual(vsh("domrename", clone, renamed).stdout.strip(),
                             "Domain successfully renamed")
            events.wait_line("for domain '%s': Undefined Renamed" % clone)
            events.wait_line("for domain '%s': Defined Renamed" % renamed)
        finally:
            events.stop()
        etc = os.path.join(S["root"], "etc", "qemu")
        self.assertFalse(os.path.exists(os.path.join(etc, clone + ".xml")))
        self.assertFalse(os.path.lexists(os.path.join(etc, "autostart", clone + ".xml")))
        self.assertTrue(os.path.exists(os.path.join(etc, renamed + ".xml")))
        self.assertTrue(os.path.islink(os.path.join(etc, "autostart", renamed + ".xml")))
        self.assertEqual(uuid(inactive(renamed)), uuid(clone_xml))
        self.assertIn("<name>%s</name>" % renamed, inactive(renamed))
        self.assertNotEqual(vsh("dominfo", clone, check=False).returncode, 0)
        self.assertEqual(vsh("domname", uuid(clone_xml)).stdout.strip(), renamed)
        for args, text in (((renamed, name), "domain with name '%s' already exists" % name),
                           ((renamed, renamed), "Can't rename domain to itself"),
                           ((renamed, "a/b"), "must not contain '/'")):
            res = vsh("domrename", *args, check=False)
            self.assertNotEqual(res.returncode, 0, args)
            self.assertIn(text, res.stderr)
        # the old definition (old name, same UUID) is not a way to rename back
        old = mvtest.write_file(os.path.join(S["root"], "old.xml"), clone_xml)
        res = vsh("define", old, check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("already exists with this uuid: to rename it, use 'virsh domrename'",
                      res.stderr)
        vsh("start", renamed)
        self.assertIn("guest=%s," % renamed, cmdline(renamed))
        res = vsh("domrename", renamed, "vi-running", check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("cannot rename active domain", res.stderr)
        vsh("destroy", renamed)
        vsh("autostart", "--disable", renamed)

        # undefine --remove-all-storage removes the clone's disk (a pool volume)
        res = vsh("undefine", "--remove-all-storage", renamed)
        self.assertIn(clone_disk, res.stdout)
        self.assertFalse(os.path.exists(clone_disk))
        self.assertTrue(os.path.exists(disk))

    def test_3_uefi(self):
        """virt-install --boot uefi: OVMF under TCG; rename; undefine --nvram --tpm."""
        name = "vi-uefi"
        ok(tool("virt-install", "--name", name, "--memory", "256", "--vcpus", "1", "--import",
                "--disk", "size=0.05", "--boot", "uefi", "--osinfo", "linux2022",
                "--virt-type", "qemu", "--network", "none", "--graphics", "none",
                "--noautoconsole"))
        self.addCleanup(vsh, "undefine", "--nvram", "--tpm", "--remove-all-storage", name,
                        check=False)
        self.addCleanup(vsh, "destroy", name, check=False)
        self.assertEqual(vsh("domstate", name).stdout.strip(), "running")
        config = inactive(name)
        self.assertIn("<os firmware='efi'>", config)
        self.assertIn("<tpm model='tpm-crb'>", config)      # virt-install's default for UEFI
        live = vsh("dumpxml", name).stdout
        self.assertIn("<loader readonly='yes' secure='yes' type='pflash'>"
                      "/usr/share/OVMF/OVMF_CODE_4M.ms.fd</loader>", live)
        volume = re.search(r"<source file='([^']+)'/>", live).group(1)
        self.assertEqual(os.path.dirname(volume), S["pool"])
        nvram = os.path.join(S["root"], "lib", "qemu", "nvram", name + "_VARS.fd")
        self.assertIn(">%s</nvram>" % nvram, live)
        # OVMF runs: it finds no bootable disk, secure boot refuses its unsigned shell
        mvtest.wait_marker(mvtest.serial_log(S["root"], name), "Security Violation",
                           timeout=180)
        uuid = re.search(r"<uuid>(.*)</uuid>", live).group(1)
        tpm_state = os.path.join(S["root"], "lib", "qemu", "swtpm", uuid)
        self.assertTrue(os.path.isdir(tpm_state))
        vsh("destroy", name)

        # rename: the variable store follows the name
        with open(nvram, "rb") as f:
            vars_before = f.read()
        renamed = "vi-uefi-2"
        self.addCleanup(vsh, "undefine", "--nvram", "--tpm", "--remove-all-storage", renamed,
                        check=False)
        vsh("domrename", name, renamed)
        nvram2 = os.path.join(S["root"], "lib", "qemu", "nvram", renamed + "_VARS.fd")
        self.assertFalse(os.path.exists(nvram))
        with open(nvram2, "rb") as f:
            self.assertEqual(f.read(), vars_before)

        res = vsh("undefine", renamed, check=False)
        self.assertNotEqual(res.returncode, 0, "undefine without --nvram must be refused")
        self.assertIn("nvram", res.stderr.lower())
        res = vsh("undefine", "--nvram", "--tpm", "--remove-all-storage", renamed)
        self.assertIn(volume, res.stdout)
        for path in (nvram2, tpm_state, volume):
            self.assertFalse(os.path.exists(path), path)
        self.assertNotEqual(vsh("dominfo", renamed, check=False).returncode, 0)

    def test_5_rename_python(self):
        """python3-libvirt virDomain.rename(): error codes of the refusals."""
        import libvirt
        conn = libvirt.open(S["uri"])
        self.addCleanup(conn.close)
        xml = mvtest.firmware_guest_xml("vi-py", dtype="qemu")
        transient = conn.createXML(xml.replace("vi-py", "vi-py-t"), 0)
        self.addCleanup(transient.destroy)
        with self.assertRaises(libvirt.libvirtError) as cm:
            transient.rename("vi-py-t2", 0)
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_OPERATION_INVALID)
        self.assertIn("cannot rename active domain", str(cm.exception))   # always running

        dom = conn.defineXML(xml)
        self.addCleanup(dom.undefineFlags, libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE)
        dom.create()
        dom.managedSave(0)
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.rename("vi-py2", 0)
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_OPERATION_INVALID)
        self.assertIn("managed saved state", str(cm.exception))
        dom.managedSaveRemove(0)
        # snapshot metadata, where qemud keeps it (lib/qemu/snapshot/NAME/*.xml): planted
        # (mv_qemu_snapshots_exist() looks for files, it does not parse them)
        snapdir = os.path.join(S["root"], "lib", "qemu", "snapshot", "vi-py")
        os.makedirs(snapdir)
        mvtest.write_file(os.path.join(snapdir, "s1.xml"), "<domainsnapshot/>")
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.rename("vi-py2", 0)
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_OPERATION_INVALID)
        self.assertIn("cannot rename domain with snapshots", str(cm.exception))
        shutil.rmtree(snapdir)
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.rename("vi\npy", 0)
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_INVALID_ARG)
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.rename("vi-py2", 1)
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_INVALID_ARG)
        self.assertEqual(dom.rename("vi-py2", 0), 0)
        self.assertEqual(dom.name(), "vi-py2")
        self.assertEqual(conn.lookupByUUIDString(dom.UUIDString()).name(), "vi-py2")
        with self.assertRaises(libvirt.libvirtError) as cm:
            conn.lookupByName("vi-py")
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_NO_DOMAIN)

    def test_4_capabilities(self):
        """domcapabilities and capabilities as virt-install reads them."""
        caps = vsh("capabilities").stdout
        self.assertRegex(caps, r"<guest>\s*<os_type>hvm</os_type>\s*<arch name='x86_64'>")
        self.assertIn("<domain type='qemu'", caps)
        dcaps = vsh("domcapabilities", "--machine", "q35", "--virttype", "qemu").stdout
        self.assertIn("<path>%s</path>" % shutil.which("qemu-system-x86_64"), dcaps)
        self.assertRegex(dcaps, r"<enum name='firmware'>\s*<value>efi</value>")
        self.assertRegex(dcaps, r"<tpm supported='yes'>")


if __name__ == "__main__":
    mvtest.require_root()
    mvtest.require_guest()
    mvtest.require_tools("virsh", "virt-install", "virt-xml", "virt-clone")
    mvtest.require_python_libvirt()
    for binary in (mvtest.STORAGED, mvtest.NETWORKD, mvnet.PROXYD):
        if not os.access(binary, os.X_OK):
            mvtest.mvtap.bail_out("not built: %s (build it first)" % binary)
    mvtest.main()
