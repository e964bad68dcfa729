"""Resumable events (docs/protocol.md, "Resumable events"): a raw client speaking
modvirt's private EVENTS program to a real modvirt-qemud.

Every event is numbered; a connection that called EVENTS_HOLD gets its events as
EVENT messages with the number; one that comes back names the last number it saw
and gets exactly the events it missed (define/undefine of firmware guests, done
by stock python3-libvirt meanwhile) replayed in order, or is told how many the
ring ([events] ring_size = 8 here) no longer holds, or that the daemon restarted
(SIGKILL + restart: a new epoch). A stock-style raw client registered at the same
time gets the same events as plain REMOTE messages. The same through
modvirt-proxyd: the replay carries the proxy's callback ids, and EVENTS calls
naming the secret route reach modvirt-storaged (its own epoch and numbers).

libmodvirt does it by itself (`modvirt events --json`): through proxy.sock, the
proxy SIGKILLed and restarted while guests are defined and undefined, the CLI
prints exactly the missed events in order, then the live ones; more than the
ring holds: the newest, and it says how many may be missing; qemud SIGKILLed
and restarted: it says the daemon restarted.
"""

import json
import os
import queue
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvstorage  # noqa: E402
import mvtest  # noqa: E402
from mvtest import XdrReader, XdrWriter  # noqa: E402

libvirt = None

EVENTS_PROGRAM = 0x4D564556              # "MVEV"
PROC_EVENTS_HOLD = 1
PROC_EVENTS_RESUME = 2
PROC_EVENT = 3
RESUME_COMPLETE, RESUME_GAP, RESUME_RESTARTED = 0, 1, 2
ROUTE_DOMAIN = "domain"                  # which daemon: a route it owns
ROUTE_SECRET = "secret"

PROC_REGISTER_ANY = 316                  # CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY
PROC_CALLBACK_LIFECYCLE = 318            # DOMAIN_EVENT_CALLBACK_LIFECYCLE
PROC_SECRET_REGISTER_ANY = 380           # CONNECT_SECRET_EVENT_REGISTER_ANY
PROC_SECRET_LIFECYCLE = 382              # SECRET_EVENT_LIFECYCLE
DEFINED, UNDEFINED = 0, 1
RING = 8


def lifecycle(payload):
    """(callback id, domain name, event, detail) of a callback lifecycle payload."""
    r = XdrReader(payload)
    cb, name = r.i32(), r.string()
    r.fixed(16)
    r.i32()
    return (cb, name, r.i32(), r.i32())


class EventsClient(mvtest.WireClient):
    """A raw client that keeps the events it reads while waiting for replies."""

    def __init__(self, path):
        mvtest.WireClient.__init__(self, path)
        self.events = []                 # (seq or None, proc, payload), in arrival order

    def _keep(self, m):
        if m.prog == EVENTS_PROGRAM and m.proc == PROC_EVENT and m.type == mvtest.MESSAGE:
            r = XdrReader(m.payload)
            seq, proc, body = r.u64(), r.i32(), r.opaque()
            self.events.append((seq, proc, body))
        elif m.prog == mvtest.REMOTE_PROGRAM and m.type == mvtest.MESSAGE:
            self.events.append((None, m.proc, m.payload))
        else:
            return False
        return True

    def reply(self, serial, timeout=None):
        while True:
            m = self.recv_message(timeout)
            if m.is_ping():
                self.send_pong()
            elif m.type == mvtest.REPLY and m.serial == serial:
                return m
            elif not self._keep(m):
                raise AssertionError("unexpected message %r" % m)

    def wait_events(self, count, timeout=10):
        deadline = time.monotonic() + timeout
        while len(self.events) < count:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("%d events arrived, %d expected: %r"
                                     % (len(self.events), count, self.events))
            m = self.recv_message(left)
            if m.is_ping():
                self.send_pong()
            elif not self._keep(m):
                raise AssertionError("unexpected message %r" % m)
        return self.events

    def register(self):
        w = XdrWriter().i32(0).u32(0)    # lifecycle, every domain
        return self.call_ok(PROC_REGISTER_ANY, w.bytes()).i32()

    def register_secrets(self):
        w = XdrWriter().i32(0).u32(0)    # lifecycle, every secret
        return self.call_ok(PROC_SECRET_REGISTER_ANY, w.bytes()).i32()

    def hold(self, route=ROUTE_DOMAIN):
        r = self.call_ok(PROC_EVENTS_HOLD, XdrWriter().string(route).u32(0).bytes(),
                         prog=EVENTS_PROGRAM)
        return r.fixed(16), r.u64(), r.u32()

    def resume(self, epoch, after, route=ROUTE_DOMAIN):
        w = XdrWriter().string(route)
        w.parts.append(epoch)
        w.u64(after).u32(0)
        r = self.call_ok(PROC_EVENTS_RESUME, w.bytes(), prog=EVENTS_PROGRAM)
        return {"status": r.i32(), "epoch": r.fixed(16), "first": r.u64(), "last": r.u64(),
                "lost": r.u64(), "replayed": r.u32()}


