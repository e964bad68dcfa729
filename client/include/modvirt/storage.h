/* libmodvirt storage pools and volumes.
 *
 * An MvStoragePool is a handle: the pool's name and UUID plus a reference to
 * its connection. An MvStorageVolume is a handle: the volume's pool name,
 * name and key (a stable identifier; the path for directory pools). Every
 * query asks the daemon (modvirt-storaged, opened on the first storage call
 * of a connection); only the get_name/_uuid_string/_key/_pool_name
 * accessors read the handle.
 *
 * Names say what happens:
 *   mv_storage_pool_build           creates the pool's storage (e.g. its directory)
 *   mv_storage_pool_start           makes the pool usable (mounts, scans volumes)
 *   mv_storage_pool_stop            stops using it; nothing on disk is touched
 *   mv_storage_pool_delete_storage  removes the pool's storage (e.g. its
 *                                   directory); the definition stays
 *   mv_storage_pool_undefine        removes the persistent definition only
 *   mv_storage_volume_delete        removes the volume and its data
 *   mv_storage_volume_wipe          overwrites the volume's data with zeros;
 *                                   the volume stays
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include <modvirt/connect.h>
#include <modvirt/stream.h>

G_BEGIN_DECLS

typedef struct _MvStoragePool MvStoragePool;
typedef struct _MvStorageVolume MvStorageVolume;

/* The state of a pool (the wire values). */
typedef enum {
    MV_STORAGE_POOL_STATE_INACTIVE = 0,
    MV_STORAGE_POOL_STATE_BUILDING = 1,
    MV_STORAGE_POOL_STATE_RUNNING = 2,
    MV_STORAGE_POOL_STATE_DEGRADED = 3,     /* running, but some storage is missing */
    MV_STORAGE_POOL_STATE_INACCESSIBLE = 4, /* running, but cannot be reached */
    MV_STORAGE_POOL_STATE_LAST
} MvStoragePoolState;

/* What mv_storage_pool_get_info() reports. Sizes are in bytes; all 0 while
 * the pool is inactive. */
typedef struct {
    MvStoragePoolState state;
    guint64 capacity;                   /* the pool's total size */
    guint64 allocation;                 /* used by volumes (and the filesystem) */
    guint64 available;                  /* free for new volumes */
} MvStoragePoolInfo;

/* The kind of a volume (the wire values). */
typedef enum {
    MV_STORAGE_VOLUME_FILE = 0,
    MV_STORAGE_VOLUME_BLOCK = 1,
    MV_STORAGE_VOLUME_DIR = 2,
    MV_STORAGE_VOLUME_NETWORK = 3,
    MV_STORAGE_VOLUME_NETDIR = 4,
    MV_STORAGE_VOLUME_PLOOP = 5,
    MV_STORAGE_VOLUME_TYPE_LAST
} MvStorageVolumeType;

/* What mv_storage_volume_get_info() reports, sizes in bytes. */
typedef struct {
    MvStorageVolumeType type;
    guint64 capacity;                   /* what the guest sees */
    guint64 allocation;                 /* what the host has allocated */
} MvStorageVolumeInfo;

/* Flags of mv_connect_list_storage_pools(): each pair filters only when one
 * of its bits is given; no flags lists every pool. (The library translates
 * them: on the wire pools number INACTIVE 1 and ACTIVE 2.) */
typedef enum {
    MV_LIST_STORAGE_POOLS_ACTIVE = 1u << 0,
    MV_LIST_STORAGE_POOLS_INACTIVE = 1u << 1,
    MV_LIST_STORAGE_POOLS_PERSISTENT = 1u << 2,
    MV_LIST_STORAGE_POOLS_TRANSIENT = 1u << 3,
    MV_LIST_STORAGE_POOLS_AUTOSTART = 1u << 4,
    MV_LIST_STORAGE_POOLS_NO_AUTOSTART = 1u << 5,
} MvListStoragePoolsFlags;

