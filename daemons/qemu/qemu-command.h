/* The QEMU command line of a domain: MvDomainDef + the cached MvQemuProbe + a
 * few host paths -> argv. Pure: no syscalls, no capability probing at start.
 *
 * Device ids are libvirt's aliases so that QMP commands and live XML can name
 * devices the way libvirt clients expect:
 *   disks    virtio-disk<N> (N from vda=0, vdb=1, …), sata<C>-0-<U>, ide<C>-<B>-<U>,
 *            scsi<C>-0-<T>-<U>; block nodes <alias>-storage and <alias>-format
 *   nets     net<i> with netdev hostnet<i> (i = index in def->nets)
 *   chardevs char<alias>: charserial<i>, charconsole<i>, charchannel<i>; the QMP
 *            monitor is chardev "monitor"
 *   devices  serial<i>, console<i>, channel<i>, input<i>, video<i>, balloon0,
 *            rng<i> (backend objrng<i>), watchdog0
 *   buses    usb (first USB controller, usb<N> for others), pci.<N>, sata<N>,
 *            scsi<N>, virtio-serial<N>; the roots are pci.0 (pc) and pcie.0 (q35)
 *
 * What the driver must still do over QMP after start (argv cannot carry it):
 * set VNC/SPICE passwords (the argv asks for password=on when <graphics passwd=…>),
 * the balloon target when currentMemory < memory, and the balloon stats period. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "conf/domain-def.h"
#include "qemu-probe.h"
#include "qemu-props.h"

G_BEGIN_DECLS

typedef struct {
    const char *monitor_path;   /* QMP socket (required); QEMU listens on it */
    int monitor_fd;             /* >= 3: the fd number (in the child) of a socket already
                                   listening at monitor_path; QEMU uses it instead of
                                   binding the path itself (no connect retries) */
    const char *pidfile;        /* -pidfile; NULL: none */
    const char *log_dir;        /* pty/unix serial and console output is also logged to
                                   <log_dir>/<name>-<alias>.log; NULL: no logfiles */
    const char *channel_dir;    /* unix channels without a source path listen on
                                   <channel_dir>/<name>.<target name>; NULL: such a
                                   channel is an error */
    const int *tap_fds;         /* one per <interface>, in order; -1: none. The fd
                                   number as the child will see it (network/bridge
                                   interfaces need one; ethernet may use one) */
    size_t ntap_fds;
    bool kvm_available;         /* /dev/kvm is usable */
    const char *tpm_socket;     /* swtpm's control socket for <tpm>; NULL: a <tpm> is
                                   an error */
} MvQemuCommandContext;

/**
 * mv_qemu_command_build:
 * The argv that starts @def paused (-S) under the QEMU described by @probe
 * (argv[0] is def->emulator, else probe->binary). Everything the def asks for
 * is either on the command line or rejected: no setting is silently dropped.
 * Returns a new NULL-terminated argv (g_strfreev()), or NULL with @error set:
 * MV_ERR_CONFIG_UNSUPPORTED naming the device or setting that cannot be
 * honoured by this QEMU or host (also type='kvm' without /dev/kvm, as libvirt),
 * MV_ERR_OPERATION_INVALID when @ctx lacks what the start needs (an interface
 * without its tap fd, a channel without a socket directory).
 */
char **mv_qemu_command_build(const MvDomainDef *def, const MvQemuProbe *probe,
                             const MvQemuCommandContext *ctx, GError **error);

/**
 * mv_qemu_command_disk_alias:
 * The device id @disk gets on the command line (see above), derived from its
 * bus and its drive address or target name. Returns a new string, or NULL with
 * MV_ERR_CONFIG_UNSUPPORTED when the target name or address is invalid.
 */
char *mv_qemu_command_disk_alias(const MvDomainDiskDef *disk, GError **error);

/* The properties of one disk: its two block nodes and its device. */
typedef struct {
    MvQemuProps *storage;   /* -blockdev / blockdev-add of the protocol node; NULL when the
                               disk has no source (an empty cdrom) */
    MvQemuProps *format;    /* the format node on top of it; NULL likewise */
    MvQemuProps *device;    /* -device / device_add */
} MvQemuDiskProps;

void mv_qemu_disk_props_clear(MvQemuDiskProps *props);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(MvQemuDiskProps, mv_qemu_disk_props_clear)

/**
 * mv_qemu_command_disk_props:
 * The properties @disk of @def gets, from the builder the command line uses:
 * cache mode, boot order, shareable, serial, read-only… For hot-plug: a PCI
 * device gets the bus/addr of its <address> (mv_qemu_command_hotplug_address()
 * fills one on q35), none without (QEMU places it). An interface gets only an
 * address off the root bus. Returns false with the same errors
 * mv_qemu_command_build() gives for this disk.
 */
bool mv_qemu_command_disk_props(const MvDomainDef *def, const MvDomainDiskDef *disk,
                                MvQemuDiskProps *ret, GError **error);

/**
 * mv_qemu_command_hotplug_address:
 * The PCI address a device hot-plugged into @live gets when it names none
 * (@addr without a type): on a q35 machine the first pcie-root-port no device
 * sits on (QEMU's own choice, the root bus pcie.0, cannot hot-plug); on pc,
 * none (QEMU picks a free slot of pci.0). An error when a q35 guest has no
 * free root port; @what names the device in it.
 */
bool mv_qemu_command_hotplug_address(const MvDomainDef *live, MvDomainDeviceAddress *addr,
                                     const char *what, GError **error);

/* The properties of one interface: its backend and its device. */
typedef struct {
    MvQemuProps *netdev;    /* -netdev / netdev_add ("type" first) */
    MvQemuProps *device;    /* -device / device_add ("driver" first) */
} MvQemuNetProps;

void mv_qemu_net_props_clear(MvQemuNetProps *props);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(MvQemuNetProps, mv_qemu_net_props_clear)

/**
 * mv_qemu_command_net_props:
 * Like mv_qemu_command_disk_props() for interface @net as number @index (ids
 * net<index> and hostnet<index>), with tap fd @tap_fd: a number, or the name
 * an fd was passed under with QMP getfd (NULL: none).
 */
bool mv_qemu_command_net_props(const MvDomainNetDef *net, size_t index, const char *tap_fd,
                               MvQemuNetProps *ret, GError **error);

/**
 * mv_qemu_command_memdev_alias / mv_qemu_command_memdev_props:
 * The device id of memory device @index of @def (its "ua-" alias or dimm<index>),
 * and the properties of its RAM backend (object-add / -object; id mem<alias>) and
 * pc-dimm device (device_add / -device) for @alias. Caller frees both lists.
 */
char *mv_qemu_command_memdev_alias(const MvDomainDef *def, size_t index);
void mv_qemu_command_memdev_props(const MvDomainMemdevDef *mem, const char *alias,
                                  MvQemuProps **ret_backend, MvQemuProps **ret_device);

G_END_DECLS
