#!/usr/bin/python3
"""Virtual networks through python3-libvirt: modvirt-networkd vs libvirtd, same run.

Each side runs in a forked child in its own, new network namespace (no bridge
ever appears on the host; see benchns.py): modvirt-networkd + modvirt-qemud
under one private --root, then Debian's libvirtd (also in a private mount
namespace, its /run/libvirt etc. on tmpfs).  The network is isolated (no
<forward>) with DHCP (a range + one static host) and one DNS host entry;
<bridge stp='off' delay='0'/>.  Measured per side:

  net-start     create() of the defined network until it returns, and until
                dnsmasq is READY: after create() returns, a veth whose peer is
                enslaved to the new bridge (one ioctl) sends a broadcast
                DHCPDISCOVER for the static host's MAC every 1 ms, and a DNS A
                query goes to the bridge address every 1 ms, until a DHCPOFFER
                for our xid AND a DNS reply with our id came back: both of
                dnsmasq's services answer.  ready = the later of the two.
  net-destroy   destroy() until it returns (dnsmasq stopped, bridge gone)
  define+undefine   of an (inactive) network, p50
  guest NIC     create() of a firmware-only guest (as in domain_lifecycle.py)
                with one <interface type='network'> (virtio) on the running
                network vs the same guest without a NIC, interleaved; delta
  scale         define N networks (each with its own bridge name, subnet and
                DHCP range; never started): define p50, listAllNetworks() p50
                (the python call until the list is returned; 100 calls) and
                the daemon's CPU per call, daemon RSS growth per network,
                undefine of all N

Last line of stdout: one JSON object.

  /usr/bin/python3 bench/network_lifecycle.py --build-dir build-bench \\
      --cycles 20 --guest-cycles 10 --scale 1000
"""

import argparse
import json
import os
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import benchns  # noqa: E402
from benchns import stats_ms  # noqa: E402

try:
    import libvirt
except ImportError:
    sys.exit("python3-libvirt is not importable by %s: run with /usr/bin/python3"
             % sys.executable)

NET_NAME = "bench-net"
CLIENT_MAC = "52:54:00:be:00:01"
CLIENT_IP = "192.168.150.10"
BRIDGE_IP = "192.168.150.1"
DNS_NAME = "ready.bench"
GUEST_MAC = "52:54:00:be:01:01"
LIST_CALLS = 100


def network_xml(name, bridge, third=150, second=168, first=192):
    net = "%d.%d.%d" % (first, second, third)
    return """<network>
  <name>%s</name>
  <uuid>%s</uuid>
  <bridge name='%s' stp='off' delay='0'/>
  <dns>
    <host ip='%s.1'><hostname>%s</hostname></host>
  </dns>
  <ip address='%s.1' prefix='24'>
    <dhcp>
      <range start='%s.100' end='%s.200'/>
      <host mac='%s' ip='%s.10'/>
    </dhcp>
  </ip>
</network>""" % (name, uuid.uuid4(), bridge, net, DNS_NAME, net, net, net, CLIENT_MAC, net)


def guest_xml(name, virt_type, nic):
    iface = ""
    if nic:
        iface = """
    <interface type='network'>
      <mac address='%s'/>
      <source network='%s'/>
      <model type='virtio'/>
    </interface>""" % (GUEST_MAC, NET_NAME)
    return """<domain type='%s'>
  <name>%s</name>
  <uuid>%s</uuid>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>%s
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
  </devices>
</domain>""" % (virt_type, name, uuid.uuid4(), iface)


def cleanup(conn, domains=True, networks=True, prefix="bench-"):
    for dom in conn.listAllDomains(0) if domains else ():
        if dom.name().startswith(prefix):
            try:
                if dom.isActive():
                    dom.destroy()
                if dom.isPersistent():
                    dom.undefine()
            except libvirt.libvirtError:
                pass
    for net in conn.listAllNetworks(0) if networks else ():
        if net.name().startswith(prefix):
            try:
                if net.isActive():
                    net.destroy()
                if net.isPersistent():
                    net.undefine()
            except libvirt.libvirtError:
                pass


def bench_start_destroy(conn, bridge, cycles):
    """net-start (returned, DHCP/DNS answering) and net-destroy of one network."""
    benchns.veth("bnp0", "bnp0b", CLIENT_MAC)
    probe = benchns.ReadyProbe("bnp0b", CLIENT_MAC, BRIDGE_IP, DNS_NAME)
    net = conn.networkDefineXML(network_xml(NET_NAME, bridge))
    ret, ready, dhcp, dns, destroy = [], [], [], [], []
    offered = None
    try:
        for i in range(cycles + 1):                 # the first one is a warm-up
            probe.drain()
            t0 = time.perf_counter()
            net.create()
            t1 = time.perf_counter()
            benchns.bridge_add_port(bridge, "bnp0")
            got_dhcp, got_dns, offered = probe.wait(t0)
            if got_dhcp is None or got_dns is None:
                raise RuntimeError("dnsmasq did not answer within 10 s (DHCP %s, DNS %s)"
                                   % (got_dhcp, got_dns))
            t2 = time.perf_counter()
            net.destroy()
            t3 = time.perf_counter()
            if i == 0:
                continue
            ret.append(t1 - t0)
            dhcp.append(got_dhcp)
            dns.append(got_dns)
            ready.append(max(got_dhcp, got_dns))
            destroy.append(t3 - t2)
    finally:
        probe.close()
        if net.isActive():
            net.destroy()
        net.undefine()
        benchns.ip("link", "del", "bnp0")
    return {"net_start_returned_ms": stats_ms(ret), "net_start_ready_ms": stats_ms(ready),
            "net_start_dhcp_offer_ms": stats_ms(dhcp), "net_start_dns_reply_ms": stats_ms(dns),
            "net_destroy_ms": stats_ms(destroy), "offered": offered}


