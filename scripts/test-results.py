#!/usr/bin/python3
"""Counts the results of a meson test run for scripts/test.sh.

    test-results.py TESTLOG.json ALLOWED_SKIPS.txt CI(0|1) [MORE_ALLOWED_SKIPS.txt...]

Reads meson's testlog.json (one JSON object per test).  A test is passed
(OK, EXPECTEDFAIL), failed (FAIL, TIMEOUT, ERROR, UNEXPECTEDPASS, anything
else) or skipped (SKIP).  Skips are also found inside passing tests: every
TAP line "ok N NAME # SKIP reason" in a test's stdout is a skipped case
"TEST:NAME".  Prints "skipped: ID -- reason" and "failed: ..." lines on
stderr and "PASSED FAILED SKIPPED" on stdout.  TAP "not ok N NAME # TODO
reason" lines (expected failures: known gaps) are listed, not counted.

With CI=1 each skip that ALLOWED_SKIPS.txt does not list is a failure.  That
file has one "ID-PATTERN reason" per line (fnmatch pattern over TEST or
TEST:CASE; '#' starts a comment line); an entry without a reason is a failure.
Further allow-lists after CI are read the same way (the sanitized pass adds
tests/allowed-skips-sanitize.txt: skips allowed in that pass only).
"""
import fnmatch, json, re, sys

log_path, allow_paths, ci = sys.argv[1], [sys.argv[2]] + sys.argv[4:], sys.argv[3] == "1"
TAP_SKIP = re.compile(r"^ok\s+\d+\s*-?\s*(.*?)\s*#\s*skip\b\s*(.*)$", re.I)
TAP_TODO = re.compile(r"^not ok\s+\d+\s*-?\s*(.*?)\s*#\s*todo\b\s*(.*)$", re.I)
PLAN_SKIP = re.compile(r"^1\.\.0\s*#\s*skip\b\s*(.*)$", re.I)

allowed = []              # (pattern, reason)
bad_allow = []
for allow_path in allow_paths:
    try:
        with open(allow_path) as f:
            for n, line in enumerate(f, 1):
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                parts = line.split(None, 1)
                if len(parts) < 2:
                    bad_allow.append("%s:%d: '%s' has no reason" % (allow_path, n, line))
                    continue
                allowed.append((parts[0], parts[1]))
    except FileNotFoundError:
        pass

passed = failed = 0
failed_names, skips, gaps = [], [], []      # skips, gaps: (id, reason)
with open(log_path) as f:
    for line in f:
        line = line.strip()
        if not line:
            continue
        t = json.loads(line)
        r = t.get("result")
        full = t.get("name", "?")
        name = full.split(" / ", 1)[-1]       # "modvirt:qemu / qemu-probe" -> "qemu-probe"
        stdout = t.get("stdout") or ""
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            reason = ""
            for out in stdout.splitlines():
                m = PLAN_SKIP.match(out.strip())
                if m or out.startswith("SKIP"):
                    reason = m.group(1) if m else out[4:].lstrip(": ")
            skips.append((name, reason or "(no reason printed)"))
        else:
            failed += 1
            failed_names.append("%s (%s)" % (full, r))
        if r == "SKIP":
            continue
        for out in stdout.splitlines():
            m = TAP_SKIP.match(out.strip())
            if m:
                skips.append(("%s:%s" % (name, m.group(1)), m.group(2) or "(no reason)"))
            m = TAP_TODO.match(out.strip())
            if m:
                gaps.append(("%s:%s" % (name, m.group(1)), m.group(2) or "(no reason)"))

def allowed_by(skip_id):
    for pattern, reason in allowed:
        if fnmatch.fnmatchcase(skip_id, pattern):
            return reason
    return None

for gap_id, reason in gaps:
    print("known gap (expected failure): %s -- %s" % (gap_id, reason), file=sys.stderr)
for skip_id, reason in skips:
    print("skipped: %s -- %s" % (skip_id, reason), file=sys.stderr)
if ci:
    for msg in bad_allow:
        print("failed: " + msg, file=sys.stderr)
        failed += 1
    for skip_id, reason in skips:
        if allowed_by(skip_id) is None:
            failed += 1
            failed_names.append("%s skipped under CI=true and tests/allowed-skips.txt "
                                "does not allow it (%s)" % (skip_id, reason))
for n in failed_names:
    print("failed: " + n, file=sys.stderr)
print(passed, failed, len(skips))
