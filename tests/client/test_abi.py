"""The exported ABI of libmodvirt.so: exactly the functions declared in the
public headers (the version script hides everything else, including the
static libraries it links), each declaration with a doc comment, and the
pkg-config file."""

import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clienttest as ct  # noqa: E402
from clienttest import mvtest  # noqa: E402

LIB = os.environ.get("MV_LIBMODVIRT", os.path.join(mvtest.BUILD_ROOT, "client", "libmodvirt.so"))
HEADERS = os.path.join(mvtest.SOURCE_ROOT, "client", "include", "modvirt")
SYMS = os.path.join(mvtest.SOURCE_ROOT, "client", "libmodvirt.syms")
DECL = re.compile(r"^[A-Za-z_][\w \*]*?\b(mv_\w+)\s*\(", re.M)


def declared():
    """{function: (header, line)} of every prototype in the public headers."""
    out = {}
    for name in sorted(os.listdir(HEADERS)):
        text = mvtest.read_text(os.path.join(HEADERS, name))
        for m in DECL.finditer(text):
            if m.group(0).startswith(("typedef", "#define", "return")):
                continue
            out[m.group(1)] = (name, text[:m.start()])
    return out


class Abi(unittest.TestCase):

    def test_exports_match_headers(self):
        mvtest.require_tools("nm")
        r = subprocess.run(["nm", "-D", "--defined-only", LIB], capture_output=True, text=True,
                           check=True)
        exported = {l.split()[2].split("@")[0] for l in r.stdout.splitlines()
                    if len(l.split()) == 3 and l.split()[1] == "T"}
        decl = set(declared())
        self.assertEqual(exported - decl, set(), "exported but not declared")
        self.assertEqual(decl - exported, set(), "declared but not exported")
        syms = set(re.findall(r"^\s+(mv_\w+);", mvtest.read_text(SYMS), re.M))
        self.assertEqual(syms, decl, "libmodvirt.syms and the headers disagree")

    def test_every_function_documented(self):
        for fn, (header, before) in declared().items():
            tail = before.rstrip().splitlines()[-12:]
            self.assertTrue(any(fn in l or "*/" in l for l in tail),
                            "%s in %s has no doc comment" % (fn, header))
            block = before[before.rfind("/*"):]
            self.assertIn(fn, block, "%s in %s: the comment above it is not its doc" %
                          (fn, header))

    def test_pkgconfig(self):
        pc = os.path.join(mvtest.BUILD_ROOT, "meson-private", "modvirt.pc")
        text = mvtest.read_text(pc)
        self.assertIn("Name: modvirt", text)
        self.assertIn("Requires: glib-2.0", text)
        self.assertIn("-lmodvirt", text)


if __name__ == "__main__":
    mvtest.main()
