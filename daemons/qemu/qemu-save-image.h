/* modvirt's save image: the file `virsh save` and managed save write.
 *
 * Layout (all integers little-endian):
 *   0   char[16] magic "ModvirtSaveImg1\n"
 *   16  u32 version (1)
 *   20  u32 flags: 1 = the guest was running at save, 2 = complete
 *   24  u32 xml_len   bytes of domain XML at offset 64
 *   28  u32 xml_space bytes reserved for it (save-image-define may grow it)
 *   32  u64 data_offset where QEMU's migration stream starts (4 KiB aligned)
 *   40  u64 data_len    bytes of migration stream (written when complete)
 *   48  16 bytes reserved (zero)
 *   64  the domain XML, then zeros up to data_offset, then the stream.
 * A save writes the header with "complete" clear first and sets it, with the
 * stream's length, only after QEMU finished: an interrupted save is refused. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

G_BEGIN_DECLS

#define MV_SAVE_IMAGE_RUNNING  (1u << 0)
#define MV_SAVE_IMAGE_COMPLETE (1u << 1)

typedef struct {
    guint32 flags;
    char *xml;              /* NUL-terminated */
    guint32 xml_space;
    guint64 data_offset;
    guint64 data_len;
} MvSaveImage;

void mv_save_image_free(MvSaveImage *img);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvSaveImage, mv_save_image_free)

/**
 * mv_save_image_create:
 * Creates @path (0600, replacing a file there) for a save of @xml, writes an
 * incomplete header and returns the fd positioned at the stream's start, its
 * offset in *@ret_data_offset. -1 with @error on failure (nothing left).
 */
int mv_save_image_create(const char *path, const char *xml, guint64 *ret_data_offset,
                         GError **error);

/**
 * mv_save_image_finish:
 * Marks the image on @fd complete: the stream is everything after
 * @data_offset; @running records the guest's state. Syncs the file.
 */
bool mv_save_image_finish(int fd, const char *path, guint64 data_offset, bool running,
                          GError **error);

/**
 * mv_save_image_open:
 * Opens @path read-only and checks it: magic, version, complete, the XML
 * and the stream fully present. Returns the fd positioned at the stream and
 * the header in *@ret_img; -1 with MV_ERR_OPERATION_INVALID naming the file
 * and what is wrong with it.
 */
int mv_save_image_open(const char *path, MvSaveImage **ret_img, GError **error);

/**
 * mv_save_image_set_xml:
 * Replaces the domain XML in the image at @path (save-image-define) and the
 * running flag when @set_running (1 running, 0 paused, -1 keep).
 */
bool mv_save_image_set_xml(const char *path, const char *xml, int set_running,
                           GError **error);

G_END_DECLS
