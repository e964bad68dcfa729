/* Pool lookups, lists and queries: answered from memory, never waiting on a
 * job; plus events, find-storage-pool-sources and pool capabilities. */
#define MV_LOG_CATEGORY "storage"
#include "storage-handlers.h"

#include <stdlib.h>
#include <string.h>

#include "daemon/storage-events.h"
#include "storage-pool-caps.h"
#include "util/uuid.h"

bool
mv_storage_dispatch_check_flags(unsigned int flags, unsigned int allowed, const char *api,
                                GError **error)
{
    if (flags & ~allowed)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                            "unsupported flags (0x%x) in function %s", flags & ~allowed, api);
    return true;
}

/* ---- lookups ---- */

bool
mv_storage_handle_storage_pool_lookup_by_name(MvDriverCall *call, const char *name,
                                              MvObjectRef *ret_pool, GError **error)
{
    MvStorageDriver *driver = mv_storage_driver_get(call);
    g_autoptr(MvStoragePoolObj) pool =
        MV_STORAGE_POOL_OBJ(mv_driver_list_find_by_name(driver->pools, name));

    if (!pool)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_POOL,
                            "Storage pool not found: no storage pool with matching name '%s'",
                            name);
    mv_storage_driver_fill_pool(ret_pool, pool);
    return true;
}

bool
mv_storage_handle_storage_pool_lookup_by_uuid(MvDriverCall *call, const guint8 *uuid,
                                              MvObjectRef *ret_pool, GError **error)
{
    MvStorageDriver *driver = mv_storage_driver_get(call);
    g_autoptr(MvStoragePoolObj) pool =
        MV_STORAGE_POOL_OBJ(mv_driver_list_find_by_uuid(driver->pools, uuid));
    char text[MV_UUID_STRING_LEN];

    if (!pool) {
        mv_uuid_format(uuid, text);
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_POOL,
                            "Storage pool not found: no storage pool with matching uuid '%s'",
                            text);
    }
    mv_storage_driver_fill_pool(ret_pool, pool);
    return true;
}

bool
mv_storage_handle_storage_pool_lookup_by_volume(MvDriverCall *call, const MvObjectRef *vol_ref,
                                                MvObjectRef *ret_pool, GError **error)
{
    return mv_storage_handle_storage_pool_lookup_by_name(call, vol_ref->pool ? vol_ref->pool
                                                                             : "",
                                                         ret_pool, error);
}

/* The canonical form of @path: symlinks resolved when it exists, else only
 * cleaned up ("//" and "/./", a trailing "/"). */
char *
mv_storage_canonical_path(const char *path)
{
    char *real = realpath(path, NULL);
    char *copy;

    if (real) {
        copy = g_strdup(real);
        free(real);
        return copy;
    }
    return g_canonicalize_filename(path, "/");
}

typedef struct {
    const char *path;
    MvStoragePoolObj *found;
} TargetSearch;

static void
match_target(MvDriverObject *obj, gpointer data)
{
    MvStoragePoolObj *pool = MV_STORAGE_POOL_OBJ(obj);
    TargetSearch *ts = data;

    if (ts->found || !pool->active || !pool->def->target.path)
        return;
    if (g_str_equal(pool->def->target.path, ts->path))
        ts->found = mv_storage_pool_ref(pool);
}

static void
match_target_locked(MvDriverObject *obj, gpointer data)
{
    g_mutex_lock(&obj->lock);
    match_target(obj, data);
    g_mutex_unlock(&obj->lock);
}

