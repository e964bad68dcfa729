/* dir pools, and the volume operations of every pool whose volumes are files
 * in its target directory (fs reuses them: storage-backend-priv.h). */
#include "storage-backend-priv.h"
#include "storage-crash.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "storage-qemu-img.h"
#include "storage-vol-file.h"
#include "util/error.h"
#include "util/fd.h"

/* ---- volume definitions from probes --------------------------------------- */

static MvStorageVolFormat
format_of(const char *name)
{
    int f = mv_storage_vol_format_from_string(name);

    return f < 0 ? MV_STORAGE_VOL_FORMAT_RAW : (MvStorageVolFormat)f;
}

/* libvirt's form of a time: "seconds.nanoseconds". */
static void
set_time(char **dst, const struct timespec *ts)
{
    g_free(*dst);
    *dst = g_strdup_printf("%lld.%09ld", (long long)ts->tv_sec, (long)ts->tv_nsec);
}

void
mv_storage_vol_def_fill_probe(MvStorageVolDef *vol, const char *path,
                              const MvStorageProbe *probe)
{
    if (!vol->target.path || !g_str_equal(vol->target.path, path)) {
        g_free(vol->target.path);
        vol->target.path = g_strdup(path);
    }
    if (!vol->key) {
        vol->key = g_strdup(path);
    }
    vol->type = probe->type == MV_STORAGE_PROBE_DIR     ? MV_STORAGE_VOL_DIR
                : probe->type == MV_STORAGE_PROBE_BLOCK ? MV_STORAGE_VOL_BLOCK
                                                        : MV_STORAGE_VOL_FILE;
    vol->target.format = format_of(probe->format);
    vol->capacity = probe->capacity;
    vol->has_capacity = true;
    vol->allocation = probe->allocation;
    vol->has_allocation = true;
    vol->physical = probe->physical;
    vol->has_physical = true;
    set_time(&vol->target.timestamps.atime, &probe->atime);
    set_time(&vol->target.timestamps.mtime, &probe->mtime);
    set_time(&vol->target.timestamps.ctime, &probe->ctime);
    vol->target.perms.mode = (int)probe->mode;
    vol->target.perms.owner = probe->uid;
    vol->target.perms.group = probe->gid;
    g_clear_pointer(&vol->backing.path, g_free);
    vol->backing.format = MV_STORAGE_VOL_FORMAT_NONE;
    if (probe->backing_path) {
        vol->backing.path = g_strdup(probe->backing_path);
        if (probe->backing_format)
            vol->backing.format = format_of(probe->backing_format);
    }
    if (probe->encrypted && vol->target.encryption.format == MV_STORAGE_ENCRYPTION_NONE)
        vol->target.encryption.format = MV_STORAGE_ENCRYPTION_LUKS;
    /* A bare LUKS image is shown as libvirt shows it: a raw volume with LUKS
     * encryption (the way it was created). */
    if (vol->target.format == MV_STORAGE_VOL_FORMAT_LUKS)
        vol->target.format = MV_STORAGE_VOL_FORMAT_RAW;
}

/* ---- pool refresh ---------------------------------------------------------- */

static bool
pool_sizes(const char *path, MvStoragePoolSizes *ret, GError **error)
{
    struct statvfs sv;

    if (statvfs(path, &sv) < 0)
        return mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot statvfs '%s'", path);
    ret->capacity = (guint64)sv.f_blocks * sv.f_frsize;
    ret->allocation = (guint64)(sv.f_blocks - sv.f_bfree) * sv.f_frsize;
    ret->available = (guint64)sv.f_bavail * sv.f_frsize;
    return true;
}

/* One directory entry as a volume, or NULL when it is not one (a symlink,
 * socket, an in-progress file) or vanished meanwhile. */
