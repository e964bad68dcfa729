"""Shared harness for modvirt's integration tests.

Run the tests with Debian's /usr/bin/python3 (it has python3-libvirt).
Everything here uses the standard library only.

* Daemon      -- start modvirt-qemud under a private temporary --root, wait
                 until its socket accepts, stop it by PID (SIGTERM, then
                 SIGKILL), always reap it, remove the root.  Its stderr goes
                 to ROOT/daemon-N.log and is printed when a test fails.  After
                 reaping, a sanitizer report in that log (sanitized build)
                 raises SanitizerReport: the case fails naming the log.
* virsh()     -- run stock virsh with a URI and a timeout.
* WireClient  -- a raw libvirt-RPC client (framing + XDR) for odd-input tests.
* main()      -- unittest runner speaking TAP (mvtap.py): one line per case,
                 skipped cases visible; exit status 0 ok, 1 failed.

Environment: MV_BUILD_ROOT / MV_SOURCE_ROOT (set by meson), MV_TEST_DEBUG=0
to run the daemon without debug logging, MV_TEST_KEEP=1 to keep temp roots.
"""

import contextlib
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest

import mvtap

SKIP = 77      # the exit status of a skipped script before the TAP runner (unused now)

SOURCE_ROOT = os.environ.get(
    "MV_SOURCE_ROOT",
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BUILD_ROOT = os.environ.get("MV_BUILD_ROOT", os.path.join(SOURCE_ROOT, "build"))
QEMUD = os.environ.get("MV_QEMUD",
                       os.path.join(BUILD_ROOT, "daemons", "qemu", "modvirt-qemud"))
NETWORKD = os.environ.get("MV_NETWORKD",
                          os.path.join(BUILD_ROOT, "daemons", "network", "modvirt-networkd"))
FILTERD = os.environ.get("MV_FILTERD",
                         os.path.join(BUILD_ROOT, "daemons", "filter", "modvirt-filterd"))
STORAGED = os.environ.get("MV_STORAGED",
                          os.path.join(BUILD_ROOT, "daemons", "storage", "modvirt-storaged"))

# ---------------------------------------------------------------------------
# Skipping
# ---------------------------------------------------------------------------


class SkipScript(Exception):
    """Raised (via skip_script) to skip a whole test script."""


def skip_script(reason):
    """Skip the whole script: TAP '1..0 # SKIP reason', exit 0 (meson: SKIP)."""
    mvtap.skip_script(reason)


def require_tools(*names):
    """Skip the whole script (exit 77) when a program is not installed."""
    for name in names:
        if shutil.which(name) is None:
            skip_script("'%s' is not installed (scripts/install-deps.sh installs it)" % name)


def require_root():
    if os.geteuid() != 0:
        skip_script("needs root")


def require_python_libvirt():
    try:
        import libvirt  # noqa: F401
    except ImportError:
        skip_script("python3-libvirt is not importable by %s "
                    "(run the tests with /usr/bin/python3)" % sys.executable)


def require_daemon():
    """The daemon is part of the build: its absence is a failure, not a skip."""
    if not os.access(QEMUD, os.X_OK):
        mvtap.bail_out("daemon binary not found: %s (build it first)" % QEMUD)


# ---------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------

def enter_private_netns():
    """Move this test process (and every child it starts later) into a new,
    empty network namespace with only `lo`, brought up.  Call it first thing
    in a script whose daemons create links, bridges or firewall rules: the
    host's own network is never touched, and the namespace (with everything
    in it) goes away with the last process in it."""
    import ctypes
    CLONE_NEWNET = 0x40000000
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        skip_script("cannot make a private network namespace: %s" % os.strerror(err))
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)


def enter_private_mountns():
    """Move this test process (and every child it starts later) into a new
    mount namespace whose mounts are all private: mounts made by the test or
    its daemons (fs pools, tmpfs) never reach the host's namespace, and the
    host's later mounts do not show up here.  Loop devices are not
    namespaced: detach the ones you attach.  Skips the script when the
    namespace cannot be made (not root)."""
    import ctypes
    CLONE_NEWNS = 0x00020000
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNS) != 0:
        err = ctypes.get_errno()
        skip_script("cannot make a private mount namespace: %s" % os.strerror(err))
    subprocess.run(["mount", "--make-rprivate", "/"], check=True)


