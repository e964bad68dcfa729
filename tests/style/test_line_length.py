#!/usr/bin/python3
"""No line over 100 columns in the tree's C, Python and meson files.

Checks every file git tracks (or, outside a git checkout, every file under the
source root) whose name ends in .c, .h or .py, or is meson.build or
meson_options.txt. Goldens and other data (.args, .xml, .err, .x…) are not
checked, nor are generated files: they live in the build directory.
"""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import mvtest  # noqa: E402

MAX_COLUMNS = 100
SOURCE_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SUFFIXES = (".c", ".h", ".py")
NAMES = ("meson.build", "meson_options.txt")
SKIP_DIRS = {".git", "build", "subprojects", "__pycache__"}


def checked(path):
    base = os.path.basename(path)
    return base.endswith(SUFFIXES) or base in NAMES


def tracked_files(root):
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "-z"], capture_output=True,
                             check=True, timeout=60).stdout
        return [f for f in out.decode().split("\0") if f]
    except (OSError, subprocess.CalledProcessError):
        found = []
        for top, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.startswith("build")]
            found += [os.path.relpath(os.path.join(top, f), root) for f in files]
        return found


def long_lines(root, rel):
    """(line number, columns) of each line of ROOT/REL over MAX_COLUMNS."""
    with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
        return [(n, len(line.rstrip("\n").expandtabs(8)))
                for n, line in enumerate(f, 1)
                if len(line.rstrip("\n").expandtabs(8)) > MAX_COLUMNS]


class LineLength(unittest.TestCase):
    def test_detects_long_lines(self):
        # the check itself can fail: a 101-column line is reported, a 100-column one not
        d = mvtest.tempfile.mkdtemp(prefix="mvt-style-")
        try:
            with open(os.path.join(d, "x.c"), "w") as f:
                f.write("a" * 100 + "\n" + "b" * 101 + "\n\t" + "c" * 93 + "\n")
            self.assertEqual(long_lines(d, "x.c"), [(2, 101), (3, 101)])
            self.assertTrue(checked("daemons/meson.build"))
            self.assertFalse(checked("tests/qemuxml2argv/minimal.args"))
        finally:
            os.unlink(os.path.join(d, "x.c"))
            os.rmdir(d)

    def test_no_line_over_100_columns(self):
        files = [f for f in tracked_files(SOURCE_ROOT) if checked(f)
                 and os.path.isfile(os.path.join(SOURCE_ROOT, f))]
        self.assertGreater(len(files), 50, "found too few source files: wrong root?")
        bad = ["%s:%d: %d columns" % (f, n, cols)
               for f in sorted(files) for n, cols in long_lines(SOURCE_ROOT, f)]
        self.assertEqual(bad, [], "lines over %d columns (wrap them):\n%s"
                         % (MAX_COLUMNS, "\n".join(bad)))


if __name__ == "__main__":
    mvtest.main()