static MvStorageVolDef *
refresh_entry(int dirfd, const char *dir, const char *name, GError **error)
{
    g_autoptr(MvStorageProbe) probe = NULL;
    g_autoptr(MvStorageVolDef) vol = NULL;
    g_autofree char *path = NULL;
    MV_AUTOCLOSE int fd = -1;
    g_autoptr(GError) local = NULL;

    if (mv_storage_backend_is_partial_name(name))
        return NULL;
    fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return NULL;            /* gone, a symlink, or unreadable: not a volume */
    path = g_build_filename(dir, name, NULL);
    if (!(probe = mv_storage_probe_fd(fd, path, &local))) {
        /* A file that cannot be probed (a broken qcow2 header) is still listed as
         * raw rather than hidden; a FIFO or socket is skipped. */
        struct stat st;

        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
            return NULL;
        g_debug("%s", local->message);
        probe = g_new0(MvStorageProbe, 1);
        probe->format = "raw";
        probe->capacity = probe->physical = (guint64)st.st_size;
        probe->allocation = (guint64)st.st_blocks * 512;
        probe->mode = st.st_mode & 07777;
        probe->atime = st.st_atim;
        probe->mtime = st.st_mtim;
        probe->ctime = st.st_ctim;
        probe->uid = st.st_uid;
        probe->gid = st.st_gid;
    }
    (void)error;
    vol = mv_storage_vol_def_new();
    vol->name = g_strdup(name);
    mv_storage_vol_def_fill_probe(vol, path, probe);
    return g_steal_pointer(&vol);
}

bool
mv_storage_file_pool_refresh(const MvStoragePoolDef *def, GPtrArray **ret_vols,
                             MvStoragePoolSizes *ret_sizes, GError **error)
{
    g_autoptr(GPtrArray) vols =
        g_ptr_array_new_with_free_func((GDestroyNotify)mv_storage_vol_def_free);
    MvStoragePoolSizes sizes = { 0 };
    DIR *dir;
    struct dirent *ent;

    if (!(dir = opendir(def->target.path)))
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                            "cannot open pool directory '%s': %s: build the pool first "
                            "(pool-build)", def->target.path, g_strerror(errno));
    while ((ent = readdir(dir)) != NULL) {
        MvStorageVolDef *vol;

        if (g_str_equal(ent->d_name, ".") || g_str_equal(ent->d_name, ".."))
            continue;
        if (ent->d_type != DT_UNKNOWN && ent->d_type != DT_REG && ent->d_type != DT_DIR &&
            ent->d_type != DT_BLK)
            continue;
        if ((vol = refresh_entry(dirfd(dir), def->target.path, ent->d_name, error)))
            g_ptr_array_add(vols, vol);
    }
    closedir(dir);
    if (!pool_sizes(def->target.path, &sizes, error))
        return false;
    /* <refresh><volume allocation='capacity'/>: report allocation = capacity. */
    for (guint i = 0; def->refresh_alloc_capacity && i < vols->len; i++) {
        MvStorageVolDef *vol = g_ptr_array_index(vols, i);

        vol->allocation = vol->capacity;
    }
    *ret_vols = g_steal_pointer(&vols);
    *ret_sizes = sizes;
    return true;
}

/* ---- volume preparation ---------------------------------------------------- */

bool
mv_storage_file_vol_prepare(const MvStoragePoolDef *pool, MvStorageVolDef *vol,
                            GError **error)
{
    const char *name = vol->name;
    g_autofree char *path = NULL;

    if (!name || !*name || strchr(name, '/') || g_str_equal(name, ".") ||
        g_str_equal(name, ".."))
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                            "invalid volume name '%s': it must be a file name, without '/'",
                            name ? name : "");
    if (mv_storage_backend_is_partial_name(name))
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                            "invalid volume name '%s': names of the form .NAME.mvpart are "
                            "reserved for volumes being written", name);
    path = g_build_filename(pool->target.path, name, NULL);
    if (vol->target.path && !g_str_equal(vol->target.path, path))
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                            "volume target path '%s' must be '%s' in pool '%s'",
                            vol->target.path, path, pool->name);
    if (vol->target.format == MV_STORAGE_VOL_FORMAT_NONE)
        vol->target.format = MV_STORAGE_VOL_FORMAT_RAW;
    if (vol->target.encryption.format != MV_STORAGE_ENCRYPTION_NONE &&
        vol->target.encryption.format != MV_STORAGE_ENCRYPTION_LUKS)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_CONFIG_UNSUPPORTED,
                            "unsupported volume encryption format '%s': new volumes are "
                            "encrypted with 'luks'",
                            mv_storage_encryption_format_to_string(
                                vol->target.encryption.format));
    if (vol->target.encryption.format == MV_STORAGE_ENCRYPTION_LUKS &&
        vol->target.format != MV_STORAGE_VOL_FORMAT_RAW &&
        vol->target.format != MV_STORAGE_VOL_FORMAT_QCOW2 &&
        vol->target.format != MV_STORAGE_VOL_FORMAT_LUKS)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_CONFIG_UNSUPPORTED,
                            "LUKS encryption needs the volume format raw or qcow2, not '%s'",
                            mv_storage_vol_format_to_string(vol->target.format));
    vol->type = vol->target.format == MV_STORAGE_VOL_FORMAT_DIR ? MV_STORAGE_VOL_DIR
                                                                : MV_STORAGE_VOL_FILE;
    g_free(vol->target.path);
    vol->target.path = g_strdup(path);
    g_free(vol->key);
    vol->key = g_steal_pointer(&path);
    return true;
}

