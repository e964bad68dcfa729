#!/usr/bin/python3
"""Guest resource tuning in modvirt-qemud (issue 13 item 6): each QEMU in cgroup v1
groups of its own (named after the daemon's root, removed when the guest ends,
adopted after a daemon restart), <cputune>/<memtune>/<blkiotune>/<numatune> applied
at start, schedinfo / memtune / blkiotune / numatune / vcpupin / emulatorpin with
--live and --config through python3-libvirt and stock virsh. Every value is read
back from the cgroup files and the threads' affinity, never from the daemon alone.

domiftune shapes the guest's tap (on a bridge of a private network namespace) and is
cross-checked with `tc -j`. One tiny TCG guest with 2 vCPUs is booted once and reused.
Groups this test's daemon makes are removed at the end even when a check fails."""

import json
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402

NAME = "tune1"
UUID = "7a3e0c55-1d2b-4c8e-9f60-2b7d4e8a1c31"
CONTROLLERS = ("cpu", "cpuacct", "cpuset", "memory", "blkio")
UNLIMITED = 9007199254740991
BRIDGE = "mvtbr0"
TAP = "mvtap-t"
MAC = "52:54:00:7e:00:01"

daemon = None
first_daemon = None
conn = None
dom = None
root = None
blockdev = None


def partition():
    return mvtest.cgroup_partition(root)


def own_group(controller, pid="self"):
    return mvtest.cgroup_of(controller, pid)


def group_dir(controller):
    """Where this test expects the guest's group: under the test's own group."""
    return os.path.join(MOUNTS[controller] + own_group(controller), partition(), UUID)


def read(controller, name, child=None):
    parts = [group_dir(controller)] + ([child] if child else []) + [name]
    with open(os.path.join(*parts)) as f:
        return f.read().strip()


def root_blockdev():
    """The /dev node of the block device holding the test's root."""
    st = os.stat(root)
    want = os.makedev(os.major(st.st_dev), os.minor(st.st_dev))
    for name in sorted(os.listdir("/dev")):
        path = os.path.join("/dev", name)
        try:
            s = os.stat(path)
        except OSError:
            continue
        if (s.st_mode & 0o170000) == 0o060000 and s.st_rdev == want:
            return path, "%d:%d" % (os.major(want), os.minor(want))
    raise AssertionError("no /dev node for the device of %s (%d:%d)"
                         % (root, os.major(want), os.minor(want)))


MOUNTS = mvtest.cgroup_mounts()


def qemu_pid():
    pids = mvtest.qemu_processes_of(NAME, root)
    assert len(pids) == 1, pids
    return pids[0]


def vcpu_tids(pid):
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
            m = re.match(r"CPU (\d+)/", f.read())
        if m:
            out[int(m.group(1))] = int(tid)
    return out


def guest_xml():
    dev, _ = blockdev
    xml = mvtest.linux_guest_xml(NAME, root, uuid=UUID)
    xml = xml.replace("<target dev='vda' bus='virtio'/>", """<target dev='vda' bus='virtio'/>
      <iotune>
        <read_bytes_sec>52428800</read_bytes_sec>
        <write_iops_sec>400</write_iops_sec>
        <write_iops_sec_max>800</write_iops_sec_max>
      </iotune>""")
    xml = xml.replace("</devices>", """  <interface type='bridge'>
      <mac address='%s'/>
      <source bridge='%s'/>
      <target dev='%s'/>
      <model type='virtio'/>
      <bandwidth>
        <inbound average='1000' peak='2000' burst='64'/>
        <outbound average='500'/>
      </bandwidth>
    </interface>
  </devices>""" % (MAC, BRIDGE, TAP))
    return xml.replace("<vcpu>1</vcpu>", """<vcpu>2</vcpu>
  <cputune>
    <shares>2048</shares>
    <vcpupin vcpu='1' cpuset='0'/>
    <emulatorpin cpuset='1'/>
    <period>100000</period>
    <quota>50000</quota>
    <global_period>100000</global_period>
    <global_quota>150000</global_quota>
    <emulator_period>50000</emulator_period>
    <emulator_quota>40000</emulator_quota>
  </cputune>
  <memtune>
    <hard_limit unit='MiB'>1024</hard_limit>
    <soft_limit unit='MiB'>768</soft_limit>
    <swap_hard_limit unit='MiB'>2048</swap_hard_limit>
  </memtune>
  <blkiotune>
    <weight>300</weight>
    <device>
      <path>%s</path>
      <read_bytes_sec>1099511627776</read_bytes_sec>
      <write_iops_sec>1000000</write_iops_sec>
    </device>
  </blkiotune>
  <numatune>
    <memory mode='strict' nodeset='0'/>
  </numatune>""" % dev)


