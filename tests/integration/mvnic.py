"""Helpers of the guest NIC tests (test_domain_net_*.py): links of the test's
private network namespace, the <interface> elements of a domain, and a
console session on the tiny guest (as in test_domain_console.py)."""

import json
import os
import random
import re
import subprocess
import time

import mvtest
from mvtest import virsh

CTRL_RBRACKET = b"\x1d"
SEED = int(os.environ.get("MV_TEST_SEED", random.randrange(1 << 30)))


def ip(*args, check=True):
    return subprocess.run(["ip"] + list(args), capture_output=True, text=True, check=check)


def link(name):
    """`ip -j -d link show NAME` as a dict, or None when there is no such link."""
    r = ip("-j", "-d", "link", "show", name, check=False)
    if r.returncode != 0:
        return None
    return json.loads(r.stdout)[0]


def links():
    return [entry["ifname"] for entry in json.loads(ip("-j", "link", "show").stdout)]


def interface_xml(uri, name, inactive=False):
    """The <interface> elements of the domain's XML, as strings."""
    args = ["dumpxml", name] + (["--inactive"] if inactive else [])
    xml = virsh(uri, *args, check=True).stdout
    return re.findall(r"<interface .*?</interface>", xml, re.S)


def guest_xml(name, nic):
    """A domain that never boots (no disk, no kernel) with the given devices."""
    return """<domain type='qemu'><name>%s</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>%s</devices></domain>""" % (name, nic)


class ConsoleMixin:
    """self.uri and self.name name a running tiny guest."""

    def setUp(self):
        self.sessions = []

    def tearDown(self):
        for proc, reader in self.sessions:
            mvtest.stop_process(proc, timeout=5)
            reader.close()

    def attach(self):
        """A console on the guest with a fresh prompt: (reader, position)."""
        proc, master = mvtest.run_on_pty(["virsh", "-c", self.uri, "console", self.name])
        reader = mvtest.PtyReader(master)
        self.sessions.append((proc, reader))
        pos = reader.expect("Escape character", 20)
        for _ in range(10):
            reader.send(b"\r")
            try:
                return reader, reader.expect(mvtest.GUEST_PROMPT, 3, pos)
            except AssertionError:
                continue
        self.fail("no prompt on the console; output:\n%r" % reader.text[-2000:])

    def guest_eval(self, reader, pos, expr, timeout=30):
        """The guest's shell prints $(expr) between markers; returns (text, pos)."""
        tag = "V%d" % random.Random(SEED + pos).randrange(10 ** 6)
        reader.send(("echo %s=$(%s)=%s\r" % (tag, expr, tag[::-1])).encode())
        pattern = re.compile(r"%s=([^=$\r\n]*)=%s" % (tag, tag[::-1]))
        deadline = time.monotonic() + timeout
        while True:
            m = pattern.search(reader.text, pos)
            if m:
                return m.group(1), m.end()
            if time.monotonic() > deadline or reader.eof:
                self.fail("the guest did not answer %r; output:\n%r"
                          % (expr, reader.text[-2000:]))
            reader.pump(0.2)

    def wait_lease(self, root):
        """The address the guest's udhcpc got on eth0 (its console says so)."""
        log = mvtest.serial_log(root, self.name)
        mvtest.wait_marker(log, "MODVIRT-GUEST-NET eth0", timeout=120)
        return re.search(r"MODVIRT-GUEST-NET eth0 (\S+)", mvtest.read_text(log)).group(1)
