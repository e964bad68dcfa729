/* Start-up: definitions, take-back of active pools, autostart. */
#define MV_LOG_CATEGORY "storage"
#include "storage-reconcile.h"

#include <string.h>

#include "daemon/storage-events.h"
#include "util/log.h"

static bool
reconcile_config(const char *path, const char *xml, bool autostart, gpointer data,
                 GError **error)
{
    MvStorageDriver *driver = data;
    g_autoptr(MvStoragePoolDef) def = NULL;
    MvStoragePoolObj *pool;

    if (!(def = mv_storage_pool_def_parse(xml, 0, error)) ||
        !mv_driver_store_check_file_name(path, "storage pool", def->name, MV_FROM_STORAGE,
                                         error))
        return false;
    if (!(pool = mv_storage_pool_add(driver->pools, def, true, error)))
        return false;
    g_steal_pointer(&def);
    pool->autostart = autostart;
    mv_storage_pool_unref(pool);
    return true;
}

/* A status file: the pool was active. Take it back when the host still has
 * it started; otherwise it is inactive now. */
static bool
reconcile_status(const char *path, const char *text, bool has_config, gpointer data,
                 GError **error)
{
    MvStorageDriver *driver = data;
    g_autoptr(MvStoragePoolDef) live = NULL;
    g_autoptr(MvStoragePoolObj) pool = NULL;
    g_autoptr(GError) err = NULL;
    bool started = true;

    (void)path;
    if (!(live = mv_storage_pool_def_parse(text, 0, error)))
        return false;
    if (has_config) {
        pool = MV_STORAGE_POOL_OBJ(mv_driver_list_find_by_name(driver->pools, live->name));
        if (pool && memcmp(pool->uuid, live->uuid, 16) != 0)
            g_clear_pointer(&pool, mv_storage_pool_unref);
    }
    if (!pool) {
        /* A transient pool (or its definition went away meanwhile). */
        MvStoragePoolDef *def = mv_storage_pool_def_copy(live);
        if (!(pool = mv_storage_pool_add(driver->pools, def, false, error))) {
            mv_storage_pool_def_free(def);
            return false;
        }
    } else {
        /* It ran with the live definition; the config waits for the next start. */
        g_mutex_lock(&pool->lock);
        pool->newdef = pool->def;
        pool->def = mv_storage_pool_def_copy(live);
        g_mutex_unlock(&pool->lock);
    }
    /* Taken back when the host still has it started (an fs pool still
     * mounted), else started again as it was (a dir pool). */
    if (!mv_storage_pool_start(driver, pool, &err)) {
        mv_log_error("storage pool '%s' was active but cannot be taken back: %s; it is "
                     "inactive now", live->name, err->message);
        started = false;
    }
    if (!started) {
        mv_driver_store_delete_status(driver->store, live->name, NULL);
        g_mutex_lock(&pool->lock);
        if (pool->newdef) {
            mv_storage_pool_def_free(pool->def);
            pool->def = g_steal_pointer(&pool->newdef);
        }
        g_mutex_unlock(&pool->lock);
        if (!pool->persistent)
            mv_driver_list_remove(driver->pools, MV_DRIVER_OBJECT(pool));
        return true;
    }
    mv_log_info("storage pool '%s' taken back", live->name);
    return true;
}

static void
reconcile_rejected(const char *path, bool is_status, const GError *error, gpointer data)
{
    (void)data;
    if (is_status)
        mv_log_warning("removed the unusable status file %s: %s", path, error->message);
    else
        mv_log_error("ignoring the storage pool definition %s: %s (fix or remove the file)",
                     path, error->message);
}

void
mv_storage_reconcile(MvStorageDriver *driver)
{
    static const MvDriverReconcile cb = {
        .config = reconcile_config,
        .status = reconcile_status,
        .rejected = reconcile_rejected,
    };

    mv_driver_store_reconcile(driver->store, &cb, driver);
}

void
mv_storage_autostart(MvStorageDriver *driver)
{
    g_autoptr(GPtrArray) all = mv_driver_list_snapshot(driver->pools);

    for (guint i = 0; i < all->len; i++) {
        MvStoragePoolObj *pool = all->pdata[i];
        g_autoptr(GError) err = NULL;
        bool start;

        g_mutex_lock(&pool->lock);
        start = pool->autostart && !pool->active;
        g_mutex_unlock(&pool->lock);
        if (!start || !mv_storage_pool_begin_job(pool, "virStoragePoolCreate", &err)) {
            if (err)
                mv_log_error("autostart of storage pool '%s': %s", pool->name, err->message);
            continue;
        }
        if (mv_storage_pool_start(driver, pool, &err)) {
            mv_log_info("storage pool '%s' started (autostart)", pool->name);
            mv_storage_driver_emit(driver, pool, MV_STORAGE_POOL_EVENT_STARTED);
        } else if (err) {
            mv_log_error("cannot autostart storage pool '%s': %s", pool->name, err->message);
        }
        mv_storage_pool_end_job(pool);
    }
}
