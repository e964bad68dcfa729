#!/usr/bin/python3
"""Guest information from modvirt-qemud (issue 13 item 5): vcpuinfo, vcpupin and
emulatorpin (queries), dommemstat (+ --period), domblkstat, domblkinfo, domifstat,
domjobinfo, send-key, domstats (every group), screenshot through python3-libvirt and
stock virsh, with one tiny TCG guest (2 vCPUs, virtio balloon). Values are cross-checked against
/proc (the QEMU process and its vCPU threads) read around each call."""

import json
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402

daemon = None
conn = None
dom = None
qemu_pid = None
NAME = "info1"
TICK_NS = 1000000000 // os.sysconf("SC_CLK_TCK")


def setUpModule():
    global daemon, conn, dom, qemu_pid
    mvtest.require_python_libvirt()
    mvtest.require_guest()
    import libvirt
    daemon = mvtest.Daemon().start()
    conn = libvirt.open(daemon.uri)
    xml = mvtest.linux_guest_xml(NAME, daemon.root,
                                 extra_devices="\n    <memballoon model='virtio'/>"
                                               "\n    <video><model type='vga'/></video>")
    xml = xml.replace("<vcpu>1</vcpu>", "<vcpu>2</vcpu>")
    dom = conn.defineXML(xml)
    dom.create()
    mvtest.wait_marker(mvtest.serial_log(daemon.root, NAME), mvtest.GUEST_READY, timeout=120)
    pids = mvtest.qemu_processes_of(NAME, daemon.root)
    assert len(pids) == 1, pids
    qemu_pid = pids[0]


def tearDownModule():
    try:
        if dom is not None and dom.isActive():
            dom.destroy()
        if conn is not None:
            conn.close()
    finally:
        if daemon is not None:
            daemon.cleanup()


def vcpu_threads():
    """{vcpu index: tid} from the QEMU process's thread names ("CPU 1/TCG")."""
    out = {}
    for tid in os.listdir("/proc/%d/task" % qemu_pid):
        with open("/proc/%d/task/%s/comm" % (qemu_pid, tid)) as f:
            m = re.match(r"CPU (\d+)/", f.read())
        if m:
            out[int(m.group(1))] = int(tid)
    return out


def thread_ns(tid):
    with open("/proc/%d/task/%d/stat" % (qemu_pid, tid)) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[14 - 3]) + int(fields[15 - 3])) * TICK_NS


def rss_kib():
    with open("/proc/%d/statm" % qemu_pid) as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGESIZE") // 1024


class Vcpus(unittest.TestCase):
    def test_vcpus_match_the_threads(self):
        threads = vcpu_threads()
        self.assertEqual(sorted(threads), [0, 1])
        before = {i: thread_ns(t) for i, t in threads.items()}
        info, maps = dom.vcpus()
        after = {i: thread_ns(t) for i, t in threads.items()}
        self.assertEqual([v[0] for v in info], [0, 1])
        for number, state, cpu_time, cpu in info:
            self.assertEqual(state, 1)                              # running
            self.assertGreaterEqual(cpu_time, before[number])
            self.assertLessEqual(cpu_time, after[number])
            self.assertGreaterEqual(cpu, 0)
            affinity = os.sched_getaffinity(threads[number])
            self.assertEqual({i for i, on in enumerate(maps[number]) if on}, affinity)

    def test_virsh_vcpuinfo(self):
        res = mvtest.virsh(daemon.uri, "vcpuinfo", NAME, check=True)
        self.assertEqual(len(re.findall(r"^VCPU:\s+\d+", res.stdout, re.M)), 2, res.stdout)
        self.assertRegex(res.stdout, r"State:\s+running")
        self.assertRegex(res.stdout, r"CPU time:\s+[\d.]+s")


def present_cpus():
    cpus = set()
    with open("/sys/devices/system/cpu/present") as f:
        for part in f.read().strip().split(","):
            a, _, b = part.partition("-")
            cpus.update(range(int(a), int(b or a) + 1))
    return cpus


