/* STORAGE_VOL_UPLOAD / STORAGE_VOL_DOWNLOAD: the volume side of a transfer
 * (which volume, its job or read hold, the in-progress name of an upload,
 * the refresh after it); storage-stream.c moves the bytes. */
#define MV_LOG_CATEGORY "storage"
#include "storage-stream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "storage-handlers.h"
#include "util/log.h"

/* What an upload or download holds until it ends. */
typedef struct {
    MvStorageDriver *driver;
    MvStoragePoolObj *pool;     /* references */
    MvStorageVolObj *vol;
    MvStoragePoolDef *pooldef;  /* copies taken at the start */
    MvStorageVolDef *def;
    char *path;                 /* the volume's file */
    char *partial;              /* upload: its in-progress name while the upload runs */
    bool upload;
    bool released;
} Hold;

static void
hold_release(Hold *h)
{
    if (h->released)
        return;
    h->released = true;
    g_mutex_lock(&h->pool->lock);
    if (h->upload) {
        mv_storage_vol_end_job(h->pool, h->vol);
        if (h->def && !h->vol->removed)
            mv_storage_vol_set_def(h->pool, h->vol, g_steal_pointer(&h->def));
    } else {
        h->vol->readers--;
    }
    g_mutex_unlock(&h->pool->lock);
}

static void
hold_free(gpointer data)
{
    Hold *h = data;

    if (!h)
        return;
    hold_release(h);
    mv_storage_vol_def_free(h->def);
    mv_storage_pool_def_free(h->pooldef);
    mv_storage_vol_unref(h->vol);
    mv_storage_pool_unref(h->pool);
    g_free(h->path);
    g_free(h->partial);
    g_free(h);
}

/* Takes @ref's volume for an upload (its job) or a download (a read hold). */
static Hold *
hold_take(MvStorageDriver *driver, const MvObjectRef *ref, bool upload, GError **error)
{
    Hold *h = g_new0(Hold, 1);
    const char *busy = NULL;
    bool ok = true;

    h->driver = driver;
    h->upload = upload;
    h->released = true;     /* nothing to release until taken */
    if (!(h->vol = mv_storage_driver_find_vol(driver, ref, &h->pool, error))) {
        hold_free(h);
        return NULL;
    }
    g_mutex_lock(&h->pool->lock);
    if (h->pool->stopping) {
        ok = mv_storage_pool_not_active(h->pool, error);
    } else if (upload && h->vol->readers > 0) {
        ok = mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                          "Requested operation is not valid: volume '%s' is being read (a "
                          "clone or download); wait for it to finish", ref->name);
    } else if (upload) {
        ok = mv_storage_vol_begin_job(h->pool, h->vol, "virStorageVolUpload", error);
    } else if ((busy = h->vol->job)) {
        ok = mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_INVALID,
                          "Requested operation is not valid: volume '%s' is busy: %s is "
                          "running on it; wait for it to finish", ref->name, busy);
    } else {
        h->vol->readers++;
    }
    if (ok) {
        h->released = false;
        h->pooldef = mv_storage_pool_def_copy(h->pool->def);
        h->def = mv_storage_vol_def_copy(h->vol->def);
        h->path = g_strdup(h->vol->def->target.path);
    }
    g_mutex_unlock(&h->pool->lock);
    if (!ok) {
        hold_free(h);
        return NULL;
    }
    if (!h->path || (h->def->type != MV_STORAGE_VOL_FILE && h->def->type != MV_STORAGE_VOL_BLOCK)) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_UNSUPPORTED,
                     "volume '%s' is a %s volume: only file and block volumes can be %s",
                     ref->name, mv_storage_vol_type_to_string(h->def->type),
                     upload ? "uploaded" : "downloaded");
        hold_free(h);
        return NULL;
    }
    return h;
}

/* The upload ended: the file gets its name back, the volume is re-read (its
 * format, size and allocation may have changed) and its job ends. */
