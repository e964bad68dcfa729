"""The virt-install command lines of the corpus: (name, arguments).

Every case runs `virt-install BASE ARGS --print-xml --connect URI` against a
modvirt stack (tests/integration/mvvirtinst.py).  @ROOT@ stands for the
stack's --root.  generate.py writes each case's output to NAME.xml and the
command line to MANIFEST; an error from virt-install itself is written to
NAME.err instead."""

DISK = "path=@ROOT@/images/disk.qcow2"
BASE = ["--memory", "256", "--vcpus", "1", "--import", "--noautoconsole",
        "--virt-type", "qemu"]


def _os(short):
    return ("os-" + short.replace(".", ""), ["--osinfo", short, "--disk", DISK,
                                            "--network", "network=default"])


CASES = [_os(o) for o in ("linux2022", "debian11", "ubuntu22.04", "fedora37", "rhel9.0",
                          "centos-stream9", "alpinelinux3.17", "opensuse15.4", "win10",
                          "win11", "freebsd13.1", "generic")]

G = ["--osinfo", "linux2022"]
CASES += [
    # the first failure: i440fx with the USB companion controllers
    ("issue-import-generic", ["--osinfo", "generic", "--disk", "none", "--network", "none"]),
    ("machine-pc", G + ["--machine", "pc", "--disk", DISK, "--network", "network=default"]),
    ("machine-q35", G + ["--machine", "q35", "--disk", DISK, "--network", "network=default"]),
    ("boot-uefi", G + ["--boot", "uefi", "--disk", DISK]),
    ("boot-uefi-secure", G + ["--boot", "uefi,firmware.feature0.name=secure-boot,"
                                        "firmware.feature0.enabled=yes,"
                                        "firmware.feature1.name=enrolled-keys,"
                                        "firmware.feature1.enabled=yes", "--disk", DISK]),
    # the older spelling of secure boot, and UEFI without it (q35) and on i440fx
    ("boot-efi-loader-secure", G + ["--boot", "firmware=efi,loader_secure=yes",
                                    "--disk", DISK]),
    ("boot-uefi-insecure", G + ["--boot", "uefi,firmware.feature0.name=secure-boot,"
                                          "firmware.feature0.enabled=no", "--disk", DISK,
                                "--network", "none", "--graphics", "none"]),
    ("boot-uefi-pc", G + ["--machine", "pc", "--boot", "uefi", "--disk", DISK,
                          "--network", "none", "--graphics", "none"]),
]
for bus in ("virtio", "sata", "scsi", "ide", "usb"):
    CASES.append(("disk-" + bus, G + ["--machine", "pc" if bus == "ide" else "q35",
                                      "--disk", DISK + ",bus=" + bus,
                                      "--disk", "path=@ROOT@/images/data.raw,bus=" + bus,
                                      "--network", "none", "--graphics", "none"]))
for bus, machine in (("sata", "q35"), ("ide", "pc"), ("scsi", "q35")):
    CASES.append(("cdrom-" + bus, G + ["--machine", machine, "--disk", DISK,
                                       "--disk", "path=@ROOT@/images/cd.iso,device=cdrom,"
                                       "bus=" + bus, "--network", "none", "--graphics", "none"]))
CASES += [
    ("cdrom-empty", G + ["--disk", DISK, "--disk", "device=cdrom", "--network", "none",
                         "--graphics", "none"]),
    ("floppy", G + ["--machine", "pc", "--disk", DISK,
                    "--disk", "path=@ROOT@/images/floppy.img,device=floppy",
                    "--network", "none", "--graphics", "none"]),
    ("net-network", G + ["--disk", DISK, "--network", "network=default,model=virtio",
                         "--graphics", "none"]),
    ("net-network-e1000e", G + ["--disk", DISK, "--network", "network=default,model=e1000e",
                                "--graphics", "none"]),
    ("net-bridge", G + ["--disk", DISK, "--network", "bridge=br0", "--graphics", "none"]),
    ("net-user", G + ["--disk", DISK, "--network", "user", "--graphics", "none"]),
    ("graphics-vnc", G + ["--disk", DISK, "--network", "none", "--graphics", "vnc"]),
    ("graphics-vnc-listen", G + ["--disk", DISK, "--network", "none",
                                 "--graphics", "vnc,listen=127.0.0.1,port=5977"]),
    ("graphics-spice", G + ["--disk", DISK, "--network", "none", "--graphics", "spice"]),
    ("graphics-none", G + ["--disk", DISK, "--network", "none", "--graphics", "none"]),
]
for model in ("vga", "cirrus", "qxl", "virtio", "bochs", "ramfb", "none"):
    CASES.append(("video-" + model, G + ["--disk", DISK, "--network", "none",
                                         "--graphics", "vnc", "--video", model]))