def proc_state(pid):
    """Return the state letter from /proc/PID/stat ('R', 'S', 'Z', ...) or None."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            data = f.read()
    except OSError:
        return None
    return data[data.rindex(")") + 2]


def pid_alive(pid):
    """True if PID exists and is not a zombie (kill -0 succeeds on zombies)."""
    state = proc_state(pid)
    return state is not None and state not in ("Z", "X")


def wait_for(predicate, timeout, interval=0.02):
    """Poll predicate() until it is true or timeout seconds pass; return its value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def socket_accepts(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.settimeout(1)
        s.connect(path)
        return True
    except OSError:
        return False
    finally:
        s.close()


# ---------------------------------------------------------------------------
# Sanitizer reports (the sanitized build: tests/meson.build, docs/testing.md)
# ---------------------------------------------------------------------------

SANITIZED = os.environ.get("MV_TEST_SANITIZER", "none") != "none"
# UBSan: "FILE:LINE:COL: runtime error: ..." (or "<unknown>: runtime error: ...")
SANITIZER_REPORT = re.compile(r"ERROR: AddressSanitizer|LeakSanitizer|"
                              r"ERROR: UndefinedBehaviorSanitizer|^\S+: runtime error: ", re.M)


class SanitizerReport(AssertionError):
    """A daemon or client of ours printed an AddressSanitizer, LeakSanitizer or
    UndefinedBehaviorSanitizer report."""


def sanitizer_report(text, lines=80):
    """The report in text (from its first line, at most `lines` lines) or None."""
    m = SANITIZER_REPORT.search(text)
    if not m:
        return None
    start = text.rfind("\n", 0, m.start()) + 1
    return "\n".join(text[start:].splitlines()[:lines])


def check_sanitizer_output(text, what):
    """Raise SanitizerReport when text (the output of what) holds a report."""
    report = sanitizer_report(text)
    if report is not None:
        raise SanitizerReport("sanitizer report in the output of %s:\n%s" % (what, report))


_all_daemons = []


class Daemon:
    """A modvirt-qemud under a private root.

    d = Daemon(config="[server]\\nkeepalive_interval=1\\n").start()
    d.uri / d.ro_uri / d.sock / d.ro_sock / d.pid
    d.stop()     # SIGTERM; returns the exit status
    d.cleanup()  # stop if needed, remove the root
    """

    def __init__(self, root=None, config=None, config_file=None, args=(),
                 env=None, binary=None, name="qemu"):
        self.own_root = root is None
        self.root = root or tempfile.mkdtemp(prefix="mvt-")
        self.name = name
        self.binary = binary or QEMUD
        self.args = list(args)
        self.extra_env = dict(env or {})
        self.proc = None
        self.returncode = None
        self.log_path = os.path.join(self.root, "daemon-%d.log" % (len(_all_daemons) + 1))
        self.log_text = None
        self.sanitizer_report = None     # the first report found in the log
        self._log_scanned = 0            # bytes of the log already scanned for one
        self.config_path = None
        if config is not None:
            os.makedirs(os.path.join(self.root, "etc"), exist_ok=True)
            self.config_path = config_file or os.path.join(self.root, "etc", "%s.conf" % name)
            with open(self.config_path, "w") as f:
                f.write(config)
        elif config_file:
            self.config_path = config_file
        _all_daemons.append(self)

    # paths -----------------------------------------------------------------
    @property
    def rundir(self):
        return os.path.join(self.root, "run")

    @property
    def sock(self):
        return os.path.join(self.rundir, "%s.sock" % self.name)

    @property
    def ro_sock(self):
        return os.path.join(self.rundir, "%s-ro.sock" % self.name)

    @property
    def admin_sock(self):
        return os.path.join(self.rundir, "%s-admin.sock" % self.name)

    @property
    def pidfile(self):
        return os.path.join(self.rundir, "%s.pid" % self.name)

    @property
    def uri(self):
        return "qemu+unix:///system?socket=%s" % self.sock

    @property
    def ro_uri(self):
        return "qemu+unix:///system?socket=%s" % self.ro_sock

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    # running ---------------------------------------------------------------
    def command(self):
        cmd = [self.binary, "--root", self.root]
        default = os.path.join(self.root, "etc", "%s.conf" % self.name)
        if self.config_path and self.config_path != default:
            cmd += ["--config", self.config_path]
        return cmd + self.args

    def environment(self):
        env = dict(os.environ)
        env.pop("NOTIFY_SOCKET", None)
        env.pop("LISTEN_FDS", None)
        env.pop("LISTEN_PID", None)
        env.pop("LISTEN_FDNAMES", None)
        if os.environ.get("MV_TEST_DEBUG", "1") != "0":
            env["MODVIRT_LOG"] = "debug"
        env.update(self.extra_env)
        return env

    def spawn(self, argv=None):
        """Start the process (argv defaults to command()) without waiting."""
        self.log_file = open(self.log_path, "ab")
        self.proc = subprocess.Popen(argv or self.command(), stdin=subprocess.DEVNULL,
                                     stdout=self.log_file, stderr=subprocess.STDOUT,
                                     env=self.environment())
        self.returncode = None
        return self

    def start(self, timeout=15):
        self.spawn()
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout=15, paths=None):
        """Wait until every socket in paths (default: rw and ro) accepts."""
        paths = list(paths or (self.sock, self.ro_sock))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("daemon exited with status %s before serving %s\n%s"
                                     % (self.proc.returncode, paths, self.log()))
            while paths and socket_accepts(paths[0]):
                paths.pop(0)
            if not paths:
                return
            time.sleep(0.02)
        raise AssertionError("daemon did not accept on %s within %ss\n%s"
                             % (paths, timeout, self.log()))

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def wait(self, timeout):
        """Wait for the process to exit by itself; return its status or None."""
        try:
            self.returncode = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        self.check_sanitizer_log()
        return self.returncode

    def signal(self, signum):
        if self.running():
            os.kill(self.proc.pid, signum)

    def stop(self, timeout=10):
        """SIGTERM, then SIGKILL after timeout seconds; always reap.  Returns status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.returncode = self.proc.returncode
        self.check_sanitizer_log()
        return self.returncode

    def kill9(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
        if self.proc is not None:
            self.returncode = self.proc.wait()
            self.check_sanitizer_log()
        return self.returncode

    def check_sanitizer_log(self):
        """After the process was reaped: raise SanitizerReport (once per report) when
        the part of its log not scanned yet holds a sanitizer report.  The root is then
        kept so that the log can be read."""
        try:
            with open(self.log_path, "rb") as f:
                f.seek(self._log_scanned)
                data = f.read()
        except OSError:
            return
        self._log_scanned += len(data)
        report = sanitizer_report(data.decode("utf-8", "replace"))
        if report is None:
            return
        if self.sanitizer_report is None:
            self.sanitizer_report = report
        raise SanitizerReport("sanitizer report in the log of %s (%s; root kept):\n%s"
                              % (self.name, self.log_path, report))

    def log(self):
        if self.log_text is not None:
            return self.log_text
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def cleanup(self):
        report = None
        try:
            self.stop()
        except SanitizerReport as e:
            report = e
        if getattr(self, "log_file", None):
            self.log_file.close()
        self.log_text = self.log()
        if self.own_root and os.environ.get("MV_TEST_KEEP") != "1":
            # other daemons run on this root (second instance, restart): keep their logs
            for other in _all_daemons:
                if other is not self and other.root == self.root and other.log_text is None:
                    try:
                        other.stop()
                    except SanitizerReport as e:
                        report = report or e
                    other.log_text = other.log()
            if not any(d.sanitizer_report for d in _all_daemons if d.root == self.root):
                shutil.rmtree(self.root, ignore_errors=True)
        if report is not None:
            raise report

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()


def dump_daemon_logs(max_lines=300):
    for d in _all_daemons:
        text = d.log()
        lines = text.splitlines()
        print("----- daemon log %s (%s, exit %s, %d lines%s) -----"
              % (d.log_path, " ".join(d.command()), d.returncode, len(lines),
                 ", last %d shown" % max_lines if len(lines) > max_lines else ""))
        print("\n".join(lines[-max_lines:]))
    sys.stdout.flush()


# ---------------------------------------------------------------------------
# virsh
# ---------------------------------------------------------------------------

def virsh(uri, *args, readonly=False, timeout=30, check=False):
    """Run `virsh [-r] -c URI ARGS...` and return the CompletedProcess (text)."""
    cmd = ["virsh"]
    if readonly:
        cmd.append("-r")
    cmd += ["-c", uri] + list(args)
    env = dict(os.environ, LC_ALL="C", LANG="C")
    env.pop("LIBVIRT_DEFAULT_URI", None)
    env.pop("VIRSH_DEFAULT_CONNECT_URI", None)
    res = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                         text=True, timeout=timeout, env=env)
    if check and res.returncode != 0:
        raise AssertionError("%s failed with %d\nstdout: %s\nstderr: %s"
                             % (" ".join(cmd), res.returncode, res.stdout, res.stderr))
    return res


# ---------------------------------------------------------------------------
# The wire protocol (our own description; see docs/testing.md)
# ---------------------------------------------------------------------------

REMOTE_PROGRAM = 0x20008086
KEEPALIVE_PROGRAM = 0x6B656570
PROTOCOL_VERSION = 1

CALL, REPLY, MESSAGE, STREAM = 0, 1, 2, 3
OK, ERROR, CONTINUE = 0, 1, 2

HEADER_LEN = 24
MAX_MESSAGE = 33554436          # largest accepted length word (32 MiB + 4)

# REMOTE procedures used by the tests
PROC_CONNECT_OPEN = 1
PROC_CONNECT_CLOSE = 2
PROC_CONNECT_GET_TYPE = 3
PROC_CONNECT_GET_VERSION = 4
PROC_DOMAIN_DEFINE_XML = 11
PROC_CONNECT_GET_HOSTNAME = 59
PROC_CONNECT_SUPPORTS_FEATURE = 60
PROC_AUTH_LIST = 66
PROC_CONNECT_LIST_ALL_DOMAINS = 273

KEEPALIVE_PING = 1
KEEPALIVE_PONG = 2

FEATURE_PROGRAM_KEEPALIVE = 10
CONNECT_RO = 1

# error numbers / domains
ERR_INTERNAL_ERROR = 1
ERR_NO_SUPPORT = 3
ERR_INVALID_ARG = 8
ERR_OPERATION_DENIED = 29
ERR_RPC = 39
FROM_RPC = 7


class XdrWriter:
    def __init__(self):
        self.parts = []

    def i32(self, v):
        self.parts.append(struct.pack(">i", v))
        return self

    def u32(self, v):
        self.parts.append(struct.pack(">I", v))
        return self

    def u64(self, v):
        self.parts.append(struct.pack(">Q", v))
        return self

    def opaque(self, data):
        self.u32(len(data))
        self.parts.append(data + b"\0" * (-len(data) % 4))
        return self

    def string(self, s):
        return self.opaque(s.encode("utf-8"))

    def opt_string(self, s):
        if s is None:
            return self.u32(0)
        return self.u32(1).string(s)

    def bytes(self):
        return b"".join(self.parts)


class XdrError(Exception):
    pass


class XdrReader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def _take(self, n):
        if self.pos + n > len(self.data):
            raise XdrError("need %d bytes at offset %d, have %d" % (n, self.pos, len(self.data)))
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def i32(self):
        return struct.unpack(">i", self._take(4))[0]

    def u32(self):
        return struct.unpack(">I", self._take(4))[0]

    def i64(self):
        return struct.unpack(">q", self._take(8))[0]

    def u64(self):
        return struct.unpack(">Q", self._take(8))[0]

    def fixed(self, n):
        return self._take(n)

    def opaque(self):
        n = self.u32()
        data = self._take(n)
        self._take(-n % 4)
        return data

    def string(self):
        return self.opaque().decode("utf-8")

    def opt_string(self):
        flag = self.u32()
        if flag == 0:
            return None
        if flag != 1:
            raise XdrError("bad optional flag %d" % flag)
        return self.string()

    def remaining(self):
        return len(self.data) - self.pos


class Message:
    __slots__ = ("prog", "vers", "proc", "type", "serial", "status", "payload")

    def __init__(self, prog, vers, proc, mtype, serial, status, payload):
        self.prog, self.vers, self.proc = prog, vers, proc
        self.type, self.serial, self.status = mtype, serial, status
        self.payload = payload

    def is_ping(self):
        return (self.prog == KEEPALIVE_PROGRAM and self.type == MESSAGE
                and self.proc == KEEPALIVE_PING)

    def __repr__(self):
        return ("Message(prog=%#x vers=%d proc=%d type=%d serial=%d status=%d len=%d)"
                % (self.prog, self.vers, self.proc, self.type, self.serial,
                   self.status, len(self.payload)))


def encode_message(prog, proc, payload=b"", mtype=CALL, serial=0, status=OK,
                   vers=PROTOCOL_VERSION):
    header = struct.pack(">IIiiIi", prog, vers, proc, mtype, serial, status)
    return struct.pack(">I", 4 + HEADER_LEN + len(payload)) + header + payload


def decode_error(payload):
    """Decode the 11-field error struct of a REPLY with status ERROR into a dict."""
    r = XdrReader(payload)
    err = {"code": r.i32(), "domain": r.i32(), "message": r.opt_string(), "level": r.i32()}
    if r.u32():                              # dom? (name, uuid, id)
        err["dom"] = (r.string(), r.fixed(16), r.i32())
    else:
        err["dom"] = None
    err["str1"] = r.opt_string()
    err["str2"] = r.opt_string()
    err["str3"] = r.opt_string()
    err["int1"] = r.i32()
    err["int2"] = r.i32()
    if r.u32():                              # net? (name, uuid)
        err["net"] = (r.string(), r.fixed(16))
    else:
        err["net"] = None
    return err


class ConnectionClosed(Exception):
    pass


class RpcError(Exception):
    def __init__(self, err, msg=None):
        self.err = err
        self.msg = msg
        Exception.__init__(self, "code=%(code)s domain=%(domain)s message=%(message)r" % err)

    @property
    def code(self):
        return self.err["code"]

    @property
    def domain(self):
        return self.err["domain"]

    @property
    def message(self):
        return self.err["message"] or ""


class WireClient:
    """A raw client on a UNIX stream socket.

    c = WireClient(path)
    c.open()                         # CONNECT_OPEN("qemu:///system", 0)
    ty = c.call_ok(PROC_CONNECT_GET_TYPE).string()
    err = c.call_err(9999)           # dict from decode_error
    """

    def __init__(self, path, timeout=10, answer_pings=True):
        self.path = path
        self.timeout = timeout
        self.answer_pings = answer_pings
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.serial = 0
        self.buf = b""
        self.pings_seen = 0
        self.pending = []            # messages read while waiting for another serial

    # bytes -----------------------------------------------------------------
    def send_raw(self, data):
        self.sock.sendall(data)

    def shutdown_write(self):
        self.sock.shutdown(socket.SHUT_WR)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def _fill(self, n, timeout):
        deadline = time.monotonic() + timeout
        while len(self.buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout("timed out waiting for %d bytes" % n)
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                raise ConnectionClosed("server closed the connection")
            self.buf += chunk

    def recv_message(self, timeout=None):
        """Read one whole message (whatever its type)."""
        timeout = self.timeout if timeout is None else timeout
        self._fill(4, timeout)
        (length,) = struct.unpack(">I", self.buf[:4])
        if length < 4 + HEADER_LEN or length > MAX_MESSAGE:
            raise AssertionError("server sent a bad length word %d" % length)
        self._fill(length, timeout)
        frame, self.buf = self.buf[:length], self.buf[length:]
        prog, vers, proc, mtype, serial, status = struct.unpack(">IIiiIi", frame[4:28])
        return Message(prog, vers, proc, mtype, serial, status, frame[28:])

    def wait_closed(self, timeout=5):
        """Read and discard until the server closes; True if it did within timeout."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                return True
            except socket.timeout:
                return False
            if not chunk:
                return True

    # messages --------------------------------------------------------------
    def send_message(self, prog, proc, payload=b"", mtype=CALL, serial=None,
                     status=OK, vers=PROTOCOL_VERSION):
        if serial is None:
            serial = self.serial
            self.serial += 1
        self.send_raw(encode_message(prog, proc, payload, mtype, serial, status, vers))
        return serial

    def send_ping(self):
        self.send_message(KEEPALIVE_PROGRAM, KEEPALIVE_PING, mtype=MESSAGE, serial=0)

    def send_pong(self):
        self.send_message(KEEPALIVE_PROGRAM, KEEPALIVE_PONG, mtype=MESSAGE, serial=0)

    def reply(self, serial, timeout=None):
        """Wait for the REPLY to `serial`, answering keepalive PINGs meanwhile."""
        for i, m in enumerate(self.pending):
            if m.serial == serial:
                return self.pending.pop(i)
        while True:
            m = self.recv_message(timeout)
            if m.is_ping():
                self.pings_seen += 1
                if self.answer_pings:
                    self.send_pong()
                continue
            if m.type == REPLY and m.serial == serial:
                return m
            if m.type == REPLY:
                self.pending.append(m)
                continue
            # events and other messages are not expected by these tests
            raise AssertionError("unexpected message while waiting for serial %d: %r"
                                 % (serial, m))

    def call(self, proc, payload=b"", prog=REMOTE_PROGRAM, vers=PROTOCOL_VERSION,
             mtype=CALL, timeout=None):
        serial = self.send_message(prog, proc, payload, mtype=mtype, vers=vers)
        m = self.reply(serial, timeout)
        if m.prog != prog or m.proc != proc:
            raise AssertionError("reply header does not echo the call: %r" % m)
        return m

    def call_ok(self, proc, payload=b"", **kw):
        m = self.call(proc, payload, **kw)
        if m.status != OK:
            raise RpcError(decode_error(m.payload), m)
        return XdrReader(m.payload)

    def call_err(self, proc, payload=b"", **kw):
        m = self.call(proc, payload, **kw)
        if m.status != ERROR:
            raise AssertionError("expected an ERROR reply to proc %d, got %r" % (proc, m))
        return decode_error(m.payload)

    # common calls ----------------------------------------------------------
    def supports_feature(self, feature):
        return self.call_ok(PROC_CONNECT_SUPPORTS_FEATURE,
                            XdrWriter().i32(feature).bytes()).i32()

    def open(self, name="qemu:///system", flags=0):
        self.call_ok(PROC_CONNECT_OPEN, XdrWriter().opt_string(name).u32(flags).bytes())
        return self

    def get_type(self):
        return self.call_ok(PROC_CONNECT_GET_TYPE).string()


