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

/* Calls @proc whose result is one `mv_remote_nonnull_storage_pool pool`
 * (every lookup/define ret has that layout) and wraps it in a handle. */
static MvStoragePool *
pool_call_returning_pool(MvConnect *conn, int proc, const void *args, GError **error)
{
    mv_remote_storage_pool_lookup_by_name_ret ret = { 0 };
    MvStoragePool *pool;

    g_assert(mv_remote_program.procs[proc].ret_size == sizeof(ret));
    if (!mv_connect_call(conn, proc, args, &ret, error))
        return NULL;
    pool = mv_storage_pool_new_from_wire(conn, &ret.pool);
    xdr_free(mv_remote_program.procs[proc].ret_filter, (char *)&ret);
    return pool;
}

MvStoragePool *
mv_storage_pool_lookup_by_name(MvConnect *conn, const char *name, unsigned int flags,
                               GError **error)
{
    mv_remote_storage_pool_lookup_by_name_args args = { .name = (char *)name };

    if (!mv_client_check_flags(flags, 0, "mv_storage_pool_lookup_by_name", error) ||
        !mv_client_check_arg(name != NULL, "mv_storage_pool_lookup_by_name", "name", error))
        return NULL;
    return pool_call_returning_pool(conn, MV_REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_NAME, &args,
                                    error);
}

MvStoragePool *
mv_storage_pool_lookup_by_uuid(MvConnect *conn, const char *uuid, unsigned int flags,
                               GError **error)
{
    mv_remote_storage_pool_lookup_by_uuid_args args;
    guint8 raw[MV_UUID_BUFLEN];

    if (!mv_client_check_flags(flags, 0, "mv_storage_pool_lookup_by_uuid", error) ||
        !mv_client_check_arg(uuid != NULL, "mv_storage_pool_lookup_by_uuid", "uuid", error) ||
        !mv_uuid_parse(uuid, raw, error))
        return NULL;
    memcpy(args.uuid, raw, sizeof(raw));
    return pool_call_returning_pool(conn, MV_REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_UUID, &args,
                                    error);
}

MvStoragePool *
mv_storage_pool_lookup_by_volume(MvStorageVolume *vol, unsigned int flags, GError **error)
{
    mv_remote_storage_pool_lookup_by_volume_args args;

    if (!mv_client_check_arg(vol != NULL, "mv_storage_pool_lookup_by_volume", "the volume",
                             error) ||
        !mv_client_check_flags(flags, 0, "mv_storage_pool_lookup_by_volume", error))
        return NULL;
    mv_storage_volume_to_wire(vol, &args.vol);
    return pool_call_returning_pool(mv_storage_volume_get_connect(vol),
                                    MV_REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_VOLUME, &args, error);
}

MvStoragePool *
mv_storage_pool_define(MvConnect *conn, const char *xml, unsigned int flags, GError **error)
{
    mv_remote_storage_pool_define_xml_args args = { .xml = (char *)xml, .flags = flags };

    if (!mv_client_check_flags(flags, MV_STORAGE_POOL_DEFINE_VALIDATE,
                               "mv_storage_pool_define", error) ||
        !mv_client_check_arg(xml != NULL, "mv_storage_pool_define", "xml", error))
        return NULL;
    return pool_call_returning_pool(conn, MV_REMOTE_PROC_STORAGE_POOL_DEFINE_XML, &args,
                                    error);
}

/* ---- calls on a pool ------------------------------------------------------------- */

/* The calls whose args are just `pool`; @ret (NULL when the result is
 * empty) receives the procedure's result. */
static bool
pool_call(MvStoragePool *pool, int proc, unsigned int flags, const char *func, void *ret,
          GError **error)
{
    mv_remote_storage_pool_destroy_args args;

    if (!POOL_OK(pool, func, error) || !mv_client_check_flags(flags, 0, func, error))
        return false;
    g_assert(mv_remote_program.procs[proc].args_size == sizeof(args));
    mv_storage_pool_to_wire(pool, &args.pool);
    return mv_connect_call(pool->conn, proc, &args, ret, error);
}