def setUpModule():
    global daemon, first_daemon, conn, dom, root, blockdev
    mvtest.require_python_libvirt()
    mvtest.require_guest()
    missing = [c for c in CONTROLLERS if c not in MOUNTS]
    if missing:
        mvtest.skip_script("cgroup v1 controllers not mounted: %s" % ", ".join(missing))
    import libvirt
    mvtest.enter_private_netns()
    subprocess.run(["ip", "link", "add", BRIDGE, "type", "bridge"], check=True)
    subprocess.run(["ip", "link", "set", BRIDGE, "up"], check=True)
    daemon = first_daemon = mvtest.Daemon().start()
    root = daemon.root
    blockdev = root_blockdev()
    conn = libvirt.open(daemon.uri)
    dom = conn.defineXML(guest_xml())
    dom.create()
    mvtest.wait_marker(mvtest.serial_log(root, NAME), mvtest.GUEST_READY, timeout=120)


def tearDownModule():
    try:
        if dom is not None and dom.isActive():
            dom.destroy()
        if conn is not None:
            conn.close()
    finally:
        try:
            for d in (daemon, first_daemon):
                if d is not None:
                    d.cleanup()
        finally:
            if root is not None:
                mvtest.cgroup_remove_all(root)


BITS = {"bit": 1, "Kbit": 1000, "Mbit": 1000 ** 2, "Gbit": 1000 ** 3}


def bits(text):
    m = re.fullmatch(r"([0-9.]+)([KMG]?bit)", text)
    assert m, text
    return round(float(m.group(1)) * BITS[m.group(2)])


def htb_rate(dev):
    """(rate, ceil) in KiB/s of the HTB class 1:1 on dev, or None: `tc class show`
    prints rates rounded to 4 digits, so they are rounded back to whole KiB/s."""
    out = subprocess.run(["tc", "class", "show", "dev", dev], capture_output=True, text=True,
                         check=True).stdout
    m = re.search(r"class htb 1:1 .*?rate (\S+) ceil (\S+)", out)
    return (round(bits(m.group(1)) / 8192), round(bits(m.group(2)) / 8192)) if m else None


def link_exists(name):
    res = subprocess.run(["ip", "-j", "link", "show", name], capture_output=True, text=True)
    return res.returncode == 0 and bool(json.loads(res.stdout or "[]"))


def ifb_of(dev):
    out = subprocess.run(["ip", "-j", "link", "show", dev], capture_output=True, text=True,
                         check=True).stdout
    return "mvifb%d" % json.loads(out)[0]["ifindex"]


def affinity(tid):
    return os.sched_getaffinity(tid)


def host_cpus():
    return os.sched_getaffinity(0) | set(range(os.cpu_count() or 1))


def inactive_xml():
    import libvirt
    return dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)


