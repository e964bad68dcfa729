#!/usr/bin/python3
"""Save + restore of a 256 MiB guest: modvirt-qemud vs Debian's libvirtd, same run.

The guest is the tiny Linux guest (tests/guest/, built by make-guest.sh) under
TCG, 256 MiB, 1 vCPU, on a private qcow2 overlay per side. Once its shell
answers on the serial pty, it fills a tmpfs with --fill-mib MiB from
/dev/urandom, so the saved state is mostly incompressible guest memory, not
zero pages. Then, --rounds times: dom.save(path) (until it returns: the guest
is shut off and the image complete) and conn.restore(path) (until it returns:
the guest runs again); after the last round the shell must still answer.
Both daemons write uncompressed images (libvirt's default save_image_format
"raw"; modvirt has no compression), to files in one directory under /tmp.

Each side runs in a forked child in its own network namespace (benchns.py);
libvirtd also in a private mount namespace whose /run, /etc/libvirt/qemu,
/var/lib/libvirt, /var/log/libvirt are empty temporary directories.

  /usr/bin/python3 bench/domain_save.py --build-dir build-bench --rounds 5
Last line of stdout: one JSON object.
"""

import argparse
import json
import os
import re
import select
import subprocess
import sys
import tempfile
import termios
import time
import tty
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import benchns  # noqa: E402
from benchns import stats_ms  # noqa: E402

import libvirt  # noqa: E402

NAME = "bench-save"
GUEST_DIR_DEFAULT = os.path.join(benchns.SOURCE_ROOT, "build", "tests", "guest-cache")


def guest_xml(guest_dir, disk, memory_mib):
    return """<domain type='qemu'>
  <name>%s</name>
  <uuid>%s</uuid>
  <memory unit='MiB'>%d</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>%s/vmlinuz</kernel>
    <initrd>%s/initrd.gz</initrd>
    <cmdline>console=ttyS0 quiet panic=-1</cmdline>
  </os>
  <features><acpi/><apic/></features>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='%s'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
  </devices>
</domain>""" % (NAME, uuid.uuid4(), memory_mib, guest_dir, guest_dir, disk)


class Serial:
    """The guest's serial pty (from the live XML), raw mode."""

    def __init__(self, dom):
        pty = re.search(r"<serial type='pty'>\s*<source path='([^']+)'",
                        dom.XMLDesc(0)).group(1)
        self.fd = os.open(pty, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        tty.setraw(self.fd, termios.TCSANOW)
        self.text = ""

    def close(self):
        os.close(self.fd)

    def expect(self, needle, timeout, resend=None):
        deadline = time.monotonic() + timeout
        next_send = 0
        while needle not in self.text:
            now = time.monotonic()
            if now > deadline:
                raise RuntimeError("guest did not print %r; got %r" % (needle, self.text[-500:]))
            if resend and now >= next_send:
                os.write(self.fd, resend.encode())
                next_send = now + 3
            r, _, _ = select.select([self.fd], [], [], 0.2)
            if r:
                try:
                    self.text += os.read(self.fd, 65536).decode("utf-8", "replace")
                except BlockingIOError:
                    pass
        return True


def shell_answers(dom, tag, timeout=60):
    s = Serial(dom)
    try:
        s.expect("%s%d" % (tag, 6 * 7 * 1001), timeout,
                 resend="echo %s$((42*1001))\r" % tag)
    finally:
        s.close()


def run_guest_side(label, args, measure):
    """One side: its daemon(s), the guest booted from a private overlay with
    --fill-mib MiB of random data in a tmpfs, then measure(conn, dom, path) ->
    (dom, {fields}) with path a file name in the side's work directory; the
    daemon's CPU per round and the shell answering afterwards are checked here."""
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    work = tempfile.mkdtemp(prefix="mvbench-%s-" % label)
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
        c0 = benchns.cpu_ticks(pid)
        dom, fields = measure(conn, dom, os.path.join(work, "guest.save"))
        cpu = (benchns.cpu_ticks(pid) - c0) * 1000 / os.sysconf("SC_CLK_TCK") / args.rounds
        shell_answers(dom, "AFTER")
        result.update(fields)
        result["daemon_cpu_ms_per_round"] = round(cpu, 1)
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


def save_restore(args):
    def measure(conn, dom, path):
        saves, restores, sizes = [], [], []
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            dom.save(path)
            t1 = time.perf_counter()
            sizes.append(os.path.getsize(path))
            conn.restore(path)
            t2 = time.perf_counter()
            saves.append(t1 - t0)
            restores.append(t2 - t1)
            dom = conn.lookupByName(NAME)
            if dom.state()[0] != libvirt.VIR_DOMAIN_RUNNING:
                raise RuntimeError("restored guest is not running: %s" % (dom.state(),))
            os.unlink(path)
        return dom, {"save_ms": stats_ms(saves), "restore_ms": stats_ms(restores),
                     "save_plus_restore_ms": stats_ms([a + b for a, b in zip(saves, restores)]),
                     "image_mib": round(max(sizes) / 1048576, 1)}
    return measure


def run_side(label, args):
    return run_guest_side(label, args, save_restore(args))


def bench_main(name, doc, side_fn, rows, extra_keys):
    """Arguments, both sides in turn (libvirtd when it can run), a table of p50/p99
    per row with the modvirt/libvirtd ratio, and the JSON line last."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
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
        results[side] = benchns.run_isolated(side_fn, side, args,
                                             mount_ns=(side == "libvirtd"))
    mv, lv = results.get("modvirt", {}), results.get("libvirtd", {})
    print("%-28s %-22s %-22s %s" % ("", "modvirt", "libvirtd", "ratio p50"))
    for row, key in rows:
        cells = []
        for side in (mv, lv):
            v = side.get(key)
            cells.append("%.1f / %.1f" % (v["p50"], v["p99"]) if v else "-")
        ratio = ""
        if mv.get(key) and lv.get(key):
            ratio = "%.2f" % (mv[key]["p50"] / lv[key]["p50"])
        print("%-28s %-22s %-22s %s" % (row, cells[0], cells[1], ratio))
    for key in extra_keys + ["daemon_cpu_ms_per_round"]:
        print("%-28s %-22s %-22s" % (key, mv.get(key, "-"), lv.get(key, "-")))
    for side in (mv, lv):
        if side.get("error"):
            print("%s: %s\n%s" % (side["label"], side["error"], side.get("daemon_log_tail", "")))
    out = {"bench": name, "rounds": args.rounds, "memory_mib": args.memory_mib,
           "fill_mib": args.fill_mib, "libvirtd": why_not or "run", "results": results}
    line = json.dumps(out)
    if args.json_out:
        with open(args.json_out, "a") as f:
            f.write(line + "\n")
    print(line)
    return 1 if any(r.get("error") for r in results.values()) else 0


def main():
    return bench_main("domain_save", __doc__, run_side,
                      [("save p50 / p99 ms", "save_ms"), ("restore p50 / p99 ms", "restore_ms"),
                       ("save+restore p50 / p99 ms", "save_plus_restore_ms")], ["image_mib"])


if __name__ == "__main__":
    sys.exit(main())