bool
mv_storage_handle_storage_pool_lookup_by_target_path(MvDriverCall *call, const char *path,
                                                     MvObjectRef *ret_pool, GError **error)
{
    MvStorageDriver *driver = mv_storage_driver_get(call);
    g_autofree char *canon = mv_storage_canonical_path(path);
    TargetSearch ts = { path, NULL };
    g_autoptr(MvStoragePoolObj) pool = NULL;

    mv_driver_list_foreach(driver->pools, NULL, match_target_locked, &ts);
    if (!ts.found && !g_str_equal(canon, path)) {
        ts.path = canon;
        mv_driver_list_foreach(driver->pools, NULL, match_target_locked, &ts);
    }
    if (!(pool = ts.found))
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_POOL,
                            "Storage pool not found: no storage pool with matching target "
                            "path '%s'", path);
    mv_storage_driver_fill_pool(ret_pool, pool);
    return true;
}

/* ---- lists ---- */

/* CONNECT_LIST_ALL_STORAGE_POOLS filter groups (VIR_CONNECT_LIST_STORAGE_POOLS_*). */
enum {
    LIST_INACTIVE = 1 << 0,
    LIST_ACTIVE = 1 << 1,
    LIST_PERSISTENT = 1 << 2,
    LIST_TRANSIENT = 1 << 3,
    LIST_AUTOSTART = 1 << 4,
    LIST_NO_AUTOSTART = 1 << 5,
    LIST_TYPES = MV_STORAGE_POOL_LIST_TYPE_MASK,    /* DIR 1 << 6 ... every type bit */
    LIST_ALL_FLAGS = (1 << 20) - 1,
};

static const MvDriverFilter list_filters[] = {
    { LIST_ACTIVE, LIST_INACTIVE, mv_driver_filter_active },
    { LIST_PERSISTENT, LIST_TRANSIENT, mv_driver_filter_persistent },
    { LIST_AUTOSTART, LIST_NO_AUTOSTART, mv_driver_filter_autostart },
    { 0 },
};

static bool
match_type(const MvDriverObject *obj, unsigned int flags)
{
    const MvStoragePoolObj *pool = (const MvStoragePoolObj *)obj;

    if (!(flags & LIST_TYPES))
        return true;
    return (flags & mv_storage_pool_type_list_flag(pool->def->type)) != 0;
}

static void
fill_pool(MvObjectRef *ret, MvDriverObject *obj)
{
    mv_storage_driver_fill_pool(ret, MV_STORAGE_POOL_OBJ(obj));
}

bool
mv_storage_handle_connect_list_all_storage_pools(MvDriverCall *call, int need_results,
                                                 unsigned int flags, MvObjectRef **ret_pools,
                                                 guint *ret_n_pools, unsigned int *ret_ret,
                                                 GError **error)
{
    MvStorageDriver *driver = mv_storage_driver_get(call);
    MvDriverQuery query = { flags, list_filters, match_type };

    return mv_storage_dispatch_check_flags(flags, LIST_ALL_FLAGS,
                                           "virConnectListAllStoragePools", error) &&
           mv_driver_list_all_refs(driver->pools, &query, MV_REMOTE_STORAGE_POOL_LIST_MAX,
                                   need_results, fill_pool, ret_pools, ret_n_pools, ret_ret,
                                   error);
}

/* Counts or names active or inactive pools, the legacy way. */
static guint
collect(MvStorageDriver *driver, bool active, int max, char **names)
{
    return mv_driver_list_names(driver->pools, active, max, names);
}

bool
mv_storage_handle_connect_num_of_storage_pools(MvDriverCall *call, int *ret_num,
                                               GError **error)
{
    (void)error;
    *ret_num = (int)collect(mv_storage_driver_get(call), true, -1, NULL);
    return true;
}

bool
mv_storage_handle_connect_num_of_defined_storage_pools(MvDriverCall *call, int *ret_num,
                                                       GError **error)
{
    (void)error;
    *ret_num = (int)collect(mv_storage_driver_get(call), false, -1, NULL);
    return true;
}