class T1Placement(unittest.TestCase):
    def test_groups_named_after_root(self):
        pid = qemu_pid()
        for c in CONTROLLERS:
            with self.subTest(controller=c):
                path = own_group(c, pid)
                expect = os.path.join(own_group(c), partition(), UUID)
                if c == "cpu":
                    expect = os.path.join(expect, "emulator")
                self.assertEqual(path, expect)
                self.assertIn(str(pid), read(c, "cgroup.procs",
                                             "emulator" if c == "cpu" else None).split())

    def test_vcpu_threads_in_their_groups(self):
        tids = vcpu_tids(qemu_pid())
        self.assertEqual(sorted(tids), [0, 1])
        for i, tid in tids.items():
            self.assertEqual(read("cpu", "tasks", "vcpu%d" % i).split(), [str(tid)])

    def test_values_at_start(self):
        self.assertEqual(read("cpu", "cpu.shares"), "2048")
        self.assertEqual(read("cpu", "cpu.cfs_quota_us"), "150000")
        self.assertEqual(read("cpu", "cpu.cfs_period_us"), "100000")
        for i in (0, 1):
            self.assertEqual(read("cpu", "cpu.cfs_quota_us", "vcpu%d" % i), "50000")
        self.assertEqual(read("cpu", "cpu.cfs_period_us", "emulator"), "50000")
        self.assertEqual(read("cpu", "cpu.cfs_quota_us", "emulator"), "40000")
        self.assertEqual(int(read("memory", "memory.limit_in_bytes")), 1024 << 20)
        self.assertEqual(int(read("memory", "memory.soft_limit_in_bytes")), 768 << 20)
        self.assertEqual(int(read("memory", "memory.memsw.limit_in_bytes")), 2048 << 20)
        self.assertEqual(read("cpuset", "cpuset.mems"), "0")
        weight = read("blkio", "blkio.bfq.weight")
        self.assertEqual(weight.split()[-1], "300")
        _, majmin = blockdev
        self.assertIn("%s 1099511627776" % majmin,
                      read("blkio", "blkio.throttle.read_bps_device").splitlines())
        self.assertIn("%s 1000000" % majmin,
                      read("blkio", "blkio.throttle.write_iops_device").splitlines())

    def test_nic_shaped_at_start(self):
        self.assertEqual(htb_rate(TAP), (1000, 2000))
        self.assertEqual(htb_rate(ifb_of(TAP)), (500, 500))

    def test_pins_at_start(self):
        pid = qemu_pid()
        tids = vcpu_tids(pid)
        self.assertEqual(affinity(tids[1]), {0})
        self.assertEqual(affinity(pid), {1})


