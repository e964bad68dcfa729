#!/usr/bin/python3
"""Emulated TPM 2.0 (issue 13, item 2): <tpm><backend type='emulator'
version='2.0'/> through swtpm, started and reaped by modvirt-qemud, its state
kept with the guest in qemud's state directory until `undefine --tpm`.

modvirt-qemud, modvirt-storaged and modvirt-proxyd share one --root; stock
virsh and virt-install go through the proxy.

1. domcapabilities lists <tpm> with the tpm-tis/tpm-crb models and the
   emulator backend (virt-install reads it);
2. the tiny Linux guest with a tpm-crb: swtpm runs with its state under
   ROOT/lib/qemu/swtpm/<uuid>, QEMU has the emulator tpmdev, and the guest
   kernel finds the TPM 2.0 (its boot messages on the serial console);
   QEMU reports it (query-tpm: the live XML's alias comes from there);
   destroy reaps swtpm; the state stays for the next start;
3. virt-install --tpm emulator --boot uefi defines and starts a guest with a TPM;
4. undefine --keep-tpm keeps the state, undefine --tpm removes it;
5. qemud SIGKILLed after it started swtpm but before QEMU: the next start
   stops the orphaned swtpm and runs with one.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import mvnet  # noqa: E402
from mvtest import virsh  # noqa: E402

S = {}
TPM = "\n    <tpm model='%s'><backend type='emulator' version='2.0'/></tpm>"


def vsh(*args, check=True):
    return virsh(S["uri"], *args, check=check, timeout=90)


def uuid_of(name):
    return vsh("domuuid", name).stdout.strip()


def state_dir(name):
    return os.path.join(S["root"], "lib", "qemu", "swtpm", uuid_of(name))


def swtpm_pids():
    """The swtpm processes whose command line names this test's root."""
    return swtpm_pids_under(S["root"])


def kill_pid(pid):
    try:
        os.kill(pid, 9)
    except OSError:
        pass


def swtpm_pids_under(root):
    pids = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if argv and os.path.basename(argv[0]) == b"swtpm" and \
                any(root.encode() + b"/" in a for a in argv):
            if mvtest.proc_state(int(pid)) not in (None, "Z"):
                pids.append(int(pid))
    return pids


def qemu_argv(name):
    with open("/proc/%d/cmdline" % mvtest.status_pid(S["root"], name), "rb") as f:
        return [a.decode() for a in f.read().split(b"\0")]


def setUpModule():
    root = S["root"] = tempfile.mkdtemp(prefix="mvt-tpm-")
    if os.environ.get("MV_TEST_KEEP") != "1":
        unittest.addModuleCleanup(shutil.rmtree, root, True)
    S["sd"] = mvtest.Daemon(root=root, name="storage", binary=mvtest.STORAGED).start()
    unittest.addModuleCleanup(S["sd"].cleanup)
    S["qd"] = mvtest.GuestDaemon(root=root).start()
    unittest.addModuleCleanup(S["qd"].cleanup)
    S["px"] = mvnet.ProxyDaemon(root).start()
    unittest.addModuleCleanup(S["px"].cleanup)
    S["uri"] = "qemu+unix:///system?socket=%s" % S["px"].sock


