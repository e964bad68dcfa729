"""The test harness itself: mvtest.main() speaks TAP (mvtap.py), so a skipped
case is visible, and scripts/test-results.py (the counting half of
scripts/test.sh) lists skipped cases and fails on them under CI=true unless
tests/allowed-skips.txt allows them.  Planted scripts run in a temp dir."""

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

import mvtest

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(mvtest.SOURCE_ROOT, "scripts", "test-results.py")

PLANTED = textwrap.dedent("""\
    import os, sys, unittest
    sys.path.insert(0, %r)
    import mvtest

    class Planted(unittest.TestCase):
        def test_a_passes(self):
            print("stray output of a test")
            os.system("echo stray output of a child")

        def test_b_skips(self):
            self.skipTest("no # frobnicator here")

        @unittest.expectedFailure
        def test_c_known_gap(self):
            self.assertEqual(1, 2)

        def test_d_subtests(self):
            for i in range(3):
                with self.subTest(i=i):
                    if os.environ.get("PLANT_FAIL") and i == 1:
                        self.fail("planted failure")

    @unittest.skip("whole class skipped")
    class Skipped(unittest.TestCase):
        def test_x(self):
            pass

    if __name__ == "__main__":
        if os.environ.get("PLANT_SKIP_SCRIPT"):
            mvtest.skip_script("nothing to test here")
        mvtest.main()
    """) % HERE


def run_planted(tmp, **env):
    path = os.path.join(tmp, "planted.py")
    with open(path, "w") as f:
        f.write(PLANTED)
    full_env = dict(os.environ)
    for k in ("CI", "MV_TEST_REGENERATE", "PLANT_FAIL", "PLANT_SKIP_SCRIPT"):
        full_env.pop(k, None)
    full_env.update(env)
    return subprocess.run([sys.executable, path], capture_output=True, text=True,
                          env=full_env, stdin=subprocess.DEVNULL, timeout=60)


def run_results(tmp, stdout, result, allow, ci, more_allow=None):
    log = os.path.join(tmp, "testlog.json")
    with open(log, "w") as f:
        f.write(json.dumps({"name": "modvirt:integration / planted", "result": result,
                            "stdout": stdout}) + "\n")
        f.write(json.dumps({"name": "modvirt:util / util-x", "result": "OK",
                            "stdout": "1..1\nok 1 /x\n"}) + "\n")
    allow_path = os.path.join(tmp, "allowed-skips.txt")
    with open(allow_path, "w") as f:
        f.write(allow)
    extra = []
    if more_allow is not None:       # a second allow-list (the sanitized pass)
        extra.append(os.path.join(tmp, "allowed-skips-more.txt"))
        with open(extra[0], "w") as f:
            f.write(more_allow)
    return subprocess.run([sys.executable, RESULTS, log, allow_path, "1" if ci else "0"]
                          + extra, capture_output=True, text=True, timeout=60)


class TapOutput(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="mv-tap-")

    def tearDown(self):
        subprocess.run(["rm", "-rf", self.tmp])

    def test_cases_are_tap_lines(self):
        r = run_planted(self.tmp)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines(), [
            "TAP version 13",
            "ok 1 Planted.test_a_passes",
            "ok 2 Planted.test_b_skips # SKIP no  frobnicator here",
            "not ok 3 Planted.test_c_known_gap # TODO expected failure: "
            "AssertionError: 1 != 2",
            "ok 4 Planted.test_d_subtests",
            "ok 5 Skipped.test_x # SKIP whole class skipped",
            "1..5",
        ])
        self.assertIn("stray output of a test", r.stderr)
        self.assertIn("stray output of a child", r.stderr)

    def test_failed_subtest_fails_the_case(self):
        r = run_planted(self.tmp, PLANT_FAIL="1")
        self.assertEqual(r.returncode, 1)
        self.assertIn("not ok 4 Planted.test_d_subtests", r.stdout.splitlines())
        self.assertIn("planted failure", r.stderr)

    def test_skip_script_is_a_zero_plan(self):
        r = run_planted(self.tmp, PLANT_SKIP_SCRIPT="1")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "1..0 # SKIP nothing to test here\n")

    def test_regenerate_refused_on_ci(self):
        r = run_planted(self.tmp, CI="true", MV_TEST_REGENERATE="1")
        self.assertEqual(r.returncode, 1)
        self.assertTrue(r.stdout.startswith("Bail out! MV_TEST_REGENERATE"), r.stdout)


