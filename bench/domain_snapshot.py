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

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from benchns import stats_ms  # noqa: E402
from domain_save import bench_main, run_guest_side  # noqa: E402

import libvirt  # noqa: E402


def snapshot_rounds(args):
    def measure(conn, dom, path):
        creates, reverts, deletes = [], [], []
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
        return dom, {"create_ms": stats_ms(creates), "revert_ms": stats_ms(reverts),
                     "delete_ms": stats_ms(deletes)}
    return measure


def run_side(label, args):
    return run_guest_side(label, args, snapshot_rounds(args))


def main():
    return bench_main("domain_snapshot", __doc__, run_side,
                      [("create p50 / p99 ms", "create_ms"), ("revert p50 / p99 ms", "revert_ms"),
                       ("delete p50 / p99 ms", "delete_ms")], [])


if __name__ == "__main__":
    sys.exit(main())