/* ---- volume creation ------------------------------------------------------- */

static MvStorageFileOwner
vol_owner(const MvStorageVolDef *vol)
{
    return (MvStorageFileOwner){ .mode = vol->target.perms.mode,
                                 .uid = vol->target.perms.owner,
                                 .gid = vol->target.perms.group,
                                 .nocow = vol->target.nocow };
}

static bool
vol_is_encrypted(const MvStorageVolDef *vol)
{
    return vol->target.encryption.format == MV_STORAGE_ENCRYPTION_LUKS ||
           vol->target.format == MV_STORAGE_VOL_FORMAT_LUKS;
}

/* The qemu-img output options of @vol; the strings point into @vol and @buf. */
static void
qemu_img_output(const MvStorageVolDef *vol, const char *preallocation, char *cipher_buf,
                gsize cipher_len, MvQemuImgOutput *out)
{
    const MvStorageEncryption *enc = &vol->target.encryption;
    bool encrypted = vol_is_encrypted(vol);

    memset(out, 0, sizeof(*out));
    out->format = mv_storage_vol_format_to_string(vol->target.format);
    if (encrypted && vol->target.format == MV_STORAGE_VOL_FORMAT_RAW)
        out->format = "luks";     /* a raw volume with LUKS is a bare LUKS image */
    out->preallocation = preallocation;
    out->compat = vol->target.compat;
    out->lazy_refcounts = vol->target.lazy_refcounts;
    out->extended_l2 = vol->target.extended_l2;
    out->cluster_size = vol->target.cluster_size;
    out->nocow = vol->target.nocow;
    out->encrypt = encrypted;
    if (encrypted && enc->cipher_name) {
        if (enc->cipher_size)
            g_snprintf(cipher_buf, cipher_len, "%s-%u", enc->cipher_name, enc->cipher_size);
        else
            g_strlcpy(cipher_buf, enc->cipher_name, cipher_len);
        out->cipher_alg = cipher_buf;
    }
    out->cipher_mode = enc->cipher_mode;
    out->hash = enc->cipher_hash;
    out->ivgen_alg = enc->ivgen_name;
    out->ivgen_hash = enc->ivgen_hash;
}

static bool
need_passphrase(const MvStorageVolDef *vol, const MvStoragePassphrase *passphrase,
                GError **error)
{
    if (vol_is_encrypted(vol) && (!passphrase || !passphrase->data || passphrase->len == 0))
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                            "volume '%s' is encrypted: its <encryption> must name a "
                            "secret holding the passphrase", vol->name);
    return true;
}

/* The format of a backing file not given in the XML: probe it. */
static const char *
backing_format(const MvStorageVolDef *vol, GError **error)
{
    g_autoptr(MvStorageProbe) probe = NULL;

    if (vol->backing.format != MV_STORAGE_VOL_FORMAT_NONE)
        return mv_storage_vol_format_to_string(vol->backing.format);
    if (!(probe = mv_storage_probe_path(vol->backing.path, true, error))) {
        g_prefix_error(error, "backing store of volume '%s': ", vol->name);
        return NULL;
    }
    return probe->format;       /* static string */
}

