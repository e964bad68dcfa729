#!/usr/bin/python3
"""Read-only access: writes are denied with OPERATION_DENIED (29) on a read-only
connection, whether the client asked for read-only or not (qemu-ro.sock forces it)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import unittest  # noqa: E402

DOMAIN_XML = """<domain type='qemu'>
  <name>mvtest-ro</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
</domain>
"""

daemon = None


def setUpModule():
    global daemon
    daemon = mvtest.Daemon().start()


def tearDownModule():
    daemon.cleanup()


class ReadOnly(unittest.TestCase):
    def setUp(self):
        self.xml_path = os.path.join(daemon.root, "ro-domain.xml")
        with open(self.xml_path, "w") as f:
            f.write(DOMAIN_XML)

    def test_virsh_define_denied(self):
        if not mvtest.shutil.which("virsh"):
            self.skipTest("virsh is not installed")
        res = mvtest.virsh(daemon.ro_uri, "define", self.xml_path, readonly=True)
        self.assertNotEqual(res.returncode, 0, res.stdout)
        self.assertIn("operation forbidden", res.stderr)
        self.assertIn("read only access prevents virDomainDefineXML", res.stderr)

    def test_python_define_denied(self):
        try:
            import libvirt
        except ImportError:
            self.skipTest("python3-libvirt is not importable")
        conn = libvirt.openReadOnly(daemon.ro_uri)
        try:
            with self.assertRaises(libvirt.libvirtError) as cm:
                conn.defineXML(DOMAIN_XML)
            self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_OPERATION_DENIED)
            self.assertEqual(cm.exception.get_error_code(), 29)
            # the connection is still usable after the denial
            self.assertEqual(conn.getType(), "QEMU")
            self.assertGreater(conn.getVersion(), 0)
        finally:
            conn.close()

    def _define_raw(self, client):
        return client.call_err(mvtest.PROC_DOMAIN_DEFINE_XML,
                               mvtest.XdrWriter().string(DOMAIN_XML).bytes())

    def test_raw_open_without_ro_flag_on_ro_socket_is_forced_read_only(self):
        c = mvtest.WireClient(daemon.ro_sock)
        try:
            c.open("qemu:///system", 0)          # flags 0: did not ask for read-only
            err = self._define_raw(c)
            self.assertEqual(err["code"], mvtest.ERR_OPERATION_DENIED, err)
            self.assertIn("read only access prevents virDomainDefineXML", err["message"])
            self.assertEqual(c.get_type(), "QEMU")
        finally:
            c.close()

    def test_raw_ro_flag_on_rw_socket_is_read_only(self):
        c = mvtest.WireClient(daemon.sock)
        try:
            c.open("qemu:///system", mvtest.CONNECT_RO)
            err = self._define_raw(c)
            self.assertEqual(err["code"], mvtest.ERR_OPERATION_DENIED, err)
        finally:
            c.close()

    def test_raw_rw_socket_is_not_denied(self):
        c = mvtest.WireClient(daemon.sock)
        try:
            c.open("qemu:///system", 0)
            m = c.call(mvtest.PROC_DOMAIN_DEFINE_XML,
                       mvtest.XdrWriter().string(DOMAIN_XML).bytes())
            if m.status == mvtest.ERROR:
                # not implemented yet is fine; "forbidden" is not
                err = mvtest.decode_error(m.payload)
                self.assertNotEqual(err["code"], mvtest.ERR_OPERATION_DENIED, err)
        finally:
            c.close()


if __name__ == "__main__":
    mvtest.require_daemon()
    mvtest.main()
