#!/usr/bin/python3
"""Live changes of a running guest (issue 13 item 6, first half), seen from inside the
tiny TCG guest: vCPU hot-plug (`setvcpus --live`, `setvcpu`, `vcpucount`) in
/sys/devices/system/cpu (unplug is refused under TCG), memory DIMMs attached and
detached (MemTotal), `blockresize` in /sys/block/vda/size, the NIC's link
state (`domif-setlink`, update-device) in /sys/class/net/eth0/carrier, memory balloon
in MemTotal. One guest, booted once; the checks type commands on its serial pty and
read the answers from its serial log."""

import os
import random
import re
import sys
import termios
import time
import tty
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402

NAME = "live1"
MAX_VCPUS = 4
SEED = int(os.environ.get("MV_TEST_SEED", random.randrange(1 << 30)))
RNG = random.Random(SEED)
daemon = None
conn = None
dom = None


def medium(tag, sectors=None):
    """A raw CD medium that starts with MVCD-<tag>- and is `sectors` 2 KiB sectors long."""
    sectors = sectors or {"A": 40, "B": 72}[tag]
    path = os.path.join(daemon.root, "cd-%s.raw" % tag)
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(("MVCD-%s-" % tag).encode().ljust(sectors * 2048, b"\0"))
    return path


def guest_xml():
    xml = mvtest.linux_guest_xml(NAME, daemon.root, extra_devices="""
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <source file='%s'/>
      <target dev='hdc' bus='ide'/>
      <readonly/>
    </disk>
    <interface type='user'><mac address='52:54:00:6c:69:01'/><model type='virtio'/></interface>
    <memballoon model='virtio'/>""" % medium("A"))
    xml = xml.replace("<vcpu>1</vcpu>", "<vcpu current='1'>%d</vcpu>" % MAX_VCPUS)
    # DIMMs: slots and a limit; the guest onlines hot-added memory as movable (so
    # that it can offline it again for an unplug) without udev
    xml = xml.replace("<memory unit='MiB'>",
                      "<maxMemory slots='4' unit='MiB'>1024</maxMemory>\n  <memory unit='MiB'>")
    xml = xml.replace("panic=-1</cmdline>", "panic=-1 memhp_default_state=online_movable</cmdline>")
    return xml


def setUpModule():
    global daemon, conn, dom
    mvtest.require_python_libvirt()
    mvtest.require_guest()
    import libvirt
    print("# MV_TEST_SEED=%d" % SEED, file=sys.stderr)
    daemon = mvtest.GuestDaemon().start()
    conn = libvirt.open(daemon.uri)
    dom = conn.defineXML(guest_xml())
    dom.create()
    mvtest.wait_marker(mvtest.serial_log(daemon.root, NAME), mvtest.GUEST_READY, timeout=120)


def tearDownModule():
    try:
        if dom is not None and dom.isActive():
            dom.destroy()
        if conn is not None:
            conn.close()
    finally:
        if daemon is not None:
            daemon.cleanup()


def virsh(*args, check=True):
    return mvtest.virsh(daemon.uri, *args, check=check)


def guest(command, timeout=60):
    """Run `command` in the guest's shell; return its output (one line, stripped).
    The answer is framed by markers the echoed command line itself cannot match."""
    xml = dom.XMLDesc(0)
    pty = re.search(r"<serial type='pty'>\s*<source path='([^']+)'", xml).group(1)
    tag = "%06d" % RNG.randrange(10 ** 6)
    # the shell echoes the line: split the markers with quotes so the echo differs
    line = "echo M\"V\"B%s:$(%s)M\"V\"E%s\r" % (tag, command, tag)
    pattern = re.compile(r"MVB%s:(.*?)MVE%s" % (tag, tag), re.S)
    log = mvtest.serial_log(daemon.root, NAME)
    fd = os.open(pty, os.O_RDWR | os.O_NOCTTY)
    try:
        tty.setraw(fd, termios.TCSANOW)
        deadline = time.monotonic() + timeout
        while True:
            os.write(fd, line.encode())
            if mvtest.wait_for(lambda: pattern.search(mvtest.read_text(log)), 5, 0.1):
                return pattern.search(mvtest.read_text(log)).group(1).strip()
            if time.monotonic() > deadline:
                raise AssertionError("the guest's shell did not answer %r; serial log tail:\n%s"
                                     % (command, mvtest.read_text(log)[-1500:]))
    finally:
        os.close(fd)


