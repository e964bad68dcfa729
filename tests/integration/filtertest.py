"""Helpers of the filterd tests (test_filter_*.py): a modvirt-filterd under a
private root in the test's private network namespace, the private FILTER
program driven through tests/filter/mvfilter-call (networkd's own client
code, daemons/network/network-firewall.c), nft listings and goldens."""

import json
import os
import subprocess

import mvtest

CALL = os.path.join(mvtest.BUILD_ROOT, "tests", "filter", "mvfilter-call")
GOLDEN_DIR = os.path.join(mvtest.SOURCE_ROOT, "tests", "filter", "golden")


def require():
    mvtest.require_tools("nft", "ip")
    for path in (mvtest.FILTERD, CALL):
        if not os.access(path, os.X_OK):
            mvtest.mvtap.bail_out("not built: %s (build it first)" % path)


def filterd(root=None, env=None, args=()):
    return mvtest.Daemon(root=root, name="filter", binary=mvtest.FILTERD, env=env, args=args)


def call(sock, *args, check=True, timeout=120):
    res = subprocess.run([CALL, sock] + list(args), capture_output=True, text=True,
                         timeout=timeout)
    if check and res.returncode != 0:
        raise AssertionError("mvfilter-call %s failed (%d): %s"
                             % (" ".join(args), res.returncode, res.stderr))
    return res


def differences(sock, repair=False):
    """[(kind, table, chain, text)] the doctor reports."""
    out = call(sock, "repair" if repair else "check").stdout
    return [tuple(line.split("\t", 3)) for line in out.splitlines() if line]


def nft(*args, check=True):
    res = subprocess.run(["nft"] + list(args), capture_output=True, text=True, timeout=60)
    if check and res.returncode != 0:
        raise AssertionError("nft %s failed: %s" % (" ".join(args), res.stderr))
    return res


def nft_batch(text):
    res = subprocess.run(["nft", "-f", "-"], input=text, capture_output=True, text=True,
                         timeout=60)
    if res.returncode != 0:
        raise AssertionError("nft -f failed: %s\n%s" % (res.stderr, text))


def listing(table="inet modvirt"):
    """The stateless text listing of a table, or None when it does not exist."""
    res = nft("-s", "list", "table", *table.split(), check=False)
    return res.stdout if res.returncode == 0 else None


def rules_json(table="inet modvirt"):
    res = nft("-j", "list", "table", *table.split(), check=False)
    if res.returncode != 0:
        return None
    return [o["rule"] for o in json.loads(res.stdout)["nftables"] if "rule" in o]


def golden(name, text):
    """Compare text with tests/filter/golden/NAME.nft (MV_TEST_REGENERATE=1 rewrites)."""
    path = os.path.join(GOLDEN_DIR, name + ".nft")
    if os.environ.get("MV_TEST_REGENERATE"):
        os.makedirs(GOLDEN_DIR, exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    with open(path) as f:
        return f.read()
