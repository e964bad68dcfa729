#!/usr/bin/python3
"""Keepalive: PING gets a PONG; a client that negotiated keepalive and stops
answering is dropped after about interval * (count + 1) seconds; well-behaved
clients and clients that never negotiated are kept."""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import unittest  # noqa: E402
from mvtest import WireClient  # noqa: E402

INTERVAL = 1
COUNT = 2
DROP_AFTER = INTERVAL * (COUNT + 1)         # 3 s of silence

daemon = None


def setUpModule():
    global daemon
    daemon = mvtest.Daemon(config="[server]\nkeepalive_interval=%d\nkeepalive_count=%d\n"
                           % (INTERVAL, COUNT)).start()


def tearDownModule():
    daemon.cleanup()


class Keepalive(unittest.TestCase):
    def test_ping_gets_pong(self):
        c = WireClient(daemon.sock)
        try:
            for _ in range(3):
                c.send_ping()
                m = c.recv_message(5)
                self.assertEqual((m.prog, m.proc, m.type, m.status),
                                 (mvtest.KEEPALIVE_PROGRAM, mvtest.KEEPALIVE_PONG,
                                  mvtest.MESSAGE, mvtest.OK), m)
                self.assertEqual(m.payload, b"")
        finally:
            c.close()

    def test_ping_after_open_gets_pong(self):
        c = WireClient(daemon.sock).open()
        try:
            c.send_ping()
            m = c.recv_message(5)
            self.assertEqual((m.prog, m.proc, m.type),
                             (mvtest.KEEPALIVE_PROGRAM, mvtest.KEEPALIVE_PONG, mvtest.MESSAGE))
            self.assertEqual(c.get_type(), "QEMU")
        finally:
            c.close()

    def test_silent_client_dropped_good_client_kept(self):
        silent = WireClient(daemon.sock, answer_pings=False)
        good = WireClient(daemon.sock, answer_pings=True)
        never = WireClient(daemon.sock)       # never asks feature 10: never pinged
        try:
            self.assertEqual(silent.supports_feature(mvtest.FEATURE_PROGRAM_KEEPALIVE), 1)
            self.assertEqual(good.supports_feature(mvtest.FEATURE_PROGRAM_KEEPALIVE), 1)
            good.open()
            never.open()
            start = time.monotonic()

            # the good client answers PINGs from a thread for the whole window
            stop = threading.Event()
            good_errors = []

            def pump():
                try:
                    while not stop.is_set():
                        try:
                            m = good.recv_message(0.2)
                        except mvtest.socket.timeout:
                            continue
                        if m.is_ping():
                            good.pings_seen += 1
                            good.send_pong()
                        else:
                            good_errors.append("unexpected %r" % m)
                except Exception as e:
                    good_errors.append(repr(e))

            t = threading.Thread(target=pump)
            t.start()
            try:
                pings = 0
                closed_at = None
                while time.monotonic() - start < DROP_AFTER + 6:
                    try:
                        m = silent.recv_message(0.5)
                    except mvtest.socket.timeout:
                        continue
                    except mvtest.ConnectionClosed:
                        closed_at = time.monotonic() - start
                        break
                    self.assertTrue(m.is_ping(), "silent client got %r" % m)
                    pings += 1
                if closed_at is not None and closed_at < DROP_AFTER + 2:
                    time.sleep(DROP_AFTER + 2 - closed_at)   # let the good client outlive it
            finally:
                stop.set()
                t.join(10)

            self.assertIsNotNone(closed_at, "silent client was not dropped within %ds"
                                 % (DROP_AFTER + 6))
            self.assertGreaterEqual(closed_at, DROP_AFTER - 1.0,
                                    "silent client dropped too early")
            self.assertLessEqual(closed_at, DROP_AFTER + 3.0, "silent client dropped too late")
            self.assertGreaterEqual(pings, 1, "no PING before the drop")
            self.assertLessEqual(pings, COUNT + 1)

            self.assertEqual(good_errors, [])
            self.assertGreaterEqual(good.pings_seen, 1,
                                    "the daemon never pinged the negotiating client")
            self.assertEqual(good.get_type(), "QEMU")
            # no keepalive negotiated: never pinged, still connected
            self.assertEqual(never.pings_seen, 0)
            self.assertEqual(never.get_type(), "QEMU")
            self.assertEqual(never.pings_seen, 0, "a client that never asked feature 10 got PINGs")
        finally:
            for c in (silent, good, never):
                c.close()
        self.assertTrue(daemon.running())


if __name__ == "__main__":
    mvtest.require_daemon()
    mvtest.main()
