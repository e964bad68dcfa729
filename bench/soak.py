#!/usr/bin/python3
"""Soak: many python3-libvirt clients through modvirt-proxyd with a mixed load.

Starts modvirt-qemud, modvirt-storaged, modvirt-networkd (in a private network
namespace) and modvirt-proxyd on one private temporary --root, opens --clients
connections to proxy.sock (qemu:///system), registers a domain lifecycle
listener on every one of them, and runs a mixed load spread evenly over the
clients and over time:

  cheap calls    getVersion, getHostname (answered by the proxy), listAllDomains,
                 lookupByName, domain info (qemud), listAllStoragePools
                 (storaged), listAllNetworks (networkd), round robin
  define         defineXML of a new firmware-only guest, then undefine
  start          create + destroy of the client's own firmware-only guest

By default 1,000,000 cheap calls, 10,000 define/undefine and 1,000
start/destroy (--scale multiplies all three), or the same mix for --duration
seconds.  Reported:

  errors         every failed call (must be 0)
  lost events    every listener must see every DEFINED, UNDEFINED, STARTED and
                 STOPPED event of the load (counted per listener and kind, with
                 a checksum of the domains: a duplicate cannot hide a loss)
  RSS / fds      of every daemon: idle (after one client came and went),
                 "connected" (every client open, primed), then at "start" (after the warm-up,
                 default 10 % of the load), "middle" and "end", each taken with
                 every client paused between two operations and every event
                 delivered; "closed" after the clients disconnected.  Flat
                 means end - start within 1 MiB and +-0 fds, closed == idle fds
  latency        p50/p99 per call type (ms)

Last line of stdout: one JSON object.  Exit status 1 when a check fails.

  /usr/bin/python3 bench/soak.py                        # the full soak
  /usr/bin/python3 bench/soak.py --scale 0.1            # 100,000 / 1,000 / 100
  /usr/bin/python3 bench/soak.py --duration 120         # the mix for 2 minutes
"""

import argparse
import gc
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from rpc_cheap import SOURCE_ROOT, percentile  # noqa: E402
import benchns  # noqa: E402  (enter_netns, _wait_accepts)

import libvirt  # noqa: E402

EV_DEFINED = libvirt.VIR_DOMAIN_EVENT_DEFINED
EV_UNDEFINED = libvirt.VIR_DOMAIN_EVENT_UNDEFINED
EV_STARTED = libvirt.VIR_DOMAIN_EVENT_STARTED
EV_STOPPED = libvirt.VIR_DOMAIN_EVENT_STOPPED
EVENT_NAMES = {EV_DEFINED: "defined", EV_UNDEFINED: "undefined", EV_STARTED: "started",
               EV_STOPPED: "stopped"}
GUEST_ID_BASE = 10 ** 9            # event ids: guests 10^9 + client, defines client*10^7 + n
DEFINE_ID_STEP = 10 ** 7

CHEAP = {
    "getVersion": lambda cl: cl.conn.getVersion(),
    "getHostname": lambda cl: cl.conn.getHostname(),
    "listAllDomains": lambda cl: cl.conn.listAllDomains(0),
    "lookupByName": lambda cl: cl.conn.lookupByName(cl.guest_name),
    "domainInfo": lambda cl: cl.guest.info(),
    "listAllStoragePools": lambda cl: cl.conn.listAllStoragePools(0),
    "listAllNetworks": lambda cl: cl.conn.listAllNetworks(0),
}
CHEAP_NEEDS = {"listAllStoragePools": "storage", "listAllNetworks": "network"}


def guest_xml(name, virt_type):
    return ("<domain type='%s'><name>%s</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>"
            "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices/></domain>"
            % (virt_type, name))


def proc_sample(pid):
    """RSS (KiB), open fds and threads of PID."""
    out = {"fds": len(os.listdir("/proc/%d/fd" % pid))}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                out["rss_kib"] = int(line.split()[1])
            elif line.startswith("Threads:"):
                out["threads"] = int(line.split()[1])
    return out


class Tally:
    """Count, sum and sum of squares of event ids per event kind."""

    def __init__(self):
        self.v = {k: [0, 0, 0] for k in EVENT_NAMES}

    def add(self, kind, ident):
        t = self.v[kind]
        t[0] += 1
        t[1] += ident
        t[2] += ident * ident

    def merge(self, other):
        for k, t in other.v.items():
            for i in range(3):
                self.v[k][i] += t[i]


