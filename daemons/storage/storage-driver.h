/* modvirt-storaged's process-wide state, its pools (driver-frame objects),
 * the volumes inside them, and its entry points for the shared daemon main.
 *
 * Locking: each pool has one mutex (pool->lock) that protects the pool's
 * fields *and* its volume tables and every volume's fields; it is only ever
 * held for memory work, never across I/O. A call that changes the pool
 * (define over it, start, destroy, build, delete, refresh, undefine) takes
 * the pool's job (mv_storage_pool_begin_job). A long volume operation
 * (create, clone, wipe, resize, delete) takes its *volume's* job instead
 * (mv_storage_vol_begin_job: no waiting, refused when the volume is busy)
 * and counts as an asynchronous job of the pool, which makes destroy,
 * refresh, delete and undefine of that pool refuse instead of waiting; the
 * I/O then runs with no lock held, so queries on other volumes and pools,
 * and on the pool itself, never wait for it. A volume being created is
 * registered (its name is taken) but not listed or found until complete. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "daemon/daemon.h"
#include "daemon/driver-call.h"
#include "driver/events.h"
#include "driver/list.h"
#include "driver/store.h"
#include "storage-backend.h"
#include "storage-pool-def.h"
#include "storage-vol-def.h"

G_BEGIN_DECLS

/* How long a pool-changing call waits for another one on the same pool
 * (default; [storage] job_wait_ms in storage.conf). */
#define MV_STORAGE_JOB_WAIT_MS 30000

/* The [storage] group of storage.conf (storage-driver.c reads every key). */
typedef struct {
    int job_wait_ms;            /* 0: the default */
    int max_long_jobs;          /* 0: half the server's workers */
} MvStorageConfig;

void mv_storage_config_free(MvStorageConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvStorageConfig, mv_storage_config_free)

typedef struct _MvStoragePoolObj MvStoragePoolObj;
typedef struct _MvStorageVolObj MvStorageVolObj;

/* libvirt's pool states (virStoragePoolState, STORAGE_POOL_GET_INFO). */
typedef enum {
    MV_STORAGE_POOL_STATE_INACTIVE = 0,
    MV_STORAGE_POOL_STATE_BUILDING = 1,
    MV_STORAGE_POOL_STATE_RUNNING = 2,
    MV_STORAGE_POOL_STATE_DEGRADED = 3,
    MV_STORAGE_POOL_STATE_INACCESSIBLE = 4,
} MvStoragePoolState;

/* A volume of an active pool. Fields are protected by its pool's lock. */
struct _MvStorageVolObj {
    gint ref;
    MvStorageVolDef *def;       /* name, key, target path, sizes, format */
    MvStoragePoolObj *pool;     /* not a reference: cleared when the volume leaves */
    const char *job;            /* the API running a long operation on it, or NULL */
    guint readers;              /* clones reading from it (delete/wipe/resize refuse) */
    bool building;              /* being created: its name is taken, it is not listed */
    bool removed;               /* gone from its pool */
};

struct _MvStoragePoolObj {
    /* ref, lock, cond, driver (the MvStorageDriver), name, uuid, id (unused:
     * -1), persistent, autostart, removed, job */
    MV_DRIVER_OBJECT_HEADER;

    MvStoragePoolDef *def;      /* the persistent config (or the transient def) */
    MvStoragePoolDef *newdef;   /* config redefined while active: applied at stop */
    bool active;
    bool starting;              /* a start (or take-back) is in progress */
    bool stopping;              /* a stop is in progress: no new volume jobs */
    guint async_jobs;           /* long volume jobs running in this pool */
    guint vol_generation;       /* bumped when a volume job ends (refresh re-reads) */
    MvStoragePoolSizes sizes;   /* from the last refresh (active only) */

    GHashTable *vols;           /* name -> MvStorageVolObj (the table's reference) */
    GHashTable *vols_by_key;    /* key -> MvStorageVolObj (borrowed) */
    GHashTable *vols_by_path;   /* target path -> MvStorageVolObj (borrowed) */
};

extern const MvDriverObjectClass mv_storage_pool_class;

#define MV_STORAGE_POOL_OBJ(o) ((MvStoragePoolObj *)(o))

typedef struct {
    MvDaemon *daemon;
    int job_wait_ms;
    guint max_long_jobs;        /* long volume jobs at once (they hold workers) */
    guint long_jobs;            /* running now (long_jobs_lock) */
    GMutex long_jobs_lock;

    MvDriverStore *store;       /* <etc>/storage definitions (+ autostart/), <run>/storage */
    char *state_dir;            /* <run>/storage: status files of active pools */

    MvDriverList *pools;
    MvDriverEvents *events;
    GMutex define_lock;         /* name/UUID/target checks + adds/removes by define,
                                 * create, undefine */

    /* What the last start found of partial volumes (killed creates and clones):
     * "pool/name" strings, for the log and the tests. */
    GPtrArray *partial_removed;

    /* The passphrase of an encrypted volume, from the secrets (stor-secret
     * wires both in at start; NULL: encrypted volumes are refused). Fills
     * *@ret_value (caller frees, and wipes) from the secret @enc names. */
    gpointer secret_driver;
    bool (*secret_lookup)(gpointer secret_driver, const MvStorageEncryption *enc,
                          GBytes **ret_value, GError **error);
} MvStorageDriver;

