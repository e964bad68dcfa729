#!/usr/bin/python3
"""Wire robustness with a raw client: error replies for odd calls keep the
connection usable; malformed framing closes only the offending client."""

import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import unittest  # noqa: E402
from mvtest import WireClient, XdrWriter  # noqa: E402

daemon = None
bystander = None          # a client opened first and kept open through every test


def setUpModule():
    global daemon, bystander
    daemon = mvtest.Daemon().start()
    bystander = WireClient(daemon.sock).open()


def tearDownModule():
    bystander.close()
    daemon.cleanup()


class Base(unittest.TestCase):
    def setUp(self):
        self.clients = []

    def tearDown(self):
        for c in self.clients:
            c.close()

    def client(self, path=None, open_conn=True):
        c = WireClient(path or daemon.sock)
        self.clients.append(c)
        if open_conn:
            c.open()
        return c

    def assert_daemon_healthy(self):
        self.assertTrue(daemon.running(), "daemon exited: status %s" % daemon.proc.poll())
        self.assertTrue(mvtest.pid_alive(daemon.pid))
        # the client opened before everything else still works
        self.assertEqual(bystander.get_type(), "QEMU")
        # and new clients are accepted
        fresh = self.client()
        self.assertEqual(fresh.get_type(), "QEMU")