class Control:
    """Pauses every client between two operations (for a sample) and stops them."""

    def __init__(self, clients):
        self.cv = threading.Condition()
        self.clients = clients
        self.pausing = False
        self.parked = 0
        self.finished = 0
        self.stop = False

    def checkpoint(self):
        if not self.pausing:
            return
        with self.cv:
            self.parked += 1
            self.cv.notify_all()
            while self.pausing:
                self.cv.wait()
            self.parked -= 1

    def finish(self):
        with self.cv:
            self.finished += 1
            self.cv.notify_all()

    def pause(self):
        with self.cv:
            self.pausing = True
            while self.parked + self.finished < self.clients:
                self.cv.wait()

    def release(self):
        with self.cv:
            self.pausing = False
            self.cv.notify_all()


class Client:
    def __init__(self, index, uri, opts, prefix):
        self.index = index
        self.opts = opts
        self.prefix = prefix
        self.conn = libvirt.open(uri)
        self.seen = Tally()                 # what this client's listener got
        self.acked = Tally()                # events the calls of this client must cause
        self.lat = {}
        self.errors = []
        self.error_count = 0
        self.done = 0
        self.next_define = 0
        self.cheap = [c for c in CHEAP if CHEAP_NEEDS.get(c, "qemu") in opts.services]
        self.guest_name = "%s-g%d" % (prefix, index)
        self.guest = None
        self.callback = self.conn.domainEventRegisterAny(
            None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, self.on_event, None)

    # the listener (runs on the event loop thread) ---------------------------------------
    def on_event(self, conn, dom, event, detail, opaque):
        if event not in EVENT_NAMES:
            return
        name = dom.name()
        if not name.startswith(self.prefix):
            return
        rest = name[len(self.prefix) + 1:]
        if rest.startswith("g"):
            ident = GUEST_ID_BASE + int(rest[1:])
        else:
            client, n = rest[1:].split("-")
            ident = int(client) * DEFINE_ID_STEP + int(n)
        self.seen.add(event, ident)

    # calls -------------------------------------------------------------------------------
    def timed(self, label, fn, *args):
        t0 = time.perf_counter_ns()
        try:
            r = fn(*args)
        except libvirt.libvirtError as e:
            self.error_count += 1
            if len(self.errors) < 5:
                self.errors.append("%s: %s" % (label, e))
            return None, False
        self.lat.setdefault(label, []).append(time.perf_counter_ns() - t0)
        return r, True

    def setup_guest(self):
        dom, ok = self.timed("defineXML", self.conn.defineXML,
                             guest_xml(self.guest_name, self.opts.virt_type))
        if not ok:
            raise RuntimeError("client %d cannot define its guest: %s"
                               % (self.index, self.errors[-1]))
        self.guest = dom
        self.acked.add(EV_DEFINED, GUEST_ID_BASE + self.index)
        for k in range(len(self.cheap)):    # every backend link of the proxy is open
            self.op_cheap(k)

    def teardown_guest(self):
        if self.guest is None:
            return
        try:
            if self.guest.isActive():
                self.guest.destroy()
                self.acked.add(EV_STOPPED, GUEST_ID_BASE + self.index)
        except libvirt.libvirtError as e:
            self.error_count += 1
            self.errors.append("teardown destroy: %s" % e)
        _, ok = self.timed("undefine", self.guest.undefine)
        if ok:
            self.acked.add(EV_UNDEFINED, GUEST_ID_BASE + self.index)

    def op_cheap(self, k):
        name = self.cheap[k % len(self.cheap)]
        self.timed(name, CHEAP[name], self)

    def op_define(self):
        n = self.next_define
        self.next_define += 1
        name = "%s-d%d-%d" % (self.prefix, self.index, n)
        ident = self.index * DEFINE_ID_STEP + n
        dom, ok = self.timed("defineXML", self.conn.defineXML,
                             guest_xml(name, self.opts.virt_type))
        if not ok:
            return
        self.acked.add(EV_DEFINED, ident)
        _, ok = self.timed("undefine", dom.undefine)
        if ok:
            self.acked.add(EV_UNDEFINED, ident)

    def op_start(self):
        ident = GUEST_ID_BASE + self.index
        _, ok = self.timed("create", self.guest.create)
        if not ok:
            return
        self.acked.add(EV_STARTED, ident)
        _, ok = self.timed("destroy", self.guest.destroy)
        if ok:
            self.acked.add(EV_STOPPED, ident)

    def run(self, schedule, ctl, deadline):
        k = 0
        try:
            for kind in schedule:
                ctl.checkpoint()
                if ctl.stop or (deadline is not None and deadline.expired()):
                    break
                if kind == "c":
                    self.op_cheap(k)
                    k += 1
                elif kind == "d":
                    self.op_define()
                else:
                    self.op_start()
                self.done += 1
        except Exception as e:          # never leave the controller waiting
            self.error_count += 1
            self.errors.append("client %d crashed: %r" % (self.index, e))
        finally:
            ctl.finish()

    def close(self):
        try:
            self.conn.domainEventDeregisterAny(self.callback)
        except libvirt.libvirtError as e:
            self.error_count += 1
            self.errors.append("domainEventDeregisterAny: %s" % e)
        self.guest = None                   # a domain object keeps its connection open
        try:
            self.conn.close()
        except libvirt.libvirtError:
            pass
        self.conn = None


