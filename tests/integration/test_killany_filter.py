"""modvirt-filterd SIGKILLed at 50 random moments of a client storm.

In a private network namespace: two client threads (own connections, own
filters and ports: two each) define, redefine and undefine network filters
and create and delete filter bindings (on a shipped filter or on their own
ones), while filterd is SIGKILLed after a random delay (20-400 ms) and
restarted, MV_KILLANY_KILLS times (default 50; seed printed, MV_KILLANY_SEED
repeats it).  After each restart (mvkillany.py):

- every filter (its generation) and every binding (its filter) is in its
  acknowledged state or in the state of a call cut by the kill;
- the definitions on disk (etc/nwfilter) are exactly the listed filters and
  parse, the binding files exactly the listed bindings, no temp file;
- the kernel's `bridge modvirt` table holds the chains of exactly the listed
  bindings, and is gone when there is none (no leaked rule set, none lost);
- the first call after the restart is served.
"""

import glob
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import mvkillany as ka  # noqa: E402
import filtertest as ft  # noqa: E402
from mvkillany import ABSENT  # noqa: E402

PER_THREAD = 2
SHIPPED = "no-mac-spoofing"
SHIPPED_DIR = os.path.join(mvtest.SOURCE_ROOT, "daemons", "filter", "filters")
OWNER = "<owner><name>g1</name><uuid>7b1c3e52-42a8-4d4f-a1ce-0d4e3b6b9a02</uuid></owner>"


def filters(tno):
    return ["kf%d%d" % (tno, i) for i in range(PER_THREAD)]


def ports(tno):
    return ["vk%d%d" % (tno, i) for i in range(PER_THREAD)]


def filter_xml(name, gen):
    return ("<filter name='%s' chain='ipv4'><rule action='accept' direction='in' "
            "priority='%d'><tcp dstportstart='%d'/></rule></filter>"
            % (name, 100 + gen % 400, 1000 + gen))


def binding_xml(port, filt):
    return ("<filterbinding>%s<portdev name='%s'/><mac address='52:54:00:00:00:0a'/>"
            "<filterref filter='%s'/></filterbinding>" % (OWNER, port, filt))


def bridge_table():
    res = subprocess.run(["nft", "list", "table", "bridge", "modvirt"], capture_output=True,
                         text=True, timeout=30)
    return res.stdout if res.returncode == 0 else None