class T2Python(unittest.TestCase):
    def test_domiftune(self):
        import libvirt
        live = libvirt.VIR_DOMAIN_AFFECT_LIVE
        config = libvirt.VIR_DOMAIN_AFFECT_CONFIG
        got = dom.interfaceParameters(TAP, live)
        self.assertEqual(got["inbound.average"], 1000)
        self.assertEqual(got["outbound.average"], 500)
        dom.setInterfaceParameters(MAC, {"inbound.average": 3000, "inbound.peak": 0,
                                         "outbound.average": 700}, live)
        self.assertEqual(htb_rate(TAP), (3000, 3000))
        self.assertEqual(htb_rate(ifb_of(TAP)), (700, 700))
        self.assertEqual(dom.interfaceParameters(TAP, live)["inbound.average"], 3000)
        self.assertIn("<inbound average='1000' peak='2000' burst='64'/>", inactive_xml())
        dom.setInterfaceParameters(TAP, {"outbound.average": 0}, config)
        self.assertNotIn("<outbound", inactive_xml())
        self.assertEqual(dom.interfaceParameters(TAP, config)["outbound.average"], 0)
        self.assertIsNotNone(htb_rate(ifb_of(TAP)))               # not live
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.setInterfaceParameters(TAP, {"inbound.floor": 10}, live)
        self.assertIn("floor", str(cm.exception))
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.interfaceParameters("nosuchtap", live)
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_INVALID_ARG)

    def test_blkdeviotune(self):
        """--live values are read back from QEMU (query-block), --config from the XML."""
        import libvirt
        live = libvirt.VIR_DOMAIN_AFFECT_LIVE
        config = libvirt.VIR_DOMAIN_AFFECT_CONFIG
        got = dom.blockIoTune("vda", live)
        self.assertEqual(got["read_bytes_sec"], 52428800)        # applied at start
        self.assertEqual(got["write_iops_sec"], 400)
        self.assertEqual(got["write_iops_sec_max"], 800)
        self.assertEqual(got["total_bytes_sec"], 0)
        dom.setBlockIoTune("vda", {"total_bytes_sec": 10485760, "read_iops_sec": 300}, live)
        got = dom.blockIoTune("vda", live)
        self.assertEqual(got["total_bytes_sec"], 10485760)
        self.assertEqual(got["read_bytes_sec"], 0)              # replaced by the total
        self.assertEqual(got["read_iops_sec"], 300)
        self.assertEqual(got["write_iops_sec"], 400)
        self.assertIn("<read_bytes_sec>52428800</read_bytes_sec>", inactive_xml())
        dom.setBlockIoTune("vda", {"write_iops_sec": 0, "write_iops_sec_max": 0,
                                   "total_iops_sec": 1000}, config)
        iotune = re.search(r"<iotune>.*</iotune>", inactive_xml(), re.S).group(0)
        self.assertIn("<total_iops_sec>1000</total_iops_sec>", iotune)
        self.assertNotIn("write_iops_sec", iotune)
        self.assertEqual(dom.blockIoTune("vda", config)["total_iops_sec"], 1000)
        self.assertEqual(dom.blockIoTune("vda", live)["total_iops_sec"], 0)   # not live
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.setBlockIoTune("vda", {"read_iops_sec_max": 10}, live)
        self.assertIn("read_iops_sec_max", str(cm.exception))
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.blockIoTune("vdz", live)
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_INVALID_ARG)

    def test_schedinfo_live_and_config(self):
        import libvirt
        live = libvirt.VIR_DOMAIN_AFFECT_LIVE
        config = libvirt.VIR_DOMAIN_AFFECT_CONFIG
        self.assertEqual(dom.schedulerType(), ("posix", 7))
        got = dom.schedulerParametersFlags(live)
        self.assertEqual(got["cpu_shares"], int(read("cpu", "cpu.shares")))
        self.assertEqual(got["vcpu_quota"], int(read("cpu", "cpu.cfs_quota_us", "vcpu0")))
        self.assertEqual(got["global_quota"], 150000)
        dom.setSchedulerParametersFlags({"cpu_shares": 512, "vcpu_quota": 30000,
                                         "emulator_period": 60000}, live)
        self.assertEqual(read("cpu", "cpu.shares"), "512")
        for i in (0, 1):
            self.assertEqual(read("cpu", "cpu.cfs_quota_us", "vcpu%d" % i), "30000")
        self.assertEqual(read("cpu", "cpu.cfs_period_us", "emulator"), "60000")
        self.assertEqual(dom.schedulerParametersFlags(live)["cpu_shares"], 512)
        # --live only: the definition keeps 2048
        self.assertIn("<shares>2048</shares>", inactive_xml())
        self.assertEqual(dom.schedulerParametersFlags(config)["cpu_shares"], 2048)
        dom.setSchedulerParametersFlags({"cpu_shares": 4096, "global_quota": -1}, config)
        self.assertIn("<shares>4096</shares>", inactive_xml())
        self.assertIn("<global_quota>-1</global_quota>", inactive_xml())
        self.assertEqual(read("cpu", "cpu.shares"), "512")         # not live
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.setSchedulerParametersFlags({"cpu_shares": 1}, live)
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_INVALID_ARG)
        self.assertIn("2 to 262144", str(cm.exception))

    def test_memtune(self):
        import libvirt
        live = libvirt.VIR_DOMAIN_AFFECT_LIVE
        config = libvirt.VIR_DOMAIN_AFFECT_CONFIG
        got = dom.memoryParameters(live)
        self.assertEqual(got["hard_limit"], int(read("memory", "memory.limit_in_bytes")) // 1024)
        dom.setMemoryParameters({"hard_limit": 900 * 1024, "swap_hard_limit": 950 * 1024},
                                live)
        self.assertEqual(int(read("memory", "memory.limit_in_bytes")), 900 << 20)
        self.assertEqual(int(read("memory", "memory.memsw.limit_in_bytes")), 950 << 20)
        dom.setMemoryParameters({"soft_limit": UNLIMITED}, live)
        self.assertGreater(int(read("memory", "memory.soft_limit_in_bytes")), 1 << 60)
        self.assertEqual(dom.memoryParameters(live)["soft_limit"], UNLIMITED)
        dom.setMemoryParameters({"hard_limit": 2 << 20, "swap_hard_limit": 3 << 20}, config)
        self.assertIn("<hard_limit unit='KiB'>2097152</hard_limit>", inactive_xml())
        self.assertEqual(dom.memoryParameters(config)["swap_hard_limit"], 3 << 20)
        self.assertEqual(int(read("memory", "memory.limit_in_bytes")), 900 << 20)
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.setMemoryParameters({"hard_limit": 4 << 20, "swap_hard_limit": 1 << 20}, config)
        self.assertIn("swap_hard_limit", str(cm.exception))

    def test_blkiotune(self):
        import libvirt
        live = libvirt.VIR_DOMAIN_AFFECT_LIVE
        config = libvirt.VIR_DOMAIN_AFFECT_CONFIG
        dev, majmin = blockdev
        got = dom.blkioParameters(live)
        self.assertEqual(got["weight"], 300)
        self.assertEqual(got["device_read_bytes_sec"], "%s,1099511627776" % dev)
        dom.setBlkioParameters({"weight": 700, "device_read_iops_sec": "%s,500000" % dev,
                                "device_read_bytes_sec": "%s,0" % dev}, live)
        self.assertEqual(read("blkio", "blkio.bfq.weight").split()[-1], "700")
        self.assertIn("%s 500000" % majmin,
                      read("blkio", "blkio.throttle.read_iops_device").splitlines())
        self.assertNotIn(majmin, read("blkio", "blkio.throttle.read_bps_device"))
        got = dom.blkioParameters(live)
        self.assertEqual(got["weight"], 700)
        self.assertEqual(got["device_read_iops_sec"], "%s,500000" % dev)
        self.assertEqual(got["device_read_bytes_sec"], "")
        dom.setBlkioParameters({"weight": 200}, config)
        self.assertIn("<weight>200</weight>", inactive_xml())
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.setBlkioParameters({"weight": 5}, live)
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_INVALID_ARG)

    def test_numatune(self):
        import libvirt
        live = libvirt.VIR_DOMAIN_AFFECT_LIVE
        config = libvirt.VIR_DOMAIN_AFFECT_CONFIG
        got = dom.numaParameters(live)
        self.assertEqual(got["numa_mode"], libvirt.VIR_DOMAIN_NUMATUNE_MEM_STRICT)
        self.assertEqual(got["numa_nodeset"], read("cpuset", "cpuset.mems"))
        dom.setNumaParameters({"numa_nodeset": "0"}, live)
        self.assertEqual(read("cpuset", "cpuset.mems"), "0")
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.setNumaParameters({"numa_mode": libvirt.VIR_DOMAIN_NUMATUNE_MEM_INTERLEAVE},
                                  live)
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_OPERATION_INVALID)
        dom.setNumaParameters({"numa_mode": libvirt.VIR_DOMAIN_NUMATUNE_MEM_RESTRICTIVE},
                              config)
        self.assertIn("<memory mode='restrictive' nodeset='0'/>", inactive_xml())
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.setNumaParameters({"numa_mode": libvirt.VIR_DOMAIN_NUMATUNE_MEM_INTERLEAVE},
                                  config)
        self.assertIn("mode='strict' or mode='restrictive'", str(cm.exception))
        # a definition with such a mode is refused at define, naming the element
        xml = inactive_xml().replace("<name>%s</name>" % NAME, "<name>tune-numa</name>")
        xml = re.sub(r"<uuid>[^<]*</uuid>", "", xml)
        xml = re.sub(r"<memory mode='\w+'", "<memory mode='preferred'", xml)
        with self.assertRaises(libvirt.libvirtError) as cm:
            conn.defineXML(xml)
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_CONFIG_UNSUPPORTED)
        self.assertIn("/domain/numatune/memory: mode 'preferred'", str(cm.exception))

    def test_pin_vcpu_and_emulator(self):
        import libvirt
        live = libvirt.VIR_DOMAIN_AFFECT_LIVE
        config = libvirt.VIR_DOMAIN_AFFECT_CONFIG
        pid = qemu_pid()
        tids = vcpu_tids(pid)
        ncpu = conn.getInfo()[2]
        dom.pinVcpuFlags(0, tuple(i == 1 for i in range(ncpu)), live)
        self.assertEqual(affinity(tids[0]), {1})
        self.assertEqual(dom.vcpuPinInfo(live)[0], tuple(i == 1 for i in range(ncpu)))
        dom.pinVcpu(0, tuple(True for _ in range(ncpu)))
        self.assertEqual(affinity(tids[0]), set(range(ncpu)))
        dom.pinEmulator(tuple(i == 0 for i in range(ncpu)), live)
        self.assertEqual(affinity(pid), {0})
        self.assertEqual(affinity(tids[1]), {0})       # the vCPU keeps its own pin
        self.assertEqual(dom.emulatorPinInfo(live), tuple(i == 0 for i in range(ncpu)))
        dom.pinVcpuFlags(1, tuple(i == 1 for i in range(ncpu)), config)
        self.assertIn("<vcpupin vcpu='1' cpuset='1'/>", inactive_xml())
        self.assertEqual(dom.vcpuPinInfo(config)[1], tuple(i == 1 for i in range(ncpu)))
        self.assertEqual(affinity(tids[1]), {0})       # not live
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.pinVcpuFlags(5, (True,), live)
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_INVALID_ARG)
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.pinEmulator(tuple(False for _ in range(ncpu)), live)
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_INVALID_ARG)


