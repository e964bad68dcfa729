#!/usr/bin/python3
"""IOThreads of a guest (issue 13 item 5): <iothreads>/<iothreadids>, a virtio disk
in an IOThread (the tiny TCG guest boots from it), virsh iothreadinfo, iothreadpin
(live), iothreadadd/iothreaddel (live and --config), iothreadset and domstats
--iothread, through stock virsh and python3-libvirt. Values are cross-checked
with QEMU's own threads in /proc ("IO iothreadN", their affinity) and with
QMP's query-iothreads as domstats reports it."""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402

daemon = None
conn = None
dom = None
qemu_pid = None
NAME = "iot1"


def setUpModule():
    global daemon, conn, dom, qemu_pid
    mvtest.require_python_libvirt()
    mvtest.require_guest()
    import libvirt
    daemon = mvtest.Daemon().start()
    conn = libvirt.open(daemon.uri)
    xml = mvtest.linux_guest_xml(NAME, daemon.root)
    xml = xml.replace("<vcpu>1</vcpu>", "<vcpu>1</vcpu>\n  <iothreads>2</iothreads>")
    xml = xml.replace("<driver name='qemu' type='qcow2'/>",
                      "<driver name='qemu' type='qcow2' iothread='1'/>")
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


def io_threads():
    """{iothread id: tid} from QEMU's thread names ("IO iothread2")."""
    out = {}
    for tid in os.listdir("/proc/%d/task" % qemu_pid):
        try:
            with open("/proc/%d/task/%s/comm" % (qemu_pid, tid)) as f:
                m = re.match(r"IO iothread(\d+)$", f.read().strip())
        except OSError:
            continue
        if m:
            out[int(m.group(1))] = int(tid)
    return out


def cpus_of(bools):
    return {i for i, on in enumerate(bools) if on}


class A_Info(unittest.TestCase):
    def test_live_info_matches_the_threads(self):
        import libvirt
        threads = io_threads()
        self.assertEqual(sorted(threads), [1, 2])
        info = dom.ioThreadInfo(libvirt.VIR_DOMAIN_AFFECT_LIVE)
        self.assertEqual([i[0] for i in info], [1, 2])
        for iid, cpumap in info:
            self.assertEqual(cpus_of(cpumap), os.sched_getaffinity(threads[iid]))
        # the config: the same ids, every host CPU (no pins)
        info = dom.ioThreadInfo(libvirt.VIR_DOMAIN_AFFECT_CONFIG)
        self.assertEqual([i[0] for i in info], [1, 2])
        self.assertTrue(all(all(m) for _, m in info))
        self.assertIn("<driver name='qemu' type='qcow2' iothread='1'/>", dom.XMLDesc(0))

    def test_virsh_iothreadinfo(self):
        res = mvtest.virsh(daemon.uri, "iothreadinfo", NAME, check=True)
        ids = re.findall(r"^\s*(\d+)\s+\S+\s*$", res.stdout, re.M)
        self.assertEqual(ids, ["1", "2"], res.stdout)


class B_Pin(unittest.TestCase):
    def test_pin_live(self):
        import libvirt
        host = sorted(os.sched_getaffinity(0))
        cpu = host[-1]
        mvtest.virsh(daemon.uri, "iothreadpin", NAME, "2", str(cpu), "--live", check=True)
        self.assertEqual(os.sched_getaffinity(io_threads()[2]), {cpu})
        info = dict(dom.ioThreadInfo(libvirt.VIR_DOMAIN_AFFECT_LIVE))
        self.assertEqual(cpus_of(info[2]), {cpu})
        # python: back to every host CPU
        dom.pinIOThread(2, tuple(True for _ in range(max(host) + 1)),
                        libvirt.VIR_DOMAIN_AFFECT_LIVE)
        self.assertEqual(os.sched_getaffinity(io_threads()[2]), set(host))
        res = mvtest.virsh(daemon.uri, "iothreadpin", NAME, "2", str(cpu), "--config")
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("use --live", res.stderr)
        res = mvtest.virsh(daemon.uri, "iothreadpin", NAME, "9", str(cpu), "--live")
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("no IOThread 9", res.stderr)


