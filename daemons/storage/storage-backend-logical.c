/* logical pools: an LVM volume group, volumes are its logical volumes.
 * Reports come from lvm2's JSON output and commands are built as argv arrays
 * (storage-lvm.c). Everything that needs the kernel's device-mapper checks
 * for it first and names it when missing. */
#include "storage-backend-priv.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "storage-lvm.h"
#include "storage-sources.h"
#include "storage-vol-file.h"
#include "util/error.h"
#include "util/fd.h"

static bool
logical_check_host(const MvStoragePoolDef *def, GError **error)
{
    g_autofree char *vgs = NULL;

    (void)def;
    if (!mv_lvm_check_device_mapper(NULL, NULL, error))
        return false;
    if (!(vgs = g_find_program_in_path("vgs")))
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT,
                            "logical (LVM) pools need the lvm2 tools, which are not "
                            "installed: install lvm2");
    return true;
}

static bool
run_argv(char **argv, char **ret_stdout, GError **error)
{
    g_auto(GStrv) owned = argv;

    return mv_storage_backend_run(owned, ret_stdout, error);
}

static bool
logical_build(const MvStoragePoolDef *def, unsigned int flags, GError **error)
{
    const char *vg = mv_storage_pool_def_vg_name(def);
    g_autoptr(GPtrArray) devices = g_ptr_array_new();

    if (!logical_check_host(def, error))
        return false;
    if (def->source.ndevices == 0)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                            "building logical pool '%s' needs <source><device path=''/>",
                            def->name);
    for (size_t i = 0; i < def->source.ndevices; i++) {
        if (!run_argv(mv_lvm_pvcreate_argv(def->source.devices[i].path,
                                           flags & MV_STORAGE_BUILD_OVERWRITE),
                      NULL, error))
            return false;
        g_ptr_array_add(devices, def->source.devices[i].path);
    }
    g_ptr_array_add(devices, NULL);
    return run_argv(mv_lvm_vgcreate_argv(vg, (const char *const *)devices->pdata), NULL, error);
}

static bool
logical_start(const MvStoragePoolDef *def, GError **error)
{
    return logical_check_host(def, error) &&
           run_argv(mv_lvm_vgchange_argv(mv_storage_pool_def_vg_name(def), true), NULL, error);
}

static bool
logical_is_started(const MvStoragePoolDef *def, bool *ret_started, GError **error)
{
    g_autofree char *path = g_build_filename("/dev", mv_storage_pool_def_vg_name(def), NULL);

    (void)error;
    /* An active VG has its /dev/VG directory (one symlink per active LV). */
    *ret_started = mv_lvm_check_device_mapper(NULL, NULL, NULL) &&
                   g_file_test(path, G_FILE_TEST_IS_DIR);
    return true;
}

static bool
logical_stop(const MvStoragePoolDef *def, GError **error)
{
    return logical_check_host(def, error) &&
           run_argv(mv_lvm_vgchange_argv(mv_storage_pool_def_vg_name(def), false), NULL, error);
}

static bool
logical_delete(const MvStoragePoolDef *def, unsigned int flags, GError **error)
{
    if (flags != 0)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                            "unsupported flags (0x%x) in the pool delete", flags);
    return logical_check_host(def, error) &&
           run_argv(mv_lvm_vgremove_argv(mv_storage_pool_def_vg_name(def)), NULL, error);
}

static MvStorageVolDef *
vol_from_lv(const MvLvmLv *lv)
{
    MvStorageVolDef *vol = mv_storage_vol_def_new();

    vol->name = g_strdup(lv->name);
    vol->key = g_strdup(lv->uuid);
    vol->type = MV_STORAGE_VOL_BLOCK;
    vol->target.path = g_strdup(lv->path);
    vol->target.format = MV_STORAGE_VOL_FORMAT_NONE;
    vol->capacity = lv->size;
    vol->has_capacity = true;
    vol->allocation = lv->allocated;
    vol->has_allocation = true;
    if (lv->origin)
        vol->backing.path = g_strdup_printf("/dev/%s/%s", lv->vg, lv->origin);
    if (lv->devices->len > 0) {
        vol->source_devices = g_new0(MvStorageVolSourceDevice, lv->devices->len);
        for (guint i = 0; i < lv->devices->len; i++) {
            const char *dev = g_ptr_array_index(lv->devices, i);
            const char *paren = strchr(dev, '(');

            vol->source_devices[i].path = paren ? g_strndup(dev, paren - dev) : g_strdup(dev);
        }
        vol->nsource_devices = lv->devices->len;
    }
    return vol;
}