class Resume(unittest.TestCase):

    def setUp(self):
        global libvirt
        mvtest.require_python_libvirt()
        import libvirt as lv
        libvirt = lv
        self.d = mvtest.GuestDaemon(config="[events]\nring_size = %d\n" % RING).start()
        self.conn = libvirt.open(self.d.uri)
        self.clients = []

    def tearDown(self):
        for c in self.clients:
            c.close()
        self.conn.close()
        self.d.cleanup()

    def socket(self):
        return self.d.sock

    def client(self, open_it=True):
        c = EventsClient(self.socket())
        self.clients.append(c)
        return c.open() if open_it else c

    def sequenced(self, epoch=b"\0" * 16, after=0):
        """A connection as libmodvirt makes one: hold, register, resume."""
        c = self.client()
        held_epoch, last, ring = c.hold()
        self.assertEqual(ring, RING)
        cb = c.register()
        if epoch == b"\0" * 16:
            epoch, after = held_epoch, last
        return c, cb, held_epoch, c.resume(epoch, after)

    def churn(self, n, prefix):
        """n define/undefine pairs by stock python3-libvirt: 2n events, their names."""
        want = []
        for i in range(n):
            name = "%s%d" % (prefix, i)
            dom = self.conn.defineXML(mvtest.firmware_guest_xml(name))
            dom.undefine()
            want += [(name, DEFINED), (name, UNDEFINED)]
        return want

    def names(self, events, cb):
        got = []
        for seq, proc, body in events:
            self.assertEqual(proc, PROC_CALLBACK_LIFECYCLE)
            c, name, event, _ = lifecycle(body)
            self.assertEqual(c, cb, "replayed with this connection's callback id")
            got.append((name, event))
        return got

    def test_live_events_numbered_stock_unchanged(self):
        stock = self.client()
        stock_cb = stock.register()
        c, cb, epoch, res = self.sequenced()
        self.assertEqual(res["status"], RESUME_COMPLETE)
        self.assertEqual(res["replayed"], 0)
        self.assertEqual(res["epoch"], epoch)
        want = self.churn(2, "live")
        got = c.wait_events(4)
        self.assertEqual(self.names(got, cb), want)
        seqs = [e[0] for e in got]
        self.assertEqual(seqs, list(range(res["last"] + 1, res["last"] + 5)))
        # the stock-style client: the same events, plain REMOTE messages
        plain = stock.wait_events(4)
        self.assertEqual([e[0] for e in plain], [None] * 4)
        self.assertEqual(self.names(plain, stock_cb), want)

    def test_reconnect_replays_exactly_the_missed(self):
        c, cb, epoch, res = self.sequenced()
        self.churn(1, "before")
        last_seen = c.wait_events(2)[-1][0]
        c.close()
        missed = self.churn(2, "gone")                  # 4 events, the ring holds 8
        # back: hold, register (new callback id), an event while held, resume
        c2 = self.client()
        held_epoch, last, _ = c2.hold()
        self.assertEqual(held_epoch, epoch)
        self.assertEqual(last, last_seen + 4)
        cb2 = c2.register()
        missed += self.churn(1, "held")                 # held back: comes with the replay
        res = c2.resume(epoch, last_seen)
        self.assertEqual(res["status"], RESUME_COMPLETE)
        self.assertEqual(res["lost"], 0)
        self.assertEqual(res["replayed"], 6)
        self.assertEqual(res["last"], last_seen + 6)
        got = list(c2.events)                           # all before the reply
        self.assertEqual([e[0] for e in got], list(range(last_seen + 1, last_seen + 7)))
        self.assertEqual(self.names(got, cb2), missed)
        # then live again, numbered on, nothing twice
        after = self.churn(1, "after")
        got = c2.wait_events(8)[6:]
        self.assertEqual([e[0] for e in got], [last_seen + 7, last_seen + 8])
        self.assertEqual(self.names(got, cb2), after)

    def test_gap_beyond_the_ring(self):
        c, cb, epoch, res = self.sequenced()
        self.churn(1, "before")
        last_seen = c.wait_events(2)[-1][0]
        c.close()
        missed = self.churn(7, "many")                  # 14 events, the ring holds 8
        c2, cb2, _, res = self.sequenced(epoch, last_seen)
        self.assertEqual(res["status"], RESUME_GAP)
        self.assertEqual(res["lost"], 14 - RING)
        self.assertEqual(res["replayed"], RING)
        self.assertEqual(res["first"], last_seen + 14 - RING + 1)
        got = list(c2.events)
        self.assertEqual([e[0] for e in got], list(range(res["first"], res["last"] + 1)))
        self.assertEqual(self.names(got, cb2), missed[-RING:])

    def test_daemon_restart_changes_epoch(self):
        c, cb, epoch, res = self.sequenced()
        self.churn(1, "before")
        last_seen = c.wait_events(2)[-1][0]
        c.close()
        self.conn.close()
        self.d.kill9()
        self.d.start()
        self.conn = libvirt.open(self.d.uri)
        since = self.churn(1, "reborn")                 # the new instance's events 1, 2
        c2, cb2, new_epoch, res = self.sequenced(epoch, last_seen)
        self.assertNotEqual(new_epoch, epoch)
        self.assertEqual(res["status"], RESUME_RESTARTED)
        self.assertEqual(res["epoch"], new_epoch)
        self.assertEqual(res["lost"], 0)
        self.assertEqual(res["replayed"], 2)
        got = list(c2.events)
        self.assertEqual([e[0] for e in got], [1, 2])
        self.assertEqual(self.names(got, cb2), since)

    def test_before_open_refused(self):
        c = self.client(open_it=False)
        err = c.call_err(PROC_EVENTS_HOLD, XdrWriter().string(ROUTE_DOMAIN).u32(0).bytes(),
                         prog=EVENTS_PROGRAM)
        self.assertIn("connection not open", err["message"])
        c.open()
        self.assertEqual(len(c.hold()[0]), 16)

    def test_resume_from_the_future_refused(self):
        c = self.client()
        epoch, last, _ = c.hold()
        w = XdrWriter().string(ROUTE_DOMAIN)
        w.parts.append(epoch)
        w.u64(last + 5).u32(0)
        err = c.call_err(PROC_EVENTS_RESUME, w.bytes(), prog=EVENTS_PROGRAM)
        self.assertEqual(err["code"], mvtest.ERR_INVALID_ARG)
        self.assertIn("was never sent", err["message"])
        self.assertEqual(c.get_type(), "QEMU")          # the connection stays usable


