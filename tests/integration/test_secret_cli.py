"""libmodvirt's secret calls through the `modvirt secret-*` verbs, end to end
against modvirt-storaged (directly and through the proxy): secret-define (file
and stdin), secret-list (table, --json, filter flags), secret-dumpxml by UUID and
by USAGE:ID, secret-set-value from stdin and --file (the bytes exactly),
secret-get-value (raw and --json base64), refusals (private, read-only, no such
secret), secret-undefine and secret-events (--json); set-value takes no value argument."""

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import mvstorage  # noqa: E402

SECRET = ("<secret ephemeral='no' private='%s'><uuid>%s</uuid>"
          "<usage type='volume'><volume>%s</volume></usage></secret>\n")


class SecretCli(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.sd = mvstorage.StorageDaemon().start()
        cls.px = mvstorage.ProxyDaemon(cls.sd.root).start()
        cls.tmp = tempfile.mkdtemp(prefix="mvsecret-cli-")

    @classmethod
    def tearDownClass(cls):
        cls.px.cleanup()
        cls.sd.cleanup()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def cli(self, uri, *args, stdin=b"", ok=True):
        env = dict(os.environ, LC_ALL="C", LANG="C")
        env.pop("MODVIRT_DEFAULT_URI", None)
        r = subprocess.run([mvstorage.MODVIRT, "-c", uri] + list(args), input=stdin,
                           capture_output=True, env=env, timeout=60)
        mvtest.check_sanitizer_output(r.stderr.decode(errors="replace"), " ".join(args))
        if ok:
            self.assertEqual(r.returncode, 0, r.stderr)
        elif ok is False:
            self.assertNotEqual(r.returncode, 0, r.stdout)
        return r

    def test_verbs(self):
        for how, uri in (("direct", self.sd.uri), ("proxy", self.px.uri)):
            with self.subTest(how=how):
                uuid = "6f0e2a9c-3b1d-4c5e-8f7a-%012d" % (1 if how == "direct" else 2)
                path = "/srv/cli-%s.img" % how
                r = self.cli(uri, "secret-define", "-",
                             stdin=(SECRET % ("no", uuid, path)).encode())
                self.assertIn(b"Secret %s defined." % uuid.encode(), r.stdout)
                table = self.cli(uri, "secret-list").stdout.decode()
                self.assertIn("UUID", table.splitlines()[0])
                self.assertIn(uuid, table)
                self.assertIn(path, table)
                listed = json.loads(self.cli(uri, "secret-list", "--json").stdout)
                self.assertIn({"uuid": uuid, "usage": "volume", "usage_id": path}, listed)
                self.assertEqual(json.loads(self.cli(uri, "secret-list", "--json",
                                                     "--private").stdout), [])
                xml = self.cli(uri, "secret-dumpxml", "volume:" + path).stdout.decode()
                self.assertIn("<uuid>%s</uuid>" % uuid, xml)

                value = b"line one\nline two\n\x00\xff"
                self.cli(uri, "secret-set-value", uuid, stdin=value)
                self.assertEqual(self.cli(uri, "secret-get-value", uuid).stdout, value)
                f = os.path.join(self.tmp, "value")
                with open(f, "wb") as fh:
                    fh.write(b"from-a-file")
                self.cli(uri, "secret-set-value", "--file", f, "volume:" + path)
                got = json.loads(self.cli(uri, "secret-get-value", "--json", uuid).stdout)
                self.assertEqual(base64.b64decode(got["value_base64"]), b"from-a-file")
                # never from the command line
                r = self.cli(uri, "secret-set-value", uuid, "argv-value", ok=False)
                self.assertEqual(self.cli(uri, "secret-get-value", uuid).stdout, b"from-a-file")

                r = self.cli(uri, "secret-undefine", uuid)
                self.assertIn(b"undefined", r.stdout)
                r = self.cli(uri, "secret-dumpxml", uuid, ok=False)
                self.assertIn(b"no secret with matching uuid", r.stderr)

    def test_refusals(self):
        uuid = "6f0e2a9c-3b1d-4c5e-8f7a-000000000009"
        self.cli(self.sd.uri, "secret-define", "-",
                 stdin=(SECRET % ("yes", uuid, "/srv/private.img")).encode())
        self.cli(self.sd.uri, "secret-set-value", uuid, stdin=b"private")
        r = self.cli(self.sd.uri, "secret-get-value", uuid, ok=False)
        self.assertIn(b"is private", r.stderr)
        self.assertNotIn(b"private", r.stdout)
        r = self.cli(self.sd.ro_uri, "secret-get-value", uuid, ok=False)
        self.assertIn(b"read only access prevents virSecretGetValue", r.stderr)
        r = self.cli(self.sd.ro_uri, "secret-list")
        self.assertIn(uuid.encode(), r.stdout)
        r = self.cli(self.sd.uri, "secret-dumpxml", "nvme:x", ok=False)
        self.assertIn(b"neither a UUID nor USAGE:ID", r.stderr)
        self.cli(self.sd.uri, "secret-undefine", uuid)

    def test_events(self):
        for how, uri in (("direct", self.sd.uri), ("proxy", self.px.uri)):
            with self.subTest(how=how):
                ev = subprocess.Popen([mvstorage.MODVIRT, "-c", uri, "secret-events", "--json",
                                       "--count", "3", "--timeout", "30"],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                try:
                    # the banner is printed once the watch is registered
                    self.assertIn("Watching secret events", ev.stderr.readline())
                    uuid = "6f0e2a9c-3b1d-4c5e-8f7a-%012d" % (11 if how == "direct" else 12)
                    self.cli(self.sd.uri, "secret-define", "-",
                             stdin=(SECRET % ("no", uuid, "/srv/ev-" + how)).encode())
                    self.cli(self.sd.uri, "secret-set-value", uuid, stdin=b"v")
                    self.cli(self.sd.uri, "secret-undefine", uuid)
                    out, err = ev.communicate(timeout=30)
                finally:
                    if ev.poll() is None:
                        ev.kill()
                        ev.wait()
                self.assertEqual(ev.returncode, 0, err)
                events = [json.loads(line) for line in out.splitlines()]
                self.assertEqual([(e["uuid"], e["event"]) for e in events],
                                 [(uuid, "defined"), (uuid, "value-changed"),
                                  (uuid, "undefined")])
                self.assertEqual(events[0]["usage_id"], "/srv/ev-" + how)
                self.assertNotIn("v", [e.get("value") for e in events])


if __name__ == "__main__":
    mvtest.require_root()
    mvstorage.require_storaged()
    mvtest.main()
