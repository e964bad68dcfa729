/* Pool lifecycle: start (or take back), stop, refresh, and the files that
 * record them. The caller holds the pool's job; the backend works with no
 * lock held, the pool's lock is taken only to read or publish state. */
#define MV_LOG_CATEGORY "storage"
#include "storage-driver.h"

#include "util/log.h"
#include "storage-crash.h"

bool
mv_storage_pool_save_config(MvStorageDriver *driver, const MvStoragePoolDef *def,
                            GError **error)
{
    g_autofree char *xml = mv_storage_pool_def_format(def, MV_STORAGE_POOL_FORMAT_INACTIVE);

    return mv_driver_store_save_config(driver->store, def->name, xml, error);
}

bool
mv_storage_pool_save_status(MvStorageDriver *driver, MvStoragePoolObj *pool, GError **error)
{
    g_autofree char *xml = NULL;

    g_mutex_lock(&pool->lock);
    xml = mv_storage_pool_def_format(pool->def, 0);
    g_mutex_unlock(&pool->lock);
    return mv_driver_store_save_status(driver->store, pool->name, xml, error);
}

/* The status file of @def before its start (sizes not known yet). */
static bool
save_status_def(MvStorageDriver *driver, const MvStoragePoolDef *def, GError **error)
{
    g_autofree char *xml = mv_storage_pool_def_format(def, 0);

    return mv_driver_store_save_status(driver->store, def->name, xml, error);
}

/* Replaces @pool's volumes with @vols (taken) and its sizes (lock held). */
static void
publish_volumes(MvStoragePoolObj *pool, GPtrArray *vols, const MvStoragePoolSizes *sizes)
{
    mv_storage_vol_clear_all(pool);
    for (guint i = 0; vols && i < vols->len; i++) {
        MvStorageVolDef *def = vols->pdata[i];

        if (g_hash_table_contains(pool->vols, def->name))
            continue;       /* never two of a name */
        vols->pdata[i] = NULL;
        mv_storage_vol_insert(pool, def);
    }
    pool->sizes = *sizes;
    pool->def->capacity = sizes->capacity;
    pool->def->allocation = sizes->allocation;
    pool->def->available = sizes->available;
}

/* The backend's refresh of @def: the volume defs and the sizes. */
static bool
read_volumes(const MvStoragePoolDef *def, GPtrArray **ret_vols, MvStoragePoolSizes *ret_sizes,
             GError **error)
{
    const MvStorageBackend *backend = mv_storage_backend_for(def->type);
    g_autoptr(GPtrArray) vols = NULL;

    *ret_sizes = (MvStoragePoolSizes){ 0 };
    if (!backend->refresh)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT,
                            "pools of type '%s' cannot list their volumes",
                            mv_storage_pool_type_to_string(def->type));
    if (!backend->refresh(def, &vols, ret_sizes, error))
        return false;
    *ret_vols = g_steal_pointer(&vols);
    return true;
}

/* Removes what killed creates and clones left in @def's target and records
 * it in the driver. */
static void
clean_partial(MvStorageDriver *driver, const MvStoragePoolDef *def)
{
    g_autoptr(GPtrArray) names = NULL;
    g_autoptr(GError) err = NULL;

    if (!mv_storage_backend_clean_partial(def, &names, &err)) {
        mv_log_warning("pool '%s': cannot remove partial volumes: %s", def->name,
                       err->message);
        return;
    }
    for (guint i = 0; names && i < names->len; i++) {
        const char *name = names->pdata[i];

        mv_log_warning("pool '%s': removed the partial volume '%s' (its create or clone "
                       "was interrupted)", def->name, name);
        g_ptr_array_add(driver->partial_removed, g_strdup_printf("%s/%s", def->name, name));
    }
}