static bool
create_with_qemu_img(MvStorageVolDef *vol, const MvStoragePassphrase *passphrase,
                     unsigned int flags, const MvStorageJobCtl *ctl, GError **error)
{
    g_autofree char *qemu_img = mv_qemu_img_find(error);
    g_autofree char *partial = NULL;
    g_auto(GStrv) argv = NULL;
    MvStorageFileOwner owner = vol_owner(vol);
    const char *prealloc = NULL, *bfmt = NULL;
    MV_AUTOCLOSE int fd = -1;
    char cipher[64];
    MvQemuImgOutput out;

    if (!qemu_img || !need_passphrase(vol, passphrase, error))
        return false;
    if (vol->backing.path && !(bfmt = backing_format(vol, error)))
        return false;
    if (flags & MV_STORAGE_VOL_CREATE_PREALLOC_METADATA)
        prealloc = "metadata";
    else if (vol->has_allocation && vol->allocation >= vol->capacity && !vol->backing.path)
        prealloc = "falloc";
    qemu_img_output(vol, prealloc, cipher, sizeof(cipher), &out);
    if ((fd = mv_storage_vol_file_open_partial(vol->target.path, &owner, &partial, error)) < 0)
        return false;
    argv = mv_qemu_img_create_argv(qemu_img, &out, partial, vol->capacity, vol->backing.path,
                                   bfmt);
    if (!mv_qemu_img_run(argv, vol_is_encrypted(vol) ? passphrase : NULL, ctl, error)) {
        mv_storage_vol_file_abandon(partial);
        g_prefix_error(error, "cannot create volume '%s': ", vol->name);
        return false;
    }
    return mv_storage_vol_file_commit(fd, partial, vol->target.path, error);
}

static bool
create_dir_volume(MvStorageVolDef *vol, GError **error)
{
    int mode = vol->target.perms.mode >= 0 ? vol->target.perms.mode : 0755;

    if (mkdir(vol->target.path, (mode_t)mode) < 0)
        return mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot create directory '%s'",
                                  vol->target.path);
    return true;
}

/* --prealloc-metadata means a qcow2's metadata: libvirt refuses it for other
 * formats rather than allocate something else than asked. */
static bool
check_prealloc_metadata(const MvStorageVolDef *vol, unsigned int flags, GError **error)
{
    if (!(flags & MV_STORAGE_VOL_CREATE_PREALLOC_METADATA) ||
        vol->target.format == MV_STORAGE_VOL_FORMAT_QCOW2)
        return true;
    return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_UNSUPPORTED,
                        "metadata preallocation is not supported for %s volumes: it is a "
                        "qcow2 feature (drop --prealloc-metadata, or use --allocation)",
                        mv_storage_vol_format_to_string(vol->target.format));
}

bool
mv_storage_file_vol_create(const MvStoragePoolDef *pool, MvStorageVolDef *vol,
                           const MvStoragePassphrase *passphrase, unsigned int flags,
                           const MvStorageJobCtl *ctl, GError **error)
{
    MvStorageFileOwner owner = vol_owner(vol);
    bool ok;

    (void)pool;
    if (!vol->target.path)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                            "volume '%s' was not prepared", vol->name);
    if (!check_prealloc_metadata(vol, flags, error))
        return false;
    if (vol->target.format == MV_STORAGE_VOL_FORMAT_DIR)
        ok = create_dir_volume(vol, error);
    else if ((vol->target.format == MV_STORAGE_VOL_FORMAT_RAW ||
              vol->target.format == MV_STORAGE_VOL_FORMAT_ISO) && !vol_is_encrypted(vol))
        /* libvirt's rule: no <allocation> means fully allocated. */
        ok = mv_storage_vol_file_create_raw(vol->target.path, vol->capacity,
                                            vol->has_allocation ? vol->allocation
                                                                : vol->capacity,
                                            &owner, ctl, error);
    else
        ok = create_with_qemu_img(vol, passphrase, flags, ctl, error);
    return ok && mv_storage_file_vol_refresh(pool, vol, error);
}