def quota(total, i, n):
    return total // n + (1 if i < total % n else 0)


def count_schedule(i, opts):
    """Client i's share of the counts, each kind spread evenly over its run; guests of
    different clients start at different moments (phase)."""
    phase = i / opts.clients
    keyed = []
    for kind, total in (("c", opts.cheap), ("d", opts.defines), ("s", opts.starts)):
        q = quota(total, i, opts.clients)
        keyed += [((j + (phase if kind != "c" else 0.5)) / q, kind) for j in range(q)]
    keyed.sort()
    return [kind for _, kind in keyed]


def duration_schedule(i, opts):
    """The same mix, repeated until the deadline (a pattern of at most ~1000 cheap calls)."""
    counts = [opts.cheap, opts.defines, opts.starts]
    unit = max(1, min(c for c in counts if c > 0) if any(counts) else 1)
    pattern = count_schedule(i, argparse.Namespace(
        clients=1, cheap=max(opts.cheap // unit, 0), defines=max(opts.defines // unit, 0),
        starts=max(opts.starts // unit, 0)))
    if not pattern:
        pattern = ["c"]
    offset = (i * len(pattern)) // opts.clients
    while True:
        for j in range(len(pattern)):
            yield pattern[(j + offset) % len(pattern)]


class Deadline:
    """Load time excluding pauses."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.t0 = time.monotonic()
        self.paused = 0.0

    def elapsed(self):
        return time.monotonic() - self.t0 - self.paused

    def expired(self):
        return self.elapsed() >= self.seconds


def event_loop():
    libvirt.virEventRegisterDefaultImpl()

    def run():
        while True:
            libvirt.virEventRunDefaultImpl()
    threading.Thread(target=run, daemon=True, name="libvirt-events").start()


_event_loop_started = False


def lost_events(clients):
    """Per kind: expected events (all acknowledged calls), and over all listeners the
    missing and the surplus ones, and listeners whose ids do not add up."""
    expected = Tally()
    for cl in clients:
        expected.merge(cl.acked)
    out = {}
    for kind, name in EVENT_NAMES.items():
        exp = expected.v[kind]
        missing = surplus = mismatched = 0
        for cl in clients:
            got = cl.seen.v[kind]
            missing += max(0, exp[0] - got[0])
            surplus += max(0, got[0] - exp[0])
            if got[0] == exp[0] and got != exp:
                mismatched += 1
        out[name] = {"expected_per_listener": exp[0], "missing": missing, "surplus": surplus,
                     "mismatched_listeners": mismatched}
    return out


def lost_total(lost):
    return sum(v["missing"] + v["surplus"] + v["mismatched_listeners"] for v in lost.values())


def drain(clients, timeout):
    """Wait until every listener saw every event acknowledged so far, or until no new
    event arrived for `timeout` seconds.  Returns (lost, seconds waited)."""
    t0 = time.monotonic()
    last_seen, last_change = None, t0
    while True:
        lost = lost_events(clients)
        if lost_total(lost) == 0:
            return lost, time.monotonic() - t0
        seen = sum(sum(t[0] for t in cl.seen.v.values()) for cl in clients)
        if seen != last_seen:
            last_seen, last_change = seen, time.monotonic()
        elif time.monotonic() - last_change > timeout:
            return lost, time.monotonic() - t0
        time.sleep(0.05)


def idle_sample(uri, pids, opts):
    """The daemons once one client has come and gone: what a daemon opens once, on its
    first client, for its whole life, is part of its idle state."""
    before = {k: proc_sample(p) for k, p in pids.items()}
    conn = libvirt.open(uri)
    for name, fn in CHEAP.items():
        if name not in ("lookupByName", "domainInfo") and \
                CHEAP_NEEDS.get(name, "qemu") in opts.services:
            fn(argparse.Namespace(conn=conn))
    conn.close()
    return settled(pids, before, opts.drain_timeout)


def settled(pids, idle, timeout):
    """A sample once every daemon is back at its idle fd count (the clients closed), or
    after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        now = {k: proc_sample(p) for k, p in pids.items()}
        if all(now[k]["fds"] == idle[k]["fds"] for k in pids) or time.monotonic() > deadline:
            return now
        time.sleep(0.1)


def summarize_latency(clients):
    merged = {}
    for cl in clients:
        for label, vals in cl.lat.items():
            merged.setdefault(label, []).extend(vals)
    out = {}
    for label, vals in sorted(merged.items()):
        vals.sort()
        out[label] = {"calls": len(vals), "p50_ms": round(percentile(vals, 50) / 1e6, 3),
                      "p99_ms": round(percentile(vals, 99) / 1e6, 3)}
    return out


def run_soak(uri, pids, opts, log=print):
    """Run the load against URI; PIDS maps a daemon label to its pid.  opts: clients,
    cheap, defines, starts, duration (None: the counts), warmup (fraction), services
    (set of 'qemu', 'storage', 'network'), virt_type, drain_timeout, progress_every.
    Returns the result dictionary (see the module doc)."""
    global _event_loop_started
    if not _event_loop_started:
        event_loop()
        _event_loop_started = True
    prefix = "soak%d" % os.getpid()
    samples = {"idle": idle_sample(uri, pids, opts)}
    result = {"clients": opts.clients, "duration_s": opts.duration,
              "counts": {"cheap": opts.cheap, "define_undefine": opts.defines,
                         "start_destroy": opts.starts},
              "warmup": opts.warmup, "services": sorted(opts.services),
              "virt_type": opts.virt_type, "samples": samples}
    clients = []
    try:
        for i in range(opts.clients):
            clients.append(Client(i, uri, opts, prefix))
        for cl in clients:
            cl.setup_guest()
        drain(clients, opts.drain_timeout)
        samples["connected"] = {k: proc_sample(p) for k, p in pids.items()}
        ctl = Control(opts.clients)
        deadline = Deadline(opts.duration) if opts.duration else None
        total = opts.cheap + opts.defines + opts.starts
        if deadline:
            schedules = [duration_schedule(i, opts) for i in range(opts.clients)]
        else:
            schedules = [count_schedule(i, opts) for i in range(opts.clients)]
        threads = [threading.Thread(target=cl.run, args=(s, ctl, deadline), daemon=True)
                   for cl, s in zip(clients, schedules)]
        marks = [(opts.warmup, "start"), (max(0.55, (1 + opts.warmup) / 2), "middle")]
        t0 = time.monotonic()
        last_report = t0
        last_done = 0
        for t in threads:
            t.start()

        def progress():
            if deadline:
                return min(1.0, deadline.elapsed() / deadline.seconds)
            return sum(cl.done for cl in clients) / max(total, 1)

        def take(label):
            p0 = time.monotonic()
            ctl.pause()
            lost, waited = drain(clients, opts.drain_timeout)
            samples[label] = {k: proc_sample(p) for k, p in pids.items()}
            samples[label]["progress"] = round(progress(), 3)
            samples[label]["lost_events"] = lost_total(lost)
            samples[label]["drain_s"] = round(waited, 2)
            if deadline:
                deadline.paused += time.monotonic() - p0
            ctl.release()
            log("sample %-6s at %5.1f %%: %s" % (label, 100 * samples[label]["progress"],
                                                  fmt_sample(samples[label], pids)))
            return time.monotonic() - p0

        paused = 0.0
        while any(t.is_alive() for t in threads):
            if marks and progress() >= marks[0][0]:
                paused += take(marks.pop(0)[1])
            now = time.monotonic()
            if now - last_report >= opts.progress_every:
                done = sum(cl.done for cl in clients)
                errs = sum(cl.error_count for cl in clients)
                log("%6.1f s  %5.1f %%  %7d ops (%6.0f ops/s)  errors %d"
                    % (now - t0, 100 * progress(), done,
                       (done - last_done) / (now - last_report), errs))
                last_report, last_done = now, done
            time.sleep(0.05)
        for t in threads:
            t.join()
        result["load_s"] = round(time.monotonic() - t0 - paused, 1)
        for _, label in marks:              # a short duration run can end before a mark
            take(label)
        take("end")
        for cl in clients:
            cl.teardown_guest()
        lost, _ = drain(clients, opts.drain_timeout)
    finally:
        for cl in clients:
            cl.close()
    result["ops_done"] = sum(cl.done for cl in clients)
    result["errors"] = sum(cl.error_count for cl in clients)
    result["first_errors"] = [e for cl in clients for e in cl.errors][:10]
    result["lost_events"] = lost_total(lost)
    result["events"] = lost
    result["events_seen"] = sum(sum(t[0] for t in cl.seen.v.values()) for cl in clients)
    result["latency"] = summarize_latency(clients)
    gc.collect()
    samples["closed"] = settled(pids, samples["idle"], opts.drain_timeout)
    result["checks"] = checks(result, pids)
    return result


def fmt_sample(s, pids):
    return "  ".join("%s %.1f MiB %d fds %d thr" % (k, s[k]["rss_kib"] / 1024, s[k]["fds"],
                                                   s[k]["threads"]) for k in pids)


def checks(result, pids):
    s = result["samples"]
    out = {"errors": result["errors"] == 0,
           "lost_events": result["lost_events"] == 0
           and all(s[m]["lost_events"] == 0 for m in ("start", "middle", "end"))}
    for k in pids:
        out["%s_rss_flat" % k] = s["end"][k]["rss_kib"] - s["start"][k]["rss_kib"] <= 1024
        out["%s_fds_flat" % k] = (s["end"][k]["fds"] == s["start"][k]["fds"]
                                  == s["middle"][k]["fds"])
        out["%s_fds_closed" % k] = s["closed"][k]["fds"] == s["idle"][k]["fds"]
    return out


class Stack:
    """The daemons under one temporary root; stopped by PID and reaped."""

    BINARIES = (("qemu", "daemons/qemu/modvirt-qemud"),
                ("network", "daemons/network/modvirt-networkd"),
                ("storage", "daemons/storage/modvirt-storaged"),
                ("proxy", "proxy/modvirt-proxyd"))

    def __init__(self, build, services, keep=False):
        self.root = tempfile.mkdtemp(prefix="mvbench-soak-")
        self.keep = keep
        self.procs = {}
        env = dict(os.environ)
        for k in ("MODVIRT_LOG", "NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID"):
            env.pop(k, None)
        try:
            for name, rel in self.BINARIES:
                if name != "proxy" and name not in services:
                    continue
                binary = os.path.join(build, rel)
                log = open(os.path.join(self.root, name + ".log"), "wb")
                self.procs[name] = subprocess.Popen([binary, "--root", self.root], env=env,
                                                    stdin=subprocess.DEVNULL, stdout=log,
                                                    stderr=subprocess.STDOUT)
                log.close()
                benchns._wait_accepts(os.path.join(self.root, "run", name + ".sock"),
                                      self.procs[name], 15, binary)
        except BaseException:
            self.stop()
            raise
        self.uri = "qemu+unix:///system?socket=%s/run/proxy.sock" % self.root

    def pids(self):
        return {k: p.pid for k, p in self.procs.items()}

    def stop(self):
        for p in reversed(list(self.procs.values())):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(20)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        leftover = kill_qemu_under(self.root)
        if leftover:
            print("killed QEMU left under %s: %s" % (self.root, leftover))
        if self.keep:
            print("root kept: %s" % self.root)
        else:
            shutil.rmtree(self.root, ignore_errors=True)


def kill_qemu_under(root):
    """QEMU processes whose command line names ROOT (none should be left)."""
    killed = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as f:
                cmd = f.read().decode("utf-8", "replace")
        except OSError:
            continue
        if "qemu-system" in cmd and root in cmd:
            try:
                os.kill(int(entry), signal.SIGKILL)
                killed.append(int(entry))
            except OSError:
                pass
    return killed


def print_report(result, pids, log=print):
    log("")
    log("errors: %d   lost events: %d   events delivered: %d   load: %.1f s"
        % (result["errors"], result["lost_events"], result["events_seen"], result["load_s"]))
    for e in result["first_errors"]:
        log("  error: %s" % e)
    for kind, v in result["events"].items():
        if v["missing"] or v["surplus"] or v["mismatched_listeners"]:
            log("  events %s: %s" % (kind, v))
    log("")
    log("| daemon | sample | RSS MiB | fds | threads |")
    log("|---|---|---|---|---|")
    for k in pids:
        for label in ("idle", "connected", "start", "middle", "end", "closed"):
            s = result["samples"][label][k]
            log("| %s | %s | %.2f | %d | %d |" % (k, label, s["rss_kib"] / 1024, s["fds"],
                                                  s["threads"]))
    log("")
    log("| call | calls | p50 ms | p99 ms |")
    log("|---|---|---|---|")
    for label, v in result["latency"].items():
        log("| %s | %d | %.3f | %.3f |" % (label, v["calls"], v["p50_ms"], v["p99_ms"]))
    log("")
    for name, ok in result["checks"].items():
        log("%-4s %s" % ("ok" if ok else "FAIL", name))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", default=os.path.join(SOURCE_ROOT, "build"))
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--cheap", type=int, default=1000000, help="cheap calls (all clients)")
    ap.add_argument("--defines", type=int, default=10000, help="define+undefine pairs")
    ap.add_argument("--starts", type=int, default=1000, help="start+destroy pairs")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply the three counts")
    ap.add_argument("--duration", type=float, default=None,
                    help="run the same mix for this many seconds instead of the counts")
    ap.add_argument("--warmup", type=float, default=0.1,
                    help="fraction of the load before the 'start' sample (default 0.1)")
    ap.add_argument("--no-network", action="store_true", help="leave modvirt-networkd out")
    ap.add_argument("--no-storage", action="store_true", help="leave modvirt-storaged out")
    ap.add_argument("--virt-type", choices=["kvm", "qemu"], default=None)
    ap.add_argument("--drain-timeout", type=float, default=30.0,
                    help="seconds without a new event before events count as lost")
    ap.add_argument("--progress-every", type=float, default=10.0)
    ap.add_argument("--keep", action="store_true", help="keep the temporary root (logs)")
    ap.add_argument("--json-out", help="append the JSON result line to this file")
    opts = ap.parse_args()
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    opts.cheap = int(opts.cheap * opts.scale)
    opts.defines = int(opts.defines * opts.scale)
    opts.starts = int(opts.starts * opts.scale)
    opts.virt_type = opts.virt_type or ("kvm" if os.access("/dev/kvm", os.R_OK | os.W_OK)
                                        else "qemu")
    opts.services = {"qemu"}
    if not opts.no_storage:
        opts.services.add("storage")
    if not opts.no_network:
        try:
            benchns.enter_netns()          # networkd never touches the host's network
            opts.services.add("network")
        except OSError as e:
            print("modvirt-networkd left out: %s" % e)
    stack = Stack(opts.build_dir, opts.services, keep=opts.keep)
    try:
        pids = stack.pids()
        what = ("%.0f s of the mix" % opts.duration if opts.duration else
                "%d cheap calls, %d define/undefine, %d start/destroy"
                % (opts.cheap, opts.defines, opts.starts))
        print("soak: %d clients through modvirt-proxyd (%s), %s, %s guests"
              % (opts.clients, ", ".join(sorted(pids)), what, opts.virt_type), flush=True)
        result = run_soak(stack.uri, pids, opts, log=lambda s: print(s, flush=True))
    finally:
        stack.stop()
    print_report(result, pids)
    result.update({"bench": "soak", "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                   "build_dir": opts.build_dir, "libvirt_client": libvirt.getVersion(),
                   "machine": {"cpus": os.cpu_count(), "kernel": os.uname().release,
                               "loadavg": os.getloadavg()}})
    line = json.dumps(result, sort_keys=True)
    if opts.json_out:
        with open(opts.json_out, "a") as f:
            f.write(line + "\n")
    print(line)
    sys.exit(0 if all(result["checks"].values()) else 1)


if __name__ == "__main__":
    main()
