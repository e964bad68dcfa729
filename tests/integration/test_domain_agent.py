#!/usr/bin/python3
"""The QEMU guest agent through modvirt-qemud (issue 13 item 7), with the tiny TCG
guest running Debian's real qemu-ga (tests/guest/make-guest.sh): the agent channel
(socket path made under the root, state='connected' in the live XML, the agent
lifecycle event), hostname, guestinfo, guest vCPUs, fsinfo + freeze/thaw, time,
set-user-password, domifaddr --source agent, qemu-agent-command, the response
timeout with a stopped qemu-ga (a clear error, the job released, the daemon keeps
serving, and calls work again once qemu-ga continues), reboot and shutdown
--mode agent. Every answer is cross-checked inside the guest through its serial
shell. Cheap error cases use firmware-only guests (no kernel)."""

import json
import os
import random
import re
import sys
import termios
import threading
import time
import tty
import unittest
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import crypt    # deprecated in 3.11, the one way to check a crypt() hash here

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
from mvtest import virsh  # noqa: E402

NAME = "agent1"
AGENT_PORT = "org.qemu.guest_agent.0"
CHANNEL = ("\n    <channel type='unix'><target type='virtio' name='%s'/></channel>"
           % AGENT_PORT)
SEED = int(os.environ.get("MV_TEST_SEED", random.randrange(1 << 30)))
RNG = random.Random(SEED)
VIR_ERR_AGENT_UNRESPONSIVE = 86
VIR_ERR_ARGUMENT_UNSUPPORTED = 74

daemon = None
conn = None
dom = None
events = None


def setUpModule():
    global daemon, conn, dom, events
    mvtest.require_python_libvirt()
    mvtest.require_guest()
    import libvirt
    daemon = mvtest.GuestDaemon().start()
    conn = libvirt.open(daemon.uri)
    events = mvtest.VirshEvents(daemon.uri, timeout=900).start()
    xml = mvtest.linux_guest_xml(NAME, daemon.root, extra_devices=CHANNEL)
    xml = xml.replace("<vcpu>1</vcpu>", "<vcpu>2</vcpu>")
    dom = conn.defineXML(xml)
    dom.create()
    log = mvtest.serial_log(daemon.root, NAME)
    mvtest.wait_marker(log, mvtest.GUEST_READY, timeout=120)
    mvtest.wait_marker(log, "MODVIRT-GUEST-AGENT ", timeout=60)
    wait_connected(True)


def tearDownModule():
    try:
        if events is not None:
            events.stop()
        if dom is not None and dom.isActive():
            dom.destroy()
        if conn is not None:
            conn.close()
    finally:
        if daemon is not None:
            daemon.cleanup()


def live_xml():
    return dom.XMLDesc(0)


def agent_state():
    m = re.search(r"<target type='virtio' name='%s' state='(\w+)'/>" % re.escape(AGENT_PORT),
                  live_xml())
    return m.group(1) if m else None


def wait_connected(connected, timeout=60):
    want = "connected" if connected else "disconnected"
    if not mvtest.wait_for(lambda: agent_state() == want, timeout, 0.1):
        raise AssertionError("agent state %r, expected %r; live XML:\n%s"
                             % (agent_state(), want, live_xml()))


_pty = []


def serial_pty():
    """The guest's serial pty (kept: the shell is used while the daemon is away too)."""
    if not _pty:
        _pty.append(re.search(r"<serial type='pty'>\s*<source path='([^']+)'",
                              live_xml()).group(1))
    return _pty[0]


