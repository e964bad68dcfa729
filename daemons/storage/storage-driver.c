/* modvirt-storaged state: pool objects, config, shared lookups, start-up and
 * shut-down. */
#define MV_LOG_CATEGORY "storage"
#include "storage-driver.h"

#include <string.h>

#include "daemon/storage-events.h"
#include "storage-reconcile.h"
#include "util/conf.h"
#include "util/log.h"
#include "util/uuid.h"

/* ---- objects ---- */

static bool
pool_is_active(const MvDriverObject *obj)
{
    return ((const MvStoragePoolObj *)obj)->active;
}

static void
pool_finalize(MvDriverObject *obj)
{
    MvStoragePoolObj *pool = MV_STORAGE_POOL_OBJ(obj);

    if (pool->vols)
        mv_storage_vol_clear_all(pool);
    g_clear_pointer(&pool->vols, g_hash_table_unref);
    g_clear_pointer(&pool->vols_by_key, g_hash_table_unref);
    g_clear_pointer(&pool->vols_by_path, g_hash_table_unref);
    mv_storage_pool_def_free(pool->def);
    mv_storage_pool_def_free(pool->newdef);
}

const MvDriverObjectClass mv_storage_pool_class = {
    .noun = "storage pool",
    .error_from = MV_FROM_STORAGE,
    .conf_from = MV_FROM_STORAGE,
    .no_object = MV_ERR_NO_STORAGE_POOL,
    .not_found = "Storage pool not found",
    .not_active = "storage pool is not active",
    .is_active = pool_is_active,
    .finalize = pool_finalize,
};

bool
mv_storage_pool_is_active(const MvStoragePoolObj *pool)
{
    return pool->active;
}

MvStoragePoolObj *
mv_storage_pool_add(MvDriverList *list, MvStoragePoolDef *def, bool persistent, GError **error)
{
    MvStoragePoolObj *pool = g_new0(MvStoragePoolObj, 1);

    mv_driver_object_init(MV_DRIVER_OBJECT(pool), &mv_storage_pool_class, def->name, def->uuid);
    pool->def = def;
    pool->persistent = persistent;
    pool->vols = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, NULL);
    pool->vols_by_key = g_hash_table_new(g_str_hash, g_str_equal);
    pool->vols_by_path = g_hash_table_new(g_str_hash, g_str_equal);
    if (!mv_driver_list_add(list, MV_DRIVER_OBJECT(pool), error)) {
        pool->def = NULL;       /* the caller keeps @def on failure */
        mv_storage_pool_unref(pool);
        return NULL;
    }
    return pool;
}

MvStoragePoolObj *
mv_storage_pool_ref(MvStoragePoolObj *pool)
{
    return MV_STORAGE_POOL_OBJ(mv_driver_object_ref(MV_DRIVER_OBJECT(pool)));
}

void
mv_storage_pool_unref(MvStoragePoolObj *pool)
{
    if (pool)
        mv_driver_object_unref(MV_DRIVER_OBJECT(pool));
}

MvStoragePoolDef *
mv_storage_pool_config(MvStoragePoolObj *pool)
{
    return pool->newdef ? pool->newdef : pool->def;
}

bool
mv_storage_pool_begin_job(MvStoragePoolObj *pool, const char *api, GError **error)
{
    MvStorageDriver *driver = pool->driver;

    return mv_driver_object_begin_job(MV_DRIVER_OBJECT(pool), api, driver->job_wait_ms, error);
}

void
mv_storage_pool_end_job(MvStoragePoolObj *pool)
{
    mv_driver_object_end_job(MV_DRIVER_OBJECT(pool));
}

bool
mv_storage_pool_check_no_async(const MvStoragePoolObj *pool, const char *what, GError **error)
{
    if (pool->async_jobs == 0)
        return true;
    return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                        "Requested operation is not valid: cannot %s storage pool '%s' while "
                        "%u volume operation(s) run in it; wait for them to finish",
                        what, pool->name, pool->async_jobs);
}

bool
mv_storage_pool_not_active(const MvStoragePoolObj *pool, GError **error)
{
    return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                        "Requested operation is not valid: storage pool '%s' is not active",
                        pool->name);
}

void
mv_storage_driver_emit(MvStorageDriver *driver, MvStoragePoolObj *pool, int event)
{
    mv_storage_events_lifecycle(driver->events, pool->name, pool->uuid, event);
}

void
mv_storage_driver_emit_refresh(MvStorageDriver *driver, MvStoragePoolObj *pool)
{
    mv_storage_events_refresh(driver->events, pool->name, pool->uuid);
}

