#!/usr/bin/python3
"""Firewall rules: modvirt-filterd (nftables) vs libvirtd (ebtables/iptables), same run.

Each side runs in a forked child in its own, new network namespace (see
benchns.py): modvirt-filterd (+ modvirt-networkd for the nat part) under one
private --root, then Debian's libvirtd (also in a private mount namespace).
libvirt 9.0 writes its rules with the iptables/ip6tables/ebtables commands;
Debian's `iptables` package provides them as the nft variants, so every
command it runs is one nftables transaction too.  Transactions are counted
exactly: the kernel bumps the namespace's nftables generation id once per
committed transaction (benchns.nft_genid(), NFT_MSG_GETGEN), and nothing but
the daemon under test writes rules in the namespace.

nwfilter part: one filter of 100 rules (45 tcp accept in, 45 udp accept out,
9 mac protocol drops, one drop of all), applied through nwfilter bindings
(nwfilterBindingCreateXML, the call qemud/libvirt's qemu driver make for a
guest NIC with <filterref>) to N tap devices enslaved to a bridge, for each N
in --ifaces (default 1,10,100):

  apply      create the N bindings one after another: total and per-binding p50
  reapply    redefine the filter (one port of one rule changed) while N bindings
             use it: the one call that re-applies the filter to all N interfaces
  remove     delete the N bindings: total and per-binding p50
  kernel     transactions for each of the three, and rules in the ruleset
             with the N bindings applied
  CPU        the daemon's CPU time for each of the three, its reaped children
             included (libvirtd's iptables/ebtables commands)
  floor      (modvirt) `nft -f` replacing table bridge modvirt by its own
             listing, minus nft's process start: libnftables + kernel alone

nat network part: start and destroy of a nat network (same DHCP/DNS as in
network_lifecycle.py) vs the same network isolated, with the transactions each
takes; for modvirt also filterd's private apply/remove of the nat rule set
directly (tests/filter/mvfilter-call: one process per call, so its time minus
the same tool's `list` call, which has the same process start and connection).

Last line of stdout: one JSON object.

  /usr/bin/python3 bench/filter_apply.py --build-dir build-bench --ifaces 1,10,100
"""

import argparse
import json
import os
import subprocess
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import benchns  # noqa: E402
from benchns import ms, stats_ms  # noqa: E402

try:
    import libvirt
except ImportError:
    sys.exit("python3-libvirt is not importable by %s: run with /usr/bin/python3"
             % sys.executable)

FILTER = "bench-f100"
BRIDGE = "bfbr0"


def filter_xml(name, filter_uuid, variant=0):
    """100 rules; `variant` changes one port, so a redefinition really differs
    (libvirtd skips re-applying a filter whose definition did not change)."""
    rules = []
    for i in range(45):
        rules.append("<rule action='accept' direction='in' priority='500'>"
                     "<tcp dstportstart='%d'/></rule>" % (2000 + i + (variant if i == 0 else 0)))
    for i in range(45):
        rules.append("<rule action='accept' direction='out' priority='500'>"
                     "<udp dstportstart='%d'/></rule>" % (3000 + i))
    for i in range(9):
        rules.append("<rule action='drop' direction='out' priority='400'>"
                     "<mac protocolid='0x%04x'/></rule>" % (0x88b5 + i))
    rules.append("<rule action='drop' direction='inout' priority='1000'><all/></rule>")
    return ("<filter name='%s' chain='root'>\n  <uuid>%s</uuid>\n  %s\n</filter>"
            % (name, filter_uuid, "\n  ".join(rules)))


def tap(i):
    return "bft%d" % i


