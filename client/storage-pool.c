/* MvStoragePool handles, the pool list, lookups, definition, lifecycle,
 * queries and the volume list. Every call routes to modvirt-storaged. */
#include <string.h>

#include "client-priv.h"
#include "util/uuid.h"

struct _MvStoragePool {
    gint refs;
    MvConnect *conn;
    char *name;
    guint8 uuid[MV_UUID_BUFLEN];
    char uuid_string[MV_UUID_STRING_LEN];
};

#define POOL_OK(pool, func, error) \
    mv_client_check_arg((pool) != NULL, func, "the storage pool", error)

#define LIST_ALLOWED (MV_LIST_STORAGE_POOLS_ACTIVE | MV_LIST_STORAGE_POOLS_INACTIVE | \
                      MV_LIST_STORAGE_POOLS_PERSISTENT | MV_LIST_STORAGE_POOLS_TRANSIENT | \
                      MV_LIST_STORAGE_POOLS_AUTOSTART | MV_LIST_STORAGE_POOLS_NO_AUTOSTART)

/* The wire's pool list flags: 1 INACTIVE, 2 ACTIVE, then as ours. */
#define WIRE_LIST_INACTIVE 1u
#define WIRE_LIST_ACTIVE 2u

unsigned int
mv_storage_pool_list_flags_to_wire(unsigned int flags)
{
    unsigned int wire = flags & ~(MV_LIST_STORAGE_POOLS_ACTIVE |
                                  MV_LIST_STORAGE_POOLS_INACTIVE);

    if (flags & MV_LIST_STORAGE_POOLS_ACTIVE)
        wire |= WIRE_LIST_ACTIVE;
    if (flags & MV_LIST_STORAGE_POOLS_INACTIVE)
        wire |= WIRE_LIST_INACTIVE;
    return wire;
}

MvStoragePool *
mv_storage_pool_new_from_wire(MvConnect *conn, const mv_remote_nonnull_storage_pool *ref)
{
    MvStoragePool *pool = g_new0(MvStoragePool, 1);

    pool->refs = 1;
    pool->conn = mv_connect_ref(conn);
    pool->name = g_strdup(ref->name);
    memcpy(pool->uuid, ref->uuid, MV_UUID_BUFLEN);
    mv_uuid_format(pool->uuid, pool->uuid_string);
    return pool;
}

void
mv_storage_pool_to_wire(MvStoragePool *pool, mv_remote_nonnull_storage_pool *ret_ref)
{
    ret_ref->name = pool->name;
    memcpy(ret_ref->uuid, pool->uuid, MV_UUID_BUFLEN);
}

MvStoragePool *
mv_storage_pool_ref(MvStoragePool *pool)
{
    if (pool)
        g_atomic_int_inc(&pool->refs);
    return pool;
}

void
mv_storage_pool_unref(MvStoragePool *pool)
{
    if (!pool || !g_atomic_int_dec_and_test(&pool->refs))
        return;
    mv_connect_unref(pool->conn);
    g_free(pool->name);
    g_free(pool);
}

const char *
mv_storage_pool_get_name(MvStoragePool *pool)
{
    g_return_val_if_fail(pool, NULL);
    return pool->name;
}

const char *
mv_storage_pool_get_uuid_string(MvStoragePool *pool)
{
    g_return_val_if_fail(pool, NULL);
    return pool->uuid_string;
}

MvConnect *
mv_storage_pool_get_connect(MvStoragePool *pool)
{
    g_return_val_if_fail(pool, NULL);
    return pool->conn;
}

const char *
mv_storage_pool_state_name(MvStoragePoolState state)
{
    static const char *const names[MV_STORAGE_POOL_STATE_LAST] = {
        [MV_STORAGE_POOL_STATE_INACTIVE] = "inactive",
        [MV_STORAGE_POOL_STATE_BUILDING] = "building",
        [MV_STORAGE_POOL_STATE_RUNNING] = "running",
        [MV_STORAGE_POOL_STATE_DEGRADED] = "degraded",
        [MV_STORAGE_POOL_STATE_INACCESSIBLE] = "inaccessible",
    };

    if ((int)state < 0 || state >= MV_STORAGE_POOL_STATE_LAST)
        return "unknown";
    return names[state];
}

