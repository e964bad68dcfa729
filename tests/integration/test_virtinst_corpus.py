#!/usr/bin/python3
"""The virt-install corpus (issue 13, item 1): the domain documents Debian's
`virt-install --print-xml` wrote when connected to modvirt, kept under
tests/domainxml/virtinst/ (MANIFEST has the command line of each; generate.py
makes them again).

For every document, through the proxy with stock virsh:
1. define: it is accepted, or (REFUSED below) refused with an error naming the
   XML path of what modvirt cannot honour (docs/qemud.md lists each with the
   reason);
2. round trip: dumpxml --inactive, define that, dumpxml again: the same text
   (the canonical form is a fixed point), and the documents' devices survive;
3. start: the documents in START are started one at a time (their disk is an
   empty qcow2: the guest sits in the firmware), checked running with the QEMU
   options listed, and destroyed at once.  STARTS_REFUSED ones are refused at
   start with a clear error.
The stack (storaged, networkd, qemud, proxy) lives in a private network
namespace: the network 'default' and the bridge 'br0' exist only there."""

import glob
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import mvnet  # noqa: E402
import mvvirtinst  # noqa: E402

OVMF = "filename=/usr/share/OVMF/"
CORPUS = os.path.join(mvtest.SOURCE_ROOT, "tests", "domainxml", "virtinst")
S = {}

# documents modvirt refuses at define: NAME -> what the error must say (the path)
REFUSED = {
    "hostdev-pci": "/domain/devices/hostdev: <hostdev> is not supported",
    "filesystem-virtiofs": "/domain/memoryBacking: <memoryBacking> is not supported",
    "sysinfo-smbios": "/domain/sysinfo: <sysinfo> is not supported",
    "qemu-commandline": "/domain/qemu:commandline: <commandline> is not supported",
}

# refused here until another branch honours them (q13-firmware: TPM); either
# outcome passes, but a refusal must name the path and an acceptance round-trip
EITHER = {}

# documents started (one at a time): NAME -> substrings of QEMU's command line
START = {
    "machine-q35": ["pc-q35-", "-spice port=", "vmport=off"],
    # the issue's first failure: i440fx, ICH9 USB with companions, ich6 sound
    "issue-import-generic": ["pc-i440fx-", "ich9-usb-ehci1,id=usb,",
                             "ich9-usb-uhci3,", "masterbus=usb.0,firstport=4", "intel-hda",
                             "usb-redir", "spicevmc", "qxl-vga"],
    "virtmanager-newvm": ["ich9-intel-hda", "hda-duplex", "name=com.redhat.spice.0",
                          "usb-redir", "virtio-vga", "image-compression=off"],
    "sound-ac97": ["AC97", "-audiodev none"],
    "disk-usb": ["usb-storage,bus=usb.0"],
    "floppy": ["floppy,unit=0"],
    "os-win10": ["hv-relaxed=on,hv-vapic=on,hv-spinlocks=0x1fff,hv-time=on", "e1000e"],
    "disk-virtio": ["virtio-blk-pci"],
    "disk-sata": ["ide-hd,bus=ide.0"],
    "disk-scsi": ["virtio-scsi-pci", "scsi-hd"],
    "disk-ide": ["ide-hd"],
    "cdrom-ide": ["ide-cd"],
    "cdrom-empty": ["ide-cd"],
    "net-network": ["virtio-net-pci"],
    "net-bridge": ["virtio-net-pci"],
    "net-user": ["user"],
    "graphics-vnc": ["-vnc"],
    "video-virtio": ["virtio-vga"],
    "channel-qemu-ga": ["org.qemu.guest_agent.0"],
    "watchdog-i6300esb": ["i6300esb"],
    "controller-usb2": ["ich9-usb-ehci1", "masterbus=usb.0,firstport=4"],
    "rng-urandom": ["virtio-rng-pci"],
    # UEFI under TCG (OVMF from QEMU's firmware descriptors) with virt-install's
    # default TPM for UEFI guests (swtpm): secure boot on q35 needs SMM
    "boot-uefi": [OVMF + "OVMF_CODE_4M.ms.fd", "smm=on", "property=secure,value=on",
                  "tpm-crb", "-tpmdev emulator"],
    "boot-uefi-secure": [OVMF + "OVMF_CODE_4M.ms.fd", "smm=on", "tpm-crb"],
    "boot-efi-loader-secure": [OVMF + "OVMF_CODE_4M.ms.fd", "smm=on"],
    "boot-uefi-insecure": [OVMF + "OVMF_CODE_4M.fd,", "pc-q35-", "tpm-crb"],
    "boot-uefi-pc": [OVMF + "OVMF_CODE_4M.fd,", "pc-i440fx-", "tpm-crb"],
    "os-win11": [OVMF + "OVMF_CODE_4M.ms.fd", "tpm-crb", "e1000e"],
    "tpm-emulator": ["tpm-crb", "-tpmdev emulator"],
}

# the live XML of a started document: NAME -> substrings (firmware resolved)
START_LIVE = {
    "boot-uefi": ["<loader readonly='yes' secure='yes' type='pflash'>",
                  "<feature enabled='yes' name='enrolled-keys'/>",
                  "/lib/qemu/nvram/boot-uefi_VARS.fd</nvram>", "<alias name='tpm0'/>"],
    "boot-uefi-insecure": ["<loader readonly='yes' secure='no' type='pflash'>",
                           "<feature enabled='no' name='secure-boot'/>"],
    "boot-efi-loader-secure": ["<loader readonly='yes' secure='yes' type='pflash'>"],
    "boot-uefi-pc": ["<loader readonly='yes' secure='no' type='pflash'>"],
}

