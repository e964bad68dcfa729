/* Storage pool backends: one small vtable per pool type (dir, fs, logical,
 * netfs, disk, iscsi) doing the host work of pools and volumes on parsed
 * definitions. No RPC, no objects, no locks: the daemon (storage-driver.c)
 * owns those and calls a backend from a job, so a long call (clone, wipe, a
 * big allocation) only holds its own volume.
 *
 * Every call takes `GError **error` last and returns bool (or a pointer);
 * errors are MV_ERROR with subsystem MV_FROM_STORAGE and libvirt's codes:
 * MV_ERR_OPERATION_UNSUPPORTED when the pool type cannot do something,
 * MV_ERR_NO_SUPPORT naming the missing kernel feature or program when the
 * host cannot, MV_ERR_OPERATION_FAILED when a file is in the way or a tool
 * fails, MV_ERR_OPERATION_ABORTED when cancelled.
 *
 * In-progress volumes: a volume being created or cloned is written as
 * `.NAME.mvpart` in the pool's target directory and renamed to NAME only once
 * complete; refresh never lists in-progress files, and
 * mv_storage_backend_list_partial() / mv_storage_backend_clean_partial() let
 * the daemon report or remove what a crash left behind. */
#pragma once

#include <gio/gio.h>
#include <stdbool.h>

#include "storage-pool-def.h"
#include "storage-vol-def.h"

G_BEGIN_DECLS

/* Pool build flags (virStoragePoolBuildFlags values). */
typedef enum {
    MV_STORAGE_BUILD_NEW = 0,
    MV_STORAGE_BUILD_REPAIR = 1u << 0,
    MV_STORAGE_BUILD_RESIZE = 1u << 1,
    MV_STORAGE_BUILD_NO_OVERWRITE = 1u << 2,    /* refuse if the device holds data */
    MV_STORAGE_BUILD_OVERWRITE = 1u << 3,       /* mkfs / vgcreate over existing data */
} MvStorageBuildFlags;

/* Pool delete flags (virStoragePoolDeleteFlags). */
typedef enum {
    MV_STORAGE_POOL_DELETE_NORMAL = 0,
    MV_STORAGE_POOL_DELETE_ZEROED = 1u << 0,
} MvStoragePoolDeleteFlags;

/* Volume create flags (virStorageVolCreateFlags). */
typedef enum {
    MV_STORAGE_VOL_CREATE_PREALLOC_METADATA = 1u << 0,
    MV_STORAGE_VOL_CREATE_REFLINK = 1u << 1,
    MV_STORAGE_VOL_CREATE_VALIDATE = 1u << 2,   /* parse-time only; ignored here */
} MvStorageVolCreateFlags;

/* Volume delete flags (virStorageVolDeleteFlags). */
typedef enum {
    MV_STORAGE_VOL_DELETE_NORMAL = 0,
    MV_STORAGE_VOL_DELETE_ZEROED = 1u << 0,
    MV_STORAGE_VOL_DELETE_WITH_SNAPSHOTS = 1u << 1,
} MvStorageVolDeleteFlags;

/* Volume resize flags (virStorageVolResizeFlags). */
typedef enum {
    MV_STORAGE_VOL_RESIZE_ALLOCATE = 1u << 0,
    MV_STORAGE_VOL_RESIZE_DELTA = 1u << 1,
    MV_STORAGE_VOL_RESIZE_SHRINK = 1u << 2,
} MvStorageVolResizeFlags;

/* Wipe algorithms (virStorageVolWipeAlgorithm values). */
typedef enum {
    MV_STORAGE_WIPE_ZERO = 0,
    MV_STORAGE_WIPE_NNSA,
    MV_STORAGE_WIPE_DOD,
    MV_STORAGE_WIPE_BSI,
    MV_STORAGE_WIPE_GUTMANN,
    MV_STORAGE_WIPE_SCHNEIER,
    MV_STORAGE_WIPE_PFITZNER7,
    MV_STORAGE_WIPE_PFITZNER33,
    MV_STORAGE_WIPE_RANDOM,
    MV_STORAGE_WIPE_TRIM,
    MV_STORAGE_WIPE_LAST
} MvStorageWipeAlgorithm;

/**
 * MvStorageProgressFunc:
 * Called now and then during a long volume operation with the bytes done so
 * far out of @total (0 when unknown), from the thread running the operation.
 */
typedef void (*MvStorageProgressFunc)(guint64 done, guint64 total, gpointer user_data);

/* A LUKS passphrase handed in by the caller (stor-secret looks it up). The
 * backend passes it to qemu-img through a memfd, never on a command line, and
 * never keeps it. */
typedef struct {
    const guint8 *data;
    gsize len;
} MvStoragePassphrase;

/* What a long volume operation reports to and is stopped by. All optional. */
typedef struct {
    MvStorageProgressFunc progress;
    gpointer progress_data;
    GCancellable *cancellable;
} MvStorageJobCtl;

/* Pool sizes after a refresh, in bytes. */
typedef struct {
    guint64 capacity;
    guint64 allocation;
    guint64 available;
} MvStoragePoolSizes;

typedef struct _MvStorageBackend MvStorageBackend;

struct _MvStorageBackend {
    MvStoragePoolType type;

    /* The host has what this type needs (kernel features, programs), checked
     * without side effects. False with MV_ERR_NO_SUPPORT naming what is
     * missing. NULL: always usable. */
    bool (*check_host)(const MvStoragePoolDef *def, GError **error);

    /* pool-build (MvStorageBuildFlags): mkdir the target, mkfs, vgcreate…
     * NULL: nothing to build (success). */
    bool (*build)(const MvStoragePoolDef *def, unsigned int flags, GError **error);

