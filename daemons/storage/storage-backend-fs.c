/* fs pools: a block device or an image file (through a loop device with
 * autoclear) mounted on the target directory; volumes are files there (the
 * dir backend's operations). A pool found mounted at start (an earlier daemon
 * run mounted it) is taken back, never mounted twice. */
#include "storage-backend-priv.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "storage-loop.h"
#include "storage-mount.h"
#include "storage-sources.h"
#include "util/error.h"
#include "util/fd.h"

static const char *
fs_source(const MvStoragePoolDef *def, GError **error)
{
    if (def->source.ndevices < 1 || !def->source.devices[0].path) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                     "fs pool '%s' has no <source><device path=''/>", def->name);
        return NULL;
    }
    return def->source.devices[0].path;
}

/* The filesystem type to mount or build: the pool's <format>, or what the
 * superblock says for "auto". */
static const char *
fs_type(const MvStoragePoolDef *def, const char *source, GError **error)
{
    const char *fstype = def->source.format;
    g_autoptr(GError) local = NULL;

    if (fstype && !g_str_equal(fstype, "auto"))
        return fstype;
    if (!(fstype = mv_storage_mount_probe_fs(source, &local))) {
        if (local)
            g_propagate_error(error, g_steal_pointer(&local));
        else
            mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                         "no ext4, xfs or btrfs filesystem found on '%s': give the pool a "
                         "<format type=''/> and build it with --overwrite", source);
        return NULL;
    }
    return fstype;
}

static bool
fs_check_type(const char *fstype, GError **error)
{
    if (!mv_storage_mount_fs_supported(fstype))
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT,
                            "the kernel cannot mount '%s' filesystems (not in "
                            "/proc/filesystems): load its module", fstype);
    return true;
}

static bool
fs_check_host(const MvStoragePoolDef *def, GError **error)
{
    const char *fstype = def->source.format;

    if (!g_file_test("/dev/loop-control", G_FILE_TEST_EXISTS) && def->source.ndevices > 0 &&
        g_file_test(def->source.devices[0].path, G_FILE_TEST_IS_REGULAR))
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT,
                            "fs pools on image files need loop devices: the kernel has no "
                            "/dev/loop-control (load the loop module)");
    if (fstype && !g_str_equal(fstype, "auto"))
        return fs_check_type(fstype, error);
    return true;
}

static bool
fs_build(const MvStoragePoolDef *def, unsigned int flags, GError **error)
{
    bool overwrite = flags & MV_STORAGE_BUILD_OVERWRITE;
    bool no_overwrite = flags & MV_STORAGE_BUILD_NO_OVERWRITE;
    const char *source = fs_source(def, error), *found, *fstype;
    g_autoptr(GError) local = NULL;
    g_auto(GStrv) argv = NULL;
    g_autofree char *mkfs = NULL;

    if (!source)
        return false;
    if (overwrite && no_overwrite)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                            "the overwrite and no-overwrite build flags exclude each other");
    if (!mv_storage_backend_mkdir_target(def, error))
        return false;
    if (!overwrite && !no_overwrite)
        return true;            /* libvirt's rule: only the flags format the source */
    fstype = def->source.format && !g_str_equal(def->source.format, "auto")
                 ? def->source.format : "ext4";
    found = mv_storage_mount_probe_fs(source, &local);
    if (local)
        return g_propagate_error(error, g_steal_pointer(&local)), false;
    if (found && no_overwrite)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                            "'%s' already holds a %s filesystem: build with --overwrite to "
                            "format it anyway", source, found);
    if (!(argv = mv_storage_mount_mkfs_argv(fstype, source, true, error)))
        return false;
    if (!(mkfs = g_find_program_in_path(argv[0])))
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT,
                            "cannot build a %s filesystem: '%s' is not installed", fstype,
                            argv[0]);
    return mv_storage_backend_run(argv, NULL, error);
}

/* Whether @m (mounted on the target) is the pool's source: the same block
 * device, or a loop device backed by the pool's image file. */
static bool
mount_is_source(const MvStorageMount *m, const char *source)
{
    g_autofree char *real = realpath(source, NULL);
    g_autofree char *backing = NULL;
    struct stat st;

    if (!real || stat(real, &st) < 0)
        return false;
    if (S_ISBLK(st.st_mode))
        return major(st.st_rdev) == m->major && minor(st.st_rdev) == m->minor;
    backing = mv_storage_loop_backing_file(m->source);
    return backing && g_str_equal(backing, real);
}

static bool
fs_is_started(const MvStoragePoolDef *def, bool *ret_started, GError **error)
{
    g_autoptr(MvStorageMount) m = NULL;
    const char *source = fs_source(def, error);

    if (!source || !mv_storage_mount_find(def->target.path, &m, error))
        return false;
    if (!m) {
        *ret_started = false;
        return true;
    }
    if (!mount_is_source(m, source))
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                            "'%s' (%s) is mounted on the target '%s' of pool '%s', not the "
                            "pool's source '%s': unmount it first", m->source, m->fstype,
                            def->target.path, def->name, source);
    *ret_started = true;
    return true;
}