/* The calls whose args are `pool, flags` and whose result is empty. */
static bool
pool_call_flags(MvStoragePool *pool, int proc, unsigned int flags, unsigned int allowed,
                const char *func, GError **error)
{
    mv_remote_storage_pool_build_args args;

    if (!POOL_OK(pool, func, error) || !mv_client_check_flags(flags, allowed, func, error))
        return false;
    g_assert(mv_remote_program.procs[proc].args_size == sizeof(args));
    mv_storage_pool_to_wire(pool, &args.pool);
    args.flags = flags;
    return mv_connect_call(pool->conn, proc, &args, NULL, error);
}

/* The queries that answer one int (is_active, is_persistent, get_autostart). */
static bool
pool_query_bool(MvStoragePool *pool, int proc, unsigned int flags, const char *func,
                const char *what, bool *ret_value, GError **error)
{
    mv_remote_storage_pool_is_active_ret ret = { 0 };

    if (!mv_client_check_arg(ret_value != NULL, func, what, error))
        return false;
    g_assert(mv_remote_program.procs[proc].ret_size == sizeof(ret));
    if (!pool_call(pool, proc, flags, func, &ret, error))
        return false;
    *ret_value = ret.active != 0;
    return true;
}

bool
mv_storage_pool_build(MvStoragePool *pool, unsigned int flags, GError **error)
{
    const unsigned int both = MV_STORAGE_POOL_BUILD_OVERWRITE | MV_STORAGE_POOL_BUILD_NO_OVERWRITE;

    if ((flags & both) == both)
        return mv_error_set(error, MV_FROM_REMOTE, MV_ERR_INVALID_ARG,
                            "mv_storage_pool_build: OVERWRITE and NO_OVERWRITE exclude "
                            "each other");
    return pool_call_flags(pool, MV_REMOTE_PROC_STORAGE_POOL_BUILD, flags,
                           both, "mv_storage_pool_build", error);
}

bool
mv_storage_pool_start(MvStoragePool *pool, unsigned int flags, GError **error)
{
    return pool_call_flags(pool, MV_REMOTE_PROC_STORAGE_POOL_CREATE, flags,
                           MV_STORAGE_POOL_START_BUILD | MV_STORAGE_POOL_START_BUILD_OVERWRITE |
                           MV_STORAGE_POOL_START_BUILD_NO_OVERWRITE,
                           "mv_storage_pool_start", error);
}

bool
mv_storage_pool_stop(MvStoragePool *pool, unsigned int flags, GError **error)
{
    return pool_call(pool, MV_REMOTE_PROC_STORAGE_POOL_DESTROY, flags, "mv_storage_pool_stop",
                     NULL, error);
}

bool
mv_storage_pool_delete_storage(MvStoragePool *pool, unsigned int flags, GError **error)
{
    return pool_call_flags(pool, MV_REMOTE_PROC_STORAGE_POOL_DELETE, flags, 0,
                           "mv_storage_pool_delete_storage", error);
}

bool
mv_storage_pool_undefine(MvStoragePool *pool, unsigned int flags, GError **error)
{
    return pool_call(pool, MV_REMOTE_PROC_STORAGE_POOL_UNDEFINE, flags,
                     "mv_storage_pool_undefine", NULL, error);
}

bool
mv_storage_pool_refresh(MvStoragePool *pool, unsigned int flags, GError **error)
{
    return pool_call_flags(pool, MV_REMOTE_PROC_STORAGE_POOL_REFRESH, flags, 0,
                           "mv_storage_pool_refresh", error);
}

