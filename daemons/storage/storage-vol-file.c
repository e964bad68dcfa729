/* Volume file operations (see storage-vol-file.h). */
#include "storage-vol-file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/falloc.h>
#include <linux/fs.h>

#include "util/error.h"
#include "util/fd.h"
#include "util/spawn.h"

#define ALLOC_STEP (256u << 20)         /* fallocate step between progress reports */
#define COPY_STEP (64u << 20)           /* copy_file_range step */
#define BUF_SIZE (1u << 20)             /* read/write buffer */
#define DEFAULT_VOL_MODE 0600

bool
mv_storage_vol_file_cancelled(const MvStorageJobCtl *ctl, GError **error)
{
    if (!ctl || !ctl->cancellable || !g_cancellable_is_cancelled(ctl->cancellable))
        return false;
    mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_ABORTED,
                 "operation aborted: the volume job was cancelled");
    return true;
}

void
mv_storage_vol_file_progress(const MvStorageJobCtl *ctl, guint64 done, guint64 total)
{
    if (ctl && ctl->progress)
        ctl->progress(done, total, ctl->progress_data);
}

static bool
set_space_error(GError **error, int err, const char *what, guint64 len)
{
    if (err == ENOSPC || err == EDQUOT)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_FAILED,
                            "not enough space for %s: %" G_GUINT64_FORMAT
                            " bytes needed: %s", what, len, g_strerror(err));
    return mv_error_set_errno(error, MV_FROM_STORAGE, err, "cannot write %s", what);
}

/* ---- in-progress files ---------------------------------------------------- */

static bool
apply_owner(int fd, const char *path, const MvStorageFileOwner *owner, GError **error)
{
    int mode = owner && owner->mode >= 0 ? owner->mode : DEFAULT_VOL_MODE;

    if (fchmod(fd, (mode_t)mode) < 0)
        return mv_error_set_errno(error, MV_FROM_STORAGE, errno,
                                  "cannot set mode %04o on '%s'", mode, path);
    if (owner && (owner->uid >= 0 || owner->gid >= 0) &&
        fchown(fd, owner->uid >= 0 ? (uid_t)owner->uid : (uid_t)-1,
               owner->gid >= 0 ? (gid_t)owner->gid : (gid_t)-1) < 0)
        return mv_error_set_errno(error, MV_FROM_STORAGE, errno,
                                  "cannot set the owner of '%s'", path);
    return true;
}

int
mv_storage_vol_file_open_partial(const char *path, const MvStorageFileOwner *owner,
                                 char **ret_partial, GError **error)
{
    g_autofree char *partial = mv_storage_backend_partial_path(path);
    MV_AUTOCLOSE int fd = -1;
    struct stat st;

    if (lstat(path, &st) == 0) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_FAILED,
                     "operation failed: volume file '%s' already exists", path);
        return -1;
    }
    /* A stale in-progress file is what a killed create left: never data. */
    if (unlink(partial) < 0 && errno != ENOENT) {
        mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot remove '%s'", partial);
        return -1;
    }
    fd = open(partial, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, DEFAULT_VOL_MODE);
    if (fd < 0) {
        mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot create '%s'", partial);
        return -1;
    }
    if (!apply_owner(fd, partial, owner, error)) {
        unlink(partial);
        return -1;
    }
    *ret_partial = g_steal_pointer(&partial);
    return mv_steal_fd(&fd);
}

void
mv_storage_vol_file_abandon(const char *partial)
{
    if (partial)
        unlink(partial);
}

static void
sync_dir_of(const char *path)
{
    g_autofree char *dir = g_path_get_dirname(path);
    MV_AUTOCLOSE int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd >= 0)
        fsync(fd);
}

bool
mv_storage_vol_file_commit(int fd, const char *partial, const char *path, GError **error)
{
    if (fd >= 0 && fdatasync(fd) < 0 && errno != EINVAL) {
        int err = errno;

        mv_storage_vol_file_abandon(partial);
        return set_space_error(error, err, path, 0);
    }
    /* RENAME_NOREPLACE: a volume that appeared meanwhile is never replaced. */
    if (renameat2(AT_FDCWD, partial, AT_FDCWD, path, RENAME_NOREPLACE) < 0) {
        int err = errno;

        mv_storage_vol_file_abandon(partial);
        if (err == EEXIST)
            return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_FAILED,
                                "operation failed: volume file '%s' already exists", path);
        return mv_error_set_errno(error, MV_FROM_STORAGE, err, "cannot rename '%s' to '%s'",
                                  partial, path);
    }
    sync_dir_of(path);
    return true;
}

