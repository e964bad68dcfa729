#!/usr/bin/python3
"""Markdown tables (as in bench/README.md) from the JSON lines of
network_lifecycle.py and filter_apply.py.

  /usr/bin/python3 bench/net_tables.py bench/results/network_lifecycle.jsonl \\
      bench/results/filter_apply.jsonl [more filter_apply lines, e.g. libvirtd's 100]

The last line of each file is used; filter_apply lines are merged per side
and interface count (a later file wins).
"""

import json
import sys


def last(path):
    with open(path) as f:
        lines = [ln for ln in f if ln.strip()]
    return json.loads(lines[-1])


def p(v):
    return "%.1f / %.1f" % (v["p50"], v["p99"]) if isinstance(v, dict) else "—"


def ratio(a, b):
    if isinstance(a, dict):
        a, b = a["p50"], (b or {}).get("p50") if isinstance(b, dict) else b
    try:
        if a is None or not b:
            return "—"
        return "%.2f" % (a / b) if a / b >= 0.1 else "%.3f (1/%d)" % (a / b, round(b / a))
    except TypeError:
        return "—"


def network_table(d):
    mv, lv = d["results"].get("modvirt", {}), d["results"].get("libvirtd", {})
    rows = [
        ("net-start, `create()` returned (ms p50 / p99)", "net_start_returned_ms"),
        ("**net-start until DHCPOFFER + DNS reply** (ms)", "net_start_ready_ms"),
        ("  first DHCPOFFER (ms)", "net_start_dhcp_offer_ms"),
        ("  first DNS reply (ms)", "net_start_dns_reply_ms"),
        ("net-destroy (ms)", "net_destroy_ms"),
        ("define + undefine (ms)", "define_undefine_ms"),
        ("guest start, no NIC (ms)", "guest_start_no_nic_ms"),
        ("guest start, one NIC on the network (ms)", "guest_start_one_nic_ms"),
        ("guest destroy, no NIC (ms)", "guest_destroy_no_nic_ms"),
        ("guest destroy, one NIC (ms)", "guest_destroy_one_nic_ms"),
        ("network define with %d defined (ms)" % d["scale"], "scale_define_ms"),
        ("`listAllNetworks()` with %d defined (ms)" % d["scale"], "list_all_networks_ms"),
    ]
    out = ["| | modvirt | libvirtd 9.0 | modvirt / libvirtd (p50) |", "|---|---|---|---|"]
    for title, key in rows:
        out.append("| %s | %s | %s | %s |" % (title, p(mv.get(key)), p(lv.get(key)),
                                             ratio(mv.get(key), lv.get(key))))
    for title, key in (("**NIC delta** on guest start, p50 (ms)", "guest_nic_delta_ms"),
                       ("daemon CPU per `listAllNetworks()` (ms)",
                        "list_all_networks_daemon_cpu_ms"),
                       ("daemon RSS idle (KiB)", "rss_kib_idle"),
                       ("daemon RSS per defined network (KiB)", "rss_kib_per_network")):
        a, b = mv.get(key), lv.get(key)
        r = ratio(a, b) if key != "guest_nic_delta_ms" else "—"
        out.append("| %s | %s | %s | %s |" % (title, a, b, r))
    return "\n".join(out)


def filter_tables(lines):
    per = {}
    nets = {}
    for d in lines:
        for side, r in d["results"].items():
            for e in r.get("nwfilter", []):
                per[(side, e["ifaces"])] = e
            if r.get("network"):
                nets[side] = r["network"]
    out = ["| interfaces | daemon | apply: total ms (per interface p50) | tx | CPU ms "
           "| reapply ms | tx | CPU ms | remove: total ms (per interface p50) | tx "
           "| rules in kernel |",
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    for n in sorted({k[1] for k in per}):
        for side in ("modvirt", "libvirtd"):
            e = per.get((side, n))
            if not e:
                out.append("| %d | %s | not run | | | | | | | | |" % (n, side))
                continue
            out.append(("| %d | %s | %.1f (%.1f) | %d | %d | %.1f | %d | %d | %.1f (%.1f) | %d "
                        "| %d |")
                       % (n, side, e["apply_total_ms"], e["apply_per_iface_ms"]["p50"],
                          e["apply_transactions"], e["apply_daemon_cpu_ms"], e["reapply_ms"],
                          e["reapply_transactions"], e["reapply_daemon_cpu_ms"],
                          e["remove_total_ms"], e["remove_per_iface_ms"]["p50"],
                          e["remove_transactions"], e["rules_in_kernel"]))
        a, b = per.get(("modvirt", n)), per.get(("libvirtd", n))
        if a and b:
            out.append("| %d | **mv / lv** | %s | | | %s | | | %s | | |"
                       % (n, ratio(a["apply_total_ms"], b["apply_total_ms"]),
                          ratio(a["reapply_ms"], b["reapply_ms"]),
                          ratio(a["remove_total_ms"], b["remove_total_ms"])))
    floors = ["%d: %s ms" % (n, e["nft_f_same_table_ms"]) for (s, n), e in sorted(per.items())
              if s == "modvirt" and "nft_f_same_table_ms" in e]
    out.append("")
    out.append("`nft -f` floor of rebuilding modvirt's bridge table (by interfaces): "
               + ", ".join(floors))
    out.append("")
    out.append("| network | daemon | start p50 / p99 ms | tx | destroy p50 / p99 ms | tx "
               "| rules while running |")
    out.append("|---|---|---|---|---|---|---|")
    for kind in ("isolated", "nat"):
        for side in ("modvirt", "libvirtd"):
            e = nets.get(side, {}).get(kind)
            if e:
                out.append("| %s | %s | %s | %d | %s | %d | %d |"
                           % (kind, side, p(e["start_ms"]), e["start_transactions"],
                              p(e["destroy_ms"]), e["destroy_transactions"],
                              sum(e["rules_while_running"].values())))
    m = nets.get("modvirt", {})
    if "private_apply_ms" in m:
        out.append("")
        out.append("filterd private apply of a nat rule set (mvfilter-call): %s ms, remove %s ms; "
                   "the tool's own floor %s ms → apply %s ms, remove %s ms; %d transaction; "
                   "filterd CPU %s ms per apply"
                   % (p(m["private_apply_ms"]), p(m["private_remove_ms"]),
                      m["private_call_floor_ms"], m["private_apply_minus_floor_ms"],
                      m["private_remove_minus_floor_ms"], m["private_apply_transactions"],
                      m["private_apply_filterd_cpu_ms"]))
    return "\n".join(out)


def main():
    net, filt = None, []
    for path in sys.argv[1:]:
        d = last(path)
        if d.get("bench") == "network_lifecycle":
            net = d
        elif d.get("bench") == "filter_apply":
            filt.append(d)
    if net:
        print("network_lifecycle.py (%s, %s cycles, %s guest cycles, scale %s)\n"
              % (net["date"], net["cycles"], net["guest_cycles"], net["scale"]))
        print(network_table(net))
        print()
    if filt:
        print("filter_apply.py (%s)\n" % ", ".join(d["date"] for d in filt))
        print(filter_tables(filt))


if __name__ == "__main__":
    main()
