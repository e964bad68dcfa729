#!/usr/bin/env python3
"""Check that golden/ holds exactly what make-golden.py writes.

usage: check-golden-uptodate.py MAKE-GOLDEN.py GOLDEN-DIR
"""
import filecmp
import os
import subprocess
import sys
import tempfile


def main(argv):
    script, golden = argv[1], argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        res = subprocess.run([sys.executable, script, tmp], stdout=subprocess.DEVNULL)
        if res.returncode != 0:
            print('make-golden.py failed (exit %d)' % res.returncode)
            return 1
        want = sorted(f for f in os.listdir(tmp) if f.endswith('.hex'))
        have = sorted(f for f in os.listdir(golden) if f.endswith('.hex'))
        bad = sorted(set(want) ^ set(have))
        _, mismatch, errors = filecmp.cmpfiles(tmp, golden, sorted(set(want) & set(have)),
                                               shallow=False)
        bad += mismatch + errors
        if bad:
            print('golden/ differs from make-golden.py output: %s' % ', '.join(bad))
            print('run: python3 tests/protocol/make-golden.py (and review the diff)')
            return 1
    print('%d golden vectors up to date' % len(want))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
