/* modvirt's save image format (qemu-save-image.h has the layout). */
#include "qemu-save-image.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"

#define IMAGE_MAGIC "ModvirtSaveImg1\n"
#define IMAGE_VERSION 1u
#define HEADER_LEN 64u
#define XML_MAX (16u * 1024 * 1024)
#define ALIGN 4096u

typedef struct {
    guint32 flags;
    guint32 xml_len;
    guint32 xml_space;
    guint64 data_offset;
    guint64 data_len;
} Header;

void
mv_save_image_free(MvSaveImage *img)
{
    if (!img)
        return;
    g_free(img->xml);
    g_free(img);
}

static void
put32(guint8 *p, guint32 v)
{
    v = GUINT32_TO_LE(v);
    memcpy(p, &v, 4);
}

static void
put64(guint8 *p, guint64 v)
{
    v = GUINT64_TO_LE(v);
    memcpy(p, &v, 8);
}

static guint32
get32(const guint8 *p)
{
    guint32 v;
    memcpy(&v, p, 4);
    return GUINT32_FROM_LE(v);
}

static guint64
get64(const guint8 *p)
{
    guint64 v;
    memcpy(&v, p, 8);
    return GUINT64_FROM_LE(v);
}

static void
header_encode(const Header *h, guint8 out[HEADER_LEN])
{
    memset(out, 0, HEADER_LEN);
    memcpy(out, IMAGE_MAGIC, 16);
    put32(out + 16, IMAGE_VERSION);
    put32(out + 20, h->flags);
    put32(out + 24, h->xml_len);
    put32(out + 28, h->xml_space);
    put64(out + 32, h->data_offset);
    put64(out + 40, h->data_len);
}

static bool
pwrite_all(int fd, const void *buf, size_t len, off_t off, const char *path, GError **error)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = pwrite(fd, p, len, off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return mv_error_set_errno(error, MV_FROM_QEMU, n < 0 ? errno : EIO,
                                      "cannot write save image '%s'", path);
        p += n;
        len -= (size_t)n;
        off += n;
    }
    return true;
}

/* Reads exactly @len bytes at @off; a short file is "truncated". */
static bool
pread_all(int fd, void *buf, size_t len, off_t off, const char *path, GError **error)
{
    char *p = buf;

    while (len > 0) {
        ssize_t n = pread(fd, p, len, off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return mv_error_set_errno(error, MV_FROM_QEMU, errno,
                                      "cannot read save image '%s'", path);
        if (n == 0)
            return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                                "save image '%s' is truncated: its header or domain XML "
                                "is cut short", path);
        p += n;
        len -= (size_t)n;
        off += n;
    }
    return true;
}

static guint64
align_up(guint64 v)
{
    return (v + ALIGN - 1) / ALIGN * ALIGN;
}

int
mv_save_image_create(const char *path, const char *xml, guint64 *ret_data_offset,
                     GError **error)
{
    guint8 head[HEADER_LEN];
    size_t xml_len = strlen(xml);
    Header h = { 0 };
    int fd;

    if (xml_len > XML_MAX)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                            "domain XML too large for a save image"), -1;
    h.xml_len = (guint32)xml_len;
    /* Room for save-image-define to grow the XML in place. */
    h.data_offset = align_up(HEADER_LEN + xml_len + 1 + 16 * 1024);
    h.xml_space = (guint32)(h.data_offset - HEADER_LEN);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        mv_error_set_errno(error, MV_FROM_QEMU, errno, "cannot create save image '%s'", path);
        return -1;
    }
    header_encode(&h, head);
    if (!pwrite_all(fd, head, HEADER_LEN, 0, path, error) ||
        !pwrite_all(fd, xml, xml_len, HEADER_LEN, path, error) ||
        ftruncate(fd, (off_t)h.data_offset) < 0 ||
        lseek(fd, (off_t)h.data_offset, SEEK_SET) < 0) {
        if (error && !*error)
            mv_error_set_errno(error, MV_FROM_QEMU, errno, "cannot prepare save image '%s'",
                               path);
        close(fd);
        unlink(path);
        return -1;
    }
    *ret_data_offset = h.data_offset;
    return fd;
}

static bool
read_header(int fd, const char *path, Header *h, GError **error)
{
    guint8 head[HEADER_LEN];

    if (!pread_all(fd, head, HEADER_LEN, 0, path, error))
        return false;
    if (memcmp(head, IMAGE_MAGIC, 16) != 0)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                            "'%s' is not a modvirt save image (wrong magic): was it written "
                            "by 'virsh save' against modvirt?", path);
    if (get32(head + 16) != IMAGE_VERSION)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                            "save image '%s' has version %u; this modvirt reads version %u",
                            path, get32(head + 16), IMAGE_VERSION);
    h->flags = get32(head + 20);
    h->xml_len = get32(head + 24);
    h->xml_space = get32(head + 28);
    h->data_offset = get64(head + 32);
    h->data_len = get64(head + 40);
    if (h->xml_len == 0 || h->xml_len > XML_MAX || h->xml_len > h->xml_space ||
        h->data_offset != HEADER_LEN + (guint64)h->xml_space || h->data_offset % ALIGN)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                            "save image '%s' is corrupt: inconsistent header", path);
    return true;
}

