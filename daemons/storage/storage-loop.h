/* Loop devices for fs pools whose source is an image file: attach with
 * LOOP_CTL_GET_FREE + LOOP_CONFIGURE (LOOP_SET_FD + LOOP_SET_STATUS64 on
 * kernels before 5.8) and autoclear, so the device goes away by itself once
 * the filesystem on it is unmounted and our fd is closed; find the device
 * that backs a file (a pool mounted by an earlier daemon run); detach. */
#pragma once

#include <glib.h>
#include <stdbool.h>

G_BEGIN_DECLS

/**
 * mv_storage_loop_attach:
 * Attaches the regular file @file to a free loop device with autoclear set.
 * Returns the open device fd (keep it open until the device is mounted:
 * closing it unused detaches the device) and the device path in
 * *@ret_device (caller frees), or -1 with @error set (MV_ERR_NO_SUPPORT when
 * the kernel has no loop driver).
 */
int mv_storage_loop_attach(const char *file, bool read_only, char **ret_device,
                           GError **error);

/**
 * mv_storage_loop_find:
 * The loop devices (paths "/dev/loopN") whose backing file is @file (compared
 * after resolving @file), read from /sys/block/loopN/loop/backing_file, into
 * *@ret_devices (caller unrefs; empty when none).
 */
bool mv_storage_loop_find(const char *file, GPtrArray **ret_devices, GError **error);

/**
 * mv_storage_loop_backing_file:
 * The backing file of loop device @device ("/dev/loopN"), or NULL when it is
 * not a loop device or not attached. Caller frees.
 */
char *mv_storage_loop_backing_file(const char *device);

/**
 * mv_storage_loop_detach:
 * Detaches @device (LOOP_CLR_FD). A device already detached is fine; on a
 * device still in use the kernel only sets autoclear (it goes at its last
 * close).
 */
bool mv_storage_loop_detach(const char *device, GError **error);

G_END_DECLS