class RingConfig(unittest.TestCase):

    def test_bad_ring_size_refused(self):
        for value in ("0", "1048577", "many"):
            with self.subTest(value=value):
                d = mvtest.Daemon(config="[events]\nring_size = %s\n" % value)
                try:
                    d.spawn()
                    status = d.wait(10)
                    self.assertIsNotNone(status, "daemon kept running with ring_size " + value)
                    self.assertNotEqual(status, 0)
                    self.assertIn("ring_size", d.log())
                finally:
                    d.cleanup()


class ThroughProxy(Resume):
    """The same through proxy.sock: qemud, storaged and the proxy share one root."""

    def setUp(self):
        global libvirt
        mvtest.require_python_libvirt()
        mvstorage.require_storaged()
        import libvirt as lv
        libvirt = lv
        config = "[events]\nring_size = %d\n" % RING
        self.d = mvtest.GuestDaemon(config=config).start()
        self.sd = mvstorage.StorageDaemon(self.d.root, config=config).start()
        self.px = mvstorage.ProxyDaemon(self.d.root).start()
        self.conn = libvirt.open(self.d.uri)
        self.clients = []

    def tearDown(self):
        Resume.tearDown(self)
        self.px.cleanup()
        self.sd.cleanup()

    def socket(self):
        return self.px.sock

    def test_secret_route_reaches_storaged(self):
        c = self.client()
        dom_epoch, _, _ = c.hold(ROUTE_DOMAIN)
        sec_epoch, last, ring = c.hold(ROUTE_SECRET)
        self.assertNotEqual(sec_epoch, dom_epoch, "the proxy sent it to another daemon")
        self.assertEqual(ring, RING)
        c.register()                                  # a domain callback first: ids differ
        cb = c.register_secrets()
        res = c.resume(sec_epoch, last, ROUTE_SECRET)
        self.assertEqual((res["status"], res["replayed"]), (RESUME_COMPLETE, 0))
        sconn = libvirt.open(self.sd.uri)
        try:
            sconn.secretDefineXML("<secret ephemeral='no' private='no'><usage type='ceph'>"
                                  "<name>resume</name></usage></secret>").undefine()
        finally:
            sconn.close()
        got = c.wait_events(2)
        self.assertEqual([e[0] for e in got], [last + 1, last + 2])
        self.assertEqual([e[1] for e in got], [PROC_SECRET_LIFECYCLE] * 2)
        for e in got:
            self.assertEqual(XdrReader(e[2]).i32(), cb, "the proxy's callback id")