static bool
upload_end(const GError *error, guint64 bytes, gpointer data, GError **ret_error)
{
    Hold *h = data;
    const MvStorageBackend *backend = mv_storage_backend_for(h->pooldef->type);
    g_autoptr(GError) err = NULL;
    bool ok = true;

    if (h->partial && rename(h->partial, h->path) < 0) {
        g_autoptr(GError) rename_err = NULL;

        ok = mv_error_set(&rename_err, MV_FROM_STORAGE, MV_ERR_SYSTEM_ERROR,
                          "cannot give volume '%s' its name back after the upload (%s): %s",
                          h->def->name, h->partial, g_strerror(errno));
        mv_log_warning("%s", rename_err->message);
        if (ret_error)
            g_propagate_error(ret_error, g_steal_pointer(&rename_err));
    } else {
        g_clear_pointer(&h->partial, g_free);
    }
    if (backend->vol_refresh && !backend->vol_refresh(h->pooldef, h->def, &err))
        mv_log_warning("volume '%s': cannot re-read it after the upload: %s", h->def->name,
                       err->message);
    if (error)
        mv_log_info("upload to volume '%s' stopped after %" G_GUINT64_FORMAT " bytes: %s",
                    h->def->name, bytes, error->message);
    else
        mv_log_debug("upload to volume '%s': %" G_GUINT64_FORMAT " bytes", h->def->name, bytes);
    hold_release(h);
    return ok;
}

static bool
download_end(const GError *error, guint64 bytes, gpointer data, GError **ret_error)
{
    hold_release(data);
    return true;
}

bool
mv_storage_handle_storage_vol_upload(MvDriverCall *call, const MvObjectRef *vol_ref,
                                     uint64_t offset, uint64_t length, unsigned int flags,
                                     GError **error)
{
    MvStorageDriver *driver = mv_storage_driver_get(call);
    MvStorageStreamSpec spec = { .offset = offset, .length = length, .end = upload_end,
                                 .destroy = hold_free };
    Hold *h;
    int fd;

    if (!mv_storage_dispatch_check_flags(flags, MV_STORAGE_STREAM_SPARSE, "virStorageVolUpload",
                                         error) ||
        !(h = hold_take(driver, vol_ref, true, error)))
        return false;
    /* Under its in-progress name until the upload ended: a daemon killed
     * meanwhile leaves it to the restart's reconcile, never as complete. */
    h->partial = mv_storage_backend_partial_path(h->path);
    if (rename(h->path, h->partial) < 0) {
        mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot prepare volume '%s' for the "
                           "upload (rename to %s)", vol_ref->name, h->partial);
        g_clear_pointer(&h->partial, g_free);
        hold_free(h);
        return false;
    }
    if ((fd = open(h->partial, O_WRONLY | O_CLOEXEC)) < 0) {
        mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot open volume '%s' for writing",
                           vol_ref->name);
        upload_end(NULL, 0, h, NULL);
        hold_free(h);
        return false;
    }
    spec.fd = fd;
    spec.sparse = (flags & MV_STORAGE_STREAM_SPARSE) != 0;
    spec.name = vol_ref->name;
    spec.user_data = h;
    return mv_storage_stream_start_upload(call, &spec, error);
}

bool
mv_storage_handle_storage_vol_download(MvDriverCall *call, const MvObjectRef *vol_ref,
                                       uint64_t offset, uint64_t length, unsigned int flags,
                                       GError **error)
{
    MvStorageDriver *driver = mv_storage_driver_get(call);
    MvStorageStreamSpec spec = { .offset = offset, .length = length, .end = download_end,
                                 .destroy = hold_free };
    Hold *h;
    int fd;

    if (!mv_storage_dispatch_check_flags(flags, MV_STORAGE_STREAM_SPARSE,
                                         "virStorageVolDownload", error) ||
        !(h = hold_take(driver, vol_ref, false, error)))
        return false;
    if ((fd = open(h->path, O_RDONLY | O_CLOEXEC)) < 0) {
        mv_error_set_errno(error, MV_FROM_STORAGE, errno, "cannot open volume '%s' for reading",
                           vol_ref->name);
        hold_free(h);
        return false;
    }
    spec.fd = fd;
    spec.sparse = (flags & MV_STORAGE_STREAM_SPARSE) != 0;
    spec.name = vol_ref->name;
    spec.user_data = h;
    return mv_storage_stream_start_download(call, &spec, error);
}
