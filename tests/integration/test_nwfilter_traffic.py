#!/usr/bin/python3
"""Network filters on live traffic, in a private network namespace (the
"host"): a bridge br-nwf with 10.77.0.1/24, a "guest" namespace plugged into
it by a veth pair whose host end (nwfg-h) stands in for the guest's tap.
modvirt-filterd runs under a private root; bindings are created through
python3-libvirt on its socket, with the guest's MAC and IP as parameters.

- no-mac-spoofing: a forged source MAC gets nothing through, the real one does;
- no-ip-spoofing: a forged source IPv4 address is dropped;
- no-arp-spoofing: a forged ARP (sender IP not the guest's) never reaches the
  host's neighbour table, a true one does;
- clean-traffic: a normal ping passes (and a spoofed one does not); the guest gets
  its address by DHCP (busybox udhcpd/udhcpc) through it;
- a custom tcp filter: port 8081 blocked, port 8080 open (replies too);
- deleting a binding lets everything through again.
The guest namespace is an `unshare -n sleep` process entered with nsenter."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import unittest  # noqa: E402

HOST = "10.77.0.1"
GUEST = "10.77.0.2"
GUEST_MAC = "52:54:00:77:00:02"
FORGED_MAC = "52:54:00:66:66:66"
TAP = "nwfg-h"
GDEV = "nwfg-g"
OWNER = ("<owner><name>guest</name><uuid>7b1c3e52-42a8-4d4f-a1ce-0d4e3b6b9a01</uuid>"
         "</owner>")
TCP_FILTER = """<filter name='test-web'>
  <rule action='drop' direction='out' priority='100'>
    <tcp dstportstart='8081'/>
  </rule>
  <rule action='accept' direction='out' priority='200'>
    <tcp dstportstart='8080'/>
  </rule>
  <rule action='drop' direction='inout' priority='900'>
    <tcp/>
  </rule>
</filter>
"""

guest_pid = None
daemon = None
conn = None


def sh(*cmd, check=True):
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    if check and res.returncode != 0:
        raise AssertionError("%s failed: %s" % (" ".join(cmd), res.stderr))
    return res


def in_guest(*cmd, check=True, timeout=30):
    res = subprocess.run(["nsenter", "-t", str(guest_pid), "-n"] + list(cmd),
                         capture_output=True, text=True, timeout=timeout)
    if check and res.returncode != 0:
        raise AssertionError("%s in the guest failed: %s" % (" ".join(cmd), res.stderr))
    return res


def ping():
    # the host forgets the guest's address first: every ping needs a fresh ARP
    sh("ip", "neigh", "flush", "dev", "br-nwf")
    in_guest("ip", "neigh", "flush", "dev", GDEV)
    return in_guest("busybox", "ping", "-c", "1", "-W", "2", HOST, check=False).returncode == 0


def set_guest_mac(mac):
    in_guest("ip", "link", "set", GDEV, "address", mac)


def set_guest_ip(addr):
    in_guest("ip", "addr", "flush", "dev", GDEV)
    in_guest("ip", "addr", "add", addr + "/24", "dev", GDEV)


def binding_xml(filt, params=()):
    ps = "".join("<parameter name='%s' value='%s'/>" % p for p in params)
    return ("<filterbinding>%s<portdev name='%s'/><mac address='%s'/>"
            "<filterref filter='%s'>%s</filterref></filterbinding>"
            % (OWNER, TAP, GUEST_MAC, filt, ps))


def send_arp(sender_ip):
    """A raw ARP request from the guest's MAC: who has HOST, tell SENDER_IP."""
    code = (
        "import socket,struct\n"
        "s=socket.socket(socket.AF_PACKET,socket.SOCK_RAW)\n"
        "s.bind(('%s',0))\n"
        "mac=bytes.fromhex('%s')\n"
        "arp=struct.pack('!HHBBH',1,0x0800,6,4,1)+mac+socket.inet_aton('%s')"
        "+b'\\0'*6+socket.inet_aton('%s')\n"
        "s.send(b'\\xff'*6+mac+b'\\x08\\x06'+arp+b'\\0'*18)\n"
        % (GDEV, GUEST_MAC.replace(":", ""), sender_ip, HOST))
    in_guest("/usr/bin/python3", "-c", code)


def host_knows(addr):
    out = sh("ip", "neigh", "show", addr, "dev", "br-nwf").stdout
    return GUEST_MAC in out


class Listener:
    """A TCP server on the host answering 'ok' to every connection."""

    def __init__(self, port):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((HOST, port))
        self.sock.listen(8)
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            c.sendall(b"ok\n")
            c.close()

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)    # wakes the accept()
        except OSError:
            pass
        self.sock.close()
        self.thread.join(5)


def tcp_ok(port):
    res = in_guest("busybox", "nc", "-w", "3", HOST, str(port), check=False, timeout=20)
    return res.stdout.strip() == "ok"


