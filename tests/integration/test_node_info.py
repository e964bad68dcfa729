#!/usr/bin/python3
"""Host information answered by modvirt-qemud (issue 13 item 5): node CPU and
memory statistics, the CPU map and sysinfo through stock virsh and
python3-libvirt, cross-checked against /proc and /sys read around each call."""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402

daemon = None
NS_PER_TICK = 1000000000 // os.sysconf("SC_CLK_TCK")


def setUpModule():
    global daemon
    mvtest.require_python_libvirt()
    daemon = mvtest.Daemon().start()


def tearDownModule():
    daemon.cleanup()


def proc_cpu(cpu=None):
    """{kernel, user, idle, iowait} in ns from /proc/stat ("cpu" or "cpuN")."""
    head = "cpu" if cpu is None else "cpu%d" % cpu
    with open("/proc/stat") as f:
        for line in f:
            parts = line.split()
            if parts[0] == head:
                v = [int(x) for x in parts[1:8]]
                usr, nice, sys_, idle, iowait, irq, softirq = v
                return {"kernel": (sys_ + irq + softirq) * NS_PER_TICK,
                        "user": (usr + nice) * NS_PER_TICK,
                        "idle": idle * NS_PER_TICK, "iowait": iowait * NS_PER_TICK}
    raise AssertionError("no %s line in /proc/stat" % head)


def meminfo(path="/proc/meminfo"):
    out = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"(?:Node \d+ )?(\w+):\s+(\d+)", line)
            if m:
                out[m.group(1)] = int(m.group(2))
    return out


def sys_cpus():
    def expand(text):
        cpus = set()
        for part in text.strip().split(","):
            a, _, b = part.partition("-")
            cpus.update(range(int(a), int(b or a) + 1))
        return cpus
    with open("/sys/devices/system/cpu/present") as f:
        present = expand(f.read())
    with open("/sys/devices/system/cpu/online") as f:
        online = expand(f.read())
    return present, online


class Node(unittest.TestCase):
    def setUp(self):
        import libvirt
        self.libvirt = libvirt
        self.conn = libvirt.open(daemon.uri)

    def tearDown(self):
        self.conn.close()

    def check_cpu(self, cpu):
        before = proc_cpu(cpu)
        got = self.conn.getCPUStats(-1 if cpu is None else cpu)
        after = proc_cpu(cpu)
        self.assertEqual(sorted(got), sorted(before))
        for k in before:          # monotonic counters: the answer lies between the reads
            self.assertGreaterEqual(got[k], before[k], k)
            self.assertLessEqual(got[k], after[k], k)

    def test_cpu_stats_all_and_each(self):
        self.check_cpu(None)
        present, online = sys_cpus()
        for cpu in sorted(online):
            with self.subTest(cpu=cpu):
                self.check_cpu(cpu)

    def test_cpu_stats_bad_cpu(self):
        with self.assertRaises(self.libvirt.libvirtError) as cm:
            self.conn.getCPUStats(4096)
        self.assertEqual(cm.exception.get_error_code(), self.libvirt.VIR_ERR_INVALID_ARG)

    def test_memory_stats_all(self):
        host = meminfo()
        got = self.conn.getMemoryStats(-1)
        self.assertEqual(sorted(got), ["buffers", "cached", "free", "total"])
        self.assertEqual(got["total"], host["MemTotal"])
        after = meminfo()
        for key, field in (("MemFree", "free"), ("Buffers", "buffers"), ("Cached", "cached")):
            lo = min(host[key], after[key]) - host["MemTotal"] // 20
            hi = max(host[key], after[key]) + host["MemTotal"] // 20
            self.assertTrue(lo <= got[field] <= hi, (field, got[field], host[key]))

    def test_memory_stats_cells(self):
        nodes = sorted(int(n[4:]) for n in os.listdir("/sys/devices/system/node")
                       if re.fullmatch(r"node\d+", n))
        if not nodes:
            self.skipTest("no NUMA nodes in sysfs")
        for n in nodes:
            path = "/sys/devices/system/node/node%d/meminfo" % n
            got = self.conn.getMemoryStats(n)
            self.assertEqual(sorted(got), ["free", "total"])
            self.assertEqual(got["total"], meminfo(path)["MemTotal"])
        with self.assertRaises(self.libvirt.libvirtError) as cm:
            self.conn.getMemoryStats(nodes[-1] + 1)
        self.assertEqual(cm.exception.get_error_code(), self.libvirt.VIR_ERR_INVALID_ARG)

    def test_cpu_map(self):
        present, online = sys_cpus()
        ncpus, cpumap, nonline = self.conn.getCPUMap()
        self.assertEqual(ncpus, max(present) + 1)
        self.assertEqual(nonline, len(online))
        self.assertEqual({i for i, on in enumerate(cpumap) if on}, online)

    def test_sysinfo(self):
        if not os.path.isdir("/sys/class/dmi/id"):
            with self.assertRaises(self.libvirt.libvirtError) as cm:
                self.conn.getSysinfo(0)
            self.assertIn("/sys/class/dmi/id", str(cm.exception))
            return
        import xml.etree.ElementTree as ET
        root = ET.fromstring(self.conn.getSysinfo(0))
        self.assertEqual(root.tag, "sysinfo")
        vendor = root.find("system/entry[@name='manufacturer']")
        with open("/sys/class/dmi/id/sys_vendor") as f:
            self.assertEqual(vendor.text, f.read().strip())


class Virsh(unittest.TestCase):
    def test_virsh_node_commands(self):
        res = mvtest.virsh(daemon.uri, "nodecpustats", "--cpu", "0", check=True)
        self.assertRegex(res.stdout, r"user:\s+\d+")
        res = mvtest.virsh(daemon.uri, "nodememstats", check=True)
        m = re.search(r"total\s*:\s*(\d+) KiB", res.stdout)
        self.assertEqual(int(m.group(1)), meminfo()["MemTotal"])
        res = mvtest.virsh(daemon.uri, "nodecpumap", check=True)
        present, online = sys_cpus()
        self.assertRegex(res.stdout, r"CPUs online:\s+%d" % len(online))
        res = mvtest.virsh(daemon.uri, "nodecpustats", "--percent", check=True)
        self.assertRegex(res.stdout, r"usage:\s+[\d.]+ ?%")


if __name__ == "__main__":
    mvtest.main()