class Tpm(unittest.TestCase):
    def undefine(self, name):
        vsh("destroy", name, check=False)
        vsh("undefine", name, "--nvram", "--tpm", check=False)

    def test_1_domcapabilities(self):
        caps = vsh("domcapabilities", "--virttype", "qemu").stdout
        tpm = re.search(r"<tpm supported='yes'>.*?</tpm>", caps, re.S)
        self.assertIsNotNone(tpm, caps)
        self.assertRegex(tpm.group(0), r"<enum name='model'>\s*<value>tpm-tis</value>\s*"
                         r"<value>tpm-crb</value>")
        self.assertRegex(tpm.group(0), r"<enum name='backendModel'>\s*<value>emulator</value>")

    def test_2_linux_guest_sees_tpm(self):
        name = "tl"
        xml = mvtest.linux_guest_xml(name, S["root"], extra_devices=TPM % "tpm-crb")
        xml = xml.replace("console=ttyS0 quiet", "console=ttyS0")   # the kernel's messages
        path = mvtest.write_file(os.path.join(S["root"], name + ".xml"), xml)
        vsh("define", path)
        self.addCleanup(self.undefine, name)
        self.assertIn("<tpm model='tpm-crb'>", vsh("dumpxml", "--inactive", name).stdout)
        vsh("start", name)
        pids = swtpm_pids()
        self.assertEqual(len(pids), 1, "one swtpm for the guest")
        tpm_state = os.path.join(state_dir(name), "tpm2", "tpm2-00.permall")
        self.assertTrue(os.path.exists(tpm_state), tpm_state)
        # qemud asked QEMU (query-tpm) for the device before it called the start done
        self.assertRegex(vsh("dumpxml", name).stdout,
                         r"<tpm model='tpm-crb'>\s*<backend type='emulator' version='2.0'/>"
                         r"\s*<alias name='tpm0'/>")
        argv = qemu_argv(name)
        self.assertIn("emulator,id=tpm-tpm0,chardev=chrtpm", argv)
        self.assertIn("tpm-crb,tpmdev=tpm-tpm0,id=tpm0", argv)
        log = mvtest.serial_log(S["root"], name)
        mvtest.wait_marker(log, mvtest.GUEST_READY, timeout=120)
        text = mvtest.read_text(log)
        # ACPI's TPM2 table (QEMU builds it for the CRB device) in the guest's boot log
        self.assertRegex(text, r"ACPI: TPM2 0x")
        vsh("destroy", name)
        self.assertTrue(mvtest.wait_for(lambda: not swtpm_pids(), 15),
                        "swtpm still running after destroy")
        self.assertTrue(os.path.exists(tpm_state), "the TPM state stays with the guest")

    def test_3_virt_install_tpm_emulator(self):
        if not shutil.which("virt-install"):
            self.skipTest("virt-install not installed (Debian: virtinst)")
        name = "tv"
        res = subprocess.run(
            ["virt-install", "--connect", S["uri"], "--name", name, "--memory", "256",
             "--vcpus", "1", "--machine", "q35", "--boot", "uefi", "--disk", "none",
             "--import", "--network", "none", "--graphics", "none", "--serial", "pty",
             "--osinfo", "generic", "--virt-type", "qemu", "--noautoconsole",
             "--tpm", "emulator", "--controller", "usb3"],
            capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL,
            env=dict(os.environ, HOME=S["root"], LC_ALL="C.UTF-8"))
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.addCleanup(self.undefine, name)
        xml = vsh("dumpxml", name).stdout
        self.assertRegex(xml, r"<tpm model='tpm-(crb|tis)'>\s*<backend type='emulator' "
                         r"version='2.0'/>")
        self.assertEqual(mvtest.domstate(S["uri"], name), "running")
        self.assertEqual(len(swtpm_pids()), 1)
        self.assertTrue(any(a.startswith("emulator,id=tpm-tpm0") for a in qemu_argv(name)))
        vsh("destroy", name)
        self.assertTrue(mvtest.wait_for(lambda: not swtpm_pids(), 15))

    def test_4_undefine_tpm(self):
        for flag, kept in (("--keep-tpm", True), ("--tpm", False)):
            name = "tu"
            xml = mvtest.firmware_guest_xml(name, dtype="qemu", extra_devices=TPM % "tpm-tis")
            path = mvtest.write_file(os.path.join(S["root"], name + ".xml"), xml)
            vsh("define", path)
            self.addCleanup(self.undefine, name)
            vsh("start", name)
            self.assertIn("tpm-tis,tpmdev=tpm-tpm0,id=tpm0", qemu_argv(name))
            vsh("destroy", name)
            tpm_dir = state_dir(name)
            self.assertTrue(os.path.isdir(tpm_dir))
            vsh("undefine", name, flag)
            self.assertEqual(os.path.exists(tpm_dir), kept, flag)

    def test_5_daemon_killed_after_swtpm_started(self):
        """qemud SIGKILLed between starting swtpm and QEMU: the orphaned swtpm
        (no QEMU ever connects, so --terminate never fires) is stopped by the
        next start of that guest, which then has exactly one swtpm."""
        name = "tk"
        root = tempfile.mkdtemp(prefix="mvt-tpmk-")
        self.addCleanup(shutil.rmtree, root, True)
        path = mvtest.write_file(os.path.join(root, name + ".xml"), mvtest.firmware_guest_xml(
            name, dtype="qemu", extra_devices=TPM % "tpm-crb"))
        qd = mvtest.GuestDaemon(root=root, env={"MV_TEST_CRASH_AT": "before-spawn"}).start()
        self.addCleanup(qd.cleanup)
        virsh(qd.uri, "define", path, check=True)
        virsh(qd.uri, "start", name)
        self.assertTrue(mvtest.wait_for(lambda: not qd.running(), 15), "qemud did not die")
        qd.wait(10)

        def pids():
            return [p for p in swtpm_pids_under(root)]
        self.assertEqual(len(pids()), 1, "the orphaned swtpm of the killed start")
        orphan = pids()[0]
        self.addCleanup(kill_pid, orphan)
        qd.extra_env.pop("MV_TEST_CRASH_AT")
        qd.start()
        virsh(qd.uri, "start", name, check=True)
        self.assertTrue(mvtest.wait_for(lambda: orphan not in pids(), 10),
                        "the orphaned swtpm %d still runs" % orphan)
        self.assertEqual(len(pids()), 1)
        self.assertRegex(virsh(qd.uri, "dumpxml", name, check=True).stdout,
                         r"<alias name='tpm0'/>")
        virsh(qd.uri, "destroy", name, check=True)
        self.assertTrue(mvtest.wait_for(lambda: not pids(), 15))
        virsh(qd.uri, "undefine", name, "--tpm", check=True)


if __name__ == "__main__":
    mvtest.require_root()
    mvtest.require_qemu()
    mvtest.require_daemon()
    for binary in (mvtest.STORAGED, mvnet.PROXYD):
        if not os.access(binary, os.X_OK):
            mvtest.mvtap.bail_out("not built: %s (build it first)" % binary)
    if not shutil.which("swtpm") or not shutil.which("swtpm_setup"):
        mvtest.skip_script("swtpm is not installed (Debian: swtpm swtpm-tools)")
    mvtest.require_guest()
    mvtest.main()
