#!/usr/bin/python3
"""Chooses the tests of the sanitized pass for scripts/test.sh.

    meson test -C build-asan --list | sanitize-select.py tests/sanitize-exclude.txt

Reads the test list meson prints ("modvirt:SUITE / NAME", one a line) on stdin
and the exclusion list (one "NAME-PATTERN reason" a line, fnmatch over the
test name, '#' starts a comment line).  Prints the names of the tests to run,
one a line, on stdout, and "not in the sanitized pass: NAME -- reason" on
stderr for each test left out.  Exits 1 (printing why) when an entry has no
reason, when an entry matches no test (the list must not go stale) or when
nothing is left to run.
"""
import fnmatch, sys


def main():
    entries, errors = [], []
    with open(sys.argv[1]) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 1)
            if len(parts) < 2:
                errors.append("%s:%d: '%s' has no reason" % (sys.argv[1], n, line))
                continue
            entries.append((parts[0], parts[1], n))

    names = []
    for line in sys.stdin:
        line = line.strip()
        if " / " not in line:
            continue
        name = line.split(" / ", 1)[1]
        if name not in names:
            names.append(name)

    used = set()
    run = []
    for name in names:
        reason = None
        for pattern, why, n in entries:
            if fnmatch.fnmatchcase(name, pattern):
                reason = reason or why
                used.add(n)
        if reason is None:
            run.append(name)
        else:
            print("not in the sanitized pass: %s -- %s" % (name, reason), file=sys.stderr)
    for pattern, _, n in entries:
        if n not in used:
            errors.append("%s:%d: '%s' matches no test: remove it" % (sys.argv[1], n, pattern))
    if not run:
        errors.append("no test is left for the sanitized pass")
    for e in errors:
        print("sanitize-select: " + e, file=sys.stderr)
    if errors:
        return 1
    print("\n".join(run))
    return 0


if __name__ == "__main__":
    sys.exit(main())