bool
mv_storage_pool_start(MvStorageDriver *driver, MvStoragePoolObj *pool, GError **error)
{
    g_autoptr(MvStoragePoolDef) def = NULL;
    g_autoptr(GPtrArray) vols = NULL;
    const MvStorageBackend *backend;
    MvStoragePoolSizes sizes;
    bool started = false;

    g_mutex_lock(&pool->lock);
    if (pool->active) {
        g_mutex_unlock(&pool->lock);
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: storage pool '%s' is already "
                            "active", pool->name);
    }
    def = mv_storage_pool_def_copy(pool->def);
    pool->starting = true;
    g_mutex_unlock(&pool->lock);

    backend = mv_storage_backend_for(def->type);
    if (backend->is_started && !backend->is_started(def, &started, error))
        goto fail;
    if (started) {
        mv_log_info("storage pool '%s' is already started on the host: taken back", def->name);
    } else {
        if (backend->check_host && !backend->check_host(def, error))
            goto fail;
        /* The status file goes first: a daemon killed once the backend has
         * started the pool (an fs pool mounted) takes it back at its restart
         * instead of leaving it started on the host but inactive here. */
        if (!save_status_def(driver, def, error))
            goto fail;
        if (backend->start && !backend->start(def, error))
            goto fail_status;
        mv_storage_crash_point("pool-start-started");
    }
    clean_partial(driver, def);
    if (!read_volumes(def, &vols, &sizes, error)) {
        g_autoptr(GError) err = NULL;
        if (!started && backend->stop && !backend->stop(def, &err))
            mv_log_warning("pool '%s': cannot undo the start: %s", def->name, err->message);
        goto fail_status;
    }

    g_mutex_lock(&pool->lock);
    pool->starting = false;
    pool->active = true;
    publish_volumes(pool, vols, &sizes);
    g_mutex_unlock(&pool->lock);
    if (!mv_storage_pool_save_status(driver, pool, error)) {
        g_autoptr(GError) err = NULL;
        g_mutex_lock(&pool->lock);
        pool->active = false;
        mv_storage_vol_clear_all(pool);
        g_mutex_unlock(&pool->lock);
        if (!started && backend->stop && !backend->stop(def, &err))
            mv_log_warning("pool '%s': cannot undo the start: %s", def->name, err->message);
        if (!started)
            mv_driver_store_delete_status(driver->store, def->name, NULL);
        return false;
    }
    mv_storage_crash_point("pool-start-status");
    return true;

fail_status:
    if (!started) {
        g_autoptr(GError) err = NULL;
        if (!mv_driver_store_delete_status(driver->store, def->name, &err))
            mv_log_warning("pool '%s': %s", def->name, err->message);
    }
fail:
    g_mutex_lock(&pool->lock);
    pool->starting = false;
    g_mutex_unlock(&pool->lock);
    return false;
}

bool
mv_storage_pool_stop(MvStorageDriver *driver, MvStoragePoolObj *pool, GError **error)
{
    g_autoptr(MvStoragePoolDef) def = NULL;
    const MvStorageBackend *backend;
    g_autoptr(GError) err = NULL;

    g_mutex_lock(&pool->lock);
    if (!pool->active) {
        g_mutex_unlock(&pool->lock);
        return mv_storage_pool_not_active(pool, error);
    }
    if (!mv_storage_pool_check_no_async(pool, "stop", error)) {
        g_mutex_unlock(&pool->lock);
        return false;
    }
    def = mv_storage_pool_def_copy(pool->def);
    pool->stopping = true;
    g_mutex_unlock(&pool->lock);

    backend = mv_storage_backend_for(def->type);
    if (backend->stop && !backend->stop(def, error)) {
        g_mutex_lock(&pool->lock);
        pool->stopping = false;
        g_mutex_unlock(&pool->lock);
        return false;
    }
    mv_storage_crash_point("pool-stop-stopped");

    g_mutex_lock(&pool->lock);
    pool->stopping = false;
    pool->active = false;
    mv_storage_vol_clear_all(pool);
    pool->sizes = (MvStoragePoolSizes){ 0 };
    if (pool->newdef) {
        mv_storage_pool_def_free(pool->def);
        pool->def = g_steal_pointer(&pool->newdef);
    }
    g_mutex_unlock(&pool->lock);
    if (!mv_driver_store_delete_status(driver->store, pool->name, &err))
        mv_log_warning("pool '%s': %s", pool->name, err->message);
    mv_storage_crash_point("pool-stop-status");
    return true;
}

bool
mv_storage_pool_refresh(MvStorageDriver *driver, MvStoragePoolObj *pool, GError **error)
{
    g_autoptr(MvStoragePoolDef) def = NULL;
    bool published = false;
    guint generation;

    (void)driver;
    g_mutex_lock(&pool->lock);
    if (!pool->active) {
        g_mutex_unlock(&pool->lock);
        return mv_storage_pool_not_active(pool, error);
    }
    if (!mv_storage_pool_check_no_async(pool, "refresh", error)) {
        g_mutex_unlock(&pool->lock);
        return false;
    }
    def = mv_storage_pool_def_copy(pool->def);
    generation = pool->vol_generation;
    g_mutex_unlock(&pool->lock);

    /* A volume job that ran while the backend read the pool makes what it
     * read stale: read again (a few times), never publish a stale list. */
    for (int attempt = 0; attempt < 3 && !published; attempt++) {
        g_autoptr(GPtrArray) vols = NULL;
        MvStoragePoolSizes sizes;

        if (!read_volumes(def, &vols, &sizes, error))
            return false;
        g_mutex_lock(&pool->lock);
        if (!pool->active) {
            published = true;   /* stopped meanwhile: nothing to publish */
        } else if (pool->async_jobs == 0 && pool->vol_generation == generation) {
            publish_volumes(pool, vols, &sizes);
            published = true;
        } else {
            pool->sizes = sizes;
            generation = pool->vol_generation;
            if (pool->async_jobs > 0)
                published = true;   /* the running job keeps its tables */
        }
        g_mutex_unlock(&pool->lock);
    }
    return true;
}