class T3Virsh(unittest.TestCase):
    def virsh(self, *args, check=True):
        return mvtest.virsh(daemon.uri, *args, check=check)

    def test_blkdeviotune(self):
        import libvirt
        self.virsh("blkdeviotune", NAME, "vda", "--live", "--write-bytes-sec", "20971520")
        got = dom.blockIoTune("vda", libvirt.VIR_DOMAIN_AFFECT_LIVE)
        self.assertEqual(got["write_bytes_sec"], 20971520)
        out = self.virsh("blkdeviotune", NAME, "vda", "--live").stdout
        self.assertRegex(out, r"write_bytes_sec\s*:\s*20971520")

    def test_schedinfo(self):
        out = self.virsh("schedinfo", NAME, "--live", "--set", "cpu_shares=1536").stdout
        self.assertRegex(out, r"cpu_shares\s*:\s*1536")
        self.assertEqual(read("cpu", "cpu.shares"), "1536")
        out = self.virsh("schedinfo", NAME, "--config").stdout
        self.assertRegex(out, r"Scheduler\s*:\s*posix")
        self.assertRegex(out, r"cpu_shares\s*:\s*4096")

    def test_domiftune(self):
        self.virsh("domiftune", NAME, TAP, "--live", "--inbound", "4000,5000,100")
        self.assertEqual(htb_rate(TAP), (4000, 5000))
        out = self.virsh("domiftune", NAME, TAP, "--live").stdout
        self.assertRegex(out, r"inbound.average\s*:\s*4000")
        self.assertRegex(out, r"inbound.peak\s*:\s*5000")

    def test_memtune(self):
        self.virsh("memtune", NAME, "--live", "--hard-limit", "819200",
                   "--swap-hard-limit", "921600")
        self.assertEqual(int(read("memory", "memory.limit_in_bytes")), 800 << 20)
        out = self.virsh("memtune", NAME, "--live").stdout
        self.assertRegex(out, r"hard_limit\s*:\s*819200")

    def test_blkiotune(self):
        dev, majmin = blockdev
        self.virsh("blkiotune", NAME, "--live", "--weight", "450",
                   "--device-write-bytes-sec", "%s,1073741824" % dev)
        self.assertEqual(read("blkio", "blkio.bfq.weight").split()[-1], "450")
        self.assertIn("%s 1073741824" % majmin,
                      read("blkio", "blkio.throttle.write_bps_device").splitlines())
        out = self.virsh("blkiotune", NAME, "--live").stdout
        self.assertRegex(out, r"weight\s*:\s*450")
        self.assertIn("%s,1073741824" % dev, out)

    def test_numatune(self):
        out = self.virsh("numatune", NAME, "--live").stdout
        self.assertRegex(out, r"numa_mode\s*:\s*strict")
        self.assertRegex(out, r"numa_nodeset\s*:\s*0")

    def test_vcpupin_emulatorpin(self):
        pid = qemu_pid()
        tids = vcpu_tids(pid)
        self.virsh("vcpupin", NAME, "1", "1", "--live")
        self.assertEqual(affinity(tids[1]), {1})
        self.virsh("emulatorpin", NAME, "0-1", "--live")
        self.assertEqual(affinity(pid), host_cpus() & {0, 1})
        out = self.virsh("vcpupin", NAME, "--config").stdout
        self.assertRegex(out, r"\n\s*1\s+1\s*\n")
        res = self.virsh("vcpupin", NAME, "7", "0", "--live", check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("vCPU 7 does not exist", res.stderr)


class T4Restart(unittest.TestCase):
    def test_adopted_after_restart_and_removed_at_end(self):
        global daemon, conn, dom
        import libvirt
        pid = qemu_pid()
        ifb = ifb_of(TAP)
        conn.close()
        conn = None
        self.assertEqual(daemon.stop(), 0)
        daemon = mvtest.Daemon(root=root).start()
        conn = libvirt.open(daemon.uri)
        dom = conn.lookupByName(NAME)
        self.assertEqual(qemu_pid(), pid)
        # the adopted groups take live changes
        dom.setSchedulerParametersFlags({"cpu_shares": 333, "vcpu_period": 200000},
                                        libvirt.VIR_DOMAIN_AFFECT_LIVE)
        self.assertEqual(read("cpu", "cpu.shares"), "333")
        self.assertEqual(read("cpu", "cpu.cfs_period_us", "vcpu1"), "200000")
        self.assertEqual(dom.memoryParameters(libvirt.VIR_DOMAIN_AFFECT_LIVE)["hard_limit"],
                         int(read("memory", "memory.limit_in_bytes")) // 1024)
        dom.setInterfaceParameters(TAP, {"outbound.average": 900},
                                   libvirt.VIR_DOMAIN_AFFECT_LIVE)
        self.assertEqual(htb_rate(ifb), (900, 900))
        dom.destroy()
        self.assertFalse(link_exists(ifb))                           # the ifb went too
        for c in CONTROLLERS:
            with self.subTest(controller=c):
                self.assertFalse(os.path.exists(group_dir(c)), group_dir(c))
                self.assertFalse(os.path.exists(os.path.dirname(group_dir(c))))
        # the next start uses the config: shares 4096 from --config above
        dom.create()
        try:
            self.assertEqual(read("cpu", "cpu.shares"), "4096")
            self.assertEqual(int(read("memory", "memory.limit_in_bytes")), 2 << 30)
        finally:
            dom.destroy()
        self.assertFalse(os.path.exists(group_dir("memory")))


if __name__ == "__main__":
    mvtest.main()
