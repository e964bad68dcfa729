/* netfs, disk and iscsi pools: parsed and stored by the daemon; building or
 * starting one checks the host first and fails naming what is missing (the
 * kernel's NFS client, partition support on loop devices, the iSCSI
 * initiator), never a silent no-op. netfs mounts through mount(8) when the
 * host has NFS; disk and iscsi are not implemented beyond these checks. */
#include "storage-backend-priv.h"

#include <string.h>
#include <sys/stat.h>

#include "storage-mount.h"
#include "util/error.h"

/* The sysfs and procfs roots, changed by the tests (MV_STORAGE_SYSFS). */
static const char *
sysfs_root(void)
{
    const char *env = g_getenv("MV_STORAGE_SYSFS");

    return env && *env ? env : "/sys";
}

static bool
need_program(const char *program, const char *what, const char *package, GError **error)
{
    g_autofree char *path = g_find_program_in_path(program);

    if (!path)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT,
                            "%s need '%s', which is not installed: install %s", what,
                            program, package);
    return true;
}

/* ---- netfs ------------------------------------------------------------------ */

static const char *
netfs_type(const MvStoragePoolDef *def)
{
    const char *t = def->source.format;

    return t && !g_str_equal(t, "auto") ? t : "nfs";
}

static bool
netfs_check_host(const MvStoragePoolDef *def, GError **error)
{
    const char *fstype = netfs_type(def);

    if (!mv_storage_mount_fs_supported(fstype))
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT,
                            "netfs pools of type '%s' need the kernel's %s client, which this "
                            "host does not have (no '%s' in /proc/filesystems): load the %s "
                            "module", fstype, fstype, fstype, fstype);
    if (g_str_has_prefix(fstype, "nfs"))
        return need_program("mount.nfs", "netfs pools", "nfs-common", error);
    return true;
}

static bool
netfs_build(const MvStoragePoolDef *def, unsigned int flags, GError **error)
{
    (void)flags;
    return netfs_check_host(def, error) && mv_storage_backend_mkdir_target(def, error);
}

static char *
netfs_source(const MvStoragePoolDef *def, GError **error)
{
    if (def->source.nhosts < 1 || !def->source.dir) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                     "netfs pool '%s' needs <source><host name=''/><dir path=''/>",
                     def->name);
        return NULL;
    }
    return g_strdup_printf("%s:%s", def->source.hosts[0].name, def->source.dir);
}

static bool
netfs_is_started(const MvStoragePoolDef *def, bool *ret_started, GError **error)
{
    g_autoptr(MvStorageMount) m = NULL;
    g_autofree char *source = netfs_source(def, error);

    if (!source || !mv_storage_mount_find(def->target.path, &m, error))
        return false;
    if (m && !g_str_equal(m->source, source))
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                            "'%s' is mounted on the target '%s' of pool '%s', not '%s'",
                            m->source, def->target.path, def->name, source);
    *ret_started = m != NULL;
    return true;
}

static bool
netfs_start(const MvStoragePoolDef *def, GError **error)
{
    g_autofree char *source = NULL;
    bool started = false;
    char *argv[] = { "mount", "-t", (char *)netfs_type(def), NULL, def->target.path, NULL };

    if (!netfs_check_host(def, error) || !(source = netfs_source(def, error)) ||
        !netfs_is_started(def, &started, error))
        return false;
    if (started)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                            "pool '%s' is already mounted on '%s'", def->name,
                            def->target.path);
    argv[3] = source;
    return mv_storage_backend_run(argv, NULL, error);
}

static bool
netfs_stop(const MvStoragePoolDef *def, GError **error)
{
    bool started = false;

    if (!netfs_is_started(def, &started, error))
        return false;
    return !started || mv_storage_mount_unmount(def->target.path, error);
}

static bool
netfs_delete(const MvStoragePoolDef *def, unsigned int flags, GError **error)
{
    return mv_storage_backend_dir.delete(def, flags, error);
}

static bool
netfs_refresh(const MvStoragePoolDef *def, GPtrArray **ret_vols, MvStoragePoolSizes *ret_sizes,
              GError **error)
{
    bool started = false;

    if (!netfs_is_started(def, &started, error))
        return false;
    if (!started)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                            "pool '%s' is not mounted on '%s' any more: start it again",
                            def->name, def->target.path);
    return mv_storage_file_pool_refresh(def, ret_vols, ret_sizes, error);
}