/* Flags of mv_storage_pool_define(). */
typedef enum {
    MV_STORAGE_POOL_DEFINE_VALIDATE = 1u << 0,  /* check the XML against the schema */
} MvStoragePoolDefineFlags;

/* Flags of mv_storage_pool_build() (at most one of them). */
typedef enum {
    MV_STORAGE_POOL_BUILD_NO_OVERWRITE = 1u << 2,   /* fail if storage already exists */
    MV_STORAGE_POOL_BUILD_OVERWRITE = 1u << 3,      /* format over existing storage */
} MvStoragePoolBuildFlags;

/* Flags of mv_storage_pool_start(). */
typedef enum {
    MV_STORAGE_POOL_START_BUILD = 1u << 0,          /* build the pool first */
    MV_STORAGE_POOL_START_BUILD_OVERWRITE = 1u << 1,    /* ... as BUILD_OVERWRITE */
    MV_STORAGE_POOL_START_BUILD_NO_OVERWRITE = 1u << 2, /* ... as BUILD_NO_OVERWRITE */
} MvStoragePoolStartFlags;

/* Flags of mv_storage_pool_get_xml(). */
typedef enum {
    MV_STORAGE_POOL_XML_INACTIVE = 1u << 0, /* the persistent definition, not the live one */
} MvStoragePoolXmlFlags;

/* Flags of mv_storage_volume_create() and mv_storage_volume_create_from(). */
typedef enum {
    /* Allocate only the image's metadata (qcow2), not its data. */
    MV_STORAGE_VOLUME_CREATE_PREALLOC_METADATA = 1u << 0,
    /* create_from only: share the source's blocks (reflink) when the
     * filesystem can. */
    MV_STORAGE_VOLUME_CREATE_REFLINK = 1u << 1,
    MV_STORAGE_VOLUME_CREATE_VALIDATE = 1u << 2,    /* check the XML against the schema */
} MvStorageVolumeCreateFlags;

/* Flags of mv_storage_volume_resize(). */
typedef enum {
    MV_STORAGE_VOLUME_RESIZE_ALLOCATE = 1u << 0,    /* allocate the new space now */
    MV_STORAGE_VOLUME_RESIZE_DELTA = 1u << 1,       /* @capacity is added to the current size */
    MV_STORAGE_VOLUME_RESIZE_SHRINK = 1u << 2,      /* allow making it smaller (data is lost) */
} MvStorageVolumeResizeFlags;

/* ---- pools: finding and defining ------------------------------------------ */

/**
 * mv_connect_list_storage_pools:
 * @flags: MvListStoragePoolsFlags; 0 lists every pool.
 * @ret_count: (out) (optional) the number of pools returned.
 *
 * Lists the pools in one call to the storage daemon (a consistent snapshot).
 *
 * Returns: (transfer full) a NULL-terminated array of new handles sorted by
 *   name, empty (just the NULL) when there are none; free it with
 *   mv_storage_pool_list_free(). NULL with @error set on failure
 *   (MV_ERROR_NO_CONNECT when modvirt-storaged cannot be reached).
 */
MvStoragePool **mv_connect_list_storage_pools(MvConnect *conn, unsigned int flags,
                                              gsize *ret_count, GError **error);

/**
 * mv_storage_pool_list_free:
 * Unrefs every handle of a NULL-terminated @list and frees the array. NULL is fine.
 */
void mv_storage_pool_list_free(MvStoragePool **list);

/**
 * mv_storage_pool_lookup_by_name:
 * @flags: none defined, pass 0.
 * Returns: (transfer full) a new handle, or NULL with @error set
 *   (MV_ERROR_NO_STORAGE_POOL when there is no such pool).
 */
MvStoragePool *mv_storage_pool_lookup_by_name(MvConnect *conn, const char *name,
                                              unsigned int flags, GError **error);

/**
 * mv_storage_pool_lookup_by_uuid:
 * @uuid: the UUID as a string; a malformed one fails with
 *   MV_ERROR_INVALID_ARG before anything is sent.
 * @flags: none defined, pass 0.
 * Returns: (transfer full) a new handle, or NULL with @error set
 *   (MV_ERROR_NO_STORAGE_POOL when there is no such pool).
 */
