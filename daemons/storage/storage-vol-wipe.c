/* Wiping and resizing raw volume files and block devices (storage-vol-file.h). */
#include "storage-vol-file.h"

#include <errno.h>
#include <fcntl.h>
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

#define WIPE_BUF (1u << 20)
#define WIPE_STEP (64u << 20)

typedef struct {
    int fd;
    const char *path;
    bool block;
    guint64 size;
} WipeTarget;

static bool
wipe_open(const char *path, WipeTarget *t, GError **error)
{
    struct stat st;

    t->path = path;
    t->fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (t->fd < 0)
        return mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot open '%s'", path);
    if (fstat(t->fd, &st) < 0)
        return mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot stat '%s'", path);
    t->block = S_ISBLK(st.st_mode);
    if (t->block) {
        if (ioctl(t->fd, BLKGETSIZE64, &t->size) < 0)
            return mv_error_set_errno(error, MV_FROM_STORAGE, errno,
                                      "cannot get the size of '%s'", path);
    } else if (S_ISREG(st.st_mode)) {
        t->size = (guint64)st.st_size;
    } else {
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_UNSUPPORTED,
                            "cannot wipe '%s': not a file or block device", path);
    }
    return true;
}

/* Writes @len bytes of @pattern (refilled by @refill when non-NULL) at @off. */
static bool
wipe_write(WipeTarget *t, guint64 off, guint64 len, guint8 *buf, bool random,
           guint64 *done, const MvStorageJobCtl *ctl, GError **error)
{
    while (len > 0) {
        size_t n = len < WIPE_BUF ? (size_t)len : WIPE_BUF;
        ssize_t w;

        if (random && getrandom(buf, n, 0) < 0)
            return mv_error_set_errno(error, MV_FROM_STORAGE, errno, "getrandom failed");
        w = pwrite(t->fd, buf, n, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return mv_error_set_errno(error, MV_FROM_STORAGE, w < 0 ? errno : ENOSPC,
                                      "cannot write to '%s'", t->path);
        off += (guint64)w;
        len -= (guint64)w;
        *done += (guint64)w;
        if (*done % WIPE_STEP == 0) {
            if (mv_storage_vol_file_cancelled(ctl, error))
                return false;
            mv_storage_vol_file_progress(ctl, *done, t->size);
        }
    }
    return true;
}

/* Zeroes one data range: FALLOC_FL_ZERO_RANGE keeps the blocks allocated and
 * costs no writes; zeros are written where the filesystem lacks it. */
static bool
wipe_zero_range(WipeTarget *t, guint64 off, guint64 len, guint8 *zeros, guint64 *done,
                const MvStorageJobCtl *ctl, GError **error)
{
    if (t->block) {
        guint64 range[2] = { off, len };

        if (ioctl(t->fd, BLKZEROOUT, range) == 0) {
            *done += len;
            return true;
        }
    } else {
        for (guint64 pos = off; pos < off + len;) {
            guint64 step = MIN(off + len - pos, (guint64)WIPE_STEP);

            if (fallocate(t->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, (off_t)pos,
                          (off_t)step) < 0)
                return wipe_write(t, pos, off + len - pos, zeros, false, done, ctl, error);
            pos += step;
            *done += step;
            if (mv_storage_vol_file_cancelled(ctl, error))
                return false;
            mv_storage_vol_file_progress(ctl, *done, t->size);
        }
        return true;
    }
    return wipe_write(t, off, len, zeros, false, done, ctl, error);
}

static bool
wipe_zero(WipeTarget *t, const MvStorageJobCtl *ctl, GError **error)
{
    g_autofree guint8 *zeros = g_malloc0(WIPE_BUF);
    guint64 off = 0, done = 0;

    if (t->block)
        return wipe_zero_range(t, 0, t->size, zeros, &done, ctl, error);
    /* Holes already read as zeros: only the data segments are zeroed. */
    while (off < t->size) {
        off_t d = lseek(t->fd, (off_t)off, SEEK_DATA), h;

        if (d < 0 && errno == ENXIO)
            break;
        if (d < 0)
            return wipe_zero_range(t, off, t->size - off, zeros, &done, ctl, error);
        h = lseek(t->fd, d, SEEK_HOLE);
        if (h < 0 || (guint64)h > t->size)
            h = (off_t)t->size;
        if (!wipe_zero_range(t, (guint64)d, (guint64)(h - d), zeros, &done, ctl, error))
            return false;
        off = (guint64)h;
    }
    return true;
}

static bool
wipe_trim(WipeTarget *t, GError **error)
{
    if (t->block) {
        guint64 range[2] = { 0, t->size };

        if (ioctl(t->fd, BLKDISCARD, range) < 0)
            return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_UNSUPPORTED,
                                "wipe algorithm 'trim' is not supported by '%s': %s",
                                t->path, g_strerror(errno));
        return true;
    }
    if (fallocate(t->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, (off_t)t->size) < 0)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_UNSUPPORTED,
                            "wipe algorithm 'trim' is not supported by the filesystem of "
                            "'%s': %s", t->path, g_strerror(errno));
    return true;
}