int
mv_save_image_open(const char *path, MvSaveImage **ret_img, GError **error)
{
    g_autoptr(MvSaveImage) img = g_new0(MvSaveImage, 1);
    Header h;
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        mv_error_set_errno(error, MV_FROM_QEMU, errno, "cannot open save image '%s'", path);
        return -1;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                     "'%s' is not a regular file", path);
        goto fail;
    }
    if (!read_header(fd, path, &h, error))
        goto fail;
    if (!(h.flags & MV_SAVE_IMAGE_COMPLETE)) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                     "save image '%s' is incomplete: the save that wrote it did not finish",
                     path);
        goto fail;
    }
    if ((guint64)st.st_size < h.data_offset + h.data_len || h.data_len == 0) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                     "save image '%s' is truncated: %" G_GUINT64_FORMAT " bytes of guest "
                     "state expected, %" G_GUINT64_FORMAT " present", path, h.data_len,
                     (guint64)st.st_size > h.data_offset ?
                         (guint64)st.st_size - h.data_offset : 0);
        goto fail;
    }
    img->xml = g_malloc0(h.xml_len + 1);
    if (!pread_all(fd, img->xml, h.xml_len, HEADER_LEN, path, error))
        goto fail;
    if (strlen(img->xml) != h.xml_len) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                     "save image '%s' is corrupt: the domain XML has NUL bytes", path);
        goto fail;
    }
    if (lseek(fd, (off_t)h.data_offset, SEEK_SET) < 0) {
        mv_error_set_errno(error, MV_FROM_QEMU, errno, "cannot seek in '%s'", path);
        goto fail;
    }
    img->flags = h.flags;
    img->xml_space = h.xml_space;
    img->data_offset = h.data_offset;
    img->data_len = h.data_len;
    *ret_img = g_steal_pointer(&img);
    return fd;
fail:
    close(fd);
    return -1;
}

bool
mv_save_image_finish(int fd, const char *path, guint64 data_offset, bool running,
                     GError **error)
{
    guint8 head[HEADER_LEN];
    Header h;
    struct stat st;

    if (fsync(fd) < 0 || fstat(fd, &st) < 0)
        return mv_error_set_errno(error, MV_FROM_QEMU, errno, "cannot sync save image '%s'",
                                  path);
    if (!read_header(fd, path, &h, error))
        return false;
    if ((guint64)st.st_size <= data_offset)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                            "QEMU wrote no guest state to '%s'", path);
    h.data_len = (guint64)st.st_size - data_offset;
    h.flags = MV_SAVE_IMAGE_COMPLETE | (running ? MV_SAVE_IMAGE_RUNNING : 0);
    header_encode(&h, head);
    if (!pwrite_all(fd, head, HEADER_LEN, 0, path, error))
        return false;
    if (fsync(fd) < 0)
        return mv_error_set_errno(error, MV_FROM_QEMU, errno, "cannot sync save image '%s'",
                                  path);
    return true;
}

bool
mv_save_image_set_xml(const char *path, const char *xml, int set_running, GError **error)
{
    g_autoptr(MvSaveImage) img = NULL;
    g_autofree char *zeros = NULL;
    guint8 head[HEADER_LEN];
    size_t len = strlen(xml);
    Header h;
    int fd = mv_save_image_open(path, &img, error);
    bool ok;

    if (fd < 0)
        return false;
    close(fd);
    if (len > img->xml_space - 1)
        return mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                            "the new XML (%zu bytes) does not fit the %u bytes save image "
                            "'%s' reserves for it", len, img->xml_space - 1, path);
    if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
        return mv_error_set_errno(error, MV_FROM_QEMU, errno,
                                  "cannot open save image '%s' for writing", path);
    h.flags = img->flags;
    if (set_running >= 0)
        h.flags = (h.flags & ~MV_SAVE_IMAGE_RUNNING) | (set_running ? MV_SAVE_IMAGE_RUNNING : 0);
    h.xml_len = (guint32)len;
    h.xml_space = img->xml_space;
    h.data_offset = img->data_offset;
    h.data_len = img->data_len;
    header_encode(&h, head);
    zeros = g_malloc0(img->xml_space);
    memcpy(zeros, xml, len);
    ok = pwrite_all(fd, zeros, img->xml_space, HEADER_LEN, path, error) &&
         pwrite_all(fd, head, HEADER_LEN, 0, path, error);
    if (ok && fsync(fd) < 0)
        ok = mv_error_set_errno(error, MV_FROM_QEMU, errno, "cannot sync save image '%s'",
                                path);
    close(fd);
    return ok;
}
