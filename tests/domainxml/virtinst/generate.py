#!/usr/bin/python3
"""Regenerate the virt-install corpus: run each case of cases.py with
`virt-install --print-xml` connected to a modvirt stack (through the proxy,
in a private network namespace) and write NAME.xml (or NAME.err) here plus
MANIFEST (one `NAME<TAB>command line` a line).  Run as root from the source
tree with a build: MV_BUILD_ROOT=build /usr/bin/python3 tests/domainxml/virtinst/generate.py"""

import os
import shlex
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration"))
sys.path.insert(0, HERE)
import mvtest  # noqa: E402
import mvvirtinst  # noqa: E402
from cases import BASE, CASES  # noqa: E402


def main():
    only = set(sys.argv[1:])
    mvtest.enter_private_netns()
    stack = mvvirtinst.Stack().start()
    manifest = []
    try:
        for name, args in CASES:
            argv = ["--name", name] + BASE + args + ["--print-xml"]
            manifest.append("%s\tvirt-install %s --connect URI" % (
                name, " ".join(shlex.quote(a) for a in argv)))
            if only and name not in only:
                continue
            rc, out, err = stack.virt_install([mvvirtinst.materialize(a, stack.root)
                                               for a in argv])
            for ext in ("xml", "err"):
                try:
                    os.unlink(os.path.join(HERE, "%s.%s" % (name, ext)))
                except FileNotFoundError:
                    pass
            ext, text = ("xml", out) if rc == 0 else ("err", err)
            text = text.replace(stack.root, mvvirtinst.PLACEHOLDER)
            with open(os.path.join(HERE, "%s.%s" % (name, ext)), "w") as f:
                f.write(text)
            print("%-24s %s" % (name, "ok" if rc == 0 else err.strip().splitlines()[-1]))
    finally:
        stack.cleanup()
    if True:  # every case's line, also when only some were run
        with open(os.path.join(HERE, "MANIFEST"), "w") as f:
            f.write("# NAME<TAB>the command that made NAME.xml (URI: the modvirt proxy's)\n")
            f.write("\n".join(manifest) + "\n")


if __name__ == "__main__":
    main()