class Lines:
    """The lines a stream prints, read by a thread."""

    def __init__(self, stream):
        self.q = queue.Queue()
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream):
        for line in stream:
            self.q.put(line.rstrip("\n"))
        self.q.put(None)

    def take(self, count, timeout=30):
        got = []
        deadline = time.monotonic() + timeout
        while len(got) < count:
            try:
                line = self.q.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                raise AssertionError("%d lines of %d within %ds: %r" % (len(got), count,
                                                                        timeout, got))
            if line is None:
                raise AssertionError("the stream ended after %r" % got)
            got.append(line)
        return got


class Libmodvirt(unittest.TestCase):
    """`modvirt events --json` (libmodvirt) resumes by itself."""

    def start(self, ring=RING):
        global libvirt
        mvtest.require_python_libvirt()
        import libvirt as lv
        libvirt = lv
        self.d = mvtest.GuestDaemon(config="[events]\nring_size = %d\n" % ring).start()
        self.px = mvstorage.ProxyDaemon(self.d.root).start()
        self.conn = libvirt.open(self.d.uri)
        self.cli = None

    def tearDown(self):
        if self.cli and self.cli.poll() is None:
            self.cli.kill()
            self.cli.wait()
        if self.conn:
            self.conn.close()
        self.px.cleanup()
        self.d.cleanup()

    def watch(self, sock):
        uri = "qemu+unix:///system?socket=%s" % sock
        self.cli = subprocess.Popen([mvstorage.MODVIRT, "-c", uri, "events", "--json",
                                     "--timeout", "100"], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True,
                                    env=dict(os.environ, LC_ALL="C"))
        self.out, self.err = Lines(self.cli.stdout), Lines(self.cli.stderr)
        self.assertIn("Watching domain events", self.err.take(1)[0])

    churn = Resume.churn

    def events(self, count):
        return [(e["domain"], {"defined": DEFINED, "undefined": UNDEFINED}[e["event"]])
                for e in map(json.loads, self.out.take(count))]

    def proxy_down_while(self, n, prefix):
        """SIGKILL the proxy, churn n pairs, restart it: the missed events."""
        self.px.kill9()
        missed = self.churn(n, prefix)
        self.px.start()
        return missed

    def test_proxy_restart_replays_exactly(self):
        self.start()
        self.watch(self.px.sock)
        want = self.churn(1, "before")
        self.assertEqual(self.events(2), want)
        missed = self.proxy_down_while(2, "gone")           # 4 events, the ring holds 8
        self.assertEqual(self.events(4), missed)
        self.assertIn("Reconnected to modvirt-qemud: no event was missed", self.err.take(1)[0])
        want = self.churn(1, "after")
        self.assertEqual(self.events(2), want)
        time.sleep(0.5)
        self.assertTrue(self.out.q.empty(), "nothing more, nothing twice")

    def test_proxy_restart_beyond_the_ring(self):
        self.start(ring=4)
        self.watch(self.px.sock)
        want = self.churn(1, "before")
        self.assertEqual(self.events(2), want)
        missed = self.proxy_down_while(5, "many")           # 10 events, the ring holds 4
        self.assertEqual(self.events(4), missed[-4:])
        self.assertIn("Reconnected to modvirt-qemud: 6 events may have been missed",
                      self.err.take(1)[0])
        want = self.churn(1, "after")
        self.assertEqual(self.events(2), want)

    def test_daemon_restart_said(self):
        self.start()
        self.watch(self.d.sock)
        want = self.churn(1, "before")
        self.assertEqual(self.events(2), want)
        self.conn.close()
        self.conn = None
        self.d.kill9()
        self.d.start()
        self.conn = libvirt.open(self.d.uri)
        self.assertIn("Reconnected to modvirt-qemud: it restarted", self.err.take(1)[0])
        want = self.churn(1, "after")
        self.assertEqual(self.events(2), want)


if __name__ == "__main__":
    mvtest.main()
