/* A minimal stand-in for stor-backend's storage_backend_lib, behind the same
 * interface (storage-backend.h), so storaged runs end to end before the real
 * backends are in the tree: dir pools only (raw files; qcow2 through
 * qemu-img), every other type refused naming this build. meson.build drops
 * this file as soon as storage_backend_lib exists. */
#define MV_LOG_CATEGORY "storage"
#include "storage-backend.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/file.h"
#include "util/spawn.h"

#define PARTIAL_SUFFIX ".mvpart"

char *
mv_storage_backend_partial_path(const char *path)
{
    g_autofree char *dir = g_path_get_dirname(path);
    g_autofree char *base = g_path_get_basename(path);
    g_autofree char *name = g_strconcat(".", base, PARTIAL_SUFFIX, NULL);

    return g_build_filename(dir, name, NULL);
}

bool
mv_storage_backend_is_partial_name(const char *name)
{
    return name[0] == '.' && g_str_has_suffix(name, PARTIAL_SUFFIX) &&
           strlen(name) > strlen(PARTIAL_SUFFIX) + 1;
}

bool
mv_storage_backend_list_partial(const MvStoragePoolDef *pool, GPtrArray **ret_paths,
                                GError **error)
{
    g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GDir) dir = NULL;
    const char *name;

    (void)error;
    if (pool->target.path && (dir = g_dir_open(pool->target.path, 0, NULL)))
        while ((name = g_dir_read_name(dir)))
            if (mv_storage_backend_is_partial_name(name))
                g_ptr_array_add(out, g_build_filename(pool->target.path, name, NULL));
    *ret_paths = g_steal_pointer(&out);
    return true;
}

bool
mv_storage_backend_clean_partial(const MvStoragePoolDef *pool, GPtrArray **ret_names,
                                 GError **error)
{
    g_autoptr(GPtrArray) paths = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);

    if (!mv_storage_backend_list_partial(pool, &paths, error))
        return false;
    for (guint i = 0; i < paths->len; i++) {
        g_autofree char *base = g_path_get_basename(paths->pdata[i]);

        if (unlink(paths->pdata[i]) < 0 && errno != ENOENT)
            return mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot remove '%s'",
                                      (char *)paths->pdata[i]);
        base[strlen(base) - strlen(PARTIAL_SUFFIX)] = '\0';
        g_ptr_array_add(names, g_strdup(base + 1));
    }
    if (ret_names)
        *ret_names = g_steal_pointer(&names);
    return true;
}

const char *
mv_storage_backend_wipe_algorithm_to_string(unsigned int algorithm)
{
    static const char *const names[] = { "zero", "nnsa", "dod", "bsi", "gutmann", "schneier",
                                         "pfitzner7", "pfitzner33", "random", "trim" };

    return algorithm < G_N_ELEMENTS(names) ? names[algorithm] : NULL;
}

/* ---- probing ---- */

static guint64
be64(const guint8 *p)
{
    guint64 v = 0;

    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

/* Fills @vol's type, format, sizes and backing store from the file @path. */
static bool
probe(const char *path, MvStorageVolDef *vol, GError **error)
{
    guint8 hdr[32] = { 0 };
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0 || fstat(fd, &st) < 0) {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        return mv_error_set_errno(error, MV_FROM_STORAGE, saved, "cannot open volume '%s'",
                                  path);
    }
    vol->type = S_ISDIR(st.st_mode) ? MV_STORAGE_VOL_DIR : MV_STORAGE_VOL_FILE;
    vol->capacity = st.st_size;
    vol->allocation = (guint64)st.st_blocks * 512;
    vol->physical = st.st_size;
    vol->has_physical = true;
    vol->target.format = MV_STORAGE_VOL_FORMAT_RAW;
    if (S_ISREG(st.st_mode) && pread(fd, hdr, sizeof(hdr), 0) == (ssize_t)sizeof(hdr) &&
        memcmp(hdr, "QFI\xfb", 4) == 0) {
        guint64 boff = be64(hdr + 8);
        guint32 blen = (guint32)(be64(hdr + 16) >> 32);

        vol->target.format = MV_STORAGE_VOL_FORMAT_QCOW2;
        vol->capacity = be64(hdr + 24);
        if (boff && blen && blen < 4096) {
            g_autofree char *b = g_malloc0(blen + 1);
            if (pread(fd, b, blen, (off_t)boff) == (ssize_t)blen) {
                g_free(vol->backing.path);
                vol->backing.path = g_steal_pointer(&b);
            }
        }
    }
    close(fd);
    return true;
}