/* ---- allocation ------------------------------------------------------------ */

static bool
write_zeros(int fd, const char *what, guint64 offset, guint64 len, guint64 *done,
            guint64 total, const MvStorageJobCtl *ctl, GError **error)
{
    g_autofree guint8 *zeros = g_malloc0(BUF_SIZE);

    while (len > 0) {
        size_t n = len < BUF_SIZE ? (size_t)len : BUF_SIZE;
        ssize_t w = pwrite(fd, zeros, n, (off_t)offset);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return set_space_error(error, w < 0 ? errno : ENOSPC, what, len);
        offset += (guint64)w;
        len -= (guint64)w;
        *done += (guint64)w;
        if (*done % (64u << 20) == 0) {
            if (mv_storage_vol_file_cancelled(ctl, error))
                return false;
            mv_storage_vol_file_progress(ctl, *done, total);
        }
    }
    return true;
}

bool
mv_storage_vol_file_allocate(int fd, const char *what, guint64 offset, guint64 len,
                             const MvStorageJobCtl *ctl, GError **error)
{
    guint64 done = 0;

    while (done < len) {
        guint64 step = MIN(len - done, (guint64)ALLOC_STEP);

        if (mv_storage_vol_file_cancelled(ctl, error))
            return false;
        if (fallocate(fd, 0, (off_t)(offset + done), (off_t)step) < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EOPNOTSUPP && errno != ENOSYS)
                return set_space_error(error, errno, what, len - done);
            /* No fallocate on this filesystem: write the zeros. */
            return write_zeros(fd, what, offset + done, len - done, &done, len, ctl, error);
        }
        done += step;
        mv_storage_vol_file_progress(ctl, done, len);
    }
    return true;
}

bool
mv_storage_vol_file_create_raw(const char *path, guint64 capacity, guint64 allocation,
                               const MvStorageFileOwner *owner, const MvStorageJobCtl *ctl,
                               GError **error)
{
    g_autofree char *partial = NULL;
    MV_AUTOCLOSE int fd = -1;

    if (capacity > G_MAXINT64)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                            "capacity %" G_GUINT64_FORMAT " is too large", capacity);
    if ((fd = mv_storage_vol_file_open_partial(path, owner, &partial, error)) < 0)
        return false;
    if (allocation > 0 &&
        !mv_storage_vol_file_allocate(fd, path, 0, MIN(allocation, capacity), ctl, error))
        goto fail;
    if (ftruncate(fd, (off_t)capacity) < 0) {
        set_space_error(error, errno, path, capacity);
        goto fail;
    }
    if (mv_storage_vol_file_cancelled(ctl, error))
        goto fail;
    return mv_storage_vol_file_commit(fd, partial, path, error);

fail:
    mv_storage_vol_file_abandon(partial);
    return false;
}

/* ---- copies that keep holes --------------------------------------------- */

static bool
pwrite_all(int fd, const guint8 *buf, size_t len, guint64 offset)
{
    while (len > 0) {
        ssize_t w = pwrite(fd, buf, len, (off_t)offset);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = ENOSPC;
            return false;
        }
        buf += w;
        len -= (size_t)w;
        offset += (guint64)w;
    }
    return true;
}

static bool
copy_range_rw(int src, int dst, guint64 offset, guint64 len, GError **error)
{
    g_autofree guint8 *buf = g_malloc(BUF_SIZE);

    while (len > 0) {
        size_t want = len < BUF_SIZE ? (size_t)len : BUF_SIZE;
        ssize_t r = pread(src, buf, want, (off_t)offset);

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot read the source");
        if (r == 0)
            return true;        /* the source shrank meanwhile */
        if (!pwrite_all(dst, buf, (size_t)r, offset))
            return set_space_error(error, errno, "the copy", len);
        offset += (guint64)r;
        len -= (guint64)r;
    }
    return true;
}

