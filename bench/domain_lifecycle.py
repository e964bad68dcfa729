#!/usr/bin/python3
"""Domain lifecycle and scale through python3-libvirt: modvirt-qemud vs libvirtd.

The guest is firmware-only (no kernel, no disk: SeaBIOS finds nothing to boot
and keeps running), type kvm when /dev/kvm is usable, else qemu; 64 MiB, 1 vCPU.
Measured, for modvirt-qemud under a private --root and, in the same run, for
Debian's libvirtd when --libvirtd-uri is given:

  start / destroy       create() and destroy() of a defined guest (p50/p99 ms)
  cycle                 define -> create -> destroy -> undefine (p50 ms)
  parallel              N guests started at once from N connections: time until
                        every create() returned (ms), then destroyed at once
  scale                 define up to each N in --scale (e.g. 1000,10000), never
                        started: define p50 (ms), listAllDomains p50 (ms: the
                        python call up to the returned list; freeing the list is
                        not timed), daemon RSS per defined domain (KiB)

Last line of stdout: one JSON object.

  /usr/bin/python3 bench/domain_lifecycle.py --cycles 20 --parallel 10 --scale 1000
"""

import argparse
import json
import os
import sys
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from rpc_cheap import Modvirt, SOURCE_ROOT, median, percentile, rss_kib  # noqa: E402

import libvirt  # noqa: E402

PREFIX = "bench-mv-%d-" % os.getpid()


def guest_xml(name, virt_type):
    return """<domain type='%s'>
  <name>%s</name>
  <uuid>%s</uuid>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
  </devices>
</domain>""" % (virt_type, name, uuid.uuid4())


def cleanup(conn):
    for dom in conn.listAllDomains(0):
        if dom.name().startswith(PREFIX):
            try:
                if dom.isActive():
                    dom.destroy()
                if dom.isPersistent():
                    dom.undefine()
            except libvirt.libvirtError:
                pass


def ms(seconds):
    return round(seconds * 1000, 2)


def bench_start_destroy(conn, virt_type, cycles):
    dom = conn.defineXML(guest_xml(PREFIX + "sd", virt_type))
    starts, destroys = [], []
    try:
        dom.create()
        dom.destroy()                       # warm-up
        for _ in range(cycles):
            t0 = time.perf_counter()
            dom.create()
            t1 = time.perf_counter()
            dom.destroy()
            t2 = time.perf_counter()
            starts.append(t1 - t0)
            destroys.append(t2 - t1)
    finally:
        dom.undefine()
    starts.sort()
    destroys.sort()
    return {"start_ms": {"p50": ms(percentile(starts, 50)), "p99": ms(percentile(starts, 99))},
            "destroy_ms": {"p50": ms(percentile(destroys, 50)),
                           "p99": ms(percentile(destroys, 99))}}


def bench_cycle(conn, virt_type, cycles):
    times = []
    for i in range(cycles):
        xml = guest_xml(PREFIX + "cyc%d" % i, virt_type)
        t0 = time.perf_counter()
        dom = conn.defineXML(xml)
        dom.create()
        dom.destroy()
        dom.undefine()
        times.append(time.perf_counter() - t0)
    return {"cycle_ms_p50": ms(median(times))}


def bench_parallel(uri, virt_type, n):
    conns = [libvirt.open(uri) for _ in range(n)]
    doms = [c.defineXML(guest_xml(PREFIX + "par%d" % i, virt_type)) for i, c in enumerate(conns)]
    barrier = threading.Barrier(n + 1)
    errors = []

    def run(fn):
        barrier.wait()
        try:
            fn()
        except libvirt.libvirtError as e:
            errors.append(str(e))

    def timed(op):
        threads = [threading.Thread(target=run, args=(getattr(d, op),)) for d in doms]
        for t in threads:
            t.start()
        barrier.wait()
        t0 = time.perf_counter()
        for t in threads:
            t.join()
        return time.perf_counter() - t0

    try:
        start = timed("create")
        running = sum(1 for d in doms if d.state()[0] == libvirt.VIR_DOMAIN_RUNNING)
        destroy = timed("destroy")
    finally:
        for d in doms:
            try:
                d.undefine()
            except libvirt.libvirtError:
                pass
        for c in conns:
            c.close()
    return {"parallel": n, "parallel_start_ms": ms(start), "parallel_destroy_ms": ms(destroy),
            "parallel_running": running, "parallel_errors": errors}