CASES += [
    ("channel-qemu-ga", G + ["--disk", DISK, "--network", "none", "--graphics", "none",
                             "--channel", "unix,target.type=virtio,"
                             "name=org.qemu.guest_agent.0"]),
    ("channel-spicevmc", G + ["--disk", DISK, "--network", "none", "--graphics", "spice",
                              "--channel", "spicevmc"]),
    ("sound-default", G + ["--disk", DISK, "--network", "none", "--sound", "default"]),
    ("sound-ich9", G + ["--disk", DISK, "--network", "none", "--sound", "ich9"]),
    ("sound-ac97", G + ["--machine", "pc", "--disk", DISK, "--network", "none",
                        "--sound", "ac97"]),
    ("tpm-emulator", G + ["--disk", DISK, "--network", "none", "--graphics", "none",
                          "--tpm", "emulator"]),
    ("rng-urandom", G + ["--disk", DISK, "--network", "none", "--graphics", "none",
                         "--rng", "/dev/urandom"]),
    ("memballoon-virtio", G + ["--disk", DISK, "--network", "none", "--graphics", "none",
                               "--memballoon", "virtio"]),
    ("memballoon-none", G + ["--disk", DISK, "--network", "none", "--graphics", "none",
                             "--memballoon", "none"]),
    ("watchdog-i6300esb", G + ["--disk", DISK, "--network", "none", "--graphics", "none",
                               "--watchdog", "i6300esb,action=reset"]),
    ("watchdog-itco", G + ["--machine", "q35", "--disk", DISK, "--network", "none",
                           "--graphics", "none", "--watchdog", "itco,action=poweroff"]),
    ("controller-usb2", G + ["--machine", "pc", "--disk", DISK, "--network", "none",
                             "--graphics", "none", "--controller", "usb2"]),
    ("controller-usb3", G + ["--disk", DISK, "--network", "none", "--graphics", "none",
                             "--controller", "usb3"]),
    ("controller-virtio-scsi", G + ["--disk", DISK, "--network", "none", "--graphics", "none",
                                    "--controller", "type=scsi,model=virtio-scsi"]),
    ("input-tablet", G + ["--disk", DISK, "--network", "none", "--graphics", "vnc",
                          "--input", "tablet"]),
    ("hostdev-pci", G + ["--disk", DISK, "--network", "none", "--graphics", "none",
                         "--hostdev", "0000:00:01.0"]),
    ("hostdev-usb", G + ["--disk", DISK, "--network", "none", "--graphics", "none",
                         "--hostdev", "001.001"]),
    ("filesystem-virtiofs", G + ["--disk", DISK, "--network", "none", "--graphics", "none",
                                 "--memorybacking", "source.type=memfd,access.mode=shared",
                                 "--filesystem", "@ROOT@/share,share,driver.type=virtiofs"]),
    # refused with their path and reason (common/conf/domain-unsupported.c)
    ("sysinfo-smbios", G + ["--disk", DISK, "--network", "none", "--graphics", "none",
                            "--sysinfo", "bios.vendor=Acme,system.serial=XYZ-42"]),
    ("qemu-commandline", G + ["--disk", DISK, "--network", "none", "--graphics", "none",
                              "--qemu-commandline=-snapshot"]),
    # what virt-manager's "new VM" wizard writes for an imported disk: virtinst's
    # defaults for the OS, spice + its companions, the console
    ("virtmanager-newvm", ["--osinfo", "fedora37", "--disk", DISK + ",bus=virtio",
                           "--network", "network=default", "--graphics", "spice",
                           "--video", "virtio", "--channel", "spicevmc", "--sound", "ich9",
                           "--redirdev", "usb,type=spicevmc", "--console", "pty"]),
]
