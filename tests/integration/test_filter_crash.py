#!/usr/bin/python3
"""Crash safety of modvirt-filterd's transactions, in a private network namespace.

- fault points (MV_TEST_CRASH_AT): SIGKILL right before and right after the
  nftables transaction of a network apply: the kernel holds the old or the
  new rules; the restarted filterd re-applies what it agreed to (its state
  file is written first) and the doctor reports clean;
- a large transaction: 700 networks (~12000 rules, written as state files
  and applied at start in one transaction); while one more network is
  applied (again one transaction of the whole table) filterd is SIGKILLed at
  different moments: each time the kernel holds exactly the old or exactly
  the new rule set, never a part; after a restart the doctor is clean;
- the same for the start-up's rebuild of the whole table (~12000 rules in one
  transaction) from an empty ruleset: killed at three moments, the table is
  absent or whole.
"""

import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import unittest  # noqa: E402
import filtertest as ft  # noqa: E402

NAT = ["default", "virbr0", "nat", "ip=192.168.122.1/24", "services=dhcp,dns"]
MANY = 700
# what one nat network with one IPv4 subnet and DHCP+DNS adds: in 3, fwd 5, nat 5,
# dispatch 4 (input 1, forward 2, postrouting 1)
RULES_PER_NAT = 17


def state_file(root, i):
    net = {"name": "n%04d" % i, "bridge": "b%04d" % i, "forward": 1, "forward_dev": "",
           "ips": [{"address": "10.%d.%d.1" % (i // 250, i % 250), "prefix": 24}],
           "nat_address_start": "", "nat_address_end": "", "nat_port_start": 0,
           "nat_port_end": 0, "nat_ipv6": False, "services": 3}
    d = os.path.join(root, "run", "filter", "networks")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, net["name"] + ".json"), "w") as f:
        json.dump(net, f)


class Crash(unittest.TestCase):
    def setUp(self):
        ft.nft("flush", "ruleset")
        self.daemons = []

    def tearDown(self):
        for d in self.daemons:
            d.cleanup()
        ft.nft("flush", "ruleset")

    def filterd(self, root=None, env=None):
        d = ft.filterd(root=root, env=env)
        self.daemons.append(d)
        return d

    def fault(self, point, kernel_has_new):
        d = self.filterd()
        d.start()
        ft.call(d.sock, "apply", "routed", "virbr1", "route", "ip=10.10.0.1/16")
        old = ft.listing()
        d.stop()
        crashing = self.filterd(root=d.root, env={"MV_TEST_CRASH_AT": point}).start()
        res = ft.call(crashing.sock, "apply", *NAT, check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertEqual(crashing.wait(10), -9, crashing.log())
        now = ft.listing()
        if kernel_has_new:
            self.assertIn("net-default-nat", now)
            self.assertIn("net-routed-fwd", now)
        else:
            self.assertEqual(now, old)
        again = self.filterd(root=d.root).start()
        self.assertIn("chain net-default-nat", ft.listing())
        self.assertEqual(ft.call(again.ro_sock, "list").stdout, "default\nrouted\n")
        self.assertEqual(ft.differences(again.ro_sock), [])

    def test_kill_before_commit(self):
        self.fault("netrules-before-commit", False)

    def test_kill_after_commit(self):
        self.fault("netrules-after-commit", True)

    @unittest.skipIf(mvtest.SANITIZED, "left to the normal pass: nine start-ups of filterd "
                     "with 700 networks (~12,000 rules) take ~10 minutes under ASan; the same "
                     "apply and restore code runs sanitized in the cases above and filter-daemon")
    def test_kill_during_large_transaction(self):
        d = self.filterd()
        for i in range(MANY):
            state_file(d.root, i)
        t0 = time.monotonic()
        d.start(timeout=240)
        startup = time.monotonic() - t0
        base = len(ft.rules_json())
        self.assertEqual(base, MANY * RULES_PER_NAT)
        self.assertEqual(ft.differences(d.ro_sock), [])
        # how long one apply of the whole table takes, to spread the kills over it
        t0 = time.monotonic()
        ft.call(d.sock, "apply", "probe", "bprobe", "nat", "ip=10.250.0.1/24",
                "services=dhcp,dns")
        duration = time.monotonic() - t0
        base += RULES_PER_NAT
        self.assertEqual(len(ft.rules_json()), base)
        print("# start-up with %d networks: %.2f s, one apply: %.2f s"
              % (MANY, startup, duration))
        outcomes = []
        for k, frac in enumerate((0.1, 0.3, 0.5, 0.7, 0.9, 1.1)):
            name = "extra%d" % k
            caller = subprocess.Popen([ft.CALL, d.sock, "apply", name, "bx%d" % k, "nat",
                                       "ip=10.251.%d.1/24" % k, "services=dhcp,dns"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(duration * frac)
            d.kill9()
            caller.wait(60)
            rules = ft.rules_json()
            self.assertIsNotNone(rules, "table inet modvirt vanished at kill %d" % k)
            mine = [r for r in rules if name in json.dumps(r)]
            if len(rules) == base:
                self.assertEqual(mine, [])
                outcomes.append("old")
            else:
                self.assertEqual(len(rules), base + RULES_PER_NAT,
                                 "kill %d left %d rules: neither %d nor %d"
                                 % (k, len(rules), base, base + RULES_PER_NAT))
                outcomes.append("new")
            d.start(timeout=240)
            # the restart re-applies what the state files say: the new set when the
            # apply got as far as writing its state file
            self.assertEqual(ft.differences(d.ro_sock), [])
            base = len(ft.rules_json())
        print("# kernel after each kill: %s" % " ".join(outcomes))
        # the start-up's rebuild of the whole table (~12000 rules in one transaction)
        # from an empty ruleset: killed at three moments, the table is absent or whole
        outcomes = []
        for frac in (0.05, 0.2, 0.4):
            d.kill9()
            ft.nft("flush", "ruleset")
            d.spawn()
            time.sleep(startup * frac)
            d.kill9()
            rules = ft.rules_json()
            self.assertIn(len(rules) if rules is not None else 0, (0, base),
                          "a start-up killed at %.1f of its time left a partial table" % frac)
            outcomes.append("old" if rules is None else "new")
        d.start(timeout=240)
        self.assertEqual(len(ft.rules_json()), base)
        self.assertEqual(ft.differences(d.ro_sock), [])
        print("# kernel after each start-up kill: %s" % " ".join(outcomes))


if __name__ == "__main__":
    ft.require()
    mvtest.enter_private_netns()
    mvtest.main()
