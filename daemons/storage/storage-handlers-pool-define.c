/* Define, undefine, create, start, build, destroy, delete, refresh,
 * autostart: the calls that change which pools exist and which run. */
#define MV_LOG_CATEGORY "storage"
#include "storage-handlers.h"

#include <string.h>

#include "daemon/storage-events.h"
#include "util/log.h"
#include "storage-crash.h"
#include "util/uuid.h"

/* virStoragePoolDefineFlags. */
#define DEFINE_VALIDATE 1u
/* virStoragePoolCreateFlags. */
#define CREATE_WITH_BUILD 1u
#define CREATE_WITH_BUILD_OVERWRITE 2u
#define CREATE_WITH_BUILD_NO_OVERWRITE 4u
#define CREATE_VALIDATE 8u      /* virStoragePoolCreateXML only */
#define CREATE_BUILD_FLAGS (CREATE_WITH_BUILD | CREATE_WITH_BUILD_OVERWRITE | \
                            CREATE_WITH_BUILD_NO_OVERWRITE)
#define BUILD_ALL_FLAGS (MV_STORAGE_BUILD_REPAIR | MV_STORAGE_BUILD_RESIZE | \
                         MV_STORAGE_BUILD_NO_OVERWRITE | MV_STORAGE_BUILD_OVERWRITE)

/* libvirt's identity rules for a new definition against the existing pools:
 * a UUID names at most one pool, a name at most one UUID. Returns the pool
 * with the same name and UUID (new ref), or NULL with *@ret_ok telling a
 * clash (error set) from a new pool. */
static MvStoragePoolObj *
find_same(MvStorageDriver *driver, const MvStoragePoolDef *def, bool *ret_ok, GError **error)
{
    g_autoptr(MvStoragePoolObj) by_uuid =
        MV_STORAGE_POOL_OBJ(mv_driver_list_find_by_uuid(driver->pools, def->uuid));
    g_autoptr(MvStoragePoolObj) by_name = NULL;
    char uuid[MV_UUID_STRING_LEN];

    *ret_ok = true;
    if (by_uuid) {
        if (g_str_equal(by_uuid->name, def->name))
            return g_steal_pointer(&by_uuid);
        mv_uuid_format(by_uuid->uuid, uuid);
        *ret_ok = false;
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_FAILED,
                     "operation failed: pool '%s' is already defined with uuid %s",
                     by_uuid->name, uuid);
        return NULL;
    }
    by_name = MV_STORAGE_POOL_OBJ(mv_driver_list_find_by_name(driver->pools, def->name));
    if (by_name) {
        mv_uuid_format(by_name->uuid, uuid);
        *ret_ok = false;
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_FAILED,
                     "operation failed: pool '%s' already exists with uuid %s", def->name,
                     uuid);
    }
    return NULL;
}

/* Two pools never share a target directory (file pools) or a source device. */
static bool
check_source_conflict(MvStorageDriver *driver, const MvStoragePoolDef *def, GError **error)
{
    g_autoptr(GPtrArray) all = mv_driver_list_snapshot(driver->pools);
    const MvStoragePoolTypeInfo *info = mv_storage_pool_type_info(def->type);

    for (guint i = 0; i < all->len; i++) {
        MvStoragePoolObj *pool = all->pdata[i];
        g_autofree char *other = NULL;
        const MvStoragePoolDef *o;

        if (memcmp(pool->uuid, def->uuid, 16) == 0)
            continue;
        g_mutex_lock(&pool->lock);
        o = pool->def;
        if (info->volumes_are_files && def->target.path && o->target.path &&
            mv_storage_pool_type_info(o->type)->volumes_are_files &&
            g_str_equal(o->target.path, def->target.path))
            other = g_strdup(pool->name);
        for (size_t a = 0; !other && a < def->source.ndevices; a++)
            for (size_t b = 0; !other && b < o->source.ndevices; b++)
                if (def->source.devices[a].path && o->source.devices[b].path &&
                    g_str_equal(def->source.devices[a].path, o->source.devices[b].path))
                    other = g_strdup(pool->name);
        g_mutex_unlock(&pool->lock);
        if (other)
            return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_FAILED,
                                "operation failed: Storage source conflict with pool: '%s'",
                                other);
    }
    return true;
}