def disk_path():
    return os.path.join(daemon.root, "%s-disk.qcow2" % NAME)


class Pin(unittest.TestCase):
    def test_vcpu_pin_info_live_and_config(self):
        import libvirt
        threads = vcpu_threads()
        live = dom.vcpuPinInfo(libvirt.VIR_DOMAIN_AFFECT_LIVE)
        self.assertEqual(len(live), 2)
        for i, cpumap in enumerate(live):
            self.assertEqual({c for c, on in enumerate(cpumap) if on},
                             os.sched_getaffinity(threads[i]))
        config = dom.vcpuPinInfo(libvirt.VIR_DOMAIN_AFFECT_CONFIG)
        for cpumap in config:          # no <cputune>: every host CPU
            self.assertEqual({c for c, on in enumerate(cpumap) if on}, present_cpus())

    def test_emulator_pin_info(self):
        import libvirt
        got = dom.emulatorPinInfo(libvirt.VIR_DOMAIN_AFFECT_LIVE)
        self.assertEqual({c for c, on in enumerate(got) if on}, os.sched_getaffinity(qemu_pid))

    def test_virsh_vcpupin_emulatorpin_query(self):
        res = mvtest.virsh(daemon.uri, "vcpupin", NAME, check=True)
        self.assertEqual(len(re.findall(r"^\s*\d+\s+[\d,-]+\s*$", res.stdout, re.M)), 2,
                         res.stdout)
        res = mvtest.virsh(daemon.uri, "emulatorpin", NAME, check=True)
        self.assertRegex(res.stdout, r"\*:\s+[\d,-]+")


class BlockInfo(unittest.TestCase):
    def check(self, cap, alloc, phys, st_before, st_after):
        info = json.loads(subprocess.run(["qemu-img", "info", "-U", "--output=json",
                                          disk_path()], capture_output=True, text=True,
                                         check=True, timeout=30).stdout)
        self.assertEqual(cap, info["virtual-size"])
        self.assertTrue(min(st_before.st_size, st_after.st_size) <= phys
                        <= max(st_before.st_size, st_after.st_size))
        self.assertTrue(min(st_before.st_blocks, st_after.st_blocks) * 512 <= alloc
                        <= max(st_before.st_blocks, st_after.st_blocks) * 512)

    def test_block_info(self):
        import libvirt
        before = os.stat(disk_path())
        cap, alloc, phys = dom.blockInfo("vda")
        after = os.stat(disk_path())
        self.check(cap, alloc, phys, before, after)
        self.assertEqual(dom.blockInfo(disk_path())[0], cap)
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.blockInfo("vdz")
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_INVALID_ARG)

    def test_virsh_domblkinfo(self):
        res = mvtest.virsh(daemon.uri, "domblkinfo", NAME, "vda", check=True)
        self.assertRegex(res.stdout, r"Capacity:\s+67108864")


class Job(unittest.TestCase):
    def test_no_job(self):
        import libvirt
        self.assertEqual(dom.jobInfo(), [libvirt.VIR_DOMAIN_JOB_NONE] + [0] * 11)
        self.assertEqual(dom.jobStats(), {"type": libvirt.VIR_DOMAIN_JOB_NONE})
        self.assertEqual(dom.jobStats(libvirt.VIR_DOMAIN_JOB_STATS_COMPLETED),
                         {"type": libvirt.VIR_DOMAIN_JOB_NONE})
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.jobStats(libvirt.VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED)
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_INVALID_ARG)

    def test_virsh_domjobinfo(self):
        res = mvtest.virsh(daemon.uri, "domjobinfo", NAME, check=True)
        self.assertRegex(res.stdout, r"Job type:\s+None")