/* ---- the dir backend ---- */

static bool
dir_build(const MvStoragePoolDef *def, unsigned int flags, GError **error)
{
    (void)flags;
    return mv_file_mkdir_p(def->target.path, def->target.perms.mode >= 0
                                                 ? def->target.perms.mode : 0755, error);
}

static bool
dir_start(const MvStoragePoolDef *def, GError **error)
{
    if (!g_file_test(def->target.path, G_FILE_TEST_IS_DIR))
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                            "cannot open directory '%s': No such file or directory (build "
                            "the pool first: virsh pool-build)", def->target.path);
    return true;
}

static bool
dir_delete(const MvStoragePoolDef *def, unsigned int flags, GError **error)
{
    (void)flags;
    if (rmdir(def->target.path) < 0 && errno != ENOENT)
        return mv_error_set_errno(error, MV_FROM_STORAGE, errno, "failed to remove pool '%s'",
                                  def->target.path);
    return true;
}

static bool
dir_refresh(const MvStoragePoolDef *def, GPtrArray **ret_vols, MvStoragePoolSizes *ret_sizes,
            GError **error)
{
    g_autoptr(GPtrArray) vols = g_ptr_array_new_with_free_func(
        (GDestroyNotify)mv_storage_vol_def_free);
    g_autoptr(GDir) dir = g_dir_open(def->target.path, 0, NULL);
    const char *name;
    struct stat st;

    if (!dir)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_FAILED,
                            "cannot open directory '%s'", def->target.path);
    while ((name = g_dir_read_name(dir))) {
        g_autoptr(MvStorageVolDef) vol = NULL;
        g_autofree char *path = NULL;

        if (mv_storage_backend_is_partial_name(name))
            continue;
        path = g_build_filename(def->target.path, name, NULL);
        if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
            continue;
        vol = mv_storage_vol_def_new();
        vol->name = g_strdup(name);
        vol->key = g_strdup(path);
        vol->target.path = g_strdup(path);
        if (!probe(path, vol, NULL))
            continue;
        ret_sizes->allocation += vol->allocation;
        g_ptr_array_add(vols, g_steal_pointer(&vol));
    }
    {
        g_autoptr(GFile) f = g_file_new_for_path(def->target.path);
        g_autoptr(GFileInfo) info = g_file_query_filesystem_info(
            f, G_FILE_ATTRIBUTE_FILESYSTEM_SIZE "," G_FILE_ATTRIBUTE_FILESYSTEM_FREE, NULL,
            NULL);
        if (info) {
            ret_sizes->capacity = g_file_info_get_attribute_uint64(
                info, G_FILE_ATTRIBUTE_FILESYSTEM_SIZE);
            ret_sizes->available = g_file_info_get_attribute_uint64(
                info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE);
            ret_sizes->allocation = ret_sizes->capacity - ret_sizes->available;
        }
    }
    *ret_vols = g_steal_pointer(&vols);
    return true;
}

static bool
dir_vol_prepare(const MvStoragePoolDef *pool, MvStorageVolDef *vol, GError **error)
{
    if (strchr(vol->name, '/') || g_str_equal(vol->name, ".") ||
        g_str_equal(vol->name, "..") || mv_storage_backend_is_partial_name(vol->name))
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                            "volume name '%s' cannot contain '/' or be '.', '..' or an "
                            "in-progress name", vol->name);
    g_free(vol->target.path);
    vol->target.path = g_build_filename(pool->target.path, vol->name, NULL);
    g_free(vol->key);
    vol->key = g_strdup(vol->target.path);
    vol->type = MV_STORAGE_VOL_FILE;
    if (vol->target.format != MV_STORAGE_VOL_FORMAT_RAW &&
        vol->target.format != MV_STORAGE_VOL_FORMAT_QCOW2)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_UNSUPPORTED,
                            "this build creates raw and qcow2 volumes only");
    if (g_file_test(vol->target.path, G_FILE_TEST_EXISTS))
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_STORAGE_VOL_EXIST,
                            "storage volume already exists: '%s'", vol->name);
    return true;
}

