"""The read-only matrix: every REMOTE procedure, sent as a raw frame on a
read-only connection, generated from the procedure table (protocol/remote.x
read by protocol/gen-protocol.py) with the golden argument payloads of
tests/protocol/golden/.

A test class mixes in ReadOnlyMatrix and provides
  ro_client()     -> an opened mvtest.WireClient that is read-only
  served_routes   -> the @route values the peer serves (None: all; the proxy)
  secret_domain   -> (name, password) of a defined domain with a VNC password

Raw frames matter: the stock client library refuses most writes on a
read-only connection itself, before anything reaches the wire, so only raw
frames prove what the daemon does.
"""

import importlib.util
import os
import socket

import mvtest

GOLDEN_DIR = os.path.join(mvtest.SOURCE_ROOT, "tests", "protocol", "golden")
REMOTE_X = os.path.join(mvtest.SOURCE_ROOT, "protocol", "remote.x")

PROC_DOMAIN_GET_XML_DESC = 14
PROC_DOMAIN_LOOKUP_BY_NAME = 23
PROC_DOMAIN_GET_VCPUS_FLAGS = 200
PROC_CONNECT_SET_IDENTITY = 419
XML_SECURE = 1
XML_INACTIVE = 2
XML_MIGRATABLE = 8
VCPU_GUEST = 8

# Allowed calls not sent by the "allowed" half: they end or re-open the connection.
NOT_SENT = {"CONNECT_OPEN", "CONNECT_CLOSE"}


