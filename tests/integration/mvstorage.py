"""Helpers of the modvirt-storaged tests (test_storage_*.py).

storaged and the proxy run under one shared --root, so the proxy finds
storaged's socket. Pools live in directories under the test's root only.
"""

import os
import xml.etree.ElementTree as ET

import mvtest

PROXYD = os.environ.get("MV_PROXYD", os.path.join(mvtest.BUILD_ROOT, "proxy", "modvirt-proxyd"))
MODVIRT = os.environ.get("MV_MODVIRT", os.path.join(mvtest.BUILD_ROOT, "client", "cli",
                                                    "modvirt"))

# libvirt's numbers (python3-libvirt names them too)
ERR_INVALID_ARG = 8
ERR_OPERATION_FAILED = 9
ERR_XML_ERROR = 27
ERR_NO_STORAGE_POOL = 49
ERR_NO_STORAGE_VOL = 50
ERR_OPERATION_INVALID = 55
ERR_STORAGE_VOL_EXIST = 90
FROM_STORAGE = 18


def require_storaged():
    if not os.access(mvtest.STORAGED, os.X_OK):
        mvtest.mvtap.bail_out("storaged binary not found: %s (build it first)"
                              % mvtest.STORAGED)


class StorageDaemon(mvtest.Daemon):
    """modvirt-storaged under a (possibly shared) root."""

    def __init__(self, root=None, **kw):
        super().__init__(root=root, binary=mvtest.STORAGED, name="storage", **kw)

    @property
    def uri(self):
        return "storage+unix:///system?socket=%s" % self.sock

    @property
    def ro_uri(self):
        return "storage+unix:///system?socket=%s" % self.ro_sock


class ProxyDaemon(mvtest.Daemon):
    """modvirt-proxyd under storaged's root: storage:///system goes to storaged."""

    def __init__(self, root, **kw):
        super().__init__(root=root, binary=PROXYD, name="proxy", **kw)

    @property
    def uri(self):
        return "storage+unix:///system?socket=%s" % self.sock


def dir_pool_xml(name, path, uuid=None):
    out = ["<pool type='dir'>", "  <name>%s</name>" % name]
    if uuid:
        out.append("  <uuid>%s</uuid>" % uuid)
    out += ["  <target>", "    <path>%s</path>" % path, "  </target>", "</pool>"]
    return "\n".join(out) + "\n"


def vol_xml(name, capacity, fmt="raw", allocation=None, backing=None, backing_fmt=None):
    out = ["<volume>", "  <name>%s</name>" % name,
           "  <capacity unit='bytes'>%d</capacity>" % capacity]
    if allocation is not None:
        out.append("  <allocation unit='bytes'>%d</allocation>" % allocation)
    out += ["  <target>", "    <format type='%s'/>" % fmt, "  </target>"]
    if backing:
        out += ["  <backingStore>", "    <path>%s</path>" % backing]
        if backing_fmt:
            out.append("    <format type='%s'/>" % backing_fmt)
        out.append("  </backingStore>")
    out.append("</volume>")
    return "\n".join(out) + "\n"


def xml_text(xml, path):
    node = ET.fromstring(xml).find(path)
    return None if node is None else node.text


def partial_files(path):
    """The in-progress volume files in a pool directory."""
    return sorted(n for n in os.listdir(path) if n.startswith(".") and n.endswith(".mvpart"))


def enter_private_mountns():
    """Move this (single-threaded) process into its own mount namespace with
    every mount private, so the fs pools its daemons mount never show on the
    host. Call first thing in __main__; children inherit the namespace."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    CLONE_NEWNS = 0x00020000
    MS_REC, MS_PRIVATE = 0x4000, 0x40000
    if libc.unshare(CLONE_NEWNS) != 0:
        mvtest.skip_script("cannot make a private mount namespace: %s"
                           % os.strerror(ctypes.get_errno()))
    if libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        mvtest.skip_script("cannot make / private: %s" % os.strerror(ctypes.get_errno()))


def mount_count(target):
    """How many mounts sit on @target in this namespace."""
    with open("/proc/self/mountinfo") as f:
        return sum(1 for line in f if line.split()[4] == target)


def loop_devices_of(path):
    """The loop devices backed by the file @path."""
    import subprocess
    out = subprocess.run(["losetup", "-j", path], capture_output=True, text=True).stdout
    return [line.split(":")[0] for line in out.splitlines() if line.strip()]
