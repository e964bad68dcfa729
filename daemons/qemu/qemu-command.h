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

G_END_DECLS
