#!/usr/bin/python3
"""Network rule apply time of modvirt-filterd (docs/filter.md).

In a private network namespace: a filterd under a private root; with N-1
nat networks in place (N = 1, 10, 50 by default), one more nat network is
applied --rounds times through tests/filter/mvfilter-call (networkd's own
client code). Each apply is one transaction rebuilding table inet modvirt
plus the recording of the doctor's expectation. The cost of starting
mvfilter-call and connecting is measured with a read-only NETWORK_LIST
call and subtracted. Prints the median per N.

    MV_BUILD_ROOT=build /usr/bin/python3 bench/filter_netrules.py [--rounds 10] [N...]
"""

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "integration"))
import mvtest  # noqa: E402
import filtertest as ft  # noqa: E402


def timed(*args):
    t0 = time.monotonic()
    ft.call(*args)
    return time.monotonic() - t0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("sizes", type=int, nargs="*", default=[1, 10, 50])
    opts = p.parse_args()
    mvtest.enter_private_netns()
    d = ft.filterd(env={"MV_TEST_DEBUG": "0"}).start()
    try:
        base = statistics.median(timed(d.ro_sock, "list") for _ in range(opts.rounds))
        print("mvfilter-call start + connect + list: %.1f ms (subtracted)" % (base * 1000))
        for n in opts.sizes:
            for i in range(n - 1):
                ft.call(d.sock, "apply", "b%d" % i, "br%d" % i, "nat",
                        "ip=10.%d.%d.1/24" % (i // 250, i % 250), "services=dhcp,dns")
            times = [timed(d.sock, "apply", "x", "brx", "nat", "ip=10.255.%d.1/24" % k,
                           "services=dhcp,dns") for k in range(opts.rounds)]
            rules = len(ft.rules_json() or [])
            print("networks %4d (%5d rules): apply %.1f ms"
                  % (n, rules, (statistics.median(times) - base) * 1000))
            for i in range(n - 1):
                ft.call(d.sock, "remove", "b%d" % i)
            ft.call(d.sock, "remove", "x")
    finally:
        d.cleanup()


if __name__ == "__main__":
    main()
