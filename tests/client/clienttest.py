"""Helpers for the client suite: the modvirt CLI and the example programs
driven against real daemons started by tests/integration/mvtest.py."""

import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
import mvtest  # noqa: E402,F401

MODVIRT = os.environ.get("MV_MODVIRT",
                         os.path.join(mvtest.BUILD_ROOT, "client", "cli", "modvirt"))
GOLDEN_DIR = os.environ.get("MV_GOLDEN_DIR", os.path.join(HERE, "golden"))
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def require_cli():
    if not os.access(MODVIRT, os.X_OK):
        mvtest.mvtap.bail_out("%s is missing: it is part of the build" % MODVIRT)


def root_uri(root):
    return "qemu:///system?root=%s" % root


def modvirt(uri, *args, env=None, stdin=None, timeout=60):
    """Run the CLI; returns CompletedProcess (text)."""
    full_env = dict(os.environ, LC_ALL="C", LANG="C")
    full_env.pop("MODVIRT_DEFAULT_URI", None)
    full_env.update(env or {})
    argv = [MODVIRT] + (["-c", uri] if uri else []) + list(args)
    r = subprocess.run(argv, capture_output=True, text=True, env=full_env,
                       input=stdin, timeout=timeout,
                       stdin=None if stdin is not None else subprocess.DEVNULL)
    # sanitized build: a report fails the case even when a failure was expected
    mvtest.check_sanitizer_output(r.stderr, " ".join(argv))
    return r


def normalize(text):
    """Stable golden text: UUIDs, ids and CPU time replaced."""
    text = UUID_RE.sub("<uuid>", text)
    text = re.sub(r'"id" : \d+', '"id" : <id>', text)
    text = re.sub(r'"cpu_time_ns" : \d+', '"cpu_time_ns" : <ns>', text)
    text = re.sub(r"(?m)^(ID: +)\d+$", r"\g<1><id>", text)
    text = re.sub(r"(?m)^(CPU time: +)[0-9.]+ s$", r"\g<1><t> s", text)
    # table rows of `list`: a number in the ID column
    text = re.sub(r"(?m)^\d+(\s{2,})", lambda m: "N" + " " * (len(m.group(0)) - 1), text)
    return text


def check_golden(test, name, text):
    """Compare text with golden/NAME; MV_TEST_REGENERATE=1 rewrites it."""
    path = os.path.join(GOLDEN_DIR, name)
    if os.environ.get("MV_TEST_REGENERATE"):
        with open(path, "w") as f:
            f.write(text)
        return
    with open(path) as f:
        expected = f.read()
    test.assertEqual(expected, text, "output differs from %s (MV_TEST_REGENERATE=1 "
                     "rewrites it)" % path)


def firmware_xml(name, memory_mib=32):
    return mvtest.firmware_guest_xml(name, memory_mib=memory_mib)


def json_out(test, r):
    test.assertEqual(r.returncode, 0, r.stderr)
    return json.loads(r.stdout)
