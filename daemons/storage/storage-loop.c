/* Loop devices (see storage-loop.h). */
#include "storage-loop.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/loop.h>

#include "util/error.h"
#include "util/fd.h"

#define LOOP_MAJOR_NR 7
#define ATTACH_TRIES 32

/* The device node may be missing (a container's /dev only has loop0..7):
 * create it, we are the device owner here. */
static int
open_loop_node(int index, int flags, char **ret_path)
{
    g_autofree char *path = g_strdup_printf("/dev/loop%d", index);
    int fd = open(path, flags | O_CLOEXEC);

    if (fd < 0 && errno == ENOENT) {
        if (mknod(path, S_IFBLK | 0660, makedev(LOOP_MAJOR_NR, index)) < 0 && errno != EEXIST)
            return -1;
        fd = open(path, flags | O_CLOEXEC);
    }
    if (fd >= 0)
        *ret_path = g_steal_pointer(&path);
    return fd;
}

static int
configure(int loop_fd, int file_fd, const char *file, bool read_only)
{
    struct loop_config config;

    memset(&config, 0, sizeof(config));
    config.fd = (guint32)file_fd;
    config.info.lo_flags = LO_FLAGS_AUTOCLEAR | (read_only ? LO_FLAGS_READ_ONLY : 0);
    g_strlcpy((char *)config.info.lo_file_name, file, sizeof(config.info.lo_file_name));
    if (ioctl(loop_fd, LOOP_CONFIGURE, &config) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOTTY)
        return -1;
    /* Before Linux 5.8: two steps. */
    if (ioctl(loop_fd, LOOP_SET_FD, file_fd) < 0)
        return -1;
    if (ioctl(loop_fd, LOOP_SET_STATUS64, &config.info) < 0) {
        int err = errno;

        ioctl(loop_fd, LOOP_CLR_FD, 0);
        errno = err;
        return -1;
    }
    return 0;
}

int
mv_storage_loop_attach(const char *file, bool read_only, char **ret_device, GError **error)
{
    MV_AUTOCLOSE int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
    MV_AUTOCLOSE int file_fd = open(file, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);

    if (ctl < 0) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT,
                     "cannot attach '%s' to a loop device: /dev/loop-control: %s "
                     "(the kernel needs the loop driver)", file, g_strerror(errno));
        return -1;
    }
    if (file_fd < 0) {
        mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot open '%s'", file);
        return -1;
    }
    for (int tries = 0; tries < ATTACH_TRIES; tries++) {
        g_autofree char *device = NULL;
        MV_AUTOCLOSE int loop_fd = -1;
        int index = ioctl(ctl, LOOP_CTL_GET_FREE);

        if (index < 0) {
            mv_error_set_errno(error, MV_FROM_STORAGE, errno, "no free loop device");
            return -1;
        }
        loop_fd = open_loop_node(index, read_only ? O_RDONLY : O_RDWR, &device);
        if (loop_fd < 0) {
            mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot open /dev/loop%d",
                               index);
            return -1;
        }
        if (configure(loop_fd, file_fd, file, read_only) == 0) {
            g_debug("attached '%s' to %s", file, device);
            *ret_device = g_steal_pointer(&device);
            return mv_steal_fd(&loop_fd);
        }
        if (errno != EBUSY) {
            mv_error_set_errno(error, MV_FROM_STORAGE, errno,
                               "cannot attach '%s' to %s", file, device);
            return -1;
        }
        /* Somebody else took that device between GET_FREE and CONFIGURE. */
    }
    mv_error_set(error, MV_FROM_STORAGE, MV_ERR_RESOURCE_BUSY,
                 "cannot attach '%s': every free loop device was taken meanwhile", file);
    return -1;
}

char *
mv_storage_loop_backing_file(const char *device)
{
    const char *base = strrchr(device, '/');
    g_autofree char *sys = NULL;
    char *text = NULL;

    base = base ? base + 1 : device;
    if (!g_str_has_prefix(base, "loop"))
        return NULL;
    sys = g_strdup_printf("/sys/block/%s/loop/backing_file", base);
    if (!g_file_get_contents(sys, &text, NULL, NULL))
        return NULL;
    g_strchomp(text);
    /* A file deleted while attached reads "PATH (deleted)". */
    return text;
}

bool
mv_storage_loop_find(const char *file, GPtrArray **ret_devices, GError **error)
{
    g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *real = realpath(file, NULL);
    g_autoptr(GDir) dir = NULL;
    const char *name;

    if (!real)
        return mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot resolve '%s'", file);
    if (!(dir = g_dir_open("/sys/block", 0, NULL))) {
        *ret_devices = g_steal_pointer(&devices);
        return true;
    }
    while ((name = g_dir_read_name(dir)) != NULL) {
        g_autofree char *device = NULL, *backing = NULL;

        if (!g_str_has_prefix(name, "loop"))
            continue;
        device = g_strdup_printf("/dev/%s", name);
        backing = mv_storage_loop_backing_file(device);
        if (backing && g_str_equal(backing, real))
            g_ptr_array_add(devices, g_steal_pointer(&device));
    }
    *ret_devices = g_steal_pointer(&devices);
    return true;
}

bool
mv_storage_loop_detach(const char *device, GError **error)
{
    MV_AUTOCLOSE int fd = open(device, O_RDONLY | O_CLOEXEC);

    if (fd < 0 && errno == ENOENT)
        return true;
    if (fd < 0)
        return mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot open '%s'", device);
    if (ioctl(fd, LOOP_CLR_FD, 0) < 0 && errno != ENXIO) {
        if (errno == EBUSY)
            return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_RESOURCE_BUSY,
                                "loop device '%s' is still in use", device);
        return mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot detach '%s'",
                                  device);
    }
    return true;
}