bool
mv_storage_logical_vols_from_reports(const MvStoragePoolDef *def, const char *lvs_json,
                                     const char *vgs_json, GPtrArray **ret_vols,
                                     MvStoragePoolSizes *ret_sizes, GError **error)
{
    const char *vg_name = mv_storage_pool_def_vg_name(def);
    g_autoptr(GPtrArray) lvs = mv_lvm_parse_lvs(lvs_json, error);
    g_autoptr(GPtrArray) vgs = lvs ? mv_lvm_parse_vgs(vgs_json, error) : NULL;
    g_autoptr(GPtrArray) vols = NULL;
    const MvLvmVg *vg = NULL;

    if (!vgs)
        return false;
    for (guint i = 0; i < vgs->len; i++) {
        const MvLvmVg *v = g_ptr_array_index(vgs, i);

        if (g_str_equal(v->name, vg_name))
            vg = v;
    }
    if (!vg)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                            "volume group '%s' of pool '%s' was not found: build the pool "
                            "first", vg_name, def->name);
    vols = g_ptr_array_new_with_free_func((GDestroyNotify)mv_storage_vol_def_free);
    for (guint i = 0; i < lvs->len; i++) {
        const MvLvmLv *lv = g_ptr_array_index(lvs, i);

        /* Thin pools and LVM's hidden internal volumes are not guest volumes. */
        if (!g_str_equal(lv->vg, vg_name) || lv->name[0] == '[' ||
            (lv->attr && (lv->attr[0] == 't' || lv->attr[0] == 'i' || lv->attr[0] == 'l')))
            continue;
        g_ptr_array_add(vols, vol_from_lv(lv));
    }
    ret_sizes->capacity = vg->size;
    ret_sizes->available = vg->free;
    ret_sizes->allocation = vg->size - MIN(vg->free, vg->size);
    *ret_vols = g_steal_pointer(&vols);
    return true;
}

static bool
logical_refresh(const MvStoragePoolDef *def, GPtrArray **ret_vols,
                MvStoragePoolSizes *ret_sizes, GError **error)
{
    const char *vg = mv_storage_pool_def_vg_name(def);
    g_autofree char *lvs = NULL, *vgs = NULL;

    return logical_check_host(def, error) &&
           run_argv(mv_lvm_report_argv(MV_LVM_REPORT_LVS, vg), &lvs, error) &&
           run_argv(mv_lvm_report_argv(MV_LVM_REPORT_VGS, vg), &vgs, error) &&
           mv_storage_logical_vols_from_reports(def, lvs, vgs, ret_vols, ret_sizes, error);
}