def binding_xml(i):
    return """<filterbinding>
  <owner><name>bench-vm%d</name><uuid>%s</uuid></owner>
  <portdev name='%s'/>
  <mac address='52:54:00:bf:%02x:%02x'/>
  <filterref filter='%s'/>
</filterbinding>""" % (i, uuid.uuid4(), tap(i), i // 256, i % 256, FILTER)


def make_taps(n):
    cmds = ["link add %s type bridge stp_state 0 forward_delay 0" % BRIDGE,
            "link set %s up" % BRIDGE]
    for i in range(n):
        cmds += ["tuntap add dev %s mode tap" % tap(i),
                 "link set %s master %s" % (tap(i), BRIDGE),
                 "link set %s up" % tap(i)]
    subprocess.run(["ip", "-batch", "-"], input="\n".join(cmds) + "\n", text=True, check=True)


def total_rules():
    return sum(benchns.nft_rule_count().values())


def cpu_ms(pid, t0):
    return round((benchns.cpu_ticks_all(pid) - t0) * 1000 / os.sysconf("SC_CLK_TCK"))


def nft_reload_floor(table="bridge modvirt", reps=3):
    """p50 ms of `nft -f` replacing TABLE by its own listing (delete + add in one
    transaction) minus `nft list tables` (process start): what libnftables and
    the kernel need to rebuild the table, without the daemon."""
    text = subprocess.run(["nft", "list", "table"] + table.split(), capture_output=True,
                          text=True, check=True).stdout
    load, floor = [], []
    for _ in range(reps):
        t0 = time.perf_counter()
        subprocess.run(["nft", "list", "tables"], capture_output=True, check=True)
        t1 = time.perf_counter()
        subprocess.run(["nft", "-f", "-"], input="delete table %s\n%s" % (table, text),
                       text=True, check=True)
        t2 = time.perf_counter()
        floor.append(t1 - t0)
        load.append(t2 - t1)
    return round(stats_ms(load)["p50"] - stats_ms(floor)["p50"], 1)


def bench_nwfilter(conn, sizes, pid, floor=False):
    filter_uuid = str(uuid.uuid4())
    variant = 0
    conn.nwfilterDefineXML(filter_xml(FILTER, filter_uuid, variant))
    out = []
    try:
        base_rules = total_rules()
        for n in sizes:
            entry = {"ifaces": n}
            per = []
            g0 = benchns.nft_genid()
            c0 = benchns.cpu_ticks_all(pid)
            t0 = time.perf_counter()
            bindings = []
            for i in range(n):
                t = time.perf_counter()
                bindings.append(conn.nwfilterBindingCreateXML(binding_xml(i), 0))
                per.append(time.perf_counter() - t)
            t1 = time.perf_counter()
            g1 = benchns.nft_genid()
            entry["apply_total_ms"] = ms(t1 - t0)
            entry["apply_per_iface_ms"] = stats_ms(per)
            entry["apply_transactions"] = g1 - g0
            entry["apply_daemon_cpu_ms"] = cpu_ms(pid, c0)
            entry["rules_in_kernel"] = total_rules() - base_rules

            variant = 1 - variant
            c0 = benchns.cpu_ticks_all(pid)
            t0 = time.perf_counter()
            conn.nwfilterDefineXML(filter_xml(FILTER, filter_uuid, variant))
            t1 = time.perf_counter()
            g2 = benchns.nft_genid()
            entry["reapply_ms"] = ms(t1 - t0)
            entry["reapply_transactions"] = g2 - g1
            entry["reapply_daemon_cpu_ms"] = cpu_ms(pid, c0)
            entry["rules_after_reapply"] = total_rules() - base_rules
            if floor:
                entry["nft_f_same_table_ms"] = nft_reload_floor()
                g2 = benchns.nft_genid()

            per = []
            c0 = benchns.cpu_ticks_all(pid)
            t0 = time.perf_counter()
            for b in bindings:
                t = time.perf_counter()
                b.delete()
                per.append(time.perf_counter() - t)
            t1 = time.perf_counter()
            g3 = benchns.nft_genid()
            entry["remove_total_ms"] = ms(t1 - t0)
            entry["remove_per_iface_ms"] = stats_ms(per)
            entry["remove_transactions"] = g3 - g2
            entry["remove_daemon_cpu_ms"] = cpu_ms(pid, c0)
            entry["rules_left"] = total_rules() - base_rules
            out.append(entry)
    finally:
        for b in conn.listAllNWFilterBindings(0):
            if b.portDev().startswith("bft"):
                try:
                    b.delete()
                except libvirt.libvirtError:
                    pass
        conn.nwfilterLookupByName(FILTER).undefine()
    return out


def net_xml(name, nat):
    return """<network>
  <name>%s</name>%s
  <bridge name='bnbr0' stp='off' delay='0'/>
  <dns><host ip='192.168.151.1'><hostname>ready.bench</hostname></host></dns>
  <ip address='192.168.151.1' prefix='24'>
    <dhcp><range start='192.168.151.100' end='192.168.151.200'/></dhcp>
  </ip>
</network>""" % (name, "\n  <forward mode='nat'/>" if nat else "")


def bench_network_rules(conn, cycles):
    """nat vs isolated network: start/destroy and the transactions each takes."""
    out = {}
    for kind in ("isolated", "nat"):
        net = conn.networkDefineXML(net_xml("bench-%s" % kind, kind == "nat"))
        starts, destroys, tx_start, tx_destroy, rules = [], [], [], [], None
        try:
            for i in range(cycles + 1):
                g0 = benchns.nft_genid()
                t0 = time.perf_counter()
                net.create()
                t1 = time.perf_counter()
                g1 = benchns.nft_genid()
                if rules is None:
                    rules = benchns.nft_rule_count()
                t2 = time.perf_counter()
                net.destroy()
                t3 = time.perf_counter()
                g2 = benchns.nft_genid()
                if i:
                    starts.append(t1 - t0)
                    destroys.append(t3 - t2)
                    tx_start.append(g1 - g0)
                    tx_destroy.append(g2 - g1)
        finally:
            if net.isActive():
                net.destroy()
            net.undefine()
        out[kind] = {"start_ms": stats_ms(starts), "destroy_ms": stats_ms(destroys),
                     "start_transactions": max(tx_start), "destroy_transactions": max(tx_destroy),
                     "rules_while_running": rules}
    return out


def bench_private_apply(call, sock, cycles, pid):
    """filterd's private procedure through mvfilter-call, minus its `list` floor."""
    def run(*args):
        t0 = time.perf_counter()
        subprocess.run([call, sock] + list(args), check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - t0
    apply_, remove, floor, tx = [], [], [], []
    cpu = 0
    args = ["apply", "bench-natp", "bnbr1", "nat", "ip=192.168.152.1/24",
            "services=dhcp,dns"]
    for i in range(cycles + 1):
        floor.append(run("list"))
        g0 = benchns.nft_genid()
        c0 = benchns.cpu_ticks_all(pid)
        apply_.append(run(*args))
        if i:
            cpu += benchns.cpu_ticks_all(pid) - c0
        tx.append(benchns.nft_genid() - g0)
        remove.append(run("remove", "bench-natp"))
    floor, apply_, remove = floor[1:], apply_[1:], remove[1:]
    f = stats_ms(floor)["p50"]
    a, r = stats_ms(apply_), stats_ms(remove)
    return {"private_apply_ms": a, "private_remove_ms": r, "private_call_floor_ms": f,
            "private_apply_minus_floor_ms": round(a["p50"] - f, 2),
            "private_remove_minus_floor_ms": round(r["p50"] - f, 2),
            "private_apply_transactions": max(tx[1:]),
            "private_apply_filterd_cpu_ms": round(cpu * 1000 / os.sysconf("SC_CLK_TCK")
                                                  / max(cycles, 1), 2)}


def run_side(label, args):
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    sizes = [int(x) for x in args.ifaces.split(",") if x]
    if label == "libvirtd" and args.libvirtd_max_ifaces:
        sizes = [n for n in sizes if n <= args.libvirtd_max_ifaces]
    make_taps(max(sizes) if sizes else 0)
    if label == "modvirt":
        daemons = benchns.Modvirt(args.build_dir, ["filter", "network"])
        fconn_uri, nconn_uri = daemons.uri("filter"), daemons.uri("network")
        pid = daemons.pid("filter")
    else:
        daemons = benchns.Libvirtd()
        fconn_uri = nconn_uri = daemons.URI
        pid = daemons.pid
    result = {"label": label, "ifaces": sizes}
    try:
        fconn = libvirt.open(fconn_uri)
        result["rss_kib_idle"] = benchns.rss_kib(pid)
        result["nwfilter"] = bench_nwfilter(fconn, sizes, pid, floor=(label == "modvirt"))
        fconn.close()
        if args.net_cycles:
            nconn = libvirt.open(nconn_uri)
            result["network"] = bench_network_rules(nconn, args.net_cycles)
            nconn.close()
            if label == "modvirt":
                call = os.path.join(args.build_dir, "tests", "filter", "mvfilter-call")
                if os.access(call, os.X_OK):
                    result["network"].update(bench_private_apply(
                        call, daemons.sock("filter"), args.net_cycles * 3, pid))
    except BaseException as e:
        result["error"] = "%s: %s" % (type(e).__name__, e)
        log = daemons.log("filter") if label == "modvirt" else daemons.log()
        result["daemon_log_tail"] = log[-1500:]
    finally:
        daemons.stop()
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", default=os.path.join(benchns.SOURCE_ROOT, "build"))
    ap.add_argument("--ifaces", default="1,10,100", help="interface counts")
    ap.add_argument("--libvirtd-max-ifaces", type=int, default=10,
                    help="skip larger interface counts for libvirtd (0: no limit); its apply "
                    "costs ~8 s per interface here, so 100 would take ~15 min")
    ap.add_argument("--net-cycles", type=int, default=10,
                    help="nat/isolated network start+destroy cycles (0: skip)")
    ap.add_argument("--no-libvirtd", action="store_true", help="modvirt only")
    ap.add_argument("--libvirtd-only", action="store_true",
                    help="libvirtd only (e.g. its 100-interface run, which takes ~10 min)")
    ap.add_argument("--json-out", help="append the JSON result line to this file")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root: the benchmark makes network namespaces")

    sides = [] if args.libvirtd_only else ["modvirt"]
    why_not = "--no-libvirtd" if args.no_libvirtd else benchns.libvirtd_available()
    if why_not is None:
        sides.append("libvirtd")
    elif args.libvirtd_only:
        sys.exit("libvirtd cannot run here: %s" % why_not)
    results = {}
    for side in sides:
        results[side] = benchns.run_isolated(run_side, side, args,
                                             mount_ns=(side == "libvirtd"))

    print("%-10s %6s %12s %10s %6s %12s %6s %10s %6s %7s" % (
        "daemon", "ifaces", "apply ms", "per-if p50", "tx", "reapply ms", "tx",
        "remove ms", "tx", "rules"))
    for side, r in results.items():
        for e in r.get("nwfilter", []):
            print("%-10s %6d %12.1f %10.2f %6d %12.1f %6d %10.1f %6d %7d" % (
                side, e["ifaces"], e["apply_total_ms"], e["apply_per_iface_ms"]["p50"],
                e["apply_transactions"], e["reapply_ms"], e["reapply_transactions"],
                e["remove_total_ms"], e["remove_transactions"], e["rules_in_kernel"]))
    for side, r in results.items():
        for kind, e in sorted(r.get("network", {}).items()):
            if isinstance(e, dict) and "start_ms" in e:
                print("%-10s %-8s network start p50 %7.1f ms (%d tx)  destroy p50 %7.1f ms (%d tx)"
                      % (side, kind, e["start_ms"]["p50"], e["start_transactions"],
                         e["destroy_ms"]["p50"], e["destroy_transactions"]))
        net = r.get("network", {})
        if "private_apply_ms" in net:
            print("%-10s private nat apply %.1f ms, remove %.1f ms (mvfilter-call; minus its "
                  "%.1f ms floor: %.1f / %.1f ms; %d tx; filterd CPU %.1f ms per apply)"
                  % (side, net["private_apply_ms"]["p50"], net["private_remove_ms"]["p50"],
                     net["private_call_floor_ms"], net["private_apply_minus_floor_ms"],
                     net["private_remove_minus_floor_ms"], net["private_apply_transactions"],
                     net["private_apply_filterd_cpu_ms"]))
        if "error" in r:
            print("%s: ERROR %s" % (side, r["error"]))
    out = {"bench": "filter_apply", "ifaces": args.ifaces, "net_cycles": args.net_cycles,
           "libvirtd_not_measured": why_not, "results": results,
           "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    line = json.dumps(out)
    if args.json_out:
        with open(args.json_out, "a") as f:
            f.write(line + "\n")
    print(line)


if __name__ == "__main__":
    main()
