#!/usr/bin/python3
"""Stock virsh against modvirt-qemud, read-write and read-only sockets.

Each command must exit 0 without "error:" anywhere, and its answer must match
the host: QEMU version, hostname, CPU count, MemTotal, capabilities.
"""

import os
import re
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import unittest  # noqa: E402

COMMANDS = [
    ["version"],
    ["version", "--daemon"],
    ["hostname"],
    ["nodeinfo"],
    ["capabilities"],
    ["list", "--all"],
    ["uri"],
]

daemon = None


def setUpModule():
    global daemon
    daemon = mvtest.Daemon().start()


def tearDownModule():
    daemon.cleanup()


class VirshMixin:
    readonly = False

    def uri(self):
        return daemon.ro_uri if self.readonly else daemon.uri

    def run_ok(self, *args):
        res = mvtest.virsh(self.uri(), *args, readonly=self.readonly)
        where = "virsh %s-c %s %s" % ("-r " if self.readonly else "", self.uri(), " ".join(args))
        self.assertEqual(res.returncode, 0, "%s exited %d\nstdout: %s\nstderr: %s"
                         % (where, res.returncode, res.stdout, res.stderr))
        for stream in (res.stdout, res.stderr):
            self.assertNotIn("error:", stream, "%s printed an error:\nstdout: %s\nstderr: %s"
                             % (where, res.stdout, res.stderr))
        return res.stdout

    def test_commands_succeed(self):
        for cmd in COMMANDS:
            with self.subTest(cmd=" ".join(cmd)):
                self.run_ok(*cmd)

    def test_version_reports_installed_qemu(self):
        out = self.run_ok("version")
        expected = "%d.%d.%d" % mvtest.qemu_version()
        self.assertIn("Running hypervisor: QEMU %s" % expected, out)

    def test_version_daemon(self):
        out = self.run_ok("version", "--daemon")
        m = re.search(r"^Running against daemon: (\d+)\.(\d+)\.(\d+)\s*$", out, re.M)
        self.assertIsNotNone(m, "no daemon version line in:\n" + out)

    def test_hostname(self):
        out = self.run_ok("hostname").strip()
        self.assertIn(out, mvtest.host_names())

    def test_nodeinfo_matches_host(self):
        out = self.run_ok("nodeinfo")
        fields = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
        fields = {k.strip(): v.strip() for k, v in fields.items()}
        self.assertEqual(int(fields["CPU(s)"]), os.cpu_count(), out)
        self.assertEqual(fields["Memory size"], "%d KiB" % mvtest.meminfo_kib(), out)
        self.assertEqual(fields["CPU model"], os.uname().machine, out)

    def test_capabilities(self):
        out = self.run_ok("capabilities")
        root = ET.fromstring(out)
        self.assertEqual(root.tag, "capabilities")
        self.assertEqual(root.findtext("host/cpu/arch"), "x86_64")
        guests = [g for g in root.findall("guest")
                  if g.find("arch") is not None and g.find("arch").get("name") == "x86_64"]
        self.assertTrue(guests, "no x86_64 guest in capabilities")
        domain_types = {d.get("type") for g in guests for d in g.findall("arch/domain")}
        self.assertIn("qemu", domain_types)
        machines = [m.text for g in guests for m in g.findall("arch/machine")]
        self.assertTrue(machines, "x86_64 guest lists no machines")

    def test_list_all_is_empty(self):
        out = self.run_ok("list", "--all")
        lines = [l for l in out.splitlines() if l.strip()]
        self.assertEqual(len(lines), 2, "expected only the table header:\n" + out)
        self.assertEqual(lines[0].split(), ["Id", "Name", "State"])
        self.assertTrue(set(lines[1].strip()) == {"-"}, out)

    def test_uri(self):
        out = self.run_ok("uri").strip()
        self.assertEqual(out, self.uri())


class VirshReadWrite(VirshMixin, unittest.TestCase):
    readonly = False


class VirshReadOnly(VirshMixin, unittest.TestCase):
    readonly = True


if __name__ == "__main__":
    mvtest.require_tools("virsh", "qemu-system-x86_64")
    mvtest.require_daemon()
    mvtest.main()