class ErrorReplies(Base):
    def test_unknown_procedure(self):
        c = self.client()
        err = c.call_err(9999)
        self.assertEqual(err["code"], mvtest.ERR_RPC, err)
        self.assertEqual(err["domain"], mvtest.FROM_RPC, err)
        self.assertEqual(err["message"], "unknown procedure: 9999")
        self.assertEqual(err["level"], 2, err)
        self.assertEqual(c.get_type(), "QEMU")

    def test_unknown_procedure_before_open(self):
        c = self.client(open_conn=False)
        err = c.call_err(9999)
        self.assertEqual((err["code"], err["domain"]), (mvtest.ERR_RPC, mvtest.FROM_RPC), err)
        c.open()
        self.assertEqual(c.get_type(), "QEMU")

    def test_unknown_program(self):
        c = self.client()
        err = c.call_err(1, prog=0x12345678)
        self.assertEqual((err["code"], err["domain"]), (mvtest.ERR_RPC, mvtest.FROM_RPC), err)
        self.assertIn("Cannot find program", err["message"])
        self.assertEqual(c.get_type(), "QEMU")

    def test_wrong_program_version(self):
        c = self.client()
        err = c.call_err(mvtest.PROC_CONNECT_GET_TYPE, vers=2)
        self.assertEqual(err["code"], mvtest.ERR_RPC, err)
        self.assertIn("Cannot find program", err["message"])
        self.assertEqual(c.get_type(), "QEMU")

    def test_keepalive_ping_as_call_is_rejected(self):
        c = self.client()
        err = c.call_err(mvtest.KEEPALIVE_PING, prog=mvtest.KEEPALIVE_PROGRAM)
        self.assertEqual(err["code"], mvtest.ERR_RPC, err)
        self.assertEqual(c.get_type(), "QEMU")

    def test_call_with_fds_refused(self):
        # type CALL_WITH_FDS (4): no descriptor is ever taken from the socket, so the
        # call is refused rather than run without the fds it speaks of
        c = self.client()
        err = c.call_err(mvtest.PROC_CONNECT_GET_TYPE, mtype=4)
        self.assertEqual((err["code"], err["domain"]), (mvtest.ERR_RPC, mvtest.FROM_RPC), err)
        self.assertIn("passing file descriptors is not supported", err["message"])
        self.assertEqual(c.get_type(), "QEMU")

    def test_call_before_open(self):
        c = self.client(open_conn=False)
        err = c.call_err(mvtest.PROC_CONNECT_GET_TYPE)
        self.assertEqual(err["code"], mvtest.ERR_INTERNAL_ERROR, err)
        self.assertIn("hypervisor connection not open", err["message"])
        # opening afterwards works
        c.open()
        self.assertEqual(c.get_type(), "QEMU")

    def test_preamble_calls_before_open(self):
        c = self.client(open_conn=False)
        auth = c.call_ok(mvtest.PROC_AUTH_LIST)
        n = auth.u32()
        self.assertEqual([auth.i32() for _ in range(n)], [0])
        self.assertEqual(c.supports_feature(mvtest.FEATURE_PROGRAM_KEEPALIVE), 1)
        c.open()
        self.assertEqual(c.supports_feature(1000), 0)      # unknown feature: 0, no error

    def test_payload_too_short(self):
        c = self.client()
        # CONNECT_SUPPORTS_FEATURE takes an i32; send nothing
        err = c.call_err(mvtest.PROC_CONNECT_SUPPORTS_FEATURE, b"")
        self.assertEqual((err["code"], err["domain"]), (mvtest.ERR_RPC, mvtest.FROM_RPC), err)
        self.assertEqual(c.get_type(), "QEMU")

    def test_connect_open_truncated_string(self):
        c = self.client(open_conn=False)
        # present flag + a 14-byte length, but no bytes and no flags
        err = c.call_err(mvtest.PROC_CONNECT_OPEN, XdrWriter().u32(1).u32(14).bytes())
        self.assertEqual(err["code"], mvtest.ERR_RPC, err)
        c.open()
        self.assertEqual(c.get_type(), "QEMU")

    def test_trailing_bytes_ignored(self):
        c = self.client()
        r = c.call_ok(mvtest.PROC_CONNECT_GET_TYPE, b"\0" * 8)
        self.assertEqual(r.string(), "QEMU")

    def test_reply_type_from_client_is_ignored(self):
        c = self.client()
        c.send_message(mvtest.REMOTE_PROGRAM, mvtest.PROC_CONNECT_GET_TYPE, mtype=mvtest.REPLY)
        c.send_message(mvtest.REMOTE_PROGRAM, mvtest.PROC_CONNECT_GET_TYPE,
                       mtype=mvtest.MESSAGE)
        self.assertEqual(c.get_type(), "QEMU")

    def test_second_open_fails(self):
        c = self.client()
        m = c.call(mvtest.PROC_CONNECT_OPEN,
                   XdrWriter().opt_string("qemu:///system").u32(0).bytes())
        self.assertEqual(m.status, mvtest.ERROR)
        self.assertEqual(c.get_type(), "QEMU")

    def test_pipelined_calls_matched_by_serial(self):
        c = self.client()
        serials = [c.send_message(mvtest.REMOTE_PROGRAM, p) for p in
                   (mvtest.PROC_CONNECT_GET_TYPE, mvtest.PROC_CONNECT_GET_HOSTNAME,
                    mvtest.PROC_CONNECT_GET_VERSION, 9999, mvtest.PROC_CONNECT_GET_TYPE)]
        replies = {}
        for _ in serials:
            m = c.recv_message()
            self.assertEqual(m.type, mvtest.REPLY, m)
            replies[m.serial] = m
        self.assertEqual(sorted(replies), sorted(serials))
        self.assertEqual(mvtest.XdrReader(replies[serials[0]].payload).string(), "QEMU")
        self.assertEqual(replies[serials[3]].status, mvtest.ERROR)
        self.assertEqual(replies[serials[3]].proc, 9999)
        self.assertEqual(mvtest.XdrReader(replies[serials[4]].payload).string(), "QEMU")

    def test_same_serial_twice(self):
        c = self.client()
        c.send_message(mvtest.REMOTE_PROGRAM, mvtest.PROC_CONNECT_GET_TYPE, serial=77)
        c.send_message(mvtest.REMOTE_PROGRAM, mvtest.PROC_CONNECT_GET_TYPE, serial=77)
        for _ in range(2):
            m = c.recv_message()
            self.assertEqual((m.serial, m.status), (77, mvtest.OK), m)

    def test_connect_close_closes_socket(self):
        c = self.client()
        c.call_ok(mvtest.PROC_CONNECT_CLOSE)
        self.assertTrue(c.wait_closed(5), "server kept the socket open after CONNECT_CLOSE")
        self.assert_daemon_healthy()