/* Copies [offset, offset + len) of src to the same place in dst. */
static bool
copy_range(int src, int dst, guint64 offset, guint64 len, bool *use_cfr, GError **error)
{
    while (len > 0 && *use_cfr) {
        loff_t in = (loff_t)offset, out = (loff_t)offset;
        ssize_t n = copy_file_range(src, &in, dst, &out, (size_t)len, 0);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL ||
                      errno == EOPNOTSUPP || errno == EBADF)) {
            *use_cfr = false;
            break;
        }
        if (n < 0)
            return set_space_error(error, errno, "the copy", len);
        if (n == 0)
            return true;
        offset += (guint64)n;
        len -= (guint64)n;
    }
    return len == 0 || copy_range_rw(src, dst, offset, len, error);
}

bool
mv_storage_vol_file_copy_data(int src_fd, int dst_fd, guint64 len,
                              const MvStorageJobCtl *ctl, guint64 *ret_copied,
                              GError **error)
{
    guint64 off = 0, copied = 0;
    bool use_cfr = true, seek_ok = true;

    while (off < len) {
        guint64 data = off, hole = len;

        if (mv_storage_vol_file_cancelled(ctl, error))
            return false;
        if (seek_ok) {
            off_t d = lseek(src_fd, (off_t)off, SEEK_DATA);

            if (d < 0 && errno == ENXIO)
                break;                  /* only a hole up to the end */
            if (d < 0) {
                seek_ok = false;        /* no SEEK_DATA here: all of it is data */
            } else {
                off_t h = lseek(src_fd, d, SEEK_HOLE);

                data = (guint64)d;
                hole = h < 0 ? len : MIN((guint64)h, len);
            }
        }
        if (data >= len)
            break;
        /* Copy the data segment in steps so progress and cancel are seen. */
        for (guint64 pos = data; pos < hole;) {
            guint64 step = MIN(hole - pos, (guint64)COPY_STEP);

            if (mv_storage_vol_file_cancelled(ctl, error))
                return false;
            if (!copy_range(src_fd, dst_fd, pos, step, &use_cfr, error))
                return false;
            pos += step;
            copied += step;
            mv_storage_vol_file_progress(ctl, pos, len);
        }
        off = hole;
    }
    mv_storage_vol_file_progress(ctl, len, len);
    if (ret_copied)
        *ret_copied = copied;
    return true;
}

static bool
source_size(int fd, const char *src, guint64 *ret, GError **error)
{
    struct stat st;

    if (fstat(fd, &st) < 0)
        return mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot stat '%s'", src);
    if (S_ISBLK(st.st_mode)) {
        guint64 size = 0;

        if (ioctl(fd, BLKGETSIZE64, &size) < 0)
            return mv_error_set_errno(error, MV_FROM_STORAGE, errno,
                                      "cannot get the size of '%s'", src);
        *ret = size;
        return true;
    }
    if (!S_ISREG(st.st_mode))
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                            "'%s' is neither a file nor a block device", src);
    *ret = (guint64)st.st_size;
    return true;
}

bool
mv_storage_vol_file_clone_raw(const char *src, const char *path, guint64 capacity,
                              bool reflink, const MvStorageFileOwner *owner,
                              const MvStorageJobCtl *ctl, GError **error)
{
    g_autofree char *partial = NULL;
    MV_AUTOCLOSE int src_fd = open(src, O_RDONLY | O_CLOEXEC);
    MV_AUTOCLOSE int fd = -1;
    guint64 size = 0;

    if (src_fd < 0)
        return mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot open '%s'", src);
    if (!source_size(src_fd, src, &size, error))
        return false;
    if ((fd = mv_storage_vol_file_open_partial(path, owner, &partial, error)) < 0)
        return false;
    if (reflink) {
        if (ioctl(fd, FICLONE, src_fd) < 0) {
            mv_error_set_errno(error, MV_FROM_STORAGE, errno,
                               "cannot share the blocks of '%s' (reflink)", src);
            goto fail;
        }
    } else if (!mv_storage_vol_file_copy_data(src_fd, fd, size, ctl, NULL, error)) {
        g_prefix_error(error, "cannot copy '%s' to '%s': ", src, path);
        goto fail;
    }
    if (ftruncate(fd, (off_t)MAX(capacity, size)) < 0) {
        set_space_error(error, errno, path, MAX(capacity, size));
        goto fail;
    }
    return mv_storage_vol_file_commit(fd, partial, path, error);

fail:
    mv_storage_vol_file_abandon(partial);
    return false;
}