static char *
logical_find_sources(const char *spec_xml, unsigned int flags, GError **error)
{
    MvStoragePoolSource spec = { 0 };
    g_autoptr(GArray) found = g_array_new(FALSE, TRUE, sizeof(MvStoragePoolSource));
    g_autoptr(GPtrArray) pvs = NULL;
    g_autofree char *out = NULL;
    char *xml;

    if (flags != 0) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                     "unsupported flags (0x%x) in find-storage-pool-sources", flags);
        return NULL;
    }
    if (!mv_storage_source_spec_parse(spec_xml, MV_STORAGE_POOL_LOGICAL, &spec, error))
        return NULL;
    mv_storage_pool_source_clear(&spec);
    if (!logical_check_host(NULL, error) ||
        !run_argv(mv_lvm_report_argv(MV_LVM_REPORT_PVS, NULL), &out, error) ||
        !(pvs = mv_lvm_parse_pvs(out, error)))
        return NULL;
    /* One source per VG, with its PVs as devices. */
    for (guint i = 0; i < pvs->len; i++) {
        const MvLvmPv *pv = g_ptr_array_index(pvs, i);
        MvStoragePoolSource *src = NULL;

        if (!pv->vg)
            continue;
        for (guint j = 0; j < found->len && !src; j++) {
            if (g_str_equal(g_array_index(found, MvStoragePoolSource, j).name, pv->vg))
                src = &g_array_index(found, MvStoragePoolSource, j);
        }
        if (!src) {
            MvStoragePoolSource fresh = { .name = g_strdup(pv->vg),
                                          .format = g_strdup("lvm2") };

            g_array_append_val(found, fresh);
            src = &g_array_index(found, MvStoragePoolSource, found->len - 1);
        }
        src->devices = g_renew(MvStoragePoolSourceDevice, src->devices, src->ndevices + 1);
        memset(&src->devices[src->ndevices], 0, sizeof(MvStoragePoolSourceDevice));
        src->devices[src->ndevices].path = g_strdup(pv->name);
        src->devices[src->ndevices].part_separator = -1;
        src->ndevices++;
    }
    xml = mv_storage_sources_format(MV_STORAGE_POOL_LOGICAL,
                                    (MvStoragePoolSource *)found->data, found->len);
    for (guint i = 0; i < found->len; i++)
        mv_storage_pool_source_clear(&g_array_index(found, MvStoragePoolSource, i));
    return xml;
}

/* ---- volumes ------------------------------------------------------------------ */

static bool
logical_vol_prepare(const MvStoragePoolDef *pool, MvStorageVolDef *vol, GError **error)
{
    const char *vg = mv_storage_pool_def_vg_name(pool);

    if (!vol->name || !*vol->name || strchr(vol->name, '/') || vol->name[0] == '-')
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                            "invalid logical volume name '%s'", vol->name ? vol->name : "");
    if (vol->target.encryption.format != MV_STORAGE_ENCRYPTION_NONE)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_CONFIG_UNSUPPORTED,
                            "encrypted logical volumes are not supported");
    vol->type = MV_STORAGE_VOL_BLOCK;
    vol->target.format = MV_STORAGE_VOL_FORMAT_NONE;
    g_free(vol->target.path);
    vol->target.path = g_strdup_printf("/dev/%s/%s", vg, vol->name);
    g_free(vol->key);
    vol->key = g_strdup(vol->target.path);      /* the LV's uuid after creation */
    return true;
}

static bool
logical_vol_refresh(const MvStoragePoolDef *pool, MvStorageVolDef *vol, GError **error)
{
    g_autoptr(GPtrArray) vols = NULL;
    MvStoragePoolSizes sizes;

    if (!logical_refresh(pool, &vols, &sizes, error))
        return false;
    for (guint i = 0; i < vols->len; i++) {
        MvStorageVolDef *v = g_ptr_array_index(vols, i);

        if (g_str_equal(v->name, vol->name)) {
            g_free(vol->key);
            vol->key = g_strdup(v->key);
            vol->capacity = v->capacity;
            vol->allocation = v->allocation;
            return true;
        }
    }
    return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_VOL,
                        "Storage volume not found: no logical volume '%s'", vol->name);
}

static bool
logical_vol_create(const MvStoragePoolDef *pool, MvStorageVolDef *vol,
                   const MvStoragePassphrase *passphrase, unsigned int flags,
                   const MvStorageJobCtl *ctl, GError **error)
{
    (void)passphrase;
    (void)ctl;
    if (flags & ~(guint)MV_STORAGE_VOL_CREATE_VALIDATE)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                            "unsupported flags (0x%x) for a logical volume", flags);
    return logical_check_host(pool, error) &&
           run_argv(mv_lvm_lvcreate_argv(mv_storage_pool_def_vg_name(pool), vol->name,
                                         vol->capacity,
                                         vol->has_allocation ? vol->allocation : vol->capacity,
                                         vol->backing.path),
                    NULL, error) &&
           logical_vol_refresh(pool, vol, error);
}