MvStoragePool *mv_storage_pool_lookup_by_uuid(MvConnect *conn, const char *uuid,
                                              unsigned int flags, GError **error);

/**
 * mv_storage_pool_lookup_by_volume:
 * @flags: none defined, pass 0.
 * Returns: (transfer full) a new handle to the pool that holds @vol, or
 *   NULL with @error set.
 */
MvStoragePool *mv_storage_pool_lookup_by_volume(MvStorageVolume *vol, unsigned int flags,
                                                GError **error);

/**
 * mv_storage_pool_define:
 * @xml: the pool XML.
 * @flags: MvStoragePoolDefineFlags.
 * Creates a persistent definition. Nothing is built or started.
 * Returns: (transfer full) a handle to the pool, or NULL with @error set.
 */
MvStoragePool *mv_storage_pool_define(MvConnect *conn, const char *xml, unsigned int flags,
                                      GError **error);

/* ---- pools: the handle ---------------------------------------------------- */

/** mv_storage_pool_ref: adds a reference to @pool; returns it. NULL is returned unchanged. */
MvStoragePool *mv_storage_pool_ref(MvStoragePool *pool);

/** mv_storage_pool_unref: drops a reference; the last one frees the handle. NULL is fine. */
void mv_storage_pool_unref(MvStoragePool *pool);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvStoragePool, mv_storage_pool_unref)

/** mv_storage_pool_get_name: (transfer none) the name; valid while @pool is. Makes no call. */
const char *mv_storage_pool_get_name(MvStoragePool *pool);

/** mv_storage_pool_get_uuid_string: (transfer none) the UUID as a string. Makes no call. */
const char *mv_storage_pool_get_uuid_string(MvStoragePool *pool);

/** mv_storage_pool_get_connect: (transfer none) the connection of @pool. */
MvConnect *mv_storage_pool_get_connect(MvStoragePool *pool);

/* ---- pools: lifecycle ----------------------------------------------------- */

/**
 * mv_storage_pool_build:
 * @flags: MvStoragePoolBuildFlags.
 * Creates the pool's underlying storage (a directory, a filesystem, a
 * volume group). The pool must be inactive.
 * Returns: true on success; false with @error set.
 */
bool mv_storage_pool_build(MvStoragePool *pool, unsigned int flags, GError **error);

/**
 * mv_storage_pool_start:
 * @flags: MvStoragePoolStartFlags.
 * Starts a defined pool (mounting or activating its storage) and scans its
 * volumes.
 * Returns: true on success; false with @error set (MV_ERROR_OPERATION_INVALID
 *   when it is already active).
 */
bool mv_storage_pool_start(MvStoragePool *pool, unsigned int flags, GError **error);

/**
 * mv_storage_pool_stop:
 * @flags: none defined, pass 0.
 * Stops the pool: its volumes can no longer be used through it. Nothing on
 * disk is removed; a transient pool disappears.
 * Returns: true on success; false with @error set.
 */
bool mv_storage_pool_stop(MvStoragePool *pool, unsigned int flags, GError **error);

/**
 * mv_storage_pool_delete_storage:
 * @flags: none defined, pass 0.
 * Removes the pool's underlying storage (the reverse of
 * mv_storage_pool_build(): e.g. the directory). The pool must be inactive;
 * its definition stays.
 * Returns: true on success; false with @error set.
 */
bool mv_storage_pool_delete_storage(MvStoragePool *pool, unsigned int flags, GError **error);

/**
 * mv_storage_pool_undefine:
 * @flags: none defined, pass 0.
 * Removes the persistent definition; nothing on disk is touched. An active
 * pool keeps running until it is stopped.
 * Returns: true on success; false with @error set.
 */
bool mv_storage_pool_undefine(MvStoragePool *pool, unsigned int flags, GError **error);

