/* Disks that name a storage volume (<disk type='volume'> with
 * <source pool='…' volume='…'/>): resolved through modvirt-storaged to the
 * volume's path, kind (file or block device) and format at start and at
 * hot-plug. qemud never reads a pool's files itself; storaged owns pools. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "conf/domain-def.h"
#include "qemu-driver.h"

G_BEGIN_DECLS

/* What a lookup tells about a volume, as storaged answers it. */
typedef struct {
    bool pool_active;           /* false: the pool exists but is not running (no more) */
    int type;                   /* the volume info's type (libvirt's virStorageVolType) */
    char *xml;                  /* the volume's XML (<target><path>, <format type>) */
} MvQemuStorageVolume;

void mv_qemu_storage_volume_clear(MvQemuStorageVolume *vol);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(MvQemuStorageVolume, mv_qemu_storage_volume_clear)

/**
 * MvQemuStorageLookupFunc:
 * Looks up volume @volume of pool @pool and fills *@ret (owned by the
 * caller); an inactive pool is pool_active = false and nothing else. Fails
 * with @error for a missing pool or volume or an unreachable storaged. The
 * daemon's lookup goes through storaged; the qemuxml2argv goldens use a
 * table (the seam that needs no daemon).
 */
typedef bool (*MvQemuStorageLookupFunc)(const char *pool, const char *volume,
                                        gpointer user_data, MvQemuStorageVolume *ret,
                                        GError **error);

/**
 * mv_qemu_storage_resolve_disk:
 * For a disk of type 'volume', looks its volume up with @lookup and records
 * the result in @disk: source (the path), source_block, source_format (the
 * volume's format, used when <driver type> is absent; "iso" reads as "raw").
 * Other disks are left alone. Refuses an inactive pool, a volume that is not
 * a file or block device, and mode='direct' (it needs an iSCSI pool, which
 * modvirt does not have). Errors name the disk and its pool and volume.
 */
bool mv_qemu_storage_resolve_disk(MvDomainDiskDef *disk, MvQemuStorageLookupFunc lookup,
                                  gpointer user_data, GError **error);

/** mv_qemu_storage_resolve_def: mv_qemu_storage_resolve_disk() for every disk of @def. */
bool mv_qemu_storage_resolve_def(MvDomainDef *def, MvQemuStorageLookupFunc lookup,
                                 gpointer user_data, GError **error);

/**
 * mv_qemu_storage_resolve:
 * Resolves the volume disks of @def (the live copy of a starting guest)
 * through modvirt-storaged (driver->storage_socket), over one connection
 * opened only when @def has a volume disk. When storaged is not running the
 * error says so and how to start it.
 */
bool mv_qemu_storage_resolve(MvQemuDriver *driver, MvDomainDef *def, GError **error);

/** mv_qemu_storage_resolve_one: the same for one disk being hot-plugged. */
bool mv_qemu_storage_resolve_one(MvQemuDriver *driver, MvDomainDiskDef *disk, GError **error);

G_END_DECLS
