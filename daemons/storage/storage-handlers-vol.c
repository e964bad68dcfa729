/* Volume lookups, lists and queries: answered from the pool's tables under
 * its lock (held for memory work only), never waiting for a volume job; info
 * and XML re-read the volume's file first (no lock held). */
#define MV_LOG_CATEGORY "storage"
#include "storage-handlers.h"

#include <string.h>

/* The active pool of @pool_ref (new reference), or NULL with the error. */
static MvStoragePoolObj *
active_pool(MvDriverCall *call, const MvObjectRef *pool_ref, GError **error)
{
    MvStorageDriver *driver = mv_storage_driver_get(call);
    MvStoragePoolObj *pool = mv_storage_driver_find_pool(driver, pool_ref, error);
    bool active;

    if (!pool)
        return NULL;
    g_mutex_lock(&pool->lock);
    active = pool->active;
    g_mutex_unlock(&pool->lock);
    if (!active) {
        mv_storage_pool_not_active(pool, error);
        mv_storage_pool_unref(pool);
        return NULL;
    }
    return pool;
}

/* ---- lookups ---- */

bool
mv_storage_handle_storage_vol_lookup_by_name(MvDriverCall *call, const MvObjectRef *pool_ref,
                                             const char *name, MvObjectRef *ret_vol,
                                             GError **error)
{
    g_autoptr(MvStoragePoolObj) pool = active_pool(call, pool_ref, error);
    MvStorageVolObj *vol;

    if (!pool)
        return false;
    g_mutex_lock(&pool->lock);
    vol = mv_storage_vol_find(pool, name);
    if (vol)
        mv_storage_driver_fill_vol(ret_vol, pool, vol);
    g_mutex_unlock(&pool->lock);
    if (!vol)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_VOL,
                            "Storage volume not found: no storage vol with matching name '%s'",
                            name);
    return true;
}

/* Looks @text up in the table chosen by @by_path of every active pool and
 * fills @ret_vol. */
static bool
find_in_pools(MvStorageDriver *driver, const char *text, bool by_path, MvObjectRef *ret_vol)
{
    g_autoptr(GPtrArray) all = mv_driver_list_snapshot(driver->pools);
    bool found = false;

    for (guint i = 0; i < all->len && !found; i++) {
        MvStoragePoolObj *pool = all->pdata[i];
        MvStorageVolObj *vol;

        g_mutex_lock(&pool->lock);
        if (pool->active) {
            vol = g_hash_table_lookup(by_path ? pool->vols_by_path : pool->vols_by_key, text);
            if (vol && !vol->building) {
                mv_storage_driver_fill_vol(ret_vol, pool, vol);
                found = true;
            }
        }
        g_mutex_unlock(&pool->lock);
    }
    return found;
}

bool
mv_storage_handle_storage_vol_lookup_by_key(MvDriverCall *call, const char *key,
                                            MvObjectRef *ret_vol, GError **error)
{
    if (find_in_pools(mv_storage_driver_get(call), key, false, ret_vol))
        return true;
    return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_VOL,
                        "Storage volume not found: no storage vol with matching key %s", key);
}

bool
mv_storage_handle_storage_vol_lookup_by_path(MvDriverCall *call, const char *path,
                                             MvObjectRef *ret_vol, GError **error)
{
    MvStorageDriver *driver = mv_storage_driver_get(call);
    g_autofree char *canon = NULL;

    if (find_in_pools(driver, path, true, ret_vol))
        return true;
    canon = mv_storage_canonical_path(path);
    if (!g_str_equal(canon, path) && find_in_pools(driver, canon, true, ret_vol))
        return true;
    return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_VOL,
                        "Storage volume not found: no storage vol with matching path '%s'",
                        path);
}

/* ---- queries ---- */

/* Runs @func on the volume of @vol_ref with its pool's lock held. */
typedef void (*VolQuery)(const MvStoragePoolObj *pool, const MvStorageVolObj *vol,
                         gpointer data);

/* Re-reads @vol from disk as libvirt does before info and XML (a guest writes
 * into its disk, a tool resizes the file): the backend's vol_refresh on a copy,
 * no lock held, stored back unless a volume job changed it meanwhile. A volume
 * with a job running answers what the job will leave. A file that is gone is
 * an error, as in libvirt. */