bool
mv_storage_handle_storage_pool_define_xml(MvDriverCall *call, const char *xml,
                                          unsigned int flags, MvObjectRef *ret_pool,
                                          GError **error)
{
    MvStorageDriver *driver = mv_storage_driver_get(call);
    g_autoptr(MvStoragePoolDef) def = NULL;
    g_autoptr(MvStoragePoolObj) pool = NULL;
    bool ok;

    if (!mv_storage_dispatch_check_flags(flags, DEFINE_VALIDATE, "virStoragePoolDefineXML",
                                         error) ||
        !(def = mv_storage_pool_def_parse(xml, 0, error)))
        return false;
    /* One identity check and change at a time (define, create, undefine). */
    g_mutex_lock(&driver->define_lock);
    pool = find_same(driver, def, &ok, error);
    if (!ok || !check_source_conflict(driver, def, error) ||
        !mv_storage_pool_save_config(driver, def, error)) {
        g_mutex_unlock(&driver->define_lock);
        return false;
    }
    mv_storage_crash_point("pool-define-saved");
    if (!pool) {
        MvStoragePoolDef *owned = g_steal_pointer(&def);
        if (!(pool = mv_storage_pool_add(driver->pools, owned, true, error))) {
            g_mutex_unlock(&driver->define_lock);
            mv_storage_pool_def_free(owned);
            return false;
        }
    } else {
        g_mutex_lock(&pool->lock);
        if (pool->active) {
            /* Applied at the next start. */
            mv_storage_pool_def_free(pool->newdef);
            pool->newdef = g_steal_pointer(&def);
        } else {
            mv_storage_pool_def_free(pool->def);
            pool->def = g_steal_pointer(&def);
        }
        pool->persistent = true;
        g_mutex_unlock(&pool->lock);
    }
    g_mutex_unlock(&driver->define_lock);
    mv_log_info("storage pool '%s' defined", pool->name);
    mv_storage_driver_emit(driver, pool, MV_STORAGE_POOL_EVENT_DEFINED);
    mv_storage_driver_fill_pool(ret_pool, pool);
    return true;
}

bool
mv_storage_handle_storage_pool_undefine(MvDriverCall *call, const MvObjectRef *pool_ref,
                                        GError **error)
{
    MvStorageDriver *driver = mv_storage_driver_get(call);
    g_autoptr(MvStoragePoolObj) pool = mv_storage_driver_find_pool(driver, pool_ref, error);
    const char *refusal = NULL;

    if (!pool || !mv_storage_pool_begin_job(pool, "virStoragePoolUndefine", error))
        return false;
    g_mutex_lock(&driver->define_lock);
    g_mutex_lock(&pool->lock);
    if (pool->active)
        refusal = "is still active";
    else if (!pool->persistent)
        refusal = "is transient";
    g_mutex_unlock(&pool->lock);
    if (refusal || !mv_driver_store_delete_config(driver->store, pool->name, error)) {
        g_mutex_unlock(&driver->define_lock);
        mv_storage_pool_end_job(pool);
        if (refusal)
            return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                                "Requested operation is not valid: storage pool '%s' %s",
                                pool->name, refusal);
        return false;
    }
    mv_storage_crash_point("pool-undefine-removed");
    mv_driver_list_remove(driver->pools, MV_DRIVER_OBJECT(pool));
    g_mutex_unlock(&driver->define_lock);
    mv_storage_pool_end_job(pool);
    mv_log_info("storage pool '%s' undefined", pool->name);
    mv_storage_driver_emit(driver, pool, MV_STORAGE_POOL_EVENT_UNDEFINED);
    return true;
}

/* The build flags a create asks for, or false for an invalid combination. */
static bool
create_build_flags(unsigned int flags, bool *ret_build, unsigned int *ret_build_flags,
                   GError **error)
{
    if ((flags & CREATE_WITH_BUILD_OVERWRITE) && (flags & CREATE_WITH_BUILD_NO_OVERWRITE))
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                            "Flags 'VIR_STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE' and "
                            "'VIR_STORAGE_POOL_CREATE_WITH_BUILD_NO_OVERWRITE' are mutually "
                            "exclusive");
    *ret_build = (flags & CREATE_BUILD_FLAGS) != 0;
    *ret_build_flags = (flags & CREATE_WITH_BUILD_OVERWRITE ? MV_STORAGE_BUILD_OVERWRITE : 0) |
                       (flags & CREATE_WITH_BUILD_NO_OVERWRITE ? MV_STORAGE_BUILD_NO_OVERWRITE
                                                               : 0);
    return true;
}