/* Moves the finished @partial into place and reads the volume back. */
static bool
publish(const char *partial, MvStorageVolDef *vol, GError **error)
{
    if (rename(partial, vol->target.path) < 0) {
        int saved = errno;
        unlink(partial);
        return mv_error_set_errno(error, MV_FROM_STORAGE, saved, "cannot create '%s'",
                                  vol->target.path);
    }
    return probe(vol->target.path, vol, error);
}

static bool
qemu_img(const char *const *argv, GError **error)
{
    return mv_spawn_sync(argv, NULL, -1, NULL, NULL, NULL, error);
}

static bool
dir_vol_create(const MvStoragePoolDef *pool, MvStorageVolDef *vol,
               const MvStoragePassphrase *passphrase, unsigned int flags,
               const MvStorageJobCtl *ctl, GError **error)
{
    g_autofree char *partial = mv_storage_backend_partial_path(vol->target.path);
    g_autofree char *size = g_strdup_printf("%" G_GUINT64_FORMAT, vol->capacity);
    int fd;

    (void)pool, (void)flags, (void)ctl;
    if (passphrase || vol->target.encryption.format != MV_STORAGE_ENCRYPTION_NONE)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_UNSUPPORTED,
                            "this build cannot create encrypted volumes");
    if (vol->target.format == MV_STORAGE_VOL_FORMAT_QCOW2) {
        g_autoptr(GPtrArray) argv = g_ptr_array_new();
        g_ptr_array_add(argv, (char *)"qemu-img");
        g_ptr_array_add(argv, (char *)"create");
        g_ptr_array_add(argv, (char *)"-q");
        g_ptr_array_add(argv, (char *)"-f");
        g_ptr_array_add(argv, (char *)"qcow2");
        if (vol->backing.path) {
            g_ptr_array_add(argv, (char *)"-b");
            g_ptr_array_add(argv, vol->backing.path);
            g_ptr_array_add(argv, (char *)"-F");
            g_ptr_array_add(argv, (char *)(vol->backing.format != MV_STORAGE_VOL_FORMAT_NONE
                ? mv_storage_vol_format_to_string(vol->backing.format) : "raw"));
        }
        g_ptr_array_add(argv, partial);
        g_ptr_array_add(argv, size);
        g_ptr_array_add(argv, NULL);
        if (!qemu_img((const char *const *)argv->pdata, error)) {
            unlink(partial);
            return false;
        }
        return publish(partial, vol, error);
    }
    fd = open(partial, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot create '%s'",
                                  vol->target.path);
    if (ftruncate(fd, (off_t)vol->capacity) < 0 ||
        (vol->allocation && posix_fallocate(fd, 0, (off_t)MIN(vol->allocation,
                                                              vol->capacity)) != 0)) {
        int saved = errno ? errno : ENOSPC;
        close(fd);
        unlink(partial);
        return mv_error_set_errno(error, MV_FROM_STORAGE, saved, "cannot allocate '%s'",
                                  vol->target.path);
    }
    close(fd);
    return publish(partial, vol, error);
}

static bool
dir_vol_create_from(const MvStoragePoolDef *pool, MvStorageVolDef *vol, const char *src_path,
                    MvStorageVolFormat src_format, const MvStoragePassphrase *passphrase,
                    unsigned int flags, const MvStorageJobCtl *ctl, GError **error)
{
    g_autofree char *partial = mv_storage_backend_partial_path(vol->target.path);
    const char *argv[] = { "qemu-img", "convert", "-q", "-f",
                           mv_storage_vol_format_to_string(src_format), "-O",
                           mv_storage_vol_format_to_string(vol->target.format), src_path,
                           partial, NULL };

    (void)pool, (void)flags, (void)ctl, (void)passphrase;
    if (!qemu_img(argv, error)) {
        unlink(partial);
        return false;
    }
    return publish(partial, vol, error);
}

static bool
dir_vol_delete(const MvStoragePoolDef *pool, const MvStorageVolDef *vol, unsigned int flags,
               GError **error)
{
    (void)pool, (void)flags;
    if (unlink(vol->target.path) < 0 && errno != ENOENT)
        return mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot remove '%s'",
                                  vol->target.path);
    return true;
}

