#!/usr/bin/python3
"""Volume upload/download throughput: modvirt-storaged vs Debian's libvirtd,
stock `virsh vol-upload` / `vol-download` against both in the same run, with a
local `cp` / `dd` of the same file as the floor.

Two source files of --size-mib (default 1024) in --dir (default /tmp, the same
file system as both daemons' pools): a dense one (random bytes) and a 90 %
sparse one (a 1 MiB run of random data every 10 MiB, holes between). Per round
(--rounds, default 3), interleaved:

  floor     cp SRC NEW (dense), cp --sparse=always SRC NEW (sparse),
            dd if=SRC of=NEW bs=256K (dense)
  modvirt   modvirt-storaged under a private --root, a dir pool in --dir
  libvirtd  /usr/sbin/libvirtd in its own mount + network namespace
            (benchns.run_isolated, as network_lifecycle.py), a dir pool in --dir

and for each daemon: dense upload into a fresh sparse volume, dense download
into a fresh file, the same with --sparse for the sparse file. Every timed
command writes a new file (so each one pays the same page allocation), and
`sync` runs before each (untimed): dirty pages of the previous step do not
slow the next. Reported: wall time (median over rounds), MiB/s of the file
size, daemon CPU seconds (utime+stime, with reaped children: libvirtd's
iohelper), the allocated size of what a sparse transfer wrote, and the ratios
modvirt vs libvirtd and vs the floor. The last line is one JSON object.

Run as root with Debian's /usr/bin/python3:
  meson setup build-bench --buildtype=release && meson compile -C build-bench
  /usr/bin/python3 bench/storage_streams.py --build-dir build-bench
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchns  # noqa: E402

MIB = 1024 * 1024
TICK = os.sysconf("SC_CLK_TCK")


def log(text):
    print(text, file=sys.stderr, flush=True)


def run(cmd, check=True):
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       env=dict(os.environ, LC_ALL="C"))
    if check and r.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), r.returncode, r.stderr))
    return r


def make_sources(d, size):
    dense = os.path.join(d, "dense.img")
    sparse = os.path.join(d, "sparse.img")
    with open(dense, "wb") as f:
        for _ in range(size // MIB):
            f.write(os.urandom(MIB))
    with open(sparse, "wb") as f:
        f.truncate(size)
        for off in range(0, size, 10 * MIB):
            f.seek(off)
            f.write(os.urandom(MIB))
    # both in the page cache before anything is timed
    for p in (dense, sparse):
        with open(p, "rb") as f:
            while f.read(8 * MIB):
                pass
    return dense, sparse


def allocated(path):
    return os.stat(path).st_blocks * 512


def timed(cmd, pid=None):
    """(seconds, daemon CPU seconds) of running cmd after an untimed sync."""
    os.sync()
    cpu0 = benchns.cpu_ticks_all(pid) if pid else 0
    t0 = time.monotonic()
    run(cmd)
    t = time.monotonic() - t0
    cpu = (benchns.cpu_ticks_all(pid) - cpu0) / TICK if pid else 0.0
    return t, cpu


def fresh(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    return path


def floor_round(work, dense, sparse):
    out = {}
    t, _ = timed(["cp", dense, fresh(os.path.join(work, "floor-cp"))])
    out["dense_cp"] = t
    t, _ = timed(["dd", "if=" + dense, "of=" + fresh(os.path.join(work, "floor-dd")),
                  "bs=256K", "status=none"])
    out["dense_dd"] = t
    t, _ = timed(["cp", "--sparse=always", sparse, fresh(os.path.join(work, "floor-sp"))])
    out["sparse_cp"] = t
    for name in ("floor-cp", "floor-dd", "floor-sp"):
        fresh(os.path.join(work, name))
    return out


def daemon_round(uri, pid, pooldir, work, dense, sparse, size):
    """The four transfers through virsh against the daemon at uri."""
    v = ["virsh", "-q", "-c", uri]
    out = {}
    for kind, src, flag in (("dense", dense, []), ("sparse", sparse, ["--sparse"])):
        vol = "bench-" + kind
        run(v + ["vol-delete", "--pool", "bench", vol], check=False)
        run(v + ["vol-create-as", "bench", vol, str(size), "--allocation", "0"])
        t, cpu = timed(v + ["vol-upload"] + flag + ["--pool", "bench", vol, src], pid)
        out[kind + "_upload"] = t
        out[kind + "_upload_cpu"] = cpu
        out[kind + "_upload_alloc"] = allocated(os.path.join(pooldir, vol))
        dst = fresh(os.path.join(work, "down-" + kind))
        t, cpu = timed(v + ["vol-download"] + flag + ["--pool", "bench", vol, dst], pid)
        out[kind + "_download"] = t
        out[kind + "_download_cpu"] = cpu
        out[kind + "_download_alloc"] = allocated(dst)
        if os.path.getsize(dst) != size:
            raise RuntimeError("%s download has %d bytes, not %d" % (kind, os.path.getsize(dst),
                                                                      size))
        fresh(dst)
        run(v + ["vol-delete", "--pool", "bench", vol])
    return out


def define_pool(uri, pooldir):
    xml = ("<pool type='dir'><name>bench</name><target><path>%s</path></target></pool>"
           % pooldir)
    with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as f:
        f.write(xml)
    try:
        run(["virsh", "-q", "-c", uri, "pool-create", f.name])
    finally:
        os.unlink(f.name)


def modvirt_round(args, work, dense, sparse, size):
    root = tempfile.mkdtemp(prefix="mvbench-stor-", dir=args.dir)
    binary = os.path.join(args.build_dir, "daemons/storage/modvirt-storaged")
    env = dict(os.environ)
    for k in ("MODVIRT_LOG", "NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID"):
        env.pop(k, None)
    logf = open(os.path.join(root, "storaged.log"), "wb")
    proc = subprocess.Popen([binary, "--root", root], env=env, stdin=subprocess.DEVNULL,
                            stdout=logf, stderr=subprocess.STDOUT)
    logf.close()
    try:
        sock = os.path.join(root, "run", "storage.sock")
        benchns._wait_accepts(sock, proc, 15, binary)
        uri = "storage+unix:///system?socket=" + sock
        pooldir = os.path.join(root, "pool")
        os.makedirs(pooldir)
        define_pool(uri, pooldir)
        out = daemon_round(uri, proc.pid, pooldir, work, dense, sparse, size)
        out["rss_kib"] = benchns.rss_kib(proc.pid)
        return out
    finally:
        benchns._stop(proc)
        shutil.rmtree(root, ignore_errors=True)


def libvirtd_child(args, work, dense, sparse, size):
    pooldir = tempfile.mkdtemp(prefix="mvbench-lvpool-", dir=args.dir)
    d = benchns.Libvirtd()
    try:
        uri = "qemu:///system"
        define_pool(uri, pooldir)
        out = daemon_round(uri, d.pid, pooldir, work, dense, sparse, size)
        out["rss_kib"] = benchns.rss_kib(d.pid)
        return out
    finally:
        d.stop()
        shutil.rmtree(pooldir, ignore_errors=True)


def median(rounds, key):
    vals = [r[key] for r in rounds if key in r]
    return statistics.median(vals) if vals else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build-dir", default="build-bench")
    ap.add_argument("--size-mib", type=int, default=1024)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dir", default="/tmp", help="where the files and pools live")
    ap.add_argument("--no-libvirtd", action="store_true")
    args = ap.parse_args()
    size = args.size_mib * MIB
    why = None if not args.no_libvirtd else "--no-libvirtd"
    why = why or benchns.libvirtd_available()

    work = tempfile.mkdtemp(prefix="mvbench-streams-", dir=args.dir)
    results = {"floor": [], "modvirt": [], "libvirtd": []}
    try:
        log("creating the %d MiB sources in %s" % (args.size_mib, work))
        dense, sparse = make_sources(work, size)
        for i in range(args.rounds):
            order = ["modvirt", "libvirtd"] if i % 2 == 0 else ["libvirtd", "modvirt"]
            results["floor"].append(floor_round(work, dense, sparse))
            for side in order:
                if side == "modvirt":
                    results["modvirt"].append(modvirt_round(args, work, dense, sparse, size))
                elif not why:
                    r = benchns.run_isolated(libvirtd_child, args, work, dense, sparse, size,
                                             mount_ns=True)
                    if "error" in r:
                        raise RuntimeError("libvirtd round: " + r["error"])
                    results["libvirtd"].append(r)
            log("round %d done" % (i + 1))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    mib = size / MIB
    summary = {"size_mib": args.size_mib, "rounds": args.rounds, "libvirtd": not why}
    floor = {k: median(results["floor"], k) for k in ("dense_cp", "dense_dd", "sparse_cp")}
    summary["floor"] = floor
    print("%-18s %10s %10s %10s %12s %12s" % ("transfer", "modvirt s", "libvirtd s",
                                               "mv MiB/s", "mv/libvirtd", "floor/mv"))
    for op in ("dense_upload", "dense_download", "sparse_upload", "sparse_download"):
        mv = median(results["modvirt"], op)
        lv = median(results["libvirtd"], op)
        fl = floor["dense_cp"] if op.startswith("dense") else floor["sparse_cp"]
        row = {
            "modvirt_s": mv, "libvirtd_s": lv,
            "modvirt_mib_s": mib / mv,
            "libvirtd_mib_s": mib / lv if lv else None,
            "speedup_vs_libvirtd": lv / mv if lv else None,
            "fraction_of_floor": fl / mv,
            "modvirt_cpu_s": median(results["modvirt"], op + "_cpu"),
            "libvirtd_cpu_s": median(results["libvirtd"], op + "_cpu"),
            "modvirt_alloc": median(results["modvirt"], op + "_alloc"),
            "libvirtd_alloc": median(results["libvirtd"], op + "_alloc"),
        }
        summary[op] = row
        print("%-18s %10.3f %10s %10.0f %12s %12.2f" % (
            op, mv, "%.3f" % lv if lv else "-", mib / mv,
            "%.2fx" % (lv / mv) if lv else "-", fl / mv))
    print("floor: cp %.3f s, dd %.3f s, cp --sparse=always %.3f s" % (
        floor["dense_cp"], floor["dense_dd"], floor["sparse_cp"]))
    if why:
        print("libvirtd not measured: %s" % why)
    summary["raw"] = results
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