/* The multi-pass patterns are scrub(1)'s: run it when it is installed. */
static bool
wipe_scrub(WipeTarget *t, unsigned int algorithm, GError **error)
{
    const char *name = mv_storage_backend_wipe_algorithm_to_string(algorithm);
    g_autofree char *scrub = g_find_program_in_path("scrub");
    const char *argv[] = { NULL, "-f", "-p", name, t->path, NULL };

    if (!scrub)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_UNSUPPORTED,
                            "wipe algorithm '%s' needs the 'scrub' program, which is not "
                            "installed: install it or use the 'zero', 'random' or 'trim' "
                            "algorithm", name);
    argv[0] = scrub;
    return mv_spawn_sync(argv, NULL, -1, NULL, NULL, NULL, error);
}

bool
mv_storage_vol_file_wipe(const char *path, unsigned int algorithm,
                         const MvStorageJobCtl *ctl, GError **error)
{
    WipeTarget t = { .fd = -1 };
    bool ok = false;

    if (algorithm >= MV_STORAGE_WIPE_LAST)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                            "unknown wipe algorithm %u", algorithm);
    if (!wipe_open(path, &t, error))
        goto out;
    switch (algorithm) {
    case MV_STORAGE_WIPE_ZERO:
        ok = wipe_zero(&t, ctl, error);
        break;
    case MV_STORAGE_WIPE_RANDOM: {
        g_autofree guint8 *buf = g_malloc(WIPE_BUF);
        guint64 done = 0;

        ok = wipe_write(&t, 0, t.size, buf, true, &done, ctl, error);
        break;
    }
    case MV_STORAGE_WIPE_TRIM:
        ok = wipe_trim(&t, error);
        break;
    default:
        ok = wipe_scrub(&t, algorithm, error);
        break;
    }
    if (ok && fdatasync(t.fd) < 0 && errno != EINVAL)
        ok = mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot sync '%s'", path);
    if (ok)
        mv_storage_vol_file_progress(ctl, t.size, t.size);
out:
    mv_close_fdp(&t.fd);
    return ok;
}

/* ---- resize ---------------------------------------------------------------- */

bool
mv_storage_vol_resize_compute(guint64 capacity, guint64 arg, unsigned int flags,
                              guint64 *ret_capacity, GError **error)
{
    bool delta = flags & MV_STORAGE_VOL_RESIZE_DELTA;
    bool shrink = flags & MV_STORAGE_VOL_RESIZE_SHRINK;
    guint64 target;

    if (flags & ~(guint)(MV_STORAGE_VOL_RESIZE_ALLOCATE | MV_STORAGE_VOL_RESIZE_DELTA |
                         MV_STORAGE_VOL_RESIZE_SHRINK))
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                            "unsupported flags (0x%x) in the volume resize", flags);
    if (delta && shrink) {
        if (arg > capacity)
            return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                                "cannot shrink the volume by %" G_GUINT64_FORMAT
                                " bytes: it has only %" G_GUINT64_FORMAT, arg, capacity);
        target = capacity - arg;
    } else if (delta) {
        if (arg > G_MAXINT64 - capacity)
            return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                                "the new capacity is too large");
        target = capacity + arg;
    } else {
        target = arg;
    }
    if (target < capacity && !shrink)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                            "cannot shrink the volume from %" G_GUINT64_FORMAT " to %"
                            G_GUINT64_FORMAT " bytes without the shrink flag",
                            capacity, target);
    if (target > capacity && shrink)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                            "the shrink flag was given but the new capacity %"
                            G_GUINT64_FORMAT " is larger than %" G_GUINT64_FORMAT,
                            target, capacity);
    if (shrink && (flags & MV_STORAGE_VOL_RESIZE_ALLOCATE))
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                            "cannot allocate space while shrinking a volume");
    if (target > G_MAXINT64)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                            "the new capacity is too large");
    *ret_capacity = target;
    return true;
}

bool
mv_storage_vol_file_resize_raw(const char *path, guint64 capacity, bool allocate,
                               const MvStorageJobCtl *ctl, GError **error)
{
    MV_AUTOCLOSE int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;

    if (fd < 0)
        return mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot open '%s'", path);
    if (fstat(fd, &st) < 0)
        return mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot stat '%s'", path);
    if (!S_ISREG(st.st_mode))
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_UNSUPPORTED,
                            "cannot resize '%s': not a regular file", path);
    if (allocate && capacity > (guint64)st.st_size &&
        !mv_storage_vol_file_allocate(fd, path, (guint64)st.st_size,
                                      capacity - (guint64)st.st_size, ctl, error)) {
        /* Give back what was allocated past the old end. */
        if (ftruncate(fd, st.st_size) < 0)
            g_debug("cannot restore the size of '%s': %s", path, g_strerror(errno));
        return false;
    }
    if (ftruncate(fd, (off_t)capacity) < 0)
        return mv_error_set_errno(error, MV_FROM_STORAGE, errno,
                                  "cannot resize '%s' to %" G_GUINT64_FORMAT " bytes",
                                  path, capacity);
    return true;
}