class SkipPolicy(unittest.TestCase):
    """scripts/test-results.py on a testlog.json holding the planted output."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mv-tap-")
        r = run_planted(cls.tmp)
        assert r.returncode == 0, r.stderr
        cls.stdout = r.stdout

    @classmethod
    def tearDownClass(cls):
        subprocess.run(["rm", "-rf", cls.tmp])

    def test_skipped_cases_listed(self):
        r = run_results(self.tmp, self.stdout, "OK", "", ci=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.split(), ["2", "0", "2"])
        self.assertIn("skipped: planted:Planted.test_b_skips -- no  frobnicator here",
                      r.stderr)
        self.assertIn("skipped: planted:Skipped.test_x -- whole class skipped", r.stderr)
        self.assertIn("known gap (expected failure): planted:Planted.test_c_known_gap", r.stderr)

    def test_ci_fails_on_skips(self):
        r = run_results(self.tmp, self.stdout, "OK", "", ci=True)
        self.assertEqual(r.stdout.split(), ["2", "2", "2"])
        self.assertIn("failed: planted:Planted.test_b_skips skipped under CI=true", r.stderr)

    def test_ci_allow_list(self):
        allow = ("# comment\n\nplanted:Planted.test_b_skips  no frobnicator on CI\n"
                 "planted:Skipped.*  the class is skipped on purpose\n")
        r = run_results(self.tmp, self.stdout, "OK", allow, ci=True)
        self.assertEqual(r.stdout.split(), ["2", "0", "2"], r.stderr)

    def test_ci_second_allow_list(self):
        r = run_results(self.tmp, self.stdout, "OK", "planted:Skipped.*  on purpose\n",
                        ci=True, more_allow="planted:Planted.test_b_skips  this pass only\n")
        self.assertEqual(r.stdout.split(), ["2", "0", "2"], r.stderr)
        r = run_results(self.tmp, self.stdout, "OK", "planted:Skipped.*  on purpose\n",
                        ci=True, more_allow="planted:Planted.test_b_skips\n")
        self.assertEqual(r.stdout.split(), ["2", "2", "2"], r.stderr)
        self.assertIn("allowed-skips-more.txt:1: 'planted:Planted.test_b_skips' has no reason",
                      r.stderr)

    def test_ci_allow_entry_needs_reason(self):
        r = run_results(self.tmp, self.stdout, "OK", "planted:*\n", ci=True)
        # the entry is refused (a failure) and so allows nothing (two more)
        self.assertEqual(r.stdout.split(), ["2", "3", "2"])
        self.assertIn("has no reason", r.stderr)

    def test_whole_test_skip(self):
        r = run_results(self.tmp, "1..0 # SKIP nothing to test here\n", "SKIP", "", ci=True)
        self.assertEqual(r.stdout.split(), ["1", "1", "1"])
        self.assertIn("skipped: planted -- nothing to test here", r.stderr)


# A stand-in daemon: prints PLANT_REPORT on stderr when SIGTERMed (as LeakSanitizer
# reports at exit), then exits 0.
FAKE_DAEMON = textwrap.dedent("""\
    #!/bin/sh
    trap 'printf "%s\\n" "$PLANT_REPORT" >&2; exit 0' TERM
    echo started >&2
    while :; do sleep 0.05; done
    """)

LEAK = ("==4242==ERROR: LeakSanitizer: detected memory leaks\n\n"
        "Direct leak of 24 byte(s) in 1 object(s) allocated from:\n"
        "    #0 0x7f in malloc\n")
UBSAN = "../daemons/qemu/qemu-domain.c:120:9: runtime error: signed integer overflow"

PLANTED_LEFT_RUNNING = textwrap.dedent("""\
    import os, sys, time, unittest
    sys.path.insert(0, %r)
    import mvtest

    class LeftRunning(unittest.TestCase):
        def test_daemon_left_to_main(self):
            d = mvtest.Daemon(binary=os.environ["PLANT_DAEMON"],
                              env={"PLANT_REPORT": os.environ["PLANT_REPORT"]}).spawn()
            mvtest.wait_for(lambda: "started" in d.log(), 10)

    if __name__ == "__main__":
        mvtest.main()
    """) % HERE


class SanitizerScan(unittest.TestCase):
    """mvtest.Daemon fails the case (SanitizerReport naming the log, root kept) when a
    reaped daemon's log holds a sanitizer report; mvtest.main() fails the script for a
    report found only by its final cleanup."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="mv-san-")
        self.fake = os.path.join(self.tmp, "fake-daemon")
        with open(self.fake, "w") as f:
            f.write(FAKE_DAEMON)
        os.chmod(self.fake, 0o755)
        self.daemons = []

    def tearDown(self):
        for d in self.daemons:
            d.kill9()
            mvtest._all_daemons.remove(d)      # not this script's daemons to judge
            subprocess.run(["rm", "-rf", d.root])
        subprocess.run(["rm", "-rf", self.tmp])

    def fake_daemon(self, report):
        d = mvtest.Daemon(binary=self.fake, env={"PLANT_REPORT": report})
        self.daemons.append(d)
        d.spawn()
        self.assertTrue(mvtest.wait_for(lambda: "started" in d.log(), 10), d.log())
        return d

    def test_leak_report_at_exit(self):
        d = self.fake_daemon(LEAK)
        with self.assertRaises(mvtest.SanitizerReport) as cm:
            d.cleanup()
        self.assertIn(d.log_path, str(cm.exception))
        self.assertIn("Direct leak of 24 byte(s)", str(cm.exception))
        self.assertTrue(os.path.exists(d.log_path), "the root with the log must be kept")
        self.assertEqual(d.stop(), 0)           # reported once

    def test_ubsan_report(self):
        d = self.fake_daemon(UBSAN)
        self.assertRaisesRegex(mvtest.SanitizerReport, "signed integer overflow", d.stop)

    def test_clean_log(self):
        d = self.fake_daemon("error: a runtime error: mentioned in plain text")
        self.assertEqual(d.stop(), 0)
        self.assertIsNone(d.sanitizer_report)

    def test_client_output(self):
        mvtest.check_sanitizer_output("all fine\n", "modvirt list")
        self.assertRaisesRegex(mvtest.SanitizerReport, "modvirt list",
                               mvtest.check_sanitizer_output, "x\n" + LEAK, "modvirt list")

    def test_report_at_final_cleanup_fails_script(self):
        path = os.path.join(self.tmp, "left.py")
        with open(path, "w") as f:
            f.write(PLANTED_LEFT_RUNNING)
        env = dict(os.environ, PLANT_DAEMON=self.fake, PLANT_REPORT=LEAK)
        env.pop("MV_TEST_KEEP", None)
        r = subprocess.run([sys.executable, path], capture_output=True, text=True, env=env,
                           stdin=subprocess.DEVNULL, timeout=60)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("ok 1 LeftRunning.test_daemon_left_to_main", r.stdout)
        self.assertIn("FAIL: sanitizer report in ", r.stderr)
        kept = [l.split()[-1].rstrip(":") for l in r.stderr.splitlines()
                if l.startswith("FAIL: sanitizer report in ")]
        for log in kept:
            subprocess.run(["rm", "-rf", os.path.dirname(log)])
        env["PLANT_REPORT"] = "clean"
        r = subprocess.run([sys.executable, path], capture_output=True, text=True, env=env,
                           stdin=subprocess.DEVNULL, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


SELECT = os.path.join(mvtest.SOURCE_ROOT, "scripts", "sanitize-select.py")
LISTED = ("modvirt:util / util-xml\nmodvirt:qemu / guest-boot\n"
          "modvirt:integration / domain-virsh\nmodvirt:integration / lifecycle\n"
          "modvirt:client / lifecycle\nmodvirt:integration / wire\n")


class SanitizeSelect(unittest.TestCase):
    """scripts/sanitize-select.py: the tests of the sanitized pass, from meson's list
    minus tests/sanitize-exclude.txt (which must give reasons and must not go stale)."""

    def select(self, exclude):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write(exclude)
        try:
            return subprocess.run([sys.executable, SELECT, f.name], input=LISTED,
                                  capture_output=True, text=True, timeout=30)
        finally:
            os.unlink(f.name)

    def test_excluded_tests_left_out_and_named(self):
        r = self.select("# comment\n\nguest-boot  QEMU only\ndomain-*  boots guests\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.split(), ["util-xml", "lifecycle", "wire"])
        self.assertIn("not in the sanitized pass: guest-boot -- QEMU only", r.stderr)
        self.assertIn("not in the sanitized pass: domain-virsh -- boots guests", r.stderr)

    def test_entry_without_reason_fails(self):
        r = self.select("guest-boot\n")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, "")
        self.assertIn("'guest-boot' has no reason", r.stderr)

    def test_stale_entry_fails(self):
        r = self.select("guest-boot  QEMU only\nremoved-long-ago  it was slow\n")
        self.assertEqual(r.returncode, 1)
        self.assertIn("'removed-long-ago' matches no test", r.stderr)

    def test_nothing_left_fails(self):
        r = self.select("*  everything\n")
        self.assertEqual(r.returncode, 1)
        self.assertIn("no test is left", r.stderr)


if __name__ == "__main__":
    mvtest.main()
