#!/usr/bin/python3
"""UEFI guests (issue 13, item 2): <os firmware='efi'> autoselection from QEMU's
firmware descriptors (/usr/share/qemu/firmware, package 'ovmf'), the per-guest
NVRAM, and what virt-install --boot uefi needs.

modvirt-qemud, modvirt-storaged and modvirt-proxyd share one --root; stock
virsh and virt-install go through the proxy. The guests have no disk: OVMF
runs, writes its variables to the NVRAM and reports on the serial console
(BdsDxe lines), which is what the tests check.

1. domcapabilities lists firmware 'efi', the OVMF loaders and secure yes/no;
2. virt-install --boot uefi on q35 (TCG: secure-boot firmware needs SMM):
   <os firmware='efi'> defined, the live XML has the secure-boot loader with
   enrolled keys and an NVRAM in qemud's state dir made from the template;
   OVMF runs and its secure boot refuses the unsigned internal shell;
3. <firmware><feature enabled='no' name='secure-boot'/> on pc picks the plain
   OVMF; its shell starts;
4. start --reset-nvram recreates a broken NVRAM; without it QEMU refuses it;
5. undefine refuses while the NVRAM exists; --keep-nvram keeps it; --nvram
   removes it;
6. no descriptor fits (secure boot asked on pc): a clear error at start;
7. an NVRAM template in a path guests may not use (/etc/shadow) is refused;
8. python3-libvirt: START_RESET_NVRAM, UNDEFINE_NVRAM and the error codes.
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
OVMF_PLAIN = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_ENROLLED = "/usr/share/OVMF/OVMF_CODE_4M.ms.fd"
VARS_PLAIN = "/usr/share/OVMF/OVMF_VARS_4M.fd"
VARS_ENROLLED = "/usr/share/OVMF/OVMF_VARS_4M.ms.fd"


def vsh(*args, check=True):
    return virsh(S["uri"], *args, check=check, timeout=90)


def nvram_path(name):
    return os.path.join(S["root"], "lib", "qemu", "nvram", "%s_VARS.fd" % name)


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def efi_xml(name, machine, dtype, firmware=""):
    return """<domain type='%s'>
  <name>%s</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os firmware='efi'>
    <type arch='x86_64' machine='%s'>hvm</type>%s
  </os>
  <features><acpi/><apic/></features>
  <devices>
    <serial type='pty'><target port='0'/></serial>
  </devices>
