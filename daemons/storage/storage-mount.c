/* fs pool mounts (see storage-mount.h). */
#include "storage-mount.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "util/error.h"
#include "util/fd.h"

#define MOUNTINFO_MAX (16u << 20)

void
mv_storage_mount_free(MvStorageMount *mount)
{
    if (!mount)
        return;
    g_free(mount->root);
    g_free(mount->target);
    g_free(mount->fstype);
    g_free(mount->source);
    g_free(mount);
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static char *
unescape(const char *s)
{
    GString *out = g_string_new(NULL);

    for (; *s; s++) {
        if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
            s[3] >= '0' && s[3] <= '7') {
            g_string_append_c(out, (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) |
                                          (s[3] - '0')));
            s += 3;
        } else {
            g_string_append_c(out, *s);
        }
    }
    return g_string_free(out, FALSE);
}

/* "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue" */
static MvStorageMount *
parse_line(const char *line, GError **error)
{
    g_auto(GStrv) fields = g_strsplit(line, " ", -1);
    g_autoptr(MvStorageMount) m = g_new0(MvStorageMount, 1);
    guint n = g_strv_length(fields), sep;

    for (sep = 6; sep < n && !g_str_equal(fields[sep], "-"); sep++)
        ;
    if (n < 6 || sep + 2 >= n ||
        sscanf(fields[2], "%u:%u", &m->major, &m->minor) != 2) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR, "malformed line");
        return NULL;
    }
    m->root = unescape(fields[3]);
    m->target = unescape(fields[4]);
    m->fstype = unescape(fields[sep + 1]);
    m->source = unescape(fields[sep + 2]);
    return g_steal_pointer(&m);
}

GPtrArray *
mv_storage_mount_parse(const char *text, GError **error)
{
    g_autoptr(GPtrArray) mounts =
        g_ptr_array_new_with_free_func((GDestroyNotify)mv_storage_mount_free);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

    for (guint i = 0; lines[i]; i++) {
        MvStorageMount *m;

        if (!*lines[i])
            continue;
        if (!(m = parse_line(lines[i], error))) {
            g_prefix_error(error, "mountinfo line %u: ", i + 1);
            return NULL;
        }
        g_ptr_array_add(mounts, m);
    }
    return g_steal_pointer(&mounts);
}

bool
mv_storage_mount_find(const char *target, MvStorageMount **ret_mount, GError **error)
{
    g_autofree char *real = realpath(target, NULL);
    g_autofree char *text = NULL;
    g_autoptr(GPtrArray) mounts = NULL;
    MvStorageMount *found = NULL;

    if (!real) {
        if (errno != ENOENT)
            return mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot resolve '%s'",
                                      target);
        *ret_mount = NULL;
        return true;
    }
    if (!g_file_get_contents("/proc/self/mountinfo", &text, NULL, NULL))
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_SYSTEM_ERROR,
                            "cannot read /proc/self/mountinfo");
    if (!(mounts = mv_storage_mount_parse(text, error)))
        return false;
    /* Later lines are mounted on top of earlier ones: the last one wins. */
    for (guint i = 0; i < mounts->len; i++) {
        MvStorageMount *m = g_ptr_array_index(mounts, i);

        if (g_str_equal(m->target, real))
            found = m;
    }
    if (found) {
        for (guint i = 0; i < mounts->len; i++) {
            if (g_ptr_array_index(mounts, i) == found) {
                *ret_mount = g_ptr_array_steal_index(mounts, i);
                return true;
            }
        }
    }
    *ret_mount = NULL;
    return true;
}

bool
mv_storage_mount_fs(const char *device, const char *target, const char *fstype,
                    GError **error)
{
    if (mount(device, target, fstype, MS_NOSUID | MS_NODEV, NULL) < 0)
        return mv_error_set_errno(error, MV_FROM_STORAGE, errno,
                                  "cannot mount '%s' (%s) on '%s'", device, fstype, target);
    return true;
}

bool
mv_storage_mount_unmount(const char *target, GError **error)
{
    if (umount2(target, UMOUNT_NOFOLLOW) == 0)
        return true;
    if (errno == EBUSY)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_RESOURCE_BUSY,
                            "cannot unmount '%s': it is in use (a guest or another "
                            "process has files open there)", target);
    return mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot unmount '%s'", target);
}

const char *
mv_storage_mount_probe_fs(const char *path, GError **error)
{
    static const struct {
        off_t offset;
        const char *magic;
        size_t len;
        const char *fstype;
    } magics[] = {
        { 1080, "\x53\xef", 2, "ext4" },            /* s_magic 0xEF53, little endian */
        { 0, "XFSB", 4, "xfs" },
        { 0x10040, "_BHRfS_M", 8, "btrfs" },
    };
    MV_AUTOCLOSE int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot open '%s'", path);
        return NULL;
    }
    for (gsize i = 0; i < G_N_ELEMENTS(magics); i++) {
        char buf[8];

        if (pread(fd, buf, magics[i].len, magics[i].offset) == (ssize_t)magics[i].len &&
            memcmp(buf, magics[i].magic, magics[i].len) == 0)
            return magics[i].fstype;
    }
    return NULL;
}

bool
mv_storage_mount_fs_supported(const char *fstype)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents("/proc/filesystems", &text, NULL, NULL))
        return false;
    lines = g_strsplit(text, "\n", -1);
    for (guint i = 0; lines[i]; i++) {
        const char *name = strrchr(lines[i], '\t');

        if (g_strcmp0(name ? name + 1 : lines[i], fstype) == 0)
            return true;
    }
    return false;
}

char **
mv_storage_mount_mkfs_argv(const char *fstype, const char *device, bool force,
                           GError **error)
{
    GPtrArray *argv;
    bool ext = g_str_equal(fstype, "ext2") || g_str_equal(fstype, "ext3") ||
               g_str_equal(fstype, "ext4");

    if (!ext && !g_str_equal(fstype, "xfs") && !g_str_equal(fstype, "btrfs")) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_UNSUPPORTED,
                     "cannot build a '%s' filesystem: modvirt formats ext2, ext3, ext4, "
                     "xfs and btrfs", fstype);
        return NULL;
    }
    argv = g_ptr_array_new();
    g_ptr_array_add(argv, g_strconcat("mkfs.", fstype, NULL));
    g_ptr_array_add(argv, g_strdup("-q"));
    if (force)
        g_ptr_array_add(argv, g_strdup(ext ? "-F" : "-f"));
    g_ptr_array_add(argv, g_strdup(device));
    g_ptr_array_add(argv, NULL);
    return (char **)g_ptr_array_free(argv, FALSE);
}
