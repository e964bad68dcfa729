#!/usr/bin/python3
"""A pool of many volumes: listAllVolumes and pool refresh, modvirt-storaged vs
Debian's libvirtd in the same run, through python3-libvirt.

A dir pool in --dir (default /tmp) holds --volumes (default 10000) raw files
of 1 MiB (sparse, made with truncate before the pool starts; every 10th is a
small qcow2 made with qemu-img, so the probe has headers to read). For each
daemon (modvirt-storaged under a private --root; libvirtd in its own mount +
network namespace as in network_lifecycle.py):

  start     pool.create() of the defined pool (its first scan)
  refresh   pool.refresh(0), --repeat times
  list      pool.listAllVolumes(0), --repeat times (python3-libvirt builds
            one object per volume on both sides)

Reported: medians and p90 (ms), the daemon's CPU per refresh/list (utime+stime
from /proc) and RSS with the volumes known. The last line is one JSON object.

  /usr/bin/python3 bench/storage_volumes.py --build-dir build-bench
"""

import argparse
import json
import os
import shutil
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


def fill_pool(pooldir, n):
    qcow = os.path.join(pooldir, "template.qcow2.tmp")
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", qcow, "1M"], check=True)
    with open(qcow, "rb") as f:
        header = f.read()
    os.unlink(qcow)
    for i in range(n):
        path = os.path.join(pooldir, "vol%05d.img" % i)
        if i % 10 == 0:
            with open(path, "wb") as f:
                f.write(header)
        else:
            with open(path, "wb") as f:
                f.truncate(MIB)


def measure(conn, pid, pooldir, n, repeat):
    import libvirt
    xml = ("<pool type='dir'><name>many</name><target><path>%s</path></target></pool>"
           % pooldir)
    pool = conn.storagePoolDefineXML(xml, 0)
    out = {}
    t0 = time.monotonic()
    pool.create(0)
    out["start_ms"] = (time.monotonic() - t0) * 1000
    got = len(pool.listAllVolumes(0))
    if got != n:
        raise RuntimeError("the pool lists %d volumes, not %d" % (got, n))
    for name, fn in (("refresh", lambda: pool.refresh(0)),
                     ("list", lambda: pool.listAllVolumes(0))):
        samples = []
        cpu0 = benchns.cpu_ticks_all(pid)
        for _ in range(repeat):
            t0 = time.monotonic()
            fn()
            samples.append((time.monotonic() - t0) * 1000)
        out[name + "_cpu_ms"] = (benchns.cpu_ticks_all(pid) - cpu0) * 1000 / TICK / repeat
        samples.sort()
        out[name + "_ms"] = samples[len(samples) // 2]
        out[name + "_p90_ms"] = benchns.percentile(samples, 90)
    out["rss_kib"] = benchns.rss_kib(pid)
    pool.destroy()
    pool.undefine()
    del libvirt
    return out


def modvirt_side(args):
    import libvirt
    root = tempfile.mkdtemp(prefix="mvbench-vols-", dir=args.dir)
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
        pooldir = os.path.join(root, "pool")
        os.makedirs(pooldir)
        fill_pool(pooldir, args.volumes)
        conn = libvirt.open("storage+unix:///system?socket=" + sock)
        try:
            return measure(conn, proc.pid, pooldir, args.volumes, args.repeat)
        finally:
            conn.close()
    finally:
        benchns._stop(proc)
        shutil.rmtree(root, ignore_errors=True)


def libvirtd_side(args):
    import libvirt
    pooldir = tempfile.mkdtemp(prefix="mvbench-lvvols-", dir=args.dir)
    try:
        fill_pool(pooldir, args.volumes)
        d = benchns.Libvirtd()
        try:
            conn = libvirt.open("qemu:///system")
            try:
                return measure(conn, d.pid, pooldir, args.volumes, args.repeat)
            finally:
                conn.close()
        finally:
            d.stop()
    finally:
        shutil.rmtree(pooldir, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build-dir", default="build-bench")
    ap.add_argument("--volumes", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--dir", default="/tmp")
    ap.add_argument("--no-libvirtd", action="store_true")
    args = ap.parse_args()
    why = "--no-libvirtd" if args.no_libvirtd else benchns.libvirtd_available()

    res = {"volumes": args.volumes, "repeat": args.repeat}
    log("modvirt: %d volumes" % args.volumes)
    res["modvirt"] = modvirt_side(args)
    if not why:
        log("libvirtd: %d volumes" % args.volumes)
        r = benchns.run_isolated(libvirtd_side, args, mount_ns=True)
        if "error" in r:
            raise RuntimeError("libvirtd: " + r["error"])
        res["libvirtd"] = r
    print("%-12s %14s %14s %10s" % ("", "modvirt", "libvirtd", "ratio"))
    for key in ("start_ms", "refresh_ms", "refresh_p90_ms", "refresh_cpu_ms", "list_ms",
                "list_p90_ms", "list_cpu_ms", "rss_kib"):
        mv = res["modvirt"][key]
        lv = res.get("libvirtd", {}).get(key)
        print("%-16s %10.1f %14s %10s" % (key, mv, "%.1f" % lv if lv is not None else "-",
                                          "%.2f" % (mv / lv) if lv else "-"))
    if why:
        print("libvirtd not measured: %s" % why)
    print(json.dumps(res))


if __name__ == "__main__":
    main()
