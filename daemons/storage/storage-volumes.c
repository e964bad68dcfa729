/* Volume objects inside a pool: the pool's tables by name, key and path, and
 * the per-volume job of long operations. Everything here runs with the pool's
 * lock held and never blocks. */
#define MV_LOG_CATEGORY "storage"
#include "storage-driver.h"

MvStorageVolObj *
mv_storage_vol_ref(MvStorageVolObj *vol)
{
    g_atomic_int_inc(&vol->ref);
    return vol;
}

void
mv_storage_vol_unref(MvStorageVolObj *vol)
{
    if (!vol || !g_atomic_int_dec_and_test(&vol->ref))
        return;
    mv_storage_vol_def_free(vol->def);
    g_free(vol);
}

MvStorageVolObj *
mv_storage_vol_insert(MvStoragePoolObj *pool, MvStorageVolDef *def)
{
    MvStorageVolObj *vol = g_new0(MvStorageVolObj, 1);

    vol->ref = 1;               /* the table's */
    vol->def = def;
    vol->pool = pool;
    g_hash_table_insert(pool->vols, def->name, vol);
    if (def->key)
        g_hash_table_insert(pool->vols_by_key, def->key, vol);
    if (def->target.path)
        g_hash_table_insert(pool->vols_by_path, def->target.path, vol);
    return vol;
}

static void
unindex(MvStoragePoolObj *pool, MvStorageVolObj *vol)
{
    if (vol->def->key && g_hash_table_lookup(pool->vols_by_key, vol->def->key) == vol)
        g_hash_table_remove(pool->vols_by_key, vol->def->key);
    if (vol->def->target.path &&
        g_hash_table_lookup(pool->vols_by_path, vol->def->target.path) == vol)
        g_hash_table_remove(pool->vols_by_path, vol->def->target.path);
}

void
mv_storage_vol_set_def(MvStoragePoolObj *pool, MvStorageVolObj *vol, MvStorageVolDef *def)
{
    MvStorageVolDef *old = vol->def;

    unindex(pool, vol);
    g_hash_table_steal(pool->vols, old->name);
    vol->def = def;
    g_hash_table_insert(pool->vols, def->name, vol);
    if (def->key)
        g_hash_table_insert(pool->vols_by_key, def->key, vol);
    if (def->target.path)
        g_hash_table_insert(pool->vols_by_path, def->target.path, vol);
    mv_storage_vol_def_free(old);
}

void
mv_storage_vol_remove(MvStoragePoolObj *pool, MvStorageVolObj *vol)
{
    if (vol->removed)
        return;
    unindex(pool, vol);
    g_hash_table_remove(pool->vols, vol->def->name);
    vol->removed = true;
    vol->pool = NULL;
    mv_storage_vol_unref(vol);
}

void
mv_storage_vol_clear_all(MvStoragePoolObj *pool)
{
    GHashTableIter it;
    gpointer value;
    g_autoptr(GPtrArray) all = g_ptr_array_new();

    g_hash_table_iter_init(&it, pool->vols);
    while (g_hash_table_iter_next(&it, NULL, &value))
        g_ptr_array_add(all, value);
    for (guint i = 0; i < all->len; i++)
        mv_storage_vol_remove(pool, all->pdata[i]);
}

MvStorageVolObj *
mv_storage_vol_find(MvStoragePoolObj *pool, const char *name)
{
    MvStorageVolObj *vol = g_hash_table_lookup(pool->vols, name);

    return vol && !vol->building ? vol : NULL;
}

bool
mv_storage_vol_begin_job(MvStoragePoolObj *pool, MvStorageVolObj *vol, const char *api,
                         GError **error)
{
    if (vol->removed)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_VOL,
                            "Storage volume not found: no storage vol with matching name '%s'",
                            vol->def->name);
    if (vol->job)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                            "Requested operation is not valid: volume '%s' is busy: %s is "
                            "running on it; wait for it to finish", vol->def->name, vol->job);
    vol->job = api;
    pool->async_jobs++;
    return true;
}

void
mv_storage_vol_end_job(MvStoragePoolObj *pool, MvStorageVolObj *vol)
{
    vol->job = NULL;
    pool->async_jobs--;
    pool->vol_generation++;
}
