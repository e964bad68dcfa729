/* MvStorageVolume handles, lookups, creation, operations, queries and the
 * upload/download streams. Every call routes to modvirt-storaged. */
#include <string.h>

#include "client-priv.h"

struct _MvStorageVolume {
    gint refs;
    MvConnect *conn;
    char *pool;                 /* the pool's name */
    char *name;
    char *key;
};

#define VOLUME_OK(vol, func, error) \
    mv_client_check_arg((vol) != NULL, func, "the volume", error)

MvStorageVolume *
mv_storage_volume_new_from_wire(MvConnect *conn, const mv_remote_nonnull_storage_vol *ref)
{
    MvStorageVolume *vol = g_new0(MvStorageVolume, 1);

    vol->refs = 1;
    vol->conn = mv_connect_ref(conn);
    vol->pool = g_strdup(ref->pool);
    vol->name = g_strdup(ref->name);
    vol->key = g_strdup(ref->key);
    return vol;
}

void
mv_storage_volume_to_wire(MvStorageVolume *vol, mv_remote_nonnull_storage_vol *ret_ref)
{
    ret_ref->pool = vol->pool;
    ret_ref->name = vol->name;
    ret_ref->key = vol->key;
}

MvStorageVolume *
mv_storage_volume_ref(MvStorageVolume *vol)
{
    if (vol)
        g_atomic_int_inc(&vol->refs);
    return vol;
}

void
mv_storage_volume_unref(MvStorageVolume *vol)
{
    if (!vol || !g_atomic_int_dec_and_test(&vol->refs))
        return;
    mv_connect_unref(vol->conn);
    g_free(vol->pool);
    g_free(vol->name);
    g_free(vol->key);
    g_free(vol);
}

void
mv_storage_volume_list_free(MvStorageVolume **list)
{
    if (!list)
        return;
    for (MvStorageVolume **v = list; *v; v++)
        mv_storage_volume_unref(*v);
    g_free(list);
}

const char *
mv_storage_volume_get_name(MvStorageVolume *vol)
{
    g_return_val_if_fail(vol, NULL);
    return vol->name;
}

const char *
mv_storage_volume_get_key(MvStorageVolume *vol)
{
    g_return_val_if_fail(vol, NULL);
    return vol->key;
}

const char *
mv_storage_volume_get_pool_name(MvStorageVolume *vol)
{
    g_return_val_if_fail(vol, NULL);
    return vol->pool;
}

MvConnect *
mv_storage_volume_get_connect(MvStorageVolume *vol)
{
    g_return_val_if_fail(vol, NULL);
    return vol->conn;
}

const char *
mv_storage_volume_type_name(MvStorageVolumeType type)
{
    static const char *const names[MV_STORAGE_VOLUME_TYPE_LAST] = {
        [MV_STORAGE_VOLUME_FILE] = "file",
        [MV_STORAGE_VOLUME_BLOCK] = "block",
        [MV_STORAGE_VOLUME_DIR] = "dir",
        [MV_STORAGE_VOLUME_NETWORK] = "network",
        [MV_STORAGE_VOLUME_NETDIR] = "netdir",
        [MV_STORAGE_VOLUME_PLOOP] = "ploop",
    };

    if ((int)type < 0 || type >= MV_STORAGE_VOLUME_TYPE_LAST)
        return "unknown";
    return names[type];
}

/* ---- lookups and creation ------------------------------------------------------- */

/* Wraps the volume of a lookup/create reply in a handle on @conn and frees
 * the reply's strings (every such reply is just `mv_remote_nonnull_storage_vol vol`). */
static MvStorageVolume *
volume_from_reply(MvConnect *conn, mv_remote_nonnull_storage_vol *ref)
{
    MvStorageVolume *vol = mv_storage_volume_new_from_wire(conn, ref);

    xdr_free((xdrproc_t)xdr_mv_remote_nonnull_storage_vol, (char *)ref);
    return vol;
}

