"""TAP output for the python test scripts (meson `protocol: 'tap'`).

Every case of a script becomes one TAP line on stdout, so meson (and
scripts/test.sh) see each skipped case instead of a whole script that says OK:

    ok 1 Wire.test_pipelined
    not ok 2 Wire.test_short_payload
    ok 3 Keepalive.test_ping # SKIP needs root
    not ok 4 Events.test_race # TODO expected failure: ...
    1..4

While the cases run, file descriptor 1 points at stderr: whatever a test, the
harness or a child process prints cannot corrupt the TAP stream (meson shows
stderr with --print-errorlogs).  A whole script is skipped with
`skip_script(reason)` ("1..0 # SKIP reason", exit 0: under the TAP protocol
meson counts any non-zero exit status as an error, 77 included).

Standard library only.
"""

import os
import sys
import traceback
import unittest


def case_name(test):
    """'Class.test_method' (no module, no spaces) for a test or a subtest."""
    if isinstance(test, unittest.TestCase) and not hasattr(test, "test_case"):
        return "%s.%s" % (type(test).__name__, test._testMethodName)
    if hasattr(test, "test_case"):            # unittest's _SubTest
        return case_name(test.test_case)
    # _ErrorHolder: a setUpClass/setUpModule failure or skip
    return str(test).replace(" ", "_").replace("(__main__.", "(")


def _directive_text(text):
    """One line, no '#' (it would start a new TAP directive)."""
    return " ".join(str(text).split()).replace("#", "")


def skip_script(reason):
    """Skip every case of the script: a TAP plan of zero with the reason."""
    sys.stdout.flush()
    os.write(1, ("1..0 # SKIP %s\n" % _directive_text(reason)).encode())
    sys.exit(0)


def bail_out(reason):
    """Stop the script as failed (a missing build product, a broken setup)."""
    sys.stdout.flush()
    os.write(1, ("Bail out! %s\n" % _directive_text(reason)).encode())
    sys.exit(1)


class TAPResult(unittest.TestResult):
    """Collects the outcome of each case and prints it when the case ends."""

    def __init__(self, tap, diag, verbosity=1):
        super().__init__(stream=diag, descriptions=False, verbosity=verbosity)
        self.tap = tap
        self.diag = diag
        self.number = 0
        self.current = None
        self.outcome = None          # (ok, directive) of the running case
        a, b = os.fstat(tap.fileno()), os.fstat(diag.fileno())
        self.echo = (a.st_dev, a.st_ino) != (b.st_dev, b.st_ino)

    def _emit(self, name, ok, directive=""):
        self.number += 1
        line = "%s %d %s" % ("ok" if ok else "not ok", self.number, name)
        if directive:
            line += " # " + directive
        self.tap.write(line + "\n")
        self.tap.flush()
        if self.echo:                  # beside the tracebacks in stderr
            self.diag.write(line + "\n")
            self.diag.flush()

    def _record(self, test, ok, directive=""):
        if self.current is not None and (test is self.current or
                                         getattr(test, "test_case", None) is self.current):
            if self.outcome is None or self.outcome[0]:
                # a failure wins over a pass or a skip; the first failure is kept
                if not ok or self.outcome is None:
                    self.outcome = (ok, directive)
        else:
            self._emit(case_name(test), ok, directive)   # class/module fixtures

    def _trace(self, test, err):
        self.diag.write("--- %s\n%s" % (case_name(test),
                                         "".join(traceback.format_exception(*err))))
        self.diag.flush()

    def startTest(self, test):
        super().startTest(test)
        self.current = test
        self.outcome = None
        self.diag.write("--- start %s\n" % case_name(test))
        self.diag.flush()

    def stopTest(self, test):
        super().stopTest(test)
        ok, directive = self.outcome if self.outcome else (True, "")
        self.current = None
        self.outcome = None
        self._emit(case_name(test), ok, directive)

    def addSuccess(self, test):
        super().addSuccess(test)
        self._record(test, True)

    def addError(self, test, err):
        super().addError(test, err)
        self._trace(test, err)
        self._record(test, False)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._trace(test, err)
        self._record(test, False)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._record(test, True, "SKIP " + _directive_text(reason))

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._record(test, False, "TODO expected failure: " +
                     _directive_text(traceback.format_exception_only(err[0], err[1])[-1]))

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._record(test, True, "TODO unexpected success: remove @expectedFailure")

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._trace(subtest, err)
            self._record(subtest, False)


class TAPRunner:
    """A unittest runner (for unittest.main(testRunner=...)) that speaks TAP."""

    def __init__(self, verbosity=1, failfast=False, buffer=False, warnings=None,
                 tb_locals=False, **_kwargs):
        self.verbosity = verbosity
        self.failfast = failfast

    def run(self, test):
        sys.stdout.flush()
        tap = os.fdopen(os.dup(1), "w", buffering=1)
        saved = os.dup(1)
        os.dup2(2, 1)                         # stray output goes to stderr
        try:
            tap.write("TAP version 13\n")
            result = TAPResult(tap, sys.stderr, self.verbosity)
            result.failfast = self.failfast
            test(result)
            tap.write("1..%d\n" % result.number)
            tap.flush()
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)
            tap.close()
        return result