/* ---- pools (storage-driver.c) ---- */

/** mv_storage_pool_is_active: the pool is started (lock held). */
bool mv_storage_pool_is_active(const MvStoragePoolObj *pool);

/**
 * mv_storage_pool_add:
 * A new pool object for @def (taken on success) in @list, inactive. Returns a
 * new reference (the list has its own) or NULL when the name or UUID is taken.
 */
MvStoragePoolObj *mv_storage_pool_add(MvDriverList *list, MvStoragePoolDef *def,
                                      bool persistent, GError **error);

MvStoragePoolObj *mv_storage_pool_ref(MvStoragePoolObj *pool);
void mv_storage_pool_unref(MvStoragePoolObj *pool);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvStoragePoolObj, mv_storage_pool_unref)

/** mv_storage_pool_config: the definition a start uses next (newdef or def; lock held). */
MvStoragePoolDef *mv_storage_pool_config(MvStoragePoolObj *pool);

/** mv_storage_pool_begin_job: takes @pool's job for @api with the configured deadline. */
bool mv_storage_pool_begin_job(MvStoragePoolObj *pool, const char *api, GError **error);
void mv_storage_pool_end_job(MvStoragePoolObj *pool);

/** mv_storage_pool_check_no_async: refuses @what while volume jobs run (lock held). */
bool mv_storage_pool_check_no_async(const MvStoragePoolObj *pool, const char *what,
                                    GError **error);

/** mv_storage_pool_not_active: the libvirt error for an inactive pool (always false). */
bool mv_storage_pool_not_active(const MvStoragePoolObj *pool, GError **error);

/** mv_storage_driver_emit: lifecycle @event (MV_STORAGE_POOL_EVENT_*) about @pool. */
void mv_storage_driver_emit(MvStorageDriver *driver, MvStoragePoolObj *pool, int event);

/** mv_storage_driver_emit_refresh: the refresh event about @pool. */
void mv_storage_driver_emit_refresh(MvStorageDriver *driver, MvStoragePoolObj *pool);

/* ---- pool lifecycle (storage-pools.c); callers hold the pool's job ---- */

/**
 * mv_storage_pool_start:
 * Starts @pool (inactive) with its config: takes it back when the backend
 * says it is already started (an fs pool still mounted), else checks the host
 * and starts it; then refreshes the volumes and writes the status file.
 */
bool mv_storage_pool_start(MvStorageDriver *driver, MvStoragePoolObj *pool, GError **error);

/**
 * mv_storage_pool_stop:
 * Stops @pool (active, no volume jobs): the backend's stop, volumes dropped,
 * status removed; a newdef becomes the def.
 */
bool mv_storage_pool_stop(MvStorageDriver *driver, MvStoragePoolObj *pool, GError **error);

/**
 * mv_storage_pool_refresh:
 * Re-reads @pool's volumes and sizes from the backend and replaces the
 * volume tables (volumes being built or busy keep their objects).
 */
bool mv_storage_pool_refresh(MvStorageDriver *driver, MvStoragePoolObj *pool, GError **error);

/** mv_storage_pool_save_status: the status file of the active @pool. */
bool mv_storage_pool_save_status(MvStorageDriver *driver, MvStoragePoolObj *pool,
                                 GError **error);

/** mv_storage_pool_save_config: @def as @pool's persistent definition. */
bool mv_storage_pool_save_config(MvStorageDriver *driver, const MvStoragePoolDef *def,
                                 GError **error);

/* ---- volumes (storage-volumes.c) ---- */

MvStorageVolObj *mv_storage_vol_ref(MvStorageVolObj *vol);
void mv_storage_vol_unref(MvStorageVolObj *vol);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvStorageVolObj, mv_storage_vol_unref)

/**
 * mv_storage_vol_insert:
 * Adds @def (taken) to @pool's tables (lock held) and returns the new volume
 * (borrowed: the table holds it). Replaces nothing: the caller checked the name.
 */
MvStorageVolObj *mv_storage_vol_insert(MvStoragePoolObj *pool, MvStorageVolDef *def);

/** mv_storage_vol_remove: takes @vol out of its pool's tables (pool lock held). */
void mv_storage_vol_remove(MvStoragePoolObj *pool, MvStorageVolObj *vol);

/** mv_storage_vol_clear_all: drops every volume of @pool (lock held). */
void mv_storage_vol_clear_all(MvStoragePoolObj *pool);