bool
mv_storage_file_vol_create_from(const MvStoragePoolDef *pool, MvStorageVolDef *vol,
                                const char *src_path, MvStorageVolFormat src_format,
                                const MvStoragePassphrase *passphrase, unsigned int flags,
                                const MvStorageJobCtl *ctl, GError **error)
{
    g_autoptr(MvStorageProbe) src = mv_storage_probe_path(src_path, true, error);
    MvStorageFileOwner owner = vol_owner(vol);
    g_autofree char *qemu_img = NULL, *partial = NULL;
    g_auto(GStrv) argv = NULL;
    const char *src_fmt;
    MV_AUTOCLOSE int fd = -1;
    char cipher[64];
    MvQemuImgOutput out;

    if (!src || !check_prealloc_metadata(vol, flags, error))
        return false;
    src_fmt = src_format != MV_STORAGE_VOL_FORMAT_NONE ? mv_storage_vol_format_to_string(src_format)
                                                       : src->format;
    if (src->encrypted)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_UNSUPPORTED,
                            "cannot clone '%s': cloning an encrypted volume is not supported",
                            src_path);
    if (vol->target.format == MV_STORAGE_VOL_FORMAT_DIR || src->type == MV_STORAGE_PROBE_DIR)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_UNSUPPORTED,
                            "cannot clone directory volumes");
    if (!vol->has_capacity)
        vol->capacity = src->capacity;
    if (vol->target.format == MV_STORAGE_VOL_FORMAT_RAW && !vol_is_encrypted(vol) &&
        g_str_equal(src_fmt, "raw")) {
        if (!mv_storage_vol_file_clone_raw(src_path, vol->target.path, vol->capacity,
                                           flags & MV_STORAGE_VOL_CREATE_REFLINK, &owner, ctl,
                                           error))
            return false;
        return mv_storage_file_vol_refresh(pool, vol, error);
    }
    if (flags & MV_STORAGE_VOL_CREATE_REFLINK)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_UNSUPPORTED,
                            "reflink clones need raw volumes on both sides");
    if (!(qemu_img = mv_qemu_img_find(error)) || !need_passphrase(vol, passphrase, error))
        return false;
    /* vol-clone --prealloc-metadata: qemu-img convert preallocates a qcow2's
     * metadata as create does. */
    qemu_img_output(vol, (flags & MV_STORAGE_VOL_CREATE_PREALLOC_METADATA) &&
                         vol->target.format == MV_STORAGE_VOL_FORMAT_QCOW2 ? "metadata" : NULL,
                    cipher, sizeof(cipher), &out);
    if ((fd = mv_storage_vol_file_open_partial(vol->target.path, &owner, &partial, error)) < 0)
        return false;
    argv = mv_qemu_img_convert_argv(qemu_img, src_path, src_fmt, &out, partial);
    if (!mv_qemu_img_run(argv, vol_is_encrypted(vol) ? passphrase : NULL, ctl, error))
        goto fail;
    if (vol->capacity > src->capacity && !vol_is_encrypted(vol)) {
        g_auto(GStrv) resize = mv_qemu_img_resize_argv(qemu_img, partial, out.format,
                                                       vol->capacity, false, false);

        if (!mv_qemu_img_run(resize, NULL, ctl, error))
            goto fail;
    }
    if (!mv_storage_vol_file_commit(fd, partial, vol->target.path, error))
        return false;
    return mv_storage_file_vol_refresh(pool, vol, error);

fail:
    mv_storage_vol_file_abandon(partial);
    g_prefix_error(error, "cannot clone '%s' to volume '%s': ", src_path, vol->name);
    return false;
}

/* ---- delete, wipe, resize, refresh ---------------------------------------- */

/* A zeroing delete takes the volume out of sight first (under its
 * in-progress name, which a restart removes), then zeroes and removes it: a
 * daemon killed meanwhile never leaves a half-zeroed file listed as the
 * volume (a qcow2 whose header is gone would come back as a raw file). */
static bool
delete_zeroed(const MvStorageVolDef *vol, GError **error)
{
    g_autofree char *partial = mv_storage_backend_partial_path(vol->target.path);

    if (renameat2(AT_FDCWD, vol->target.path, AT_FDCWD, partial, RENAME_NOREPLACE) < 0)
        return mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot remove '%s'",
                                  vol->target.path);
    mv_storage_crash_point("vol-delete-zeroed");
    if (!mv_storage_vol_file_wipe(partial, MV_STORAGE_WIPE_ZERO, NULL, error)) {
        /* not deleted: the volume keeps its name */
        if (renameat2(AT_FDCWD, partial, AT_FDCWD, vol->target.path, RENAME_NOREPLACE) < 0)
            unlink(partial);
        return false;
    }
    if (unlink(partial) < 0)
        return mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot remove '%s'",
                                  partial);
    return true;
}

