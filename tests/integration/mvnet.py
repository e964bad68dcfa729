"""Helpers of the modvirt-networkd tests (test_network_*.py).

Every script calls mvtest.enter_private_netns() first: bridges, addresses and
dnsmasq only ever exist in the test's own network namespace.  networkd and
the proxy run under one shared --root, so the proxy finds networkd's socket.
"""

import json
import os
import shutil
import subprocess

import mvtest

PROXYD = os.environ.get("MV_PROXYD", os.path.join(mvtest.BUILD_ROOT, "proxy", "modvirt-proxyd"))

# libvirt's numbers (python3-libvirt 9.0 names them too)
ERR_OPERATION_FAILED = 9
ERR_XML_ERROR = 27
ERR_NO_NETWORK = 43
ERR_OPERATION_INVALID = 55
ERR_NO_NETWORK_PORT = 107
FROM_NETWORK = 19


def require_networkd():
    if not os.access(mvtest.NETWORKD, os.X_OK):
        mvtest.mvtap.bail_out("networkd binary not found: %s (build it first)"
                              % mvtest.NETWORKD)


def require_dnsmasq():
    if not shutil.which("dnsmasq") and not os.path.exists("/usr/sbin/dnsmasq"):
        mvtest.skip_script("dnsmasq is not installed (Debian: dnsmasq-base)")


class NetworkDaemon(mvtest.Daemon):
    """modvirt-networkd under a (possibly shared) root."""

    def __init__(self, root=None, **kw):
        super().__init__(root=root, binary=mvtest.NETWORKD, name="network", **kw)

    @property
    def uri(self):
        return "network+unix:///system?socket=%s" % self.sock

    @property
    def ro_uri(self):
        return "network+unix:///system?socket=%s" % self.ro_sock

    def cleanup(self):
        """Stop the daemon, then the dnsmasq processes of networks it left
        running (they outlive networkd on purpose)."""
        try:
            super().cleanup()
        finally:
            kill_dnsmasq(self.root)


class ProxyDaemon(mvtest.Daemon):
    """modvirt-proxyd under networkd's root: network:///system goes to networkd."""

    def __init__(self, root, **kw):
        super().__init__(root=root, binary=PROXYD, name="proxy", **kw)

    @property
    def uri(self):
        return "network+unix:///system?socket=%s" % self.sock


def network_xml(name, bridge=None, ip=None, prefix=24, dhcp=None, uuid=None, forward=None,
                hosts=(), extra=""):
    """A network definition; @ip is the bridge's address ('10.0.0.1'), @dhcp a
    (start, end) range."""
    out = ["<network>", "  <name>%s</name>" % name]
    if uuid:
        out.append("  <uuid>%s</uuid>" % uuid)
    if forward:
        out.append("  <forward mode='%s'/>" % forward)
    if bridge:
        out.append("  <bridge name='%s'/>" % bridge)
    if extra:
        out.append(extra)
    if ip:
        out.append("  <ip address='%s' prefix='%d'>" % (ip, prefix))
        if dhcp or hosts:
            out.append("    <dhcp>")
            if dhcp:
                out.append("      <range start='%s' end='%s'/>" % dhcp)
            for mac, hname, hip in hosts:
                out.append("      <host mac='%s' name='%s' ip='%s'/>" % (mac, hname, hip))
            out.append("    </dhcp>")
        out.append("  </ip>")
    out.append("</network>")
    return "\n".join(out) + "\n"


def link(name):
    """`ip -j -d link show NAME` as a dict, or None when there is no such link."""
    res = subprocess.run(["ip", "-j", "-d", "link", "show", name], capture_output=True,
                         text=True)
    if res.returncode != 0:
        return None
    data = json.loads(res.stdout)
    return data[0] if data else None


def addresses(name):
    """The 'ADDR/PREFIX' strings of link NAME."""
    res = subprocess.run(["ip", "-j", "addr", "show", "dev", name], capture_output=True,
                         text=True, check=True)
    out = []
    for entry in json.loads(res.stdout):
        for a in entry.get("addr_info", []):
            if a.get("scope") != "link":
                out.append("%s/%s" % (a["local"], a["prefixlen"]))
    return out


def bridges():
    """The names of every bridge in this namespace."""
    res = subprocess.run(["ip", "-j", "link", "show", "type", "bridge"], capture_output=True,
                         text=True, check=True)
    return sorted(e["ifname"] for e in json.loads(res.stdout or "[]"))


def ppid(pid):
    """The parent pid of PID (0 when it is gone)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def dnsmasq_pids(root, main_only=True):
    """Pids of the dnsmasq processes whose command line names ROOT (the main
    ones unless not @main_only: not the helper each forks for its --dhcp-script)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if argv and os.path.basename(argv[0]) == b"dnsmasq" and \
                any(root.encode() in a for a in argv):
            if mvtest.proc_state(int(pid)) not in (None, "Z"):
                found.append(int(pid))
    return sorted(p for p in found if not main_only or ppid(p) not in found)


def kill_dnsmasq(root, timeout=10):
    """SIGKILL every dnsmasq of ROOT (by pid) and wait until each is gone."""
    pids = dnsmasq_pids(root, main_only=False)
    for pid in pids:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
    for pid in pids:
        mvtest.wait_for(lambda: mvtest.proc_state(pid) in (None, "Z"), timeout)


def dhcp_client(bridge, mac, hostname, timeout=30):
    """A DHCP client (busybox udhcpc) in a fresh network namespace behind a veth
    plugged into BRIDGE, with MAC; returns the address it leased (or raises)."""
    import time
    host, guest = "mvh%d" % (os.getpid() % 10000), "mvg%d" % (os.getpid() % 10000)
    subprocess.run(["ip", "link", "add", host, "type", "veth", "peer", "name", guest,
                    "address", mac], check=True)
    try:
        subprocess.run(["ip", "link", "set", host, "master", bridge, "up"], check=True)
        script = ("i=0; while ! ip link show %s >/dev/null 2>&1; do i=$((i+1)); "
                  "[ $i -gt 1000 ] && exit 3; sleep 0.01; done; "
                  "ip link set lo up && ip link set %s up && "
                  "exec busybox udhcpc -i %s -n -q -t 10 -T 1 -s /bin/true -x hostname:%s 2>&1"
                  % (guest, guest, guest, hostname))
        child = subprocess.Popen(["unshare", "-n", "sh", "-c", script], stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True)
        mine = os.readlink("/proc/self/ns/net")
        deadline = time.monotonic() + 10
        while True:
            try:
                if os.readlink("/proc/%d/ns/net" % child.pid) != mine:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                child.kill()
                raise AssertionError("the DHCP client's namespace did not appear")
            time.sleep(0.005)
        subprocess.run(["ip", "link", "set", guest, "netns", str(child.pid)], check=True)
        out, _ = child.communicate(timeout=timeout)
        if child.returncode != 0 or "lease of " not in out:
            raise AssertionError("udhcpc got no lease (status %s): %s" % (child.returncode, out))
        return out.split("lease of ", 1)[1].split()[0]
    finally:
        subprocess.run(["ip", "link", "del", host], capture_output=True)