/* ---- long jobs ---- */

bool
mv_storage_driver_long_job_begin(MvStorageDriver *driver, const char *api, GError **error)
{
    bool ok;

    g_mutex_lock(&driver->long_jobs_lock);
    ok = driver->long_jobs < driver->max_long_jobs;
    if (ok)
        driver->long_jobs++;
    g_mutex_unlock(&driver->long_jobs_lock);
    if (!ok)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_FAILED,
                            "%s: %u long volume operations are already running (the limit, "
                            "[storage] max_long_jobs in storage.conf); retry when one ends",
                            api, driver->max_long_jobs);
    if (driver->daemon)
        mv_daemon_hold_idle(driver->daemon, true);
    return true;
}

void
mv_storage_driver_long_job_end(MvStorageDriver *driver)
{
    g_mutex_lock(&driver->long_jobs_lock);
    driver->long_jobs--;
    g_mutex_unlock(&driver->long_jobs_lock);
    if (driver->daemon)
        mv_daemon_hold_idle(driver->daemon, false);
}

/* ---- lookups ---- */

MvStoragePoolObj *
mv_storage_driver_find_pool(MvStorageDriver *driver, const MvObjectRef *ref, GError **error)
{
    MvDriverObject *obj = mv_driver_list_find_by_uuid(driver->pools, ref->uuid);
    char uuid[MV_UUID_STRING_LEN];

    if (obj)
        return MV_STORAGE_POOL_OBJ(obj);
    mv_uuid_format(ref->uuid, uuid);
    mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_POOL,
                 "Storage pool not found: no storage pool with matching uuid '%s' (%s)", uuid,
                 ref->name ? ref->name : "");
    return NULL;
}

MvStorageVolObj *
mv_storage_driver_find_vol(MvStorageDriver *driver, const MvObjectRef *ref,
                           MvStoragePoolObj **ret_pool, GError **error)
{
    g_autoptr(MvStoragePoolObj) pool = NULL;
    MvStorageVolObj *vol;

    pool = MV_STORAGE_POOL_OBJ(mv_driver_list_find_by_name(driver->pools,
                                                           ref->pool ? ref->pool : ""));
    if (!pool) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_POOL,
                     "Storage pool not found: no storage pool with matching name '%s'",
                     ref->pool ? ref->pool : "");
        return NULL;
    }
    g_mutex_lock(&pool->lock);
    if (!pool->active) {
        g_mutex_unlock(&pool->lock);
        mv_storage_pool_not_active(pool, error);
        return NULL;
    }
    vol = mv_storage_vol_find(pool, ref->name ? ref->name : "");
    if (vol)
        mv_storage_vol_ref(vol);
    g_mutex_unlock(&pool->lock);
    if (!vol) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_VOL,
                     "Storage volume not found: no storage vol with matching name '%s'",
                     ref->name ? ref->name : "");
        return NULL;
    }
    *ret_pool = g_steal_pointer(&pool);
    return vol;
}

void
mv_storage_driver_fill_pool(MvObjectRef *ret, const MvStoragePoolObj *pool)
{
    ret->name = g_strdup(pool->name);
    memcpy(ret->uuid, pool->uuid, 16);
}

void
mv_storage_driver_fill_vol(MvObjectRef *ret, const MvStoragePoolObj *pool,
                           const MvStorageVolObj *vol)
{
    ret->pool = g_strdup(pool->name);
    ret->name = g_strdup(vol->def->name);
    ret->key = g_strdup(vol->def->key ? vol->def->key : "");
}

/* ---- config ---- */

void
mv_storage_config_free(MvStorageConfig *config)
{
    g_free(config);
}

static bool
read_positive(GKeyFile *conf, const char *key, int *ret, GError **error)
{
    g_autoptr(GError) err = NULL;
    int value;

    if (!g_key_file_has_key(conf, "storage", key, NULL))
        return true;
    value = mv_conf_get_int(conf, "storage", key, 0, &err);
    if (err) {
        g_propagate_error(error, g_steal_pointer(&err));
        return false;
    }
    if (value < 1)
        return mv_error_set(error, MV_FROM_CONF, MV_ERR_CONF_SYNTAX,
                            "[storage] %s must be at least 1, not %d", key, value);
    *ret = value;
    return true;
}

