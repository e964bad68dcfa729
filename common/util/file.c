/* Whole-file helpers. */
#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/fd.h"
#include "util/file-priv.h"

static gsize mv_file_fail_after = G_MAXSIZE;

void
mv_file_set_write_failure_(gsize after)
{
    mv_file_fail_after = after;
}

/* Writes all of @data to @fd; returns 0 or an errno value. */
static int
mv_file_write_full(int fd, const char *data, gsize len)
{
    gsize done = 0;

    while (done < len) {
        gsize chunk = len - done;
        ssize_t n;

        if (mv_file_fail_after != G_MAXSIZE) {
            if (done >= mv_file_fail_after)
                return EIO;
            chunk = MIN(chunk, mv_file_fail_after - done);
        }
        n = write(fd, data + done, chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno;
        done += (gsize)n;
    }
    return 0;
}

/* Opens a fresh temp file next to @path; returns the fd and its name. */
static int
mv_file_open_temp(const char *path, int mode, char **ret_name)
{
    for (int attempt = 0; attempt < 100; attempt++) {
        g_autofree char *name = g_strdup_printf("%s.tmp-%08x", path, g_random_int());
        int fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);

        if (fd >= 0) {
            *ret_name = g_steal_pointer(&name);
            return fd;
        }
        if (errno != EEXIST)
            return -1;
    }
    errno = EEXIST;
    return -1;
}

static int
mv_file_fsync_dir(const char *path)
{
    g_autofree char *dir = g_path_get_dirname(path);
    MV_AUTOCLOSE int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0 || fsync(fd) < 0)
        return errno;
    return 0;
}

bool
mv_file_write_atomic(const char *path, const void *data, gsize len, int mode, GError **error)
{
    return mv_file_write_replace(path, data, len, mode, true, error);
}

bool
mv_file_write_replace(const char *path, const void *data, gsize len, int mode, bool durable,
                      GError **error)
{
    g_autofree char *tmp = NULL;
    MV_AUTOCLOSE int fd = -1;
    int err;

    if ((fd = mv_file_open_temp(path, mode, &tmp)) < 0)
        return mv_error_set_errno(error, MV_FROM_NONE, errno,
                                  "Cannot create a temporary file to write '%s'", path);
    /* The mode passed to open() is filtered by the umask; the caller asked for @mode. */
    if (fchmod(fd, mode) < 0) {
        err = errno;
        goto cleanup;
    }
    if ((err = mv_file_write_full(fd, data, len)) != 0)
        goto cleanup;
    if ((durable && fsync(fd) < 0) || close(mv_steal_fd(&fd)) < 0) {
        err = errno;
        goto cleanup;
    }
    if (rename(tmp, path) < 0) {
        err = errno;
        goto cleanup;
    }
    /* The rename is durable only once the directory entry is on disk. */
    if (durable && (err = mv_file_fsync_dir(path)) != 0)
        return mv_error_set_errno(error, MV_FROM_NONE, err,
                                  "Cannot sync the directory of '%s'", path);
    return true;

 cleanup:
    unlink(tmp);
    return mv_error_set_errno(error, MV_FROM_NONE, err, "Cannot write '%s'", path);
}

bool
mv_file_read_all(const char *path, gsize max, char **ret_data, gsize *ret_len, GError **error)
{
    MV_AUTOCLOSE int fd = open(path, O_RDONLY | O_CLOEXEC);
    g_autoptr(GByteArray) buf = NULL;
    guint8 chunk[8192];

    if (fd < 0)
        return mv_error_set_errno(error, MV_FROM_NONE, errno, "Cannot open '%s'", path);
    buf = g_byte_array_new();
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return mv_error_set_errno(error, MV_FROM_NONE, errno, "Cannot read '%s'", path);
        if (n == 0)
            break;
        if (buf->len + (gsize)n > max)
            return mv_error_set(error, MV_FROM_NONE, MV_ERR_READ_FAILED,
                                "File '%s' is larger than the limit of %" G_GSIZE_FORMAT " bytes",
                                path, max);
        g_byte_array_append(buf, chunk, (guint)n);
    }
    if (ret_len)
        *ret_len = buf->len;
    g_byte_array_append(buf, (const guint8 *)"", 1);
    *ret_data = (char *)g_byte_array_free(g_steal_pointer(&buf), FALSE);
    return true;
}

bool
mv_file_mkdir_p(const char *path, int mode, GError **error)
{
    struct stat st;

    if (g_mkdir_with_parents(path, mode) < 0)
        return mv_error_set_errno(error, MV_FROM_NONE, errno, "Cannot create directory '%s'", path);
    if (stat(path, &st) < 0)
        return mv_error_set_errno(error, MV_FROM_NONE, errno, "Cannot create directory '%s'", path);
    if (!S_ISDIR(st.st_mode))
        return mv_error_set_errno(error, MV_FROM_NONE, ENOTDIR, "Cannot create directory '%s'",
                                  path);
    return true;
}

bool
mv_file_remove(const char *path, GError **error)
{
    if (unlink(path) < 0 && errno != ENOENT)
        return mv_error_set_errno(error, MV_FROM_NONE, errno, "Cannot remove '%s'", path);
    return true;
}