class TrafficCase(unittest.TestCase):
    def tearDown(self):
        for b in conn.listAllNWFilterBindings():
            b.delete()
        set_guest_mac(GUEST_MAC)
        set_guest_ip(GUEST)

    def bind(self, filt, params=()):
        return conn.nwfilterBindingCreateXML(binding_xml(filt, params))

    def test_1_no_mac_spoofing(self):
        self.assertTrue(ping())
        b = self.bind("no-mac-spoofing")
        self.assertTrue(ping())
        set_guest_mac(FORGED_MAC)
        self.assertFalse(ping())
        set_guest_mac(GUEST_MAC)
        self.assertTrue(ping())
        b.delete()
        set_guest_mac(FORGED_MAC)
        self.assertTrue(ping())

    def test_2_no_ip_spoofing(self):
        self.bind("no-ip-spoofing", [("IP", GUEST)])
        self.assertTrue(ping())
        set_guest_ip("10.77.0.3")
        self.assertFalse(ping())
        set_guest_ip(GUEST)
        self.assertTrue(ping())

    def test_3_no_arp_spoofing(self):
        # without a filter the host learns any sender of an ARP request
        send_arp("10.77.0.40")
        self.assertTrue(mvtest.wait_for(lambda: host_knows("10.77.0.40"), 5))
        self.bind("no-arp-spoofing", [("IP", GUEST)])
        send_arp("10.77.0.41")
        send_arp(GUEST)
        self.assertTrue(mvtest.wait_for(lambda: host_knows(GUEST), 5))
        self.assertFalse(host_knows("10.77.0.41"))
        self.assertTrue(ping())

    def test_4_clean_traffic(self):
        self.bind("clean-traffic", [("IP", GUEST)])
        self.assertTrue(ping())
        set_guest_ip("10.77.0.5")
        self.assertFalse(ping())
        set_guest_ip(GUEST)
        set_guest_mac(FORGED_MAC)
        self.assertFalse(ping())

    def test_4b_clean_traffic_dhcp(self):
        """The guest gets its address by DHCP (busybox udhcpd on the bridge, udhcpc in
        the guest) through clean-traffic, then pings."""
        work = tempfile.mkdtemp(prefix="nwf-dhcp-")
        conf = os.path.join(work, "udhcpd.conf")
        with open(conf, "w") as f:
            f.write("start 10.77.0.100\nend 10.77.0.110\ninterface br-nwf\n"
                    "lease_file %s/leases\npidfile %s/pid\nstatic_lease %s %s\n"
                    "option subnet 255.255.255.0\n" % (work, work, GUEST_MAC, GUEST))
        open(os.path.join(work, "leases"), "w").close()
        server = subprocess.Popen(["busybox", "udhcpd", "-f", conf],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            self.bind("clean-traffic", [("IP", GUEST)])
            in_guest("ip", "addr", "flush", "dev", GDEV)
            script = os.path.join(work, "script")
            with open(script, "w") as f:
                f.write("#!/bin/sh\n[ \"$1\" = bound ] && ip addr add $ip/24 dev $interface\n"
                        "exit 0\n")
            os.chmod(script, 0o755)
            res = in_guest("busybox", "udhcpc", "-i", GDEV, "-n", "-q", "-t", "5", "-T", "2",
                           "-s", script, check=False, timeout=60)
            self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
            self.assertIn(GUEST, in_guest("ip", "addr", "show", GDEV).stdout)
            self.assertTrue(ping())
        finally:
            server.kill()
            server.wait()
            shutil.rmtree(work, ignore_errors=True)

    def test_5_custom_tcp(self):
        conn.nwfilterDefineXML(TCP_FILTER)
        l80, l81 = Listener(8080), Listener(8081)
        try:
            self.assertTrue(tcp_ok(8080))
            self.assertTrue(tcp_ok(8081))
            self.bind("test-web")
            self.assertTrue(tcp_ok(8080))
            self.assertFalse(tcp_ok(8081))
            self.assertTrue(ping())
        finally:
            l80.close()
            l81.close()

    def test_6_redefine_reapplies(self):
        conn.nwfilterDefineXML(TCP_FILTER)
        l80 = Listener(8080)
        try:
            self.bind("test-web")
            self.assertTrue(tcp_ok(8080))
            conn.nwfilterDefineXML(TCP_FILTER.replace("8081", "8080", 1))
            self.assertFalse(tcp_ok(8080))
        finally:
            l80.close()


def setUpModule():
    global guest_pid, daemon, conn
    import libvirt
    p = subprocess.Popen(["unshare", "-n", "sleep", "3600"])
    guest_pid = p.pid
    mvtest.wait_for(lambda: os.readlink("/proc/%d/ns/net" % p.pid)
                    != os.readlink("/proc/self/ns/net"), 5)
    sh("ip", "link", "add", "br-nwf", "type", "bridge")
    sh("ip", "addr", "add", HOST + "/24", "dev", "br-nwf")
    sh("ip", "link", "set", "br-nwf", "up")
    sh("ip", "link", "add", TAP, "type", "veth", "peer", "name", GDEV)
    sh("ip", "link", "set", GDEV, "netns", str(guest_pid))
    sh("ip", "link", "set", TAP, "master", "br-nwf")
    sh("ip", "link", "set", TAP, "up")
    in_guest("ip", "link", "set", "lo", "up")
    set_guest_mac(GUEST_MAC)
    set_guest_ip(GUEST)
    in_guest("ip", "link", "set", GDEV, "up")
    if not mvtest.wait_for(ping, 10):
        raise AssertionError("the guest namespace cannot ping the host without any filter")
    daemon = mvtest.Daemon(name="filter", binary=mvtest.FILTERD).start()
    conn = libvirt.open("nwfilter+unix:///system?socket=%s" % daemon.sock)
    setUpModule.guest = p


def tearDownModule():
    if conn:
        conn.close()
    if daemon:
        daemon.cleanup()
    p = getattr(setUpModule, "guest", None)
    if p:
        p.kill()
        p.wait()


if __name__ == "__main__":
    mvtest.require_tools("busybox", "nsenter", "unshare", "ip", "nft")
    if not os.access(mvtest.FILTERD, os.X_OK):
        mvtest.skip_script("not built: %s" % mvtest.FILTERD)
    mvtest.enter_private_netns()
    mvtest.main()
