"""Secrets in modvirt-storaged through stock virsh, directly and through proxy.sock.

define / list / set-value / get-value / dumpxml / undefine on both paths;
libvirt's errors for a usage that is taken and a UUID whose usage would
change; get-value refused on read-only connections (virsh -r, and on the wire
so the daemon's own refusal is what is tested), to a non-root user (directly
and through the proxy, which forwards the caller's identity) and for private
secrets; the value is not readable in any file under the root; values and
definitions survive a restart, ephemeral secrets do not and never touch the
disk; lifecycle and value-changed events (virsh secret-event); a LUKS volume
created with a secret's value as its passphrase.
"""

import base64
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest
import uuid as uuidlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import mvstorage  # noqa: E402

PROC_SECRET_GET_VALUE = 145
PROC_SECRET_LOOKUP_BY_UUID = 141
ERR_OPERATION_DENIED = 29
NOBODY = 65534


def secret_xml(uuid=None, usage="volume", usage_id="/var/lib/x.img", private=False,
               ephemeral=False, description=None):
    element = {"volume": "volume", "iscsi": "target"}.get(usage, "name")
    out = ["<secret ephemeral='%s' private='%s'>" % ("yes" if ephemeral else "no",
                                                     "yes" if private else "no")]
    if uuid:
        out.append("  <uuid>%s</uuid>" % uuid)
    if description:
        out.append("  <description>%s</description>" % description)
    out.append("  <usage type='%s'><%s>%s</%s></usage>" % (usage, element, usage_id, element))
    out.append("</secret>")
    return "\n".join(out) + "\n"


