"""The modvirt net-* verbs (libmodvirt's network calls) against a real
modvirt-networkd, in a private network namespace: golden net-list and
net-info in table and JSON form, every lifecycle verb (--json too), net-edit
with a scripted $EDITOR (accepted and rejected edits), net-leases, net-events,
exit codes and error sentences."""

import json
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clienttest as ct  # noqa: E402
from clienttest import mvtest, modvirt  # noqa: E402
import mvnet  # noqa: E402


def net_xml(name, n, dhcp=False):
    return mvnet.network_xml(name, bridge="mvcli%d" % n, ip="10.130.%d.1" % n,
                             dhcp=("10.130.%d.10" % n, "10.130.%d.50" % n) if dhcp else None)


class NetCli(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        ct.require_cli()
        cls.nd = mvnet.NetworkDaemon().start()
        cls.uri = "network:///system?root=%s" % cls.nd.root

    @classmethod
    def tearDownClass(cls):
        cls.nd.cleanup()

    def run_ok(self, *args, **kw):
        r = modvirt(self.uri, *args, **kw)
        self.assertEqual(r.returncode, 0, "modvirt %s: %s" % (" ".join(args), r.stderr))
        return r

    def define(self, name, n, dhcp=False):
        path = mvtest.write_file(os.path.join(self.nd.root, name + ".xml"), net_xml(name, n, dhcp))
        self.addCleanup(self.forget, name)
        return self.run_ok("net-define", path)

    def forget(self, name):
        modvirt(self.uri, "net-destroy", name)
        modvirt(self.uri, "net-undefine", name)

    def test_1_goldens(self):
        self.define("alpha", 1)
        self.define("beta", 2)
        self.run_ok("net-start", "alpha")
        ct.check_golden(self, "net-list.txt", ct.normalize(self.run_ok("net-list").stdout))
        ct.check_golden(self, "net-list.json",
                        ct.normalize(self.run_ok("net-list", "--json").stdout))
        ct.check_golden(self, "net-info-active.txt",
                        ct.normalize(self.run_ok("net-info", "alpha").stdout))
        ct.check_golden(self, "net-info-inactive.json",
                        ct.normalize(self.run_ok("net-info", "beta", "--json").stdout))
        self.assertEqual(self.run_ok("net-list", "--name").stdout, "alpha\nbeta\n")
        self.assertEqual(self.run_ok("net-list", "--active", "--name").stdout, "alpha\n")
        self.assertEqual(self.run_ok("net-list", "--inactive", "--name").stdout, "beta\n")
        info = ct.json_out(self, modvirt(self.uri, "net-info", "alpha", "--json"))
        by_uuid = ct.json_out(self, modvirt(self.uri, "net-info", info["uuid"], "--json"))
        self.assertEqual(by_uuid["name"], "alpha")
        r = modvirt(self.uri, "net-list", "--active", "--inactive")
        self.assertEqual(r.returncode, 2, r.stderr)

    def test_2_lifecycle_verbs(self):
        r = self.define("gamma", 3)
        self.assertRegex(r.stdout, r"^Network 'gamma' defined \(UUID [0-9a-f-]{36}\)\.\n$")
        uuid = ct.UUID_RE.search(r.stdout).group(0)
        r = self.run_ok("net-start", "gamma", "--json")
        self.assertEqual(json.loads(r.stdout), {"network": "gamma", "uuid": uuid,
                                                "action": "started"})
        self.assertIsNotNone(mvnet.link("mvcli3"))
        r = modvirt(self.uri, "net-start", "gamma")
        self.assertEqual(r.returncode, 1)
        self.assertIn("already active", r.stderr)
        self.assertEqual(self.run_ok("net-destroy", "gamma").stdout,
                         "Network 'gamma' stopped (its bridge and DHCP/DNS are gone).\n")
        self.assertIsNone(mvnet.link("mvcli3"))
        r = modvirt(self.uri, "net-destroy", "gamma")
        self.assertEqual(r.returncode, 1)
        self.assertIn("is not active", r.stderr)
        r = self.run_ok("net-undefine", "gamma", "--json")
        self.assertEqual(json.loads(r.stdout), {"network": "gamma", "uuid": uuid,
                                                "action": "undefined"})
        r = modvirt(self.uri, "net-info", "gamma")
        self.assertEqual(r.returncode, 1)
        self.assertIn("there is no network 'gamma'", r.stderr)

    def test_3_edit(self):
        self.define("delta", 4)
        saved = os.path.join(self.nd.root, "etc", "network", "delta.xml")
        env = {"EDITOR": "sed -i -e 's|</name>|</name><domain name=\"edit.test\"/>|'",
               "VISUAL": ""}
        r = self.run_ok("net-edit", "delta", env=env)
        self.assertEqual(r.stdout, "Network 'delta' updated.\n")
        self.assertIn("edit.test", mvtest.read_text(saved))
        env = {"EDITOR": "sed -i -e 's|</name>|</name><bogus/>|'", "VISUAL": ""}
        r = modvirt(self.uri, "net-edit", "delta", env=env)
        self.assertEqual(r.returncode, 1)
        self.assertIn("the old definition is kept and your edit is in", r.stderr)
        self.assertNotIn("bogus", mvtest.read_text(saved))
        kept = r.stderr.split("your edit is in ")[1].split(":")[0]
        self.assertTrue(os.path.exists(kept), kept)
        os.unlink(kept)
        r = self.run_ok("net-edit", "delta", env={"EDITOR": "true", "VISUAL": ""})
        self.assertEqual(r.stdout, "Network 'delta' is unchanged.\n")

    def test_4_leases(self):
        mvnet.require_dnsmasq()
        self.define("eps", 5, dhcp=True)
        self.run_ok("net-start", "eps")
        r = self.run_ok("net-leases", "eps")
        self.assertEqual(r.stdout.split("\n")[0].split(),
                         ["EXPIRES", "MAC", "FAMILY", "ADDRESS", "HOSTNAME", "CLIENT", "ID"])
        self.assertEqual(json.loads(self.run_ok("net-leases", "eps", "--json").stdout), [])
        self.assertEqual(json.loads(self.run_ok("net-leases", "eps", "--mac",
                                                "52:54:00:00:00:01", "--json").stdout), [])

    def test_5_events(self):
        ev = subprocess.Popen([ct.MODVIRT, "-c", self.uri, "net-events", "--json", "--count",
                               "3", "--timeout", "30"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(0.7)
            self.define("zeta", 6)
            self.run_ok("net-start", "zeta")
            self.run_ok("net-destroy", "zeta")
            out, err = ev.communicate(timeout=30)
        finally:
            if ev.poll() is None:
                ev.kill()
                ev.wait()
        self.assertEqual(ev.returncode, 0, err)
        events = [json.loads(line) for line in out.splitlines()]
        self.assertEqual([(e["network"], e["event"]) for e in events],
                         [("zeta", "defined"), ("zeta", "started"), ("zeta", "stopped")])

    def test_6_errors(self):
        r = modvirt(self.uri, "net-info", "nosuch")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr, "modvirt net-info: there is no network 'nosuch'; run "
                                   "'modvirt net-list' to see the defined networks.\n")
        bad = mvtest.write_file(os.path.join(self.nd.root, "bad.xml"),
                                "<network><name>bad</name><nonsense/></network>")
        r = modvirt(self.uri, "net-define", bad)
        self.assertEqual(r.returncode, 1)
        self.assertIn("/network/nonsense", r.stderr)
        r = modvirt(self.uri, "net-start")
        self.assertEqual(r.returncode, 2)


if __name__ == "__main__":
    mvtest.enter_private_netns()
    mvnet.require_networkd()
    mvtest.main()
