/* Save and restore of QEMU guests (virsh save/restore, managed save,
 * save-image-*): QEMU's migration stream to and from a file descriptor, in
 * modvirt's save image (qemu-save-image.h). */
#pragma once

#include "qemu-driver.h"
#include "qemu-monitor.h"

G_BEGIN_DECLS

/**
 * mv_qemu_save_load_stream:
 * Loads a guest's state into a QEMU started with -incoming defer from @fd
 * (positioned at the stream; the caller keeps it) and waits until QEMU has
 * it all. False with QEMU's reason when it refuses the stream.
 */
bool mv_qemu_save_load_stream(MvQemuMonitor *mon, int fd, GError **error);

/** mv_qemu_save_managed_path: <lib>/qemu/save/<name>.save (caller frees). */
char *mv_qemu_save_managed_path(MvQemuDriver *driver, const char *name);

/** mv_qemu_save_has_managed: @name has a managed save image. */
bool mv_qemu_save_has_managed(MvQemuDriver *driver, const char *name);

/**
 * mv_qemu_save_start_managed:
 * For a start of @dom (job held) that has a managed save image: resumes the
 * guest from it and removes it. START_FORCE_BOOT (8) discards the image and
 * returns with *@ret_done false (boot normally). A failed resume leaves image
 * and domain as they were.
 */
bool mv_qemu_save_start_managed(MvQemuDriver *driver, MvQemuDomain *dom, unsigned int flags,
                                bool *ret_done, GError **error);

G_END_DECLS