def guest_eval(expr, timeout=60):
    """The guest's shell runs `echo TAG=$(expr)=GAT` on its serial console; returns
    what $(expr) printed (read back from the serial log)."""
    tag = "MVA%d" % RNG.randrange(10 ** 8)
    pattern = re.compile(r"%s=([^=\r\n]*)=%s\r?\n" % (tag, tag[::-1]))
    log = mvtest.serial_log(daemon.root, NAME)
    start = len(mvtest.read_text(log))
    fd = os.open(serial_pty(), os.O_RDWR | os.O_NOCTTY)
    try:
        tty.setraw(fd, termios.TCSANOW)
        # '' keeps the echoed command line itself from matching
        # (the space: "$((" would start an arithmetic expansion)
        os.write(fd, ("echo %s''=$( %s)=''%s\r" % (tag, expr, tag[::-1])).encode())
        deadline = time.monotonic() + timeout
        while True:
            m = pattern.search(mvtest.read_text(log), start)
            if m:
                return m.group(1).strip()
            if time.monotonic() > deadline:
                raise AssertionError("the guest did not answer %r; serial log tail:\n%s"
                                     % (expr, mvtest.read_text(log)[-2000:]))
            time.sleep(0.1)
    finally:
        os.close(fd)


def guest_run(cmd):
    """Runs cmd in the guest's shell; returns its exit status."""
    return int(guest_eval("{ %s; } >/dev/null 2>&1; echo $?" % cmd))


def ok(*args):
    r = virsh(daemon.uri, *args, timeout=120)
    if r.returncode != 0:
        raise AssertionError("virsh %s failed: %s" % (" ".join(args), r.stderr))
    return r.stdout


class A1Channel(unittest.TestCase):
    def test_live_xml_names_the_socket_and_its_state(self):
        xml = live_xml()
        m = re.search(r"<channel type='unix'>\s*<source mode='bind' path='([^']+)'/>\s*"
                      r"<target type='virtio' name='%s' state='connected'/>"
                      % re.escape(AGENT_PORT), xml)
        self.assertIsNotNone(m, xml)
        path = m.group(1)
        self.assertTrue(path.startswith(daemon.root.rstrip("/") + "/"), path)
        import stat
        self.assertTrue(stat.S_ISSOCK(os.stat(path).st_mode), path)
        inactive = dom.XMLDesc(2)   # VIR_DOMAIN_XML_INACTIVE
        self.assertNotIn("state=", re.search(r"<channel.*?</channel>", inactive, re.S).group(0))
        self.assertNotIn(path, inactive)

    def test_agent_lifecycle_event(self):
        events.wait_line("event 'agent-lifecycle' for domain '%s': state: 'connected' "
                         "reason: 'channel event'" % NAME, timeout=30)


