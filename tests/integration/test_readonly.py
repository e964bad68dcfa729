#!/usr/bin/python3
"""Read-only access on modvirt-qemud: writes are denied with OPERATION_DENIED (29)
on a read-only connection, whether the client asked for read-only or not
(qemu-ro.sock forces it).

The stock client refuses most writes on a read-only connection before sending
them, so the virsh/python cases below only show the user-visible message; the
proof is on the wire: the read-only matrix (romatrix.py) sends every procedure
of the table as a raw frame on qemu-ro.sock and on qemu.sock opened read-only.
CONNECT_SET_IDENTITY is allowed there for root peers only."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import romatrix  # noqa: E402
import unittest  # noqa: E402

DOMAIN_XML = """<domain type='qemu'>
  <name>mvtest-ro</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
</domain>
"""

daemon = None
SECRET = ("mvtest-ro-vnc", "Vnc-s3cret-7")


def setUpModule():
    global daemon
    daemon = mvtest.Daemon().start()
    c = mvtest.WireClient(daemon.sock).open()
    try:
        c.call_ok(mvtest.PROC_DOMAIN_DEFINE_XML, mvtest.XdrWriter().string(
            romatrix.secret_domain_xml(*SECRET)).bytes())
        # the password is there for a read-write client that asks for it
        assert SECRET[1] in romatrix.rw_xml_secure(c, SECRET[0])
    finally:
        c.close()


def tearDownModule():
    # a read-only check that lets writes through may have started a guest
    mvtest.kill_qemu_under(daemon.root)
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


class MatrixRoSocket(romatrix.ReadOnlyMatrix, unittest.TestCase):
    """qemu-ro.sock, CONNECT_OPEN flags 0: forced read-only."""
    served_routes = ("any", "hypervisor", "domain")
    secret_domain = SECRET

    def ro_client(self):
        return mvtest.WireClient(daemon.ro_sock).open("qemu:///system", 0)


class MatrixRoFlag(romatrix.ReadOnlyMatrix, unittest.TestCase):
    """qemu.sock, CONNECT_OPEN with VIR_CONNECT_RO."""
    served_routes = ("any", "hypervisor", "domain")
    secret_domain = SECRET

    def ro_client(self):
        return mvtest.WireClient(daemon.sock).open("qemu:///system", mvtest.CONNECT_RO)


def identity_args():
    """CONNECT_SET_IDENTITY args: one string param user-name=nobody, flags 0."""
    return (mvtest.XdrWriter().u32(1).string("user-name").i32(7).string("nobody")
            .u32(0).bytes())


class SetIdentity(unittest.TestCase):
    """Allowed on a read-only connection, but only for a root peer."""

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("needs root (to connect as root and as nobody)")
        # nobody must reach the socket: let others traverse the private root
        os.chmod(daemon.root, 0o711)
        os.chmod(daemon.rundir, 0o711)

    def test_root_allowed_on_ro_socket(self):
        c = mvtest.WireClient(daemon.ro_sock).open("qemu:///system", 0)
        try:
            c.call_ok(romatrix.PROC_CONNECT_SET_IDENTITY, identity_args())
            # a later call replaces it (the proxy forwards a root client's own)
            c.call_ok(romatrix.PROC_CONNECT_SET_IDENTITY, identity_args())
            # still read-only
            err = c.call_err(mvtest.PROC_DOMAIN_DEFINE_XML,
                             mvtest.XdrWriter().string(DOMAIN_XML).bytes())
            self.assertEqual(err["code"], mvtest.ERR_OPERATION_DENIED, err)
        finally:
            c.close()

    def test_nonroot_refused_on_ro_socket(self):
        nobody = 65534
        fd = romatrix.connect_as(daemon.ro_sock, nobody)
        c = romatrix.WireClientFd(fd).open("qemu:///system", 0)
        try:
            err = c.call_err(romatrix.PROC_CONNECT_SET_IDENTITY, identity_args())
            self.assertEqual(err["code"], mvtest.ERR_OPERATION_DENIED, err)
            self.assertIn("only root may set the client identity", err["message"])
            self.assertEqual(c.get_type(), "QEMU")
        finally:
            c.close()


if __name__ == "__main__":
    mvtest.require_daemon()
    mvtest.main()