class Framing(Base):
    def assert_closed_alone(self, c, what):
        self.assertTrue(c.wait_closed(5), "daemon did not close the client after " + what)
        self.assert_daemon_healthy()

    def test_oversized_length_word(self):
        c = self.client()
        c.send_raw(struct.pack(">I", mvtest.MAX_MESSAGE + 1))
        self.assert_closed_alone(c, "a length word of %d" % (mvtest.MAX_MESSAGE + 1))

    def test_oversized_length_word_with_header(self):
        c = self.client(open_conn=False)
        frame = mvtest.encode_message(mvtest.REMOTE_PROGRAM, mvtest.PROC_CONNECT_GET_TYPE)
        c.send_raw(struct.pack(">I", 0xFFFFFFFF) + frame[4:])
        self.assert_closed_alone(c, "a length word of 0xffffffff")

    def test_max_length_word_is_accepted(self):
        c = self.client()
        c.send_raw(struct.pack(">I", mvtest.MAX_MESSAGE))
        self.assertFalse(c.wait_closed(1.0),
                         "daemon closed a client that announced exactly %d bytes"
                         % mvtest.MAX_MESSAGE)
        self.assert_daemon_healthy()

    def test_length_word_too_small(self):
        for n in (0, 4, 27):
            with self.subTest(length=n):
                c = self.client(open_conn=False)
                c.send_raw(struct.pack(">I", n) + b"\0" * 24)
                self.assert_closed_alone(c, "a length word of %d" % n)

    def test_truncated_frame(self):
        c = self.client()
        c.send_raw(struct.pack(">I", 1000) + b"\0" * 96)      # 100 bytes of 1000
        c.shutdown_write()
        self.assert_closed_alone(c, "a truncated frame and EOF")

    def test_random_bytes(self):
        for seed in (1, 2, 3):
            with self.subTest(seed=seed):
                c = self.client()
                data = mvtest.random_bytes(4096, seed)
                try:
                    c.send_raw(data)
                    c.shutdown_write()
                except (BrokenPipeError, ConnectionResetError):
                    pass        # closed while we were still sending: fine
                self.assert_closed_alone(c, "4 KiB of random bytes (seed %d)" % seed)

    def test_random_frames_with_valid_lengths(self):
        # well-framed garbage: every message gets an answer or is ignored,
        # the daemon must neither crash nor hang
        c = self.client(open_conn=False)
        for seed in range(20):
            body = mvtest.random_bytes(24 + seed * 8, seed + 100)
            c.send_raw(struct.pack(">I", 4 + len(body)) + body)
        c.shutdown_write()
        self.assert_closed_alone(c, "random well-framed messages and EOF")

    def test_slow_byte_by_byte_call(self):
        c = self.client()
        frame = mvtest.encode_message(mvtest.REMOTE_PROGRAM, mvtest.PROC_CONNECT_GET_TYPE,
                                      serial=4242)
        for b in frame:
            c.send_raw(bytes([b]))
            time.sleep(0.002)
        m = c.recv_message()
        self.assertEqual((m.serial, m.status), (4242, mvtest.OK))
        self.assertEqual(mvtest.XdrReader(m.payload).string(), "QEMU")

    def test_abrupt_disconnect_mid_call(self):
        for _ in range(20):
            c = self.client()
            c.send_message(mvtest.REMOTE_PROGRAM, mvtest.PROC_CONNECT_GET_HOSTNAME)
            c.close()
        self.assert_daemon_healthy()


if __name__ == "__main__":
    mvtest.require_daemon()
    mvtest.main()