bool
mv_storage_pool_get_info(MvStoragePool *pool, unsigned int flags, MvStoragePoolInfo *ret_info,
                         GError **error)
{
    mv_remote_storage_pool_get_info_ret ret = { 0 };

    if (!mv_client_check_arg(ret_info != NULL, "mv_storage_pool_get_info", "ret_info",
                             error) ||
        !pool_call(pool, MV_REMOTE_PROC_STORAGE_POOL_GET_INFO, flags,
                   "mv_storage_pool_get_info", &ret, error))
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
    MvRpcClient *rpc;
    mv_remote_storage_pool_get_xml_desc_args args;
    mv_remote_storage_pool_get_xml_desc_ret ret = { 0 };

    if (!POOL_OK(pool, "mv_storage_pool_get_xml", error) ||
        !mv_client_check_flags(flags, MV_STORAGE_POOL_XML_INACTIVE, "mv_storage_pool_get_xml",
                               error))
        return NULL;
    mv_storage_pool_to_wire(pool, &args.pool);
    args.flags = flags;
    if (!((rpc = mv_connect_rpc(pool->conn, MV_REMOTE_PROC_STORAGE_POOL_GET_XML_DESC, error)) &&
          mv_remote_storage_pool_get_xml_desc(rpc, &args, &ret, error)))
        return NULL;
    return ret.xml;
}

bool
mv_storage_pool_get_autostart(MvStoragePool *pool, unsigned int flags, bool *ret_autostart,
                              GError **error)
{
    return pool_query_bool(pool, MV_REMOTE_PROC_STORAGE_POOL_GET_AUTOSTART, flags,
                           "mv_storage_pool_get_autostart", "ret_autostart", ret_autostart,
                           error);
}

bool
mv_storage_pool_set_autostart(MvStoragePool *pool, bool autostart, unsigned int flags,
                              GError **error)
{
    MvRpcClient *rpc;
    mv_remote_storage_pool_set_autostart_args args;

    if (!POOL_OK(pool, "mv_storage_pool_set_autostart", error) ||
        !mv_client_check_flags(flags, 0, "mv_storage_pool_set_autostart", error))
        return false;
    mv_storage_pool_to_wire(pool, &args.pool);
    args.autostart = autostart ? 1 : 0;
    return ((rpc = mv_connect_rpc(pool->conn, MV_REMOTE_PROC_STORAGE_POOL_SET_AUTOSTART, error)) &&
            mv_remote_storage_pool_set_autostart(rpc, &args, error));
}

bool
mv_storage_pool_is_active(MvStoragePool *pool, unsigned int flags, bool *ret_active,
                          GError **error)
{
    return pool_query_bool(pool, MV_REMOTE_PROC_STORAGE_POOL_IS_ACTIVE, flags,
                           "mv_storage_pool_is_active", "ret_active", ret_active, error);
}

bool
mv_storage_pool_is_persistent(MvStoragePool *pool, unsigned int flags, bool *ret_persistent,
                              GError **error)
{
    return pool_query_bool(pool, MV_REMOTE_PROC_STORAGE_POOL_IS_PERSISTENT, flags,
                           "mv_storage_pool_is_persistent", "ret_persistent", ret_persistent,
                           error);
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
    MvRpcClient *rpc;
    mv_remote_storage_pool_list_all_volumes_args args = { .need_results = 1, .flags = 0 };
    mv_remote_storage_pool_list_all_volumes_ret ret = { 0 };
    GPtrArray *list;
    gsize count;

    if (!POOL_OK(pool, "mv_storage_pool_list_volumes", error) ||
        !mv_client_check_flags(flags, 0, "mv_storage_pool_list_volumes", error))
        return NULL;
    mv_storage_pool_to_wire(pool, &args.pool);
    if (!((rpc = mv_connect_rpc(pool->conn, MV_REMOTE_PROC_STORAGE_POOL_LIST_ALL_VOLUMES, error)) &&
          mv_remote_storage_pool_list_all_volumes(rpc, &args, &ret, error)))
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
