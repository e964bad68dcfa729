#!/usr/bin/python3
"""NAT live: in a private network namespace (the "host"), a bridge with an
address, a "guest" namespace on a veth plugged into it, an "outside"
namespace on another veth with its own subnet and no route back to the
guest's. With the nat rule set of the bridge's network applied by filterd
(the private program), the guest pings the outside and the outside sees
the host's address as the source (counters in the outside's own table);
without it the ping fails. An isolated network's guest cannot reach the
outside even though the outside has a route back to it (it can before the
rules are applied).

The guest and outside namespaces are `unshare -n sleep` processes, entered
with nsenter: nothing is created under /run/netns."""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import unittest  # noqa: E402
import filtertest as ft  # noqa: E402

OUTSIDE = "198.51.100.2"
HOST_OUT = "198.51.100.1"
NAT_GUEST = "192.168.77.10"
ISO_GUEST = "192.168.88.10"

namespaces = []


def sh(*cmd):
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    if res.returncode != 0:
        raise AssertionError("%s failed: %s" % (" ".join(cmd), res.stderr))
    return res.stdout


def new_ns():
    p = subprocess.Popen(["unshare", "-n", "sleep", "3600"])
    namespaces.append(p)
    mvtest.wait_for(lambda: os.readlink("/proc/%d/ns/net" % p.pid)
                    != os.readlink("/proc/self/ns/net"), 5)
    return p.pid


def in_ns(pid, *cmd, check=True):
    res = subprocess.run(["nsenter", "-t", str(pid), "-n"] + list(cmd), capture_output=True,
                         text=True, timeout=30)
    if check and res.returncode != 0:
        raise AssertionError("%s in %d failed: %s" % (" ".join(cmd), pid, res.stderr))
    return res


def ping(pid, addr):
    return in_ns(pid, "busybox", "ping", "-c", "1", "-W", "2", addr, check=False).returncode == 0


def plug(pid, name, addr, gw, bridge=None, host_addr=None):
    """A veth pair: NAME-g in namespace PID with ADDR (default via GW), NAME-h here
    (enslaved to BRIDGE or given HOST_ADDR)."""
    sh("ip", "link", "add", name + "-h", "type", "veth", "peer", "name", name + "-g")
    sh("ip", "link", "set", name + "-g", "netns", str(pid))
    if bridge:
        sh("ip", "link", "set", name + "-h", "master", bridge)
    if host_addr:
        sh("ip", "addr", "add", host_addr, "dev", name + "-h")
    sh("ip", "link", "set", name + "-h", "up")
    in_ns(pid, "ip", "link", "set", "lo", "up")
    in_ns(pid, "ip", "addr", "add", addr, "dev", name + "-g")
    in_ns(pid, "ip", "link", "set", name + "-g", "up")
    if gw:
        in_ns(pid, "ip", "route", "add", "default", "via", gw)


def bridge(name, addr):
    sh("ip", "link", "add", name, "type", "bridge")
    sh("ip", "addr", "add", addr, "dev", name)
    sh("ip", "link", "set", name, "up")


daemon = None
guest = iso_guest = outside = None


def setUpModule():
    global daemon, guest, iso_guest, outside
    with open("/proc/sys/net/ipv4/ip_forward", "w") as f:
        f.write("1\n")
    guest, iso_guest, outside = new_ns(), new_ns(), new_ns()
    bridge("br-nat", "192.168.77.1/24")
    bridge("br-iso", "192.168.88.1/24")
    plug(guest, "vnat", NAT_GUEST + "/24", "192.168.77.1", bridge="br-nat")
    plug(iso_guest, "viso", ISO_GUEST + "/24", "192.168.88.1", bridge="br-iso")
    plug(outside, "vout", OUTSIDE + "/24", None, host_addr=HOST_OUT + "/24")
    # the outside knows the isolated subnet (so only our rules stop it), not the nat one
    in_ns(outside, "ip", "route", "add", "192.168.88.0/24", "via", HOST_OUT)
    # the outside counts echo requests by source, in its own namespace's table
    subprocess.run(["nsenter", "-t", str(outside), "-n", "nft", "-f", "-"], check=True,
                   text=True, input="table ip seen {\n chain in {\n"
                   "  type filter hook input priority 0; policy accept;\n"
                   "  icmp type echo-request ip saddr %s counter\n"
                   "  icmp type echo-request ip saddr %s counter\n"
                   " }\n}\n" % (HOST_OUT, NAT_GUEST))
    daemon = ft.filterd().start()


def tearDownModule():
    if daemon:
        daemon.cleanup()
    for p in namespaces:
        p.kill()
        p.wait()


def seen():
    """{source: packets} of the outside's counters."""
    out = in_ns(outside, "nft", "list", "table", "ip", "seen").stdout
    return {m.group(1): int(m.group(2))
            for m in re.finditer(r"ip saddr (\S+) counter packets (\d+)", out)}


class Nat(unittest.TestCase):
    def test_1_nat_guest_reaches_outside_masqueraded(self):
        # no rules yet: the outside cannot answer the guest's own address
        self.assertFalse(ping(guest, OUTSIDE))
        before = seen()
        self.assertEqual(before[HOST_OUT], 0)
        ft.call(daemon.sock, "apply", "natlive", "br-nat", "nat", "ip=192.168.77.1/24",
                "services=dhcp,dns")
        self.assertTrue(ping(guest, OUTSIDE), ft.listing())
        after = seen()
        self.assertGreaterEqual(after[HOST_OUT], 1, after)
        # only the one unanswered ping before the rules came from the guest's address
        self.assertEqual(after[NAT_GUEST], before[NAT_GUEST])
        # the guest still reaches its bridge; removing the rules ends the NAT
        self.assertTrue(ping(guest, "192.168.77.1"))
        ft.call(daemon.sock, "remove", "natlive")
        self.assertIsNone(ft.listing())

    def test_2_isolated_guest_cannot_reach_outside(self):
        # without rules the route back exists: forwarding works
        self.assertTrue(ping(iso_guest, OUTSIDE))
        ft.call(daemon.sock, "apply", "isolive", "br-iso", "isolated", "ip=192.168.88.1/24",
                "services=dhcp,dns")
        self.assertFalse(ping(iso_guest, OUTSIDE))
        # the host side of the bridge is still reachable (input is not forwarding)
        self.assertTrue(ping(iso_guest, "192.168.88.1"))
        ft.call(daemon.sock, "remove", "isolive")
        self.assertTrue(ping(iso_guest, OUTSIDE))


if __name__ == "__main__":
    ft.require()
    mvtest.require_tools("busybox", "nsenter", "unshare")
    mvtest.enter_private_netns()
    mvtest.main()