static bool
refresh_vol(MvStoragePoolObj *pool, MvStorageVolObj *vol, GError **error)
{
    g_autoptr(MvStoragePoolDef) pooldef = NULL;
    g_autoptr(MvStorageVolDef) copy = NULL;
    const MvStorageBackend *backend;
    const MvStorageVolDef *seen;
    guint generation;

    g_mutex_lock(&pool->lock);
    if (vol->job || vol->building || vol->removed || !vol->def->target.path ||
        !(backend = mv_storage_backend_for(pool->def->type)) || !backend->vol_refresh) {
        g_mutex_unlock(&pool->lock);
        return true;
    }
    pooldef = mv_storage_pool_def_copy(pool->def);
    copy = mv_storage_vol_def_copy(vol->def);
    seen = vol->def;
    generation = pool->vol_generation;
    g_mutex_unlock(&pool->lock);

    if (!backend->vol_refresh(pooldef, copy, error))
        return false;
    g_mutex_lock(&pool->lock);
    if (!vol->job && !vol->removed && vol->def == seen && pool->vol_generation == generation)
        mv_storage_vol_set_def(pool, vol, g_steal_pointer(&copy));
    g_mutex_unlock(&pool->lock);
    return true;
}

static bool
query_vol_refresh(MvDriverCall *call, const MvObjectRef *vol_ref, bool refresh, VolQuery func,
                  gpointer data, GError **error)
{
    g_autoptr(MvStoragePoolObj) pool = NULL;
    g_autoptr(MvStorageVolObj) vol =
        mv_storage_driver_find_vol(mv_storage_driver_get(call), vol_ref, &pool, error);

    if (!vol || (refresh && !refresh_vol(pool, vol, error)))
        return false;
    g_mutex_lock(&pool->lock);
    func(pool, vol, data);
    g_mutex_unlock(&pool->lock);
    return true;
}

static bool
query_vol(MvDriverCall *call, const MvObjectRef *vol_ref, VolQuery func, gpointer data,
          GError **error)
{
    return query_vol_refresh(call, vol_ref, false, func, data, error);
}

typedef struct {
    bool physical;
    char *type;
    uint64_t *capacity;
    uint64_t *allocation;
} InfoQuery;

static void
get_info(const MvStoragePoolObj *pool, const MvStorageVolObj *vol, gpointer data)
{
    InfoQuery *q = data;

    (void)pool;
    *q->type = (char)vol->def->type;
    *q->capacity = vol->def->capacity;
    *q->allocation = q->physical && vol->def->has_physical ? vol->def->physical
                                                           : vol->def->allocation;
}

bool
mv_storage_handle_storage_vol_get_info(MvDriverCall *call, const MvObjectRef *vol_ref,
                                       char *ret_type, uint64_t *ret_capacity,
                                       uint64_t *ret_allocation, GError **error)
{
    InfoQuery q = { false, ret_type, ret_capacity, ret_allocation };

    return query_vol_refresh(call, vol_ref, true, get_info, &q, error);
}

/* virStorageVolInfoFlags. */
#define INFO_GET_PHYSICAL 1u

bool
mv_storage_handle_storage_vol_get_info_flags(MvDriverCall *call, const MvObjectRef *vol_ref,
                                             unsigned int flags, char *ret_type,
                                             uint64_t *ret_capacity, uint64_t *ret_allocation,
                                             GError **error)
{
    InfoQuery q = { (flags & INFO_GET_PHYSICAL) != 0, ret_type, ret_capacity, ret_allocation };

    if (!mv_storage_dispatch_check_flags(flags, INFO_GET_PHYSICAL, "virStorageVolGetInfoFlags",
                                         error))
        return false;
    return query_vol_refresh(call, vol_ref, true, get_info, &q, error);
}

static void
get_xml(const MvStoragePoolObj *pool, const MvStorageVolObj *vol, gpointer data)
{
    *(char **)data = mv_storage_vol_def_format(vol->def, pool->def->type, 0);
}

bool
mv_storage_handle_storage_vol_get_xml_desc(MvDriverCall *call, const MvObjectRef *vol_ref,
                                           unsigned int flags, char **ret_xml, GError **error)
{
    if (!mv_storage_dispatch_check_flags(flags, 0, "virStorageVolGetXMLDesc", error))
        return false;
    return query_vol_refresh(call, vol_ref, true, get_xml, ret_xml, error);
}

static void
get_path(const MvStoragePoolObj *pool, const MvStorageVolObj *vol, gpointer data)
{
    (void)pool;
    *(char **)data = g_strdup(vol->def->target.path ? vol->def->target.path : "");
}