/** mv_storage_vol_find: the complete volume @name of @pool (lock held; borrowed) or NULL. */
MvStorageVolObj *mv_storage_vol_find(MvStoragePoolObj *pool, const char *name);

/**
 * mv_storage_vol_begin_job:
 * Marks @vol busy with @api (pool lock held) and counts an asynchronous job
 * of the pool. Never waits: false with MV_ERR_OPERATION_INVALID naming the
 * running operation when the volume is busy.
 */
bool mv_storage_vol_begin_job(MvStoragePoolObj *pool, MvStorageVolObj *vol, const char *api,
                              GError **error);

/** mv_storage_vol_end_job: releases @vol's job (pool lock held). */
void mv_storage_vol_end_job(MvStoragePoolObj *pool, MvStorageVolObj *vol);

/**
 * mv_storage_driver_long_job_begin:
 * Reserves one of the long-job slots (a long job holds a server worker for
 * its whole length): false with MV_ERR_OPERATION_FAILED when all are taken,
 * so long jobs can never take every worker from the queries.
 */
bool mv_storage_driver_long_job_begin(MvStorageDriver *driver, const char *api,
                                      GError **error);
void mv_storage_driver_long_job_end(MvStorageDriver *driver);

/**
 * mv_storage_vol_set_def:
 * Replaces @vol's definition with @def (taken), keeping the pool's key and
 * path tables right (pool lock held).
 */
void mv_storage_vol_set_def(MvStoragePoolObj *pool, MvStorageVolObj *vol, MvStorageVolDef *def);

/**
 * mv_storage_canonical_path:
 * @path with symlinks resolved when it exists, else only cleaned up ("//",
 * "/./", a trailing "/"). Caller frees.
 */
char *mv_storage_canonical_path(const char *path);

/* ---- entry points ---- */

/**
 * mv_storage_driver_new:
 * The driver state over @config_dir (definitions) and @state_dir (status
 * files), both created; no pools loaded yet (mv_storage_reconcile). @daemon
 * may be NULL (tests). @job_wait_ms <= 0: the default.
 */
MvStorageDriver *mv_storage_driver_new(MvDaemon *daemon, const char *config_dir,
                                       const char *state_dir, int job_wait_ms,
                                       guint max_long_jobs, GError **error);

/** mv_storage_driver_free: drops the objects (pools stay as they are on the host). */
void mv_storage_driver_free(MvStorageDriver *driver);

/** mv_storage_config_read: the [storage] group (descriptor hook). */
gpointer mv_storage_config_read(MvDaemon *daemon, GKeyFile *conf, GError **error);

/**
 * mv_storage_driver_start:
 * Loads the definitions, takes back the pools that were active when the
 * daemon last stopped (or died), removes the partial volumes a killed create
 * or clone left, then starts the autostart pools.
 */
bool mv_storage_driver_start(MvDaemon *daemon, GError **error);

/** mv_storage_driver_stop: leaves active pools as they are (mounted) and frees the state. */
void mv_storage_driver_stop(MvDaemon *daemon);

/** mv_storage_driver_conn_closed: drops the connection's event registrations. */
void mv_storage_driver_conn_closed(MvDaemon *daemon, MvDaemonConn *conn,
                                   MvServerClient *client);

/** mv_storage_driver_get: the driver state of the daemon serving @call. */
MvStorageDriver *mv_storage_driver_get(MvDriverCall *call);

/* ---- lookups shared by the handlers (storage-driver.c) ---- */

/**
 * mv_storage_driver_find_pool:
 * The pool of the wire reference @ref (by UUID), a new reference, or NULL
 * with MV_ERR_NO_STORAGE_POOL.
 */
MvStoragePoolObj *mv_storage_driver_find_pool(MvStorageDriver *driver, const MvObjectRef *ref,
                                              GError **error);

/**
 * mv_storage_driver_find_vol:
 * The volume of the wire reference @ref (pool name + volume name): its pool
 * (new reference) in *@ret_pool and the volume (new reference). Fails with
 * MV_ERR_NO_STORAGE_POOL, MV_ERR_OPERATION_INVALID (pool not active) or
 * MV_ERR_NO_STORAGE_VOL.
 */
MvStorageVolObj *mv_storage_driver_find_vol(MvStorageDriver *driver, const MvObjectRef *ref,
                                            MvStoragePoolObj **ret_pool, GError **error);

/** mv_storage_driver_fill_pool: the wire reference of @pool. */
void mv_storage_driver_fill_pool(MvObjectRef *ret, const MvStoragePoolObj *pool);

/** mv_storage_driver_fill_vol: the wire reference of @vol of @pool (pool lock held). */
void mv_storage_driver_fill_vol(MvObjectRef *ret, const MvStoragePoolObj *pool,
                                const MvStorageVolObj *vol);

G_END_DECLS