/**
 * mv_storage_pool_refresh:
 * @flags: none defined, pass 0.
 * Rescans the pool's volumes and sizes (after changes made outside modvirt).
 * Returns: true on success; false with @error set.
 */
bool mv_storage_pool_refresh(MvStoragePool *pool, unsigned int flags, GError **error);

/* ---- pools: queries and settings ------------------------------------------ */

/**
 * mv_storage_pool_get_info:
 * @flags: none defined, pass 0.
 * @ret_info: (out) filled on success, untouched on failure.
 * Returns: true on success; false with @error set.
 */
bool mv_storage_pool_get_info(MvStoragePool *pool, unsigned int flags,
                              MvStoragePoolInfo *ret_info, GError **error);

/**
 * mv_storage_pool_get_xml:
 * @flags: MvStoragePoolXmlFlags.
 * Returns: (transfer full) the pool XML; g_free() it. NULL with @error set.
 */
char *mv_storage_pool_get_xml(MvStoragePool *pool, unsigned int flags, GError **error);

/**
 * mv_storage_pool_get_autostart:
 * @flags: none defined, pass 0.
 * @ret_autostart: (out) untouched on failure.
 * Returns: true on success; false with @error set.
 */
bool mv_storage_pool_get_autostart(MvStoragePool *pool, unsigned int flags,
                                   bool *ret_autostart, GError **error);

/**
 * mv_storage_pool_set_autostart:
 * @autostart: whether the daemon starts the pool when it starts.
 * @flags: none defined, pass 0.
 * Returns: true on success; false with @error set.
 */
bool mv_storage_pool_set_autostart(MvStoragePool *pool, bool autostart, unsigned int flags,
                                   GError **error);

/**
 * mv_storage_pool_is_active:
 * @flags: none defined, pass 0.
 * @ret_active: (out) whether the pool is running; untouched on failure.
 * Returns: true on success; false with @error set.
 */
bool mv_storage_pool_is_active(MvStoragePool *pool, unsigned int flags, bool *ret_active,
                               GError **error);

/**
 * mv_storage_pool_is_persistent:
 * @flags: none defined, pass 0.
 * @ret_persistent: (out) whether it has a persistent definition; untouched
 *   on failure.
 * Returns: true on success; false with @error set.
 */
bool mv_storage_pool_is_persistent(MvStoragePool *pool, unsigned int flags,
                                   bool *ret_persistent, GError **error);

/**
 * mv_storage_pool_list_volumes:
 * @flags: none defined, pass 0.
 * @ret_count: (out) (optional) the number of volumes returned.
 * Lists the volumes of an active pool in one call.
 * Returns: (transfer full) a NULL-terminated array of new handles sorted by
 *   name, empty (just the NULL) when there are none; free it with
 *   mv_storage_volume_list_free(). NULL with @error set.
 */
MvStorageVolume **mv_storage_pool_list_volumes(MvStoragePool *pool, unsigned int flags,
                                               gsize *ret_count, GError **error);

/**
 * mv_storage_pool_state_name:
 * Returns: (transfer none) "inactive", "building", "running", "degraded",
 *   "inaccessible"; "unknown" for other values. A static string.
 */
const char *mv_storage_pool_state_name(MvStoragePoolState state);

/* ---- volumes: finding and creating ---------------------------------------- */

/**
 * mv_storage_volume_list_free:
 * Unrefs every handle of a NULL-terminated @list and frees the array. NULL is fine.
 */
void mv_storage_volume_list_free(MvStorageVolume **list);

/**
 * mv_storage_volume_lookup_by_name:
 * @flags: none defined, pass 0.
 * Returns: (transfer full) a new handle to the volume @name of @pool, or
 *   NULL with @error set (MV_ERROR_NO_STORAGE_VOLUME when there is none).
 */
MvStorageVolume *mv_storage_volume_lookup_by_name(MvStoragePool *pool, const char *name,
                                                  unsigned int flags, GError **error);

