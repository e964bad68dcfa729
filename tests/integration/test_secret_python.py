"""Secrets in modvirt-storaged through python3-libvirt, directly and through proxy.sock.

secretDefineXML / lookups by UUID and usage / setValue / value / undefine with
binary values; libvirt's error codes (NO_SECRET, INVALID_SECRET for a private
value, INTERNAL_ERROR for a taken usage, INVALID_ARG for unknown flags);
listAllSecrets with the ephemeral/private filter flags and the legacy
numOfSecrets/listSecrets; read-only connections list but never read values;
lifecycle and value-changed events through the libvirt event loop, also
limited to one secret; a value set through the proxy survives a SIGKILL and restart;
no idle exit (--timeout) while an ephemeral secret exists.
"""

import os
import signal
import sys
import threading
import time
import unittest
import uuid as uuidlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import mvstorage  # noqa: E402

libvirt = None


def secret_xml(uuid=None, usage="volume", usage_id="/var/lib/x.img", private=False,
               ephemeral=False):
    element = {"volume": "volume", "iscsi": "target"}.get(usage, "name")
    out = ["<secret ephemeral='%s' private='%s'>" % ("yes" if ephemeral else "no",
                                                     "yes" if private else "no")]
    if uuid:
        out.append("  <uuid>%s</uuid>" % uuid)
    out.append("  <usage type='%s'><%s>%s</%s></usage>" % (usage, element, usage_id, element))
    out.append("</secret>")
    return "\n".join(out) + "\n"