def bench_scale(conn, pid, tranches, virt_type):
    out = []
    defined = 0
    rss0 = rss_kib(pid) if pid else None
    for n in tranches:
        times = []
        while defined < n:
            xml = guest_xml(PREFIX + "s%05d" % defined, virt_type)
            t0 = time.perf_counter()
            conn.defineXML(xml)
            times.append(time.perf_counter() - t0)
            defined += 1
        lists = []
        for _ in range(30):
            t0 = time.perf_counter()
            doms = conn.listAllDomains(0)
            t1 = time.perf_counter()
            del doms                        # python-side frees are not the daemon's cost
            lists.append(t1 - t0)
        entry = {"n": n, "define_ms_p50": ms(median(times)) if times else None,
                 "list_all_ms_p50": ms(median(lists))}
        if pid:
            entry["rss_kib"] = rss_kib(pid)
            entry["rss_kib_per_domain"] = round((entry["rss_kib"] - rss0) / max(n, 1), 2)
        out.append(entry)
    t0 = time.perf_counter()
    cleanup(conn)
    return {"scale": out, "undefine_all_s": round(time.perf_counter() - t0, 2)}


def run_all(label, uri, pid, args, virt_type):
    conn = libvirt.open(uri)
    cleanup(conn)
    result = {"label": label}
    try:
        result.update(bench_start_destroy(conn, virt_type, args.cycles))
        result.update(bench_cycle(conn, virt_type, max(args.cycles // 2, 3)))
        if args.parallel:
            result.update(bench_parallel(uri, virt_type, args.parallel))
        if args.scale:
            result.update(bench_scale(conn, pid, [int(x) for x in args.scale.split(",")],
                                      virt_type))
    finally:
        cleanup(conn)
        conn.close()
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default=os.path.join(SOURCE_ROOT, "build", "daemons", "qemu",
                                                     "modvirt-qemud"))
    ap.add_argument("--cycles", type=int, default=20)
    ap.add_argument("--parallel", type=int, default=10)
    ap.add_argument("--scale", default="", help="comma-separated domain counts, e.g. 1000,10000")
    ap.add_argument("--virt-type", choices=["kvm", "qemu"], default=None)
    ap.add_argument("--baseline", metavar="BINARY",
                    help="also run an (older) modvirt-qemud binary: before/after a change")
    ap.add_argument("--libvirtd-uri", default=None)
    ap.add_argument("--libvirtd-pid", type=int, default=None)
    args = ap.parse_args()

    virt_type = args.virt_type or ("kvm" if os.access("/dev/kvm", os.R_OK | os.W_OK) else "qemu")
    results = []
    runs = [("modvirt-qemud", args.binary)]
    if args.baseline:
        runs.append(("baseline", args.baseline))
    for label, binary in runs:
        daemon = Modvirt(binary)
        try:
            results.append(run_all(label, daemon.uri, daemon.pid, args, virt_type))
        finally:
            daemon.stop()
    if args.libvirtd_uri:
        results.append(run_all("libvirtd", args.libvirtd_uri, args.libvirtd_pid, args, virt_type))

    for r in results:
        print("%-14s start p50 %6.1f ms  destroy p50 %6.1f ms  cycle %6.1f ms  parallel(%s) %s ms"
              % (r["label"], r["start_ms"]["p50"], r["destroy_ms"]["p50"], r["cycle_ms_p50"],
                 r.get("parallel"), r.get("parallel_start_ms")))
        for s in r.get("scale", []):
            print("%14s n=%-6d define p50 %.2f ms  listAllDomains %.2f ms  rss/domain %s KiB"
                  % ("", s["n"], s["define_ms_p50"] or 0, s["list_all_ms_p50"],
                     s.get("rss_kib_per_domain")))
    print(json.dumps({"bench": "domain_lifecycle", "virt_type": virt_type, "results": results}))


if __name__ == "__main__":
    main()