MvStorageVolume *
mv_storage_volume_lookup_by_name(MvStoragePool *pool, const char *name, unsigned int flags,
                                 GError **error)
{
    mv_remote_storage_vol_lookup_by_name_args args = { .name = (char *)name };
    mv_remote_storage_vol_lookup_by_name_ret ret = { 0 };
    MvConnect *conn;
    MvRpcClient *rpc;

    if (!mv_client_check_arg(pool != NULL, "mv_storage_volume_lookup_by_name",
                             "the storage pool", error) ||
        !mv_client_check_flags(flags, 0, "mv_storage_volume_lookup_by_name", error) ||
        !mv_client_check_arg(name != NULL, "mv_storage_volume_lookup_by_name", "name", error))
        return NULL;
    mv_storage_pool_to_wire(pool, &args.pool);
    conn = mv_storage_pool_get_connect(pool);
    if (!(rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_STORAGE_VOL_LOOKUP_BY_NAME, error)) ||
        !mv_remote_storage_vol_lookup_by_name(rpc, &args, &ret, error))
        return NULL;
    return volume_from_reply(conn, &ret.vol);
}

MvStorageVolume *
mv_storage_volume_lookup_by_key(MvConnect *conn, const char *key, unsigned int flags,
                                GError **error)
{
    mv_remote_storage_vol_lookup_by_key_args args = { .key = (char *)key };
    mv_remote_storage_vol_lookup_by_key_ret ret = { 0 };
    MvRpcClient *rpc;

    if (!mv_client_check_flags(flags, 0, "mv_storage_volume_lookup_by_key", error) ||
        !mv_client_check_arg(key != NULL, "mv_storage_volume_lookup_by_key", "key", error) ||
        !(rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_STORAGE_VOL_LOOKUP_BY_KEY, error)) ||
        !mv_remote_storage_vol_lookup_by_key(rpc, &args, &ret, error))
        return NULL;
    return volume_from_reply(conn, &ret.vol);
}

MvStorageVolume *
mv_storage_volume_lookup_by_path(MvConnect *conn, const char *path, unsigned int flags,
                                 GError **error)
{
    mv_remote_storage_vol_lookup_by_path_args args = { .path = (char *)path };
    mv_remote_storage_vol_lookup_by_path_ret ret = { 0 };
    MvRpcClient *rpc;

    if (!mv_client_check_flags(flags, 0, "mv_storage_volume_lookup_by_path", error) ||
        !mv_client_check_arg(path != NULL, "mv_storage_volume_lookup_by_path", "path", error) ||
        !(rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_STORAGE_VOL_LOOKUP_BY_PATH, error)) ||
        !mv_remote_storage_vol_lookup_by_path(rpc, &args, &ret, error))
        return NULL;
    return volume_from_reply(conn, &ret.vol);
}

MvStorageVolume *
mv_storage_volume_create(MvStoragePool *pool, const char *xml, unsigned int flags,
                         GError **error)
{
    mv_remote_storage_vol_create_xml_args args = { .xml = (char *)xml, .flags = flags };
    mv_remote_storage_vol_create_xml_ret ret = { 0 };
    MvConnect *conn;
    MvRpcClient *rpc;

    if (!mv_client_check_arg(pool != NULL, "mv_storage_volume_create", "the storage pool",
                             error) ||
        !mv_client_check_flags(flags, MV_STORAGE_VOLUME_CREATE_PREALLOC_METADATA |
                               MV_STORAGE_VOLUME_CREATE_VALIDATE,
                               "mv_storage_volume_create", error) ||
        !mv_client_check_arg(xml != NULL, "mv_storage_volume_create", "xml", error))
        return NULL;
    mv_storage_pool_to_wire(pool, &args.pool);
    conn = mv_storage_pool_get_connect(pool);
    if (!(rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_STORAGE_VOL_CREATE_XML, error)) ||
        !mv_remote_storage_vol_create_xml(rpc, &args, &ret, error))
        return NULL;
    return volume_from_reply(conn, &ret.vol);
}