/* ---- list, lookups and definition ------------------------------------------ */

static gint
pool_compare_names(gconstpointer a, gconstpointer b)
{
    return g_strcmp0((*(MvStoragePool *const *)a)->name, (*(MvStoragePool *const *)b)->name);
}

MvStoragePool **
mv_connect_list_storage_pools(MvConnect *conn, unsigned int flags, gsize *ret_count,
                              GError **error)
{
    MvRpcClient *rpc;
    mv_remote_connect_list_all_storage_pools_args args = { .need_results = 1 };
    mv_remote_connect_list_all_storage_pools_ret ret = { 0 };
    GPtrArray *list;
    gsize count;

    if (!mv_client_check_flags(flags, LIST_ALLOWED, "mv_connect_list_storage_pools", error))
        return NULL;
    args.flags = mv_storage_pool_list_flags_to_wire(flags);
    if (!((rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_CONNECT_LIST_ALL_STORAGE_POOLS, error)) &&
          mv_remote_connect_list_all_storage_pools(rpc, &args, &ret, error)))
        return NULL;
    list = g_ptr_array_sized_new(ret.pools.pools_len + 1);
    for (u_int i = 0; i < ret.pools.pools_len; i++)
        g_ptr_array_add(list, mv_storage_pool_new_from_wire(conn, &ret.pools.pools_val[i]));
    xdr_free((xdrproc_t)xdr_mv_remote_connect_list_all_storage_pools_ret, (char *)&ret);
    g_ptr_array_sort(list, pool_compare_names);
    count = list->len;
    g_ptr_array_add(list, NULL);
    if (ret_count)
        *ret_count = count;
    return (MvStoragePool **)g_ptr_array_free(list, FALSE);
}

void
mv_storage_pool_list_free(MvStoragePool **list)
{
    if (!list)
        return;
    for (MvStoragePool **p = list; *p; p++)
        mv_storage_pool_unref(*p);
    g_free(list);
}

/* Wraps the pool of a lookup/define reply in a handle on @conn and frees the
 * reply's strings (every such reply is just `mv_remote_nonnull_storage_pool pool`). */
static MvStoragePool *
pool_from_reply(MvConnect *conn, mv_remote_nonnull_storage_pool *ref)
{
    MvStoragePool *pool = mv_storage_pool_new_from_wire(conn, ref);

    xdr_free((xdrproc_t)xdr_mv_remote_nonnull_storage_pool, (char *)ref);
    return pool;
}

MvStoragePool *
mv_storage_pool_lookup_by_name(MvConnect *conn, const char *name, unsigned int flags,
                               GError **error)
{
    mv_remote_storage_pool_lookup_by_name_args args = { .name = (char *)name };
    mv_remote_storage_pool_lookup_by_name_ret ret = { 0 };
    MvRpcClient *rpc;

    if (!mv_client_check_flags(flags, 0, "mv_storage_pool_lookup_by_name", error) ||
        !mv_client_check_arg(name != NULL, "mv_storage_pool_lookup_by_name", "name", error) ||
        !(rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_NAME, error)) ||
        !mv_remote_storage_pool_lookup_by_name(rpc, &args, &ret, error))
        return NULL;
    return pool_from_reply(conn, &ret.pool);
}

MvStoragePool *
mv_storage_pool_lookup_by_uuid(MvConnect *conn, const char *uuid, unsigned int flags,
                               GError **error)
{
    mv_remote_storage_pool_lookup_by_uuid_args args;
    mv_remote_storage_pool_lookup_by_uuid_ret ret = { 0 };
    guint8 raw[MV_UUID_BUFLEN];
    MvRpcClient *rpc;

    if (!mv_client_check_flags(flags, 0, "mv_storage_pool_lookup_by_uuid", error) ||
        !mv_client_check_arg(uuid != NULL, "mv_storage_pool_lookup_by_uuid", "uuid", error) ||
        !mv_uuid_parse(uuid, raw, error))
        return NULL;
    memcpy(args.uuid, raw, sizeof(raw));
    if (!(rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_UUID, error)) ||
        !mv_remote_storage_pool_lookup_by_uuid(rpc, &args, &ret, error))
        return NULL;
    return pool_from_reply(conn, &ret.pool);
}

