/* Fast header probe of volume files (see storage-probe.h). */
#include "storage-probe.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/fs.h>

#include "util/error.h"
#include "util/fd.h"

#define PROBE_FIRST_READ 4096
#define PROBE_MAX_READ (2u << 20)       /* a qcow2 header never needs more */
#define QCOW2_MAGIC 0x514649fbu
#define QCOW2_EXT_END 0x00000000u
#define QCOW2_EXT_BACKING_FORMAT 0xe2792acau
#define QCOW2_BACKING_MAX 1023
#define LUKS_MAGIC "LUKS\xba\xbe"
#define LUKS_SECTOR 512
#define ISO_MAGIC_OFFSET 32769
#define ISO_MAGIC "CD001"

static guint32
be32(const guint8 *p)
{
    return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) | ((guint32)p[2] << 8) | p[3];
}

static guint64
be64(const guint8 *p)
{
    return ((guint64)be32(p) << 32) | be32(p + 4);
}

static bool
probe_bad(GError **error, const char *what)
{
    return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                        "invalid qcow2 header: %s", what);
}

/* The header extensions: only the backing format name is kept. */
static bool
probe_qcow2_extensions(const guint8 *buf, gsize len, gsize start, gsize end,
                       MvStorageProbe *probe, gsize *ret_need, GError **error)
{
    gsize off = start;

    while (off + 8 <= end) {
        guint32 type, size;

        if (off + 8 > len) {
            *ret_need = off + 8;
            return true;
        }
        type = be32(buf + off);
        size = be32(buf + off + 4);
        if (type == QCOW2_EXT_END)
            return true;
        if (size > end - off - 8)
            return probe_bad(error, "a header extension runs past the first cluster");
        if (off + 8 + size > len) {
            *ret_need = off + 8 + size;
            return true;
        }
        if (type == QCOW2_EXT_BACKING_FORMAT) {
            g_free(probe->backing_format);
            probe->backing_format = g_strndup((const char *)buf + off + 8, size);
        }
        off += 8 + ((size + 7) & ~7u);
    }
    return true;
}

static bool
probe_qcow2(const guint8 *buf, gsize len, MvStorageProbe *probe, gsize *ret_need,
            GError **error)
{
    guint32 version, cluster_bits, backing_size, header_length = 72;
    guint64 backing_offset, cluster_size;

    if (len < 72) {
        *ret_need = 104;
        return true;
    }
    version = be32(buf + 4);
    if (version != 2 && version != 3)
        return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                            "unsupported qcow2 version %u", version);
    if (version == 3) {
        if (len < 104) {
            *ret_need = 104;
            return true;
        }
        header_length = be32(buf + 100);
        if (header_length < 104 || header_length % 8 != 0)
            return probe_bad(error, "header_length");
    }
    cluster_bits = be32(buf + 20);
    if (cluster_bits < 9 || cluster_bits > 21)
        return probe_bad(error, "cluster_bits");
    cluster_size = (guint64)1 << cluster_bits;
    if (header_length > cluster_size)
        return probe_bad(error, "header_length exceeds the cluster size");
    probe->format = "qcow2";
    probe->qcow2_version = version;
    probe->cluster_size = cluster_size;
    probe->capacity = be64(buf + 24);
    probe->encrypted = be32(buf + 32) != 0;

    backing_offset = be64(buf + 8);
    backing_size = be32(buf + 16);
    if (backing_offset != 0) {
        if (backing_size == 0 || backing_size > QCOW2_BACKING_MAX)
            return probe_bad(error, "backing_file_size");
        if (backing_offset > cluster_size || backing_size > cluster_size - backing_offset)
            return probe_bad(error, "the backing file name is outside the first cluster");
        if (backing_offset + backing_size > len) {
            *ret_need = backing_offset + backing_size;
            return true;
        }
        if (memchr(buf + backing_offset, '\0', backing_size))
            return probe_bad(error, "the backing file name holds a NUL byte");
        g_free(probe->backing_path);
        probe->backing_path = g_strndup((const char *)buf + backing_offset, backing_size);
    }
    /* Extensions run from the end of the header to the backing file name (or
     * the end of the first cluster). */
    return probe_qcow2_extensions(buf, len, header_length,
                                  backing_offset ? backing_offset : cluster_size, probe,
                                  ret_need, error);
}

static bool
probe_luks(const guint8 *buf, gsize len, guint64 file_size, MvStorageProbe *probe,
           gsize *ret_need)
{
    guint16 version;

    if (len < 108) {
        *ret_need = 108;
        return true;
    }
    probe->format = "luks";
    probe->encrypted = true;
    version = (guint16)((buf[6] << 8) | buf[7]);
    if (version == 1) {
        /* LUKS1: the payload (the guest-visible data) starts at a sector
         * offset stored in the header. */
        guint64 payload = (guint64)be32(buf + 104) * LUKS_SECTOR;

        probe->capacity = payload < file_size ? file_size - payload : 0;
    } else {
        /* LUKS2 keeps the data offset in its JSON area; report the host size. */
        probe->capacity = file_size;
    }
    return true;
}

