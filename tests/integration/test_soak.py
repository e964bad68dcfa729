"""Soak, the CI variant of bench/soak.py: 50 python3-libvirt clients through
modvirt-proxyd for about two minutes.

modvirt-qemud, modvirt-storaged, modvirt-networkd (in this script's private
network namespace) and modvirt-proxyd share one --root.  Every client has a
domain lifecycle listener and runs the soak's mix (cheap calls to all three
daemons and to the proxy itself, define/undefine, start/destroy of a
firmware-only guest) for MV_SOAK_SECONDS seconds of load (default 100).
Asserted: no call failed; every listener saw every DEFINED, UNDEFINED, STARTED
and STOPPED event of the load (checked at the 'start', 'middle' and 'end'
samples and after the guests' teardown); no daemon's fd count changes between
the samples after the warm-up; after the clients closed, every daemon is back at
its idle fd count.  RSS and latencies are printed, never asserted (that is the
bench's job).

MallocArenas: every daemon caps glibc's malloc arenas (common/daemon/daemon.c;
without the cap each worker or reader thread got an arena of its own and RSS
crept up under the soak): after 25 clients called all three daemons through the
proxy at once, no daemon has more than one arena besides the main one, counted
as the 64 MiB-aligned heaps in /proc/PID/maps (a sanitized build has no glibc
arenas: 0).

SlowQemu: a QEMU that greets on its QMP socket only after 12 s (the configured
emulator is a wrapper that sleeps, then execs QEMU; under the soak on a loaded
host QEMU took over 10 s and qemud gave up on it) still starts: the greeting may
take as long as any QMP command (30 s).
"""

import argparse
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import mvnet  # noqa: E402
import mvstorage  # noqa: E402

soak = None
SECONDS = float(os.environ.get("MV_SOAK_SECONDS", "100"))
QUIET = {"MODVIRT_LOG": "info"}     # debug logging of ~10^6 calls would be the load
ARENA_HEAP = 64 << 20               # glibc's HEAP_MAX_SIZE on 64-bit: one per extra arena
MAX_EXTRA_ARENAS = 1                # MV_DAEMON_MALLOC_ARENAS (2) minus the main arena


def arena_heaps(pid):
    """Anonymous regions of exactly 64 MiB starting at a 64 MiB boundary (a heap of a
    non-main malloc arena: its used part rw, the rest PROT_NONE)."""
    maps = []
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            fields = line.split()
            lo, hi = (int(x, 16) for x in fields[0].split("-"))
            maps.append((lo, hi, len(fields) > 5))
    count = 0
    for i, (lo, hi, named) in enumerate(maps):
        if named or lo % ARENA_HEAP:
            continue
        end, j = hi, i + 1
        while end - lo < ARENA_HEAP and j < len(maps) and maps[j][0] == end and not maps[j][2]:
            end, j = maps[j][1], j + 1
        count += end - lo == ARENA_HEAP
    return count


class Daemons(unittest.TestCase):
    """qemud, storaged, networkd and the proxy on one root."""

    def setUp(self):
        self.daemons = []
        qemud = mvtest.GuestDaemon(env=QUIET)
        root = qemud.root
        for d in (qemud, mvstorage.StorageDaemon(root=root, env=QUIET),
                  mvnet.NetworkDaemon(root=root, env=QUIET),
                  mvstorage.ProxyDaemon(root, env=QUIET)):
            self.daemons.append(d)
            d.start()
        self.uri = "qemu+unix:///system?socket=%s" % self.daemons[-1].sock
        self.pids = {d.name: d.pid for d in self.daemons}

    def tearDown(self):
        for d in reversed(self.daemons):
            d.cleanup()