/* The backend's build of @pool's config (job held, pool inactive). */
static bool
build_pool(MvStoragePoolObj *pool, unsigned int build_flags, GError **error)
{
    g_autoptr(MvStoragePoolDef) def = NULL;
    const MvStorageBackend *backend;

    g_mutex_lock(&pool->lock);
    def = mv_storage_pool_def_copy(mv_storage_pool_config(pool));
    g_mutex_unlock(&pool->lock);
    backend = mv_storage_backend_for(def->type);
    if (backend->check_host && !backend->check_host(def, error))
        return false;
    if (backend->build && !backend->build(def, build_flags, error))
        return false;
    mv_storage_crash_point("pool-build-done");
    return true;
}

bool
mv_storage_handle_storage_pool_create_xml(MvDriverCall *call, const char *xml,
                                          unsigned int flags, MvObjectRef *ret_pool,
                                          GError **error)
{
    MvStorageDriver *driver = mv_storage_driver_get(call);
    g_autoptr(MvStoragePoolDef) def = NULL;
    g_autoptr(MvStoragePoolObj) pool = NULL;
    unsigned int build_flags = 0;
    bool build = false, ok;

    if (!mv_storage_dispatch_check_flags(flags, CREATE_BUILD_FLAGS | CREATE_VALIDATE,
                                         "virStoragePoolCreateXML", error) ||
        !create_build_flags(flags, &build, &build_flags, error) ||
        !(def = mv_storage_pool_def_parse(xml, 0, error)))
        return false;
    g_mutex_lock(&driver->define_lock);
    pool = find_same(driver, def, &ok, error);
    if (ok && pool) {
        /* An existing pool by the same name and UUID: libvirt refuses both. */
        g_clear_pointer(&pool, mv_storage_pool_unref);
        ok = false;
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: storage pool '%s' already exists; "
                     "start it with virStoragePoolCreate", def->name);
    }
    if (!ok || !check_source_conflict(driver, def, error)) {
        g_mutex_unlock(&driver->define_lock);
        return false;
    }
    {
        MvStoragePoolDef *owned = g_steal_pointer(&def);
        if (!(pool = mv_storage_pool_add(driver->pools, owned, false, error))) {
            g_mutex_unlock(&driver->define_lock);
            mv_storage_pool_def_free(owned);
            return false;
        }
    }
    g_mutex_unlock(&driver->define_lock);
    if (!mv_storage_pool_begin_job(pool, "virStoragePoolCreateXML", error)) {
        mv_driver_list_remove(driver->pools, MV_DRIVER_OBJECT(pool));
        return false;
    }
    if ((build && !build_pool(pool, build_flags, error)) ||
        !mv_storage_pool_start(driver, pool, error)) {
        mv_driver_list_remove(driver->pools, MV_DRIVER_OBJECT(pool));
        mv_storage_pool_end_job(pool);
        return false;
    }
    mv_storage_pool_end_job(pool);
    mv_log_info("storage pool '%s' created", pool->name);
    mv_storage_driver_emit(driver, pool, MV_STORAGE_POOL_EVENT_STARTED);
    mv_storage_driver_fill_pool(ret_pool, pool);
    return true;
}