bool
mv_storage_probe_buffer(const guint8 *buf, gsize len, guint64 file_size,
                        MvStorageProbe *probe, gsize *ret_need, GError **error)
{
    *ret_need = 0;
    probe->format = "raw";
    probe->capacity = file_size;
    probe->encrypted = false;

    if (len >= 4 && be32(buf) == QCOW2_MAGIC) {
        probe->capacity = 0;
        return probe_qcow2(buf, len, probe, ret_need, error);
    }
    if (len >= 6 && memcmp(buf, LUKS_MAGIC, 6) == 0)
        return probe_luks(buf, len, file_size, probe, ret_need);
    if (len >= ISO_MAGIC_OFFSET + 5 &&
        memcmp(buf + ISO_MAGIC_OFFSET, ISO_MAGIC, 5) == 0)
        probe->format = "iso";
    return true;
}

static bool
probe_read_at(int fd, guint8 *buf, gsize len, off_t offset, gsize *ret_got)
{
    gsize got = 0;

    while (got < len) {
        ssize_t n = pread(fd, buf + got, len - got, offset + (off_t)got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return false;
        if (n == 0)
            break;
        got += (gsize)n;
    }
    *ret_got = got;
    return true;
}

/* The header of a regular file or block device. */
static bool
probe_contents(int fd, const char *path, MvStorageProbe *probe, GError **error)
{
    g_autofree guint8 *buf = g_malloc(PROBE_FIRST_READ);
    gsize got = 0, want = PROBE_FIRST_READ, need = 0;

    if (!probe_read_at(fd, buf, want, 0, &got))
        return mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot read '%s'", path);
    for (;;) {
        if (!mv_storage_probe_buffer(buf, got, probe->physical, probe, &need, error)) {
            g_prefix_error(error, "'%s': ", path);
            return false;
        }
        if (need == 0 || need <= got)
            break;
        if (got < want || need > PROBE_MAX_READ)     /* the file ends before the header */
            return mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                                "'%s': the %s header is truncated", path, probe->format);
        want = need;
        buf = g_realloc(buf, want);
        if (!probe_read_at(fd, buf, want, 0, &got))
            return mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot read '%s'", path);
    }
    if (g_str_equal(probe->format, "raw") && probe->physical >= ISO_MAGIC_OFFSET + 5) {
        guint8 magic[5];

        if (probe_read_at(fd, magic, sizeof(magic), ISO_MAGIC_OFFSET, &got) &&
            got == sizeof(magic) && memcmp(magic, ISO_MAGIC, 5) == 0)
            probe->format = "iso";
    }
    return true;
}

MvStorageProbe *
mv_storage_probe_fd(int fd, const char *path, GError **error)
{
    g_autoptr(MvStorageProbe) probe = g_new0(MvStorageProbe, 1);
    struct stat st;

    if (fstat(fd, &st) < 0) {
        mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot stat '%s'", path);
        return NULL;
    }
    probe->mode = st.st_mode & 07777;
    probe->uid = st.st_uid;
    probe->gid = st.st_gid;
    probe->allocation = (guint64)st.st_blocks * 512;
    probe->physical = (guint64)st.st_size;
    if (S_ISDIR(st.st_mode)) {
        probe->type = MV_STORAGE_PROBE_DIR;
        probe->format = "dir";
        probe->capacity = probe->physical;
        return g_steal_pointer(&probe);
    }
    if (S_ISBLK(st.st_mode)) {
        guint64 size = 0;

        probe->type = MV_STORAGE_PROBE_BLOCK;
        if (ioctl(fd, BLKGETSIZE64, &size) < 0) {
            mv_error_set_errno(error, MV_FROM_STORAGE, errno,
                               "cannot get the size of block device '%s'", path);
            return NULL;
        }
        probe->physical = probe->allocation = size;
    } else if (!S_ISREG(st.st_mode)) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                     "'%s' is neither a file, a block device nor a directory", path);
        return NULL;
    }
    if (!probe_contents(fd, path, probe, error))
        return NULL;
    return g_steal_pointer(&probe);
}

MvStorageProbe *
mv_storage_probe_path(const char *path, bool follow, GError **error)
{
    MV_AUTOCLOSE int fd = -1;
    int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;

    if (!follow)
        flags |= O_NOFOLLOW;
    fd = open(path, flags);
    if (fd < 0 && errno == ENOENT) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_VOL,
                     "Storage volume not found: no file '%s'", path);
        return NULL;
    }
    if (fd < 0) {
        mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot open '%s'", path);
        return NULL;
    }
    return mv_storage_probe_fd(fd, path, error);
}

void
mv_storage_probe_free(MvStorageProbe *probe)
{
    if (!probe)
        return;
    g_free(probe->backing_path);
    g_free(probe->backing_format);
    g_free(probe);
}