class Soak(Daemons):

    def test_mixed_load(self):
        opts = argparse.Namespace(
            clients=50, cheap=1000000, defines=10000, starts=1000, duration=SECONDS,
            warmup=0.1, services={"qemu", "storage", "network"},
            virt_type=mvtest.firmware_domain_type(), drain_timeout=30, progress_every=15)
        res = soak.run_soak(self.uri, self.pids, opts,
                            log=lambda s: print(s, file=sys.stderr, flush=True))
        soak.print_report(res, self.pids, log=lambda s: print(s, file=sys.stderr, flush=True))
        self.assertGreater(res["ops_done"], opts.clients, "the load did not run")
        self.assertEqual(res["errors"], 0, "failed calls: %s" % res["first_errors"])
        samples = res["samples"]
        for label in ("start", "middle", "end"):
            self.assertEqual(samples[label]["lost_events"], 0,
                             "events lost by the %s sample: %s" % (label, res["events"]))
        self.assertEqual(res["lost_events"], 0, "events lost: %s" % res["events"])
        for name in self.pids:
            fds = [samples[label][name]["fds"] for label in ("start", "middle", "end")]
            self.assertEqual(fds, [fds[0]] * 3,
                             "%s: fds changed after the warm-up (start, middle, end)" % name)
            self.assertEqual(samples["closed"][name]["fds"], samples["idle"][name]["fds"],
                             "%s: fds after every client closed vs idle" % name)


class MallocArenas(Daemons):

    def test_bounded_under_concurrent_calls(self):
        libvirt = soak.libvirt
        stop = time.monotonic() + 3
        errors = []

        def client():
            try:
                conn = libvirt.open(self.uri)
                while time.monotonic() < stop:
                    conn.listAllDomains(0)
                    conn.listAllNetworks(0)
                    conn.listAllStoragePools(0)
                conn.close()
            except libvirt.libvirtError as e:
                errors.append(str(e))

        threads = [threading.Thread(target=client) for _ in range(25)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        heaps = {name: arena_heaps(pid) for name, pid in self.pids.items()}
        print("arena heaps besides the main one: %s" % heaps, file=sys.stderr)
        for name, n in heaps.items():
            self.assertLessEqual(n, MAX_EXTRA_ARENAS,
                                 "%s: %d malloc arenas besides the main one" % (name, n))


class SlowQemu(unittest.TestCase):

    GREETING_DELAY_S = 12           # over the old 10 s, well under the 30 s now

    def setUp(self):
        self.d = mvtest.GuestDaemon(env=QUIET)
        wrapper = mvtest.write_file(os.path.join(self.d.root, "slow-qemu"), (
            "#!/bin/sh\n"
            "# slow to greet: guests named slowqmp* only (not the daemon's probe)\n"
            "case \" $* \" in *guest=slowqmp*) sleep %d ;; esac\n"
            "exec qemu-system-x86_64 \"$@\"\n") % self.GREETING_DELAY_S)
        os.chmod(wrapper, 0o755)
        os.makedirs(os.path.join(self.d.root, "etc"), exist_ok=True)
        mvtest.write_file(os.path.join(self.d.root, "etc", "qemu.conf"),
                          "[qemu]\nemulator = %s\n" % wrapper)
        self.d.start()

    def tearDown(self):
        self.d.cleanup()

    def test_start_waits_for_a_slow_greeting(self):
        libvirt = soak.libvirt
        conn = libvirt.open(self.d.uri)
        try:
            dom = conn.defineXML(mvtest.firmware_guest_xml("slowqmp1"))
            t0 = time.monotonic()
            dom.create()
            took = time.monotonic() - t0
            self.assertGreaterEqual(took, self.GREETING_DELAY_S - 1, "the wrapper did not delay")
            self.assertEqual(dom.state()[0], libvirt.VIR_DOMAIN_RUNNING)
            dom.destroy()
            dom.undefine()
        finally:
            conn.close()


def load_soak():
    global soak
    mvtest.require_python_libvirt()
    sys.path.insert(0, os.path.join(mvtest.SOURCE_ROOT, "bench"))
    import soak as module
    soak = module
    soak.libvirt.registerErrorHandler(lambda ctx, err: None, None)


if __name__ == "__main__":
    mvtest.require_root()
    mvtest.require_qemu()
    mvtest.require_daemon()
    mvstorage.require_storaged()
    mvnet.require_networkd()
    mvtest.enter_private_netns()
    load_soak()
    mvtest.main()
