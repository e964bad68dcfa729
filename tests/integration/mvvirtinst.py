"""A modvirt stack for virt-install: storaged, networkd, qemud and the proxy
under one temporary --root, inside a private network namespace (the network
'default' and the bridge 'br0' exist only there).  Used by the corpus test
(test_virtinst_corpus.py) and by tests/domainxml/virtinst/generate.py, which
made the fixtures.

Fixture documents name files under the root as @ROOT@/…; materialize()
makes those files in a root and substitutes the placeholder."""

import os
import shutil
import subprocess
import tempfile

import mvtest
import mvnet

PLACEHOLDER = "@ROOT@"

# the files the virt-install command lines name, relative to the root
FILES = {
    "images/disk.qcow2": ("qcow2", "64M"),
    "images/data.raw": ("raw", "8M"),
    "images/cd.iso": ("raw", "1M"),
    "images/floppy.img": ("raw", "1440K"),
}
DIRS = ("share",)

NET_XML = """<network>
  <name>default</name>
  <bridge name='mvvi0'/>
  <ip address='192.168.124.1' netmask='255.255.255.0'/>
</network>
"""


def make_files(root):
    for rel, (fmt, size) in FILES.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if not os.path.exists(path):
            subprocess.run(["qemu-img", "create", "-q", "-f", fmt, path, size], check=True)
    for rel in DIRS:
        os.makedirs(os.path.join(root, rel), exist_ok=True)


def materialize(text, root):
    return text.replace(PLACEHOLDER, root)


class Stack:
    """The daemons; call enter_private_netns() in the process first."""

    def __init__(self, prefix="mvt-vi-"):
        self.root = tempfile.mkdtemp(prefix=prefix)
        self.daemons = []
        self.uri = None

    def start(self):
        root = self.root
        make_files(root)
        subprocess.run(["ip", "link", "add", "br0", "type", "bridge"], check=True)
        subprocess.run(["ip", "link", "set", "br0", "up"], check=True)
        sd = mvtest.Daemon(root=root, name="storage", binary=mvtest.STORAGED)
        for d in (sd, mvnet.NetworkDaemon(root=root), mvtest.GuestDaemon(root=root),
                  mvnet.ProxyDaemon(root)):
            self.daemons.append(d)
            d.start()
        self.qemud = self.daemons[2]
        self.uri = "qemu+unix:///system?socket=%s" % self.daemons[3].sock
        path = mvtest.write_file(os.path.join(root, "default-net.xml"), NET_XML)
        mvtest.virsh(self.uri, "net-define", path, check=True)
        mvtest.virsh(self.uri, "net-start", "default", check=True)
        return self

    def cleanup(self):
        try:
            if self.uri:
                mvtest.virsh(self.daemons[1].uri, "net-destroy", "default")
        finally:
            for d in reversed(self.daemons):
                d.cleanup()
            if os.environ.get("MV_TEST_KEEP") != "1":
                shutil.rmtree(self.root, True)

    def virt_install(self, argv, timeout=180):
        """Run virt-install ARGV (without --connect); (returncode, stdout, stderr)."""
        res = subprocess.run(["virt-install"] + list(argv) + ["--connect", self.uri],
                             capture_output=True, text=True, timeout=timeout,
                             stdin=subprocess.DEVNULL,
                             env=dict(os.environ, HOME=self.root, LC_ALL="C.UTF-8"))
        return res.returncode, res.stdout, res.stderr
