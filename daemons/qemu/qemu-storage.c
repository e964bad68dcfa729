/* Volume disks resolved through modvirt-storaged, see qemu-storage.h.
 *
 * What qemud asks storaged, per volume disk: the pool by name, whether it is
 * active, the volume by name in it, the volume's info (file or block) and
 * its XML (<target><path> and <target><format type='…'/>). */
#define MV_LOG_CATEGORY "qemu"
#include "qemu-storage.h"

#include <string.h>

#include "link/daemon-link.h"
#include "remote-client.h"
#include "util/error.h"
#include "util/log.h"
#include "util/xml.h"

/* libvirt's virStorageVolType values in a volume's info */
enum { VOL_FILE = 0, VOL_BLOCK = 1, VOL_DIR = 2, VOL_NETWORK = 3, VOL_NETDIR = 4, VOL_PLOOP = 5 };

void
mv_qemu_storage_volume_clear(MvQemuStorageVolume *vol)
{
    g_clear_pointer(&vol->xml, g_free);
}

/* The format QEMU opens a volume of @format with: an ISO image (or a volume
 * without a known format) is read as raw; others keep their name, and
 * the command line refuses what it cannot open. */
static char *
volume_disk_format(const char *format)
{
    if (!format || g_str_equal(format, "raw") || g_str_equal(format, "iso") ||
        g_str_equal(format, "none"))
        return g_strdup("raw");
    return g_strdup(format);
}

/* What the volume's info type allows: a file or a block device. */
static bool
volume_kind(int type, bool *ret_block, GError **error)
{
    static const char *const names[] = { "file", "block", "dir", "network", "netdir", "ploop" };

    if (type == VOL_FILE || type == VOL_BLOCK) {
        *ret_block = type == VOL_BLOCK;
        return true;
    }
    return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                        "the volume is of type '%s': only file and block volumes can be "
                        "a guest's disk",
                        type >= 0 && type < (int)G_N_ELEMENTS(names) ? names[type] : "unknown");
}

/* <target><path> and <target><format type='…'/> of a volume's XML; an
 * encrypted volume (<target><encryption format='luks'>, storaged shows a
 * LUKS image as format raw with it) reads as its encryption format, which
 * the command line refuses: the guest would otherwise get the ciphertext. */
static bool
volume_xml_target(const char *xml, char **ret_path, char **ret_format, GError **error)
{
    g_autoptr(xmlDoc) doc = xml ? mv_xml_parse_string(xml, NULL, error) : NULL;
    g_autofree char *path = NULL;
    xmlNode *target, *encryption;

    if (!doc)
        return xml ? false
                   : mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                                  "modvirt-storaged gave no XML for the volume");
    target = mv_xml_get_child(xmlDocGetRootElement(doc), "target");
    path = target ? mv_xml_get_content(mv_xml_get_child(target, "path")) : NULL;
    if (!path || !g_path_is_absolute(path))
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                            "modvirt-storaged gave no absolute <target><path> for the volume");
    encryption = mv_xml_get_child(target, "encryption");
    *ret_path = g_steal_pointer(&path);
    *ret_format = encryption ? mv_xml_get_prop(encryption, "format") : NULL;
    if (!*ret_format)
        *ret_format = mv_xml_get_prop(mv_xml_get_child(target, "format"), "type");
    return true;
}

/* @disk's volume as @lookup describes it, into its live fields. */
static bool
resolve_volume(MvDomainDiskDef *disk, MvQemuStorageLookupFunc lookup, gpointer user_data,
               GError **error)
{
    g_auto(MvQemuStorageVolume) vol = { 0 };
    g_autofree char *path = NULL;
    g_autofree char *format = NULL;
    bool block = false;

    if (!lookup(disk->source_pool, disk->source_volume, user_data, &vol, error))
        return false;
    if (!vol.pool_active)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                            "storage pool '%s' is not active: start it ('virsh pool-start %s') "
                            "before the guest", disk->source_pool, disk->source_pool);
    if (!volume_kind(vol.type, &block, error) ||
        !volume_xml_target(vol.xml, &path, &format, error))
        return false;
    g_free(disk->source);
    disk->source = g_steal_pointer(&path);
    disk->source_block = block;
    g_free(disk->source_format);
    disk->source_format = volume_disk_format(format);
    return true;
}

bool
mv_qemu_storage_resolve_disk(MvDomainDiskDef *disk, MvQemuStorageLookupFunc lookup,
                             gpointer user_data, GError **error)
{
    if (disk->type != MV_DOMAIN_DISK_SOURCE_VOLUME || !disk->source_volume)
        return true;
    if (g_strcmp0(disk->source_mode, "direct") == 0)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                            "disk '%s': mode='direct' needs an iSCSI pool, which modvirt does "
                            "not support: leave mode out (or use mode='host')",
                            disk->target_dev);
    if (!resolve_volume(disk, lookup, user_data, error)) {
        g_prefix_error(error, "disk '%s' (volume '%s' of pool '%s'): ", disk->target_dev,
                       disk->source_volume, disk->source_pool);
        return false;
    }
    mv_log_debug("disk '%s': volume '%s' of pool '%s' is %s '%s' (%s)", disk->target_dev,
                 disk->source_volume, disk->source_pool, disk->source_block ? "device" : "file",
                 disk->source, disk->source_format);
    return true;
}