bool
mv_storage_handle_storage_pool_create(MvDriverCall *call, const MvObjectRef *pool_ref,
                                      unsigned int flags, GError **error)
{
    MvStorageDriver *driver = mv_storage_driver_get(call);
    g_autoptr(MvStoragePoolObj) pool = NULL;
    unsigned int build_flags = 0;
    bool build = false, ok;

    if (!mv_storage_dispatch_check_flags(flags, CREATE_BUILD_FLAGS, "virStoragePoolCreate",
                                         error) ||
        !create_build_flags(flags, &build, &build_flags, error) ||
        !(pool = mv_storage_driver_find_pool(driver, pool_ref, error)) ||
        !mv_storage_pool_begin_job(pool, "virStoragePoolCreate", error))
        return false;
    g_mutex_lock(&pool->lock);
    ok = !pool->active;
    g_mutex_unlock(&pool->lock);
    if (!ok) {
        mv_storage_pool_end_job(pool);
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: storage pool '%s' is already "
                            "active", pool->name);
    }
    ok = (!build || build_pool(pool, build_flags, error)) &&
         mv_storage_pool_start(driver, pool, error);
    mv_storage_pool_end_job(pool);
    if (!ok)
        return false;
    mv_log_info("storage pool '%s' started", pool->name);
    mv_storage_driver_emit(driver, pool, MV_STORAGE_POOL_EVENT_STARTED);
    return true;
}

bool
mv_storage_handle_storage_pool_build(MvDriverCall *call, const MvObjectRef *pool_ref,
                                     unsigned int flags, GError **error)
{
    MvStorageDriver *driver = mv_storage_driver_get(call);
    g_autoptr(MvStoragePoolObj) pool = NULL;
    bool active, ok;

    if (!mv_storage_dispatch_check_flags(flags, BUILD_ALL_FLAGS, "virStoragePoolBuild", error))
        return false;
    if ((flags & MV_STORAGE_BUILD_OVERWRITE) && (flags & MV_STORAGE_BUILD_NO_OVERWRITE))
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                            "Flags 'VIR_STORAGE_POOL_BUILD_OVERWRITE' and "
                            "'VIR_STORAGE_POOL_BUILD_NO_OVERWRITE' are mutually exclusive");
    if (!(pool = mv_storage_driver_find_pool(driver, pool_ref, error)) ||
        !mv_storage_pool_begin_job(pool, "virStoragePoolBuild", error))
        return false;
    g_mutex_lock(&pool->lock);
    active = pool->active;
    g_mutex_unlock(&pool->lock);
    if (active) {
        mv_storage_pool_end_job(pool);
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: storage pool '%s' is already "
                            "active", pool->name);
    }
    ok = build_pool(pool, flags, error);
    mv_storage_pool_end_job(pool);
    if (ok)
        mv_storage_driver_emit(driver, pool, MV_STORAGE_POOL_EVENT_CREATED);
    return ok;
}

bool
mv_storage_handle_storage_pool_destroy(MvDriverCall *call, const MvObjectRef *pool_ref,
                                       GError **error)
{
    MvStorageDriver *driver = mv_storage_driver_get(call);
    g_autoptr(MvStoragePoolObj) pool = mv_storage_driver_find_pool(driver, pool_ref, error);
    bool transient;

    if (!pool || !mv_storage_pool_begin_job(pool, "virStoragePoolDestroy", error))
        return false;
    if (!mv_storage_pool_stop(driver, pool, error)) {
        mv_storage_pool_end_job(pool);
        return false;
    }
    g_mutex_lock(&pool->lock);
    transient = !pool->persistent;
    g_mutex_unlock(&pool->lock);
    if (transient)
        mv_driver_list_remove(driver->pools, MV_DRIVER_OBJECT(pool));
    mv_storage_pool_end_job(pool);
    mv_log_info("storage pool '%s' destroyed", pool->name);
    mv_storage_driver_emit(driver, pool, MV_STORAGE_POOL_EVENT_STOPPED);
    return true;
}