bool
mv_storage_handle_connect_list_storage_pools(MvDriverCall *call, int maxnames,
                                             char ***ret_names, guint *ret_n_names,
                                             GError **error)
{
    if (!mv_driver_list_check_max(maxnames, MV_REMOTE_STORAGE_POOL_LIST_MAX, error))
        return false;
    *ret_names = g_new0(char *, MAX(maxnames, 1));
    *ret_n_names = collect(mv_storage_driver_get(call), true, maxnames, *ret_names);
    return true;
}

bool
mv_storage_handle_connect_list_defined_storage_pools(MvDriverCall *call, int maxnames,
                                                     char ***ret_names, guint *ret_n_names,
                                                     GError **error)
{
    if (!mv_driver_list_check_max(maxnames, MV_REMOTE_STORAGE_POOL_LIST_MAX, error))
        return false;
    *ret_names = g_new0(char *, MAX(maxnames, 1));
    *ret_n_names = collect(mv_storage_driver_get(call), false, maxnames, *ret_names);
    return true;
}

/* ---- queries ---- */

bool
mv_storage_handle_storage_pool_get_info(MvDriverCall *call, const MvObjectRef *pool_ref,
                                        unsigned char *ret_state, uint64_t *ret_capacity,
                                        uint64_t *ret_allocation, uint64_t *ret_available,
                                        GError **error)
{
    MvStorageDriver *driver = mv_storage_driver_get(call);
    g_autoptr(MvStoragePoolObj) pool = mv_storage_driver_find_pool(driver, pool_ref, error);

    if (!pool)
        return false;
    g_mutex_lock(&pool->lock);
    if (pool->active) {
        *ret_state = MV_STORAGE_POOL_STATE_RUNNING;
        *ret_capacity = pool->sizes.capacity;
        *ret_allocation = pool->sizes.allocation;
        *ret_available = pool->sizes.available;
    } else {
        *ret_state = pool->starting ? MV_STORAGE_POOL_STATE_BUILDING
                                    : MV_STORAGE_POOL_STATE_INACTIVE;
        *ret_capacity = *ret_allocation = *ret_available = 0;
    }
    g_mutex_unlock(&pool->lock);
    return true;
}

bool
mv_storage_handle_storage_pool_get_xml_desc(MvDriverCall *call, const MvObjectRef *pool_ref,
                                            unsigned int flags, char **ret_xml, GError **error)
{
    MvStorageDriver *driver = mv_storage_driver_get(call);
    g_autoptr(MvStoragePoolObj) pool = NULL;

    if (!mv_storage_dispatch_check_flags(flags, MV_STORAGE_POOL_FORMAT_INACTIVE,
                                         "virStoragePoolGetXMLDesc", error) ||
        !(pool = mv_storage_driver_find_pool(driver, pool_ref, error)))
        return false;
    g_mutex_lock(&pool->lock);
    if ((flags & MV_STORAGE_POOL_FORMAT_INACTIVE) && pool->newdef)
        *ret_xml = mv_storage_pool_def_format(pool->newdef, flags);
    else
        *ret_xml = mv_storage_pool_def_format(pool->def, flags);
    g_mutex_unlock(&pool->lock);
    return true;
}

bool
mv_storage_handle_storage_pool_get_autostart(MvDriverCall *call, const MvObjectRef *pool_ref,
                                             int *ret_autostart, GError **error)
{
    MvStorageDriver *driver = mv_storage_driver_get(call);
    g_autoptr(MvStoragePoolObj) pool = mv_storage_driver_find_pool(driver, pool_ref, error);

    if (!pool)
        return false;
    g_mutex_lock(&pool->lock);
    *ret_autostart = pool->autostart;
    g_mutex_unlock(&pool->lock);
    return true;
}

bool
mv_storage_handle_storage_pool_is_active(MvDriverCall *call, const MvObjectRef *pool_ref,
                                         int *ret_active, GError **error)
{
    MvStorageDriver *driver = mv_storage_driver_get(call);
    g_autoptr(MvStoragePoolObj) pool = mv_storage_driver_find_pool(driver, pool_ref, error);

    if (!pool)
        return false;
    g_mutex_lock(&pool->lock);
    *ret_active = pool->active;
    g_mutex_unlock(&pool->lock);
    return true;
}