bool
mv_storage_file_vol_delete(const MvStoragePoolDef *pool, const MvStorageVolDef *vol,
                           unsigned int flags, GError **error)
{
    struct stat st;

    (void)pool;
    if (flags & ~(guint)(MV_STORAGE_VOL_DELETE_ZEROED | MV_STORAGE_VOL_DELETE_WITH_SNAPSHOTS))
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                            "unsupported flags (0x%x) in the volume delete", flags);
    if (lstat(vol->target.path, &st) < 0) {
        if (errno == ENOENT)
            return true;        /* already gone: the goal is reached */
        return mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot stat '%s'",
                                  vol->target.path);
    }
    if (S_ISDIR(st.st_mode)) {
        if (rmdir(vol->target.path) < 0)
            return mv_error_set_errno(error, MV_FROM_STORAGE, errno,
                                      "cannot remove directory volume '%s'", vol->target.path);
        return true;
    }
    if ((flags & MV_STORAGE_VOL_DELETE_ZEROED) && S_ISREG(st.st_mode))
        return delete_zeroed(vol, error);
    if (unlink(vol->target.path) < 0)
        return mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot remove '%s'",
                                  vol->target.path);
    return true;
}

/* Wipes a qcow2 volume so that a daemon killed at any moment leaves either
 * the old image or the new empty one under the volume's name, never a
 * zeroed header: the empty image is made as the volume's in-progress file,
 * swapped in with RENAME_EXCHANGE, and the old image (now under the
 * in-progress name, which a restart removes) is wiped, then removed. */
static bool
wipe_qcow2(const char *qemu_img, const MvStorageVolDef *vol, guint64 capacity,
           unsigned int algorithm, const MvStorageJobCtl *ctl, GError **error)
{
    g_autofree char *partial = mv_storage_backend_partial_path(vol->target.path);
    MvQemuImgOutput out = { .format = "qcow2" };
    g_auto(GStrv) argv = NULL;
    struct stat st;

    /* (without the backing file, whose data would show through) */
    argv = mv_qemu_img_create_argv(qemu_img, &out, partial, capacity, NULL, NULL);
    if (stat(vol->target.path, &st) < 0)
        return mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot stat '%s'",
                                  vol->target.path);
    unlink(partial);
    if (!mv_qemu_img_run(argv, NULL, ctl, error))
        goto fail;
    if (chmod(partial, st.st_mode & 07777) < 0 || chown(partial, st.st_uid, st.st_gid) < 0) {
        mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot give '%s' the owner and "
                           "mode of '%s'", partial, vol->target.path);
        goto fail;
    }
    if (renameat2(AT_FDCWD, partial, AT_FDCWD, vol->target.path, RENAME_EXCHANGE) < 0) {
        if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) {
            mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot replace '%s'",
                               vol->target.path);
            goto fail;
        }
        /* A filesystem without RENAME_EXCHANGE: wipe in place, then put the
         * empty image over it. */
        if (!mv_storage_vol_file_wipe(vol->target.path, algorithm, ctl, error))
            goto fail;
        mv_storage_crash_point("vol-wipe-zeroed");
        if (rename(partial, vol->target.path) < 0) {
            mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot replace '%s'",
                               vol->target.path);
            goto fail;
        }
        return true;
    }
    mv_storage_crash_point("vol-wipe-zeroed");
    /* @partial holds the old image now: wipe it, then it goes. */
    if (!mv_storage_vol_file_wipe(partial, algorithm, ctl, error))
        goto fail;
    if (unlink(partial) < 0)
        return mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot remove '%s'",
                                  partial);
    return true;

fail:
    unlink(partial);
    return false;
}

bool
mv_storage_file_vol_wipe(const MvStoragePoolDef *pool, const MvStorageVolDef *vol,
                         unsigned int algorithm, const MvStorageJobCtl *ctl, GError **error)
{
    g_autoptr(MvStorageProbe) probe = mv_storage_probe_path(vol->target.path, false, error);
    g_autofree char *qemu_img = NULL;

    (void)pool;
    if (!probe)
        return false;
    if (probe->type == MV_STORAGE_PROBE_DIR)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_UNSUPPORTED,
                            "cannot wipe directory volume '%s'", vol->name);
    if (probe->encrypted)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_UNSUPPORTED,
                            "cannot wipe encrypted volume '%s': delete it and create it "
                            "again", vol->name);
    if (!g_str_equal(probe->format, "qcow2"))
        return mv_storage_vol_file_wipe(vol->target.path, algorithm, ctl, error);
    if (!(qemu_img = mv_qemu_img_find(error)))
        return false;
    return wipe_qcow2(qemu_img, vol, probe->capacity, algorithm, ctl, error);
}

