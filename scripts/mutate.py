#!/usr/bin/python3
"""Mutation check: does the suite notice plausible bugs?

Reads the catalogue (tests/mutants.txt), copies the work tree (committed and
uncommitted files) into a scratch directory, builds it once, checks that every
test the catalogue names passes there, then for each mutant: applies the one-line
change, rebuilds, runs the tests the mutant names and restores the file.  A mutant
is *killed* when a test fails (or times out), *survives* when they all pass, and is
*stillborn* when it does not apply exactly once or does not compile (a catalogue
bug: fix the entry).  Prints the kill rate and the survivors.

Catalogue format, one block per mutant, blank lines between blocks:

    [id]
    file: common/rpc/message.c
    tests: rpc-message wire
    from:     if (len > MV_MESSAGE_MAX)
    to:       if (len > MV_MESSAGE_MAX + 1048576)
    why: the frame cap checked 1 MiB too late        (optional, printed on survival)
    equivalent: reason                               (optional: not counted)

`from` must occur exactly once in `file` (whitespace included); `to` replaces it.
In both, `\\n` stands for a line break (to pin a spot that one line alone does not).
Not run in CI: it rebuilds once per mutant.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_catalogue(path):
    mutants, cur = [], None
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            m = re.match(r"^\[([A-Za-z0-9_.-]+)\]$", line)
            if m:
                cur = {"id": m.group(1), "line": lineno}
                mutants.append(cur)
                continue
            m = re.match(r"^(file|tests|from|to|why|equivalent):(?: (.*))?$", line)
            if not m or cur is None:
                sys.exit("%s:%d: cannot parse %r" % (path, lineno, line))
            value = m.group(2) or ""
            if m.group(1) in ("from", "to"):
                value = value.replace("\\n", "\n")
            cur[m.group(1)] = value
    ids = set()
    for mu in mutants:
        for key in ("file", "tests", "from", "to"):
            if key not in mu:
                sys.exit("%s:%d: mutant %s has no '%s:'" % (path, mu["line"], mu["id"], key))
        if mu["id"] in ids:
            sys.exit("%s: mutant id %s used twice" % (path, mu["id"]))
        ids.add(mu["id"])
        mu["tests"] = mu["tests"].split()
    return mutants


def copy_tree(dest):
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=SRC,
                           check=True, capture_output=True).stdout.split(b"\0")
    for rel in files:
        if not rel:
            continue
        rel = rel.decode()
        src = os.path.join(SRC, rel)
        if not os.path.isfile(src):
            continue
        out = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        shutil.copy2(src, out)


def run(cmd, log, timeout, **kw):
    with open(log, "a") as f:
        f.write("\n$ %s\n" % " ".join(cmd))
        f.flush()
        try:
            return subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, timeout=timeout,
                                  stdin=subprocess.DEVNULL, **kw).returncode
        except subprocess.TimeoutExpired:
            f.write("\n(timed out after %ds)\n" % timeout)
            return 124


def failed_tests(build):
    """Names of the tests that did not pass in the last meson test run."""
    import json
    names = []
    path = os.path.join(build, "meson-logs", "testlog.json")
    if not os.path.exists(path):
        return names
    with open(path) as f:
        for line in f:
            if line.strip():
                t = json.loads(line)
                if t.get("result") not in ("OK", "EXPECTEDFAIL", "SKIP"):
                    names.append(t.get("name", "?"))
    return names


def meson_test(build, tests, log, timeout):
    return run(["meson", "test", "-C", build, "--no-rebuild", "--num-processes", "2",
                "--timeout-multiplier", "1", "--print-errorlogs"] + tests, log, timeout)


def main():
    ap = argparse.ArgumentParser(description="Apply each catalogued mutant and run its tests.")
    ap.add_argument("--catalogue", default=os.path.join(SRC, "tests", "mutants.txt"))
    ap.add_argument("--only", action="append", default=[],
                    help="run only these mutant ids (repeat or comma-separate)")
    ap.add_argument("--list", action="store_true", help="list the catalogue and exit")
    ap.add_argument("--check", action="store_true",
                    help="only check that every mutant applies exactly once")
    ap.add_argument("--workdir", help="scratch directory (kept); default: a temp dir, removed")
    ap.add_argument("--test-timeout", type=int, default=600,
                    help="seconds for one mutant's tests (default 600)")
    args = ap.parse_args()

    mutants = parse_catalogue(args.catalogue)
    only = {i for o in args.only for i in o.split(",") if i}
    if only:
        unknown = only - {m["id"] for m in mutants}
        if unknown:
            sys.exit("unknown mutant id(s): " + ", ".join(sorted(unknown)))
        mutants = [m for m in mutants if m["id"] in only]
    if args.list:
        for m in mutants:
            print("%-32s %-40s %s" % (m["id"], m["file"], " ".join(m["tests"])))
        print("%d mutants" % len(mutants))
        return 0

    bad = []
    for m in mutants:
        with open(os.path.join(SRC, m["file"])) as f:
            n = f.read().count(m["from"])
        if n != 1:
            bad.append("%s: 'from' occurs %d times in %s" % (m["id"], n, m["file"]))
    if bad:
        print("\n".join("stillborn: " + b for b in bad))
    if args.check:
        print("%d mutants, %d do not apply" % (len(mutants), len(bad)))
        return 1 if bad else 0

    work = args.workdir or tempfile.mkdtemp(prefix="mv-mutate-")
    os.makedirs(work, exist_ok=True)
    src, build = os.path.join(work, "src"), os.path.join(work, "build")
    log = os.path.join(work, "mutate.log")
    print("mutate: scratch tree %s, log %s" % (work, log), flush=True)
    if os.path.exists(src):
        shutil.rmtree(src)
    copy_tree(src)
    env = dict(os.environ)
    if shutil.which("ccache") and "CC" not in env:
        env["CC"] = "ccache cc"
    if not os.path.exists(os.path.join(build, "build.ninja")):
        if run(["meson", "setup", build, src], log, 600, env=env) != 0:
            sys.exit("mutate: meson setup failed (see %s)" % log)
    if run(["meson", "compile", "-C", build], log, 1800) != 0:
        sys.exit("mutate: the unmutated tree does not build (see %s)" % log)

    all_tests = sorted({t for m in mutants for t in m["tests"]})
    print("mutate: baseline run of %d tests" % len(all_tests), flush=True)
    if meson_test(build, all_tests, log, 1800) != 0:
        sys.exit("mutate: tests fail on the unmutated tree: %s (see %s)"
                 % (", ".join(failed_tests(build)), log))

    killed, survived, stillborn, equivalent = [], [], list(bad), []
    started = time.time()
    for i, m in enumerate(mutants, 1):
        path = os.path.join(src, m["file"])
        with open(path) as f:
            original = f.read()
        if original.count(m["from"]) != 1:
            continue                        # already reported as stillborn
        with open(path, "w") as f:
            f.write(original.replace(m["from"], m["to"], 1))
        try:
            if run(["meson", "compile", "-C", build], log, 900) != 0:
                stillborn.append("%s: does not compile" % m["id"])
                verdict = "STILLBORN (does not compile)"
            else:
                rc = meson_test(build, m["tests"], log, args.test_timeout)
                if rc != 0:
                    killed.append(m)
                    verdict = "killed by " + (", ".join(failed_tests(build)) or "timeout")
                elif "equivalent" in m:
                    equivalent.append(m)
                    verdict = "equivalent (%s)" % m["equivalent"]
                else:
                    survived.append(m)
                    verdict = "SURVIVED"
        finally:
            with open(path, "w") as f:
                f.write(original)
        print("[%2d/%d] %-32s %s" % (i, len(mutants), m["id"], verdict), flush=True)

    run(["meson", "compile", "-C", build], log, 1800)
    counted = len(killed) + len(survived)
    rate = 100.0 * len(killed) / counted if counted else 0.0
    print("\nmutate: %d mutants in %.0f s: %d killed, %d survived, %d equivalent, %d stillborn"
          % (len(mutants), time.time() - started, len(killed), len(survived), len(equivalent),
             len(stillborn)))
    for m in survived:
        print("survivor: %s (%s) %s" % (m["id"], m["file"], m.get("why", "")))
    for s in stillborn:
        print("stillborn: " + s)
    print("kill rate: %.1f%% (%d of %d)" % (rate, len(killed), counted))
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if not survived and not stillborn else 1


if __name__ == "__main__":
    sys.exit(main())
