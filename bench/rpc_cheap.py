#!/usr/bin/python3
"""Round-trip cost of cheap RPCs through python3-libvirt: modvirt-qemud vs libvirtd.

Starts modvirt-qemud under a private temporary --root, and measures, interleaved
in the same run, the same calls against Debian's libvirtd when one is given
(--libvirtd-uri/--libvirtd-pid) or found running.  For every call and daemon:
p50/p99 latency (µs, nearest rank), calls/s, and daemon CPU µs per call from
/proc/PID/stat utime+stime deltas over each measuring window (10 ms tick:
keep --duration >= 2).  With --strace, also syscalls per call of the daemon
(`strace -c -f -p PID`, all threads).  Last line of stdout: one JSON object.

  /usr/bin/python3 bench/rpc_cheap.py                     # modvirt only
  /usr/bin/python3 bench/rpc_cheap.py --libvirtd-uri qemu:///system \\
        --libvirtd-pid "$(pgrep -x libvirtd)" --rounds 3 --strace
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(HERE)

try:
    import libvirt
except ImportError:
    sys.exit("python3-libvirt is not importable by %s: run with /usr/bin/python3"
             % sys.executable)

OPS = {
    "getVersion": lambda c: c.getVersion(),
    "getHostname": lambda c: c.getHostname(),
    "listAllDomains": lambda c: c.listAllDomains(0),
}
TICK_US = 1e6 / os.sysconf("SC_CLK_TCK")


def percentile(sorted_vals, p):
    """Nearest-rank percentile of an ascending list."""
    if not sorted_vals:
        return float("nan")
    k = max(0, min(len(sorted_vals) - 1, int(-(-p * len(sorted_vals) // 100)) - 1))
    return sorted_vals[k]


def median(vals):
    vals = sorted(vals)
    n = len(vals)
    if n == 0:
        return float("nan")
    return vals[n // 2] if n % 2 else (vals[n // 2 - 1] + vals[n // 2]) / 2


def cpu_ticks(pid):
    """utime + stime of PID in clock ticks (all threads)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])      # fields 14 and 15 of stat(5)


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


def pin_process(pid, cpu):
    """Pin every thread of PID to one CPU (sched_setaffinity is per thread)."""
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            os.sched_setaffinity(int(tid), {cpu})
        except OSError:
            pass


def find_libvirtd():
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/comm" % entry) as f:
                    if f.read().strip() == "libvirtd":
                        return int(entry)
            except OSError:
                pass
    return None


def cpu_hogs():
    """Other processes using >= 20 % of a CPU over 0.5 s (noise check)."""
    def snap():
        out = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    out[int(entry)] = cpu_ticks(int(entry))
                except (OSError, IndexError, ValueError):
                    pass
        return out
    a = snap()
    time.sleep(0.5)
    b = snap()
    hogs = []
    for pid, t in b.items():
        if pid != os.getpid() and (t - a.get(pid, t)) * TICK_US >= 0.2 * 0.5e6:
            try:
                with open("/proc/%d/comm" % pid) as f:
                    hogs.append(f.read().strip())
            except OSError:
                pass
    return hogs