bool
mv_storage_file_vol_resize(const MvStoragePoolDef *pool, MvStorageVolDef *vol,
                           guint64 capacity, unsigned int flags, const MvStorageJobCtl *ctl,
                           GError **error)
{
    g_autoptr(MvStorageProbe) probe = mv_storage_probe_path(vol->target.path, false, error);
    bool allocate = flags & MV_STORAGE_VOL_RESIZE_ALLOCATE;
    g_autofree char *qemu_img = NULL;
    g_auto(GStrv) argv = NULL;
    guint64 target;

    if (!probe || !mv_storage_vol_resize_compute(probe->capacity, capacity, flags, &target,
                                                 error))
        return false;
    if (probe->type != MV_STORAGE_PROBE_FILE)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_UNSUPPORTED,
                            "cannot resize volume '%s': not a file", vol->name);
    if (probe->encrypted)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_UNSUPPORTED,
                            "cannot resize encrypted volume '%s'", vol->name);
    if (g_str_equal(probe->format, "raw") || g_str_equal(probe->format, "iso")) {
        if (!mv_storage_vol_file_resize_raw(vol->target.path, target, allocate, ctl, error))
            return false;
    } else {
        if (!(qemu_img = mv_qemu_img_find(error)))
            return false;
        argv = mv_qemu_img_resize_argv(qemu_img, vol->target.path, probe->format, target,
                                       target < probe->capacity, allocate);
        if (!mv_qemu_img_run(argv, NULL, ctl, error))
            return false;
    }
    return mv_storage_file_vol_refresh(pool, vol, error);
}

bool
mv_storage_file_vol_refresh(const MvStoragePoolDef *pool, MvStorageVolDef *vol,
                            GError **error)
{
    g_autoptr(MvStorageProbe) probe = mv_storage_probe_path(vol->target.path, false, error);

    (void)pool;
    if (!probe)
        return false;
    mv_storage_vol_def_fill_probe(vol, vol->target.path, probe);
    return true;
}

/* ---- the dir pool ----------------------------------------------------------- */

static bool
dir_build(const MvStoragePoolDef *def, unsigned int flags, GError **error)
{
    if (flags & (MV_STORAGE_BUILD_OVERWRITE | MV_STORAGE_BUILD_NO_OVERWRITE)) {
        if ((flags & MV_STORAGE_BUILD_OVERWRITE) && (flags & MV_STORAGE_BUILD_NO_OVERWRITE))
            return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                                "the overwrite and no-overwrite build flags exclude each "
                                "other");
    }
    return mv_storage_backend_mkdir_target(def, error) &&
           mv_storage_backend_apply_cow(def, error);
}

static bool
dir_start(const MvStoragePoolDef *def, GError **error)
{
    struct stat st;

    if (stat(def->target.path, &st) < 0 || !S_ISDIR(st.st_mode))
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                            "cannot start pool '%s': its target directory '%s' does not "
                            "exist: build it first (pool-build, or start with --build)",
                            def->name, def->target.path);
    return true;
}

static bool
dir_is_started(const MvStoragePoolDef *def, bool *ret_started, GError **error)
{
    (void)def;
    (void)error;
    *ret_started = false;       /* nothing lives outside the daemon */
    return true;
}

static bool
dir_delete(const MvStoragePoolDef *def, unsigned int flags, GError **error)
{
    if (flags & ~(guint)MV_STORAGE_POOL_DELETE_ZEROED)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                            "unsupported flags (0x%x) in the pool delete", flags);
    if (rmdir(def->target.path) < 0 && errno != ENOENT) {
        if (errno == ENOTEMPTY || errno == EEXIST)
            return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                                "cannot delete pool '%s': its directory '%s' is not empty: "
                                "delete its volumes first", def->name, def->target.path);
        return mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot remove '%s'",
                                  def->target.path);
    }
    return true;
}

const MvStorageBackend mv_storage_backend_dir = {
    .type = MV_STORAGE_POOL_DIR,
    .build = dir_build,
    .start = dir_start,
    .is_started = dir_is_started,
    .delete = dir_delete,
    .refresh = mv_storage_file_pool_refresh,
    .vol_prepare = mv_storage_file_vol_prepare,
    .vol_create = mv_storage_file_vol_create,
    .vol_create_from = mv_storage_file_vol_create_from,
    .vol_delete = mv_storage_file_vol_delete,
    .vol_wipe = mv_storage_file_vol_wipe,
    .vol_resize = mv_storage_file_vol_resize,
    .vol_refresh = mv_storage_file_vol_refresh,
};