def random_bytes(n, seed):
    rnd = random.Random(seed)
    return bytes(rnd.getrandbits(8) for _ in range(n))


# ---------------------------------------------------------------------------
# Host facts used to check answers
# ---------------------------------------------------------------------------

def meminfo_kib(key="MemTotal"):
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def qemu_version(binary="qemu-system-x86_64"):
    """(major, minor, micro) of the installed QEMU, from `qemu-system-x86_64 --version`."""
    import re
    out = subprocess.run([binary, "--version"], capture_output=True, text=True,
                         timeout=30).stdout
    m = re.search(r"version (\d+)\.(\d+)\.(\d+)", out)
    if not m:
        raise AssertionError("cannot parse QEMU version from %r" % out)
    return tuple(int(x) for x in m.groups())


def host_names():
    names = {socket.gethostname(), socket.getfqdn()}
    try:
        names.add(socket.getaddrinfo(socket.gethostname(), None,
                                     flags=socket.AI_CANONNAME)[0][3])
    except OSError:
        pass
    names.discard("")
    return names


# ---------------------------------------------------------------------------
# Runner
# ---------------------------------------------------------------------------

def main():
    """Run the unittest cases of __main__; exit 0/1, print daemon logs on failure."""
    if os.environ.get("CI") == "true" and os.environ.get("MV_TEST_REGENERATE"):
        mvtap.bail_out("MV_TEST_REGENERATE is set under CI=true: goldens are never "
                       "rewritten on CI")
    prog = unittest.main(module="__main__", exit=False, verbosity=2,
                         testRunner=mvtap.TAPRunner)
    result = prog.result
    ok = result.wasSuccessful() and result.testsRun > 0
    with contextlib.redirect_stdout(sys.stderr):     # stdout is the TAP stream
        if not ok:
            dump_daemon_logs()
        for d in list(_all_daemons):
            try:
                d.cleanup()
            except Exception as e:     # never mask the test result
                print("cleanup of %s failed: %s" % (d.root, e))
        # a report found only now (a daemon left running by its case) fails the script
        reported = [d for d in _all_daemons if d.sanitizer_report is not None]
        for d in reported:
            print("FAIL: sanitizer report in %s:\n%s" % (d.log_path, d.sanitizer_report))
        ok = ok and not reported
    if result.testsRun == 0:
        print("FAIL: no test ran", file=sys.stderr, flush=True)
    sys.exit(0 if ok else 1)