class Modvirt:
    """modvirt-qemud under a temporary root, stopped by PID and reaped."""

    def __init__(self, binary):
        self.root = tempfile.mkdtemp(prefix="mvbench-")
        self.sock = os.path.join(self.root, "run", "qemu.sock")
        self.uri = "qemu+unix:///system?socket=" + self.sock
        env = dict(os.environ)
        env.pop("MODVIRT_LOG", None)
        env.pop("NOTIFY_SOCKET", None)
        self.log = open(os.path.join(self.root, "daemon.log"), "wb")
        self.proc = subprocess.Popen([binary, "--root", self.root], env=env,
                                     stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit("modvirt-qemud exited with %d:\n%s"
                                 % (self.proc.returncode, self.read_log()))
            s = socket.socket(socket.AF_UNIX)
            try:
                s.connect(self.sock)
                return
            except OSError:
                time.sleep(0.05)
            finally:
                s.close()
        self.stop()
        raise SystemExit("modvirt-qemud did not start serving within 15 s")

    @property
    def pid(self):
        return self.proc.pid

    def read_log(self):
        with open(os.path.join(self.root, "daemon.log"), "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.root, ignore_errors=True)


def measure(conn, fn, pid, duration, warmup):
    """Call fn(conn) back to back for `duration` s; latencies and daemon CPU."""
    for _ in range(warmup):
        fn(conn)
    lat = []
    perf = time.perf_counter_ns
    cpu0 = cpu_ticks(pid) if pid else None
    t_end = time.monotonic() + duration
    start = perf()
    while True:
        t0 = perf()
        fn(conn)
        lat.append(perf() - t0)
        if len(lat) % 64 == 0 and time.monotonic() >= t_end:
            break
    wall = (perf() - start) / 1e9
    cpu1 = cpu_ticks(pid) if pid else None
    lat.sort()
    res = {
        "calls": len(lat),
        "p50_us": round(percentile(lat, 50) / 1000, 1),
        "p99_us": round(percentile(lat, 99) / 1000, 1),
        "calls_per_s": round(len(lat) / wall),
    }
    if pid:
        res["daemon_cpu_us_per_call"] = round((cpu1 - cpu0) * TICK_US / len(lat), 1)
    return res


def strace_syscalls(conn, fn, pid, calls):
    """Syscalls per call of the daemon, all threads, from `strace -c -f -p`."""
    out = tempfile.NamedTemporaryFile(prefix="mvbench-strace-", suffix=".txt", delete=False)
    out.close()
    st = subprocess.Popen(["strace", "-c", "-f", "-p", str(pid), "-o", out.name],
                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE)
    try:
        # strace reports each attached thread on stderr; give it time to attach all
        time.sleep(1.0)
        fn(conn)
        for _ in range(calls):
            fn(conn)
    finally:
        st.send_signal(signal.SIGINT)
        try:
            st.wait(20)
        except subprocess.TimeoutExpired:
            st.kill()
            st.wait()
    with open(out.name) as f:
        text = f.read()
    os.unlink(out.name)
    total = None
    top = []
    for line in text.splitlines():
        parts = line.split()
        if parts and parts[-1] == "total":
            # % time, seconds, usecs/call, calls, [errors], total
            nums = [p for p in parts[:-1]]
            total = int(nums[3]) if len(nums) >= 4 else None
        elif len(parts) >= 5 and parts[0].replace(".", "").isdigit():
            try:
                top.append((parts[-1], int(parts[3])))
            except ValueError:
                pass
    if total is None:
        return None
    top.sort(key=lambda x: -x[1])
    return {"per_call": round(total / (calls + 1), 1),
            "top": {name: round(n / (calls + 1), 1) for name, n in top[:6]}}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--qemud",
                    help="modvirt-qemud binary (default: BUILD/daemons/qemu/modvirt-qemud)")
    ap.add_argument("--build-dir", default=os.path.join(SOURCE_ROOT, "build"))
    ap.add_argument("--modvirt-uri", help="use an already running modvirt daemon at this URI "
                    "(then give --modvirt-pid) instead of starting one")
    ap.add_argument("--modvirt-pid", type=int)
    ap.add_argument("--baseline-qemud", metavar="BINARY",
                    help="also start this (older) modvirt-qemud as 'baseline' and measure it "
                    "in the same interleaved rounds: before/after a change")
    ap.add_argument("--libvirtd-uri", help="compare with libvirtd at this URI "
                    "(default: qemu:///system when a libvirtd process is running)")
    ap.add_argument("--libvirtd-pid", type=int, help="libvirtd's pid (default: found in /proc)")
    ap.add_argument("--no-libvirtd", action="store_true", help="never compare with libvirtd")
    ap.add_argument("--duration", type=float, default=2.0, help="seconds per op/daemon/round")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds (medians reported)")
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--ops", default=",".join(OPS), help="comma list of " + ",".join(OPS))
    ap.add_argument("--strace", action="store_true", help="also count syscalls per call")
    ap.add_argument("--strace-calls", type=int, default=2000)
    ap.add_argument("--pin-cpu", type=int, metavar="N",
                    help="pin this client and every daemon thread to CPU N (the one-CPU "
                    "condition: no cross-CPU wake-ups)")
    ap.add_argument("--json-out", help="append the JSON result line to this file")
    args = ap.parse_args()

    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    ops = [o for o in args.ops.split(",") if o]
    for o in ops:
        if o not in OPS:
            ap.error("unknown op %r" % o)

    targets = []        # (label, uri, pid)
    started = None
    baseline = None
    if args.modvirt_uri:
        targets.append(("modvirt", args.modvirt_uri, args.modvirt_pid))
    else:
        binary = args.qemud or os.path.join(args.build_dir, "daemons", "qemu", "modvirt-qemud")
        if not os.access(binary, os.X_OK):
            sys.exit("no daemon binary at %s: build first (bench/run.sh does)" % binary)
        started = Modvirt(binary)
        targets.append(("modvirt", started.uri, started.pid))
    if args.baseline_qemud:
        baseline = Modvirt(args.baseline_qemud)
        targets.append(("baseline", baseline.uri, baseline.pid))

    libvirtd_note = None
    if not args.no_libvirtd:
        pid = args.libvirtd_pid or find_libvirtd()
        uri = args.libvirtd_uri or ("qemu:///system" if pid else None)
        if uri:
            targets.append(("libvirtd", uri, pid))
        else:
            libvirtd_note = "libvirtd not running and no --libvirtd-uri: modvirt only"

    if args.pin_cpu is not None:
        os.sched_setaffinity(0, {args.pin_cpu})
        for _, _, pid in targets:
            if pid:
                pin_process(pid, args.pin_cpu)

    hogs_start = cpu_hogs()
    conns = {}
    try:
        for label, uri, _ in targets:
            conns[label] = libvirt.open(uri)
        results = {label: {op: [] for op in ops} for label, _, _ in targets}
        for rnd in range(args.rounds):
            order = targets if rnd % 2 == 0 else list(reversed(targets))
            for op in ops:
                for label, uri, pid in order:
                    r = measure(conns[label], OPS[op], pid, args.duration, args.warmup)
                    results[label][op].append(r)
                    print("round %d %-9s %-15s p50 %7.1f us  p99 %7.1f us  %6d calls/s%s"
                          % (rnd + 1, label, op, r["p50_us"], r["p99_us"], r["calls_per_s"],
                             "  daemon %.1f us CPU/call" % r["daemon_cpu_us_per_call"]
                             if "daemon_cpu_us_per_call" in r else ""), flush=True)
        syscalls = {}
        if args.strace:
            if shutil.which("strace") is None:
                print("strace not installed: skipping syscall counts (apt-get install strace)")
            else:
                for label, uri, pid in targets:
                    if not pid:
                        continue
                    syscalls[label] = {}
                    for op in ops:
                        syscalls[label][op] = strace_syscalls(conns[label], OPS[op], pid,
                                                              args.strace_calls)
        rss = {label: rss_kib(pid) for label, _, pid in targets if pid}
    finally:
        for c in conns.values():
            try:
                c.close()
            except libvirt.libvirtError:
                pass
        if started:
            started.stop()
        if baseline:
            baseline.stop()
    hogs_end = cpu_hogs()

    summary = {}
    for label in results:
        summary[label] = {}
        for op in ops:
            runs = results[label][op]
            s = {k: round(median([r[k] for r in runs]), 1) for k in runs[0]}
            s["runs"] = len(runs)
            if label in syscalls and syscalls[label].get(op):
                s["syscalls_per_call"] = syscalls[label][op]["per_call"]
                s["syscalls_top"] = syscalls[label][op]["top"]
            summary[label][op] = s

    print()
    print("medians over %d round(s), %.1f s per op and daemon:" % (args.rounds, args.duration))
    hdr = "| daemon | call | p50 µs | p99 µs | calls/s | daemon CPU µs/call | syscalls/call |"
    print(hdr)
    print("|---|---|---|---|---|---|---|")
    for label in summary:
        for op in ops:
            s = summary[label][op]
            print("| %s | %s | %.1f | %.1f | %d | %s | %s |"
                  % (label, op, s["p50_us"], s["p99_us"], s["calls_per_s"],
                     "%.1f" % s["daemon_cpu_us_per_call"] if "daemon_cpu_us_per_call" in s else "-",
                     s.get("syscalls_per_call", "-")))
    ratios = {}
    for other in ("libvirtd", "baseline"):
        if other not in summary:
            continue
        print()
        print("ratios modvirt / %s (same run, interleaved):" % other)
        for op in ops:
            a, b = summary["modvirt"][op], summary[other][op]
            r = {k: round(a[k] / b[k], 3) for k in ("p50_us", "p99_us", "daemon_cpu_us_per_call")
                 if a.get(k) and b.get(k)}
            ratios.setdefault(other, {})[op] = r
            print("  %-15s %s" % (op, ", ".join("%s %.2f" % kv for kv in r.items())))
    if libvirtd_note:
        print()
        print(libvirtd_note)
    if hogs_start or hogs_end:
        print("note: other busy processes during the run: %s / %s" % (hogs_start, hogs_end))

    doc = {
        "bench": "rpc_cheap",
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "duration_s": args.duration, "rounds": args.rounds, "pin_cpu": args.pin_cpu,
        "targets": {label: {"uri": uri, "pid": pid} for label, uri, pid in targets},
        "results": summary, "ratios": ratios, "rss_kib": rss,
        "libvirt_client": libvirt.getVersion(),
        "machine": {"cpus": os.cpu_count(), "kernel": os.uname().release,
                    "cpu_hogs_at_start": hogs_start, "cpu_hogs_at_end": hogs_end},
    }
    line = json.dumps(doc, sort_keys=True)
    if args.json_out:
        with open(args.json_out, "a") as f:
            f.write(line + "\n")
    print(line)


if __name__ == "__main__":
    main()