static bool
logical_vol_create_from(const MvStoragePoolDef *pool, MvStorageVolDef *vol,
                        const char *src_path, MvStorageVolFormat src_format,
                        const MvStoragePassphrase *passphrase, unsigned int flags,
                        const MvStorageJobCtl *ctl, GError **error)
{
    MV_AUTOCLOSE int src = -1, dst = -1;
    guint64 size;

    if (src_format != MV_STORAGE_VOL_FORMAT_NONE && src_format != MV_STORAGE_VOL_FORMAT_RAW)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_UNSUPPORTED,
                            "a logical volume can only be cloned from a raw volume");
    if (!logical_vol_create(pool, vol, passphrase, flags, ctl, error))
        return false;
    if ((src = open(src_path, O_RDONLY | O_CLOEXEC)) < 0 ||
        (dst = open(vol->target.path, O_WRONLY | O_CLOEXEC)) < 0)
        return mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot open '%s'",
                                  src < 0 ? src_path : vol->target.path);
    size = (guint64)lseek(src, 0, SEEK_END);
    return mv_storage_vol_file_copy_data(src, dst, MIN(size, vol->capacity), ctl, NULL, error);
}

static bool
logical_vol_delete(const MvStoragePoolDef *pool, const MvStorageVolDef *vol,
                   unsigned int flags, GError **error)
{
    if (flags & ~(guint)MV_STORAGE_VOL_DELETE_ZEROED)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                            "unsupported flags (0x%x) in the volume delete", flags);
    if (!logical_check_host(pool, error))
        return false;
    if ((flags & MV_STORAGE_VOL_DELETE_ZEROED) &&
        !mv_storage_vol_file_wipe(vol->target.path, MV_STORAGE_WIPE_ZERO, NULL, error))
        return false;
    return run_argv(mv_lvm_lvremove_argv(mv_storage_pool_def_vg_name(pool), vol->name), NULL,
                    error);
}

static bool
logical_vol_wipe(const MvStoragePoolDef *pool, const MvStorageVolDef *vol,
                 unsigned int algorithm, const MvStorageJobCtl *ctl, GError **error)
{
    return logical_check_host(pool, error) &&
           mv_storage_vol_file_wipe(vol->target.path, algorithm, ctl, error);
}

static bool
logical_vol_resize(const MvStoragePoolDef *pool, MvStorageVolDef *vol, guint64 capacity,
                   unsigned int flags, const MvStorageJobCtl *ctl, GError **error)
{
    guint64 target;

    (void)ctl;
    if (!logical_check_host(pool, error) ||
        !mv_storage_vol_resize_compute(vol->capacity, capacity,
                                       flags & ~(guint)MV_STORAGE_VOL_RESIZE_ALLOCATE, &target,
                                       error))
        return false;
    return run_argv(mv_lvm_lvresize_argv(mv_storage_pool_def_vg_name(pool), vol->name, target,
                                         target < vol->capacity),
                    NULL, error) &&
           logical_vol_refresh(pool, vol, error);
}

const MvStorageBackend mv_storage_backend_logical = {
    .type = MV_STORAGE_POOL_LOGICAL,
    .check_host = logical_check_host,
    .build = logical_build,
    .start = logical_start,
    .is_started = logical_is_started,
    .stop = logical_stop,
    .delete = logical_delete,
    .refresh = logical_refresh,
    .find_sources = logical_find_sources,
    .vol_prepare = logical_vol_prepare,
    .vol_create = logical_vol_create,
    .vol_create_from = logical_vol_create_from,
    .vol_delete = logical_vol_delete,
    .vol_wipe = logical_vol_wipe,
    .vol_resize = logical_vol_resize,
    .vol_refresh = logical_vol_refresh,
};