const MvStorageBackend mv_storage_backend_netfs = {
    .type = MV_STORAGE_POOL_NETFS,
    .check_host = netfs_check_host,
    .build = netfs_build,
    .start = netfs_start,
    .is_started = netfs_is_started,
    .stop = netfs_stop,
    .delete = netfs_delete,
    .refresh = netfs_refresh,
    .vol_prepare = mv_storage_file_vol_prepare,
    .vol_create = mv_storage_file_vol_create,
    .vol_create_from = mv_storage_file_vol_create_from,
    .vol_delete = mv_storage_file_vol_delete,
    .vol_wipe = mv_storage_file_vol_wipe,
    .vol_resize = mv_storage_file_vol_resize,
    .vol_refresh = mv_storage_file_vol_refresh,
};

/* ---- disk ------------------------------------------------------------------- */

static bool
disk_check_host(const MvStoragePoolDef *def, GError **error)
{
    for (size_t i = 0; def && i < def->source.ndevices; i++) {
        const char *dev = def->source.devices[i].path;
        const char *base = dev ? strrchr(dev, '/') : NULL;
        g_autofree char *max_part = NULL, *param = NULL;

        base = base ? base + 1 : dev;
        if (!base || !g_str_has_prefix(base, "loop"))
            continue;
        param = g_build_filename(sysfs_root(), "module", "loop", "parameters", "max_part",
                                 NULL);
        if (!g_file_get_contents(param, &max_part, NULL, NULL) ||
            g_ascii_strtoull(g_strstrip(max_part), NULL, 10) == 0)
            return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT,
                                "disk pools on '%s' need partition tables on loop devices, "
                                "which this kernel does not offer (the loop module's "
                                "max_part is 0): reload it with max_part=N or use a real "
                                "disk", dev);
    }
    if (!need_program("parted", "disk pools", "parted", error))
        return false;
    return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT,
                        "disk pools (partition tables) are not implemented by "
                        "modvirt-storaged yet: use a dir, fs or logical pool");
}

static bool
disk_build(const MvStoragePoolDef *def, unsigned int flags, GError **error)
{
    (void)flags;
    return disk_check_host(def, error);
}

static bool
disk_start(const MvStoragePoolDef *def, GError **error)
{
    return disk_check_host(def, error);
}

static bool
not_started(const MvStoragePoolDef *def, bool *ret_started, GError **error)
{
    (void)def;
    (void)error;
    *ret_started = false;
    return true;
}

const MvStorageBackend mv_storage_backend_disk = {
    .type = MV_STORAGE_POOL_DISK,
    .check_host = disk_check_host,
    .build = disk_build,
    .start = disk_start,
    .is_started = not_started,
};

/* ---- iscsi ------------------------------------------------------------------ */

static bool
iscsi_check_host(const MvStoragePoolDef *def, GError **error)
{
    g_autofree char *transport = g_build_filename(sysfs_root(), "class", "iscsi_transport",
                                                  NULL);
    g_autofree char *module = g_build_filename(sysfs_root(), "module", "iscsi_tcp", NULL);

    (void)def;
    if (!g_file_test(transport, G_FILE_TEST_IS_DIR) && !g_file_test(module, G_FILE_TEST_IS_DIR))
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT,
                            "iscsi pools need the kernel's iSCSI initiator, which this host "
                            "does not have (no /sys/class/iscsi_transport, no iscsi_tcp "
                            "module): load iscsi_tcp");
    if (!need_program("iscsiadm", "iscsi pools", "open-iscsi", error))
        return false;
    return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT,
                        "iscsi pools are not implemented by modvirt-storaged yet");
}

static bool
iscsi_build(const MvStoragePoolDef *def, unsigned int flags, GError **error)
{
    (void)flags;
    return iscsi_check_host(def, error);
}

static bool
iscsi_start(const MvStoragePoolDef *def, GError **error)
{
    return iscsi_check_host(def, error);
}

const MvStorageBackend mv_storage_backend_iscsi = {
    .type = MV_STORAGE_POOL_ISCSI,
    .check_host = iscsi_check_host,
    .build = iscsi_build,
    .start = iscsi_start,
    .is_started = not_started,
};
