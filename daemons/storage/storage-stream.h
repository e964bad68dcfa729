/* Volume data streams (STORAGE_VOL_UPLOAD 208 / DOWNLOAD 209): the bytes of
 * an open file descriptor moved over the stream protocol, sparse or not.
 *
 * Upload: packets arrive on the RPC I/O thread and go to the transfer's own
 * writer thread; past a few MiB not yet written the client's input is held
 * (its socket fills, the client blocks), so a fast client cannot grow the
 * daemon. Holes are punched (or skipped where the file has none), never
 * written as zeros. Download: the transfer's thread reads the file straight
 * into the frames it sends, finds holes with SEEK_DATA/SEEK_HOLE and sends
 * them as STREAM_HOLE in sparse mode; while the client's queue is congested
 * it waits for the server's drain watch, so a slow client cannot grow it.
 *
 * Both end by calling the spec's @end exactly once on the transfer's thread,
 * before the final packet (STREAM OK, or STREAM ERROR) leaves: the daemon
 * finishes its volume work (rename back, refresh, end its job) first. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "daemon/driver-call.h"

G_BEGIN_DECLS

/* virStorageVolUploadFlags / virStorageVolDownloadFlags: SPARSE_STREAM is 1 in both. */
#define MV_STORAGE_STREAM_SPARSE 1u

/*
 * MvStorageStreamEndFunc:
 * @error: NULL when all data went through (and the client finished), else why not.
 * @bytes: bytes of the volume covered (data and holes).
 * Returns false with @ret_error set to fail a transfer that had succeeded
 * (the client gets that error instead of OK).
 */
typedef bool (*MvStorageStreamEndFunc)(const GError *error, guint64 bytes, gpointer user_data,
                                       GError **ret_error);

typedef struct {
    int fd;                     /* the transfer owns it from the start call on, even on failure */
    guint64 offset;             /* where in the file the transfer starts */
    guint64 length;             /* bytes; 0: to the end (download) / no limit (upload) */
    bool sparse;                /* holes travel as STREAM_HOLE */
    const char *name;           /* the volume's name, for messages */
    MvStorageStreamEndFunc end; /* may be NULL */
    gpointer user_data;
    GDestroyNotify destroy;     /* frees @user_data after @end (also when the start fails) */
} MvStorageStreamSpec;

/**
 * mv_storage_stream_start_upload:
 * Registers the stream of the upload @call (the handler then returns true
 * and the OK REPLY opens it). Returns false with @error set (then @spec's fd
 * is closed and @destroy has run).
 */
bool mv_storage_stream_start_upload(MvDriverCall *call, const MvStorageStreamSpec *spec,
                                    GError **error);

/**
 * mv_storage_stream_start_download:
 * Like mv_storage_stream_start_upload() for a download of @spec's range
 * (clamped to the file's size; an offset past the end is an error). The data
 * starts flowing once the REPLY is out.
 */
bool mv_storage_stream_start_download(MvDriverCall *call, const MvStorageStreamSpec *spec,
                                      GError **error);

/* Bytes of an upload queued for the writer before the client's input is held. */
#define MV_STORAGE_STREAM_UPLOAD_QUEUE_MAX (8u * 1024u * 1024u)

G_END_DECLS

/* ---- the handlers (storage-handlers-stream.c) ----------------------------------- */

G_BEGIN_DECLS

/**
 * mv_storage_handle_storage_vol_upload:
 * STORAGE_VOL_UPLOAD (208): the volume's file is renamed to its in-progress
 * name (storage-backend.h) for the whole upload and back once the upload
 * ended, so a daemon killed halfway leaves no file that passes for the
 * complete volume (the restart's reconcile removes and reports it). The
 * volume's job is held meanwhile (delete, wipe, resize, another upload wait
 * their turn); queries keep answering from memory.
 */
bool mv_storage_handle_storage_vol_upload(MvDriverCall *call, const MvObjectRef *vol_ref,
                                          uint64_t offset, uint64_t length, unsigned int flags,
                                          GError **error);

/**
 * mv_storage_handle_storage_vol_download:
 * STORAGE_VOL_DOWNLOAD (209): the volume is held as read (delete, wipe,
 * resize refuse while it lasts) and its file streamed out.
 */
bool mv_storage_handle_storage_vol_download(MvDriverCall *call, const MvObjectRef *vol_ref,
                                            uint64_t offset, uint64_t length,
                                            unsigned int flags, GError **error);

G_END_DECLS
