/* Shared between qemu-command.c (machine, CPU, memory, boot, clock) and
 * qemu-command-devices.c (every -device and its backend). Not a public API. */
#pragma once

#include "qemu-command.h"
#include "qemu-props.h"

G_BEGIN_DECLS

typedef struct {
    const MvDomainDef *def;
    const MvQemuProbe *probe;
    const MvQemuCommandContext *ctx;
    GPtrArray *argv;            /* of char *, owned */
    bool kvm;                   /* accel=kvm (else tcg) */
    bool q35;                   /* the machine is a q35 (pcie root, built-in AHCI) */
    const char *root_bus;       /* "pci.0" | "pcie.0" */
    guint32 root_slots;         /* slots of the root bus taken (bit N: slot N) */
    bool usb_none;              /* <controller type='usb' model='none'/> */
    bool need_virtio_serial;    /* a virtio console or channel exists */
} QemuCmd;

/* Appends @opt and, when non-NULL, @value as two arguments. */
void qemu_command_add(QemuCmd *cmd, const char *opt, const char *value);
/* Appends @opt and the printf-style value. */
void qemu_command_addf(QemuCmd *cmd, const char *opt, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
/* Appends @opt and @value (consumed). */
void qemu_command_add_take(QemuCmd *cmd, const char *opt, GString *value);
/* Appends @s to @buf with QEMU's option escaping (',' becomes ",,"). */
void qemu_command_escape(GString *buf, const char *s);

/* Adds ",bus=…,addr=…" for a PCI device: its <address type='pci'>, or with
 * none (@addr NULL or without a type) the next free slot of the root bus.
 * Every slot an explicit address names on the root bus is reserved before the
 * first device is placed: QEMU's own choice would take slots in command-line
 * order and collide with a device that names its slot further on.
 * @what names the device in errors. */
bool qemu_command_add_pci_address(QemuCmd *cmd, GString *buf,
                                  const MvDomainDeviceAddress *addr, const char *what,
                                  GError **error);

/* The same for a property list: appends bus, addr and (if set) multifunction. */
bool qemu_command_pci_address_props(QemuCmd *cmd, MvQemuProps *props,
                                    const MvDomainDeviceAddress *addr, const char *what,
                                    GError **error);

/* The index of the virtio-serial controller that consoles and channels use. */
int qemu_command_virtio_serial_index(const MvDomainDef *def);

/* Controllers (explicit and the implicit ones devices need), disks, interfaces,
 * character devices, inputs, graphics, video and the small devices, in
 * command-line order. Each returns false with @error set. */
bool qemu_command_devices_add_controllers(QemuCmd *cmd, GError **error);
bool qemu_command_devices_add_disks(QemuCmd *cmd, GError **error);
bool qemu_command_devices_add_nets(QemuCmd *cmd, GError **error);
/* qemu-command-chardev.c */
bool qemu_command_chardev_add_all(QemuCmd *cmd, GError **error);
bool qemu_command_devices_add_inputs(QemuCmd *cmd, GError **error);
bool qemu_command_devices_add_graphics(QemuCmd *cmd, GError **error);
bool qemu_command_devices_add_video(QemuCmd *cmd, GError **error);
bool qemu_command_devices_add_misc(QemuCmd *cmd, GError **error);
bool qemu_command_tpm_add(QemuCmd *cmd, GError **error);
/* qemu-command-memory.c: <memory model='dimm'> (-object memory-backend-ram + -device pc-dimm) */
bool qemu_command_memdevs_add(QemuCmd *cmd, GError **error);
/* qemu-command-sound.c: <sound> (with a silent audio backend) and <redirdev> */
bool qemu_command_devices_add_sound_redir(QemuCmd *cmd, GError **error);
bool qemu_command_def_has_spice(const MvDomainDef *def);
/* A TCP port from 5900 up that nothing listens on at @listen (an IP address)
 * right now, for a SPICE display with autoport. */
bool qemu_command_spice_free_port(const char *listen, int *port, GError **error);

/* Sets @error to MV_ERR_CONFIG_UNSUPPORTED with the message; returns false. */
bool qemu_command_unsupported(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

G_END_DECLS