bool
mv_storage_handle_storage_vol_get_path(MvDriverCall *call, const MvObjectRef *vol_ref,
                                       char **ret_name, GError **error)
{
    return query_vol(call, vol_ref, get_path, ret_name, error);
}

/* ---- lists ---- */

static gint
compare_names(gconstpointer a, gconstpointer b)
{
    const MvStorageVolObj *va = *(MvStorageVolObj *const *)a;
    const MvStorageVolObj *vb = *(MvStorageVolObj *const *)b;

    return strcmp(va->def->name, vb->def->name);
}

/* The complete volumes of @pool sorted by name (lock held; borrowed). */
static GPtrArray *
complete_vols(MvStoragePoolObj *pool)
{
    GPtrArray *out = g_ptr_array_sized_new(g_hash_table_size(pool->vols));
    GHashTableIter it;
    gpointer value;

    g_hash_table_iter_init(&it, pool->vols);
    while (g_hash_table_iter_next(&it, NULL, &value))
        if (!((MvStorageVolObj *)value)->building)
            g_ptr_array_add(out, value);
    g_ptr_array_sort(out, compare_names);
    return out;
}

bool
mv_storage_handle_storage_pool_num_of_volumes(MvDriverCall *call, const MvObjectRef *pool_ref,
                                              int *ret_num, GError **error)
{
    g_autoptr(MvStoragePoolObj) pool = active_pool(call, pool_ref, error);
    g_autoptr(GPtrArray) vols = NULL;

    if (!pool)
        return false;
    g_mutex_lock(&pool->lock);
    vols = complete_vols(pool);
    g_mutex_unlock(&pool->lock);
    *ret_num = (int)vols->len;
    return true;
}

bool
mv_storage_handle_storage_pool_list_volumes(MvDriverCall *call, const MvObjectRef *pool_ref,
                                            int maxnames, char ***ret_names,
                                            guint *ret_n_names, GError **error)
{
    g_autoptr(MvStoragePoolObj) pool = NULL;
    g_autoptr(GPtrArray) vols = NULL;
    char **names;
    guint n;

    if (maxnames < 0 || maxnames > MV_REMOTE_STORAGE_VOL_LIST_MAX)
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC, "maximum %d out of range (0..%d)",
                            maxnames, MV_REMOTE_STORAGE_VOL_LIST_MAX);
    if (!(pool = active_pool(call, pool_ref, error)))
        return false;
    g_mutex_lock(&pool->lock);
    vols = complete_vols(pool);
    n = MIN(vols->len, (guint)maxnames);
    names = g_new0(char *, MAX(n, 1));
    for (guint i = 0; i < n; i++)
        names[i] = g_strdup(((MvStorageVolObj *)vols->pdata[i])->def->name);
    g_mutex_unlock(&pool->lock);
    *ret_names = names;
    *ret_n_names = n;
    return true;
}

bool
mv_storage_handle_storage_pool_list_all_volumes(MvDriverCall *call,
                                                const MvObjectRef *pool_ref, int need_results,
                                                unsigned int flags, MvObjectRef **ret_vols,
                                                guint *ret_n_vols, unsigned int *ret_ret,
                                                GError **error)
{
    g_autoptr(MvStoragePoolObj) pool = NULL;
    g_autoptr(GPtrArray) vols = NULL;
    MvObjectRef *refs = NULL;

    if (!mv_storage_dispatch_check_flags(flags, 0, "virStoragePoolListAllVolumes", error) ||
        !(pool = active_pool(call, pool_ref, error)))
        return false;
    g_mutex_lock(&pool->lock);
    vols = complete_vols(pool);
    if (vols->len > MV_REMOTE_STORAGE_VOL_LIST_MAX) {
        g_mutex_unlock(&pool->lock);
        return mv_error_set(error, MV_FROM_RPC, MV_ERR_RPC,
                            "too many volumes (%u) for one reply (max %d)", vols->len,
                            MV_REMOTE_STORAGE_VOL_LIST_MAX);
    }
    if (need_results) {
        refs = g_new0(MvObjectRef, MAX(vols->len, 1));
        for (guint i = 0; i < vols->len; i++)
            mv_storage_driver_fill_vol(&refs[i], pool, vols->pdata[i]);
    }
    g_mutex_unlock(&pool->lock);
    *ret_vols = refs;
    *ret_n_vols = refs ? vols->len : 0;
    *ret_ret = vols->len;
    return true;
}