MvStoragePool *
mv_storage_pool_lookup_by_volume(MvStorageVolume *vol, unsigned int flags, GError **error)
{
    mv_remote_storage_pool_lookup_by_volume_args args;
    mv_remote_storage_pool_lookup_by_volume_ret ret = { 0 };
    MvConnect *conn;
    MvRpcClient *rpc;

    if (!mv_client_check_arg(vol != NULL, "mv_storage_pool_lookup_by_volume", "the volume",
                             error) ||
        !mv_client_check_flags(flags, 0, "mv_storage_pool_lookup_by_volume", error))
        return NULL;
    mv_storage_volume_to_wire(vol, &args.vol);
    conn = mv_storage_volume_get_connect(vol);
    if (!(rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_VOLUME, error)) ||
        !mv_remote_storage_pool_lookup_by_volume(rpc, &args, &ret, error))
        return NULL;
    return pool_from_reply(conn, &ret.pool);
}

MvStoragePool *
mv_storage_pool_define(MvConnect *conn, const char *xml, unsigned int flags, GError **error)
{
    mv_remote_storage_pool_define_xml_args args = { .xml = (char *)xml, .flags = flags };
    mv_remote_storage_pool_define_xml_ret ret = { 0 };
    MvRpcClient *rpc;

    if (!mv_client_check_flags(flags, MV_STORAGE_POOL_DEFINE_VALIDATE,
                               "mv_storage_pool_define", error) ||
        !mv_client_check_arg(xml != NULL, "mv_storage_pool_define", "xml", error) ||
        !(rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_STORAGE_POOL_DEFINE_XML, error)) ||
        !mv_remote_storage_pool_define_xml(rpc, &args, &ret, error))
        return NULL;
    return pool_from_reply(conn, &ret.pool);
}

/* ---- calls on a pool ------------------------------------------------------------- */

/* What every call on a pool does before sending: checks @pool and @flags
 * (bits outside @allowed) for @func, fills @ret_ref and returns the RPC
 * client of the daemon serving @proc. NULL with @error set. */
static MvRpcClient *
pool_prepare(MvStoragePool *pool, int proc, unsigned int flags, unsigned int allowed,
             const char *func, mv_remote_nonnull_storage_pool *ret_ref, GError **error)
{
    if (!POOL_OK(pool, func, error) || !mv_client_check_flags(flags, allowed, func, error))
        return NULL;
    mv_storage_pool_to_wire(pool, ret_ref);
    return mv_connect_rpc(pool->conn, proc, error);
}

bool
mv_storage_pool_build(MvStoragePool *pool, unsigned int flags, GError **error)
{
    const unsigned int both = MV_STORAGE_POOL_BUILD_OVERWRITE | MV_STORAGE_POOL_BUILD_NO_OVERWRITE;
    mv_remote_storage_pool_build_args args = { .flags = flags };
    MvRpcClient *rpc;

    if ((flags & both) == both)
        return mv_error_set(error, MV_FROM_REMOTE, MV_ERR_INVALID_ARG,
                            "mv_storage_pool_build: OVERWRITE and NO_OVERWRITE exclude "
                            "each other");
    rpc = pool_prepare(pool, MV_REMOTE_PROC_STORAGE_POOL_BUILD, flags, both,
                       "mv_storage_pool_build", &args.pool, error);
    return rpc && mv_remote_storage_pool_build(rpc, &args, error);
}

bool
mv_storage_pool_start(MvStoragePool *pool, unsigned int flags, GError **error)
{
    mv_remote_storage_pool_create_args args = { .flags = flags };
    MvRpcClient *rpc = pool_prepare(pool, MV_REMOTE_PROC_STORAGE_POOL_CREATE, flags,
                                    MV_STORAGE_POOL_START_BUILD |
                                    MV_STORAGE_POOL_START_BUILD_OVERWRITE |
                                    MV_STORAGE_POOL_START_BUILD_NO_OVERWRITE,
                                    "mv_storage_pool_start", &args.pool, error);

    return rpc && mv_remote_storage_pool_create(rpc, &args, error);
}