bool
mv_storage_handle_storage_pool_delete(MvDriverCall *call, const MvObjectRef *pool_ref,
                                      unsigned int flags, GError **error)
{
    MvStorageDriver *driver = mv_storage_driver_get(call);
    g_autoptr(MvStoragePoolObj) pool = NULL;
    g_autoptr(MvStoragePoolDef) def = NULL;
    const MvStorageBackend *backend;
    bool ok;

    if (!mv_storage_dispatch_check_flags(flags, MV_STORAGE_POOL_DELETE_ZEROED,
                                         "virStoragePoolDelete", error) ||
        !(pool = mv_storage_driver_find_pool(driver, pool_ref, error)) ||
        !mv_storage_pool_begin_job(pool, "virStoragePoolDelete", error))
        return false;
    g_mutex_lock(&pool->lock);
    ok = !pool->active;
    def = mv_storage_pool_def_copy(pool->def);
    g_mutex_unlock(&pool->lock);
    if (!ok) {
        mv_storage_pool_end_job(pool);
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: storage pool '%s' is still "
                            "active", pool->name);
    }
    backend = mv_storage_backend_for(def->type);
    if (!backend->delete) {
        mv_storage_pool_end_job(pool);
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT,
                            "this function is not supported by the connection driver: pool "
                            "type '%s' does not support pool deletion",
                            mv_storage_pool_type_to_string(def->type));
    }
    ok = backend->delete(def, flags, error);
    if (ok)
        mv_storage_crash_point("pool-delete-done");
    mv_storage_pool_end_job(pool);
    if (ok)
        mv_storage_driver_emit(driver, pool, MV_STORAGE_POOL_EVENT_DELETED);
    return ok;
}

/* A refresh that could not read an active pool (its directory removed, its
 * mount gone) stops it, as libvirt does: it is listed inactive with no stale
 * volumes, and a transient pool goes away. Not when the refresh was refused
 * (the pool inactive, a volume job running). */
static void
stop_unreadable(MvStorageDriver *driver, MvStoragePoolObj *pool)
{
    g_autoptr(GError) err = NULL;
    bool unreadable, transient;

    g_mutex_lock(&pool->lock);
    unreadable = pool->active && pool->async_jobs == 0;
    transient = !pool->persistent;
    g_mutex_unlock(&pool->lock);
    if (!unreadable)
        return;
    if (!mv_storage_pool_stop(driver, pool, &err)) {
        mv_log_warning("pool '%s' could not be refreshed nor stopped: %s", pool->name,
                       err->message);
        return;
    }
    if (transient)
        mv_driver_list_remove(driver->pools, MV_DRIVER_OBJECT(pool));
    mv_log_info("storage pool '%s' stopped: it could not be refreshed", pool->name);
    mv_storage_driver_emit(driver, pool, MV_STORAGE_POOL_EVENT_STOPPED);
}

bool
mv_storage_handle_storage_pool_refresh(MvDriverCall *call, const MvObjectRef *pool_ref,
                                       unsigned int flags, GError **error)
{
    MvStorageDriver *driver = mv_storage_driver_get(call);
    g_autoptr(MvStoragePoolObj) pool = NULL;
    bool ok;

    if (!mv_storage_dispatch_check_flags(flags, 0, "virStoragePoolRefresh", error) ||
        !(pool = mv_storage_driver_find_pool(driver, pool_ref, error)) ||
        !mv_storage_pool_begin_job(pool, "virStoragePoolRefresh", error))
        return false;
    ok = mv_storage_pool_refresh(driver, pool, error);
    if (!ok)
        stop_unreadable(driver, pool);
    mv_storage_pool_end_job(pool);
    if (ok)
        mv_storage_driver_emit_refresh(driver, pool);
    return ok;
}

bool
mv_storage_handle_storage_pool_set_autostart(MvDriverCall *call, const MvObjectRef *pool_ref,
                                             int autostart, GError **error)
{
    MvStorageDriver *driver = mv_storage_driver_get(call);
    g_autoptr(MvStoragePoolObj) pool = mv_storage_driver_find_pool(driver, pool_ref, error);
    bool persistent, ok;

    if (!pool || !mv_storage_pool_begin_job(pool, "virStoragePoolSetAutostart", error))
        return false;
    g_mutex_lock(&pool->lock);
    persistent = pool->persistent;
    g_mutex_unlock(&pool->lock);
    if (!persistent) {
        mv_storage_pool_end_job(pool);
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                            "cannot set autostart for transient pool '%s'", pool->name);
    }
    ok = mv_driver_store_set_autostart(driver->store, pool->name, autostart != 0, error);
    if (ok) {
        mv_storage_crash_point("pool-autostart-set");
        g_mutex_lock(&pool->lock);
        pool->autostart = autostart != 0;
        g_mutex_unlock(&pool->lock);
    }
    mv_storage_pool_end_job(pool);
    return ok;
}