# ---------------------------------------------------------------------------
# Domains: the tiny test guest, firmware-only guests, QEMU processes, events
# (used by test_domain_*.py)
# ---------------------------------------------------------------------------

GUEST_DIR = os.environ.get("MV_GUEST_DIR", os.path.join(BUILD_ROOT, "tests", "guest-cache"))
MAKE_GUEST = os.path.join(SOURCE_ROOT, "tests", "guest", "make-guest.sh")
GUEST_READY = "MODVIRT-GUEST-READY"
GUEST_POWEROFF = "MODVIRT-GUEST-POWEROFF"
GUEST_PROMPT = "guest# "


def require_qemu():
    require_tools("virsh", "qemu-system-x86_64", "qemu-img")


def require_guest():
    """Build (or reuse) the tiny Linux guest in GUEST_DIR; skip when it cannot be built.

    make-guest.sh serializes concurrent runs with a lock and is a no-op when the
    cache is up to date.  Returns GUEST_DIR."""
    require_qemu()
    require_tools("apt-get", "dpkg-deb")
    r = subprocess.run(["/bin/sh", MAKE_GUEST, GUEST_DIR], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=300)
    if r.returncode == 2:
        skip_script("cannot build the test guest: " + r.stderr.strip())
    if r.returncode != 0:
        mvtap.bail_out("make-guest.sh failed (%d): %s" % (r.returncode, r.stderr))
    return GUEST_DIR