def cpu_list(text):
    """'0-2,4' -> {0, 1, 2, 4}"""
    cpus = set()
    for part in text.strip().split(","):
        if part:
            a, _, b = part.partition("-")
            cpus.update(range(int(a), int(b or a) + 1))
    return cpus


def guest_cpus(kind):
    return cpu_list(guest("cat /sys/devices/system/cpu/%s" % kind))


def guest_online_all():
    """Hot-added CPUs arrive offline (no udev in the guest): online them as udev would."""
    guest("for c in /sys/devices/system/cpu/cpu[0-9]*; do "
          "[ -w $c/online ] && [ $(cat $c/online) = 0 ] && echo 1 > $c/online; done; echo ok")


def wait_guest(command, want, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        got = guest(command)
        if got == want or time.monotonic() > deadline:
            return got
        time.sleep(0.5)


class A_Vcpus(unittest.TestCase):
    def count(self, *flags):
        return int(virsh("vcpucount", NAME, *flags).stdout.strip())

    def test_1_hotplug_seen_by_the_guest(self):
        import libvirt
        self.assertEqual(guest_cpus("present"), {0})
        self.assertEqual(self.count("--live", "--current"), 1)
        self.assertEqual(self.count("--live", "--maximum"), MAX_VCPUS)
        virsh("setvcpus", NAME, "3", "--live")
        self.assertEqual(self.count("--live", "--current"), 3)
        self.assertEqual(dom.vcpusFlags(libvirt.VIR_DOMAIN_AFFECT_LIVE), 3)
        # the config is untouched by a live change
        self.assertEqual(self.count("--config", "--current"), 1)
        self.assertIn("current='3'", dom.XMLDesc(0))
        self.assertEqual(wait_guest("cat /sys/devices/system/cpu/present", "0-2"), "0-2")
        guest_online_all()
        self.assertEqual(guest_cpus("online"), {0, 1, 2})
        self.assertEqual(guest("nproc"), "3")
        self.assertEqual(len(dom.vcpus()[0]), 3)

    def test_2_setvcpu_by_id(self):
        import libvirt
        virsh("setvcpu", NAME, "3", "--enable", "--live")
        self.assertEqual(self.count("--live", "--current"), 4)
        self.assertEqual(wait_guest("cat /sys/devices/system/cpu/present", "0-3"), "0-3")
        guest_online_all()
        self.assertEqual(guest_cpus("online"), {0, 1, 2, 3})
        self.assertIn("<vcpu id='3' enabled='yes' hotpluggable='yes'/>", dom.XMLDesc(0))
        self.assertIn("<vcpu id='0' enabled='yes' hotpluggable='no'/>", dom.XMLDesc(0))
        # already enabled: nothing to do
        dom.setVcpu("1-2", 1, libvirt.VIR_DOMAIN_AFFECT_LIVE)
        self.assertEqual(self.count("--live", "--current"), 4)

    def test_3_unplug_refused_under_tcg(self):
        """QEMU 7.2 under TCG corrupts its heap when a vCPU that ran is unplugged (it
        aborts at a later device_add): qemud refuses, and the guest lives on."""
        import libvirt
        res = virsh("setvcpus", NAME, "3", "--live", check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("cannot remove vCPU 3: QEMU under TCG", res.stderr)
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.setVcpu("2", 0, libvirt.VIR_DOMAIN_AFFECT_LIVE)
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_OPERATION_UNSUPPORTED)
        self.assertIn("cannot remove vCPU 2", str(cm.exception))
        self.assertEqual(self.count("--live", "--current"), 4)
        self.assertEqual(guest_cpus("online"), {0, 1, 2, 3})
        self.assertEqual(sorted(v[0] for v in dom.vcpus()[0]), [0, 1, 2, 3])
        self.assertIn("<vcpu placement='static'>4</vcpu>", dom.XMLDesc(0))

    def test_4_refusals(self):
        import libvirt
        res = virsh("setvcpus", NAME, "5", "--live", check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("greater than max", res.stderr)
        # vCPU 0 was there at the start: never unplugged
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.setVcpu("0", 0, libvirt.VIR_DOMAIN_AFFECT_LIVE)
        self.assertIn("vCPU 0 was present when the guest started", str(cm.exception))
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_OPERATION_UNSUPPORTED)
        res = virsh("setvcpus", NAME, "1", "--live", check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("cannot remove vCPU", res.stderr)
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.setVcpu("7", 1, libvirt.VIR_DOMAIN_AFFECT_LIVE)
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_INVALID_ARG)
        self.assertIn("does not exist", str(cm.exception))
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.setVcpu("1-x", 1, libvirt.VIR_DOMAIN_AFFECT_LIVE)
        self.assertIn("invalid vCPU list '1-x'", str(cm.exception))
        res = virsh("setvcpus", NAME, "2", "--live", "--maximum", check=False)
        self.assertNotEqual(res.returncode, 0)
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.setVcpu("0", 0, libvirt.VIR_DOMAIN_AFFECT_CONFIG)
        self.assertIn("vCPU 0 is not hotpluggable", str(cm.exception))
        # the refused calls changed nothing
        self.assertEqual(self.count("--live", "--current"), 4)
        self.assertEqual(guest_cpus("present"), {0, 1, 2, 3})
        self.assertEqual(mvtest.domstate(daemon.uri, NAME), "running")

    def test_5_config_and_live_together(self):
        import libvirt
        virsh("setvcpus", NAME, "4", "--live", "--config")
        self.assertEqual(self.count("--live", "--current"), 4)
        self.assertEqual(self.count("--config", "--current"), 4)
        virsh("setvcpus", NAME, "2", "--config")
        self.assertEqual(self.count("--config", "--current"), 2)
        self.assertEqual(self.count("--live", "--current"), 4)
        self.assertEqual(guest("nproc"), "4")
        # per-vCPU states in the definition: <vcpus> (H_Boot starts the guest with them)
        virsh("setvcpu", NAME, "3", "--enable", "--config")
        self.assertEqual(self.count("--config", "--current"), 3)
        inactive = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
        self.assertIn("<vcpu id='2' enabled='no' hotpluggable='yes'/>", inactive)
        self.assertIn("<vcpu id='3' enabled='yes' hotpluggable='yes'/>", inactive)
        self.assertIn("<vcpu placement='static' current='3'>4</vcpu>", inactive)


class B_BlockResize(unittest.TestCase):
    def sectors(self):
        return int(guest("cat /sys/block/vda/size"))

    def test_1_guest_sees_the_new_size(self):
        import libvirt
        before = self.sectors()
        self.assertEqual(before * 512, dom.blockInfo("vda")[0])
        grow = RNG.randrange(1, 64) * 1024 * 1024
        virsh("blockresize", NAME, "vda", "%dB" % (before * 512 + grow))
        want = str(before + grow // 512)
        self.assertEqual(wait_guest("cat /sys/block/vda/size", want), want)
        self.assertEqual(dom.blockInfo("vda")[0], before * 512 + grow)
        # KiB (the default unit of the API), rounded up to whole sectors as libvirt does
        dom.blockResize("vda", (before * 512 + grow) // 1024 + 3, 0)
        want = str((before * 512 + grow + 3 * 1024) // 512)
        self.assertEqual(wait_guest("cat /sys/block/vda/size", want), want)
        dom.blockResize(os.path.join(daemon.root, "%s-disk.qcow2" % NAME),
                        before * 512 + grow + 4096 + 1, libvirt.VIR_DOMAIN_BLOCK_RESIZE_BYTES)
        want = str((before * 512 + grow + 4096) // 512 + 1)
        self.assertEqual(wait_guest("cat /sys/block/vda/size", want), want)

    def test_2_refusals(self):
        import libvirt
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.blockResize("vdz", 1024 * 1024, 0)
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_INVALID_ARG)
        self.assertIn("disk 'vdz' was not found", str(cm.exception))


class C_LinkState(unittest.TestCase):
    def test_link_down_and_up_seen_by_the_guest(self):
        self.assertEqual(guest("cat /sys/class/net/eth0/carrier"), "1")
        virsh("domif-setlink", NAME, "52:54:00:6c:69:01", "down")
        self.assertEqual(wait_guest("cat /sys/class/net/eth0/carrier", "0"), "0")
        self.assertIn("<link state='down'/>", dom.XMLDesc(0))
        virsh("domif-setlink", NAME, "52:54:00:6c:69:01", "up")
        self.assertEqual(wait_guest("cat /sys/class/net/eth0/carrier", "1"), "1")


class D_Balloon(unittest.TestCase):
    def memtotal(self):
        return int(guest("grep MemTotal /proc/meminfo | tr -dc 0-9"))

    def test_setmem_live_and_config(self):
        import libvirt
        full = self.memtotal()
        virsh("setmem", NAME, "160M", "--live")
        got = self.memtotal()
        deadline = time.monotonic() + 30
        while full - got < 90 * 1024 and time.monotonic() < deadline:
            time.sleep(0.5)
            got = self.memtotal()
        self.assertEqual(full - got, 96 * 1024)
        self.assertEqual(dom.info()[2], 160 * 1024)
        virsh("setmem", NAME, "256M", "--live")
        virsh("setmem", NAME, "200M", "--config")
        self.assertIn("<currentMemory unit='KiB'>204800</currentMemory>",
                      dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
        virsh("setmaxmem", NAME, "300M", "--config")
        self.assertIn("<memory unit='KiB'>307200</memory>",
                      dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
        res = virsh("setmaxmem", NAME, "300M", "--live", check=False)
        self.assertNotEqual(res.returncode, 0)
        # <maxMemory> (1024 MiB) bounds <memory>; the definition is unchanged
        res = virsh("setmaxmem", NAME, "1100M", "--config", check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("above <maxMemory>", res.stderr)
        self.assertIn("<memory unit='KiB'>307200</memory>",
                      dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))


class F_Cdrom(unittest.TestCase):
    """update-device / change-media of the IDE cdrom, seen by the guest (ata_piix, sr_mod)."""
    READ = ("dd if=/dev/sr0 bs=2048 count=1 2>/dev/null | head -c 7; "
            "echo :$(cat /sys/block/sr0/size)")
    EMPTY = "dd if=/dev/sr0 bs=2048 count=1 2>&1 >/dev/null | grep -c 'No medium found'"

    def test_change_and_eject_seen_by_the_guest(self):
        self.assertEqual(guest(self.READ), "MVCD-A-:%d" % (40 * 4))
        virsh("change-media", NAME, "hdc", medium("B"), "--update", "--live")
        self.assertEqual(wait_guest(self.READ, "MVCD-B-:%d" % (72 * 4)), "MVCD-B-:%d" % (72 * 4))
        self.assertIn(medium("B"), dom.XMLDesc(0))
        virsh("change-media", NAME, "hdc", "--eject", "--live")
        self.assertEqual(wait_guest(self.EMPTY, "1"), "1")
        virsh("update-device", NAME, mvtest.write_file(os.path.join(daemon.root, "cd.xml"), """
<disk type='file' device='cdrom'>
  <driver name='qemu' type='raw'/>
  <source file='%s'/>
  <target dev='hdc' bus='ide'/>
  <readonly/>
</disk>""" % medium("A")), "--live")
        self.assertEqual(wait_guest(self.READ, "MVCD-A-:%d" % (40 * 4)), "MVCD-A-:%d" % (40 * 4))


DIMM = """<memory model='dimm'>
  <target><size unit='MiB'>%d</size></target>
</memory>
"""


class E_Dimm(unittest.TestCase):
    def memtotal(self):
        return int(guest("grep MemTotal /proc/meminfo | tr -dc 0-9"))

    def dimm_file(self, mib):
        return mvtest.write_file(os.path.join(daemon.root, "dimm-%d.xml" % mib), DIMM % mib)

    def wait_memtotal(self, want):
        deadline = time.monotonic() + 30
        got = self.memtotal()
        while got != want and time.monotonic() < deadline:
            time.sleep(0.5)
            got = self.memtotal()
        return got

    def test_1_live_attach_and_detach_seen_by_the_guest(self):
        import libvirt
        before = self.memtotal()
        max_before = dom.maxMemory()
        virsh("attach-device", NAME, self.dimm_file(128), "--live")
        self.assertEqual(self.wait_memtotal(before + 128 * 1024), before + 128 * 1024)
        self.assertEqual(guest("cat /sys/devices/system/memory/auto_online_blocks"),
                         "online_movable")
        self.assertEqual(dom.maxMemory(), max_before + 128 * 1024)
        xml = dom.XMLDesc(0)
        self.assertIn("<alias name='dimm0'/>", xml)
        self.assertIn("<size unit='KiB'>131072</size>", xml)
        self.assertNotIn("model='dimm'", dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
        # a second one through python3-libvirt, then both away again
        dom.attachDeviceFlags(DIMM % 256, libvirt.VIR_DOMAIN_AFFECT_LIVE)
        self.assertEqual(self.wait_memtotal(before + 384 * 1024), before + 384 * 1024)
        self.assertIn("<alias name='dimm1'/>", dom.XMLDesc(0))
        virsh("detach-device", NAME, self.dimm_file(128), "--live")
        self.assertEqual(self.wait_memtotal(before + 256 * 1024), before + 256 * 1024)
        dom.detachDeviceFlags("<memory model='dimm'><target><size unit='MiB'>256</size>"
                              "</target><alias name='dimm1'/></memory>",
                              libvirt.VIR_DOMAIN_AFFECT_LIVE)
        self.assertEqual(self.wait_memtotal(before), before)
        self.assertNotIn("model='dimm'", dom.XMLDesc(0))
        self.assertEqual(dom.maxMemory(), max_before)

    def test_2_config(self):
        import libvirt
        inactive = lambda: dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)  # noqa: E731
        mem = int(re.search(r"<memory unit='KiB'>(\d+)</memory>", inactive()).group(1))
        virsh("attach-device", NAME, self.dimm_file(64), "--config")
        self.assertIn("<size unit='KiB'>65536</size>", inactive())
        self.assertIn("<memory unit='KiB'>%d</memory>" % (mem + 65536), inactive())
        # <memory> counts the DIMM: it cannot shrink to it
        res = virsh("setmaxmem", NAME, "64M", "--config", check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("counts the memory devices (65536 KiB)", res.stderr)
        self.assertNotIn("model='dimm'", dom.XMLDesc(0))
        virsh("detach-device", NAME, self.dimm_file(64), "--config")
        self.assertNotIn("model='dimm'", inactive())
        self.assertIn("<memory unit='KiB'>%d</memory>" % mem, inactive())

    def test_3_refusals(self):
        before = self.memtotal()
        res = virsh("attach-device", NAME, self.dimm_file(1024), "--live", check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("more than its <maxMemory>", res.stderr)
        res = virsh("detach-device", NAME, self.dimm_file(32), "--live", check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("no memory device matching", res.stderr)
        self.assertEqual(self.memtotal(), before)
        self.assertNotIn("model='dimm'", dom.XMLDesc(0))


class G_Restart(unittest.TestCase):
    """Last: the hot-plugged vCPUs and a DIMM survive a SIGKILL of the daemon (the
    status file's live XML), and the DIMM can be unplugged by the restarted one."""

    def test_hotplugged_devices_after_a_daemon_restart(self):
        global conn, dom
        import libvirt
        dimm = E_Dimm()
        before = dimm.memtotal()
        virsh("attach-device", NAME, dimm.dimm_file(128), "--live")
        self.assertEqual(dimm.wait_memtotal(before + 128 * 1024), before + 128 * 1024)
        conn.close()
        daemon.kill9()
        daemon.start()
        conn = libvirt.open(daemon.uri)
        dom = conn.lookupByName(NAME)
        xml = dom.XMLDesc(0)
        self.assertIn("<alias name='dimm0'/>", xml)
        self.assertIn("<vcpu placement='static'>4</vcpu>", xml)
        self.assertEqual(int(virsh("vcpucount", NAME, "--live", "--current").stdout), 4)
        virsh("detach-device", NAME, dimm.dimm_file(128), "--live")
        self.assertEqual(dimm.wait_memtotal(before), before)
        self.assertNotIn("model='dimm'", dom.XMLDesc(0))
        self.assertEqual(guest("nproc"), "4")


class H_Boot(unittest.TestCase):
    """Last: restarts the guest from its <vcpus> (vCPUs 0, 1 and 3 enabled). A gap does
    not boot under TCG: refused before QEMU starts; with vCPU 2 enabled too, QEMU boots
    all four (-smp 4) and the live XML keeps the per-vCPU states."""

    def test_boot_with_vcpus_list(self):
        import libvirt
        dom.destroy()
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.create()
        self.assertIn("vCPU 3 is enabled but vCPU 2 is not", str(cm.exception))
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_CONFIG_UNSUPPORTED)
        self.assertEqual(mvtest.qemu_processes_of(NAME, daemon.root), [])
        virsh("setvcpu", NAME, "2", "--enable", "--config")
        slog = mvtest.serial_log(daemon.root, NAME)
        ready = mvtest.read_text(slog).count(mvtest.GUEST_READY)
        dom.create()
        mvtest.wait_marker(slog, mvtest.GUEST_READY, count=ready + 1, timeout=120)
        self.assertEqual(guest_cpus("present"), {0, 1, 2, 3})
        self.assertEqual(guest("nproc"), "4")
        self.assertEqual(int(virsh("vcpucount", NAME, "--live", "--current").stdout), 4)
        self.assertIn("<vcpu id='3' enabled='yes' hotpluggable='yes'/>", dom.XMLDesc(0))
        self.assertIn("<vcpu id='1' enabled='yes' hotpluggable='no'/>", dom.XMLDesc(0))


if __name__ == "__main__":
    mvtest.main()