class KillAnywhere(unittest.TestCase):

    def setUp(self):
        ft.nft("flush", "ruleset")
        self.fd = ft.filterd()
        self.addCleanup(self.fd.cleanup)
        self.addCleanup(ft.nft, "flush", "ruleset")
        self.uri = "nwfilter+unix:///system?socket=%s" % self.fd.sock
        self.model = ka.Model()
        self.gen = 0

    def op(self, conn, rng, tno):
        m, fd = self.model, self.fd
        if rng.random() < 0.5:
            name = rng.choice(filters(tno))
            state = m.get(name)
            if state == ABSENT or rng.random() < 0.6:
                self.gen += 1
                gen = self.gen
                return m.change(name, gen, lambda: conn.nwfilterDefineXML(filter_xml(name, gen)),
                                fd, conn)
            return m.change(name, ABSENT, lambda: conn.nwfilterLookupByName(name).undefine(),
                            fd, conn)
        port = rng.choice(ports(tno))
        key = ("binding", port)
        if m.get(key) == ABSENT:
            mine = [f for f in filters(tno) if m.get(f) != ABSENT]
            filt = rng.choice([SHIPPED] + mine)
            return m.change(key, filt, lambda: conn.nwfilterBindingCreateXML(
                binding_xml(port, filt), 0), fd, conn)
        return m.change(key, ABSENT, lambda: conn.nwfilterBindingLookupByPortDev(port).delete(),
                        fd, conn)

    def check(self, where, conn):
        root = self.fd.root
        found = {}
        listed = []
        for f in conn.listAllNWFilters(0):
            listed.append(f.name())
            if f.name().startswith("kf"):
                xml = f.XMLDesc(0)
                m = re.search(r"dstportstart='(\d+)'", xml)
                self.assertIsNotNone(m, "%s: %s" % (where, xml))
                found[f.name()] = int(m.group(1)) - 1000
        bound = []
        for b in conn.listAllNWFilterBindings(0):
            bound.append(b.portDev())
            found[("binding", b.portDev())] = b.filterName()
        ka.check_allowed(self, self.model, found, where)
        etc = os.path.join(root, "etc", "nwfilter")
        run = os.path.join(root, "run", "filter", "nwfilter-bindings")

        def names(d):
            return sorted(os.path.basename(p)[:-4] for p in glob.glob(os.path.join(d, "*.xml")))

        self.assertEqual(names(etc), sorted(listed), "definitions on disk, " + where)
        self.assertEqual(names(run), sorted(bound), "binding files, " + where)
        self.assertEqual(ka.temp_files(etc, run), [], "temp files left, " + where)
        table = bridge_table()
        if not bound:
            self.assertIsNone(table, "%s: table bridge modvirt without bindings:\n%s"
                              % (where, table))
        else:
            self.assertIsNotNone(table, "%s: bindings %s without their table" % (where, bound))
            chains = set(re.findall(r"chain nwf-(vk\d+)-", table))
            self.assertEqual(sorted(chains), sorted(bound), "%s: the ports with chains" % where)
        self.model.settle(found)

    def test_kill_after_first_binding_applied(self):
        """Killed once the kernel has a first binding's rules but before its file
        is written: the restart leaves no table for a binding that is not there."""
        crashing = ft.filterd(env={"MV_TEST_CRASH_AT": "binding-create-applied"})
        self.addCleanup(crashing.cleanup)
        crashing.start()
        conn = ka.libvirt().open("nwfilter+unix:///system?socket=%s" % crashing.sock)
        with self.assertRaises(ka.libvirt().libvirtError):
            conn.nwfilterBindingCreateXML(binding_xml("vk99", SHIPPED), 0)
        self.assertEqual(crashing.wait(10), -9, "no kill at binding-create-applied")
        self.assertIn("nwf-vk99-", bridge_table() or "", "the point is after the rules")
        again = ft.filterd(root=crashing.root)
        self.addCleanup(again.cleanup)
        again.start()
        conn = ka.libvirt().open("nwfilter+unix:///system?socket=%s" % again.sock)
        self.addCleanup(conn.close)
        self.assertEqual(conn.listAllNWFilterBindings(0), [])
        self.assertIsNone(bridge_table(), "a rule set for no binding was left")

    def test_first_start_killed_installs_every_shipped_filter(self):
        """Killed while the very first start installs the shipped filters: the
        next start has all of them, not the part the first one wrote."""
        shipped = sorted(f[:-4] for f in os.listdir(SHIPPED_DIR) if f.endswith(".xml"))
        crashing = ft.filterd(env={"MV_TEST_CRASH_AT": "nwfilter-install-partial"})
        self.addCleanup(crashing.cleanup)
        crashing.spawn()
        self.assertEqual(crashing.wait(15), -9, "no kill at nwfilter-install-partial")
        again = ft.filterd(root=crashing.root)
        self.addCleanup(again.cleanup)
        again.start()
        conn = ka.libvirt().open("nwfilter+unix:///system?socket=%s" % again.sock)
        self.addCleanup(conn.close)
        self.assertEqual(sorted(f.name() for f in conn.listAllNWFilters(0)), shipped)
        etc = os.path.join(again.root, "etc", "nwfilter")
        self.assertEqual(sorted(f[:-4] for f in os.listdir(etc) if f.endswith(".xml")),
                         shipped)

    def test_random_kills(self):
        self.fd.start()
        kills, acked = ka.run(self, self.fd, self.uri, self.op, self.check)
        self.assertGreaterEqual(kills, ka.kills_wanted())
        self.assertGreater(acked, kills, "the storm hardly ran")


if __name__ == "__main__":
    ft.require()
    ka.require()
    mvtest.enter_private_netns()
    mvtest.main()
