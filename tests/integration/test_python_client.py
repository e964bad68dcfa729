#!/usr/bin/python3
"""python3-libvirt against modvirt-qemud: cheap calls, concurrency on one connection,
read-only open."""

import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import unittest  # noqa: E402

libvirt = None
daemon = None


def setUpModule():
    global daemon
    daemon = mvtest.Daemon().start()


def tearDownModule():
    daemon.cleanup()


def snapshot(conn):
    """The answers of the cheap calls, as comparable plain values."""
    return (conn.getType(), conn.getVersion(), conn.getHostname(), tuple(conn.getInfo()),
            tuple(d.name() for d in conn.listAllDomains(0)))


class PythonClient(unittest.TestCase):
    def test_open_and_cheap_calls(self):
        conn = libvirt.open(daemon.uri)
        try:
            self.assertEqual(conn.getType(), "QEMU")
            major, minor, micro = mvtest.qemu_version()
            self.assertEqual(conn.getVersion(), major * 1000000 + minor * 1000 + micro)
            self.assertIn(conn.getHostname(), mvtest.host_names())
            info = conn.getInfo()
            self.assertEqual(info[0], os.uname().machine)
            self.assertEqual(info[1], mvtest.meminfo_kib() // 1024)   # python gives MiB
            self.assertEqual(info[2], os.cpu_count())
            self.assertEqual(conn.listAllDomains(0), [])
            self.assertGreater(conn.getLibVersion(), 0)
            self.assertEqual(conn.isSecure(), 1)
            free = conn.getFreeMemory()
            self.assertGreater(free, 0)
            self.assertLessEqual(free, mvtest.meminfo_kib() * 1024)
            self.assertIn("<capabilities>", conn.getCapabilities())
        finally:
            self.assertEqual(conn.close(), 0)

    def test_two_threads_one_connection(self):
        conn = libvirt.open(daemon.uri)
        try:
            expected = snapshot(conn)
            errors = []
            counts = [0, 0]
            barrier = threading.Barrier(2)

            def worker(idx):
                try:
                    barrier.wait(10)
                    for _ in range(300):
                        got = snapshot(conn)
                        if got != expected:
                            errors.append("thread %d got %r, expected %r" % (idx, got, expected))
                            return
                        counts[idx] += 1
                except Exception as e:      # collected and reported below
                    errors.append("thread %d: %r" % (idx, e))

            threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(120)
                self.assertFalse(t.is_alive(), "worker thread hung")
            self.assertEqual(errors, [])
            self.assertEqual(counts, [300, 300])
        finally:
            conn.close()

    def test_many_connections_in_sequence(self):
        for _ in range(50):
            conn = libvirt.open(daemon.uri)
            self.assertEqual(conn.getType(), "QEMU")
            self.assertEqual(conn.close(), 0)

    def test_open_read_only(self):
        conn = libvirt.openReadOnly(daemon.ro_uri)
        try:
            self.assertEqual(conn.getType(), "QEMU")
            self.assertGreater(conn.getVersion(), 0)
            self.assertIn(conn.getHostname(), mvtest.host_names())
            self.assertEqual(conn.getInfo()[2], os.cpu_count())
            self.assertEqual(conn.listAllDomains(0), [])
        finally:
            conn.close()


if __name__ == "__main__":
    mvtest.require_tools("qemu-system-x86_64")
    mvtest.require_python_libvirt()
    mvtest.require_daemon()
    import libvirt as _libvirt
    libvirt = _libvirt
    mvtest.main()