static bool
dir_vol_wipe(const MvStoragePoolDef *pool, const MvStorageVolDef *vol, unsigned int algorithm,
             const MvStorageJobCtl *ctl, GError **error)
{
    g_autofree guint8 *zeros = g_malloc0(1 << 20);
    struct stat st;
    int fd;

    (void)pool, (void)ctl;
    if (algorithm != MV_STORAGE_WIPE_ZERO)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_UNSUPPORTED,
                            "wiping algorithm '%s' is not supported by this build",
                            mv_storage_backend_wipe_algorithm_to_string(algorithm));
    if ((fd = open(vol->target.path, O_WRONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) < 0) {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        return mv_error_set_errno(error, MV_FROM_STORAGE, saved, "cannot open '%s'",
                                  vol->target.path);
    }
    for (off_t off = 0; off < st.st_size;) {
        ssize_t n = pwrite(fd, zeros, MIN((off_t)(1 << 20), st.st_size - off), off);
        if (n <= 0) {
            int saved = errno;
            close(fd);
            return mv_error_set_errno(error, MV_FROM_STORAGE, saved, "cannot wipe '%s'",
                                      vol->target.path);
        }
        off += n;
    }
    fsync(fd);
    close(fd);
    return true;
}

static bool
dir_vol_refresh(const MvStoragePoolDef *pool, MvStorageVolDef *vol, GError **error)
{
    (void)pool;
    return probe(vol->target.path, vol, error);
}

static bool
dir_vol_resize(const MvStoragePoolDef *pool, MvStorageVolDef *vol, guint64 capacity,
               unsigned int flags, const MvStorageJobCtl *ctl, GError **error)
{
    (void)ctl;
    if (vol->target.format == MV_STORAGE_VOL_FORMAT_QCOW2) {
        g_autofree char *size = g_strdup_printf("%" G_GUINT64_FORMAT, capacity);
        const char *argv[] = { "qemu-img", "resize", "-q",
                               (flags & MV_STORAGE_VOL_RESIZE_SHRINK) ? "--shrink" : "-q",
                               vol->target.path, size, NULL };
        if (!qemu_img(argv, error))
            return false;
    } else if (truncate(vol->target.path, (off_t)capacity) < 0) {
        return mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot resize '%s'",
                                  vol->target.path);
    } else if (flags & MV_STORAGE_VOL_RESIZE_ALLOCATE) {
        int fd = open(vol->target.path, O_WRONLY | O_CLOEXEC);
        int rc = fd >= 0 ? posix_fallocate(fd, 0, (off_t)capacity) : errno;
        if (fd >= 0)
            close(fd);
        if (rc != 0)
            return mv_error_set_errno(error, MV_FROM_STORAGE, rc, "cannot allocate '%s'",
                                      vol->target.path);
    }
    return dir_vol_refresh(pool, vol, error);
}

static const MvStorageBackend dir_backend = {
    .type = MV_STORAGE_POOL_DIR,
    .build = dir_build,
    .start = dir_start,
    .delete = dir_delete,
    .refresh = dir_refresh,
    .vol_prepare = dir_vol_prepare,
    .vol_create = dir_vol_create,
    .vol_create_from = dir_vol_create_from,
    .vol_delete = dir_vol_delete,
    .vol_wipe = dir_vol_wipe,
    .vol_resize = dir_vol_resize,
    .vol_refresh = dir_vol_refresh,
};

static bool
missing_check_host(const MvStoragePoolDef *def, GError **error)
{
    return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT,
                        "storage pools of type '%s' are not available in this build",
                        mv_storage_pool_type_to_string(def->type));
}

static const MvStorageBackend missing_backends[MV_STORAGE_POOL_TYPE_LAST] = {
    [MV_STORAGE_POOL_FS] = { .type = MV_STORAGE_POOL_FS, .check_host = missing_check_host },
    [MV_STORAGE_POOL_NETFS] = { .type = MV_STORAGE_POOL_NETFS,
                                .check_host = missing_check_host },
    [MV_STORAGE_POOL_LOGICAL] = { .type = MV_STORAGE_POOL_LOGICAL,
                                  .check_host = missing_check_host },
    [MV_STORAGE_POOL_DISK] = { .type = MV_STORAGE_POOL_DISK, .check_host = missing_check_host },
    [MV_STORAGE_POOL_ISCSI] = { .type = MV_STORAGE_POOL_ISCSI,
                                .check_host = missing_check_host },
};

const MvStorageBackend *
mv_storage_backend_for(MvStoragePoolType type)
{
    if (type == MV_STORAGE_POOL_DIR)
        return &dir_backend;
    return &missing_backends[type < MV_STORAGE_POOL_TYPE_LAST ? type : MV_STORAGE_POOL_FS];
}