# documents whose start is refused: NAME -> what the error must say
STARTS_REFUSED = {}


def fixtures():
    return sorted(os.path.basename(p)[:-4] for p in glob.glob(os.path.join(CORPUS, "*.xml")))


def vsh(*args, check=True):
    return mvtest.virsh(S["uri"], *args, check=check, timeout=60)


def fixture_text(name):
    return mvvirtinst.materialize(mvtest.read_text(os.path.join(CORPUS, name + ".xml")),
                                  S["root"])


def define_text(text, check=True):
    path = mvtest.write_file(os.path.join(S["root"], "doc.xml"), text)
    return vsh("define", path, check=check)


def device_kinds(xml):
    """The <devices> children's names and types, in a comparable form."""
    dev = re.search(r"<devices>(.*)</devices>", xml, re.S).group(1)
    return sorted(set(re.findall(r"^    <(\w+)(?: type=['\"](\w+)['\"])?", dev, re.M)))


def setUpModule():
    mvtest.enter_private_netns()
    st = mvvirtinst.Stack(prefix="mvt-corpus-")
    unittest.addModuleCleanup(st.cleanup)
    st.start()
    S["root"], S["uri"], S["stack"] = st.root, st.uri, st


class Corpus(unittest.TestCase):

    def test_0_manifest(self):
        """Every fixture has its command line in MANIFEST, every case a fixture."""
        names = set()
        for line in mvtest.read_text(os.path.join(CORPUS, "MANIFEST")).splitlines():
            if line and not line.startswith("#"):
                name, cmd = line.split("\t", 1)
                self.assertTrue(cmd.startswith("virt-install --name %s " % name), line)
                self.assertIn("--print-xml", cmd)
                names.add(name)
        errs = {os.path.basename(p)[:-4] for p in glob.glob(os.path.join(CORPUS, "*.err"))}
        self.assertEqual(names, set(fixtures()) | errs)
        for name in (list(REFUSED) + list(EITHER) + list(START) + list(STARTS_REFUSED)
                     + list(START_LIVE)):
            self.assertIn(name, fixtures())

    def test_1_issue_virt_install(self):
        """The issue's first failure end to end: virt-install --import (no --print-xml)
        of an i440fx guest with the USB companion controllers defines and starts it."""
        name = "issue-e2e"
        rc, out, err = S["stack"].virt_install(
            ["--name", name, "--memory", "256", "--vcpus", "1", "--import", "--disk", "none",
             "--osinfo", "generic", "--virt-type", "qemu", "--network", "none",
             "--noautoconsole"])
        self.addCleanup(vsh, "undefine", name, check=False)
        self.addCleanup(vsh, "destroy", name, check=False)
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(vsh("domstate", name).stdout.strip(), "running")
        xml = vsh("dumpxml", "--inactive", name).stdout
        self.assertIn("<master startport='4'/>", xml)
        with open("/proc/%d/cmdline" % mvtest.status_pid(S["root"], name), "rb") as f:
            self.assertIn(b"masterbus=usb.0", f.read())

    def check_document(self, name):
        text = fixture_text(name)
        if name in REFUSED:
            res = define_text(text, check=False)
            self.assertNotEqual(res.returncode, 0, "%s was accepted" % name)
            self.assertIn(REFUSED[name], res.stderr)
            self.assertNotEqual(vsh("dominfo", name, check=False).returncode, 0)
            return
        if name in EITHER:
            res = define_text(text, check=False)
            if res.returncode != 0:
                self.assertIn(EITHER[name], res.stderr)
                return
        define_text(text)
        # --nvram: a started UEFI guest has its own NVRAM, which undefine must be told about
        self.addCleanup(vsh, "undefine", "--nvram", name, check=False)
        first = vsh("dumpxml", "--inactive", name).stdout
        self.assertEqual(device_kinds(first), device_kinds(text.replace('"', "'")),
                         "devices lost or added:\n%s" % first)
        define_text(first)
        second = vsh("dumpxml", "--inactive", name).stdout
        self.assertEqual(first, second)
        if name in START:
            self.start_destroy(name, START[name])
        elif name in STARTS_REFUSED:
            res = vsh("start", name, check=False)
            self.assertNotEqual(res.returncode, 0, "%s started" % name)
            self.assertIn(STARTS_REFUSED[name], res.stderr)

    def start_destroy(self, name, options):
        vsh("start", name)
        try:
            self.assertEqual(vsh("domstate", name).stdout.strip(), "running")
            pid = mvtest.status_pid(S["root"], name)
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode()
            for opt in options:
                self.assertIn(opt, cmdline)
            live = vsh("dumpxml", name).stdout
            for text in START_LIVE.get(name, ()):
                self.assertIn(text, live)
        finally:
            vsh("destroy", name)



def _add_case(name):
    def test(self):
        self.check_document(name)
    test.__doc__ = "virtinst/%s.xml: %s" % (
        name, "refused with its path" if name in REFUSED else
        "defines, round trip" + (", starts" if name in START else ""))
    setattr(Corpus, "test_doc_" + name.replace("-", "_"), test)


for _name in fixtures():
    _add_case(_name)


if __name__ == "__main__":
    mvtest.require_root()
    mvtest.require_qemu()
    mvtest.require_daemon()
    mvtest.require_tools("virsh")
    for binary in (mvtest.STORAGED, mvtest.NETWORKD, mvnet.PROXYD):
        if not os.access(binary, os.X_OK):
            mvtest.mvtap.bail_out("not built: %s (build it first)" % binary)
    mvtest.main()
