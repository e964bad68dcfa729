#!/usr/bin/python3
"""Typed driver vtables (remote-driver.h): a procedure of a family qemud
serves whose vtable entry is NULL answers VIR_ERR_NO_SUPPORT naming the API,
on the wire and as stock virsh shows it; the connection stays usable.

qemud leaves virNodeGetFreePages (NODE_GET_FREE_PAGES, 340) NULL in its
hypervisor vtable (daemons/qemu/main.c). (Until the guest agent came, the
example was virDomainGetHostname, 277.)"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import unittest  # noqa: E402
from mvtest import XdrWriter  # noqa: E402

PROC_DOMAIN_GET_OS_TYPE = 19
PROC_NODE_GET_FREE_PAGES = 340
FROM_NONE = 0
NAME = "mvtest-vtable"
DOMAIN_XML = """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
</domain>
""" % NAME
NOT_SUPPORTED = "this function is not supported by the connection driver: virNodeGetFreePages"

daemon = None
dom_ref = None          # the defined domain's nonnull_domain as raw XDR


def setUpModule():
    global daemon, dom_ref
    daemon = mvtest.Daemon().start()
    c = mvtest.WireClient(daemon.sock).open()
    try:
        r = c.call_ok(mvtest.PROC_DOMAIN_DEFINE_XML, XdrWriter().string(DOMAIN_XML).bytes())
        name, uuid, dom_id = r.string(), r.fixed(16), r.i32()
        dom_ref = XdrWriter().string(name).bytes() + uuid + XdrWriter().i32(dom_id).bytes()
    finally:
        c.close()


def tearDownModule():
    daemon.cleanup()


class NullEntry(unittest.TestCase):
    def test_wire_null_entry_answers_no_support_naming_the_api(self):
        c = mvtest.WireClient(daemon.sock).open()
        try:
            # pages [4 KiB], start cell 0, 1 cell, flags 0
            args = XdrWriter().u32(1).u32(4).i32(0).u32(1).u32(0).bytes()
            err = c.call_err(PROC_NODE_GET_FREE_PAGES, args)
            self.assertEqual(err["code"], mvtest.ERR_NO_SUPPORT, err)
            self.assertEqual(err["domain"], FROM_NONE, err)
            self.assertEqual(err["message"], NOT_SUPPORTED, err)
            # a filled entry of the same vtable answers, on the same connection
            self.assertEqual(c.call_ok(PROC_DOMAIN_GET_OS_TYPE, dom_ref).string(), "hvm")
        finally:
            c.close()

    def test_virsh_shows_not_supported(self):
        res = mvtest.virsh(daemon.uri, "freepages", "--cellno", "0", "--pagesize", "4")
        self.assertNotEqual(res.returncode, 0, res.stdout)
        self.assertIn("this function is not supported by the connection driver", res.stderr)
        self.assertIn("virNodeGetFreePages", res.stderr)


if __name__ == "__main__":
    mvtest.require_daemon()
    mvtest.main()
