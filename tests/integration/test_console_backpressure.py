"""A console client that stops reading cannot grow the daemon (issue 8, item 2).

The tiny Linux guest gets a virtio console (`console1`, /dev/hvc0 in the guest)
beside its serial one, and a shell on the serial console runs a writer that
fills hvc0 with zeros as fast as it can (MB/s under TCG; the 16550 serial
manages only ~88 KB/s, too slow to show anything).  A raw wire client opens
the console stream (DOMAIN_OPEN_CONSOLE, dev_name "console1"):

1. reading: the zeros arrive; their rate sizes the stalled window below so that
   without back-pressure the daemon would take in at least 2 x BOUND bytes
   (a guest too slow for that fails the test: it could prove nothing);
2. stalled: the client reads nothing while the guest keeps writing; the
   daemon's VmRSS (/proc/PID/status) must stay within BOUND of where it was,
   and meanwhile the daemon answers other clients and the serial console works;
3. reading again: the queued output and then fresh output arrive (the relay
   resumed), and the client ends the stream with OK, which is acknowledged;
4. leaving while stalled: the stream can be opened again at once (the old
   session is gone), delivers output, and the daemon's RSS is still within
   BOUND of the start.

QEMU itself drops virtio console output while the pty is full (it does not
throttle console ports), so the guest never blocks and the writer stays fast.
"""

import os
import random
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
from mvtest import virsh, XdrWriter  # noqa: E402

PROC_DOMAIN_LOOKUP_BY_NAME = 23
PROC_DOMAIN_OPEN_CONSOLE = 201
MIB = 1024 * 1024
BOUND = 30 * MIB            # the most the daemon may grow while the client stalls
FLOW_BYTES = 16 * MIB       # read while measuring the guest's rate, and after resuming
MIN_WINDOW, MAX_WINDOW = 20.0, 90.0
DEVNAME = "console1"
WRITER = "while :; do dd if=/dev/zero of=/dev/hvc0 bs=4096 count=256 2>/dev/null; done &"
SEED = int(os.environ.get("MV_TEST_SEED", random.randrange(1 << 30)))


def log(text):
    print(text, file=sys.stderr, flush=True)      # stdout is the TAP stream


def rss_bytes(pid):
    with open("/proc/%d/status" % pid) as f:
        m = re.search(r"^VmRSS:\s+(\d+) kB$", f.read(), re.M)
    if not m:
        raise AssertionError("no VmRSS in /proc/%d/status" % pid)
    return int(m.group(1)) * 1024


class ConsoleStream:
    """DOMAIN_OPEN_CONSOLE on a raw connection; reads only when asked to."""

    def __init__(self, test, sock, name, devname):
        self.test = test
        self.c = mvtest.WireClient(sock, timeout=30).open()
        r = self.c.call_ok(PROC_DOMAIN_LOOKUP_BY_NAME, XdrWriter().string(name).bytes())
        dname, uuid, did = r.string(), r.fixed(16), r.i32()
        w = XdrWriter().string(dname)
        w.parts.append(uuid)
        self.args = w.i32(did).opt_string(devname).u32(0).bytes()
        self.serial = None

    def open(self):
        """Returns None when opened, else the error dict of the refusal."""
        m = self.c.call(PROC_DOMAIN_OPEN_CONSOLE, self.args)
        if m.status != mvtest.OK:
            return mvtest.decode_error(m.payload)
        self.serial = m.serial
        return None

    def next_data(self, timeout):
        """The payload of the next STREAM CONTINUE packet of the console."""
        m = self.c.recv_message(timeout)
        self.test.assertEqual((m.type, m.proc, m.serial, m.status),
                              (mvtest.STREAM, PROC_DOMAIN_OPEN_CONSOLE, self.serial,
                               mvtest.CONTINUE), "unexpected message on the console: %r" % m)
        self.test.assertTrue(m.payload, "the console stream ended (empty CONTINUE)")
        return m.payload

    def read_zeros(self, nbytes, timeout):
        """Read until nbytes arrived; every byte is the guest writer's zero."""
        got = 0
        deadline = time.monotonic() + timeout
        while got < nbytes:
            left = deadline - time.monotonic()
            if left <= 0:
                self.test.fail("only %d of %d bytes of guest output within %ss"
                               % (got, nbytes, timeout))
            data = self.next_data(left)
            self.test.assertEqual(data.count(0), len(data),
                                  "console output that is not the writer's: %r" % data[:64])
            got += len(data)
        return got

    def finish(self):
        """STREAM OK (virsh's Ctrl-]); the daemon answers OK after any queued data."""
        self.c.send_message(mvtest.REMOTE_PROGRAM, PROC_DOMAIN_OPEN_CONSOLE, mtype=mvtest.STREAM,
                            serial=self.serial, status=mvtest.OK)
        deadline = time.monotonic() + 30
        while True:
            m = self.c.recv_message(max(0.1, deadline - time.monotonic()))
            if m.type == mvtest.STREAM and m.status == mvtest.CONTINUE and m.payload:
                continue
            self.test.assertEqual((m.type, m.serial, m.status),
                                  (mvtest.STREAM, self.serial, mvtest.OK),
                                  "the end of the stream was not acknowledged: %r" % m)
            return

    def close(self):
        self.c.close()