class A2Queries(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        assert guest_run("ip link set lo up") == 0     # 127.0.0.1 for the address checks

    def test_hostname(self):
        want = guest_eval("hostname")
        self.assertEqual(dom.hostname(), want)
        self.assertEqual(ok("domhostname", NAME, "--source", "agent").strip(), want)

    def test_guestinfo_all_groups(self):
        info = dom.guestInfo(0, 0)
        self.assertEqual(info["os.id"], guest_eval(". /etc/os-release; echo $ID"))
        self.assertEqual(info["os.kernel-release"], guest_eval("uname -r"))
        self.assertEqual(info["os.machine"], guest_eval("uname -m"))
        self.assertEqual(info["hostname"], guest_eval("hostname"))
        self.assertEqual(info["user.count"], 0)            # nobody logged in (no utmp)
        self.assertEqual(info["timezone.name"], "UTC")
        self.assertEqual(info["timezone.offset"], 0)
        self.assertIn("fs.count", info)
        disks = [info["disk.%d.name" % i] for i in range(info["disk.count"])]
        self.assertIn("/dev/vda", disks)
        ifaces = {info["if.%d.name" % i]: i for i in range(info["if.count"])}
        self.assertEqual(set(ifaces), set(guest_eval("ls /sys/class/net").split()))
        lo = ifaces["lo"]
        addrs = [info["if.%d.addr.%d.addr" % (lo, a)]
                 for a in range(info["if.%d.addr.count" % lo])]
        self.assertIn("127.0.0.1", addrs)

    def test_guestinfo_one_group_and_virsh(self):
        import libvirt
        info = dom.guestInfo(libvirt.VIR_DOMAIN_GUEST_INFO_OS, 0)
        self.assertTrue(info and all(k.startswith("os.") for k in info), info)
        out = ok("guestinfo", NAME, "--hostname")
        self.assertRegex(out, r"hostname\s*:\s*%s" % re.escape(guest_eval("hostname")))

    def test_interface_addresses_from_the_agent(self):
        import libvirt
        ifaces = dom.interfaceAddresses(libvirt.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT)
        self.assertIn("lo", ifaces)
        self.assertEqual(ifaces["lo"]["hwaddr"], guest_eval("cat /sys/class/net/lo/address"))
        self.assertIn({"type": libvirt.VIR_IP_ADDR_TYPE_IPV4, "addr": "127.0.0.1",
                       "prefix": 8}, ifaces["lo"]["addrs"])
        out = ok("domifaddr", NAME, "--source", "agent")
        self.assertRegex(out, r"lo\s+00:00:00:00:00:00\s+ipv4\s+127\.0\.0\.1/8")

    def test_qemu_agent_command(self):
        import libvirt_qemu
        reply = json.loads(libvirt_qemu.qemuAgentCommand(dom, '{"execute":"guest-info"}',
                                                         30, 0))
        self.assertIn("guest-get-fsinfo",
                      [c["name"] for c in reply["return"]["supported_commands"]])
        out = ok("qemu-agent-command", NAME, '{"execute":"guest-get-host-name"}')
        self.assertEqual(json.loads(out)["return"]["host-name"], guest_eval("hostname"))


def guest_online_cpus():
    return guest_eval("cat /sys/devices/system/cpu/online")


class A3GuestVcpus(unittest.TestCase):
    def test_get_and_set(self):
        self.assertEqual(dom.guestVcpus(), {"vcpus": "0-1", "online": "0-1",
                                            "offlinable": "1"})
        dom.setGuestVcpus("1", 0)
        self.assertEqual(guest_online_cpus(), "0")
        self.assertEqual(dom.guestVcpus()["online"], "0")
        ok("guestvcpus", NAME, "--cpulist", "1", "--enable")
        self.assertEqual(guest_online_cpus(), "0-1")
        out = ok("guestvcpus", NAME)
        self.assertRegex(out, r"online\s*:\s*0-1")

    def test_errors(self):
        import libvirt
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.setGuestVcpus("0", 0)       # the boot CPU cannot go offline
        self.assertIn("cannot be taken offline", str(cm.exception))
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.setGuestVcpus("7", 1)
        self.assertIn("does not exist", str(cm.exception))
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.setGuestVcpus("1-x", 1)
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_INVALID_ARG)
        self.assertEqual(guest_online_cpus(), "0-1")