bool
mv_storage_pool_stop(MvStoragePool *pool, unsigned int flags, GError **error)
{
    mv_remote_storage_pool_destroy_args args;
    MvRpcClient *rpc = pool_prepare(pool, MV_REMOTE_PROC_STORAGE_POOL_DESTROY, flags, 0,
                                    "mv_storage_pool_stop", &args.pool, error);

    return rpc && mv_remote_storage_pool_destroy(rpc, &args, error);
}

bool
mv_storage_pool_delete_storage(MvStoragePool *pool, unsigned int flags, GError **error)
{
    mv_remote_storage_pool_delete_args args = { .flags = flags };
    MvRpcClient *rpc = pool_prepare(pool, MV_REMOTE_PROC_STORAGE_POOL_DELETE, flags, 0,
                                    "mv_storage_pool_delete_storage", &args.pool, error);

    return rpc && mv_remote_storage_pool_delete(rpc, &args, error);
}

bool
mv_storage_pool_undefine(MvStoragePool *pool, unsigned int flags, GError **error)
{
    mv_remote_storage_pool_undefine_args args;
    MvRpcClient *rpc = pool_prepare(pool, MV_REMOTE_PROC_STORAGE_POOL_UNDEFINE, flags, 0,
                                    "mv_storage_pool_undefine", &args.pool, error);

    return rpc && mv_remote_storage_pool_undefine(rpc, &args, error);
}

bool
mv_storage_pool_refresh(MvStoragePool *pool, unsigned int flags, GError **error)
{
    mv_remote_storage_pool_refresh_args args = { .flags = flags };
    MvRpcClient *rpc = pool_prepare(pool, MV_REMOTE_PROC_STORAGE_POOL_REFRESH, flags, 0,
                                    "mv_storage_pool_refresh", &args.pool, error);

    return rpc && mv_remote_storage_pool_refresh(rpc, &args, error);
}

bool
mv_storage_pool_get_info(MvStoragePool *pool, unsigned int flags, MvStoragePoolInfo *ret_info,
                         GError **error)
{
    mv_remote_storage_pool_get_info_args args;
    mv_remote_storage_pool_get_info_ret ret = { 0 };
    MvRpcClient *rpc;

    if (!mv_client_check_arg(ret_info != NULL, "mv_storage_pool_get_info", "ret_info",
                             error) ||
        !(rpc = pool_prepare(pool, MV_REMOTE_PROC_STORAGE_POOL_GET_INFO, flags, 0,
                             "mv_storage_pool_get_info", &args.pool, error)) ||
        !mv_remote_storage_pool_get_info(rpc, &args, &ret, error))
        return false;
    ret_info->state = (MvStoragePoolState)ret.state;
    ret_info->capacity = ret.capacity;
    ret_info->allocation = ret.allocation;
    ret_info->available = ret.available;
    return true;
}

char *
mv_storage_pool_get_xml(MvStoragePool *pool, unsigned int flags, GError **error)
{
    mv_remote_storage_pool_get_xml_desc_args args = { .flags = flags };
    mv_remote_storage_pool_get_xml_desc_ret ret = { 0 };
    MvRpcClient *rpc = pool_prepare(pool, MV_REMOTE_PROC_STORAGE_POOL_GET_XML_DESC, flags,
                                    MV_STORAGE_POOL_XML_INACTIVE, "mv_storage_pool_get_xml",
                                    &args.pool, error);

    if (!rpc || !mv_remote_storage_pool_get_xml_desc(rpc, &args, &ret, error))
        return NULL;
    return ret.xml;
}

bool
mv_storage_pool_get_autostart(MvStoragePool *pool, unsigned int flags, bool *ret_autostart,
                              GError **error)
{
    mv_remote_storage_pool_get_autostart_args args;
    mv_remote_storage_pool_get_autostart_ret ret = { 0 };
    MvRpcClient *rpc;

    if (!mv_client_check_arg(ret_autostart != NULL, "mv_storage_pool_get_autostart",
                             "ret_autostart", error) ||
        !(rpc = pool_prepare(pool, MV_REMOTE_PROC_STORAGE_POOL_GET_AUTOSTART, flags, 0,
                             "mv_storage_pool_get_autostart", &args.pool, error)) ||
        !mv_remote_storage_pool_get_autostart(rpc, &args, &ret, error))
        return false;
    *ret_autostart = ret.autostart != 0;
    return true;
}

