"""50 concurrent stock clients through modvirt-proxyd: a mixed read/write
workload with no error and no lost event.

Fifty python3-libvirt connections on proxy.sock, one thread each, define,
look up, read, list and undefine their own domains (five of them also start
and destroy a firmware guest), while a watcher connection counts lifecycle
events and a few virsh processes list in parallel. Every defined, started,
stopped and undefined domain must produce its event exactly once.
"""

import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import proxytest  # noqa: E402
from proxytest import mvtest  # noqa: E402
from mvtest import virsh  # noqa: E402

CLIENTS = int(os.environ.get("MV_PROXY_CLIENTS", "50"))
ROUNDS = 3
STARTERS = 5


class Concurrency(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.st = proxytest.Stack(guest=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.st.cleanup()

    def test_fifty_clients(self):
        import libvirt
        libvirt.virEventRegisterDefaultImpl()

        def loop():
            while True:
                libvirt.virEventRunDefaultImpl()
        threading.Thread(target=loop, daemon=True).start()

        uri = self.st.uri
        seen = {}
        seen_lock = threading.Lock()

        def on_event(conn, dom, event, detail, opaque):
            with seen_lock:
                key = (dom.name(), event)
                seen[key] = seen.get(key, 0) + 1

        watcher = libvirt.open(uri)
        watcher.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, on_event,
                                       None)
        errors = []
        expected = []
        barrier = threading.Barrier(CLIENTS)

        def client(i):
            try:
                conn = libvirt.open(uri)
            except libvirt.libvirtError as e:
                errors.append("client %d open: %s" % (i, e))
                return
            try:
                barrier.wait(60)
                for k in range(ROUNDS):
                    name = "c%02d-%d" % (i, k)
                    dom = conn.defineXML(proxytest.firmware_xml(name))
                    self.assertEqual(conn.lookupByName(name).UUIDString(), dom.UUIDString())
                    self.assertIn("<name>%s</name>" % name, dom.XMLDesc(0))
                    self.assertEqual(dom.info()[0], libvirt.VIR_DOMAIN_SHUTOFF)
                    self.assertIn(name, [d.name() for d in conn.listAllDomains(0)])
                    self.assertEqual(conn.getType(), "QEMU")
                    started = i < STARTERS and k == 0
                    if started:
                        dom.create()
                        self.assertEqual(dom.isActive(), 1)
                        dom.destroy()
                    dom.undefine()
                    expected.append((name, started))
            except Exception as e:   # noqa: BLE001 -- collected and reported below
                errors.append("client %d: %r" % (i, e))
            finally:
                conn.close()

        threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        listers = [virsh(uri, "list", "--all", timeout=120) for _ in range(3)]
        for t in threads:
            t.join(300)
        elapsed = time.monotonic() - t0
        self.assertFalse([t for t in threads if t.is_alive()], "clients still running")
        self.assertEqual(errors, [])
        for res in listers:
            self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(len(expected), CLIENTS * ROUNDS)

        want = {}
        for name, started in expected:
            want[(name, libvirt.VIR_DOMAIN_EVENT_DEFINED)] = 1
            want[(name, libvirt.VIR_DOMAIN_EVENT_UNDEFINED)] = 1
            if started:
                want[(name, libvirt.VIR_DOMAIN_EVENT_STARTED)] = 1
                want[(name, libvirt.VIR_DOMAIN_EVENT_STOPPED)] = 1

        def complete():
            with seen_lock:
                return all(seen.get(k, 0) >= 1 for k in want)
        mvtest.wait_for(complete, 30, 0.1)
        with seen_lock:
            missing = sorted(k for k in want if seen.get(k, 0) == 0)
            doubled = sorted(k for k in want if seen.get(k, 0) > 1)
        self.assertEqual(missing, [], "lost events")
        self.assertEqual(doubled, [], "duplicated events")
        print("%d clients x %d rounds in %.1f s, %d events" % (CLIENTS, ROUNDS, elapsed,
                                                               len(want)), flush=True)
        watcher.close()
        self.assertTrue(self.st.proxy.running())


if __name__ == "__main__":
    proxytest.require_binaries()
    mvtest.require_tools("virsh", "qemu-system-x86_64")
    mvtest.require_python_libvirt()
    mvtest.main()