class A4Filesystems(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        status = guest_run("mke2fs /dev/vda && mkdir -p /mnt && mount /dev/vda /mnt")
        assert status == 0, status

    def test_fsinfo(self):
        fstype = guest_eval("grep ' /mnt ' /proc/mounts | cut -d' ' -f3")
        self.assertEqual(dom.fsInfo(), [("/mnt", "vda", fstype, ["vda"])])
        out = ok("domfsinfo", NAME)
        self.assertRegex(out, r"/mnt\s+vda\s+%s\s+vda" % fstype)

    def test_freeze_and_thaw(self):
        import libvirt_qemu
        status = '{"execute":"guest-fsfreeze-status"}'

        def agent_status():
            return json.loads(libvirt_qemu.qemuAgentCommand(dom, status, 30, 0))["return"]

        self.assertEqual(agent_status(), "thawed")
        self.assertEqual(dom.fsFreeze(), 1)
        try:
            self.assertEqual(agent_status(), "frozen")
            # a write to the frozen filesystem waits for the thaw
            tag = "MVW%d" % RNG.randrange(10 ** 6)
            guest_eval("(touch /mnt/after-freeze; echo %s) >/dev/console 2>&1 & echo started"
                       % tag)
            self.assertEqual(guest_run("test -e /mnt/after-freeze"), 1)
        finally:
            self.assertEqual(dom.fsThaw(), 1)
        self.assertEqual(agent_status(), "thawed")
        mvtest.wait_marker(mvtest.serial_log(daemon.root, NAME), tag, timeout=30)
        self.assertEqual(guest_run("test -e /mnt/after-freeze"), 0)
        self.assertRegex(ok("domfsfreeze", NAME, "--mountpoint", "/mnt"), r"[Ff]roze 1 ")
        self.assertRegex(ok("domfsthaw", NAME), r"[Tt]hawed 1 ")


class A5Time(unittest.TestCase):
    def test_get_time_matches_the_guest(self):
        before = int(guest_eval("date +%s"))
        got = dom.getTime()
        after = int(guest_eval("date +%s"))
        self.assertLessEqual(before, got["seconds"])
        self.assertLessEqual(got["seconds"], after)
        self.assertTrue(0 <= got["nseconds"] < 10 ** 9)

    def test_set_time_and_sync(self):
        import libvirt
        target = 2000000000 + RNG.randrange(10 ** 6)
        dom.setTime({"seconds": target, "nseconds": 0})
        now = int(guest_eval("date +%s"))
        self.assertTrue(target <= now < target + 120, (target, now))
        # qemu-ga wrote that time to the RTC as well: --sync reads the RTC back
        guest_run("date -s @%d" % (target + 500000))
        self.assertGreater(int(guest_eval("date +%s")), target + 400000)
        dom.setTime(flags=libvirt.VIR_DOMAIN_TIME_SYNC)
        now = int(guest_eval("date +%s"))
        self.assertTrue(target <= now < target + 120, (target, now))
        # back to the host's time, through virsh
        ok("domtime", NAME, "--now")
        now = int(guest_eval("date +%s"))
        self.assertLess(abs(now - time.time()), 120)
        out = ok("domtime", NAME, "--pretty")
        self.assertRegex(out, r"Time: \d{4}-\d\d-\d\d")


class A6Password(unittest.TestCase):
    def shadow_hash(self, user):
        return guest_eval("grep ^%s: /etc/shadow | cut -d: -f2" % user)

    def test_plain_password(self):
        password = "s3cret-%d" % RNG.randrange(10 ** 6)
        dom.setUserPassword("root", password, 0)
        hashed = self.shadow_hash("root")
        self.assertTrue(hashed.startswith("$6$"), hashed)
        self.assertEqual(crypt.crypt(password, hashed), hashed)
        self.assertNotEqual(crypt.crypt(password + "x", hashed), hashed)

    def test_encrypted_password_and_virsh(self):
        import libvirt
        hashed = crypt.crypt("other-%d" % RNG.randrange(10 ** 6),
                             crypt.mksalt(crypt.METHOD_SHA512))
        dom.setUserPassword("guest", hashed, libvirt.VIR_DOMAIN_PASSWORD_ENCRYPTED)
        self.assertEqual(self.shadow_hash("guest"), hashed)
        ok("set-user-password", NAME, "guest", "third")
        self.assertEqual(crypt.crypt("third", self.shadow_hash("guest")),
                         self.shadow_hash("guest"))

    def test_unknown_user(self):
        import libvirt
        before = guest_eval("md5sum /etc/shadow")
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.setUserPassword("nobody-here", "x", 0)
        self.assertIn("guest-set-user-password", str(cm.exception))
        self.assertIn("failed to set user password", str(cm.exception))
        self.assertEqual(guest_eval("md5sum /etc/shadow"), before)


class A7Unresponsive(unittest.TestCase):
    def test_stopped_agent_times_out_and_recovers(self):
        import libvirt
        pid = int(guest_eval("cat /run/qemu-ga.pid"))
        self.assertEqual(dom.agentSetResponseTimeout(2), 0)
        self.assertEqual(guest_run("kill -STOP %d" % pid), 0)
        try:
            with self.assertRaises(libvirt.libvirtError) as cm:
                dom.hostname()
            self.assertEqual(cm.exception.get_error_code(), VIR_ERR_AGENT_UNRESPONSIVE)
            self.assertIn("no reply", str(cm.exception))
            self.assertIn("guest-agent-timeout", str(cm.exception))
            # a modifying call fails the same way and leaves the domain's job free
            with self.assertRaises(libvirt.libvirtError) as cm:
                dom.fsFreeze()
            self.assertEqual(cm.exception.get_error_code(), VIR_ERR_AGENT_UNRESPONSIVE)
            dom.suspend()
            dom.resume()
            # the daemon keeps serving while an agent call waits
            result = {}

            def waiting_call():
                try:
                    dom.hostname()
                except libvirt.libvirtError:
                    result["failed"] = True

            t = threading.Thread(target=waiting_call)
            t.start()
            self.assertEqual(dom.state()[0], libvirt.VIR_DOMAIN_RUNNING)
            self.assertIn(NAME, [d.name() for d in conn.listAllDomains()])
            self.assertIn("<name>%s</name>" % NAME, live_xml())
            t.join(60)
            self.assertFalse(t.is_alive())
            self.assertTrue(result.get("failed"), "hostname() did not fail")
            r = virsh(daemon.uri, "domhostname", NAME)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("Guest agent is not responding", r.stderr)
        finally:
            guest_run("kill -CONT %d" % pid)
        # the replies qemu-ga still owed are skipped by the next sync
        self.assertEqual(dom.hostname(), guest_eval("hostname"))
        self.assertEqual(dom.guestVcpus()["online"], "0-1")
        ok("guest-agent-timeout", NAME, "--timeout", "-1")
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.agentSetResponseTimeout(-3)
        self.assertEqual(cm.exception.get_error_code(), libvirt.VIR_ERR_INVALID_ARG)


class A7bRestart(unittest.TestCase):
    def test_state_after_a_daemon_restart(self):
        """qemu-ga goes away while the daemon is down (its event is lost): the
        restarted daemon asks QEMU, and sees it come back."""
        global conn, dom, events
        import libvirt
        pid = int(guest_eval("cat /run/qemu-ga.pid"))
        events.stop()
        conn.close()
        daemon.stop()
        self.assertEqual(guest_run("kill %d" % pid), 0)
        self.assertTrue(mvtest.wait_for(
            lambda: guest_eval("test -d /proc/%d && echo alive || echo gone" % pid) == "gone",
            30, 0.2))
        daemon.start()
        conn = libvirt.open(daemon.uri)
        dom = conn.lookupByName(NAME)
        events = mvtest.VirshEvents(daemon.uri, timeout=900).start()
        self.assertEqual(agent_state(), "disconnected")
        with self.assertRaises(libvirt.libvirtError) as cm:
            dom.hostname()
        self.assertIn("not connected", str(cm.exception))
        guest_run("/etc/virtio-ports.sh")           # starts qemu-ga again
        events.wait_line("event 'agent-lifecycle' for domain '%s': state: 'connected' "
                         "reason: 'channel event'" % NAME, timeout=60)
        wait_connected(True)
        self.assertEqual(dom.hostname(), guest_eval("hostname"))


class A8Reboot(unittest.TestCase):
    def test_reboot_and_shutdown_through_the_agent(self):
        log = mvtest.serial_log(daemon.root, NAME)
        ready = mvtest.read_text(log).count(mvtest.GUEST_READY)
        disconnected = ("event 'agent-lifecycle' for domain '%s': state: 'disconnected' "
                        "reason: 'channel event'" % NAME)
        connected = disconnected.replace("'disconnected'", "'connected'")
        n_conn = sum(connected in l for l in events.event_lines())
        ok("reboot", NAME, "--mode", "agent")
        mvtest.wait_marker(log, "MODVIRT-GUEST-AGENT-SHUTDOWN -r", timeout=60)
        mvtest.wait_marker(log, mvtest.GUEST_READY, count=ready + 1, timeout=120)
        events.wait_line(disconnected, timeout=60)
        events.wait_line(connected, timeout=60, count=n_conn + 1)
        wait_connected(True)
        self.assertEqual(dom.hostname(), guest_eval("hostname"))

        # without --mode a connected agent goes first, as in libvirt
        ok("reboot", NAME)
        mvtest.wait_marker(log, "MODVIRT-GUEST-AGENT-SHUTDOWN -r", count=2, timeout=60)
        mvtest.wait_marker(log, mvtest.GUEST_READY, count=ready + 2, timeout=120)
        events.wait_line(connected, timeout=60, count=n_conn + 2)
        wait_connected(True)

        ok("shutdown", NAME, "--mode", "agent")
        mvtest.wait_marker(log, "MODVIRT-GUEST-AGENT-SHUTDOWN -P", timeout=60)
        mvtest.wait_domstate(daemon.uri, NAME, "shut off", timeout=60)
        self.assertNotIn("MODVIRT-GUEST-POWERBUTTON", mvtest.read_text(log))


class A0Errors(unittest.TestCase):
    """Cheap guests without a Linux: no agent channel, or nobody behind it."""

    def firmware_guest(self, name, devices):
        import libvirt
        d = conn.createXML(mvtest.firmware_guest_xml(name, extra_devices=devices), 0)
        self.addCleanup(lambda: d.isActive() and d.destroy())
        return d, libvirt

    def test_no_channel(self):
        d, libvirt = self.firmware_guest("agent-none", "")
        with self.assertRaises(libvirt.libvirtError) as cm:
            d.hostname()
        self.assertEqual(cm.exception.get_error_code(), VIR_ERR_ARGUMENT_UNSUPPORTED)
        self.assertIn("not configured", str(cm.exception))
        self.assertIn(AGENT_PORT, str(cm.exception))
        r = virsh(daemon.uri, "shutdown", "agent-none", "--mode", "agent")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("not configured", r.stderr)
        r = virsh(daemon.uri, "qemu-agent-command", "agent-none", '{"execute":"guest-ping"}')
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("not configured", r.stderr)

    def test_qemu_program_other_procedures(self):
        """The QEMU program's other calls: NO_SUPPORT naming the API, not 'unknown'."""
        self.firmware_guest("agent-mon", "")
        r = virsh(daemon.uri, "qemu-monitor-command", "agent-mon", '{"execute":"query-status"}')
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("this function is not supported by the connection driver: "
                      "virDomainQemuMonitorCommand", r.stderr)
        r = virsh(daemon.uri, "qemu-agent-command", "agent-mon", "not json", readonly=True)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("read only access prevents virDomainQemuAgentCommand", r.stderr)

    def test_nobody_connected(self):
        d, libvirt = self.firmware_guest("agent-off", CHANNEL)
        self.assertRegex(d.XMLDesc(0), r"name='%s' state='disconnected'" % AGENT_PORT)
        for call in (d.hostname, d.fsFreeze, lambda: d.guestInfo(0, 0)):
            with self.assertRaises(libvirt.libvirtError) as cm:
                call()
            self.assertEqual(cm.exception.get_error_code(), VIR_ERR_AGENT_UNRESPONSIVE)
            self.assertIn("not connected", str(cm.exception))
        with self.assertRaises(libvirt.libvirtError):
            d.interfaceAddresses(libvirt.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT)


if __name__ == "__main__":
    mvtest.main()