class Memory(unittest.TestCase):
    def test_memory_stats(self):
        lo = rss_kib()
        stats = dom.memoryStats()
        hi = rss_kib()
        self.assertEqual(stats["actual"], 256 * 1024)      # no balloon change: all of it
        slack = 4096
        self.assertTrue(min(lo, hi) - slack <= stats["rss"] <= max(lo, hi) + slack,
                        (lo, stats["rss"], hi))

    def test_period_live(self):
        import libvirt
        self.assertEqual(dom.setMemoryStatsPeriod(1, libvirt.VIR_DOMAIN_AFFECT_LIVE), 0)
        self.assertIn("<stats period='1'/>", dom.XMLDesc(0))
        self.assertNotIn("<stats period", dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.setMemoryStatsPeriod(-1, libvirt.VIR_DOMAIN_AFFECT_LIVE)
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_INVALID_ARG)
        # the guest reports once it has a virtio_balloon driver
        reported = mvtest.wait_for(lambda: "last_update" in dom.memoryStats(), 15, 0.5)
        if not reported:
            self.skipTest("the tiny guest sent no balloon statistics (no virtio_balloon "
                          "driver in it): guest-reported fields not checked")
        stats = dom.memoryStats()
        self.assertIn("unused", stats)
        self.assertLessEqual(stats["unused"], 256 * 1024)

    def test_virsh_dommemstat(self):
        import libvirt
        res = mvtest.virsh(daemon.uri, "dommemstat", NAME, check=True)
        self.assertRegex(res.stdout, r"actual 262144")
        self.assertRegex(res.stdout, r"rss \d+")
        res = mvtest.virsh(daemon.uri, "dommemstat", NAME, "--period", "2", "--live",
                           check=True)
        self.assertIn("<stats period='2'/>", dom.XMLDesc(0))
        # --config: kept in the persistent definition (and put on the next start's
        # balloon device), the running guest untouched
        mvtest.virsh(daemon.uri, "dommemstat", NAME, "--period", "5", "--config", check=True)
        inactive = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
        self.assertIn("<stats period='5'/>", inactive)
        self.assertIn("<stats period='2'/>", dom.XMLDesc(0))
        path = os.path.join(daemon.root, "etc", "qemu", NAME + ".xml")
        self.assertIn("<stats period='5'/>", mvtest.read_text(path))
        res = mvtest.virsh(daemon.uri, "dommemstat", NAME, "--period", "-1", "--config")
        self.assertNotEqual(res.returncode, 0)
        dom.setMemoryStatsPeriod(0, libvirt.VIR_DOMAIN_AFFECT_CONFIG)
        self.assertNotIn("<stats period", dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))


class Block(unittest.TestCase):
    def test_block_stats(self):
        import libvirt
        by_target = dom.blockStats("vda")
        self.assertEqual(len(by_target), 5)
        rd_req, rd_bytes, wr_req, wr_bytes, errs = by_target
        self.assertEqual(errs, -1)
        for v in (rd_req, rd_bytes, wr_req, wr_bytes):
            self.assertGreaterEqual(v, 0)
        # the kernel probed the partition table of /dev/vda at boot
        self.assertGreater(rd_req, 0)
        self.assertGreaterEqual(rd_bytes, 512 * rd_req)
        disk = os.path.join(daemon.root, "%s-disk.qcow2" % NAME)
        by_path = dom.blockStats(disk)
        self.assertGreaterEqual(by_path[0], rd_req)        # same disk, counters only grow
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.blockStats("vdz")
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_INVALID_ARG)

    def test_block_stats_flags(self):
        before = dom.blockStats("vda")
        typed = dom.blockStatsFlags("vda")
        after = dom.blockStats("vda")
        self.assertEqual(sorted(typed), sorted([
            "rd_operations", "rd_bytes", "wr_operations", "wr_bytes", "flush_operations",
            "rd_total_times", "wr_total_times", "flush_total_times"]))
        for i, key in enumerate(("rd_operations", "rd_bytes", "wr_operations", "wr_bytes")):
            self.assertTrue(before[i] <= typed[key] <= after[i], (key, before, typed, after))

    def test_virsh_domblkstat(self):
        res = mvtest.virsh(daemon.uri, "domblkstat", NAME, "vda", check=True)
        self.assertRegex(res.stdout, r"vda rd_req \d+")
        self.assertRegex(res.stdout, r"vda wr_bytes \d+")
        self.assertRegex(res.stdout, r"vda flush_operations \d+")     # the typed call


