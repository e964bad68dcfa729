#!/usr/bin/python3
"""Procedures libvirt 9.0 knows but modvirt does not implement answer
VIR_ERR_NO_SUPPORT naming the API, never "unknown procedure" (issue 13 item 8):
raw calls, stock virsh and python3-libvirt. The set under test is computed from
protocol/libvirt-procedures.txt minus remote.x, so it shrinks as procedures are
implemented."""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
from mvtest import WireClient  # noqa: E402

PROTO = os.path.join(mvtest.SOURCE_ROOT, "protocol")
NO_SUPPORT_MSG = "this function is not supported by the connection driver: %s"

daemon = None


def known_procedures():
    """{number: (name, api or None for events)} from libvirt-procedures.txt."""
    known = {}
    with open(os.path.join(PROTO, "libvirt-procedures.txt"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            num, name, api = line.split()
            known[int(num)] = (name, None if api == "-" else api)
    return known


def defined_numbers():
    with open(os.path.join(PROTO, "remote.x"), encoding="utf-8") as f:
        return {int(n) for n in re.findall(r"\bMV_REMOTE_PROC_\w+\s*=\s*(\d+)", f.read())}


KNOWN = known_procedures()
DEFINED = defined_numbers()
UNSUPPORTED = {n: v for n, v in KNOWN.items() if n not in DEFINED and v[1]}
UNDEFINED_EVENTS = sorted(n for n, v in KNOWN.items() if n not in DEFINED and not v[1])


def sample():
    """Every 4th unsupported procedure plus the first and the last."""
    nums = sorted(UNSUPPORTED)
    return sorted(set(nums[::4]) | {nums[0], nums[-1]})


def setUpModule():
    global daemon
    daemon = mvtest.Daemon().start()


def tearDownModule():
    daemon.cleanup()


class Table(unittest.TestCase):
    def test_list_is_libvirt_9_0(self):
        self.assertEqual(sorted(KNOWN), list(range(1, 444)))
        self.assertGreater(len(UNSUPPORTED), 100)


class Raw(unittest.TestCase):
    def check_socket(self, path):
        c = WireClient(path).open()
        try:
            for num in sample():
                name, api = UNSUPPORTED[num]
                with self.subTest(proc=name):
                    # no arguments at all: the answer comes before decoding
                    err = c.call_err(num)
                    self.assertEqual(err["code"], mvtest.ERR_NO_SUPPORT, err)
                    self.assertEqual(err["message"], NO_SUPPORT_MSG % api, err)
            self.assertEqual(c.get_type(), "QEMU")      # the connection is still usable
        finally:
            c.close()

    def test_unsupported_answer_no_support(self):
        self.check_socket(daemon.sock)

    def test_read_only_socket_too(self):
        self.check_socket(daemon.ro_sock)

    def test_unknown_numbers_stay_unknown(self):
        c = WireClient(daemon.sock).open()
        try:
            for num in [444, 9999] + UNDEFINED_EVENTS[:3]:
                with self.subTest(proc=num):
                    err = c.call_err(num)
                    self.assertEqual(err["code"], mvtest.ERR_RPC, err)
                    self.assertEqual(err["message"], "unknown procedure: %d" % num)
        finally:
            c.close()


class Proxy(unittest.TestCase):
    """modvirt-proxyd shares the dispatcher: it answers the same way."""

    def test_through_the_proxy(self):
        sys.path.insert(0, os.path.join(mvtest.SOURCE_ROOT, "tests", "proxy"))
        import proxytest
        st = proxytest.Stack().start()
        try:
            c = WireClient(st.path("run", "proxy.sock")).open()
            try:
                for num in sample()[:8]:
                    name, api = UNSUPPORTED[num]
                    with self.subTest(proc=name):
                        err = c.call_err(num)
                        self.assertEqual(err["code"], mvtest.ERR_NO_SUPPORT, err)
                        self.assertEqual(err["message"], NO_SUPPORT_MSG % api, err)
                self.assertEqual(c.get_type(), "QEMU")
            finally:
                c.close()
        finally:
            st.cleanup()


# virsh commands whose first call is one procedure (no fallback to another API)
VIRSH = [
    (242, ["migrate-getspeed", "d1"]),
    (387, ["migrate-getmaxdowntime", "d1"]),
    (349, ["domfsinfo", "d1"]),
    (365, ["perf", "d1"]),
    (263, ["domblkerror", "d1"]),
    (312, ["cpu-models", "x86_64"]),
]


class Virsh(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        mvtest.require_tools("virsh")
        path = os.path.join(daemon.root, "d1.xml")
        mvtest.write_file(path, mvtest.firmware_guest_xml("d1", dtype="qemu"))
        mvtest.virsh(daemon.uri, "define", path, check=True)

    def test_virsh_reports_the_api(self):
        ran = 0
        for num, args in VIRSH:
            if num not in UNSUPPORTED:
                continue            # implemented since: no longer this test's business
            api = UNSUPPORTED[num][1]
            with self.subTest(cmd=args[0]):
                res = mvtest.virsh(daemon.uri, *args)
                self.assertNotEqual(res.returncode, 0, res.stdout)
                self.assertIn(NO_SUPPORT_MSG % api, res.stderr)
                self.assertNotIn("unknown procedure", res.stderr)
                ran += 1
        self.assertGreaterEqual(ran, 3)

    def test_python_libvirt_code(self):
        mvtest.require_python_libvirt()
        import libvirt
        conn = libvirt.open(daemon.uri)
        try:
            dom = conn.lookupByName("d1")
            with self.assertRaises(libvirt.libvirtError) as cm:
                dom.migrateGetMaxSpeed(0)
            self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_NO_SUPPORT)
            self.assertIn("virDomainMigrateGetMaxSpeed", str(cm.exception))
        finally:
            conn.close()


if __name__ == "__main__":
    mvtest.main()