    /* Makes the pool usable (attach + mount, activate the VG). Refuses to do
     * anything twice: call is_started first. */
    bool (*start)(const MvStoragePoolDef *def, GError **error);

    /* Whether the pool is already started on the host (an fs pool already
     * mounted at its target from an earlier daemon run): the daemon then takes
     * it back instead of starting it. Errors when something else is there
     * (another device mounted on the target). */
    bool (*is_started)(const MvStoragePoolDef *def, bool *ret_started, GError **error);

    /* Undoes start (unmount, detach the loop device). NULL: nothing to do. */
    bool (*stop)(const MvStoragePoolDef *def, GError **error);

    /* pool-delete (MvStoragePoolDeleteFlags): removes what build made. */
    bool (*delete)(const MvStoragePoolDef *def, unsigned int flags, GError **error);

    /* Lists the volumes (new MvStorageVolDef with name, key, type, target path
     * and format, capacity, allocation, physical, backing store, permissions)
     * into *@ret_vols (element free func set) and the pool's sizes. */
    bool (*refresh)(const MvStoragePoolDef *def, GPtrArray **ret_vols,
                    MvStoragePoolSizes *ret_sizes, GError **error);

    /* find-storage-pool-sources: the <sources> XML for @spec_xml (may be NULL).
     * NULL entry: MV_ERR_NO_SUPPORT. */
    char *(*find_sources)(const char *spec_xml, unsigned int flags, GError **error);

    /* Fills @vol's key, target path and default format/type for a new volume
     * named vol->name in @pool, and checks that it can be created (name,
     * format, encryption, backing store). Cheap: the daemon calls it before it
     * registers the volume and starts the create job. */
    bool (*vol_prepare)(const MvStoragePoolDef *pool, MvStorageVolDef *vol, GError **error);

    /* Creates @vol (prepared) with its capacity/allocation/format. Written under
     * the in-progress name and renamed when complete; on failure (ENOSPC,
     * cancel) nothing is left. @passphrase is required for an encrypted
     * volume. Updates @vol's sizes from the new file. */
    bool (*vol_create)(const MvStoragePoolDef *pool, MvStorageVolDef *vol,
                       const MvStoragePassphrase *passphrase, unsigned int flags,
                       const MvStorageJobCtl *ctl, GError **error);

    /* Creates @vol (prepared) as a copy of the volume at @src_path of format
     * @src_format, converting the format when they differ; raw to raw keeps
     * holes. @passphrase: for an encrypted target. */
    bool (*vol_create_from)(const MvStoragePoolDef *pool, MvStorageVolDef *vol,
                            const char *src_path, MvStorageVolFormat src_format,
                            const MvStoragePassphrase *passphrase, unsigned int flags,
                            const MvStorageJobCtl *ctl, GError **error);

    /* Removes the volume (MvStorageVolDeleteFlags). */
    bool (*vol_delete)(const MvStoragePoolDef *pool, const MvStorageVolDef *vol,
                       unsigned int flags, GError **error);

    /* Overwrites the volume's data (MvStorageWipeAlgorithm); unsupported
     * algorithms are refused with MV_ERR_OPERATION_UNSUPPORTED naming them. */
    bool (*vol_wipe)(const MvStoragePoolDef *pool, const MvStorageVolDef *vol,
                     unsigned int algorithm, const MvStorageJobCtl *ctl, GError **error);

    /* Changes the capacity (MvStorageVolResizeFlags) and updates @vol. */
    bool (*vol_resize)(const MvStoragePoolDef *pool, MvStorageVolDef *vol,
                       guint64 capacity, unsigned int flags, const MvStorageJobCtl *ctl,
                       GError **error);

    /* Re-reads one volume's sizes, format and backing store into @vol. */
    bool (*vol_refresh)(const MvStoragePoolDef *pool, MvStorageVolDef *vol, GError **error);
};

/**
 * mv_storage_backend_for:
 * The backend of pool type @type; never NULL for a valid type (netfs, disk and
 * iscsi backends refuse to build or start, naming what the host lacks).
 */
const MvStorageBackend *mv_storage_backend_for(MvStoragePoolType type);

/* ---- helpers the daemon calls directly ------------------------------------ */

/**
 * mv_storage_backend_partial_path:
 * The in-progress path of a volume file: `DIR/.NAME.mvpart` for @path
 * `DIR/NAME`. Caller frees.
 */
char *mv_storage_backend_partial_path(const char *path);

/**
 * mv_storage_backend_is_partial_name:
 * True when the file name @name (no directory) is an in-progress name.
 */
bool mv_storage_backend_is_partial_name(const char *name);

/**
 * mv_storage_backend_list_partial:
 * The in-progress files of @pool (a pool whose volumes are files; others
 * give an empty list): full paths into *@ret_paths (caller unrefs).
 */
bool mv_storage_backend_list_partial(const MvStoragePoolDef *pool, GPtrArray **ret_paths,
                                     GError **error);

/**
 * mv_storage_backend_clean_partial:
 * Removes the in-progress files of @pool (what a killed create/clone left);
 * the removed volume names (without the in-progress decoration) go into
 * *@ret_names when non-NULL (caller unrefs). Call it only when no job of
 * this daemon is writing in the pool (at start, before serving).
 */
bool mv_storage_backend_clean_partial(const MvStoragePoolDef *pool, GPtrArray **ret_names,
                                      GError **error);

/**
 * mv_storage_backend_wipe_algorithm_to_string:
 * "zero", "nnsa", "dod", "bsi", "gutmann", "schneier", "pfitzner7",
 * "pfitzner33", "random", "trim"; NULL when unknown.
 */
const char *mv_storage_backend_wipe_algorithm_to_string(unsigned int algorithm);

G_END_DECLS