static bool
fs_start(const MvStoragePoolDef *def, GError **error)
{
    const char *source = fs_source(def, error), *fstype;
    g_autofree char *device = NULL;
    MV_AUTOCLOSE int loop_fd = -1;
    bool started = false;
    struct stat st;

    if (!source || !fs_check_host(def, error))
        return false;
    if (!fs_is_started(def, &started, error))
        return false;
    if (started)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                            "pool '%s' is already mounted on '%s'", def->name,
                            def->target.path);
    if (stat(def->target.path, &st) < 0 || !S_ISDIR(st.st_mode))
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                            "cannot start pool '%s': its target directory '%s' does not "
                            "exist: build it first (pool-build)", def->name,
                            def->target.path);
    if (stat(source, &st) < 0)
        return mv_error_set_errno(error, MV_FROM_STORAGE, errno,
                                  "cannot start pool '%s': source '%s'", def->name, source);
    if (!(fstype = fs_type(def, source, error)) || !fs_check_type(fstype, error))
        return false;
    if (S_ISREG(st.st_mode)) {
        /* The loop device stays while our fd is open; once the mount holds it we
         * close the fd, and autoclear detaches it at the unmount. */
        if ((loop_fd = mv_storage_loop_attach(source, false, &device, error)) < 0)
            return false;
    } else if (S_ISBLK(st.st_mode)) {
        device = g_strdup(source);
    } else {
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                            "source '%s' of pool '%s' is neither a block device nor an "
                            "image file", source, def->name);
    }
    return mv_storage_mount_fs(device, def->target.path, fstype, error);
}

static bool
fs_stop(const MvStoragePoolDef *def, GError **error)
{
    g_autoptr(MvStorageMount) m = NULL;
    g_autoptr(GPtrArray) loops = NULL;
    const char *source = fs_source(def, error);
    g_autofree char *loop = NULL;

    if (!source || !mv_storage_mount_find(def->target.path, &m, error))
        return false;
    if (!m)
        return true;            /* not mounted: nothing to undo */
    if (!mount_is_source(m, source))
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                            "'%s' is mounted on '%s', not the source of pool '%s': leaving "
                            "it alone", m->source, def->target.path, def->name);
    if (mv_storage_loop_backing_file(m->source))
        loop = g_strdup(m->source);
    if (!mv_storage_mount_unmount(def->target.path, error))
        return false;
    /* Autoclear detaches the loop device at its last close; a device attached
     * without it (by hand) is detached here, unless still in use elsewhere. */
    if (loop && !mv_storage_loop_detach(loop, error))
        return false;
    return true;
}

static bool
fs_delete(const MvStoragePoolDef *def, unsigned int flags, GError **error)
{
    return mv_storage_backend_dir.delete(def, flags, error);
}

static bool
fs_refresh(const MvStoragePoolDef *def, GPtrArray **ret_vols, MvStoragePoolSizes *ret_sizes,
           GError **error)
{
    bool started = false;

    if (!fs_is_started(def, &started, error))
        return false;
    if (!started)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                            "pool '%s' is not mounted on '%s' any more: start it again",
                            def->name, def->target.path);
    return mv_storage_file_pool_refresh(def, ret_vols, ret_sizes, error);
}

/* find-storage-pool-sources: every block device (attached loop devices
 * included) holding a filesystem an fs pool can mount. */
static char *
fs_find_sources(const char *spec_xml, unsigned int flags, GError **error)
{
    MvStoragePoolSource spec = { 0 };
    g_autoptr(GArray) found = g_array_new(FALSE, TRUE, sizeof(MvStoragePoolSource));
    g_autoptr(GDir) dir = NULL;
    const char *name;
    char *xml;

    if (flags != 0) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                     "unsupported flags (0x%x) in find-storage-pool-sources", flags);
        return NULL;
    }
    if (!mv_storage_source_spec_parse(spec_xml, MV_STORAGE_POOL_FS, &spec, error))
        return NULL;
    mv_storage_pool_source_clear(&spec);
    dir = g_dir_open("/sys/class/block", 0, NULL);
    while (dir && (name = g_dir_read_name(dir)) != NULL) {
        g_autofree char *device = g_strdup_printf("/dev/%s", name);
        g_autofree char *backing = NULL;
        MvStoragePoolSource source = { 0 };
        const char *fstype;

        if (g_str_has_prefix(name, "loop") && !(backing = mv_storage_loop_backing_file(device)))
            continue;           /* an unattached loop device */
        if (g_str_has_prefix(name, "ram") || !(fstype = mv_storage_mount_probe_fs(device, NULL)))
            continue;
        source.devices = g_new0(MvStoragePoolSourceDevice, 1);
        source.devices[0].path = g_steal_pointer(&device);
        source.devices[0].part_separator = -1;
        source.ndevices = 1;
        source.format = g_strdup(fstype);
        g_array_append_val(found, source);
    }
    xml = mv_storage_sources_format(MV_STORAGE_POOL_FS, (MvStoragePoolSource *)found->data,
                                    found->len);
    for (guint i = 0; i < found->len; i++)
        mv_storage_pool_source_clear(&g_array_index(found, MvStoragePoolSource, i));
    return xml;
}

const MvStorageBackend mv_storage_backend_fs = {
    .type = MV_STORAGE_POOL_FS,
    .check_host = fs_check_host,
    .build = fs_build,
    .start = fs_start,
    .is_started = fs_is_started,
    .stop = fs_stop,
    .delete = fs_delete,
    .refresh = fs_refresh,
    .find_sources = fs_find_sources,
    .vol_prepare = mv_storage_file_vol_prepare,
    .vol_create = mv_storage_file_vol_create,
    .vol_create_from = mv_storage_file_vol_create_from,
    .vol_delete = mv_storage_file_vol_delete,
    .vol_wipe = mv_storage_file_vol_wipe,
    .vol_resize = mv_storage_file_vol_resize,
    .vol_refresh = mv_storage_file_vol_refresh,
};
