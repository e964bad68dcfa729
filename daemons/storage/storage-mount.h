/* Mounts of fs pools: /proc/self/mountinfo parsing (to take back a pool an
 * earlier daemon run mounted, never mounting it twice), mount(2)/umount2(2),
 * the filesystem found on a device or image (superblock magic, no blkid), and
 * the mkfs command line pool-build runs. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* One line of mountinfo; strings owned. */
typedef struct {
    unsigned int major;
    unsigned int minor;
    char *root;             /* the mounted subtree of the filesystem */
    char *target;           /* the mount point (unescaped) */
    char *fstype;
    char *source;           /* e.g. /dev/loop3 */
} MvStorageMount;

void mv_storage_mount_free(MvStorageMount *mount);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvStorageMount, mv_storage_mount_free)

/**
 * mv_storage_mount_parse:
 * Parses mountinfo @text into new MvStorageMount entries (in order).
 * A malformed line is MV_ERR_INTERNAL_ERROR naming its number.
 */
GPtrArray *mv_storage_mount_parse(const char *text, GError **error);

/**
 * mv_storage_mount_find:
 * The topmost mount at @target (resolved first; a missing @target is "not
 * mounted") from /proc/self/mountinfo into *@ret_mount (NULL when nothing is
 * mounted there; caller frees).
 */
bool mv_storage_mount_find(const char *target, MvStorageMount **ret_mount, GError **error);

/**
 * mv_storage_mount_fs:
 * Mounts @device on the existing directory @target as @fstype (nosuid, nodev).
 */
bool mv_storage_mount_fs(const char *device, const char *target, const char *fstype,
                         GError **error);

/**
 * mv_storage_mount_unmount:
 * Unmounts @target; MV_ERR_RESOURCE_BUSY naming it when something uses it.
 */
bool mv_storage_mount_unmount(const char *target, GError **error);

/**
 * mv_storage_mount_probe_fs:
 * The filesystem on the file or block device @path from its superblock:
 * "ext4" (ext2/3/4), "xfs", "btrfs"; NULL when none of them (no error), or
 * NULL with @error set when it cannot be read.
 */
const char *mv_storage_mount_probe_fs(const char *path, GError **error);

/**
 * mv_storage_mount_fs_supported:
 * True when @fstype is in /proc/filesystems (the kernel can mount it now).
 */
bool mv_storage_mount_fs_supported(const char *fstype);

/**
 * mv_storage_mount_mkfs_argv:
 * The mkfs command line for @fstype ("ext2", "ext3", "ext4", "xfs",
 * "btrfs") on @device, forced over an existing filesystem when @force.
 * NULL with MV_ERR_OPERATION_UNSUPPORTED for other types. Caller frees.
 */
char **mv_storage_mount_mkfs_argv(const char *fstype, const char *device, bool force,
                                  GError **error);

G_END_DECLS