bool
mv_storage_pool_set_autostart(MvStoragePool *pool, bool autostart, unsigned int flags,
                              GError **error)
{
    mv_remote_storage_pool_set_autostart_args args = { .autostart = autostart ? 1 : 0 };
    MvRpcClient *rpc = pool_prepare(pool, MV_REMOTE_PROC_STORAGE_POOL_SET_AUTOSTART, flags, 0,
                                    "mv_storage_pool_set_autostart", &args.pool, error);

    return rpc && mv_remote_storage_pool_set_autostart(rpc, &args, error);
}

bool
mv_storage_pool_is_active(MvStoragePool *pool, unsigned int flags, bool *ret_active,
                          GError **error)
{
    mv_remote_storage_pool_is_active_args args;
    mv_remote_storage_pool_is_active_ret ret = { 0 };
    MvRpcClient *rpc;

    if (!mv_client_check_arg(ret_active != NULL, "mv_storage_pool_is_active",
                             "ret_active", error) ||
        !(rpc = pool_prepare(pool, MV_REMOTE_PROC_STORAGE_POOL_IS_ACTIVE, flags, 0,
                             "mv_storage_pool_is_active", &args.pool, error)) ||
        !mv_remote_storage_pool_is_active(rpc, &args, &ret, error))
        return false;
    *ret_active = ret.active != 0;
    return true;
}

bool
mv_storage_pool_is_persistent(MvStoragePool *pool, unsigned int flags, bool *ret_persistent,
                              GError **error)
{
    mv_remote_storage_pool_is_persistent_args args;
    mv_remote_storage_pool_is_persistent_ret ret = { 0 };
    MvRpcClient *rpc;

    if (!mv_client_check_arg(ret_persistent != NULL, "mv_storage_pool_is_persistent",
                             "ret_persistent", error) ||
        !(rpc = pool_prepare(pool, MV_REMOTE_PROC_STORAGE_POOL_IS_PERSISTENT, flags, 0,
                             "mv_storage_pool_is_persistent", &args.pool, error)) ||
        !mv_remote_storage_pool_is_persistent(rpc, &args, &ret, error))
        return false;
    *ret_persistent = ret.persistent != 0;
    return true;
}

static gint
volume_compare_names(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(mv_storage_volume_get_name(*(MvStorageVolume *const *)a),
                     mv_storage_volume_get_name(*(MvStorageVolume *const *)b));
}

MvStorageVolume **
mv_storage_pool_list_volumes(MvStoragePool *pool, unsigned int flags, gsize *ret_count,
                             GError **error)
{
    mv_remote_storage_pool_list_all_volumes_args args = { .need_results = 1, .flags = 0 };
    mv_remote_storage_pool_list_all_volumes_ret ret = { 0 };
    MvRpcClient *rpc = pool_prepare(pool, MV_REMOTE_PROC_STORAGE_POOL_LIST_ALL_VOLUMES, flags, 0,
                                    "mv_storage_pool_list_volumes", &args.pool, error);
    GPtrArray *list;
    gsize count;

    if (!rpc || !mv_remote_storage_pool_list_all_volumes(rpc, &args, &ret, error))
        return NULL;
    list = g_ptr_array_sized_new(ret.vols.vols_len + 1);
    for (u_int i = 0; i < ret.vols.vols_len; i++)
        g_ptr_array_add(list, mv_storage_volume_new_from_wire(pool->conn,
                                                              &ret.vols.vols_val[i]));
    xdr_free((xdrproc_t)xdr_mv_remote_storage_pool_list_all_volumes_ret, (char *)&ret);
    g_ptr_array_sort(list, volume_compare_names);
    count = list->len;
    g_ptr_array_add(list, NULL);
    if (ret_count)
        *ret_count = count;
    return (MvStorageVolume **)g_ptr_array_free(list, FALSE);
}
