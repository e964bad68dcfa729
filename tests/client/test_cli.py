"""The modvirt CLI against a real modvirt-qemud: golden `list` and `info` in
table and JSON form, every lifecycle verb (--json too), `edit` with a
scripted $EDITOR, `events`, help, exit codes and error sentences."""

import json
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clienttest as ct  # noqa: E402
from clienttest import mvtest, modvirt  # noqa: E402


class Cli(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        mvtest.require_tools("qemu-system-x86_64")
        ct.require_cli()
        cls.d = mvtest.GuestDaemon().start()
        cls.uri = ct.root_uri(cls.d.root)

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()

    def run_ok(self, *args, **kw):
        r = modvirt(self.uri, *args, **kw)
        self.assertEqual(r.returncode, 0, "modvirt %s: %s" % (" ".join(args), r.stderr))
        return r

    def define(self, name, **kw):
        path = mvtest.write_file(os.path.join(self.d.root, name + ".xml"),
                                 ct.firmware_xml(name, **kw))
        self.run_ok("define", path)

    def cleanup_domain(self, name):
        modvirt(self.uri, "power-off", name)
        modvirt(self.uri, "undefine", name)

    # ------------------------------------------------------------------
    def test_1_goldens(self):
        """list and info, table and JSON, normalized."""
        self.define("alpha")
        self.define("beta", memory_mib=64)
        self.addCleanup(self.cleanup_domain, "alpha")
        self.addCleanup(self.cleanup_domain, "beta")
        self.run_ok("start", "alpha")
        self.run_ok("autostart", "beta")

        ct.check_golden(self, "list.txt", ct.normalize(self.run_ok("list").stdout))
        ct.check_golden(self, "list.json", ct.normalize(self.run_ok("list", "--json").stdout))
        ct.check_golden(self, "info-running.txt",
                        ct.normalize(self.run_ok("info", "alpha").stdout))
        ct.check_golden(self, "info-running.json",
                        ct.normalize(self.run_ok("info", "alpha", "--json").stdout))
        ct.check_golden(self, "info-shutoff.txt",
                        ct.normalize(self.run_ok("info", "beta").stdout))
        ct.check_golden(self, "info-shutoff.json",
                        ct.normalize(self.run_ok("info", "beta", "--json").stdout))

        # filters and names
        self.assertEqual(self.run_ok("list", "--name").stdout, "alpha\nbeta\n")
        self.assertEqual(self.run_ok("list", "--active", "--name").stdout, "alpha\n")
        self.assertEqual(self.run_ok("list", "--inactive", "--name").stdout, "beta\n")
        # lookups by id and UUID give the same domain
        info = ct.json_out(self, modvirt(self.uri, "info", "alpha", "--json"))
        by_id = ct.json_out(self, modvirt(self.uri, "info", str(info["id"]), "--json"))
        by_uuid = ct.json_out(self, modvirt(self.uri, "info", info["uuid"], "--json"))
        self.assertEqual(by_id["name"], "alpha")
        self.assertEqual(by_uuid["name"], "alpha")

    def test_2_lifecycle_verbs(self):
        self.define("gamma")
        self.addCleanup(self.cleanup_domain, "gamma")
        steps = [
            ("start", "started", "running"),
            ("suspend", "suspended", "paused"),
            ("resume", "resumed", "running"),
            ("reset", "reset", "running"),
            ("reboot", "reboot-requested", None),
            ("shutdown", "shutdown-requested", None),
            ("power-off", "powered-off", "shut off"),
        ]
        for verb, action, state in steps:
            out = ct.json_out(self, modvirt(self.uri, verb, "gamma", "--json"))
            self.assertEqual(out["action"], action)
            self.assertEqual(out["domain"], "gamma")
            if state:
                info = ct.json_out(self, modvirt(self.uri, "info", "gamma", "--json"))
                self.assertEqual(info["state"], state, verb)
        r = self.run_ok("start", "gamma")
        self.assertEqual(r.stdout, "Domain 'gamma' started.\n")
        r = self.run_ok("power-off", "gamma")
        self.assertEqual(r.stdout, "Domain 'gamma' powered off.\n")
        xml = self.run_ok("dumpxml", "gamma").stdout
        self.assertIn("<name>gamma</name>", xml)
        out = ct.json_out(self, modvirt(self.uri, "dumpxml", "gamma", "--json"))
        self.assertEqual(out["xml"].strip(), xml.strip())
        out = ct.json_out(self, modvirt(self.uri, "autostart", "gamma", "--disable", "--json"))
        self.assertEqual(out["action"], "autostart-disabled")
        out = ct.json_out(self, modvirt(self.uri, "undefine", "gamma", "--json"))
        self.assertEqual(out["action"], "undefined")
        r = modvirt(self.uri, "info", "gamma")
        self.assertEqual(r.returncode, 1)

    def test_3_edit(self):
        self.define("delta")
        self.addCleanup(self.cleanup_domain, "delta")
        before = self.run_ok("dumpxml", "--inactive", "delta").stdout
        self.assertIn(">32768<", before)

        # a valid change is saved
        env = {"EDITOR": "sed -i -e 's|>32768<|>65536<|g'", "VISUAL": ""}
        r = self.run_ok("edit", "delta", env=env)
        self.assertIn("Domain 'delta' updated", r.stdout)
        after = self.run_ok("dumpxml", "--inactive", "delta").stdout
        self.assertIn(">65536<", after)

        # an invalid change is rejected and the definition stays as it was
        env = {"EDITOR": "sed -i -e 's|</name>|</name><bogus/>|'", "VISUAL": ""}
        r = modvirt(self.uri, "edit", "delta", env=env)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, "")
        self.assertIn("bogus", r.stderr)
        self.assertIn("the old definition is kept", r.stderr)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        kept = r.stderr.split("your edit is in ")[1].split(":")[0]
        self.assertIn("<bogus/>", mvtest.read_text(kept))
        os.unlink(kept)
        self.assertEqual(self.run_ok("dumpxml", "--inactive", "delta").stdout, after)

        # nothing changed, and an editor that fails
        r = self.run_ok("edit", "delta", env={"EDITOR": "true", "VISUAL": ""})
        self.assertIn("unchanged", r.stdout)
        r = modvirt(self.uri, "edit", "delta", env={"EDITOR": "false", "VISUAL": ""})
        self.assertEqual(r.returncode, 1)
        self.assertIn("nothing was changed", r.stderr)
        out = ct.json_out(self, modvirt(self.uri, "edit", "delta", "--json",
                                        env={"EDITOR": "true", "VISUAL": ""}))
        self.assertEqual(out["action"], "unchanged")

    def test_4_events(self):
        env = dict(os.environ, LC_ALL="C")
        proc = subprocess.Popen([ct.MODVIRT, "-c", self.uri, "events", "--json", "--count", "2",
                                 "--timeout", "30"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=env)
        try:
            banner = proc.stderr.readline()
            self.assertIn("Watching domain events", banner)
            self.define("epsilon")
            self.run_ok("undefine", "epsilon")
            out, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.assertEqual(proc.returncode, 0, err)
        events = [json.loads(line) for line in out.splitlines()]
        self.assertEqual([(e["event"], e["detail"], e["domain"]) for e in events],
                         [("defined", "added", "epsilon"), ("undefined", "removed", "epsilon")])

        # text form, filtered to one domain
        self.define("zeta")
        self.addCleanup(self.cleanup_domain, "zeta")
        proc = subprocess.Popen([ct.MODVIRT, "-c", self.uri, "events", "zeta", "--count", "2",
                                 "--timeout", "30"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=env)
        try:
            proc.stderr.readline()
            self.define("eta")
            self.addCleanup(self.cleanup_domain, "eta")
            self.run_ok("start", "zeta")
            out, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        lines = out.splitlines()
        self.assertTrue(all("'zeta'" in l for l in lines), lines)
        self.assertIn("domain 'zeta' started (booted)", lines)

    def test_5_errors_and_usage(self):
        r = modvirt(self.uri, "info", "nosuch")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr, "modvirt info: no domain with name, UUID or id 'nosuch'; "
                                   "run 'modvirt list' to see the defined domains.\n")
        self.define("theta")
        self.addCleanup(self.cleanup_domain, "theta")
        self.run_ok("start", "theta")
        r = modvirt(self.uri, "start", "theta")
        self.assertEqual(r.returncode, 1)
        self.assertIn("already running; check its state with 'modvirt info theta'.", r.stderr)
        self.assertEqual(len(r.stderr.splitlines()), 1)

        for args in (["bogus"], ["list", "extra"], ["info"], ["list", "--bogus"], ["--bogus"]):
            r = modvirt(self.uri, *args)
            self.assertEqual(r.returncode, 2, args)
            self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
            self.assertIn("--help", r.stderr)
        r = modvirt(None)
        self.assertEqual(r.returncode, 2)

        r = modvirt("qemu:///system?root=%s/nonexistent" % self.d.root, "list")
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot connect to modvirt-qemud at", r.stderr)
        self.assertIn("start modvirt-qemud", r.stderr)
        r = modvirt("foo:///system", "list")
        self.assertEqual(r.returncode, 1)
        self.assertIn("unknown driver 'foo'", r.stderr)

        # the default URI comes from MODVIRT_DEFAULT_URI
        r = modvirt(None, "list", "--name", env={"MODVIRT_DEFAULT_URI": self.uri})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("theta", r.stdout)

    def test_6_help(self):
        r = modvirt(None, "--help")
        self.assertEqual(r.returncode, 0)
        for verb in ("list", "info", "define", "undefine", "start", "shutdown", "power-off",
                     "reboot", "reset", "suspend", "resume", "dumpxml", "edit", "autostart",
                     "console", "events"):
            self.assertIn("  %s " % verb, r.stdout)
            h = modvirt(None, verb, "--help")
            self.assertEqual(h.returncode, 0, verb)
            self.assertIn("modvirt %s" % verb, h.stdout)
            self.assertIn("--json", h.stdout)
        r = modvirt(None, "help", "power-off")
        self.assertIn("--graceful", r.stdout)
        self.assertRegex(modvirt(None, "--version").stdout, r"^modvirt \d+\.\d+\.\d+\n$")

    def test_7_bash_completion(self):
        script = os.path.join(mvtest.SOURCE_ROOT, "client", "cli", "modvirt.bash")
        r = subprocess.run(["bash", "-n", script], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        if not os.path.exists("/usr/share/bash-completion/bash_completion"):
            return
        self.define("iota")
        self.addCleanup(self.cleanup_domain, "iota")
        prog = """
source /usr/share/bash-completion/bash_completion
source %s
PATH=%s:$PATH
COMP_WORDS=(modvirt -c '%s' info "")
COMP_CWORD=4
_modvirt
echo "${COMPREPLY[@]}"
COMP_WORDS=(modvirt pow)
COMP_CWORD=1
_modvirt
echo "${COMPREPLY[@]}"
""" % (script, os.path.dirname(ct.MODVIRT), self.uri)
        r = subprocess.run(["bash", "-c", prog], capture_output=True, text=True, timeout=30)
        lines = r.stdout.splitlines()
        self.assertIn("iota", lines[0].split(), r.stdout + r.stderr)
        self.assertEqual(lines[1], "power-off")


if __name__ == "__main__":
    mvtest.main()
