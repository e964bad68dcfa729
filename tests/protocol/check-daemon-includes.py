#!/usr/bin/env python3
"""Hand-written files under daemons/ include no XDR or RPC header.

usage: check-daemon-includes.py SOURCE_ROOT

Handlers are typed driver vtable entries (remote-driver.h, daemon/driver-call.h);
only the wiring may see the generated dispatch table. Every file under
daemons/ is checked except the ones listed in ALLOWED, each with its reason.
TAP output: one line per file.
"""

import os
import re
import sys

FORBIDDEN = re.compile(r'^\s*#\s*include\s*[<"]((?:rpc/[^">]+)|remote-protocol\.h|'
                       r'remote-dispatch\.h)[">]', re.M)
ALLOWED = {
    # the wiring: fills the REMOTE handler table from the vtables
    # (mv_remote_drivers_fill, MV_REMOTE_PROC_LAST)
    'daemons/qemu/main.c': {'remote-dispatch.h'},
    'daemons/network/main.c': {'remote-dispatch.h'},
    'daemons/filter/main.c': {'remote-dispatch.h'},
    'daemons/storage/main.c': {'remote-dispatch.h'},
}


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    root = argv[1]
    files = []
    for d, _, names in os.walk(os.path.join(root, 'daemons')):
        for n in names:
            if n.endswith(('.c', '.h')):
                files.append(os.path.relpath(os.path.join(d, n), root))
    files.sort()
    if not files:
        print('1..1\nnot ok 1 - no C files under %s/daemons' % root)
        return 1
    print('1..%d' % len(files))
    failed = 0
    for i, rel in enumerate(files, 1):
        with open(os.path.join(root, rel), encoding='utf-8') as f:
            found = set(FORBIDDEN.findall(f.read()))
        bad = sorted(found - ALLOWED.get(rel, set()))
        if bad:
            failed += 1
            print('not ok %d - %s includes %s: use remote-driver.h / daemon/driver-call.h'
                  % (i, rel, ', '.join(bad)))
        else:
            print('ok %d - %s' % (i, rel))
    for rel in ALLOWED:
        if rel not in files:
            print('# stale exception: %s does not exist' % rel)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