def kvm_usable():
    return os.access("/dev/kvm", os.R_OK | os.W_OK)


def firmware_domain_type():
    """'kvm' when /dev/kvm is usable (firmware-only guests run there), else 'qemu'."""
    return "kvm" if kvm_usable() else "qemu"


def firmware_guest_xml(name, uuid=None, dtype=None, memory_mib=32, extra_devices=""):
    """A guest with no kernel and no disk: SeaBIOS spins, QEMU runs (cheap)."""
    return """<domain type='%s'>
  <name>%s</name>%s
  <memory unit='MiB'>%d</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>%s</devices>
</domain>
""" % (dtype or firmware_domain_type(), name,
       "\n  <uuid>%s</uuid>" % uuid if uuid else "", memory_mib, extra_devices)


def make_overlay(root, name, guest_dir=None):
    """A private qcow2 overlay of the shared guest disk, ROOT/NAME-disk.qcow2."""
    base = os.path.join(guest_dir or GUEST_DIR, "disk.qcow2")
    path = os.path.join(root, "%s-disk.qcow2" % name)
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", base, path],
                   check=True, timeout=30, stdin=subprocess.DEVNULL)
    return path


def linux_guest_xml(name, root, uuid=None, guest_dir=None, extra_devices="",
                    memory_mib=256, kernel=None, machine="pc"):
    """The tiny Linux guest under TCG (type='qemu'), with its own disk overlay in root."""
    guest_dir = guest_dir or GUEST_DIR
    disk = make_overlay(root, name, guest_dir)
    return """<domain type='qemu'>
  <name>%(name)s</name>%(uuid)s
  <memory unit='MiB'>%(mem)d</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='%(machine)s'>hvm</type>
    <kernel>%(kernel)s</kernel>
    <initrd>%(dir)s/initrd.gz</initrd>
    <cmdline>console=ttyS0 quiet panic=-1</cmdline>
  </os>
  <features><acpi/><apic/></features>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='%(disk)s'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>%(extra)s
  </devices>
</domain>
""" % {"name": name, "uuid": "\n  <uuid>%s</uuid>" % uuid if uuid else "",
       "mem": memory_mib, "dir": guest_dir, "disk": disk, "extra": extra_devices,
       "kernel": kernel or os.path.join(guest_dir, "vmlinuz"), "machine": machine}


