"""Namespaces, daemons and probes shared by the network benchmarks
(network_lifecycle.py, filter_apply.py).

Every measurement runs in a forked child (run_isolated) that first moves into
a new, empty network namespace, so no bridge, veth, dnsmasq or nftables rule
ever appears in the host's namespace.  The child is a child subreaper: the
processes libvirtd daemonizes (dnsmasq, QEMU) are re-parented to it instead of
to PID 1, a thread reaps them at once (PID 1 here reaps orphans only every
1-2 s, which would otherwise be charged to libvirtd's destroy), and whatever
is left when the child ends is killed by PID.

modvirt daemons run under a private --root (Modvirt).  Debian's libvirtd (the
anchor, Libvirtd) runs in its own network namespace AND its own mount
namespace whose /run, /etc/libvirt/qemu, /etc/libvirt/nwfilter,
/var/lib/libvirt and /var/log/libvirt are empty directories of a temporary
directory under /tmp, bind-mounted (the same file system as modvirt's --root):
its sockets are at the usual /run/libvirt paths for this process only, and
nothing it writes outlives the run.  It reads the host's /etc/libvirt/{libvirtd,qemu}.conf as
set up per shared/bench/README.md, and keeps its QEMU capability cache in
/var/cache/libvirt (where a libvirtd normally keeps it).
"""

import ctypes
import json
import os
import random
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(HERE)

CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
MS_REC = 0x4000
MS_PRIVATE = 1 << 18
PR_SET_CHILD_SUBREAPER = 36
SIOCBRADDIF = 0x89a2

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
                        ctypes.c_ulong, ctypes.c_char_p]

# comm names of the daemonized processes libvirtd leaves to their reaper
ORPHAN_COMMS = {"dnsmasq", "qemu-system-x86", "libvirt_leasesh"}


def _check(rc, what):
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, "%s: %s" % (what, os.strerror(err)))