class C_AddDel(unittest.TestCase):
    def test_add_del_live_and_config(self):
        import libvirt
        mvtest.virsh(daemon.uri, "iothreadadd", NAME, "5", "--live", check=True)
        self.assertTrue(mvtest.wait_for(lambda: 5 in io_threads(), 10))
        self.assertEqual([i[0] for i in dom.ioThreadInfo(libvirt.VIR_DOMAIN_AFFECT_LIVE)],
                         [1, 2, 5])
        live = dom.XMLDesc(0)
        self.assertIn("<iothreads>3</iothreads>", live)
        self.assertIn("<iothread id='5'/>", live)
        self.assertIn("<iothreads>2</iothreads>", dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
        res = mvtest.virsh(daemon.uri, "iothreadadd", NAME, "5", "--live")
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("already using iothread_id '5'", res.stderr)
        # the disk's IOThread cannot go
        res = mvtest.virsh(daemon.uri, "iothreaddel", NAME, "1", "--live")
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("used by disk 'vda'", res.stderr)
        mvtest.virsh(daemon.uri, "iothreaddel", NAME, "5", "--live", check=True)
        self.assertTrue(mvtest.wait_for(lambda: 5 not in io_threads(), 10))
        self.assertNotIn("<iothread id='5'/>", dom.XMLDesc(0))
        # --config: the persistent definition only, kept on disk
        dom.addIOThread(7, libvirt.VIR_DOMAIN_AFFECT_CONFIG)
        inactive = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
        self.assertIn("<iothreads>3</iothreads>", inactive)
        self.assertIn("<iothread id='7'/>", inactive)
        path = os.path.join(daemon.root, "etc", "qemu", NAME + ".xml")
        self.assertIn("<iothread id='7'/>", mvtest.read_text(path))
        self.assertNotIn(7, io_threads())
        dom.delIOThread(7, libvirt.VIR_DOMAIN_AFFECT_CONFIG)
        self.assertNotIn("<iothread id='7'/>", mvtest.read_text(path))
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.delIOThread(3, libvirt.VIR_DOMAIN_AFFECT_LIVE)
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_INVALID_ARG)


class D_SetAndStats(unittest.TestCase):
    def test_iothreadset_seen_in_domstats(self):
        import libvirt
        mvtest.virsh(daemon.uri, "iothreadset", NAME, "2", "--poll-max-ns", "32768",
                     "--poll-grow", "3", "--poll-shrink", "2", "--live", check=True)
        stats = conn.domainListGetStats([dom], libvirt.VIR_DOMAIN_STATS_IOTHREAD)[0][1]
        self.assertEqual(stats["iothread.count"], 2)
        self.assertEqual(stats["iothread.2.poll-max-ns"], 32768)
        self.assertEqual(stats["iothread.2.poll-grow"], 3)
        self.assertEqual(stats["iothread.2.poll-shrink"], 2)
        self.assertIn("iothread.1.poll-max-ns", stats)
        res = mvtest.virsh(daemon.uri, "domstats", "--iothread", NAME, check=True)
        self.assertIn("  iothread.2.poll-max-ns=32768\n", res.stdout)
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.setIOThreadParams(2, {"poll_max_ns": 1}, libvirt.VIR_DOMAIN_AFFECT_CONFIG)
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_OPERATION_UNSUPPORTED)
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.setIOThreadParams(9, {"poll_max_ns": 1}, libvirt.VIR_DOMAIN_AFFECT_LIVE)
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_INVALID_ARG)


class E_ShutOff(unittest.TestCase):
    def test_shut_off_info(self):
        import libvirt
        dom.destroy()
        self.assertEqual([i[0] for i in dom.ioThreadInfo(0)], [1, 2])
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.ioThreadInfo(libvirt.VIR_DOMAIN_AFFECT_LIVE)
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_OPERATION_INVALID)
        mvtest.virsh(daemon.uri, "iothreadadd", NAME, "3", check=True)   # current = config
        self.assertIn("<iothreads>3</iothreads>", dom.XMLDesc(0))


if __name__ == "__main__":
    mvtest.main()