class ConsoleBackpressure(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.d = mvtest.GuestDaemon().start()
        cls.name = "conbp"
        xml = mvtest.linux_guest_xml(
            cls.name, cls.d.root,
            extra_devices="\n    <console type='pty'><target type='virtio' port='0'/></console>")
        virsh(cls.d.uri, "define", mvtest.write_file(os.path.join(cls.d.root, "g.xml"), xml),
              check=True)
        virsh(cls.d.uri, "start", cls.name, check=True)
        mvtest.wait_marker(mvtest.serial_log(cls.d.root, cls.name), mvtest.GUEST_READY,
                           timeout=90)
        cls.shell = None
        cls.base_rss = None

    @classmethod
    def tearDownClass(cls):
        if cls.shell:
            mvtest.stop_process(cls.shell[0], timeout=5)
            cls.shell[1].close()
        virsh(cls.d.uri, "destroy", cls.name)
        cls.d.cleanup()

    def setUp(self):
        self.streams = []

    def tearDown(self):
        for s in self.streams:
            s.close()

    def stream(self):
        s = ConsoleStream(self, self.d.sock, self.name, DEVNAME)
        self.streams.append(s)
        return s

    def open_after_leave(self, s):
        """Open @s; a session whose client just went away may hold the console
        until the daemon has seen the disconnect (refused, then retried)."""
        deadline = time.monotonic() + 10
        while True:
            err = s.open()
            if err is None:
                return
            self.assertIn("Active console session", err["message"] or "", err)
            self.assertLess(time.monotonic(), deadline, "the left session still holds "
                            "the console after 10 s: %r" % err)
            time.sleep(0.2)

    # the serial console: a shell that starts the writer and answers questions
    def serial_shell(self):
        if self.shell:
            return self.shell[1]
        proc, master = mvtest.run_on_pty(["virsh", "-c", self.d.uri, "console", self.name])
        reader = mvtest.PtyReader(master)
        type(self).shell = (proc, reader)
        pos = reader.expect("Escape character", 20)
        for _ in range(10):
            reader.send(b"\r")
            try:
                reader.expect(mvtest.GUEST_PROMPT, 3, pos)
                return reader
            except AssertionError:
                continue
        self.fail("no prompt on the serial console; output:\n%r" % reader.text[-2000:])

    def guest_eval(self, expr, timeout=30):
        """The guest's shell prints $((expr)) between markers; returns it."""
        reader = self.serial_shell()
        tag = "B%d" % random.Random(SEED + len(reader.text)).randrange(10 ** 6)
        pos = len(reader.text)
        reader.send(("echo %s=$((%s))=%s\r" % (tag, expr, tag[::-1])).encode())
        pattern = re.compile(r"%s=(\d+)=%s" % (tag, tag[::-1]))
        deadline = time.monotonic() + timeout
        while True:
            m = pattern.search(reader.text, pos)
            if m:
                return int(m.group(1))
            if time.monotonic() > deadline or reader.eof:
                self.fail("the guest did not answer %r; output:\n%r"
                          % (expr, reader.text[-2000:]))
            reader.pump(0.2)

    def check_serial(self):
        a, b = random.Random(SEED).randrange(10 ** 6), random.Random(SEED + 1).randrange(10 ** 6)
        self.assertEqual(self.guest_eval("%d+%d" % (a, b)), a + b)

    def test_1_stalled_reader(self):
        log("\nseed %d (MV_TEST_SEED)" % SEED)
        s = self.stream()
        self.assertIsNone(s.open())
        self.serial_shell().send((WRITER + "\r").encode())

        # 1. reading: how fast the guest writes
        t0 = time.monotonic()
        s.read_zeros(FLOW_BYTES, 90)
        rate = FLOW_BYTES / (time.monotonic() - t0)
        window = min(MAX_WINDOW, max(MIN_WINDOW, 2.5 * BOUND / rate))
        log("guest writes %.0f KiB/s; stalling for %.0f s" % (rate / 1024, window))
        if rate * window < 1.2 * BOUND:
            self.fail("the guest writes only %.0f KiB/s: a %.0f s stall could not show "
                      "growth past %d MiB, so this test would prove nothing (machine overloaded?)"
                      % (rate / 1024, window, BOUND // MIB))

        # 2. stalled: the guest keeps writing, nobody reads
        base = rss_bytes(self.d.pid)
        type(self).base_rss = base
        peak = base
        checked_others = False
        t0 = time.monotonic()
        while time.monotonic() - t0 < window:
            time.sleep(0.25)
            peak = max(peak, rss_bytes(self.d.pid))
            self.assertLess(peak - base, BOUND,
                            "the daemon grew by %.1f MiB in %.1f s while the console client "
                            "did not read" % ((peak - base) / MIB, time.monotonic() - t0))
            if not checked_others and time.monotonic() - t0 > window / 2:
                checked_others = True
                self.assertEqual(mvtest.domstate(self.d.uri, self.name), "running")
                self.check_serial()
        log("stalled %.0f s: VmRSS %.1f -> peak %.1f MiB (+%.1f)"
            % (window, base / MIB, peak / MIB, (peak - base) / MIB))

        # 3. reading again: what was queued, then fresh output (the relay resumed)
        s.read_zeros(FLOW_BYTES, 90)
        now = rss_bytes(self.d.pid)
        log("after reading %d MiB again: VmRSS %.1f MiB" % (FLOW_BYTES // MIB, now / MIB))
        self.assertLess(now - base, BOUND)
        s.finish()

    def test_2_leave_while_stalled(self):
        if self.base_rss is None:
            self.skipTest("needs test_1_stalled_reader")
        s = self.stream()
        # the finished session of test 1 is gone: no "Active console session"
        self.assertIsNone(s.open())
        s.read_zeros(MIB, 60)
        # stall until the daemon stops reading the pty, then go away
        time.sleep(3)
        stalled = rss_bytes(self.d.pid)
        s.close()
        self.assertLess(stalled - self.base_rss, BOUND)
        # a new session may open as soon as the daemon has seen the client leave
        s2 = self.stream()
        self.open_after_leave(s2)
        s2.read_zeros(FLOW_BYTES, 90)
        now = rss_bytes(self.d.pid)
        log("stalled VmRSS %.1f MiB; after the client left and another read %d MiB: %.1f MiB "
            "(start %.1f)" % (stalled / MIB, FLOW_BYTES // MIB, now / MIB, self.base_rss / MIB))
        self.assertLess(now - self.base_rss, BOUND)
        s2.finish()
        # the guest's writer stops; its shell is still there
        self.serial_shell().send(b"kill $!\r")
        self.check_serial()


if __name__ == "__main__":
    mvtest.require_qemu()
    mvtest.require_daemon()
    mvtest.require_guest()
    mvtest.main()