def percentile(sorted_vals, p):
    """Nearest-rank percentile of an ascending list."""
    if not sorted_vals:
        return float("nan")
    k = max(0, min(len(sorted_vals) - 1, int(-(-p * len(sorted_vals) // 100)) - 1))
    return sorted_vals[k]


def ms(seconds):
    return round(seconds * 1000, 2)


def stats_ms(samples):
    s = sorted(samples)
    return {"p50": ms(percentile(s, 50)), "p99": ms(percentile(s, 99)), "n": len(s)}


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def cpu_ticks_all(pid):
    """utime + stime of PID and of its reaped children (cutime + cstime): with
    libvirtd that includes the iptables/ebtables commands it ran."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15])


def proc_stat(pid):
    """(comm, state, ppid) of PID, or None."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            data = f.read()
    except OSError:
        return None
    comm = data[data.index("(") + 1:data.rindex(")")]
    rest = data[data.rindex(")") + 2:].split()
    return comm, rest[0], int(rest[1])


def ip(*args):
    subprocess.run(["ip"] + list(args), check=True, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL)


def enter_netns():
    """A new, empty network namespace for this process, with lo up."""
    _check(_libc.unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET)")
    ip("link", "set", "lo", "up")


MS_BIND = 4096
LIBVIRT_DIRS = ("/run", "/etc/libvirt/qemu", "/etc/libvirt/nwfilter", "/var/lib/libvirt",
                "/var/log/libvirt")


def private_libvirt_dirs(base):
    """A mount namespace in which libvirtd's state directories are empty
    directories under BASE, bind-mounted: the same file system as a modvirt
    --root under /tmp (no tmpfs, so fsync costs the same for both)."""
    _check(_libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    _check(_libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "mount --make-rprivate /")
    for d in LIBVIRT_DIRS:
        src = os.path.join(base, d.strip("/").replace("/", "_"))
        os.makedirs(src, mode=0o755)
        os.makedirs(d, exist_ok=True)
        _check(_libc.mount(src.encode(), d.encode(), None, MS_BIND, None), "bind mount " + d)


# ---------------------------------------------------------------------------
# The forked, namespaced child
# ---------------------------------------------------------------------------

def qemu_account_in_namespace(work):
    """libvirt 9.0 looks up its compiled-in QEMU account (user and group libvirt-qemu) at start
    even when qemu.conf says root. When this machine lacks them, add them to copies of
    /etc/passwd and /etc/group bind-mounted in this process's private mount namespace only
    (run_isolated(..., mount_ns=True)); the host's files are not touched."""
    import grp
    import pwd
    for path, entry, missing in (
            ("/etc/passwd", "libvirt-qemu:x:64055:64055:Libvirt Qemu:/var/lib/libvirt:"
                            "/usr/sbin/nologin\n", lambda: pwd.getpwnam("libvirt-qemu")),
            ("/etc/group", "libvirt-qemu:x:64055:\n", lambda: grp.getgrnam("libvirt-qemu"))):
        try:
            missing()
            continue
        except KeyError:
            pass
        copy = os.path.join(work, os.path.basename(path))
        with open(path) as f:
            text = f.read()
        with open(copy, "w") as f:
            f.write(text + ("" if text.endswith("\n") else "\n") + entry)
        _check(_libc.mount(copy.encode(), path.encode(), None, MS_BIND, None),
               "bind mount " + path)


class _Reaper(threading.Thread):
    """Reaps orphans (ORPHAN_COMMS) re-parented to this subreaper as soon as they
    exit; leaves our own children (daemons, `ip`, ...) to their Popen."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stopping = False

    def run(self):
        while not self.stopping:
            try:
                info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOWAIT)
            except ChildProcessError:
                time.sleep(0.005)
                continue
            except InterruptedError:
                continue
            st = proc_stat(info.si_pid) if info else None
            if st and st[0] in ORPHAN_COMMS:
                try:
                    os.waitpid(info.si_pid, 0)
                except ChildProcessError:
                    pass
            else:
                time.sleep(0.002)       # someone else's zombie: its Popen reaps it


def kill_orphans():
    """SIGKILL and reap the orphans still attached to this subreaper."""
    me = os.getpid()
    left = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = proc_stat(int(entry))
            if st and st[2] == me and st[0] in ORPHAN_COMMS and st[1] != "Z":
                left.append((int(entry), st[0]))
                try:
                    os.kill(int(entry), signal.SIGKILL)
                except ProcessLookupError:
                    pass
    deadline = time.monotonic() + 5
    for pid, _ in left:
        while time.monotonic() < deadline:
            st = proc_stat(pid)
            if st is None or st[2] != me:
                break
            time.sleep(0.01)
    return left


def run_isolated(fn, *args, mount_ns=False):
    """Run fn(*args) in a forked child inside a new network namespace (and a
    private libvirt mount namespace with mount_ns); return its dict result."""
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rfd)
        code = 0
        base = tempfile.mkdtemp(prefix="mvbench-libvirt-") if mount_ns else None
        try:
            _check(_libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "prctl(SUBREAPER)")
            if mount_ns:
                private_libvirt_dirs(base)
            enter_netns()
            reaper = _Reaper()
            reaper.start()
            try:
                result = fn(*args)
            finally:
                left = kill_orphans()
                reaper.stopping = True
            if left:
                result["orphans_killed"] = ["%s[%d]" % (c, p) for p, c in left]
        except BaseException as e:           # noqa: B902 - report anything to the parent
            traceback.print_exc()
            result = {"error": "%s: %s" % (type(e).__name__, e)}
            code = 1
        finally:
            if base:
                shutil.rmtree(base, ignore_errors=True)
        with os.fdopen(wfd, "w") as f:
            f.write(json.dumps(result))
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    os.close(wfd)
    with os.fdopen(rfd) as f:
        data = f.read()
    os.waitpid(pid, 0)
    return json.loads(data) if data else {"error": "child died without a result"}


# ---------------------------------------------------------------------------
# Daemons
# ---------------------------------------------------------------------------

def _wait_accepts(path, proc, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("%s exited with %d before serving %s" % (what, proc.returncode,
                                                                        path))
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(path)
            return
        except OSError:
            time.sleep(0.02)
        finally:
            s.close()
    raise RuntimeError("%s did not accept on %s within %d s" % (what, path, timeout))


def _stop(proc, timeout=20):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Modvirt:
    """modvirt daemons sharing one private --root; stopped by PID and reaped."""

    SCHEMES = {"qemu": "qemu", "network": "network", "filter": "nwfilter"}

    def __init__(self, build_dir, names):
        self.root = tempfile.mkdtemp(prefix="mvbench-")
        self.procs = {}
        env = dict(os.environ)
        for k in ("MODVIRT_LOG", "NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID"):
            env.pop(k, None)
        binaries = {"qemu": "daemons/qemu/modvirt-qemud",
                    "network": "daemons/network/modvirt-networkd",
                    "filter": "daemons/filter/modvirt-filterd"}
        try:
            for name in names:
                binary = os.path.join(build_dir, binaries[name])
                log = open(os.path.join(self.root, name + ".log"), "wb")
                self.procs[name] = subprocess.Popen([binary, "--root", self.root], env=env,
                                                    stdin=subprocess.DEVNULL, stdout=log,
                                                    stderr=subprocess.STDOUT)
                log.close()
                _wait_accepts(self.sock(name), self.procs[name], 15, binary)
        except BaseException:
            self.stop()
            raise

    def sock(self, name):
        return os.path.join(self.root, "run", name + ".sock")

    def uri(self, name):
        return "%s+unix:///system?socket=%s" % (self.SCHEMES[name], self.sock(name))

    def pid(self, name):
        return self.procs[name].pid

    def log(self, name):
        with open(os.path.join(self.root, name + ".log"), "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self):
        for name in reversed(list(self.procs)):
            _stop(self.procs[name])
        shutil.rmtree(self.root, ignore_errors=True)


class Libvirtd:
    """Debian's libvirtd in the foreground, in the caller's (private) namespaces.
    Call only inside run_isolated(..., mount_ns=True)."""

    URI = "qemu:///system"
    SOCK = "/run/libvirt/libvirt-sock"

    def __init__(self, binary="/usr/sbin/libvirtd", timeout=60):
        self.logpath = os.path.join(tempfile.gettempdir(), "mvbench-libvirtd-%d.log" % os.getpid())
        log = open(self.logpath, "wb")
        env = dict(os.environ, LC_ALL="C")
        env.pop("LIBVIRT_DEFAULT_URI", None)
        self.proc = subprocess.Popen([binary], env=env, stdin=subprocess.DEVNULL, stdout=log,
                                     stderr=subprocess.STDOUT)
        log.close()
        try:
            _wait_accepts(self.SOCK, self.proc, timeout, binary)
        except BaseException:
            self.stop()
            raise

    @property
    def pid(self):
        return self.proc.pid

    def log(self):
        with open(self.logpath, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self):
        _stop(self.proc, 30)
        try:
            os.unlink(self.logpath)
        except OSError:
            pass


def libvirtd_available():
    """None when the anchor can run here, else why not."""
    if not os.access("/usr/sbin/libvirtd", os.X_OK):
        return "libvirtd is not installed (Debian: libvirt-daemon libvirt-daemon-driver-qemu)"
    return None             # a host libvirtd does not matter: ours has its own /run


# ---------------------------------------------------------------------------
# Links and probes
# ---------------------------------------------------------------------------

def ifindex(name):
    return socket.if_nametoindex(name)


def bridge_add_port(bridge, port):
    """Enslave PORT to BRIDGE with one ioctl (no `ip` exec on a timed path)."""
    import fcntl
    ifr = struct.pack("16si20x", bridge.encode(), ifindex(port))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        fcntl.ioctl(s.fileno(), SIOCBRADDIF, ifr)


def veth(name, peer, peer_mac=None):
    ip("link", "add", name, "type", "veth", "peer", "name", peer)
    if peer_mac:
        ip("link", "set", peer, "address", peer_mac)
    ip("link", "set", name, "up")
    ip("link", "set", peer, "up")


def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


def _ip_checksum(hdr):
    s = sum(struct.unpack("!10H", hdr))
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def dhcp_discover(mac, xid):
    """An Ethernet frame with a broadcast DHCPDISCOVER from MAC."""
    chaddr = mac_bytes(mac)
    bootp = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0, 0x8000,
                        b"\0" * 4, b"\0" * 4, b"\0" * 4, b"\0" * 4, chaddr + b"\0" * 10,
                        b"\0" * 64, b"\0" * 128)
    bootp += b"\x63\x82\x53\x63" + b"\x35\x01\x01" + b"\xff"
    udp = struct.pack("!HHHH", 68, 67, 8 + len(bootp), 0) + bootp
    iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                      b"\0" * 4, b"\xff" * 4)
    iph = iph[:10] + struct.pack("!H", _ip_checksum(iph)) + iph[12:]
    return b"\xff" * 6 + chaddr + b"\x08\x00" + iph + udp


def dhcp_offer_yiaddr(frame, xid):
    """The offered address if FRAME is a DHCPOFFER for XID, else None."""
    if len(frame) < 14 + 20 + 8 + 240 or frame[12:14] != b"\x08\x00":
        return None
    ihl = (frame[14] & 0x0f) * 4
    if frame[14 + 9] != 17:
        return None
    udp = 14 + ihl
    if struct.unpack("!H", frame[udp + 2:udp + 4])[0] != 68:
        return None
    b = udp + 8
    if frame[b] != 2 or struct.unpack("!I", frame[b + 4:b + 8])[0] != xid:
        return None
    opts = frame[b + 240:]
    i = 0
    while i + 1 < len(opts) and opts[i] != 255:
        if opts[i] == 0:
            i += 1
            continue
        if opts[i] == 53 and opts[i + 2] == 2:
            return socket.inet_ntoa(frame[b + 16:b + 20])
        i += 2 + opts[i + 1]
    return None


def dns_query(name, qid):
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\0" + struct.pack("!HH", 1, 1)


class ReadyProbe:
    """After a network's start() returned: repeat, every `interval` s, a DHCP
    DISCOVER from a veth whose peer is enslaved to the bridge, and a DNS A query
    to the bridge address, until both are answered (a DHCPOFFER for our xid, a
    DNS reply with our id).  Times are taken when each first answer arrives."""

    def __init__(self, client_if, client_mac, dns_addr, dns_name):
        self.client_if = client_if
        self.mac = client_mac
        self.dns_addr = dns_addr
        self.dns_name = dns_name
        self.raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
        self.raw.bind((client_if, 0))
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.setblocking(False)

    def close(self):
        self.raw.close()
        self.udp.close()

    def drain(self):
        for s in (self.raw, self.udp):
            s.setblocking(False)
            try:
                while True:
                    s.recv(4096)
            except (BlockingIOError, OSError):
                pass

    def wait(self, t0, timeout=10.0, interval=0.001, dhcp=True, dns=True):
        """(dhcp_s, dns_s, yiaddr) relative to t0 (perf_counter); None = no answer."""
        xid = random.getrandbits(32)
        qid = random.getrandbits(16)
        frame = dhcp_discover(self.mac, xid)
        query = dns_query(self.dns_name, qid)
        got_dhcp = None if dhcp else -1.0
        got_dns = None if dns else -1.0
        yiaddr = None
        deadline = time.perf_counter() + timeout
        self.raw.setblocking(False)
        while (got_dhcp is None or got_dns is None) and time.perf_counter() < deadline:
            if got_dhcp is None:
                try:
                    self.raw.send(frame)
                except OSError:
                    pass
            if got_dns is None:
                try:
                    self.udp.sendto(query, (self.dns_addr, 53))
                except OSError:
                    pass
            end = time.perf_counter() + interval
            while True:
                left = end - time.perf_counter()
                if left <= 0:
                    break
                r, _, _ = select.select([self.raw, self.udp], [], [], left)
                now = time.perf_counter()
                if self.raw in r:
                    try:
                        data = self.raw.recv(2048)
                    except OSError:
                        data = b""
                    a = dhcp_offer_yiaddr(data, xid)
                    if a and got_dhcp is None:
                        got_dhcp, yiaddr = now - t0, a
                if self.udp in r:
                    try:
                        data = self.udp.recv(2048)
                    except OSError:        # ICMP port unreachable: nobody bound yet
                        data = b""
                    if len(data) >= 4 and struct.unpack("!H", data[:2])[0] == qid \
                            and data[2] & 0x80 and got_dns is None:
                        got_dns = now - t0
                if got_dhcp is not None and got_dns is not None:
                    break
        if not dhcp:
            got_dhcp = None
        if not dns:
            got_dns = None
        return got_dhcp, got_dns, yiaddr


# ---------------------------------------------------------------------------
# nftables: transactions and rules in this namespace
# ---------------------------------------------------------------------------

NFNL_SUBSYS_NFTABLES = 10
NFT_MSG_NEWGEN = 15
NFT_MSG_GETGEN = 16


def nft_genid():
    """The namespace's nftables generation id: the kernel bumps it once per
    committed transaction, whoever sends it (libnftables, iptables-nft,
    ebtables-nft), so a difference counts transactions."""
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)     # NETLINK_NETFILTER
    try:
        s.send(struct.pack("=IHHII", 20, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN, 1, 1, 0)
               + struct.pack("=BBH", 0, 0, 0))
        data = s.recv(65536)
    finally:
        s.close()
    length, typ = struct.unpack("=IH", data[:6])
    if typ != (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWGEN:
        raise OSError("unexpected nfnetlink reply type %#x to GETGEN" % typ)
    off = 20
    while off + 4 <= length:
        alen, atype = struct.unpack("=HH", data[off:off + 4])
        if atype & 0x7fff == 1:                                    # NFTA_GEN_ID
            return struct.unpack("!I", data[off + 4:off + 8])[0]
        off += (alen + 3) & ~3
    raise OSError("no NFTA_GEN_ID in the GETGEN reply")


def nft_rule_count():
    """{table: rules} of the whole ruleset of this namespace (iptables-nft and
    ebtables-nft rules included: they live in nftables tables too)."""
    res = subprocess.run(["nft", "-j", "list", "ruleset"], capture_output=True, text=True,
                         check=True)
    out = {}
    for obj in json.loads(res.stdout)["nftables"]:
        if "rule" in obj:
            key = "%s %s" % (obj["rule"]["family"], obj["rule"]["table"])
            out[key] = out.get(key, 0) + 1
    return out