def bench_define_undefine(conn, bridge, cycles):
    times = []
    for i in range(cycles + 1):
        xml = network_xml("bench-du%d" % i, bridge + "d")
        t0 = time.perf_counter()
        net = conn.networkDefineXML(xml)
        net.undefine()
        if i:
            times.append(time.perf_counter() - t0)
    return {"define_undefine_ms": stats_ms(times)}


def bench_guest_nic(nconn, conn, bridge, virt_type, cycles):
    """Guest start with one NIC on the running network vs no NIC, interleaved."""
    net = nconn.networkDefineXML(network_xml(NET_NAME, bridge))
    net.create()
    doms = {nic: conn.defineXML(guest_xml("bench-g%s" % ("nic" if nic else "bare"),
                                          virt_type, nic))
            for nic in (False, True)}
    starts = {False: [], True: []}
    destroys = {False: [], True: []}
    try:
        for i in range(cycles + 1):
            for nic in ((False, True) if i % 2 else (True, False)):
                dom = doms[nic]
                t0 = time.perf_counter()
                dom.create()
                t1 = time.perf_counter()
                if i == 0 and nic and bridge not in dom.XMLDesc(0):
                    raise RuntimeError("the guest's NIC is not on bridge %s:\n%s"
                                       % (bridge, dom.XMLDesc(0)))
                dom.destroy()
                t2 = time.perf_counter()
                if i:
                    starts[nic].append(t1 - t0)
                    destroys[nic].append(t2 - t1)
    finally:
        for dom in doms.values():
            if dom.isActive():
                dom.destroy()
            dom.undefine()
        net.destroy()
        net.undefine()
    bare, nic = stats_ms(starts[False]), stats_ms(starts[True])
    return {"guest_start_no_nic_ms": bare, "guest_start_one_nic_ms": nic,
            "guest_nic_delta_ms": round(nic["p50"] - bare["p50"], 2),
            "guest_destroy_no_nic_ms": stats_ms(destroys[False]),
            "guest_destroy_one_nic_ms": stats_ms(destroys[True])}