MvStorageVolume *
mv_storage_volume_create_from(MvStoragePool *pool, const char *xml, MvStorageVolume *source,
                              unsigned int flags, GError **error)
{
    mv_remote_storage_vol_create_xml_from_args args = { .xml = (char *)xml, .flags = flags };
    mv_remote_storage_vol_create_xml_from_ret ret = { 0 };
    MvConnect *conn;
    MvRpcClient *rpc;

    if (!mv_client_check_arg(pool != NULL && source != NULL, "mv_storage_volume_create_from",
                             "the storage pool or source volume", error) ||
        !mv_client_check_flags(flags, MV_STORAGE_VOLUME_CREATE_PREALLOC_METADATA |
                               MV_STORAGE_VOLUME_CREATE_REFLINK |
                               MV_STORAGE_VOLUME_CREATE_VALIDATE,
                               "mv_storage_volume_create_from", error) ||
        !mv_client_check_arg(xml != NULL, "mv_storage_volume_create_from", "xml", error))
        return NULL;
    mv_storage_pool_to_wire(pool, &args.pool);
    mv_storage_volume_to_wire(source, &args.clonevol);
    conn = mv_storage_pool_get_connect(pool);
    if (!(rpc = mv_connect_rpc(conn, MV_REMOTE_PROC_STORAGE_VOL_CREATE_XML_FROM, error)) ||
        !mv_remote_storage_vol_create_xml_from(rpc, &args, &ret, error))
        return NULL;
    return volume_from_reply(conn, &ret.vol);
}

/* ---- calls on a volume ------------------------------------------------------------ */

/* What every call on a volume does before sending: checks @vol and @flags
 * (bits outside @allowed) for @func, fills @ret_ref and returns the RPC
 * client of the daemon serving @proc. NULL with @error set. */
static MvRpcClient *
volume_prepare(MvStorageVolume *vol, int proc, unsigned int flags, unsigned int allowed,
               const char *func, mv_remote_nonnull_storage_vol *ret_ref, GError **error)
{
    if (!VOLUME_OK(vol, func, error) || !mv_client_check_flags(flags, allowed, func, error))
        return NULL;
    mv_storage_volume_to_wire(vol, ret_ref);
    return mv_connect_rpc(vol->conn, proc, error);
}

bool
mv_storage_volume_delete(MvStorageVolume *vol, unsigned int flags, GError **error)
{
    mv_remote_storage_vol_delete_args args = { .flags = flags };
    MvRpcClient *rpc = volume_prepare(vol, MV_REMOTE_PROC_STORAGE_VOL_DELETE, flags, 0,
                                      "mv_storage_volume_delete", &args.vol, error);

    return rpc && mv_remote_storage_vol_delete(rpc, &args, error);
}

bool
mv_storage_volume_wipe(MvStorageVolume *vol, unsigned int flags, GError **error)
{
    mv_remote_storage_vol_wipe_args args = { .flags = flags };
    MvRpcClient *rpc = volume_prepare(vol, MV_REMOTE_PROC_STORAGE_VOL_WIPE, flags, 0,
                                      "mv_storage_volume_wipe", &args.vol, error);

    return rpc && mv_remote_storage_vol_wipe(rpc, &args, error);
}

bool
mv_storage_volume_resize(MvStorageVolume *vol, guint64 capacity, unsigned int flags,
                         GError **error)
{
    mv_remote_storage_vol_resize_args args = { .capacity = capacity, .flags = flags };
    MvRpcClient *rpc = volume_prepare(vol, MV_REMOTE_PROC_STORAGE_VOL_RESIZE, flags,
                                      MV_STORAGE_VOLUME_RESIZE_ALLOCATE |
                                      MV_STORAGE_VOLUME_RESIZE_DELTA |
                                      MV_STORAGE_VOLUME_RESIZE_SHRINK,
                                      "mv_storage_volume_resize", &args.vol, error);

    return rpc && mv_remote_storage_vol_resize(rpc, &args, error);
}