bool
mv_qemu_storage_resolve_def(MvDomainDef *def, MvQemuStorageLookupFunc lookup,
                            gpointer user_data, GError **error)
{
    for (size_t i = 0; i < def->ndisks; i++) {
        if (!mv_qemu_storage_resolve_disk(def->disks[i], lookup, user_data, error))
            return false;
    }
    return true;
}

/* ---- through modvirt-storaged ---- */

typedef struct {
    MvQemuDriver *driver;
    MvDaemonLink *link;         /* opened at the first lookup */
} StoragedLookup;

static void
storaged_connect_error(const char *address, int errnum, gpointer user_data, GError **error)
{
    (void)user_data;
    mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                 "modvirt-storaged is not running (cannot connect to %s: %s): start it "
                 "('systemctl start modvirt-storaged') so qemud can find the volume",
                 address, g_strerror(errnum));
}

static bool
storaged_open(StoragedLookup *s, GError **error)
{
    const MvDaemonInfo *info = mv_daemon_info(MV_DAEMON_STORAGE);
    MvDaemonLinkConfig config = {
        .program = info->program,
        .socket = s->driver->storage_socket,
        .uri = info->default_uri,
        .connect_error = storaged_connect_error,
    };

    if (s->link)
        return true;
    return (s->link = mv_daemon_link_open(&config, error)) != NULL;
}

static bool
storaged_lookup(const char *pool, const char *volume, gpointer user_data,
                MvQemuStorageVolume *ret, GError **error)
{
    StoragedLookup *s = user_data;
    mv_remote_storage_pool_lookup_by_name_args pargs = { .name = (char *)pool };
    mv_remote_storage_pool_lookup_by_name_ret pret = { 0 };
    mv_remote_storage_pool_is_active_args aargs = { 0 };
    mv_remote_storage_pool_is_active_ret aret = { 0 };
    mv_remote_storage_vol_lookup_by_name_args vargs = { 0 };
    mv_remote_storage_vol_lookup_by_name_ret vret = { 0 };
    mv_remote_storage_vol_get_info_args iargs = { 0 };
    mv_remote_storage_vol_get_info_ret iret = { 0 };
    mv_remote_storage_vol_get_xml_desc_args xargs = { 0 };
    mv_remote_storage_vol_get_xml_desc_ret xret = { 0 };
    MvRpcClient *rpc;
    bool ok = false;

    if (!storaged_open(s, error))
        return false;
    rpc = mv_daemon_link_rpc(s->link);
    if (!mv_remote_storage_pool_lookup_by_name(rpc, &pargs, &pret, error))
        goto out;
    aargs.pool = pret.pool;
    if (!mv_remote_storage_pool_is_active(rpc, &aargs, &aret, error))
        goto out;
    if (aret.active) {
        vargs.pool = pret.pool;
        vargs.name = (char *)volume;
        if (!mv_remote_storage_vol_lookup_by_name(rpc, &vargs, &vret, error))
            goto out;
        iargs.vol = vret.vol;
        xargs.vol = vret.vol;
        if (!mv_remote_storage_vol_get_info(rpc, &iargs, &iret, error) ||
            !mv_remote_storage_vol_get_xml_desc(rpc, &xargs, &xret, error))
            goto out;
    }
    *ret = (MvQemuStorageVolume) {
        .pool_active = aret.active != 0,
        .type = iret.type,
        .xml = g_strdup(xret.xml),
    };
    ok = true;

out:
    xdr_free((xdrproc_t)xdr_mv_remote_storage_pool_lookup_by_name_ret, (char *)&pret);
    xdr_free((xdrproc_t)xdr_mv_remote_storage_vol_lookup_by_name_ret, (char *)&vret);
    xdr_free((xdrproc_t)xdr_mv_remote_storage_vol_get_xml_desc_ret, (char *)&xret);
    return ok;
}

static bool
has_volume_disk(const MvDomainDef *def)
{
    for (size_t i = 0; i < def->ndisks; i++) {
        if (def->disks[i]->type == MV_DOMAIN_DISK_SOURCE_VOLUME)
            return true;
    }
    return false;
}

bool
mv_qemu_storage_resolve(MvQemuDriver *driver, MvDomainDef *def, GError **error)
{
    StoragedLookup s = { .driver = driver };
    bool ok;

    if (!has_volume_disk(def))
        return true;
    ok = mv_qemu_storage_resolve_def(def, storaged_lookup, &s, error);
    mv_daemon_link_close(s.link);
    return ok;
}

bool
mv_qemu_storage_resolve_one(MvQemuDriver *driver, MvDomainDiskDef *disk, GError **error)
{
    StoragedLookup s = { .driver = driver };
    bool ok;

    if (disk->type != MV_DOMAIN_DISK_SOURCE_VOLUME)
        return true;
    ok = mv_qemu_storage_resolve_disk(disk, storaged_lookup, &s, error);
    mv_daemon_link_close(s.link);
    return ok;
}