</domain>
""" % (dtype, name, machine, firmware)


def setUpModule():
    root = S["root"] = tempfile.mkdtemp(prefix="mvt-uefi-")
    if os.environ.get("MV_TEST_KEEP") != "1":
        unittest.addModuleCleanup(shutil.rmtree, root, True)
    S["sd"] = mvtest.Daemon(root=root, name="storage", binary=mvtest.STORAGED).start()
    unittest.addModuleCleanup(S["sd"].cleanup)
    S["qd"] = mvtest.GuestDaemon(root=root).start()
    unittest.addModuleCleanup(S["qd"].cleanup)
    S["px"] = mvnet.ProxyDaemon(root).start()
    unittest.addModuleCleanup(S["px"].cleanup)
    S["uri"] = "qemu+unix:///system?socket=%s" % S["px"].sock


class Uefi(unittest.TestCase):
    def destroy(self, name):
        vsh("destroy", name, check=False)

    def undefine(self, name):
        vsh("destroy", name, check=False)
        vsh("undefine", name, "--nvram", check=False)

    def define(self, name, xml):
        path = mvtest.write_file(os.path.join(S["root"], name + ".xml"), xml)
        vsh("define", path)
        self.addCleanup(self.undefine, name)

    def test_1_domcapabilities(self):
        caps = vsh("domcapabilities", "--machine", "q35", "--virttype", "qemu").stdout
        os_caps = re.search(r"<os supported='yes'>.*?</os>", caps, re.S).group(0)
        self.assertRegex(os_caps, r"<enum name='firmware'>\s*<value>efi</value>")
        self.assertIn("<value>%s</value>" % OVMF_ENROLLED, os_caps)
        self.assertIn("<value>%s</value>" % OVMF_PLAIN, os_caps)
        self.assertRegex(os_caps, r"<enum name='secure'>\s*<value>yes</value>\s*"
                         r"<value>no</value>")
        # i440fx: no secure-boot (SMM) firmware among the descriptors
        caps = vsh("domcapabilities", "--machine", "pc", "--virttype", "qemu").stdout
        os_caps = re.search(r"<os supported='yes'>.*?</os>", caps, re.S).group(0)
        self.assertIn("<value>%s</value>" % OVMF_PLAIN, os_caps)
        self.assertNotIn(OVMF_ENROLLED, os_caps)
        self.assertRegex(os_caps, r"<enum name='secure'>\s*<value>no</value>\s*</enum>")

    def test_2_virt_install_boot_uefi(self):
        if not shutil.which("virt-install"):
            self.skipTest("virt-install not installed (Debian: virtinst)")
        name = "vu"
        res = subprocess.run(
            ["virt-install", "--connect", S["uri"], "--name", name, "--memory", "256",
             "--vcpus", "1", "--machine", "q35", "--boot", "uefi", "--disk", "none",
             "--import", "--network", "none", "--graphics", "none", "--serial", "pty",
             "--osinfo", "generic", "--virt-type", "qemu", "--noautoconsole", "--tpm", "none",
             "--controller", "usb3"],
            capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL,
            env=dict(os.environ, HOME=S["root"], LC_ALL="C.UTF-8"))
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.addCleanup(self.undefine, name)
        inactive = vsh("dumpxml", "--inactive", name).stdout
        self.assertIn("<os firmware='efi'>", inactive)
        live = vsh("dumpxml", name).stdout
        self.assertIn("<loader readonly='yes' secure='yes' type='pflash'>%s</loader>"
                      % OVMF_ENROLLED, live)
        self.assertIn("<nvram template='%s'>%s</nvram>" % (VARS_ENROLLED, nvram_path(name)),
                      live)
        self.assertIn("<feature enabled='yes' name='enrolled-keys'/>", live)
        self.assertIn("<feature enabled='yes' name='secure-boot'/>", live)
        self.assertEqual(mvtest.domstate(S["uri"], name), "running")
        log = mvtest.serial_log(S["root"], name)
        # OVMF booted, found no disk, and secure boot refused its unsigned shell
        mvtest.wait_marker(log, "Security Violation", timeout=120)
        self.assertIn("BdsDxe", mvtest.read_text(log))
        pid = mvtest.status_pid(S["root"], name)
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            argv = f.read().split(b"\0")
        self.assertIn(b"driver=cfi.pflash01,property=secure,value=on", argv)
        self.assertTrue(any(b"smm=on" in a for a in argv), argv)
        # the variable store is the guest's own: written by OVMF, not the template
        self.assertEqual(os.stat(nvram_path(name)).st_mode & 0o777, 0o600)
        self.assertNotEqual(read_bytes(nvram_path(name)), read_bytes(VARS_ENROLLED))

    def test_3_plain_firmware_feature_off(self):
        name = "vp"
        dtype = "qemu"  # OVMF makes no progress under this host's PVM KVM
        self.define(name, efi_xml(name, "pc", dtype,
                                  "\n    <firmware>\n      <feature enabled='no' "
                                  "name='secure-boot'/>\n    </firmware>"))
        vsh("start", name)
        self.addCleanup(self.destroy, name)
        live = vsh("dumpxml", name).stdout
        self.assertIn("<loader readonly='yes' secure='no' type='pflash'>%s</loader>"
                      % OVMF_PLAIN, live)
        self.assertIn("<nvram template='%s'>%s</nvram>" % (VARS_PLAIN, nvram_path(name)), live)
        self.assertIn("<feature enabled='no' name='secure-boot'/>", live)
        log = mvtest.serial_log(S["root"], name)
        mvtest.wait_marker(log, 'starting Boot0001 "EFI Internal Shell"', timeout=120)
        self.assertNotIn("Security Violation", mvtest.read_text(log))

    def test_4_reset_nvram(self):
        name = "vr"
        dtype = "qemu"  # OVMF makes no progress under this host's PVM KVM
        self.define(name, efi_xml(name, "pc", dtype,
                                  "\n    <firmware>\n      <feature enabled='no' "
                                  "name='secure-boot'/>\n    </firmware>"))
        vsh("start", name)
        vsh("destroy", name)
        path = nvram_path(name)
        self.assertTrue(os.path.exists(path))
        with open(path, "wb") as f:
            f.write(b"broken")
        res = vsh("start", name, check=False)
        self.assertNotEqual(res.returncode, 0, "a 6-byte NVRAM must not start")
        self.assertEqual(read_bytes(path), b"broken")
        vsh("start", name, "--reset-nvram")
        self.addCleanup(self.destroy, name)
        self.assertEqual(len(read_bytes(path)), len(read_bytes(VARS_PLAIN)))
        mvtest.wait_marker(mvtest.serial_log(S["root"], name), "BdsDxe", timeout=120)

    def test_5_undefine_nvram(self):
        name = "vn"
        xml = efi_xml(name, "pc", "qemu")
        path = mvtest.write_file(os.path.join(S["root"], name + ".xml"), xml)
        vsh("define", path)
        self.addCleanup(self.undefine, name)
        vsh("start", name, "--paused")      # the NVRAM is made before QEMU runs
        vsh("destroy", name)
        self.assertTrue(os.path.exists(nvram_path(name)))
        res = vsh("undefine", name, check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("cannot undefine domain '%s' with nvram" % name, res.stderr)
        self.assertIn("--nvram", res.stderr)
        self.assertIn(name, vsh("list", "--all", "--name").stdout.split())
        vsh("undefine", name, "--keep-nvram")
        self.assertTrue(os.path.exists(nvram_path(name)))
        vsh("define", path)
        vsh("undefine", name, "--nvram")
        self.assertFalse(os.path.exists(nvram_path(name)))
        self.assertNotIn(name, vsh("list", "--all", "--name").stdout.split())

    def test_6_no_firmware_fits(self):
        name = "vx"
        self.define(name, efi_xml(name, "pc", "qemu",
                                  "\n    <firmware>\n      <feature enabled='yes' "
                                  "name='secure-boot'/>\n    </firmware>"))
        res = vsh("start", name, check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("no UEFI firmware for machine 'pc-i440fx-", res.stderr)
        self.assertIn("secure-boot enabled", res.stderr)
        self.assertEqual(mvtest.domstate(S["uri"], name), "shut off")
        self.assertFalse(os.path.exists(nvram_path(name)))

    def test_7_template_is_a_user_path(self):
        """<nvram template> is read by the daemon and copied where the guest
        writes: a host secret as template must be refused, like any other path."""
        name = "vs"
        xml = efi_xml(name, "pc", "qemu").replace(
            "</os>", "  <nvram template='/etc/shadow'/>\n  </os>")
        path = mvtest.write_file(os.path.join(S["root"], name + ".xml"), xml)
        res = vsh("define", path, check=False)
        if res.returncode == 0:
            self.addCleanup(self.undefine, name)
            res = vsh("start", name, check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("the NVRAM template '/etc/shadow'", res.stderr)
        self.assertFalse(os.path.exists(nvram_path(name)))

    def test_8_python_libvirt_flags(self):
        """python3-libvirt: RESET_NVRAM on createWithFlags, the undefine refusal's
        error code, undefineFlags(NVRAM)."""
        import libvirt
        name = "vpy"
        conn = libvirt.open(S["uri"])
        self.addCleanup(conn.close)
        dom = conn.defineXML(efi_xml(name, "pc", "qemu"))
        self.addCleanup(self.undefine, name)
        dom.createWithFlags(libvirt.VIR_DOMAIN_START_PAUSED)    # OVMF never runs
        dom.destroy()
        path = nvram_path(name)
        with open(path, "r+b") as f:
            f.write(b"guest-was-here")
        dom.createWithFlags(libvirt.VIR_DOMAIN_START_PAUSED)
        dom.destroy()
        self.assertTrue(read_bytes(path).startswith(b"guest-was-here"), "kept without reset")
        dom.createWithFlags(libvirt.VIR_DOMAIN_START_PAUSED | libvirt.VIR_DOMAIN_START_RESET_NVRAM)
        dom.destroy()
        self.assertEqual(read_bytes(path), read_bytes(VARS_PLAIN))
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.undefine()
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_OPERATION_INVALID)
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_NVRAM |
                              libvirt.VIR_DOMAIN_UNDEFINE_KEEP_NVRAM)
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_INVALID_ARG)
        dom.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_NVRAM)
        self.assertFalse(os.path.exists(path))


if __name__ == "__main__":
    mvtest.require_root()
    mvtest.require_qemu()
    mvtest.require_daemon()
    for binary in (mvtest.STORAGED, mvnet.PROXYD):
        if not os.access(binary, os.X_OK):
            mvtest.mvtap.bail_out("not built: %s (build it first)" % binary)
    if not os.path.exists("/usr/share/qemu/firmware/60-edk2-x86_64.json"):
        mvtest.skip_script("OVMF is not installed (Debian: ovmf)")
    mvtest.main()
