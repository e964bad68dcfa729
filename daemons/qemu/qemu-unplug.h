/* Device unplugs that outlive the call that asked for them.
 *
 * A detach sends device_del and waits a few seconds for QEMU's DEVICE_DELETED
 * (the guest let go of the device). A guest that does not answer in time (still
 * booting, busy, no hot-plug driver) keeps the device until it does; like
 * libvirt, the call then succeeds ("detach request sent") and the removal is
 * finished when DEVICE_DELETED arrives: the backend is removed, the device
 * leaves the live definition, the status file is written
 * (mv_qemu_devices_finish_unplug(), run with the domain's job). */
#pragma once

#include "qemu-domain.h"
#include "qemu-driver.h"

G_BEGIN_DECLS

/**
 * mv_qemu_unplug_wait:
 * Waits up to @timeout_ms for QEMU's DEVICE_DELETED of @alias (lock not held);
 * consumes it. False when it did not come (or QEMU exited).
 */
bool mv_qemu_unplug_wait(MvQemuDomain *dom, const char *alias, int timeout_ms);

/**
 * mv_qemu_unplug_wait_or_defer:
 * Waits up to @timeout_ms for DEVICE_DELETED of @alias (lock not held) and
 * consumes it: true. When it did not come, @alias is recorded as pending under
 * the same lock (so a later DEVICE_DELETED finishes the unplug): false. QEMU's
 * exit ends the wait as "gone".
 */
bool mv_qemu_unplug_wait_or_defer(MvQemuDomain *dom, const char *alias, int timeout_ms);

/**
 * mv_qemu_unplug_take_pending:
 * With @dom->lock held: whether @alias was pending (it is no longer).
 */
bool mv_qemu_unplug_take_pending(MvQemuDomain *dom, const char *alias);

/**
 * mv_qemu_unplug_forget:
 * With @dom->lock held: drops every DEVICE_DELETED not yet consumed and every
 * pending unplug (the QEMU they belong to is gone).
 */
void mv_qemu_unplug_forget(MvQemuDomain *dom);

/**
 * mv_qemu_devices_finish_unplug (qemu-domain-devices.c):
 * The guest let go of pending @alias: under the domain's job, removes the
 * disk's block nodes or the interface's netdev (and gives back its port),
 * drops the device from the live definition and writes the status file.
 * Nothing when the domain's QEMU is no longer the one of @pid.
 */
void mv_qemu_devices_finish_unplug(MvQemuDriver *driver, MvQemuDomain *dom, pid_t pid,
                                   const char *alias);

G_END_DECLS