/**
 * mv_storage_volume_lookup_by_key:
 * @key: the volume's key (see mv_storage_volume_get_key()).
 * @flags: none defined, pass 0.
 * Returns: (transfer full) a new handle, or NULL with @error set
 *   (MV_ERROR_NO_STORAGE_VOLUME when no pool has such a volume).
 */
MvStorageVolume *mv_storage_volume_lookup_by_key(MvConnect *conn, const char *key,
                                                 unsigned int flags, GError **error);

/**
 * mv_storage_volume_lookup_by_path:
 * @path: a path on the host, e.g. "/var/lib/modvirt/images/disk.qcow2".
 * @flags: none defined, pass 0.
 * Returns: (transfer full) a new handle, or NULL with @error set
 *   (MV_ERROR_NO_STORAGE_VOLUME when no pool has a volume at @path).
 */
MvStorageVolume *mv_storage_volume_lookup_by_path(MvConnect *conn, const char *path,
                                                  unsigned int flags, GError **error);

/**
 * mv_storage_volume_create:
 * @xml: the volume XML (name, capacity, format, ...).
 * @flags: MvStorageVolumeCreateFlags except MV_STORAGE_VOLUME_CREATE_REFLINK.
 * Creates a new, empty volume in the active @pool.
 * Returns: (transfer full) a handle to it, or NULL with @error set.
 */
MvStorageVolume *mv_storage_volume_create(MvStoragePool *pool, const char *xml,
                                          unsigned int flags, GError **error);

/**
 * mv_storage_volume_create_from:
 * @xml: the new volume's XML.
 * @source: the volume whose data is copied (it may be in another pool).
 * @flags: MvStorageVolumeCreateFlags.
 * Creates a new volume in @pool holding a copy of @source's data.
 * Returns: (transfer full) a handle to it, or NULL with @error set.
 */
MvStorageVolume *mv_storage_volume_create_from(MvStoragePool *pool, const char *xml,
                                               MvStorageVolume *source, unsigned int flags,
                                               GError **error);

/* ---- volumes: the handle ---------------------------------------------------- */

/** mv_storage_volume_ref: adds a reference to @vol; returns it. NULL is returned unchanged. */
MvStorageVolume *mv_storage_volume_ref(MvStorageVolume *vol);

/** mv_storage_volume_unref: drops a reference; the last one frees the handle. NULL is fine. */
void mv_storage_volume_unref(MvStorageVolume *vol);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvStorageVolume, mv_storage_volume_unref)

/** mv_storage_volume_get_name: (transfer none) the name; valid while @vol is. Makes no call. */
const char *mv_storage_volume_get_name(MvStorageVolume *vol);

/**
 * mv_storage_volume_get_key:
 * Returns: (transfer none) the volume's key, its stable identifier across
 *   pools (the path for directory pools). Makes no call.
 */
const char *mv_storage_volume_get_key(MvStorageVolume *vol);

/** mv_storage_volume_get_pool_name: (transfer none) the name of its pool. Makes no call. */
const char *mv_storage_volume_get_pool_name(MvStorageVolume *vol);

/** mv_storage_volume_get_connect: (transfer none) the connection of @vol. */
MvConnect *mv_storage_volume_get_connect(MvStorageVolume *vol);

/* ---- volumes: operations and queries ---------------------------------------- */

/**
 * mv_storage_volume_delete:
 * @flags: none defined, pass 0.
 * Removes the volume and its data from its pool.
 * Returns: true on success; false with @error set.
 */
bool mv_storage_volume_delete(MvStorageVolume *vol, unsigned int flags, GError **error);

/**
 * mv_storage_volume_wipe:
 * @flags: none defined, pass 0.
 * Overwrites the volume's data with zeros; the volume stays, as large as before.
 * Returns: true on success; false with @error set.
 */
bool mv_storage_volume_wipe(MvStorageVolume *vol, unsigned int flags, GError **error);