gpointer
mv_storage_config_read(MvDaemon *daemon, GKeyFile *conf, GError **error)
{
    g_autoptr(MvStorageConfig) config = g_new0(MvStorageConfig, 1);

    (void)daemon;
    /* Every [storage] key is read here, so a malformed value stops the start
     * (or the reload) with an error naming the file, the group and the key. */
    if (!read_positive(conf, "job_wait_ms", &config->job_wait_ms, error) ||
        !read_positive(conf, "max_long_jobs", &config->max_long_jobs, error))
        return NULL;
    return g_steal_pointer(&config);
}

/* ---- start-up and shut-down ---- */

static guint
default_long_jobs(MvDaemon *daemon, const MvStorageConfig *conf)
{
    const MvServerConfig *sc = mv_daemon_get_server_config(daemon);
    guint workers = sc ? sc->max_workers : 20;

    /* Long jobs hold a worker each for their whole length: they may take at
     * most half of them (the rest answer queries), and never all. */
    if (conf && conf->max_long_jobs > 0)
        return MIN((guint)conf->max_long_jobs, workers > 1 ? workers - 1 : 1);
    return MAX(workers / 2, 1);
}

MvStorageDriver *
mv_storage_driver_new(MvDaemon *daemon, const char *config_dir, const char *state_dir,
                      int job_wait_ms, guint max_long_jobs, GError **error)
{
    MvStorageDriver *driver = g_new0(MvStorageDriver, 1);

    driver->daemon = daemon;
    driver->job_wait_ms = job_wait_ms > 0 ? job_wait_ms : MV_STORAGE_JOB_WAIT_MS;
    driver->max_long_jobs = MAX(max_long_jobs, 1);
    g_mutex_init(&driver->long_jobs_lock);
    g_mutex_init(&driver->define_lock);
    driver->state_dir = g_strdup(state_dir);
    driver->store = mv_driver_store_new(config_dir, state_dir, MV_FROM_STORAGE);
    driver->partial_removed = g_ptr_array_new_with_free_func(g_free);
    driver->pools = mv_driver_list_new(&mv_storage_pool_class, driver);
    driver->events = mv_storage_events_new();
    if (!mv_driver_store_create_dirs(driver->store, error)) {
        mv_storage_driver_free(driver);
        return NULL;
    }
    return driver;
}

void
mv_storage_driver_free(MvStorageDriver *driver)
{
    if (!driver)
        return;
    if (driver->pools) {
        /* Pools stay as they are on the host (mounted): only drop our objects. */
        g_autoptr(GPtrArray) all = mv_driver_list_snapshot(driver->pools);
        for (guint i = 0; i < all->len; i++)
            mv_driver_list_remove(driver->pools, all->pdata[i]);
    }
    mv_driver_list_free(driver->pools);
    if (driver->events)
        mv_driver_events_free(driver->events);
    mv_driver_store_free(driver->store);
    g_clear_pointer(&driver->partial_removed, g_ptr_array_unref);
    g_mutex_clear(&driver->long_jobs_lock);
    g_mutex_clear(&driver->define_lock);
    g_free(driver->state_dir);
    g_free(driver);
}

bool
mv_storage_driver_start(MvDaemon *daemon, GError **error)
{
    const MvStorageConfig *conf = mv_daemon_get_driver_config(daemon);
    const MvPaths *paths = mv_daemon_get_paths(daemon);
    g_autofree char *defs_dir = mv_paths_definitions_dir(paths, "storage");
    g_autofree char *state_dir = mv_paths_state_dir(paths, "storage");
    MvStorageDriver *driver;

    if (!(driver = mv_storage_driver_new(daemon, defs_dir, state_dir,
                                         conf ? conf->job_wait_ms : 0,
                                         default_long_jobs(daemon, conf), error)))
        return false;
    mv_daemon_set_driver_data(daemon, driver);
    mv_storage_reconcile(driver);
    mv_storage_autostart(driver);
    return true;
}

void
mv_storage_driver_stop(MvDaemon *daemon)
{
    mv_storage_driver_free(mv_daemon_get_driver_data(daemon));
    mv_daemon_set_driver_data(daemon, NULL);
}

void
mv_storage_driver_conn_closed(MvDaemon *daemon, MvDaemonConn *conn, MvServerClient *client)
{
    MvStorageDriver *driver = mv_daemon_get_driver_data(daemon);

    (void)conn;
    if (driver && driver->events)
        mv_driver_events_client_closed(driver->events, client);
}

MvStorageDriver *
mv_storage_driver_get(MvDriverCall *call)
{
    return mv_driver_call_driver_data(call);
}
