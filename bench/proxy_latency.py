#!/usr/bin/python3
"""Round trip of cheap RPCs through modvirt-proxyd vs directly to modvirt-qemud.

Starts modvirt-qemud and modvirt-proxyd on one private temporary --root (TLS
on a random local port, certificates from modvirt-pki), opens three
python3-libvirt connections -- direct (qemu.sock), proxy (proxy.sock) and tls
(qemu+tls through the proxy) -- and measures, interleaved in the same run
(round 1 direct, proxy, tls; round 2 the other way round; ...), p50/p99
latency (µs), calls/s and CPU µs per call of the proxy and of qemud from
/proc/PID/stat.  getVersion and listAllDomains are forwarded to qemud;
getHostname is answered by the proxy itself.  Target: the proxy adds at most
30 % on UNIX sockets.  Last line of stdout: one JSON object.

  /usr/bin/python3 bench/proxy_latency.py [--rounds 3] [--duration 2] [--pin-cpu 0]
      [--proxyd-before OLD/modvirt-proxyd] [--ops getVersion,...]

--proxyd-before runs a second modvirt-proxyd binary (e.g. the build before a
change) on its own root whose backend sockets are links to the same qemud, so
"before" and "proxy" are measured against one daemon in the same run.
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
sys.path.insert(0, HERE)
import rpc_cheap as rc  # noqa: E402  (percentile, median, cpu_ticks, pin_process, cpu_hogs)

libvirt = rc.libvirt
OPS = {
    "getVersion": lambda c: c.getVersion(),
    "listAllDomains": lambda c: c.listAllDomains(0),
    "getHostname": lambda c: c.getHostname(),
}


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_socket(path, proc, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("%s exited with %d" % (proc.args[0], proc.returncode))
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(path)
            return
        except OSError:
            time.sleep(0.05)
        finally:
            s.close()
    raise SystemExit("nothing serves %s after %d s" % (path, timeout))


class Stack:
    """qemud + proxyd (+ TLS) under a temporary root; stopped by PID and reaped."""

    def __init__(self, build, proxyd_before=None):
        self.root = tempfile.mkdtemp(prefix="mvbench-proxy-")
        self.procs = []
        self.port = free_port()
        run = os.path.join(self.root, "run")
        pki = os.path.join(build, "tools", "pki", "modvirt-pki")
        subprocess.run([pki, "--root", self.root, "--bits", "2048", "init", "--client-dir",
                        os.path.join(self.root, "client")], check=True,
                       stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        os.makedirs(os.path.join(self.root, "etc"), exist_ok=True)
        with open(os.path.join(self.root, "etc", "proxy.conf"), "w") as f:
            f.write("[tls]\nlisten = 127.0.0.1:%d\n" % self.port)
        env = dict(os.environ)
        for k in ("MODVIRT_LOG", "NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID"):
            env.pop(k, None)
        self.log = open(os.path.join(self.root, "daemons.log"), "wb")
        for binary, sock in ((os.path.join(build, "daemons", "qemu", "modvirt-qemud"), "qemu"),
                             (os.path.join(build, "proxy", "modvirt-proxyd"), "proxy")):
            p = subprocess.Popen([binary, "--root", self.root], env=env,
                                 stdin=subprocess.DEVNULL, stdout=self.log,
                                 stderr=subprocess.STDOUT)
            self.procs.append(p)
            wait_socket(os.path.join(run, sock + ".sock"), p)
        self.qemud, self.proxyd = self.procs[0].pid, self.procs[1].pid
        self.uris = {
            "direct": "qemu+unix:///system?socket=%s/qemu.sock" % run,
            "proxy": "qemu+unix:///system?socket=%s/proxy.sock" % run,
            "tls": "qemu+tls://127.0.0.1:%d/system?pkipath=%s/client" % (self.port, self.root),
        }
        self.before = None
        if proxyd_before:
            self.before = self.start_before(proxyd_before, run, env)

    def start_before(self, binary, run, env):
        """The old proxy on a second root whose daemon sockets link to this one's."""
        root2 = os.path.join(self.root, "before")
        run2 = os.path.join(root2, "run")
        os.makedirs(run2)
        for name in os.listdir(run):
            if name.endswith(".sock") and not name.startswith("proxy"):
                os.symlink(os.path.join(run, name), os.path.join(run2, name))
        p = subprocess.Popen([binary, "--root", root2], env=env, stdin=subprocess.DEVNULL,
                             stdout=self.log, stderr=subprocess.STDOUT)
        self.procs.append(p)
        wait_socket(os.path.join(run2, "proxy.sock"), p)
        self.uris["before"] = "qemu+unix:///system?socket=%s/proxy.sock" % run2
        return p.pid

    def stop(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        self.log.close()
        shutil.rmtree(self.root, ignore_errors=True)


def measure(conn, fn, pids, duration, warmup):
    for _ in range(warmup):
        fn(conn)
    lat = []
    perf = time.perf_counter_ns
    cpu0 = {k: rc.cpu_ticks(p) for k, p in pids.items()}
    t_end = time.monotonic() + duration
    start = perf()
    while True:
        t0 = perf()
        fn(conn)
        lat.append(perf() - t0)
        if len(lat) % 64 == 0 and time.monotonic() >= t_end:
            break
    wall = (perf() - start) / 1e9
    lat.sort()
    res = {"calls": len(lat), "p50_us": round(rc.percentile(lat, 50) / 1000, 1),
           "p99_us": round(rc.percentile(lat, 99) / 1000, 1),
           "calls_per_s": round(len(lat) / wall)}
    for k, p in pids.items():
        res["%s_cpu_us_per_call" % k] = round((rc.cpu_ticks(p) - cpu0[k]) * rc.TICK_US
                                              / len(lat), 1)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", default=os.path.join(rc.SOURCE_ROOT, "build"))
    ap.add_argument("--duration", type=float, default=2.0, help="seconds per op/target/round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--ops", default=",".join(OPS))
    ap.add_argument("--pin-cpu", type=int, metavar="N",
                    help="pin this client and every daemon thread to CPU N")
    ap.add_argument("--proxyd-before", metavar="PATH",
                    help="also measure this modvirt-proxyd binary (path 'before')")
    ap.add_argument("--json-out", help="append the JSON result line to this file")
    args = ap.parse_args()
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    ops = [o for o in args.ops.split(",") if o]
    for o in ops:
        if o not in OPS:
            ap.error("unknown op %r" % o)

    st = Stack(args.build_dir, args.proxyd_before)
    pids = {"proxy": st.proxyd, "qemud": st.qemud}
    labels = ["direct", "proxy", "tls"]
    if st.before:
        pids["before"] = st.before
        labels.insert(2, "before")
    hogs_start = rc.cpu_hogs()
    conns = {}
    try:
        for label in labels:
            conns[label] = libvirt.open(st.uris[label])
        if args.pin_cpu is not None:
            os.sched_setaffinity(0, {args.pin_cpu})
            for p in pids.values():
                rc.pin_process(p, args.pin_cpu)
        results = {label: {op: [] for op in ops} for label in labels}
        for rnd in range(args.rounds):
            order = labels if rnd % 2 == 0 else list(reversed(labels))
            for op in ops:
                for label in order:
                    r = measure(conns[label], OPS[op], pids, args.duration, args.warmup)
                    # the relay's CPU: the old binary's on the "before" path
                    r["relay_cpu_us_per_call"] = r["%s_cpu_us_per_call"
                                                   % ("before" if label == "before" else "proxy")]
                    results[label][op].append(r)
                    print("round %d %-6s %-15s p50 %7.1f us  p99 %7.1f us  %6d calls/s  "
                          "relay %.1f / qemud %.1f us CPU/call"
                          % (rnd + 1, label, op, r["p50_us"], r["p99_us"], r["calls_per_s"],
                             r["relay_cpu_us_per_call"], r["qemud_cpu_us_per_call"]),
                          flush=True)
    finally:
        for c in conns.values():
            try:
                c.close()
            except libvirt.libvirtError:
                pass
        st.stop()
    hogs_end = rc.cpu_hogs()

    summary = {label: {} for label in labels}
    for label in labels:
        for op in ops:
            runs = results[label][op]
            s = {k: round(rc.median([r[k] for r in runs]), 1) for k in runs[0]}
            s["runs"] = len(runs)
            summary[label][op] = s
    print()
    print("medians over %d round(s), %.1f s per op and target:" % (args.rounds, args.duration))
    print("| path | call | p50 µs | p99 µs | calls/s | relay CPU µs/call | qemud CPU µs/call |")
    print("|---|---|---|---|---|---|---|")
    for label in labels:
        for op in ops:
            s = summary[label][op]
            print("| %s | %s | %.1f | %.1f | %d | %.1f | %.1f |"
                  % (label, op, s["p50_us"], s["p99_us"], s["calls_per_s"],
                     s["relay_cpu_us_per_call"], s["qemud_cpu_us_per_call"]))
    ratios = {}
    print()
    print("p50 ratios against direct (same run, interleaved; target proxy <= 1.30):")
    for op in ops:
        d = summary["direct"][op]["p50_us"]
        ratios[op] = {label: round(summary[label][op]["p50_us"] / d, 3)
                      for label in labels if d and label != "direct"}
        print("  %-15s %s" % (op, "  ".join("%s %.2f" % kv for kv in ratios[op].items())))
    if hogs_start or hogs_end:
        print("note: other busy processes during the run: %s / %s" % (hogs_start, hogs_end))
    doc = {
        "bench": "proxy_latency",
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "duration_s": args.duration, "rounds": args.rounds, "pin_cpu": args.pin_cpu,
        "results": summary, "p50_ratio_vs_direct": ratios,
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