def _generator():
    spec = importlib.util.spec_from_file_location(
        "gen_protocol", os.path.join(mvtest.SOURCE_ROOT, "protocol", "gen-protocol.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


_procs = None


def procedures():
    """Every call/stream procedure of remote.x: objects with number, name,
    route, readonly ('yes'/'no'), kind, api."""
    global _procs
    if _procs is None:
        gen = _generator()
        _procs = [p for p in gen.parse(REMOTE_X) if p.kind != "event"]
        for p in _procs:
            p.api = p.api or gen.derive_api(p.name)
    return _procs


def refused_procedures():
    return [p for p in procedures() if p.readonly == "no"]


def golden_args(proc):
    """The golden argument payload of @proc (b"" when it takes no arguments)."""
    if not proc.args:
        return b""
    path = os.path.join(GOLDEN_DIR, "%03d-%s-args.hex" % (proc.number, proc.name))
    with open(path) as f:
        words = "".join(line.split("#")[0] for line in f).split()
    return bytes.fromhex("".join(words))


def dom_ref(client, name):
    """The nonnull domain reference bytes of @name, from a lookup on @client."""
    r = client.call_ok(PROC_DOMAIN_LOOKUP_BY_NAME, mvtest.XdrWriter().string(name).bytes())
    dname, uuid, did = r.string(), r.fixed(16), r.i32()
    w = mvtest.XdrWriter().string(dname)
    w.parts.append(uuid)
    return w.i32(did).bytes()


class ReadOnlyMatrix:
    served_routes = None
    secret_domain = None

    def ro_client(self):
        raise NotImplementedError

    def _usable(self, c, after):
        self.assertEqual(c.get_type(), "QEMU", "connection unusable after %s" % after)

    def test_ro_every_write_refused(self):
        """Each procedure not on the allowed list gets code 29 and the
        connection stays usable; procedures of a route the peer does not serve
        are unknown there (never executed)."""
        c = self.ro_client()
        try:
            refused = refused_procedures()
            self.assertGreater(len(refused), 50)
            for p in refused:
                with self.subTest(proc=p.name):
                    m = c.call(p.number, golden_args(p))
                    self.assertEqual(m.status, mvtest.ERROR,
                                     "%s (%d) was executed on a read-only connection"
                                     % (p.name, p.number))
                    err = mvtest.decode_error(m.payload)
                    if self.served_routes is None or p.route in self.served_routes:
                        self.assertEqual(err["code"], mvtest.ERR_OPERATION_DENIED, err)
                        self.assertIn("read only access prevents %s" % p.api, err["message"])
                    else:
                        self.assertEqual(err["code"], mvtest.ERR_RPC, err)
                        self.assertIn("unknown procedure", err["message"])
                    self._usable(c, p.name)
        finally:
            c.close()

    def test_ro_allowed_reads_not_refused(self):
        """The allowed calls are not refused for being read-only (they may fail
        for other reasons: the golden arguments name objects that do not exist)."""
        c = self.ro_client()
        try:
            for p in procedures():
                if p.readonly != "yes" or p.name in NOT_SENT:
                    continue
                with self.subTest(proc=p.name):
                    m = c.call(p.number, golden_args(p))
                    if m.status == mvtest.ERROR:
                        err = mvtest.decode_error(m.payload)
                        self.assertNotIn("read only access", err["message"] or "", err)
                    self._usable(c, p.name)
        finally:
            c.close()

    def test_ro_secure_flags_refused(self):
        name, password = self.secret_domain
        c = self.ro_client()
        try:
            dom = dom_ref(c, name)
            for flags in (XML_SECURE, XML_MIGRATABLE, XML_SECURE | XML_INACTIVE):
                with self.subTest(flags=flags):
                    err = c.call_err(PROC_DOMAIN_GET_XML_DESC,
                                     dom + mvtest.XdrWriter().u32(flags).bytes())
                    self.assertEqual(err["code"], mvtest.ERR_OPERATION_DENIED, err)
                    self.assertIn("secure flag", err["message"])
            err = c.call_err(PROC_DOMAIN_GET_VCPUS_FLAGS,
                             dom + mvtest.XdrWriter().u32(VCPU_GUEST).bytes())
            self.assertEqual(err["code"], mvtest.ERR_OPERATION_DENIED, err)
            self._usable(c, "the secure flags")
        finally:
            c.close()

    def test_ro_xml_has_no_password(self):
        name, password = self.secret_domain
        c = self.ro_client()
        try:
            dom = dom_ref(c, name)
            for flags in (0, XML_INACTIVE):
                with self.subTest(flags=flags):
                    xml = c.call_ok(PROC_DOMAIN_GET_XML_DESC,
                                    dom + mvtest.XdrWriter().u32(flags).bytes()).string()
                    self.assertIn("<graphics type='vnc'", xml)
                    self.assertNotIn(password, xml)
                    self.assertNotIn("passwd", xml)
        finally:
            c.close()


def secret_domain_xml(name, password):
    return mvtest.firmware_guest_xml(
        name, extra_devices="<graphics type='vnc' autoport='yes' passwd='%s'/>" % password)


def rw_xml_secure(client, name):
    """The SECURE XML of @name over a read-write raw client."""
    return client.call_ok(PROC_DOMAIN_GET_XML_DESC,
                          dom_ref(client, name) + mvtest.XdrWriter().u32(XML_SECURE).bytes()
                          ).string()


def connect_as(path, uid):
    """A UNIX socket connected to @path by a child process running as @uid
    (so SO_PEERCRED names @uid), handed back to us over a socketpair."""
    parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    pid = os.fork()
    if pid == 0:
        try:
            parent.close()
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            socket.send_fds(child, [b"x"], [s.fileno()])
            os._exit(0)
        except BaseException:
            os._exit(1)
    child.close()
    try:
        _, fds, _, _ = socket.recv_fds(parent, 1, 1)
    finally:
        parent.close()
        _, status = os.waitpid(pid, 0)
    if status != 0 or not fds:
        raise AssertionError("could not connect to %s as uid %d" % (path, uid))
    return fds[0]


class WireClientFd(mvtest.WireClient):
    def __init__(self, fd, timeout=10):
        self.path = None
        self.timeout = timeout
        self.answer_pings = True
        self.sock = socket.socket(fileno=fd)
        self.sock.settimeout(timeout)
        self.serial = 0
        self.buf = b""
        self.pings_seen = 0
        self.pending = []
