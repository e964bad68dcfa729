/* Fast probe of a volume file: the image format from its first bytes, the
 * virtual size and backing file from a qcow2 header, the allocation from
 * st_blocks. No external program runs, so a pool refresh of 10,000 volumes
 * costs a stat and a read or two per file. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

G_BEGIN_DECLS

typedef enum {
    MV_STORAGE_PROBE_FILE = 0,      /* a regular file */
    MV_STORAGE_PROBE_BLOCK,         /* a block device */
    MV_STORAGE_PROBE_DIR,           /* a directory */
} MvStorageProbeType;

/* What a probe found; strings are owned by the struct. */
typedef struct {
    MvStorageProbeType type;
    const char *format;         /* static: "raw", "qcow2", "luks", "iso" or "dir" */
    guint64 capacity;           /* virtual size in bytes */
    guint64 allocation;         /* bytes allocated on the host (st_blocks * 512) */
    guint64 physical;           /* host size in bytes (st_size, or the device size) */
    char *backing_path;         /* qcow2: the backing file as written in the header */
    char *backing_format;       /* qcow2: the backing format extension, or NULL */
    bool encrypted;             /* luks, or qcow2 with an encryption method */
    guint32 qcow2_version;      /* 2 or 3 for qcow2 */
    guint64 cluster_size;       /* qcow2 */
    mode_t mode;                /* st_mode & 07777 */
    uid_t uid;
    gid_t gid;
} MvStorageProbe;

/**
 * mv_storage_probe_path:
 * Probes @path (not following a final symlink unless @follow) into a new
 * MvStorageProbe. A qcow2 header that is truncated or inconsistent is an
 * error (MV_ERR_INTERNAL_ERROR naming the path and the field); anything that
 * is not a known format is "raw". Returns NULL with @error set on failure
 * (MV_ERR_NO_STORAGE_VOL when the file does not exist).
 */
MvStorageProbe *mv_storage_probe_path(const char *path, bool follow, GError **error);

/**
 * mv_storage_probe_fd:
 * The same on an open fd; @path is only used in messages.
 */
MvStorageProbe *mv_storage_probe_fd(int fd, const char *path, GError **error);

/**
 * mv_storage_probe_buffer:
 * Parses the header bytes @buf (@len bytes, read from offset 0) of an image of
 * @file_size bytes into @probe's format, capacity and backing fields (the
 * st_* fields are left alone). Bytes the header points beyond @len are
 * reported through *@ret_need (the length to read and call again with), with
 * true returned; 0 when done. Exposed for the unit tests and the fuzzer.
 */
bool mv_storage_probe_buffer(const guint8 *buf, gsize len, guint64 file_size,
                             MvStorageProbe *probe, gsize *ret_need, GError **error);

/**
 * mv_storage_probe_free:
 * Frees @probe; NULL is a no-op.
 */
void mv_storage_probe_free(MvStorageProbe *probe);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvStorageProbe, mv_storage_probe_free)

G_END_DECLS