class Interface(unittest.TestCase):
    def test_unknown_interface(self):
        import libvirt
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.interfaceStats("vnet99")
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_INVALID_ARG)
        self.assertIn("vnet99", str(cm.exception))


def stats_of(groups=0, flags=0):
    recs = conn.domainListGetStats([dom], groups, flags)
    assert len(recs) == 1 and recs[0][0].name() == NAME, recs
    return recs[0][1]


class DomStats(unittest.TestCase):
    """virsh domstats: every group stock virsh asks for, values checked against
    /proc, sysfs-free counters from the other calls, and the disk image."""

    def test_all_groups(self):
        threads = vcpu_threads()
        before_blk = dom.blockStats("vda")
        before = {i: thread_ns(t) for i, t in threads.items()}
        lo_rss = rss_kib()
        with open("/proc/%d/stat" % qemu_pid) as f:
            f1 = f.read().rsplit(")", 1)[1].split()
        stats = stats_of()
        with open("/proc/%d/stat" % qemu_pid) as f:
            f2 = f.read().rsplit(")", 1)[1].split()
        hi_rss = rss_kib()
        after = {i: thread_ns(t) for i, t in threads.items()}
        after_blk = dom.blockStats("vda")
        self.assertEqual(stats["state.state"], 1)
        # cpu.total: the process's utime + stime between two reads of /proc
        cpu1 = (int(f1[14 - 3]) + int(f1[15 - 3])) * TICK_NS
        cpu2 = (int(f2[14 - 3]) + int(f2[15 - 3])) * TICK_NS
        self.assertTrue(cpu1 <= stats["cpu.time"] <= cpu2, (cpu1, stats["cpu.time"], cpu2))
        self.assertEqual(stats["cpu.user"] + stats["cpu.system"], stats["cpu.time"])
        # balloon: QMP's actual size, the definition's maximum, the RSS
        self.assertEqual(stats["balloon.current"], 256 * 1024)
        self.assertEqual(stats["balloon.maximum"], 256 * 1024)
        self.assertTrue(min(lo_rss, hi_rss) - 4096 <= stats["balloon.rss"] <=
                        max(lo_rss, hi_rss) + 4096)
        # vcpu: per vCPU thread times between two reads
        self.assertEqual((stats["vcpu.current"], stats["vcpu.maximum"]), (2, 2))
        for i in (0, 1):
            self.assertEqual(stats["vcpu.%d.state" % i], 1)
            self.assertTrue(before[i] <= stats["vcpu.%d.time" % i] <= after[i])
            self.assertGreaterEqual(stats["vcpu.%d.wait" % i], 0)
        # interface: no NIC; block: the one disk, counters between two domblkstat
        self.assertEqual(stats["net.count"], 0)
        self.assertEqual(stats["block.count"], 1)
        self.assertEqual(stats["block.0.name"], "vda")
        self.assertEqual(stats["block.0.path"], disk_path())
        self.assertTrue(before_blk[0] <= stats["block.0.rd.reqs"] <= after_blk[0])
        self.assertTrue(before_blk[1] <= stats["block.0.rd.bytes"] <= after_blk[1])
        self.assertTrue(before_blk[2] <= stats["block.0.wr.reqs"] <= after_blk[2])
        for key in ("rd.times", "wr.bytes", "wr.times", "fl.reqs", "fl.times"):
            self.assertIn("block.0." + key, stats)
        self.assertEqual(stats["block.0.capacity"], 64 * 1024 * 1024)   # the qcow2's size
        self.assertGreater(stats["block.0.physical"], 0)
        # dirtyrate: nothing measured yet; iothread: the guest has none, so no
        # iothread.count; perf, memory: nothing enabled, nothing reported
        self.assertEqual(stats["dirtyrate.calc_status"], 0)
        self.assertFalse([k for k in stats if k.split(".")[0] in
                          ("iothread", "perf", "memory", "vm")], stats)

    def test_groups_one_by_one(self):
        import libvirt
        want = {
            libvirt.VIR_DOMAIN_STATS_STATE: "state.",
            libvirt.VIR_DOMAIN_STATS_CPU_TOTAL: "cpu.",
            libvirt.VIR_DOMAIN_STATS_BALLOON: "balloon.",
            libvirt.VIR_DOMAIN_STATS_VCPU: "vcpu.",
            libvirt.VIR_DOMAIN_STATS_INTERFACE: "net.",
            libvirt.VIR_DOMAIN_STATS_BLOCK: "block.",
            libvirt.VIR_DOMAIN_STATS_DIRTYRATE: "dirtyrate.",
        }
        for group, prefix in want.items():
            with self.subTest(prefix=prefix):
                stats = stats_of(group, libvirt.VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS)
                self.assertTrue(stats)
                self.assertEqual({k for k in stats if not k.startswith(prefix)}, set())
        for group in (libvirt.VIR_DOMAIN_STATS_PERF, libvirt.VIR_DOMAIN_STATS_IOTHREAD,
                      libvirt.VIR_DOMAIN_STATS_MEMORY):
            self.assertEqual(stats_of(group), {})

    def test_virsh_domstats_every_group(self):
        args = ["domstats", "--state", "--cpu-total", "--balloon", "--vcpu", "--interface",
                "--block", "--perf", "--iothread", "--memory", "--dirtyrate", NAME]
        res = mvtest.virsh(daemon.uri, *args, check=True)
        for line in ("state.state=1", "balloon.maximum=262144", "vcpu.current=2",
                     "net.count=0", "block.count=1", "block.0.name=vda",
                     "dirtyrate.calc_status=0"):
            self.assertIn("  " + line + "\n", res.stdout)
        res = mvtest.virsh(daemon.uri, *(args[:1] + ["--enforce"] + args[1:]), check=True)
        self.assertIn("vcpu.1.state=1", res.stdout)
        res = mvtest.virsh(daemon.uri, "domstats", "--nowait", NAME, check=True)
        self.assertIn("cpu.time=", res.stdout)