def bench_scale(conn, pid, n, bridge_prefix):
    rss0 = benchns.rss_kib(pid)
    defines = []
    nets = []
    for i in range(n):
        xml = network_xml("bench-s%05d" % i, "%s%d" % (bridge_prefix, i),
                          third=i % 250, second=i // 250, first=10)
        t0 = time.perf_counter()
        nets.append(conn.networkDefineXML(xml))
        defines.append(time.perf_counter() - t0)
    del nets
    lists = []
    count = None
    c0 = benchns.cpu_ticks(pid)
    for _ in range(LIST_CALLS):
        t0 = time.perf_counter()
        got = conn.listAllNetworks(0)
        t1 = time.perf_counter()
        count = len(got)
        del got
        lists.append(t1 - t0)
    cpu = (benchns.cpu_ticks(pid) - c0) * 1000 / os.sysconf("SC_CLK_TCK") / LIST_CALLS
    rss1 = benchns.rss_kib(pid)
    t0 = time.perf_counter()
    for net in conn.listAllNetworks(0):
        if net.name().startswith("bench-s"):
            net.undefine()
    undef = time.perf_counter() - t0
    return {"scale_n": n, "scale_listed": count, "scale_define_ms": stats_ms(defines),
            "list_all_networks_ms": stats_ms(lists),
            "list_all_networks_daemon_cpu_ms": round(cpu, 2), "rss_kib_before_scale": rss0,
            "rss_kib_at_scale": rss1, "rss_kib_per_network": round((rss1 - rss0) / n, 2),
            "scale_undefine_all_s": round(undef, 2)}


def run_side(label, args, virt_type):
    """Runs inside run_isolated(): start the daemon(s), measure, stop."""
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    if label == "modvirt":
        daemons = benchns.Modvirt(args.build_dir, ["network", "qemu"])
        net_uri, dom_uri = daemons.uri("network"), daemons.uri("qemu")
        net_pid = daemons.pid("network")
        bridge = "mvbr0"
    else:
        daemons = benchns.Libvirtd()
        net_uri = dom_uri = daemons.URI
        net_pid = daemons.pid
        bridge = "lvbr0"
    result = {"label": label}
    try:
        nconn = libvirt.open(net_uri)
        dconn = libvirt.open(dom_uri) if dom_uri != net_uri else nconn
        split = dconn is not nconn
        cleanup(nconn, domains=not split)
        if split:
            cleanup(dconn, networks=False)
        result["rss_kib_idle"] = benchns.rss_kib(net_pid)
        result.update(bench_start_destroy(nconn, bridge, args.cycles))
        result.update(bench_define_undefine(nconn, bridge, args.cycles))
        if args.guest_cycles:
            result.update(bench_guest_nic(nconn, dconn, bridge, virt_type, args.guest_cycles))
        if args.scale:
            result.update(bench_scale(nconn, net_pid, args.scale, bridge[:2] + "s"))
        if split:
            cleanup(dconn, networks=False)
        cleanup(nconn, domains=not split)
        if split:
            dconn.close()
        nconn.close()
    except BaseException as e:
        result["error"] = "%s: %s" % (type(e).__name__, e)
        log = daemons.log("network") if label == "modvirt" else daemons.log()
        result["daemon_log_tail"] = log[-1500:]
    finally:
        daemons.stop()
    return result


ROWS = [
    ("net-start: returned p50 / p99", "net_start_returned_ms"),
    ("net-start: DHCP+DNS answer p50 / p99", "net_start_ready_ms"),
    ("  DHCPOFFER p50 / p99", "net_start_dhcp_offer_ms"),
    ("  DNS reply p50 / p99", "net_start_dns_reply_ms"),
    ("net-destroy p50 / p99", "net_destroy_ms"),
    ("define+undefine p50 / p99", "define_undefine_ms"),
    ("guest start, no NIC p50 / p99", "guest_start_no_nic_ms"),
    ("guest start, 1 NIC p50 / p99", "guest_start_one_nic_ms"),
    ("network define at scale p50 / p99", "scale_define_ms"),
    ("listAllNetworks at scale p50 / p99", "list_all_networks_ms"),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", default=os.path.join(benchns.SOURCE_ROOT, "build"))
    ap.add_argument("--cycles", type=int, default=20, help="net start/destroy cycles")
    ap.add_argument("--guest-cycles", type=int, default=10,
                    help="guest starts per variant (0: skip the guest part)")
    ap.add_argument("--scale", type=int, default=1000, help="defined networks (0: skip)")
    ap.add_argument("--virt-type", choices=["kvm", "qemu"], default=None)
    ap.add_argument("--no-libvirtd", action="store_true", help="modvirt only")
    ap.add_argument("--json-out", help="append the JSON result line to this file")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root: the benchmark makes network namespaces")

    virt_type = args.virt_type or ("kvm" if os.access("/dev/kvm", os.R_OK | os.W_OK) else "qemu")
    sides = ["modvirt"]
    why_not = None if not args.no_libvirtd else "--no-libvirtd"
    why_not = why_not or benchns.libvirtd_available()
    if why_not is None:
        sides.append("libvirtd")
    results = {}
    for side in sides:
        results[side] = benchns.run_isolated(run_side, side, args, virt_type,
                                             mount_ns=(side == "libvirtd"))
    mv, lv = results.get("modvirt", {}), results.get("libvirtd", {})

    def cell(r, key):
        v = r.get(key)
        return "%.1f / %.1f" % (v["p50"], v["p99"]) if isinstance(v, dict) else "-"

    def ratio(key):
        a, b = mv.get(key), lv.get(key)
        if isinstance(a, dict) and isinstance(b, dict) and b["p50"]:
            return "%.3f" % (a["p50"] / b["p50"])
        return "-"
    print("%-40s %18s %18s %8s" % ("(ms)", "modvirt", "libvirtd", "mv/lv"))
    for title, key in ROWS:
        print("%-40s %18s %18s %8s" % (title, cell(mv, key), cell(lv, key), ratio(key)))
    for title, key in (("guest NIC delta p50 ms", "guest_nic_delta_ms"),
                       ("listAllNetworks daemon CPU ms/call", "list_all_networks_daemon_cpu_ms"),
                       ("RSS idle KiB", "rss_kib_idle"),
                       ("RSS per defined network KiB", "rss_kib_per_network")):
        print("%-40s %18s %18s" % (title, mv.get(key, "-"), lv.get(key, "-")))
    for r in (mv, lv):
        if "error" in r:
            print("%s: ERROR %s" % (r["label"] if "label" in r else "?", r["error"]))
    out = {"bench": "network_lifecycle", "virt_type": virt_type, "cycles": args.cycles,
           "guest_cycles": args.guest_cycles, "scale": args.scale,
           "libvirtd_not_measured": why_not, "results": results,
           "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    line = json.dumps(out)
    if args.json_out:
        with open(args.json_out, "a") as f:
            f.write(line + "\n")
    print(line)


if __name__ == "__main__":
    main()