bool
mv_storage_handle_storage_pool_is_persistent(MvDriverCall *call, const MvObjectRef *pool_ref,
                                             int *ret_persistent, GError **error)
{
    MvStorageDriver *driver = mv_storage_driver_get(call);
    g_autoptr(MvStoragePoolObj) pool = mv_storage_driver_find_pool(driver, pool_ref, error);

    if (!pool)
        return false;
    g_mutex_lock(&pool->lock);
    *ret_persistent = pool->persistent;
    g_mutex_unlock(&pool->lock);
    return true;
}

/* ---- events ---- */

bool
mv_storage_handle_connect_storage_pool_event_register_any(MvDriverCall *call, int event_id,
                                                          const MvObjectRef *pool_ref,
                                                          int *ret_callback_id, GError **error)
{
    MvStorageDriver *driver = mv_storage_driver_get(call);
    g_autoptr(MvStoragePoolObj) pool = NULL;

    if (!mv_driver_events_check_id(event_id, MV_STORAGE_POOL_EVENT_ID_LAST, MV_FROM_STORAGE,
                                   error))
        return false;
    if (pool_ref && !(pool = mv_storage_driver_find_pool(driver, pool_ref, error)))
        return false;
    *ret_callback_id = mv_driver_events_register(driver->events, MV_DRIVER_EVENT_STORAGE_POOL,
                                                 mv_driver_call_client(call), event_id,
                                                 pool ? pool->uuid : NULL);
    return true;
}

bool
mv_storage_handle_connect_storage_pool_event_deregister_any(MvDriverCall *call, int callback_id,
                                                            GError **error)
{
    return mv_driver_events_deregister_checked(mv_storage_driver_get(call)->events,
                                               MV_DRIVER_EVENT_STORAGE_POOL,
                                               mv_driver_call_client(call), callback_id,
                                               MV_FROM_STORAGE, error);
}

/* ---- connect-level ---- */

bool
mv_storage_handle_connect_find_storage_pool_sources(MvDriverCall *call, const char *type,
                                                    const char *src_spec, unsigned int flags,
                                                    char **ret_xml, GError **error)
{
    const MvStorageBackend *backend;
    int t = mv_storage_pool_type_from_string(type);
    char *xml;

    (void)call;
    if (t < 0)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                            "unknown storage pool type '%s'", type);
    if (!mv_storage_dispatch_check_flags(flags, 0, "virConnectFindStoragePoolSources", error))
        return false;
    backend = mv_storage_backend_for(t);
    if (!backend->find_sources)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT,
                            "this function is not supported by the connection driver: "
                            "pool type '%s' cannot find sources", type);
    if (!(xml = backend->find_sources(src_spec, flags, error)))
        return false;
    *ret_xml = xml;
    return true;
}

bool
mv_storage_handle_connect_get_storage_pool_capabilities(MvDriverCall *call, unsigned int flags,
                                                        char **ret_capabilities,
                                                        GError **error)
{
    bool supported[MV_STORAGE_POOL_TYPE_LAST];

    (void)call;
    if (!mv_storage_dispatch_check_flags(flags, 0, "virConnectGetStoragePoolCapabilities",
                                         error))
        return false;
    for (int t = 0; t < MV_STORAGE_POOL_TYPE_LAST; t++) {
        const MvStorageBackend *backend = mv_storage_backend_for(t);
        MvStoragePoolDef probe = { .type = t, .name = (char *)"capabilities" };

        mv_storage_perms_init(&probe.target.perms);
        supported[t] = !backend->check_host || backend->check_host(&probe, NULL);
    }
    *ret_capabilities = mv_storage_pool_caps_format(supported);
    return true;
}