def png_pixels(data):
    """(width, height, rows of RGB bytes) of an 8-bit RGB PNG, checked chunk by chunk."""
    import struct
    import zlib
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:8]
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        crc = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0]
        assert zlib.crc32(kind + body) == crc, kind
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    width, height, depth, colour = ihdr
    assert (depth, colour) == (8, 2), ihdr
    raw = zlib.decompress(idat)
    assert len(raw) == height * (1 + 3 * width), (len(raw), width, height)
    return width, height


class Screenshot(unittest.TestCase):
    """virsh screenshot: QEMU's screendump of the VGA card, streamed as PNG."""

    def test_virsh_screenshot(self):
        path = os.path.join(daemon.root, "shot")
        res = mvtest.virsh(daemon.uri, "screenshot", NAME, path, check=True)
        self.assertIn("image/png", res.stdout)
        with open(path, "rb") as f:
            width, height = png_pixels(f.read())
        self.assertGreater(width * height, 0)
        # nothing left behind under the daemon's root
        self.assertEqual([f for f in os.listdir(os.path.join(daemon.root, "run", "qemu"))
                          if f.endswith(".screen")], [])

    def test_python_stream(self):
        import libvirt
        st = conn.newStream(0)
        mime = dom.screenshot(st, 0, 0)
        self.assertEqual(mime, "image/png")
        chunks = []
        st.recvAll(lambda s, data, acc: acc.append(data), chunks)
        st.finish()
        width, height = png_pixels(b"".join(chunks))
        # the VGA card's mode: 720x400 text or 640x480 graphics at least
        self.assertGreaterEqual(width, 640)
        self.assertGreaterEqual(height, 400)
        ro = libvirt.openReadOnly(daemon.ro_uri)
        try:
            with self.assertRaises(libvirt.libvirtError) as cm:
                ro.lookupByName(NAME).screenshot(ro.newStream(0), 0, 0)
            self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_OPERATION_DENIED)
        finally:
            ro.close()

    def test_clients_freed_after_screenshots(self):
        """A client that took a screenshot and closed its connection is freed:
        the daemon closes its socket.  (The stream once held a reference to its
        client, which holds the stream: each such client leaked with its socket,
        buffers and image; the sanitized pass saw it as a LeakSanitizer report.)"""
        import libvirt

        def fds():
            return len(os.listdir("/proc/%d/fd" % daemon.pid))

        def shoot():
            c = libvirt.open(daemon.uri)
            try:
                st = c.newStream(0)
                c.lookupByName(NAME).screenshot(st, 0, 0)
                st.recvAll(lambda s, data, acc: None, None)
                st.finish()
            finally:
                c.close()

        shoot()     # warm-up: what is made once (worker threads, the probe)
        before = fds()
        for _ in range(5):
            shoot()
        after = mvtest.wait_for(lambda: fds() if fds() <= before else None, 10) or fds()
        self.assertLessEqual(after, before, "the daemon holds %d more fds after 5 screenshot "
                             "connections closed" % (after - before))