class Secrets(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.sd = mvstorage.StorageDaemon().start()
        cls.px = mvstorage.ProxyDaemon(cls.sd.root).start()
        cls.tmp = tempfile.mkdtemp(prefix="mvsecret-")
        os.chmod(cls.tmp, 0o755)

    @classmethod
    def tearDownClass(cls):
        cls.px.cleanup()
        cls.sd.cleanup()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def uris(self):
        return (("direct", self.sd.uri), ("proxy", self.px.uri))

    def virsh(self, uri, *args, ok=True, readonly=False):
        """virsh ARGS; ok=True: must succeed, False: must fail, None: either."""
        res = mvtest.virsh(uri, *args, readonly=readonly)
        if ok and res.returncode != 0:
            self.fail("virsh %s failed: %s" % (" ".join(args), res.stderr))
        if ok is False and res.returncode == 0:
            self.fail("virsh %s succeeded: %s" % (" ".join(args), res.stdout))
        return res

    def write(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb" if isinstance(data, bytes) else "w") as f:
            f.write(data)
        os.chmod(path, 0o644)
        return path

    def define(self, uri, xml):
        res = self.virsh(uri, "secret-define", self.write("def.xml", xml))
        return res.stdout.split()[1]          # "Secret UUID created"

    def set_value(self, uri, uuid, value):
        self.virsh(uri, "secret-set-value", uuid, "--file", self.write("value", value),
                   "--plain")

    def get_value(self, uri, uuid):
        return base64.b64decode(self.virsh(uri, "secret-get-value", uuid).stdout.strip())

    def tearDown(self):
        for line in self.virsh(self.sd.uri, "secret-list").stdout.splitlines()[2:]:
            if line.strip():
                self.virsh(self.sd.uri, "secret-undefine", line.split()[0])

    # -- the lifecycle -----------------------------------------------------------

    def test_define_set_get_undefine(self):
        for how, uri in self.uris():
            with self.subTest(how=how):
                uuid = str(uuidlib.uuid4())
                path = "/var/lib/modvirt/images/%s.qcow2" % how
                got = self.define(uri, secret_xml(uuid, usage_id=path, description="d " + how))
                self.assertEqual(got, uuid)
                listing = self.virsh(uri, "secret-list").stdout
                self.assertIn(uuid, listing)
                self.assertIn("volume %s" % path, listing)
                value = b"s3cr\x00et \xff" + how.encode()
                self.set_value(uri, uuid, value)
                self.assertEqual(self.get_value(uri, uuid), value)
                xml = self.virsh(uri, "secret-dumpxml", uuid).stdout
                self.assertIn("<uuid>%s</uuid>" % uuid, xml)
                self.assertIn("<volume>%s</volume>" % path, xml)
                self.assertIn("<description>d %s</description>" % how, xml)
                self.assertNotIn(base64.b64encode(value).decode(), xml)
                self.virsh(uri, "secret-undefine", uuid)
                self.assertNotIn(uuid, self.virsh(uri, "secret-list").stdout)
                res = self.virsh(uri, "secret-dumpxml", uuid, ok=False)
                self.assertIn("no secret with matching uuid '%s'" % uuid, res.stderr)

    def test_generated_uuid_and_no_value(self):
        uuid = self.define(self.sd.uri, secret_xml(usage="ceph", usage_id="client.admin"))
        uuidlib.UUID(uuid)
        res = self.virsh(self.sd.uri, "secret-get-value", uuid, ok=False)
        self.assertIn("does not have a value", res.stderr)

    def test_invalid_xml(self):
        res = self.virsh(self.sd.uri, "secret-define",
                         self.write("bad.xml", "<secret><usage type='volume'>"
                                    "<volume>relative</volume></usage></secret>"), ok=False)
        self.assertIn("must be an absolute path", res.stderr)

    # -- libvirt's uniqueness rules -------------------------------------------------

    def test_usage_taken(self):
        for how, uri in self.uris():
            with self.subTest(how=how):
                first = str(uuidlib.uuid4())
                self.define(uri, secret_xml(first, usage="iscsi", usage_id="iqn.x:" + how))
                other = str(uuidlib.uuid4())
                res = self.virsh(uri, "secret-define",
                                 self.write("dup.xml", secret_xml(other, usage="iscsi",
                                                                  usage_id="iqn.x:" + how)),
                                 ok=False)
                self.assertIn("a secret with UUID %s is already defined for use with iscsi "
                              "'iqn.x:%s'" % (first, how), res.stderr)
                self.assertNotIn(other, self.virsh(uri, "secret-list").stdout)
                # the same id under another usage type is another usage
                self.define(uri, secret_xml(other, usage="tls", usage_id="iqn.x:" + how))

    def test_uuid_keeps_its_usage(self):
        uuid = self.define(self.sd.uri, secret_xml(None, usage="tls", usage_id="keep"))
        res = self.virsh(self.sd.uri, "secret-define",
                         self.write("chg.xml", secret_xml(uuid, usage="tls", usage_id="other")),
                         ok=False)
        self.assertIn("a secret with UUID %s is already defined for use with tls 'keep'"
                      % uuid, res.stderr)
        # a redefinition with the same usage replaces the description
        self.define(self.sd.uri, secret_xml(uuid, usage="tls", usage_id="keep",
                                            description="new"))
        self.assertIn("<description>new</description>",
                      self.virsh(self.sd.uri, "secret-dumpxml", uuid).stdout)

    def test_private_stays_private(self):
        uuid = self.define(self.sd.uri, secret_xml(None, usage="vtpm", usage_id="p1",
                                                   private=True))
        res = self.virsh(self.sd.uri, "secret-define",
                         self.write("pub.xml", secret_xml(uuid, usage="vtpm", usage_id="p1")),
                         ok=False)
        self.assertIn("cannot change the private flag", res.stderr)

    # -- who may read a value ----------------------------------------------------------

    def test_get_value_refused_read_only(self):
        uuid = self.define(self.sd.uri, secret_xml(None, usage="ceph", usage_id="ro"))
        self.set_value(self.sd.uri, uuid, b"ro-value")
        # virsh -r: the listing works, the value does not
        self.assertIn(uuid, self.virsh(self.sd.ro_uri, "secret-list", readonly=True).stdout)
        res = self.virsh(self.sd.ro_uri, "secret-get-value", uuid, readonly=True, ok=False)
        self.assertIn("read only access prevents virSecretGetValue", res.stderr)
        # on the wire (libvirt's client refuses before sending): the daemon refuses too,
        # directly and through the proxy's read-only socket
        raw = uuidlib.UUID(uuid).bytes
        for sock in (self.sd.ro_sock, self.px.ro_sock):
            with self.subTest(sock=sock):
                c = mvtest.WireClient(sock)
                try:
                    c.open("storage:///system")
                    found = c.call_ok(PROC_SECRET_LOOKUP_BY_UUID, raw)
                    self.assertEqual(found.fixed(16), raw)
                    args = raw + mvtest.XdrWriter().i32(2).string("ro").u32(0).bytes()
                    err = c.call_err(PROC_SECRET_GET_VALUE, args)
                finally:
                    c.close()
                self.assertEqual(err["code"], ERR_OPERATION_DENIED, err)
                self.assertIn("read only access prevents virSecretGetValue", err["message"])
        self.assertEqual(self.get_value(self.sd.uri, uuid), b"ro-value")

    def run_as_nobody(self, uri, *args):
        home = tempfile.mkdtemp(prefix="mvsecret-home-")
        os.chown(home, NOBODY, NOBODY)
        try:
            env = dict(os.environ, LC_ALL="C", LANG="C", HOME=home, XDG_CACHE_HOME=home,
                       XDG_CONFIG_HOME=home, XDG_RUNTIME_DIR=home)
            env.pop("LIBVIRT_DEFAULT_URI", None)
            return subprocess.run(["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY,
                                   "--clear-groups", "virsh", "-c", uri] + list(args),
                                  stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                  timeout=30, env=env)
        finally:
            shutil.rmtree(home, ignore_errors=True)

    def test_get_value_refused_to_other_users(self):
        uuid = self.define(self.sd.uri, secret_xml(None, usage="ceph", usage_id="users"))
        self.set_value(self.sd.uri, uuid, b"root-only")
        modes = {}
        for sock in (self.sd.sock, self.px.sock):
            modes[sock] = os.stat(sock).st_mode & 0o777
            os.chmod(sock, 0o666)
        for d in (self.sd.root, self.sd.rundir):
            os.chmod(d, 0o755)
        try:
            for how, uri in self.uris():
                with self.subTest(how=how):
                    res = self.run_as_nobody(uri, "secret-list")
                    self.assertEqual(res.returncode, 0, res.stderr)
                    self.assertIn(uuid, res.stdout)
                    res = self.run_as_nobody(uri, "secret-get-value", uuid)
                    self.assertNotEqual(res.returncode, 0, res.stdout)
                    self.assertIn("only root may read secret values", res.stderr)
                    self.assertNotIn(base64.b64encode(b"root-only").decode(), res.stdout)
        finally:
            for sock, mode in modes.items():
                os.chmod(sock, mode)
        self.assertEqual(self.get_value(self.px.uri, uuid), b"root-only")

    def test_private_value_never_leaves(self):
        uuid = self.define(self.sd.uri, secret_xml(None, usage="volume",
                                                   usage_id="/srv/private.img", private=True))
        self.set_value(self.sd.uri, uuid, b"private-value")
        for how, uri in self.uris():
            with self.subTest(how=how):
                res = self.virsh(uri, "secret-get-value", uuid, ok=False)
                self.assertIn("is private", res.stderr)
                self.assertNotIn(base64.b64encode(b"private-value").decode(), res.stdout)
        self.assertIn("private='yes'", self.virsh(self.sd.uri, "secret-dumpxml", uuid).stdout)

    # -- at rest --------------------------------------------------------------------

    def files_under(self, root):
        for top, dirs, files in os.walk(root):
            for name in files:
                path = os.path.join(top, name)
                if os.path.isfile(path) and not os.path.islink(path):
                    with open(path, "rb") as f:
                        yield path, f.read()

    def assert_not_on_disk(self, value):
        forms = [value, base64.b64encode(value), value.hex().encode()]
        for path, data in self.files_under(self.sd.root):
            for form in forms:
                self.assertNotIn(form, data, "%s holds the value (%r)" % (path, form))

    def test_value_not_readable_on_disk(self):
        value = b"an-unmistakable-value-1234"
        uuid = self.define(self.sd.uri, secret_xml(None, usage="tls", usage_id="disk"))
        self.set_value(self.px.uri, uuid, value)
        self.assertEqual(self.get_value(self.sd.uri, uuid), value)
        self.assert_not_on_disk(value)
        secrets = os.path.join(self.sd.root, "etc", "secrets")
        self.assertEqual(os.stat(os.path.join(secrets, uuid + ".value")).st_mode & 0o777, 0o600)
        key = os.path.join(self.sd.root, "lib", "secrets", "host.key")
        self.assertEqual(os.stat(key).st_mode & 0o777, 0o600)
        self.assertEqual(os.path.getsize(key), 32)

    def test_survives_restart_ephemeral_does_not(self):
        value = b"kept-across-restarts"
        kept = self.define(self.sd.uri, secret_xml(None, usage="ceph", usage_id="kept"))
        self.set_value(self.sd.uri, kept, value)
        gone = self.define(self.sd.uri, secret_xml(None, usage="ceph", usage_id="gone",
                                                   ephemeral=True))
        self.set_value(self.sd.uri, gone, b"ephemeral-value-5678")
        self.assertEqual(self.get_value(self.sd.uri, gone), b"ephemeral-value-5678")
        self.assert_not_on_disk(b"ephemeral-value-5678")
        self.assertFalse([n for n in os.listdir(os.path.join(self.sd.root, "etc", "secrets"))
                          if n.startswith(gone)])
        self.px.stop()
        self.sd.stop()
        self.sd.start()
        self.px.start()
        self.assertEqual(self.get_value(self.sd.uri, kept), value)
        self.assertEqual(self.get_value(self.px.uri, kept), value)
        listing = self.virsh(self.sd.uri, "secret-list").stdout
        self.assertIn(kept, listing)
        self.assertNotIn(gone, listing)

    # -- events -------------------------------------------------------------------------

    def test_events(self):
        for how, uri in self.uris():
            with self.subTest(how=how):
                life = mvtest.VirshEvents(uri)
                life.argv = ["virsh", "-c", uri, "secret-event", "--event", "lifecycle",
                             "--loop", "--timeout", "60"]
                value = mvtest.VirshEvents(uri)
                value.argv = ["virsh", "-c", uri, "secret-event", "--event", "value-changed",
                              "--loop", "--timeout", "60"]
                life.start()
                value.start()
                try:
                    self.wait_registered(uri, life, value, how)
                    uuid = self.define(self.sd.uri, secret_xml(None, usage="tls",
                                                               usage_id="ev-" + how))
                    life.wait_line("for secret %s: Defined" % uuid)
                    self.set_value(self.sd.uri, uuid, b"v1")
                    value.wait_line("event 'value-changed' for secret %s" % uuid)
                    self.virsh(self.sd.uri, "secret-undefine", uuid)
                    life.wait_line("for secret %s: Undefined" % uuid)
                finally:
                    life.stop()
                    value.stop()

    def wait_registered(self, uri, life, value, how):
        """Both virsh watchers are registered once a probe secret's events reach them."""
        probe = str(uuidlib.uuid4())
        try:
            for _ in range(100):
                self.define(self.sd.uri, secret_xml(probe, usage="tls", usage_id="probe-" + how))
                self.set_value(self.sd.uri, probe, b"probe")
                if (any(probe in l for l in life.event_lines()) and
                        any(probe in l for l in value.event_lines())):
                    return
                mvtest.wait_for(lambda: any(probe in l for l in value.event_lines()), 0.2)
            self.fail("virsh secret-event never saw the probe secret:\n%s\n%s"
                      % ("\n".join(life.lines()), "\n".join(value.lines())))
        finally:
            self.virsh(self.sd.uri, "secret-undefine", probe)

    # -- LUKS ----------------------------------------------------------------------------

    def test_luks_volume_uses_secret(self):
        mvtest.require_tools("qemu-img")
        pool_dir = os.path.join(self.sd.root, "luks-pool")
        os.makedirs(pool_dir)
        pool = self.write("pool.xml", mvstorage.dir_pool_xml("luks", pool_dir))
        self.virsh(self.sd.uri, "pool-define", pool)
        self.virsh(self.sd.uri, "pool-start", "luks")
        try:
            path = os.path.join(pool_dir, "enc.qcow2")
            uuid = self.define(self.sd.uri, secret_xml(None, usage="volume", usage_id=path,
                                                       private=True))
            vol = ("<volume><name>enc.qcow2</name><capacity unit='MiB'>16</capacity>"
                   "<target><format type='qcow2'/><encryption format='luks'>"
                   "<secret type='passphrase' uuid='%s'/></encryption></target></volume>"
                   % uuid)
            res = self.virsh(self.sd.uri, "vol-create", "luks", self.write("vol.xml", vol),
                             ok=False)
            self.assertIn("does not have a value", res.stderr)
            self.assertFalse(os.path.exists(path))
            self.set_value(self.sd.uri, uuid, b"luks-passphrase")
            self.virsh(self.sd.uri, "vol-create", "luks", self.write("vol.xml", vol))
            # qemu-img opens it with the passphrase, and only with it
            info = subprocess.run(["qemu-img", "info", "--output=json", path],
                                  capture_output=True, text=True, timeout=30)
            self.assertEqual(info.returncode, 0, info.stderr)
            self.assertIn('"encrypted": true', info.stdout)
            self.assertIn('"format": "luks"', info.stdout)
            out = os.path.join(self.tmp, "plain.raw")

            def unlock(passphrase):
                return subprocess.run(
                    ["qemu-img", "convert", "--object", "secret,id=s0,data=" + passphrase,
                     "--image-opts",
                     "driver=qcow2,file.filename=%s,encrypt.key-secret=s0" % path,
                     "-O", "raw", out], capture_output=True, text=True, timeout=60)
            opened = unlock("luks-passphrase")
            self.assertEqual(opened.returncode, 0, opened.stderr)
            self.assertEqual(os.path.getsize(out), 16 << 20)
            wrong = unlock("wrong")
            self.assertNotEqual(wrong.returncode, 0, wrong.stdout)
            self.assertIn("Invalid password", wrong.stderr)
            self.assert_not_on_disk(b"luks-passphrase")

            # the secret named by its usage (the volume's path) instead of its UUID
            path2 = os.path.join(pool_dir, "enc2.qcow2")
            uuid2 = self.define(self.sd.uri, secret_xml(None, usage="volume", usage_id=path2))
            self.set_value(self.sd.uri, uuid2, b"second-passphrase")
            vol2 = vol.replace("enc.qcow2", "enc2.qcow2").replace(
                "uuid='%s'" % uuid, "usage='%s'" % path2)
            self.virsh(self.sd.uri, "vol-create", "luks", self.write("vol2.xml", vol2))
            res = subprocess.run(
                ["qemu-img", "convert", "--object", "secret,id=s0,data=second-passphrase",
                 "--image-opts", "driver=qcow2,file.filename=%s,encrypt.key-secret=s0" % path2,
                 "-O", "raw", out], capture_output=True, text=True, timeout=60)
            self.assertEqual(res.returncode, 0, res.stderr)
            self.virsh(self.sd.uri, "vol-delete", "enc2.qcow2", "--pool", "luks")
        finally:
            self.virsh(self.sd.uri, "vol-delete", "enc.qcow2", "--pool", "luks", ok=None)
            self.virsh(self.sd.uri, "pool-destroy", "luks")
            self.virsh(self.sd.uri, "pool-undefine", "luks")


PKI = os.environ.get("MV_PKI", os.path.join(mvtest.BUILD_ROOT, "tools", "pki", "modvirt-pki"))


class OverTls(unittest.TestCase):
    """A TLS client of the proxy manages secrets but is no local root: get-value refused."""

    def test_tls_client_cannot_read_values(self):
        sd = mvstorage.StorageDaemon().start()
        px = None
        try:
            res = subprocess.run([PKI, "--root", sd.root, "--bits", "2048", "init", "--cn",
                                  "alice", "--client-dir", os.path.join(sd.root, "alice")],
                                 capture_output=True, text=True, timeout=120,
                                 stdin=subprocess.DEVNULL)
            self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            px = mvstorage.ProxyDaemon(sd.root, config="[tls]\nlisten = 127.0.0.1:%d\n"
                                       "allowed_dn = C=GB,O=modvirt,CN=alice\n" % port).start()
            uri = "storage+tls://127.0.0.1:%d/system?pkipath=%s" % (
                port, os.path.join(sd.root, "alice"))
            path = os.path.join(sd.root, "def.xml")
            with open(path, "w") as f:
                f.write(secret_xml(None, usage="tls", usage_id="over-tls"))
            res = mvtest.virsh(uri, "secret-define", path, check=True)
            uuid = res.stdout.split()[1]
            value = os.path.join(sd.root, "value")
            with open(value, "wb") as f:
                f.write(b"tls-set")
            mvtest.virsh(uri, "secret-set-value", uuid, "--file", value, "--plain", check=True)
            res = mvtest.virsh(uri, "secret-get-value", uuid)
            self.assertNotEqual(res.returncode, 0, res.stdout)
            self.assertIn("only root may read secret values", res.stderr)
            # root on the host reads it
            res = mvtest.virsh(sd.uri, "secret-get-value", uuid, check=True)
            self.assertEqual(base64.b64decode(res.stdout.strip()), b"tls-set")
        finally:
            if px:
                px.stop()
            sd.cleanup()


if __name__ == "__main__":
    mvtest.require_root()
    mvstorage.require_storaged()
    mvtest.require_tools("virsh", "setpriv")
    mvtest.main()