def write_file(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def read_text(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def serial_log(root, name):
    return os.path.join(root, "log", "qemu", "%s-serial0.log" % name)


def wait_marker(path, marker, count=1, timeout=60):
    """Wait until marker occurs at least count times in the file; raise with its tail."""
    if wait_for(lambda: read_text(path).count(marker) >= count, timeout, 0.1):
        return
    raise AssertionError("%r not seen %d time(s) in %s within %ss; tail:\n%s"
                         % (marker, count, path, timeout, read_text(path)[-2000:]))


def domstate(uri, name, reason=False):
    """`virsh domstate [--reason] NAME` -> its text ('running', 'shut off (destroyed)')."""
    args = ["domstate", name] + (["--reason"] if reason else [])
    return virsh(uri, *args, check=True).stdout.strip()


def wait_domstate(uri, name, state, timeout=30, reason=False):
    got = wait_for(lambda: domstate(uri, name, reason) == state, timeout, 0.2)
    if not got:
        raise AssertionError("domain %s: state %r, expected %r after %ss"
                             % (name, domstate(uri, name, reason), state, timeout))


def qemu_processes(match, *more):
    """PIDs of live (non-zombie) qemu-system processes whose command line contains match
    (and every further string in more)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if not argv or b"qemu-system" not in os.path.basename(argv[0]):
            continue
        line = b" ".join(argv)
        if all(m.encode() in line for m in (match,) + more) and pid_alive(int(entry)):
            pids.append(int(entry))
    return pids


def qemu_processes_of(name, root):
    """QEMU processes started for domain NAME (`-name guest=NAME,...`) by the daemon
    under root (their command line names its run directory): tests running at the same
    time may use the same domain names."""
    return qemu_processes("guest=%s," % name, root.rstrip("/") + "/")


# ---------------------------------------------------------------------------
# Guests' cgroup v1 groups (docs/qemud.md, "Resource tuning"; q13-tune)
# ---------------------------------------------------------------------------

CGROUP_CONTROLLERS = ("cpu", "cpuacct", "cpuset", "memory", "blkio")


def cgroup_mounts():
    """{controller: v1 mount point} from /proc/self/mountinfo."""
    found = {}
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, _, right = line.partition(" - ")
            fields, rfields = left.split(), right.split()
            if len(rfields) >= 3 and rfields[0] == "cgroup":
                for opt in rfields[2].split(","):
                    if opt in CGROUP_CONTROLLERS:
                        found[opt] = fields[4]
    return found


def cgroup_of(controller, pid="self"):
    """PID's group path of a v1 controller (from /proc/PID/cgroup), or None."""
    with open("/proc/%s/cgroup" % pid) as f:
        for line in f:
            _, names, path = line.rstrip("\n").split(":", 2)
            if controller in names.split(","):
                return path
    return None


def cgroup_partition(root):
    """The group qemud under root puts its guests' groups in: modvirt-qemu-<H>."""
    import hashlib
    state_dir = os.path.join(root, "run", "qemu")
    return "modvirt-qemu-" + hashlib.sha256(state_dir.encode()).hexdigest()[:16]


def cgroup_partition_dirs(root):
    """The partition directory of root in every mounted controller (whether it exists or
    not), under this process's own group, where a daemon this test started makes it."""
    mounts = cgroup_mounts()
    return [os.path.join(mounts[c] + cgroup_of(c), cgroup_partition(root)) for c in mounts]


def cgroup_leftovers(root):
    """Guest groups of root's qemud that still exist."""
    return [d for d in cgroup_partition_dirs(root) if os.path.isdir(d)]


def cgroup_remove_all(root):
    """Removes what is left of root's groups, children first (test cleanup)."""
    for top in cgroup_partition_dirs(root):
        for dirpath, _dirs, _files in sorted(os.walk(top), key=lambda w: -len(w[0])):
            try:
                os.rmdir(dirpath)
            except OSError:
                pass


def wait_pid_gone(pid, timeout=15):
    """Wait until PID is a zombie or gone (PID 1 here reaps orphans late)."""
    return wait_for(lambda: not pid_alive(pid), timeout, 0.05)


def kill_qemu_under(root):
    """SIGKILL every QEMU whose command line names a path under root; wait for them."""
    pids = qemu_processes(root.rstrip("/") + "/")
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    for pid in pids:
        wait_pid_gone(pid)
    return pids


class GuestDaemon(Daemon):
    """A Daemon whose cleanup also kills any QEMU left under its root, so a failed
    test never leaves a guest running."""

    def cleanup(self):
        self.stop()
        leftover = kill_qemu_under(self.root)
        if leftover and self.own_root:
            print("cleanup: killed QEMU processes left under %s: %s" % (self.root, leftover))
        Daemon.cleanup(self)


def status_pid(root, name):
    """The QEMU pid recorded in ROOT/run/qemu/NAME.xml (the live status file)."""
    import re
    text = read_text(os.path.join(root, "run", "qemu", "%s.xml" % name))
    m = re.search(r"\bpid='(\d+)'", text) or re.search(r'\bpid="(\d+)"', text)
    if not m:
        raise AssertionError("no pid in the status file of %s:\n%s" % (name, text[:500]))
    return int(m.group(1))


def run_on_pty(argv, env=None):
    """Start argv with a new pty as its stdin/stdout/stderr (its controlling tty).
    Returns (Popen, master fd)."""
    import pty
    master, slave = pty.openpty()
    full_env = dict(os.environ, LC_ALL="C", LANG="C")
    full_env.pop("LIBVIRT_DEFAULT_URI", None)
    full_env.update(env or {})
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave,
                            start_new_session=True, env=full_env, close_fds=True)
    os.close(slave)
    return proc, master


class PtyReader:
    """Accumulate what a process writes on a pty master; expect-style waits."""

    def __init__(self, master):
        self.master = master
        self.text = ""
        self.eof = False

    def pump(self, timeout):
        import select
        if self.eof:
            return False
        r, _, _ = select.select([self.master], [], [], max(0.0, timeout))
        if not r:
            return False
        try:
            data = os.read(self.master, 65536)
        except OSError:            # EIO: the other side closed
            data = b""
        if not data:
            self.eof = True
            return False
        self.text += data.decode("utf-8", "replace")
        return True

    def expect(self, needle, timeout, start=0):
        """Wait until needle appears after offset start; return the offset after it."""
        deadline = time.monotonic() + timeout
        while True:
            pos = self.text.find(needle, start)
            if pos >= 0:
                return pos + len(needle)
            left = deadline - time.monotonic()
            if left <= 0 or self.eof:
                raise AssertionError("%r not seen within %ss (eof=%s); output so far:\n%r"
                                     % (needle, timeout, self.eof, self.text[-2000:]))
            self.pump(min(left, 0.5))

    def send(self, data):
        os.write(self.master, data if isinstance(data, bytes) else data.encode())

    def drain_until_eof(self, timeout):
        deadline = time.monotonic() + timeout
        while not self.eof and time.monotonic() < deadline:
            self.pump(deadline - time.monotonic())
        return self.eof

    def close(self):
        try:
            os.close(self.master)
        except OSError:
            pass


def stop_process(proc, timeout=10):
    """SIGINT, then SIGKILL; always reap.  Returns the exit status."""
    if proc.poll() is None:
        try:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
    return proc.wait()


class VirshEvents:
    """`virsh event --all --loop` in the background on a pty (line-buffered output).

    ev = VirshEvents(uri).start()
    ... ev.wait_line("Defined Added") ...
    lines = ev.stop()
    """

    def __init__(self, uri, timeout=120, extra=()):
        self.uri = uri
        self.argv = ["virsh", "-c", uri, "event", "--all", "--loop",
                     "--timeout", str(timeout)] + list(extra)

    def start(self):
        self.proc, master = run_on_pty(self.argv)
        self.reader = PtyReader(master)
        return self

    def lines(self):
        self.reader.pump(0)
        while self.reader.pump(0.05):
            pass
        return [l.strip() for l in self.reader.text.replace("\r", "").split("\n") if l.strip()]

    def event_lines(self, domain=None):
        out = [l for l in self.lines() if l.startswith("event ")]
        if domain is not None:
            out = [l for l in out if "for domain '%s'" % domain in l]
        return out

    def wait_line(self, needle, timeout=20, count=1):
        ok = wait_for(lambda: sum(needle in l for l in self.event_lines()) >= count,
                      timeout, 0.05)
        if not ok:
            raise AssertionError("event %r not seen %d time(s) in %ss; got:\n%s"
                                 % (needle, count, timeout, "\n".join(self.lines())))

    def stop(self):
        lines = self.lines()
        stop_process(self.proc)
        self.reader.drain_until_eof(2)
        self.reader.close()
        return lines
