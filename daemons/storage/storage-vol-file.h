/* Volume file operations on the host: raw files created sparse or
 * preallocated, raw copies that keep holes as holes, wipe, raw resize, the
 * in-progress naming of volumes being written. No XML, no qemu-img (that is
 * storage-qemu-img.c): plain paths and sizes, so the unit tests drive them
 * on real files. */
#pragma once

#include <gio/gio.h>
#include <stdbool.h>
#include <sys/types.h>

#include "storage-backend.h"

G_BEGIN_DECLS

/* Owner and mode a new file gets; -1 fields leave the default (mode 0600,
 * owner the daemon). */
typedef struct {
    int mode;
    gint64 uid;
    gint64 gid;
} MvStorageFileOwner;

/**
 * mv_storage_vol_file_open_partial:
 * Creates the in-progress file of @path (see mv_storage_backend_partial_path())
 * exclusively, replacing a stale one, with @owner's mode and owner. Refuses
 * (MV_ERR_OPERATION_FAILED) when @path itself exists. Returns the fd (write
 * only) and the in-progress path in *@ret_partial, or -1 with @error set.
 */
int mv_storage_vol_file_open_partial(const char *path, const MvStorageFileOwner *owner,
                                     char **ret_partial, GError **error);

/**
 * mv_storage_vol_file_commit:
 * Makes the in-progress file @partial the volume @path: syncs its data (when
 * @fd >= 0), renames it without ever replacing an existing @path, syncs the
 * directory. On failure @partial is removed.
 */
bool mv_storage_vol_file_commit(int fd, const char *partial, const char *path,
                                GError **error);

/**
 * mv_storage_vol_file_abandon:
 * Removes the in-progress file @partial (a failed or cancelled create).
 */
void mv_storage_vol_file_abandon(const char *partial);

/**
 * mv_storage_vol_file_allocate:
 * Allocates bytes [@offset, @offset + @len) of @fd (fallocate in steps, so
 * @ctl sees progress and can cancel; writing zeros where the filesystem has no
 * fallocate). ENOSPC is MV_ERR_OPERATION_FAILED naming @what and the sizes.
 */
bool mv_storage_vol_file_allocate(int fd, const char *what, guint64 offset, guint64 len,
                                  const MvStorageJobCtl *ctl, GError **error);

/**
 * mv_storage_vol_file_create_raw:
 * Creates the raw volume @path of @capacity bytes with the first @allocation
 * bytes allocated (0: fully sparse; >= @capacity: preallocated), under its
 * in-progress name, renamed when complete. Nothing is left on failure.
 */
bool mv_storage_vol_file_create_raw(const char *path, guint64 capacity, guint64 allocation,
                                    const MvStorageFileOwner *owner,
                                    const MvStorageJobCtl *ctl, GError **error);

/**
 * mv_storage_vol_file_copy_data:
 * Copies the data of @src_fd into @dst_fd at the same offsets, only the data
 * segments SEEK_DATA/SEEK_HOLE find (holes stay holes), with
 * copy_file_range (read/write where it cannot). Copies the first @len bytes.
 * *@ret_copied (optional) gets the data bytes copied.
 */
bool mv_storage_vol_file_copy_data(int src_fd, int dst_fd, guint64 len,
                                   const MvStorageJobCtl *ctl, guint64 *ret_copied,
                                   GError **error);

/**
 * mv_storage_vol_file_clone_raw:
 * Creates the raw volume @path as a copy of the raw file or block device
 * @src, keeping holes; its size is max(@capacity, size of @src). With
 * @reflink the blocks are shared (FICLONE) or the call fails. Written under
 * the in-progress name; nothing is left on failure.
 */
bool mv_storage_vol_file_clone_raw(const char *src, const char *path, guint64 capacity,
                                   bool reflink, const MvStorageFileOwner *owner,
                                   const MvStorageJobCtl *ctl, GError **error);

/**
 * mv_storage_vol_file_wipe:
 * Overwrites the file or block device @path with @algorithm: zero (data
 * segments zeroed in place, holes stay holes, allocation kept), random (one
 * pass of random bytes over the whole size), trim (every block given back:
 * holes punched / BLKDISCARD); the multi-pass patterns run `scrub` when it is
 * installed and are refused naming it otherwise.
 */
bool mv_storage_vol_file_wipe(const char *path, unsigned int algorithm,
                              const MvStorageJobCtl *ctl, GError **error);

/**
 * mv_storage_vol_resize_compute:
 * The new capacity for a resize of a volume of @capacity and @allocation by
 * @arg with MvStorageVolResizeFlags @flags (DELTA adds, or subtracts with
 * SHRINK); refuses a smaller capacity without SHRINK, a larger one with
 * SHRINK alone, shrinking below zero, and ALLOCATE with SHRINK
 * (MV_ERR_INVALID_ARG, libvirt's texts' meaning).
 */
bool mv_storage_vol_resize_compute(guint64 capacity, guint64 arg, unsigned int flags,
                                   guint64 *ret_capacity, GError **error);

/**
 * mv_storage_vol_file_resize_raw:
 * Sets the size of the raw file @path to @capacity; with @allocate the grown
 * part is allocated (progress and cancel through @ctl; on failure the file
 * keeps its old size).
 */
bool mv_storage_vol_file_resize_raw(const char *path, guint64 capacity, bool allocate,
                                    const MvStorageJobCtl *ctl, GError **error);

/**
 * mv_storage_vol_file_cancelled:
 * True (and @error set to MV_ERR_OPERATION_ABORTED) when @ctl's cancellable
 * was cancelled.
 */
bool mv_storage_vol_file_cancelled(const MvStorageJobCtl *ctl, GError **error);

/** mv_storage_vol_file_progress: reports @done of @total through @ctl (NULL ok). */
void mv_storage_vol_file_progress(const MvStorageJobCtl *ctl, guint64 done, guint64 total);

G_END_DECLS
