"""The example programs in client/examples, built by meson, run against a
real modvirt-qemud: list-guests prints the domains, watch-events sees a
define and an undefine."""

import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clienttest as ct  # noqa: E402
from clienttest import mvtest, modvirt  # noqa: E402

EXAMPLES = os.path.join(mvtest.BUILD_ROOT, "client", "examples")
LIST_GUESTS = os.environ.get("MV_EXAMPLE_LIST_GUESTS", os.path.join(EXAMPLES, "list-guests"))
WATCH_EVENTS = os.environ.get("MV_EXAMPLE_WATCH_EVENTS", os.path.join(EXAMPLES, "watch-events"))


class Examples(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        ct.require_cli()
        cls.d = mvtest.Daemon().start()
        cls.uri = ct.root_uri(cls.d.root)

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()

    def define(self, name):
        path = mvtest.write_file(os.path.join(self.d.root, name + ".xml"), ct.firmware_xml(name))
        r = modvirt(self.uri, "define", path)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_list_guests(self):
        self.define("ex-a")
        self.define("ex-b")
        r = subprocess.run([LIST_GUESTS, self.uri], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(lines[0], "2 domain(s) on %s" % self.uri)
        self.assertEqual([l.split()[0] for l in lines[1:]], ["ex-a", "ex-b"])
        self.assertTrue(all(l.endswith("shut off") for l in lines[1:]))
        for name in ("ex-a", "ex-b"):
            modvirt(self.uri, "undefine", name)
        r = subprocess.run([LIST_GUESTS, "qemu:///system?root=/nonexistent"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 1)
        self.assertIn("modvirt-qemud", r.stderr)

    def test_watch_events(self):
        proc = subprocess.Popen([WATCH_EVENTS, self.uri, "5"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        try:
            self.assertEqual(proc.stdout.readline(), "watching for 5 s\n")
            self.define("ex-c")
            modvirt(self.uri, "undefine", "ex-c")
            out, err = proc.communicate(timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.assertEqual(proc.returncode, 0, err)
        self.assertEqual(out.splitlines(), ["ex-c: defined (added)", "ex-c: undefined (removed)"])


if __name__ == "__main__":
    mvtest.main()
