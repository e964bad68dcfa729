"""Every call libmodvirt makes goes through a generated typed stub
mv_remote_<proc>() on the link mv_connect_rpc() routes to: no hand-written
file under client/ keeps the untyped mv_connect_call or calls the RPC
client's untyped mv_rpc_client_call* itself (that is the stubs' job)."""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clienttest import mvtest  # noqa: E402

CLIENT = os.path.join(mvtest.SOURCE_ROOT, "client")
UNTYPED = re.compile(r"\b(mv_connect_call|mv_rpc_client_call\w*)\s*\(")


def sources():
    """Every .c and .h file under client/ (the library, the CLI, the examples)."""
    for top, _, names in os.walk(CLIENT):
        for name in sorted(names):
            if name.endswith((".c", ".h")):
                yield os.path.join(top, name)


def untyped_calls(text):
    """[(line, name)] of untyped calls in @text, comments stripped."""
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    return [(text.count("\n", 0, m.start()) + 1, m.group(1)) for m in UNTYPED.finditer(text)]


class TypedCalls(unittest.TestCase):

    def test_the_scanner_sees_an_untyped_call(self):
        self.assertEqual(untyped_calls("/* mv_connect_call( */\nok = mv_connect_call(c, 1);\n"),
                         [(2, "mv_connect_call")])
        self.assertEqual(untyped_calls("mv_rpc_client_call(rpc, &p);"),
                         [(1, "mv_rpc_client_call")])
        self.assertEqual(untyped_calls("mv_remote_domain_suspend(rpc, &args, error);"), [])

    def test_client_has_no_untyped_call(self):
        files = list(sources())
        self.assertGreater(len(files), 10, "client/ sources not found under %s" % CLIENT)
        found = []
        for path in files:
            for line, name in untyped_calls(mvtest.read_text(path)):
                found.append("%s:%d: %s" % (os.path.relpath(path, mvtest.SOURCE_ROOT), line,
                                            name))
        self.assertEqual(found, [], "use mv_connect_rpc() and the typed stub mv_remote_<proc>()")

    def test_mv_connect_call_is_gone(self):
        for path in sources():
            self.assertFalse("mv_connect_call" in mvtest.read_text(path),
                             "%s still mentions mv_connect_call" % path)


if __name__ == "__main__":
    mvtest.main()
