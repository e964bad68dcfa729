#!/usr/bin/python3
"""Snapshot create + revert of a running 256 MiB guest: modvirt-qemud vs Debian's
libvirtd, same run.

The guest and its setup are domain_save.py's (the tiny Linux guest under TCG,
256 MiB, a private qcow2 overlay per side, --fill-mib MiB of random data in a
tmpfs so the memory state is not zero pages). Then, --rounds times: an internal
snapshot of the running guest (snapshotCreateXML: the RAM goes into the qcow2
image, QMP snapshot-save on modvirt), a revert to it (revertToSnapshot:
snapshot-load) and its deletion; each call is timed until it returns. After the
last round the shell must still answer.

  /usr/bin/python3 bench/domain_snapshot.py --build-dir build-bench --rounds 5
Last line of stdout: one JSON object.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import benchns  # noqa: E402
from benchns import stats_ms  # noqa: E402
from domain_save import GUEST_DIR_DEFAULT, NAME, Serial, guest_xml, shell_answers  # noqa: E402

import libvirt  # noqa: E402


def run_side(label, args):
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    work = tempfile.mkdtemp(prefix="mvbench-snap-%s-" % label)
    disk = os.path.join(work, "disk.qcow2")
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b",
                    os.path.join(args.guest_dir, "disk.qcow2"), disk], check=True)
    if label == "modvirt":
        daemons = benchns.Modvirt(args.build_dir, ["qemu"])
        uri, pid = daemons.uri("qemu"), daemons.pid("qemu")
    else:
        benchns.qemu_account_in_namespace(work)
        daemons = benchns.Libvirtd()
        uri, pid = daemons.URI, daemons.pid
    result = {"label": label}
    try:
        conn = libvirt.open(uri)
        dom = conn.defineXML(guest_xml(args.guest_dir, disk, args.memory_mib))
        dom.create()
        shell_answers(dom, "BOOT", timeout=120)
        s = Serial(dom)
        try:
            s.expect("FILLED", 300, resend="mkdir -p /mnt/f; mount -t tmpfs -o size=%dm none "
                     "/mnt/f; dd if=/dev/urandom of=/mnt/f/x bs=1M count=%d 2>/dev/null; "
                     "echo FIL''LED\r" % (args.fill_mib + 8, args.fill_mib))
        finally:
            s.close()
        creates, reverts, deletes = [], [], []
        c0 = benchns.cpu_ticks(pid)
        for i in range(args.rounds):
            name = "bench%d" % i
            t0 = time.perf_counter()
            snap = dom.snapshotCreateXML("<domainsnapshot><name>%s</name></domainsnapshot>"
                                         % name)
            t1 = time.perf_counter()
            dom.revertToSnapshot(snap)
            t2 = time.perf_counter()
            snap.delete()
            t3 = time.perf_counter()
            creates.append(t1 - t0)
            reverts.append(t2 - t1)
            deletes.append(t3 - t2)
            if dom.state()[0] != libvirt.VIR_DOMAIN_RUNNING:
                raise RuntimeError("reverted guest is not running: %s" % (dom.state(),))
        cpu = (benchns.cpu_ticks(pid) - c0) * 1000 / os.sysconf("SC_CLK_TCK") / args.rounds
        shell_answers(dom, "AFTER")
        result.update({"create_ms": stats_ms(creates), "revert_ms": stats_ms(reverts),
                       "delete_ms": stats_ms(deletes),
                       "daemon_cpu_ms_per_round": round(cpu, 1)})
        dom.destroy()
        dom.undefine()
        conn.close()
    except BaseException as e:
        result["error"] = "%s: %s" % (type(e).__name__, e)
        log = daemons.log("qemu") if label == "modvirt" else daemons.log()
        result["daemon_log_tail"] = log[-1500:]
    finally:
        daemons.stop()
        subprocess.run(["rm", "-rf", work])
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", default=os.path.join(benchns.SOURCE_ROOT, "build"))
    ap.add_argument("--guest-dir", default=GUEST_DIR_DEFAULT,
                    help="the tiny guest (tests/guest/make-guest.sh OUTDIR)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--memory-mib", type=int, default=256)
    ap.add_argument("--fill-mib", type=int, default=160,
                    help="MiB of random data the guest keeps in a tmpfs")
    ap.add_argument("--no-libvirtd", action="store_true", help="modvirt only")
    ap.add_argument("--json-out", help="append the JSON result line to this file")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root: the benchmark makes namespaces")
    if not os.path.exists(os.path.join(args.guest_dir, "vmlinuz")):
        sys.exit("no tiny guest in %s: run tests/guest/make-guest.sh %s"
                 % (args.guest_dir, args.guest_dir))
    sides = ["modvirt"]
    why_not = "--no-libvirtd" if args.no_libvirtd else benchns.libvirtd_available()
    if why_not is None:
        sides.append("libvirtd")
    results = {}
    for side in sides:
        results[side] = benchns.run_isolated(run_side, side, args,
                                             mount_ns=(side == "libvirtd"))
    mv, lv = results.get("modvirt", {}), results.get("libvirtd", {})
    print("%-28s %-22s %-22s %s" % ("", "modvirt", "libvirtd", "ratio p50"))
    for row, key in [("create p50 / p99 ms", "create_ms"), ("revert p50 / p99 ms", "revert_ms"),
                     ("delete p50 / p99 ms", "delete_ms")]:
        cells = []
        for side in (mv, lv):
            v = side.get(key)
            cells.append("%.1f / %.1f" % (v["p50"], v["p99"]) if v else "-")
        ratio = ""
        if mv.get(key) and lv.get(key):
            ratio = "%.2f" % (mv[key]["p50"] / lv[key]["p50"])
        print("%-28s %-22s %-22s %s" % (row, cells[0], cells[1], ratio))
    print("%-28s %-22s %-22s" % ("daemon_cpu_ms_per_round", mv.get("daemon_cpu_ms_per_round",
                                                                    "-"),
                                 lv.get("daemon_cpu_ms_per_round", "-")))
    for side in (mv, lv):
        if side.get("error"):
            print("%s: %s\n%s" % (side["label"], side["error"], side.get("daemon_log_tail", "")))
    out = {"bench": "domain_snapshot", "rounds": args.rounds, "memory_mib": args.memory_mib,
           "fill_mib": args.fill_mib, "libvirtd": why_not or "run", "results": results}
    line = json.dumps(out)
    if args.json_out:
        with open(args.json_out, "a") as f:
            f.write(line + "\n")
    print(line)
    return 1 if any(r.get("error") for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