/**
 * mv_storage_volume_resize:
 * @capacity: the new capacity in bytes (the increase with
 *   MV_STORAGE_VOLUME_RESIZE_DELTA).
 * @flags: MvStorageVolumeResizeFlags. Shrinking fails without
 *   MV_STORAGE_VOLUME_RESIZE_SHRINK.
 * Returns: true on success; false with @error set.
 */
bool mv_storage_volume_resize(MvStorageVolume *vol, guint64 capacity, unsigned int flags,
                              GError **error);

/**
 * mv_storage_volume_get_info:
 * @flags: none defined, pass 0.
 * @ret_info: (out) filled on success, untouched on failure.
 * Returns: true on success; false with @error set.
 */
bool mv_storage_volume_get_info(MvStorageVolume *vol, unsigned int flags,
                                MvStorageVolumeInfo *ret_info, GError **error);

/**
 * mv_storage_volume_get_xml:
 * @flags: none defined, pass 0.
 * Returns: (transfer full) the volume XML; g_free() it. NULL with @error set.
 */
char *mv_storage_volume_get_xml(MvStorageVolume *vol, unsigned int flags, GError **error);

/**
 * mv_storage_volume_get_path:
 * @flags: none defined, pass 0.
 * Returns: (transfer full) the volume's path on the host (what a domain's
 *   <disk><source file=.../> names); g_free() it. NULL with @error set.
 */
char *mv_storage_volume_get_path(MvStorageVolume *vol, unsigned int flags, GError **error);

/* ---- volumes: data streams ---------------------------------------------------- */

/* Flags of mv_storage_volume_upload() and _download() (libvirt's
 * VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM / DOWNLOAD_SPARSE_STREAM, both 1). */
typedef enum {
    /* Holes travel as holes (mv_stream_send_hole(), mv_stream_read_sparse()),
     * so a sparse volume moves in time proportional to its data. */
    MV_STORAGE_VOLUME_TRANSFER_SPARSE = 1u << 0,
} MvStorageVolumeTransferFlags;

/**
 * mv_storage_volume_upload:
 * @offset: where in the volume to start writing, in bytes.
 * @length: how many bytes will be sent; 0 up to the end of the volume.
 * @flags: MvStorageVolumeTransferFlags.
 * Opens a stream that writes into the volume: send the data with
 * mv_stream_write() (in packets of at most 262120 bytes), then
 * mv_stream_finish(), which returns once the daemon has stored everything
 * (or reports why it could not). mv_stream_abort() cancels. With
 * MV_STORAGE_VOLUME_TRANSFER_SPARSE, mv_stream_send_hole() sends runs of
 * zeros as holes (the daemon punches them); mv_stream_send_file() does all of
 * it for a local file.
 * Returns: (transfer full) the stream, or NULL with @error set.
 */
MvStream *mv_storage_volume_upload(MvStorageVolume *vol, guint64 offset, guint64 length,
                                   unsigned int flags, GError **error);

/**
 * mv_storage_volume_download:
 * @offset: where in the volume to start reading, in bytes.
 * @length: how many bytes to read; 0 up to the end of the volume.
 * @flags: MvStorageVolumeTransferFlags.
 * Opens a stream that reads the volume: mv_stream_read() returns the data
 * and 0 once all of it has arrived; then call mv_stream_finish(). With
 * MV_STORAGE_VOLUME_TRANSFER_SPARSE the daemon sends the volume's holes as
 * holes (mv_stream_read_sparse() sees them; mv_stream_read() gets zeros);
 * mv_stream_recv_file() writes them as holes into a local file.
 * Returns: (transfer full) the stream, or NULL with @error set.
 */
MvStream *mv_storage_volume_download(MvStorageVolume *vol, guint64 offset, guint64 length,
                                     unsigned int flags, GError **error);

/**
 * mv_storage_volume_type_name:
 * Returns: (transfer none) "file", "block", "dir", "network", "netdir",
 *   "ploop"; "unknown" for other values. A static string.
 */
const char *mv_storage_volume_type_name(MvStorageVolumeType type);

G_END_DECLS