bool
mv_storage_volume_get_info(MvStorageVolume *vol, unsigned int flags,
                           MvStorageVolumeInfo *ret_info, GError **error)
{
    mv_remote_storage_vol_get_info_args args;
    mv_remote_storage_vol_get_info_ret ret = { 0 };
    MvRpcClient *rpc;

    if (!mv_client_check_arg(ret_info != NULL, "mv_storage_volume_get_info", "ret_info",
                             error) ||
        !(rpc = volume_prepare(vol, MV_REMOTE_PROC_STORAGE_VOL_GET_INFO, flags, 0,
                               "mv_storage_volume_get_info", &args.vol, error)) ||
        !mv_remote_storage_vol_get_info(rpc, &args, &ret, error))
        return false;
    ret_info->type = (MvStorageVolumeType)ret.type;
    ret_info->capacity = ret.capacity;
    ret_info->allocation = ret.allocation;
    return true;
}

char *
mv_storage_volume_get_xml(MvStorageVolume *vol, unsigned int flags, GError **error)
{
    mv_remote_storage_vol_get_xml_desc_args args = { .flags = flags };
    mv_remote_storage_vol_get_xml_desc_ret ret = { 0 };
    MvRpcClient *rpc;

    if (!(rpc = volume_prepare(vol, MV_REMOTE_PROC_STORAGE_VOL_GET_XML_DESC, flags, 0,
                               "mv_storage_volume_get_xml", &args.vol, error)) ||
        !mv_remote_storage_vol_get_xml_desc(rpc, &args, &ret, error))
        return NULL;
    return ret.xml;
}

char *
mv_storage_volume_get_path(MvStorageVolume *vol, unsigned int flags, GError **error)
{
    mv_remote_storage_vol_get_path_args args;
    mv_remote_storage_vol_get_path_ret ret = { 0 };
    MvRpcClient *rpc;

    if (!(rpc = volume_prepare(vol, MV_REMOTE_PROC_STORAGE_VOL_GET_PATH, flags, 0,
                               "mv_storage_volume_get_path", &args.vol, error)) ||
        !mv_remote_storage_vol_get_path(rpc, &args, &ret, error))
        return NULL;
    return ret.name;
}

/* ---- upload and download ------------------------------------------------------------ */

/* Opens the stream of @proc (UPLOAD or DOWNLOAD) on the storage daemon's
 * link; the data then flows as STREAM packets on the call's serial (spec
 * §8), which MvStream already speaks. */
static MvStream *
volume_open_stream(MvStorageVolume *vol, int proc, guint64 offset, guint64 length,
                   unsigned int flags, const char *func, GError **error)
{
    guint32 serial = 0;
    MvLink *link;
    bool ok;

    if (!VOLUME_OK(vol, func, error) ||
        !mv_client_check_flags(flags, MV_STORAGE_VOLUME_TRANSFER_SPARSE, func, error) ||
        !(link = mv_connect_link(vol->conn, proc, error)))
        return NULL;
    if (proc == MV_REMOTE_PROC_STORAGE_VOL_UPLOAD) {
        mv_remote_storage_vol_upload_args args = {
            .offset = offset, .length = length, .flags = flags,
        };

        mv_storage_volume_to_wire(vol, &args.vol);
        ok = mv_remote_storage_vol_upload(mv_link_rpc(link), &args, &serial, error);
    } else {
        mv_remote_storage_vol_download_args args = {
            .offset = offset, .length = length, .flags = flags,
        };

        mv_storage_volume_to_wire(vol, &args.vol);
        ok = mv_remote_storage_vol_download(mv_link_rpc(link), &args, &serial, error);
    }
    return ok ? mv_stream_new(vol->conn, link, proc, serial,
                              flags & MV_STORAGE_VOLUME_TRANSFER_SPARSE)
              : NULL;
}

MvStream *
mv_storage_volume_upload(MvStorageVolume *vol, guint64 offset, guint64 length,
                         unsigned int flags, GError **error)
{
    return volume_open_stream(vol, MV_REMOTE_PROC_STORAGE_VOL_UPLOAD, offset, length, flags,
                              "mv_storage_volume_upload", error);
}

MvStream *
mv_storage_volume_download(MvStorageVolume *vol, guint64 offset, guint64 length,
                           unsigned int flags, GError **error)
{
    return volume_open_stream(vol, MV_REMOTE_PROC_STORAGE_VOL_DOWNLOAD, offset, length, flags,
                              "mv_storage_volume_download", error);
}