class ZySendKey(unittest.TestCase):
    """Before the shut-off case: Ctrl+Alt+Del reboots the guest (busybox init's
    ctrlaltdel entry), seen as a second ready marker on its serial console."""

    def test_ctrl_alt_del_reboots_the_guest(self):
        import libvirt
        slog = mvtest.serial_log(daemon.root, NAME)
        ready = mvtest.read_text(slog).count(mvtest.GUEST_READY)
        mvtest.virsh(daemon.uri, "send-key", NAME, "KEY_LEFTCTRL", "KEY_LEFTALT",
                     "KEY_DELETE", check=True)
        mvtest.wait_marker(slog, mvtest.GUEST_READY, count=ready + 1, timeout=120)
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.sendKey(libvirt.VIR_KEYCODE_SET_LINUX, 0, [300], 1, 0)
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_INVALID_ARG)
        res = mvtest.virsh(daemon.uri, "send-key", NAME, "--codeset", "usb", "4")
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("key code set 7 is not supported", res.stderr)


class ZzShutOff(unittest.TestCase):
    """Last (classes run in name order): stops the guest."""
    def test_zz_queries_need_a_running_domain(self):
        import libvirt
        dom.destroy()
        for call in (dom.vcpus, dom.memoryStats, lambda: dom.blockStats("vda"), dom.jobInfo,
                     lambda: dom.screenshot(conn.newStream(0), 0, 0)):
            with self.assertRaises(libvirt.libvirtError) as cm:
                call()
            self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_OPERATION_INVALID)
        # what still works on a shut-off domain: the configured maps, the disk's sizes
        res = mvtest.virsh(daemon.uri, "vcpuinfo", NAME, check=True)
        self.assertEqual(len(re.findall(r"^CPU Affinity:\s+y+", res.stdout, re.M)), 2,
                         res.stdout)
        self.assertEqual(dom.jobStats(libvirt.VIR_DOMAIN_JOB_STATS_COMPLETED),
                         {"type": libvirt.VIR_DOMAIN_JOB_NONE})
        st = os.stat(disk_path())
        self.assertEqual(dom.blockInfo("vda"), [67108864, st.st_blocks * 512, st.st_size])
        # domstats of a shut-off guest: what the definition and the image say
        stats = stats_of()
        self.assertEqual(stats["state.state"], 5)
        self.assertEqual((stats["balloon.current"], stats["vcpu.maximum"]), (262144, 2))
        self.assertEqual((stats["block.count"], stats["block.0.name"]), (1, "vda"))
        self.assertEqual([stats["block.0.capacity"], stats["block.0.allocation"],
                          stats["block.0.physical"]], [67108864, st.st_blocks * 512, st.st_size])
        self.assertFalse([k for k in stats if k.split(".")[0] in ("cpu", "net", "dirtyrate")
                          or k.startswith("vcpu.0") or ".rd." in k], stats)


if __name__ == "__main__":
    mvtest.main()