class Secrets(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.sd = mvstorage.StorageDaemon().start()
        cls.px = mvstorage.ProxyDaemon(cls.sd.root).start()

    @classmethod
    def tearDownClass(cls):
        cls.px.cleanup()
        cls.sd.cleanup()

    def setUp(self):
        self.conns = {"direct": libvirt.open(self.sd.uri), "proxy": libvirt.open(self.px.uri)}
        self.conn = self.conns["direct"]

    def tearDown(self):
        for s in self.conn.listAllSecrets():
            s.undefine()
        for c in self.conns.values():
            c.close()

    def assert_error(self, code, func, *args):
        with self.assertRaises(libvirt.libvirtError) as cm:
            func(*args)
        self.assertEqual(cm.exception.get_error_code(), code, str(cm.exception))
        return str(cm.exception)

    # -- the API ---------------------------------------------------------------------

    def test_round_trip(self):
        for how, conn in self.conns.items():
            with self.subTest(how=how):
                uuid = str(uuidlib.uuid4())
                path = "/srv/images/%s.img" % how
                s = conn.secretDefineXML(secret_xml(uuid, usage_id=path))
                self.assertEqual(s.UUIDString(), uuid)
                self.assertEqual(s.usageType(), libvirt.VIR_SECRET_USAGE_TYPE_VOLUME)
                self.assertEqual(s.usageID(), path)
                value = bytes(range(256)) + b"\x00tail"
                s.setValue(value)
                self.assertEqual(s.value(), value)
                self.assertEqual(conn.secretLookupByUUIDString(uuid).value(), value)
                by_usage = conn.secretLookupByUsage(libvirt.VIR_SECRET_USAGE_TYPE_VOLUME, path)
                self.assertEqual(by_usage.UUIDString(), uuid)
                self.assertIn("<volume>%s</volume>" % path, s.XMLDesc())
                s.undefine()
                self.assert_error(libvirt.VIR_ERR_NO_SECRET, conn.secretLookupByUUIDString,
                                  uuid)
                msg = self.assert_error(libvirt.VIR_ERR_NO_SECRET, conn.secretLookupByUsage,
                                        libvirt.VIR_SECRET_USAGE_TYPE_VOLUME, path)
                self.assertIn("no secret with matching usage '%s'" % path, msg)

    def test_errors(self):
        s = self.conn.secretDefineXML(secret_xml(usage="ceph", usage_id="client.a"))
        self.assert_error(libvirt.VIR_ERR_NO_SECRET, s.value)
        msg = self.assert_error(libvirt.VIR_ERR_INTERNAL_ERROR, self.conn.secretDefineXML,
                                secret_xml(usage="ceph", usage_id="client.a"))
        self.assertIn(s.UUIDString(), msg)
        self.assert_error(libvirt.VIR_ERR_INVALID_ARG, self.conn.secretDefineXML,
                          secret_xml(usage="ceph", usage_id="client.b"), 1)
        self.assert_error(libvirt.VIR_ERR_INVALID_ARG, self.conn.listAllSecrets, 1 << 4)
        self.assert_error(libvirt.VIR_ERR_XML_ERROR, self.conn.secretDefineXML,
                          "<secret><usage type='ceph'/></secret>")
        # the usage is looked up by type too: the same id under iscsi is not found
        self.assert_error(libvirt.VIR_ERR_NO_SECRET, self.conn.secretLookupByUsage,
                          libvirt.VIR_SECRET_USAGE_TYPE_ISCSI, "client.a")

    def test_private(self):
        for how, conn in self.conns.items():
            with self.subTest(how=how):
                s = conn.secretDefineXML(secret_xml(usage="tls", usage_id="priv-" + how,
                                                    private=True))
                s.setValue(b"do not show")
                msg = self.assert_error(libvirt.VIR_ERR_INVALID_SECRET, s.value)
                self.assertIn("private", msg)
                self.assertNotIn("do not show", msg)

    def test_list_all_flags_and_legacy(self):
        kinds = {}
        for ephemeral in (False, True):
            for private in (False, True):
                s = self.conn.secretDefineXML(secret_xml(
                    usage="tls", usage_id="l-%d%d" % (ephemeral, private),
                    ephemeral=ephemeral, private=private))
                kinds[s.UUIDString()] = (ephemeral, private)
        F = libvirt
        cases = {
            0: lambda e, p: True,
            F.VIR_CONNECT_LIST_SECRETS_EPHEMERAL: lambda e, p: e,
            F.VIR_CONNECT_LIST_SECRETS_NO_EPHEMERAL: lambda e, p: not e,
            F.VIR_CONNECT_LIST_SECRETS_PRIVATE: lambda e, p: p,
            F.VIR_CONNECT_LIST_SECRETS_NO_PRIVATE: lambda e, p: not p,
            F.VIR_CONNECT_LIST_SECRETS_EPHEMERAL | F.VIR_CONNECT_LIST_SECRETS_NO_PRIVATE:
                lambda e, p: e and not p,
            F.VIR_CONNECT_LIST_SECRETS_EPHEMERAL | F.VIR_CONNECT_LIST_SECRETS_NO_EPHEMERAL:
                lambda e, p: True,
        }
        for how, conn in self.conns.items():
            for flags, want in cases.items():
                with self.subTest(how=how, flags=flags):
                    got = sorted(s.UUIDString() for s in conn.listAllSecrets(flags))
                    self.assertEqual(got, sorted(u for u, k in kinds.items() if want(*k)))
            self.assertEqual(conn.numOfSecrets(), 4)
            self.assertEqual(sorted(conn.listSecrets()), sorted(kinds))

    def test_read_only(self):
        s = self.conn.secretDefineXML(secret_xml(usage="ceph", usage_id="ro"))
        s.setValue(b"v")
        for sock in (self.sd.ro_sock, self.px.ro_sock):
            with self.subTest(sock=sock):
                ro = libvirt.openReadOnly("storage+unix:///system?socket=%s" % sock)
                try:
                    found = ro.secretLookupByUUIDString(s.UUIDString())
                    self.assertIn("<secret", found.XMLDesc())
                    self.assertEqual(len(ro.listAllSecrets()), 1)
                    self.assert_error(libvirt.VIR_ERR_OPERATION_DENIED, found.value)
                    self.assert_error(libvirt.VIR_ERR_OPERATION_DENIED, found.setValue, b"x")
                    self.assert_error(libvirt.VIR_ERR_OPERATION_DENIED, found.undefine)
                finally:
                    ro.close()
        self.assertEqual(s.value(), b"v")

    # -- events -----------------------------------------------------------------------

    def wait(self, predicate, what):
        if not mvtest.wait_for(predicate, 10, 0.05):
            self.fail("no %s within 10 s" % what)

    def test_events(self):
        for how in ("direct", "proxy"):
            with self.subTest(how=how):
                uri = self.sd.uri if how == "direct" else self.px.uri
                watcher = libvirt.open(uri)
                life, values, only = [], [], []
                ids = []
                try:
                    ids.append(watcher.secretEventRegisterAny(
                        None, libvirt.VIR_SECRET_EVENT_ID_LIFECYCLE,
                        lambda c, s, ev, det, o: life.append((s.UUIDString(), ev, det)), None))
                    ids.append(watcher.secretEventRegisterAny(
                        None, libvirt.VIR_SECRET_EVENT_ID_VALUE_CHANGED,
                        lambda c, s, o: values.append(s.UUIDString()), None))
                    a = self.conn.secretDefineXML(secret_xml(usage="tls", usage_id="a" + how))
                    b = self.conn.secretDefineXML(secret_xml(usage="tls", usage_id="b" + how))
                    ids.append(watcher.secretEventRegisterAny(
                        watcher.secretLookupByUUIDString(b.UUIDString()),
                        libvirt.VIR_SECRET_EVENT_ID_VALUE_CHANGED,
                        lambda c, s, o: only.append(s.UUIDString()), None))
                    a.setValue(b"1")
                    b.setValue(b"2")
                    ua, ub = a.UUIDString(), b.UUIDString()
                    a.undefine()
                    self.wait(lambda: (ua, libvirt.VIR_SECRET_EVENT_UNDEFINED, 0) in life,
                              "undefined event")
                    self.wait(lambda: ub in values and ub in only, "value-changed events")
                    self.assertEqual(life, [(ua, libvirt.VIR_SECRET_EVENT_DEFINED, 0),
                                            (ub, libvirt.VIR_SECRET_EVENT_DEFINED, 0),
                                            (ua, libvirt.VIR_SECRET_EVENT_UNDEFINED, 0)])
                    self.assertEqual(values, [ua, ub])
                    self.assertEqual(only, [ub])
                    b.undefine()
                finally:
                    for cid in ids:
                        watcher.secretEventDeregisterAny(cid)
                    watcher.close()

    # -- restart ----------------------------------------------------------------------

    def test_restart(self):
        s = self.conns["proxy"].secretDefineXML(secret_xml(usage="vtpm", usage_id="restart"))
        s.setValue(b"\x00\x01 persistent")
        uuid = s.UUIDString()
        for c in self.conns.values():
            c.close()
        self.px.stop()
        # killed, not stopped: what was acknowledged is on disk, whole
        self.sd.signal(signal.SIGKILL)
        self.sd.wait(10)
        secrets = os.path.join(self.sd.root, "etc", "secrets")
        self.sd.start()
        self.assertEqual([n for n in os.listdir(secrets) if ".tmp-" in n], [])
        self.px.start()
        self.conns = {"direct": libvirt.open(self.sd.uri), "proxy": libvirt.open(self.px.uri)}
        self.conn = self.conns["direct"]
        for conn in self.conns.values():
            again = conn.secretLookupByUsage(libvirt.VIR_SECRET_USAGE_TYPE_VTPM, "restart")
            self.assertEqual(again.UUIDString(), uuid)
            self.assertEqual(again.value(), b"\x00\x01 persistent")

    # -- idle exit --------------------------------------------------------------------

    def test_no_idle_exit_with_ephemeral_secret(self):
        """An ephemeral secret lives only in memory: storaged run with --timeout 1
        stays up while one exists and exits idle once it is undefined."""
        d = mvstorage.StorageDaemon(args=["--timeout", "1"]).start()
        try:
            conn = libvirt.open(d.uri)
            s = conn.secretDefineXML(secret_xml(usage="tls", usage_id="idle", ephemeral=True))
            s.setValue(b"memory only")
            del s               # a live virSecret keeps the connection open
            conn.close()
            self.assertIsNone(d.wait(4), "storaged exited idle and lost an ephemeral secret")
            conn = libvirt.open(d.uri)
            s = conn.secretLookupByUsage(libvirt.VIR_SECRET_USAGE_TYPE_TLS, "idle")
            self.assertEqual(s.value(), b"memory only")
            s.undefine()
            del s
            conn.close()
            self.assertEqual(d.wait(20), 0, d.log())
        finally:
            d.cleanup()


def load_libvirt():
    global libvirt
    mvtest.require_python_libvirt()
    import libvirt as lv
    libvirt = lv
    libvirt.virEventRegisterDefaultImpl()

    def loop():
        while True:
            libvirt.virEventRunDefaultImpl()

    threading.Thread(target=loop, daemon=True).start()
    libvirt.registerErrorHandler(lambda ctx, err: None, None)


if __name__ == "__main__":
    mvtest.require_root()
    mvstorage.require_storaged()
    load_libvirt()
    mvtest.main()
